//! Choosing a model from the operations when `--model` is not given.

use crate::history::History;
use crate::model::ModelKind;
use crate::value::Value;

/// Infers the model from the functions and value shapes.
///
/// - any `get`, `put` or `append` means `kv-append`;
/// - otherwise each operation votes: `kv` if it is a read or write of a
///   `[k v]` tuple or a cas of `[k [old new]]`; `cas-register` if it is a read
///   of nil, a write of a non-tuple, or a cas of `[old new]` with a scalar
///   `new`. The model with more votes wins, so that an operation of the wrong
///   shape is then reported, with its position, by the check itself. A tie is an
///   error asking for `--model` (no votes at all means `cas-register`).
pub fn infer_model(history: &History) -> Result<ModelKind, String> {
    let ops = history.ops();
    if ops.is_empty() {
        return Ok(ModelKind::CasRegister);
    }
    if ops
        .iter()
        .any(|op| matches!(op.f.as_str(), "get" | "put" | "append"))
    {
        return Ok(ModelKind::KvAppend);
    }
    let kv_votes = ops
        .iter()
        .filter(|op| match op.f.as_str() {
            "read" | "write" => op.input.as_pair().is_some(),
            "cas" => matches!(op.input.as_pair(), Some((_, inner)) if inner.as_pair().is_some()),
            _ => false,
        })
        .count();
    let register_votes = ops
        .iter()
        .filter(|op| match op.f.as_str() {
            "read" => op.input == Value::Nil,
            "write" => op.input.as_pair().is_none(),
            "cas" => matches!(op.input.as_pair(), Some((_, new)) if new.as_pair().is_none()),
            _ => false,
        })
        .count();
    if kv_votes > register_votes {
        Ok(ModelKind::Kv)
    } else if register_votes > kv_votes || kv_votes == 0 {
        // With no votes at all, cas-register is as good a guess as any: the
        // check then names the first operation that does not fit.
        Ok(ModelKind::CasRegister)
    } else {
        Err(
            "cannot infer the model from the operations; pass --model cas-register, kv or kv-append"
                .to_string(),
        )
    }
}
