//! Hand-written cases, one per rule of linearizability that the checker
//! must apply (the list), for each model where it applies.

mod support;

use checker::{check, Budget, History, ModelKind, Verdict};
use support::*;

fn verdict(history: &History, model: ModelKind) -> Verdict {
    check(history, model, &Budget::unlimited())
        .expect("ops fit the model")
        .verdict
}

const NIL: checker::Value = checker::Value::Nil;

#[test]
fn stale_read_is_not_linearizable() {
    // write 1, then write 2 completes, then a read returns 1.
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        ok(1, "write", int(2), NIL, 20, 30),
        ok(2, "read", NIL, int(1), 40, 50),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
    let result = check(&h, ModelKind::CasRegister, &Budget::unlimited()).unwrap();
    let ce = result.counterexamples().next().unwrap();
    assert_eq!(
        ce.unplaced.index, 2,
        "the stale read is the op that cannot be placed"
    );
    assert_eq!(ce.linearized_len, 2);
    assert_eq!(ce.state, "2");
    let text = ce.to_string();
    assert!(
        text.contains("#2 process 2 read nil -> 1 ok [40, 50]"),
        "{text}"
    );
}

#[test]
fn read_concurrent_with_a_write_may_see_either_value() {
    for seen in [NIL, int(1)] {
        let h = history(vec![
            ok(0, "write", int(1), NIL, 0, 10),
            ok(1, "read", NIL, seen, 5, 15),
        ]);
        assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
    }
}

#[test]
fn lost_write_is_not_linearizable() {
    // An acknowledged write that a later read does not see.
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        ok(1, "write", int(2), NIL, 0, 12),
        ok(2, "read", NIL, int(2), 20, 30),
        ok(2, "read", NIL, int(1), 40, 50),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        ok(1, "read", NIL, NIL, 20, 30),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
}

#[test]
fn cas_that_succeeded_on_a_stale_value_is_not_linearizable() {
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        ok(1, "write", int(2), NIL, 20, 30),
        ok(2, "cas", pair(int(1), int(3)), NIL, 40, 50),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
    // The same cas concurrent with the second write is fine.
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        ok(1, "write", int(2), NIL, 20, 30),
        ok(2, "cas", pair(int(1), int(3)), NIL, 25, 50),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
}

#[test]
fn info_write_may_take_effect_late() {
    // The write timed out; a read long after still sees nil, a later one sees 1.
    let h = history(vec![
        info(0, "write", int(1), 0),
        ok(1, "read", NIL, NIL, 100, 110),
        ok(1, "read", NIL, int(1), 200, 210),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
    // But it cannot take effect before it was invoked.
    let h = history(vec![
        ok(1, "read", NIL, int(1), 0, 10),
        info(0, "write", int(1), 20),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
    // Nor twice.
    let h = history(vec![
        info(0, "write", int(1), 0),
        ok(1, "read", NIL, int(1), 10, 20),
        ok(2, "write", int(2), NIL, 30, 40),
        ok(1, "read", NIL, int(1), 50, 60),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
}

#[test]
fn info_write_may_never_take_effect() {
    let h = history(vec![
        info(0, "write", int(1), 0),
        ok(1, "read", NIL, NIL, 100, 110),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
    // An indeterminate cas that could never succeed is no obstacle either.
    let h = history(vec![
        ok(1, "write", int(5), NIL, 0, 10),
        info(0, "cas", pair(int(7), int(8)), 20),
        ok(1, "read", NIL, int(5), 30, 40),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
}

#[test]
fn failed_operations_are_ignored() {
    let h = history(vec![
        fail(0, "write", int(1), 0, 10),
        ok(1, "read", NIL, NIL, 20, 30),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
    // A read that sees a failed write's value is a violation.
    let h = history(vec![
        fail(0, "write", int(1), 0, 10),
        ok(1, "read", NIL, int(1), 20, 30),
    ]);
    assert_eq!(
        verdict(&h, ModelKind::CasRegister),
        Verdict::NotLinearizable
    );
    // A failed cas (precondition false) changes nothing.
    let h = history(vec![
        ok(0, "write", int(1), NIL, 0, 10),
        fail(1, "cas", pair(int(2), int(3)), 20, 30),
        ok(2, "read", NIL, int(1), 40, 50),
    ]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
}

#[test]
fn kv_keys_are_independent() {
    let h = history(vec![
        ok(0, "write", pair(int(1), int(5)), NIL, 0, 10),
        ok(1, "read", pair(int(2), NIL), pair(int(2), NIL), 20, 30),
        ok(1, "read", pair(int(1), NIL), pair(int(1), int(5)), 40, 50),
    ]);
    let result = check(&h, ModelKind::Kv, &Budget::unlimited()).unwrap();
    assert_eq!(result.verdict, Verdict::Linearizable);
    assert_eq!(result.keys.len(), 2);
    // A stale read on key 2 only fails key 2.
    let h = history(vec![
        ok(0, "write", pair(int(1), int(5)), NIL, 0, 10),
        ok(0, "write", pair(int(2), int(5)), NIL, 11, 19),
        ok(1, "read", pair(int(2), NIL), pair(int(2), NIL), 20, 30),
    ]);
    let result = check(&h, ModelKind::Kv, &Budget::unlimited()).unwrap();
    assert_eq!(result.verdict, Verdict::NotLinearizable);
    let verdicts: Vec<Verdict> = result.keys.iter().map(|k| k.verdict).collect();
    assert_eq!(
        verdicts,
        vec![Verdict::Linearizable, Verdict::NotLinearizable]
    );
    assert_eq!(result.keys[1].key, Some(int(2)));
}

#[test]
fn kv_append_orders_appends() {
    let h = history(vec![
        ok(0, "append", pair(s("k"), s("a")), NIL, 0, 10),
        ok(1, "append", pair(s("k"), s("b")), NIL, 20, 30),
        ok(2, "get", pair(s("k"), NIL), pair(s("k"), s("ab")), 40, 50),
    ]);
    assert_eq!(verdict(&h, ModelKind::KvAppend), Verdict::Linearizable);
    let h = history(vec![
        ok(0, "append", pair(s("k"), s("a")), NIL, 0, 10),
        ok(1, "append", pair(s("k"), s("b")), NIL, 20, 30),
        ok(2, "get", pair(s("k"), NIL), pair(s("k"), s("ba")), 40, 50),
    ]);
    assert_eq!(verdict(&h, ModelKind::KvAppend), Verdict::NotLinearizable);
    // A get of a missing key returns "" (or nil); a put replaces.
    let h = history(vec![
        ok(2, "get", pair(s("k"), NIL), pair(s("k"), NIL), 0, 5),
        ok(0, "put", pair(s("k"), s("x")), NIL, 10, 20),
        info(1, "append", pair(s("k"), s("y")), 21),
        ok(2, "get", pair(s("k"), NIL), pair(s("k"), s("xy")), 30, 40),
    ]);
    assert_eq!(verdict(&h, ModelKind::KvAppend), Verdict::Linearizable);
}

#[test]
fn empty_and_all_failed_histories_are_linearizable() {
    assert_eq!(
        verdict(&history(vec![]), ModelKind::Kv),
        Verdict::Linearizable
    );
    let h = history(vec![fail(0, "write", int(1), 0, 10)]);
    assert_eq!(verdict(&h, ModelKind::CasRegister), Verdict::Linearizable);
}

#[test]
fn wrong_shapes_are_errors_naming_the_operation() {
    let h = history(vec![ok(0, "cas", int(3), NIL, 0, 1)]);
    let e = check(&h, ModelKind::CasRegister, &Budget::unlimited()).unwrap_err();
    assert_eq!(e.op_index, 0);
    assert_eq!(e.message, "cas expects [old new], got 3");
    let h = history(vec![ok(0, "write", int(3), NIL, 0, 1)]);
    let e = check(&h, ModelKind::Kv, &Budget::unlimited()).unwrap_err();
    assert_eq!(e.message, "write expects a [key value] tuple, got 3");
    let h = history(vec![ok(0, "frob", NIL, NIL, 0, 1)]);
    assert!(check(&h, ModelKind::CasRegister, &Budget::unlimited()).is_err());
}

#[test]
fn invalid_histories_are_rejected() {
    let e = History::new(vec![ok(0, "read", NIL, NIL, 10, 5)]).unwrap_err();
    assert!(e.message.contains("before invoke_time"), "{e}");
    let e = History::new(vec![
        ok(0, "read", NIL, NIL, 0, 10),
        ok(0, "read", NIL, NIL, 5, 15),
    ])
    .unwrap_err();
    assert!(e.message.contains("still in flight"), "{e}");
}

#[test]
fn model_is_inferred_when_unambiguous() {
    use checker::infer_model;
    let reg = history(vec![
        ok(0, "write", int(1), NIL, 0, 1),
        ok(0, "cas", pair(int(1), int(2)), NIL, 2, 3),
    ]);
    assert_eq!(infer_model(&reg), Ok(ModelKind::CasRegister));
    let kv = history(vec![ok(
        0,
        "cas",
        pair(int(1), pair(int(1), int(2))),
        NIL,
        0,
        1,
    )]);
    assert_eq!(infer_model(&kv), Ok(ModelKind::Kv));
    let app = history(vec![ok(0, "append", pair(s("k"), s("x")), NIL, 0, 1)]);
    assert_eq!(infer_model(&app), Ok(ModelKind::KvAppend));
    // Only reads of nil: no way to tell a register from a key.
    let ambiguous = history(vec![
        ok(0, "write", pair(int(1), int(2)), NIL, 0, 1),
        ok(0, "read", NIL, NIL, 2, 3),
    ]);
    assert!(infer_model(&ambiguous).is_err());
}
