//! Answering DNS queries from the zones, as a validating recursive resolver would. No I/O: wire
//! bytes in, wire bytes out; the DoH transport lives in `doh.rs`.
//!
//! - Exact-name lookup; no wildcards, no delegation.
//! - CNAME chasing across all zones (RFC 1034 §3.6.2): the CNAME goes into the answer, then the
//!   target's records; the RCODE is the last name's (RFC 6604 §2). A chain over
//!   [`MAX_CNAME_CHAIN`] links (a loop) is answered SERVFAIL.
//! - NXDOMAIN when the name owns nothing and has nothing below it; NOERROR with an empty answer
//!   (NODATA) otherwise. Both carry the zone's SOA in the authority section when the zone has one.
//! - Names outside every zone are answered REFUSED: the stand-in is no real resolver, and REFUSED
//!   tells a scenario author that a zone file is missing rather than that the name does not exist.
//!   A CNAME chain that leaves the zones ends there, NOERROR with the CNAMEs so far.
//! - AD (RFC 6840 §5.7, RFC 4035 §3.2.3): set only when the query set AD or the DO bit, the
//!   answer is NOERROR or NXDOMAIN, and every zone the answer came from is `$SIGNED yes`. No
//!   RRSIG records are ever returned, even with DO set.
//! - RA is set (this is a recursive resolver's answer), AA is not; RD and CD are copied. An EDNS
//!   query gets an OPT record back, with the DO bit copied.
//! - Records added at run time ([`Zones::add`]) answer exactly as the zone files' do: they join
//!   the RRset of their name and type, and make their name (and the names above it) exist.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Bound;

use domain::base::iana::{Class, Opcode, Rcode};
use domain::base::message_builder::{PushError, StaticCompressor};
use domain::base::rdata::RecordData as _;
use domain::base::{Message, MessageBuilder, Rtype, ToName};
use domain::rdata::ZoneRecordData;

use crate::runtime_record::{
    parse_owner, parse_record, parse_value, RecordError, RecordType, RuntimeRecord,
};
use crate::zone::{RecordData, StoredName, Zone};

/// The longest CNAME chain followed.
pub const MAX_CNAME_CHAIN: usize = 8;

/// The most records added at run time, all names together.
pub const MAX_ADDED_RECORDS: usize = 1024;

/// The EDNS UDP payload size announced in answers (the DNS Flag Day 2020 value).
const EDNS_PAYLOAD_SIZE: u16 = 1232;

/// One resource record of an answer: owner, TTL, data.
pub(crate) type AnswerRecord = (StoredName, u32, RecordData);

/// What the stand-in does with a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// Answer with this RCODE and these records.
    Answer {
        /// The RCODE.
        rcode: Rcode,
        /// The answer section.
        answer: Vec<AnswerRecord>,
        /// The authority section (the SOA of a negative answer).
        authority: Vec<AnswerRecord>,
        /// Whether every zone the answer came from is signed.
        authenticated: bool,
    },
    /// Never answer (`$TIMEOUT`).
    Timeout,
}

/// What the transport sends back for a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reply {
    /// A DNS response message.
    Message(Vec<u8>),
    /// The request is not a DNS query message (HTTP 400).
    Malformed,
    /// Send nothing, ever (`$TIMEOUT`).
    NoAnswer,
}

/// The zones' records, indexed by owner name.
#[derive(Debug, Default)]
pub(crate) struct Zones {
    zones: Vec<ZoneInfo>,
    nodes: BTreeMap<StoredName, Vec<NodeRecord>>,
    /// How many records of `nodes` were added at run time.
    added: usize,
    servfail: BTreeSet<StoredName>,
    timeout: BTreeSet<StoredName>,
}

/// One record at a name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct NodeRecord {
    ttl: u32,
    data: RecordData,
    /// Added at run time (only these can be removed).
    added: bool,
}

/// How a change at run time left a name's records of one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordSetChange {
    /// How many records the change added or removed (0: the record was there already, or
    /// nothing matched).
    pub changed: usize,
    /// How many records of the type the name has now, from the zone file and added.
    pub rrset_len: usize,
}

#[derive(Debug)]
struct ZoneInfo {
    apex: StoredName,
    signed: bool,
    soa: Option<(u32, RecordData)>,
}

/// Why a set of zones cannot be served together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ZonesError {
    /// Two files for the same apex.
    DuplicateZone(String),
    /// A record (at `line` of the zone `zone`) whose owner lies inside the deeper zone `inner`.
    NameInInnerZone {
        zone: String,
        line: usize,
        name: String,
        inner: String,
    },
}

impl Zones {
    /// Indexes `zones`; a name belongs to the zone with the longest apex above it.
    pub(crate) fn new(zones: Vec<Zone>) -> Result<Self, ZonesError> {
        let mut index = Zones::default();
        for zone in &zones {
            if index.zones.iter().any(|z| z.apex == zone.apex) {
                return Err(ZonesError::DuplicateZone(zone.apex.to_string()));
            }
            index.zones.push(ZoneInfo {
                apex: zone.apex.clone(),
                signed: zone.signed,
                soa: None,
            });
        }
        for (position, zone) in zones.into_iter().enumerate() {
            for record in zone.records {
                if let Some(inner) = index.zone_for(&record.owner) {
                    if inner.apex != zone.apex {
                        return Err(ZonesError::NameInInnerZone {
                            zone: zone.apex.to_string(),
                            line: record.line,
                            name: record.owner.to_string(),
                            inner: inner.apex.to_string(),
                        });
                    }
                }
                if record.owner == zone.apex && record.data.rtype() == Rtype::SOA {
                    if let Some(info) = index.zones.get_mut(position) {
                        info.soa = Some((record.ttl, record.data.clone()));
                    }
                }
                index
                    .nodes
                    .entry(record.owner)
                    .or_default()
                    .push(NodeRecord {
                        ttl: record.ttl,
                        data: record.data,
                        added: false,
                    });
            }
            index.servfail.extend(zone.servfail);
            index.timeout.extend(zone.timeout);
        }
        Ok(index)
    }

    /// The zone with the longest apex at or above `name`.
    fn zone_for(&self, name: &StoredName) -> Option<&ZoneInfo> {
        self.zones
            .iter()
            .filter(|zone| name.ends_with(&zone.apex))
            .max_by_key(|zone| zone.apex.label_count())
    }

    /// Whether some owner lies strictly below `name` (an empty non-terminal, RFC 8020 §2).
    fn has_descendant(&self, name: &StoredName) -> bool {
        // RFC 4034 §6.1 order puts a name's descendants right after it.
        self.nodes
            .range::<StoredName, _>((Bound::Excluded(name), Bound::Unbounded))
            .next()
            .is_some_and(|(owner, _)| owner.ends_with(name))
    }

    /// Resolves `qname`/`qtype`.
    pub(crate) fn resolve(&self, qname: &StoredName, qtype: Rtype) -> Resolution {
        let mut name = qname.clone();
        let mut answer = Vec::new();
        let mut authenticated = true;
        for _ in 0..=MAX_CNAME_CHAIN {
            if self.timeout.contains(&name) {
                return Resolution::Timeout;
            }
            if self.servfail.contains(&name) {
                return failure(Rcode::SERVFAIL);
            }
            let Some(zone) = self.zone_for(&name) else {
                if answer.is_empty() {
                    return failure(Rcode::REFUSED);
                }
                return Resolution::Answer {
                    rcode: Rcode::NOERROR,
                    answer,
                    authority: Vec::new(),
                    authenticated: false,
                };
            };
            authenticated &= zone.signed;
            let records = self.nodes.get(&name).map(Vec::as_slice).unwrap_or_default();
            if qtype != Rtype::CNAME {
                let cname = records.iter().find_map(|record| match &record.data {
                    ZoneRecordData::Cname(cname) => {
                        Some((record.ttl, &record.data, cname.cname().clone()))
                    }
                    _ => None,
                });
                if let Some((ttl, data, target)) = cname {
                    answer.push((name, ttl, data.clone()));
                    name = target;
                    continue;
                }
            }
            let before = answer.len();
            answer.extend(
                records
                    .iter()
                    .filter(|record| qtype == Rtype::ANY || record.data.rtype() == qtype)
                    .map(|record| (name.clone(), record.ttl, record.data.clone())),
            );
            if answer.len() > before {
                return Resolution::Answer {
                    rcode: Rcode::NOERROR,
                    answer,
                    authority: Vec::new(),
                    authenticated,
                };
            }
            let exists = !records.is_empty() || name == zone.apex || self.has_descendant(&name);
            // RFC 2308 §3: the SOA's TTL in a negative answer is the smaller of TTL and MINIMUM.
            let authority = zone
                .soa
                .iter()
                .map(|(ttl, data)| {
                    let minimum = match data {
                        ZoneRecordData::Soa(soa) => soa.minimum().as_secs(),
                        _ => *ttl,
                    };
                    (zone.apex.clone(), (*ttl).min(minimum), data.clone())
                })
                .collect();
            return Resolution::Answer {
                rcode: if exists {
                    Rcode::NOERROR
                } else {
                    Rcode::NXDOMAIN
                },
                answer,
                authority,
                authenticated,
            };
        }
        failure(Rcode::SERVFAIL)
    }

    /// Whether records can be added or removed at `owner` at run time: inside a zone, not a
    /// `$SERVFAIL` or `$TIMEOUT` name.
    fn check_runtime_owner(&self, owner: &StoredName) -> Result<(), RecordError> {
        if self.zone_for(owner).is_none() {
            return Err(RecordError::OutsideZones(owner.to_string()));
        }
        if self.servfail.contains(owner) || self.timeout.contains(owner) {
            return Err(RecordError::FailingName(owner.to_string()));
        }
        Ok(())
    }

    /// How many records of `rtype` `owner` has.
    fn rrset_len(&self, owner: &StoredName, rtype: Rtype) -> usize {
        self.nodes.get(owner).map_or(0, |records| {
            records.iter().filter(|r| r.data.rtype() == rtype).count()
        })
    }

    /// Adds `record` to its name's RRset. A record already there (from the zone file or added
    /// before) is not added twice (RFC 2181 §5: an RRset has no duplicates).
    pub(crate) fn add(&mut self, record: &RuntimeRecord) -> Result<RecordSetChange, RecordError> {
        let (owner, ttl, data) = parse_record(record)?;
        self.check_runtime_owner(&owner)?;
        let rtype = data.rtype();
        let existing = self
            .nodes
            .get(&owner)
            .map(Vec::as_slice)
            .unwrap_or_default();
        if existing.iter().any(|r| r.data == data) {
            return Ok(RecordSetChange {
                changed: 0,
                rrset_len: self.rrset_len(&owner, rtype),
            });
        }
        // RFC 1034 §3.6.2: a CNAME is alone at its name.
        let is_cname = rtype == Rtype::CNAME;
        if existing
            .iter()
            .any(|r| is_cname || r.data.rtype() == Rtype::CNAME)
        {
            return Err(RecordError::CnameConflict(owner.to_string()));
        }
        if self.added >= MAX_ADDED_RECORDS {
            return Err(RecordError::TooMany);
        }
        self.nodes
            .entry(owner.clone())
            .or_default()
            .push(NodeRecord {
                ttl,
                data,
                added: true,
            });
        self.added += 1;
        Ok(RecordSetChange {
            changed: 1,
            rrset_len: self.rrset_len(&owner, rtype),
        })
    }

    /// Removes the records of `rtype` at `name` that were added at run time: the one whose value
    /// is `value`, or all of them. The zone files' records stay. A name left without records
    /// is gone again (NXDOMAIN, unless names below it exist).
    pub(crate) fn remove(
        &mut self,
        name: &str,
        rtype: RecordType,
        value: Option<&str>,
    ) -> Result<RecordSetChange, RecordError> {
        let owner = parse_owner(name)?;
        self.check_runtime_owner(&owner)?;
        let data = value.map(|v| parse_value(rtype, v)).transpose()?;
        let code = rtype.rtype();
        let mut removed = 0;
        if let Some(records) = self.nodes.get_mut(&owner) {
            let before = records.len();
            records.retain(|r| {
                !(r.added
                    && r.data.rtype() == code
                    && data.as_ref().is_none_or(|data| &r.data == data))
            });
            removed = before - records.len();
            if records.is_empty() {
                self.nodes.remove(&owner);
            }
        }
        self.added -= removed;
        Ok(RecordSetChange {
            changed: removed,
            rrset_len: self.rrset_len(&owner, code),
        })
    }

    /// Answers the DNS query message `query`.
    pub(crate) fn answer(&self, query: &[u8]) -> Reply {
        let Ok(query) = Message::from_octets(query) else {
            return Reply::Malformed;
        };
        if query.header().qr() {
            return Reply::Malformed;
        }
        match self.compose(&query) {
            Ok(Some(bytes)) => Reply::Message(bytes),
            Ok(None) => Reply::NoAnswer,
            Err(_) => Reply::Malformed,
        }
    }

    fn compose(&self, query: &Message<&[u8]>) -> Result<Option<Vec<u8>>, PushError> {
        let builder = MessageBuilder::from_target(StaticCompressor::new(Vec::new()))?;
        let opt = query.opt();
        let dnssec_ok = opt.as_ref().is_some_and(|opt| opt.dnssec_ok());
        let question = match query.sole_question() {
            Ok(question) if query.header().opcode() == Opcode::QUERY => question,
            Ok(_) => return finish_error(builder, query, Rcode::NOTIMP),
            Err(_) => return finish_error(builder, query, Rcode::FORMERR),
        };
        if question.qclass() != Class::IN {
            return finish_error(builder, query, Rcode::REFUSED);
        }
        let qname: StoredName = question.qname().to_name();
        let Resolution::Answer {
            rcode,
            answer,
            authority,
            authenticated,
        } = self.resolve(&qname, question.qtype())
        else {
            return Ok(None);
        };
        let mut builder = builder.start_answer(query, rcode)?;
        let header = builder.header_mut();
        header.set_ra(true);
        header.set_cd(query.header().cd());
        // RFC 6840 §5.7: report AD only to a client that asked, with AD or DO.
        let asked = query.header().ad() || dnssec_ok;
        header.set_ad(
            asked && authenticated && (rcode == Rcode::NOERROR || rcode == Rcode::NXDOMAIN),
        );
        for (owner, ttl, data) in &answer {
            builder.push((owner, Class::IN, *ttl, data))?;
        }
        let mut builder = builder.authority();
        for (owner, ttl, data) in &authority {
            builder.push((owner, Class::IN, *ttl, data))?;
        }
        let mut builder = builder.additional();
        if opt.is_some() {
            builder.opt(|opt| {
                opt.set_udp_payload_size(EDNS_PAYLOAD_SIZE);
                opt.set_dnssec_ok(dnssec_ok);
                Ok(())
            })?;
        }
        Ok(Some(builder.finish().into_target()))
    }
}

fn failure(rcode: Rcode) -> Resolution {
    Resolution::Answer {
        rcode,
        answer: Vec::new(),
        authority: Vec::new(),
        authenticated: false,
    }
}

fn finish_error(
    builder: MessageBuilder<StaticCompressor<Vec<u8>>>,
    query: &Message<&[u8]>,
    rcode: Rcode,
) -> Result<Option<Vec<u8>>, PushError> {
    let mut builder = builder.start_error(query, rcode);
    builder.header_mut().set_ra(true);
    Ok(Some(builder.finish().into_target()))
}

#[cfg(test)]
mod tests;
