// `make web-test`: starts one stand-in and one Worker (wrangler dev with the built page, in front
// of the stand-in) for the whole web suite, runs every tests/web/*.test.mjs against it with node's
// test runner, and stops both. Arguments are passed on to `node --test` (e.g. a file name).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT, startLocalInternet } from "../worker/harness.mjs";
import { webServerEnv, webTestOptions } from "./support.mjs";

for (const file of ["dist/web/index.html", "dist/web/mtasts_web_bg.wasm", "worker/build/index.js"]) {
  if (!existsSync(join(ROOT, file))) {
    console.error(`${file} is missing: make worker-build web`);
    process.exit(2);
  }
}
const started = Date.now();
const net = await startLocalInternet(webTestOptions());
if (!net.namespace.ok) {
  await net.stop();
  console.error(`the web tests need a mount namespace for the hosts file: ${net.namespace.why}`);
  process.exit(2);
}
console.log(`# stand-in and Worker ready on ${net.base} in ${Date.now() - started} ms`);

const files = process.argv.slice(2);
const child = spawn(process.execPath, ["--test", ...(files.length ? files : [join(ROOT, "tests/web/")])], {
  stdio: "inherit",
  env: { ...process.env, ...webServerEnv(net) },
});
const stop = () => child.kill("SIGTERM");
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
const status = await new Promise((resolve) => child.once("exit", (code) => resolve(code ?? 1)));
await net.stop();
process.exit(status);
