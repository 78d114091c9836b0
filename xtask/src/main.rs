//! Build tooling for the workspace, run as `cargo run -p xtask --profile xtask -- <task>`
//! (the Makefile does: `make npm`).
//!
//! `npm` builds the npm package `mtasts` into `dist/npm/` and packs it into
//! `dist/mtasts-<version>.tgz`:
//!
//! 1. `cargo build -p mtasts-js --target wasm32-unknown-unknown --profile wasm-release`;
//! 2. wasm-bindgen, as a library pinned to the version the crate links (`--target web`: one
//!    ES module of glue that every entry point shares);
//! 3. binaryen's `wasm-opt -Oz` from `node_modules/.bin` (npm `binaryen`, never the system's:
//!    an old one cannot read current Rust output, see ../shared/TOOLCHAIN.md);
//! 4. the package: the glue, the optimised wasm, and from `crates/mtasts-js/npm/` the entry
//!    points, the hand-written TypeScript declarations, the README, and a `package.json` whose
//!    version is the workspace's;
//! 5. `npm pack`.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// The workspace version (xtask takes `version.workspace = true`).
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The binaryen major version wasm-opt must be (npm `binaryen`, pinned in package.json).
const WASM_OPT_VERSION: &str = "132";

/// What Rust's `wasm32-unknown-unknown` target enables by default: wasm-opt must accept them.
const WASM_FEATURES: [&str; 6] = [
    "--enable-bulk-memory",
    "--enable-multivalue",
    "--enable-mutable-globals",
    "--enable-nontrapping-float-to-int",
    "--enable-reference-types",
    "--enable-sign-ext",
];

/// The files of `crates/mtasts-js/npm/` that ship as they are.
const PACKAGE_SOURCES: [&str; 5] = [
    "node.js",
    "web.js",
    "workerd.js",
    "mtasts.d.ts",
    "README.md",
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("npm") => npm(),
        _ => Err("usage: cargo run -p xtask --profile xtask -- npm".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root: the parent of this crate's directory.
fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|dir| {
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
        })
        .unwrap_or_else(|| root.join("target"))
}

fn npm() -> Result<(), String> {
    let root = root();
    let target = target_dir(&root);
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        return Err(format!(
            "{} is missing: run `npm ci` at the repository root first (`make node_modules`)",
            wasm_opt.display()
        ));
    }
    check_wasm_opt(&wasm_opt)?;

    // 1. The wasm.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    run(Command::new(cargo).current_dir(&root).args([
        "build",
        "-p",
        "mtasts-js",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]))?;
    let wasm = target.join("wasm32-unknown-unknown/wasm-release/mtasts_js.wasm");

    // 2. wasm-bindgen.
    let bindgen_dir = target.join("npm-bindgen");
    recreate_dir(&bindgen_dir)?;
    let args: Vec<OsString> = vec![
        "wasm-bindgen".into(),
        "--target".into(),
        "web".into(),
        "--out-dir".into(),
        bindgen_dir.clone().into(),
        "--out-name".into(),
        "mtasts".into(),
        "--no-typescript".into(),
        "--remove-producers-section".into(),
        wasm.into(),
    ];
    wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(args)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))?;

    // 3. wasm-opt, straight into the package.
    let package = root.join("dist/npm");
    recreate_dir(&package)?;
    let optimised = package.join("mtasts_bg.wasm");
    let mut opt = Command::new(&wasm_opt);
    opt.arg("-Oz")
        .args(WASM_FEATURES)
        .arg("--strip-debug")
        .arg("--strip-producers")
        .arg(bindgen_dir.join("mtasts_bg.wasm"))
        .arg("-o")
        .arg(&optimised);
    run(&mut opt)?;

    // 4. The package.
    copy(&bindgen_dir.join("mtasts.js"), &package.join("mtasts.js"))?;
    let sources = root.join("crates/mtasts-js/npm");
    for name in PACKAGE_SOURCES {
        copy(&sources.join(name), &package.join(name))?;
    }
    let template = fs::read_to_string(sources.join("package.template.json"))
        .map_err(|e| format!("reading package.template.json: {e}"))?;
    write(&package.join("package.json"), &package_json(&template)?)?;

    check_files(&package)?;

    // 5. The tarball, beside the package directory.
    let dist = root.join("dist");
    run(Command::new("npm")
        .current_dir(&package)
        .args(["pack", "--pack-destination"])
        .arg(&dist)
        .args(["--loglevel", "warn"]))?;
    let tarball = dist.join(format!("mtasts-{VERSION}.tgz"));
    let size = |path: &Path| fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    println!(
        "npm package: {} ({} bytes of wasm); tarball: {} ({} bytes)",
        package.display(),
        size(&optimised),
        tarball.display(),
        size(&tarball)
    );
    Ok(())
}

/// The package's manifest: `package.template.json` with the workspace version. Written as text
/// (not through serde_json, whose maps sort their keys): the order of the `exports` conditions
/// is what picks the entry point.
fn package_json(template: &str) -> Result<String, String> {
    const PLACEHOLDER: &str = "{{version}}";
    if template.matches(PLACEHOLDER).count() != 1 {
        return Err(format!(
            "package.template.json must hold {PLACEHOLDER} once"
        ));
    }
    let manifest = template.replace(PLACEHOLDER, VERSION);
    serde_json::from_str::<serde_json::Value>(&manifest)
        .map_err(|e| format!("package.template.json is not JSON: {e}"))?;
    Ok(manifest)
}

/// Refuses a package whose `files` name a file it does not have (`npm pack` would leave it out).
fn check_files(package: &Path) -> Result<(), String> {
    let manifest = fs::read_to_string(package.join("package.json"))
        .map_err(|e| format!("reading package.json: {e}"))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest).map_err(|e| format!("package.json: {e}"))?;
    let files = manifest
        .get("files")
        .and_then(|f| f.as_array())
        .ok_or("package.json has no files list")?;
    for file in files {
        let name = file.as_str().unwrap_or_default();
        if name.is_empty() || !package.join(name).is_file() {
            return Err(format!(
                "package.json lists {file}, which the package lacks"
            ));
        }
    }
    Ok(())
}

/// Refuses a wasm-opt of another binaryen than the pinned one.
fn check_wasm_opt(wasm_opt: &Path) -> Result<(), String> {
    let output = Command::new(wasm_opt)
        .arg("--version")
        .output()
        .map_err(|e| format!("running {}: {e}", wasm_opt.display()))?;
    let version = String::from_utf8_lossy(&output.stdout);
    if !version.contains(&format!("version {WASM_OPT_VERSION}")) {
        return Err(format!(
            "{} says {:?}; binaryen {WASM_OPT_VERSION} is pinned (run `npm ci`)",
            wasm_opt.display(),
            version.trim()
        ));
    }
    Ok(())
}

fn run(command: &mut Command) -> Result<(), String> {
    let status = command
        .status()
        .map_err(|e| format!("running {command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}

fn recreate_dir(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| format!("removing {}: {e}", dir.display()))?;
    }
    fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}
