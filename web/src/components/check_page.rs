//! `/` and `/?domain=D`: the domain check. The core's `check_domain` runs in the page over DNS
//! over HTTPS from the browser (a configurable resolver) and the policy fetch through the
//! Worker's `/api/policy`; each step shows as it finishes, then the result.
//!
//! `/?domain=D` runs the check at once with the site's resolver. A `doh` in the link (a resolver
//! the site did not suggest) fills the resolver box and waits for the user to press Check: the
//! page never runs a check, under this site's name, through a resolver it did not choose. A line
//! under the box says which resolver the check uses and who chose it.

use crate::browser::{ascii_input, default_doh_url, set_title, POLICY_ENDPOINT};
use crate::components::check_result::CheckResult;
use crate::route::{current_url, printable, query_string, query_text, set_url};
use crate::state::{Action, CheckState, Phase, Resolver, ResolverOrigin};
use futures_util::future::{abortable, AbortHandle};
use mtasts::check::{check_domain, Step, StepStatus, DEFAULT_DOH_URL};
use mtasts_fetch::{DateClock, DohResolver, ProxyPolicyFetcher};
use std::cell::RefCell;
use std::rc::Rc;
use web_sys::HtmlInputElement;
use yew::platform::spawn_local;
use yew::prelude::*;

/// The check page.
#[function_component]
pub fn CheckPage() -> Html {
    let state = use_reducer(CheckState::default);
    let domain_input = use_node_ref();
    let domain = use_state(|| query_text("domain").unwrap_or_default());
    // The resolver the link asks for (read once: the permalink changes under the page).
    let link_doh = use_memo((), |_| query_text("doh"));
    // The resolver in the field, and the one the site suggests (kept out of the permalink).
    let doh = use_state(|| {
        (*link_doh)
            .clone()
            .unwrap_or_else(|| DEFAULT_DOH_URL.to_string())
    });
    let suggested_doh = use_state(|| DEFAULT_DOH_URL.to_string());
    let doh_edited = use_mut_ref(|| link_doh.is_some());
    // The link asks for a resolver that is not the site's: the page waits for the user (a link
    // must not make the page run a check, under this site's name, through a resolver chosen by
    // whoever wrote the link), until a check starts.
    let link_waits = use_state(|| false);
    // Whether `/api/config` has answered: a check asked for before then waits for it.
    let config_loaded = use_mut_ref(|| false);
    let runs = use_mut_ref(|| 0_u32);
    let in_flight: Rc<RefCell<Option<AbortHandle>>> = use_mut_ref(|| None);

    let start = {
        let dispatcher = state.dispatcher();
        let in_flight = in_flight.clone();
        let link_waits = link_waits.clone();
        Callback::from(move |(domain, resolver): (String, Resolver)| {
            let run = {
                let mut runs = runs.borrow_mut();
                *runs = runs.wrapping_add(1);
                *runs
            };
            link_waits.set(false);
            set_title(&format!("Check {domain}"));
            let url = resolver.url.clone();
            dispatcher.dispatch(Action::Start {
                run,
                domain: domain.clone(),
                resolver,
            });
            let (task, handle) = abortable(run_check(domain, url, run, dispatcher.clone()));
            // Dropping the check that was running aborts its requests.
            if let Some(previous) = in_flight.borrow_mut().replace(handle) {
                previous.abort();
            }
            spawn_local(async move {
                let _ = task.await;
            });
        })
    };

    {
        let start = start.clone();
        let doh = doh.clone();
        let suggested_doh = suggested_doh.clone();
        let doh_edited = doh_edited.clone();
        let config_loaded = config_loaded.clone();
        let link_doh = link_doh.clone();
        let link_waits = link_waits.clone();
        use_effect_with((), move |_| {
            set_title("Check a mail domain");
            spawn_local(async move {
                let suggested = default_doh_url().await;
                *config_loaded.borrow_mut() = true;
                suggested_doh.set(suggested.clone());
                if !*doh_edited.borrow() {
                    doh.set(suggested.clone());
                }
                match (*link_doh).clone().filter(|url| *url != suggested) {
                    Some(_) => link_waits.set(true),
                    // `/?domain=D` starts the check by itself, with the site's resolver.
                    None => {
                        if let Some(domain) = query_text("domain") {
                            let resolver = Resolver {
                                url: suggested,
                                origin: ResolverOrigin::Site,
                            };
                            start.emit((domain, resolver));
                        }
                    }
                }
            });
            move || {
                if let Some(check) = in_flight.borrow_mut().take() {
                    check.abort();
                }
            }
        });
    }

    // Checks the domain in the box with `resolver`, and puts both in the address bar.
    let submit = {
        let domain_input = domain_input.clone();
        let suggested_doh = suggested_doh.clone();
        let doh_edited = doh_edited.clone();
        let link_doh = link_doh.clone();
        Callback::from(move |resolver: String| {
            let Some(input) = domain_input.cast::<HtmlInputElement>() else {
                return;
            };
            let domain = input.value().trim().to_string();
            if domain.is_empty() {
                let _ = input.focus();
                return;
            }
            let shown_doh = if resolver == *suggested_doh {
                ""
            } else {
                resolver.as_str()
            };
            let url = format!(
                "/{}",
                query_string(&[("domain", &domain), ("doh", shown_doh)])
            );
            set_url(&url, url != current_url());
            if *doh_edited.borrow() || *config_loaded.borrow() {
                let origin = ResolverOrigin::of(&resolver, &suggested_doh, link_doh.as_deref());
                start.emit((
                    domain,
                    Resolver {
                        url: resolver,
                        origin,
                    },
                ));
            } else {
                // Submitted before the site said which resolver to use: ask it first, rather
                // than query the fallback resolver (which the site's CSP may not allow).
                let start = start.clone();
                spawn_local(async move {
                    let resolver = Resolver {
                        url: default_doh_url().await,
                        origin: ResolverOrigin::Site,
                    };
                    start.emit((domain, resolver));
                });
            }
        })
    };
    let onsubmit = {
        let submit = submit.clone();
        let doh = doh.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            submit.emit(doh.trim().to_string());
        })
    };
    let ondomaininput = {
        let domain = domain.clone();
        Callback::from(move |event: InputEvent| {
            domain.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    let ondohinput = {
        let doh = doh.clone();
        let doh_edited = doh_edited.clone();
        Callback::from(move |event: InputEvent| {
            *doh_edited.borrow_mut() = true;
            doh.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
    };
    // The link's resolver, until the user checks with it or chooses another.
    let waiting = (*link_waits && link_doh.as_deref() == Some(doh.as_str()))
        .then(|| (*link_doh).clone())
        .flatten();
    let use_site_doh = {
        let doh = doh.clone();
        let suggested_doh = suggested_doh.clone();
        Callback::from(move |_: MouseEvent| {
            *doh_edited.borrow_mut() = true;
            doh.set((*suggested_doh).clone());
            submit.emit((*suggested_doh).clone());
        })
    };
    let in_use = match &state.resolver {
        Some(resolver) => resolver.clone(),
        None => Resolver {
            url: doh.trim().to_string(),
            origin: ResolverOrigin::of(doh.trim(), &suggested_doh, link_doh.as_deref()),
        },
    };

    html! {
        <>
            <h1>{ "Check a mail domain" }</h1>
            <p class="lead">
                { "Will senders that enforce MTA-STS deliver this domain's mail? The check reads its \
                   DNS records and MTA-STS policy the way real senders do, and says what each of them \
                   would do, and why." }
            </p>
            <form role="search" class="check-form" {onsubmit}>
                <label for="domain">{ "Domain" }</label>
                <div class="field-row">
                    <input id="domain" name="domain" type="text" autocomplete="off" spellcheck="false"
                        autocapitalize="off" inputmode="url" placeholder="example.com" required={true}
                        ref={domain_input} value={(*domain).clone()} oninput={ondomaininput} />
                    <button type="submit">{ "Check" }</button>
                </div>
                <div data-testid="link-resolver" role="status">
                    if let Some(url) = waiting {
                        <div class="link-resolver">
                            <p>
                                <strong>{ "The check has not run." }</strong>
                                { " This link asks for the DNS resolver " }
                                <code>{ shown_url(&url) }</code>
                                { ", not this site's. That resolver would see and answer every DNS query \
                                   of the check. Press Check to run it with that resolver, or:" }
                            </p>
                            <button type="button" class="secondary" onclick={use_site_doh}>
                                { "Check with this site's resolver" }
                            </button>
                        </div>
                    }
                </div>
                <div class="settings">
                    <label for="doh">{ "DoH resolver" }</label>
                    <input id="doh" name="doh" type="text" autocomplete="off" spellcheck="false"
                        inputmode="url" value={(*doh).clone()} oninput={ondohinput}
                        aria-describedby="doh-in-use doh-hint" />
                    { resolver_line(&state, &in_use) }
                    <p id="doh-hint" class="hint">
                        { "DNS queries go from your browser to this DNS-over-HTTPS resolver (RFC 8484); \
                           the policy file is fetched through this site, which browsers require." }
                    </p>
                </div>
            </form>
            { progress(&state) }
            {
                match &state.phase {
                    Phase::Failed(why) => html! {
                        <div role="alert" class="alert">
                            <p><strong>{ "The check could not run. " }</strong>{ why }</p>
                        </div>
                    },
                    Phase::Done(report) => html! { <CheckResult report={Rc::clone(report)} /> },
                    Phase::Idle | Phase::Running => html! {},
                }
            }
            <p class="note">
                { "Port 25 (STARTTLS, the certificate each MX host presents, its TLSA match) cannot be \
                   reached from a browser: run " }
                <code>{ format!("mtasts check --smtp {}", shown_domain(&state)) }</code>
                { " on a machine that may connect to port 25." }
            </p>
        </>
    }
}

/// The line below the resolver box: the resolver of the check that runs or ran, or else the one
/// in the box, and who chose it.
fn resolver_line(state: &CheckState, resolver: &Resolver) -> Html {
    let said = match state.phase {
        Phase::Idle => "Resolver: ",
        Phase::Running => "Resolver in use: ",
        Phase::Done(_) | Phase::Failed(_) => "Resolver used: ",
    };
    html! {
        <p id="doh-in-use" class="hint resolver-in-use" data-testid="resolver-in-use"
            data-origin={resolver.origin.as_str()}>
            { said }<code>{ shown_url(&resolver.url) }</code>
            { format!(" ({})", resolver.origin.label()) }
        </p>
    }
}

/// The longest resolver URL shown in full.
const SHOWN_URL_LIMIT: usize = 200;

/// A resolver's URL as the page shows it: printable, and cut after [`SHOWN_URL_LIMIT`]
/// characters.
fn shown_url(url: &str) -> String {
    let url = printable(url);
    match url.char_indices().nth(SHOWN_URL_LIMIT) {
        Some((cut, _)) => format!("{}…", &url[..cut]),
        None => url,
    }
}

/// The domain to show in the command line hint.
fn shown_domain(state: &CheckState) -> String {
    match &state.phase {
        Phase::Done(report) => report.domain.to_string(),
        _ if !state.domain.is_empty() => state.domain.clone(),
        _ => "example.com".to_string(),
    }
}

/// Runs check number `run` and reports its steps and its end to the page.
async fn run_check(
    domain: String,
    doh: String,
    run: u32,
    dispatcher: UseReducerDispatcher<CheckState>,
) {
    let result = match DohResolver::new(doh) {
        Err(why) => Err(why.to_string()),
        Ok(resolver) => {
            let fetcher = ProxyPolicyFetcher::new(POLICY_ENDPOINT);
            let on_step = |step: &Step| dispatcher.dispatch(Action::Step(run, step.clone()));
            let domain = ascii_input(&domain);
            check_domain(&domain, &resolver, &fetcher, &DateClock, &on_step)
                .await
                .map(Box::new)
                .map_err(|e| e.to_string())
        }
    };
    dispatcher.dispatch(Action::Finish(run, result));
}

/// The check's progress: a live status line and the steps as they finish.
fn progress(state: &CheckState) -> Html {
    let (phase, said) = match &state.phase {
        Phase::Idle => return html! {},
        Phase::Running => (
            "running",
            format!(
                "Checking {}: {} of the steps done…",
                state.domain,
                state.steps.len()
            ),
        ),
        Phase::Done(report) => {
            let ms = state.steps.iter().map(|s| s.finished_ms).max().unwrap_or(0);
            let verdict = report.verdict.as_str();
            (
                "done",
                format!("Checked {} in {ms} ms: {verdict}.", report.domain),
            )
        }
        Phase::Failed(_) => ("failed", format!("The check of {} stopped.", state.domain)),
    };
    html! {
        <section class="progress" aria-label="Progress">
            <div data-testid="progress" role="status" aria-live="polite" data-phase={phase}>
                if state.phase == Phase::Running {
                    <progress aria-label="Check in progress"></progress>
                }
                <span>{ said }</span>
            </div>
            <ol data-testid="steps" class="steps">
                { for state.steps.iter().map(step_item) }
            </ol>
        </section>
    }
}

fn step_item(step: &Step) -> Html {
    let (status, mark) = match step.status {
        StepStatus::Ok => ("ok", "ok"),
        StepStatus::Warning => ("warning", "warning"),
        StepStatus::Error => ("error", "error"),
    };
    let took = step.finished_ms.saturating_sub(step.started_ms);
    html! {
        <li data-step={step.name.to_string()} data-status={status} class={classes!("step", status)}>
            <span class="step-status">{ mark }</span>
            <span class="step-name">{ step.name.to_string() }</span>
            <span class="step-summary">{ &step.summary }</span>
            <span class="step-time">{ format!("{took} ms") }</span>
        </li>
    }
}
