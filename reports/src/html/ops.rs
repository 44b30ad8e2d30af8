//! The client operations as bars on a timeline, one lane per process,
//! coloured by outcome and labelled with their values; and the
//! linearizability counterexamples, highlighted on those bars.

use super::Scale;
use checker::{CheckResult, Operation, Outcome};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Height of one process's lane, and of a bar in it.
const LANE: f64 = 15.0;
const BAR: f64 = 11.0;
/// An operation that never completed is drawn over this fraction of the run.
const OPEN_FRACTION: u64 = 40;

/// One lane's label at the left.
#[derive(Serialize)]
pub struct LaneLabel {
    pub y: f64,
    pub text: String,
}

/// One operation: its bar, its label and its tooltip.
#[derive(Serialize)]
pub struct OpBar {
    pub x: f64,
    pub w: f64,
    pub y: f64,
    pub h: f64,
    /// CSS classes: the outcome, `open` if it never completed, and the part
    /// it plays in a counterexample.
    pub class: String,
    /// Written on the bar when it is wide enough.
    pub text: String,
    pub title: String,
}

/// A label pinned after an operation that must stay findable at any zoom:
/// the one a counterexample could not place.
#[derive(Serialize)]
pub struct Pin {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

#[derive(Serialize)]
pub struct Clients {
    pub height: f64,
    pub lanes: Vec<LaneLabel>,
    pub bars: Vec<OpBar>,
    pub pins: Vec<Pin>,
    pub count: usize,
}

/// The latest time in the history (an invocation or a completion).
pub fn last_time(history: &[Operation]) -> u64 {
    history
        .iter()
        .map(|op| op.complete_time.unwrap_or(op.invoke_time))
        .max()
        .unwrap_or(0)
}

/// The value an operation is labelled with: `read → 3`, `write 4`,
/// `cas [1 2]` (for keyed values `[k v]`, the key first: `k3 read → 2`).
fn label(op: &Operation) -> String {
    let (key, input) = split_key(&op.input);
    let mut text = match key {
        Some(k) => format!("k{k} {}", op.f),
        None => op.f.clone(),
    };
    if input != checker::Value::Nil {
        text.push_str(&format!(" {input}"));
    }
    if op.outcome == Outcome::Ok && op.output != checker::Value::Nil && op.output != op.input {
        let (_, output) = split_key(&op.output);
        text.push_str(&format!(" → {output}"));
    }
    text
}

/// `[k v]` as `(Some(k), v)`, anything else as `(None, value)`.
fn split_key(value: &checker::Value) -> (Option<String>, checker::Value) {
    match value.as_pair() {
        Some((checker::Value::Int(k), v)) => (Some(k.to_string()), v.clone()),
        _ => (None, value.clone()),
    }
}

/// The role each operation plays in the counterexamples, by history index.
fn roles(check: Option<&CheckResult>) -> BTreeMap<usize, &'static str> {
    let mut roles = BTreeMap::new();
    for cx in check.into_iter().flat_map(CheckResult::counterexamples) {
        for step in &cx.linearized {
            roles.insert(step.op.index, "cx-linearized");
        }
        for op in &cx.candidates {
            roles.insert(op.index, "cx-candidate");
        }
        roles.insert(cx.unplaced.index, "cx-unplaced");
    }
    roles
}

pub fn clients(history: &[Operation], check: Option<&CheckResult>, scale: Scale) -> Clients {
    let processes: BTreeSet<u64> = history.iter().map(|op| op.process).collect();
    let lane_of: BTreeMap<u64, usize> =
        processes.iter().enumerate().map(|(i, &p)| (p, i)).collect();
    let roles = roles(check);
    let mut bars = Vec::with_capacity(history.len());
    let mut pins = Vec::new();
    for (index, op) in history.iter().enumerate() {
        let lane = lane_of.get(&op.process).copied().unwrap_or(0);
        let x = scale.x(op.invoke_time);
        // An operation that never completed may take effect at any time
        // after its invocation: a short bar that fades out says so without
        // painting its lane to the end of the run.
        let open_us = (scale.t1 - scale.t0) / OPEN_FRACTION;
        let end = op
            .complete_time
            .unwrap_or_else(|| op.invoke_time.saturating_add(open_us).min(scale.t1));
        let w = (scale.x(end) - x).max(0.5);
        let mut class = format!("op o-{}", op.outcome);
        if op.complete_time.is_none() {
            class.push_str(" open");
        }
        if let Some(role) = roles.get(&index) {
            class.push(' ');
            class.push_str(role);
        }
        let y = lane as f64 * LANE + (LANE - BAR) / 2.0;
        if roles.get(&index) == Some(&"cx-unplaced") {
            pins.push(Pin {
                x: x + w,
                y: y + BAR - 2.0,
                text: format!("◀ #{index} {} could not be placed", label(op)),
            });
        }
        let done = op
            .complete_time
            .map_or_else(|| "never".to_string(), |t| t.to_string());
        let title = format!(
            "#{index} process {} {} {} → {} {} [{}, {done}]",
            op.process, op.f, op.input, op.output, op.outcome, op.invoke_time
        );
        bars.push(OpBar {
            x,
            w,
            y,
            h: BAR,
            class,
            text: label(op),
            title,
        });
    }
    let lanes = processes
        .iter()
        .enumerate()
        .map(|(i, p)| LaneLabel {
            y: i as f64 * LANE + LANE / 2.0,
            text: format!("process {p}"),
        })
        .collect();
    Clients {
        height: processes.len().max(1) as f64 * LANE,
        lanes,
        bars,
        pins,
        count: history.len(),
    }
}

/// One key's counterexample as the page shows it: the checker's text, and
/// the stretch of the timeline that holds its operations.
#[derive(Serialize)]
pub struct CounterexampleView {
    pub heading: String,
    pub text: String,
    /// The stretch to zoom to, in plot x (whole-run scale).
    pub x0: f64,
    pub x1: f64,
}

pub fn counterexamples(check: Option<&CheckResult>, scale: Scale) -> Vec<CounterexampleView> {
    let Some(check) = check else {
        return Vec::new();
    };
    check
        .counterexamples()
        .map(|cx| {
            let ops = cx
                .linearized
                .iter()
                .map(|s| &s.op)
                .chain(&cx.candidates)
                .chain(std::iter::once(&cx.unplaced));
            let (mut t0, mut t1) = (u64::MAX, 0);
            for op in ops {
                t0 = t0.min(op.invoke_time);
                t1 = t1.max(op.complete_time.unwrap_or(op.invoke_time));
            }
            // The unplaced operation and the steps just before it matter most;
            // a long linearised prefix may reach far back.
            let focus0 = cx
                .linearized
                .iter()
                .rev()
                .take(3)
                .map(|s| s.op.invoke_time)
                .chain([cx.unplaced.invoke_time])
                .min()
                .unwrap_or(t0);
            let heading = match &cx.key {
                Some(key) => format!("key {key} is not linearizable ({})", cx.model),
                None => format!("the history is not linearizable ({})", cx.model),
            };
            let pad = (t1.saturating_sub(focus0) / 10).max(1);
            CounterexampleView {
                heading,
                text: cx.to_string(),
                x0: scale.x(focus0.saturating_sub(pad)),
                x1: scale.x(t1.saturating_add(pad)),
            }
        })
        .collect()
}
