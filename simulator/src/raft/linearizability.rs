//! Checks a run's client history for linearizability, after the run.
//!
//! The budget is a number of memoised states per key, never wall time, so
//! that the verdict of a seed is the same on every machine and thread count.

use crate::observe::{Failure, FailureKind};
use checker::{Budget, History, ModelKind, Operation, Verdict};
use scenarios::WorkloadKind;

/// States the search may memoise per key before it gives up (`limit`).
pub const MAX_STATES_PER_KEY: u64 = 2_000_000;

/// The checker's model for a workload.
pub fn model_for(kind: WorkloadKind) -> ModelKind {
    match kind {
        WorkloadKind::LinKv => ModelKind::Kv,
        WorkloadKind::Kv824 => ModelKind::KvAppend,
    }
}

/// `Ok` if the history is linearizable; otherwise the failure to report,
/// timed at the end of the run (`end_us`). A history the harness built wrong
/// is reported as a `panic`: it is a bug of ours, not of the protocol.
pub fn check_history(ops: Vec<Operation>, kind: WorkloadKind, end_us: u64) -> Result<(), Failure> {
    let failure = |kind: FailureKind, message: String| Failure {
        kind,
        message,
        at_us: end_us,
    };
    let history = History::new(ops).map_err(|e| {
        failure(
            FailureKind::Panic,
            format!("the harness recorded an invalid history: {e}"),
        )
    })?;
    let budget = Budget::unlimited().with_max_states_per_key(MAX_STATES_PER_KEY);
    let result = checker::check(&history, model_for(kind), &budget).map_err(|e| {
        failure(
            FailureKind::Panic,
            format!("the history does not fit its model: {e}"),
        )
    })?;
    match result.verdict {
        Verdict::Linearizable => Ok(()),
        Verdict::NotLinearizable => {
            let Some(cex) = result.counterexamples().next() else {
                return Err(failure(
                    FailureKind::Linearizability,
                    "not linearizable".into(),
                ));
            };
            let key = cex
                .key
                .as_ref()
                .map_or("the register".to_string(), |k| format!("key {k}"));
            let last = cex.linearized.last().map_or(String::new(), |step| {
                format!(" after {} (state then {})", step.op, step.state_after)
            });
            Err(failure(
                FailureKind::Linearizability,
                format!(
                    "{key} is not linearizable: {} cannot be placed{last}; {} operations linearised before it, {} pending \
                     (`replay --history` writes the history; `raftsim check` on it prints the whole counterexample)",
                    cex.unplaced,
                    cex.linearized_len,
                    cex.candidates.len()
                ),
            ))
        }
        Verdict::Unknown => {
            let reason = result
                .keys
                .iter()
                .find_map(|k| k.reason.clone())
                .unwrap_or_default();
            Err(failure(
                FailureKind::Limit,
                format!("the linearizability check ran out of its budget: {reason}"),
            ))
        }
    }
}
