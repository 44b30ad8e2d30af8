//! The simulated network: latency, loss, duplication, reordering, partitions.
//!
//! A send is decided when it is made: it is lost if its link is blocked or by
//! random loss; otherwise it is delivered after a latency drawn for it alone
//! (so random latency reorders messages), and with some chance a duplicate is
//! delivered after its own latency. Messages already in flight when a
//! partition starts still arrive, like packets already on the wire.
//!
//! In-flight messages live in a [`Slab`] so that events only carry a slot
//! number. The slab is bounded by the run's
//! in-flight limit; exceeding it is reported, never a hang or an OOM.

use crate::node::NodeId;
use crate::options::LatencyModel;
use crate::queue::{Event, EventQueue};
use crate::rng;
use crate::slab::Slab;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;

/// A message on the wire.
#[derive(Debug)]
pub struct InFlight<M> {
    pub from: NodeId,
    pub to: NodeId,
    /// When it was sent (for recordings: see `record.rs`).
    pub sent_us: u64,
    pub msg: M,
}

/// What happened to one send.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendResult {
    /// Scheduled once, or twice when `duplicated`.
    Scheduled { duplicated: bool },
    /// Lost: the link from sender to receiver is blocked.
    Blocked,
    /// Lost to random loss.
    Lost,
    /// More messages would be in flight than the run allows.
    OverLimit,
}

/// A chance compared against one `u64` draw: `draw < threshold`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chance {
    threshold: u64,
    certain: bool,
}

impl Chance {
    pub fn new(ratio: f64) -> Chance {
        let ratio = if ratio.is_finite() {
            ratio.clamp(0.0, 1.0)
        } else {
            0.0
        };
        // 2^64 as f64 is exact; the product saturates in the cast.
        let threshold = (ratio * 18_446_744_073_709_551_616.0) as u64;
        Chance {
            threshold,
            certain: ratio >= 1.0,
        }
    }

    /// Whether the event happens. Draws nothing when the chance is 0 or 1, so
    /// switching loss off does not consume network randomness.
    #[inline]
    pub fn happens(&self, rng: &mut ChaCha8Rng) -> bool {
        if self.certain {
            return true;
        }
        self.threshold != 0 && rng.next_u64() < self.threshold
    }
}

/// Random loss and duplication, for requests and for replies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LinkRatios {
    pub drop: f64,
    pub duplicate: f64,
    pub reply_drop: f64,
    pub reply_duplicate: f64,
}

/// The network of one run. Invariants: `blocked`, `nemesis_blocked` and
/// `script_blocked` are `nodes * nodes`, and `blocked` is the union of the
/// other two (the random nemesis and the script cut links independently, so
/// that one healing its faults leaves the other's in place); the slab holds
/// every message on the wire, at most the run's in-flight limit.
pub struct Network<M> {
    nodes: usize,
    /// `links[from * nodes + to]`: that link's stream (see [`rng::link_stream`]).
    links: Vec<ChaCha8Rng>,
    latency: LatencyModel,
    drop: Chance,
    duplicate: Chance,
    reply_drop: Chance,
    reply_duplicate: Chance,
    /// `blocked[from * nodes + to]`: messages from `from` to `to` are lost.
    blocked: Vec<bool>,
    nemesis_blocked: Vec<bool>,
    script_blocked: Vec<bool>,
    slab: Slab<InFlight<M>>,
}

impl<M: Clone> Network<M> {
    pub fn new(
        nodes: usize,
        seed: u64,
        latency: LatencyModel,
        ratios: LinkRatios,
        max_in_flight: usize,
    ) -> Network<M> {
        assert!(nodes >= 1);
        assert!(max_in_flight >= 1);
        let links = (0..nodes * nodes)
            .map(|i| rng::link_stream(seed, i / nodes, i % nodes))
            .collect();
        let mut network = Network {
            nodes,
            links,
            latency,
            drop: Chance::new(0.0),
            duplicate: Chance::new(0.0),
            reply_drop: Chance::new(0.0),
            reply_duplicate: Chance::new(0.0),
            blocked: vec![false; nodes * nodes],
            nemesis_blocked: vec![false; nodes * nodes],
            script_blocked: vec![false; nodes * nodes],
            slab: Slab::new(max_in_flight),
        };
        network.set_ratios(ratios);
        network
    }

    /// Sets random loss and duplication from now on.
    pub fn set_ratios(&mut self, ratios: LinkRatios) {
        self.drop = Chance::new(ratios.drop);
        self.duplicate = Chance::new(ratios.duplicate);
        self.reply_drop = Chance::new(ratios.reply_drop);
        self.reply_duplicate = Chance::new(ratios.reply_duplicate);
    }

    /// Puts `msg` on the wire from `from` to `to` at `now_us`, scheduling its
    /// delivery (and a duplicate's) on `queue`; a `reply` takes the replies'
    /// loss and duplication ratios. Draw order per send: loss, latency,
    /// duplication, duplicate's latency; a blocked link draws nothing.
    #[inline]
    pub fn send(
        &mut self,
        queue: &mut EventQueue,
        now_us: u64,
        from: NodeId,
        to: NodeId,
        msg: M,
        reply: bool,
    ) -> SendResult {
        assert!(from < self.nodes, "message from unknown node {from}");
        assert!(
            to < self.nodes,
            "node {from} sent a message to unknown node {to}"
        );
        let link = from * self.nodes + to;
        if self.blocked[link] {
            return SendResult::Blocked;
        }
        let (drop, duplicate) = if reply {
            (self.reply_drop, self.reply_duplicate)
        } else {
            (self.drop, self.duplicate)
        };
        let rng = &mut self.links[link];
        if drop.happens(rng) {
            return SendResult::Lost;
        }
        let delay_us = latency_us(rng, self.latency);
        let duplicated = duplicate.happens(rng);
        if duplicated {
            let copy_latency_us = latency_us(rng, self.latency);
            let copy = msg.clone();
            if !self.schedule(queue, now_us + copy_latency_us, from, to, copy) {
                return SendResult::OverLimit;
            }
        }
        if !self.schedule(queue, now_us + delay_us, from, to, msg) {
            return SendResult::OverLimit;
        }
        SendResult::Scheduled { duplicated }
    }

    fn schedule(
        &mut self,
        queue: &mut EventQueue,
        at_us: u64,
        from: NodeId,
        to: NodeId,
        msg: M,
    ) -> bool {
        let sent_us = queue.now_us();
        match self.slab.insert(InFlight {
            from,
            to,
            sent_us,
            msg,
        }) {
            Ok(slot) => {
                queue.push(at_us, Event::Deliver { slot });
                true
            }
            Err(_) => false,
        }
    }

    /// Takes the message in `slot` off the wire (its delivery event fired).
    #[inline]
    pub fn take(&mut self, slot: u32) -> InFlight<M> {
        self.slab.take(slot)
    }

    /// The receiver of the message in `slot` (still on the wire).
    #[inline]
    pub fn receiver(&self, slot: u32) -> NodeId {
        self.slab.get(slot).to
    }

    /// Messages on the wire now.
    #[cfg(test)]
    pub fn in_flight(&self) -> usize {
        self.slab.len()
    }

    /// Stops random loss and duplication (the healing phase); latency stays.
    pub fn stop_loss_and_duplication(&mut self) {
        self.set_ratios(LinkRatios {
            drop: 0.0,
            duplicate: 0.0,
            reply_drop: 0.0,
            reply_duplicate: 0.0,
        });
        assert!(!self.drop.certain && self.drop.threshold == 0);
    }

    /// Whether messages from `from` to `to` are lost.
    pub fn is_blocked(&self, from: NodeId, to: NodeId) -> bool {
        self.blocked[from * self.nodes + to]
    }

    /// The nemesis blocks (or unblocks) the one-way link `from -> to`. A
    /// node's link to itself is never blocked.
    pub fn set_blocked(&mut self, from: NodeId, to: NodeId, blocked: bool) {
        assert!(
            from < self.nodes && to < self.nodes,
            "link {from}->{to} out of range"
        );
        if from != to {
            let i = from * self.nodes + to;
            self.nemesis_blocked[i] = blocked;
            self.blocked[i] = blocked || self.script_blocked[i];
        }
    }

    /// Replaces the script's cut links: `cut(from, to)` says whether
    /// messages from `from` to `to` are lost. The nemesis's cuts stay.
    pub fn set_script_links(&mut self, cut: impl Fn(NodeId, NodeId) -> bool) {
        for from in 0..self.nodes {
            for to in 0..self.nodes {
                let i = from * self.nodes + to;
                self.script_blocked[i] = from != to && cut(from, to);
                self.blocked[i] = self.nemesis_blocked[i] || self.script_blocked[i];
            }
        }
    }

    /// Blocks every link between a node in `side` and a node outside it, both
    /// ways (`side` is a bit mask of node ids).
    pub fn partition(&mut self, side: u64) {
        for a in 0..self.nodes {
            for b in 0..self.nodes {
                let a_in = side & (1 << a) != 0;
                let b_in = side & (1 << b) != 0;
                if a_in != b_in {
                    self.set_blocked(a, b, true);
                }
            }
        }
    }

    /// Cuts `node` off from every other node, both ways.
    pub fn isolate(&mut self, node: NodeId) {
        self.partition(1 << node);
        assert!(self.nodes == 1 || self.is_blocked(node, (node + 1) % self.nodes));
    }

    /// Loses every message `node` sends to others; messages to it still arrive.
    pub fn block_outgoing(&mut self, node: NodeId) {
        for to in 0..self.nodes {
            self.set_blocked(node, to, true);
        }
    }

    /// Unblocks every link the nemesis blocked.
    pub fn heal(&mut self) {
        self.nemesis_blocked.fill(false);
        self.blocked.copy_from_slice(&self.script_blocked);
        assert!(self.nemesis_blocked.iter().all(|b| !b));
    }

    /// Unblocks every link, the nemesis's and the script's (healing phase).
    pub fn heal_all(&mut self) {
        self.heal();
        self.set_script_links(|_, _| false);
        assert!(self.blocked.iter().all(|b| !b));
    }
}

/// Draws one message's latency under `model`.
#[inline]
pub fn latency_us(rng: &mut ChaCha8Rng, model: LatencyModel) -> u64 {
    match model {
        LatencyModel::Constant { latency_us } => latency_us,
        LatencyModel::Uniform {
            latency_us_min,
            latency_us_max,
        } => rng.random_range(latency_us_min..=latency_us_max),
        LatencyModel::Exponential {
            latency_us_min,
            tail_us_mean,
        } => latency_us_min.saturating_add(exponential_us(rng, tail_us_mean)),
        LatencyModel::LongTail {
            latency_us_min,
            latency_us_max,
            tail_ratio,
            tail_us_min,
            tail_us_max,
        } => {
            if rng.random_bool(tail_ratio) {
                rng.random_range(tail_us_min..=tail_us_max)
            } else {
                rng.random_range(latency_us_min..=latency_us_max)
            }
        }
    }
}

/// An exponential draw with mean `mean_us`, capped at 64 means (a draw of
/// 1 - u below 2^-53 is impossible, so the cap is a guard, not a shape).
/// Uses `f64::ln`, which is deterministic for a given build and platform.
fn exponential_us(rng: &mut ChaCha8Rng, mean_us: u64) -> u64 {
    if mean_us == 0 {
        return 0;
    }
    let u: f64 = rng.random(); // [0, 1)
    let tail = -(1.0 - u).ln() * mean_us as f64;
    assert!(tail >= 0.0);
    (tail.round() as u64).min(mean_us.saturating_mul(64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(drop: f64, dup: f64) -> Network<u32> {
        let latency = LatencyModel::Uniform {
            latency_us_min: 100,
            latency_us_max: 200,
        };
        Network::new(
            3,
            1,
            latency,
            LinkRatios {
                drop,
                duplicate: dup,
                reply_drop: drop,
                reply_duplicate: dup,
            },
            4,
        )
    }

    #[test]
    fn loss_and_duplication_follow_their_ratios() {
        let mut n = net(0.0, 1.0);
        let mut q = EventQueue::default();
        assert_eq!(
            n.send(&mut q, 0, 0, 1, 7, false),
            SendResult::Scheduled { duplicated: true }
        );
        assert_eq!(q.len(), 2);
        let mut n = net(1.0, 0.0);
        assert_eq!(n.send(&mut q, 0, 0, 1, 7, false), SendResult::Lost);
    }

    #[test]
    fn in_flight_limit_is_reported() {
        let mut n = net(0.0, 0.0);
        let mut q = EventQueue::default();
        for _ in 0..4 {
            assert!(matches!(
                n.send(&mut q, 0, 0, 1, 1, false),
                SendResult::Scheduled { .. }
            ));
        }
        assert_eq!(n.send(&mut q, 0, 0, 1, 1, false), SendResult::OverLimit);
        let Event::Deliver { slot } = q.pop().unwrap().event else {
            panic!()
        };
        assert_eq!(n.take(slot).msg, 1);
        assert_eq!(n.in_flight(), 3);
    }

    #[test]
    fn partitions_block_the_right_links() {
        let mut n = net(0.0, 0.0);
        n.block_outgoing(2);
        assert!(n.is_blocked(2, 0) && !n.is_blocked(0, 2));
        n.heal();
        n.partition(0b001);
        assert!(n.is_blocked(0, 1) && n.is_blocked(1, 0) && !n.is_blocked(1, 2));
        n.heal();
        n.isolate(1);
        assert!(n.is_blocked(1, 2) && n.is_blocked(0, 1) && !n.is_blocked(0, 2));
    }
}
