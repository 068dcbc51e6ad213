import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeFileOnce } from "./files";
import type { S3Location } from "./s3-files";

/**
 * Small named blobs that every node of an instance must share (the instance secret, the
 * development sealing certificate): files beside the database on disk, objects under
 * {prefix}instance/ in a bucket. Nothing a node needs then lives only on its own disk.
 */
export interface InstanceState {
  /** Where `name` lives, for log lines. */
  where(name: string): string;
  /** The bytes stored under `name`, or null. */
  read(name: string): Promise<Uint8Array | null>;
  /** Stores `bytes` under `name` unless something is there already; returns what is stored (the first writer's bytes). */
  createOnce(name: string, bytes: Uint8Array): Promise<Uint8Array>;
}

/** Files in the data directory, as every release before the bucket stored them. */
export function diskInstanceState(dataDir: string): InstanceState {
  const where = (name: string) => join(dataDir, name);
  const read = (name: string) => (existsSync(where(name)) ? new Uint8Array(readFileSync(where(name))) : null);
  return {
    where,
    read: async (name) => read(name),
    async createOnce(name, bytes) {
      await writeFileOnce(where(name), bytes);
      return read(name)!;
    },
  };
}

/**
 * Objects in the bucket. S3 has no portable create-if-absent, so two nodes creating the same
 * object in the same instant could each keep their own for that run; creation happens at the
 * very first start of an instance, and with one node (or nodes started one after the other) the
 * first write is the one every later read sees. Nodes sharing a PostgreSQL database close that
 * window with createdOnceAcrossNodes.
 */
export function s3InstanceState({ client, bucket, prefix }: S3Location): InstanceState {
  const keyOf = (name: string) => `${prefix}instance/${name}`;
  const read = async (name: string) => {
    const file = client.file(keyOf(name));
    return (await file.exists()) ? file.bytes() : null;
  };
  return {
    where: (name) => `s3://${bucket}/${keyOf(name)}`,
    read,
    async createOnce(name, bytes) {
      if (!(await client.exists(keyOf(name)))) await client.write(keyOf(name), bytes);
      return (await read(name))!;
    },
  };
}

/**
 * `state` whose creations run one node at a time under `lock` (store/node-lock.ts underNodeLock),
 * each reading first: of nodes starting together, one creates and the others read what it made.
 */
export function createdOnceAcrossNodes(state: InstanceState, lock: <T>(work: () => Promise<T>) => Promise<T>): InstanceState {
  return { ...state, createOnce: (name, bytes) => lock(async () => (await state.read(name)) ?? state.createOnce(name, bytes)) };
}
