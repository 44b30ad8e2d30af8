//! Writing a [`History`] as a Jepsen EDN history, one map per line, so that
//! Knossos, Elle or Porcupine's EDN readers can cross-check our verdicts.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io;

use crate::history::{History, Operation, Outcome};
use crate::value::{write_string_literal, Value};

/// The history as EDN text (see [`write`]).
pub fn to_string(history: &History) -> String {
    let mut out = String::new();
    for (index, &(time, kind, i)) in event_order(history).iter().enumerate() {
        let op = &history.ops()[i];
        let (ty, value) = if kind == INVOKE {
            ("invoke", &op.input)
        } else {
            (outcome_name(op.outcome), completion_value(op))
        };
        out.push_str("{:type :");
        out.push_str(ty);
        out.push_str(", :f ");
        write_function(&mut out, &op.f);
        // Writing to a String cannot fail.
        let _ = write!(
            out,
            ", :value {value}, :process {}, :time {time}, :index {index}}}",
            op.process
        );
        out.push('\n');
    }
    out
}

const COMPLETE_FIRST: u8 = 0;
const INVOKE: u8 = 1;
const COMPLETE: u8 = 2;

/// Events as `(time, kind, op)` in file order. At equal times invocations
/// come before completions, which keeps those operations concurrent when the
/// file is read back; except that a completion comes first when its process
/// invokes again at that same time, since a process is sequential.
fn event_order(history: &History) -> Vec<(u64, u8, usize)> {
    let invokes: BTreeSet<(u64, u64)> = history
        .ops()
        .iter()
        .map(|op| (op.process, op.invoke_time))
        .collect();
    let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(history.len() * 2);
    for (i, op) in history.ops().iter().enumerate() {
        events.push((op.invoke_time, INVOKE, i));
        if let Some(done) = op.complete_time {
            let kind = if invokes.contains(&(op.process, done)) {
                COMPLETE_FIRST
            } else {
                COMPLETE
            };
            events.push((done, kind, i));
        }
    }
    events.sort_unstable();
    events
}

/// Writes the history as EDN: one map per event, in real-time order,
/// invocations before completions at equal times. An `ok` completion carries
/// the output (the input for a write whose output is nil, as Jepsen does);
/// `fail` and `info` completions carry the input. Never-completed operations
/// have no completion.
pub fn write(history: &History, out: &mut impl io::Write) -> io::Result<()> {
    out.write_all(to_string(history).as_bytes())
}

fn outcome_name(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Ok => "ok",
        Outcome::Fail => "fail",
        Outcome::Info => "info",
    }
}

fn completion_value(op: &Operation) -> &Value {
    match op.outcome {
        Outcome::Ok if op.output != Value::Nil || op.input == Value::Nil => &op.output,
        _ => &op.input,
    }
}

fn write_function(out: &mut String, f: &str) {
    let keyword_safe = !f.is_empty()
        && !f.starts_with(|c: char| c.is_ascii_digit())
        && f.chars()
            .all(|c| c.is_ascii_alphanumeric() || "*+!-_?<>=.".contains(c));
    if keyword_safe {
        out.push(':');
        out.push_str(f);
    } else {
        let _ = write_string_literal(out, f);
    }
}
