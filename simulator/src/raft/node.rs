//! The KV service on raft-core as a simulated [`Node`]: it turns every
//! `Ready` into effects, holds the messages that must wait for durability,
//! answers clients, and keeps a record of what each step changed for the
//! safety checks.

use crate::node::{Boot, ClientId, Effects, Members, Node, NodeId, Reconfigure};
use raft_core::kv::{KvService, ReadMode, Response};
use raft_core::{Config, EntryData, HardState, MessageBody, Snapshot};
use std::collections::VecDeque;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The command the cluster replicates: a client's KV request.
pub type Cmd = raft_core::kv::Command;
pub type Entry = raft_core::Entry<Cmd>;
pub type Message = raft_core::Message<Cmd>;
type RawNode = raft_core::RawNode<Cmd>;
type Ready = raft_core::Ready<Cmd>;

/// What every node of a simulated Raft cluster shares: raft-core's
/// configuration with `id` and `peers` filled in per node at boot, and how
/// the KV service reads.
#[derive(Clone, Debug)]
pub struct RaftConfig {
    pub protocol: Config,
    pub read_mode: ReadMode,
    /// The KV service snapshots when its log passes this many bytes (0:
    /// never).
    pub snapshot_log_bytes: u64,
}

/// A record on a Raft node's simulated disk.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    HardState(HardState),
    /// Replaces the log from `entries[0].index` on.
    Entries(Vec<Entry>),
    /// Replaces the log up to the snapshot's index: the entries after it are
    /// kept if the log holds its last entry with its term, else the whole
    /// log goes (Figure 13, steps 6 and 7).
    Snapshot(Arc<Snapshot>),
}

/// What a step did with snapshots.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SnapshotStep {
    /// Size of the snapshot the node made or installed, in bytes.
    pub bytes: u64,
    /// Its last index.
    pub index: u64,
    /// Installed from a leader (true) or made by compacting (false).
    pub installed: bool,
    /// A hash of its bytes: snapshots at one index must be equal.
    pub hash: u64,
}

/// One simulated replica of the KV service.
pub struct RaftNode {
    svc: KvService,
    ready: Ready,
    /// Messages held until the sync of the ready that produced them completes.
    held: VecDeque<(u64, Vec<Message>)>,
    /// Lowest log index written during the current step (`u64::MAX`: none).
    changed_from: u64,
    /// Entries applied during the current step, in order.
    applied: Vec<Entry>,
    replies: Vec<(u64, Response)>,
    /// The snapshots the current step made or installed, in order.
    snapshot_steps: Vec<SnapshotStep>,
}

impl RaftNode {
    pub fn raw(&self) -> &RawNode {
        self.svc.raw()
    }

    /// The lowest log index whose entry the last step wrote or replaced.
    pub fn changed_from(&self) -> Option<u64> {
        (self.changed_from != u64::MAX).then_some(self.changed_from)
    }

    /// Entries the last step applied to the state machine.
    pub fn applied(&self) -> &[Entry] {
        &self.applied
    }

    /// The snapshots the last step made or installed, in order.
    pub fn snapshot_steps(&self) -> &[SnapshotStep] {
        &self.snapshot_steps
    }

    /// The node's Raft state as 6.824's `persister.RaftStateSize()` counts
    /// it: the log's entries (estimated, see `Entry::wire_bytes`) and the
    /// hard state (16 bytes).
    pub fn raft_state_bytes(&self) -> u64 {
        self.raw().log().bytes() + 16
    }

    pub fn check_invariants(&self) {
        self.svc.check_invariants();
    }

    fn begin_step(&mut self) {
        self.changed_from = u64::MAX;
        self.applied.clear();
        self.snapshot_steps.clear();
    }

    /// Hands out every pending ready as effects (see the contract on `Ready`).
    fn drain(&mut self, out: &mut Effects<Message, Record, Response>) {
        while self.svc.has_ready() {
            self.svc.ready(&mut self.ready);
            let rd = &mut self.ready;
            for m in rd.messages.drain(..) {
                out.send(m.to as NodeId, m);
            }
            if let Some(hs) = rd.hard_state {
                out.write(Record::HardState(hs));
            }
            if let Some(s) = rd.snapshot.take() {
                if rd.restore_snapshot {
                    // Entries up to it may have been replaced.
                    self.changed_from = self.changed_from.min(s.index + 1);
                }
                let mut h = crate::trace::TraceHasher::default();
                s.data.hash(&mut h);
                self.snapshot_steps.push(SnapshotStep {
                    bytes: s.data.len() as u64,
                    index: s.index,
                    installed: rd.restore_snapshot,
                    hash: h.finish(),
                });
                out.write(Record::Snapshot(s));
            }
            if let Some(first) = rd.entries.first() {
                self.changed_from = self.changed_from.min(first.index);
                out.write(Record::Entries(std::mem::take(&mut rd.entries)));
            }
            self.applied.append(&mut rd.committed_entries);
            if rd.must_sync {
                self.held
                    .push_back((rd.number, std::mem::take(&mut rd.persisted_messages)));
                out.sync(rd.number);
            }
        }
        self.svc.take_replies(&mut self.replies);
        for (addr, resp) in self.replies.drain(..) {
            out.reply(addr as ClientId, resp);
        }
    }
}

/// What a node's durable records hold: its hard state, its newest snapshot,
/// and the log entries after the snapshot's index.
#[derive(Clone, Debug, Default)]
pub struct Durable {
    pub hard_state: HardState,
    pub snapshot: Option<Arc<Snapshot>>,
    /// `log[k].index == snapshot_index() + 1 + k`.
    pub log: Vec<Entry>,
}

impl Durable {
    pub fn snapshot_index(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |s| s.index)
    }

    /// The term of the entry at `index` as `RaftLog::term` gives it: the
    /// snapshot's at its index, `None` below it and past the end.
    pub fn term(&self, index: u64) -> Option<u64> {
        let base = self.snapshot_index();
        match index.checked_sub(base) {
            None => None,
            Some(0) => Some(self.snapshot.as_ref().map_or(0, |s| s.term)),
            Some(k) => self.log.get(k as usize - 1).map(|e| e.term),
        }
    }

    /// Whether the durable state holds the entry `e`: in the log, or
    /// covered by the snapshot (whose state includes it).
    pub fn holds(&self, e: &Entry) -> bool {
        let base = self.snapshot_index();
        e.index <= base || self.log.get((e.index - base - 1) as usize) == Some(e)
    }
}

/// Rebuilds the hard state, snapshot and log from durable records, in write
/// order.
pub fn replay_records(records: &[Record]) -> Durable {
    let mut d = Durable::default();
    for r in records {
        match r {
            Record::HardState(h) => d.hard_state = *h,
            Record::Entries(es) => {
                let base = d.snapshot_index();
                if let Some(first) = es.first() {
                    if first.index <= base {
                        continue; // entries of a compacted prefix: covered
                    }
                    d.log.truncate((first.index - base - 1) as usize);
                    if base + d.log.len() as u64 + 1 == first.index {
                        d.log.extend_from_slice(es);
                    }
                }
            }
            Record::Snapshot(s) => {
                // As `RaftLog::install`: keep what follows a matching entry.
                if d.term(s.index) == Some(s.term) {
                    let drop = (s.index - d.snapshot_index()) as usize;
                    d.log.drain(..drop);
                } else {
                    d.log.clear();
                }
                d.snapshot = Some(s.clone());
            }
        }
    }
    d
}

impl Node for RaftNode {
    type Msg = Message;
    type Record = Record;
    type Config = RaftConfig;
    type Request = Cmd;
    type Response = Response;

    fn boot(boot: Boot<'_, RaftConfig>, durable: &[Record]) -> Self {
        let c = boot.config;
        let peers: Vec<u64> = (0..boot.nodes as u64).collect();
        let voters = if c.protocol.voters.is_empty() {
            peers.clone()
        } else {
            c.protocol.voters.clone()
        };
        let cfg = Config {
            id: boot.id as u64,
            voters,
            peers,
            ..c.protocol.clone()
        };
        let d = replay_records(durable);
        let snapshot = d.snapshot.map(|s| Snapshot::clone(&s));
        let svc = KvService::restore(
            cfg,
            c.read_mode,
            d.hard_state,
            snapshot,
            d.log,
            Box::new(boot.rng),
        )
        .with_snapshots(c.snapshot_log_bytes);
        RaftNode {
            svc,
            ready: Ready::default(),
            held: VecDeque::new(),
            changed_from: 1,
            applied: Vec::new(),
            replies: Vec::new(),
            snapshot_steps: Vec::new(),
        }
    }

    fn tick(&mut self, out: &mut Effects<Message, Record, Response>) {
        self.begin_step();
        self.svc.tick();
        self.drain(out);
    }

    fn receive(
        &mut self,
        _from: NodeId,
        msg: Message,
        out: &mut Effects<Message, Record, Response>,
    ) {
        self.begin_step();
        self.svc.step(msg);
        self.drain(out);
    }

    fn durable(&mut self, sync_id: u64, out: &mut Effects<Message, Record, Response>) {
        self.begin_step();
        self.svc.on_persisted(sync_id);
        while self.held.front().is_some_and(|(n, _)| *n <= sync_id) {
            let Some((_, msgs)) = self.held.pop_front() else {
                break;
            };
            for m in msgs {
                out.send(m.to as NodeId, m);
            }
        }
        self.drain(out);
    }

    fn request(
        &mut self,
        client: ClientId,
        req: Cmd,
        out: &mut Effects<Message, Record, Response>,
    ) {
        self.begin_step();
        self.svc.request(client as u64, req);
        self.drain(out);
    }

    fn is_leader(&self) -> bool {
        self.raw().role() == raft_core::Role::Leader
    }

    fn transfer_leader(
        &mut self,
        to: NodeId,
        out: &mut Effects<Message, Record, Response>,
    ) -> bool {
        self.begin_step();
        let began = self.svc.transfer_leader(to as u64).is_ok();
        self.drain(out);
        began
    }

    fn reconfigure(
        &mut self,
        change: Reconfigure,
        out: &mut Effects<Message, Record, Response>,
    ) -> Result<(), String> {
        let ids = |mask: u64| -> Vec<u64> { (0..64).filter(|i| mask & (1 << i) != 0).collect() };
        let change = raft_core::MembershipChange {
            add_learners: ids(change.add_learners),
            promote: ids(change.promote),
            remove: ids(change.remove),
        };
        self.begin_step();
        let result = self.svc.propose_membership(&change);
        self.drain(out);
        result.map(|_| ()).map_err(|e| e.to_string())
    }

    fn members(&self) -> Option<Members> {
        let m = self.raw().membership();
        let mask = |ids: &[u64]| ids.iter().fold(0u64, |acc, &i| acc | 1 << i);
        Some(Members {
            voters: mask(&m.voters) | mask(&m.outgoing),
            learners: mask(&m.learners),
        })
    }

    fn term(&self) -> u64 {
        self.raw().term()
    }

    fn commit_index(&self) -> u64 {
        self.raw().log().committed
    }

    fn is_reply(msg: &Message) -> bool {
        matches!(
            msg.body,
            MessageBody::VoteResponse { .. }
                | MessageBody::AppendResponse { .. }
                | MessageBody::HeartbeatResponse { .. }
                | MessageBody::SnapshotResponse { .. }
        )
    }

    /// A rough wire size: a 24-byte header (from, to, term) plus the body's
    /// fixed fields at 8 bytes each, plus per entry its `wire_bytes` (16
    /// bytes of term and index, and the command's client, sequence number
    /// and payload: 8 bytes per integer, a string's length), plus a
    /// snapshot chunk's bytes.
    fn message_bytes(msg: &Message) -> u64 {
        const HEADER: u64 = 24;
        let body = match &msg.body {
            MessageBody::Vote { .. } => 17,
            MessageBody::VoteResponse { .. } => 2,
            MessageBody::Append { entries, .. } => {
                24 + entries.iter().map(Entry::wire_bytes).sum::<u64>()
            }
            MessageBody::AppendResponse { reject, .. } => 8 + if reject.is_some() { 16 } else { 0 },
            MessageBody::Heartbeat { .. } => 16,
            MessageBody::HeartbeatResponse { .. } => 8,
            MessageBody::TimeoutNow => 0,
            MessageBody::Snapshot { data, .. } => 25 + data.len() as u64,
            MessageBody::SnapshotResponse { .. } => 16,
        };
        HEADER + body
    }
}

/// Whether an entry carries a client command (not a leader's no-op).
pub fn is_command(e: &Entry) -> bool {
    matches!(e.data, EntryData::Command(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use raft_core::kv::{Command, Op};

    fn entry(index: u64, term: u64) -> Entry {
        Entry {
            term,
            index,
            data: EntryData::Command(Command::new(
                1,
                index,
                Op::Write {
                    key: 1,
                    value: index,
                },
            )),
        }
    }

    fn snapshot(index: u64, term: u64) -> Record {
        Record::Snapshot(Arc::new(Snapshot {
            index,
            term,
            membership: raft_core::Membership::new(vec![0, 1, 2]),
            data: Arc::from(vec![1u8; 4]),
        }))
    }

    /// A crash while a snapshot is being written loses the snapshot record
    /// (the records after the last completed sync), never the log under it:
    /// every durable prefix of the records rebuilds a state that holds every
    /// entry the full record list holds.
    #[test]
    fn every_prefix_of_the_records_holds_the_entries() {
        let records = vec![
            Record::HardState(HardState {
                term: 1,
                vote: Some(0),
            }),
            Record::Entries((1..=6).map(|i| entry(i, 1)).collect()),
            snapshot(4, 1),
            Record::Entries(vec![entry(7, 1)]),
            snapshot(7, 1),
        ];
        let full = replay_records(&records);
        assert_eq!(full.snapshot_index(), 7);
        assert!(full.log.is_empty());
        for cut in 2..=records.len() {
            let d = replay_records(&records[..cut]);
            let last = if cut >= 4 { 7 } else { 6 };
            for i in 1..=last {
                assert!(
                    d.holds(&entry(i, 1)),
                    "prefix of {cut} records holds entry {i}"
                );
            }
        }
        let before = replay_records(&records[..2]);
        assert_eq!((before.snapshot_index(), before.log.len()), (0, 6));
        let mid = replay_records(&records[..3]);
        assert_eq!((mid.snapshot_index(), mid.log.len()), (4, 2));
    }

    /// An installed snapshot whose last entry the log does not hold (another
    /// term) replaces the whole log, as Figure 13 says.
    #[test]
    fn a_snapshot_that_conflicts_replaces_the_log() {
        let records = vec![
            Record::Entries((1..=5).map(|i| entry(i, 1)).collect()),
            snapshot(3, 2),
            Record::Entries(vec![entry(4, 2)]),
        ];
        let d = replay_records(&records);
        assert_eq!(d.snapshot_index(), 3);
        assert_eq!(d.log, vec![entry(4, 2)]);
        assert!(!d.holds(&entry(5, 1)));
    }
}
