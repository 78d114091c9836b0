// The web page's end-to-end tests: the built page (dist/web) served by the real Worker under
// `wrangler dev`, in front of the stand-in for the internet, driven in headless Chromium
// (playwright-core, Debian's chromium). `make web-test` runs tests/web/run.mjs, which starts one
// stand-in and one Worker for every file (MTASTS_WEB_BASE); a file run alone starts its own.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import assert from "node:assert/strict";
import { before, after } from "node:test";
import { chromium } from "playwright-core";
import { ROOT, startLocalInternet } from "../worker/harness.mjs";

export { ROOT };
export const ZONES = join(ROOT, "tests/data/zones");
export const REPORTS = join(ROOT, "tests/data/tlsrpt-reports");
export const SCREENSHOTS = join(ROOT, "target/web-screenshots");
export const CLI = join(ROOT, "target/debug/mtasts");
/** The port of the Worker the web tests start. */
export const WEB_TEST_PORT = 8792;
/** The viewports: a desktop, and a small phone (375 CSS px, the iPhone SE/mini width). */
export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 375, height: 740 };
/** Every page, with the name its screenshots get. */
export const PAGES = [["/", "check"], ["/lint", "lint"], ["/generate", "generate"], ["/reports", "reports"]];

process.env.TMPDIR ??= join(ROOT, "target/tmp");
mkdirSync(process.env.TMPDIR, { recursive: true });

/**
 * The page's origin and the stand-in behind it: the ones the runner started (MTASTS_WEB_*), or a
 * stand-in and a Worker of this file's own. Returns { base, standin: { dohUrl, httpsPort,
 * caFile }, stop }.
 */
export async function webServer() {
  const env = process.env;
  if (env.MTASTS_WEB_BASE) {
    const standin = { dohUrl: env.MTASTS_WEB_DOH, httpsPort: Number(env.MTASTS_WEB_HTTPS_PORT), caFile: env.MTASTS_WEB_CA };
    return { base: env.MTASTS_WEB_BASE, standin, stop: async () => {} };
  }
  const net = await startLocalInternet(webTestOptions());
  if (!net.namespace.ok) {
    await net.stop();
    throw new Error(`the web tests need a mount namespace for the hosts file: ${net.namespace.why}`);
  }
  return { base: net.base, standin: net.standin, stop: net.stop };
}

/**
 * A test file's shared fixtures: one `webServer()` and one browser, started before its tests and
 * stopped after them. Returns an object whose `server` and `browser` are set once started.
 */
export function webSuite() {
  const suite = {};
  before(async () => {
    [suite.server, suite.browser] = await Promise.all([webServer(), launchBrowser()]);
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  return suite;
}

/** What a file's `webServer()` finds in the runner's environment. */
export function webServerEnv(net) {
  return {
    MTASTS_WEB_BASE: net.base,
    MTASTS_WEB_DOH: net.standin.dohUrl,
    MTASTS_WEB_HTTPS_PORT: String(net.standin.httpsPort),
    MTASTS_WEB_CA: net.standin.caFile,
  };
}

/** How the web tests start the stand-in and the Worker (the runner and a lone file alike). */
export function webTestOptions() {
  return {
    name: "web",
    port: WEB_TEST_PORT,
    dir: join(ROOT, "target/web-test"),
    // Every test file checks several domains from one client.
    vars: { EDGE_RATE_PER_MINUTE: "10000" },
  };
}

/** Headless Chromium, Debian's. */
export function launchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });
}

/**
 * A fresh browser context and page on `base`, recording every request the context makes and
 * every page error and CSP violation. Returns { context, page, requests, problems }.
 */
export async function openPage(browser, base, { viewport = DESKTOP, colorScheme = "light", permissions = [] } = {}) {
  const context = await browser.newContext({ baseURL: base, viewport, colorScheme });
  // Everything here is local and answers in well under a second: fail fast, not after 30 s.
  context.setDefaultTimeout(15_000);
  if (permissions.length) await context.grantPermissions(permissions, { origin: base });
  const requests = [];
  context.on("request", (request) => requests.push(request.url()));
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (/Content.Security.Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
  });
  return { context, page, requests, problems };
}

/**
 * Every request went to 127.0.0.1 (the Worker, and the stand-in's DoH resolver) or stayed in the
 * browser (data:, blob:): nothing left the machine.
 */
export function assertLocalOnly(requests) {
  assert.ok(requests.length > 0, "some requests were recorded");
  const outside = requests.filter((url) => {
    const parsed = new URL(url);
    if (parsed.protocol === "data:" || parsed.protocol === "blob:") return false;
    return parsed.hostname !== "127.0.0.1";
  });
  assert.deepEqual(outside, [], "requests that left 127.0.0.1");
}

/** The page's own structure, the same on every route: a main nav, `main#main`, one h1. */
export async function assertLandmarks(page) {
  const nav = page.locator('nav[aria-label="Main"]');
  await nav.waitFor();
  for (const name of ["Check", "Lint", "Generate", "Reports"]) {
    assert.equal(await nav.getByRole("link", { name, exact: true }).count(), 1, `nav link ${name}`);
  }
  assert.equal(await page.locator("main#main").count(), 1, "main#main");
  assert.equal(await page.locator("h1").count(), 1, "one h1");
}

const AXE = readFileSync(join(ROOT, "node_modules/axe-core/axe.min.js"), "utf8");

/**
 * axe-core (WCAG 2.x A and AA rules and best practices) on the page as it is: fails on every
 * violation of impact serious or critical. Injected through the DevTools protocol, which the
 * page's CSP does not govern (the page itself may load no foreign script).
 */
export async function assertAccessible(page, label) {
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `${label}: axe violations of impact serious or critical`);
}

/** Keeps a screenshot under target/web-screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** No horizontal scrolling: the document is no wider than the viewport. */
export async function assertNoHorizontalScroll(page, label) {
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${label}: the page is ${scroll} px wide in a ${client} px viewport`);
}

/** A scenario's expected check result (tests/data/zones/NAME.expected.json). */
export function expectedCheck(domain) {
  return JSON.parse(readFileSync(join(ZONES, `${domain}.expected.json`), "utf8"));
}

/** Runs the CLI (target/debug/mtasts) and parses its `--json` output; exit status 1 is a result. */
export function cliJson(args, input) {
  try {
    return JSON.parse(execFileSync(CLI, [...args, "--json"], { input, encoding: "utf8" }));
  } catch (error) {
    if (error.status === 1 && error.stdout) return JSON.parse(error.stdout);
    throw error;
  }
}

/** The CLI's check of `domain` against the same stand-in (the core's report, as JSON). */
export function cliCheck(domain, standin) {
  return cliJson([
    "check", domain, "--doh", standin.dohUrl, "--ca-file", standin.caFile,
    "--https-port", String(standin.httpsPort), "--timeout", "4",
  ]);
}

/** Types a domain into the check form and submits it; resolves once the verdict is shown. */
export async function runCheck(page, domain, { submit = "click" } = {}) {
  const input = page.locator("input#domain");
  await input.fill(domain);
  if (submit === "enter") await input.press("Enter");
  else await page.locator("form[role=search]").getByRole("button", { name: "Check", exact: true }).click();
  return waitForVerdict(page);
}

/** Waits for the check's verdict and returns it (`data-verdict`). */
export async function waitForVerdict(page) {
  const verdict = page.locator("[data-testid=verdict]");
  await verdict.waitFor({ timeout: 30_000 });
  return verdict.getAttribute("data-verdict");
}
