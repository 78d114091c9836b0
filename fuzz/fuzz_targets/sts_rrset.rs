//! `lint_sts_rrset` on any `_mta-sts` RRset: records one a line, a record's character-strings
//! separated by NUL. Invariant: a `valid` RRset's record, written out again from its parsed value
//! as one string and as many short ones (TXT strings are joined without spaces, RFC 7208 §3.3 as
//! RFC 8461 §3.1 reads it), lints valid to the same value.
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
    let result = lint_sts_rrset(&rrset);
    let (true, Some(record)) = (result.valid, result.value) else {
        return;
    };
    let text = render(&record);
    for strings in [vec![text.clone()], split(&text, 7)] {
        let again = lint_sts_rrset(&[strings.clone()]);
        assert!(
            again.valid,
            "{strings:?} from a valid RRset lints invalid: {:?}",
            again.findings
        );
        assert_eq!(again.value.as_ref(), Some(&record), "{strings:?}");
    }
});
