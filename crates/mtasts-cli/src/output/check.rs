//! The check report for people: the verdict in plain words, the sender matrix, the findings by
//! severity, and the MX hosts as a table. (`--json` prints the report itself.)

use super::{write_json, Printer, BLUE, GREEN, RED, YELLOW};
use mtasts::check::{headline, CheckReport, MxHost, Outcome, SenderVerdict, StepName};
use mtasts::text::printable;
use mtasts::{Finding, Severity};
use std::io::{self, Write};

impl Printer {
    /// The report of `mtasts check`.
    pub fn check(&self, report: &CheckReport) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.json {
            return write_json(&mut out, report);
        }
        self.verdict(&mut out, report)?;
        writeln!(out)?;
        self.senders(&mut out, &report.sender_matrix)?;
        writeln!(out)?;
        self.check_findings(&mut out, &report.findings)?;
        if !report.mx.is_empty() {
            writeln!(out)?;
            mx_table(&mut out, report)?;
        }
        Ok(())
    }

    fn verdict(&self, out: &mut impl Write, report: &CheckReport) -> io::Result<()> {
        let line = self.paint(
            &printable(&headline(report).sentence),
            outcome_colour(report.verdict),
        );
        writeln!(out, "{line}")?;
        for step in report
            .steps
            .iter()
            .filter(|s| matches!(s.name, StepName::Dns | StepName::Policy))
        {
            writeln!(
                out,
                "  {:<7} {}",
                format!("{}:", printable(&step.name.to_string())),
                printable(&step.summary)
            )?;
        }
        Ok(())
    }

    fn senders(&self, out: &mut impl Write, matrix: &[SenderVerdict]) -> io::Result<()> {
        writeln!(out, "Senders")?;
        let width = matrix.iter().map(|s| s.profile.len()).max().unwrap_or(0);
        let host_width = matrix
            .iter()
            .flat_map(|s| &s.hosts)
            .map(|h| h.mx.as_str().len())
            .max()
            .unwrap_or(0);
        for sender in matrix {
            let outcome = self.outcome(sender.outcome);
            writeln!(
                out,
                "  {:<width$}  {outcome}  {}",
                printable(&sender.profile),
                printable(&sender.reason)
            )?;
            if let Some(response) = &sender.response {
                let response = printable(response);
                writeln!(out, "  {:<width$}  {:<16}  response: {response}", "", "")?;
            }
            let differ = sender.hosts.iter().any(|h| {
                h.outcome != sender.outcome || h.response.as_ref() != sender.response.as_ref()
            });
            if differ {
                for host in &sender.hosts {
                    let outcome = match &host.response {
                        Some(r) => format!("{}  {}", self.outcome(host.outcome), printable(r)),
                        None => self.paint(host.outcome.as_str(), outcome_colour(host.outcome)),
                    };
                    writeln!(
                        out,
                        "  {:<width$}    {:<host_width$}  {outcome}",
                        "",
                        printable(host.mx.as_str())
                    )?;
                }
            }
        }
        Ok(())
    }

    /// An outcome word, padded to the longest one, coloured.
    fn outcome(&self, outcome: Outcome) -> String {
        self.paint(
            &format!("{:<16}", outcome.as_str()),
            outcome_colour(outcome),
        )
    }

    fn check_findings(&self, out: &mut impl Write, findings: &[Finding]) -> io::Result<()> {
        if findings.is_empty() {
            return writeln!(out, "Findings: none");
        }
        writeln!(out, "Findings{}", super::counts(findings))?;
        let width = findings
            .iter()
            .map(|f| f.code.as_str().len())
            .max()
            .unwrap_or(0);
        for (severity, colour) in [
            (Severity::Error, RED),
            (Severity::Warning, YELLOW),
            (Severity::Info, BLUE),
        ] {
            let group: Vec<&Finding> = findings.iter().filter(|f| f.severity == severity).collect();
            if group.is_empty() {
                continue;
            }
            writeln!(out, "  {}", self.paint(severity.as_str(), colour))?;
            for f in group {
                let place = match (&f.line, &f.host) {
                    (Some(line), _) => format!("line {line}: "),
                    (None, Some(host)) => format!("{}: ", printable(host)),
                    (None, None) => String::new(),
                };
                writeln!(
                    out,
                    "    {:<width$}  {place}{} ({})",
                    f.code.as_str(),
                    printable(&f.message),
                    printable(&f.rfc)
                )?;
            }
        }
        Ok(())
    }
}

fn outcome_colour(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Delivers => GREEN,
        Outcome::DeliversTesting | Outcome::NoPolicy | Outcome::NoMail => YELLOW,
        Outcome::Refuses => RED,
    }
}

/// The MX hosts: preference, the policy pattern that covers each, CNAME, TLSA.
fn mx_table(out: &mut impl Write, report: &CheckReport) -> io::Result<()> {
    let has_policy = report.policy.as_ref().is_some_and(|p| p.policy().is_some());
    let rows: Vec<[String; 5]> = report.mx.iter().map(|mx| mx_row(mx, has_policy)).collect();
    let header = ["host", "preference", "covered by", "CNAME", "TLSA"].map(str::to_string);
    let mut widths = [0usize; 5];
    for row in std::iter::once(&header).chain(&rows) {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    writeln!(out, "MX hosts")?;
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        writeln!(out, "  {}", cells.join("  ").trim_end())?;
    }
    Ok(())
}

fn mx_row(mx: &MxHost, has_policy: bool) -> [String; 5] {
    let host = if mx.host == "." {
        ". (null MX)".to_string()
    } else {
        mx.host.to_string()
    };
    let preference = mx
        .preference
        .map_or("(no MX: A/AAAA fallback)".to_string(), |p| p.to_string());
    let covered = match (&mx.covered_by, has_policy) {
        (Some(pattern), _) => pattern.clone(),
        (None, true) => "NOT COVERED".to_string(),
        (None, false) => "-".to_string(),
    };
    let cname = mx.cname.last().cloned().unwrap_or_else(|| "-".to_string());
    let validated = mx.tlsa_lookup.as_ref().is_some_and(|l| l.validated);
    let tlsa = match (mx.tlsa.len(), validated) {
        (0, true) => "none (zone signed)".to_string(),
        (0, false) => "none".to_string(),
        (1, v) => format!("1 record, {}", validation(v)),
        (n, v) => format!("{n} records, {}", validation(v)),
    };
    [host, preference, covered, cname, tlsa].map(|cell| printable(&cell).into_owned())
}

fn validation(validated: bool) -> &'static str {
    if validated {
        "DNSSEC-validated"
    } else {
        "not validated"
    }
}
