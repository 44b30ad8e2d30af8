//! Partitions block what they should, both ways or one way, and nothing else.
//! The fault windows and the deliveries are read back from the trace.

mod engine_common;

use engine_common::{DiskCheck, Toy, ToyConfig, ToyWorkload};
use scenarios::{FaultKind, LatencySpec, Scenario};
use simulator::run;

const LATENCY_US: u64 = 2_000;

/// A parsed trace line: time, node column, the rest.
fn parse(line: &str) -> (u64, Option<usize>, &str) {
    let (time, rest) = line.split_once("ms ").expect("time column");
    let (ms, us) = time.trim().split_once('.').expect("three decimals");
    let at_us = ms.parse::<u64>().unwrap() * 1000 + us.parse::<u64>().unwrap();
    let (node, body) = rest.split_at(4);
    let node = node.trim().strip_prefix('n').map(|n| n.parse().unwrap());
    (at_us, node, body)
}

fn number_after(text: &str, key: &str) -> u64 {
    let start = text.find(key).expect("key") + key.len();
    text[start..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect::<String>()
        .parse()
        .unwrap()
}

/// One fault window: `[start + latency, end)` and its kind's description.
struct Window {
    from_us: u64,
    to_us: u64,
    fault: String,
}

/// Deliveries `(time, from, to)` and fault windows of one traced run.
fn traced_run(kind: FaultKind, seed: u64) -> (Vec<(u64, usize, usize)>, Vec<Window>, u64) {
    let mut s = Scenario::default();
    s.network.latency = LatencySpec::Constant {
        ms: LATENCY_US as f64 / 1000.0,
    };
    s.network.drop_ratio_max = 0.0;
    s.faults.kinds = vec![kind];
    s.faults.interval_ms_min = 100;
    s.faults.interval_ms_max = 500;
    s.faults.duration_ms_min = 200;
    s.faults.duration_ms_max = 800;
    s.phases.faulty_ms = 6_000;
    s.phases.healing_ms = 1_000;
    let mut lines = Vec::new();
    let mut sink = |line: &str| lines.push(line.to_string());
    let config = ToyConfig {
        broadcast: true,
        ..ToyConfig::default()
    };
    let outcome = run::<Toy, _, _>(
        &s,
        &config,
        &mut DiskCheck::default(),
        &mut ToyWorkload::default(),
        seed,
        Some(&mut sink),
    );
    assert!(outcome.passed(), "{:?}", outcome.failure);
    let mut deliveries = Vec::new();
    let mut windows = Vec::new();
    let mut open: Option<(u64, String)> = None;
    for line in &lines {
        let (at_us, node, body) = parse(line);
        if let Some(rest) = body.strip_prefix("recv from n") {
            if !body.contains("is down") {
                let from = number_after(rest, "");
                deliveries.push((at_us, from as usize, node.unwrap()));
            }
        } else if let Some(rest) = body.strip_prefix("nemesis starts ") {
            open = Some((at_us, rest.to_string()));
        } else if body.starts_with("nemesis ends ") {
            let (start_us, fault) = open.take().expect("a fault ends after it starts");
            windows.push(Window {
                from_us: start_us + LATENCY_US,
                to_us: at_us,
                fault,
            });
        }
    }
    assert!(open.is_none(), "healing ends every fault");
    (deliveries, windows, outcome.engine.messages_dropped)
}

fn in_window(windows: &[Window], at_us: u64) -> Option<&Window> {
    windows
        .iter()
        .find(|w| w.from_us <= at_us && at_us < w.to_us)
}

#[test]
fn isolation_blocks_both_ways() {
    for kind in [FaultKind::IsolateOne, FaultKind::IsolateLeader] {
        let (deliveries, windows, dropped) = traced_run(kind, 11);
        assert!(windows.len() >= 3, "{} windows", windows.len());
        assert!(dropped > 0);
        let mut inside = 0;
        for &(at_us, from, to) in &deliveries {
            if let Some(w) = in_window(&windows, at_us) {
                let node = number_after(&w.fault, "node: ") as usize;
                assert!(
                    from != node && to != node,
                    "{from}->{to} at {at_us} during {}",
                    w.fault
                );
                inside += 1;
            }
        }
        assert!(inside > 100, "the others keep talking ({inside})");
    }
}

#[test]
fn one_way_blocks_only_the_outgoing_side() {
    let (deliveries, windows, _) = traced_run(FaultKind::OneWay, 12);
    assert!(windows.len() >= 3);
    let mut into_node = 0;
    for &(at_us, from, to) in &deliveries {
        if let Some(w) = in_window(&windows, at_us) {
            let node = number_after(&w.fault, "node: ") as usize;
            assert_ne!(from, node, "{from}->{to} at {at_us} during {}", w.fault);
            into_node += usize::from(to == node);
        }
    }
    assert!(
        into_node > 50,
        "messages to the node still arrive ({into_node})"
    );
}

#[test]
fn halves_block_across_the_cut_both_ways() {
    let (deliveries, windows, _) = traced_run(FaultKind::PartitionHalves, 13);
    assert!(windows.len() >= 3);
    for &(at_us, from, to) in &deliveries {
        if let Some(w) = in_window(&windows, at_us) {
            let minority = number_after(&w.fault, "minority: ");
            let side = |n: usize| minority & (1 << n) != 0;
            assert_eq!(
                side(from),
                side(to),
                "{from}->{to} at {at_us} crosses {}",
                w.fault
            );
        }
    }
    // After healing plus one latency, every pair talks again.
    let healed_us = 6_000_000 + LATENCY_US;
    for from in 0..5 {
        for to in (0..5).filter(|t| *t != from) {
            assert!(deliveries
                .iter()
                .any(|&(t, f, d)| t >= healed_us && f == from && d == to));
        }
    }
}
