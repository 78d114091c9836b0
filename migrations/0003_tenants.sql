-- mtasts Worker: many domain owners. Domain tokens (stored as SHA-256 only), ownership claims,
-- counters for quotas that hold across isolates, and a report store that keeps every distinct
-- report: a repeat is the byte-identical report (SHA-256 of its decoded JSON); a different report
-- with the same organization, report-id and range is kept as well, and both show as a conflict.
-- Raw bodies move to R2 (binding REPORTS, key `tlsrpt/<sha256>`); D1 keeps metadata and parsed
-- rows, none above 1 MB.

-- A credential for one domain: publish and remove its policy, read its reports, manage its tokens.
CREATE TABLE domain_tokens (
    id           TEXT PRIMARY KEY NOT NULL,  -- public handle (for DELETE .../tokens/<id>)
    domain       TEXT NOT NULL,              -- lower case, A-labels, no root dot
    token_sha256 TEXT NOT NULL UNIQUE,       -- hex SHA-256 of the token; the token is never stored
    created_at   INTEGER NOT NULL,           -- Unix seconds
    created_by   TEXT NOT NULL               -- 'operator' or 'verified' (claim + DNS proof)
);
CREATE INDEX domain_tokens_by_domain ON domain_tokens (domain);

-- A pending ownership claim (OPEN_SIGNUP): proven by the TXT record `challenge` at
-- _mtasts-challenge.<domain> before `expires_at`. Only the claimant holds the claim secret, so a
-- stranger who sees the TXT record cannot verify in the claimant's place; any number of claims
-- may be pending for one domain, so nobody's claim blocks the owner's.
CREATE TABLE claims (
    claim_sha256 TEXT PRIMARY KEY NOT NULL,  -- hex SHA-256 of the claim secret
    domain       TEXT NOT NULL,
    challenge    TEXT NOT NULL,              -- the TXT value, `mtasts-verify=<random>`
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
);
CREATE INDEX claims_by_expiry ON claims (expires_at);

-- Counters of fixed windows (a UTC minute or day, as a number since the epoch) per scope:
-- `tlsrpt:<policy domain>` per day, `edge:<client prefix>`, `signup:<prefix>`, `auth:<prefix>`
-- per minute. The scheduled event deletes windows older than two days.
CREATE TABLE counters (
    scope  TEXT NOT NULL,
    slot   INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (scope, slot)
);

-- The reports stored so far keep their rows: renamed here, they are moved into the new tables
-- (raw body to R2, one row per policy domain) by the scheduled event, a bounded number per run.
DROP TABLE report_domains;
ALTER TABLE reports RENAME TO legacy_reports;

-- One row per distinct report (RFC 8460 §4).
CREATE TABLE tlsrpt_reports (
    sha256          TEXT PRIMARY KEY NOT NULL,  -- hex SHA-256 of the decoded JSON
    organization    TEXT NOT NULL,              -- organization-name ('' when absent)
    report_id       TEXT NOT NULL,              -- report-id ('' when absent)
    start_datetime  TEXT NOT NULL,
    end_datetime    TEXT NOT NULL,
    identity        TEXT NOT NULL,              -- JSON [organization, report-id, start, end]
    channel         TEXT NOT NULL,              -- how it came: 'https' (POST /tlsrpt) or 'email'
    received_at     INTEGER NOT NULL,           -- Unix seconds
    media_type      TEXT NOT NULL,              -- of the raw body
    body_bytes      INTEGER NOT NULL,           -- of the raw body
    raw_key         TEXT NOT NULL,              -- R2 key of the raw body
    domains_stored  INTEGER NOT NULL,           -- policy domains filed (rows below)
    domains_dropped INTEGER NOT NULL,           -- policy domains not filed (not hosted, over quota)
    -- 0 while its rows are written (in several batches for a large report), 1 once all are:
    -- readers see complete reports only, and a repeat of an incomplete one completes it.
    complete        INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX tlsrpt_reports_by_identity ON tlsrpt_reports (identity);
CREATE INDEX tlsrpt_reports_by_received ON tlsrpt_reports (received_at);

-- Per report and policy domain: the core's summary cut to that domain (what the domain's reports
-- view adds up), by the UTC day the report's range starts ('' when undated).
CREATE TABLE tlsrpt_report_domains (
    sha256        TEXT NOT NULL REFERENCES tlsrpt_reports (sha256) ON DELETE CASCADE,
    policy_domain TEXT NOT NULL,
    day           TEXT NOT NULL,
    summary       TEXT NOT NULL,
    summary_bytes INTEGER NOT NULL,
    PRIMARY KEY (sha256, policy_domain)
);
CREATE INDEX tlsrpt_report_domains_by_domain ON tlsrpt_report_domains (policy_domain, day);
