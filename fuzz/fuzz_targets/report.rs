//! `decode_report` and `lint_report_with_limits` on any bytes: JSON, gzip or a report e-mail.
//! Invariants, with small limits: the decoded JSON is never over `max_decompressed`, and the
//! reader's peak memory (every allocation counted) stays within its budget, so a gzip bomb or a
//! document of tiny elements is refused, not read.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::{decode_report, lint_report_with_limits, ReportLimits};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATED: PeakAlloc = PeakAlloc;

const LIMITS: ReportLimits = ReportLimits {
    max_input: 256 << 10,
    max_decompressed: 64 << 10,
};

/// What reading `input_len` bytes may take: the report module's own bound (12 bytes of memory a
/// byte of JSON, tls_rpt/report/mod.rs), the decompressor's 64 KiB chunks, and copies of the
/// input (an e-mail's decoded part).
fn budget(input_len: usize) -> usize {
    16 * LIMITS.max_decompressed + 4 * input_len + (256 << 10)
}

fuzz_target!(|data: &[u8]| {
    let before = ALLOCATED.current_usage();
    ALLOCATED.reset_peak_usage();
    if let Ok(json) = decode_report(data, LIMITS) {
        assert!(
            json.len() <= LIMITS.max_decompressed,
            "decoded {} bytes, over the limit of {}",
            json.len(),
            LIMITS.max_decompressed
        );
    }
    let result = lint_report_with_limits(data, LIMITS);
    assert_eq!(
        result.valid,
        result
            .findings
            .iter()
            .all(|f| f.severity != mtasts::Severity::Error)
    );
    drop(result);
    let peak = ALLOCATED.peak_usage().saturating_sub(before);
    assert!(
        peak <= budget(data.len()),
        "reading {} bytes took {peak} bytes of memory, over the budget of {}",
        data.len(),
        budget(data.len())
    );
});
