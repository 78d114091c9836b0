//! TXT character-strings (RFC 1035 §3.3.14, RFC 7208 §3.3): splitting a value into strings of at
//! most 255 octets and joining them, over the wire and in the `_mta-sts` / `_smtp._tls` readers.

use mtasts::dns::{decode_answer, encode_query, RecordData, RecordType};
use mtasts::{lint_sts_rrset, lint_tlsrpt_rrset, Code, LintResult};
use proptest::prelude::*;
use proptest::sample::select;

/// RFC 1035 §3.3.14: TXT-DATA is one or more `<character-string>`s, each a length octet and at
/// most 255 octets. `sizes` says how long each piece is (cycling; 0 makes an empty string); an
/// empty value is one empty string.
fn split_octets(value: &[u8], sizes: &[usize]) -> Vec<Vec<u8>> {
    let sizes: Vec<usize> = if sizes.iter().all(|&s| s == 0) {
        vec![255]
    } else {
        sizes.iter().map(|&s| s.min(255)).collect()
    };
    let mut parts = Vec::new();
    let mut rest = value;
    for &size in sizes.iter().cycle() {
        let (part, after) = rest.split_at(size.min(rest.len()));
        parts.push(part.to_vec());
        rest = after;
        if rest.is_empty() {
            break;
        }
    }
    parts
}

/// As [`split_octets`], each cut moved back to a character boundary (the record readers take
/// strings).
fn split_text(value: &str, sizes: &[usize]) -> Vec<String> {
    let mut parts = Vec::new();
    let mut rest = value;
    let mut sizes = sizes.iter().map(|&s| s.clamp(4, 255)).cycle();
    loop {
        let mut size = sizes.next().unwrap_or(255).min(rest.len());
        while !rest.is_char_boundary(size) {
            size -= 1;
        }
        let (part, after) = rest.split_at(size);
        parts.push(part.to_string());
        rest = after;
        if rest.is_empty() {
            break parts;
        }
    }
}

/// A DNS answer holding one TXT record made of `parts`, as a resolver sends it, built octet by
/// octet (RFC 1035 §3.3.14) rather than by the codec the core reads it with.
fn txt_answer(owner: &str, parts: &[Vec<u8>]) -> Vec<u8> {
    use domain::base::iana::{Class, Rcode};
    use domain::base::{Message, MessageBuilder, Name, Record, Ttl};
    use domain::rdata::Txt;
    use std::str::FromStr;
    let query = encode_query(owner, RecordType::Txt).unwrap();
    let query = Message::from_octets(query).unwrap();
    let mut answer = MessageBuilder::new_vec()
        .start_answer(&query, Rcode::NOERROR)
        .unwrap();
    let mut rdata = Vec::new();
    for part in parts {
        rdata.push(u8::try_from(part.len()).unwrap());
        rdata.extend_from_slice(part);
    }
    let txt = Txt::from_octets(rdata).unwrap();
    let owner = Name::<Vec<u8>>::from_str(owner).unwrap();
    answer
        .push(Record::new(owner, Class::IN, Ttl::from_secs(300), txt))
        .unwrap();
    answer.finish()
}

/// The character-strings of the one TXT record in `answer`, as the core reads them.
fn read_strings(answer: &[u8]) -> Vec<String> {
    let answer = decode_answer(answer).unwrap();
    match &answer.records[..] {
        [record] => match &record.data {
            RecordData::Txt { strings } => strings.clone(),
            other => panic!("not TXT: {other:?}"),
        },
        other => panic!("not one record: {other:?}"),
    }
}

/// Record-like text: a version field (right, wrong or absent), then fields, some long, some
/// non-ASCII, so that values cross 255 octets and characters cross the cuts.
fn record_text() -> impl Strategy<Value = String> {
    let version = select(vec![
        "v=STSv1",
        "v=TLSRPTv1",
        "v=stsv1",
        " v=STSv1",
        "v=spf1",
        "",
    ]);
    let field = prop_oneof![
        "id=[A-Za-z0-9]{1,40}",
        "rua=mailto:[a-z]{1,30}@example\\.(com|net)(,https://[a-z]{1,20}\\.example/r)?",
        "[a-z]{1,8}=[!-:<>-~]{1,120}",
        "[a-z]{1,8}=[éü€😀a-z]{1,120}",
        "[ -~éü€😀]{0,40}",
    ];
    let delim = select(vec![";", "; ", " ;", ";\t"]);
    (
        version,
        prop::collection::vec((delim, field), 0..=8),
        select(vec!["", ";"]),
    )
        .prop_map(|(version, fields, end)| {
            let mut text = version.to_string();
            for (delim, field) in fields {
                text.push_str(delim);
                text.push_str(&field);
            }
            text.push_str(end);
            text
        })
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => record_text(),
        1 => prop::collection::vec(any::<char>(), 0..=600).prop_map(String::from_iter),
    ]
}

fn sizes() -> impl Strategy<Value = Vec<usize>> {
    prop::collection::vec(0usize..=255, 1..=6)
}

/// The codes of a result and its verdict, with `sts-record.split-strings` left out.
fn verdict<T: Clone>(result: &LintResult<T>) -> (bool, Vec<Code>, Option<T>) {
    let codes = result
        .codes()
        .into_iter()
        .filter(|&c| c != Code::StsRecordSplitStrings)
        .collect();
    (result.valid, codes, result.value.clone())
}

/// RFC 8461 §3.1 / RFC 8460 §3: a record counts when it starts with the version field followed by
/// `*WSP ";"`.
fn starts_with_version(text: &str, version: &str) -> bool {
    text.strip_prefix(version)
        .is_some_and(|rest| rest.trim_start_matches([' ', '\t']).starts_with(';'))
}

proptest! {
    /// A value of any octets, split into character-strings of at most 255 octets and sent in a
    /// DNS answer, is read back as that many strings which join (without spaces, RFC 7208 §3.3)
    /// into the value: exactly, when the value is UTF-8, and as the value decoded as a whole
    /// otherwise (a character is not cut where a string ends).
    #[test]
    fn txt_strings_join_back_into_the_value(
        value in prop_oneof![
            any_text().prop_map(String::into_bytes),
            prop::collection::vec(any::<u8>(), 0..=800),
        ],
        sizes in sizes(),
    ) {
        let parts = split_octets(&value, &sizes);
        prop_assert!(parts.iter().all(|p| p.len() <= 255));
        prop_assert_eq!(parts.concat(), value.clone());
        let strings = read_strings(&txt_answer("_mta-sts.example.com", &parts));
        prop_assert_eq!(strings.len(), parts.len());
        prop_assert_eq!(strings.concat(), String::from_utf8_lossy(&value).into_owned());
    }

    /// The `_mta-sts` and `_smtp._tls` readers judge a record split into strings as they judge
    /// it joined: the same validity, findings and value, beside `sts-record.split-strings`
    /// exactly when a kept STS record came in several strings. Other records in the RRset (SPF)
    /// change nothing.
    #[test]
    fn record_readers_judge_split_and_joined_alike(text in any_text(), sizes in sizes()) {
        let parts = split_text(&text, &sizes);
        prop_assert_eq!(parts.concat(), text.clone());
        let spf = vec!["v=spf1 -all".to_string()];
        let split = lint_sts_rrset(&[parts.clone(), spf.clone()]);
        let joined = lint_sts_rrset(&[vec![text.clone()], spf.clone()]);
        prop_assert_eq!(verdict(&split), verdict(&joined), "{:?}", parts);
        let kept = starts_with_version(&text, "v=STSv1");
        prop_assert_eq!(split.has(Code::StsRecordSplitStrings), kept && parts.len() > 1);
        prop_assert!(!joined.has(Code::StsRecordSplitStrings));

        let split = lint_tlsrpt_rrset(&[parts.clone(), spf.clone()]);
        let joined = lint_tlsrpt_rrset(&[vec![text.clone()], spf]);
        prop_assert_eq!(verdict(&split), verdict(&joined), "{:?}", parts);
        if !starts_with_version(&text, "v=TLSRPTv1") {
            prop_assert_eq!(split.value, None);
        }
    }

    /// The whole path: a record split at any octet (inside a character too), sent over the wire,
    /// read by `decode_answer` and linted, gets the verdict of the record as published.
    #[test]
    fn records_read_from_the_wire_judge_as_published(text in any_text(), sizes in sizes()) {
        let parts = split_octets(text.as_bytes(), &sizes);
        let strings = read_strings(&txt_answer("_mta-sts.example.com", &parts));
        let whole = vec![text.clone()];
        prop_assert_eq!(
            verdict(&lint_sts_rrset(std::slice::from_ref(&strings))),
            verdict(&lint_sts_rrset(std::slice::from_ref(&whole))),
            "{:?}", strings
        );
        prop_assert_eq!(
            verdict(&lint_tlsrpt_rrset(std::slice::from_ref(&strings))),
            verdict(&lint_tlsrpt_rrset(&[whole])),
            "{:?}", strings
        );
    }
}
