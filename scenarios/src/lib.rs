//! What one raftsim run is: the cluster, the network, disks and clocks, the
//! random faults, the clients' workload, the phases and the limits.
//!
//! A [`Scenario`] is plain data. The simulator turns it, together with a seed,
//! into the concrete options of one run (swarm testing: each seed draws its own
//! fault mix and rates within the ranges given here). Durations are virtual
//! milliseconds unless the name says otherwise; probabilities are ratios in
//! `[0, 1]`.
//!
//! Scenario files are TOML that maps one to one onto these types (every type
//! derives `serde::Deserialize` with `deny_unknown_fields`); [`parse`] and
//! [`load`] read them and name the file, line and column of any mistake. The
//! keys, units and defaults are documented in this crate's `README.md`.

mod catalogue;
mod expect;
mod file;
mod steps;

pub use catalogue::{catalogue_text, CATALOGUE};
pub use expect::{ExpectSpec, FailureKind};
pub use file::{line_column, load, parse, parse_checked, to_toml, ScenarioError};
pub use steps::{label_name, Condition, StepSpec, Target, Term};

use serde::{Deserialize, Serialize};

/// One scenario: everything a run needs except the seed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Short name, used in replay commands (`raftsim replay NAME --seed S`).
    pub name: String,
    /// One sentence on what the scenario tests.
    pub description: String,
    pub cluster: ClusterSpec,
    pub network: NetworkSpec,
    pub disk: DiskSpec,
    pub clock: ClockSpec,
    pub faults: FaultSpec,
    pub workload: WorkloadSpec,
    pub phases: PhaseSpec,
    pub limits: LimitSpec,
    /// Scripted faults and checks, run in order from time 0 (`[[steps]]`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepSpec>,
    /// What a seed must show to pass, beyond the safety checks.
    pub expect: ExpectSpec,
}

impl Default for Scenario {
    /// The default scenario: 5 nodes, random faults of every kind drawn per
    /// seed, 10 virtual seconds of faults and then a healing phase.
    fn default() -> Self {
        Scenario {
            name: "default".to_string(),
            description: "5 nodes, random partitions, loss, delay, duplication, crashes and \
                          clock drift for 10 s, then 5 s of healing"
                .to_string(),
            cluster: ClusterSpec::default(),
            network: NetworkSpec::default(),
            disk: DiskSpec::default(),
            clock: ClockSpec::default(),
            faults: FaultSpec::default(),
            workload: WorkloadSpec::default(),
            phases: PhaseSpec::default(),
            limits: LimitSpec::default(),
            steps: Vec::new(),
            expect: ExpectSpec::default(),
        }
    }
}

/// The Raft cluster and its protocol settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClusterSpec {
    /// Number of nodes, 1 to 9.
    pub nodes: usize,
    /// How many of the nodes form the initial configuration: nodes
    /// `0..voters` are its voters; the others start outside the cluster
    /// (running, with an empty log, taking no part) until a `reconfigure`
    /// step adds them. Default: every node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub voters: Option<usize>,
    /// Virtual length of one tick, the unit of all protocol timeouts.
    pub tick_ms: u64,
    /// The election timeout is drawn uniformly from `[min, max]` ticks.
    pub election_timeout_ticks_min: u32,
    pub election_timeout_ticks_max: u32,
    /// A leader sends heartbeats every this many ticks.
    pub heartbeat_ticks: u32,
    /// Pre-vote (Raft thesis section 9.6): a candidate first asks whether it could win.
    pub pre_vote: bool,
    /// A new leader appends an empty entry of its own term (Raft section 8).
    /// Off by default, as in most MIT 6.824 implementations: then a new leader
    /// commits entries of earlier terms only once a command of its own term is
    /// replicated, and the rule of section 5.4.2 is what keeps Figure 8 away.
    pub noop_on_election: bool,
    /// Check-quorum (Raft thesis section 6.2): a leader that has not heard
    /// from a majority within an election timeout steps down.
    pub check_quorum: bool,
    /// At most this many append messages in flight to one follower.
    pub max_inflight_msgs: usize,
    /// At most this many entries in one append message.
    pub max_entries_per_msg: usize,
    /// The KV service snapshots its state and compacts the log once the
    /// log's entries pass this many bytes (MIT 6.824's `maxraftstate`); 0
    /// turns snapshots off.
    pub snapshot_log_bytes: u64,
    /// At most this many bytes of a snapshot in one InstallSnapshot message.
    pub snapshot_chunk_bytes: usize,
    /// Planted bugs switched on (see `raftsim bugs`).
    pub bugs: Vec<String>,
}

impl Default for ClusterSpec {
    fn default() -> Self {
        ClusterSpec {
            nodes: 5,
            voters: None,
            tick_ms: 10,
            election_timeout_ticks_min: 15,
            election_timeout_ticks_max: 30,
            heartbeat_ticks: 3,
            pre_vote: true,
            noop_on_election: false,
            check_quorum: false,
            max_inflight_msgs: 16,
            max_entries_per_msg: 32,
            snapshot_log_bytes: 0,
            snapshot_chunk_bytes: 1024,
            bugs: Vec::new(),
        }
    }
}

impl ClusterSpec {
    /// The number of voters of the initial configuration (nodes
    /// `0..initial_voters()`); the other nodes start outside it.
    pub fn initial_voters(&self) -> usize {
        self.voters.unwrap_or(self.nodes)
    }
}

/// One-way message latency.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, tag = "kind", rename_all = "kebab-case")]
pub enum LatencySpec {
    /// Every message takes exactly `ms`.
    Constant { ms: f64 },
    /// Uniform in `[min_ms, max_ms]`.
    Uniform { min_ms: f64, max_ms: f64 },
    /// `min_ms` plus an exponential tail with the given mean.
    Exponential { min_ms: f64, mean_ms: f64 },
    /// Uniform in `[min_ms, max_ms]`, except that a `tail_ratio` of messages
    /// take uniform `[tail_min_ms, tail_max_ms]` (MIT 6.824's "long reordering").
    LongTail {
        min_ms: f64,
        max_ms: f64,
        tail_ratio: f64,
        tail_min_ms: f64,
        tail_max_ms: f64,
    },
}

impl Default for LatencySpec {
    fn default() -> Self {
        LatencySpec::LongTail {
            min_ms: 1.0,
            max_ms: 10.0,
            tail_ratio: 0.02,
            tail_min_ms: 50.0,
            tail_max_ms: 400.0,
        }
    }
}

/// The network model. With swarm testing a seed draws each ratio uniformly from
/// `[0, max]`, and may switch a fault off altogether.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkSpec {
    pub latency: LatencySpec,
    /// Upper bound of the per-seed message loss ratio.
    pub drop_ratio_max: f64,
    /// Upper bound of the per-seed duplication ratio (a duplicate takes its own latency).
    pub duplicate_ratio_max: f64,
    /// The same two bounds for replies (vote and append responses), when
    /// they differ from requests' (MIT 6.824 loses requests and replies
    /// separately); absent, replies share the requests' ratios.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_drop_ratio_max: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_duplicate_ratio_max: Option<f64>,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            latency: LatencySpec::default(),
            drop_ratio_max: 0.1,
            duplicate_ratio_max: 0.05,
            reply_drop_ratio_max: None,
            reply_duplicate_ratio_max: None,
        }
    }
}

/// Simulated disks: writes are volatile until a sync completes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DiskSpec {
    /// A sync completes after a latency uniform in `[min, max]`.
    pub sync_latency_ms_min: f64,
    pub sync_latency_ms_max: f64,
}

impl Default for DiskSpec {
    fn default() -> Self {
        DiskSpec {
            sync_latency_ms_min: 0.5,
            sync_latency_ms_max: 5.0,
        }
    }
}

/// Per-node clock drift: a node's ticks arrive at `tick_ms * (1 + d)` with `d`
/// drawn per node from `[-drift, +drift]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockSpec {
    /// Largest drift, in parts per million of the tick length.
    pub drift_ppm_max: u32,
}

impl Default for ClockSpec {
    fn default() -> Self {
        ClockSpec {
            drift_ppm_max: 20_000,
        }
    }
}

/// Kinds of fault that the random nemesis may inject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// Split the cluster into two halves (a minority and a majority).
    PartitionHalves,
    /// Isolate one random node from all others.
    IsolateOne,
    /// Isolate the current leader (if there is one).
    IsolateLeader,
    /// Messages from one random node to the others are lost, replies still arrive.
    OneWay,
    /// Crash a random node (unsynced writes are lost); it restarts later.
    Crash,
    /// Ask the leader for a random membership change: a spare joins as a
    /// learner, a learner is promoted, a voter or learner is removed, or a
    /// learner replaces a voter (see the `reconfigure` step). Not among
    /// the default kinds; the change stays when the fault's time is over.
    Reconfigure,
}

impl FaultKind {
    /// The default kinds (every kind but `reconfigure`).
    pub const ALL: [FaultKind; 5] = [
        FaultKind::PartitionHalves,
        FaultKind::IsolateOne,
        FaultKind::IsolateLeader,
        FaultKind::OneWay,
        FaultKind::Crash,
    ];
}

/// The random nemesis of the faulty phase.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct FaultSpec {
    /// Random faults on at all.
    pub enabled: bool,
    /// Swarm testing: each seed draws a non-empty subset of `kinds` and its own rates.
    pub swarm: bool,
    /// The kinds the nemesis may choose from.
    pub kinds: Vec<FaultKind>,
    /// Time between the end of one fault and the start of the next, uniform in `[min, max]`.
    pub interval_ms_min: u64,
    pub interval_ms_max: u64,
    /// How long one fault lasts, uniform in `[min, max]`.
    pub duration_ms_min: u64,
    pub duration_ms_max: u64,
}

impl Default for FaultSpec {
    fn default() -> Self {
        FaultSpec {
            enabled: true,
            swarm: true,
            kinds: FaultKind::ALL.to_vec(),
            // Fast churn: leadership must change several times in quick
            // succession for bugs like Figure 8 to show (measured: with these
            // values about 1 % of seeds find `figure8-commit`; with 100..1500
            // ms intervals, none in 1,000).
            interval_ms_min: 10,
            interval_ms_max: 120,
            duration_ms_min: 10,
            duration_ms_max: 800,
        }
    }
}

/// How clients issue operations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientMode {
    /// Each client has one operation outstanding and invokes the next one when
    /// it completes (like a Jepsen process).
    Closed,
    /// Operations arrive at a fixed total rate and go to an idle client; an
    /// arrival that finds every client busy is skipped (and counted).
    Open,
}

/// Which key-value interface the clients use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WorkloadKind {
    /// Maelstrom lin-kv: read, write and compare-and-set on integer keys and values.
    LinKv,
    /// MIT 6.824 KV: get, put and append on string keys.
    Kv824,
}

/// How a leader serves reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadMode {
    /// ReadIndex (Raft thesis section 6.4): confirm leadership with a
    /// heartbeat round, then answer from the state machine.
    ReadIndex,
    /// Reads go through the log like writes.
    Log,
    /// Lease reads (thesis section 6.4.1): the leader answers at once while
    /// its lease holds (a majority answered a heartbeat it sent less than an
    /// election timeout ago, shortened by `clock.drift_ppm_max`), else by
    /// ReadIndex; nodes hold back votes while a lease may hold.
    Lease,
}

/// The clients and the operations they issue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkloadSpec {
    pub kind: WorkloadKind,
    /// Number of clients; each starts as its own process.
    pub clients: usize,
    pub mode: ClientMode,
    /// Open loop: operations per virtual second, over all clients.
    pub rate_per_s: f64,
    /// Keys the operations are spread over (integers `0..keys`, or strings `k0`, `k1`, ...).
    pub keys: u64,
    /// Relative weights of the operations (lin-kv: read, write, cas; 6.824: get, put, append).
    pub read_weight: u32,
    pub write_weight: u32,
    pub cas_weight: u32,
    /// An operation without an answer after this long is given up: a write is
    /// recorded as indeterminate (`info`), a read as failed (it had no effect);
    /// the client continues as a new process.
    pub request_timeout_ms: u64,
    /// Without an answer after this long, the client sends the same request
    /// (same client id and sequence number) to another node.
    pub retry_ms: u64,
    pub read_mode: ReadMode,
    /// Clients start no new operation after this virtual time (absent: they
    /// run to the end). Operations in flight still complete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_ms: Option<u64>,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            kind: WorkloadKind::LinKv,
            clients: 5,
            mode: ClientMode::Closed,
            rate_per_s: 100.0,
            keys: 5,
            read_weight: 2,
            write_weight: 2,
            cas_weight: 1,
            request_timeout_ms: 1_000,
            // Like a 6.824 clerk: wait for the answer or the timeout, and go
            // elsewhere at once only when redirected. Clients that stay with a
            // deposed leader until their timeout are what lets Figure 8 show
            // (measured: 10 of 1,000 seeds find `figure8-commit`, 28 before
            // clients forgot a silent leader after a timeout; with 100 ms
            // retries, none in 1,000).
            retry_ms: 1_000,
            read_mode: ReadMode::ReadIndex,
            stop_ms: None,
        }
    }
}

/// A faulty phase, then a healing phase in which faults stop.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PhaseSpec {
    /// Virtual duration of the faulty phase.
    pub faulty_ms: u64,
    /// Virtual duration of the healing phase: no new faults, partitions healed,
    /// crashed nodes restarted.
    pub healing_ms: u64,
}

impl Default for PhaseSpec {
    fn default() -> Self {
        PhaseSpec {
            faulty_ms: 10_000,
            healing_ms: 5_000,
        }
    }
}

/// Bounds that turn a runaway run into a `limit` failure instead of a hang.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LimitSpec {
    /// Most events one run may process.
    pub max_events: u64,
    /// Most messages in flight on the whole network at once.
    pub max_in_flight_messages: usize,
}

impl Default for LimitSpec {
    fn default() -> Self {
        LimitSpec {
            max_events: 2_000_000,
            max_in_flight_messages: 100_000,
        }
    }
}

/// Largest latency a scenario may give, in ms (one virtual day): far beyond
/// any useful test, and small enough that microsecond arithmetic never overflows.
pub const LATENCY_MS_MAX: f64 = 86_400_000.0;

/// A scenario that is impossible to run, with the key that is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidationError {
    /// Dotted path of the offending key, e.g. `cluster.nodes`.
    pub key: String,
    /// What was expected.
    pub message: String,
}

impl std::fmt::Display for ValidationError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key, self.message)
    }
}

impl std::error::Error for ValidationError {}

impl Scenario {
    /// Checks the values that types alone cannot: ranges, bounds and sizes.
    pub fn validate(&self) -> Result<(), ValidationError> {
        fn err(key: &str, message: String) -> Result<(), ValidationError> {
            Err(ValidationError {
                key: key.to_string(),
                message,
            })
        }
        fn ratio(key: &str, v: f64) -> Result<(), ValidationError> {
            if !(0.0..=1.0).contains(&v) {
                return err(key, format!("a ratio in [0, 1], got {v}"));
            }
            Ok(())
        }
        let c = &self.cluster;
        if !(1..=9).contains(&c.nodes) {
            err("cluster.nodes", format!("1 to 9 nodes, got {}", c.nodes))?;
        }
        if let Some(voters) = c.voters {
            if !(1..=c.nodes).contains(&voters) {
                err(
                    "cluster.voters",
                    format!("1 to cluster.nodes ({}) voters, got {voters}", c.nodes),
                )?;
            }
        }
        if c.tick_ms == 0 {
            err("cluster.tick_ms", "a tick of at least 1 ms".into())?;
        }
        if c.election_timeout_ticks_min < 2
            || c.election_timeout_ticks_min > c.election_timeout_ticks_max
        {
            err(
                "cluster.election_timeout_ticks_min",
                format!(
                    "2 <= min <= max, got min {} and max {}",
                    c.election_timeout_ticks_min, c.election_timeout_ticks_max
                ),
            )?;
        }
        if c.heartbeat_ticks == 0 || c.heartbeat_ticks >= c.election_timeout_ticks_min {
            err(
                "cluster.heartbeat_ticks",
                format!(
                    "at least 1 and below the election timeout minimum {}, got {}",
                    c.election_timeout_ticks_min, c.heartbeat_ticks
                ),
            )?;
        }
        if c.max_inflight_msgs == 0 {
            err("cluster.max_inflight_msgs", "at least 1".into())?;
        }
        if c.max_entries_per_msg == 0 {
            err("cluster.max_entries_per_msg", "at least 1".into())?;
        }
        if c.snapshot_chunk_bytes == 0 {
            err("cluster.snapshot_chunk_bytes", "at least 1".into())?;
        }
        // Latencies come from files: NaN and infinities are refused with the
        // rest (every comparison with NaN is false, so `ok` catches it).
        let ok = |ms: f64| (0.0..=LATENCY_MS_MAX).contains(&ms);
        let lat_ok = match self.network.latency {
            LatencySpec::Constant { ms } => ok(ms),
            LatencySpec::Uniform { min_ms, max_ms } => ok(min_ms) && ok(max_ms) && min_ms <= max_ms,
            LatencySpec::Exponential { min_ms, mean_ms } => ok(min_ms) && ok(mean_ms),
            LatencySpec::LongTail {
                min_ms,
                max_ms,
                tail_ratio,
                tail_min_ms,
                tail_max_ms,
            } => {
                ratio("network.latency.tail_ratio", tail_ratio)?;
                ok(min_ms)
                    && ok(max_ms)
                    && min_ms <= max_ms
                    && ok(tail_min_ms)
                    && ok(tail_max_ms)
                    && tail_min_ms <= tail_max_ms
            }
        };
        if !lat_ok {
            err(
                "network.latency",
                format!("latencies in [0, {LATENCY_MS_MAX}] ms with min <= max"),
            )?;
        }
        ratio("network.drop_ratio_max", self.network.drop_ratio_max)?;
        ratio(
            "network.duplicate_ratio_max",
            self.network.duplicate_ratio_max,
        )?;
        if let Some(v) = self.network.reply_drop_ratio_max {
            ratio("network.reply_drop_ratio_max", v)?;
        }
        if let Some(v) = self.network.reply_duplicate_ratio_max {
            ratio("network.reply_duplicate_ratio_max", v)?;
        }
        let d = &self.disk;
        if !(ok(d.sync_latency_ms_min)
            && ok(d.sync_latency_ms_max)
            && d.sync_latency_ms_min <= d.sync_latency_ms_max)
        {
            err(
                "disk.sync_latency_ms_min",
                format!("0 <= min <= max <= {LATENCY_MS_MAX}"),
            )?;
        }
        if self.clock.drift_ppm_max >= 500_000 {
            err("clock.drift_ppm_max", "below 500000 (50 %)".into())?;
        }
        let f = &self.faults;
        if f.enabled && f.kinds.is_empty() {
            err(
                "faults.kinds",
                "at least one kind when faults are enabled".into(),
            )?;
        }
        if f.interval_ms_min > f.interval_ms_max || f.interval_ms_max == 0 {
            err("faults.interval_ms_min", "0 <= min <= max, max > 0".into())?;
        }
        if f.duration_ms_min > f.duration_ms_max || f.duration_ms_max == 0 {
            err("faults.duration_ms_min", "0 <= min <= max, max > 0".into())?;
        }
        let w = &self.workload;
        if w.clients > 1000 {
            err(
                "workload.clients",
                format!("0 to 1000 clients, got {}", w.clients),
            )?;
        }
        if w.mode == ClientMode::Open && !(w.rate_per_s > 0.0 && w.rate_per_s <= 1e6) {
            err(
                "workload.rate_per_s",
                format!(
                    "a rate in (0, 1e6] for open-loop clients, got {}",
                    w.rate_per_s
                ),
            )?;
        }
        if w.keys == 0 {
            err("workload.keys", "at least 1 key".into())?;
        }
        // Summed in u64: three u32 weights from a file must not overflow.
        if u64::from(w.read_weight) + u64::from(w.write_weight) + u64::from(w.cas_weight) == 0 {
            err(
                "workload.read_weight",
                "at least one operation weight above 0".into(),
            )?;
        }
        if w.request_timeout_ms == 0 || w.retry_ms == 0 || w.retry_ms > w.request_timeout_ms {
            err(
                "workload.retry_ms",
                "0 < retry_ms <= request_timeout_ms".into(),
            )?;
        }
        if self.phases.faulty_ms.saturating_add(self.phases.healing_ms) == 0 {
            err("phases", "a run of at least 1 ms".into())?;
        }
        steps::validate(&self.steps, c.nodes)?;
        let e = &self.expect;
        for (key, bound) in [
            ("expect.messages_per_op_max", e.messages_per_op_max),
            ("expect.bytes_per_op_max", e.bytes_per_op_max),
            ("expect.messages_per_idle_s_max", e.messages_per_idle_s_max),
            ("expect.latency_ms_max", e.latency_ms_max),
            ("expect.latency_ms_p99_max", e.latency_ms_p99_max),
        ] {
            if let Some(v) = bound {
                if !(v.is_finite() && v >= 0.0) {
                    err(key, format!("a finite bound of at least 0, got {v}"))?;
                }
            }
        }
        if !e.fail && !e.kinds.is_empty() {
            err(
                "expect.kinds",
                "failure kinds only with `fail = true`".into(),
            )?;
        }
        if self.limits.max_events == 0 {
            err("limits.max_events", "at least 1".into())?;
        }
        if self.limits.max_in_flight_messages == 0 {
            err("limits.max_in_flight_messages", "at least 1".into())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_scenario_is_valid() {
        Scenario::default().validate().unwrap();
    }

    #[test]
    fn initial_voters_default_to_every_node() {
        let mut c = ClusterSpec::default();
        assert_eq!(c.initial_voters(), c.nodes);
        c.voters = Some(3);
        assert_eq!(c.initial_voters(), 3);
    }

    #[test]
    fn impossible_values_are_named() {
        let mut s = Scenario::default();
        s.cluster.nodes = 0;
        assert_eq!(s.validate().unwrap_err().key, "cluster.nodes");
        let mut s = Scenario::default();
        s.cluster.election_timeout_ticks_min = 40;
        assert_eq!(
            s.validate().unwrap_err().key,
            "cluster.election_timeout_ticks_min"
        );
        let mut s = Scenario::default();
        s.cluster.voters = Some(6);
        assert_eq!(s.validate().unwrap_err().key, "cluster.voters");
        let mut s = Scenario::default();
        s.network.drop_ratio_max = 1.5;
        assert_eq!(s.validate().unwrap_err().key, "network.drop_ratio_max");
    }
}
