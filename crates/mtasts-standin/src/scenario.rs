//! Loading a scenario directory: every `NAME.zone` is the zone `NAME`, every `NAME.http` the
//! policy host `mta-sts.NAME`, every `NAME.smtp` the SMTP servers of `NAME`. Other files (READMEs, expected results) are left alone.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::answer::{Zones, ZonesError};
use crate::policy_host::{parse_http_file, HttpFileError, PolicyHost};
use crate::smtp_host::{parse_smtp_file, SmtpFileError, SmtpHost};
use crate::zone::{parse_zone, StoredName, Zone, ZoneError};

/// The default scenario directory, relative to the repository root.
pub const DEFAULT_ZONES_DIR: &str = "tests/data/zones";

/// Every zone and policy host of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenarios {
    /// The zones, in file-name order.
    pub zones: Vec<Zone>,
    /// The policy hosts by lower-case host name (`mta-sts.NAME`).
    pub policy_hosts: BTreeMap<String, PolicyHost>,
    /// The SMTP servers of every `.smtp` file, in file-name order.
    pub smtp_hosts: Vec<SmtpHost>,
}

/// Why a scenario directory could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum LoadError {
    /// A file or the directory could not be read.
    Io {
        /// The path.
        path: PathBuf,
        /// What went wrong.
        kind: io::ErrorKind,
        /// The system's message.
        message: String,
    },
    /// A file whose name (before `.zone` or `.http`) is not a domain name.
    BadFileName {
        /// The path.
        path: PathBuf,
    },
    /// A zone file that does not parse.
    Zone {
        /// The path.
        path: PathBuf,
        /// Why.
        error: ZoneError,
    },
    /// A `.http` file that does not parse.
    HttpFile {
        /// The path.
        path: PathBuf,
        /// Why.
        error: HttpFileError,
    },
    /// A `.smtp` file that does not parse.
    SmtpFile {
        /// The path.
        path: PathBuf,
        /// Why.
        error: SmtpFileError,
    },
    /// Two SMTP servers on one address.
    DuplicateSmtpAddress {
        /// The address.
        address: std::net::Ipv4Addr,
    },
    /// Two zone files for one zone (names differ only in case).
    DuplicateZone {
        /// The zone.
        apex: String,
    },
    /// A record of one zone file whose name belongs to another, deeper, zone.
    NameInInnerZone {
        /// The zone file's zone.
        zone: String,
        /// The record's line.
        line: usize,
        /// The record's owner.
        name: String,
        /// The deeper zone it belongs to.
        inner: String,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, message, .. } => write!(f, "{}: {message}", path.display()),
            Self::BadFileName { path } => {
                write!(f, "{}: file name is not a domain name", path.display())
            }
            Self::Zone { path, error } => write!(f, "{}: {error}", path.display()),
            Self::HttpFile { path, error } => write!(f, "{}: {error}", path.display()),
            Self::SmtpFile { path, error } => write!(f, "{}: {error}", path.display()),
            Self::DuplicateSmtpAddress { address } => {
                write!(f, "two SMTP servers on the address {address}")
            }
            Self::DuplicateZone { apex } => write!(f, "two zone files for \"{apex}\""),
            Self::NameInInnerZone {
                zone,
                line,
                name,
                inner,
            } => write!(
                f,
                "{zone}.zone: line {line}: \"{name}\" belongs to the zone \"{inner}\""
            ),
        }
    }
}

impl std::error::Error for LoadError {}

impl Scenarios {
    /// The zones indexed for answering.
    pub(crate) fn index(&self) -> Result<Zones, LoadError> {
        Zones::new(self.zones.clone()).map_err(|error| match error {
            ZonesError::DuplicateZone(apex) => LoadError::DuplicateZone { apex },
            ZonesError::NameInInnerZone {
                zone,
                line,
                name,
                inner,
            } => LoadError::NameInInnerZone {
                zone,
                line,
                name,
                inner,
            },
        })
    }
}

/// The zones' DNS answers, in process: what the DoH server sends, without the transport.
/// Core tests use it as their fake resolver, built from the same zone files.
#[derive(Debug)]
pub struct DnsAnswers(Zones);

impl DnsAnswers {
    /// The wire-format response to the wire-format `query`, or `None` when the server would
    /// send nothing (`$TIMEOUT`) or answer HTTP 400 (not a query).
    pub fn answer(&self, query: &[u8]) -> Option<Vec<u8>> {
        match self.0.answer(query) {
            crate::answer::Reply::Message(bytes) => Some(bytes),
            crate::answer::Reply::Malformed | crate::answer::Reply::NoAnswer => None,
        }
    }

    /// Adds `record`, as [`StandIn::add_record`](crate::StandIn::add_record) does.
    pub fn add_record(
        &mut self,
        record: &crate::RuntimeRecord,
    ) -> Result<crate::RecordSetChange, crate::RecordError> {
        self.0.add(record)
    }

    /// Removes records added before, as
    /// [`StandIn::remove_records`](crate::StandIn::remove_records) does.
    pub fn remove_records(
        &mut self,
        name: &str,
        rtype: crate::RecordType,
        value: Option<&str>,
    ) -> Result<crate::RecordSetChange, crate::RecordError> {
        self.0.remove(name, rtype, value)
    }
}

impl Scenarios {
    /// The zones' DNS answers, for use in process.
    pub fn dns_answers(&self) -> Result<DnsAnswers, LoadError> {
        self.index().map(DnsAnswers)
    }
}

/// Reads every `.zone` and `.http` file of `dir`.
pub fn load_scenarios(dir: &Path) -> Result<Scenarios, LoadError> {
    let io_error = |path: &Path, e: io::Error| LoadError::Io {
        path: path.to_owned(),
        kind: e.kind(),
        message: e.to_string(),
    };
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io_error(dir, e))? {
        paths.push(entry.map_err(|e| io_error(dir, e))?.path());
    }
    paths.sort();
    let mut scenarios = Scenarios {
        zones: Vec::new(),
        policy_hosts: BTreeMap::new(),
        smtp_hosts: Vec::new(),
    };
    for path in paths {
        let (Some(stem), Some(extension)) = (
            path.file_stem().and_then(|s| s.to_str()).map(str::to_owned),
            path.extension().and_then(|s| s.to_str()).map(str::to_owned),
        ) else {
            continue;
        };
        if extension != "zone" && extension != "http" && extension != "smtp" {
            continue;
        }
        let name = StoredName::from_str(&stem)
            .ok()
            .filter(|name| !name.is_root())
            .ok_or_else(|| LoadError::BadFileName { path: path.clone() })?;
        let bytes = std::fs::read(&path).map_err(|e| io_error(&path, e))?;
        if extension == "smtp" {
            let text = String::from_utf8_lossy(&bytes);
            let hosts = parse_smtp_file(&text, &stem)
                .map_err(|error| LoadError::SmtpFile { path, error })?;
            for host in hosts {
                if scenarios
                    .smtp_hosts
                    .iter()
                    .any(|h| h.address == host.address)
                {
                    return Err(LoadError::DuplicateSmtpAddress {
                        address: host.address,
                    });
                }
                scenarios.smtp_hosts.push(host);
            }
        } else if extension == "zone" {
            let text = String::from_utf8(bytes).map_err(|e| LoadError::Io {
                path: path.clone(),
                kind: io::ErrorKind::InvalidData,
                message: format!("not UTF-8 at byte {}", e.utf8_error().valid_up_to()),
            })?;
            let zone = parse_zone(&text, &name).map_err(|error| LoadError::Zone { path, error })?;
            scenarios.zones.push(zone);
        } else {
            let host =
                parse_http_file(&bytes).map_err(|error| LoadError::HttpFile { path, error })?;
            let host_name = format!("mta-sts.{}", stem.to_ascii_lowercase());
            scenarios.policy_hosts.insert(host_name, host);
        }
    }
    Ok(scenarios)
}
