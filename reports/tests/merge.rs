//! `report merge`: shards of one sweep, written as `run --json` and read
//! back, join into the summary of the whole range; anything else is refused
//! with a message naming the file.

use reports::{from_json, merge, summarize, to_json, RunSpec, RunSummary, SeedSpan, Shard};
use simulator::{
    EngineStats, Failure, FailureKind, OpCounts, ProtocolStats, RunOutcome, WorkloadStats,
};
use std::time::Duration;

/// A seed with latencies and counts that differ from seed to seed, so that a
/// merge that lost or doubled one would show.
fn outcome(seed: u64) -> RunOutcome {
    let mut workload = WorkloadStats {
        leaderless_us: 1_000 + seed * 37,
        ..WorkloadStats::default()
    };
    for (i, name) in ["cas", "read", "write"].iter().enumerate() {
        let mut c = OpCounts {
            ok: 10 + seed % 7,
            fail: (seed + i as u64) % 3,
            info: seed % 2,
            ..OpCounts::default()
        };
        for k in 0..c.ok + c.fail {
            c.latency
                .record(500 + (seed * 7_919 + k * 104_729 + i as u64) % 900_000);
        }
        workload.ops.insert(name.to_string(), c);
    }
    let failure = (seed % 5 == 3).then(|| Failure {
        kind: match seed % 2 {
            0 => FailureKind::Safety,
            _ => FailureKind::Linearizability,
        },
        message: format!("key {} is not linearizable", seed % 4),
        at_us: seed,
    });
    RunOutcome {
        seed,
        failure,
        trace_hash: seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        events: 10_000 + seed,
        virtual_us: 15_000_000 + seed,
        engine: EngineStats {
            messages_sent: 1_000 + seed,
            messages_dropped: seed % 11,
            crashes: seed % 3,
            partitions: seed % 4,
            operations_completed: 33 + seed,
            ..EngineStats::default()
        },
        protocol: ProtocolStats {
            leader_elections: 1 + seed % 5,
            ..ProtocolStats::default()
        },
        workload,
    }
}

fn spec(span: SeedSpan, shard: Option<Shard>, bugs: &[&str]) -> RunSpec {
    RunSpec {
        scenario: "default".to_string(),
        seeds: span,
        shard,
        bugs: bugs.iter().map(|b| b.to_string()).collect(),
    }
}

const SPAN: SeedSpan = SeedSpan { start: 5, end: 47 };

/// The JSON text of shard `index` of `count` (as `run --shard` writes it).
fn shard_json(index: u64, count: u64, bugs: &[&str]) -> String {
    let shard = Shard { index, count };
    let outcomes: Vec<RunOutcome> = (SPAN.start..SPAN.end)
        .filter(|s| (s - SPAN.start) % count == index)
        .map(outcome)
        .collect();
    let summary = summarize(
        &spec(SPAN, Some(shard), bugs),
        &outcomes,
        Duration::from_micros(100_000 + index * 1_001),
    );
    to_json(&summary).expect("serialisable")
}

fn read(name: &str, text: &str) -> (String, RunSummary) {
    (
        name.to_string(),
        from_json(name, text).expect("a valid file"),
    )
}

#[test]
fn four_shards_merge_into_the_summary_of_the_whole_range() {
    let outcomes: Vec<RunOutcome> = (SPAN.start..SPAN.end).map(outcome).collect();
    let whole = summarize(
        &spec(SPAN, None, &["follower-read"]),
        &outcomes,
        Duration::from_micros(123_456),
    );
    // Given in a shuffled order: the merge does not care.
    let parts = [2, 0, 3, 1]
        .iter()
        .map(|&i| read(&format!("s{i}.json"), &shard_json(i, 4, &["follower-read"])))
        .collect();
    let mut merged = merge(parts).expect("the shards merge");
    assert_eq!(merged.shards_merged, 4);
    assert!(merged.failed > 0 && merged.passed > 0);
    // Only the wall time differs: the shards' add up to their own sum.
    assert_eq!(merged.totals.wall_us, 4 * 100_000 + 1_001 * (1 + 2 + 3));
    merged.totals.wall_us = whole.totals.wall_us;
    merged.wall_ms = whole.wall_ms;
    merged.shards_merged = 0;
    assert_eq!(merged, whole);
    assert_eq!(
        to_json(&merged).expect("serialisable"),
        to_json(&whole).expect("serialisable")
    );
}

#[test]
fn a_whole_run_reads_back_as_itself() {
    let outcomes: Vec<RunOutcome> = (SPAN.start..SPAN.end).map(outcome).collect();
    let whole = summarize(&spec(SPAN, None, &[]), &outcomes, Duration::from_millis(9));
    let text = to_json(&whole).expect("serialisable");
    let back = from_json("whole.json", &text).expect("reads back");
    assert_eq!(back, whole);
    let merged = merge(vec![("whole.json".to_string(), back)]).expect("one file merges");
    assert_eq!(merged.results, whole.results);
}

fn merge_error(files: &[(&str, String)]) -> String {
    let mut parts = Vec::new();
    for (name, text) in files {
        match from_json(name, text) {
            Ok(summary) => parts.push((name.to_string(), summary)),
            Err(e) => return e.to_string(),
        }
    }
    match merge(parts) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn mismatched_repeated_and_missing_shards_are_refused() {
    let s = |i| shard_json(i, 3, &[]);
    let err = merge_error(&[("a.json", s(0)), ("b.json", s(1))]);
    assert!(
        err.contains("shard 2/3") && err.contains("missing"),
        "{err}"
    );

    let err = merge_error(&[("a.json", s(0)), ("b.json", s(0)), ("c.json", s(1))]);
    assert!(err.starts_with("b.json: seed 5 is also in a.json"), "{err}");

    let err = merge_error(&[
        ("a.json", s(0)),
        ("b.json", shard_json(1, 3, &["no-dedup"])),
    ]);
    assert!(err.starts_with("b.json: planted bugs"), "{err}");

    let err = merge_error(&[("a.json", s(0)), ("b.json", shard_json(1, 4, &[]))]);
    assert!(err.starts_with("b.json: shard 1/4 differs"), "{err}");

    let other = s(1).replace("\"scenario\": \"default\"", "\"scenario\": \"other\"");
    let err = merge_error(&[("a.json", s(0)), ("b.json", other)]);
    assert!(err.starts_with("b.json: scenario"), "{err}");

    let other = s(1).replace(
        "\"seeds\": {\"start\":5,\"end\":47}",
        "\"seeds\": {\"start\":5,\"end\":48}",
    );
    let err = merge_error(&[("a.json", s(0)), ("b.json", other)]);
    assert!(err.starts_with("b.json: "), "{err}");
}

#[test]
fn bad_files_are_refused_with_their_name() {
    let good = shard_json(0, 2, &[]);
    let cases = [
        ("empty.json", String::new()),
        ("garbage.json", "{\"scenario\": 3".to_string()),
        ("array.json", "[]".to_string()),
        ("old.json", good.replace("\"totals\"", "\"totalz\"")),
        ("count.json", good.replace("\"passed\": ", "\"passed\": 1")),
        (
            "kind.json",
            good.replacen("\"kind\":\"linearizability\"", "\"kind\":\"sorrow\"", 1),
        ),
        (
            "hash.json",
            good.replacen("\"trace_hash\":\"", "\"trace_hash\":\"zz", 1),
        ),
        (
            "seed.json",
            good.replacen("{\"seed\":5,", "{\"seed\":6,", 1),
        ),
        (
            "bucket.json",
            good.replacen("\"buckets\":[[", "\"buckets\":[[99999999999,1],[", 1),
        ),
        ("sum.json", good.replacen("\"seeds\":", "\"seeds\":1", 1)),
    ];
    for (name, text) in cases {
        assert_ne!(text, good, "{name}: the doctoring changed nothing");
        let err = from_json(name, &text)
            .map(|_| ())
            .expect_err(&format!("{name} must be refused"));
        assert_eq!(err.file.as_deref(), Some(name), "{err}");
        assert!(err.to_string().starts_with(&format!("{name}: ")), "{err}");
    }
}
