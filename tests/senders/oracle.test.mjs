// The sender profiles `postfix-mta-sts-resolver` and `mailauth` against the real code, on every
// scenario of tests/data/zones/ (run by run.mjs, inside its namespace, with the stand-in on
// 127.0.0.1:443 and :53 and mta-sts-daemon on 127.0.0.1:8461).
//
// For each scenario: our outcome is what `mtasts check NAME --json` reports for the profile
// (overall and per MX host); the real conclusion is what the real code answers, turned into the
// same words by the rules below, which are the senders' own (each cited):
// - postfix-mta-sts-resolver answers Postfix's socketmap query `postfix NAME` (responder.py):
//   `NOTFOUND` means Postfix applies no MTA-STS (`no-policy`); `OK secure match=A:B…` means TLS
//   with a certificate matching one of the names, each as postconf(5) reads a match pattern
//   (smtp_tls_verify_cert_match: "example.com" that name, ".example.com" "a non-zero number of
//   labels followed by a .example.com suffix", case ignored). An MX host whose certificate names
//   it (as the stand-in's do) is delivered to when it matches, refused otherwise.
// - mailauth: `getPolicy(NAME)`, then `validateMx(host, policy)` for each MX host: mode `none`
//   (which is also what it falls back to on every error) means no MTA-STS (`no-policy`), mode
//   `testing` delivers and reports (`delivers-testing`), mode `enforce` delivers to a host that
//   `validateMx` finds valid and refuses one it does not.
// Before any MTA-STS: a null MX (RFC 7505 §4.1) is `no-mail`; a domain without any mail host, or
// whose MX lookup fails, gets `refuses` (nothing to deliver to).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import dns from "node:dns";
import net from "node:net";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const ZONES = join(ROOT, "tests/data/zones");
const CLI = join(ROOT, "target/debug/mtasts");
const require = createRequire(join(ROOT, "package.json"));
const { getPolicy, validateMx } = require("mailauth/lib/mta-sts");

// mailauth resolves with node:dns's default resolver: the stand-in's plain DNS.
dns.promises.setServers(["127.0.0.1:53"]);
dns.setServers(["127.0.0.1:53"]);

const scenarios = readdirSync(ZONES)
  .filter((name) => name.endsWith(".expected.json"))
  .sort()
  .map((name) => JSON.parse(readFileSync(join(ZONES, name), "utf8")))
  .filter((expected) => expected.exit !== 2);

const results = [];

test("there are scenarios", () => assert.ok(scenarios.length >= 40, `${scenarios.length}`));

for (const { domain } of scenarios) {
  test(domain, async () => {
    const [ours, hosts, postfix, mailauth] = await Promise.all([
      ourMatrix(domain),
      mailHosts(domain),
      socketmap(`postfix ${domain}`),
      getPolicy(domain),
    ]);
    const real = {
      "postfix-mta-sts-resolver": conclude(hosts, postfixRules(postfix)),
      mailauth: conclude(hosts, mailauthRules(mailauth.policy)),
    };
    const raw = { "postfix-mta-sts-resolver": postfix.trim(), mailauth: `${mailauth.status} mode=${mailauth.policy.mode}${mailauth.warnings ? ` warnings=${mailauth.warnings}` : ""}` };
    const wrong = [];
    for (const [profile, want] of Object.entries(real)) {
      const got = ours.find((s) => s.profile === profile);
      const perHost = Object.fromEntries((got?.hosts ?? []).map((h) => [h.mx, h.outcome]));
      const agrees = got?.outcome === want.outcome && Object.entries(want.hosts).every(([host, outcome]) => perHost[host] === undefined || perHost[host] === outcome);
      results.push({ domain, profile, real: want.outcome, ours: got?.outcome, raw: raw[profile], agrees });
      if (!agrees) {
        wrong.push(`${profile}: ours ${got?.outcome} ${JSON.stringify(perHost)} (${got?.reason}); the real code: ${raw[profile]} → ${want.outcome} ${JSON.stringify(want.hosts)}`);
      }
    }
    assert.deepEqual(wrong, [], wrong.join("\n"));
  });
}

test("every result, as a table (target/tmp/sender-oracles/results.md)", () => {
  const lines = ["| scenario | profile | real code says | real outcome | our outcome | agree |", "|---|---|---|---|---|---|"];
  for (const r of results) lines.push(`| ${r.domain} | ${r.profile} | \`${r.raw}\` | ${r.real} | ${r.ours} | ${r.agrees ? "yes" : "**NO**"} |`);
  writeFileSync(join(ROOT, "target/tmp/sender-oracles/results.md"), `${lines.join("\n")}\n`);
  assert.equal(results.length, scenarios.length * 2);
});

/** Our sender matrix for `domain`, from the CLI against the stand-in (policy hosts on 443). */
function ourMatrix(domain) {
  const args = ["check", domain, "--json", "--doh", process.env.MTASTS_STANDIN_DOH, "--ca-file", process.env.MTASTS_STANDIN_CA, "--timeout", "4"];
  return new Promise((resolve, reject) => {
    execFile(CLI, args, { maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      if (error && error.code !== 1) return reject(new Error(`mtasts ${args.join(" ")}: ${stderr}`));
      resolve(JSON.parse(stdout).sender_matrix);
    });
  });
}

/** The domain's mail hosts as a sender finds them: `{ hosts }`, or `{ before }` (null MX, none). */
async function mailHosts(domain) {
  let mx;
  try {
    mx = await dns.promises.resolveMx(domain);
  } catch (error) {
    if (error.code !== "ENODATA" && error.code !== "ENOTFOUND") return { before: "refuses" };
    mx = [];
  }
  if (mx.length === 1 && mx[0].exchange === "") return { before: "no-mail" }; // RFC 7505 §4.1
  if (mx.length) return { hosts: [...new Set(mx.map((m) => m.exchange.toLowerCase()))] };
  // RFC 5321 §5.1: no MX, the domain itself, if it has an address.
  const addresses = await Promise.all(["resolve4", "resolve6"].map((f) => dns.promises[f](domain).catch(() => [])));
  return addresses.flat().length ? { hosts: [domain] } : { before: "refuses" };
}

/** One socketmap query (Postfix's protocol: netstrings), the answer's text. */
function socketmap(query) {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port: 8461 }, () => socket.write(`${Buffer.byteLength(query)}:${query},`));
    let data = "";
    socket.setEncoding("utf8");
    socket.setTimeout(30_000, () => socket.destroy(new Error(`no answer to ${query}`)));
    socket.on("data", (chunk) => {
      data += chunk;
      const found = /^(\d+):/.exec(data);
      if (found && data.length >= found[0].length + Number(found[1]) + 1) {
        socket.end();
        resolve(data.slice(found[0].length, found[0].length + Number(found[1])));
      }
    });
    socket.once("error", reject);
  });
}

/** What Postfix does with a socketmap answer, per host. */
function postfixRules(answer) {
  if (answer.startsWith("NOTFOUND")) return { policy: "no-policy" };
  const match = /\bmatch=(\S+)/.exec(answer)?.[1]?.split(":") ?? [];
  const covers = (host) =>
    match.some((pattern) => {
      const p = pattern.toLowerCase();
      return p.startsWith(".") ? host.length > p.length && host.endsWith(p) : host === p;
    });
  return { policy: "enforce", covers };
}

/** What mailauth's caller does with `getPolicy`'s policy, per host. */
function mailauthRules(policy) {
  if (policy.mode === "none") return { policy: "no-policy" };
  if (policy.mode === "testing") return { policy: "delivers-testing" };
  return { policy: "enforce", covers: (host) => validateMx(host, policy).valid };
}

/** The overall outcome and the outcome per host, as the sender matrix words them. */
function conclude({ hosts, before }, rules) {
  if (before) return { outcome: before, hosts: {} };
  if (rules.policy !== "enforce") return { outcome: rules.policy, hosts: Object.fromEntries(hosts.map((h) => [h, rules.policy])) };
  const each = Object.fromEntries(hosts.map((h) => [h, rules.covers(h) ? "delivers" : "refuses"]));
  return { outcome: Object.values(each).includes("refuses") ? "refuses" : "delivers", hosts: each };
}
