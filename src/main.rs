//! The `raftsim` command line: parsing and dispatch only. Each command lives
//! in its own module; the promise to users is `../shared/CLI.md`.

mod check;
mod exit;
mod html;
mod hunt;
mod list;
mod output;
mod range;
mod replay;
mod report;
mod run;
mod scenario;
mod seed;
mod shrink;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser, Subcommand};
use exit::CliError;
use std::process::ExitCode;

/// Deterministic simulation testing for Raft: one seed fully determines a run.
#[derive(Parser, Debug)]
#[command(name = "raftsim", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run many seeds in parallel and summarise the failures.
    Run(run::RunArgs),
    /// Rerun one seed alone and print its trace and outcome.
    Replay(replay::ReplayArgs),
    /// Check a client history for linearizability.
    Check(check::CheckArgs),
    /// Work on the results of runs: `report merge` joins sharded runs.
    Report(report::ReportArgs),
    /// Shrink a failing seed to a small scenario file that still fails.
    Shrink(shrink::ShrinkArgs),
    /// Run seeds until the first failure: how quickly a planted bug is found.
    Hunt(hunt::HuntArgs),
    /// List the built-in scenarios, one line each, the name first.
    Scenarios,
    /// List the planted bugs, one line each, the name first.
    Bugs,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => return parse_failure(&error),
    };
    match &cli.command {
        Command::Run(args) => run::run(args),
        Command::Replay(args) => replay::run(args),
        Command::Check(args) => check::run(args),
        Command::Report(args) => report::run(args),
        Command::Hunt(args) => hunt::run(args),
        Command::Shrink(args) => shrink::run(args),
        Command::Scenarios => list::scenarios(),
        Command::Bugs => list::bugs(),
    }
}

/// Help and version print as clap writes them; every other parse error is
/// one line on stderr and exit code 64, as CLI.md promises.
fn parse_failure(error: &clap::Error) -> ExitCode {
    match error.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = error.print();
            ExitCode::SUCCESS
        }
        _ => CliError::usage(first_line(error)).report(),
    }
}

/// Clap's message in one line: its first paragraph without the `error: `
/// prefix and styles, plus where to look for more.
fn first_line(error: &clap::Error) -> String {
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        let command = Cli::command();
        let names: Vec<&str> = command.get_subcommands().map(|c| c.get_name()).collect();
        return format!(
            "a command is required: {} (see 'raftsim --help')",
            names.join(", ")
        );
    }
    let rendered = strip_ansi(&error.render().to_string());
    let paragraph: Vec<&str> = rendered
        .lines()
        .map(str::trim)
        .skip_while(|l| l.is_empty())
        .take_while(|l| !l.is_empty())
        .collect();
    let text = paragraph.join(" ");
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    format!("{text} (see 'raftsim --help')")
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            // Skip an escape sequence up to and including its final letter.
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}
