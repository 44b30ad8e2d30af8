//! Limits on the search, so that a hard history yields `unknown` instead of
//! hanging or exhausting memory.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// What the checker may spend.
///
/// - `max_states_per_key` is deterministic: the same history and budget give
///   the same verdict on any machine and thread count. The simulator should
///   use it.
/// - `max_memory_bytes` caps the memo tables of all keys together; since keys
///   are checked in parallel, which key hits it first can vary between runs.
/// - `should_stop` is polled every few thousand search steps; when it returns
///   true every key not yet decided becomes `unknown`. The caller decides
///   what it means (a wall-clock deadline in the CLI); the checker never
///   reads a clock.
#[derive(Clone, Copy, Default)]
pub struct Budget<'a> {
    /// Memoised configurations allowed per key; `None` for no limit.
    pub max_states_per_key: Option<u64>,
    /// Bytes of memo tables allowed over all keys; `None` for no limit.
    pub max_memory_bytes: Option<u64>,
    /// Polled during the search; true means stop and answer `unknown`.
    pub should_stop: Option<&'a (dyn Fn() -> bool + Sync)>,
}

impl std::fmt::Debug for Budget<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Budget")
            .field("max_states_per_key", &self.max_states_per_key)
            .field("max_memory_bytes", &self.max_memory_bytes)
            .field("should_stop", &self.should_stop.is_some())
            .finish()
    }
}

impl<'a> Budget<'a> {
    /// No limits at all.
    pub fn unlimited() -> Budget<'static> {
        Budget::default()
    }

    /// At most `states` memoised configurations per key (deterministic).
    pub fn with_max_states_per_key(self, states: u64) -> Budget<'a> {
        Budget {
            max_states_per_key: Some(states),
            ..self
        }
    }

    /// At most `bytes` of memo tables over all keys.
    pub fn with_max_memory_bytes(self, bytes: u64) -> Budget<'a> {
        Budget {
            max_memory_bytes: Some(bytes),
            ..self
        }
    }

    /// Stop when `should_stop` returns true.
    pub fn with_stop(self, should_stop: &'a (dyn Fn() -> bool + Sync)) -> Budget<'a> {
        Budget {
            should_stop: Some(should_stop),
            ..self
        }
    }
}

/// Why a search gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exhausted {
    States(u64),
    Memory(u64),
    Stopped,
}

impl Exhausted {
    pub(crate) fn describe(self) -> String {
        match self {
            Exhausted::States(n) => format!("state budget exhausted ({n} states per key)"),
            Exhausted::Memory(n) => format!("memory budget exhausted ({n} bytes)"),
            Exhausted::Stopped => "time budget exhausted".to_string(),
        }
    }
}

/// The budget plus what all keys of one check share.
pub(crate) struct Limits<'a> {
    budget: &'a Budget<'a>,
    memory_bytes: AtomicU64,
    stopped: AtomicBool,
}

impl<'a> Limits<'a> {
    pub(crate) fn new(budget: &'a Budget<'a>) -> Limits<'a> {
        Limits {
            budget,
            memory_bytes: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
        }
    }

    /// Checks the state budget for one key.
    pub(crate) fn check_states(&self, states: u64) -> Result<(), Exhausted> {
        match self.budget.max_states_per_key {
            Some(max) if states > max => Err(Exhausted::States(max)),
            _ => Ok(()),
        }
    }

    /// Records that one key's memo grew by `delta` bytes (or shrank, when
    /// negative) and checks the shared memory budget.
    pub(crate) fn account_memory(&self, delta: i64) -> Result<(), Exhausted> {
        let total = if delta >= 0 {
            self.memory_bytes.fetch_add(delta as u64, Ordering::Relaxed) + delta as u64
        } else {
            let d = delta.unsigned_abs();
            self.memory_bytes
                .fetch_sub(d, Ordering::Relaxed)
                .saturating_sub(d)
        };
        match self.budget.max_memory_bytes {
            Some(max) if delta > 0 && total > max => Err(Exhausted::Memory(max)),
            _ => Ok(()),
        }
    }

    /// Polls the caller's stop callback; once it said stop, every key stops.
    pub(crate) fn poll_stop(&self) -> Result<(), Exhausted> {
        if self.stopped.load(Ordering::Relaxed) {
            return Err(Exhausted::Stopped);
        }
        if let Some(stop) = self.budget.should_stop {
            if stop() {
                self.stopped.store(true, Ordering::Relaxed);
                return Err(Exhausted::Stopped);
            }
        }
        Ok(())
    }
}
