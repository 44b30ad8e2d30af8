//! A brute-force linearizability check: every subset of the indeterminate
//! operations, every order of the chosen operations, replayed sequentially.
//! Exponential; for histories of about 8 operations.

use std::collections::BTreeMap;

use checker::{History, Model, Outcome, Value};

/// Whether some order of the `ok` operations plus some subset of the `info`
/// operations respects real time and is legal for `model`, key by key.
pub fn linearizable<M: Model>(history: &History, model: &M) -> bool {
    let mut required = Vec::new();
    let mut optional = Vec::new();
    for (i, op) in history.ops().iter().enumerate() {
        match op.outcome {
            Outcome::Ok => required.push(i),
            Outcome::Info => optional.push(i),
            Outcome::Fail => {}
        }
    }
    assert!(optional.len() < 16);
    for mask in 0u32..(1 << optional.len()) {
        let mut chosen = required.clone();
        chosen.extend(
            optional
                .iter()
                .enumerate()
                .filter(|(b, _)| mask & (1 << b) != 0)
                .map(|(_, &i)| i),
        );
        chosen.sort_unstable();
        if some_order_works(history, model, &mut chosen) {
            return true;
        }
    }
    false
}

fn precedes(history: &History, a: usize, b: usize) -> bool {
    let (a, b) = (&history.ops()[a], &history.ops()[b]);
    a.outcome == Outcome::Ok && a.complete_time.is_some_and(|t| t < b.invoke_time)
}

fn some_order_works<M: Model>(history: &History, model: &M, perm: &mut [usize]) -> bool {
    loop {
        if respects_real_time(history, perm) && legal(history, model, perm) {
            return true;
        }
        if !next_permutation(perm) {
            return false;
        }
    }
}

fn respects_real_time(history: &History, perm: &[usize]) -> bool {
    for i in 0..perm.len() {
        for j in i + 1..perm.len() {
            if precedes(history, perm[j], perm[i]) {
                return false;
            }
        }
    }
    true
}

fn legal<M: Model>(history: &History, model: &M, perm: &[usize]) -> bool {
    let mut states: BTreeMap<Option<Value>, M::State> = BTreeMap::new();
    for &i in perm {
        let (key, op) = model
            .prepare(&history.ops()[i])
            .expect("test ops fit the model");
        let state = states.entry(key).or_insert_with(|| model.init());
        match model.step(state, &op) {
            Some(next) => *state = next,
            None => return false,
        }
    }
    true
}

/// Lexicographic next permutation; false after the last one.
fn next_permutation(v: &mut [usize]) -> bool {
    if v.len() < 2 {
        return false;
    }
    let mut i = v.len() - 1;
    while i > 0 && v[i - 1] >= v[i] {
        i -= 1;
    }
    if i == 0 {
        return false;
    }
    let mut j = v.len() - 1;
    while v[j] <= v[i - 1] {
        j -= 1;
    }
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

/// A plain reference search for histories of any length: depth-first over
/// (set of placed operations, per-key states), memoised, with none of the
/// checker's list, compact keys or forced moves. An operation may be placed
/// when no unplaced `ok` operation completed before it was invoked.
pub fn reference_linearizable<M: Model>(history: &History, model: &M) -> bool {
    use std::collections::HashSet;
    let ops: Vec<usize> = (0..history.len())
        .filter(|&i| history.ops()[i].outcome != Outcome::Fail)
        .collect();
    let prepared: Vec<(Option<Value>, M::Op)> = ops
        .iter()
        .map(|&i| {
            model
                .prepare(&history.ops()[i])
                .expect("test ops fit the model")
        })
        .collect();
    let required: Vec<bool> = ops
        .iter()
        .map(|&i| history.ops()[i].outcome == Outcome::Ok)
        .collect();
    type States<S> = Vec<(Option<Value>, S)>;
    let mut seen: HashSet<(Vec<bool>, States<M::State>)> = HashSet::new();
    let mut stack: Vec<(Vec<bool>, States<M::State>)> = vec![(vec![false; ops.len()], Vec::new())];
    while let Some((placed, states)) = stack.pop() {
        if (0..ops.len()).all(|b| placed[b] || !required[b]) {
            return true;
        }
        if !seen.insert((placed.clone(), states.clone())) {
            continue;
        }
        for (b, &i) in ops.iter().enumerate() {
            if placed[b] {
                continue;
            }
            let blocked = ops
                .iter()
                .enumerate()
                .any(|(c, &j)| !placed[c] && c != b && required[c] && precedes(history, j, i));
            if blocked {
                continue;
            }
            let (key, op) = &prepared[b];
            let mut next = states.clone();
            let slot = match next.iter().position(|(k, _)| k == key) {
                Some(p) => p,
                None => {
                    next.push((key.clone(), model.init()));
                    next.sort_by(|a, b| a.0.cmp(&b.0));
                    next.iter().position(|(k, _)| k == key).unwrap()
                }
            };
            if let Some(s) = model.step(&next[slot].1, op) {
                next[slot].1 = s;
                let mut placed = placed.clone();
                placed[b] = true;
                stack.push((placed, next));
            }
        }
    }
    false
}
