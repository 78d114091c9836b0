//! `wbg`: the wasm-bindgen command-line tool, built from `wasm-bindgen-cli` used as a library at
//! the workspace's exact wasm-bindgen version. worker-build calls it as `wasm-bindgen` (through
//! `WASM_BINDGEN_BIN`); a binary target of that name does not compile, hence `wbg` and a symlink
//! (`make setup` puts one in `.tools/bin`).

use std::process::ExitCode;

fn main() -> ExitCode {
    match wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(std::env::args_os()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("wasm-bindgen: {error:#}");
            ExitCode::FAILURE
        }
    }
}
