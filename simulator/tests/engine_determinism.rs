//! Determinism is a property we test: one seed, one run, on any thread.

mod engine_common;

use engine_common::{DiskCheck, Toy, ToyConfig, ToyWorkload};
use scenarios::Scenario;
use simulator::{run, RunOutcome};

fn outcome(scenario: &Scenario, config: &ToyConfig, seed: u64) -> RunOutcome {
    run::<Toy, _, _>(
        scenario,
        config,
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        seed,
        None,
    )
}

fn short() -> Scenario {
    let mut s = Scenario::default();
    s.phases.faulty_ms = 3_000;
    s.phases.healing_ms = 1_000;
    s
}

#[test]
fn same_seed_same_hash_and_outcome() {
    let s = short();
    let config = ToyConfig::default();
    for seed in 0..20 {
        let a = outcome(&s, &config, seed);
        let b = outcome(&s, &config, seed);
        assert!(a.passed(), "seed {seed}: {:?}", a.failure);
        assert!(a.events > 1000);
        assert_eq!(a, b, "seed {seed}");
    }
}

#[test]
fn same_seed_same_hash_on_two_threads_at_once() {
    let s = short();
    let config = ToyConfig::default();
    let alone: Vec<RunOutcome> = (0..16).map(|seed| outcome(&s, &config, seed)).collect();
    let (even, odd) = std::thread::scope(|scope| {
        let even = scope.spawn(|| {
            (0..16)
                .map(|seed| outcome(&s, &config, seed))
                .collect::<Vec<_>>()
        });
        let odd = scope.spawn(|| {
            (0..16)
                .rev()
                .map(|seed| outcome(&s, &config, seed))
                .collect::<Vec<_>>()
        });
        (even.join().unwrap(), odd.join().unwrap())
    });
    assert_eq!(alone, even);
    let mut odd = odd;
    odd.reverse();
    assert_eq!(alone, odd);
}

#[test]
fn different_seeds_differ() {
    let s = short();
    let config = ToyConfig::default();
    let mut hashes: Vec<u64> = (0..50)
        .map(|seed| outcome(&s, &config, seed).trace_hash)
        .collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), 50);
}

#[test]
fn a_node_drawing_more_does_not_shift_other_streams() {
    // The toy node's behaviour never depends on its own stream, so extra
    // draws there must leave the network's, nemesis' and driver's draws, and
    // thus the whole run, unchanged.
    let s = short();
    for seed in 0..10 {
        let quiet = outcome(&s, &ToyConfig::default(), seed);
        let chatty = ToyConfig {
            extra_draws: 7,
            ..ToyConfig::default()
        };
        assert_eq!(quiet, outcome(&s, &chatty, seed), "seed {seed}");
    }
}

#[test]
fn tracing_changes_nothing_but_prints_every_step() {
    let s = short();
    let config = ToyConfig::default();
    let mut lines: Vec<String> = Vec::new();
    let mut sink = |line: &str| lines.push(line.to_string());
    let traced = run::<Toy, _, _>(
        &s,
        &config,
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        5,
        Some(&mut sink),
    );
    assert_eq!(traced, outcome(&s, &config, 5));
    assert!(
        lines.len() as u64 >= traced.events,
        "{} lines, {} events",
        lines.len(),
        traced.events
    );
    assert!(lines
        .iter()
        .any(|l| l.contains("recv from n") && l.contains("Gossip { counter:")));
    assert!(lines.iter().any(|l| l.contains("durable sync")));
    assert!(lines.iter().any(|l| l.contains("healing begins")));
    assert!(lines[0].contains("ms "), "{}", lines[0]);
    assert!(lines.iter().any(|l| l.contains("ms n0  tick")));
    assert!(lines.iter().any(|l| l.contains(" invoke ToyRequest")));
    assert!(lines.iter().any(|l| l.contains("request from c")));
    assert!(lines
        .iter()
        .any(|l| l.contains(" reply from n0") && l.ends_with("-> Done")));
}

#[test]
#[ignore = "prints a trace for eyeballing"]
fn print_a_trace() {
    let mut s = short();
    s.phases.faulty_ms = 1_500;
    let mut sink = |line: &str| println!("{line}");
    println!("{:?}", simulator::RunOptions::draw(&s, 9));
    run::<Toy, _, _>(
        &s,
        &ToyConfig::default(),
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        9,
        Some(&mut sink),
    );
}
