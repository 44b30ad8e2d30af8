//! JUnit XML for CI systems: one test case per scenario, one `<failure>`
//! per failing seed carrying its kind, its message and its replay command.
//! The XML comes from `templates/junit.xml` through minijinja, which escapes
//! every value (`xml_formatter`); characters that XML 1.0 cannot hold at all (most control
//! characters) are replaced first.

use crate::summary::RunSummary;
use minijinja::{context, Environment, Error, Output, State, Value};
use serde::Serialize;
use std::fmt::Write as _;

const TEMPLATE: &str = include_str!("../templates/junit.xml");

#[derive(Serialize)]
struct Case {
    classname: String,
    name: String,
    time_s: String,
    failures: Vec<FailureXml>,
    summary: String,
}

#[derive(Serialize)]
struct FailureXml {
    kind: String,
    /// One line: `seed 17: <message>`.
    message: String,
    /// The replay command, then the message as the check wrote it.
    text: String,
}

/// The JUnit XML document of one or more runs, one test case each, ending in
/// a newline. Every failing seed is one `<failure>`, in seed order.
pub fn to_junit(summaries: &[RunSummary]) -> Result<String, minijinja::Error> {
    let cases: Vec<Case> = summaries.iter().map(case).collect();
    let failures = cases.iter().filter(|c| !c.failures.is_empty()).count();
    let wall_us: u64 = summaries.iter().map(|s| s.totals.wall_us).sum();
    let mut env = Environment::new();
    env.set_formatter(xml_formatter);
    env.add_template("junit.xml", TEMPLATE)?;
    let mut xml = env.get_template("junit.xml")?.render(context! {
        tests => cases.len(),
        failures => failures,
        time_s => seconds(wall_us),
        cases => cases,
    })?;
    xml.push('\n');
    Ok(xml)
}

fn case(s: &RunSummary) -> Case {
    let mut name = s.scenario.clone();
    for bug in &s.bugs {
        name.push_str(" --bug ");
        name.push_str(bug);
    }
    let failures = s
        .results
        .iter()
        .filter_map(|r| {
            let kind = r.kind?;
            let message = r.message.as_deref().unwrap_or("");
            let one_line = message.split_whitespace().collect::<Vec<_>>().join(" ");
            let replay = r.replay.as_deref().unwrap_or("");
            Some(FailureXml {
                kind: kind.as_str().to_string(),
                message: xml_text(&format!("seed {}: {one_line}", r.seed)),
                text: xml_text(&format!("{replay}\n{message}")),
            })
        })
        .collect();
    let mut summary = format!("seeds {}..{}", s.seeds.start, s.seeds.end);
    if let Some(shard) = s.shard {
        summary.push_str(&format!(" (shard {}/{})", shard.index, shard.count));
    }
    summary.push_str(&format!(": {} passed, {} failed", s.passed, s.failed));
    Case {
        classname: xml_text(&s.scenario),
        name: xml_text(&name),
        time_s: seconds(s.totals.wall_us),
        failures,
        summary: xml_text(&summary),
    }
}

/// Writes every value escaped for XML text and attributes: the five
/// predefined entities, and nothing else (minijinja's HTML escaping would
/// also turn `/` into `&#x2f;`, legal but hard to read in a replay command).
fn xml_formatter(out: &mut Output<'_>, _state: &State<'_, '_>, value: &Value) -> Result<(), Error> {
    let text = value.to_string();
    for c in text.chars() {
        let written = match c {
            '&' => out.write_str("&amp;"),
            '<' => out.write_str("&lt;"),
            '>' => out.write_str("&gt;"),
            '"' => out.write_str("&quot;"),
            '\'' => out.write_str("&apos;"),
            c => out.write_char(c),
        };
        written.map_err(Error::from)?;
    }
    Ok(())
}

/// Microseconds as seconds with three decimals, as JUnit's `time` wants.
fn seconds(us: u64) -> String {
    format!("{}.{:03}", us / 1_000_000, (us / 1_000) % 1_000)
}

/// `text` with every character XML 1.0 forbids (control characters other
/// than tab, newline and carriage return; U+FFFE and U+FFFF) replaced by
/// U+FFFD. Escaping `<`, `&` and quotes is the template's job.
fn xml_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_characters_are_replaced() {
        assert_eq!(xml_text("a\u{1}b\tc\u{FFFF}"), "a\u{FFFD}b\tc\u{FFFD}");
        assert_eq!(seconds(1_234_567), "1.234");
    }
}
