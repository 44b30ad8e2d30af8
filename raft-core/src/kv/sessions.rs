//! Client sessions: exactly-once execution of retried requests.
//!
//! # What "exactly once" means here
//!
//! A client names each request `(client, seq)` and retries it, to any node,
//! with the same name until it gets a reply or gives up. Raft may then commit
//! several copies of the request. The session table makes the copies count as
//! one: the first copy to be applied executes, and its reply is recorded as
//! the client's latest `(seq, reply)`; every later copy applied while that
//! record stands is a *duplicate* and gets the recorded reply without
//! executing. So a request takes effect at most once, and a client that keeps
//! retrying gets the reply of the one execution: exactly once.
//!
//! # Stale duplicates
//!
//! The table keeps one record per client, because a client has at most one
//! request outstanding (as in MIT 6.824 Lab 3; the Raft thesis, section 6.3,
//! keeps several to allow pipelining). Once a copy of `seq + 1` is applied,
//! the client has given up on `seq`, and a copy of `seq` (or anything older)
//! that still sits in the network or the log is *stale*: it is never executed
//! and is answered with [`KvError::stale_request`], an indefinite error,
//! because whether an earlier copy executed can no longer be told. An
//! open-loop client with several requests in flight must use one client id per
//! request in flight.
//!
//! Sessions never expire, so the table grows with the number of client ids;
//! the simulator bounds that number. The table is part of the replicated state
//! and travels in snapshots.
//!
//! [`KvError::stale_request`]: crate::kv::KvError::stale_request

use super::reply::Reply;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The latest request a client had executed.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    /// The request's sequence number. Invariant: `seq >= 1`.
    pub seq: u64,
    /// The log index at which it executed. Invariant: `1 <= index`, and at
    /// most the state's applied index.
    pub index: u64,
    /// The reply it got, returned again to every duplicate.
    pub reply: Reply,
}

/// How a request relates to its client's session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionCheck<'a> {
    /// Never seen: `seq` is above the recorded one, or the client is new.
    /// Execute it.
    Fresh,
    /// A copy of the client's latest request: answer with this reply.
    Duplicate(&'a Reply),
    /// Older than the client's latest request: do not execute.
    Stale { latest_seq: u64 },
}

/// The session table: the latest executed request of each client, by client id.
/// A `BTreeMap` so that iteration order, and with it snapshots and hashes, is
/// the same on every replica and every run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sessions {
    by_client: BTreeMap<u64, Session>,
}

impl Sessions {
    pub fn new() -> Sessions {
        Sessions::default()
    }

    /// Classifies request `(client, seq)`; side-effect free.
    pub fn check(&self, client: u64, seq: u64) -> SessionCheck<'_> {
        assert!(seq >= 1, "sequence numbers start at 1 (client {client})");
        match self.by_client.get(&client) {
            None => SessionCheck::Fresh,
            Some(s) if seq > s.seq => SessionCheck::Fresh,
            Some(s) if seq == s.seq => SessionCheck::Duplicate(&s.reply),
            Some(s) => SessionCheck::Stale { latest_seq: s.seq },
        }
    }

    /// Records that `(client, seq)` executed at log `index` with `reply`.
    ///
    /// A record never moves backwards: if the client already has a record
    /// with a sequence number at least `seq` (possible only when the
    /// `no-dedup` bug executes a duplicate), the existing record stays.
    pub fn record(&mut self, client: u64, seq: u64, index: u64, reply: Reply) {
        assert!(seq >= 1, "sequence numbers start at 1 (client {client})");
        assert!(index >= 1, "log indexes start at 1");
        let session = Session { seq, index, reply };
        match self.by_client.get_mut(&client) {
            Some(existing) if existing.seq >= seq => {}
            Some(existing) => *existing = session,
            None => {
                self.by_client.insert(client, session);
            }
        }
    }

    pub fn get(&self, client: u64) -> Option<&Session> {
        self.by_client.get(&client)
    }

    /// The number of clients with a session.
    pub fn len(&self) -> usize {
        self.by_client.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_client.is_empty()
    }

    /// Sessions in client id order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, &Session)> + '_ {
        self.by_client.iter().map(|(&c, s)| (c, s))
    }

    /// Asserts the table's invariants against the state's applied index:
    /// every record names a real request executed at an applied index, and
    /// no record holds a reply that only a non-execution produces.
    pub fn check_invariants(&self, applied_index: u64) {
        for (client, s) in &self.by_client {
            assert!(s.seq >= 1, "client {client}: session seq is 0");
            assert!(s.index >= 1, "client {client}: session index is 0");
            assert!(
                s.index <= applied_index,
                "client {client}: session index {} above applied index {applied_index}",
                s.index
            );
            if let Err(e) = &s.reply {
                assert!(
                    e.is_definite(),
                    "client {client}: session holds indefinite error {e}"
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kv::Output;

    #[test]
    fn fresh_duplicate_stale() {
        let mut t = Sessions::new();
        assert_eq!(t.check(1, 1), SessionCheck::Fresh);
        t.record(1, 2, 5, Ok(Output::Written));
        assert_eq!(t.check(1, 3), SessionCheck::Fresh);
        assert_eq!(t.check(1, 2), SessionCheck::Duplicate(&Ok(Output::Written)));
        assert_eq!(t.check(1, 1), SessionCheck::Stale { latest_seq: 2 });
        assert_eq!(t.check(2, 1), SessionCheck::Fresh);
        t.check_invariants(5);
    }

    #[test]
    fn record_never_moves_backwards() {
        let mut t = Sessions::new();
        t.record(1, 3, 4, Ok(Output::PutOk));
        t.record(1, 2, 5, Ok(Output::AppendOk));
        assert_eq!(t.get(1).map(|s| s.seq), Some(3));
        assert_eq!(t.get(1).map(|s| s.index), Some(4));
    }

    #[test]
    #[should_panic(expected = "above applied index")]
    fn invariant_catches_future_index() {
        let mut t = Sessions::new();
        t.record(1, 1, 9, Ok(Output::PutOk));
        t.check_invariants(8);
    }
}
