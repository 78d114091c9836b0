// The package in headless Chromium (Debian's, driven by playwright-core): a page served by a
// small local server imports it through an import map, lints a broken policy and runs a domain
// check against the stand-in (DNS and the policy fetch routed through the page's server); the
// test reads what the page shows.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import { extname, join, normalize } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { readmeExample, root, standinFetchPolicy, startStandin } from "./support.mjs";

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const TYPES = { ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".wasm": "application/wasm", ".json": "application/json" };

let standin;
let server;
let origin;

before(async () => {
  standin = await startStandin();
  const fetchPolicy = standinFetchPolicy(standin);
  const base = process.cwd();
  server = http.createServer(async (request, response) => {
    const url = new URL(request.url, "http://localhost");
    try {
      if (url.pathname === "/dns-query" && request.method === "POST") {
        const chunks = [];
        for await (const chunk of request) chunks.push(chunk);
        const answer = await fetch(standin.dohUrl, { method: "POST", headers: { "content-type": "application/dns-message" }, body: Buffer.concat(chunks) });
        response.writeHead(answer.status, { "content-type": "application/dns-message" });
        response.end(Buffer.from(await answer.arrayBuffer()));
      } else if (url.pathname === "/policy") {
        const reply = await fetchPolicy(url.searchParams.get("url"));
        const body = reply.body ? new TextDecoder().decode(reply.body) : undefined;
        response.writeHead(200, { "content-type": "application/json" });
        response.end(JSON.stringify({ ...reply, body }));
      } else {
        const path = normalize(join(base, url.pathname === "/" ? "index.html" : url.pathname));
        if (!path.startsWith(base)) throw new Error("outside");
        const bytes = readFileSync(path);
        response.writeHead(200, { "content-type": TYPES[extname(path)] ?? "application/octet-stream" });
        response.end(bytes);
      }
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${server.address().port}`;
});

after(() => {
  server?.close();
  standin?.stop();
});

let context;
let profile;

before(async () => {
  profile = join(root, "target", "tmp", `chromium-profile-${process.pid}`);
  rmSync(profile, { recursive: true, force: true });
  mkdirSync(profile, { recursive: true });
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    env: { ...process.env, TMPDIR: join(root, "target", "tmp") },
  });
});

after(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the README's page example shows the findings of a broken policy", async () => {
  writeFileSync("readme-example.html", readmeExample("Browsers", "html"));
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  await page.goto(`${origin}/readme-example.html`);
  await page.waitForFunction(() => document.getElementById("findings").textContent !== "", null, { timeout: 30_000 });
  const lines = (await page.textContent("#findings")).split("\n");
  assert.deepEqual(errors, []);
  assert.match(lines[0], /^error policy\.blank-line line 5: An empty line after the last field/);
  assert.match(lines[1], /^info policy\.line-endings line -: /);
  await page.close();
});

test("a page imports the package, lints a broken policy and checks a domain", async () => {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(`${origin}/browser/index.html`);
  await page.waitForFunction(() => document.getElementById("out").textContent !== "", null, { timeout: 30_000 });
  const shown = JSON.parse(await page.textContent("#out"));
  assert.equal(shown.error, undefined, shown.error);
  assert.deepEqual(errors, []);
  assert.equal(shown.lint.valid, false);
  const blank = shown.lint.findings.find((f) => f.code === "policy.blank-line");
  assert.equal(blank?.line, 5);
  assert.equal(blank?.severity, "error");
  assert.equal(shown.matches, true);
  assert.equal(shown.verdict, "refuses");
  assert.ok(shown.codes.includes("mx.not-covered"), shown.codes.join(", "));
  assert.equal(shown.steps[0], "dns");
  await page.close();
});
