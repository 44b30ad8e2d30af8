//! Malformed histories: each is an error that names the line (and column),
//! never a panic.

use checker::{parse_history, Format, ParseError};
use proptest::prelude::*;

fn edn_error(text: &str) -> ParseError {
    parse_history(text, Format::Edn).expect_err("malformed input")
}

#[test]
fn truncated_edn() {
    let e =
        edn_error("{:type :invoke, :f :read, :value nil, :process 0}\n{:type :ok, :f :read, :val");
    assert_eq!(e.line, 2);
    assert!(
        e.message.contains("unexpected end of input") && e.message.contains("line 2, column 1"),
        "{e}"
    );
    let e = edn_error("[{:type :invoke, :f :read, :process 0}\n");
    assert!(
        e.message
            .contains("the [ opened at line 1, column 1 is not closed"),
        "{e}"
    );
}

#[test]
fn unknown_type() {
    let e =
        edn_error("{:type :invoke, :f :read, :process 0}\n  {:type :done, :f :read, :process 0}");
    assert_eq!((e.line, e.column), (2, 3));
    assert_eq!(
        e.message,
        "unknown :type :done (expected :invoke, :ok, :fail or :info)"
    );
}

#[test]
fn completion_without_invocation() {
    let e = edn_error("; c\n{:type :ok, :f :read, :value 1, :process 4}");
    assert_eq!((e.line, e.column), (2, 1));
    assert_eq!(
        e.message,
        "a :ok completion for process 4 without an invocation"
    );
}

#[test]
fn two_invocations_without_completion() {
    let e = edn_error(
        "{:type :invoke, :f :read, :process 1}\n{:type :invoke, :f :write, :value 2, :process 1}",
    );
    assert_eq!(e.line, 2);
    assert_eq!(
        e.message,
        "process 1 invokes again while its invocation at line 1, column 1 has not completed"
    );
}

#[test]
fn mismatched_function() {
    let e = edn_error("{:type :invoke, :f :read, :process 1}\n{:type :ok, :f :write, :process 1}");
    assert_eq!(e.line, 2);
    assert!(e.message.contains("does not match"), "{e}");
}

#[test]
fn wrong_value_shapes() {
    let e = edn_error("{:type :invoke, :f :write, :value 1.5, :process 1}");
    assert!(
        e.message.starts_with("in :value: unsupported value 1.5"),
        "{e}"
    );
    let e = edn_error("{:type :invoke, :f :write, :value {:a 1}, :process 1}");
    assert!(e.message.contains("unsupported value"), "{e}");
    let e = edn_error("[:not-a-map]");
    assert_eq!((e.line, e.column), (1, 2));
    assert!(e.message.starts_with("expected a map"), "{e}");
}

#[test]
fn invalid_edn_inside_a_map_points_into_it() {
    let e = edn_error(
        "{:type :invoke, :f :read, :process 0}\n{:type :invoke,\n :f :read, :process 1 :x 00}",
    );
    assert_eq!((e.line, e.column), (3, 27));
    assert!(e.message.starts_with("invalid EDN"), "{e}");
    let e = edn_error("{:type :invoke, :f :read, :process 0 :x 01}");
    assert_eq!((e.line, e.column), (1, 42));
}

#[test]
fn missing_fields() {
    assert_eq!(edn_error("{:f :read, :process 0}").message, "missing :type");
    assert_eq!(
        edn_error("{:type :invoke, :process 0}").message,
        "missing :f"
    );
    assert_eq!(
        edn_error("{:type :invoke, :f :read}").message,
        "missing :process"
    );
    assert_eq!(
        edn_error("{:type :invoke, :f :read, :process -1}").message,
        ":process -1 is negative"
    );
}

#[test]
fn json_lines_errors_name_line_and_column() {
    let text = "{\"process\":0,\"f\":\"read\",\"invoke_time\":0,\"complete_time\":1,\"outcome\":\"ok\"}\n\n{\"process\":1,\"f\":\"read\",\"invoke_time\":0,\"outcome\":\"maybe\"}\n";
    let e = parse_history(text, Format::JsonLines).unwrap_err();
    assert_eq!(e.line, 3);
    assert!(e.column > 40, "{e}");
    assert!(e.message.contains("unknown variant `maybe`"), "{e}");
    let e = parse_history(
        "{\"process\":0,\"f\":\"read\",\"invoke_time\":5,\"complete_time\":1,\"outcome\":\"ok\"}",
        Format::JsonLines,
    )
    .unwrap_err();
    assert_eq!(e.line, 1);
    assert!(e.message.contains("before invoke_time"), "{e}");
    let e = parse_history(
        "{\"process\":0,\"f\":\"read\",\"input\":1.5,\"invoke_time\":5,\"outcome\":\"info\"}",
        Format::JsonLines,
    )
    .unwrap_err();
    assert!(e.message.contains("floating-point"), "{e}");
    let e = parse_history("{\"process\":0,", Format::JsonLines).unwrap_err();
    assert_eq!(e.line, 1);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary text (biased towards EDN's characters) never panics.
    #[test]
    fn arbitrary_input_never_panics(text in "[\\[\\](){}#:;\"\\\\ a-z0-9\n,.-]{0,80}") {
        let _ = parse_history(&text, Format::Edn);
        let _ = parse_history(&text, Format::JsonLines);
    }

    /// Valid-looking maps with random fields never panic either.
    #[test]
    fn arbitrary_maps_never_panic(
        ty in prop::sample::select(vec![":invoke", ":ok", ":fail", ":info", ":x", "1", "nil"]),
        f in prop::sample::select(vec![":read", ":write", ":cas", "\"read\"", "3"]),
        value in prop::sample::select(vec!["nil", "1", "[1 2]", "[1 [2 3]]", "\"s\"", "#{1}", "1.0", "-5"]),
        process in prop::sample::select(vec!["0", "1", ":nemesis", "-1", "99999999999999999999"]),
        lines in 1usize..6,
    ) {
        let text = format!("{{:type {ty}, :f {f}, :value {value}, :process {process}}}\n").repeat(lines);
        let _ = parse_history(&text, Format::Edn);
    }
}
