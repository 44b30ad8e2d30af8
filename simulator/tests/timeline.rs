//! Recording a seed for the HTML report changes nothing about the seed (its
//! outcome, trace hash and history are those of an unrecorded run), and the
//! recording tells a consistent story: every node is in exactly one state at
//! every moment, messages arrive after they leave, faults end after they begin.

use scenarios::Scenario;
use simulator::raft::{run_seed_recorded, run_seed_with_history};

fn scenario(bugs: &[&str]) -> Scenario {
    let mut scenario = Scenario::default();
    scenario.cluster.bugs = bugs.iter().map(|b| b.to_string()).collect();
    scenario
}

#[test]
fn recording_changes_neither_outcome_nor_trace_hash_nor_history() {
    for bugs in [&[][..], &["follower-read"][..]] {
        let scenario = scenario(bugs);
        for seed in 0..4 {
            let (outcome, history) = run_seed_with_history(&scenario, seed, None);
            let recorded = run_seed_recorded(&scenario, seed, None);
            assert_eq!(recorded.outcome, outcome, "seed {seed} {bugs:?}");
            assert_eq!(recorded.history, history, "seed {seed} {bugs:?}");
        }
    }
}

#[test]
fn the_timeline_is_consistent() {
    let scenario = scenario(&["follower-read"]);
    let recorded = run_seed_recorded(&scenario, 0, None);
    let t = &recorded.timeline;
    assert_eq!(t.nodes, 5);
    assert_eq!(t.end_us, recorded.outcome.virtual_us);
    assert_eq!(t.healing_us, 10_000_000);
    for node in 0..t.nodes {
        let mut spans: Vec<_> = t.states.iter().filter(|s| s.node == node).collect();
        spans.sort_by_key(|s| s.from_us);
        assert_eq!(spans.first().map(|s| s.from_us), Some(0), "node {node}");
        assert_eq!(spans.last().map(|s| s.to_us), Some(t.end_us), "node {node}");
        for pair in spans.windows(2) {
            assert_eq!(
                pair[0].to_us, pair[1].from_us,
                "node {node}: no gap, no overlap"
            );
            assert_ne!(
                pair[0].state, pair[1].state,
                "node {node}: a span per change"
            );
        }
    }
    let leaders = t
        .states
        .iter()
        .filter(|s| s.state.name() == "leader")
        .count() as u64;
    assert!(leaders >= recorded.outcome.protocol.leader_elections.min(1));
    assert!(!t.flights.is_empty());
    let delivered = t.flights.iter().filter(|f| f.delivered).count() as u64;
    assert_eq!(delivered, recorded.outcome.engine.messages_delivered);
    assert!(t
        .flights
        .iter()
        .all(|f| f.sent_us <= f.at_us && f.from != f.to));
    assert!(t.flights.iter().any(|f| f.kind == "Append"));
    assert_eq!(
        t.faults.len() as u64,
        recorded.outcome.engine.partitions + recorded.outcome.engine.crashes
    );
    assert!(t
        .faults
        .iter()
        .all(|f| f.from_us <= f.to_us && f.to_us <= t.healing_us));
    assert!(t.faults.iter().all(|f| !f.label.is_empty()));
}

/// `raftsim shrink` starts from the seed's faults written out as explicit
/// steps (an isolated leader as `isolate leader?`): that scenario must be
/// the same run, seed for seed, failing or not.
#[test]
fn faults_written_out_as_steps_replay_the_same_run() {
    let text = scenarios::catalogue_text("leader-isolation").expect("in the catalogue");
    let mut scenario = scenarios::parse(text, "leader-isolation").expect("parses");
    scenario.cluster.bugs = vec!["figure8-commit".to_string()];
    let mut leader_steps = 0;
    for seed in 0..40 {
        let recorded = run_seed_recorded(&scenario, seed, None);
        let options = simulator::RunOptions::draw(&scenario, seed);
        let mut written = simulator::explicit::pinned(&scenario, &options);
        written.faults.enabled = false;
        written.steps = simulator::explicit::fault_steps(&recorded.timeline.timed_faults());
        leader_steps += written
            .steps
            .iter()
            .filter(|s| matches!(s, scenarios::StepSpec::Isolate { target, .. } if target.0 == [scenarios::Term::LeaderIfAny]))
            .count();
        let again = run_seed_recorded(&written, seed, None);
        assert_eq!(
            again.outcome.failure.as_ref().map(|f| &f.message),
            recorded.outcome.failure.as_ref().map(|f| &f.message),
            "seed {seed}"
        );
        // The events differ (a script waits where the nemesis drew), what
        // the clients saw does not.
        assert_eq!(again.history, recorded.history, "seed {seed}");
    }
    assert!(leader_steps > 100, "{leader_steps} isolate-leader steps");
}
