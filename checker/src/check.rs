//! The entry point: check a history against a model, key by key in parallel.

use std::fmt;

use rayon::prelude::*;
use serde::Serialize;

use crate::budget::{Budget, Limits};
use crate::counterexample::Counterexample;
use crate::history::History;
use crate::model::{CasRegister, Kv, KvAppend, Model, ModelKind};
use crate::partition::{partition, CheckError};
use crate::search::{search, Found};
use crate::value::Value;

/// A verdict, for one key or the whole history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Verdict {
    #[serde(rename = "linearizable")]
    Linearizable,
    #[serde(rename = "not linearizable")]
    NotLinearizable,
    /// The budget ran out before a verdict.
    #[serde(rename = "unknown")]
    Unknown,
}

impl Verdict {
    /// The exit code that CLI.md promises: 0, 1 or 2.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Linearizable => 0,
            Verdict::NotLinearizable => 1,
            Verdict::Unknown => 2,
        }
    }
}

/// `linearizable`, `not linearizable` or `unknown`.
impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Verdict::Linearizable => "linearizable",
            Verdict::NotLinearizable => "not linearizable",
            Verdict::Unknown => "unknown",
        })
    }
}

/// The result for one key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KeyResult {
    /// The key; `None` for a model with a single object.
    pub key: Option<Value>,
    pub verdict: Verdict,
    /// Operations checked for this key (after dropping `fail` operations and
    /// indeterminate reads).
    pub ops: usize,
    /// Configurations memoised by the search.
    pub states: u64,
    /// Search loop iterations.
    pub steps: u64,
    /// Why the verdict is `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Why the verdict is `not linearizable`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterexample: Option<Counterexample>,
}

/// The result for a history.
///
/// Invariants: `keys` is in key order; `verdict` is `not linearizable` if any
/// key is, else `unknown` if any key is, else `linearizable`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    pub model: String,
    pub verdict: Verdict,
    /// Operations in the history, including those dropped before the search.
    pub ops: usize,
    pub keys: Vec<KeyResult>,
}

impl CheckResult {
    /// The counterexamples of the keys that are not linearizable, in key order.
    pub fn counterexamples(&self) -> impl Iterator<Item = &Counterexample> {
        self.keys.iter().filter_map(|k| k.counterexample.as_ref())
    }
}

/// Checks `history` against a built-in model.
///
/// Deterministic: the result depends only on the history, the model and the
/// budget's state limit (plus, when they are used, on when `should_stop`
/// fires and on the shared memory limit). Keys are checked in parallel on
/// rayon's pool and reported in key order.
///
/// Returns an error if an operation does not fit the model (a wrong function
/// or value shape).
pub fn check(
    history: &History,
    model: ModelKind,
    budget: &Budget<'_>,
) -> Result<CheckResult, CheckError> {
    match model {
        ModelKind::CasRegister => check_model(history, &CasRegister, budget),
        ModelKind::Kv => check_model(history, &Kv, budget),
        ModelKind::KvAppend => check_model(history, &KvAppend, budget),
    }
}

/// Checks `history` against any [`Model`].
pub fn check_model<M: Model>(
    history: &History,
    model: &M,
    budget: &Budget<'_>,
) -> Result<CheckResult, CheckError> {
    let parts = partition(history, model)?;
    let limits = Limits::new(budget);
    let keys: Vec<KeyResult> = parts
        .par_iter()
        .map(|part| {
            let (found, stats) = search(model, &part.ops, &limits);
            let mut result = KeyResult {
                key: part.key.clone(),
                verdict: Verdict::Linearizable,
                ops: part.ops.len(),
                states: stats.states,
                steps: stats.steps,
                reason: None,
                counterexample: None,
            };
            match found {
                Found::Linearizable => {}
                Found::NotLinearizable(witness) => {
                    result.verdict = Verdict::NotLinearizable;
                    result.counterexample =
                        Some(Counterexample::build(history, model, part, &witness));
                }
                Found::Unknown(exhausted) => {
                    result.verdict = Verdict::Unknown;
                    result.reason = Some(exhausted.describe());
                }
            }
            result
        })
        .collect();
    let verdict = overall(keys.iter().map(|k| k.verdict));
    Ok(CheckResult {
        model: model.name().to_string(),
        verdict,
        ops: history.len(),
        keys,
    })
}

fn overall(verdicts: impl Iterator<Item = Verdict>) -> Verdict {
    verdicts.fold(Verdict::Linearizable, |acc, v| match (acc, v) {
        (Verdict::NotLinearizable, _) | (_, Verdict::NotLinearizable) => Verdict::NotLinearizable,
        (Verdict::Unknown, _) | (_, Verdict::Unknown) => Verdict::Unknown,
        _ => Verdict::Linearizable,
    })
}
