//! Linearizability checking of operation histories.
//!
//! A [`History`] of client operations (process, function, input, output,
//! invoke and complete times, outcome `ok | fail | info`) is checked against
//! a sequential [`Model`] with [`check`] (or [`check_model`] for a model of
//! your own). The search is Wing & Gong's with Lowe's improvements: a linked
//! list of call and return entries, memoisation of (linearised set, model
//! state), the history split by key and the keys checked in parallel, an
//! explicit stack instead of recursion, and a [`Budget`] that yields
//! [`Verdict::Unknown`] instead of hanging or running out of memory.
//!
//! The crate never reads a clock and uses no randomly seeded hash table, so a
//! verdict depends only on its inputs.
//!
//! ```
//! use checker::{check, Budget, History, ModelKind, Operation, Outcome, Value, Verdict};
//!
//! let op = |process, f: &str, input: Value, output: Value, t0, t1| Operation {
//!     process, f: f.to_string(), input, output,
//!     invoke_time: t0, complete_time: Some(t1), outcome: Outcome::Ok,
//! };
//! let history = History::new(vec![
//!     op(0, "write", Value::Int(1), Value::Nil, 0, 10),
//!     // A read that starts after the write completed must see it.
//!     op(1, "read", Value::Nil, Value::Nil, 20, 30),
//! ]).unwrap();
//! let result = check(&history, ModelKind::CasRegister, &Budget::unlimited()).unwrap();
//! assert_eq!(result.verdict, Verdict::NotLinearizable);
//! println!("{}", result.counterexamples().next().unwrap());
//! ```

mod budget;
mod check;
mod counterexample;
pub mod edn;
mod entries;
mod error;
mod format;
mod fxhash;
mod history;
pub mod jsonl;
mod memo;
pub mod model;
mod partition;
mod search;
mod states;
mod value;

pub use budget::Budget;
pub use check::{check, check_model, CheckResult, KeyResult, Verdict};
pub use counterexample::{Counterexample, LinearizedStep, OpSummary, LINEARIZED_TAIL_MAX};
pub use error::ParseError;
pub use format::{detect_format, parse_history, Format};
pub use history::{History, InvalidHistory, Operation, Outcome, SourcePos};
pub use model::{infer_model, Model, ModelKind};
pub use partition::CheckError;
pub use value::Value;
