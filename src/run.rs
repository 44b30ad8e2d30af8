//! `raftsim run`: many seeds in parallel, then the summary.

use crate::exit::{self, CliError};
use crate::output::{self, Target};
use crate::range::{parse_bug, parse_jobs, parse_seeds, parse_shard, seeds_of};
use crate::scenario;
use crate::seed::{quiet_seed_panics, run_one};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use reports::{RunSpec, SeedSpan, Shard};
use simulator::RunOutcome;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// A catalogue scenario name (see `raftsim scenarios`) or a .toml file;
    /// the default scenario when absent.
    pub scenario: Option<String>,
    /// Seeds to run: N (seeds 0 to N-1) or A..B (A inclusive, B exclusive).
    #[arg(long, value_name = "RANGE", value_parser = parse_seeds, default_value = "1000")]
    pub seeds: SeedSpan,
    /// Worker threads; results never depend on it. Default: the number of cores.
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// Switch on a planted bug (repeatable; see `raftsim bugs`).
    #[arg(long = "bug", value_name = "NAME", value_parser = parse_bug)]
    pub bugs: Vec<String>,
    /// Write the results as JSON to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write JUnit XML to PATH: one test case for the scenario, one failure
    /// per failing seed with its replay command.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Run only the seeds whose index in RANGE modulo N is I (0-based).
    #[arg(long, value_name = "I/N", value_parser = parse_shard)]
    pub shard: Option<Shard>,
    /// No progress bar and no start line; the summary still prints.
    #[arg(long, short)]
    pub quiet: bool,
    /// Run every scenario of the catalogue (`raftsim scenarios`) over the
    /// seeds, one line each; exit 0 when every scenario shows the verdict
    /// it declares (a must-fail demonstration must fail).
    #[arg(long, conflicts_with = "scenario")]
    pub all: bool,
}

pub fn run(args: &RunArgs) -> ExitCode {
    match try_run(args) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn try_run(args: &RunArgs) -> Result<ExitCode, CliError> {
    if let Some(path) = &args.junit {
        crate::report::check_junit_path(path)?;
    }
    let bugs = scenario::unique_bugs(&args.bugs);
    let json = args.json.as_deref().map(Target::from_arg);
    if let Some(Target::File(path)) = &json {
        output::check_writable("--json", path)?;
    }
    if args.all {
        return run_all(args, &bugs, json.as_ref());
    }
    let (scenario, label) = scenario::resolve(args.scenario.as_deref(), &bugs)?;
    let summary = run_scenario(args, &scenario, label, bugs, true)?;
    let json_to_stdout = json == Some(Target::Stdout);
    if let Some(target) = &json {
        output::write(target, &crate::report::summary_json(&summary)?)?;
    }
    if let Some(path) = &args.junit {
        crate::report::write_junit(path, std::slice::from_ref(&summary))?;
    }
    // With `--json -` stdout holds the JSON alone; the summary moves to stderr.
    let text = reports::render_terminal(&summary, output::use_color(json_to_stdout));
    if json_to_stdout {
        output::print_stderr(&text);
    } else {
        output::print_stdout(&text)?;
    }
    let met = declared_verdict(&scenario, &summary);
    if scenario.expect.fail {
        let line = format!("{}\n", verdict_line(&scenario, &summary, met));
        if json_to_stdout {
            output::print_stderr(&line);
        } else {
            output::print_stdout(&line)?;
        }
    }
    Ok(exit::verdict(met))
}

/// Runs the seeds of `args` on `scenario` and summarises them.
fn run_scenario(
    args: &RunArgs,
    scenario: &scenarios::Scenario,
    label: String,
    bugs: Vec<String>,
    start_line: bool,
) -> Result<reports::RunSummary, CliError> {
    let seeds = seeds_of(args.seeds, args.shard).map_err(CliError::usage)?;
    let jobs = crate::seed::jobs(args.jobs);
    if start_line && !args.quiet {
        output::print_stderr(&format!(
            "raftsim: running {} seeds of {label} on {jobs} jobs\n",
            seeds.len()
        ));
    }
    let started = Instant::now();
    let outcomes = run_seeds(
        scenario,
        &seeds,
        jobs,
        progress_bar(seeds.len(), args.quiet),
    )?;
    let wall = started.elapsed();
    let spec = RunSpec {
        scenario: label,
        seeds: args.seeds,
        shard: args.shard,
        bugs,
    };
    Ok(reports::summarize(&spec, &outcomes, wall))
}

/// Whether the run shows what the scenario declares: every seed passes, or
/// for a must-fail scenario (`expect.fail`), some seed fails and every
/// failure has a declared kind.
fn declared_verdict(scenario: &scenarios::Scenario, summary: &reports::RunSummary) -> bool {
    let kinds = summary
        .results
        .iter()
        .filter_map(|r| r.kind.map(|k| k.as_str()));
    scenario.expect.verdict(kinds)
}

/// One line on a must-fail scenario's verdict.
fn verdict_line(
    scenario: &scenarios::Scenario,
    summary: &reports::RunSummary,
    met: bool,
) -> String {
    let kinds: Vec<&str> = scenario.expect.kinds.iter().map(|k| k.as_str()).collect();
    let declared = if kinds.is_empty() {
        "to fail".to_string()
    } else {
        format!("to fail with {}", kinds.join(" or "))
    };
    let seeds = summary.results.len();
    if met {
        format!(
            "AS EXPECTED {} is declared {declared}: {} of {seeds} seeds did",
            scenario.name, summary.failed
        )
    } else {
        format!(
            "NOT AS EXPECTED {} is declared {declared}, but {} of {seeds} seeds failed{}",
            scenario.name,
            summary.failed,
            if summary.failed > 0 {
                " (with other kinds too)"
            } else {
                ""
            }
        )
    }
}

/// `run --all`: every catalogue scenario, one line each as it finishes
/// (on stdout, or stderr when stdout carries the JSON), then the verdict.
fn run_all(args: &RunArgs, bugs: &[String], json: Option<&Target>) -> Result<ExitCode, CliError> {
    let catalogue = scenario::catalogue()?;
    let to_stderr = json == Some(&Target::Stdout);
    let say = |text: &str| output::say(to_stderr, text);
    if !args.quiet {
        output::print_stderr(&format!(
            "raftsim: running {} catalogue scenarios over {} seeds each\n",
            catalogue.len(),
            args.seeds.end - args.seeds.start
        ));
    }
    let mut summaries = Vec::with_capacity(catalogue.len());
    let mut missed = Vec::new();
    for listed in &catalogue {
        let (scenario, label) = scenario::resolve(Some(&listed.name), bugs)?;
        let summary = run_scenario(args, &scenario, label, bugs.to_vec(), false)?;
        let met = declared_verdict(&scenario, &summary);
        let declared = if scenario.expect.fail {
            "must fail"
        } else {
            "must pass"
        };
        let line = format!(
            "{} {:<42} {declared:<9} {:>6} seeds {:>6} failed {:>9.1} s\n",
            if met { "ok  " } else { "MISS" },
            scenario.name,
            summary.results.len(),
            summary.failed,
            summary.wall_ms as f64 / 1000.0
        );
        say(&line)?;
        if !met {
            let first = summary.results.iter().find(|r| r.replay.is_some());
            let hint = match first {
                Some(r) => format!(
                    "  first failing seed {}: {} ({})\n",
                    r.seed,
                    r.replay.as_deref().unwrap_or(""),
                    r.message.as_deref().unwrap_or("")
                ),
                None => format!("  no seed failed, but {} must fail\n", scenario.name),
            };
            say(&hint)?;
            missed.push(scenario.name.clone());
        }
        summaries.push((summary, met));
    }
    if let Some(path) = &args.junit {
        // One test case per scenario. A must-fail scenario's failing seeds
        // are reported as they are: JUnit has no "expected to fail".
        let all: Vec<reports::RunSummary> = summaries.iter().map(|(s, _)| s.clone()).collect();
        crate::report::write_junit(path, &all)?;
    }
    if let Some(target) = json {
        let mut objects = Vec::with_capacity(summaries.len());
        for (summary, met) in &summaries {
            let text = crate::report::summary_json(summary)?;
            let mut value: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::io(format!("cannot serialise the results: {e}")))?;
            value["verdict"] = serde_json::Value::from(if *met {
                "as-declared"
            } else {
                "not-as-declared"
            });
            objects.push(value);
        }
        let all = serde_json::json!({ "scenarios": objects, "missed": missed });
        output::write(target, &format!("{all}\n"))?;
    }
    let verdict = if missed.is_empty() {
        format!(
            "\nPASS all {} scenarios show their declared verdict\n",
            summaries.len()
        )
    } else {
        format!(
            "\nFAIL {} of {} scenarios did not show their declared verdict: {}\n",
            missed.len(),
            summaries.len(),
            missed.join(", ")
        )
    };
    say(&verdict)?;
    Ok(exit::verdict(missed.is_empty()))
}

/// Runs every seed on a pool of `jobs` threads; the outcomes come back in
/// seed order whatever the pool does.
fn run_seeds(
    scenario: &scenarios::Scenario,
    seeds: &[u64],
    jobs: usize,
    bar: ProgressBar,
) -> Result<Vec<RunOutcome>, CliError> {
    let pool = crate::seed::pool(jobs, "seed")?;
    let failed = AtomicU64::new(0);
    quiet_seed_panics();
    let outcomes = pool.install(|| {
        seeds
            .par_iter()
            .map(|&seed| {
                let outcome = run_one(scenario, seed, None);
                if !outcome.passed() {
                    let failed = failed.fetch_add(1, Ordering::Relaxed) + 1;
                    bar.set_message(format!("{failed} failed"));
                }
                bar.inc(1);
                outcome
            })
            .collect::<Vec<RunOutcome>>()
    });
    bar.finish_and_clear();
    Ok(outcomes)
}

/// A bar on stderr with seeds per second and the time left; hidden when
/// stderr is not a terminal, under CI, or with `--quiet`.
fn progress_bar(len: usize, quiet: bool) -> ProgressBar {
    let shown = !quiet && !output::in_ci() && std::io::stderr().is_terminal();
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(len as u64), target);
    let template = "{elapsed_precise} {wide_bar} {pos}/{len} seeds {per_sec} ETA {eta} {msg}";
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}
