//! Scenario files: TOML text to a validated [`Scenario`], or an error that
//! names the file, line and column and says what was expected.
//!
//! Parsing goes through serde and the `toml` crate, so the TOML text maps one
//! to one onto the types of this crate (`deny_unknown_fields` everywhere).
//! [`Scenario::validate`] names the offending key as a dotted path; to point
//! at it in the file, the text is parsed a second time into `toml`'s spanned
//! document tree and the key is looked up there.

use crate::{Scenario, ValidationError};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A scenario file that cannot be used, with where and why.
///
/// Invariant: `line` and `column` are 1-based; `column` counts characters,
/// not bytes, so an editor jumps to the right place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// The file as the user named it.
    pub origin: String,
    pub line: usize,
    pub column: usize,
    /// What is wrong and what was expected, in one line.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.origin, self.line, self.column, self.message
        )
    }
}

impl std::error::Error for ScenarioError {}

/// Parses and validates the scenario in `text`; `origin` names the file in
/// errors. A syntax error, an unknown key, a value of the wrong type and a
/// value [`Scenario::validate`] refuses each become a [`ScenarioError`].
///
/// Keys that are absent take their defaults, except two: `name` defaults to
/// the file stem of `origin`, and `description` to the empty string (the
/// default scenario's description would describe another scenario).
pub fn parse(text: &str, origin: &str) -> Result<Scenario, ScenarioError> {
    parse_checked(text, origin, &|_| Ok(()))
}

/// [`parse`], with `check` run after [`Scenario::validate`] for what this
/// crate cannot know (the planted bugs live in raft-core); its error is
/// located like a validation error, by its dotted key.
pub fn parse_checked(
    text: &str,
    origin: &str,
    check: &dyn Fn(&Scenario) -> Result<(), ValidationError>,
) -> Result<Scenario, ScenarioError> {
    let mut scenario: Scenario = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map_or(0, |span| unknown_key_offset(text, e.message(), span));
        error_at(text, origin, at, one_line(e.message()))
    })?;
    // The text parsed as a whole above, so it parses here too; should the two
    // parsers ever disagree, positions fall back to the start of the file.
    let document = DeTable::parse(text).ok();
    let root = document.as_ref().map(Spanned::get_ref);
    let has = |key: &str| root.is_some_and(|t| entry(t, key).is_some());
    if !has("name") {
        scenario.name = Path::new(origin)
            .file_stem()
            .map_or_else(|| origin.to_string(), |s| s.to_string_lossy().into_owned());
    }
    if !has("description") {
        scenario.description = String::new();
    }
    scenario
        .validate()
        .and_then(|()| check(&scenario))
        .map_err(|e| {
            let at = root.map_or(0, |t| key_offset(t, &e.key));
            error_at(
                text,
                origin,
                at,
                format!("{}: expected {}", e.key, e.message),
            )
        })?;
    Ok(scenario)
}

/// Reads and parses the scenario file at `path`; `origin` is how the user
/// spelled the path. A file that cannot be read, or is not UTF-8, is an error
/// too, never a panic.
/// `check` is as for [`parse_checked`].
pub fn load(
    path: &Path,
    origin: &str,
    check: &dyn Fn(&Scenario) -> Result<(), ValidationError>,
) -> Result<Scenario, ScenarioError> {
    let bytes = std::fs::read(path).map_err(|e| {
        let reason = match e.kind() {
            std::io::ErrorKind::NotFound => "no such scenario file".to_string(),
            _ => format!("cannot read the scenario file: {e}"),
        };
        ScenarioError {
            origin: origin.to_string(),
            line: 1,
            column: 1,
            message: reason,
        }
    })?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => parse_checked(text, origin, check),
        Err(e) => {
            // Everything before the bad byte is valid text to count lines in.
            let valid = String::from_utf8_lossy(&bytes[..e.valid_up_to()]);
            let len = valid.len();
            Err(error_at(
                &valid,
                origin,
                len,
                "expected UTF-8 text, found an invalid byte".into(),
            ))
        }
    }
}

/// Where to point for a deserialisation error with `span`. serde buffers an
/// internally tagged enum (`network.latency`) before it sees its fields, so
/// an unknown field there comes back with the span of the whole table; the
/// key itself is then looked up in that table. Any other error: its own span.
fn unknown_key_offset(text: &str, message: &str, span: Range<usize>) -> usize {
    let Some(name) = message
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next())
    else {
        return span.start;
    };
    let Ok(document) = DeTable::parse(text) else {
        return span.start;
    };
    // An explicit stack, not recursion: a document may nest deeply.
    // Find the value serde reported (a table, or an array of tables such as
    // `[[steps]]`, whose elements are internally tagged enums too), then the
    // first key named `name` inside it, in document order.
    let mut stack: Vec<&Spanned<DeValue<'_>>> = Vec::new();
    let mut found = None;
    for (key, value) in document.get_ref().iter().rev() {
        if key.span() == span || value.span() == span {
            found = Some(value);
        }
        stack.push(value);
    }
    while found.is_none() {
        let Some(value) = stack.pop() else { break };
        children(value, &mut |key, child| {
            if found.is_none() && (key.is_some_and(|k| k == span) || child.span() == span) {
                found = Some(child);
            }
            stack.push(child);
        });
    }
    let Some(found) = found else {
        return span.start;
    };
    let mut stack = vec![found];
    while let Some(value) = stack.pop() {
        if let Some((k, _)) = value.get_ref().as_table().and_then(|t| entry(t, name)) {
            return k.span().start;
        }
        let mut inner = Vec::new();
        children(value, &mut |_, child| inner.push(child));
        stack.extend(inner.into_iter().rev());
    }
    span.start
}

/// Calls `f` with every child of a table or array (with the key's span for
/// a table's children), in document order.
fn children<'a, 'i>(
    value: &'a Spanned<DeValue<'i>>,
    f: &mut dyn FnMut(Option<Range<usize>>, &'a Spanned<DeValue<'i>>),
) {
    match value.get_ref() {
        DeValue::Table(table) => {
            for (k, v) in table.iter() {
                f(Some(k.span()), v);
            }
        }
        DeValue::Array(array) => {
            for v in array.iter() {
                f(None, v);
            }
        }
        _ => {}
    }
}

fn entry<'a, 'i>(
    table: &'a DeTable<'i>,
    key: &str,
) -> Option<(
    &'a Spanned<toml::de::DeString<'i>>,
    &'a Spanned<DeValue<'i>>,
)> {
    table.iter().find(|(k, _)| k.get_ref().as_ref() == key)
}

/// The byte offset of the dotted `key` in the document. When the key itself
/// is absent (its default made the scenario impossible together with a key
/// that is present), the `_max` half of a `_min` key, then the nearest
/// enclosing section that is present; the start of the file when none is.
fn key_offset(root: &DeTable<'_>, key: &str) -> usize {
    if let Some(span) = key_span(root, key) {
        return span.start;
    }
    if let Some(base) = key.strip_suffix("_min") {
        if let Some(span) = key_span(root, &format!("{base}_max")) {
            return span.start;
        }
    }
    let mut parent = key;
    while let Some((head, _)) = parent.rsplit_once('.') {
        if let Some(span) = key_span(root, head) {
            return span.start;
        }
        parent = head;
    }
    0
}

/// The span of the last segment of the dotted `key`, if every segment exists.
/// A numeric segment indexes an array (`steps.2.target`); an array element
/// has no key of its own, so its span is the element's.
fn key_span(root: &DeTable<'_>, key: &str) -> Option<Range<usize>> {
    let mut value: Option<&Spanned<DeValue<'_>>> = None;
    let mut segments = key.split('.').peekable();
    while let Some(segment) = segments.next() {
        let last = segments.peek().is_none();
        let next = match value.map(|v| v.get_ref()) {
            Some(DeValue::Array(array)) => {
                let index: usize = segment.parse().ok()?;
                let element = array.get(index)?;
                if last {
                    return Some(element.span());
                }
                element
            }
            Some(other) => {
                let (k, v) = entry(other.as_table()?, segment)?;
                if last {
                    return Some(k.span());
                }
                v
            }
            None => {
                let (k, v) = entry(root, segment)?;
                if last {
                    return Some(k.span());
                }
                v
            }
        };
        value = Some(next);
    }
    None
}

fn error_at(text: &str, origin: &str, offset: usize, message: String) -> ScenarioError {
    let (line, column) = line_column(text, offset);
    ScenarioError {
        origin: origin.to_string(),
        line,
        column,
        message,
    }
}

/// `scenario` as a scenario file that [`parse`] reads back to the same
/// value: every key written out, so that the file means the same thing
/// even if defaults change (`raftsim shrink` writes its results so).
pub fn to_toml(scenario: &Scenario) -> Result<String, String> {
    toml::to_string(scenario).map_err(|e| e.to_string())
}

/// 1-based line and column (in characters) of byte `offset` in `text`; an
/// offset past the end or inside a character is clamped to a boundary before it.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based_in_characters() {
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 3), (2, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("é = 1", 3), (1, 3));
        assert_eq!(line_column("é", 1), (1, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
