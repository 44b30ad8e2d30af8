//! The Raft state machine: its state, role transitions, and the dispatch of
//! incoming messages by term. Elections live in `election.rs`, log
//! replication in `replication.rs`; each is an `impl Raft` block of its own.

use crate::bugs::Bug;
use crate::config::Config;
use crate::log::RaftLog;
use crate::progress::Progress;
use crate::types::{
    Command, Entry, EntryData, HardState, Message, MessageBody, NodeId, Role, Snapshot,
};
use rand_core::RngCore;
use std::sync::Arc;

/// One node's protocol state. It computes only: time arrives as `tick`,
/// messages as `step`, and output is left in `msgs` and `msgs_after_persist`
/// for `RawNode` to hand out in a `Ready`.
pub struct Raft<C> {
    pub(crate) cfg: Config,
    pub(crate) term: u64,
    pub(crate) vote: Option<NodeId>,
    pub(crate) role: Role,
    pub(crate) leader: Option<NodeId>,
    pub(crate) log: RaftLog<C>,
    rng: Box<dyn RngCore + Send>,
    /// Ticks since the last reset of the election timer.
    pub(crate) election_elapsed: u32,
    /// This term's election timeout, drawn from the injected RNG.
    pub(crate) election_timeout_ticks: u32,
    pub(crate) heartbeat_elapsed: u32,
    /// The configuration in force (the newest in the log), with positions.
    pub(crate) members: crate::membership::Members,
    /// Votes received in the current (pre-)campaign, indexed like `cfg.peers`.
    pub(crate) votes: Vec<Option<bool>>,
    /// A leader's progress of every peer, indexed like `cfg.peers` (its own
    /// entry is unused: the leader counts its own durable log; so are those
    /// of non-members).
    pub(crate) progress: Vec<Progress>,
    /// Messages that may leave at once.
    pub(crate) msgs: Vec<Message<C>>,
    /// Messages that may leave only once every write handed out so far is
    /// durable (votes, vote answers, append answers).
    pub(crate) msgs_after_persist: Vec<Message<C>>,
    pub(crate) scratch: Vec<u64>,
    pub(crate) reads: crate::read_index::ReadIndex,
    /// Check-quorum: which peers a leader heard from in the current window
    /// (empty when not leading), and the window's ticks so far.
    pub(crate) heard_from: Vec<bool>,
    pub(crate) quorum_elapsed: u32,
    /// Ticks since this node (re)started.
    pub(crate) ticks: u64,
    /// Lease reads: a leader's heartbeat rounds of this leadership with the
    /// tick each was sent at, oldest first, from the newest one a majority
    /// answered (see `lease.rs`).
    pub(crate) lease_rounds: std::collections::VecDeque<(u64, u64)>,
    /// A leadership transfer under way: its target and the ticks since it
    /// began (`transfer.rs`).
    pub(crate) transfer: Option<(NodeId, u32)>,
    /// Lease reads: a leader that began a transfer serves no lease read for
    /// the rest of its term (the target campaigns without waiting, and a
    /// late `TimeoutNow` may make it campaign after the transfer is given
    /// up).
    pub(crate) lease_given_up: bool,
    /// Lease reads: `ticks` when this node last accepted a leader's append
    /// or heartbeat (0 at start); no vote for an election timeout after it.
    pub(crate) heard_leader_at: u64,
    /// The newest snapshot: what replaced the log up to its index, and what
    /// a follower that lacks compacted entries is sent (`snapshot.rs`).
    pub(crate) snapshot: Option<Arc<Snapshot>>,
    /// A snapshot being received (`snapshot.rs`).
    pub(crate) incoming: Option<crate::snapshot::Incoming>,
    /// A snapshot to hand out in the next ready: to be written, and, when
    /// received from a leader (`true`), restored by the application.
    pub(crate) new_snapshot: Option<(Arc<Snapshot>, bool)>,
}

impl<C: Command> Raft<C> {
    /// A node restarted from durable state: its hard state, its newest
    /// durable snapshot and the entries after it (or new, with empty state).
    pub fn new(
        mut cfg: Config,
        hs: HardState,
        snapshot: Option<Snapshot>,
        entries: Vec<Entry<C>>,
        rng: Box<dyn RngCore + Send>,
    ) -> Raft<C> {
        if let Err(e) = cfg.validate() {
            panic!("invalid raft config: {e}");
        }
        if cfg.peers.is_empty() {
            cfg.peers = cfg.voters.clone();
        }
        let n = cfg.peers.len();
        let mut r = Raft {
            term: hs.term,
            vote: hs.vote,
            role: Role::Follower,
            leader: None,
            log: match &snapshot {
                Some(s) => RaftLog::restore_after(s.index, s.term, entries),
                None => RaftLog::restore(entries),
            },
            rng,
            members: crate::membership::Members::unset(),
            election_elapsed: 0,
            election_timeout_ticks: cfg.election_timeout_ticks_min,
            heartbeat_elapsed: 0,
            votes: vec![None; n],
            progress: Vec::new(),
            msgs: Vec::new(),
            msgs_after_persist: Vec::new(),
            scratch: Vec::with_capacity(n),
            reads: crate::read_index::ReadIndex::new(n),
            heard_from: Vec::new(),
            quorum_elapsed: 0,
            ticks: 0,
            lease_rounds: std::collections::VecDeque::new(),
            transfer: None,
            lease_given_up: false,
            heard_leader_at: 0,
            snapshot: snapshot.map(Arc::new),
            incoming: None,
            new_snapshot: None,
            cfg,
        };
        // With the planted bug term-not-persisted the restored term is 0 under
        // a log of later terms: that is the bug, and the harness must find its
        // consequences (double votes, deposed leaders obeyed), not this check.
        if !r.cfg.bugs.has(Bug::TermNotPersisted) {
            assert!(
                r.log.last_term() <= r.term,
                "restored log has a term above the hard state's"
            );
        }
        r.refresh_members();
        r.reset_election_timer();
        r
    }

    pub fn id(&self) -> NodeId {
        self.cfg.id
    }

    pub(crate) fn hard_state(&self) -> HardState {
        HardState {
            term: self.term,
            vote: self.vote,
        }
    }

    /// The hard state as this node writes it to stable storage: all of it,
    /// unless a planted bug leaves a field out (`forget-vote`: the vote,
    /// `term-not-persisted`: the term, written as 0).
    pub(crate) fn hard_state_to_persist(&self) -> HardState {
        let mut hs = self.hard_state();
        if self.cfg.bugs.has(Bug::ForgetVote) {
            hs.vote = None;
        }
        if self.cfg.bugs.has(Bug::TermNotPersisted) {
            hs.term = 0;
        }
        hs
    }

    /// Appends an entry of the current term at the end of the log (a
    /// leader's proposal or no-op) and returns its index.
    pub(crate) fn append_own(&mut self, data: EntryData<C>) -> u64 {
        // A leader's term is at least its log's last term. Only a node that
        // forgot its term on restart (term-not-persisted) can lead a term
        // below it; it then appends as such an implementation would, and the
        // harness must see the consequences (two leaders of a term).
        if !self.cfg.bugs.has(Bug::TermNotPersisted) {
            assert!(
                self.term >= self.log.last_term(),
                "terms in a log never decrease"
            );
        }
        let index = self.log.last_index() + 1;
        self.log.append(Entry {
            term: self.term,
            index,
            data,
        });
        index
    }

    /// Position of `id` in the peer list if it is a member (a leader's
    /// answers from anyone else are ignored).
    pub(crate) fn member_index(&self, id: NodeId) -> Option<usize> {
        let i = self.peer_index(id)?;
        self.members.targets.contains(&i).then_some(i)
    }

    /// Position of `id` in the peer list.
    pub(crate) fn peer_index(&self, id: NodeId) -> Option<usize> {
        self.cfg.peers.iter().position(|&v| v == id)
    }

    pub(crate) fn send(&mut self, to: NodeId, body: MessageBody<C>) {
        let m = Message {
            from: self.cfg.id,
            to,
            term: self.term,
            body,
        };
        self.msgs.push(m);
    }

    pub(crate) fn send_after_persist(&mut self, to: NodeId, body: MessageBody<C>) {
        let m = Message {
            from: self.cfg.id,
            to,
            term: self.term,
            body,
        };
        self.msgs_after_persist.push(m);
    }

    /// Sends an answer that acknowledges state (a vote, stored entries): only
    /// once that state is durable, unless the planted bug `ack-before-sync`
    /// sends it at once, while the write is still in flight.
    pub(crate) fn send_ack(&mut self, to: NodeId, body: MessageBody<C>) {
        if self.cfg.bugs.has(Bug::AckBeforeSync) {
            self.send(to, body);
        } else {
            self.send_after_persist(to, body);
        }
    }

    /// Restarts the election timer with a fresh random timeout in
    /// `[min, max]` ticks (section 5.2: randomisation makes split votes rare).
    /// The planted bug `no-election-jitter` uses the minimum every time.
    pub(crate) fn reset_election_timer(&mut self) {
        self.election_elapsed = 0;
        if self.cfg.bugs.has(Bug::NoElectionJitter) {
            self.election_timeout_ticks = self.cfg.election_timeout_ticks_min;
            return;
        }
        let span =
            u64::from(self.cfg.election_timeout_ticks_max - self.cfg.election_timeout_ticks_min)
                + 1;
        self.election_timeout_ticks =
            self.cfg.election_timeout_ticks_min + (self.rng.next_u64() % span) as u32;
    }

    pub(crate) fn become_follower(&mut self, term: u64, leader: Option<NodeId>) {
        self.step_down(term, leader);
        self.reset_election_timer();
    }

    /// [`Raft::become_follower`] without restarting the election timer: for
    /// a message of a higher term that is neither from a leader nor a vote
    /// this node grants. Figure 2 restarts the timer only for the current
    /// leader's appends and for granted votes; restarting it whenever a
    /// candidate shows a higher term lets a node with a stale log, campaigning
    /// again and again, keep the one node that could win from ever timing out
    /// (found by the catalogue's Persist22C, pre-vote off).
    pub(crate) fn step_down(&mut self, term: u64, leader: Option<NodeId>) {
        assert!(term >= self.term, "a node never goes back in term");
        if term > self.term {
            self.term = term;
            self.vote = None;
        }
        self.role = Role::Follower;
        self.leader = leader;
        self.progress.clear();
        self.heard_from.clear();
        self.lease_rounds.clear();
        self.transfer = None;
        self.lease_given_up = false;
        self.reads.abandon();
    }

    /// One tick of the node's clock.
    pub fn tick(&mut self) {
        self.ticks += 1;
        if self.role == Role::Leader {
            self.heartbeat_elapsed += 1;
            if self.heartbeat_elapsed >= self.cfg.heartbeat_ticks {
                self.heartbeat_elapsed = 0;
                self.broadcast_heartbeat();
            }
            self.tick_check_quorum();
            self.tick_transfer();
        } else {
            // Learners and nodes outside the configuration do not campaign,
            // but their time since hearing a leader runs on: a pre-vote
            // refused for hearing one must not be refused for ever.
            self.election_elapsed = self.election_elapsed.saturating_add(1);
            if self.election_elapsed >= self.election_timeout_ticks && self.can_campaign() {
                self.campaign(self.cfg.pre_vote);
            }
        }
    }

    /// Handles one message. First by term (Figure 2, "Rules for servers"),
    /// then by kind.
    pub fn step(&mut self, m: Message<C>) {
        if m.to != self.cfg.id || self.peer_index(m.from).is_none() {
            return;
        }
        // Lease reads: no vote while a leader's lease may hold (lease.rs).
        // A pre-vote is answered (refused) below; a vote is not answered.
        if matches!(m.body, MessageBody::Vote { pre: false, .. })
            && m.from != self.cfg.id
            && self.votes_held_back()
        {
            return;
        }
        // Thesis section 4.2.3: a node removed from the configuration may
        // never hear so, and campaigns again and again; while a leader is
        // heard from, its vote requests are dropped rather than let it
        // depose the leader with its higher term (pre-votes are refused
        // below for the same reason).
        if matches!(m.body, MessageBody::Vote { pre: false, .. })
            && !self.members.membership.is_voter(m.from)
            && (self.role == Role::Leader
                || (self.leader.is_some()
                    && self.election_elapsed < self.cfg.election_timeout_ticks_min))
        {
            return;
        }
        if m.term > self.term {
            match m.body {
                // A pre-vote request or a granted pre-vote carries a future term
                // that nobody has campaigned in: it must not move our term.
                MessageBody::Vote { pre: true, .. }
                | MessageBody::VoteResponse {
                    pre: true,
                    granted: true,
                } => {}
                MessageBody::Append { .. }
                | MessageBody::Heartbeat { .. }
                | MessageBody::Snapshot { .. } => self.become_follower(m.term, Some(m.from)),
                _ => self.step_down(m.term, None),
            }
        } else if m.term < self.term {
            self.step_stale(m);
            return;
        }
        self.note_active(m.from);
        match m.body {
            MessageBody::Vote {
                pre,
                last_index,
                last_term,
            } => self.handle_vote(m.from, m.term, pre, last_index, last_term),
            MessageBody::VoteResponse { pre, granted } => {
                self.handle_vote_response(m.from, pre, granted)
            }
            MessageBody::Append {
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                if self.accept_leader(m.from) {
                    self.handle_append(m.from, prev_index, prev_term, entries, commit);
                }
            }
            MessageBody::AppendResponse { index, reject } => {
                self.handle_append_response(m.from, index, reject)
            }
            MessageBody::Heartbeat { commit, read_round } => {
                if self.accept_leader(m.from) {
                    self.handle_heartbeat(m.from, commit, read_round);
                }
            }
            MessageBody::HeartbeatResponse { read_round } => {
                self.handle_heartbeat_response(m.from, read_round)
            }
            MessageBody::TimeoutNow => self.handle_timeout_now(m.from),
            MessageBody::Snapshot {
                index,
                term,
                offset,
                data,
                done,
                membership,
            } => {
                if self.accept_leader(m.from) {
                    let snapshot = (index, term, membership);
                    self.handle_snapshot(m.from, snapshot, offset, data, done);
                }
            }
            MessageBody::SnapshotResponse { index, received } => {
                self.handle_snapshot_response(m.from, index, received)
            }
        }
    }

    /// A message from an older term. A stale leader is told the current term so
    /// that it steps down (otherwise, with pre-vote, it could lead forever in
    /// its minority); a pre-candidate likewise. Everything else is dropped.
    fn step_stale(&mut self, m: Message<C>) {
        match m.body {
            MessageBody::Append { .. }
            | MessageBody::Heartbeat { .. }
            | MessageBody::Snapshot { .. } => {
                self.send(
                    m.from,
                    MessageBody::AppendResponse {
                        index: 0,
                        reject: None,
                    },
                );
            }
            MessageBody::Vote { pre: true, .. } => {
                self.send(
                    m.from,
                    MessageBody::VoteResponse {
                        pre: true,
                        granted: false,
                    },
                );
            }
            _ => {}
        }
    }

    /// An append or heartbeat of the current term names its sender as leader.
    /// Returns false if this node itself leads (two leaders in one term can only
    /// come from a broken protocol; the simulator's election-safety check
    /// reports it, so the message is ignored here rather than asserted).
    fn accept_leader(&mut self, from: NodeId) -> bool {
        if self.role == Role::Leader {
            return false;
        }
        if self.role != Role::Follower || self.leader != Some(from) {
            self.become_follower(self.term, Some(from));
        }
        self.election_elapsed = 0;
        self.heard_leader_at = self.ticks;
        true
    }

    /// Checks the ordering invariants of the whole state; panics naming the
    /// one that broke.
    pub fn check_invariants(&self) {
        self.log.check_invariants();
        self.reads.check_invariants();
        // term-not-persisted restarts a node at term 0 under a log of later
        // terms, and it may then lead a term below its log's and append
        // there; the consequences are for the harness's checks to find.
        if !self.cfg.bugs.has(Bug::TermNotPersisted) {
            self.log.check_term_order();
            assert!(
                self.log.last_term() <= self.term,
                "raft: log term {} above current term {}",
                self.log.last_term(),
                self.term
            );
        }
        match self.role {
            Role::Leader => {
                assert_eq!(
                    self.vote,
                    Some(self.cfg.id),
                    "raft: a leader voted for itself"
                );
                assert_eq!(
                    self.leader,
                    Some(self.cfg.id),
                    "raft: a leader knows it leads"
                );
                assert_eq!(
                    self.progress.len(),
                    self.cfg.peers.len(),
                    "raft: a leader tracks every peer"
                );
                for &i in &self.members.targets {
                    let p = &self.progress[i];
                    p.check_invariants();
                    assert!(
                        p.next_index <= self.log.last_index() + 1,
                        "raft: next index past the leader's log"
                    );
                }
            }
            Role::Candidate => assert_eq!(
                self.vote,
                Some(self.cfg.id),
                "raft: a candidate voted for itself"
            ),
            Role::Follower | Role::PreCandidate => assert!(
                self.progress.is_empty(),
                "raft: only a leader tracks progress"
            ),
        }
        assert_eq!(
            self.members.version,
            self.log.config_version(),
            "raft: the configuration in use is the newest in the log"
        );
        if matches!(self.role, Role::Candidate | Role::PreCandidate) {
            assert!(
                self.can_campaign(),
                "raft: a node that may not campaign is a candidate"
            );
        }
    }
}
