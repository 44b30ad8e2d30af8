//! `raftsim replay`: one seed alone, its trace, and its outcome.

use crate::exit::{self, CliError};
use crate::output::{self, Target};
use crate::range::parse_bug;
use crate::scenario;
use crate::seed::{quiet_seed_panics, run_one};
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
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
    /// The client history (not supported yet).
    #[arg(long, value_name = "PATH")]
    pub history: Option<PathBuf>,
    /// A self-contained HTML report (not supported yet).
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
    if args.history.is_some() {
        return Err(CliError::usage("--history is not yet supported"));
    }
    if args.html.is_some() {
        return Err(CliError::usage("--html is not yet supported"));
    }
    let bugs = scenario::unique_bugs(&args.bugs);
    let (scenario, label) = scenario::resolve(args.scenario.as_deref(), &bugs)?;
    let mut trace = match args.trace.as_deref().map(Target::from_arg) {
        None => None,
        Some(target) => Some(TraceSink::open(target)?),
    };

    quiet_seed_panics();
    let outcome = match trace.as_mut() {
        Some(sink) => run_one(
            &scenario,
            args.seed,
            Some(&mut |line: &str| sink.line(line)),
        ),
        None => run_one(&scenario, args.seed, None),
    };

    if let Some(sink) = trace {
        sink.finish()?;
    }
    let text = reports::render_replay(&label, &bugs, &outcome, output::use_color(false));
    output::print_stdout(&text)?;
    Ok(exit::verdict(outcome.passed()))
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
