//! Printing results: one JSON document with `--json`, otherwise aligned text for people,
//! coloured when standard output is a terminal (and `NO_COLOR` is unset).
//!
//! Text for people never carries a raw control or bidi character from what was read: every
//! string that came from a file, the network or the command line goes through
//! [`mtasts::text::printable`] here, where it is printed, and shows as `\u{1b}` and the like.
//! The only escape sequences written are this module's own colours. JSON is exact: serde writes
//! controls as `\u001b` escapes, which a JSON reader turns back into the same string.

use mtasts::generate::Generated;
use mtasts::text::printable;
use mtasts::{Finding, LintResult, Severity};
use serde::Serialize;
use serde_json::Value;
use std::io::{self, IsTerminal, Write};

mod cert;
mod check;
mod check_summary;

pub use check_summary::{CheckSummary, Checked};

/// Where and how results are printed.
pub struct Printer {
    json: bool,
    color: bool,
}

impl Printer {
    /// A printer for standard output.
    pub fn new(json: bool) -> Printer {
        let color = !json && io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Printer { json, color }
    }

    /// Whether the output is one JSON document.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// A lint result: its verdict, every finding with code, line and RFC section, then what was read.
    pub fn lint<T: Serialize>(&self, subject: &str, result: &LintResult<T>) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.json {
            return write_json(&mut out, result);
        }
        let verdict = if result.value.is_none() && result.valid {
            self.paint("nothing to check", YELLOW)
        } else if result.valid {
            self.paint("valid", GREEN)
        } else {
            self.paint("not valid", RED)
        };
        writeln!(
            out,
            "{}: {verdict}{}",
            printable(subject),
            counts(&result.findings)
        )?;
        let code_width = result
            .findings
            .iter()
            .map(|f| f.code.as_str().len())
            .max()
            .unwrap_or(0);
        for finding in &result.findings {
            self.finding(&mut out, finding, code_width)?;
        }
        if let Some(value) = result
            .value
            .as_ref()
            .and_then(|v| serde_json::to_value(v).ok())
        {
            describe(&mut out, &value)?;
        }
        Ok(())
    }

    fn finding(&self, out: &mut impl Write, f: &Finding, code_width: usize) -> io::Result<()> {
        let colour = match f.severity {
            Severity::Error => RED,
            Severity::Warning => YELLOW,
            Severity::Info => BLUE,
        };
        let severity = self.paint(&format!("{:<7}", f.severity.as_str()), colour);
        let place = match (&f.line, &f.host) {
            (Some(line), _) => format!("line {line}"),
            (None, Some(host)) => printable(host).into_owned(),
            (None, None) => String::new(),
        };
        writeln!(
            out,
            "  {severity} {place:<8} {:<code_width$}  {} ({})",
            f.code.as_str(),
            printable(&f.message),
            printable(&f.rfc)
        )
    }

    /// The answer of `mtasts match`.
    pub fn matched(&self, pattern: &str, host: &str, matches: bool) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.json {
            return write_json(&mut out, &serde_json::json!({ "matches": matches }));
        }
        let (pattern, host) = (printable(pattern), printable(host));
        if matches {
            let yes = self.paint("covers", GREEN);
            writeln!(out, "{pattern} {yes} {host}")
        } else {
            let no = self.paint("does not cover", RED);
            writeln!(out, "{pattern} {no} {host}")
        }
    }

    /// What `mtasts generate` made, in the order to publish it.
    pub fn generated(&self, g: &Generated) -> io::Result<()> {
        let mut out = io::stdout().lock();
        if self.json {
            return write_json(&mut out, g);
        }
        writeln!(out, "Policy file for {}:\n", printable(&g.policy_url))?;
        for line in g.policy.lines() {
            writeln!(out, "    {}", printable(line))?;
        }
        writeln!(out, "\nTXT records:\n")?;
        for record in std::iter::once(&g.sts_record).chain(g.tlsrpt_record.as_ref()) {
            writeln!(
                out,
                "    {}  TXT  \"{}\"",
                printable(&record.name),
                printable(&record.value)
            )?;
        }
        writeln!(out, "\nPublish in this order:\n")?;
        for (n, step) in g.publish_order.iter().enumerate() {
            let n = self.paint(&format!("{}.", n + 1), BLUE);
            writeln!(out, "  {n} {}", printable(step))?;
        }
        if !g.notes.is_empty() {
            writeln!(out)?;
        }
        for note in &g.notes {
            writeln!(out, "  {} {}", self.paint("note:", YELLOW), printable(note))?;
        }
        Ok(())
    }

    fn paint(&self, text: &str, colour: &str) -> String {
        if self.color {
            format!("\x1b[{colour}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

const RED: &str = "1;31";
const GREEN: &str = "1;32";
const YELLOW: &str = "1;33";
const BLUE: &str = "1;34";

fn write_json<T: Serialize + ?Sized>(out: &mut impl Write, value: &T) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// ` (2 errors, 1 warning)`, or nothing when there are no findings.
fn counts(findings: &[Finding]) -> String {
    let parts: Vec<String> = [Severity::Error, Severity::Warning, Severity::Info]
        .into_iter()
        .filter_map(|s| {
            let n = findings.iter().filter(|f| f.severity == s).count();
            let plural = if n == 1 { "" } else { "s" };
            (n > 0).then(|| format!("{n} {s}{plural}"))
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

/// The parsed value, one `key: value` line per field; lists of objects are only counted.
fn describe(out: &mut impl Write, value: &Value) -> io::Result<()> {
    let Value::Object(fields) = value else {
        return Ok(());
    };
    for (key, field) in fields {
        let text = match field {
            Value::Null => continue,
            Value::Array(items) if items.is_empty() => continue,
            Value::Array(items) if items.iter().all(is_scalar) => {
                items.iter().map(scalar).collect::<Vec<_>>().join(", ")
            }
            Value::Array(items) => format!("{} entries", items.len()),
            Value::Object(map) if map.values().all(is_scalar) => map
                .iter()
                .map(|(k, v)| format!("{}={}", printable(k), scalar(v)))
                .collect::<Vec<_>>()
                .join(", "),
            Value::Object(_) => continue,
            other => scalar(other),
        };
        writeln!(out, "  {}: {text}", printable(key))?;
    }
    Ok(())
}

fn is_scalar(v: &Value) -> bool {
    !matches!(v, Value::Array(_) | Value::Object(_))
}

/// A scalar as text for people, escaped.
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => printable(s).into_owned(),
        other => other.to_string(),
    }
}
