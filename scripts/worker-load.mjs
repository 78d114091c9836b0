// Load test of TLS-RPT intake (`make worker-load`, not part of `make test`): 16 concurrent
// clients send 2 000 reports each to the real Worker (wrangler dev, fresh local D1 and R2,
// 127.0.0.1 only), spread over four hosted domains: 10% malformed, 5% repeats, a few gzip bombs,
// the rest distinct reports (half gzip). Afterwards the reports stored (in D1, and in the reports
// views) must equal the distinct well-formed reports answered 201, and no request may have had a
// 5xx. Exits 1 otherwise.
import { gzipSync } from "node:zlib";
import { startWorker, apiToken, d1Execute } from "../tests/worker/harness.mjs";

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 16);
const TOTAL = CLIENTS * Number(process.env.LOAD_REPORTS_PER_CLIENT ?? 2000);
const BOMBS = 16;
const DOMAINS = ["load-a.example", "load-b.example", "load-c.example", "load-d.example"];

function report(i) {
  const DOMAIN = DOMAINS[i % DOMAINS.length];
  return JSON.stringify({
    "organization-name": `Load Org ${i % 7}`,
    "date-range": { "start-datetime": "2026-01-01T00:00:00Z", "end-datetime": "2026-01-01T23:59:59Z" },
    "contact-info": "tlsrpt@sender.example",
    "report-id": `load-${i}`,
    policies: [{
      policy: { "policy-type": "sts", "policy-string": ["version: STSv1", "mode: enforce", "mx: mx.load.example", "max_age: 86400"], "policy-domain": DOMAIN },
      summary: { "total-successful-session-count": 10 + (i % 5), "total-failure-session-count": i % 3 },
      "failure-details": i % 3 ? [{ "result-type": "certificate-expired", "receiving-mx-hostname": `mx${i % 4}.load.example`, "failed-session-count": i % 3 }] : [],
    }],
  });
}

const bomb = gzipSync(Buffer.alloc(64 << 20, 0x20), { level: 9 });
const plan = [];
const wellFormed = [];
for (let i = 0; i < TOTAL; i++) {
  if (i % 10 === 3) plan.push({ kind: "malformed", body: `{"report-id": "broken-${i}", "policies": [`, type: "application/tlsrpt+json" });
  else if (i % 20 === 7 && wellFormed.length) plan.push({ kind: "repeat", ...wellFormed[(i * 7919) % wellFormed.length] });
  else if (i % Math.floor(TOTAL / BOMBS) === 11) plan.push({ kind: "bomb", body: bomb, type: "application/tlsrpt+gzip" });
  else {
    const text = report(i);
    const item = i % 2 ? { body: gzipSync(text), type: "application/tlsrpt+gzip" } : { body: text, type: "application/tlsrpt+json" };
    wellFormed.push(item);
    plan.push({ kind: "new", ...item });
  }
}

const token = apiToken();
// The reports view reads every stored report here (its default is 1000 per answer).
// The quota is raised: this measures that every distinct report is kept, not the quota.
const worker = await startWorker({
  name: "load", port: 8795,
  vars: { REPORTS_MAX_READ: "10000", TLSRPT_DOMAIN_DAILY_QUOTA: String(TOTAL) },
});
let exit = 0;
try {
  const base = worker.base;
  for (const domain of DOMAINS) {
    const put = await fetch(`${base}/api/domains/${domain}/policy`, {
      method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
      body: `version: STSv1\nmode: enforce\nmx: mx.${domain}\nmax_age: 86400\n`,
    });
    if (put.status !== 201) throw new Error(`publishing failed: ${put.status}`);
  }
  const statuses = {};
  const byKind = {};
  let next = 0;
  const started = performance.now();
  const latencies = [];
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < plan.length) {
      const item = plan[next++];
      const t = performance.now();
      const r = await fetch(`${base}/tlsrpt`, { method: "POST", headers: { "content-type": item.type }, body: item.body });
      await r.arrayBuffer();
      latencies.push(performance.now() - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      const k = `${item.kind} ${r.status}`;
      byKind[k] = (byKind[k] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  let viewed = 0;
  for (const domain of DOMAINS) {
    const view = await (await fetch(`${base}/api/domains/${domain}/reports`, { headers: { authorization: `Bearer ${token}` } })).json();
    if (view.truncated) throw new Error(`${domain}: the view was cut`);
    viewed += view.reports;
  }
  const stored = d1Execute("load", "SELECT COUNT(*) AS n FROM tlsrpt_reports WHERE complete = 1")[0].results[0].n;
  const created = statuses[201] ?? 0;
  const fiveHundreds = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((n, [, c]) => n + c, 0);
  const distinct = wellFormed.length;
  console.log(JSON.stringify({
    clients: CLIENTS, requests: plan.length, seconds: Number(seconds.toFixed(2)),
    requests_per_second: Math.round(plan.length / seconds),
    p50_ms: Number(latencies[Math.floor(latencies.length * 0.5)].toFixed(1)),
    p99_ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(1)),
    statuses, by_kind: byKind, distinct_well_formed: distinct, answered_201: created, stored, in_views: viewed,
  }, null, 2));
  if (fiveHundreds > 0) { console.error(`FAIL: ${fiveHundreds} answers were 5xx`); exit = 1; }
  if (stored !== created || viewed !== created || created !== distinct) {
    console.error(`FAIL: stored ${stored}, in the views ${viewed}, answered 201 ${created}, distinct well-formed ${distinct}`);
    exit = 1;
  }
} finally {
  await worker.stop();
}
process.exit(exit);
