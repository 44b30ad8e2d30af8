//! Planted bugs: named switches that reproduce mistakes real implementations
//! make, so that the harness can prove it finds them. All are off by default.

/// A planted bug. Each one is documented with the rule it breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bug {
    /// The leader commits an entry of an earlier term as soon as a majority
    /// stores it, instead of only counting replicas for entries of its own term
    /// (Raft paper section 5.4.2 and Figure 8). A later leader can then
    /// overwrite an entry that was reported committed.
    Figure8Commit,
    /// The KV state machine does not consult its client session table: a
    /// retried request (same client, same sequence number) is executed again
    /// instead of answered with its recorded reply, so an append or a cas that
    /// a client retried after a timeout takes effect twice (Raft thesis
    /// section 6.3; the duplicate-detection rule of MIT 6.824 Lab 3).
    NoDedup,
    /// A leader answers reads from its own state at once, without ReadIndex's
    /// heartbeat round (thesis section 6.4): a leader deposed by a partition
    /// it cannot see answers stale values.
    StaleLeaderRead,
    /// Every replica, leader or not, answers reads from its own state, which
    /// may lag the leader's by any number of entries.
    FollowerRead,
}

impl Bug {
    pub const ALL: &'static [Bug] = &[
        Bug::Figure8Commit,
        Bug::NoDedup,
        Bug::StaleLeaderRead,
        Bug::FollowerRead,
    ];

    /// The name used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Bug::Figure8Commit => "figure8-commit",
            Bug::NoDedup => "no-dedup",
            Bug::StaleLeaderRead => "stale-leader-read",
            Bug::FollowerRead => "follower-read",
        }
    }

    /// One line on what the bug does.
    pub fn summary(self) -> &'static str {
        match self {
            Bug::Figure8Commit => {
                "the leader commits entries of earlier terms by counting replicas (Raft section 5.4.2, Figure 8)"
            }
            Bug::NoDedup => {
                "the KV service executes a retried request again instead of returning its recorded reply (thesis section 6.3)"
            }
            Bug::StaleLeaderRead => {
                "a leader answers reads from its own state without confirming it still leads (thesis section 6.4)"
            }
            Bug::FollowerRead => "every replica answers reads from its own state, however far behind",
        }
    }

    pub fn from_name(name: &str) -> Option<Bug> {
        Bug::ALL.iter().copied().find(|b| b.name() == name)
    }
}

/// A set of planted bugs, as a bit set so that checking one is free.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Bugs(u32);

impl Bugs {
    pub fn none() -> Bugs {
        Bugs(0)
    }
    pub fn with(mut self, bug: Bug) -> Bugs {
        self.0 |= 1 << (bug as u32);
        self
    }
    pub fn has(self, bug: Bug) -> bool {
        self.0 & (1 << (bug as u32)) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for &b in Bug::ALL {
            assert_eq!(Bug::from_name(b.name()), Some(b));
        }
        assert_eq!(Bug::from_name("no-such-bug"), None);
    }

    #[test]
    fn set_membership() {
        let s = Bugs::none().with(Bug::Figure8Commit);
        assert!(s.has(Bug::Figure8Commit));
        assert!(!Bugs::none().has(Bug::Figure8Commit));
    }
}
