//! X.509 certificates as both [`crate::cert`] and [`crate::dane`] read them: a chain of decoded
//! certificates ([`chain`]) and whether a certificate's names cover a host ([`identity`]).
//!
//! A leaf: it imports neither `cert` nor `dane`, so `cert` can use `dane` (to judge a chain by
//! TLSA records) while `dane` reads certificates through this module.

pub mod chain;
pub mod identity;
