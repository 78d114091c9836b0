//! DKIM of report e-mails (`tls_rpt::dkim`, feature `dkim`) against messages signed by an
//! independent implementation: dkimpy 1.1.8 signed `tests/data/dkim/*.eml` with the test-only
//! keys (`tests/dkim/fixtures.sh`), and the keys are looked up in the stand-in's zone
//! `tests/data/zones/reports.test.zone` through its in-process answers (a `$TIMEOUT` name
//! answers nothing: a transport timeout).
#![cfg(feature = "dkim")]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use futures_executor::block_on;
use mtasts::check::{Resolver, TransportError};
use mtasts::tls_rpt::dkim::{
    key_names, verify_report_dkim, verify_with_keys, DkimResult, KeyLookup,
};
use mtasts_standin::{load_scenarios, DnsAnswers};
use std::path::PathBuf;

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(path)
}

struct ZoneResolver(DnsAnswers);

impl Resolver for ZoneResolver {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.0.answer(&query).ok_or(TransportError::Timeout)
    }
}

#[test]
fn signed_by_dkimpy() {
    let resolver = ZoneResolver(
        load_scenarios(&data("zones"))
            .unwrap()
            .dns_answers()
            .unwrap(),
    );
    let pass = ["report.dkim-pass"].as_slice();
    for (file, result, codes) in [
        ("pass", DkimResult::Pass, pass),
        (
            "pass-default-service",
            DkimResult::Pass,
            &["report.dkim-pass", "report.dkim-service-type"],
        ),
        (
            "resigned-google-test.xmox.nl-2022-09-15",
            DkimResult::Pass,
            pass,
        ),
        (
            "resigned-google-cardinalhealth.ca-2024-09-03",
            DkimResult::Pass,
            pass,
        ),
        (
            "resigned-microsoft-test.xmox.nl-2023-01-10",
            DkimResult::Pass,
            pass,
        ),
        ("tampered-body", DkimResult::Fail, &["report.dkim-fail"]),
        ("tampered-header", DkimResult::Fail, &["report.dkim-fail"]),
        ("wrong-key", DkimResult::Fail, &["report.dkim-fail"]),
        (
            "not-submitter",
            DkimResult::Fail,
            &["report.dkim-not-submitter"],
        ),
        (
            "email-only-key",
            DkimResult::PermError,
            &["report.dkim-permerror"],
        ),
        (
            "revoked-key",
            DkimResult::PermError,
            &["report.dkim-permerror"],
        ),
        (
            "missing-key",
            DkimResult::PermError,
            &["report.dkim-permerror"],
        ),
        (
            "slow-key",
            DkimResult::TempError,
            &["report.dkim-temperror"],
        ),
        ("unsigned", DkimResult::None, &["report.dkim-none"]),
    ] {
        let message = std::fs::read(data(&format!("dkim/{file}.eml"))).unwrap();
        let verdict = block_on(verify_report_dkim(&resolver, &message));
        let got: Vec<&str> = verdict.findings.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(
            (verdict.result, got.as_slice()),
            (result, codes),
            "{file}: {verdict:?}"
        );
        if result == DkimResult::Pass {
            assert_eq!(verdict.domain.as_deref(), Some("reports.test"), "{file}");
            assert_eq!(verdict.submitter.as_deref(), Some("reports.test"), "{file}");
        }
        // Every report still reads as a report: DKIM says nothing of the content.
        assert!(mtasts::lint_report(&message).valid, "{file}");
    }
}

#[test]
fn keys_are_only_what_the_caller_gives() {
    let message = std::fs::read(data("dkim/pass.eml")).unwrap();
    assert_eq!(key_names(&message), vec!["s1._domainkey.reports.test"]);
    // Without the key: not looked up, a temporary failure, never a pass.
    assert_eq!(
        verify_with_keys(&message, &[]).result,
        DkimResult::TempError
    );
    let failed = [(
        "s1._domainkey.reports.test".to_string(),
        KeyLookup::Failed("SERVFAIL".into()),
    )];
    assert_eq!(
        verify_with_keys(&message, &failed).result,
        DkimResult::TempError
    );
    let missing = [("s1._domainkey.reports.test".to_string(), KeyLookup::Missing)];
    assert_eq!(
        verify_with_keys(&message, &missing).result,
        DkimResult::PermError
    );
    // Another key at the name: the signature does not verify.
    let other = [(
        "s1._domainkey.reports.test".to_string(),
        KeyLookup::Found(vec![
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=".into(),
        ]),
    )];
    assert_eq!(verify_with_keys(&message, &other).result, DkimResult::Fail);
}
