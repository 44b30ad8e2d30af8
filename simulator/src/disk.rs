//! Simulated disks, one per node: volatile writes, FIFO syncs, crashes.
//!
//! Records a node writes sit in a volatile buffer. A sync request remembers
//! how many volatile records existed when it was asked for; when it completes,
//! exactly those records move to the durable log and the node hears
//! `durable(sync_id)`. Syncs complete in request order: a sync's completion
//! time is never earlier than the previous sync's (a later sync never
//! overtakes an earlier one, as on a real fsync'ing log). A crash drops the
//! volatile buffer and every pending sync.

use crate::node::NodeId;
use crate::queue::{Event, EventQueue};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Most syncs one node may have pending; more is a runaway node, reported as
/// a `limit` failure.
pub const MAX_PENDING_SYNCS: usize = 1 << 16;

/// A sync asked for and not yet complete.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PendingSync {
    sync_id: u64,
    /// Volatile records (from the front) that become durable with this sync.
    records: usize,
}

/// One node's disk state besides its durable log.
#[derive(Debug)]
struct Disk<R> {
    rng: ChaCha8Rng,
    volatile: VecDeque<R>,
    /// Invariant: `records` is non-decreasing front to back and at most
    /// `volatile.len()`.
    pending: VecDeque<PendingSync>,
    /// Completion time of the newest pending sync, for FIFO completion.
    last_done_us: u64,
}

/// All disks of a run. `durable[i]` is node `i`'s durable log in write order
/// (the slice [`crate::View::durable`] shows).
#[derive(Debug)]
pub struct Disks<R> {
    pub durable: Vec<Vec<R>>,
    disks: Vec<Disk<R>>,
    sync_latency_us_min: u64,
    sync_latency_us_max: u64,
}

/// A completed sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Completed {
    pub sync_id: u64,
    /// Records that became durable with it.
    pub records: usize,
}

impl<R> Disks<R> {
    /// `rngs[i]` is disk `i`'s stream (sync latencies).
    pub fn new(
        rngs: Vec<ChaCha8Rng>,
        sync_latency_us_min: u64,
        sync_latency_us_max: u64,
    ) -> Disks<R> {
        assert!(!rngs.is_empty());
        assert!(sync_latency_us_min <= sync_latency_us_max);
        Disks {
            durable: rngs.iter().map(|_| Vec::new()).collect(),
            disks: rngs
                .into_iter()
                .map(|rng| Disk {
                    rng,
                    volatile: VecDeque::new(),
                    pending: VecDeque::new(),
                    last_done_us: 0,
                })
                .collect(),
            sync_latency_us_min,
            sync_latency_us_max,
        }
    }

    /// Appends `record` to `node`'s volatile buffer.
    #[inline]
    pub fn write(&mut self, node: NodeId, record: R) {
        self.disks[node].volatile.push_back(record);
    }

    /// Asks for a sync of everything `node` wrote so far, scheduling its
    /// completion on `queue` (tagged with `incarnation`). Returns false, and
    /// schedules nothing, when the node already has `MAX_PENDING_SYNCS`.
    pub fn sync(
        &mut self,
        queue: &mut EventQueue,
        now_us: u64,
        node: NodeId,
        incarnation: u32,
        sync_id: u64,
    ) -> bool {
        let (min, max) = (self.sync_latency_us_min, self.sync_latency_us_max);
        let disk = &mut self.disks[node];
        if disk.pending.len() >= MAX_PENDING_SYNCS {
            return false;
        }
        let latency_us = disk.rng.random_range(min..=max);
        let done_us = (now_us + latency_us).max(disk.last_done_us);
        disk.last_done_us = done_us;
        disk.pending.push_back(PendingSync {
            sync_id,
            records: disk.volatile.len(),
        });
        let node = u32::try_from(node).expect("node ids fit u32");
        queue.push(done_us, Event::SyncDone { node, incarnation });
        true
    }

    /// Completes `node`'s oldest pending sync: the records written before it
    /// was asked for become durable.
    pub fn complete(&mut self, node: NodeId) -> Completed {
        let disk = &mut self.disks[node];
        let done = disk
            .pending
            .pop_front()
            .expect("a sync completion without a pending sync");
        assert!(
            done.records <= disk.volatile.len(),
            "sync covers more than was written"
        );
        self.durable[node].extend(disk.volatile.drain(..done.records));
        for later in disk.pending.iter_mut() {
            assert!(
                later.records >= done.records,
                "syncs cover growing prefixes"
            );
            later.records -= done.records;
        }
        Completed {
            sync_id: done.sync_id,
            records: done.records,
        }
    }

    /// Crashes `node`'s disk: unsynced records and pending syncs are lost.
    /// Returns how many records were lost.
    pub fn crash(&mut self, node: NodeId) -> usize {
        let disk = &mut self.disks[node];
        let lost = disk.volatile.len();
        disk.volatile.clear();
        disk.pending.clear();
        // The new incarnation's syncs need not wait for the lost ones.
        disk.last_done_us = 0;
        assert!(disk.volatile.is_empty() && disk.pending.is_empty());
        lost
    }

    /// Records `node` wrote that are not yet durable.
    pub fn volatile_len(&self, node: NodeId) -> usize {
        self.disks[node].volatile.len()
    }

    /// Syncs `node` asked for that have not completed.
    pub fn pending_syncs(&self, node: NodeId) -> usize {
        self.disks[node].pending.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng;

    #[test]
    fn syncs_complete_in_order_and_cover_prefixes() {
        let mut disks: Disks<u32> = Disks::new(vec![rng::disk_stream(1, 0)], 10, 1000);
        let mut q = EventQueue::default();
        disks.write(0, 1);
        assert!(disks.sync(&mut q, 0, 0, 0, 100));
        disks.write(0, 2);
        disks.write(0, 3);
        assert!(disks.sync(&mut q, 0, 0, 0, 101));
        disks.write(0, 4);
        let first = q.pop().unwrap();
        let second = q.pop().unwrap();
        assert!(first.time_us <= second.time_us);
        assert_eq!(
            disks.complete(0),
            Completed {
                sync_id: 100,
                records: 1
            }
        );
        assert_eq!(
            disks.complete(0),
            Completed {
                sync_id: 101,
                records: 2
            }
        );
        assert_eq!(disks.durable[0], vec![1, 2, 3]);
        assert_eq!(disks.crash(0), 1);
        assert_eq!(disks.durable[0], vec![1, 2, 3]);
    }

    #[test]
    fn a_later_sync_never_completes_before_an_earlier_one() {
        let mut disks: Disks<u32> = Disks::new(vec![rng::disk_stream(2, 0)], 0, 50_000);
        let mut q = EventQueue::default();
        for i in 0..1000 {
            assert!(disks.sync(&mut q, i * 100, 0, 0, i));
        }
        let times: Vec<u64> = std::iter::from_fn(|| q.pop()).map(|s| s.time_us).collect();
        assert_eq!(times.len(), 1000);
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }
}
