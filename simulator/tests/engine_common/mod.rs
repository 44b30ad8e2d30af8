//! A toy protocol for the engine's tests: nodes that gossip counters and
//! persist them. It knows nothing of Raft; it only exercises every path of
//! the engine (ticks, sends, writes, syncs, proposals, crashes, restarts).
#![allow(dead_code)]

use rand::RngCore;
use simulator::{Boot, Effects, Failure, Node, NodeId, Observer, Proposal, View};

/// What the toy nodes of a run do besides gossiping.
#[derive(Clone, Debug, Default)]
pub struct ToyConfig {
    /// Numbers each node draws from its own stream per tick and throws away.
    pub extra_draws: u32,
    /// Node 1 panics at this tick of its first incarnation.
    pub panic_at_tick: Option<u64>,
    /// Send to every peer on every tick instead of one peer.
    pub broadcast: bool,
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
}

impl Toy {
    fn write(&mut self, value: u64, out: &mut Effects<Gossip, u64>) {
        self.log.push(value);
        out.write(value);
    }
    fn sync(&mut self, out: &mut Effects<Gossip, u64>) {
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

    fn boot(boot: Boot<'_, ToyConfig>, durable: &[u64]) -> Toy {
        Toy {
            id: boot.id,
            nodes: boot.nodes,
            config: boot.config.clone(),
            rng: boot.rng,
            ticks: 0,
            received: 0,
            counter: durable.iter().copied().max().unwrap_or(0),
            log: durable.to_vec(),
            durable_len: durable.len(),
            pending: Vec::new(),
            next_sync_id: 0,
            booted_from: durable.len(),
        }
    }

    fn tick(&mut self, out: &mut Effects<Gossip, u64>) {
        self.ticks += 1;
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

    fn receive(&mut self, _from: NodeId, msg: Gossip, out: &mut Effects<Gossip, u64>) {
        self.received += 1;
        if msg.counter > self.counter {
            self.counter = msg.counter;
            self.write(self.counter, out);
        }
    }

    fn durable(&mut self, sync_id: u64, _out: &mut Effects<Gossip, u64>) {
        assert!(
            !self.pending.is_empty(),
            "durable({sync_id}) without a pending sync"
        );
        let (oldest, len) = self.pending.remove(0);
        assert_eq!(oldest, sync_id, "syncs complete in the order asked");
        assert!(len >= self.durable_len);
        self.durable_len = len;
    }

    fn propose(&mut self, command: u64, out: &mut Effects<Gossip, u64>) -> Proposal {
        if self.is_leader() {
            self.write(1_000_000 + command, out);
            Proposal::Accepted
        } else {
            Proposal::NotLeader(Some(0))
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
