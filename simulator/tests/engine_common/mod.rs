//! A toy protocol for the engine's tests: nodes that gossip counters and
//! persist them, node 0 "leads" and answers client requests, the others
//! redirect to it. It knows nothing of Raft; it only exercises every path of
//! the engine (ticks, sends, writes, syncs, requests, replies, crashes,
//! restarts). [`ToyWorkload`] is its clients' side: it logs every call.
#![allow(dead_code)]

use rand::RngCore;
use rand_chacha::ChaCha8Rng;
use simulator::{Answer, Boot, ClientId, Effects, Failure, Node, NodeId, Observer, View, Workload};

type Out = Effects<Gossip, u64, ToyResponse>;

/// What the toy nodes of a run do besides gossiping.
#[derive(Clone, Debug, Default)]
pub struct ToyConfig {
    /// Numbers each node draws from its own stream per tick and throws away.
    pub extra_draws: u32,
    /// Node 1 panics at this tick of its first incarnation.
    pub panic_at_tick: Option<u64>,
    /// Send to every peer on every tick instead of one peer.
    pub broadcast: bool,
    /// The leader answers a request this many of its ticks later instead of
    /// at once (in the step that handles the request).
    pub reply_after_ticks: Option<u64>,
    /// Nodes (a bit mask) that never answer a request.
    pub silent_mask: u64,
}

/// A client's request: `seq` is unique over the run (see [`ToyWorkload`]).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToyRequest {
    pub client: ClientId,
    pub seq: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ToyResult {
    Ok,
    NotLeader(Option<NodeId>),
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ToyResponse {
    pub seq: u64,
    pub from: NodeId,
    pub result: ToyResult,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Gossip {
    pub counter: u64,
    pub from_tick: u64,
}

pub struct Toy {
    pub id: NodeId,
    pub nodes: usize,
    pub config: ToyConfig,
    pub rng: rand_chacha::ChaCha8Rng,
    pub ticks: u64,
    pub received: u64,
    pub counter: u64,
    /// Every record of this node's disk as the node believes it: the durable
    /// ones it booted from, then its own writes.
    pub log: Vec<u64>,
    /// Length of `log` that the last acknowledged sync covers.
    pub durable_len: usize,
    /// `(sync_id, log length when asked)`, oldest first.
    pub pending: Vec<(u64, usize)>,
    pub next_sync_id: u64,
    pub booted_from: usize,
    /// Every request this incarnation handled, in order.
    pub requests: Vec<ToyRequest>,
    /// Delayed replies: `(due tick, client, response)`, in due order.
    pub replies_due: Vec<(u64, ClientId, ToyResponse)>,
}

impl Toy {
    fn write(&mut self, value: u64, out: &mut Out) {
        self.log.push(value);
        out.write(value);
    }
    fn sync(&mut self, out: &mut Out) {
        let id = self.next_sync_id;
        self.next_sync_id += 1;
        self.pending.push((id, self.log.len()));
        out.sync(id);
    }
}

impl Node for Toy {
    type Msg = Gossip;
    type Record = u64;
    type Config = ToyConfig;
    type Request = ToyRequest;
    type Response = ToyResponse;

    fn boot(boot: Boot<'_, ToyConfig>, durable: &[u64]) -> Toy {
        Toy {
            id: boot.id,
            nodes: boot.nodes,
            config: boot.config.clone(),
            rng: boot.rng,
            ticks: 0,
            received: 0,
            // Request records (1_000_000 + seq) are not gossip counters.
            counter: durable
                .iter()
                .copied()
                .filter(|v| *v < 1_000_000)
                .max()
                .unwrap_or(0),
            log: durable.to_vec(),
            durable_len: durable.len(),
            pending: Vec::new(),
            next_sync_id: 0,
            booted_from: durable.len(),
            requests: Vec::new(),
            replies_due: Vec::new(),
        }
    }

    fn tick(&mut self, out: &mut Out) {
        self.ticks += 1;
        while self.replies_due.first().is_some_and(|r| r.0 <= self.ticks) {
            let (_, client, response) = self.replies_due.remove(0);
            out.reply(client, response);
        }
        for _ in 0..self.config.extra_draws {
            self.rng.next_u64();
        }
        if self.id == 1 && self.booted_from == 0 && Some(self.ticks) == self.config.panic_at_tick {
            panic!("toy panic at tick {}", self.ticks);
        }
        self.counter += 1;
        self.write(self.counter, out);
        if self.ticks & 1 == 0 {
            self.sync(out);
        }
        if self.nodes > 1 {
            let msg = Gossip {
                counter: self.counter,
                from_tick: self.ticks,
            };
            if self.config.broadcast {
                for peer in (0..self.nodes).filter(|p| *p != self.id) {
                    out.send(peer, msg.clone());
                }
            } else {
                let step = 1 + (self.ticks as usize % (self.nodes - 1));
                out.send((self.id + step) % self.nodes, msg);
            }
        }
    }

    fn receive(&mut self, _from: NodeId, msg: Gossip, out: &mut Out) {
        self.received += 1;
        if msg.counter > self.counter {
            self.counter = msg.counter;
            self.write(self.counter, out);
        }
    }

    fn durable(&mut self, sync_id: u64, _out: &mut Out) {
        assert!(
            !self.pending.is_empty(),
            "durable({sync_id}) without a pending sync"
        );
        let (oldest, len) = self.pending.remove(0);
        assert_eq!(oldest, sync_id, "syncs complete in the order asked");
        assert!(len >= self.durable_len);
        self.durable_len = len;
    }

    fn request(&mut self, client: ClientId, request: ToyRequest, out: &mut Out) {
        assert_eq!(request.client, client, "a request comes from its client");
        self.requests.push(request.clone());
        if self.config.silent_mask & (1 << self.id) != 0 {
            return;
        }
        let mut response = ToyResponse {
            seq: request.seq,
            from: self.id,
            result: ToyResult::NotLeader(Some(0)),
        };
        if !self.is_leader() {
            out.reply(client, response);
            return;
        }
        self.write(1_000_000 + request.seq, out);
        response.result = ToyResult::Ok;
        match self.config.reply_after_ticks {
            None => out.reply(client, response),
            Some(ticks) => self
                .replies_due
                .push((self.ticks + ticks, client, response)),
        }
    }

    fn is_leader(&self) -> bool {
        self.id == 0
    }
}

/// An observer that checks the disk contract after every step and can be told
/// to fail at a given time.
#[derive(Default)]
pub struct DiskCheck {
    pub steps: u64,
    pub steps_after_failure: u64,
    pub fail_at_us: Option<u64>,
    pub failed: bool,
    /// Last seen `(log, durable_len)` of every node, to judge its crash.
    pub last_seen: Vec<Option<(Vec<u64>, usize)>>,
    pub crashes_losing_records: u64,
    pub crashes: u64,
    pub restarts: u64,
    pub restarts_in_healing: u64,
    pub ticks_at_finish: Vec<u64>,
    pub all_up_at_finish: bool,
}

impl Observer<Toy> for DiskCheck {
    fn after_step(&mut self, view: &View<'_, Toy>) -> Result<(), Failure> {
        use simulator::StepKind;
        self.steps += 1;
        if self.failed {
            self.steps_after_failure += 1;
        }
        let n = view.nodes.len();
        if self.last_seen.len() != n {
            self.last_seen = vec![None; n];
        }
        let node = view.node;
        match view.step {
            StepKind::Crash => {
                assert!(view.nodes[node].is_none());
                let (log, durable_len) = self.last_seen[node].take().expect("seen before crash");
                let durable = &view.durable[node];
                assert!(
                    durable.len() >= durable_len,
                    "an acknowledged sync was lost"
                );
                assert_eq!(
                    &log[..durable.len()],
                    &durable[..],
                    "durable is a prefix of what was written"
                );
                self.crashes += 1;
                self.crashes_losing_records += u64::from(durable.len() < log.len());
            }
            StepKind::Restart => {
                let toy = view.nodes[node].as_ref().expect("up after restart");
                assert_eq!(
                    &toy.log, &view.durable[node],
                    "a restart boots from the durable records"
                );
                self.restarts += 1;
                self.restarts_in_healing += u64::from(view.healing);
            }
            _ => {}
        }
        if let Some(toy) = view.nodes[node].as_ref() {
            self.last_seen[node] = Some((toy.log.clone(), toy.durable_len));
            assert!(view.durable[node].len() >= toy.durable_len);
        }
        if let Some(at) = self.fail_at_us {
            if view.now_us >= at && !self.failed {
                self.failed = true;
                return Err(Failure {
                    kind: simulator::FailureKind::Safety,
                    message: "told to fail".into(),
                    at_us: view.now_us,
                });
            }
        }
        Ok(())
    }

    fn finish(&mut self, view: &View<'_, Toy>) -> Result<(), Failure> {
        self.ticks_at_finish = view
            .nodes
            .iter()
            .map(|n| n.as_ref().map_or(0, |t| t.ticks))
            .collect();
        self.all_up_at_finish = view.nodes.iter().all(|n| n.is_some());
        Ok(())
    }
}

/// One call the engine made to the workload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Call {
    Invoke {
        client: ClientId,
        process: u64,
        seq: u64,
        at_us: u64,
    },
    Respond {
        client: ClientId,
        process: u64,
        response: ToyResponse,
        answer: Answer,
        at_us: u64,
    },
    Timeout {
        client: ClientId,
        process: u64,
        seq: u64,
        at_us: u64,
    },
}

/// The toy clients: operation `seq` numbers are unique over the run; a
/// response is current when it answers the client's operation in flight.
/// Asserts the engine's side of the contract: one operation in flight per
/// client, a timeout only for an operation in flight, process numbers that
/// change only at a timeout.
#[derive(Default)]
pub struct ToyWorkload {
    pub calls: Vec<Call>,
    /// Per client: `(process, seq)` of the operation in flight.
    pub current: Vec<Option<(u64, u64)>>,
    /// Per client: the process it last ran as.
    pub processes: Vec<Option<u64>>,
    pub next_seq: u64,
    /// Numbers drawn from each client's stream at each invocation.
    pub draws: u32,
}

impl ToyWorkload {
    fn slot(&mut self, client: ClientId) {
        if self.current.len() <= client {
            self.current.resize(client + 1, None);
            self.processes.resize(client + 1, None);
        }
    }

    pub fn invocations(&self) -> impl Iterator<Item = (ClientId, u64, u64, u64)> + '_ {
        self.calls.iter().filter_map(|c| match *c {
            Call::Invoke {
                client,
                process,
                seq,
                at_us,
            } => Some((client, process, seq, at_us)),
            _ => None,
        })
    }
}

impl Workload<Toy> for ToyWorkload {
    fn invoke(
        &mut self,
        client: ClientId,
        process: u64,
        now_us: u64,
        rng: &mut ChaCha8Rng,
    ) -> ToyRequest {
        self.slot(client);
        assert!(
            self.current[client].is_none(),
            "client {client} invokes with an operation in flight"
        );
        if let Some(last) = self.processes[client] {
            assert_eq!(last, process, "a process changes only at a timeout");
        }
        self.processes[client] = Some(process);
        for _ in 0..self.draws {
            rng.next_u64();
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        self.current[client] = Some((process, seq));
        self.calls.push(Call::Invoke {
            client,
            process,
            seq,
            at_us: now_us,
        });
        ToyRequest { client, seq }
    }

    fn respond(
        &mut self,
        client: ClientId,
        process: u64,
        response: &ToyResponse,
        now_us: u64,
    ) -> Answer {
        self.slot(client);
        let answer = match self.current[client] {
            Some((p, seq)) if p == process && seq == response.seq => match response.result {
                ToyResult::Ok => {
                    self.current[client] = None;
                    Answer::Done
                }
                ToyResult::NotLeader(hint) => Answer::Redirect(hint),
            },
            _ => Answer::Stale,
        };
        self.calls.push(Call::Respond {
            client,
            process,
            response: response.clone(),
            answer,
            at_us: now_us,
        });
        answer
    }

    fn timeout(&mut self, client: ClientId, process: u64, now_us: u64) {
        self.slot(client);
        let (p, seq) = self.current[client]
            .take()
            .expect("a timeout of an operation in flight");
        assert_eq!(p, process);
        self.processes[client] = None;
        self.calls.push(Call::Timeout {
            client,
            process,
            seq,
            at_us: now_us,
        });
    }
}
