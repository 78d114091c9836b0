//! `mtasts check`: the core's domain check over native I/O.
//!
//! [`Adapters`] holds one implementation of each of the core's traits: a [`DohResolver`]
//! (DNS-over-HTTPS, RFC 8484), an [`HttpsFetcher`] (RFC 8461 §3.3: no redirects, bounded body and
//! time) that finds the policy host's address through the same resolver, and a
//! [`MonotonicClock`]. [`run`] builds them, starts a current-thread tokio runtime (the core's
//! futures are not `Send`) and runs the check once.

mod body;
mod doh;
mod fetch;
mod resolve;
mod smtp;
mod tls;

pub use doh::{AddressError, DohResolver};
pub use fetch::HttpsFetcher;
pub use resolve::{ResolveOverride, ResolveParseError};
pub use smtp::{SmtpProber, DEFAULT_SMTP_PORT, DEFAULT_SMTP_TIMEOUT};
pub use tls::{classify_tls_error, client_config, root_store};

use futures_util::StreamExt;
use mtasts::check::{
    check_domain, check_smtp, plan_smtp_probes, CheckError, CheckReport, Clock, SmtpLimits, Step,
    StepName, StepStatus, DEFAULT_DOH_URL, DOH_TIME_LIMIT, POLICY_FETCH_TIME_LIMIT,
    POLICY_HTTPS_PORT,
};
use mtasts::{DomainName, Severity};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the DoH and policy requests call themselves.
const USER_AGENT: &str = concat!("mtasts/", env!("CARGO_PKG_VERSION"));

/// An error and its sources, innermost last. An `io::Error` hides the error it wraps from
/// `source()` (it returns the wrapped error's source), so the walk steps into it explicitly:
/// that is where rustls's errors and the policy host's address errors sit.
pub(crate) fn error_chain<'a>(
    error: &'a (dyn std::error::Error + 'static),
) -> Vec<&'a (dyn std::error::Error + 'static)> {
    let mut chain = Vec::new();
    let mut next = Some(error);
    // Bounded: a cyclic chain cannot hang the walk.
    while let Some(e) = next.filter(|_| chain.len() < 32) {
        chain.push(e);
        next = match e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    chain
}

/// How the check reaches the network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckOptions {
    /// The DoH endpoint (`https://`, or `http://` for a local resolver).
    pub doh_url: String,
    /// `--resolve HOST:PORT:ADDR` entries, as curl has them.
    pub resolve: Vec<ResolveOverride>,
    /// A PEM file of extra CA certificates to trust beside the public roots.
    pub ca_file: Option<PathBuf>,
    /// The port the policy fetch connects to (SNI and the certificate still name the host).
    pub https_port: u16,
    /// Overrides the DoH time limit and lowers the policy fetch's (never above 60 s); also the
    /// SMTP probe's limit per address.
    pub timeout: Option<Duration>,
    /// Whether to probe every MX address with STARTTLS (`--smtp`).
    pub smtp: bool,
    /// The port the SMTP probe connects to (25; another for test stand-ins).
    pub smtp_port: u16,
    /// Which MX addresses the SMTP probe connects to, and how many at once (`--smtp-jobs`,
    /// `--smtp-allow-private`, `--smtp-max-hosts`, `--smtp-max-addresses`).
    pub smtp_limits: SmtpLimits,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            doh_url: DEFAULT_DOH_URL.to_string(),
            resolve: Vec::new(),
            ca_file: None,
            https_port: POLICY_HTTPS_PORT,
            timeout: None,
            smtp: false,
            smtp_port: DEFAULT_SMTP_PORT,
            smtp_limits: SmtpLimits::DEFAULT,
        }
    }
}

impl CheckOptions {
    /// The time limit of one DNS-over-HTTPS exchange.
    pub fn doh_timeout(&self) -> Duration {
        self.timeout.unwrap_or(DOH_TIME_LIMIT)
    }

    /// The time limit of the whole policy fetch, its own DNS lookups included.
    pub fn fetch_timeout(&self) -> Duration {
        self.timeout
            .map_or(POLICY_FETCH_TIME_LIMIT, |t| t.min(POLICY_FETCH_TIME_LIMIT))
    }

    /// The time limit of the SMTP probe of one address.
    pub fn smtp_timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_SMTP_TIMEOUT)
    }
}

/// Why the adapters could not be set up.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SetupError {
    /// The `--doh` URL is not an `http://` or `https://` URL with a host.
    DohUrl {
        /// The URL as given.
        url: String,
        /// What is wrong with it.
        why: String,
    },
    /// The `--ca-file` cannot be read or holds no certificate.
    CaFile {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        why: String,
    },
    /// A `--resolve` entry applies to no connection the check makes.
    Resolve {
        /// The entry, as `HOST:PORT:ADDR`.
        entry: String,
        /// Why it cannot apply.
        why: String,
    },
    /// The TLS configuration or an HTTP client could not be built.
    Client(String),
}

impl fmt::Display for SetupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SetupError::DohUrl { url, why } => write!(f, "--doh {url:?}: {why}"),
            SetupError::CaFile { path, why } => {
                write!(f, "--ca-file {}: {why}", path.display())
            }
            SetupError::Resolve { entry, why } => write!(f, "--resolve {entry}: {why}"),
            SetupError::Client(why) => write!(f, "cannot set up the HTTP client: {why}"),
        }
    }
}

impl std::error::Error for SetupError {}

/// Why [`run`] could not produce a report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RunError {
    /// The options do not work.
    Setup(SetupError),
    /// The async runtime could not start.
    Runtime(String),
    /// The check could not run (bad input, resolver unreachable, unreadable answers).
    Check(CheckError),
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RunError::Setup(e) => e.fmt(f),
            RunError::Runtime(why) => write!(f, "cannot start the async runtime: {why}"),
            RunError::Check(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for RunError {}

/// Milliseconds since the clock was made, from the monotonic system clock.
#[derive(Debug, Clone, Copy)]
pub struct MonotonicClock {
    start: Instant,
}

impl MonotonicClock {
    /// A clock that starts at zero now.
    pub fn new() -> Self {
        MonotonicClock {
            start: Instant::now(),
        }
    }
}

impl Default for MonotonicClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Clock for MonotonicClock {
    fn now_ms(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX)
    }
}

/// The three adapters the core's check runs over.
#[derive(Debug, Clone)]
pub struct Adapters {
    /// DNS over HTTPS.
    pub resolver: DohResolver,
    /// The policy fetch.
    pub fetcher: HttpsFetcher,
    /// Step timings.
    pub clock: MonotonicClock,
}

impl Adapters {
    /// Builds the adapters; reads the `--ca-file`. Makes no network traffic.
    pub fn new(options: &CheckOptions) -> Result<Adapters, SetupError> {
        let tls = client_config(options.ca_file.as_deref())?;
        let resolver = DohResolver::new(
            &options.doh_url,
            options.doh_timeout(),
            &options.resolve,
            tls.clone(),
        )?;
        let policy_overrides =
            resolve::for_policy_fetch(&options.resolve, options.https_port, resolver.url())?;
        let fetcher = HttpsFetcher::new(
            resolver.clone(),
            tls,
            policy_overrides,
            options.https_port,
            options.fetch_timeout(),
        )?;
        Ok(Adapters {
            resolver,
            fetcher,
            clock: MonotonicClock::new(),
        })
    }

    /// Runs the core's check for `input` (a domain as a user typed it).
    pub async fn check(
        &self,
        input: &str,
        on_step: &dyn Fn(&Step),
    ) -> Result<CheckReport, CheckError> {
        check_domain(input, &self.resolver, &self.fetcher, &self.clock, on_step).await
    }
}

/// The DKIM verdict on the report e-mail `message` (`mtasts lint report --dkim`): the keys its
/// signatures name, fetched over the same DoH resolver as the check (`doh_url`, `resolve`,
/// `ca_file`, `timeout` of `options`), judged by the core (RFC 8460 §5.3).
pub fn verify_dkim(
    message: &[u8],
    options: &CheckOptions,
) -> Result<mtasts::tls_rpt::dkim::DkimVerdict, RunError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))?;
    let tls = client_config(options.ca_file.as_deref()).map_err(RunError::Setup)?;
    let resolver = DohResolver::new(
        &options.doh_url,
        options.doh_timeout(),
        &options.resolve,
        tls,
    )
    .map_err(RunError::Setup)?;
    Ok(runtime.block_on(mtasts::tls_rpt::dkim::verify_report_dkim(
        &resolver, message,
    )))
}

/// Everything one `mtasts check` needs, set up once: the [`Adapters`] and, with `--smtp`, the
/// [`SmtpProber`] and its limits. One checker serves one domain ([`run`]) or many
/// ([`run_many`]), sharing its connections between them.
#[derive(Debug)]
pub struct Checker {
    adapters: Adapters,
    prober: Option<SmtpProber>,
    smtp_limits: SmtpLimits,
}

impl Checker {
    /// Builds the adapters and the prober; reads the `--ca-file`. Makes no network traffic.
    pub fn new(options: &CheckOptions) -> Result<Checker, SetupError> {
        let adapters = Adapters::new(options)?;
        let prober = if options.smtp {
            let roots = root_store(options.ca_file.as_deref())?;
            let prober = SmtpProber::new(options.smtp_port, options.smtp_timeout(), roots)
                .map_err(SetupError::Client)?;
            Some(prober)
        } else {
            None
        };
        Ok(Checker {
            adapters,
            prober,
            smtp_limits: options.smtp_limits,
        })
    }

    /// Checks `input` (a domain as a user typed it), then probes its MX addresses when the
    /// options asked for it. `on_step` sees each step as it finishes.
    pub async fn check(
        &self,
        input: &str,
        on_step: &dyn Fn(&Step),
    ) -> Result<CheckReport, CheckError> {
        let mut report = self.adapters.check(input, on_step).await?;
        if let Some(prober) = &self.prober {
            self.probe_smtp(prober, &mut report, on_step).await;
        }
        Ok(report)
    }

    /// The `smtp` step: the probes the limits allow, judged by the core.
    async fn probe_smtp(
        &self,
        prober: &SmtpProber,
        report: &mut CheckReport,
        on_step: &dyn Fn(&Step),
    ) {
        let clock = &self.adapters.clock;
        let started = clock.now_ms();
        let plan = plan_smtp_probes(&report.domain, &report.mx, &self.smtp_limits);
        let before = report.findings.len();
        report.findings.extend(plan.findings);
        let probes = prober
            .probe_all(&plan.targets, self.smtp_limits.max_connections)
            .await;
        let now_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        check_smtp(report, &probes, now_unix);
        let worst = report
            .findings
            .iter()
            .filter(|f| f.code.as_str().starts_with("smtp.") || f.host.is_some())
            .map(|f| f.severity)
            .max();
        let step = Step {
            name: StepName::Smtp,
            status: match worst {
                Some(Severity::Error) => StepStatus::Error,
                Some(Severity::Warning) => StepStatus::Warning,
                _ => StepStatus::Ok,
            },
            summary: format!(
                "{} MX addresses probed with STARTTLS, {} new findings",
                probes.len(),
                report.findings.len().saturating_sub(before)
            ),
            started_ms: started,
            finished_ms: clock.now_ms(),
        };
        on_step(&step);
        report.steps.push(step);
    }
}

/// A current-thread runtime: the core's futures are not `Send`.
fn runtime() -> Result<tokio::runtime::Runtime, RunError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RunError::Runtime(e.to_string()))
}

/// Checks `input` once: refuses input that is not a mail domain before any set-up or query,
/// builds the [`Checker`], and runs it on a current-thread runtime. `on_step` sees each step
/// as it finishes.
pub fn run(
    input: &str,
    options: &CheckOptions,
    on_step: &dyn Fn(&Step),
) -> Result<CheckReport, RunError> {
    DomainName::from_input(input).map_err(|e| RunError::Check(CheckError::Input(e)))?;
    let runtime = runtime()?;
    // Declared after the runtime, so dropped before it: pooled connections close inside it.
    let checker = Checker::new(options).map_err(RunError::Setup)?;
    runtime
        .block_on(checker.check(input, on_step))
        .map_err(RunError::Check)
}

/// One domain's check among many: its report, or why it could not run.
pub type DomainResult = Result<CheckReport, CheckError>;

/// Checks every one of `inputs` with one [`Checker`] on one current-thread runtime, at most
/// `jobs` (1 or more) at once. `on_done` sees each domain's result as it finishes, in any order
/// (for a progress display); `on_result` gets every result in the order of `inputs`, as soon as
/// it and all before it are done, and may stop the rest (`Break`: the output is gone). A domain
/// that cannot be checked is its own `Err`; the outer `Err` is only for a set-up that failed
/// before any check.
pub fn run_many(
    inputs: &[String],
    options: &CheckOptions,
    jobs: usize,
    on_done: &dyn Fn(&DomainResult),
    on_result: &mut dyn FnMut(&str, DomainResult) -> ControlFlow<()>,
) -> Result<(), RunError> {
    let runtime = runtime()?;
    let checker = &Checker::new(options).map_err(RunError::Setup)?;
    runtime.block_on(async {
        // `buffer_unordered` keeps `jobs` checks running, whichever finish first (a slow domain
        // holds one slot, not the others); results wait in `ready` for those before them.
        let mut finished = futures_util::stream::iter(inputs.iter().enumerate())
            .map(|(n, input)| async move {
                let result = checker.check(input, &|_| {}).await;
                on_done(&result);
                (n, input, result)
            })
            .buffer_unordered(jobs.max(1));
        let mut ready = BTreeMap::new();
        let mut next = 0;
        while let Some((n, input, result)) = finished.next().await {
            ready.insert(n, (input, result));
            while let Some((input, result)) = ready.remove(&next) {
                if on_result(input, result).is_break() {
                    return;
                }
                next += 1;
            }
        }
    });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_limits() {
        for (timeout, doh, fetch) in [
            (None, 5, 60),
            (Some(2), 2, 2),
            (Some(30), 30, 30),
            (Some(90), 90, 60),
        ] {
            let options = CheckOptions {
                timeout: timeout.map(Duration::from_secs),
                ..CheckOptions::default()
            };
            assert_eq!(
                options.doh_timeout(),
                Duration::from_secs(doh),
                "{timeout:?}"
            );
            assert_eq!(
                options.fetch_timeout(),
                Duration::from_secs(fetch),
                "{timeout:?}"
            );
        }
    }

    #[test]
    fn bad_input_is_refused_before_any_set_up() {
        // The DoH URL is unusable too: input is checked first, so that is never reached.
        let options = CheckOptions {
            doh_url: "not a url".into(),
            ..CheckOptions::default()
        };
        for input in ["192.0.2.1", "localhost", ""] {
            let err = run(input, &options, &|_| {}).map(|_| ()).unwrap_err();
            assert!(
                matches!(err, RunError::Check(CheckError::Input(_))),
                "{input}: {err:?}"
            );
        }
    }

    #[test]
    fn setup_errors() {
        let options = CheckOptions {
            doh_url: "ftp://dns.example/".into(),
            ..CheckOptions::default()
        };
        assert!(matches!(
            Adapters::new(&options),
            Err(SetupError::DohUrl { .. })
        ));
        let options = CheckOptions {
            ca_file: Some(PathBuf::from("/nonexistent/ca.pem")),
            ..CheckOptions::default()
        };
        assert!(matches!(
            Adapters::new(&options),
            Err(SetupError::CaFile { .. })
        ));
    }
}
