//! Phases, limits, panics, observer failures and clock drift.

mod engine_common;

use engine_common::{DiskCheck, Toy, ToyConfig, ToyWorkload};
use scenarios::{FaultKind, Scenario};
use simulator::{run, run_with_options, FailureKind, RunOptions};

#[test]
fn healing_restarts_crashed_nodes_and_stops_faults() {
    let mut s = Scenario::default();
    s.faults.kinds = vec![FaultKind::Crash];
    s.faults.swarm = false;
    s.faults.interval_ms_min = 10;
    s.faults.interval_ms_max = 20;
    s.faults.duration_ms_min = 5_000;
    s.faults.duration_ms_max = 5_000;
    s.phases.faulty_ms = 1_000;
    s.phases.healing_ms = 1_000;
    let mut check = DiskCheck::default();
    let outcome = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut check,
        &mut ToyWorkload::default(),
        1,
        None,
    );
    assert!(outcome.passed(), "{:?}", outcome.failure);
    // The one crash lasts past the faulty phase, so healing restarts it.
    assert_eq!(outcome.engine.crashes, 1);
    assert_eq!(check.restarts_in_healing, 1);
    assert!(check.all_up_at_finish);
    assert_eq!(outcome.virtual_us, 2_000_000);
}

#[test]
fn healing_stops_loss_and_duplication() {
    let mut s = Scenario::default();
    s.faults.enabled = false;
    s.faults.swarm = false;
    s.network.drop_ratio_max = 0.5;
    s.network.duplicate_ratio_max = 0.5;
    s.phases.faulty_ms = 0;
    s.phases.healing_ms = 1_000;
    let outcome = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        2,
        None,
    );
    assert!(outcome.passed());
    assert_eq!(outcome.engine.messages_dropped, 0);
    assert_eq!(outcome.engine.messages_duplicated, 0);
    s.phases.faulty_ms = 1_000;
    let faulty = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        2,
        None,
    );
    assert!(faulty.engine.messages_dropped > 100);
    assert!(faulty.engine.messages_duplicated > 100);
}

#[test]
fn the_event_budget_is_a_limit_failure() {
    let mut s = Scenario::default();
    s.limits.max_events = 1_000;
    let outcome = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        3,
        None,
    );
    let failure = outcome.failure.expect("a limit");
    assert_eq!(failure.kind, FailureKind::Limit);
    assert!(
        failure.message.contains("event budget"),
        "{}",
        failure.message
    );
    assert_eq!(outcome.events, 1_000);
    assert_eq!(failure.at_us, outcome.virtual_us);
}

#[test]
fn too_many_messages_in_flight_is_a_limit_failure() {
    let mut s = Scenario::default();
    s.limits.max_in_flight_messages = 3;
    let config = ToyConfig {
        broadcast: true,
        ..ToyConfig::default()
    };
    let outcome = run::<Toy, _, _>(
        &s,
        &config,
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        3,
        None,
    );
    let failure = outcome.failure.expect("a limit");
    assert_eq!(failure.kind, FailureKind::Limit);
    assert!(failure.message.contains("in flight"), "{}", failure.message);
}

#[test]
fn a_panicking_node_is_a_panic_failure() {
    let config = ToyConfig {
        panic_at_tick: Some(50),
        ..ToyConfig::default()
    };
    let s = Scenario::default();
    let a = run::<Toy, _, _>(
        &s,
        &config,
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        4,
        None,
    );
    let failure = a.failure.clone().expect("a panic");
    assert_eq!(failure.kind, FailureKind::Panic);
    assert!(
        failure.message.starts_with("toy panic at tick 50 (at "),
        "{}",
        failure.message
    );
    assert!(
        failure.at_us > 400_000 && failure.at_us < 600_000,
        "{}",
        failure.at_us
    );
    assert_eq!(
        a,
        run::<Toy, _, _>(
            &s,
            &config,
            &mut DiskCheck::default(),
            &mut ToyWorkload::default(),
            4,
            None
        )
    );
}

#[test]
fn an_observer_error_ends_the_run_at_that_step() {
    let s = Scenario::default();
    let mut check = DiskCheck {
        fail_at_us: Some(1_234_000),
        ..DiskCheck::default()
    };
    let outcome = run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut check,
        &mut ToyWorkload::default(),
        5,
        None,
    );
    let failure = outcome.failure.expect("the observer's failure");
    assert_eq!(failure.kind, FailureKind::Safety);
    assert!(failure.at_us >= 1_234_000 && failure.at_us < 1_300_000);
    assert_eq!(outcome.virtual_us, failure.at_us);
    assert_eq!(check.steps_after_failure, 0, "no step after the failure");
    assert!(
        check.ticks_at_finish.is_empty(),
        "finish is not called after a failure"
    );
}

#[test]
fn drift_changes_tick_counts_within_bounds() {
    let mut s = Scenario::default();
    s.faults.enabled = false;
    s.phases.faulty_ms = 10_000;
    s.phases.healing_ms = 0;
    let mut options = RunOptions::draw(&s, 6);
    options.drift_ppm = vec![-100_000, -10_000, 0, 10_000, 100_000];
    let mut check = DiskCheck::default();
    let outcome = run_with_options::<Toy, _, _>(
        &options,
        &ToyConfig::default(),
        &mut check,
        &mut ToyWorkload::default(),
        None,
    );
    assert!(outcome.passed());
    let end_us = 10_000_000f64;
    for (node, &ticks) in check.ticks_at_finish.iter().enumerate() {
        let period_us = 10_000.0 * (1.0 + f64::from(options.drift_ppm[node]) / 1e6);
        let expected = end_us / period_us;
        assert!(
            (ticks as f64 - expected).abs() <= 1.0,
            "node {node}: {ticks} ticks, expected {expected}"
        );
    }
    let t = &check.ticks_at_finish;
    assert!(
        t[0] > t[1] && t[1] > t[2] && t[2] > t[3] && t[3] > t[4],
        "{t:?}"
    );

    // Drawn drifts stay within the scenario's bound.
    s.clock.drift_ppm_max = 50_000;
    for seed in 0..20 {
        let mut check = DiskCheck::default();
        run::<Toy, _, _>(
            &s,
            &ToyConfig::default(),
            &mut check,
            &mut ToyWorkload::default(),
            seed,
            None,
        );
        for &ticks in &check.ticks_at_finish {
            assert!((951..=1054).contains(&ticks), "seed {seed}: {ticks} ticks");
        }
    }
}
