//! What a seed must show to pass, beyond Raft's safety checks (which always
//! run): linearizability, liveness after healing, bounds on metrics; or, for
//! a scenario that demonstrates a planted bug, that seeds fail.

use serde::{Deserialize, Serialize};

/// Why a run failed: the `kind` values of `run --json`, and what a
/// must-fail scenario may declare in `expect.kinds`. (The simulator reports
/// failures with this type.)
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    Linearizability,
    Safety,
    Liveness,
    Expectation,
    Panic,
    Limit,
}

impl FailureKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FailureKind::Linearizability => "linearizability",
            FailureKind::Safety => "safety",
            FailureKind::Liveness => "liveness",
            FailureKind::Expectation => "expectation",
            FailureKind::Panic => "panic",
            FailureKind::Limit => "limit",
        }
    }
}

impl std::fmt::Display for FailureKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The `[expect]` section. Metric bounds are per seed; a seed that exceeds
/// one fails with kind `expectation`, naming the metric, its value and the
/// bound.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExpectSpec {
    /// The scenario must fail: over a range of seeds, at least one seed
    /// fails, and every failing seed fails with one of `kinds` (any kind
    /// when `kinds` is empty). For demonstrations of planted bugs.
    pub fail: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<FailureKind>,
    /// Check every client history for linearizability.
    pub linearizable: bool,
    /// Liveness: some operation invoked after the healing phase began
    /// completes ok before the run ends.
    pub liveness: bool,
    /// A leader is elected within this long after the healing phase begins,
    /// and every operation invoked after that completes (ok or a definite
    /// failure, not a timeout).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healed_within_ms: Option<u64>,
    /// At most this many elections won in the whole run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elections_max: Option<u64>,
    /// At most this many messages between nodes before the first leader is
    /// elected (6.824 Count2B: "too many RPCs to elect initial leader").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_to_first_leader_max: Option<u64>,
    /// At most this many messages between nodes per completed operation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_per_op_max: Option<f64>,
    /// At most this many bytes between nodes per completed operation (6.824
    /// RPCBytes2B). A message's size is the protocol's own estimate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes_per_op_max: Option<f64>,
    /// At most this many messages between nodes per virtual second in
    /// which no client operation is in flight (6.824 Count2B: heartbeats
    /// only when idle). Needs idle time: see `workload.stop_ms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages_per_idle_s_max: Option<f64>,
    /// Longest latency of an operation that completed ok, in virtual ms.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms_max: Option<f64>,
    /// 99th percentile latency of operations that completed ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_ms_p99_max: Option<f64>,
    /// At least this many operations complete ok.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ops_ok_min: Option<u64>,
    /// At the end of the run, no live node's Raft state (its log entries,
    /// estimated as on the wire, and its hard state) exceeds this many
    /// bytes (6.824 SnapshotSize3B and the 2D tests: "logs were not
    /// trimmed").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raft_state_bytes_max: Option<u64>,
    /// No snapshot made or installed exceeds this many bytes (6.824
    /// SnapshotSize3B: "snapshot too large").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_bytes_max: Option<u64>,
    /// At least this many snapshots are installed from a leader (the
    /// scenario exercises InstallSnapshot).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot_installs_min: Option<u64>,
}

impl Default for ExpectSpec {
    fn default() -> Self {
        ExpectSpec {
            fail: false,
            kinds: Vec::new(),
            linearizable: true,
            liveness: true,
            healed_within_ms: None,
            elections_max: None,
            messages_to_first_leader_max: None,
            messages_per_op_max: None,
            bytes_per_op_max: None,
            messages_per_idle_s_max: None,
            latency_ms_max: None,
            latency_ms_p99_max: None,
            ops_ok_min: None,
            raft_state_bytes_max: None,
            snapshot_bytes_max: None,
            snapshot_installs_min: None,
        }
    }
}

impl ExpectSpec {
    /// Whether a scenario that declares these expectations met them, given
    /// the failure kinds of every failing seed of a range (as strings).
    /// Without `fail`: no seed may fail. With it: at least one seed fails,
    /// and each with a declared kind.
    pub fn verdict<'a>(&self, failed_kinds: impl IntoIterator<Item = &'a str>) -> bool {
        let mut failures = 0u64;
        for kind in failed_kinds {
            failures += 1;
            let declared = self.kinds.is_empty() || self.kinds.iter().any(|k| k.as_str() == kind);
            if !self.fail || !declared {
                return false;
            }
        }
        !self.fail || failures > 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts() {
        let pass = ExpectSpec::default();
        assert!(pass.verdict([]));
        assert!(!pass.verdict(["safety"]));
        let fail = ExpectSpec {
            fail: true,
            kinds: vec![FailureKind::Linearizability],
            ..ExpectSpec::default()
        };
        assert!(!fail.verdict([]), "a must-fail scenario that passed");
        assert!(fail.verdict(["linearizability", "linearizability"]));
        assert!(!fail.verdict(["linearizability", "panic"]));
        let any = ExpectSpec {
            fail: true,
            ..ExpectSpec::default()
        };
        assert!(any.verdict(["panic"]));
    }
}
