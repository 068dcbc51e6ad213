import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { link, open, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Content-addressed blob store on local disk: a blob's name is its SHA-256.
 * Writes go to a temp file, are fsynced, then renamed, so a crash never leaves
 * a half-written blob under its final name. src/store/s3-files.ts implements the same interface.
 */
export interface FileStore {
  /**
   * Stores the bytes (or the concatenation of the parts, never copied into one buffer); returns
   * their SHA-256. `sha256`: that hash, when the caller computed it off the event loop.
   */
  put(bytes: Uint8Array | Uint8Array[], sha256?: string): Promise<string>;
  get(sha256: string): Promise<Uint8Array<ArrayBuffer>>;
  /**
   * The blob as an answer's body, not read into memory: for downloads. Its existence (and its
   * size, when the caller's record says what it should be) is checked before any header goes, so
   * a lost or truncated blob is an error the caller answers, never a short 200.
   */
  open(sha256: string, size?: number): Promise<StoredBody>;
  exists(sha256: string): Promise<boolean>;
  /** The blob's size in bytes, without reading it. */
  size(sha256: string): Promise<number>;
  remove(sha256: string): Promise<void>;
  /** Every stored blob's SHA-256 (for copying a store: migrate-data, backups). */
  list(): AsyncIterable<string>;
  /** Where the blob lives: a file path on disk, an s3:// URL in a bucket (for logs and tools; read bytes with get). */
  path(sha256: string): string;
  /**
   * The local directory whose files the blobs are (`path` is then a file the process can read), or
   * null (a bucket). The PDF threads read and write large files there themselves (storeFileSync).
   */
  directory: string | null;
}

/** A blob to answer with (FileStore.open). */
export interface StoredBody {
  /** A file on disk (sent with sendfile), a small object's bytes, or a large object's stream. */
  body: Blob | Uint8Array<ArrayBuffer> | ReadableStream<Uint8Array>;
  sha256: string;
  /** Whether the runtime answers Range requests on `body` itself (a file on disk). */
  ranges: boolean;
}

/** A blob the store lacks, named with where it should be: the log line an admin restores it from. */
export const missingFile = (sha: string, where: string) => new Error(`stored file ${sha} is missing: ${where}`);

/**
 * Opens a blob for a download whose record was just read. An erasure (purge, deletion) may
 * remove the blob in between: when opening fails, `recheck` reads the record again and throws
 * what a request arriving now gets (404, 410); a record still there makes it a missing blob.
 */
export async function openUnlessGone(files: FileStore, sha: string, size: number | undefined, recheck: () => Promise<unknown>): Promise<StoredBody> {
  try {
    return await files.open(sha, size);
  } catch (e) {
    await recheck();
    throw e;
  }
}

/** A blob whose size is not what its record says is damaged: refused before anything is sent. */
export function checkSize(sha: string, size: number, expected: number | undefined): void {
  if (expected !== undefined && size !== expected) throw new Error(`stored file ${sha} is damaged: ${size} bytes where ${expected} were stored`);
}

export const HEX64 = /^[0-9a-f]{64}$/;

/** "ab/abcd…": a blob's place under the store's root, the same on disk and in a bucket. */
export function sha256Key(sha: string): string {
  if (!HEX64.test(sha)) throw new Error(`not a sha256: ${sha}`);
  return `${sha.slice(0, 2)}/${sha}`;
}

/** A blob's file under a disk store's root. */
const blobFile = (root: string, sha: string) => join(root, sha256Key(sha));

export function diskFileStore(root: string): FileStore {
  const pathOf = (sha: string) => blobFile(root, sha);
  return {
    path: pathOf,
    directory: root,
    async put(data, known) {
      const parts = Array.isArray(data) ? data : [data];
      const sha = known ?? sha256Of(parts);
      const final = pathOf(sha);
      if (existsSync(final)) return sha;
      mkdirSync(join(root, sha.slice(0, 2)), { recursive: true });
      await writeFileAtomic(final, parts);
      return sha;
    },
    async get(sha) {
      return new Uint8Array(await Bun.file(pathOf(sha)).arrayBuffer());
    },
    async open(sha, expected) {
      const { size } = await stat(pathOf(sha)).catch((e) => { throw e?.code === "ENOENT" ? missingFile(sha, pathOf(sha)) : e; });
      checkSize(sha, size, expected);
      return { body: Bun.file(pathOf(sha)), sha256: sha, ranges: true };
    },
    async exists(sha) {
      return existsSync(pathOf(sha));
    },
    async size(sha) {
      return (await stat(pathOf(sha))).size;
    },
    async remove(sha) {
      try { unlinkSync(pathOf(sha)); } catch (e: any) { if (e.code !== "ENOENT") throw e; }
    },
    async *list() {
      if (!existsSync(root)) return;
      for (const dir of readdirSync(root).filter((d) => /^[0-9a-f]{2}$/.test(d)).sort())
        yield* readdirSync(join(root, dir)).filter((f) => HEX64.test(f) && f.startsWith(dir)).sort();
    },
  };
}

/**
 * What the disk store's put does, synchronously, for a PDF thread: the file written there, on a
 * thread running below the HTTP thread's priority, rather than by the runtime's I/O threads at the
 * event loop's (writing 100 MB cost them ~120 ms of CPU). Returns the SHA-256. `known`: that
 * hash, when the caller computed it along with other work (a seal's digest).
 */
export function storeFileSync(root: string, parts: Uint8Array[], known?: string): string {
  const sha = known ?? sha256Of(parts);
  const final = blobFile(root, sha);
  if (existsSync(final)) return sha;
  mkdirSync(dirname(final), { recursive: true });
  const tmp = tempNameFor(final);
  const fd = openSync(tmp, "w", 0o600);
  try {
    for (const bytes of parts) for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, final);
  const dir = openSync(dirname(final), "r");
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
  return sha;
}

/** The SHA-256 of the parts one after the other, hex. */
export function sha256Of(parts: Uint8Array[]): string {
  const hasher = new Bun.CryptoHasher("sha256");
  for (const p of parts) hasher.update(p);
  return hasher.digest("hex");
}

/** A temporary file's name beside `file` (what removeStaleTempFiles sweeps after a crash). */
const tempNameFor = (file: string) => `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;

/** Writes the parts to a new file `tmp` and fsyncs it; a failed write (a full disk) removes it, so it does not keep the disk full. */
async function writeSynced(tmp: string, parts: Uint8Array[], mode: number): Promise<void> {
  const handle = await open(tmp, "w", mode);
  try {
    for (const bytes of parts) {
      let off = 0;
      while (off < bytes.length) off += (await handle.write(bytes, off, bytes.length - off)).bytesWritten;
    }
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
}

/**
 * Writes the parts to `file` so that a crash leaves either the old state or the whole file:
 * a temporary file in the same directory, fsynced, renamed, and the directory fsynced. The
 * writes and fsyncs run off the event loop (a sealed 100 MB PDF held it for ~300 ms).
 */
export async function writeFileAtomic(file: string, parts: Uint8Array[], mode = 0o600): Promise<void> {
  const tmp = tempNameFor(file);
  await writeSynced(tmp, parts, mode);
  await rename(tmp, file);
  const dir = await open(dirname(file), "r");
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/**
 * Creates `file` with `bytes` unless it exists: written under a temporary name, fsynced and
 * hard-linked into place, so two processes starting at once agree on one content and a
 * crash never leaves a short file behind. Returns whether this call created it. Asynchronous:
 * the outbox mailer writes each e-mail with it, and an fsync held the event loop.
 */
export async function writeFileOnce(file: string, bytes: Uint8Array, mode = 0o600): Promise<boolean> {
  if (existsSync(file)) return false;
  const tmp = tempNameFor(file);
  await writeSynced(tmp, [bytes], mode);
  try {
    await link(tmp, file);
    return true;
  } catch (e: any) {
    if (e.code !== "EEXIST") throw e;
    return false;
  } finally {
    await rm(tmp, { force: true });
  }
}
