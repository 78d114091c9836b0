//! `lint_tlsa` on any RDATA text. Invariant: a `valid` record in its presentation form
//! (RFC 6698 §2.2) lints valid to the same record.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::lint_tlsa;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let result = lint_tlsa(&text);
    let (true, Some(tlsa)) = (result.valid, result.value) else {
        return;
    };
    let presentation = tlsa.to_presentation();
    let again = lint_tlsa(&presentation);
    assert!(
        again.valid,
        "{presentation:?} lints invalid: {:?}",
        again.findings
    );
    assert_eq!(again.value.as_ref(), Some(&tlsa), "{presentation:?}");
});
