//! `raftsim bugs` and `raftsim scenarios`: one line each, the name first.

use crate::output;
use crate::scenario::catalogue;
use std::process::ExitCode;

pub fn bugs() -> ExitCode {
    let names = raft_core::Bug::ALL.iter().map(|b| (b.name(), b.summary()));
    print_table(names.map(|(n, s)| (n.to_string(), s.to_string())))
}

pub fn scenarios() -> ExitCode {
    match catalogue() {
        Ok(all) => print_table(all.into_iter().map(|s| (s.name, s.description))),
        Err(error) => error.report(),
    }
}

/// Name, two spaces, description; descriptions aligned in one column.
fn print_table(rows: impl Iterator<Item = (String, String)>) -> ExitCode {
    let rows: Vec<(String, String)> = rows.collect();
    let width = rows.iter().map(|(name, _)| name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (name, description) in rows {
        let description = description.split_whitespace().collect::<Vec<_>>().join(" ");
        text.push_str(&format!("{name:width$}  {description}\n"));
    }
    match output::print_stdout(&text) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => error.report(),
    }
}
