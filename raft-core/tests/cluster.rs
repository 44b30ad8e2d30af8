//! raft-core driven by a tiny in-memory router: messages are delivered in
//! order, and every ready is made durable at once unless a test holds it.

use raft_core::{Bug, Bugs, Config, EntryData, HardState, MessageBody, Role, Snapshot};
use std::sync::Arc;

// The protocol is generic over its command type; these tests replicate numbers.
type Entry = raft_core::Entry<u64>;
type Message = raft_core::Message<u64>;
type RawNode = raft_core::RawNode<u64>;
type Ready = raft_core::Ready<u64>;
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn config(id: u64, n: u64, bugs: Bugs) -> Config {
    Config {
        id,
        voters: (0..n).collect(),
        peers: Vec::new(),
        election_timeout_ticks_min: 10,
        election_timeout_ticks_max: 20,
        heartbeat_ticks: 2,
        pre_vote: true,
        noop_on_election: true,
        check_quorum: false,
        lease_reads: false,
        clock_drift_bound_ppm: 0,
        max_inflight_msgs: 4,
        max_entries_per_msg: 3,
        snapshot_chunk_bytes: 64,
        bugs,
    }
}

fn node(id: u64, n: u64, hs: HardState, log: Vec<Entry>, bugs: Bugs) -> RawNode {
    RawNode::new(
        config(id, n, bugs),
        hs,
        log,
        Box::new(ChaCha8Rng::seed_from_u64(id)),
    )
}

struct Cluster {
    nodes: Vec<RawNode>,
    /// Messages in flight, delivered in order.
    wire: Vec<Message>,
    /// Links cut: messages to or from these nodes are dropped.
    down: Vec<bool>,
    applied: Vec<Vec<Entry>>,
    /// The last snapshot each node installed from a leader.
    installed: Vec<Option<Arc<Snapshot>>>,
}

impl Cluster {
    /// A fresh cluster of `n` whose configurations `adjust` changes.
    fn with(n: u64, bugs: Bugs, adjust: impl Fn(&mut Config)) -> Cluster {
        let mut c = Cluster::new(n);
        for i in 0..n {
            let mut cfg = config(i, n, bugs);
            adjust(&mut cfg);
            c.nodes[i as usize] = RawNode::new(
                cfg,
                HardState::default(),
                Vec::new(),
                Box::new(ChaCha8Rng::seed_from_u64(i)),
            );
        }
        c
    }

    fn new(n: u64) -> Cluster {
        Cluster {
            nodes: (0..n)
                .map(|i| node(i, n, HardState::default(), Vec::new(), Bugs::none()))
                .collect(),
            wire: Vec::new(),
            down: vec![false; n as usize],
            applied: vec![Vec::new(); n as usize],
            installed: vec![None; n as usize],
        }
    }

    /// Takes every ready of every node, making writes durable at once.
    fn flush(&mut self) {
        let mut rd = Ready::default();
        for i in 0..self.nodes.len() {
            while self.nodes[i].has_ready() {
                self.nodes[i].ready(&mut rd);
                self.wire.append(&mut rd.messages);
                if rd.restore_snapshot {
                    self.installed[i] = rd.snapshot.take();
                }
                self.applied[i].append(&mut rd.committed_entries);
                if rd.must_sync {
                    self.nodes[i].on_persisted(rd.number);
                    self.wire.append(&mut rd.persisted_messages);
                }
            }
        }
    }

    fn deliver_all(&mut self) {
        self.deliver_unless(|_| false);
    }

    /// Delivers every message until none is left, except those `lose` says
    /// are lost (it sees every message sent over an uncut link).
    fn deliver_unless(&mut self, mut lose: impl FnMut(&Message) -> bool) {
        self.deliver_copies(|m| usize::from(!lose(m)));
    }

    /// Delivers every message until none is left, each as many times as
    /// `copies` says (0: lost; it sees every message sent over an uncut
    /// link).
    fn deliver_copies(&mut self, mut copies: impl FnMut(&Message) -> usize) {
        for _ in 0..10_000 {
            self.flush();
            if self.wire.is_empty() {
                return;
            }
            for m in std::mem::take(&mut self.wire) {
                if self.down[m.from as usize] || self.down[m.to as usize] {
                    continue;
                }
                let (to, n) = (m.to as usize, copies(&m));
                for _ in 1..n {
                    self.nodes[to].step(m.clone());
                }
                if n > 0 {
                    self.nodes[to].step(m);
                }
            }
        }
        panic!("messages never settled");
    }

    fn tick_all(&mut self, ticks: usize) {
        self.tick_all_copies(ticks, |_| 1);
    }

    /// `ticks` rounds of a tick on every node, each followed by delivery
    /// as [`Cluster::deliver_unless`] does.
    fn tick_all_unless(&mut self, ticks: usize, mut lose: impl FnMut(&Message) -> bool) {
        self.tick_all_copies(ticks, |m| usize::from(!lose(m)));
    }

    /// `ticks` rounds of a tick on every node, each followed by delivery
    /// as [`Cluster::deliver_copies`] does.
    fn tick_all_copies(&mut self, ticks: usize, mut copies: impl FnMut(&Message) -> usize) {
        for _ in 0..ticks {
            for n in &mut self.nodes {
                n.tick();
            }
            self.deliver_copies(&mut copies);
        }
    }

    fn leaders(&self) -> Vec<u64> {
        self.nodes
            .iter()
            .filter(|n| n.role() == Role::Leader)
            .map(|n| n.id())
            .collect()
    }

    fn check(&self) {
        for n in &self.nodes {
            n.check_invariants();
        }
    }
}

#[test]
fn a_cluster_elects_one_leader_and_commits_everywhere() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1, "one leader: {leaders:?}");
    let l = leaders[0] as usize;
    for cmd in 1..=10 {
        c.nodes[l].propose(cmd).expect("the leader accepts");
    }
    c.deliver_all();
    c.tick_all(5);
    for (i, applied) in c.applied.iter().enumerate() {
        let cmds: Vec<u64> = applied
            .iter()
            .filter_map(|e| {
                if let EntryData::Command(x) = e.data {
                    Some(x)
                } else {
                    None
                }
            })
            .collect();
        assert_eq!(
            cmds,
            (1..=10).collect::<Vec<_>>(),
            "node {i} applied every command in order"
        );
    }
    c.check();
}

#[test]
fn followers_redirect_proposals_to_the_leader() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0];
    let f = (l as usize + 1) % 3;
    assert_eq!(c.nodes[f].propose(7), Err(Some(l)));
}

#[test]
fn votes_and_acknowledgements_wait_for_durability() {
    let mut n = node(1, 3, HardState::default(), Vec::new(), Bugs::none());
    n.step(Message {
        from: 0,
        to: 1,
        term: 1,
        body: MessageBody::Vote {
            pre: false,
            last_index: 0,
            last_term: 0,
        },
    });
    let mut rd = Ready::default();
    n.ready(&mut rd);
    assert!(
        rd.messages.is_empty(),
        "no answer may leave before the vote is durable"
    );
    assert_eq!(
        rd.hard_state,
        Some(HardState {
            term: 1,
            vote: Some(0)
        })
    );
    assert!(rd.must_sync);
    assert!(matches!(
        rd.persisted_messages[0].body,
        MessageBody::VoteResponse {
            pre: false,
            granted: true
        }
    ));

    let e = Entry {
        term: 1,
        index: 1,
        data: EntryData::Command(5),
    };
    n.step(Message {
        from: 0,
        to: 1,
        term: 1,
        body: MessageBody::Append {
            prev_index: 0,
            prev_term: 0,
            entries: vec![e.clone()],
            commit: 0,
        },
    });
    n.ready(&mut rd);
    assert!(rd.messages.is_empty());
    assert_eq!(rd.entries, vec![e]);
    assert!(matches!(
        rd.persisted_messages[0].body,
        MessageBody::AppendResponse {
            index: 1,
            reject: None
        }
    ));
}

#[test]
fn a_candidate_counts_its_own_vote_only_once_durable() {
    let mut n = node(0, 1, HardState::default(), Vec::new(), Bugs::none());
    for _ in 0..25 {
        n.tick();
    }
    assert_eq!(
        n.role(),
        Role::Candidate,
        "a single node cannot lead before its vote is durable"
    );
    let mut rd = Ready::default();
    n.ready(&mut rd);
    n.on_persisted(rd.number);
    assert_eq!(n.role(), Role::Leader);
}

#[test]
fn pre_vote_keeps_a_partitioned_node_from_raising_its_term() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    let f = (l + 1) % 3;
    let term = c.nodes[l].term();
    c.down[f] = true;
    c.tick_all(200);
    assert_eq!(
        c.nodes[f].term(),
        term,
        "pre-votes never won do not move the term"
    );
    c.down[f] = false;
    c.tick_all(20);
    assert_eq!(
        c.leaders(),
        vec![l as u64],
        "the rejoining node does not disrupt the leader"
    );
}

#[test]
fn fast_backtracking_repairs_a_divergent_follower() {
    // The follower holds 30 entries of term 1 that the leader never had.
    let stale: Vec<Entry> = (1..=30)
        .map(|i| Entry {
            term: 1,
            index: i,
            data: EntryData::Command(i),
        })
        .collect();
    let leader_log: Vec<Entry> = (1..=3)
        .map(|i| Entry {
            term: 2,
            index: i,
            data: EntryData::Command(100 + i),
        })
        .collect();
    let mut c = Cluster::new(3);
    c.nodes[0] = node(
        0,
        3,
        HardState {
            term: 2,
            vote: Some(0),
        },
        leader_log.clone(),
        Bugs::none(),
    );
    c.nodes[1] = node(
        1,
        3,
        HardState {
            term: 2,
            vote: Some(0),
        },
        leader_log,
        Bugs::none(),
    );
    c.nodes[2] = node(
        2,
        3,
        HardState {
            term: 1,
            vote: None,
        },
        stale,
        Bugs::none(),
    );
    c.down[1] = true;
    // Node 1 is cut off, so node 0 must win with node 2's vote, which it gets:
    // node 2's last term (1) is older than node 0's (2).
    c.tick_all(60);
    assert_eq!(c.leaders(), vec![0]);
    c.nodes[0].propose(999).unwrap();
    c.deliver_all();
    let log2 = c.nodes[2].log();
    assert_eq!(
        log2.last_index(),
        c.nodes[0].log().last_index(),
        "the follower's log was cut and rebuilt"
    );
    assert_eq!(log2.entry(1).map(|e| e.term), Some(2));
    c.check();
}

/// Raft section 5.4.2: a leader never commits an entry of an earlier term by
/// counting replicas; with the planted bug `figure8-commit` it does.
#[test]
fn entries_of_earlier_terms_commit_only_with_one_of_the_current_term() {
    for bugged in [false, true] {
        let bugs = if bugged {
            Bugs::none().with(Bug::Figure8Commit)
        } else {
            Bugs::none()
        };
        let old = vec![Entry {
            term: 1,
            index: 1,
            data: EntryData::Command(1),
        }];
        let mut cfg = config(0, 3, bugs);
        cfg.noop_on_election = false;
        let mut n = RawNode::new(
            cfg,
            HardState {
                term: 1,
                vote: None,
            },
            old,
            Box::new(ChaCha8Rng::seed_from_u64(0)),
        );
        let mut rd = Ready::default();
        for _ in 0..25 {
            n.tick();
        }
        // Win the pre-vote and the vote of term 2.
        n.step(Message {
            from: 1,
            to: 0,
            term: 2,
            body: MessageBody::VoteResponse {
                pre: true,
                granted: true,
            },
        });
        n.ready(&mut rd);
        n.on_persisted(rd.number);
        n.step(Message {
            from: 1,
            to: 0,
            term: 2,
            body: MessageBody::VoteResponse {
                pre: false,
                granted: true,
            },
        });
        assert_eq!(n.role(), Role::Leader);
        // Node 1 acknowledges entry 1 (term 1): a majority stores it.
        n.step(Message {
            from: 1,
            to: 0,
            term: 2,
            body: MessageBody::AppendResponse {
                index: 1,
                reject: None,
            },
        });
        let committed = n.log().committed;
        assert_eq!(committed, if bugged { 1 } else { 0 }, "bugged = {bugged}");
    }
}

impl Cluster {
    /// Takes ready read states of node `i` (flushing its other work too).
    fn read_states(&mut self, i: usize) -> (Vec<raft_core::ReadState>, Vec<u64>) {
        let mut rd = Ready::default();
        let (mut states, mut dropped) = (Vec::new(), Vec::new());
        while self.nodes[i].has_ready() {
            self.nodes[i].ready(&mut rd);
            self.wire.append(&mut rd.messages);
            self.applied[i].append(&mut rd.committed_entries);
            states.append(&mut rd.read_states);
            dropped.append(&mut rd.dropped_reads);
            if rd.must_sync {
                self.nodes[i].on_persisted(rd.number);
                self.wire.append(&mut rd.persisted_messages);
            }
        }
        (states, dropped)
    }

    fn deliver_collecting_reads(&mut self, i: usize) -> (Vec<raft_core::ReadState>, Vec<u64>) {
        let (mut states, mut dropped) = (Vec::new(), Vec::new());
        for _ in 0..1000 {
            let (s, d) = self.read_states(i);
            states.extend(s);
            dropped.extend(d);
            self.flush();
            if self.wire.is_empty() {
                break;
            }
            for m in std::mem::take(&mut self.wire) {
                if !self.down[m.from as usize] && !self.down[m.to as usize] {
                    self.nodes[m.to as usize].step(m);
                }
            }
        }
        (states, dropped)
    }
}

/// Thesis section 6.4: a read is confirmed by a heartbeat round at the
/// commit index of the moment it arrived.
#[test]
fn read_index_confirms_with_a_majority() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    c.nodes[l].propose(5).unwrap();
    c.deliver_all();
    let committed = c.nodes[l].log().committed;
    c.nodes[l].read_index(77).unwrap();
    let (states, dropped) = c.deliver_collecting_reads(l);
    assert_eq!(
        states,
        vec![raft_core::ReadState {
            ctx: 77,
            index: committed
        }]
    );
    assert!(dropped.is_empty());
    let f = (l + 1) % 3;
    assert_eq!(
        c.nodes[f].read_index(78),
        Err(Some(l as u64)),
        "followers redirect reads"
    );
}

#[test]
fn a_leader_cut_off_from_its_majority_confirms_no_read() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    c.nodes[l].propose(5).unwrap();
    c.deliver_all();
    for i in 0..3 {
        c.down[i] = i != l;
    }
    c.nodes[l].read_index(1).unwrap();
    let (states, _) = c.deliver_collecting_reads(l);
    assert!(states.is_empty(), "no majority answered: {states:?}");
}

/// Without a no-op on election a new leader has no entry of its term; a read
/// appends one and is confirmed only once it commits.
#[test]
fn a_read_waits_for_an_entry_of_the_leaders_term() {
    let mut c = Cluster::with(3, Bugs::none(), |cfg| cfg.noop_on_election = false);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    assert_eq!(c.nodes[l].log().last_index(), 0, "no no-op on election");
    c.nodes[l].read_index(9).unwrap();
    let (states, _) = c.deliver_collecting_reads(l);
    assert_eq!(
        c.nodes[l].log().last_index(),
        1,
        "the read appended a no-op"
    );
    assert_eq!(states, vec![raft_core::ReadState { ctx: 9, index: 1 }]);
}

/// A cluster of `n` whose nodes use lease reads with `drift_ppm` as the
/// clock-drift bound (election timeout 10 to 20 ticks, heartbeat every 2).
fn lease_cluster(n: u64, drift_ppm: u32, bugs: Bugs) -> Cluster {
    let mut c = Cluster::with(n, bugs, |cfg| {
        cfg.lease_reads = true;
        cfg.clock_drift_bound_ppm = drift_ppm;
    });
    c.tick_all(40);
    assert_eq!(c.leaders().len(), 1);
    c
}

/// Whether the leader, cut off from every follower right after a round of
/// ticks (its last heartbeat round, sent at most one tick ago, answered by
/// all) and then left alone for `ticks` ticks, still answers a lease read:
/// at once, with no message exchanged.
fn lease_read_after(drift_ppm: u32, bugs: Bugs, ticks: usize) -> bool {
    let mut c = lease_cluster(3, drift_ppm, bugs);
    let l = c.leaders()[0] as usize;
    c.nodes[l].propose(5).unwrap();
    c.tick_all(3);
    for i in 0..3 {
        c.down[i] = i != l;
    }
    for _ in 0..ticks {
        c.nodes[l].tick();
        c.deliver_all();
    }
    assert_eq!(c.nodes[l].role(), Role::Leader);
    c.nodes[l].read_lease(5).unwrap();
    let (states, _) = c.deliver_collecting_reads(l);
    !states.is_empty()
}

/// Thesis section 6.4.1. With a minimum election timeout of 10 ticks, a
/// follower that heard round r waits at least 9 ticks before voting; the
/// lease from sending r is 9 ticks with clocks that agree, and
/// floor(9 * 0.9 / 1.1) = 7 ticks when clocks may run 10 % fast or slow.
#[test]
fn a_lease_read_is_answered_without_a_round_until_the_lease_ends() {
    assert!(lease_read_after(0, Bugs::none(), 0), "at once");
    assert!(lease_read_after(0, Bugs::none(), 6), "within 9 ticks");
    assert!(!lease_read_after(0, Bugs::none(), 9), "not after 9 ticks");
    assert!(lease_read_after(100_000, Bugs::none(), 5), "within 7 ticks");
    assert!(
        !lease_read_after(100_000, Bugs::none(), 7),
        "drift shortens it"
    );
    // The planted bug takes the lease as if clocks agreed.
    let bug = Bugs::none().with(Bug::LeaseIgnoresDrift);
    assert!(lease_read_after(100_000, bug, 7), "lease-ignores-drift");
    // A lease read elsewhere than on the leader names the leader.
    let mut c = lease_cluster(3, 0, Bugs::none());
    let l = c.leaders()[0];
    let f = ((l + 1) % 3) as usize;
    assert_eq!(c.nodes[f].read_lease(1), Err(Some(l)));
}

/// The other half of the lease: a follower that hears from its leader grants
/// no vote (a vote request is not even answered, and does not raise its
/// term) until an election timeout has passed without the leader; nor does
/// a node for an election timeout after it restarts.
#[test]
fn votes_are_held_back_while_a_lease_may_hold() {
    let mut c = lease_cluster(3, 0, Bugs::none());
    let l = c.leaders()[0] as usize;
    let (f, g) = ((l + 1) % 3, (l + 2) % 3);
    let term = c.nodes[f].term();
    let last = c.nodes[f].log().last_index();
    let request = |pre: bool| Message {
        from: g as u64,
        to: f as u64,
        term: term + 1,
        body: MessageBody::Vote {
            pre,
            last_index: last + 10,
            last_term: term,
        },
    };
    let granted = |c: &mut Cluster| -> Vec<bool> {
        c.flush();
        std::mem::take(&mut c.wire)
            .into_iter()
            .filter_map(|m| match m.body {
                MessageBody::VoteResponse { granted, .. } => Some(granted),
                _ => None,
            })
            .collect()
    };
    c.nodes[f].step(request(false));
    assert_eq!(c.nodes[f].term(), term, "a vote request is ignored");
    assert_eq!(granted(&mut c), Vec::<bool>::new());
    c.nodes[f].step(request(true));
    assert_eq!(granted(&mut c), vec![false], "a pre-vote is refused");
    // Without the leader for an election timeout, both are granted.
    c.down[l] = true;
    for _ in 0..10 {
        c.nodes[f].tick();
    }
    c.wire.clear();
    c.nodes[f].step(request(true));
    assert_eq!(granted(&mut c), vec![true]);
    c.nodes[f].step(request(false));
    assert_eq!(granted(&mut c), vec![true]);

    // A restarted node waits an election timeout before it votes.
    let mut cfg = config(f as u64, 3, Bugs::none());
    cfg.lease_reads = true;
    let hs = HardState {
        term: term + 1,
        vote: None,
    };
    c.nodes[f] = RawNode::new(cfg, hs, Vec::new(), Box::new(ChaCha8Rng::seed_from_u64(9)));
    let mut later = request(false);
    later.term = term + 2;
    c.nodes[f].step(later.clone());
    assert_eq!(granted(&mut c), Vec::<bool>::new(), "just restarted");
    for _ in 0..10 {
        c.nodes[f].tick();
    }
    c.wire.clear();
    c.nodes[f].step(later);
    assert_eq!(granted(&mut c), vec![true]);
}

/// Thesis section 3.10: the leader brings the chosen follower up to date,
/// refuses proposals meanwhile, and tells it to campaign; it wins at once
/// (no pre-vote, no election timeout to wait for) with every entry.
#[test]
fn leadership_moves_to_the_chosen_node() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    let t = (l + 1) % 3;
    // The target falls behind.
    c.down[t] = true;
    for v in 0..5 {
        c.nodes[l].propose(v).unwrap();
    }
    c.deliver_all();
    c.down[t] = false;
    let term = c.nodes[l].term();
    assert!(c.nodes[t].log().last_index() < c.nodes[l].log().last_index());
    c.nodes[l].transfer_leader(t as u64).unwrap();
    assert_eq!(c.nodes[l].transferring_to(), Some(t as u64));
    assert_eq!(
        c.nodes[l].propose(9),
        Err(Some(t as u64)),
        "no proposals meanwhile"
    );
    // A heartbeat round lets the leader probe the target again (its
    // messages to the target were lost while it was cut off); the target
    // then catches up and campaigns, well within one election timeout.
    c.tick_all(4);
    assert_eq!(c.leaders(), vec![t as u64], "moved within 4 ticks");
    assert_eq!(c.nodes[t].term(), term + 1);
    assert_eq!(c.nodes[l].transferring_to(), None);
    c.nodes[t].propose(10).unwrap();
    c.tick_all(3);
    for i in 0..3 {
        let values: Vec<u64> = c.applied[i]
            .iter()
            .filter_map(|e| match e.data {
                EntryData::Command(v) => Some(v),
                _ => None,
            })
            .collect();
        assert_eq!(values, vec![0, 1, 2, 3, 4, 10], "node {i}");
    }
    c.check();
}

/// A transfer to a node that cannot be reached is given up after an
/// election timeout; the leader stays and takes proposals again. Only a
/// leader transfers, and only to another voter.
#[test]
fn a_transfer_that_cannot_finish_is_given_up() {
    let mut c = Cluster::new(3);
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    let t = (l + 1) % 3;
    c.down[t] = true;
    c.nodes[l].transfer_leader(t as u64).unwrap();
    c.tick_all(5);
    assert_eq!(c.nodes[l].propose(1), Err(Some(t as u64)));
    c.tick_all(5);
    assert_eq!(
        c.nodes[l].transferring_to(),
        None,
        "given up after 10 ticks"
    );
    assert!(c.nodes[l].propose(1).is_ok());
    assert_eq!(c.leaders(), vec![l as u64]);
    use raft_core::TransferError;
    assert_eq!(
        c.nodes[l].transfer_leader(l as u64),
        Err(TransferError::BadTarget(l as u64))
    );
    assert_eq!(
        c.nodes[l].transfer_leader(7),
        Err(TransferError::BadTarget(7))
    );
    let f = (l + 2) % 3;
    assert_eq!(
        c.nodes[f].transfer_leader(t as u64),
        Err(TransferError::NotLeader(Some(l as u64)))
    );
}

/// Found in review: once a transfer starts, the leader serves no lease read
/// for the rest of its term (the target campaigns without waiting, also on a
/// late TimeoutNow after the transfer was given up); and a follower's wait
/// after hearing its leader does not end when it learns of a higher term.
#[test]
fn a_transfer_ends_the_lease_for_the_term_and_a_new_term_does_not_end_the_wait() {
    let mut c = lease_cluster(3, 0, Bugs::none());
    let l = c.leaders()[0] as usize;
    let (t, f) = ((l + 1) % 3, (l + 2) % 3);
    c.down[t] = true;
    c.nodes[l].transfer_leader(t as u64).unwrap();
    c.tick_all(4); // heartbeat rounds, answered by f
    c.tick_all(10); // the transfer is given up
    assert_eq!(c.nodes[l].transferring_to(), None);
    c.tick_all(2);
    c.down[f] = true;
    c.nodes[l].read_lease(3).unwrap();
    let (states, _) = c.deliver_collecting_reads(l);
    assert!(states.is_empty(), "no lease after a transfer: {states:?}");

    let mut c = lease_cluster(3, 0, Bugs::none());
    let l = c.leaders()[0] as usize;
    let (f, g) = ((l + 1) % 3, (l + 2) % 3);
    let term = c.nodes[f].term();
    // A refusal from a higher term moves f on without a leader...
    c.nodes[f].step(Message {
        from: g as u64,
        to: f as u64,
        term: term + 1,
        body: MessageBody::VoteResponse {
            pre: false,
            granted: false,
        },
    });
    assert_eq!(c.nodes[f].term(), term + 1);
    // ... but it still grants no vote in that term.
    c.nodes[f].step(Message {
        from: g as u64,
        to: f as u64,
        term: term + 1,
        body: MessageBody::Vote {
            pre: false,
            last_index: 1000,
            last_term: term,
        },
    });
    c.flush();
    assert!(
        !c.wire
            .iter()
            .any(|m| matches!(m.body, MessageBody::VoteResponse { granted: true, .. })),
        "{:?}",
        c.wire
    );
}

/// A 3-node cluster whose follower `f` was cut off while the leader
/// committed 20 commands and compacted its log into a 300-byte snapshot (5
/// chunks of 64 bytes); `f` is connected again. Returns (cluster, leader, f).
fn cluster_with_a_compacted_leader(bugs: Bugs) -> (Cluster, usize, usize) {
    let mut c = Cluster::with(3, bugs, |_| {});
    c.tick_all(40);
    let l = c.leaders()[0] as usize;
    let f = (l + 1) % 3;
    c.down[f] = true;
    for v in 1..=20 {
        c.nodes[l].propose(v).unwrap();
    }
    c.deliver_all();
    c.tick_all(3);
    let applied = c.nodes[l].log().applied;
    assert!(applied >= 21, "the leader applied its commands: {applied}");
    assert!(c.nodes[l].compact(applied, Arc::from(vec![7u8; 300])));
    c.flush();
    assert_eq!(c.nodes[l].log().snapshot_index(), applied);
    assert!(c.nodes[l].log().entry(applied).is_none(), "compacted");
    c.down[f] = false;
    (c, l, f)
}

/// Offsets of the snapshot chunks `lose` saw sent to node `to`.
fn chunk_offsets(seen: &[Message], to: u64) -> Vec<u64> {
    seen.iter()
        .filter(|m| m.to == to)
        .filter_map(|m| match m.body {
            MessageBody::Snapshot { offset, .. } => Some(offset),
            _ => None,
        })
        .collect()
}

#[test]
fn a_lagging_follower_gets_the_snapshot_in_chunks_and_resumes_after_a_loss() {
    let (mut c, l, f) = cluster_with_a_compacted_leader(Bugs::none());
    let mut seen = Vec::new();
    let mut lost_one = false;
    c.tick_all_unless(30, |m| {
        seen.push(m.clone());
        let lose = !lost_one && matches!(m.body, MessageBody::Snapshot { offset: 128, .. });
        lost_one |= lose;
        lose
    });
    assert!(lost_one, "the third chunk was sent and lost");
    let offsets = chunk_offsets(&seen, f as u64);
    assert_eq!(
        offsets,
        vec![0, 64, 128, 128, 192, 256],
        "chunks in order, the lost one resent (from where the follower was), none from the start again"
    );
    let snap = c.installed[f]
        .clone()
        .expect("the follower installed the snapshot");
    assert_eq!(&snap.data[..], &[7u8; 300][..], "the bytes arrived whole");
    let (lf, ll) = (c.nodes[f].log(), c.nodes[l].log());
    assert_eq!(lf.snapshot_index(), ll.snapshot_index());
    assert_eq!(lf.last_index(), ll.last_index(), "and the entries after it");
    assert_eq!(lf.committed, ll.committed);
    assert!(
        c.applied[f]
            .iter()
            .all(|e| e.index == 1 || e.index > snap.index),
        "nothing below the snapshot is applied from the log (only the entry applied before the cut)"
    );
    // Replication goes on from the snapshot.
    c.nodes[l].propose(99).unwrap();
    c.deliver_all();
    c.tick_all(3);
    assert_eq!(
        c.applied[f].last().map(|e| e.data.clone()),
        Some(EntryData::Command(99))
    );
    c.check();
}

#[test]
fn a_follower_restarted_in_the_middle_of_a_snapshot_asks_for_it_from_the_start() {
    let (mut c, l, f) = cluster_with_a_compacted_leader(Bugs::none());
    let mut seen = Vec::new();
    // Deliver until the follower has taken two chunks, then lose what is
    // sent to it (it crashes with those two chunks in memory).
    c.tick_all_unless(10, |m| {
        seen.push(m.clone());
        chunk_offsets(&seen, f as u64).len() > 2 && m.to == f as u64
    });
    assert_eq!(chunk_offsets(&seen, f as u64)[..2], [0, 64]);
    assert!(c.installed[f].is_none());
    // Restart: every write was made durable at once, so the durable state
    // is its hard state and (empty) log; the chunks it held are gone.
    let hs = HardState {
        term: c.nodes[f].term(),
        vote: c.nodes[f].vote(),
    };
    assert_eq!(
        c.nodes[f].log().last_index(),
        1,
        "it held only the first entry"
    );
    let log = c.nodes[f].log().slice(1, 1).to_vec();
    c.nodes[f] = node(f as u64, 3, hs, log, Bugs::none());
    seen.clear();
    c.tick_all_unless(30, |m| {
        seen.push(m.clone());
        false
    });
    let offsets = chunk_offsets(&seen, f as u64);
    assert_eq!(
        offsets[1..],
        [0, 64, 128, 192, 256],
        "after the restart the follower holds nothing and asks from byte 0 (offsets sent: {offsets:?})"
    );
    assert!(c.installed[f].is_some());
    assert_eq!(c.nodes[f].log().last_index(), c.nodes[l].log().last_index());
    c.check();
}

#[test]
fn a_snapshot_older_than_the_commit_index_is_not_installed() {
    for bugs in [Bugs::none(), Bugs::none().with(Bug::SnapshotRegress)] {
        let (mut c, l, f) = cluster_with_a_compacted_leader(bugs);
        c.tick_all(30);
        let snapshot_index = c.nodes[l].log().snapshot_index();
        // The follower moves on past the snapshot and compacts its own log.
        for v in 100..110 {
            c.nodes[l].propose(v).unwrap();
        }
        c.deliver_all();
        c.tick_all(3);
        let committed = c.nodes[f].log().committed;
        assert!(committed > snapshot_index + 5);
        assert!(c.nodes[f].compact(committed, Arc::from(vec![8u8; 10])));
        c.flush();
        c.installed[f] = None;
        // A copy of the old snapshot arrives late.
        let term = c.nodes[l].term();
        let snapshot_term = c.nodes[l].log().snapshot_term();
        c.nodes[f].step(Message {
            from: l as u64,
            to: f as u64,
            term,
            body: MessageBody::Snapshot {
                index: snapshot_index,
                term: snapshot_term,
                offset: 0,
                data: vec![7u8; 300],
                done: true,
                membership: Arc::new(raft_core::Membership::new(vec![0, 1, 2])),
            },
        });
        c.flush();
        let log = c.nodes[f].log();
        if bugs.has(Bug::SnapshotRegress) {
            // The planted bug installs it: the log it had compacted past is
            // gone, and the commit index goes back with it.
            assert_eq!(log.snapshot_index(), snapshot_index);
            assert_eq!(log.committed, snapshot_index);
            assert!(c.installed[f].is_some());
        } else {
            assert_eq!(log.committed, committed, "nothing committed is lost");
            assert_eq!(log.snapshot_index(), committed, "its own snapshot stays");
            assert!(c.installed[f].is_none());
        }
        c.check();
    }
}

#[test]
fn duplicated_chunks_and_answers_do_not_multiply_the_chunks_sent() {
    let (mut c, l, f) = cluster_with_a_compacted_leader(Bugs::none());
    let mut seen = Vec::new();
    // The network duplicates every snapshot chunk and answer.
    c.tick_all_copies(30, |m| {
        seen.push(m.clone());
        match m.body {
            MessageBody::Snapshot { .. } | MessageBody::SnapshotResponse { .. } => 2,
            _ => 1,
        }
    });
    assert!(c.installed[f].is_some());
    assert_eq!(c.nodes[f].log().last_index(), c.nodes[l].log().last_index());
    let offsets = chunk_offsets(&seen, f as u64);
    for offset in [0, 64, 128, 192, 256] {
        let sent = offsets.iter().filter(|&&o| o == offset).count();
        assert_eq!(sent, 1, "chunk at {offset} sent {sent} times: {offsets:?}");
    }
}

// ---- Membership change (thesis chapter 4) ----

use raft_core::{ChangeError, Membership, MembershipChange};

/// Five machines, of which nodes 0, 1 and 2 form the initial configuration
/// and 3 and 4 wait outside it; a leader is elected among the voters.
fn cluster_with_spares(bugs: Bugs) -> (Cluster, usize) {
    let mut c = Cluster::with(5, bugs, |cfg| {
        cfg.voters = vec![0, 1, 2];
        cfg.peers = (0..5).collect();
    });
    c.tick_all(60);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1, "one leader: {leaders:?}");
    let l = leaders[0] as usize;
    assert!(l < 3, "only voters campaign");
    for spare in 3..5 {
        assert_eq!(c.nodes[spare].term(), 0, "n{spare} never campaigned");
        assert!(c.nodes[spare].log().last_index() == 0, "nor got the log");
    }
    (c, l)
}

fn change(add_learners: &[u64], promote: &[u64], remove: &[u64]) -> MembershipChange {
    MembershipChange {
        add_learners: add_learners.to_vec(),
        promote: promote.to_vec(),
        remove: remove.to_vec(),
    }
}

/// The configurations node `i` applied, in order.
fn applied_configs(c: &Cluster, i: usize) -> Vec<Membership> {
    c.applied[i]
        .iter()
        .filter_map(|e| match &e.data {
            EntryData::Membership(m) => Some(Membership::clone(m)),
            _ => None,
        })
        .collect()
}

fn sorted(mut ids: Vec<u64>) -> Vec<u64> {
    ids.sort_unstable();
    ids
}

/// Learners get the log and do not vote; a learner is promoted only once
/// caught up; swapping two of three voters goes through C_old,new, which
/// the leader follows with C_new once committed; the removed voters then
/// never campaign.
#[test]
fn two_voters_are_swapped_through_a_joint_configuration() {
    let (mut c, l) = cluster_with_spares(Bugs::none());
    for v in 1..=5 {
        c.nodes[l].propose(v).unwrap();
    }
    c.deliver_all();
    // Node 4 is cut off while both join as learners: it cannot catch up.
    c.down[4] = true;
    c.nodes[l]
        .propose_membership(&change(&[3, 4], &[], &[]))
        .unwrap();
    c.deliver_all();
    c.tick_all(3);
    assert_eq!(c.nodes[l].membership().learners, vec![3, 4]);
    assert_eq!(
        c.nodes[3].log().committed,
        c.nodes[l].log().committed,
        "the learner n3 has the log"
    );
    let others: Vec<u64> = (0..3).filter(|&v| v != l as u64).collect();
    let swap = change(&[], &[3, 4], &others);
    match c.nodes[l].propose_membership(&swap) {
        Err(ChangeError::Refused(why)) => assert!(why.contains("n4 has not caught up"), "{why}"),
        other => panic!("a lagging learner is not promoted: {other:?}"),
    }
    c.down[4] = false;
    c.tick_all(5);
    let index = c.nodes[l].propose_membership(&swap).unwrap();
    let joint = c.nodes[l].membership().clone();
    assert!(joint.is_joint(), "C_old,new first: {joint}");
    assert_eq!(sorted(joint.outgoing.clone()), vec![0, 1, 2]);
    assert_eq!(sorted(joint.voters.clone()), sorted(vec![l as u64, 3, 4]));
    assert_eq!(
        c.nodes[l].propose_membership(&change(&[], &[], &[3])),
        Err(ChangeError::Pending),
        "one change at a time"
    );
    c.deliver_all();
    c.tick_all(3);
    let new = c.nodes[l].membership().clone();
    assert!(!new.is_joint(), "then C_new: {new}");
    assert_eq!(sorted(new.voters.clone()), sorted(vec![l as u64, 3, 4]));
    assert!(
        c.nodes[l].log().committed > index,
        "both committed: {} {index}",
        c.nodes[l].log().committed
    );
    for i in 0..5 {
        let configs = applied_configs(&c, i);
        if i == l || i >= 3 {
            assert_eq!(configs.len(), 3, "n{i} applied learners, C_old,new, C_new");
            assert!(configs[1].is_joint() && !configs[2].is_joint());
        }
    }
    // The removed voters are sent nothing more (they may not even hear of
    // C_new), time out and pre-campaign, but cannot raise the term or
    // unseat the leader; the cluster works without them.
    let term = c.nodes[l].term();
    c.tick_all(200);
    assert_eq!(c.leaders(), vec![l as u64]);
    for &r in &others {
        assert_ne!(c.nodes[r as usize].role(), Role::Leader);
        assert_eq!(c.nodes[r as usize].term(), term);
    }
    c.nodes[l].propose(6).unwrap();
    c.deliver_all();
    c.tick_all(3);
    for i in [l, 3, 4] {
        assert_eq!(
            c.applied[i].last().map(|e| e.data.clone()),
            Some(EntryData::Command(6)),
            "n{i}"
        );
    }
    c.check();
}

/// The planted bug `config-change-no-joint` appends C_new at once: the
/// leader counts the new voters' majority from that moment.
#[test]
fn without_joint_consensus_the_new_configuration_is_used_at_once() {
    let (mut c, l) = cluster_with_spares(Bugs::none().with(Bug::ConfigChangeNoJoint));
    c.nodes[l]
        .propose_membership(&change(&[3, 4], &[], &[]))
        .unwrap();
    c.deliver_all();
    c.tick_all(3);
    let others: Vec<u64> = (0..3).filter(|&v| v != l as u64).collect();
    c.nodes[l]
        .propose_membership(&change(&[], &[3, 4], &others))
        .unwrap();
    let m = c.nodes[l].membership();
    assert!(!m.is_joint(), "no C_old,new: {m}");
    assert_eq!(sorted(m.voters.clone()), sorted(vec![l as u64, 3, 4]));
}

/// Thesis section 4.2.2: a leader removed from the configuration manages
/// the change (without counting itself in C_new) and steps down once C_new
/// commits; one of the remaining voters takes over.
#[test]
fn a_removed_leader_steps_down_once_the_new_configuration_commits() {
    let (mut c, l) = cluster_with_spares(Bugs::none());
    c.nodes[l].propose(1).unwrap();
    c.deliver_all();
    c.nodes[l]
        .propose_membership(&change(&[], &[], &[l as u64]))
        .unwrap();
    assert!(c.nodes[l].membership().is_joint());
    assert_eq!(c.leaders(), vec![l as u64], "it leads through C_old,new");
    c.deliver_all();
    assert!(!c.nodes[l].membership().is_voter(l as u64));
    c.tick_all(3);
    assert_eq!(c.nodes[l].role(), Role::Follower, "stepped down");
    c.tick_all(60);
    let leaders = c.leaders();
    assert_eq!(leaders.len(), 1);
    assert_ne!(leaders[0], l as u64);
    let new = leaders[0] as usize;
    c.nodes[new].propose(2).unwrap();
    c.deliver_all();
    c.tick_all(3);
    assert_eq!(
        c.applied[new].last().map(|e| e.data.clone()),
        Some(EntryData::Command(2))
    );
    assert_eq!(
        c.nodes[l].role(),
        Role::Follower,
        "it never campaigns again"
    );
    c.check();
}

/// A recovery path: a voter is removed while cut off, so it never hears of
/// its removal. When the partition heals it keeps campaigning with its old
/// configuration; with pre-vote it cannot even raise its term, and without
/// it its vote requests, of ever higher terms, are dropped while the
/// others hear their leader (thesis section 4.2.3), so it never unseats
/// the leader, and the cluster goes on without it.
#[test]
fn a_node_removed_while_partitioned_does_not_disrupt_the_cluster() {
    for pre_vote in [true, false] {
        let mut c = Cluster::with(5, Bugs::none(), |cfg| {
            cfg.voters = vec![0, 1, 2];
            cfg.peers = (0..5).collect();
            cfg.pre_vote = pre_vote;
        });
        c.tick_all(60);
        let l = c.leaders()[0] as usize;
        let gone = (l + 1) % 3;
        c.down[gone] = true;
        c.nodes[l]
            .propose_membership(&change(&[], &[], &[gone as u64]))
            .unwrap();
        c.deliver_all();
        c.tick_all(3);
        let m = c.nodes[l].membership().clone();
        assert!(
            !m.is_joint() && m.voters.len() == 2,
            "committed without it: {m}"
        );
        let term = c.nodes[l].term();
        // Cut off, it times out again and again.
        c.tick_all(100);
        assert!(
            c.nodes[gone].membership().is_voter(gone as u64),
            "it never heard"
        );
        if pre_vote {
            assert_eq!(c.nodes[gone].term(), term, "pre-vote: no term raised alone");
        } else {
            assert!(c.nodes[gone].term() > term, "it campaigned alone");
        }
        c.down[gone] = false;
        c.tick_all(200);
        assert_eq!(
            c.leaders(),
            vec![l as u64],
            "the leader stays (pre-vote {pre_vote})"
        );
        assert_eq!(c.nodes[l].term(), term, "in its term");
        c.nodes[l].propose(5).unwrap();
        c.deliver_all();
        c.tick_all(3);
        let rest = (l + 2) % 3;
        assert_eq!(
            c.applied[rest].last().map(|e| e.data.clone()),
            Some(EntryData::Command(5))
        );
        assert_ne!(
            c.applied[gone].last().map(|e| e.data.clone()),
            Some(EntryData::Command(5)),
            "the removed node is sent nothing"
        );
        c.check();
    }
}

/// A node uses the newest configuration in its log the moment it has it,
/// goes back when a conflicting append truncates it, and a restart (from
/// the log, or from a snapshot that covers it) keeps it.
#[test]
fn the_configuration_comes_from_the_log_and_the_snapshot() {
    let (mut c, l) = cluster_with_spares(Bugs::none());
    c.nodes[l]
        .propose_membership(&change(&[3], &[], &[]))
        .unwrap();
    c.deliver_all();
    c.tick_all(3);
    let f = (l + 1) % 3;
    assert_eq!(c.nodes[f].membership().learners, vec![3]);
    // Restart from the durable log (every write was durable at once).
    let hs = HardState {
        term: c.nodes[f].term(),
        vote: c.nodes[f].vote(),
    };
    let last = c.nodes[f].log().last_index();
    let log = c.nodes[f].log().slice(1, last).to_vec();
    let peers = |cfg: &mut Config| {
        cfg.voters = vec![0, 1, 2];
        cfg.peers = (0..5).collect();
    };
    let mut cfg = config(f as u64, 5, Bugs::none());
    peers(&mut cfg);
    let restarted = RawNode::new(cfg.clone(), hs, log, Box::new(ChaCha8Rng::seed_from_u64(9)));
    assert_eq!(restarted.membership().learners, vec![3]);
    // From a snapshot that covers the change, with no log after it.
    let applied = c.nodes[l].log().applied;
    assert!(c.nodes[l].compact(applied, Arc::from(vec![1u8; 8])));
    let snapshot = Snapshot::clone(c.nodes[l].snapshot().unwrap());
    assert_eq!(snapshot.membership.learners, vec![3]);
    cfg.id = l as u64;
    let hs = HardState {
        term: c.nodes[l].term(),
        vote: c.nodes[l].vote(),
    };
    let restored = RawNode::restore(
        cfg,
        hs,
        Some(snapshot),
        Vec::new(),
        Box::new(ChaCha8Rng::seed_from_u64(9)),
    );
    assert_eq!(restored.membership().learners, vec![3]);
    // An uncommitted configuration on a cut-off leader is used at once,
    // and undone when the next leader's log replaces it.
    c.down[(l + 1) % 3] = true;
    c.down[(l + 2) % 3] = true;
    c.nodes[l]
        .propose_membership(&change(&[4], &[], &[]))
        .unwrap();
    c.flush();
    assert_eq!(c.nodes[l].membership().learners, vec![3, 4]);
    c.wire.clear();
    c.down = vec![false, false, false, false, false];
    c.down[l] = true;
    c.tick_all(60);
    c.down[l] = false;
    let leaders: Vec<u64> = c.leaders().into_iter().filter(|&x| x != l as u64).collect();
    let new = leaders[0] as usize;
    c.nodes[new].propose(7).unwrap();
    c.tick_all(30);
    assert_eq!(c.nodes[l].role(), Role::Follower);
    assert_eq!(
        c.nodes[l].membership().learners,
        vec![3],
        "the uncommitted change was truncated with its entry"
    );
    c.check();
}
