import { closeSync, existsSync, fsyncSync, linkSync, mkdirSync, openSync, renameSync, rmSync, unlinkSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * Content-addressed blob store on local disk: a blob's name is its SHA-256.
 * Writes go to a temp file, are fsynced, then renamed, so a crash never leaves
 * a half-written blob under its final name. An S3 store would implement the same interface.
 */
export interface FileStore {
  /** Stores the bytes (or the concatenation of the parts, never copied into one buffer); returns their SHA-256. */
  put(bytes: Uint8Array | Uint8Array[]): Promise<string>;
  get(sha256: string): Promise<Uint8Array>;
  exists(sha256: string): Promise<boolean>;
  remove(sha256: string): Promise<void>;
  path(sha256: string): string;
}

const HEX64 = /^[0-9a-f]{64}$/;

export function diskFileStore(root: string): FileStore {
  const pathOf = (sha: string) => {
    if (!HEX64.test(sha)) throw new Error(`not a sha256: ${sha}`);
    return join(root, sha.slice(0, 2), sha);
  };
  return {
    path: pathOf,
    async put(data) {
      const parts = Array.isArray(data) ? data : [data];
      const hasher = new Bun.CryptoHasher("sha256");
      for (const p of parts) hasher.update(p);
      const sha = hasher.digest("hex");
      const final = pathOf(sha);
      if (existsSync(final)) return sha;
      mkdirSync(join(root, sha.slice(0, 2)), { recursive: true });
      writeFileAtomic(final, parts);
      return sha;
    },
    async get(sha) {
      return new Uint8Array(await Bun.file(pathOf(sha)).arrayBuffer());
    },
    async exists(sha) {
      return existsSync(pathOf(sha));
    },
    async remove(sha) {
      try { unlinkSync(pathOf(sha)); } catch (e: any) { if (e.code !== "ENOENT") throw e; }
    },
  };
}

/**
 * Writes the parts to `file` so that a crash leaves either the old state or the whole file:
 * a temporary file in the same directory, fsynced, renamed, and the directory fsynced.
 */
export function writeFileAtomic(file: string, parts: Uint8Array[], mode = 0o600): void {
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    for (const bytes of parts) {
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    }
    fsyncSync(fd);
  } catch (e) {
    // A failed write (a full disk) must not leave its partial file to keep the disk full.
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  const dirFd = openSync(dirname(file), "r");
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}

/**
 * Creates `file` with `bytes` unless it exists: written under a temporary name, fsynced and
 * hard-linked into place, so two processes starting at once agree on one content and a
 * crash never leaves a short file behind. Returns whether this call created it.
 */
export function writeFileOnce(file: string, bytes: Uint8Array, mode = 0o600): boolean {
  if (existsSync(file)) return false;
  const tmp = `${file}.${process.pid}.${crypto.randomUUID()}.tmp`;
  const fd = openSync(tmp, "w", mode);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, file);
    return true;
  } catch (e: any) {
    if (e.code !== "EEXIST") throw e;
    return false;
  } finally {
    unlinkSync(tmp);
  }
}
