//! Build tooling for the workspace, run as `cargo run -p xtask --profile xtask -- <task>`
//! (the Makefile does: `make npm`, `make web`).
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
//!
//! `web` builds the web page (`web/`, crate `mtasts-web`) into `dist/web/` the same way (steps 1
//! to 3), then copies `web/static/` (`index.html`, `style.css`, `main.js`) beside the glue and
//! the wasm: the static assets the Worker serves.

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
const PACKAGE_SOURCES: [&str; 6] = [
    "api.js",
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
        Some("web") => web(),
        _ => Err("usage: cargo run -p xtask --profile xtask -- npm|web".to_string()),
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
    // 1. The wasm. 2. wasm-bindgen.
    let Bound {
        root,
        bindgen_dir,
        wasm_opt,
        ..
    } = build_and_bind("mtasts-js", "mtasts", None)?;

    // 3. wasm-opt, straight into the package.
    let package = root.join("dist/npm");
    recreate_dir(&package)?;
    let optimised = package.join("mtasts_bg.wasm");
    optimise(&wasm_opt, &bindgen_dir.join("mtasts_bg.wasm"), &optimised)?;

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

/// The web page (`web/`): `dist/web/` with `web/static/` (`index.html`, `style.css`, `main.js`)
/// and two modules, each its glue `mtasts_web.js` and optimised `mtasts_web_bg.wasm`: the check
/// page alone at the top (the first load), and every page under `tools/` (crate feature `tools`,
/// loaded by `main.js` for the pages only it has). The Worker's static assets.
fn web() -> Result<(), String> {
    let root = root();
    let target = target_dir(&root);
    // Assembled beside, then moved in entry by entry: a `wrangler dev` serving dist/web meanwhile
    // never finds it empty.
    let staging = target.join("web-site");
    recreate_dir(&staging)?;
    for (feature, dir) in [
        (None, staging.clone()),
        (Some("tools"), staging.join("tools")),
    ] {
        let bound = build_and_bind("mtasts-web", "mtasts_web", feature)?;
        fs::create_dir_all(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
        optimise(
            &bound.wasm_opt,
            &bound.bindgen_dir.join("mtasts_web_bg.wasm"),
            &dir.join("mtasts_web_bg.wasm"),
        )?;
        copy(
            &bound.bindgen_dir.join("mtasts_web.js"),
            &dir.join("mtasts_web.js"),
        )?;
    }
    let sources = root.join("web/static");
    for entry in read_dir(&sources)? {
        if entry.is_file() {
            if let Some(name) = entry.file_name() {
                copy(&entry, &staging.join(name))?;
            }
        }
    }
    for name in WEB_FILES {
        if !staging.join(name).is_file() {
            return Err(format!("the web page lacks {name}"));
        }
    }
    let site = root.join("dist/web");
    fs::create_dir_all(&site).map_err(|e| format!("creating {}: {e}", site.display()))?;
    for old in read_dir(&site)? {
        let stays = old
            .file_name()
            .is_some_and(|name| staging.join(name).is_file());
        if !stays {
            remove(&old)?;
        }
    }
    for new in read_dir(&staging)? {
        if let Some(name) = new.file_name() {
            let to = site.join(name);
            fs::rename(&new, &to)
                .map_err(|e| format!("moving {} to {}: {e}", new.display(), to.display()))?;
        }
    }

    let size = |name: &str| fs::metadata(site.join(name)).map(|m| m.len()).unwrap_or(0);
    let sizes: Vec<String> = WEB_FILES
        .iter()
        .map(|name| format!("{name} {} bytes", size(name)))
        .collect();
    println!("web page: {}: {}", site.display(), sizes.join(", "));
    Ok(())
}

/// What `dist/web/` must hold.
const WEB_FILES: [&str; 7] = [
    "index.html",
    "style.css",
    "main.js",
    "mtasts_web.js",
    "mtasts_web_bg.wasm",
    "tools/mtasts_web.js",
    "tools/mtasts_web_bg.wasm",
];

/// A crate built for wasm32 and passed through wasm-bindgen, and what finishes the job.
struct Bound {
    /// The workspace root.
    root: PathBuf,
    /// Where wasm-bindgen wrote `<name>.js` and `<name>_bg.wasm`.
    bindgen_dir: PathBuf,
    /// npm's wasm-opt, checked.
    wasm_opt: PathBuf,
}

/// Builds `package` for wasm32 (`wasm-release`, with `feature` when given) and runs wasm-bindgen
/// on it into `target/<name>[-<feature>]-bindgen/`, after checking that npm's wasm-opt is there
/// to finish with.
fn build_and_bind(package: &str, name: &str, feature: Option<&str>) -> Result<Bound, String> {
    let root = root();
    let target = target_dir(&root);
    let wasm_opt = wasm_opt(&root)?;
    let wasm = build_wasm(&root, &target, package, feature)?;
    let bindgen_dir = match feature {
        Some(feature) => target.join(format!("{name}-{feature}-bindgen")),
        None => target.join(format!("{name}-bindgen")),
    };
    bindgen(&wasm, &bindgen_dir, name)?;
    Ok(Bound {
        root,
        bindgen_dir,
        wasm_opt,
    })
}

/// npm's `wasm-opt` (binaryen, the pinned version), or why it cannot be used.
fn wasm_opt(root: &Path) -> Result<PathBuf, String> {
    let wasm_opt = root.join("node_modules/.bin/wasm-opt");
    if !wasm_opt.exists() {
        return Err(format!(
            "{} is missing: run `npm ci` at the repository root first (`make node_modules`)",
            wasm_opt.display()
        ));
    }
    check_wasm_opt(&wasm_opt)?;
    Ok(wasm_opt)
}

/// `cargo build -p <package> --target wasm32-unknown-unknown --profile wasm-release
/// [--features <feature>]`; the path of the wasm it writes (the last build's: each build of the
/// package writes the same path, so it is bound before the next).
fn build_wasm(
    root: &Path,
    target: &Path,
    package: &str,
    feature: Option<&str>,
) -> Result<PathBuf, String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| OsString::from("cargo"));
    let mut build = Command::new(cargo);
    build.current_dir(root).args([
        "build",
        "-p",
        package,
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        "wasm-release",
    ]);
    if let Some(feature) = feature {
        build.args(["--features", feature]);
    }
    run(&mut build)?;
    Ok(target.join(format!(
        "wasm32-unknown-unknown/wasm-release/{}.wasm",
        package.replace('-', "_")
    )))
}

/// wasm-bindgen (`--target web`: one ES module of glue) into a fresh `out_dir`, as
/// `<out_name>.js` and `<out_name>_bg.wasm`.
fn bindgen(wasm: &Path, out_dir: &Path, out_name: &str) -> Result<(), String> {
    recreate_dir(out_dir)?;
    let args: Vec<OsString> = vec![
        "wasm-bindgen".into(),
        "--target".into(),
        "web".into(),
        "--out-dir".into(),
        out_dir.into(),
        "--out-name".into(),
        out_name.into(),
        "--no-typescript".into(),
        "--remove-producers-section".into(),
        wasm.into(),
    ];
    wasm_bindgen_cli::wasm_bindgen::run_cli_with_args(args)
        .map_err(|e| format!("wasm-bindgen: {e:#}"))
}

/// `wasm-opt -Oz` of `input` into `output`, debug information and producers stripped.
fn optimise(wasm_opt: &Path, input: &Path, output: &Path) -> Result<(), String> {
    let mut opt = Command::new(wasm_opt);
    opt.arg("-Oz")
        .args(WASM_FEATURES)
        .arg("--strip-debug")
        .arg("--strip-producers")
        .arg(input)
        .arg("-o")
        .arg(output);
    run(&mut opt)
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

/// The paths in a directory.
fn read_dir(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let entries = fs::read_dir(dir).map_err(|e| format!("reading {}: {e}", dir.display()))?;
    entries
        .map(|entry| {
            entry
                .map(|e| e.path())
                .map_err(|e| format!("reading {}: {e}", dir.display()))
        })
        .collect()
}

/// Removes a file or a directory with what it holds.
fn remove(path: &Path) -> Result<(), String> {
    let removed = if path.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    };
    removed.map_err(|e| format!("removing {}: {e}", path.display()))
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    fs::copy(from, to)
        .map(|_| ())
        .map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}
