//! `mtasts`: the command-line front-end of the `mtasts` core crate.
//!
//! A thin adapter: it reads arguments and files, calls the core, and prints the result for people
//! or as one JSON document (`--json`; JSON Lines for `check` of several domains). Exit status: 0
//! valid (or matches, or the check passes: no error finding and no sender refuses), 1 not valid
//! (or no match, or an error finding or a refusing sender), 2 bad usage, I/O error or a check
//! that could not run, with one line on stderr; with several domains, the worst of them. The
//! domain check's network adapters live in the library (`mtasts_cli::check`).

mod domain_list;
mod output;
mod progress;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use clap::{Args, Parser, Subcommand};
use domain_list::{first_of_each, parse_domain_list};
use mtasts::check::{SmtpLimits, DEFAULT_DOH_URL, POLICY_HTTPS_PORT};
use mtasts::generate::{policy_id_from_unix, GenerateOptions};
use mtasts::{LintResult, Mode};
use mtasts_cli::check::{CheckOptions, ResolveOverride, DEFAULT_SMTP_PORT};
use output::{CheckSummary, Checked, Printer};
use serde::Serialize;
use std::cell::Cell;
use std::io::Read;
use std::ops::ControlFlow;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Check and build MTA-STS, TLS-RPT and DANE records for a mail domain.
#[derive(Parser)]
#[command(name = "mtasts", version, about)]
struct Cli {
    /// Print one JSON document on stdout instead of text for people.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a mail domain: its DNS records over DNS-over-HTTPS, the policy fetch, MX coverage,
    /// TLS-RPT, DANE, and what each sender that enforces MTA-STS does with its mail.
    #[command(
        after_help = "Exit status: 0 the check passes (no error finding and no sender refuses; \
        a null MX domain, which accepts no mail, passes), 1 any error finding or any sender \
        refuses, 2 the check could not run. With several domains (or --from), a table of one \
        line each (--json: JSON Lines, one report a line in input order; a domain that could \
        not be checked is {\"domain\", \"ok\": false, \"error\"}), each domain checked once, \
        and the worst status of them all."
    )]
    Check(CheckArgs),
    /// Lint one object against its RFC.
    #[command(subcommand)]
    Lint(LintCommand),
    /// Does an `mx` pattern of a policy cover a host? (RFC 8461 §4.1)
    Match {
        /// The pattern, e.g. `*.example.com`.
        pattern: String,
        /// The MX host, e.g. `mx1.example.com`.
        host: String,
    },
    /// Print the TXT records and the policy file to publish for a domain.
    Generate(GenerateArgs),
}

#[derive(Args)]
struct CheckArgs {
    /// The mail domains as you would type them: `example.com`, `user@example.com` or a URL.
    /// One gives the whole report; several (or `--from`) a summary table, or JSON Lines with
    /// `--json`.
    #[arg(value_name = "DOMAIN", required_unless_present = "from")]
    domains: Vec<String>,
    /// Also check the domains in FILE, one a line (blank lines and `#` comments are skipped),
    /// after those given as arguments; `-` reads standard input.
    #[arg(long, value_name = "FILE")]
    from: Option<String>,
    /// Check at most N domains at once.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = at_least_one)]
    jobs: usize,
    /// The DNS-over-HTTPS resolver (RFC 8484); `http://` is accepted for local resolvers.
    #[arg(long, value_name = "URL", default_value = DEFAULT_DOH_URL)]
    doh: String,
    /// Connect to ADDR for HOST on PORT instead of looking HOST up, as curl does (repeatable;
    /// for the policy host, or the DoH resolver's host).
    #[arg(long, value_name = "HOST:PORT:ADDR")]
    resolve: Vec<ResolveOverride>,
    /// Also trust the CA certificates in this PEM file (a staging host's private CA).
    #[arg(long, value_name = "PEM")]
    ca_file: Option<PathBuf>,
    /// Fetch the policy from this port instead of 443, for test stand-ins and staging hosts
    /// (SNI and the certificate check still use the host name).
    #[arg(long, value_name = "N", default_value_t = POLICY_HTTPS_PORT)]
    https_port: u16,
    /// Time limit in seconds for each DNS query [default: 5] and for the policy fetch
    /// [default and most: 60, RFC 8461 §3.3].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    timeout: Option<Duration>,
    /// Also connect to the MX addresses on port 25: STARTTLS, TLS version, certificate and
    /// TLSA match, and what senders do about them. Sends no mail (QUIT after the handshake).
    /// Public addresses only, at most 10 hosts, 2 addresses each and 4 connections at once
    /// unless the `--smtp-*` options below say otherwise.
    #[arg(long)]
    smtp: bool,
    /// Probe this port instead of 25, for test stand-ins (port 25 needs a network that allows
    /// it; loopback stand-ins cannot bind it without privileges).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_SMTP_PORT, requires = "smtp")]
    smtp_port: u16,
    /// At most N SMTP connections open at once (for each domain).
    #[arg(long, value_name = "N", default_value_t = SmtpLimits::DEFAULT.max_connections,
          value_parser = at_least_one, requires = "smtp")]
    smtp_jobs: usize,
    /// Also probe addresses in loopback, private (RFC 1918, fc00::/7), link-local, CGNAT,
    /// documentation, multicast and reserved blocks (RFC 6890), for test stand-ins and internal
    /// hosts. Without it they are refused (`smtp.address-refused`), so that a domain's MX
    /// records cannot aim the probe at your own network.
    #[arg(long, requires = "smtp")]
    smtp_allow_private: bool,
    /// Probe at most N MX hosts, the most preferred first (`smtp.hosts-skipped` names the rest).
    #[arg(long, value_name = "N", default_value_t = SmtpLimits::DEFAULT.max_hosts,
          value_parser = at_least_one, requires = "smtp")]
    smtp_max_hosts: usize,
    /// Probe at most N addresses of each MX host (`smtp.addresses-skipped` names the rest).
    #[arg(long, value_name = "N", default_value_t = SmtpLimits::DEFAULT.max_addresses,
          value_parser = at_least_one, requires = "smtp")]
    smtp_max_addresses: usize,
}

/// How `lint report --dkim` reaches the DoH resolver (as `check` does).
#[derive(Args)]
struct DkimNetwork {
    /// The DNS-over-HTTPS resolver the DKIM keys are fetched from (RFC 8484); `http://` is
    /// accepted for local resolvers.
    #[arg(long, value_name = "URL", default_value = DEFAULT_DOH_URL, requires = "dkim")]
    doh: String,
    /// Connect to ADDR for the DoH resolver's HOST on PORT instead of looking it up (repeatable).
    #[arg(long, value_name = "HOST:PORT:ADDR", requires = "dkim")]
    resolve: Vec<ResolveOverride>,
    /// Also trust the CA certificates in this PEM file (a private DoH resolver's CA).
    #[arg(long, value_name = "PEM", requires = "dkim")]
    ca_file: Option<PathBuf>,
    /// Time limit in seconds for each DNS query [default: 5].
    #[arg(long, value_name = "SECS", value_parser = parse_seconds, requires = "dkim")]
    timeout: Option<Duration>,
}

/// A whole number from 1 up.
fn at_least_one(text: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("{text:?} is not a whole number from 1 up"))
}

/// A positive number of seconds, fractions allowed.
fn parse_seconds(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .filter(|s| *s > 0.0)
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .ok_or_else(|| format!("{text:?} is not a positive number of seconds"))
}

#[derive(Subcommand)]
enum LintCommand {
    /// An MTA-STS policy file (`/.well-known/mta-sts.txt`); `-` reads standard input.
    Policy {
        /// The file, or `-`.
        file: String,
    },
    /// The `_mta-sts` TXT RRset: one argument per TXT record.
    StsRecord {
        /// The records' text, e.g. `v=STSv1; id=20240101T000000Z`.
        #[arg(required = true)]
        records: Vec<String>,
    },
    /// The `_smtp._tls` TXT RRset: one argument per TXT record.
    TlsrptRecord {
        /// The records' text, e.g. `v=TLSRPTv1; rua=mailto:tlsrpt@example.com`.
        #[arg(required = true)]
        records: Vec<String>,
    },
    /// One TLSA record in presentation format, e.g. `3 1 1 <hex>`.
    Tlsa {
        /// The RDATA, as one argument or several.
        #[arg(required = true, num_args = 1..)]
        rdata: Vec<String>,
    },
    /// One TLS-RPT report: JSON, gzip or a report e-mail (detected from the bytes); `-` reads
    /// standard input.
    Report {
        /// The file, or `-`.
        file: String,
        /// Also verify the report e-mail's DKIM signature (RFC 8460 §5.3: signed by the domain
        /// of its TLS-Report-Submitter), fetching the keys over DNS-over-HTTPS; adds the
        /// `report.dkim-*` findings.
        #[arg(long)]
        dkim: bool,
        #[command(flatten)]
        network: DkimNetwork,
    },
    /// A certificate chain as a server presents it (PEM, or DER of one certificate), the
    /// server's own first; `-` reads standard input. Judged now, against `--host` and `--tlsa`.
    Cert {
        /// The file, or `-`.
        file: String,
        /// The MX host the chain must cover (RFC 8461 §4.2); names are not checked without it.
        #[arg(long, value_name = "NAME")]
        host: Option<String>,
        /// TLSA records of `_25._tcp.<host>` in presentation format, e.g. `3 1 1 <hex>`, one
        /// argument each (RFC 7672 §3.1).
        #[arg(long, value_name = "RDATA", num_args = 1..)]
        tlsa: Vec<String>,
    },
}

#[derive(Args)]
struct GenerateArgs {
    /// The mail domain, e.g. `example.com`.
    domain: String,
    /// The MX hosts (or `*.` patterns) the policy allows.
    #[arg(long, required = true, num_args = 1..)]
    mx: Vec<String>,
    /// The policy mode.
    #[arg(long, value_parser = mode_parser(), default_value_t = GenerateOptions::default().mode)]
    mode: Mode,
    /// How long senders cache the policy, in seconds.
    #[arg(long, default_value_t = GenerateOptions::default().max_age)]
    max_age: u64,
    /// Where TLS-RPT reports go (`mailto:` or `https:`); none means no `_smtp._tls` record.
    #[arg(long, num_args = 1..)]
    rua: Vec<String>,
    /// The policy id; by default one made from the current time.
    #[arg(long)]
    id: Option<String>,
}

/// `enforce`, `testing` or `none`, as the core spells them (RFC 8461 §5).
fn mode_parser() -> impl TypedValueParser<Value = Mode> {
    PossibleValuesParser::new(Mode::ALL.map(Mode::as_str))
        .try_map(|value| Mode::from_value(&value).ok_or("not a policy mode"))
}

/// Why the command could not run (exit status 2).
struct Failure(String);

/// What a finished command reports: whether its answer was "yes".
type Outcome = Result<bool, Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new(cli.json);
    let outcome = match cli.command {
        Command::Check(args) => run_check(args, &printer),
        Command::Lint(lint) => run_lint(lint, &printer),
        Command::Match { pattern, host } => run_match(&pattern, &host, &printer),
        Command::Generate(args) => run_generate(args, &printer),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(Failure(why)) => {
            eprintln!("mtasts: {}", mtasts::text::printable(&why));
            ExitCode::from(2)
        }
    }
}

fn run_check(args: CheckArgs, printer: &Printer) -> Outcome {
    let options = CheckOptions {
        doh_url: args.doh,
        resolve: args.resolve,
        ca_file: args.ca_file,
        https_port: args.https_port,
        timeout: args.timeout,
        smtp: args.smtp,
        smtp_port: args.smtp_port,
        smtp_limits: SmtpLimits {
            max_connections: args.smtp_jobs,
            max_hosts: args.smtp_max_hosts,
            max_addresses: args.smtp_max_addresses,
            allow_special: args.smtp_allow_private,
        },
    };
    let progress = progress::Progress::new(printer.is_json());
    let domain = match (args.domains.as_slice(), &args.from) {
        ([domain], None) => domain,
        (domains, from) => {
            let listed = match from {
                Some(path) => read_domain_list(path)?,
                None => String::new(),
            };
            let domains = first_of_each(
                domains
                    .iter()
                    .map(String::as_str)
                    .chain(parse_domain_list(&listed)),
            );
            if domains.is_empty() {
                return Err(Failure("no domain to check: the list is empty".into()));
            }
            return run_check_many(&domains, &options, args.jobs, printer, &progress);
        }
    };
    let report = mtasts_cli::check::run(domain, &options, &|step| progress.step(step))
        .map_err(|e| Failure(e.to_string()))?;
    printer.check(&report).map_err(io_failure)?;
    Ok(report.passes())
}

/// `check D1 D2 …`: every domain at most `jobs` at once, then the summary table, or a JSON line
/// each as soon as it and those before it are done. The worst status wins: 2 (with one line
/// on stderr) when some domain could not be checked, else 1 when some fails.
fn run_check_many(
    domains: &[String],
    options: &CheckOptions,
    jobs: usize,
    printer: &Printer,
    progress: &progress::Progress,
) -> Outcome {
    let finished = Cell::new(0);
    progress.domains(0, domains.len());
    let mut rows = Vec::new();
    let mut written = Ok(());
    mtasts_cli::check::run_many(
        domains,
        options,
        jobs,
        &|_| {
            finished.set(finished.get() + 1);
            progress.domains(finished.get(), domains.len());
        },
        &mut |input, result| {
            rows.push(CheckSummary::new(input, &result));
            if printer.is_json() {
                written = printer.check_line(input, &result);
                if written.is_err() {
                    return ControlFlow::Break(());
                }
            }
            ControlFlow::Continue(())
        },
    )
    .map_err(|e| Failure(e.to_string()))?;
    progress.clear();
    written.map_err(io_failure)?;
    if !printer.is_json() {
        printer.check_summary(&rows).map_err(io_failure)?;
    }
    let not_run = rows.iter().filter(|r| r.status == Checked::NotRun).count();
    if not_run > 0 {
        return Err(Failure(format!(
            "{not_run} of {} domains could not be checked",
            rows.len()
        )));
    }
    Ok(rows.iter().all(|r| r.status == Checked::Pass))
}

/// The text of a `--from` file (or standard input for `-`): UTF-8, at most 16 MiB.
fn read_domain_list(path: &str) -> Result<String, Failure> {
    const LIMIT: usize = 16 << 20;
    let body = read_input(path, LIMIT + 1)?;
    let name = if path == "-" { "standard input" } else { path };
    if body.len() > LIMIT {
        return Err(Failure(format!("--from {name}: more than 16 MiB")));
    }
    String::from_utf8(body).map_err(|e| Failure(format!("--from {name}: not UTF-8 text: {e}")))
}

fn run_lint(lint: LintCommand, printer: &Printer) -> Outcome {
    match lint {
        LintCommand::Policy { file } => {
            // RFC 8461 §3.3 caps policies at 64 KiB; read a little more so the core can say so.
            let body = read_input(&file, 1 << 20)?;
            report(printer, &file, &mtasts::lint_policy(&body))
        }
        LintCommand::StsRecord { records } => report(
            printer,
            "_mta-sts",
            &mtasts::lint_sts_rrset(&one_string_each(records)),
        ),
        LintCommand::TlsrptRecord { records } => report(
            printer,
            "_smtp._tls",
            &mtasts::lint_tlsrpt_rrset(&one_string_each(records)),
        ),
        LintCommand::Tlsa { rdata } => {
            report(printer, "TLSA", &mtasts::lint_tlsa(&rdata.join(" ")))
        }
        LintCommand::Report {
            file,
            dkim,
            network,
        } => {
            let limit = mtasts::ReportLimits::default().max_input;
            let body = read_input(&file, limit.saturating_add(1))?;
            let mut result = mtasts::lint_report(&body);
            if dkim {
                let options = CheckOptions {
                    doh_url: network.doh,
                    resolve: network.resolve,
                    ca_file: network.ca_file,
                    timeout: network.timeout,
                    ..CheckOptions::default()
                };
                let verdict = mtasts_cli::check::verify_dkim(&body, &options)
                    .map_err(|e| Failure(e.to_string()))?;
                result = mtasts::LintResult::new(
                    result
                        .findings
                        .into_iter()
                        .chain(verdict.findings)
                        .collect(),
                    result.value,
                );
            }
            report(printer, &file, &result)
        }
        LintCommand::Cert { file, host, tlsa } => {
            run_lint_cert(&file, host.as_deref(), &tlsa, printer)
        }
    }
}

/// `lint cert`: reads the chain, parses the TLSA records, judges the chain at the system time.
fn run_lint_cert(file: &str, host: Option<&str>, tlsa: &[String], printer: &Printer) -> Outcome {
    let mut records = Vec::new();
    for rdata in tlsa {
        match mtasts::lint_tlsa(rdata).value {
            Some(record) => records.push(record),
            None => return Err(Failure(format!("--tlsa {rdata:?} is not a TLSA record"))),
        }
    }
    let chain = read_input(file, mtasts::cert::MAX_INPUT_LEN.saturating_add(1))?;
    let check = mtasts::CertCheck {
        host,
        now_unix: unix_now()?,
        tlsa: &records,
        ..mtasts::CertCheck::default()
    };
    let result =
        mtasts::lint_cert_chain(&chain, &check).map_err(|e| Failure(format!("{file}: {e}")))?;
    printer.cert_chain(file, &result).map_err(io_failure)?;
    Ok(result.valid && result.value.is_some())
}

/// The system time in Unix seconds.
fn unix_now() -> Result<i64, Failure> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(|e| Failure(format!("the system clock is before 1970: {e}")))?;
    Ok(i64::try_from(now.as_secs()).unwrap_or(i64::MAX))
}

/// Prints a lint result; "yes" when it is valid and something could be read at all.
fn report<T: Serialize>(printer: &Printer, subject: &str, result: &LintResult<T>) -> Outcome {
    printer.lint(subject, result).map_err(io_failure)?;
    Ok(result.valid && result.value.is_some())
}

fn run_match(pattern: &str, host: &str, printer: &Printer) -> Outcome {
    let matches = mtasts::mx::matches(pattern, host);
    printer
        .matched(pattern, host, matches)
        .map_err(io_failure)?;
    Ok(matches)
}

fn run_generate(args: GenerateArgs, printer: &Printer) -> Outcome {
    let id = match args.id {
        Some(id) => id,
        None => policy_id_from_unix(u64::try_from(unix_now()?).unwrap_or(0)),
    };
    let options = GenerateOptions {
        domain: args.domain,
        mx: args.mx,
        mode: args.mode,
        max_age: args.max_age,
        rua: args.rua,
        id,
    };
    let generated = mtasts::generate(&options).map_err(|e| Failure(e.to_string()))?;
    printer.generated(&generated).map_err(io_failure)?;
    Ok(true)
}

/// Each command-line argument is one TXT record of one character-string.
fn one_string_each(records: Vec<String>) -> Vec<Vec<String>> {
    records.into_iter().map(|r| vec![r]).collect()
}

/// Reads a file, or standard input for `-`, up to `limit` bytes.
fn read_input(path: &str, limit: usize) -> Result<Vec<u8>, Failure> {
    let mut body = Vec::new();
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    let read = if path == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut body)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(limit).read_to_end(&mut body))
    };
    match read {
        Ok(_) => Ok(body),
        Err(e) if path == "-" => Err(Failure(format!("cannot read standard input: {e}"))),
        Err(e) => Err(Failure(format!("cannot read {path}: {e}"))),
    }
}

fn io_failure(e: std::io::Error) -> Failure {
    Failure(format!("cannot write the output: {e}"))
}
