//! Engine overhead per event with a near-free node and observer. Ignored by
//! default (it measures wall time); run with
//! `cargo test -p simulator --release --test engine_throughput -- --ignored --nocapture`.

mod engine_common;

use engine_common::{Toy, ToyConfig, ToyWorkload};
use scenarios::Scenario;
use simulator::{run_with_options, Failure, Observer, RunOptions, View};
use std::time::Instant;

struct Nothing;

impl Observer<Toy> for Nothing {
    fn after_step(&mut self, _: &View<'_, Toy>) -> Result<(), Failure> {
        Ok(())
    }
    fn finish(&mut self, _: &View<'_, Toy>) -> Result<(), Failure> {
        Ok(())
    }
}

#[test]
#[ignore = "measures wall time"]
fn engine_overhead_per_event() {
    // Without clients: the node hot path alone (tick, deliver, sync).
    measure(0);
    // With the default scenario's clients.
    measure(Scenario::default().workload.clients);
}

fn measure(clients: usize) {
    let scenario = Scenario::default();
    let config = ToyConfig {
        broadcast: true,
        ..ToyConfig::default()
    };
    let seeds = 200;
    let started = Instant::now();
    let mut events = 0;
    for seed in 0..seeds {
        let mut options = RunOptions::draw(&scenario, seed);
        options.clients = clients;
        let outcome = run_with_options::<Toy, _, _>(
            &options,
            &config,
            &mut Nothing,
            &mut ToyWorkload::default(),
            None,
        );
        assert!(outcome.passed(), "{:?}", outcome.failure);
        events += outcome.events;
    }
    let wall = started.elapsed();
    println!(
        "{clients} clients, {seeds} seeds, {events} events in {wall:?}: {:.0} ns/event, {:.1} ms/seed, {:.0} events/seed",
        wall.as_nanos() as f64 / events as f64,
        wall.as_secs_f64() * 1000.0 / seeds as f64,
        events as f64 / seeds as f64
    );
}
