// `make dev`: the Worker (wrangler dev on http://127.0.0.1:8787, its local D1 under .wrangler/)
// in front of the stand-in for the internet (crates/mtasts-standin on fixed ports), offline:
// the page's DoH queries and the Worker's go to the stand-in, and the Worker fetches policies
// from the stand-in's HTTPS policy hosts (see startLocalInternet in tests/worker/harness.mjs).
// Ctrl-C (or SIGTERM) stops both. `make dev` applies the D1 migrations first.
import { join } from "node:path";
import { ROOT, startLocalInternet } from "../tests/worker/harness.mjs";

const PORT = 8787;
const DOH_PORT = 8053;
const HTTPS_PORT = 8443;
const DIR = join(ROOT, "target/dev");
const TRY = [
  ["healthy-1mx.test", "delivers: one MX, enforce, DANE"],
  ["healthy-3mx.test", "delivers: three MX hosts, one covered by a wildcard"],
  ["mx-not-covered.test", "refuses: the policy does not name mx2"],
  ["mx-cname.test", "Exchange Online refuses: the MX is a CNAME"],
  ["redirect.test", "no policy: the policy host answers 301"],
  ["policy-mode-testing.test", "delivers, testing mode"],
  ["policy-blank-line.test", "no policy for most senders: a blank line"],
];

const net = await startLocalInternet({
  port: PORT, dir: DIR, dohPort: DOH_PORT, httpsPort: HTTPS_PORT, migrate: false, echo: true,
  // Self-service claim → verify works here against the stand-in's DNS (see the lines below).
  // Report e-mails to this mailbox are taken (README.md, "Reports by e-mail").
  vars: { OPEN_SIGNUP: "true", TLSRPT_MAILBOX: "tlsrpt@reports.example.net" },
});
const { base, standin, worker, namespace } = net;

console.log(`
mtasts on ${base}/  (Ctrl-C stops it and the stand-in)
  stand-in: DoH ${standin.dohUrl}, policy hosts on 127.0.0.1:${standin.httpsPort}, CA ${standin.caFile}
  the Worker: DOH_URL=${standin.dohUrl} EDGE_HTTPS_PORT=${standin.httpsPort}, .test names allowed
  scenarios to try (tests/data/zones/README.md lists them all):`);
for (const [domain, what] of TRY) console.log(`    ${base}/?domain=${domain}`.padEnd(62) + what);
console.log(`
  a report e-mail signed with the test key (its policy domain policy.example must be hosted first):
    curl -X POST --data-binary @tests/data/dkim/pass.eml \\
      '${base}/cdn-cgi/handler/email?from=noreply@reports.test&to=tlsrpt@reports.example.net'`);
console.log(`
  claim a domain (OPEN_SIGNUP is on here), publish its challenge in the stand-in, verify:
    curl -X POST ${base}/api/domains/healthy-1mx.test/claim
    curl -X POST -H 'content-type: application/json' \\
      -d '{"name":"_mtasts-challenge.healthy-1mx.test","type":"TXT","value":"<challenge value>"}' \\
      ${standin.dohUrl.replace(/\/dns-query$/, "/control/records")}
    curl -X POST -d '{"claim":"<claim secret>"}' ${base}/api/domains/healthy-1mx.test/verify
  retention run: curl ${base}/__scheduled`);
if (!namespace.ok) {
  console.log(`
  NOTE: no mount namespace for the hosts file (${namespace.why}).
  The Worker resolves names with the system resolver, so its policy fetches of the stand-in's
  mta-sts.NAME.test hosts fail as a DNS error (/api/policy, /api/check and the page's policy
  step); the page's DNS steps, /lint, /generate and /reports work. Run as root, or where
  unprivileged user namespaces are allowed (unshare -rm), for the full check.`);
}
console.log();

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await net.stop();
  process.exit(code);
}
process.on("SIGINT", () => stop(0));
process.on("SIGTERM", () => stop(0));
// wrangler gone by itself: take the stand-in down too.
worker.exited.then((status) => {
  if (!stopping) {
    console.error(`wrangler dev exited (${status})`);
    stop(1);
  }
});
