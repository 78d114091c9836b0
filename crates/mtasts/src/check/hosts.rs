//! Round two, per MX host: its addresses (RFC 5321 §5.1), whether it is an alias, and its
//! `_25._tcp.<host>` TLSA records (RFC 7672 §2.2), asked at once.

use super::error::CheckError;
use super::io::Resolver;
use super::lookup::{dns_failure, failed, lookup};
use super::report::MxHost;
use crate::dane::rollover_ready;
use crate::dane::tlsa::{lint_tlsa, Tlsa};
use crate::dns::{RecordData, RecordType};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding, LintResult};
use futures_util::future::join3;
use std::net::IpAddr;

/// One MX host's addresses (noting a CNAME) and TLSA records.
pub(super) async fn inspect_host<R: Resolver>(
    resolver: &R,
    host: &DomainName,
    preference: Option<u16>,
) -> Result<(MxHost, Vec<Finding>), CheckError> {
    let tlsa_name = host.child("_25._tcp");
    let (a, aaaa, tlsa) = join3(
        lookup(resolver, host, RecordType::A),
        lookup(resolver, host, RecordType::Aaaa),
        lookup(resolver, &tlsa_name, RecordType::Tlsa),
    )
    .await;
    let ((a, a_answer), (aaaa, aaaa_answer), (tlsa, tlsa_answer)) = (a?, aaaa?, tlsa?);
    let mut findings = Vec::new();
    let mut addresses = Vec::new();
    for (lookup, answer) in [(&a, &a_answer), (&aaaa, &aaaa_answer)] {
        if failed(lookup) {
            findings.push(dns_failure(lookup).for_host(host.as_str()));
        }
        for data in answer.iter().flat_map(|a| a.data_for(host.as_str())) {
            match data {
                RecordData::A { address } => addresses.push(IpAddr::V4(*address)),
                RecordData::Aaaa { address } => addresses.push(IpAddr::V6(*address)),
                _ => {}
            }
        }
    }
    if addresses.is_empty() && !failed(&a) && !failed(&aaaa) && preference.is_some() {
        findings.push(
            Finding::new(
                Code::MxNoAddress,
                format!(
                    "The MX host {host} has no A or AAAA record: senders cannot connect to it."
                ),
            )
            .for_host(host.as_str()),
        );
    }
    let cname = if a.cname.is_empty() {
        aaaa.cname.clone()
    } else {
        a.cname.clone()
    };
    if let Some(target) = cname.last() {
        if preference.is_some() {
            findings.push(
                Finding::new(
                    Code::MxCname,
                    format!(
                        "The MX host {host} is a CNAME to {target}: RFC 5321 §5.1 forbids it, and Exchange Online refuses such hosts under MTA-STS unless the policy also lists {target}."
                    ),
                )
                .for_host(host.as_str()),
            );
        }
    }
    let tlsa_records: Vec<LintResult<Tlsa>> = tlsa_answer
        .iter()
        .flat_map(|a| a.data_for(tlsa_name.as_str()))
        .filter_map(|d| match d {
            RecordData::Tlsa { rdata } => Some(lint_tlsa(rdata)),
            _ => None,
        })
        .collect();
    for lint in &tlsa_records {
        findings.extend(
            lint.findings
                .iter()
                .map(|f| f.clone().for_host(host.as_str())),
        );
    }
    let values: Vec<&Tlsa> = tlsa_records
        .iter()
        .filter(|l| l.valid)
        .filter_map(|l| l.value.as_ref())
        .collect();
    if failed(&tlsa) {
        findings.push(dns_failure(&tlsa).for_host(host.as_str()));
    } else if tlsa.validated && !rollover_ready(&values) {
        // RFC 7671 §8.1: publish the next key's record (or the issuer's) before the change.
        findings.push(
            Finding::new(
                Code::DaneRolloverNotReady,
                format!("The TLSA records of {host} match only the current key (one DANE-EE record, no second one and no DANE-TA record): when the key changes, senders that use DANE (Exchange Online, Postfix with smtp_tls_security_level = dane, mox, Stalwart) refuse its mail until the new record is seen. Publish the next key's record now (\"3 1 1 current\" + \"3 1 1 next\"), or a \"2 1 1\" record for the issuing CA."),
            )
            .for_host(host.as_str()),
        );
    } else if tlsa_records.is_empty() && tlsa.validated {
        findings.push(
            Finding::new(
                Code::DaneTlsaMissing,
                format!("{host} is in a DNSSEC-signed zone but has no TLSA record at {tlsa_name}: senders that use DANE fall back to unauthenticated TLS."),
            )
            .for_host(host.as_str()),
        );
    }
    let mx = MxHost {
        host: host.clone(),
        preference,
        cname,
        addresses,
        covered_by: None,
        tlsa_lookup: Some(tlsa),
        tlsa: tlsa_records,
    };
    Ok((mx, findings))
}

/// One line for an `mx <host>` step.
pub(super) fn host_summary(mx: &MxHost) -> String {
    let mut parts = vec![format!("{} address(es)", mx.addresses.len())];
    if let Some(target) = mx.cname.last() {
        parts.push(format!("CNAME to {target}"));
    }
    match &mx.tlsa_lookup {
        Some(l) if !mx.tlsa.is_empty() => parts.push(format!(
            "{} TLSA record(s){}",
            mx.tlsa.len(),
            if l.validated {
                ", DNSSEC-validated"
            } else {
                ", not validated"
            }
        )),
        _ => parts.push("no TLSA".to_string()),
    }
    parts.join(", ")
}
