//! Linearizable reads without writing to the log: ReadIndex (Raft thesis
//! section 6.4).
//!
//! A leader answers a read once (1) it has committed an entry of its own
//! term, so its commit index is at least that of any earlier leader; (2) it
//! records its commit index as the read's index; (3) a majority answers a
//! heartbeat sent after the read arrived, so no other leader could have
//! committed anything newer at that moment. The application then waits until
//! it has applied up to the read's index and answers from its state.

use crate::membership::Members;
use crate::raft::Raft;
use crate::types::{Command, EntryData, NodeId, ReadState, Role};
use std::collections::VecDeque;

/// Bound on reads a leader holds at once; more are refused (the client retries).
pub const MAX_PENDING_READS: usize = 4096;

/// The leader's pending reads.
///
/// Rounds number the heartbeat rounds that confirm reads: a read registered
/// in round `r` is confirmed when a majority (the leader included) has
/// answered a heartbeat of round `r` or later. Invariant: `pending` is ordered
/// by round, and every round is at most `round`.
#[derive(Debug)]
pub struct ReadIndex {
    round: u64,
    /// Highest round each peer has answered, indexed like `Config::peers`.
    acked: Vec<u64>,
    /// Reads waiting for an entry of the leader's term to commit: their ctx.
    waiting: VecDeque<u64>,
    /// Registered reads: (round, ctx, index).
    pending: VecDeque<(u64, u64, u64)>,
    /// Confirmed reads, handed out in the next ready.
    pub(crate) ready: Vec<ReadState>,
    /// Reads given up because leadership was lost, handed out in the next ready.
    pub(crate) dropped: Vec<u64>,
}

impl ReadIndex {
    pub fn new(peers: usize) -> ReadIndex {
        ReadIndex {
            round: 0,
            acked: vec![0; peers],
            waiting: VecDeque::new(),
            pending: VecDeque::new(),
            ready: Vec::new(),
            dropped: Vec::new(),
        }
    }

    /// The latest round, carried by every heartbeat.
    pub fn round(&self) -> u64 {
        self.round
    }

    /// Starts a new round and returns it.
    pub(crate) fn next_round(&mut self) -> u64 {
        self.round += 1;
        self.round
    }

    /// Whether a majority of the voters of `members` (of each half while
    /// joint; the leader included if it votes) has answered `round` or a
    /// later one.
    pub(crate) fn majority_answered(&self, round: u64, members: &Members) -> bool {
        members.has_quorum(|p| self.acked[p] >= round)
    }

    /// Peer `peer` (a position in `Config::peers`) answered `round`.
    pub fn acknowledge(&mut self, peer: usize, round: u64) {
        if round <= self.round {
            self.acked[peer] = self.acked[peer].max(round);
        }
    }

    fn len(&self) -> usize {
        self.waiting.len() + self.pending.len()
    }

    /// Leadership is lost (or never was): every read not yet confirmed is dropped.
    pub fn abandon(&mut self) {
        self.dropped.extend(self.waiting.drain(..));
        self.dropped
            .extend(self.pending.drain(..).map(|(_, ctx, _)| ctx));
        self.acked.iter_mut().for_each(|a| *a = 0);
    }

    pub fn has_output(&self) -> bool {
        !self.ready.is_empty() || !self.dropped.is_empty()
    }

    pub fn check_invariants(&self) {
        assert!(
            self.len() <= MAX_PENDING_READS,
            "read index: too many pending reads"
        );
        assert!(
            self.pending.iter().all(|&(r, _, _)| r <= self.round),
            "read index: a pending read from a future round"
        );
        assert!(
            self.pending
                .iter()
                .zip(self.pending.iter().skip(1))
                .all(|(a, b)| a.0 <= b.0),
            "read index: pending reads out of round order"
        );
    }
}

impl<C: Command> Raft<C> {
    /// Asks to serve a linearizable read identified by `ctx`. On a leader the
    /// read is confirmed later, as a [`ReadState`] in a ready; elsewhere the
    /// answer is the leader this node believes in.
    pub fn read_index(&mut self, ctx: u64) -> Result<(), Option<NodeId>> {
        if self.role != Role::Leader {
            return Err(self.leader);
        }
        if self.reads.len() >= MAX_PENDING_READS {
            return Err(Some(self.cfg.id));
        }
        if self.log.term(self.log.committed) != Some(self.term) {
            // Step 1 needs an entry of this term; without a no-op on election
            // there may be none yet.
            if self.log.last_term() != self.term {
                self.append_own(EntryData::Noop);
                self.broadcast_append();
            }
            self.reads.waiting.push_back(ctx);
            return Ok(());
        }
        self.reads.waiting.push_back(ctx);
        self.release_waiting_reads();
        Ok(())
    }

    /// Registers the waiting reads at the current commit index in a new
    /// round, once an entry of this term is committed, and asks a majority.
    pub(crate) fn release_waiting_reads(&mut self) {
        if self.role != Role::Leader || self.reads.waiting.is_empty() {
            return;
        }
        if self.log.term(self.log.committed) != Some(self.term) {
            return;
        }
        self.reads.round += 1;
        let (round, index) = (self.reads.round, self.log.committed);
        while let Some(ctx) = self.reads.waiting.pop_front() {
            self.reads.pending.push_back((round, ctx, index));
        }
        let me = self
            .peer_index(self.cfg.id)
            .expect("a node is one of its peers");
        self.reads.acked[me] = round;
        if self.reads.majority_answered(round, &self.members) {
            // A single voter is its own majority.
            self.confirm_reads();
        } else {
            self.broadcast_heartbeat();
        }
    }

    /// Confirms every pending read whose round a majority has answered.
    pub(crate) fn confirm_reads(&mut self) {
        while let Some(&(round, ctx, index)) = self.reads.pending.front() {
            if !self.reads.majority_answered(round, &self.members) {
                break;
            }
            self.reads.pending.pop_front();
            self.reads.ready.push(ReadState { ctx, index });
        }
    }
}
