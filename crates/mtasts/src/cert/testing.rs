//! Certificates made for the unit tests with rcgen.

use crate::x509::chain::ChainCert;
use rcgen::{
    date_time_ymd, BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer,
    KeyPair, SignatureAlgorithm, PKCS_ECDSA_P256_SHA256,
};

/// A self-signed certificate for `weak.example.com` with a 1024-bit RSA key (made with
/// `openssl req -x509 -newkey rsa:1024`; ring cannot generate RSA keys).
pub const RSA_1024_PEM: &str = "-----BEGIN CERTIFICATE-----
MIICLzCCAZigAwIBAgIUXmeaMUQDY2w10jjQwks9hGdWoxkwDQYJKoZIhvcNAQEL
BQAwGzEZMBcGA1UEAwwQd2Vhay5leGFtcGxlLmNvbTAeFw0yNjExMjgxMzM2MDJa
Fw0zNjExMjUxMzM2MDJaMBsxGTAXBgNVBAMMEHdlYWsuZXhhbXBsZS5jb20wgZ8w
DQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAMz3SPbXlZvBizZnteszUGjLZC6J4SX2
I0WYBNLE7DN1naRK7CepBQbWHhmX0alMpnVGBAW/B/YA5dzpiuCeMDf9jihUTMaZ
aQ110OuoJQd1LEz3NTOKF2+3mkiC5r9365HxTYVWTfGa2eo/yy3z432K7y46Ds/7
uIsUlwGoI4TzAgMBAAGjcDBuMB0GA1UdDgQWBBQEEhEn05OKFfeGzF1zWuoMXPu5
iTAfBgNVHSMEGDAWgBQEEhEn05OKFfeGzF1zWuoMXPu5iTAPBgNVHRMBAf8EBTAD
AQH/MBsGA1UdEQQUMBKCEHdlYWsuZXhhbXBsZS5jb20wDQYJKoZIhvcNAQELBQAD
gYEAdCsY4lbXRQrVipfWgIr6hJ7tSyOAnytyDiNZLX+Hn8k78JIJ9VWImmmmekWW
G+XaI+E20wGuelk0scN5wjChDQN+1K4VCGqZqiV0rp05xM4kfhz2JMVFMUEIjMU2
yap+Rg04wff6sOdlx56DIZtqvCTCFQM174J70BR7ws3Btzk=
-----END CERTIFICATE-----
";

/// Parameters for a certificate named `cn` with DNS names `sans`, valid from January 1st of
/// `from_year` to January 1st of `to_year`.
fn params(cn: &str, sans: &[&str], from_year: i32, to_year: i32) -> CertificateParams {
    let sans: Vec<String> = sans.iter().map(|s| s.to_string()).collect();
    let mut params = CertificateParams::new(sans).unwrap();
    let mut dn = DistinguishedName::new();
    dn.push(DnType::CommonName, cn);
    params.distinguished_name = dn;
    params.not_before = date_time_ymd(from_year, 1, 1);
    params.not_after = date_time_ymd(to_year, 1, 1);
    params
}

/// A self-signed leaf with a key of algorithm `alg`.
pub fn generated(
    alg: &'static SignatureAlgorithm,
    sans: &[&str],
    from_year: i32,
    to_year: i32,
) -> (ChainCert, KeyPair) {
    let key = KeyPair::generate_for(alg).unwrap();
    let cert = params(
        sans.first().copied().unwrap_or("leaf"),
        sans,
        from_year,
        to_year,
    )
    .self_signed(&key)
    .unwrap();
    (ChainCert::from_der(cert.der()).unwrap(), key)
}

/// A three-level P-256 PKI, returned as a server would send it: `[leaf, intermediate, root]`.
/// The leaf has CN `leaf_cn` and DNS names `sans` and is valid from `from_year` to `to_year`;
/// the CAs from 2020 to 2040.
pub fn pki(leaf_cn: &str, sans: &[&str], from_year: i32, to_year: i32) -> Vec<ChainCert> {
    let ca = |cn: &str| {
        let mut p = params(cn, &[], 2020, 2040);
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p
    };
    let root_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let root_params = ca("Test Root");
    let root = root_params.self_signed(&root_key).unwrap();
    let root_issuer = Issuer::new(root_params, root_key);

    let mid_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let mid_params = ca("Test Intermediate");
    let mid = mid_params.signed_by(&mid_key, &root_issuer).unwrap();
    let mid_issuer = Issuer::new(mid_params, mid_key);

    let leaf_key = KeyPair::generate_for(&PKCS_ECDSA_P256_SHA256).unwrap();
    let leaf = params(leaf_cn, sans, from_year, to_year)
        .signed_by(&leaf_key, &mid_issuer)
        .unwrap();
    [leaf.der(), mid.der(), root.der()]
        .into_iter()
        .map(|der| ChainCert::from_der(der).unwrap())
        .collect()
}
