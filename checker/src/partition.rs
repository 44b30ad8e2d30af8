//! Splitting a history into independent per-key sub-histories
//! (P-compositionality: a history is linearizable iff each key's is).

use std::collections::BTreeMap;

use crate::history::{History, Outcome};
use crate::model::Model;
use crate::value::Value;

/// One operation of a key's sub-history, in the model's compact form.
#[derive(Clone, Debug)]
pub(crate) struct PartOp<O> {
    /// Index into [`History::ops`].
    pub(crate) index: usize,
    pub(crate) op: O,
    pub(crate) invoke_time: u64,
    /// `None` for an indeterminate operation: it may take effect at any time
    /// after its invocation, or never.
    pub(crate) complete_time: Option<u64>,
}

/// A key's sub-history. Invariant: `ops` is sorted by `(invoke_time, index)`.
#[derive(Clone, Debug)]
pub(crate) struct Partition<O> {
    pub(crate) key: Option<Value>,
    pub(crate) ops: Vec<PartOp<O>>,
}

/// An operation the model does not accept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckError {
    /// Index into [`History::ops`].
    pub op_index: usize,
    /// What is wrong, for a person.
    pub message: String,
}

impl std::fmt::Display for CheckError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "operation #{}: {}", self.op_index, self.message)
    }
}

impl std::error::Error for CheckError {}

/// Splits `history` by key, in key order. `fail` operations are dropped
/// (they did not happen), and so are indeterminate read-only operations
/// (whether they happened changes nothing).
pub(crate) fn partition<M: Model>(
    history: &History,
    model: &M,
) -> Result<Vec<Partition<M::Op>>, CheckError> {
    let mut keys: BTreeMap<Option<Value>, Vec<PartOp<M::Op>>> = BTreeMap::new();
    for (index, op) in history.ops().iter().enumerate() {
        let (key, compact) = model.prepare(op).map_err(|message| CheckError {
            op_index: index,
            message,
        })?;
        let complete_time = match op.outcome {
            Outcome::Fail => continue,
            Outcome::Info if model.is_read_only(&compact) => continue,
            Outcome::Info => None,
            Outcome::Ok => op.complete_time,
        };
        keys.entry(key).or_default().push(PartOp {
            index,
            op: compact,
            invoke_time: op.invoke_time,
            complete_time,
        });
    }
    Ok(keys
        .into_iter()
        .map(|(key, mut ops)| {
            ops.sort_by_key(|o| (o.invoke_time, o.index));
            Partition { key, ops }
        })
        .collect())
}
