//! Finding the scenario a command names: a catalogue name or a file path.

use crate::exit::CliError;
use scenarios::Scenario;
use std::path::Path;

/// The built-in scenarios, in the order `raftsim scenarios` lists them.
pub fn catalogue() -> Vec<Scenario> {
    vec![Scenario::default()]
}

/// The scenario named by `arg` (the default one when absent), validated, with
/// the planted `bugs` switched on in addition to any it already plants.
/// Returns the scenario and the spelling to repeat in replay commands.
pub fn resolve(arg: Option<&str>, bugs: &[String]) -> Result<(Scenario, String), CliError> {
    let (mut scenario, label) = match arg {
        None => (Scenario::default(), Scenario::default().name),
        Some(arg) => (find(arg)?, arg.to_string()),
    };
    for bug in bugs {
        if !scenario.cluster.bugs.contains(bug) {
            scenario.cluster.bugs.push(bug.clone());
        }
    }
    scenario
        .validate()
        .map_err(|e| CliError::data(format!("scenario '{label}': {e}")))?;
    Ok((scenario, label))
}

/// `--bug` values without repeats, in the order first given.
pub fn unique_bugs(bugs: &[String]) -> Vec<String> {
    let mut unique: Vec<String> = Vec::with_capacity(bugs.len());
    for bug in bugs {
        if !unique.contains(bug) {
            unique.push(bug.clone());
        }
    }
    unique
}

fn find(arg: &str) -> Result<Scenario, CliError> {
    if let Some(scenario) = catalogue().into_iter().find(|s| s.name == arg) {
        return Ok(scenario);
    }
    let looks_like_path = arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\');
    if looks_like_path || Path::new(arg).exists() {
        return load_file(Path::new(arg));
    }
    let names: Vec<String> = catalogue().into_iter().map(|s| s.name).collect();
    Err(CliError::usage(format!(
        "no scenario named '{arg}' in the catalogue (known: {}); a scenario file must be a path ending in .toml",
        names.join(", ")
    )))
}

/// Reads a scenario file. Scenario files are a later issue: for now an
/// existing file is refused with an honest message. The TOML loader slots in
/// here and keeps the exit code 65 for a file it cannot use.
fn load_file(path: &Path) -> Result<Scenario, CliError> {
    let shown = path.display();
    if !path.exists() {
        return Err(CliError::data(format!("{shown}: no such scenario file")));
    }
    if path.is_dir() {
        return Err(CliError::data(format!(
            "{shown}: is a directory, not a scenario file"
        )));
    }
    Err(CliError::data(format!(
        "{shown}: scenario files are not supported yet; only the built-in 'default' scenario runs"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_with_and_without_its_name() {
        let (s, label) = resolve(None, &[]).expect("default resolves");
        assert_eq!((s.name.as_str(), label.as_str()), ("default", "default"));
        let bugs = vec!["figure8-commit".to_string()];
        let (s, _) = resolve(Some("default"), &bugs).expect("default resolves");
        assert_eq!(s.cluster.bugs, bugs);
    }

    #[test]
    fn unknown_names_and_missing_files() {
        assert_eq!(resolve(Some("nope"), &[]).map(|_| ()).unwrap_err().code, 64);
        assert_eq!(
            resolve(Some("nope.toml"), &[])
                .map(|_| ())
                .unwrap_err()
                .code,
            65
        );
        assert_eq!(resolve(Some("a/b"), &[]).map(|_| ()).unwrap_err().code, 65);
    }

    #[test]
    fn bugs_once_each_in_order() {
        let given: Vec<String> = ["b", "a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_bugs(&given), ["b", "a"]);
    }
}
