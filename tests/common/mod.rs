//! What every end-to-end test of the binary needs: running it as CI does,
//! its output as text, and a fresh directory per test.

#![allow(dead_code)] // each test file uses its own share of these

use std::path::PathBuf;
use std::process::{Command, Output};

/// Runs the built `raftsim` with `args`, as under CI (no colour, no bar).
pub fn raftsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_raftsim"))
        .args(args)
        .env("CI", "true")
        .env("NO_COLOR", "1")
        .output()
        .expect("the raftsim binary runs")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A fresh, empty directory for test `test` of the file `suite`.
pub fn scratch(suite: &str, test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("raftsim-{suite}-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}
