// Hand-made tar.gz archives, byte by byte (ustar headers), so tests can send exactly the hostile entries a packer
// would never write: links, `../` paths, absolute paths, devices.
import { gzipSync } from "node:zlib";

export interface RawEntry {
  path: string;
  /** "0" file, "1" hard link, "2" symlink, "3" character device, "5" directory. */
  type?: "0" | "1" | "2" | "3" | "5";
  body?: string | Buffer;
  linkpath?: string;
  mode?: number;
}

function header(e: RawEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const put = (text: string, offset: number, length: number) => h.write(text, offset, Math.min(length, Buffer.byteLength(text)), "utf8");
  const octal = (n: number, length: number) => `${n.toString(8).padStart(length - 1, "0")}\0`;
  put(e.path, 0, 100);
  put(octal(e.mode ?? (e.type === "5" ? 0o755 : 0o644), 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  h.fill(0x20, 148, 156); // checksum field counts as spaces
  put(e.type ?? "0", 156, 1);
  put(e.linkpath ?? "", 157, 100);
  put("ustar\u000000", 257, 8);
  let sum = 0;
  for (const byte of h) sum += byte;
  put(`${sum.toString(8).padStart(6, "0")}\0 `, 148, 8);
  return h;
}

export function rawTarGz(entries: RawEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const body = e.type && e.type !== "0" ? Buffer.alloc(0) : Buffer.from(e.body ?? "");
    parts.push(header(e, body.length), body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts));
}
