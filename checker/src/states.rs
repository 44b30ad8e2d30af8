//! Interning of model states, so a configuration in the memo holds a 32-bit
//! state id instead of the state itself.

use std::collections::HashMap;
use std::hash::Hash;

use crate::fxhash::FxBuild;

/// Distinct states, each with a dense id. Invariant: `states[ids[s]] == s`.
pub(crate) struct StateTable<S> {
    ids: HashMap<S, u32, FxBuild>,
    states: Vec<S>,
}

impl<S: Clone + Eq + Hash> StateTable<S> {
    pub(crate) fn new() -> StateTable<S> {
        StateTable {
            ids: HashMap::default(),
            states: Vec::new(),
        }
    }

    /// The id of `state`, adding it if new.
    pub(crate) fn intern(&mut self, state: S) -> u32 {
        if let Some(&id) = self.ids.get(&state) {
            return id;
        }
        let id = u32::try_from(self.states.len()).expect("fewer than 2^32 distinct states");
        self.states.push(state.clone());
        self.ids.insert(state, id);
        id
    }

    /// The state with id `id`.
    #[inline]
    pub(crate) fn get(&self, id: u32) -> &S {
        &self.states[id as usize]
    }
}
