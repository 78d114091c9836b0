//! Runs every corpus vector (`tests/data/vectors/*.jsonl`) against the core and fails on any
//! disagreement that `tests/data/DEVIATIONS.md` does not list.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod dane_verify;
mod mx_match;
mod policy;
mod report;
mod sts_lookup;
mod sts_record;
mod tlsa;
mod tlsrpt_record;

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;

/// The repository's `tests/data`.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// One line of a vector file.
pub struct Vector {
    /// 1-based line in the file.
    pub line: usize,
    /// The vector's `input`.
    pub input: Value,
    /// The vector's verdict.
    pub expected_valid: bool,
    /// `expected_fields_or_error`: the fields of a valid input, or why it is not valid.
    pub expected: Value,
    /// The whole line, for flags such as `lenient_valid`.
    pub raw: Value,
}

impl Vector {
    /// `input` as a string (policy bodies may come as `{"hex": …}` bytes).
    pub fn input_bytes(&self) -> Vec<u8> {
        match &self.input {
            Value::String(s) => s.as_bytes().to_vec(),
            Value::Object(o) => {
                let hex = o["hex"].as_str().expect("hex input");
                (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
                    .collect()
            }
            other => panic!("unexpected input {other}"),
        }
    }
}

fn load(file: &str) -> Vec<Vector> {
    let text = std::fs::read_to_string(data_dir().join("vectors").join(file)).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let raw: Value = serde_json::from_str(l).unwrap();
            Vector {
                line: i + 1,
                input: raw["input"].clone(),
                expected_valid: raw["expected_valid"].as_bool().unwrap(),
                expected: raw["expected_fields_or_error"].clone(),
                raw,
            }
        })
        .collect()
}

/// `(file, line)` pairs listed under "Disagreements" in DEVIATIONS.md.
fn listed_deviations(file: &str) -> BTreeSet<usize> {
    let text = std::fs::read_to_string(data_dir().join("DEVIATIONS.md")).unwrap();
    let disagreements = text
        .split("## ")
        .find(|s| s.starts_with("Disagreements"))
        .unwrap_or("");
    disagreements
        .lines()
        .filter_map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            (cells.len() > 3 && cells[1] == file).then(|| cells[2].parse().ok())?
        })
        .collect()
}

/// Runs `check` over every vector of `file`. `check` returns `Err(why)` on a disagreement.
pub fn run(file: &str, check: impl Fn(&Vector) -> Result<(), String>) {
    let vectors = load(file);
    assert!(!vectors.is_empty(), "{file} has no vectors");
    let listed = listed_deviations(file);
    let mut failures = Vec::new();
    for v in &vectors {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(v)))
            .unwrap_or_else(|_| Err("panicked".to_string()));
        match (outcome, listed.contains(&v.line)) {
            (Err(why), false) => {
                failures.push(format!("{file}:{}: {why}\n    input: {}", v.line, v.input))
            }
            (Ok(()), true) => failures.push(format!(
                "{file}:{}: listed in DEVIATIONS.md but now agrees: remove the row",
                v.line
            )),
            _ => {}
        }
    }
    for line in &listed {
        assert!(
            vectors.iter().any(|v| v.line == *line),
            "DEVIATIONS.md names {file}:{line}, which is not a vector"
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors disagree:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

/// Compares a verdict, with the codes found, to the vector's.
pub fn verdict(v: &Vector, valid: bool, codes: &[mtasts::Code]) -> Result<(), String> {
    if valid == v.expected_valid {
        Ok(())
    } else {
        Err(format!(
            "expected valid={} ({}), we say valid={valid} with {:?}",
            v.expected_valid,
            v.expected,
            codes.iter().map(|c| c.as_str()).collect::<Vec<_>>()
        ))
    }
}
