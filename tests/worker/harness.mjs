// Starts the real Worker under `wrangler dev` (workerd) with a fresh local D1 for one test file,
// on 127.0.0.1 only, offline, and stops it by its process group afterwards.
import { spawn, spawnSync } from "node:child_process";
import http from "node:http";
import { existsSync, mkdirSync, readFileSync, rmSync, copyFileSync } from "node:fs";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../..");
const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");
const ENV = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  NO_COLOR: "1",
};

/** The local API token: .dev.vars (created from .dev.vars.example when missing, as `make dev` does). */
export function apiToken() {
  const vars = join(ROOT, ".dev.vars");
  if (!existsSync(vars)) copyFileSync(join(ROOT, ".dev.vars.example"), vars);
  const match = readFileSync(vars, "utf8").match(/^API_TOKEN=(.*)$/m);
  if (!match) throw new Error(".dev.vars has no API_TOKEN line");
  return match[1].trim();
}

/**
 * Starts `wrangler dev` on `port` with a fresh D1 under target/worker-test/<name>, migrations
 * applied first. `vars` become `--var NAME:VALUE`. Returns { base, stop, log }.
 */
export async function startWorker({ name, port, vars = {}, cwd = ROOT, migrate = true }) {
  const state = join(ROOT, "target/worker-test", name);
  rmSync(state, { recursive: true, force: true });
  mkdirSync(state, { recursive: true });
  if (migrate) {
    const applied = spawnSync(
      WRANGLER,
      ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state],
      { cwd, env: ENV, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
    );
    if (applied.status !== 0) throw new Error(`migrations failed:\n${applied.stdout}\n${applied.stderr}`);
  }
  const args = [
    "dev", "--ip", "127.0.0.1", "--port", String(port), "--persist-to", state,
    "--show-interactive-dev-session=false", "--inspector-port", String(port + 1000),
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const child = spawn(WRANGLER, args, {
    cwd, env: ENV, stdio: ["ignore", "pipe", "pipe"], detached: true,
  });
  let log = "";
  const onData = (d) => { log += d.toString(); };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
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
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    try { process.kill(-child.pid, "SIGTERM"); } catch { /* already gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, "SIGKILL"); } catch { /* gone */ } }, 5000);
    await exited;
    clearTimeout(timer);
  };
  return { base, stop, log: () => log };
}

/**
 * A request with a chosen Host header (fetch cannot set one), answered as a fetch-like object:
 * { status, headers: { get }, text() }. Never follows redirects.
 */
export function requestWithHost(url, host, method = "GET") {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(url, { method, headers: { host } }, (res) => {
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
