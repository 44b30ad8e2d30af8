//! Leadership transfer (Raft thesis section 3.10): the leader stops taking
//! proposals, brings the chosen follower's log up to its own, and tells it
//! to campaign at once (`TimeoutNow`); the follower skips pre-vote, and its
//! log is as up to date as any, so it wins unless the cluster moves on
//! first. A transfer that has not finished within an election timeout is
//! given up and the leader takes proposals again.

use crate::raft::Raft;
use crate::types::{Command, MessageBody, NodeId, Role};

/// Why a transfer could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferError {
    /// This node does not lead; the leader it believes in, if any.
    NotLeader(Option<NodeId>),
    /// The target is not a voter of the configuration, or is this node.
    BadTarget(NodeId),
}

impl<C: Command> Raft<C> {
    /// Starts handing leadership to `to`.
    pub fn transfer_leader(&mut self, to: NodeId) -> Result<(), TransferError> {
        if self.role != Role::Leader {
            return Err(TransferError::NotLeader(self.leader));
        }
        let voter = self.members.membership.is_voter(to);
        let Some(i) = self.peer_index(to).filter(|_| voter && to != self.cfg.id) else {
            return Err(TransferError::BadTarget(to));
        };
        // Asked again for the same target, the transfer keeps its clock, so
        // that repeated asks cannot refuse writes for ever.
        let elapsed = match self.transfer {
            Some((t, e)) if t == to => e,
            _ => 0,
        };
        self.transfer = Some((to, elapsed));
        // The lease ends here, for the rest of the term: the target will not
        // wait for it.
        self.lease_given_up = true;
        if self.progress[i].match_index == self.log.last_index() {
            self.send(to, MessageBody::TimeoutNow);
        } else {
            self.send_append(i);
        }
        Ok(())
    }

    /// The node leadership is being handed to, if a transfer is under way.
    pub fn transferring_to(&self) -> Option<NodeId> {
        self.transfer.map(|(to, _)| to)
    }

    /// After an append answer from voter `i`: if it is the transfer's
    /// target and its log now matches the leader's, tell it to campaign.
    pub(crate) fn maybe_send_timeout_now(&mut self, i: usize) {
        let Some((to, _)) = self.transfer else {
            return;
        };
        if self.cfg.peers[i] == to && self.progress[i].match_index == self.log.last_index() {
            self.send(to, MessageBody::TimeoutNow);
        }
    }

    /// One leader tick of a transfer: give up after an election timeout.
    pub(crate) fn tick_transfer(&mut self) {
        if let Some((to, elapsed)) = self.transfer {
            let elapsed = elapsed + 1;
            self.transfer = if elapsed >= self.cfg.election_timeout_ticks_min {
                None
            } else {
                Some((to, elapsed))
            };
        }
    }

    /// `TimeoutNow` from the leader of our term: campaign at once, without
    /// pre-vote (the leader asked; there is nobody to protect from us).
    pub(crate) fn handle_timeout_now(&mut self, from: NodeId) {
        if self.role == Role::Follower && self.leader == Some(from) && self.members.voter {
            self.campaign(false);
        }
    }
}
