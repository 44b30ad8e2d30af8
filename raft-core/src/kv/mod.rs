//! The replicated key-value state machine, with client sessions for
//! exactly-once execution of retried requests.
//!
//! This module is pure: it has no IO, no clock and no randomness. The KV
//! service feeds it committed [`Command`]s in log order with
//! [`KvState::apply`], answers ReadIndex-confirmed reads with
//! [`KvState::query`], and saves and restores it with [`KvState::snapshot`]
//! and [`KvState::restore`]. Every replica that applies the same log prefix
//! holds the same state, session table included.
//!
//! Two key spaces live side by side and never meet:
//!
//! - integer keys and values with Maelstrom lin-kv semantics: `read`, `write`,
//!   `cas` ([`Op::Read`], [`Op::Write`], [`Op::Cas`]);
//! - string keys and values with MIT 6.824 semantics: `get`, `put`, `append`
//!   ([`Op::Get`], [`Op::Put`], [`Op::Append`]).
//!
//! See [`sessions`] for what "exactly once" means here.

mod command;
mod reply;
pub mod service;
pub mod sessions;
mod state;

pub use command::{Command, Op};
pub use reply::{KvError, Output, Reply};
pub use service::{ClientAddr, KvService, ReadMode, Response};
pub use sessions::{Session, SessionCheck, Sessions};
pub use state::{KvSnapshot, KvState};
