//! `raftsim replay`: one seed alone, its trace, and its outcome.

use crate::exit::{self, CliError};
use crate::output::{self, Target};
use crate::range::parse_bug;
use crate::scenario;
use crate::seed::{quiet_seed_panics, run_one_recorded, run_one_with_history};
use checker::{History, Operation};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// A catalogue scenario name or a .toml file; the default scenario when absent.
    pub scenario: Option<String>,
    /// The seed to rerun.
    #[arg(long, value_name = "S")]
    pub seed: u64,
    /// Switch on a planted bug (repeatable), as the run that failed did.
    #[arg(long = "bug", value_name = "NAME", value_parser = parse_bug)]
    pub bugs: Vec<String>,
    /// Write the trace, one line per event, to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH|-")]
    pub trace: Option<PathBuf>,
    /// Write the seed's client history to PATH: Jepsen EDN for `.edn`, JSON
    /// lines for `.jsonl` or `.json`; `-` writes EDN to stdout (and moves
    /// the summary to stderr). `raftsim check PATH` reads it back.
    #[arg(long, value_name = "PATH|-")]
    pub history: Option<PathBuf>,
    /// Write the seed as a self-contained HTML page to PATH: node roles and
    /// terms, fault windows, message flow, client operations, latencies,
    /// and the counterexample of a linearizability failure.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
}

pub fn run(args: &ReplayArgs) -> ExitCode {
    match try_replay(args) {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn try_replay(args: &ReplayArgs) -> Result<ExitCode, CliError> {
    if let Some(path) = &args.html {
        crate::html::check_html_path(path)?;
    }
    let history = match args.history.as_deref() {
        None => None,
        Some(path) => Some(HistoryOutput::parse(path)?),
    };
    let trace_target = args.trace.as_deref().map(Target::from_arg);
    let history_to_stdout = matches!(history, Some(HistoryOutput::EdnStdout));
    if history_to_stdout && trace_target == Some(Target::Stdout) {
        return Err(CliError::usage(
            "--trace - and --history - cannot share stdout; write one of them to a file",
        ));
    }
    let bugs = scenario::unique_bugs(&args.bugs);
    let (scenario, label) = scenario::resolve(args.scenario.as_deref(), &bugs)?;
    let mut trace = match trace_target {
        None => None,
        Some(target) => Some(TraceSink::open(target)?),
    };

    quiet_seed_panics();
    let mut sink_line = trace.as_mut().map(|sink| move |line: &str| sink.line(line));
    let sink = sink_line.as_mut().map(|f| f as &mut dyn FnMut(&str));
    let (outcome, ops, timeline) = if args.html.is_some() {
        run_one_recorded(&scenario, args.seed, sink)
    } else {
        let (outcome, ops) = run_one_with_history(&scenario, args.seed, sink);
        (outcome, ops, None)
    };

    if let Some(sink) = trace {
        sink.finish()?;
    }
    if let Some(path) = &args.html {
        let page = crate::html::Replayed {
            scenario: &scenario,
            label: &label,
            bugs: &bugs,
            outcome: &outcome,
            history: &ops,
            timeline: timeline.as_ref(),
        };
        crate::html::write_seed(path, &page)?;
    }
    if let Some(history) = &history {
        history.write(ops)?;
    }
    // With `--history -` stdout holds the history alone; the summary moves to stderr.
    let text = reports::render_replay(
        &label,
        &bugs,
        &outcome,
        output::use_color(history_to_stdout),
    );
    if history_to_stdout {
        output::print_stderr(&text);
    } else {
        output::print_stdout(&text)?;
    }
    Ok(exit::verdict(outcome.passed()))
}

/// Where `--history` goes and in which format, chosen by the extension.
#[derive(Debug, PartialEq, Eq)]
enum HistoryOutput {
    EdnStdout,
    Edn(PathBuf),
    JsonLines(PathBuf),
}

impl HistoryOutput {
    /// Checks the path before the seed runs: a known extension, and a place
    /// that can hold a file.
    fn parse(path: &Path) -> Result<HistoryOutput, CliError> {
        let file = match Target::from_arg(path) {
            Target::Stdout => return Ok(HistoryOutput::EdnStdout),
            Target::File(file) => file,
        };
        output::check_writable("--history", &file)?;
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        let chosen = match ext.as_deref() {
            Some("edn") => HistoryOutput::Edn(file.clone()),
            Some("jsonl" | "json") => HistoryOutput::JsonLines(file.clone()),
            _ => {
                return Err(CliError::usage(format!(
                    "--history {}: give a path ending in .edn (Jepsen EDN), .jsonl or .json \
                     (JSON lines), or - for EDN on stdout",
                    file.display()
                )))
            }
        };
        Ok(chosen)
    }

    fn write(&self, ops: Vec<Operation>) -> Result<(), CliError> {
        // The engine records histories that satisfy the checker's rules; one
        // that does not is a harness bug, reported rather than written.
        let history = History::new(ops)
            .map_err(|e| CliError::io(format!("cannot write the history: {e}")))?;
        match self {
            HistoryOutput::EdnStdout => output::print_stdout(&checker::edn::to_string(&history)),
            HistoryOutput::Edn(path) => {
                output::write_atomically(path, &checker::edn::to_string(&history))
            }
            HistoryOutput::JsonLines(path) => {
                output::write_atomically(path, &checker::jsonl::to_string(&history))
            }
        }
    }
}

/// Where trace lines go. The first write error stops the trace (the run goes
/// on, so the outcome still prints) and is reported at the end.
struct TraceSink {
    out: BufWriter<Box<dyn Write>>,
    name: String,
    error: Option<io::Error>,
}

impl TraceSink {
    fn open(target: Target) -> Result<TraceSink, CliError> {
        let (writer, name): (Box<dyn Write>, String) = match target {
            Target::Stdout => (Box::new(io::stdout()), "stdout".to_string()),
            Target::File(path) => {
                output::check_writable("--trace", &path)?;
                let file = File::create(&path)
                    .map_err(|e| CliError::io(format!("cannot create {}: {e}", path.display())))?;
                (Box::new(file), path.display().to_string())
            }
        };
        Ok(TraceSink {
            out: BufWriter::with_capacity(1 << 16, writer),
            name,
            error: None,
        })
    }

    fn line(&mut self, line: &str) {
        if self.error.is_some() {
            return;
        }
        let written = self
            .out
            .write_all(line.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"));
        if let Err(e) = written {
            self.error = Some(e);
        }
    }

    fn finish(mut self) -> Result<(), CliError> {
        let flushed = self.out.flush();
        match self.error.take().map_or(flushed, Err) {
            Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(CliError::io(format!(
                "cannot write the trace to {}: {e}",
                self.name
            ))),
            _ => Ok(()),
        }
    }
}
