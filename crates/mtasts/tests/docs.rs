//! `docs/findings.md` is rendered from the rule catalogue (`src/finding.rs`): this test renders it
//! again and fails when the file differs. After changing the catalogue, regenerate it with
//! `UPDATE_DOCS=1 cargo test -p mtasts --test docs` and commit the result.

use mtasts::check::senders::PROFILES;
use mtasts::{Code, Severity};
use std::fmt::Write as _;
use std::path::PathBuf;

/// The command that rewrites the file.
const REGENERATE: &str = "UPDATE_DOCS=1 cargo test -p mtasts --test docs";

/// A policy with one blank line: the example finding of the introduction.
const EXAMPLE_POLICY: &[u8] =
    b"version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\n\r\nmax_age: 604800\r\n";

/// `docs/findings.md` at the root of the repository.
fn findings_md() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/findings.md")
}

/// One table cell: Markdown, on one line.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// What the catalogue says, as Markdown.
fn render() -> String {
    let mut out = String::new();
    let count = |severity: Severity| {
        Code::ALL
            .iter()
            .filter(|c| c.severity() == severity)
            .count()
    };
    let example = mtasts::lint_policy(EXAMPLE_POLICY)
        .findings
        .into_iter()
        .find(|f| f.code == Code::PolicyBlankLine)
        .map(|f| serde_json::to_string_pretty(&f).unwrap_or_default())
        .unwrap_or_default();
    let _ = write!(
        out,
        "# Finding codes

<!-- Rendered from the rule catalogue, crates/mtasts/src/finding.rs, by crates/mtasts/tests/docs.rs,
which fails when this file differs. Do not edit by hand: change the catalogue, then run
`{REGENERATE}`. -->

Every problem `mtasts` reports, on every surface (the `mtasts` command line, the npm package, the
Worker's API, the web page), is a *finding* with a stable code from this catalogue. This file is
the catalogue's contract; `../shared/spec/RULES.md` is where it started. It lists {total} codes:
{errors} errors, {warnings} warnings and {infos} for information.

A finding is one JSON object (here the one `mtasts lint policy` gives for a blank line on line 4):

```json
{example}
```

- `code`: the stable name of the rule, `<object>.<problem>`. **A code, once shipped, keeps its
  meaning**: codes are added, never reused for something else. A program acts on the code (and
  the severity), never on the message.
- `severity`: always the code's, as listed below. `error`: the RFC is broken, or a real sender
  will refuse or defer mail. `warning`: legal but risky, or refused by some real senders. `info`:
  worth knowing.
- `message`: one plain sentence for a person, naming the offending value and, where it matters,
  what lenient and strict senders do. Its wording may change between versions.
- `rfc`: the section the rule comes from, as `RFC 8461 §3.2`.
- `line` (only when the finding is about one line): the 1-based line of the policy file.
- `host` (only in a domain check, when the finding is about one MX host): that host.

Every lint answers a `LintResult`, `{{ \"valid\": bool, \"findings\": [Finding], \"value\"?: … }}`:
**`valid` is true exactly when no finding has severity `error`**, and `value` is what could be
read (the way a lenient sender reads it), absent when nothing could. A broken object is a result
with error findings, never an exception or an exit status 2. Verdicts follow the RFCs' grammar
strictly (a blank line in a policy is an error); where lenient senders still accept what the RFC
forbids, the message says so, and the domain check's sender matrix says what each sender does.
TLS-RPT reports are read leniently and judged separately: a report that breaks the RFC is still
read, and only one that cannot be read at all (`report.gzip`, `report.too-large`,
`report.json`) is not valid.

The tables give, for each code, its severity, its RFC section, what it means and how to fix it
(the same text as `Code::meaning()` and `Code::fix()` in the core). `<domain>` stands for the mail
domain checked, `<host>` for an MX host.
",
        total = Code::ALL.len(),
        errors = count(Severity::Error),
        warnings = count(Severity::Warning),
        infos = count(Severity::Info),
    );
    let mut section = "";
    for &code in Code::ALL {
        if code.section() != section {
            section = code.section();
            let _ = write!(
                out,
                "\n## {section}\n\n| code | severity | RFC | what it means | how to fix it |\n|---|---|---|---|---|\n"
            );
        }
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} | {} |",
            code.as_str(),
            code.severity(),
            code.rfc(),
            cell(code.meaning()),
            cell(code.fix()),
        );
    }
    let _ = write!(
        out,
        "
## Sender profiles

Messages name real senders. Beside the findings, a domain check says what each of these sender
profiles does with the domain (`sender_matrix` of the check report, see `docs/interfaces.md`):
`delivers`, `delivers-testing`, `no-policy`, `no-mail` (a null MX: the domain accepts no mail and
MTA-STS does not apply) or `refuses`. Each profile is a small, documented set of deviations from
RFC 8461 (`crates/mtasts/src/check/senders.rs`).

| profile | what it is |
|---|---|
"
    );
    for profile in PROFILES {
        let _ = writeln!(
            out,
            "| `{}` | {} |",
            profile.name,
            cell(profile.description)
        );
    }
    out
}

#[test]
fn findings_md_is_rendered_from_the_catalogue() {
    let want = render();
    let path = findings_md();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        if let Err(e) = std::fs::write(&path, &want) {
            panic!("cannot write {}: {e}", path.display());
        }
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    if have != want {
        let line = have
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| have.lines().count().min(want.lines().count()));
        panic!(
            "docs/findings.md differs from the catalogue in src/finding.rs, first at line {}:\n  \
             file:      {:?}\n  catalogue: {:?}\nregenerate it with `{REGENERATE}` and commit it",
            line + 1,
            have.lines().nth(line).unwrap_or("<end of file>"),
            want.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

#[test]
fn findings_md_lists_every_code_once() {
    let text = render();
    for &code in Code::ALL {
        let row = format!("| `{}` |", code.as_str());
        assert_eq!(text.matches(&row).count(), 1, "{code}");
    }
}
