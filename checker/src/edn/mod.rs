//! Jepsen EDN histories, as Maelstrom and Knossos write them: one map per
//! event (`:type :invoke|:ok|:fail|:info`, `:f`, `:value`, `:process`,
//! `:time`, `:index`), optionally enclosed in a vector or list, with `;`
//! comments and maps spanning several lines.
//!
//! Parsing of each map is done by the `edn-format` crate; this module only
//! finds where each map starts (for error positions) and pairs invocations
//! with completions.

mod convert;
mod forms;
mod reader;
mod writer;

pub use reader::parse;
pub use writer::{to_string, write};
