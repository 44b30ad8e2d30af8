//! Throughput of the heaviest catalogue scenarios (issue 5's figures):
//! Figure8Unreliable2C, UnreliableChurn2C and
//! PersistPartitionUnreliableLinearizable3A, each a batch of seeds run in
//! parallel as `raftsim run` runs them, every history checked. Criterion
//! reports seeds per second. `RAFTSIM_BENCH_SEEDS` sets the batch size
//! (default 200).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use rayon::prelude::*;
use scenarios::{parse, Scenario, CATALOGUE};

const HEAVIEST: [&str; 3] = [
    "Figure8Unreliable2C",
    "UnreliableChurn2C",
    "PersistPartitionUnreliableLinearizable3A",
];

fn batch() -> u64 {
    std::env::var("RAFTSIM_BENCH_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(200)
}

fn scenario(name: &str) -> Scenario {
    let (_, text) = CATALOGUE
        .iter()
        .find(|(n, _)| *n == name)
        .expect("a catalogue scenario");
    parse(text, name).expect("catalogue files parse")
}

fn run_batch(scenario: &Scenario, seeds: u64) -> u64 {
    (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let o = simulator::raft::run_seed(scenario, seed, None);
            assert!(o.passed(), "seed {seed} failed: {:?}", o.failure);
            o.events
        })
        .sum()
}

fn heaviest(c: &mut Criterion) {
    let n = batch();
    let mut g = c.benchmark_group("catalogue");
    g.sample_size(10);
    g.throughput(Throughput::Elements(n));
    for name in HEAVIEST {
        let s = scenario(name);
        let events = run_batch(&s, n);
        eprintln!("{name}: {:.0} events per seed", events as f64 / n as f64);
        g.bench_function(format!("{name}/{n}-seeds"), |b| b.iter(|| run_batch(&s, n)));
    }
    g.finish();
}

criterion_group!(benches, heaviest);
criterion_main!(benches);
