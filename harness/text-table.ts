// Strict reader for whitespace-separated numeric text tables (numpy.savetxt / MATLAB dlmwrite style): one
// row per line, the same number of fields on every line. Every rejection names the file, line and field.

export class TextTableError extends Error {
  override name = "TextTableError";
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const INTEGER = /^[+-]?\d+$/;

export interface TextTable {
  rows: number;
  cols: number;
  /** Row-major [rows, cols]. */
  values: Float64Array;
}

export interface TextTableOptions {
  /** Used in error messages (e.g. the file name). */
  name: string;
  /** Required number of columns. */
  columns?: number;
  /** Every field must be an integer. */
  integers?: boolean;
}

export function parseTextTable(text: string, options: TextTableOptions): TextTable {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  if (lines.length === 0) throw new TextTableError(`${options.name}: no rows`);
  const cols = options.columns ?? (lines[0] as string).trim().split(/\s+/).length;
  const values = new Float64Array(lines.length * cols);
  const pattern = options.integers ? INTEGER : NUMBER;
  for (let r = 0; r < lines.length; r++) {
    const fields = (lines[r] as string).trim().split(/\s+/);
    if (fields.length !== cols) {
      throw new TextTableError(`${options.name}: line ${r + 1} has ${fields.length} fields, expected ${cols}`);
    }
    for (let c = 0; c < cols; c++) {
      const f = fields[c] as string;
      if (!pattern.test(f)) {
        throw new TextTableError(
          `${options.name}: line ${r + 1}, field ${c + 1} is ${JSON.stringify(f)}, not ${options.integers ? "an integer" : "a number"}`,
        );
      }
      values[r * cols + c] = Number(f);
    }
  }
  return { rows: lines.length, cols, values };
}
