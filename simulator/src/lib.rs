//! The discrete-event simulator: virtual time, network, disks, clocks, faults.
//!
//! One seed fully determines a run. See `../shared/DESIGN.md`.
//!
//! The generic engine is [`run`] (and [`run_with_options`]): it drives any
//! [`Node`] with the clients of any [`Workload`], and reports to any
//! [`Observer`]. Its parts, one job per module: [`options`] (the per-seed
//! draw), `queue` (events by time and sequence), `slab` (payloads parked
//! under small keys), `network`, `disk`, `clock`, `nemesis`, `clients` (their
//! mechanics: targets, retries, redirects, timeouts), [`rng`] (one stream per
//! component) and [`trace`] (the trace hash and readable lines).

mod clients;
mod clock;
mod disk;
pub mod engine;
pub mod explicit;
mod nemesis;
mod network;
pub mod node;
pub mod observe;
pub mod options;
pub mod outcome;
mod panics;
mod queue;
pub mod raft;
pub mod record;
pub mod rng;
mod script;
mod scripted;
mod slab;
pub mod stats;
pub mod trace;
pub mod workload;

pub use engine::{run, run_with_options};
pub use nemesis::Fault;
pub use node::{Boot, ClientId, Effects, Node, NodeEffects, NodeId};
pub use observe::{Failure, FailureKind, Observer, StepKind, View};
pub use options::{LatencyModel, RunOptions};
pub use outcome::{EngineStats, ProtocolStats, RunOutcome};
pub use stats::{LatencyHistogram, OpCounts, WorkloadStats};
pub use workload::{Answer, Workload};
