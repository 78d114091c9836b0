//! One DNS query of the check and its answer, and what a failed lookup means for senders.

use super::error::CheckError;
use super::io::{Resolver, TransportError};
use super::report::Lookup;
use crate::dns::{decode_answer, encode_query, Answer, Rcode, RecordType};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding};

/// A lookup as the report shows it, and the answer when one came.
pub(super) type Answered = (Lookup, Option<Answer>);

/// One query and its answer.
pub(super) async fn lookup<R: Resolver>(
    resolver: &R,
    name: &DomainName,
    rtype: RecordType,
) -> Result<Answered, CheckError> {
    let query = encode_query(name.as_str(), rtype).map_err(CheckError::Dns)?;
    let bytes = match resolver.exchange(query).await {
        Ok(bytes) => bytes,
        // One name that never answers is that lookup's failure, not the whole check's
        // (round 1 turns "every lookup timed out" back into a resolver failure).
        Err(TransportError::Timeout) => {
            let lookup = Lookup {
                name: name.clone(),
                rtype,
                rcode: None,
                validated: false,
                cname: Vec::new(),
                error: Some(TransportError::Timeout.to_string()),
            };
            return Ok((lookup, None));
        }
        Err(e) => return Err(CheckError::Resolver(e)),
    };
    let answer = decode_answer(&bytes).map_err(CheckError::Dns)?;
    let lookup = Lookup {
        name: name.clone(),
        rtype,
        rcode: Some(answer.rcode),
        validated: answer.authenticated,
        cname: answer.cname_chain(name.as_str()),
        error: None,
    };
    Ok((lookup, Some(answer)))
}

/// Whether the lookup failed at the resolver (not "no such record").
pub(super) fn failed(lookup: &Lookup) -> bool {
    !matches!(lookup.rcode, Some(Rcode::NoError | Rcode::NxDomain))
}

/// `dns.lookup-failed` for a lookup that failed at the resolver.
pub(super) fn dns_failure(lookup: &Lookup) -> Finding {
    let rcode = lookup
        .rcode
        .map_or("no answer".to_string(), |r| r.to_string());
    Finding::new(
        Code::DnsLookupFailed,
        format!(
            "The {} lookup of {} failed with {rcode}: senders cannot read it either (a DNSSEC failure often looks like this).",
            lookup.rtype, lookup.name
        ),
    )
}
