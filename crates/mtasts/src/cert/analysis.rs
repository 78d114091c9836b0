//! What one certificate says: names, validity, key, fingerprints (RFC 5280 §4.1).

use crate::x509::chain::ChainCert;
use crate::x509::identity::{any_name_matches, dns_name_matches};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use x509_cert::der::asn1::{ObjectIdentifier, UintRef};
use x509_cert::der::oid::db::{rfc5912, rfc8410, DB};
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::ext::pkix::BasicConstraints;
use x509_cert::time::Time;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// A certificate expiring within this many days gets `cert.expires-soon` (docs/findings.md).
pub const EXPIRES_SOON_DAYS: i64 = 14;

/// RSA and DSA keys below this many bits are weak (CA/Browser Forum Baseline Requirements
/// §6.1.5, NIST SP 800-131A: 2048 bits at least since 2014).
pub const MIN_RSA_BITS: u32 = 2048;

/// One certificate, read for a person and a program.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertAnalysis {
    /// The subject distinguished name (RFC 4514 form).
    pub subject: String,
    /// The issuer distinguished name (RFC 4514 form).
    pub issuer: String,
    /// The subject's first common name (CN), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_name: Option<String>,
    /// The `subjectAltName` DNS names, as written.
    pub san_dns: Vec<String>,
    /// The serial number, upper-case hex.
    pub serial: String,
    /// Start of validity, RFC 3339.
    pub not_before: String,
    /// End of validity, RFC 3339.
    pub not_after: String,
    /// Start of validity, Unix seconds.
    pub not_before_unix: i64,
    /// End of validity, Unix seconds.
    pub not_after_unix: i64,
    /// Whether the certificate was valid at the time given.
    pub validity: Validity,
    /// Whole days from the time given to `not_after` (negative once expired).
    pub days_left: i64,
    /// The public key.
    pub key: KeyInfo,
    /// The signature algorithm, by name where known, else its OID.
    pub signature_algorithm: String,
    /// Whether subject and issuer are the same name (a root, or a self-signed leaf).
    pub self_issued: bool,
    /// Whether basic constraints mark it as a CA (RFC 5280 §4.2.1.9).
    pub ca: bool,
    /// SHA-256 digests.
    pub fingerprints: Fingerprints,
    /// Whether a SAN DNS name covers the host (when a host was given).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_matches: Option<bool>,
    /// Whether the CN covers the host (when a host was given and there is a CN). Only profiles
    /// that read the CN act on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name_matches_cn: Option<bool>,
}

/// Where the time given falls in a certificate's validity period (RFC 5280 §4.1.2.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Validity {
    /// Between `not_before` and `not_after`, both included.
    Valid,
    /// Before `not_before`.
    NotYetValid,
    /// After `not_after`.
    Expired,
}

/// A certificate's public key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyInfo {
    /// The key algorithm.
    pub kind: KeyKind,
    /// The key size: the RSA modulus or DSA prime in bits, the EC field size, 256 for Ed25519,
    /// 456 for Ed448.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bits: Option<u32>,
    /// The named curve of an EC key (`P-256`, or the OID of a curve without a name here).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub curve: Option<String>,
    /// The algorithm OID, for a key of kind `other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oid: Option<String>,
}

/// Public key algorithms (RFC 3279, RFC 5480, RFC 8410).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum KeyKind {
    /// `rsaEncryption`.
    Rsa,
    /// `id-RSASSA-PSS`.
    RsaPss,
    /// `id-ecPublicKey`.
    Ec,
    /// Ed25519.
    Ed25519,
    /// Ed448.
    Ed448,
    /// DSA.
    Dsa,
    /// Anything else.
    Other,
}

impl KeyInfo {
    /// Why the key is weak, if it is: RSA or DSA under [`MIN_RSA_BITS`].
    pub fn weakness(&self) -> Option<String> {
        match (self.kind, self.bits) {
            (KeyKind::Rsa | KeyKind::RsaPss | KeyKind::Dsa, Some(bits)) if bits < MIN_RSA_BITS => {
                Some(format!(
                    "a {bits}-bit {} key, under the {MIN_RSA_BITS} bits CAs and senders expect",
                    if self.kind == KeyKind::Dsa {
                        "DSA"
                    } else {
                        "RSA"
                    }
                ))
            }
            _ => None,
        }
    }
}

/// SHA-256 digests of a certificate, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprints {
    /// Of the whole certificate (DER): what a `3 0 1` TLSA record holds.
    pub sha256: String,
    /// Of the `SubjectPublicKeyInfo` (DER): what a `3 1 1` TLSA record holds.
    pub spki_sha256: String,
}

/// Reads one certificate; `host`, when given, is checked against its names; `now_unix` is the
/// time its validity is judged at.
pub fn analyze_cert(cert: &ChainCert, host: Option<&str>, now_unix: i64) -> CertAnalysis {
    let tbs = cert.certificate().tbs_certificate();
    let san_dns = cert.san_dns_names();
    let common_name = cert.common_name();
    let not_before_unix = unix_seconds(&tbs.validity().not_before);
    let not_after_unix = unix_seconds(&tbs.validity().not_after);
    let validity = if now_unix < not_before_unix {
        Validity::NotYetValid
    } else if now_unix > not_after_unix {
        Validity::Expired
    } else {
        Validity::Valid
    };
    let ca = tbs
        .get_extension::<BasicConstraints>()
        .ok()
        .flatten()
        .is_some_and(|(_, bc)| bc.ca);
    CertAnalysis {
        subject: tbs.subject().to_string(),
        issuer: tbs.issuer().to_string(),
        serial: crate::hex::encode_upper(tbs.serial_number().as_bytes()),
        not_before: tbs.validity().not_before.to_string(),
        not_after: tbs.validity().not_after.to_string(),
        not_before_unix,
        not_after_unix,
        validity,
        days_left: not_after_unix.saturating_sub(now_unix).div_euclid(DAY),
        key: key_info(cert),
        signature_algorithm: oid_name(&cert.certificate().signature_algorithm().oid),
        self_issued: tbs.subject() == tbs.issuer(),
        ca,
        fingerprints: Fingerprints {
            sha256: sha256_hex(cert.der()),
            spki_sha256: sha256_hex(&cert.spki_der()),
        },
        name_matches: host.map(|h| any_name_matches(&san_dns, h)),
        name_matches_cn: host
            .and_then(|h| common_name.as_deref().map(|cn| dns_name_matches(cn, h))),
        common_name,
        san_dns,
    }
}

/// A certificate time as Unix seconds. Times before 1970 do not decode, so none are negative.
fn unix_seconds(time: &Time) -> i64 {
    i64::try_from(time.to_unix_duration().as_secs()).unwrap_or(i64::MAX)
}

/// Kind and size of the subject public key.
fn key_info(cert: &ChainCert) -> KeyInfo {
    let spki = cert
        .certificate()
        .tbs_certificate()
        .subject_public_key_info();
    let oid = spki.algorithm.oid;
    let key_bytes = spki.subject_public_key.raw_bytes();
    let parameter_oid = || {
        spki.algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
    };
    let mut info = KeyInfo {
        kind: KeyKind::Other,
        bits: None,
        curve: None,
        oid: None,
    };
    if oid == rfc5912::RSA_ENCRYPTION || oid == rfc5912::ID_RSASSA_PSS {
        info.kind = if oid == rfc5912::RSA_ENCRYPTION {
            KeyKind::Rsa
        } else {
            KeyKind::RsaPss
        };
        info.bits = first_integer_bits(key_bytes);
    } else if oid == rfc5912::ID_EC_PUBLIC_KEY {
        info.kind = KeyKind::Ec;
        if let Some(curve) = parameter_oid() {
            let (name, bits) = match curve {
                c if c == rfc5912::SECP_256_R_1 => (Some("P-256"), Some(256)),
                c if c == rfc5912::SECP_384_R_1 => (Some("P-384"), Some(384)),
                c if c == rfc5912::SECP_521_R_1 => (Some("P-521"), Some(521)),
                _ => (None, None),
            };
            info.curve = Some(name.map_or_else(|| curve.to_string(), str::to_string));
            info.bits = bits;
        }
    } else if oid == rfc8410::ID_ED_25519 {
        info.kind = KeyKind::Ed25519;
        info.bits = Some(256);
    } else if oid == rfc8410::ID_ED_448 {
        info.kind = KeyKind::Ed448;
        info.bits = Some(456);
    } else if oid == rfc5912::ID_DSA {
        info.kind = KeyKind::Dsa;
        // Dss-Parms ::= SEQUENCE { p, q, g } (RFC 3279 §2.3.2): the size is that of p.
        info.bits = spki
            .algorithm
            .parameters
            .as_ref()
            .and_then(|p| p.to_der().ok())
            .and_then(|der| first_integer_bits(&der));
    } else {
        info.oid = Some(oid.to_string());
    }
    info
}

/// The bit length of the first INTEGER of a DER SEQUENCE: the modulus of an `RSAPublicKey`
/// (RFC 8017 §A.1.1), the prime of `Dss-Parms`.
fn first_integer_bits(der: &[u8]) -> Option<u32> {
    let mut reader = SliceReader::new(der).ok()?;
    let first = reader
        .sequence(|r| {
            let first = UintRef::decode(r)?;
            while !r.is_finished() {
                let _ = UintRef::decode(r)?;
            }
            Ok::<_, x509_cert::der::Error>(first)
        })
        .ok()?;
    let bytes = first.as_bytes();
    let top = *bytes.first()?;
    let rest = u32::try_from(bytes.len().saturating_sub(1)).ok()?;
    Some(
        rest.saturating_mul(8)
            .saturating_add(8 - top.leading_zeros()),
    )
}

/// An OID's name from the RFC registries, or its dotted form.
fn oid_name(oid: &ObjectIdentifier) -> String {
    match DB.by_oid(oid) {
        Some(name) => name.strip_prefix("id-").unwrap_or(name).to_string(),
        None => oid.to_string(),
    }
}

/// SHA-256 of `bytes`, lower-case hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    crate::hex::encode(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests;
