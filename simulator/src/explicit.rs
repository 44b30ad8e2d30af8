//! A seed's random choices written out as a scenario that makes them
//! without randomness: the nemesis's faults (or the actions a script took,
//! recorded through [`crate::Observer::on_script_action`]) as explicit steps
//! at the instants they happened, and the rates the seed drew (swarm
//! testing) as the scenario's fixed rates. `raftsim shrink` starts from this
//! scenario and removes what the failure does not need.
//!
//! The rewritten scenario runs with the same seed: every random stream but
//! the nemesis's draws what it drew before (the per-node clock drifts and
//! tick phases come first in the options stream and stay; loss, latency and
//! duplication come from each link's own stream, send by send), and
//! explicit steps with node ids draw nothing. So the run is the same run as
//! long as no event falls on the same microsecond as a fault (then their
//! order may differ), and a removed step changes the draws of only the links
//! and nodes whose traffic it changes.

use crate::nemesis::Fault;
use crate::node::NodeId;
use crate::options::RunOptions;
use scenarios::{Scenario, StepSpec, Target, Term};

/// A change at `from_us` (a step that acts at once), and, for a fault with
/// an end, the step that undoes it at `to_us`. A scripted action has no end.
#[derive(Clone, Debug, PartialEq)]
pub struct TimedAction {
    pub from_us: u64,
    pub to_us: Option<u64>,
    pub start: StepSpec,
    /// The undoing step; `to_us` matters only with one.
    pub end: Option<StepSpec>,
}

impl TimedAction {
    /// The nemesis's `fault`, begun at `from_us` and, unless it was still in
    /// force when the faulty phase or the run ended, undone at `to_us`.
    ///
    /// An `isolate-leader` fault that took the leader a script's `leader`
    /// target names (`at_top_leader`) is written `isolate leader?`: in the
    /// run as it was, that is the same node, and once `raftsim shrink` has
    /// removed an earlier fault it still isolates whoever leads then, which
    /// is what the fault was for (with a node id it would isolate a
    /// follower of another leader, and the failure seldom survives).
    pub fn of_fault(
        from_us: u64,
        to_us: Option<u64>,
        fault: Fault,
        at_top_leader: bool,
    ) -> TimedAction {
        let (start, end) = fault_steps_of(fault, at_top_leader);
        TimedAction {
            from_us,
            to_us,
            start,
            end,
        }
    }

    /// The highest node id either step names (0 when none).
    pub fn max_node(&self) -> NodeId {
        let mut max = 0;
        for step in std::iter::once(&self.start).chain(&self.end) {
            for target in targets(step) {
                for term in &target.0 {
                    if let Term::Node(id) = term {
                        max = max.max(*id as usize);
                    }
                }
            }
        }
        max
    }
}

/// The targets an action step names.
fn targets(step: &StepSpec) -> Vec<&Target> {
    match step {
        StepSpec::Partition { groups, .. } => groups.iter().collect(),
        StepSpec::Isolate { target, .. }
        | StepSpec::Disconnect { target, .. }
        | StepSpec::Connect { target, .. }
        | StepSpec::Crash { target, .. }
        | StepSpec::Pause { target, .. }
        | StepSpec::ClockJump { target, .. }
        | StepSpec::ClockDrift { target, .. }
        | StepSpec::Transfer { target, .. } => vec![target],
        StepSpec::OneWay { from, to, .. } => vec![from, to],
        StepSpec::Reconfigure {
            add_learners,
            promote,
            remove,
            ..
        } => [add_learners, promote, remove]
            .into_iter()
            .flatten()
            .collect(),
        StepSpec::Restart { target, .. } | StepSpec::Resume { target, .. } => {
            target.iter().collect()
        }
        _ => Vec::new(),
    }
}

/// `set` (a bit mask of node ids) as a target naming each id.
pub fn ids(set: u64) -> Target {
    Target(
        (0..64)
            .filter(|n| set & (1u64 << n) != 0)
            .map(Term::Node)
            .collect(),
    )
}

/// The step that starts `fault` and the one that undoes it, if any (an
/// isolated leader as `leader?` when `at_top_leader`, see
/// [`TimedAction::of_fault`]; a membership change is not undone).
fn fault_steps_of(fault: Fault, at_top_leader: bool) -> (StepSpec, Option<StepSpec>) {
    let node = |n: NodeId| Target::one(Term::Node(n as u64));
    match fault {
        Fault::PartitionHalves { minority } => (
            StepSpec::Partition {
                groups: vec![ids(minority)],
                label: None,
            },
            Some(StepSpec::Heal {}),
        ),
        Fault::IsolateOne { node: n } | Fault::IsolateLeader { node: n } => (
            StepSpec::Isolate {
                target: match fault {
                    Fault::IsolateLeader { .. } if at_top_leader => Target::one(Term::LeaderIfAny),
                    _ => node(n),
                },
                label: None,
            },
            Some(StepSpec::Heal {}),
        ),
        Fault::OneWay { node: n } => (
            StepSpec::OneWay {
                from: node(n),
                to: Target::one(Term::All),
                label: None,
            },
            Some(StepSpec::Heal {}),
        ),
        Fault::Crash { node: n } => (
            StepSpec::Crash {
                target: node(n),
                label: None,
            },
            Some(StepSpec::Restart {
                target: Some(node(n)),
                label: None,
            }),
        ),
        Fault::Reconfigure { change } => {
            let some = |mask: u64| (mask != 0).then(|| ids(mask));
            (
                StepSpec::Reconfigure {
                    add_learners: some(change.add_learners),
                    promote: some(change.promote),
                    remove: some(change.remove),
                    label: None,
                },
                None,
            )
        }
    }
}

/// `actions` (in time order, faults not overlapping) as steps: a fixed wait
/// to each change, then the change. A fault without an end gets no undoing
/// step: the healing phase undoes it.
pub fn fault_steps(actions: &[TimedAction]) -> Vec<StepSpec> {
    let mut steps = Vec::with_capacity(actions.len() * 4);
    let mut now_us = 0u64;
    let mut wait_until = |steps: &mut Vec<StepSpec>, at_us: u64| {
        if at_us > now_us {
            steps.push(wait_us(at_us - now_us));
            now_us = at_us;
        }
    };
    for timed in actions {
        wait_until(&mut steps, timed.from_us);
        steps.push(timed.start.clone());
        if let (Some(to_us), Some(end)) = (timed.to_us, &timed.end) {
            wait_until(&mut steps, to_us);
            steps.push(end.clone());
        }
    }
    steps
}

/// A fixed wait of `us` microseconds, written in (fractional) milliseconds.
pub fn wait_us(us: u64) -> StepSpec {
    StepSpec::Wait {
        ms: Some(us as f64 / 1000.0),
        ms_min: None,
        ms_max: None,
        until: None,
        count: None,
        timeout_ms: None,
        among: None,
    }
}

/// `scenario` with the rates seed `options.seed` drew fixed: no swarm draws
/// (the seed's loss and duplication rates, and its fault kinds, become the
/// scenario's). The nemesis and the script stay; the caller replaces them
/// with [`fault_steps`] of the run's recorded faults and actions.
pub fn pinned(scenario: &Scenario, options: &RunOptions) -> Scenario {
    let mut pinned = scenario.clone();
    pinned.faults.swarm = false;
    pinned.network.drop_ratio_max = options.drop_ratio;
    pinned.network.duplicate_ratio_max = options.duplicate_ratio;
    pinned.network.reply_drop_ratio_max =
        (options.reply_drop_ratio != options.drop_ratio).then_some(options.reply_drop_ratio);
    pinned.network.reply_duplicate_ratio_max = (options.reply_duplicate_ratio
        != options.duplicate_ratio)
        .then_some(options.reply_duplicate_ratio);
    if scenario.faults.enabled && scenario.faults.swarm {
        pinned.faults.kinds = options.fault_kinds.clone();
    }
    pinned
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timed(from_us: u64, to_us: Option<u64>, fault: Fault) -> TimedAction {
        TimedAction::of_fault(from_us, to_us, fault, false)
    }

    #[test]
    fn faults_become_waits_and_actions_at_their_instants() {
        let faults = [
            timed(1_500, Some(2_000_250), Fault::Crash { node: 2 }),
            timed(
                2_000_250,
                Some(3_000_000),
                Fault::PartitionHalves { minority: 0b1010 },
            ),
            timed(3_100_000, None, Fault::OneWay { node: 4 }),
        ];
        let steps = fault_steps(&faults);
        let names: Vec<&str> = steps.iter().map(StepSpec::name).collect();
        assert_eq!(
            names,
            [
                "wait",
                "crash",
                "wait",
                "restart",
                "partition",
                "wait",
                "heal",
                "wait",
                "one-way"
            ]
        );
        assert_eq!(steps[0], wait_us(1_500));
        assert_eq!(steps[2], wait_us(1_998_750));
        let StepSpec::Partition { groups, .. } = &steps[4] else {
            panic!("a partition")
        };
        assert_eq!(groups[0], Target(vec![Term::Node(1), Term::Node(3)]));
        assert_eq!(faults[1].max_node(), 3);
        assert_eq!(faults[2].max_node(), 4);
    }

    #[test]
    fn the_isolated_leader_is_written_as_leader_if_any() {
        let fault = Fault::IsolateLeader { node: 3 };
        let as_leader = TimedAction::of_fault(10, Some(20), fault, true);
        assert_eq!(
            as_leader.start,
            StepSpec::Isolate {
                target: Target::one(Term::LeaderIfAny),
                label: None
            }
        );
        assert_eq!(as_leader.max_node(), 0);
        // A stale leader (another node leads a higher term) keeps its id.
        let stale = TimedAction::of_fault(10, Some(20), fault, false);
        assert_eq!(stale.max_node(), 3);
    }

    #[test]
    fn pinned_rates_are_the_drawn_ones() {
        let scenario = Scenario::default();
        let options = RunOptions::draw(&scenario, 5);
        let mut pinned = pinned(&scenario, &options);
        pinned.faults.enabled = false;
        let again = RunOptions::draw(&pinned, 5);
        assert_eq!(again.drop_ratio, options.drop_ratio);
        assert_eq!(again.duplicate_ratio, options.duplicate_ratio);
        assert_eq!(again.reply_drop_ratio, options.reply_drop_ratio);
        assert_eq!(again.drift_ppm, options.drift_ppm);
        assert_eq!(again.tick_phase_us, options.tick_phase_us);
        assert!(again.fault_kinds.is_empty());
    }
}
