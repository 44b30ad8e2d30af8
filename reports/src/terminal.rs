//! The summary people read after `raftsim run`: what ran, every failure kind
//! with replay commands, the client operations, totals and speed, and the
//! verdict as the last line.

use crate::number::{grouped, per_second, rate, seconds};
use crate::operations;
use crate::summary::{RunSummary, SeedResult, FAILURE_KINDS};
use std::fmt::Write;

/// Failures listed one by one (message and replay command) per group of
/// failures that broke the same thing; the rest of a group are named by
/// seed. The JSON output always holds every seed.
pub const FAILURES_LISTED_PER_GROUP: usize = 3;

/// Seeds named after the listed failures of one group, before a count.
const SEEDS_NAMED_PER_GROUP: usize = 20;

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
    if s.shards_merged > 1 {
        let _ = write!(out, ", merged from {} shards", s.shards_merged);
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
    for kind in FAILURE_KINDS {
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
        let groups = by_signature(&of_kind);
        // One group needs no heading of its own: the kind's line is its heading.
        let indent = if groups.len() > 1 { "      " } else { "    " };
        for (signature, group) in &groups {
            if groups.len() > 1 {
                let _ = writeln!(out, "    {signature} ({})", seeds(group.len() as u64));
            }
            for result in group.iter().take(FAILURES_LISTED_PER_GROUP) {
                failure(out, result, indent, paint);
            }
            more_seeds(out, group, indent, paint);
        }
    }
}

/// Failures of one kind grouped by what broke: the first words of their
/// messages with numbers masked (`key 3 is not linearizable` and `key 4 is
/// not linearizable` are one group). Groups in order of their first seed.
fn by_signature<'r>(results: &[&'r SeedResult]) -> Vec<(String, Vec<&'r SeedResult>)> {
    let mut groups: Vec<(String, Vec<&SeedResult>)> = Vec::new();
    for &result in results {
        let sig = signature(result.message.as_deref().unwrap_or(""));
        match groups.iter_mut().find(|(s, _)| *s == sig) {
            Some((_, group)) => group.push(result),
            None => groups.push((sig, vec![result])),
        }
    }
    groups
}

/// What a failure message says broke: the text before its first `: ` (a
/// property, a key, a panic's place), at most 80 characters, with every
/// word that is a plain number written `N` (section numbers stay).
fn signature(message: &str) -> String {
    let head = message.split(": ").next().unwrap_or("");
    let words: Vec<String> = head
        .split_whitespace()
        .map(|word| {
            let number = word.trim_end_matches([',', ';', ')']);
            if !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit()) {
                format!("N{}", &word[number.len()..])
            } else {
                word.to_string()
            }
        })
        .collect();
    let text = words.join(" ");
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// After the listed failures of a group: the seeds of the others, the
/// first [`SEEDS_NAMED_PER_GROUP`] by number, then a count.
fn more_seeds(out: &mut String, group: &[&SeedResult], indent: &str, paint: &Paint) {
    let rest = group.get(FAILURES_LISTED_PER_GROUP..).unwrap_or(&[]);
    if rest.is_empty() {
        return;
    }
    let named: Vec<String> = rest
        .iter()
        .take(SEEDS_NAMED_PER_GROUP)
        .map(|r| r.seed.to_string())
        .collect();
    let unnamed = rest.len().saturating_sub(SEEDS_NAMED_PER_GROUP);
    let tail = if unnamed > 0 {
        format!(" and {} more", grouped(unnamed as u64))
    } else {
        String::new()
    };
    let noun = if rest.len() == 1 { "seed" } else { "seeds" };
    let line = format!(
        "also {noun} {}{tail} (--json lists every seed)",
        named.join(", ")
    );
    let _ = writeln!(out, "{indent}{}", paint.dim(&line));
}

fn failure(out: &mut String, result: &SeedResult, indent: &str, paint: &Paint) {
    let message = result.message.as_deref().unwrap_or("");
    // A message is one line in the summary, whatever the check wrote.
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let _ = writeln!(out, "{indent}seed {}: {}", result.seed, message);
    if let Some(replay) = &result.replay {
        let _ = writeln!(out, "{indent}  {}", paint.dim(replay));
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
    let added_up = if s.shards_merged > 1 {
        format!(" (added up over {} shards)", s.shards_merged)
    } else {
        String::new()
    };
    let _ = writeln!(out, "  wall time     {}{added_up}", seconds(t.wall_us));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_mask_plain_numbers_only() {
        assert_eq!(
            signature("key 3 is not linearizable: #135 process 35 read"),
            "key N is not linearizable"
        );
        assert_eq!(
            signature("state machine safety (section 5.4.3): node 2"),
            "state machine safety (section 5.4.3)"
        );
        assert_eq!(
            signature("event budget of 2000000 events exhausted"),
            "event budget of N events exhausted"
        );
        assert_eq!(signature(""), "");
        assert_eq!(signature(&"é".repeat(100)).chars().count(), 81);
    }
}
