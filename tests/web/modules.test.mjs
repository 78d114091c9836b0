// The page in two modules (`make web`, web/static/main.js): the first load carries the check page
// alone; the lint, generate and reports pages load the second module when they are opened; a
// domain typed in Unicode is mapped to A-labels by the browser, since the first module leaves
// idna's tables out.
import { test } from "node:test";
import assert from "node:assert/strict";
import { webSuite, openPage, runCheck } from "./support.mjs";

const suite = webSuite();

/** The paths of the page's own modules among the requests, in order. */
const modules = (requests) => requests
  .map((url) => new URL(url).pathname)
  .filter((path) => /mtasts_web(_bg\.wasm|\.js)$/.test(path));

test("the first load fetches the check module only; opening Lint loads the second", async () => {
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/");
    await page.locator("input#domain").waitFor();
    assert.deepEqual(modules(requests).sort(), ["/mtasts_web.js", "/mtasts_web_bg.wasm"]);

    requests.length = 0;
    await page.locator('nav[aria-label="Main"]').getByRole("link", { name: "Lint", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/lint");
    await page.locator("#lint-input").waitFor();
    assert.deepEqual(modules(requests).sort(), ["/tools/mtasts_web.js", "/tools/mtasts_web_bg.wasm"]);

    // The second module has every page: back to the check without loading anything.
    requests.length = 0;
    await page.locator('nav[aria-label="Main"]').getByRole("link", { name: "Check", exact: true }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.locator("input#domain").waitFor();
    assert.deepEqual(modules(requests), []);
    // And the browser's back button returns to the lint page.
    await page.goBack();
    await page.locator("#lint-input").waitFor();
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("opened at /reports, the page starts with the second module", async () => {
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/reports");
    await page.locator("#report-files").waitFor();
    assert.deepEqual(modules(requests).sort(), ["/tools/mtasts_web.js", "/tools/mtasts_web_bg.wasm"]);
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});

test("a domain typed in Unicode is checked under its A-labels (UTS #46 by the browser)", async () => {
  const { context, page, problems } = await openPage(suite.browser, suite.server.base);
  try {
    for (const typed of ["bücher.healthy-1mx.test", "postmaster@bücher.healthy-1mx.test"]) {
      await page.goto("/");
      await runCheck(page, typed);
      const verdict = await page.locator("[data-testid=verdict]").innerText();
      assert.match(verdict, /^xn--bcher-kva\.healthy-1mx\.test: \d+ error/m, `${typed}: ${verdict}`);
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
