// /lint: a user pastes a broken policy and sees each finding on its line, as the CLI reports it.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  webSuite, openPage, assertLocalOnly, assertLandmarks, assertAccessible,
  cliJson, screenshot,
} from "./support.mjs";

const suite = webSuite();

const BROKEN = [
  ["a blank line", "version: STSv1\nmode: enforce\n\nmx: mx1.example.com\nmax_age: 86400\n"],
  ["no version line", "mode: enforce\nmx: mx1.example.com\nmax_age: 86400\n"],
  ["a bad mode and a duplicate max_age", "version: STSv1\r\nmode: enforced\r\nmx: mx1.example.com\r\nmax_age: 86400\r\nmax_age: 600\r\n"],
];

/** Pastes `text` as a policy, lints it, and returns what the page shows. */
async function lint(page, text) {
  await page.locator("textarea#lint-input").fill(text);
  await page.locator("select#lint-kind").selectOption("policy");
  await page.getByRole("button", { name: "Lint", exact: true }).click();
  await page.locator("[data-testid=lint-summary]").waitFor();
  const lines = await page.locator("ol[data-testid=lint-lines] > li[data-line]").evaluateAll((items) =>
    items.map((li) => ({
      line: Number(li.dataset.line),
      flagged: li.dataset.hasFindings === "true",
      codes: [...li.querySelectorAll("[data-code]")].map((f) => [f.dataset.code, f.dataset.severity]),
    })));
  const lineless = await page.locator("[data-testid=lint-findings] [data-code]").evaluateAll((items) =>
    items.map((f) => [f.dataset.code, f.dataset.severity]));
  return { lines, lineless, summary: await page.locator("[data-testid=lint-summary]").innerText() };
}

for (const [what, text] of BROKEN) {
  test(`a policy with ${what}: every finding of the core, on its line`, async () => {
    // A textarea's value has LF line endings (HTML's newline normalization), CRLF pasted or not.
    const core = cliJson(["lint", "policy", "-"], text.replace(/\r\n/g, "\n"));
    assert.equal(core.valid, false);
    const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
    try {
      await page.goto("/lint");
      await assertLandmarks(page);
      const shown = await lint(page, text);
      assert.equal(shown.lines.length, text.replace(/\r?\n$/, "").split(/\r?\n/).length, "one item per line");
      for (const finding of core.findings) {
        const pair = [finding.code, finding.severity];
        if (finding.line) {
          const item = shown.lines.find((l) => l.line === finding.line);
          assert.ok(item?.flagged, `line ${finding.line} is flagged`);
          assert.ok(item.codes.some((c) => c[0] === pair[0] && c[1] === pair[1]), `${finding.code} on line ${finding.line}: ${JSON.stringify(item.codes)}`);
        } else {
          assert.ok(shown.lineless.some((c) => c[0] === pair[0] && c[1] === pair[1]), `${finding.code} without a line: ${JSON.stringify(shown.lineless)}`);
        }
      }
      const flagged = new Set(core.findings.filter((f) => f.line).map((f) => f.line));
      for (const item of shown.lines) assert.equal(item.flagged, flagged.has(item.line), `line ${item.line}`);
      const count = shown.lines.reduce((n, l) => n + l.codes.length, 0) + shown.lineless.length;
      assert.equal(count, core.findings.length, "no finding more than the core's");
      await assertAccessible(page, `/lint, ${what}`);
      if (what === "a blank line") await screenshot(page, "lint-blank-line");
      assert.deepEqual(problems, []);
      assertLocalOnly(requests);
    } finally {
      await context.close();
    }
  });
}

test("a valid policy: no finding flagged, the summary says so", async () => {
  const text = "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 604800\r\n";
  const core = cliJson(["lint", "policy", "-"], text.replace(/\r\n/g, "\n"));
  assert.equal(core.valid, true);
  const { context, page } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/lint");
    const shown = await lint(page, text);
    assert.ok(shown.lines.every((l) => !l.flagged));
    assert.ok(shown.summary.trim().length > 0);
  } finally {
    await context.close();
  }
});
