// The API's edges: what each function accepts, what it says when it cannot, and values the CLI's
// JSON carries that a JavaScript number cannot hold exactly.
import assert from "node:assert/strict";
import { test } from "node:test";
import { generate, lintPolicy, lintReport, lintStsRecord, lintTlsa, lintTlsRptRecord, matchMx } from "mtasts";

const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmax_age: 604800\r\n";

test("a policy as text or as bytes, UTF-8 or not", () => {
  assert.deepEqual(lintPolicy(POLICY), lintPolicy(new TextEncoder().encode(POLICY)));
  assert.equal(lintPolicy(POLICY).valid, true);
  const bom = lintPolicy("\uFEFF" + POLICY);
  assert.ok(bom.findings.some((f) => f.code === "policy.bom"));
  const latin1 = Uint8Array.from([...new TextEncoder().encode(POLICY), ...new TextEncoder().encode("comment: caf"), 0xe9, 0x0d, 0x0a]);
  assert.equal(typeof lintPolicy(latin1).valid, "boolean");
});

test("records: one string, or the RRset as an array", () => {
  assert.deepEqual(lintStsRecord("v=STSv1; id=1"), lintStsRecord(["v=STSv1; id=1"]));
  assert.ok(lintStsRecord(["v=STSv1; id=1", "v=STSv1; id=2"]).findings.some((f) => f.code === "sts-record.multiple"));
  assert.ok(lintStsRecord([]).findings.some((f) => f.code === "sts-record.missing"));
  assert.equal(lintTlsRptRecord("v=TLSRPTv1; rua=mailto:a@example.com").value.rua[0], "mailto:a@example.com");
  assert.equal(lintTlsa("3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6").value.data_len, 32);
});

test("a report's counts past 2^53 come back as the nearest number, as JSON.parse gives them", () => {
  const report = JSON.stringify({
    "organization-name": "Example",
    "date-range": { "start-datetime": "2024-01-01T00:00:00Z", "end-datetime": "2024-01-01T23:59:59Z" },
    "contact-info": "x@example.com",
    "report-id": "1",
    policies: [{ policy: { "policy-type": "sts", "policy-domain": "example.com" }, summary: { "total-successful-session-count": 1, "total-failure-session-count": 0 } }],
  }).replace('"total-successful-session-count":1', '"total-successful-session-count":18446744073709551615');
  const result = lintReport(report);
  assert.equal(result.value.successful, 18446744073709551615);
  assert.equal(result.value.policies[0].successful, 2 ** 64);
});

test("the same report as a string and as bytes", () => {
  const report = '{"organization-name":"x","policies":[]}';
  assert.deepEqual(lintReport(report), lintReport(new TextEncoder().encode(report)));
});

test("matchMx", () => {
  assert.equal(matchMx("*.example.com", "mx1.example.com."), true);
  assert.equal(matchMx("*.example.com", "a.b.example.com"), false);
  assert.equal(matchMx("mail.example.com", "MAIL.example.com"), true);
});

test("generate: defaults, and an Error that says what is wrong", () => {
  const generated = generate({ domain: "example.com", mx: ["mx1.example.com"] });
  assert.match(generated.policy, /mode: testing\r\n/);
  assert.match(generated.policy, /max_age: 604800\r\n/);
  assert.equal(generated.tlsrpt_record, null);
  const id = Number(generated.id.slice(0, 8));
  assert.ok(id >= 20240101, generated.id);
  for (const [options, message] of [
    [{ domain: "example.com", mx: [] , mode: "enforce" }, /mode enforce needs at least one mx host/],
    [{ domain: "example.com", mx: ["mx.example.com"], maxAge: 0 }, /max_age/],
    [{ domain: "example.com", mx: ["mx.example.com"], maxAge: 1.5 }, /generate: options: /],
    [{ domain: "example.com", mx: ["mx.example.com"], mode: "strict" }, /generate: options: unknown variant `strict`/],
    [{ domain: "example.com", mx: ["mx.example.com"], max_age: 1 }, /generate: unknown option "max_age" \(the options are domain, mx, mode, maxAge, rua\)/],
    [{ mx: ["mx.example.com"] }, /generate: options: missing field `domain`/],
    [{ domain: "example.com", mx: ["mx.example.com"], rua: ["http://insecure.example"] }, /http:\/\/insecure.example/],
    ["example.com", /generate: options must be an object, not a string/],
  ]) {
    assert.throws(() => generate(options), (error) => error instanceof Error && message.test(error.message), JSON.stringify(options));
  }
});

test("arguments of the wrong type: an Error naming the function and the argument", () => {
  assert.throws(() => lintPolicy(undefined), { message: "lintPolicy: text must be a Uint8Array or a string, not undefined" });
  assert.throws(() => lintStsRecord(["a", 1]), { message: "lintStsRecord: records must be a string or an array of strings, not a number" });
  assert.throws(() => lintTlsa(null), { message: "lintTlsa: rdata must be a string, not null" });
  assert.throws(() => lintReport({}), { message: "lintReport: body must be a Uint8Array or a string, not an object" });
  assert.throws(() => matchMx("a"), { message: "matchMx: host must be a string, not undefined" });
});

test("huge inputs are read only as far as the CLI reads them: an answer, never a trap", async () => {
  const { cliWithInput } = await import("./support.mjs");
  const big = POLICY + "mx: m.example.com\r\n".repeat(120_000); // about 2.3 MB
  const ours = lintPolicy(big);
  assert.ok(ours.findings.some((f) => f.code === "policy-fetch.too-large"));
  assert.deepEqual(ours, cliWithInput(big, "lint", "policy", "-"), "the same first MiB as the CLI");
  assert.deepEqual(lintPolicy(new TextEncoder().encode(big)), ours);

  const huge = new Uint8Array(256 << 20).fill(0x20);
  const report = lintReport(huge);
  assert.deepEqual(report.findings.map((f) => f.code), ["report.too-large"]);
  const record = lintStsRecord("v=STSv1; id=1; x=" + "a".repeat(256 << 20));
  assert.equal(record.valid, false);
  assert.equal(matchMx("a".repeat(64 << 20), "a.example.com"), false);
});
