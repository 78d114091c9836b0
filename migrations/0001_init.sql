-- mtasts Worker: hosted MTA-STS policies and received TLS-RPT reports (D1 / SQLite).
-- Applied by wrangler: `wrangler d1 migrations apply DB --local` (or `--remote`).

-- One row per hosted domain: the policy served at https://mta-sts.<domain>/.well-known/mta-sts.txt.
CREATE TABLE policies (
    domain               TEXT PRIMARY KEY NOT NULL,  -- lower case, A-labels, no root dot
    policy               TEXT NOT NULL,              -- the policy file, CRLF line endings
    policy_id            TEXT NOT NULL,              -- the id of the matching _mta-sts TXT record
    mode                 TEXT NOT NULL,
    max_age              INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,           -- Unix seconds
    -- RFC 8461 §8.3 removal: when `mode: none` began to be served, and when the TXT record and
    -- the policy may go (the previous policy's max_age later).
    removal_started_at   INTEGER,
    records_removable_at INTEGER
);

-- One row per distinct report (RFC 8460 §4): the raw body as received (so a later parser can
-- re-read it) and the core's summary as JSON. The UNIQUE key makes a repeat a no-op.
CREATE TABLE reports (
    report_key     TEXT PRIMARY KEY NOT NULL,  -- JSON array of the five key columns below
    organization   TEXT NOT NULL,
    report_id      TEXT NOT NULL,
    policy_domains TEXT NOT NULL,              -- the report's policy domains, sorted, comma-separated
    start_datetime TEXT NOT NULL,
    end_datetime   TEXT NOT NULL,
    received_at    INTEGER NOT NULL,           -- Unix seconds
    nonce          TEXT NOT NULL,              -- which request stored it (guards the child rows)
    media_type     TEXT NOT NULL,
    raw            BLOB NOT NULL,
    summary        TEXT NOT NULL,
    UNIQUE (organization, report_id, policy_domains, start_datetime, end_datetime)
);

-- Per report and policy: session totals, by the UTC day the report's range starts.
CREATE TABLE report_policies (
    report_key    TEXT NOT NULL REFERENCES reports (report_key) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    policy_domain TEXT NOT NULL,
    policy_type   TEXT NOT NULL,
    day           TEXT NOT NULL,
    successful    INTEGER NOT NULL,
    failed        INTEGER NOT NULL,
    PRIMARY KEY (report_key, seq)
);
CREATE INDEX report_policies_by_domain ON report_policies (policy_domain, day);

-- Per report: failed sessions by policy domain, result type and receiving MX.
CREATE TABLE report_failures (
    report_key    TEXT NOT NULL REFERENCES reports (report_key) ON DELETE CASCADE,
    seq           INTEGER NOT NULL,
    policy_domain TEXT NOT NULL,
    day           TEXT NOT NULL,
    result_type   TEXT NOT NULL,
    mx            TEXT NOT NULL,               -- '' when the report names none
    sessions      INTEGER NOT NULL,
    PRIMARY KEY (report_key, seq)
);
CREATE INDEX report_failures_by_domain ON report_failures (policy_domain, day);
