//! `mtasts check D1 D2 …`: one line per domain, a table for people or JSON Lines (`--json`).

use super::{Printer, GREEN, RED, YELLOW};
use mtasts::check::Outcome;
use mtasts::text::printable;
use mtasts_cli::check::DomainResult;
use serde::Serialize;
use std::cmp::Reverse;
use std::io::{self, Write};

/// How one domain's check ended, as its exit status says it (0, 1, 2); the worst is the last.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Checked {
    /// No error finding and no sender refuses.
    Pass,
    /// An error finding, or a sender refuses.
    Fail,
    /// The check could not run.
    NotRun,
}

impl Checked {
    fn as_str(self) -> &'static str {
        match self {
            Checked::Pass => "pass",
            Checked::Fail => "fail",
            Checked::NotRun => "could not run",
        }
    }
}

/// What the table keeps of one domain's check (not the whole report: a list may be long).
#[derive(Debug, Clone)]
pub struct CheckSummary {
    /// How the check ended.
    pub status: Checked,
    /// The domain as checked, or as typed when the check could not run.
    domain: String,
    /// The profiles that refuse, by name, or `-`.
    refusing: String,
    /// The most severe finding (`error mx.not-covered`), why the check could not run, or `-`.
    worst: String,
}

impl CheckSummary {
    /// The summary of `input`'s check.
    pub fn new(input: &str, result: &DomainResult) -> CheckSummary {
        match result {
            Ok(report) => CheckSummary {
                status: if report.passes() {
                    Checked::Pass
                } else {
                    Checked::Fail
                },
                domain: report.domain.to_string(),
                refusing: or_dash(
                    report
                        .sender_matrix
                        .iter()
                        .filter(|s| s.outcome == Outcome::Refuses)
                        .map(|s| s.profile.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                // Findings come errors first; the first of the most severe is the one to show.
                worst: report
                    .findings
                    .iter()
                    .min_by_key(|f| Reverse(f.severity))
                    .map_or_else(
                        || "-".to_string(),
                        |f| format!("{} {}", f.severity.as_str(), f.code.as_str()),
                    ),
            },
            Err(e) => CheckSummary {
                status: Checked::NotRun,
                domain: input.to_string(),
                refusing: "-".to_string(),
                worst: e.to_string(),
            },
        }
    }
}

/// The JSON line of a domain that could not be checked.
#[derive(Serialize)]
struct NotChecked<'a> {
    /// The domain as typed.
    domain: &'a str,
    /// Always false: nothing passed.
    ok: bool,
    /// Why the check could not run, as the single-domain check says it on stderr.
    error: String,
}

impl Printer {
    /// One domain's line of `--json` with several domains: its report, compact, or a
    /// [`NotChecked`] object.
    pub fn check_line(&self, input: &str, result: &DomainResult) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match result {
            Ok(report) => serde_json::to_writer(&mut out, report)?,
            Err(e) => serde_json::to_writer(
                &mut out,
                &NotChecked {
                    domain: input,
                    ok: false,
                    error: e.to_string(),
                },
            )?,
        }
        writeln!(out)
    }

    /// The table of several domains: domain, result, refusing profiles, worst finding; then
    /// how many passed, failed and could not run.
    pub fn check_summary(&self, rows: &[CheckSummary]) -> io::Result<()> {
        let mut out = io::stdout().lock();
        let header = ["domain", "result", "refusing", "worst finding"].map(str::to_string);
        let cells: Vec<[String; 4]> = rows
            .iter()
            .map(|row| {
                [&row.domain, row.status.as_str(), &row.refusing, &row.worst]
                    .map(|cell| printable(cell).into_owned())
            })
            .collect();
        let mut widths = [0usize; 4];
        for line in std::iter::once(&header).chain(&cells) {
            for (width, cell) in widths.iter_mut().zip(line) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let statuses = std::iter::once(None).chain(rows.iter().map(|r| Some(r.status)));
        let [domain_width, result_width, refusing_width, _] = widths;
        for (line, status) in std::iter::once(&header).chain(&cells).zip(statuses) {
            let [domain, result, refusing, worst] = line;
            let result = format!("{result:<result_width$}");
            let result = match status {
                Some(status) => self.paint(&result, status_colour(status)),
                None => result,
            };
            let text =
                format!("{domain:<domain_width$}  {result}  {refusing:<refusing_width$}  {worst}");
            writeln!(out, "{}", text.trim_end())?;
        }
        let count = |status| rows.iter().filter(|r| r.status == status).count();
        let plural = if rows.len() == 1 { "" } else { "s" };
        writeln!(
            out,
            "\n{} domain{plural}: {} pass, {} fail, {} could not run",
            rows.len(),
            count(Checked::Pass),
            count(Checked::Fail),
            count(Checked::NotRun)
        )
    }
}

fn or_dash(text: String) -> String {
    if text.is_empty() {
        "-".to_string()
    } else {
        text
    }
}

fn status_colour(status: Checked) -> &'static str {
    match status {
        Checked::Pass => GREEN,
        Checked::Fail => RED,
        Checked::NotRun => YELLOW,
    }
}
