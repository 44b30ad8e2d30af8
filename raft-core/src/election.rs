//! Leader election (Raft section 5.2) with the up-to-date check of section
//! 5.4.1, and pre-vote (thesis section 9.6).

use crate::bugs::Bug;
use crate::progress::Progress;
use crate::quorum::VoteResult;
use crate::raft::Raft;
use crate::types::{Command, EntryData, MessageBody, NodeId, Role};

impl<C: Command> Raft<C> {
    /// Starts a pre-campaign (when `pre`) or a campaign for the next term.
    pub(crate) fn campaign(&mut self, pre: bool) {
        if !self.can_campaign() {
            return;
        }
        self.votes.iter_mut().for_each(|v| *v = None);
        self.leader = None;
        self.progress.clear();
        self.reset_election_timer();
        let (last_index, last_term) = (self.log.last_index(), self.log.last_term());
        let me = self.cfg.id;
        let voters: Vec<NodeId> = self.members.voters().map(|i| self.cfg.peers[i]).collect();
        if pre {
            self.role = Role::PreCandidate;
            let own = self.peer_index(me).expect("a node is one of its peers");
            self.votes[own] = Some(true);
            let future = self.term + 1;
            for &to in &voters {
                if to != me {
                    let body = MessageBody::Vote {
                        pre: true,
                        last_index,
                        last_term,
                    };
                    self.msgs.push(crate::types::Message {
                        from: me,
                        to,
                        term: future,
                        body,
                    });
                }
            }
            self.tally(true);
        } else {
            self.role = Role::Candidate;
            self.term += 1;
            self.vote = Some(me);
            // Our own vote counts only once it is durable: it travels as a
            // message to ourselves that leaves after the write.
            self.send_after_persist(
                me,
                MessageBody::VoteResponse {
                    pre: false,
                    granted: true,
                },
            );
            for &to in &voters {
                if to != me {
                    self.send_after_persist(
                        to,
                        MessageBody::Vote {
                            pre: false,
                            last_index,
                            last_term,
                        },
                    );
                }
            }
        }
    }

    /// A (pre-)vote request of `term` (already equal to ours, or above it for a
    /// pre-vote).
    pub(crate) fn handle_vote(
        &mut self,
        from: NodeId,
        term: u64,
        pre: bool,
        last_index: u64,
        last_term: u64,
    ) {
        // Section 5.4.1, skipped by the planted bug vote-any-log.
        let up_to_date =
            self.cfg.bugs.has(Bug::VoteAnyLog) || self.log.is_up_to_date(last_index, last_term);
        if pre {
            // Leader stickiness: while we hear from a leader, nobody needs a new one.
            let heard_leader = self.leader.is_some()
                && self.election_elapsed < self.cfg.election_timeout_ticks_min;
            let granted =
                term > self.term && up_to_date && !heard_leader && !self.votes_held_back();
            let reply_term = if granted { term } else { self.term };
            let body = MessageBody::VoteResponse { pre: true, granted };
            self.msgs.push(crate::types::Message {
                from: self.cfg.id,
                to: from,
                term: reply_term,
                body,
            });
            return;
        }
        let can_vote = self.vote == Some(from) || (self.vote.is_none() && self.leader.is_none());
        let granted = can_vote && up_to_date;
        if granted {
            self.vote = Some(from);
            self.reset_election_timer();
        }
        self.send_ack(
            from,
            MessageBody::VoteResponse {
                pre: false,
                granted,
            },
        );
    }

    pub(crate) fn handle_vote_response(&mut self, from: NodeId, pre: bool, granted: bool) {
        let expected = if pre {
            Role::PreCandidate
        } else {
            Role::Candidate
        };
        if self.role != expected {
            return;
        }
        let Some(i) = self.peer_index(from) else {
            return;
        };
        if self.votes[i].is_none() {
            self.votes[i] = Some(granted);
        }
        self.tally(pre);
    }

    fn tally(&mut self, pre: bool) {
        match self.members.vote_result(&self.votes) {
            VoteResult::Won if pre => self.campaign(false),
            VoteResult::Won => self.become_leader(),
            VoteResult::Lost => self.become_follower(self.term, None),
            VoteResult::Pending => {}
        }
    }

    /// Section 5.2 and 8: a new leader appends an empty entry of its own term,
    /// so that it can commit, and starts probing every follower.
    fn become_leader(&mut self) {
        assert_eq!(
            self.role,
            Role::Candidate,
            "only a candidate becomes leader"
        );
        assert_eq!(self.vote, Some(self.cfg.id), "a leader voted for itself");
        self.role = Role::Leader;
        self.leader = Some(self.cfg.id);
        self.heartbeat_elapsed = 0;
        let next = self.log.last_index() + 1;
        let window = self.cfg.max_inflight_msgs;
        self.progress = (0..self.cfg.peers.len())
            .map(|_| Progress::new(next, window))
            .collect();
        // A change under way must be able to finish without waiting for a
        // client's command to commit the configuration entries before it.
        if self.cfg.noop_on_election || self.membership_pending() {
            self.append_own(EntryData::Noop);
        }
        self.broadcast_append();
        self.on_membership_committed();
    }
}
