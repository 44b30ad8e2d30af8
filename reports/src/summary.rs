//! [`RunSummary`]: what one `raftsim run` found, built from its outcomes.

use crate::replay::replay_command;
use crate::stats::{OpTally, RunStats};
use serde::{Deserialize, Serialize, Serializer};
use simulator::{FailureKind, RunOutcome};
use std::collections::BTreeMap;
use std::time::Duration;

/// The seeds a run covered: `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeedSpan {
    pub start: u64,
    pub end: u64,
}

/// `--shard I/N`: the run covered the seeds whose index in the span modulo
/// `count` is `index`. Invariant: `index < count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// How a run was asked for: what the replay commands must repeat.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// The scenario as the user names it on the command line.
    pub scenario: String,
    pub seeds: SeedSpan,
    pub shard: Option<Shard>,
    /// Planted bugs switched on, in command-line order.
    pub bugs: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
}

/// One seed's line in `results`. The field order is part of the output: the
/// trace hash comes right after the status so that scripts can pick it out of
/// a line with one regular expression.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SeedResult {
    pub seed: u64,
    pub status: Status,
    /// The trace hash as 16 lower-case hex digits.
    pub trace_hash: String,
    pub events: u64,
    pub virtual_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "kind_name")]
    pub kind: Option<FailureKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
    /// Client operations by type: how many ended ok, fail and info. Last, so
    /// that the fields before it keep the order of CLI.md.
    pub ops: BTreeMap<String, OpTally>,
}

/// Every failure kind, in the order summaries list them.
pub const FAILURE_KINDS: [FailureKind; 6] = [
    FailureKind::Linearizability,
    FailureKind::Safety,
    FailureKind::Liveness,
    FailureKind::Expectation,
    FailureKind::Panic,
    FailureKind::Limit,
];

/// The kind named `name`, as `FailureKind::as_str` spells it.
pub fn failure_kind(name: &str) -> Option<FailureKind> {
    FAILURE_KINDS.into_iter().find(|k| k.as_str() == name)
}

fn kind_name<S: Serializer>(kind: &Option<FailureKind>, out: S) -> Result<S::Ok, S::Error> {
    match kind {
        Some(kind) => out.serialize_str(kind.as_str()),
        None => out.serialize_none(),
    }
}

/// Sums over every seed of a run, for the totals of the terminal summary and
/// the `"totals"` object of `run --json` (with [`RunStats`], from which
/// `report merge` rebuilds a summary exactly).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub events: u64,
    pub virtual_us: u64,
    pub messages_sent: u64,
    pub messages_dropped: u64,
    pub leader_elections: u64,
    pub crashes: u64,
    pub partitions: u64,
    /// Wall-clock time of the whole run, all jobs together.
    pub wall_us: u64,
}

/// What a run found. Serialises (see `json.rs`) to the `run --json` object
/// of CLI.md, plus `shard` when the run was sharded, `bugs`, `stats` over
/// all seeds, the exact `totals`, and `ops` in every result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub scenario: String,
    pub seeds: SeedSpan,
    pub shard: Option<Shard>,
    pub passed: u64,
    pub failed: u64,
    pub wall_ms: u64,
    /// Client statistics over every seed run.
    pub stats: RunStats,
    /// One entry per seed run, in seed order.
    pub results: Vec<SeedResult>,
    /// Planted bugs switched on, in command-line order.
    pub bugs: Vec<String>,
    pub totals: Totals,
    /// How many shards `report merge` joined into this summary (0: one run).
    /// Not part of the JSON: a merged file reads back as one run.
    pub shards_merged: u64,
}

impl RunSummary {
    pub fn all_passed(&self) -> bool {
        self.failed == 0
    }
}

/// Builds the summary of a run from its outcomes (in seed order) and the
/// wall-clock time it took.
pub fn summarize(spec: &RunSpec, outcomes: &[RunOutcome], wall: Duration) -> RunSummary {
    let mut totals = Totals {
        wall_us: u64::try_from(wall.as_micros()).unwrap_or(u64::MAX),
        ..Totals::default()
    };
    let mut stats = RunStats::default();
    let mut results = Vec::with_capacity(outcomes.len());
    let mut failed = 0;
    for outcome in outcomes {
        add(&mut totals, outcome);
        stats.add(outcome);
        let failure = outcome.failure.as_ref();
        failed += u64::from(failure.is_some());
        results.push(SeedResult {
            seed: outcome.seed,
            status: if failure.is_some() {
                Status::Fail
            } else {
                Status::Pass
            },
            trace_hash: format!("{:016x}", outcome.trace_hash),
            events: outcome.events,
            virtual_ms: outcome.virtual_us / 1_000,
            kind: failure.map(|f| f.kind),
            message: failure.map(|f| f.message.clone()),
            replay: failure.map(|_| replay_command(&spec.scenario, outcome.seed, &spec.bugs)),
            ops: outcome
                .workload
                .ops
                .iter()
                .map(|(name, counts)| (name.clone(), OpTally::from(counts)))
                .collect(),
        });
    }
    RunSummary {
        scenario: spec.scenario.clone(),
        seeds: spec.seeds,
        shard: spec.shard,
        passed: outcomes.len() as u64 - failed,
        failed,
        wall_ms: u64::try_from(wall.as_millis()).unwrap_or(u64::MAX),
        stats,
        results,
        bugs: spec.bugs.clone(),
        totals,
        shards_merged: 0,
    }
}

fn add(totals: &mut Totals, outcome: &RunOutcome) {
    totals.events += outcome.events;
    totals.virtual_us += outcome.virtual_us;
    totals.messages_sent += outcome.engine.messages_sent;
    totals.messages_dropped += outcome.engine.messages_dropped;
    totals.leader_elections += outcome.protocol.leader_elections;
    totals.crashes += outcome.engine.crashes;
    totals.partitions += outcome.engine.partitions;
}
