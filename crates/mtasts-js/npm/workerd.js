// The entry point for Cloudflare Workers (the "workerd" condition): wrangler bundles the wasm as a
// compiled WebAssembly.Module, which is instantiated synchronously (Workers may not compile wasm
// from bytes at run time).
import wasm from "./mtasts_bg.wasm";
import { initSync } from "./mtasts.js";

initSync({ module: wasm });

export * from "./api.js";
