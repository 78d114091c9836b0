//! The domain check: will senders that enforce MTA-STS deliver this domain's mail, and if not,
//! exactly why?
//!
//! The check runs over three traits ([`Resolver`], [`PolicyFetcher`], [`Clock`]) that each adapter
//! implements once; it never waits for one lookup before starting an independent one:
//!
//! 1. DNS, all at once: `_mta-sts` TXT, `_smtp._tls` TXT, `_smtp-tlsrpt` TXT (legacy), MX, and,
//!    when the fetcher connects to addresses it is given ([`PolicyFetcher::takes_addresses`]),
//!    the policy host's A and AAAA.
//! 2. Then, side by side: the policy fetch (only when the `_mta-sts` record says there is a
//!    policy, RFC 8461 §3.3), and for every MX host its A, AAAA and `_25._tcp.<host>` TLSA
//!    records.
//!
//! Two network round trips on the critical path (three when the fetcher resolves the policy
//! host itself). Each step is reported as it finishes. Then the
//! assessment: coverage, the sender matrix and the verdict. One module per part: `records`
//! (round one), `policy` and `hosts` (round two), `assess`; the report's types live in
//! `report`, which imports none of them. A public service bounds the MX hosts examined and the
//! DNS queries sent ([`CheckLimits`], [`check_domain_with_limits`]).

mod assess;
mod error;
mod hosts;
mod io;
mod limits;
mod lookup;
mod policy;
mod records;
mod report;
pub mod senders;
mod smtp;
mod smtp_targets;
mod verdict;

pub use error::CheckError;
pub use io::{
    policy_domain, policy_url, RelayedFailure, RelayedFetch, RelayedOutcome, RelayedReply,
    DEFAULT_DOH_URL, DNS_MESSAGE_MEDIA_TYPE, DOH_TIME_LIMIT, POLICY_FETCH_TIME_LIMIT,
    POLICY_HTTPS_PORT,
};
pub use io::{
    Clock, FetchError, HttpReply, PolicyFetcher, Resolver, TlsErrorClass, TransportError,
    FETCH_READ_LIMIT,
};
pub use limits::{BudgetedResolver, CheckLimits};
pub use report::{
    CheckReport, Governance, HostVerdict, Lookup, MxHost, Outcome, PolicyCheck, PolicyFetch,
    ProbeResult, Records, SenderVerdict, SmtpProbe, SmtpResult, SmtpStatus, Step, StepName,
    StepStatus, TlsVersion, TxtLookup,
};
pub use smtp::check_smtp;
pub use smtp_targets::{plan_smtp_probes, SmtpLimits, SmtpPlan, SmtpTarget};
pub use verdict::{headline, Headline};

use crate::domain_name::DomainName;
use crate::finding::{Finding, Severity};
use assess::{assess, RoundTwo};
use futures_util::future::{join, join_all, select, Either};
use records::{round_one, RoundOne};
use std::cell::RefCell;
use std::future::Future;
use std::net::IpAddr;
use std::pin::pin;

/// Runs the check for `input` (a domain as a user typed it), with no limit on the MX hosts
/// examined or the DNS queries sent. `on_step` sees each step as it finishes.
pub async fn check_domain<R: Resolver, F: PolicyFetcher, C: Clock>(
    input: &str,
    resolver: &R,
    fetcher: &F,
    clock: &C,
    on_step: &dyn Fn(&Step),
) -> Result<CheckReport, CheckError> {
    check_domain_with_limits(
        input,
        resolver,
        fetcher,
        clock,
        on_step,
        &CheckLimits::default(),
    )
    .await
}

/// [`check_domain`] within `limits`: round two examines at most
/// [`max_mx_hosts`](CheckLimits::max_mx_hosts) MX hosts, the most preferred (the report's
/// `mx.hosts-skipped` finding says how many were left out), and at most
/// [`max_dns_queries`](CheckLimits::max_dns_queries) queries reach `resolver` (a lookup past
/// them shows as failed, saying why). A public service passes [`CheckLimits::EDGE`].
pub async fn check_domain_with_limits<R: Resolver, F: PolicyFetcher, C: Clock>(
    input: &str,
    resolver: &R,
    fetcher: &F,
    clock: &C,
    on_step: &dyn Fn(&Step),
    limits: &CheckLimits,
) -> Result<CheckReport, CheckError> {
    let domain = DomainName::from_input(input)?;
    let resolver = &BudgetedResolver::new(resolver, limits.max_dns_queries);
    let steps = Steps {
        clock,
        start: clock.now_ms(),
        done: RefCell::new(Vec::new()),
        on_step,
    };

    let started = steps.now();
    // Beside round one, when the fetcher can use them: the policy host's addresses, so that the
    // fetch starts as soon as the `_mta-sts` record allows it (RFC 8461 §3.3: only then).
    let policy_host = domain.child("mta-sts");
    let (one, two) = {
        let mut addresses = pin!(async {
            if fetcher.takes_addresses() {
                Some(policy::host_addresses(resolver, &policy_host).await)
            } else {
                None
            }
        });
        let round = pin!(round_one(resolver, &domain, limits.max_mx_hosts));
        let (one, early) = match select(round, addresses.as_mut()).await {
            Either::Left((one, _)) => (one, None),
            Either::Right((early, round)) => (round.await, Some(early)),
        };
        let one = match one {
            // No lookup of round one answered, some because the budget refused them: that is why.
            Err(CheckError::Resolver(TransportError::Timeout)) if resolver.refused() > 0 => {
                let budget = limits.max_dns_queries.unwrap_or_default();
                return Err(CheckError::Resolver(TransportError::Budget(budget)));
            }
            one => one?,
        };
        steps.finish(StepName::Dns, started, &one.findings, one.summary());

        let addresses = async {
            match early {
                Some(early) => early,
                None => addresses.await,
            }
        };
        let two = round_two(resolver, fetcher, &domain, &one, addresses, &steps).await?;
        (one, two)
    };

    Ok(assess(domain, one, two, steps.done.into_inner()))
}

/// Round two: the policy (when round one found an `_mta-sts` record; fetched from `addresses`,
/// the policy host's, when the fetcher takes them) beside every MX host's addresses and TLSA
/// records, each reported as a step as it finishes.
async fn round_two<R: Resolver, F: PolicyFetcher, C: Clock>(
    resolver: &R,
    fetcher: &F,
    domain: &DomainName,
    one: &RoundOne,
    addresses: impl Future<Output = Option<Vec<IpAddr>>>,
    steps: &Steps<'_, C>,
) -> Result<RoundTwo, CheckError> {
    let policy_future = async {
        if !one.has_sts() {
            return Ok::<_, CheckError>(None);
        }
        let started = steps.now();
        let addresses = addresses.await;
        let policy = policy::fetch_policy(resolver, fetcher, domain, addresses.as_deref()).await?;
        let found = policy::policy_findings(&policy);
        steps.finish(
            StepName::Policy,
            started,
            &found,
            policy::policy_summary(&policy),
        );
        Ok(Some((policy, found)))
    };
    let hosts_future = join_all(one.targets.iter().map(|(host, preference)| async move {
        let started = steps.now();
        let host = hosts::inspect_host(resolver, host, *preference).await;
        if let Ok((mx, found)) = &host {
            steps.finish(
                StepName::Mx(mx.host.clone()),
                started,
                found,
                hosts::host_summary(mx),
            );
        }
        host
    }));
    let (policy, hosts) = join(policy_future, hosts_future).await;
    Ok(RoundTwo {
        policy: policy?,
        hosts: hosts.into_iter().collect::<Result<_, _>>()?,
    })
}

/// The steps finished so far, and the progress callback.
struct Steps<'a, C> {
    clock: &'a C,
    start: u64,
    done: RefCell<Vec<Step>>,
    on_step: &'a dyn Fn(&Step),
}

impl<C: Clock> Steps<'_, C> {
    fn now(&self) -> u64 {
        self.clock.now_ms().saturating_sub(self.start)
    }

    fn finish(&self, name: StepName, started_ms: u64, findings: &[Finding], summary: String) {
        let status = match findings.iter().map(|f| f.severity).max() {
            Some(Severity::Error) => StepStatus::Error,
            Some(Severity::Warning) => StepStatus::Warning,
            _ => StepStatus::Ok,
        };
        let step = Step {
            name,
            status,
            summary,
            started_ms,
            finished_ms: self.now(),
        };
        (self.on_step)(&step);
        self.done.borrow_mut().push(step);
    }
}
