//! Raft's safety properties (Raft paper, Figure 3), checked after every step
//! of a run, one check per property, each naming its section:
//!
//! - election safety (5.2): at most one leader per term;
//! - log matching (5.3): two logs with an entry of the same index and term are
//!   identical up to it;
//! - leader completeness (5.4): a leader's log holds every entry committed
//!   in an earlier term;
//! - state machine safety (5.4.3): no two nodes commit or apply different
//!   entries at one index;
//! - durability (5.4, with Figure 2's persistence rule): every committed entry
//!   stays on the disks of a majority of the newest committed configuration's
//!   voters (of its new half, when joint), across crashes. With joint
//!   consensus (thesis section 4.3) that holds through any membership
//!   change: an entry committed under C_old,new or under C_new is on a
//!   majority of C_new, and committing C_old,new put every earlier entry on
//!   one too;
//!
//! The liveness check (a client operation invoked after the healing phase
//! began completed) is made on the client history, in `super::run_seed`.
//!
//! "Committed" means: some node's commit index covered it. The checks keep
//! incremental summaries so that each step costs little.

use super::node::{is_command, replay_records, Durable, Entry, RaftNode};
use crate::node::NodeId;
use crate::observe::{Failure, FailureKind, Observer, StepKind, View};
use crate::outcome::ProtocolStats;
use crate::trace::TraceHasher;
use raft_core::{EntryData, Role};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

/// The state the checks keep between steps.
#[derive(Default)]
pub struct RaftSafety {
    /// The leader of each term seen so far.
    leaders: BTreeMap<u64, NodeId>,
    /// For each log index, the (term, prefix hash) pairs seen at it.
    prefixes: Vec<Vec<(u64, u64)>>,
    /// Per node: the prefix hash of its log up to each index.
    shadows: Vec<Vec<u64>>,
    /// Entries known committed, by index - 1.
    committed: Vec<Entry>,
    /// The prefix hash (as in `shadows`) of the committed log up to each
    /// index: what a node that installed a snapshot holds below it.
    committed_hashes: Vec<u64>,
    /// For each committed entry, the term of the node that first saw it
    /// committed: the term it was committed in (the committing leader sees it
    /// first), or a later one, which only makes the leader-completeness check
    /// more permissive, never wrong.
    committed_term: Vec<u64>,
    /// Per node: its commit index as last verified against `committed`.
    verified_commit: Vec<u64>,
    /// Entries applied by some node, by index - 1.
    applied: Vec<Entry>,
    /// Per node: the index of the last entry it applied (`None` after a
    /// restart, until it applies one).
    last_applied: Vec<Option<u64>>,
    /// The hash of the first snapshot seen at each index: every snapshot of
    /// one index holds the same state.
    snapshot_hashes: BTreeMap<u64, u64>,
    /// The voters of the newest configuration among the committed entries
    /// (the new half of a joint one), as node ids; the initial voters
    /// until one commits.
    config_voters: Vec<u64>,
    /// Live nodes that believe they lead, as a bit set.
    leading: u64,
    /// When `leading` last became empty (`None` while someone leads).
    leaderless_since_us: Option<u64>,
    leaderless_us: u64,
    pub stats: ProtocolStats,
}

/// A hash of a log prefix: the previous prefix's hash and one more entry.
fn entry_hash(prev: u64, e: &Entry) -> u64 {
    let mut h = TraceHasher::default();
    prev.hash(&mut h);
    e.hash(&mut h);
    h.finish()
}

/// The entry at `index` among those the node applied in its last step.
fn applied_entry(node: &RaftNode, index: u64) -> Option<&Entry> {
    let applied = node.applied();
    let first = applied.first()?.index;
    let at = index.checked_sub(first)? as usize;
    applied
        .get(at)
        .filter(|e| e.index == index)
        .or_else(|| applied.iter().rev().find(|e| e.index == index))
}

fn fail(view: &View<'_, RaftNode>, property: &str, message: String) -> Failure {
    Failure {
        kind: FailureKind::Safety,
        message: format!("{property}: {message}"),
        at_us: view.now_us,
    }
}

impl RaftSafety {
    /// Checks for a cluster of `nodes` whose initial configuration's
    /// voters are nodes `0..voters`.
    pub fn new(nodes: usize, voters: usize) -> RaftSafety {
        RaftSafety {
            config_voters: (0..voters as u64).collect(),
            shadows: vec![Vec::new(); nodes],
            verified_commit: vec![0; nodes],
            last_applied: vec![None; nodes],
            leaderless_since_us: Some(0),
            ..RaftSafety::default()
        }
    }

    /// Election safety (section 5.2): at most one leader per term.
    fn election_safety(
        &mut self,
        view: &View<'_, RaftNode>,
        node: &RaftNode,
    ) -> Result<bool, Failure> {
        let raw = node.raw();
        if raw.role() != Role::Leader {
            return Ok(false);
        }
        let me = view.node;
        match self.leaders.get(&raw.term()) {
            Some(&other) if other != me => Err(fail(
                view,
                "election safety (section 5.2)",
                format!("nodes {other} and {me} both lead term {}", raw.term()),
            )),
            Some(_) => Ok(false),
            None => {
                self.leaders.insert(raw.term(), me);
                self.stats.leader_elections += 1;
                Ok(true)
            }
        }
    }

    /// Log matching (section 5.3), incrementally over the entries this step wrote.
    fn log_matching(&mut self, view: &View<'_, RaftNode>, node: &RaftNode) -> Result<(), Failure> {
        let Some(from) = node.changed_from() else {
            return Ok(());
        };
        let log = node.raw().log();
        let base = log.snapshot_index();
        let shadow = &mut self.shadows[view.node];
        shadow.truncate(from.saturating_sub(1) as usize);
        if base > 0 && from <= base + 1 {
            // A snapshot replaced the log up to `base`: its prefix is the
            // committed one (state machine safety checks that it is).
            let Some(prefix) = self.committed_hashes.get(..base as usize) else {
                return Err(fail(
                    view,
                    "state machine safety (section 5.4.3)",
                    format!(
                        "node {} holds a snapshot up to index {base}, but only {} entries are known committed",
                        view.node,
                        self.committed_hashes.len()
                    ),
                ));
            };
            shadow.clear();
            shadow.extend_from_slice(prefix);
        }
        for index in from.max(base + 1)..=log.last_index() {
            let Some(e) = log.entry(index) else { break };
            let prev = shadow.last().copied().unwrap_or(0);
            let h = entry_hash(prev, e);
            shadow.push(h);
            let i = index as usize - 1;
            if self.prefixes.len() <= i {
                self.prefixes.resize_with(i + 1, Vec::new);
            }
            match self.prefixes[i].iter().find(|(t, _)| *t == e.term) {
                Some((_, known)) if *known != h => {
                    return Err(fail(
                        view,
                        "log matching (section 5.3)",
                        format!(
                            "node {} holds entry {index} of term {} with a log prefix that differs from another node's entry {index} of term {}",
                            view.node, e.term, e.term
                        ),
                    ))
                }
                Some(_) => {}
                None => self.prefixes[i].push((e.term, h)),
            }
        }
        Ok(())
    }

    /// State machine safety (section 5.4.3), on commit: a node's committed
    /// prefix agrees with every entry anyone saw committed.
    fn commit_agreement(
        &mut self,
        view: &View<'_, RaftNode>,
        node: &RaftNode,
    ) -> Result<(), Failure> {
        let log = node.raw().log();
        let me = view.node;
        // A log change below what we verified means those entries must be re-verified.
        if let Some(from) = node.changed_from() {
            self.verified_commit[me] = self.verified_commit[me].min(from.saturating_sub(1));
        }
        let base = log.snapshot_index();
        let mut index = self.verified_commit[me] + 1;
        while index <= log.committed {
            // An entry this step applied and then compacted is among the
            // applied ones; one below a snapshot the node installed was
            // checked when it was committed, and the snapshot's state is its.
            let Some(e) = log.entry(index).or_else(|| applied_entry(node, index)) else {
                if index <= base {
                    index = base + 1;
                    continue;
                }
                break;
            };
            let i = index as usize - 1;
            if i < self.committed.len() {
                let known = &self.committed[i];
                if known != e {
                    return Err(fail(
                        view,
                        "state machine safety (section 5.4.3)",
                        format!(
                            "node {me} committed {e:?} at index {index}, but {known:?} was committed there before"
                        ),
                    ));
                }
            } else if i > self.committed.len() {
                return Err(fail(
                    view,
                    "state machine safety (section 5.4.3)",
                    format!(
                        "node {me} committed index {index}, but index {} was never known committed (its log starts after a snapshot up to {base})",
                        self.committed.len() + 1
                    ),
                ));
            } else {
                let prev = self.committed_hashes.last().copied().unwrap_or(0);
                self.committed_hashes.push(entry_hash(prev, e));
                self.committed.push(e.clone());
                self.committed_term.push(node.raw().term());
                self.stats.committed_entries += 1;
                if is_command(e) {
                    self.stats.committed_commands += 1;
                }
                if let EntryData::Membership(m) = &e.data {
                    self.config_voters.clone_from(&m.voters);
                    self.stats.membership_changes += 1;
                }
            }
            index += 1;
        }
        self.verified_commit[me] = self.verified_commit[me].max(log.committed);
        if base > 0 {
            // The snapshot stands for the committed prefix: it must end
            // where that prefix is known, with the same term.
            let Some(known) = self.committed.get(base as usize - 1) else {
                return Err(fail(
                    view,
                    "state machine safety (section 5.4.3)",
                    format!(
                        "node {me} holds a snapshot up to index {base}, past the {} entries known committed",
                        self.committed.len()
                    ),
                ));
            };
            if known.term != log.snapshot_term() {
                return Err(fail(
                    view,
                    "state machine safety (section 5.4.3)",
                    format!(
                        "node {me} holds a snapshot up to index {base} of term {}, but the entry committed there is {known:?}",
                        log.snapshot_term()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// State machine safety (section 5.4.3), on apply: every node applies
    /// the log in order, without gaps (after a snapshot, from the entry after
    /// it), and what it applies agrees with every other node; snapshots of
    /// one index are equal.
    fn apply_agreement(
        &mut self,
        view: &View<'_, RaftNode>,
        node: &RaftNode,
    ) -> Result<(), Failure> {
        let me = view.node;
        for s in node.snapshot_steps() {
            match self.snapshot_hashes.get(&s.index) {
                Some(&h) if h != s.hash => {
                    return Err(fail(
                        view,
                        "state machine safety (section 5.4.3)",
                        format!(
                            "node {me} {} a snapshot up to index {} that differs from another snapshot of that index",
                            if s.installed { "installed" } else { "made" },
                            s.index
                        ),
                    ))
                }
                Some(_) => {}
                None => {
                    self.snapshot_hashes.insert(s.index, s.hash);
                }
            }
            if s.installed {
                self.last_applied[me] = Some(s.index);
            }
        }
        for e in node.applied() {
            if let Some(last) = self.last_applied[me] {
                if e.index != last + 1 {
                    return Err(fail(
                        view,
                        "state machine safety (section 5.4.3)",
                        format!("node {me} applied index {} after index {last}", e.index),
                    ));
                }
            }
            self.last_applied[me] = Some(e.index);
            let i = e.index as usize - 1;
            if i < self.applied.len() {
                if self.applied[i] != *e {
                    let known = &self.applied[i];
                    return Err(fail(
                        view,
                        "state machine safety (section 5.4.3)",
                        format!(
                            "node {me} applied {e:?}, another node applied {known:?} at that index"
                        ),
                    ));
                }
            } else if i == self.applied.len() {
                self.applied.push(e.clone());
            } else {
                return Err(fail(
                    view,
                    "state machine safety (section 5.4.3)",
                    format!(
                        "node {me} applied index {} before index {}",
                        e.index,
                        self.applied.len() + 1
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Leader completeness (section 5.4): a new leader holds every committed entry.
    fn leader_completeness(
        &self,
        view: &View<'_, RaftNode>,
        node: &RaftNode,
    ) -> Result<(), Failure> {
        let raw = node.raw();
        let log = raw.log();
        // Section 5.4 binds the leaders of terms after the commit: a candidate
        // of an older term may still win with delayed votes, and it need not
        // hold what a newer term committed (it can commit nothing itself).
        let binding = self
            .committed
            .iter()
            .zip(&self.committed_term)
            .skip(log.snapshot_index() as usize)
            .filter(|(_, &t)| t < raw.term());
        for (known, _) in binding {
            if log.entry(known.index) != Some(known) {
                return Err(fail(
                    view,
                    "leader completeness (section 5.4)",
                    format!(
                        "node {} became leader of term {} without committed entry {known:?} (its log has {:?})",
                        view.node,
                        raw.term(),
                        log.entry(known.index)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// Durability: every committed entry is on the disks of a majority of
    /// the newest committed configuration's voters.
    fn durability(&self, view: &View<'_, RaftNode>) -> Result<(), Failure> {
        if self.committed.is_empty() {
            return Ok(());
        }
        let voters = &self.config_voters;
        let n = voters.len();
        let disks: Vec<Durable> = voters
            .iter()
            .filter_map(|&v| view.durable.get(v as usize))
            .map(|d| replay_records(d))
            .collect();
        for known in &self.committed {
            let holders = disks.iter().filter(|d| d.holds(known)).count();
            if holders < n / 2 + 1 {
                return Err(fail(
                    view,
                    "durability (sections 5.4 and Figure 2)",
                    format!(
                        "committed entry {known:?} is durable on only {holders} of the {n} voters {voters:?} after node {} {}",
                        view.node,
                        if view.step == StepKind::Crash { "crashed" } else { "stepped" }
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl RaftSafety {
    /// Virtual time during which no live node believed it led, up to `end_us`.
    pub fn leaderless_us(&self, end_us: u64) -> u64 {
        self.leaderless_us
            + self
                .leaderless_since_us
                .map_or(0, |t| end_us.saturating_sub(t))
    }

    /// Tracks who believes it leads, for the time without a leader.
    fn track_leadership(&mut self, view: &View<'_, RaftNode>) {
        let bit = 1u64 << view.node;
        let leads = view.nodes[view.node]
            .as_ref()
            .is_some_and(|n| n.raw().role() == Role::Leader);
        let before = self.leading;
        self.leading = if leads { before | bit } else { before & !bit };
        match (before == 0, self.leading == 0) {
            (true, false) => {
                if let Some(t) = self.leaderless_since_us.take() {
                    self.leaderless_us += view.now_us.saturating_sub(t);
                }
            }
            (false, true) => self.leaderless_since_us = Some(view.now_us),
            _ => {}
        }
    }
}

impl Observer<RaftNode> for RaftSafety {
    fn after_step(&mut self, view: &View<'_, RaftNode>) -> Result<(), Failure> {
        self.track_leadership(view);
        if view.step == StepKind::Crash {
            self.last_applied[view.node] = None;
            return self.durability(view);
        }
        let Some(node) = view.nodes[view.node].as_ref() else {
            return Ok(());
        };
        node.check_invariants();
        self.stats.max_term = self.stats.max_term.max(node.raw().term());
        for s in node.snapshot_steps() {
            if s.installed {
                self.stats.snapshot_installs += 1;
            } else {
                self.stats.snapshots += 1;
            }
            self.stats.snapshot_bytes_max = self.stats.snapshot_bytes_max.max(s.bytes);
        }
        let new_leader = self.election_safety(view, node)?;
        // Commits first: a snapshot a node installs or makes in this step
        // stands for the committed prefix, which log matching then uses.
        self.commit_agreement(view, node)?;
        self.log_matching(view, node)?;
        self.apply_agreement(view, node)?;
        if new_leader {
            self.leader_completeness(view, node)?;
        }
        Ok(())
    }

    fn finish(&mut self, view: &View<'_, RaftNode>) -> Result<(), Failure> {
        self.stats.raft_state_bytes_end = view
            .nodes
            .iter()
            .flatten()
            .map(RaftNode::raft_state_bytes)
            .max()
            .unwrap_or(0);
        self.durability(view)
    }
}
