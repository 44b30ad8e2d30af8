//! Summaries of raftsim runs: the terminal summary, the `run --json` object
//! of `../shared/CLI.md`, JUnit XML, and the merge of sharded runs.
//!
//! The flow is one way: the binary runs seeds and hands this crate the
//! [`simulator::RunOutcome`]s in seed order; [`summarize`] turns them into a
//! [`RunSummary`], which [`render_terminal`] prints for people, [`to_json`]
//! and [`to_junit`] write for CI; [`from_json`] reads a summary back and
//! [`merge`] joins the shards of one sweep; [`render_replay`] prints one
//! replayed seed, and [`render_seed_html`] draws it as a page
//! ([`render_history_html`] a history checked alone). Nothing here runs a
//! seed.

mod html;
mod json;
mod junit;
mod merge;
mod number;
mod operations;
mod replay;
mod single;
mod stats;
mod summary;
mod terminal;
mod totals;

pub use html::{render_history_html, render_seed_html, HistoryPage, SeedPage};
pub use json::to_json;
pub use junit::to_junit;
pub use merge::{from_json, merge, MergeError, MAX_MERGED_SEEDS};
pub use replay::replay_command;
pub use single::render_replay;
pub use stats::{OpTally, RunStats, QUANTILES};
pub use summary::{summarize, RunSpec, RunSummary, SeedResult, SeedSpan, Shard, Status, Totals};
pub use terminal::{render_terminal, FAILURES_LISTED_PER_GROUP};
