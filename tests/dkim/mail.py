"""Report e-mails for the tests, from independent implementations (target/venv, `make venv`).

    mail.py tlsrpt --domain D --to ADDRESS [--submitter reports.test] --out FILE
        A report e-mail for policy domain D as tlsrpt-reporter 0.6.0 (the reporting daemon Postfix
        3.10+ feeds) builds and sends it: its own `render_report` makes the JSON from collectd's
        internal data (one day, one sts policy, one failure), and its own `send_out_report`
        gzips it and builds the mail (multipart/report, application/tlsrpt+gzip, TLS-Report-*
        headers), handing it to its sendmail script, here `cat > FILE`.
    mail.py sign --key PEM --domain D --selector S IN OUT
        Signs the message IN with dkimpy 1.1.8 (rsa-sha256, relaxed/relaxed), the From,
        Subject, Date, Message-ID, To and both TLS-Report-* headers included.
    mail.py sign-dir --key PEM --domain D --selector S DIR
        Signs every DIR/*.eml in place, as `sign` does (for the load test's thousands of mails).
    mail.py resign --key PEM --domain D --selector S IN OUT
        A real report e-mail re-signed as D: its DKIM-Signature, ARC and Received headers taken
        out, TLS-Report-Submitter set to D (the signer must be the submitter, RFC 8460 §5.3), a
        Message-ID added if it has none; the rest byte for byte. Then signed as `sign` does.
"""

import argparse
import json
import re
import sqlite3
import sys
import types

import dkim

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id",
                  b"tls-report-domain", b"tls-report-submitter", b"content-type"]


def sign(message: bytes, key: bytes, domain: str, selector: str) -> bytes:
    present = {line.split(b":", 1)[0].strip().lower()
               for line in message.split(b"\r\n\r\n", 1)[0].split(b"\r\n") if b":" in line}
    headers = [h for h in SIGNED_HEADERS if h in present]
    signature = dkim.sign(message, selector.encode(), domain.encode(), key,
                          canonicalize=(b"relaxed", b"relaxed"), include_headers=headers)
    return signature + message


def crlf(message: bytes) -> bytes:
    return re.sub(rb"\r?\n", b"\r\n", message)


def resign(message: bytes, key: bytes, domain: str, selector: str) -> bytes:
    head, sep, body = crlf(message).partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] += b"\r\n" + line
        else:
            fields.append(line)
    dropped = (b"dkim-signature", b"arc-", b"received", b"x-google-dkim-signature",
               b"authentication-results", b"tls-report-submitter", b"return-path")
    kept = [f for f in fields if not f.lower().startswith(dropped)]
    kept.append(b"TLS-Report-Submitter: " + domain.encode())
    if not any(f.lower().startswith(b"message-id:") for f in kept):
        kept.append(b"Message-ID: <resigned." + selector.encode() + b"@" + domain.encode() + b">")
    return sign(b"\r\n".join(kept) + sep + body, key, domain, selector)


def tlsrpt_mail(domain: str, to: str, submitter: str, out: str) -> None:
    from tlsrpt_reporter import tlsrpt

    reportd = tlsrpt.TLSRPTReportd.__new__(tlsrpt.TLSRPTReportd)
    reportd.cfg = types.SimpleNamespace(
        organization_name="Reports Test Org",
        contact_info=f"smtp-tls-reporting@{submitter}",
        sender_address=f"noreply-smtp-tls-reporting@{submitter}",
        sendmail_script=f"cat > '{out}'",
        sendmail_timeout=10,
        compression_level=9,
        debug_send_mail_dest="",
        debug_send_file_dest="",
    )
    reportd.con = sqlite3.connect(":memory:")
    reportd.con.execute("CREATE TABLE reports (d_r_id INTEGER PRIMARY KEY, day, domain, uniqid, report)")
    reportd.con.execute("CREATE TABLE destinations (destination, d_r_id, retries, status, nexttry)")

    class NoMap:
        @staticmethod
        def map_destination(dom, destinations, logger):
            return destinations

    reportd.destination_map = NoMap()
    reportd.schedule_report_delivery = lambda: 0
    day = "2026-12-01"
    policy = json.dumps({"policy-type": 2, "policy-domain": domain,
                         "policy-string": ["version: STSv1", "mode: enforce", f"mx: mx1.{domain}",
                                           "max_age: 86400"], "mx-host": [f"mx1.{domain}"]})
    failure = json.dumps({"c": 202, "n": f"mx1.{domain}", "r": "192.0.2.25", "s": "192.0.2.1"})
    data = {policy: {"cntrtotal": 12, "cntrfailure": 2, "failures": {failure: 2}}}
    report = {"organization-name": reportd.cfg.organization_name,
              "date-range": {"start-datetime": tlsrpt.tlsrpt_report_start_datetime(day),
                             "end-datetime": tlsrpt.tlsrpt_report_end_datetime(day)},
              "contact-info": reportd.cfg.contact_info}
    reportd.render_report(day, domain, f"v=TLSRPTv1; rua=mailto:{to}", data, report)
    (d_r_id, uniqid, rendered) = reportd.con.execute(
        "SELECT d_r_id, uniqid, report FROM reports").fetchone()
    result = reportd.send_out_report(day, domain, d_r_id, uniqid, f"mailto:{to}", rendered)
    if result != tlsrpt.DeliveryResult.SUCCEEDED:
        sys.exit(f"tlsrpt-reporter did not send the report: {result}")


def main() -> None:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    t = sub.add_parser("tlsrpt")
    t.add_argument("--domain", required=True)
    t.add_argument("--to", required=True)
    t.add_argument("--submitter", default="reports.test")
    t.add_argument("--out", required=True)
    for name in ("sign", "resign", "sign-dir"):
        s = sub.add_parser(name)
        s.add_argument("--key", required=True)
        s.add_argument("--domain", required=True)
        s.add_argument("--selector", required=True)
        s.add_argument("input")
        if name != "sign-dir":
            s.add_argument("output")
    args = parser.parse_args()
    if args.command == "tlsrpt":
        tlsrpt_mail(args.domain, args.to, args.submitter, args.out)
        return
    with open(args.key, "rb") as f:
        key = f.read()
    if args.command == "sign-dir":
        import pathlib
        for path in sorted(pathlib.Path(args.input).glob("*.eml")):
            path.write_bytes(sign(crlf(path.read_bytes()), key, args.domain, args.selector))
        return
    with open(args.input, "rb") as f:
        message = f.read()
    if args.command == "sign":
        signed = sign(crlf(message), key, args.domain, args.selector)
    else:
        signed = resign(message, key, args.domain, args.selector)
    with open(args.output, "wb") as f:
        f.write(signed)


if __name__ == "__main__":
    main()
