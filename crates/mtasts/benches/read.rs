//! Report reading in MB/s over the files named on the command line, each read from memory with
//! [`mtasts::lint_report`] (reading, limits, validation and summary), round after round until
//! [`MIN_SECONDS`] have passed. `make bench` runs it between two runs of parsedmarc over the same
//! files (scripts/bench-reports.mjs) and prints the ratio.
//!
//! `cargo bench -p mtasts --bench read -- FILE...`: one JSON line,
//! `{"files":N,"bytes":B,"rounds":R,"seconds":S,"mb_per_s":M}`.
#![allow(missing_docs)]

use std::hint::black_box;
use std::process::ExitCode;
use std::time::Instant;

/// How long the files are read, round after round.
const MIN_SECONDS: f64 = 3.0;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mut files = Vec::with_capacity(paths.len());
    for path in &paths {
        match std::fs::read(path) {
            Ok(bytes) => files.push(bytes),
            Err(e) => {
                eprintln!("bench read: {path}: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
    if files.is_empty() {
        eprintln!("bench read: name the report files to read");
        return ExitCode::FAILURE;
    }
    let bytes: usize = files.iter().map(Vec::len).sum();
    // One warm-up round, then timed rounds.
    for file in &files {
        black_box(mtasts::lint_report(black_box(file)));
    }
    let started = Instant::now();
    let mut rounds = 0u64;
    let seconds = loop {
        for file in &files {
            black_box(mtasts::lint_report(black_box(file)));
        }
        rounds += 1;
        let seconds = started.elapsed().as_secs_f64();
        if seconds >= MIN_SECONDS {
            break seconds;
        }
    };
    let mb = (bytes as f64 * rounds as f64) / f64::from(1u32 << 20);
    println!(
        "{{\"files\":{},\"bytes\":{bytes},\"rounds\":{rounds},\"seconds\":{seconds:.3},\"mb_per_s\":{:.1}}}",
        files.len(),
        mb / seconds
    );
    ExitCode::SUCCESS
}
