#!/bin/sh
# Writes the DKIM fixtures of tests/data/dkim/ (read by crates/mtasts/tests/dkim.rs and the CLI's
# tests): report e-mails built by tlsrpt-reporter and signed by dkimpy with the test-only keys,
# then broken one way each. Run from the repository root after `make venv`; the signatures carry
# a timestamp, so a new run changes every file (and the tests still pass).
set -eu
PY=target/venv/bin/python
MAIL="$PY tests/dkim/mail.py"
D=tests/data/dkim
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
$MAIL tlsrpt --domain policy.example --to tlsrpt@reports.example.net --out "$T/report.eml"
$MAIL tlsrpt --domain policy.example --to tlsrpt@reports.example.net --submitter google.com --out "$T/google.eml"
sign() { $MAIL sign --key "$D/$1.key.pem" --domain reports.test --selector "$2" "$3" "$D/$4.eml"; }
sign s1 s1 "$T/report.eml" pass
sign s1 s0 "$T/report.eml" pass-default-service
sign s1 email "$T/report.eml" email-only-key
sign s1 revoked "$T/report.eml" revoked-key
sign s1 missing "$T/report.eml" missing-key
sign s1 slow "$T/report.eml" slow-key
sign wrong s1 "$T/report.eml" wrong-key
sign s1 s1 "$T/google.eml" not-submitter
sed 's/This is an aggregate TLS report/This is an altered TLS report/' "$D/pass.eml" > "$D/tampered-body.eml"
sed 's/^Subject: Report Domain: policy.example/Subject: Report Domain: policy.evil/' "$D/pass.eml" > "$D/tampered-header.eml"
sed 's/\r$//' "$T/report.eml" | sed 's/$/\r/' > "$D/unsigned.eml"
for real in google-test.xmox.nl-2022-09-15 microsoft-test.xmox.nl-2023-01-10 google-cardinalhealth.ca-2024-09-03; do
  $MAIL resign --key "$D/s1.key.pem" --domain reports.test --selector s1 \
    "tests/data/tlsrpt-reports/$real.eml" "$D/resigned-$real.eml"
done
