import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`; scripts/test-deps.sh installs it). Never a downloaded browser. */
export const CHROMIUM_PATH = process.env.CERTYNEO_TEST_CHROMIUM ?? "/usr/bin/chromium";

const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (or set CERTYNEO_TEST_CHROMIUM)`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: ARGS });
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Every URL the page requested (document, scripts, worker, fetches), in order. */
  requests: string[];
  /** console.error lines, page errors and CSP violations: a clean page has none. */
  problems: string[];
  close(): Promise<void>;
}

/**
 * Saves a photograph of the page for people to look at, only when CERTYNEO_SCREENSHOTS names a
 * directory (`CERTYNEO_SCREENSHOTS=test/artefacts npm test`): nothing asserts on them, and the
 * full-page ones cost the suite seconds each.
 */
export async function photograph(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  const dir = process.env.CERTYNEO_SCREENSHOTS;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: opts.fullPage ?? true });
}

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

/**
 * A fresh context (no cache, no cookies) with a page that records its requests and problems,
 * then navigates to `url`.
 */
export async function openPage(
  browser: Browser,
  url: string,
  opts: { viewport?: { width: number; height: number }; deviceScaleFactor?: number; isMobile?: boolean; hasTouch?: boolean; locale?: string } = {},
): Promise<OpenedPage> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1100, height: 900 },
    deviceScaleFactor: opts.deviceScaleFactor ?? 1,
    isMobile: opts.isMobile ?? false,
    hasTouch: opts.hasTouch ?? false,
    locale: opts.locale ?? "en-US",
    serviceWorkers: "block",
  });
  const requests: string[] = [];
  const problems: string[] = [];
  // Requests from the page and from its workers (pdf.js fetches from its worker).
  context.on("request", (r) => requests.push(r.url()));
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, context, requests, problems, close: () => context.close() };
}

/** Waits until every page canvas of every document is rendered; returns how many there are. */
export async function waitForPdfPages(page: Page, timeout = 30_000): Promise<number> {
  await page.waitForSelector('#documents[data-rendered="true"]', { timeout });
  const rendered = await page.locator('canvas.page-canvas[data-rendered="true"]').count();
  const all = await page.locator("canvas.page-canvas").count();
  if (rendered !== all) throw new Error(`${rendered} of ${all} page canvases rendered`);
  return all;
}

/** Draws a zig-zag on a canvas with real mouse moves. */
export async function drawOn(page: Page, selector: string) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const y = (f: number) => box.y + box.height * f;
  await page.mouse.move(box.x + box.width * 0.1, y(0.6));
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(box.x + box.width * (0.1 + i * 0.065), y(i % 2 ? 0.3 : 0.7), { steps: 4 });
  await page.mouse.up();
}

/** True when a canvas has non-transparent pixels that are not white (a rendered page has text). */
export async function canvasHasInk(page: Page, selector: string): Promise<boolean> {
  return page.locator(selector).evaluate((c: HTMLCanvasElement) => {
    const ctx = c.getContext("2d");
    if (!ctx || !c.width || !c.height) return false;
    const { data } = ctx.getImageData(0, 0, c.width, c.height);
    for (let i = 0; i < data.length; i += 4) if (data[i + 3]! > 0 && (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200)) return true;
    return false;
  });
}

/** Draws a stroke with real touch events (Chrome DevTools Protocol), as a finger on a phone would. */
export async function drawWithTouch(page: Page, selector: string) {
  await page.locator(selector).scrollIntoViewIfNeeded();
  const box = await page.locator(selector).boundingBox();
  if (!box) throw new Error(`${selector} is not visible`);
  const cdp = await page.context().newCDPSession(page);
  const at = (fx: number, fy: number) => [{ x: box.x + box.width * fx, y: box.y + box.height * fy, id: 1 }];
  await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: at(0.1, 0.5) });
  for (let i = 1; i <= 20; i++) await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: at(0.1 + i * 0.04, 0.5 + 0.25 * Math.sin(i / 2)) });
  await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
  await cdp.detach();
}

/** axe-core's violations on the page as it is now (WCAG 2.x A and AA rules). */
export async function axeViolations(page: Page): Promise<{ id: string; impact: string | null; nodes: string[] }[]> {
  // page.evaluate runs outside the page's CSP (which forbids inline scripts): the page stays as served.
  await page.evaluate(readFileSync(require.resolve("axe-core/axe.min.js"), "utf8"));
  return page.evaluate(async () => {
    const result = await (window as any).axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n: any) => n.target.join(" ")) }));
  });
}
