//! Small random histories for property tests: a few processes that invoke
//! and complete operations in a random interleaving, with random outcomes
//! and random (often wrong) read results.

use checker::{History, ModelKind, Operation, Outcome, Value};

/// One scheduling decision, drawn by proptest.
#[derive(Clone, Debug)]
pub struct Step {
    pub process: u8,
    pub kind: u8,
    pub a: u8,
    pub b: u8,
    pub outcome: u8,
}

/// Builds a history of at most `max_ops` operations over 3 process slots.
/// Times are `step / 2`, so some events share a time (concurrent). After an
/// `info` completion the slot moves on to a fresh process id, as Jepsen does.
pub fn build(model: ModelKind, steps: &[Step], max_ops: usize) -> History {
    let mut ops: Vec<Operation> = Vec::new();
    let mut in_flight: [Option<usize>; 3] = [None; 3];
    let mut process_of: [u64; 3] = [0, 1, 2];
    // The value most recently written per key, so that many reads are
    // plausible and the histories are not all trivially wrong.
    let mut last: std::collections::BTreeMap<Value, Value> = std::collections::BTreeMap::new();
    for (t, step) in steps.iter().enumerate() {
        let time = t as u64 / 2;
        let slot = usize::from(step.process % 3);
        match in_flight[slot] {
            None if ops.len() < max_ops => {
                let (f, input) = invocation(model, step);
                remember(model, &f, &input, &mut last);
                in_flight[slot] = Some(ops.len());
                ops.push(Operation {
                    process: process_of[slot],
                    f,
                    input,
                    output: Value::Nil,
                    invoke_time: time,
                    complete_time: None,
                    outcome: Outcome::Info,
                });
            }
            None => {}
            Some(i) => {
                in_flight[slot] = None;
                let op = &mut ops[i];
                op.complete_time = Some(time);
                op.outcome = match step.outcome % 6 {
                    0 => Outcome::Fail,
                    1 => Outcome::Info,
                    _ => Outcome::Ok,
                };
                if op.outcome == Outcome::Info {
                    process_of[slot] += 3;
                }
                op.output = completion(model, &op.f, &op.input, step, &last);
            }
        }
    }
    History::new(ops).expect("generated histories are valid")
}

fn small(x: u8) -> Value {
    Value::Int(i64::from(x % 3))
}

fn maybe_nil(x: u8) -> Value {
    if x % 4 == 3 {
        Value::Nil
    } else {
        small(x)
    }
}

fn string(x: u8) -> Value {
    Value::Str(["x", "y", "xy", "", "yx", "xx"][usize::from(x % 6)].to_string())
}

fn invocation(model: ModelKind, step: &Step) -> (String, Value) {
    let key = Value::Int(i64::from(step.b % 2));
    match (model, step.kind % 3) {
        (ModelKind::CasRegister, 0) => ("read".into(), Value::Nil),
        (ModelKind::CasRegister, 1) => ("write".into(), small(step.a)),
        (ModelKind::CasRegister, _) => (
            "cas".into(),
            Value::pair(maybe_nil(step.a), small(step.a / 4)),
        ),
        (ModelKind::Kv, 0) => ("read".into(), Value::pair(key, Value::Nil)),
        (ModelKind::Kv, 1) => ("write".into(), Value::pair(key, small(step.a))),
        (ModelKind::Kv, _) => (
            "cas".into(),
            Value::pair(key, Value::pair(maybe_nil(step.a), small(step.a / 4))),
        ),
        (ModelKind::KvAppend, 0) => ("get".into(), Value::pair(key, Value::Nil)),
        (ModelKind::KvAppend, 1) => ("put".into(), Value::pair(key, string(step.a % 2))),
        (ModelKind::KvAppend, _) => ("append".into(), Value::pair(key, string(step.a % 2))),
    }
}

/// The key and register value of a register operation's input.
fn key_and_arg(model: ModelKind, input: &Value) -> (Value, Value) {
    match (model, input.as_pair()) {
        (ModelKind::CasRegister, _) | (_, None) => (Value::Nil, input.clone()),
        (_, Some((k, v))) => (k.clone(), v.clone()),
    }
}

fn remember(
    model: ModelKind,
    f: &str,
    input: &Value,
    last: &mut std::collections::BTreeMap<Value, Value>,
) {
    let (key, arg) = key_and_arg(model, input);
    match f {
        "write" => {
            last.insert(key, arg);
        }
        "cas" => {
            if let Some((_, new)) = arg.as_pair() {
                last.insert(key, new.clone());
            }
        }
        _ => {}
    }
}

fn completion(
    model: ModelKind,
    f: &str,
    input: &Value,
    step: &Step,
    last: &std::collections::BTreeMap<Value, Value>,
) -> Value {
    let is_read = f == "read" || f == "get";
    if !is_read {
        return input.clone();
    }
    let (key, _) = key_and_arg(model, input);
    let seen = match model {
        ModelKind::KvAppend => string(step.a),
        _ => match step.a % 3 {
            0 => maybe_nil(step.a),
            _ => last.get(&key).cloned().unwrap_or(Value::Nil),
        },
    };
    match (model, input.as_pair()) {
        (ModelKind::CasRegister, _) => seen,
        (_, Some((key, _))) => Value::pair(key.clone(), seen),
        (_, None) => seen,
    }
}
