//! `report merge`: the `run --json` files of the shards of one sweep, read
//! back and joined into the summary of the whole sweep.
//!
//! Each file is checked on its own first (it parses, its counts agree with
//! its results, every seed belongs to its range and shard, once), then the
//! files against each other (one scenario, one range, one set of planted
//! bugs, one shard count, no seed twice, no shard missing). The merged
//! summary equals, but for the wall time, the summary of the range run in
//! one process: the per-seed results are the same, and the statistics are
//! rebuilt from the exact `totals` of each file.

use crate::stats::OpTally;
use crate::summary::{
    failure_kind, RunSummary, SeedResult, SeedSpan, Shard, Status, FAILURE_KINDS,
};
use crate::totals::TotalsJson;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;

/// Most seeds a merged summary holds, as one `run` does (see
/// `MAX_SEEDS_PER_RUN` in the binary): the results are kept in memory.
pub const MAX_MERGED_SEEDS: u64 = 10_000_000;

/// Why files cannot be merged. `file` names the file at fault, when one is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeError {
    pub file: Option<String>,
    pub message: String,
}

impl fmt::Display for MergeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for MergeError {}

/// A `run --json` file as written; unknown fields are ignored, so that files
/// of later versions that only add fields still merge.
#[derive(Deserialize)]
struct RunFile {
    scenario: String,
    seeds: SeedSpan,
    #[serde(default)]
    shard: Option<Shard>,
    bugs: Vec<String>,
    passed: u64,
    failed: u64,
    totals: TotalsJson,
    results: Vec<ResultFile>,
}

#[derive(Deserialize)]
struct ResultFile {
    seed: u64,
    status: Status,
    trace_hash: String,
    events: u64,
    virtual_ms: u64,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    replay: Option<String>,
    #[serde(default)]
    ops: BTreeMap<String, OpTally>,
}

/// Reads one `run --json` file's text into the summary it was written from
/// (but for `wall_ms`, which the summary keeps in microseconds). `name` is
/// how errors name the file.
pub fn from_json(name: &str, text: &str) -> Result<RunSummary, MergeError> {
    let error = |message: String| MergeError {
        file: Some(name.to_string()),
        message,
    };
    let file: RunFile = serde_json::from_str(text).map_err(|e| {
        let hint = if e.to_string().contains("missing field `totals`")
            || e.to_string().contains("missing field `bugs`")
        {
            " (files written before `report merge` existed lack it: run the shard again)"
        } else {
            ""
        };
        error(format!("not a `raftsim run --json` file: {e}{hint}"))
    })?;
    summary_of(file).map_err(error)
}

fn summary_of(file: RunFile) -> Result<RunSummary, String> {
    let span = file.seeds;
    if span.start >= span.end {
        return Err(format!(
            "seeds {}..{} is an empty range",
            span.start, span.end
        ));
    }
    if let Some(shard) = file.shard {
        if shard.count == 0 || shard.index >= shard.count {
            return Err(format!(
                "shard {}/{}: the index must be below the count",
                shard.index, shard.count
            ));
        }
    }
    let (totals, stats) = file.totals.to_parts()?;
    let expected = seeds_in(span, file.shard);
    if file.results.len() as u64 != expected {
        return Err(format!(
            "holds {} results, but {} belong to {}",
            file.results.len(),
            expected,
            describe(span, file.shard)
        ));
    }
    if stats.seeds != expected {
        return Err(format!(
            "totals.seeds is {}, but the file holds {expected} results",
            stats.seeds
        ));
    }
    let mut results = Vec::with_capacity(file.results.len());
    let mut last: Option<u64> = None;
    for r in file.results {
        if !belongs(r.seed, span, file.shard) {
            return Err(format!(
                "seed {} does not belong to {}",
                r.seed,
                describe(span, file.shard)
            ));
        }
        if last.is_some_and(|l| l >= r.seed) {
            return Err(format!(
                "seed {} is out of order or repeated in results",
                r.seed
            ));
        }
        last = Some(r.seed);
        results.push(result_of(r)?);
    }
    let failed = results.iter().filter(|r| r.status == Status::Fail).count() as u64;
    if (file.passed, file.failed) != (expected - failed, failed) {
        return Err(format!(
            "says {} passed and {} failed, but its results hold {} passes and {failed} failures",
            file.passed,
            file.failed,
            expected - failed
        ));
    }
    Ok(RunSummary {
        scenario: file.scenario,
        seeds: span,
        shard: file.shard,
        passed: expected - failed,
        failed,
        wall_ms: totals.wall_us / 1_000,
        stats,
        results,
        bugs: file.bugs,
        totals,
        shards_merged: 0,
    })
}

fn result_of(r: ResultFile) -> Result<SeedResult, String> {
    let seed = r.seed;
    if r.trace_hash.len() != 16 || !r.trace_hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "seed {seed}: trace_hash must be 16 hex digits, got {:?}",
            r.trace_hash
        ));
    }
    let kind = match (&r.status, r.kind.as_deref()) {
        (Status::Pass, None) => None,
        (Status::Pass, Some(_)) => return Err(format!("seed {seed} passed but has a kind")),
        (Status::Fail, None) => return Err(format!("seed {seed} failed without a kind")),
        (Status::Fail, Some(name)) => Some(failure_kind(name).ok_or_else(|| {
            let known: Vec<&str> = FAILURE_KINDS.iter().map(|k| k.as_str()).collect();
            format!(
                "seed {seed}: unknown kind {name:?} (known: {})",
                known.join(", ")
            )
        })?),
    };
    if kind.is_some() && r.replay.is_none() {
        return Err(format!("seed {seed} failed without a replay command"));
    }
    Ok(SeedResult {
        seed,
        status: r.status,
        trace_hash: r.trace_hash.to_ascii_lowercase(),
        events: r.events,
        virtual_ms: r.virtual_ms,
        kind,
        message: r.message,
        replay: r.replay,
        ops: r.ops,
    })
}

/// Joins the summaries of the shards of one sweep, given with the names of
/// their files. Every shard must be there once; a single unsharded summary
/// merges into itself. The merged wall time is the sum of the shards'.
pub fn merge(parts: Vec<(String, RunSummary)>) -> Result<RunSummary, MergeError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(MergeError {
            file: None,
            message: "no files to merge".to_string(),
        });
    };
    let (first_name, first) = (first_name.clone(), first.clone());
    let count = first.shard.map_or(1, |s| s.count);
    let mut by_index: BTreeMap<u64, &str> = BTreeMap::new();
    for (name, part) in &parts {
        let mismatch = |what: &str, theirs: String, ours: String| {
            MergeError {
            file: Some(name.clone()),
            message: format!(
                "{what} {theirs} differs from {ours} in {first_name}: only shards of one sweep merge"
            ),
        }
        };
        if part.scenario != first.scenario {
            return Err(mismatch(
                "scenario",
                format!("{:?}", part.scenario),
                format!("{:?}", first.scenario),
            ));
        }
        if part.seeds != first.seeds {
            let range = |s: SeedSpan| format!("{}..{}", s.start, s.end);
            return Err(mismatch(
                "seed range",
                range(part.seeds),
                range(first.seeds),
            ));
        }
        if part.bugs != first.bugs {
            let bugs = |b: &[String]| format!("[{}]", b.join(", "));
            return Err(mismatch(
                "planted bugs",
                bugs(&part.bugs),
                bugs(&first.bugs),
            ));
        }
        let index = part.shard.map_or(0, |s| s.index);
        if part.shard.map_or(1, |s| s.count) != count {
            let shard = |s: Option<Shard>| {
                s.map_or("none (the whole range)".to_string(), |s| {
                    format!("{}/{}", s.index, s.count)
                })
            };
            return Err(mismatch("shard", shard(part.shard), shard(first.shard)));
        }
        if let Some(other) = by_index.insert(index, name) {
            let seed = part.results.first().map_or(0, |r| r.seed);
            let why = match part.shard {
                Some(_) => format!("the same shard ({index}/{count}) was given twice"),
                None => "both hold the whole range".to_string(),
            };
            return Err(MergeError {
                file: Some(name.clone()),
                message: format!("seed {seed} is also in {other}: {why}"),
            });
        }
    }
    if let Some(missing) = (0..count).find(|i| !by_index.contains_key(i)) {
        return Err(MergeError {
            file: None,
            message: format!(
                "shard {missing}/{count} of seeds {}..{} is missing ({} of {count} shards given): \
                 its seeds would go unreported",
                first.seeds.start,
                first.seeds.end,
                by_index.len()
            ),
        });
    }
    let total = seeds_in(first.seeds, None);
    if total > MAX_MERGED_SEEDS {
        return Err(MergeError {
            file: None,
            message: format!("{total} seeds is more than {MAX_MERGED_SEEDS} in one summary"),
        });
    }
    join(parts, first)
}

/// Adds up checked, consistent parts that cover the range once.
fn join(parts: Vec<(String, RunSummary)>, first: RunSummary) -> Result<RunSummary, MergeError> {
    let mut totals = TotalsJson::default();
    let mut results: Vec<SeedResult> = Vec::new();
    let shards_merged = parts.len() as u64;
    for (name, part) in parts {
        totals
            .add(&TotalsJson::of(&part.totals, &part.stats))
            .map_err(|message| MergeError {
                file: Some(name),
                message,
            })?;
        results.extend(part.results);
    }
    results.sort_by_key(|r| r.seed);
    let (totals, stats) = totals.to_parts().map_err(|message| MergeError {
        file: None,
        message,
    })?;
    let failed = results.iter().filter(|r| r.status == Status::Fail).count() as u64;
    Ok(RunSummary {
        scenario: first.scenario,
        seeds: first.seeds,
        shard: None,
        passed: results.len() as u64 - failed,
        failed,
        wall_ms: totals.wall_us / 1_000,
        stats,
        results,
        bugs: first.bugs,
        totals,
        shards_merged,
    })
}

/// How many seeds of `span` belong to `shard`.
fn seeds_in(span: SeedSpan, shard: Option<Shard>) -> u64 {
    let len = span.end.saturating_sub(span.start);
    match shard {
        None => len,
        Some(s) if s.index >= len => 0,
        Some(s) => (len - s.index).div_ceil(s.count),
    }
}

fn belongs(seed: u64, span: SeedSpan, shard: Option<Shard>) -> bool {
    let in_shard = match shard {
        None => true,
        Some(s) => (seed - span.start) % s.count == s.index,
    };
    (span.start..span.end).contains(&seed) && in_shard
}

fn describe(span: SeedSpan, shard: Option<Shard>) -> String {
    match shard {
        None => format!("seeds {}..{}", span.start, span.end),
        Some(s) => format!(
            "shard {}/{} of seeds {}..{}",
            s.index, s.count, span.start, span.end
        ),
    }
}
