//! `/lint`: paste a policy file, a `_mta-sts` or `_smtp._tls` TXT record, TLSA records or a
//! certificate chain (PEM), and see the core's findings on the lines they are about, as an
//! editor shows errors.

use crate::browser::{now_unix, set_title};
use crate::components::findings::{rfc_link, severity_counts, FindingGroups, FindingItem};
use crate::state::on_value;
use mtasts::cert::{CertChainReport, CertCheck};
use mtasts::{Finding, LintResult};
use std::rc::Rc;
use yew::prelude::*;

/// What the pasted text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Policy,
    StsRecord,
    TlsRptRecord,
    Tlsa,
    Cert,
}

impl Kind {
    /// The choices of `#lint-kind`, after "auto".
    const ALL: [Kind; 5] = [
        Kind::Policy,
        Kind::StsRecord,
        Kind::TlsRptRecord,
        Kind::Tlsa,
        Kind::Cert,
    ];

    fn value(self) -> &'static str {
        match self {
            Kind::Policy => "policy",
            Kind::StsRecord => "sts-record",
            Kind::TlsRptRecord => "tlsrpt-record",
            Kind::Tlsa => "tlsa",
            Kind::Cert => "cert",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::Policy => "MTA-STS policy file",
            Kind::StsRecord => "_mta-sts TXT record",
            Kind::TlsRptRecord => "_smtp._tls TXT record (TLS-RPT)",
            Kind::Tlsa => "TLSA records",
            Kind::Cert => "certificate chain (PEM)",
        }
    }

    fn from_value(value: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.value() == value)
    }

    /// What the text looks like: a PEM block, a record by its version tag, TLSA by its three
    /// numbers, and otherwise a policy file.
    fn detect(text: &str) -> Kind {
        let first = text
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("");
        let lower = first.to_ascii_lowercase();
        let numbers = first
            .split_whitespace()
            .take(3)
            .filter(|t| t.parse::<u8>().is_ok())
            .count();
        if lower.starts_with("-----begin") {
            Kind::Cert
        } else if lower.starts_with("v=sts") {
            Kind::StsRecord
        } else if lower.starts_with("v=tlsrpt") {
            Kind::TlsRptRecord
        } else if numbers == 3 {
            Kind::Tlsa
        } else {
            Kind::Policy
        }
    }
}

/// The most lines shown; findings on later lines are listed below them.
const MAX_LINES_SHOWN: usize = 2_000;

/// What the lint found, laid out for the page.
#[derive(Debug, Clone, PartialEq, Default)]
struct Linted {
    valid: bool,
    /// Findings about one line: (1-based line, finding).
    on_lines: Vec<(usize, Finding)>,
    /// Findings about the whole input.
    general: Vec<Finding>,
    /// A certificate chain's details.
    chain: Option<CertChainReport>,
    /// Why the input could not be read at all.
    error: Option<String>,
}

impl Linted {
    fn of<T>(result: LintResult<T>, line: Option<usize>) -> Linted {
        let mut linted = Linted {
            valid: result.valid,
            ..Linted::default()
        };
        for finding in result.findings {
            match finding.line.map(|l| l as usize).or(line) {
                Some(line) => linted.on_lines.push((line, finding)),
                None => linted.general.push(finding),
            }
        }
        linted
    }
}

/// The 1-based numbers and texts of the lines that are not blank.
fn filled_lines(text: &str) -> Vec<(usize, &str)> {
    text.lines()
        .enumerate()
        .map(|(i, l)| (i + 1, l.trim()))
        .filter(|(_, l)| !l.is_empty())
        .collect()
}

/// Lints `text` as `kind` with the core.
fn lint(text: &str, kind: Kind, host: &str) -> Linted {
    let records = filled_lines(text);
    // A record's findings belong on its line when it stands alone; several lines are one RRset.
    let only_line = match records.as_slice() {
        [(line, _)] => Some(*line),
        _ => None,
    };
    let rrset = || -> Vec<Vec<String>> {
        records
            .iter()
            .map(|(_, record)| vec![(*record).to_string()])
            .collect()
    };
    match kind {
        Kind::Policy => Linted::of(mtasts::lint_policy(text.as_bytes()), None),
        Kind::StsRecord => Linted::of(mtasts::lint_sts_rrset(&rrset()), only_line),
        Kind::TlsRptRecord => Linted::of(mtasts::lint_tlsrpt_rrset(&rrset()), only_line),
        Kind::Tlsa => {
            // One TLSA record a line, each linted on its own.
            let mut all = Linted {
                valid: true,
                ..Linted::default()
            };
            for (line, record) in records {
                let one = Linted::of(mtasts::lint_tlsa(record), Some(line));
                all.valid &= one.valid;
                all.on_lines.extend(one.on_lines);
            }
            all
        }
        Kind::Cert => {
            let host = host.trim();
            let check = CertCheck {
                host: (!host.is_empty()).then_some(host),
                now_unix: i64::try_from(now_unix()).unwrap_or(i64::MAX),
                ..CertCheck::default()
            };
            match mtasts::lint_cert_chain(text.as_bytes(), &check) {
                Ok(result) => {
                    let chain = result.value.clone();
                    Linted {
                        chain,
                        ..Linted::of(result, None)
                    }
                }
                Err(error) => Linted {
                    error: Some(error.to_string()),
                    ..Linted::default()
                },
            }
        }
    }
}

/// What the form holds.
#[derive(Debug, Clone, PartialEq, Default)]
struct LintInput {
    text: String,
    /// `auto` or a [`Kind`]'s value.
    choice: String,
    /// The MX host a certificate chain is for.
    host: String,
}

impl LintInput {
    /// The kind to read the text as: the one chosen, or the one it looks like.
    fn kind(&self) -> Kind {
        Kind::from_value(&self.choice).unwrap_or_else(|| Kind::detect(&self.text))
    }
}

/// The lint page: the text is linted as it is typed.
#[function_component]
pub fn LintPage() -> Html {
    let input = use_state(|| LintInput {
        choice: "auto".to_string(),
        ..LintInput::default()
    });
    let linted = use_memo((*input).clone(), |input| {
        (!input.text.trim().is_empty()).then(|| lint(&input.text, input.kind(), &input.host))
    });
    use_effect_with((), |_| set_title("Lint a policy, record or certificate"));
    let oninput = on_value(&input, |i, v| i.text = v);
    let onkind = on_value(&input, |i, v| i.choice = v);
    let onhost = on_value(&input, |i, v| i.host = v);
    // Linting follows the typing; the button is there for those who look for one.
    let onsubmit = Callback::from(|e: SubmitEvent| e.prevent_default());
    let kind_now = input.kind();
    let (text, choice, host) = (&input.text, &input.choice, &input.host);

    html! {
        <>
            <h1>{ "Lint a policy, record or certificate" }</h1>
            <p class="lead">
                { "Paste an MTA-STS policy file, a TXT record, TLSA records (one a line) or a certificate \
                   chain. The findings appear on the lines they are about, with the RFC section." }
            </p>
            <form class="lint-form" {onsubmit}>
                <div class="field">
                    <label for="lint-input">{ "Text to lint" }</label>
                    <textarea id="lint-input" name="text" rows="10" spellcheck="false" autocapitalize="off"
                        class="code-input" value={text.clone()} {oninput}
                        placeholder={"version: STSv1\nmode: enforce\nmx: mail.example.com\nmax_age: 604800"} />
                </div>
                <div class="field-grid">
                    <div class="field">
                        <label for="lint-kind">{ "Read it as" }</label>
                        <select id="lint-kind" name="kind" onchange={onkind}>
                            <option value="auto" selected={choice == "auto"}>{ "auto (guess from the text)" }</option>
                            { for Kind::ALL.iter().map(|k| html! {
                                <option value={k.value()} selected={choice == k.value()}>{ k.label() }</option>
                            }) }
                        </select>
                    </div>
                    if kind_now == Kind::Cert {
                        <div class="field">
                            <label for="lint-host">{ "MX host the chain is for (optional)" }</label>
                            <input id="lint-host" name="host" type="text" autocomplete="off" spellcheck="false"
                                autocapitalize="off" placeholder="mx1.example.com" value={host.clone()}
                                oninput={onhost} />
                        </div>
                    }
                </div>
                <button type="submit">{ "Lint" }</button>
            </form>
            if let Some(result) = &*linted {
                { result_view(text, kind_now, result) }
            }
        </>
    }
}

fn result_view(text: &str, kind: Kind, linted: &Linted) -> Html {
    let findings = linted
        .on_lines
        .iter()
        .map(|(_, f)| f)
        .chain(&linted.general);
    let summary = match &linted.error {
        Some(error) => format!("Read as: {}. It cannot be read: {error}.", kind.label()),
        None => format!(
            "Read as: {}. {}: {}.",
            kind.label(),
            if linted.valid { "Valid" } else { "Not valid" },
            severity_counts(findings)
        ),
    };
    let valid = linted.error.is_none() && linted.valid;
    let lines: Vec<&str> = text.lines().collect();
    let shown = lines.len().min(MAX_LINES_SHOWN);
    // Findings on lines not shown join the general ones.
    let mut general = linted.general.clone();
    general.extend(
        linted
            .on_lines
            .iter()
            .filter(|(line, _)| *line == 0 || *line > shown)
            .map(|(_, f)| f.clone()),
    );
    html! {
        <section class="lint-result" aria-labelledby="lint-result-heading">
            <h2 id="lint-result-heading">{ "Findings" }</h2>
            <p data-testid="lint-summary" data-valid={valid.to_string()} class={classes!("summary", if valid { "valid" } else { "invalid" })}>
                { summary }
            </p>
            <ol data-testid="lint-lines" class="lines" aria-label="The text, line by line">
                { for lines.iter().take(shown).enumerate().map(|(i, line)| {
                    let number = i + 1;
                    let here: Vec<&Finding> = linted.on_lines.iter().filter(|(l, _)| *l == number).map(|(_, f)| f).collect();
                    let has = !here.is_empty();
                    let worst = here.iter().map(|f| f.severity).max().map(|s| format!("has-{s}"));
                    html! {
                        <li data-line={number.to_string()} data-has-findings={has.then_some("true")}
                            class={classes!("line", worst)}>
                            <span class="line-no" aria-hidden="true">{ number }</span>
                            <code class="line-text">{ *line }</code>
                            if has {
                                <ul class="findings">
                                    { for here.into_iter().map(|f| html! { <FindingItem finding={f.clone()} /> }) }
                                </ul>
                            }
                        </li>
                    }
                }) }
            </ol>
            if lines.len() > shown {
                <p class="muted">{ format!("{} more lines are not shown.", lines.len() - shown) }</p>
            }
            <div data-testid="lint-findings" class="general">
                if !general.is_empty() {
                    <FindingGroups findings={Rc::new(general)} />
                }
            </div>
            if let Some(chain) = &linted.chain {
                { chain_view(chain) }
            }
        </section>
    }
}

/// The certificates of a chain, server's first.
fn chain_view(chain: &CertChainReport) -> Html {
    html! {
        <section aria-labelledby="chain-heading">
            <h3 id="chain-heading">{ "The certificates" }</h3>
            <p class="muted">
                { format!("Judged at {}. Signatures and the path to a public root are not verified here: ", chain.checked_at) }
                <code>{ "mtasts check --smtp" }</code>{ " does that against the live server. " }
                { rfc_link("RFC 8461 §4.2") }
            </p>
            <ol class="chain">
                { for chain.certificates.iter().map(|c| html! {
                    <li>
                        <dl class="facts">
                            <dt>{ "Subject" }</dt><dd><code>{ &c.subject }</code></dd>
                            <dt>{ "Issuer" }</dt><dd><code>{ &c.issuer }</code></dd>
                            if !c.san_dns.is_empty() {
                                <dt>{ "DNS names" }</dt><dd><code>{ c.san_dns.join(", ") }</code></dd>
                            }
                            <dt>{ "Valid" }</dt><dd>{ format!("{} to {} ({} days left)", c.not_before, c.not_after, c.days_left) }</dd>
                            <dt>{ "SHA-256 of the key (TLSA 3 1 1)" }</dt><dd><code class="hex">{ &c.fingerprints.spki_sha256 }</code></dd>
                        </dl>
                    </li>
                }) }
            </ol>
        </section>
    }
}
