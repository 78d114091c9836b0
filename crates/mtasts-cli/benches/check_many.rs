//! What `mtasts check --jobs 8` gains over checking domains one by one: [`DOMAINS`] domains of
//! the stand-in, which adds 50 ms before every DoH and HTTPS answer, checked once with
//! [`run_many`] (the CLI's multi-domain path: one runtime, one set of adapters, at most
//! [`JOBS`] checks at once), against the sum of [`run`] for each domain alone (the single-domain
//! path: a fresh runtime and fresh connections each, as separate `mtasts check D` have).
//!
//! The domains are copies of `healthy-1mx.test` (`bench-001.test` …), written to a scenario
//! directory under target/ at start. Each check waits on about two round trips (see the `check`
//! bench), so eight at once should take about an eighth of the sum: the ratio printed is
//! `run_many` time / sum of single checks.
//!
//! Run with `make bench` or `cargo bench -p mtasts-cli --bench check_many`. Not a test: it asserts
//! nothing but that every domain delivers.

use mtasts::check::Outcome;
use mtasts_cli::check::{run, run_many, CheckOptions};
use mtasts_standin::{StandIn, StandInConfig};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The delay the stand-in adds before every answer.
const DELAY_MS: u64 = 50;
/// How many domains are checked.
const DOMAINS: usize = 100;
/// How many at once (the CLI's default).
const JOBS: usize = 8;
/// The scenario every domain copies.
const TEMPLATE: &str = "healthy-1mx.test";

fn main() -> ExitCode {
    match bench() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("bench check_many: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Writes `count` copies of the template scenario (`NAME.zone`, `NAME.http`) into `dir`.
fn write_scenarios(dir: &Path, count: usize) -> Result<Vec<String>, String> {
    let zones = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/zones");
    let read = |ext: &str| {
        let path = zones.join(format!("{TEMPLATE}.{ext}"));
        std::fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))
    };
    let (zone, http) = (read("zone")?, read("http")?);
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let mut domains = Vec::with_capacity(count);
    for n in 1..=count {
        let domain = format!("bench-{n:03}.test");
        for (ext, text) in [("zone", &zone), ("http", &http)] {
            let path = dir.join(format!("{domain}.{ext}"));
            std::fs::write(&path, text.replace(TEMPLATE, &domain))
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        domains.push(domain);
    }
    Ok(domains)
}

fn bench() -> Result<(), String> {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bench-many-zones-{}", std::process::id()));
    let domains = write_scenarios(&dir, DOMAINS)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let standin = runtime
        .block_on(StandIn::start(StandInConfig {
            delay_ms: DELAY_MS,
            ..StandInConfig::new(&dir)
        }))
        .map_err(|e| format!("starting the stand-in: {e}"))?;
    let ca_file = dir.join("ca.pem");
    std::fs::write(&ca_file, standin.ca_pem())
        .map_err(|e| format!("writing {}: {e}", ca_file.display()))?;
    let options = CheckOptions {
        doh_url: standin.doh_url(),
        ca_file: Some(ca_file),
        https_port: standin.https_port(),
        ..CheckOptions::default()
    };
    let delivers = |domain: &str, verdict: Outcome| {
        if verdict == Outcome::Delivers {
            Ok(())
        } else {
            Err(format!("{domain} should deliver, got {}", verdict.as_str()))
        }
    };

    println!(
        "{DOMAINS} copies of {TEMPLATE} against the stand-in, {DELAY_MS} ms added to every request"
    );
    let mut sum = Duration::ZERO;
    for domain in &domains {
        let started = Instant::now();
        let report = run(domain, &options, &|_| {})
            .map_err(|e| format!("{domain}: the check could not run: {e}"))?;
        sum += started.elapsed();
        delivers(domain, report.verdict)?;
    }
    println!(
        "  {DOMAINS} single checks: {:>7.1} ms in all ({:.1} ms each)",
        ms(sum),
        ms(sum) / DOMAINS as f64
    );

    let mut verdicts = Vec::with_capacity(DOMAINS);
    let started = Instant::now();
    run_many(&domains, &options, JOBS, &|_| {}, &mut |domain, result| {
        verdicts.push((domain.to_string(), result.map(|r| r.verdict)));
        ControlFlow::Continue(())
    })
    .map_err(|e| e.to_string())?;
    let many = started.elapsed();
    for (domain, verdict) in verdicts {
        delivers(&domain, verdict.map_err(|e| format!("{domain}: {e}"))?)?;
    }
    println!("  run_many, --jobs {JOBS}:  {:>7.1} ms", ms(many));

    let counts = standin.request_counts();
    runtime.block_on(standin.stop());
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "requests served: {} DoH, {} HTTPS (both runs)",
        counts.doh, counts.https
    );
    let ratio = ms(many) / ms(sum);
    println!(
        "ratio {ratio:.3} (1/{JOBS} = {:.3} would be perfect overlap)",
        1.0 / JOBS as f64
    );
    // The summary row of `make bench` (scripts/bench-summary.mjs).
    println!(
        "BENCH {{\"row\":\"CLI {DOMAINS} domains --jobs {JOBS} / sum of single checks\",\"value\":{ratio:.3},\"now\":\"{ratio:.3}\",\"op\":\"<=\",\"goal\":0.25}}"
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
