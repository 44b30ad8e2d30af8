//! Per-node drifting clocks.
//!
//! Node `i`'s `k`-th tick (from 0) fires at
//! `phase_us[i] + floor(k * tick_us * (1_000_000 + drift_ppm[i]) / 1_000_000)`:
//! a closed form in integers, so drift never accumulates rounding error and a
//! tick's time does not depend on how many ticks came before it. A clock runs
//! on while its node is down; the ticks are simply not delivered, and a
//! restarted node picks up at the next tick of its clock.

use crate::node::NodeId;

const PPM: u64 = 1_000_000;

/// The clocks of one run. Invariant: every node's tick period is positive.
#[derive(Debug)]
pub struct Clocks {
    phase_us: Vec<u64>,
    /// Tick period in millionths of a microsecond: `tick_us * (1e6 + drift_ppm)`.
    period_pus: Vec<u64>,
    /// Index of each node's next tick.
    next_tick: Vec<u64>,
}

impl Clocks {
    pub fn new(tick_us: u64, drift_ppm: &[i32], phase_us: &[u64]) -> Clocks {
        assert_eq!(drift_ppm.len(), phase_us.len());
        assert!(tick_us > 0);
        let period_pus = drift_ppm
            .iter()
            .map(|&d| {
                assert!(
                    d.unsigned_abs() < PPM as u32,
                    "drift of {d} ppm stops the clock"
                );
                tick_us.saturating_mul(PPM.saturating_add_signed(i64::from(d)))
            })
            .collect();
        Clocks {
            phase_us: phase_us.to_vec(),
            period_pus,
            next_tick: vec![0; drift_ppm.len()],
        }
    }

    /// Time of `node`'s next tick, and advances its clock past it.
    #[inline]
    pub fn advance(&mut self, node: NodeId) -> u64 {
        let k = self.next_tick[node];
        self.next_tick[node] = k + 1;
        let period_pus = self.period_pus[node];
        // u64 covers about 50 virtual days at 10 ms ticks; u128 beyond.
        let at_us = match k.checked_mul(period_pus) {
            Some(pus) => pus / PPM,
            None => {
                let us = u128::from(k) * u128::from(period_pus) / u128::from(PPM);
                u64::try_from(us).unwrap_or(u64::MAX)
            }
        };
        self.phase_us[node].saturating_add(at_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_stretches_and_shrinks_the_period() {
        let mut c = Clocks::new(10_000, &[0, 1_000, -1_000], &[5, 0, 0]);
        let a: Vec<u64> = (0..3).map(|_| c.advance(0)).collect();
        assert_eq!(a, vec![5, 10_005, 20_005]);
        let b: Vec<u64> = (0..1001).map(|_| c.advance(1)).collect();
        assert_eq!(b[1000], 10_010_000);
        let s: Vec<u64> = (0..1001).map(|_| c.advance(2)).collect();
        assert_eq!(s[1000], 9_990_000);
    }
}
