//! What a person (or the HTML report) needs to see why a key is not
//! linearizable.

use std::fmt;

use serde::Serialize;

use crate::history::{History, Operation, Outcome};
use crate::model::Model;
use crate::partition::Partition;
use crate::search::Witness;
use crate::value::Value;

/// At most this many steps of the partial linearisation are kept (the last ones).
pub const LINEARIZED_TAIL_MAX: usize = 20;

/// An operation as reports show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpSummary {
    /// Index into [`History::ops`].
    pub index: usize,
    pub process: u64,
    pub f: String,
    pub input: Value,
    pub output: Value,
    pub outcome: Outcome,
    pub invoke_time: u64,
    pub complete_time: Option<u64>,
    /// The line of the invocation, if the history was read from a file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl OpSummary {
    /// Summarises operation `index` of `history`.
    pub fn of(history: &History, index: usize) -> OpSummary {
        let op: &Operation = &history.ops()[index];
        OpSummary {
            index,
            process: op.process,
            f: op.f.clone(),
            input: op.input.clone(),
            output: op.output.clone(),
            outcome: op.outcome,
            invoke_time: op.invoke_time,
            complete_time: op.complete_time,
            line: history.position(index).map(|p| p.line),
        }
    }
}

/// `#12 process 3 read nil -> 2 ok [100, 150] (line 7)`
impl fmt::Display for OpSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} process {} {} {}",
            self.index, self.process, self.f, self.input
        )?;
        if self.outcome == Outcome::Ok && self.output != self.input && self.output != Value::Nil {
            write!(f, " -> {}", self.output)?;
        }
        write!(f, " {} [{}, ", self.outcome, self.invoke_time)?;
        match self.complete_time {
            Some(t) => write!(f, "{t}]")?,
            None => write!(f, "never]")?,
        }
        match self.line {
            Some(line) => write!(f, " (line {line})"),
            None => Ok(()),
        }
    }
}

/// One step of a partial linearisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinearizedStep {
    pub op: OpSummary,
    /// The model's state after the operation.
    pub state_after: String,
}

/// Why one key is not linearizable.
///
/// The search found no order; of all it tried, the longest prefix that the
/// model accepted is `linearized` (its last [`LINEARIZED_TAIL_MAX`] steps
/// are kept, `linearized_len` counts them all). After it the model was in
/// `state`, and `unplaced`, which had already completed, could not be placed
/// next, nor after any of the `candidates` (the operations invoked before
/// `unplaced` completed and not in the prefix).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Counterexample {
    pub model: String,
    pub key: Option<Value>,
    pub linearized_len: usize,
    pub linearized: Vec<LinearizedStep>,
    pub state: String,
    pub unplaced: OpSummary,
    pub candidates: Vec<OpSummary>,
}

impl Counterexample {
    pub(crate) fn build<M: Model>(
        history: &History,
        model: &M,
        part: &Partition<M::Op>,
        witness: &Witness,
    ) -> Counterexample {
        let skip = witness.linearized.len().saturating_sub(LINEARIZED_TAIL_MAX);
        let mut state = model.init();
        let mut linearized = Vec::new();
        for (i, &op) in witness.linearized.iter().enumerate() {
            let part_op = &part.ops[op as usize];
            // The search accepted this prefix, so every step succeeds.
            if let Some(next) = model.step(&state, &part_op.op) {
                state = next;
            }
            if i >= skip {
                linearized.push(LinearizedStep {
                    op: OpSummary::of(history, part_op.index),
                    state_after: model.describe_state(&state),
                });
            }
        }
        let summary = |op: u32| OpSummary::of(history, part.ops[op as usize].index);
        Counterexample {
            model: model.name().to_string(),
            key: part.key.clone(),
            linearized_len: witness.linearized.len(),
            linearized,
            state: model.describe_state(&state),
            unplaced: summary(witness.stuck),
            candidates: witness.candidates.iter().map(|&op| summary(op)).collect(),
        }
    }
}

impl fmt::Display for Counterexample {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.key {
            Some(key) => writeln!(f, "key {key} is not linearizable ({})", self.model)?,
            None => writeln!(f, "the history is not linearizable ({})", self.model)?,
        }
        let shown = self.linearized.len();
        if self.linearized_len == 0 {
            writeln!(
                f,
                "  no operation could be linearised first; the state is {}",
                self.state
            )?;
        } else {
            writeln!(
                f,
                "  longest partial linearisation: {} operations{}",
                self.linearized_len,
                if shown < self.linearized_len {
                    format!(" (the last {shown} shown)")
                } else {
                    String::new()
                }
            )?;
            for step in &self.linearized {
                writeln!(f, "    {}  => {}", step.op, step.state_after)?;
            }
        }
        writeln!(
            f,
            "  then this operation could not be placed (state {}):",
            self.state
        )?;
        writeln!(f, "    {}", self.unplaced)?;
        if !self.candidates.is_empty() {
            writeln!(f, "  other operations that could have come next:")?;
            for op in &self.candidates {
                writeln!(f, "    {op}")?;
            }
        }
        Ok(())
    }
}
