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
    let (scenario, label) = scenario::resolve(args.scenario.as_deref(), &bugs)?;
    let json = args.json.as_deref().map(Target::from_arg);
    if let Some(Target::File(path)) = &json {
        output::check_writable("--json", path)?;
    }
    let seeds = seeds_of(args.seeds, args.shard).map_err(CliError::usage)?;
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    if !args.quiet {
        output::print_stderr(&format!(
            "raftsim: running {} seeds of {label} on {jobs} jobs\n",
            seeds.len()
        ));
    }

    let started = Instant::now();
    let outcomes = run_seeds(
        &scenario,
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
    let summary = reports::summarize(&spec, &outcomes, wall);
    let json_to_stdout = json == Some(Target::Stdout);
    if let Some(target) = &json {
        let text = reports::to_json(&summary)
            .map_err(|e| CliError::io(format!("cannot serialise the results: {e}")))?;
        match target {
            Target::Stdout => output::print_stdout(&text)?,
            Target::File(path) => output::write_atomically(path, &text)?,
        }
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
    Ok(exit::verdict(summary.all_passed()))
}

/// Runs every seed on a pool of `jobs` threads; the outcomes come back in
/// seed order whatever the pool does.
fn run_seeds(
    scenario: &scenarios::Scenario,
    seeds: &[u64],
    jobs: usize,
    bar: ProgressBar,
) -> Result<Vec<RunOutcome>, CliError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("raftsim-seed-{i}"))
        .build()
        .map_err(|e| CliError::io(format!("cannot start {jobs} worker threads: {e}")))?;
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
