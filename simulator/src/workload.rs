//! What clients ask for, and what they make of the answers.
//!
//! The engine runs the clients' mechanics (when an operation starts, which
//! node a request goes to, retries, redirects, timeouts; see `clients`); a
//! [`Workload`] decides what the operations are and judges every response.
//! The engine never looks inside a request or a response.
//!
//! # Contract
//!
//! Client `c` runs as one process at a time: process `c` first, then, after
//! each timeout, a fresh process number (numbered from the client count up,
//! in the order the timeouts happen). A client has at most one operation in
//! flight. For one operation the engine calls [`Workload::invoke`] once, sends
//! the returned request (and, on retries and redirects, clones of that same
//! request, never a new one), and ends the operation either when
//! [`Workload::respond`] says [`Answer::Done`] or, at the request timeout, by
//! calling [`Workload::timeout`]. Every response that reaches a client goes to
//! `respond`, including late ones (to an earlier attempt, or to an operation
//! already timed out): `respond` must recognise those and return
//! [`Answer::Stale`]. An operation still in flight when the run ends gets
//! neither call: its outcome is the workload's to record.

use crate::node::{ClientId, Node, NodeId};
use rand_chacha::ChaCha8Rng;

/// What a client makes of a response to its current operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Answer {
    /// The operation completed (successfully or with a definite failure).
    Done,
    /// The node cannot serve the request: send the same request again, to the
    /// hinted node if any, else to the next node.
    Redirect(Option<NodeId>),
    /// A late answer to an earlier operation or attempt: ignore it.
    Stale,
}

/// The operations clients perform and the judgement of their responses.
/// Implementations must be deterministic: their only randomness is the `rng`
/// passed to [`Workload::invoke`] (one stream per client).
pub trait Workload<N: Node> {
    /// Client `client`, now running as `process`, starts a new operation at
    /// `now_us`: the request to send (carrying whatever ids the node needs
    /// for exactly-once execution).
    fn invoke(
        &mut self,
        client: ClientId,
        process: u64,
        now_us: u64,
        rng: &mut ChaCha8Rng,
    ) -> N::Request;

    /// A response reached client `client` (running as `process`) at `now_us`.
    /// When the client has no operation in flight, the engine ignores the
    /// answer whatever it is.
    fn respond(
        &mut self,
        client: ClientId,
        process: u64,
        response: &N::Response,
        now_us: u64,
    ) -> Answer;

    /// The current operation of `client` (as `process`) got no definite
    /// answer within the request timeout. The client continues as a new
    /// process.
    fn timeout(&mut self, client: ClientId, process: u64, now_us: u64);
}
