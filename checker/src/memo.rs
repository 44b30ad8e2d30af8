//! The memo of configurations already explored: (model state, set of
//! linearised operations), each encoded as a short slice of words.
//!
//! Keys live back to back in one arena (`[len, words...]`); an open-addressed
//! table of slots points into it. This keeps an entry to a few dozen bytes,
//! with no allocation per entry, so the memory budget can be counted exactly.

use crate::fxhash::hash_words;

/// Offsets are stored in the low 48 bits of a slot, a hash tag in the high 16.
const OFFSET_BITS: u32 = 48;
const OFFSET_MASK: u64 = (1 << OFFSET_BITS) - 1;

/// A set of word-slice keys. Invariant: `len * 2 <= slots.len()`, and
/// `slots.len()` is a power of two.
pub(crate) struct Memo {
    arena: Vec<u64>,
    slots: Vec<u64>,
    len: u64,
}

impl Memo {
    pub(crate) fn new() -> Memo {
        Memo {
            arena: Vec::new(),
            slots: vec![0; 1024],
            len: 0,
        }
    }

    /// The number of keys held.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Bytes held by the memo's buffers.
    pub(crate) fn bytes(&self) -> u64 {
        ((self.arena.capacity() + self.slots.capacity()) * 8) as u64
    }

    /// Inserts `key`; returns true if it was not already present.
    pub(crate) fn insert(&mut self, key: &[u64]) -> bool {
        assert!(!key.is_empty(), "memo keys are never empty");
        if (self.len + 1) * 2 > self.slots.len() as u64 {
            self.grow();
        }
        let hash = hash_words(key);
        let tag = hash >> OFFSET_BITS;
        let mask = self.slots.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            let slot = self.slots[i];
            if slot == 0 {
                break;
            }
            if slot >> OFFSET_BITS == tag && self.stored(slot) == key {
                return false;
            }
            i = (i + 1) & mask;
        }
        let offset = self.arena.len() as u64;
        assert!(offset < OFFSET_MASK, "memo arena exceeds 2^48 words");
        self.arena.push(key.len() as u64);
        self.arena.extend_from_slice(key);
        self.slots[i] = (tag << OFFSET_BITS) | (offset + 1);
        self.len += 1;
        true
    }

    fn stored(&self, slot: u64) -> &[u64] {
        let offset = ((slot & OFFSET_MASK) - 1) as usize;
        let len = self.arena[offset] as usize;
        &self.arena[offset + 1..offset + 1 + len]
    }

    fn grow(&mut self) {
        let new_len = self.slots.len() * 2;
        let old = std::mem::replace(&mut self.slots, vec![0; new_len]);
        let mask = new_len - 1;
        for slot in old.into_iter().filter(|&s| s != 0) {
            let hash = hash_words(self.stored(slot));
            let mut i = (hash as usize) & mask;
            while self.slots[i] != 0 {
                i = (i + 1) & mask;
            }
            self.slots[i] = slot;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn inserts_each_key_once_across_growth() {
        let mut memo = Memo::new();
        for i in 0..5000u64 {
            assert!(memo.insert(&[i, i * 7]));
        }
        for i in 0..5000u64 {
            assert!(!memo.insert(&[i, i * 7]));
            assert!(memo.insert(&[i, i * 7, 1]));
        }
        assert_eq!(memo.len(), 10_000);
    }
}
