//! Each planted bug of [`raft_core::Bug`] at the protocol level: with the
//! switch on, a node makes the mistake the bug names; with it off, the same
//! steps give the correct behaviour. These tests check that the switches do
//! what they say; that the harness finds the bugs is shown from seeds.

use raft_core::{Bug, Bugs, Config, EntryData, HardState, MessageBody, Role};
use rand_chacha::rand_core::SeedableRng;
use rand_chacha::ChaCha8Rng;

type Entry = raft_core::Entry<u64>;
type Message = raft_core::Message<u64>;
type RawNode = raft_core::RawNode<u64>;
type Ready = raft_core::Ready<u64>;

fn bugs(bug: Bug, on: bool) -> Bugs {
    if on {
        Bugs::none().with(bug)
    } else {
        Bugs::none()
    }
}

fn config(id: u64, voters: u64, bugs: Bugs) -> Config {
    Config {
        id,
        voters: (0..voters).collect(),
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
        max_entries_per_msg: 8,
        snapshot_chunk_bytes: 64,
        bugs,
    }
}

fn node(id: u64, voters: u64, hs: HardState, log: Vec<Entry>, bugs: Bugs) -> RawNode {
    RawNode::new(
        config(id, voters, bugs),
        hs,
        log,
        Box::new(ChaCha8Rng::seed_from_u64(id)),
    )
}

fn entries(term: u64, indices: std::ops::RangeInclusive<u64>) -> Vec<Entry> {
    indices
        .map(|index| Entry {
            term,
            index,
            data: EntryData::Command(index),
        })
        .collect()
}

fn msg(from: u64, to: u64, term: u64, body: MessageBody<u64>) -> Message {
    Message {
        from,
        to,
        term,
        body,
    }
}

fn vote(pre: bool, last_index: u64, last_term: u64) -> MessageBody<u64> {
    MessageBody::Vote {
        pre,
        last_index,
        last_term,
    }
}

/// Takes the node's ready and makes its writes durable at once.
fn persist(n: &mut RawNode) -> Ready {
    let mut rd = Ready::default();
    n.ready(&mut rd);
    if rd.must_sync {
        n.on_persisted(rd.number);
    }
    rd
}

/// Every answer the ready holds, sent now or after the write.
fn answers(rd: &Ready) -> Vec<&MessageBody<u64>> {
    rd.messages
        .iter()
        .chain(&rd.persisted_messages)
        .map(|m| &m.body)
        .collect()
}

fn granted(rd: &Ready) -> bool {
    answers(rd)
        .iter()
        .any(|b| matches!(b, MessageBody::VoteResponse { granted: true, .. }))
}

/// Figure 2: `votedFor` is persisted before the vote is answered, so a node
/// that restarts after voting for node 0 refuses node 2 in the same term.
/// With `forget-vote` the written hard state lacks the vote, and the
/// restarted node votes again.
#[test]
fn forget_vote_lets_a_restarted_node_vote_twice_in_one_term() {
    for on in [false, true] {
        let b = bugs(Bug::ForgetVote, on);
        let mut n = node(1, 3, HardState::default(), Vec::new(), b);
        n.step(msg(0, 1, 1, vote(false, 0, 0)));
        let rd = persist(&mut n);
        assert!(granted(&rd), "the first candidate gets the vote");
        let written = rd
            .hard_state
            .expect("the term changed: a hard state is written");
        assert_eq!(written.term, 1);
        assert_eq!(written.vote, if on { None } else { Some(0) }, "on = {on}");

        // Crash and restart from what was written; node 2 asks in term 1.
        let mut n = node(1, 3, written, Vec::new(), b);
        n.step(msg(2, 1, 1, vote(false, 0, 0)));
        let rd = persist(&mut n);
        assert_eq!(granted(&rd), on, "a second vote in term 1, on = {on}");
        n.check_invariants();
    }
}

/// Section 5.4.1: a voter refuses a candidate whose log is less up to date
/// than its own. With `vote-any-log` it grants the vote (and the pre-vote).
#[test]
fn vote_any_log_grants_votes_to_a_candidate_with_a_shorter_log() {
    for on in [false, true] {
        let b = bugs(Bug::VoteAnyLog, on);
        let hs = HardState {
            term: 1,
            vote: None,
        };
        // The voter holds entries 1..=3 of term 1; the candidate only 1..=2.
        let mut n = node(1, 3, hs, entries(1, 1..=3), b);
        n.step(msg(0, 1, 2, vote(true, 2, 1)));
        let rd = persist(&mut n);
        assert_eq!(granted(&rd), on, "pre-vote, on = {on}");
        n.step(msg(0, 1, 2, vote(false, 2, 1)));
        let rd = persist(&mut n);
        assert_eq!(granted(&rd), on, "vote, on = {on}");
        assert_eq!(n.vote(), if on { Some(0) } else { None });
        n.check_invariants();
    }
}

/// Figure 2, AppendEntries receiver rule 3: existing entries are deleted only
/// where they conflict with new ones, so an append older than what the
/// follower holds changes nothing. With `truncate-on-append` it cuts the log
/// after the append's entries.
#[test]
fn truncate_on_append_lets_a_stale_append_erase_entries() {
    for on in [false, true] {
        let b = bugs(Bug::TruncateOnAppend, on);
        let hs = HardState {
            term: 1,
            vote: Some(0),
        };
        let mut n = node(1, 3, hs, entries(1, 1..=5), b);
        // A delayed append of the leader of term 1 carrying only entry 2.
        let stale = MessageBody::Append {
            prev_index: 1,
            prev_term: 1,
            entries: entries(1, 2..=2),
            commit: 0,
        };
        n.step(msg(0, 1, 1, stale));
        let rd = persist(&mut n);
        assert!(matches!(
            answers(&rd)[..],
            [MessageBody::AppendResponse {
                index: 2,
                reject: None
            }]
        ));
        assert_eq!(n.log().last_index(), if on { 2 } else { 5 }, "on = {on}");
        assert_eq!(
            rd.entries.len(),
            usize::from(on),
            "only the bug rewrites entry 2"
        );
        n.check_invariants();
    }
}

/// Figure 2: persistent state is on stable storage before a node answers.
/// raft-core holds vote and append answers in `persisted_messages`; with
/// `ack-before-sync` they are in `messages`, free to leave before the write.
#[test]
fn ack_before_sync_answers_before_the_write_is_durable() {
    for on in [false, true] {
        let b = bugs(Bug::AckBeforeSync, on);
        let mut n = node(1, 3, HardState::default(), Vec::new(), b);
        let mut rd = Ready::default();
        n.step(msg(0, 1, 1, vote(false, 0, 0)));
        n.ready(&mut rd);
        assert!(rd.must_sync, "the vote must still be written");
        assert!(rd.hard_state.is_some());
        let (now, after) = (rd.messages.len(), rd.persisted_messages.len());
        assert_eq!(
            (now, after),
            if on { (1, 0) } else { (0, 1) },
            "vote, on = {on}"
        );
        n.on_persisted(rd.number);

        let append = MessageBody::Append {
            prev_index: 0,
            prev_term: 0,
            entries: entries(1, 1..=2),
            commit: 0,
        };
        n.step(msg(0, 1, 1, append));
        n.ready(&mut rd);
        assert_eq!(rd.entries.len(), 2);
        let ack_now = rd.messages.iter().any(|m| {
            matches!(
                m.body,
                MessageBody::AppendResponse {
                    index: 2,
                    reject: None
                }
            )
        });
        assert_eq!(ack_now, on, "append, on = {on}");
        assert_eq!(rd.persisted_messages.is_empty(), on);
        n.check_invariants();
    }
}

/// Makes node 0 of five the leader of term 1 (with its no-op at index 1
/// durable) by answering its pre-vote and vote with nodes 1 and 2.
fn elect_leader_of_five(b: Bugs) -> RawNode {
    let mut n = node(0, 5, HardState::default(), Vec::new(), b);
    for _ in 0..25 {
        n.tick();
    }
    assert_eq!(n.role(), Role::PreCandidate);
    for from in [1, 2] {
        let granted = MessageBody::VoteResponse {
            pre: true,
            granted: true,
        };
        n.step(msg(from, 0, 1, granted));
    }
    persist(&mut n);
    for from in [1, 2] {
        let granted = MessageBody::VoteResponse {
            pre: false,
            granted: true,
        };
        n.step(msg(from, 0, 1, granted));
    }
    assert_eq!(n.role(), Role::Leader);
    persist(&mut n);
    assert_eq!(n.log().last_index(), 1, "the leader's no-op");
    n
}

/// Section 5.3: an entry commits once a majority stores it (the leader and
/// two followers of five). With `commit-index-lag` it waits for every voter.
#[test]
fn commit_index_lag_waits_for_every_voter() {
    for on in [false, true] {
        let mut n = elect_leader_of_five(bugs(Bug::CommitIndexLag, on));
        let ack = MessageBody::AppendResponse {
            index: 1,
            reject: None,
        };
        for from in [1, 2] {
            n.step(msg(from, 0, 1, ack.clone()));
        }
        assert_eq!(
            n.log().committed,
            if on { 0 } else { 1 },
            "a majority, on = {on}"
        );
        n.step(msg(3, 0, 1, ack.clone()));
        assert_eq!(n.log().committed, if on { 0 } else { 1 }, "four of five");
        n.step(msg(4, 0, 1, ack));
        assert_eq!(n.log().committed, 1, "every voter stores it");
        n.check_invariants();
    }
}

/// Ticks a new node until it starts a (pre-)campaign.
fn ticks_to_campaign(id: u64, b: Bugs) -> u32 {
    let mut n = node(id, 5, HardState::default(), Vec::new(), b);
    for t in 1..=100 {
        n.tick();
        if n.role() != Role::Follower {
            return t;
        }
    }
    panic!("node {id} never campaigned");
}

/// Section 5.2: election timeouts are drawn at random from [min, max], so
/// nodes time out at different moments. With `no-election-jitter` every node
/// times out after the minimum, together.
#[test]
fn no_election_jitter_gives_every_node_the_same_timeout() {
    for on in [false, true] {
        let b = bugs(Bug::NoElectionJitter, on);
        let mut timeouts: Vec<u32> = (0..5).map(|id| ticks_to_campaign(id, b)).collect();
        assert!(timeouts.iter().all(|t| (10..=20).contains(t)));
        timeouts.sort_unstable();
        timeouts.dedup();
        if on {
            assert_eq!(timeouts, vec![10], "every node times out at the minimum");
        } else {
            assert!(timeouts.len() > 1, "random timeouts differ: {timeouts:?}");
        }
    }
}

/// Figure 2 and section 5.1: `currentTerm` is persisted, so a restarted node
/// keeps rejecting a leader it knows was deposed. With `term-not-persisted`
/// the term is written as 0, and the restarted node obeys the deposed leader
/// of term 2 although its own log holds entries of term 3.
#[test]
fn term_not_persisted_lets_a_restarted_node_obey_a_deposed_leader() {
    for on in [false, true] {
        let b = bugs(Bug::TermNotPersisted, on);
        let hs = HardState {
            term: 2,
            vote: None,
        };
        let mut n = node(1, 3, hs, entries(1, 1..=2), b);
        // The leader of term 3 replicates entry 3 of its term.
        let append = MessageBody::Append {
            prev_index: 2,
            prev_term: 1,
            entries: entries(3, 3..=3),
            commit: 0,
        };
        n.step(msg(0, 1, 3, append));
        let rd = persist(&mut n);
        let written = rd.hard_state.expect("the term changed");
        assert_eq!(written.term, if on { 0 } else { 3 }, "on = {on}");

        // Restart from what was written, with the durable log.
        let mut n = node(
            1,
            3,
            written,
            entries(1, 1..=2)
                .into_iter()
                .chain(entries(3, 3..=3))
                .collect(),
            b,
        );
        n.check_invariants();
        // The leader of term 2, deposed, sends its entry 3 of term 2.
        let stale = MessageBody::Append {
            prev_index: 2,
            prev_term: 1,
            entries: entries(2, 3..=3),
            commit: 0,
        };
        n.step(msg(2, 1, 2, stale));
        let rd = persist(&mut n);
        let accepted = answers(&rd).iter().any(|b| {
            matches!(
                b,
                MessageBody::AppendResponse {
                    index: 3,
                    reject: None
                }
            )
        });
        assert_eq!(accepted, on, "the deposed leader is obeyed, on = {on}");
        let term3 = n.log().entry(3).map(|e| e.term);
        assert_eq!(term3, Some(if on { 2 } else { 3 }), "entry 3 overwritten");
        n.check_invariants();
    }
}
