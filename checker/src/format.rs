//! Choosing between the two history formats.

use std::path::Path;

use crate::error::ParseError;
use crate::history::History;
use crate::{edn, jsonl};

/// A history file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Jepsen EDN (Maelstrom, Knossos).
    Edn,
    /// The project's JSON lines.
    JsonLines,
}

/// The format of a file: by extension (`.jsonl`/`.json` or `.edn`), else by
/// its contents (a first line that starts with `{"` is JSON lines).
pub fn detect_format(path: Option<&Path>, text: &str) -> Format {
    let ext = path
        .and_then(|p| p.extension())
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("jsonl" | "json" | "ndjson") => return Format::JsonLines,
        Some("edn") => return Format::Edn,
        _ => {}
    }
    let first = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut chars = first.chars().filter(|c| !c.is_whitespace());
    match (chars.next(), chars.next()) {
        (Some('{'), Some('"')) => Format::JsonLines,
        _ => Format::Edn,
    }
}

/// Parses `text` in `format`.
pub fn parse_history(text: &str, format: Format) -> Result<History, ParseError> {
    match format {
        Format::Edn => edn::parse(text),
        Format::JsonLines => jsonl::parse(text),
    }
}
