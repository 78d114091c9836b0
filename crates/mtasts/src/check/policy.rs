//! Round two, the policy: the fetch of `https://mta-sts.<domain>/.well-known/mta-sts.txt`
//! (RFC 8461 §3.3), what its answer means for senders, and the lint of the policy itself.

use super::error::CheckError;
use super::io::{FetchError, HttpReply, PolicyFetcher, Resolver};
use super::lookup::lookup;
use super::report::{PolicyCheck, PolicyFetch};
use crate::dns::{Rcode, RecordData, RecordType};
use crate::domain_name::DomainName;
use crate::finding::{Code, Finding};
use crate::media_type::MediaType;
use crate::mta_sts::policy::lint_policy;
use futures_util::future::join;
use std::net::IpAddr;

/// Fetches and lints the policy (RFC 8461 §3.3). A fetch refused on the checker's side ends the
/// check: it says nothing of the domain.
/// `addresses` are the policy host's, asked beside round one, when the fetcher takes them.
pub(super) async fn fetch_policy<R: Resolver, F: PolicyFetcher>(
    resolver: &R,
    fetcher: &F,
    domain: &DomainName,
    addresses: Option<&[IpAddr]>,
) -> Result<PolicyCheck, CheckError> {
    let host = domain.child("mta-sts");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let answer = match addresses {
        Some(addresses) => fetcher.fetch_at(&url, addresses).await,
        None => fetcher.fetch(&url).await,
    };
    let fetched = match answer {
        Err(FetchError::Refused { detail }) => return Err(CheckError::PolicyFetchRefused(detail)),
        // Some platforms (workerd) say only that the fetch failed: ask the resolver whether the
        // host exists before calling it a connection failure.
        Err(error @ (FetchError::Connect { .. } | FetchError::Other { .. })) => {
            Err(unresolved_as_dns(resolver, &host, error).await)
        }
        other => other,
    };
    let fetch = match fetched {
        Err(error) => PolicyFetch::Failed { error },
        Ok(reply) => {
            // Only a 200 answer carries a policy; its body is linted whatever its media type,
            // so the admin sees every problem at once.
            let lint = (reply.status == 200).then(|| lint_policy(&reply.body));
            PolicyFetch::Answered { reply, lint }
        }
    };
    Ok(PolicyCheck { url, fetch })
}

/// The A and AAAA records of `host`, asked at once; none when it has none or a lookup failed
/// (the fetcher then resolves the host itself and says why it cannot).
pub(super) async fn host_addresses<R: Resolver>(resolver: &R, host: &DomainName) -> Vec<IpAddr> {
    let (a, aaaa) = join(
        lookup(resolver, host, RecordType::A),
        lookup(resolver, host, RecordType::Aaaa),
    )
    .await;
    [a, aaaa]
        .into_iter()
        .filter_map(|result| result.ok().and_then(|(_, answer)| answer))
        .flat_map(|answer| {
            answer
                .data_for(host.as_str())
                .iter()
                .filter_map(|data| match data {
                    RecordData::A { address } => Some(IpAddr::V4(*address)),
                    RecordData::Aaaa { address } => Some(IpAddr::V6(*address)),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `error` as a DNS failure when the resolver says `host` has no address (NXDOMAIN, or no A and
/// no AAAA record); as it is when the host has one or the lookups tell nothing.
async fn unresolved_as_dns<R: Resolver>(
    resolver: &R,
    host: &DomainName,
    error: FetchError,
) -> FetchError {
    let (a, aaaa) = join(
        lookup(resolver, host, RecordType::A),
        lookup(resolver, host, RecordType::Aaaa),
    )
    .await;
    let mut rcodes = Vec::new();
    for result in [a, aaaa] {
        let Ok((lookup, Some(answer))) = result else {
            return error;
        };
        let has_address = answer
            .data_for(host.as_str())
            .iter()
            .any(|d| matches!(d, RecordData::A { .. } | RecordData::Aaaa { .. }));
        match lookup.rcode {
            Some(rcode @ (Rcode::NxDomain | Rcode::NoError)) if !has_address => {
                rcodes.push(rcode);
            }
            _ => return error,
        }
    }
    let why = if rcodes.contains(&Rcode::NxDomain) {
        "NXDOMAIN".to_string()
    } else {
        "no A or AAAA record".to_string()
    };
    FetchError::Dns {
        detail: format!("{host}: {why} (the fetch said: {error})"),
    }
}

/// The media type of the reply, lower case, without parameters.
fn media_type(reply: &HttpReply) -> Option<String> {
    reply
        .header("content-type")
        .map(|v| MediaType::parse(v).essence)
}

/// Whether the policy was served as `text/plain` (RFC 8461 §3.2).
pub(super) fn content_type_ok(policy: &PolicyCheck) -> bool {
    policy
        .reply()
        .is_some_and(|r| media_type(r).as_deref() == Some("text/plain"))
}

/// The fetch problem that leaves a sender without any policy.
pub(super) fn fetch_failure(policy: &PolicyCheck) -> Option<Code> {
    match &policy.fetch {
        PolicyFetch::Failed { error } => Some(fetch_error_code(error)),
        PolicyFetch::Answered { reply, .. }
            if reply.redirect().is_some() || (300..400).contains(&reply.status) =>
        {
            Some(Code::PolicyFetchRedirect)
        }
        PolicyFetch::Answered { reply, .. } if reply.status != 200 => Some(Code::PolicyFetchStatus),
        // Over 64 KiB but readable: the policy's own `policy-fetch.too-large` finding decides,
        // per sender (Stalwart reads up to 1 MiB). Past what was read, nobody has a policy.
        PolicyFetch::Answered { reply, .. } if reply.truncated => Some(Code::PolicyFetchTooLarge),
        PolicyFetch::Answered { .. } => None,
    }
}

fn fetch_error_code(error: &FetchError) -> Code {
    match error {
        FetchError::Dns { .. } => Code::PolicyFetchDns,
        FetchError::Tls { .. } => Code::PolicyFetchTls,
        FetchError::Timeout => Code::PolicyFetchTimeout,
        _ => Code::PolicyFetchTls,
    }
}

/// The findings of the policy fetch and of the policy itself.
pub(super) fn policy_findings(policy: &PolicyCheck) -> Vec<Finding> {
    let host = policy
        .url
        .strip_prefix("https://")
        .and_then(|u| u.split('/').next())
        .unwrap_or("");
    let mut findings = Vec::new();
    let (reply, lint) = match &policy.fetch {
        PolicyFetch::Failed { error } => {
            let code = fetch_error_code(error);
            let message = match error {
                FetchError::Dns { .. } => format!("{host} does not resolve, so senders cannot fetch the policy: {error}."),
                FetchError::Timeout => format!("{} gave no complete answer in time; senders give up after 60 s at most.", policy.url),
                _ => format!("The HTTPS connection to {host} failed: {error}. Senders report {} and use no policy.", error.tlsrpt_result_type()),
            };
            findings.push(Finding::new(code, message));
            return findings;
        }
        PolicyFetch::Answered { reply, lint } => (reply, lint),
    };
    if (300..400).contains(&reply.status) {
        let to = reply.redirect().unwrap_or("nowhere");
        findings.push(Finding::new(
            Code::PolicyFetchRedirect,
            format!("{} answers {} with a redirect to {to}: senders must not follow redirects (RFC 8461 §3.3), so they see no policy. Serve the file at this exact URL.", policy.url, reply.status),
        ));
    } else if reply.status != 200 {
        findings.push(Finding::new(
            Code::PolicyFetchStatus,
            format!(
                "{} answers HTTP {}; only 200 carries a policy.",
                policy.url, reply.status
            ),
        ));
    }
    if reply.status == 200 {
        match media_type(reply) {
            Some(t) if t == "text/plain" => {}
            other => findings.push(Finding::new(
                Code::PolicyFetchContentType,
                format!(
                    "The policy is served as {}, not text/plain: RFC 8461 §3.2 says senders SHOULD refuse it, and Postfix's resolver and Exchange do; mox and Stalwart do not check, and mailauth (Node senders) only warns unless its strict option is set.",
                    other.as_deref().unwrap_or("no media type")
                ),
            )),
        }
        if let Some(charset) = reply
            .header("content-type")
            .and_then(|v| MediaType::parse(v).charset())
        {
            if !matches!(charset.as_str(), "utf-8" | "us-ascii") {
                findings.push(Finding::new(
                    Code::PolicyFetchCharset,
                    format!("The policy is served with charset {charset}; the policy is ASCII, so utf-8 or us-ascii is what senders expect."),
                ));
            }
        }
        let lint_says_so = lint
            .as_ref()
            .is_some_and(|l| l.has(Code::PolicyFetchTooLarge));
        if reply.truncated && !lint_says_so {
            findings.push(Finding::new(
                Code::PolicyFetchTooLarge,
                format!(
                    "The policy body goes on past {} bytes; RFC 8461 §3.3 caps it at 64 KiB.",
                    reply.body.len()
                ),
            ));
        }
    }
    if let Some(lint) = lint {
        findings.extend(lint.findings.iter().cloned());
    }
    findings
}

/// One line for the `policy` step.
pub(super) fn policy_summary(policy: &PolicyCheck) -> String {
    match &policy.fetch {
        PolicyFetch::Failed { error } => format!("{}: {error}", policy.url),
        PolicyFetch::Answered {
            lint: Some(lint), ..
        } => match &lint.value {
            Some(p) => format!(
                "mode {}, max_age {}, {} mx pattern(s)",
                p.mode,
                p.max_age,
                p.mx.len()
            ),
            None => "the policy cannot be read".to_string(),
        },
        PolicyFetch::Answered { reply, lint: None } => format!("HTTP {}", reply.status),
    }
}
