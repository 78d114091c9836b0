//! The frame of every page: the header with the main navigation, `<main id="main">` holding the
//! page of the current route, and the footer.

use crate::components::check_page::CheckPage;
#[cfg(feature = "tools")]
use crate::components::{
    generate_page::GeneratePage, lint_page::LintPage, reports_page::ReportsPage,
};
use crate::route::{load_page, set_url, Link, Navigator, Route};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The app: routes on `location.pathname`, follows `popstate`, and hands pages a [`Navigator`].
#[function_component]
pub fn App() -> Html {
    // The route, and a count of location changes: a page is mounted anew for each, so that it
    // reads its query again (`/?domain=a` back to `/?domain=b`).
    let location = use_state(|| (Route::current(), 0_u32));
    let changes = use_mut_ref(|| 0_u32);
    let moved = {
        let location = location.clone();
        Callback::from(move |()| {
            let route = Route::current();
            if !route.in_this_module() {
                // Back or forward to a page of the other module: load it.
                if let Some(window) = web_sys::window() {
                    let _ = window.location().reload();
                }
                return;
            }
            let mut changes = changes.borrow_mut();
            *changes = changes.wrapping_add(1);
            location.set((route, *changes));
        })
    };
    let navigator = {
        let moved = moved.clone();
        Navigator(Callback::from(move |url: String| {
            if !Route::of_url(&url).in_this_module() {
                load_page(&url);
                return;
            }
            set_url(&url, true);
            moved.emit(());
            if let Some(window) = web_sys::window() {
                window.scroll_to_with_x_and_y(0.0, 0.0);
            }
        }))
    };
    use_effect_with((), move |_| {
        let listener = Closure::<dyn Fn()>::new(move || moved.emit(()));
        let window = web_sys::window();
        if let Some(window) = &window {
            let _ = window
                .add_event_listener_with_callback("popstate", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(window) = &window {
                let _ = window.remove_event_listener_with_callback(
                    "popstate",
                    listener.as_ref().unchecked_ref(),
                );
            }
        }
    });
    let (route, version) = *location;
    // After a move within the site, focus goes to the new page's content, as after a page load
    // it would start there for a screen reader.
    use_effect_with(version, |version| {
        if *version > 0 {
            let main = web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.get_element_by_id("main"))
                .and_then(|m| m.dyn_into::<web_sys::HtmlElement>().ok());
            if let Some(main) = main {
                let _ = main.focus();
            }
        }
    });
    let page = match route {
        Route::Check => html! { <CheckPage key={version} /> },
        #[cfg(feature = "tools")]
        Route::Lint => html! { <LintPage key={version} /> },
        #[cfg(feature = "tools")]
        Route::Generate => html! { <GeneratePage key={version} /> },
        #[cfg(feature = "tools")]
        Route::Reports => html! { <ReportsPage key={version} /> },
        // A page of the other module: `main.js` loads it with the page (see `Navigator::go`).
        #[cfg(not(feature = "tools"))]
        Route::Lint | Route::Generate | Route::Reports => {
            html! { <p class="loading">{ "Loading…" }</p> }
        }
        Route::NotFound => html! { <NotFound /> },
    };
    html! {
        <ContextProvider<Navigator> context={navigator}>
            <a class="skip" href="#main">{ "Skip to the content" }</a>
            <header class="site">
                <Link to="/" class="brand">{ "mtasts" }</Link>
                <nav aria-label="Main">
                    <ul>
                        { for Route::NAV.iter().map(|r| html! {
                            <li><Link to={r.path()} current={*r == route}>{ r.label() }</Link></li>
                        }) }
                    </ul>
                </nav>
            </header>
            <main id="main" tabindex="-1">{ page }</main>
            <footer class="site">
                <p>
                    { "MTA-STS (RFC 8461), TLS-RPT (RFC 8460) and DANE (RFC 7672), checked in your browser \
                       by the same Rust core as the " }
                    <code>{ "mtasts" }</code>
                    { " command line and npm package. Nothing you enter is stored." }
                </p>
            </footer>
        </ContextProvider<Navigator>>
    }
}

/// Any other path.
#[function_component]
fn NotFound() -> Html {
    use_effect_with((), |_| crate::browser::set_title("Not found"));
    html! {
        <>
            <h1>{ "Not found" }</h1>
            <p>{ "There is no page at this address. " }<Link to="/">{ "Check a domain" }</Link>{ "." }</p>
        </>
    }
}
