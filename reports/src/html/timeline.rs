//! The cluster's side of the story: each node's role and term over time with
//! its crashes, the fault windows, and the message flow between nodes as a
//! space-time diagram.

use super::Scale;
use crate::number::millis;
use serde::Serialize;
use simulator::raft::Timeline;

/// Height of a node's lane in the roles chart, and of its bar.
const ROLE_LANE: f64 = 22.0;
const ROLE_BAR: f64 = 16.0;
/// Height of a fault window's row above the nodes.
const FAULT_ROW: f64 = 16.0;
/// Height of a node's lane in the message diagram.
const MESSAGE_LANE: f64 = 44.0;

#[derive(Serialize)]
pub struct LaneLabel {
    pub y: f64,
    pub text: String,
}

/// A rectangle on the time axis, with a label written on it when it fits.
#[derive(Serialize)]
pub struct Bar {
    pub x: f64,
    pub w: f64,
    pub y: f64,
    pub h: f64,
    pub class: String,
    pub text: String,
    pub title: String,
}

/// A vertical mark: a crash or a restart.
#[derive(Serialize)]
pub struct Mark {
    pub x: f64,
    pub y: f64,
    pub h: f64,
    pub class: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct Cluster {
    pub height: f64,
    pub lanes: Vec<LaneLabel>,
    pub spans: Vec<Bar>,
    pub faults: Vec<Bar>,
    /// Shading over the lanes of the nodes a fault singles out.
    pub shades: Vec<Bar>,
    pub marks: Vec<Mark>,
    pub roles: Vec<&'static str>,
}

fn ms(us: u64) -> String {
    format!("{} ms", millis(us))
}

/// Fault windows are stacked in rows so that overlapping ones do not hide
/// each other; returns the row of each window and the number of rows.
fn fault_rows_of(t: &Timeline) -> (Vec<usize>, usize) {
    let mut row_ends: Vec<u64> = Vec::new();
    let mut rows = Vec::with_capacity(t.faults.len());
    let mut order: Vec<usize> = (0..t.faults.len()).collect();
    order.sort_by_key(|&i| (t.faults[i].from_us, i));
    rows.resize(t.faults.len(), 0);
    for i in order {
        let f = &t.faults[i];
        let row = match row_ends.iter().position(|&end| end <= f.from_us) {
            Some(row) => row,
            None => {
                row_ends.push(0);
                row_ends.len() - 1
            }
        };
        row_ends[row] = f.to_us;
        rows[i] = row;
    }
    (rows, row_ends.len().max(1))
}

pub fn cluster(t: &Timeline, scale: Scale) -> Cluster {
    let (rows, row_count) = fault_rows_of(t);
    let top = row_count as f64 * FAULT_ROW + 6.0;
    let lane_y = |node: usize| top + node as f64 * ROLE_LANE;
    let mut spans = Vec::with_capacity(t.states.len());
    let mut marks = Vec::new();
    for s in &t.states {
        let x = scale.x(s.from_us);
        // The states the run ended in reach the edge of the chart.
        let to = if s.to_us >= t.end_us {
            scale.t1
        } else {
            s.to_us
        };
        let w = (scale.x(to) - x).max(0.0);
        let name = s.state.name();
        let text = match s.state.term() {
            Some(term) if name == "leader" => format!("leader t{term}"),
            Some(term) => format!("t{term}"),
            None => "down".to_string(),
        };
        let title = format!(
            "node {}: {name}{} from {} to {}",
            s.node,
            s.state
                .term()
                .map_or(String::new(), |t| format!(" of term {t}")),
            ms(s.from_us),
            ms(s.to_us)
        );
        spans.push(Bar {
            x,
            w,
            y: lane_y(s.node) + (ROLE_LANE - ROLE_BAR) / 2.0,
            h: ROLE_BAR,
            class: format!("role r-{name}"),
            text,
            title: title.clone(),
        });
        if name == "down" {
            for (at, what) in [(s.from_us, "crash"), (s.to_us, "restart")] {
                if what == "restart" && at >= t.end_us {
                    continue;
                }
                marks.push(Mark {
                    x: scale.x(at),
                    y: lane_y(s.node),
                    h: ROLE_LANE,
                    class: format!("mark {what}"),
                    title: format!("node {} {what} at {}", s.node, ms(at)),
                });
            }
        }
    }
    let mut faults = Vec::with_capacity(t.faults.len());
    let mut shades = Vec::new();
    for (f, &row) in t.faults.iter().zip(&rows) {
        let x = scale.x(f.from_us);
        let w = (scale.x(f.to_us) - x).max(0.5);
        let nodes: Vec<String> = f.nodes.iter().map(|n| format!("n{n}")).collect();
        let title = format!(
            "{} from {} to {}{}",
            f.label,
            ms(f.from_us),
            ms(f.to_us),
            if nodes.is_empty() {
                String::new()
            } else {
                format!(", singles out {}", nodes.join(" "))
            }
        );
        faults.push(Bar {
            x,
            w,
            y: row as f64 * FAULT_ROW + 2.0,
            h: FAULT_ROW - 3.0,
            class: "fault".to_string(),
            text: f.label.clone(),
            title: title.clone(),
        });
        for &node in &f.nodes {
            shades.push(Bar {
                x,
                w,
                y: lane_y(node),
                h: ROLE_LANE,
                class: "shade".to_string(),
                text: String::new(),
                title: title.clone(),
            });
        }
    }
    let lanes = (0..t.nodes)
        .map(|n| LaneLabel {
            y: lane_y(n) + ROLE_LANE / 2.0,
            text: format!("node {n}"),
        })
        .collect();
    Cluster {
        height: top + t.nodes as f64 * ROLE_LANE + 4.0,
        lanes,
        spans,
        faults,
        shades,
        marks,
        roles: vec!["follower", "pre-candidate", "candidate", "leader", "down"],
    }
}

/// One message as a line from (send time, sender) to (arrival, receiver).
#[derive(Serialize)]
pub struct Line {
    pub x1: f64,
    pub y1: f64,
    pub x2: f64,
    pub y2: f64,
    pub class: String,
    pub title: String,
}

#[derive(Serialize)]
pub struct Messages {
    pub height: f64,
    pub lanes: Vec<LaneLabel>,
    pub lines: Vec<Line>,
    /// The kinds present, for the filter.
    pub kinds: Vec<&'static str>,
    pub not_kept: u64,
    pub lost: usize,
}

pub fn messages(t: &Timeline, scale: Scale) -> Messages {
    let lane_y = |node: usize| node as f64 * MESSAGE_LANE + MESSAGE_LANE / 2.0;
    let mut kinds: Vec<&'static str> = Vec::new();
    let mut lost = 0;
    let lines = t
        .flights
        .iter()
        .map(|f| {
            if !kinds.contains(&f.kind) {
                kinds.push(f.kind);
            }
            let mut class = format!("msg m-{}", f.kind);
            if !f.delivered {
                class.push_str(" lost");
                lost += 1;
            }
            Line {
                x1: scale.x(f.sent_us),
                y1: lane_y(f.from),
                x2: scale.x(f.at_us),
                y2: lane_y(f.to),
                class,
                title: format!(
                    "{} n{} → n{}: {}; sent {}, {} {}",
                    f.kind,
                    f.from,
                    f.to,
                    f.detail,
                    ms(f.sent_us),
                    if f.delivered {
                        "arrived"
                    } else {
                        "lost: receiver down at"
                    },
                    ms(f.at_us)
                ),
            }
        })
        .collect();
    kinds.sort_unstable();
    let lanes = (0..t.nodes)
        .map(|n| LaneLabel {
            y: lane_y(n),
            text: format!("node {n}"),
        })
        .collect();
    Messages {
        height: t.nodes as f64 * MESSAGE_LANE,
        lanes,
        lines,
        kinds,
        not_kept: t.flights_not_kept,
        lost,
    }
}

/// A fault window as a row of the table under the timelines.
#[derive(Serialize)]
pub struct FaultRow {
    pub from: String,
    pub to: String,
    pub label: String,
    pub nodes: String,
}

pub fn fault_rows(t: &Timeline) -> Vec<FaultRow> {
    let mut faults: Vec<_> = t.faults.iter().collect();
    faults.sort_by_key(|f| f.from_us);
    faults
        .into_iter()
        .map(|f| FaultRow {
            from: ms(f.from_us),
            to: ms(f.to_us),
            label: f.label.clone(),
            nodes: f
                .nodes
                .iter()
                .map(|n| format!("n{n}"))
                .collect::<Vec<_>>()
                .join(" "),
        })
        .collect()
}
