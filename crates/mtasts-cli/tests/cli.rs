//! The `mtasts` binary as a user runs it: exit codes, JSON on stdout, one line on stderr, and the
//! corpus verdicts of `tests/data/SOURCES.md`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn data(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/data")
        .join(path)
}

fn mtasts(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args)
        .output()
        .unwrap()
}

fn mtasts_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mtasts"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The child may stop reading early (bounded input); a broken pipe here is fine.
    let _ = child.stdin.take().unwrap().write_all(input);
    child.wait_with_output().unwrap()
}

/// The `code` of each finding of a `--json` lint result, in order.
fn finding_codes(v: &Value) -> Vec<&str> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed by a signal")
}

/// The verdict SOURCES.md (the corpus index) gives each policy file: `(file name, valid)`.
fn corpus_policy_verdicts() -> Vec<(String, bool)> {
    let index = std::fs::read_to_string(data("SOURCES.md")).unwrap();
    index
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("| `policies/")?;
            let (name, rest) = rest.split_once('`')?;
            let valid = if rest.contains("| **valid**") {
                true
            } else if rest.contains("| **invalid**") {
                false
            } else {
                panic!("no verdict for {name}")
            };
            Some((name.to_string(), valid))
        })
        .collect()
}

#[test]
fn every_corpus_policy_gets_the_index_verdict() {
    let verdicts = corpus_policy_verdicts();
    let files = std::fs::read_dir(data("policies"))
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "txt")
        })
        .count();
    assert_eq!(
        verdicts.len(),
        files,
        "every policy file has a verdict in SOURCES.md"
    );
    let mut wrong = Vec::new();
    for (name, valid) in verdicts {
        let path = data("policies").join(&name);
        let out = mtasts(&["lint", "policy", path.to_str().unwrap()]);
        let want = if valid { 0 } else { 1 };
        if code(&out) != want {
            wrong.push(format!("{name}: exit {} want {want}", code(&out)));
        }
        let out = mtasts(&["lint", "policy", "--json", path.to_str().unwrap()]);
        if json(&out)["valid"] != Value::Bool(valid) {
            wrong.push(format!("{name}: --json valid is {}", json(&out)["valid"]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn human_output_names_code_line_and_rfc() {
    let out = mtasts_stdin(
        &["lint", "policy", "-"],
        b"version: STSv1\nmode: enforce\n\nmx: mail.example.com\nmax_age: 86400\n",
    );
    assert_eq!(code(&out), 1);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("policy.blank-line"))
        .unwrap_or_else(|| panic!("no blank-line finding in:\n{text}"));
    assert!(line.contains("line 3"), "{line}");
    assert!(line.contains("RFC 8461 §3.2"), "{line}");
    assert!(line.trim_start().starts_with("error"), "{line}");
    assert!(
        !text.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[test]
fn json_output_is_a_lint_result() {
    let out = mtasts(&[
        "--json",
        "lint",
        "sts-record",
        "v=STSv1; id=20240101T000000Z;",
    ]);
    assert_eq!(code(&out), 0);
    let v = json(&out);
    assert_eq!(v["valid"], true);
    assert_eq!(v["value"]["id"], "20240101T000000Z");
    assert!(v["findings"].is_array());

    let out = mtasts(&[
        "lint",
        "tlsrpt-record",
        "--json",
        "v=TSLRPTv1; rua=mailto:a@example.com",
    ]);
    assert_eq!(code(&out), 1);
    let result = json(&out);
    let codes: Vec<&str> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"tlsrpt-record.version"), "{codes:?}");
}

#[test]
fn tlsa_takes_one_argument_or_several() {
    let hex = "0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6";
    let joined = format!("3 1 1 {hex}");
    for args in [
        vec!["lint", "tlsa", joined.as_str()],
        vec!["lint", "tlsa", "3", "1", "1", hex],
    ] {
        let out = mtasts(&args);
        assert_eq!(
            code(&out),
            0,
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
    assert_eq!(
        code(&mtasts(&["lint", "tlsa", "3 1 1 abcd"])),
        1,
        "short SHA-256"
    );
}

#[test]
fn report_from_gzip_and_stdin() {
    let gz = data("tlsrpt-reports/google-test.xmox.nl-2022-09-15.json.gz");
    let out = mtasts(&["lint", "report", "--json", gz.to_str().unwrap()]);
    assert_eq!(code(&out), 0);
    assert_eq!(json(&out)["value"]["successful"], 3);

    let body = std::fs::read(data("tlsrpt-reports/google-test.xmox.nl-2022-09-15.json")).unwrap();
    let out = mtasts_stdin(&["lint", "report", "--json", "-"], &body);
    assert_eq!(code(&out), 0);
    assert_eq!(json(&out)["value"]["successful"], 3);

    let out = mtasts_stdin(&["lint", "report", "-"], b"\x1f\x8b\x08\x00garbage");
    assert_eq!(code(&out), 1);
    assert!(String::from_utf8_lossy(&out.stdout).contains("report.gzip"));
}

#[test]
fn match_answers_by_exit_code_and_json() {
    for (pattern, host, want) in [
        ("*.example.net", "mx1.example.net", true),
        ("*.example.net", "MX1.Example.NET.", true),
        ("*.example.net", "a.b.example.net", false),
        ("mail.example.com", "mail.example.org", false),
    ] {
        let out = mtasts(&["match", pattern, host]);
        assert_eq!(code(&out), if want { 0 } else { 1 }, "{pattern} {host}");
        let out = mtasts(&["match", "--json", pattern, host]);
        assert_eq!(json(&out), serde_json::json!({ "matches": want }));
    }
}

#[test]
fn generate_output_lints_clean() {
    let out = mtasts(&[
        "generate",
        "example.com",
        "--mx",
        "mx1.example.com",
        "*.mx.example.net",
        "--mode",
        "enforce",
        "--max-age",
        "1209600",
        "--rua",
        "mailto:tlsrpt@example.com",
        "--json",
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    let g = json(&out);
    let policy = g["policy"].as_str().unwrap();
    assert!(policy.contains("\r\n"), "CRLF policy");
    let out = mtasts_stdin(&["lint", "policy", "-"], policy.as_bytes());
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = mtasts(&[
        "lint",
        "sts-record",
        g["sts_record"]["value"].as_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));
    let out = mtasts(&[
        "lint",
        "tlsrpt-record",
        g["tlsrpt_record"]["value"].as_str().unwrap(),
    ]);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stdout));

    let out = mtasts(&["generate", "example.com", "--mx", "mx_1.example.com"]);
    assert_eq!(code(&out), 2, "a bad MX host is a usage error");
    assert_eq!(String::from_utf8_lossy(&out.stderr).lines().count(), 1);
}

#[test]
fn usage_and_io_errors_exit_2_with_one_line() {
    for args in [
        vec!["lint"],
        vec!["lint", "policy"],
        vec!["lint", "nonsense", "x"],
        vec!["match", "only-one"],
        vec!["generate", "example.com"],
    ] {
        let out = mtasts(&args);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    let out = mtasts(&["lint", "policy", "/nonexistent/mta-sts.txt"]);
    assert_eq!(code(&out), 2);
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/mta-sts.txt"), "{err}");
}

#[test]
fn hostile_input_never_crashes() {
    // A cheap deterministic generator: no panic (exit 101) and no signal, whatever the bytes.
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let seeds: [&[u8]; 4] = [
        b"version: STSv1\r\nmode: enforce\r\nmx: *.example.com\r\nmax_age: 86400\r\n",
        b"{\"organization-name\":\"x\",\"policies\":[{\"policy\":{},\"summary\":{}}]}",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        "\u{feff}version: STSv1\nmx: b\u{fc}cher.example\n".as_bytes(),
    ];
    for round in 0..40 {
        let seed = seeds[round % seeds.len()];
        let mut input = seed.to_vec();
        for _ in 0..(next() % 8) {
            let at = (next() as usize) % (input.len() + 1);
            match next() % 3 {
                0 => input.insert(at, next() as u8),
                1 if at < input.len() => {
                    input.remove(at);
                }
                _ => input.extend_from_slice(&seed[..(next() as usize) % seed.len()]),
            }
        }
        for kind in ["policy", "report"] {
            let out = mtasts_stdin(&["lint", kind, "-"], &input);
            let c = code(&out);
            assert!(
                c == 0 || c == 1,
                "lint {kind} exit {c} on {input:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

/// The chains of `tests/data/vectors/dane-certs/stalwart` (DER, one file per certificate, the
/// server's own first) as one input, and their TLSA records from `dns.txt`.
fn stalwart_chain(host: &str) -> (Vec<u8>, Vec<String>) {
    let dir = data("vectors/dane-certs/stalwart");
    let mut chain = Vec::new();
    for n in 0.. {
        let Ok(der) = std::fs::read(dir.join(format!("{host}.{n}.cert"))) else {
            break;
        };
        chain.extend(der);
    }
    let dns = std::fs::read_to_string(dir.join("dns.txt")).unwrap();
    let tlsa = dns
        .lines()
        .filter_map(|l| l.strip_prefix(&format!("_25._tcp.{host} ")))
        .map(str::to_string)
        .collect();
    (chain, tlsa)
}

#[test]
fn lint_cert_real_chains_are_expired_and_dane_ee_still_matches() {
    for host in ["mail.ietf.org", "internet.nl"] {
        let (chain, tlsa) = stalwart_chain(host);
        assert!(!tlsa.is_empty(), "{host}");
        let mut args = vec!["--json", "lint", "cert", "-", "--host", host, "--tlsa"];
        args.extend(tlsa.iter().map(String::as_str));
        let out = mtasts_stdin(&args, &chain);
        assert_eq!(
            code(&out),
            1,
            "{host}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v = json(&out);
        let codes: Vec<&str> = finding_codes(&v);
        assert_eq!(codes, ["cert.expired"], "{host}");
        assert_eq!(v["findings"][0]["host"], host);
        assert_eq!(v["value"]["dane"]["authenticated"], true, "{host}");
        assert!(v["value"]["dane"]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["usage"] == 3 && m["authenticates"] == true));
        // For people: the finding, the certificates and the DANE verdict.
        args.remove(0);
        let out = mtasts_stdin(&args, &chain);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("cert.expired"), "{text}");
        assert!(text.contains("DANE authenticates the chain"), "{text}");
        assert!(text.contains("SPKI SHA-256"), "{text}");
    }
}

#[test]
fn lint_cert_tlsa_mismatch_and_name_mismatch() {
    let (chain, _) = stalwart_chain("mail.ietf.org");
    let wrong = format!("3 1 1 {}", "00".repeat(32));
    let out = mtasts_stdin(
        &[
            "--json",
            "lint",
            "cert",
            "-",
            "--host",
            "mx.example.com",
            "--tlsa",
            &wrong,
        ],
        &chain,
    );
    assert_eq!(code(&out), 1);
    let v = json(&out);
    let mut codes: Vec<&str> = finding_codes(&v);
    codes.sort_unstable();
    assert_eq!(
        codes,
        ["cert.expired", "cert.name-mismatch", "dane.tlsa-mismatch"]
    );
}

/// A self-signed P-256 certificate for `names`, valid from `days_from` to `days_to` days from
/// now, PEM.
fn generated_cert(names: &[&str], days_from: i64, days_to: i64) -> String {
    let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
    let mut params = rcgen::CertificateParams::new(names).unwrap();
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now + time::Duration::days(days_from);
    params.not_after = now + time::Duration::days(days_to);
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

#[test]
fn lint_cert_generated_certificates() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    for (name, names, from, to, host, want_exit, want_codes) in [
        (
            "good",
            &["mx1.example.com"][..],
            -10,
            300,
            "mx1.example.com",
            0,
            &[][..],
        ),
        (
            "wildcard",
            &["*.example.com"],
            -10,
            300,
            "mx1.example.com",
            0,
            &[],
        ),
        (
            "deep",
            &["*.example.com"],
            -10,
            300,
            "a.mx1.example.com",
            1,
            &["cert.name-mismatch"],
        ),
        (
            "soon",
            &["mx1.example.com"],
            -10,
            5,
            "mx1.example.com",
            0,
            &["cert.expires-soon"],
        ),
        (
            "expired",
            &["mx1.example.com"],
            -300,
            -1,
            "mx1.example.com",
            1,
            &["cert.expired"],
        ),
        (
            "future",
            &["mx1.example.com"],
            10,
            300,
            "mx1.example.com",
            1,
            &["cert.expired"],
        ),
    ] {
        let path = dir.join(format!("lint-cert-{}-{name}.pem", std::process::id()));
        std::fs::write(&path, generated_cert(names, from, to)).unwrap();
        let file = path.display().to_string();
        let out = mtasts(&["--json", "lint", "cert", &file, "--host", host]);
        assert_eq!(code(&out), want_exit, "{name}");
        let v = json(&out);
        let codes: Vec<&str> = finding_codes(&v);
        assert_eq!(codes, want_codes, "{name}");
        // Its own SPKI digest as a `3 1 1` record authenticates it.
        let spki = v["value"]["certificates"][0]["fingerprints"]["spki_sha256"]
            .as_str()
            .unwrap()
            .to_string();
        let out = mtasts(&[
            "--json",
            "lint",
            "cert",
            &file,
            "--tlsa",
            &format!("3 1 1 {spki}"),
        ]);
        assert_eq!(json(&out)["value"]["dane"]["authenticated"], true, "{name}");
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn lint_cert_unreadable_input_exits_2_with_one_line() {
    for (args, input) in [
        (&["lint", "cert", "-"][..], &b""[..]),
        (&["lint", "cert", "-"], b"not a certificate"),
        (
            &["lint", "cert", "-"],
            b"-----BEGIN CERTIFICATE-----\nAAAA\n",
        ),
        (&["lint", "cert", "/nonexistent/chain.pem"], b""),
        (&["lint", "cert", "-", "--tlsa", "3 1 9"], b""),
    ] {
        let out = mtasts_stdin(args, input);
        assert_eq!(code(&out), 2, "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("mtasts: "), "{err}");
    }
}

/// A report whose organization-name and report-id carry terminal attacks: OSC 52 (writes the
/// clipboard), CSI 2J (clears the screen), a bidi override and NUL.
fn hostile_report() -> (Vec<u8>, String) {
    let body = std::fs::read(data("tlsrpt-reports/google-test.xmox.nl-2022-09-15.json")).unwrap();
    let mut report: Value = serde_json::from_slice(&body).unwrap();
    let hostile = "Evil\x1b]52;c;aGVsbG8=\x07Corp\x1b[2J\u{202e}moc.elgoog\0".to_string();
    report["organization-name"] = Value::String(hostile.clone());
    report["report-id"] = Value::String(format!("id-{hostile}"));
    (serde_json::to_vec(&report).unwrap(), hostile)
}

#[test]
fn text_for_people_shows_control_and_bidi_characters_as_escapes() {
    let (body, _) = hostile_report();
    let out = mtasts_stdin(&["lint", "report", "-"], &body);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    for byte in [0x1b, 0x07, 0x00] {
        assert!(
            !out.stdout.contains(&byte),
            "raw byte {byte:#04x} on stdout"
        );
    }
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(!stdout.contains('\u{202e}'), "{stdout}");
    assert!(
        !stdout.contains(|c: char| c.is_control() && c != '\n'),
        "{stdout}"
    );
    let shown = "Evil\\u{1b}]52;c;aGVsbG8=\\u{7}Corp\\u{1b}[2J\\u{202e}moc.elgoog\\u{0}";
    assert!(
        stdout.contains(&format!("organization: {shown}")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("report_id: id-{shown}")),
        "{stdout}"
    );

    // The same escapes on stderr, where a path names what could not be read.
    let out = mtasts(&["lint", "report", "/nonexistent/\x1b[2J\u{202e}"]);
    assert_eq!(code(&out), 2);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("/nonexistent/\\u{1b}[2J\\u{202e}"),
        "{stderr}"
    );
    assert!(!stderr.contains(['\x1b', '\u{202e}']), "{stderr}");
}

#[test]
fn json_output_keeps_hostile_strings_exact() {
    let (body, hostile) = hostile_report();
    let out = mtasts_stdin(&["lint", "report", "--json", "-"], &body);
    assert_eq!(code(&out), 0, "{}", String::from_utf8_lossy(&out.stderr));
    // serde escapes controls (`\u001b`); only the bidi override is written as it is.
    for byte in [0x1b, 0x07, 0x00] {
        assert!(
            !out.stdout.contains(&byte),
            "raw byte {byte:#04x} in the JSON"
        );
    }
    let v = json(&out);
    assert_eq!(v["value"]["organization"], Value::String(hostile.clone()));
    assert_eq!(
        v["value"]["report_id"],
        Value::String(format!("id-{hostile}"))
    );
}
