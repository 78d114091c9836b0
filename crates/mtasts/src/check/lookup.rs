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
        // One name that never answers, or a query past the check's budget, is that lookup's
        // failure, not the whole check's (round 1 turns "no lookup answered" back into a
        // resolver failure).
        Err(error @ (TransportError::Timeout | TransportError::Budget(_))) => {
            let lookup = Lookup {
                name: name.clone(),
                rtype,
                rcode: None,
                validated: false,
                cname: Vec::new(),
                error: Some(error.to_string()),
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

/// `dns.lookup-failed` for a lookup that failed at the resolver, or got no answer (then the
/// message says why: the resolver's time limit, or the check's query budget).
pub(super) fn dns_failure(lookup: &Lookup) -> Finding {
    let message = match (lookup.rcode, &lookup.error) {
        (None, Some(why)) => format!(
            "The {} lookup of {} got no answer ({why}): what senders see is unknown.",
            lookup.rtype, lookup.name
        ),
        (rcode, _) => format!(
            "The {} lookup of {} failed with {}: senders cannot read it either (a DNSSEC failure often looks like this).",
            lookup.rtype,
            lookup.name,
            rcode.map_or("no answer".to_string(), |r| r.to_string())
        ),
    };
    Finding::new(Code::DnsLookupFailed, message)
}
