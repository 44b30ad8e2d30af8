//! Log replication (Raft section 5.3), commitment (5.4.2) and heartbeats:
//! batching up to `max_entries_per_msg`, pipelining within the in-flight
//! window, and fast backtracking on rejection.

use crate::bugs::Bug;
use crate::progress::ProgressState;
use crate::raft::Raft;
use crate::types::{Command, Entry, EntryData, MessageBody, NodeId, RejectHint, Role};

impl<C: Command> Raft<C> {
    /// Appends a command as a new entry if this node leads, and starts
    /// replicating it. Returns its index, or the leader this node believes in.
    pub fn propose(&mut self, command: C) -> Result<u64, Option<NodeId>> {
        if self.role != Role::Leader {
            return Err(self.leader);
        }
        if let Some((to, _)) = self.transfer {
            // Section 3.10: no new entries while leadership is handed over.
            return Err(Some(to));
        }
        let index = self.append_own(EntryData::Command(command));
        self.broadcast_append();
        Ok(index)
    }

    /// Sends every follower what it lacks, as far as its window allows.
    pub(crate) fn broadcast_append(&mut self) {
        for k in 0..self.members.targets.len() {
            self.send_append(self.members.targets[k]);
        }
    }

    /// Sends member `i` (a position in `cfg.peers`) the next batch of entries. In probe state this is sent
    /// even when empty (it asks where the logs match); in replicate state only
    /// when there is something new.
    pub(crate) fn send_append(&mut self, i: usize) {
        if self.role != Role::Leader {
            return;
        }
        let last = self.log.last_index();
        let pr = &self.progress[i];
        if pr.is_paused() {
            return;
        }
        let probing = match pr.state {
            ProgressState::Probe => true,
            ProgressState::Replicate => false,
            ProgressState::Snapshot => return self.send_snapshot_chunk(i),
        };
        if !probing && pr.next_index > last {
            return;
        }
        let prev_index = pr.next_index - 1;
        if prev_index < self.log.snapshot_index() {
            // What the follower lacks was compacted: it gets the snapshot.
            return self.start_snapshot(i);
        }
        let Some(prev_term) = self.log.term(prev_index) else {
            panic!(
                "progress of {} points past the log: next {} last {last}",
                self.cfg.peers[i], pr.next_index
            );
        };
        let to_index = last.min(prev_index + self.cfg.max_entries_per_msg as u64);
        let entries = self.log.slice(prev_index + 1, to_index).to_vec();
        let carried = !entries.is_empty();
        let commit = self.log.committed;
        self.progress[i].sent(to_index, carried);
        let to = self.cfg.peers[i];
        self.send(
            to,
            MessageBody::Append {
                prev_index,
                prev_term,
                entries,
                commit,
            },
        );
    }

    pub(crate) fn broadcast_heartbeat(&mut self) {
        self.start_lease_round();
        for k in 0..self.members.targets.len() {
            let i = self.members.targets[k];
            let to = self.cfg.peers[i];
            let commit = self.progress[i].match_index.min(self.log.committed);
            let read_round = self.reads.round();
            self.send(to, MessageBody::Heartbeat { commit, read_round });
        }
    }

    /// A follower's side of AppendEntries (Figure 2, receiver steps 2 to 5).
    /// Every answer waits for durability: it acknowledges what we store
    /// (unless the planted bug `ack-before-sync` is on).
    pub(crate) fn handle_append(
        &mut self,
        from: NodeId,
        prev_index: u64,
        prev_term: u64,
        entries: Vec<Entry<C>>,
        commit: u64,
    ) {
        if prev_index < self.log.committed {
            // Our committed prefix matches every leader's (5.4): say how far.
            let index = self.log.committed;
            self.send_ack(
                from,
                MessageBody::AppendResponse {
                    index,
                    reject: None,
                },
            );
            return;
        }
        if self.log.term(prev_index) == Some(prev_term) {
            if self.cfg.bugs.has(Bug::TruncateOnAppend) {
                // The planted bug: the log is cut after `prev_index` before the
                // entries are added, whether or not they conflict, so an
                // append older than what we hold erases later entries.
                self.log.truncate_from(prev_index + 1);
                self.refresh_members();
            }
            let last_new = self.log.merge(prev_index, entries);
            self.refresh_members();
            self.log.commit_to(commit.min(last_new));
            self.send_ack(
                from,
                MessageBody::AppendResponse {
                    index: last_new,
                    reject: None,
                },
            );
        } else {
            let (hint_index, hint_term) = self.log.find_conflict_by_term(prev_index, prev_term);
            let reject = Some(RejectHint {
                hint_index,
                hint_term,
            });
            self.send_ack(
                from,
                MessageBody::AppendResponse {
                    index: prev_index,
                    reject,
                },
            );
        }
    }

    pub(crate) fn handle_heartbeat(&mut self, from: NodeId, commit: u64, read_round: u64) {
        self.log.commit_to(commit);
        self.send(from, MessageBody::HeartbeatResponse { read_round });
    }

    /// A leader's side of an append answer: advance or back off, commit, and
    /// keep the pipeline full.
    pub(crate) fn handle_append_response(
        &mut self,
        from: NodeId,
        index: u64,
        reject: Option<RejectHint>,
    ) {
        if self.role != Role::Leader {
            return;
        }
        let Some(i) = self.member_index(from) else {
            return;
        };
        match reject {
            None => {
                if index > self.log.last_index() {
                    return; // cannot acknowledge what we never had: not from this term's log
                }
                if self.progress[i].acknowledge(index) {
                    self.maybe_commit();
                    if self.role != Role::Leader {
                        return; // removed by the configuration it committed
                    }
                }
                self.send_append(i);
                self.maybe_send_timeout_now(i);
            }
            Some(RejectHint {
                hint_index,
                hint_term,
            }) => {
                let probe_from = if hint_term > 0 {
                    self.log.find_conflict_by_term(hint_index, hint_term).0 + 1
                } else {
                    hint_index + 1
                };
                if self.progress[i].reject(index, probe_from) {
                    self.send_append(i);
                }
            }
        }
    }

    pub(crate) fn handle_heartbeat_response(&mut self, from: NodeId, read_round: u64) {
        if self.role != Role::Leader {
            return;
        }
        let Some(i) = self.member_index(from) else {
            return;
        };
        self.reads.acknowledge(i, read_round);
        self.confirm_reads();
        // A lost TimeoutNow is sent again at every heartbeat answer.
        self.maybe_send_timeout_now(i);
        self.progress[i].heard();
        if self.progress[i].match_index < self.log.last_index() {
            self.force_probe_append(i);
        }
    }

    /// After a heartbeat answer from a lagging follower: send what follows
    /// `next - 1`, or an empty append there, which the follower rejects if the
    /// entries in flight were lost, putting the leader back into probing.
    fn force_probe_append(&mut self, i: usize) {
        if self.progress[i].is_paused() {
            return;
        }
        if self.progress[i].next_index <= self.log.last_index()
            || self.progress[i].state == ProgressState::Snapshot
            || self.progress[i].next_index <= self.log.snapshot_index()
        {
            self.send_append(i);
            return;
        }
        let prev_index = self.progress[i].next_index - 1;
        let prev_term = self.log.term(prev_index).unwrap_or(0);
        let commit = self.log.committed;
        let to = self.cfg.peers[i];
        self.send(
            to,
            MessageBody::Append {
                prev_index,
                prev_term,
                entries: Vec::new(),
                commit,
            },
        );
    }

    /// Commits the highest index a majority stores durably, if it is of the
    /// current term (section 5.4.2: counting replicas commits only entries of
    /// the leader's own term; earlier ones commit with them). The planted bug
    /// `figure8-commit` skips that term check.
    pub(crate) fn maybe_commit(&mut self) -> bool {
        if self.role != Role::Leader {
            return false;
        }
        let me = self.peer_index(self.cfg.id);
        let own = self.log.stable();
        let progress = &self.progress;
        let lag = self.cfg.bugs.has(Bug::CommitIndexLag);
        let index = self.members.committed(lag, &mut self.scratch, |p| {
            if Some(p) == me {
                own
            } else {
                progress[p].match_index
            }
        });
        if index <= self.log.committed {
            return false;
        }
        let own_term = self.log.term(index) == Some(self.term);
        if own_term || self.cfg.bugs.has(Bug::Figure8Commit) {
            let moved = self.log.commit_to(index);
            if moved {
                self.release_waiting_reads();
                self.on_membership_committed();
            }
            moved
        } else {
            false
        }
    }
}
