/** The logger: the access line is built by concatenation, and must be the same JSON as the generic form. */
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger, type AccessLine } from "../src/log";
import { BUN, ROOT } from "./helpers/spawn";

const capture = (level: "info" | "warn" = "info") => {
  const lines: string[] = [];
  return { lines, log: createLogger(level, (l) => lines.push(l)) };
};

describe("access log line", () => {
  const cases: AccessLine[] = [
    { requestId: "req_abc_1", method: "GET", path: "/api/v1/documents/doc_1", status: 200, durationMs: 0.12, keyId: "key_x" },
    { requestId: "req_abc_2", method: "POST", path: '/api/v1/"quoted"\\back\u2028é', status: 401, durationMs: 12, keyId: null, ip: "::ffff:127.0.0.1" },
    { requestId: "external-id.1", method: "DELETE", path: "/x", status: 404, durationMs: 1.5, keyId: null, ip: null },
  ];
  test("parses to the same object as info('request', fields), fields in the same order", () => {
    for (const line of cases) {
      const fast = capture();
      fast.log.request(line);
      const generic = capture();
      const { ip, ...rest } = line;
      generic.log.info("request", ip === undefined ? rest : { ...rest, ip });
      const [a] = fast.lines;
      // The two lines are written a moment apart: their times may fall in different milliseconds.
      const untimed = (l: string) => ({ ...JSON.parse(l), time: typeof JSON.parse(l).time });
      expect(untimed(a!)).toEqual(untimed(generic.lines[0]!));
      expect(JSON.parse(a!).time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Object.keys(JSON.parse(a!))).toEqual(Object.keys(JSON.parse(generic.lines[0]!)));
    }
  });
  test("follows the level: nothing below info's rank", () => {
    const quiet = capture("warn");
    quiet.log.request(cases[0]!);
    expect(quiet.lines).toEqual([]);
  });
});

describe("the server's log writer", () => {
  test("lines reach stdout in order, batched; a reader gone (EPIPE) loses lines, not the process", async () => {
    const script = `
      import { createLogger } from ${JSON.stringify(join(ROOT, "src/log.ts"))};
      const log = createLogger("info");
      let i = 0;
      const tick = setInterval(() => {
        log.info("line", { i: i++ });
        if (i === 80) { clearInterval(tick); setTimeout(() => process.stderr.write("still running\\n"), 50); }
      }, 3);`;
    // Whole: every line, in order.
    const whole = Bun.spawnSync([BUN, "-e", script]);
    expect(whole.exitCode).toBe(0);
    expect(whole.stdout.toString().trim().split("\n").map((l) => JSON.parse(l).i)).toEqual([...Array(80).keys()]);
    // The reader takes one line and closes the pipe: the writer meets EPIPE and goes on.
    const cut = Bun.spawnSync(["sh", "-c", `("$0" -e "$1"; echo "exit $?" >&2) | head -n 1`, BUN, script]);
    expect(JSON.parse(cut.stdout.toString()).i).toBe(0);
    expect(cut.stderr.toString()).toContain("still running\nexit 0");
  });
});
