//! The replicated log as one node holds it: the snapshot that replaced its
//! compacted prefix, the entries after it in memory, how far they are
//! durable, how far they are committed and applied.

use crate::types::{Command, Entry, EntryData, Membership};

/// A node's log. Entries are indexed from 1. Entries up to `offset` were
/// compacted into a snapshot (Raft section 7) whose last entry had term
/// `offset_term`; with no snapshot, `offset` is 0, the empty prefix of term 0.
///
/// Invariant: `offset <= applied <= committed`, `applied <= stable <=
/// last_index()`, and `offset < unstable_from <= last_index() + 1`.
/// `committed` may exceed `stable` (a follower learns the commit index before
/// its own write is durable) but not the last index.
#[derive(Clone, Debug)]
pub struct RaftLog<C> {
    /// The entries after `offset`: `entries[k].index == offset + 1 + k`.
    entries: Vec<Entry<C>>,
    offset: u64,
    offset_term: u64,
    /// Entries from this index on have not been handed out to be written yet.
    unstable_from: u64,
    /// Entries up to this index are durable on this node's disk.
    stable: u64,
    pub committed: u64,
    /// Entries up to this index have been handed to the application.
    pub applied: u64,
    /// The sum of [`Entry::wire_bytes`] over `entries`.
    bytes: u64,
    /// Indices of the configuration entries among `entries`, ascending.
    configs: Vec<u64>,
    /// Counts changes to `configs` (and to the prefix a snapshot replaced),
    /// so that a node recomputes its configuration only when it may differ.
    config_version: u64,
}

impl<C: Command> RaftLog<C> {
    /// A log restored from durable entries (all of which are stable).
    pub fn restore(entries: Vec<Entry<C>>) -> RaftLog<C> {
        RaftLog::restore_after(0, 0, entries)
    }

    /// A log restored from a durable snapshot up to (`index`, `term`) and the
    /// durable entries that follow it: everything up to `index` counts as
    /// committed and applied (the application restores its state from the
    /// snapshot).
    pub fn restore_after(index: u64, term: u64, entries: Vec<Entry<C>>) -> RaftLog<C> {
        for (k, e) in entries.iter().enumerate() {
            assert_eq!(
                e.index,
                index + 1 + k as u64,
                "restored log has a gap at {}",
                index + 1 + k as u64
            );
        }
        let last = index + entries.len() as u64;
        let bytes = entries.iter().map(Entry::wire_bytes).sum();
        let configs = entries
            .iter()
            .filter(|e| is_config(e))
            .map(|e| e.index)
            .collect();
        RaftLog {
            entries,
            offset: index,
            offset_term: term,
            unstable_from: last + 1,
            stable: last,
            committed: index,
            applied: index,
            bytes,
            configs,
            config_version: 0,
        }
    }

    /// The newest configuration entry in the log (after the snapshot), if
    /// any.
    pub fn last_config(&self) -> Option<(u64, &Membership)> {
        let &index = self.configs.last()?;
        match &self.entry(index)?.data {
            EntryData::Membership(m) => Some((index, m)),
            _ => None,
        }
    }

    /// The newest configuration entry at or below `index`, if the log (after
    /// the snapshot) holds one.
    pub fn config_at(&self, index: u64) -> Option<(u64, &Membership)> {
        let k = self.configs.partition_point(|&i| i <= index);
        let &at = self.configs[..k].last()?;
        match &self.entry(at)?.data {
            EntryData::Membership(m) => Some((at, m)),
            _ => None,
        }
    }

    /// Changes whenever the log's configuration entries (or its snapshot)
    /// may have changed.
    pub fn config_version(&self) -> u64 {
        self.config_version
    }

    pub fn last_index(&self) -> u64 {
        self.offset + self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(self.offset_term, |e| e.term)
    }

    /// The last index the snapshot covers (0 without one): entries up to it
    /// are no longer in the log.
    pub fn snapshot_index(&self) -> u64 {
        self.offset
    }

    /// The index of the first entry in memory.
    pub fn first_entry_index(&self) -> u64 {
        self.offset + 1
    }

    /// The term of the entry at [`RaftLog::snapshot_index`].
    pub fn snapshot_term(&self) -> u64 {
        self.offset_term
    }

    /// The estimated size of the entries in memory (see
    /// [`Entry::wire_bytes`]); what compaction keeps small.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The term of the entry at `index`: the snapshot's term at the snapshot
    /// index (0 for index 0 without a snapshot); `None` past the end and
    /// below the snapshot index (compacted).
    pub fn term(&self, index: u64) -> Option<u64> {
        if index < self.offset {
            return None;
        }
        if index == self.offset {
            return Some(self.offset_term);
        }
        self.entries
            .get((index - self.offset - 1) as usize)
            .map(|e| e.term)
    }

    /// The entry at `index`; `None` at or below the snapshot index and past
    /// the end.
    pub fn entry(&self, index: u64) -> Option<&Entry<C>> {
        if index <= self.offset {
            return None;
        }
        self.entries.get((index - self.offset - 1) as usize)
    }

    /// Entries in `[from, to]`, clamped to the entries in memory.
    pub fn slice(&self, from: u64, to: u64) -> &[Entry<C>] {
        let lo = (from.max(self.offset + 1) - self.offset - 1) as usize;
        let hi = (to.min(self.last_index()).saturating_sub(self.offset) as usize).max(lo);
        &self.entries[lo..hi]
    }

    pub fn stable(&self) -> u64 {
        self.stable
    }

    /// Whether a candidate's log, ending at (`last_index`, `last_term`), is at
    /// least as up to date as this one (section 5.4.1).
    pub fn is_up_to_date(&self, last_index: u64, last_term: u64) -> bool {
        last_term > self.last_term()
            || (last_term == self.last_term() && last_index >= self.last_index())
    }

    /// Appends one new entry at the end (a leader's proposal). The caller
    /// checks that terms do not decrease (`Raft::append_own`).
    pub fn append(&mut self, entry: Entry<C>) {
        assert_eq!(
            entry.index,
            self.last_index() + 1,
            "append must extend the log"
        );
        self.bytes += entry.wire_bytes();
        self.push(entry);
    }

    /// Adds an entry at the end, noting a configuration.
    fn push(&mut self, entry: Entry<C>) {
        if is_config(&entry) {
            self.configs.push(entry.index);
            self.config_version += 1;
        }
        self.entries.push(entry);
    }

    /// Appends `entries`, which follow `prev_index`, to a log that matches up
    /// to `prev_index`: entries already present with the same term are kept;
    /// from the first conflict on the log is truncated and replaced (section
    /// 5.3). Returns the index of the last entry of `entries`. Takes the
    /// entries by value: they come out of a message the follower owns.
    pub fn merge(&mut self, prev_index: u64, entries: Vec<Entry<C>>) -> u64 {
        assert!(
            prev_index <= self.last_index() && prev_index >= self.offset,
            "merge outside the log"
        );
        let last_new = prev_index + entries.len() as u64;
        let mut skip = 0;
        while skip < entries.len() {
            let e = &entries[skip];
            match self.term(e.index) {
                Some(t) if t == e.term => skip += 1,
                _ => break,
            }
        }
        if skip == entries.len() {
            return last_new;
        }
        self.truncate_from(prev_index + skip as u64 + 1);
        for e in entries.into_iter().skip(skip) {
            assert_eq!(e.index, self.last_index() + 1, "entries must be contiguous");
            self.bytes += e.wire_bytes();
            self.push(e);
        }
        last_new
    }

    /// Removes the entries from `first` on (none if `first` is past the end).
    /// Committed entries are never removed.
    pub fn truncate_from(&mut self, first: u64) {
        assert!(first > self.offset, "truncating into the snapshot");
        if first > self.last_index() {
            return;
        }
        assert!(
            first > self.committed,
            "truncating committed entry {first} (committed {})",
            self.committed
        );
        let keep = (first - self.offset - 1) as usize;
        self.bytes -= self.entries[keep..]
            .iter()
            .map(Entry::wire_bytes)
            .sum::<u64>();
        self.entries.truncate(keep);
        self.forget_configs(|i| i >= first);
        self.stable = self.stable.min(first - 1);
        self.unstable_from = self.unstable_from.min(first);
    }

    /// Discards the entries up to `index`, which the application has
    /// applied and saved in a snapshot (log compaction, section 7).
    pub fn compact(&mut self, index: u64) {
        assert!(
            index > self.offset && index <= self.applied && index <= self.stable,
            "compacting to {index}: need snapshot index {} < index <= applied {} and stable {}",
            self.offset,
            self.applied,
            self.stable
        );
        let term = self.term(index).expect("an applied entry is in the log");
        self.drop_through(index, term);
    }

    /// Drops the entries up to `index` (which the log holds, with `term`):
    /// the snapshot covers them now.
    fn drop_through(&mut self, index: u64, term: u64) {
        let drop = (index - self.offset) as usize;
        self.bytes -= self.entries[..drop]
            .iter()
            .map(Entry::wire_bytes)
            .sum::<u64>();
        self.entries.drain(..drop);
        self.forget_configs(|i| i <= index);
        self.config_version += 1;
        self.offset = index;
        self.offset_term = term;
    }

    /// Drops the configuration indices that `gone` says left the log.
    fn forget_configs(&mut self, gone: impl Fn(u64) -> bool) {
        let before = self.configs.len();
        self.configs.retain(|&i| !gone(i));
        if self.configs.len() != before {
            self.config_version += 1;
        }
    }

    /// Replaces the log's prefix with a snapshot up to (`index`, `term`)
    /// received from the leader (Figure 13, steps 6 and 7): if the log holds
    /// that entry, the entries after it are kept; otherwise the whole log is
    /// discarded. Everything up to `index` counts as committed and applied
    /// (the application restores its state from the snapshot). Returns
    /// whether entries were kept.
    ///
    /// A snapshot older than the commit index must not be installed (the
    /// caller checks); the planted bug `snapshot-regress` does so anyway, and
    /// then the commit and applied indexes go back to `index`.
    pub fn install(&mut self, index: u64, term: u64) -> bool {
        let kept = self.term(index) == Some(term);
        if kept {
            self.drop_through(index, term);
            self.committed = self.committed.max(index);
            self.unstable_from = self.unstable_from.max(index + 1);
        } else {
            self.entries.clear();
            self.configs.clear();
            self.config_version += 1;
            self.bytes = 0;
            self.committed = index;
            self.unstable_from = index + 1;
        }
        self.offset = index;
        self.offset_term = term;
        self.applied = index;
        self.stable = self.stable.max(index).min(self.last_index());
        kept
    }

    /// The largest index at or below `index` whose term is at most `term`
    /// (fast backtracking: where two logs may still agree). Below the
    /// snapshot, the snapshot's index: its prefix is committed, and every
    /// log agrees there.
    pub fn find_conflict_by_term(&self, index: u64, term: u64) -> (u64, u64) {
        let mut i = index.min(self.last_index());
        loop {
            match self.term(i) {
                Some(t) if t <= term || i <= self.offset => return (i, t),
                Some(_) => i -= 1,
                None => return (self.offset, self.offset_term),
            }
        }
    }

    /// Raises the commit index; never lowers it.
    pub fn commit_to(&mut self, index: u64) -> bool {
        let index = index.min(self.last_index());
        if index > self.committed {
            self.committed = index;
            true
        } else {
            false
        }
    }

    /// Takes the entries that must be written next, and marks them handed out.
    pub fn take_unstable(&mut self, out: &mut Vec<Entry<C>>) {
        let from = self.unstable_from;
        if from <= self.last_index() {
            out.extend_from_slice(self.slice(from, self.last_index()));
        }
        self.unstable_from = self.last_index() + 1;
    }

    /// Whether entries are waiting to be handed out for writing.
    pub fn has_unstable(&self) -> bool {
        self.unstable_from <= self.last_index()
    }

    /// Entries written up to (`index`, `term`) are durable; ignored when the
    /// log has since been truncated below that entry.
    pub fn stable_to(&mut self, index: u64, term: u64) {
        if index > self.stable && self.term(index) == Some(term) && index < self.unstable_from {
            self.stable = index;
        }
    }

    /// Committed, durable entries not yet applied; marks them applied.
    pub fn take_committed(&mut self, out: &mut Vec<Entry<C>>) {
        let to = self.committed.min(self.stable);
        if to > self.applied {
            out.extend_from_slice(self.slice(self.applied + 1, to));
            self.applied = to;
        }
    }

    pub fn check_invariants(&self) {
        assert!(
            self.configs
                .last()
                .is_none_or(|&i| self.entry(i).is_some_and(is_config)),
            "log: the newest configuration index names no configuration entry"
        );
        assert!(
            self.offset <= self.applied,
            "log: snapshot index {} > applied {}",
            self.offset,
            self.applied
        );
        assert!(
            self.applied <= self.committed,
            "log: applied {} > committed {}",
            self.applied,
            self.committed
        );
        assert!(
            self.applied <= self.stable,
            "log: applied {} > stable {}",
            self.applied,
            self.stable
        );
        assert!(
            self.stable <= self.last_index(),
            "log: stable {} > last {}",
            self.stable,
            self.last_index()
        );
        assert!(
            self.committed <= self.last_index(),
            "log: committed {} > last {}",
            self.committed,
            self.last_index()
        );
        assert!(
            self.unstable_from <= self.last_index() + 1 && self.unstable_from > self.offset,
            "log: unstable_from outside the log"
        );
        if let (Some(a), Some(b)) = (self.entries.first(), self.entries.last()) {
            assert_eq!(a.index, self.offset + 1, "log: first index");
            assert_eq!(b.index, self.last_index(), "log: last index");
        }
    }

    /// Checks that terms never decrease along the log (first against last,
    /// which is what every step can afford). Separate from
    /// [`RaftLog::check_invariants`] because only a correct protocol keeps
    /// it: a node that forgot its term can lead a term below its log's.
    pub fn check_term_order(&self) {
        if let (Some(a), Some(b)) = (self.entries.first(), self.entries.last()) {
            assert!(
                self.offset_term <= a.term && a.term <= b.term,
                "log: terms decrease"
            );
        }
    }
}

/// Whether `e` carries a configuration.
fn is_config<C>(e: &Entry<C>) -> bool {
    matches!(e.data, EntryData::Membership(_))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::EntryData;

    fn e(index: u64, term: u64) -> Entry<u64> {
        Entry {
            term,
            index,
            data: EntryData::Command(index * 100 + term),
        }
    }

    #[test]
    fn merge_keeps_matching_and_replaces_conflicts() {
        let mut log = RaftLog::restore(vec![e(1, 1), e(2, 1), e(3, 2)]);
        assert_eq!(log.merge(1, vec![e(2, 1), e(3, 2)]), 3);
        assert_eq!(log.last_index(), 3);
        assert_eq!(log.stable(), 3, "matching entries are not rewritten");
        assert_eq!(log.merge(1, vec![e(2, 1), e(3, 3), e(4, 3)]), 4);
        assert_eq!(log.term(3), Some(3));
        assert_eq!(log.stable(), 2);
        let mut out = Vec::new();
        log.take_unstable(&mut out);
        assert_eq!(out, vec![e(3, 3), e(4, 3)]);
        log.check_invariants();
        log.check_term_order();
    }

    #[test]
    fn a_stale_append_does_not_truncate() {
        let mut log = RaftLog::restore(vec![e(1, 1), e(2, 1), e(3, 1)]);
        log.merge(0, vec![e(1, 1)]);
        assert_eq!(log.last_index(), 3);
    }

    #[test]
    fn conflict_by_term() {
        let log = RaftLog::restore(vec![e(1, 1), e(2, 1), e(3, 4), e(4, 4), e(5, 5)]);
        assert_eq!(log.find_conflict_by_term(5, 3), (2, 1));
        assert_eq!(log.find_conflict_by_term(9, 5), (5, 5));
        assert_eq!(log.find_conflict_by_term(4, 0), (0, 0));
    }

    #[test]
    fn apply_only_what_is_committed_and_durable() {
        let mut log = RaftLog::restore(vec![e(1, 1)]);
        log.append(e(2, 1));
        log.commit_to(2);
        let mut out = Vec::new();
        log.take_committed(&mut out);
        assert_eq!(out, vec![e(1, 1)]);
        let mut w = Vec::new();
        log.take_unstable(&mut w);
        log.stable_to(2, 1);
        out.clear();
        log.take_committed(&mut out);
        assert_eq!(out, vec![e(2, 1)]);
        log.check_invariants();
        log.check_term_order();
    }

    #[test]
    fn compaction_keeps_terms_at_the_boundary_and_counts_bytes() {
        let mut log = RaftLog::restore((1..=6).map(|i| e(i, 1 + i / 4)).collect());
        let per_entry = e(1, 1).wire_bytes();
        assert_eq!(log.bytes(), 6 * per_entry);
        log.commit_to(6);
        let mut out = Vec::new();
        log.take_committed(&mut out);
        log.compact(4);
        assert_eq!((log.snapshot_index(), log.snapshot_term()), (4, 2));
        assert_eq!(log.term(4), Some(2), "the boundary keeps its term");
        assert_eq!(log.term(3), None, "below it is gone");
        assert_eq!(log.entry(4), None);
        assert_eq!(log.first_entry_index(), 5);
        assert_eq!(log.bytes(), 2 * per_entry);
        assert_eq!(
            log.find_conflict_by_term(2, 1),
            (4, 2),
            "below the snapshot: the snapshot"
        );
        log.append(e(7, 2));
        log.check_invariants();
        log.check_term_order();
    }

    #[test]
    fn install_keeps_a_matching_suffix_and_discards_a_conflicting_log() {
        let mut log = RaftLog::restore((1..=5).map(|i| e(i, 1)).collect());
        log.commit_to(2);
        assert!(log.install(3, 1), "entry 3 of term 1 is ours: keep 4 and 5");
        assert_eq!((log.snapshot_index(), log.last_index()), (3, 5));
        assert_eq!((log.committed, log.applied), (3, 3));
        let mut other = RaftLog::restore((1..=5).map(|i| e(i, 1)).collect());
        assert!(
            !other.install(4, 2),
            "entry 4 has another term: discard all"
        );
        assert_eq!((other.snapshot_index(), other.last_index()), (4, 4));
        assert_eq!(other.bytes(), 0);
        let mut out = Vec::new();
        other.take_unstable(&mut out);
        assert!(out.is_empty(), "nothing of the old log is written again");
        log.check_invariants();
        other.check_invariants();
    }
}
