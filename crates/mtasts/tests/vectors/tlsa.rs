//! `tlsa-record.jsonl`: TLSA RDATA in presentation format. Valid means well-formed with a digest
//! length that fits the matching type; the fields are compared wherever the vector gives them.

use crate::{run, verdict};
use serde_json::json;

#[test]
fn tlsa_vectors() {
    run("tlsa-record.jsonl", |v| {
        let rdata = v.input.as_str().ok_or("input is not a string")?;
        let result = mtasts::lint_tlsa(rdata);
        verdict(v, result.valid, &result.codes())?;
        if !v.expected.is_object() {
            return Ok(());
        }
        let tlsa = result.value.as_ref().ok_or("no value")?;
        for (key, got) in [
            ("usage", json!(tlsa.usage)),
            ("selector", json!(tlsa.selector)),
            ("matching_type", json!(tlsa.matching_type)),
            ("data_len", json!(tlsa.data_len())),
            ("usable_for_smtp_dane", json!(tlsa.usable_for_smtp_dane())),
        ] {
            if let Some(want) = v.expected.get(key) {
                if *want != got {
                    return Err(format!("{key}: expected {want}, got {got}"));
                }
            }
        }
        Ok(())
    })
}
