//! A 1 GiB gzip bomb answers `report.too-large` with peak memory under 100 MB (RFC 8460 §5.3
//! reports come from anyone: reading one must be bounded).
//!
//! The global allocator counts every allocation of this test binary and keeps the peak. The
//! binary holds one test only, so no other test allocates at the same time.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use flate2::write::GzEncoder;
use flate2::Compression;
use mtasts::{lint_report_with_limits, Code, ReportLimits};
use peak_alloc::PeakAlloc;
use std::io::Write;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

const MB: usize = 1_000_000;

/// `total` zero bytes, gzipped, streamed through the encoder one chunk at a time.
fn gzip_zeros(total: usize) -> Vec<u8> {
    let chunk = vec![0u8; 1 << 20];
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    let mut left = total;
    while left > 0 {
        let n = left.min(chunk.len());
        encoder.write_all(&chunk[..n]).unwrap();
        left -= n;
    }
    encoder.finish().unwrap()
}

/// Peak memory while linting `input`, above what was allocated before, and the finding codes.
fn lint_measured(input: &[u8], limits: ReportLimits) -> (usize, Vec<Code>) {
    ALLOCATOR.reset_peak_usage();
    let before = ALLOCATOR.current_usage();
    let codes = lint_report_with_limits(input, limits).codes();
    (ALLOCATOR.peak_usage().saturating_sub(before), codes)
}

#[test]
fn bombs_are_refused_within_bounded_memory() {
    // 1 GiB of zeros.
    let bomb = gzip_zeros(1 << 30);
    assert!(bomb.len() < 16 << 20, "the bomb is {} bytes", bomb.len());
    let (peak, codes) = lint_measured(&bomb, ReportLimits::default());
    eprintln!(
        "gzip bomb: {} bytes inflating to 1 GiB, peak {:.1} MB while linting",
        bomb.len(),
        peak as f64 / MB as f64
    );
    assert_eq!(codes, vec![Code::ReportTooLarge]);
    assert!(peak < 100 * MB, "peak {peak} bytes");

    // The same bomb inside a report e-mail, base64-encoded.
    let mail = mail_with(&bomb);
    drop(bomb);
    let (peak, codes) = lint_measured(&mail, ReportLimits::default());
    eprintln!(
        "gzip bomb in an e-mail: peak {:.1} MB",
        peak as f64 / MB as f64
    );
    assert_eq!(codes, vec![Code::ReportTooLarge]);
    assert!(peak < 100 * MB, "peak {peak} bytes");
    drop(mail);

    // Valid JSON of tiny elements, just under the decompression limit: refused by the memory
    // budget (96 MiB at most for the parsed report, besides its 32 MiB of JSON).
    let elements = element_bomb(30 << 20);
    let (peak, codes) = lint_measured(&elements, ReportLimits::default());
    eprintln!(
        "element bomb ({} bytes gzipped, 30 MiB of JSON): peak {:.1} MB",
        elements.len(),
        peak as f64 / MB as f64
    );
    assert_eq!(codes, vec![Code::ReportTooLarge]);
    assert!(peak < 150 * MB, "peak {peak} bytes");

    // With the smaller limits of a small-memory platform, the bound shrinks with them.
    let limits = ReportLimits {
        max_input: 4 << 20,
        max_decompressed: 8 << 20,
    };
    let elements = element_bomb(7 << 20);
    let (peak, codes) = lint_measured(&elements, limits);
    eprintln!(
        "element bomb, 7 MiB of JSON, 8 MiB limit: peak {:.1} MB",
        peak as f64 / MB as f64
    );
    assert_eq!(codes, vec![Code::ReportTooLarge]);
    assert!(peak < 40 * MB, "peak {peak} bytes");
}

/// `{"policies":[{"failure-details":[{},{},…]}]}` of about `size` bytes, gzipped.
fn element_bomb(size: usize) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder
        .write_all(br#"{"policies":[{"failure-details":["#)
        .unwrap();
    let chunk = "{},".repeat(1 << 16);
    for _ in 0..size / chunk.len() {
        encoder.write_all(chunk.as_bytes()).unwrap();
    }
    encoder.write_all(b"{}]}]}").unwrap();
    encoder.finish().unwrap()
}

/// A report e-mail (RFC 8460 §5.3) carrying `gz` as its base64 attachment.
fn mail_with(gz: &[u8]) -> Vec<u8> {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = b"From: r@example.com\r\nContent-Type: multipart/report; report-type=tlsrpt; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: application/tlsrpt+gzip\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
    for (i, group) in gz.chunks(3).enumerate() {
        let bytes = [
            group[0],
            *group.get(1).unwrap_or(&0),
            *group.get(2).unwrap_or(&0),
        ];
        let n = u32::from(bytes[0]) << 16 | u32::from(bytes[1]) << 8 | u32::from(bytes[2]);
        for k in 0..4 {
            out.push(if k <= group.len() {
                ALPHABET[(n >> (18 - 6 * k) & 63) as usize]
            } else {
                b'='
            });
        }
        if i % 19 == 18 {
            out.extend_from_slice(b"\r\n");
        }
    }
    out.extend_from_slice(b"\r\n--b--\r\n");
    out
}
