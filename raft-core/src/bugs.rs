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
    /// The vote is kept in memory but left out of the hard state that is
    /// written before the vote is answered, so a node that crashes after
    /// voting restarts with its term and no vote, and can vote again in the
    /// same term for another candidate: two leaders in one term. Breaks
    /// Figure 2's rule that `votedFor` is persistent state, updated on stable
    /// storage before responding (section 5.2: "each server will vote for at
    /// most one candidate in a given term"; Raft thesis section 3.8). A
    /// classic MIT 6.824 Lab 2C mistake: `persist()` saves `currentTerm` and
    /// `log` but not `votedFor`, which no test notices unless a node crashes
    /// between voting and the election's end.
    ForgetVote,
    /// A vote (and a pre-vote) is granted without comparing logs: the check
    /// of section 5.4.1 that the candidate's log is at least as up to date as
    /// the voter's is skipped, so a candidate missing committed entries can
    /// win and overwrite them. Breaks the election restriction that leader
    /// completeness (section 5.4) rests on. Common in MIT 6.824 code written
    /// for Lab 2A, whose election tests pass without the check, and left in
    /// place when replication arrives.
    VoteAnyLog,
    /// A follower handling AppendEntries replaces its log from `prev_index + 1`
    /// with the message's entries, even where its entries already match:
    /// a stale or reordered append (shorter than what the follower already
    /// acknowledged) erases entries that the leader may have counted as
    /// replicated and committed. Breaks Figure 2's receiver rule 3 ("if an
    /// existing entry conflicts with a new one ..., delete the existing entry
    /// and all that follow it": only on a conflict). The most common MIT
    /// 6.824 Lab 2B bug (`rf.log = append(rf.log[:prevLogIndex+1],
    /// entries...)`), which the course's "Students' Guide to Raft" warns
    /// about: a follower that has all the entries sent must not truncate.
    TruncateOnAppend,
    /// Vote answers and append answers leave at once, before the hard state
    /// and entries they depend on are durable: a node that crashes after
    /// answering forgets what it promised, so a vote can be cast twice and an
    /// entry counted towards a commit majority can vanish from that majority.
    /// Breaks Figure 2's rule that persistent state is updated on stable
    /// storage before responding to RPCs (and raft-rs's `persisted_messages`
    /// contract). Made by implementations that write the log asynchronously
    /// and answer from memory while the write is in flight, or that skip
    /// `fsync` for speed, and by MIT 6.824 solutions whose `persist()` is
    /// called after the reply is sent.
    AckBeforeSync,
    /// The leader computes the commit index from a miscounted list of match
    /// indices: the list is allocated with the number of voters as its
    /// length and then appended to, so it holds as many zeros as real
    /// indices, and its middle element (after an ascending sort) is the
    /// lowest match index of all.
    /// Entries commit only once every voter stores them, so commits lag
    /// behind a slow or unreachable follower and client operations time out;
    /// nothing unsafe ever commits. Breaks the majority rule of section 5.3
    /// ("replicated it on a majority of the servers") for liveness only. A
    /// common Go slip (`make([]int, n)` where `make([]int, 0, n)` was meant,
    /// then `append`), seen in MIT 6.824 Lab 2B code; tests that keep every
    /// node up pass with it.
    CommitIndexLag,
    /// Every node uses the same election timeout (the configured minimum)
    /// instead of drawing a random one at every reset, so nodes that lose
    /// their leader together time out together and split the vote, again and
    /// again. Breaks section 5.2's randomised election timeouts (for liveness
    /// only: every election stays safe). Made by implementations with a
    /// fixed timeout constant, or a random one drawn once at start-up from a
    /// generator seeded identically on every node.
    NoElectionJitter,
    /// The current term is left out of the hard state that is written (it is
    /// always written as 0), so a restarted node starts over at term 0: it
    /// can vote again in a term it already voted in, and it accepts appends
    /// from leaders that were deposed long ago, acknowledging entries that
    /// overwrite newer ones. Breaks Figure 2's rule that `currentTerm` is
    /// persistent state (section 5.1: terms act as a logical clock that must
    /// never run backwards). Made by MIT 6.824 Lab 2C code whose `persist()`
    /// or `readPersist()` leaves out `currentTerm` (it encodes the fields one
    /// by one, and a forgotten one decodes as zero).
    TermNotPersisted,
    /// With lease reads, the leader takes its lease as the followers'
    /// minimum election timeout (less the one tick a follower's first tick
    /// may come early), as if every clock ran at the same rate: a leader
    /// whose clock runs slow still serves reads from its own state after
    /// followers whose clocks run fast have elected a new leader that
    /// accepted writes. Breaks the drift bound of the Raft thesis section
    /// 6.4.1 ("the lease ... must account for clock drift"); etcd's
    /// lease-based reads carry the same warning. Only matters with
    /// `read_mode = "lease"`.
    LeaseIgnoresDrift,
    /// A follower installs every complete snapshot the leader sends, even one
    /// that is older than its own commit index (a duplicate or a delayed
    /// InstallSnapshot): its state machine goes back to the snapshot's
    /// state and, when it has compacted past the snapshot's index, its log
    /// is discarded and its commit index goes back with it, so committed
    /// entries vanish from that node. Breaks Figure 13's receiver rule that
    /// a snapshot describing a prefix the follower already holds is not
    /// installed over it (Raft section 7; MIT 6.824 Lab 2D's
    /// `CondInstallSnapshot`, which exists to refuse exactly that). Only
    /// matters with snapshots on (`cluster.snapshot_log_bytes`).
    SnapshotRegress,
    /// The KV service's snapshots leave out the client session table, so a
    /// replica restored from a snapshot (after a restart, or installing one
    /// from the leader) has forgotten which requests it executed, and
    /// executes a retried one again. Breaks the thesis's rule (section 6.3)
    /// that the session table is part of the replicated state machine and
    /// is saved with it; a common MIT 6.824 Lab 3B mistake (the snapshot
    /// encodes the key/value map only). Only matters with snapshots on.
    SessionsNotInSnapshot,
    /// A membership change that changes several voters goes straight from
    /// C_old to C_new, without the joint configuration C_old,new in
    /// between. The leader uses C_new from the moment it appends it, while
    /// nodes that have not received it still use C_old; when the two share
    /// no majority (two voters swapped in a three-voter cluster), each side
    /// can elect a leader and commit on its own. Breaks the rule of Raft
    /// section 6 (thesis section 4.3) that an arbitrary change needs joint
    /// consensus, and that only a single-voter change may be made in one
    /// step. Made by implementations that treat a multi-node change like a
    /// single-node one. Only matters when a scenario changes membership.
    ConfigChangeNoJoint,
}

impl Bug {
    pub const ALL: &'static [Bug] = &[
        Bug::Figure8Commit,
        Bug::NoDedup,
        Bug::StaleLeaderRead,
        Bug::FollowerRead,
        Bug::ForgetVote,
        Bug::VoteAnyLog,
        Bug::TruncateOnAppend,
        Bug::AckBeforeSync,
        Bug::CommitIndexLag,
        Bug::NoElectionJitter,
        Bug::TermNotPersisted,
        Bug::LeaseIgnoresDrift,
        Bug::SnapshotRegress,
        Bug::SessionsNotInSnapshot,
        Bug::ConfigChangeNoJoint,
    ];

    /// The name used on the command line and in scenario files.
    pub fn name(self) -> &'static str {
        match self {
            Bug::Figure8Commit => "figure8-commit",
            Bug::NoDedup => "no-dedup",
            Bug::StaleLeaderRead => "stale-leader-read",
            Bug::FollowerRead => "follower-read",
            Bug::ForgetVote => "forget-vote",
            Bug::VoteAnyLog => "vote-any-log",
            Bug::TruncateOnAppend => "truncate-on-append",
            Bug::AckBeforeSync => "ack-before-sync",
            Bug::CommitIndexLag => "commit-index-lag",
            Bug::NoElectionJitter => "no-election-jitter",
            Bug::TermNotPersisted => "term-not-persisted",
            Bug::LeaseIgnoresDrift => "lease-ignores-drift",
            Bug::SnapshotRegress => "snapshot-regress",
            Bug::SessionsNotInSnapshot => "sessions-not-in-snapshot",
            Bug::ConfigChangeNoJoint => "config-change-no-joint",
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
            Bug::ForgetVote => {
                "the vote is not persisted, so a node restarted after voting can vote twice in one term (Figure 2)"
            }
            Bug::VoteAnyLog => {
                "a vote is granted without checking that the candidate's log is up to date (section 5.4.1)"
            }
            Bug::TruncateOnAppend => {
                "a follower truncates its log at every append, so a stale append erases entries it acknowledged (Figure 2)"
            }
            Bug::AckBeforeSync => {
                "vote and append answers are sent before the write they acknowledge is durable (Figure 2)"
            }
            Bug::CommitIndexLag => {
                "the commit index is the median of a match list padded with zeros, so it waits for every voter (section 5.3)"
            }
            Bug::NoElectionJitter => {
                "every node uses the same election timeout, so split votes repeat (section 5.2)"
            }
            Bug::TermNotPersisted => {
                "the current term is not persisted, so a restarted node starts again at term 0 (Figure 2, section 5.1)"
            }
            Bug::LeaseIgnoresDrift => {
                "a lease-read leader ignores clock drift, so its lease outlasts the followers' wait (thesis section 6.4.1)"
            }
            Bug::SnapshotRegress => {
                "a follower installs a snapshot older than its own state, losing committed entries (section 7, Figure 13)"
            }
            Bug::SessionsNotInSnapshot => {
                "the KV snapshot leaves out the session table, so a restored replica executes retries again (thesis section 6.3)"
            }
            Bug::ConfigChangeNoJoint => {
                "a change of several voters skips the joint configuration, so old and new majorities can decide apart (thesis section 4.3)"
            }
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
