//! The event queue: a binary heap ordered by `(time_us, seq)`.
//!
//! `seq` is a counter that increases with every push, so two events at the
//! same virtual time run in the order they were scheduled. Nothing else (no
//! address, no payload) takes part in the order. Message payloads live in the
//! network's slab; an event only carries small ids, so heap moves stay cheap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// What happens when an event fires. Node ids are `u32` to keep events small.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Node `node`'s clock ticks (the clock runs on while the node is down).
    Tick { node: u32 },
    /// The message in network slot `slot` arrives.
    Deliver { slot: u32 },
    /// The oldest pending sync of `node` completes, if `incarnation` is still
    /// the node's current one (a crash makes it stale).
    SyncDone { node: u32, incarnation: u32 },
    /// Closed loop: client `client` invokes its first operation.
    ClientStart { client: u32 },
    /// Open loop: the next operation arrives for an idle client.
    Arrival,
    /// The client request in client-wire slot `slot` reaches its node.
    RequestArrives { slot: u32 },
    /// The response in client-wire slot `slot` reaches its client.
    ResponseArrives { slot: u32 },
    /// Client `client` sends its request again (after a retry interval or a
    /// redirect), if `attempt` is still its current attempt.
    Resend { client: u32, attempt: u32 },
    /// Client `client`'s deadline timer fires (one per client, re-armed lazily).
    Deadline { client: u32 },
    /// The nemesis starts its next fault.
    FaultStart,
    /// The nemesis undoes the fault it started.
    FaultEnd,
    /// The faulty phase is over.
    HealingBegins,
    /// The script goes on, if its generation is still `generation`.
    Script { generation: u32 },
    /// The run is over.
    End,
}

impl Event {
    /// A small stable number per variant, fed to the trace hash.
    pub fn tag(&self) -> u64 {
        match self {
            Event::Tick { .. } => 1,
            Event::Deliver { .. } => 2,
            Event::SyncDone { .. } => 3,
            // 4 was the retired driver's proposal.
            Event::FaultStart => 5,
            Event::FaultEnd => 6,
            Event::HealingBegins => 7,
            Event::End => 8,
            Event::ClientStart { .. } => 9,
            Event::Arrival => 10,
            Event::RequestArrives { .. } => 11,
            Event::ResponseArrives { .. } => 12,
            Event::Resend { .. } => 13,
            Event::Deadline { .. } => 14,
            Event::Script { .. } => 15,
        }
    }
}

// Events stay two words at most, so that heap moves stay cheap.
const _: () = assert!(std::mem::size_of::<Event>() <= 12);

/// One scheduled event.
#[derive(Clone, Copy, Debug)]
pub struct Scheduled {
    pub time_us: u64,
    pub seq: u64,
    pub event: Event,
}

impl PartialEq for Scheduled {
    fn eq(&self, other: &Self) -> bool {
        (self.time_us, self.seq) == (other.time_us, other.seq)
    }
}

impl Eq for Scheduled {}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Scheduled {
    /// Reversed, so that std's max-heap pops the earliest `(time_us, seq)`.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time_us, other.seq).cmp(&(self.time_us, self.seq))
    }
}

/// Pending events. Invariant: no event is scheduled before the last popped
/// time (time never runs backwards), and `seq` values are unique.
#[derive(Debug, Default)]
pub struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    seq_next: u64,
    now_us: u64,
}

impl EventQueue {
    pub fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            seq_next: 0,
            now_us: 0,
        }
    }

    /// Schedules `event` at `time_us`, which must not be in the past.
    #[inline]
    pub fn push(&mut self, time_us: u64, event: Event) {
        assert!(time_us >= self.now_us, "event scheduled in the past");
        let seq = self.seq_next;
        self.seq_next += 1;
        self.heap.push(Scheduled {
            time_us,
            seq,
            event,
        });
    }

    /// Removes and returns the earliest event, advancing the queue's clock.
    #[inline]
    pub fn pop(&mut self) -> Option<Scheduled> {
        let next = self.heap.pop()?;
        assert!(next.time_us >= self.now_us, "time ran backwards");
        self.now_us = next.time_us;
        Some(next)
    }

    /// Time of the last popped event.
    pub fn now_us(&self) -> u64 {
        self.now_us
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_by_push_order() {
        let mut q = EventQueue::default();
        q.push(5, Event::Arrival);
        q.push(3, Event::Tick { node: 1 });
        q.push(5, Event::Tick { node: 2 });
        q.push(3, Event::Tick { node: 0 });
        let order: Vec<(u64, Event)> = std::iter::from_fn(|| q.pop())
            .map(|s| (s.time_us, s.event))
            .collect();
        assert_eq!(
            order,
            vec![
                (3, Event::Tick { node: 1 }),
                (3, Event::Tick { node: 0 }),
                (5, Event::Arrival),
                (5, Event::Tick { node: 2 }),
            ]
        );
        assert!(q.is_empty());
    }
}
