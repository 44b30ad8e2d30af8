//! Scenario files: the parsed form of small files (golden), one test per kind
//! of mistake with its line and column, and no panic on any text.

use proptest::prelude::*;
use scenarios::{parse, Scenario, ScenarioError};

fn error_of(text: &str) -> ScenarioError {
    match parse(text, "dir/s.toml") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e,
    }
}

/// Asserts where an error points and that its message says `expected`.
fn assert_error(text: &str, line: usize, column: usize, says: &str) {
    let e = error_of(text);
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert_eq!(e.origin, "dir/s.toml");
    assert!(e.message.contains(says), "{e}");
    assert!(!e.message.contains('\n'), "one line: {e:?}");
    assert!(e
        .to_string()
        .starts_with(&format!("dir/s.toml:{line}:{column}: ")));
}

#[test]
fn the_example_file_is_the_default_scenario() {
    let text = include_str!("../examples/default.toml");
    let parsed = parse(text, "scenarios/examples/default.toml").expect("the example parses");
    assert_eq!(parsed, Scenario::default());
}

#[test]
fn an_empty_file_is_the_default_named_after_the_file() {
    let parsed = parse("", "some/where/quiet.toml").expect("an empty file parses");
    let expected = Scenario {
        name: "quiet".into(),
        description: String::new(),
        ..Scenario::default()
    };
    assert_eq!(parsed, expected);
}

#[test]
fn golden_three_nodes_uniform_latency_no_faults() {
    let text = r#"
description = "3 nodes on a calm network"

[cluster]
nodes = 3
bugs = ["figure8-commit"]

[network]
drop_ratio_max = 0.0
latency = { kind = "uniform", min_ms = 0.0, max_ms = 26.0 }

[faults]
enabled = false

[phases]
faulty_ms = 2000
healing_ms = 1000
"#;
    insta::assert_debug_snapshot!(parse(text, "calm.toml"));
}

#[test]
fn golden_kv824_open_loop_reads_through_the_log() {
    let text = r#"
name = "kv-open"

[workload]
kind = "kv824"
mode = "open"
rate_per_s = 250.5
clients = 20
read_mode = "log"

[network.latency]
kind = "exponential"
min_ms = 2.0
mean_ms = 5.0
"#;
    insta::assert_debug_snapshot!(parse(text, "kv.toml"));
}

#[test]
fn golden_crashes_only_constant_latency() {
    let text = r#"
[faults]
swarm = false
kinds = ["crash"]
duration_ms_min = 100
duration_ms_max = 100

[network]
latency.kind = "constant"
latency.ms = 5.0

[clock]
drift_ppm_max = 0
"#;
    insta::assert_debug_snapshot!(parse(text, "crashes.toml"));
}

#[test]
fn a_syntax_error_points_at_the_bad_text() {
    assert_error("[cluster]\nnodes = = 3\n", 2, 9, "expected");
}

#[test]
fn an_unterminated_string_is_a_syntax_error() {
    // Reported where the closing quote was expected: the end of the line.
    assert_error(
        "name = \"open\n",
        1,
        13,
        "invalid basic string, expected `\"`",
    );
}

#[test]
fn an_unknown_key_points_at_the_key_and_lists_the_known_ones() {
    assert_error(
        "[cluster]\nnodes = 3\nnodez = 5\n",
        3,
        1,
        "unknown field `nodez`, expected one of `nodes`",
    );
}

#[test]
fn an_unknown_key_of_a_latency_kind_points_at_the_key() {
    assert_error(
        "[network.latency]\nkind = \"uniform\"\nms = 3\n",
        3,
        1,
        "unknown field `ms`, expected `min_ms` or `max_ms`",
    );
    assert_error(
        "[network]\nlatency = { kind = \"uniform\", ms = 3 }\n",
        2,
        31,
        "unknown field `ms`",
    );
}

#[test]
fn an_unknown_section_is_an_unknown_key() {
    assert_error(
        "[expectations]\nlinearizable = true\n",
        1,
        2,
        "unknown field `expectations`",
    );
}

#[test]
fn a_wrong_type_points_at_the_value() {
    assert_error("[cluster]\nnodes = \"five\"\n", 2, 9, "expected usize");
}

#[test]
fn an_unknown_variant_lists_the_known_ones() {
    assert_error(
        "[workload]\nkind = \"etcd\"\n",
        2,
        8,
        "unknown variant `etcd`, expected `lin-kv` or `kv824`",
    );
}

#[test]
fn a_minimum_above_its_maximum_points_at_the_minimum() {
    assert_error(
        "[cluster]\nelection_timeout_ticks_max = 10\nelection_timeout_ticks_min = 20\n",
        3,
        1,
        "cluster.election_timeout_ticks_min: expected 2 <= min <= max",
    );
}

#[test]
fn a_maximum_below_the_default_minimum_points_at_the_maximum() {
    // The minimum is the default 15; the key the user wrote is the maximum.
    assert_error(
        "[cluster]\n  election_timeout_ticks_max = 10\n",
        2,
        3,
        "got min 15 and max 10",
    );
}

#[test]
fn a_ratio_out_of_range_points_at_its_key() {
    assert_error(
        "[network]\nduplicate_ratio_max = 0.0\ndrop_ratio_max = 1.5\n",
        3,
        1,
        "a ratio in [0, 1], got 1.5",
    );
}

#[test]
fn an_impossible_value_of_an_absent_key_points_at_its_section() {
    // heartbeat_ticks keeps its default 3, which the new minimum makes too long.
    assert_error(
        "name = \"x\"\n\n[cluster]\nelection_timeout_ticks_min = 3\n",
        3,
        2,
        "cluster.heartbeat_ticks",
    );
}

#[test]
fn a_nested_table_key_is_found_in_dotted_and_inline_form() {
    assert_error(
        "[network]\nlatency = { kind = \"long-tail\", min_ms = 1.0, max_ms = 2.0, tail_ratio = 2.0, tail_min_ms = 1.0, tail_max_ms = 2.0 }\n",
        2,
        61,
        "network.latency.tail_ratio",
    );
    assert_error(
        "[network.latency]\nkind = \"uniform\"\nmin_ms = 5.0\nmax_ms = nan\n",
        1,
        10,
        "network.latency",
    );
}

#[test]
fn huge_weights_do_not_overflow() {
    let text = "[workload]\nread_weight = 4294967295\nwrite_weight = 4294967295\ncas_weight = 4294967295\n";
    assert!(parse(text, "w.toml").is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Err(e) = parse(&text, "p.toml") {
            prop_assert!(e.line >= 1 && e.column >= 1);
        }
    }

    /// Text made of TOML's own pieces reaches deeper than random characters.
    #[test]
    fn toml_like_text_never_panics(pieces in prop::collection::vec(prop::sample::select(vec![
        "[cluster]", "[network.latency]", "[workload]", "[faults]", "[[phases]]",
        "nodes", "kind", "min_ms", "max_ms", "kinds", "tail_ratio", "drop_ratio_max",
        "election_timeout_ticks_min", "heartbeat_ticks", "rate_per_s", "mode",
        " = ", "\n", "\"", "'", "3", "-1", "1e400", "nan", "inf", "0.5",
        "\"crash\"", "\"open\"", "\"uniform\"", "[", "]", "{", "}", ",", ".", "é", "#",
        "9999999999999999999999",
    ]), 0..40)) {
        let text: String = pieces.concat();
        if let Err(e) = parse(&text, "p.toml") {
            prop_assert!(e.line >= 1 && e.column >= 1);
            prop_assert!(e.line <= text.lines().count().max(1) + 1);
        }
    }
}

#[test]
fn the_readme_example_parses() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("```toml\n")
        .expect("a toml example in the README")
        + 8;
    let len = readme[start..].find("```").expect("the example ends");
    let parsed = parse(&readme[start..start + len], "README.md").expect("the example parses");
    assert_eq!(parsed.name, "calm-kv824");
    assert_eq!(parsed.cluster.nodes, 3);
}

/// `to_toml` writes what `parse` reads back to the same scenario: every
/// catalogue file, the default, and a script with fractional waits (as
/// `raftsim shrink` writes them).
#[test]
fn written_scenarios_read_back_the_same() {
    let mut all: Vec<scenarios::Scenario> = scenarios::CATALOGUE
        .iter()
        .map(|(name, text)| scenarios::parse(text, name).expect("the catalogue parses"))
        .collect();
    all.push(scenarios::Scenario::default());
    let script =
        "[[steps]]\ndo = \"wait\"\nms = 1003.155\n\n[[steps]]\ndo = \"isolate\"\ntarget = 2\n";
    all.push(scenarios::parse(script, "script.toml").expect("parses"));
    for scenario in all {
        let text = scenarios::to_toml(&scenario).expect("writes");
        let back = scenarios::parse(&text, "written.toml")
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", scenario.name));
        assert_eq!(back, scenario, "{text}");
    }
}

#[test]
fn a_wait_takes_fractional_milliseconds_but_not_negative_ones() {
    let ok = "[[steps]]\ndo = \"wait\"\nms = 0.001\n";
    assert!(scenarios::parse(ok, "w.toml").unwrap().validate().is_ok());
    let bad = "[[steps]]\ndo = \"wait\"\nms = -1.5\n";
    let error = scenarios::parse_checked(bad, "w.toml", &|_| Ok(()))
        .expect_err("a negative wait is refused");
    let message = error.to_string();
    assert!(message.starts_with("w.toml:3:"), "{message}");
    assert!(message.contains("milliseconds"), "{message}");
}
