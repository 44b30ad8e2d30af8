//! `kv`: independent keys, each a cas-register, as Maelstrom's lin-kv.

use crate::history::{Operation, Outcome};
use crate::model::register::{check_function, RegisterOp};
use crate::model::Model;
use crate::value::Value;

/// Independent registers addressed by key; values are `[k v]` tuples:
/// `read` `[k nil]` returns `[k v]`, `write` `[k v]`, `cas` `[k [old new]]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct Kv;

impl Model for Kv {
    type Op = RegisterOp;
    type State = Value;

    fn name(&self) -> &'static str {
        "kv"
    }

    fn init(&self) -> Value {
        Value::Nil
    }

    fn prepare(&self, op: &Operation) -> Result<(Option<Value>, RegisterOp), String> {
        check_function(op)?;
        let (key, input) = op
            .input
            .as_pair()
            .ok_or_else(|| format!("{} expects a [key value] tuple, got {}", op.f, op.input))?;
        let mut read = &Value::Nil;
        if op.f == "read" && op.outcome == Outcome::Ok {
            let (out_key, value) = op.output.as_pair().ok_or_else(|| {
                format!(
                    "read completion expects a [key value] tuple, got {}",
                    op.output
                )
            })?;
            if out_key != key {
                return Err(format!("read of key {key} completed with key {out_key}"));
            }
            read = value;
        }
        let reg = RegisterOp::from_parts(&op.f, input, read, op.outcome)?;
        Ok((Some(key.clone()), reg))
    }

    fn is_read_only(&self, op: &RegisterOp) -> bool {
        op.is_read_only()
    }

    fn step(&self, state: &Value, op: &RegisterOp) -> Option<Value> {
        op.step(state)
    }

    fn describe_state(&self, state: &Value) -> String {
        state.to_string()
    }
}
