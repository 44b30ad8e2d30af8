//! The client operations of a run as people read them: a table per operation
//! type (counts and latency percentiles in virtual milliseconds), then
//! messages per operation, elections and time without a leader.

use crate::number::{grouped, millis, millis_f, percent, seconds};
use crate::stats::{all_ops, RunStats, QUANTILES};
use simulator::{LatencyHistogram, OpCounts, WorkloadStats};

/// The table's columns after the operation name.
const HEADER: [&str; 11] = [
    "count", "ok", "fail", "info", "min", "mean", "p50", "p90", "p95", "p99", "max",
];

/// The table rows (header first): one per operation type, then `all` when
/// there is more than one type. Cells are unpadded.
fn rows(workload: &WorkloadStats) -> Vec<Vec<String>> {
    let mut rows = vec![std::iter::once("op")
        .chain(HEADER)
        .map(str::to_string)
        .collect()];
    for (name, counts) in &workload.ops {
        rows.push(row(name, counts));
    }
    if workload.ops.len() > 1 {
        rows.push(row("all", &all_ops(workload)));
    }
    rows
}

fn row(name: &str, c: &OpCounts) -> Vec<String> {
    let mut cells = vec![
        name.to_string(),
        grouped(c.total()),
        grouped(c.ok),
        grouped(c.fail),
        grouped(c.info),
    ];
    cells.extend(latency_cells(&c.latency));
    cells
}

/// min, mean, the quantiles and max in ms; `-` when nothing completed.
fn latency_cells(h: &LatencyHistogram) -> Vec<String> {
    let Some(mean_us) = h.mean_us() else {
        return vec!["-".to_string(); 3 + QUANTILES.len()];
    };
    let mut cells = vec![millis(h.min_us), millis_f(mean_us)];
    for (_, q) in QUANTILES {
        cells.push(h.quantile_us(q).map_or_else(|| "-".to_string(), millis));
    }
    cells.push(millis(h.max_us));
    cells
}

/// The rows as aligned lines, indented by two spaces: the name column to the
/// left, the numbers to the right, two spaces between columns.
fn table(rows: &[Vec<String>]) -> Vec<String> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|r| r.get(i))
                .map(|cell| cell.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    rows.iter()
        .map(|r| {
            let mut line = String::from(" ");
            for (i, cell) in r.iter().enumerate() {
                if i == 0 {
                    line.push_str(&format!(" {cell:<w$}", w = widths[i]));
                } else {
                    line.push_str(&format!("  {cell:>w$}", w = widths[i]));
                }
            }
            line
        })
        .collect()
}

/// The section's lines after its heading, each ending in a newline. `dim`
/// styles the footnote.
pub fn section(stats: &RunStats, dim: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    if stats.workload.ops.is_empty() {
        out.push_str("  no client operations\n");
    } else {
        for line in table(&rows(&stats.workload)) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    let per_op = stats
        .messages_per_op()
        .map_or_else(|| "-".to_string(), |x| format!("{x:.1}"));
    out.push_str(&format!(
        "  messages      {per_op} sent per completed operation ({} completed)\n",
        grouped(stats.operations_completed)
    ));
    let per_seed = stats
        .elections_per_seed()
        .map_or_else(String::new, |x| format!(", {x:.2} per seed"));
    out.push_str(&format!(
        "  elections     {} leaders elected{per_seed}\n",
        grouped(stats.leader_elections)
    ));
    if stats.snapshots + stats.snapshot_installs > 0 {
        out.push_str(&format!(
            "  snapshots     {} made, {} installed from a leader, largest {} bytes\n",
            grouped(stats.snapshots),
            grouped(stats.snapshot_installs),
            grouped(stats.snapshot_bytes_max)
        ));
    }
    if stats.membership_changes > 0 {
        out.push_str(&format!(
            "  membership    {} configuration entries committed\n",
            grouped(stats.membership_changes)
        ));
    }
    let share = stats
        .leaderless_ratio()
        .map_or_else(|| "-".to_string(), percent);
    out.push_str(&format!(
        "  unavailable   {share} of virtual time without a leader ({})\n",
        seconds(stats.workload.leaderless_us)
    ));
    out.push_str(&format!(
        "  {}\n",
        dim("latency in virtual ms over ok and fail operations; percentiles within 12.5 %")
    ));
    out
}

/// One line for a single seed: `read 40 ok, 2 fail, 1 info; write ...`.
pub fn counts_line(workload: &WorkloadStats) -> String {
    if workload.ops.is_empty() {
        return "none".to_string();
    }
    workload
        .ops
        .iter()
        .map(|(name, c)| {
            format!(
                "{name} {} ok, {} fail, {} info",
                grouped(c.ok),
                grouped(c.fail),
                grouped(c.info)
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// One line of latencies over every operation type: `min 1.02, mean ...`.
pub fn latency_line(workload: &WorkloadStats) -> String {
    let all = all_ops(workload);
    if all.latency.count == 0 {
        return "none completed".to_string();
    }
    let names = ["min", "mean"]
        .into_iter()
        .chain(QUANTILES.iter().map(|(name, _)| *name))
        .chain(["max"]);
    names
        .zip(latency_cells(&all.latency))
        .map(|(name, cell)| format!("{name} {cell}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_and_empty_latency_is_a_dash() {
        let mut workload = WorkloadStats::default();
        let read = workload.ops.entry("read".to_string()).or_default();
        read.ok = 1_200;
        read.latency.record(2_000);
        workload.ops.entry("cas".to_string()).or_default().info = 3;
        let lines = table(&rows(&workload));
        assert_eq!(lines.len(), 4, "{lines:#?}");
        let width = lines[0].len();
        assert!(lines.iter().all(|l| l.len() == width), "{lines:#?}");
        assert!(lines[1].starts_with("  cas "), "{lines:#?}");
        assert!(lines[1].ends_with("  -"), "{lines:#?}");
        assert!(lines[3].starts_with("  all "), "{lines:#?}");
        assert!(lines[3].contains("1,203"), "{lines:#?}");
    }
}
