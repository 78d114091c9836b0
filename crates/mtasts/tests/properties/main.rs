//! Property tests (issue 17, item 3): the core against models written from the RFC text, not from
//! its code.
//!
//! - [`mx`]: MX pattern matching (RFC 8461 §4.1) against a model of the RFC's rule;
//! - [`policy`]: the policy grammar (RFC 8461 §3.2): generated valid policies lint clean, and one
//!   mutation at a time gives the finding the RFC's rule calls for;
//! - [`txt`]: TXT character-strings (RFC 1035 §3.3.14, RFC 7208 §3.3, RFC 8461 §3.1, RFC 8460 §3):
//!   a value split into strings of at most 255 octets reads back whole, and the record readers
//!   judge the split form as they judge the joined value.
//!
//! Each property runs proptest's default 256 cases (`PROPTEST_CASES=N` runs more). A failure
//! prints the smallest input proptest found and writes its seed to
//! `properties/*.proptest-regressions`, which is rerun first next time (commit it with the fix).
#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

mod mx;
mod policy;
mod txt;
