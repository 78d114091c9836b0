// checkDomain against the stand-in internet (crates/mtasts-standin: a DoH server answering from
// tests/data/zones and HTTPS policy hosts with a test CA, all on 127.0.0.1), compared with each
// scenario's NAME.expected.json: the verdict, the exact set of codes, every sender's outcome.
//
// The policy goes through `fetchPolicy` (node:https with the stand-in's CA, redirects not
// followed, the policy host looked up over the stand-in's DoH as a sender would), and for a few
// scenarios through the package's own default: the global fetch, pointed at the stand-in by an
// undici dispatcher.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";
import tls from "node:tls";
import { after, before, describe, test } from "node:test";
import { Agent, getGlobalDispatcher, setGlobalDispatcher } from "undici";
import { checkDomain } from "mtasts";
import { codes, data, standinFetchPolicy, startStandin } from "./support.mjs";

const zones = join(data, "zones");
let standin;
let fetchPolicy;

before(async () => {
  standin = await startStandin();
  fetchPolicy = standinFetchPolicy(standin);
});

after(() => standin?.stop());

function expectations() {
  return readdirSync(zones)
    .filter((name) => name.endsWith(".expected.json"))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(zones, name), "utf8")))
    .filter((expected) => expected.exit !== 2);
}

function assertScenario(report, expected) {
  const { domain } = expected;
  assert.equal(report.domain, domain);
  assert.equal(report.verdict, expected.verdict, `${domain}: verdict`);
  assert.equal(report.ok, expected.exit === 0, `${domain}: ok is the CLI's exit status 0`);
  assert.deepEqual(codes(report), [...expected.codes].sort(), `${domain}: codes`);
  for (const [profile, outcome] of Object.entries(expected.senders)) {
    const sender = report.sender_matrix.find((s) => s.profile === profile);
    assert.equal(sender?.outcome, outcome, `${domain}: ${profile}`);
  }
  for (const [profile, text] of Object.entries(expected.responses ?? {})) {
    const sender = report.sender_matrix.find((s) => s.profile === profile);
    assert.ok(sender?.response?.includes(text), `${domain}: ${profile} response ${sender?.response}`);
  }
}

describe("every scenario, the policy through fetchPolicy", () => {
  const all = expectations();
  test("there are scenarios", () => assert.ok(all.length >= 20, `${all.length}`));
  for (const expected of all) {
    test(expected.domain, async () => {
      const steps = [];
      const report = await checkDomain(expected.domain, { doh: standin.dohUrl, fetchPolicy, onStep: (step) => steps.push(step) });
      assertScenario(report, expected);
      assert.deepEqual(steps, report.steps, "onStep saw every step of the report, in order");
      assert.equal(steps[0]?.name, "dns");
    });
  }
});

describe("the default policy fetch: the global fetch, redirect manual", () => {
  let previous;
  before(() => {
    previous = getGlobalDispatcher();
    // Every https:// connection goes to the stand-in's port, with the host as SNI and its CA;
    // http:// (the DoH endpoint) goes where it says.
    setGlobalDispatcher(
      new Agent({
        connect(options, callback) {
          const socket =
            options.protocol === "https:"
              ? tls.connect({ host: "127.0.0.1", port: standin.httpsPort, servername: options.hostname, ca: standin.ca, ALPNProtocols: ["http/1.1"] })
              : net.connect({ host: options.hostname, port: Number(options.port) });
          const ready = options.protocol === "https:" ? "secureConnect" : "connect";
          socket.once(ready, () => callback(null, socket));
          socket.once("error", (error) => callback(error, null));
          return socket;
        },
      }),
    );
  });
  after(() => setGlobalDispatcher(previous));

  for (const name of ["healthy-1mx.test", "redirect.test", "policy-fetch-too-large.test", "policy-fetch-status.test", "policy-fetch-tls-expired.test", "policy-fetch-tls-wrong-name.test", "policy-fetch-tls-untrusted.test", "policy-fetch-content-type.test"]) {
    test(name, async () => {
      const expected = JSON.parse(readFileSync(join(zones, `${name}.expected.json`), "utf8"));
      const report = await checkDomain(name, { doh: standin.dohUrl });
      assertScenario(report, expected);
      if (name === "redirect.test") {
        assert.equal(report.policy.reply.status, 301);
        assert.deepEqual(report.policy.reply.headers.find(([n]) => n === "location"), ["location", "https://www.redirect.test/.well-known/mta-sts.txt"]);
      }
      if (name === "policy-fetch-tls-expired.test") {
        assert.equal(report.policy.error.kind, "tls");
        assert.equal(report.policy.error.class, "expired");
        assert.equal(report.policy.tlsrpt_result_type, "certificate-expired");
      }
    });
  }
});

describe("the promise", () => {
  test("rejects with an Error for input that is not a mail domain, before any query", async () => {
    let asked = false;
    for (const input of ["", "192.0.2.1", "localhost", "exa mple.com"]) {
      await assert.rejects(checkDomain(input, { doh: standin.dohUrl, fetchPolicy: () => { asked = true; } }), (error) => error instanceof Error && error.message.length > 0);
    }
    await assert.rejects(checkDomain(42), /checkDomain: domain must be a string, not a number/);
    assert.equal(asked, false);
  });

  test("rejects for a resolver that cannot be reached, or bad options", async () => {
    // A port nobody listens on.
    const server = net.createServer();
    await new Promise((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address();
    await new Promise((r) => server.close(r));
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: `http://127.0.0.1:${port}/dns-query` }), /DNS resolver cannot be reached/);
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: "ftp://127.0.0.1/" }), /not an https:\/\/ \(or http:\/\/\) URL/);
    await assert.rejects(checkDomain("healthy-1mx.test", { dohUrl: "x" }), /unknown option "dohUrl"/);
    await assert.rejects(checkDomain("healthy-1mx.test", { onStep: 1 }), /options.onStep must be a function/);
    await assert.rejects(checkDomain("healthy-1mx.test", { signal: {} }), /options.signal must be an AbortSignal/);
  });

  test("an AbortSignal cancels a check in flight", async () => {
    // The stalling policy host never answers: only the abort ends the check early.
    const controller = new AbortController();
    let fetching;
    const started = new Promise((r) => (fetching = r));
    let policySignal;
    const check = checkDomain("policy-fetch-timeout.test", {
      doh: standin.dohUrl,
      signal: controller.signal,
      fetchPolicy: (url, { signal }) => {
        policySignal = signal;
        fetching(url);
        return new Promise(() => {});
      },
    });
    assert.equal(await started, "https://mta-sts.policy-fetch-timeout.test/.well-known/mta-sts.txt");
    assert.equal(policySignal.aborted, false);
    const t = performance.now();
    controller.abort();
    await assert.rejects(check, (error) => error instanceof Error && error.name === "AbortError");
    assert.ok(performance.now() - t < 500);
    assert.equal(policySignal.aborted, true, "fetchPolicy's signal tells it to stop");
    // Aborted before it starts; a reason that is not an Error becomes the cause of an AbortError.
    const early = new AbortController();
    early.abort("stop");
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: standin.dohUrl, signal: early.signal }), (error) => error.name === "AbortError" && error.cause === "stop");
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: standin.dohUrl, signal: AbortSignal.timeout(0), fetchPolicy: () => new Promise(() => {}) }), (error) => error.name === "TimeoutError");
  });

  test("a throwing onStep rejects with its error; a bad PolicyReply rejects with the reason", async () => {
    const oops = new Error("oops");
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy, onStep: () => { throw oops; } }), (error) => error === oops);
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy: () => ({ status: "200" }) }), /fetchPolicy\(".*"\) returned a reply whose status is not an integer/);
    await assert.rejects(checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy: () => ({ error: { kind: "nope" } }) }), /the kinds are dns, tls/);
  });

  test("PolicyReply: a Record of headers, a string body, a body over the read limit", async () => {
    const policy = "version: STSv1\r\nmode: enforce\r\nmx: mx1.healthy-1mx.test\r\nmax_age: 604800\r\n";
    const report = await checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy: async () => ({ status: 200, headers: { "Content-Type": "text/plain" }, body: policy }) });
    assert.equal(report.verdict, "delivers");
    assert.deepEqual(report.policy.reply.headers, [["content-type", "text/plain"]]);
    const huge = await checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy: () => ({ status: 200, headers: [["content-type", "text/plain"]], body: policy + "x".repeat(2 << 20) }) });
    assert.equal(huge.policy.reply.truncated, true);
    assert.equal(huge.policy.reply.body.length, (1 << 20) + 1);
    assert.ok(codes(huge).includes("policy-fetch.too-large"));
    // A fetchPolicy that throws is a failed fetch, classified by its code.
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const failed = await checkDomain("healthy-1mx.test", { doh: standin.dohUrl, fetchPolicy: () => { throw refused; } });
    assert.deepEqual(failed.policy.error, { kind: "connect", detail: "connect ECONNREFUSED" });
  });
});
