/** The logger: the access line is built by concatenation, and must be the same JSON as the generic form. */
import { describe, expect, test } from "bun:test";
import { createLogger, type AccessLine } from "../src/log";

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
