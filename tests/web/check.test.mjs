// The domain check as a user runs it: the page queries the stand-in's DoH resolver from the
// browser and fetches the policy through the Worker (/api/policy); what it shows must be what
// tests/data/zones/NAME.expected.json says and what the CLI reports against the same stand-in.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  webSuite, openPage, assertLocalOnly, assertLandmarks, assertAccessible,
  expectedCheck, cliCheck, runCheck, waitForVerdict, screenshot, assertNoHorizontalScroll, PHONE,
} from "./support.mjs";

const suite = webSuite();

/** What the page shows once the check is done. */
async function shown(page) {
  const senders = {};
  for (const row of await page.locator("table[data-testid=senders] tr[data-sender]").all()) {
    senders[await row.getAttribute("data-sender")] = {
      outcome: await row.getAttribute("data-outcome"),
      text: await row.innerText(),
    };
  }
  const codes = await page.locator("[data-testid=findings] li[data-code]").evaluateAll(
    (items) => [...new Set(items.map((li) => li.dataset.code))].sort(),
  );
  const severities = await page.locator("[data-testid=findings] li[data-code]").evaluateAll(
    (items) => items.map((li) => [li.dataset.code, li.dataset.severity]),
  );
  const mx = await page.locator("table[data-testid=mx-table] tr[data-host]").evaluateAll(
    (rows) => rows.map((tr) => tr.dataset.host),
  );
  const steps = await page.locator("ol[data-testid=steps] > li[data-step]").evaluateAll(
    (items) => items.map((li) => [li.dataset.step, li.dataset.status]),
  );
  return { senders, codes, severities, mx, steps };
}

for (const domain of ["healthy-1mx.test", "healthy-3mx.test", "mx-not-covered.test", "redirect.test", "policy-fetch-dns.test"]) {
  test(`check ${domain}: the verdict, senders, findings and MX hosts of the core`, async () => {
    const want = expectedCheck(domain);
    const core = cliCheck(domain, suite.server.standin);
    const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
    try {
      await page.goto("/");
      await assertLandmarks(page);
      // The default resolver comes from the Worker's /api/config: the stand-in's.
      await page.getByLabel("DoH resolver").waitFor();
      await page.waitForFunction((url) => document.querySelector("input#doh").value === url, suite.server.standin.dohUrl, { timeout: 5000 })
        .catch(async () => assert.fail(`#doh is ${await page.locator("input#doh").inputValue()}, not the Worker's DOH_URL`));
      assert.equal(await page.getByLabel("Domain", { exact: true }).getAttribute("id"), "domain");

      const verdict = await runCheck(page, domain);
      assert.equal(verdict, want.verdict, "verdict");
      const got = await shown(page);
      assert.deepEqual(
        Object.fromEntries(Object.entries(got.senders).map(([id, s]) => [id, s.outcome])),
        want.senders,
        "sender outcomes",
      );
      for (const [profile, response] of Object.entries(want.responses ?? {})) {
        assert.ok(got.senders[profile].text.includes(response), `${profile} shows "${response}": ${got.senders[profile].text}`);
      }
      assert.deepEqual(got.codes, want.codes, "finding codes");
      for (const [code, severity] of got.severities) {
        const finding = core.findings.find((f) => f.code === code);
        assert.equal(severity, finding.severity, `severity of ${code}`);
      }
      assert.deepEqual(got.mx, core.mx.map((m) => m.host), "MX table");
      assert.deepEqual(got.steps.toSorted(), core.steps.map((s) => [s.name, s.status]).toSorted(), "steps");
      assert.equal(await page.getByRole("button", { name: "Copy JSON" }).count(), 1, "Copy JSON");
      assert.equal(await page.locator("[role=alert]").count(), 0, "no error shown");
      await assertAccessible(page, `/ ${domain}`);
      await screenshot(page, `check-${domain.replace(/\.test$/, "")}`);
      assert.deepEqual(problems, []);
      assertLocalOnly(requests);
    } finally {
      await context.close();
    }
  });
}

test("/?domain=D starts the check, shows progress; Copy JSON copies the core's report", async () => {
  const domain = "mx-not-covered.test";
  const core = cliCheck(domain, suite.server.standin);
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base, {
    permissions: ["clipboard-read", "clipboard-write"],
  });
  try {
    // A slower resolver (300 ms an answer), so the progress can be seen.
    await page.route(`${suite.server.standin.dohUrl}**`, async (route) => {
      await new Promise((r) => setTimeout(r, 300));
      await route.continue();
    });
    await page.goto(`/?domain=${domain}`);
    await page.locator("[data-testid=progress]").waitFor({ state: "visible" });
    assert.equal(await waitForVerdict(page), core.verdict);
    assert.equal(await page.locator("input#domain").inputValue(), domain);
    const line = page.locator("[data-testid=resolver-in-use]");
    assert.equal(await line.getAttribute("data-origin"), "site");
    assert.equal(await line.innerText(), `Resolver used: ${suite.server.standin.dohUrl} (this site's)`);
    assert.equal(await page.locator(".link-resolver").count(), 0, "no notice without a doh in the link");
    await page.getByRole("button", { name: "Copy JSON" }).click();
    const copied = JSON.parse(await page.evaluate(() => navigator.clipboard.readText()));
    assert.equal(copied.domain, domain);
    assert.equal(copied.verdict, core.verdict);
    assert.deepEqual(copied.sender_matrix.map((s) => [s.profile, s.outcome]), core.sender_matrix.map((s) => [s.profile, s.outcome]));
    assert.deepEqual(copied.findings.map((f) => f.code).sort(), core.findings.map((f) => f.code).sort());
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("a domain that is not one is refused with an alert, before any query", async () => {
  const { context, page, requests } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto("/");
    await page.locator("input#domain").fill("not a domain");
    await page.locator("input#domain").press("Enter");
    await page.locator("[role=alert]").first().waitFor();
    assert.ok((await page.locator("[role=alert]").first().innerText()).trim().length > 0);
    assert.equal(await page.locator("[data-testid=verdict]").count(), 0);
    assert.ok(!requests.some((url) => url.startsWith(suite.server.standin.dohUrl)), "no DoH query");
  } finally {
    await context.close();
  }
});

test("a policy fetch the Worker refuses (rate limit) ends the check with an alert, not a verdict", async () => {
  const { context, page } = await openPage(suite.browser, suite.server.base);
  try {
    // The Worker's 429 answer, as worker/src/edge.rs words it.
    await page.route("**/api/policy?**", (route) => route.fulfill({
      status: 429,
      contentType: "application/json",
      body: JSON.stringify({ error: "too many checks from this client; retry in 42 s", retry_after: 42 }),
    }));
    await page.goto("/?domain=healthy-1mx.test");
    const alert = page.locator("[role=alert]").first();
    await alert.waitFor();
    assert.match(await alert.innerText(), /too many checks/);
    assert.equal(await page.locator("[data-testid=verdict]").count(), 0, "no verdict on a check that did not run");
  } finally {
    await context.close();
  }
});

test("the check on a phone, light and dark: no horizontal scrolling, accessible", async () => {
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base, { viewport: PHONE });
  try {
    for (const colorScheme of ["light", "dark"]) {
      await page.emulateMedia({ colorScheme });
      await page.goto("/?domain=mx-not-covered.test");
      await waitForVerdict(page);
      const width = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
      assert.ok(width[0] <= width[1], `${colorScheme}: ${width[0]} px wide in ${width[1]} px`);
      await assertAccessible(page, `/ result, 375 px, ${colorScheme}`);
      await screenshot(page, `check-result-375-${colorScheme}`);
    }
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

/** A resolver the site did not suggest: the stand-in's, under another URL (the same origin, so the
 * page's CSP lets it through and the stand-in answers), which the request log tells apart. */
function linkResolver(server) {
  return `${server.standin.dohUrl}?resolver=from-the-link`;
}

/** The DoH requests among `requests`, by URL: { site, link, other }. */
function dohRequests(requests, server) {
  const link = linkResolver(server);
  const doh = requests.filter((url) => url.startsWith(server.standin.dohUrl));
  return {
    site: doh.filter((url) => url === server.standin.dohUrl).length,
    link: doh.filter((url) => url === link).length,
    other: doh.filter((url) => url !== server.standin.dohUrl && url !== link),
  };
}

/** Opens `query` and waits until the page knows the site's resolver and shows the link's notice. */
async function openWaiting(page, query) {
  await page.goto(`/${query}`);
  const notice = page.locator("[data-testid=link-resolver] .link-resolver");
  await notice.waitFor({ state: "visible" });
  // Whatever the page would start on its own starts with the notice; give it time to show.
  await page.waitForTimeout(750);
  return notice;
}

test("a link with another resolver fills the box and runs nothing until Check, which uses it", async () => {
  const domain = "healthy-1mx.test";
  const want = expectedCheck(domain);
  const link = linkResolver(suite.server);
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    const notice = await openWaiting(page, `?domain=${domain}&doh=${encodeURIComponent(link)}`);
    assert.deepEqual(dohRequests(requests, suite.server), { site: 0, link: 0, other: [] }, "no DoH query before Check");
    assert.equal(await page.locator("[data-testid=progress]").count(), 0, "no check in progress");
    assert.equal(await page.locator("[data-testid=verdict]").count(), 0, "no verdict");
    assert.equal(await page.locator("input#domain").inputValue(), domain);
    assert.equal(await page.locator("input#doh").inputValue(), link, "the box holds the link's resolver");
    const said = await notice.innerText();
    assert.match(said, /The check has not run\./);
    assert.ok(said.includes(link), `the notice names the resolver: ${said}`);
    assert.match(said, /Press Check to run it with that resolver/);
    assert.equal(await page.locator("[data-testid=link-resolver]").getAttribute("role"), "status");
    const line = page.locator("[data-testid=resolver-in-use]");
    assert.equal(await line.getAttribute("data-origin"), "link");
    assert.equal(await line.innerText(), `Resolver: ${link} (from the link)`);
    assert.equal(await page.locator("input#doh").getAttribute("aria-describedby"), "doh-in-use doh-hint");
    await assertAccessible(page, "/ waiting on a link's resolver");
    await screenshot(page, "check-link-resolver");

    // The user presses Check: the check runs, with the resolver the box holds.
    await page.locator("form[role=search]").getByRole("button", { name: "Check", exact: true }).click();
    assert.equal(await waitForVerdict(page), want.verdict);
    const used = dohRequests(requests, suite.server);
    assert.ok(used.link > 0, "the check queried the link's resolver");
    assert.equal(used.site, 0, "and not the site's");
    assert.deepEqual(used.other, []);
    assert.equal(await line.innerText(), `Resolver used: ${link} (from the link)`);
    assert.equal(await page.locator(".link-resolver").count(), 0, "the notice is gone once the check ran");
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("the link's notice offers this site's resolver instead, and checks with it", async () => {
  const domain = "mx-not-covered.test";
  const want = expectedCheck(domain);
  const link = linkResolver(suite.server);
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base);
  try {
    const notice = await openWaiting(page, `?domain=${domain}&doh=${encodeURIComponent(link)}`);
    assert.equal(dohRequests(requests, suite.server).link, 0);
    await notice.getByRole("button", { name: "Check with this site's resolver" }).click();
    assert.equal(await waitForVerdict(page), want.verdict);
    const used = dohRequests(requests, suite.server);
    assert.ok(used.site > 0, "the check queried the site's resolver");
    assert.equal(used.link, 0, "and never the link's");
    assert.equal(await page.locator("input#doh").inputValue(), suite.server.standin.dohUrl);
    const line = page.locator("[data-testid=resolver-in-use]");
    assert.equal(await line.getAttribute("data-origin"), "site");
    assert.equal(await line.innerText(), `Resolver used: ${suite.server.standin.dohUrl} (this site's)`);
    // The permalink no longer carries the link's resolver.
    assert.equal(new URL(page.url()).searchParams.get("doh"), null);
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});

test("a link whose doh is this site's resolver runs the check at once", async () => {
  const domain = "healthy-1mx.test";
  const { context, page, requests } = await openPage(suite.browser, suite.server.base);
  try {
    await page.goto(`/?domain=${domain}&doh=${encodeURIComponent(suite.server.standin.dohUrl)}`);
    assert.equal(await waitForVerdict(page), expectedCheck(domain).verdict);
    assert.ok(dohRequests(requests, suite.server).site > 0);
    assert.equal(await page.locator(".link-resolver").count(), 0);
    assert.equal(await page.locator("[data-testid=resolver-in-use]").getAttribute("data-origin"), "site");
  } finally {
    await context.close();
  }
});

test("a hostile doh in the link, on a phone in the dark: shown without control characters, accessible", async () => {
  const { context, page, requests, problems } = await openPage(suite.browser, suite.server.base, {
    viewport: PHONE, colorScheme: "dark",
  });
  try {
    // Line breaks, a bell, a right-to-left override and an isolate, and a very long tail.
    const hostile = `https://resolver.example/dns-query?a=1\r\n\u0007\u202Egro.live\u2066${"x".repeat(400)}`;
    const clean = `https://resolver.example/dns-query?a=1gro.live${"x".repeat(400)}`;
    const notice = await openWaiting(page, `?domain=healthy-1mx.test&doh=${encodeURIComponent(hostile)}`);
    assert.equal(await page.locator("input#doh").inputValue(), clean, "the box holds the link's resolver, cleaned");
    // The text itself (textContent: no line breaks of the layout), URL and all.
    const texts = [await notice.textContent(), await page.locator("[data-testid=resolver-in-use]").textContent()];
    for (const text of texts) {
      assert.doesNotMatch(text, /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u, `no control characters in ${JSON.stringify(text)}`);
      assert.ok(text.includes(`${clean.slice(0, 200)}…`), `the URL is cut after 200 characters: ${text}`);
      assert.ok(!text.includes(clean), "and not shown in full");
    }
    assert.equal(requests.filter((url) => url.includes("/dns-query")).length, 0, "no DoH query");
    assert.equal(await page.locator("[data-testid=verdict]").count(), 0);
    await assertNoHorizontalScroll(page, "/ waiting, 375 px, dark");
    await assertAccessible(page, "/ waiting on a link's resolver, 375 px, dark");
    await screenshot(page, "check-link-resolver-375-dark");
    assert.deepEqual(problems, []);
    assertLocalOnly(requests);
  } finally {
    await context.close();
  }
});
