//! Running one seed so that nothing escapes it: the engine already turns a
//! panic inside a run into a `panic` failure; this layer catches anything that
//! slips past (a panic while setting a run up) and keeps the default panic
//! message off the terminal, where it would land over the progress bar.

use checker::Operation;
use scenarios::Scenario;
use simulator::{EngineStats, Failure, FailureKind, ProtocolStats, RunOutcome};
use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

thread_local! {
    /// Whether this thread is inside [`run_one`]: its panics become outcomes.
    static IN_SEED: Cell<bool> = const { Cell::new(false) };
}

/// `--jobs`, or the number of cores.
pub fn jobs(given: Option<usize>) -> usize {
    given.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A pool of `jobs` worker threads named `raftsim-NAME-I`.
pub fn pool(jobs: usize, name: &'static str) -> Result<rayon::ThreadPool, crate::exit::CliError> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(move |i| format!("raftsim-{name}-{i}"))
        .build()
        .map_err(|e| crate::exit::CliError::io(format!("cannot start {jobs} worker threads: {e}")))
}

/// Runs `seed` of `scenario`; a panic becomes a `panic` failure of that seed.
pub fn run_one(scenario: &Scenario, seed: u64, trace: Option<&mut dyn FnMut(&str)>) -> RunOutcome {
    guarded(
        seed,
        || simulator::raft::run_seed(scenario, seed, trace),
        |failed| failed,
    )
}

/// [`run_one`], also returning the client history. A panic that escaped the
/// engine took the history with it: the history is then empty.
pub fn run_one_with_history(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> (RunOutcome, Vec<Operation>) {
    guarded(
        seed,
        || simulator::raft::run_seed_with_history(scenario, seed, trace),
        |failed| (failed, Vec::new()),
    )
}

/// [`run_one_with_history`], also recording the seed for the HTML report
/// (`None` when a panic escaped the engine and took the recording with it).
pub fn run_one_recorded(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> (
    RunOutcome,
    Vec<Operation>,
    Option<simulator::raft::Timeline>,
) {
    guarded(
        seed,
        || {
            let r = simulator::raft::run_seed_recorded(scenario, seed, trace);
            (r.outcome, r.history, Some(r.timeline))
        },
        |failed| (failed, Vec::new(), None),
    )
}

/// Runs `f` for `seed`; a panic becomes a `panic` failure of the seed, which
/// `on_panic` turns into the result.
fn guarded<T>(seed: u64, f: impl FnOnce() -> T, on_panic: impl FnOnce(RunOutcome) -> T) -> T {
    IN_SEED.with(|flag| flag.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_SEED.with(|flag| flag.set(false));
    result.unwrap_or_else(|payload| on_panic(panicked(seed, payload.as_ref())))
}

fn panicked(seed: u64, payload: &(dyn Any + Send)) -> RunOutcome {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string());
    RunOutcome {
        seed,
        failure: Some(Failure {
            kind: FailureKind::Panic,
            message: format!("panicked outside the engine's run loop: {text}"),
            at_us: 0,
        }),
        trace_hash: 0,
        events: 0,
        virtual_us: 0,
        engine: EngineStats::default(),
        protocol: ProtocolStats::default(),
        workload: Default::default(),
    }
}

/// Makes panics inside [`run_one`] print nothing (their message is in the
/// outcome); panics anywhere else still print as before. The hook is
/// process-wide and installed once, never removed: the engine chains its own
/// quiet hook onto whatever hook it finds, so taking ours away later could
/// take the engine's with it.
pub fn quiet_seed_panics() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_SEED.try_with(Cell::get).unwrap_or(false) {
                previous(info);
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_failure_of_its_seed() {
        quiet_seed_panics();
        let outcome = guarded(7, || -> RunOutcome { panic!("boom {}", 3) }, |f| f);
        assert_eq!(outcome.seed, 7);
        let failure = outcome.failure.expect("a failure");
        assert_eq!(failure.kind, FailureKind::Panic);
        assert!(failure.message.ends_with("boom 3"), "{}", failure.message);
        assert!(
            !IN_SEED.with(Cell::get),
            "the flag is cleared after a panic"
        );
    }
}
