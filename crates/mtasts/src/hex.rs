//! Base 16 as the records and reports write it (RFC 4648 §8): certificate fingerprints, TLSA
//! association data, DNS RDATA in messages.

/// `bytes` as lower-case hex.
pub fn encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `bytes` as upper-case hex.
pub fn encode_upper(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The bytes of an even number of hex digits (either case); `None` for anything else.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    // `from_str_radix` alone would take a sign (`+1`).
    if text.len() % 2 == 1 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    text.as_bytes()
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(pair, 16).ok()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for (text, want) in [
            ("", Some(vec![])),
            ("00ff", Some(vec![0, 255])),
            ("0C72", Some(vec![0x0c, 0x72])),
            ("abc", None),
            ("zz", None),
            ("+1", None),
        ] {
            assert_eq!(decode(text), want, "{text:?}");
            if let Some(bytes) = want {
                assert_eq!(encode(&bytes), text.to_ascii_lowercase());
                assert_eq!(encode_upper(&bytes), text.to_ascii_uppercase());
            }
        }
    }
}
