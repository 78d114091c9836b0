//! # mtasts-web
//!
//! The public web checker: the core crate (`mtasts`) running in the page, over `mtasts-fetch`
//! (the I/O the npm package and the Worker use too: DNS over HTTPS from the browser, the policy
//! through the Worker's `/api/policy`). Four pages, routed by `location.pathname` (`route.rs`):
//!
//! - `/` and `/?domain=D`: the domain check, step by step, then the verdict, the sender matrix,
//!   the findings by severity with the RFC section and a fix to copy, and the MX hosts;
//! - `/lint`: a policy file, a TXT record, a TLSA record or a certificate chain, with the
//!   findings on their lines;
//! - `/generate`: the policy file and the records to publish, in the order to publish them;
//! - `/reports`: TLS-RPT report files read in the page, totals and failures drawn as SVG.
//!
//! What this crate does **not** do: any checking of its own. Every verdict, finding, fix and
//! number it shows comes from the core; the page only lays them out. It is built for
//! `wasm32-unknown-unknown` only (`make web` writes `dist/web/`), and the Worker serves it.

mod browser;
mod components;
mod route;
mod state;

use wasm_bindgen::prelude::*;

/// Mounts the app on `#app` (or the body), replacing the loading notice of `index.html`.
#[wasm_bindgen(start)]
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"));
    match root {
        Some(root) => {
            root.set_inner_html("");
            yew::Renderer::<components::app::App>::with_root(root).render();
        }
        None => {
            yew::Renderer::<components::app::App>::new().render();
        }
    }
}
