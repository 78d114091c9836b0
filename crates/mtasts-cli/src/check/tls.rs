//! TLS for the DoH resolver and the policy fetch: rustls on ring, the public roots of
//! webpki-roots plus the CAs of `--ca-file`, and the class of a failed handshake.

use super::SetupError;
use mtasts::check::TlsErrorClass;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use rustls::{CertificateError, RootCertStore};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// A CA file larger than this is not a CA file.
const MAX_CA_FILE: u64 = 1 << 20;

/// A client configuration trusting the public web PKI roots (webpki-roots, so the result does
/// not depend on the machine) and every certificate in the PEM file `extra_ca`.
pub fn client_config(extra_ca: Option<&Path>) -> Result<rustls::ClientConfig, SetupError> {
    let roots = root_store(extra_ca)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SetupError::Client(e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}

/// The public web PKI roots (webpki-roots) and every certificate in the PEM file `extra_ca`.
pub fn root_store(extra_ca: Option<&Path>) -> Result<RootCertStore, SetupError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        let bad = |why: String| SetupError::CaFile {
            path: path.to_path_buf(),
            why,
        };
        let mut pem = Vec::new();
        std::fs::File::open(path)
            .and_then(|f| f.take(MAX_CA_FILE + 1).read_to_end(&mut pem))
            .map_err(|e| bad(e.to_string()))?;
        if pem.len() as u64 > MAX_CA_FILE {
            return Err(bad(format!("larger than {MAX_CA_FILE} bytes")));
        }
        let certs = CertificateDer::pem_slice_iter(&pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(format!("not PEM: {e}")))?;
        if certs.is_empty() {
            return Err(bad("no CERTIFICATE block in the file".into()));
        }
        for cert in certs {
            roots
                .add(cert)
                .map_err(|e| bad(format!("not a usable CA certificate: {e}")))?;
        }
    }
    Ok(roots)
}

/// The class of a TLS failure, as TLS-RPT (RFC 8460 §4.3) distinguishes them.
pub fn classify_tls_error(error: &rustls::Error) -> TlsErrorClass {
    match error {
        rustls::Error::InvalidCertificate(cert) => match cert {
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => TlsErrorClass::Expired,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                TlsErrorClass::WrongName
            }
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                TlsErrorClass::Untrusted
            }
            _ => TlsErrorClass::Handshake,
        },
        _ => TlsErrorClass::Handshake,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::AlertDescription;

    #[test]
    fn classes() {
        for (error, want) in [
            (
                rustls::Error::InvalidCertificate(CertificateError::Expired),
                TlsErrorClass::Expired,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::NotValidYet),
                TlsErrorClass::Expired,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::NotValidForName),
                TlsErrorClass::WrongName,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer),
                TlsErrorClass::Untrusted,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::BadSignature),
                TlsErrorClass::Untrusted,
            ),
            (
                rustls::Error::InvalidCertificate(CertificateError::Revoked),
                TlsErrorClass::Handshake,
            ),
            (
                rustls::Error::AlertReceived(AlertDescription::AccessDenied),
                TlsErrorClass::Handshake,
            ),
        ] {
            assert_eq!(classify_tls_error(&error), want, "{error:?}");
        }
    }

    #[test]
    fn ca_files() {
        let dir = std::env::temp_dir().join(format!("mtasts-cli-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        let err = client_config(Some(&empty)).unwrap_err();
        assert!(err.to_string().contains("no CERTIFICATE"), "{err}");
        let missing = dir.join("missing.pem");
        assert!(matches!(
            client_config(Some(&missing)),
            Err(SetupError::CaFile { .. })
        ));
        assert!(client_config(None).is_ok());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
