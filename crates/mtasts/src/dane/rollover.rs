//! Whether a TLSA RRset survives a key change (RFC 7671 §8.1): it must already match the next
//! key, either with a second DANE-EE record for it ("3 1 1 current + 3 1 1 next") or with a
//! DANE-TA record for the issuer ("3 1 1 + 2 1 1"), which keeps matching a new key from it.

use super::tlsa::{CertUsage, Tlsa};

/// Whether the usable records of an RRset are ready for the next key: anything but exactly one
/// usable DANE-EE record and no usable DANE-TA record. An RRset without usable records has no
/// rollover to prepare (DANE does not authenticate with it).
pub fn rollover_ready(records: &[&Tlsa]) -> bool {
    let usable = records.iter().filter(|r| r.usable_for_smtp_dane());
    let (ee, ta) = usable.fold((0, 0), |(ee, ta), r| match r.usage {
        CertUsage::DaneEe => (ee + 1, ta),
        CertUsage::DaneTa => (ee, ta + 1),
        _ => (ee, ta),
    });
    !(ee == 1 && ta == 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dane::tlsa::parse_tlsa;

    #[test]
    fn one_dane_ee_record_alone_is_not_ready() {
        let ee = |n: u8| format!("3 1 1 {}", format!("{n:02x}").repeat(32));
        let ta = format!("2 1 1 {}", "ab".repeat(32));
        let pkix = format!("1 1 1 {}", "cd".repeat(32));
        for (rrset, want) in [
            (vec![ee(1)], false),
            (vec![ee(1), pkix.clone()], false),
            (vec![ee(1), ee(2)], true),
            (vec![ee(1), ta.clone()], true),
            (vec![ta], true),
            (vec![pkix], true),
            (vec![], true),
        ] {
            let parsed: Vec<Tlsa> = rrset
                .iter()
                .map(|text| parse_tlsa(text).unwrap_or_else(|e| panic!("{text}: {e}")))
                .collect();
            let refs: Vec<&Tlsa> = parsed.iter().collect();
            assert_eq!(rollover_ready(&refs), want, "{rrset:?}");
        }
    }
}
