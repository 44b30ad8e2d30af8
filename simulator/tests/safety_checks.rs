//! The safety checks on hand-made schedules, where a false alarm would be
//! easy to miss in random runs.
//!
//! Raft section 5.4: leader completeness binds the leaders of terms after
//! a commit. A candidate of an older term may still win with a delayed vote
//! after a newer term committed an entry (it can commit nothing itself);
//! the checks must accept that. (Found in review; this schedule once made
//! the leader-completeness check fail a legal run.)
use raft_core::{MessageBody, Role};
use simulator::node::{Boot, Effects, Node};
use simulator::observe::{Observer, StepKind, View};
use simulator::raft::{raft_config, RaftNode, RaftSafety, Record};
type Msg = raft_core::Message<raft_core::kv::Command>;
type Fx = Effects<Msg, Record, raft_core::kv::Response>;

struct W {
    nodes: Vec<Option<RaftNode>>,
    durable: Vec<Vec<Record>>,
    safety: RaftSafety,
    net: Vec<Msg>,
    now: u64,
}
impl W {
    // Applies effects: writes become durable at once, then durable() is called for each sync.
    fn settle(&mut self, i: usize, mut fx: Fx, step: StepKind) {
        self.check(i, step);
        loop {
            self.durable[i].append(&mut fx.writes);
            for (_, m) in fx.sends.drain(..) {
                self.net.push(m);
            }
            let syncs: Vec<u64> = fx.syncs.drain(..).collect();
            if syncs.is_empty() {
                break;
            }
            for s in syncs {
                self.nodes[i].as_mut().unwrap().durable(s, &mut fx);
            }
            self.check(i, StepKind::Durable);
        }
    }
    fn check(&mut self, i: usize, step: StepKind) {
        self.now += 1;
        let v = View {
            now_us: self.now,
            node: i,
            step,
            nodes: &self.nodes,
            durable: &self.durable,
            healing: false,
        };
        if let Err(f) = self.safety.after_step(&v) {
            panic!("false alarm at node {i}: {:?}: {}", f.kind, f.message);
        }
    }
    fn tick_until_campaign(&mut self, i: usize) {
        let t0 = self.nodes[i].as_ref().unwrap().raw().term();
        while self.nodes[i].as_ref().unwrap().raw().term() == t0 {
            let mut fx = Fx::default();
            self.nodes[i].as_mut().unwrap().tick(&mut fx);
            self.settle(i, fx, StepKind::Tick);
        }
    }
    fn take(&mut self, pred: impl Fn(&Msg) -> bool) -> Vec<Msg> {
        let (a, b): (Vec<Msg>, Vec<Msg>) = self.net.drain(..).partition(|m| pred(m));
        self.net = b;
        a
    }
    fn deliver(&mut self, m: Msg) {
        let to = m.to as usize;
        let from = m.from as usize;
        let mut fx = Fx::default();
        self.nodes[to].as_mut().unwrap().receive(from, m, &mut fx);
        self.settle(to, fx, StepKind::Receive { from });
    }
}

#[test]
fn an_old_term_candidate_winning_late_is_no_violation() {
    let mut sc = scenarios::Scenario::default();
    sc.cluster.nodes = 3;
    sc.cluster.pre_vote = false;
    sc.cluster.noop_on_election = true;
    let cfg = raft_config(&sc);
    let nodes = (0..3)
        .map(|id| {
            Some(RaftNode::boot(
                Boot {
                    id,
                    nodes: 3,
                    config: &cfg,
                    rng: simulator::rng::node_stream(1, id, 0),
                },
                &[],
            ))
        })
        .collect();
    let mut w = W {
        nodes,
        durable: vec![Vec::new(); 3],
        safety: RaftSafety::new(3, 3),
        net: Vec::new(),
        now: 0,
    };
    let (a, b, c) = (0usize, 1usize, 2usize);
    // 1. A campaigns in term 1; its vote request reaches B; B's grant is delayed (held).
    w.tick_until_campaign(a);
    for m in w.take(|m| m.from == 0) {
        if m.to == 1 {
            w.deliver(m);
        }
    }
    let delayed = w.take(|m| {
        m.from == 1
            && m.to == 0
            && matches!(m.body, MessageBody::VoteResponse { granted: true, .. })
    });
    assert_eq!(delayed.len(), 1);
    println!(
        "A term {} role {:?}; B voted {:?}; grant to A held in the network",
        w.nodes[a].as_ref().unwrap().raw().term(),
        w.nodes[a].as_ref().unwrap().raw().role(),
        w.nodes[b].as_ref().unwrap().raw().vote()
    );
    // 2. C times out twice (term 1 lost, term 2), wins with B, commits its no-op of term 2.
    w.tick_until_campaign(c);
    w.net.clear();
    w.tick_until_campaign(c);
    for _ in 0..10 {
        let msgs = w.take(|m| m.to != 0 && m.from != 0);
        if msgs.is_empty() {
            break;
        }
        for m in msgs {
            w.deliver(m);
        }
    }
    w.net.retain(|m| m.to != 0);
    let cn = w.nodes[c].as_ref().unwrap().raw();
    assert_eq!(cn.role(), Role::Leader);
    // 3. The delayed term-1 grant reaches A, still a candidate of term 1.
    for m in delayed {
        w.deliver(m);
    }
    let an = w.nodes[a].as_ref().unwrap().raw();
    assert_eq!(
        (an.term(), an.role()),
        (1, Role::Leader),
        "the schedule makes A leader of the old term"
    );
}
