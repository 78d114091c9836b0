//! The verdict of a check: whether it passes (the one rule behind `mtasts check`'s exit status,
//! the report's `ok`, in the CLI, the npm package and the Worker alike), and its words for
//! people, the one wording that the CLI prints first and the page shows at the top of a result.

use super::report::{CheckReport, Outcome, SenderVerdict};
use crate::finding::{Finding, Severity};
use std::fmt;

impl CheckReport {
    /// Whether the check passes: no error finding and no sender profile refuses. A monitoring
    /// script alerts when it does not (`mtasts check D || alert`: exit status 0 or 1). A null
    /// MX (RFC 7505) passes: the domain accepts no mail and MTA-STS does not apply.
    pub fn passes(&self) -> bool {
        passes(&self.findings, self.sender_matrix.iter().map(|s| s.outcome))
    }
}

/// The one-word verdict of a sender matrix: `refuses` when any profile refuses, otherwise what
/// the first (RFC-conformant) profile does.
pub(super) fn overall(matrix: &[SenderVerdict]) -> Outcome {
    if matrix.iter().any(|s| s.outcome == Outcome::Refuses) {
        Outcome::Refuses
    } else {
        matrix.first().map_or(Outcome::NoPolicy, |s| s.outcome)
    }
}

/// The rule of [`CheckReport::passes`], over the parts it reads.
pub(super) fn passes(findings: &[Finding], outcomes: impl IntoIterator<Item = Outcome>) -> bool {
    !findings.iter().any(|f| f.severity == Severity::Error)
        && !outcomes.into_iter().any(|o| o == Outcome::Refuses)
}

/// The verdict of a check in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headline {
    /// A few words without the domain, for a heading: "Some senders refuse mail".
    pub title: &'static str,
    /// One sentence naming the domain, without a final stop: the first line of `mtasts check`.
    pub sentence: String,
    /// What the sentence means for the domain's mail, one sentence with its stop.
    pub explanation: &'static str,
}

/// The verdict of `report` in words.
pub fn headline(report: &CheckReport) -> Headline {
    words(&report.domain, report.verdict)
}

fn words(domain: &impl fmt::Display, verdict: Outcome) -> Headline {
    let (title, sentence, explanation) = match verdict {
        // RFC 8461 §5: in mode enforce a sender refuses (or defers) what fails validation.
        Outcome::Refuses => (
            "Some senders refuse mail",
            format!("Some MTA-STS senders REFUSE mail for {domain}"),
            "The senders' table says which refuse or defer it and with what response; the errors say why.",
        ),
        Outcome::Delivers => (
            "Senders deliver, over verified TLS",
            format!("MTA-STS senders deliver mail to {domain}"),
            "They deliver it over TLS they have verified (RFC 8461 §4).",
        ),
        // RFC 8461 §5: mode testing only reports failures (RFC 8460).
        Outcome::DeliversTesting => (
            "Senders deliver: the policy is in testing mode",
            format!("MTA-STS senders deliver mail to {domain} (mode testing: failures are only reported)"),
            "They report TLS failures but refuse no mail yet.",
        ),
        // RFC 7505 §3: a null MX says the domain accepts no mail; there is nothing to protect.
        Outcome::NoMail => (
            "The domain accepts no mail",
            format!("{domain} accepts no mail (null MX): MTA-STS does not apply"),
            "Senders fail mail for it at once, as it asks (RFC 7505 §4.1); that is a valid configuration.",
        ),
        Outcome::NoPolicy => (
            "Senders deliver without MTA-STS",
            format!("Senders deliver mail to {domain} without MTA-STS protection: they see no usable policy"),
            "Their TLS stays opportunistic: an attacker on the path can strip it or pose as an MX host (RFC 8461 §1).",
        ),
    };
    Headline {
        title,
        sentence,
        explanation,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_has_its_words() {
        for (verdict, title, sentence) in [
            (
                Outcome::Refuses,
                "Some senders refuse mail",
                "Some MTA-STS senders REFUSE mail for example.com",
            ),
            (
                Outcome::Delivers,
                "Senders deliver, over verified TLS",
                "MTA-STS senders deliver mail to example.com",
            ),
            (
                Outcome::DeliversTesting,
                "Senders deliver: the policy is in testing mode",
                "MTA-STS senders deliver mail to example.com (mode testing: failures are only reported)",
            ),
            (
                Outcome::NoMail,
                "The domain accepts no mail",
                "example.com accepts no mail (null MX): MTA-STS does not apply",
            ),
            (
                Outcome::NoPolicy,
                "Senders deliver without MTA-STS",
                "Senders deliver mail to example.com without MTA-STS protection: they see no usable policy",
            ),
        ] {
            let got = words(&"example.com", verdict);
            assert_eq!((got.title, got.sentence.as_str()), (title, sentence));
            assert!(got.explanation.ends_with('.'), "{verdict:?}");
            assert!(!got.sentence.ends_with('.'), "{verdict:?}");
        }
    }

    #[test]
    fn passes_without_errors_and_refusals() {
        use crate::finding::Code;
        let info = Finding::new(Code::MxNull, "null MX");
        let warning = Finding::new(Code::MxWildcardDepth, "depth");
        let error = Finding::new(Code::PolicyFetchNoPolicy, "no policy");
        for (findings, outcomes, want) in [
            (vec![], vec![Outcome::Delivers], true),
            (vec![info.clone()], vec![Outcome::NoMail], true),
            (
                vec![warning],
                vec![Outcome::NoPolicy, Outcome::DeliversTesting],
                true,
            ),
            (vec![error], vec![Outcome::NoPolicy], false),
            (vec![info], vec![Outcome::Delivers, Outcome::Refuses], false),
        ] {
            assert_eq!(
                passes(&findings, outcomes.clone()),
                want,
                "{findings:?} {outcomes:?}"
            );
        }
    }
}
