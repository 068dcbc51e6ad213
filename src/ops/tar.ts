/**
 * A streaming tar.gz (POSIX ustar) writer and reader: backups hold every PDF of the data
 * directory, so neither side may load them all into memory (Bun.Archive does). Regular files
 * only, names up to 100 bytes, which is all a backup holds; any tar reads the result.
 */
import { createReadStream, createWriteStream, type WriteStream } from "node:fs";
import { once } from "node:events";
import { createGunzip, createGzip } from "node:zlib";

const BLOCK = 512;

function header(name: string, size: number, mtime: Date, mode = 0o600): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const enc = new TextEncoder();
  const put = (offset: number, length: number, value: string) => h.set(enc.encode(value).subarray(0, length), offset);
  const octal = (offset: number, length: number, n: number) => put(offset, length, n.toString(8).padStart(length - 1, "0") + "\0");
  if (enc.encode(name).length > 100) throw new Error(`tar: name too long: ${name}`);
  put(0, 100, name);
  octal(100, 8, mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, Math.floor(mtime.getTime() / 1000));
  put(148, 8, "        ");
  put(156, 1, "0");
  put(257, 6, "ustar\0");
  put(263, 2, "00");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, 8, sum.toString(8).padStart(6, "0") + "\0 ");
  return h;
}

const padding = (size: number) => new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);

export interface TarWriter {
  /** Adds a file from disk (streamed) or from bytes. */
  add(name: string, source: { path: string; size: number } | Uint8Array, mtime?: Date): Promise<void>;
  /** Writes the end blocks and waits until everything is on disk. */
  close(): Promise<void>;
}

export function tarGzWriter(file: string): TarWriter {
  const gzip = createGzip({ level: 6 });
  const out: WriteStream = createWriteStream(file, { mode: 0o600 });
  gzip.pipe(out);
  // A file that cannot be opened or written (no such directory, a full disk) fails the next
  // add or close; unheard, the stream's error would end the process before the caller cleans up.
  let error: Error | undefined;
  const failed = new Promise<never>((_, reject) => {
    for (const s of [gzip, out]) s.on("error", (e) => {
      reject((error ??= e));
      gzip.destroy();
      out.destroy();
    });
  });
  failed.catch(() => {});
  const write = async (chunk: Uint8Array) => {
    if (error) throw error;
    if (!gzip.write(chunk)) await Promise.race([once(gzip, "drain"), failed]);
  };
  return {
    async add(name, source, mtime = new Date()) {
      const size = source instanceof Uint8Array ? source.length : source.size;
      await write(header(name, size, mtime));
      if (source instanceof Uint8Array) await write(source);
      else {
        let written = 0;
        for await (const chunk of createReadStream(source.path)) {
          await write(chunk as Uint8Array);
          written += (chunk as Uint8Array).length;
        }
        if (written !== size) throw new Error(`tar: ${source.path} changed size while being read`);
      }
      await write(padding(size));
    },
    async close() {
      await write(new Uint8Array(BLOCK * 2));
      gzip.end();
      await Promise.race([once(out, "close"), failed]);
      if (error) throw error;
    },
  };
}

/**
 * Reads a tar.gz entry by entry: `onEntry(name, size)` returns a sink for its bytes (called in
 * order, then `end()`), or throws to refuse the entry and stop.
 */
export async function readTarGz(file: string, onEntry: (name: string, size: number) => { write(chunk: Uint8Array): void; end(): void }): Promise<number> {
  let buffer: Uint8Array = new Uint8Array(0);
  let current: { sink: ReturnType<typeof onEntry>; left: number; pad: number } | null = null;
  let entries = 0;
  let ended = false;
  const decoder = new TextDecoder();
  const field = (h: Uint8Array, offset: number, length: number) => decoder.decode(h.subarray(offset, offset + length)).replace(/\0.*$/s, "").trim();
  for await (const chunk of createReadStream(file).pipe(createGunzip())) {
    buffer = buffer.length ? Buffer.concat([buffer, chunk as Uint8Array]) : (chunk as Uint8Array);
    for (;;) {
      if (ended) break;
      if (current) {
        if (current.left > 0) {
          if (!buffer.length) break;
          const take = Math.min(current.left, buffer.length);
          current.sink.write(buffer.subarray(0, take));
          buffer = buffer.subarray(take);
          current.left -= take;
          if (current.left > 0) break;
          current.sink.end();
        }
        if (buffer.length < current.pad) break;
        buffer = buffer.subarray(current.pad);
        current = null;
      }
      if (buffer.length < BLOCK) break;
      const h = buffer.subarray(0, BLOCK);
      buffer = buffer.subarray(BLOCK);
      if (h.every((b) => b === 0)) {
        ended = true;
        break;
      }
      const type = field(h, 156, 1);
      if (type !== "0" && type !== "") throw new Error(`tar: unexpected entry type "${type}"`);
      const name = field(h, 0, 100);
      const size = parseInt(field(h, 124, 12), 8);
      if (!Number.isFinite(size)) throw new Error(`tar: bad size for ${name}`);
      entries++;
      current = { sink: onEntry(name, size), left: size, pad: padding(size).length };
      if (size === 0) current.sink.end();
    }
  }
  if (current) throw new Error("tar: the archive ends in the middle of an entry");
  return entries;
}
