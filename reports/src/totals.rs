//! The `"totals"` object of `run --json`: exact sums over the seeds of a run,
//! in integer microseconds, with every latency histogram bucket by bucket.
//! `stats` is what people read (percentiles, ratios, rounded); `totals` is
//! what `report merge` adds up, so that the summary of a range run in shards
//! equals the summary of the range run at once.

use crate::stats::RunStats;
use crate::summary::Totals;
use serde::{Deserialize, Serialize};
use simulator::{LatencyHistogram, OpCounts, WorkloadStats};
use std::collections::BTreeMap;

/// A latency histogram as JSON: the non-empty buckets as `[bucket, count]`
/// pairs in bucket order, with the exact sum, minimum and maximum.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistogramJson {
    pub sum: u64,
    pub min: u64,
    pub max: u64,
    pub buckets: Vec<(u64, u64)>,
}

/// One operation type: outcomes and the latency of the completed ones (µs).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpJson {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    pub latency_us: HistogramJson,
}

/// The `"totals"` object. Field names carry their unit.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TotalsJson {
    pub seeds: u64,
    pub events: u64,
    pub virtual_us: u64,
    pub messages_sent: u64,
    pub messages_dropped: u64,
    pub leader_elections: u64,
    pub crashes: u64,
    pub partitions: u64,
    pub operations_completed: u64,
    pub leaderless_us: u64,
    pub wall_us: u64,
    pub ops: BTreeMap<String, OpJson>,
}

impl TotalsJson {
    pub fn of(totals: &Totals, stats: &RunStats) -> TotalsJson {
        TotalsJson {
            seeds: stats.seeds,
            events: totals.events,
            virtual_us: totals.virtual_us,
            messages_sent: totals.messages_sent,
            messages_dropped: totals.messages_dropped,
            leader_elections: totals.leader_elections,
            crashes: totals.crashes,
            partitions: totals.partitions,
            operations_completed: stats.operations_completed,
            leaderless_us: stats.workload.leaderless_us,
            wall_us: totals.wall_us,
            ops: stats
                .workload
                .ops
                .iter()
                .map(|(name, c)| (name.clone(), op_json(c)))
                .collect(),
        }
    }

    /// The totals and statistics these stand for, or why they cannot be.
    pub fn to_parts(&self) -> Result<(Totals, RunStats), String> {
        let mut workload = WorkloadStats {
            leaderless_us: self.leaderless_us,
            ..WorkloadStats::default()
        };
        for (name, op) in &self.ops {
            let latency = histogram(&op.latency_us)
                .map_err(|e| format!("totals.ops.{name}.latency_us: {e}"))?;
            let completed = op.ok.checked_add(op.fail);
            if completed != Some(latency.count) {
                return Err(format!(
                    "totals.ops.{name}: {} ok and {} fail operations but {} latencies",
                    op.ok, op.fail, latency.count
                ));
            }
            let counts = OpCounts {
                ok: op.ok,
                fail: op.fail,
                info: op.info,
                latency,
            };
            workload.ops.insert(name.clone(), counts);
        }
        let totals = Totals {
            events: self.events,
            virtual_us: self.virtual_us,
            messages_sent: self.messages_sent,
            messages_dropped: self.messages_dropped,
            leader_elections: self.leader_elections,
            crashes: self.crashes,
            partitions: self.partitions,
            wall_us: self.wall_us,
        };
        let stats = RunStats {
            seeds: self.seeds,
            virtual_us: self.virtual_us,
            messages_sent: self.messages_sent,
            operations_completed: self.operations_completed,
            leader_elections: self.leader_elections,
            workload,
            // Snapshot counts are not in the JSON totals: merged runs do
            // not show them.
            ..RunStats::default()
        };
        Ok((totals, stats))
    }

    /// Adds `other` to these totals; an error when a sum would overflow
    /// (no real run comes near; a doctored file might).
    pub fn add(&mut self, other: &TotalsJson) -> Result<(), String> {
        let sum = |a: &mut u64, b: u64, what: &str| -> Result<(), String> {
            *a = a
                .checked_add(b)
                .ok_or_else(|| format!("totals.{what} overflows when added up"))?;
            Ok(())
        };
        sum(&mut self.seeds, other.seeds, "seeds")?;
        sum(&mut self.events, other.events, "events")?;
        sum(&mut self.virtual_us, other.virtual_us, "virtual_us")?;
        sum(
            &mut self.messages_sent,
            other.messages_sent,
            "messages_sent",
        )?;
        sum(
            &mut self.messages_dropped,
            other.messages_dropped,
            "messages_dropped",
        )?;
        sum(
            &mut self.leader_elections,
            other.leader_elections,
            "leader_elections",
        )?;
        sum(&mut self.crashes, other.crashes, "crashes")?;
        sum(&mut self.partitions, other.partitions, "partitions")?;
        sum(
            &mut self.operations_completed,
            other.operations_completed,
            "operations_completed",
        )?;
        sum(
            &mut self.leaderless_us,
            other.leaderless_us,
            "leaderless_us",
        )?;
        sum(&mut self.wall_us, other.wall_us, "wall_us")?;
        for (name, theirs) in &other.ops {
            let ours = self.ops.entry(name.clone()).or_default();
            let what = format!("ops.{name}");
            sum(&mut ours.ok, theirs.ok, &what)?;
            sum(&mut ours.fail, theirs.fail, &what)?;
            sum(&mut ours.info, theirs.info, &what)?;
            let mut a = histogram(&ours.latency_us).map_err(|e| format!("totals.{what}: {e}"))?;
            let b = histogram(&theirs.latency_us).map_err(|e| format!("totals.{what}: {e}"))?;
            let count = a.count.checked_add(b.count);
            let sum_us = a.sum_us.checked_add(b.sum_us);
            if count.is_none() || sum_us.is_none() {
                return Err(format!("totals.{what}.latency_us overflows when added up"));
            }
            a.merge(&b);
            ours.latency_us = histogram_json(&a);
        }
        Ok(())
    }
}

fn op_json(c: &OpCounts) -> OpJson {
    OpJson {
        ok: c.ok,
        fail: c.fail,
        info: c.info,
        latency_us: histogram_json(&c.latency),
    }
}

fn histogram_json(h: &LatencyHistogram) -> HistogramJson {
    HistogramJson {
        sum: h.sum_us,
        min: h.min_us,
        max: h.max_us,
        buckets: h
            .buckets()
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(b, &c)| (b as u64, c))
            .collect(),
    }
}

/// The histogram of `json`; buckets must be in increasing order, each once.
fn histogram(json: &HistogramJson) -> Result<LatencyHistogram, String> {
    let max = LatencyHistogram::max_buckets();
    let mut counts: Vec<u64> = Vec::new();
    for &(bucket, count) in &json.buckets {
        let index = usize::try_from(bucket)
            .ok()
            .filter(|&b| b < max)
            .ok_or_else(|| format!("bucket {bucket} is beyond the last possible bucket"))?;
        if index < counts.len() {
            return Err(format!("bucket {bucket} is out of order or repeated"));
        }
        counts.resize(index + 1, 0);
        counts[index] = count;
    }
    LatencyHistogram::from_buckets(counts, json.sum, json.min, json.max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_round_trip_and_bad_buckets_are_errors() {
        let mut h = LatencyHistogram::default();
        for v in [5, 2_000, 2_100, 900_000] {
            h.record(v);
        }
        assert_eq!(histogram(&histogram_json(&h)), Ok(h));
        let bad = |buckets: Vec<(u64, u64)>| HistogramJson {
            sum: 1,
            min: 1,
            max: 1,
            buckets,
        };
        assert!(histogram(&bad(vec![(u64::MAX, 1)])).is_err());
        assert!(histogram(&bad(vec![(1, 1), (1, 1)])).is_err());
        assert!(histogram(&bad(vec![(1, 1), (0, 1)])).is_err());
        assert_eq!(histogram(&bad(vec![(1, 1)])).map(|h| h.count), Ok(1));
    }
}
