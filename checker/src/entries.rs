//! Lowe's list of call and return entries, with O(1) lift and unlift
//! ("dancing links"): lifting an operation removes its call and return
//! entries, unlifting puts them back, in last-in first-out order.

/// The end of the list.
pub(crate) const NIL: u32 = u32::MAX;
/// The sentinel node before the first entry.
pub(crate) const HEAD: u32 = 0;

/// The doubly linked list of a key's events, in real-time order.
///
/// Node 0 is the head sentinel; nodes `1..` are events sorted by
/// `(time, call before return, op)`, so an operation that completes at the
/// same time another is invoked counts as concurrent with it. Indeterminate
/// operations have a call entry and no return entry: nothing forces them to
/// be linearised.
pub(crate) struct EntryList {
    next: Vec<u32>,
    prev: Vec<u32>,
    /// The operation (index into the partition) of each node.
    op: Vec<u32>,
    /// For a call node, its return node (or `NIL`); `NIL` for return nodes.
    ret: Vec<u32>,
    /// Whether each node is a call.
    is_call: Vec<bool>,
}

impl EntryList {
    /// Builds the list from each operation's invoke time and completion time
    /// (`None`: indeterminate). Operations must be sorted by invoke time.
    pub(crate) fn build(times: &[(u64, Option<u64>)]) -> EntryList {
        assert!(
            times.len() < (u32::MAX / 2) as usize,
            "too many operations for one key"
        );
        assert!(
            times.windows(2).all(|w| w[0].0 <= w[1].0),
            "operations must be sorted by invoke time"
        );
        // (time, 0 = call / 1 = return, op)
        let mut events: Vec<(u64, u8, u32)> = Vec::with_capacity(times.len() * 2);
        for (i, &(invoke, complete)) in times.iter().enumerate() {
            events.push((invoke, 0, i as u32));
            if let Some(done) = complete {
                events.push((done, 1, i as u32));
            }
        }
        events.sort_unstable();
        let nodes = events.len() + 1;
        let mut list = EntryList {
            next: (1..=nodes as u32).collect(),
            prev: (0..nodes as u32).map(|i| i.wrapping_sub(1)).collect(),
            op: vec![NIL; nodes],
            ret: vec![NIL; nodes],
            is_call: vec![false; nodes],
        };
        list.next[nodes - 1] = NIL;
        list.prev[0] = NIL;
        let mut call_node = vec![NIL; times.len()];
        for (k, &(_, kind, op)) in events.iter().enumerate() {
            let node = k as u32 + 1;
            list.op[node as usize] = op;
            if kind == 0 {
                list.is_call[node as usize] = true;
                call_node[op as usize] = node;
            } else {
                list.ret[call_node[op as usize] as usize] = node;
            }
        }
        list
    }

    /// The node after `node`.
    #[inline]
    pub(crate) fn next(&self, node: u32) -> u32 {
        self.next[node as usize]
    }

    /// The operation of `node`.
    #[inline]
    pub(crate) fn op(&self, node: u32) -> u32 {
        self.op[node as usize]
    }

    /// Whether `node` is a call entry.
    #[inline]
    pub(crate) fn is_call(&self, node: u32) -> bool {
        self.is_call[node as usize]
    }

    /// Nodes in list order from the head (used to compute per-return limits).
    pub(crate) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        let mut node = self.next(HEAD);
        std::iter::from_fn(move || {
            (node != NIL).then(|| {
                let current = node;
                node = self.next(node);
                current
            })
        })
    }

    /// Removes call node `call` and its return node from the list.
    pub(crate) fn lift(&mut self, call: u32) {
        debug_assert!(self.is_call(call));
        self.unlink(call);
        let ret = self.ret[call as usize];
        if ret != NIL {
            self.unlink(ret);
        }
    }

    /// Undoes the most recent `lift`, which must have been of `call`.
    pub(crate) fn unlift(&mut self, call: u32) {
        let ret = self.ret[call as usize];
        if ret != NIL {
            self.relink(ret);
        }
        self.relink(call);
    }

    fn unlink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = n;
        if n != NIL {
            self.prev[n as usize] = p;
        }
    }

    fn relink(&mut self, node: u32) {
        let (p, n) = (self.prev[node as usize], self.next[node as usize]);
        self.next[p as usize] = node;
        if n != NIL {
            self.prev[n as usize] = node;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lift_and_unlift_restore_the_list() {
        let mut list = EntryList::build(&[(0, Some(5)), (1, None), (2, Some(3))]);
        let before: Vec<u32> = list.iter().collect();
        assert_eq!(before.len(), 5);
        let first = list.next(HEAD);
        list.lift(first);
        assert_eq!(list.iter().count(), 3);
        let third_call = list.iter().nth(1).unwrap();
        list.lift(third_call);
        assert_eq!(list.iter().count(), 1);
        list.unlift(third_call);
        list.unlift(first);
        assert_eq!(list.iter().collect::<Vec<_>>(), before);
    }

    #[test]
    fn equal_times_are_concurrent() {
        // op 0 returns at 5, op 1 is invoked at 5: the call comes first.
        let list = EntryList::build(&[(0, Some(5)), (5, Some(6))]);
        let kinds: Vec<(u32, bool)> = list.iter().map(|n| (list.op(n), list.is_call(n))).collect();
        assert_eq!(kinds, vec![(0, true), (1, true), (0, false), (1, false)]);
    }
}
