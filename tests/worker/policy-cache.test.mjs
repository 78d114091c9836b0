// Policy serving from the isolate's copy (worker/src/hosting.rs), on the real Worker in workerd
// (wrangler dev, local D1): a publish or a delete is served at once by the isolate that ran it;
// a change it did not see (written straight into D1, as another isolate's publish would be) is
// served within the Cache-Control max-age the answers announced; ETag, Last-Modified and 304s.
// Run by `make worker-test`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startWorker, apiToken, requestWithHost, d1Execute } from "./harness.mjs";

const NAME = "policy-cache";
/** A short max-age, so the bound can be waited out. */
const MAX_AGE = 3;
const policy = (mx) => `version: STSv1\r\nmode: enforce\r\nmx: ${mx}\r\nmax_age: 604800\r\n`;
let worker;

before(async () => {
  worker = await startWorker({ name: NAME, port: 8789, vars: { POLICY_MAX_AGE: String(MAX_AGE) } });
});
after(async () => { await worker?.stop(); });

const serve = (domain, headers = {}, method = "GET") =>
  requestWithHost(`${worker.base}/.well-known/mta-sts.txt`, `mta-sts.${domain}`, method, headers);
const publish = (domain, body) => fetch(`${worker.base}/api/domains/${domain}/policy`, {
  method: "PUT", headers: { authorization: `Bearer ${apiToken()}`, "content-type": "text/plain" }, body,
});
const maxAgeOf = (r) => Number(/max-age=(\d+)/.exec(r.headers.get("cache-control") ?? "")?.[1]);

test("a publish is served at once by the isolate that ran it, with a new ETag", async () => {
  assert.equal((await publish("cache.example", policy("one.cache.example"))).status, 201);
  const first = await serve("cache.example");
  assert.equal(first.status, 200);
  assert.equal(await first.text(), policy("one.cache.example"));
  const etag = first.headers.get("etag");
  assert.match(etag, /^"[A-Za-z0-9]{1,32}"$/);
  assert.match(first.headers.get("last-modified"), /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.ok(maxAgeOf(first) <= MAX_AGE);

  const published = await (await publish("cache.example", policy("two.cache.example"))).json();
  const second = await serve("cache.example");
  assert.equal(await second.text(), policy("two.cache.example"));
  assert.equal(second.headers.get("etag"), `"${published.id}"`);
  assert.notEqual(second.headers.get("etag"), etag);

  // The RFC 8461 §8.3 removal: mode none at once.
  const removal = await fetch(`${worker.base}/api/domains/cache.example/policy`, {
    method: "DELETE", headers: { authorization: `Bearer ${apiToken()}` },
  });
  assert.equal(removal.status, 202);
  assert.match(await (await serve("cache.example")).text(), /mode: none/);
});

test("conditional requests: If-None-Match, then If-Modified-Since, answer 304", async () => {
  assert.equal((await publish("cond.example", policy("mx.cond.example"))).status, 201);
  const full = await serve("cond.example");
  const etag = full.headers.get("etag");
  const modified = full.headers.get("last-modified");
  for (const [headers, want] of [
    [{ "if-none-match": etag }, 304],
    [{ "if-none-match": `"other", W/${etag}` }, 304],
    [{ "if-none-match": "*" }, 304],
    [{ "if-none-match": '"other"' }, 200],
    [{ "if-modified-since": modified }, 304],
    [{ "if-modified-since": "Thu, 01 Jan 1970 00:00:00 GMT" }, 200],
    [{ "if-modified-since": "not a date" }, 200],
    // If-None-Match decides when both are there (RFC 9110 §13.2.2).
    [{ "if-none-match": '"other"', "if-modified-since": modified }, 200],
  ]) {
    const r = await serve("cond.example", headers);
    assert.equal(r.status, want, JSON.stringify(headers));
    const body = await r.text();
    assert.equal(body, want === 304 ? "" : policy("mx.cond.example"), JSON.stringify(headers));
    assert.equal(r.headers.get("etag"), etag);
    assert.equal(r.headers.get("last-modified"), modified);
    assert.match(r.headers.get("cache-control"), /^public, max-age=\d+$/);
  }
  const head = await serve("cond.example", { "if-none-match": etag }, "HEAD");
  assert.equal(head.status, 304);
});

test("a change this isolate did not see is served within the max-age it announced", async () => {
  assert.equal((await publish("other.example", policy("old.other.example"))).status, 201);
  const before = await serve("other.example");
  assert.equal(await before.text(), policy("old.other.example"));
  const announced = maxAgeOf(before);
  assert.ok(announced >= 1 && announced <= MAX_AGE, `max-age ${announced}`);
  // Another isolate's publish: D1 changes, this isolate is not told.
  const changedAt = Date.now();
  d1Execute(NAME, `UPDATE policies SET policy = '${policy("new.other.example")}', policy_id = 'other2' WHERE domain = 'other.example'`);
  let seen;
  while (Date.now() - changedAt < (announced + 2) * 1000) {
    const r = await serve("other.example");
    const text = await r.text();
    // Whatever copy is served, it never claims more freshness than it has left.
    assert.ok(maxAgeOf(r) <= MAX_AGE);
    if (text === policy("new.other.example")) {
      seen = Date.now() - changedAt;
      assert.equal(r.headers.get("etag"), '"other2"');
      break;
    }
    assert.equal(text, policy("old.other.example"));
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(seen !== undefined, "the change was not served within the announced max-age");
  // The bound the answers announced (the D1 write itself takes part of it).
  assert.ok(seen <= announced * 1000 + 1000, `seen after ${seen} ms, max-age ${announced} s`);
});

test("an unknown host is 404 and never cached", async () => {
  let r = await serve("later.example");
  assert.equal(r.status, 404);
  assert.equal(r.headers.get("cache-control"), "no-store");
  // Published by "another isolate" (straight into D1): served at once, no negative caching.
  d1Execute(NAME, `INSERT INTO policies (domain, policy, policy_id, mode, max_age, updated_at) VALUES ('later.example', '${policy("mx.later.example")}', 'later1', 'enforce', 604800, 1)`);
  r = await serve("later.example");
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("last-modified"), "Thu, 01 Jan 1970 00:00:01 GMT");
});
