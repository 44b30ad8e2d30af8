//! The state machine: the two key spaces, the session table and the applied
//! index, advanced by committed commands in log order.

use super::command::{Command, Op};
use super::reply::{KvError, Output, Reply};
use super::sessions::{SessionCheck, Sessions};
use crate::bugs::{Bug, Bugs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The replicated key-value state.
///
/// Replicas that apply the same commands at the same indexes hold equal
/// states (`==`, and equal hashes): every collection is ordered, nothing
/// depends on time or randomness.
///
/// Invariants (see [`KvState::check_invariants`]): the applied index only
/// grows; every session was recorded at an applied index; a state that has
/// applied nothing is empty.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct KvState {
    /// The index of the last log entry applied; 0 before the first.
    applied_index: u64,
    /// lin-kv integer registers.
    ints: BTreeMap<u64, u64>,
    /// 6.824 string values.
    strings: BTreeMap<Arc<str>, Arc<str>>,
    sessions: Sessions,
}

/// A [`KvState`] as plain data, for snapshots and restarts. It carries the
/// session table, so that a request retried across a snapshot or a restart is
/// still answered from its session instead of executed again.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct KvSnapshot {
    /// The index of the last entry the snapshot includes.
    pub applied_index: u64,
    pub ints: BTreeMap<u64, u64>,
    pub strings: BTreeMap<Arc<str>, Arc<str>>,
    pub sessions: Sessions,
}

impl KvSnapshot {
    /// The snapshot as bytes, for raft-core to store and send (JSON: small
    /// for the states the tests keep, and readable in a trace).
    pub fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a KV snapshot encodes")
    }

    /// The snapshot `encode` made of these bytes.
    pub fn decode(bytes: &[u8]) -> Result<KvSnapshot, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("bad KV snapshot: {e}"))
    }
}

impl KvState {
    /// The empty state, before log index 1.
    pub fn new() -> KvState {
        KvState::default()
    }

    /// Applies the committed command at log `index` and returns its reply.
    ///
    /// # To ensure correctness
    ///
    /// Call it on every replica with the same committed entries, in log
    /// order: `index` must be above the applied index (it panics otherwise,
    /// since applying an entry twice or out of order breaks state machine
    /// safety, Raft section 5.4.3). Indexes may skip entries that carry no
    /// command; [`KvState::apply_empty`] records those.
    ///
    /// A fresh request executes and is recorded in its client's session; a
    /// duplicate returns the recorded reply and changes nothing else; a stale
    /// duplicate returns [`KvError::stale_request`] and changes nothing else
    /// (see [`crate::kv::sessions`]). With [`Bug::NoDedup`] the session table
    /// is not consulted and every copy executes.
    pub fn apply(&mut self, index: u64, cmd: &Command, bugs: Bugs) -> Reply {
        self.advance(index);
        if cmd.seq == 0 {
            return Err(KvError::malformed_request());
        }
        if !bugs.has(Bug::NoDedup) {
            match self.sessions.check(cmd.client, cmd.seq) {
                SessionCheck::Fresh => {}
                SessionCheck::Duplicate(reply) => return reply.clone(),
                SessionCheck::Stale { .. } => return Err(KvError::stale_request()),
            }
        }
        let reply = self.execute(&cmd.op);
        self.sessions
            .record(cmd.client, cmd.seq, index, reply.clone());
        let recorded_seq = self.sessions.get(cmd.client).map_or(0, |s| s.seq);
        assert!(
            recorded_seq >= cmd.seq,
            "client {}: session not recorded",
            cmd.client
        );
        reply
    }

    /// Records that the committed entry at `index` carries no command for
    /// this state machine (a new leader's no-op, a configuration change), so
    /// that the applied index follows the log. Same ordering contract as
    /// [`KvState::apply`].
    pub fn apply_empty(&mut self, index: u64) {
        self.advance(index);
    }

    fn advance(&mut self, index: u64) {
        assert!(index >= 1, "log indexes start at 1");
        assert!(
            index > self.applied_index,
            "entry {index} applied after entry {}: the log must be applied in order, once",
            self.applied_index
        );
        self.applied_index = index;
    }

    /// Answers a read from the current state, without side effects: `None`
    /// for an operation that is not a read. The service calls it once a
    /// ReadIndex round has confirmed leadership and the state has applied up
    /// to the read index; the answer is then the same as the read would get
    /// through the log at that point.
    pub fn query(&self, op: &Op) -> Option<Reply> {
        match op {
            Op::Read { key } => Some(self.read(*key)),
            Op::Get { key } => Some(self.get(key)),
            Op::Write { .. } | Op::Cas { .. } | Op::Put { .. } | Op::Append { .. } => None,
        }
    }

    /// lin-kv `read`: a missing key is key-does-not-exist, as in Maelstrom.
    fn read(&self, key: u64) -> Reply {
        match self.ints.get(&key) {
            Some(&value) => Ok(Output::ReadValue(Some(value))),
            None => Err(KvError::key_does_not_exist()),
        }
    }

    /// 6.824 `Get`: a missing key reads as "".
    fn get(&self, key: &str) -> Reply {
        let value = self
            .strings
            .get(key)
            .cloned()
            .unwrap_or_else(|| Arc::from(""));
        Ok(Output::GetValue(value))
    }

    /// Executes one operation, ignoring sessions.
    fn execute(&mut self, op: &Op) -> Reply {
        match op {
            Op::Read { key } => self.read(*key),
            Op::Get { key } => self.get(key),
            Op::Write { key, value } => {
                self.ints.insert(*key, *value);
                Ok(Output::Written)
            }
            Op::Cas { key, from, to } => match self.ints.get_mut(key) {
                None => Err(KvError::key_does_not_exist()),
                Some(current) if *current != *from => Err(KvError::precondition_failed()),
                Some(current) => {
                    *current = *to;
                    Ok(Output::CasOk)
                }
            },
            Op::Put { key, value } => {
                self.strings.insert(key.clone(), value.clone());
                Ok(Output::PutOk)
            }
            Op::Append { key, value } => {
                let appended: Arc<str> = match self.strings.get(key) {
                    Some(current) => Arc::from(format!("{current}{value}")),
                    None => value.clone(),
                };
                self.strings.insert(key.clone(), appended);
                Ok(Output::AppendOk)
            }
        }
    }

    /// The index of the last entry applied; 0 before the first.
    pub fn applied_index(&self) -> u64 {
        self.applied_index
    }

    /// The integer register `key`, if it exists.
    pub fn int(&self, key: u64) -> Option<u64> {
        self.ints.get(&key).copied()
    }

    /// The string value of `key`, if it exists.
    pub fn string(&self, key: &str) -> Option<&Arc<str>> {
        self.strings.get(key)
    }

    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// The number of keys in both key spaces.
    pub fn key_count(&self) -> usize {
        self.ints.len() + self.strings.len()
    }

    /// Copies the state into a snapshot. Strings are shared, not copied.
    pub fn snapshot(&self) -> KvSnapshot {
        let snapshot = KvSnapshot {
            applied_index: self.applied_index,
            ints: self.ints.clone(),
            strings: self.strings.clone(),
            sessions: self.sessions.clone(),
        };
        assert_eq!(snapshot.sessions.len(), self.sessions.len());
        snapshot
    }

    /// Rebuilds the state a snapshot was taken of. Panics if the snapshot
    /// breaks the state's invariants: snapshots come from our own replicas,
    /// so a bad one is a bug, not input.
    pub fn restore(snapshot: KvSnapshot) -> KvState {
        let state = KvState {
            applied_index: snapshot.applied_index,
            ints: snapshot.ints,
            strings: snapshot.strings,
            sessions: snapshot.sessions,
        };
        state.check_invariants();
        state
    }

    /// Asserts the invariants; the simulator calls it after every step.
    pub fn check_invariants(&self) {
        self.sessions.check_invariants(self.applied_index);
        if self.applied_index == 0 {
            assert!(
                self.sessions.is_empty(),
                "sessions before any entry was applied"
            );
            assert!(self.key_count() == 0, "keys before any entry was applied");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(client: u64, seq: u64, op: Op) -> Command {
        Command::new(client, seq, op)
    }

    #[test]
    fn duplicate_changes_nothing_but_the_applied_index() {
        let mut kv = KvState::new();
        let put = cmd(
            1,
            1,
            Op::Append {
                key: "k".into(),
                value: "x".into(),
            },
        );
        assert_eq!(kv.apply(1, &put, Bugs::none()), Ok(Output::AppendOk));
        let before = kv.snapshot();
        assert_eq!(kv.apply(2, &put, Bugs::none()), Ok(Output::AppendOk));
        let after = kv.snapshot();
        assert_eq!(
            KvSnapshot {
                applied_index: 1,
                ..after
            },
            before
        );
        kv.check_invariants();
    }

    #[test]
    fn seq_zero_is_malformed_and_has_no_effect() {
        let mut kv = KvState::new();
        let bad = Command {
            client: 1,
            seq: 0,
            op: Op::Write { key: 1, value: 1 },
        };
        assert_eq!(
            kv.apply(1, &bad, Bugs::none()),
            Err(KvError::malformed_request())
        );
        assert_eq!(kv.int(1), None);
        assert!(kv.sessions().is_empty());
        kv.check_invariants();
    }

    #[test]
    fn apply_empty_advances_the_applied_index() {
        let mut kv = KvState::new();
        kv.apply_empty(1);
        kv.apply(3, &cmd(1, 1, Op::Write { key: 1, value: 2 }), Bugs::none())
            .unwrap();
        kv.apply_empty(4);
        assert_eq!(kv.applied_index(), 4);
        kv.check_invariants();
    }

    #[test]
    #[should_panic(expected = "must be applied in order")]
    fn applying_an_index_twice_panics() {
        let mut kv = KvState::new();
        kv.apply(1, &cmd(1, 1, Op::Read { key: 1 }), Bugs::none())
            .unwrap_err();
        kv.apply(1, &cmd(1, 2, Op::Read { key: 1 }), Bugs::none())
            .unwrap_err();
    }

    #[test]
    fn query_is_none_for_writes_and_matches_apply_for_reads() {
        let mut kv = KvState::new();
        kv.apply(1, &cmd(1, 1, Op::Write { key: 5, value: 6 }), Bugs::none())
            .unwrap();
        assert_eq!(kv.query(&Op::Write { key: 5, value: 7 }), None);
        assert_eq!(
            kv.query(&Op::Cas {
                key: 5,
                from: 6,
                to: 7
            }),
            None
        );
        let via_query = kv.query(&Op::Read { key: 5 });
        let via_log = kv.apply(2, &cmd(2, 1, Op::Read { key: 5 }), Bugs::none());
        assert_eq!(via_query, Some(via_log));
        assert_eq!(kv.int(5), Some(6));
    }

    #[test]
    #[should_panic(expected = "above applied index")]
    fn restore_rejects_inconsistent_snapshot() {
        let mut kv = KvState::new();
        kv.apply(3, &cmd(1, 1, Op::Write { key: 1, value: 1 }), Bugs::none())
            .unwrap();
        let snap = KvSnapshot {
            applied_index: 2,
            ..kv.snapshot()
        };
        let _ = KvState::restore(snap);
    }
}
