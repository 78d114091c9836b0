// The entry point for browsers (and bundlers): the wasm is fetched from beside this file, streamed
// into the compiler, and awaited at the top level, so every function is ready once the import is.
import init from "./mtasts.js";

await init({ module_or_path: new URL("./mtasts_bg.wasm", import.meta.url) });

export * from "./api.js";
