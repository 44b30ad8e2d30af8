//! The values Raft exchanges and stores: entries, hard state, messages.
//!
//! The protocol is generic over the command type `C` that the application
//! replicates: the KV service uses its own commands, tests use plain numbers.

use std::fmt::Debug;
use std::hash::Hash;
use std::sync::Arc;

/// What an application may replicate: cloned into messages, compared by the
/// safety checks, hashed into the simulator's trace.
pub trait Command: Clone + Debug + PartialEq + Eq + Hash {
    /// The command's size on a wire or a disk, in bytes, as the application
    /// estimates it: the log's size (for compaction) is the sum over its
    /// entries of this plus 16 bytes (term and index).
    fn wire_bytes(&self) -> u64;
}

/// Plain numbers, for tests.
impl Command for u64 {
    fn wire_bytes(&self) -> u64 {
        8
    }
}

/// A node's identity. In a simulated cluster of `n` nodes, ids are `0..n`.
pub type NodeId = u64;

/// What an entry carries.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum EntryData<C> {
    /// Appended by a new leader so that it can commit an entry of its own term
    /// (Raft section 5.4.2; thesis section 6.4).
    Noop,
    /// A command from the application.
    Command(C),
    /// A cluster configuration (Raft thesis chapter 4): every node uses the
    /// newest one in its log from the moment it is appended, committed or
    /// not (see `membership.rs`).
    Membership(Arc<Membership>),
}

/// One log entry. Invariant: `index >= 1` and `term >= 1`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Entry<C> {
    pub term: u64,
    pub index: u64,
    pub data: EntryData<C>,
}

impl<C: Command> Entry<C> {
    /// The entry's estimated size: 16 bytes of term and index, and the
    /// command's own size (none for a no-op).
    pub fn wire_bytes(&self) -> u64 {
        16 + match &self.data {
            EntryData::Noop => 0,
            EntryData::Command(c) => c.wire_bytes(),
            EntryData::Membership(m) => 8 * m.len() as u64,
        }
    }
}

/// A snapshot of the state machine (Raft section 7): the application's
/// state after applying every entry up to `index`, whose term is `term`.
/// `data` is the application's own encoding; raft-core only stores, sends
/// and hands it back.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Snapshot {
    pub index: u64,
    pub term: u64,
    /// The configuration in force at `index` (the newest one in the log up
    /// to it), which a node restarted or installed from the snapshot uses
    /// until its log holds a newer one.
    pub membership: Membership,
    pub data: Arc<[u8]>,
}

/// A cluster configuration (Raft thesis chapter 4): who votes, and who only
/// receives the log.
///
/// A joint configuration C_old,new (section 4.3) has both `voters` (the new
/// configuration's) and `outgoing` (the old one's): an election or a commit
/// then needs a majority of each. Invariant: `learners` share no node with
/// `voters` or `outgoing`, and no list repeats a node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Membership {
    pub voters: Vec<NodeId>,
    /// The old configuration's voters while joint; empty otherwise.
    pub outgoing: Vec<NodeId>,
    /// Members that receive the log and do not vote (thesis section 4.2.1:
    /// a new node catches up as a learner before it is promoted).
    pub learners: Vec<NodeId>,
}

impl Membership {
    /// A simple configuration of `voters` and no learners.
    pub fn new(voters: Vec<NodeId>) -> Membership {
        Membership {
            voters,
            outgoing: Vec::new(),
            learners: Vec::new(),
        }
    }

    /// Whether this is a joint configuration C_old,new.
    pub fn is_joint(&self) -> bool {
        !self.outgoing.is_empty()
    }

    /// Whether `id` votes (in either half of a joint configuration).
    pub fn is_voter(&self, id: NodeId) -> bool {
        self.voters.contains(&id) || self.outgoing.contains(&id)
    }

    /// Whether `id` is a member: a voter or a learner.
    pub fn contains(&self, id: NodeId) -> bool {
        self.is_voter(id) || self.learners.contains(&id)
    }

    /// How many node ids the lists hold together (for size estimates).
    pub fn len(&self) -> usize {
        self.voters.len() + self.outgoing.len() + self.learners.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl std::fmt::Display for Membership {
    /// `voters [0, 1, 2]`, with `old [..]` while joint and `learners [..]`
    /// when there are any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "voters {:?}", self.voters)?;
        if self.is_joint() {
            write!(f, " old {:?}", self.outgoing)?;
        }
        if !self.learners.is_empty() {
            write!(f, " learners {:?}", self.learners)?;
        }
        Ok(())
    }
}

/// The state that must be durable before the node answers a vote or an append
/// that depends on it (Raft Figure 2, "Persistent state on all servers").
/// The commit index is not persisted: it is relearned from the leader.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct HardState {
    pub term: u64,
    pub vote: Option<NodeId>,
}

/// A message between nodes. `term` is the sender's term when it sent it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Message<C> {
    pub from: NodeId,
    pub to: NodeId,
    pub term: u64,
    pub body: MessageBody<C>,
}

/// The kinds of message.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum MessageBody<C> {
    /// RequestVote (section 5.2), or a pre-vote (thesis section 9.6) when
    /// `pre`; a pre-vote carries the term the candidate would campaign in.
    Vote {
        pre: bool,
        last_index: u64,
        last_term: u64,
    },
    VoteResponse {
        pre: bool,
        granted: bool,
    },
    /// AppendEntries (section 5.3): `entries` follow `prev_index`.
    Append {
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry<C>>,
        commit: u64,
    },
    /// Success: the follower's log matches the leader's up to `index`.
    /// Rejection: `index` is the rejected `prev_index`, and `hint_index`,
    /// `hint_term` name the follower's last entry at or below it whose term is
    /// at most the leader's `prev_term` (fast backtracking).
    AppendResponse {
        index: u64,
        reject: Option<RejectHint>,
    },
    /// A heartbeat carries `commit = min(match, leader commit)`, which the
    /// follower can apply without a log check, and the leader's latest
    /// read round `read_round`, which the answer echoes (ReadIndex, thesis
    /// section 6.4).
    Heartbeat {
        commit: u64,
        read_round: u64,
    },
    HeartbeatResponse {
        read_round: u64,
    },
    /// Leadership transfer (thesis section 3.10): the leader tells a
    /// follower whose log matches its own to campaign at once.
    TimeoutNow,
    /// InstallSnapshot (Raft section 7, Figure 13): bytes `offset..` of the
    /// leader's snapshot up to `index` (of term `term`); `done` on the last
    /// chunk. The follower answers each chunk but the last with
    /// `SnapshotResponse`, and the last, once the snapshot is durable, with
    /// an `AppendResponse` at `index`.
    Snapshot {
        index: u64,
        term: u64,
        offset: u64,
        data: Vec<u8>,
        done: bool,
        /// The snapshot's configuration (see [`Snapshot::membership`]);
        /// shared, so that every message stays small.
        membership: Arc<Membership>,
    },
    /// The follower holds the first `received` bytes of the snapshot up to
    /// `index`: the leader sends on from there (after a loss, or after the
    /// follower restarted and holds nothing, from where it says).
    SnapshotResponse {
        index: u64,
        received: u64,
    },
}

/// A read that the leader has confirmed: once the state machine has applied
/// up to `index`, the application may answer the read identified by `ctx`
/// from its own state, and the answer is linearizable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReadState {
    pub ctx: u64,
    pub index: u64,
}

/// Where a follower suggests the leader probe next after a rejected append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RejectHint {
    pub hint_index: u64,
    pub hint_term: u64,
}

/// A node's role.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Follower,
    PreCandidate,
    Candidate,
    Leader,
}
