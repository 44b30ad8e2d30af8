//! The interface between the engine and the protocol under test.
//!
//! The engine drives any type that implements [`Node`]: it delivers ticks,
//! messages, client requests and "your sync is durable" notices, and the node
//! answers by filling an [`Effects`] buffer (stateright's `on_msg(.., out)`
//! shape). The engine never looks inside `Node::Msg`, `Node::Record`,
//! `Node::Request` or `Node::Response`: it only moves them, hashes them into
//! the trace, and prints them with `Debug` in traces.
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
//!
//! # Client contract
//!
//! Clients (see [`crate::Workload`]) send requests to nodes; the engine hands
//! each arriving request to [`Node::request`]. A node answers a client with
//! [`Effects::reply`], in that step or in any later one (after a commit, say),
//! as often as it likes: each reply travels back to the client on its own and
//! may be lost. A client may send the same request again (a retry) to the same
//! or another node, so a node that must execute requests exactly once has to
//! recognise retries by the ids the request carries. A crashed node loses the
//! requests it has not answered; its clients find out by timing out.

use rand_chacha::ChaCha8Rng;
use std::fmt::Debug;
use std::hash::Hash;

/// Nodes are numbered `0..n`; the number is the index into the engine's tables.
pub type NodeId = usize;

/// Clients are numbered `0..clients`, independently of nodes.
pub type ClientId = usize;

/// What a node asks the engine to do in answer to one event.
///
/// The buffer is reused across events to keep the hot path free of allocation;
/// the engine drains it after every call.
#[derive(Debug)]
pub struct Effects<M, R, P> {
    /// Messages to put on the network now, in order.
    pub sends: Vec<(NodeId, M)>,
    /// Records appended to the disk's volatile buffer, in order.
    pub writes: Vec<R>,
    /// Sync requests, by id; each makes all earlier writes durable.
    pub syncs: Vec<u64>,
    /// Responses to clients, in order; each travels back on its own.
    pub replies: Vec<(ClientId, P)>,
}

impl<M, R, P> Default for Effects<M, R, P> {
    fn default() -> Self {
        Effects {
            sends: Vec::new(),
            writes: Vec::new(),
            syncs: Vec::new(),
            replies: Vec::new(),
        }
    }
}

impl<M, R, P> Effects<M, R, P> {
    pub fn send(&mut self, to: NodeId, msg: M) {
        self.sends.push((to, msg));
    }
    pub fn write(&mut self, record: R) {
        self.writes.push(record);
    }
    pub fn sync(&mut self, sync_id: u64) {
        self.syncs.push(sync_id);
    }
    /// Answers client `client` (which must be below the run's client count).
    pub fn reply(&mut self, client: ClientId, response: P) {
        self.replies.push((client, response));
    }
    pub fn is_empty(&self) -> bool {
        self.sends.is_empty()
            && self.writes.is_empty()
            && self.syncs.is_empty()
            && self.replies.is_empty()
    }
    pub fn clear(&mut self) {
        self.sends.clear();
        self.writes.clear();
        self.syncs.clear();
        self.replies.clear();
    }
}

/// A membership change a scripted `reconfigure` step asks the leader for,
/// as bit masks of node ids: `add_learners` join as learners, the learners
/// of `promote` become voters, the members of `remove` leave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Reconfigure {
    pub add_learners: u64,
    pub promote: u64,
    pub remove: u64,
}

/// A node's configuration as bit masks of node ids: who votes (in either
/// half of a joint configuration) and who only learns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Members {
    pub voters: u64,
    pub learners: u64,
}

/// The effects buffer of node type `N`.
pub type NodeEffects<N> = Effects<<N as Node>::Msg, <N as Node>::Record, <N as Node>::Response>;

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
    /// What a client sends (with whatever ids the node needs to execute a
    /// retried request exactly once).
    type Request: Clone + Debug + Hash;
    /// What a node answers a client, through [`Effects::reply`].
    type Response: Clone + Debug + Hash;

    /// Starts a node from its durable records (empty on first boot).
    fn boot(boot: Boot<'_, Self::Config>, durable: &[Self::Record]) -> Self;

    /// One tick of this node's (drifting) clock.
    fn tick(&mut self, out: &mut NodeEffects<Self>);

    /// A message from `from` arrives.
    fn receive(&mut self, from: NodeId, msg: Self::Msg, out: &mut NodeEffects<Self>);

    /// Every record written before sync `sync_id` was asked for is now durable.
    fn durable(&mut self, sync_id: u64, out: &mut NodeEffects<Self>);

    /// A request from client `client` arrives (a first attempt or a retry:
    /// see the client contract above). The answer, if any, goes out through
    /// `out.reply(client, ..)`, now or in a later step.
    fn request(&mut self, client: ClientId, request: Self::Request, out: &mut NodeEffects<Self>);

    /// Whether this node currently believes it leads (for faults that target
    /// the leader, and scripted expectations such as `one-leader`).
    fn is_leader(&self) -> bool;

    /// The node's current term (0 if the protocol has none): which of two
    /// nodes that believe they lead is the newer leader.
    fn term(&self) -> u64 {
        0
    }

    /// The highest log index the node knows committed (for the scripted
    /// expectation `caught-up`; 0 if the protocol has no such index).
    fn commit_index(&self) -> u64 {
        0
    }

    /// Whether `msg` answers another message (a vote or append response):
    /// such messages take the network's reply loss and duplication ratios.
    fn is_reply(_msg: &Self::Msg) -> bool {
        false
    }

    /// The size of `msg` on a real wire, in bytes, as the protocol estimates
    /// it (for `bytes_per_op_max`); 0 when not estimated.
    fn message_bytes(_msg: &Self::Msg) -> u64 {
        0
    }

    /// Asked (by a scripted `transfer` step) to hand leadership to node
    /// `to`; returns whether a transfer began. Protocols without leadership
    /// transfer ignore it.
    fn transfer_leader(&mut self, _to: NodeId, _out: &mut NodeEffects<Self>) -> bool {
        false
    }

    /// Asked (by a scripted `reconfigure` step) for a membership change:
    /// `Ok` when it began, else why it was refused. Protocols without
    /// membership change refuse.
    fn reconfigure(
        &mut self,
        _change: Reconfigure,
        _out: &mut NodeEffects<Self>,
    ) -> Result<(), String> {
        Err("the protocol has no membership change".into())
    }

    /// The configuration this node uses, or `None` for a protocol without
    /// membership change (every node votes).
    fn members(&self) -> Option<Members> {
        None
    }
}
