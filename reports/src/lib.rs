//! Summaries of raftsim runs: the terminal summary and the `run --json`
//! object of `../shared/CLI.md`.
//!
//! The flow is one way: the binary runs seeds and hands this crate the
//! [`simulator::RunOutcome`]s in seed order; [`summarize`] turns them into a
//! [`RunSummary`], which [`render_terminal`] prints for people and
//! [`to_json`] writes for CI scripts; [`render_replay`] prints one replayed
//! seed. Nothing here runs a seed.

mod json;
mod number;
mod operations;
mod replay;
mod single;
mod stats;
mod summary;
mod terminal;

pub use json::to_json;
pub use replay::replay_command;
pub use single::render_replay;
pub use stats::{OpTally, RunStats, QUANTILES};
pub use summary::{summarize, RunSpec, RunSummary, SeedResult, SeedSpan, Shard, Status, Totals};
pub use terminal::{render_terminal, FAILURES_LISTED_PER_KIND};
