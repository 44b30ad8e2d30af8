//! The Wing & Gong search with Lowe's improvements, for one key.
//!
//! Operations are entries in a list of calls and returns in real-time order.
//! From the head, the search tries each call entry before the first return
//! entry: if the model accepts the operation from the current state and the
//! resulting configuration (state, set of linearised operations) is new, the
//! operation is lifted out of the list and pushed on an explicit stack; on
//! reaching a return entry (an operation that had to be linearised by now but
//! was not) it pops and tries the next candidate. Every configuration is
//! memoised, so none is explored twice. There is no recursion; the stack
//! holds at most one frame per operation of the key.
//!
//! Indeterminate operations have no return entry, so they may be linearised
//! anywhere after their call, or never: the search succeeds as soon as every
//! `ok` operation is linearised.
//!
//! One reduction keeps concurrent reads from multiplying the work: a
//! read-only operation (see [`Model::is_read_only`]) that the model accepts
//! in the current state can always be linearised first. Moving it to the
//! front of any valid completion keeps that completion valid: it changes no
//! state wherever it is placed, and it is a candidate, so no unlinearised
//! operation had to precede it. (This does not hold for an operation that
//! merely leaves *this* state unchanged, such as a write of the current
//! value: later in the completion it may be the write that matters.) So a configuration fails iff
//! the configuration with that operation added fails, and the search takes
//! such an operation as a forced move: it tries it before any other
//! candidate, and when it comes back from it it backtracks further instead
//! of trying the other candidates.

use crate::budget::{Exhausted, Limits};
use crate::entries::{EntryList, HEAD, NIL};
use crate::memo::Memo;
use crate::model::Model;
use crate::partition::PartOp;
use crate::states::StateTable;

/// How often (in loop iterations) the stop callback is polled; a power of two.
const POLL_INTERVAL_STEPS: u64 = 4096;
/// At most this many candidates are recorded in a witness.
const CANDIDATES_MAX: usize = 64;

/// Evidence that a key is not linearizable: the longest partial
/// linearisation found (operation indices into the partition), the operation
/// whose return was reached without it being placeable after that prefix,
/// and the other operations that were candidates at that point.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Witness {
    pub(crate) linearized: Vec<u32>,
    pub(crate) stuck: u32,
    pub(crate) candidates: Vec<u32>,
}

/// The answer for one key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Found {
    Linearizable,
    NotLinearizable(Witness),
    Unknown(Exhausted),
}

/// What the search spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Configurations memoised.
    pub(crate) states: u64,
    /// Loop iterations.
    pub(crate) steps: u64,
}

struct Frame {
    node: u32,
    prev_state: u32,
    prev_p_ok: u32,
    prev_info_set: u32,
    /// The operation was read-only: a forced move (see the module docs).
    forced: bool,
}

/// The deepest dead end seen so far. `shared` is the length of the prefix
/// that `ops` has in common with the current stack, so that a new snapshot
/// copies only the frames pushed since (amortised O(1) per push).
#[derive(Default)]
struct Deepest {
    ops: Vec<u32>,
    shared: usize,
    stuck: Option<u32>,
    candidates: Vec<u32>,
}

enum Tried {
    /// Every `ok` operation is linearised.
    Done,
    Pushed,
    /// The model rejects the operation here, or the result is memoised.
    Skipped,
}

/// Checks one key's operations, sorted by invoke time.
pub(crate) fn search<M: Model>(
    model: &M,
    ops: &[PartOp<M::Op>],
    limits: &Limits<'_>,
) -> (Found, Stats) {
    let mut search = Search::new(model, ops);
    let found = search.run(limits);
    let _ = limits.account_memory(-(search.memo_bytes as i64));
    let stats = Stats {
        states: search.memo.len(),
        steps: search.steps,
    };
    (found, stats)
}

struct Search<'m, M: Model> {
    model: &'m M,
    ops: &'m [PartOp<M::Op>],
    list: EntryList,
    /// Per operation: its rank among `ok` operations, or among indeterminate ones.
    rank: Vec<u32>,
    is_ok: Vec<bool>,
    /// Per operation: whether the model says it never changes the state.
    read_only: Vec<bool>,
    /// Per `ok` rank r: the number of `ok` calls before r's return. While r is
    /// not linearised, every linearised `ok` operation has a smaller rank.
    limit: Vec<u32>,
    ok_bits: Vec<u64>,
    info_bits: Vec<u64>,
    /// Distinct values of `info_bits`, interned: they change only when an
    /// indeterminate operation is (un)linearised, and interning keeps memo
    /// keys short however many such operations the history has.
    info_sets: StateTable<Vec<u64>>,
    /// The id of the current `info_bits` in `info_sets`.
    info_set: u32,
    n_ok: u32,
    lin_ok: u32,
    /// The smallest `ok` rank not linearised. Invariant: all below are.
    p_ok: u32,
    states: StateTable<M::State>,
    state: u32,
    memo: Memo,
    memo_bytes: u64,
    stack: Vec<Frame>,
    key: Vec<u64>,
    deepest: Deepest,
    steps: u64,
}

impl<'m, M: Model> Search<'m, M> {
    fn new(model: &'m M, ops: &'m [PartOp<M::Op>]) -> Search<'m, M> {
        let times: Vec<(u64, Option<u64>)> = ops
            .iter()
            .map(|o| (o.invoke_time, o.complete_time))
            .collect();
        let list = EntryList::build(&times);
        let is_ok: Vec<bool> = ops.iter().map(|o| o.complete_time.is_some()).collect();
        let read_only: Vec<bool> = ops.iter().map(|o| model.is_read_only(&o.op)).collect();
        let (mut n_ok, mut n_info) = (0u32, 0u32);
        let rank = is_ok
            .iter()
            .map(|&ok| {
                let counter = if ok { &mut n_ok } else { &mut n_info };
                *counter += 1;
                *counter - 1
            })
            .collect::<Vec<u32>>();
        let mut limit = vec![0u32; n_ok as usize];
        let mut ok_calls = 0u32;
        for node in list.iter() {
            let op = list.op(node) as usize;
            if !is_ok[op] {
                continue;
            }
            if list.is_call(node) {
                ok_calls += 1;
            } else {
                limit[rank[op] as usize] = ok_calls;
            }
        }
        let mut states = StateTable::new();
        let state = states.intern(model.init());
        let info_bits = vec![0; (n_info as usize).div_ceil(64)];
        let mut info_sets = StateTable::new();
        let info_set = info_sets.intern(info_bits.clone());
        Search {
            model,
            ops,
            list,
            rank,
            is_ok,
            read_only,
            limit,
            ok_bits: vec![0; (n_ok as usize).div_ceil(64)],
            info_bits,
            info_sets,
            info_set,
            n_ok,
            lin_ok: 0,
            p_ok: 0,
            states,
            state,
            memo: Memo::new(),
            memo_bytes: 0,
            stack: Vec::new(),
            key: Vec::new(),
            deepest: Deepest::default(),
            steps: 0,
        }
    }

    fn run(&mut self, limits: &Limits<'_>) -> Found {
        if self.n_ok == 0 {
            return Found::Linearizable;
        }
        let mut node = self.first_candidate();
        loop {
            self.steps += 1;
            if self.steps & (POLL_INTERVAL_STEPS - 1) == 0 {
                if let Err(e) = limits.poll_stop() {
                    return Found::Unknown(e);
                }
            }
            if node != NIL && self.list.is_call(node) {
                match self.try_linearize(node) {
                    Tried::Done => return Found::Linearizable,
                    Tried::Pushed => {
                        if let Err(e) = self.charge(limits) {
                            return Found::Unknown(e);
                        }
                        node = self.first_candidate();
                    }
                    Tried::Skipped => node = self.list.next(node),
                }
            } else {
                self.note_dead_end(node);
                match self.backtrack() {
                    Some(next) => node = next,
                    None => return Found::NotLinearizable(self.witness()),
                }
            }
        }
    }

    /// Pops frames until one that was a free choice; returns the node after
    /// it, or `None` when the stack is exhausted (not linearizable).
    fn backtrack(&mut self) -> Option<u32> {
        loop {
            let frame = self.stack.pop()?;
            let forced = frame.forced;
            let next = self.undo(frame);
            if !forced {
                return Some(next);
            }
        }
    }

    /// The node to start trying from in a new configuration: a read-only
    /// candidate that the model accepts, if any (a forced move), else the
    /// first entry.
    fn first_candidate(&self) -> u32 {
        let current = self.states.get(self.state);
        let mut node = self.list.next(HEAD);
        while node != NIL && self.list.is_call(node) {
            let op = self.list.op(node) as usize;
            if self.read_only[op] && self.model.step(current, &self.ops[op].op).is_some() {
                return node;
            }
            node = self.list.next(node);
        }
        self.list.next(HEAD)
    }

    /// Tries to linearise the operation of call node `node` next.
    fn try_linearize(&mut self, node: u32) -> Tried {
        let op = self.list.op(node) as usize;
        let current = self.states.get(self.state);
        let Some(next) = self.model.step(current, &self.ops[op].op) else {
            return Tried::Skipped;
        };
        let next_state = self.states.intern(next);
        let forced = self.read_only[op];
        let rank = self.rank[op];
        let mut p_ok = self.p_ok;
        let mut info_set = self.info_set;
        if self.is_ok[op] {
            if self.lin_ok + 1 == self.n_ok {
                return Tried::Done;
            }
            set_bit(&mut self.ok_bits, rank);
            if rank == p_ok {
                p_ok = first_zero_from(&self.ok_bits, rank);
            }
        } else {
            set_bit(&mut self.info_bits, rank);
            info_set = self.info_sets.intern(self.info_bits.clone());
        }
        // A forced move is not memoised: it is taken first from every
        // configuration where it applies, so its configuration is rarely
        // reached twice, and the free choices after it are memoised anyway.
        // This halves memo traffic on read-heavy histories.
        if !forced && !self.memo_insert(next_state, p_ok, info_set) {
            let bits = if self.is_ok[op] {
                &mut self.ok_bits
            } else {
                &mut self.info_bits
            };
            clear_bit(bits, rank);
            return Tried::Skipped;
        }
        self.stack.push(Frame {
            node,
            prev_state: self.state,
            prev_p_ok: self.p_ok,
            prev_info_set: self.info_set,
            forced,
        });
        self.state = next_state;
        self.p_ok = p_ok;
        self.info_set = info_set;
        if self.is_ok[op] {
            self.lin_ok += 1;
        }
        self.list.lift(node);
        Tried::Pushed
    }

    /// Pops `frame`'s operation back into the list; returns the node to try next.
    fn undo(&mut self, frame: Frame) -> u32 {
        self.list.unlift(frame.node);
        let op = self.list.op(frame.node) as usize;
        if self.is_ok[op] {
            clear_bit(&mut self.ok_bits, self.rank[op]);
            self.lin_ok -= 1;
        } else {
            clear_bit(&mut self.info_bits, self.rank[op]);
        }
        self.state = frame.prev_state;
        self.p_ok = frame.prev_p_ok;
        self.info_set = frame.prev_info_set;
        if self.stack.len() < self.deepest.shared {
            self.deepest.shared = self.stack.len();
        }
        self.list.next(frame.node)
    }

    /// Memoises a configuration; false if it was already there.
    fn memo_insert(&mut self, state: u32, p_ok: u32, info_set: u32) -> bool {
        self.build_key(state, p_ok, info_set);
        self.memo.insert(&self.key)
    }

    /// The memo key of a configuration: the state id and `p_ok`, the id of the
    /// set of linearised indeterminate operations, then the words of `ok_bits`
    /// from `p_ok` up to `limit[p_ok]` (below all bits are set, above none is).
    fn build_key(&mut self, state: u32, p_ok: u32, info_set: u32) {
        self.key.clear();
        self.key.push((u64::from(state) << 32) | u64::from(p_ok));
        self.key.push(u64::from(info_set));
        if p_ok < self.n_ok {
            let lo = (p_ok / 64) as usize;
            let hi = ((self.limit[p_ok as usize].max(p_ok + 1) - 1) / 64) as usize;
            self.key.extend_from_slice(&self.ok_bits[lo..=hi]);
        }
    }

    /// Applies the state and memory budgets after a push.
    fn charge(&mut self, limits: &Limits<'_>) -> Result<(), Exhausted> {
        limits.check_states(self.memo.len())?;
        let bytes = self.memo.bytes();
        if bytes != self.memo_bytes {
            let delta = bytes as i64 - self.memo_bytes as i64;
            self.memo_bytes = bytes;
            limits.account_memory(delta)?;
        }
        Ok(())
    }

    /// Records the configuration if it is the deepest dead end so far.
    fn note_dead_end(&mut self, node: u32) {
        let depth = self.stack.len();
        let deepest = &mut self.deepest;
        if deepest.stuck.is_some() && depth <= deepest.ops.len() {
            return;
        }
        deepest.ops.truncate(deepest.shared);
        let list = &self.list;
        deepest
            .ops
            .extend(self.stack[deepest.shared..].iter().map(|f| list.op(f.node)));
        deepest.shared = depth;
        deepest.stuck = (node != NIL).then(|| list.op(node));
        deepest.candidates.clear();
        let mut n = list.next(HEAD);
        while n != node && n != NIL && deepest.candidates.len() < CANDIDATES_MAX {
            if list.is_call(n) && Some(list.op(n)) != deepest.stuck {
                deepest.candidates.push(list.op(n));
            }
            n = list.next(n);
        }
    }

    fn witness(&mut self) -> Witness {
        let deepest = std::mem::take(&mut self.deepest);
        Witness {
            linearized: deepest.ops,
            // The first dead end is always a return node: an ok operation
            // exists (n_ok > 0) and its return is in the list.
            stuck: deepest.stuck.unwrap_or(0),
            candidates: deepest.candidates,
        }
    }
}

#[inline]
fn set_bit(bits: &mut [u64], i: u32) {
    bits[(i / 64) as usize] |= 1 << (i % 64);
}

#[inline]
fn clear_bit(bits: &mut [u64], i: u32) {
    bits[(i / 64) as usize] &= !(1 << (i % 64));
}

/// The first clear bit at or after `from` (`bits.len() * 64` if none).
fn first_zero_from(bits: &[u64], from: u32) -> u32 {
    let mut w = (from / 64) as usize;
    let mut word = bits[w] | ((1u64 << (from % 64)) - 1);
    loop {
        if word != u64::MAX {
            return (w as u32) * 64 + (!word).trailing_zeros();
        }
        w += 1;
        if w == bits.len() {
            return (w as u32) * 64;
        }
        word = bits[w];
    }
}
