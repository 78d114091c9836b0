// 10 000 random and mutated inputs to every lint function (and to matchMx and generate): each call
// returns a well-formed result or throws an `Error` with a message. A Rust panic would surface as
// `RuntimeError: unreachable` (and leave the module unusable): it must never happen.
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { test } from "node:test";
import * as mtasts from "mtasts";
import { fixtures, recordText, vectors } from "./support.mjs";

const RUNS = 10_000;

/** A small deterministic generator (mulberry32), so that a failure can be replayed. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces that parsers care about, to splice in. */
const TOKENS = [
  "\n", "\r\n", "\r", "\0", "\uFEFF", " ", "\t", ":", ";", "=", ",", "*.", ".", "..", "-", "\"", "\\",
  "version: STSv1", "mode: enforce", "mode: testing", "mode: none", "mx: ", "max_age: ", "31557601",
  "99999999999999999999", "-1", "1e400", "v=STSv1", "v=TLSRPTv1", "id=", "rua=", "mailto:", "https://",
  "{", "}", "[", "]", "null", "true", "\"policies\"", "\"total-failure-session-count\": 18446744073709551615",
  "\"failure-details\"", "\"result-type\"", "\"date-range\"", "xn--", "é", "ß", "\u{1F4E7}", "\uD800",
  "3 1 1 ", "0C72AC70B745AC19998811B131D662C9", "Content-Type: application/tlsrpt+gzip\r\n",
];

function randomString(rand, maxLength) {
  const length = Math.floor(rand() * maxLength);
  let out = "";
  while (out.length < length) {
    const r = rand();
    if (r < 0.3) out += TOKENS[Math.floor(rand() * TOKENS.length)];
    else if (r < 0.8) out += String.fromCharCode(32 + Math.floor(rand() * 95));
    else out += String.fromCharCode(Math.floor(rand() * 0x3000));
  }
  return out;
}

function mutateString(rand, text) {
  let out = text;
  const edits = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const r = rand();
    if (r < 0.35) out = out.slice(0, at) + TOKENS[Math.floor(rand() * TOKENS.length)] + out.slice(at);
    else if (r < 0.6) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(rand() * 8));
    else if (r < 0.8) out = out.slice(0, at) + String.fromCharCode(Math.floor(rand() * 0x10000)) + out.slice(at + 1);
    else out = out.slice(0, at) + out.slice(at, at + 1 + Math.floor(rand() * 64)).repeat(2 + Math.floor(rand() * 5)) + out.slice(at);
  }
  return out;
}

function mutateBytes(rand, bytes) {
  const out = Array.from(bytes);
  const edits = 1 + Math.floor(rand() * 8);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(rand() * (out.length + 1));
    const r = rand();
    if (r < 0.4) out[at] = Math.floor(rand() * 256);
    else if (r < 0.7) out.splice(at, 1 + Math.floor(rand() * 16));
    else out.splice(at, 0, ...Array.from({ length: 1 + Math.floor(rand() * 16) }, () => Math.floor(rand() * 256)));
  }
  return Uint8Array.from(out);
}

/** Calls `fn`; a throw must be an Error with a message, never a wasm trap. */
function survive(name, input, fn) {
  let result;
  try {
    result = fn();
  } catch (error) {
    const shown = JSON.stringify(typeof input === "string" ? input.slice(0, 200) : String(input).slice(0, 200));
    assert.ok(error instanceof Error, `${name}(${shown}) threw a non-Error: ${error}`);
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `${name}(${shown}) panicked: ${error}`);
    assert.ok(error.message.length > 0, `${name}(${shown}) threw an Error without a message`);
    return "threw";
  }
  return result;
}

/** A lint result must be well-formed. */
function assertLintResult(name, result) {
  assert.equal(typeof result.valid, "boolean", name);
  assert.ok(Array.isArray(result.findings), name);
  assert.equal(result.valid, !result.findings.some((f) => f.severity === "error"), `${name}: valid`);
  for (const f of result.findings) {
    assert.ok(typeof f.code === "string" && typeof f.message === "string" && f.message.length > 0, name);
  }
}

function run(name, seed, makeInput, call, { lint = true } = {}) {
  const rand = random(seed);
  let threw = 0;
  for (let i = 0; i < RUNS; i++) {
    const input = makeInput(rand, i);
    const result = survive(name, input, () => call(input));
    if (result === "threw") threw++;
    else if (lint) assertLintResult(name, result);
  }
  return threw;
}

const policies = fixtures("policies").map((f) => new TextDecoder().decode(f.bytes));
const stsRecords = [...fixtures("txt-records").map((f) => recordText(f.bytes)), ...vectors("mta-sts-txt-record.jsonl").map((v) => v.input)];
const tlsrptRecords = [...fixtures("tlsrpt-records").map((f) => recordText(f.bytes)), ...vectors("tlsrpt-record.jsonl").map((v) => v.input)];
const tlsa = vectors("tlsa-record.jsonl").map((v) => v.input);
const reports = fixtures("tlsrpt-reports").map((f) => new Uint8Array(f.bytes));

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const text = (seeds, maxLength) => (rand) => (rand() < 0.75 ? mutateString(rand, pick(rand, seeds)) : randomString(rand, maxLength));

test("lintPolicy", () => {
  assert.equal(run("lintPolicy", 1, text(policies, 400), mtasts.lintPolicy), 0, "lintPolicy never throws on a string");
});

test("lintStsRecord", () => {
  const make = (rand) => {
    const one = text(stsRecords, 120);
    return rand() < 0.5 ? one(rand) : Array.from({ length: Math.floor(rand() * 4) }, () => one(rand));
  };
  assert.equal(run("lintStsRecord", 2, make, mtasts.lintStsRecord), 0);
});

test("lintTlsRptRecord", () => {
  const make = (rand) => {
    const one = text(tlsrptRecords, 200);
    return rand() < 0.5 ? one(rand) : Array.from({ length: Math.floor(rand() * 4) }, () => one(rand));
  };
  assert.equal(run("lintTlsRptRecord", 3, make, mtasts.lintTlsRptRecord), 0);
});

test("lintTlsa", () => {
  assert.equal(run("lintTlsa", 4, text(tlsa, 200), mtasts.lintTlsa), 0);
});

test("lintReport, bytes (JSON, gzip, e-mail, mutated) and strings", () => {
  const gzipped = reports.filter((r) => r[0] === 0x1f && r[1] === 0x8b);
  assert.ok(gzipped.length > 0);
  const make = (rand) => {
    const r = rand();
    const seed = pick(rand, reports);
    if (r < 0.5) return mutateBytes(rand, seed);
    if (r < 0.65) return gzipSync(mutateBytes(rand, pick(rand, reports.filter((x) => x[0] === 0x7b))));
    if (r < 0.8) return mutateString(rand, new TextDecoder().decode(seed));
    if (r < 0.9) return mutateBytes(rand, pick(rand, gzipped));
    return randomString(rand, 300);
  };
  assert.equal(run("lintReport", 5, make, mtasts.lintReport), 0);
});

test("matchMx", () => {
  const patterns = ["*.example.com", "mx.example.com", "*.", "*", "xn--bcher-kva.example", "MX.Example.COM."];
  const make = (rand) => [mutateString(rand, pick(rand, patterns)), rand() < 0.5 ? randomString(rand, 40) : mutateString(rand, "a.example.com")];
  const threw = run("matchMx", 6, make, ([p, h]) => {
    const matches = mtasts.matchMx(p, h);
    assert.equal(typeof matches, "boolean");
    return matches;
  }, { lint: false });
  assert.equal(threw, 0);
});

test("generate: a result, or an Error saying which input is wrong", () => {
  // Often untouched, so that some inputs are good: `mutate(x)` a quarter of the time.
  const maybe = (rand, good) => (rand() < 0.25 ? (rand() < 0.7 ? mutateString(rand, good) : randomString(rand, 30)) : good);
  const make = (rand) => ({
    domain: maybe(rand, "example.com"),
    mx: Array.from({ length: Math.floor(rand() * 3) }, () => maybe(rand, pick(rand, ["*.mx.example.com", "mx1.example.net."]))),
    mode: pick(rand, ["enforce", "testing", "none", undefined]),
    maxAge: pick(rand, [undefined, 1, 86400, 31557600, 31557601, 0]),
    rua: rand() < 0.5 ? undefined : [maybe(rand, "mailto:tlsrpt@example.com")],
  });
  let ok = 0;
  run("generate", 7, make, (options) => {
    const generated = mtasts.generate(options);
    ok++;
    assert.equal(mtasts.lintPolicy(generated.policy).valid, true, "a generated policy lints clean");
    return generated;
  }, { lint: false });
  assert.ok(ok > 1000, `some inputs generate (${ok})`);
});

test("wrong argument types are Errors too", () => {
  const values = [undefined, null, 0, 1.5, NaN, true, {}, [], [1], [null], ["a", 2], () => 1, Symbol("s"), 10n, new Uint8Array(2), new ArrayBuffer(2)];
  for (const value of values) {
    for (const [name, call] of [
      ["lintPolicy", () => mtasts.lintPolicy(value)],
      ["lintStsRecord", () => mtasts.lintStsRecord(value)],
      ["lintTlsRptRecord", () => mtasts.lintTlsRptRecord(value)],
      ["lintTlsa", () => mtasts.lintTlsa(value)],
      ["lintReport", () => mtasts.lintReport(value)],
      ["matchMx", () => mtasts.matchMx(value, "a.example.com")],
      ["generate", () => mtasts.generate(value)],
      ["generate", () => mtasts.generate({ domain: "example.com", mx: [value] })],
    ]) {
      survive(name, String(typeof value), call);
    }
  }
  // The module is still usable after all of that.
  assert.equal(mtasts.lintPolicy("version: STSv1\nmode: none\nmax_age: 86400\n").valid, true);
});
