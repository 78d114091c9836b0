// Seed corpora for the fuzz targets, copied from tests/data/ at run time (never committed):
// `node fuzz/seeds.mjs` fills fuzz/corpus/<target>/ (git-ignored; libFuzzer adds what it finds).
// Each seed is named by the hash of its bytes, so running it again adds nothing twice.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const fuzz = dirname(fileURLToPath(import.meta.url));
const data = join(fuzz, "..", "tests", "data");
const corpus = {};

/** Adds `bytes` (a string or a Buffer; vectors whose input is something else are skipped). */
function seed(target, bytes) {
  if (typeof bytes !== "string" && !Buffer.isBuffer(bytes)) return;
  const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, "utf8");
  const name = createHash("sha1").update(buffer).digest("hex");
  const dir = join(fuzz, "corpus", target);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), buffer);
  corpus[target] = (corpus[target] ?? 0) + 1;
}

/** Files of `dir` (recursively) whose names `keep` accepts. */
function files(dir, keep) {
  return readdirSync(join(data, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** The `input` of every line of a vector file. */
function inputs(name) {
  return readFileSync(join(data, "vectors", name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line).input);
}

const notExpected = (name) => !name.endsWith(".expected.json");
/** An RRset as the RRset targets read it: records one a line, strings separated by NUL. */
const rrset = (records) => records.map((strings) => strings.join("\0")).join("\n");

for (const f of files("policies", (n) => n.endsWith(".txt"))) seed("policy", readFileSync(f));
for (const input of inputs("mta-sts-policy.jsonl")) seed("policy", input);
for (const input of inputs("policy-fetch.jsonl")) seed("policy", input.body);

for (const f of files("txt-records", (n) => n.endsWith(".txt"))) seed("sts_rrset", readFileSync(f));
for (const input of inputs("mta-sts-txt-record.jsonl")) seed("sts_rrset", input);
for (const input of inputs("mta-sts-txt-lookup.jsonl")) if (Array.isArray(input.rrs)) seed("sts_rrset", rrset(input.rrs));
for (const input of inputs("policy-fetch.jsonl")) seed("sts_rrset", input.txt);

for (const f of files("tlsrpt-records", (n) => n.endsWith(".txt"))) seed("tlsrpt_rrset", readFileSync(f));
for (const input of inputs("tlsrpt-record.jsonl")) seed("tlsrpt_rrset", input);

for (const input of inputs("tlsa-record.jsonl")) seed("tlsa", input);
for (const input of inputs("dane-verify.jsonl")) for (const tlsa of input?.tlsa ?? []) seed("tlsa", tlsa);

for (const f of files("tlsrpt-reports", notExpected)) seed("report", readFileSync(f));

for (const f of files("vectors/dane-certs", (n) => n.endsWith(".pem") || n.endsWith(".cert"))) {
  seed("cert_chain", readFileSync(f));
}

for (const input of inputs("mx-pattern-match.jsonl")) {
  for (const pattern of input?.policy_mx ?? []) seed("mx_match", `${pattern}\n${input.mx_host}`);
}

// DNS answers (RFC 1035 §4.1): tests/data holds zones as text, so a few are built here.
function name(text) {
  const labels = text.split(".").filter((l) => l !== "");
  return Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
}
function u16(n) {
  return Buffer.from([n >> 8, n & 0xff]);
}
function answer(qname, qtype, records, flags = 0x81a0) {
  const rrs = records.map(([owner, type, rdata]) =>
    Buffer.concat([name(owner), u16(type), u16(1), Buffer.from([0, 0, 0x0e, 0x10]), u16(rdata.length), rdata]),
  );
  const header = Buffer.concat([u16(0), u16(flags), u16(1), u16(rrs.length), u16(0), u16(0)]);
  return Buffer.concat([header, name(qname), u16(qtype), u16(1), ...rrs]);
}
const txt = (...strings) => Buffer.concat(strings.map((s) => Buffer.concat([Buffer.from([s.length]), Buffer.from(s)])));
seed("dns_answer", answer("_mta-sts.example.com", 16, [["_mta-sts.example.com", 16, txt("v=STSv1; id=2026", "1204")]]));
seed("dns_answer", answer("example.com", 15, [["example.com", 15, Buffer.concat([u16(10), name("mx.example.com")])]]));
seed("dns_answer", answer("mx.example.com", 1, [["mx.example.com", 5, name("mail.example.net")], ["mail.example.net", 1, Buffer.from([192, 0, 2, 1])]]));
seed("dns_answer", answer("_25._tcp.mx.example.com", 52, [["_25._tcp.mx.example.com", 52, Buffer.concat([Buffer.from([3, 1, 1]), Buffer.alloc(32, 0xab)])]]));
seed("dns_answer", answer("absent.example", 16, [], 0x8183));

for (const [target, n] of Object.entries(corpus)) console.log(`fuzz seeds: ${target}: ${n}`);
