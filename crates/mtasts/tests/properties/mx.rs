//! MX patterns (RFC 8461 §4.1): `mx::matches`, `covering_pattern` and `check_coverage` against
//! [`model_matches`].

use mtasts::mx::{check_coverage, covering_pattern, matches};
use mtasts::Code;
use proptest::prelude::*;
use proptest::sample::select;
use std::collections::BTreeSet;

/// RFC 8461 §4.1, from its text: a pattern is a host name or `*.` followed by one; names compare
/// case-insensitively; the MX host is an absolute DNS name, so its one trailing (root) dot is not
/// part of the comparison; `*` stands for exactly one whole left-most label ("`*.example.com`
/// matches `mail.example.com` but not `example.com` or `foo.bar.example.com`"). A pattern is
/// `["*."] Domain` (§3.2), and a `Domain` (RFC 5321 §4.1.2) has no empty label, so a pattern
/// ending with a dot names no host.
fn model_matches(pattern: &str, host: &str) -> bool {
    let labels = |name: &str| -> Option<Vec<String>> {
        let labels: Vec<String> = name.split('.').map(str::to_ascii_lowercase).collect();
        labels.iter().all(|l| !l.is_empty()).then_some(labels)
    };
    let host = host.strip_suffix('.').unwrap_or(host);
    let (wildcard, base) = match pattern.strip_prefix("*.") {
        Some(base) => (true, base),
        None => (false, pattern),
    };
    let (Some(host), Some(base)) = (labels(host), labels(base)) else {
        return false;
    };
    if wildcard {
        host.len() == base.len() + 1 && host[1..] == base[..]
    } else {
        host == base
    }
}

/// A label from a small alphabet, so that patterns and hosts often share labels, in random case.
fn label() -> impl Strategy<Value = String> {
    (select(vec!["a", "b", "mx", "a-b", "x1"]), any::<u8>()).prop_map(|(label, case)| {
        label
            .chars()
            .enumerate()
            .map(|(i, c)| {
                if case >> (i % 8) & 1 == 1 {
                    c.to_ascii_uppercase()
                } else {
                    c
                }
            })
            .collect()
    })
}

/// Flips the case of the letters of `name` picked by the bits of `mask`.
pub(crate) fn recase(name: &str, mask: u64) -> String {
    name.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                if c.is_ascii_lowercase() {
                    c.to_ascii_uppercase()
                } else {
                    c.to_ascii_lowercase()
                }
            } else {
                c
            }
        })
        .collect()
}

/// An `mx` pattern: `*.` or not, one to three labels, now and then a trailing dot.
fn pattern() -> impl Strategy<Value = String> {
    (
        any::<bool>(),
        prop::collection::vec(label(), 1..=3),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(wildcard, base, dot)| {
            format!(
                "{}{}{}",
                if wildcard { "*." } else { "" },
                base.join("."),
                if dot { "." } else { "" }
            )
        })
}

/// A host for `pattern`: either unrelated, or the pattern's name with zero to two labels in
/// front (in place of `*`, or added), its case changed, and with or without the root dot.
fn host_for(pattern: &str) -> impl Strategy<Value = String> {
    let base = pattern
        .trim_start_matches("*.")
        .trim_end_matches('.')
        .to_string();
    (
        any::<bool>(),
        prop::collection::vec(label(), 0..=2),
        prop::collection::vec(label(), 1..=4),
        any::<u64>(),
        any::<bool>(),
    )
        .prop_map(move |(related, front, other, mask, dot)| {
            let name = if related {
                front
                    .into_iter()
                    .chain([base.clone()])
                    .collect::<Vec<_>>()
                    .join(".")
            } else {
                other.join(".")
            };
            format!("{}{}", recase(&name, mask), if dot { "." } else { "" })
        })
}

fn pattern_and_host() -> impl Strategy<Value = (String, String)> {
    pattern().prop_flat_map(|p| (Just(p.clone()), host_for(&p)))
}

proptest! {
    /// `mx::matches` agrees with the RFC's rule on every pattern and host.
    #[test]
    fn mx_matching_follows_the_rfc((pattern, host) in pattern_and_host()) {
        prop_assert_eq!(matches(&pattern, &host), model_matches(&pattern, &host), "{} vs {}", pattern, host);
    }

    /// Matching is blind to case on either side and to the host's root dot (issue 17's fuzzing
    /// invariant).
    #[test]
    fn mx_matching_ignores_case_and_the_root_dot((pattern, host) in pattern_and_host(), mask in any::<u64>()) {
        let want = matches(&pattern, &host);
        let bare = host.strip_suffix('.').unwrap_or(&host);
        prop_assert_eq!(matches(&recase(&pattern, mask), &host), want);
        prop_assert_eq!(matches(&pattern, &recase(&host, mask)), want);
        prop_assert_eq!(matches(&pattern, bare), want);
        prop_assert_eq!(matches(&pattern, &format!("{bare}.")), want);
    }

    /// A domain's MX hosts against a policy's patterns: `covering_pattern` finds a pattern exactly
    /// when the model says one matches, and `check_coverage` reports as not covered exactly the
    /// hosts no pattern matches and as unused exactly the patterns that match no host.
    #[test]
    fn mx_coverage_follows_the_rfc(
        pairs in prop::collection::vec(pattern_and_host(), 1..=4),
        extra in prop::collection::vec(label(), 1..=3),
    ) {
        let patterns: Vec<String> = pairs.iter().map(|(p, _)| p.clone()).collect();
        let mut hosts: Vec<String> = pairs.iter().map(|(_, h)| h.clone()).collect();
        hosts.push(extra.join("."));
        for host in &hosts {
            let covered = patterns.iter().any(|p| model_matches(p, host));
            let found = covering_pattern(&patterns, host);
            prop_assert_eq!(found.is_some(), covered, "{}", host);
            prop_assert!(found.is_none_or(|p| model_matches(p, host)));
        }
        let findings = check_coverage(&patterns, &hosts);
        let not_covered: BTreeSet<String> = findings
            .iter()
            .filter(|f| f.code == Code::MxNotCovered)
            .filter_map(|f| f.host.clone())
            .collect();
        let want: BTreeSet<String> = hosts
            .iter()
            .filter(|h| !patterns.iter().any(|p| model_matches(p, h)))
            .map(|h| h.strip_suffix('.').unwrap_or(h).to_string())
            .collect();
        prop_assert_eq!(not_covered, want);
        let unused = findings.iter().filter(|f| f.code == Code::MxPatternUnused).count();
        let want: BTreeSet<String> = patterns
            .iter()
            .filter(|p| !hosts.iter().any(|h| model_matches(p, h)))
            .map(|p| p.to_ascii_lowercase())
            .collect();
        prop_assert_eq!(unused, want.len());
    }
}
