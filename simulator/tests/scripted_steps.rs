//! Scripted steps on raft-core's cluster: expectations that must hold do,
//! and the same expectations fail when the world makes them false (so a
//! passing scenario is evidence, not a tautology); pauses, clock jumps and
//! symbolic targets do what they say; a script is deterministic per seed.

use scenarios::{parse, Scenario};
use simulator::raft::run_seed;
use simulator::{FailureKind, RunOutcome};

/// A 3-node, 6.824-timed cluster without random faults or loss, one client,
/// 10 s of faults (the script) and 1 s of healing; `steps` is TOML.
fn scenario(steps: &str) -> Scenario {
    let text = format!(
        r#"
[cluster]
nodes = 3
heartbeat_ticks = 10
election_timeout_ticks_min = 30
election_timeout_ticks_max = 60
pre_vote = false
[network]
latency = {{ kind = "uniform", min_ms = 0.1, max_ms = 2.0 }}
drop_ratio_max = 0.0
duplicate_ratio_max = 0.0
[faults]
enabled = false
swarm = false
[workload]
clients = 1
[phases]
faulty_ms = 10000
healing_ms = 1000
{steps}
"#
    );
    parse(&text, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}

fn run(s: &Scenario, seed: u64) -> RunOutcome {
    run_seed(s, seed, None)
}

fn trace(s: &Scenario, seed: u64) -> Vec<String> {
    let mut lines = Vec::new();
    run_seed(s, seed, Some(&mut |l: &str| lines.push(l.to_string())));
    lines
}

fn expectation_failure(outcome: &RunOutcome) -> String {
    let failure = outcome.failure.as_ref().expect("the run fails");
    assert_eq!(failure.kind, FailureKind::Expectation, "{failure:?}");
    failure.message.clone()
}

const LEADER: &str = r#"
[[steps]]
do = "expect"
that = "one-leader"
within_ms = 5000
"#;

#[test]
fn a_quorum_elects_and_a_lone_node_does_not() {
    let with_quorum = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "disconnect"
target = "leader"
as = "old"
[[steps]]
do = "expect"
that = "one-leader"
among = "!$old"
within_ms = 5000
"#
    ));
    for seed in 0..10 {
        assert!(run(&with_quorum, seed).passed(), "seed {seed}");
    }
    // Two of three disconnected: the one left cannot win an election.
    let without = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "disconnect"
target = ["leader", "follower"]
as = "two"
[[steps]]
do = "expect"
that = "one-leader"
among = "!$two"
within_ms = 3000
"#
    ));
    for seed in 0..5 {
        let message = expectation_failure(&run(&without, seed));
        assert!(
            message.contains("steps.2") && message.contains("one-leader"),
            "{message}"
        );
    }
}

#[test]
fn no_progress_fails_when_the_cluster_serves_and_holds_when_it_cannot() {
    let serving = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "expect"
that = "no-progress"
for_ms = 1000
"#
    ));
    let message = expectation_failure(&run(&serving, 1));
    assert!(message.contains("stopped holding"), "{message}");
    let cut = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "disconnect"
target = ["follower", "follower"]
[[steps]]
do = "expect"
that = "no-progress"
for_ms = 2000
"#
    ));
    for seed in 0..5 {
        // The script passes; liveness after healing passes too.
        assert!(
            run(&cut, seed).passed(),
            "seed {seed}: {:?}",
            run(&cut, seed).failure
        );
    }
}

#[test]
fn a_paused_leader_is_replaced_and_its_messages_wait() {
    let s = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "pause"
target = "leader"
as = "p"
[[steps]]
do = "expect"
that = "one-leader"
among = "!$p"
within_ms = 3000
[[steps]]
do = "resume"
[[steps]]
do = "wait"
ms = 1000
[[steps]]
do = "expect"
that = "caught-up"
within_ms = 2000
"#
    ));
    let outcome = run(&s, 3);
    assert!(outcome.passed(), "{:?}", outcome.failure);
    let lines = trace(&s, 3);
    assert!(lines.iter().any(|l| l.contains("tick (paused)")));
    assert!(lines
        .iter()
        .any(|l| l.contains("waits: n") && l.contains("is paused")));
    assert!(lines
        .iter()
        .any(|l| l.contains("resume (") && !l.contains("(0 events waited)")));
}

#[test]
fn a_clock_jump_makes_a_follower_campaign() {
    let jump = |ms: i64| {
        scenario(&format!(
            r#"{LEADER}
[[steps]]
do = "wait"
ms = 500
[[steps]]
do = "clock-jump"
target = "follower"
ms = {ms}
[[steps]]
do = "expect"
that = "same-term"
for_ms = 500
"#
        ))
    };
    // Without pre-vote, a follower whose clock leaps 2 s ahead times out and
    // starts an election at once: the term changes.
    let message = expectation_failure(&run(&jump(2_000), 2));
    assert!(message.contains("same-term"), "{message}");
    // A jump back only delays its timeouts: nothing changes.
    assert!(run(&jump(-2_000), 2).passed());
}

#[test]
fn scripts_are_deterministic_and_random_targets_vary_by_seed() {
    let s = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "repeat"
times = 3
[[steps.steps]]
do = "crash"
target = "follower"
[[steps.steps]]
do = "wait"
ms_min = 100
ms_max = 900
[[steps.steps]]
do = "restart"
"#
    ));
    let crashed = |seed| {
        trace(&s, seed)
            .into_iter()
            .filter(|l| l.contains("script") && l.contains("crash {"))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(&s, 9).trace_hash, run(&s, 9).trace_hash);
    assert_eq!(crashed(9), crashed(9));
    let distinct: std::collections::BTreeSet<Vec<String>> = (0..8).map(crashed).collect();
    assert!(distinct.len() > 1, "every seed crashed the same followers");
}

#[test]
fn a_script_longer_than_the_faulty_phase_is_reported() {
    let mut s = scenario(
        r#"
[[steps]]
do = "wait"
ms = 20000
"#,
    );
    s.phases.faulty_ms = 1000;
    let message = expectation_failure(&run(&s, 0));
    assert!(
        message.contains("faulty phase ended before the script"),
        "{message}"
    );
}

#[test]
fn a_target_leader_without_a_leader_is_reported() {
    let s = scenario(
        r#"
[[steps]]
do = "crash"
target = "leader"
"#,
    );
    let message = expectation_failure(&run(&s, 0));
    assert!(
        message.contains("no live node believes it leads"),
        "{message}"
    );
}

#[test]
fn with_check_quorum_an_isolated_leader_steps_down() {
    let steps = format!(
        r#"{LEADER}
[[steps]]
do = "isolate"
target = "leader"
as = "old"
[[steps]]
do = "expect"
that = "no-leader"
among = "$old"
within_ms = 1000
"#
    );
    let mut s = scenario(&steps);
    s.cluster.check_quorum = true;
    for seed in 0..5 {
        let o = run(&s, seed);
        assert!(o.passed(), "seed {seed}: {:?}", o.failure);
    }
    // Without it, the cut-off leader believes it leads until it hears of a
    // newer term, which it cannot.
    s.cluster.check_quorum = false;
    let message = expectation_failure(&run(&s, 0));
    assert!(message.contains("no-leader"), "{message}");
}

/// `transfer` hands leadership to the chosen node within a fraction of an
/// election timeout (300 ms here: no election could have done it), and the
/// same expectation fails without the step.
#[test]
fn a_transfer_moves_leadership_to_the_chosen_node() {
    let script = |act: &str| {
        scenario(&format!(
            r#"{LEADER}
[[steps]]
do = "wait"
ms = 500
[[steps]]
do = "{act}"
target = "follower"
as = "t"
[[steps]]
do = "expect"
that = "one-leader"
among = "$t"
within_ms = 150
"#
        ))
    };
    for seed in 0..5 {
        let outcome = run(&script("transfer"), seed);
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
    }
    let lines = trace(&script("transfer"), 0);
    assert!(lines.iter().any(|l| l.contains(": transfer n")), "traced");
    assert!(
        lines.iter().any(|l| l.contains("TimeoutNow")),
        "{}",
        lines.len()
    );
    // `pause` of the follower as the control: the leader stays.
    let message = expectation_failure(&run(&script("pause"), 0));
    assert!(message.contains("one-leader"), "{message}");
}

/// A transfer to a node that cannot be reached is given up after an
/// election timeout; the leader keeps leading and serving.
#[test]
fn a_transfer_to_an_unreachable_node_is_given_up() {
    let s = scenario(&format!(
        r#"{LEADER}
[[steps]]
do = "isolate"
target = "follower"
as = "t"
[[steps]]
do = "transfer"
target = "$t"
[[steps]]
do = "wait"
ms = 1000
[[steps]]
do = "expect"
that = "one-leader"
among = "!$t"
[[steps]]
do = "expect"
that = "progress"
within_ms = 2000
"#
    ));
    for seed in 0..5 {
        let outcome = run(&s, seed);
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
    }
}

/// Membership change through `reconfigure` steps: the spares join as
/// learners, then replace two voters, the leader among them, in one change
/// (through a joint configuration); the removed leader steps down, a new
/// one is elected among the new voters, and every operation is answered.
/// (The first change waits 200 ms after the election: a leader takes none
/// before it has committed an entry of its term.)
#[test]
fn reconfigure_replaces_the_leader_and_a_voter_with_two_learners() {
    // The helper's cluster with two spares: 3 voters of 5 nodes.
    let membership = |steps: &str| {
        let mut s = scenario(steps);
        s.cluster.nodes = 5;
        s.cluster.voters = Some(3);
        s.cluster.pre_vote = true;
        s.workload.clients = 2;
        s
    };
    let text = format!(
        r#"
{LEADER}
[[steps]]
do = "wait"
ms = 200
[[steps]]
do = "reconfigure"
add_learners = "spares"
[[steps]]
do = "wait"
ms = 500
[[steps]]
do = "reconfigure"
promote = "learners"
remove = ["leader", "voter"]
[[steps]]
do = "wait"
ms = 1500
[[steps]]
do = "expect"
that = "one-leader"
among = "voters"
within_ms = 2000
"#
    );
    let s = membership(&text);
    for seed in 0..5 {
        let outcome = run(&s, seed);
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
        assert_eq!(
            outcome.protocol.membership_changes, 3,
            "seed {seed}: learners, C_old,new, C_new committed"
        );
        assert!(outcome.protocol.leader_elections >= 2, "seed {seed}");
    }
    let lines = trace(&s, 0);
    let began: Vec<&String> = lines
        .iter()
        .filter(|l| l.contains("reconfigure on n") && l.contains("began"))
        .collect();
    assert_eq!(began.len(), 2, "{began:?}");
    assert!(began[1].contains("promote {n3, n4}"), "{}", began[1]);
    // The control: spares that never joined as learners cannot be removed
    // or promoted; both steps are refused and nothing changes.
    let refused = text
        .replace("add_learners = \"spares\"", "remove = \"spares\"")
        .replace("promote = \"learners\"", "promote = \"spares\"");
    let s = membership(&refused);
    let outcome = run(&s, 0);
    assert!(outcome.passed(), "{:?}", outcome.failure);
    assert_eq!(outcome.protocol.membership_changes, 0);
    let lines = trace(&s, 0);
    assert_eq!(
        lines
            .iter()
            .filter(|l| l.contains("reconfigure on n") && l.contains("refused: n"))
            .count(),
        2,
        "both refused, naming the node"
    );
}

/// With spares outside the configuration, the side that can serve is the
/// one with a majority of the voters, not of the machines: two of three
/// voters elect a leader and `one-leader` holds there, though the other
/// side has three of five machines (two of them spares).
#[test]
fn one_leader_counts_voters_not_machines() {
    let mut s = scenario(
        r#"
[[steps]]
do = "partition"
groups = [[0, 1], "rest"]
[[steps]]
do = "expect"
that = "one-leader"
within_ms = 3000
[[steps]]
do = "expect"
that = "one-leader"
among = [0, 1]
"#,
    );
    s.cluster.nodes = 5;
    s.cluster.voters = Some(3);
    for seed in 0..3 {
        let outcome = run(&s, seed);
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
    }
}
