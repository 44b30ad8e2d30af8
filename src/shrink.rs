//! `raftsim shrink`: a failing seed turned into the smallest scenario file
//! that still fails with that seed and the same kind of failure.
//!
//! First the seed's random choices are written out (see
//! `simulator::explicit`): the nemesis's faults become scripted steps at the
//! instants they happened, the rates the seed drew become fixed. That
//! scenario is the same run. Then it is reduced, keeping a change only when
//! the seed still fails with the same kind: faults removed by delta debugging
//! (Zeller and Hildebrandt, "Simplifying and Isolating Failure-Inducing
//! Input", 2002), a shorter run, fewer clients and operations, fewer nodes,
//! shorter fault windows, no loss or duplication, again until nothing more
//! goes. Explicit steps draw nothing at random, so removing one fault leaves
//! the others as they were.
//!
//! Candidates of one round run in parallel; the first in a fixed order that
//! still fails is kept, so the result does not depend on `--jobs`.

use crate::exit::CliError;
use crate::output;
use crate::range::{parse_bug, parse_jobs};
use crate::scenario;
use crate::seed::{quiet_seed_panics, run_one};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use scenarios::{FailureKind, Scenario, StepSpec};
use simulator::explicit::{self, TimedAction};
use simulator::{RunOptions, RunOutcome};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct ShrinkArgs {
    /// A catalogue scenario name or a .toml file; the default scenario when
    /// absent.
    pub scenario: Option<String>,
    /// The failing seed to shrink.
    #[arg(long, value_name = "S")]
    pub seed: u64,
    /// Switch on a planted bug (repeatable; see `raftsim bugs`). The shrunk
    /// file names it in `cluster.bugs`.
    #[arg(long = "bug", value_name = "NAME", value_parser = parse_bug)]
    pub bugs: Vec<String>,
    /// Where to write the shrunk scenario (TOML). An existing file is kept
    /// unless `--force` is given.
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// Overwrite `--out` if it exists.
    #[arg(long)]
    pub force: bool,
    /// Stop after this many trial runs (each one run of the seed), counted as
    /// if they ran one after another: a batch that runs in parallel counts
    /// up to its first failing candidate, so the result does not depend on
    /// `--jobs`.
    #[arg(long, value_name = "N", default_value = "3000")]
    pub max_runs: u64,
    /// Worker threads; the result never depends on it.
    #[arg(long, value_name = "N", value_parser = parse_jobs)]
    pub jobs: Option<usize>,
    /// No progress line.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: &ShrinkArgs) -> ExitCode {
    match try_run(args) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn try_run(args: &ShrinkArgs) -> Result<ExitCode, CliError> {
    output::check_writable("--out", &args.out)?;
    if args.out.exists() && !args.force {
        return Err(CliError::usage(format!(
            "--out {}: the file exists; choose another path or pass --force to overwrite it",
            args.out.display()
        )));
    }
    let bugs = scenario::unique_bugs(&args.bugs);
    let (original, label) = scenario::resolve(args.scenario.as_deref(), &bugs)?;
    let pool = crate::seed::pool(crate::seed::jobs(args.jobs), "shrink")?;
    quiet_seed_panics();
    let started = Instant::now();
    let recorded = simulator::raft::run_seed_recorded(&original, args.seed, None);
    let Some(failure) = recorded.outcome.failure.clone() else {
        output::print_stderr(&format!(
            "raftsim: seed {} of {label} passes: nothing to shrink (find a failing seed with `raftsim run` or `raftsim hunt`)\n",
            args.seed
        ));
        return Ok(ExitCode::from(1));
    };
    let options = RunOptions::draw(&original, args.seed);
    let pinned = explicit::pinned(&original, &options);
    // The choices to write out: the script's actions as it took them (its
    // nemesis, if it has one too, stays random), or the nemesis's faults.
    let mut rewritten = pinned.clone();
    let actions = if !original.steps.is_empty() {
        Some(recorded.timeline.script.clone())
    } else if !options.fault_kinds.is_empty() {
        rewritten.faults.enabled = false;
        Some(recorded.timeline.timed_faults())
    } else {
        None
    };
    let mut start = Candidate {
        scenario: rewritten,
        faults: actions,
    };
    let bar = progress(args.quiet);
    let shrinker = Shrinker {
        seed: args.seed,
        kind: failure.kind,
        runs: AtomicU64::new(0),
        max_runs: args.max_runs,
        max_events: recorded
            .outcome
            .events
            .saturating_mul(4)
            .saturating_add(100_000),
        bar: &bar,
    };
    let mut note = None;
    if start.faults.is_some() && !pool.install(|| shrinker.fails(&start)) {
        // An event at the same microsecond as a fault ran in another order,
        // or the script's failure was one of its own expectations (which the
        // written-out actions do not keep): shrink the scenario as written.
        start = Candidate {
            scenario: pinned,
            faults: None,
        };
        note = Some(
            "the run's faults and scripted actions written as explicit steps no longer fail (an event coincided with one, or the failure was a scripted expectation), so the scenario's own nemesis and script were kept",
        );
    }
    if start.faults.is_none() && !pool.install(|| shrinker.fails(&start)) {
        return Err(CliError::io(format!(
            "seed {} of {label} fails ({}) but not once its drawn rates are fixed; this is a bug in raftsim, please report it",
            args.seed,
            failure.kind.as_str()
        )));
    }
    let before = Size::of(&start, &recorded.outcome);
    let shrunk = pool.install(|| shrinker.shrink(start));
    bar.finish_and_clear();
    let outcome = run_one(&shrunk.render(), args.seed, None);
    let after = Size::of(&shrunk, &outcome);
    let text = file_text(&shrunk, &label, args, failure.kind, &before, &after);
    output::write_atomically(&args.out, &text)?;
    let runs = shrinker.runs.load(Ordering::Relaxed);
    let mut summary = format!(
        "shrunk seed {} of {label} ({}) in {runs} runs, {:.1} s:\n{}",
        args.seed,
        failure.kind.as_str(),
        started.elapsed().as_secs_f64(),
        Size::table(&before, &after)
    );
    if runs >= args.max_runs {
        summary.push_str(&format!(
            "  stopped at --max-runs {}: it may shrink further with more\n",
            args.max_runs
        ));
    }
    if let Some(note) = note {
        summary.push_str(&format!("  note: {note}\n"));
    }
    summary.push_str(&format!(
        "wrote {}; it fails with {}:\n  raftsim replay {} --seed {}\n",
        args.out.display(),
        outcome
            .failure
            .as_ref()
            .map_or("nothing (a bug in raftsim)".to_string(), |f| f
                .message
                .clone()),
        args.out.display(),
        args.seed
    ));
    output::print_stdout(&summary)?;
    Ok(ExitCode::SUCCESS)
}

/// A scenario being shrunk: everything but its script, and the faults that
/// become the script (or `None`: the scenario's own steps and nemesis stay,
/// and its top-level steps are what gets removed).
#[derive(Clone, Debug, PartialEq)]
struct Candidate {
    scenario: Scenario,
    faults: Option<Vec<TimedAction>>,
}

impl Candidate {
    /// The scenario to run: faults that start after the faulty phase are
    /// dropped, and one still in force at its end is undone by healing.
    fn render(&self) -> Scenario {
        let mut scenario = self.scenario.clone();
        if let Some(faults) = &self.faults {
            let cut_us = scenario.phases.faulty_ms.saturating_mul(1000);
            let kept: Vec<TimedAction> = faults
                .iter()
                .filter(|f| f.from_us < cut_us && f.max_node() < scenario.cluster.nodes)
                .map(|f| TimedAction {
                    to_us: f.to_us.filter(|&to| to < cut_us),
                    ..f.clone()
                })
                .collect();
            scenario.steps = explicit::fault_steps(&kept);
        }
        scenario
    }

    /// How many items delta debugging works on.
    fn items(&self) -> usize {
        match &self.faults {
            Some(faults) => faults.len(),
            None => self.scenario.steps.len(),
        }
    }

    /// The candidate with only the items at `keep` (in order).
    fn with_items(&self, keep: &[usize]) -> Candidate {
        let mut next = self.clone();
        match &mut next.faults {
            Some(faults) => *faults = keep.iter().map(|&i| faults[i].clone()).collect(),
            None => {
                let steps = &self.scenario.steps;
                next.scenario.steps = keep.iter().map(|&i| steps[i].clone()).collect();
            }
        }
        next
    }
}

struct Shrinker<'a> {
    seed: u64,
    kind: FailureKind,
    runs: AtomicU64,
    max_runs: u64,
    /// Trials stop after this many events: a candidate that livelocks (a
    /// planted bug can make a cluster spin) would otherwise run for minutes
    /// to its scenario's budget, and it shows a `limit`, not the failure.
    max_events: u64,
    bar: &'a ProgressBar,
}

impl Shrinker<'_> {
    fn budget_left(&self) -> bool {
        self.runs.load(Ordering::Relaxed) < self.max_runs
    }

    /// Whether `candidate` is valid and its seed fails with the same kind.
    fn fails(&self, candidate: &Candidate) -> bool {
        self.trial(candidate).is_some()
    }

    /// Runs `candidate`: `Some(operations invoked)` when it is valid and its
    /// seed fails with the same kind.
    fn trial(&self, candidate: &Candidate) -> Option<u64> {
        self.runs.fetch_add(1, Ordering::Relaxed);
        self.uncounted_trial(candidate)
    }

    /// [`Self::trial`] without counting the run against the budget (the
    /// caller counts it).
    fn uncounted_trial(&self, candidate: &Candidate) -> Option<u64> {
        let mut scenario = candidate.render();
        if scenario.validate().is_err() {
            return None;
        }
        scenario.limits.max_events = scenario.limits.max_events.min(self.max_events);
        self.bar.inc(1);
        let outcome = run_one(&scenario, self.seed, None);
        let same = outcome
            .failure
            .as_ref()
            .is_some_and(|f| f.kind == self.kind);
        same.then(|| operations(&outcome))
    }

    /// The first of `candidates` (in order) that still fails; all run in
    /// parallel, within the run budget. The budget is charged with the runs
    /// up to that first one (all of them when none fails), not with the
    /// runs the threads happened to start beyond it, so that where the
    /// budget ends, and with it the result, does not depend on `--jobs`.
    fn first_failing(&self, candidates: Vec<Candidate>) -> Option<Candidate> {
        if !self.budget_left() {
            return None;
        }
        let count = candidates.len();
        let found = candidates
            .par_iter()
            .position_first(|c| self.uncounted_trial(c).is_some());
        let charged = found.map_or(count, |i| i + 1);
        self.runs.fetch_add(charged as u64, Ordering::Relaxed);
        found.and_then(|i| candidates.into_iter().nth(i))
    }

    /// Rounds of every reduction until a round changes nothing.
    fn shrink(&self, mut current: Candidate) -> Candidate {
        for _ in 0..4 {
            let before = current.clone();
            current = self.delta_debug(current);
            current = self.remove_with_shifts(current);
            current = self.shorter_gaps(current);
            current = self.shorter_run(current);
            current = self.fewer_ops(current);
            current = self.fewer_nodes(current);
            current = self.shorter_windows(current);
            current = self.quieter_network(current);
            if current == before || !self.budget_left() {
                break;
            }
        }
        current
    }

    /// ddmin over the faults (or top-level steps): try each chunk alone and
    /// each chunk removed, at finer and finer chunks.
    fn delta_debug(&self, mut current: Candidate) -> Candidate {
        let mut chunks = 2usize;
        loop {
            let len = current.items();
            if len == 0 {
                return current;
            }
            if len == 1 {
                return self
                    .first_failing(vec![current.with_items(&[])])
                    .unwrap_or(current);
            }
            let chunks_now = chunks.min(len);
            let bounds: Vec<(usize, usize)> = (0..chunks_now)
                .map(|c| (c * len / chunks_now, (c + 1) * len / chunks_now))
                .collect();
            let mut candidates = Vec::with_capacity(2 * chunks_now);
            for &(a, b) in &bounds {
                candidates.push(current.with_items(&(a..b).collect::<Vec<_>>()));
            }
            if chunks_now > 2 {
                for &(a, b) in &bounds {
                    let keep: Vec<usize> = (0..len).filter(|i| !(a..b).contains(i)).collect();
                    candidates.push(current.with_items(&keep));
                }
            }
            match self.first_failing(candidates) {
                Some(smaller) => {
                    // A chunk alone fails: start over on it; a complement:
                    // keep the granularity.
                    chunks = if smaller.items() <= len / chunks_now + 1 {
                        2
                    } else {
                        (chunks_now - 1).max(2)
                    };
                    current = smaller;
                }
                None if chunks_now >= len || !self.budget_left() => return current,
                None => chunks = (chunks_now * 2).min(len),
            }
        }
    }

    /// Each fault removed in turn, last first, together with variants in
    /// which every later fault comes up to [`SHIFT_MS_MAX`] milliseconds later or
    /// earlier. A failure that needs a precise interleaving (Figure 8)
    /// rarely survives a removed fault as is: the cluster takes another
    /// path from there. Among the shifted variants, some take a path that
    /// fails the same way; the first in order that does is kept.
    fn remove_with_shifts(&self, mut current: Candidate) -> Candidate {
        let Some(count) = current.faults.as_ref().map(Vec::len) else {
            return current;
        };
        for i in (0..count).rev() {
            let Some(faults) = &current.faults else { break };
            if i >= faults.len() || !self.budget_left() {
                continue;
            }
            let candidates: Vec<Candidate> = shifts()
                .map(|shift_ms| {
                    let mut faults = faults.clone();
                    faults.remove(i);
                    let shift = |us: u64| us.saturating_add_signed(shift_ms * 1000);
                    for later in &mut faults[i..] {
                        later.from_us = shift(later.from_us);
                        later.to_us = later.to_us.map(shift);
                    }
                    Candidate {
                        scenario: current.scenario.clone(),
                        faults: Some(faults),
                    }
                })
                .collect();
            if let Some(smaller) = self.first_failing(candidates) {
                current = smaller;
            }
        }
        current
    }

    /// The quiet time before each fault (from the start of the run, or from
    /// the end of the fault before it) cut short: that fault and every later
    /// one come earlier, and so do the end of the faulty phase and the
    /// clients' stop time. Ahead of the first fault this removes the
    /// operations of a run that fails only later. Each gap tries
    /// [`GAP_STEPS`] lengths in parallel, the shortest that fails wins.
    fn shorter_gaps(&self, mut current: Candidate) -> Candidate {
        let count = current.faults.as_ref().map_or(0, Vec::len);
        for i in 0..count {
            let Some(faults) = current.faults.clone() else {
                break;
            };
            let quiet_from = match i {
                0 => 0,
                _ => faults[i - 1].to_us.unwrap_or(faults[i - 1].from_us),
            };
            let gap_ms = faults[i].from_us.saturating_sub(quiet_from) / 1000;
            if gap_ms == 0 || !self.budget_left() {
                continue;
            }
            let candidates: Vec<Candidate> = (0..GAP_STEPS)
                .map(|k| {
                    let cut_ms = gap_ms - gap_ms * k / GAP_STEPS;
                    let mut c = current.clone();
                    let mut later = faults.clone();
                    for f in &mut later[i..] {
                        f.from_us -= cut_ms * 1000;
                        f.to_us = f.to_us.map(|us| us - cut_ms * 1000);
                    }
                    c.faults = Some(later);
                    let phases = &mut c.scenario.phases;
                    phases.faulty_ms = phases.faulty_ms.saturating_sub(cut_ms);
                    let workload = &mut c.scenario.workload;
                    workload.stop_ms = workload.stop_ms.map(|ms| ms.saturating_sub(cut_ms));
                    c
                })
                .collect();
            if let Some(shorter) = self.first_failing(candidates) {
                current = shorter;
            }
        }
        current
    }

    /// The smallest value in `lo..=value` at which `with(v)` still fails,
    /// by bisection (it assumes smaller values fail less, which is often
    /// but not always so: the result is small, not always the smallest).
    fn smallest(&self, value: u64, lo: u64, with: impl Fn(u64) -> Candidate) -> Option<Candidate> {
        let mut best: Option<Candidate> = None;
        let (mut lo, mut hi) = (lo, value);
        while lo < hi && self.budget_left() {
            let mid = lo + (hi - lo) / 2;
            let candidate = with(mid);
            if self.fails(&candidate) {
                hi = mid;
                best = Some(candidate);
            } else {
                lo = mid + 1;
            }
        }
        best
    }

    /// A shorter faulty phase (faults after it are dropped), then a shorter
    /// healing phase, each to the millisecond.
    fn shorter_run(&self, current: Candidate) -> Candidate {
        let faulty = current.scenario.phases.faulty_ms;
        let current = self
            .smallest(faulty, 0, |ms| {
                let mut c = current.clone();
                c.scenario.phases.faulty_ms = ms;
                c
            })
            .unwrap_or(current);
        let healing = current.scenario.phases.healing_ms;
        self.smallest(healing, 0, |ms| {
            let mut c = current.clone();
            c.scenario.phases.healing_ms = ms;
            c
        })
        .unwrap_or(current)
    }

    /// Fewer operations: every number of clients up to the current one,
    /// each with clients that stop starting operations at one of
    /// [`STOP_STEPS`] points of the run; of those that still fail, the one
    /// with the fewest operations (the first in order among equals). A grid,
    /// not a bisection: whether a seed fails is far from monotonic in these.
    fn fewer_ops(&self, current: Candidate) -> Candidate {
        let clients = current.scenario.workload.clients;
        if clients == 0 || !self.budget_left() {
            return current;
        }
        let phases = &current.scenario.phases;
        let end_ms = phases.faulty_ms.saturating_add(phases.healing_ms);
        let stop = current
            .scenario
            .workload
            .stop_ms
            .unwrap_or(end_ms)
            .min(end_ms);
        let mut candidates = Vec::new();
        for n in 1..=clients {
            for step in 1..=STOP_STEPS {
                let mut c = current.clone();
                c.scenario.workload.clients = n;
                c.scenario.workload.stop_ms = Some(stop * step / STOP_STEPS);
                candidates.push(c);
            }
        }
        let mut baseline = current.clone();
        baseline.scenario.workload.stop_ms = Some(stop);
        let best = candidates
            .into_par_iter()
            .map(|c| (self.trial(&c), c))
            .filter_map(|(ops, c)| ops.map(|ops| (ops, c)))
            .min_by_key(|(ops, c)| {
                (
                    *ops,
                    c.scenario.workload.clients,
                    c.scenario.workload.stop_ms,
                )
            });
        match best {
            Some((ops, c)) if self.trial(&baseline).is_none_or(|now| ops < now) => c,
            _ => current,
        }
    }

    /// The smallest cluster that still fails (faults naming a node beyond it
    /// are dropped).
    fn fewer_nodes(&self, current: Candidate) -> Candidate {
        let nodes = current.scenario.cluster.nodes;
        let candidates: Vec<Candidate> = (1..nodes)
            .map(|n| {
                let mut c = current.clone();
                c.scenario.cluster.nodes = n;
                // The initial configuration shrinks with the cluster.
                if let Some(v) = c.scenario.cluster.voters.as_mut() {
                    *v = (*v).min(n);
                }
                c
            })
            .collect();
        self.first_failing(candidates).unwrap_or(current)
    }

    /// Each fault window as short as it can be (to the millisecond).
    fn shorter_windows(&self, mut current: Candidate) -> Candidate {
        let count = current.faults.as_ref().map_or(0, Vec::len);
        for i in 0..count {
            let Some(fault) = current.faults.as_ref().map(|f| f[i].clone()) else {
                break;
            };
            // A fault without an undoing step (a membership change) has
            // no window to shorten.
            let (Some(to_us), Some(_)) = (fault.to_us, &fault.end) else {
                continue;
            };
            let length_ms = (to_us - fault.from_us) / 1000;
            let base = current.clone();
            if let Some(shorter) = self.smallest(length_ms, 0, |ms| {
                let mut c = base.clone();
                if let Some(faults) = &mut c.faults {
                    faults[i].to_us = Some(fault.from_us + ms * 1000);
                }
                c
            }) {
                current = shorter;
            }
        }
        current
    }

    /// No loss, no duplication, no clock drift, each if the failure stays.
    fn quieter_network(&self, mut current: Candidate) -> Candidate {
        type Edit = fn(&mut Scenario);
        let edits: [Edit; 5] = [
            |s| s.network.drop_ratio_max = 0.0,
            |s| s.network.duplicate_ratio_max = 0.0,
            |s| s.network.reply_drop_ratio_max = None,
            |s| s.network.reply_duplicate_ratio_max = None,
            |s| s.clock.drift_ppm_max = 0,
        ];
        for edit in edits {
            let mut c = current.clone();
            edit(&mut c.scenario);
            if c.scenario != current.scenario && self.budget_left() && self.fails(&c) {
                current = c;
            }
        }
        current
    }
}

/// How far `remove_with_shifts` moves the faults after a removed one, in
/// milliseconds: 0 first, then 1 later, 1 earlier, 2 later, ... up to
/// `SHIFT_MS_MAX` either way.
const SHIFT_MS_MAX: i64 = 50;

fn shifts() -> impl Iterator<Item = i64> {
    std::iter::once(0).chain((1..=SHIFT_MS_MAX).flat_map(|ms| [ms, -ms]))
}

/// How many shorter lengths `shorter_gaps` tries for one gap (all of it
/// cut, then 15/16 of it, ... 1/16).
const GAP_STEPS: u64 = 16;

/// Points of the run at which `fewer_ops` tries stopping the clients.
const STOP_STEPS: u64 = 16;

/// Client operations a run invoked.
fn operations(outcome: &RunOutcome) -> u64 {
    outcome.workload.ops.values().map(|c| c.total()).sum()
}

/// What the issue counts: fault steps (actions, not waits) and client
/// operations, and the scenario's dimensions.
struct Size {
    fault_steps: u64,
    operations: u64,
    nodes: usize,
    clients: usize,
    run_ms: u64,
    nemesis: bool,
}

impl Size {
    fn of(candidate: &Candidate, outcome: &RunOutcome) -> Size {
        let scenario = candidate.render();
        let actions = scenario
            .steps
            .iter()
            .map(|s| match s {
                StepSpec::Wait { .. } => 0,
                other => other.size(),
            })
            .sum();
        Size {
            fault_steps: actions,
            operations: operations(outcome),
            nodes: scenario.cluster.nodes,
            clients: scenario.workload.clients,
            run_ms: outcome.virtual_us / 1000,
            nemesis: scenario.faults.enabled,
        }
    }

    fn table(before: &Size, after: &Size) -> String {
        let ratio = |a: u64, b: u64| {
            if b == 0 {
                format!("{a} -> 0")
            } else {
                format!("{a} -> {b} ({:.1}x smaller)", a as f64 / b as f64)
            }
        };
        let mut text = format!(
            "  fault steps   {}{}\n  operations    {}\n  nodes         {} -> {}\n  clients       {} -> {}\n  virtual time  {:.1} s -> {:.1} s\n",
            ratio(before.fault_steps, after.fault_steps),
            if after.nemesis { " (plus the random nemesis)" } else { "" },
            ratio(before.operations, after.operations),
            before.nodes,
            after.nodes,
            before.clients,
            after.clients,
            before.run_ms as f64 / 1000.0,
            after.run_ms as f64 / 1000.0,
        );
        if before.nemesis {
            text.push_str("  (the faults were the random nemesis's; they stay random)\n");
        }
        text
    }
}

/// The shrunk scenario as a file a person can read: a header on where it
/// came from and how to run it, then every key.
fn file_text(
    candidate: &Candidate,
    label: &str,
    args: &ShrinkArgs,
    kind: FailureKind,
    before: &Size,
    after: &Size,
) -> String {
    let mut scenario = candidate.render();
    let stem = args
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "shrunk".to_string());
    scenario.name = stem;
    scenario.description = format!(
        "Seed {} of {label} shrunk by raftsim shrink: it fails with {}",
        args.seed,
        kind.as_str()
    );
    let body = scenarios::to_toml(&scenario).unwrap_or_else(|e| format!("# cannot write: {e}\n"));
    format!(
        "# Written by `raftsim shrink {label} --seed {seed}{bugs}`: seed {seed} of\n\
         # {label}, reduced to what its {kind} failure needs ({} -> {} fault steps,\n\
         # {} -> {} operations). Run it with its seed:\n\
         #   raftsim replay {out} --seed {seed}\n\
         # It is a regression test: fix the bug and it passes.\n\n{body}",
        before.fault_steps,
        after.fault_steps,
        before.operations,
        after.operations,
        seed = args.seed,
        bugs = args
            .bugs
            .iter()
            .map(|b| format!(" --bug {b}"))
            .collect::<String>(),
        kind = kind.as_str(),
        out = args.out.display(),
    )
}

fn progress(quiet: bool) -> ProgressBar {
    let shown = !quiet && !output::in_ci() && std::io::stderr().is_terminal();
    let target = if shown {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(None, target);
    if let Ok(style) = ProgressStyle::with_template("{elapsed_precise} shrinking: {pos} runs") {
        bar.set_style(style);
    }
    bar
}
