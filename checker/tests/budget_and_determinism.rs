//! Budgets yield `unknown`; verdicts do not depend on thread count; realistic
//! simulated histories are linearizable and corrupting one read is caught.

mod support;

use checker::{check, Budget, History, ModelKind, Operation, Outcome, Value, Verdict};
use support::register_sim::{simulate, SimConfig};
use support::*;

/// Many indeterminate writes of distinct values and a read of a value nobody
/// wrote: not linearizable, but only after trying every subset of the writes.
fn hard_history(writes: u64) -> History {
    let mut ops: Vec<Operation> = (0..writes)
        .map(|p| info(p, "write", int(p as i64), p))
        .collect();
    ops.push(ok(writes, "read", Value::Nil, int(-1), 100, 200));
    history(ops)
}

#[test]
fn state_budget_yields_unknown_deterministically() {
    let h = hard_history(16);
    let budget = Budget::unlimited().with_max_states_per_key(1000);
    let first = check(&h, ModelKind::CasRegister, &budget).unwrap();
    assert_eq!(first.verdict, Verdict::Unknown);
    assert_eq!(
        first.keys[0].reason.as_deref(),
        Some("state budget exhausted (1000 states per key)")
    );
    let second = check(&h, ModelKind::CasRegister, &budget).unwrap();
    assert_eq!(first, second);
    // With room enough, the verdict is found.
    let small = hard_history(8);
    let result = check(&small, ModelKind::CasRegister, &Budget::unlimited()).unwrap();
    assert_eq!(result.verdict, Verdict::NotLinearizable);
}

#[test]
fn stop_callback_yields_unknown() {
    let h = hard_history(22);
    let stop = || true;
    let budget = Budget::unlimited().with_stop(&stop);
    let result = check(&h, ModelKind::CasRegister, &budget).unwrap();
    assert_eq!(result.verdict, Verdict::Unknown);
    assert_eq!(
        result.keys[0].reason.as_deref(),
        Some("time budget exhausted")
    );
}

#[test]
fn memory_budget_yields_unknown() {
    let h = hard_history(22);
    let budget = Budget::unlimited().with_max_memory_bytes(1 << 20);
    let result = check(&h, ModelKind::CasRegister, &budget).unwrap();
    assert_eq!(result.verdict, Verdict::Unknown);
    assert!(result.keys[0]
        .reason
        .as_deref()
        .unwrap()
        .starts_with("memory budget"));
}

#[test]
fn not_linearizable_wins_over_unknown() {
    // Key 0 is hopeless within the budget, key 1 is a plain stale read.
    let mut ops: Vec<Operation> = (0..16)
        .map(|p| info(p, "write", pair(int(0), int(p as i64)), p))
        .collect();
    ops.push(ok(
        100,
        "read",
        pair(int(0), Value::Nil),
        pair(int(0), int(-1)),
        100,
        200,
    ));
    ops.push(ok(101, "write", pair(int(1), int(1)), Value::Nil, 0, 10));
    ops.push(ok(
        102,
        "read",
        pair(int(1), Value::Nil),
        pair(int(1), Value::Nil),
        20,
        30,
    ));
    let budget = Budget::unlimited().with_max_states_per_key(500);
    let result = check(&history(ops), ModelKind::Kv, &budget).unwrap();
    let verdicts: Vec<Verdict> = result.keys.iter().map(|k| k.verdict).collect();
    assert_eq!(verdicts, vec![Verdict::Unknown, Verdict::NotLinearizable]);
    assert_eq!(result.verdict, Verdict::NotLinearizable);
}

fn sim(seed: u64, ops: usize, keys: u64, processes: u64) -> History {
    simulate(SimConfig {
        seed,
        ops,
        keys,
        processes,
        info_per_mille: 20,
        values: 5,
    })
}

#[test]
fn simulated_linearizable_histories_pass() {
    for seed in 0..20 {
        let kv = sim(seed, 2000, 10, 10);
        let result = check(&kv, ModelKind::Kv, &Budget::unlimited()).unwrap();
        assert_eq!(result.verdict, Verdict::Linearizable, "seed {seed}");
        assert_eq!(result.keys.len(), 10);
        let reg = sim(seed, 500, 0, 20);
        let result = check(&reg, ModelKind::CasRegister, &Budget::unlimited()).unwrap();
        assert_eq!(result.verdict, Verdict::Linearizable, "seed {seed}");
    }
}

#[test]
fn corrupting_one_read_is_caught() {
    let mut caught = 0;
    for seed in 0..20 {
        let h = sim(seed, 1000, 0, 5);
        let mut ops = h.ops().to_vec();
        // Make the middle ok read return a value no one ever writes.
        let Some(i) = ops
            .iter()
            .enumerate()
            .filter(|(_, o)| o.f == "read" && o.outcome == Outcome::Ok)
            .map(|(i, _)| i)
            .nth(100)
        else {
            continue;
        };
        ops[i].output = int(99);
        let result = check(&history(ops), ModelKind::CasRegister, &Budget::unlimited()).unwrap();
        assert_eq!(result.verdict, Verdict::NotLinearizable, "seed {seed}");
        let ce = result.counterexamples().next().unwrap();
        assert_eq!(
            ce.unplaced.index, i,
            "seed {seed}: the corrupted read is the one reported"
        );
        caught += 1;
    }
    assert!(caught >= 15);
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let h = sim(7, 3000, 10, 10);
    let mut ops = h.ops().to_vec();
    for op in ops
        .iter_mut()
        .filter(|o| o.f == "read" && o.outcome == Outcome::Ok)
        .step_by(97)
    {
        if let Some((k, _)) = op.output.as_pair() {
            op.output = pair(k.clone(), int(42));
        }
    }
    let h = history(ops);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            check(
                &h,
                ModelKind::Kv,
                &Budget::unlimited().with_max_states_per_key(100_000),
            )
            .unwrap()
        })
    };
    let one = run(1);
    assert_eq!(one.verdict, Verdict::NotLinearizable);
    let json = serde_json::to_string(&one).unwrap();
    for threads in [2, 4, 8] {
        assert_eq!(serde_json::to_string(&run(threads)).unwrap(), json);
    }
}

#[test]
fn simulated_histories_round_trip_through_edn_and_json_lines() {
    use checker::{parse_history, Format};
    for seed in 0..5 {
        // Think times of zero make a process invoke at the very time its
        // previous operation completed: the EDN writer must keep them apart.
        let h = sim(seed, 3000, 10, 10);
        let expected = check(&h, ModelKind::Kv, &Budget::unlimited()).unwrap();
        let edn =
            parse_history(&checker::edn::to_string(&h), Format::Edn).expect("our EDN reads back");
        assert_eq!(edn.len(), h.len());
        let jsonl = parse_history(&checker::jsonl::to_string(&h), Format::JsonLines).unwrap();
        assert_eq!(jsonl.ops(), h.ops());
        for copy in [edn, jsonl] {
            let again = check(&copy, ModelKind::Kv, &Budget::unlimited()).unwrap();
            assert_eq!(again.verdict, expected.verdict, "seed {seed}");
        }
    }
}
