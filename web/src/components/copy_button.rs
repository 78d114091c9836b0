//! A button that copies a text to the clipboard and says, for everyone, whether it did.

use crate::browser::{after, copy_text};
use yew::platform::spawn_local;
use yew::prelude::*;

/// Properties of [`CopyButton`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct CopyButtonProps {
    /// What to copy.
    pub text: AttrValue,
    /// The button's text.
    #[prop_or(AttrValue::Static("Copy"))]
    pub label: AttrValue,
    /// What is copied, for the accessible name when several buttons say "Copy" (e.g. "the
    /// policy file"): `aria-label` becomes "<label> <what>".
    #[prop_or_default]
    pub what: Option<AttrValue>,
}

/// A "Copy" button; a live region beside it says "Copied" (or why not) for a few seconds.
#[function_component]
pub fn CopyButton(props: &CopyButtonProps) -> Html {
    let status = use_state(String::new);
    let onclick = {
        let text = props.text.clone();
        let status = status.clone();
        Callback::from(move |_: MouseEvent| {
            let text = text.clone();
            let status = status.clone();
            spawn_local(async move {
                let said = match copy_text(&text).await {
                    Ok(()) => "Copied".to_string(),
                    Err(why) => format!("Not copied: {why}"),
                };
                status.set(said);
                let status = status.clone();
                after(4_000, move || status.set(String::new()));
            });
        })
    };
    let aria_label = props
        .what
        .as_ref()
        .map(|what| AttrValue::from(format!("{} {what}", props.label)));
    html! {
        <span class="copy">
            <button type="button" class="secondary" {onclick} aria-label={aria_label}>{ props.label.clone() }</button>
            <span class="copy-status" role="status">{ (*status).clone() }</span>
        </span>
    }
}
