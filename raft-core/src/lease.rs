//! Lease reads (Raft thesis section 6.4.1): a leader answers reads without a
//! heartbeat round while it holds a lease, bounded by the clock-drift bound.
//! Off unless `Config::lease_reads`.
//!
//! The argument, in ticks of the node's own clock (nodes have no other
//! clock). A follower that hears a heartbeat of round `r` grants no vote,
//! pre-vote or real, until `election_timeout_ticks_min` of its ticks have
//! passed since (it ignores vote requests while it hears from a leader, and
//! a node that restarts waits as long before voting: it may have heard a
//! heartbeat just before it crashed). Its first tick may come at once, so
//! that is at least `min - 1` tick periods of its clock after the leader
//! sent round `r`. Every election needs a majority, and a majority answered
//! round `r`, so no other leader exists (and nothing newer commits) until
//! then. With clocks that run at rates within `1 +- drift`, the leader's
//! lease from sending round `r` at tick `T` lasts
//! `floor((min - 1) * (1 - drift) / (1 + drift))` of its own ticks; a read
//! at tick `N` is served if `N + 1 <= T + lease` (the read may come as late
//! as just before tick `N + 1`).
//!
//! The planted bug `lease-ignores-drift` takes the lease as `min - 1` ticks,
//! right only for clocks that agree.

use crate::bugs::Bug;
use crate::raft::Raft;
use crate::types::{Command, ReadState, Role};

/// Parts per million.
const PPM: u64 = 1_000_000;

impl<C: Command> Raft<C> {
    /// The lease's length in this node's ticks, from the sending of a
    /// heartbeat round that a majority answered.
    pub(crate) fn lease_ticks(&self) -> u64 {
        let guard = u64::from(self.cfg.election_timeout_ticks_min.saturating_sub(1));
        if self.cfg.bugs.has(Bug::LeaseIgnoresDrift) {
            return guard;
        }
        let drift = u64::from(self.cfg.clock_drift_bound_ppm).min(PPM - 1);
        guard * (PPM - drift) / (PPM + drift)
    }

    /// Whether this leader holds a lease now: a majority (itself included)
    /// answered a heartbeat round it sent at most `lease_ticks` ago.
    pub(crate) fn lease_holds(&self) -> bool {
        if !self.cfg.lease_reads
            || self.role != Role::Leader
            || self.lease_given_up
            || self.membership_pending()
        {
            return false;
        }
        // The newest round of this leadership (`lease_rounds` is cleared on
        // every step down) that a majority answered.
        let Some(&(_, sent)) = self
            .lease_rounds
            .iter()
            .rev()
            .find(|(round, _)| self.reads.majority_answered(*round, &self.members))
        else {
            return false;
        };
        // `ticks + 1 <= sent + lease`: the read may come just before the
        // next tick.
        self.ticks < sent + self.lease_ticks()
    }

    /// For an election timeout after it last accepted a leader's append or
    /// heartbeat (whatever happened since: a higher term seen, a campaign),
    /// and after a restart, a node grants no vote; nor does a leader while
    /// its lease holds. The other half of the lease argument.
    pub(crate) fn votes_held_back(&self) -> bool {
        if !self.cfg.lease_reads {
            return false;
        }
        let min = u64::from(self.cfg.election_timeout_ticks_min);
        match self.role {
            Role::Leader => self.lease_holds(),
            // `heard_leader_at` is 0 after a restart: the first `min` ticks.
            _ => self.ticks < self.heard_leader_at + min,
        }
    }

    /// A heartbeat round is about to go out: with leases, every heartbeat
    /// is a new read round, dated with this node's tick, so that answers
    /// date the lease.
    pub(crate) fn start_lease_round(&mut self) {
        if !self.cfg.lease_reads || self.role != Role::Leader || self.lease_given_up {
            return;
        }
        let round = self.reads.next_round();
        let me = self
            .peer_index(self.cfg.id)
            .expect("a node is one of its peers");
        self.reads.acknowledge(me, round);
        self.lease_rounds.push_back((round, self.ticks));
        // Rounds older than the newest one a majority answered are never
        // needed.
        while self.lease_rounds.len() > 1
            && self
                .reads
                .majority_answered(self.lease_rounds[1].0, &self.members)
        {
            self.lease_rounds.pop_front();
        }
    }

    /// Serves the read `ctx` under the lease: at once (answered once the
    /// commit index is applied) if the lease holds and an entry of this term
    /// is committed, else by ReadIndex. Elsewhere than on a leader the answer
    /// is the leader this node believes in.
    pub fn read_lease(&mut self, ctx: u64) -> Result<(), Option<crate::types::NodeId>> {
        if self.role == Role::Leader
            && self.lease_holds()
            && self.log.term(self.log.committed) == Some(self.term)
        {
            let index = self.log.committed;
            self.reads.ready.push(ReadState { ctx, index });
            return Ok(());
        }
        self.read_index(ctx)
    }
}
