//! Walks the real-world fixtures in `tests/data/<kind>/`: every `NAME.<ext>` is linted and compared
//! with `NAME.<ext-less>.expected.json` beside it (`valid`, the set of finding codes, and optionally
//! a subset of the parsed value).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde::Serialize;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// The result as the expectation files spell it.
fn observed<T: Serialize>(result: &mtasts::LintResult<T>) -> Value {
    let codes: BTreeSet<&str> = result.findings.iter().map(|f| f.code.as_str()).collect();
    json!({ "valid": result.valid, "codes": codes, "value": result.value })
}

fn expectation_path(file: &Path) -> PathBuf {
    let name = file.file_name().unwrap().to_str().unwrap();
    // `x.txt` → `x.expected.json`; reports keep their full name: `x.json.gz.expected.json`.
    let stem = if file.parent().unwrap().ends_with("tlsrpt-reports") {
        name.to_string()
    } else {
        name.strip_suffix(".txt").unwrap_or(name).to_string()
    };
    file.with_file_name(format!("{stem}.expected.json"))
}

fn walk(kind: &str, lint: impl Fn(&[u8]) -> Value) {
    let dir = data_dir().join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.to_str().unwrap().ends_with(".expected.json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {}", dir.display());
    let mut failures = Vec::new();
    for file in &files {
        let expected_path = expectation_path(file);
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            failures.push(format!(
                "{}: no {}",
                file.display(),
                expected_path.display()
            ));
            continue;
        };
        let expected: Value = serde_json::from_str(&expected).unwrap();
        let got = lint(&std::fs::read(file).unwrap());
        let mut wrong = Vec::new();
        for key in ["valid", "codes"] {
            if expected[key] != got[key] {
                wrong.push(format!(
                    "{key}: expected {} got {}",
                    expected[key], got[key]
                ));
            }
        }
        if let Some(Value::Object(fields)) = expected.get("value") {
            for (key, want) in fields {
                if got["value"][key] != *want {
                    wrong.push(format!(
                        "value.{key}: expected {want} got {}",
                        got["value"][key]
                    ));
                }
            }
        }
        if !wrong.is_empty() {
            let name = file.file_name().unwrap().to_string_lossy();
            failures.push(format!("{kind}/{name}: {}", wrong.join("; ")));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A record file holds one TXT record's text; a final newline is not part of it.
fn record_text(bytes: &[u8]) -> String {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    text.strip_suffix('\n').unwrap_or(&text).to_string()
}

#[test]
fn policies() {
    walk("policies", |b| observed(&mtasts::lint_policy(b)));
}

#[test]
fn sts_records() {
    walk("txt-records", |b| {
        observed(&mtasts::lint_sts_record(&record_text(b)))
    });
}

#[test]
fn tlsrpt_records() {
    walk("tlsrpt-records", |b| {
        observed(&mtasts::lint_tlsrpt_record(&record_text(b)))
    });
}

#[test]
fn tlsrpt_reports() {
    walk("tlsrpt-reports", |b| observed(&mtasts::lint_report(b)));
}
