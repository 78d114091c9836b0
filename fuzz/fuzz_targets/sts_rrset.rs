//! `lint_sts_rrset` on any `_mta-sts` RRset: records one a line, a record's character-strings
//! separated by NUL. Invariant ([`mtasts_fuzz::rrset_round_trip`]): a `valid` RRset's record,
//! written out again from its parsed value as one string and as many short ones, lints valid to
//! the same value.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::{lint_sts_rrset, StsRecord};

fn render(record: &StsRecord) -> String {
    let mut text = format!("v={}; id={}", record.version, record.id);
    for (name, value) in &record.extensions {
        text.push_str(&format!("; {name}={value}"));
    }
    text
}

fuzz_target!(|data: &[u8]| {
    mtasts_fuzz::rrset_round_trip(data, lint_sts_rrset, render);
});
