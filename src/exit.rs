//! Exit codes (CLI.md) and the one-line errors that go with them.

use std::fmt;
use std::process::ExitCode;

/// Every seed passed.
pub const PASS: u8 = 0;
/// At least one seed failed.
pub const FAIL: u8 = 1;
/// Usage error: unknown flag, malformed value, unsupported option.
pub const USAGE: u8 = 64;
/// Bad input data: a scenario or history file that cannot be used.
pub const DATA: u8 = 65;
/// An output file could not be written (sysexits' EX_IOERR).
pub const IO: u8 = 74;

/// An error that ends the program: one line on stderr and an exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliError {
    pub code: u8,
    /// One line, without the `error: ` prefix.
    pub message: String,
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError {
            code: USAGE,
            message: message.into(),
        }
    }

    pub fn data(message: impl Into<String>) -> CliError {
        CliError {
            code: DATA,
            message: message.into(),
        }
    }

    pub fn io(message: impl Into<String>) -> CliError {
        CliError {
            code: IO,
            message: message.into(),
        }
    }

    /// Prints the error as one line on stderr and returns its exit code.
    pub fn report(&self) -> ExitCode {
        eprintln!("{self}");
        ExitCode::from(self.code)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whatever a message holds, the user sees one line.
        let line = self
            .message
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        write!(f, "error: {line}")
    }
}

/// The exit code of a run or replay: 0 when everything passed, else 1.
pub fn verdict(passed: bool) -> ExitCode {
    ExitCode::from(if passed { PASS } else { FAIL })
}
