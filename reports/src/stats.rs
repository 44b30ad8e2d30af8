//! [`RunStats`]: what the clients saw over every seed of a run, as Maelstrom
//! and load testers print it, and the `"stats"` object of `run --json`.
//!
//! Only mergeable counters and histograms are kept (never a history), so a
//! run of any number of seeds costs the same memory. Latencies are virtual
//! time. Quantiles come from [`LatencyHistogram`], whose buckets are at most
//! 12.5 % wide: a quantile is its bucket's upper bound, clamped to the exact
//! maximum; min, mean and max are exact.

use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};
use simulator::{LatencyHistogram, OpCounts, RunOutcome, WorkloadStats};

/// The quantiles shown, with their names in the summary and the JSON.
pub const QUANTILES: [(&str, f64); 4] = [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)];

/// Client and availability statistics summed over the seeds of a run.
/// Serialises to the `"stats"` object of `run --json`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Seeds whose outcomes were added.
    pub seeds: u64,
    pub virtual_us: u64,
    /// Messages between nodes (client requests not included).
    pub messages_sent: u64,
    /// Operations that got an answer (`ok` or `fail`), by the engine's count.
    pub operations_completed: u64,
    /// Times a node became leader.
    pub leader_elections: u64,
    /// Snapshots made and installed, and the largest, in bytes.
    pub snapshots: u64,
    pub snapshot_installs: u64,
    pub snapshot_bytes_max: u64,
    /// Configuration entries committed (two per change of voters).
    pub membership_changes: u64,
    /// Per operation counts and latencies, and the time without a leader.
    pub workload: WorkloadStats,
}

impl RunStats {
    pub fn add(&mut self, outcome: &RunOutcome) {
        self.seeds += 1;
        self.virtual_us += outcome.virtual_us;
        self.messages_sent += outcome.engine.messages_sent;
        self.operations_completed += outcome.engine.operations_completed;
        self.leader_elections += outcome.protocol.leader_elections;
        self.snapshots += outcome.protocol.snapshots;
        self.snapshot_installs += outcome.protocol.snapshot_installs;
        self.snapshot_bytes_max = self
            .snapshot_bytes_max
            .max(outcome.protocol.snapshot_bytes_max);
        self.membership_changes += outcome.protocol.membership_changes;
        self.workload.merge(&outcome.workload);
    }

    /// Node messages per completed operation, or `None` before any completed.
    pub fn messages_per_op(&self) -> Option<f64> {
        (self.operations_completed > 0)
            .then(|| self.messages_sent as f64 / self.operations_completed as f64)
    }

    pub fn elections_per_seed(&self) -> Option<f64> {
        (self.seeds > 0).then(|| self.leader_elections as f64 / self.seeds as f64)
    }

    /// The share of virtual time without a leader, in [0, 1].
    pub fn leaderless_ratio(&self) -> Option<f64> {
        (self.virtual_us > 0).then(|| self.workload.leaderless_us as f64 / self.virtual_us as f64)
    }
}

/// Every operation type together, for the `all` row.
pub fn all_ops(workload: &WorkloadStats) -> OpCounts {
    let mut all = OpCounts::default();
    for counts in workload.ops.values() {
        all.merge(counts);
    }
    all
}

/// Microseconds as milliseconds, exact to the microsecond.
fn ms(us: u64) -> f64 {
    us as f64 / 1_000.0
}

/// `x` rounded to `places` decimals, so that the JSON prints short numbers.
fn rounded(x: f64, places: i32) -> f64 {
    let scale = 10f64.powi(places);
    (x * scale).round() / scale
}

/// Latency percentiles in ms, or `null` when no operation completed.
struct LatencyMs<'a>(&'a LatencyHistogram);

impl Serialize for LatencyMs<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let h = self.0;
        let Some(mean_us) = h.mean_us() else {
            return out.serialize_none();
        };
        let mut map = out.serialize_map(Some(3 + QUANTILES.len()))?;
        map.serialize_entry("min", &ms(h.min_us))?;
        map.serialize_entry("mean", &rounded(mean_us / 1_000.0, 3))?;
        for (name, q) in QUANTILES {
            map.serialize_entry(name, &h.quantile_us(q).map(ms))?;
        }
        map.serialize_entry("max", &ms(h.max_us))?;
        map.end()
    }
}

/// One operation type: counts and latency.
struct OpStats<'a>(&'a OpCounts);

impl Serialize for OpStats<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let c = self.0;
        let mut s = out.serialize_struct("OpStats", 5)?;
        s.serialize_field("count", &c.total())?;
        s.serialize_field("ok", &c.ok)?;
        s.serialize_field("fail", &c.fail)?;
        s.serialize_field("info", &c.info)?;
        s.serialize_field("latency_ms", &LatencyMs(&c.latency))?;
        s.end()
    }
}

/// The operation types by name.
struct OpsByName<'a>(&'a WorkloadStats);

impl Serialize for OpsByName<'_> {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut map = out.serialize_map(Some(self.0.ops.len()))?;
        for (name, counts) in &self.0.ops {
            map.serialize_entry(name, &OpStats(counts))?;
        }
        map.end()
    }
}

impl Serialize for RunStats {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let all = all_ops(&self.workload);
        let mut s = out.serialize_struct("RunStats", 9)?;
        s.serialize_field("operations", &self.workload.operations())?;
        s.serialize_field("ops", &OpsByName(&self.workload))?;
        s.serialize_field("all", &OpStats(&all))?;
        s.serialize_field("messages_sent", &self.messages_sent)?;
        s.serialize_field("operations_completed", &self.operations_completed)?;
        s.serialize_field(
            "messages_per_op",
            &self.messages_per_op().map(|x| rounded(x, 2)),
        )?;
        s.serialize_field("elections", &self.leader_elections)?;
        s.serialize_field(
            "elections_per_seed",
            &self.elections_per_seed().map(|x| rounded(x, 2)),
        )?;
        s.serialize_field("leaderless_ms", &(self.workload.leaderless_us / 1_000))?;
        s.serialize_field(
            "leaderless_ratio",
            &self.leaderless_ratio().map(|x| rounded(x, 4)),
        )?;
        if self.snapshots + self.snapshot_installs > 0 {
            s.serialize_field("snapshots", &self.snapshots)?;
            s.serialize_field("snapshot_installs", &self.snapshot_installs)?;
            s.serialize_field("snapshot_bytes_max", &self.snapshot_bytes_max)?;
        }
        if self.membership_changes > 0 {
            s.serialize_field("membership_changes", &self.membership_changes)?;
        }
        s.end()
    }
}

/// Compact per-seed counts: `{"read": {"ok": 3, "fail": 0, "info": 1}, ...}`.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OpTally {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
}

impl From<&OpCounts> for OpTally {
    fn from(c: &OpCounts) -> OpTally {
        OpTally {
            ok: c.ok,
            fail: c.fail,
            info: c.info,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_stats_serialise_without_dividing_by_zero() {
        let value = serde_json::to_value(RunStats::default()).expect("serialisable");
        assert_eq!(value["operations"], 0);
        assert_eq!(value["messages_per_op"], serde_json::Value::Null);
        assert_eq!(value["all"]["latency_ms"], serde_json::Value::Null);
        assert_eq!(value["leaderless_ratio"], serde_json::Value::Null);
    }

    #[test]
    fn latency_is_in_milliseconds() {
        let mut c = OpCounts {
            ok: 2,
            ..OpCounts::default()
        };
        c.latency.record(1_500);
        c.latency.record(2_500);
        let value = serde_json::to_value(OpStats(&c)).expect("serialisable");
        assert_eq!(value["count"], 2);
        assert_eq!(value["latency_ms"]["min"], 1.5);
        assert_eq!(value["latency_ms"]["mean"], 2.0);
        assert_eq!(value["latency_ms"]["max"], 2.5);
    }
}
