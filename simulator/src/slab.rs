//! A bounded slab: values parked under small `u32` keys until taken back.
//!
//! Events carry only the key, so heap moves stay cheap whatever the payload.
//! Freed keys are reused (last freed, first reused), which is deterministic:
//! the key order depends only on the order of inserts and takes.

/// Invariants: `len` counts the occupied slots, never more than `max_len`;
/// every key in `free` names an empty slot.
#[derive(Debug)]
pub struct Slab<T> {
    slots: Vec<Option<T>>,
    free: Vec<u32>,
    len: usize,
    max_len: usize,
}

impl<T> Slab<T> {
    pub fn new(max_len: usize) -> Slab<T> {
        assert!(max_len >= 1);
        assert!(max_len <= u32::MAX as usize, "keys fit a u32");
        Slab {
            slots: Vec::with_capacity(1024.min(max_len)),
            free: Vec::with_capacity(1024.min(max_len)),
            len: 0,
            max_len,
        }
    }

    /// Parks `value` and returns its key, or gives it back when the slab is full.
    #[inline]
    pub fn insert(&mut self, value: T) -> Result<u32, T> {
        if self.len >= self.max_len {
            return Err(value);
        }
        let key = match self.free.pop() {
            Some(key) => {
                let slot = &mut self.slots[key as usize];
                assert!(slot.is_none(), "free slot in use");
                *slot = Some(value);
                key
            }
            None => {
                self.slots.push(Some(value));
                u32::try_from(self.slots.len() - 1).expect("fewer than 2^32 slots")
            }
        };
        self.len += 1;
        Ok(key)
    }

    /// Takes back the value under `key`, which must be occupied.
    #[inline]
    pub fn take(&mut self, key: u32) -> T {
        let value = self.slots[key as usize]
            .take()
            .expect("a take from an empty slot");
        assert!(self.len > 0);
        self.len -= 1;
        self.free.push(key);
        value
    }

    /// The value under `key`, which must be occupied.
    #[inline]
    pub fn get(&self, key: u32) -> &T {
        self.slots[key as usize]
            .as_ref()
            .expect("a get from an empty slot")
    }

    /// Values parked now.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.len
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_and_reuses_keys() {
        let mut s = Slab::new(2);
        let a = s.insert('a').unwrap();
        let b = s.insert('b').unwrap();
        assert_eq!(s.insert('c'), Err('c'));
        assert_eq!(s.take(a), 'a');
        assert_eq!(s.insert('d'), Ok(a));
        assert_eq!(s.take(b), 'b');
        assert_eq!(s.len(), 1);
    }
}
