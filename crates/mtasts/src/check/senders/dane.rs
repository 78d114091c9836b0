//! DANE in the sender matrix: for a sender that does DANE (RFC 7672) as well as MTA-STS, which
//! of the two governs each MX host, and what that changes.
//!
//! RFC 7672 §2.2: a DNSSEC-validated ("secure"), non-empty TLSA RRset makes TLS mandatory,
//! authenticated by a usable record, or without authentication when no record is usable
//! (§2.2, §3.1.3); an insecure or empty answer leaves DANE out; a bogus one (the TLSA lookup of
//! a host in a signed zone fails) defers the mail. RFC 8461 §2: MTA-STS never overrides a
//! failing DANE validation; senders that do both (Exchange Online, mox, Stalwart) judge a
//! DANE-protected host by DANE alone.

use super::{Facts, Governance, HostVerdict, Outcome, SenderVerdict};
use crate::check::lookup::failed;
use crate::check::report::MxHost;
use crate::dane::tlsa::Tlsa;

/// A DANE sender's responses when DANE refuses, where documented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DaneResponses {
    /// The response when the host offers no STARTTLS.
    pub starttls_missing: Option<&'static str>,
    /// The response when no usable TLSA record matches the certificate.
    pub tlsa_invalid: Option<&'static str>,
    /// The response when the TLSA answer is bogus.
    pub dnssec_invalid: Option<&'static str>,
}

/// Exchange Online, as "How SMTP DNS-based Authentication of Named Entities (DANE) works"
/// (learn.microsoft.com/en-us/purview/how-smtp-dane-works, "Troubleshooting Sending Emails with
/// SMTP DANE") words its codes: 4.7.32x while it retries (24 hours), 5.7.32x in the NDR.
pub const EXCHANGE: DaneResponses = DaneResponses {
    starttls_missing: Some(
        "5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.",
    ),
    tlsa_invalid: Some("5.7.323 tlsa-invalid: The domain failed DANE validation."),
    dnssec_invalid: Some(
        "450 4.7.324 dnssec-invalid: Destination domain returned invalid DNSSEC records.",
    ),
};

/// A DANE sender whose responses are not documented (mox; Stalwart, `queue.outbound.tls.dane`
/// at its default `optional`).
pub const SILENT: DaneResponses = DaneResponses {
    starttls_missing: None,
    tlsa_invalid: None,
    dnssec_invalid: None,
};

/// What DANE makes of one MX host (RFC 7672 §2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DaneState {
    /// Insecure, or secure and empty: DANE does not apply.
    NotApplicable,
    /// Secure and non-empty: TLS is mandatory, authenticated when a record is usable.
    Applies {
        /// Whether a usable record authenticates the server.
        authenticated: bool,
    },
    /// The TLSA lookup of a host in a signed zone failed: the answer is bogus or indeterminate.
    Bogus,
}

/// The DANE state of `mx`; `mx_validated` says whether the MX answer was secure.
pub(crate) fn dane_state(mx: &MxHost, mx_validated: bool) -> DaneState {
    let Some(lookup) = &mx.tlsa_lookup else {
        return DaneState::NotApplicable;
    };
    if failed(lookup) {
        return if mx_validated {
            DaneState::Bogus
        } else {
            DaneState::NotApplicable
        };
    }
    if !lookup.validated || mx.tlsa.is_empty() {
        return DaneState::NotApplicable;
    }
    DaneState::Applies {
        authenticated: mx
            .tlsa
            .iter()
            .any(|l| l.valid && l.value.as_ref().is_some_and(Tlsa::usable_for_smtp_dane)),
    }
}

/// Puts DANE over the MTA-STS `verdict` of a DANE sender: every host DANE governs is delivered
/// to over mandatory TLS (the SMTP probe may refuse it later), or refused when bogus.
pub(super) fn apply(responses: &DaneResponses, facts: &Facts<'_>, verdict: &mut SenderVerdict) {
    let mut governed = Vec::new();
    for host in &mut verdict.hosts {
        let Some(mx) = facts.mx.iter().find(|m| m.host == host.mx) else {
            continue;
        };
        let state = dane_state(mx, facts.mx_validated);
        let (outcome, response) = match state {
            DaneState::NotApplicable => continue,
            DaneState::Applies { .. } => (Outcome::Delivers, None),
            DaneState::Bogus => (Outcome::Refuses, responses.dnssec_invalid),
        };
        *host = HostVerdict {
            mx: host.mx.clone(),
            outcome,
            by: Governance::Dane,
            response: response.map(str::to_string),
        };
        governed.push((host.mx.to_string(), state));
    }
    if governed.is_empty() {
        return;
    }
    let names = |want: fn(&DaneState) -> bool| {
        governed
            .iter()
            .filter(|(_, s)| want(s))
            .map(|(h, _)| h.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let bogus = names(|s| *s == DaneState::Bogus);
    let unauthenticated = names(|s| {
        *s == DaneState::Applies {
            authenticated: false,
        }
    });
    if let Some(refused) = verdict.hosts.iter().find(|h| h.outcome == Outcome::Refuses) {
        verdict.response = refused.response.clone();
        if !bogus.is_empty() {
            verdict.reason = format!(
                "the TLSA lookup of {bogus} fails in a DNSSEC-signed zone: a DANE sender defers the mail (RFC 7672 §2.2)"
            );
        }
        verdict.outcome = Outcome::Refuses;
        return;
    }
    let all = verdict.hosts.iter().all(|h| h.by == Governance::Dane);
    let mut reason = if all {
        "DANE governs every MX host: TLS is mandatory and authenticated by the TLSA records, and MTA-STS does not decide (RFC 8461 §2, RFC 7672 §2.2)".to_string()
    } else {
        format!(
            "{}; DANE governs {} (RFC 8461 §2)",
            verdict.reason,
            names(|_| true)
        )
    };
    if !unauthenticated.is_empty() {
        reason.push_str(&format!(
            "; no usable TLSA record for {unauthenticated}: TLS is mandatory there but not authenticated (RFC 7672 §2.2)"
        ));
    }
    verdict.reason = reason;
    verdict.response = None;
    if all || verdict.outcome == Outcome::Refuses {
        verdict.outcome = Outcome::Delivers;
    }
}
