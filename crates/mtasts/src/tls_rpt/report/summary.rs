//! What a report says, as the crate returns it: [`ReportSummary`] with its policies and failures,
//! and the two open registries of RFC 8460, policy types and result types.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;

/// A policy type (RFC 8460 §4.4 `policy-type`), kept by name when it is none of the three.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum PolicyType {
    /// `sts`: an MTA-STS policy (RFC 8461).
    Sts,
    /// `tlsa`: DANE TLSA records (RFC 7672).
    Tlsa,
    /// `no-policy-found`: neither.
    NoPolicyFound,
    /// Any other name (not RFC 8460).
    Other(String),
}

impl PolicyType {
    /// The name as written in reports.
    pub fn as_str(&self) -> &str {
        match self {
            PolicyType::Sts => "sts",
            PolicyType::Tlsa => "tlsa",
            PolicyType::NoPolicyFound => "no-policy-found",
            PolicyType::Other(name) => name,
        }
    }

    /// The policy type of this name (case-sensitive, as the RFC writes them).
    pub fn from_name(name: &str) -> PolicyType {
        match name {
            "sts" => PolicyType::Sts,
            "tlsa" => PolicyType::Tlsa,
            "no-policy-found" => PolicyType::NoPolicyFound,
            other => PolicyType::Other(other.to_string()),
        }
    }
}

/// A result type (RFC 8460 §4.3, registered by §6.6 in IANA's "STARTTLS Validation Result
/// Types"), kept by name when it is not registered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum ResultType {
    /// `starttls-not-supported` (§4.3.1).
    StarttlsNotSupported,
    /// `certificate-host-mismatch` (§4.3.1).
    CertificateHostMismatch,
    /// `certificate-expired` (§4.3.1).
    CertificateExpired,
    /// `certificate-not-trusted` (§4.3.1).
    CertificateNotTrusted,
    /// `validation-failure` (§4.3.1).
    ValidationFailure,
    /// `tlsa-invalid` (§4.3.2.1).
    TlsaInvalid,
    /// `dnssec-invalid` (§4.3.2.1).
    DnssecInvalid,
    /// `dane-required` (§4.3.2.1).
    DaneRequired,
    /// `sts-policy-fetch-error` (§4.3.2.2).
    StsPolicyFetchError,
    /// `sts-policy-invalid` (§4.3.2.2).
    StsPolicyInvalid,
    /// `sts-webpki-invalid` (§4.3.2.2).
    StsWebpkiInvalid,
    /// A name outside the registry.
    Unregistered(String),
}

impl ResultType {
    /// Every registered result type.
    pub const REGISTERED: &'static [ResultType] = &[
        ResultType::StarttlsNotSupported,
        ResultType::CertificateHostMismatch,
        ResultType::CertificateExpired,
        ResultType::CertificateNotTrusted,
        ResultType::ValidationFailure,
        ResultType::TlsaInvalid,
        ResultType::DnssecInvalid,
        ResultType::DaneRequired,
        ResultType::StsPolicyFetchError,
        ResultType::StsPolicyInvalid,
        ResultType::StsWebpkiInvalid,
    ];

    /// The name as written in reports.
    pub fn as_str(&self) -> &str {
        match self {
            ResultType::StarttlsNotSupported => "starttls-not-supported",
            ResultType::CertificateHostMismatch => "certificate-host-mismatch",
            ResultType::CertificateExpired => "certificate-expired",
            ResultType::CertificateNotTrusted => "certificate-not-trusted",
            ResultType::ValidationFailure => "validation-failure",
            ResultType::TlsaInvalid => "tlsa-invalid",
            ResultType::DnssecInvalid => "dnssec-invalid",
            ResultType::DaneRequired => "dane-required",
            ResultType::StsPolicyFetchError => "sts-policy-fetch-error",
            ResultType::StsPolicyInvalid => "sts-policy-invalid",
            ResultType::StsWebpkiInvalid => "sts-webpki-invalid",
            ResultType::Unregistered(name) => name,
        }
    }

    /// The result type of this name (case-sensitive, as the registry writes them).
    pub fn from_name(name: &str) -> ResultType {
        ResultType::REGISTERED
            .iter()
            .find(|r| r.as_str() == name)
            .cloned()
            .unwrap_or_else(|| ResultType::Unregistered(name.to_string()))
    }

    /// Whether IANA's registry holds this result type.
    pub fn is_registered(&self) -> bool {
        !matches!(self, ResultType::Unregistered(_))
    }
}

/// Both open enums travel as their names.
macro_rules! serde_by_name {
    ($($ty:ident),*) => {$(
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok($ty::from_name(&String::deserialize(deserializer)?))
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

serde_by_name!(PolicyType, ResultType);

/// What a report says, as far as it could be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSummary {
    /// Successful sessions: the sum of every policy's `total-successful-session-count`.
    pub successful: u64,
    /// Failed sessions: the sum of every policy's `total-failure-session-count`.
    pub failed: u64,
    /// Failed sessions per result type: the sum of `failed-session-count` over the
    /// `failure-details` of that type, unregistered types kept by name.
    pub result_types: BTreeMap<String, u64>,
    /// Each element of `policies`, in order.
    pub policies: Vec<PolicySummary>,
    /// `organization-name`: who sent the report.
    pub organization: Option<String>,
    /// `report-id`.
    pub report_id: Option<String>,
    /// `date-range`.
    pub date_range: Option<DateRange>,
    /// `contact-info`.
    pub contact_info: Option<String>,
}

impl ReportSummary {
    /// Appends one element of `policies` and adds its sessions to the totals: `successful`,
    /// `failed` and, from its failure details, `result_types` (sums saturate).
    pub(super) fn push_policy(&mut self, policy: PolicySummary) {
        self.policies.push(policy);
        self.count_last_policy();
    }

    /// Adds the sessions of the last element of `policies` to the totals (see
    /// [`Self::push_policy`]), for a policy filled in place.
    pub(super) fn count_last_policy(&mut self) {
        let ReportSummary {
            policies,
            successful,
            failed,
            result_types,
            ..
        } = self;
        let Some(policy) = policies.last() else {
            return;
        };
        *successful = successful.saturating_add(policy.successful);
        *failed = failed.saturating_add(policy.failed);
        for failure in &policy.failures {
            if let Some(result_type) = &failure.result_type {
                // The key is allocated only the first time a result type is seen.
                let name = result_type.as_str();
                match result_types.get_mut(name) {
                    Some(sessions) => {
                        *sessions = sessions.saturating_add(failure.failed_sessions);
                    }
                    None => {
                        result_types.insert(name.to_string(), failure.failed_sessions);
                    }
                }
            }
        }
    }
}

/// The period a report covers (RFC 8460 §4.4 `date-range`), as written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    /// `start-datetime`.
    pub start_datetime: Option<String>,
    /// `end-datetime`.
    pub end_datetime: Option<String>,
}

impl DateRange {
    /// The UTC day (`YYYY-MM-DD`) on which the period starts; a date-time without a zone is
    /// taken as UTC. `None` when the start is missing or not a date-time.
    pub fn start_day(&self) -> Option<String> {
        let start = self.start_datetime.as_deref()?;
        crate::date::parse_rfc3339(start)
            .ok()
            .map(|d| d.utc_day().to_string())
    }
}

/// One element of a report's `policies`: the policy applied and its sessions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySummary {
    /// `policy-type`.
    pub policy_type: Option<PolicyType>,
    /// `policy-domain`.
    pub policy_domain: Option<String>,
    /// `policy-string`: the policy's lines, or the TLSA records.
    pub policy_strings: Vec<String>,
    /// `mx-host`: the MX patterns of the policy.
    pub mx_hosts: Vec<String>,
    /// `total-successful-session-count`.
    pub successful: u64,
    /// `total-failure-session-count`, or when missing the sum of `failed-session-count`.
    pub failed: u64,
    /// `failure-details`, in order.
    pub failures: Vec<FailureSummary>,
}

/// One element of `failure-details` (RFC 8460 §4.4).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailureSummary {
    /// `result-type`.
    pub result_type: Option<ResultType>,
    /// `sending-mta-ip`, when it is an IP address.
    pub sending_mta_ip: Option<String>,
    /// `receiving-mx-hostname`.
    pub receiving_mx_hostname: Option<String>,
    /// `receiving-mx-helo`.
    pub receiving_mx_helo: Option<String>,
    /// `receiving-ip`, when it is an IP address.
    pub receiving_ip: Option<String>,
    /// `failed-session-count`.
    pub failed_sessions: u64,
    /// `additional-information`.
    pub additional_information: Option<String>,
    /// `failure-reason-code`.
    pub failure_reason_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_enums_keep_names() {
        for name in ["sts", "tlsa", "no-policy-found", "tls", "STS"] {
            assert_eq!(PolicyType::from_name(name).as_str(), name);
        }
        assert_eq!(
            PolicyType::from_name("STS"),
            PolicyType::Other("STS".into())
        );
        for r in ResultType::REGISTERED {
            assert_eq!(&ResultType::from_name(r.as_str()), r);
            assert!(r.is_registered());
        }
        assert!(!ResultType::from_name("Validation-Failure").is_registered());
        let json = serde_json::to_string(&ResultType::DaneRequired).unwrap();
        assert_eq!(json, "\"dane-required\"");
        let back: ResultType = serde_json::from_str("\"x-new\"").unwrap();
        assert_eq!(back, ResultType::Unregistered("x-new".into()));
    }
}
