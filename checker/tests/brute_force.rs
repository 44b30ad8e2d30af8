//! Property: on thousands of small random histories (up to 8 operations,
//! mixed ok/fail/info outcomes), the checker agrees with a brute-force search
//! over every order of every admissible subset of operations.

mod support;

use checker::model::{CasRegister, Kv, KvAppend};
use checker::{check, Budget, History, Model, ModelKind, Outcome, Verdict};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use support::random::{build, Step};
use support::register_sim::{simulate, SimConfig};

fn steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
        )
            .prop_map(|(process, kind, a, b, outcome)| Step {
                process,
                kind,
                a,
                b,
                outcome,
            }),
        0..28,
    )
}

fn show(history: &History) -> String {
    let mut out = String::new();
    for (i, o) in history.ops().iter().enumerate() {
        out.push_str(&format!(
            "  #{i} p{} {} {} -> {} {} [{}, {:?}]\n",
            o.process, o.f, o.input, o.output, o.outcome, o.invoke_time, o.complete_time
        ));
    }
    out
}

fn agrees<M: Model>(history: &History, kind: ModelKind, model: &M) -> Result<(), TestCaseError> {
    let expected = support::brute::linearizable(history, model);
    let result = check(history, kind, &Budget::unlimited()).expect("generated ops fit the model");
    let verdict = if expected {
        Verdict::Linearizable
    } else {
        Verdict::NotLinearizable
    };
    prop_assert_eq!(
        result.verdict,
        verdict,
        "history:\n{}\nresult: {:#?}",
        show(history),
        result
    );
    for ce in result.counterexamples() {
        // The op that could not be placed had completed: it had to be placed.
        prop_assert_eq!(ce.unplaced.outcome, Outcome::Ok);
        prop_assert!(ce.linearized_len >= ce.linearized.len());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn cas_register_agrees_with_brute_force(steps in steps()) {
        let history = build(ModelKind::CasRegister, &steps, 8);
        agrees(&history, ModelKind::CasRegister, &CasRegister)?;
    }

    #[test]
    fn kv_agrees_with_brute_force(steps in steps()) {
        let history = build(ModelKind::Kv, &steps, 8);
        agrees(&history, ModelKind::Kv, &Kv)?;
    }

    #[test]
    fn kv_append_agrees_with_brute_force(steps in steps()) {
        let history = build(ModelKind::KvAppend, &steps, 8);
        agrees(&history, ModelKind::KvAppend, &KvAppend)?;
    }
}

#[test]
fn random_histories_cover_both_verdicts_and_all_outcomes() {
    // Guards against a generator that only ever produces trivial histories.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut yes, mut no, mut infos, mut fails) = (0, 0, 0, 0);
    for _ in 0..2000 {
        let steps = steps().new_tree(&mut runner).unwrap().current();
        let history = build(ModelKind::CasRegister, &steps, 8);
        infos += history
            .ops()
            .iter()
            .filter(|o| o.outcome == Outcome::Info)
            .count();
        fails += history
            .ops()
            .iter()
            .filter(|o| o.outcome == Outcome::Fail)
            .count();
        if support::brute::linearizable(&history, &CasRegister) {
            yes += 1;
        } else {
            no += 1;
        }
    }
    assert!(yes > 200 && no > 200, "linearizable {yes}, not {no}");
    assert!(infos > 500 && fails > 500, "info {infos}, fail {fails}");
}

fn medium_steps() -> impl Strategy<Value = Vec<Step>> {
    prop::collection::vec(
        (0u8..4, any::<u8>(), any::<u8>(), any::<u8>(), any::<u8>()).prop_map(
            |(process, kind, a, b, outcome)| Step {
                process,
                kind,
                a,
                b,
                outcome,
            },
        ),
        10..48,
    )
}

fn agrees_with_reference<M: Model>(
    history: &History,
    kind: ModelKind,
    model: &M,
) -> Result<(), TestCaseError> {
    let expected = support::brute::reference_linearizable(history, model);
    let result = check(history, kind, &Budget::unlimited()).expect("generated ops fit the model");
    let verdict = if expected {
        Verdict::Linearizable
    } else {
        Verdict::NotLinearizable
    };
    prop_assert_eq!(result.verdict, verdict, "history:\n{}", show(history));
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Medium histories (up to 20 operations, 3 processes) against a plain
    /// memoised reference search, to exercise the list, the compact memo keys
    /// and the forced moves where brute force cannot reach.
    #[test]
    fn medium_histories_agree_with_reference_search(steps in medium_steps(), model in 0u8..3) {
        let kind = [ModelKind::CasRegister, ModelKind::Kv, ModelKind::KvAppend][usize::from(model)];
        let history = build(kind, &steps, 20);
        match kind {
            ModelKind::CasRegister => agrees_with_reference(&history, kind, &CasRegister)?,
            ModelKind::Kv => agrees_with_reference(&history, kind, &Kv)?,
            ModelKind::KvAppend => agrees_with_reference(&history, kind, &KvAppend)?,
        }
    }
}

#[test]
fn reference_search_agrees_with_brute_force() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..1000 {
        let steps = steps().new_tree(&mut runner).unwrap().current();
        let history = build(ModelKind::CasRegister, &steps, 8);
        assert_eq!(
            support::brute::reference_linearizable(&history, &CasRegister),
            support::brute::linearizable(&history, &CasRegister),
            "{}",
            show(&history)
        );
    }
}

#[test]
fn medium_histories_cover_both_verdicts() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut yes, mut no) = (0, 0);
    for _ in 0..500 {
        let steps = medium_steps().new_tree(&mut runner).unwrap().current();
        let history = build(ModelKind::CasRegister, &steps, 20);
        if support::brute::reference_linearizable(&history, &CasRegister) {
            yes += 1;
        } else {
            no += 1;
        }
    }
    println!("medium histories: {yes} linearizable, {no} not");
    assert!(yes >= 50 && no >= 50, "linearizable {yes}, not {no}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Long single-register histories from the simulated store (up to 160
    /// operations and 8 processes, so the checker's bitsets span several
    /// words and its compact memo keys matter), half of them with one read
    /// corrupted, against the reference search.
    #[test]
    fn long_histories_agree_with_reference_search(
        seed in any::<u64>(),
        ops in 70usize..160,
        processes in 3u64..8,
        info_per_mille in 0u32..150,
        corrupt in prop::option::of(0usize..40),
    ) {
        let sim = simulate(SimConfig { seed, ops, keys: 0, processes, info_per_mille, values: 3 });
        let mut ops = sim.ops().to_vec();
        if let Some(nth) = corrupt {
            if let Some(op) = ops.iter_mut().filter(|o| o.f == "read" && o.outcome == Outcome::Ok).nth(nth) {
                op.output = match op.output { checker::Value::Int(v) => checker::Value::Int((v + 1) % 3), _ => checker::Value::Int(0) };
            }
        }
        let history = History::new(ops).unwrap();
        agrees_with_reference(&history, ModelKind::CasRegister, &CasRegister)?;
    }
}
