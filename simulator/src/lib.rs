//! The discrete-event simulator: virtual time, network, disks, clocks, faults.
//!
//! One seed fully determines a run. See `../shared/DESIGN.md`.
//!
//! The generic engine is [`run`] (and [`run_with_options`]): it drives any
//! [`Node`] and reports to any [`Observer`]. Its parts, one job per module:
//! [`options`] (the per-seed draw), `queue` (events by time and sequence),
//! `network`, `disk`, `clock`, `nemesis`, `driver`, [`rng`] (one stream per
//! component) and [`trace`] (the trace hash and readable lines).

mod clock;
mod disk;
mod driver;
pub mod engine;
mod nemesis;
mod network;
pub mod node;
pub mod observe;
pub mod options;
pub mod outcome;
mod panics;
mod queue;
pub mod raft;
pub mod rng;
pub mod trace;

pub use engine::{run, run_with_options};
pub use node::{Boot, Effects, Node, NodeId, Proposal};
pub use observe::{Failure, FailureKind, Observer, StepKind, View};
pub use options::{LatencyModel, RunOptions};
pub use outcome::{EngineStats, ProtocolStats, RunOutcome};
