//! The KV service under the default faults, end to end: every history is
//! checked for linearizability after the run (see `simulator::raft::run_seed`).

use checker::{Outcome, Value};
use scenarios::{ClientMode, ReadMode, Scenario, WorkloadKind};
use simulator::raft::{run_seed, run_seed_with_history};

fn passes(scenario: &Scenario, seeds: std::ops::Range<u64>) {
    for seed in seeds {
        let o = run_seed(scenario, seed, None);
        assert!(o.passed(), "seed {seed}: {:?}", o.failure);
        assert!(
            o.workload.operations() > 0,
            "seed {seed}: clients issued operations"
        );
    }
}

#[test]
fn lin_kv_with_read_index_passes() {
    passes(&Scenario::default(), 0..30);
}

#[test]
fn lin_kv_with_reads_through_the_log_passes() {
    let mut s = Scenario::default();
    s.workload.read_mode = ReadMode::Log;
    passes(&s, 0..30);
}

#[test]
fn mit_6824_kv_passes() {
    let mut s = Scenario::default();
    s.workload.kind = WorkloadKind::Kv824;
    passes(&s, 0..30);
}

#[test]
fn open_loop_clients_pass() {
    let mut s = Scenario::default();
    s.workload.mode = ClientMode::Open;
    s.workload.rate_per_s = 200.0;
    passes(&s, 0..20);
}

/// A write that timed out (`info`) and took effect later: a get saw its
/// (unique) appended value after the append was invoked, and the checker
/// accepted the history. Both halves must happen somewhere in the first
/// seeds, or the test proves nothing.
#[test]
fn a_timed_out_write_that_took_effect_later_is_accepted() {
    let mut s = Scenario::default();
    s.workload.kind = WorkloadKind::Kv824;
    for seed in 0..200 {
        let (o, ops) = run_seed_with_history(&s, seed, None);
        assert!(o.passed(), "seed {seed}: {:?}", o.failure);
        let late = ops.iter().filter(|w| w.f == "append" && w.outcome == Outcome::Info).any(|w| {
            let Some((key, Value::Str(value))) = w.input.as_pair() else { return false };
            ops.iter().any(|r| {
                r.f == "get"
                    && r.outcome == Outcome::Ok
                    && r.invoke_time > w.invoke_time
                    && matches!(r.output.as_pair(), Some((k, Value::Str(seen))) if k == key && seen.contains(value.as_str()))
            })
        });
        if late {
            return;
        }
    }
    panic!("no seed in 0..200 had a timed-out append whose value a later get saw");
}

/// Planted bugs of the KV service are found as linearizability failures,
/// the way a user's bug would be: from seeds, by the checker.
#[test]
fn follower_reads_are_found_by_the_checker() {
    let mut s = Scenario::default();
    s.cluster.bugs.push("follower-read".into());
    let found = (0..100).find_map(|seed| run_seed(&s, seed, None).failure);
    let f = found.expect("follower-read is found within 100 seeds");
    assert_eq!(f.kind, simulator::FailureKind::Linearizability, "{f:?}");
}

/// A read-only workload is served after healing too: liveness is judged on
/// client operations, not on commands in the log.
#[test]
fn a_read_only_workload_is_live() {
    let mut s = Scenario::default();
    s.workload.write_weight = 0;
    s.workload.cas_weight = 0;
    passes(&s, 0..20);
}
