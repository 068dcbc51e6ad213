import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ROOT, tempDir } from "./helpers/spawn";

/**
 * What a start loads: the modules the bundler reaches from an entry point (and the modules it
 * imports at once, `also`) without crossing a dynamic import(). The PDF side and the OpenAPI
 * generator must stay out of it (a cold start and idle memory budget, issue 14); a static import
 * added anywhere on the way brings them back.
 */
async function loadedAtStart(entry: string, also: string[] = []): Promise<Set<string>> {
  return (await startGraph(entry, also)).reached;
}

/** The modules reached, and the Node built-ins they import statically (the metafile names them without "node:"). */
async function startGraph(entry: string, also: string[] = []) {
  const build = await Bun.build({ entrypoints: [join(ROOT, entry)], target: "bun", outdir: tempDir("certyneo-graph-"), metafile: true });
  expect(build.success).toBe(true);
  const inputs = build.metafile!.inputs as Record<string, { imports: { path: string; kind: string }[] }>;
  const starts = [entry, ...also].map((source) => Object.keys(inputs).find((k) => k.endsWith(source))!);
  const reached = new Set(starts);
  for (const queue = [...starts]; queue.length; ) {
    for (const i of inputs[queue.shift()!]?.imports ?? []) {
      if (i.kind === "dynamic-import" || reached.has(i.path)) continue;
      reached.add(i.path);
      queue.push(i.path);
    }
  }
  const builtins = new Set([...reached].flatMap((m) => (inputs[m]?.imports ?? []).filter((i) => i.kind !== "dynamic-import" && !i.path.includes("/")).map((i) => i.path.replace(/^node:/, ""))));
  return { reached, builtins };
}

const packagesOf = (modules: Set<string>) =>
  new Set([...modules].map((p) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(p)?.[1]).filter((p): p is string => !!p));

describe("what a start loads", () => {
  test("`certyneo serve` loads no PDF library, font, mailer or OpenAPI generator before its first request", async () => {
    const packages = packagesOf(await loadedAtStart("src/main.ts", ["src/cli/commands.ts", "src/cli/serve.ts"]));
    expect(packages).toContain("elysia"); // the walk itself works
    for (const lazy of ["pdf-lib", "@pdf-lib/fontkit", "@pdf-lib/standard-fonts", "pako", "nodemailer", "@elysiajs/openapi"])
      expect([...packages], lazy).not.toContain(lazy);
  }, 60_000);

  test("`certyneo serve` loads no certificate library, PostgreSQL code or Node stream before its first request", async () => {
    const { reached, builtins } = await startGraph("src/main.ts", ["src/cli/commands.ts", "src/cli/serve.ts"]);
    const packages = packagesOf(reached);
    // The sealing key's check at start is recalled without them (modules/sealing/key-check.ts).
    for (const lazy of ["@peculiar/x509", "asn1js", "@peculiar/asn1-schema", "tsyringe"]) expect([...packages], lazy).not.toContain(lazy);
    expect([...reached].filter((m) => m.includes("drizzle-orm/pg-core/index"))).toEqual([]);
    // Each brings Node's stream implementation (node-builtins.ts).
    expect(builtins).toContain("fs");
    for (const lazy of ["net", "zlib", "stream", "crypto", "events", "util"]) expect([...builtins], lazy).not.toContain(lazy);
  }, 60_000);

  test("`certyneo --help`, `--version` and `healthcheck` load no package: each command loads what it needs when it runs", async () => {
    const modules = await loadedAtStart("src/cli/commands.ts");
    expect([...packagesOf(modules)]).toEqual([]);
    expect(modules).toContain("src/cli/usage.ts");
    expect([...modules].filter((m) => m.startsWith("src/cli/")).sort()).toEqual(["src/cli/args.ts", "src/cli/commands.ts", "src/cli/usage.ts"]);
  }, 60_000);

  test("before `serve` restarts itself with its allocator setting, only the entry loads", async () => {
    const modules = await loadedAtStart("src/main.ts");
    expect([...modules].sort()).toEqual(["src/allocator.ts", "src/main.ts"]);
  }, 60_000);

  test("the sealing-key check the first /healthz waits for loads no package when recalled, and no PDF library when it runs", async () => {
    expect([...packagesOf(await loadedAtStart("src/modules/sealing/key-check.ts"))]).toEqual([]);
    const packages = packagesOf(await loadedAtStart("src/modules/sealing/key.ts"));
    expect(packages).toContain("@peculiar/x509");
    for (const lazy of ["pdf-lib", "@pdf-lib/fontkit", "pako"]) expect([...packages], lazy).not.toContain(lazy);
  }, 60_000);
});
