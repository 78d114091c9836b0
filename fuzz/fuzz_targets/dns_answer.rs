//! `mtasts::dns::decode_answer` on any message. Invariants: what it reads is bounded by the
//! message (no more records than fit in it), and the CNAME chain of every owner ends (no longer
//! than the answer, no name twice).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtasts::dns::decode_answer;

fuzz_target!(|data: &[u8]| {
    let Ok(answer) = decode_answer(data) else {
        return;
    };
    // RFC 1035 §4.1.3: a resource record takes at least 11 octets (a root owner, type, class,
    // TTL, RDLENGTH), after the 12-octet header.
    assert!(answer.records.len() * 11 <= data.len().saturating_sub(12));
    for record in &answer.records {
        let chain = answer.cname_chain(&record.owner);
        assert!(chain.len() <= answer.records.len());
        for (i, name) in chain.iter().enumerate() {
            assert!(!chain[..i].contains(name), "{name} twice in {chain:?}");
        }
        let _ = answer.data_for(&record.owner);
    }
});
