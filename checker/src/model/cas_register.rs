//! `cas-register`: one register with read, write and compare-and-set.

use crate::history::Operation;
use crate::model::register::{check_function, RegisterOp};
use crate::model::Model;
use crate::value::Value;

/// One register, initially nil, as Knossos's `cas-register`.
///
/// Shapes: `read` returns the value (`nil` reads the initial value), `write`
/// takes the value, `cas` takes `[old new]`.
#[derive(Clone, Copy, Debug, Default)]
pub struct CasRegister;

impl Model for CasRegister {
    type Op = RegisterOp;
    type State = Value;

    fn name(&self) -> &'static str {
        "cas-register"
    }

    fn init(&self) -> Value {
        Value::Nil
    }

    fn prepare(&self, op: &Operation) -> Result<(Option<Value>, RegisterOp), String> {
        check_function(op)?;
        let reg = RegisterOp::from_parts(&op.f, &op.input, &op.output, op.outcome)?;
        Ok((None, reg))
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
