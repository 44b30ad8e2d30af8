//! Raft as a pure state machine, shaped like etcd's RawNode: no IO, no clock,
//! no threads, no global RNG.

pub mod bugs;

pub use bugs::{Bug, Bugs};
