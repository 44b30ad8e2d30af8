//! `raftsim report merge`: the `run --json` files of a sharded sweep joined
//! into one summary (terminal, `--json`, `--junit`); and the JUnit writer
//! that `run --junit` shares.

use crate::exit::{self, CliError};
use crate::output::{self, Target};
use reports::RunSummary;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub command: ReportCommand,
}

#[derive(clap::Subcommand, Debug)]
pub enum ReportCommand {
    /// Join the `run --json` files of the shards of one sweep (`run --shard
    /// I/N`, same scenario, range and bugs) into one summary; exit 1 when a
    /// seed failed, 65 when a file is unreadable, malformed, of another
    /// sweep, repeated, or a shard is missing.
    Merge(MergeArgs),
}

#[derive(clap::Args, Debug)]
pub struct MergeArgs {
    /// The shards' JSON files, as `raftsim run --json` wrote them.
    #[arg(value_name = "FILE.json", required = true)]
    pub files: Vec<PathBuf>,
    /// Write the merged results as JSON to PATH (`-` for stdout), in the
    /// format of `run --json`.
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the merged results as JUnit XML to PATH.
    #[arg(long, value_name = "PATH")]
    pub junit: Option<PathBuf>,
    /// Print only the verdict line instead of the whole summary.
    #[arg(long, short)]
    pub quiet: bool,
}

pub fn run(args: &ReportArgs) -> ExitCode {
    let result = match &args.command {
        ReportCommand::Merge(merge) => try_merge(merge),
    };
    match result {
        Ok(code) => code,
        Err(error) => error.report(),
    }
}

fn try_merge(args: &MergeArgs) -> Result<ExitCode, CliError> {
    let json = args.json.as_deref().map(Target::from_arg);
    if let Some(Target::File(path)) = &json {
        output::check_writable("--json", path)?;
    }
    if let Some(path) = &args.junit {
        check_junit_path(path)?;
    }
    let mut parts = Vec::with_capacity(args.files.len());
    for path in &args.files {
        let name = path.display().to_string();
        let text =
            std::fs::read(path).map_err(|e| CliError::data(format!("{name}: cannot read: {e}")))?;
        let text = String::from_utf8(text)
            .map_err(|_| CliError::data(format!("{name}: not UTF-8 text")))?;
        let summary =
            reports::from_json(&name, &text).map_err(|e| CliError::data(e.to_string()))?;
        parts.push((name, summary));
    }
    let summary = reports::merge(parts).map_err(|e| CliError::data(e.to_string()))?;

    let json_to_stdout = json == Some(Target::Stdout);
    if let Some(target) = &json {
        output::write(target, &summary_json(&summary)?)?;
    }
    if let Some(path) = &args.junit {
        write_junit(path, std::slice::from_ref(&summary))?;
    }
    let mut text = reports::render_terminal(&summary, output::use_color(json_to_stdout));
    if args.quiet {
        text = text.lines().last().unwrap_or("").to_string() + "\n";
    }
    if json_to_stdout {
        output::print_stderr(&text);
    } else {
        output::print_stdout(&text)?;
    }
    Ok(exit::verdict(summary.all_passed()))
}

/// Refuses, before any work, a `--junit` path that could never be written
/// (JUnit goes to a file only: CI systems collect files).
pub fn check_junit_path(path: &Path) -> Result<(), CliError> {
    if path.as_os_str() == "-" {
        return Err(CliError::usage(
            "--junit needs a file path (JUnit XML is not written to stdout)",
        ));
    }
    output::check_writable("--junit", path)
}

/// Writes the JUnit XML of `summaries` (one test case each: one per
/// scenario) to `path`, whole or not at all.
/// `summary` as the JSON of `run --json`.
pub fn summary_json(summary: &RunSummary) -> Result<String, CliError> {
    reports::to_json(summary)
        .map_err(|e| CliError::io(format!("cannot serialise the results: {e}")))
}

pub fn write_junit(path: &Path, summaries: &[RunSummary]) -> Result<(), CliError> {
    let xml = reports::to_junit(summaries)
        .map_err(|e| CliError::io(format!("cannot render the JUnit XML: {e}")))?;
    output::write_atomically(path, &xml)
}
