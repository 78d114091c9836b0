//! DANE for SMTP (RFC 7672) and TLSA records (RFC 6698).

pub mod matching;
pub mod rollover;
pub mod tlsa;
pub mod verify;

pub use matching::{authenticate, DaneAuthentication, TlsaMatch};
pub use rollover::rollover_ready;
pub use verify::{dane_verdict, DaneResult, DaneSession, DaneVerdict, DnssecStatus};
