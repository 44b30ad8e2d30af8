//! Client sessions: a retried request executes at most once and gets its
//! original reply (Raft thesis section 6.3; MIT 6.824 Lab 3's duplicate
//! detection), across snapshots and restarts; and the `no-dedup` planted bug
//! that breaks it.

use raft_core::kv::{Command, KvError, KvSnapshot, KvState, Op, Output};
use raft_core::{Bug, Bugs};
use std::sync::Arc;

fn append(client: u64, seq: u64, value: &str) -> Command {
    Command::new(
        client,
        seq,
        Op::Append {
            key: Arc::from("k"),
            value: Arc::from(value),
        },
    )
}

fn value(kv: &KvState) -> &str {
    kv.string("k").map_or("", |v| v)
}

#[test]
fn retried_append_executes_once() {
    // 6.824 TestUnreliable: the leader commits the request twice because the
    // client timed out and resent it.
    let mut kv = KvState::new();
    let req = append(1, 1, "x");
    assert_eq!(kv.apply(1, &req, Bugs::none()), Ok(Output::AppendOk));
    assert_eq!(kv.apply(2, &req, Bugs::none()), Ok(Output::AppendOk));
    assert_eq!(value(&kv), "x");
    assert_eq!(
        kv.applied_index(),
        2,
        "a duplicate still advances the applied index"
    );
    kv.check_invariants();
}

#[test]
fn retry_returns_the_original_reply_even_after_another_client_changed_the_state() {
    let mut kv = KvState::new();
    let b = Bugs::none();
    kv.apply(1, &Command::new(1, 1, Op::Write { key: 1, value: 10 }), b)
        .unwrap();
    let cas = Command::new(
        2,
        1,
        Op::Cas {
            key: 1,
            from: 10,
            to: 20,
        },
    );
    assert_eq!(kv.apply(2, &cas, b), Ok(Output::CasOk));
    // Client 1 puts the value back, so a re-executed cas would succeed again.
    kv.apply(3, &Command::new(1, 2, Op::Write { key: 1, value: 10 }), b)
        .unwrap();
    assert_eq!(
        kv.apply(4, &cas, b),
        Ok(Output::CasOk),
        "the original reply"
    );
    assert_eq!(kv.int(1), Some(10), "the retried cas did not execute again");

    // A read retried after a write by another client returns what it saw then.
    let read = Command::new(3, 1, Op::Read { key: 1 });
    assert_eq!(kv.apply(5, &read, b), Ok(Output::ReadValue(Some(10))));
    kv.apply(6, &Command::new(1, 3, Op::Write { key: 1, value: 30 }), b)
        .unwrap();
    assert_eq!(kv.apply(7, &read, b), Ok(Output::ReadValue(Some(10))));
    kv.check_invariants();
}

#[test]
fn a_failed_request_is_remembered_as_failed() {
    let mut kv = KvState::new();
    let cas = Command::new(
        1,
        1,
        Op::Cas {
            key: 1,
            from: 0,
            to: 1,
        },
    );
    assert_eq!(kv.apply(1, &cas, Bugs::none()).unwrap_err().code, 20);
    kv.apply(
        2,
        &Command::new(2, 1, Op::Write { key: 1, value: 0 }),
        Bugs::none(),
    )
    .unwrap();
    // Re-executed now, the cas would succeed; the retry must still fail.
    assert_eq!(kv.apply(3, &cas, Bugs::none()).unwrap_err().code, 20);
    assert_eq!(kv.int(1), Some(0));
}

#[test]
fn stale_duplicate_is_rejected_and_not_executed() {
    let mut kv = KvState::new();
    kv.apply(1, &append(1, 1, "a"), Bugs::none()).unwrap();
    kv.apply(2, &append(1, 2, "b"), Bugs::none()).unwrap();
    let err = kv.apply(3, &append(1, 1, "a"), Bugs::none()).unwrap_err();
    assert_eq!(err, KvError::stale_request());
    assert!(
        !err.is_definite(),
        "whether an earlier copy executed is unknown: info"
    );
    assert_eq!(value(&kv), "ab");
    assert_eq!(
        kv.sessions().get(1).map(|s| s.seq),
        Some(2),
        "the session keeps the latest"
    );
    kv.check_invariants();
}

#[test]
fn a_later_seq_executes_and_replaces_the_session() {
    let mut kv = KvState::new();
    kv.apply(1, &append(1, 1, "a"), Bugs::none()).unwrap();
    kv.apply(2, &append(1, 5, "b"), Bugs::none()).unwrap();
    assert_eq!(value(&kv), "ab", "sequence numbers may skip");
    let session = kv.sessions().get(1).cloned();
    assert_eq!(session.map(|s| (s.seq, s.index)), Some((5, 2)));
}

#[test]
fn sessions_of_different_clients_are_independent() {
    let mut kv = KvState::new();
    kv.apply(1, &append(1, 1, "a"), Bugs::none()).unwrap();
    kv.apply(2, &append(2, 1, "b"), Bugs::none()).unwrap();
    kv.apply(3, &append(1, 1, "a"), Bugs::none()).unwrap();
    assert_eq!(value(&kv), "ab");
    assert_eq!(kv.sessions().len(), 2);
}

#[test]
fn snapshot_restore_round_trip_keeps_data_and_sessions() {
    let mut kv = KvState::new();
    kv.apply(
        1,
        &Command::new(1, 1, Op::Write { key: 1, value: 2 }),
        Bugs::none(),
    )
    .unwrap();
    kv.apply_empty(2);
    kv.apply(3, &append(2, 7, "x"), Bugs::none()).unwrap();
    let snap: KvSnapshot = kv.snapshot();
    assert_eq!(snap.applied_index, 3);
    assert_eq!(snap.sessions.len(), 2);
    let restored = KvState::restore(snap.clone());
    assert_eq!(restored, kv);
    assert_eq!(restored.snapshot(), snap);
}

#[test]
fn retry_after_restore_still_deduplicates() {
    // The request commits, the replica snapshots and restarts from the
    // snapshot, then the client's retry commits again (thesis section 6.3:
    // the session table is part of the snapshot).
    let mut kv = KvState::new();
    let req = append(1, 1, "x");
    kv.apply(1, &req, Bugs::none()).unwrap();
    kv.apply(2, &append(2, 1, "y"), Bugs::none()).unwrap();
    let mut restarted = KvState::restore(kv.snapshot());
    assert_eq!(restarted.apply(3, &req, Bugs::none()), Ok(Output::AppendOk));
    assert_eq!(value(&restarted), "xy");
    assert_eq!(
        restarted.apply(4, &append(2, 1, "y"), Bugs::none()),
        Ok(Output::AppendOk)
    );
    assert_eq!(value(&restarted), "xy");
    restarted.check_invariants();
}

#[test]
fn planted_bug_no_dedup_executes_a_retry_twice() {
    let bugs = Bugs::none().with(Bug::NoDedup);
    let mut kv = KvState::new();
    let req = append(1, 1, "x");
    assert_eq!(kv.apply(1, &req, bugs), Ok(Output::AppendOk));
    assert_eq!(kv.apply(2, &req, bugs), Ok(Output::AppendOk));
    assert_eq!(value(&kv), "xx", "the retry was applied again");
    // The same log without the bug.
    let mut good = KvState::new();
    good.apply(1, &req, Bugs::none()).unwrap();
    good.apply(2, &req, Bugs::none()).unwrap();
    assert_eq!(value(&good), "x");
    kv.check_invariants();
}

#[test]
fn planted_bug_no_dedup_re_executes_a_cas_against_the_new_state() {
    let bugs = Bugs::none().with(Bug::NoDedup);
    let mut kv = KvState::new();
    kv.apply(1, &Command::new(1, 1, Op::Write { key: 1, value: 1 }), bugs)
        .unwrap();
    let cas = Command::new(
        2,
        1,
        Op::Cas {
            key: 1,
            from: 1,
            to: 2,
        },
    );
    assert_eq!(kv.apply(2, &cas, bugs), Ok(Output::CasOk));
    assert_eq!(
        kv.apply(3, &cas, bugs).unwrap_err().code,
        22,
        "the retry saw 2"
    );
    assert_eq!(
        kv.sessions().get(2).map(|s| s.index),
        Some(2),
        "the record stays the first"
    );
    kv.check_invariants();
}
