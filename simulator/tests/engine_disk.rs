//! The disk contract: unsynced writes die with a crash, synced ones survive,
//! syncs complete in the order they were asked for.

mod engine_common;

use engine_common::{DiskCheck, Toy, ToyConfig, ToyWorkload};
use scenarios::{FaultKind, Scenario};
use simulator::{run, run_with_options, RunOptions};

#[test]
fn a_crash_loses_unsynced_writes_and_keeps_synced_ones() {
    let mut s = Scenario::default();
    s.faults.kinds = vec![FaultKind::Crash];
    s.faults.interval_ms_min = 50;
    s.faults.interval_ms_max = 300;
    s.faults.duration_ms_min = 10;
    s.faults.duration_ms_max = 800;
    s.phases.faulty_ms = 5_000;
    s.phases.healing_ms = 500;
    let mut crashes = 0;
    let mut lossy = 0;
    for seed in 0..20 {
        let mut check = DiskCheck::default();
        // DiskCheck asserts, at every crash, that the durable log is a prefix
        // of what the node wrote and covers every acknowledged sync, and at
        // every restart that the node booted from exactly the durable log.
        let outcome = run::<Toy, _, _>(
            &s,
            &ToyConfig::default(),
            &mut check,
            &mut ToyWorkload::default(),
            seed,
            None,
        );
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
        assert_eq!(outcome.engine.crashes, check.crashes);
        assert_eq!(outcome.engine.restarts, check.restarts);
        assert_eq!(
            outcome.engine.crashes, outcome.engine.restarts,
            "everyone is back by the end"
        );
        assert!(check.all_up_at_finish);
        crashes += check.crashes;
        lossy += check.crashes_losing_records;
    }
    assert!(crashes >= 50, "{crashes} crashes");
    assert!(
        lossy > 10,
        "only {lossy} of {crashes} crashes lost unsynced records"
    );
}

#[test]
fn syncs_complete_in_the_order_asked_even_with_wide_latency() {
    // The toy node asserts FIFO completion in `durable`; a panic would be a
    // `panic` failure. Sync latency from 0 to 50 ms would reorder a non-FIFO disk.
    let mut s = Scenario::default();
    s.disk.sync_latency_ms_min = 0.0;
    s.disk.sync_latency_ms_max = 50.0;
    s.faults.enabled = false;
    s.phases.faulty_ms = 2_000;
    s.phases.healing_ms = 0;
    for seed in 0..10 {
        let options = RunOptions::draw(&s, seed);
        let outcome = run_with_options::<Toy, _, _>(
            &options,
            &ToyConfig::default(),
            &mut DiskCheck::default(),
            &mut ToyWorkload::default(),
            None,
        );
        assert!(outcome.passed(), "seed {seed}: {:?}", outcome.failure);
        assert!(outcome.engine.syncs > 400, "{} syncs", outcome.engine.syncs);
    }
}

#[test]
fn messages_to_a_crashed_node_are_lost_on_arrival() {
    let mut s = Scenario::default();
    s.faults.kinds = vec![FaultKind::Crash];
    s.faults.swarm = false;
    s.faults.duration_ms_min = 500;
    s.faults.duration_ms_max = 800;
    s.phases.faulty_ms = 3_000;
    s.phases.healing_ms = 500;
    let mut down = 0u64;
    let mut sink = |line: &str| down += u64::from(line.contains(" is down"));
    let outcome = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        8,
        Some(&mut sink),
    );
    assert!(outcome.passed(), "{:?}", outcome.failure);
    assert!(outcome.engine.crashes > 0);
    assert!(down > 10, "{down} messages reached a crashed node");
    assert!(outcome.engine.messages_dropped >= down);
}
