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
export function scanTarGz(archive: Uint8Array, limits: ScanLimits, manifestName: string): ArchiveScan {
  const problems: string[] = [];
  const entries: ScannedEntry[] = [];
  const result = (
    tar: Uint8Array | null,
    manifestText: string | null,
    files: number,
    unpackedBytes: number,
    complete: boolean,
  ): ArchiveScan => ({
    problems,
    entries,
    tar,
    manifestText,
    files,
    unpackedBytes,
    complete,
  });
  const zlib = process.getBuiltinModule("node:zlib") as typeof import("node:zlib");
  // Every header and every entry's padding fit in 1 KiB, plus the end marker and the last record's padding.
  const cap = limits.maxUnpackedBytes + (limits.maxEntries + 1) * 1024 + 10240;
  let tar: Uint8Array;
  try {
    tar = zlib.gunzipSync(archive, { maxOutputLength: cap });
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e.code === "ERR_BUFFER_TOO_LARGE" || /Cannot create a Buffer larger|maxOutputLength/i.test(e.message ?? "")) {
      problems.push(
        `more than ${limits.maxUnpackedBytes} bytes once unpacked (decompression stopped at the limit): keep only what the method needs`,
      );
    } else {
      problems.push(
        `not a valid tar.gz: the gzip stream is damaged or cut short (${e.message ?? String(error)}): pack the folder again (\`npx cajal submit <folder>\` does this)`,
      );
    }
    return result(null, null, 0, 0, false);
  }

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
  const show = (name: string) => JSON.stringify(name.length > 80 ? `${name.slice(0, 77)}...` : name);

  let offset = 0;
  let count = 0;
  let files = 0;
  let unpacked = 0;
  let ended = false;
  let manifestText: string | null = null;
  let longName: string | null = null;
  let paxPath: string | null = null;
  const seen = new Set<string>();

  walk: while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) {
      ended = true;
      const after = tar.subarray(offset);
      const stray = after.findIndex((b) => b !== 0);
      if (stray >= 0) {
        problems.push(
          `data after the end-of-archive marker (at byte ${offset + stray} of the unpacked tar): the archive was altered or concatenated; pack the folder again`,
        );
      }
      break;
    }
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] as number);
    const stored = octal(header.subarray(148, 156));
    if (stored !== sum) {
      problems.push(`not a valid tar: the header at byte ${offset} has a bad checksum (a damaged or altered archive)`);
      break;
    }
    const magic = String.fromCharCode(...header.subarray(257, 263));
    if (magic !== "ustar\u0000" && magic !== "ustar ") {
      problems.push(`not a valid tar: the header at byte ${offset} is not a ustar header`);
      break;
    }
    const size = octal(header.subarray(124, 136));
    if (size === null) {
      problems.push(`not a valid tar: the header at byte ${offset} has an unreadable size field`);
      break;
    }
    count++;
    unpacked += size;
    if (count > limits.maxEntries) {
      problems.push(`more than ${limits.maxEntries} entries (files, directories and extended headers): keep only what the method needs`);
      break;
    }
    if (unpacked > limits.maxUnpackedBytes) {
      problems.push(`more than ${limits.maxUnpackedBytes} bytes once unpacked (the headers declare more): keep only what the method needs`);
      break;
    }
    const dataStart = offset + 512;
    if (dataStart + size > tar.length) {
      problems.push(`not a valid tar: the archive is cut short (an entry declares ${size} bytes; fewer follow)`);
      break;
    }
    const data = tar.subarray(dataStart, dataStart + size);
    const next = dataStart + Math.ceil(size / 512) * 512;
    const type = String.fromCharCode(header[156] as number);

    if (type === "x" || type === "L") {
      // A pax record ("<len> path=<value>\n") or a GNU long name names the entry that follows.
      const body = text(data);
      if (body === null) {
        problems.push(`the extended header at byte ${offset} is not valid UTF-8`);
        break;
      }
      if (type === "L") longName = body;
      else {
        for (const record of body.split("\n")) {
          const m = /^\d+ ([^=]+)=([\s\S]*)$/.exec(record);
          if (!m) continue;
          if (m[1] === "path") paxPath = m[2] as string;
          else if (m[1] === "size") {
            problems.push(`the extended header at byte ${offset} overrides an entry's size: not allowed; pack the folder again`);
            break walk;
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
        `${show(name)}: the file name contains a control character (newline, tab, escape…): rename it with printable characters`,
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
        break;
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
      problems.push(`${show(name)}: ${what}${link ? ` (to ${show(link)})` : ""}; only plain files and directories are allowed`);
    }
  }
  if (!ended && problems.length === 0) {
    problems.push("not a valid tar: the archive ends without the end-of-archive marker (cut short?): pack the folder again");
  }
  // A path used both as a file and as a directory (a/b file and a/b/c) cannot be unpacked faithfully.
  for (const e of entries) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (seen.has(dir)) problems.push(`${show(e.path)}: its folder ${show(dir)} is also a file in the archive`);
    }
  }
  return result(tar, manifestText, files, unpacked, ended);
}
