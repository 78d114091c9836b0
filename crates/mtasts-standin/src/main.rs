//! `mtasts-standin`: the local stand-in for the internet, run by hand.
//!
//! Starts the DoH server and the HTTPS policy hosts on 127.0.0.1, writes the test CA to a file,
//! prints where everything is, and runs until Ctrl-C or SIGTERM. Records can be added and
//! removed while it runs through the control endpoint on the DoH port (`CONTROL_HELP`, printed by `--help`).

use std::net::Ipv4Addr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use mtasts_standin::{StandIn, StandInConfig, DEFAULT_ZONES_DIR};

/// How to add and remove records at run time, for `--help`.
const CONTROL_HELP: &str = "\
Records at run time (loopback callers only, no CORS), on the DoH port:
  POST   /control/records  {\"name\": N, \"type\": T, \"value\": V[, \"ttl\": S]}  -> 201 (200: already there)
  DELETE /control/records  {\"name\": N, \"type\": T[, \"value\": V]}             -> 200 {\"removed\": K}
  T is A, AAAA, MX, TXT or CNAME; N lies inside a zone; a TXT value is the text itself.
  curl -H 'content-type: application/json' -d '{\"name\": \"_mtasts-challenge.healthy-1mx.test\",
    \"type\": \"TXT\", \"value\": \"mtasts-verify=abc\"}' http://127.0.0.1:DOHPORT/control/records";

/// A DoH server answering from zone files and HTTPS policy hosts with a test CA, on 127.0.0.1.
#[derive(Debug, Parser)]
#[command(name = "mtasts-standin", version, after_help = CONTROL_HELP)]
struct Args {
    /// The scenario directory of NAME.zone and NAME.http files.
    #[arg(long, value_name = "DIR", default_value = DEFAULT_ZONES_DIR)]
    zones: PathBuf,
    /// The DoH port (default: any free port).
    #[arg(long, value_name = "N")]
    doh_port: Option<u16>,
    /// The HTTPS port (default: any free port; 443 needs the right to bind it).
    #[arg(long, value_name = "N")]
    https_port: Option<u16>,
    /// The port every SMTP server listens on, each on its own loopback address (default: free).
    #[arg(long, value_name = "N")]
    smtp_port: Option<u16>,
    /// Also answer plain DNS on this port, UDP and TCP, from the same zones (default: no plain
    /// DNS; 53 needs the right to bind it), for clients without DoH such as real senders.
    #[arg(long, value_name = "N")]
    dns_port: Option<u16>,
    /// Milliseconds added before every answer, DoH and HTTPS.
    #[arg(long, value_name = "N", default_value_t = 0)]
    delay_ms: u64,
    /// The loopback address to listen on.
    #[arg(long, value_name = "ADDR", default_value_t = Ipv4Addr::LOCALHOST)]
    ip: Ipv4Addr,
    /// Where to write the test CA certificate (PEM) [default: a file in the temp directory].
    #[arg(long, value_name = "PATH")]
    ca_out: Option<PathBuf>,
    /// Where to write an /etc/hosts file naming every policy host at the HTTPS address, for
    /// clients that use the system's resolver (workerd under `make dev` and the web tests).
    #[arg(long, value_name = "PATH")]
    hosts_out: Option<PathBuf>,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("mtasts-standin: starting the runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("mtasts-standin: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let standin = StandIn::start(StandInConfig {
        zones_dir: args.zones.clone(),
        delay_ms: args.delay_ms,
        https_port: args.https_port,
        doh_port: args.doh_port,
        ip: args.ip,
        smtp_port: args.smtp_port,
        dns_port: args.dns_port,
    })
    .await
    .map_err(|e| e.to_string())?;
    let ca_path = args.ca_out.unwrap_or_else(|| {
        std::env::temp_dir().join(format!("mtasts-standin-{}-ca.pem", standin.https_port()))
    });
    std::fs::write(&ca_path, standin.ca_pem())
        .map_err(|e| format!("writing {}: {e}", ca_path.display()))?;
    if let Some(path) = &args.hosts_out {
        std::fs::write(path, standin.hosts_file())
            .map_err(|e| format!("writing {}: {e}", path.display()))?;
    }

    println!(
        "zones:  {} ({})",
        args.zones.display(),
        standin.zones().join(", ")
    );
    println!("DoH:    {}", standin.doh_url());
    if let Some(addr) = standin.dns_addr() {
        println!("DNS:    {addr} (UDP and TCP)");
    }
    println!(
        "control: {} (POST/DELETE a JSON record, see --help)",
        standin.control_url()
    );
    println!(
        "HTTPS:  {} ({})",
        standin.https_addr(),
        standin.policy_hosts().join(", ")
    );
    if !standin.smtp_hosts().is_empty() {
        let hosts: Vec<String> = standin
            .smtp_hosts()
            .iter()
            .map(|h| format!("{} {}", h.host, h.address))
            .collect();
        println!(
            "SMTP:   port {} ({})",
            standin.smtp_port(),
            hosts.join(", ")
        );
    }
    println!("CA:     {}", ca_path.display());
    if let Some(path) = &args.hosts_out {
        println!("hosts:  {}", path.display());
    }
    if let Some(host) = standin.policy_hosts().first() {
        println!(
            "try:    curl --cacert {} --resolve {host}:{port}:{} https://{host}:{port}/.well-known/mta-sts.txt",
            ca_path.display(),
            standin.https_addr().ip(),
            port = standin.https_port(),
        );
    }
    println!("Ctrl-C or SIGTERM stops it.");

    wait_for_signal().await?;
    let served = standin.request_counts();
    standin.stop().await;
    println!(
        "stopped after {} DoH and {} HTTPS requests",
        served.doh, served.https
    );
    Ok(())
}

#[cfg(unix)]
async fn wait_for_signal() -> Result<(), String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut terminate =
        signal(SignalKind::terminate()).map_err(|e| format!("listening for SIGTERM: {e}"))?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.map_err(|e| format!("listening for Ctrl-C: {e}")),
        _ = terminate.recv() => Ok(()),
    }
}

#[cfg(not(unix))]
async fn wait_for_signal() -> Result<(), String> {
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("listening for Ctrl-C: {e}"))
}
