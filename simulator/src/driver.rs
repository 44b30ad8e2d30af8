//! The command driver: one proposal per interval to the node it believes leads.
//!
//! Commands are `1, 2, 3, ...`, one fresh number per proposal made (a rejected
//! proposal uses up its number too), so every command in any log is unique.
//! The driver believes in the last node that accepted, or the leader named by
//! a rejection; when it believes in nobody, or its belief is down, it picks a
//! random live node from the driver stream.

use crate::node::{NodeId, Proposal};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

#[derive(Debug)]
pub struct Driver {
    rng: ChaCha8Rng,
    nodes: usize,
    /// The command the next proposal carries. Invariant: at least 1.
    next_command: u64,
    believed_leader: Option<NodeId>,
}

impl Driver {
    pub fn new(rng: ChaCha8Rng, nodes: usize) -> Driver {
        assert!(nodes >= 1);
        Driver {
            rng,
            nodes,
            next_command: 1,
            believed_leader: None,
        }
    }

    /// The node to propose to and the command to propose, or `None` when no
    /// node is up (`alive` is a bit mask of live nodes). Draws only when the
    /// believed leader is unknown or down.
    pub fn next(&mut self, alive: u64) -> Option<(NodeId, u64)> {
        let target = match self.believed_leader {
            Some(node) if alive & (1 << node) != 0 => node,
            _ => {
                let count = alive.count_ones();
                if count == 0 {
                    return None;
                }
                let rank = self.rng.random_range(0..count);
                (0..self.nodes)
                    .filter(|node| alive & (1 << node) != 0)
                    .nth(rank as usize)
                    .expect("rank below the number of live nodes")
            }
        };
        assert!(target < self.nodes);
        let command = self.next_command;
        self.next_command += 1;
        Some((target, command))
    }

    /// Learns from `target`'s answer to a proposal.
    pub fn answered(&mut self, target: NodeId, answer: Proposal) {
        self.believed_leader = match answer {
            Proposal::Accepted => Some(target),
            Proposal::NotLeader(Some(hint)) if hint < self.nodes && hint != target => Some(hint),
            Proposal::NotLeader(_) => None,
        };
        if let Some(node) = self.believed_leader {
            assert!(node < self.nodes);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    #[test]
    fn follows_hints_and_numbers_commands() {
        let mut d = Driver::new(rng::stream(1, rng::STREAM_DRIVER), 3);
        let (first, c1) = d.next(0b111).unwrap();
        assert_eq!(c1, 1);
        d.answered(first, Proposal::NotLeader(Some((first + 1) % 3)));
        assert_eq!(d.next(0b111), Some(((first + 1) % 3, 2)));
        d.answered((first + 1) % 3, Proposal::Accepted);
        assert_eq!(d.next(0b111), Some(((first + 1) % 3, 3)));
        assert_eq!(d.next(0), None);
    }
}
