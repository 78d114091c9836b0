//! `authenticate` and the association rules over the maddy test PKI.

use super::*;
use crate::dane::tlsa::parse_tlsa;
use crate::hex::encode as hex_lower;
use crate::x509::chain::parse_chain;

/// The maddy test PKI's time (2020-11-28T21:48:20Z).
const MADDY_TIME: i64 = 1_606_600_100;
const LEAF_A_SPKI: &str =
    "302a300506032b657003210012235bb83063bf110961ecf5e488772e31e0c5e3cdd859c203523471c2a79a40";
const LEAF_A_SPKI_SHA256: &str = "f5179b6a5d847b9fa221a93956eec8c49b1ac06a116b0dcf4a71f0e83c4d58a6";
const LEAF_A_SPKI_SHA512: &str = "cb0f252144dbf241d16eb7c733347159298af17032eedbe1bca6152b8e904f149b50b3fecab3eed6249fcbdeda61af038ca76247334ed86341c74ef2db45e745";
const LEAF_A_SHA256: &str = "82788adf51102044a662896ee5f16b0b3edbecf82ee1630ed701f9ff86ee6d88";
const LEAF_A_SHA512: &str = "516c3bdc7c32ed894540cbb9bd8b2bd36dacacf6ad0d78f9bc89de98f9859214c14327e0704247846e5fde73be0c6d920f71606361152be026576ca3e9729b01";
const INTERMEDIATE_A_SPKI_SHA256: &str =
    "f143925a7efbe74721bca30e82b9fb8fc43b736938a1db0e678b63ebcf26a717";

fn maddy(names: &[&str]) -> Vec<ChainCert> {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/data/vectors/dane-certs/maddy/"
    );
    names
        .iter()
        .flat_map(|n| parse_chain(&std::fs::read(format!("{dir}{n}.pem")).unwrap()).unwrap())
        .collect()
}

fn record(text: &str) -> Tlsa {
    parse_tlsa(text).unwrap()
}

#[test]
fn association_data_per_selector_and_matching_type() {
    let leaf = maddy(&["leafA"]).remove(0);
    let full = hex_lower(leaf.der());
    for (text, want) in [
        (format!("3 1 0 {LEAF_A_SPKI}"), true),
        (format!("3 1 1 {LEAF_A_SPKI_SHA256}"), true),
        (format!("3 1 1 {}", LEAF_A_SPKI_SHA256.to_uppercase()), true),
        (format!("3 1 2 {LEAF_A_SPKI_SHA512}"), true),
        (format!("3 0 0 {full}"), true),
        (format!("3 0 1 {LEAF_A_SHA256}"), true),
        (format!("3 0 2 {LEAF_A_SHA512}"), true),
        (format!("3 0 1 {LEAF_A_SPKI_SHA256}"), false),
        (format!("3 1 1 {LEAF_A_SHA256}"), false),
        (format!("3 1 2 {LEAF_A_SHA512}"), false),
        (format!("3 2 1 {LEAF_A_SPKI_SHA256}"), false),
        (format!("3 1 3 {LEAF_A_SPKI_SHA256}"), false),
    ] {
        assert_eq!(association_matches(&record(&text), &leaf), want, "{text}");
    }
}

#[test]
fn usability() {
    for (text, want) in [
        (format!("3 1 1 {LEAF_A_SPKI_SHA256}"), true),
        (format!("2 0 1 {LEAF_A_SPKI_SHA256}"), true),
        ("3 1 0 abcd".to_string(), true),
        (format!("1 1 1 {LEAF_A_SPKI_SHA256}"), false),
        (format!("0 1 1 {LEAF_A_SPKI_SHA256}"), false),
        (format!("4 1 1 {LEAF_A_SPKI_SHA256}"), false),
        ("3 1 1 abcd".to_string(), false),
        (format!("3 1 2 {LEAF_A_SPKI_SHA256}"), false),
    ] {
        assert_eq!(is_usable(&record(&text)), want, "{text}");
    }
}

#[test]
fn ee_and_ta_rules() {
    let ee = format!("3 1 1 {LEAF_A_SPKI_SHA256}");
    let ta = format!("2 1 1 {INTERMEDIATE_A_SPKI_SHA256}");
    let ta_on_leaf = format!("2 1 1 {LEAF_A_SPKI_SHA256}");
    let ee_on_issuer = format!("3 1 1 {INTERMEDIATE_A_SPKI_SHA256}");
    let pkix_ee = format!("1 1 1 {LEAF_A_SPKI_SHA256}");
    let full = ["leafA", "intermediateA", "rootA"];
    let unordered = ["leafA", "rootA", "intermediateA"];
    let after_2030 = 1_924_992_000; // 2031-01-01
    for (chain, records, ids, now, want, needle) in [
        (
            &full[..],
            vec![&ee],
            vec!["maddy.test"],
            MADDY_TIME,
            true,
            "DANE-EE(3)",
        ),
        // DANE-EE ignores names and dates.
        (
            &full[..],
            vec![&ee],
            vec!["other.test"],
            after_2030,
            true,
            "DANE-EE(3)",
        ),
        (
            &full[..],
            vec![&ta],
            vec!["maddy.test"],
            MADDY_TIME,
            true,
            "DANE-TA(2)",
        ),
        (
            &unordered[..],
            vec![&ta],
            vec!["maddy.test"],
            MADDY_TIME,
            true,
            "certificate 3",
        ),
        (
            &full[..],
            vec![&ta],
            vec!["other.test", "maddy.test"],
            MADDY_TIME,
            true,
            "DANE-TA",
        ),
        (
            &full[..],
            vec![&ta],
            vec!["other.test"],
            MADDY_TIME,
            false,
            "none covers other.test",
        ),
        (
            &full[..],
            vec![&ta],
            vec!["maddy.test"],
            after_2030,
            false,
            "checks dates",
        ),
        (
            &full[..],
            vec![&ta_on_leaf],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "server's own",
        ),
        (
            &full[..],
            vec![&ee_on_issuer],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "certificate 2",
        ),
        (
            &["intermediateA"][..],
            vec![&ta],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "server's own",
        ),
        (
            &["leafB", "rootB"][..],
            vec![&ta],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "none of the 1",
        ),
        (
            &["leafA", "rootA"][..],
            vec![&ta],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "none of the 1",
        ),
        (
            &full[..],
            vec![&pkix_ee],
            vec!["maddy.test"],
            MADDY_TIME,
            false,
            "no TLSA record is usable",
        ),
        (
            &full[..],
            vec![&pkix_ee, &ee],
            vec!["maddy.test"],
            MADDY_TIME,
            true,
            "DANE-EE",
        ),
    ] {
        let records: Vec<Tlsa> = records.iter().map(|r| record(r)).collect();
        let auth = authenticate(&maddy(chain), &records, &ids, now);
        assert_eq!(
            auth.authenticated, want,
            "{chain:?} {records:?}: {}",
            auth.reason
        );
        assert!(
            auth.reason.contains(needle),
            "{chain:?}: {} lacks {needle:?}",
            auth.reason
        );
    }
}

#[test]
fn ta_needs_the_issuer_chain() {
    // Root A is in the chain and matches, but leaf B was issued by root B.
    let ta_root_a = maddy(&["rootA"]).remove(0);
    let root_a_spki = hex_lower(&Sha256::digest(ta_root_a.spki_der()));
    let records = [record(&format!("2 1 1 {root_a_spki}"))];
    let auth = authenticate(
        &maddy(&["leafB", "rootA"]),
        &records,
        &["maddy.test"],
        MADDY_TIME,
    );
    assert!(!auth.authenticated);
    assert!(auth.reason.contains("does not issue"), "{}", auth.reason);
    let auth = authenticate(
        &maddy(&["leafA", "intermediateA", "rootA"]),
        &records,
        &["maddy.test"],
        MADDY_TIME,
    );
    assert!(auth.authenticated, "{}", auth.reason);
    assert_eq!(auth.matches[0].certificate, 2);
}
