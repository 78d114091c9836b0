// The Worker over HTTP: the real build in workerd (wrangler dev) with a fresh local D1.
// Run by `make worker-test` (after `make worker-build`).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { startWorker, apiToken, requestWithHost, buildCoreOverview, coreOverview, ROOT } from "./harness.mjs";

const CORPUS = join(ROOT, "tests/data/tlsrpt-reports");
const POLICY = readFileSync(join(ROOT, "tests/data/policies/rfc8461-example.txt"), "utf8");
const MAX_READ = 25;
let worker;
let base;
let token;

before(async () => {
  token = apiToken();
  buildCoreOverview();
  worker = await startWorker({
    name: "http",
    port: 8791,
    // A higher limit so the hostile-input list is not rate limited; `.test` stays refused.
    // REPORTS_MAX_READ: above any corpus domain's count, below the many-reports case's.
    vars: {
      EDGE_RATE_PER_MINUTE: "1000", TLSRPT_MAX_BODY: "1048576", TLSRPT_MAX_JSON: "8388608",
      REPORTS_MAX_READ: String(MAX_READ), AUTH_FAILURES_PER_MINUTE: "1000", DOMAIN_TOKENS_MAX: "3",
    },
  });
  base = worker.base;
});
after(async () => { await worker?.stop(); });

const auth = () => ({ authorization: `Bearer ${token}` });
const policyAt = (domain, method = "GET", path = "/.well-known/mta-sts.txt") =>
  requestWithHost(`${base}${path}`, `mta-sts.${domain}`, method);
const put = (domain, body, headers = {}) =>
  fetch(`${base}/api/domains/${domain}/policy`, { method: "PUT", headers: { ...auth(), ...headers }, body });
const post = (body, type = "application/tlsrpt+json") =>
  fetch(`${base}/tlsrpt`, { method: "POST", headers: { "content-type": type }, body });
async function jsonOf(response) {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  return response.json();
}

test("publish, serve by Host (GET, HEAD), change, refuse invalid", async () => {
  let r = await put("hosted.example", POLICY, { "content-type": "text/plain" });
  assert.equal(r.status, 201);
  const first = await jsonOf(r);
  assert.equal(first.sts_record.name, "_mta-sts.hosted.example");
  assert.equal(first.sts_record.value, `v=STSv1; id=${first.id}`);
  assert.match(first.notice, /RFC 8461 §8\.1/);

  r = await policyAt("hosted.example");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.match(r.headers.get("cache-control"), /max-age=\d+/);
  const text = await r.text();
  assert.equal(text, POLICY.replace(/\r?\n/g, "\r\n"));
  assert.ok(!/[^\r]\n/.test(text), "CRLF line endings only");

  r = await policyAt("hosted.example", "HEAD");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "text/plain; charset=utf-8");
  assert.equal(await r.text(), "");

  r = await put("hosted.example", JSON.stringify({ mode: "testing", mx: ["mx1.hosted.example"], max_age: 86400 }), { "content-type": "application/json" });
  assert.equal(r.status, 200);
  const second = await jsonOf(r);
  assert.notEqual(second.id, first.id, "every change gets a new id");
  assert.equal(second.mode, "testing");
  assert.match(await (await policyAt("hosted.example")).text(), /^version: STSv1\r\nmode: testing\r\n/);

  // Invalid: 422 with findings, nothing changed.
  r = await put("hosted.example", "version: STSv1\nmode: enforce\nmax_age: 86400\n", { "content-type": "text/plain" });
  assert.equal(r.status, 422);
  const refused = await jsonOf(r);
  assert.ok(refused.detail.findings.some((f) => f.severity === "error"));
  assert.match(await (await policyAt("hosted.example")).text(), /mode: testing/);
  for (const [body, type, status] of [
    ["{not json", "application/json", 400],
    [JSON.stringify({ mode: "strict", mx: ["a.example"], max_age: 1 }), "application/json", 422],
    ["", "text/plain", 400],
    ["x".repeat(70_000), "text/plain", 413],
  ]) {
    r = await put("hosted.example", body, { "content-type": type });
    assert.equal(r.status, status, body.slice(0, 40));
    assert.ok((await jsonOf(r)).error);
  }
  r = await put("127.0.0.1", POLICY);
  assert.equal(r.status, 400);
});

test("unhosted domains, other paths and methods: 404/405, never a redirect", async () => {
  let r = await policyAt("nothing-here.example");
  assert.equal(r.status, 404);
  for (const path of ["/.well-known/mta-sts.txt/", "/.well-known/MTA-STS.txt", "/.well-known/mta-sts.txt.bak", "/.well-known/"]) {
    r = await policyAt("hosted.example", "GET", path);
    assert.ok(r.status < 300 || r.status >= 400, `${path} must not redirect (got ${r.status})`);
    assert.ok(!(await r.text()).includes("version: STSv1"), `${path} must not serve the policy`);
  }
  r = await policyAt("hosted.example", "POST");
  assert.equal(r.status, 405);
  r = await fetch(`${base}/.well-known/mta-sts.txt`, { redirect: "manual" });
  assert.equal(r.status, 404, "not on an mta-sts host");
  r = await fetch(`${base}/api/nothing`);
  assert.equal(r.status, 404);
  assert.ok((await jsonOf(r)).error);
  r = await fetch(`${base}/tlsrpt`);
  assert.equal(r.status, 405);
  assert.ok((await jsonOf(r)).error);
});

test("auth: missing or wrong token is 401 and changes nothing", async () => {
  await put("auth.example", POLICY, { "content-type": "text/plain" });
  const before = await (await policyAt("auth.example")).text();
  for (const headers of [{}, { authorization: "Bearer wrong" }, { authorization: `Basic ${token}` }, { authorization: `Bearer ${token}x` }]) {
    for (const [method, path, body] of [
      ["PUT", "/api/domains/auth.example/policy", "version: STSv1\nmode: none\nmax_age: 1\n"],
      ["DELETE", "/api/domains/auth.example/policy", undefined],
      ["GET", "/api/domains/auth.example/reports", undefined],
    ]) {
      const r = await fetch(`${base}${path}`, { method, headers, body });
      assert.equal(r.status, 401, `${method} ${path} ${JSON.stringify(headers)}`);
      assert.ok((await jsonOf(r)).error);
    }
  }
  assert.equal(await (await policyAt("auth.example")).text(), before);
});

test("domain tokens: at most DOMAIN_TOKENS_MAX per domain; self-service signup off by default", async () => {
  const make = () => fetch(`${base}/api/domains/quota-tokens.example/tokens`, { method: "POST", headers: auth() });
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const r = await make();
    assert.equal(r.status, 201);
    ids.push((await jsonOf(r)).id);
  }
  let r = await make();
  assert.equal(r.status, 409);
  assert.match((await jsonOf(r)).error, /3 tokens/);
  r = await fetch(`${base}/api/domains/quota-tokens.example/tokens/${ids[0]}`, { method: "DELETE", headers: auth() });
  assert.equal(r.status, 204);
  assert.equal((await make()).status, 201, "room again after a delete");
  for (const route of ["claim", "verify"]) {
    r = await fetch(`${base}/api/domains/signup-off.example/${route}`, { method: "POST", body: "{}" });
    assert.equal(r.status, 403, route);
    assert.match((await jsonOf(r)).error, /OPEN_SIGNUP/);
  }
});

test("DELETE follows RFC 8461 §8.3", async () => {
  let r = await put("gone.example", POLICY, { "content-type": "text/plain" });
  const published = await r.json();
  r = await fetch(`${base}/api/domains/gone.example/policy`, { method: "DELETE", headers: auth() });
  assert.equal(r.status, 202);
  const removal = await jsonOf(r);
  assert.equal(removal.mode, "none");
  assert.notEqual(removal.id, published.id);
  assert.equal(removal.sts_record.value, `v=STSv1; id=${removal.id}`);
  assert.ok(removal.max_age <= 86400);
  // The records may go once the previous policy's max_age (604800 s) has passed.
  assert.ok(removal.records_removable_at_unix - Date.now() / 1000 > 604800 - 60);
  const served = await (await policyAt("gone.example")).text();
  assert.match(served, /^version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n$/);
  r = await fetch(`${base}/api/domains/gone.example/policy`, { method: "DELETE", headers: auth() });
  assert.equal(r.status, 200, "a second DELETE before the time changes nothing");
  assert.equal((await r.json()).id, removal.id);
  r = await fetch(`${base}/api/domains/never.example/policy`, { method: "DELETE", headers: auth() });
  assert.equal(r.status, 404);
});

/** What the Worker files a report under, computed independently here: its policy domains, its
 * digest (a repeat is the same decoded JSON) and its identity (the same identity with another
 * digest is a conflict). */
function identityOf(report, decoded) {
  const domains = [...new Set((report.policies ?? [])
    .map((p) => p?.policy?.["policy-domain"])
    .filter((d) => typeof d === "string" && d.trim())
    .map((d) => d.trim().toLowerCase().replace(/\.$/, "")))].sort();
  const range = report["date-range"] ?? {};
  const text = (v) => (typeof v === "string" ? v : "");
  return {
    domains,
    key: createHash("sha256").update(decoded).digest("hex"),
    identity: JSON.stringify([text(report["organization-name"]), text(report["report-id"]), text(range["start-datetime"]), text(range["end-datetime"])]),
  };
}

test("TLS-RPT intake of every corpus report (JSON and gzip), repeats, summaries", async () => {
  const files = readdirSync(CORPUS).filter((f) => /\.json(\.gz)?$/.test(f) && !f.endsWith(".expected.json")).sort();
  assert.ok(files.length >= 30);
  const reports = files.map((file) => {
    const bytes = readFileSync(join(CORPUS, file));
    const decoded = file.endsWith(".gz") ? gunzipSync(bytes) : bytes;
    const json = JSON.parse(decoded.toString("utf8"));
    const expected = JSON.parse(readFileSync(join(CORPUS, `${file}.expected.json`), "utf8"));
    return { file, bytes, json, valid: expected.valid, ...identityOf(json, decoded) };
  });
  // Host every domain the corpus names (some are not valid names; their reports stay 404).
  const hosted = new Set();
  for (const domain of new Set(reports.flatMap((r) => r.domains))) {
    const r = await put(encodeURIComponent(domain), POLICY, { "content-type": "text/plain" });
    if (r.status === 201 || r.status === 200) hosted.add(domain);
  }
  assert.ok(hosted.size >= 10, `hosted ${[...hosted]}`);
  const seen = new Set();
  const storedFiles = [];
  let stored = 0;
  for (const report of reports) {
    const type = report.file.endsWith(".gz") ? "application/tlsrpt+gzip" : "application/tlsrpt+json";
    const r = await post(report.bytes, type);
    const body = await jsonOf(r);
    let want;
    if (!report.valid) want = 400;
    else if (!report.domains.some((d) => hosted.has(d))) want = 404;
    else want = seen.has(report.key) ? 200 : 201;
    assert.equal(r.status, want, `${report.file}: ${JSON.stringify(body).slice(0, 300)}`);
    if (want === 201) { seen.add(report.key); stored += 1; storedFiles.push(report); }
    if (want === 201 || want === 200) {
      // The same report again: 200, nothing stored.
      const again = await post(report.bytes, type);
      assert.equal(again.status, 200, report.file);
      assert.equal((await again.json()).stored, false);
    }
  }
  assert.ok(stored >= 20, `stored ${stored}`);

  // The reports view of every hosted domain: the core's overview of the stored reports, the same
  // as the core's overview of the files stored first for each report, computed apart from the
  // Worker (the example crates/mtasts/examples/reports_overview.rs).
  const xmox = reports.filter((r) => r.domains.includes("test.xmox.nl") && r.valid);
  assert.ok(new Set(xmox.map((x) => x.key)).size >= 2);
  for (const domain of hosted) {
    const stored = storedFiles.filter((f) => f.domains.includes(domain));
    const files = stored.map((f) => join(CORPUS, f.file));
    const answer = await reportsView(domain);
    assertOverview(answer, coreOverview(domain, files), { domain, since: null, truncated: false });
    // Each stored report listed once, by its digest; conflicts: the same identity, another digest.
    assert.deepEqual(answer.received.map((r) => r.id).sort(), stored.map((f) => f.key).sort(), domain);
    const conflicted = stored.filter((f) => storedFiles.some((g) => g.identity === f.identity && g.key !== f.key));
    assert.equal(answer.conflicts, conflicted.length, domain);
    for (const r of answer.received) {
      assert.equal(r.channel, "https");
      assert.ok(Math.abs(Date.parse(r.received_at) - Date.now()) < 600_000, r.received_at);
    }
    if (domain === "test.xmox.nl") assert.ok(answer.reports >= 2 && answer.days.length >= 1 && answer.successful > 0);
  }
});

/** `GET /api/domains/D/reports[?days=N]`, answered 200. */
async function reportsView(domain, query = "") {
  const r = await fetch(`${base}/api/domains/${encodeURIComponent(domain)}/reports${query}`, { headers: auth() });
  assert.equal(r.status, 200, `${domain}${query}`);
  return jsonOf(r);
}

/** The answer is the core's overview `want`, with `extra` (domain, since, truncated) beside it,
 * and the list of the reports read (`received`, `conflicts`). */
function assertOverview(answer, want, extra) {
  assert.deepEqual(Object.keys(answer).sort(), [...Object.keys(want), ...Object.keys(extra), "conflicts", "received", "unverified"].sort());
  assert.deepEqual(answer.unverified, [], "reports over HTTPS are never in quarantine");
  const { domain, since, truncated, conflicts, received, unverified, ...overview } = answer;
  assert.deepEqual({ domain, since, truncated }, extra);
  assert.deepEqual(overview, want, extra.domain);
  assert.equal(received.length, want.reports, extra.domain);
  assert.equal(conflicts, received.filter((r) => r.conflict).length);
}

/** A report of `policies` ([domain, successful, [[result type, mx, failed]...]]) from `start`. */
function syntheticReport(id, start, policies) {
  return JSON.stringify({
    "organization-name": `Org ${id.length % 3}`,
    "date-range": { "start-datetime": start, "end-datetime": start },
    "contact-info": "tlsrpt@sender.example",
    "report-id": id,
    policies: policies.map(([domain, successful, failures]) => ({
      policy: { "policy-type": "sts", "policy-domain": domain },
      summary: {
        "total-successful-session-count": successful,
        "total-failure-session-count": failures.reduce((n, f) => n + f[2], 0),
      },
      "failure-details": failures.map(([type, mx, n]) => ({
        "result-type": type, "receiving-mx-hostname": mx, "failed-session-count": n,
      })),
    })),
  });
}

test("reports view: ?days=N window, only the domain's policies, bounded reads", async () => {
  const dir = join(ROOT, "target/worker-test/reports-view");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const domain of ["window.example", "other.example", "many.example"]) {
    assert.equal((await put(domain, POLICY, { "content-type": "text/plain" })).status, 201);
  }
  const dayAgo = (n) => new Date(Date.now() - n * 86_400_000).toISOString().replace(/\.\d+Z$/, "Z");
  const send = async (name, text) => {
    const file = join(dir, `${name}.json`);
    writeFileSync(file, text);
    assert.equal((await post(text)).status, 201, name);
    return file;
  };
  const recent = await send("recent", syntheticReport("w-recent", dayAgo(2),
    [["window.example", 40, [["certificate-expired", "mx1.window.example", 3]]]]));
  const old = await send("old", syntheticReport("w-old", dayAgo(40),
    [["window.example", 7, [["validation-failure", "mx2.window.example.", 2]]]]));
  const undated = await send("undated", syntheticReport("w-undated", "not a date",
    [["window.example", 1, [["sts-policy-fetch-error", "MX1.window.example", 1]]]]));
  const both = await send("both", syntheticReport("w-both", dayAgo(1), [
    ["window.example", 5, [["dane-required", "mx1.window.example", 4]]],
    ["other.example", 11, [["tlsa-invalid", "mx.other.example", 6]]],
  ]));

  const today = (n) => dayAgo(n).slice(0, 10);
  assertOverview(await reportsView("window.example"), coreOverview("window.example", [recent, old, undated, both]),
    { domain: "window.example", since: null, truncated: false });
  const windowed = await reportsView("window.example", "?days=30");
  assertOverview(windowed, coreOverview("window.example", [recent, undated, both]),
    { domain: "window.example", since: today(30), truncated: false });
  assert.equal(windowed.undated_reports, 1);
  assertOverview(await reportsView("other.example"), coreOverview("other.example", [both]),
    { domain: "other.example", since: null, truncated: false });
  for (const days of ["0", "3661", "x", "-1"]) {
    const r = await fetch(`${base}/api/domains/window.example/reports?days=${days}`, { headers: auth() });
    assert.equal(r.status, 400, days);
    assert.ok((await jsonOf(r)).error);
  }

  // More reports than one answer reads: the newest MAX_READ (one a day), then `truncated`.
  const many = [];
  for (let i = 0; i < MAX_READ + 3; i++) {
    many.push(await send(`many-${i}`, syntheticReport(`m-${i}`, dayAgo(i),
      [["many.example", i, i % 2 ? [["starttls-not-supported", `mx${i % 3}.many.example`, 1]] : []]])));
  }
  await send("many-undated", syntheticReport("m-undated", "not a date", [["many.example", 1, []]]));
  const cut = await reportsView("many.example");
  assertOverview(cut, coreOverview("many.example", many.slice(0, MAX_READ)),
    { domain: "many.example", since: null, truncated: true });
  assert.equal(cut.reports, MAX_READ);
  assertOverview(await reportsView("many.example", "?days=10"), coreOverview("many.example", [...many.slice(0, 11), join(dir, "many-undated.json")]),
    { domain: "many.example", since: today(10), truncated: false });
});

test("intake refusals: malformed, wrong type, body not what it is declared, oversized, gzip bomb, unhosted", async () => {
  const good = readFileSync(join(CORPUS, "google-test.xmox.nl-2022-09-15.json"));
  const cases = [
    ["malformed JSON", "{\"organization-name\": ", "application/tlsrpt+json", 400],
    ["not an object", "[1,2,3]", "application/json", 400],
    ["no policies", "{\"report-id\":\"x\"}", "application/tlsrpt+json", 400],
    ["broken gzip", Buffer.from([0x1f, 0x8b, 8, 0, 1, 2, 3]), "application/tlsrpt+gzip", 400],
    ["empty", "", "application/tlsrpt+json", 400],
    ["text/plain", good, "text/plain", 415],
    ["no type", good, "", 415],
    ["multipart", good, "multipart/report", 415],
    ["oversized", Buffer.alloc(1_200_000, 0x20), "application/tlsrpt+json", 413],
    ["gzip bomb", gzipSync(Buffer.alloc(64 << 20, 0x30), { level: 9 }), "application/tlsrpt+gzip", 413],
    // A body is read as what it is declared (RFC 8460 §5.4), never sniffed.
    ["gzip declared JSON", gzipSync(good), "application/tlsrpt+json", 415],
    ["JSON declared gzip", good, "application/tlsrpt+gzip", 415],
    ["an e-mail declared JSON", `From: r@sender.example\r\nContent-Type: multipart/report; boundary=b\r\n\r\n--b\r\nContent-Type: application/tlsrpt+json\r\n\r\n${good}\r\n--b--\r\n`, "application/tlsrpt+json", 415],
    ["HTML declared JSON", "<html><body>hello</body></html>", "application/json", 415],
    ["unhosted", JSON.stringify({ "organization-name": "x", "date-range": { "start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z" }, "contact-info": "x", "report-id": "u1", policies: [{ policy: { "policy-type": "sts", "policy-domain": "not-hosted.example" }, summary: { "total-successful-session-count": 1, "total-failure-session-count": 0 } }] }), "application/tlsrpt+json", 404],
  ];
  for (const [name, body, type, status] of cases) {
    const headers = type ? { "content-type": type } : {};
    const r = await fetch(`${base}/tlsrpt`, { method: "POST", headers, body });
    assert.equal(r.status, status, name);
    const json = await jsonOf(r);
    assert.equal(typeof json.error, "string", name);
  }
  // A bomb sent as Content-Encoding: gzip is not inflated by anyone: refused as what it is.
  const bomb = gzipSync(Buffer.alloc(64 << 20, 0x20), { level: 9 });
  for (const [path, method, type, status] of [
    ["/tlsrpt", "POST", "application/tlsrpt+json", 415],
    ["/api/domains/hosted.example/policy", "PUT", "text/plain", 400],
  ]) {
    const r = await fetch(`${base}${path}`, { method, headers: { ...auth(), "content-type": type, "content-encoding": "gzip" }, body: bomb });
    assert.equal(r.status, status, path);
    assert.equal(typeof (await jsonOf(r)).error, "string");
  }
});

test("edge routes refuse hostile domains before any fetch, with CORS", async () => {
  const hostile = [
    "", "localhost", "foo.localhost", "127.0.0.1", "[::1]", "::1", "2130706433", "0x7f000001", "0x7f.0.0.1",
    "169.254.169.254", "10.0.0.1", "example.com:8443", "user@example.com", "user:pw@example.com",
    "https://example.com/", "example.com/.well-known/x", "example.com?x=1", "example.com#frag",
    "printer.local", "db.internal", "x.test", "router.home.arpa", "com", "a..b", "-x-.example",
    "exa mple.com", "example.com%00", "%2e%2e", "x".repeat(300) + ".com", "metadata.google.internal",
  ];
  for (const route of ["policy", "check"]) {
    for (const domain of hostile) {
      const r = await fetch(`${base}/api/${route}?domain=${encodeURIComponent(domain)}`);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(domain)}`);
      assert.equal(r.headers.get("access-control-allow-origin"), "*");
      assert.ok((await jsonOf(r)).error);
    }
  }
  // No `domain` at all.
  assert.equal((await fetch(`${base}/api/policy`)).status, 400);
  const pre = await fetch(`${base}/api/policy`, { method: "OPTIONS" });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  // Workerd logs each outbound fetch failure; there was none for the refused inputs.
  assert.ok(!/internal error; reference/.test(worker.log()), "no outbound fetch happened");
});

test("edge routes: a public name is fetched (offline here: a fetch error, reported as JSON)", async () => {
  const r = await fetch(`${base}/api/policy?domain=example.org`);
  assert.equal(r.status, 200);
  const body = await jsonOf(r);
  assert.equal(body.url, "https://mta-sts.example.org/.well-known/mta-sts.txt");
  assert.ok(body.error || body.status, JSON.stringify(body));
});

test("static assets with single-page fallback and the page's security headers", async () => {
  for (const path of ["/", "/generate", "/reports/anything"]) {
    const r = await fetch(`${base}${path}`);
    assert.equal(r.status, 200, path);
    assert.match(await r.text(), /<title>mtasts<\/title>/);
    assert.match(r.headers.get("content-type") ?? "", /^text\/html/, path);
    const csp = r.headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(csp.split(";").map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v]));
    assert.deepEqual(directives, {
      "default-src": ["'self'"],
      "script-src": ["'self'", "'wasm-unsafe-eval'"],
      "style-src": ["'self'"],
      "img-src": ["'self'", "data:"],
      // The page's own DoH queries go to DOH_URL's origin (wrangler.toml's Cloudflare here).
      // The site's resolver, and any other HTTPS resolver a user types into the page.
      "connect-src": ["'self'", "https://cloudflare-dns.com", "https:"],
      "base-uri": ["'none'"],
      "form-action": ["'self'"],
      "frame-ancestors": ["'none'"],
    }, `${path}: ${csp}`);
    assert.equal(r.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(r.headers.get("referrer-policy"), "no-referrer", path);
  }
  // The API is JSON, not the page: no page CSP there.
  assert.equal((await fetch(`${base}/api/nothing`)).headers.get("content-security-policy"), null);
});

test("GET /api/config: the page's default DoH resolver, with CORS", async () => {
  const r = await fetch(`${base}/api/config`);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  assert.deepEqual(await jsonOf(r), { doh_url: "https://cloudflare-dns.com/dns-query" });
  const pre = await fetch(`${base}/api/config`, { method: "OPTIONS" });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "*");
  assert.equal((await fetch(`${base}/api/config`, { method: "POST" })).status, 405);
});
