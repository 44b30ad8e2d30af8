//! Membership change (Raft thesis chapter 4) with joint consensus (section
//! 4.3) and learners.
//!
//! A configuration is a log entry. Every node uses the newest configuration
//! in its log from the moment it is appended, committed or not (section
//! 4.1), and goes back to the one before when a conflicting append truncates
//! it; a snapshot carries the configuration at its index.
//!
//! A change of voters takes two entries. The leader appends the joint
//! configuration C_old,new: from then on an election or a commit needs a
//! majority of the old voters and a majority of the new. Once C_old,new is
//! committed, the leader appends C_new. No moment exists at which a majority
//! of C_old and a majority of C_new can decide apart, which is what makes it
//! safe to change any number of voters at once. The planted bug
//! `config-change-no-joint` skips C_old,new and appends C_new at once.
//!
//! One change at a time: a leader refuses a change while the newest
//! configuration is uncommitted or joint, and until it has committed an entry
//! of its own term (the fix to the single-server change of section 4.1 that
//! the thesis errata give; harmless here). A node joins as a learner, which
//! receives the log and does not vote, and is promoted only once it has
//! caught up (section 4.2.1): its log matches the leader's and it lacks no
//! more committed entries than one append carries. A leader that is no voter of C_new keeps
//! replicating without counting itself until C_new commits, and then steps
//! down (section 4.2.2). Nodes that are not voters do not campaign, except
//! one removed by a C_new it does not know committed: it may hold the only
//! log that can win (section 4.2.2; [`Raft::can_campaign`]).

use crate::bugs::Bug;
use crate::progress::{Progress, ProgressState};
use crate::quorum::{committed_index, majority, vote_result, VoteResult};
use crate::raft::Raft;
use crate::types::{Command, EntryData, Membership, NodeId, Role};
use std::sync::Arc;

/// A membership change a leader is asked for: `add_learners` join as
/// learners, the learners of `promote` become voters, and the members of
/// `remove` leave.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MembershipChange {
    pub add_learners: Vec<NodeId>,
    pub promote: Vec<NodeId>,
    pub remove: Vec<NodeId>,
}

/// Why a leader did not start a membership change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangeError {
    /// This node does not lead; the leader it believes in, if any.
    NotLeader(Option<NodeId>),
    /// Not now: an earlier change is not committed yet (or is joint), no
    /// entry of the leader's term is committed yet, or a leadership
    /// transfer is under way. Ask again later.
    Pending,
    /// The change itself is wrong: it names a node that is not a peer, adds
    /// a member, promotes a node that is no caught-up learner (its log
    /// matching the leader's, at most `max_entries_per_msg` committed
    /// entries behind), removes a
    /// non-member, names a node twice, names nobody, or leaves no voter.
    Refused(String),
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::NotLeader(Some(l)) => write!(f, "not the leader (n{l} is)"),
            ChangeError::NotLeader(None) => f.write_str("not the leader"),
            ChangeError::Pending => f.write_str(
                "not now (an earlier change is pending, the leader has committed nothing of its term yet, or it is handing over leadership)",
            ),
            ChangeError::Refused(why) => f.write_str(why),
        }
    }
}

/// A node's configuration, with the positions (in `Config::peers`) of its
/// voters and members worked out once per change.
#[derive(Clone, Debug, Default)]
pub(crate) struct Members {
    pub membership: Membership,
    /// The log's configuration version this was computed at.
    pub version: u64,
    /// Positions of the voters (the new half, while joint).
    incoming: Vec<usize>,
    /// Positions of the old half's voters while joint; empty otherwise.
    outgoing: Vec<usize>,
    /// Positions of every member but this node: who a leader replicates to.
    pub targets: Vec<usize>,
    /// Whether this node votes.
    pub voter: bool,
    /// The index of the configuration's entry (0 when it comes from the
    /// snapshot or the initial configuration).
    pub index: u64,
    /// Whether this node votes in the configuration before this one.
    pub was_voter: bool,
}

impl Members {
    /// None yet: the next `Raft::refresh_members` computes it from the log.
    pub fn unset() -> Members {
        Members {
            version: u64::MAX,
            ..Members::default()
        }
    }

    /// The configuration of the entry at `index`, whose predecessor
    /// counted this node as a voter if `was_voter`.
    pub fn at(
        membership: Membership,
        index: u64,
        was_voter: bool,
        peers: &[NodeId],
        me: NodeId,
        version: u64,
    ) -> Members {
        let position = |id: &NodeId| {
            peers
                .iter()
                .position(|p| p == id)
                .unwrap_or_else(|| panic!("configuration names n{id}, not a peer"))
        };
        let incoming: Vec<usize> = membership.voters.iter().map(position).collect();
        let outgoing: Vec<usize> = membership.outgoing.iter().map(position).collect();
        let mut targets = Vec::new();
        for (p, &id) in peers.iter().enumerate() {
            if id != me && membership.contains(id) {
                targets.push(p);
            }
        }
        Members {
            voter: membership.is_voter(me),
            index,
            was_voter,
            membership,
            version,
            incoming,
            outgoing,
            targets,
        }
    }

    /// The halves whose majorities a decision needs: one, or two while joint.
    fn halves(&self) -> impl Iterator<Item = &[usize]> {
        std::iter::once(self.incoming.as_slice())
            .chain(Some(self.outgoing.as_slice()).filter(|o| !o.is_empty()))
    }

    /// The highest index a majority of each half stores, given each
    /// position's match index. `lag` is the planted bug `commit-index-lag`.
    pub fn committed(
        &self,
        lag: bool,
        scratch: &mut Vec<u64>,
        match_of: impl Fn(usize) -> u64,
    ) -> u64 {
        self.halves()
            .map(|half| {
                let matches = half.iter().map(|&p| match_of(p));
                if lag {
                    lagging_committed_index(half.len(), matches, scratch)
                } else {
                    committed_index(matches, scratch)
                }
            })
            .min()
            .unwrap_or(0)
    }

    /// The election's outcome from the votes so far (indexed by position):
    /// won once each half has a majority, lost once any half cannot.
    pub fn vote_result(&self, votes: &[Option<bool>]) -> VoteResult {
        let mut result = VoteResult::Won;
        for half in self.halves() {
            let granted = half.iter().filter(|&&p| votes[p] == Some(true)).count();
            let rejected = half.iter().filter(|&&p| votes[p] == Some(false)).count();
            match vote_result(half.len(), granted, rejected) {
                VoteResult::Lost => return VoteResult::Lost,
                VoteResult::Pending => result = VoteResult::Pending,
                VoteResult::Won => {}
            }
        }
        result
    }

    /// Whether the positions `yes` picks include a majority of each half.
    pub fn has_quorum(&self, yes: impl Fn(usize) -> bool) -> bool {
        self.halves()
            .all(|half| half.iter().filter(|&&p| yes(p)).count() >= majority(half.len()))
    }

    /// Every voter's position, each once (both halves while joint).
    pub fn voters(&self) -> impl Iterator<Item = usize> + '_ {
        self.incoming.iter().copied().chain(
            self.outgoing
                .iter()
                .copied()
                .filter(|p| !self.incoming.contains(p)),
        )
    }
}

/// The planted bug `commit-index-lag`: the match list is allocated with the
/// number of voters as its length and then appended to, so half of it is
/// zeros and its middle element after an ascending sort is the smallest
/// match index: an entry commits only once every voter stores it.
fn lagging_committed_index(
    voters: usize,
    matches: impl Iterator<Item = u64>,
    scratch: &mut Vec<u64>,
) -> u64 {
    scratch.clear();
    scratch.resize(voters, 0);
    scratch.extend(matches);
    scratch.sort_unstable();
    scratch[scratch.len() / 2]
}

impl<C: Command> Raft<C> {
    /// The configuration at `index` (at or above the snapshot's): the
    /// newest in the log up to it, else the snapshot's, else the initial one.
    pub(crate) fn membership_at(&self, index: u64) -> Membership {
        if let Some((_, m)) = self.log.config_at(index) {
            return m.clone();
        }
        self.base_membership()
    }

    /// The configuration before the log's first entry.
    fn base_membership(&self) -> Membership {
        match &self.snapshot {
            Some(s) => s.membership.clone(),
            None => Membership::new(self.cfg.voters.clone()),
        }
    }

    /// Recomputes the configuration if the log's configuration entries may
    /// have changed; a leader starts replicating to members it did not
    /// have.
    pub(crate) fn refresh_members(&mut self) {
        let version = self.log.config_version();
        if version == self.members.version {
            return;
        }
        let me = self.cfg.id;
        let index = self.log.last_config().map_or(0, |(i, _)| i);
        let membership = self.membership_at(self.log.last_index());
        let was_voter = index > 0 && self.membership_at(index - 1).is_voter(me);
        let members = Members::at(membership, index, was_voter, &self.cfg.peers, me, version);
        if self.role == Role::Leader {
            let next = self.log.last_index() + 1;
            for &p in &members.targets {
                if !self.members.targets.contains(&p) {
                    self.progress[p] = Progress::new(next, self.cfg.max_inflight_msgs);
                }
            }
        }
        self.members = members;
    }

    /// Whether the newest configuration is joint or not known committed:
    /// no new change may start, and a leader serves no lease read (its
    /// lease argument counts one configuration's majority).
    pub(crate) fn membership_pending(&self) -> bool {
        self.members.membership.is_joint() || self.members.index > self.log.committed
    }

    /// Whether this node may campaign: it votes in its configuration, or
    /// it voted in the one before, which may still be needed, because the
    /// newest is not known committed (thesis section 4.2.2: a node removed
    /// by an uncommitted C_new may hold the only log that can win). Such a
    /// candidate counts the votes of its newest configuration only, and, if
    /// it wins, steps down once that configuration commits.
    pub(crate) fn can_campaign(&self) -> bool {
        self.members.voter || (self.members.was_voter && self.members.index > self.log.committed)
    }

    /// Asks this node, as leader, for a membership change; returns the index
    /// of the configuration entry it appended.
    pub fn propose_membership(&mut self, change: &MembershipChange) -> Result<u64, ChangeError> {
        if self.role != Role::Leader {
            return Err(ChangeError::NotLeader(self.leader));
        }
        if self.membership_pending() || self.transfer.is_some() {
            return Err(ChangeError::Pending);
        }
        if self.log.term(self.log.committed) != Some(self.term) {
            // Without a no-op on election there may be no entry of this
            // term to commit; append one, as a read does.
            if self.log.last_term() != self.term {
                self.append_own(EntryData::Noop);
                self.broadcast_append();
            }
            return Err(ChangeError::Pending);
        }
        let target = self
            .changed_membership(change)
            .map_err(ChangeError::Refused)?;
        let voters_change = {
            let (mut old, mut new) = (self.members.membership.voters.clone(), target.clone());
            old.sort_unstable();
            new.voters.sort_unstable();
            old != new.voters
        };
        let m = if voters_change && !self.cfg.bugs.has(Bug::ConfigChangeNoJoint) {
            Membership {
                outgoing: self.members.membership.voters.clone(),
                ..target
            }
        } else {
            target
        };
        Ok(self.append_membership(m))
    }

    /// Appends configuration `m` as a leader, uses it at once, and sends it.
    fn append_membership(&mut self, m: Membership) -> u64 {
        let index = self.append_own(EntryData::Membership(Arc::new(m)));
        self.refresh_members();
        self.broadcast_append();
        index
    }

    /// The configuration `change` asks for, or why it is wrong.
    fn changed_membership(&self, change: &MembershipChange) -> Result<Membership, String> {
        let cur = &self.members.membership;
        let named = change
            .add_learners
            .iter()
            .chain(&change.promote)
            .chain(&change.remove);
        let mut seen = Vec::new();
        for &id in named {
            if !self.cfg.peers.contains(&id) {
                return Err(format!("n{id} is not a node of the cluster"));
            }
            if seen.contains(&id) {
                return Err(format!("n{id} is named twice"));
            }
            seen.push(id);
        }
        if seen.is_empty() {
            return Err("the change names no node".into());
        }
        if let Some(id) = change.add_learners.iter().find(|&&id| cur.contains(id)) {
            return Err(format!("n{id} is already a member"));
        }
        if let Some(id) = change.remove.iter().find(|&&id| !cur.contains(id)) {
            return Err(format!("n{id} is not a member"));
        }
        for &id in &change.promote {
            if !cur.learners.contains(&id) {
                return Err(format!("n{id} is not a learner"));
            }
            // Caught up (thesis section 4.2.1, simplified from its rounds):
            // the leader streams entries to it (its log matches), and it
            // lacks no more of the committed log than one append carries.
            let p = &self.progress[self.peer_index(id).expect("checked above")];
            let lag = self.log.committed.saturating_sub(p.match_index);
            if p.state != ProgressState::Replicate || lag > self.cfg.max_entries_per_msg as u64 {
                return Err(format!(
                    "learner n{id} has not caught up (it stores up to {}, the commit index is {})",
                    p.match_index, self.log.committed
                ));
            }
        }
        let stays = |id: &&NodeId| !change.remove.contains(id) && !change.promote.contains(id);
        let voters: Vec<NodeId> = cur
            .voters
            .iter()
            .filter(stays)
            .chain(&change.promote)
            .copied()
            .collect();
        if voters.is_empty() {
            return Err("the change would leave no voter".into());
        }
        let learners = cur
            .learners
            .iter()
            .filter(stays)
            .chain(&change.add_learners)
            .copied()
            .collect();
        Ok(Membership {
            voters,
            outgoing: Vec::new(),
            learners,
        })
    }

    /// After the leader's commit index moved (or it took office): once the
    /// newest configuration is committed, a joint one is followed by its new
    /// half, and a leader that is no voter of it steps down.
    pub(crate) fn on_membership_committed(&mut self) {
        if self.role != Role::Leader {
            return;
        }
        if self.members.index > self.log.committed {
            return;
        }
        let m = &self.members.membership;
        if m.is_joint() {
            let new = Membership {
                voters: m.voters.clone(),
                outgoing: Vec::new(),
                learners: m.learners.clone(),
            };
            self.append_membership(new);
        } else if !self.members.voter {
            self.become_follower(self.term, None);
        }
    }
}
