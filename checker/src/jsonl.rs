//! The project's own history format: JSON lines, one [`Operation`] per line.
//!
//! ```text
//! {"process":0,"f":"write","input":3,"output":null,"invoke_time":10,"complete_time":25,"outcome":"ok"}
//! {"process":1,"f":"read","input":null,"output":3,"invoke_time":12,"complete_time":30,"outcome":"ok"}
//! {"process":2,"f":"write","input":4,"invoke_time":14,"outcome":"info"}
//! ```
//!
//! `input`, `output` and `complete_time` may be omitted (null). Blank lines
//! are skipped. Unknown fields are ignored, so the simulator can add some.

use std::io;

use crate::error::ParseError;
use crate::history::{History, Operation, SourcePos};

/// Parses a JSON-lines history; errors name the line and column.
pub fn parse(text: &str) -> Result<History, ParseError> {
    let mut ops = Vec::new();
    let mut positions = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let op: Operation = serde_json::from_str(line).map_err(|e| {
            let message = e.to_string();
            // serde_json appends " at line 1 column N"; we give our own position.
            let message = match message.rfind(" at line ") {
                Some(cut) => message[..cut].to_string(),
                None => message,
            };
            ParseError::new(i + 1, e.column(), message)
        })?;
        ops.push(op);
        positions.push(SourcePos {
            line: i + 1,
            column: 1,
        });
    }
    History::with_positions(ops, positions.clone()).map_err(|e| {
        let line = positions.get(e.op_index).map_or(0, |p| p.line);
        ParseError::new(line, 1, e.message)
    })
}

/// The history as JSON lines, one operation per line, in the history's order.
pub fn to_string(history: &History) -> String {
    let mut out = String::new();
    for op in history.ops() {
        // Serialising plain data to a String cannot fail.
        out.push_str(&serde_json::to_string(op).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// Writes the history as JSON lines.
pub fn write(history: &History, out: &mut impl io::Write) -> io::Result<()> {
    out.write_all(to_string(history).as_bytes())
}
