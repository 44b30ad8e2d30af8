//! The scripted steps of a run: where the script is, what it waits for, and
//! the labels its steps saved. The engine (`scripted.rs`) carries out each
//! step against the world; this module only walks the list.
//!
//! Steps run in order; `repeat` nests. A position is a stack of frames, one
//! per nesting level: the root list first, then the body of each `repeat`
//! being run.
//!
//! Each step run draws from its own random stream, derived from the step's
//! text and how many identical steps ran before it: not from its position,
//! so that removing a step (as shrinking does) leaves every other step's
//! draws unchanged.

use crate::rng;
use rand_chacha::ChaCha8Rng;
use scenarios::{Condition, StepSpec};
use std::collections::BTreeMap;

/// One nesting level: the step at `index` of its list, in repetition
/// `iteration` of the enclosing `repeat` (0 at the root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Frame {
    index: usize,
    iteration: u32,
}

/// What the script is doing between events.
#[derive(Clone, Debug, PartialEq)]
pub enum State {
    /// Ready to run its next step (a `Script` event is queued).
    Ready,
    /// Waiting for a fixed time (a `Script` event is queued for its end).
    Sleeping,
    /// Watching a condition after every event.
    Watching(Watch),
    /// Every step has run.
    Done,
}

/// A condition being watched, with what it is measured against.
#[derive(Clone, Debug, PartialEq)]
pub struct Watch {
    pub condition: Condition,
    /// The step's nodes (`among`), or `None` for the condition's default.
    pub among: Option<u64>,
    /// `ops`: how many completions are needed.
    pub count: u64,
    /// What the world was when the step began.
    pub ops_at_start: u64,
    pub term_at_start: u64,
    pub commit_at_start: u64,
    /// When the step began.
    pub start_us: u64,
    /// Until when: by then an eventual condition must have come true, or a
    /// lasting one has held long enough.
    pub deadline_us: Option<u64>,
    pub mode: WatchMode,
    /// The step's position, for messages (`steps.2.steps.0`).
    pub position: String,
}

/// How a watched condition ends the step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WatchMode {
    /// `wait until`: go on when it holds, or at the deadline regardless.
    Until,
    /// `expect within`: go on when it holds; at the deadline, fail.
    Within,
    /// `expect for`: fail as soon as it does not hold; go on at the deadline.
    Throughout,
}

/// The script of one run.
#[derive(Debug)]
pub struct Script {
    steps: Vec<StepSpec>,
    frames: Vec<Frame>,
    pub state: State,
    /// Bumped whenever the state changes, so that a queued `Script` event of
    /// an earlier state does nothing.
    pub generation: u32,
    labels: BTreeMap<String, u64>,
    seed: u64,
    /// Runs so far of each step text (by its hash).
    occurrences: BTreeMap<u64, u32>,
}

impl Script {
    pub fn new(steps: Vec<StepSpec>, seed: u64) -> Script {
        let state = if steps.is_empty() {
            State::Done
        } else {
            State::Ready
        };
        Script {
            steps,
            frames: vec![Frame {
                index: 0,
                iteration: 0,
            }],
            state,
            generation: 0,
            labels: BTreeMap::new(),
            seed,
            occurrences: BTreeMap::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn done(&self) -> bool {
        self.state == State::Done
    }

    /// Whether a condition must be evaluated after every event.
    #[inline]
    pub fn watching(&self) -> bool {
        matches!(self.state, State::Watching(_))
    }

    /// Moves to `state` and returns the new generation.
    pub fn set_state(&mut self, state: State) -> u32 {
        self.state = state;
        self.generation = self.generation.wrapping_add(1);
        self.generation
    }

    /// The list the frame at `depth` walks.
    fn list_at(&self, depth: usize) -> &[StepSpec] {
        let mut list: &[StepSpec] = &self.steps;
        for frame in &self.frames[..depth] {
            match &list[frame.index] {
                StepSpec::Repeat { steps, .. } => list = steps,
                other => unreachable!("frame inside a {} step", other.name()),
            }
        }
        list
    }

    /// The step to run now, with its random stream, entering `repeat`
    /// bodies on the way (the step returned is never a `repeat`). `None`
    /// when the script is done. Call once per step, then [`Script::advance`].
    pub fn next_step(&mut self) -> Option<(StepSpec, ChaCha8Rng)> {
        let step = self.current()?;
        let text = fnv1a(format!("{step:?}").as_bytes());
        let seen = self.occurrences.entry(text).or_insert(0);
        let rng = rng::script_stream(self.seed, mix(text ^ mix(u64::from(*seen))));
        *seen += 1;
        Some((step, rng))
    }

    fn current(&mut self) -> Option<StepSpec> {
        loop {
            let depth = self.frames.len() - 1;
            let list = self.list_at(depth);
            let index = self.frames[depth].index;
            if index >= list.len() {
                if depth == 0 {
                    self.set_state(State::Done);
                    return None;
                }
                // End of a repeat body: again, or on after the repeat.
                let times = match &self.list_at(depth - 1)[self.frames[depth - 1].index] {
                    StepSpec::Repeat { times, .. } => *times,
                    _ => unreachable!("a body belongs to a repeat"),
                };
                let frame = &mut self.frames[depth];
                frame.iteration += 1;
                if frame.iteration < times {
                    frame.index = 0;
                } else {
                    self.frames.pop();
                    self.frames[depth - 1].index += 1;
                }
                continue;
            }
            match &list[index] {
                StepSpec::Repeat { .. } => self.frames.push(Frame {
                    index: 0,
                    iteration: 0,
                }),
                step => return Some(step.clone()),
            }
        }
    }

    /// The current step is over: the next one runs next.
    pub fn advance(&mut self) {
        let depth = self.frames.len() - 1;
        self.frames[depth].index += 1;
    }

    /// Where the script is, as a dotted key with 0-based indices (and the
    /// iteration of each repeat, when inside one), e.g. `steps.1.steps.0 (repetition 3)`.
    pub fn position(&self) -> String {
        let mut text = String::from("steps");
        let mut iterations = Vec::new();
        for (depth, frame) in self.frames.iter().enumerate() {
            if depth > 0 {
                text.push_str(".steps");
                iterations.push((frame.iteration + 1).to_string());
            }
            text.push_str(&format!(".{}", frame.index));
        }
        if !iterations.is_empty() {
            text.push_str(&format!(" (repetition {})", iterations.join("/")));
        }
        text
    }

    pub fn save_label(&mut self, label: &str, nodes: u64) {
        self.labels.insert(label.to_string(), nodes);
    }

    pub fn label(&self, label: &str) -> Option<u64> {
        self.labels.get(label).copied()
    }
}

/// FNV-1a over `bytes`: a fixed, platform-independent hash of a step's text.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;
    use scenarios::{Target, Term};

    fn crash(id: u64) -> StepSpec {
        StepSpec::Crash {
            target: Target::one(Term::Node(id)),
            label: None,
        }
    }

    fn walk(script: &mut Script) -> Vec<(StepSpec, String)> {
        let mut seen = Vec::new();
        while let Some((step, _)) = script.next_step() {
            seen.push((step, script.position()));
            script.advance();
            assert!(seen.len() < 100);
        }
        seen
    }

    #[test]
    fn repeats_nest_and_positions_name_them() {
        let steps = vec![
            crash(0),
            StepSpec::Repeat {
                times: 2,
                steps: vec![
                    crash(1),
                    StepSpec::Repeat {
                        times: 2,
                        steps: vec![crash(2)],
                    },
                ],
            },
            crash(3),
        ];
        let mut script = Script::new(steps, 7);
        let seen = walk(&mut script);
        let positions: Vec<&str> = seen.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            positions,
            [
                "steps.0",
                "steps.1.steps.0 (repetition 1)",
                "steps.1.steps.1.steps.0 (repetition 1/1)",
                "steps.1.steps.1.steps.0 (repetition 1/2)",
                "steps.1.steps.0 (repetition 2)",
                "steps.1.steps.1.steps.0 (repetition 2/1)",
                "steps.1.steps.1.steps.0 (repetition 2/2)",
                "steps.2",
            ]
        );
        assert!(script.done());
    }

    #[test]
    fn a_step_keeps_its_stream_when_another_is_removed() {
        use rand::RngCore;
        let draws = |steps: Vec<StepSpec>| {
            let mut script = Script::new(steps, 3);
            let mut draws = Vec::new();
            while let Some((_, mut rng)) = script.next_step() {
                draws.push(rng.next_u64());
                script.advance();
            }
            draws
        };
        let abc = draws(vec![crash(0), crash(1), crash(2)]);
        let ac = draws(vec![crash(0), crash(2)]);
        assert_eq!(ac, [abc[0], abc[2]]);
        // The same step twice draws from two streams.
        let aa = draws(vec![crash(0), crash(0)]);
        assert_eq!(aa[0], abc[0]);
        assert_ne!(aa[0], aa[1]);
    }
}
