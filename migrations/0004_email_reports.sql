-- mtasts Worker: TLS-RPT reports by e-mail (RFC 8460 §5.3). The same store as POST /tlsrpt
-- (channel 'email'), with what the e-mail said of itself and what its DKIM signature proved.
-- A report whose signature does not prove the submitter is stored only with
-- TLSRPT_UNSIGNED = "quarantine", marked unverified (verified = 0): the reports view lists it
-- apart and leaves it out of the totals.
ALTER TABLE tlsrpt_reports ADD COLUMN verified INTEGER NOT NULL DEFAULT 1;
ALTER TABLE tlsrpt_reports ADD COLUMN mail_from TEXT;           -- envelope sender (MAIL FROM)
ALTER TABLE tlsrpt_reports ADD COLUMN dkim TEXT;                -- pass, fail, none, permerror
ALTER TABLE tlsrpt_reports ADD COLUMN dkim_domain TEXT;         -- d= of the signature judged
ALTER TABLE tlsrpt_reports ADD COLUMN report_domain_header TEXT;  -- TLS-Report-Domain
ALTER TABLE tlsrpt_reports ADD COLUMN report_submitter TEXT;    -- TLS-Report-Submitter
