// The one reader of uploaded method archives: gunzip with a hard output cap, then a walk over the tar headers that
// trusts nothing they claim. It is written as ONE self-contained function (no imports, no outer names; node:zlib comes
// from process.getBuiltinModule) because the upload API runs it in a worker thread from its source text: that keeps
// a hostile archive off the request thread whatever bundler built the site (see inspectInWorker in archive.ts).
// Workers and `cajal reproduce` call it directly to unpack, so what is checked is exactly what is extracted.

export interface ScanLimits {
  /** Sum of the sizes every header declares, whatever its type (files, directories, extended headers). */
  maxUnpackedBytes: number;
  maxFiles: number;
  /** Headers of any type (files, directories, pax and GNU long-name records). */
  maxEntries: number;
}

export interface ScannedEntry {
  path: string;
  kind: "file" | "directory";
  /** Where the file's bytes are in the decompressed tar. */
  offset: number;
  size: number;
  mode: number;
}

export interface ArchiveScan {
  /** One line per problem; empty when the archive is acceptable. */
  problems: string[];
  entries: ScannedEntry[];
  /** The decompressed tar (null when it could not be decompressed within the limits). */
  tar: Uint8Array | null;
  manifestText: string | null;
  files: number;
  unpackedBytes: number;
  /** The walk reached the end-of-archive marker (so a missing method.json is really missing). */
  complete: boolean;
}

/** Scan a .tar.gz. Never throws: every problem comes back as a line in `problems`. */
export async function scanTarGz(archive: Uint8Array, limits: ScanLimits, manifestName: string): Promise<ArchiveScan> {
  const problems: string[] = [];
  const entries: ScannedEntry[] = [];
  const zlib = process.getBuiltinModule("node:zlib") as typeof import("node:zlib");
  // Every header and every entry's padding fit in 1 KiB, plus the end marker and the last record's padding.
  const MAX_TRAILER = 64 * 1024;
  const cap = limits.maxUnpackedBytes + (limits.maxEntries + 1) * 1024 + MAX_TRAILER;
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const text = (bytes: Uint8Array): string | null => {
    const end = bytes.indexOf(0);
    try {
      return decoder.decode(end < 0 ? bytes : bytes.subarray(0, end));
    } catch {
      return null;
    }
  };
  const octal = (bytes: Uint8Array): number | null => {
    if (bytes[0] !== undefined && (bytes[0] & 0x80) !== 0) return null; // base-256: only for sizes no method needs
    const s = (text(bytes) ?? "").trim();
    if (s === "") return 0;
    if (!/^[0-7]+$/.test(s)) return null;
    return Number.parseInt(s, 8);
  };
  // Printable: no C0/C1 controls (newline, escape…), no line or paragraph separators.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what this refuses
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
  const MAX_PATH = 512;
  const MAX_COMPONENT = 255;
  const MAX_MANIFEST = 64 * 1024;
  // Names are shown as they are once known to be printable; before that, escaped (a newline shows as \n).
  const show = (name: string) => (name.length > 80 ? `${name.slice(0, 77)}...` : name);
  const escaped = (name: string) => JSON.stringify(show(name));

  let offset = 0;
  let count = 0;
  let files = 0;
  let unpacked = 0;
  let ended = false;
  let manifestText: string | null = null;
  let longName: string | null = null;
  let paxPath: string | null = null;
  const seen = new Set<string>();

  /** Walk the headers the bytes so far allow; false once the archive is refused or complete (stop decompressing). */
  const step = (tar: Uint8Array, final: boolean): boolean => {
    for (;;) {
      if (ended) {
        // Only zeros may follow the marker (a tar record is padded to 10 KiB), and not many of them.
        const stray = tar.subarray(offset).findIndex((b) => b !== 0);
        if (stray >= 0 || tar.length - offset > MAX_TRAILER) {
          problems.push(
            `data after the end-of-archive marker (at byte ${stray >= 0 ? offset + stray : offset + MAX_TRAILER} of the unpacked tar): the archive was altered or concatenated; pack the folder again`,
          );
          return false;
        }
        return !final;
      }
      if (offset + 512 > tar.length) {
        if (!final) return true;
        problems.push("not a valid tar: the archive ends without the end-of-archive marker (cut short?): pack the folder again");
        return false;
      }
      const header = tar.subarray(offset, offset + 512);
      if (header.every((b) => b === 0)) {
        ended = true;
        offset += 512;
        continue;
      }
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
      const stored = octal(header.subarray(148, 156));
      if (stored !== sum) {
        problems.push(`not a valid tar: the header at byte ${offset} has a bad checksum (a damaged or altered archive)`);
        return false;
      }
      const magic = String.fromCharCode(...header.subarray(257, 263));
      if (magic !== "ustar\u0000" && magic !== "ustar ") {
        problems.push(`not a valid tar: the header at byte ${offset} is not a ustar header`);
        return false;
      }
      const size = octal(header.subarray(124, 136));
      if (size === null) {
        problems.push(`not a valid tar: the header at byte ${offset} has an unreadable size field`);
        return false;
      }
      count++;
      unpacked += size;
      if (count > limits.maxEntries) {
        problems.push(`more than ${limits.maxEntries} entries (files, directories and extended headers): keep only what the method needs`);
        return false;
      }
      if (unpacked > limits.maxUnpackedBytes) {
        problems.push(
          `more than ${limits.maxUnpackedBytes} bytes once unpacked (the headers declare more): keep only what the method needs`,
        );
        return false;
      }
      const dataStart = offset + 512;
      if (dataStart + size > tar.length) {
        // Counted already; walk this header again once its data has arrived.
        count--;
        unpacked -= size;
        if (!final) return true;
        problems.push(`not a valid tar: the archive is cut short (an entry declares ${size} bytes; fewer follow)`);
        return false;
      }
      const data = tar.subarray(dataStart, dataStart + size);
      const next = dataStart + Math.ceil(size / 512) * 512;
      const type = String.fromCharCode(header[156] as number);

      if (type === "x" || type === "L") {
        // A pax record ("<len> path=<value>\n") or a GNU long name names the entry that follows.
        const body = text(data);
        if (body === null) {
          problems.push(`the extended header at byte ${offset} is not valid UTF-8`);
          return false;
        }
        if (type === "L") longName = body;
        else {
          for (const record of body.split("\n")) {
            const m = /^\d+ ([^=]+)=([\s\S]*)$/.exec(record);
            if (!m) continue;
            if (m[1] === "path") paxPath = m[2] as string;
            else if (m[1] === "size") {
              problems.push(`the extended header at byte ${offset} overrides an entry's size: not allowed; pack the folder again`);
              return false;
            }
          }
        }
        offset = next;
        continue;
      }

      const rawName = text(header.subarray(0, 100));
      const prefix = text(header.subarray(345, 500));
      const name = paxPath ?? longName ?? (rawName === null || prefix === null ? null : prefix ? `${prefix}/${rawName}` : rawName);
      paxPath = null;
      longName = null;
      offset = next;
      if (name === null) {
        problems.push(`an entry's name is not valid UTF-8: use printable UTF-8 file names`);
        continue;
      }
      if (control.test(name)) {
        problems.push(
          `${escaped(name)}: the file name contains a control character (newline, tab, escape…): rename it with printable characters`,
        );
        continue;
      }
      if (name.length > MAX_PATH) {
        problems.push(`${show(name)}: the path is ${name.length} characters, more than the limit of ${MAX_PATH}`);
        continue;
      }
      let rel: string | null = null;
      if (!name.includes("\\") && !name.startsWith("/") && !/^[A-Za-z]:/.test(name)) {
        const parts = name.split("/").filter((p) => p !== "" && p !== ".");
        if (!parts.includes("..")) rel = parts.join("/");
      }
      if (rel === null) {
        problems.push(`${show(name)}: the path is absolute or leaves the method folder`);
        continue;
      }
      const long = rel.split("/").find((p) => new TextEncoder().encode(p).length > MAX_COMPONENT);
      if (long !== undefined) {
        problems.push(`${show(name)}: a path component is longer than ${MAX_COMPONENT} bytes`);
        continue;
      }
      const mode = octal(header.subarray(100, 108)) ?? 0o644;
      if (type === "0" || type === "\u0000" || type === "7") {
        files++;
        if (files > limits.maxFiles) {
          problems.push(`more than ${limits.maxFiles} files: keep only what the method needs`);
          return false;
        }
        if (rel === "") {
          problems.push(`${show(name)}: a file entry without a name`);
          continue;
        }
        if (seen.has(rel)) {
          problems.push(`${show(rel)}: appears twice in the archive: pack the folder again`);
          continue;
        }
        seen.add(rel);
        entries.push({ path: rel, kind: "file", offset: dataStart, size, mode });
        if (rel === manifestName) {
          if (size > MAX_MANIFEST) problems.push(`${manifestName}: ${size} bytes, more than the limit of ${MAX_MANIFEST}`);
          else {
            manifestText = text(data);
            if (manifestText === null) problems.push(`${manifestName}: not valid UTF-8`);
          }
        }
      } else if (type === "5") {
        if (rel !== "") entries.push({ path: rel, kind: "directory", offset: dataStart, size: 0, mode });
      } else {
        const what =
          type === "1"
            ? "a hard link"
            : type === "2"
              ? "a symbolic link"
              : type === "3" || type === "4"
                ? "a device"
                : type === "6"
                  ? "a FIFO"
                  : `an entry of tar type "${type}"`;
        const link = text(header.subarray(157, 257));
        problems.push(
          `${show(name)}: ${what}${link ? ` (to ${control.test(link) ? escaped(link) : show(link)})` : ""}; only plain files and directories are allowed`,
        );
      }
    }
  };

  // Decompress as a stream and walk the headers as they arrive: the first header that breaks a limit stops the
  // decompression, so a bomb costs a few kilobytes of work, not its claimed size.
  let buffer = new Uint8Array(Math.min(cap, Math.max(64 * 1024, archive.byteLength * 4)));
  let length = 0;
  const complete = await new Promise<boolean>((resolve) => {
    const gunzip = zlib.createGunzip();
    let open = true;
    const stop = (result: boolean) => {
      if (!open) return;
      open = false;
      gunzip.removeAllListeners("data");
      gunzip.destroy();
      resolve(result);
    };
    gunzip.on("data", (chunk: Uint8Array) => {
      if (!open) return;
      if (length + chunk.byteLength > cap) {
        problems.push(
          `more than ${limits.maxUnpackedBytes} bytes once unpacked (decompression stopped at the limit): keep only what the method needs`,
        );
        stop(false);
        return;
      }
      if (length + chunk.byteLength > buffer.byteLength) {
        const grown = new Uint8Array(Math.min(cap, Math.max(buffer.byteLength * 2, length + chunk.byteLength)));
        grown.set(buffer.subarray(0, length));
        buffer = grown;
      }
      buffer.set(chunk, length);
      length += chunk.byteLength;
      if (!step(buffer.subarray(0, length), false)) stop(false);
    });
    gunzip.on("error", (error: Error) => {
      if (!open) return;
      problems.push(
        `not a valid tar.gz: the gzip stream is damaged or cut short (${error.message}): pack the folder again (\`npx cajal submit <folder>\` does this)`,
      );
      stop(false);
    });
    gunzip.on("end", () => {
      if (!open) return;
      step(buffer.subarray(0, length), true);
      stop(ended);
    });
    gunzip.end(archive);
  });
  const tar = buffer.subarray(0, length);
  // A path used both as a file and as a directory (a/b file and a/b/c) cannot be unpacked faithfully.
  for (const e of entries) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (seen.has(dir)) problems.push(`${show(e.path)}: its folder ${show(dir)} is also a file in the archive`);
    }
  }
  return { problems, entries, tar: complete ? tar : null, manifestText, files, unpackedBytes: unpacked, complete };
}
