// The page by keyboard only: Tab to the domain box, type, Enter, Tab through the results and the
// navigation, with a visible focus indicator on everything that takes focus.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  webSuite, openPage, assertLocalOnly, waitForVerdict, expectedCheck,
} from "./support.mjs";

const suite = webSuite();

/** Presses Tab and describes what has focus now, and whether the focus can be seen. */
async function tab(page, key = "Tab") {
  await page.keyboard.press(key);
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      href: el.getAttribute("href"),
      text: (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 60),
      focusVisible: el.matches(":focus-visible"),
      indicator: outline || style.boxShadow !== "none",
      inNav: Boolean(el.closest('nav[aria-label="Main"]')),
      inMain: Boolean(el.closest("main")),
    };
  });
}

function assertVisibleFocus(stop) {
  assert.ok(stop.focusVisible && stop.indicator, `focus visible on ${JSON.stringify(stop)}`);
}

test("keyboard only: Tab to the domain, type, Enter, Tab through the results", async () => {
  const domain = "healthy-1mx.test";
  const want = expectedCheck(domain);
  const { context, page, requests } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/");
    await page.locator("input#domain").waitFor();
    const before = [];
    let stop;
    for (let i = 0; i < 20 && stop?.id !== "domain"; i++) {
      stop = await tab(page);
      if (stop) before.push(stop);
    }
    assert.equal(stop?.id, "domain", `Tab reaches the domain box: ${JSON.stringify(before)}`);
    before.forEach(assertVisibleFocus);
    await page.keyboard.type(domain);
    await page.keyboard.press("Enter");
    assert.equal(await waitForVerdict(page), want.verdict);

    // On through the form and the results, to the end of the page.
    const after = [];
    for (let i = 0; i < 60; i++) {
      const next = await tab(page);
      if (!next || (after.length && next.inNav)) break;
      after.push(next);
    }
    after.forEach(assertVisibleFocus);
    assert.ok(after.every((s) => s.inMain || !s.inNav), "the results come before the navigation again");
    assert.ok(after.some((s) => s.tag === "button" && /Copy JSON/.test(s.text)), `Copy JSON by Tab: ${JSON.stringify(after.map((s) => s.text))}`);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("keyboard only: every navigation link, with visible focus, and Enter follows it", async () => {
  const { context, page } = await openPage(suite.browser, suite.server.base);
  try {
    for (const [name, path, first] of [
      ["Lint", "/lint", "lint-input"], ["Generate", "/generate", "gen-domain"], ["Reports", "/reports", "report-files"],
      ["Check", "/", "domain"],
    ]) {
      await page.goto(path === "/" ? "/reports" : "/");
      await page.locator('nav[aria-label="Main"]').waitFor();
      let stop;
      for (let i = 0; i < 20 && !(stop?.inNav && stop.text === name); i++) stop = await tab(page);
      assert.ok(stop?.inNav && stop.text === name, `Tab reaches the ${name} link`);
      assertVisibleFocus(stop);
      await page.keyboard.press("Enter");
      await page.waitForURL((url) => url.pathname === path);
      await page.locator(`#${first}`).waitFor();
      // The page's main control is reachable by Tab from there too.
      let reached;
      for (let i = 0; i < 20 && reached?.id !== first; i++) reached = await tab(page);
      assert.equal(reached?.id, first, `${path}: Tab reaches #${first}`);
    }
  } finally {
    await context.close();
  }
});
