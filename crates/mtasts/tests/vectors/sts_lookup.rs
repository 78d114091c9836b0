//! `mta-sts-txt-lookup.jsonl`: whole `_mta-sts` RRsets. A vector is valid when senders end up
//! with one valid record: the lint is valid *and* selects a record (an empty RRset lints valid,
//! with `sts-record.missing`, but gives no policy). DNS-level outcomes (`dns_error`, `dns_rcode`,
//! `rrs: null`) never give a record; they are linted as an empty RRset. CNAME chains are followed
//! by the resolver and are transparent here.

use crate::{run, verdict};
use serde_json::Value;

#[test]
fn sts_lookup_vectors() {
    run("mta-sts-txt-lookup.jsonl", |v| {
        let dns_outcome = v.input.get("dns_error").is_some()
            || v.input.get("dns_rcode").is_some()
            || v.input.get("rrs").is_none_or(Value::is_null);
        if dns_outcome && v.expected_valid {
            return Err("a DNS-level outcome is marked valid".to_string());
        }
        let rrset = rrset(v.input.get("rrs").unwrap_or(&Value::Null))?;
        let result = mtasts::lint_sts_rrset(&rrset);
        let selected = result.valid && result.value.is_some();
        verdict(v, selected, &result.codes())?;
        if let (true, Some(Value::String(id))) = (v.expected_valid, v.expected.get("id")) {
            let got = result.value.as_ref().map(|r| r.id.as_str());
            if got != Some(id.as_str()) {
                return Err(format!("id: expected {id:?}, got {got:?}"));
            }
        }
        Ok(())
    })
}

/// `rrs` as records of character-strings; `null` is the empty RRset.
fn rrset(rrs: &Value) -> Result<Vec<Vec<String>>, String> {
    let Some(records) = rrs.as_array() else {
        return Ok(Vec::new());
    };
    records
        .iter()
        .map(|rr| {
            rr.as_array()
                .ok_or("an RR is not a list of strings")?
                .iter()
                .map(|s| {
                    s.as_str()
                        .map(str::to_string)
                        .ok_or("not a string".to_string())
                })
                .collect()
        })
        .collect()
}
