// The TypeScript declarations against tsc (typescript pinned at the repository root):
// 1. usage.ts, a program using every function, compiles (and its @ts-expect-error lines do not);
// 2. real results, each written as an object literal typed with the declared type, compile:
//    excess-property and literal-type checks make tsc flag any key the declarations lack or
//    misname, any missing key, and any value outside a declared union (a code, an outcome).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import * as mtasts from "mtasts";
import { fixtures, recordText, standinFetchPolicy, startStandin, vectors } from "./support.mjs";

const dir = join(process.cwd(), "types");

/** `[type, value]` pairs: what each function returned on inputs of every kind. */
async function samples() {
  const out = [];
  for (const { bytes } of fixtures("policies").slice(0, 40)) out.push(["LintResult<Policy>", mtasts.lintPolicy(new Uint8Array(bytes))]);
  out.push(["LintResult<Policy>", mtasts.lintPolicy("")]);
  for (const { bytes } of fixtures("txt-records")) out.push(["LintResult<StsRecord>", mtasts.lintStsRecord(recordText(bytes))]);
  for (const { bytes } of fixtures("tlsrpt-records")) out.push(["LintResult<TlsRptRecord>", mtasts.lintTlsRptRecord(recordText(bytes))]);
  for (const { input } of vectors("tlsa-record.jsonl")) out.push(["LintResult<Tlsa>", mtasts.lintTlsa(input)]);
  for (const { bytes } of fixtures("tlsrpt-reports")) out.push(["LintResult<ReportSummary>", mtasts.lintReport(new Uint8Array(bytes))]);
  // The Worker's reports view (`DomainReports`): the core's overview of the valid corpus reports,
  // as the core's example `reports_overview` computes it (what the Worker answers beside its
  // `domain`, `since`, `truncated`, `conflicts` and `received`; tests/worker compares the Worker
  // with the same example and checks `received` against the reports it stored).
  const tool = join(process.env.MTASTS_ROOT, "target/debug/examples/reports_overview");
  const valid = fixtures("tlsrpt-reports").filter((f) => f.expected?.valid).map((f) => f.path);
  for (const domain of ["example.com", "test.mailflow.ovh"]) {
    const overview = JSON.parse(execFileSync(tool, [domain, ...valid], { encoding: "utf8" }));
    assert.ok(overview.reports > 0, `${domain}: no report in the overview`);
    const received = overview.organizations.map((o, i) => ({
      id: "0".repeat(63) + i, organization: o.organization ?? "", report_id: `r-${i}`,
      start_datetime: "2026-11-30T00:00:00Z", end_datetime: "2026-11-30T23:59:59Z",
      channel: i % 2 ? "email" : "https", received_at: "2026-12-01T02:03:04Z", conflict: i === 0,
      successful: o.successful, failed: o.failed,
    }));
    out.push(["DomainReports", { domain, since: null, truncated: false, conflicts: 1, received, unverified: [], ...overview }]);
  }
  out.push(["Generated", mtasts.generate({ domain: "example.com", mx: ["mx.example.com"] })]);
  out.push(["Generated", mtasts.generate({ domain: "example.com", mx: ["mx.example.com"], rua: ["mailto:r@example.com"], mode: "enforce" })]);
  const standin = await startStandin();
  try {
    const fetchPolicy = standinFetchPolicy(standin);
    for (const domain of ["healthy-1mx.test", "healthy-3mx.test", "redirect.test", "policy-fetch-tls-expired.test", "policy-fetch-dns.test", "policy-fetch-timeout.test", "mx-cname.test", "mx-null.test", "mx-none.test", "mx-not-covered.test", "dns-lookup-failed.test", "sts-record-cname.test", "sts-record-missing.test", "policy-blank-line.test", "dane-tlsa-invalid.test"]) {
      const report = await mtasts.checkDomain(domain, { doh: standin.dohUrl, fetchPolicy });
      out.push(["CheckReport", report]);
      for (const step of report.steps) out.push(["CheckStep", step]);
    }
  } finally {
    standin.stop();
  }
  return out;
}

test("tsc accepts usage.ts and every real result against the declarations", async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(process.cwd(), "usage.ts"), join(dir, "usage.ts"));
  const all = await samples();
  const types = [...new Set(all.map(([type]) => type.replace(/^LintResult<(\w+)>$/, "$1")))];
  const lines = [`import type { LintResult, ${types.filter((t) => !t.includes("<")).join(", ")} } from "mtasts";`];
  all.forEach(([type, value], i) => lines.push(`export const sample${i}: ${type} = ${JSON.stringify(value)};`));
  writeFileSync(join(dir, "samples.ts"), lines.join("\n") + "\n");
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: "es2022",
        module: "nodenext",
        moduleResolution: "nodenext",
        lib: ["es2022", "dom", "dom.iterable"],
        types: [],
        noUncheckedIndexedAccess: true,
        exactOptionalPropertyTypes: true,
      },
      files: ["usage.ts", "samples.ts"],
    }),
  );
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8", maxBuffer: 64 << 20 });
  } catch (error) {
    output = `${error.stdout}${error.stderr}`;
  }
  assert.equal(output, "", `tsc found errors:\n${output.slice(0, 4000)}`);
  assert.ok(all.length > 150, `${all.length} samples`);
});
