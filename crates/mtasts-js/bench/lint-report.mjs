// The npm package's benchmark (not a test): `make bench-npm`, or `node lint-report.mjs` in a
// project where `mtasts` is installed, with MTASTS_ROOT naming the repository.
//
// 1. lintReport on a TLS-RPT report of about 10 MB, made as crates/mtasts/benches/parse.rs makes
//    it (the first corpus report's header with every corpus report's `policies`, repeated), against
//    bare JSON.parse of the same bytes: the ratio is what checking costs over reading.
// 2. The cold import: a fresh Node process importing the package, wasm compilation included.
// 3. The size of the tarball and of the wasm.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { lintReport } from "mtasts";

const root = process.env.MTASTS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "../..");
const REPORT_SIZE = 10 << 20;

function mergedReport() {
  const dir = join(root, "tests/data/tlsrpt-reports");
  const reports = readdirSync(dir)
    .filter((name) => name.endsWith(".json") && !name.endsWith(".expected.json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(dir, name), "utf8")));
  const policies = reports.flatMap((report) => report.policies ?? []);
  const oneRound = JSON.stringify(policies).length;
  const rounds = Math.floor(REPORT_SIZE / oneRound) + 1;
  const report = { ...reports[0], policies: Array.from({ length: rounds }, () => policies).flat() };
  return new TextEncoder().encode(JSON.stringify(report));
}

/** The median time of `fn` in ms, over `runs` runs after one warm-up. */
function median(fn, runs) {
  fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    fn();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

const bytes = mergedReport();
const mb = bytes.length / (1 << 20);
const result = lintReport(bytes);
if (!result.valid) throw new Error(`the merged report is not valid: ${result.findings[0]?.message}`);
const runs = 7;
const lint = median(() => lintReport(bytes), runs);
const parse = median(() => JSON.parse(new TextDecoder().decode(bytes)), runs);
console.log(`lintReport, ${bytes.length} bytes (${mb.toFixed(1)} MB): ${lint.toFixed(1)} ms, ${(mb / (lint / 1000)).toFixed(0)} MB/s`);
console.log(`JSON.parse of the same bytes (decoded to a string first): ${parse.toFixed(1)} ms, ${(mb / (parse / 1000)).toFixed(0)} MB/s`);
console.log(`ratio lintReport / JSON.parse: ${(lint / parse).toFixed(1)}`);
// The summary row of `make bench` (scripts/bench-summary.mjs, whose line format this repeats).
const ratio = Number((lint / parse).toFixed(2));
console.log(`BENCH ${JSON.stringify({ row: "npm lintReport / JSON.parse, 10 MB", value: ratio, now: `${ratio}x (${lint.toFixed(0)} vs ${parse.toFixed(0)} ms)`, op: "<=", goal: 2 })}`);

const coldRuns = 7;
const colds = [];
for (let i = 0; i < coldRuns; i++) {
  const out = execFileSync(process.execPath, [
    "--input-type=module",
    "-e",
    "const t = performance.now(); await import('mtasts'); console.log(performance.now() - t);",
  ], { cwd: process.cwd(), encoding: "utf8" });
  colds.push(Number(out.trim()));
}
colds.sort((a, b) => a - b);
console.log(`cold import (fresh node process, median of ${coldRuns}): ${colds[Math.floor(coldRuns / 2)].toFixed(1)} ms`);

const pkg = dirname(createRequire(join(process.cwd(), "package.json")).resolve("mtasts/package.json"));
const version = JSON.parse(readFileSync(join(pkg, "package.json"), "utf8")).version;
const tarball = join(root, "dist", `mtasts-${version}.tgz`);
const wasm = readFileSync(join(pkg, "mtasts_bg.wasm"));
console.log(`tarball ${tarball}: ${statSync(tarball).size} bytes; wasm ${wasm.length} bytes (${gzipSync(wasm, { level: 9 }).length} gzipped)`);
