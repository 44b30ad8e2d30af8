//! What a leader knows about one follower's log.

use crate::types::Snapshot;
use std::collections::VecDeque;
use std::sync::Arc;

/// How the leader sends to a follower.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgressState {
    /// The leader does not know where the logs match: one append at a time,
    /// paused until an answer or the next heartbeat.
    Probe,
    /// The logs match up to `match_index`: entries are pipelined, bounded by
    /// the in-flight window.
    Replicate,
    /// The entries the follower lacks were compacted: the leader sends it a
    /// snapshot, one chunk at a time, paused until an answer or the next
    /// heartbeat (section 7).
    Snapshot,
}

/// Per-follower replication progress.
///
/// `next_index` is the index of the next entry to send; entries in
/// `(match_index, next_index)` are in flight. Invariant: `match_index < next_index`.
#[derive(Clone, Debug)]
pub struct Progress {
    pub match_index: u64,
    pub next_index: u64,
    pub state: ProgressState,
    /// In Probe: an append was sent and no answer has come since.
    pub probe_sent: bool,
    /// Last index of each append with entries in flight, oldest first.
    inflight: VecDeque<u64>,
    inflight_max: usize,
    /// In Snapshot: the snapshot being sent (kept, so that the leader
    /// compacting again does not restart the transfer) and how many of its
    /// bytes the follower said it holds.
    pub snapshot: Option<Arc<Snapshot>>,
    pub snapshot_offset: u64,
}

impl Progress {
    pub fn new(next_index: u64, inflight_max: usize) -> Progress {
        assert!(next_index >= 1);
        assert!(inflight_max >= 1);
        Progress {
            match_index: 0,
            next_index,
            state: ProgressState::Probe,
            probe_sent: false,
            inflight: VecDeque::with_capacity(inflight_max),
            inflight_max,
            snapshot: None,
            snapshot_offset: 0,
        }
    }

    /// Whether the leader must wait before sending this follower more entries.
    pub fn is_paused(&self) -> bool {
        match self.state {
            ProgressState::Probe | ProgressState::Snapshot => self.probe_sent,
            ProgressState::Replicate => self.inflight.len() >= self.inflight_max,
        }
    }

    /// Records that an append ending at `last_index` was sent.
    pub fn sent(&mut self, last_index: u64, carried_entries: bool) {
        match self.state {
            ProgressState::Probe | ProgressState::Snapshot => self.probe_sent = true,
            ProgressState::Replicate => {
                if carried_entries {
                    assert!(
                        self.inflight.len() < self.inflight_max,
                        "in-flight window overrun"
                    );
                    self.inflight.push_back(last_index);
                    self.next_index = last_index + 1;
                }
            }
        }
    }

    /// A successful answer up to `index`. Returns whether `match_index` moved.
    pub fn acknowledge(&mut self, index: u64) -> bool {
        let moved = index > self.match_index;
        if moved {
            self.match_index = index;
        }
        // A snapshot is answered only by a success at or past its index (an
        // older answer is from before it, and must not unpause the chunk in
        // flight).
        if self.state == ProgressState::Snapshot {
            if self.snapshot.as_ref().is_some_and(|s| index >= s.index) {
                self.become_replicate();
            }
            return moved;
        }
        self.next_index = self.next_index.max(index + 1);
        self.probe_sent = false;
        while self.inflight.front().is_some_and(|&i| i <= index) {
            self.inflight.pop_front();
        }
        // Any success answers a probe: the logs match up to `index`, even when
        // that is no news (an empty log), and probing again would only repeat it.
        if self.state == ProgressState::Probe {
            self.become_replicate();
        }
        moved
    }

    /// Starts sending `snapshot` from its first byte.
    pub fn become_snapshot(&mut self, snapshot: Arc<Snapshot>) {
        self.state = ProgressState::Snapshot;
        self.next_index = snapshot.index + 1;
        self.snapshot = Some(snapshot);
        self.snapshot_offset = 0;
        self.probe_sent = false;
        self.inflight.clear();
    }

    /// The follower holds the first `received` bytes of the snapshot up to
    /// `index`. Returns whether the next chunk may go: the answer is about
    /// the snapshot being sent and says something new (more bytes than
    /// known, or none at all after the follower restarted). An answer to a
    /// duplicate or resent chunk repeats what is known and is ignored, so
    /// that copies never start a second chain of chunks.
    pub fn snapshot_received(&mut self, index: u64, received: u64) -> bool {
        if self.state != ProgressState::Snapshot
            || self.snapshot.as_ref().map(|s| s.index) != Some(index)
        {
            return false;
        }
        let news = received > self.snapshot_offset || (received == 0 && self.snapshot_offset > 0);
        if !news {
            return false;
        }
        self.snapshot_offset = received;
        self.probe_sent = false;
        true
    }

    /// A rejection of an append whose `prev_index` was `rejected`; `probe_from`
    /// is where the follower's hint says to look. Returns false for a stale
    /// rejection, which is ignored.
    pub fn reject(&mut self, rejected: u64, probe_from: u64) -> bool {
        if self.state == ProgressState::Snapshot {
            return false;
        }
        if self.state == ProgressState::Replicate {
            if rejected <= self.match_index {
                return false;
            }
        } else if rejected + 1 != self.next_index {
            return false;
        }
        self.state = ProgressState::Probe;
        self.inflight.clear();
        self.next_index = probe_from.min(rejected).max(self.match_index + 1).max(1);
        self.probe_sent = false;
        true
    }

    /// A heartbeat answer: the follower is alive, so unpause a probe, and free
    /// one in-flight slot in case appends were lost.
    pub fn heard(&mut self) {
        self.probe_sent = false;
        if self.inflight.len() >= self.inflight_max {
            self.inflight.pop_front();
        }
    }

    fn become_replicate(&mut self) {
        self.state = ProgressState::Replicate;
        self.next_index = self.match_index + 1;
        self.inflight.clear();
        self.snapshot = None;
        self.snapshot_offset = 0;
    }

    /// Invariant: `match_index < next_index`, in-flight bounded and ordered.
    pub fn check_invariants(&self) {
        assert!(
            self.match_index < self.next_index,
            "progress: match {} >= next {}",
            self.match_index,
            self.next_index
        );
        assert!(
            self.inflight.len() <= self.inflight_max,
            "progress: in-flight window overrun"
        );
        assert!(
            self.inflight
                .iter()
                .zip(self.inflight.iter().skip(1))
                .all(|(a, b)| a < b),
            "progress: in-flight indices out of order"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probe_then_replicate() {
        let mut p = Progress::new(10, 2);
        assert!(!p.is_paused());
        p.sent(12, true);
        assert!(p.is_paused());
        assert!(p.acknowledge(12));
        assert_eq!(p.state, ProgressState::Replicate);
        assert_eq!(p.next_index, 13);
        p.sent(14, true);
        p.sent(16, true);
        assert!(p.is_paused());
        p.acknowledge(14);
        assert!(!p.is_paused());
        p.check_invariants();
    }

    #[test]
    fn stale_rejections_are_ignored() {
        let mut p = Progress::new(10, 4);
        p.acknowledge(9);
        p.sent(12, true);
        assert!(!p.reject(8, 5), "below match: stale");
        assert!(p.reject(12, 11));
        assert_eq!(p.state, ProgressState::Probe);
        assert_eq!(p.next_index, 11);
        assert!(!p.reject(3, 1), "probe expects next-1");
        p.check_invariants();
    }
}
