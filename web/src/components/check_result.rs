//! The result of a domain check, as the core reported it: the verdict first, then what each
//! sender does, the findings by severity (with the record or policy to publish instead, generated
//! by the core, where one fixes them), and the MX hosts with the pattern covering each.

use crate::browser::now_unix;
use crate::components::copy_button::CopyButton;
use crate::components::findings::{severity_counts, FindingGroups, Fix};
use crate::route::{query_string, Link};
use mtasts::check::{headline, CheckReport, MxHost, Outcome, SenderVerdict};
use mtasts::suggest;
use std::rc::Rc;
use yew::prelude::*;

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

/// The verdict: one word as data, the core's words for people.
fn verdict(report: &CheckReport) -> Html {
    let words = headline(report);
    html! {
        <section class={classes!("verdict", report.verdict.as_str())} data-testid="verdict"
            data-verdict={report.verdict.as_str()} aria-labelledby="verdict-heading">
            <h2 id="verdict-heading">{ words.title }</h2>
            <p>{ format!("{}. {}", words.sentence, words.explanation) }</p>
            <p class="counts">
                { format!("{}: {}.", report.domain, severity_counts(report.findings.iter())) }
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
        Outcome::NoMail => "No mail (null MX)",
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

/// For each finding, the core's suggestion that fixes it, shown with the first finding it fixes.
fn fixes(report: &CheckReport) -> Vec<Option<Fix>> {
    let mut fixes = vec![None; report.findings.len()];
    for suggestion in suggest(report, now_unix()) {
        let first = report
            .findings
            .iter()
            .position(|f| suggestion.answers.contains(&f.code));
        if let Some(fix) = first.and_then(|i| fixes.get_mut(i)) {
            *fix = Some(Fix {
                title: suggestion.title.into(),
                text: suggestion.text.into(),
            });
        }
    }
    fixes
}
