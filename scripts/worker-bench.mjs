// Benchmarks (`make worker-bench`, not part of `make test`), loopback only:
// 1. policy serving: GET /.well-known/mta-sts.txt by Host on the real Worker (wrangler dev,
//    local D1) against a minimal JavaScript worker returning the same text in the same workerd
//    (version), all running, measured in alternating rounds; requests/s and p99 of each, and
//    the ratios. Two JavaScript anchors: one deployed as ours is (the same `[assets]` with
//    `run_worker_first`, so the same asset router in front of it: the goal's anchor, which
//    compares the code), and a bare one (no assets: what the deployment shape itself costs);
// 2. the Worker's size: wasm and JS glue, raw and gzipped.
import http from "node:http";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { startWorker, apiToken, ROOT } from "../tests/worker/harness.mjs";
import { benchLine } from "./bench-line.mjs";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 5000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const ROUNDS = 5;
const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.bench.example\r\nmax_age: 604800\r\n";

function get(agent, port, host) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const req = http.request({ host: "127.0.0.1", port, path: "/.well-known/mta-sts.txt", agent, headers: { host } }, (res) => {
      let body = "";
      res.on("data", (c) => { body += c; });
      res.on("end", () => resolve({ status: res.statusCode, body, ms: performance.now() - t }));
    });
    req.on("error", reject);
    req.end();
  });
}

/** One round of `count` requests to `port`: the latencies, the seconds, the wrong answers. */
async function round(port, host, count) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  for (let i = 0; i < 50; i++) await get(agent, port, host); // warm-up
  const latencies = [];
  let next = 0;
  let bad = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next++ < count) {
      const r = await get(agent, port, host);
      if (r.status !== 200 || r.body !== POLICY) bad++;
      latencies.push(r.ms);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { latencies, seconds, bad };
}

/** The rounds of one side, summed up. */
function summary(rounds) {
  const latencies = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const bad = rounds.reduce((n, r) => n + r.bad, 0);
  return {
    requests_per_second: Math.round(latencies.length / seconds),
    p50_ms: Number(latencies[Math.floor(latencies.length * 0.5)].toFixed(2)),
    p99_ms: Number(latencies[Math.floor(latencies.length * 0.99)].toFixed(2)),
    wrong_answers: bad,
  };
}

// The anchors: the same text from a minimal JavaScript worker, deployed as ours (the same
// `[assets]` section as wrangler.toml) and bare.
const ASSETS = `[assets]\ndirectory = ${JSON.stringify(join(ROOT, "dist/web"))}\nbinding = "ASSETS"\n`
  + `not_found_handling = "single-page-application"\nrun_worker_first = true\n`;
function jsWorker(name, extra) {
  const dir = join(ROOT, "target/worker-bench", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "index.js"), `const POLICY = ${JSON.stringify(POLICY)};
export default { fetch() { return new Response(POLICY, { headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "public, max-age=300" } }); } };
`);
  writeFileSync(join(dir, "wrangler.toml"), `name = "${name}"\nmain = "index.js"\ncompatibility_date = "2026-04-01"\nsend_metrics = false\n${extra}`);
  return dir;
}
const jsDir = jsWorker("js-assets", ASSETS);
const bareDir = jsWorker("js-bare", "");

// All run at once, measured in alternating rounds (ours, each JS worker's, ours, …), so that a
// change of load on the machine weighs on every side alike.
const results = {};
const token = apiToken(); // .dev.vars, made before wrangler dev reads it
const rust = await startWorker({ name: "bench", port: 8796 });
let js;
let bare;
try {
  js = await startWorker({ name: "bench-js", port: 8797, cwd: jsDir, migrate: false });
  bare = await startWorker({ name: "bench-js-bare", port: 8799, cwd: bareDir, migrate: false });
  const put = await fetch(`${rust.base}/api/domains/bench.example/policy`, {
    method: "PUT", headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" }, body: POLICY,
  });
  if (put.status !== 201) throw new Error(`publishing failed: ${put.status}`);
  const ours = [];
  const anchor = [];
  const bareAnchor = [];
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await round(8796, "mta-sts.bench.example", Math.ceil(REQUESTS / ROUNDS)));
    anchor.push(await round(8797, "mta-sts.bench.example", Math.ceil(REQUESTS / ROUNDS)));
    bareAnchor.push(await round(8799, "mta-sts.bench.example", Math.ceil(REQUESTS / ROUNDS)));
  }
  results.rust_worker = summary(ours);
  results.js_baseline = summary(anchor);
  results.js_bare = summary(bareAnchor);
} finally {
  await bare?.stop();
  await js?.stop();
  await rust.stop();
}
const ratio = (a, b) => Number((a / b).toFixed(2));
results.throughput_ratio = ratio(results.rust_worker.requests_per_second, results.js_baseline.requests_per_second);
results.p99_ratio = ratio(results.rust_worker.p99_ms, results.js_baseline.p99_ms);
results.bare = {
  throughput_ratio: ratio(results.rust_worker.requests_per_second, results.js_bare.requests_per_second),
  p99_ratio: ratio(results.rust_worker.p99_ms, results.js_bare.p99_ms),
  assets_layer_throughput: ratio(results.js_baseline.requests_per_second, results.js_bare.requests_per_second),
};

const wasm = readFileSync(join(ROOT, "worker/build/index_bg.wasm"));
const glue = readFileSync(join(ROOT, "worker/build/index.js"));
results.size = {
  wasm_bytes: wasm.length,
  wasm_gzip_bytes: gzipSync(wasm, { level: 9 }).length,
  js_bytes: glue.length,
  total_gzip_bytes: gzipSync(wasm, { level: 9 }).length + gzipSync(glue, { level: 9 }).length,
};
results.requests = REQUESTS;
results.concurrency = CONCURRENCY;
console.log(JSON.stringify(results, null, 2));
const { rust_worker: ours, js_baseline: anchor, js_bare: bareJs } = results;
benchLine("policy serving throughput / JS worker, same [assets]", results.throughput_ratio,
  `${results.throughput_ratio}x (${ours.requests_per_second} vs ${anchor.requests_per_second} req/s)`, ">=", 0.8);
benchLine("policy serving p99 / JS worker, same [assets]", results.p99_ratio, `${results.p99_ratio}x (${ours.p99_ms} vs ${anchor.p99_ms} ms)`, "<=", 1.5);
benchLine("policy serving throughput / bare JS worker (no assets)", results.bare.throughput_ratio,
  `${results.bare.throughput_ratio}x (${ours.requests_per_second} vs ${bareJs.requests_per_second} req/s); the asset router alone: ${results.bare.assets_layer_throughput}x`);
benchLine("policy serving p99 / bare JS worker (no assets)", results.bare.p99_ratio, `${results.bare.p99_ratio}x (${ours.p99_ms} vs ${bareJs.p99_ms} ms)`);
