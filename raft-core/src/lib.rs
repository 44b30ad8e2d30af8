//! Raft as a pure state machine, shaped like etcd's RawNode: no IO, no clock,
//! no threads, no global RNG.
//!
//! Time arrives as [`RawNode::tick`], messages as [`RawNode::step`], commands
//! as [`RawNode::propose`]; the node hands its work back as a [`Ready`] and is
//! told with [`RawNode::on_persisted`] when a write is durable. See the
//! contract on [`Ready`].

pub mod bugs;
mod check_quorum;
pub mod config;
mod election;
pub mod kv;
mod lease;
pub mod log;
pub mod membership;
pub mod progress;
pub mod quorum;
mod raft;
pub mod raw_node;
pub mod read_index;
mod replication;
mod snapshot;
mod transfer;
pub mod types;

pub use bugs::{Bug, Bugs};
pub use config::Config;
pub use log::RaftLog;
pub use membership::{ChangeError, MembershipChange};
pub use raw_node::{RawNode, Ready};
pub use transfer::TransferError;
pub use types::{
    Command, Entry, EntryData, HardState, Membership, Message, MessageBody, NodeId, ReadState,
    RejectHint, Role, Snapshot,
};
