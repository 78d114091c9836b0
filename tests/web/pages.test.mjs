// Every page at desktop and phone width (375 px), light and dark: the same landmarks, no
// horizontal scrolling, no serious accessibility violation, only local requests, a screenshot
// under target/web-screenshots/.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  webSuite, openPage, assertLocalOnly, assertLandmarks, assertAccessible,
  assertNoHorizontalScroll, screenshot, DESKTOP, PHONE, PAGES,
} from "./support.mjs";

const suite = webSuite();

for (const [path, name] of PAGES) {
  test(`${path}: desktop and 375 px, light and dark`, async () => {
    // One page, emulating each width and scheme in turn (the files come from its cache after the
    // first load: the page is the same, only its media differ).
    const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
    try {
      for (const [width, viewport] of [["desktop", DESKTOP], ["375", PHONE]]) {
        for (const colorScheme of ["light", "dark"]) {
          const label = `${path} ${width} ${colorScheme}`;
          await page.setViewportSize(viewport);
          await page.emulateMedia({ colorScheme });
          const response = await page.goto(path);
          assert.equal(response.status(), 200, label);
          await assertLandmarks(page);
          assert.equal(await page.evaluate(() => document.documentElement.lang), "en", `${label}: lang`);
          await assertNoHorizontalScroll(page, label);
          await assertAccessible(page, label);
          await screenshot(page, `${name}-${width}-${colorScheme}`);
        }
      }
      assert.deepEqual(problems, []);
      assertLocalOnly(requests);
    } finally {
      await context.close();
    }
  });
}

test("dark mode is a different palette, not the light one", async () => {
  const colors = {};
  for (const colorScheme of ["light", "dark"]) {
    const { context, page } = await openPage(suite.browser, suite.server.base, { colorScheme });
    try {
      await page.goto("/");
      await assertLandmarks(page);
      colors[colorScheme] = await page.evaluate(() => {
        const luminance = (css) => {
          const [r, g, b] = css.match(/[\d.]+/g).map(Number);
          return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        // The first ancestor of main with a painted background (or the canvas's, white).
        for (let el = document.querySelector("main"); el; el = el.parentElement) {
          const bg = getComputedStyle(el).backgroundColor;
          if (!/rgba\(0, 0, 0, 0\)|transparent/.test(bg)) return { bg, luminance: luminance(bg) };
        }
        return { bg: "canvas", luminance: 255 };
      });
    } finally {
      await context.close();
    }
  }
  assert.ok(colors.dark.luminance < colors.light.luminance, JSON.stringify(colors));
});
