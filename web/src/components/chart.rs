//! Bar charts drawn as SVG by hand (no chart library): horizontal positions in percent, so that
//! the chart fills any width with text at its normal size; each chart has a `<title>`, a
//! description and the same numbers as a table.

use mtasts::tls_rpt::report::DayTotals;
use yew::prelude::*;

/// `1234567` as `1,234,567`.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// Height of a value on a scale where `max` is `height` pixels; a value above zero gets at least
/// two pixels, so that it shows.
fn scaled(value: u64, max: u64, height: f64) -> f64 {
    if value == 0 || max == 0 {
        return 0.0;
    }
    (value as f64 / max as f64 * height).max(2.0)
}

/// The daily chart's height in pixels, and the room above and below its bars.
const DAILY_HEIGHT: f64 = 200.0;
const DAILY_TOP: f64 = 18.0;
const DAILY_BOTTOM: f64 = 22.0;

/// Sessions per day: a stacked bar a day (successful below, failed above).
pub fn daily_chart(days: &[DayTotals]) -> Html {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return empty_chart(
            "chart-daily",
            "Sessions per day",
            "No report carries a date to chart.",
        );
    };
    let plot = DAILY_HEIGHT - DAILY_TOP - DAILY_BOTTOM;
    let base = DAILY_HEIGHT - DAILY_BOTTOM;
    let max = days
        .iter()
        .map(|d| d.successful.saturating_add(d.failed))
        .max()
        .unwrap_or(0);
    let width = 100.0 / days.len() as f64;
    let gap = (width * 0.15).min(1.0);
    let description = format!(
        "{} days from {} to {}: successful sessions in one colour, failed sessions stacked above \
         them in another. The most in a day: {}.",
        days.len(),
        first.day,
        last.day,
        grouped(max)
    );
    let bars = days.iter().enumerate().map(|(i, day)| {
        let x = format!("{:.3}%", i as f64 * width + gap / 2.0);
        let w = format!("{:.3}%", width - gap);
        let ok = scaled(day.successful, max, plot);
        let failed = scaled(day.failed, max, plot);
        let tip = format!(
            "{}: {} successful, {} failed",
            day.day,
            grouped(day.successful),
            grouped(day.failed)
        );
        html! {
            <g>
                <title>{ tip }</title>
                <rect class="bar-ok" x={x.clone()} width={w.clone()} y={(base - ok).to_string()} height={ok.to_string()} />
                <rect class="bar-failed" x={x} width={w} y={(base - ok - failed).to_string()} height={failed.to_string()} />
            </g>
        }
    });
    html! {
        <figure class="chart">
            <svg data-testid="chart-daily" role="img" aria-labelledby="chart-daily-title chart-daily-desc"
                width="100%" height={DAILY_HEIGHT.to_string()} class="chart-svg">
                <title id="chart-daily-title">{ "Sessions per day" }</title>
                <desc id="chart-daily-desc">{ description }</desc>
                <line class="grid" x1="0" x2="100%" y1={DAILY_TOP.to_string()} y2={DAILY_TOP.to_string()} />
                <line class="axis" x1="0" x2="100%" y1={base.to_string()} y2={base.to_string()} />
                <text class="label" x="100%" y={(DAILY_TOP - 5.0).to_string()} text-anchor="end">{ grouped(max) }</text>
                { for bars }
                <text class="label" x="0" y={(DAILY_HEIGHT - 5.0).to_string()}>{ &first.day }</text>
                if days.len() > 1 {
                    <text class="label" x="100%" y={(DAILY_HEIGHT - 5.0).to_string()} text-anchor="end">{ &last.day }</text>
                }
            </svg>
            <figcaption>
                <span class="key ok">{ "successful" }</span>
                <span class="key failed">{ "failed" }</span>
            </figcaption>
            <details class="chart-table">
                <summary>{ "Sessions per day as a table" }</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{ "Day (UTC)" }</th><th scope="col">{ "Reports" }</th>
                        <th scope="col">{ "Successful" }</th><th scope="col">{ "Failed" }</th>
                    </tr></thead>
                    <tbody>
                        { for days.iter().map(|d| html! {
                            <tr>
                                <th scope="row">{ &d.day }</th><td>{ grouped(d.reports) }</td>
                                <td>{ grouped(d.successful) }</td><td>{ grouped(d.failed) }</td>
                            </tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </figure>
    }
}

/// A chart with nothing to draw: its title, and why it is empty.
fn empty_chart(id: &str, title: &str, why: &str) -> Html {
    let title_id = format!("{id}-title");
    html! {
        <figure class="chart">
            <svg data-testid={id.to_string()} role="img" aria-labelledby={title_id.clone()}
                width="100%" height="28" class="chart-svg">
                <title id={title_id}>{ format!("{title}: {why}") }</title>
                <text class="label" x="0" y="18">{ why }</text>
            </svg>
        </figure>
    }
}

/// Height of one row of a horizontal bar chart: its label, then its bar.
const ROW_HEIGHT: f64 = 40.0;

/// Properties of [`BarChart`].
#[derive(Debug, Clone, PartialEq, Properties)]
pub struct BarChartProps {
    /// `data-testid` of the `<svg>`, also the base of its ids.
    pub id: AttrValue,
    /// The chart's title.
    pub title: AttrValue,
    /// The heading of the label column of the table.
    pub label_heading: AttrValue,
    /// Label and value of each bar, in order.
    pub rows: Vec<(String, u64)>,
}

/// Horizontal bars, one a row, longest scale at the largest value.
#[function_component]
pub fn BarChart(props: &BarChartProps) -> Html {
    if props.rows.is_empty() {
        return empty_chart(&props.id, &props.title, "No failed sessions.");
    }
    let max = props.rows.iter().map(|(_, v)| *v).max().unwrap_or(0);
    let height = ROW_HEIGHT * props.rows.len() as f64;
    let title_id = format!("{}-title", props.id);
    let rows = props.rows.iter().enumerate().map(|(i, (label, value))| {
        let top = i as f64 * ROW_HEIGHT;
        let share = if max == 0 {
            0.0
        } else {
            (*value as f64 / max as f64 * 100.0).max(0.5)
        };
        html! {
            <g>
                <text class="label" x="0" y={(top + 14.0).to_string()}>{ format!("{label}: {}", grouped(*value)) }</text>
                <rect class="bar-failed" x="0" y={(top + 20.0).to_string()} height="14" width={format!("{share:.3}%")} />
            </g>
        }
    });
    html! {
        <figure class="chart">
            <svg data-testid={props.id.clone()} role="img" aria-labelledby={title_id.clone()}
                width="100%" height={height.to_string()} class="chart-svg">
                <title id={title_id}>{ props.title.clone() }</title>
                { for rows }
            </svg>
            <details class="chart-table">
                <summary>{ format!("{} as a table", props.title) }</summary>
                <table>
                    <thead><tr>
                        <th scope="col">{ props.label_heading.clone() }</th><th scope="col">{ "Failed sessions" }</th>
                    </tr></thead>
                    <tbody>
                        { for props.rows.iter().map(|(label, value)| html! {
                            <tr><th scope="row">{ label }</th><td>{ grouped(*value) }</td></tr>
                        }) }
                    </tbody>
                </table>
            </details>
        </figure>
    }
}
