//! Client statistics of a run, as Maelstrom and load testers print them:
//! per operation type the count of ok, fail and info, and latency
//! percentiles. They merge across seeds without keeping any history.

use checker::{Operation, Outcome};
use std::collections::BTreeMap;

/// Exact buckets below this value (µs); above it, 8 buckets per power of two.
const LINEAR_BELOW: u64 = 16;
const SUB_BUCKETS: u64 = 8;

/// A latency histogram in virtual microseconds with a relative error of at
/// most 1/8 (12.5 %) on quantiles, exact min, max and mean. Mergeable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    counts: Vec<u64>,
    pub count: u64,
    pub sum_us: u64,
    pub min_us: u64,
    pub max_us: u64,
}

fn bucket_of(v: u64) -> usize {
    if v < LINEAR_BELOW {
        return v as usize;
    }
    let e = 63 - u64::from(v.leading_zeros()); // floor(log2 v) >= 4
    let sub = (v >> (e - 3)) & (SUB_BUCKETS - 1);
    (LINEAR_BELOW + (e - 4) * SUB_BUCKETS + sub) as usize
}

/// The largest value that falls in bucket `b`.
fn bucket_upper(b: usize) -> u64 {
    let b = b as u64;
    if b < LINEAR_BELOW {
        return b;
    }
    let e = (b - LINEAR_BELOW) / SUB_BUCKETS + 4;
    let sub = (b - LINEAR_BELOW) % SUB_BUCKETS;
    let low = (1u64 << e) + (sub << (e - 3));
    low + (1u64 << (e - 3)) - 1
}

impl LatencyHistogram {
    pub fn record(&mut self, us: u64) {
        let b = bucket_of(us);
        if self.counts.len() <= b {
            self.counts.resize(b + 1, 0);
        }
        self.counts[b] += 1;
        self.min_us = if self.count == 0 {
            us
        } else {
            self.min_us.min(us)
        };
        self.max_us = self.max_us.max(us);
        self.count += 1;
        self.sum_us += us;
    }

    pub fn merge(&mut self, other: &LatencyHistogram) {
        if other.count == 0 {
            return;
        }
        if self.counts.len() < other.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.min_us = if self.count == 0 {
            other.min_us
        } else {
            self.min_us.min(other.min_us)
        };
        self.max_us = self.max_us.max(other.max_us);
        self.count += other.count;
        self.sum_us += other.sum_us;
    }

    /// Operations per bucket, by bucket number: what [`from_buckets`] takes
    /// back (a report written by one process and merged by another). Empty
    /// when nothing was recorded; otherwise the last bucket is not empty.
    ///
    /// [`from_buckets`]: LatencyHistogram::from_buckets
    pub fn buckets(&self) -> &[u64] {
        &self.counts
    }

    /// How many buckets a histogram can have: the bucket of `u64::MAX` is the last.
    pub fn max_buckets() -> usize {
        bucket_of(u64::MAX) + 1
    }

    /// The histogram whose buckets, sum, minimum and maximum are these, or
    /// why they cannot belong to one histogram (a bucket beyond any `u64`,
    /// a minimum or maximum outside the first or last non-empty bucket, or a
    /// count that overflows). Trailing empty buckets are dropped, so that
    /// equal histograms compare equal.
    pub fn from_buckets(
        mut counts: Vec<u64>,
        sum_us: u64,
        min_us: u64,
        max_us: u64,
    ) -> Result<LatencyHistogram, String> {
        while counts.last() == Some(&0) {
            counts.pop();
        }
        if counts.len() > Self::max_buckets() {
            return Err(format!(
                "bucket {} is beyond the last possible bucket {}",
                counts.len() - 1,
                bucket_of(u64::MAX)
            ));
        }
        let mut count: u64 = 0;
        for &c in &counts {
            count = count
                .checked_add(c)
                .ok_or_else(|| "the bucket counts add up to more than 2^64".to_string())?;
        }
        if count == 0 {
            if (sum_us, min_us, max_us) != (0, 0, 0) {
                return Err("an empty histogram must have sum, min and max 0".to_string());
            }
            return Ok(LatencyHistogram::default());
        }
        let first = counts.iter().position(|&c| c > 0).unwrap_or(0);
        let last = counts.len() - 1;
        if bucket_of(min_us) != first {
            return Err(format!(
                "min {min_us} is not in the first non-empty bucket {first}"
            ));
        }
        if bucket_of(max_us) != last {
            return Err(format!(
                "max {max_us} is not in the last non-empty bucket {last}"
            ));
        }
        Ok(LatencyHistogram {
            counts,
            count,
            sum_us,
            min_us,
            max_us,
        })
    }

    pub fn mean_us(&self) -> Option<f64> {
        (self.count > 0).then(|| self.sum_us as f64 / self.count as f64)
    }

    /// The `q` quantile (0 <= q <= 1) as the upper bound of its bucket,
    /// clamped to the exact maximum.
    pub fn quantile_us(&self, q: f64) -> Option<u64> {
        if self.count == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (b, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                return Some(bucket_upper(b).min(self.max_us).max(self.min_us));
            }
        }
        Some(self.max_us)
    }
}

/// Counts and latencies of one operation type.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpCounts {
    pub ok: u64,
    pub fail: u64,
    pub info: u64,
    /// Latency of the operations that completed (`ok` and `fail`).
    pub latency: LatencyHistogram,
}

impl OpCounts {
    pub fn total(&self) -> u64 {
        self.ok + self.fail + self.info
    }

    pub fn merge(&mut self, other: &OpCounts) {
        self.ok += other.ok;
        self.fail += other.fail;
        self.info += other.info;
        self.latency.merge(&other.latency);
    }
}

/// What the clients of a run saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkloadStats {
    /// By operation name (`read`, `write`, `cas`, `get`, `put`, `append`).
    pub ops: BTreeMap<String, OpCounts>,
    /// Virtual time during which no live node believed it led.
    pub leaderless_us: u64,
}

impl WorkloadStats {
    /// Counts the operations of a history.
    pub fn from_history(ops: &[Operation]) -> WorkloadStats {
        let mut stats = WorkloadStats::default();
        for op in ops {
            let c = stats.ops.entry(op.f.clone()).or_default();
            match op.outcome {
                Outcome::Ok => c.ok += 1,
                Outcome::Fail => c.fail += 1,
                Outcome::Info => c.info += 1,
            }
            if let (Outcome::Ok | Outcome::Fail, Some(done)) = (op.outcome, op.complete_time) {
                c.latency.record(done.saturating_sub(op.invoke_time));
            }
        }
        stats
    }

    pub fn merge(&mut self, other: &WorkloadStats) {
        for (f, c) in &other.ops {
            self.ops.entry(f.clone()).or_default().merge(c);
        }
        self.leaderless_us += other.leaderless_us;
    }

    /// Operations invoked, of every type and outcome.
    pub fn operations(&self) -> u64 {
        self.ops.values().map(OpCounts::total).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_bounded() {
        let mut last = 0;
        for v in 0..100_000u64 {
            let b = bucket_of(v);
            assert!(b == last || b == last + 1, "bucket jump at {v}");
            assert!(v <= bucket_upper(b), "{v} above its bucket's upper bound");
            if v >= LINEAR_BELOW {
                assert!((bucket_upper(b) - v) * 8 <= v, "relative error at {v}");
            }
            last = b;
        }
    }

    #[test]
    fn buckets_round_trip_and_bad_parts_are_refused() {
        let mut h = LatencyHistogram::default();
        for v in [3, 17, 900, 1_000_000] {
            h.record(v);
        }
        let back =
            LatencyHistogram::from_buckets(h.buckets().to_vec(), h.sum_us, h.min_us, h.max_us);
        assert_eq!(back, Ok(h.clone()));
        let mut padded = h.buckets().to_vec();
        padded.push(0);
        assert_eq!(
            LatencyHistogram::from_buckets(padded, h.sum_us, h.min_us, h.max_us),
            Ok(h.clone())
        );
        assert_eq!(
            LatencyHistogram::from_buckets(Vec::new(), 0, 0, 0),
            Ok(LatencyHistogram::default())
        );
        assert!(LatencyHistogram::from_buckets(Vec::new(), 1, 0, 0).is_err());
        assert!(
            LatencyHistogram::from_buckets(h.buckets().to_vec(), h.sum_us, 4, h.max_us).is_err()
        );
        assert!(LatencyHistogram::from_buckets(h.buckets().to_vec(), h.sum_us, 3, 5).is_err());
        assert!(LatencyHistogram::from_buckets(vec![u64::MAX, 1], 0, 0, 1).is_err());
        let mut huge = vec![0; 2_000];
        huge[1_999] = 1;
        assert!(LatencyHistogram::from_buckets(huge, 0, 0, 0).is_err());
    }

    #[test]
    fn quantiles_and_merge() {
        let mut a = LatencyHistogram::default();
        let mut b = LatencyHistogram::default();
        for v in 1..=100 {
            a.record(v * 1000);
        }
        for v in 101..=200 {
            b.record(v * 1000);
        }
        a.merge(&b);
        assert_eq!(a.count, 200);
        assert_eq!(a.min_us, 1000);
        assert_eq!(a.max_us, 200_000);
        let p50 = a.quantile_us(0.5).unwrap();
        assert!((100_000..=112_500).contains(&p50), "p50 {p50}");
        assert_eq!(a.quantile_us(1.0), Some(200_000));
        assert_eq!(LatencyHistogram::default().quantile_us(0.5), None);
    }
}
