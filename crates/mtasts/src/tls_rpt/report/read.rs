//! Reading a report's JSON leniently (RFC 8460 §4.4), into raw structures that remember what was
//! absent, what had the wrong JSON type and what could still be read from it.
//!
//! Nothing here judges: [`super::validate`] turns the raw structures into the summary and the
//! findings. The reader is a set of hand-written serde visitors over `serde_json`: it recurses
//! only as deep as the report's own schema (anything deeper, and unknown members, are skipped by
//! serde_json without recursion and without being built; serde_json's recursion limit stays on),
//! keeps the first of duplicate members, and charges every value it keeps to a [`Budget`], so a
//! small document cannot become a large tree.

use super::{PolicyType, ResultType};
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use std::cell::Cell;
use std::fmt;
use std::marker::PhantomData;
use std::mem::size_of;

/// How much of a wrongly typed string is kept for the message.
const SEEN_CHARS: usize = 48;

/// A JSON value that stood where the RFC wants another type, described for a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Seen {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// A string (its start).
    String(String),
    /// An array.
    Array,
    /// An object.
    Object,
}

impl Seen {
    fn string(text: &str) -> Seen {
        let mut kept: String = text.chars().take(SEEN_CHARS).collect();
        if kept.len() < text.len() {
            kept.push('…');
        }
        Seen::String(kept)
    }
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Seen::Null => f.write_str("null"),
            Seen::Bool(b) => write!(f, "{b}"),
            Seen::Number(n) => write!(f, "the number {n}"),
            Seen::String(s) => write!(f, "the string {s:?}"),
            Seen::Array => f.write_str("an array"),
            Seen::Object => f.write_str("an object"),
        }
    }
}

/// One member of a JSON object, as read.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Slot<T> {
    /// Not there.
    #[default]
    Absent,
    /// There, with the type the RFC asks for.
    Found(T),
    /// There with another type, and still readable (`"12"` for a count, a string for a list).
    /// Boxed, with [`Slot::Wrong`]'s description, so that a kept slot is no larger than `T`.
    Coerced(Box<(T, Seen)>),
    /// There with another type, and unreadable.
    Wrong(Box<Seen>),
}

impl<T> Slot<T> {
    /// Read from a value of another type (boxed: a kept slot stays small).
    pub(crate) fn coerced(value: T, seen: Seen) -> Slot<T> {
        Slot::Coerced(Box::new((value, seen)))
    }

    /// Unreadable: a value of another type.
    pub(crate) fn wrong(seen: Seen) -> Slot<T> {
        Slot::Wrong(Box::new(seen))
    }

    /// Keeps the first of duplicate members (as RFC 8461 §3.2 does for policy fields; RFC 8259
    /// §4 leaves duplicates to the reader).
    fn keep_first(&mut self, value: Slot<T>) {
        if matches!(self, Slot::Absent) {
            *self = value;
        }
    }
}

/// The memory a report may take once read, charged as values are kept.
#[derive(Debug)]
pub(crate) struct Budget {
    left: Cell<usize>,
    exceeded: Cell<bool>,
}

impl Budget {
    /// A budget of `bytes`.
    pub(crate) fn new(bytes: usize) -> Budget {
        Budget {
            left: Cell::new(bytes),
            exceeded: Cell::new(false),
        }
    }

    /// Whether reading stopped because the budget ran out.
    pub(crate) fn exceeded(&self) -> bool {
        self.exceeded.get()
    }

    fn charge<E: de::Error>(&self, bytes: usize) -> Result<(), E> {
        match self.left.get().checked_sub(bytes) {
            Some(left) => {
                self.left.set(left);
                Ok(())
            }
            None => {
                self.exceeded.set(true);
                Err(E::custom(
                    "the report takes more memory than its size allows",
                ))
            }
        }
    }
}

/// A type read leniently from any JSON value: each hook answers for one JSON type, and by
/// default calls it the wrong type.
pub(crate) trait Lenient: Sized {
    /// From a JSON string.
    fn from_str<E: de::Error>(text: &str, _budget: &Budget) -> Result<Slot<Self>, E> {
        Ok(Slot::wrong(Seen::string(text)))
    }

    /// From a non-negative integer.
    fn from_u64(n: u64) -> Slot<Self> {
        Slot::wrong(Seen::Number(n.to_string()))
    }

    /// From a negative integer.
    fn from_i64(n: i64) -> Slot<Self> {
        Slot::wrong(Seen::Number(n.to_string()))
    }

    /// From a number with a fraction or an exponent.
    fn from_f64(n: f64) -> Slot<Self> {
        Slot::wrong(Seen::Number(n.to_string()))
    }

    /// From a JSON array.
    fn from_seq<'de, A: SeqAccess<'de>>(
        mut seq: A,
        _budget: &Budget,
    ) -> Result<Slot<Self>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Slot::wrong(Seen::Array))
    }

    /// From a JSON object.
    fn from_map<'de, A: MapAccess<'de>>(
        mut map: A,
        _budget: &Budget,
    ) -> Result<Slot<Self>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Slot::wrong(Seen::Object))
    }

    /// From a JSON object, written into `target`: objects are filled where they will stay
    /// rather than built and moved (they are large).
    fn from_map_into<'de, A: MapAccess<'de>>(
        map: A,
        budget: &Budget,
        target: &mut Slot<Self>,
    ) -> Result<(), A::Error> {
        *target = Self::from_map(map, budget)?;
        Ok(())
    }
}

/// Reads one `Slot<T>` from any JSON value, charging `budget`.
pub(crate) struct SlotSeed<'b, T> {
    budget: &'b Budget,
    marker: PhantomData<T>,
}

impl<'b, T> SlotSeed<'b, T> {
    pub(crate) fn new(budget: &'b Budget) -> Self {
        SlotSeed {
            budget,
            marker: PhantomData,
        }
    }
}

impl<'de, T: Lenient> DeserializeSeed<'de> for SlotSeed<'_, T> {
    type Value = Slot<T>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Slot<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Lenient> Visitor<'de> for SlotSeed<'_, T> {
    type Value = Slot<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Slot<T>, E> {
        Ok(Slot::wrong(Seen::Bool(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Slot<T>, E> {
        Ok(T::from_u64(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Slot<T>, E> {
        Ok(T::from_i64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slot<T>, E> {
        Ok(T::from_f64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Slot<T>, E> {
        T::from_str(v, self.budget)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Slot<T>, E> {
        Ok(Slot::wrong(Seen::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Slot<T>, E> {
        Ok(Slot::wrong(Seen::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Slot<T>, A::Error> {
        T::from_seq(seq, self.budget)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Slot<T>, A::Error> {
        T::from_map(map, self.budget)
    }
}

/// Reads one `Slot<T>` from any JSON value into `target`, charging `budget`.
struct SlotInPlace<'b, 't, T> {
    budget: &'b Budget,
    target: &'t mut Slot<T>,
}

impl<'de, T: Lenient> DeserializeSeed<'de> for SlotInPlace<'_, '_, T> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Lenient> Visitor<'de> for SlotInPlace<'_, '_, T> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        *self.target = Slot::wrong(Seen::Bool(v));
        Ok(())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        *self.target = T::from_u64(v);
        Ok(())
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        *self.target = T::from_i64(v);
        Ok(())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        *self.target = T::from_f64(v);
        Ok(())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        *self.target = T::from_str(v, self.budget)?;
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        *self.target = Slot::wrong(Seen::Null);
        Ok(())
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        *self.target = Slot::wrong(Seen::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        *self.target = T::from_seq(seq, self.budget)?;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        T::from_map_into(map, self.budget, self.target)
    }
}

impl Lenient for String {
    fn from_str<E: de::Error>(text: &str, budget: &Budget) -> Result<Slot<Self>, E> {
        budget.charge(text.len())?;
        Ok(Slot::Found(text.to_owned()))
    }
}

/// `policy-type`, read straight from the string: a known name costs no allocation.
impl Lenient for PolicyType {
    fn from_str<E: de::Error>(text: &str, budget: &Budget) -> Result<Slot<Self>, E> {
        budget.charge(text.len())?;
        Ok(Slot::Found(PolicyType::from_name(text)))
    }
}

/// `result-type`, read straight from the string: a registered name costs no allocation.
impl Lenient for ResultType {
    fn from_str<E: de::Error>(text: &str, budget: &Budget) -> Result<Slot<Self>, E> {
        budget.charge(text.len())?;
        Ok(Slot::Found(ResultType::from_name(text)))
    }
}

/// A session count: a non-negative integer (RFC 8460 §4.4). Read leniently from an integral
/// float (`3.0`) or a string of digits (`"3"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Count(pub(crate) u64);

impl Lenient for Count {
    fn from_u64(n: u64) -> Slot<Self> {
        Slot::Found(Count(n))
    }

    fn from_f64(n: f64) -> Slot<Self> {
        let seen = Seen::Number(n.to_string());
        // Integral and exact in an f64 (below 2^53).
        if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n < 9_007_199_254_740_992.0 {
            Slot::coerced(Count(n as u64), seen)
        } else {
            Slot::wrong(seen)
        }
    }

    fn from_str<E: de::Error>(text: &str, _budget: &Budget) -> Result<Slot<Self>, E> {
        let digits = text.trim();
        Ok(match digits.parse::<u64>() {
            Ok(n) if digits.bytes().all(|c| c.is_ascii_digit()) => {
                Slot::coerced(Count(n), Seen::string(text))
            }
            _ => Slot::wrong(Seen::string(text)),
        })
    }
}

/// A JSON array whose elements are read leniently one by one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct List<T>(pub(crate) Vec<Slot<T>>);

impl<T: Lenient> List<T> {
    /// Reads the elements, charging the budget for the list's capacity before it grows.
    fn read<'de, A: SeqAccess<'de>>(mut seq: A, budget: &Budget) -> Result<Self, A::Error> {
        let mut items: Vec<Slot<T>> = Vec::new();
        loop {
            if items.len() < items.capacity() {
                // Room already paid for: the element is read where it stays.
                items.push(Slot::Absent);
                let Some(target) = items.last_mut() else {
                    break;
                };
                let seed = SlotInPlace { budget, target };
                if seq.next_element_seed(seed)?.is_none() {
                    items.pop();
                    break;
                }
                continue;
            }
            let Some(item) = seq.next_element_seed(SlotSeed::<T>::new(budget))? else {
                break;
            };
            let more = items.capacity().max(4);
            budget.charge::<A::Error>(more.saturating_mul(size_of::<Slot<T>>()))?;
            items.reserve_exact(more);
            items.push(item);
        }
        Ok(List(items))
    }
}

impl<T: Lenient> Lenient for List<T> {
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A, budget: &Budget) -> Result<Slot<Self>, A::Error> {
        List::read(seq, budget).map(Slot::Found)
    }
}

/// An array of strings (`policy-string`, `mx-host`): a lone string is read as a list of one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Strings(pub(crate) Vec<Slot<String>>);

impl Lenient for Strings {
    fn from_seq<'de, A: SeqAccess<'de>>(seq: A, budget: &Budget) -> Result<Slot<Self>, A::Error> {
        List::read(seq, budget).map(|list| Slot::Found(Strings(list.0)))
    }

    fn from_str<E: de::Error>(text: &str, budget: &Budget) -> Result<Slot<Self>, E> {
        budget.charge(text.len().saturating_add(size_of::<Slot<String>>()))?;
        Ok(Slot::coerced(
            Strings(vec![Slot::Found(text.to_owned())]),
            Seen::string(text),
        ))
    }
}

/// Declares the member names of one object as an enum read without allocating.
macro_rules! members {
    ($name:ident { $($variant:ident => $key:literal,)* }) => {
        #[derive(Debug, Clone, Copy)]
        enum $name { $($variant,)* Unknown }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Names;
                impl<'de> Visitor<'de> for Names {
                    type Value = $name;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str("a member name")
                    }
                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$name, E> {
                        Ok(match v { $($key => $name::$variant,)* _ => $name::Unknown })
                    }
                }
                deserializer.deserialize_identifier(Names)
            }
        }
    };
}

/// Declares a raw object: its members, each a `Slot`, read from a JSON object.
macro_rules! raw_object {
    ($(#[$doc:meta])* $raw:ident via $names:ident {
        $($(#[$fdoc:meta])* $field:ident : $ty:ty => $variant:ident $key:literal,)*
    }) => {
        members!($names { $($variant => $key,)* });

        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq)]
        pub(crate) struct $raw {
            $($(#[$fdoc])* pub(crate) $field: Slot<$ty>,)*
        }

        impl Lenient for $raw {
            fn from_map<'de, A: MapAccess<'de>>(map: A, budget: &Budget) -> Result<Slot<Self>, A::Error> {
                let mut raw = Slot::Absent;
                Self::from_map_into(map, budget, &mut raw)?;
                Ok(raw)
            }

            fn from_map_into<'de, A: MapAccess<'de>>(
                map: A,
                budget: &Budget,
                target: &mut Slot<Self>,
            ) -> Result<(), A::Error> {
                *target = Slot::Found($raw::default());
                if let Slot::Found(raw) = target {
                    raw.fill(map, budget)?;
                }
                Ok(())
            }
        }

        impl $raw {
            /// Reads the members of a JSON object into `self`, keeping the first of duplicates.
            fn fill<'de, A: MapAccess<'de>>(&mut self, mut map: A, budget: &Budget) -> Result<(), A::Error> {
                let raw = self;
                while let Some(name) = map.next_key::<$names>()? {
                    match name {
                        $($names::$variant => {
                            if matches!(raw.$field, Slot::Absent) {
                                map.next_value_seed(SlotInPlace { budget, target: &mut raw.$field })?;
                            } else {
                                // A duplicate is read (and charged) all the same, then dropped.
                                raw.$field.keep_first(map.next_value_seed(SlotSeed::new(budget))?);
                            }
                        })*
                        $names::Unknown => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(())
            }
        }
    };
}

raw_object!(
    /// The report object (RFC 8460 §4.4).
    RawReport via ReportMember {
        /// `organization-name`.
        organization_name: String => OrganizationName "organization-name",
        /// `date-range`.
        date_range: RawDateRange => DateRange "date-range",
        /// `contact-info`.
        contact_info: String => ContactInfo "contact-info",
        /// `report-id`.
        report_id: String => ReportId "report-id",
        /// `policies`.
        policies: List<RawPolicyEntry> => Policies "policies",
    }
);

raw_object!(
    /// `date-range`.
    RawDateRange via DateRangeMember {
        /// `start-datetime`.
        start: String => Start "start-datetime",
        /// `end-datetime`.
        end: String => End "end-datetime",
    }
);

raw_object!(
    /// One element of `policies`.
    RawPolicyEntry via PolicyEntryMember {
        /// `policy`.
        policy: RawPolicy => Policy "policy",
        /// `summary`.
        summary: RawSummary => Summary "summary",
        /// `failure-details`.
        failure_details: List<RawFailure> => FailureDetails "failure-details",
    }
);

raw_object!(
    /// `policy`.
    RawPolicy via PolicyMember {
        /// `policy-type`.
        policy_type: PolicyType => PolicyType "policy-type",
        /// `policy-string`.
        policy_string: Strings => PolicyString "policy-string",
        /// `policy-domain`.
        policy_domain: String => PolicyDomain "policy-domain",
        /// `mx-host`.
        mx_host: Strings => MxHost "mx-host",
    }
);

raw_object!(
    /// `summary`.
    RawSummary via SummaryMember {
        /// `total-successful-session-count`.
        successful: Count => Successful "total-successful-session-count",
        /// `total-failure-session-count`.
        failed: Count => Failed "total-failure-session-count",
    }
);

raw_object!(
    /// One element of `failure-details`.
    RawFailure via FailureMember {
        /// `result-type`.
        result_type: ResultType => ResultType "result-type",
        /// `sending-mta-ip`.
        sending_mta_ip: String => SendingMtaIp "sending-mta-ip",
        /// `receiving-mx-hostname`.
        receiving_mx_hostname: String => ReceivingMxHostname "receiving-mx-hostname",
        /// `receiving-mx-host-name`: SocketLabs' spelling, read when the right one is absent.
        receiving_mx_host_name: String => ReceivingMxHostName "receiving-mx-host-name",
        /// `receiving-mx-helo`.
        receiving_mx_helo: String => ReceivingMxHelo "receiving-mx-helo",
        /// `receiving-ip`.
        receiving_ip: String => ReceivingIp "receiving-ip",
        /// `failed-session-count`.
        failed: Count => FailedSessionCount "failed-session-count",
        /// `additional-information`.
        additional_information: String => AdditionalInformation "additional-information",
        /// `failure-reason-code`.
        failure_reason_code: String => FailureReasonCode "failure-reason-code",
    }
);

/// Why a document could not be read at all.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ReadError {
    /// Not JSON (serde_json's message, with line and column).
    Syntax(String),
    /// Reading would take more memory than the budget.
    Budget,
}

/// Reads one document from `deserializer`, refusing trailing characters.
fn read_from<'de, R: serde_json::de::Read<'de>>(
    deserializer: &mut serde_json::Deserializer<R>,
    budget: &Budget,
) -> Result<Slot<RawReport>, serde_json::Error> {
    SlotSeed::<RawReport>::new(budget)
        .deserialize(&mut *deserializer)
        .and_then(|report| deserializer.end().map(|()| report))
}

/// Reads one JSON document, refusing trailing characters.
pub(crate) fn read(json: &[u8], budget: &Budget) -> Result<Slot<RawReport>, ReadError> {
    let json = json.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(json);
    // A document that is UTF-8 throughout (nearly all) is checked once here, so that serde_json
    // does not check each string again; any other is read from the bytes, with serde_json's
    // own errors.
    let outcome = match std::str::from_utf8(json) {
        Ok(text) => read_from(&mut serde_json::Deserializer::from_str(text), budget),
        Err(_) => read_from(&mut serde_json::Deserializer::from_slice(json), budget),
    };
    outcome.map_err(|e| {
        if budget.exceeded() {
            ReadError::Budget
        } else {
            ReadError::Syntax(e.to_string())
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_str(json: &str) -> Result<Slot<RawReport>, ReadError> {
        read(json.as_bytes(), &Budget::new(1 << 20))
    }

    fn report(json: &str) -> RawReport {
        match read_str(json) {
            Ok(Slot::Found(r)) => r,
            other => panic!("{json}: {other:?}"),
        }
    }

    #[test]
    fn top_level_shapes() {
        for (json, want) in [
            ("[]", Ok(Slot::wrong(Seen::Array))),
            ("null", Ok(Slot::wrong(Seen::Null))),
            ("\"x\"", Ok(Slot::wrong(Seen::String("x".into())))),
            ("1.5", Ok(Slot::wrong(Seen::Number("1.5".into())))),
            ("{}", Ok(Slot::Found(RawReport::default()))),
            ("\u{feff}{}", Ok(Slot::Found(RawReport::default()))),
        ] {
            assert_eq!(read_str(json), want, "{json}");
        }
        for json in ["", "{", "{} {}", "{\"a\":}", "[1,]", "{'a':1}"] {
            assert!(
                matches!(read_str(json), Err(ReadError::Syntax(_))),
                "{json}"
            );
        }
    }

    #[test]
    fn members_read_leniently() {
        let r = report(
            r#"{"organization-name": 5, "contact-info": null, "report-id": "a", "report-id": "b",
                "unknown": {"deep": [1, {"x": null}]},
                "date-range": {"start-datetime": "s", "end-datetime": ["e"]},
                "policies": [
                  {"policy": {"policy-type": "sts", "mx-host": "mx.example", "policy-string": ["a", 1]},
                   "summary": {"total-successful-session-count": "12", "total-failure-session-count": 2.0},
                   "failure-details": [{"result-type": "x", "failed-session-count": -1,
                                        "receiving-mx-host-name": "mx"}, 7]},
                  "not an object"
                ]}"#,
        );
        assert_eq!(r.organization_name, Slot::wrong(Seen::Number("5".into())));
        assert_eq!(r.contact_info, Slot::wrong(Seen::Null));
        assert_eq!(r.report_id, Slot::Found("a".into()));
        let Slot::Found(range) = r.date_range else {
            panic!()
        };
        assert_eq!(range.start, Slot::Found("s".into()));
        assert_eq!(range.end, Slot::wrong(Seen::Array));
        let Slot::Found(List(policies)) = r.policies else {
            panic!()
        };
        assert_eq!(policies.len(), 2);
        assert_eq!(
            policies[1],
            Slot::wrong(Seen::String("not an object".into()))
        );
        let Slot::Found(entry) = &policies[0] else {
            panic!()
        };
        let Slot::Found(policy) = &entry.policy else {
            panic!()
        };
        assert_eq!(
            policy.mx_host,
            Slot::coerced(
                Strings(vec![Slot::Found("mx.example".into())]),
                Seen::String("mx.example".into())
            )
        );
        assert_eq!(
            policy.policy_string,
            Slot::Found(Strings(vec![
                Slot::Found("a".into()),
                Slot::wrong(Seen::Number("1".into()))
            ]))
        );
        let Slot::Found(summary) = &entry.summary else {
            panic!()
        };
        assert_eq!(
            summary.successful,
            Slot::coerced(Count(12), Seen::String("12".into()))
        );
        assert_eq!(
            summary.failed,
            Slot::coerced(Count(2), Seen::Number("2".into()))
        );
        let Slot::Found(List(failures)) = &entry.failure_details else {
            panic!()
        };
        assert_eq!(failures[1], Slot::wrong(Seen::Number("7".into())));
        let Slot::Found(failure) = &failures[0] else {
            panic!()
        };
        assert_eq!(failure.failed, Slot::wrong(Seen::Number("-1".into())));
        assert_eq!(failure.receiving_mx_host_name, Slot::Found("mx".into()));
    }

    #[test]
    fn duplicates_keep_the_first_inside_lists_too() {
        let r = report(
            r#"{"policies":[{"policy":{"policy-type":"sts","policy-type":"tlsa"},"policy":7,
                             "failure-details":[{"result-type":"a","result-type":1}],
                             "failure-details":[]}]}"#,
        );
        let Slot::Found(List(policies)) = r.policies else {
            panic!()
        };
        let Slot::Found(entry) = &policies[0] else {
            panic!()
        };
        let Slot::Found(policy) = &entry.policy else {
            panic!()
        };
        assert_eq!(policy.policy_type, Slot::Found(PolicyType::Sts));
        let Slot::Found(List(failures)) = &entry.failure_details else {
            panic!()
        };
        let Slot::Found(failure) = &failures[0] else {
            panic!()
        };
        assert_eq!(
            failure.result_type,
            Slot::Found(ResultType::Unregistered("a".into()))
        );
    }

    #[test]
    fn counts() {
        for (json, want) in [
            ("0", Slot::Found(Count(0))),
            ("18446744073709551615", Slot::Found(Count(u64::MAX))),
            (
                "18446744073709551616",
                Slot::wrong(Seen::Number("18446744073709552000".into())),
            ),
            ("3.5", Slot::wrong(Seen::Number("3.5".into()))),
            ("-0.0", Slot::coerced(Count(0), Seen::Number("-0".into()))),
            (
                "1e3",
                Slot::coerced(Count(1000), Seen::Number("1000".into())),
            ),
            (
                "\" 7 \"",
                Slot::coerced(Count(7), Seen::String(" 7 ".into())),
            ),
            ("\"+7\"", Slot::wrong(Seen::String("+7".into()))),
            ("\"\"", Slot::wrong(Seen::String("".into()))),
            ("true", Slot::wrong(Seen::Bool(true))),
        ] {
            let doc = format!(
                r#"{{"policies":[{{"summary":{{"total-successful-session-count":{json}}}}}]}}"#
            );
            let r = report(&doc);
            let Slot::Found(List(p)) = r.policies else {
                panic!()
            };
            let Slot::Found(e) = &p[0] else { panic!() };
            let Slot::Found(s) = &e.summary else { panic!() };
            assert_eq!(s.successful, want, "{json}");
        }
    }

    #[test]
    fn slots_are_no_larger_than_needed() {
        assert_eq!(size_of::<Slot<String>>(), size_of::<String>());
        assert!(size_of::<RawFailure>() <= 9 * size_of::<String>());
    }

    #[test]
    fn long_strings_are_cut_in_messages() {
        let long = "x".repeat(100);
        let seen = Seen::string(&long);
        assert_eq!(
            seen.to_string().chars().count(),
            SEEN_CHARS + 3 + "the string ".len()
        );
    }

    #[test]
    fn budget_bounds_what_is_kept() {
        let many = format!(r#"{{"policies":[{}{{}}]}}"#, "{},".repeat(10_000));
        assert_eq!(
            read(many.as_bytes(), &Budget::new(100_000)),
            Err(ReadError::Budget)
        );
        assert!(read(many.as_bytes(), &Budget::new(100_000_000)).is_ok());
        let strings = format!(
            r#"{{"policies":[{{"policy":{{"mx-host":[{}""]}}}}]}}"#,
            "\"\",".repeat(10_000)
        );
        assert_eq!(
            read(strings.as_bytes(), &Budget::new(100_000)),
            Err(ReadError::Budget)
        );
        // Skipped members cost nothing.
        let skipped = format!(r#"{{"x":[{}0],"policies":[]}}"#, "{},".repeat(10_000));
        assert!(read(skipped.as_bytes(), &Budget::new(1_000)).is_ok());
    }

    #[test]
    fn deep_nesting_is_skipped_without_recursion() {
        // Below the schema's own depth, values are skipped by serde_json without recursing.
        for deep in [
            format!("{{\"x\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000)),
            format!(
                "{{\"policies\":[{{\"policy\":{{\"mx-host\":[{}{}]}}}}]}}",
                "{\"a\":[".repeat(50_000),
                "]}".repeat(50_000)
            ),
        ] {
            assert!(matches!(read_str(&deep), Ok(Slot::Found(_))));
        }
    }
}
