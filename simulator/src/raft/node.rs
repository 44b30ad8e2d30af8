//! The KV service on raft-core as a simulated [`Node`]: it turns every
//! `Ready` into effects, holds the messages that must wait for durability,
//! answers clients, and keeps a record of what each step changed for the
//! safety checks.

use crate::node::{Boot, ClientId, Effects, Node, NodeId};
use raft_core::kv::{KvService, Op, ReadMode, Response};
use raft_core::{Config, EntryData, HardState, MessageBody};
use std::collections::VecDeque;

/// The command the cluster replicates: a client's KV request.
pub type Cmd = raft_core::kv::Command;
pub type Entry = raft_core::Entry<Cmd>;
pub type Message = raft_core::Message<Cmd>;
type RawNode = raft_core::RawNode<Cmd>;
type Ready = raft_core::Ready<Cmd>;

/// What every node of a simulated Raft cluster shares: raft-core's
/// configuration with `id` and `voters` filled in per node at boot, and how
/// the KV service reads.
#[derive(Clone, Debug)]
pub struct RaftConfig {
    pub protocol: Config,
    pub read_mode: ReadMode,
}

/// A record on a Raft node's simulated disk.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Record {
    HardState(HardState),
    /// Replaces the log from `entries[0].index` on.
    Entries(Vec<Entry>),
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

    pub fn check_invariants(&self) {
        self.svc.check_invariants();
    }

    fn begin_step(&mut self) {
        self.changed_from = u64::MAX;
        self.applied.clear();
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

/// Rebuilds the hard state and log from durable records, in write order.
pub fn replay_records(records: &[Record]) -> (HardState, Vec<Entry>) {
    let mut hs = HardState::default();
    let mut log: Vec<Entry> = Vec::new();
    for r in records {
        match r {
            Record::HardState(h) => hs = *h,
            Record::Entries(es) => {
                if let Some(first) = es.first() {
                    log.truncate(first.index.saturating_sub(1) as usize);
                    if log.len() as u64 + 1 == first.index {
                        log.extend_from_slice(es);
                    }
                }
            }
        }
    }
    (hs, log)
}

impl Node for RaftNode {
    type Msg = Message;
    type Record = Record;
    type Config = RaftConfig;
    type Request = Cmd;
    type Response = Response;

    fn boot(boot: Boot<'_, RaftConfig>, durable: &[Record]) -> Self {
        let c = boot.config;
        let cfg = Config {
            id: boot.id as u64,
            voters: (0..boot.nodes as u64).collect(),
            ..c.protocol.clone()
        };
        let (hs, log) = replay_records(durable);
        RaftNode {
            svc: KvService::new(cfg, c.read_mode, hs, log, Box::new(boot.rng)),
            ready: Ready::default(),
            held: VecDeque::new(),
            changed_from: 1,
            applied: Vec::new(),
            replies: Vec::new(),
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
        )
    }

    /// A rough wire size: a 24-byte header (from, to, term) plus the body's
    /// fixed fields at 8 bytes each, plus per entry 16 bytes (term, index)
    /// and its command's payload (8 bytes per integer, a string's length).
    fn message_bytes(msg: &Message) -> u64 {
        const HEADER: u64 = 24;
        let body = match &msg.body {
            MessageBody::Vote { .. } => 17,
            MessageBody::VoteResponse { .. } => 2,
            MessageBody::Append { entries, .. } => {
                24 + entries.iter().map(entry_bytes).sum::<u64>()
            }
            MessageBody::AppendResponse { reject, .. } => 8 + if reject.is_some() { 16 } else { 0 },
            MessageBody::Heartbeat { .. } => 16,
            MessageBody::HeartbeatResponse { .. } => 8,
            MessageBody::TimeoutNow => 0,
        };
        HEADER + body
    }
}

/// Wire size of one entry (see [`RaftNode::message_bytes`]).
fn entry_bytes(e: &Entry) -> u64 {
    let payload = match &e.data {
        EntryData::Noop => 0,
        EntryData::Command(c) => {
            16 + match &c.op {
                Op::Read { .. } => 8,
                Op::Write { .. } => 16,
                Op::Cas { .. } => 24,
                Op::Get { key } => key.len() as u64,
                Op::Put { key, value } | Op::Append { key, value } => {
                    (key.len() + value.len()) as u64
                }
            }
        }
    };
    16 + payload
}

/// Whether an entry carries a client command (not a leader's no-op).
pub fn is_command(e: &Entry) -> bool {
    matches!(e.data, EntryData::Command(_))
}
