// /reports: a user picks or drops TLS-RPT reports from the corpus (JSON and gzip) and sees the
// totals the core computes (`mtasts lint report --json`), each file's findings, and the charts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import {
  webSuite, openPage, assertLocalOnly, assertLandmarks, assertAccessible,
  cliJson, screenshot, REPORTS,
} from "./support.mjs";

const suite = webSuite();

/** The core's reading of each file, and the totals over all of them. */
function coreTotals(files) {
  const results = files.map((file) => ({ file, result: cliJson(["lint", "report", file]) }));
  return {
    results,
    success: results.reduce((n, r) => n + (r.result.value?.successful ?? 0), 0),
    failure: results.reduce((n, r) => n + (r.result.value?.failed ?? 0), 0),
    reports: results.filter((r) => r.result.valid).length,
  };
}

/** What the page shows once it has read `count` files. */
async function shown(page, count) {
  await page.waitForFunction((n) => document.querySelectorAll("[data-testid=report-file]").length >= n, count);
  const totals = page.locator("[data-testid=report-totals]");
  await totals.waitFor();
  const files = await page.locator("[data-testid=report-file]").evaluateAll((items) =>
    items.map((el) => ({
      name: el.dataset.name,
      valid: el.dataset.valid,
      codes: [...new Set([...el.querySelectorAll("[data-code]")].map((f) => f.dataset.code))].sort(),
    })));
  return {
    success: Number(await totals.getAttribute("data-success")),
    failure: Number(await totals.getAttribute("data-failure")),
    reports: Number(await totals.getAttribute("data-reports")),
    files,
  };
}

function assertMatchesCore(got, want) {
  assert.deepEqual(
    { success: got.success, failure: got.failure, reports: got.reports },
    { success: want.success, failure: want.failure, reports: want.reports },
    "totals",
  );
  for (const { file, result } of want.results) {
    const item = got.files.find((f) => f.name === basename(file));
    assert.ok(item, `${basename(file)} is listed: ${JSON.stringify(got.files)}`);
    assert.equal(item.valid, String(result.valid), `${basename(file)} valid`);
    assert.deepEqual(item.codes, [...new Set(result.findings.map((f) => f.code))].sort(), `${basename(file)} findings`);
  }
}

test("pick one JSON report: its totals, its entry, both charts", async () => {
  const file = join(REPORTS, "rfc8460-example-errata6241.json");
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/reports");
    await assertLandmarks(page);
    await page.locator("input#report-files").setInputFiles(file);
    assertMatchesCore(await shown(page, 1), coreTotals([file]));
    assert.equal(await page.locator("svg[data-testid=chart-daily]").count(), 1, "daily chart");
    assert.equal(await page.locator("svg[data-testid=chart-failures]").count(), 1, "failures chart");
    await assertAccessible(page, "/reports with a report");
    await screenshot(page, "reports-one");
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("pick several reports at once, plain and gzip: the totals add up", async () => {
  const files = [
    join(REPORTS, "fixture-google-weekly-host-mismatch.json"),
    join(REPORTS, "microsoft-test.xmox.nl-2023-01-10.json.gz"),
    join(REPORTS, "socketlabs-ludemo.net-2020-04-13-edited.json"),
  ];
  assert.ok(files.some((f) => f.endsWith(".gz")));
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/reports");
    await page.locator("input#report-files").setInputFiles(files);
    assertMatchesCore(await shown(page, files.length), coreTotals(files));
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("drop a gzip report on the drop zone (a real DataTransfer in a drop event)", async () => {
  const file = join(REPORTS, "google-cardinalhealth.ca-2024-09-03.json.gz");
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/reports");
    const zone = page.locator("[data-testid=dropzone]");
    await zone.waitFor();
    const dataTransfer = await page.evaluateHandle(({ name, base64 }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], name, { type: "application/gzip" }));
      return transfer;
    }, { name: basename(file), base64: readFileSync(file).toString("base64") });
    for (const type of ["dragenter", "dragover", "drop"]) await zone.dispatchEvent(type, { dataTransfer });
    assertMatchesCore(await shown(page, 1), coreTotals([file]));
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("a file that is no report: listed as not valid, with the core's findings", async () => {
  const bytes = Buffer.from('{"organization-name": "x", "policies": "not a list"}\n');
  const scratch = join(process.env.TMPDIR, `not-a-report-${process.pid}.json`);
  writeFileSync(scratch, bytes);
  const want = cliJson(["lint", "report", scratch]);
  rmSync(scratch);
  assert.equal(want.valid, false);
  const { context, page } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/reports");
    await page.locator("input#report-files").setInputFiles({ name: "not-a-report.json", mimeType: "application/json", buffer: bytes });
    const got = await shown(page, 1);
    assert.equal(got.files[0].valid, "false");
    assert.deepEqual(got.files[0].codes, [...new Set(want.findings.map((f) => f.code))].sort());
    assert.equal(got.reports, 0);
  } finally {
    await context.close();
  }
});
