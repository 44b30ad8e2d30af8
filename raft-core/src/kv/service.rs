//! The replicated KV service: a Raft node, its state machine, and the client
//! requests in flight.
//!
//! Writes (and, in [`ReadMode::Log`], reads) are proposed to the log and
//! answered when they apply; reads are otherwise served by ReadIndex (thesis
//! section 6.4). A node that does not lead answers [`Response::NotLeader`]
//! naming the leader it believes in; it never answers from its own state
//! (unless a planted bug says so). `NotLeader` is never a completion: the
//! client retries the same request elsewhere, and the session table makes
//! the retry safe.

use super::{Command, KvSnapshot, KvState, Reply, Sessions};
use crate::bugs::{Bug, Bugs};
use crate::config::Config;
use crate::types::{EntryData, HardState, NodeId, Role, Snapshot};
use crate::{Entry, RawNode, Ready};
use rand_core::RngCore;
use std::collections::{BTreeMap, VecDeque};

/// Who asked: the application's handle on a client connection.
pub type ClientAddr = u64;

/// How the leader serves reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ReadMode {
    /// ReadIndex: confirm leadership with a heartbeat round, then answer from
    /// the state machine once it has applied the read's index.
    ReadIndex,
    /// Reads are proposed to the log and answered when they apply.
    Log,
    /// Lease reads: answered from the state machine without a heartbeat
    /// round while the leader's lease holds (needs `Config::lease_reads`),
    /// else as ReadIndex.
    Lease,
}

/// The answer to a request. `seq` is the request's, so that a client can
/// tell a late answer from the one it waits for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Response {
    /// The request was executed (or found executed) with this reply.
    Done { seq: u64, reply: Reply },
    /// This node cannot serve the request; try `leader` (if known).
    NotLeader { seq: u64, leader: Option<NodeId> },
}

/// A request waiting for its entry to apply or its read to be confirmed.
#[derive(Clone, Debug)]
struct Waiting {
    addr: ClientAddr,
    cmd: Command,
}

/// Bound on requests one node holds; beyond it requests are turned away.
pub const MAX_WAITING_REQUESTS: usize = 65_536;

/// One replica of the KV service.
pub struct KvService {
    raw: RawNode<Command>,
    kv: KvState,
    read_mode: ReadMode,
    bugs: Bugs,
    /// Requests this node proposed, by log index.
    proposed: BTreeMap<u64, Waiting>,
    /// Reads waiting for ReadIndex, by context.
    reads: BTreeMap<u64, Waiting>,
    next_read_ctx: u64,
    /// Reads confirmed at an index not yet applied: (index, request).
    confirmed: VecDeque<(u64, Waiting)>,
    replies: Vec<(ClientAddr, Response)>,
    was_leader: bool,
    /// Snapshot once the log's entries pass this many bytes (0: never).
    snapshot_log_bytes: u64,
    /// Bytes of the entries applied since the last snapshot (made or
    /// installed) or restart.
    applied_since_snapshot: u64,
}

impl KvService {
    /// A replica started from its durable hard state and log. The state
    /// machine starts empty and is rebuilt as the commit index is relearned.
    pub fn new(
        cfg: Config,
        read_mode: ReadMode,
        hard_state: HardState,
        entries: Vec<Entry<Command>>,
        rng: Box<dyn RngCore + Send>,
    ) -> KvService {
        KvService::restore(cfg, read_mode, hard_state, None, entries, rng)
    }

    /// A replica restarted from its durable hard state, its newest durable
    /// snapshot (the state machine starts from it) and the entries after it.
    pub fn restore(
        cfg: Config,
        read_mode: ReadMode,
        hard_state: HardState,
        snapshot: Option<Snapshot>,
        entries: Vec<Entry<Command>>,
        rng: Box<dyn RngCore + Send>,
    ) -> KvService {
        let bugs = cfg.bugs;
        let kv = match &snapshot {
            Some(s) => restore_state(s),
            None => KvState::new(),
        };
        KvService {
            raw: RawNode::restore(cfg, hard_state, snapshot, entries, rng),
            kv,
            read_mode,
            bugs,
            proposed: BTreeMap::new(),
            reads: BTreeMap::new(),
            next_read_ctx: 1,
            confirmed: VecDeque::new(),
            replies: Vec::new(),
            was_leader: false,
            snapshot_log_bytes: 0,
            applied_since_snapshot: 0,
        }
    }

    /// Takes a snapshot of the state machine, and compacts the log, whenever
    /// the log's entries pass `bytes` (MIT 6.824's `maxraftstate`); 0 turns
    /// snapshots off (the default).
    pub fn with_snapshots(mut self, bytes: u64) -> KvService {
        self.snapshot_log_bytes = bytes;
        self
    }

    pub fn raw(&self) -> &RawNode<Command> {
        &self.raw
    }

    /// Starts handing leadership to `to` (see [`RawNode::transfer_leader`]);
    /// client writes are answered "not leader" (naming `to`) meanwhile.
    pub fn transfer_leader(&mut self, to: NodeId) -> Result<(), crate::TransferError> {
        self.raw.transfer_leader(to)
    }
    /// Asks for a membership change (see [`RawNode::propose_membership`]).
    pub fn propose_membership(
        &mut self,
        change: &crate::MembershipChange,
    ) -> Result<u64, crate::ChangeError> {
        self.raw.propose_membership(change)
    }
    pub fn state(&self) -> &KvState {
        &self.kv
    }
    pub fn tick(&mut self) {
        self.raw.tick();
    }
    pub fn step(&mut self, m: crate::Message<Command>) {
        self.raw.step(m);
    }
    pub fn on_persisted(&mut self, number: u64) {
        self.raw.on_persisted(number);
    }

    fn waiting(&self) -> usize {
        self.proposed.len() + self.reads.len() + self.confirmed.len()
    }

    fn not_leader(&mut self, addr: ClientAddr, seq: u64) {
        let leader = self.raw.leader().filter(|&l| l != self.raw.id());
        self.replies
            .push((addr, Response::NotLeader { seq, leader }));
    }

    /// A client's request arrives.
    pub fn request(&mut self, addr: ClientAddr, cmd: Command) {
        let seq = cmd.seq;
        let leads = self.raw.role() == Role::Leader;
        if cmd.op.is_read() {
            let from_own_state =
                self.bugs.has(Bug::FollowerRead) || (leads && self.bugs.has(Bug::StaleLeaderRead));
            if from_own_state {
                let reply = self.kv.query(&cmd.op).expect("a read has an answer");
                self.replies.push((addr, Response::Done { seq, reply }));
                return;
            }
        }
        if !leads || self.waiting() >= MAX_WAITING_REQUESTS {
            self.not_leader(addr, seq);
            return;
        }
        if cmd.op.is_read() && self.read_mode != ReadMode::Log {
            let ctx = self.next_read_ctx;
            self.next_read_ctx += 1;
            let asked = match self.read_mode {
                ReadMode::Lease => self.raw.read_lease(ctx),
                _ => self.raw.read_index(ctx),
            };
            match asked {
                Ok(()) => {
                    self.reads.insert(ctx, Waiting { addr, cmd });
                }
                Err(_) => self.not_leader(addr, seq),
            }
            return;
        }
        match self.raw.propose(cmd.clone()) {
            Ok(index) => {
                // An older proposal at this index (from an earlier leadership
                // whose entry was since replaced) can no longer apply as ours.
                if let Some(old) = self.proposed.insert(index, Waiting { addr, cmd }) {
                    self.not_leader(old.addr, old.cmd.seq);
                }
            }
            Err(_) => self.not_leader(addr, seq),
        }
    }

    /// Whether [`KvService::ready`] has work to hand out. Answers to clients
    /// are not counted: take them with [`KvService::take_replies`] after
    /// every call into the service.
    pub fn has_ready(&self) -> bool {
        self.raw.has_ready() || self.was_leader != (self.raw.role() == Role::Leader)
    }

    /// Takes the node's ready, applies its committed entries to the state
    /// machine and answers what can be answered. The caller persists and
    /// sends as the contract on [`Ready`] says; `rd.committed_entries` stay
    /// in `rd` for the caller to inspect.
    pub fn ready(&mut self, rd: &mut Ready<Command>) {
        self.raw.ready(rd);
        if let (Some(s), true) = (&rd.snapshot, rd.restore_snapshot) {
            // The leader's snapshot replaces our state; what we proposed up
            // to it is answered by the leader's own (retries find it in the
            // sessions).
            self.kv = restore_state(s);
            self.applied_since_snapshot = 0;
            let still_waiting = self.proposed.split_off(&(s.index + 1));
            for (_, w) in std::mem::replace(&mut self.proposed, still_waiting) {
                self.not_leader(w.addr, w.cmd.seq);
            }
        }
        for e in &rd.committed_entries {
            self.applied_since_snapshot += e.wire_bytes();
            let reply = match &e.data {
                EntryData::Command(cmd) => Some(self.kv.apply(e.index, cmd, self.bugs)),
                // A configuration is raft-core's business; for the state
                // machine it is an empty entry.
                EntryData::Noop | EntryData::Membership(_) => {
                    self.kv.apply_empty(e.index);
                    None
                }
            };
            if let Some(w) = self.proposed.remove(&e.index) {
                self.answer_applied(w, &e.data, reply);
            }
        }
        if !rd.committed_entries.is_empty() {
            // The state machine changes only here, so its invariants are
            // checked here rather than after every step.
            self.kv.check_invariants();
            self.maybe_snapshot();
        }
        for rs in rd.read_states.drain(..) {
            if let Some(w) = self.reads.remove(&rs.ctx) {
                self.confirmed.push_back((rs.index, w));
            }
        }
        for ctx in rd.dropped_reads.drain(..) {
            if let Some(w) = self.reads.remove(&ctx) {
                self.not_leader(w.addr, w.cmd.seq);
            }
        }
        self.serve_confirmed_reads();
        self.notice_stepping_down();
    }

    /// Snapshots the state and compacts the log if the log has grown past
    /// the threshold and the entries applied since the last snapshot make
    /// up at least half of it: entries not yet applied cannot be compacted,
    /// and with many of them (many clients, a follower behind on commits)
    /// snapshotting at every applied entry would only copy the state again
    /// and again.
    fn maybe_snapshot(&mut self) {
        let log = self.raw.log();
        let applied = self.kv.applied_index();
        if self.snapshot_log_bytes == 0
            || log.bytes() < self.snapshot_log_bytes
            || self.applied_since_snapshot * 2 < self.snapshot_log_bytes
            || applied <= log.snapshot_index()
        {
            return;
        }
        let mut snapshot = self.kv.snapshot();
        if self.bugs.has(Bug::SessionsNotInSnapshot) {
            snapshot.sessions = Sessions::new();
        }
        if self.raw.compact(applied, snapshot.encode().into()) {
            self.applied_since_snapshot = 0;
        }
    }

    /// Our proposal at this index applied: answer it if the entry is still
    /// ours, or send the client elsewhere if another leader replaced it.
    fn answer_applied(&mut self, w: Waiting, data: &EntryData<Command>, reply: Option<Reply>) {
        match (data, reply) {
            (EntryData::Command(cmd), Some(reply)) if *cmd == w.cmd => {
                self.replies.push((
                    w.addr,
                    Response::Done {
                        seq: w.cmd.seq,
                        reply,
                    },
                ));
            }
            _ => self.not_leader(w.addr, w.cmd.seq),
        }
    }

    fn serve_confirmed_reads(&mut self) {
        let applied = self.kv.applied_index();
        let mut i = 0;
        while i < self.confirmed.len() {
            if self.confirmed[i].0 <= applied {
                let Some((_, w)) = self.confirmed.remove(i) else {
                    break;
                };
                let reply = self.kv.query(&w.cmd.op).expect("a read has an answer");
                self.replies.push((
                    w.addr,
                    Response::Done {
                        seq: w.cmd.seq,
                        reply,
                    },
                ));
            } else {
                i += 1;
            }
        }
    }

    /// A node that stops leading sends its waiting clients elsewhere at once
    /// (its proposals may still commit; a retry is then deduplicated).
    fn notice_stepping_down(&mut self) {
        let leads = self.raw.role() == Role::Leader;
        if self.was_leader && !leads {
            let proposed = std::mem::take(&mut self.proposed);
            for (_, w) in proposed {
                self.not_leader(w.addr, w.cmd.seq);
            }
        }
        self.was_leader = leads;
    }

    /// The answers produced since the last call.
    pub fn take_replies(&mut self, out: &mut Vec<(ClientAddr, Response)>) {
        out.append(&mut self.replies);
    }

    pub fn check_invariants(&self) {
        self.raw.check_invariants();
        assert!(
            self.waiting() <= MAX_WAITING_REQUESTS,
            "kv service: too many waiting requests"
        );
        assert!(
            self.kv.applied_index() <= self.raw.log().applied,
            "kv service: applied past what raft handed out"
        );
        if let Some((&first, _)) = self.proposed.iter().next() {
            assert!(
                first > self.kv.applied_index(),
                "kv service: a proposal below the applied index is still waiting"
            );
        }
    }
}

/// The state machine a snapshot holds. Snapshots come from our own replicas,
/// so one that does not decode is a bug, not input: it panics.
fn restore_state(s: &Snapshot) -> KvState {
    let snapshot =
        KvSnapshot::decode(&s.data).unwrap_or_else(|e| panic!("snapshot {}: {e}", s.index));
    assert_eq!(
        snapshot.applied_index, s.index,
        "a snapshot's state was taken at its index"
    );
    KvState::restore(snapshot)
}
