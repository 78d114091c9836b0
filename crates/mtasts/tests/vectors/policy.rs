//! `mta-sts-policy.jsonl`: a policy body → valid, and when valid the fields a sender reads.

use serde_json::{json, Value};

#[test]
fn mta_sts_policy() {
    crate::run("mta-sts-policy.jsonl", |v| {
        let result = mtasts::lint_policy(&v.input_bytes());
        crate::verdict(v, result.valid, &result.codes())?;
        if !result.valid {
            return Ok(());
        }
        let Some(policy) = &result.value else {
            return Err("valid, but no value".to_string());
        };
        let got = json!({
            "version": policy.version,
            "mode": policy.mode,
            "max_age": policy.max_age,
            "mx": policy.mx,
            "extensions": policy.extensions,
        });
        for key in ["version", "mode", "max_age", "mx", "extensions"] {
            let want = match (key, v.expected.get(key)) {
                ("extensions", None) => json!([]),
                (_, Some(want)) => want.clone(),
                (_, None) => Value::Null,
            };
            if got[key] != want {
                return Err(format!("{key}: expected {want}, we read {}", got[key]));
            }
        }
        Ok(())
    })
}
