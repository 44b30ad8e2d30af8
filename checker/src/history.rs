//! Histories: the operations that clients invoked, what they saw, and when.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::value::Value;

/// How an operation ended, from the client's point of view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The operation took effect, exactly once, between invocation and completion.
    Ok,
    /// The operation did not take effect. The checker ignores it.
    Fail,
    /// Indeterminate (a timeout, a crash, or never completed): the operation
    /// may have taken effect at any moment after its invocation, or never.
    Info,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Ok => "ok",
            Outcome::Fail => "fail",
            Outcome::Info => "info",
        })
    }
}

/// One client operation: its invocation and, if it completed, its completion.
///
/// Times are in the history's own unit (virtual nanoseconds for the
/// simulator, Jepsen's `:time`, or an event's position in a file); only their
/// order matters. Operation `a` precedes `b` in real time iff
/// `a.complete_time < b.invoke_time`; equal times count as concurrent, which
/// can only make the checker more permissive, never report a false violation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Operation {
    /// The client process; a process has at most one operation in flight.
    pub process: u64,
    /// The function, as Jepsen names it without the colon: `read`, `write`,
    /// `cas`, `get`, `put`, `append`.
    pub f: String,
    /// The invocation's value, e.g. the value to write or `[old new]` for a cas.
    #[serde(default)]
    pub input: Value,
    /// The completion's value, e.g. the value a read returned. `Nil` when
    /// there is no completion.
    #[serde(default)]
    pub output: Value,
    /// When the client invoked the operation.
    pub invoke_time: u64,
    /// When the client saw the completion; `None` if it never did.
    /// Required for `ok` and `fail`. For `info` it is informative only: such
    /// an operation may take effect at any time after its invocation.
    #[serde(default)]
    pub complete_time: Option<u64>,
    /// How the operation ended.
    pub outcome: Outcome,
}

/// Where an operation's invocation was read from, for error messages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SourcePos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// A history that has been validated: every `ok`/`fail` operation has a
/// completion no earlier than its invocation, and no process has two
/// operations in flight at once (an `info` operation's process may invoke
/// again, since that does not change what the checker may assume).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    ops: Vec<Operation>,
    positions: Vec<SourcePos>,
}

/// Why a list of operations is not a valid history.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidHistory {
    /// The index of the offending operation.
    pub op_index: usize,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for InvalidHistory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "operation #{}: {}", self.op_index, self.message)
    }
}

impl std::error::Error for InvalidHistory {}

impl History {
    /// Validates and wraps operations, in any order.
    pub fn new(ops: Vec<Operation>) -> Result<History, InvalidHistory> {
        validate(&ops)?;
        Ok(History {
            ops,
            positions: Vec::new(),
        })
    }

    /// Like [`History::new`], remembering where each operation was read from
    /// (`positions[i]` belongs to `ops[i]`; ignored unless the lengths match).
    pub fn with_positions(
        ops: Vec<Operation>,
        positions: Vec<SourcePos>,
    ) -> Result<History, InvalidHistory> {
        let mut history = History::new(ops)?;
        if positions.len() == history.ops.len() {
            history.positions = positions;
        }
        Ok(history)
    }

    /// The operations, in the order they were given.
    pub fn ops(&self) -> &[Operation] {
        &self.ops
    }

    /// The number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether there are no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Where operation `op_index` was read from, if the history came from a file.
    pub fn position(&self, op_index: usize) -> Option<SourcePos> {
        self.positions.get(op_index).copied()
    }
}

fn validate(ops: &[Operation]) -> Result<(), InvalidHistory> {
    let invalid = |op_index: usize, message: String| InvalidHistory { op_index, message };
    for (i, op) in ops.iter().enumerate() {
        match (op.outcome, op.complete_time) {
            (Outcome::Ok | Outcome::Fail, None) => {
                return Err(invalid(
                    i,
                    format!("outcome {} needs a complete_time", op.outcome),
                ))
            }
            (_, Some(done)) if done < op.invoke_time => {
                return Err(invalid(
                    i,
                    format!(
                        "complete_time {done} is before invoke_time {}",
                        op.invoke_time
                    ),
                ))
            }
            _ => {}
        }
    }
    // Per process, in invocation order: an ok/fail operation must complete
    // before the process invokes its next operation.
    let mut by_process: BTreeMap<u64, Vec<usize>> = BTreeMap::new();
    for (i, op) in ops.iter().enumerate() {
        by_process.entry(op.process).or_default().push(i);
    }
    for (process, mut indices) in by_process {
        indices.sort_by_key(|&i| (ops[i].invoke_time, i));
        for pair in indices.windows(2) {
            let (a, b) = (&ops[pair[0]], &ops[pair[1]]);
            if a.outcome == Outcome::Info {
                continue;
            }
            let done = a.complete_time.unwrap_or(u64::MAX);
            if b.invoke_time < done {
                return Err(invalid(
                    pair[1],
                    format!(
                        "process {process} invokes at {} while its operation #{} (invoked at {}) is still in flight",
                        b.invoke_time, pair[0], a.invoke_time
                    ),
                ));
            }
        }
    }
    Ok(())
}
