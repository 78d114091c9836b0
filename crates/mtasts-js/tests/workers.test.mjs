// The package in a Cloudflare Worker: wrangler (pinned at the repository root) bundles a Worker
// that imports "mtasts", which must resolve to the `workerd` entry and bring the wasm as a compiled
// module; Miniflare runs it in workerd. The Worker lints a policy, generates one, and checks a
// domain over the stand-in's DoH with the platform's own fetch.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { Miniflare } from "miniflare";
import { root, startStandin } from "./support.mjs";

const dir = join(process.cwd(), "worker");
let standin;
let mf;

const WORKER = `
import { checkDomain, generate, lintPolicy } from "mtasts";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/check") {
      const report = await checkDomain(url.searchParams.get("domain"), { doh: url.searchParams.get("doh") });
      return Response.json(report);
    }
    return Response.json({
      lint: lintPolicy("version: STSv1\\nmode: enforce\\nmx: mail.example.com\\nmax_age: 86400\\n\\n"),
      generated: generate({ domain: "example.com", mx: ["mx.example.com"] }),
    });
  },
};
`;

before(async () => {
  standin = await startStandin();
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  symlinkSync(join(process.cwd(), "node_modules"), join(dir, "node_modules"));
  writeFileSync(join(dir, "worker.js"), WORKER);
  writeFileSync(join(dir, "wrangler.toml"), 'name = "mtasts-npm-test"\nmain = "worker.js"\ncompatibility_date = "2025-01-01"\n');
  execFileSync(process.execPath, [join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", "out"], {
    cwd: dir,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_LOG_PATH: join(dir, "logs") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, "out", "worker.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2025-01-01",
  });
});

after(async () => {
  await mf?.dispose();
  standin?.stop();
});

test("wrangler bundles the workerd entry, with the wasm as a module of its own", () => {
  const out = readdirSync(join(dir, "out"));
  assert.ok(out.some((name) => name.endsWith("mtasts_bg.wasm")), out.join(", "));
});

test("the Worker lints and generates", async () => {
  const response = await mf.dispatchFetch("http://localhost/");
  const { lint, generated } = await response.json();
  assert.equal(lint.valid, false);
  assert.equal(lint.findings.find((f) => f.code === "policy.blank-line")?.line, 5);
  assert.match(generated.id, /^\d{8}T\d{6}Z$/);
});

test("the Worker checks a domain over DoH with workerd's fetch", async () => {
  // The policy host of the stand-in does not resolve from workerd: the fetch fails, and the
  // report says so; the DNS half comes from the stand-in.
  const url = `http://localhost/check?domain=mx-not-covered.test&doh=${encodeURIComponent(standin.dohUrl)}`;
  const report = await (await mf.dispatchFetch(url)).json();
  assert.equal(report.domain, "mx-not-covered.test");
  assert.equal(report.records.mta_sts.lint.valid, true);
  assert.deepEqual(report.mx.map((h) => h.host), ["mx1.mx-not-covered.test", "mx2.mx-not-covered.test"]);
  assert.ok(report.policy.error, JSON.stringify(report.policy));
  assert.equal(report.verdict, "no-policy");
});
