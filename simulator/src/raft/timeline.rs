//! The story of one seed for the HTML report: each node's role and term
//! over time (crashes included), every message that flew, and every fault
//! window. A [`Recording`] watches the run beside [`RaftSafety`], which it
//! wraps and whose verdicts it passes on unchanged; [`run_seed_recorded`]
//! runs a seed with it.
//!
//! Recording reads what the engine shows and writes only here: the trace
//! hash, the random streams and the outcome are those of [`super::run_seed`]
//! (a test holds it to that). It costs memory in proportion to the run, so
//! only `replay --html` asks for it; [`MAX_FLIGHTS`] bounds it.

use super::node::{Message, RaftNode};
use super::RaftSafety;
use crate::node::NodeId;
use crate::observe::{Failure, Observer, StepKind, View};
use crate::outcome::RunOutcome;
use crate::record::{FaultChange, Flight};
use checker::Operation;
use raft_core::{MessageBody, Role};
use scenarios::Scenario;

/// Most messages one recording keeps; later ones are only counted.
pub const MAX_FLIGHTS: usize = 200_000;

/// What a node was during a span of time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeState {
    Down,
    Up { role: Role, term: u64 },
}

impl NodeState {
    /// `follower`, `pre-candidate`, `candidate`, `leader` or `down`.
    pub fn name(self) -> &'static str {
        match self {
            NodeState::Down => "down",
            NodeState::Up { role, .. } => match role {
                Role::Follower => "follower",
                Role::PreCandidate => "pre-candidate",
                Role::Candidate => "candidate",
                Role::Leader => "leader",
            },
        }
    }

    /// The term, or `None` while down.
    pub fn term(self) -> Option<u64> {
        match self {
            NodeState::Down => None,
            NodeState::Up { term, .. } => Some(term),
        }
    }
}

/// A node in one state from `from_us` to `to_us` (virtual µs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StateSpan {
    pub node: NodeId,
    pub from_us: u64,
    pub to_us: u64,
    pub state: NodeState,
}

/// One message between nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageFlight {
    pub from: NodeId,
    pub to: NodeId,
    pub sent_us: u64,
    pub at_us: u64,
    /// `Vote`, `PreVote`, `VoteResponse`, `PreVoteResponse`, `Append`,
    /// `AppendResponse`, `Heartbeat` or `HeartbeatResponse`.
    pub kind: &'static str,
    /// The sender's term and the message's fields, for a person.
    pub detail: String,
    /// False when the receiver was down and the message was lost.
    pub delivered: bool,
}

/// A fault from its start to its end (the end of the run if it never ended).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultWindow {
    pub from_us: u64,
    pub to_us: u64,
    /// The fault's `Debug` text, e.g. `IsolateOne { node: 3 }`.
    pub label: String,
    /// The nodes it singles out, in id order (empty: none in particular).
    pub nodes: Vec<NodeId>,
    /// The fault itself.
    pub fault: crate::Fault,
    /// An `isolate-leader` fault that took the leader a script's `leader`
    /// target would name (see [`crate::record::FaultChange::at_top_leader`]).
    pub at_top_leader: bool,
}

/// What a recording holds once the run is over.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Timeline {
    pub nodes: usize,
    /// When the healing phase began (virtual µs).
    pub healing_us: u64,
    /// When the run ended (virtual µs).
    pub end_us: u64,
    /// Closed spans, in the order they closed.
    pub states: Vec<StateSpan>,
    pub flights: Vec<MessageFlight>,
    /// Messages beyond [`MAX_FLIGHTS`], counted only.
    pub flights_not_kept: u64,
    pub faults: Vec<FaultWindow>,
    /// What the scenario's script did, in order, with resolved node ids.
    pub script: Vec<crate::explicit::TimedAction>,
    /// Per node: the state it is in and since when.
    open: Vec<(u64, NodeState)>,
    /// Faults begun and not yet ended.
    open_faults: Vec<FaultWindow>,
}

impl Timeline {
    /// An empty recording of `nodes` nodes, all followers of term 0 at time 0.
    pub fn new(nodes: usize, healing_us: u64) -> Timeline {
        let start = NodeState::Up {
            role: Role::Follower,
            term: 0,
        };
        Timeline {
            nodes,
            healing_us,
            open: vec![(0, start); nodes],
            ..Timeline::default()
        }
    }

    /// A recording observer that checks with `safety` and records here.
    pub fn watching<'a>(&'a mut self, safety: &'a mut RaftSafety) -> Recording<'a> {
        Recording {
            safety,
            timeline: self,
        }
    }

    /// Ends every open span and fault at `end_us`, the end of the run.
    pub fn close(&mut self, end_us: u64) {
        self.end_us = end_us;
        for (node, &(from_us, state)) in self.open.iter().enumerate() {
            self.states.push(StateSpan {
                node,
                from_us,
                to_us: end_us.max(from_us),
                state,
            });
        }
        self.open.clear();
        for mut fault in self.open_faults.drain(..) {
            fault.to_us = end_us.max(fault.from_us);
            self.faults.push(fault);
        }
    }

    /// The nemesis's faults in the order they began, each with its end
    /// unless the healing phase or the end of the run undid it (for
    /// [`crate::explicit::fault_steps`]).
    pub fn timed_faults(&self) -> Vec<crate::explicit::TimedAction> {
        let cut_us = self.healing_us.min(self.end_us);
        let mut faults: Vec<crate::explicit::TimedAction> = self
            .faults
            .iter()
            .map(|w| {
                let to_us = (w.to_us < cut_us).then_some(w.to_us);
                crate::explicit::TimedAction::of_fault(w.from_us, to_us, w.fault, w.at_top_leader)
            })
            .collect();
        faults.sort_by_key(|f| f.from_us);
        faults
    }

    fn node_is(&mut self, node: NodeId, now_us: u64, state: NodeState) {
        let Some(open) = self.open.get_mut(node) else {
            return;
        };
        if open.1 == state {
            return;
        }
        let (from_us, before) = *open;
        *open = (now_us, state);
        if now_us > from_us {
            self.states.push(StateSpan {
                node,
                from_us,
                to_us: now_us,
                state: before,
            });
        }
    }

    fn flight(&mut self, flight: &Flight<'_, Message>) {
        if self.flights.len() >= MAX_FLIGHTS {
            self.flights_not_kept += 1;
            return;
        }
        let (kind, detail) = describe(flight.msg);
        self.flights.push(MessageFlight {
            from: flight.from,
            to: flight.to,
            sent_us: flight.sent_us,
            at_us: flight.at_us,
            kind,
            detail,
            delivered: flight.delivered,
        });
    }

    fn fault(&mut self, change: &FaultChange) {
        let label = format!("{:?}", change.fault);
        if change.began {
            let nodes = (0..self.nodes.min(64))
                .filter(|&n| change.nodes & (1u64 << n) != 0)
                .collect();
            self.open_faults.push(FaultWindow {
                from_us: change.at_us,
                to_us: change.at_us,
                label,
                nodes,
                fault: change.fault,
                at_top_leader: change.at_top_leader,
            });
        } else if let Some(i) = self.open_faults.iter().position(|f| f.label == label) {
            let mut fault = self.open_faults.remove(i);
            fault.to_us = change.at_us.max(fault.from_us);
            self.faults.push(fault);
        }
    }
}

/// The message's kind and a one-line description of its fields.
fn describe(msg: &Message) -> (&'static str, String) {
    let term = msg.term;
    match &msg.body {
        MessageBody::Vote {
            pre,
            last_index,
            last_term,
        } => (
            if *pre { "PreVote" } else { "Vote" },
            format!("term {term}, last entry {last_index} of term {last_term}"),
        ),
        MessageBody::VoteResponse { pre, granted } => (
            if *pre {
                "PreVoteResponse"
            } else {
                "VoteResponse"
            },
            format!(
                "term {term}, {}",
                if *granted { "granted" } else { "rejected" }
            ),
        ),
        MessageBody::Append {
            prev_index,
            prev_term,
            entries,
            commit,
        } => (
            "Append",
            format!(
                "term {term}, after {prev_index} of term {prev_term}, {} entries, commit {commit}",
                entries.len()
            ),
        ),
        MessageBody::AppendResponse { index, reject } => (
            "AppendResponse",
            match reject {
                None => format!("term {term}, matches up to {index}"),
                Some(_) => format!("term {term}, rejects {index}"),
            },
        ),
        MessageBody::Heartbeat { commit, read_round } => (
            "Heartbeat",
            format!("term {term}, commit {commit}, read round {read_round}"),
        ),
        MessageBody::HeartbeatResponse { read_round } => (
            "HeartbeatResponse",
            format!("term {term}, read round {read_round}"),
        ),
        MessageBody::TimeoutNow => ("TimeoutNow", format!("term {term}: campaign now")),
        MessageBody::Snapshot {
            index,
            term: last_term,
            offset,
            data,
            done,
            ..
        } => (
            "InstallSnapshot",
            format!(
                "term {term}, snapshot up to {index} of term {last_term}, bytes {offset}..{}{}",
                offset + data.len() as u64,
                if *done { ", last chunk" } else { "" }
            ),
        ),
        MessageBody::SnapshotResponse { index, received } => (
            "SnapshotResponse",
            format!("term {term}, holds {received} bytes of snapshot {index}"),
        ),
    }
}

/// [`RaftSafety`] with a [`Timeline`] beside it: every verdict is the
/// safety checks'; the timeline only watches.
pub struct Recording<'a> {
    safety: &'a mut RaftSafety,
    timeline: &'a mut Timeline,
}

impl Observer<RaftNode> for Recording<'_> {
    fn after_step(&mut self, view: &View<'_, RaftNode>) -> Result<(), Failure> {
        let state = match view.nodes.get(view.node).and_then(Option::as_ref) {
            None => NodeState::Down,
            Some(node) => NodeState::Up {
                role: node.raw().role(),
                term: node.raw().term(),
            },
        };
        debug_assert!(
            view.step != StepKind::Crash || state == NodeState::Down,
            "a crashed node is down"
        );
        self.timeline.node_is(view.node, view.now_us, state);
        self.safety.after_step(view)
    }

    fn finish(&mut self, view: &View<'_, RaftNode>) -> Result<(), Failure> {
        self.safety.finish(view)
    }

    fn on_flight(&mut self, flight: &Flight<'_, Message>) {
        self.timeline.flight(flight);
    }

    fn on_fault(&mut self, change: &FaultChange) {
        self.timeline.fault(change);
    }

    fn on_script_action(&mut self, at_us: u64, step: &scenarios::StepSpec) {
        self.timeline.script.push(crate::explicit::TimedAction {
            from_us: at_us,
            to_us: None,
            start: step.clone(),
            end: None,
        });
    }
}

/// One seed with everything the HTML report draws.
pub struct Recorded {
    pub outcome: RunOutcome,
    pub history: Vec<Operation>,
    pub timeline: Timeline,
}

/// [`super::run_seed_with_history`] with a recording: the same outcome,
/// trace hash and history, and the seed's [`Timeline`].
pub fn run_seed_recorded(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> Recorded {
    let healing_us = scenario.phases.faulty_ms.saturating_mul(1_000);
    let mut timeline = Timeline::new(scenario.cluster.nodes, healing_us);
    let (mut outcome, history) = super::run_and_record(scenario, seed, trace, Some(&mut timeline));
    super::check_linearizable(&mut outcome, history.clone(), scenario);
    timeline.close(outcome.virtual_us);
    Recorded {
        outcome,
        history,
        timeline,
    }
}
