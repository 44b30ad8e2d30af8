//! The exact command that reruns one seed, as printed in summaries.

/// The `raftsim replay` command that reproduces `seed` of `scenario` with the
/// same planted bugs. Arguments that a POSIX shell would split or expand are
/// single-quoted, so the line can be pasted as it is.
pub fn replay_command(scenario: &str, seed: u64, bugs: &[String]) -> String {
    let mut line = format!("raftsim replay {} --seed {seed}", shell_word(scenario));
    for bug in bugs {
        line.push_str(" --bug ");
        line.push_str(&shell_word(bug));
    }
    line
}

/// `word` as one shell word: unchanged when it holds only characters no shell
/// treats specially, else in single quotes (a quote inside becomes `'\''`).
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+,@%".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bug_is_in_the_command() {
        let bugs = vec!["figure8-commit".to_string(), "other".to_string()];
        assert_eq!(
            replay_command("default", 17, &bugs),
            "raftsim replay default --seed 17 --bug figure8-commit --bug other"
        );
        assert_eq!(
            replay_command("default", 0, &[]),
            "raftsim replay default --seed 0"
        );
    }

    #[test]
    fn paths_with_spaces_are_quoted() {
        assert_eq!(
            replay_command("my dir/it's.toml", 3, &[]),
            r"raftsim replay 'my dir/it'\''s.toml' --seed 3"
        );
        assert_eq!(
            replay_command("scenarios/figure8.toml", 3, &[]),
            "raftsim replay scenarios/figure8.toml --seed 3"
        );
    }
}
