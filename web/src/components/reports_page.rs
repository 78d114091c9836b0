//! `/reports`: TLS-RPT aggregate reports (RFC 8460 §4) opened or dropped as files, read in the
//! page and never uploaded. The core lints each file (JSON or gzip, told apart by its bytes) and
//! adds them up; the page draws the totals per day and the failures by result type and MX host.

use crate::browser::{read_file, set_title};
use crate::components::chart::{daily_chart, grouped, BarChart};
use crate::components::findings::FindingGroups;
use mtasts::{lint_report, summarize_reports, ReportLimits, ReportSummary, ReportsOverview};
use std::rc::Rc;
use web_sys::{File, FileList, HtmlInputElement};
use yew::platform::spawn_local;
use yew::prelude::*;
use yew::Reducible;

/// One report file read in the reports page, and what the core made of it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFile {
    /// The file's name.
    pub name: String,
    /// Its size in bytes.
    pub size: u64,
    /// The core's lint of it (a summary when it is a report, and its findings), or why the
    /// browser could not read the file.
    pub result: Result<mtasts::LintResult<mtasts::ReportSummary>, String>,
}

/// The reports page's state: the files read so far, and how many are being read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReportsState {
    /// The files read, in the order they were chosen.
    pub files: Rc<Vec<Rc<ReportFile>>>,
    /// Files chosen and not read yet.
    pub reading: usize,
}

/// What happens to the reports page's files.
#[derive(Debug, Clone)]
pub enum ReportsAction {
    /// So many files were chosen and are being read.
    Reading(usize),
    /// A file was read.
    Read(ReportFile),
    /// Forget every file.
    Clear,
}

impl Reducible for ReportsState {
    type Action = ReportsAction;

    fn reduce(self: Rc<Self>, action: ReportsAction) -> Rc<Self> {
        let mut next = (*self).clone();
        match action {
            ReportsAction::Reading(count) => next.reading = next.reading.saturating_add(count),
            ReportsAction::Read(file) => {
                next.reading = next.reading.saturating_sub(1);
                let mut files = (*next.files).clone();
                files.push(Rc::new(file));
                next.files = Rc::new(files);
            }
            ReportsAction::Clear => next = ReportsState::default(),
        }
        Rc::new(next)
    }
}

/// The media types and extensions the file picker offers.
const ACCEPT: &str =
    ".json,.gz,application/json,application/gzip,application/tlsrpt+json,application/tlsrpt+gzip";

/// The files of a `FileList`.
fn files_of(list: Option<FileList>) -> Vec<File> {
    let Some(list) = list else {
        return Vec::new();
    };
    (0..list.length()).filter_map(|i| list.get(i)).collect()
}

/// Reads and lints each file, one after the other.
fn read_all(files: Vec<File>, dispatcher: UseReducerDispatcher<ReportsState>) {
    if files.is_empty() {
        return;
    }
    dispatcher.dispatch(ReportsAction::Reading(files.len()));
    spawn_local(async move {
        // As the CLI and the npm package: one byte past what the core accepts, so that it can
        // say the report is too large.
        let limit = ReportLimits::default().max_input.saturating_add(1);
        for file in files {
            let result = read_file(&file, limit)
                .await
                .map(|bytes| lint_report(&bytes));
            dispatcher.dispatch(ReportsAction::Read(ReportFile {
                name: file.name(),
                size: file.size().max(0.0) as u64,
                result,
            }));
        }
    });
}

/// The reports page.
#[function_component]
pub fn ReportsPage() -> Html {
    let state = use_reducer(ReportsState::default);
    let input = use_node_ref();
    let dragging = use_state(|| false);
    use_effect_with((), |_| set_title("Read TLS-RPT reports"));
    let overview = use_memo(Rc::clone(&state.files), |files| {
        let summaries: Vec<ReportSummary> = files
            .iter()
            .filter_map(|f| f.result.as_ref().ok().and_then(|r| r.value.clone()))
            .collect();
        summarize_reports(&summaries)
    });

    let onchange = {
        let dispatcher = state.dispatcher();
        Callback::from(move |e: Event| {
            let input = e.target_unchecked_into::<HtmlInputElement>();
            read_all(files_of(input.files()), dispatcher.clone());
            // The same file may be chosen again.
            input.set_value("");
        })
    };
    let open_picker = {
        let input = input.clone();
        move || {
            if let Some(input) = input.cast::<HtmlInputElement>() {
                input.click();
            }
        }
    };
    let onclick = {
        let open_picker = open_picker.clone();
        Callback::from(move |_: MouseEvent| open_picker())
    };
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            open_picker();
        }
    });
    let ondragover = {
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(true);
        })
    };
    let ondragleave = {
        let dragging = dragging.clone();
        Callback::from(move |_: DragEvent| dragging.set(false))
    };
    let ondrop = {
        let dispatcher = state.dispatcher();
        let dragging = dragging.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            dragging.set(false);
            let files = e.data_transfer().and_then(|d| d.files());
            read_all(files_of(files), dispatcher.clone());
        })
    };
    let onclear = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_: MouseEvent| dispatcher.dispatch(ReportsAction::Clear))
    };

    html! {
        <>
            <h1>{ "Read TLS-RPT reports" }</h1>
            <p class="lead">
                { "Open the aggregate reports senders mail you (RFC 8460), as " }<code>{ ".json" }</code>
                { " or " }<code>{ ".json.gz" }</code>{ " files: totals per day, failures by result type and \
                   MX host, and what each report gets wrong." }
            </p>
            <p class="privacy"><strong>{ "The files are read in this page and never uploaded." }</strong></p>
            <div class="field">
                <label for="report-files">{ "Report files" }</label>
                <input id="report-files" name="reports" type="file" multiple={true} accept={ACCEPT}
                    ref={input} {onchange} />
            </div>
            <div data-testid="dropzone" class={classes!("dropzone", dragging.then_some("dragging"))}
                role="button" tabindex="0" aria-describedby="dropzone-hint"
                {onclick} {onkeydown} {ondragover} {ondragleave} {ondrop}>
                <p id="dropzone-hint">{ "Drop report files here, or press Enter to choose them." }</p>
            </div>
            <div role="status" aria-live="polite" class="reading">
                if state.reading > 0 {
                    { format!("Reading {} file(s)…", state.reading) }
                }
            </div>
            if !state.files.is_empty() {
                { overview_view(&overview, &state.files) }
                <button type="button" class="secondary" onclick={onclear}>{ "Forget these files" }</button>
            }
        </>
    }
}

fn overview_view(overview: &ReportsOverview, files: &[Rc<ReportFile>]) -> Html {
    let sessions = overview.successful.saturating_add(overview.failed);
    let rate = if sessions == 0 {
        "none".to_string()
    } else {
        format!("{:.2}%", overview.failed as f64 / sessions as f64 * 100.0)
    };
    let unreadable = files
        .iter()
        .filter(|f| f.result.as_ref().map_or(true, |r| r.value.is_none()))
        .count();
    let result_types: Vec<(String, u64)> = overview
        .result_types
        .iter()
        .map(|(name, count)| (name.clone(), *count))
        .collect();
    let mx_hosts: Vec<(String, u64)> = overview
        .mx_hosts
        .iter()
        .map(|m| {
            let host = m.mx.clone().unwrap_or_else(|| "(no MX host named)".into());
            (host, m.failed)
        })
        .collect();
    html! {
        <>
            <section data-testid="report-totals" data-success={overview.successful.to_string()}
                data-failure={overview.failed.to_string()} data-reports={overview.reports.to_string()}
                aria-labelledby="totals-heading" class="totals">
                <h2 id="totals-heading">{ "Totals" }</h2>
                <dl>
                    <div><dt>{ "Reports" }</dt><dd>{ grouped(overview.reports) }</dd></div>
                    <div><dt>{ "Successful sessions" }</dt><dd>{ grouped(overview.successful) }</dd></div>
                    <div><dt>{ "Failed sessions" }</dt><dd>{ grouped(overview.failed) }</dd></div>
                    <div><dt>{ "Failure rate" }</dt><dd>{ rate }</dd></div>
                </dl>
                if unreadable > 0 {
                    <p class="alert">{ format!("{unreadable} file(s) could not be read as a report: see below.") }</p>
                }
                if overview.undated_reports > 0 {
                    <p class="muted">{ format!("{} report(s) without a readable start date are counted in the totals only.", overview.undated_reports) }</p>
                }
            </section>
            <section aria-labelledby="daily-heading">
                <h2 id="daily-heading">{ "Per day" }</h2>
                { daily_chart(&overview.days) }
            </section>
            <section aria-labelledby="failures-heading">
                <h2 id="failures-heading">{ "Failures" }</h2>
                <h3>{ "By result type" }</h3>
                <BarChart id="chart-failures" title="Failed sessions by result type" label_heading="Result type" rows={result_types} />
                <h3>{ "By MX host" }</h3>
                <BarChart id="chart-failures-mx" title="Failed sessions by MX host" label_heading="MX host" rows={mx_hosts} />
            </section>
            <section aria-labelledby="files-heading">
                <h2 id="files-heading">{ "Files" }</h2>
                <ul class="report-files">
                    { for files.iter().map(|f| file_view(f)) }
                </ul>
            </section>
        </>
    }
}

fn file_view(file: &ReportFile) -> Html {
    let (valid, summary, details) = match &file.result {
        Err(why) => (
            false,
            None,
            html! { <p class="alert">{ format!("The browser could not read the file: {why}.") }</p> },
        ),
        Ok(result) => (
            result.valid,
            result.value.as_ref().map(facts),
            html! { <FindingGroups findings={Rc::new(result.findings.clone())} level={4} /> },
        ),
    };
    let validity = if valid { "valid" } else { "not valid" };
    let about = match summary {
        Some(facts) => format!("{} bytes · {validity} · {facts}", grouped(file.size)),
        None => format!("{} bytes · {validity}", grouped(file.size)),
    };
    html! {
        <li data-testid="report-file" data-name={file.name.clone()} data-valid={valid.to_string()}
            class={classes!("report-file", validity.replace(' ', "-"))}>
            <h3>{ &file.name }</h3>
            <p class="muted">{ about }</p>
            { details }
        </li>
    }
}

/// Who sent a report, which one, for when, and its sessions.
fn facts(summary: &ReportSummary) -> String {
    let mut facts = Vec::new();
    if let Some(org) = &summary.organization {
        facts.push(format!("from {org}"));
    }
    if let Some(id) = &summary.report_id {
        facts.push(format!("report {id}"));
    }
    if let Some(range) = &summary.date_range {
        facts.push(format!(
            "{} to {}",
            range.start_datetime.as_deref().unwrap_or("?"),
            range.end_datetime.as_deref().unwrap_or("?")
        ));
    }
    facts.push(format!(
        "{} successful, {} failed sessions",
        grouped(summary.successful),
        grouped(summary.failed)
    ));
    facts.join(" · ")
}
