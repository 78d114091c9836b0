"""The anchor of `make bench`'s report-reading row: parsedmarc (tests/requirements.txt) reading
the SMTP TLS reports named on the command line from memory, round after round for MIN_SECONDS,
with `parsedmarc.parse_smtp_tls_report_json` (its JSON reader and validation).

`target/bench-venv/bin/python scripts/bench-parsedmarc.py [--accepted-only] FILE...` prints one JSON
line: {"files", "bytes", "rounds", "seconds", "mb_per_s", "accepted": [the files it reads]}.
Files parsedmarc refuses are left out (and named in "refused"), so both sides read the same ones.
"""

import json
import sys
import time
from importlib.metadata import version

import parsedmarc

MIN_SECONDS = 3.0


def main(argv):
    only_list = "--accepted-only" in argv
    paths = [a for a in argv if not a.startswith("--")]
    accepted, refused, blobs = [], [], []
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        try:
            parsedmarc.parse_smtp_tls_report_json(data)
        except Exception:  # noqa: BLE001 - any refusal leaves the file out of the comparison
            refused.append(path)
            continue
        accepted.append(path)
        blobs.append(data)
    out = {"parsedmarc": version("parsedmarc"), "accepted": accepted, "refused": refused}
    if not only_list and blobs:
        total = sum(len(b) for b in blobs)
        rounds = 0
        started = time.perf_counter()
        while True:
            for blob in blobs:
                parsedmarc.parse_smtp_tls_report_json(blob)
            rounds += 1
            seconds = time.perf_counter() - started
            if seconds >= MIN_SECONDS:
                break
        out.update(
            files=len(blobs),
            bytes=total,
            rounds=rounds,
            seconds=round(seconds, 3),
            mb_per_s=round(total * rounds / (1 << 20) / seconds, 1),
        )
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1:])
