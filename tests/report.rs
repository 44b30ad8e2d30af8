//! `run --junit` and `report merge` end to end, on real seeds: a range run
//! in 4 shards and merged gives the report of the range run at once; bad or
//! mismatched files are refused with exit 65, naming the file.

use std::path::{Path, PathBuf};

mod common;
use common::{raftsim, stderr, stdout};

fn scratch(test: &str) -> PathBuf {
    common::scratch("report", test)
}

fn path(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 temp path")
}

fn json(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(p).expect("the JSON file was written");
    serde_json::from_str(&text).expect("valid JSON")
}

/// The JSON without what depends on the machine: the wall time.
fn without_wall_time(mut value: serde_json::Value) -> serde_json::Value {
    let object = value.as_object_mut().expect("an object");
    object.remove("wall_ms");
    object["totals"]
        .as_object_mut()
        .expect("totals")
        .remove("wall_us");
    value
}

#[test]
fn four_merged_shards_report_what_the_whole_range_reports() {
    let dir = scratch("shards");
    let whole = dir.join("whole.json");
    let seeds = ["--seeds", "3..23", "--bug", "follower-read", "--quiet"];
    let run = raftsim(&[&["run", "--json", path(&whole)][..], &seeds].concat());
    assert_eq!(
        run.status.code(),
        Some(1),
        "seed 3..23 of follower-read fail: {}",
        stderr(&run)
    );
    let mut shards = Vec::new();
    for i in 0..4 {
        let file = dir.join(format!("shard{i}.json"));
        let shard = format!("{i}/4");
        let out = raftsim(
            &[
                &["run", "--shard", &shard, "--json", path(&file)][..],
                &seeds,
            ]
            .concat(),
        );
        assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
        shards.push(file);
    }
    let merged = dir.join("merged.json");
    let junit = dir.join("merged.xml");
    let mut args = vec!["report", "merge"];
    // In another order than run: the merge must not care.
    for i in [3, 1, 0, 2] {
        args.push(path(&shards[i]));
    }
    args.extend(["--json", path(&merged), "--junit", path(&junit)]);
    let out = raftsim(&args);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("merged from 4 shards"), "{text}");
    assert!(text.contains("raftsim replay default --seed "), "{text}");
    assert!(
        text.lines().last().unwrap_or("").starts_with("FAIL "),
        "{text}"
    );
    assert_eq!(
        without_wall_time(json(&merged)),
        without_wall_time(json(&whole))
    );
    let xml = std::fs::read_to_string(&junit).expect("the JUnit file was written");
    let failed = json(&whole)["failed"].as_u64().expect("a count") as usize;
    assert!(failed > 0);
    assert_eq!(xml.matches("<failure ").count(), failed, "{xml}");
    assert!(
        xml.contains("--bug follower-read</failure>") || xml.contains("--bug follower-read\n"),
        "{xml}"
    );
}

#[test]
fn run_junit_has_one_failure_per_failing_seed_with_its_replay_command() {
    let dir = scratch("junit");
    let junit = dir.join("run.xml");
    let out = raftsim(&[
        "run",
        "--seeds",
        "2",
        "--bug",
        "follower-read",
        "--quiet",
        "--junit",
        path(&junit),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).expect("written");
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "),
        "{xml}"
    );
    assert!(
        xml.contains(
            "<testcase classname=\"raftsim.default\" name=\"default --bug follower-read\""
        ),
        "{xml}"
    );
    assert!(
        // Seed 0 is the first of the default scenario that follower-read fails.
        xml.contains("<failure type=\"linearizability\" message=\"seed 0: key "),
        "{xml}"
    );
    assert!(
        xml.contains(">raftsim replay default --seed 0 --bug follower-read\n"),
        "{xml}"
    );
}

#[test]
fn bad_and_mismatched_files_exit_65_naming_the_file() {
    let dir = scratch("bad");
    let a = dir.join("a.json");
    let b = dir.join("b.json");
    let out = raftsim(&[
        "run",
        "--seeds",
        "4",
        "--shard",
        "0/2",
        "--quiet",
        "--json",
        path(&a),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = raftsim(&[
        "run",
        "--seeds",
        "5",
        "--shard",
        "1/2",
        "--quiet",
        "--json",
        path(&b),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"scenario\": [").expect("written");
    let binary = dir.join("binary.json");
    std::fs::write(&binary, [0xff, 0xfe, 0x00]).expect("written");
    let missing = dir.join("missing.json");
    for (args, named) in [
        (vec![path(&a), path(&b)], path(&b)),
        (vec![path(&a), path(&garbage)], path(&garbage)),
        (vec![path(&binary)], path(&binary)),
        (vec![path(&missing)], path(&missing)),
        (vec![path(&a), path(&a)], path(&a)),
    ] {
        let out = raftsim(&[&["report", "merge"][..], &args].concat());
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(65), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
        assert!(
            err.starts_with(&format!("error: {named}: ")),
            "{args:?}: {err}"
        );
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    let out = raftsim(&["report", "merge", path(&a)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(65), "{err}");
    assert!(
        err.contains("shard 1/2") && err.contains("missing"),
        "{err}"
    );
}

#[test]
fn an_unwritable_output_exits_74() {
    let dir = scratch("unwritable");
    let a = dir.join("a.json");
    let out = raftsim(&["run", "--seeds", "2", "--quiet", "--json", path(&a)]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // A directory that exists but holds a file of that name as a directory.
    let blocked = dir.join("blocked.xml");
    std::fs::create_dir_all(blocked.join("inner")).expect("a directory");
    let out = raftsim(&[
        "report",
        "merge",
        path(&a),
        "--junit",
        path(&blocked.join("inner").join("x").join("y.xml")),
    ]);
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let readonly = dir.join("ro");
    std::fs::create_dir_all(&readonly).expect("a directory");
    let mut perms = std::fs::metadata(&readonly)
        .expect("metadata")
        .permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o555);
    std::fs::set_permissions(&readonly, perms).expect("read-only");
    let target = readonly.join("out.xml");
    let out = raftsim(&["report", "merge", path(&a), "--junit", path(&target)]);
    // root may write anyway; everyone else gets 74.
    if !target.exists() {
        assert_eq!(out.status.code(), Some(74), "{}", stderr(&out));
        assert_eq!(stderr(&out).lines().count(), 1);
    }
}
