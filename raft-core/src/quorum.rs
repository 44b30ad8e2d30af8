//! Pure functions over a majority quorum: the committed index, the vote result.

/// The outcome of an election as far as the votes received tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VoteResult {
    Won,
    Lost,
    Pending,
}

/// The size of a majority of `voters`.
pub fn majority(voters: usize) -> usize {
    voters / 2 + 1
}

/// The highest index that a majority has matched: the median from the top of
/// the voters' match indices. `scratch` is reused to avoid allocation; its
/// contents on entry do not matter.
pub fn committed_index(matches: impl Iterator<Item = u64>, scratch: &mut Vec<u64>) -> u64 {
    scratch.clear();
    scratch.extend(matches);
    assert!(!scratch.is_empty(), "a quorum needs at least one voter");
    scratch.sort_unstable_by(|a, b| b.cmp(a));
    scratch[majority(scratch.len()) - 1]
}

/// Tallies votes: `granted` and `rejected` count distinct voters.
pub fn vote_result(voters: usize, granted: usize, rejected: usize) -> VoteResult {
    assert!(granted + rejected <= voters, "more votes than voters");
    let q = majority(voters);
    if granted >= q {
        VoteResult::Won
    } else if rejected >= q || voters - rejected < q {
        VoteResult::Lost
    } else {
        VoteResult::Pending
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_is_the_majority_median() {
        let mut s = Vec::new();
        assert_eq!(committed_index([5, 3, 9].into_iter(), &mut s), 5);
        assert_eq!(committed_index([1, 2, 3, 4, 5].into_iter(), &mut s), 3);
        assert_eq!(committed_index([7].into_iter(), &mut s), 7);
        assert_eq!(committed_index([4, 4, 0, 0].into_iter(), &mut s), 0);
        assert_eq!(committed_index([4, 4, 4, 0].into_iter(), &mut s), 4);
    }

    #[test]
    fn votes() {
        assert_eq!(vote_result(5, 3, 0), VoteResult::Won);
        assert_eq!(vote_result(5, 2, 2), VoteResult::Pending);
        assert_eq!(vote_result(5, 1, 3), VoteResult::Lost);
        assert_eq!(vote_result(4, 2, 2), VoteResult::Lost);
        assert_eq!(vote_result(1, 1, 0), VoteResult::Won);
    }
}
