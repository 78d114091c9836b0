//! `mtasts check` end to end: the real binary against the local stand-in for the internet
//! (`crates/mtasts-standin`, started in this process on 127.0.0.1), for every scenario of
//! `tests/data/zones/` that has a `NAME.expected.json`, plus the failure modes a user meets.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use mtasts_standin::{RequestCounts, StandIn, StandInConfig};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Read;
use std::net::{IpAddr, TcpListener};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// The `--timeout` every scenario runs with: short, so the stalling scenario ends quickly, and
/// still far above what a loopback answer takes.
const SCENARIO_TIMEOUT_SECS: &str = "4";

/// No run of the binary may take longer than this.
const RUN_DEADLINE: Duration = Duration::from_secs(60);

fn zones_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/zones")
}

/// The stand-in on its own runtime, and its CA in a file under target/.
struct Fixture {
    standin: Option<StandIn>,
    ca_file: PathBuf,
    runtime: tokio::runtime::Runtime,
}

impl Fixture {
    fn start() -> Fixture {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let standin = runtime
            .block_on(StandIn::start(StandInConfig::new(zones_dir())))
            .unwrap_or_else(|e| panic!("the stand-in does not start: {e}"));
        let ca_file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "standin-ca-{}-{}.pem",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&ca_file, standin.ca_pem()).unwrap();
        Fixture {
            standin: Some(standin),
            ca_file,
            runtime,
        }
    }

    fn standin(&self) -> &StandIn {
        self.standin.as_ref().unwrap()
    }

    /// `check DOMAIN` against the stand-in, with `extra` arguments.
    fn check_args(&self, domain: &str, extra: &[&str]) -> Vec<String> {
        self.check_many_args(&[domain], extra)
    }

    /// `check DOMAIN…` against the stand-in, with `extra` arguments.
    fn check_many_args(&self, domains: &[&str], extra: &[&str]) -> Vec<String> {
        let standin = self.standin();
        let mut args: Vec<String> = vec!["check".into()];
        args.extend(domains.iter().map(|d| d.to_string()));
        args.extend([
            "--doh".into(),
            standin.doh_url(),
            "--ca-file".into(),
            self.ca_file.display().to_string(),
            "--https-port".into(),
            standin.https_port().to_string(),
            "--timeout".into(),
            SCENARIO_TIMEOUT_SECS.into(),
        ]);
        args.extend(extra.iter().map(|s| s.to_string()));
        args
    }

    fn counts(&self) -> RequestCounts {
        self.standin().request_counts()
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        if let Some(standin) = self.standin.take() {
            self.runtime.block_on(standin.stop());
        }
        let _ = std::fs::remove_file(&self.ca_file);
    }
}

/// What one run of the binary did.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
    took: Duration,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not one JSON document ({e}); stderr: {}\n{}",
                self.stderr, self.stdout
            )
        })
    }
}

/// Runs `mtasts ARGS`, reading its output as it comes, killing it past [`RUN_DEADLINE`].
fn mtasts<S: AsRef<str>>(args: &[S]) -> Run {
    mtasts_fed(args, None)
}

/// [`mtasts`] with `input` on standard input (none: `/dev/null`).
fn mtasts_fed<S: AsRef<str>>(args: &[S], input: Option<&str>) -> Run {
    use std::io::Write;
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args.iter().map(AsRef::as_ref))
        .stdin(input.map_or_else(Stdio::null, |_| Stdio::piped()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = input {
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(input.as_bytes()).unwrap();
    }
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        stdout.read_to_string(&mut s).unwrap();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        stderr.read_to_string(&mut s).unwrap();
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "mtasts {} ran past {RUN_DEADLINE:?}",
                args.iter().map(AsRef::as_ref).collect::<Vec<_>>().join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Run {
        code: status.code().expect("exited, not killed by a signal"),
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
        took: started.elapsed(),
    }
}

/// Every scenario's `NAME.expected.json`, by scenario name.
fn expected_files() -> Vec<(String, Value)> {
    let mut found: Vec<(String, Value)> = std::fs::read_dir(zones_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter_map(|path| {
            let name = path.file_name()?.to_str()?.strip_suffix(".expected.json")?;
            let text = std::fs::read_to_string(&path).unwrap();
            let value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            Some((name.to_string(), value))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

/// How `run` differs from `expected` (see tests/data/zones/README.md), one line per difference.
fn differences(expected: &Value, run: &Run) -> Vec<String> {
    let mut diffs = Vec::new();
    let want_exit = expected["exit"].as_i64().unwrap_or(-1);
    if i64::from(run.code) != want_exit {
        diffs.push(format!(
            "exit {} (stderr: {}), expected {want_exit}",
            run.code,
            run.stderr.trim()
        ));
    }
    if want_exit == 2 {
        // The check could not run: nothing on stdout, one line on stderr.
        if !run.stdout.is_empty() || run.stderr.lines().count() != 1 {
            diffs.push(format!(
                "exit 2 wants empty stdout and one stderr line, got {:?} and {:?}",
                run.stdout, run.stderr
            ));
        }
        return diffs;
    }
    let Ok(report) = serde_json::from_str::<Value>(&run.stdout) else {
        diffs.push(format!("stdout is not JSON: {}", run.stdout));
        return diffs;
    };
    // The report's `ok` is the exit status's rule, in the JSON (docs/interfaces.md).
    if report["ok"] != (run.code == 0) {
        diffs.push(format!("ok {} with exit {}", report["ok"], run.code));
    }
    for field in ["domain", "verdict"] {
        if report[field] != expected[field] {
            diffs.push(format!(
                "{field} {}, expected {}",
                report[field], expected[field]
            ));
        }
    }
    let codes: BTreeSet<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    let want_codes: BTreeSet<String> = expected["codes"]
        .as_array()
        .expect("codes is an array")
        .iter()
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    if codes != want_codes {
        diffs.push(format!("codes {codes:?}, expected {want_codes:?}"));
    }
    let sender = |profile: &str| {
        report["sender_matrix"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["profile"] == profile)
            .cloned()
    };
    for (profile, want) in expected["senders"].as_object().unwrap() {
        match sender(profile) {
            None => diffs.push(format!("no sender profile {profile}")),
            Some(s) if &s["outcome"] != want => diffs.push(format!(
                "{profile} {} ({}), expected {want}",
                s["outcome"], s["reason"]
            )),
            Some(_) => {}
        }
    }
    if let Some(responses) = expected.get("responses").and_then(Value::as_object) {
        for (profile, want) in responses {
            let want = want.as_str().unwrap();
            let got = sender(profile).and_then(|s| s["response"].as_str().map(str::to_string));
            if !got.as_deref().is_some_and(|g| g.contains(want)) {
                diffs.push(format!(
                    "{profile} response {got:?}, expected one containing {want:?}"
                ));
            }
        }
    }
    diffs
}

#[test]
fn every_scenario_reports_what_it_was_built_for() {
    let fixture = Fixture::start();
    let scenarios = expected_files();
    assert!(
        scenarios.iter().any(|(name, _)| name == "healthy-1mx.test"),
        "the scenarios are missing"
    );
    let mut failures = Vec::new();
    // A few at a time: the machine is small, and one scenario stalls until its timeout.
    for batch in scenarios.chunks(6) {
        let runs: Vec<(String, Vec<String>)> = std::thread::scope(|scope| {
            let handles: Vec<_> = batch
                .iter()
                .map(|(name, expected)| {
                    let args = fixture.check_args(name, &["--json"]);
                    scope.spawn(move || (name.clone(), differences(expected, &mtasts(&args))))
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for (name, diffs) in runs {
            failures.extend(diffs.into_iter().map(|d| format!("{name}: {d}")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn people_read_the_verdict_senders_findings_and_mx_hosts() {
    let fixture = Fixture::start();
    let run = mtasts(&fixture.check_args("mx-not-covered.test", &[]));
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    // Not a terminal: no progress on stderr, no colour on stdout.
    assert_eq!(run.stderr, "");
    assert!(!run.stdout.contains('\x1b'), "{}", run.stdout);
    assert!(
        run.stdout.lines().all(|l| l == l.trim_end()),
        "trailing blanks:\n{}",
        run.stdout
    );
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        "Some MTA-STS senders REFUSE mail for mx-not-covered.test"
    );
    assert!(
        run.stdout
            .contains("551 5.4.8 MX hosts of 'mx-not-covered.test' failed MTA-STS validation."),
        "{}",
        run.stdout
    );
    let finding = run
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("mx.not-covered"))
        .unwrap_or_else(|| panic!("no mx.not-covered line:\n{}", run.stdout));
    assert!(finding.contains("mx2.mx-not-covered.test"), "{finding}");
    assert!(finding.ends_with("(RFC 8461 §4.1)"), "{finding}");
    let mx_table: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| *l != "MX hosts")
        .collect();
    assert!(
        mx_table
            .iter()
            .any(|l| l.contains("mx2.mx-not-covered.test") && l.contains("NOT COVERED")),
        "{}",
        run.stdout
    );

    let healthy = mtasts(&fixture.check_args("healthy-1mx.test", &[]));
    assert_eq!(healthy.code, 0, "{}{}", healthy.stdout, healthy.stderr);
    assert!(
        healthy
            .stdout
            .starts_with("MTA-STS senders deliver mail to healthy-1mx.test\n"),
        "{}",
        healthy.stdout
    );
    assert!(
        healthy.stdout.contains("Findings: none"),
        "{}",
        healthy.stdout
    );
}

/// A port on 127.0.0.1 that nothing listens on (bound, then closed again).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn an_unreachable_resolver_fails_with_one_line() {
    let doh = format!("http://127.0.0.1:{}/dns-query", closed_port());
    let run = mtasts(&["check", "example.com", "--doh", &doh, "--timeout", "2"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("mtasts: the DNS resolver cannot be reached: ")
            && run.stderr.contains(&doh),
        "{}",
        run.stderr
    );
    assert!(run.took < Duration::from_secs(2), "took {:?}", run.took);
}

#[test]
fn a_silent_resolver_fails_within_the_timeout() {
    // Accepts connections (the kernel does, from the backlog) and never answers.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let doh = format!("http://{}/dns-query", listener.local_addr().unwrap());
    let run = mtasts(&["check", "example.com", "--doh", &doh, "--timeout", "1"]);
    assert_eq!(run.code, 2, "{}{}", run.stdout, run.stderr);
    assert_eq!(
        run.stderr, "mtasts: the DNS resolver did not answer in time\n",
        "{}",
        run.stderr
    );
    assert!(
        run.took >= Duration::from_secs(1) && run.took < Duration::from_secs(4),
        "took {:?}",
        run.took
    );
    drop(listener);
}

#[test]
fn bad_input_is_refused_before_any_query() {
    let fixture = Fixture::start();
    let before = fixture.counts();
    for (input, says) in [
        ("192.0.2.1", "is an IP address"),
        ("localhost", "is a single label"),
        ("exa mple.com", "is not a domain"),
        ("", "no domain given"),
    ] {
        let run = mtasts(&fixture.check_args(input, &["--json"]));
        assert_eq!(run.code, 2, "{input:?}: {}{}", run.stdout, run.stderr);
        assert_eq!(run.stdout, "", "{input:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{input:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{input:?}: {}", run.stderr);
    }
    assert_eq!(fixture.counts(), before, "a query was made for bad input");
}

#[test]
fn a_domain_as_users_type_it() {
    let fixture = Fixture::start();
    let run = mtasts(&fixture.check_args("user@Healthy-1MX.test.", &["--json"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["domain"], "healthy-1mx.test");
    assert_eq!(report["verdict"], "delivers");
}

#[test]
fn all_traffic_goes_to_the_standin_on_loopback() {
    let fixture = Fixture::start();
    let before = fixture.counts();
    let run = mtasts(&fixture.check_args("healthy-3mx.test", &["--json"]));
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = fixture.counts();
    let report = run.json();
    let hosts = report["mx"].as_array().unwrap();
    assert_eq!(hosts.len(), 3);
    // Every query the check makes reached the stand-in, and nothing more: four in the first
    // round, A, AAAA and TLSA per MX host, and the policy host's A and AAAA for the fetch.
    assert_eq!(after.doh - before.doh, 4 + 3 * hosts.len() as u64 + 2);
    assert_eq!(after.https - before.https, 1);
    assert_eq!(report["policy"]["reply"]["status"], 200);
    for host in hosts {
        for address in host["addresses"].as_array().unwrap() {
            let ip: IpAddr = address.as_str().unwrap().parse().unwrap();
            assert!(ip.is_loopback(), "{ip}");
        }
    }
}

#[test]
fn resolve_overrides_the_policy_host_address() {
    let fixture = Fixture::start();
    // mta-sts.policy-fetch-dns.test has no address in DNS: without --resolve the fetch fails at
    // DNS; with it, the fetch reaches the stand-in, which has no certificate for that host.
    let entry = format!(
        "mta-sts.policy-fetch-dns.test:{}:127.0.0.1",
        fixture.standin().https_port()
    );
    let plain = mtasts(&fixture.check_args("policy-fetch-dns.test", &["--json"])).json();
    assert_eq!(plain["policy"]["error"]["kind"], "dns");
    let resolved =
        mtasts(&fixture.check_args("policy-fetch-dns.test", &["--json", "--resolve", &entry]))
            .json();
    assert_eq!(resolved["policy"]["error"]["kind"], "tls", "{resolved}");

    // An entry for a port the check never connects to is a mistake, said before any query.
    let before = fixture.counts();
    let run = mtasts(&fixture.check_args(
        "healthy-1mx.test",
        &["--resolve", "mta-sts.healthy-1mx.test:8443:127.0.0.1"],
    ));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("--resolve"), "{}", run.stderr);
    assert_eq!(fixture.counts(), before);
}

#[test]
fn tls_failures_are_classified() {
    let fixture = Fixture::start();
    for (scenario, class, result_type) in [
        (
            "policy-fetch-tls-expired.test",
            "expired",
            "certificate-expired",
        ),
        (
            "policy-fetch-tls-wrong-name.test",
            "wrong-name",
            "certificate-host-mismatch",
        ),
        (
            "policy-fetch-tls-untrusted.test",
            "untrusted",
            "certificate-not-trusted",
        ),
        (
            "policy-fetch-tls-no-cert.test",
            "handshake",
            "validation-failure",
        ),
    ] {
        let report = mtasts(&fixture.check_args(scenario, &["--json"])).json();
        let policy = &report["policy"];
        assert_eq!(policy["error"]["kind"], "tls", "{scenario}: {policy}");
        assert_eq!(policy["error"]["class"], class, "{scenario}: {policy}");
        assert_eq!(policy["tlsrpt_result_type"], result_type, "{scenario}");
    }
}

/// `check --smtp` against the stand-in's SMTP servers, for every scenario whose expected file
/// has an `smtp` block (what the report says once the probe has run): in JSON, then for people.
/// The probe reaches the servers through the zones' A records (127.0.0.N), `--smtp-port` and
/// `--smtp-allow-private` (loopback is refused without it).
#[test]
fn every_smtp_scenario_gives_its_expected_findings_and_sender_outcomes() {
    let fixture = Fixture::start();
    let port = fixture.standin().smtp_port().to_string();
    assert_ne!(port, "0", "the stand-in runs SMTP servers");
    let mut failures = Vec::new();
    let mut seen = 0;
    for (name, expected) in expected_files() {
        let Some(smtp) = expected.get("smtp") else {
            continue;
        };
        seen += 1;
        let mut want = smtp.clone();
        want["domain"] = expected["domain"].clone();
        let smtp_args = ["--smtp", "--smtp-allow-private", "--smtp-port", &port];
        let run = mtasts(&fixture.check_args(&name, &[&["--json"], &smtp_args[..]].concat()));
        let diffs = differences(&want, &run);
        if !diffs.is_empty() {
            failures.push(format!("{name}: {}", diffs.join("; ")));
            continue;
        }
        let report = run.json();
        let probes = report["smtp"].as_array().unwrap();
        assert!(!probes.is_empty(), "{name}: the report carries the probe");
        for probe in probes {
            let ip: IpAddr = probe["address"]
                .as_str()
                .unwrap()
                .rsplit_once(':')
                .unwrap()
                .0
                .parse()
                .unwrap();
            assert!(ip.is_loopback(), "{name}: nothing beyond loopback");
        }
        // For people: the verdict, the codes and (when refused) Exchange's response.
        let people = mtasts(&fixture.check_args(&name, &smtp_args));
        assert_eq!(people.code, run.code, "{name}");
        for code in smtp["codes"].as_array().unwrap() {
            let code = code.as_str().unwrap();
            assert!(
                people.stdout.contains(code),
                "{name}: {code} in\n{}",
                people.stdout
            );
        }
        if let Some(response) = smtp["responses"]["exchange-online"].as_str() {
            assert!(
                people.stdout.contains(response),
                "{name}: {response} in\n{}",
                people.stdout
            );
        }
    }
    assert!(seen >= 7, "{seen} SMTP scenarios");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// An SMTP server on `port` of 127.0.0.1 and ::1 (where it can bind) that counts the sessions it
/// accepts and the most open at once: it greets with `greeting`, and holds each session for
/// `hold` before it answers EHLO (without STARTTLS, so the probe QUITs). A session stops being
/// open when its EHLO answer is about to go out (or it ends before): the client cannot start
/// its next session before it has that answer, so one after another never count as overlapping,
/// however late this side reads the QUIT.
struct CountingSmtp {
    port: u16,
    accepted: std::sync::Arc<AtomicU32>,
    most_at_once: std::sync::Arc<AtomicU32>,
}

impl CountingSmtp {
    fn start(hold: Duration, greeting: &'static [u8]) -> CountingSmtp {
        use std::io::{BufRead, BufReader, Write};
        let v4 = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = v4.local_addr().unwrap().port();
        let listeners: Vec<TcpListener> = std::iter::once(v4)
            .chain(TcpListener::bind(("::1", port)).ok())
            .collect();
        let accepted = std::sync::Arc::new(AtomicU32::new(0));
        let most_at_once = std::sync::Arc::new(AtomicU32::new(0));
        let open = std::sync::Arc::new(AtomicU32::new(0));
        for listener in listeners {
            let (accepted, most_at_once, open) =
                (accepted.clone(), most_at_once.clone(), open.clone());
            // Left running: the test process ends with it.
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(mut stream) = stream else { continue };
                    accepted.fetch_add(1, Ordering::SeqCst);
                    let now = open.fetch_add(1, Ordering::SeqCst) + 1;
                    most_at_once.fetch_max(now, Ordering::SeqCst);
                    let open = open.clone();
                    std::thread::spawn(move || {
                        let mut is_open = true;
                        let mut close = || {
                            if std::mem::take(&mut is_open) {
                                open.fetch_sub(1, Ordering::SeqCst);
                            }
                        };
                        let _ = stream.write_all(greeting);
                        let mut reader = BufReader::new(stream.try_clone().unwrap());
                        let mut line = String::new();
                        while reader.read_line(&mut line).is_ok_and(|n| n > 0) {
                            let reply: &[u8] = if line.starts_with("EHLO") {
                                std::thread::sleep(hold);
                                close();
                                b"250 counter.test\r\n"
                            } else {
                                b"221 bye\r\n"
                            };
                            if stream.write_all(reply).is_err() || line.starts_with("QUIT") {
                                break;
                            }
                            line.clear();
                        }
                        close();
                    });
                }
            });
        }
        CountingSmtp {
            port,
            accepted,
            most_at_once,
        }
    }
}

/// What [`CountingSmtp`] says first, by default.
const GREETING: &[u8] = b"220 counter.test ESMTP\r\n";

/// A server whose refusal carries terminal attacks (OSC 52, CSI 2J, a bidi override): the reply
/// lands in the `smtp.unreachable` finding, escaped for people and exact in JSON.
#[test]
fn a_hostile_smtp_reply_reaches_people_escaped_and_json_exact() {
    let fixture = Fixture::start();
    let server = CountingSmtp::start(
        Duration::ZERO,
        b"554 \x1b]52;c;aGk=\x07go away\x1b[2J\xe2\x80\xae\r\n",
    );
    let port = server.port.to_string();
    let args = ["--smtp", "--smtp-allow-private", "--smtp-port", &port];
    let people = mtasts(&fixture.check_args("healthy-1mx.test", &args));
    assert!(server.accepted.load(Ordering::SeqCst) >= 1);
    assert!(
        !people.stdout.contains(['\x1b', '\x07', '\u{202e}']),
        "{}",
        people.stdout
    );
    assert!(
        people
            .stdout
            .contains("554 \\u{1b}]52;c;aGk=\\u{7}go away\\u{1b}[2J\\u{202e}"),
        "{}",
        people.stdout
    );
    let report =
        mtasts(&fixture.check_args("healthy-1mx.test", &[&["--json"], &args[..]].concat())).json();
    let error = report["smtp"][0]["error"].as_str().unwrap();
    assert!(
        error.contains("554 \x1b]52;c;aGk=\x07go away\x1b[2J\u{202e}"),
        "{error:?}"
    );
}

/// Without `--smtp-allow-private`, the loopback addresses of a stand-in domain are refused, each
/// with a finding that says why, and no connection is made at all.
#[test]
fn smtp_refuses_loopback_addresses_without_connecting() {
    let fixture = Fixture::start();
    let server = CountingSmtp::start(Duration::ZERO, GREETING);
    let port = server.port.to_string();
    let run = mtasts(&fixture.check_args(
        "healthy-3mx.test",
        &["--json", "--smtp", "--smtp-port", &port],
    ));
    let report = run.json();
    let refused: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "smtp.address-refused")
        .collect();
    // mx1 (127.0.0.1 and ::1), mx2 and in1.backup (127.0.0.1 each).
    assert_eq!(refused.len(), 4, "{report}");
    for finding in &refused {
        let message = finding["message"].as_str().unwrap();
        assert!(message.contains("is a loopback address"), "{message}");
        assert!(finding["host"].is_string(), "{finding}");
    }
    assert!(report.get("smtp").is_none(), "nothing probed: {report}");
    assert_eq!(server.accepted.load(Ordering::SeqCst), 0, "no connection");

    // For people, the finding says why, and the step counts no probe.
    let people = mtasts(&fixture.check_args("healthy-3mx.test", &["--smtp", "--smtp-port", &port]));
    assert!(
        people.stdout.contains("smtp.address-refused"),
        "{}",
        people.stdout
    );
    assert_eq!(server.accepted.load(Ordering::SeqCst), 0, "no connection");
}

/// `--smtp-jobs 1` keeps one session open at a time; the default lets several overlap (which
/// shows the counting server can see overlap at all).
#[test]
fn smtp_jobs_bounds_the_connections_open_at_once() {
    let fixture = Fixture::start();
    for (jobs, most) in [(Some("1"), 1..=1), (None, 2..=4)] {
        let server = CountingSmtp::start(Duration::from_millis(300), GREETING);
        let port = server.port.to_string();
        let mut args = vec![
            "--json",
            "--smtp",
            "--smtp-allow-private",
            "--smtp-port",
            &port,
        ];
        if let Some(jobs) = jobs {
            args.extend(["--smtp-jobs", jobs]);
        }
        let report = mtasts(&fixture.check_args("healthy-3mx.test", &args)).json();
        let probes = report["smtp"].as_array().unwrap();
        let accepted = server.accepted.load(Ordering::SeqCst);
        // Four addresses; ::1 only where the machine has IPv6 loopback.
        assert_eq!(probes.len(), 4, "{report}");
        assert!((3..=4).contains(&accepted), "{jobs:?}: {accepted} sessions");
        let at_once = server.most_at_once.load(Ordering::SeqCst);
        assert!(most.contains(&at_once), "{jobs:?}: {at_once} at once");
    }
}

/// `--smtp-max-hosts` and `--smtp-max-addresses` leave hosts and addresses out, saying so.
#[test]
fn smtp_probes_at_most_the_hosts_and_addresses_asked_for() {
    let fixture = Fixture::start();
    let server = CountingSmtp::start(Duration::ZERO, GREETING);
    let port = server.port.to_string();
    let args = [
        "--json",
        "--smtp",
        "--smtp-allow-private",
        "--smtp-port",
        &port,
        "--smtp-max-hosts",
        "2",
        "--smtp-max-addresses",
        "1",
    ];
    let report = mtasts(&fixture.check_args("healthy-3mx.test", &args)).json();
    let probed: Vec<&str> = report["smtp"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["mx"].as_str().unwrap())
        .collect();
    assert_eq!(
        probed,
        ["mx1.healthy-3mx.test", "mx2.healthy-3mx.test"],
        "{report}"
    );
    let codes: BTreeSet<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains("smtp.hosts-skipped"), "{codes:?}");
    assert!(codes.contains("smtp.addresses-skipped"), "{codes:?}");
    assert_eq!(server.accepted.load(Ordering::SeqCst), 2);
}

/// `lint report FILE --dkim` over the stand-in's DoH (keys of `tests/data/zones/reports.test.zone`):
/// the report e-mails dkimpy signed (`tests/data/dkim/`), each with its verdict's findings and
/// exit status; without `--dkim`, the same files lint as before, with no DKIM finding.
#[test]
fn lint_report_dkim_over_doh() {
    let fixture = Fixture::start();
    let dkim = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/dkim");
    for (file, exit, codes) in [
        ("pass", 0, vec!["report.dkim-pass"]),
        (
            "pass-default-service",
            0,
            vec!["report.dkim-pass", "report.dkim-service-type"],
        ),
        (
            "resigned-microsoft-test.xmox.nl-2023-01-10",
            0,
            vec!["report.dkim-pass"],
        ),
        ("tampered-body", 1, vec!["report.dkim-fail"]),
        ("wrong-key", 1, vec!["report.dkim-fail"]),
        ("not-submitter", 1, vec!["report.dkim-not-submitter"]),
        ("missing-key", 1, vec!["report.dkim-permerror"]),
        ("slow-key", 1, vec!["report.dkim-temperror"]),
        ("unsigned", 1, vec!["report.dkim-none"]),
    ] {
        let path = dkim.join(format!("{file}.eml")).display().to_string();
        let run = mtasts(&[
            "--json",
            "lint",
            "report",
            &path,
            "--dkim",
            "--doh",
            &fixture.standin().doh_url(),
            "--timeout",
            "1",
        ]);
        assert_eq!(run.code, exit, "{file}: {}", run.stderr);
        let report = run.json();
        let got: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["code"].as_str())
            .filter(|c| c.starts_with("report.dkim-"))
            .collect();
        assert_eq!(got, codes, "{file}");
        let plain = mtasts(&["--json", "lint", "report", &path]);
        assert_eq!(plain.code, 0, "{file} without --dkim");
        assert!(
            !plain.stdout.contains("report.dkim-"),
            "{file} without --dkim"
        );
    }
    // --doh alone is refused: it only says where the keys come from.
    let path = dkim.join("pass.eml").display().to_string();
    assert_eq!(
        mtasts(&["lint", "report", &path, "--doh", "http://127.0.0.1:1/"]).code,
        2
    );
}

/// A report as two runs of one check may differ: the steps without their times, in name order
/// (the report lists them as they finish, which the scheduler decides). Nothing else in a report
/// depends on time.
fn without_timing(mut report: Value) -> Value {
    if let Some(steps) = report["steps"].as_array_mut() {
        for step in steps.iter_mut() {
            let step = step.as_object_mut().unwrap();
            step.remove("started_ms");
            step.remove("finished_ms");
        }
        steps.sort_by_key(|step| step["name"].to_string());
    }
    report
}

/// Each line of the run's standard output, as JSON (JSON Lines: one document a line).
fn json_lines(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}\nstderr: {}", run.stderr))
        })
        .collect()
}

/// The `domain` of each JSON line.
fn domains_of(run: &Run) -> Vec<String> {
    json_lines(run)
        .iter()
        .map(|line| line["domain"].as_str().unwrap().to_string())
        .collect()
}

/// `check D1 D2 … --json` prints, one a line, what `check D --json` prints for each domain
/// alone; a domain that cannot be checked is `{"domain", "ok": false, "error"}`, the error
/// being the single check's line on stderr.
#[test]
fn json_lines_are_the_reports_of_each_domain_alone() {
    let fixture = Fixture::start();
    let domains = [
        "healthy-3mx.test",
        "mx-not-covered.test",
        "mx-null.test",
        "localhost",
        "policy-fetch-status.test",
        "dane-tlsa-bogus.test",
        "sts-record-missing.test",
        "mx-cname.test",
        "policy-mode-testing.test",
    ];
    let run = mtasts(&fixture.check_many_args(&domains, &["--json", "--jobs", "4"]));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr, "mtasts: 1 of 9 domains could not be checked\n");
    let lines = json_lines(&run);
    assert_eq!(lines.len(), domains.len(), "{}", run.stdout);
    for (domain, line) in domains.iter().zip(lines) {
        let alone = mtasts(&fixture.check_args(domain, &["--json"]));
        if alone.code == 2 {
            let why = alone.stderr.strip_prefix("mtasts: ").unwrap().trim_end();
            let want = serde_json::json!({ "domain": domain, "ok": false, "error": why });
            assert_eq!(line, want, "{domain}");
        } else {
            assert_eq!(line["ok"], alone.code == 0, "{domain}");
            assert_eq!(
                without_timing(line),
                without_timing(alone.json()),
                "{domain}"
            );
        }
    }
}

/// The lines come in the order of the input, however the checks finish: the first domain
/// stalls until the time limit, while the others are done in milliseconds.
#[test]
fn json_lines_keep_the_input_order() {
    let fixture = Fixture::start();
    let domains = [
        "policy-fetch-timeout.test",
        "mx-null.test",
        "redirect.test",
        "healthy-1mx.test",
        "mx-not-covered.test",
        "healthy-3mx.test",
        "mx-cname.test",
    ];
    let run = mtasts(&fixture.check_many_args(&domains, &["--json", "--jobs", "4"]));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(domains_of(&run), domains);
}

/// `--from -` reads standard input after the arguments: comments and blank lines are skipped,
/// and a domain given twice (in any of the ways it can be typed) is checked once, at its first
/// place. With `--from`, even one domain gets the table.
#[test]
fn from_standard_input_after_the_arguments() {
    let fixture = Fixture::start();
    let list = "# domains to watch\n\nmx-null.test\n   \n# healthy-3mx.test\n\
                user@Healthy-1MX.test.  # the argument again\n\tmx-not-covered.test\r\n";
    let args = fixture.check_many_args(&["healthy-1mx.test"], &["--from", "-", "--json"]);
    let run = mtasts_fed(&args, Some(list));
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(
        domains_of(&run),
        ["healthy-1mx.test", "mx-null.test", "mx-not-covered.test"]
    );

    let run = mtasts_fed(
        &fixture.check_many_args(&[], &["--from", "-"]),
        Some("healthy-1mx.test\n"),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let table: Vec<&str> = run.stdout.lines().collect();
    assert!(table[0].starts_with("domain "), "{}", run.stdout);
    assert!(table[1].starts_with("healthy-1mx.test "), "{}", run.stdout);
    assert!(table[1].contains(" pass "), "{}", run.stdout);

    // A list with no domain in it is a mistake, said on one line before any query.
    let before = fixture.counts();
    let run = mtasts_fed(
        &fixture.check_many_args(&[], &["--from", "-"]),
        Some("# nothing yet\n\n"),
    );
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.stdout, "");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(fixture.counts(), before);
}

/// The exit status is the worst of the domains': 0 all pass, 1 some fail, 2 some could not be
/// checked (then with one line on stderr, after the table); the table has a line for each.
#[test]
fn the_exit_status_is_the_worst_of_all() {
    let fixture = Fixture::start();
    for (domains, code, results) in [
        (
            vec!["healthy-1mx.test", "mx-null.test"],
            0,
            vec!["pass", "pass"],
        ),
        (
            vec!["healthy-1mx.test", "mx-not-covered.test", "mx-null.test"],
            1,
            vec!["pass", "fail", "pass"],
        ),
        (
            vec!["mx-not-covered.test", "localhost", "healthy-1mx.test"],
            2,
            vec!["fail", "could not run", "pass"],
        ),
    ] {
        let json = mtasts(&fixture.check_many_args(&domains, &["--json"]));
        assert_eq!(json.code, code, "{domains:?}: {}", json.stderr);
        let oks: Vec<bool> = json_lines(&json)
            .iter()
            .map(|l| l["ok"].as_bool().unwrap())
            .collect();
        let passes: Vec<bool> = results.iter().map(|r| *r == "pass").collect();
        assert_eq!(oks, passes, "{domains:?}");

        let people = mtasts(&fixture.check_many_args(&domains, &[]));
        assert_eq!(people.code, code, "{domains:?}: {}", people.stderr);
        let expected_stderr = usize::from(code == 2);
        assert_eq!(
            people.stderr.lines().count(),
            expected_stderr,
            "{}",
            people.stderr
        );
        assert!(!people.stdout.contains('\x1b'), "no colour off a terminal");
        let lines: Vec<&str> = people.stdout.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["domain", "result", "refusing", "worst", "finding"]
        );
        for ((domain, result), line) in domains.iter().zip(&results).zip(&lines[1..]) {
            assert!(line.starts_with(&format!("{domain} ")), "{line}");
            assert!(line.contains(&format!(" {result} ")), "{line}");
        }
        let refusing = people
            .stdout
            .lines()
            .find(|l| l.starts_with("mx-not-covered.test "));
        if let Some(line) = refusing {
            assert!(line.contains("rfc8461, exchange-online"), "{line}");
            assert!(line.ends_with("error mx.not-covered"), "{line}");
        }
        assert!(
            people.stdout.ends_with(&format!(
                "{} domains: {} pass, {} fail, {} could not run\n",
                domains.len(),
                results.iter().filter(|r| **r == "pass").count(),
                results.iter().filter(|r| **r == "fail").count(),
                results.iter().filter(|r| **r == "could not run").count(),
            )),
            "{}",
            people.stdout
        );
    }
}

/// `--jobs N` checks at most N domains at once. Each domain here has its most preferred MX host
/// at 127.0.0.1, where a counting server holds each SMTP session 300 ms: with one session per
/// domain (`--smtp-max-hosts 1 --smtp-max-addresses 1`), the sessions open at once are the
/// checks running at once. The default (8) lets several overlap, which shows that the count
/// can see overlap at all.
#[test]
fn jobs_bounds_the_domains_checked_at_once() {
    let fixture = Fixture::start();
    let domains = [
        "healthy-1mx.test",
        "mx-not-covered.test",
        "mx-cname.test",
        "policy-blank-line.test",
        "sts-record-missing.test",
        "tlsrpt-record-missing.test",
        "dane-tlsa-missing.test",
        "redirect.test",
        "policy-mode-testing.test",
        "mx-wildcard-depth.test",
    ];
    for (jobs, most) in [(Some("1"), 1..=1), (Some("3"), 2..=3), (None, 2..=8)] {
        let server = CountingSmtp::start(Duration::from_millis(300), GREETING);
        let port = server.port.to_string();
        let mut extra = vec![
            "--json",
            "--smtp",
            "--smtp-allow-private",
            "--smtp-port",
            &port,
            "--smtp-max-hosts",
            "1",
            "--smtp-max-addresses",
            "1",
        ];
        if let Some(jobs) = jobs {
            extra.extend(["--jobs", jobs]);
        }
        let run = mtasts(&fixture.check_many_args(&domains, &extra));
        assert_eq!(domains_of(&run), domains, "{jobs:?}: {}", run.stderr);
        let accepted = server.accepted.load(Ordering::SeqCst);
        assert_eq!(accepted, domains.len() as u32, "{jobs:?}: one session each");
        let at_once = server.most_at_once.load(Ordering::SeqCst);
        assert!(most.contains(&at_once), "{jobs:?}: {at_once} at once");
    }
}

/// A name in a `--from` file that carries terminal attacks (OSC 52, CSI 2J, a bidi override)
/// reaches people escaped, in the table and on stderr, and JSON exact.
#[test]
fn a_hostile_name_in_the_list_reaches_people_escaped() {
    let fixture = Fixture::start();
    let hostile = "evil\x1b]52;c;aGk=\x07\x1b[2J\u{202e}.test";
    let list = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hostile-list-{}.txt", std::process::id()));
    std::fs::write(&list, format!("healthy-1mx.test\n{hostile}\n")).unwrap();
    let list = list.display().to_string();

    let people = mtasts(&fixture.check_many_args(&[], &["--from", &list]));
    assert_eq!(people.code, 2, "{}", people.stderr);
    for text in [&people.stdout, &people.stderr] {
        assert!(!text.contains(['\x1b', '\x07', '\u{202e}']), "{text}");
    }
    assert!(
        people
            .stdout
            .contains("evil\\u{1b}]52;c;aGk=\\u{7}\\u{1b}[2J\\u{202e}.test"),
        "{}",
        people.stdout
    );
    let json = mtasts(&fixture.check_many_args(&[], &["--from", &list, "--json"]));
    let lines = json_lines(&json);
    assert_eq!(lines[1]["domain"], hostile);
    assert_eq!(lines[1]["ok"], false);
    let _ = std::fs::remove_file(&list);
}
