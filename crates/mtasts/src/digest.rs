//! SHA-256 (FIPS 180-4) as lower-case hex: what identifies a stored TLS-RPT report (the digest of
//! its decoded JSON, so that a repeat is recognised whatever its transfer encoding) and how the
//! Worker keeps credentials (the digest of a token, never the token).

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, 64 lower-case hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        // FIPS 180-4 examples (NIST CSRC "SHA256.pdf"): "" and "abc".
        for (input, want) in [
            (
                "",
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                "abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
        ] {
            assert_eq!(sha256_hex(input.as_bytes()), want);
        }
    }
}
