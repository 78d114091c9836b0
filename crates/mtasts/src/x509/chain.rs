//! Reading a certificate chain: PEM `CERTIFICATE` blocks or DER, one certificate or several.
//!
//! PEM input may carry text around and between the blocks (`openssl s_client -showcerts` output,
//! a mail quoting the chain): only what lies between `-----BEGIN CERTIFICATE-----` and
//! `-----END CERTIFICATE-----` is read, with whitespace inside the Base64 ignored. DER input is one
//! certificate or several concatenated, as a TLS `Certificate` message lists them (RFC 8446
//! §4.4.2). Either way the first certificate is the server's own (the leaf).

use std::fmt;
use x509_cert::der::{Decode, Encode, Reader, SliceReader};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::Certificate;

/// The longest input read, 1 MiB: real chains are a few KiB.
pub const MAX_INPUT_LEN: usize = 1 << 20;

/// The most certificates read from one input. Servers send two to four.
pub const MAX_CERTIFICATES: usize = 16;

const PEM_BEGIN: &str = "-----BEGIN CERTIFICATE-----";
const PEM_END: &str = "-----END CERTIFICATE-----";

/// One certificate of a chain: its DER bytes as given, and the decoded certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainCert {
    der: Vec<u8>,
    cert: Certificate,
}

impl ChainCert {
    /// Decodes one DER certificate; the bytes must hold exactly one.
    pub fn from_der(der: &[u8]) -> Result<ChainCert, ChainError> {
        decode_one(0, der)
    }

    /// The certificate's DER bytes, exactly as given (what TLSA selector 0 hashes).
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The decoded certificate.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }

    /// The `subjectAltName` DNS names. An undecodable extension reads as none.
    pub fn san_dns_names(&self) -> Vec<String> {
        let tbs = self.cert.tbs_certificate();
        let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() else {
            return Vec::new();
        };
        san.0
            .iter()
            .filter_map(|name| match name {
                GeneralName::DnsName(dns) => Some(dns.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The subject's common name (CN), when it has one.
    pub fn common_name(&self) -> Option<String> {
        self.cert
            .tbs_certificate()
            .subject()
            .common_name()
            .ok()
            .flatten()
            .map(|cn| cn.value().into_owned())
    }

    /// The DER of the `SubjectPublicKeyInfo`, what TLSA selector 1 hashes (RFC 6698 §2.1.2).
    /// The certificate was decoded as DER, so encoding the field again gives back its bytes.
    pub fn spki_der(&self) -> Vec<u8> {
        self.cert
            .tbs_certificate()
            .subject_public_key_info()
            .to_der()
            .unwrap_or_default()
    }
}

/// Why a chain could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ChainError {
    /// Nothing to read.
    Empty,
    /// Longer than [`MAX_INPUT_LEN`].
    TooLarge(usize),
    /// More than [`MAX_CERTIFICATES`] certificates.
    TooManyCertificates(usize),
    /// Text without any `-----BEGIN CERTIFICATE-----` block.
    NoPemCertificate,
    /// A `-----BEGIN CERTIFICATE-----` without its `-----END CERTIFICATE-----`.
    UnterminatedPem {
        /// 1-based position of the block in the chain.
        number: usize,
    },
    /// A PEM block whose content is not Base64.
    Base64 {
        /// 1-based position of the block in the chain.
        number: usize,
        /// What the decoder said.
        reason: String,
    },
    /// Bytes that are not a DER X.509 certificate (RFC 5280 §4.1).
    Der {
        /// 1-based position of the certificate in the chain.
        number: usize,
        /// What the decoder said.
        reason: String,
    },
}

impl fmt::Display for ChainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChainError::Empty => write!(f, "the certificate input is empty"),
            ChainError::TooLarge(len) => write!(
                f,
                "the certificate input is {len} bytes long, more than {MAX_INPUT_LEN}"
            ),
            ChainError::TooManyCertificates(n) => write!(
                f,
                "the input holds {n} certificates or more, more than {MAX_CERTIFICATES}"
            ),
            ChainError::NoPemCertificate => {
                write!(f, "the text holds no \"{PEM_BEGIN}\" block (nor is it DER)")
            }
            ChainError::UnterminatedPem { number } => {
                write!(f, "certificate {number} has no \"{PEM_END}\" line")
            }
            ChainError::Base64 { number, reason } => {
                write!(f, "certificate {number} is not valid Base64: {reason}")
            }
            ChainError::Der { number, reason } => {
                write!(
                    f,
                    "certificate {number} is not a DER X.509 certificate: {reason}"
                )
            }
        }
    }
}

impl std::error::Error for ChainError {}

/// Reads a chain from PEM or DER bytes, leaf first.
///
/// Input holding `-----BEGIN ` is read as PEM, anything else as DER.
pub fn parse_chain(input: &[u8]) -> Result<Vec<ChainCert>, ChainError> {
    if input.len() > MAX_INPUT_LEN {
        return Err(ChainError::TooLarge(input.len()));
    }
    if input.iter().all(u8::is_ascii_whitespace) {
        return Err(ChainError::Empty);
    }
    let is_pem = input.windows(11).any(|w| w == b"-----BEGIN ");
    if is_pem {
        parse_pem(input)
    } else {
        parse_der(input)
    }
}

/// Every `CERTIFICATE` block, in order; other blocks (keys, CSRs) and text are skipped.
fn parse_pem(input: &[u8]) -> Result<Vec<ChainCert>, ChainError> {
    let text = String::from_utf8_lossy(input);
    let mut rest: &str = &text;
    let mut chain = Vec::new();
    while let Some(begin) = rest.find(PEM_BEGIN) {
        let number = chain.len() + 1;
        if number > MAX_CERTIFICATES {
            return Err(ChainError::TooManyCertificates(number));
        }
        let body_and_rest = rest.get(begin + PEM_BEGIN.len()..).unwrap_or_default();
        let Some(end) = body_and_rest.find(PEM_END) else {
            return Err(ChainError::UnterminatedPem { number });
        };
        let body = body_and_rest.get(..end).unwrap_or_default();
        let der = decode_base64(number, body)?;
        chain.push(decode_one(number, &der)?);
        rest = body_and_rest.get(end + PEM_END.len()..).unwrap_or_default();
    }
    if chain.is_empty() {
        return Err(ChainError::NoPemCertificate);
    }
    Ok(chain)
}

/// The Base64 between the markers, whitespace (any line length, CRLF, indentation) ignored.
/// RFC 7468 §3 lets parsers be this lax; the block is rebuilt in its strict form and handed to
/// the RFC 7468 decoder.
fn decode_base64(number: usize, body: &str) -> Result<Vec<u8>, ChainError> {
    let base64: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut strict = String::with_capacity(base64.len() + base64.len() / 64 + 64);
    strict.push_str(PEM_BEGIN);
    strict.push('\n');
    let mut line = String::with_capacity(65);
    for c in base64.chars() {
        line.push(c);
        if line.len() == 64 {
            strict.push_str(&line);
            strict.push('\n');
            line.clear();
        }
    }
    if !line.is_empty() {
        strict.push_str(&line);
        strict.push('\n');
    }
    strict.push_str(PEM_END);
    strict.push('\n');
    x509_cert::der::pem::decode_vec(strict.as_bytes())
        .map(|(_, der)| der)
        .map_err(|e| ChainError::Base64 {
            number,
            reason: e.to_string(),
        })
}

/// One DER certificate or several back to back.
fn parse_der(input: &[u8]) -> Result<Vec<ChainCert>, ChainError> {
    let mut rest = input;
    let mut chain = Vec::new();
    while !rest.is_empty() {
        let number = chain.len() + 1;
        if number > MAX_CERTIFICATES {
            return Err(ChainError::TooManyCertificates(number));
        }
        let tlv = next_tlv(rest).map_err(|reason| ChainError::Der { number, reason })?;
        chain.push(decode_one(number, tlv)?);
        rest = rest.get(tlv.len()..).unwrap_or_default();
    }
    Ok(chain)
}

/// The first complete tag-length-value of `bytes`.
fn next_tlv(bytes: &[u8]) -> Result<&[u8], String> {
    let mut reader = SliceReader::new(bytes).map_err(|e| e.to_string())?;
    reader.tlv_bytes().map_err(|e| e.to_string())
}

/// Decodes exactly one certificate (the DER decoder refuses trailing bytes).
fn decode_one(number: usize, der: &[u8]) -> Result<ChainCert, ChainError> {
    let cert = Certificate::from_der(der).map_err(|e| ChainError::Der {
        number: number.max(1),
        reason: e.to_string(),
    })?;
    Ok(ChainCert {
        der: der.to_vec(),
        cert,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(path: &str) -> Vec<u8> {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/data/vectors/dane-certs/"
        );
        std::fs::read(format!("{dir}{path}")).unwrap()
    }

    fn pem_of(der: &[u8]) -> String {
        x509_cert::der::pem::encode_string("CERTIFICATE", x509_cert::der::pem::LineEnding::LF, der)
            .unwrap()
    }

    #[test]
    fn reads_pem_and_der() {
        let leaf = data("stalwart/mail.ietf.org.0.cert");
        let issuer = data("stalwart/mail.ietf.org.1.cert");
        let both_der = [leaf.clone(), issuer.clone()].concat();
        let both_pem = format!("{}{}", pem_of(&leaf), pem_of(&issuer));
        let noisy = format!(
            "CONNECTED(00000003)\ndepth=2 C = US\n 0 s:CN = *.ietf.org\n{}\n 1 s:Starfield\n  {}\n---\nServer certificate\n",
            pem_of(&leaf).replace('\n', "\r\n"),
            pem_of(&issuer).replace('\n', "\n    ")
        );
        let one_line = format!(
            "{PEM_BEGIN}{}{PEM_END}",
            pem_of(&leaf)
                .lines()
                .filter(|l| !l.starts_with("-----"))
                .collect::<String>()
        );
        for (input, want) in [
            (leaf.clone(), 1),
            (both_der, 2),
            (both_pem.into_bytes(), 2),
            (noisy.into_bytes(), 2),
            (one_line.into_bytes(), 1),
        ] {
            let chain = parse_chain(&input).unwrap();
            assert_eq!(chain.len(), want);
            assert_eq!(chain[0].der(), &leaf[..]);
            if want == 2 {
                assert_eq!(chain[1].der(), &issuer[..]);
            }
        }
        let maddy = parse_chain(&data("maddy/leafA.pem")).unwrap();
        assert_eq!(maddy.len(), 1);
        assert_eq!(ChainCert::from_der(maddy[0].der()), Ok(maddy[0].clone()));
    }

    #[test]
    fn refuses() {
        let leaf = data("stalwart/mail.ietf.org.0.cert");
        let pem = pem_of(&leaf);
        let sixteen_plus_one = pem.repeat(MAX_CERTIFICATES + 1);
        let truncated = leaf.get(..leaf.len() - 1).unwrap().to_vec();
        let trailing = [leaf.clone(), vec![0x00]].concat();
        for (input, want) in [
            (Vec::new(), ChainError::Empty),
            (b" \n\t".to_vec(), ChainError::Empty),
            (
                vec![0u8; MAX_INPUT_LEN + 1],
                ChainError::TooLarge(MAX_INPUT_LEN + 1),
            ),
            (
                sixteen_plus_one.into_bytes(),
                ChainError::TooManyCertificates(MAX_CERTIFICATES + 1),
            ),
            (
                b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".to_vec(),
                ChainError::NoPemCertificate,
            ),
            (
                format!("{PEM_BEGIN}\nMIIB\n").into_bytes(),
                ChainError::UnterminatedPem { number: 1 },
            ),
        ] {
            assert_eq!(parse_chain(&input), Err(want));
        }
        for (input, number) in [
            (b"hello".to_vec(), 1),
            (truncated, 1),
            (trailing, 2),
            (
                format!("{pem}{PEM_BEGIN}\n!!!!\n{PEM_END}\n").into_bytes(),
                2,
            ),
            (format!("{PEM_BEGIN}\nAAAA\n{PEM_END}\n").into_bytes(), 1),
        ] {
            match parse_chain(&input) {
                Err(ChainError::Der { number: n, .. } | ChainError::Base64 { number: n, .. }) => {
                    assert_eq!(n, number, "{:?}", String::from_utf8_lossy(&input))
                }
                other => panic!("{other:?} for {:?}", String::from_utf8_lossy(&input)),
            }
        }
    }

    #[test]
    fn messages_name_the_value() {
        for (error, needle) in [
            (ChainError::TooLarge(2_000_000), "2000000 bytes"),
            (ChainError::UnterminatedPem { number: 3 }, "certificate 3"),
            (
                ChainError::Der {
                    number: 2,
                    reason: "unexpected end".into(),
                },
                "certificate 2 is not a DER X.509 certificate: unexpected end",
            ),
        ] {
            assert!(error.to_string().contains(needle), "{error}");
        }
    }
}
