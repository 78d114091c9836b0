//! `tlsrpt-record.jsonl`: one `_smtp._tls` TXT string each, linted as the domain's TLS-RPT
//! record.

use crate::{run, verdict};
use serde_json::{json, Value};

#[test]
fn tlsrpt_record_vectors() {
    run("tlsrpt-record.jsonl", |v| {
        let text = v.input.as_str().ok_or("input is not a string")?;
        let result = mtasts::lint_tlsrpt_record(text);
        verdict(v, result.valid, &result.codes())?;
        if !v.expected_valid {
            return Ok(());
        }
        let value = result.value.as_ref().ok_or("valid but no value")?;
        let extensions: Vec<Value> = value
            .extensions
            .iter()
            .map(|(name, value)| json!([name, value]))
            .collect();
        for (key, got) in [
            ("v", json!(value.version)),
            ("rua", json!(value.rua)),
            ("extensions", json!(extensions)),
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
