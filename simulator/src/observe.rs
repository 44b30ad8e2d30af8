//! Hooks through which checks watch a run: after every step the engine hands
//! an [`Observer`] a read-only view of all nodes and disks. Raft's safety
//! properties are one observer; the engine knows nothing of what it checks.

use crate::node::{Node, NodeId};

/// Why a run failed; the names are the `kind` values of `run --json`.
pub use scenarios::FailureKind;

/// A failed run: what broke, where, and when in virtual time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub message: String,
    /// Virtual time of the step that failed, in microseconds.
    pub at_us: u64,
}

/// The step the engine just processed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Tick,
    Receive {
        from: NodeId,
    },
    Durable,
    /// The node handled a client's request.
    Request,
    /// The node crashed: `nodes[node]` is now `None`.
    Crash,
    /// The node restarted from its durable records.
    Restart,
    /// A scripted `transfer` step asked the node (the leader) to hand
    /// leadership over.
    Transfer,
    /// A scripted `reconfigure` step asked the node (the leader) for a
    /// membership change.
    Reconfigure,
}

/// A read-only view of the world after one step.
pub struct View<'a, N: Node> {
    pub now_us: u64,
    /// The node the step happened on.
    pub node: NodeId,
    pub step: StepKind,
    /// Every node; `None` while crashed.
    pub nodes: &'a [Option<N>],
    /// Every node's durable records, in write order.
    pub durable: &'a [Vec<N::Record>],
    /// Whether the healing phase has begun.
    pub healing: bool,
}

/// A check that watches every step of a run.
pub trait Observer<N: Node> {
    /// Called after every step; an error ends the run as failed.
    fn after_step(&mut self, view: &View<'_, N>) -> Result<(), Failure>;

    /// Called once when the run reaches its end time without an earlier failure.
    fn finish(&mut self, view: &View<'_, N>) -> Result<(), Failure>;

    /// A message left the wire (see [`crate::record::Flight`]). For recorders; checks
    /// leave the default, which does nothing and costs nothing.
    #[inline(always)]
    fn on_flight(&mut self, _flight: &crate::record::Flight<'_, N::Msg>) {}

    /// A fault began or ended (see [`crate::record::FaultChange`]). For recorders, as
    /// [`Observer::on_flight`].
    #[inline(always)]
    fn on_fault(&mut self, _change: &crate::record::FaultChange) {}

    /// A scripted step acted at `at_us`, written with the nodes it resolved
    /// to (`step` names node ids, never `leader` or a label), so that a
    /// recorder can replay the script's choices (`raftsim shrink`). For
    /// recorders, as [`Observer::on_flight`].
    #[inline(always)]
    fn on_script_action(&mut self, _at_us: u64, _step: &scenarios::StepSpec) {}
}
