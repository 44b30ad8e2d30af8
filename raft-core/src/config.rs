//! Static configuration of one node.

use crate::bugs::Bugs;
use crate::types::NodeId;

/// How a node behaves. All timeouts are in ticks: the node has no clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub id: NodeId,
    /// The voters of the initial configuration, without duplicates. A node
    /// whose snapshot or log holds a configuration uses that instead
    /// (membership change, `membership.rs`).
    pub voters: Vec<NodeId>,
    /// Every node that may ever be a member: the initial voters and every
    /// node a membership change may add, `id` among them. Messages from
    /// anyone else are ignored. Empty means the same as `voters`.
    pub peers: Vec<NodeId>,
    /// The election timeout is drawn uniformly from `[min, max]` at every reset.
    pub election_timeout_ticks_min: u32,
    pub election_timeout_ticks_max: u32,
    pub heartbeat_ticks: u32,
    /// Pre-vote (thesis section 9.6): campaign only after a majority says it
    /// would vote, so a node that rejoins from a partition does not disrupt.
    pub pre_vote: bool,
    /// A new leader appends an empty entry of its own term (Raft section 8),
    /// so that entries of earlier terms commit without waiting for a new
    /// command. etcd and raft-rs always do; many MIT 6.824 implementations
    /// do not, and then the rule of section 5.4.2 is all that stands between
    /// them and Figure 8.
    pub noop_on_election: bool,
    /// Check-quorum (thesis section 6.2): a leader that has not heard from a
    /// majority within an election timeout (the minimum) steps down.
    pub check_quorum: bool,
    /// Lease reads (thesis section 6.4.1, `lease.rs`): a leader answers
    /// reads through [`crate::RawNode::read_lease`] without a heartbeat
    /// round while its lease holds, and nodes hold back votes while a lease
    /// may hold. Off by default.
    pub lease_reads: bool,
    /// The bound on how far any two clocks' rates may differ from the true
    /// rate, in parts per million; the lease shrinks by it.
    pub clock_drift_bound_ppm: u32,
    /// At most this many append messages with entries in flight to a follower.
    pub max_inflight_msgs: usize,
    /// At most this many entries in one append message.
    pub max_entries_per_msg: usize,
    /// At most this many bytes of a snapshot in one InstallSnapshot message.
    pub snapshot_chunk_bytes: usize,
    pub bugs: Bugs,
}

impl Config {
    /// Checks the configuration; an error names the field.
    pub fn validate(&self) -> Result<(), String> {
        let peers = if self.peers.is_empty() {
            &self.voters
        } else {
            &self.peers
        };
        if self.voters.is_empty() {
            return Err("voters must name at least one node".into());
        }
        if !peers.contains(&self.id) {
            return Err(format!("peers must contain the node's own id {}", self.id));
        }
        if let Some(v) = self.voters.iter().find(|v| !peers.contains(v)) {
            return Err(format!("voter {v} is not one of the peers"));
        }
        for list in [&self.voters, peers] {
            let mut sorted = list.clone();
            sorted.sort_unstable();
            sorted.dedup();
            if sorted.len() != list.len() {
                return Err("voters and peers must not repeat an id".into());
            }
        }
        if self.election_timeout_ticks_min < 2
            || self.election_timeout_ticks_min > self.election_timeout_ticks_max
        {
            return Err("election_timeout_ticks: need 2 <= min <= max".into());
        }
        if self.heartbeat_ticks == 0 || self.heartbeat_ticks >= self.election_timeout_ticks_min {
            return Err("heartbeat_ticks: need 1 <= heartbeat < election timeout min".into());
        }
        if self.max_inflight_msgs == 0 || self.max_entries_per_msg == 0 {
            return Err("max_inflight_msgs and max_entries_per_msg must be at least 1".into());
        }
        if self.snapshot_chunk_bytes == 0 {
            return Err("snapshot_chunk_bytes must be at least 1".into());
        }
        Ok(())
    }
}
