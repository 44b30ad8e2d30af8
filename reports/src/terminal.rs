//! The summary people read after `raftsim run`: what ran, every failure kind
//! with replay commands, the client operations, totals and speed, and the
//! verdict as the last line.

use crate::number::{grouped, per_second, rate, seconds};
use crate::operations;
use crate::summary::{RunSummary, SeedResult};
use simulator::FailureKind;
use std::fmt::Write;

/// Failures listed one by one per kind; the rest are counted. The JSON output
/// always holds every seed.
pub const FAILURES_LISTED_PER_KIND: usize = 10;

const KINDS: [FailureKind; 6] = [
    FailureKind::Linearizability,
    FailureKind::Safety,
    FailureKind::Liveness,
    FailureKind::Expectation,
    FailureKind::Panic,
    FailureKind::Limit,
];

/// ANSI styles, or none at all when colour is off.
struct Paint {
    on: bool,
}

impl Paint {
    fn wrap(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, text: &str) -> String {
        self.wrap("1", text)
    }
    fn red(&self, text: &str) -> String {
        self.wrap("1;31", text)
    }
    fn green(&self, text: &str) -> String {
        self.wrap("1;32", text)
    }
    fn dim(&self, text: &str) -> String {
        self.wrap("2", text)
    }
}

/// The terminal summary, ending in a newline. `color` adds ANSI styles: pass
/// it only when writing to a terminal and `NO_COLOR` is unset.
pub fn render_terminal(summary: &RunSummary, color: bool) -> String {
    let paint = Paint { on: color };
    let mut out = String::new();
    header(&mut out, summary, &paint);
    failures(&mut out, summary, &paint);
    let _ = writeln!(out, "\n{}", paint.bold("operations"));
    out.push_str(&operations::section(&summary.stats, |text| paint.dim(text)));
    totals(&mut out, summary, &paint);
    verdict(&mut out, summary, &paint);
    out
}

fn header(out: &mut String, s: &RunSummary, paint: &Paint) {
    let run = s.passed + s.failed;
    let _ = writeln!(out, "{}  {}", paint.bold("scenario"), s.scenario);
    let _ = write!(
        out,
        "{}     {}..{} ({}",
        paint.bold("seeds"),
        s.seeds.start,
        s.seeds.end,
        seeds(run)
    );
    if let Some(shard) = s.shard {
        let _ = write!(out, ", shard {}/{}", shard.index, shard.count);
    }
    out.push_str(")\n");
    if !s.bugs.is_empty() {
        let _ = writeln!(out, "{}      {}", paint.bold("bugs"), s.bugs.join(", "));
    }
}

fn failures(out: &mut String, s: &RunSummary, paint: &Paint) {
    if s.failed == 0 {
        return;
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint.red(&format!("failures: {}", grouped(s.failed)))
    );
    for kind in KINDS {
        let of_kind: Vec<&SeedResult> = s.results.iter().filter(|r| r.kind == Some(kind)).collect();
        if of_kind.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "  {} ({})",
            paint.red(kind.as_str()),
            seeds(of_kind.len() as u64)
        );
        for result in of_kind.iter().take(FAILURES_LISTED_PER_KIND) {
            failure(out, result, paint);
        }
        if of_kind.len() > FAILURES_LISTED_PER_KIND {
            let more = (of_kind.len() - FAILURES_LISTED_PER_KIND) as u64;
            let _ = writeln!(
                out,
                "    ... and {} more {} {} (--json lists every seed)",
                grouped(more),
                kind.as_str(),
                if more == 1 { "failure" } else { "failures" }
            );
        }
    }
}

fn failure(out: &mut String, result: &SeedResult, paint: &Paint) {
    let message = result.message.as_deref().unwrap_or("");
    // A message is one line in the summary, whatever the check wrote.
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(out, "    seed {}: {}", result.seed, message);
    if let Some(replay) = &result.replay {
        let _ = writeln!(out, "      {}", paint.dim(replay));
    }
}

fn totals(out: &mut String, s: &RunSummary, paint: &Paint) {
    let t = &s.totals;
    let run = s.passed + s.failed;
    let _ = writeln!(out, "\n{}", paint.bold("totals"));
    let _ = writeln!(out, "  events        {}", grouped(t.events));
    let _ = writeln!(out, "  virtual time  {}", seconds(t.virtual_us));
    let _ = writeln!(
        out,
        "  messages      {} sent, {} dropped",
        grouped(t.messages_sent),
        grouped(t.messages_dropped)
    );
    let _ = writeln!(
        out,
        "  faults        {} crashes, {} partitions",
        grouped(t.crashes),
        grouped(t.partitions)
    );
    let _ = writeln!(out, "  wall time     {}", seconds(t.wall_us));
    let speed = match (per_second(run, t.wall_us), per_second(t.events, t.wall_us)) {
        (Some(seeds), Some(events)) => format!(
            "{} seeds/s, {} events/s, virtual/wall {}x",
            rate(seeds),
            rate(events),
            grouped((t.virtual_us as f64 / t.wall_us as f64).round() as u64)
        ),
        _ => "too fast to measure".to_string(),
    };
    let _ = writeln!(out, "  speed         {speed}");
}

fn verdict(out: &mut String, s: &RunSummary, paint: &Paint) {
    let run = s.passed + s.failed;
    out.push('\n');
    if s.failed == 0 {
        let _ = writeln!(out, "{} all {} passed", paint.green("PASS"), seeds(run));
    } else {
        let _ = writeln!(
            out,
            "{} {} of {} failed, {} passed",
            paint.red("FAIL"),
            grouped(s.failed),
            seeds(run),
            grouped(s.passed)
        );
    }
}

/// `1 seed`, `1,000 seeds`.
fn seeds(count: u64) -> String {
    let noun = if count == 1 { "seed" } else { "seeds" };
    format!("{} {noun}", grouped(count))
}
