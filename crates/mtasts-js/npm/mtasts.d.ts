// Types of the npm package `mtasts`: exactly what each function takes and returns. Written by
// hand (wasm-bindgen would say `any`). Checked twice: `cargo test -p mtasts-js` compares
// FindingCode with the core's rule catalogue, and the package's tests compile real results
// against these types with tsc.
//
// Every result is a plain object in the JSON shape the `mtasts` CLI prints with `--json`: keys in
// snake_case (kebab-case only where an RFC names them), absent optional fields as stated below.

/** A finding code from the rule catalogue (`docs/findings.md`), in catalogue order. */
export type FindingCode =
  | "sts-record.missing"
  | "sts-record.multiple"
  | "sts-record.version"
  | "sts-record.syntax"
  | "sts-record.id-missing"
  | "sts-record.id-invalid"
  | "sts-record.duplicate-field"
  | "sts-record.unknown-field"
  | "sts-record.split-strings"
  | "sts-record.cname"
  | "policy-fetch.dns"
  | "policy-fetch.tls"
  | "policy-fetch.redirect"
  | "policy-fetch.status"
  | "policy-fetch.timeout"
  | "policy-fetch.too-large"
  | "policy-fetch.content-type"
  | "policy-fetch.charset"
  | "policy-fetch.no-policy"
  | "policy.empty"
  | "policy.bom"
  | "policy.syntax"
  | "policy.blank-line"
  | "policy.leading-whitespace"
  | "policy.line-endings"
  | "policy.version-missing"
  | "policy.version-invalid"
  | "policy.mode-missing"
  | "policy.mode-invalid"
  | "policy.mode-testing"
  | "policy.mode-none"
  | "policy.max-age-missing"
  | "policy.max-age-invalid"
  | "policy.max-age-too-large"
  | "policy.max-age-short"
  | "policy.mx-missing"
  | "policy.mx-invalid"
  | "policy.mx-duplicate"
  | "policy.duplicate-field"
  | "policy.unknown-field"
  | "dns.lookup-failed"
  | "mx.none"
  | "mx.null"
  | "mx.not-covered"
  | "mx.pattern-unused"
  | "mx.wildcard-depth"
  | "mx.no-address"
  | "mx.cname"
  | "mx.hosts-skipped"
  | "tlsrpt-record.missing"
  | "tlsrpt-record.multiple"
  | "tlsrpt-record.version"
  | "tlsrpt-record.syntax"
  | "tlsrpt-record.rua-missing"
  | "tlsrpt-record.rua-invalid"
  | "tlsrpt-record.legacy-name"
  | "dane.no-dnssec"
  | "dane.tlsa-missing"
  | "dane.tlsa-invalid"
  | "dane.tlsa-unusable"
  | "dane.tlsa-mismatch"
  | "dane.rollover-not-ready"
  | "cert.name-mismatch"
  | "cert.expired"
  | "cert.expires-soon"
  | "cert.untrusted"
  | "cert.weak-key"
  | "smtp.starttls-missing"
  | "smtp.tls-version"
  | "smtp.unreachable"
  | "smtp.address-refused"
  | "smtp.hosts-skipped"
  | "smtp.addresses-skipped"
  | "report.gzip"
  | "report.too-large"
  | "report.json"
  | "report.field-missing"
  | "report.field-type"
  | "report.datetime"
  | "report.counts-mismatch"
  | "report.result-type-unknown"
  | "report.policy-type-unknown"
  | "report.dkim-pass"
  | "report.dkim-none"
  | "report.dkim-fail"
  | "report.dkim-not-submitter"
  | "report.dkim-temperror"
  | "report.dkim-permerror"
  | "report.dkim-service-type";

/** How bad a finding is. `valid` is false exactly when some finding is an `"error"`. */
export type Severity = "error" | "warning" | "info";

/** One problem found, for a person to read and a program to act on. */
export interface Finding {
  /** The stable code: once shipped, a code keeps its meaning. */
  code: FindingCode;
  severity: Severity;
  /** What is wrong, where, and what senders do about it, in plain words. */
  message: string;
  /** The RFC section the rule comes from, e.g. `"RFC 8461 §3.2"`. */
  rfc: string;
  /** The 1-based line of the policy (or record) the finding is about, when it is about one. */
  line?: number;
  /** The MX host the finding is about, in a domain check. */
  host?: string;
}

/** The outcome of linting one object: its findings and, where it could be read, its value. */
export interface LintResult<T> {
  /** True when no finding is an error. */
  valid: boolean;
  findings: Finding[];
  /** What the object says, read the way a lenient sender reads it; absent when unreadable. */
  value?: T;
}

/** The policy mode (RFC 8461 §5). */
export type Mode = "enforce" | "testing" | "none";

/** An MTA-STS policy file (RFC 8461 §3.2). */
export interface Policy {
  /** Always `"STSv1"`. */
  version: string;
  mode: Mode;
  /** Seconds, as written (even above the RFC's maximum, which is an error finding). */
  max_age: number;
  /** The `mx` patterns in order, as written. */
  mx: string[];
  /** Fields STSv1 does not define, `[name, value]`, the first of each name. */
  extensions: [string, string][];
}

/** The `_mta-sts` TXT record (RFC 8461 §3.1) that senders use. */
export interface StsRecord {
  /** Always `"STSv1"`. */
  version: string;
  /** The policy id. */
  id: string;
  /** Extension fields, `[name, value]`. */
  extensions: [string, string][];
}

/** The `_smtp._tls` TXT record (RFC 8460 §3) that senders use. */
export interface TlsRptRecord {
  /** Always `"TLSRPTv1"`. */
  version: string;
  /** Where reports go: `mailto:` and `https:` URIs. */
  rua: string[];
  /** Extension fields, `[name, value]`. */
  extensions: [string, string][];
}

/** A TLSA record (RFC 6698 §2.2). */
export interface Tlsa {
  /** Certificate usage (3: DANE-EE, 2: DANE-TA). */
  usage: number;
  selector: number;
  matching_type: number;
  /** The certificate association data, lower-case hex. */
  data: string;
  /** Its length in bytes. */
  data_len: number;
  /** Whether SMTP DANE can use the record (RFC 7672 §3.1.3: usages 2 and 3). */
  usable_for_smtp_dane: boolean;
}

/** A policy type (RFC 8460 §4.4); unregistered names are kept as written. */
export type PolicyType = "sts" | "tlsa" | "no-policy-found" | (string & {});

/** A result type (RFC 8460 §4.3, IANA's registry); unregistered names are kept as written. */
export type ResultType =
  | "starttls-not-supported"
  | "certificate-host-mismatch"
  | "certificate-expired"
  | "certificate-not-trusted"
  | "validation-failure"
  | "tlsa-invalid"
  | "dnssec-invalid"
  | "dane-required"
  | "sts-policy-fetch-error"
  | "sts-policy-invalid"
  | "sts-webpki-invalid"
  | (string & {});

/** What a TLS-RPT report says (RFC 8460 §4.4). Counts that overflow saturate. */
export interface ReportSummary {
  /** Successful sessions, over every policy. */
  successful: number;
  /** Failed sessions, over every policy. */
  failed: number;
  /** Failed sessions per result type. */
  result_types: Record<string, number>;
  /** Each element of `policies`, in order. */
  policies: PolicySummary[];
  /** `organization-name`: who sent the report. */
  organization: string | null;
  /** `report-id`. */
  report_id: string | null;
  /** `date-range`. */
  date_range: DateRange | null;
  /** `contact-info`. */
  contact_info: string | null;
}

/** The period a report covers, as written. */
export interface DateRange {
  start_datetime: string | null;
  end_datetime: string | null;
}

/** One element of a report's `policies`. */
export interface PolicySummary {
  policy_type: PolicyType | null;
  policy_domain: string | null;
  /** `policy-string`: the policy's lines, or the TLSA records. */
  policy_strings: string[];
  /** `mx-host`: the MX patterns of the policy. */
  mx_hosts: string[];
  successful: number;
  failed: number;
  /** `failure-details`, in order. */
  failures: FailureSummary[];
}

/** One element of `failure-details`. */
export interface FailureSummary {
  result_type: ResultType | null;
  sending_mta_ip: string | null;
  receiving_mx_hostname: string | null;
  receiving_mx_helo: string | null;
  receiving_ip: string | null;
  failed_sessions: number;
  additional_information: string | null;
  failure_reason_code: string | null;
}

/**
 * Many reports added up (the core's `summarize_reports`): what the web page's /reports view shows
 * and what the Worker's `GET /api/domains/D/reports` answers (see {@link DomainReports}).
 */
export interface ReportsOverview {
  /** Reports read. */
  reports: number;
  /** Successful sessions, over all reports. */
  successful: number;
  /** Failed sessions, over all reports. */
  failed: number;
  /** Per UTC day of each report's `start-datetime`, oldest first. */
  days: DayTotals[];
  /** Reports whose start could not be read as a date-time (counted in the totals only). */
  undated_reports: number;
  /** Failed sessions per result type, from the failure details. */
  result_types: Record<string, number>;
  /** Failed sessions per receiving MX host, most failures first. */
  mx_hosts: MxFailures[];
  /** Per reporting organization (`organization-name`), by name. */
  organizations: OrganizationTotals[];
}

/** The reports of one UTC day. */
export interface DayTotals {
  /** `YYYY-MM-DD`. */
  day: string;
  reports: number;
  successful: number;
  failed: number;
  result_types: Record<string, number>;
}

/** The failures at one receiving MX host (`null`: failures that name no host). */
export interface MxFailures {
  mx: string | null;
  failed: number;
  result_types: Record<string, number>;
}

/** The reports of one sending organization (`null`: the reports did not say). */
export interface OrganizationTotals {
  organization: string | null;
  reports: number;
  successful: number;
  failed: number;
}

/** The Worker's `GET /api/domains/D/reports[?days=N]`: the overview of the domain's stored reports. */
export interface DomainReports extends ReportsOverview {
  /** The domain whose policies were added up. */
  domain: string;
  /** The first UTC day of the window (`?days=N`), `null` without one. */
  since: string | null;
  /** Whether some reports in the window were left out (over the read limits). */
  truncated: boolean;
  /** Reports read that share organization, report-id and range with another stored report. */
  conflicts: number;
  /** Each report read, newest first. */
  received: ReceivedReport[];
  /** Reports by e-mail in quarantine (`TLSRPT_UNSIGNED = "quarantine"`): not proven by DKIM,
   * listed here and left out of the totals. */
  unverified: ReceivedReport[];
}

/** One report the Worker stored, in {@link DomainReports}. */
export interface ReceivedReport {
  /** The SHA-256 (hex) of its decoded JSON: a repeat is the byte-identical report. */
  id: string;
  /** `organization-name` (`""` when absent). */
  organization: string;
  /** `report-id` (`""` when absent). */
  report_id: string;
  start_datetime: string;
  end_datetime: string;
  /** How it came: `POST /tlsrpt`, or e-mail. */
  channel: "https" | "email";
  /** When it was stored (RFC 3339, UTC). */
  received_at: string;
  /** Another stored report has the same organization, report-id and range (one may be forged). */
  conflict: boolean;
  /** Sessions of this domain's policies in it. */
  successful: number;
  failed: number;
  /** By e-mail: the envelope sender (MAIL FROM). */
  sender?: string;
  /** By e-mail: the DKIM result (RFC 8460 §5.3); `pass` in `received`. */
  dkim?: "pass" | "fail" | "none" | "permerror";
  /** By e-mail: the signing domain (`d=`). */
  dkim_domain?: string;
  /** By e-mail: the `TLS-Report-Submitter` header. */
  submitter?: string;
}

/** What `generate` takes. */
export interface GenerateOptions {
  /** The mail domain. */
  domain: string;
  /** Its MX hosts, or `*.` patterns. */
  mx: string[];
  /** Default `"testing"`: the RFC's advice for a first policy. */
  mode?: Mode;
  /** `max_age` in seconds, 1 to 31557600; default 604800 (one week). */
  maxAge?: number;
  /** TLS-RPT report addresses (`mailto:` or `https:`); none means no `_smtp._tls` record. */
  rua?: string[];
}

/** A TXT record to publish. */
export interface TxtRecord {
  /** The owner name, no trailing dot, e.g. `"_mta-sts.example.com"`. */
  name: string;
  /** The record's text. */
  value: string;
}

/** What to publish. */
export interface Generated {
  /** The policy file body, CRLF line endings. */
  policy: string;
  /** Where to serve it: `https://mta-sts.<domain>/.well-known/mta-sts.txt`. */
  policy_url: string;
  /** The `_mta-sts.<domain>` record. */
  sts_record: TxtRecord;
  /** The `_smtp._tls.<domain>` record, when report addresses were given. */
  tlsrpt_record: TxtRecord | null;
  /** The policy id used in the record (from the current time). */
  id: string;
  /** The steps to publish, in order: the policy first, the `_mta-sts` record last. */
  publish_order: string[];
  /** Advice about the chosen options. */
  notes: string[];
}

/** What a sender does with the domain's mail (docs/findings.md, "Sender profiles"). */
export type Outcome = "delivers" | "delivers-testing" | "no-policy" | "no-mail" | "refuses";

/** One finished step of a domain check, for progress displays. */
export interface CheckStep {
  /** What was done: `"dns"`, `"policy"`, `"mx <host>"`. */
  name: string;
  /** The worst finding of the step. */
  status: "ok" | "warning" | "error";
  /** One line for a person. */
  summary: string;
  /** When it started, in ms after the check started. */
  started_ms: number;
  /** When it finished, in ms after the check started. */
  finished_ms: number;
}

/** A DNS record type the check asks for. */
export type RecordType = "A" | "AAAA" | "MX" | "TXT" | "CNAME" | "TLSA";

/** A DNS response code; other codes by number. */
export type Rcode = "noerror" | "nxdomain" | "servfail" | "refused" | { other: number };

/** One DNS lookup as the report shows it. */
export interface Lookup {
  name: string;
  rtype: RecordType;
  /** The response code, or null when no answer came. */
  rcode: Rcode | null;
  /** Whether the resolver validated the answer with DNSSEC (the AD bit). */
  validated: boolean;
  /** The CNAME chain from `name`, when there is one. */
  cname: string[];
  /** Why no answer came, when none did. */
  error: string | null;
}

/** A TXT RRset and its lint. */
export interface TxtLookup<T> {
  lookup: Lookup;
  /** Each TXT record's character-strings. */
  rrset: string[][];
  lint: LintResult<T>;
}

/** The TXT records the check read. */
export interface Records {
  /** `_mta-sts.<domain>`. */
  mta_sts: TxtLookup<StsRecord>;
  /** `_smtp._tls.<domain>`. */
  tlsrpt: TxtLookup<TlsRptRecord>;
  /** `_smtp-tlsrpt.<domain>`, the name used before RFC 8460. */
  tlsrpt_legacy: TxtLookup<TlsRptRecord>;
}

/** The class of a TLS failure. */
export type TlsErrorClass = "expired" | "wrong-name" | "untrusted" | "handshake";

/**
 * Why a policy fetch got no HTTP answer (the `kind` maps to a TLS-RPT result type). `refused`
 * means the fetch was refused on the checker's side before it started (a proxy's rules or rate
 * limit): `checkDomain` then rejects, as it says nothing of the domain. A `connect` or `other`
 * failure of a host that does not resolve is reported as `dns`.
 */
export type PolicyFetchError =
  | { kind: "dns"; detail: string }
  | { kind: "tls"; class: TlsErrorClass; detail: string }
  | { kind: "timeout" }
  | { kind: "connect"; detail: string }
  | { kind: "refused"; detail: string }
  | { kind: "other"; detail: string };

/** An HTTP answer to the policy fetch, as the report shows it. */
export interface HttpReply {
  status: number;
  /** `[name, value]`, names in lower case, in order. */
  headers: [string, string][];
  /** The body as text (at most 1 MiB + 1 byte of it). */
  body: string;
  /** Whether the body went on past what was read. */
  truncated: boolean;
}

/** The policy fetch and what the policy says. */
export interface PolicyCheck {
  /** The URL fetched. */
  url: string;
  /** The HTTP answer, when one came. */
  reply: HttpReply | null;
  /** Why no HTTP answer came. */
  error: PolicyFetchError | null;
  /** The TLS-RPT result type a sender would report for a failed fetch. */
  tlsrpt_result_type: string | null;
  /** The lint of the body, for a 200 answer. */
  lint: LintResult<Policy> | null;
}

/** One MX host. */
export interface MxHost {
  /** The host, lower case, no root dot. */
  host: string;
  /** Its MX preference; null for the implicit MX of the A/AAAA fallback. */
  preference: number | null;
  /** The CNAME chain of the host, when it is an alias. */
  cname: string[];
  /** Its IPv4 and IPv6 addresses. */
  addresses: string[];
  /** The policy pattern that covers it, when one does. */
  covered_by: string | null;
  /** The TLSA lookup at `_25._tcp.<host>`. */
  tlsa_lookup: Lookup | null;
  /** Each TLSA record found, linted. */
  tlsa: LintResult<Tlsa>[];
}

/** What one sender profile does with one MX host. */
export interface HostVerdict {
  mx: string;
  outcome: Outcome;
  /**
   * What governs the delivery to this host for this sender: `"dane"` (a DNSSEC-validated,
   * non-empty TLSA RRset, for a sender that does DANE: RFC 8461 §2, RFC 7672 §2.2), `"mta-sts"`
   * (the policy, in mode enforce or testing) or `"none"`.
   */
  by: "dane" | "mta-sts" | "none";
  /** The SMTP response when it refuses, where known. */
  response?: string;
}

/** What one sender profile does with the domain. */
export interface SenderVerdict {
  /** `"rfc8461"`, `"exchange-online"`, `"postfix-mta-sts-resolver"`, `"mox"`, `"stalwart"`, `"mailauth"`. */
  profile: string;
  /** `"refuses"` when it refuses at least one MX host. */
  outcome: Outcome;
  /** The SMTP response when it refuses, where known, e.g. `"551 5.4.8 …"`. */
  response?: string;
  /** Why, in one sentence. */
  reason: string;
  hosts: HostVerdict[];
}

/** The whole answer of a domain check. */
export interface CheckReport {
  /** The domain checked, in A-labels. */
  domain: string;
  /** `"refuses"` when any sender profile refuses some MX host, else what an RFC-conformant sender does (`"no-mail"` for a null MX). */
  verdict: Outcome;
  /**
   * Whether the check passes: no error finding and no sender profile refuses (the core's rule;
   * `mtasts check` exits 0 exactly when it is true). A null MX passes.
   */
  ok: boolean;
  /** Every finding, errors first. */
  findings: Finding[];
  /** Each step, in the order they finished. */
  steps: CheckStep[];
  records: Records;
  /** The policy fetch, when the domain has an `_mta-sts` record. */
  policy: PolicyCheck | null;
  /** Every MX host, in preference order. */
  mx: MxHost[];
  /** What each sender profile does. */
  sender_matrix: SenderVerdict[];
}

/**
 * What a `fetchPolicy` function resolves to: the HTTP answer (redirects not followed), or why
 * none came. A body longer than 1 MiB + 1 byte is cut there and counts as truncated.
 */
export type PolicyReply =
  | {
      status: number;
      /** Names in any case. Default: none. */
      headers?: Record<string, string> | [string, string][];
      /** Default: empty. */
      body?: Uint8Array | string;
      /** Whether the body went on past what was read. */
      truncated?: boolean;
      error?: undefined;
    }
  | { error: PolicyFetchError };

/** The options of `checkDomain`. */
export interface CheckOptions {
  /** The DoH endpoint (RFC 8484); default `https://cloudflare-dns.com/dns-query`; `http://` allowed. */
  doh?: string;
  /**
   * Fetches the policy instead of the global `fetch` (a web page routes it through its own
   * server: browsers hide redirects and block reads without CORS). Must not follow redirects.
   * `init.signal` aborts when the answer is no longer wanted (after 60 s, or when the check is
   * cancelled). A function that throws or rejects counts as a failed fetch; a reply that is no
   * PolicyReply rejects the check.
   */
  fetchPolicy?: (url: string, init: { signal: AbortSignal }) => PolicyReply | Promise<PolicyReply>;
  /** Called with each step as it finishes; if it throws, the check rejects with that error. */
  onStep?: (step: CheckStep) => void;
  /**
   * Cancels the check: it rejects with `signal.reason` when that is an `Error` (an `AbortError`
   * from `controller.abort()`, a `TimeoutError` from `AbortSignal.timeout()`), else with an Error
   * named `"AbortError"`, and stops the requests in flight.
   */
  signal?: AbortSignal;
}

/** Lints an MTA-STS policy file (RFC 8461 §3.2): its text, or its bytes as served (they may not be UTF-8). */
export function lintPolicy(text: string | Uint8Array): LintResult<Policy>;

/** Lints the `_mta-sts` TXT RRset (RFC 8461 §3.1): one string per TXT record. */
export function lintStsRecord(records: string | string[]): LintResult<StsRecord>;

/** Lints the `_smtp._tls` TXT RRset (RFC 8460 §3): one string per TXT record. */
export function lintTlsRptRecord(records: string | string[]): LintResult<TlsRptRecord>;

/** Lints one TLSA record in presentation format, `"3 1 1 <hex>"` (RFC 6698 §2.2). */
export function lintTlsa(rdata: string): LintResult<Tlsa>;

/** Lints a TLS-RPT report (RFC 8460 §4): JSON, gzip or the e-mail carrying it, told apart by its bytes. */
export function lintReport(body: Uint8Array | string): LintResult<ReportSummary>;

/** Whether a policy's `mx` pattern covers a host (RFC 8461 §4.1). */
export function matchMx(pattern: string, host: string): boolean;

/** The policy file and TXT records to publish. Throws an Error saying why for an input that would make them invalid. */
export function generate(options: GenerateOptions): Generated;

/**
 * The domain check: DNS over HTTPS, the policy fetch (redirects not followed), MX coverage,
 * TLS-RPT, DANE, and what each real sender does. Rejects when the check cannot run (not a mail
 * domain, the resolver unreachable) or is aborted.
 */
export function checkDomain(domain: string, options?: CheckOptions): Promise<CheckReport>;
