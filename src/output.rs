//! Where results go: files written whole or not at all, stdout that may be a
//! closed pipe, and whether to use colour.

use crate::exit::CliError;
use std::ffi::OsString;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// An output named on the command line: `-` is stdout, anything else a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Stdout,
    File(PathBuf),
}

impl Target {
    pub fn from_arg(path: &Path) -> Target {
        if path.as_os_str() == "-" {
            Target::Stdout
        } else {
            Target::File(path.to_path_buf())
        }
    }
}

/// Refuses, before any work is done, an output path that could never be
/// written: a directory, or a file in a directory that does not exist.
pub fn check_writable(flag: &str, path: &Path) -> Result<(), CliError> {
    let shown = path.display();
    if path.is_dir() {
        return Err(CliError::usage(format!(
            "{flag} {shown}: is a directory; give a file path"
        )));
    }
    if let Some(parent) = path.parent() {
        if !parent.as_os_str().is_empty() && !parent.is_dir() {
            return Err(CliError::usage(format!(
                "{flag} {shown}: the directory {} does not exist",
                parent.display()
            )));
        }
    }
    Ok(())
}

/// Writes `contents` to `path` through a temporary file in the same directory
/// and a rename, so that readers never see half a file.
pub fn write_atomically(path: &Path, contents: &str) -> Result<(), CliError> {
    let fail = |e: io::Error| CliError::io(format!("cannot write {}: {e}", path.display()));
    if path.is_dir() {
        return Err(CliError::usage(format!(
            "{}: is a directory; give a file path",
            path.display()
        )));
    }
    let mut name = OsString::from(".");
    name.push(path.file_name().unwrap_or(path.as_os_str()));
    name.push(format!(".{}.tmp", std::process::id()));
    let temp = path.with_file_name(name);
    let written = fs::File::create(&temp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&temp, path)) {
        let _ = fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(())
}

/// Prints `text` on stdout. A closed pipe (`raftsim ... | head`) is not an
/// error worth a message; other failures are.
pub fn print_stdout(text: &str) -> Result<(), CliError> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(CliError::io(format!("cannot write to stdout: {e}")))
        }
        _ => Ok(()),
    }
}

/// Prints `text` on stderr, ignoring failure: there is nowhere left to report it.
/// Writes `text` to `target`: stdout, or a file written whole.
pub fn write(target: &Target, text: &str) -> Result<(), CliError> {
    match target {
        Target::Stdout => print_stdout(text),
        Target::File(path) => write_atomically(path, text),
    }
}

/// Prints `text` on stdout, or on stderr when stdout carries JSON
/// (`--json -`), so that the JSON stays parseable.
pub fn say(to_stderr: bool, text: &str) -> Result<(), CliError> {
    if to_stderr {
        print_stderr(text);
        Ok(())
    } else {
        print_stdout(text)
    }
}

pub fn print_stderr(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Colour only on a terminal, and never when `NO_COLOR` is set to anything.
pub fn use_color(to_stderr: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let terminal = if to_stderr {
        io::stderr().is_terminal()
    } else {
        io::stdout().is_terminal()
    };
    terminal && !no_color
}

/// Whether a CI system runs us (`CI=true`, as most of them set it).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}
