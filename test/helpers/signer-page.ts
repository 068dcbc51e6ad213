/**
 * What the signer-page browser suites share: envelopes made through the public API, pages opened
 * and checked for outside requests and script errors, the screens the page shows, adopting a
 * signature.
 */
import { afterAll, afterEach, beforeAll, expect } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { launchBrowser, openPage, type OpenedPage } from "./browser";
import { makePdf } from "./pdf";
import { startTestServer, type TestServer } from "./server";

export async function json(res: Response, status: number) {
  const body = await res.json();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body as any;
}

export async function upload(s: TestServer, pages: number, name = "contract.pdf") {
  const pdf = await makePdf(pages, `Certyneo ${name}`);
  return json(await s.api("/api/v1/documents", { method: "POST", json: { name, contentBase64: Buffer.from(pdf).toString("base64") } }), 201);
}

/** Creates and sends an envelope; returns the sent envelope (recipients carry their signUrl). */
export async function sent(s: TestServer, body: Record<string, unknown>) {
  const created = await json(await s.api("/api/v1/envelopes", { method: "POST", json: body }), 201);
  return json(await s.api(`/api/v1/envelopes/${created.id}/send`, { method: "POST" }), 200);
}

export const envelopeOf = async (s: TestServer, id: string) => json(await s.api(`/api/v1/envelopes/${id}`), 200);
export const tokenOf = (signUrl: string) => new URL(signUrl).pathname.slice(3);

/** Pages opened by a suite; `checkPages` (after each test) closes them and checks what they did. */
export class OpenedPages {
  private readonly pages: OpenedPage[] = [];

  async open(browser: Browser, url: string, opts: Parameters<typeof openPage>[2] = {}) {
    const o = await openPage(browser, url, opts);
    this.pages.push(o);
    return o;
  }

  /** Nothing asked of another host, no CSP violation, no script error (Chromium logs each 4xx answer: tests expecting one check the page). */
  async checkPages(s: TestServer) {
    const pages = this.pages.splice(0);
    await Promise.all(pages.map((o) => o.close()));
    for (const o of pages) {
      expect(o.requests.filter((u) => !u.startsWith(s.url + "/") && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
      expect(o.problems.filter((p) => !/Failed to load resource: the server responded with a status of 4\d\d/.test(p))).toEqual([]);
    }
  }
}

export async function waitForState(o: OpenedPage, state: string) {
  try {
    await o.page.waitForSelector(`#state[data-state="${state}"]:not([hidden])`, { timeout: 20_000 });
  } catch {
    // Say what the page shows instead.
    const shown = await o.page.evaluate(() => ({
      state: document.getElementById("state")?.hidden ? null : document.getElementById("state")?.dataset.state,
      alert: document.getElementById("alert")?.hidden ? null : document.getElementById("alert")?.textContent,
      errors: [...document.querySelectorAll(".field-error:not([hidden])")].map((x) => x.textContent),
    }));
    throw new Error(`expected the "${state}" screen; the page shows ${JSON.stringify(shown)}; problems: ${JSON.stringify(o.problems)}`);
  }
}

/** Adopts a typed signature through the panel's button (the name the page suggests, or `name`). */
export async function adoptTyped(page: Page, name?: string, labels = { open: /Adopt your signature/, confirm: "Adopt and sign" }) {
  await page.getByRole("button", { name: labels.open }).click();
  const dialog = page.locator("#adopt-dialog");
  await dialog.waitFor({ state: "visible" });
  if (name !== undefined) await dialog.locator("#typed-name").fill(name);
  await dialog.getByRole("button", { name: labels.confirm }).click();
  await dialog.waitFor({ state: "hidden" });
}

/**
 * The setup of a signer-page browser suite: a test server whose outbox stays idle unless the
 * test drains it (the tests seal and send when they choose to), one Chromium, and after each
 * test the check of every page opened (OpenedPages.checkPages). `env`: more CERTYNEO_* variables,
 * read when the server starts (after the file's earlier beforeAll hooks). `s` and `browser` are
 * set once the hooks have run.
 */
export function signerBrowserSuite(env: () => Record<string, string> = () => ({})) {
  const suite = { s: undefined as unknown as TestServer, browser: undefined as unknown as Browser, pages: new OpenedPages() };
  beforeAll(async () => {
    suite.s = await startTestServer({ env: { CERTYNEO_JOBS_POLL_MS: "60000", CERTYNEO_JOBS_WAKE_ON_ENQUEUE: "false", ...env() } });
    suite.browser = await launchBrowser();
  });
  afterAll(async () => {
    await suite.browser?.close();
    await suite.s?.stop();
  });
  afterEach(() => suite.pages.checkPages(suite.s));
  return suite;
}
