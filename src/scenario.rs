//! Finding the scenario a command names: a catalogue name or a file path.

use crate::exit::CliError;
use crate::range::parse_bug;
use scenarios::{Scenario, ValidationError};
use std::path::Path;

/// The built-in scenarios, in the order `raftsim scenarios` lists them: the
/// default scenario, then the catalogue files shipped in the binary.
pub fn catalogue() -> Result<Vec<Scenario>, CliError> {
    let mut all = vec![Scenario::default()];
    for (name, text) in scenarios::CATALOGUE {
        all.push(parse_builtin(name, text)?);
    }
    Ok(all)
}

/// Parses a catalogue file. The tests parse every one, so an error here
/// means a broken build; it is still reported, never a panic.
fn parse_builtin(name: &str, text: &str) -> Result<Scenario, CliError> {
    let origin = format!("scenarios/catalogue/{name}.toml");
    scenarios::parse_checked(text, &origin, &known_bugs)
        .map_err(|e| CliError::data(format!("built-in scenario {name} is broken: {e}")))
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
    if arg == Scenario::default().name {
        return Ok(Scenario::default());
    }
    if let Some(text) = scenarios::catalogue_text(arg) {
        return parse_builtin(arg, text);
    }
    let looks_like_path = arg.ends_with(".toml") || arg.contains('/') || arg.contains('\\');
    if looks_like_path || Path::new(arg).exists() {
        return load_file(arg);
    }
    Err(CliError::usage(format!(
        "no scenario named '{arg}' in the catalogue (see 'raftsim scenarios'); a scenario file must be a path ending in .toml"
    )))
}

/// Reads the scenario file at `arg`, as the user spelled it; any mistake in
/// it is a data error naming the file, line and column (exit 65).
fn load_file(arg: &str) -> Result<Scenario, CliError> {
    scenarios::load(Path::new(arg), arg, &known_bugs).map_err(|e| CliError::data(e.to_string()))
}

/// The planted bugs a file names must exist, as `--bug` values must: a
/// misspelt bug would otherwise be ignored and the scenario would pass.
fn known_bugs(scenario: &Scenario) -> Result<(), ValidationError> {
    for name in &scenario.cluster.bugs {
        if let Err(message) = parse_bug(name) {
            return Err(ValidationError {
                key: "cluster.bugs".into(),
                message: format!("names of planted bugs, got '{name}': {message}"),
            });
        }
    }
    Ok(())
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
    fn every_catalogue_scenario_parses_and_is_named_after_its_file() {
        let all = catalogue().expect("the catalogue parses");
        assert_eq!(all.len(), scenarios::CATALOGUE.len() + 1);
        for (scenario, (name, _)) in all[1..].iter().zip(scenarios::CATALOGUE) {
            assert_eq!(&scenario.name, name);
            assert!(
                !scenario.description.is_empty(),
                "{name} has no description"
            );
            let (resolved, label) = resolve(Some(name), &[]).expect("resolves by name");
            assert_eq!((&resolved, label.as_str()), (scenario, *name));
        }
    }

    #[test]
    fn bugs_once_each_in_order() {
        let given: Vec<String> = ["b", "a", "b"].iter().map(|s| s.to_string()).collect();
        assert_eq!(unique_bugs(&given), ["b", "a"]);
    }
}
