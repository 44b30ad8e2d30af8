//! Throughput of whole seeds of the default scenario (5 nodes, faults on, the
//! faulty and healing phases), run in parallel as `raftsim run` runs them.
//!
//! Criterion reports seeds per second (throughput elements); events per
//! second and the virtual/wall ratio are printed once before measuring.
//! A second group checks the same seeds' histories alone, so that the share
//! of a seed's time spent checking linearizability is the ratio of the two.
//! `RAFTSIM_BENCH_SEEDS` sets the batch size (default 1000).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use scenarios::Scenario;
use std::time::Instant;

fn batch() -> u64 {
    std::env::var("RAFTSIM_BENCH_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
}

fn run_batch(scenario: &Scenario, seeds: u64) -> (u64, u64) {
    (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let o = simulator::raft::run_seed(scenario, seed, None);
            assert!(o.passed(), "seed {seed} failed: {:?}", o.failure);
            (o.events, o.virtual_us)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

fn seeds(c: &mut Criterion) {
    let scenario = Scenario::default();
    let n = batch();
    let start = Instant::now();
    let (events, virtual_us) = run_batch(&scenario, n);
    let wall = start.elapsed().as_secs_f64();
    eprintln!(
        "default scenario, {n} seeds on {} threads: {:.0} seeds/s, {:.2} M events/s, {:.0} events/seed, virtual/wall {:.0}x",
        rayon::current_num_threads(),
        n as f64 / wall,
        events as f64 / wall / 1e6,
        events as f64 / n as f64,
        virtual_us as f64 / 1e6 / wall,
    );
    let mut g = c.benchmark_group("default-scenario");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function(format!("{n}-seeds"), |b| b.iter(|| run_batch(&scenario, n)));
    g.finish();

    let histories: Vec<(Vec<checker::Operation>, u64)> = (0..n)
        .into_par_iter()
        .map(|seed| {
            let (o, ops) = simulator::raft::run_seed_with_history(&scenario, seed, None);
            (ops, o.virtual_us)
        })
        .collect();
    let ops: usize = histories.iter().map(|(h, _)| h.len()).sum();
    eprintln!(
        "{ops} operations in {n} histories ({:.0} per seed)",
        ops as f64 / n as f64
    );
    let kind = scenario.workload.kind;
    let mut g = c.benchmark_group("check-only");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    g.bench_function(format!("{n}-histories"), |b| {
        b.iter(|| {
            histories.par_iter().for_each(|(h, end_us)| {
                let verdict = simulator::raft::check_history(h.clone(), kind, *end_us);
                assert!(verdict.is_ok(), "{verdict:?}");
            })
        })
    });
    g.finish();
}

criterion_group!(benches, seeds);
criterion_main!(benches);
