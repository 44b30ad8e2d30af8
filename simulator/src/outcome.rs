//! The result of one seed.

use crate::observe::Failure;

/// Counters the engine keeps for every run.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EngineStats {
    pub messages_sent: u64,
    pub messages_delivered: u64,
    /// Lost to random loss, a partition, or a crashed receiver.
    pub messages_dropped: u64,
    pub messages_duplicated: u64,
    pub syncs: u64,
    pub crashes: u64,
    pub restarts: u64,
    /// Partitions of any shape started by the nemesis.
    pub partitions: u64,
    /// Client requests sent, first attempts and resends alike.
    pub requests_sent: u64,
    /// Responses that reached their client (late ones included).
    pub responses_delivered: u64,
    /// Client requests and responses lost to random loss, and requests that
    /// reached a crashed node.
    pub client_messages_dropped: u64,
    /// Resends after `retry_ms` without an answer.
    pub retries: u64,
    /// Redirect answers acted on (each leads to a resend unless the deadline
    /// comes first).
    pub redirects: u64,
    /// Operations given up at the request timeout.
    pub timeouts: u64,
    /// Operations the workload judged done.
    pub operations_completed: u64,
    /// Open-loop arrivals that found every client busy.
    pub open_loop_arrivals_skipped: u64,
    /// Estimated bytes of every message sent between nodes (see
    /// [`crate::Node::message_bytes`]).
    pub bytes_sent: u64,
    /// Messages sent between nodes before the first node believed it led
    /// (all of them if none ever did).
    pub messages_to_first_leader: u64,
    /// When a node first believed it led, if one did.
    pub first_leader_us: Option<u64>,
    /// How long after the healing phase began a node first believed it led
    /// (0 if one already did), if one did before the end.
    pub healed_leader_after_us: Option<u64>,
    /// Virtual time with no client operation in flight, and the messages
    /// sent between nodes meanwhile.
    pub idle_us: u64,
    pub idle_messages: u64,
}

/// Counters about the protocol, kept by the Raft observer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProtocolStats {
    /// Times a node became leader.
    pub leader_elections: u64,
    /// Highest term reached by any node.
    pub max_term: u64,
    /// Log entries known committed at the end (including no-op entries).
    pub committed_entries: u64,
    /// Client commands known committed at the end.
    pub committed_commands: u64,
    /// Snapshots nodes made by compacting their logs.
    pub snapshots: u64,
    /// Snapshots nodes installed from a leader.
    pub snapshot_installs: u64,
    /// The largest snapshot made or installed, in bytes.
    pub snapshot_bytes_max: u64,
    /// The largest Raft state (log and hard state, see
    /// `RaftNode::raft_state_bytes`) of a live node at the end of the run.
    pub raft_state_bytes_end: u64,
    /// Configuration entries known committed (a change of voters commits
    /// two: the joint configuration and the new one).
    pub membership_changes: u64,
}

/// Everything the reports need about one seed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    pub seed: u64,
    /// `None` when the seed passed.
    pub failure: Option<Failure>,
    /// Hash over every processed event: equal for equal seed, scenario and build.
    pub trace_hash: u64,
    /// Events processed.
    pub events: u64,
    /// Virtual time reached, in microseconds.
    pub virtual_us: u64,
    pub engine: EngineStats,
    pub protocol: ProtocolStats,
    /// What the clients saw (filled in by the caller that knows the workload).
    pub workload: crate::stats::WorkloadStats,
}

impl RunOutcome {
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}
