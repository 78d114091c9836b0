//! `mtasts lint cert` for people: the lint result, then each certificate of the chain and how
//! the TLSA records judge it. (`--json` prints the lint result itself.)

use super::{write_json, Printer, GREEN, RED};
use mtasts::cert::Validity;
use mtasts::text::printable;
use mtasts::{CertChainReport, LintResult};
use std::io::{self, Write};

impl Printer {
    /// The result of `mtasts lint cert`.
    pub fn cert_chain(
        &self,
        subject: &str,
        result: &LintResult<CertChainReport>,
    ) -> io::Result<()> {
        if self.json {
            return write_json(&mut io::stdout().lock(), result);
        }
        self.lint(subject, result)?;
        let Some(report) = &result.value else {
            return Ok(());
        };
        let mut out = io::stdout().lock();
        for (position, cert) in report.certificates.iter().enumerate() {
            writeln!(
                out,
                "\n  certificate {}: {}",
                position + 1,
                printable(&cert.subject)
            )?;
            writeln!(out, "    issuer:      {}", printable(&cert.issuer))?;
            if !cert.san_dns.is_empty() {
                writeln!(
                    out,
                    "    DNS names:   {}",
                    printable(&cert.san_dns.join(", "))
                )?;
            }
            let validity = match cert.validity {
                Validity::Valid => {
                    self.paint(&format!("valid, {} days left", cert.days_left), GREEN)
                }
                Validity::Expired => self.paint("expired", RED),
                Validity::NotYetValid => self.paint("not yet valid", RED),
            };
            writeln!(
                out,
                "    validity:    {} to {} ({validity})",
                printable(&cert.not_before),
                printable(&cert.not_after)
            )?;
            let bits = cert
                .key
                .bits
                .map(|b| format!(" {b} bits"))
                .unwrap_or_default();
            writeln!(out, "    key:         {:?}{bits}", cert.key.kind)?;
            writeln!(out, "    SHA-256:     {}", cert.fingerprints.sha256)?;
            writeln!(
                out,
                "    SPKI SHA-256: {} (TLSA 3 1 1)",
                cert.fingerprints.spki_sha256
            )?;
        }
        if let Some(dane) = &report.dane {
            let verdict = if dane.authenticated {
                self.paint("DANE authenticates the chain", GREEN)
            } else {
                self.paint("DANE does not authenticate the chain", RED)
            };
            writeln!(out, "\n  {verdict}: {}", printable(&dane.reason))?;
        }
        Ok(())
    }
}
