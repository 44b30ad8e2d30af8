//! Histories written the way other tools write them (Maelstrom, Knossos),
//! stored in tests/fixtures, and their verdicts.

mod support;

use std::path::Path;

use checker::{
    check, detect_format, infer_model, parse_history, Budget, Format, History, ModelKind, Outcome,
    Value, Verdict,
};

fn load(name: &str) -> History {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    assert_eq!(detect_format(Some(&path), &text), Format::Edn);
    parse_history(&text, Format::Edn).unwrap_or_else(|e| panic!("{}", e.in_file(name)))
}

fn verdict_of(name: &str) -> (ModelKind, Verdict) {
    let history = load(name);
    let model = infer_model(&history).expect("fixtures have an unambiguous model");
    let result = check(&history, model, &Budget::unlimited()).expect("fixture ops fit");
    (model, result.verdict)
}

#[test]
fn maelstrom_lin_kv_with_nemesis_and_timeouts_is_linearizable() {
    let history = load("maelstrom-lin-kv-ok.edn");
    // 20 lines, 3 of them :nemesis; 17 client events make 9 operations.
    assert_eq!(history.len(), 9);
    let info_write = &history.ops()[1];
    assert_eq!(
        (info_write.f.as_str(), info_write.outcome),
        ("write", Outcome::Info)
    );
    assert_eq!(info_write.input, Value::pair(Value::Int(1), Value::Int(3)));
    // Jepsen :time values are used as they are, in nanoseconds.
    assert_eq!(history.ops()[0].invoke_time, 11_430_218);
    let pending = history.ops().last().unwrap();
    assert_eq!(
        (pending.process, pending.complete_time),
        (0, Some(1_020_000_000))
    );
    assert_eq!(
        verdict_of("maelstrom-lin-kv-ok.edn"),
        (ModelKind::Kv, Verdict::Linearizable)
    );
}

#[test]
fn maelstrom_lin_kv_stale_read_is_caught_on_its_key() {
    let history = load("maelstrom-lin-kv-stale-read.edn");
    let result = check(&history, ModelKind::Kv, &Budget::unlimited()).unwrap();
    assert_eq!(result.verdict, Verdict::NotLinearizable);
    let ce = result.counterexamples().next().unwrap();
    assert_eq!(ce.key, Some(Value::Int(0)));
    assert_eq!(ce.unplaced.f, "read");
    assert_eq!(history.position(ce.unplaced.index).map(|p| p.line), Some(9));
    assert_eq!(result.keys[1].verdict, Verdict::Linearizable);
}

#[test]
fn knossos_cas_register_vector_with_multiline_maps_is_linearizable() {
    let history = load("knossos-cas-register-good.edn");
    assert_eq!(history.len(), 8);
    // Without :time, an operation's times are its events' positions.
    assert_eq!(
        (history.ops()[0].invoke_time, history.ops()[0].complete_time),
        (0, Some(2))
    );
    assert_eq!(
        history.position(2).map(|p| (p.line, p.column)),
        Some((7, 2))
    );
    assert_eq!(
        verdict_of("knossos-cas-register-good.edn"),
        (ModelKind::CasRegister, Verdict::Linearizable)
    );
}

#[test]
fn knossos_cas_register_list_with_stale_cas_is_not_linearizable() {
    assert_eq!(
        verdict_of("knossos-cas-register-bad.edn"),
        (ModelKind::CasRegister, Verdict::NotLinearizable)
    );
}

#[test]
fn kv_append_with_escaped_strings() {
    let history = load("kv-append-escaped.edn");
    assert_eq!(
        history.ops()[0].input,
        Value::pair(Value::from("k\"1"), Value::from("a\nb"))
    );
    assert_eq!(
        verdict_of("kv-append-escaped.edn"),
        (ModelKind::KvAppend, Verdict::Linearizable)
    );
}

#[test]
fn every_fixture_round_trips_through_edn_and_json_lines() {
    for name in [
        "maelstrom-lin-kv-ok.edn",
        "maelstrom-lin-kv-stale-read.edn",
        "knossos-cas-register-good.edn",
        "knossos-cas-register-bad.edn",
        "kv-append-escaped.edn",
    ] {
        let history = load(name);
        let model = infer_model(&history).unwrap();
        let expected = check(&history, model, &Budget::unlimited()).unwrap();
        let edn = checker::edn::to_string(&history);
        let from_edn =
            parse_history(&edn, Format::Edn).unwrap_or_else(|e| panic!("{name}: {e}\n{edn}"));
        let jsonl = checker::jsonl::to_string(&history);
        assert_eq!(detect_format(None, &jsonl), Format::JsonLines);
        let from_jsonl = parse_history(&jsonl, Format::JsonLines).unwrap();
        assert_eq!(
            from_jsonl.ops(),
            history.ops(),
            "{name}: JSON lines are exact"
        );
        for (a, b) in from_edn.ops().iter().zip(history.ops()) {
            assert_eq!(
                (a.process, &a.f, &a.input, a.outcome),
                (b.process, &b.f, &b.input, b.outcome)
            );
        }
        for copy in [from_edn, from_jsonl] {
            let again = check(&copy, model, &Budget::unlimited()).unwrap();
            assert_eq!(again.verdict, expected.verdict, "{name}");
        }
    }
}
