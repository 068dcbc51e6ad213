// `certyneo serve` with a PKCS#11 sealing key: each thing that can be wrong stops the
// start with one line naming what to fix, exit code 2, before anything listens.
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { BUN, freePort, run, tempDir, waitForHealth } from "./helpers/spawn";
import { SHARED_KEYS, sharedSoftHsm, SOFTHSM_MODULE } from "./helpers/softhsm";

const token = sharedSoftHsm();

/** `bun src/main.ts serve` on a fresh data directory; returns when it exits. */
function serve(env: Record<string, string>) {
  return run([BUN, "src/main.ts", "serve"], { env: { CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: "0", ...env } });
}

function expectRefused(env: Record<string, string>, message: RegExp) {
  const r = serve(env);
  expect(r.code, r.stdout + r.stderr).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toStartWith("certyneo: ");
  expect(lines[0]).toMatch(message);
}

describe("start-up checks of a PKCS#11 sealing key", () => {
  test("a wrong PIN", () => {
    expectRefused(token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_PIN: "000000" }), /token "Certyneo Seal": wrong PIN \(CERTYNEO_SEAL_PKCS11_PIN\)/);
  });

  test("a key label the token does not have", () => {
    expectRefused(token.env("no-such-key"), /no private key labelled "no-such-key" \(CERTYNEO_SEAL_PKCS11_KEY_LABEL\)/);
  });

  test("a token label no slot has, naming the tokens present", () => {
    expectRefused(
      token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_TOKEN_LABEL: "Other Token" }),
      /token "Other Token" not found \(tokens present: "Certyneo Seal"\) \(CERTYNEO_SEAL_PKCS11_TOKEN_LABEL\)/,
    );
  });

  test("a module path that does not exist", () => {
    expectRefused(token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_MODULE: "/nonexistent/libpkcs11.so" }), /\/nonexistent\/libpkcs11\.so: file not found/);
  });

  test("a library that is not a PKCS#11 module", () => {
    const notAModule = join(tempDir(), "libnot.so");
    writeFileSync(notAModule, "not a shared library");
    expectRefused(token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_MODULE: notAModule }), /libnot\.so: cannot be loaded/);
  });

  test("a certificate file whose key is another one", () => {
    expectRefused(
      token.env(SHARED_KEYS.p384.label, { CERTYNEO_SEAL_CERTIFICATE_PATH: token.chainPath(SHARED_KEYS.rsa.label) }),
      /the key "seal-p384" matches no certificate of the file \(CN=HSM seal seal-rsa.*\) \(CERTYNEO_SEAL_CERTIFICATE_PATH\)/,
    );
  });

  test("an expired certificate", () => {
    expectRefused(token.env(SHARED_KEYS.expired.label), /sealing certificate CN=HSM seal seal-expired, O=Certyneo Tests: the certificate expired on \d{4}-\d{2}-\d{2}$/);
  });

  test("no certificate on the token and none configured", () => {
    expectRefused(token.env(SHARED_KEYS.p256.label), /no certificate for the key "seal-p256".*CERTYNEO_SEAL_CERTIFICATE_PATH/);
  });

  test("a missing PIN file, and a missing setting, are named", () => {
    const env = token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_PIN: "", CERTYNEO_SEAL_PKCS11_PIN_FILE: "/nonexistent/pin" });
    expectRefused(env, /PIN file \/nonexistent\/pin.*CERTYNEO_SEAL_PKCS11_PIN_FILE/);
    expectRefused(token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_KEY_LABEL: "" }), /CERTYNEO_SEAL_PKCS11_KEY_LABEL/);
  });

  test("the right PIN, from a file, starts the server", async () => {
    const pinFile = join(tempDir(), "pin");
    writeFileSync(pinFile, `${token.pin}\n`);
    const port = await freePort();
    const env = { ...process.env, ...token.env(SHARED_KEYS.rsa.label, { CERTYNEO_SEAL_PKCS11_PIN: "", CERTYNEO_SEAL_PKCS11_PIN_FILE: pinFile }) };
    const server = Bun.spawn([BUN, "src/main.ts", "serve"], {
      env: { ...env, CERTYNEO_DATA_DIR: tempDir(), CERTYNEO_PORT: String(port) },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      await waitForHealth(`http://127.0.0.1:${port}`);
      server.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      const log = await new Response(server.stdout).text();
      expect(log).toContain(SOFTHSM_MODULE);
      expect(log).toContain("HSM seal seal-rsa");
    } finally {
      server.kill("SIGKILL");
    }
  });
});
