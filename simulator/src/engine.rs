//! The event loop: one seed, one thread, virtual time.
//!
//! [`run`] draws the seed's [`RunOptions`] and hands them to
//! [`run_with_options`], which builds the world (nodes, network, disks,
//! clocks, clients, nemesis), then pops events in `(time, seq)` order until
//! the end of the healing phase, a failure, or a limit. After every step on a
//! node (tick, receive, durable, request, crash, restart) the observer sees
//! the whole world; an error from it ends the run. Client events that touch no
//! node (invocations, retries, responses, timeouts) go to the [`Workload`].
//!
//! The hot path (tick, deliver, sync) allocates nothing beyond what the node
//! itself allocates: the [`Effects`] buffer is reused, messages live in the
//! network's slab (client messages in the clients' own), and trace lines are
//! formatted only when a sink is given.

use crate::clients::{Clients, Cx};
use crate::clock::Clocks;
use crate::disk::{Disks, MAX_PENDING_SYNCS};
use crate::nemesis::{Fault, Nemesis};
use crate::network::{Network, SendResult};
use crate::node::{Boot, Effects, Node, NodeEffects, NodeId};
use crate::observe::{Failure, FailureKind, Observer, StepKind, View};
use crate::options::{RunOptions, MAX_NODES};
use crate::outcome::{EngineStats, ProtocolStats, RunOutcome};
use crate::panics;
use crate::queue::{Event, EventQueue, Scheduled};
use crate::record::{FaultChange, Flight};
use crate::rng;
use crate::script::Script;
use crate::scripted::ScriptLinks;
use crate::trace::{TraceHasher, Tracer};
use crate::workload::Workload;
use scenarios::Scenario;
use std::hash::{Hash, Hasher};

/// Runs one seed of `scenario`. `config` is handed to every [`Node::boot`];
/// `workload` decides the clients' operations and judges the responses
/// (`scenario.workload` sets how many clients, open or closed loop, and the
/// timeouts). `trace`, when given, receives one readable line per processed event
/// (virtual time in ms with 3 decimals, node, event, message `Debug`);
/// without it nothing is formatted.
///
/// Never panics on account of the node or the observer: a panic becomes a
/// `panic` failure, and exhausting `scenario.limits` a `limit` failure.
pub fn run<N: Node, O: Observer<N>, W: Workload<N>>(
    scenario: &Scenario,
    config: &N::Config,
    observer: &mut O,
    workload: &mut W,
    seed: u64,
    trace: Option<&mut dyn FnMut(&str)>,
) -> RunOutcome {
    let options = RunOptions::draw(scenario, seed);
    run_with_options(&options, config, observer, workload, trace)
}

/// Runs one seed with explicit options (for tests, replays of edited options
/// and shrinking). Same contract as [`run`]; `options.seed` seeds every
/// random stream.
pub fn run_with_options<N: Node, O: Observer<N>, W: Workload<N>>(
    options: &RunOptions,
    config: &N::Config,
    observer: &mut O,
    workload: &mut W,
    trace: Option<&mut dyn FnMut(&str)>,
) -> RunOutcome {
    let mut tracer = Tracer::new(trace);
    let mut slot: Option<World<'_, N>> = None;
    let result = panics::catch(|| {
        let world = slot.insert(World::new(options, config));
        world.run(observer, workload, &mut tracer)
    });
    let failure = match result {
        Ok(Ok(())) => None,
        Ok(Err(failure)) => Some(failure),
        Err(message) => Some(Failure {
            kind: FailureKind::Panic,
            message,
            at_us: slot.as_ref().map_or(0, |w| w.queue.now_us()),
        }),
    };
    match slot {
        Some(world) => RunOutcome {
            seed: options.seed,
            failure,
            trace_hash: world.hasher.finish(),
            events: world.events,
            virtual_us: world.queue.now_us(),
            engine: world.stats,
            protocol: ProtocolStats::default(),
            workload: Default::default(),
        },
        None => RunOutcome {
            seed: options.seed,
            failure,
            trace_hash: TraceHasher::default().finish(),
            events: 0,
            virtual_us: 0,
            engine: EngineStats::default(),
            protocol: ProtocolStats::default(),
            workload: Default::default(),
        },
    }
}

/// Everything one run owns. Invariants: all per-node tables have `nodes`
/// entries; `incarnations[i]` counts node `i`'s crashes, and its disk's
/// pending syncs all belong to the current incarnation; a paused node is
/// live, and `deferred` holds events only for paused nodes.
pub(crate) struct World<'c, N: Node> {
    pub(crate) seed: u64,
    config: &'c N::Config,
    pub(crate) nodes: Vec<Option<N>>,
    incarnations: Vec<u32>,
    pub(crate) effects: NodeEffects<N>,
    pub(crate) queue: EventQueue,
    pub(crate) network: Network<N::Msg>,
    disks: Disks<N::Record>,
    pub(crate) clocks: Clocks,
    pub(crate) tick_us: u64,
    clients: Clients<N>,
    nemesis: Nemesis,
    pub(crate) script: Script,
    /// The script's cut links (the nemesis keeps its own in the network).
    pub(crate) links: ScriptLinks,
    /// Loss and duplication now (a script may change them).
    pub(crate) ratios: crate::network::LinkRatios,
    /// Bit mask of paused nodes.
    pub(crate) paused: u64,
    /// Events that reached a paused node, in arrival order; they run when
    /// it resumes (or, if it crashes first, find it down).
    pub(crate) deferred: Vec<(NodeId, Event)>,
    pub(crate) stats: EngineStats,
    pub(crate) hasher: TraceHasher,
    /// Events processed so far (the budget counts these).
    events: u64,
    max_events: u64,
    max_in_flight_messages: usize,
    faulty_us: u64,
    end_us: u64,
    pub(crate) healing: bool,
}

/// What one step's effects amounted to, for the trace line.
#[derive(Clone, Copy, Debug, Default)]
struct Applied {
    sent: usize,
    dropped: u64,
    writes: usize,
    syncs: usize,
    replies: usize,
    replies_lost: usize,
}

type Step = Result<(), Failure>;

impl<'c, N: Node> World<'c, N> {
    /// Builds the world with every node down; [`World::run`] boots them.
    fn new(options: &RunOptions, config: &'c N::Config) -> World<'c, N> {
        let n = options.nodes;
        assert!(
            (1..=MAX_NODES).contains(&n),
            "1 to {MAX_NODES} nodes, got {n}"
        );
        assert_eq!(options.drift_ppm.len(), n);
        let seed = options.seed;
        World {
            seed,
            config,
            nodes: (0..n).map(|_| None).collect(),
            incarnations: vec![0; n],
            effects: Effects::default(),
            queue: EventQueue::with_capacity(1024),
            network: Network::new(
                n,
                seed,
                options.latency,
                options.link_ratios(),
                options.max_in_flight_messages.max(1),
            ),
            disks: Disks::new(
                (0..n).map(|i| rng::disk_stream(seed, i)).collect(),
                options.sync_latency_us_min,
                options.sync_latency_us_max.max(options.sync_latency_us_min),
            ),
            clocks: Clocks::new(options.tick_us, &options.drift_ppm, &options.tick_phase_us),
            tick_us: options.tick_us,
            clients: Clients::new(options),
            nemesis: Nemesis::new(rng::stream(seed, rng::STREAM_NEMESIS), options),
            script: Script::new(options.steps.clone(), seed),
            links: ScriptLinks::default(),
            ratios: options.link_ratios(),
            paused: 0,
            deferred: Vec::new(),
            stats: EngineStats::default(),
            hasher: TraceHasher::default(),
            events: 0,
            max_events: options.max_events,
            max_in_flight_messages: options.max_in_flight_messages,
            faulty_us: options.faulty_us,
            end_us: options.end_us(),
            healing: false,
        }
    }

    /// Boots every node and processes events until the end, a failure or a
    /// limit. The loop is bounded by `max_events`: each iteration either
    /// processes one counted event or returns.
    fn run<O: Observer<N>, W: Workload<N>>(
        &mut self,
        observer: &mut O,
        workload: &mut W,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        for node in 0..self.nodes.len() {
            self.nodes[node] = Some(self.boot(node));
        }
        // Phase events first: at equal times they precede everything else,
        // and the healing phase begins before an end at the same time.
        self.queue.push(self.faulty_us, Event::HealingBegins);
        self.queue.push(self.end_us, Event::End);
        if !self.script.is_empty() {
            self.queue.push(0, Event::Script { generation: 0 });
        }
        if self.nemesis.enabled() {
            let wait_us = self.nemesis.interval_us();
            self.queue.push(wait_us, Event::FaultStart);
        }
        self.clients.schedule_start(&mut self.queue);
        for node in 0..self.nodes.len() {
            let at_us = self.clocks.advance(node, 0);
            self.queue.push(at_us, Event::Tick { node: node as u32 });
        }
        loop {
            let next = self.queue.pop().expect("the End event is always queued");
            if next.event == Event::End {
                return self.finish(observer, tracer);
            }
            if self.events >= self.max_events {
                return Err(self.limit(format!(
                    "event budget of {} events exhausted",
                    self.max_events
                )));
            }
            self.events += 1;
            self.hash_event(&next);
            self.dispatch(next.event, observer, workload, tracer)?;
            if self.awaiting_leader() {
                self.note_leader();
            }
            if self.script.watching() {
                self.watch_script(tracer)?;
            }
        }
    }

    fn dispatch<O: Observer<N>, W: Workload<N>>(
        &mut self,
        event: Event,
        observer: &mut O,
        workload: &mut W,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        let mut cx = Cx {
            queue: &mut self.queue,
            stats: &mut self.stats,
            hasher: &mut self.hasher,
            tracer: &mut *tracer,
            nodes: self.nodes.len(),
        };
        match event {
            Event::Tick { node } => self.tick(node as NodeId, observer, tracer),
            Event::Deliver { slot } => self.deliver(slot, observer, tracer),
            Event::SyncDone { node, incarnation } => {
                self.sync_done(node as NodeId, incarnation, observer, tracer)
            }
            Event::RequestArrives { slot } => self.request_arrives(slot, observer, tracer),
            Event::ResponseArrives { slot } => {
                self.clients.response_arrives(slot, &mut cx, workload)
            }
            Event::ClientStart { client } => self.clients.start(client as usize, &mut cx, workload),
            Event::Arrival => self.clients.arrival(&mut cx, workload),
            Event::Resend { client, attempt } => {
                self.clients.resend(client as usize, attempt, &mut cx)
            }
            Event::Deadline { client } => self.clients.deadline(client as usize, &mut cx, workload),
            Event::FaultStart => self.fault_start(observer, tracer),
            Event::FaultEnd => self.fault_end(observer, tracer),
            Event::HealingBegins => self.healing_begins(observer, tracer),
            Event::Script { generation } => self.script_event(generation, observer, tracer),
            Event::End => unreachable!("End is handled by the loop"),
        }
    }

    fn hash_event(&mut self, next: &Scheduled) {
        self.hasher.write_u64(next.time_us);
        self.hasher.write_u64(next.seq);
        self.hasher.write_u64(next.event.tag());
    }

    /// A fresh incarnation of `node` from its durable records.
    fn boot(&self, node: NodeId) -> N {
        let incarnation = self.incarnations[node];
        let boot = Boot {
            id: node,
            nodes: self.nodes.len(),
            config: self.config,
            rng: rng::node_stream(self.seed, node, incarnation),
        };
        N::boot(boot, &self.disks.durable[node])
    }

    fn limit(&self, message: String) -> Failure {
        limit_failure(self.queue.now_us(), message)
    }

    /// Shows the world to the observer after a step on `node`.
    #[inline]
    pub(crate) fn observe<O: Observer<N>>(
        &self,
        observer: &mut O,
        node: NodeId,
        step: StepKind,
    ) -> Step {
        observer.after_step(&View {
            now_us: self.queue.now_us(),
            node,
            step,
            nodes: &self.nodes,
            durable: &self.disks.durable,
            healing: self.healing,
        })
    }

    /// The end of the run: the observer's final check. `node` and `step` of
    /// this view describe no step (node 0, `Tick`).
    fn finish<O: Observer<N>>(&mut self, observer: &mut O, tracer: &mut Tracer<'_>) -> Step {
        assert_eq!(self.queue.now_us(), self.end_us);
        self.clients.close_idle(self.end_us, &mut self.stats);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), None);
            tracer.push(format_args!("end after {} events", self.events));
            tracer.end();
        }
        observer.finish(&View {
            now_us: self.queue.now_us(),
            node: 0,
            step: StepKind::Tick,
            nodes: &self.nodes,
            durable: &self.disks.durable,
            healing: self.healing,
        })
    }

    /// Whether the first leader, or the first after healing began, is
    /// still to be seen.
    #[inline]
    fn awaiting_leader(&self) -> bool {
        self.stats.first_leader_us.is_none()
            || (self.healing && self.stats.healed_leader_after_us.is_none())
    }

    /// Records the first time a node believes it leads, overall and after
    /// the healing phase began.
    fn note_leader(&mut self) {
        if self.leaders() == 0 {
            return;
        }
        let now_us = self.queue.now_us();
        self.stats.first_leader_us.get_or_insert(now_us);
        if self.healing {
            self.stats
                .healed_leader_after_us
                .get_or_insert(now_us - self.faulty_us);
        }
    }

    /// Whether `node` is paused by the script (its events wait).
    #[inline]
    pub(crate) fn is_paused(&self, node: NodeId) -> bool {
        self.paused & (1 << node) != 0
    }

    /// Bit mask of live nodes.
    pub(crate) fn alive(&self) -> u64 {
        let mut mask = 0;
        for (node, slot) in self.nodes.iter().enumerate() {
            if slot.is_some() {
                mask |= 1 << node;
            }
        }
        mask
    }

    /// Bit mask of live nodes that believe they lead.
    pub(crate) fn leaders(&self) -> u64 {
        let mut mask = 0;
        for (node, slot) in self.nodes.iter().enumerate() {
            if slot.as_ref().is_some_and(|n| n.is_leader()) {
                mask |= 1 << node;
            }
        }
        mask
    }

    /// Drains the effects buffer of a step on `node`: sends to the network,
    /// writes and syncs to its disk. Writes are applied before syncs, so a
    /// sync covers every write of the same step.
    fn apply_effects(&mut self, node: NodeId) -> Result<Applied, Failure> {
        let now_us = self.queue.now_us();
        let dropped_before = self.stats.messages_dropped;
        let mut applied = Applied {
            sent: self.effects.sends.len(),
            writes: self.effects.writes.len(),
            syncs: self.effects.syncs.len(),
            dropped: 0,
            replies: self.effects.replies.len(),
            replies_lost: 0,
        };
        let sent = self.effects.sends.len() as u64;
        if self.stats.first_leader_us.is_none() {
            self.stats.messages_to_first_leader += sent;
        }
        if self.clients.idle() {
            self.stats.idle_messages += sent;
        }
        for (to, msg) in self.effects.sends.drain(..) {
            self.stats.messages_sent += 1;
            self.stats.bytes_sent += N::message_bytes(&msg);
            let reply = N::is_reply(&msg);
            match self
                .network
                .send(&mut self.queue, now_us, node, to, msg, reply)
            {
                SendResult::Scheduled { duplicated } => {
                    self.stats.messages_duplicated += u64::from(duplicated);
                }
                SendResult::Blocked | SendResult::Lost => self.stats.messages_dropped += 1,
                SendResult::OverLimit => {
                    let max = self.max_in_flight_messages;
                    let message = format!("more than {max} messages in flight");
                    return Err(limit_failure(now_us, message));
                }
            }
        }
        for record in self.effects.writes.drain(..) {
            record.hash(&mut self.hasher);
            self.disks.write(node, record);
        }
        let incarnation = self.incarnations[node];
        for sync_id in self.effects.syncs.drain(..) {
            self.hasher.write_u64(sync_id);
            if !self
                .disks
                .sync(&mut self.queue, now_us, node, incarnation, sync_id)
            {
                let message =
                    format!("node {node} has more than {MAX_PENDING_SYNCS} syncs pending");
                return Err(limit_failure(now_us, message));
            }
        }
        for (client, response) in self.effects.replies.drain(..) {
            let lost = self
                .clients
                .send_response(&mut self.queue, node, client, response)?;
            self.stats.client_messages_dropped += u64::from(lost);
            applied.replies_lost += usize::from(lost);
        }
        assert!(self.effects.is_empty());
        applied.dropped = self.stats.messages_dropped - dropped_before;
        Ok(applied)
    }

    /// Applies a step's effects and ends its trace line with a summary.
    #[inline]
    pub(crate) fn settle(&mut self, node: NodeId, tracer: &mut Tracer<'_>) -> Step {
        let applied = self.apply_effects(node)?;
        if tracer.on() {
            trace_effects(tracer, applied);
            tracer.end();
        }
        Ok(())
    }

    fn tick<O: Observer<N>>(
        &mut self,
        node: NodeId,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        let next_us = self.clocks.advance(node, self.queue.now_us());
        self.queue.push(next_us, Event::Tick { node: node as u32 });
        self.hasher.write_usize(node);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(node));
            tracer.push(format_args!("tick"));
        }
        if self.is_paused(node) {
            if tracer.on() {
                tracer.push(format_args!(" (paused)"));
                tracer.end();
            }
            return Ok(());
        }
        let Some(n) = self.nodes[node].as_mut() else {
            if tracer.on() {
                tracer.push(format_args!(" (down)"));
                tracer.end();
            }
            return Ok(());
        };
        n.tick(&mut self.effects);
        self.settle(node, tracer)?;
        self.observe(observer, node, StepKind::Tick)
    }

    fn deliver<O: Observer<N>>(
        &mut self,
        slot: u32,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        if self.paused != 0 {
            let to = self.network.receiver(slot);
            if self.is_paused(to) {
                return self.defer(to, Event::Deliver { slot }, tracer);
            }
        }
        let wire = self.network.take(slot);
        let (from, to) = (wire.from, wire.to);
        observer.on_flight(&Flight::of(
            &wire,
            self.queue.now_us(),
            self.nodes[to].is_some(),
        ));
        self.hasher.write_usize(from);
        self.hasher.write_usize(to);
        wire.msg.hash(&mut self.hasher);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(to));
            tracer.push(format_args!("recv from n{from} {:?}", wire.msg));
        }
        let Some(n) = self.nodes[to].as_mut() else {
            self.stats.messages_dropped += 1;
            if tracer.on() {
                tracer.push(format_args!(" | lost: n{to} is down"));
                tracer.end();
            }
            return Ok(());
        };
        self.stats.messages_delivered += 1;
        n.receive(from, wire.msg, &mut self.effects);
        self.settle(to, tracer)?;
        self.observe(observer, to, StepKind::Receive { from })
    }

    fn sync_done<O: Observer<N>>(
        &mut self,
        node: NodeId,
        incarnation: u32,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        if self.is_paused(node) {
            let event = Event::SyncDone {
                node: node as u32,
                incarnation,
            };
            return self.defer(node, event, tracer);
        }
        self.hasher.write_usize(node);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(node));
        }
        let current = incarnation == self.incarnations[node];
        let Some(n) = self.nodes[node].as_mut().filter(|_| current) else {
            // The sync belonged to an incarnation that crashed: lost with it.
            if tracer.on() {
                tracer.push(format_args!(
                    "sync of incarnation {incarnation} lost in a crash"
                ));
                tracer.end();
            }
            return Ok(());
        };
        let done = self.disks.complete(node);
        self.stats.syncs += 1;
        self.hasher.write_u64(done.sync_id);
        if tracer.on() {
            let records = done.records;
            tracer.push(format_args!(
                "durable sync {} (+{records} records)",
                done.sync_id
            ));
        }
        n.durable(done.sync_id, &mut self.effects);
        self.settle(node, tracer)?;
        self.observe(observer, node, StepKind::Durable)
    }

    /// A client's request reaches node `to`: lost if the node is down, else
    /// handed to [`Node::request`]; the node's replies leave with its effects.
    fn request_arrives<O: Observer<N>>(
        &mut self,
        slot: u32,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        if self.paused != 0 {
            let to = self.clients.request_receiver(slot);
            if self.is_paused(to) {
                return self.defer(to, Event::RequestArrives { slot }, tracer);
            }
        }
        let (client, to, request) = self.clients.take_request(slot);
        self.hasher.write_usize(client);
        self.hasher.write_usize(to);
        request.hash(&mut self.hasher);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(to));
            tracer.push(format_args!("request from c{client} {request:?}"));
        }
        let Some(n) = self.nodes[to].as_mut() else {
            self.stats.client_messages_dropped += 1;
            if tracer.on() {
                tracer.push(format_args!(" | lost: n{to} is down"));
                tracer.end();
            }
            return Ok(());
        };
        n.request(client, request, &mut self.effects);
        self.settle(to, tracer)?;
        self.observe(observer, to, StepKind::Request)
    }

    fn fault_start<O: Observer<N>>(&mut self, observer: &mut O, tracer: &mut Tracer<'_>) -> Step {
        if self.healing {
            trace_idle(tracer, self.queue.now_us());
            return Ok(());
        }
        let fault = self.nemesis.start(
            self.nodes.len(),
            self.alive(),
            self.leaders(),
            self.members_view(),
        );
        let Some(fault) = fault else {
            let wait_us = self.nemesis.interval_us();
            if tracer.on() {
                tracer.begin(self.queue.now_us(), None);
                tracer.push(format_args!("nemesis finds no target, waits {wait_us}us"));
                tracer.end();
            }
            self.queue
                .push(self.queue.now_us() + wait_us, Event::FaultStart);
            return Ok(());
        };
        let duration_us = self.nemesis.duration_us();
        self.queue
            .push(self.queue.now_us() + duration_us, Event::FaultEnd);
        hash_fault(&mut self.hasher, fault);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), None);
            tracer.push(format_args!("nemesis starts {fault:?} for {duration_us}us"));
            tracer.end();
        }
        let at_top_leader =
            matches!(fault, Fault::IsolateLeader { node } if self.top_leader() == Some(node));
        observer.on_fault(&FaultChange::of(
            fault,
            self.queue.now_us(),
            true,
            at_top_leader,
        ));
        match fault {
            Fault::PartitionHalves { minority } => self.network.partition(minority),
            Fault::IsolateOne { node } | Fault::IsolateLeader { node } => {
                self.network.isolate(node)
            }
            Fault::OneWay { node } => self.network.block_outgoing(node),
            Fault::Crash { node } => return self.crash(node, observer, tracer),
            Fault::Reconfigure { change } => {
                let outcome = match self.top_leader() {
                    Some(from) => self.reconfigure_at(from, change, observer, tracer)?,
                    None => "reconfigure: no leader, nothing done".to_string(),
                };
                if tracer.on() {
                    tracer.begin(self.queue.now_us(), None);
                    tracer.push(format_args!("nemesis {outcome}"));
                    tracer.end();
                }
                return Ok(());
            }
        }
        self.stats.partitions += 1;
        Ok(())
    }

    fn fault_end<O: Observer<N>>(&mut self, observer: &mut O, tracer: &mut Tracer<'_>) -> Step {
        if self.healing {
            trace_idle(tracer, self.queue.now_us());
            return Ok(());
        }
        let wait_us = self.nemesis.interval_us();
        self.queue
            .push(self.queue.now_us() + wait_us, Event::FaultStart);
        let fault = self
            .nemesis
            .end()
            .expect("a fault ends only after it started");
        self.undo(fault, observer, tracer)
    }

    /// Heals what `fault` broke: the network, or the crashed node.
    fn undo<O: Observer<N>>(
        &mut self,
        fault: Fault,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        if tracer.on() {
            tracer.begin(self.queue.now_us(), None);
            tracer.push(format_args!("nemesis ends {fault:?}"));
            tracer.end();
        }
        observer.on_fault(&FaultChange::of(fault, self.queue.now_us(), false, false));
        match fault {
            Fault::Crash { node } => self.restart(node, observer, tracer),
            // A membership change stays.
            Fault::Reconfigure { .. } => Ok(()),
            _ => {
                self.network.heal();
                Ok(())
            }
        }
    }

    /// The healing phase: no more faults, loss or duplication; partitions
    /// heal and every crashed node restarts (in id order).
    fn healing_begins<O: Observer<N>>(
        &mut self,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        assert!(!self.healing);
        self.healing = true;
        if tracer.on() {
            tracer.begin(self.queue.now_us(), None);
            tracer.push(format_args!("healing begins"));
            tracer.end();
        }
        self.network.stop_loss_and_duplication();
        self.clients.stop_loss();
        if let Some(fault) = self.nemesis.end() {
            self.undo(fault, observer, tracer)?;
        }
        self.stop_script(tracer)?;
        self.network.heal_all();
        assert!(
            self.nemesis.active().is_none(),
            "no fault outlives the faulty phase"
        );
        for node in 0..self.nodes.len() {
            if self.nodes[node].is_none() {
                self.restart(node, observer, tracer)?;
            }
        }
        assert_eq!(self.alive().count_ones() as usize, self.nodes.len());
        Ok(())
    }

    /// Crashes `node`: its state and unsynced writes are lost, pending syncs
    /// and timers of this incarnation become stale.
    pub(crate) fn crash<O: Observer<N>>(
        &mut self,
        node: NodeId,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        assert!(self.nodes[node].is_some(), "crash of a node that is down");
        self.nodes[node] = None;
        if self.is_paused(node) {
            // What waited for the paused process now finds it down.
            self.resume(node, tracer);
        }
        let lost = self.disks.crash(node);
        self.incarnations[node] += 1;
        self.stats.crashes += 1;
        self.hasher.write_usize(node);
        self.hasher.write_usize(lost);
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(node));
            tracer.push(format_args!("crash ({lost} unsynced records lost)"));
            tracer.end();
        }
        self.observe(observer, node, StepKind::Crash)
    }

    /// Restarts `node` from its durable records.
    pub(crate) fn restart<O: Observer<N>>(
        &mut self,
        node: NodeId,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        assert!(self.nodes[node].is_none(), "restart of a node that is up");
        // The crash emptied the disk's volatile side; only durable records remain.
        assert_eq!(self.disks.volatile_len(node), 0);
        assert_eq!(self.disks.pending_syncs(node), 0);
        let booted = self.boot(node);
        self.nodes[node] = Some(booted);
        self.stats.restarts += 1;
        self.hasher.write_usize(node);
        if tracer.on() {
            let records = self.disks.durable[node].len();
            let incarnation = self.incarnations[node];
            tracer.begin(self.queue.now_us(), Some(node));
            tracer.push(format_args!(
                "restart (incarnation {incarnation}, {records} durable records)"
            ));
            tracer.end();
        }
        self.observe(observer, node, StepKind::Restart)
    }
}

fn limit_failure(at_us: u64, message: String) -> Failure {
    Failure {
        kind: FailureKind::Limit,
        message,
        at_us,
    }
}

fn hash_fault(hasher: &mut TraceHasher, fault: Fault) {
    let (tag, target) = match fault {
        Fault::PartitionHalves { minority } => (1, minority),
        Fault::IsolateOne { node } => (2, node as u64),
        Fault::IsolateLeader { node } => (3, node as u64),
        Fault::OneWay { node } => (4, node as u64),
        Fault::Crash { node } => (5, node as u64),
        Fault::Reconfigure { change } => (
            6,
            change.add_learners | change.promote << 16 | change.remove << 32,
        ),
    };
    hasher.write_u64(tag);
    hasher.write_u64(target);
}

/// The trace line of a nemesis event that fires after healing began.
fn trace_idle(tracer: &mut Tracer<'_>, now_us: u64) {
    if tracer.on() {
        tracer.begin(now_us, None);
        tracer.push(format_args!("nemesis idle (healing)"));
        tracer.end();
    }
}

fn trace_effects(tracer: &mut Tracer<'_>, applied: Applied) {
    let Applied {
        sent,
        dropped,
        writes,
        syncs,
        replies,
        replies_lost,
    } = applied;
    if sent + writes + syncs + replies == 0 {
        return;
    }
    tracer.push(format_args!(" | sent {sent}"));
    if dropped > 0 {
        tracer.push(format_args!(" ({dropped} lost)"));
    }
    if writes > 0 {
        tracer.push(format_args!(", wrote {writes}"));
    }
    if syncs > 0 {
        tracer.push(format_args!(", synced {syncs}"));
    }
    if replies > 0 {
        tracer.push(format_args!(", replied {replies}"));
        if replies_lost > 0 {
            tracer.push(format_args!(" ({replies_lost} lost)"));
        }
    }
}
