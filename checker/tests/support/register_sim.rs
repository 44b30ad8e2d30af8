//! A seeded simulation of a real, linearizable store of read/write/cas
//! registers with concurrent clients, to produce realistic histories that are
//! linearizable by construction (for benchmarks and tests).
//!
//! Each client invokes an operation, which takes effect atomically at a
//! random later instant and completes at a random instant after that. A few
//! operations time out: they complete as `info`, and take effect or not.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use checker::{History, Operation, Outcome, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// What to simulate.
#[derive(Clone, Copy, Debug)]
pub struct SimConfig {
    pub seed: u64,
    pub ops: usize,
    /// 0 for a single unkeyed register (`cas-register`), else `kv` keys.
    pub keys: u64,
    pub processes: u64,
    /// Out of 1000 operations, how many time out as `info`.
    pub info_per_mille: u32,
    /// Values written are drawn from `0..values`.
    pub values: i64,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Invoke(u64),
    Effect(usize),
    Complete(usize),
}

/// Simulates and returns the history (ops in invocation order).
pub fn simulate(cfg: SimConfig) -> History {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let mut store: Vec<Value> = vec![Value::Nil; cfg.keys.max(1) as usize];
    let mut ops: Vec<Operation> = Vec::with_capacity(cfg.ops);
    let mut keys: Vec<usize> = Vec::with_capacity(cfg.ops);
    let mut timed_out: Vec<bool> = Vec::with_capacity(cfg.ops);
    let mut process_ids: Vec<u64> = (0..cfg.processes).collect();
    let mut queue: BinaryHeap<Reverse<(u64, u64, Event)>> = BinaryHeap::new();
    let mut seq = 0u64;
    let mut push = |queue: &mut BinaryHeap<_>, t: u64, e: Event| {
        seq += 1;
        queue.push(Reverse((t, seq, e)));
    };
    for p in 0..cfg.processes {
        let t = rng.random_range(0..100);
        push(&mut queue, t, Event::Invoke(p));
    }
    while let Some(Reverse((now, _, event))) = queue.pop() {
        match event {
            Event::Invoke(slot) => {
                if ops.len() >= cfg.ops {
                    continue;
                }
                let key = rng.random_range(0..cfg.keys.max(1)) as usize;
                let (f, value) = draw_op(&mut rng, cfg.values);
                let i = ops.len();
                ops.push(Operation {
                    process: process_ids[slot as usize],
                    f: f.to_string(),
                    input: wrap(cfg.keys, key, value),
                    output: Value::Nil,
                    invoke_time: now,
                    complete_time: None,
                    outcome: Outcome::Ok,
                });
                keys.push(key);
                let out = rng.random_range(0..1000) < cfg.info_per_mille;
                timed_out.push(out);
                let effect = now + rng.random_range(1..200);
                if !out || rng.random_bool(0.5) {
                    push(&mut queue, effect, Event::Effect(i));
                }
                let done = effect + rng.random_range(1..200);
                push(&mut queue, done, Event::Complete(i));
                let _ = slot;
            }
            Event::Effect(i) => apply(&mut ops[i], &mut store[keys[i]], cfg.keys, keys[i]),
            Event::Complete(i) => {
                let slot = (0..cfg.processes)
                    .find(|&s| process_ids[s as usize] == ops[i].process)
                    .expect("a slot runs every process");
                let op = &mut ops[i];
                op.complete_time = Some(now);
                if timed_out[i] {
                    op.outcome = Outcome::Info;
                    op.output = Value::Nil;
                    process_ids[slot as usize] += cfg.processes;
                }
                let next = now + rng.random_range(0..50);
                push(&mut queue, next, Event::Invoke(slot));
            }
        }
    }
    History::new(ops).expect("the simulation produces valid histories")
}

fn draw_op(rng: &mut ChaCha8Rng, values: i64) -> (&'static str, Value) {
    match rng.random_range(0..10) {
        0..=4 => ("read", Value::Nil),
        5..=7 => ("write", Value::Int(rng.random_range(0..values))),
        _ => (
            "cas",
            Value::pair(
                Value::Int(rng.random_range(0..values)),
                Value::Int(rng.random_range(0..values)),
            ),
        ),
    }
}

fn wrap(keys: u64, key: usize, value: Value) -> Value {
    if keys == 0 {
        value
    } else {
        Value::pair(Value::Int(key as i64), value)
    }
}

/// Applies `op` to the register atomically, setting its output or outcome.
fn apply(op: &mut Operation, register: &mut Value, keys: u64, key: usize) {
    let arg = match (keys, op.input.as_pair()) {
        (0, _) => op.input.clone(),
        (_, Some((_, v))) => v.clone(),
        _ => Value::Nil,
    };
    match op.f.as_str() {
        "read" => op.output = wrap(keys, key, register.clone()),
        "write" => {
            *register = arg;
            op.output = op.input.clone();
        }
        _ => match arg.as_pair() {
            Some((old, new)) if old == register => {
                *register = new.clone();
                op.output = op.input.clone();
            }
            _ => op.outcome = Outcome::Fail,
        },
    }
}
