//! The concrete options of one seed, drawn from a [`Scenario`].
//!
//! A scenario gives ranges; a seed picks values inside them (swarm testing, as
//! in "Swarm Testing", Groce et al. 2012: a seed that never partitions finds
//! different bugs from one that partitions all the time). Every value a run
//! uses is here, in integer microseconds or exact ratios, so that `Debug`
//! shows the whole configuration of a replayed seed.

use crate::network::LinkRatios;
use crate::rng;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use scenarios::{ClientMode, FaultKind, LatencySpec, Scenario, StepSpec};

/// Ratios are drawn on this grid so that they print exactly (0.0123, not
/// 0.012300000000000001-like noise from a continuous draw).
const RATIO_STEPS: u32 = 10_000;
/// With swarm testing, a ratio is switched off (exactly 0) with this chance,
/// in `RATIO_STEPS` units: one seed in four.
const RATIO_OFF_STEPS: u32 = 2_500;
/// Clusters are limited so that node sets fit a `u64` bit mask.
pub const MAX_NODES: usize = 64;

/// One-way message latency in microseconds, converted from [`LatencySpec`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum LatencyModel {
    Constant {
        latency_us: u64,
    },
    Uniform {
        latency_us_min: u64,
        latency_us_max: u64,
    },
    /// `latency_us_min` plus an exponential tail of mean `tail_us_mean`.
    Exponential {
        latency_us_min: u64,
        tail_us_mean: u64,
    },
    /// Uniform `[min, max]`, except a `tail_ratio` of messages take uniform
    /// `[tail_us_min, tail_us_max]`.
    LongTail {
        latency_us_min: u64,
        latency_us_max: u64,
        tail_ratio: f64,
        tail_us_min: u64,
        tail_us_max: u64,
    },
}

impl LatencyModel {
    /// Converts a scenario's latency (milliseconds, validated non-negative and
    /// ordered) to microseconds, rounding to the nearest microsecond.
    pub fn from_spec(spec: &LatencySpec) -> LatencyModel {
        match *spec {
            LatencySpec::Constant { ms } => LatencyModel::Constant {
                latency_us: ms_to_us(ms),
            },
            LatencySpec::Uniform { min_ms, max_ms } => LatencyModel::Uniform {
                latency_us_min: ms_to_us(min_ms),
                latency_us_max: ms_to_us(max_ms).max(ms_to_us(min_ms)),
            },
            LatencySpec::Exponential { min_ms, mean_ms } => LatencyModel::Exponential {
                latency_us_min: ms_to_us(min_ms),
                tail_us_mean: ms_to_us(mean_ms),
            },
            LatencySpec::LongTail {
                min_ms,
                max_ms,
                tail_ratio,
                tail_min_ms,
                tail_max_ms,
            } => LatencyModel::LongTail {
                latency_us_min: ms_to_us(min_ms),
                latency_us_max: ms_to_us(max_ms).max(ms_to_us(min_ms)),
                tail_ratio: if tail_ratio.is_finite() {
                    tail_ratio.clamp(0.0, 1.0)
                } else {
                    0.0
                },
                tail_us_min: ms_to_us(tail_min_ms),
                tail_us_max: ms_to_us(tail_max_ms).max(ms_to_us(tail_min_ms)),
            },
        }
    }
}

/// Milliseconds (validated finite and non-negative) to whole microseconds;
/// anything else saturates to 0 or `u64::MAX` rather than misbehaving.
pub fn ms_to_us(ms: f64) -> u64 {
    let us = (ms * 1000.0).round();
    // `as` saturates on overflow and maps NaN to 0: both are safe here.
    us as u64
}

/// Everything one seed's run uses. Drawn by [`RunOptions::draw`]; a test or a
/// shrinker may also build or edit one and pass it to [`crate::run_with_options`].
#[derive(Clone, Debug, PartialEq)]
pub struct RunOptions {
    pub seed: u64,
    /// Cluster size; node ids are `0..nodes`.
    pub nodes: usize,
    /// Nominal tick length; node `i` ticks every `tick_us * (1 + drift_ppm[i] / 1e6)`.
    pub tick_us: u64,
    /// Per-node clock drift in parts per million, in `[-drift_ppm_max, drift_ppm_max]`.
    pub drift_ppm: Vec<i32>,
    /// Per-node time of the first tick, in `[0, tick_us)`, so that nodes do not
    /// tick in lockstep.
    pub tick_phase_us: Vec<u64>,
    pub latency: LatencyModel,
    /// Chance that a message is lost, during the faulty phase only.
    pub drop_ratio: f64,
    /// Chance that a message is delivered twice, during the faulty phase only.
    pub duplicate_ratio: f64,
    /// The same for replies (vote and append responses).
    pub reply_drop_ratio: f64,
    pub reply_duplicate_ratio: f64,
    pub sync_latency_us_min: u64,
    pub sync_latency_us_max: u64,
    /// Kinds the random nemesis picks from; empty means no random faults.
    pub fault_kinds: Vec<FaultKind>,
    pub fault_interval_us_min: u64,
    pub fault_interval_us_max: u64,
    pub fault_duration_us_min: u64,
    pub fault_duration_us_max: u64,
    /// Number of clients; 0 runs no clients at all.
    pub clients: usize,
    pub client_mode: ClientMode,
    /// Open loop: one arrival every this many microseconds, over all clients
    /// (at least 1).
    pub arrival_interval_us: u64,
    /// An operation without a definite answer this long after its invocation
    /// times out (at least 1).
    pub request_timeout_us: u64,
    /// Without a definite answer this long after the last send, the request
    /// is sent again to another node (at least 1).
    pub retry_us: u64,
    /// Clients start no operation at or after this time.
    pub client_stop_us: Option<u64>,
    /// The scenario's scripted steps, run from time 0.
    pub steps: Vec<StepSpec>,
    pub faulty_us: u64,
    pub healing_us: u64,
    pub max_events: u64,
    pub max_in_flight_messages: usize,
}

impl RunOptions {
    /// Draws seed `seed`'s options from `scenario` (which should be validated;
    /// impossible values are clamped, never a panic). Uses only the options
    /// stream, in a fixed order: new draws are appended at the end so that old
    /// seeds keep their values.
    pub fn draw(scenario: &Scenario, seed: u64) -> RunOptions {
        assert!(
            scenario.cluster.nodes >= 1,
            "a cluster of at least one node"
        );
        assert!(
            scenario.cluster.nodes <= MAX_NODES,
            "at most {MAX_NODES} nodes"
        );
        let mut rng = rng::stream(seed, rng::STREAM_OPTIONS);
        let nodes = scenario.cluster.nodes;
        let tick_us = scenario.cluster.tick_ms.saturating_mul(1000).max(1);
        let drift_max = i32::try_from(scenario.clock.drift_ppm_max.min(999_999)).unwrap_or(0);
        let drift_ppm = (0..nodes)
            .map(|_| rng.random_range(-drift_max..=drift_max))
            .collect();
        let tick_phase_us = (0..nodes).map(|_| rng.random_range(0..tick_us)).collect();
        let swarm = scenario.faults.swarm;
        let drop_ratio = draw_ratio(&mut rng, scenario.network.drop_ratio_max, swarm);
        let duplicate_ratio = draw_ratio(&mut rng, scenario.network.duplicate_ratio_max, swarm);
        let fault_kinds = draw_kinds(&mut rng, scenario);
        let f = &scenario.faults;
        let w = &scenario.workload;
        let sync_latency_us_min = ms_to_us(scenario.disk.sync_latency_ms_min);
        // Drawn last, and only when a scenario sets them, so that the draws
        // above stay those of scenarios written before replies had their own.
        let reply_drop_ratio = match scenario.network.reply_drop_ratio_max {
            Some(max) => draw_ratio(&mut rng, max, swarm),
            None => drop_ratio,
        };
        let reply_duplicate_ratio = match scenario.network.reply_duplicate_ratio_max {
            Some(max) => draw_ratio(&mut rng, max, swarm),
            None => duplicate_ratio,
        };
        RunOptions {
            seed,
            nodes,
            tick_us,
            drift_ppm,
            tick_phase_us,
            latency: LatencyModel::from_spec(&scenario.network.latency),
            drop_ratio,
            duplicate_ratio,
            reply_drop_ratio,
            reply_duplicate_ratio,
            sync_latency_us_min,
            sync_latency_us_max: ms_to_us(scenario.disk.sync_latency_ms_max)
                .max(sync_latency_us_min),
            fault_kinds,
            fault_interval_us_min: f.interval_ms_min.saturating_mul(1000),
            fault_interval_us_max: f
                .interval_ms_max
                .max(f.interval_ms_min)
                .saturating_mul(1000),
            fault_duration_us_min: f.duration_ms_min.saturating_mul(1000),
            fault_duration_us_max: f
                .duration_ms_max
                .max(f.duration_ms_min)
                .saturating_mul(1000),
            clients: w.clients,
            client_mode: w.mode,
            arrival_interval_us: arrival_interval_us(w.rate_per_s),
            request_timeout_us: w.request_timeout_ms.saturating_mul(1000).max(1),
            retry_us: w.retry_ms.saturating_mul(1000).max(1),
            client_stop_us: w.stop_ms.map(|ms| ms.saturating_mul(1000)),
            steps: scenario.steps.clone(),
            faulty_us: scenario.phases.faulty_ms.saturating_mul(1000),
            healing_us: scenario.phases.healing_ms.saturating_mul(1000),
            max_events: scenario.limits.max_events,
            max_in_flight_messages: scenario.limits.max_in_flight_messages,
        }
    }

    /// Loss and duplication of the faulty phase.
    pub fn link_ratios(&self) -> LinkRatios {
        LinkRatios {
            drop: self.drop_ratio,
            duplicate: self.duplicate_ratio,
            reply_drop: self.reply_drop_ratio,
            reply_duplicate: self.reply_duplicate_ratio,
        }
    }

    /// Virtual time at which the run ends: after the faulty and healing phases.
    pub fn end_us(&self) -> u64 {
        self.faulty_us.saturating_add(self.healing_us)
    }
}

/// The fixed gap between open-loop arrivals at `rate_per_s` (validated
/// positive), rounded to the nearest microsecond and at least 1; a rate that
/// is not positive and finite gives one arrival per virtual hour, not a panic.
fn arrival_interval_us(rate_per_s: f64) -> u64 {
    if !(rate_per_s.is_finite() && rate_per_s > 0.0) {
        return 3_600_000_000;
    }
    ((1e6 / rate_per_s).round() as u64).max(1)
}

/// A ratio on the `RATIO_STEPS` grid: with swarm testing uniform in `[0, max]`
/// and exactly 0 one time in four; without it exactly `max` (as written).
fn draw_ratio(rng: &mut ChaCha8Rng, max: f64, swarm: bool) -> f64 {
    let max = if max.is_finite() {
        max.clamp(0.0, 1.0)
    } else {
        0.0
    };
    if !swarm {
        return max;
    }
    let max_steps = (max * f64::from(RATIO_STEPS)).floor() as u32;
    assert!(max_steps <= RATIO_STEPS);
    if rng.random_range(0..RATIO_STEPS) < RATIO_OFF_STEPS {
        return 0.0;
    }
    f64::from(rng.random_range(0..=max_steps)) / f64::from(RATIO_STEPS)
}

/// The fault kinds of this seed: none when faults are off, all of the
/// scenario's without swarm testing, and a uniformly drawn non-empty subset
/// with it. The result keeps the scenario's order, without repeats.
fn draw_kinds(rng: &mut ChaCha8Rng, scenario: &Scenario) -> Vec<FaultKind> {
    let mut kinds = scenario.faults.kinds.clone();
    kinds.sort();
    kinds.dedup();
    if !scenario.faults.enabled || kinds.is_empty() {
        return Vec::new();
    }
    if !scenario.faults.swarm {
        return kinds;
    }
    assert!(kinds.len() < 32, "fault kinds fit a u32 mask");
    let mask = rng.random_range(1..(1u32 << kinds.len()));
    let chosen: Vec<FaultKind> = kinds
        .iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, kind)| *kind)
        .collect();
    assert!(!chosen.is_empty());
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_reproducible_and_in_range() {
        let scenario = Scenario::default();
        let mut zero_drops = 0;
        for seed in 0..400 {
            let a = RunOptions::draw(&scenario, seed);
            assert_eq!(a, RunOptions::draw(&scenario, seed));
            assert!(!a.fault_kinds.is_empty());
            assert!((0.0..=scenario.network.drop_ratio_max).contains(&a.drop_ratio));
            assert!((0.0..=scenario.network.duplicate_ratio_max).contains(&a.duplicate_ratio));
            let max = scenario.clock.drift_ppm_max as i32;
            assert!(a.drift_ppm.iter().all(|d| (-max..=max).contains(d)));
            assert!(a.tick_phase_us.iter().all(|p| *p < a.tick_us));
            zero_drops += usize::from(a.drop_ratio == 0.0);
        }
        assert!(
            zero_drops > 50,
            "one seed in four has no loss, got {zero_drops}"
        );
    }

    #[test]
    fn without_swarm_the_scenario_values_hold() {
        let mut scenario = Scenario::default();
        scenario.faults.swarm = false;
        let a = RunOptions::draw(&scenario, 3);
        assert_eq!(a.drop_ratio, scenario.network.drop_ratio_max);
        assert_eq!(a.fault_kinds, FaultKind::ALL.to_vec());
        scenario.faults.enabled = false;
        assert!(RunOptions::draw(&scenario, 3).fault_kinds.is_empty());
    }

    #[test]
    fn client_timing_is_converted_to_microseconds() {
        let mut scenario = Scenario::default();
        scenario.workload.rate_per_s = 300.0;
        scenario.workload.retry_ms = 70;
        let a = RunOptions::draw(&scenario, 1);
        assert_eq!(a.arrival_interval_us, 3_333);
        assert_eq!(a.retry_us, 70_000);
        assert_eq!(a.request_timeout_us, 1_000_000);
        assert_eq!(a.clients, scenario.workload.clients);
        assert_eq!(arrival_interval_us(0.0), 3_600_000_000);
        assert_eq!(arrival_interval_us(1e9), 1);
    }
}
