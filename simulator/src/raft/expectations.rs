//! A scenario's `[expect]` section, judged on one seed's outcome and
//! history after the run: liveness after healing, and bounds on metrics.
//! (Linearizability is checked by the caller; scripted expectations during
//! the run by the engine.)

use crate::observe::{Failure, FailureKind};
use crate::outcome::RunOutcome;
use checker::{Operation, Outcome};
use scenarios::Scenario;

/// The first expectation the seed misses, if any. `end_us` is when the run
/// ended.
pub fn judge(
    outcome: &RunOutcome,
    history: &[Operation],
    scenario: &Scenario,
    end_us: u64,
) -> Option<Failure> {
    let e = &scenario.expect;
    if e.liveness {
        if let Some(failure) = healing_liveness(outcome, history, scenario, end_us) {
            return Some(failure);
        }
    }
    if let Some(bound_ms) = e.healed_within_ms {
        if let Some(failure) = healed_within(outcome, history, scenario, bound_ms, end_us) {
            return Some(failure);
        }
    }
    metric_bounds(outcome, history, scenario).map(|message| Failure {
        kind: FailureKind::Expectation,
        message,
        at_us: end_us,
    })
}

/// Liveness: once faults stop, the cluster must serve clients again. Some
/// operation invoked after the healing phase began must complete `ok` before
/// the run ends (reads count: a ReadIndex read needs an elected leader that
/// committed an entry of its term and hears from a majority). When clients
/// stop before healing, a leader must be elected instead.
fn healing_liveness(
    outcome: &RunOutcome,
    history: &[Operation],
    scenario: &Scenario,
    end_us: u64,
) -> Option<Failure> {
    if scenario.phases.healing_ms == 0 {
        return None;
    }
    let healing_us = scenario.phases.faulty_ms * 1000;
    let clients_stopped = scenario.workload.clients == 0
        || scenario
            .workload
            .stop_ms
            .is_some_and(|stop_ms| stop_ms <= scenario.phases.faulty_ms);
    if clients_stopped {
        return outcome.engine.healed_leader_after_us.is_none().then(|| Failure {
            kind: FailureKind::Liveness,
            message: format!(
                "no node became leader after the healing phase began ({} ms) and before the end ({} ms)",
                scenario.phases.faulty_ms,
                end_us / 1000
            ),
            at_us: end_us,
        });
    }
    let invoked = history
        .iter()
        .filter(|op| op.invoke_time >= healing_us)
        .count();
    let served = history
        .iter()
        .any(|op| op.invoke_time >= healing_us && op.outcome == Outcome::Ok);
    (!served).then(|| Failure {
        kind: FailureKind::Liveness,
        message: format!(
            "no client operation invoked after the healing phase began ({} ms) completed ok before the end ({} ms): {invoked} invoked",
            scenario.phases.faulty_ms,
            end_us / 1000
        ),
        at_us: end_us,
    })
}

/// `healed_within_ms`: a leader within the bound after healing begins, and
/// every operation invoked after the bound (and early enough to finish
/// before the end) completes with a definite answer.
fn healed_within(
    outcome: &RunOutcome,
    history: &[Operation],
    scenario: &Scenario,
    bound_ms: u64,
    end_us: u64,
) -> Option<Failure> {
    let healing_us = scenario.phases.faulty_ms * 1000;
    let bound_us = bound_ms * 1000;
    let liveness = |message: String, at_us: u64| Failure {
        kind: FailureKind::Liveness,
        message,
        at_us,
    };
    match outcome.engine.healed_leader_after_us {
        Some(after_us) if after_us <= bound_us => {}
        Some(after_us) => {
            return Some(liveness(
                format!(
                    "the first leader after healing came {} ms after it began, beyond the bound of {bound_ms} ms",
                    after_us / 1000
                ),
                healing_us + after_us,
            ))
        }
        None => {
            return Some(liveness(
                format!("no leader after the healing phase began ({} ms)", healing_us / 1000),
                end_us,
            ))
        }
    }
    let from_us = healing_us + bound_us;
    let until_us = end_us.saturating_sub(scenario.workload.request_timeout_ms * 1000);
    let stuck = history.iter().find(|op| {
        (from_us..until_us).contains(&op.invoke_time)
            && !matches!(op.outcome, Outcome::Ok | Outcome::Fail)
    })?;
    Some(liveness(
        format!(
            "{} of process {} invoked at {} ms, {} ms after healing began, got no definite answer (bound: {bound_ms} ms)",
            stuck.f,
            stuck.process,
            stuck.invoke_time / 1000,
            (stuck.invoke_time - healing_us) / 1000
        ),
        stuck.invoke_time,
    ))
}

/// The first metric outside its bound, as a message.
fn metric_bounds(
    outcome: &RunOutcome,
    history: &[Operation],
    scenario: &Scenario,
) -> Option<String> {
    let e = &scenario.expect;
    let engine = &outcome.engine;
    let completed = engine.operations_completed;
    let ok_latencies_ms = || {
        let mut v: Vec<f64> = history
            .iter()
            .filter(|op| op.outcome == Outcome::Ok)
            .filter_map(|op| {
                op.complete_time
                    .map(|t| (t - op.invoke_time) as f64 / 1000.0)
            })
            .collect();
        v.sort_by(f64::total_cmp);
        v
    };
    if let Some(max) = e.elections_max {
        let got = outcome.protocol.leader_elections;
        if got > max {
            return Some(format!(
                "{got} elections won, more than expect.elections_max = {max}"
            ));
        }
    }
    if let Some(max) = e.messages_to_first_leader_max {
        let got = engine.messages_to_first_leader;
        if engine.first_leader_us.is_none() {
            return Some(format!(
                "no leader was ever elected ({got} messages sent), expect.messages_to_first_leader_max = {max}"
            ));
        }
        if got > max {
            return Some(format!(
                "{got} messages before the first leader, more than expect.messages_to_first_leader_max = {max}"
            ));
        }
    }
    if let Some(max) = e.messages_per_op_max {
        let got = engine.messages_sent as f64 / completed.max(1) as f64;
        if got > max {
            return Some(format!(
                "{got:.1} messages per completed operation ({} / {completed}), more than expect.messages_per_op_max = {max}",
                engine.messages_sent
            ));
        }
    }
    if let Some(max) = e.bytes_per_op_max {
        let got = engine.bytes_sent as f64 / completed.max(1) as f64;
        if got > max {
            return Some(format!(
                "{got:.0} bytes per completed operation ({} / {completed}), more than expect.bytes_per_op_max = {max}",
                engine.bytes_sent
            ));
        }
    }
    if let Some(max) = e.messages_per_idle_s_max {
        if engine.idle_us > 0 {
            let got = engine.idle_messages as f64 / (engine.idle_us as f64 / 1e6);
            if got > max {
                return Some(format!(
                    "{got:.1} messages per idle second ({} in {:.3} s), more than expect.messages_per_idle_s_max = {max}",
                    engine.idle_messages,
                    engine.idle_us as f64 / 1e6
                ));
            }
        }
    }
    if e.latency_ms_max.is_some() || e.latency_ms_p99_max.is_some() {
        let latencies = ok_latencies_ms();
        if let (Some(max), Some(&got)) = (e.latency_ms_max, latencies.last()) {
            if got > max {
                return Some(format!(
                    "an operation took {got:.3} ms, more than expect.latency_ms_max = {max}"
                ));
            }
        }
        if let Some(max) = e.latency_ms_p99_max {
            if !latencies.is_empty() {
                let rank =
                    ((latencies.len() as f64 * 0.99).ceil() as usize).clamp(1, latencies.len());
                let got = latencies[rank - 1];
                if got > max {
                    return Some(format!(
                        "99th percentile latency {got:.3} ms over {} ok operations, more than expect.latency_ms_p99_max = {max}",
                        latencies.len()
                    ));
                }
            }
        }
    }
    if let Some(min) = e.ops_ok_min {
        let got = history
            .iter()
            .filter(|op| op.outcome == Outcome::Ok)
            .count() as u64;
        if got < min {
            return Some(format!(
                "{got} operations completed ok, fewer than expect.ops_ok_min = {min}"
            ));
        }
    }
    let p = &outcome.protocol;
    if let Some(max) = e.raft_state_bytes_max {
        if p.raft_state_bytes_end > max {
            return Some(format!(
                "a node's Raft state is {} bytes at the end, more than expect.raft_state_bytes_max = {max} (logs were not trimmed)",
                p.raft_state_bytes_end
            ));
        }
    }
    if let Some(max) = e.snapshot_bytes_max {
        if p.snapshot_bytes_max > max {
            return Some(format!(
                "a snapshot of {} bytes, more than expect.snapshot_bytes_max = {max}",
                p.snapshot_bytes_max
            ));
        }
    }
    if let Some(min) = e.snapshot_installs_min {
        if p.snapshot_installs < min {
            return Some(format!(
                "{} snapshots installed from a leader, fewer than expect.snapshot_installs_min = {min}",
                p.snapshot_installs
            ));
        }
    }
    None
}
