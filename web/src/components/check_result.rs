//! The result of a domain check, as the core reported it: the verdict first, then what each
//! sender does, the findings by severity (with the record or policy to publish instead, generated
//! by the core, where one fixes them), and the MX hosts with the pattern covering each.

use crate::browser::now_unix;
use crate::components::copy_button::CopyButton;
use crate::components::findings::{severity_counts, FindingGroups, Fix};
use crate::route::{query_string, Link};
use mtasts::check::{CheckReport, MxHost, Outcome, SenderVerdict};
use mtasts::mta_sts::policy::{MAX_MAX_AGE, SHORT_MAX_AGE};
use mtasts::{generate, policy_id_from_unix, GenerateOptions, Generated, Mode, Severity};
use std::rc::Rc;
use yew::prelude::*;

/// The `max_age` of a suggested policy when the domain's own is missing or out of range: one
/// week, as the generator page and the npm package default to.
const SUGGESTED_MAX_AGE: u64 = 604_800;

/// Properties of [`CheckResult`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CheckResultProps {
    /// The report.
    pub report: Rc<CheckReport>,
}

/// The whole result.
#[function_component]
pub fn CheckResult(props: &CheckResultProps) -> Html {
    let report = &props.report;
    let json = use_memo(Rc::clone(report), |report| {
        serde_json::to_string_pretty(&**report).unwrap_or_default()
    });
    let findings = use_memo(Rc::clone(report), |report| report.findings.clone());
    let fixes = use_memo(Rc::clone(report), |report| fixes(report));
    let mx: Vec<&str> = report.mx.iter().map(|h| h.host.as_str()).collect();
    let mx = mx.join(",");
    let generate_url = format!(
        "/generate{}",
        query_string(&[("domain", report.domain.as_str()), ("mx", &mx)])
    );
    html! {
        <section class="result" aria-labelledby="result-heading">
            <h2 id="result-heading" class="visually-hidden">{ format!("Result for {}", report.domain) }</h2>
            { verdict(report) }
            <section aria-labelledby="senders-heading">
                <h2 id="senders-heading">{ "What senders do" }</h2>
                { sender_table(&report.sender_matrix) }
            </section>
            <section data-testid="findings" aria-labelledby="findings-heading">
                <h2 id="findings-heading">{ "Findings" }</h2>
                <FindingGroups findings={findings} fixes={fixes} />
            </section>
            <section aria-labelledby="mx-heading">
                <h2 id="mx-heading">{ "MX hosts" }</h2>
                { mx_table(report) }
            </section>
            <div class="actions">
                <CopyButton text={AttrValue::from((*json).clone())} label="Copy JSON" />
                <Link to={generate_url} class="button-link">{ "Generate the policy and records for these MX hosts" }</Link>
            </div>
        </section>
    }
}

/// The verdict: one word as data, one sentence for people.
fn verdict(report: &CheckReport) -> Html {
    let domain = &report.domain;
    let (title, sentence) = match report.verdict {
        Outcome::Delivers => (
            "Senders deliver, over verified TLS",
            format!("Senders that enforce MTA-STS deliver mail for {domain} over TLS they have verified."),
        ),
        Outcome::DeliversTesting => (
            "Senders deliver: the policy is in testing mode",
            format!("The policy of {domain} is in testing mode: senders deliver and report TLS failures, but refuse no mail yet."),
        ),
        Outcome::NoPolicy => (
            "Senders deliver without MTA-STS",
            format!("{domain} has no usable MTA-STS policy: senders deliver its mail without MTA-STS protection."),
        ),
        Outcome::Refuses => (
            "Some senders refuse mail",
            format!("Some senders refuse or defer mail for {domain}: the table below says which and with what response, and the errors say why."),
        ),
    };
    html! {
        <section class={classes!("verdict", report.verdict.as_str())} data-testid="verdict"
            data-verdict={report.verdict.as_str()} aria-labelledby="verdict-heading">
            <h2 id="verdict-heading">{ title }</h2>
            <p>{ sentence }</p>
            <p class="counts">
                { format!("{domain}: {}.", severity_counts(report.findings.iter())) }
            </p>
        </section>
    }
}

/// How an outcome reads in the table.
fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Delivers => "Delivers",
        Outcome::DeliversTesting => "Delivers (testing)",
        Outcome::NoPolicy => "Delivers, no MTA-STS",
        Outcome::Refuses => "Refuses",
    }
}

fn outcome_badge(outcome: Outcome) -> Html {
    html! { <span class={classes!("outcome", outcome.as_str())}>{ outcome_label(outcome) }</span> }
}

fn sender_table(senders: &[SenderVerdict]) -> Html {
    html! {
        <table data-testid="senders" class="stack">
            <caption>{ "Each sender profile, with the response a refusing sender gives" }</caption>
            <thead>
                <tr><th scope="col">{ "Sender" }</th><th scope="col">{ "Outcome" }</th><th scope="col">{ "Why" }</th></tr>
            </thead>
            <tbody>
                { for senders.iter().map(|s| html! {
                    <tr data-sender={s.profile.clone()} data-outcome={s.outcome.as_str()}>
                        <th scope="row" data-label="Sender"><code>{ &s.profile }</code></th>
                        <td data-label="Outcome">{ outcome_badge(s.outcome) }</td>
                        <td data-label="Why">
                            <p>{ &s.reason }</p>
                            if let Some(response) = &s.response {
                                <p class="response">{ "Response: " }<code>{ response }</code></p>
                            }
                            { host_outcomes(s) }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}

/// Per MX host, when the sender treats them differently.
fn host_outcomes(sender: &SenderVerdict) -> Html {
    let first = sender.hosts.first().map(|h| h.outcome);
    if sender.hosts.iter().all(|h| Some(h.outcome) == first) {
        return html! {};
    }
    html! {
        <ul class="hosts">
            { for sender.hosts.iter().map(|h| html! {
                <li>
                    <code>{ h.mx.as_str() }</code>{ ": " }{ outcome_label(h.outcome) }
                    if let Some(response) = &h.response {
                        { " (" }<code>{ response }</code>{ ")" }
                    }
                </li>
            }) }
        </ul>
    }
}

fn mx_table(report: &CheckReport) -> Html {
    if report.mx.is_empty() {
        return html! { <p class="none">{ "No mail host." }</p> };
    }
    let has_policy = report.policy.as_ref().is_some_and(|p| p.policy().is_some());
    html! {
        <table data-testid="mx-table" class="stack">
            <caption>{ "Each MX host and the policy pattern that covers it" }</caption>
            <thead>
                <tr>
                    <th scope="col">{ "Host" }</th>
                    <th scope="col">{ "Preference" }</th>
                    <th scope="col">{ "Covered by" }</th>
                    <th scope="col">{ "Addresses" }</th>
                    <th scope="col">{ "DNS" }</th>
                </tr>
            </thead>
            <tbody>{ for report.mx.iter().map(|host| mx_row(host, has_policy)) }</tbody>
        </table>
    }
}

fn mx_row(host: &MxHost, has_policy: bool) -> Html {
    let preference = host
        .preference
        .map_or("none (address fallback)".to_string(), |p| p.to_string());
    let covered = match (&host.covered_by, has_policy) {
        (Some(pattern), _) => html! { <code class="covered">{ pattern }</code> },
        (None, true) => html! { <span class="not-covered">{ "not covered" }</span> },
        (None, false) => html! { <span class="muted">{ "no policy" }</span> },
    };
    let addresses: Vec<String> = host.addresses.iter().map(|a| a.to_string()).collect();
    let mut notes = Vec::new();
    if let Some(target) = host.cname.last() {
        notes.push(format!("CNAME to {target}"));
    }
    notes.push(match host.tlsa.len() {
        0 => "no TLSA".to_string(),
        n => format!("{n} TLSA record(s)"),
    });
    html! {
        <tr data-host={host.host.to_string()} data-covered={host.covered_by.is_some().to_string()}>
            <th scope="row" data-label="Host"><code>{ host.host.as_str() }</code></th>
            <td data-label="Preference">{ preference }</td>
            <td data-label="Covered by">{ covered }</td>
            <td data-label="Addresses">
                if addresses.is_empty() { <span class="muted">{ "none" }</span> } else { { addresses.join(", ") } }
            </td>
            <td data-label="DNS">{ notes.join("; ") }</td>
        </tr>
    }
}

/// For each finding, what to publish instead where the core's generator has it: the `_mta-sts`
/// record for record problems, the policy file for policy and MX coverage problems, the
/// TLS-RPT record for its problems. Shown once per kind, with the first error or warning.
fn fixes(report: &CheckReport) -> Vec<Option<Fix>> {
    let Some(generated) = suggestion(report) else {
        return vec![None; report.findings.len()];
    };
    let mut shown: Vec<&str> = Vec::new();
    report
        .findings
        .iter()
        .map(|finding| {
            if finding.severity == Severity::Info {
                return None;
            }
            let code = finding.code.as_str();
            let kind = if code.starts_with("sts-record.") {
                "sts"
            } else if code.starts_with("tlsrpt-record.") {
                "tlsrpt"
            } else if code.starts_with("policy.")
                || matches!(
                    code,
                    "mx.not-covered" | "mx.pattern-unused" | "mx.wildcard-depth"
                )
            {
                "policy"
            } else {
                return None;
            };
            if shown.contains(&kind) {
                return None;
            }
            shown.push(kind);
            Some(match kind {
                "sts" => Fix {
                    title: format!(
                        "The TXT record to publish at {} (with a new id):",
                        generated.sts_record.name
                    )
                    .into(),
                    text: generated.sts_record.value.clone().into(),
                },
                "tlsrpt" => {
                    let record = generated.tlsrpt_record.as_ref()?;
                    Fix {
                        title: format!(
                            "The TXT record to publish at {} (with your own report address):",
                            record.name
                        )
                        .into(),
                        text: record.value.clone().into(),
                    }
                }
                _ => Fix {
                    title: format!(
                        "A policy file covering today's MX hosts, to serve at {}:",
                        generated.policy_url
                    )
                    .into(),
                    text: generated.policy.clone().into(),
                },
            })
        })
        .collect()
}

/// What the generator makes of the domain as it is: today's MX hosts, the policy's mode and
/// `max_age` where usable, its TLS-RPT addresses (or a placeholder to replace).
fn suggestion(report: &CheckReport) -> Option<Generated> {
    let policy = report.policy.as_ref().and_then(|p| p.policy());
    let rua = report
        .records
        .tlsrpt
        .lint
        .value
        .as_ref()
        .filter(|_| report.records.tlsrpt.lint.valid)
        .map(|r| r.rua.clone())
        .unwrap_or_else(|| vec![format!("mailto:tlsrpt@{}", report.domain)]);
    generate(&GenerateOptions {
        domain: report.domain.to_string(),
        mx: report.mx.iter().map(|h| h.host.to_string()).collect(),
        mode: policy.map_or(Mode::Testing, |p| p.mode),
        max_age: policy
            .map(|p| p.max_age)
            .filter(|age| (SHORT_MAX_AGE..=MAX_MAX_AGE).contains(age))
            .unwrap_or(SUGGESTED_MAX_AGE),
        rua,
        id: policy_id_from_unix(now_unix()),
    })
    .ok()
}
