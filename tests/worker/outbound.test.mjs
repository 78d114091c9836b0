// The edge routes' outbound traffic, observed: the built Worker under the Miniflare API (the same
// workerd) with every outbound fetch routed to a recorder. Hostile domains must cause none; a
// public name causes exactly the one policy fetch RFC 8461 §3.3 allows, with no redirect followed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { ROOT, applyMigrations } from "./harness.mjs";

const POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mail.public.example\r\nmax_age: 86400\r\n";
const outbound = [];
let mf;

/** The built Worker under Miniflare, every outbound fetch recorded and answered by `recorder`. */
function miniflare(bindings = {}) {
  return new Miniflare({
    modules: true,
    scriptPath: join(ROOT, "worker/build/index.js"),
    modulesRules: [{ type: "CompiledWasm", include: ["**/*.wasm"] }],
    compatibilityDate: "2026-04-01",
    d1Databases: ["DB"],
    r2Buckets: ["REPORTS"],
    bindings: {
      EDGE_RATE_PER_MINUTE: "1000",
      EDGE_TIMEOUT_MS: "3000",
      EDGE_REFUSED_SUFFIXES: "localhost,local,internal,home.arpa,test",
      DOH_URL: "https://doh.recorder.example/dns-query",
      ...bindings,
    },
    outboundService: recorder,
  });
}

async function recorder(request) {
  outbound.push(request.url);
  const url = new URL(request.url);
  if (url.hostname === "mta-sts.public.example") return new Response(POLICY, { headers: { "content-type": "text/plain" } });
  if (url.hostname === "mta-sts.moved.example") return new Response(null, { status: 301, headers: { location: "https://elsewhere.example/p.txt" } });
  if (url.hostname === "mta-sts.huge.example") return new Response("x".repeat(3 << 20));
  if (url.hostname === "doh.recorder.example") return new Response("down", { status: 503 });
  return new Response("not found", { status: 404 });
}

before(async () => {
  mf = miniflare();
  await mf.ready;
  await applyMigrations(await mf.getD1Database("DB"));
});
after(async () => { await mf?.dispose(); });

const get = async (path) => {
  const r = await mf.dispatchFetch(`http://localhost${path}`);
  return { status: r.status, cors: r.headers.get("access-control-allow-origin"), body: await r.json() };
};

test("hostile domains: 400 and no outbound request at all", async () => {
  const hostile = [
    "localhost", "127.0.0.1", "[::1]", "2130706433", "0x7f.0.0.1", "169.254.169.254", "example.com:443",
    "user@example.com", "user:pw@example.com", "https://example.com/", "example.com/x", "printer.local",
    "db.internal", "x.test", "router.home.arpa", "com", "a..b", "exa mple.com", "example.com%00",
    "metadata.google.internal", "",
  ];
  for (const route of ["policy", "check"]) {
    for (const domain of hostile) {
      const r = await get(`/api/${route}?domain=${encodeURIComponent(domain)}`);
      assert.equal(r.status, 400, `${route} ${JSON.stringify(domain)}`);
      assert.equal(r.cors, "*");
      assert.equal(typeof r.body.error, "string");
    }
  }
  assert.deepEqual(outbound, [], "no outbound request");
});

test("a public name: exactly one fetch of the policy URL", async () => {
  outbound.length = 0;
  const r = await get("/api/policy?domain=Public.Example");
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 200);
  assert.equal(r.body.body, POLICY);
  assert.deepEqual(outbound, ["https://mta-sts.public.example/.well-known/mta-sts.txt"]);
});

test("a redirect is reported, not followed; a huge body is cut", async () => {
  outbound.length = 0;
  let r = await get("/api/policy?domain=moved.example");
  assert.equal(r.body.status, 301);
  assert.equal(r.body.redirect, "https://elsewhere.example/p.txt");
  assert.deepEqual(outbound, ["https://mta-sts.moved.example/.well-known/mta-sts.txt"]);
  r = await get("/api/policy?domain=huge.example");
  assert.equal(r.body.truncated, true);
  assert.ok(r.body.body.length <= (1 << 20) + 1);
});

test("the check goes through the configured DoH resolver", async () => {
  outbound.length = 0;
  const r = await get("/api/check?domain=public.example");
  assert.equal(r.status, 502, JSON.stringify(r.body));
  assert.ok(outbound.length > 0 && outbound.every((u) => u.startsWith("https://doh.recorder.example/")), outbound.join());
});

test("EDGE_HTTPS_PORT (stand-ins only): the policy host on another port; DOH_URL in /api/config", async () => {
  const staging = miniflare({ EDGE_HTTPS_PORT: "8443", DOH_URL: "http://127.0.0.1:8053/dns-query" });
  try {
    await applyMigrations(await staging.getD1Database("DB"));
    outbound.length = 0;
    const r = await staging.dispatchFetch("http://localhost/api/policy?domain=public.example");
    const body = await r.json();
    assert.equal(body.url, "https://mta-sts.public.example:8443/.well-known/mta-sts.txt");
    assert.deepEqual(outbound, ["https://mta-sts.public.example:8443/.well-known/mta-sts.txt"]);
    const config = await staging.dispatchFetch("http://localhost/api/config");
    assert.equal(config.headers.get("access-control-allow-origin"), "*");
    assert.deepEqual(await config.json(), { doh_url: "http://127.0.0.1:8053/dns-query" });
  } finally {
    await staging.dispose();
  }
});
