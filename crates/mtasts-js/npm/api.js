// The package's API: one list for every entry point. Each entry initialises the wasm its own way
// and re-exports this, so the glue's `init`/`initSync` stay private to the package.
export {
  checkDomain,
  generate,
  lintPolicy,
  lintReport,
  lintStsRecord,
  lintTlsa,
  lintTlsRptRecord,
  matchMx,
} from "./mtasts.js";
