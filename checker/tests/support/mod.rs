//! Helpers shared by the integration tests: building histories by hand, a
//! brute-force checker, and random small histories.
#![allow(dead_code)]

pub mod brute;
pub mod random;
pub mod register_sim;

use checker::{History, Operation, Outcome, Value};

/// An integer value.
pub fn int(i: i64) -> Value {
    Value::Int(i)
}

/// `[a b]`
pub fn pair(a: Value, b: Value) -> Value {
    Value::pair(a, b)
}

/// A string value.
pub fn s(text: &str) -> Value {
    Value::Str(text.to_string())
}

/// An operation that completed (`ok` or `fail`) at `t1`.
pub fn done(
    process: u64,
    f: &str,
    input: Value,
    output: Value,
    t0: u64,
    t1: u64,
    outcome: Outcome,
) -> Operation {
    Operation {
        process,
        f: f.to_string(),
        input,
        output,
        invoke_time: t0,
        complete_time: Some(t1),
        outcome,
    }
}

/// An `ok` operation.
pub fn ok(process: u64, f: &str, input: Value, output: Value, t0: u64, t1: u64) -> Operation {
    done(process, f, input, output, t0, t1, Outcome::Ok)
}

/// A `fail` operation.
pub fn fail(process: u64, f: &str, input: Value, t0: u64, t1: u64) -> Operation {
    done(process, f, input, Value::Nil, t0, t1, Outcome::Fail)
}

/// An indeterminate operation that never completed.
pub fn info(process: u64, f: &str, input: Value, t0: u64) -> Operation {
    Operation {
        process,
        f: f.to_string(),
        input,
        output: Value::Nil,
        invoke_time: t0,
        complete_time: None,
        outcome: Outcome::Info,
    }
}

/// A validated history.
pub fn history(ops: Vec<Operation>) -> History {
    History::new(ops).expect("valid test history")
}
