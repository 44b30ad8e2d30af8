//! `kv-append`: the MIT 6.824 key/value service with get, put and append.

use crate::history::{Operation, Outcome};
use crate::model::Model;
use crate::value::Value;

/// An operation on one key of the append store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppendOp {
    /// A get that returned this string; `None` for an indeterminate get.
    Get(Option<String>),
    /// Replace the string.
    Put(String),
    /// Append to the string.
    Append(String),
}

/// Keys whose values are strings that start empty, as in the 6.824 labs:
/// `get` `[k nil]` returns `[k "s"]` (a returned `nil` reads as `""`),
/// `put` `[k "s"]`, `append` `[k "s"]`.
///
/// The state is the whole string, so a long run of appends to one key costs
/// time proportional to the string's length per step.
#[derive(Clone, Copy, Debug, Default)]
pub struct KvAppend;

fn string_of(value: &Value, what: &str) -> Result<String, String> {
    match value {
        Value::Str(s) => Ok(s.clone()),
        Value::Nil => Ok(String::new()),
        other => Err(format!("{what} expects a string, got {other}")),
    }
}

impl Model for KvAppend {
    type Op = AppendOp;
    type State = String;

    fn name(&self) -> &'static str {
        "kv-append"
    }

    fn init(&self) -> String {
        String::new()
    }

    fn prepare(&self, op: &Operation) -> Result<(Option<Value>, AppendOp), String> {
        if !matches!(op.f.as_str(), "get" | "put" | "append") {
            return Err(format!(
                "unknown function {:?}; kv-append supports get, put and append",
                op.f
            ));
        }
        let (key, input) = op
            .input
            .as_pair()
            .ok_or_else(|| format!("{} expects a [key value] tuple, got {}", op.f, op.input))?;
        let append_op = match op.f.as_str() {
            "get" if op.outcome == Outcome::Ok => {
                let (out_key, value) = op.output.as_pair().ok_or_else(|| {
                    format!(
                        "get completion expects a [key value] tuple, got {}",
                        op.output
                    )
                })?;
                if out_key != key {
                    return Err(format!("get of key {key} completed with key {out_key}"));
                }
                AppendOp::Get(Some(string_of(value, "get")?))
            }
            "get" => AppendOp::Get(None),
            "put" => AppendOp::Put(string_of(input, "put")?),
            _ => AppendOp::Append(string_of(input, "append")?),
        };
        Ok((Some(key.clone()), append_op))
    }

    fn is_read_only(&self, op: &AppendOp) -> bool {
        matches!(op, AppendOp::Get(_))
    }

    fn step(&self, state: &String, op: &AppendOp) -> Option<String> {
        match op {
            AppendOp::Get(None) => Some(state.clone()),
            AppendOp::Get(Some(seen)) => (seen == state).then(|| state.clone()),
            AppendOp::Put(s) => Some(s.clone()),
            AppendOp::Append(s) => {
                let mut next = String::with_capacity(state.len() + s.len());
                next.push_str(state);
                next.push_str(s);
                Some(next)
            }
        }
    }

    fn describe_state(&self, state: &String) -> String {
        Value::Str(state.clone()).to_string()
    }
}
