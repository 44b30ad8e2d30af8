//! `raftsim hunt` and `raftsim shrink` through the binary, and the committed
//! regression scenarios that `shrink` wrote (scenarios/regressions/).

use std::path::{Path, PathBuf};

mod common;
use common::{raftsim, stderr, stdout};

fn scratch(test: &str) -> PathBuf {
    common::scratch("hs", test)
}

#[test]
fn hunt_finds_a_planted_bug_and_prints_its_replay() {
    let dir = scratch("hunt");
    let json = dir.join("hunt.json");
    let out = raftsim(&[
        "hunt",
        "--bug",
        "no-dedup",
        "--max-seeds",
        "200",
        "--json",
        json.to_str().unwrap(),
    ]);
    let printed = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{printed} {}", stderr(&out));
    assert!(
        printed.starts_with("FOUND no-dedup in default after "),
        "{printed}"
    );
    assert!(printed.contains("raftsim replay --seed "), "{printed}");
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let hunt = &value["hunts"][0];
    assert_eq!(hunt["kind"], "linearizability");
    let seed = hunt["seed"].as_u64().expect("a seed");
    assert_eq!(hunt["seeds"].as_u64(), Some(seed + 1));
    // The seed it names fails when replayed, and every seed before it passes.
    let replay = raftsim(&["replay", "--seed", &seed.to_string(), "--bug", "no-dedup"]);
    assert_eq!(replay.status.code(), Some(1));
    if seed > 0 {
        let before = raftsim(&[
            "run",
            "--seeds",
            &seed.to_string(),
            "--bug",
            "no-dedup",
            "--quiet",
        ]);
        assert_eq!(before.status.code(), Some(0), "{}", stdout(&before));
    }
}

#[test]
fn hunt_without_the_bug_in_reach_exits_1() {
    // A bug the default scenario does not provoke within 3 seeds.
    let out = raftsim(&[
        "hunt",
        "--bug",
        "no-election-jitter",
        "default",
        "--max-seeds",
        "3",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).starts_with("NOT FOUND no-election-jitter in default"));
}

#[test]
fn hunt_needs_a_bug() {
    let out = raftsim(&["hunt"]);
    assert_eq!(out.status.code(), Some(64));
}

#[test]
fn shrink_writes_a_smaller_scenario_that_still_fails() {
    let dir = scratch("shrink");
    let args = ["--seed", "136", "--bug", "no-dedup"];
    let (code, printed, out_path) = shrink(&dir, "min.toml", &args);
    assert_eq!(code, Some(0), "{printed}");
    let (before, after) = fault_steps(&printed);
    assert!(
        after * 5 <= before,
        "{before} -> {after} fault steps: {printed}"
    );
    let written = std::fs::read_to_string(&out_path).expect("the file is written");
    assert!(
        written.starts_with("# Written by `raftsim shrink"),
        "{written}"
    );
    let replay = raftsim(&["replay", out_path.to_str().unwrap(), "--seed", "136"]);
    assert_eq!(replay.status.code(), Some(1), "{}", stdout(&replay));
    assert!(stdout(&replay).contains("linearizab"));

    // The file is kept unless --force.
    let (again, printed, _) = shrink(&dir, "min.toml", &args);
    assert_eq!(again, Some(64), "{printed}");
    assert!(printed.contains("--force"));
    assert_eq!(std::fs::read_to_string(&out_path).unwrap(), written);
}

#[test]
fn shrinking_a_passing_seed_exits_1_and_writes_nothing() {
    let dir = scratch("passing");
    let (code, printed, out_path) = shrink(&dir, "min.toml", &["--seed", "1"]);
    assert_eq!(code, Some(1));
    assert!(printed.contains("nothing to shrink"));
    assert!(!out_path.exists());
}

/// `(before, after)` from the summary's `fault steps   A -> B` line.
fn fault_steps(summary: &str) -> (u64, u64) {
    before_after(summary, "fault steps")
}

/// `(before, after)` from the summary's line `MEASURE   A -> B`.
fn before_after(summary: &str, measure: &str) -> (u64, u64) {
    let line = summary
        .lines()
        .find(|l| l.trim_start().starts_with(measure))
        .unwrap_or_else(|| panic!("a {measure} line in {summary}"));
    let numbers: Vec<u64> = line[line.find(measure).unwrap() + measure.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|w| w.parse().ok())
        .collect();
    (numbers[0], numbers[1])
}

/// `raftsim shrink ARGS --out DIR/NAME`: its exit code, its stdout and the
/// path it was told to write.
fn shrink(dir: &Path, name: &str, args: &[&str]) -> (Option<i32>, String, PathBuf) {
    let path = dir.join(name);
    let mut all = vec!["shrink"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", path.to_str().unwrap()]);
    let out = raftsim(&all);
    let printed = format!("{}{}", stdout(&out), stderr(&out));
    (out.status.code(), printed, path)
}

/// Raft's Figure 8, found in the catalogue scenario made for it: the
/// isolated leaders are written `leader?`, so removing one isolation keeps
/// the others aimed at whoever leads, and the failure shrinks 5x in fault
/// steps and operations.
#[test]
fn figure8_commit_shrinks_five_times() {
    let dir = scratch("figure8");
    let args = [
        "leader-isolation",
        "--seed",
        "20",
        "--bug",
        "figure8-commit",
    ];
    let (code, printed, path) = shrink(&dir, "min.toml", &args);
    assert_eq!(code, Some(0), "{printed}");
    for measure in ["fault steps", "operations"] {
        let (before, after) = before_after(&printed, measure);
        assert!(after * 5 <= before, "{measure}: {printed}");
    }
    let written = std::fs::read_to_string(&path).unwrap();
    assert!(written.contains("target = \"leader?\""), "{written}");
    let replay = raftsim(&["replay", path.to_str().unwrap(), "--seed", "20"]);
    assert_eq!(replay.status.code(), Some(1), "{}", stdout(&replay));
    assert!(stdout(&replay).contains("leader completeness"));
}

/// Each file in scenarios/regressions/ is named `BUG-seedS.toml`: with its
/// planted bug it fails at seed S, and without it (the fixed build) the same
/// scenario passes that seed.
#[test]
fn regression_scenarios_fail_with_their_bug_and_pass_without() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/regressions exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "{files:?}");
    let scratch = scratch("regressions");
    for file in files {
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        let (bug, seed) = stem.rsplit_once("-seed").expect("named BUG-seedS");
        let path = file.to_str().unwrap();
        let failing = raftsim(&["replay", path, "--seed", seed]);
        assert_eq!(failing.status.code(), Some(1), "{stem}: must fail");
        let text_of = std::fs::read_to_string(&file).unwrap();
        let line = format!("bugs = [\"{bug}\"]");
        assert!(text_of.contains(&line), "{stem} names its bug");
        let fixed = scratch.join(format!("{stem}.toml"));
        std::fs::write(&fixed, text_of.replace(&line, "bugs = []")).unwrap();
        let passing = raftsim(&["replay", fixed.to_str().unwrap(), "--seed", seed]);
        assert_eq!(
            passing.status.code(),
            Some(0),
            "{stem} without {bug}: {}",
            stdout(&passing)
        );
    }
}

/// The shrunk file is the same whatever the number of jobs, also when the
/// run budget ends the shrinking (a parallel batch is charged up to its
/// first failing candidate, not with what the threads happened to run).
#[test]
fn shrinking_does_not_depend_on_jobs() {
    let dir = scratch("jobs");
    for (seed, bug, max_runs) in [("136", "no-dedup", "3000"), ("20", "figure8-commit", "300")] {
        let files: Vec<String> = ["1", "2"]
            .iter()
            .map(|jobs| {
                let scenario = if bug == "figure8-commit" {
                    "leader-isolation"
                } else {
                    "default"
                };
                let args = [
                    scenario,
                    "--seed",
                    seed,
                    "--bug",
                    bug,
                    "--jobs",
                    jobs,
                    "--max-runs",
                    max_runs,
                ];
                let (code, printed, path) = shrink(&dir, &format!("{bug}-{jobs}.toml"), &args);
                assert_eq!(code, Some(0), "{printed}");
                let written = std::fs::read_to_string(&path).unwrap();
                // The header and the name come from the output path; the
                // rest must match.
                written
                    .lines()
                    .skip(5)
                    .filter(|l| !l.starts_with("name = "))
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .collect();
        assert_eq!(files[0], files[1], "{bug} seed {seed}");
    }
}

/// A scripted scenario's steps are written out as what they did: symbolic
/// targets become node ids, waits for conditions become fixed waits, and
/// the actions are removed one by one like the nemesis's faults.
#[test]
fn a_script_is_unrolled_into_explicit_actions() {
    let dir = scratch("script");
    let args = ["Rejoin2B", "--seed", "1", "--bug", "vote-any-log"];
    let (code, printed, out_path) = shrink(&dir, "min.toml", &args);
    assert_eq!(code, Some(0), "{printed}");
    assert!(
        !printed.contains("note:"),
        "the script was unrolled: {printed}"
    );
    let written = std::fs::read_to_string(&out_path).unwrap();
    for symbolic in [
        "\"leader\"",
        "until = ",
        "do = \"expect\"",
        "do = \"repeat\"",
        "as = ",
    ] {
        assert!(!written.contains(symbolic), "{symbolic} in {written}");
    }
    let (before, after) = fault_steps(&printed);
    assert!(after < before, "{before} -> {after}");
    let replay = raftsim(&["replay", out_path.to_str().unwrap(), "--seed", "1"]);
    assert_eq!(replay.status.code(), Some(1), "{}", stdout(&replay));
}
