//! Golden output of the summaries people and scripts read, from fixed
//! hand-made outcomes. Review every snapshot change; never accept blindly.

use reports::{
    render_terminal, summarize, to_json, to_junit, RunSpec, RunSummary, SeedSpan, Shard,
};
use simulator::{
    EngineStats, Failure, FailureKind, OpCounts, ProtocolStats, RunOutcome, WorkloadStats,
};
use std::time::Duration;

/// Client operations of one hand-made seed: reads, writes and cas with
/// latencies spread from 2 ms to a 1 s timeout, and some time without a
/// leader. 600 operations complete (ok or fail), as `operations_completed`.
fn workload(seed: u64) -> WorkloadStats {
    let mut stats = WorkloadStats {
        leaderless_us: 400_000 + seed * 1_000,
        ..WorkloadStats::default()
    };
    // (name, ok, fail, info, latency step in µs)
    for (name, ok, fail, info, step_us) in [
        ("cas", 40, 160, 8, 450),
        ("read", 190, 10, 2, 120),
        ("write", 200, 0, 9, 150),
    ] {
        let mut c = OpCounts {
            ok,
            fail,
            info,
            ..OpCounts::default()
        };
        for i in 0..ok + fail {
            // Most operations are fast; every 50th waits for the 1 s timeout.
            let us = if i % 50 == 49 {
                1_000_000
            } else {
                2_000 + (i * step_us + seed * 10) % 40_000
            };
            c.latency.record(us);
        }
        stats.ops.insert(name.to_string(), c);
    }
    stats
}

fn outcome(seed: u64, failure: Option<(FailureKind, &str)>) -> RunOutcome {
    RunOutcome {
        seed,
        failure: failure.map(|(kind, message)| Failure {
            kind,
            message: message.to_string(),
            at_us: 1_234_567,
        }),
        trace_hash: 0x9f2c_0000_0000_0000 ^ seed.wrapping_mul(0x0101_0101_0101),
        events: 18_000 + seed,
        virtual_us: 15_000_000 + seed * 7,
        engine: EngineStats {
            messages_sent: 4_000,
            messages_delivered: 3_800,
            messages_dropped: 150,
            messages_duplicated: 50,
            syncs: 900,
            crashes: 2,
            restarts: 2,
            partitions: 3,
            requests_sent: 700,
            responses_delivered: 650,
            client_messages_dropped: 20,
            retries: 30,
            redirects: 40,
            timeouts: 5,
            operations_completed: 600,
            open_loop_arrivals_skipped: 0,
            ..EngineStats::default()
        },
        protocol: ProtocolStats {
            leader_elections: 4,
            max_term: 6,
            committed_entries: 640,
            committed_commands: 630,
            ..ProtocolStats::default()
        },
        workload: workload(seed),
    }
}

fn spec(bugs: &[&str]) -> RunSpec {
    RunSpec {
        scenario: "default".to_string(),
        seeds: SeedSpan { start: 0, end: 20 },
        shard: None,
        bugs: bugs.iter().map(|b| b.to_string()).collect(),
    }
}

/// 20 seeds: 12 safety failures (more than are listed), one limit, one panic.
fn failing_run() -> RunSummary {
    let outcomes: Vec<RunOutcome> = (0..20)
        .map(|seed| match seed {
            3 => outcome(seed, Some((FailureKind::Limit, "event budget of 2000000 events exhausted"))),
            5 => outcome(seed, Some((FailureKind::Panic, "panicked at raft-core/src/log.rs:10:5:\nindex out of range"))),
            s if s % 3 == 1 && s > 9 => outcome(
                seed,
                Some((FailureKind::Safety, "leader completeness (Raft section 5.4): node 2 became leader of term 9 without committed entry 12")),
            ),
            s if s % 3 != 2 && s != 0 => outcome(
                seed,
                Some((FailureKind::Safety, "state machine safety (Raft section 5.4.3): nodes 1 and 3 applied different commands at index 7")),
            ),
            _ => outcome(seed, None),
        })
        .collect();
    summarize(
        &spec(&["figure8-commit"]),
        &outcomes,
        Duration::from_millis(1_500),
    )
}

fn passing_run() -> RunSummary {
    let outcomes: Vec<RunOutcome> = (0..4).map(|seed| outcome(seed, None)).collect();
    let mut spec = spec(&[]);
    spec.seeds = SeedSpan { start: 0, end: 4 };
    summarize(&spec, &outcomes, Duration::from_millis(20))
}

#[test]
fn terminal_summary_of_a_failing_run() {
    insta::assert_snapshot!(render_terminal(&failing_run(), false));
}

#[test]
fn terminal_summary_of_a_passing_run() {
    insta::assert_snapshot!(render_terminal(&passing_run(), false));
}

#[test]
fn terminal_summary_in_colour_only_styles() {
    let summary = failing_run();
    let coloured = render_terminal(&summary, true);
    assert!(coloured.contains("\x1b["));
    assert!(!render_terminal(&summary, false).contains('\x1b'));
    let stripped = coloured
        .split("\x1b[")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once('m').map_or(part, |p| p.1)
            }
        })
        .collect::<String>();
    assert_eq!(stripped, render_terminal(&summary, false));
}

#[test]
fn json_of_a_failing_run() {
    insta::assert_snapshot!(to_json(&failing_run()).expect("serialisable"));
}

#[test]
fn json_of_a_passing_sharded_run() {
    let outcomes: Vec<RunOutcome> = [1, 4].iter().map(|&seed| outcome(seed, None)).collect();
    let mut spec = spec(&[]);
    spec.seeds = SeedSpan { start: 0, end: 6 };
    spec.shard = Some(Shard { index: 1, count: 3 });
    let summary = summarize(&spec, &outcomes, Duration::from_millis(7));
    insta::assert_snapshot!(to_json(&summary).expect("serialisable"));
}

#[test]
fn json_layout_parses_to_the_serde_value() {
    for summary in [failing_run(), passing_run()] {
        let text = to_json(&summary).expect("serialisable");
        let parsed: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(
            parsed,
            serde_json::to_value(&summary).expect("serialisable")
        );
    }
}

#[test]
fn json_has_every_seed_and_the_cli_md_fields() {
    let summary = failing_run();
    let value = serde_json::to_value(&summary).expect("serialisable");
    let keys: Vec<&str> = value
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    // CLI.md's fields, all of them, and only the added `bugs`, `stats` and
    // `totals` besides (`shard` too, in a sharded run).
    let cli_md = [
        "scenario", "seeds", "passed", "failed", "wall_ms", "results",
    ];
    for key in cli_md {
        assert!(keys.contains(&key), "CLI.md's {key} is missing: {keys:?}");
    }
    assert_eq!(
        keys.len(),
        cli_md.len() + 3,
        "CLI.md's fields, bugs, stats and totals: {keys:?}"
    );
    for added in ["bugs", "stats", "totals"] {
        assert!(keys.contains(&added), "{keys:?}");
    }
    assert_eq!(value["bugs"], serde_json::json!(["figure8-commit"]));
    assert_eq!(value["totals"]["seeds"], 20);
    assert_eq!(value["totals"]["wall_us"], 1_500_000);
    assert_eq!(value["seeds"], serde_json::json!({"start": 0, "end": 20}));
    assert_eq!(value["wall_ms"], 1_500);
    let results = value["results"].as_array().expect("array");
    assert_eq!(results.len(), 20);
    for (i, result) in results.iter().enumerate() {
        assert_eq!(result["seed"], i as u64);
        assert!(matches!(result["status"].as_str(), Some("pass" | "fail")));
        assert_eq!(result["trace_hash"].as_str().expect("string").len(), 16);
        assert!(result["events"].is_u64());
        assert_eq!(result["virtual_ms"], 15_000);
        assert_eq!(
            result["ops"]["read"],
            serde_json::json!({"ok": 190, "fail": 10, "info": 2})
        );
    }
    assert_eq!(results[3]["kind"], "limit");
    assert_eq!(
        results[3]["replay"],
        "raftsim replay default --seed 3 --bug figure8-commit"
    );
    assert!(results[2].get("kind").is_none());
    assert_eq!(value["passed"], 6);
    assert_eq!(value["failed"], 14);

    let stats = &value["stats"];
    assert_eq!(stats["operations"], 20 * 619);
    assert_eq!(stats["ops"]["cas"]["fail"], 20 * 160);
    assert_eq!(stats["all"]["count"], 20 * 619);
    assert_eq!(stats["messages_per_op"], 6.67);
    assert_eq!(stats["elections"], 80);
    assert_eq!(stats["leaderless_ms"], 20 * 400 + 190);
    let latency = &stats["ops"]["read"]["latency_ms"];
    assert_eq!(latency["max"], 1_000.0);
    for (low, high) in [
        ("min", "p50"),
        ("p50", "p90"),
        ("p90", "p95"),
        ("p95", "p99"),
        ("p99", "max"),
    ] {
        assert!(
            latency[low].as_f64() <= latency[high].as_f64(),
            "{low} <= {high}: {latency}"
        );
    }
}

#[test]
fn replay_of_a_failing_seed() {
    let failed = outcome(
        17,
        Some((FailureKind::Safety, "log matching (Raft section 5.3)")),
    );
    let bugs = vec!["figure8-commit".to_string()];
    insta::assert_snapshot!(reports::render_replay("default", &bugs, &failed, false));
}

#[test]
fn replay_of_a_passing_seed() {
    insta::assert_snapshot!(reports::render_replay(
        "default",
        &[],
        &outcome(0, None),
        false
    ));
}

#[test]
fn junit_of_a_failing_run() {
    insta::assert_snapshot!(to_junit(&[failing_run()]).expect("renders"));
}

#[test]
fn junit_of_a_passing_run() {
    insta::assert_snapshot!(to_junit(&[passing_run()]).expect("renders"));
}

#[test]
fn junit_escapes_what_the_checks_wrote() {
    let nasty = "a <b> & \"c\" 'd' \u{1}\u{7} ]]> </failure>";
    let summary = summarize(
        &spec(&[]),
        &[outcome(0, Some((FailureKind::Panic, nasty)))],
        Duration::from_millis(3),
    );
    let xml = to_junit(&[summary]).expect("renders");
    assert!(!xml.contains("<b>"), "{xml}");
    assert!(!xml.contains("]]>"), "{xml}");
    assert!(!xml.contains('\u{1}'), "{xml}");
    assert_eq!(xml.matches("</failure>").count(), 1, "{xml}");
    assert!(xml.contains("a &lt;b&gt; &amp; &quot;c&quot;"), "{xml}");
}
