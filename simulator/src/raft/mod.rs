//! raft-core's node as a [`crate::Node`], and Raft's safety properties as an
//! [`crate::Observer`].

mod expectations;
mod linearizability;
mod node;
mod safety;
mod timeline;
mod workload;

pub use linearizability::{check_history, model_for, MAX_STATES_PER_KEY};
pub use node::{replay_records, Durable, RaftConfig, RaftNode, Record, SnapshotStep};
pub use safety::RaftSafety;
pub use timeline::{run_seed_recorded, Recorded, Recording, Timeline};
pub use workload::KvWorkload;

use crate::outcome::RunOutcome;
use crate::stats::WorkloadStats;
use checker::Operation;
use raft_core::kv::ReadMode;
use raft_core::{Bug, Bugs};
use scenarios::Scenario;

/// The node configuration a scenario describes (`id` and `peers` are set
/// per node at boot; `voters` are the initial configuration's). Unknown bug names are
/// ignored here; the command line rejects them before a run starts.
pub fn raft_config(scenario: &Scenario) -> RaftConfig {
    let c = &scenario.cluster;
    let bugs = c
        .bugs
        .iter()
        .filter_map(|name| Bug::from_name(name))
        .fold(Bugs::none(), Bugs::with);
    RaftConfig {
        protocol: raft_core::Config {
            id: 0,
            voters: (0..c.initial_voters() as u64).collect(),
            peers: Vec::new(),
            election_timeout_ticks_min: c.election_timeout_ticks_min,
            election_timeout_ticks_max: c.election_timeout_ticks_max,
            heartbeat_ticks: c.heartbeat_ticks,
            pre_vote: c.pre_vote,
            noop_on_election: c.noop_on_election,
            check_quorum: c.check_quorum,
            lease_reads: scenario.workload.read_mode == scenarios::ReadMode::Lease,
            clock_drift_bound_ppm: scenario.clock.drift_ppm_max,
            max_inflight_msgs: c.max_inflight_msgs,
            max_entries_per_msg: c.max_entries_per_msg,
            snapshot_chunk_bytes: c.snapshot_chunk_bytes,
            bugs,
        },
        snapshot_log_bytes: c.snapshot_log_bytes,
        read_mode: match scenario.workload.read_mode {
            scenarios::ReadMode::ReadIndex => ReadMode::ReadIndex,
            scenarios::ReadMode::Log => ReadMode::Log,
            scenarios::ReadMode::Lease => ReadMode::Lease,
        },
    }
}

/// Runs one seed of `scenario`: the KV service on raft-core's nodes, driven
/// by the scenario's clients, with every safety check after every step, and
/// the client history checked for linearizability at the end. Planted bugs
/// come from `scenario.cluster.bugs` (validated names, see
/// [`raft_core::Bug::from_name`]). When `trace` is given, it receives one
/// readable line per processed event.
pub fn run_seed(scenario: &Scenario, seed: u64, trace: Option<&mut dyn FnMut(&str)>) -> RunOutcome {
    let (mut outcome, history) = run_and_record(scenario, seed, trace, None);
    check_linearizable(&mut outcome, history, scenario);
    outcome
}

/// [`run_seed`], also returning the client history (for `replay --history`).
pub fn run_seed_with_history(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> (RunOutcome, Vec<Operation>) {
    let (mut outcome, history) = run_and_record(scenario, seed, trace, None);
    check_linearizable(&mut outcome, history.clone(), scenario);
    (outcome, history)
}

/// Runs the seed and fills in every statistic and check except the
/// linearizability of the history, which the callers run on the history they
/// own (so that `run_seed` need not copy it). A `timeline` records the run
/// for the HTML report (see `timeline.rs`).
fn run_and_record(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
    timeline: Option<&mut Timeline>,
) -> (RunOutcome, Vec<Operation>) {
    let config = raft_config(scenario);
    let mut safety = RaftSafety::new(scenario.cluster.nodes, scenario.cluster.initial_voters());
    let mut workload = KvWorkload::new(&scenario.workload);
    let mut outcome = match timeline {
        None => crate::engine::run(scenario, &config, &mut safety, &mut workload, seed, trace),
        Some(timeline) => {
            let mut recording = timeline.watching(&mut safety);
            crate::engine::run(
                scenario,
                &config,
                &mut recording,
                &mut workload,
                seed,
                trace,
            )
        }
    };
    let history = workload.into_history();
    outcome.protocol = safety.stats.clone();
    outcome.workload = WorkloadStats::from_history(&history);
    outcome.workload.leaderless_us = safety.leaderless_us(outcome.virtual_us);
    if outcome.failure.is_none() {
        outcome.failure = expectations::judge(&outcome, &history, scenario, outcome.virtual_us);
    }
    (outcome, history)
}

/// Checks the history of a run that has not failed otherwise.
fn check_linearizable(outcome: &mut RunOutcome, history: Vec<Operation>, scenario: &Scenario) {
    if outcome.failure.is_none() && scenario.expect.linearizable {
        if let Err(f) = check_history(history, scenario.workload.kind, outcome.virtual_us) {
            outcome.failure = Some(f);
        }
    }
}
