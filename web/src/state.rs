//! The check page's state: the check in flight or done, as a `Reducible` driven by [`Action`]s
//! (the steps the core reports through `on_step`, then its report or why it could not run).

use mtasts::check::{CheckReport, Step};
use std::rc::Rc;
use yew::Reducible;

/// Where the check stands.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Phase {
    /// No check started yet.
    #[default]
    Idle,
    /// Running: the steps so far are in [`CheckState::steps`].
    Running,
    /// Finished with a report.
    Done(Rc<CheckReport>),
    /// The check could not run (not a mail domain, the resolver unreachable), and why.
    Failed(String),
}

/// Who chose the DoH resolver of a check: what the page says beside the resolver box.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResolverOrigin {
    /// The resolver this site suggests (`doh_url` of `/api/config`).
    Site,
    /// The `doh` parameter of the link that opened the page: someone else's choice, so the page
    /// never runs a check with it until the user asks.
    Link,
    /// One the user typed.
    User,
}

impl ResolverOrigin {
    /// Who chose `url`, given the site's resolver and the link's (`None` without one).
    pub fn of(url: &str, site: &str, link: Option<&str>) -> ResolverOrigin {
        if url == site {
            ResolverOrigin::Site
        } else if link == Some(url) {
            ResolverOrigin::Link
        } else {
            ResolverOrigin::User
        }
    }

    /// Its name in `data-origin`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResolverOrigin::Site => "site",
            ResolverOrigin::Link => "link",
            ResolverOrigin::User => "user",
        }
    }

    /// What the page says of it, after the resolver's URL.
    pub fn label(self) -> &'static str {
        match self {
            ResolverOrigin::Site => "this site's",
            ResolverOrigin::Link => "from the link",
            ResolverOrigin::User => "yours",
        }
    }
}

/// The DoH resolver a check runs with, and who chose it.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolver {
    /// Its URL (RFC 8484).
    pub url: String,
    /// Who chose it.
    pub origin: ResolverOrigin,
}

/// The check page's state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckState {
    /// Which check this is: actions of an older one are ignored.
    pub run: u32,
    /// The domain as the user gave it.
    pub domain: String,
    /// The resolver of the check started last (`None` before the first).
    pub resolver: Option<Resolver>,
    /// The steps finished so far, in order.
    pub steps: Vec<Step>,
    /// Where the check stands.
    pub phase: Phase,
}

/// What happens to the check.
#[derive(Debug, Clone)]
pub enum Action {
    /// Check number `run` of `domain` starts (the number is the page's, strictly increasing).
    Start {
        /// The check's number.
        run: u32,
        /// The domain as given.
        domain: String,
        /// The resolver it runs with.
        resolver: Resolver,
    },
    /// Check `run` finished a step.
    Step(u32, Step),
    /// Check `run` ended.
    Finish(u32, Result<Box<CheckReport>, String>),
}

impl Reducible for CheckState {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Start {
                run,
                domain,
                resolver,
            } => Rc::new(CheckState {
                run,
                domain,
                resolver: Some(resolver),
                steps: Vec::new(),
                phase: Phase::Running,
            }),
            Action::Step(run, step) if run == self.run && self.phase == Phase::Running => {
                let mut next = (*self).clone();
                next.steps.push(step);
                Rc::new(next)
            }
            Action::Finish(run, result) if run == self.run && self.phase == Phase::Running => {
                let mut next = (*self).clone();
                next.phase = match result {
                    Ok(report) => Phase::Done(Rc::from(report)),
                    Err(why) => Phase::Failed(why),
                };
                Rc::new(next)
            }
            // An action of a check that is no longer the one shown.
            Action::Step(..) | Action::Finish(..) => self,
        }
    }
}

/// A callback for a field's `input` or `change` event: `update` puts the field's new value into
/// a copy of the form held in `state`, which then replaces it.
#[cfg(feature = "tools")]
pub fn on_value<T, E>(
    state: &yew::UseStateHandle<T>,
    update: fn(&mut T, String),
) -> yew::Callback<E>
where
    T: Clone + 'static,
    E: AsRef<web_sys::Event> + 'static,
{
    let state = state.clone();
    yew::Callback::from(move |event: E| {
        let value = event
            .as_ref()
            .target()
            .and_then(|field| js_sys::Reflect::get(&field, &"value".into()).ok())
            .and_then(|value| value.as_string())
            .unwrap_or_default();
        let mut next = (*state).clone();
        update(&mut next, value);
        state.set(next);
    })
}
