// Starts the real Worker under `wrangler dev` (workerd) with a fresh local D1 for one test file,
// on 127.0.0.1 only, offline, and stops it by its process group afterwards. Also starts the
// stand-in for the internet (crates/mtasts-standin) and runs workerd where the stand-in's policy
// hosts resolve (see `hostsNamespace`): `make dev`, the web tests and the web benchmark use both.
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";

import { ensureDevVars } from "../../scripts/dev-vars.mjs";

export const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
/** The stand-in, built in debug as `make unit-tests` builds it. */
export const STANDIN = join(ROOT, "target/debug/mtasts-standin");
/** What `/api/policy` and `/api/check` refuse by default (wrangler.toml), less `test`: the
 * stand-in's scenarios are `NAME.test` (RFC 6761). */
export const REFUSED_BUT_TEST = "localhost,local,localdomain,internal,intranet,lan,home,corp,home.arpa,invalid,example,onion,alt";
const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

/** The local operator token: .dev.vars, made with a random token when missing or weak, as
 * `make dev` makes it (scripts/dev-vars.mjs). */
export function apiToken() {
  return ensureDevVars(ROOT).token;
}

/**
 * Starts `wrangler dev` on `port`. With a `name`, on a fresh D1 under target/worker-test/<name>
 * (migrations applied first); without, on wrangler's own state under .wrangler/ (`make dev`).
 * `vars` become `--var NAME:VALUE`, `env` is added to wrangler's environment, and `hostsFile`
 * runs it in a mount namespace with that file over /etc/hosts (`hostsNamespace`). `echo` copies
 * its output to ours. Resolves once it is ready, with { base, stop, log, exited }.
 */
export async function startWorker({
  name, port, vars = {}, env = {}, hostsFile, cwd = ROOT, migrate = true, echo = false,
}) {
  const childEnv = { ...ENV, ...env };
  const state = name ? join(ROOT, "target/worker-test", name) : null;
  if (state) {
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state, { recursive: true });
  }
  const persist = state ? ["--persist-to", state] : [];
  if (migrate) {
    const applied = spawnSync(
      WRANGLER,
      ["d1", "migrations", "apply", "DB", "--local", ...persist],
      { cwd, env: childEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    if (applied.status !== 0) throw new Error(`migrations failed:\n${applied.stdout}\n${applied.stderr}`);
  }
  const args = [
    "dev", "--ip", "127.0.0.1", "--port", String(port), ...persist,
    "--show-interactive-dev-session=false", "--inspector-port", String(port + 1000),
    // GET /__scheduled runs the scheduled event (the retention cron).
    "--test-scheduled",
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  let [command, commandArgs] = [WRANGLER, args];
  if (hostsFile) {
    const namespace = hostsNamespace(hostsFile);
    if (!namespace.ok) throw new Error(`cannot put ${hostsFile} over /etc/hosts: ${namespace.why}`);
    [command, commandArgs] = namespace.wrap(WRANGLER, args);
  }
  const child = spawn(command, commandArgs, {
    cwd, env: childEnv, stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  let log = "";
  const onData = (stream) => (d) => {
    log += d.toString();
    if (echo) stream.write(d);
  };
  child.stdout.on("data", onData(process.stdout));
  child.stderr.on("data", onData(process.stderr));
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!/Ready on/.test(log)) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited:\n${log}`);
    if (Date.now() > deadline) {
      process.kill(-child.pid, "SIGTERM");
      throw new Error(`wrangler dev not ready in 60 s:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const stop = () => stopGroup(child, exited);
  return { base, stop, log: () => log, exited };
}

/** Stops a child started with `detached: true` by its process group: TERM, then KILL after 5 s. */
async function stopGroup(child, exited) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
  const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 5000);
  await exited;
  clearTimeout(timer);
}

/**
 * Whether a command can run with `hostsFile` over /etc/hosts, and how: a private mount namespace
 * (unshare(1); as root `unshare -m`, otherwise `unshare -rm`, a user namespace mapping us to root)
 * in which the file is bind-mounted over /etc/hosts. Only the file system view changes: the
 * command shares the network with us, so workerd resolves `mta-sts.NAME.test` with the system
 * resolver, as it resolves every name, and reaches the stand-in on 127.0.0.1.
 * Returns { ok: true, wrap(command, args) → [command, args] } or { ok: false, why }.
 */
export function hostsNamespace(hostsFile) {
  const flags = process.getuid?.() === 0 ? ["-m"] : ["-r", "-m"];
  const script = 'mount --bind "$0" /etc/hosts && exec "$@"';
  const probe = spawnSync("unshare", [...flags, "sh", "-c", script, hostsFile, "true"], { encoding: "utf8" });
  if (probe.error) return { ok: false, why: `unshare: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, why: (probe.stderr || `unshare exited with ${probe.status}`).trim() };
  return { ok: true, wrap: (command, args) => ["unshare", [...flags, "sh", "-c", script, hostsFile, command, ...args]] };
}

/**
 * Starts the stand-in (`STANDIN`, scenarios of tests/data/zones) on `dohPort` and `httpsPort`
 * (free ports when not given), writing its CA and /etc/hosts file into `dir`. Resolves once it
 * has said where it listens, with { dohUrl, httpsPort, caFile, hostsFile, stop }.
 */
export async function startStandin({ dir, dohPort, httpsPort, echo = false }) {
  if (!existsSync(STANDIN)) throw new Error(`${STANDIN} is missing: cargo build -p mtasts-standin`);
  mkdirSync(dir, { recursive: true });
  const caFile = join(dir, "standin-ca.pem");
  const hostsFile = join(dir, "hosts");
  const args = ["--zones", join(ROOT, "tests/data/zones"), "--ca-out", caFile, "--hosts-out", hostsFile];
  if (dohPort !== undefined) args.push("--doh-port", String(dohPort));
  if (httpsPort !== undefined) args.push("--https-port", String(httpsPort));
  const child = spawn(STANDIN, args, { stdio: ["ignore", "pipe", "pipe"], detached: true });
  const exited = new Promise((r) => child.once("exit", (code, signal) => r(code ?? signal)));
  let out = "";
  child.stdout.on("data", (d) => { out += d; if (echo) process.stdout.write(d); });
  child.stderr.on("data", (d) => { out += d; process.stderr.write(d); });
  const deadline = Date.now() + 20_000;
  for (;;) {
    const doh = /^DoH:\s+(\S+)/m.exec(out);
    const https = /^HTTPS:\s+127\.0\.0\.1:(\d+)/m.exec(out);
    if (doh && https && /^hosts:/m.test(out)) {
      return {
        dohUrl: doh[1],
        httpsPort: Number(https[1]),
        caFile,
        hostsFile,
        stop: () => stopGroup(child, exited),
      };
    }
    if (child.exitCode !== null) throw new Error(`the stand-in exited:\n${out}`);
    if (Date.now() > deadline) {
      await stopGroup(child, exited);
      throw new Error(`the stand-in did not start in 20 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * The stand-in and the Worker in front of it, as `make dev` runs them and the web tests use them:
 * the Worker's DoH resolver is the stand-in's, its policy fetches go to the stand-in's HTTPS
 * port, trusting the stand-in's CA (Miniflare adds the PEMs of NODE_EXTRA_CA_CERTS to workerd's
 * trusted certificates) and resolving `mta-sts.NAME.test` through the hosts file, and `.test`
 * names are not refused. Without a mount namespace (see `hostsNamespace`) it starts anyway,
 * `namespace` says why, and policy fetches of stand-in names fail as a DNS error.
 * Resolves with { base, standin, worker, namespace, stop }.
 */
export async function startLocalInternet({
  name, port, dir, dohPort, httpsPort, vars = {}, echo = false, migrate = true, cwd = ROOT,
}) {
  const standin = await startStandin({ dir, dohPort, httpsPort, echo });
  try {
    const namespace = hostsNamespace(standin.hostsFile);
    const worker = await startWorker({
      name,
      port,
      cwd,
      migrate,
      echo,
      env: { NODE_EXTRA_CA_CERTS: standin.caFile },
      hostsFile: namespace.ok ? standin.hostsFile : undefined,
      vars: {
        DOH_URL: standin.dohUrl,
        EDGE_HTTPS_PORT: String(standin.httpsPort),
        EDGE_REFUSED_SUFFIXES: REFUSED_BUT_TEST,
        ...vars,
      },
    });
    const stop = async () => { await worker.stop(); await standin.stop(); };
    return { base: worker.base, standin, worker, namespace, stop };
  } catch (error) {
    await standin.stop();
    throw error;
  }
}

/**
 * Runs `sql` on the local D1 of the Worker started with `name` (`wrangler d1 execute`, the same
 * SQLite files the running Worker uses), for what a test cannot wait for: time passing (moving
 * arrival times back a year) or rows an older version wrote. Answers wrangler's JSON results.
 */
export function d1Execute(name, sql) {
  const state = join(ROOT, "target/worker-test", name);
  const run = spawnSync(
    WRANGLER,
    ["d1", "execute", "DB", "--local", "--persist-to", state, "--json", "--command", sql],
    { cwd: ROOT, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (run.status !== 0) throw new Error(`d1 execute failed:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/**
 * Applies migrations/*.sql, in order, to a D1 binding of the Miniflare API (`wrangler dev`
 * applies them itself, see `startWorker`): comment lines dropped, one statement per `;` at a
 * line's end.
 */
export async function applyMigrations(db) {
  const dir = join(ROOT, "migrations");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".sql")).sort()) {
    const sql = readFileSync(join(dir, file), "utf8").split("\n").filter((l) => !/^\s*--/.test(l))
      .map((l) => l.replace(/\s--.*$/, "")).join("\n");
    const statements = sql.split(/;\s*\n/).map((s) => s.trim()).filter(Boolean);
    await db.batch(statements.map((s) => db.prepare(s)));
  }
}

/**
 * A request with a chosen Host header (fetch cannot set one) and any other `headers`, answered as
 * a fetch-like object:
 * { status, headers: { get }, text() }. Never follows redirects.
 */
export function requestWithHost(url, host, method = "GET", headers = {}) {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(url, { method, headers: { ...headers, host } }, (res) => {
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8");
        resolvePromise({
          status: res.statusCode,
          headers: { get: (name) => res.headers[name.toLowerCase()] ?? null },
          text: async () => body,
          json: async () => JSON.parse(body),
        });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

const OVERVIEW_TOOL = join(ROOT, "target/debug/examples/reports_overview");
/**
 * Builds the core's example `reports_overview` in debug, for `coreOverview`. Call it before the
 * Worker starts: the build blocks this process, and idle connections to the Worker would go stale.
 */
export function buildCoreOverview() {
  const built = spawnSync(process.env.CARGO ?? "cargo", ["build", "-q", "-p", "mtasts", "--example", "reports_overview"], {
    cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"],
  });
  if (built.status !== 0) throw new Error(`cargo build --example reports_overview failed:\n${built.stderr}`);
}

/**
 * The core's overview (`ReportsOverview`) of the report `files` for `domain`, computed apart from
 * the Worker by the core's example `reports_overview` (see `buildCoreOverview`): what
 * `GET /api/domains/<domain>/reports` must answer for the same reports.
 */
export function coreOverview(domain, files) {
  const run = spawnSync(OVERVIEW_TOOL, [domain, ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (run.status !== 0) throw new Error(`reports_overview ${domain} failed:\n${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** The stand-in's record control endpoint beside its DoH URL (`…/dns-query` → `…/control/records`). */
function standinControlUrl(dohUrl) {
  return new URL("/control/records", dohUrl).href;
}

/** Sends one record change to the stand-in's control endpoint; its JSON answer, or throws. */
async function changeStandinRecord(method, dohUrl, record) {
  const response = await fetch(standinControlUrl(dohUrl), {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(record),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${standinControlUrl(dohUrl)} ${JSON.stringify(record)}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/**
 * Adds a DNS record to the running stand-in whose DoH URL `startStandin` returned, e.g.
 * `{ name: "_mtasts-challenge.healthy-1mx.test", type: "TXT", value: "mtasts-verify=…" }`
 * (`type` A, AAAA, MX, TXT or CNAME; optional `ttl`, default 60). The next DoH query sees it;
 * TXT records added at one name make one RRset. Resolves with the stand-in's answer
 * `{ name, type, value, ttl, added, rrset }`; throws on a non-2xx answer.
 */
export function addStandinRecord(dohUrl, { name, type, value, ttl }) {
  return changeStandinRecord("POST", dohUrl, { name, type, value, ttl });
}

/**
 * Removes records added with `addStandinRecord`: the one with `value`, or without `value` every
 * one of that name and type (zone-file records stay). Resolves with `{ name, type, removed, rrset }`
 * (`removed` may be 0); throws on a non-2xx answer.
 */
export function removeStandinRecord(dohUrl, { name, type, value }) {
  return changeStandinRecord("DELETE", dohUrl, { name, type, value });
}
