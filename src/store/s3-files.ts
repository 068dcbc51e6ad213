import { S3Client } from "bun";
import { checkSize, HEX64, missingFile, sha256Key, sha256Of, type FileStore } from "./files";

/** A bucket and the key prefix under which this instance keeps its objects ("" or ending in "/"). */
export interface S3Location {
  client: S3Client;
  bucket: string;
  prefix: string;
}

/** Objects above this size go up as a multipart upload, so memory holds one part, not the object. */
const PART_SIZE = 8 * 1024 * 1024;

/**
 * Content-addressed blob store in an S3-compatible bucket: the same layout as on disk
 * ({prefix}ab/abcd…), so `migrate-data` maps one onto the other key for key. A PUT (or a completed
 * multipart upload) appears whole or not at all, which is what the disk store's rename gives.
 */
export function s3FileStore({ client, bucket, prefix }: S3Location): FileStore {
  const keyOf = (sha: string) => prefix + sha256Key(sha);
  return {
    path: (sha) => `s3://${bucket}/${keyOf(sha)}`,
    directory: null,
    async put(data, known) {
      const parts = Array.isArray(data) ? data : [data];
      const sha = known ?? sha256Of(parts);
      const file = client.file(keyOf(sha));
      if (await file.exists()) return sha;
      // The writer sends the parts as they come: one PUT when small, a multipart upload when large.
      const writer = file.writer({ partSize: PART_SIZE, type: "application/octet-stream" });
      for (const p of parts) writer.write(p);
      await writer.end();
      return sha;
    },
    async get(sha) {
      return client.file(keyOf(sha)).bytes();
    },
    async open(sha, expected) {
      const file = client.file(keyOf(sha));
      const { size } = await file.stat().catch((e) => { throw e?.code === "NoSuchKey" ? missingFile(sha, `s3://${bucket}/${keyOf(sha)}`) : e; });
      checkSize(sha, size, expected);
      // Bun drops a Content-Length set beside a stream body (oven-sh/bun#10507, sent chunked), and
      // an S3File body alone answers with a redirect to the bucket: an object of up to one part
      // is read and sent with its length, a larger one streams through.
      if (size > PART_SIZE) return { body: file.stream(), sha256: sha, ranges: false };
      const bytes = await file.bytes();
      checkSize(sha, bytes.length, size);
      return { body: bytes, sha256: sha, ranges: false };
    },
    exists: (sha) => client.exists(keyOf(sha)),
    size: (sha) => client.size(keyOf(sha)),
    remove: (sha) => client.delete(keyOf(sha)),
    async *list() {
      let continuationToken: string | undefined;
      do {
        const page = await client.list({ prefix, continuationToken });
        for (const o of page.contents ?? []) {
          const sha = o.key.slice(prefix.length).split("/")[1] ?? "";
          // Only blobs: the instance/ objects and anything else under the prefix are not.
          if (HEX64.test(sha) && o.key === keyOf(sha)) yield sha;
        }
        continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (continuationToken);
    },
  };
}
