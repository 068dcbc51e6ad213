/** The command line as a newcomer meets it: --help does nothing else, required flags, plain output. */
import { describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makePdf } from "./helpers/pdf";
import { BUN, ROOT, run, tempDir } from "./helpers/spawn";

async function cli(args: string[], env: Record<string, string>) {
  const p = Bun.spawn([BUN, "src/main.ts", ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  return { args: args.join(" "), code: await p.exited, stdout: await new Response(p.stdout).text(), stderr: await new Response(p.stderr).text() };
}

const COMMANDS = [
  ["serve"], ["keys"], ["keys", "create"], ["keys", "list"], ["keys", "revoke", "key_x"], ["admin"], ["admin", "create", "--email", "a@b.c"],
  ["admin", "reset-password"], ["migrate"], ["backup", "x.tar.gz"], ["restore", "x.tar.gz"], ["doctor"], ["verify", "x.pdf"], ["seal", "env_x"],
  ["remind", "env_x", "rcp_x"], ["healthcheck"], ["licenses"],
];

describe("--help and -h", () => {
  test("every command and subcommand prints its usage and does nothing else", async () => {
    const dataDir = join(tempDir(), "never-created");
    // --help after every command; -h (the same check in main.ts) after the first and the last.
    const calls = [...COMMANDS.map((c) => [...c, "--help"]), [...COMMANDS[0]!, "-h"], [...COMMANDS.at(-1)!, "-h"]];
    const runs = await Promise.all(calls.map((args) => cli(args, { CERTYNEO_DATA_DIR: dataDir, CERTYNEO_PORT: "1" })));
    for (const r of runs) {
      expect(r.code, r.args).toBe(0);
      expect(r.stdout, r.args).toStartWith("Usage");
      expect(r.stderr, r.args).toBe("");
    }
    // Nothing ran: no data directory (no database, no key), no server.
    expect(existsSync(dataDir)).toBe(false);
    expect(runs.find((r) => r.args === "keys create --help")!.stdout).toContain("--env test|live --name NAME");
  }, 180_000); // 19 processes at once: a generous bound for a loaded machine, not a speed check
});

describe("keys create", () => {
  test("requires --env and --name when no one is at a terminal to ask", async () => {
    const env = { CERTYNEO_DATA_DIR: tempDir() };
    const bare = await cli(["keys", "create"], env);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain("keys create needs --env");
    expect((await cli(["keys", "create", "--env", "test"], env)).stderr).toContain("needs --name");
    expect(JSON.parse((await cli(["keys", "list", "--json"], env)).stdout)).toEqual([]);
  });
});

describe("one-shot commands write for people", () => {
  test("the development-certificate warning is a plain line on stderr; stdout is the result", async () => {
    const dir = tempDir();
    const pdf = join(dir, "doc.pdf");
    writeFileSync(pdf, await makePdf(1));
    const r = run([BUN, "src/main.ts", "verify", pdf], { env: { CERTYNEO_DATA_DIR: join(dir, "data") } });
    expect(r.stdout).toContain("no signature");
    expect(r.stderr).toContain("warning: SEALING WITH A DEVELOPMENT CERTIFICATE");
    for (const line of (r.stdout + r.stderr).split("\n")) expect(line).not.toStartWith("{");
  });
});
