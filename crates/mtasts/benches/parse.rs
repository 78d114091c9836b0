//! Parsing speed in MB/s: every real policy of `tests/data/policies`, and one TLS-RPT report of
//! about 10 MB made of the corpus reports' `policies` arrays, merged and repeated, as JSON and
//! as gzip (throughput counted in bytes of JSON, so the two compare).
//!
//! `cargo bench -p mtasts --bench parse`
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{Map, Value};
use std::hint::black_box;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The size the merged report grows to.
const REPORT_SIZE: usize = 10 << 20;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/data")
}

/// The files of `dir` whose names end with `extension` (never the `.expected.json` beside them).
fn files(dir: &Path, extension: &str) -> Vec<Vec<u8>> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("test data directory")
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| {
            let name = path.to_string_lossy();
            name.ends_with(extension) && !name.ends_with(".expected.json")
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|path| std::fs::read(path).expect("readable file"))
        .collect()
}

/// One compact JSON report of about [`REPORT_SIZE`] bytes: the first corpus report's header with
/// every corpus report's policies, repeated.
fn merged_report() -> Vec<u8> {
    let reports: Vec<Value> = files(&data_dir().join("tlsrpt-reports"), ".json")
        .iter()
        .map(|bytes| serde_json::from_slice(bytes).expect("corpus report is JSON"))
        .collect();
    let policies: Vec<Value> = reports
        .iter()
        .filter_map(|report| report["policies"].as_array())
        .flatten()
        .cloned()
        .collect();
    let one_round = serde_json::to_vec(&policies).expect("serializable").len();
    let rounds = REPORT_SIZE / one_round + 1;
    let mut report: Map<String, Value> = reports[0].as_object().expect("object").clone();
    let all: Vec<Value> = std::iter::repeat_n(policies, rounds).flatten().collect();
    report.insert("policies".to_string(), Value::Array(all));
    serde_json::to_vec(&report).expect("serializable")
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(data).expect("in memory");
    encoder.finish().expect("in memory")
}

fn policy_parsing(c: &mut Criterion) {
    let policies = files(&data_dir().join("policies"), ".txt");
    let bytes: usize = policies.iter().map(Vec::len).sum();
    let mut group = c.benchmark_group("policy");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(
        format!("lint_policy, {} corpus files", policies.len()),
        |b| {
            b.iter(|| {
                for policy in &policies {
                    black_box(mtasts::lint_policy(black_box(policy)));
                }
            })
        },
    );
    group.finish();
}

fn report_parsing(c: &mut Criterion) {
    let json = merged_report();
    let gz = gzip(&json);
    let result = mtasts::lint_report(&json);
    assert!(result.valid, "{:?}", result.findings.first());
    let mut group = c.benchmark_group("report");
    group.throughput(Throughput::Bytes(json.len() as u64));
    group.bench_function(format!("lint_report, JSON, {} bytes", json.len()), |b| {
        b.iter(|| black_box(mtasts::lint_report(black_box(&json))))
    });
    group.bench_function(format!("lint_report, gzip, {} bytes", gz.len()), |b| {
        b.iter(|| black_box(mtasts::lint_report(black_box(&gz))))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = policy_parsing, report_parsing
}
criterion_main!(benches);
