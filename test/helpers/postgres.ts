import { SQL } from "bun";
import { chownSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { freePort, tempDir } from "./spawn";

/**
 * A real PostgreSQL (Debian's, from /usr/lib/postgresql/N/bin) for the suites that run on it:
 * one cluster per test process, started on first use on a free loopback port (fsync off: tests,
 * not durability), stopped when the process ends. Each call of `freshDatabase` makes an empty
 * database. PostgreSQL refuses to run as root, so under root the cluster runs as `postgres`.
 */
export interface TestPostgres {
  /** postgres:// URL of a new, empty database. */
  freshDatabase(name?: string): Promise<string>;
  /** The cluster's admin URL (database "postgres"). */
  adminUrl: string;
  /** What the server has logged so far (errors among it: serialization failures, deadlocks). */
  serverLog(): string;
}

/** The directory of Debian's PostgreSQL server binaries, or null when none is installed. */
export function postgresBin(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const version = readdirSync(root).filter((v) => existsSync(`${root}/${v}/bin/postgres`)).sort((a, b) => Number(b) - Number(a))[0];
  return version ? `${root}/${version}/bin` : null;
}

export const havePostgres = postgresBin() !== null;

let cluster: Promise<TestPostgres> | null = null;
let guardOfCluster: unknown;
let databases = 0;

/** The process's PostgreSQL cluster (started on first call). */
export function testPostgres(): Promise<TestPostgres> {
  return (cluster ??= startCluster());
}

async function startCluster(): Promise<TestPostgres> {
  const bin = postgresBin();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql; scripts/test-deps.sh does it)");
  const dir = tempDir("certyneo-pg-");
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? ["runuser", "-u", "postgres", "--"] : [];
  if (asRoot) chownSync(dir, uidOf("postgres"), gidOf("postgres"));
  const run = (cmd: string[]) => {
    const r = Bun.spawnSync([...user, ...cmd], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}${r.stdout.toString()}`);
  };
  run([`${bin}/initdb`, "-D", `${dir}/data`, "-A", "trust", "-U", "certyneo", "-E", "UTF8", "--no-sync"]);
  const port = await freePort();
  // The server lives as long as this process: a shell holds the read end of a pipe whose write
  // end only this process has, and stops the server (then removes its files) when it closes,
  // however this process ends (bun test runs no exit handlers; a killed run runs none either).
  const server = `"${bin}/postgres" -D "${dir}/data" -p ${port} -k "${dir}" -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400`;
  const guard = Bun.spawn([...user, "sh", "-c", `${server} >"${dir}/log" 2>&1 & pid=$!; cat >/dev/null; kill -INT $pid; wait $pid; rm -rf "${dir}"`], {
    stdin: "pipe", stdout: "ignore", stderr: "ignore",
  });
  guard.unref();
  guardOfCluster = guard; // held: a collected pipe would close and stop the server
  const adminUrl = `postgres://certyneo@127.0.0.1:${port}/postgres`;
  for (let tries = 0; ; tries++) {
    const probe = new SQL(adminUrl, { max: 1, connectionTimeout: 2 });
    try {
      await probe`SELECT 1`;
      break;
    } catch (e) {
      if (tries > 150 || guard.exitCode !== null) throw new Error(`PostgreSQL did not start: ${(e as Error).message}`);
      await Bun.sleep(100);
    } finally {
      await probe.close();
    }
  }
  return {
    adminUrl,
    serverLog: () => readFileSync(`${dir}/log`, "utf8"),
    async freshDatabase(name = `t${process.pid}_${++databases}`) {
      const admin = new SQL(adminUrl, { max: 1 });
      try {
        await admin.unsafe(`CREATE DATABASE "${name}"`);
      } finally {
        await admin.close();
      }
      return `postgres://certyneo@127.0.0.1:${port}/${name}`;
    },
  };
}

const idOf = (file: string, name: string) => {
  const line = readFileSync(file, "utf8").split("\n").find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no ${name} in ${file}`);
  return Number(line.split(":")[2]);
};
const uidOf = (name: string) => idOf("/etc/passwd", name);
const gidOf = (name: string) => idOf("/etc/group", name);
