//! Check-quorum (Raft thesis section 6.2): a leader that has not heard from
//! a majority of the cluster within an election timeout steps down (a majority of each half while the
//! configuration is joint), so that
//! a leader cut off in a minority stops believing it leads (and stops
//! serving reads from a stale state). Off unless `Config::check_quorum`.

use crate::raft::Raft;
use crate::types::{Command, NodeId, Role};

impl<C: Command> Raft<C> {
    /// A message of the current term from `from` reached the leader.
    pub(crate) fn note_active(&mut self, from: NodeId) {
        if !self.cfg.check_quorum || self.role != Role::Leader {
            return;
        }
        self.start_quorum_window();
        if let Some(i) = self.peer_index(from) {
            self.heard_from[i] = true;
        }
    }

    /// One leader tick: at the end of each election timeout, step down
    /// unless a majority (this node included) was heard from in it.
    pub(crate) fn tick_check_quorum(&mut self) {
        if !self.cfg.check_quorum {
            return;
        }
        assert_eq!(self.role, Role::Leader, "only a leader checks its quorum");
        self.start_quorum_window();
        self.quorum_elapsed += 1;
        if self.quorum_elapsed < self.cfg.election_timeout_ticks_min {
            return;
        }
        let me = self
            .peer_index(self.cfg.id)
            .expect("a node is one of its peers");
        self.heard_from[me] = true;
        let heard = &self.heard_from;
        let quorum = self.members.has_quorum(|p| heard[p]);
        self.heard_from.iter_mut().for_each(|h| *h = false);
        self.quorum_elapsed = 0;
        if !quorum {
            self.become_follower(self.term, None);
        }
    }

    /// A leader's first tick or message of its term opens its first window.
    fn start_quorum_window(&mut self) {
        if self.heard_from.is_empty() {
            self.heard_from = vec![false; self.cfg.peers.len()];
            self.quorum_elapsed = 0;
        }
    }
}
