//! The native adapters of the `mtasts` command, as a library for the binary and the benchmark.
//!
//! [`check`] implements the core's I/O traits once for native code: a DNS-over-HTTPS
//! [`Resolver`](mtasts::check::Resolver) (RFC 8484), an HTTPS
//! [`PolicyFetcher`](mtasts::check::PolicyFetcher) that follows RFC 8461 §3.3 and resolves the
//! policy host through that same resolver, and a monotonic [`Clock`](mtasts::check::Clock).
//!
//! What it does not do: decide anything about the domain (that is the core's job), print anything
//! (that is the binary's), or send mail: `--smtp` probes STARTTLS on the MX addresses the core's
//! [`SmtpLimits`](mtasts::check::SmtpLimits) allow ([`check::SmtpProber`]) and QUITs after the
//! handshake.

pub mod check;
