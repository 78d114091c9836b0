//! `lint_policy` on any bytes. Invariant: a `valid` policy, written out again from its parsed
//! value, lints valid to the same value (nothing the reader keeps depends on how it was spelt).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::{lint_policy, MtaStsPolicy};

/// The policy text of `policy`: one field a line, LF line endings (RFC 8461 §3.2).
fn render(policy: &MtaStsPolicy) -> String {
    let mut text = format!("version: {}\nmode: {}\n", policy.version, policy.mode);
    for pattern in &policy.mx {
        text.push_str(&format!("mx: {pattern}\n"));
    }
    text.push_str(&format!("max_age: {}\n", policy.max_age));
    for (name, value) in &policy.extensions {
        text.push_str(&format!("{name}: {value}\n"));
    }
    text
}

fuzz_target!(|body: &[u8]| {
    let result = lint_policy(body);
    let (true, Some(policy)) = (result.valid, result.value) else {
        return;
    };
    let text = render(&policy);
    let again = lint_policy(text.as_bytes());
    assert!(
        again.valid,
        "{text:?} from a valid policy lints invalid: {:?}",
        again.findings
    );
    assert_eq!(again.value.as_ref(), Some(&policy), "{text:?}");
});
