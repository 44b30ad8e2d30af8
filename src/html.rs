//! `replay --html` and `check --html`: the page of one seed or one history,
//! written whole or not at all.

use crate::exit::CliError;
use crate::output;
use checker::{Budget, CheckResult, History, Operation};
use scenarios::Scenario;
use simulator::raft::Timeline;
use simulator::{FailureKind, RunOutcome};
use std::path::Path;

/// Refuses, before any work, an `--html` path that could never be written.
pub fn check_html_path(path: &Path) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        return Err(CliError::usage(
            "--html needs a file path (the page is not written to stdout)",
        ));
    }
    output::check_writable("--html", path)
}

/// A replayed seed, with what the page needs.
pub struct Replayed<'a> {
    pub scenario: &'a Scenario,
    /// The scenario as the user named it.
    pub label: &'a str,
    pub bugs: &'a [String],
    pub outcome: &'a RunOutcome,
    pub history: &'a [Operation],
    /// `None` when a panic escaped the engine and took the recording.
    pub timeline: Option<&'a Timeline>,
}

/// Writes the page of a replayed seed to `path`. A linearizability failure
/// is checked again here for its counterexample (the run keeps only its
/// message); the verdict is the run's, the same by determinism.
pub fn write_seed(path: &Path, replayed: &Replayed<'_>) -> Result<(), CliError> {
    let check = match &replayed.outcome.failure {
        Some(f) if f.kind == FailureKind::Linearizability => {
            counterexample(replayed.history, replayed.scenario)
        }
        _ => None,
    };
    let empty = Timeline::default();
    let page = reports::SeedPage {
        scenario: replayed.label,
        bugs: replayed.bugs,
        outcome: replayed.outcome,
        history: replayed.history,
        check: check.as_ref(),
        timeline: replayed.timeline.unwrap_or(&empty),
    };
    let html = reports::render_seed_html(&page)
        .map_err(|e| CliError::io(format!("cannot render the HTML report: {e}")))?;
    output::write_atomically(path, &html)
}

fn counterexample(ops: &[Operation], scenario: &Scenario) -> Option<CheckResult> {
    let history = History::new(ops.to_vec()).ok()?;
    let model = simulator::raft::model_for(scenario.workload.kind);
    let budget = Budget::unlimited().with_max_states_per_key(simulator::raft::MAX_STATES_PER_KEY);
    checker::check(&history, model, &budget).ok()
}

/// Writes the page of a history checked alone to `path`.
pub fn write_history(
    path: &Path,
    file: &str,
    history: &History,
    result: &CheckResult,
) -> Result<(), CliError> {
    let page = reports::HistoryPage {
        file,
        history: history.ops(),
        check: result,
    };
    let html = reports::render_history_html(&page)
        .map_err(|e| CliError::io(format!("cannot render the HTML report: {e}")))?;
    output::write_atomically(path, &html)
}
