// The disk store's two writers agree: a file a PDF thread stores with storeFileSync is the blob
// the store's put would have made (same name, bytes, mode), seen by get, size and list.
import { describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { diskFileStore, sha256Of, storeFileSync } from "../src/store/files";
import { tempDir } from "./helpers/spawn";

describe("disk store, written from a PDF thread", () => {
  test("storeFileSync writes the blob put would, once, leaving no temporary file", async () => {
    const root = join(tempDir("certyneo-files-"), "files");
    const store = diskFileStore(root);
    expect(store.directory).toBe(root);
    const parts = [new Uint8Array(300_000).fill(7), new TextEncoder().encode("%%EOF\n")];
    const sha = storeFileSync(root, parts);
    expect(sha).toBe(sha256Of(parts));
    expect(store.path(sha)).toBe(join(root, sha.slice(0, 2), sha));
    expect(Buffer.from(await store.get(sha)).equals(Buffer.concat(parts))).toBe(true);
    expect(await store.size(sha)).toBe(300_006);
    expect(statSync(store.path(sha)).mode & 0o777).toBe(0o600);
    // Stored again: the same name, nothing new beside it.
    expect(storeFileSync(root, parts)).toBe(sha);
    expect(await store.put(Buffer.concat(parts))).toBe(sha);
    expect(readdirSync(join(root, sha.slice(0, 2)))).toEqual([sha]);
    const listed: string[] = [];
    for await (const blob of store.list()) listed.push(blob);
    expect(listed).toEqual([sha]);
  });
});
