//! `mta-sts-txt-record.jsonl`: one `_mta-sts` TXT string each, linted as the domain's STS record.

use crate::{run, verdict, Vector};
use mtasts::StsRecord;
use serde_json::{json, Value};

#[test]
fn sts_record_vectors() {
    run("mta-sts-txt-record.jsonl", |v| {
        let text = v.input.as_str().ok_or("input is not a string")?;
        let result = mtasts::lint_sts_record(text);
        verdict(v, result.valid, &result.codes())?;
        if v.expected_valid {
            compare(v, result.value.as_ref())?;
        }
        Ok(())
    })
}

/// Compares `v`, `id` and `extensions` (absent means none) with the vector's.
pub fn compare(v: &Vector, value: Option<&StsRecord>) -> Result<(), String> {
    let value = value.ok_or("valid but no value")?;
    let want = |key: &str| v.expected.get(key).cloned();
    let extensions: Vec<Value> = value
        .extensions
        .iter()
        .map(|(name, value)| json!([name, value]))
        .collect();
    for (key, got) in [
        ("v", Some(json!(value.version))),
        ("id", Some(json!(value.id))),
        ("extensions", Some(json!(extensions))),
    ] {
        let expected = want(key).or_else(|| (key == "extensions").then(|| json!([])));
        if expected.is_some() && expected != got {
            return Err(format!("{key}: expected {expected:?}, got {got:?}"));
        }
    }
    Ok(())
}
