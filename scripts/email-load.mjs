// Throughput of the two report intakes, in one run (`make worker-email-load`, not part of
// `make test`): 16 concurrent clients post distinct reports to `POST /tlsrpt`, then 16 concurrent
// senders send distinct report e-mails (multipart/report, application/tlsrpt+gzip, signed by
// dkimpy with the test-only key) to the Worker's e-mail handler through wrangler dev's local
// endpoint, DKIM keys fetched from the stand-in's DoH. Both into the same real Worker (wrangler
// dev, fresh local D1 and R2). Prints messages per second and latencies of each; exits 1 when a
// message is not stored.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, apiToken, startLocalInternet, d1Execute } from "../tests/worker/harness.mjs";

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 16);
const COUNT = Number(process.env.LOAD_MESSAGES ?? 800);
const DOMAIN = "load-mail.example";
const MAILBOX = "tlsrpt@reports.example.net";
const DIR = join(ROOT, "target/email-load");

function report(channel, i) {
  return JSON.stringify({
    "organization-name": "Reports Test Org",
    "date-range": { "start-datetime": "2026-12-01T00:00:00Z", "end-datetime": "2026-12-01T23:59:59Z" },
    "contact-info": "smtp-tls-reporting@reports.test",
    "report-id": `${channel}-${i}`,
    policies: [{
      policy: { "policy-type": "sts", "policy-domain": DOMAIN, "mx-host": [`mx1.${DOMAIN}`] },
      summary: { "total-successful-session-count": 10 + (i % 5), "total-failure-session-count": i % 3 },
      "failure-details": i % 3 ? [{ "result-type": "certificate-expired", "receiving-mx-hostname": `mx1.${DOMAIN}`, "failed-session-count": i % 3 }] : [],
    }],
  });
}

function mail(i) {
  const gz = gzipSync(report("email", i)).toString("base64").replace(/.{76}/g, "$&\n");
  return `From: noreply-smtp-tls-reporting@reports.test\nTo: ${MAILBOX}\nSubject: Report Domain: ${DOMAIN} Submitter: reports.test Report-ID: <email-${i}@reports.test>\nDate: Tue, 01 Dec 2026 12:00:00 +0000\nMessage-ID: <load-${i}@reports.test>\nTLS-Report-Domain: ${DOMAIN}\nTLS-Report-Submitter: reports.test\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type="tlsrpt"; boundary="b"\n\n--b\nContent-Type: text/plain\n\nThis is an aggregate TLS report from reports.test\n--b\nContent-Type: application/tlsrpt+gzip\nContent-Transfer-Encoding: base64\nContent-Disposition: attachment; filename="reports.test!${DOMAIN}!1796083200!1796169599!${i}.json.gz"\n\n${gz}\n--b--\n`;
}

/** Runs `send(i)` for i in 0..COUNT over CLIENTS workers: { seconds, statuses, p50, p99 }. */
async function drive(send) {
  const statuses = {};
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CLIENTS }, async () => {
    while (next < COUNT) {
      const i = next++;
      const t = performance.now();
      const status = await send(i);
      latencies.push(performance.now() - t);
      statuses[status] = (statuses[status] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]);
  return { messages: COUNT, seconds: Number(seconds.toFixed(2)), per_second: Number((COUNT / seconds).toFixed(1)), statuses, p50_ms: at(0.5), p99_ms: at(0.99) };
}

rmSync(DIR, { recursive: true, force: true });
mkdirSync(join(DIR, "mails"), { recursive: true });
for (let i = 0; i < COUNT; i++) writeFileSync(join(DIR, "mails", `${String(i).padStart(6, "0")}.eml`), mail(i));
const signing = spawnSync(join(ROOT, "target/venv/bin/python"), [
  join(ROOT, "tests/dkim/mail.py"), "sign-dir", "--key", join(ROOT, "tests/data/dkim/s1.key.pem"),
  "--domain", "reports.test", "--selector", "s1", join(DIR, "mails"),
], { encoding: "utf8" });
if (signing.status !== 0) throw new Error(`signing failed:\n${signing.stderr}`);
const mails = readdirSync(join(DIR, "mails")).sort().map((f) => readFileSync(join(DIR, "mails", f)));

const token = apiToken();
const net = await startLocalInternet({
  name: "email-load", port: 8802, dir: join(DIR, "standin"),
  vars: { TLSRPT_MAILBOX: MAILBOX, TLSRPT_DOMAIN_DAILY_QUOTA: String(4 * COUNT), REPORTS_MAX_READ: "10000" },
});
let exit = 0;
try {
  const put = await fetch(`${net.base}/api/domains/${DOMAIN}/policy`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    body: `version: STSv1\nmode: enforce\nmx: mx1.${DOMAIN}\nmax_age: 86400\n`,
  });
  if (put.status !== 201) throw new Error(`publishing failed: ${put.status}`);
  const https = await drive(async (i) => {
    const r = await fetch(`${net.base}/tlsrpt`, { method: "POST", headers: { "content-type": "application/tlsrpt+gzip" }, body: gzipSync(report("https", i)) });
    await r.arrayBuffer();
    return r.status;
  });
  const email = await drive(async (i) => {
    const r = await fetch(`${net.base}/cdn-cgi/handler/email?from=noreply-smtp-tls-reporting%40reports.test&to=${encodeURIComponent(MAILBOX)}`, { method: "POST", body: mails[i] });
    await r.arrayBuffer();
    return r.status;
  });
  const stored = d1Execute("email-load", "SELECT channel, COUNT(*) AS n FROM tlsrpt_reports WHERE complete = 1 GROUP BY channel")[0].results;
  const byChannel = Object.fromEntries(stored.map((r) => [r.channel, r.n]));
  const result = { clients: CLIENTS, https, email, stored: byChannel };
  console.log(JSON.stringify(result, null, 2));
  if (byChannel.https !== COUNT || byChannel.email !== COUNT || https.statuses[201] !== COUNT || email.statuses[200] !== COUNT) {
    console.error("not every message was stored");
    exit = 1;
  }
} finally {
  await net.stop();
}
process.exit(exit);
