//! The KV workload: what each client asks, and the history of what it saw,
//! recorded in the checker's types (Jepsen's conventions: `read`, `write`,
//! `cas` on `[k v]` tuples for lin-kv; `get`, `put`, `append` for 6.824).
//!
//! Outcomes follow the client's knowledge: an answer is `ok`, or `fail` when
//! the service says definitely that nothing happened (a cas whose
//! precondition failed, a cas on a missing key). A write that got no answer
//! before its timeout is `info`: it may still take effect. A read that timed
//! out is `fail`: it had no effect either way.

use crate::node::{ClientId, NodeId};
use crate::workload::{Answer, Workload};
use checker::{Operation, Outcome, Value};
use raft_core::kv::{Command, KvError, Op, Output, Reply, Response};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use scenarios::{WorkloadKind, WorkloadSpec};
use std::sync::Arc;

use super::node::RaftNode;

/// Lin-kv values are small, as Jepsen draws them, so that a cas often
/// matches; 6.824 appends are unique, so that a get tells what it saw.
const LIN_KV_VALUES: u64 = 5;

/// The operation a client is waiting on.
#[derive(Clone, Copy, Debug)]
struct Current {
    /// Index of the operation in the history.
    op: usize,
    seq: u64,
}

#[derive(Clone, Debug, Default)]
struct ClientState {
    /// Last sequence number used; the next request takes the one after.
    seq: u64,
    current: Option<Current>,
}

/// Draws operations for every client and records the history.
pub struct KvWorkload {
    kind: WorkloadKind,
    keys: u64,
    weights: [u32; 3],
    clients: Vec<ClientState>,
    ops: Vec<Operation>,
    /// Counter that makes 6.824 append values unique.
    next_unique: u64,
}

fn kv_key(key: u64) -> Value {
    Value::Int(key as i64)
}

fn str_key(key: u64) -> Arc<str> {
    Arc::from(format!("k{key}"))
}

impl KvWorkload {
    pub fn new(spec: &WorkloadSpec) -> KvWorkload {
        assert!(spec.keys >= 1, "at least one key");
        KvWorkload {
            kind: spec.kind,
            keys: spec.keys,
            weights: [spec.read_weight, spec.write_weight, spec.cas_weight],
            clients: vec![ClientState::default(); spec.clients],
            ops: Vec::new(),
            next_unique: 0,
        }
    }

    /// The history recorded so far; operations still waiting stay `info`
    /// without a completion.
    pub fn into_history(self) -> Vec<Operation> {
        self.ops
    }

    /// Draws which of the three operations (read-like, write-like, cas/append).
    fn draw_kind(&self, rng: &mut ChaCha8Rng) -> usize {
        let total: u32 = self.weights.iter().sum();
        assert!(total > 0, "some operation has a weight");
        let mut x = rng.random_range(0..total);
        for (i, w) in self.weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        unreachable!("x < total")
    }

    /// The command and its history entry (`f`, input).
    fn draw(&mut self, client: ClientId, rng: &mut ChaCha8Rng) -> (Op, &'static str, Value) {
        let key = rng.random_range(0..self.keys);
        let which = self.draw_kind(rng);
        match self.kind {
            WorkloadKind::LinKv => match which {
                0 => (
                    Op::Read { key },
                    "read",
                    Value::pair(kv_key(key), Value::Nil),
                ),
                1 => {
                    let value = rng.random_range(0..LIN_KV_VALUES);
                    (
                        Op::Write { key, value },
                        "write",
                        Value::pair(kv_key(key), Value::Int(value as i64)),
                    )
                }
                _ => {
                    let from = rng.random_range(0..LIN_KV_VALUES);
                    let to = rng.random_range(0..LIN_KV_VALUES);
                    let input = Value::pair(
                        kv_key(key),
                        Value::pair(Value::Int(from as i64), Value::Int(to as i64)),
                    );
                    (Op::Cas { key, from, to }, "cas", input)
                }
            },
            WorkloadKind::Kv824 => {
                let k = str_key(key);
                let hist_key = Value::Str(k.to_string());
                match which {
                    0 => (Op::Get { key: k }, "get", Value::pair(hist_key, Value::Nil)),
                    w => {
                        self.next_unique += 1;
                        let value: Arc<str> = Arc::from(format!("x{client}.{};", self.next_unique));
                        let input = Value::pair(hist_key, Value::Str(value.to_string()));
                        if w == 1 {
                            (Op::Put { key: k, value }, "put", input)
                        } else {
                            (Op::Append { key: k, value }, "append", input)
                        }
                    }
                }
            }
        }
    }

    /// Completes the current operation of `client` with `reply`.
    fn complete(&mut self, cur: Current, reply: &Reply, now_us: u64) {
        let op = &mut self.ops[cur.op];
        let key = op
            .input
            .as_pair()
            .map(|(k, _)| k.clone())
            .unwrap_or(Value::Nil);
        op.complete_time = Some(now_us);
        match reply {
            Ok(Output::ReadValue(v)) => {
                op.outcome = Outcome::Ok;
                op.output = Value::pair(key, v.map_or(Value::Nil, |v| Value::Int(v as i64)));
            }
            Ok(Output::GetValue(s)) => {
                op.outcome = Outcome::Ok;
                op.output = Value::pair(key, Value::Str(s.to_string()));
            }
            Ok(_) => op.outcome = Outcome::Ok,
            // A read of a missing key saw the register's initial value, nil:
            // recording it as such lets the checker verify it.
            Err(e) if op.f == "read" && e.code == KvError::KEY_DOES_NOT_EXIST => {
                op.outcome = Outcome::Ok;
                op.output = Value::pair(key, Value::Nil);
            }
            Err(e) => {
                assert!(
                    e.is_definite(),
                    "indefinite errors are retried, not completed"
                );
                op.outcome = Outcome::Fail;
            }
        }
    }
}

impl Workload<RaftNode> for KvWorkload {
    fn invoke(
        &mut self,
        client: ClientId,
        process: u64,
        now_us: u64,
        rng: &mut ChaCha8Rng,
    ) -> Command {
        let (op, f, input) = self.draw(client, rng);
        let state = &mut self.clients[client];
        assert!(
            state.current.is_none(),
            "a client has one operation in flight"
        );
        state.seq += 1;
        let seq = state.seq;
        self.ops.push(Operation {
            process,
            f: f.to_string(),
            input,
            output: Value::Nil,
            invoke_time: now_us,
            complete_time: None,
            outcome: Outcome::Info,
        });
        self.clients[client].current = Some(Current {
            op: self.ops.len() - 1,
            seq,
        });
        Command::new(client as u64 + 1, seq, op)
    }

    fn respond(&mut self, client: ClientId, _process: u64, resp: &Response, now_us: u64) -> Answer {
        let Some(cur) = self.clients[client].current else {
            return Answer::Stale;
        };
        match resp {
            // An indefinite error says nothing happened for sure either way:
            // the same request goes elsewhere, as after a redirect (the
            // session table makes the retry safe), until a definite answer
            // or the timeout.
            Response::Done { seq, reply: Err(e) } if *seq == cur.seq && !e.is_definite() => {
                Answer::Redirect(None)
            }
            Response::Done { seq, reply } if *seq == cur.seq => {
                self.complete(cur, reply, now_us);
                self.clients[client].current = None;
                Answer::Done
            }
            Response::NotLeader { seq, leader } if *seq == cur.seq => {
                Answer::Redirect(leader.map(|l| l as NodeId))
            }
            _ => Answer::Stale,
        }
    }

    fn timeout(&mut self, client: ClientId, _process: u64, now_us: u64) {
        let Some(cur) = self.clients[client].current.take() else {
            return;
        };
        let op = &mut self.ops[cur.op];
        if matches!(op.f.as_str(), "read" | "get") {
            op.outcome = Outcome::Fail;
            op.complete_time = Some(now_us);
        }
    }
}
