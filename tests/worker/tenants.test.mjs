// Many domain owners on one Worker: domain tokens and their scope, claim → verify through the
// stand-in's DNS, an intake no forger can bend (forged-first, closed-intake smuggling), a report
// with 500 policies, quotas and their reset, retention by the scheduled event, the move of
// reports stored before migration 0003, and a weak operator token. The real Worker in workerd
// (wrangler dev) with local D1 and R2, in front of the stand-in (DoH on 127.0.0.1).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import {
  ROOT, apiToken, startLocalInternet, startWorker, d1Execute, addStandinRecord, removeStandinRecord,
} from "./harness.mjs";

const NAME = "tenants";
const POLICY = readFileSync(join(ROOT, "tests/data/policies/rfc8461-example.txt"), "utf8");
const GOOGLE = readFileSync(join(ROOT, "tests/data/tlsrpt-reports/google-test.xmox.nl-2022-09-15.json"));
const DAILY_QUOTA = 5;
const EDGE_RATE = 3;
const AUTH_FAILURES = 10;
let net;
let base;
let operator;

before(async () => {
  operator = apiToken();
  net = await startLocalInternet({
    name: NAME,
    port: 8793,
    dir: join(ROOT, "target/worker-test/tenants-standin"),
    vars: {
      OPEN_SIGNUP: "true",
      TLSRPT_DOMAIN_DAILY_QUOTA: String(DAILY_QUOTA),
      EDGE_RATE_PER_MINUTE: String(EDGE_RATE),
      AUTH_FAILURES_PER_MINUTE: String(AUTH_FAILURES),
      SIGNUP_RATE_PER_MINUTE: "1000",
      REPORT_RETENTION_DAYS: "400",
    },
  });
  base = net.base;
});
after(async () => { await net?.stop(); });

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const call = (method, path, token, body, headers = {}) =>
  fetch(`${base}${path}`, { method, headers: { ...(token ? bearer(token) : {}), ...headers }, body });
async function jsonOf(response) {
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  return response.json();
}
const publish = (domain, token = operator) => call("PUT", `/api/domains/${domain}/policy`, token, POLICY, { "content-type": "text/plain" });
const postReport = (body) => call("POST", "/tlsrpt", null, typeof body === "string" ? body : JSON.stringify(body), { "content-type": "application/tlsrpt+json" });
const view = async (domain, token = operator) => {
  const r = await call("GET", `/api/domains/${domain}/reports`, token);
  assert.equal(r.status, 200, domain);
  return jsonOf(r);
};
async function newToken(domain) {
  const r = await call("POST", `/api/domains/${domain}/tokens`, operator);
  assert.equal(r.status, 201);
  const body = await jsonOf(r);
  assert.match(body.token, /^mtasts_[A-Za-z0-9_-]{43}$/);
  return body;
}

/** A report from `org` with `id`, one policy per [domain, successful, failed] of `policies`. */
function report(org, id, day, policies, detail = 0) {
  return {
    "organization-name": org,
    "date-range": { "start-datetime": `${day}T00:00:00Z`, "end-datetime": `${day}T23:59:59Z` },
    "contact-info": `tlsrpt@${org.toLowerCase().replace(/\W+/g, "")}.example`,
    "report-id": id,
    policies: policies.map(([domain, successful, failed]) => ({
      policy: { "policy-type": "sts", "policy-domain": domain, "mx-host": [`mx.${domain}`] },
      summary: { "total-successful-session-count": successful, "total-failure-session-count": failed },
      "failure-details": failed ? Array.from({ length: Math.max(1, detail) }, (_, i) => ({
        "result-type": "starttls-not-supported",
        "sending-mta-ip": `192.0.2.${i % 250}`,
        "receiving-mx-hostname": `mx${i}.${domain}`,
        "failed-session-count": i === 0 ? failed : 0,
        "additional-information": `https://reports.example/${"x".repeat(200)}/${i}`,
      })) : [],
    })),
  };
}

test("a domain token works on its own domain only; nothing tells other tenants' domains apart", async () => {
  for (const d of ["tenant-a.example", "tenant-b.example"]) assert.equal((await publish(d)).status, 201);
  const a = await newToken("tenant-a.example");
  const b = await newToken("tenant-b.example");
  // Its own domain: publish, read reports, list tokens.
  assert.equal((await publish("tenant-a.example", a.token)).status, 200);
  assert.equal((await call("GET", "/api/domains/tenant-a.example/reports", a.token)).status, 200);
  const listed = await jsonOf(await call("GET", "/api/domains/tenant-a.example/tokens", a.token));
  assert.deepEqual(listed.tokens.map((t) => t.id), [a.id]);
  assert.ok(!JSON.stringify(listed).includes(a.token), "a listing never shows a token");

  // Every route of another domain, hosted or not: 403, the same answer either way.
  const routes = (d, id) => [
    ["PUT", `/api/domains/${d}/policy`, POLICY],
    ["DELETE", `/api/domains/${d}/policy`],
    ["GET", `/api/domains/${d}/reports`],
    ["GET", `/api/domains/${d}/tokens`],
    ["DELETE", `/api/domains/${d}/tokens/${id}`],
  ];
  const answers = {};
  for (const other of ["tenant-b.example", "never-hosted.example"]) {
    answers[other] = [];
    for (const [method, path, body] of routes(other, b.id)) {
      const r = await call(method, path, a.token, body, body ? { "content-type": "text/plain" } : {});
      assert.equal(r.status, 403, `${method} ${path}`);
      answers[other].push(await jsonOf(r));
    }
  }
  assert.deepEqual(answers["tenant-b.example"], answers["never-hosted.example"]);
  // Operator-only routes: 403 for a domain token, even on its own domain.
  assert.equal((await call("POST", "/api/domains/tenant-a.example/tokens", a.token)).status, 403);
  assert.equal((await call("GET", `/api/reports/${"0".repeat(64)}/raw`, a.token)).status, 403);
  // Another domain's token id under this domain: as if it did not exist.
  assert.equal((await call("DELETE", `/api/domains/tenant-a.example/tokens/${b.id}`, a.token)).status, 404);
  assert.equal((await call("GET", "/api/domains/tenant-b.example/reports", b.token)).status, 200, "b's token still works");

  // Revoked by its own holder: 204, then 401.
  assert.equal((await call("DELETE", `/api/domains/tenant-a.example/tokens/${a.id}`, a.token)).status, 204);
  assert.equal((await call("GET", "/api/domains/tenant-a.example/reports", a.token)).status, 401);
  // The operator revokes b's.
  assert.equal((await call("DELETE", `/api/domains/tenant-b.example/tokens/${b.id}`, operator)).status, 204);
  assert.equal((await call("DELETE", `/api/domains/tenant-b.example/tokens/${b.id}`, operator)).status, 404);
  // Hostile input on the token routes: 4xx with a reason.
  for (const [method, path] of [
    ["POST", "/api/domains/127.0.0.1/tokens"], ["POST", "/api/domains/a..b/tokens"],
    ["DELETE", "/api/domains/tenant-b.example/tokens/%00%0a"],
  ]) {
    const r = await call(method, path, operator);
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status}`);
    assert.equal(typeof (await jsonOf(r)).error, "string");
  }
});

test("claim → verify through the DoH resolver: without the record 422, with it a token", async () => {
  const domain = "healthy-1mx.test";
  const doh = net.standin.dohUrl;
  let r = await call("POST", `/api/domains/${domain}/claim`);
  assert.equal(r.status, 202);
  const claim = await jsonOf(r);
  assert.equal(claim.challenge.name, `_mtasts-challenge.${domain}`);
  assert.equal(claim.challenge.type, "TXT");
  assert.match(claim.challenge.value, /^mtasts-verify=[A-Za-z0-9_-]{32}$/);
  assert.ok(Date.parse(claim.expires_at) > Date.now() + 3600_000);
  // Nothing is published before the proof.
  assert.equal((await publish(domain, claim.claim)).status, 401);

  const verify = (secret) => call("POST", `/api/domains/${domain}/verify`, null, JSON.stringify({ claim: secret }), { "content-type": "application/json" });
  r = await verify(claim.claim);
  assert.equal(r.status, 422, "no record yet");
  let refused = await jsonOf(r);
  assert.deepEqual(refused.detail.seen, []);
  assert.equal(refused.detail.rcode, "NXDOMAIN");
  assert.deepEqual(refused.detail.expected, claim.challenge);

  await addStandinRecord(doh, { name: claim.challenge.name, type: "TXT", value: "mtasts-verify=somebody-else" });
  r = await verify(claim.claim);
  assert.equal(r.status, 422, "another value");
  refused = await jsonOf(r);
  assert.deepEqual(refused.detail.seen, ["mtasts-verify=somebody-else"]);

  // A stranger who sees the published record and claims too cannot verify in the owner's place.
  const stranger = await jsonOf(await call("POST", `/api/domains/${domain}/claim`));
  await addStandinRecord(doh, { name: claim.challenge.name, type: "TXT", value: claim.challenge.value });
  assert.equal((await verify(stranger.claim)).status, 422, "the stranger's own challenge is not published");
  assert.equal((await verify("mtasts_claim_guessed")).status, 422);
  // The owner's claim: 201 with a domain token, once.
  r = await verify(claim.claim);
  assert.equal(r.status, 201);
  const issued = await jsonOf(r);
  assert.equal(issued.domain, domain);
  assert.match(issued.token, /^mtasts_/);
  assert.equal((await verify(claim.claim)).status, 422, "a claim verifies once");
  assert.equal((await publish(domain, issued.token)).status, 201);
  assert.equal((await publish("tenant-b.example", issued.token)).status, 403);
  await removeStandinRecord(doh, { name: claim.challenge.name, type: "TXT" });

  // An expired claim: 422 saying so (its expiry moved into the past in D1).
  const late = await jsonOf(await call("POST", `/api/domains/${domain}/claim`));
  d1Execute(NAME, `UPDATE claims SET expires_at = 1 WHERE challenge = '${late.challenge.value}'`);
  await addStandinRecord(doh, { name: late.challenge.name, type: "TXT", value: late.challenge.value });
  r = await verify(late.claim);
  assert.equal(r.status, 422);
  assert.match((await jsonOf(r)).error, /expired/);
  await removeStandinRecord(doh, { name: late.challenge.name, type: "TXT" });

  // Hostile input: 4xx with a reason, nothing stored.
  for (const [path, body, status] of [
    [`/api/domains/${domain}/verify`, "{not json", 400],
    [`/api/domains/${domain}/verify`, JSON.stringify({ claim: "x".repeat(5000) }), 413],
    [`/api/domains/${domain}/verify`, "", 400],
    [`/api/domains/${domain}/verify`, gzipSync(Buffer.alloc(16 << 20, 0x20)), 413],
    ["/api/domains/localhost/claim", "", 400],
    ["/api/domains/10.0.0.1/claim", "", 400],
    ["/api/domains/printer.local/claim", "", 400],
  ]) {
    const encoding = Buffer.isBuffer(body) ? { "content-encoding": "gzip" } : {};
    r = await call("POST", path, null, body.length ? body : undefined, { "content-type": "application/json", ...encoding });
    assert.equal(r.status, status, `${path} ${String(body).slice(0, 20)}`);
    assert.equal(typeof (await jsonOf(r)).error, "string");
  }
});

test("forged first: the real report is stored too, both listed and marked as a conflict", async () => {
  const domain = "forged.example";
  assert.equal((await publish(domain)).status, 201);
  const token = (await newToken(domain)).token;
  const day = "2026-11-30";
  // A man in the middle posts "Google's" report for the day first: 100 % success.
  const forged = report("Google Inc.", `${day}T00:00:00Z_${domain}`, day, [[domain, 5000, 0]]);
  let r = await postReport(forged);
  assert.equal(r.status, 201);
  const first = await jsonOf(r);
  assert.equal(first.conflicts_with, 0);
  // The real one, with the failures the attack caused: stored, not a "duplicate".
  const real = report("Google Inc.", `${day}T00:00:00Z_${domain}`, day, [[domain, 1200, 3800]], 3);
  r = await postReport(real);
  assert.equal(r.status, 201);
  const second = await jsonOf(r);
  assert.equal(second.stored, true);
  assert.equal(second.conflicts_with, 1);
  assert.equal(second.id, createHash("sha256").update(JSON.stringify(real)).digest("hex"));
  // A byte-identical repeat: 200, nothing new.
  r = await postReport(real);
  assert.equal(r.status, 200);
  assert.equal((await jsonOf(r)).duplicate, true);

  const answer = await view(domain, token);
  assert.equal(answer.reports, 2);
  assert.equal(answer.failed, 3800);
  assert.equal(answer.conflicts, 2);
  assert.deepEqual(answer.received.map((x) => x.id).sort(), [first.id, second.id].sort());
  for (const x of answer.received) {
    assert.equal(x.conflict, true);
    assert.equal(x.channel, "https");
    assert.equal(x.report_id, `${day}T00:00:00Z_${domain}`);
    assert.ok(Date.parse(x.received_at) <= Date.now() + 5000);
  }
  // The raw bodies are kept as received (R2), for the operator.
  r = await call("GET", `/api/reports/${second.id}/raw`, operator);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/tlsrpt+json");
  assert.deepEqual(JSON.parse(await r.text()), real);
  assert.equal((await call("GET", "/api/reports/not-an-id/raw", operator)).status, 400);
  assert.equal((await call("GET", `/api/reports/${"0".repeat(64)}/raw`, operator)).status, 404);
});

test("closed intake: only hosted policy domains are filed; the others are dropped and counted", async () => {
  assert.equal((await publish("smuggle-host.example")).status, 201);
  const r = await postReport(report("Mallory", "smuggle-1", "2026-11-29", [
    ["smuggle-host.example", 10, 0], ["victim-one.example", 1, 0], ["victim-two.example", 2, 0],
  ]));
  assert.equal(r.status, 201);
  const body = await jsonOf(r);
  assert.deepEqual(body.policy_domains, ["smuggle-host.example"]);
  assert.deepEqual(body.dropped, { not_hosted: 2, over_quota: 0 });
  for (const victim of ["victim-one.example", "victim-two.example"]) {
    const answer = await view(victim);
    assert.equal(answer.reports, 0, victim);
    assert.deepEqual(answer.received, []);
  }
  const host = await view("smuggle-host.example");
  assert.equal(host.reports, 1);
  assert.equal(host.successful, 10, "the stored row holds the hosted domain's policy only");
});

test("a report with 500 policies (about 2 MB of rows) is stored, in chunks", async () => {
  const domains = Array.from({ length: 500 }, (_, i) => `bulk-${i}.example`);
  for (const d of domains) assert.equal((await publish(d)).status, 201, d);
  const big = report("Bulk Sender", "bulk-1", "2026-11-28", domains.map((d, i) => [d, i, 1]), 8);
  const text = JSON.stringify(big);
  assert.ok(text.length > 1_500_000, `${text.length}`);
  // Gzip, as senders send it (RFC 8460 §5.4): the body is far under TLSRPT_MAX_BODY.
  const r = await call("POST", "/tlsrpt", null, gzipSync(text), { "content-type": "application/tlsrpt+gzip" });
  assert.equal(r.status, 201, JSON.stringify(await r.clone().json()).slice(0, 300));
  assert.equal((await jsonOf(r)).policy_domains.length, 500);
  for (const i of [0, 137, 499]) {
    const answer = await view(domains[i]);
    assert.equal(answer.reports, 1, domains[i]);
    assert.equal(answer.successful, i);
    assert.equal(answer.failed, 1);
  }
});

test("daily quota per policy domain: 429 with Retry-After until the UTC day ends, then taken again", async () => {
  const domain = "quota.example";
  assert.equal((await publish(domain)).status, 201);
  for (let i = 0; i < DAILY_QUOTA; i++) {
    assert.equal((await postReport(report("Q", `q-${i}`, "2026-11-27", [[domain, i, 0]]))).status, 201, `report ${i}`);
  }
  const r = await postReport(report("Q", "q-over", "2026-11-27", [[domain, 99, 0]]));
  assert.equal(r.status, 429);
  const untilMidnight = 86_400 - Math.floor(Date.now() / 1000) % 86_400;
  const retry = Number(r.headers.get("retry-after"));
  assert.ok(Math.abs(retry - untilMidnight) <= 5, `Retry-After ${retry}, midnight in ${untilMidnight}`);
  assert.equal((await jsonOf(r)).retry_after, retry);
  assert.equal((await view(domain)).reports, DAILY_QUOTA, "the refused report is not stored");
  // A new UTC day: today's counter moved back one day in D1, as if midnight had passed.
  d1Execute(NAME, `UPDATE counters SET slot = slot - 1 WHERE scope = 'tlsrpt:${domain}'`);
  assert.equal((await postReport(report("Q", "q-next-day", "2026-11-28", [[domain, 1, 0]]))).status, 201);
});

test("per-client-prefix rate limit on /api/policy: 429 with Retry-After, reset when the minute ends", async () => {
  // Start just after a minute begins, so that the limit's window does not end mid-test.
  const second = Math.floor(Date.now() / 1000) % 60;
  if (second > 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
  const ask = () => fetch(`${base}/api/policy?domain=healthy-1mx.test`);
  for (let i = 0; i < EDGE_RATE; i++) assert.equal((await ask()).status, 200, `request ${i}`);
  const r = await ask();
  assert.equal(r.status, 429);
  const retry = Number(r.headers.get("retry-after"));
  assert.ok(retry >= 1 && retry <= 60, `${retry}`);
  assert.equal(r.headers.get("access-control-allow-origin"), "*");
  // Another client prefix is not limited by this one (CF-Connecting-IP as Cloudflare sets it).
  const other = await fetch(`${base}/api/policy?domain=healthy-1mx.test`, { headers: { "cf-connecting-ip": "2001:db8:7:7::1" } });
  assert.equal(other.status, 200);
  await new Promise((resolve) => setTimeout(resolve, retry * 1000 + 500));
  assert.equal((await ask()).status, 200, "the next minute");
});

test("/api/check looks at 10 MX hosts at most, and says how many it skipped", async () => {
  const domain = "many.healthy-1mx.test";
  const hosts = Array.from({ length: 12 }, (_, i) => `mx${String(i).padStart(2, "0")}.healthy-1mx.test`);
  for (const [i, host] of hosts.entries()) {
    await addStandinRecord(net.standin.dohUrl, { name: domain, type: "MX", value: `${i + 1} ${host}` });
  }
  try {
    const r = await fetch(`${base}/api/check?domain=${domain}`);
    assert.equal(r.status, 200);
    const report = await jsonOf(r);
    const skipped = report.findings.filter((f) => f.code === "mx.hosts-skipped");
    assert.equal(skipped.length, 1, JSON.stringify(report.findings.map((f) => f.code)));
    assert.match(skipped[0].message, /12 MX hosts/);
    assert.match(skipped[0].message, /skipped 2/);
    assert.deepEqual(report.mx.map((m) => m.host), hosts.slice(0, 10), "the 10 most preferred");
    const examined = report.steps.filter((s) => String(s.name).startsWith("mx "));
    assert.equal(examined.length, 10, JSON.stringify(report.steps.map((s) => s.name)));
  } finally {
    await removeStandinRecord(net.standin.dohUrl, { name: domain, type: "MX" });
  }
});

test("retention: the scheduled event deletes reports past REPORT_RETENTION_DAYS, rows and R2 objects", async () => {
  const domain = "retention.example";
  assert.equal((await publish(domain)).status, 201);
  const oldOne = await jsonOf(await postReport(report("R", "r-old", "2025-01-01", [[domain, 1, 0]])));
  const newOne = await jsonOf(await postReport(report("R", "r-new", "2026-11-30", [[domain, 2, 0]])));
  assert.equal((await call("GET", `/api/reports/${oldOne.id}/raw`, operator)).status, 200);
  // The first arrived 401 days ago (moved back in D1), and a claim expired.
  d1Execute(NAME, `UPDATE tlsrpt_reports SET received_at = received_at - 401 * 86400 WHERE sha256 = '${oldOne.id}'`);
  const claim = await jsonOf(await call("POST", "/api/domains/healthy-3mx.test/claim"));
  d1Execute(NAME, `UPDATE claims SET expires_at = 1 WHERE challenge = '${claim.challenge.value}'`);

  const r = await fetch(`${base}/__scheduled?cron=${encodeURIComponent("17 3 * * *")}`);
  assert.equal(r.status, 200);
  const answer = await view(domain);
  assert.deepEqual(answer.received.map((x) => x.id), [newOne.id]);
  assert.equal((await call("GET", `/api/reports/${oldOne.id}/raw`, operator)).status, 404, "the R2 object is gone");
  assert.equal((await call("GET", `/api/reports/${newOne.id}/raw`, operator)).status, 200);
  const rows = d1Execute(NAME, `SELECT (SELECT COUNT(*) FROM tlsrpt_report_domains WHERE sha256 = '${oldOne.id}') AS rows,
    (SELECT COUNT(*) FROM claims WHERE expires_at <= 1) AS expired`)[0].results[0];
  assert.deepEqual(rows, { rows: 0, expired: 0 });
});

test("reports stored before migration 0003 are moved into the store by the scheduled event", async () => {
  assert.equal((await publish("test.xmox.nl")).status, 201);
  const hex = GOOGLE.toString("hex");
  const arrived = Math.floor(Date.now() / 1000) - 86_400 * 30;
  d1Execute(NAME, `INSERT INTO legacy_reports (report_key, organization, report_id, policy_domains, start_datetime,
    end_datetime, received_at, nonce, media_type, raw, summary) VALUES ('legacy-1', 'Google Inc.', 'x', 'test.xmox.nl',
    '', '', ${arrived}, 'n', 'application/tlsrpt+json', X'${hex}', '{}')`);
  assert.equal((await fetch(`${base}/__scheduled`)).status, 200);
  const answer = await view("test.xmox.nl");
  assert.equal(answer.reports, 1);
  assert.equal(answer.received[0].id, createHash("sha256").update(GOOGLE).digest("hex"));
  assert.equal(Date.parse(answer.received[0].received_at) / 1000, arrived, "its arrival time is kept");
  const left = d1Execute(NAME, "SELECT COUNT(*) AS n FROM legacy_reports")[0].results[0].n;
  assert.equal(left, 0);
});

test("repeated wrong tokens from one client prefix: 429 for every token until the minute ends", async () => {
  const domain = "tenant-b.example";
  const second = Math.floor(Date.now() / 1000) % 60;
  if (second > 45) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
  const client = { "cf-connecting-ip": "198.51.100.23" };
  for (let i = 0; i < AUTH_FAILURES; i++) {
    const r = await call("GET", `/api/domains/${domain}/reports`, `mtasts_wrong${i}`, undefined, client);
    assert.equal(r.status, 401, `attempt ${i}`);
  }
  const r = await call("GET", `/api/domains/${domain}/reports`, operator, undefined, client);
  assert.equal(r.status, 429, "even the right token, from that prefix");
  assert.ok(Number(r.headers.get("retry-after")) >= 1);
  assert.equal((await call("GET", `/api/domains/${domain}/reports`, operator)).status, 200, "other clients are not slowed");
});

test("a weak operator token: every change refused with a JSON 500 saying why", async () => {
  for (const weak of ["short-token", "replace-me-with-at-least-32-random-characters"]) {
    const worker = await startWorker({ name: "weak-token", port: 8794, vars: { API_TOKEN: weak, OPEN_SIGNUP: "true" } });
    try {
      for (const [method, path, body] of [
        ["PUT", "/api/domains/weak.example/policy", POLICY],
        ["DELETE", "/api/domains/weak.example/policy"],
        ["POST", "/api/domains/weak.example/tokens"],
        ["POST", "/api/domains/weak.example/claim"],
      ]) {
        const r = await fetch(`${worker.base}${path}`, { method, headers: bearer(weak), body });
        assert.equal(r.status, 500, `${weak} ${method} ${path}`);
        assert.match((await jsonOf(r)).error, /API_TOKEN/);
      }
      // The weak token opens nothing to read either.
      const r = await fetch(`${worker.base}/api/domains/weak.example/reports`, { headers: bearer(weak) });
      assert.equal(r.status, 500);
    } finally {
      await worker.stop();
    }
  }
});
