//! `mtasts::mx::matches` and `check_pattern` on any pattern and host (split at the first LF).
//! Invariants (RFC 8461 §4.1): matching does not depend on ASCII case on either side, nor on
//! one trailing dot on the host; an exact pattern matches a host exactly when the host, as a
//! pattern, matches the pattern, as a host.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::mx::{check_pattern, matches};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (pattern, host) = text.split_once('\n').unwrap_or((&text, ""));
    let _ = check_pattern(pattern);
    let m = matches(pattern, host);
    for (p, h) in [
        (pattern.to_ascii_uppercase(), host.to_string()),
        (pattern.to_ascii_lowercase(), host.to_ascii_uppercase()),
        (pattern.to_string(), host.to_ascii_lowercase()),
    ] {
        assert_eq!(
            matches(&p, &h),
            m,
            "{pattern:?} against {host:?}, then {p:?} against {h:?}"
        );
    }
    if !host.ends_with('.') {
        let dotted = format!("{host}.");
        assert_eq!(
            matches(pattern, &dotted),
            m,
            "{pattern:?} against {host:?} and {dotted:?}"
        );
    }
    if !pattern.starts_with("*.")
        && !host.starts_with("*.")
        && !pattern.ends_with('.')
        && !host.ends_with('.')
    {
        assert_eq!(
            matches(host, pattern),
            m,
            "{pattern:?} against {host:?}, and the other way"
        );
    }
});
