//! What to publish in place of what a check found: for the findings that a generated `_mta-sts`
//! record, `_smtp._tls` record or policy file fixes, that record or file, made by [`generate`]
//! from the domain as it is (today's MX hosts, the policy's mode and `max_age` where usable, its
//! TLS-RPT addresses or a placeholder to replace).

use super::{generate, GenerateOptions, Generated, DEFAULT_MAX_AGE};
use crate::check::CheckReport;
use crate::finding::{Code, Finding};
use crate::mta_sts::policy::{Mode, MtaStsPolicy, MAX_MAX_AGE, SHORT_MAX_AGE};
use serde::{Deserialize, Serialize};

/// What a suggestion is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SuggestionKind {
    /// The `_mta-sts` TXT record (RFC 8461 §3.1), with a new `id`.
    StsRecord,
    /// The `_smtp._tls` TXT record (RFC 8460 §3).
    TlsRptRecord,
    /// The policy file (RFC 8461 §3.2), covering today's MX hosts (§4.1).
    Policy,
}

impl SuggestionKind {
    /// What fixes a finding of `code`, when something generated does: the errors and warnings
    /// of the record or policy that is generated whole, and the MX hosts a policy must match.
    /// Notes (severity `info`) need no fix; a fetch or DNS problem is not fixed by text.
    pub fn fixing(code: Code) -> Option<SuggestionKind> {
        match code {
            Code::StsRecordMultiple
            | Code::StsRecordVersion
            | Code::StsRecordSyntax
            | Code::StsRecordIdMissing
            | Code::StsRecordIdInvalid
            | Code::StsRecordDuplicateField => Some(SuggestionKind::StsRecord),
            Code::TlsRptRecordMissing
            | Code::TlsRptRecordMultiple
            | Code::TlsRptRecordVersion
            | Code::TlsRptRecordSyntax
            | Code::TlsRptRecordRuaMissing
            | Code::TlsRptRecordRuaInvalid
            | Code::TlsRptRecordLegacyName => Some(SuggestionKind::TlsRptRecord),
            Code::PolicyEmpty
            | Code::PolicyBom
            | Code::PolicySyntax
            | Code::PolicyBlankLine
            | Code::PolicyLeadingWhitespace
            | Code::PolicyVersionMissing
            | Code::PolicyVersionInvalid
            | Code::PolicyModeMissing
            | Code::PolicyModeInvalid
            | Code::PolicyMaxAgeMissing
            | Code::PolicyMaxAgeInvalid
            | Code::PolicyMaxAgeTooLarge
            | Code::PolicyMaxAgeShort
            | Code::PolicyMxMissing
            | Code::PolicyMxInvalid
            | Code::PolicyDuplicateField
            | Code::MxNotCovered
            | Code::MxPatternUnused
            | Code::MxWildcardDepth => Some(SuggestionKind::Policy),
            _ => None,
        }
    }
}

/// Something to publish that fixes findings of a check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    /// What it is.
    pub kind: SuggestionKind,
    /// The codes of the report's findings it fixes, in the order of the findings.
    pub answers: Vec<Code>,
    /// What to do with it, for people, e.g. "The TXT record to publish at _mta-sts.example.com
    /// (with a new id):".
    pub title: String,
    /// The record's text or the policy file.
    pub text: String,
}

/// What to publish in place of what `report` found, one suggestion a kind, in the order of the
/// first finding each fixes. `unix_now` makes the new policy `id`. Empty when nothing generated
/// fixes a finding, or when the domain as it is cannot be generated for (e.g. no MX host).
pub fn suggest(report: &CheckReport, unix_now: u64) -> Vec<Suggestion> {
    match generate(&options(report, unix_now)) {
        Ok(generated) => suggestions(&report.findings, &generated),
        Err(_) => Vec::new(),
    }
}

/// The generator's options for the domain as the check found it.
fn options(report: &CheckReport, unix_now: u64) -> GenerateOptions {
    let policy = served_policy(report);
    let tlsrpt = &report.records.tlsrpt.lint;
    let rua = match &tlsrpt.value {
        Some(record) if tlsrpt.valid => record.rua.clone(),
        _ => vec![format!("mailto:tlsrpt@{}", report.domain)],
    };
    GenerateOptions {
        domain: report.domain.to_string(),
        mx: report.mx.iter().map(|h| h.host.to_string()).collect(),
        mode: policy.map_or(Mode::Testing, |p| p.mode),
        // RFC 8461 §3.2: a `max_age` past the maximum is no policy; under a day protects little.
        max_age: policy
            .map(|p| p.max_age)
            .filter(|age| (SHORT_MAX_AGE..=MAX_MAX_AGE).contains(age))
            .unwrap_or(DEFAULT_MAX_AGE),
        rua,
        id: super::policy_id_from_unix(unix_now),
    }
}

/// The policy the domain serves, where it could be read.
fn served_policy(report: &CheckReport) -> Option<&MtaStsPolicy> {
    report.policy.as_ref().and_then(|p| p.policy())
}

/// One suggestion a kind that fixes some of `findings`.
fn suggestions(findings: &[Finding], generated: &Generated) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = Vec::new();
    let mut unavailable: Vec<SuggestionKind> = Vec::new();
    for finding in findings {
        let Some(kind) = SuggestionKind::fixing(finding.code) else {
            continue;
        };
        if let Some(known) = out.iter_mut().find(|s| s.kind == kind) {
            if !known.answers.contains(&finding.code) {
                known.answers.push(finding.code);
            }
        } else if !unavailable.contains(&kind) {
            match suggestion(kind, finding.code, generated) {
                Some(new) => out.push(new),
                None => unavailable.push(kind),
            }
        }
    }
    out
}

/// The suggestion of `kind` from the generator's output; `None` for a TLS-RPT record without
/// report addresses.
fn suggestion(kind: SuggestionKind, code: Code, generated: &Generated) -> Option<Suggestion> {
    let (title, text) = match kind {
        SuggestionKind::StsRecord => (
            format!(
                "The TXT record to publish at {} (with a new id):",
                generated.sts_record.name
            ),
            generated.sts_record.value.clone(),
        ),
        SuggestionKind::TlsRptRecord => {
            let record = generated.tlsrpt_record.as_ref()?;
            (
                format!(
                    "The TXT record to publish at {} (with your own report address):",
                    record.name
                ),
                record.value.clone(),
            )
        }
        SuggestionKind::Policy => (
            format!(
                "A policy file covering today's MX hosts, to serve at {}:",
                generated.policy_url
            ),
            generated.policy.clone(),
        ),
    };
    Some(Suggestion {
        kind,
        answers: vec![code],
        title,
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;
    use serde_json::json;

    /// The rule the page used to apply by code name, kept as the definition of what is fixed.
    fn by_name(code: Code) -> Option<SuggestionKind> {
        let name = code.as_str();
        if code.severity() == Severity::Info {
            None
        } else if name.starts_with("sts-record.") {
            Some(SuggestionKind::StsRecord)
        } else if name.starts_with("tlsrpt-record.") {
            Some(SuggestionKind::TlsRptRecord)
        } else if name.starts_with("policy.")
            || matches!(
                name,
                "mx.not-covered" | "mx.pattern-unused" | "mx.wildcard-depth"
            )
        {
            Some(SuggestionKind::Policy)
        } else {
            None
        }
    }

    #[test]
    fn every_code_of_a_generated_object_is_fixed_by_it() {
        for code in Code::ALL {
            assert_eq!(SuggestionKind::fixing(*code), by_name(*code), "{code:?}");
        }
    }

    /// A check report as its JSON reads (the shape every surface shares).
    fn report(
        findings: &[Code],
        mx: &[&str],
        policy: Option<&str>,
        tlsrpt: Option<&str>,
    ) -> CheckReport {
        let txt = |value: serde_json::Value| {
            json!({
                "lookup": { "name": "x.example.com", "rtype": "TXT", "rcode": "noerror",
                            "validated": false, "cname": [], "error": null },
                "rrset": [],
                "lint": value,
            })
        };
        let empty = json!({ "valid": true, "findings": [] });
        let tlsrpt = tlsrpt.map_or(empty.clone(), |record| {
            serde_json::to_value(crate::lint_tlsrpt_record(record)).unwrap_or_default()
        });
        let policy = policy.map(|text| {
            json!({
                "url": "https://mta-sts.example.com/.well-known/mta-sts.txt",
                "reply": { "status": 200, "headers": [["content-type", "text/plain"]],
                           "body": text, "truncated": false },
                "error": null, "tlsrpt_result_type": null,
                "lint": serde_json::to_value(crate::lint_policy(text.as_bytes())).unwrap_or_default(),
            })
        });
        let findings: Vec<Finding> = findings.iter().map(|c| Finding::new(*c, "")).collect();
        let mx: Vec<_> = mx
            .iter()
            .map(|host| {
                json!({ "host": host, "preference": 10, "cname": [], "addresses": [],
                        "covered_by": null, "tlsa_lookup": null, "tlsa": [] })
            })
            .collect();
        let value = json!({
            "domain": "example.com",
            "verdict": "refuses",
            "ok": false,
            "findings": findings,
            "steps": [],
            "records": { "mta_sts": txt(empty.clone()), "tlsrpt": txt(tlsrpt), "tlsrpt_legacy": txt(empty) },
            "policy": policy,
            "mx": mx,
            "sender_matrix": [],
        });
        match serde_json::from_value(value) {
            Ok(report) => report,
            Err(e) => unreachable!("the test report does not read: {e}"),
        }
    }

    const NOW: u64 = 1_764_334_260;
    const POLICY: &str =
        "version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 86400\r\n";

    #[test]
    fn one_suggestion_a_kind_at_its_first_finding() {
        use Code::*;
        use SuggestionKind::*;
        let mx = ["mx1.example.com", "mx2.example.com"];
        for (findings, want) in [
            (vec![], vec![]),
            (
                vec![StsRecordMissing, PolicyModeTesting, DaneNoDnssec],
                vec![],
            ),
            (vec![PolicyFetchTls, DnsLookupFailed, MxNone], vec![]),
            (
                vec![
                    MxNotCovered,
                    StsRecordIdInvalid,
                    MxNotCovered,
                    PolicyMaxAgeShort,
                ],
                vec![
                    (Policy, vec![MxNotCovered, PolicyMaxAgeShort]),
                    (StsRecord, vec![StsRecordIdInvalid]),
                ],
            ),
            (
                vec![
                    PolicyFetchCharset,
                    TlsRptRecordMissing,
                    TlsRptRecordLegacyName,
                    PolicySyntax,
                ],
                vec![
                    (
                        TlsRptRecord,
                        vec![TlsRptRecordMissing, TlsRptRecordLegacyName],
                    ),
                    (Policy, vec![PolicySyntax]),
                ],
            ),
        ] {
            let got: Vec<(SuggestionKind, Vec<Code>)> =
                suggest(&report(&findings, &mx, Some(POLICY), None), NOW)
                    .into_iter()
                    .map(|s| (s.kind, s.answers))
                    .collect();
            assert_eq!(got, want, "{findings:?}");
        }
    }

    #[test]
    fn suggestions_are_the_domain_as_it_is_generated() {
        use Code::*;
        let findings = [MxNotCovered, StsRecordSyntax, TlsRptRecordMissing];
        let mx = ["mx1.example.com", "mx2.example.com"];
        let policy_for = |mode: &str, max_age: u64| {
            format!("version: STSv1\r\nmode: {mode}\r\nmx: mx1.example.com\r\nmx: mx2.example.com\r\nmax_age: {max_age}\r\n")
        };
        let owned = |s: &str| Some(s.to_string());
        for (policy, tlsrpt, want_policy, want_tlsrpt) in [
            // The policy's mode and max_age are kept.
            (
                Some(POLICY),
                None,
                owned(&policy_for("enforce", 86_400)),
                "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            ),
            // A max_age under a day, or none at all, becomes the default; no policy is testing.
            (
                Some("version: STSv1\r\nmode: enforce\r\nmx: mx1.example.com\r\nmax_age: 60\r\n"),
                None,
                owned(&policy_for("enforce", DEFAULT_MAX_AGE)),
                "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            ),
            (
                None,
                None,
                owned(&policy_for("testing", DEFAULT_MAX_AGE)),
                "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            ),
            (
                Some("not a policy"),
                None,
                owned(&policy_for("testing", DEFAULT_MAX_AGE)),
                "v=TLSRPTv1; rua=mailto:tlsrpt@example.com",
            ),
            // A valid TLS-RPT record keeps its addresses.
            (
                Some(POLICY),
                Some("v=TLSRPTv1; rua=mailto:reports@example.net"),
                owned(&policy_for("enforce", 86_400)),
                "v=TLSRPTv1; rua=mailto:reports@example.net",
            ),
        ] {
            let got = suggest(&report(&findings, &mx, policy, tlsrpt), NOW);
            let text = |kind| got.iter().find(|s| s.kind == kind).map(|s| s.text.clone());
            assert_eq!(text(SuggestionKind::Policy), want_policy, "{policy:?}");
            assert_eq!(
                text(SuggestionKind::StsRecord).as_deref(),
                Some("v=STSv1; id=20251128T125100Z")
            );
            assert_eq!(
                text(SuggestionKind::TlsRptRecord).as_deref(),
                Some(want_tlsrpt),
                "{tlsrpt:?}"
            );
        }
        let titles: Vec<String> = suggest(&report(&findings, &mx, None, None), NOW)
            .into_iter()
            .map(|s| s.title)
            .collect();
        assert_eq!(
            titles,
            [
                "A policy file covering today's MX hosts, to serve at https://mta-sts.example.com/.well-known/mta-sts.txt:",
                "The TXT record to publish at _mta-sts.example.com (with a new id):",
                "The TXT record to publish at _smtp._tls.example.com (with your own report address):",
            ]
        );
    }

    #[test]
    fn nothing_when_the_domain_cannot_be_generated_for() {
        // Mode testing needs an MX host (RFC 8461 §3.2).
        let got = suggest(
            &report(
                &[Code::MxNotCovered, Code::StsRecordSyntax],
                &[],
                None,
                None,
            ),
            NOW,
        );
        assert_eq!(got, vec![]);
    }
}
