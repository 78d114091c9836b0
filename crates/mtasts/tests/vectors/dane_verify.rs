//! `dane-verify.jsonl`: what a DANE sender does with one MX host (RFC 7672 §2.2, §3.1), given the
//! TLSA RRset and its DNSSEC status, whether the handshake completed, and the presented chain.
//! Valid means the sender delivers (`result: pass`). The same chains, judged at a fixed date
//! (2026-11-28) by `lint_chain`, must carry `cert.expired` where they have expired: DANE-EE(3)
//! ignores dates, PKIX and MTA-STS senders do not.

use crate::{data_dir, run, verdict};
use mtasts::cert::{lint_chain, parse_chain, CertCheck, ChainCert};
use mtasts::dane::{dane_verdict, DaneSession, DnssecStatus};
use mtasts::date::parse_rfc3339;
use mtasts::{lint_tlsa, Code};

/// 2026-11-28T00:00:00Z, "today" for the expiry checks.
const TODAY: i64 = 1_795_824_000;

/// The vector's `validation_time` when it starts with an RFC 3339 time (the vectors use
/// `YYYY-MM-DDTHH:MM:SSZ`), else today ("any").
fn validation_time(text: &str) -> i64 {
    let first = text.split_whitespace().next().unwrap_or_default();
    parse_rfc3339(first).map_or(TODAY, |at| at.unix)
}

fn chain(v: &crate::Vector) -> Result<Vec<ChainCert>, String> {
    let files = v.input["peer_chain"].as_array().ok_or("no peer_chain")?;
    let mut chain = Vec::new();
    for file in files {
        let path = data_dir()
            .join("vectors")
            .join(file.as_str().ok_or("chain entry")?);
        let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        chain.extend(parse_chain(&bytes).map_err(|e| format!("{}: {e}", path.display()))?);
    }
    Ok(chain)
}

#[test]
fn dane_verify_vectors() {
    assert_eq!(
        validation_time("2020-11-28T21:48:20Z (maddy)"),
        1_606_600_100
    );
    run("dane-verify.jsonl", |v| {
        let input = &v.input;
        let dnssec = input["tlsa_rrset_dnssec"].as_str().unwrap_or_default();
        let dnssec = DnssecStatus::from_name(dnssec).ok_or(format!("dnssec {dnssec:?}"))?;
        let tlsa: Vec<_> = input["tlsa"]
            .as_array()
            .ok_or("no tlsa")?
            .iter()
            .map(|r| lint_tlsa(r.as_str().unwrap_or_default()))
            .collect();
        let chain = chain(v)?;
        let mx_host = input["mx_hostname"].as_str().ok_or("no mx_hostname")?;
        let result = dane_verdict(&DaneSession {
            dnssec,
            tlsa: &tlsa,
            tls_handshake_completed: input["tls_handshake_completed"].as_bool().unwrap_or(false),
            chain: &chain,
            mx_host,
            next_hop: None,
            now_unix: validation_time(input["validation_time"].as_str().unwrap_or_default()),
        });
        verdict(v, result.passes(), &[]).map_err(|e| format!("{e}: {}", result.reason))?;
        let want = v.expected["result"].as_str().unwrap_or_default();
        let got = serde_json::to_value(result.result).map_err(|e| e.to_string())?;
        if got != want {
            return Err(format!("result {got}, expected {want}"));
        }
        Ok(())
    })
}

/// The internet.nl and mail.ietf.org leaves expired in 2023: at today's date `lint_chain` says
/// so (`cert.expired`), while their DANE-EE(3) records still authenticate them. The maddy PKI is
/// valid until 2030 and gets no `cert.expired`.
#[test]
fn expired_real_chains_are_flagged_today() {
    let flagged = std::cell::Cell::new(0);
    run("dane-verify.jsonl", |v| {
        let chain = chain(v)?;
        if chain.is_empty() {
            return Ok(());
        }
        let host = v.input["mx_hostname"].as_str().unwrap_or_default();
        let tlsa: Vec<_> = v.input["tlsa"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| lint_tlsa(r.as_str().unwrap_or_default()).value)
            .collect();
        let check = CertCheck {
            host: Some(host),
            now_unix: TODAY,
            tlsa: &tlsa,
            ..CertCheck::default()
        };
        let result = lint_chain(&chain, &check);
        let report = result.value.as_ref().ok_or("no report")?;
        let expired = report.certificates.iter().any(|c| c.not_after_unix < TODAY);
        if expired != result.has(Code::CertExpired) {
            return Err(format!(
                "expired={expired} but findings {:?}",
                result.codes()
            ));
        }
        flagged.set(flagged.get() + usize::from(expired));
        // The stalwart vectors' verdicts hang on DANE-EE(3), which ignores dates: today's
        // authentication agrees with them.
        let authenticated = report.dane.as_ref().is_some_and(|d| d.authenticated);
        if host != "maddy.test" && authenticated != v.expected_valid {
            return Err(format!("authenticated={authenticated} at today's date"));
        }
        Ok(())
    });
    assert_eq!(
        flagged.get(),
        2,
        "the internet.nl and mail.ietf.org full chains"
    );
}
