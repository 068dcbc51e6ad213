/**
 * The console's doors, over real HTTP: login, session cookie, CSRF on every form, lockout
 * with back-off, idle and absolute session expiry (fake clock), TOTP, the admin action log,
 * and the admin CLI.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eq } from "drizzle-orm";
import { CLI_ACTOR, listActions } from "../src/modules/admin/actions";
import { setTotp } from "../src/modules/admin/accounts";
import { purgeExpiredSessions } from "../src/modules/admin/sessions";
import { adminSessions, adminUsers } from "../src/store/schema";
import { totp } from "../src/modules/admin/totp";
import { addAdmin, ADMIN_EMAIL, ADMIN_PASSWORD, consoleClient } from "./helpers/admin";
import type { FakeClock } from "./helpers/clock";
import { startTestServer, type TestServer } from "./helpers/server";
import { BUN, run, tempDir } from "./helpers/spawn";

let s: TestServer;
const clock = () => s.clock as FakeClock;

beforeAll(async () => {
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false" } });
  await addAdmin(s);
});
afterAll(() => s?.stop());

describe("login", () => {
  test("a console page without a session redirects to the login form", async () => {
    const c = consoleClient(s);
    const { res } = await c.get("/admin/envelopes?q=ana");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login?next=%2Fadmin%2Fenvelopes%3Fq%3Dana");
    const login = await c.get("/admin/login");
    expect(login.res.status).toBe(200);
    expect(login.text).toMatch(/<input id="email" name="email" type="email"/);
    expect(login.text).toMatch(/<input id="password" name="password" type="password"/);
    expect(login.text).toMatch(/<button type="submit"/);
    expect(login.res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  test("the right password opens a session in an HttpOnly, SameSite=Strict cookie", async () => {
    const c = consoleClient(s);
    const { res } = await c.login();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.getSetCookie().find((x) => x.startsWith("certyneo_admin="))!;
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).toContain("Path=/admin");
    expect(cookie).not.toContain("Secure");
    const home = await c.get("/admin");
    expect(home.res.status).toBe(200);
    expect(home.text).toContain(`Signed in as ${ADMIN_EMAIL}`);
    const logins = (await listActions(s.deps.db)).filter((a) => a.action === "login" && a.actor === ADMIN_EMAIL);
    expect(logins.length).toBeGreaterThan(0);
    expect(logins[0]!.ip).toBe("127.0.0.1");
  });

  test("a wrong password is refused with the same answer as an unknown e-mail", async () => {
    const wrong = await consoleClient(s).login(ADMIN_EMAIL, "not the password");
    const unknown = await consoleClient(s).login("nobody@example.com", "not the password");
    expect(wrong.res.status).toBe(401);
    expect(unknown.res.status).toBe(401);
    expect(wrong.text).toContain("Wrong e-mail or password.");
    expect(unknown.text).toContain("Wrong e-mail or password.");
  });

  test("logout ends the session", async () => {
    const c = consoleClient(s);
    await c.login();
    await c.get("/admin");
    const { res } = await c.post("/admin/logout");
    expect(res.status).toBe(303);
    expect((await c.get("/admin")).res.status).toBe(303);
  });
});

describe("CSRF", () => {
  test("every console POST without the session's token is 403 and does nothing", async () => {
    const c = consoleClient(s);
    await c.login();
    await c.get("/admin/keys");
    for (const path of ["/admin/keys", "/admin/logout", "/admin/settings/test-email", "/admin/envelopes/env_x/void"]) {
      const { res } = await c.post(path, { name: "x", environment: "test", to: "a@example.com", reason: "r" }, { csrf: null });
      expect(res.status).toBe(403);
      const forged = await c.post(path, { name: "x", environment: "test", to: "a@example.com", reason: "r" }, { csrf: "forged-token-of-the-right-sort-12" });
      expect(forged.res.status).toBe(403);
    }
    expect((await c.get("/admin")).res.status).toBe(200);
    expect((await c.get("/admin/keys")).text).not.toContain("<td>x<br>");
  });

  test("the login form too: its token is the double-submit cookie set with it", async () => {
    const c = consoleClient(s);
    await c.get("/admin/login");
    const { res } = await c.post("/admin/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { csrf: null });
    expect(res.status).toBe(403);
    const noCookie = consoleClient(s);
    const { res: r2 } = await noCookie.post("/admin/login", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD }, { csrf: "abc" });
    expect(r2.status).toBe(403);
  });
});

describe("lockout", () => {
  test("after 5 failures the e-mail is locked, even for the right password, with a doubling back-off", async () => {
    const email = "locked@example.com";
    await addAdmin(s, email);
    for (let i = 1; i <= 4; i++) expect((await consoleClient(s).login(email, "wrong")).res.status).toBe(401);
    const fifth = await consoleClient(s).login(email, "wrong");
    expect(fifth.res.status).toBe(429);
    expect(fifth.text).toContain("Try again in 30 seconds");
    expect((await consoleClient(s).login(email, ADMIN_PASSWORD)).res.status).toBe(429);
    clock().advance(31_000);
    // The lock has run out; one more failure locks again, for twice as long.
    const sixth = await consoleClient(s).login(email, "wrong");
    expect(sixth.res.status).toBe(429);
    expect(sixth.text).toContain("Try again in 60 seconds");
    clock().advance(61_000);
    expect((await consoleClient(s).login(email, ADMIN_PASSWORD)).res.status).toBe(303);
    // A success resets the count.
    expect((await consoleClient(s).login(email, "wrong")).res.status).toBe(401);
    expect((await listActions(s.deps.db)).some((a) => a.action === "login.locked" && a.actor === email)).toBe(true);
  });
  test("wrong passwords sent together are checked no more than the lockout allows (case variants of the e-mail too)", async () => {
    const email = "parallel@example.com";
    await addAdmin(s, email);
    const clients = await Promise.all(Array.from({ length: 12 }, async () => {
      const c = consoleClient(s);
      await c.get("/admin/login");
      return c;
    }));
    const answers = await Promise.all(clients.map((c, i) => c.post("/admin/login", { email: i % 2 ? email.toUpperCase() : ` ${email}`, password: `wrong ${i}` })));
    const actions = (await listActions(s.deps.db)).filter((a) => a.target === email);
    expect(actions.filter((a) => a.action === "login.failed").length).toBe(5);
    expect(actions.filter((a) => a.action === "login.locked").length).toBe(7);
    expect(answers.filter((a) => a.res.status === 401).length).toBe(4);
    expect((await consoleClient(s).login(email, ADMIN_PASSWORD)).res.status).toBe(429);
  });
});

describe("session expiry", () => {
  test("a session unused for 30 minutes ends", async () => {
    const c = consoleClient(s);
    await c.login();
    clock().advance(29 * 60_000);
    expect((await c.get("/admin")).res.status).toBe(200);
    clock().advance(29 * 60_000);
    expect((await c.get("/admin")).res.status).toBe(200);
    clock().advance(31 * 60_000);
    const { res } = await c.get("/admin");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toContain("ended=1");
  });

  test("the periodic purge removes the rows of ended sessions and keeps the live ones", async () => {
    await purgeExpiredSessions(s.deps);
    const ended = consoleClient(s);
    await ended.login();
    clock().advance(31 * 60_000);
    const live = consoleClient(s);
    await live.login();
    expect(await s.deps.db.$count(adminSessions)).toBe(2);
    await purgeExpiredSessions(s.deps);
    expect(await s.deps.db.$count(adminSessions)).toBe(1);
    expect((await live.get("/admin")).res.status).toBe(200);
  });

  test("a busy session ends 12 hours after login", async () => {
    const c = consoleClient(s);
    await c.login();
    // Every 20 minutes for 12 h 20 min: the last request comes after the 12 hours.
    for (let i = 1; i <= 37; i++) {
      clock().advance(20 * 60_000);
      const { res } = await c.get("/admin/activity");
      if (i < 37) expect(res.status).toBe(200);
      else expect(res.status).toBe(303);
    }
  });
});

describe("TOTP", () => {
  test("an account with a second factor needs the code before any page", async () => {
    const email = "totp@example.com";
    await addAdmin(s, email);
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    await setTotp(s.deps, CLI_ACTOR, email, secret);
    const c = consoleClient(s);
    const { res } = await c.login(email);
    expect(res.headers.get("location")).toBe("/admin/login/totp");
    expect((await c.get("/admin")).res.headers.get("location")).toBe("/admin/login/totp");
    const form = await c.get("/admin/login/totp");
    expect(form.text).toContain('autocomplete="one-time-code"');
    expect((await c.post("/admin/login/totp", { code: "000000" === (await totp(secret, s.clock.now())) ? "111111" : "000000" })).res.status).toBe(401);
    const ok = await c.post("/admin/login/totp", { code: await totp(secret, s.clock.now()) });
    expect(ok.res.status).toBe(303);
    expect((await c.get("/admin")).res.status).toBe(200);
  });

  /** A code no step within the drift window has. */
  const wrongCode = async (secret: string) => {
    const near = await Promise.all([-30_000, 0, 30_000].map((d) => totp(secret, new Date(s.clock.now().getTime() + d))));
    return ["000000", "111111", "222222", "333333"].find((c) => !near.includes(c))!;
  };
  const totpAccount = async (email: string) => {
    await addAdmin(s, email);
    const secret = "KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU";
    await setTotp(s.deps, CLI_ACTOR, email, secret);
    return secret;
  };
  const atCodeForm = async (email: string) => {
    const c = consoleClient(s);
    expect((await c.login(email)).res.headers.get("location")).toBe("/admin/login/totp");
    await c.get("/admin/login/totp");
    return c;
  };

  test("signing in with the password again does not reset the count of wrong codes", async () => {
    const email = "totp-guess@example.com";
    const secret = await totpAccount(email);
    const wrong = await wrongCode(secret);
    const first = await atCodeForm(email);
    for (let i = 0; i < 4; i++) expect((await first.post("/admin/login/totp", { code: wrong })).res.status).toBe(401);
    const second = await atCodeForm(email);
    const fifth = await second.post("/admin/login/totp", { code: wrong });
    expect(fifth.res.status).toBe(429);
    expect(fifth.text).toContain("Try again in 30 seconds");
    expect((await second.post("/admin/login/totp", { code: await totp(secret, s.clock.now()) })).res.status).toBe(429);
    clock().advance(31_000);
    expect((await second.post("/admin/login/totp", { code: await totp(secret, s.clock.now()) })).res.status).toBe(303);
    // Signed in: the count starts again.
    expect((await (await atCodeForm(email)).post("/admin/login/totp", { code: await wrongCode(secret) })).res.status).toBe(401);
  });

  test("signing in again in the same browser ends its earlier session (one still waiting for its code)", async () => {
    const email = "totp-twice@example.com";
    await totpAccount(email);
    const c = await atCodeForm(email);
    const sessions = async () => (await s.deps.db.select().from(adminSessions).innerJoin(adminUsers, eq(adminUsers.id, adminSessions.adminId)).where(eq(adminUsers.email, email))).length;
    expect(await sessions()).toBe(1);
    expect((await c.login(email)).res.headers.get("location")).toBe("/admin/login/totp");
    expect(await sessions()).toBe(1);
  });

  test("turning the second factor on ends the account's open sessions", async () => {
    const email = "totp-later@example.com";
    await addAdmin(s, email);
    const c = consoleClient(s);
    await c.login(email);
    expect((await c.get("/admin")).res.status).toBe(200);
    await setTotp(s.deps, CLI_ACTOR, email, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    expect((await c.get("/admin")).res.headers.get("location")).toStartWith("/admin/login");
  });

  test("a code is good once: the same code again, even in its window, is refused; the next step's is taken", async () => {
    const email = "totp-once@example.com";
    const secret = await totpAccount(email);
    const code = await totp(secret, s.clock.now());
    const [first, second] = [await atCodeForm(email), await atCodeForm(email)];
    expect((await first.post("/admin/login/totp", { code })).res.status).toBe(303);
    expect((await second.post("/admin/login/totp", { code })).res.status).toBe(401);
    const actions = (await listActions(s.deps.db)).filter((a) => a.target === email).map((a) => a.action);
    expect(actions).toContain("login.totp_reused");
    clock().advance(30_000);
    expect((await second.post("/admin/login/totp", { code: await totp(secret, s.clock.now()) })).res.status).toBe(303);
  });

  test("wrong codes sent together are checked no more than the lockout allows", async () => {
    const email = "totp-parallel@example.com";
    const secret = await totpAccount(email);
    const wrong = await wrongCode(secret);
    const sessions = [];
    for (let i = 0; i < 8; i++) sessions.push(await atCodeForm(email));
    await Promise.all(sessions.map((c) => c.post("/admin/login/totp", { code: wrong })));
    const actions = (await listActions(s.deps.db)).filter((a) => a.target === email);
    expect(actions.filter((a) => a.action === "login.totp_failed").length).toBe(5);
    expect(actions.filter((a) => a.action === "login.locked").length).toBe(3);
  });

  test("RFC 6238 test vector (SHA-1, T=59 s)", async () => {
    // The RFC's 20-byte ASCII secret "12345678901234567890", 8 digits 94287082: the last 6 are ours.
    const { base32Encode } = await import("../src/modules/admin/totp");
    expect(await totp(base32Encode(new TextEncoder().encode("12345678901234567890")), new Date(59_000))).toBe("287082");
    expect(await totp(base32Encode(new TextEncoder().encode("12345678901234567890")), new Date(1111111109_000))).toBe("081804");
  });
});

describe("https base URL", () => {
  test("the session cookie is Secure", async () => {
    const h = await startTestServer({ env: { CERTYNEO_BASE_URL: "https://sign.example.com" } });
    try {
      await addAdmin(h);
      const { res } = await consoleClient(h).login();
      expect(res.headers.getSetCookie().find((x) => x.startsWith("certyneo_admin="))).toContain("Secure");
    } finally {
      await h.stop();
    }
  });
});

describe("admin CLI", () => {
  test("create and reset-password read the password from standard input", () => {
    const dir = tempDir();
    const env = { ...process.env, CERTYNEO_DATA_DIR: dir } as Record<string, string>;
    const cli = (args: string[], stdin: string) => {
      const p = Bun.spawnSync([BUN, "src/main.ts", "admin", ...args], { env, stdin: new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
      return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
    };
    expect(cli(["create", "--email", "Boss@Example.com", "--password-stdin"], "a long enough password\n")).toMatchObject({ code: 0, stdout: expect.stringContaining("Created admin boss@example.com") });
    expect(cli(["create", "--email", "boss@example.com", "--password-stdin"], "a long enough password\n").code).toBe(2);
    expect(cli(["create", "--email", "short@example.com", "--password-stdin"], "short\n")).toMatchObject({ code: 2, stderr: expect.stringContaining("at least 12 characters") });
    expect(cli(["create", "--email", "x@example.com"], "").stderr).toContain("--password-stdin");
    expect(cli(["reset-password", "--email", "boss@example.com", "--password-stdin"], "another long password\n").code).toBe(0);
    const list = cli(["list", "--json"], "");
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ email: "boss@example.com", totp: false })]);
    expect(run([BUN, "src/main.ts", "admin", "--help"], { env }).stdout).toContain("admin create --email EMAIL --password-stdin");
  });
});
