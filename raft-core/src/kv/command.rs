//! What clients ask the KV service to do.

use std::sync::Arc;

/// One client request, as it travels through the log.
///
/// `(client, seq)` names the request for duplicate detection: a client numbers
/// its requests 1, 2, 3, ... and sends a retry with the number of the original.
/// Contract: `seq >= 1`; a client has at most one request outstanding, so it
/// sends `seq + 1` only after it stopped waiting for `seq` (see
/// [`crate::kv::sessions`]). A command with `seq == 0` is answered with a
/// malformed-request error and has no effect.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Command {
    pub client: u64,
    pub seq: u64,
    pub op: Op,
}

/// A command's estimated size on a wire or a disk: its client id and
/// sequence number (16 bytes), 8 bytes per integer, a string's length.
impl crate::types::Command for Command {
    fn wire_bytes(&self) -> u64 {
        16 + match &self.op {
            Op::Read { .. } => 8,
            Op::Write { .. } => 16,
            Op::Cas { .. } => 24,
            Op::Get { key } => key.len() as u64,
            Op::Put { key, value } | Op::Append { key, value } => (key.len() + value.len()) as u64,
        }
    }
}

impl Command {
    pub fn new(client: u64, seq: u64, op: Op) -> Command {
        assert!(seq >= 1, "sequence numbers start at 1 (client {client})");
        Command { client, seq, op }
    }
}

/// An operation on the store.
///
/// Integer keys (`Read`, `Write`, `Cas`) and string keys (`Get`, `Put`,
/// `Append`) are separate key spaces: integer key 1 and string key "1" are
/// different keys. Strings are `Arc<str>` so that a command, a reply and a
/// snapshot share them instead of copying.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Op {
    /// Maelstrom lin-kv `read`: the value, or key-does-not-exist (code 20).
    Read { key: u64 },
    /// Maelstrom lin-kv `write`: sets the value, creating the key.
    Write { key: u64, value: u64 },
    /// Maelstrom lin-kv `cas`: sets `to` if the value is `from`; otherwise
    /// precondition-failed (code 22), or key-does-not-exist (code 20) when
    /// the key is missing. A failed cas changes nothing.
    Cas { key: u64, from: u64, to: u64 },
    /// MIT 6.824 `Get`: the value, or "" when the key is missing.
    Get { key: Arc<str> },
    /// MIT 6.824 `Put`: replaces the value.
    Put { key: Arc<str>, value: Arc<str> },
    /// MIT 6.824 `Append`: appends to the value ("" when missing).
    Append { key: Arc<str>, value: Arc<str> },
}

impl Op {
    /// Whether the operation only observes the store. Reads may be answered
    /// through the log or, after a ReadIndex confirmation, by
    /// [`crate::kv::KvState::query`]; everything else must go through the log.
    pub fn is_read(&self) -> bool {
        matches!(self, Op::Read { .. } | Op::Get { .. })
    }

    /// The operation's name as Maelstrom and 6.824 spell it, for histories
    /// and statistics.
    pub fn name(&self) -> &'static str {
        match self {
            Op::Read { .. } => "read",
            Op::Write { .. } => "write",
            Op::Cas { .. } => "cas",
            Op::Get { .. } => "get",
            Op::Put { .. } => "put",
            Op::Append { .. } => "append",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_reads_and_nothing_else_is() {
        assert!(Op::Read { key: 1 }.is_read());
        assert!(Op::Get { key: "k".into() }.is_read());
        assert!(!Op::Write { key: 1, value: 2 }.is_read());
        assert!(!Op::Cas {
            key: 1,
            from: 2,
            to: 3
        }
        .is_read());
        assert!(!Op::Put {
            key: "k".into(),
            value: "v".into()
        }
        .is_read());
        assert!(!Op::Append {
            key: "k".into(),
            value: "v".into()
        }
        .is_read());
    }

    #[test]
    #[should_panic(expected = "sequence numbers start at 1")]
    fn new_rejects_seq_zero() {
        let _ = Command::new(7, 0, Op::Read { key: 1 });
    }
}
