// Progress bars on stderr with counts and ETA. On a terminal the bar redraws in place; otherwise
// (CI logs, pipes) it prints a line every two seconds at most so logs stay readable.

function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "--";
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, "0")}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

export class ProgressBar {
  private done = 0;
  private readonly started = Date.now();
  private detail = "";
  private readonly tty: boolean;
  private lastLineAt = 0;

  constructor(
    private readonly label: string,
    private total: number,
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly enabled = true,
  ) {
    this.tty = Boolean(stream.isTTY);
    this.render();
  }

  setTotal(total: number): void {
    this.total = total;
    this.render();
  }

  /** Describe the current step without advancing. */
  update(detail: string): void {
    this.detail = detail;
    if (this.tty) this.render();
  }

  tick(detail = this.detail, by = 1): void {
    this.done += by;
    this.detail = detail;
    this.render(true);
  }

  /** A line of its own above the bar (e.g. a step that finished beside the counted work). */
  note(text: string): void {
    if (!this.enabled) return;
    this.stream.write(this.tty ? `\r\x1b[2K${text}\n` : `${text}\n`);
    if (this.tty) this.render();
  }

  line(): string {
    const width = 24;
    const fraction = this.total > 0 ? Math.min(1, this.done / this.total) : 1;
    const filled = Math.round(fraction * width);
    const elapsed = Date.now() - this.started;
    const eta = this.done > 0 ? (elapsed / this.done) * (this.total - this.done) : Number.NaN;
    const bar = `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
    return `${this.label} ${bar} ${this.done}/${this.total} ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}${this.detail ? `  ${this.detail}` : ""}`;
  }

  private render(advanced = false): void {
    if (!this.enabled) return;
    if (this.tty) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r\x1b[2K${this.line().slice(0, columns - 1)}`);
    } else if (advanced && (this.done >= this.total || Date.now() - this.lastLineAt >= 2000)) {
      // Logs get one line every two seconds at most, and always the last one.
      this.lastLineAt = Date.now();
      this.stream.write(`${this.line()}\n`);
    }
  }

  finish(): void {
    if (this.enabled && this.tty) this.stream.write("\n");
  }
}

export { formatDuration };
