//! Generates a linearizable history from a seeded simulation of a register
//! store and checks it, printing the time taken; run under `/usr/bin/time -v`
//! for peak memory. Optionally writes the history (EDN or JSON lines).
//!
//! ```text
//! cargo run -p checker --release --example simulated -- OPS KEYS PROCESSES [SEED] [OUT.edn|OUT.jsonl]
//! ```
//! `KEYS` 0 means one unkeyed `cas-register`; otherwise the `kv` model.

#[path = "../tests/support/register_sim.rs"]
mod register_sim;

use std::time::Instant;

use checker::{check, Budget, ModelKind};
use register_sim::{simulate, SimConfig};

fn arg(args: &[String], i: usize, default: u64) -> u64 {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cfg = SimConfig {
        ops: arg(&args, 1, 10_000) as usize,
        keys: arg(&args, 2, 10),
        processes: arg(&args, 3, 10),
        seed: arg(&args, 4, 1),
        info_per_mille: arg(&args, 6, 10) as u32,
        values: arg(&args, 7, 5) as i64,
    };
    let history = simulate(cfg);
    if let Some(out) = args.get(5).filter(|a| a.as_str() != "-") {
        let text = if out.ends_with(".edn") {
            checker::edn::to_string(&history)
        } else {
            checker::jsonl::to_string(&history)
        };
        std::fs::write(out, text).expect("writable output path");
    }
    let model = if cfg.keys == 0 {
        ModelKind::CasRegister
    } else {
        ModelKind::Kv
    };
    let start = Instant::now();
    let result = check(&history, model, &Budget::unlimited()).expect("simulated ops fit");
    let elapsed = start.elapsed();
    let states: u64 = result.keys.iter().map(|k| k.states).sum();
    let steps: u64 = result.keys.iter().map(|k| k.steps).sum();
    println!(
        "{} ops, {} keys, {} processes: {} in {:.3} ms ({:.0} ops/s), {} states, {} steps",
        history.len(),
        result.keys.len(),
        cfg.processes,
        result.verdict,
        elapsed.as_secs_f64() * 1e3,
        history.len() as f64 / elapsed.as_secs_f64(),
        states,
        steps
    );
}
