// TLS-RPT reports by e-mail (RFC 8460 §5.3): the Worker's `email` event, through wrangler dev's
// local e-mail endpoint (`POST /cdn-cgi/handler/email?from=A&to=B`, the raw message as the body;
// it answers 200 when the handler took the message, 400 with the reason of a setReject, 500 when
// the handler failed: a temporary failure),
// with the stand-in as the DNS of the DKIM keys (tests/data/zones/reports.test.zone). Report
// e-mails come from independent producers: tlsrpt-reporter 0.6.0 builds them (its own code,
// tests/dkim/mail.py) and dkimpy 1.1.8 signs them with the test-only key (tests/data/dkim/), and
// the corpus's real Google and Microsoft report e-mails are re-signed with it. Every bad case gets
// its documented answer (docs/interfaces.md) and stores nothing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { deflateRawSync, gzipSync, crc32 } from "node:zlib";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, apiToken, startLocalInternet, d1Execute } from "./harness.mjs";

const NAME = "email";
const MAILBOX = "tlsrpt@reports.example.net";
const PYTHON = join(ROOT, "target/venv/bin/python");
const MAIL_TOOL = join(ROOT, "tests/dkim/mail.py");
const DKIM = join(ROOT, "tests/data/dkim");
const WORK = join(ROOT, "target/worker-test/email-mails");
const POLICY = readFileSync(join(ROOT, "tests/data/policies/rfc8461-example.txt"), "utf8");
const MAX_EMAIL = 262144;
const MAX_JSON = 1 << 20;
let net;
let operator;

before(async () => {
  operator = apiToken();
  mkdirSync(WORK, { recursive: true });
  net = await startLocalInternet({
    name: NAME,
    port: 8799,
    dir: join(ROOT, "target/worker-test/email-standin"),
    vars: {
      TLSRPT_MAILBOX: MAILBOX,
      TLSRPT_MAX_EMAIL: String(MAX_EMAIL),
      TLSRPT_MAX_JSON: String(MAX_JSON),
      EDGE_TIMEOUT_MS: "2000",
    },
  });
  for (const domain of ["policy.example", "test.xmox.nl", "cardinalhealth.ca", "healthy-1mx.test"]) {
    const r = await call("PUT", `/api/domains/${domain}/policy`, POLICY, { "content-type": "text/plain" });
    assert.equal(r.status, 201, domain);
  }
});
after(async () => { await net?.stop(); });

const call = (method, path, body, headers = {}, base = net.base) =>
  fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${operator}`, ...headers }, body });

/** Sends `raw` to the Worker's e-mail handler: { status, text }. */
async function send(raw, { from = "noreply-smtp-tls-reporting@reports.test", to = MAILBOX, base = net.base } = {}) {
  const url = `${base}/cdn-cgi/handler/email?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`;
  const r = await fetch(url, { method: "POST", body: raw });
  return { status: r.status, text: await r.text() };
}

function python(...args) {
  const run = spawnSync(PYTHON, [MAIL_TOOL, ...args], { encoding: "utf8" });
  assert.equal(run.status, 0, `mail.py ${args.join(" ")}:\n${run.stderr}`);
}

/** A report e-mail for `domain` built by tlsrpt-reporter, signed by dkimpy with `key` as `selector`. */
function tlsrptMail(domain, { to = MAILBOX, selector = "s1", key = "s1" } = {}) {
  const plain = join(WORK, `${domain}.eml`);
  const signed = join(WORK, `${domain}.${selector}.signed.eml`);
  python("tlsrpt", "--domain", domain, "--to", to, "--out", plain);
  python("sign", "--key", join(DKIM, `${key}.key.pem`), "--domain", "reports.test", "--selector", selector, plain, signed);
  return readFileSync(signed);
}

/** `message` (CRLF lines) signed by dkimpy as reports.test, selector s1. */
function signed(name, message) {
  const plain = join(WORK, `${name}.eml`);
  writeFileSync(plain, message.replace(/\r?\n/g, "\r\n"));
  const out = join(WORK, `${name}.signed.eml`);
  python("sign", "--key", join(DKIM, "s1.key.pem"), "--domain", "reports.test", "--selector", "s1", plain, out);
  return readFileSync(out);
}

const HEAD = (id) => `From: noreply@reports.test\nTo: ${MAILBOX}\nSubject: Report Domain: policy.example\nMessage-ID: <${id}@reports.test>\nTLS-Report-Domain: policy.example\nTLS-Report-Submitter: reports.test\nMIME-Version: 1.0\n`;

function reportJson(id, padding = 0) {
  return JSON.stringify({
    "organization-name": "Reports Test Org",
    "date-range": { "start-datetime": "2026-12-02T00:00:00Z", "end-datetime": "2026-12-02T23:59:59Z" },
    "contact-info": "smtp-tls-reporting@reports.test",
    "report-id": id,
    policies: [{
      policy: { "policy-type": "sts", "policy-domain": "policy.example", "mx-host": ["mx1.policy.example"] },
      summary: { "total-successful-session-count": 5, "total-failure-session-count": 0 },
      "failure-details": [],
    }],
  }) + " ".repeat(padding);
}

/** A multipart/mixed message with `parts` text parts, then one attachment. */
function withAttachment(id, { filename, type = "application/octet-stream", data, textParts = 1 }) {
  let m = HEAD(id) + `Content-Type: multipart/mixed; boundary="b"\n\n`;
  for (let i = 0; i < textParts; i++) m += `--b\nContent-Type: text/plain\n\npart ${i}\n`;
  const b64 = data.toString("base64").replace(/.{76}/g, "$&\n");
  m += `--b\nContent-Type: ${type}\nContent-Disposition: attachment; filename="${filename}"\nContent-Transfer-Encoding: base64\n\n${b64}\n--b--\n`;
  return m;
}

/** A one-member zip archive (deflate) of `data`. */
function zip(data) {
  const body = deflateRawSync(data);
  const header = Buffer.alloc(30);
  header.writeUInt32LE(0x04034b50, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(8, 8);
  header.writeUInt32LE(crc32(data), 14);
  header.writeUInt32LE(body.length, 18);
  header.writeUInt32LE(data.length, 22);
  header.writeUInt16LE(11, 26);
  return Buffer.concat([header, Buffer.from("report.json"), body]);
}

async function view(domain, base = net.base) {
  const r = await call("GET", `/api/domains/${domain}/reports`, undefined, {}, base);
  assert.equal(r.status, 200);
  return r.json();
}

const storedCount = (name = NAME) =>
  d1Execute(name, "SELECT COUNT(*) AS n FROM tlsrpt_reports")[0].results[0].n;

test("tlsrpt-reporter's report mail, signed by dkimpy: stored, shown with dkim pass", async () => {
  const raw = tlsrptMail("policy.example");
  const answer = await send(raw);
  assert.equal(answer.status, 200, answer.text);
  const reports = await view("policy.example");
  const mails = reports.received.filter((r) => r.channel === "email");
  assert.equal(mails.length, 1, JSON.stringify(reports));
  assert.equal(mails[0].dkim, "pass");
  assert.equal(mails[0].dkim_domain, "reports.test");
  assert.equal(mails[0].submitter, "reports.test");
  assert.equal(mails[0].sender, "noreply-smtp-tls-reporting@reports.test");
  assert.equal(mails[0].organization, "Reports Test Org");
  assert.equal(mails[0].successful, 10);
  assert.equal(mails[0].failed, 2);
  assert.deepEqual(reports.unverified, []);
  // The same mail again: a repeat, nothing more stored.
  const before = storedCount();
  assert.equal((await send(raw)).status, 200);
  assert.equal(storedCount(), before);
});

test("the corpus's Google and Microsoft report e-mails, re-signed: stored with dkim pass", async () => {
  for (const [file, domain] of [
    ["resigned-google-test.xmox.nl-2022-09-15.eml", "test.xmox.nl"],
    ["resigned-microsoft-test.xmox.nl-2023-01-10.eml", "test.xmox.nl"],
    ["resigned-google-cardinalhealth.ca-2024-09-03.eml", "cardinalhealth.ca"],
  ]) {
    const answer = await send(readFileSync(join(DKIM, file)));
    assert.equal(answer.status, 200, `${file}: ${answer.text}`);
  }
  const xmox = await view("test.xmox.nl");
  assert.deepEqual(xmox.received.map((r) => [r.organization, r.dkim]).sort(), [
    ["Google Inc.", "pass"], ["Microsoft Corporation", "pass"],
  ]);
  const cardinal = await view("cardinalhealth.ca");
  assert.deepEqual(cardinal.received.map((r) => r.dkim), ["pass"]);
});

test("the address: the mailbox, a +tag of it, a hosted domain's own rua; nothing else", async () => {
  const raw = tlsrptMail("healthy-1mx.test", { to: "tlsrpt@healthy-1mx.test" });
  // healthy-1mx.test publishes rua=mailto:tlsrpt@healthy-1mx.test (its zone) and is hosted here.
  assert.equal((await send(raw, { to: "tlsrpt@healthy-1mx.test" })).status, 200);
  assert.equal((await view("healthy-1mx.test")).received.length, 1);
  const before = storedCount();
  for (const to of ["postmaster@healthy-1mx.test", "tlsrpt@reports.example.org", "tlsrpt@mx-cname.test"]) {
    const answer = await send(tlsrptMail("policy.example", { to }), { to });
    assert.equal(answer.status, 400, to);
    assert.match(answer.text, /takes no TLS-RPT reports here/, to);
  }
  // A hosted domain whose _smtp._tls lookup fails (the stand-in answers REFUSED outside its
  // zones): temporary, the sender retries.
  const failing = await send(tlsrptMail("policy.example", { to: "someone@policy.example" }), { to: "someone@policy.example" });
  assert.equal(failing.status, 500, failing.text);
  assert.equal(storedCount(), before);
});

/** Each refused message: the file or message, and what the refusal must say. */
const REFUSED = () => [
  ["tampered body", readFileSync(join(DKIM, "tampered-body.eml")), /DKIM fail: .*does not verify/],
  ["tampered header", readFileSync(join(DKIM, "tampered-header.eml")), /DKIM fail: .*does not verify/],
  ["wrong key", readFileSync(join(DKIM, "wrong-key.eml")), /DKIM fail: .*does not verify/],
  ["missing key (NXDOMAIN)", readFileSync(join(DKIM, "missing-key.eml")), /DKIM permerror: .*no key at missing\._domainkey\.reports\.test/],
  ["key for e-mail only", readFileSync(join(DKIM, "email-only-key.eml")), /DKIM permerror: .*not tlsrpt/],
  ["revoked key", readFileSync(join(DKIM, "revoked-key.eml")), /DKIM permerror/],
  ["not the submitter", readFileSync(join(DKIM, "not-submitter.eml")), /DKIM fail: signed by reports\.test, but the TLS-Report-Submitter header names google\.com/],
  ["no signature", readFileSync(join(DKIM, "unsigned.eml")), /DKIM none: the report e-mail has no DKIM signature/],
  ["not a report", signed("not-a-report", HEAD("nr") + "Content-Type: text/plain\n\nhello, no report here\n"), /not a TLS-RPT report/],
  ["gzip bomb", signed("gzip-bomb", withAttachment("gz", {
    filename: "reports.test!policy.example!1!2.json.gz", type: "application/gzip",
    data: gzipSync(Buffer.from(reportJson("gz-bomb", 2 * MAX_JSON))),
  })), /over the limit of 1048576 bytes once decompressed/],
  ["zip bomb", signed("zip-bomb", withAttachment("zip", {
    filename: "report.zip", type: "application/zip", data: zip(Buffer.from(reportJson("zip-bomb", 2 * MAX_JSON))),
  })), /over the limit of 1048576 bytes once decompressed/],
  ["100 parts", signed("hundred-parts", withAttachment("parts", {
    filename: "report.json", type: "application/json", data: Buffer.from(reportJson("parts")), textParts: 100,
  })), /more than 32 MIME parts/],
  ["over TLSRPT_MAX_EMAIL", signed("too-large", withAttachment("large", {
    filename: "report.json", type: "application/json", data: Buffer.from(reportJson("large", MAX_EMAIL)),
  })), /over this intake's limit of 262144 bytes/],
];

test("bad cases: each refused with its reason, nothing stored", async () => {
  const before = storedCount();
  for (const [name, raw, reason] of REFUSED()) {
    const answer = await send(raw);
    // wrangler dev answers a setReject with 400 and the reason.
    assert.equal(answer.status, 400, name);
    assert.match(answer.text, reason, `${name}: ${answer.text}`);
  }
  assert.equal(storedCount(), before);
});

test("the good attachments the bad cases imitate are read: zip and gzip and inline JSON, signed", async () => {
  const cases = [
    withAttachment("zip-ok", { filename: "report.zip", type: "application/zip", data: zip(Buffer.from(reportJson("zip-ok"))) }),
    withAttachment("gz-ok", { filename: "x.json.gz", type: "application/gzip", data: gzipSync(Buffer.from(reportJson("gz-ok"))) }),
    HEAD("inline") + "Content-Type: application/json\n\n" + reportJson("inline-ok") + "\n",
  ];
  for (const [i, message] of cases.entries()) {
    const answer = await send(signed(`good-${i}`, message));
    assert.equal(answer.status, 200, `${i}: ${answer.text}`);
  }
  const ids = (await view("policy.example")).received.map((r) => r.report_id);
  for (const id of ["zip-ok", "gz-ok", "inline-ok"]) assert.ok(ids.includes(id), id);
});

test("a DKIM key lookup that times out: a temporary failure, nothing stored", async () => {
  const before = storedCount();
  const answer = await send(readFileSync(join(DKIM, "slow-key.eml")));
  assert.equal(answer.status, 500, answer.text);
  assert.equal(storedCount(), before);
});

test("TLSRPT_UNSIGNED=quarantine: unproven reports stored unverified, apart, out of the totals", async () => {
  const name = "email-quarantine";
  const q = await startLocalInternet({
    name,
    port: 8800,
    dir: join(ROOT, "target/worker-test/email-quarantine-standin"),
    vars: { TLSRPT_MAILBOX: MAILBOX, TLSRPT_UNSIGNED: "quarantine", EDGE_TIMEOUT_MS: "2000" },
  });
  try {
    const r = await call("PUT", "/api/domains/policy.example/policy", POLICY, { "content-type": "text/plain" }, q.base);
    assert.equal(r.status, 201);
    for (const file of ["unsigned.eml", "tampered-body.eml", "not-submitter.eml"]) {
      const answer = await send(readFileSync(join(DKIM, file)), { base: q.base });
      assert.equal(answer.status, 200, `${file}: ${answer.text}`);
    }
    let reports = await view("policy.example", q.base);
    // unsigned.eml and tampered-body.eml hold the same report: one stored, unverified.
    assert.deepEqual(reports.received, []);
    assert.deepEqual(reports.unverified.map((r) => r.dkim).sort(), ["fail", "none"]);
    assert.equal(reports.reports, 0, "unverified reports are not counted");
    // The DNS failure stays temporary; the bombs stay refused.
    assert.equal((await send(readFileSync(join(DKIM, "slow-key.eml")), { base: q.base })).status, 500);
    // The same report, now signed: the stored copy becomes verified.
    assert.equal((await send(readFileSync(join(DKIM, "pass.eml")), { base: q.base })).status, 200);
    reports = await view("policy.example", q.base);
    assert.deepEqual(reports.received.map((r) => r.dkim), ["pass"]);
    assert.equal(reports.reports, 1);
  } finally {
    await q.stop();
  }
});
