//! Structured records of a run, for reports that draw it (the HTML report):
//! what the engine hands an [`crate::Observer`]'s recording hooks
//! ([`crate::Observer::on_flight`], [`crate::Observer::on_fault`]) beside
//! the [`crate::View`] after every step.
//!
//! The hooks do nothing unless an observer overrides them, and they never
//! touch the trace hash or any random stream: recording a run cannot change
//! it. A fault is described generically (its `Debug` text and the nodes it
//! singles out), so that new kinds of fault show without changes here.

use crate::nemesis::Fault;
use crate::network::InFlight;
use crate::node::NodeId;

/// A message that left the wire: delivered to its receiver, or lost on
/// arrival because the receiver was down. (Messages lost when sent, to a
/// blocked link or random loss, never fly and are not recorded.)
pub struct Flight<'a, M> {
    pub from: NodeId,
    pub to: NodeId,
    /// Virtual time of the send, in microseconds.
    pub sent_us: u64,
    /// Virtual time of the arrival, in microseconds. Invariant: `sent_us <= at_us`.
    pub at_us: u64,
    pub msg: &'a M,
    /// False when the receiver was down and the message was lost.
    pub delivered: bool,
}

impl<'a, M> Flight<'a, M> {
    pub(crate) fn of(wire: &'a InFlight<M>, at_us: u64, delivered: bool) -> Flight<'a, M> {
        debug_assert!(wire.sent_us <= at_us, "a message arrives after it was sent");
        Flight {
            from: wire.from,
            to: wire.to,
            sent_us: wire.sent_us,
            at_us,
            msg: &wire.msg,
            delivered,
        }
    }
}

/// A fault of the nemesis began or ended.
pub struct FaultChange {
    /// Virtual time, in microseconds.
    pub at_us: u64,
    /// True when the fault began, false when it was undone.
    pub began: bool,
    /// The fault (its `Debug` text names it, e.g. `IsolateOne { node: 3 }`),
    /// also for tools that rewrite a run's faults as scripted steps
    /// (`raftsim shrink`).
    pub fault: Fault,
    /// The nodes the fault singles out, as a bit mask (0: it names none).
    pub nodes: u64,
    /// The node the fault singles out is the one a script's `leader` target
    /// names at this instant (the live leader of the highest term): an
    /// `isolate-leader` fault can then be written as `isolate leader?`.
    pub at_top_leader: bool,
}

impl FaultChange {
    pub(crate) fn of(fault: Fault, at_us: u64, began: bool, at_top_leader: bool) -> FaultChange {
        FaultChange {
            at_us,
            began,
            fault,
            nodes: singled_out(&fault),
            at_top_leader,
        }
    }
}

/// The nodes `fault` names. Kinds not listed here single out no node: they
/// still show, as a window with their `Debug` text.
#[allow(unreachable_patterns)] // kinds added later fall to the last arm
fn singled_out(fault: &Fault) -> u64 {
    match *fault {
        Fault::PartitionHalves { minority } => minority,
        Fault::IsolateOne { node }
        | Fault::IsolateLeader { node }
        | Fault::OneWay { node }
        | Fault::Crash { node } => 1u64.checked_shl(node as u32).unwrap_or(0),
        Fault::Reconfigure { change } => change.add_learners | change.promote | change.remove,
        _ => 0,
    }
}
