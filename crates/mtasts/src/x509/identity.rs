//! Whether a certificate's names cover the host a client connected to.
//!
//! RFC 8461 §4.2 has the MTA-STS sender check the MX host against the certificate's
//! `subjectAltName` DNS names per RFC 6125, with a wildcard allowed only as the whole left-most
//! label and covering exactly one label (the same rule as `mx` patterns, RFC 8461 §4.1). RFC 7672
//! §3.2.2 asks the same of DANE-TA(2) name checks.

use crate::mx;
use crate::name::without_root_dot;

/// Whether the presented identifier `presented` (a SAN `dNSName`, or a CN where a profile reads
/// it) covers the reference identifier `host`.
///
/// - Names compare case-insensitively, a trailing dot on either side is ignored, and a
///   non-ASCII host is compared in its A-label form (RFC 6125 §6.4.2).
/// - `*` counts only as the whole left-most label of `presented`, where it stands for exactly
///   one label of `host` (RFC 6125 §6.4.3 as restricted by RFC 8461 §4.2 and RFC 7672 §3.2.2):
///   `*.example.com` covers `mx.example.com`, not `example.com`, `a.b.example.com`, nor is
///   `mx*.example.com` a wildcard at all.
pub fn dns_name_matches(presented: &str, host: &str) -> bool {
    let presented = without_root_dot(presented);
    let host = without_root_dot(host);
    if presented.is_empty() || host.is_empty() || host.contains('*') {
        return false;
    }
    let base = presented.strip_prefix("*.").unwrap_or(presented);
    // A `*` anywhere else (`mx*.example.com`, `*.*.example.com`) is refused, not read literally.
    if base.is_empty() || base.contains('*') || base.split('.').any(str::is_empty) {
        return false;
    }
    mx::matches(presented, host)
}

/// Whether any of `names` covers `host`.
pub fn any_name_matches(names: &[String], host: &str) -> bool {
    names.iter().any(|name| dns_name_matches(name, host))
}

/// The RFC 6125 §6.4.4 / RFC 7672 §3.2.2 rule for clients that read the CN at all: the CN is
/// consulted only when the certificate has no SAN `dNSName`.
pub fn matches_with_cn_fallback(san_dns: &[String], cn: Option<&str>, host: &str) -> bool {
    if san_dns.is_empty() {
        cn.is_some_and(|cn| dns_name_matches(cn, host))
    } else {
        any_name_matches(san_dns, host)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_per_rfc_8461() {
        for (presented, host, want) in [
            ("mx.example.com", "mx.example.com", true),
            ("MX.Example.COM", "mx.example.com", true),
            ("mx.example.com", "MX.EXAMPLE.COM.", true),
            ("mx.example.com.", "mx.example.com", true),
            ("*.example.com", "mx.example.com", true),
            ("*.EXAMPLE.com", "Mx.Example.Com.", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "a.b.example.com", false),
            ("*.example.com", ".example.com", false),
            ("mx*.example.com", "mx1.example.com", false),
            ("*mx.example.com", "amx.example.com", false),
            ("m*x.example.com", "m*x.example.com", false),
            ("*.*.example.com", "a.b.example.com", false),
            ("*", "localhost", false),
            ("*.", "a", false),
            ("", "mx.example.com", false),
            ("mx.example.com", "", false),
            ("example.com", "mx.example.com", false),
            ("mx.example.com", "example.com", false),
            ("mx..example.com", "mx..example.com", false),
            ("*.xn--aca-6ma.com", "mx.ñaca.com", true),
            ("mx.xn--aca-6ma.com", "MX.Ñaca.com", true),
            ("*.ietf.org", "mail.ietf.org", true),
        ] {
            assert_eq!(
                dns_name_matches(presented, host),
                want,
                "{presented:?} vs {host:?}"
            );
        }
    }

    #[test]
    fn cn_only_without_san() {
        let san = ["mx.example.com".to_string()];
        for (san, cn, host, want) in [
            (
                &san[..],
                Some("other.example.com"),
                "other.example.com",
                false,
            ),
            (&san[..], Some("other.example.com"), "mx.example.com", true),
            (
                &[][..],
                Some("other.example.com"),
                "other.example.com",
                true,
            ),
            (&[][..], Some("*.example.com"), "other.example.com", true),
            (&[][..], None, "other.example.com", false),
        ] {
            assert_eq!(
                matches_with_cn_fallback(san, cn, host),
                want,
                "{cn:?} {host}"
            );
        }
    }
}
