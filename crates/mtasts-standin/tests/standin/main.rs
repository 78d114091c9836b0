//! The stand-in as its users meet it: started in-process on ephemeral ports, spoken to over
//! real sockets with real DoH messages (built with the `domain` crate) and real TLS (rustls,
//! trusting the generated CA).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    missing_docs
)]

mod client;
mod control;
mod dns;
mod doh;
mod https;
mod scenarios;
