//! The command line as users and CI scripts see it: exit codes, one-line
//! usage errors, and results that do not depend on the number of jobs.

use std::path::{Path, PathBuf};
use std::process::Command;

mod common;
use common::{raftsim, stderr, stdout};

fn scratch(test: &str) -> PathBuf {
    common::scratch("cli", test)
}

fn assert_usage_error(args: &[&str], code: i32) {
    let output = raftsim(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(code), "{args:?}: stderr {err:?}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err:?}");
    assert!(err.starts_with("error: "), "{args:?}: {err:?}");
    assert!(!err.contains("panicked"), "{args:?}: {err:?}");
    assert!(stdout(&output).is_empty(), "{args:?}: nothing on stdout");
}

#[test]
fn usage_errors_are_one_line_and_exit_64() {
    for args in [
        &["run", "--no-such-flag"][..],
        &["run", "--seeds", "abc"],
        &["run", "--seeds", "10..5"],
        &["run", "--seeds", "5..5"],
        &["run", "--seeds", "0"],
        &["run", "--seeds", "1..x"],
        &["run", "--seeds", "99999999999999999999999"],
        &["run", "--jobs", "0"],
        &["run", "--jobs", "-3"],
        &["run", "--jobs", "100000"],
        &["run", "--bug", "no-such-bug"],
        &["run", "--shard", "2/2"],
        &["run", "--shard", "1/0"],
        &["run", "--shard", "half"],
        &["run", "--seeds", "2", "--shard", "3/4"],
        &["run", "--seeds", "0..18446744073709551615"],
        &["run", "--junit", "-"],
        &["run", "--junit", "no/such/dir/out.xml"],
        &["run", "no-such-scenario"],
        &["replay"],
        &["replay", "--seed", "-1"],
        &["replay", "--seed", "1", "--html", "no/such/dir/x.html"],
        &["report"],
        &["report", "merge"],
        &["report", "merge", "a.json", "--junit", "-"],
        &["replay", "--seed", "1", "--history", "h.txt"],
        &["replay", "--seed", "1", "--history", "no/such/dir/h.edn"],
        &["replay", "--seed", "1", "--history", "-", "--trace", "-"],
        &["replay", "--seed", "1", "--bug", "nope"],
        &["check"],
        &["no-such-command"],
        &[],
    ] {
        assert_usage_error(args, 64);
    }
}

#[test]
fn a_missing_scenario_file_exits_65() {
    assert_usage_error(&["run", "no/such/file.toml"], 65);
    assert_usage_error(&["replay", "missing.toml", "--seed", "1"], 65);
    assert_usage_error(&["check", "no/such/history.edn"], 65);
}

#[test]
fn check_exit_codes_follow_the_verdict() {
    let dir = scratch("check");
    let ok = "{:type :invoke, :f :write, :value 1, :process 0, :time 0, :index 0}\n\
              {:type :ok, :f :write, :value 1, :process 0, :time 1, :index 1}\n\
              {:type :invoke, :f :read, :value nil, :process 1, :time 2, :index 2}\n\
              {:type :ok, :f :read, :value 1, :process 1, :time 3, :index 3}\n";
    let cases = [
        ("ok.edn", ok.to_string(), 0, "linearizable"),
        (
            "bad.edn",
            ok.replace(":value 1, :process 1", ":value 2, :process 1"),
            1,
            "not linearizable",
        ),
    ];
    for (name, text, code, verdict) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("a history file");
        let output = raftsim(&["check", path.to_str().expect("utf-8 temp path")]);
        assert_eq!(
            output.status.code(),
            Some(code),
            "{name}: {}",
            stderr(&output)
        );
        assert_eq!(stdout(&output).lines().last(), Some(verdict), "{name}");
    }
    let truncated = dir.join("truncated.edn");
    std::fs::write(&truncated, "{:type").expect("a history file");
    assert_usage_error(&["check", truncated.to_str().expect("utf-8 temp path")], 65);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_over_a_directory_is_refused_before_running() {
    let dir = scratch("json-dir");
    let dir_arg = dir.to_str().expect("utf-8 temp path");
    assert_usage_error(&["run", "--seeds", "1", "--json", dir_arg], 64);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn help_and_version_exit_0() {
    for args in [
        &["--help"][..],
        &["run", "--help"],
        &["--version"],
        &["help"],
    ] {
        let output = raftsim(args);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(!stdout(&output).is_empty(), "{args:?}");
    }
}

#[test]
fn bugs_lists_figure8_commit_name_first() {
    let output = raftsim(&["bugs"]);
    assert_eq!(output.status.code(), Some(0));
    let out = stdout(&output);
    assert!(
        out.lines().any(|l| l.starts_with("figure8-commit ")),
        "{out}"
    );
}

#[test]
fn scenarios_lists_default_name_first() {
    let output = raftsim(&["scenarios"]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).lines().any(|l| l.starts_with("default ")));
}

/// `(seed, trace_hash)` of every result in a `run --json` file.
fn trace_hashes(path: &Path) -> Vec<(u64, String)> {
    let text = std::fs::read_to_string(path).expect("the JSON file was written");
    let value: serde_json::Value = serde_json::from_str(&text).expect("valid JSON");
    value["results"]
        .as_array()
        .expect("a results array")
        .iter()
        .map(|r| {
            let seed = r["seed"].as_u64().expect("a seed");
            let hash = r["trace_hash"].as_str().expect("a trace hash").to_string();
            assert_eq!(hash.len(), 16, "16 hex digits: {hash}");
            (seed, hash)
        })
        .collect()
}

#[test]
fn trace_hashes_do_not_depend_on_jobs() {
    let dir = scratch("jobs");
    let mut runs = Vec::new();
    for jobs in ["1", "2"] {
        let json = dir.join(format!("jobs{jobs}.json"));
        let json_arg = json.to_str().expect("utf-8 temp path");
        let output = raftsim(&["run", "--seeds", "50", "--jobs", jobs, "--json", json_arg]);
        assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
        runs.push(trace_hashes(&json));
    }
    assert_eq!(runs[0].len(), 50);
    let seeds: Vec<u64> = runs[0].iter().map(|(seed, _)| *seed).collect();
    assert_eq!(
        seeds,
        (0..50).collect::<Vec<u64>>(),
        "results in seed order"
    );
    for (one, two) in runs[0].iter().zip(&runs[1]) {
        assert_eq!(
            one, two,
            "seed {} differs between --jobs 1 and --jobs 2",
            one.0
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_reproduces_the_trace_hash_of_a_run() {
    let output = raftsim(&["run", "--seeds", "5..8", "--json", "-", "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("only JSON on stdout");
    assert_eq!(value["seeds"], serde_json::json!({"start": 5, "end": 8}));
    let result = &value["results"][1];
    assert_eq!(result["seed"], 6);
    let replay = raftsim(&["replay", "default", "--seed", "6"]);
    assert_eq!(replay.status.code(), Some(0));
    let hash = result["trace_hash"].as_str().expect("a hash");
    assert!(
        stdout(&replay).contains(&format!("trace hash: {hash}")),
        "{}",
        stdout(&replay)
    );
}

#[test]
fn replay_trace_goes_to_a_file_or_stdout() {
    let dir = scratch("trace");
    let path = dir.join("trace.txt");
    let path_arg = path.to_str().expect("utf-8 temp path");
    let to_file = raftsim(&["replay", "--seed", "3", "--trace", path_arg]);
    assert_eq!(to_file.status.code(), Some(0));
    let trace = std::fs::read_to_string(&path).expect("the trace file was written");
    assert!(trace.lines().count() > 100, "one line per event");
    let to_stdout = raftsim(&["replay", "--seed", "3", "--trace", "-"]);
    assert!(
        stdout(&to_stdout).starts_with(&trace),
        "the same trace on stdout"
    );
    let without = raftsim(&["replay", "--seed", "3"]);
    assert!(
        stdout(&without).lines().count() < 20,
        "no trace lines without --trace"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn shards_partition_the_seeds() {
    let mut seeds = Vec::new();
    for shard in ["0/3", "1/3", "2/3"] {
        let output = raftsim(&[
            "run", "--seeds", "10..17", "--shard", shard, "--json", "-", "--quiet",
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        for result in value["results"].as_array().expect("results") {
            seeds.push(result["seed"].as_u64().expect("a seed"));
        }
    }
    seeds.sort_unstable();
    assert_eq!(seeds, (10..17).collect::<Vec<u64>>());
}

/// Replays `seed` with `--history` to `path`, then checks the file with
/// `raftsim check`: its exit code and last line.
fn replay_then_check(seed: &str, bugs: &[&str], path: &Path) -> (Option<i32>, String) {
    let path_arg = path.to_str().expect("utf-8 temp path");
    let mut args = vec!["replay", "default", "--seed", seed, "--history", path_arg];
    for bug in bugs {
        args.extend(["--bug", bug]);
    }
    let replay = raftsim(&args);
    assert!(
        matches!(replay.status.code(), Some(0 | 1)),
        "{args:?}: {}",
        stderr(&replay)
    );
    let check = raftsim(&["check", path_arg]);
    let last = stdout(&check).lines().last().unwrap_or("").to_string();
    (check.status.code(), last)
}

#[test]
fn replay_history_is_accepted_by_check_with_the_runs_verdict() {
    let dir = scratch("history");
    for name in ["seed3.edn", "seed3.jsonl"] {
        let (code, last) = replay_then_check("3", &[], &dir.join(name));
        assert_eq!(code, Some(0), "{name}");
        assert_eq!(last, "linearizable", "{name}");
    }

    // A seed that the run itself found not linearizable under follower-read.
    let run = raftsim(&[
        "run",
        "--bug",
        "follower-read",
        "--seeds",
        "20",
        "--json",
        "-",
        "--quiet",
    ]);
    assert_eq!(run.status.code(), Some(1), "{}", stderr(&run));
    let value: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    let failing = value["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["kind"] == "linearizability")
        .expect("follower-read fails some seed of 20 as linearizability");
    let seed = failing["seed"].as_u64().expect("a seed").to_string();
    for name in ["bad.edn", "bad.jsonl"] {
        let (code, last) = replay_then_check(&seed, &["follower-read"], &dir.join(name));
        assert_eq!(code, Some(1), "seed {seed} {name}");
        assert_eq!(last, "not linearizable", "seed {seed} {name}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn replay_history_to_stdout_is_edn_alone() {
    let dir = scratch("history-stdout");
    let path = dir.join("h.edn");
    let path_arg = path.to_str().expect("utf-8 temp path");
    let to_file = raftsim(&["replay", "--seed", "3", "--history", path_arg]);
    assert_eq!(to_file.status.code(), Some(0), "{}", stderr(&to_file));
    let to_stdout = raftsim(&["replay", "--seed", "3", "--history", "-"]);
    assert_eq!(to_stdout.status.code(), Some(0));
    let written = std::fs::read_to_string(&path).expect("the history was written");
    assert!(written.starts_with("{:type :invoke"), "{written:.200}");
    assert_eq!(
        stdout(&to_stdout),
        written,
        "stdout holds the history alone"
    );
    assert!(stderr(&to_stdout).contains("result: pass"));
    assert!(stdout(&to_file).contains("operations: "));

    // A directory is never overwritten, whatever its name.
    let as_dir = dir.join("dir.edn");
    std::fs::create_dir_all(&as_dir).expect("a directory");
    assert_usage_error(
        &[
            "replay",
            "--seed",
            "3",
            "--history",
            as_dir.to_str().expect("utf-8 temp path"),
        ],
        64,
    );
    assert!(as_dir.is_dir());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_json_has_stats_and_per_seed_ops() {
    let output = raftsim(&["run", "--seeds", "3", "--json", "-", "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let stats = &value["stats"];
    assert!(stats["operations"].as_u64().expect("a count") > 0);
    assert!(stats["messages_per_op"].as_f64().expect("a ratio") > 0.0);
    assert!(stats["elections"].as_u64().expect("a count") > 0);
    assert!(stats["leaderless_ms"].is_u64());
    let read = &stats["ops"]["read"];
    assert!(read["ok"].as_u64().expect("a count") > 0);
    assert!(
        read["latency_ms"]["p99"].as_f64().expect("ms")
            >= read["latency_ms"]["p50"].as_f64().expect("ms")
    );
    for result in value["results"].as_array().expect("results") {
        let read = &result["ops"]["read"];
        assert!(
            read["ok"].is_u64() && read["fail"].is_u64() && read["info"].is_u64(),
            "{result}"
        );
    }
    assert!(
        stderr(&output).contains("\noperations\n"),
        "the summary on stderr"
    );
}

/// A scenario file in a directory whose name has a space, so that replay
/// commands must quote it.
fn scenario_file(test: &str, text: &str) -> (PathBuf, String) {
    let dir = scratch(test).join("my scenarios");
    std::fs::create_dir_all(&dir).expect("a scenario directory");
    let path = dir.join("spelled-out.toml");
    std::fs::write(&path, text).expect("the scenario file is written");
    let arg = path.to_str().expect("utf-8 temp path").to_string();
    (path, arg)
}

#[test]
fn a_scenario_file_runs_and_its_replay_command_names_it_and_reproduces() {
    let (_, file) = scenario_file(
        "file-run",
        include_str!("../scenarios/examples/default.toml"),
    );
    let output = raftsim(&["run", &file, "--seeds", "5", "--quiet"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));

    let output = raftsim(&[
        "run",
        &file,
        "--seeds",
        "30",
        "--bug",
        "follower-read",
        "--json",
        "-",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let value: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("only JSON on stdout");
    assert_eq!(value["scenario"], file.as_str());
    let failure = value["results"]
        .as_array()
        .expect("a results array")
        .iter()
        .find(|r| r["status"] == "fail")
        .expect("follower reads fail within 30 seeds");
    let replay = failure["replay"].as_str().expect("a replay command");
    let quoted = format!("'{file}'");
    assert!(
        replay.starts_with(&format!("raftsim replay {quoted} --seed ")),
        "{replay}"
    );

    // The printed command, run by a shell as a user would paste it.
    let binary = env!("CARGO_BIN_EXE_raftsim");
    let command = replay.replacen("raftsim", &format!("'{binary}'"), 1);
    let rerun = Command::new("sh")
        .args(["-c", &command])
        .env("NO_COLOR", "1")
        .output()
        .expect("sh runs");
    assert_eq!(
        rerun.status.code(),
        Some(1),
        "{command}: {}",
        stderr(&rerun)
    );
    let hash = failure["trace_hash"].as_str().expect("a hash");
    assert!(
        stdout(&rerun).contains(&format!("trace hash: {hash}")),
        "{}",
        stdout(&rerun)
    );
}

#[test]
fn an_invalid_scenario_file_exits_65_naming_file_line_and_column() {
    for (text, at) in [
        ("[cluster]\nnodes = 3\nnodez = 5\n", "3:1"),
        ("[network]\ndrop_ratio_max = 1.5\n", "2:1"),
        ("[cluster]\nnodes = \"five\"\n", "2:9"),
        ("[cluster\n", "1:9"),
        ("[cluster]\nbugs = [\"no-such-bug\"]\n", "2:1"),
    ] {
        let (_, file) = scenario_file("file-invalid", text);
        for args in [&["run", &file][..], &["replay", &file, "--seed", "1"][..]] {
            assert_usage_error(args, 65);
            let err = stderr(&raftsim(args));
            assert!(
                err.starts_with(&format!("error: {file}:{at}: ")),
                "{text:?}: {err}"
            );
        }
    }
    let (path, file) = scenario_file("file-binary", "");
    std::fs::write(&path, b"name = \"\xff\"\n").expect("written");
    assert_usage_error(&["run", &file], 65);
}
