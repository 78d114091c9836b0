//! Addresses that are no public mail host's: the special-purpose blocks of the IANA IPv4 and
//! IPv6 Special-Purpose Address Registries (RFC 6890), as far as a probe must not reach them.
//!
//! A domain's MX records name whatever addresses its owner likes. A tool that connects to them
//! on the user's behalf (`mtasts check --smtp`) would otherwise let a hostile domain point it at
//! the user's own machine, network or provider: [`classify`] says which block an address is in,
//! so the caller can refuse it unless told otherwise.
//!
//! What it does not do: know the global routing table (an unallocated public address is not
//! special here), or look behind a name (the caller classifies the addresses it resolved).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The kind of special-purpose block an address belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SpecialRange {
    /// `0.0.0.0/8` ("this network", RFC 791, RFC 6890 §2.2.2) and `::/128` (RFC 4291 §2.5.2).
    Unspecified,
    /// `127.0.0.0/8` (RFC 1122 §3.2.1.3) and `::1/128` (RFC 4291 §2.5.3): this machine.
    Loopback,
    /// `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` (RFC 1918) and `fc00::/7` (unique
    /// local, RFC 4193).
    Private,
    /// `100.64.0.0/10`: shared address space of carrier-grade NAT (RFC 6598).
    SharedCgnat,
    /// `169.254.0.0/16` (RFC 3927) and `fe80::/10` (RFC 4291 §2.5.6).
    LinkLocal,
    /// `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24` (RFC 5737) and `2001:db8::/32`
    /// (RFC 3849): for examples only.
    Documentation,
    /// `192.0.0.0/24` (IETF protocol assignments, RFC 6890 §2.2.2), `198.18.0.0/15`
    /// (benchmarking, RFC 2544) and `240.0.0.0/4` (reserved, RFC 1112 §4).
    Reserved,
    /// `224.0.0.0/4` (RFC 5771) and `ff00::/8` (RFC 4291 §2.7).
    Multicast,
    /// `255.255.255.255/32`, limited broadcast (RFC 919, RFC 8190).
    Broadcast,
}

impl SpecialRange {
    /// What the block is, in a few words: `loopback`, `private (RFC 1918, RFC 4193)`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecialRange::Unspecified => "unspecified",
            SpecialRange::Loopback => "loopback",
            SpecialRange::Private => "private (RFC 1918, RFC 4193)",
            SpecialRange::SharedCgnat => "carrier-grade NAT (RFC 6598)",
            SpecialRange::LinkLocal => "link-local",
            SpecialRange::Documentation => "documentation (RFC 5737, RFC 3849)",
            SpecialRange::Reserved => "reserved",
            SpecialRange::Multicast => "multicast",
            SpecialRange::Broadcast => "broadcast",
        }
    }
}

impl fmt::Display for SpecialRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The special-purpose block `address` is in, or `None` for an ordinary (global) address. An
/// IPv4-mapped IPv6 address (`::ffff:0:0/96`, RFC 4291 §2.5.5.2) is judged by its IPv4 address.
pub fn classify(address: IpAddr) -> Option<SpecialRange> {
    match address {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

/// `(first octets, prefix length, block)`, most specific first where blocks nest.
const V4_BLOCKS: [([u8; 4], u32, SpecialRange); 16] = [
    ([255, 255, 255, 255], 32, SpecialRange::Broadcast),
    ([0, 0, 0, 0], 8, SpecialRange::Unspecified),
    ([127, 0, 0, 0], 8, SpecialRange::Loopback),
    ([10, 0, 0, 0], 8, SpecialRange::Private),
    ([172, 16, 0, 0], 12, SpecialRange::Private),
    ([192, 168, 0, 0], 16, SpecialRange::Private),
    ([100, 64, 0, 0], 10, SpecialRange::SharedCgnat),
    ([169, 254, 0, 0], 16, SpecialRange::LinkLocal),
    ([192, 0, 2, 0], 24, SpecialRange::Documentation),
    ([198, 51, 100, 0], 24, SpecialRange::Documentation),
    ([203, 0, 113, 0], 24, SpecialRange::Documentation),
    ([192, 0, 0, 0], 24, SpecialRange::Reserved),
    ([198, 18, 0, 0], 15, SpecialRange::Reserved),
    ([224, 0, 0, 0], 4, SpecialRange::Multicast),
    ([240, 0, 0, 0], 4, SpecialRange::Reserved),
    // 192.88.99.0/24, the deprecated 6to4 relay anycast (RFC 7526).
    ([192, 88, 99, 0], 24, SpecialRange::Reserved),
];

fn classify_v4(address: Ipv4Addr) -> Option<SpecialRange> {
    let bits = u32::from(address);
    V4_BLOCKS.iter().find_map(|(start, prefix, range)| {
        let mask = u32::MAX.checked_shl(32 - prefix).unwrap_or(0);
        (bits & mask == u32::from_be_bytes(*start)).then_some(*range)
    })
}

/// `(first segments, prefix length, block)`.
const V6_BLOCKS: [([u16; 8], u32, SpecialRange); 7] = [
    ([0, 0, 0, 0, 0, 0, 0, 0], 128, SpecialRange::Unspecified),
    ([0, 0, 0, 0, 0, 0, 0, 1], 128, SpecialRange::Loopback),
    ([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7, SpecialRange::Private),
    ([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10, SpecialRange::LinkLocal),
    (
        [0x2001, 0xdb8, 0, 0, 0, 0, 0, 0],
        32,
        SpecialRange::Documentation,
    ),
    ([0xff00, 0, 0, 0, 0, 0, 0, 0], 8, SpecialRange::Multicast),
    // 100::/64, discard-only (RFC 6666).
    ([0x100, 0, 0, 0, 0, 0, 0, 0], 64, SpecialRange::Reserved),
];

fn classify_v6(address: Ipv6Addr) -> Option<SpecialRange> {
    let bits = u128::from(address);
    V6_BLOCKS.iter().find_map(|(start, prefix, range)| {
        let mask = u128::MAX.checked_shl(128 - prefix).unwrap_or(0);
        (bits & mask == u128::from(Ipv6Addr::from(*start))).then_some(*range)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each block's first and last address, and the addresses just outside it, from the IANA
    /// IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 §2.2.2, §2.2.3).
    #[test]
    fn addresses_fall_in_their_blocks() {
        use SpecialRange::*;
        for (address, want) in [
            ("0.0.0.0", Some(Unspecified)),
            ("0.255.255.255", Some(Unspecified)),
            ("1.0.0.0", None),
            ("127.0.0.1", Some(Loopback)),
            ("127.255.255.254", Some(Loopback)),
            ("128.0.0.1", None),
            ("10.0.0.0", Some(Private)),
            ("10.255.255.255", Some(Private)),
            ("11.0.0.1", None),
            ("172.15.255.255", None),
            ("172.16.0.0", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("172.32.0.0", None),
            ("192.167.255.255", None),
            ("192.168.0.1", Some(Private)),
            ("192.169.0.0", None),
            ("100.63.255.255", None),
            ("100.64.0.0", Some(SharedCgnat)),
            ("100.127.255.255", Some(SharedCgnat)),
            ("100.128.0.0", None),
            ("169.254.0.1", Some(LinkLocal)),
            ("169.255.0.1", None),
            ("192.0.2.1", Some(Documentation)),
            ("198.51.100.7", Some(Documentation)),
            ("203.0.113.255", Some(Documentation)),
            ("203.0.114.0", None),
            ("192.0.0.8", Some(Reserved)),
            ("198.18.0.1", Some(Reserved)),
            ("198.19.255.255", Some(Reserved)),
            ("198.20.0.0", None),
            ("192.88.99.1", Some(Reserved)),
            ("224.0.0.1", Some(Multicast)),
            ("239.255.255.255", Some(Multicast)),
            ("240.0.0.1", Some(Reserved)),
            ("255.255.255.254", Some(Reserved)),
            ("255.255.255.255", Some(Broadcast)),
            ("8.8.8.8", None),
            ("93.184.215.14", None),
            ("::", Some(Unspecified)),
            ("::1", Some(Loopback)),
            ("::2", None),
            ("fc00::1", Some(Private)),
            ("fdff:ffff::1", Some(Private)),
            ("fe00::1", None),
            ("fe80::1", Some(LinkLocal)),
            ("febf:ffff::1", Some(LinkLocal)),
            ("fec0::1", None),
            ("2001:db8::25", Some(Documentation)),
            ("2001:db9::25", None),
            ("ff02::1", Some(Multicast)),
            ("100::1", Some(Reserved)),
            ("100:0:0:1::1", None),
            ("2a00:1450:4001:81d::200e", None),
            // IPv4-mapped: judged as the IPv4 address.
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("::ffff:10.1.2.3", Some(Private)),
            ("::ffff:8.8.8.8", None),
        ] {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(classify(ip), want, "{address}");
        }
    }
}
