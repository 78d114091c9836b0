//! DANE for SMTP (RFC 7672) and TLSA records (RFC 6698).

pub mod tlsa;
