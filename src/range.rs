//! Values of command-line options that need more than a number: seed ranges,
//! shards, job counts and bug names. Each parser returns a one-line message
//! that clap prints after `invalid value '...' for '--flag'`.

use reports::{SeedSpan, Shard};

/// `N` (seeds 0 to N-1) or `A..B` (A inclusive, B exclusive), never empty.
pub fn parse_seeds(text: &str) -> Result<SeedSpan, String> {
    let span = match text.split_once("..") {
        Some((start, end)) => SeedSpan {
            start: parse_u64(start, "the range start")?,
            end: parse_u64(end, "the range end")?,
        },
        None => SeedSpan {
            start: 0,
            end: parse_u64(text, "the seed count")?,
        },
    };
    if span.start >= span.end {
        return Err(format!(
            "the range {}..{} holds no seeds; use N or A..B with A < B",
            span.start, span.end
        ));
    }
    Ok(span)
}

/// `I/N`: run the seeds whose index modulo N is I, with I < N.
pub fn parse_shard(text: &str) -> Result<Shard, String> {
    let Some((index, count)) = text.split_once('/') else {
        return Err("expected I/N, e.g. 0/4".to_string());
    };
    let shard = Shard {
        index: parse_u64(index, "the shard index")?,
        count: parse_u64(count, "the shard count")?,
    };
    if shard.count == 0 {
        return Err("the shard count must be at least 1".to_string());
    }
    if shard.index >= shard.count {
        return Err(format!(
            "the shard index must be below the count {} (shards are 0-based)",
            shard.count
        ));
    }
    Ok(shard)
}

/// Most worker threads `--jobs` accepts: far above any machine's cores,
/// far below what would exhaust memory on thread stacks.
pub const MAX_JOBS: usize = 1024;

/// A thread count from 1 to [`MAX_JOBS`].
pub fn parse_jobs(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("at least 1 job is needed".to_string()),
        Ok(jobs) if jobs > MAX_JOBS => Err(format!("at most {MAX_JOBS} jobs")),
        Ok(jobs) => Ok(jobs),
        Err(_) => Err("expected a whole number of jobs, at least 1".to_string()),
    }
}

/// The name of a planted bug, as `raftsim bugs` lists them.
pub fn parse_bug(text: &str) -> Result<String, String> {
    match raft_core::Bug::from_name(text) {
        Some(bug) => Ok(bug.name().to_string()),
        None => {
            let known: Vec<&str> = raft_core::Bug::ALL.iter().map(|b| b.name()).collect();
            Err(format!("no such planted bug; known: {}", known.join(", ")))
        }
    }
}

fn parse_u64(text: &str, what: &str) -> Result<u64, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("{what} must be a whole number, got '{text}'"));
    }
    text.parse::<u64>()
        .map_err(|_| format!("{what} is larger than {}", u64::MAX))
}

/// Most seeds one invocation runs: the outcomes are kept in memory (a few
/// hundred bytes each) until the summary is written. Larger sweeps split
/// with `--shard` or consecutive ranges.
pub const MAX_SEEDS_PER_RUN: u64 = 10_000_000;

/// How many seeds of `span` belong to `shard`.
pub fn count_of(span: SeedSpan, shard: Option<Shard>) -> u64 {
    let len = span.end - span.start;
    match shard {
        None => len,
        Some(shard) if shard.index >= len => 0,
        Some(shard) => (len - shard.index).div_ceil(shard.count),
    }
}

/// The seeds of `span` that belong to `shard`, in order, or an error when
/// there are none or more than [`MAX_SEEDS_PER_RUN`].
pub fn seeds_of(span: SeedSpan, shard: Option<Shard>) -> Result<Vec<u64>, String> {
    let count = count_of(span, shard);
    if count == 0 {
        return Err(format!(
            "--shard leaves no seeds of {}..{} to run",
            span.start, span.end
        ));
    }
    if count > MAX_SEEDS_PER_RUN {
        return Err(format!(
            "{count} seeds is more than {MAX_SEEDS_PER_RUN} in one run; split the range with --shard I/N or into smaller ranges"
        ));
    }
    let (first, step) = match shard {
        None => (span.start, 1),
        Some(shard) => (span.start + shard.index, shard.count),
    };
    let step = usize::try_from(step).map_err(|_| "the shard count is too large".to_string())?;
    Ok((first..span.end).step_by(step).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_ranges() {
        assert_eq!(
            parse_seeds("1000"),
            Ok(SeedSpan {
                start: 0,
                end: 1000
            })
        );
        assert_eq!(parse_seeds("5..9"), Ok(SeedSpan { start: 5, end: 9 }));
        for bad in [
            "", "0", "9..5", "5..5", "a", "1..", "..3", "-1", "1...3", "1..2..3", " 4",
        ] {
            assert!(parse_seeds(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(parse_seeds("99999999999999999999").is_err());
    }

    #[test]
    fn shards() {
        assert_eq!(parse_shard("1/4"), Ok(Shard { index: 1, count: 4 }));
        for bad in ["4/4", "1/0", "x/2", "1", "1/", "/2", "1/2/3"] {
            assert!(parse_shard(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn shards_split_a_range_exactly() {
        let span = SeedSpan { start: 10, end: 21 };
        let mut all: Vec<u64> = (0..3)
            .flat_map(|index| seeds_of(span, Some(Shard { index, count: 3 })).unwrap_or_default())
            .collect();
        all.sort_unstable();
        assert_eq!(Ok(all), seeds_of(span, None));
        for index in 0..3 {
            let shard = Some(Shard { index, count: 3 });
            assert_eq!(
                seeds_of(span, shard).map(|s| s.len() as u64),
                Ok(count_of(span, shard))
            );
        }
        assert_eq!(
            seeds_of(span, Some(Shard { index: 1, count: 3 })),
            Ok(vec![11, 14, 17, 20])
        );
    }

    #[test]
    fn empty_shards_and_huge_ranges_are_refused() {
        let span = SeedSpan { start: 0, end: 2 };
        assert!(seeds_of(span, Some(Shard { index: 2, count: 4 })).is_err());
        let huge = SeedSpan {
            start: 0,
            end: u64::MAX,
        };
        assert!(seeds_of(huge, None).is_err());
        let shard = Some(Shard {
            index: 0,
            count: u64::MAX / 2,
        });
        assert_eq!(seeds_of(huge, shard).map(|s| s.len()), Ok(3));
    }

    #[test]
    fn jobs_and_bugs() {
        assert_eq!(parse_jobs("2"), Ok(2));
        assert!(parse_jobs("0").is_err());
        assert!(parse_jobs("-1").is_err());
        assert_eq!(
            parse_bug("figure8-commit"),
            Ok("figure8-commit".to_string())
        );
        assert!(parse_bug("figure9").is_err());
    }
}
