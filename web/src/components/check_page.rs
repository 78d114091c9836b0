//! `/` and `/?domain=D`: the domain check. The core's `check_domain` runs in the page over DNS
//! over HTTPS from the browser (a configurable resolver) and the policy fetch through the
//! Worker's `/api/policy`; each step shows as it finishes, then the result.

use crate::browser::{default_doh_url, set_title, POLICY_ENDPOINT};
use crate::components::check_result::CheckResult;
use crate::route::{current_url, query_param, query_string, set_url};
use crate::state::{Action, CheckState, Phase};
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
    let domain = use_state(|| query_param("domain").unwrap_or_default());
    // The resolver in the field, and the one the site suggests (kept out of the permalink).
    let doh = use_state(|| query_param("doh").unwrap_or_else(|| DEFAULT_DOH_URL.to_string()));
    let suggested_doh = use_state(|| DEFAULT_DOH_URL.to_string());
    let doh_edited = use_mut_ref(|| query_param("doh").is_some());
    // Whether `/api/config` has answered: a check asked for before then waits for it.
    let config_loaded = use_mut_ref(|| false);
    let runs = use_mut_ref(|| 0_u32);
    let in_flight: Rc<RefCell<Option<AbortHandle>>> = use_mut_ref(|| None);

    let start = {
        let dispatcher = state.dispatcher();
        let in_flight = in_flight.clone();
        Callback::from(move |(domain, doh): (String, String)| {
            let run = {
                let mut runs = runs.borrow_mut();
                *runs = runs.wrapping_add(1);
                *runs
            };
            set_title(&format!("Check {domain}"));
            dispatcher.dispatch(Action::Start {
                run,
                domain: domain.clone(),
            });
            let (task, handle) = abortable(run_check(domain, doh, run, dispatcher.clone()));
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
        use_effect_with((), move |_| {
            set_title("Check a mail domain");
            spawn_local(async move {
                let suggested = default_doh_url().await;
                *config_loaded.borrow_mut() = true;
                suggested_doh.set(suggested.clone());
                if !*doh_edited.borrow() {
                    doh.set(suggested.clone());
                }
                // `/?domain=D` starts the check by itself.
                if let Some(domain) = query_param("domain").filter(|d| !d.trim().is_empty()) {
                    let resolver = query_param("doh").unwrap_or(suggested);
                    start.emit((domain.trim().to_string(), resolver));
                }
            });
            move || {
                if let Some(check) = in_flight.borrow_mut().take() {
                    check.abort();
                }
            }
        });
    }

    let onsubmit = {
        let domain_input = domain_input.clone();
        let doh = doh.clone();
        let suggested_doh = suggested_doh.clone();
        let doh_edited = doh_edited.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            let Some(input) = domain_input.cast::<HtmlInputElement>() else {
                return;
            };
            let domain = input.value().trim().to_string();
            if domain.is_empty() {
                let _ = input.focus();
                return;
            }
            let resolver = doh.trim().to_string();
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
                start.emit((domain, resolver));
            } else {
                // Submitted before the site said which resolver to use: ask it first, rather
                // than query the fallback resolver (which the site's CSP may not allow).
                let start = start.clone();
                spawn_local(async move {
                    start.emit((domain, default_doh_url().await));
                });
            }
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
        Callback::from(move |event: InputEvent| {
            *doh_edited.borrow_mut() = true;
            doh.set(event.target_unchecked_into::<HtmlInputElement>().value());
        })
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
                <div class="settings">
                    <label for="doh">{ "DoH resolver" }</label>
                    <input id="doh" name="doh" type="text" autocomplete="off" spellcheck="false"
                        inputmode="url" value={(*doh).clone()} oninput={ondohinput}
                        aria-describedby="doh-hint" />
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
