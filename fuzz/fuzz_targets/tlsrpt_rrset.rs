//! `lint_tlsrpt_rrset` on any `_smtp._tls` RRset: records one a line, a record's
//! character-strings separated by NUL. Invariant: a `valid` RRset's record, written out again
//! from its parsed value as one string and as many short ones, lints valid to the same value
//! ([`mtasts_fuzz::rrset_round_trip`]).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::{lint_tlsrpt_rrset, TlsRptRecord};

fn render(record: &TlsRptRecord) -> String {
    let mut text = format!("v={}; rua={}", record.version, record.rua.join(","));
    for (name, value) in &record.extensions {
        text.push_str(&format!("; {name}={value}"));
    }
    text
}

fuzz_target!(|data: &[u8]| {
    mtasts_fuzz::rrset_round_trip(data, lint_tlsrpt_rrset, render);
});
