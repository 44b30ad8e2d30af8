//! Per-node drifting clocks.
//!
//! Node `i`'s `k`-th tick (from 0) fires at
//! `phase_us[i] + floor(k * tick_us * (1_000_000 + drift_ppm[i]) / 1_000_000)`:
//! a closed form in integers, so drift never accumulates rounding error and a
//! tick's time does not depend on how many ticks came before it. A clock runs
//! on while its node is down; the ticks are simply not delivered, and a
//! restarted node picks up at the next tick of its clock.
//!
//! A script may make a clock jump (forward: the ticks of the skipped span
//! arrive at once; backward: none arrive for that span) or change its
//! drift; the closed form is then re-based at the tick already queued.

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
    /// Microseconds each node's clock has jumped ahead (negative: behind).
    jumped_us: Vec<i64>,
    /// The time [`Clocks::advance`] last returned per node: its queued tick.
    queued_us: Vec<u64>,
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
            jumped_us: vec![0; drift_ppm.len()],
            queued_us: vec![0; drift_ppm.len()],
        }
    }

    /// Node `node`'s clock jumps by `by_us` (positive: ahead) from now on.
    pub fn jump(&mut self, node: NodeId, by_us: i64) {
        self.jumped_us[node] = self.jumped_us[node].saturating_add(by_us);
    }

    /// Node `node`'s clock runs `drift_ppm` off from its next tick on: the
    /// tick already queued keeps its time, the ones after it follow the new
    /// period.
    pub fn set_drift(&mut self, node: NodeId, drift_ppm: i32, tick_us: u64) {
        let queued_at_us = self.queued_us[node];
        assert!(
            drift_ppm.unsigned_abs() < PPM as u32,
            "drift of {drift_ppm} ppm stops the clock"
        );
        self.period_pus[node] =
            tick_us.saturating_mul(PPM.saturating_add_signed(i64::from(drift_ppm)));
        self.phase_us[node] = queued_at_us;
        self.next_tick[node] = 1;
        self.jumped_us[node] = 0;
    }

    /// Time of `node`'s next tick, never before `now_us`, and advances its
    /// clock past it. (Only a jump ahead makes a tick fall due in the past:
    /// then the overdue ticks come one after another at `now_us`.)
    #[inline]
    pub fn advance(&mut self, node: NodeId, now_us: u64) -> u64 {
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
        let at_us = self.phase_us[node].saturating_add(at_us);
        let jumped_us = self.jumped_us[node];
        let at_us = if jumped_us >= 0 {
            at_us.saturating_sub(jumped_us.unsigned_abs())
        } else {
            at_us.saturating_add(jumped_us.unsigned_abs())
        };
        let at_us = at_us.max(now_us);
        self.queued_us[node] = at_us;
        at_us
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drift_stretches_and_shrinks_the_period() {
        let mut c = Clocks::new(10_000, &[0, 1_000, -1_000], &[5, 0, 0]);
        let a: Vec<u64> = (0..3).map(|_| c.advance(0, 0)).collect();
        assert_eq!(a, vec![5, 10_005, 20_005]);
        let b: Vec<u64> = (0..1001).map(|_| c.advance(1, 0)).collect();
        assert_eq!(b[1000], 10_010_000);
        let s: Vec<u64> = (0..1001).map(|_| c.advance(2, 0)).collect();
        assert_eq!(s[1000], 9_990_000);
    }

    #[test]
    fn jumps_and_new_drift() {
        let mut c = Clocks::new(10_000, &[0], &[0]);
        assert_eq!(c.advance(0, 0), 0);
        assert_eq!(c.advance(0, 0), 10_000);
        // Ahead by 35 ms at 10 ms: the next ticks are overdue and come at once.
        c.jump(0, 35_000);
        let burst: Vec<u64> = (0..5).map(|_| c.advance(0, 10_000)).collect();
        assert_eq!(burst, vec![10_000, 10_000, 10_000, 15_000, 25_000]);
        // Behind by 20 ms: a gap.
        c.jump(0, -20_000);
        assert_eq!(c.advance(0, 25_000), 55_000);
        // 10 % slower after the tick queued at 55 ms.
        c.set_drift(0, 100_000, 10_000);
        assert_eq!(c.advance(0, 55_000), 66_000);
        assert_eq!(c.advance(0, 66_000), 77_000);
    }
}
