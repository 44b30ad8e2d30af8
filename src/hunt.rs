//! `raftsim hunt`: run seeds until the first failure, to show how quickly
//! the harness finds a planted bug (or a bug of your own).
//!
//! Seeds run in order from 0 in small parallel batches; the first failure is
//! the lowest failing seed, whatever the number of jobs, so "seeds to the
//! first failure" is a property of the build and the scenario, not of the
//! machine. Only the wall time varies.

use crate::exit::{self, CliError};
use crate::output::{self, Target};
use crate::range::{parse_bug, parse_jobs};
use crate::scenario;
use crate::seed::{quiet_seed_panics, run_one};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use simulator::RunOutcome;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct HuntArgs {
    /// A catalogue scenario name or a .toml file. Default: the scenario the
    /// bug is hunted in (the default scenario, or the catalogue scenario
    /// named for the bug; see `raftsim hunt --all-bugs`).
    pub scenario: Option<String>,
    /// The planted bug to hunt (see `raftsim bugs`).
    #[arg(long = "bug", value_name = "NAME", value_parser = parse_bug, required_unless_present = "all_bugs")]
    pub bug: Option<String>,
    /// Hunt every planted bug, each in its own scenario, and print a table.
    #[arg(long, conflicts_with_all = ["bug", "scenario"])]
    pub all_bugs: bool,
    /// Give up on a bug after this many seeds (seeds 0 to N-1).
    #[arg(long, value_name = "N", default_value = "1000", value_parser = parse_max_seeds)]
    pub max_seeds: u64,
    /// Worker threads; which seed fails first never depends on it.
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Write the results as JSON to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// No progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The catalogue scenario each planted bug is hunted in when the default
/// scenario does not find it within 1,000 seeds, or finds it rarely and its
/// failures do not shrink well (figure8-commit: 13 of 1,000 default seeds).
/// Every other bug is hunted in the default scenario.
const HOMES: &[(&str, &str)] = &[
    ("figure8-commit", "leader-isolation"),
    ("lease-ignores-drift", "lease-reads-drift"),
    ("forget-vote", "crash-after-vote"),
    ("term-not-persisted", "crash-after-vote"),
    ("commit-index-lag", "commit-index-lag"),
    ("no-election-jitter", "no-election-jitter"),
    ("snapshot-regress", "snapshot-regress"),
    ("sessions-not-in-snapshot", "sessions-not-in-snapshot"),
    ("config-change-no-joint", "config-change-no-joint"),
];

/// The scenario `bug` is hunted in by default.
pub fn home_of(bug: &str) -> &'static str {
    HOMES
        .iter()
        .find(|(b, _)| *b == bug)
        .map_or("default", |(_, home)| home)
}

fn parse_max_seeds(text: &str) -> Result<u64, String> {
    match text.parse::<u64>() {
        Ok(0) => Err("at least 1 seed".to_string()),
        Ok(n) => Ok(n),
        Err(_) => Err("expected a whole number of seeds, at least 1".to_string()),
    }
}

/// What one hunt found.
#[derive(Debug, serde::Serialize)]
struct Hunt {
    bug: String,
    scenario: String,
    /// Seeds run up to and including the first failing one (all of them when
    /// none failed).
    seeds: u64,
    /// The first failing seed.
    seed: Option<u64>,
    kind: Option<&'static str>,
    message: Option<String>,
    wall_ms: u64,
    replay: Option<String>,
}

pub fn run(args: &HuntArgs) -> ExitCode {
    match try_run(args) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn try_run(args: &HuntArgs) -> Result<ExitCode, CliError> {
    let json = args.json.as_deref().map(Target::from_arg);
    if let Some(Target::File(path)) = &json {
        output::check_writable("--json", path)?;
    }
    let jobs = crate::seed::jobs(args.jobs);
    let pool = crate::seed::pool(jobs, "hunt")?;
    let bugs: Vec<String> = match &args.bug {
        Some(bug) => vec![bug.clone()],
        None => raft_core::Bug::ALL
            .iter()
            .map(|b| b.name().to_string())
            .collect(),
    };
    let json_to_stdout = json == Some(Target::Stdout);
    let say = |text: &str| output::say(json_to_stdout, text);
    let mut hunts = Vec::with_capacity(bugs.len());
    if args.all_bugs {
        say(&format!(
            "{:<24} {:<24} {:>6} {:>6}  {:<16} {:>8}\n",
            "bug", "scenario", "seeds", "seed", "kind", "wall"
        ))?;
    }
    for bug in &bugs {
        let name = args
            .scenario
            .clone()
            .unwrap_or_else(|| home_of(bug).to_string());
        let (scenario, label) = scenario::resolve(Some(&name), std::slice::from_ref(bug))?;
        let bar = progress_bar(args.max_seeds, args.quiet, bug);
        let started = Instant::now();
        let first = pool.install(|| hunt(&scenario, args.max_seeds, jobs, &bar));
        bar.finish_and_clear();
        let found = report(bug, &label, first, args.max_seeds, started.elapsed());
        if args.all_bugs {
            say(&table_row(&found))?;
        } else {
            say(&single(&found))?;
        }
        hunts.push(found);
    }
    let missed: Vec<&str> = hunts
        .iter()
        .filter(|h| h.seed.is_none())
        .map(|h| h.bug.as_str())
        .collect();
    if args.all_bugs {
        let mut counts: Vec<u64> = hunts.iter().map(|h| h.seeds).collect();
        counts.sort_unstable();
        let median = median(&counts);
        say(&format!(
            "\n{} of {} planted bugs found; median {median} seeds to the first failure{}\n",
            hunts.len() - missed.len(),
            hunts.len(),
            if missed.is_empty() {
                String::new()
            } else {
                format!(
                    "; not found within {} seeds: {}",
                    args.max_seeds,
                    missed.join(", ")
                )
            }
        ))?;
    }
    if let Some(target) = &json {
        let value = serde_json::json!({ "hunts": hunts, "missed": missed });
        output::write(target, &format!("{value}\n"))?;
    }
    Ok(exit::verdict(missed.is_empty()))
}

/// The lowest failing seed below `max_seeds`, running seeds from 0 in
/// batches of a few per job; seeds after the first failure of a batch are
/// never looked at.
fn hunt(
    scenario: &scenarios::Scenario,
    max_seeds: u64,
    jobs: usize,
    bar: &ProgressBar,
) -> Option<RunOutcome> {
    quiet_seed_panics();
    let batch = (jobs as u64).saturating_mul(4).max(1);
    let mut start = 0u64;
    while start < max_seeds {
        let end = start.saturating_add(batch).min(max_seeds);
        let first = (start..end)
            .into_par_iter()
            .map(|seed| {
                let outcome = run_one(scenario, seed, None);
                bar.inc(1);
                outcome
            })
            .find_first(|outcome| !outcome.passed());
        if first.is_some() {
            return first;
        }
        start = end;
    }
    None
}

fn report(
    bug: &str,
    label: &str,
    first: Option<RunOutcome>,
    max_seeds: u64,
    wall: Duration,
) -> Hunt {
    let failure = first.as_ref().and_then(|o| o.failure.as_ref());
    let seed = first.as_ref().map(|o| o.seed);
    let scenario_arg = if label == "default" {
        String::new()
    } else {
        format!("{label} ")
    };
    Hunt {
        bug: bug.to_string(),
        scenario: label.to_string(),
        seeds: seed.map_or(max_seeds, |s| s + 1),
        seed,
        kind: failure.map(|f| f.kind.as_str()),
        message: failure.map(|f| f.message.clone()),
        wall_ms: wall.as_millis() as u64,
        replay: seed.map(|s| format!("raftsim replay {scenario_arg}--seed {s} --bug {bug}")),
    }
}

fn single(h: &Hunt) -> String {
    match (h.seed, h.kind) {
        (Some(seed), Some(kind)) => format!(
            "FOUND {} in {} after {} seeds ({:.1} s): seed {seed} fails with {kind}: {}\n  replay: {}\n  shrink: raftsim shrink {} --seed {seed} --bug {} --out {}-seed{seed}.toml\n",
            h.bug,
            h.scenario,
            h.seeds,
            h.wall_ms as f64 / 1000.0,
            h.message.as_deref().unwrap_or(""),
            h.replay.as_deref().unwrap_or(""),
            h.scenario,
            h.bug,
            h.bug,
        ),
        _ => format!(
            "NOT FOUND {} in {}: all {} seeds passed ({:.1} s); try more seeds (--max-seeds) or a scenario that provokes it\n",
            h.bug,
            h.scenario,
            h.seeds,
            h.wall_ms as f64 / 1000.0
        ),
    }
}

fn table_row(h: &Hunt) -> String {
    let seed = h.seed.map_or("-".to_string(), |s| s.to_string());
    let kind = h.kind.unwrap_or("NOT FOUND");
    format!(
        "{:<24} {:<24} {:>6} {:>6}  {:<16} {:>7.1}s\n",
        h.bug,
        h.scenario,
        h.seeds,
        seed,
        kind,
        h.wall_ms as f64 / 1000.0
    )
}

/// The median of sorted `values` (the mean of the middle two for an even
/// count, rounded down); 0 for none.
fn median(values: &[u64]) -> u64 {
    match values.len() {
        0 => 0,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2,
    }
}

fn progress_bar(len: u64, quiet: bool, bug: &str) -> ProgressBar {
    let shown = !quiet && !output::in_ci() && std::io::stderr().is_terminal();
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len), target);
    let template = "{elapsed_precise} {msg} {wide_bar} {pos}/{len} seeds {per_sec}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.set_message(format!("hunting {bug}"));
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_home_is_a_catalogue_scenario_and_names_a_real_bug() {
        let names: Vec<&str> = scenarios::CATALOGUE.iter().map(|(n, _)| *n).collect();
        for (bug, home) in HOMES {
            assert!(names.contains(home), "{home} is not in the catalogue");
            assert!(raft_core::Bug::from_name(bug).is_some(), "{bug} is no bug");
        }
        assert_eq!(home_of("figure8-commit"), "leader-isolation");
        assert_eq!(home_of("no-dedup"), "default");
    }

    #[test]
    fn medians() {
        assert_eq!(median(&[]), 0);
        assert_eq!(median(&[3]), 3);
        assert_eq!(median(&[1, 3, 10]), 3);
        assert_eq!(median(&[1, 3, 10, 20]), 6);
    }

    #[test]
    fn the_first_failure_does_not_depend_on_jobs() {
        let (scenario, _) =
            scenario::resolve(None, &["figure8-commit".to_string()]).expect("resolves");
        let firsts: Vec<Option<u64>> = [1usize, 3]
            .iter()
            .map(|&jobs| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(jobs)
                    .build()
                    .expect("a pool");
                pool.install(|| hunt(&scenario, 120, jobs, &ProgressBar::hidden()))
                    .map(|o| o.seed)
            })
            .collect();
        assert_eq!(firsts[0], firsts[1]);
        assert!(firsts[0].is_some(), "figure8-commit fails within 120 seeds");
    }
}
