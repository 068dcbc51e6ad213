import { S3Client } from "bun";
import { rmSync } from "node:fs";
import { ROOT, tempDir } from "./spawn";
import { loadConfig } from "../../src/config";
import { openStorage } from "../../src/store/storage";
import { sha256 } from "./hash";
import { startTestServer, type TestServer } from "./server";

/** s3rver's built-in account: it knows this access key id and refuses others. */
export const S3RVER_KEY = "S3RVER";

export interface S3TestServer {
  endpoint: string;
  bucket: string;
  /** The variables an admin sets to use this bucket under `prefix`. */
  env(prefix: string): Record<string, string>;
  client: S3Client;
  /** Every object under `prefix`: its key and the SHA-256 of its bytes. */
  objects(prefix: string): Promise<{ key: string; sha256: string; size: number }[]>;
  stop(): Promise<void>;
}

// Runs in Node (s3rver's own runtime): started programmatically so it can take a free port and say which.
const RUNNER = `
const S3rver = require(${JSON.stringify(`${ROOT}/node_modules/s3rver`)});
const [dir, bucket] = process.argv.slice(1);
new S3rver({ address: "127.0.0.1", port: 0, directory: dir, silent: true, configureBuckets: [{ name: bucket }] })
  .run().then((a) => console.log(JSON.stringify({ port: a.port })), (e) => { console.error(e); process.exit(1); });
`;

/** A real S3-compatible server (s3rver) on a loopback port, over a temporary directory, with one bucket. */
export async function startS3Server(bucket = "certyneo-test"): Promise<S3TestServer> {
  const dir = tempDir("certyneo-s3-");
  // s3rver's ListObjectsV2 continuation tokens use DES, which OpenSSL 3 keeps in its legacy provider.
  const proc = Bun.spawn(["node", "--openssl-legacy-provider", "-e", RUNNER, dir, bucket], { stdout: "pipe", stderr: "inherit" });
  const reader = proc.stdout.getReader();
  let out = "";
  while (!out.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`s3rver did not start: ${out}`);
    out += new TextDecoder().decode(value);
  }
  reader.releaseLock();
  const endpoint = `http://127.0.0.1:${JSON.parse(out).port}`;
  const client = new S3Client({ endpoint, bucket, accessKeyId: S3RVER_KEY, secretAccessKey: S3RVER_KEY, region: "us-east-1" });
  return {
    endpoint,
    bucket,
    client,
    env: (prefix) => ({
      CERTYNEO_STORAGE_URL: `s3://${bucket}/${prefix}`,
      S3_ENDPOINT: endpoint,
      S3_REGION: "us-east-1",
      S3_ACCESS_KEY_ID: S3RVER_KEY,
      S3_SECRET_ACCESS_KEY: S3RVER_KEY,
    }),
    async objects(prefix) {
      const keys: { key: string; size: number }[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.list({ prefix, continuationToken });
        for (const o of page.contents ?? []) keys.push({ key: o.key, size: o.size ?? 0 });
        continuationToken = page.isTruncated ? page.nextContinuationToken : undefined;
      } while (continuationToken);
      return Promise.all(keys.map(async (o) => ({ ...o, sha256: sha256(await client.file(o.key).bytes()) })));
    },
    async stop() {
      proc.kill();
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test server (fake clock, idle outbox unless drained) whose files live in the bucket under `prefix`. */
export async function startS3TestServer(s3: S3TestServer, prefix: string, env: Record<string, string> = {}, opts: { dir?: string } = {}): Promise<TestServer> {
  const all = { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...s3.env(prefix), ...env };
  return startTestServer({ env: all, dir: opts.dir, storage: await openStorage(loadConfig(all)) });
}
