//! The KV state machine's operations, one client, no retries: Maelstrom lin-kv
//! (`read`, `write`, `cas` on integers) and MIT 6.824 Lab 3 (`Get`, `Put`,
//! `Append` on strings).

use raft_core::kv::{Command, KvError, KvState, Op, Output, Reply};
use raft_core::Bugs;
use std::sync::Arc;

/// Applies commands of one client at consecutive log indexes.
struct Replica {
    kv: KvState,
    next_seq: u64,
}

impl Replica {
    fn new() -> Replica {
        Replica {
            kv: KvState::new(),
            next_seq: 1,
        }
    }

    fn run(&mut self, op: Op) -> Reply {
        let index = self.kv.applied_index() + 1;
        let cmd = Command::new(1, self.next_seq, op);
        self.next_seq += 1;
        let reply = self.kv.apply(index, &cmd, Bugs::none());
        self.kv.check_invariants();
        reply
    }
}

fn s(text: &str) -> Arc<str> {
    Arc::from(text)
}

#[test]
fn lin_kv_read_of_missing_key_is_key_does_not_exist() {
    let mut r = Replica::new();
    let err = r.run(Op::Read { key: 1 }).unwrap_err();
    assert_eq!(err.code, 20);
    assert_eq!(err, KvError::key_does_not_exist());
    assert!(
        err.is_definite(),
        "a read that found nothing had no effect: fail"
    );
}

#[test]
fn lin_kv_write_then_read() {
    let mut r = Replica::new();
    assert_eq!(r.run(Op::Write { key: 1, value: 10 }), Ok(Output::Written));
    assert_eq!(r.run(Op::Read { key: 1 }), Ok(Output::ReadValue(Some(10))));
    assert_eq!(r.run(Op::Write { key: 1, value: 11 }), Ok(Output::Written));
    assert_eq!(r.run(Op::Read { key: 1 }), Ok(Output::ReadValue(Some(11))));
    assert_eq!(
        r.run(Op::Read { key: 2 }).unwrap_err().code,
        20,
        "keys are independent"
    );
}

#[test]
fn lin_kv_cas_that_matches_sets_the_value() {
    let mut r = Replica::new();
    r.run(Op::Write { key: 3, value: 1 }).unwrap();
    assert_eq!(
        r.run(Op::Cas {
            key: 3,
            from: 1,
            to: 2
        }),
        Ok(Output::CasOk)
    );
    assert_eq!(r.kv.int(3), Some(2));
}

#[test]
fn lin_kv_cas_that_mismatches_is_precondition_failed_and_changes_nothing() {
    let mut r = Replica::new();
    r.run(Op::Write { key: 3, value: 1 }).unwrap();
    let err = r
        .run(Op::Cas {
            key: 3,
            from: 5,
            to: 2,
        })
        .unwrap_err();
    assert_eq!(err.code, 22);
    assert!(err.is_definite());
    assert_eq!(r.kv.int(3), Some(1));
}

#[test]
fn lin_kv_cas_on_missing_key_is_key_does_not_exist_and_creates_nothing() {
    let mut r = Replica::new();
    let err = r
        .run(Op::Cas {
            key: 4,
            from: 0,
            to: 1,
        })
        .unwrap_err();
    assert_eq!(err.code, 20);
    assert_eq!(r.kv.int(4), None);
    assert_eq!(r.kv.key_count(), 0);
}

#[test]
fn mit_6824_get_of_missing_key_is_empty_string() {
    let mut r = Replica::new();
    assert_eq!(r.run(Op::Get { key: s("k") }), Ok(Output::GetValue(s(""))));
    assert_eq!(r.kv.string("k"), None, "a Get creates nothing");
}

#[test]
fn mit_6824_put_replaces() {
    let mut r = Replica::new();
    assert_eq!(
        r.run(Op::Put {
            key: s("k"),
            value: s("a")
        }),
        Ok(Output::PutOk)
    );
    assert_eq!(
        r.run(Op::Put {
            key: s("k"),
            value: s("b")
        }),
        Ok(Output::PutOk)
    );
    assert_eq!(r.run(Op::Get { key: s("k") }), Ok(Output::GetValue(s("b"))));
}

#[test]
fn mit_6824_append_concatenates_and_starts_from_empty() {
    let mut r = Replica::new();
    assert_eq!(
        r.run(Op::Append {
            key: s("k"),
            value: s("x0 ")
        }),
        Ok(Output::AppendOk)
    );
    assert_eq!(
        r.run(Op::Append {
            key: s("k"),
            value: s("x1 ")
        }),
        Ok(Output::AppendOk)
    );
    assert_eq!(
        r.run(Op::Get { key: s("k") }),
        Ok(Output::GetValue(s("x0 x1 ")))
    );
    r.run(Op::Put {
        key: s("k"),
        value: s("y"),
    })
    .unwrap();
    r.run(Op::Append {
        key: s("k"),
        value: s("z"),
    })
    .unwrap();
    assert_eq!(r.kv.string("k").map(|v| &**v), Some("yz"));
}

#[test]
fn integer_and_string_key_spaces_are_separate() {
    let mut r = Replica::new();
    r.run(Op::Write { key: 1, value: 7 }).unwrap();
    assert_eq!(r.run(Op::Get { key: s("1") }), Ok(Output::GetValue(s(""))));
    r.run(Op::Put {
        key: s("2"),
        value: s("v"),
    })
    .unwrap();
    assert_eq!(r.run(Op::Read { key: 2 }).unwrap_err().code, 20);
}

#[test]
fn query_answers_reads_like_the_log_and_has_no_effect() {
    let mut r = Replica::new();
    r.run(Op::Write { key: 1, value: 9 }).unwrap();
    r.run(Op::Append {
        key: s("k"),
        value: s("v"),
    })
    .unwrap();
    let before = r.kv.clone();
    assert_eq!(
        r.kv.query(&Op::Read { key: 1 }),
        Some(Ok(Output::ReadValue(Some(9))))
    );
    assert_eq!(
        r.kv.query(&Op::Read { key: 2 }),
        Some(Err(KvError::key_does_not_exist()))
    );
    assert_eq!(
        r.kv.query(&Op::Get { key: s("k") }),
        Some(Ok(Output::GetValue(s("v"))))
    );
    assert_eq!(
        r.kv.query(&Op::Append {
            key: s("k"),
            value: s("v")
        }),
        None
    );
    assert_eq!(r.kv, before, "query must not change the state");
}

#[test]
fn replicas_applying_the_same_log_are_equal() {
    // State machine safety (Raft section 5.4.3) needs a deterministic machine.
    let log: Vec<Command> = (1..=50u64)
        .map(|i| {
            let op = match i % 4 {
                0 => Op::Write {
                    key: i % 5,
                    value: i,
                },
                1 => Op::Cas {
                    key: i % 5,
                    from: i - 1,
                    to: i,
                },
                2 => Op::Append {
                    key: Arc::from(format!("k{}", i % 3)),
                    value: Arc::from(format!("{i},")),
                },
                _ => Op::Read { key: i % 5 },
            };
            Command::new(i % 7, i, op)
        })
        .collect();
    let mut a = KvState::new();
    let mut b = KvState::new();
    for (i, cmd) in log.iter().enumerate() {
        let index = i as u64 + 1;
        assert_eq!(
            a.apply(index, cmd, Bugs::none()),
            b.apply(index, cmd, Bugs::none())
        );
    }
    assert_eq!(a, b);
    assert_eq!(a.snapshot(), b.snapshot());
}
