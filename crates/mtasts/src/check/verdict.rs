//! The verdict of a check in words for people: the one wording that the CLI prints first and
//! the page shows at the top of a result.

use super::report::{CheckReport, Outcome};
use std::fmt;

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
}
