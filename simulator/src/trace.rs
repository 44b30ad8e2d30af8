//! The trace hash and the readable trace.
//!
//! The trace hash folds every processed event (time, sequence number, kind,
//! node) and every message delivered and record written (through their `Hash`
//! impls) into one `u64`. It uses its own fixed mixing function rather than
//! std's `DefaultHasher`, whose algorithm may change between Rust releases and
//! which is slower on the hot path. Integers are fed as fixed-width
//! little-endian values, so `usize` hashes the same on every 64-bit platform.
//!
//! The readable trace is one line per processed event. Formatting happens only
//! when a sink is attached: every formatting call sits behind [`Tracer::on`].

use std::fmt::{self, Write as _};
use std::hash::Hasher;

const MULTIPLIER: u64 = 0x9E37_79B9_7F4A_7C15;

/// A fast, fixed, non-cryptographic hash (multiply-rotate per word, a
/// splitmix64 finaliser). Not DoS-resistant; it only has to tell runs apart.
#[derive(Clone, Debug)]
pub struct TraceHasher {
    state: u64,
}

impl Default for TraceHasher {
    fn default() -> Self {
        TraceHasher {
            state: 0x243F_6A88_85A3_08D3,
        }
    }
}

impl TraceHasher {
    #[inline]
    fn mix(&mut self, word: u64) {
        self.state = (self.state.rotate_left(23) ^ word).wrapping_mul(MULTIPLIER);
    }
}

impl Hasher for TraceHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.mix(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            // The length keeps "ab" + "" apart from "a" + "b".
            self.mix(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u16(&mut self, i: u16) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    #[inline]
    fn write_u128(&mut self, i: u128) {
        self.mix(i as u64);
        self.mix((i >> 64) as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.mix(i as u64);
    }
    #[inline]
    fn write_isize(&mut self, i: isize) {
        self.mix(i as i64 as u64);
    }

    /// The splitmix64 finaliser, so that nearby states give distant hashes.
    fn finish(&self) -> u64 {
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Where trace lines go, with a reused line buffer.
pub struct Tracer<'a> {
    sink: Option<&'a mut dyn FnMut(&str)>,
    line: String,
}

impl<'a> Tracer<'a> {
    pub fn new(sink: Option<&'a mut dyn FnMut(&str)>) -> Tracer<'a> {
        let line = if sink.is_some() {
            String::with_capacity(256)
        } else {
            String::new()
        };
        Tracer { sink, line }
    }

    /// Whether lines are wanted. Every formatting call must check this first.
    #[inline(always)]
    pub fn on(&self) -> bool {
        self.sink.is_some()
    }

    /// Starts a line: `"{time_ms:>10}.{frac:03}ms n{node} "`, or `" --"` for
    /// events that belong to no node.
    pub fn begin(&mut self, now_us: u64, node: Option<usize>) {
        assert!(self.on(), "formatting without a sink");
        self.line.clear();
        let _ = write!(self.line, "{:>7}.{:03}ms ", now_us / 1000, now_us % 1000);
        let _ = match node {
            Some(node) => write!(self.line, "n{node:<2} "),
            None => write!(self.line, "--  "),
        };
    }

    /// Appends to the current line.
    pub fn push(&mut self, args: fmt::Arguments<'_>) {
        assert!(self.on(), "formatting without a sink");
        let _ = self.line.write_fmt(args);
    }

    /// Hands the current line to the sink.
    pub fn end(&mut self) {
        if let Some(sink) = self.sink.as_mut() {
            sink(&self.line);
        }
        self.line.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    fn hash<T: Hash>(value: &T) -> u64 {
        let mut h = TraceHasher::default();
        value.hash(&mut h);
        h.finish()
    }

    #[test]
    fn hash_is_fixed_and_separates_values() {
        assert_eq!(hash(&(1u64, "ab")), hash(&(1u64, "ab")));
        assert_ne!(hash(&(1u64, "ab")), hash(&(1u64, "ba")));
        assert_ne!(hash(&("ab", "")), hash(&("a", "b")));
        assert_ne!(hash(&0u64), hash(&1u64));
    }

    #[test]
    fn lines_show_milliseconds_with_three_decimals() {
        let mut lines = Vec::new();
        let mut sink = |line: &str| lines.push(line.to_string());
        let mut t = Tracer::new(Some(&mut sink));
        t.begin(1_234_567, Some(3));
        t.push(format_args!("tick"));
        t.end();
        drop(t);
        assert_eq!(lines, vec!["   1234.567ms n3  tick".to_string()]);
    }
}

/// Microseconds shown as milliseconds: `250 ms`, or `250.125 ms` when the
/// time is not a whole millisecond.
pub struct Millis(pub u64);

impl fmt::Display for Millis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ms, us) = (self.0 / 1000, self.0 % 1000);
        if us == 0 {
            write!(f, "{ms} ms")
        } else {
            write!(f, "{ms}.{us:03} ms")
        }
    }
}

#[cfg(test)]
mod millis_tests {
    use super::Millis;

    #[test]
    fn whole_and_fractional_milliseconds() {
        assert_eq!(Millis(250_000).to_string(), "250 ms");
        assert_eq!(Millis(250_125).to_string(), "250.125 ms");
        assert_eq!(Millis(7).to_string(), "0.007 ms");
    }
}
