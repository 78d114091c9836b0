// Every function on the corpus: the `NAME.expected.json` beside each real policy, record and
// report (same `valid`, same codes, same parsed fields as crates/mtasts/tests/fixtures.rs), and
// the same JSON, to the last message, as the CLI's `--json` for the same input.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  generate,
  lintPolicy,
  lintReport,
  lintStsRecord,
  lintTlsa,
  lintTlsRptRecord,
  matchMx,
} from "mtasts";
import { cli, cliWithInput, codes, fixtures, recordText, vectors } from "./support.mjs";

/** Checks `result` against an expectation file: valid, codes, and the fields it names. */
function assertExpected(result, expected, name) {
  assert.equal(result.valid, expected.valid, `${name}: valid`);
  assert.deepEqual(codes(result), [...expected.codes].sort(), `${name}: codes`);
  for (const [key, want] of Object.entries(expected.value ?? {})) {
    assert.deepEqual(result.value?.[key], want, `${name}: value.${key}`);
  }
}

describe("the corpus gives its expected verdicts", () => {
  test("policies", () => {
    const files = fixtures("policies");
    assert.ok(files.length > 50);
    for (const { name, bytes, expected } of files) {
      assert.ok(expected, `${name} has an expectation`);
      assertExpected(lintPolicy(new Uint8Array(bytes)), expected, name);
    }
  });

  test("_mta-sts records", () => {
    for (const { name, bytes, expected } of fixtures("txt-records")) {
      assertExpected(lintStsRecord(recordText(bytes)), expected, name);
    }
  });

  test("_smtp._tls records", () => {
    for (const { name, bytes, expected } of fixtures("tlsrpt-records")) {
      assertExpected(lintTlsRptRecord([recordText(bytes)]), expected, name);
    }
  });

  test("TLS-RPT reports: JSON, gzip and e-mail, as bytes", () => {
    const files = fixtures("tlsrpt-reports");
    assert.ok(files.some((f) => f.name.endsWith(".gz")) && files.some((f) => f.name.endsWith(".eml")));
    for (const { name, bytes, expected } of files) {
      assertExpected(lintReport(new Uint8Array(bytes)), expected, name);
    }
  });
});

describe("the same JSON as the CLI", () => {
  test("policies", () => {
    for (const { path, bytes } of fixtures("policies")) {
      assert.deepEqual(lintPolicy(new TextDecoder().decode(bytes)), cli("lint", "policy", path), path);
    }
    for (const { input } of vectors("mta-sts-policy.jsonl")) {
      // A vector whose bytes are not UTF-8 comes as hex: those go in as a Uint8Array.
      const body = typeof input === "string" ? input : Uint8Array.from(Buffer.from(input.hex, "hex"));
      assert.deepEqual(lintPolicy(body), cliWithInput(body, "lint", "policy", "-"), JSON.stringify(input));
    }
  });

  test("_mta-sts records, one and several", () => {
    for (const { bytes } of fixtures("txt-records")) {
      const text = recordText(bytes);
      assert.deepEqual(lintStsRecord(text), cli("lint", "sts-record", "--", text), text);
    }
    for (const { input } of vectors("mta-sts-txt-lookup.jsonl")) {
      // Each RR as one string: the JavaScript API joins no character-strings.
      if (!input.rrs?.length) continue; // no RRset (a DNS failure), or none: the CLI needs one record
      const rrs = input.rrs.map((strings) => strings.join(""));
      assert.deepEqual(lintStsRecord(rrs), cli("lint", "sts-record", "--", ...rrs), JSON.stringify(rrs));
    }
    for (const { input } of vectors("mta-sts-txt-record.jsonl")) {
      assert.deepEqual(lintStsRecord([input]), cli("lint", "sts-record", "--", input), input);
    }
  });

  test("_smtp._tls records", () => {
    for (const { bytes } of fixtures("tlsrpt-records")) {
      const text = recordText(bytes);
      assert.deepEqual(lintTlsRptRecord(text), cli("lint", "tlsrpt-record", "--", text), text);
    }
    for (const { input } of vectors("tlsrpt-record.jsonl")) {
      assert.deepEqual(lintTlsRptRecord(input), cli("lint", "tlsrpt-record", "--", input), input);
    }
    const two = ["v=TLSRPTv1; rua=mailto:a@example.com", "v=TLSRPTv1; rua=mailto:b@example.com"];
    assert.deepEqual(lintTlsRptRecord(two), cli("lint", "tlsrpt-record", "--", ...two));
  });

  test("TLSA records", () => {
    for (const { input } of vectors("tlsa-record.jsonl")) {
      assert.deepEqual(lintTlsa(input), cli("lint", "tlsa", "--", input), input);
    }
  });

  test("TLS-RPT reports", () => {
    for (const { path, bytes } of fixtures("tlsrpt-reports")) {
      assert.deepEqual(lintReport(new Uint8Array(bytes)), cli("lint", "report", path), path);
    }
  });

  test("mx patterns", () => {
    const cases = vectors("mx-pattern-match.jsonl");
    assert.ok(cases.length > 5);
    for (const { input } of cases) {
      for (const pattern of input.policy_mx) {
        const { matches } = cli("match", "--", pattern, input.mx_host);
        assert.equal(matchMx(pattern, input.mx_host), matches, `${pattern} ${input.mx_host}`);
      }
    }
  });

  test("generate, but for the id (the current time)", () => {
    for (const options of [
      { domain: "example.com", mx: ["mx1.example.com"] },
      { domain: "Example.COM.", mx: ["mx1.example.com.", "*.mail.example.net"], mode: "enforce", maxAge: 86400, rua: ["mailto:tlsrpt@example.com", "https://report.example.net/v1"] },
      { domain: "example.org", mx: ["mail.example.org"], mode: "none", maxAge: 300 },
    ]) {
      const args = ["generate", options.domain, "--mode", options.mode ?? "testing", "--max-age", String(options.maxAge ?? 604800)];
      if (options.mx.length) args.push("--mx", ...options.mx);
      for (const rua of options.rua ?? []) args.push("--rua", rua);
      const ours = generate(options);
      const theirs = cli(...args);
      assert.match(ours.id, /^\d{8}T\d{6}Z$/);
      const withoutId = (g) => JSON.parse(JSON.stringify(g).replaceAll(g.id, "ID"));
      assert.deepEqual(withoutId(ours), withoutId(theirs), JSON.stringify(options));
      assert.equal(lintPolicy(ours.policy).valid, true);
    }
  });
});
