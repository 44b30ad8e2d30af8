//! The read/write/cas register that `cas-register` and `kv` share.

use crate::history::{Operation, Outcome};
use crate::value::Value;

/// An operation on one register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RegisterOp {
    /// A read that returned this value (`Nil`: the initial value). An
    /// indeterminate read carries `None`: it saw nothing the checker can use.
    Read(Option<Value>),
    /// Set the value.
    Write(Value),
    /// If the value is `.0`, set it to `.1`; an `ok` cas succeeded.
    Cas(Value, Value),
}

impl RegisterOp {
    /// Builds a register operation from a function name and the values that
    /// belong to the register (already stripped of any key).
    ///
    /// `input` is the invocation's value, `read` the value a read returned.
    pub fn from_parts(
        f: &str,
        input: &Value,
        read: &Value,
        outcome: Outcome,
    ) -> Result<RegisterOp, String> {
        match f {
            "read" => Ok(RegisterOp::Read(
                (outcome == Outcome::Ok).then(|| read.clone()),
            )),
            "write" => Ok(RegisterOp::Write(input.clone())),
            "cas" => match input.as_pair() {
                Some((old, new)) => Ok(RegisterOp::Cas(old.clone(), new.clone())),
                None => Err(format!("cas expects [old new], got {input}")),
            },
            other => Err(format!(
                "unknown function {other:?}; a register supports read, write and cas"
            )),
        }
    }

    /// Whether the operation never changes the value.
    pub fn is_read_only(&self) -> bool {
        matches!(self, RegisterOp::Read(_))
    }

    /// The value after this operation, or `None` if it cannot happen.
    pub fn step(&self, value: &Value) -> Option<Value> {
        match self {
            RegisterOp::Read(None) => Some(value.clone()),
            RegisterOp::Read(Some(seen)) => (seen == value).then(|| value.clone()),
            RegisterOp::Write(v) => Some(v.clone()),
            RegisterOp::Cas(old, new) => (old == value).then(|| new.clone()),
        }
    }
}

/// The function name of a register operation, checking it early so that the
/// error names the function rather than a value shape.
pub(crate) fn check_function(op: &Operation) -> Result<(), String> {
    match op.f.as_str() {
        "read" | "write" | "cas" => Ok(()),
        other => Err(format!(
            "unknown function {other:?}; this model supports read, write and cas"
        )),
    }
}
