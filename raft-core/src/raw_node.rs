//! The application's handle on a node, shaped like etcd's RawNode: feed it
//! ticks, messages and proposals; take its work as a [`Ready`]; tell it when
//! that work is durable.

use crate::config::Config;
use crate::log::RaftLog;
use crate::raft::Raft;
use crate::types::{Command, Entry, HardState, Message, NodeId, ReadState, Role, Snapshot};
use rand_core::RngCore;
use std::collections::VecDeque;
use std::sync::Arc;

/// The work a node hands out after a step.
///
/// # To ensure correctness
///
/// 1. Send `messages` at once.
/// 2. Write `hard_state` (if any), `snapshot` (if any; it replaces the log
///    up to its index, keeping the entries after it only if the log holds
///    its last entry with its term) and `entries` (if any; they replace the
///    log from `entries[0].index` on) to stable storage, in that order, after
///    all earlier writes.
/// 3. If `must_sync`, make everything written so far durable, then call
///    [`RawNode::on_persisted`] with `number`, and only then send
///    `persisted_messages`. Writes and syncs must complete in order.
/// 4. If `restore_snapshot`, replace the state machine's state with the
///    snapshot's. Then apply `committed_entries` to it, in order.
#[derive(Debug)]
pub struct Ready<C> {
    /// Identifies this ready for `on_persisted`; 0 when nothing must be synced.
    pub number: u64,
    pub messages: Vec<Message<C>>,
    pub hard_state: Option<HardState>,
    /// A snapshot to write: one the application made ([`RawNode::compact`])
    /// or, with `restore_snapshot`, one received from the leader.
    pub snapshot: Option<Arc<Snapshot>>,
    pub restore_snapshot: bool,
    pub entries: Vec<Entry<C>>,
    pub persisted_messages: Vec<Message<C>>,
    pub committed_entries: Vec<Entry<C>>,
    /// Reads confirmed by ReadIndex: answer each once `index` is applied.
    pub read_states: Vec<ReadState>,
    /// Reads given up because this node stopped leading: answer "not leader".
    pub dropped_reads: Vec<u64>,
    pub must_sync: bool,
}

impl<C> Default for Ready<C> {
    fn default() -> Self {
        Ready {
            number: 0,
            messages: Vec::new(),
            hard_state: None,
            snapshot: None,
            restore_snapshot: false,
            entries: Vec::new(),
            persisted_messages: Vec::new(),
            committed_entries: Vec::new(),
            read_states: Vec::new(),
            dropped_reads: Vec::new(),
            must_sync: false,
        }
    }
}

impl<C> Ready<C> {
    pub fn clear(&mut self) {
        self.number = 0;
        self.messages.clear();
        self.hard_state = None;
        self.snapshot = None;
        self.restore_snapshot = false;
        self.entries.clear();
        self.persisted_messages.clear();
        self.committed_entries.clear();
        self.read_states.clear();
        self.dropped_reads.clear();
        self.must_sync = false;
    }
}

/// A ready handed out and not yet durable.
#[derive(Debug)]
struct Pending<C> {
    number: u64,
    /// The last entry it wrote, if any: (index, term).
    last_written: Option<(u64, u64)>,
    /// Messages to ourselves that take effect once the write is durable.
    self_messages: Vec<Message<C>>,
}

/// A Raft node with the bookkeeping of what has been handed out and what is
/// durable.
pub struct RawNode<C> {
    raft: Raft<C>,
    /// The hard state as last handed out to be written.
    prev_hard_state: HardState,
    next_ready_number: u64,
    pending: VecDeque<Pending<C>>,
}

impl<C: Command> RawNode<C> {
    /// Starts a node from its durable hard state and log (both empty for a new
    /// node). `rng` is the node's own random stream (election timeouts).
    pub fn new(
        cfg: Config,
        hard_state: HardState,
        entries: Vec<Entry<C>>,
        rng: Box<dyn RngCore + Send>,
    ) -> RawNode<C> {
        RawNode::restore(cfg, hard_state, None, entries, rng)
    }

    /// Restarts a node from its durable hard state, its newest durable
    /// snapshot, and the durable entries after the snapshot's index. The
    /// application restores its state machine from the same snapshot.
    pub fn restore(
        cfg: Config,
        hard_state: HardState,
        snapshot: Option<Snapshot>,
        entries: Vec<Entry<C>>,
        rng: Box<dyn RngCore + Send>,
    ) -> RawNode<C> {
        RawNode {
            raft: Raft::new(cfg, hard_state, snapshot, entries, rng),
            prev_hard_state: hard_state,
            next_ready_number: 1,
            pending: VecDeque::new(),
        }
    }

    pub fn tick(&mut self) {
        self.raft.tick();
    }

    /// Delivers a message from the network. Messages not addressed to this
    /// node, or from a node not among `Config::peers`, are ignored.
    pub fn step(&mut self, m: Message<C>) {
        self.raft.step(m);
    }

    /// Proposes a command: its log index if this node leads, otherwise the
    /// leader it believes in.
    pub fn propose(&mut self, command: C) -> Result<u64, Option<NodeId>> {
        self.raft.propose(command)
    }

    /// Whether a call to [`RawNode::ready`] would hand out anything.
    pub fn has_ready(&self) -> bool {
        let r = &self.raft;
        !r.msgs.is_empty()
            || !r.msgs_after_persist.is_empty()
            || r.hard_state_to_persist() != self.prev_hard_state
            || r.log.has_unstable()
            || r.new_snapshot.is_some()
            || r.log.committed.min(r.log.stable()) > r.log.applied
            || r.reads.has_output()
    }

    /// Moves all pending work into `rd` (cleared first).
    pub fn ready(&mut self, rd: &mut Ready<C>) {
        rd.clear();
        let r = &mut self.raft;
        std::mem::swap(&mut rd.messages, &mut r.msgs);
        let hs = r.hard_state_to_persist();
        if hs != self.prev_hard_state {
            rd.hard_state = Some(hs);
            self.prev_hard_state = hs;
        }
        if let Some((snapshot, restore)) = r.new_snapshot.take() {
            rd.snapshot = Some(snapshot);
            rd.restore_snapshot = restore;
        }
        r.log.take_unstable(&mut rd.entries);
        let mut self_messages = Vec::new();
        for m in r.msgs_after_persist.drain(..) {
            if m.to == r.cfg.id {
                self_messages.push(m);
            } else {
                rd.persisted_messages.push(m);
            }
        }
        r.log.take_committed(&mut rd.committed_entries);
        rd.read_states.append(&mut r.reads.ready);
        rd.dropped_reads.append(&mut r.reads.dropped);
        rd.must_sync = rd.hard_state.is_some()
            || rd.snapshot.is_some()
            || !rd.entries.is_empty()
            || !rd.persisted_messages.is_empty()
            || !self_messages.is_empty();
        if rd.must_sync {
            rd.number = self.next_ready_number;
            self.next_ready_number += 1;
            let last_written = rd.entries.last().map(|e| (e.index, e.term));
            self.pending.push_back(Pending {
                number: rd.number,
                last_written,
                self_messages,
            });
        }
    }

    /// Everything handed out up to ready `number` is durable. Readies are
    /// acknowledged in order; an unknown or repeated number is ignored.
    pub fn on_persisted(&mut self, number: u64) {
        while self.pending.front().is_some_and(|p| p.number <= number) {
            let Some(p) = self.pending.pop_front() else {
                break;
            };
            if let Some((index, term)) = p.last_written {
                self.raft.log.stable_to(index, term);
            }
            for m in p.self_messages {
                self.raft.step(m);
            }
        }
        self.raft.maybe_commit();
    }

    /// Compacts the log up to `index` (log compaction, section 7): the
    /// application has applied every entry up to it and saved the result as
    /// `data`, which the next ready hands out to be written and which
    /// followers that lack the compacted entries are sent. Returns false,
    /// and does nothing, unless `index` is above the current snapshot's
    /// index and applied, or while another snapshot waits to be handed out.
    pub fn compact(&mut self, index: u64, data: Arc<[u8]>) -> bool {
        self.raft.new_snapshot.is_none() && self.raft.compact(index, data)
    }

    /// The newest snapshot (made here or received), if any.
    pub fn snapshot(&self) -> Option<&Arc<Snapshot>> {
        self.raft.snapshot.as_ref()
    }

    /// Asks for a linearizable read identified by `ctx` (ReadIndex, thesis
    /// section 6.4): on a leader it is confirmed later as a [`ReadState`] (or
    /// dropped, if leadership is lost first); elsewhere the answer is the
    /// leader this node believes in.
    pub fn read_index(&mut self, ctx: u64) -> Result<(), Option<NodeId>> {
        self.raft.read_index(ctx)
    }

    /// Asks for a linearizable read identified by `ctx` under the leader's
    /// lease (`Config::lease_reads`): confirmed in the next ready if the lease
    /// holds, else as [`RawNode::read_index`] does.
    pub fn read_lease(&mut self, ctx: u64) -> Result<(), Option<NodeId>> {
        self.raft.read_lease(ctx)
    }

    /// Starts handing leadership to the voter `to` (thesis section 3.10):
    /// proposals are refused (naming `to`) until it leads, or until an
    /// election timeout passes and the transfer is given up.
    pub fn transfer_leader(&mut self, to: NodeId) -> Result<(), crate::TransferError> {
        self.raft.transfer_leader(to)
    }

    /// The node leadership is being handed to, if a transfer is under way.
    pub fn transferring_to(&self) -> Option<NodeId> {
        self.raft.transferring_to()
    }

    /// Asks this node, as leader, for a membership change (thesis chapter
    /// 4, `membership.rs`): a change of voters goes through a joint
    /// configuration, which the leader follows with the new one once it
    /// commits. Returns the index of the configuration entry appended.
    pub fn propose_membership(
        &mut self,
        change: &crate::MembershipChange,
    ) -> Result<u64, crate::ChangeError> {
        self.raft.propose_membership(change)
    }

    /// The configuration this node uses: the newest in its log.
    pub fn membership(&self) -> &crate::Membership {
        &self.raft.members.membership
    }

    pub fn id(&self) -> NodeId {
        self.raft.id()
    }
    pub fn role(&self) -> Role {
        self.raft.role
    }
    pub fn term(&self) -> u64 {
        self.raft.term
    }
    pub fn vote(&self) -> Option<NodeId> {
        self.raft.vote
    }
    /// The leader this node believes in for its current term.
    pub fn leader(&self) -> Option<NodeId> {
        self.raft.leader
    }
    pub fn log(&self) -> &RaftLog<C> {
        &self.raft.log
    }

    /// Checks every invariant of the node's state; panics naming the broken one.
    pub fn check_invariants(&self) {
        self.raft.check_invariants();
        assert!(
            self.pending
                .iter()
                .zip(self.pending.iter().skip(1))
                .all(|(a, b)| a.number < b.number),
            "raw node: pending readies out of order"
        );
    }
}
