//! Log compaction and InstallSnapshot (Raft section 7, Figure 13).
//!
//! The application saves its state up to an applied index and hands it to
//! [`crate::RawNode::compact`]; the log drops the entries it covers, and the
//! snapshot is handed out in the next ready to be written. A leader whose
//! follower lacks compacted entries sends it the snapshot in chunks of at
//! most `Config::snapshot_chunk_bytes`, one at a time: the follower answers
//! each chunk with how many bytes it holds, and the leader sends on from
//! there, so a lost chunk (resent at the next heartbeat answer) or a
//! follower that restarted and lost what it had received only costs the
//! bytes since. The follower installs a complete snapshot unless it already
//! committed past it, hands it out in a ready for the application to write
//! and restore, and acknowledges it once durable.

use crate::bugs::Bug;
use crate::progress::ProgressState;
use crate::raft::Raft;
use crate::types::{Command, Membership, MessageBody, NodeId, Role, Snapshot};
use std::sync::Arc;

/// A snapshot being received.
pub(crate) struct Incoming {
    /// The term of the leader sending it: chunks of one snapshot from two
    /// leaders are never mixed.
    pub leader_term: u64,
    pub index: u64,
    pub term: u64,
    pub membership: Membership,
    pub data: Vec<u8>,
}

impl<C: Command> Raft<C> {
    /// Compacts the log up to `index`, which the application has applied,
    /// into a snapshot whose state is `data`. Returns false (and does
    /// nothing) if `index` is not above the current snapshot's index, or
    /// not yet applied and durable.
    pub fn compact(&mut self, index: u64, data: Arc<[u8]>) -> bool {
        let log = &self.log;
        if index <= log.snapshot_index() || index > log.applied || index > log.stable() {
            return false;
        }
        let term = log.term(index).expect("an applied entry is in the log");
        let membership = self.membership_at(index);
        self.log.compact(index);
        let snapshot = Arc::new(Snapshot {
            index,
            term,
            membership,
            data,
        });
        self.snapshot = Some(snapshot.clone());
        self.refresh_members();
        self.new_snapshot = Some((snapshot, false));
        true
    }

    /// Member `i` needs entries that were compacted: start sending it the
    /// newest snapshot.
    pub(crate) fn start_snapshot(&mut self, i: usize) {
        let snapshot = self
            .snapshot
            .clone()
            .expect("a log with a compacted prefix has a snapshot");
        self.progress[i].become_snapshot(snapshot);
        self.send_snapshot_chunk(i);
    }

    /// Sends member `i` the chunk of its snapshot from the offset it holds.
    pub(crate) fn send_snapshot_chunk(&mut self, i: usize) {
        let pr = &mut self.progress[i];
        debug_assert_eq!(pr.state, ProgressState::Snapshot);
        let Some(snapshot) = pr.snapshot.clone() else {
            return;
        };
        let len = snapshot.data.len();
        let from = (pr.snapshot_offset as usize).min(len);
        let to = (from + self.cfg.snapshot_chunk_bytes).min(len);
        pr.sent(snapshot.index, false);
        let to_node = self.cfg.peers[i];
        self.send(
            to_node,
            MessageBody::Snapshot {
                index: snapshot.index,
                term: snapshot.term,
                offset: from as u64,
                data: snapshot.data[from..to].to_vec(),
                done: to == len,
                membership: Arc::new(snapshot.membership.clone()),
            },
        );
    }

    /// A leader's side of a chunk's answer: send the next chunk.
    pub(crate) fn handle_snapshot_response(&mut self, from: NodeId, index: u64, received: u64) {
        if self.role != Role::Leader {
            return;
        }
        let Some(i) = self.member_index(from) else {
            return;
        };
        if self.progress[i].snapshot_received(index, received) {
            self.send_snapshot_chunk(i);
        }
    }

    /// A follower's side of InstallSnapshot: keep the chunk if it follows
    /// the bytes held, answer how far it holds, and install the snapshot
    /// once complete. `snapshot` is the index, term and configuration of
    /// the snapshot the chunk `data` (from byte `offset`) belongs to.
    pub(crate) fn handle_snapshot(
        &mut self,
        from: NodeId,
        snapshot: (u64, u64, Arc<Membership>),
        offset: u64,
        data: Vec<u8>,
        done: bool,
    ) {
        let (index, term, membership) = snapshot;
        if index <= self.log.committed && !self.cfg.bugs.has(Bug::SnapshotRegress) {
            // We already hold (and have committed) everything it describes:
            // say how far, as for a stale append. A transfer under way stays
            // unless it is just as stale.
            if self
                .incoming
                .as_ref()
                .is_some_and(|inc| inc.index <= self.log.committed)
            {
                self.incoming = None;
            }
            let committed = self.log.committed;
            self.send_ack(
                from,
                MessageBody::AppendResponse {
                    index: committed,
                    reject: None,
                },
            );
            return;
        }
        let leader_term = self.term;
        let same = self.incoming.as_ref().is_some_and(|inc| {
            inc.leader_term == leader_term && inc.index == index && inc.term == term
        });
        if !same {
            // A transfer of this leader's newer snapshot goes on; a copy of
            // an older one's chunk does not replace it.
            let newer_under_way = self
                .incoming
                .as_ref()
                .is_some_and(|inc| inc.leader_term == leader_term && inc.index > index);
            if newer_under_way {
                return;
            }
            if offset != 0 {
                // A chunk of a snapshot we hold nothing of (we restarted, or
                // the first chunks were lost): ask for it from the start.
                self.send(from, MessageBody::SnapshotResponse { index, received: 0 });
                return;
            }
            self.incoming = Some(Incoming {
                leader_term,
                index,
                term,
                membership: Membership::clone(&membership),
                data: Vec::new(),
            });
        }
        let Some(Incoming { data: buf, .. }) = self.incoming.as_mut() else {
            return;
        };
        let appended = offset == buf.len() as u64;
        if appended {
            buf.extend_from_slice(&data);
        }
        if !(appended && done) {
            let received = buf.len() as u64;
            self.send(from, MessageBody::SnapshotResponse { index, received });
            return;
        }
        let Some(Incoming {
            data: bytes,
            membership,
            ..
        }) = self.incoming.take()
        else {
            return;
        };
        self.install_snapshot(
            from,
            Snapshot {
                index,
                term,
                membership,
                data: Arc::from(bytes),
            },
        );
    }

    /// Replaces the log's prefix with a complete snapshot from the leader
    /// (Figure 13, steps 6 to 8) and acknowledges it once it is durable.
    fn install_snapshot(&mut self, from: NodeId, snapshot: Snapshot) {
        let index = snapshot.index;
        self.log.install(index, snapshot.term);
        let snapshot = Arc::new(snapshot);
        self.snapshot = Some(snapshot.clone());
        self.refresh_members();
        self.new_snapshot = Some((snapshot, true));
        self.send_ack(
            from,
            MessageBody::AppendResponse {
                index,
                reject: None,
            },
        );
    }
}
