//! The clients' mechanics: when operations start, where requests go, retries,
//! redirects and timeouts. What an operation is, and what a response means, is
//! the [`Workload`]'s (see its contract).
//!
//! Clients are not nodes: partitions do not touch their messages, but client
//! messages take the network's latency model and random loss (no loss in the
//! healing phase, no duplication), drawn from a stream of their own so that
//! adding a client leaves the nodes' network draws unchanged. The clients'
//! own choices (start times, target nodes) come from a second stream; each
//! client's workload draws from a third, its own.
//!
//! Per operation: invoke, send to the believed leader (else a random node:
//! clients do not know who is down). Without an answer within `retry_us` of a
//! send, the same request goes to the next node; a redirect sends it again
//! after a short backoff, to the hinted node or the next one. Retries stop at
//! the deadline (`request_timeout_us` after the invocation), where the
//! operation times out and the client continues as a new process. Timers are
//! events that carry the attempt or operation number they belong to and do
//! nothing once it has moved on.

use crate::network::{latency_us, Chance};
use crate::node::{ClientId, Node, NodeId};
use crate::observe::{Failure, FailureKind};
use crate::options::{LatencyModel, RunOptions};
use crate::outcome::EngineStats;
use crate::queue::{Event, EventQueue};
use crate::rng;
use crate::slab::Slab;
use crate::trace::{TraceHasher, Tracer};
use crate::workload::{Answer, Workload};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use scenarios::ClientMode;
use std::hash::{Hash, Hasher};

/// Closed-loop clients start their first operation at a random time in
/// `[0, START_SPREAD_US)`, so that they do not move in lockstep.
const START_SPREAD_US: u64 = 10_000;
/// The shortest wait before resending after a redirect, so that a node that
/// keeps redirecting does not make a hot loop.
const REDIRECT_BACKOFF_US_MIN: u64 = 1_000;

/// A client message on the wire.
#[derive(Debug)]
pub enum Wire<Q, P> {
    Request {
        client: ClientId,
        to: NodeId,
        request: Q,
    },
    Response {
        client: ClientId,
        from: NodeId,
        response: P,
    },
}

/// The parts of the world a client event touches.
pub struct Cx<'a, 't> {
    pub queue: &'a mut EventQueue,
    pub stats: &'a mut EngineStats,
    pub hasher: &'a mut TraceHasher,
    pub tracer: &'a mut Tracer<'t>,
    /// Cluster size: clients send to nodes `0..nodes`.
    pub nodes: usize,
}

type Step = Result<(), Failure>;

/// One operation in flight. Invariant: `deadline_us` is its invocation time
/// plus the request timeout.
struct Op<Q> {
    request: Q,
    deadline_us: u64,
    /// A redirect asked for the next `Resend` of this attempt.
    redirected: bool,
}

/// One client. Invariant: `last_target` and `believed_leader` are node ids.
struct Client<Q> {
    process: u64,
    /// The workload's stream for this client.
    rng: ChaCha8Rng,
    /// Loss and latency of this client's requests and of responses to it.
    link_rng: ChaCha8Rng,
    /// The nodes this client picks when it has no leader in mind.
    targets_rng: ChaCha8Rng,
    op: Option<Op<Q>>,
    /// Number of the current (or last) operation, for traces.
    op_number: u32,
    /// When this client's one pending `Deadline` event fires, if one is
    /// queued. Deadlines only move later (invoke time plus a constant), so
    /// one timer per client suffices: when it fires early for an operation
    /// that has since completed, it re-arms itself for the current one. This
    /// keeps a second's worth of dead timers out of the event heap.
    deadline_armed_us: Option<u64>,
    /// Number of the current send; `Resend` events carry it. Bumped by every
    /// send, answer and timeout, so that older timers do nothing.
    attempt: u32,
    last_target: NodeId,
    believed_leader: Option<NodeId>,
}

/// Every client of a run, and their messages in flight.
pub struct Clients<N: Node> {
    clients: Vec<Client<N::Request>>,
    /// Bounded by the run's in-flight limit; exceeding it is a `limit` failure.
    wires: Slab<Wire<N::Request, N::Response>>,
    max_in_flight: usize,
    choices_rng: ChaCha8Rng,
    latency: LatencyModel,
    drop: Chance,
    mode: ClientMode,
    arrival_interval_us: u64,
    request_timeout_us: u64,
    retry_us: u64,
    redirect_backoff_us: u64,
    /// The process number the next timed-out client continues as.
    next_process: u64,
    /// No operation starts at or after this time.
    stop_us: Option<u64>,
    /// Clients with an operation in flight.
    busy: usize,
    /// Since when no client has had an operation in flight, if none has.
    idle_since_us: Option<u64>,
}

impl<N: Node> Clients<N> {
    pub fn new(options: &RunOptions) -> Clients<N> {
        let seed = options.seed;
        let clients = (0..options.clients)
            .map(|c| Client {
                process: c as u64,
                rng: rng::client_stream(seed, c),
                link_rng: rng::client_link_stream(seed, c),
                targets_rng: rng::client_targets_stream(seed, c),
                op: None,
                op_number: 0,
                deadline_armed_us: None,
                attempt: 0,
                last_target: 0,
                believed_leader: None,
            })
            .collect();
        let retry_us = options.retry_us.max(1);
        Clients {
            clients,
            wires: Slab::new(options.max_in_flight_messages.max(1)),
            max_in_flight: options.max_in_flight_messages.max(1),
            choices_rng: rng::client_choices_stream(seed),
            latency: options.latency,
            drop: Chance::new(options.drop_ratio),
            mode: options.client_mode,
            arrival_interval_us: options.arrival_interval_us.max(1),
            request_timeout_us: options.request_timeout_us.max(1),
            retry_us,
            redirect_backoff_us: (retry_us / 10).max(REDIRECT_BACKOFF_US_MIN),
            next_process: options.clients as u64,
            stop_us: options.client_stop_us,
            busy: 0,
            idle_since_us: Some(0),
        }
    }

    /// Whether no client has an operation in flight.
    #[inline]
    pub fn idle(&self) -> bool {
        self.busy == 0
    }

    /// Adds the idle time up to `now_us` to `stats` (at the end of a run).
    pub fn close_idle(&mut self, now_us: u64, stats: &mut EngineStats) {
        if let Some(since_us) = self.idle_since_us.take() {
            stats.idle_us += now_us.saturating_sub(since_us);
        }
    }

    fn op_started(&mut self, now_us: u64, stats: &mut EngineStats) {
        self.close_idle(now_us, stats);
        self.busy += 1;
        assert!(self.busy <= self.clients.len());
    }

    /// An operation ended (takes the two fields, not `self`, so that a
    /// caller may hold a client meanwhile).
    fn op_ended(busy: &mut usize, idle_since_us: &mut Option<u64>, now_us: u64) {
        assert!(*busy > 0, "an operation ended that never started");
        *busy -= 1;
        if *busy == 0 {
            *idle_since_us = Some(now_us);
        }
    }

    /// Schedules the first client events: each closed-loop client's first
    /// operation within the start spread, or the first open-loop arrival.
    pub fn schedule_start(&mut self, queue: &mut EventQueue) {
        if self.clients.is_empty() {
            return;
        }
        match self.mode {
            ClientMode::Closed => {
                for client in 0..self.clients.len() {
                    let at_us = self.choices_rng.random_range(0..START_SPREAD_US);
                    let client = u32::try_from(client).expect("client ids fit a u32");
                    queue.push(at_us, Event::ClientStart { client });
                }
            }
            ClientMode::Open => queue.push(self.arrival_interval_us, Event::Arrival),
        }
    }

    /// The healing phase: client messages are no longer lost at random.
    pub fn stop_loss(&mut self) {
        self.drop = Chance::new(0.0);
    }

    /// The node the request in `slot` goes to (still on the wire).
    pub fn request_receiver(&self, slot: u32) -> NodeId {
        match self.wires.get(slot) {
            Wire::Request { to, .. } => *to,
            Wire::Response { .. } => panic!("slot {slot} holds a response, not a request"),
        }
    }

    /// Takes the request in `slot` off the wire: `(client, node, request)`.
    pub fn take_request(&mut self, slot: u32) -> (ClientId, NodeId, N::Request) {
        match self.wires.take(slot) {
            Wire::Request {
                client,
                to,
                request,
            } => (client, to, request),
            Wire::Response { .. } => panic!("slot {slot} holds a response, not a request"),
        }
    }

    /// Puts node `from`'s response to `client` on the wire. Returns whether it
    /// was lost, or a `limit` failure.
    pub fn send_response(
        &mut self,
        queue: &mut EventQueue,
        from: NodeId,
        client: ClientId,
        response: N::Response,
    ) -> Result<bool, Failure> {
        assert!(
            client < self.clients.len(),
            "node {from} replied to unknown client {client}"
        );
        let rng = &mut self.clients[client].link_rng;
        if self.drop.happens(rng) {
            return Ok(true);
        }
        let at_us = queue.now_us() + latency_us(rng, self.latency);
        let wire = Wire::Response {
            client,
            from,
            response,
        };
        let slot = self.park(queue.now_us(), wire)?;
        queue.push(at_us, Event::ResponseArrives { slot });
        Ok(false)
    }

    fn park(&mut self, now_us: u64, wire: Wire<N::Request, N::Response>) -> Result<u32, Failure> {
        self.wires.insert(wire).map_err(|_| Failure {
            kind: FailureKind::Limit,
            message: format!("more than {} client messages in flight", self.max_in_flight),
            at_us: now_us,
        })
    }

    /// Closed loop: client `client`'s first operation.
    pub fn start<W: Workload<N>>(
        &mut self,
        client: ClientId,
        cx: &mut Cx,
        workload: &mut W,
    ) -> Step {
        cx.hasher.write_usize(client);
        self.invoke(client, cx, workload)
    }

    /// Open loop: an arrival goes to the idle client with the lowest id, or
    /// is skipped (and counted) when every client is busy.
    pub fn arrival<W: Workload<N>>(&mut self, cx: &mut Cx, workload: &mut W) -> Step {
        let now_us = cx.queue.now_us();
        let next_us = now_us + self.arrival_interval_us;
        if self.stop_us.is_none_or(|stop_us| next_us < stop_us) {
            cx.queue.push(next_us, Event::Arrival);
        }
        match self.clients.iter().position(|c| c.op.is_none()) {
            Some(client) => {
                cx.hasher.write_usize(client);
                self.invoke(client, cx, workload)
            }
            None => {
                cx.stats.open_loop_arrivals_skipped += 1;
                cx.hasher.write_u64(u64::MAX);
                if cx.tracer.on() {
                    cx.tracer.begin(now_us, None);
                    cx.tracer
                        .push(format_args!("arrival skipped: every client is busy"));
                    cx.tracer.end();
                }
                Ok(())
            }
        }
    }

    /// Client `client` (idle) starts an operation and sends its request.
    fn invoke<W: Workload<N>>(&mut self, client: ClientId, cx: &mut Cx, workload: &mut W) -> Step {
        let now_us = cx.queue.now_us();
        if self.stop_us.is_some_and(|stop_us| now_us >= stop_us) {
            return Ok(());
        }
        self.op_started(now_us, cx.stats);
        let deadline_us = now_us + self.request_timeout_us;
        let c = &mut self.clients[client];
        assert!(c.op.is_none(), "client {client} has an operation in flight");
        let request = workload.invoke(client, c.process, now_us, &mut c.rng);
        c.op_number = c.op_number.wrapping_add(1);
        if c.deadline_armed_us.is_none() {
            c.deadline_armed_us = Some(deadline_us);
            cx.queue.push(
                deadline_us,
                Event::Deadline {
                    client: client as u32,
                },
            );
        }
        cx.hasher.write_u64(c.process);
        request.hash(cx.hasher);
        if cx.tracer.on() {
            cx.tracer.begin(now_us, None);
            cx.tracer
                .push(format_args!("c{client} p{} invoke {request:?}", c.process));
        }
        c.op = Some(Op {
            request,
            deadline_us,
            redirected: false,
        });
        let target = match c.believed_leader {
            Some(node) => node,
            None => c.targets_rng.random_range(0..cx.nodes),
        };
        self.send(client, target, cx)
    }

    /// Sends the current request of `client` to `target` and arms the retry
    /// timer (unless the deadline comes first). Ends the trace line.
    fn send(&mut self, client: ClientId, target: NodeId, cx: &mut Cx) -> Step {
        assert!(
            target < cx.nodes,
            "client {client} targets unknown node {target}"
        );
        let now_us = cx.queue.now_us();
        let c = &mut self.clients[client];
        let op = c.op.as_mut().expect("a send belongs to an operation");
        op.redirected = false;
        c.attempt = c.attempt.wrapping_add(1);
        c.last_target = target;
        cx.stats.requests_sent += 1;
        cx.hasher.write_usize(target);
        let retry_us = now_us + self.retry_us;
        if retry_us < op.deadline_us {
            let attempt = c.attempt;
            cx.queue.push(
                retry_us,
                Event::Resend {
                    client: client as u32,
                    attempt,
                },
            );
        }
        let lost = self.drop.happens(&mut c.link_rng);
        if lost {
            cx.stats.client_messages_dropped += 1;
        } else {
            let request = op.request.clone();
            let at_us = now_us + latency_us(&mut c.link_rng, self.latency);
            let wire = Wire::Request {
                client,
                to: target,
                request,
            };
            let slot = self.park(now_us, wire)?;
            cx.queue.push(at_us, Event::RequestArrives { slot });
        }
        if cx.tracer.on() {
            cx.tracer.push(format_args!(" -> n{target}"));
            if lost {
                cx.tracer.push(format_args!(" (lost)"));
            }
            cx.tracer.end();
        }
        Ok(())
    }

    /// A retry or post-redirect timer of `client` fires: resend if `attempt`
    /// is still current. A retry goes to the believed leader unless it was
    /// the silent target, else to the next node; a redirect's resend to the
    /// hint, else to the next node.
    pub fn resend(&mut self, client: ClientId, attempt: u32, cx: &mut Cx) -> Step {
        let now_us = cx.queue.now_us();
        let c = &mut self.clients[client];
        cx.hasher.write_usize(client);
        let Some(op) = c.op.as_ref().filter(|_| c.attempt == attempt) else {
            if cx.tracer.on() {
                cx.tracer.begin(now_us, None);
                cx.tracer
                    .push(format_args!("c{client} timer of attempt {attempt} (stale)"));
                cx.tracer.end();
            }
            return Ok(());
        };
        cx.hasher.write_u64(c.process);
        let next = (c.last_target + 1) % cx.nodes;
        let redirected = op.redirected;
        if !redirected {
            cx.stats.retries += 1;
            if c.believed_leader == Some(c.last_target) {
                c.believed_leader = None;
            }
        }
        let target = c.believed_leader.unwrap_or(next);
        if cx.tracer.on() {
            let why = if redirected { "redirected" } else { "retry" };
            cx.tracer.begin(now_us, None);
            cx.tracer
                .push(format_args!("c{client} p{} {why}", c.process));
        }
        self.send(client, target, cx)
    }

    /// The deadline timer of `client` fires: if its operation in flight is
    /// due, it times out and the client continues as a new process (and, in
    /// a closed loop, invokes its next operation); if that operation is due
    /// later, the timer re-arms for it; with nothing in flight it rests.
    pub fn deadline<W: Workload<N>>(
        &mut self,
        client: ClientId,
        cx: &mut Cx,
        workload: &mut W,
    ) -> Step {
        let now_us = cx.queue.now_us();
        let c = &mut self.clients[client];
        assert_eq!(
            c.deadline_armed_us,
            Some(now_us),
            "client {client}: one deadline timer, firing when armed"
        );
        c.deadline_armed_us = None;
        cx.hasher.write_usize(client);
        let due_us = c.op.as_ref().map(|o| o.deadline_us);
        if due_us != Some(now_us) {
            if let Some(later_us) = due_us {
                assert!(later_us > now_us, "client {client}: a deadline was missed");
                c.deadline_armed_us = Some(later_us);
                cx.queue.push(
                    later_us,
                    Event::Deadline {
                        client: client as u32,
                    },
                );
            }
            if cx.tracer.on() {
                cx.tracer.begin(now_us, None);
                let op = c.op_number;
                cx.tracer
                    .push(format_args!("c{client} deadline timer: op {op} not due"));
                cx.tracer.end();
            }
            return Ok(());
        }
        assert_eq!(c.op.as_ref().map(|o| o.deadline_us), Some(now_us));
        workload.timeout(client, c.process, now_us);
        cx.stats.timeouts += 1;
        c.op = None;
        Self::op_ended(&mut self.busy, &mut self.idle_since_us, now_us);
        // The node it believed led gave no answer in time: it may be down or
        // cut off, so the next operation starts from a random node (as a
        // 6.824 clerk moves on to the next server), not from it again.
        c.believed_leader = None;
        c.attempt = c.attempt.wrapping_add(1);
        let old = c.process;
        c.process = self.next_process;
        self.next_process += 1;
        cx.hasher.write_u64(old);
        if cx.tracer.on() {
            cx.tracer.begin(now_us, None);
            let new = c.process;
            cx.tracer.push(format_args!(
                "c{client} p{old} timeout, continues as p{new}"
            ));
            cx.tracer.end();
        }
        match self.mode {
            ClientMode::Closed => self.invoke(client, cx, workload),
            ClientMode::Open => Ok(()),
        }
    }

    /// The response in `slot` reaches its client; the workload judges it.
    pub fn response_arrives<W: Workload<N>>(
        &mut self,
        slot: u32,
        cx: &mut Cx,
        workload: &mut W,
    ) -> Step {
        let Wire::Response {
            client,
            from,
            response,
        } = self.wires.take(slot)
        else {
            panic!("slot {slot} holds a request, not a response");
        };
        let now_us = cx.queue.now_us();
        cx.stats.responses_delivered += 1;
        let c = &mut self.clients[client];
        let answer = workload.respond(client, c.process, &response, now_us);
        cx.hasher.write_usize(client);
        cx.hasher.write_u64(c.process);
        cx.hasher.write_usize(from);
        response.hash(cx.hasher);
        answer.hash(cx.hasher);
        let idle = c.op.is_none();
        if cx.tracer.on() {
            cx.tracer.begin(now_us, None);
            cx.tracer.push(format_args!(
                "c{client} p{} reply from n{from} {response:?} -> {answer:?}",
                c.process
            ));
            if idle && answer != Answer::Stale {
                cx.tracer
                    .push(format_args!(" (ignored: no operation in flight)"));
            }
            cx.tracer.end();
        }
        if idle {
            return Ok(());
        }
        match answer {
            Answer::Stale => Ok(()),
            Answer::Done => {
                cx.stats.operations_completed += 1;
                c.op = None;
                Self::op_ended(&mut self.busy, &mut self.idle_since_us, now_us);
                c.attempt = c.attempt.wrapping_add(1);
                c.believed_leader = Some(from);
                match self.mode {
                    ClientMode::Closed => self.invoke(client, cx, workload),
                    ClientMode::Open => Ok(()),
                }
            }
            Answer::Redirect(hint) => {
                cx.stats.redirects += 1;
                c.believed_leader = hint.filter(|&h| h < cx.nodes && h != from);
                c.last_target = from;
                c.attempt = c.attempt.wrapping_add(1);
                let op = c.op.as_mut().expect("checked above");
                op.redirected = true;
                let at_us = now_us + self.redirect_backoff_us;
                if at_us < op.deadline_us {
                    let attempt = c.attempt;
                    cx.queue.push(
                        at_us,
                        Event::Resend {
                            client: client as u32,
                            attempt,
                        },
                    );
                }
                Ok(())
            }
        }
    }
}
