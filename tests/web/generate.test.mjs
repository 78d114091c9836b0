// /generate: the records and the policy file to publish, as the CLI generates them.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  webSuite, openPage, assertLocalOnly, assertLandmarks, assertAccessible,
  cliJson, screenshot,
} from "./support.mjs";

const suite = webSuite();

test("generate: the policy, both TXT records and the publishing order of the core", async () => {
  const core = cliJson([
    "generate", "example.com", "--mx", "mx1.example.com", "*.backup.example.com",
    "--mode", "enforce", "--max-age", "86400", "--rua", "mailto:tlsrpt@example.com",
  ]);
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/generate");
    await assertLandmarks(page);
    await page.locator("#gen-domain").fill("example.com");
    await page.locator("#gen-mx").fill("mx1.example.com\n*.backup.example.com");
    await page.locator("#gen-mode").selectOption("enforce");
    await page.locator("#gen-max-age").fill("86400");
    await page.locator("#gen-rua").fill("mailto:tlsrpt@example.com");
    await page.getByRole("button", { name: "Generate", exact: true }).click();
    const policy = page.locator("pre[data-testid=gen-policy]");
    await policy.waitFor();
    const text = async (locator) => (await locator.textContent()).replace(/\r\n/g, "\n").trim();
    assert.equal(await text(policy), core.policy.replace(/\r\n/g, "\n").trim());
    // Each record's value in its box, its name beside it.
    const sts = await text(page.locator("pre[data-testid=gen-sts-record]"));
    assert.match(sts, /v=STSv1; id=\d{8}T\d{6}Z/);
    const tlsrpt = await text(page.locator("pre[data-testid=gen-tlsrpt-record]"));
    assert.ok(tlsrpt.includes(core.tlsrpt_record.value), tlsrpt);
    const main = await page.locator("main").innerText();
    for (const name of [core.sts_record.name, core.tlsrpt_record.name]) assert.ok(main.includes(name), `${name} is shown`);
    // The core's steps, in its order (the policy id is the time of generation: left out).
    const anyId = (t) => t.replace(/\d{8}T\d{6}Z?/g, "ID").replace(/\s+/g, " ");
    const order = anyId(await page.locator("[data-testid=publish-order]").innerText());
    let at = -1;
    for (const step of core.publish_order.map(anyId)) {
      const found = order.indexOf(step, at + 1);
      assert.ok(found > at, `"${step}" in order in: ${order}`);
      at = found;
    }
    assert.ok(await page.getByRole("button", { name: /^Copy/ }).count() >= 3, "a Copy button for each");
    await assertAccessible(page, "/generate with a result");
    await screenshot(page, "generate-result");
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});
