// `make bench`, the report-reading row: the native reader (crates/mtasts/benches/read.rs,
// mtasts::lint_report) against parsedmarc (scripts/bench-parsedmarc.py, pinned in
// tests/bench-requirements.txt, `make bench-venv`) on the same files, parsedmarc run right before and right
// after ours: the corpus reports of tests/data/tlsrpt-reports that parsedmarc accepts (many
// small ones), then one report of about 10 MB made of them as the npm benchmark makes its own.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../tests/worker/harness.mjs";
import { benchLine } from "./bench-line.mjs";

const PYTHON = join(ROOT, "target/bench-venv/bin/python");
const REPORT_SIZE = 10 << 20;
const dir = join(ROOT, "tests/data/tlsrpt-reports");
const corpus = readdirSync(dir)
  .filter((name) => name.endsWith(".json") && !name.endsWith(".expected.json"))
  .sort()
  .map((name) => join(dir, name));

/** The ~10 MB report: the first report's header with every report's policies, repeated (of the
 * reports parsedmarc accepts, so that it reads this one too). */
function mergedReport(files) {
  const reports = files.map((path) => JSON.parse(readFileSync(path, "utf8")));
  const policies = reports.flatMap((report) => (Array.isArray(report.policies) ? report.policies : []));
  const rounds = Math.floor(REPORT_SIZE / JSON.stringify(policies).length) + 1;
  const report = { ...reports[0], policies: Array.from({ length: rounds }, () => policies).flat() };
  mkdirSync(join(ROOT, "target/bench"), { recursive: true });
  const path = join(ROOT, "target/bench/merged-report.json");
  writeFileSync(path, JSON.stringify(report));
  return path;
}

const parsedmarc = (files, ...flags) =>
  JSON.parse(execFileSync(PYTHON, [join(ROOT, "scripts/bench-parsedmarc.py"), ...flags, ...files], { encoding: "utf8" }));
const ours = (files) =>
  JSON.parse(execFileSync("cargo", ["bench", "-q", "-p", "mtasts", "--bench", "read", "--", ...files], {
    cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"],
  }).trim().split("\n").pop());

/** parsedmarc, ours, parsedmarc again over `files`: the ratio against parsedmarc's mean. */
function compare(label, files) {
  const before = parsedmarc(files);
  const native = ours(files);
  const after = parsedmarc(files);
  const anchor = (before.mb_per_s + after.mb_per_s) / 2;
  const ratio = native.mb_per_s / anchor;
  console.log(`${label}: ${files.length} files, ${native.bytes} bytes; ours ${native.mb_per_s} MB/s, parsedmarc ${before.parsedmarc} ${before.mb_per_s} MB/s before and ${after.mb_per_s} MB/s after: ${ratio.toFixed(2)}x`);
  return { ratio, native, anchor };
}

const { accepted, refused } = parsedmarc(corpus, "--accepted-only");
console.log(`corpus: ${corpus.length} JSON reports, ${accepted.length} accepted by parsedmarc (${refused.length} refused, left out of both sides)`);
const small = compare("corpus reports", accepted);
const big = compare("one ~10 MB report", [mergedReport(accepted)]);
benchLine("report reading vs parsedmarc (corpus)", Number(small.ratio.toFixed(2)), `${small.ratio.toFixed(2)}x faster (${small.native.mb_per_s} vs ${small.anchor.toFixed(1)} MB/s)`, ">=", 4);
benchLine("report reading vs parsedmarc (10 MB)", Number(big.ratio.toFixed(2)), `${big.ratio.toFixed(2)}x faster (${big.native.mb_per_s} vs ${big.anchor.toFixed(1)} MB/s)`);
