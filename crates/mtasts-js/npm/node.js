// The entry point for Node (and Deno and Bun, which take the "node" condition): the wasm is read
// from beside this file and compiled synchronously, so every function is ready once the import is.
import { readFileSync } from "node:fs";
import { initSync } from "./mtasts.js";

initSync({ module: readFileSync(new URL("./mtasts_bg.wasm", import.meta.url)) });

export * from "./api.js";
