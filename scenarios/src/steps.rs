//! Scripted faults: a list of steps the simulator runs in order, in virtual
//! time, alongside (or instead of) the random nemesis.
//!
//! A step either acts at once (partition, crash, pause, clock jump, ...) and
//! the next step follows at the same instant, or takes time (a wait, an
//! expectation that must come true within a bound or hold for a duration).
//! Targets are symbolic (`"leader"`, `"a follower"`, `"minority"`, a label
//! saved by an earlier step) and are resolved when the step runs, against the
//! cluster as it is then. Random choices of a step (which follower, how long
//! a random wait lasts) come from that step's own random stream, so removing
//! one step does not change what the others draw.

use serde::{Deserialize, Serialize};
use std::fmt;

/// One step of a script, tagged by its `do` key.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "do", rename_all = "kebab-case", deny_unknown_fields)]
pub enum StepSpec {
    /// Let time pass: exactly `ms` (which may have a fraction: the shrinker
    /// writes a run's fault times to the microsecond), a duration uniform in
    /// `[ms_min, ms_max]`, or until a condition holds (at most `timeout_ms`,
    /// then go on anyway).
    Wait {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms_min: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ms_max: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<Condition>,
        /// With `until = "ops"`: how many operations must complete.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timeout_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        among: Option<Target>,
    },
    /// Assert a condition: now, within `within_ms` (it must come true by
    /// then), or throughout `for_ms` (it must hold the whole time). A
    /// condition that does not hold fails the run with kind `expectation`.
    Expect {
        that: Condition,
        /// With `that = "ops"`: how many operations must complete.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        count: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        within_ms: Option<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        for_ms: Option<u64>,
        /// The nodes the condition looks at (leader conditions and
        /// `caught-up`); see [`Condition`] for each one's default.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        among: Option<Target>,
    },
    /// Split the cluster into `groups`: links between different groups are
    /// cut both ways; nodes named in no group form one more group. Replaces
    /// the previous `partition`.
    Partition {
        groups: Vec<Target>,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Cut `target` off from every node outside it, both ways.
    Isolate {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// MIT 6.824's `disconnect(i)`: every link of each target node is cut,
    /// also to other disconnected nodes, until `connect`.
    Disconnect {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// MIT 6.824's `connect(i)`: the target nodes talk again with every node
    /// that is not disconnected.
    Connect {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Messages from `from` to `to` are lost; the other direction works.
    OneWay {
        from: Target,
        to: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Undo every scripted link fault: partitions, isolations, disconnections
    /// and one-way cuts.
    Heal {},
    /// Crash the target nodes (unsynced writes are lost).
    Crash {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Restart crashed nodes from their durable state (default: every node
    /// that is down).
    Restart {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<Target>,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Pause the target processes (like SIGSTOP): no ticks; messages, client
    /// requests and sync completions wait until `resume`.
    Pause {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Resume paused nodes (default: every paused node).
    Resume {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<Target>,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The target nodes' clocks jump by `ms` (forward: the ticks of that
    /// span arrive at once; backward: no tick for that span).
    ClockJump {
        target: Target,
        ms: i64,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// The target nodes' clocks run at `ppm` parts per million off from now on.
    ClockDrift {
        target: Target,
        ppm: i32,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Change the network's random faults from now on (each key optional;
    /// the healing phase still switches loss and duplication off).
    Network {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        drop_ratio: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        duplicate_ratio: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_drop_ratio: Option<f64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply_duplicate_ratio: Option<f64>,
    },
    /// Run `steps` `times` times.
    Repeat { times: u32, steps: Vec<StepSpec> },
    /// Leadership transfer (Raft thesis section 3.10): the leader (as
    /// `leader` names it) hands leadership to the first node of `target`;
    /// nothing happens when no node leads or the target is the leader.
    Transfer {
        target: Target,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
    /// Membership change (Raft thesis chapter 4, with joint consensus): the
    /// leader (as `leader` names it) is asked for one configuration change:
    /// the nodes of `add_learners` join as learners (members that receive
    /// the log but do not vote), the learners of `promote` become voters,
    /// and the members of `remove` (voters or learners) leave. A change of
    /// voters goes through a joint configuration. The leader refuses while
    /// an earlier change is uncommitted, when a promoted node is not a
    /// caught-up learner, or when no voter would be left; a refused step,
    /// or one with no leader, does nothing (the trace says why).
    /// Invariant (checked by validation): at least one of the three keys.
    Reconfigure {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        add_learners: Option<Target>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        promote: Option<Target>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        remove: Option<Target>,
        #[serde(default, rename = "as", skip_serializing_if = "Option::is_none")]
        label: Option<String>,
    },
}

impl StepSpec {
    /// The `do` name of the step, as written in files.
    pub fn name(&self) -> &'static str {
        match self {
            StepSpec::Wait { .. } => "wait",
            StepSpec::Expect { .. } => "expect",
            StepSpec::Partition { .. } => "partition",
            StepSpec::Isolate { .. } => "isolate",
            StepSpec::Disconnect { .. } => "disconnect",
            StepSpec::Connect { .. } => "connect",
            StepSpec::OneWay { .. } => "one-way",
            StepSpec::Heal {} => "heal",
            StepSpec::Crash { .. } => "crash",
            StepSpec::Restart { .. } => "restart",
            StepSpec::Pause { .. } => "pause",
            StepSpec::Resume { .. } => "resume",
            StepSpec::ClockJump { .. } => "clock-jump",
            StepSpec::ClockDrift { .. } => "clock-drift",
            StepSpec::Network { .. } => "network",
            StepSpec::Repeat { .. } => "repeat",
            StepSpec::Transfer { .. } => "transfer",
            StepSpec::Reconfigure { .. } => "reconfigure",
        }
    }

    /// The label the step saves its resolved target under, if any.
    pub fn label(&self) -> Option<&str> {
        match self {
            StepSpec::Partition { label, .. }
            | StepSpec::Isolate { label, .. }
            | StepSpec::Disconnect { label, .. }
            | StepSpec::Connect { label, .. }
            | StepSpec::OneWay { label, .. }
            | StepSpec::Crash { label, .. }
            | StepSpec::Restart { label, .. }
            | StepSpec::Pause { label, .. }
            | StepSpec::Resume { label, .. }
            | StepSpec::ClockJump { label, .. }
            | StepSpec::ClockDrift { label, .. }
            | StepSpec::Transfer { label, .. }
            | StepSpec::Reconfigure { label, .. } => label.as_deref(),
            _ => None,
        }
    }

    /// Number of steps, counting each repetition's body once per repetition
    /// (a measure of a script's size for reports and shrinking).
    pub fn size(&self) -> u64 {
        match self {
            StepSpec::Repeat { times, steps } => {
                u64::from(*times).saturating_mul(steps.iter().map(StepSpec::size).sum::<u64>())
            }
            _ => 1,
        }
    }
}

/// What a `wait` waits for or an `expect` asserts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Condition {
    /// Among `among` (default: the live, unpaused nodes that can exchange
    /// messages with a majority of the voters), exactly one node believes it leads in the
    /// highest term any of them leads in (MIT 6.824's `checkOneLeader`).
    OneLeader,
    /// No node of `among` (default: every live, unpaused node that is not
    /// disconnected) believes it leads (6.824's `checkNoLeader`).
    NoLeader,
    /// Some client operation completes (ok or a definite failure) after the
    /// step began.
    Progress,
    /// No client operation completes.
    NoProgress,
    /// At least `count` client operations complete after the step began.
    Ops,
    /// The highest term of any node stays what it was when the step began
    /// (6.824 InitialElection2A: no needless elections).
    SameTerm,
    /// Every live node of `among` (default: every member) has a commit index at
    /// least the highest any node had when the step began (6.824's
    /// `one(cmd, servers)`: the entry reached every server).
    CaughtUp,
}

impl Condition {
    pub fn name(self) -> &'static str {
        match self {
            Condition::OneLeader => "one-leader",
            Condition::NoLeader => "no-leader",
            Condition::Progress => "progress",
            Condition::NoProgress => "no-progress",
            Condition::Ops => "ops",
            Condition::SameTerm => "same-term",
            Condition::CaughtUp => "caught-up",
        }
    }
}

/// A symbolic set of nodes: one term or a list of terms (their union).
/// Within one step, terms that draw at random (`follower`, `any`,
/// `minority`, `majority`, `voter`, `learner`, `spare`) never pick a node an
/// earlier term of the same step picked, so `["leader", "follower",
/// "follower"]` is three nodes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target(pub Vec<Term>);

/// One term of a [`Target`].
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Term {
    /// Node id `0..nodes` (written `2` or `"n2"`).
    Node(u64),
    /// The live node that believes it leads in the highest term (a step
    /// with this target fails the run when no node leads).
    Leader,
    /// The leader if there is one, else no node (written `"leader?"`).
    LeaderIfAny,
    /// A random live node that does not believe it leads and is not
    /// disconnected.
    Follower,
    /// A random crashed node, if any (written `"any-down"`).
    AnyDown,
    /// A random live node.
    Any,
    /// `(nodes - 1) / 2` random nodes.
    Minority,
    /// `nodes / 2 + 1` random nodes.
    Majority,
    /// Every node.
    All,
    /// Every node no other term of the step names (in a partition: nodes in
    /// no other group).
    Rest,
    /// Nodes not disconnected by a `disconnect` step.
    Connected,
    /// Nodes disconnected by a `disconnect` step.
    Disconnected,
    /// Crashed nodes.
    Down,
    /// Paused nodes.
    Paused,
    /// The nodes an earlier step saved with `as = "name"` (written `"$name"`).
    Label(String),
    /// Every node not in that label (written `"!$name"`).
    NotLabel(String),
    /// A random voter of the current configuration, in the leader's view
    /// of the membership (written `"voter"` or `"a voter"`).
    Voter,
    /// A random learner, in the leader's view of the membership (written
    /// `"learner"` or `"a learner"`).
    Learner,
    /// A random node outside the configuration, neither voter nor learner,
    /// in the leader's view of the membership (written `"spare"` or
    /// `"a spare"`).
    Spare,
    /// Every voter of the current configuration (written `"voters"`).
    Voters,
    /// Every learner (written `"learners"`).
    Learners,
    /// Every node outside the configuration (written `"spares"`).
    Spares,
    /// Text that is no target; validation reports it with what was expected.
    Invalid(String),
}

impl fmt::Display for Term {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Term::Node(id) => write!(f, "n{id}"),
            Term::Leader => f.write_str("leader"),
            Term::LeaderIfAny => f.write_str("leader?"),
            Term::Follower => f.write_str("follower"),
            Term::AnyDown => f.write_str("any-down"),
            Term::Any => f.write_str("any"),
            Term::Minority => f.write_str("minority"),
            Term::Majority => f.write_str("majority"),
            Term::All => f.write_str("all"),
            Term::Rest => f.write_str("rest"),
            Term::Connected => f.write_str("connected"),
            Term::Disconnected => f.write_str("disconnected"),
            Term::Down => f.write_str("down"),
            Term::Paused => f.write_str("paused"),
            Term::Label(name) => write!(f, "${name}"),
            Term::NotLabel(name) => write!(f, "!${name}"),
            Term::Voter => f.write_str("voter"),
            Term::Learner => f.write_str("learner"),
            Term::Spare => f.write_str("spare"),
            Term::Voters => f.write_str("voters"),
            Term::Learners => f.write_str("learners"),
            Term::Spares => f.write_str("spares"),
            Term::Invalid(_) => f.write_str("?"),
        }
    }
}

const TERM_NAMES: &str = "a node id (2 or \"n2\"), \"leader\", \"leader?\", \"follower\", \"any\", \
                          \"minority\", \"majority\", \"all\", \"rest\", \"connected\", \"disconnected\", \
                          \"down\", \"any-down\", \"paused\", \"voter\", \"learner\", \"spare\", \
                          \"voters\", \"learners\", \"spares\", \"$label\" or \"!$label\"";

impl std::str::FromStr for Term {
    type Err = String;

    fn from_str(text: &str) -> Result<Term, String> {
        let term = match text {
            "leader" | "the leader" => Term::Leader,
            "leader?" => Term::LeaderIfAny,
            "follower" | "a follower" => Term::Follower,
            "any-down" => Term::AnyDown,
            "any" | "a node" => Term::Any,
            "minority" | "a minority" => Term::Minority,
            "majority" | "a majority" | "the majority" => Term::Majority,
            "all" => Term::All,
            "rest" | "the rest" => Term::Rest,
            "connected" => Term::Connected,
            "disconnected" => Term::Disconnected,
            "down" => Term::Down,
            "paused" => Term::Paused,
            "voter" | "a voter" => Term::Voter,
            "learner" | "a learner" => Term::Learner,
            "spare" | "a spare" => Term::Spare,
            "voters" => Term::Voters,
            "learners" => Term::Learners,
            "spares" => Term::Spares,
            _ => {
                if let Some(name) = text.strip_prefix("!$") {
                    Term::NotLabel(label_name(name)?)
                } else if let Some(name) = text.strip_prefix('$') {
                    Term::Label(label_name(name)?)
                } else if let Some(id) = text.strip_prefix('n').and_then(|d| d.parse().ok()) {
                    Term::Node(id)
                } else {
                    return Err(format!("{TERM_NAMES}, not `{text}`"));
                }
            }
        };
        Ok(term)
    }
}

/// A label is a non-empty name of letters, digits, `-` and `_`.
pub fn label_name(name: &str) -> Result<String, String> {
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(name.to_string())
    } else {
        Err(format!(
            "a label of letters, digits, `-` and `_`, got `{name}`"
        ))
    }
}

/// How a target is read: an id, a name, a list of them, or anything else
/// (kept as an invalid term, so that validation can point at its key).
#[derive(Deserialize)]
#[serde(untagged)]
enum TargetIn {
    Id(u64),
    Name(String),
    List(Vec<TermIn>),
    Other(serde::de::IgnoredAny),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum TermIn {
    Id(u64),
    Name(String),
    Other(serde::de::IgnoredAny),
}

/// How a target is written back: the shortest form.
#[derive(Serialize)]
#[serde(untagged)]
enum TargetOut {
    Id(u64),
    Name(String),
    List(Vec<TermOut>),
}

#[derive(Serialize)]
#[serde(untagged)]
enum TermOut {
    Id(u64),
    Name(String),
}

const TARGET_FORMS: &str =
    "a node id (2 or \"n2\"), a name such as \"leader\" or \"$label\", or a list of them";

impl From<TermIn> for Term {
    fn from(repr: TermIn) -> Term {
        match repr {
            TermIn::Id(id) => Term::Node(id),
            TermIn::Name(name) => name.parse().unwrap_or_else(Term::Invalid),
            TermIn::Other(_) => Term::Invalid(format!("a target: {TARGET_FORMS}")),
        }
    }
}

impl<'de> Deserialize<'de> for Target {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Target, D::Error> {
        let terms = match TargetIn::deserialize(d)? {
            TargetIn::Id(id) => vec![Term::Node(id)],
            TargetIn::Name(name) => vec![name.parse().unwrap_or_else(Term::Invalid)],
            TargetIn::List(list) if list.is_empty() => {
                vec![Term::Invalid(
                    "a target that names at least one node".into(),
                )]
            }
            TargetIn::List(list) => list.into_iter().map(Term::from).collect(),
            TargetIn::Other(_) => vec![Term::Invalid(format!("a target: {TARGET_FORMS}"))],
        };
        Ok(Target(terms))
    }
}

impl Serialize for Target {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let out = |term: &Term| match term {
            Term::Node(id) => TermOut::Id(*id),
            other => TermOut::Name(other.to_string()),
        };
        match self.0.as_slice() {
            [Term::Node(id)] => TargetOut::Id(*id),
            [one] => TargetOut::Name(one.to_string()),
            terms => TargetOut::List(terms.iter().map(out).collect()),
        }
        .serialize(s)
    }
}

impl Target {
    pub fn one(term: Term) -> Target {
        Target(vec![term])
    }

    /// Every term, with the labels they refer to.
    pub fn labels(&self) -> impl Iterator<Item = &str> {
        self.0.iter().filter_map(|t| match t {
            Term::Label(name) | Term::NotLabel(name) => Some(name.as_str()),
            _ => None,
        })
    }
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<String> = self.0.iter().map(Term::to_string).collect();
        if names.len() == 1 {
            f.write_str(&names[0])
        } else {
            write!(f, "[{}]", names.join(", "))
        }
    }
}

/// Largest number of steps a script may run, repetitions included.
pub const SCRIPT_SIZE_MAX: u64 = 1_000_000;
/// Deepest nesting of `repeat` steps.
pub const REPEAT_DEPTH_MAX: usize = 8;
/// Longest wait, window or clock jump a step may give: one virtual day.
pub const STEP_MS_MAX: u64 = 86_400_000;

/// Checks a script against a cluster of `nodes`: every key a step needs is
/// there and in range, node ids exist, labels are saved before they are
/// used, repetitions are bounded. Errors name the key as a dotted path with
/// 0-based step indices, e.g. `steps.2.target`.
pub(crate) fn validate(steps: &[StepSpec], nodes: usize) -> Result<(), crate::ValidationError> {
    let mut labels = Vec::new();
    validate_list(steps, nodes, "steps", 0, &mut labels)?;
    let size: u64 = steps.iter().map(StepSpec::size).sum();
    if size > SCRIPT_SIZE_MAX {
        return Err(err(
            "steps",
            format!("at most {SCRIPT_SIZE_MAX} steps with repetitions counted, got {size}"),
        ));
    }
    Ok(())
}

fn err(key: &str, message: String) -> crate::ValidationError {
    crate::ValidationError {
        key: key.to_string(),
        message,
    }
}

fn validate_list(
    steps: &[StepSpec],
    nodes: usize,
    path: &str,
    depth: usize,
    labels: &mut Vec<String>,
) -> Result<(), crate::ValidationError> {
    for (i, step) in steps.iter().enumerate() {
        let at = format!("{path}.{i}");
        validate_step(step, nodes, &at, depth, labels)?;
        if let Some(label) = step.label() {
            label_name(label).map_err(|m| err(&format!("{at}.as"), m))?;
            labels.push(label.to_string());
        }
    }
    Ok(())
}

fn validate_step(
    step: &StepSpec,
    nodes: usize,
    at: &str,
    depth: usize,
    labels: &mut Vec<String>,
) -> Result<(), crate::ValidationError> {
    let target = |key: &str, t: &Target| check_target(t, nodes, &format!("{at}.{key}"), labels);
    let ms = |key: &str, v: u64| {
        if v > STEP_MS_MAX {
            Err(err(
                &format!("{at}.{key}"),
                format!("at most {STEP_MS_MAX} ms"),
            ))
        } else {
            Ok(())
        }
    };
    match step {
        StepSpec::Wait {
            ms: fixed,
            ms_min,
            ms_max,
            until,
            count,
            timeout_ms,
            among,
        } => {
            let forms = usize::from(fixed.is_some())
                + usize::from(ms_min.is_some() || ms_max.is_some())
                + usize::from(until.is_some());
            if forms != 1 {
                return Err(err(
                    at,
                    "a wait with exactly one of `ms`, `ms_min` and `ms_max`, or `until`".into(),
                ));
            }
            if let Some(v) = fixed {
                if !(v.is_finite() && *v >= 0.0 && *v <= STEP_MS_MAX as f64) {
                    return Err(err(
                        &format!("{at}.ms"),
                        format!("a number of milliseconds from 0 to {STEP_MS_MAX}, got {v}"),
                    ));
                }
            }
            if ms_min.is_some() || ms_max.is_some() {
                let (Some(lo), Some(hi)) = (ms_min, ms_max) else {
                    return Err(err(
                        &format!("{at}.ms_min"),
                        "both `ms_min` and `ms_max`".into(),
                    ));
                };
                if lo > hi {
                    return Err(err(
                        &format!("{at}.ms_min"),
                        format!("ms_min <= ms_max, got {lo} and {hi}"),
                    ));
                }
                ms("ms_max", *hi)?;
            }
            if until.is_none() && (timeout_ms.is_some() || count.is_some() || among.is_some()) {
                return Err(err(
                    at,
                    "`timeout_ms`, `count` and `among` only with `until`".into(),
                ));
            }
            if let Some(v) = timeout_ms {
                ms("timeout_ms", *v)?;
            }
            if let Some(cond) = until {
                check_condition(*cond, *count, among.as_ref(), at)?;
            }
            if let Some(t) = among {
                target("among", t)?;
            }
        }
        StepSpec::Expect {
            that,
            count,
            within_ms,
            for_ms,
            among,
        } => {
            if within_ms.is_some() && for_ms.is_some() {
                return Err(err(
                    &format!("{at}.for_ms"),
                    "either `within_ms` or `for_ms`, not both".into(),
                ));
            }
            if let Some(v) = within_ms {
                ms("within_ms", *v)?;
            }
            if let Some(v) = for_ms {
                ms("for_ms", *v)?;
            }
            check_condition(*that, *count, among.as_ref(), at)?;
            if let Some(t) = among {
                target("among", t)?;
            }
        }
        StepSpec::Partition { groups, .. } => {
            if groups.is_empty() {
                return Err(err(&format!("{at}.groups"), "at least one group".into()));
            }
            for (g, group) in groups.iter().enumerate() {
                target(&format!("groups.{g}"), group)?;
            }
        }
        StepSpec::Isolate { target: t, .. }
        | StepSpec::Disconnect { target: t, .. }
        | StepSpec::Connect { target: t, .. }
        | StepSpec::Crash { target: t, .. }
        | StepSpec::Pause { target: t, .. }
        | StepSpec::Transfer { target: t, .. } => target("target", t)?,
        StepSpec::Restart { target: t, .. } | StepSpec::Resume { target: t, .. } => {
            if let Some(t) = t {
                target("target", t)?;
            }
        }
        StepSpec::Reconfigure {
            add_learners,
            promote,
            remove,
            ..
        } => {
            if add_learners.is_none() && promote.is_none() && remove.is_none() {
                return Err(err(
                    at,
                    "a reconfigure step with at least one of `add_learners`, `promote` and \
                     `remove`"
                        .into(),
                ));
            }
            for (key, t) in [
                ("add_learners", add_learners),
                ("promote", promote),
                ("remove", remove),
            ] {
                if let Some(t) = t {
                    target(key, t)?;
                }
            }
        }
        StepSpec::OneWay { from, to, .. } => {
            target("from", from)?;
            target("to", to)?;
        }
        StepSpec::Heal {} => {}
        StepSpec::ClockJump {
            target: t,
            ms: jump,
            ..
        } => {
            target("target", t)?;
            if jump.unsigned_abs() > STEP_MS_MAX {
                return Err(err(
                    &format!("{at}.ms"),
                    format!("a jump of at most {STEP_MS_MAX} ms either way"),
                ));
            }
        }
        StepSpec::ClockDrift { target: t, ppm, .. } => {
            target("target", t)?;
            if ppm.unsigned_abs() >= 500_000 {
                return Err(err(
                    &format!("{at}.ppm"),
                    format!("a drift below 500000 ppm either way, got {ppm}"),
                ));
            }
        }
        StepSpec::Network {
            drop_ratio,
            duplicate_ratio,
            reply_drop_ratio,
            reply_duplicate_ratio,
        } => {
            for (key, v) in [
                ("drop_ratio", drop_ratio),
                ("duplicate_ratio", duplicate_ratio),
                ("reply_drop_ratio", reply_drop_ratio),
                ("reply_duplicate_ratio", reply_duplicate_ratio),
            ] {
                if let Some(v) = v {
                    if !(0.0..=1.0).contains(v) {
                        return Err(err(
                            &format!("{at}.{key}"),
                            format!("a ratio in [0, 1], got {v}"),
                        ));
                    }
                }
            }
        }
        StepSpec::Repeat { times, steps } => {
            if *times == 0 {
                return Err(err(&format!("{at}.times"), "at least 1".into()));
            }
            if steps.is_empty() {
                return Err(err(&format!("{at}.steps"), "at least one step".into()));
            }
            if depth + 1 > REPEAT_DEPTH_MAX {
                return Err(err(
                    at,
                    format!("repeats nested at most {REPEAT_DEPTH_MAX} deep"),
                ));
            }
            validate_list(steps, nodes, &format!("{at}.steps"), depth + 1, labels)?;
        }
    }
    Ok(())
}

fn check_condition(
    cond: Condition,
    count: Option<u64>,
    among: Option<&Target>,
    at: &str,
) -> Result<(), crate::ValidationError> {
    match (cond, count) {
        (Condition::Ops, None) => {
            return Err(err(
                &format!("{at}.count"),
                "a `count` of operations with `ops`".into(),
            ))
        }
        (Condition::Ops, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(err(
                &format!("{at}.count"),
                "`count` only with the condition `ops`".into(),
            ))
        }
    }
    let takes_among = matches!(
        cond,
        Condition::OneLeader | Condition::NoLeader | Condition::CaughtUp
    );
    if among.is_some() && !takes_among {
        return Err(err(
            &format!("{at}.among"),
            format!(
                "`among` only with one-leader, no-leader or caught-up, not {}",
                cond.name()
            ),
        ));
    }
    Ok(())
}

fn check_target(
    target: &Target,
    nodes: usize,
    key: &str,
    labels: &[String],
) -> Result<(), crate::ValidationError> {
    for term in &target.0 {
        match term {
            Term::Invalid(message) => return Err(err(key, message.clone())),
            Term::Node(id) if *id >= nodes as u64 => {
                return Err(err(
                    key,
                    format!("a node id below {nodes} (the cluster's size), got {id}"),
                ))
            }
            Term::Label(name) | Term::NotLabel(name) if !labels.iter().any(|l| l == name) => {
                return Err(err(
                    key,
                    format!("a label saved by an earlier step with `as = \"{name}\"`, but none is"),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}
