//! The pages and their paths: routing on `location.pathname`, links through
//! `history.pushState`, and `popstate` for the browser's back and forward buttons.

use yew::prelude::*;

/// One page of the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// `/`: the domain check.
    Check,
    /// `/lint`: lint a policy, a record or a certificate chain.
    Lint,
    /// `/generate`: the policy and records to publish.
    Generate,
    /// `/reports`: TLS-RPT reports read in the page.
    Reports,
    /// Any other path.
    NotFound,
}

impl Route {
    /// The pages of the main navigation, in order.
    pub const NAV: [Route; 4] = [Route::Check, Route::Lint, Route::Generate, Route::Reports];

    /// The page at `path` (a trailing slash is ignored).
    pub fn from_path(path: &str) -> Route {
        match path.trim_end_matches('/') {
            "" | "/index.html" => Route::Check,
            "/lint" => Route::Lint,
            "/generate" => Route::Generate,
            "/reports" => Route::Reports,
            _ => Route::NotFound,
        }
    }

    /// The page the browser is on.
    pub fn current() -> Route {
        let path = web_sys::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_default();
        Route::from_path(&path)
    }

    /// Whether this module shows the page. The first module (built without the `tools` feature)
    /// has only the check page; the lint, generate and reports pages are in the second, which
    /// `main.js` loads when the page at such a path is opened, so moving to one is a page load.
    pub fn in_this_module(self) -> bool {
        cfg!(feature = "tools") || matches!(self, Route::Check | Route::NotFound)
    }

    /// The page of `url`, a path with an optional query and fragment.
    pub fn of_url(url: &str) -> Route {
        Route::from_path(url.split(['?', '#']).next().unwrap_or_default())
    }

    /// Its path.
    pub fn path(self) -> &'static str {
        match self {
            Route::Check | Route::NotFound => "/",
            Route::Lint => "/lint",
            Route::Generate => "/generate",
            Route::Reports => "/reports",
        }
    }

    /// Its name in the navigation.
    pub fn label(self) -> &'static str {
        match self {
            Route::Check => "Check",
            Route::Lint => "Lint",
            Route::Generate => "Generate",
            Route::Reports => "Reports",
            Route::NotFound => "Not found",
        }
    }
}

/// Moves the app to another URL of this site: what links and buttons that change page call.
#[derive(Debug, Clone, PartialEq)]
pub struct Navigator(pub Callback<String>);

impl Navigator {
    /// Shows `url` (a path with an optional query), as a new history entry.
    pub fn go(&self, url: impl Into<String>) {
        self.0.emit(url.into());
    }
}

/// A query parameter of the current URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// A query parameter as text the page may show and use: [`printable`], trimmed; `None` when the
/// parameter is missing or nothing is left of it.
pub fn query_text(name: &str) -> Option<String> {
    let text = printable(&query_param(name)?);
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_string())
}

/// `text` without control characters (Unicode category Cc: line breaks, escapes) and without
/// the bidirectional formatting characters (Unicode UAX #9: embeddings, overrides, isolates,
/// marks) that would make what a link carries read as something else.
pub fn printable(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            !c.is_control()
                && !matches!(
                    c,
                    '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
                )
        })
        .collect()
}

/// Loads `url` as a new page (for a page the other module shows).
pub fn load_page(url: &str) {
    if let Some(window) = web_sys::window() {
        let _ = window.location().assign(url);
    }
}

/// Puts `url` in the address bar: a new history entry (`push`), or in place of the current one.
pub fn set_url(url: &str, push: bool) {
    let Some(history) = web_sys::window().and_then(|w| w.history().ok()) else {
        return;
    };
    let _ = if push {
        history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    } else {
        history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(url))
    };
}

/// The current path and query, as `set_url` takes them.
pub fn current_url() -> String {
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return String::new();
    };
    format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    )
}

/// `?name=value&…` with each value percent-encoded; pairs with an empty value are left out.
pub fn query_string(pairs: &[(&str, &str)]) -> String {
    let mut query = String::new();
    for (name, value) in pairs.iter().filter(|(_, value)| !value.is_empty()) {
        query.push(if query.is_empty() { '?' } else { '&' });
        query.push_str(name);
        query.push('=');
        query.push_str(&String::from(js_sys::encode_uri_component(value)));
    }
    query
}

/// Properties of [`Link`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct LinkProps {
    /// Where it goes: a path of this site with an optional query.
    pub to: AttrValue,
    /// `aria-current="page"` when it is the page shown.
    #[prop_or_default]
    pub current: bool,
    /// CSS classes.
    #[prop_or_default]
    pub class: Classes,
    /// What the link shows.
    pub children: Html,
}

/// A link within the site: a real `<a href>` (open in a new tab, copy the address), that moves
/// the app without reloading the page on a plain click.
#[function_component]
pub fn Link(props: &LinkProps) -> Html {
    let navigator = use_context::<Navigator>();
    let onclick = {
        let to = props.to.clone();
        Callback::from(move |event: MouseEvent| {
            let modified =
                event.ctrl_key() || event.meta_key() || event.shift_key() || event.alt_key();
            if let (Some(navigator), false, 0) = (&navigator, modified, event.button()) {
                event.prevent_default();
                navigator.go(to.to_string());
            }
        })
    };
    html! {
        <a href={props.to.clone()} class={props.class.clone()} {onclick}
            aria-current={props.current.then_some("page")}>
            { props.children.clone() }
        </a>
    }
}
