//! `lint_tlsrpt_rrset` on any `_smtp._tls` RRset: records one a line, a record's
//! character-strings separated by NUL. Invariant: a `valid` RRset's record, written out again
//! from its parsed value as one string and as many short ones, lints valid to the same value.
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

/// `text` cut into character-strings of at most `n` characters.
fn split(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let rrset: Vec<Vec<String>> = text
        .split('\n')
        .map(|record| record.split('\0').map(str::to_owned).collect())
        .collect();
    let result = lint_tlsrpt_rrset(&rrset);
    let (true, Some(record)) = (result.valid, result.value) else {
        return;
    };
    let text = render(&record);
    for strings in [vec![text.clone()], split(&text, 7)] {
        let again = lint_tlsrpt_rrset(&[strings.clone()]);
        assert!(
            again.valid,
            "{strings:?} from a valid RRset lints invalid: {:?}",
            again.findings
        );
        assert_eq!(again.value.as_ref(), Some(&record), "{strings:?}");
    }
});
