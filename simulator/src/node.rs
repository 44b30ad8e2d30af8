//! The interface between the engine and the protocol under test.
//!
//! The engine drives any type that implements [`Node`]: it delivers ticks,
//! messages, proposals and "your sync is durable" notices, and the node answers
//! by filling an [`Effects`] buffer (stateright's `on_msg(.., out)` shape). The
//! engine never looks inside `Node::Msg` or `Node::Record`: it only moves them,
//! hashes them into the trace, and prints them with `Debug` in traces.
//!
//! # Disk contract
//!
//! A node persists state by appending opaque records with [`Effects::write`].
//! Records are volatile until a sync completes: [`Effects::sync`] asks the disk
//! to make every record written so far durable, and after the disk's latency the
//! engine calls [`Node::durable`] with that sync's id. Syncs complete in the
//! order they were asked for. A crash loses every record written after the last
//! completed sync. On restart the engine calls [`Node::boot`] with the durable
//! records, in the order they were written, and the node rebuilds itself from
//! them. Messages that depend on a write (a vote, an append acknowledgement)
//! must be held by the node until `durable` says the write is safe.

use rand_chacha::ChaCha8Rng;
use std::fmt::Debug;
use std::hash::Hash;

/// Nodes are numbered `0..n`; the number is the index into the engine's tables.
pub type NodeId = usize;

/// What a node asks the engine to do in answer to one event.
///
/// The buffer is reused across events to keep the hot path free of allocation;
/// the engine drains it after every call.
#[derive(Debug)]
pub struct Effects<M, R> {
    /// Messages to put on the network now, in order.
    pub sends: Vec<(NodeId, M)>,
    /// Records appended to the disk's volatile buffer, in order.
    pub writes: Vec<R>,
    /// Sync requests, by id; each makes all earlier writes durable.
    pub syncs: Vec<u64>,
}

impl<M, R> Default for Effects<M, R> {
    fn default() -> Self {
        Effects {
            sends: Vec::new(),
            writes: Vec::new(),
            syncs: Vec::new(),
        }
    }
}

impl<M, R> Effects<M, R> {
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.sends.push((to, msg));
    }
    pub fn write(&mut self, record: R) {
        self.writes.push(record);
    }
    pub fn sync(&mut self, sync_id: u64) {
        self.syncs.push(sync_id);
    }
    pub fn is_empty(&self) -> bool {
        self.sends.is_empty() && self.writes.is_empty() && self.syncs.is_empty()
    }
    pub fn clear(&mut self) {
        self.sends.clear();
        self.writes.clear();
        self.syncs.clear();
    }
}

/// The answer to a proposal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Proposal {
    /// The node leads and appended the command to its log (it may still be lost).
    Accepted,
    /// The node does not lead; it names the leader it believes in, if any.
    NotLeader(Option<NodeId>),
}

/// Everything a node needs to (re)start.
pub struct Boot<'a, C> {
    pub id: NodeId,
    /// Cluster size; peers are `0..nodes` without `id`.
    pub nodes: usize,
    pub config: &'a C,
    /// This node's own random stream (a fresh one for every incarnation).
    pub rng: ChaCha8Rng,
}

/// A protocol node the engine can drive. Implementations must be deterministic:
/// all randomness comes from `Boot::rng`, and there is no clock but `tick`.
pub trait Node: Sized {
    /// Messages between nodes.
    type Msg: Clone + Debug + Hash;
    /// Records on the simulated disk.
    type Record: Clone + Debug + Hash;
    /// Static configuration shared by all nodes of a run.
    type Config;

    /// Starts a node from its durable records (empty on first boot).
    fn boot(boot: Boot<'_, Self::Config>, durable: &[Self::Record]) -> Self;

    /// One tick of this node's (drifting) clock.
    fn tick(&mut self, out: &mut Effects<Self::Msg, Self::Record>);

    /// A message from `from` arrives.
    fn receive(&mut self, from: NodeId, msg: Self::Msg, out: &mut Effects<Self::Msg, Self::Record>);

    /// Every record written before sync `sync_id` was asked for is now durable.
    fn durable(&mut self, sync_id: u64, out: &mut Effects<Self::Msg, Self::Record>);

    /// The driver proposes an opaque command.
    fn propose(&mut self, command: u64, out: &mut Effects<Self::Msg, Self::Record>) -> Proposal;

    /// Whether this node currently believes it leads (for faults that target
    /// the leader, and for the driver). A hint, never used for checking.
    fn is_leader(&self) -> bool;
}
