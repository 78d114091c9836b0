//! The test CA and the policy hosts' certificates, generated at start-up with rcgen (ring).
//!
//! Nothing is written to disk here: the CA's private key lives only in memory, and only the CA
//! certificate is handed out (PEM or DER) for clients to trust.

use std::fmt;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::sign::CertifiedKey;
use time::{Duration, OffsetDateTime};

/// The subject alternative name of `wrong-name` certificates (RFC 6761 §6.4: never resolves).
pub const WRONG_NAME: &str = "wrong-name.invalid";

/// Which certificate a policy host presents (`X-Standin-Cert` in its `.http` file).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum CertKind {
    /// Issued by the test CA for the host, valid from a year ago to a year from now.
    #[default]
    Valid,
    /// Issued by the test CA for the host, expired yesterday.
    Expired,
    /// Issued by the test CA for [`WRONG_NAME`], not for the host.
    WrongName,
    /// Self-signed for the host: no chain to the test CA.
    Untrusted,
}

impl CertKind {
    /// Every kind, in documentation order.
    pub const ALL: [CertKind; 4] = [
        CertKind::Valid,
        CertKind::Expired,
        CertKind::WrongName,
        CertKind::Untrusted,
    ];

    /// The kind's name in `.http` files.
    pub fn name(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::Expired => "expired",
            Self::WrongName => "wrong-name",
            Self::Untrusted => "untrusted",
        }
    }

    /// The kind named `name` (ASCII case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.name().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for CertKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a certificate could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum CertError {
    /// rcgen refused the parameters or the key.
    Generate(rcgen::Error),
    /// rustls refused the generated key.
    Load(rustls::Error),
}

impl fmt::Display for CertError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Generate(e) => write!(f, "generating a certificate: {e}"),
            Self::Load(e) => write!(f, "loading a generated key: {e}"),
        }
    }
}

impl std::error::Error for CertError {}

impl From<rcgen::Error> for CertError {
    fn from(e: rcgen::Error) -> Self {
        Self::Generate(e)
    }
}

/// A certificate authority made for one run of the stand-in.
pub(crate) struct TestCa {
    pem: String,
    der: CertificateDer<'static>,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    /// Makes a CA valid from two years before `now` to two years after.
    pub(crate) fn generate(now: OffsetDateTime) -> Result<Self, CertError> {
        let mut params = CertificateParams::default();
        params.distinguished_name = distinguished_name("mtasts stand-in test CA");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = now - Duration::days(730);
        params.not_after = now + Duration::days(730);
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        Ok(Self {
            pem: cert.pem(),
            der: cert.der().clone(),
            issuer: Issuer::new(params, key),
        })
    }

    /// The CA certificate, PEM.
    pub(crate) fn pem(&self) -> &str {
        &self.pem
    }

    /// The CA certificate, DER.
    pub(crate) fn der(&self) -> &CertificateDer<'static> {
        &self.der
    }

    /// Makes the certificate of kind `kind` for `host` with a fresh key, ready for rustls.
    pub(crate) fn leaf(
        &self,
        host: &str,
        kind: CertKind,
        now: OffsetDateTime,
        provider: &CryptoProvider,
    ) -> Result<Arc<CertifiedKey>, CertError> {
        self.leaf_with_key(host, kind, now, provider, KeyPair::generate()?)
    }

    /// Makes the certificate of kind `kind` for `host` around `key` (a fixed key keeps a TLSA
    /// `3 1 1` record, the SPKI digest, the same from run to run).
    pub(crate) fn leaf_with_key(
        &self,
        host: &str,
        kind: CertKind,
        now: OffsetDateTime,
        provider: &CryptoProvider,
        key: KeyPair,
    ) -> Result<Arc<CertifiedKey>, CertError> {
        let san = match kind {
            CertKind::WrongName => WRONG_NAME,
            _ => host,
        };
        let mut params = CertificateParams::new(vec![san.to_owned()])?;
        params.distinguished_name = distinguished_name(san);
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.use_authority_key_identifier_extension = kind != CertKind::Untrusted;
        let (not_before, not_after) = match kind {
            CertKind::Expired => (now - Duration::days(730), now - Duration::days(1)),
            _ => (now - Duration::days(365), now + Duration::days(365)),
        };
        params.not_before = not_before;
        params.not_after = not_after;
        let cert = match kind {
            CertKind::Untrusted => params.self_signed(&key)?,
            _ => params.signed_by(&key, &self.issuer)?,
        };
        let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        CertifiedKey::from_der(vec![cert.der().clone()], key_der, provider)
            .map(Arc::new)
            .map_err(CertError::Load)
    }
}

fn distinguished_name(common_name: &str) -> DistinguishedName {
    let mut name = DistinguishedName::new();
    name.push(DnType::OrganizationName, "mtasts stand-in");
    name.push(DnType::CommonName, common_name);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_by_name() {
        for (name, want) in [
            ("valid", Some(CertKind::Valid)),
            ("Expired", Some(CertKind::Expired)),
            ("wrong-name", Some(CertKind::WrongName)),
            ("untrusted", Some(CertKind::Untrusted)),
            ("wrong_name", None),
            ("", None),
        ] {
            assert_eq!(CertKind::from_name(name), want, "{name:?}");
        }
        for kind in CertKind::ALL {
            assert_eq!(CertKind::from_name(kind.name()), Some(kind));
        }
    }

    #[test]
    fn makes_every_kind() {
        let now = OffsetDateTime::now_utc();
        let provider = rustls::crypto::ring::default_provider();
        let ca = TestCa::generate(now).unwrap();
        assert!(ca.pem().starts_with("-----BEGIN CERTIFICATE-----"));
        for kind in CertKind::ALL {
            let key = ca
                .leaf("mta-sts.example.test", kind, now, &provider)
                .unwrap();
            assert_eq!(key.cert.len(), 1, "{kind}");
        }
    }
}
