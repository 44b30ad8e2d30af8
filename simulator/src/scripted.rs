//! Carrying out a scenario's scripted steps against the world: resolving
//! symbolic targets, applying faults, watching conditions, pausing nodes.
//!
//! The script runs in the faulty phase. When the healing phase begins, a
//! script that has not finished is an `expectation` failure (the scenario's
//! `phases.faulty_ms` is shorter than its script), and every scripted fault
//! is undone with the nemesis's.

use crate::engine::World;
use crate::explicit::ids;
use crate::network::LinkRatios;
use crate::node::{Members, Node, NodeId, Reconfigure};
use crate::observe::{Failure, FailureKind, Observer};
use crate::options::MAX_NODES;
use crate::queue::Event;
use crate::script::{State, Watch, WatchMode};
use crate::trace::Tracer;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use scenarios::{Condition, StepSpec, Target, Term};
use std::hash::Hasher;

type Step = Result<(), Failure>;

/// The links the script has cut. Invariant: every mask names nodes of the
/// cluster only.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ScriptLinks {
    /// Nodes cut off by `disconnect` (6.824's model: all their links).
    pub disconnected: u64,
    /// The groups of the last `partition`, one mask each (empty: none).
    pub groups: Vec<u64>,
    /// One-way cuts: messages from a node of `.0` to a node of `.1` are lost.
    pub cuts: Vec<(u64, u64)>,
}

impl ScriptLinks {
    /// Whether messages from `from` to `to` are lost.
    pub fn cut(&self, from: NodeId, to: NodeId) -> bool {
        let (f, t) = (1u64 << from, 1u64 << to);
        if (self.disconnected & (f | t)) != 0 {
            return true;
        }
        if !self.groups.is_empty() {
            let group_of = |bit: u64| self.groups.iter().position(|g| g & bit != 0);
            if group_of(f) != group_of(t) {
                return true;
            }
        }
        self.cuts.iter().any(|(a, b)| a & f != 0 && b & t != 0)
    }
}

/// Bit mask of nodes `0..n`.
fn all_nodes(n: usize) -> u64 {
    if n >= MAX_NODES {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}

/// `"{n0, n3}"` for a node mask.
pub fn names(mask: u64) -> String {
    let ids: Vec<String> = (0..MAX_NODES)
        .filter(|i| mask & (1 << i) != 0)
        .map(|i| format!("n{i}"))
        .collect();
    format!("{{{}}}", ids.join(", "))
}

impl<N: Node> World<'_, N> {
    /// A `Script` event: run the next steps, or end a wait.
    pub(crate) fn script_event<O: Observer<N>>(
        &mut self,
        generation: u32,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        self.hasher.write_u32(generation);
        if generation != self.script.generation || self.healing {
            return Ok(());
        }
        match self.script.state.clone() {
            State::Done => return Ok(()),
            State::Ready => {}
            State::Sleeping => self.script.advance(),
            State::Watching(watch) => {
                // The deadline of the watched condition has come.
                if watch.mode == WatchMode::Within {
                    return Err(self.expectation(format!(
                        "{}: expected {} within {} ms of the step, but it did not come true",
                        watch.position,
                        describe(&watch),
                        watch
                            .deadline_us
                            .unwrap_or(0)
                            .saturating_sub(watch.start_us)
                            / 1000
                    )));
                }
                self.trace_script(
                    tracer,
                    &format!("{}: {} over", watch.position, describe(&watch)),
                );
                self.script.advance();
            }
        }
        self.script.set_state(State::Ready);
        self.run_script(observer, tracer)
    }

    /// Runs steps until one takes time or the script ends.
    fn run_script<O: Observer<N>>(&mut self, observer: &mut O, tracer: &mut Tracer<'_>) -> Step {
        loop {
            let position = self.script.position();
            let Some((step, mut rng)) = self.script.next_step() else {
                self.trace_script(tracer, "script done");
                return Ok(());
            };
            self.hasher.write(step.name().as_bytes());
            let now_us = self.queue.now_us();
            match step {
                StepSpec::Wait {
                    ms,
                    ms_min,
                    ms_max,
                    until,
                    count,
                    timeout_ms,
                    among,
                } => {
                    if let Some(condition) = until {
                        let deadline_us = timeout_ms.map(|ms| now_us + ms * 1000);
                        let watch = self.watch(
                            condition,
                            count,
                            among.as_ref(),
                            deadline_us,
                            WatchMode::Until,
                            position,
                            &mut rng,
                        )?;
                        if self.begin_watch(watch, tracer)? {
                            continue;
                        }
                        return Ok(());
                    }
                    let wait_us = match (ms, ms_min, ms_max) {
                        (Some(ms), _, _) => crate::options::ms_to_us(ms),
                        (None, Some(lo), Some(hi)) => rng.random_range(lo..=hi) * 1000,
                        _ => 0,
                    };
                    self.hasher.write_u64(wait_us);
                    self.trace_script(
                        tracer,
                        &format!("{position}: wait {}", crate::trace::Millis(wait_us)),
                    );
                    let generation = self.script.set_state(State::Sleeping);
                    self.queue
                        .push(now_us + wait_us, Event::Script { generation });
                    return Ok(());
                }
                StepSpec::Expect {
                    that,
                    count,
                    within_ms,
                    for_ms,
                    among,
                } => {
                    let (mode, deadline_us) = match (within_ms, for_ms) {
                        (_, Some(ms)) => (WatchMode::Throughout, Some(now_us + ms * 1000)),
                        (Some(ms), None) => (WatchMode::Within, Some(now_us + ms * 1000)),
                        (None, None) => (WatchMode::Within, None),
                    };
                    let watch = self.watch(
                        that,
                        count,
                        among.as_ref(),
                        deadline_us,
                        mode,
                        position,
                        &mut rng,
                    )?;
                    if deadline_us.is_none() {
                        // Checked once, now.
                        if !self.holds(&watch) {
                            return Err(self.expectation(format!(
                                "{}: expected {}, but it does not hold",
                                watch.position,
                                describe(&watch)
                            )));
                        }
                        self.trace_script(
                            tracer,
                            &format!("{}: {} holds", watch.position, describe(&watch)),
                        );
                        self.script.advance();
                        continue;
                    }
                    if self.begin_watch(watch, tracer)? {
                        continue;
                    }
                    return Ok(());
                }
                action => {
                    self.act(&action, &position, &mut rng, observer, tracer)?;
                    self.script.advance();
                }
            }
        }
    }

    /// Starts watching; returns whether the step is already over (an
    /// eventual condition that holds at once), in which case the script
    /// has advanced.
    fn begin_watch(&mut self, watch: Watch, tracer: &mut Tracer<'_>) -> Result<bool, Failure> {
        let holds = self.holds(&watch);
        self.trace_script(
            tracer,
            &format!(
                "{}: {} {} ({})",
                watch.position,
                match watch.mode {
                    WatchMode::Until => "wait until",
                    WatchMode::Within => "expect",
                    WatchMode::Throughout => "expect throughout",
                },
                describe(&watch),
                if holds { "holds" } else { "does not hold yet" }
            ),
        );
        match watch.mode {
            WatchMode::Until | WatchMode::Within if holds => {
                self.script.advance();
                return Ok(true);
            }
            WatchMode::Throughout if !holds => {
                return Err(self.expectation(format!(
                    "{}: expected {} throughout the step, but it does not hold at its start",
                    watch.position,
                    describe(&watch)
                )));
            }
            _ => {}
        }
        let deadline_us = watch.deadline_us;
        let generation = self.script.set_state(State::Watching(watch));
        if let Some(at_us) = deadline_us {
            self.queue.push(at_us, Event::Script { generation });
        }
        Ok(false)
    }

    /// After every event while a condition is watched.
    pub(crate) fn watch_script(&mut self, tracer: &mut Tracer<'_>) -> Step {
        let State::Watching(watch) = &self.script.state else {
            return Ok(());
        };
        let holds = self.holds(watch);
        match (watch.mode, holds) {
            (WatchMode::Throughout, false) => {
                let message = format!(
                    "{}: expected {} throughout the step, but it stopped holding",
                    watch.position,
                    describe(watch)
                );
                Err(self.expectation(message))
            }
            (WatchMode::Until | WatchMode::Within, true) => {
                let line = format!("{}: {} now holds", watch.position, describe(watch));
                self.trace_script(tracer, &line);
                self.script.advance();
                let generation = self.script.set_state(State::Ready);
                self.queue
                    .push(self.queue.now_us(), Event::Script { generation });
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The healing phase begins: the script must be done; its faults end.
    pub(crate) fn stop_script(&mut self, tracer: &mut Tracer<'_>) -> Step {
        if self.script.is_empty() {
            return Ok(());
        }
        if !self.script.done() {
            let at = match &self.script.state {
                State::Watching(w) => format!("{} ({})", w.position, describe(w)),
                _ => self.script.position(),
            };
            return Err(self.expectation(format!(
                "the faulty phase ended before the script did, at {at}: make phases.faulty_ms longer"
            )));
        }
        self.links = ScriptLinks::default();
        self.network.set_script_links(|_, _| false);
        for node in 0..self.nodes.len() {
            if self.is_paused(node) {
                self.resume(node, tracer);
            }
        }
        Ok(())
    }

    /// Parks `event` until `node` resumes.
    pub(crate) fn defer(&mut self, node: NodeId, event: Event, tracer: &mut Tracer<'_>) -> Step {
        self.deferred.push((node, event));
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(node));
            tracer.push(format_args!("{event:?} waits: n{node} is paused"));
            tracer.end();
        }
        Ok(())
    }

    /// Unpauses `node`: what waited for it runs now, in arrival order.
    pub(crate) fn resume(&mut self, node: NodeId, tracer: &mut Tracer<'_>) {
        self.paused &= !(1 << node);
        let now_us = self.queue.now_us();
        let mut waited = 0;
        let deferred = std::mem::take(&mut self.deferred);
        for (n, event) in deferred {
            if n == node {
                self.queue.push(now_us, event);
                waited += 1;
            } else {
                self.deferred.push((n, event));
            }
        }
        self.hasher.write_usize(node);
        if tracer.on() {
            tracer.begin(now_us, Some(node));
            tracer.push(format_args!("resume ({waited} events waited)"));
            tracer.end();
        }
    }

    /// Builds the watch of a `wait until` or `expect` step, measuring the
    /// world as it is now.
    #[allow(clippy::too_many_arguments)]
    fn watch(
        &mut self,
        condition: Condition,
        count: Option<u64>,
        among: Option<&Target>,
        deadline_us: Option<u64>,
        mode: WatchMode,
        position: String,
        rng: &mut ChaCha8Rng,
    ) -> Result<Watch, Failure> {
        let among = match among {
            Some(target) => Some(self.resolve(target, &mut 0, rng, &position)?),
            None => None,
        };
        Ok(Watch {
            condition,
            among,
            count: count.unwrap_or(1),
            ops_at_start: self.stats.operations_completed,
            term_at_start: self.max_term(),
            commit_at_start: self.max_commit(),
            start_us: self.queue.now_us(),
            deadline_us,
            mode,
            position,
        })
    }

    fn max_term(&self) -> u64 {
        self.nodes
            .iter()
            .flatten()
            .map(Node::term)
            .max()
            .unwrap_or(0)
    }

    fn max_commit(&self) -> u64 {
        self.nodes
            .iter()
            .flatten()
            .map(Node::commit_index)
            .max()
            .unwrap_or(0)
    }

    /// The running node that believes it leads in the highest term (the
    /// lowest id among equals, which only a broken protocol has).
    pub(crate) fn top_leader(&self) -> Option<NodeId> {
        self.newest_of(self.leaders() & !self.paused)
    }

    /// The node of `pool` (a mask of live nodes) in the highest term, the
    /// lowest id among equals.
    fn newest_of(&self, pool: u64) -> Option<NodeId> {
        (0..self.nodes.len())
            .filter(|i| pool & (1 << i) != 0)
            .max_by_key(|&i| (self.nodes[i].as_ref().map_or(0, Node::term), usize::MAX - i))
    }

    /// The configuration as the leader (else the live node of the highest
    /// term) sees it; every node votes for a protocol without membership
    /// change, or when no node is up.
    pub(crate) fn members_view(&self) -> Members {
        let all = all_nodes(self.nodes.len());
        let seer = self.top_leader().or_else(|| self.newest_of(self.alive()));
        seer.and_then(|i| self.nodes[i].as_ref())
            .and_then(Node::members)
            .map_or(
                Members {
                    voters: all,
                    learners: 0,
                },
                |m| Members {
                    voters: m.voters & all,
                    learners: m.learners & all,
                },
            )
    }

    /// Live nodes that are not paused.
    fn running(&self) -> u64 {
        self.alive() & !self.paused
    }

    /// Running nodes that exchange messages both ways with a majority of the
    /// voters (themselves included, if they vote; every node is a voter
    /// unless the protocol changes membership): the side that can serve.
    fn serving(&self) -> u64 {
        let running = self.running();
        let n = self.nodes.len();
        let voters = self.members_view().voters;
        let mut serving = 0;
        for a in (0..n).filter(|a| running & (1 << a) != 0) {
            let reach = (0..n)
                .filter(|&b| {
                    voters & (1 << b) != 0
                        && running & (1 << b) != 0
                        && !self.network.is_blocked(a, b)
                        && !self.network.is_blocked(b, a)
                })
                .count();
            if reach > voters.count_ones() as usize / 2 {
                serving |= 1 << a;
            }
        }
        serving
    }

    /// Whether the watched condition holds now.
    fn holds(&self, watch: &Watch) -> bool {
        let completed = self.stats.operations_completed - watch.ops_at_start;
        match watch.condition {
            Condition::OneLeader => {
                let among = watch.among.unwrap_or_else(|| self.serving()) & self.running();
                let leaders: Vec<u64> = (0..self.nodes.len())
                    .filter(|&i| among & (1 << i) != 0)
                    .filter_map(|i| self.nodes[i].as_ref())
                    .filter(|n| n.is_leader())
                    .map(Node::term)
                    .collect();
                match leaders.iter().max() {
                    Some(top) => leaders.iter().filter(|t| *t == top).count() == 1,
                    None => false,
                }
            }
            Condition::NoLeader => {
                let among = watch
                    .among
                    .unwrap_or_else(|| self.running() & !self.links.disconnected);
                self.leaders() & among & self.running() == 0
            }
            Condition::Progress => completed > 0,
            Condition::NoProgress => completed == 0,
            Condition::Ops => completed >= watch.count,
            Condition::SameTerm => self.max_term() == watch.term_at_start,
            Condition::CaughtUp => {
                // By default every member: spares and removed nodes are
                // sent nothing.
                let among = watch.among.unwrap_or_else(|| {
                    let m = self.members_view();
                    m.voters | m.learners
                });
                (0..self.nodes.len())
                    .filter(|&i| among & (1 << i) != 0)
                    .filter_map(|i| self.nodes[i].as_ref())
                    .all(|n| n.commit_index() >= watch.commit_at_start)
            }
        }
    }

    /// The nodes `target` names now. `picked` holds the nodes earlier terms
    /// of the same step chose; random terms never choose them again.
    fn resolve(
        &self,
        target: &Target,
        picked: &mut u64,
        rng: &mut ChaCha8Rng,
        position: &str,
    ) -> Result<u64, Failure> {
        let n = self.nodes.len();
        let all = all_nodes(n);
        let alive = self.alive();
        let members = self.members_view();
        let spares = all & !(members.voters | members.learners);
        let mut set = 0u64;
        let mut rest = false;
        for term in &target.0 {
            let chosen = match term {
                Term::Node(id) => 1u64 << id,
                Term::Leader => {
                    match self.top_leader() {
                        Some(i) => 1 << i,
                        None => {
                            return Err(self.expectation(format!(
                                "{position}: the target `leader` names no node: no live node believes it leads (wait for one first, e.g. `do = \"wait\", until = \"one-leader\"`)"
                            )))
                        }
                    }
                }
                Term::LeaderIfAny => self.top_leader().map_or(0, |i| 1 << i),
                Term::AnyDown => pick(rng, all & !alive & !*picked, 1).unwrap_or(0),
                Term::Follower => {
                    let pool = alive & !self.leaders() & !self.links.disconnected & !*picked;
                    pick(rng, pool, 1).ok_or_else(|| {
                        self.expectation(format!("{position}: the target `follower` names no node: no live follower left"))
                    })?
                }
                Term::Any => pick(rng, alive & !*picked, 1).ok_or_else(|| {
                    self.expectation(format!("{position}: the target `any` names no node: no live node left"))
                })?,
                Term::Minority => pick(rng, all & !*picked, (n - 1) / 2).unwrap_or(0),
                Term::Majority => pick(rng, all & !*picked, n / 2 + 1).unwrap_or(0),
                Term::All => all,
                Term::Rest => {
                    rest = true;
                    0
                }
                Term::Connected => all & !self.links.disconnected,
                Term::Disconnected => self.links.disconnected,
                Term::Down => all & !alive,
                Term::Paused => self.paused,
                Term::Label(name) => self.script.label(name).unwrap_or(0),
                Term::NotLabel(name) => all & !self.script.label(name).unwrap_or(0),
                Term::Voter => pick(rng, members.voters & !*picked, 1).unwrap_or(0),
                Term::Learner => pick(rng, members.learners & !*picked, 1).unwrap_or(0),
                Term::Spare => pick(rng, spares & !*picked, 1).unwrap_or(0),
                Term::Voters => members.voters,
                Term::Learners => members.learners,
                Term::Spares => spares,
                Term::Invalid(message) => {
                    return Err(self.expectation(format!("{position}: {message}")))
                }
            };
            *picked |= chosen;
            set |= chosen;
        }
        if rest {
            set |= all & !*picked;
            *picked |= set;
        }
        Ok(set & all)
    }

    /// Carries out an action step.
    fn act<O: Observer<N>>(
        &mut self,
        step: &StepSpec,
        position: &str,
        rng: &mut ChaCha8Rng,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Step {
        let mut picked = 0u64;
        let mut target = |world: &Self, t: &Target, rng: &mut ChaCha8Rng| {
            world.resolve(t, &mut picked, rng, position)
        };
        let (saved, line) = match step {
            StepSpec::Partition { groups, .. } => {
                let mut masks = Vec::with_capacity(groups.len() + 1);
                let mut rest_at = None;
                for (g, group) in groups.iter().enumerate() {
                    if group.0.contains(&Term::Rest) {
                        rest_at = Some(g);
                        let without = Target(
                            group
                                .0
                                .iter()
                                .filter(|t| **t != Term::Rest)
                                .cloned()
                                .collect(),
                        );
                        masks.push(if without.0.is_empty() {
                            0
                        } else {
                            target(self, &without, rng)?
                        });
                    } else {
                        masks.push(target(self, group, rng)?);
                    }
                }
                // Groups are disjoint: a node goes to the first that names it.
                let mut taken = 0u64;
                for m in masks.iter_mut() {
                    *m &= !taken;
                    taken |= *m;
                }
                let leftover = all_nodes(self.nodes.len()) & !taken;
                match rest_at {
                    Some(g) => masks[g] |= leftover,
                    None if leftover != 0 => masks.push(leftover),
                    None => {}
                }
                masks.retain(|m| *m != 0);
                let text: Vec<String> = masks.iter().map(|m| names(*m)).collect();
                let groups = masks.iter().map(|m| ids(*m)).collect();
                self.record(
                    observer,
                    StepSpec::Partition {
                        groups,
                        label: None,
                    },
                );
                self.links.groups = masks;
                self.apply_links();
                (taken, format!("partition {}", text.join(" | ")))
            }
            StepSpec::Isolate { target: t, .. } => {
                let set = target(self, t, rng)?;
                self.record_on(observer, set, |target| StepSpec::Isolate {
                    target,
                    label: None,
                });
                let others = all_nodes(self.nodes.len()) & !set;
                self.links.cuts.push((set, others));
                self.links.cuts.push((others, set));
                self.apply_links();
                (set, format!("isolate {}", names(set)))
            }
            StepSpec::Disconnect { target: t, .. } => {
                let set = target(self, t, rng)?;
                self.record_on(observer, set, |target| StepSpec::Disconnect {
                    target,
                    label: None,
                });
                self.links.disconnected |= set;
                self.apply_links();
                (set, format!("disconnect {}", names(set)))
            }
            StepSpec::Connect { target: t, .. } => {
                let set = target(self, t, rng)?;
                self.record_on(observer, set, |target| StepSpec::Connect {
                    target,
                    label: None,
                });
                self.links.disconnected &= !set;
                self.apply_links();
                (set, format!("connect {}", names(set)))
            }
            StepSpec::OneWay { from, to, .. } => {
                let a = target(self, from, rng)?;
                let b = target(self, to, rng)?;
                if a != 0 && b != 0 {
                    let (from, to) = (ids(a), ids(b));
                    self.record(
                        observer,
                        StepSpec::OneWay {
                            from,
                            to,
                            label: None,
                        },
                    );
                }
                self.links.cuts.push((a, b));
                self.apply_links();
                (a, format!("one-way cut {} -> {}", names(a), names(b)))
            }
            StepSpec::Heal {} => {
                self.record(observer, StepSpec::Heal {});
                self.links = ScriptLinks::default();
                self.apply_links();
                (0, "heal every scripted link fault".to_string())
            }
            StepSpec::Crash { target: t, .. } => {
                let set = target(self, t, rng)? & self.alive();
                self.record_on(observer, set, |target| StepSpec::Crash {
                    target,
                    label: None,
                });
                self.trace_script(tracer, &format!("{position}: crash {}", names(set)));
                for node in nodes_of(set) {
                    self.crash(node, observer, tracer)?;
                }
                self.save(step, set);
                return Ok(());
            }
            StepSpec::Restart { target: t, .. } => {
                let t = t.clone().unwrap_or_else(|| Target::one(Term::Down));
                let set = target(self, &t, rng)? & !self.alive();
                self.record_on(observer, set, |target| StepSpec::Restart {
                    target: Some(target),
                    label: None,
                });
                self.trace_script(tracer, &format!("{position}: restart {}", names(set)));
                for node in nodes_of(set) {
                    self.restart(node, observer, tracer)?;
                }
                self.save(step, set);
                return Ok(());
            }
            StepSpec::Pause { target: t, .. } => {
                let set = target(self, t, rng)? & self.alive();
                self.record_on(observer, set, |target| StepSpec::Pause {
                    target,
                    label: None,
                });
                self.paused |= set;
                (set, format!("pause {}", names(set)))
            }
            StepSpec::Resume { target: t, .. } => {
                let t = t.clone().unwrap_or_else(|| Target::one(Term::Paused));
                let set = target(self, &t, rng)? & self.paused;
                self.record_on(observer, set, |target| StepSpec::Resume {
                    target: Some(target),
                    label: None,
                });
                self.trace_script(tracer, &format!("{position}: resume {}", names(set)));
                for node in nodes_of(set) {
                    self.resume(node, tracer);
                }
                self.save(step, set);
                return Ok(());
            }
            StepSpec::ClockJump { target: t, ms, .. } => {
                let set = target(self, t, rng)?;
                self.record_on(observer, set, |target| StepSpec::ClockJump {
                    target,
                    ms: *ms,
                    label: None,
                });
                for node in nodes_of(set) {
                    self.clocks.jump(node, ms.saturating_mul(1000));
                }
                (set, format!("clock jump {ms:+} ms on {}", names(set)))
            }
            StepSpec::ClockDrift { target: t, ppm, .. } => {
                let set = target(self, t, rng)?;
                self.record_on(observer, set, |target| StepSpec::ClockDrift {
                    target,
                    ppm: *ppm,
                    label: None,
                });
                for node in nodes_of(set) {
                    self.clocks.set_drift(node, *ppm, self.tick_us);
                }
                (set, format!("clock drift {ppm:+} ppm on {}", names(set)))
            }
            StepSpec::Network {
                drop_ratio,
                duplicate_ratio,
                reply_drop_ratio,
                reply_duplicate_ratio,
            } => {
                self.record(observer, step.clone());
                let r = self.ratios;
                self.ratios = LinkRatios {
                    drop: drop_ratio.unwrap_or(r.drop),
                    duplicate: duplicate_ratio.unwrap_or(r.duplicate),
                    reply_drop: reply_drop_ratio.unwrap_or(r.reply_drop),
                    reply_duplicate: reply_duplicate_ratio.unwrap_or(r.reply_duplicate),
                };
                self.network.set_ratios(self.ratios);
                (0, format!("network {:?}", self.ratios))
            }
            StepSpec::Transfer { target: t, .. } => {
                let to = nodes_of(target(self, t, rng)?).next();
                let from = self.top_leader();
                let (Some(from), Some(to)) = (from, to) else {
                    let line =
                        format!("{position}: transfer: no leader or no target, nothing done");
                    self.trace_script(tracer, &line);
                    self.save(step, 0);
                    return Ok(());
                };
                self.record_on(observer, 1 << to, |target| StepSpec::Transfer {
                    target,
                    label: None,
                });
                self.trace_script(tracer, &format!("{position}: transfer n{from} -> n{to}"));
                if tracer.on() {
                    tracer.begin(self.queue.now_us(), Some(from));
                    tracer.push(format_args!("asked to hand leadership to n{to}"));
                }
                let node = self.nodes[from].as_mut().expect("a leader is up");
                let began = from != to && node.transfer_leader(to, &mut self.effects);
                self.hasher.write_u64(u64::from(began));
                self.settle(from, tracer)?;
                self.observe(observer, from, crate::observe::StepKind::Transfer)?;
                self.save(step, 1 << to);
                return Ok(());
            }
            StepSpec::Reconfigure {
                add_learners,
                promote,
                remove,
                ..
            } => {
                let mut masks = [0u64; 3];
                for (mask, t) in masks.iter_mut().zip([add_learners, promote, remove]) {
                    if let Some(t) = t {
                        *mask = target(self, t, rng)?;
                    }
                }
                let [add, pro, rem] = masks;
                let named = add | pro | rem;
                let from = self.top_leader();
                let Some(from) = from.filter(|_| named != 0) else {
                    let why = if named == 0 {
                        "names no node"
                    } else {
                        "no leader"
                    };
                    self.trace_script(
                        tracer,
                        &format!("{position}: reconfigure: {why}, nothing done"),
                    );
                    self.save(step, 0);
                    return Ok(());
                };
                let some = |mask: u64| (mask != 0).then(|| ids(mask));
                self.record(
                    observer,
                    StepSpec::Reconfigure {
                        add_learners: some(add),
                        promote: some(pro),
                        remove: some(rem),
                        label: None,
                    },
                );
                let change = Reconfigure {
                    add_learners: add,
                    promote: pro,
                    remove: rem,
                };
                let outcome = self.reconfigure_at(from, change, observer, tracer)?;
                self.trace_script(tracer, &format!("{position}: {outcome}"));
                self.save(step, named);
                return Ok(());
            }
            StepSpec::Wait { .. } | StepSpec::Expect { .. } | StepSpec::Repeat { .. } => {
                unreachable!("{} is not an action", step.name())
            }
        };
        self.hasher.write_u64(saved);
        self.trace_script(tracer, &format!("{position}: {line}"));
        self.save(step, saved);
        Ok(())
    }

    /// Asks node `from` (the leader) for `change` and observes the step;
    /// returns what happened, in words, for the trace.
    pub(crate) fn reconfigure_at<O: Observer<N>>(
        &mut self,
        from: NodeId,
        change: Reconfigure,
        observer: &mut O,
        tracer: &mut Tracer<'_>,
    ) -> Result<String, Failure> {
        let mut what = Vec::new();
        for (word, mask) in [
            ("add learners", change.add_learners),
            ("promote", change.promote),
            ("remove", change.remove),
        ] {
            if mask != 0 {
                what.push(format!("{word} {}", names(mask)));
            }
        }
        let what = what.join(", ");
        if tracer.on() {
            tracer.begin(self.queue.now_us(), Some(from));
            tracer.push(format_args!("asked to reconfigure: {what}"));
        }
        let node = self.nodes[from].as_mut().expect("a leader is up");
        let result = node.reconfigure(change, &mut self.effects);
        self.hasher.write_u64(u64::from(result.is_ok()));
        self.settle(from, tracer)?;
        self.observe(observer, from, crate::observe::StepKind::Reconfigure)?;
        let outcome = match result {
            Ok(()) => "began".to_string(),
            Err(why) => format!("refused: {why}"),
        };
        Ok(format!("reconfigure on n{from} ({what}): {outcome}"))
    }

    /// Tells a recording observer what the step did, with node ids.
    fn record<O: Observer<N>>(&self, observer: &mut O, step: StepSpec) {
        observer.on_script_action(self.queue.now_us(), &step);
    }

    /// [`Self::record`] of `make(ids of set)`, unless `set` is empty (the
    /// step did nothing).
    fn record_on<O: Observer<N>>(
        &self,
        observer: &mut O,
        set: u64,
        make: impl FnOnce(Target) -> StepSpec,
    ) {
        if set != 0 {
            self.record(observer, make(ids(set)));
        }
    }

    /// Saves the step's nodes under its `as` label, if it has one.
    fn save(&mut self, step: &StepSpec, set: u64) {
        self.hasher.write_u64(set);
        if let Some(label) = step.label() {
            self.script.save_label(label, set);
        }
    }

    fn apply_links(&mut self) {
        let links = &self.links;
        self.network
            .set_script_links(|from, to| links.cut(from, to));
    }

    fn expectation(&self, message: String) -> Failure {
        Failure {
            kind: FailureKind::Expectation,
            message,
            at_us: self.queue.now_us(),
        }
    }

    fn trace_script(&self, tracer: &mut Tracer<'_>, line: &str) {
        if tracer.on() {
            tracer.begin(self.queue.now_us(), None);
            tracer.push(format_args!("script {line}"));
            tracer.end();
        }
    }
}

/// The condition in words, e.g. `one-leader among {n0, n1}` or `ops >= 5`.
fn describe(watch: &Watch) -> String {
    let mut text = watch.condition.name().to_string();
    if watch.condition == Condition::Ops {
        text.push_str(&format!(" >= {}", watch.count));
    }
    if let Some(among) = watch.among {
        text.push_str(&format!(" among {}", names(among)));
    }
    text
}

/// The node ids of a mask, in order.
fn nodes_of(mask: u64) -> impl Iterator<Item = NodeId> {
    (0..MAX_NODES).filter(move |i| mask & (1 << i) != 0)
}

/// `size` distinct members of `pool`, uniformly; `None` when the pool has
/// fewer (and `size` is not 0).
fn pick(rng: &mut ChaCha8Rng, mut pool: u64, size: usize) -> Option<u64> {
    if (pool.count_ones() as usize) < size {
        return None;
    }
    let mut set = 0u64;
    for _ in 0..size {
        let count = pool.count_ones();
        let mut rank = rng.random_range(0..count);
        let node = nodes_of(pool)
            .find(|_| {
                let hit = rank == 0;
                rank = rank.wrapping_sub(1);
                hit
            })
            .expect("rank below the population count");
        set |= 1 << node;
        pool &= !(1 << node);
    }
    Some(set)
}
