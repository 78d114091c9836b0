// The local operator token: .dev.vars (wrangler dev's secrets), created with a random API_TOKEN
// when missing, and given a new random one when its API_TOKEN is the example's placeholder, an
// old example value or shorter than the 32 characters the Worker requires (worker/src/auth.rs).
// `make dev` runs this file (it prints the token); the tests import `ensureDevVars`.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const ROOT = resolve(import.meta.dirname, "..");
const WEAK = new Set(["replace-me-with-at-least-32-random-characters", "dev-token-change-me"]);

/** The operator token of `root`/.dev.vars, made (and written) first when missing or weak. */
export function ensureDevVars(root = ROOT) {
  const file = join(root, ".dev.vars");
  const text = existsSync(file) ? readFileSync(file, "utf8") : readFileSync(join(root, ".dev.vars.example"), "utf8");
  const current = /^API_TOKEN=(.*)$/m.exec(text)?.[1]?.trim();
  if (existsSync(file) && current && !WEAK.has(current) && current.length >= 32) {
    return { token: current, created: false };
  }
  const token = randomBytes(33).toString("base64url");
  const line = `API_TOKEN=${token}`;
  const next = /^API_TOKEN=.*$/m.test(text) ? text.replace(/^API_TOKEN=.*$/m, line) : `${text.trimEnd()}\n${line}\n`;
  writeFileSync(file, next, { mode: 0o600 });
  return { token, created: true };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { token, created } = ensureDevVars();
  console.log(created ? "wrote a new random operator token into .dev.vars" : "operator token from .dev.vars");
  console.log(`  API_TOKEN=${token}`);
}
