//! raft-core's node as a [`crate::Node`], and Raft's safety properties as an
//! [`crate::Observer`].

use crate::outcome::RunOutcome;
use scenarios::Scenario;

/// Runs one seed of `scenario` with raft-core's nodes and every safety check.
/// Planted bugs come from `scenario.cluster.bugs` (validated names, see
/// [`raft_core::Bug::from_name`]). When `trace` is given, it receives one
/// readable line per processed event.
pub fn run_seed(
    scenario: &Scenario,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> RunOutcome {
    let _ = (scenario, seed, trace);
    todo!("wired up by the raft adapter")
}
