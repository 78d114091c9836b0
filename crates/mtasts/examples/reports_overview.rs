//! The core's overview of TLS-RPT report files for one policy domain, as JSON on standard output:
//!
//! ```sh
//! cargo run -p mtasts --example reports_overview -- DOMAIN FILE...
//! ```
//!
//! Each file is read as `lint_report` reads it (JSON, gzip or a report e-mail), cut down to the
//! policies of DOMAIN (`ReportSummary::for_policy_domain`) and added up by `summarize_reports`:
//! what the Worker's `GET /api/domains/DOMAIN/reports` answers for the same reports, beside its
//! `domain`, `since` and `truncated` (`tests/worker/worker.test.mjs` compares the two).
//! A file that cannot be read, or is not a valid report, ends it with status 1.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(domain) = args.next() else {
        eprintln!("usage: reports_overview DOMAIN FILE...");
        return ExitCode::from(2);
    };
    let mut reports = Vec::new();
    for file in args {
        let bytes = match std::fs::read(&file) {
            Ok(bytes) => bytes,
            Err(error) => {
                eprintln!("{file}: {error}");
                return ExitCode::FAILURE;
            }
        };
        let lint = mtasts::lint_report(&bytes);
        let Some(summary) = lint.value.filter(|_| lint.valid) else {
            eprintln!("{file}: not a valid report");
            return ExitCode::FAILURE;
        };
        reports.extend(summary.for_policy_domain(&domain));
    }
    let overview = mtasts::summarize_reports(&reports);
    match serde_json::to_string_pretty(&overview) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
