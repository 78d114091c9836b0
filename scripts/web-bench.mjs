// `make bench-web`: what the first load of the page costs, in headless Chromium on localhost, the
// page served by the real Worker (wrangler dev) as `make dev` serves it.
//
// 1. Bytes on the wire for `/`: the sum of Chromium's encodedDataLength (Network.loadingFinished:
//    headers and body as transferred) over the HTML, JS, wasm and CSS, with the cache disabled and
//    `Accept-Encoding: gzip`; and, for reference, gzip -9 of each file of dist/web.
// 2. The time until the domain box takes input: from navigation start until `#domain` exists, is
//    enabled, and a typed key changes its value (the first `input` event whose value stays);
//    the median of RUNS cold loads (a fresh browser context each, cache disabled).
// MTASTS_WEB_BASE=http://127.0.0.1:8787 measures a running `make dev` instead of starting one.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { ROOT, startLocalInternet } from "../tests/worker/harness.mjs";
import { benchLine } from "./bench-line.mjs";

const RUNS = Number(process.env.WEB_BENCH_RUNS ?? 15);
const DIST = join(ROOT, "dist/web");
const KINDS = { ".html": "html", ".js": "js", ".wasm": "wasm", ".css": "css" };

const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
function kindOf(url, mimeType) {
  const path = new URL(url).pathname;
  const ext = Object.keys(KINDS).find((e) => path.endsWith(e));
  if (ext) return KINDS[ext];
  if (/html/.test(mimeType)) return "html";
  return null;
}

// MTASTS_WEB_BASE: measure a page already served there (e.g. by `make dev`) instead.
const net = process.env.MTASTS_WEB_BASE
  ? { base: process.env.MTASTS_WEB_BASE, stop: async () => {} }
  : await startLocalInternet({
    name: "bench-web", port: 8798, dir: join(ROOT, "target/web-bench"), vars: { EDGE_RATE_PER_MINUTE: "10000" },
  });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", headless: true });

/** One cold load: the transfers of the page's files, and when the domain box took input. */
async function coldLoad() {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
  await cdp.send("Network.setExtraHTTPHeaders", { headers: { "Accept-Encoding": "gzip" } });
  const responses = new Map();
  const transfers = [];
  cdp.on("Network.responseReceived", ({ requestId, response }) => {
    responses.set(requestId, { url: response.url, mimeType: response.mimeType, encoding: response.headers["content-encoding"] ?? response.headers["Content-Encoding"] ?? "identity" });
  });
  cdp.on("Network.loadingFinished", ({ requestId, encodedDataLength }) => {
    const r = responses.get(requestId);
    if (r) transfers.push({ ...r, encodedDataLength });
  });
  cdp.on("Network.loadingFailed", ({ requestId, errorText }) => {
    const r = responses.get(requestId);
    if (r) transfers.push({ ...r, encodedDataLength: 0, failed: errorText });
  });
  await page.addInitScript(() => {
    document.addEventListener("input", (event) => {
      if (event.target?.id === "domain" && window.__typedAt === undefined) window.__typedAt = performance.now();
    }, true);
  });
  await page.goto(net.base + "/", { waitUntil: "commit" });
  const box = page.locator("#domain:enabled");
  let typedAt;
  for (let attempt = 0; attempt < 50 && typedAt === undefined; attempt++) {
    await box.waitFor({ state: "visible", timeout: 30_000 });
    await box.press("x");
    if ((await box.inputValue()) === "x") typedAt = await page.evaluate(() => window.__typedAt);
    else await page.evaluate(() => { window.__typedAt = undefined; });
  }
  await page.waitForLoadState("networkidle");
  // Where the time went: the wasm's arrival (its response end) against navigation start.
  const wasmAt = await page.evaluate(() =>
    performance.getEntriesByType("resource").find((e) => e.name.endsWith(".wasm"))?.responseEnd);
  await context.close();
  if (typedAt === undefined) throw new Error("the domain box never took input");
  return { transfers, typedAt, wasmAt };
}

try {
  await coldLoad(); // warm-up: workerd's first request, esbuild/asset indexing
  const runs = [];
  for (let i = 0; i < RUNS; i++) runs.push(await coldLoad());

  const first = runs[0].transfers;
  const counted = first.filter((t) => kindOf(t.url, t.mimeType));
  const other = first.filter((t) => !kindOf(t.url, t.mimeType));
  const wire = counted.reduce((n, t) => n + t.encodedDataLength, 0);

  const files = readdirSync(DIST).filter((f) => KINDS[f.slice(f.lastIndexOf("."))]);
  const gz = files.map((f) => {
    const bytes = readFileSync(join(DIST, f));
    return { f, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
  });
  const times = runs.map((r) => r.typedAt);

  console.log("\nfirst load of / (cache disabled, Accept-Encoding: gzip), as transferred:");
  for (const t of counted) {
    console.log(`  ${new URL(t.url).pathname.padEnd(28)} ${String(t.encodedDataLength).padStart(9)} B  (${t.encoding})`);
  }
  console.log(`  ${"HTML + JS + wasm + CSS".padEnd(28)} ${String(wire).padStart(9)} B = ${kib(wire)}`);
  for (const t of other) {
    console.log(`  also: ${new URL(t.url).pathname} ${t.failed ? `(${t.failed})` : `${t.encodedDataLength} B`}`);
  }
  console.log("\ndist/web, gzip -9 (reference):");
  for (const { f, raw, gz: g } of gz) console.log(`  ${f.padEnd(28)} ${String(g).padStart(9)} B gzipped (${raw} B raw)`);
  const gzTotal = gz.reduce((n, x) => n + x.gz, 0);
  const rawTotal = gz.reduce((n, x) => n + x.raw, 0);
  console.log(`  ${"total".padEnd(28)} ${String(gzTotal).padStart(9)} B = ${kib(gzTotal)} gzipped (${kib(rawTotal)} raw)`);
  console.log(`\ntime until the domain box takes input (navigation start to the first kept keystroke), ${RUNS} cold loads:`);
  console.log(`  median ${median(times).toFixed(0)} ms  (min ${Math.min(...times).toFixed(0)}, max ${Math.max(...times).toFixed(0)})`);
  console.log(`  each, in order: ${times.map((t) => t.toFixed(0)).join(" ")}`);
  const wasm = runs.map((r) => r.wasmAt).filter((t) => t !== undefined);
  if (wasm.length) console.log(`  of which the wasm had arrived at: median ${median(wasm).toFixed(0)} ms (${wasm.map((t) => t.toFixed(0)).join(" ")})`);
  const kb = Number((wire / 1000).toFixed(1));
  benchLine("web first load, bytes on the wire", kb, `${kb} KB (${gzTotal} B gzip -9)`, "<=", 250);
  benchLine("web first load, time to input", Number(median(times).toFixed(0)), `${median(times).toFixed(0)} ms median of ${RUNS}`);
} finally {
  await browser.close();
  await net.stop();
}
