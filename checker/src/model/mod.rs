//! Sequential specifications that histories are checked against.
//!
//! A model turns each history operation into its own compact operation and
//! key, and steps a state. Adding a model (a set, a queue, a mutex) is one
//! file implementing [`Model`] plus a line in [`ModelKind`].

mod cas_register;
mod infer;
mod kv;
mod kv_append;
mod register;

use std::fmt;
use std::hash::Hash;
use std::str::FromStr;

use crate::history::Operation;
use crate::value::Value;

pub use cas_register::CasRegister;
pub use infer::infer_model;
pub use kv::Kv;
pub use kv_append::KvAppend;
pub use register::RegisterOp;

/// A sequential specification.
///
/// Contract:
/// - `step` is a pure function: the same state and operation always give the
///   same answer, and it never panics.
/// - `prepare` never panics on any operation; a shape it does not accept is an
///   `Err` with a message for a person.
/// - Operations with different keys never interact (P-compositionality), so
///   each key is checked on its own.
/// - `is_read_only(op)` is true only if `step` returns either `None` or the
///   unchanged state for every state: such an operation, when indeterminate,
///   can be dropped without changing the verdict.
pub trait Model: Sync {
    /// The model's compact form of an operation.
    type Op: Clone + fmt::Debug + Send + Sync;
    /// The state of one key.
    type State: Clone + Eq + Hash + fmt::Debug + Send;

    /// The name used by `--model` and in reports.
    fn name(&self) -> &'static str;

    /// The state of every key before any operation.
    fn init(&self) -> Self::State;

    /// The key (`None` for a model with one object) and compact form of a
    /// history operation. `op.output` is meaningful only if `op.outcome` is
    /// `ok`.
    fn prepare(&self, op: &Operation) -> Result<(Option<Value>, Self::Op), String>;

    /// Whether `op` never changes the state (see the trait's contract).
    fn is_read_only(&self, op: &Self::Op) -> bool;

    /// The state after `op`, or `None` if `op` cannot happen in `state`.
    fn step(&self, state: &Self::State, op: &Self::Op) -> Option<Self::State>;

    /// The state for a person, e.g. `3` or `"xy"`.
    fn describe_state(&self, state: &Self::State) -> String;
}

/// The built-in models, as `--model` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ModelKind {
    /// One register with read/write/cas; initial value nil.
    CasRegister,
    /// Independent keys, each a cas-register; values are `[k v]` tuples.
    Kv,
    /// MIT 6.824 get/put/append; each key a string that starts empty.
    KvAppend,
}

impl ModelKind {
    /// All built-in models.
    pub const ALL: [ModelKind; 3] = [ModelKind::CasRegister, ModelKind::Kv, ModelKind::KvAppend];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            ModelKind::CasRegister => "cas-register",
            ModelKind::Kv => "kv",
            ModelKind::KvAppend => "kv-append",
        }
    }
}

impl fmt::Display for ModelKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<ModelKind, String> {
        ModelKind::ALL
            .into_iter()
            .find(|m| m.name() == s)
            .ok_or_else(|| {
                format!("unknown model {s:?}; expected one of cas-register, kv, kv-append")
            })
    }
}
