//! `/generate` (and `/generate?domain=D&mx=a,b` from a finished check): the core's generator,
//! the policy file and the TXT records to publish, in the order RFC 8461 §8.1 asks for.

use crate::browser::{now_unix, set_title};
use crate::components::copy_button::CopyButton;
use crate::route::query_param;
use crate::state::on_value;
use mtasts::{generate, policy_id_from_unix, GenerateOptions, Generated, Mode};
use yew::prelude::*;

/// The form as typed.
#[derive(Debug, Clone, PartialEq)]
struct Form {
    domain: String,
    mx: String,
    mode: Mode,
    max_age: String,
    rua: String,
}

impl Form {
    /// The form as the URL fills it (`?domain=D&mx=a,b&mode=…&max_age=…&rua=…`), the core's
    /// defaults where it does not.
    fn from_query() -> Form {
        let param = |name: &str| query_param(name).unwrap_or_default();
        let defaults = GenerateOptions::default();
        Form {
            domain: param("domain"),
            mx: split_list(&param("mx")).join("\n"),
            mode: mode_or_default(&param("mode")),
            max_age: query_param("max_age").unwrap_or_else(|| defaults.max_age.to_string()),
            rua: param("rua"),
        }
    }
}

/// The mode spelled `value`, or the core's default mode.
fn mode_or_default(value: &str) -> Mode {
    Mode::from_value(value).unwrap_or(GenerateOptions::default().mode)
}

/// A list typed one per line, or separated by commas or spaces.
fn split_list(text: &str) -> Vec<String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|item| !item.is_empty())
        .map(str::to_string)
        .collect()
}

/// What the generator makes of the form: the output, or why not.
fn generated(form: &Form, id: &str) -> Result<Generated, String> {
    let max_age = form.max_age.trim().parse::<u64>().map_err(|_| {
        format!(
            "max_age {:?} is not a whole number of seconds",
            form.max_age.trim()
        )
    })?;
    generate(&GenerateOptions {
        domain: form.domain.trim().to_string(),
        mx: split_list(&form.mx),
        mode: form.mode,
        max_age,
        rua: split_list(&form.rua),
        id: id.to_string(),
    })
    .map_err(|e| e.to_string())
}

/// The generator page.
#[function_component]
pub fn GeneratePage() -> Html {
    let form = use_state(Form::from_query);
    // The policy id: the time the page opened, or "Generate" was last pressed.
    let id = use_state(|| policy_id_from_unix(now_unix()));
    use_effect_with((), |_| set_title("Generate a policy and records"));

    let onsubmit = {
        let id = id.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            id.set(policy_id_from_unix(now_unix()));
        })
    };
    let started = !form.domain.trim().is_empty() || !form.mx.trim().is_empty();
    let output = if started {
        Some(generated(&form, &id))
    } else {
        None
    };

    html! {
        <>
            <h1>{ "Generate a policy and records" }</h1>
            <p class="lead">
                { "The MTA-STS policy file and the TXT records to publish for a domain, made by the \
                   same generator as " }<code>{ "mtasts generate" }</code>{ ": they always lint clean." }
            </p>
            <form class="generate-form" {onsubmit}>
                <div class="field">
                    <label for="gen-domain">{ "Domain" }</label>
                    <input id="gen-domain" name="domain" type="text" autocomplete="off" spellcheck="false"
                        autocapitalize="off" placeholder="example.com" value={form.domain.clone()}
                        oninput={on_value(&form, |f, v| f.domain = v)} />
                </div>
                <div class="field">
                    <label for="gen-mx">{ "MX hosts" }</label>
                    <textarea id="gen-mx" name="mx" rows="3" spellcheck="false" autocapitalize="off"
                        placeholder={"mx1.example.com\nmx2.example.com"} aria-describedby="gen-mx-hint"
                        value={form.mx.clone()} oninput={on_value(&form, |f, v| f.mx = v)} />
                    <p id="gen-mx-hint" class="hint">{ "One a line: host names, or patterns such as *.mail.example.com." }</p>
                </div>
                <div class="field-grid">
                    <div class="field">
                        <label for="gen-mode">{ "Mode" }</label>
                        <select id="gen-mode" name="mode" onchange={on_value(&form, |f, v| f.mode = mode_or_default(&v))}>
                            { for [Mode::Testing, Mode::Enforce, Mode::None].into_iter().map(|m| html! {
                                <option value={m.as_str()} selected={form.mode == m}>{ m.as_str() }</option>
                            }) }
                        </select>
                    </div>
                    <div class="field">
                        <label for="gen-max-age">{ "max_age (seconds)" }</label>
                        <input id="gen-max-age" name="max_age" type="number" min="1" max="31557600"
                            inputmode="numeric" value={form.max_age.clone()}
                            oninput={on_value(&form, |f, v| f.max_age = v)} />
                    </div>
                </div>
                <div class="field">
                    <label for="gen-rua">{ "TLS-RPT report address (optional)" }</label>
                    <input id="gen-rua" name="rua" type="text" autocomplete="off" spellcheck="false"
                        autocapitalize="off" placeholder="mailto:tlsrpt@example.com"
                        aria-describedby="gen-rua-hint" value={form.rua.clone()}
                        oninput={on_value(&form, |f, v| f.rua = v)} />
                    <p id="gen-rua-hint" class="hint">{ "mailto: or https: URIs, separated by commas. Without one, no TLS-RPT record." }</p>
                </div>
                <button type="submit">{ "Generate" }</button>
            </form>
            <div aria-live="polite">
                {
                    match output {
                        None => html! {},
                        Some(Err(why)) => html! {
                            <p class="alert" data-testid="gen-error">{ format!("Nothing to publish yet: {why}.") }</p>
                        },
                        Some(Ok(generated)) => output_view(&generated),
                    }
                }
            </div>
        </>
    }
}

fn output_view(generated: &Generated) -> Html {
    let download = format!(
        "data:text/plain;charset=utf-8,{}",
        String::from(js_sys::encode_uri_component(&generated.policy))
    );
    html! {
        <section class="generated" aria-labelledby="generated-heading">
            <h2 id="generated-heading">{ "What to publish" }</h2>
            <section class="output">
                <h3>{ "The policy file" }</h3>
                <p>{ "Serve it at " }<code>{ &generated.policy_url }</code>{ " as text/plain (CRLF line endings):" }</p>
                <pre data-testid="gen-policy">{ &generated.policy }</pre>
                <CopyButton text={generated.policy.clone()} what="the policy file" />
                <a class="button-link secondary" href={download} download="mta-sts.txt">{ "Download mta-sts.txt" }</a>
            </section>
            <section class="output">
                <h3>{ "The _mta-sts TXT record" }</h3>
                <p>{ "Name: " }<code>{ &generated.sts_record.name }</code></p>
                <pre data-testid="gen-sts-record">{ &generated.sts_record.value }</pre>
                <CopyButton text={generated.sts_record.value.clone()} what="the _mta-sts record" />
            </section>
            <section class="output">
                <h3>{ "The TLS-RPT TXT record" }</h3>
                if let Some(record) = &generated.tlsrpt_record {
                    <p>{ "Name: " }<code>{ &record.name }</code></p>
                    <pre data-testid="gen-tlsrpt-record">{ &record.value }</pre>
                    <CopyButton text={record.value.clone()} what="the TLS-RPT record" />
                } else {
                    <p class="muted" data-testid="gen-tlsrpt-missing">{ "Give a report address to get the _smtp._tls record: without one, nobody tells you when senders fail to deliver over TLS." }</p>
                }
            </section>
            <section class="output">
                <h3>{ "In this order" }</h3>
                <p>{ "The policy must be live before the record that announces it (RFC 8461 §8.1)." }</p>
                <ol data-testid="publish-order" class="publish-order">
                    { for generated.publish_order.iter().map(|step| html! { <li>{ step }</li> }) }
                </ol>
            </section>
            if !generated.notes.is_empty() {
                <section class="output">
                    <h3>{ "Notes" }</h3>
                    <ul class="notes">{ for generated.notes.iter().map(|n| html! { <li>{ n }</li> }) }</ul>
                </section>
            }
        </section>
    }
}
