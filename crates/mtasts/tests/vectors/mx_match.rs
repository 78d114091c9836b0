//! `mx-pattern-match.jsonl`: an MX host and a policy's `mx` patterns → whether one covers it.

#[test]
fn mx_pattern_match() {
    crate::run("mx-pattern-match.jsonl", |v| {
        let host = v.input["mx_host"].as_str().ok_or("no mx_host")?;
        let patterns: Vec<String> = v.input["policy_mx"]
            .as_array()
            .ok_or("no policy_mx")?
            .iter()
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect();
        let matched = patterns.iter().any(|p| mtasts::mx::matches(p, host));
        let want = v.expected["matches"]
            .as_bool()
            .ok_or("no expected matches")?;
        if want != v.expected_valid {
            return Err(format!(
                "vector says matches={want} but expected_valid={}",
                v.expected_valid
            ));
        }
        let covering = mtasts::mx::covering_pattern(&patterns, host);
        if covering.is_some() != matched {
            return Err(format!(
                "covering_pattern says {covering:?}, matches says {matched}"
            ));
        }
        if matched == want {
            Ok(())
        } else {
            Err(format!("expected matches={want}, we say {matched}"))
        }
    })
}
