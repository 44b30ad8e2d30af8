//! The random nemesis of the faulty phase.
//!
//! It runs one fault at a time: wait an interval, start a fault of a kind
//! drawn from the seed's subset, let it last a drawn duration, undo it, and
//! wait again. The nemesis only decides; the engine applies a [`Fault`] to the
//! network or the nodes, and undoes it when the nemesis says so (or when the
//! healing phase begins). All draws come from the nemesis stream, in this
//! order per fault: kind, target (for `reconfigure`: the kind of change,
//! then its one or two nodes), duration, then the next interval.

use crate::node::{Members, NodeId, Reconfigure};
use crate::options::{RunOptions, MAX_NODES};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use scenarios::FaultKind;

/// One concrete fault. Node sets are bit masks of node ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `minority` is cut off from the rest, both ways.
    PartitionHalves { minority: u64 },
    /// `node` is cut off from all others, both ways.
    IsolateOne { node: NodeId },
    /// The node that believed it led (or a random one) is cut off.
    IsolateLeader { node: NodeId },
    /// Everything `node` sends to others is lost.
    OneWay { node: NodeId },
    /// `node` crashes; it restarts when the fault ends.
    Crash { node: NodeId },
    /// The leader is asked for `change`; nothing is undone at the end.
    Reconfigure { change: Reconfigure },
}

/// The nemesis' state. Invariant: at most one fault is active.
#[derive(Debug)]
pub struct Nemesis {
    rng: ChaCha8Rng,
    kinds: Vec<FaultKind>,
    interval_us: (u64, u64),
    duration_us: (u64, u64),
    active: Option<Fault>,
}

impl Nemesis {
    pub fn new(rng: ChaCha8Rng, options: &RunOptions) -> Nemesis {
        assert!(options.fault_interval_us_min <= options.fault_interval_us_max);
        assert!(options.fault_duration_us_min <= options.fault_duration_us_max);
        Nemesis {
            rng,
            kinds: options.fault_kinds.clone(),
            interval_us: (options.fault_interval_us_min, options.fault_interval_us_max),
            duration_us: (options.fault_duration_us_min, options.fault_duration_us_max),
            active: None,
        }
    }

    /// Whether the nemesis ever injects a fault.
    pub fn enabled(&self) -> bool {
        !self.kinds.is_empty()
    }

    /// Draws the wait before the next fault.
    pub fn interval_us(&mut self) -> u64 {
        self.rng
            .random_range(self.interval_us.0..=self.interval_us.1)
    }

    /// Draws how long the fault just started lasts.
    pub fn duration_us(&mut self) -> u64 {
        self.rng
            .random_range(self.duration_us.0..=self.duration_us.1)
    }

    /// Chooses the next fault for a cluster of `nodes` where `alive` and
    /// `leaders` are bit masks of live nodes and of nodes that believe they
    /// lead, and `members` the configuration as the leader sees it.
    /// Returns `None` (after drawing the kind) when the kind has no
    /// possible target, e.g. a crash when no node is up.
    pub fn start(
        &mut self,
        nodes: usize,
        alive: u64,
        leaders: u64,
        members: Members,
    ) -> Option<Fault> {
        assert!(self.active.is_none(), "one fault at a time");
        assert!((1..=MAX_NODES).contains(&nodes));
        let all = if nodes == MAX_NODES {
            u64::MAX
        } else {
            (1u64 << nodes) - 1
        };
        let kind = self.kinds[self.rng.random_range(0..self.kinds.len())];
        let fault = match kind {
            FaultKind::PartitionHalves => {
                let minority_max = ((nodes - 1) / 2).max(1);
                let size = self.rng.random_range(1..=minority_max);
                Some(Fault::PartitionHalves {
                    minority: self.pick_set(all, size),
                })
            }
            FaultKind::IsolateOne => self.pick(all).map(|node| Fault::IsolateOne { node }),
            FaultKind::IsolateLeader => {
                let pool = if leaders & all != 0 {
                    leaders & all
                } else {
                    all
                };
                self.pick(pool).map(|node| Fault::IsolateLeader { node })
            }
            FaultKind::OneWay => self.pick(all).map(|node| Fault::OneWay { node }),
            FaultKind::Crash => self.pick(alive & all).map(|node| Fault::Crash { node }),
            FaultKind::Reconfigure => self
                .membership_change(all, members)
                .map(|change| Fault::Reconfigure { change }),
        };
        self.active = fault;
        fault
    }

    /// The fault in force, if any.
    pub fn active(&self) -> Option<Fault> {
        self.active
    }

    /// Forgets the active fault (the engine has undone it) and returns it.
    pub fn end(&mut self) -> Option<Fault> {
        self.active.take()
    }

    /// A random membership change that `members` allows: a spare joins as
    /// a learner, a learner is promoted, a member leaves (a voter only
    /// while another remains), or a learner replaces a voter; uniformly
    /// among those possible, then uniformly among their nodes.
    fn membership_change(&mut self, all: u64, members: Members) -> Option<Reconfigure> {
        let (voters, learners) = (members.voters & all, members.learners & all);
        let spares = all & !(voters | learners);
        let removable = learners | if voters.count_ones() > 1 { voters } else { 0 };
        let possible = [
            spares != 0,
            learners != 0,
            removable != 0,
            learners != 0 && voters != 0,
        ];
        let count = possible.iter().filter(|p| **p).count();
        if count == 0 {
            return None;
        }
        let mut rank = self.rng.random_range(0..count);
        let mut which = 0;
        for (i, _) in possible.iter().enumerate().filter(|(_, p)| **p) {
            which = i;
            if rank == 0 {
                break;
            }
            rank -= 1;
        }
        let one = |n: Option<NodeId>| n.map_or(0, |n| 1u64 << n);
        let mut change = Reconfigure::default();
        match which {
            0 => change.add_learners = one(self.pick(spares)),
            1 => change.promote = one(self.pick(learners)),
            2 => change.remove = one(self.pick(removable)),
            _ => {
                change.promote = one(self.pick(learners));
                change.remove = one(self.pick(voters));
            }
        }
        Some(change)
    }

    /// A uniformly chosen member of the set `pool`, or `None` if it is empty.
    fn pick(&mut self, pool: u64) -> Option<NodeId> {
        let count = pool.count_ones();
        if count == 0 {
            return None;
        }
        let mut rank = self.rng.random_range(0..count);
        for node in 0..MAX_NODES {
            if pool & (1 << node) != 0 {
                if rank == 0 {
                    return Some(node);
                }
                rank -= 1;
            }
        }
        unreachable!("rank below the population count")
    }

    /// A uniformly chosen subset of `pool` with `size` members (all of `pool`
    /// if it has fewer).
    fn pick_set(&mut self, mut pool: u64, size: usize) -> u64 {
        let mut set = 0u64;
        for _ in 0..size.min(MAX_NODES) {
            let Some(node) = self.pick(pool) else { break };
            set |= 1 << node;
            pool &= !(1 << node);
        }
        assert!(set.count_ones() as usize <= size);
        set
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;
    use scenarios::Scenario;

    fn nemesis(kinds: Vec<FaultKind>) -> Nemesis {
        let mut options = RunOptions::draw(&Scenario::default(), 1);
        options.fault_kinds = kinds;
        Nemesis::new(rng::stream(1, rng::STREAM_NEMESIS), &options)
    }

    #[test]
    fn halves_leave_a_majority() {
        let mut n = nemesis(vec![FaultKind::PartitionHalves]);
        for _ in 0..100 {
            let Some(Fault::PartitionHalves { minority }) = n.start(5, 0b11111, 0, all5()) else {
                panic!("a partition")
            };
            assert!((1..=2).contains(&minority.count_ones()));
            assert_eq!(minority & !0b11111, 0);
            n.end();
        }
    }

    #[test]
    fn leader_and_crash_targets() {
        let mut n = nemesis(vec![FaultKind::IsolateLeader]);
        assert_eq!(
            n.start(5, 0b11111, 0b00100, all5()),
            Some(Fault::IsolateLeader { node: 2 })
        );
        n.end();
        let mut n = nemesis(vec![FaultKind::Crash]);
        assert_eq!(
            n.start(5, 0b01000, 0, all5()),
            Some(Fault::Crash { node: 3 })
        );
        n.end();
        assert_eq!(n.start(5, 0, 0, all5()), None);
    }

    fn all5() -> Members {
        Members {
            voters: 0b11111,
            learners: 0,
        }
    }

    #[test]
    fn membership_changes_are_ones_the_configuration_allows() {
        let mut n = nemesis(vec![FaultKind::Reconfigure]);
        let members = Members {
            voters: 0b00111,
            learners: 0b01000,
        };
        let mut seen = [false; 4];
        for _ in 0..200 {
            let Some(Fault::Reconfigure { change: c }) = n.start(5, 0b11111, 0b1, members) else {
                panic!("a change")
            };
            n.end();
            let kind = match (c.add_learners, c.promote, c.remove) {
                (a, 0, 0) => {
                    assert_eq!(a, 0b10000, "only the spare joins");
                    0
                }
                (0, p, 0) => {
                    assert_eq!(p, 0b01000, "only the learner is promoted");
                    1
                }
                (0, 0, r) => {
                    assert_eq!(r.count_ones(), 1);
                    assert_ne!(r & 0b01111, 0, "a member leaves");
                    2
                }
                (0, p, r) => {
                    assert_eq!(p, 0b01000);
                    assert_ne!(r & 0b00111, 0, "a voter is replaced");
                    3
                }
                other => panic!("not a change of one kind: {other:?}"),
            };
            seen[kind] = true;
        }
        assert_eq!(seen, [true; 4], "every kind of change is drawn");
        // A lone voter is never removed, and with nobody else nothing changes.
        let alone = Members {
            voters: 0b1,
            learners: 0,
        };
        assert_eq!(n.start(1, 0b1, 0b1, alone), None);
    }
}
