//! The discrete-event simulator: virtual time, network, disks, clocks, faults.
//!
//! One seed fully determines a run. See `../shared/DESIGN.md`.

pub mod node;
pub mod observe;
pub mod outcome;
pub mod raft;

pub use node::{Boot, Effects, Node, NodeId, Proposal};
pub use observe::{Failure, FailureKind, Observer, StepKind, View};
pub use outcome::{EngineStats, ProtocolStats, RunOutcome};
