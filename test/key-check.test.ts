/**
 * The start's check of a PKCS#12 sealing key, remembered (src/modules/sealing/key-check.ts): a
 * start over the same inputs skips the full load, and no change to them (the file, its
 * password, the level, the instance key, the clock past the certificate's end, a record edited
 * by hand) lets a start accept what the full check refuses.
 */
import { describe, expect, test } from "bun:test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type Config } from "../src/config";
import { SignerError } from "../src/errors";
import { createLogger } from "../src/log";
import { sealingKeyLoader } from "../src/modules/sealing/key";
import { checkSealingKey, developmentPassword, KEY_CHECK_RECORD } from "../src/modules/sealing/key-check";
import { DEVELOPMENT_P12 } from "../src/modules/sealing/paths";
import { createDevelopmentP12 } from "../src/pdf/devcert";
import { diskInstanceState } from "../src/store/instance-state";
import { tempDir } from "./helpers/spawn";

const YEAR = 365 * 24 * 3600 * 1000;

/** One start of a server over `config`: a fresh loader (a new process), the start's check, what it logged and how many full loads it made. */
async function start(config: Config, secret: Uint8Array, now = new Date()) {
  const lines: { msg: string; [k: string]: unknown }[] = [];
  const log = createLogger("info", (line) => void lines.push(JSON.parse(line)));
  const clock = { now: () => now };
  const state = diskInstanceState(config.dataDir);
  const loader = sealingKeyLoader(config, clock, log, secret, state);
  let loads = 0;
  const load = () => (loads++, loader());
  await checkSealingKey({ config, clock, log, secret, state, load });
  return { loads, messages: lines.map((l) => l.msg), lines, key: load };
}

const secretOf = (n: number) => new Uint8Array(32).fill(n);

describe("the sealing key's check at start is remembered", () => {
  test("development key: checked at the first start, recalled after; a new file, garbage or another instance key is checked again", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-keycheck-") });
    const secret = secretOf(1);
    const first = await start(config, secret);
    expect(first.loads).toBe(1);
    expect(first.messages).toContain("development sealing certificate created");
    expect(JSON.parse(readFileSync(join(config.dataDir, KEY_CHECK_RECORD), "utf8"))).toMatchObject({ subject: expect.stringContaining("Certyneo development seal") });

    const second = await start(config, secret);
    expect(second.loads).toBe(0);
    // The operator is still warned at every start.
    expect(second.messages.filter((m) => m.startsWith("SEALING WITH A DEVELOPMENT CERTIFICATE"))).toHaveLength(1);
    // What the first seal then loads is the key the first start checked.
    const key = await second.key();
    expect(key.development).toBe(true);
    // ... and does not warn a second time.
    expect(second.lines.filter((l) => l.msg.startsWith("SEALING WITH A DEVELOPMENT CERTIFICATE"))).toHaveLength(1);
    expect((await key.sign(new Uint8Array([1, 2, 3]))).length).toBeGreaterThan(0);

    // Another valid file under the same password: checked again, then recalled.
    const other = await createDevelopmentP12({ commonName: "Replaced", password: developmentPassword(secret), now: new Date() });
    writeFileSync(join(config.dataDir, DEVELOPMENT_P12), other);
    expect((await start(config, secret)).loads).toBe(1);
    expect((await start(config, secret)).loads).toBe(0);

    // Garbage in its place: the start is refused, as without a record.
    writeFileSync(join(config.dataDir, DEVELOPMENT_P12), "garbage");
    await expect(start(config, secret)).rejects.toThrow(SignerError);

    // The good file back, but another instance key: its password no longer opens it.
    writeFileSync(join(config.dataDir, DEVELOPMENT_P12), other);
    await expect(start(config, secretOf(2))).rejects.toThrow(/development sealing certificate .*restore the instance.key/);
  });

  test("configured PKCS#12: a wrong password, another level or a record edited by hand runs the full check", async () => {
    const dir = tempDir("certyneo-keycheck-");
    const p12 = join(dir, "seal.p12");
    const now = new Date();
    writeFileSync(p12, await createDevelopmentP12({ commonName: "Acme Seal", password: "right", now }));
    const env = { CERTYNEO_DATA_DIR: join(dir, "data"), CERTYNEO_SEAL_P12_PATH: p12, CERTYNEO_SEAL_P12_PASSWORD: "right" };
    const config = loadConfig(env);
    mkdirSync(config.dataDir);
    const secret = secretOf(3);

    expect((await start(config, secret)).messages).toContain("sealing certificate loaded");
    const recalled = await start(config, secret);
    expect(recalled.loads).toBe(0);
    expect(recalled.lines.find((l) => l.msg === "sealing certificate unchanged since its last check")).toMatchObject({ file: p12, subject: expect.stringMatching(/^CN=Acme Seal,/) });

    await expect(start(loadConfig({ ...env, CERTYNEO_SEAL_P12_PASSWORD: "wrong" }), secret)).rejects.toThrow(/sealing certificate .*seal\.p12/);
    expect((await start(loadConfig({ ...env, CERTYNEO_SEAL_LEVEL: "B-T", CERTYNEO_SEAL_TSA_URL: "http://127.0.0.1:9/tsa" }), secret)).loads).toBe(1);
    // Back to the first settings: that record was replaced, so checked once more.
    expect((await start(config, secret)).loads).toBe(1);

    // A record whose validity was pushed out by hand no longer matches its HMAC.
    const file = join(config.dataDir, KEY_CHECK_RECORD);
    const record = JSON.parse(readFileSync(file, "utf8"));
    writeFileSync(file, JSON.stringify({ ...record, notAfter: new Date(now.getTime() + 50 * YEAR).toISOString() }));
    expect((await start(config, secret)).loads).toBe(1);
    expect((await start(config, secret)).loads).toBe(0);
  });

  test("past the certificate's end the full check runs, and refuses it", async () => {
    const config = loadConfig({ CERTYNEO_DATA_DIR: tempDir("certyneo-keycheck-") });
    const secret = secretOf(4);
    expect((await start(config, secret)).loads).toBe(1);
    const notAfter = new Date(JSON.parse(readFileSync(join(config.dataDir, KEY_CHECK_RECORD), "utf8")).notAfter);
    expect((await start(config, secret, new Date(notAfter.getTime() - 1000))).loads).toBe(0);
    await expect(start(config, secret, new Date(notAfter.getTime() + 1000))).rejects.toThrow(/expired/);
  });
});
