// `make sender-oracles`: the sender profiles against the real code of two senders, run unchanged
// (issue 15): postfix-mta-sts-resolver 1.5.1 (PyPI, tests/requirements.txt; its daemon
// `mta-sts-daemon` with an empty configuration, i.e. its own defaults, asked over its socketmap
// protocol as Postfix asks it) and mailauth 7.1.0 (npm, package.json; `getPolicy` and
// `validateMx` with their defaults). oracle.test.mjs compares them with our profiles on every
// scenario of tests/data/zones/.
//
// Both senders fetch https://mta-sts.NAME/ on port 443 and resolve names with the system's
// resolver (c-ares and glibc read /etc/resolv.conf; neither takes another port from there), and
// neither can be given another port or resolver without changing its code. So this script runs
// everything in a private network and mount namespace (unshare(1): `-n -m` as root, `-r -n -m`
// otherwise, a user namespace mapping us to root): loopback only, brought up here, where the
// stand-in may listen on 127.0.0.1:443 (HTTPS) and 127.0.0.1:53 (plain DNS, UDP and TCP), and
// a resolv.conf naming 127.0.0.1 is bind-mounted over /etc/resolv.conf. Nothing leaves the
// namespace: it has no other interface. The stand-in's test CA is trusted through
// SSL_CERT_FILE (Python's ssl default context, which aiohttp uses) and NODE_EXTRA_CA_CERTS.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import net from "node:net";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const TMP = join(ROOT, "target/tmp/sender-oracles");
const STANDIN = join(ROOT, "target/debug/mtasts-standin");
const PYTHON = join(ROOT, "target/venv/bin/python");
const DAEMON = join(ROOT, "target/venv/bin/mta-sts-daemon");

for (const file of [STANDIN, join(ROOT, "target/debug/mtasts"), DAEMON, join(ROOT, "node_modules/mailauth/package.json")]) {
  if (!existsSync(file)) {
    console.error(`${file} is missing: make sender-oracles builds and installs it`);
    process.exit(2);
  }
}

if (!process.env.MTASTS_ORACLE_NAMESPACE) {
  const flags = process.getuid?.() === 0 ? ["-n", "-m"] : ["-r", "-n", "-m"];
  const child = spawnSync("unshare", [...flags, process.execPath, ...process.argv.slice(1)], {
    stdio: "inherit",
    env: { ...process.env, MTASTS_ORACLE_NAMESPACE: "1" },
  });
  if (child.error) {
    console.error(`the sender oracles need a network namespace (unshare): ${child.error.message}`);
    process.exit(2);
  }
  process.exit(child.status ?? 1);
}

mkdirSync(TMP, { recursive: true });
// Loopback up (SIOCGIFFLAGS, SIOCSIFFLAGS with IFF_UP): `ip` is not on every machine.
const up = spawnSync(PYTHON, ["-c", `
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, struct.pack("16sh", b"lo", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))
`], { encoding: "utf8" });
if (up.status !== 0) fail(`bringing loopback up: ${up.stderr}`);
const resolvConf = join(TMP, "resolv.conf");
writeFileSync(resolvConf, "nameserver 127.0.0.1\noptions timeout:2 attempts:1\n");
const mount = spawnSync("mount", ["--bind", resolvConf, "/etc/resolv.conf"], { encoding: "utf8" });
if (mount.status !== 0) fail(`mounting ${resolvConf} over /etc/resolv.conf: ${mount.stderr}`);

const caFile = join(TMP, "standin-ca.pem");
const children = [];
const standin = start(STANDIN, ["--zones", join(ROOT, "tests/data/zones"), "--https-port", "443", "--dns-port", "53", "--ca-out", caFile]);
const dohUrl = await new Promise((resolve, reject) => {
  let out = "";
  standin.stdout.on("data", (chunk) => {
    out += chunk;
    const found = /^DoH:\s+(\S+)/m.exec(out);
    if (found && /^CA:/m.test(out)) resolve(found[1]);
  });
  standin.once("exit", (code) => reject(new Error(`mtasts-standin exited (${code}): ${out}`)));
}).catch((e) => fail(e.message));

// postfix-mta-sts-resolver with an empty configuration file: every setting at its default
// (defaults.py: 127.0.0.1:8461, timeout 4, strict_testing false, internal cache).
const config = join(TMP, "mta-sts-daemon.yml");
writeFileSync(config, "");
start(DAEMON, ["-c", config, "-v", "warn", "--disable-uvloop"], { SSL_CERT_FILE: caFile });
await waitForPort(8461).catch((e) => fail(`mta-sts-daemon: ${e.message}`));

const test = spawn(process.execPath, ["--test", ...process.argv.slice(2), join(ROOT, "tests/senders/oracle.test.mjs")], {
  stdio: "inherit",
  env: { ...process.env, NODE_EXTRA_CA_CERTS: caFile, MTASTS_STANDIN_DOH: dohUrl, MTASTS_STANDIN_CA: caFile },
});
const status = await new Promise((resolve) => test.once("exit", (code) => resolve(code ?? 1)));
await stop();
process.exit(status);

function start(command, args, env = {}) {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, ...env } });
  child.stdout.setEncoding("utf8");
  children.push(child);
  return child;
}

/** Stops what this script started, by its own handles: TERM, then KILL after 5 s. */
function stop() {
  const running = children.filter((child) => child.exitCode === null && child.signalCode === null);
  return Promise.all(
    running.map(
      (child) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

function fail(why) {
  console.error(`sender oracles: ${why}`);
  for (const child of children) child.kill("SIGKILL");
  process.exit(2);
}

async function waitForPort(port) {
  for (let i = 0; i < 100; i++) {
    const open = await new Promise((resolve) => {
      const socket = net.connect({ host: "127.0.0.1", port }, () => { socket.end(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after 10 s`);
}
