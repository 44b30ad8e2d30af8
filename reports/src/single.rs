//! The outcome of one replayed seed, printed after its trace.

use crate::number::{grouped, seconds};
use crate::operations::{counts_line, latency_line};
use simulator::RunOutcome;
use std::fmt::Write;

/// The outcome of `raftsim replay` as `key: value` lines, ending in a
/// newline. Scripts may rely on the `result:` and `trace hash:` lines.
pub fn render_replay(scenario: &str, bugs: &[String], outcome: &RunOutcome, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {scenario}");
    let _ = writeln!(out, "seed: {}", outcome.seed);
    if !bugs.is_empty() {
        let _ = writeln!(out, "bugs: {}", bugs.join(", "));
    }
    match &outcome.failure {
        None => {
            let _ = writeln!(out, "result: {}", paint("1;32", "pass"));
        }
        Some(failure) => {
            let _ = writeln!(out, "result: {}", paint("1;31", "fail"));
            let _ = writeln!(out, "kind: {}", failure.kind.as_str());
            let message = failure
                .message
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            let _ = writeln!(out, "message: {message}");
            let _ = writeln!(out, "failed at: {} virtual", seconds(failure.at_us));
        }
    }
    let _ = writeln!(out, "trace hash: {:016x}", outcome.trace_hash);
    let _ = writeln!(out, "events: {}", grouped(outcome.events));
    let _ = writeln!(out, "virtual time: {}", seconds(outcome.virtual_us));
    let _ = writeln!(
        out,
        "messages: {} sent, {} delivered, {} dropped, {} duplicated",
        grouped(outcome.engine.messages_sent),
        grouped(outcome.engine.messages_delivered),
        grouped(outcome.engine.messages_dropped),
        grouped(outcome.engine.messages_duplicated)
    );
    let _ = writeln!(
        out,
        "faults: {} crashes, {} restarts, {} partitions",
        grouped(outcome.engine.crashes),
        grouped(outcome.engine.restarts),
        grouped(outcome.engine.partitions)
    );
    let _ = writeln!(
        out,
        "elections: {} (highest term {})",
        grouped(outcome.protocol.leader_elections),
        outcome.protocol.max_term
    );
    let _ = writeln!(
        out,
        "committed: {} entries, {} commands",
        grouped(outcome.protocol.committed_entries),
        grouped(outcome.protocol.committed_commands)
    );
    let p = &outcome.protocol;
    if p.snapshots + p.snapshot_installs > 0 {
        let _ = writeln!(
            out,
            "snapshots: {} made, {} installed from a leader, largest {} bytes; largest Raft state at the end {} bytes",
            grouped(p.snapshots),
            grouped(p.snapshot_installs),
            grouped(p.snapshot_bytes_max),
            grouped(p.raft_state_bytes_end)
        );
    }
    if p.membership_changes > 0 {
        let _ = writeln!(
            out,
            "membership: {} configuration entries committed",
            grouped(p.membership_changes)
        );
    }
    let _ = writeln!(out, "operations: {}", counts_line(&outcome.workload));
    let _ = writeln!(
        out,
        "latency (virtual ms): {}",
        latency_line(&outcome.workload)
    );
    let _ = writeln!(
        out,
        "without a leader: {}",
        seconds(outcome.workload.leaderless_us)
    );
    out
}
