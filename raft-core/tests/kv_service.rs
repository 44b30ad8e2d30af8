//! The KV service on an in-memory cluster: messages delivered in order, every
//! write durable at once.

use raft_core::kv::{Command, KvService, Op, Output, ReadMode, Response};
use raft_core::{Bug, Bugs, Config, HardState, Message, Ready, Role, Snapshot};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

struct Cluster {
    nodes: Vec<KvService>,
    wire: Vec<Message<Command>>,
    down: Vec<bool>,
    replies: Vec<(u64, Response)>,
}

fn service(id: u64, n: u64, bugs: Bugs) -> KvService {
    KvService::new(
        config(id, n, bugs),
        ReadMode::ReadIndex,
        HardState::default(),
        Vec::new(),
        Box::new(ChaCha8Rng::seed_from_u64(id)),
    )
}

fn config(id: u64, n: u64, bugs: Bugs) -> Config {
    Config {
        id,
        voters: (0..n).collect(),
        peers: Vec::new(),
        election_timeout_ticks_min: 10,
        election_timeout_ticks_max: 20,
        heartbeat_ticks: 2,
        pre_vote: true,
        noop_on_election: false,
        check_quorum: false,
        lease_reads: false,
        clock_drift_bound_ppm: 0,
        max_inflight_msgs: 4,
        max_entries_per_msg: 8,
        snapshot_chunk_bytes: 64,
        bugs,
    }
}

impl Cluster {
    fn new(n: u64, bugs: Bugs) -> Cluster {
        Cluster {
            nodes: (0..n).map(|i| service(i, n, bugs)).collect(),
            wire: Vec::new(),
            down: vec![false; n as usize],
            replies: Vec::new(),
        }
    }

    fn flush(&mut self) {
        let mut rd = Ready::default();
        for n in &mut self.nodes {
            while n.has_ready() {
                n.ready(&mut rd);
                self.wire.append(&mut rd.messages);
                if rd.must_sync {
                    n.on_persisted(rd.number);
                    self.wire.append(&mut rd.persisted_messages);
                }
                n.take_replies(&mut self.replies);
            }
            n.take_replies(&mut self.replies);
        }
    }

    fn settle(&mut self) {
        for _ in 0..10_000 {
            self.flush();
            if self.wire.is_empty() {
                return;
            }
            for m in std::mem::take(&mut self.wire) {
                if !self.down[m.from as usize] && !self.down[m.to as usize] {
                    self.nodes[m.to as usize].step(m);
                }
            }
        }
        panic!("never settled");
    }

    fn tick(&mut self, ticks: usize) {
        for _ in 0..ticks {
            for (i, n) in self.nodes.iter_mut().enumerate() {
                if !self.down[i] {
                    n.tick();
                }
            }
            self.settle();
        }
    }

    /// Crashes node `i` and restarts it from its durable state: writes are
    /// durable at once here, so that is its hard state, its newest snapshot
    /// and the entries after it.
    fn restart(&mut self, i: usize, snapshot_log_bytes: u64) {
        let n = self.nodes.len() as u64;
        let raw = self.nodes[i].raw();
        let hs = HardState {
            term: raw.term(),
            vote: raw.vote(),
        };
        let snapshot = raw.snapshot().map(|s| Snapshot::clone(s));
        let log = raw.log();
        let entries = log
            .slice(log.snapshot_index() + 1, log.last_index())
            .to_vec();
        let bugs = Bugs::none();
        self.nodes[i] = KvService::restore(
            config(i as u64, n, bugs),
            ReadMode::ReadIndex,
            hs,
            snapshot,
            entries,
            Box::new(ChaCha8Rng::seed_from_u64(100 + i as u64)),
        )
        .with_snapshots(snapshot_log_bytes);
    }

    fn leader(&self) -> usize {
        let ls: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| !self.down[i] && self.nodes[i].raw().role() == Role::Leader)
            .collect();
        assert_eq!(ls.len(), 1, "one live leader: {ls:?}");
        ls[0]
    }

    fn ask(&mut self, node: usize, addr: u64, cmd: Command) -> Vec<(u64, Response)> {
        self.nodes[node].request(addr, cmd);
        self.settle();
        self.tick(3);
        std::mem::take(&mut self.replies)
    }
}

fn done(seq: u64, out: Output) -> Response {
    Response::Done {
        seq,
        reply: Ok(out),
    }
}

#[test]
fn a_follower_redirects_to_the_leader() {
    let mut c = Cluster::new(3, Bugs::none());
    c.tick(40);
    let l = c.leader();
    let f = (l + 1) % 3;
    let r = c.ask(f, 7, Command::new(1, 1, Op::Write { key: 1, value: 5 }));
    assert_eq!(
        r,
        vec![(
            7,
            Response::NotLeader {
                seq: 1,
                leader: Some(l as u64)
            }
        )]
    );
}

#[test]
fn writes_apply_and_reads_see_them_through_read_index() {
    let mut c = Cluster::new(3, Bugs::none());
    c.tick(40);
    let l = c.leader();
    assert_eq!(
        c.ask(l, 7, Command::new(1, 1, Op::Write { key: 1, value: 5 })),
        vec![(7, done(1, Output::Written))]
    );
    assert_eq!(
        c.ask(l, 7, Command::new(1, 2, Op::Read { key: 1 })),
        vec![(7, done(2, Output::ReadValue(Some(5))))]
    );
}

/// Thesis section 6.3: a request retried at a new leader after the old one
/// committed it is answered from the session table, not executed twice.
#[test]
fn a_retry_at_a_new_leader_is_not_executed_twice() {
    for bugged in [false, true] {
        let bugs = if bugged {
            Bugs::none().with(Bug::NoDedup)
        } else {
            Bugs::none()
        };
        let mut c = Cluster::new(3, bugs);
        c.tick(40);
        let l = c.leader();
        let append = Command::new(
            1,
            1,
            Op::Append {
                key: "k".into(),
                value: "x".into(),
            },
        );
        assert_eq!(
            c.ask(l, 7, append.clone()),
            vec![(7, done(1, Output::AppendOk))]
        );
        // The answer was lost; the old leader fails; the client retries elsewhere.
        c.down[l] = true;
        c.tick(60);
        let l2 = c.leader();
        assert_ne!(l2, l);
        assert_eq!(c.ask(l2, 7, append), vec![(7, done(1, Output::AppendOk))]);
        let get = Command::new(2, 1, Op::Get { key: "k".into() });
        let expected = if bugged { "xx" } else { "x" };
        assert_eq!(
            c.ask(l2, 8, get),
            vec![(8, done(1, Output::GetValue(expected.into())))],
            "bugged = {bugged}"
        );
    }
}

#[test]
fn follower_read_bug_answers_from_a_lagging_replica() {
    let mut c = Cluster::new(3, Bugs::none().with(Bug::FollowerRead));
    c.tick(40);
    let l = c.leader();
    let f = (l + 1) % 3;
    c.down[f] = true;
    assert_eq!(
        c.ask(l, 7, Command::new(1, 1, Op::Write { key: 1, value: 5 })),
        vec![(7, done(1, Output::Written))]
    );
    let r = c.nodes[f].state().int(1);
    assert_eq!(r, None, "the cut-off follower never saw the write");
    c.nodes[f].request(9, Command::new(2, 1, Op::Read { key: 1 }));
    let mut out = Vec::new();
    c.nodes[f].take_replies(&mut out);
    assert!(
        matches!(out[0].1, Response::Done { reply: Err(_), .. }),
        "a stale answer: key not found, {out:?}"
    );
}

/// Recovery path "snapshot, then crash": every node compacts its log into
/// snapshots, all crash and restart from snapshot plus log; the state and
/// the session table come back, so a request retried across the crash is
/// answered from its session, not executed again.
#[test]
fn after_snapshots_and_a_crash_of_every_node_state_and_sessions_come_back() {
    const BYTES: u64 = 200;
    let mut c = Cluster::new(3, Bugs::none());
    c.nodes = std::mem::take(&mut c.nodes)
        .into_iter()
        .map(|s| s.with_snapshots(BYTES))
        .collect();
    c.tick(40);
    let l = c.leader();
    let append = |seq: u64| {
        Command::new(
            1,
            seq,
            Op::Append {
                key: "k".into(),
                value: format!("{seq};").into(),
            },
        )
    };
    for seq in 1..=12 {
        assert_eq!(
            c.ask(l, 7, append(seq)),
            vec![(7, done(seq, Output::AppendOk))]
        );
    }
    let expected: String = (1..=12).map(|s| format!("{s};")).collect();
    for n in &c.nodes {
        let log = n.raw().log();
        assert!(log.snapshot_index() > 0, "every node compacted its log");
        assert!(log.bytes() < BYTES, "and keeps it under the bound");
        assert_eq!(
            n.state().string("k").map(|v| v.to_string()),
            Some(expected.clone())
        );
    }
    let last_in_snapshot = c.nodes[l].raw().snapshot().map(|s| s.index).unwrap();
    let session = c.nodes[l].state().sessions().get(1).cloned().unwrap();
    assert_eq!(session.seq, 12);
    for i in 0..3 {
        c.restart(i, BYTES);
        assert_eq!(
            c.nodes[i].state().applied_index(),
            c.nodes[i].raw().log().snapshot_index(),
            "node {i} starts from its snapshot"
        );
        assert!(c.nodes[i].state().sessions().get(1).is_some() || last_in_snapshot < session.index);
    }
    c.tick(60);
    let l = c.leader();
    // The answer to seq 12 was lost in the crash; the client retries it.
    assert_eq!(
        c.ask(l, 7, append(12)),
        vec![(7, done(12, Output::AppendOk))]
    );
    let get = Command::new(2, 1, Op::Get { key: "k".into() });
    assert_eq!(
        c.ask(l, 8, get),
        vec![(8, done(1, Output::GetValue(expected.as_str().into())))],
        "the retry was not executed again"
    );
    for n in &c.nodes {
        assert_eq!(
            n.state().string("k").map(|v| v.to_string()),
            Some(expected.clone())
        );
        n.check_invariants();
    }
}
