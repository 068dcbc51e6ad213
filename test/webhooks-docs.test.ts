import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { newWebhookSecret, secretKey, signatureHeaders } from "../src/modules/webhooks/signature";
import { ROOT, run, tempDir } from "./helpers/spawn";

/** The verification snippets of the README, run as written against real signatures. */
const doc = readFileSync(join(ROOT, "README.md"), "utf8");
const block = (lang: string, marker: string) => {
  const m = new RegExp("```" + lang + "\\n(" + marker.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[\\s\\S]*?)```").exec(doc);
  if (!m) throw new Error(`no ${lang} block starting with ${marker} in README.md`);
  return m[1]!;
};

function cases() {
  const secret = newWebhookSecret();
  const body = JSON.stringify({ id: "evt_doc", type: "envelope.completed", data: { envelope: { subject: "Contrat — signé ✓" } } });
  const ts = Math.floor(Date.now() / 1000);
  const good = signatureHeaders(secretKey(secret), "evt_doc", ts, body);
  const old = signatureHeaders(secretKey(secret), "evt_doc", ts - 3600, body);
  return {
    secret,
    list: [
      { name: "valid", headers: good, body, expect: true },
      { name: "valid among several signatures", headers: { ...good, "webhook-signature": `v1,AAAA ${good["webhook-signature"]}` }, body, expect: true },
      { name: "tampered body", headers: good, body: body.replace("signé", "signe"), expect: false },
      { name: "other secret", headers: signatureHeaders(secretKey(newWebhookSecret()), "evt_doc", ts, body), body, expect: false },
      { name: "too old", headers: old, body, expect: false },
      { name: "no headers", headers: {}, body, expect: false },
    ],
  };
}

describe("README webhook verification snippets", () => {
  test("the Node.js snippet (node:crypto only) accepts real signatures and refuses bad ones", () => {
    const dir = tempDir("certyneo-doc-node-");
    writeFileSync(join(dir, "verify-node.mjs"), block("js", "// verify-node.mjs"));
    const { secret, list } = cases();
    writeFileSync(join(dir, "cases.json"), JSON.stringify(list));
    writeFileSync(join(dir, "main.mjs"), `
      import { readFileSync } from "node:fs";
      import { verifyCertyneo } from "./verify-node.mjs";
      const cases = JSON.parse(readFileSync(new URL("./cases.json", import.meta.url), "utf8"));
      console.log(JSON.stringify(cases.map((c) => verifyCertyneo(${JSON.stringify(secret)}, c.headers, c.body))));`);
    const runtimes = [[process.execPath], ...(run(["sh", "-c", "command -v node"]).code === 0 ? [["node"]] : [])];
    for (const rt of runtimes) {
      const r = run([...rt, join(dir, "main.mjs")]);
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual(list.map((c) => c.expect));
    }
  });

  const hasPython = run(["sh", "-c", "command -v python3"]).code === 0;
  test.skipIf(!hasPython)("the Python snippet (standard library only) accepts real signatures and refuses bad ones", () => {
    const dir = tempDir("certyneo-doc-py-");
    writeFileSync(join(dir, "verify_python.py"), block("python", "# verify_python.py"));
    const { secret, list } = cases();
    writeFileSync(join(dir, "cases.json"), JSON.stringify(list));
    writeFileSync(join(dir, "main.py"), `
import json, sys
sys.path.insert(0, ${JSON.stringify(dir)})
from verify_python import verify_certyneo
cases = json.load(open(${JSON.stringify(join(dir, "cases.json"))}, encoding="utf-8"))
print(json.dumps([verify_certyneo(${JSON.stringify(secret)}, c["headers"], c["body"].encode("utf-8")) for c in cases]))
`);
    const r = run(["python3", join(dir, "main.py")]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(list.map((c) => c.expect));
  });

  test("the example secret in the docs is a valid Standard Webhooks secret", () => {
    const m = /"secret": "(whsec_[^"]+)"/.exec(readFileSync(join(ROOT, "docs/webhooks.md"), "utf8"));
    expect(secretKey(m![1]!)).toHaveLength(32);
  });
});
