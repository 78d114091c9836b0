//! How long a domain check takes when every request costs a round trip: the stand-in adds 50 ms
//! before every DoH and HTTPS answer, and the check runs in-process with the CLI's own adapters
//! against `healthy-3mx.test` (three MX hosts). The result is the median wall time of
//! [`ITERATIONS`] cold checks (fresh adapters, so fresh connections, as each `mtasts check` has),
//! as a multiple of that 50 ms.
//!
//! The core starts every independent lookup at once, and asks the policy host's A and AAAA in
//! its first round (the CLI's fetcher connects to them, `PolicyFetcher::takes_addresses`), so
//! the critical path is: the first DNS round (1 x 50 ms), then the HTTPS answer (1 x 50 ms)
//! beside the per-MX lookups (1 x 50 ms): about 2 x 50 ms plus local work. Every answer is
//! delayed: DoH (the CLI's only DNS) and HTTPS alike.
//!
//! Run with `make bench` or `cargo bench -p mtasts-cli --bench check`. Not a test: it asserts
//! nothing but that the check delivers.

use mtasts::check::Outcome;
use mtasts_cli::check::{Adapters, CheckOptions};
use mtasts_standin::{StandIn, StandInConfig};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// The delay the stand-in adds before every answer.
const DELAY_MS: u64 = 50;
/// How many checks are timed.
const ITERATIONS: usize = 10;
/// The scenario: three MX hosts, everything healthy.
const DOMAIN: &str = "healthy-3mx.test";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("bench check: {why}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let zones = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/zones");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("starting the runtime: {e}"))?;
    let standin = runtime
        .block_on(StandIn::start(StandInConfig {
            delay_ms: DELAY_MS,
            ..StandInConfig::new(&zones)
        }))
        .map_err(|e| format!("starting the stand-in: {e}"))?;
    let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("bench-standin-ca-{}.pem", std::process::id()));
    std::fs::write(&ca_file, standin.ca_pem())
        .map_err(|e| format!("writing {}: {e}", ca_file.display()))?;
    let options = CheckOptions {
        doh_url: standin.doh_url(),
        ca_file: Some(ca_file.clone()),
        https_port: standin.https_port(),
        ..CheckOptions::default()
    };

    println!(
        "mtasts check {DOMAIN} against the stand-in, {DELAY_MS} ms added to every request, {ITERATIONS} runs"
    );
    let mut times = Vec::with_capacity(ITERATIONS);
    let mut last_steps = Vec::new();
    for n in 1..=ITERATIONS {
        let started = Instant::now();
        let adapters = Adapters::new(&options).map_err(|e| e.to_string())?;
        let report = runtime
            .block_on(adapters.check(DOMAIN, &|_| {}))
            .map_err(|e| format!("the check could not run: {e}"))?;
        let took = started.elapsed();
        drop(adapters);
        if report.verdict != Outcome::Delivers || report.mx.len() != 3 {
            return Err(format!(
                "{DOMAIN} should deliver over 3 MX hosts, got {} over {}",
                report.verdict.as_str(),
                report.mx.len()
            ));
        }
        println!("  run {n:>2}: {:>6.1} ms", ms(took));
        times.push(took);
        last_steps = report.steps;
    }
    let _ = std::fs::remove_file(&ca_file);
    let counts = standin.request_counts();
    runtime.block_on(standin.stop());

    times.sort();
    let median = match times.as_slice() {
        [] => return Err("no runs".into()),
        t => {
            let mid = t.len() / 2;
            let upper = t.get(mid).copied().unwrap_or_default();
            if t.len() % 2 == 0 {
                (t.get(mid - 1).copied().unwrap_or_default() + upper) / 2
            } else {
                upper
            }
        }
    };
    println!("steps of the last run (ms after the start):");
    for step in &last_steps {
        println!(
            "  {:<34} {:>5} .. {:>5}",
            step.name, step.started_ms, step.finished_ms
        );
    }
    println!(
        "requests served: {} DoH, {} HTTPS ({} and {} per check)",
        counts.doh,
        counts.https,
        counts.doh / ITERATIONS as u64,
        counts.https / ITERATIONS as u64
    );
    println!(
        "median {:.1} ms = {:.2} x {DELAY_MS} ms (min {:.1} ms, max {:.1} ms)",
        ms(median),
        ms(median) / DELAY_MS as f64,
        ms(times.first().copied().unwrap_or_default()),
        ms(times.last().copied().unwrap_or_default()),
    );
    // The summary row of `make bench` (scripts/bench-summary.mjs): the goal is 2.1 x RTT.
    let rtts = ms(median) / DELAY_MS as f64;
    println!(
        "BENCH {{\"row\":\"check critical path, every answer delayed\",\"value\":{rtts:.2},\"now\":\"{rtts:.2} x RTT\",\"op\":\"<=\",\"goal\":2.1}}"
    );
    Ok(())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
