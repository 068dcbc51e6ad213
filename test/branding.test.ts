/**
 * Branding and sender identity, set in the console: organisation name and logo on the console,
 * accent colour (dark enough for white text), From name/address and Reply-To on the e-mails
 * recipients receive (real SMTP server).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { addAdmin, consoleClient } from "./helpers/admin";
import { createEnvelope, quickStart, sendEnvelope, uploadDoc } from "./helpers/envelopes";
import { TINY_PNG } from "./helpers/envelopes";
import { startTestServer, type TestServer } from "./helpers/server";
import { startSmtpSink, type SmtpSink } from "./helpers/smtp";

let s: TestServer;
let sink: SmtpSink;

beforeAll(async () => {
  sink = await startSmtpSink();
  s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...sink.env, CERTYNEO_SMTP_FROM: "Certyneo <no-reply@certyneo.example>" } });
  await addAdmin(s);
});
afterAll(async () => {
  await s?.stop();
  await sink?.close();
});

const FIELDS = { organisationName: "Acme HR", accentColor: "#0b5e3a", fromName: "Acme People Team", fromAddress: "people@acme.example", replyTo: "hr-help@acme.example" };

async function save(c: ReturnType<typeof consoleClient>, fields: Record<string, string>, logo?: { bytes: Uint8Array<ArrayBuffer>; type: string; name: string }) {
  await c.get("/admin/branding");
  const form = new FormData();
  form.set("_csrf", /name="_csrf" value="([^"]+)"/.exec((await c.get("/admin/branding")).text)![1]!);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  if (logo) form.set("logo", new File([logo.bytes], logo.name, { type: logo.type }));
  const res = await fetch(`${s.url}/admin/branding`, { method: "POST", body: form, headers: { cookie: [...c.jar].map(([k, v]) => `${k}=${v}`).join("; ") }, redirect: "manual" });
  return { res, text: await res.text() };
}

describe("branding", () => {
  test("saved in the console: the console shows the name and colour, the logo is served", async () => {
    const c = consoleClient(s);
    await c.login();
    const before = await fetch(`${s.url}/branding/logo`);
    expect(before.headers.get("content-type")).toBe("image/svg+xml");
    const r = await save(c, FIELDS, { bytes: TINY_PNG, type: "image/png", name: "logo.png" });
    expect(r.res.status).toBe(303);
    const home = await c.get("/admin");
    expect(home.text).toContain("Acme HR");
    expect(await (await fetch(`${s.url}/admin/assets/brand.css`)).text()).toContain("--brand: #0b5e3a");
    const logo = await fetch(`${s.url}/branding/logo`);
    expect(logo.headers.get("content-type")).toBe("image/png");
    expect(new Uint8Array(await logo.arrayBuffer())).toEqual(TINY_PNG);
    expect(logo.headers.get("content-security-policy")).toContain("sandbox");
  });

  test("invitations come from the organisation, with its reply-to", async () => {
    const doc = await uploadDoc(s);
    await sendEnvelope(s, (await createEnvelope(s, quickStart([doc.id]))).id);
    await s.running.app.jobs.drain();
    const [mail] = await sink.waitFor(1);
    expect(mail!.from).toBe("people@acme.example");
    expect(mail!.headers.from).toBe("Acme People Team <people@acme.example>");
    expect(mail!.headers["reply-to"]).toBe("hr-help@acme.example");
  });

  test("refused: a colour too light for white text, a bad address, an SVG with a script, a logo too large", async () => {
    const c = consoleClient(s);
    await c.login();
    const light = await save(c, { ...FIELDS, accentColor: "#ffdd00" });
    expect(light.res.status).toBe(422);
    expect(light.text).toContain("too light");
    expect((await save(c, { ...FIELDS, replyTo: "not an address" })).res.status).toBe(422);
    const svg = new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    const evil = await save(c, FIELDS, { bytes: svg, type: "image/svg+xml", name: "x.svg" });
    expect(evil.res.status).toBe(422);
    expect(evil.text).toContain("scripts");
    const big = await save(c, FIELDS, { bytes: new Uint8Array(300 * 1024), type: "image/png", name: "big.png" });
    expect(big.res.status).toBe(422);
    // Nothing refused was saved: the PNG logo and the colour stay.
    expect((await fetch(`${s.url}/branding/logo`)).headers.get("content-type")).toBe("image/png");
    expect(await (await fetch(`${s.url}/admin/assets/brand.css`)).text()).toContain("#0b5e3a");
  });

  test("refused: an SVG whose styles load from elsewhere (url(), @import); one with a url(#gradient) is fine", async () => {
    const c = consoleClient(s);
    await c.login();
    const svg = (inner: string) => new TextEncoder().encode(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${inner}</svg>`);
    for (const inner of [
      "<style>@import 'https://tracker.example/a.css';</style>",
      "<style>rect { fill: url(https://tracker.example/p.svg#x) }</style>",
      `<rect width="10" height="10" style="fill: url( 'https://tracker.example/p.svg#x' )"/>`,
      `<rect width="10" height="10" fill="url(//tracker.example/p.svg#x)"/>`,
    ]) {
      const r = await save(c, FIELDS, { bytes: svg(inner), type: "image/svg+xml", name: "x.svg" });
      expect({ inner, status: r.res.status }).toEqual({ inner, status: 422 });
      expect(r.text).toContain("external references");
    }
    const gradient = '<defs><linearGradient id="g"><stop offset="0" stop-color="#0b5e3a"/></linearGradient></defs><rect width="10" height="10" fill="url(#g)"/>';
    expect((await save(c, FIELDS, { bytes: svg(gradient), type: "image/svg+xml", name: "x.svg" })).res.status).toBe(303);
  });

  test("a name longer than the form allows is refused with what is wrong; the form says the limits", async () => {
    const c = consoleClient(s);
    await c.login();
    const r = await save(c, { ...FIELDS, organisationName: "A".repeat(101), fromName: "B".repeat(150) });
    expect(r.res.status).toBe(422);
    expect(r.text).toContain("organisationName: at most 100 characters; fromName: at most 100 characters");
    const form = (await c.get("/admin/branding")).text;
    expect(form).toMatch(/id="organisationName"[^>]* maxlength="100"/);
    expect(form).toMatch(/id="fromName"[^>]* maxlength="100"/);
    expect(form).toMatch(/id="replyTo"[^>]* maxlength="254"/);
  });

  test("a clean SVG logo is accepted; removing the logo brings back the default mark", async () => {
    const c = consoleClient(s);
    await c.login();
    const svg = new TextEncoder().encode('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#0b5e3a"/></svg>');
    expect((await save(c, FIELDS, { bytes: svg, type: "image/svg+xml", name: "logo.svg" })).res.status).toBe(303);
    expect(await (await fetch(`${s.url}/branding/logo`)).text()).toContain('fill="#0b5e3a"');
    expect((await save(c, { ...FIELDS, removeLogo: "on" })).res.status).toBe(303);
    expect(await (await fetch(`${s.url}/branding/logo`)).text()).toContain('fill="#1d4ed8"');
  });
});
