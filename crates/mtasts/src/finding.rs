//! Findings: the problems the checker reports, with stable codes from the rule catalogue.
//!
//! The catalogue lives in one place, the [`Code`] enum: each code knows its name, its severity,
//! the RFC section it comes from, what it means and how to fix it, so a parser only says *which*
//! rule fired, *what* it saw and *where*. `docs/findings.md` is rendered from it (and
//! `tests/docs.rs` fails when the two differ): that file is the catalogue's contract for every
//! surface.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing.
    Info,
    /// Legal but risky, or refused by some real senders.
    Warning,
    /// The RFC is broken, or a real sender will refuse or defer mail.
    Error,
}

impl Severity {
    /// The lower-case name used in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares [`Code`] and everything the catalogue knows of each code. Each entry is
/// `Variant => "name", Severity, "RFC section", meaning: "…", fix: "…";` inside a section with
/// its title; the meaning is also the variant's doc comment.
macro_rules! catalogue {
    ($(
        section $section:literal {
            $(
                $variant:ident => $code:literal, $severity:ident, $rfc:literal,
                    meaning: $meaning:literal,
                    fix: $fix:literal;
            )+
        }
    )+) => {
        /// A finding code from the rule catalogue. Once shipped, a code keeps its meaning.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum Code {
            $($( #[doc = $meaning] $variant, )+)+
        }

        impl Code {
            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[ $($( Code::$variant, )+)+ ];

            /// The stable name, e.g. `policy.blank-line`.
            pub fn as_str(self) -> &'static str {
                match self { $($( Code::$variant => $code, )+)+ }
            }

            /// The severity every finding of this code carries.
            pub fn severity(self) -> Severity {
                match self { $($( Code::$variant => Severity::$severity, )+)+ }
            }

            /// The RFC section the rule comes from, as `RFC 8461 §3.2`.
            pub fn rfc(self) -> &'static str {
                match self { $($( Code::$variant => $rfc, )+)+ }
            }

            /// The code with this stable name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($( $code => Some(Code::$variant), )+)+ _ => None }
            }

            /// The part of the catalogue the code belongs to, e.g. `Policy file (RFC 8461 §3.2)`:
            /// the object the rule is about. Codes of one section are next to each other in
            /// [`Code::ALL`].
            pub fn section(self) -> &'static str {
                match self { $( $( Code::$variant )|+ => $section, )+ }
            }

            /// What a finding of this code means, in one or two sentences for a mail admin
            /// (literal values in backticks, Markdown style). The finding's own message says what
            /// was seen where; this says what the rule is. (Only `docs/findings.md` and what
            /// renders explanations use it, so wasm that does not call it does not carry it.)
            pub fn meaning(self) -> &'static str {
                match self { $($( Code::$variant => $meaning, )+)+ }
            }

            /// How to fix it: the record, file or setting to change, in one or two sentences
            /// (literal values in backticks). For an `info` finding it may be "nothing".
            pub fn fix(self) -> &'static str {
                match self { $($( Code::$variant => $fix, )+)+ }
            }
        }
    };
}

catalogue! {
    section "`_mta-sts` TXT record (RFC 8461 §3.1)" {
        StsRecordMissing => "sts-record.missing", Info, "RFC 8461 §3.1",
            meaning: "No TXT record at `_mta-sts.<domain>` starts with `v=STSv1;`: senders see no MTA-STS for the domain.",
            fix: "To protect the domain with MTA-STS, serve a policy at `https://mta-sts.<domain>/.well-known/mta-sts.txt` first, then publish `_mta-sts.<domain> TXT \"v=STSv1; id=<id>\"` (`mtasts generate` writes both).";
        StsRecordMultiple => "sts-record.multiple", Error, "RFC 8461 §3.1",
            meaning: "More than one TXT record at `_mta-sts.<domain>` starts with `v=STSv1;`: senders treat the domain as having no MTA-STS.",
            fix: "Delete all but one of the `v=STSv1` TXT records at `_mta-sts.<domain>`, keeping the one whose `id` belongs to the policy you serve.";
        StsRecordVersion => "sts-record.version", Error, "RFC 8461 §3.1",
            meaning: "A record meant as the STS record does not start with exactly `v=STSv1` (another version such as `v=STSv2`, the wrong case such as `v=stsv1`, a leading space, quotes kept as text, or nothing at all): senders discard it.",
            fix: "Make the TXT record start with exactly `v=STSv1;` (case-sensitive, nothing before it), e.g. `v=STSv1; id=20240101T000000`.";
        StsRecordSyntax => "sts-record.syntax", Error, "RFC 8461 §3.1",
            meaning: "The record breaks the grammar: a field is not `name=value`, a value holds a character fields may not hold (`=`, `;`, a space, a control or non-ASCII character), two `;` follow each other, whitespace ends the record, `v=STSv1` stands alone or without `;` after it, or the record is longer than a TXT record can hold.",
            fix: "Write the record as `v=STSv1; id=<id>`, fields separated by `;`: remove empty fields, trailing whitespace and characters that values may not hold.";
        StsRecordIdMissing => "sts-record.id-missing", Error, "RFC 8461 §3.1",
            meaning: "The record has no `id` field, which RFC 8461 requires: senders discard the record and see no MTA-STS.",
            fix: "Add an `id` of 1 to 32 letters and digits, e.g. `v=STSv1; id=20240101T000000`, and change it whenever the policy changes.";
        StsRecordIdInvalid => "sts-record.id-invalid", Error, "RFC 8461 §3.1",
            meaning: "The `id` is not 1 to 32 letters and digits: it is empty, too long, or holds another character (`-`, `:`, `.`, a space, a template placeholder).",
            fix: "Use an `id` of 1 to 32 ASCII letters and digits only, such as the time of the policy change, `20240101T000000`.";
        StsRecordDuplicateField => "sts-record.duplicate-field", Warning, "RFC 8461 §3.1",
            meaning: "A field appears twice in the record: the first one counts, but mox ignores the whole record.",
            fix: "Remove the repeated field so that each field appears once, keeping the `id` of the policy you serve.";
        StsRecordUnknownField => "sts-record.unknown-field", Info, "RFC 8461 §3.1",
            meaning: "The record holds an extension field that STSv1 does not define; senders ignore it.",
            fix: "Nothing is required; remove the field if it is a typo or left over from a template.";
        StsRecordSplitStrings => "sts-record.split-strings", Info, "RFC 8461 §3.1",
            meaning: "The record came as several character-strings, which senders join without spaces before they read it.",
            fix: "Usually nothing: check that the joined text reads as intended (no space lost or added where the strings meet), or publish the record as one string.";
        StsRecordCname => "sts-record.cname", Info, "RFC 8461 §8.2",
            meaning: "`_mta-sts.<domain>` is a CNAME: the record is delegated (RFC 8461 §8.2), and `mta-sts.<domain>` must still serve this domain's policy.",
            fix: "Nothing if the delegation is intended; make sure whoever manages the target record changes its `id` whenever the policy changes.";
    }

    section "Policy fetch (RFC 8461 §3.3)" {
        PolicyFetchDns => "policy-fetch.dns", Error, "RFC 8461 §3.3",
            meaning: "`mta-sts.<domain>` does not resolve, so senders cannot fetch the policy.",
            fix: "Publish an A and/or AAAA record (or a CNAME to your policy host) for `mta-sts.<domain>`.";
        PolicyFetchTls => "policy-fetch.tls", Error, "RFC 8461 §3.3",
            meaning: "The HTTPS connection to `mta-sts.<domain>` failed: the connection was refused or broke, the TLS handshake failed, or the certificate is expired, untrusted or for another name. Senders report the failure and use no policy.",
            fix: "Serve `mta-sts.<domain>` over HTTPS on port 443 with a certificate from a public CA that is valid now and lists `mta-sts.<domain>` in its subjectAltName, with the full chain.";
        PolicyFetchRedirect => "policy-fetch.redirect", Error, "RFC 8461 §3.3",
            meaning: "The policy URL answers with a 3xx redirect: senders must not follow redirects, so they see no policy.",
            fix: "Serve the file itself at `https://mta-sts.<domain>/.well-known/mta-sts.txt` with status 200: exempt that path from redirects to `www`, another host or another path.";
        PolicyFetchStatus => "policy-fetch.status", Error, "RFC 8461 §3.3",
            meaning: "The policy URL answers an HTTP status other than 200 (404, 403, 500 …): only a 200 carries a policy.",
            fix: "Make the web server for `mta-sts.<domain>` answer 200 with the policy file at `/.well-known/mta-sts.txt` (check the file's path and the virtual host).";
        PolicyFetchTimeout => "policy-fetch.timeout", Error, "RFC 8461 §3.3",
            meaning: "No complete answer came within the time limit; senders give up after 60 s at most.",
            fix: "Make `mta-sts.<domain>` answer promptly on port 443: check that its address records point at the right server and that no firewall drops the connection.";
        PolicyFetchTooLarge => "policy-fetch.too-large", Error, "RFC 8461 §3.3",
            meaning: "The policy body is over 64 KiB: strict senders such as mox refuse it (Stalwart reads up to 1 MiB).",
            fix: "Serve only the policy: a few short lines of `version`, `mode`, `mx` and `max_age`, not a web page or a padded file.";
        PolicyFetchContentType => "policy-fetch.content-type", Error, "RFC 8461 §3.2",
            meaning: "The policy is served with a media type other than `text/plain`, or none: RFC 8461 says senders SHOULD refuse it, and Postfix's resolver and Exchange Online do.",
            fix: "Configure the web server to send `Content-Type: text/plain; charset=utf-8` for `/.well-known/mta-sts.txt`.";
        PolicyFetchCharset => "policy-fetch.charset", Info, "RFC 8461 §3.2",
            meaning: "The policy is served with a `charset` other than `utf-8` or `us-ascii`.",
            fix: "Send `Content-Type: text/plain; charset=utf-8`, or no charset parameter at all.";
        PolicyFetchNoPolicy => "policy-fetch.no-policy", Error, "RFC 8461 §3.3",
            meaning: "The domain publishes a valid `_mta-sts` record but no usable policy (the fetch failed, or the policy is invalid): senders behave as if it had no MTA-STS.",
            fix: "Fix the policy-fetch and policy findings reported beside this one, so that the policy URL answers 200 with a valid policy; to opt out of MTA-STS, serve `mode: none` rather than nothing.";
    }

    section "Policy file (RFC 8461 §3.2)" {
        PolicyEmpty => "policy.empty", Error, "RFC 8461 §3.2",
            meaning: "The policy body is empty or holds only whitespace.",
            fix: "Put the policy in the file, one field a line: `version: STSv1`, `mode`, one `mx` line per MX host, and `max_age`.";
        PolicyBom => "policy.bom", Error, "RFC 8461 §3.2",
            meaning: "The body starts with a UTF-8 byte-order mark (EF BB BF), which the grammar has no room for: strict senders such as mox refuse the policy.",
            fix: "Save the file as UTF-8 without a byte-order mark (or as plain ASCII).";
        PolicySyntax => "policy.syntax", Error, "RFC 8461 §3.2",
            meaning: "A line is not `name: value`: a comment, YAML front matter or HTML, whitespace before the colon, an empty value or one holding a control character, a byte that is not UTF-8, or a bare CR line ending. Strict senders such as mox refuse the policy.",
            fix: "Write every line as `name: value`, the colon right after the name; remove comments and markup, and end lines with LF or CRLF.";
        PolicyBlankLine => "policy.blank-line", Error, "RFC 8461 §3.2",
            meaning: "An empty line, or one of only whitespace, between fields or after the last one (only one final line break is allowed): strict senders such as mox refuse the policy, lenient ones skip it.",
            fix: "Delete the empty lines, and end the file with at most one line break.";
        PolicyLeadingWhitespace => "policy.leading-whitespace", Error, "RFC 8461 §3.2",
            meaning: "A line starts with a space or tab: strict senders such as mox refuse the policy, lenient ones trim it.",
            fix: "Remove the indentation, so that every field name starts its line.";
        PolicyLineEndings => "policy.line-endings", Info, "RFC 8461 §3.2",
            meaning: "The lines end with LF alone, which the RFC allows, or with a mix of LF and CRLF.",
            fix: "Nothing is required; one kind of line ending throughout is easier to keep right.";
        PolicyVersionMissing => "policy.version-missing", Error, "RFC 8461 §3.2",
            meaning: "There is no `version` field, so senders refuse the policy.",
            fix: "Add the line `version: STSv1`, first by convention.";
        PolicyVersionInvalid => "policy.version-invalid", Error, "RFC 8461 §3.2",
            meaning: "The `version` is not `STSv1`, the only version there is (the value is case-sensitive).",
            fix: "Write `version: STSv1` exactly.";
        PolicyModeMissing => "policy.mode-missing", Error, "RFC 8461 §3.2",
            meaning: "There is no `mode` field, so senders refuse the policy.",
            fix: "Add `mode: testing` to start with, or `mode: enforce`.";
        PolicyModeInvalid => "policy.mode-invalid", Error, "RFC 8461 §3.2",
            meaning: "The `mode` is not `enforce`, `testing` or `none` (values are case-sensitive: `Enforce`, `enforced`, `report` are refused), so senders refuse the policy.",
            fix: "Write `mode: enforce`, `mode: testing` or `mode: none`, in lower case.";
        PolicyModeTesting => "policy.mode-testing", Info, "RFC 8461 §5",
            meaning: "The mode is `testing`: senders report TLS failures to the TLS-RPT address but still deliver, so the policy does not yet stop a downgrade.",
            fix: "Once the TLS-RPT reports show no failures, serve `mode: enforce` and change the `id` of the `_mta-sts` record.";
        PolicyModeNone => "policy.mode-none", Info, "RFC 8461 §5",
            meaning: "The mode is `none`: the domain opts out of MTA-STS, and senders drop any policy they cached.",
            fix: "Nothing while removing MTA-STS (RFC 8461 §8.3); otherwise serve `mode: testing` or `mode: enforce` and change the `id` of the `_mta-sts` record.";
        PolicyMaxAgeMissing => "policy.max-age-missing", Error, "RFC 8461 §3.2",
            meaning: "There is no `max_age` field giving the policy's lifetime, so senders refuse the policy.",
            fix: "Add `max_age: 604800` (one week, in seconds) or longer.";
        PolicyMaxAgeInvalid => "policy.max-age-invalid", Error, "RFC 8461 §3.2",
            meaning: "The `max_age` is not a number of seconds written with 1 to 10 digits (a unit, a sign, a space, or more digits), so senders refuse the policy.",
            fix: "Write `max_age` as plain digits, e.g. `max_age: 604800`.";
        PolicyMaxAgeTooLarge => "policy.max-age-too-large", Error, "RFC 8461 §3.2",
            meaning: "The `max_age` is over 31557600 seconds (one year), the RFC's maximum: strict senders such as postfix-mta-sts-resolver refuse the policy, mox accepts it.",
            fix: "Use at most `max_age: 31557600`; weeks to a year is usual.";
        PolicyMaxAgeShort => "policy.max-age-short", Warning, "RFC 8461 §3.2",
            meaning: "The `max_age` is under one day (86400 seconds): senders forget the policy soon after each fetch, so it protects little between fetches.",
            fix: "Raise `max_age` to one week (`604800`) or more once the policy works; at least `86400`.";
        PolicyMxMissing => "policy.mx-missing", Error, "RFC 8461 §3.2",
            meaning: "There is no `mx` line although the mode is `enforce` or `testing`, so no MX host can match and senders refuse the policy.",
            fix: "Add one `mx:` line per MX host, or a `*.` pattern of their parent domain, e.g. `mx: mail.example.com`.";
        PolicyMxInvalid => "policy.mx-invalid", Error, "RFC 8461 §3.2",
            meaning: "An `mx` value is not a host name or `*.` + host name: a trailing dot, a bare `*`, a `*` inside a label, an IP address, `_`, a U-label instead of Punycode, an over-long label, or whitespace.",
            fix: "Write each `mx` value as a host name in A-labels without a trailing dot, e.g. `mx: mail.example.com` or `mx: *.example.com`, one pattern a line.";
        PolicyMxDuplicate => "policy.mx-duplicate", Info, "RFC 8461 §3.2",
            meaning: "The same `mx` pattern appears twice (compared without case); the repeat changes nothing.",
            fix: "Remove the repeated `mx` line.";
        PolicyDuplicateField => "policy.duplicate-field", Warning, "RFC 8461 §3.2",
            meaning: "A field other than `mx` appears twice: the first one counts, but Stalwart takes the last `mode` and `max_age`, and mox ignores the policy.",
            fix: "Keep one `version`, one `mode` and one `max_age` line, and delete the repeats.";
        PolicyUnknownField => "policy.unknown-field", Info, "RFC 8461 §3.2",
            meaning: "The policy holds a field that STSv1 does not define, and senders ignore it (names are case-sensitive, so `Mode` and `max-age` are such fields).",
            fix: "Remove the field, or correct its name if it was meant as `version`, `mode`, `max_age` or `mx`.";
    }

    section "DNS lookups" {
        DnsLookupFailed => "dns.lookup-failed", Error, "RFC 8461 §3.1",
            meaning: "A DNS lookup of the check failed at the resolver (SERVFAIL, REFUSED or another error) or got no answer in time: the answer is unknown, and senders probably cannot read it either (a broken DNSSEC signature often looks like this).",
            fix: "Find out why the name does not resolve (`dig +dnssec <name> <type>`): repair the zone's DNSSEC signatures or DS record, or its unreachable name servers; if only the checker's resolver fails, try another with `--doh`.";
    }

    section "MX coverage (RFC 8461 §4, RFC 5321, RFC 7505)" {
        MxNone => "mx.none", Error, "RFC 5321 §5.1",
            meaning: "The domain has no MX record and no A or AAAA record to fall back on: it cannot receive mail.",
            fix: "Publish MX records for the domain, pointing at the hosts that receive its mail (or a null MX `0 .` if it receives none).";
        MxNull => "mx.null", Info, "RFC 7505 §3",
            meaning: "The domain publishes a null MX (`0 .`): it accepts no mail, so MTA-STS has nothing to protect.",
            fix: "Nothing if the domain receives no mail by design; otherwise replace the null MX with the real MX records.";
        MxNotCovered => "mx.not-covered", Error, "RFC 8461 §4.1",
            meaning: "An MX host matches none of the policy's `mx` patterns: senders that enforce the policy refuse to deliver to it (Exchange Online: `551 5.4.8`).",
            fix: "Add an `mx:` line for the host (or a `*.` pattern of its parent domain) to the policy and change the `id` of the `_mta-sts` record, or take the host out of the MX records.";
        MxPatternUnused => "mx.pattern-unused", Warning, "RFC 8461 §4.1",
            meaning: "An `mx` pattern of the policy matches none of the domain's MX hosts today.",
            fix: "Correct the pattern if it is a typo for an MX host, or remove it if the host is gone (and change the `id` of the `_mta-sts` record).";
        MxWildcardDepth => "mx.wildcard-depth", Warning, "RFC 8461 §4.1",
            meaning: "A `*.` pattern would cover an MX host if `*` could stand for several labels, but it stands for exactly one (`*.example.com` does not cover `a.b.example.com`).",
            fix: "List the host itself, or a wildcard of its own parent (`*.b.example.com`), in an `mx:` line.";
        MxNoAddress => "mx.no-address", Error, "RFC 5321 §5.1",
            meaning: "An MX host has neither an A nor an AAAA record: no sender can connect to it.",
            fix: "Publish A and/or AAAA records for the host, or take it out of the MX records.";
        MxCname => "mx.cname", Error, "RFC 5321 §5.1",
            meaning: "An MX host is a CNAME: RFC 5321 §5.1 forbids it, and Exchange Online refuses such hosts under MTA-STS unless the policy also lists the CNAME's target.",
            fix: "Point the MX record at the final host name instead of the alias, or add an `mx:` line for the CNAME's target to the policy.";
        MxHostsSkipped => "mx.hosts-skipped", Warning, "RFC 5321 §5.1",
            meaning: "The domain lists more MX hosts than this checker examines (a public service examines at most 10): the most preferred were checked, the others got no lookup at all, so the verdict and the senders' table speak only of the hosts examined.",
            fix: "Nothing is wrong with the domain for this alone. To have every MX host checked, run `mtasts check <domain>` (the command line, the npm package and the web page examine them all), or list fewer MX hosts.";
    }

    section "`_smtp._tls` TXT record (RFC 8460 §3)" {
        TlsRptRecordMissing => "tlsrpt-record.missing", Warning, "RFC 8460 §3",
            meaning: "No TLS-RPT record at `_smtp._tls.<domain>`: when senders fail to deliver over TLS, nobody tells the domain.",
            fix: "Publish `_smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\"` with a mailbox (or an `https:` endpoint) that receives the reports.";
        TlsRptRecordMultiple => "tlsrpt-record.multiple", Error, "RFC 8460 §3",
            meaning: "More than one TXT record at `_smtp._tls.<domain>` starts with `v=TLSRPTv1;`: senders send no reports at all.",
            fix: "Merge them into one record that lists every address in its `rua` field, separated by commas.";
        TlsRptRecordVersion => "tlsrpt-record.version", Error, "RFC 8460 §3",
            meaning: "A record meant as the TLS-RPT record does not start with exactly `v=TLSRPTv1` (a typo such as `TSLRPTv1`, the wrong case, a leading space, quotes kept as text): senders discard it.",
            fix: "Make the TXT record start with exactly `v=TLSRPTv1;`.";
        TlsRptRecordSyntax => "tlsrpt-record.syntax", Error, "RFC 8460 §3",
            meaning: "The field list breaks the grammar: a field is not `name=value`, a value holds a character fields may not hold, two `;` follow each other, the version stands alone, the `rua` value starts with whitespace, or the record is longer than a TXT record can hold.",
            fix: "Write the record as `v=TLSRPTv1; rua=<uri>`, fields separated by `;` and several URIs by commas.";
        TlsRptRecordRuaMissing => "tlsrpt-record.rua-missing", Error, "RFC 8460 §3",
            meaning: "The record has no `rua` field, so no report can be sent.",
            fix: "Add `rua=mailto:<address>` or `rua=https://<endpoint>` to the record.";
        TlsRptRecordRuaInvalid => "tlsrpt-record.rua-invalid", Error, "RFC 8460 §3",
            meaning: "A `rua` value is empty or has an empty entry, or a URI in it is not `mailto:` or `https:` or is malformed (unencoded `,` `!` `;`, spaces, a `<placeholder>`).",
            fix: "Give each address as a `mailto:` or `https:` URI, separated by commas, with `,`, `!` and `;` inside a URI percent-encoded.";
        TlsRptRecordLegacyName => "tlsrpt-record.legacy-name", Warning, "RFC 8460 §3",
            meaning: "A TLS-RPT record exists only at `_smtp-tlsrpt.<domain>`, the name used before RFC 8460; senders look at `_smtp._tls.<domain>`.",
            fix: "Publish the same record at `_smtp._tls.<domain>`, then delete the old one.";
    }

    section "DANE (RFC 7672, RFC 6698)" {
        DaneNoDnssec => "dane.no-dnssec", Info, "RFC 7672 §2.2",
            meaning: "The MX answer is not DNSSEC-validated (AD bit clear): DANE cannot apply, and MTA-STS is what protects the domain.",
            fix: "Nothing for MTA-STS. For DANE, sign the zone with DNSSEC and publish its DS record at the parent (and check with a validating resolver).";
        DaneTlsaMissing => "dane.tlsa-missing", Info, "RFC 7672 §2.2",
            meaning: "An MX host in a DNSSEC-signed zone has no TLSA record at `_25._tcp.<host>`: senders that use DANE fall back to unauthenticated TLS.",
            fix: "To add DANE, publish `_25._tcp.<host> TLSA 3 1 1 <SHA-256 of the server's public key>`, and update it before each key change.";
        DaneTlsaInvalid => "dane.tlsa-invalid", Error, "RFC 6698 §2.2",
            meaning: "A TLSA record does not parse (a field missing, not a number or over 255, data that is not hex), or its data length does not fit its matching type (32 bytes for SHA-256, 64 for SHA-512).",
            fix: "Publish the record as `<usage> <selector> <matching type> <hex data>`, e.g. `3 1 1` and 64 hex digits, with the data computed anew from the certificate.";
        DaneTlsaUnusable => "dane.tlsa-unusable", Warning, "RFC 7672 §3.1.3",
            meaning: "A TLSA record has usage 0 or 1 (PKIX-TA, PKIX-EE: unusable for SMTP), or an unassigned usage, selector or matching type: SMTP senders ignore it.",
            fix: "Replace it with a DANE-EE(3) or DANE-TA(2) record, selector 0 or 1, matching type 1 or 2, e.g. `3 1 1 <hex>`.";
        DaneTlsaMismatch => "dane.tlsa-mismatch", Error, "RFC 7672 §3.1",
            meaning: "A certificate chain is known (from the SMTP probe or a pasted chain) and no usable TLSA record matches it: DANE senders will not deliver.",
            fix: "Publish TLSA records computed from the certificate or key the server presents now (e.g. `3 1 1` over its public key), or put back the one the records were made for.";
        DaneRolloverNotReady => "dane.rollover-not-ready", Warning, "RFC 7671 §8.1",
            meaning: "The TLSA RRset of an MX host matches only the current key: one usable DANE-EE (`3 x x`) record, no second one for the next key and no DANE-TA (`2 x x`) record for the issuer. When the key changes, senders that use DANE refuse mail until the new record is published and old answers have left the caches.",
            fix: "Publish the next key's record beside the current one at least two TTLs before the change (\"3 1 1 current + 3 1 1 next\"), or a `2 1 1` record for the issuing CA's key (\"3 1 1 + 2 1 1\"); remove the old record only once the new key is in use.";
    }

    section "Certificates and SMTP (where a certificate is known: `mtasts check --smtp`, `mtasts lint cert`)" {
        CertNameMismatch => "cert.name-mismatch", Error, "RFC 8461 §4.2",
            meaning: "No DNS name in the server certificate's subjectAltName covers the MX host (RFC 6125, a wildcard only as the whole left-most label); senders that follow RFC 8461 §4.2 do not read the CN.",
            fix: "Install a certificate whose subjectAltName lists the MX host name (or a wildcard of its parent domain) on the mail server.";
        CertExpired => "cert.expired", Error, "RFC 8461 §4.2",
            meaning: "A certificate of the chain is not valid at the time of the check: it has expired, or is not valid yet.",
            fix: "Renew the certificate and install the new chain on the mail server (one not valid yet usually means a wrong clock where it was issued or checked).";
        CertExpiresSoon => "cert.expires-soon", Warning, "RFC 8461 §4.2",
            meaning: "The server certificate expires within 14 days.",
            fix: "Renew it now, and check that automatic renewal (e.g. ACME) also reloads the mail server.";
        CertUntrusted => "cert.untrusted", Error, "RFC 8461 §4.2",
            meaning: "The chain does not lead to a trusted public root, or the server presented no certificate or one that cannot be read.",
            fix: "Use a certificate from a public CA, and configure the server to send the full chain (its own certificate, then the intermediates).";
        CertWeakKey => "cert.weak-key", Warning, "RFC 9325 §4.5",
            meaning: "A certificate of the chain has an RSA or DSA key under 2048 bits, below what CAs and senders expect.",
            fix: "Issue a new certificate with an RSA key of 2048 bits or more, or an ECDSA P-256 key.";
        SmtpStarttlsMissing => "smtp.starttls-missing", Error, "RFC 8461 §4.2",
            meaning: "The MX host does not offer STARTTLS, or offers it but the TLS handshake fails: senders that enforce MTA-STS refuse to deliver (Exchange Online: `551 5.7.4`).",
            fix: "Enable STARTTLS on port 25 of the mail server with a certificate for the MX host name (in Postfix: `smtpd_tls_security_level = may` and `smtpd_tls_chain_files`).";
        SmtpTlsVersion => "smtp.tls-version", Error, "RFC 8461 §4.2",
            meaning: "The MX host offers or negotiates only TLS below 1.2: RFC 8996 deprecates TLS 1.0 and 1.1, and MTA-STS senders refuse them (Exchange Online: `551 5.7.6`).",
            fix: "Enable TLS 1.2 and 1.3 in the mail server's TLS settings (upgrade its TLS library if it has neither).";
        SmtpUnreachable => "smtp.unreachable", Warning, "RFC 5321 §4.5.4",
            meaning: "The SMTP port of an MX address could not be reached from where the check ran, so its STARTTLS and certificate were not checked.",
            fix: "Check that the host accepts connections on port 25 (firewall, address records); many networks block outgoing port 25, so run the check from one that allows it.";
        SmtpAddressRefused => "smtp.address-refused", Warning, "RFC 6890 §2.2",
            meaning: "An MX address is in a special-purpose block (loopback, private, link-local, carrier-grade NAT, documentation, multicast, reserved): the probe did not connect to it, so that a domain cannot aim the check at the network it runs in. Public senders cannot deliver there either.",
            fix: "Publish only public addresses for the MX hosts; to probe a test or internal host on purpose, run `mtasts check --smtp --smtp-allow-private`.";
        SmtpHostsSkipped => "smtp.hosts-skipped", Info, "RFC 5321 §5.1",
            meaning: "The domain has more MX hosts than the probe connects to (10 by default): the least preferred were not probed.",
            fix: "Nothing to fix if the hosts probed are the ones that matter; `mtasts check --smtp --smtp-max-hosts N` probes more.";
        SmtpAddressesSkipped => "smtp.addresses-skipped", Info, "RFC 5321 §5.1",
            meaning: "An MX host has more addresses than the probe connects to (2 per host by default): the others were not probed.",
            fix: "Nothing to fix if the addresses are one server's; `mtasts check --smtp --smtp-max-addresses N` probes more.";
    }

    section "TLS-RPT reports (RFC 8460 §4)" {
        ReportGzip => "report.gzip", Error, "RFC 8460 §5.3",
            meaning: "The report starts like gzip but is not valid gzip, or is a zip archive that cannot be read (one deflated or stored `.json` member is read).",
            fix: "Nothing on your domain: check that the file was saved whole (not cut short or decompressed twice), or ask the sender for the report again.";
        ReportTooLarge => "report.too-large", Error, "RFC 8460 §5.3",
            meaning: "The report is over the size limit, compressed or once decompressed, holds more elements than its size allows, or is an e-mail with more than 32 MIME parts before its report: it is refused unread.",
            fix: "Nothing on your domain; if you trust the sender, raise the reader's limits (the Worker's `TLSRPT_MAX_BODY` and `TLSRPT_MAX_JSON`).";
        ReportJson => "report.json", Error, "RFC 8460 §4",
            meaning: "The report is not JSON, not a JSON object with a `policies` array, or an e-mail without an `application/tlsrpt+gzip` or `application/tlsrpt+json` part.",
            fix: "Nothing on your domain: check that you gave the report itself (the `.json` or `.json.gz` file, or the whole e-mail).";
        ReportFieldMissing => "report.field-missing", Warning, "RFC 8460 §4.4",
            meaning: "A field the RFC requires is absent (`organization-name`, `report-id`, `date-range`, `policy-domain` …); the rest of the report is still read.",
            fix: "Nothing on your domain: the sender's report breaks RFC 8460; tell it through the report's `contact-info` if it matters to you.";
        ReportFieldType => "report.field-type", Warning, "RFC 8460 §4.4",
            meaning: "A field has the wrong JSON type (`mx-host` as a string, `contact-info: null`, a count as a string) or an IP address field holds no IP address; it is read where it can be.",
            fix: "Nothing on your domain: the sender's report breaks RFC 8460; tell it through the report's `contact-info` if it matters to you.";
        ReportDatetime => "report.datetime", Warning, "RFC 8460 §4.4",
            meaning: "A date-time is not RFC 3339 (e.g. no zone designator, read as UTC), or `date-range` ends before it starts.",
            fix: "Nothing on your domain: the sender's report breaks RFC 8460; tell it through the report's `contact-info` if it matters to you.";
        ReportCountsMismatch => "report.counts-mismatch", Warning, "RFC 8460 §4.4",
            meaning: "A policy's `total-failure-session-count` differs from the sum of the `failed-session-count` of its `failure-details`.",
            fix: "Nothing on your domain: the totals shown are the report's own; tell the sender through its `contact-info` if it matters to you.";
        ReportResultTypeUnknown => "report.result-type-unknown", Info, "RFC 8460 §4.3",
            meaning: "A `result-type` is not in IANA's registry of STARTTLS validation result types.",
            fix: "Nothing on your domain; the failure's `additional-information` may say what the sender meant.";
        ReportPolicyTypeUnknown => "report.policy-type-unknown", Warning, "RFC 8460 §4.2",
            meaning: "A `policy-type` is not `sts`, `tlsa` or `no-policy-found`.",
            fix: "Nothing on your domain: the sender's report breaks RFC 8460; tell it through the report's `contact-info` if it matters to you.";
    }

    section "TLS-RPT report e-mails: DKIM (RFC 8460 §5.3, RFC 6376; `mtasts lint report --dkim`, the Worker's e-mail intake)" {
        ReportDkimPass => "report.dkim-pass", Info, "RFC 8460 §5.3",
            meaning: "The report e-mail carries a valid DKIM signature of the domain named in its `TLS-Report-Submitter` header: it comes from that submitter.",
            fix: "Nothing to fix: the report can be trusted as the submitter's.";
        ReportDkimNone => "report.dkim-none", Error, "RFC 8460 §5.3",
            meaning: "The report e-mail has no DKIM signature. RFC 8460 §5.3: reports sent by mail MUST carry a valid DKIM signature of the reporting domain, and reports without one MUST be ignored.",
            fix: "Nothing on your domain: the sender does not sign its reports; the report cannot be told from a forgery.";
        ReportDkimFail => "report.dkim-fail", Error, "RFC 6376 §6.1",
            meaning: "A DKIM signature does not verify: the body or a signed header field changed after signing (or was forged), the signature has expired, or it limits the signed body with `l=` (RFC 8460 §5.3 forbids it).",
            fix: "Nothing on your domain unless a forwarder rewrites the report mail: deliver reports to the intake directly. Otherwise treat the report as forged.";
        ReportDkimNotSubmitter => "report.dkim-not-submitter", Error, "RFC 8460 §5.3",
            meaning: "The report e-mail is validly signed, but not by the domain its `TLS-Report-Submitter` header names (or that header is missing): RFC 8460 §5.3 has the submitter match the DKIM domain.",
            fix: "Nothing on your domain: the report claims a submitter that did not sign it; treat it as forged.";
        ReportDkimTempError => "report.dkim-temperror", Error, "RFC 6376 §6.1.2",
            meaning: "A DKIM key record could not be fetched (timeout, SERVFAIL, the resolver unreachable): the signature could not be checked now. A receiver answers with a temporary failure so that the sender tries again; it never accepts the report unchecked.",
            fix: "Try again later; if it persists, check the DoH resolver (`--doh`) and the signer's DNS.";
        ReportDkimPermError => "report.dkim-permerror", Error, "RFC 6376 §6.1.2",
            meaning: "A DKIM signature cannot be checked at all: its key record is missing (NXDOMAIN or no TXT record), revoked (`p=` empty), unusable, or for another service (`s=` without `tlsrpt` or `*`), or the signature is malformed, or the message has more signatures than are checked (4).",
            fix: "Nothing on your domain: the sender's signing or DNS is broken; tell it through the report's `contact-info`.";
        ReportDkimServiceType => "report.dkim-service-type", Warning, "RFC 8460 §5.3",
            meaning: "The DKIM key that verified the report does not declare the `tlsrpt` service type (`s=tlsrpt`), which RFC 8460 §5.3 says it SHOULD (and that receivers SHOULD then ignore the report). The key's default `s=*` covers every service (RFC 6376 §3.6.1), and the large senders (Google, Microsoft) sign so, so the report is accepted with this warning.",
            fix: "Nothing on your domain; a sender of reports can add `s=tlsrpt` (with `email` if the key also signs mail: `s=email:tlsrpt`) to its key record.";
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code {name:?}")))
    }
}

/// One problem found, for a person to read and a program to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// The stable code.
    pub code: Code,
    /// How bad it is (always the code's severity).
    pub severity: Severity,
    /// One plain sentence naming the offending value.
    pub message: String,
    /// The RFC section the rule comes from.
    pub rfc: String,
    /// The 1-based line in the policy file, where the finding is about one line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The MX host the finding is about.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl Finding {
    /// A finding of `code` with a message; severity and RFC section come from the catalogue.
    pub fn new(code: Code, message: impl Into<String>) -> Finding {
        Finding {
            code,
            severity: code.severity(),
            message: message.into(),
            rfc: code.rfc().to_string(),
            line: None,
            host: None,
        }
    }

    /// The same finding, about line `line` (1-based).
    pub fn at_line(mut self, line: usize) -> Finding {
        self.line = Some(u32::try_from(line).unwrap_or(u32::MAX));
        self
    }

    /// The same finding, about MX host `host`.
    pub fn for_host(mut self, host: impl Into<String>) -> Finding {
        self.host = Some(host.into());
        self
    }
}

/// The outcome of linting one object: its findings and, where it could be read, its value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LintResult<T> {
    /// True when no finding has severity `error`.
    pub valid: bool,
    /// Every finding, in the order found.
    pub findings: Vec<Finding>,
    /// The parsed object, where enough of it could be read. (A missing `Option` field
    /// deserializes as `None` without `#[serde(default)]`, which would demand `T: Default`.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<T>,
}

impl<T> LintResult<T> {
    /// A result over `findings`; `valid` is derived from them.
    pub fn new(findings: Vec<Finding>, value: Option<T>) -> LintResult<T> {
        let valid = !findings.iter().any(|f| f.severity == Severity::Error);
        LintResult {
            valid,
            findings,
            value,
        }
    }

    /// Whether any finding has this code.
    pub fn has(&self, code: Code) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// The codes of all findings, in order.
    pub fn codes(&self) -> Vec<Code> {
        self.findings.iter().map(|f| f.code).collect()
    }
}

/// Keeps the first `max` findings of each code, in order, and replaces the rest of each code by
/// one finding that counts them: a file of 60 000 blank lines gets a readable answer.
pub fn limit_per_code(findings: Vec<Finding>, max: usize) -> Vec<Finding> {
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len().min(max.saturating_mul(8)));
    let mut dropped: Vec<(Code, usize, Option<u32>, Option<u32>)> = Vec::new();
    for finding in findings {
        if kept.iter().filter(|f| f.code == finding.code).count() < max {
            kept.push(finding);
            continue;
        }
        match dropped.iter_mut().find(|(code, ..)| *code == finding.code) {
            Some((_, count, _, last)) => {
                *count += 1;
                *last = finding.line.or(*last);
            }
            None => dropped.push((finding.code, 1, finding.line, finding.line)),
        }
    }
    for (code, count, first, last) in dropped {
        let lines = match (first, last) {
            (Some(a), Some(b)) if a != b => format!(" (lines {a} to {b})"),
            (Some(a), _) => format!(" (line {a})"),
            _ => String::new(),
        };
        kept.push(Finding::new(
            code,
            format!("… and {count} more findings like the ones above{lines}."),
        ));
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate {code}");
            assert_eq!(Code::from_name(code.as_str()), Some(code));
            assert!(code.rfc().starts_with("RFC "), "{code}");
        }
        assert_eq!(Code::from_name("policy.nope"), None);
    }

    #[test]
    fn every_code_says_what_it_means_and_how_to_fix_it() {
        let mut sections: Vec<&str> = Vec::new();
        for &code in Code::ALL {
            for (what, text) in [("meaning", code.meaning()), ("fix", code.fix())] {
                assert!(
                    text.len() > 20 && text.ends_with('.'),
                    "{code}: {what} {text:?}"
                );
                // One table cell of docs/findings.md: no line breaks, no column separators.
                assert!(!text.contains(['\n', '|']), "{code}: {what} {text:?}");
                assert_eq!(text.matches('`').count() % 2, 0, "{code}: {what} {text:?}");
            }
            // A section's codes are next to each other.
            if sections.last() != Some(&code.section()) {
                assert!(!sections.contains(&code.section()), "{code}");
                sections.push(code.section());
            }
        }
        assert_eq!(sections.len(), 10);
    }

    #[test]
    fn validity_follows_error_findings() {
        for (findings, want) in [
            (vec![], true),
            (vec![Finding::new(Code::PolicyModeTesting, "m")], true),
            (vec![Finding::new(Code::PolicyMaxAgeShort, "m")], true),
            (vec![Finding::new(Code::PolicyBlankLine, "m")], false),
        ] {
            assert_eq!(LintResult::<()>::new(findings, None).valid, want);
        }
    }

    #[test]
    fn repeats_are_counted_not_listed() {
        let many: Vec<Finding> = (1..=100)
            .map(|n| Finding::new(Code::PolicyBlankLine, "blank").at_line(n))
            .chain([Finding::new(Code::PolicyModeNone, "none")])
            .collect();
        let limited = limit_per_code(many, 3);
        assert_eq!(limited.len(), 5);
        assert_eq!(limited[3].code, Code::PolicyModeNone);
        assert_eq!(limited[4].code, Code::PolicyBlankLine);
        assert!(
            limited[4].message.contains("97 more"),
            "{}",
            limited[4].message
        );
        assert!(
            limited[4].message.contains("lines 4 to 100"),
            "{}",
            limited[4].message
        );
    }

    #[test]
    fn finding_json_shape() {
        let f = Finding::new(Code::PolicyBlankLine, "line 3 is empty").at_line(3);
        let json = serde_json::to_value(&f).unwrap_or_default();
        assert_eq!(json["code"], "policy.blank-line");
        assert_eq!(json["severity"], "error");
        assert_eq!(json["rfc"], "RFC 8461 §3.2");
        assert_eq!(json["line"], 3);
        assert!(json.get("host").is_none());
    }
}
