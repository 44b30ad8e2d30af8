//! A small, fixed (unseeded) hasher, so hash tables never depend on a random
//! seed and every run does the same work in the same order.
//!
//! The mixing step is the well-known "Fx" multiply-rotate scheme: fast on
//! short keys such as the words of a bitset. It is not collision-resistant,
//! which is fine here: inputs come from the checker itself, and a collision
//! costs time, never correctness.

use std::hash::{BuildHasherDefault, Hasher};

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// An unseeded Fx-style hasher.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    pub(crate) fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 56));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `HashMap<K, V, FxBuild>`: a hash map whose iteration order and layout do
/// not depend on a random seed.
pub(crate) type FxBuild = BuildHasherDefault<FxHasher>;

/// Hashes a slice of words.
#[inline]
pub(crate) fn hash_words(words: &[u64]) -> u64 {
    let mut h = FxHasher::default();
    for &w in words {
        h.add(w);
    }
    // Fx leaves the low bits weak; a final multiply spreads the high ones.
    h.hash.wrapping_mul(0x9e37_79b9_7f4a_7c15).rotate_left(26)
}
