//! raft-core's node as a [`crate::Node`], and Raft's safety properties as an
//! [`crate::Observer`].

mod node;
mod safety;

pub use node::{replay_records, RaftConfig, RaftNode, Record};
pub use safety::RaftSafety;

use crate::node::ClientId;
use crate::outcome::RunOutcome;
use crate::workload::{Answer, Workload};
use raft_core::{Bug, Bugs};
use rand_chacha::ChaCha8Rng;
use scenarios::Scenario;

/// The node configuration a scenario describes. Unknown bug names are
/// ignored here; the command line rejects them before a run starts.
pub fn raft_config(scenario: &Scenario) -> RaftConfig {
    let c = &scenario.cluster;
    let bugs = c
        .bugs
        .iter()
        .filter_map(|name| Bug::from_name(name))
        .fold(Bugs::none(), Bugs::with);
    RaftConfig {
        nodes: c.nodes,
        election_timeout_ticks_min: c.election_timeout_ticks_min,
        election_timeout_ticks_max: c.election_timeout_ticks_max,
        heartbeat_ticks: c.heartbeat_ticks,
        pre_vote: c.pre_vote,
        noop_on_election: c.noop_on_election,
        max_inflight_msgs: c.max_inflight_msgs,
        max_entries_per_msg: c.max_entries_per_msg,
        bugs,
    }
}

/// Runs one seed of `scenario` with raft-core's nodes and every safety check.
/// Planted bugs come from `scenario.cluster.bugs` (validated names, see
/// [`raft_core::Bug::from_name`]). When `trace` is given, it receives one
/// readable line per processed event.
pub fn run_seed(scenario: &Scenario, seed: u64, trace: Option<&mut dyn FnMut(&str)>) -> RunOutcome {
    let config = raft_config(scenario);
    let mut safety = RaftSafety::new(scenario.cluster.nodes);
    let mut commands = Commands { next: 1 };
    let mut outcome =
        crate::engine::run(scenario, &config, &mut safety, &mut commands, seed, trace);
    outcome.protocol = safety.stats.clone();
    outcome
}

/// Clients that propose fresh commands `1, 2, 3, ...`: an operation is done
/// when a node accepts it, redirected otherwise. A stand-in until the KV
/// workload; it cannot tell late answers apart.
struct Commands {
    next: u64,
}

impl Workload<RaftNode> for Commands {
    fn invoke(&mut self, _: ClientId, _: u64, _: u64, _: &mut ChaCha8Rng) -> u64 {
        self.next += 1;
        self.next - 1
    }

    fn respond(&mut self, _: ClientId, _: u64, accepted: &bool, _: u64) -> Answer {
        if *accepted {
            Answer::Done
        } else {
            Answer::Redirect(None)
        }
    }

    fn timeout(&mut self, _: ClientId, _: u64, _: u64) {}
}
