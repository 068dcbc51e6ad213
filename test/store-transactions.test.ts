import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { createLogger } from "../src/log";
import { createCheckpointer } from "../src/store/checkpointer";
import { migrate, openDb, type Db, type Tx } from "../src/store/db";
import { holdWrites, transaction } from "../src/store/transaction";

let dir: string;
let db: Db;
let other: Database;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "certyneo-tx-"));
  db = openDb(join(dir, "t.db"));
  db.$client.run("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
  // Another connection to the same file: what another process sees.
  other = new Database(join(dir, "t.db"), { readonly: true });
});
afterEach(() => {
  other.close();
  db.$client.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = async (tx: Tx, id: number, text = `note ${id}`) => void (await tx.run(sql`INSERT INTO notes (id, text) VALUES (${id}, ${text})`));
const idsSeenByOther = () => (other.query("SELECT id FROM notes ORDER BY id").all() as { id: number }[]).map((r) => r.id);
const commitsSeenByOther = () => (other.query("PRAGMA data_version").get() as { data_version: number }).data_version;

describe("SQLite transactions: group commit", () => {
  test("transactions started together commit once; one that throws loses only its own writes", async () => {
    const before = commitsSeenByOther();
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => transaction(db, async (tx) => {
      await insert(tx, i);
      if (i === 4) throw new Error("refused");
      return i;
    })));
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
    expect((results[4] as PromiseRejectedResult).reason.message).toBe("refused");
    expect(results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []))).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    expect(idsSeenByOther()).toEqual([0, 1, 2, 3, 5, 6, 7, 8, 9]);
    // One commit for the group: another connection's data_version moved once.
    expect(commitsSeenByOther() - before).toBe(1);
  });

  test("a caller's promise settles only once its writes are committed", async () => {
    const seen: number[][] = [];
    await Promise.all([1, 2, 3].map((id) => transaction(db, (tx) => insert(tx, id)).then(() => seen.push(idsSeenByOther()))));
    for (const ids of seen) expect(ids).toEqual([1, 2, 3]);
  });

  test("a nested transaction is a savepoint inside the caller's, in a group", async () => {
    const outcome = await Promise.allSettled([
      transaction(db, async (tx) => {
        await insert(tx, 1);
        await transaction(tx, async (inner) => {
          await insert(inner, 2);
          throw new Error("inner refused");
        }).catch(() => {});
        await insert(tx, 3);
      }),
      transaction(db, (tx) => insert(tx, 4)),
    ]);
    expect(outcome.map((o) => o.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(idsSeenByOther()).toEqual([1, 3, 4]);
  });

  test("a write refused by the database (a constraint) fails its transaction alone", async () => {
    await transaction(db, (tx) => insert(tx, 1));
    const results = await Promise.allSettled([transaction(db, (tx) => insert(tx, 2)), transaction(db, (tx) => insert(tx, 1)), transaction(db, (tx) => insert(tx, 3))]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(idsSeenByOther()).toEqual([1, 2, 3]);
  });

  test("a group's savepoints are journaled in memory: the process writes only the log", async () => {
    const written = () => Number(/wchar: (\d+)/.exec(readFileSync("/proc/self/io", "utf8"))![1]);
    const walSize = () => Bun.file(join(dir, "t.db-wal")).size;
    await transaction(db, async (tx) => {
      for (let i = 0; i < 200; i++) await insert(tx, i, "x".repeat(1000));
    });
    const [bytes0, wal0] = [written(), walSize()];
    // Each body rewrites every row: its savepoint copies ~50 existing pages first (200 KB).
    await Promise.all(Array.from({ length: 10 }, (_, n) => transaction(db, async (tx) => void (await tx.run(sql`UPDATE notes SET text = ${"y".repeat(1000 + n)}`)))));
    const [bytes, wal] = [written() - bytes0, walSize() - wal0];
    expect(wal).toBeGreaterThan(50 * 4096);
    // Spilled to a temporary file, the copies would be written too: 2 MB for this group.
    expect(bytes).toBeLessThan(wal * 1.5);
  });

  test("migrations leave the savepoints journaled in memory", () => {
    migrate(db);
    expect(db.$client.query("PRAGMA temp_store").get()).toEqual({ temp_store: 2 });
  });

  test("more transactions than one group holds all commit, in order", async () => {
    await Promise.all(Array.from({ length: 100 }, (_, i) => transaction(db, (tx) => insert(tx, i))));
    expect(idsSeenByOther()).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });
});

describe("holding writes back", () => {
  test("begins after the group in progress has committed; transactions asked meanwhile wait while reads go on, then commit in order", async () => {
    const first = transaction(db, async (tx) => {
      await insert(tx, 1);
      await Bun.sleep(30);
    });
    await Bun.sleep(5);
    expect(db.$client.inTransaction).toBe(true);
    const resume = await holdWrites(db);
    expect(db.$client.inTransaction).toBe(false);
    expect(idsSeenByOther()).toEqual([1]);
    await first;
    let settled = 0;
    const later = [2, 3].map((id) => transaction(db, (tx) => insert(tx, id)).then(() => settled++));
    await Bun.sleep(50);
    expect(settled).toBe(0);
    expect(db.$client.query("SELECT count(*) AS n FROM notes").get()).toEqual({ n: 1 });
    resume();
    await Promise.all(later);
    expect(idsSeenByOther()).toEqual([1, 2, 3]);
  });
});

describe("closing a connection", () => {
  test("closes it at once, prepared statements and all: the last close folds the log into the file", async () => {
    const prepared = Array.from({ length: 600 }, (_, i) => db.select({ n: sql`${i}` }).from(sql`(SELECT 1)`).prepare());
    for (const p of prepared) p.all();
    await transaction(db, (tx) => insert(tx, 1));
    other.close();
    db.$client.close();
    // A connection left open by a statement not finalized would keep the log until the collector runs.
    expect(existsSync(join(dir, "t.db-wal"))).toBe(false);
    db = openDb(join(dir, "t.db"));
    other = new Database(join(dir, "t.db"), { readonly: true });
    expect(idsSeenByOther()).toEqual([1]);
  });
});

describe("SQLite checkpoints on their own thread", () => {
  const autoCheckpoint = () => (db.$client.query("PRAGMA wal_autocheckpoint").get() as { wal_autocheckpoint: number }).wal_autocheckpoint;
  const until = async (done: () => boolean) => {
    for (let i = 0; i < 500 && !done(); i++) await Bun.sleep(10);
  };

  test("once the log has grown, it reaches the database file without a commit doing it; stopped, SQLite's own threshold is back", async () => {
    const checkpointer = createCheckpointer(db, createLogger("error", () => {}), { intervalMs: 20, startBytes: 64 * 1024 });
    checkpointer.start();
    try {
      // A log too small to be worth a thread: SQLite's default.
      await transaction(db, (tx) => insert(tx, 100));
      await Bun.sleep(100);
      expect(autoCheckpoint()).toBe(1000);
      await transaction(db, (tx) => insert(tx, 101, "x".repeat(128 * 1024)));
      await until(() => autoCheckpoint() === 0);
      const marker = `marker-${crypto.randomUUID()}`;
      expect(autoCheckpoint()).toBe(0);
      await transaction(db, (tx) => insert(tx, 1, marker));
      // Committed rows are in the log; the database file has them only after a checkpoint.
      const inFile = () => readFileSync(join(dir, "t.db")).includes(marker);
      await until(inFile);
      expect(inFile()).toBe(true);
    } finally {
      await checkpointer.stop();
    }
    expect(autoCheckpoint()).toBe(1000);
  });

  test("under steady writes the log stays near its bound: writes wait while the thread copies the rest, and the log starts over", async () => {
    const logBytes = () => statSync(join(dir, "t.db-wal"), { throwIfNoEntry: false })?.size ?? 0;
    const maxLogBytes = 2 * 1024 * 1024;
    const lines: string[] = [];
    const checkpointer = createCheckpointer(db, createLogger("debug", (line) => lines.push(line)), { intervalMs: 20, startBytes: 0, maxLogBytes });
    checkpointer.start();
    let largest = 0;
    let written = 0;
    let restarts = 0;
    try {
      // 16 writers, each asking for its next transaction as its last commits: the queue is never
      // empty, so a round never finds the log wholly copied.
      const until = performance.now() + 1500;
      await Promise.all(Array.from({ length: 16 }, async () => {
        while (performance.now() < until) {
          await transaction(db, (tx) => insert(tx, ++written, "x".repeat(16 * 1024)));
          largest = Math.max(largest, logBytes());
        }
      }));
      // The log's header counts the times it started over (its checkpoint sequence number).
      restarts = readFileSync(join(dir, "t.db-wal")).readUInt32BE(12);
    } finally {
      await checkpointer.stop();
    }
    const catchUps = lines.filter((l) => l.includes("sqlite log copied with writes held")).map((l) => JSON.parse(l));
    // Without the bound: no catch-up, the log never started over and passed 700 MB here.
    const whole = catchUps.filter((c) => c.whole).length;
    expect(whole).toBeGreaterThan(0);
    // Each whole copy lets the next write start the log over (the last may have had no next write).
    expect(restarts).toBeGreaterThanOrEqual(whole - 1);
    // What was written before the thread was ready, and a round's writes past the bound at most.
    expect(largest).toBeLessThan(64 * 1024 * 1024);
    expect(db.$client.query("SELECT count(*) AS n FROM notes").get()).toEqual({ n: written });
  });

  test("a thread without commits to copy stops; the next commit starts one again", async () => {
    const checkpointer = createCheckpointer(db, createLogger("error", () => {}), { intervalMs: 20, idleMs: 300, startBytes: 0 });
    checkpointer.start();
    try {
      await transaction(db, (tx) => insert(tx, 1));
      await until(() => autoCheckpoint() === 0);
      expect(autoCheckpoint()).toBe(0);
      await until(() => autoCheckpoint() === 1000);
      expect(autoCheckpoint()).toBe(1000);
      await transaction(db, (tx) => insert(tx, 2));
      await until(() => autoCheckpoint() === 0);
      expect(autoCheckpoint()).toBe(0);
    } finally {
      await checkpointer.stop();
    }
  });
});
