//! What more than one fuzz target needs: the RRset input format and its round-trip invariant.

use mtasts::LintResult;
use std::fmt::Debug;

/// An RRset from fuzz input: records one a line, a record's character-strings separated by NUL.
pub fn rrset_of(data: &[u8]) -> Vec<Vec<String>> {
    String::from_utf8_lossy(data)
        .split('\n')
        .map(|record| record.split('\0').map(str::to_owned).collect())
        .collect()
}

/// `text` cut into character-strings of at most `n` characters.
pub fn split(text: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

/// The RRset invariant: when `lint` finds the RRset of `data` valid, its record written out again
/// by `render`, as one string and as many short ones (TXT strings are joined without spaces,
/// RFC 7208 §3.3 as RFC 8461 §3.1 and RFC 8460 §3 read them), lints valid to the same value.
pub fn rrset_round_trip<T: PartialEq + Debug>(
    data: &[u8],
    lint: impl Fn(&[Vec<String>]) -> LintResult<T>,
    render: impl Fn(&T) -> String,
) {
    let result = lint(&rrset_of(data));
    let (true, Some(record)) = (result.valid, result.value) else {
        return;
    };
    let text = render(&record);
    for strings in [vec![text.clone()], split(&text, 7)] {
        let again = lint(&[strings.clone()]);
        assert!(
            again.valid,
            "{strings:?} from a valid RRset lints invalid: {:?}",
            again.findings
        );
        assert_eq!(again.value.as_ref(), Some(&record), "{strings:?}");
    }
}
