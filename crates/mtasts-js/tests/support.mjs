// What the npm package's tests share. They run in a scratch project where the packed tarball is
// installed as a user installs it (`make npm-test` sets it up under target/npm-test), so
// `import ... from "mtasts"` resolves through the package's own `exports`.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository: MTASTS_ROOT, or two levels above the scratch project (target/npm-test). */
export const root = resolve(process.env.MTASTS_ROOT ?? join(dirname(fileURLToPath(import.meta.url)), "../.."));

/** The test data directory. */
export const data = join(root, "tests/data");

/** A binary of the workspace, built in debug (`cargo build -p mtasts-cli -p mtasts-standin`). */
export function binary(name) {
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, "target");
  const path = join(targetDir, "debug", name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run cargo build -p mtasts-cli -p mtasts-standin`);
  return path;
}

/** The files of tests/data/<kind>, sorted, each with its expectation when it has one. */
export function fixtures(kind) {
  const dir = join(data, kind);
  return readdirSync(dir)
    .filter((name) => !name.endsWith(".expected.json") && !name.endsWith(".md"))
    .sort()
    .map((name) => {
      // `x.txt` → `x.expected.json`; reports keep their whole name: `x.json.gz.expected.json`.
      const stem = kind === "tlsrpt-reports" ? name : name.replace(/\.txt$/, "");
      const expectedPath = join(dir, `${stem}.expected.json`);
      return {
        name,
        path: join(dir, name),
        bytes: readFileSync(join(dir, name)),
        expected: existsSync(expectedPath) ? JSON.parse(readFileSync(expectedPath, "utf8")) : undefined,
      };
    });
}

/** A record file holds one TXT record's text; a final newline is not part of it. */
export function recordText(bytes) {
  return new TextDecoder().decode(bytes).replace(/\n$/, "");
}

/** The lines of a tests/data/vectors file, parsed. */
export function vectors(name) {
  return readFileSync(join(data, "vectors", name), "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line));
}

/** Runs the CLI with `--json` and returns what it printed, parsed (exit status 0 or 1). */
export function cli(...args) {
  return cliWithInput(undefined, ...args);
}

/** The same, with `input` on standard input. */
export function cliWithInput(input, ...args) {
  // `--json` first: after `--`, it would be one more record.
  const argv = [args[0], ...(args[0] === "lint" ? [args[1]] : []), "--json", ...args.slice(args[0] === "lint" ? 2 : 1)];
  try {
    return JSON.parse(execFileSync(binary("mtasts"), argv, { input, encoding: "utf8", maxBuffer: 64 << 20 }));
  } catch (error) {
    if (error.status === 1 && error.stdout) return JSON.parse(error.stdout);
    throw error;
  }
}

/** The distinct finding codes of a result, sorted. */
export function codes(result) {
  return [...new Set(result.findings.map((f) => f.code))].sort();
}

/** Starts the stand-in; resolves once it has printed its DoH URL, HTTPS port and CA. */
export function startStandin() {
  const caPath = join(process.cwd(), `standin-ca-${process.pid}.pem`);
  const child = spawn(binary("mtasts-standin"), ["--zones", join(data, "zones"), "--ca-out", caPath], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`mtasts-standin exited (${code}): ${out}`)));
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const doh = /^DoH:\s+(\S+)/m.exec(out);
      const https = /^HTTPS:\s+127\.0\.0\.1:(\d+)/m.exec(out);
      if (doh && https && /^CA:/m.test(out)) {
        // Once: what it prints later (on stopping) is drained and ignored.
        child.removeAllListeners("exit");
        child.stdout.removeAllListeners("data");
        child.stdout.resume();
        resolve({
          dohUrl: doh[1],
          httpsPort: Number(https[1]),
          ca: readFileSync(caPath, "utf8"),
          stop: () => {
            child.kill("SIGTERM");
            rmSync(caPath, { force: true });
          },
        });
      }
    });
  });
}

/** A DNS query for `name` (RFC 1035 §4.1), recursion desired. */
function dnsQuery(name, type) {
  const labels = name.split(".").filter(Boolean).flatMap((label) => [label.length, ...Buffer.from(label)]);
  return Uint8Array.from([0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...labels, 0, type >> 8, type & 255, 0, 1]);
}

/** Whether `host` has an A record, asked over the stand-in's DoH. */
async function resolves(standin, host) {
  const response = await fetch(standin.dohUrl, {
    method: "POST",
    headers: { "content-type": "application/dns-message" },
    body: dnsQuery(host, 1),
  });
  const answer = new Uint8Array(await response.arrayBuffer());
  const rcode = answer[3] & 15;
  let at = 12;
  while (answer[at] !== 0) at += answer[at] + 1; // the question's name
  at += 5;
  for (let count = (answer[6] << 8) | answer[7]; count > 0; count--) {
    at += skipName(answer, at);
    const type = (answer[at] << 8) | answer[at + 1];
    if (type === 1) return { ok: true };
    at += 10 + ((answer[at + 8] << 8) | answer[at + 9]);
  }
  return { ok: false, why: rcode === 3 ? `${host} does not exist (NXDOMAIN)` : `${host} has no A record` };
}

function skipName(bytes, at) {
  let length = 0;
  while (bytes[at + length] !== 0 && (bytes[at + length] & 0xc0) !== 0xc0) length += bytes[at + length] + 1;
  return length + ((bytes[at + length] & 0xc0) === 0xc0 ? 2 : 1);
}

/**
 * A `fetchPolicy` for the stand-in, as a web page would route the fetch through its server: here
 * node:https with the stand-in's CA, redirects not followed, the policy host looked up over the
 * stand-in's DoH as a sender would.
 */
export const standinFetchPolicy = (standin) => async (url) => {
  const { hostname, pathname } = new URL(url);
  const address = await resolves(standin, hostname);
  if (!address.ok) return { error: { kind: "dns", detail: address.why } };
  return new Promise((resolve, reject) => {
    const request = https.request(
      { host: "127.0.0.1", port: standin.httpsPort, servername: hostname, ca: standin.ca, path: pathname, headers: { host: hostname }, timeout: 2000, agent: false },
      (response) => {
        const chunks = [];
        response.on("data", (chunk) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const headers = [];
          for (let i = 0; i < response.rawHeaders.length; i += 2) headers.push([response.rawHeaders[i], response.rawHeaders[i + 1]]);
          resolve({ status: response.statusCode, headers, body: new Uint8Array(Buffer.concat(chunks)) });
        });
      },
    );
    request.on("timeout", () => {
      request.destroy();
      resolve({ error: { kind: "timeout" } });
    });
    // TLS failures reject with Node's error (code CERT_HAS_EXPIRED, …): the package classifies it.
    request.on("error", reject);
    request.end();
  });
};

/** The first code block of `language` after `heading` in the installed package's README. */
export function readmeExample(heading, language) {
  const pkg = dirname(createRequire(join(process.cwd(), "package.json")).resolve("mtasts/package.json"));
  const readme = readFileSync(join(pkg, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(`\n## ${heading}\n`));
  const block = new RegExp("```" + language + "\\n([\\s\\S]*?)```").exec(section);
  if (!block) throw new Error(`README.md has no ${language} example under ## ${heading}`);
  return block[1];
}
