//! `mtasts::generate` on any options, built from the fuzzer's bytes over an alphabet that makes
//! valid names, URIs and ids likely. Invariant: for every input it accepts, its output lints
//! valid: the policy (with the mode, `max_age` and MX patterns asked for), the `_mta-sts` record
//! and the `_smtp._tls` record.
#![no_main]

use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use mtasts::{generate, lint_policy, lint_sts_rrset, lint_tlsrpt_rrset, GenerateOptions, Mode};

/// Characters names, URIs and ids are made of, and a few that must be refused.
const ALPHABET: &[char] = &[
    'a', 'b', 'x', 'M', 'Z', '0', '9', '-', '.', '.', '.', '*', '_', ':', '/', '@', '%', ',', ';',
    '!', ' ', '\t', '=', 'ñ', '\u{202e}', '\0',
];

/// Prefixes that make a string a likely name or URI.
const PREFIXES: &[&str] = &["", "", "mx.", "*.", "mailto:", "https://", "mailto:tlsrpt@"];

fn string(u: &mut Unstructured<'_>) -> Result<String> {
    let mut s = String::from(*u.choose(PREFIXES)?);
    let len = u.int_in_range(0..=40)?;
    for _ in 0..len {
        s.push(*u.choose(ALPHABET)?);
    }
    if u.ratio(1, 4)? {
        s.push_str(".example");
    }
    Ok(s)
}

fn strings(u: &mut Unstructured<'_>) -> Result<Vec<String>> {
    let n = u.int_in_range(0..=4)?;
    (0..n).map(|_| string(u)).collect()
}

fn options(u: &mut Unstructured<'_>) -> Result<GenerateOptions> {
    Ok(GenerateOptions {
        domain: string(u)?,
        mx: strings(u)?,
        mode: *u.choose(&Mode::ALL)?,
        max_age: if u.ratio(1, 8)? {
            u.arbitrary()?
        } else {
            u.int_in_range(0..=31_557_601)?
        },
        rua: strings(u)?,
        id: string(u)?,
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(options) = options(&mut Unstructured::new(data)) else {
        return;
    };
    let Ok(generated) = generate(&options) else {
        return;
    };
    let policy = lint_policy(generated.policy.as_bytes());
    assert!(policy.valid, "{options:?}: {:?}", policy.findings);
    let value = policy.value.expect("a valid policy has a value");
    assert_eq!(
        (value.mode, value.max_age),
        (options.mode, options.max_age),
        "{options:?}"
    );
    assert!(value.mx.len() <= options.mx.len(), "{options:?}");
    let sts = lint_sts_rrset(&[vec![generated.sts_record.value.clone()]]);
    assert!(sts.valid, "{options:?}: {:?}", sts.findings);
    match &generated.tlsrpt_record {
        Some(record) => {
            let tlsrpt = lint_tlsrpt_rrset(&[vec![record.value.clone()]]);
            assert!(tlsrpt.valid, "{options:?}: {:?}", tlsrpt.findings);
        }
        None => assert!(options.rua.is_empty(), "{options:?}"),
    }
});
