//! Progress of `mtasts check` on standard error: each step as it finishes (one domain), or a bar
//! of the domains done (several), only when standard error is a terminal and the output is not
//! JSON (scripts and pipes see no progress noise).

use mtasts::check::{Step, StepStatus};
use mtasts::text::printable;
use std::io::{self, IsTerminal, Write};

/// Prints finished steps, or nothing.
pub struct Progress {
    enabled: bool,
    color: bool,
}

impl Progress {
    /// Progress for this process: on when standard error is a terminal and `json` is off.
    pub fn new(json: bool) -> Progress {
        let enabled = !json && io::stderr().is_terminal();
        Progress {
            enabled,
            color: enabled && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// One finished step: `  ok       dns  (41 ms)  _mta-sts id 2026…; MX mx1.example.com`.
    pub fn step(&self, step: &Step) {
        if !self.enabled {
            return;
        }
        let (word, colour) = match step.status {
            StepStatus::Ok => ("ok", "1;32"),
            StepStatus::Warning => ("warning", "1;33"),
            StepStatus::Error => ("error", "1;31"),
        };
        let word = format!("{word:<7}");
        let word = if self.color {
            format!("\x1b[{colour}m{word}\x1b[0m")
        } else {
            word
        };
        let took = step.finished_ms.saturating_sub(step.started_ms);
        // Progress is a courtesy: a closed terminal must not stop the check.
        let _ = writeln!(
            io::stderr().lock(),
            "  {word}  {}  ({took} ms)  {}",
            printable(&step.name.to_string()),
            printable(&step.summary)
        );
    }

    /// The bar of several domains, drawn again in place: `  [#########           ] 12/27 domains`.
    pub fn domains(&self, done: usize, total: usize) {
        const WIDTH: usize = 30;
        if !self.enabled {
            return;
        }
        let filled = (done * WIDTH)
            .checked_div(total)
            .unwrap_or(WIDTH)
            .min(WIDTH);
        let _ = write!(
            io::stderr().lock(),
            "\r  [{}{}] {done}/{total} domains",
            "#".repeat(filled),
            " ".repeat(WIDTH - filled)
        );
    }

    /// Erases the bar, before the table is printed.
    pub fn clear(&self) {
        if self.enabled {
            let _ = write!(io::stderr().lock(), "\r\x1b[2K");
        }
    }
}
