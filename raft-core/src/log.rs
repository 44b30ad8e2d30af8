//! The replicated log as one node holds it: entries in memory, how far they
//! are durable, how far they are committed and applied.

use crate::types::{Command, Entry};

/// A node's log. Entries are indexed from 1; index 0 is the empty prefix with
/// term 0.
///
/// Invariant: `applied <= committed`, `applied <= stable <= last_index()`, and
/// `unstable_from <= last_index() + 1`. `committed` may exceed `stable` (a
/// follower learns the commit index before its own write is durable) but not
/// the last index.
#[derive(Clone, Debug)]
pub struct RaftLog<C> {
    entries: Vec<Entry<C>>,
    /// Entries from this index on have not been handed out to be written yet.
    unstable_from: u64,
    /// Entries up to this index are durable on this node's disk.
    stable: u64,
    pub committed: u64,
    /// Entries up to this index have been handed to the application.
    pub applied: u64,
}

impl<C: Command> RaftLog<C> {
    /// A log restored from durable entries (all of which are stable).
    pub fn restore(entries: Vec<Entry<C>>) -> RaftLog<C> {
        for (i, e) in entries.iter().enumerate() {
            assert_eq!(e.index, i as u64 + 1, "restored log has a gap at {}", i + 1);
        }
        let last = entries.len() as u64;
        RaftLog {
            entries,
            unstable_from: last + 1,
            stable: last,
            committed: 0,
            applied: 0,
        }
    }

    pub fn last_index(&self) -> u64 {
        self.entries.len() as u64
    }

    pub fn last_term(&self) -> u64 {
        self.entries.last().map_or(0, |e| e.term)
    }

    /// The term of the entry at `index`, 0 for index 0, `None` past the end.
    pub fn term(&self, index: u64) -> Option<u64> {
        if index == 0 {
            return Some(0);
        }
        self.entries.get(index as usize - 1).map(|e| e.term)
    }

    pub fn entry(&self, index: u64) -> Option<&Entry<C>> {
        if index == 0 {
            return None;
        }
        self.entries.get(index as usize - 1)
    }

    /// Entries in `[from, to]`, clamped to the log.
    pub fn slice(&self, from: u64, to: u64) -> &[Entry<C>] {
        let lo = from.max(1) as usize - 1;
        let hi = (to.min(self.last_index()) as usize).max(lo);
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
        self.entries.push(entry);
    }

    /// Appends `entries`, which follow `prev_index`, to a log that matches up
    /// to `prev_index`: entries already present with the same term are kept;
    /// from the first conflict on the log is truncated and replaced (section
    /// 5.3). Returns the index of the last entry of `entries`. Takes the
    /// entries by value: they come out of a message the follower owns.
    pub fn merge(&mut self, prev_index: u64, entries: Vec<Entry<C>>) -> u64 {
        assert!(
            prev_index <= self.last_index(),
            "merge past the end of the log"
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
            self.entries.push(e);
        }
        last_new
    }

    /// Removes the entries from `first` on (none if `first` is past the end).
    /// Committed entries are never removed.
    pub fn truncate_from(&mut self, first: u64) {
        assert!(first >= 1, "index 0 is the empty prefix");
        if first > self.last_index() {
            return;
        }
        assert!(
            first > self.committed,
            "truncating committed entry {first} (committed {})",
            self.committed
        );
        self.entries.truncate(first as usize - 1);
        self.stable = self.stable.min(first - 1);
        self.unstable_from = self.unstable_from.min(first);
    }

    /// The largest index at or below `index` whose term is at most `term`
    /// (fast backtracking: where two logs may still agree).
    pub fn find_conflict_by_term(&self, index: u64, term: u64) -> (u64, u64) {
        let mut i = index.min(self.last_index());
        loop {
            let t = self.term(i).unwrap_or(0);
            if t <= term || i == 0 {
                return (i, t);
            }
            i -= 1;
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
            self.unstable_from <= self.last_index() + 1,
            "log: unstable_from past the end"
        );
        if let (Some(a), Some(b)) = (self.entries.first(), self.entries.last()) {
            assert_eq!(a.index, 1, "log: first index");
            assert_eq!(b.index, self.last_index(), "log: last index");
        }
    }

    /// Checks that terms never decrease along the log (first against last,
    /// which is what every step can afford). Separate from
    /// [`RaftLog::check_invariants`] because only a correct protocol keeps
    /// it: a node that forgot its term can lead a term below its log's.
    pub fn check_term_order(&self) {
        if let (Some(a), Some(b)) = (self.entries.first(), self.entries.last()) {
            assert!(a.term <= b.term, "log: terms decrease");
        }
    }
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
}
