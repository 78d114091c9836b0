//! The domain check over hand-written fakes: a resolver answering from the scenario zone files
//! (`tests/data/zones/`, through the stand-in's in-process answers) and a fetcher built from the
//! scenarios' `.http` files. No sockets: the same scenarios run end to end, over real DoH and
//! HTTPS, in `crates/mtasts-cli/tests/check.rs`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use futures_executor::block_on;
use mtasts::check::{
    check_domain, check_domain_with_limits, CheckError, CheckLimits, Clock, FetchError, HttpReply,
    PolicyFetcher, Resolver, Step, StepName, StepStatus, TlsErrorClass, TransportError,
    FETCH_READ_LIMIT,
};
use mtasts::dns::{decode_answer, encode_query, RecordData, RecordType};
use mtasts_standin::{load_scenarios, CertKind, DnsAnswers, Scenarios};
use serde_json::Value;
use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::future::Future;
use std::net::IpAddr;
use std::path::PathBuf;
use std::pin::Pin;
use std::task::{Context, Poll};

fn zones_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/zones")
}

/// Completes on its second poll: one "network round trip" for the depth bookkeeping below.
struct RoundTrip(bool);

impl Future for RoundTrip {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

/// Tracks how deep the chain of dependent exchanges goes: an exchange that starts after another
/// has finished is one round trip deeper.
#[derive(Default)]
struct Depth {
    finished: Cell<u32>,
    max: Cell<u32>,
    in_flight: Cell<u32>,
    max_in_flight: Cell<u32>,
    queries: RefCell<Vec<String>>,
}

impl Depth {
    async fn round_trip(&self) {
        let depth = self.finished.get() + 1;
        self.in_flight.set(self.in_flight.get() + 1);
        self.max_in_flight
            .set(self.max_in_flight.get().max(self.in_flight.get()));
        RoundTrip(false).await;
        self.in_flight.set(self.in_flight.get() - 1);
        self.finished.set(self.finished.get().max(depth));
        self.max.set(self.max.get().max(depth));
    }
}

struct FakeResolver<'a> {
    answers: &'a DnsAnswers,
    depth: &'a Depth,
}

impl Resolver for FakeResolver<'_> {
    async fn exchange(&self, query: Vec<u8>) -> Result<Vec<u8>, TransportError> {
        self.depth.round_trip().await;
        self.depth.queries.borrow_mut().push(format!("{query:?}"));
        self.answers.answer(&query).ok_or(TransportError::Timeout)
    }
}

struct FakeFetcher<'a> {
    scenarios: &'a Scenarios,
    answers: &'a DnsAnswers,
    depth: &'a Depth,
}

/// A fetcher that resolves the policy host itself (one round trip) before its HTTPS exchange
/// (another), as a browser's `fetch` does.
impl PolicyFetcher for FakeFetcher<'_> {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        self.depth.round_trip().await;
        let host = host_of(url);
        let resolves = [RecordType::A, RecordType::Aaaa].into_iter().any(|rtype| {
            let query = encode_query(&host, rtype).unwrap();
            self.answers
                .answer(&query)
                .and_then(|bytes| decode_answer(&bytes).ok())
                .is_some_and(|a| {
                    a.data_for(&host)
                        .iter()
                        .any(|d| matches!(d, RecordData::A { .. } | RecordData::Aaaa { .. }))
                })
        });
        if !resolves {
            return Err(FetchError::Dns {
                detail: format!("{host} has no address"),
            });
        }
        self.depth.round_trip().await;
        self.respond(&host)
    }
}

/// The host of a policy URL.
fn host_of(url: &str) -> String {
    url.strip_prefix("https://")
        .and_then(|u| u.split('/').next())
        .unwrap()
        .to_string()
}

impl FakeFetcher<'_> {
    /// The policy host's answer, once connected.
    fn respond(&self, host: &str) -> Result<HttpReply, FetchError> {
        let Some(policy_host) = self.scenarios.policy_hosts.get(host) else {
            return Err(FetchError::Tls {
                class: TlsErrorClass::Handshake,
                detail: "alert: access denied".into(),
            });
        };
        let class = match policy_host.cert {
            CertKind::Valid => None,
            CertKind::Expired => Some(TlsErrorClass::Expired),
            CertKind::WrongName => Some(TlsErrorClass::WrongName),
            CertKind::Untrusted => Some(TlsErrorClass::Untrusted),
            other => panic!("certificate kind {other:?} is new: map it"),
        };
        if let Some(class) = class {
            return Err(FetchError::Tls {
                class,
                detail: "certificate verification failed".into(),
            });
        }
        if policy_host.stall {
            return Err(FetchError::Timeout);
        }
        Ok(parse_response(&policy_host.response))
    }
}

/// [`FakeFetcher`] taking the addresses the check asked beside its first round: one round trip,
/// the HTTPS exchange, when it has them (the CLI's fetcher). Keeps what it was given.
struct TakesAddresses<'a>(FakeFetcher<'a>, RefCell<Vec<(String, Vec<IpAddr>)>>);

impl PolicyFetcher for TakesAddresses<'_> {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        self.0.fetch(url).await
    }

    fn takes_addresses(&self) -> bool {
        true
    }

    async fn fetch_at(&self, url: &str, addresses: &[IpAddr]) -> Result<HttpReply, FetchError> {
        self.1
            .borrow_mut()
            .push((url.to_string(), addresses.to_vec()));
        if addresses.is_empty() {
            return self.0.fetch(url).await;
        }
        self.0.depth.round_trip().await;
        self.0.respond(&host_of(url))
    }
}

/// A raw HTTP/1.1 response as a fetcher would report it.
fn parse_response(bytes: &[u8]) -> HttpReply {
    let head_end = bytes
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|p| (p, p + 4))
        .or_else(|| {
            bytes
                .windows(2)
                .position(|w| w == b"\n\n")
                .map(|p| (p, p + 2))
        })
        .unwrap();
    let head = String::from_utf8_lossy(&bytes[..head_end.0]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let body = &bytes[head_end.1..];
    HttpReply {
        status,
        headers,
        body: body[..body.len().min(FETCH_READ_LIMIT)].to_vec(),
        truncated: body.len() > FETCH_READ_LIMIT,
    }
}

struct TickClock(Cell<u64>);

impl Clock for TickClock {
    fn now_ms(&self) -> u64 {
        self.0.set(self.0.get() + 1);
        self.0.get()
    }
}

fn run(
    domain: &str,
    scenarios: &Scenarios,
    answers: &DnsAnswers,
    depth: &Depth,
) -> (Value, Vec<Step>) {
    let (report, steps) = run_report(domain, scenarios, answers, depth);
    (serde_json::to_value(&report).unwrap(), steps)
}

fn run_report(
    domain: &str,
    scenarios: &Scenarios,
    answers: &DnsAnswers,
    depth: &Depth,
) -> (mtasts::check::CheckReport, Vec<Step>) {
    let resolver = FakeResolver { answers, depth };
    let fetcher = FakeFetcher {
        scenarios,
        answers,
        depth,
    };
    let clock = TickClock(Cell::new(0));
    let seen = RefCell::new(Vec::new());
    let report = block_on(check_domain(
        domain,
        &resolver,
        &fetcher,
        &clock,
        &|s: &Step| seen.borrow_mut().push(s.clone()),
    ))
    .unwrap_or_else(|e| panic!("{domain}: {e}"));
    (report, seen.into_inner())
}

#[test]
fn every_scenario_gives_its_expected_findings_and_sender_outcomes() {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(zones_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".expected.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "scenarios with expectations");
    let mut failures = Vec::new();
    for file in &files {
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let domain = expected["domain"].as_str().unwrap();
        if expected["exit"] == 2 {
            continue; // the check cannot run: the CLI test covers it
        }
        let (report, _) = run(domain, &scenarios, &answers, &Depth::default());
        let mut wrong = Vec::new();
        // The report's `ok` is the CLI's exit status 0 (docs/interfaces.md).
        if report["ok"] != (expected["exit"] == 0) {
            wrong.push(format!(
                "ok {} (want exit {})",
                report["ok"], expected["exit"]
            ));
        }
        if report["verdict"] != expected["verdict"] {
            wrong.push(format!(
                "verdict {} (want {})",
                report["verdict"], expected["verdict"]
            ));
        }
        let codes: BTreeSet<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].as_str().unwrap())
            .collect();
        let want: BTreeSet<&str> = expected["codes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        if codes != want {
            wrong.push(format!("codes {codes:?} (want {want:?})"));
        }
        for (profile, outcome) in expected["senders"].as_object().into_iter().flatten() {
            let got = report["sender_matrix"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["profile"] == profile.as_str())
                .map(|s| s["outcome"].clone());
            if got.as_ref() != Some(outcome) {
                wrong.push(format!("{profile} {got:?} (want {outcome})"));
            }
        }
        for (profile, text) in expected["responses"].as_object().into_iter().flatten() {
            let response = report["sender_matrix"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["profile"] == profile.as_str())
                .and_then(|s| s["response"].as_str())
                .unwrap_or("");
            if !response.contains(text.as_str().unwrap()) {
                wrong.push(format!("{profile} response {response:?} (want {text})"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!("{domain}: {}", wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn two_round_trips_and_every_independent_lookup_at_once() {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    // A fetcher that takes addresses: round 1, four TXT/MX lookups and the policy host's A and
    // AAAA at once; round 2, the policy's HTTPS exchange beside the MX host's A, AAAA and TLSA.
    let depth = Depth::default();
    let resolver = FakeResolver {
        answers: &answers,
        depth: &depth,
    };
    let fetcher = TakesAddresses(
        FakeFetcher {
            scenarios: &scenarios,
            answers: &answers,
            depth: &depth,
        },
        RefCell::new(Vec::new()),
    );
    let clock = TickClock(Cell::new(0));
    let seen = RefCell::new(Vec::new());
    let report = block_on(check_domain(
        "healthy-1mx.test",
        &resolver,
        &fetcher,
        &clock,
        &|s: &Step| seen.borrow_mut().push(s.clone()),
    ))
    .unwrap();
    let steps = seen.into_inner();
    assert_eq!(report.verdict.as_str(), "delivers");
    assert_eq!(depth.max.get(), 2, "dependent round trips");
    assert!(
        depth.max_in_flight.get() >= 6,
        "in flight at once: {}",
        depth.max_in_flight.get()
    );
    assert_eq!(depth.queries.borrow().len(), 4 + 2 + 3);
    let given = fetcher.1.borrow();
    let [(url, addresses)] = given.as_slice() else {
        panic!("one fetch, from the addresses asked: {given:?}");
    };
    assert_eq!(
        url,
        "https://mta-sts.healthy-1mx.test/.well-known/mta-sts.txt"
    );
    assert!(!addresses.is_empty());

    // A fetcher that resolves the host itself: nothing extra is asked, and its own lookup makes
    // a third round trip.
    let depth = Depth::default();
    let (report, _) = run("healthy-1mx.test", &scenarios, &answers, &depth);
    assert_eq!(report["verdict"], "delivers", "{report:#}");
    assert_eq!(depth.max.get(), 3, "dependent round trips");
    assert_eq!(depth.queries.borrow().len(), 4 + 3);
    let names: Vec<String> = steps.iter().map(|s| s.name.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(names.first(), Some(&"dns"));
    assert!(
        names.contains(&"policy") && names.contains(&"mx mx1.healthy-1mx.test"),
        "{names:?}"
    );
    assert!(steps.iter().all(|s| s.finished_ms >= s.started_ms));
}

#[test]
fn input_is_refused_before_any_query() {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    let depth = Depth::default();
    let resolver = FakeResolver {
        answers: &answers,
        depth: &depth,
    };
    let fetcher = FakeFetcher {
        scenarios: &scenarios,
        answers: &answers,
        depth: &depth,
    };
    let clock = TickClock(Cell::new(0));
    for input in [
        "",
        "192.0.2.1",
        "localhost",
        "exa mple.com",
        "https://[2001:db8::1]/",
    ] {
        let result = block_on(check_domain(
            input,
            &resolver,
            &fetcher,
            &clock,
            &|_: &Step| {},
        ));
        assert!(result.is_err(), "{input:?}");
        assert!(!result.unwrap_err().to_string().is_empty());
    }
    assert!(depth.queries.borrow().is_empty());
}

#[test]
fn the_domain_is_taken_as_users_type_it() {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    for input in [
        "Healthy-1MX.test.",
        "postmaster@healthy-1mx.test",
        "https://healthy-1mx.test/x",
    ] {
        let (report, _) = run(input, &scenarios, &answers, &Depth::default());
        assert_eq!(report["domain"], "healthy-1mx.test", "{input}");
        assert_eq!(report["verdict"], "delivers", "{input}");
    }
}

/// Probe results as data (docs/findings.md, "Certificates and SMTP"): what `check_smtp` makes of each,
/// for an enforce policy (`healthy-1mx.test`) and a testing one. TLS 1.1 is only testable this
/// way: rustls, which the stand-in's servers use, cannot speak below TLS 1.2.
mod smtp {
    use super::*;
    use mtasts::check::{check_smtp, CheckReport, Governance, ProbeResult, SmtpProbe, TlsVersion};
    use mtasts::PkixVerdict;

    /// 2026-06-01T00:00:00Z.
    const NOW: i64 = 1_780_272_000;

    /// A self-signed P-256 certificate, CN `cn`, DNS names `sans`, valid from `from` to `to`.
    fn cert(cn: &str, sans: &[&str], from: (i32, u8, u8), to: (i32, u8, u8)) -> Vec<u8> {
        let mut params =
            rcgen::CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>())
                .unwrap();
        let mut dn = rcgen::DistinguishedName::new();
        dn.push(rcgen::DnType::CommonName, cn);
        params.distinguished_name = dn;
        params.not_before = rcgen::date_time_ymd(from.0, from.1, from.2);
        params.not_after = rcgen::date_time_ymd(to.0, to.1, to.2);
        let key = rcgen::KeyPair::generate().unwrap();
        params.self_signed(&key).unwrap().der().to_vec()
    }

    fn good(host: &str) -> Vec<u8> {
        cert(host, &[host], (2026, 1, 1), (2027, 1, 1))
    }

    fn tls(version: TlsVersion, der: Vec<u8>, trusted: bool) -> ProbeResult {
        ProbeResult::Tls {
            version,
            chain: vec![der],
            pkix: Some(PkixVerdict {
                trusted,
                reason: (!trusted).then(|| "UnknownIssuer".to_string()),
            }),
        }
    }

    fn probed(domain: &str, results: Vec<ProbeResult>) -> CheckReport {
        let scenarios = load_scenarios(&zones_dir()).unwrap();
        let answers = scenarios.dns_answers().unwrap();
        let (mut report, _) = run_report(domain, &scenarios, &answers, &Depth::default());
        let probes: Vec<SmtpProbe> = results
            .into_iter()
            .enumerate()
            .map(|(n, result)| SmtpProbe {
                mx: format!("mx1.{domain}"),
                address: format!("127.0.0.{}:25", n + 1),
                result,
            })
            .collect();
        check_smtp(&mut report, &probes, NOW);
        report
    }

    fn codes(report: &CheckReport) -> BTreeSet<&str> {
        report.findings.iter().map(|f| f.code.as_str()).collect()
    }

    fn sender<'a>(report: &'a CheckReport, profile: &str) -> (&'a str, &'a str) {
        let s = report
            .sender_matrix
            .iter()
            .find(|s| s.profile == profile)
            .unwrap();
        (s.outcome.as_str(), s.response.as_deref().unwrap_or(""))
    }

    #[test]
    fn each_probe_result_gives_its_findings_and_responses() {
        // An unsigned zone: MTA-STS alone decides (DANE has its own test below).
        let host = "mx1.smtp-healthy.test";
        let unreachable = || ProbeResult::Unreachable {
            reason: "connection refused".into(),
        };
        let no_starttls = || ProbeResult::NoStarttls { banner: None };
        for (name, results, want_codes, rfc, exchange, response) in [
            (
                "healthy",
                vec![tls(TlsVersion::Tls13, good(host), true)],
                &[][..],
                "delivers",
                "delivers",
                "",
            ),
            ("unreachable", vec![unreachable()], &["smtp.unreachable"], "delivers", "delivers", ""),
            (
                "no STARTTLS",
                vec![no_starttls()],
                &["smtp.starttls-missing"],
                "refuses",
                "refuses",
                "551 5.7.4 STARTTLS is required by recipient domain's MTA-STS policy",
            ),
            (
                "TLS 1.1",
                vec![tls(TlsVersion::Tls11, good(host), true)],
                &["smtp.tls-version"],
                "refuses",
                "refuses",
                "551 5.7.6 MTA-STS requires TLS 1.2 or higher. TLS Version: TLSv1.1",
            ),
            (
                "no TLS version in common",
                vec![ProbeResult::HandshakeFailed {
                    reason: "peer is incompatible".into(),
                    version_refused: true,
                }],
                &["smtp.tls-version"],
                "refuses",
                "refuses",
                "551 5.7.6",
            ),
            (
                "wrong name, no CN either",
                vec![tls(TlsVersion::Tls12, good("other.example"), true)],
                &["cert.name-mismatch"],
                "refuses",
                "refuses",
                "551 5.7.5 Remote certificate MUST have a subject alternative name matching the hostname (MTA-STS)",
            ),
            (
                "names only in the CN: Exchange accepts it",
                vec![tls(
                    TlsVersion::Tls12,
                    cert(host, &["other.example"], (2026, 1, 1), (2027, 1, 1)),
                    true,
                )],
                &["cert.name-mismatch"],
                "refuses",
                "delivers",
                "",
            ),
            (
                "expired",
                vec![tls(
                    TlsVersion::Tls12,
                    cert(host, &[host], (2025, 1, 1), (2026, 1, 1)),
                    true,
                )],
                &["cert.expired"],
                "refuses",
                "refuses",
                "551 5.7.5 Remote certificate failed MTA-STS validation. Reason: certificate expired",
            ),
            (
                "untrusted",
                vec![tls(TlsVersion::Tls12, good(host), false)],
                &["cert.untrusted"],
                "refuses",
                "refuses",
                "Reason: UnknownIssuer",
            ),
            (
                "one address unreachable, the other fine",
                vec![unreachable(), tls(TlsVersion::Tls12, good(host), true)],
                &["smtp.unreachable"],
                "delivers",
                "delivers",
                "",
            ),
            (
                "one address without STARTTLS, the other fine: senders try the next",
                vec![no_starttls(), tls(TlsVersion::Tls12, good(host), true)],
                &["smtp.starttls-missing"],
                "delivers",
                "delivers",
                "",
            ),
        ] {
            let report = probed("smtp-healthy.test", results);
            let want: BTreeSet<&str> = want_codes.iter().copied().collect();
            let mut got = codes(&report);
            assert!(got.remove("dane.no-dnssec"), "{name}: an unsigned zone");
            assert_eq!(got, want, "{name}");
            assert_eq!(sender(&report, "rfc8461").0, rfc, "{name}");
            let (outcome, got) = sender(&report, "exchange-online");
            assert_eq!(outcome, exchange, "{name}");
            assert!(got.contains(response), "{name}: {got:?}");
            assert!(
                report
                    .findings
                    .iter()
                    .all(|f| f.host.as_deref() == Some(host) || f.code.as_str() == "dane.no-dnssec"),
                "{name}: every finding is for the host"
            );
            let refuses = report.sender_matrix.iter().any(|s| s.outcome.as_str() == "refuses");
            assert_eq!(report.verdict.as_str() == "refuses", refuses, "{name}");
            // The report carries what the probe saw.
            let json = serde_json::to_value(&report).unwrap();
            assert_eq!(json["smtp"][0]["mx"], host, "{name}");
        }
    }

    #[test]
    fn mode_testing_delivers_and_still_reports() {
        let report = probed(
            "policy-mode-testing.test",
            vec![ProbeResult::NoStarttls { banner: None }],
        );
        assert!(codes(&report).contains("smtp.starttls-missing"));
        for s in &report.sender_matrix {
            // postfix-mta-sts-resolver answers NOTFOUND for mode testing (strict_testing off).
            let want = match s.profile.as_str() {
                "postfix-mta-sts-resolver" => "no-policy",
                _ => "delivers-testing",
            };
            assert_eq!(s.outcome.as_str(), want, "{}", s.profile);
        }
    }

    #[test]
    fn dane_governs_where_the_tlsa_records_are_secure() {
        // healthy-1mx.test is signed and publishes TLSA records for other keys than `good`'s:
        // the senders that do DANE judge mx1 by DANE alone (RFC 8461 §2, RFC 7672 §2.2).
        let host = "mx1.healthy-1mx.test";
        for (name, result, want_codes, exchange) in [
            (
                "the certificate matches no TLSA record",
                tls(TlsVersion::Tls13, good(host), true),
                &["dane.tlsa-mismatch"][..],
                "5.7.323 tlsa-invalid: The domain failed DANE validation.",
            ),
            (
                "no STARTTLS",
                ProbeResult::NoStarttls { banner: None },
                &["smtp.starttls-missing"],
                "5.7.321 starttls-not-supported: Destination mail server must support TLS to receive mail.",
            ),
        ] {
            let report = probed("healthy-1mx.test", vec![result]);
            let want: BTreeSet<&str> = want_codes.iter().copied().collect();
            assert_eq!(codes(&report), want, "{name}");
            for profile in ["exchange-online", "mox", "stalwart"] {
                assert_eq!(sender(&report, profile).0, "refuses", "{name}: {profile}");
                let s = report.sender_matrix.iter().find(|s| s.profile == profile).unwrap();
                assert_eq!(s.hosts[0].by, Governance::Dane, "{name}: {profile}");
            }
            assert_eq!(sender(&report, "exchange-online").1, exchange, "{name}");
            // MTA-STS alone: a certificate for the host passes, no STARTTLS does not.
            let rfc = if name == "no STARTTLS" { "refuses" } else { "delivers" };
            assert_eq!(sender(&report, "rfc8461").0, rfc, "{name}");
            assert!(!report.ok, "{name}: an error finding");
        }
    }

    #[test]
    fn the_real_ietf_chain_matches_its_tlsa_record_as_dane_ee() {
        // healthy-1mx.test publishes mail.ietf.org's real `3 1 1` record (signed zone): the
        // real chain, presented by its MX host, authenticates with DANE-EE(3) despite names
        // and dates, and still fails MTA-STS on both.
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/data/vectors/dane-certs/stalwart");
        let chain: Vec<Vec<u8>> = (0..4)
            .map(|n| std::fs::read(dir.join(format!("mail.ietf.org.{n}.cert"))).unwrap())
            .collect();
        let report = probed(
            "healthy-1mx.test",
            vec![ProbeResult::Tls {
                version: TlsVersion::Tls12,
                chain,
                pkix: None,
            }],
        );
        let want: BTreeSet<&str> = ["cert.expired", "cert.name-mismatch"].into_iter().collect();
        assert_eq!(codes(&report), want);
        let dane = report.smtp[0]
            .certificate
            .as_ref()
            .unwrap()
            .dane
            .as_ref()
            .unwrap();
        assert!(dane.authenticated, "{}", dane.reason);
        assert_eq!(sender(&report, "rfc8461").0, "refuses");
        // DANE governs mx1 for the senders that do it: the match is what counts.
        assert_eq!(sender(&report, "exchange-online").0, "delivers");
    }
}

/// A fetcher that says only that a fetch failed, as workerd does ("internal error"): whatever
/// went wrong under `inner` is `Other`.
struct Opaque<F>(F);

impl<F: PolicyFetcher> PolicyFetcher for Opaque<F> {
    async fn fetch(&self, url: &str) -> Result<HttpReply, FetchError> {
        self.0.fetch(url).await.map_err(|_| FetchError::Other {
            detail: "internal error; reference = 0123".into(),
        })
    }
}

fn opaque_check(domain: &str) -> Result<mtasts::check::CheckReport, CheckError> {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    let depth = Depth::default();
    let fetcher = FakeFetcher {
        scenarios: &scenarios,
        answers: &answers,
        depth: &depth,
    };
    block_on(check_domain(
        domain,
        &FakeResolver {
            answers: &answers,
            depth: &depth,
        },
        &Opaque(fetcher),
        &TickClock(Cell::new(0)),
        &|_| {},
    ))
}

fn codes(report: &mtasts::check::CheckReport) -> Vec<&'static str> {
    report.findings.iter().map(|f| f.code.as_str()).collect()
}

#[test]
fn an_opaque_fetch_failure_of_a_host_without_address_is_a_dns_failure() {
    let report = opaque_check("policy-fetch-dns.test").unwrap();
    assert!(
        codes(&report).contains(&"policy-fetch.dns"),
        "{:?}",
        codes(&report)
    );
    // A host that resolves keeps the fetcher's failure: the connection or TLS failed.
    let report = opaque_check("policy-fetch-tls-expired.test").unwrap();
    assert!(
        codes(&report).contains(&"policy-fetch.tls")
            && !codes(&report).contains(&"policy-fetch.dns"),
        "{:?}",
        codes(&report)
    );
}

/// A fetcher whose proxy refuses every fetch (a rate limit).
struct Refusing;

impl PolicyFetcher for Refusing {
    async fn fetch(&self, _url: &str) -> Result<HttpReply, FetchError> {
        Err(FetchError::Refused {
            detail: "too many checks from this client".into(),
        })
    }
}

#[test]
fn a_fetch_refused_on_the_checkers_side_ends_the_check() {
    let scenarios = load_scenarios(&zones_dir()).unwrap();
    let answers = scenarios.dns_answers().unwrap();
    let depth = Depth::default();
    let result = block_on(check_domain(
        "healthy-1mx.test",
        &FakeResolver {
            answers: &answers,
            depth: &depth,
        },
        &Refusing,
        &TickClock(Cell::new(0)),
        &|_| {},
    ));
    match result {
        Err(CheckError::PolicyFetchRefused(why)) => assert!(why.contains("too many"), "{why}"),
        other => panic!("expected the check to end, got {other:?}"),
    }
}

/// `many-mx.test`: twelve MX hosts `mxN` of preference 10 × N, listed out of order, each with an
/// address; an enforce policy covering them all with `*.many-mx.test`, and one more pattern that
/// names only the least preferred host. Written to a directory of its own, so that the scenario
/// suites that walk `tests/data/zones` do not see it.
fn many_mx() -> Scenarios {
    static RUNS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let run = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("many-mx-{}-{run}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut zone = String::from(
        "$TTL 300\n@ SOA ns1 hostmaster 2026010101 7200 3600 1209600 300\n@ NS ns1\nns1 A 127.0.0.1\n",
    );
    for n in [7, 12, 1, 9, 3, 11, 5, 2, 10, 4, 8, 6] {
        zone.push_str(&format!("@ MX {} mx{n}\nmx{n} A 127.0.0.1\n", 10 * n));
    }
    zone.push_str("_mta-sts TXT \"v=STSv1; id=20260101T000000;\"\n");
    zone.push_str("_smtp._tls TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@many-mx.test\"\n");
    zone.push_str("mta-sts A 127.0.0.1\n");
    std::fs::write(dir.join("many-mx.test.zone"), zone).unwrap();
    std::fs::write(
        dir.join("many-mx.test.http"),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Standin-Cert: valid\r\n\r\n\
         version: STSv1\r\nmode: enforce\r\nmx: *.many-mx.test\r\nmx: mx12.many-mx.test\r\n\
         max_age: 604800\r\n",
    )
    .unwrap();
    let scenarios = load_scenarios(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    scenarios
}

/// A policy fetch that never gets an answer.
struct Unanswered;

impl PolicyFetcher for Unanswered {
    async fn fetch(&self, _url: &str) -> Result<HttpReply, FetchError> {
        Err(FetchError::Timeout)
    }
}

/// The check of `many-mx.test` within `limits`, over the fakes (with `opaque`, every policy fetch
/// fails without saying why), with the steps seen and how many queries reached the resolver.
fn many_mx_check(
    limits: &CheckLimits,
    opaque: bool,
) -> (
    Result<mtasts::check::CheckReport, CheckError>,
    Vec<Step>,
    usize,
) {
    let scenarios = many_mx();
    let answers = scenarios.dns_answers().unwrap();
    let depth = Depth::default();
    let resolver = FakeResolver {
        answers: &answers,
        depth: &depth,
    };
    let fetcher = FakeFetcher {
        scenarios: &scenarios,
        answers: &answers,
        depth: &depth,
    };
    let seen = RefCell::new(Vec::new());
    let on_step = |s: &Step| seen.borrow_mut().push(s.clone());
    let clock = TickClock(Cell::new(0));
    let result = if opaque {
        block_on(check_domain_with_limits(
            "many-mx.test",
            &resolver,
            &Opaque(Unanswered),
            &clock,
            &on_step,
            limits,
        ))
    } else {
        block_on(check_domain_with_limits(
            "many-mx.test",
            &resolver,
            &fetcher,
            &clock,
            &on_step,
            limits,
        ))
    };
    let queries = depth.queries.borrow().len();
    (result, seen.into_inner(), queries)
}

/// The names of `mxN.many-mx.test` for each N of `range`.
fn many_mx_hosts(range: std::ops::RangeInclusive<u16>) -> Vec<String> {
    range.map(|n| format!("mx{n}.many-mx.test")).collect()
}

#[test]
fn at_most_the_limits_mx_hosts_are_examined_the_most_preferred() {
    for (limits, examined, skipped) in [
        (CheckLimits::EDGE, many_mx_hosts(1..=10), 2),
        (CheckLimits::default(), many_mx_hosts(1..=12), 0),
        (
            CheckLimits::NONE.with_max_mx_hosts(12),
            many_mx_hosts(1..=12),
            0,
        ),
        (
            CheckLimits::NONE.with_max_mx_hosts(3),
            many_mx_hosts(1..=3),
            9,
        ),
    ] {
        let (report, steps, queries) = many_mx_check(&limits, false);
        let report = report.unwrap();
        let hosts: Vec<String> = report.mx.iter().map(|m| m.host.to_string()).collect();
        assert_eq!(hosts, examined, "{limits:?}");
        // Round one's four lookups, then three per examined host: none for a skipped one.
        assert_eq!(queries, 4 + 3 * examined.len(), "{limits:?}");
        let mx_steps: Vec<String> = steps
            .iter()
            .filter_map(|s| match &s.name {
                StepName::Mx(host) => Some(host.to_string()),
                _ => None,
            })
            .collect();
        assert_eq!(mx_steps.len(), examined.len(), "{limits:?}");
        let finding = report
            .findings
            .iter()
            .find(|f| f.code.as_str() == "mx.hosts-skipped");
        let dns = steps.iter().find(|s| s.name == StepName::Dns).unwrap();
        let rfc = &report.sender_matrix[0];
        assert_eq!(rfc.outcome.as_str(), "delivers", "{limits:?}");
        assert_eq!(rfc.hosts.len(), examined.len(), "{limits:?}");
        // The pattern naming only mx12 is in use even when mx12 is skipped.
        assert!(!codes(&report).contains(&"mx.pattern-unused"), "{limits:?}");
        if skipped == 0 {
            assert!(finding.is_none(), "{limits:?}: {finding:?}");
            assert_eq!(dns.status, StepStatus::Ok, "{limits:?}: {dns:?}");
            assert_eq!(rfc.reason, "every MX host is covered by the policy");
        } else {
            let message = &finding.unwrap().message;
            let says = format!(
                "many-mx.test lists 12 MX hosts; this check examined only the {} most preferred and skipped {skipped} (",
                examined.len()
            );
            assert!(message.contains(&says), "{message}");
            let first_skipped = format!("(mx{}.many-mx.test, ", examined.len() + 1);
            assert!(message.contains(&first_skipped), "{message}");
            assert_eq!(dns.status, StepStatus::Warning, "{dns:?}");
            assert!(
                dns.summary
                    .ends_with(&format!("({skipped} more not examined)")),
                "{}",
                dns.summary
            );
            assert!(
                rfc.reason.contains(&format!(
                    "{} examined, {skipped} more not examined: mx.hosts-skipped",
                    examined.len()
                )),
                "{}",
                rfc.reason
            );
        }
    }
}

#[test]
fn the_edge_budget_holds_a_ten_host_check_with_every_query() {
    // The opaque fetcher makes the check ask for the policy host's addresses too: the most a
    // ten-host check asks, 4 + 2 + 3 × 10 (see `CheckLimits::EDGE`).
    let (report, _, queries) = many_mx_check(&CheckLimits::EDGE, true);
    let report = report.unwrap();
    assert_eq!(queries, 4 + 2 + 3 * 10);
    assert!(queries <= CheckLimits::EDGE.max_dns_queries.unwrap());
    assert!(
        !codes(&report).contains(&"dns.lookup-failed"),
        "{:?}",
        codes(&report)
    );
}

#[test]
fn a_query_past_the_budget_is_a_failed_lookup_that_says_why() {
    for (budget, answered) in [(4, 0), (10, 2), (16, 4), (34, 10)] {
        let limits = CheckLimits::EDGE.with_max_dns_queries(budget);
        let (report, _, queries) = many_mx_check(&limits, false);
        let report = report.unwrap();
        assert_eq!(queries, budget, "budget {budget}");
        // Round one's four, then mx1, mx2, … three lookups each, in preference order.
        let complete: Vec<String> = report
            .mx
            .iter()
            .filter(|m| {
                !m.addresses.is_empty() && m.tlsa_lookup.as_ref().is_some_and(|l| l.error.is_none())
            })
            .map(|m| m.host.to_string())
            .collect();
        assert_eq!(complete, many_mx_hosts(1..=answered), "budget {budget}");
        let refused: Vec<&str> = report
            .findings
            .iter()
            .filter(|f| f.code.as_str() == "dns.lookup-failed")
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            refused.len(),
            3 * (10 - usize::from(answered)),
            "budget {budget}"
        );
        let why = format!("this check's budget of {budget} DNS queries is spent");
        assert!(refused.iter().all(|m| m.contains(&why)), "{refused:?}");
    }
    // Past round one, the check could not run at all: it says why.
    for budget in [0, 2] {
        let limits = CheckLimits::EDGE.with_max_dns_queries(budget);
        let (result, _, queries) = many_mx_check(&limits, false);
        assert_eq!(queries, budget);
        if budget == 0 {
            assert_eq!(
                result.unwrap_err(),
                CheckError::Resolver(TransportError::Budget(0))
            );
        } else {
            let report = result.unwrap();
            assert!(codes(&report).contains(&"dns.lookup-failed"));
        }
    }
}
