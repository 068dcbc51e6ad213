import { SQL } from "bun";
import { chownSync, existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { freePort, tempDir } from "./spawn";

/**
 * A real PostgreSQL (Debian's, from /usr/lib/postgresql/N/bin) for the suites that run on it:
 * one cluster per test process, started on first use on a free loopback port (fsync off: tests,
 * not durability), stopped when the process exits. Each call of `freshDatabase` makes an empty
 * database. PostgreSQL refuses to run as root, so under root the cluster runs as `postgres`.
 */
export interface TestPostgres {
  /** postgres:// URL of a new, empty database. */
  freshDatabase(name?: string): Promise<string>;
  /** The cluster's admin URL (database "postgres"). */
  adminUrl: string;
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
  run([`${bin}/pg_ctl`, "-D", `${dir}/data`, "-w", "-l", `${dir}/log`, "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400`, "start"]);
  process.on("exit", () => {
    Bun.spawnSync([...user, `${bin}/pg_ctl`, "-D", `${dir}/data`, "-m", "immediate", "stop"], { stdout: "ignore", stderr: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  });
  const adminUrl = `postgres://certyneo@127.0.0.1:${port}/postgres`;
  return {
    adminUrl,
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
