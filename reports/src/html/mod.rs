//! One seed (or one history) as a self-contained HTML page: no external
//! assets, readable offline. The page comes from `templates/seed.html`
//! through minijinja, which HTML-escapes every value (operation values,
//! messages, fault labels, file names); CSS and JS are inlined from
//! `templates/report.css` and `templates/report.js`; the latency plot is an
//! SVG drawn by plotters.
//!
//! Layout: the timelines (the cluster's roles and faults, the message flow,
//! the client operations) share one time axis. Their shapes are placed here
//! for the whole run, so the page shows it all without script; the script
//! zooms and pans them together and keeps their labels readable.

mod ops;
mod plot;
mod timeline;

use crate::number::{grouped, seconds};
use crate::operations::{counts_line, latency_line};
use checker::{CheckResult, Operation};
use minijinja::{context, Environment};
use serde::Serialize;
use simulator::raft::Timeline;
use simulator::RunOutcome;

const TEMPLATE: &str = include_str!("../../templates/seed.html");
const CSS: &str = include_str!("../../templates/report.css");
const JS: &str = include_str!("../../templates/report.js");

/// Width of the plot area of every timeline, in CSS pixels; labels sit in
/// a gutter to its left.
const PLOT_WIDTH: f64 = 1200.0;
const GUTTER: f64 = 96.0;

/// A `key: value` line of the page's header.
#[derive(Serialize)]
struct Fact {
    key: String,
    value: String,
}

fn fact(key: &str, value: impl Into<String>) -> Fact {
    Fact {
        key: key.to_string(),
        value: value.into(),
    }
}

/// Maps times to x positions in the plot area (for the whole run).
#[derive(Clone, Copy)]
pub(crate) struct Scale {
    pub t0: u64,
    pub t1: u64,
}

impl Scale {
    fn new(t0: u64, t1: u64) -> Scale {
        Scale {
            t0,
            t1: t1.max(t0 + 1),
        }
    }

    /// The x of time `t`, rounded to a tenth of a pixel.
    pub fn x(&self, t: u64) -> f64 {
        let t = t.clamp(self.t0, self.t1);
        let x = (t - self.t0) as f64 / (self.t1 - self.t0) as f64 * PLOT_WIDTH;
        (x * 10.0).round() / 10.0
    }
}

/// One seed replayed: what `raftsim replay --html` shows.
pub struct SeedPage<'a> {
    /// The scenario as the user named it.
    pub scenario: &'a str,
    pub bugs: &'a [String],
    pub outcome: &'a RunOutcome,
    pub history: &'a [Operation],
    /// The check of the history, for the counterexample (when it has one).
    pub check: Option<&'a CheckResult>,
    pub timeline: &'a Timeline,
}

/// The page of one replayed seed.
pub fn render_seed_html(page: &SeedPage<'_>) -> Result<String, minijinja::Error> {
    let o = page.outcome;
    let replay = crate::replay_command(page.scenario, o.seed, page.bugs);
    let mut facts = vec![
        fact("scenario", page.scenario),
        fact("seed", o.seed.to_string()),
    ];
    if !page.bugs.is_empty() {
        facts.push(fact("planted bugs", page.bugs.join(", ")));
    }
    let (passed, headline, message) = match &o.failure {
        None => (true, "pass".to_string(), None),
        Some(f) => {
            facts.push(fact("failed at", format!("{} virtual", seconds(f.at_us))));
            (false, format!("fail: {}", f.kind), Some(f.message.clone()))
        }
    };
    facts.extend([
        fact("trace hash", format!("{:016x}", o.trace_hash)),
        fact("events", grouped(o.events)),
        fact("virtual time", seconds(o.virtual_us)),
        fact(
            "messages",
            format!(
                "{} sent, {} delivered, {} dropped, {} duplicated",
                grouped(o.engine.messages_sent),
                grouped(o.engine.messages_delivered),
                grouped(o.engine.messages_dropped),
                grouped(o.engine.messages_duplicated)
            ),
        ),
        fact(
            "faults",
            format!(
                "{} crashes, {} partitions",
                grouped(o.engine.crashes),
                grouped(o.engine.partitions)
            ),
        ),
        fact(
            "elections",
            format!(
                "{} (highest term {})",
                grouped(o.protocol.leader_elections),
                o.protocol.max_term
            ),
        ),
        fact("operations", counts_line(&o.workload)),
        fact("latency (virtual ms)", latency_line(&o.workload)),
    ]);
    let end_us = page.timeline.end_us.max(ops::last_time(page.history));
    // A run that failed stops at the failing step: a little room after it
    // shows the states the nodes were left in (a leader elected by that
    // very step would otherwise have no width at all).
    let room_us = if o.failure.is_some() { end_us / 100 } else { 0 };
    let scale = Scale::new(0, end_us + room_us);
    let parts = Parts {
        title: format!("raftsim: {} seed {}", page.scenario, o.seed),
        passed,
        headline,
        message,
        facts,
        replay: Some(replay),
        unit: Unit::VirtualUs,
        scale,
        history: page.history,
        check: page.check,
        timeline: Some(page.timeline),
        failed_us: o.failure.as_ref().map(|f| f.at_us),
    };
    render(&parts)
}

/// A history checked alone: what `raftsim check --html` shows.
pub struct HistoryPage<'a> {
    /// The history file as the user named it.
    pub file: &'a str,
    pub history: &'a [Operation],
    pub check: &'a CheckResult,
}

/// The page of a history checked alone (no cluster, no messages: the file
/// holds only the clients' view). Times are in the history's own unit.
pub fn render_history_html(page: &HistoryPage<'_>) -> Result<String, minijinja::Error> {
    let c = page.check;
    let facts = vec![
        fact("history", page.file),
        fact("operations", grouped(page.history.len() as u64)),
        fact("model", c.model.clone()),
        fact("keys", grouped(c.keys.len() as u64)),
    ];
    let first = page
        .history
        .iter()
        .map(|op| op.invoke_time)
        .min()
        .unwrap_or(0);
    let parts = Parts {
        title: format!("raftsim check: {}", page.file),
        passed: c.verdict == checker::Verdict::Linearizable,
        headline: c.verdict.to_string(),
        message: None,
        facts,
        replay: None,
        unit: Unit::History,
        scale: Scale::new(first, ops::last_time(page.history)),
        history: page.history,
        check: Some(c),
        timeline: None,
        failed_us: None,
    };
    render(&parts)
}

/// How times read: virtual microseconds (shown as ms), or the unit of a
/// history file (shown as it is).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    VirtualUs,
    History,
}

struct Parts<'a> {
    title: String,
    passed: bool,
    headline: String,
    message: Option<String>,
    facts: Vec<Fact>,
    replay: Option<String>,
    unit: Unit,
    scale: Scale,
    history: &'a [Operation],
    check: Option<&'a CheckResult>,
    timeline: Option<&'a Timeline>,
    /// When the run failed (a check's failure, not the end of the run).
    failed_us: Option<u64>,
}

fn render(p: &Parts<'_>) -> Result<String, minijinja::Error> {
    let clients = ops::clients(p.history, p.check, p.scale);
    let counterexamples = ops::counterexamples(p.check, p.scale);
    let cluster = p.timeline.map(|t| timeline::cluster(t, p.scale));
    let messages = p.timeline.map(|t| timeline::messages(t, p.scale));
    let faults = p.timeline.map(timeline::fault_rows).unwrap_or_default();
    let healing_x = p
        .timeline
        .filter(|t| t.healing_us < t.end_us)
        .map(|t| p.scale.x(t.healing_us));
    let (unit_label, unit_per_shown) = match p.unit {
        Unit::VirtualUs => ("virtual ms", 1_000.0),
        Unit::History => ("history time", 1.0),
    };
    let latency_svg = plot::latency_raw(p.history, unit_per_shown, unit_label)
        .unwrap_or_else(|e| format!("<p class=\"note\">the latency plot failed: {e}</p>"));
    let mut env = Environment::new();
    env.add_template("seed.html", TEMPLATE)?;
    env.get_template("seed.html")?.render(context! {
        title => &p.title,
        passed => p.passed,
        headline => &p.headline,
        message => &p.message,
        facts => &p.facts,
        replay => &p.replay,
        width => PLOT_WIDTH,
        gutter => GUTTER,
        t0 => p.scale.t0,
        t1 => p.scale.t1,
        unit_label => unit_label,
        unit_per_shown => unit_per_shown,
        cluster => cluster,
        messages => messages,
        clients => clients,
        healing_x => healing_x,
        failed_x => p.failed_us.map(|t| p.scale.x(t)),
        faults => faults,
        counterexamples => counterexamples,
        latency_svg => minijinja::Value::from_safe_string(latency_svg),
        css => minijinja::Value::from_safe_string(CSS.to_string()),
        js => minijinja::Value::from_safe_string(JS.to_string()),
    })
}
