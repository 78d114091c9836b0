-- mtasts Worker: one report view. `GET /api/domains/<domain>/reports` hands the stored summaries
-- (`reports.summary`, the core's ReportSummary as JSON) of a domain's reports to the core, which
-- adds them up (its ReportsOverview). The per-policy and per-failure rows the Worker summed in SQL
-- go; what stays is an index from each policy domain to its reports.

-- Per report and policy domain: which reports to read for a domain, newest first, and how large
-- their stored summaries are (so that one answer reads a bounded number of bytes).
CREATE TABLE report_domains (
    report_key    TEXT NOT NULL REFERENCES reports (report_key) ON DELETE CASCADE,
    policy_domain TEXT NOT NULL,               -- lower case, no root dot
    day           TEXT NOT NULL,               -- UTC day the report's range starts, '' when undated
    summary_bytes INTEGER NOT NULL,            -- bytes of reports.summary
    PRIMARY KEY (report_key, policy_domain)
);
CREATE INDEX report_domains_by_domain ON report_domains (policy_domain, day);

-- The reports stored before this migration: their policy domains and days from the old rows.
INSERT OR IGNORE INTO report_domains (report_key, policy_domain, day, summary_bytes)
SELECT DISTINCT p.report_key, p.policy_domain,
       CASE p.day WHEN 'undated' THEN '' ELSE p.day END,
       length(CAST(r.summary AS BLOB))
FROM report_policies p JOIN reports r ON r.report_key = p.report_key
WHERE p.policy_domain <> '';

DROP TABLE report_failures;
DROP TABLE report_policies;
