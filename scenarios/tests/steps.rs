//! Scripted steps and expectations in files: the parsed form of catalogue
//! scenarios (golden), one test per kind of mistake in a step or an
//! expectation with its line and column, and every catalogue file parses.

use scenarios::{parse, ScenarioError, CATALOGUE};

fn error_of(text: &str) -> ScenarioError {
    match parse(text, "s.toml") {
        Ok(s) => panic!("expected an error, parsed {s:?}"),
        Err(e) => e,
    }
}

/// Asserts where an error points and that its message says `says`.
fn assert_error(text: &str, line: usize, column: usize, says: &str) {
    let e = error_of(text);
    assert_eq!((e.line, e.column), (line, column), "{e}");
    assert!(e.message.contains(says), "{e}");
    assert!(!e.message.contains('\n'), "one line: {e:?}");
}

fn catalogue(name: &str) -> &'static str {
    CATALOGUE
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("no catalogue file {name}"))
}

#[test]
fn every_catalogue_file_parses_and_names_itself() {
    for (name, text) in CATALOGUE {
        // Bug names are checked by the binary; parse checks the rest.
        let s = parse(text, &format!("{name}.toml")).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(&s.name, name);
        assert!(!s.description.is_empty(), "{name}: no description");
    }
}

#[test]
fn golden_reelection_2a() {
    let s = parse(catalogue("ReElection2A"), "ReElection2A.toml").unwrap();
    insta::assert_debug_snapshot!(s.steps);
}

#[test]
fn golden_persist22c_nested_repeat() {
    let s = parse(catalogue("Persist22C"), "Persist22C.toml").unwrap();
    insta::assert_debug_snapshot!(s.steps);
}

#[test]
fn golden_follower_read_must_fail() {
    let s = parse(catalogue("follower-read"), "follower-read.toml").unwrap();
    insta::assert_debug_snapshot!((s.cluster.bugs, s.expect));
}

#[test]
fn golden_count2b_metric_bounds() {
    let s = parse(catalogue("Count2B"), "Count2B.toml").unwrap();
    insta::assert_debug_snapshot!((s.workload.stop_ms, s.expect));
}

#[test]
fn an_unknown_step_kind_lists_the_known_ones() {
    assert_error(
        "[[steps]]\ndo = \"explode\"\n",
        2,
        6,
        "unknown variant `explode`, expected one of `wait`",
    );
}

#[test]
fn an_unknown_key_in_a_nested_step_points_at_it() {
    let text = "[[steps]]\ndo = \"repeat\"\ntimes = 2\n[[steps.steps]]\ndo = \"crash\"\ntarget = 1\ncolour = \"red\"\n";
    assert_error(text, 7, 1, "unknown field `colour`");
}

#[test]
fn a_missing_key_of_a_step_is_named() {
    assert_error(
        "[[steps]]\ndo = \"crash\"\n",
        1,
        1,
        "missing field `target`",
    );
}

#[test]
fn an_unknown_target_points_at_its_key() {
    assert_error(
        "[[steps]]\ndo = \"crash\"\ntarget = \"leeder\"\n",
        3,
        1,
        "steps.0.target: expected a node id",
    );
}

#[test]
fn a_target_of_the_wrong_type_points_at_its_key() {
    assert_error(
        "[[steps]]\ndo = \"isolate\"\ntarget = 1.5\n",
        3,
        1,
        "steps.0.target: expected a target",
    );
}

#[test]
fn a_node_that_does_not_exist_is_named() {
    assert_error(
        "[cluster]\nnodes = 3\n[[steps]]\ndo = \"partition\"\ngroups = [[0, 1], [5]]\n",
        5,
        19,
        "a node id below 3 (the cluster's size), got 5",
    );
}

#[test]
fn a_label_used_before_it_is_saved_is_named() {
    assert_error(
        "[[steps]]\ndo = \"connect\"\ntarget = \"$old\"\n[[steps]]\ndo = \"disconnect\"\ntarget = \"leader\"\nas = \"old\"\n",
        3,
        1,
        "a label saved by an earlier step",
    );
}

#[test]
fn a_bad_label_name_is_named() {
    assert_error(
        "[[steps]]\ndo = \"crash\"\ntarget = 1\nas = \"a b\"\n",
        4,
        1,
        "steps.0.as: expected a label of letters",
    );
}

#[test]
fn a_wait_needs_exactly_one_form() {
    assert_error(
        "[[steps]]\ndo = \"wait\"\nms = 5\nuntil = \"one-leader\"\n",
        1,
        1,
        "exactly one of `ms`",
    );
    assert_error(
        "[[steps]]\ndo = \"wait\"\nms_min = 9\nms_max = 3\n",
        3,
        1,
        "ms_min <= ms_max, got 9 and 3",
    );
}

#[test]
fn an_expectation_is_either_within_or_for() {
    assert_error(
        "[[steps]]\ndo = \"expect\"\nthat = \"progress\"\nwithin_ms = 5\nfor_ms = 5\n",
        5,
        1,
        "either `within_ms` or `for_ms`",
    );
}

#[test]
fn ops_needs_a_count_and_only_ops_takes_one() {
    assert_error(
        "[[steps]]\ndo = \"expect\"\nthat = \"ops\"\nwithin_ms = 5\n",
        1,
        1,
        "a `count` of operations",
    );
    assert_error(
        "[[steps]]\ndo = \"expect\"\nthat = \"progress\"\ncount = 2\n",
        4,
        1,
        "`count` only with the condition `ops`",
    );
}

#[test]
fn among_only_where_it_means_something() {
    assert_error(
        "[[steps]]\ndo = \"expect\"\nthat = \"progress\"\namong = \"all\"\n",
        4,
        1,
        "`among` only with one-leader",
    );
}

#[test]
fn a_repeat_needs_times_and_steps() {
    assert_error(
        "[[steps]]\ndo = \"repeat\"\ntimes = 0\nsteps = []\n",
        3,
        1,
        "steps.0.times: expected at least 1",
    );
}

#[test]
fn too_many_steps_with_repetitions_are_refused() {
    let text = "[[steps]]\ndo = \"repeat\"\ntimes = 2000\n[[steps.steps]]\ndo = \"repeat\"\ntimes = 1000\n[[steps.steps.steps]]\ndo = \"heal\"\n";
    assert_error(text, 1, 3, "at most 1000000 steps");
}

#[test]
fn a_drift_that_stops_the_clock_is_refused() {
    assert_error(
        "[[steps]]\ndo = \"clock-drift\"\ntarget = 0\nppm = -600000\n",
        4,
        1,
        "a drift below 500000 ppm",
    );
}

#[test]
fn a_step_ratio_out_of_range_is_named() {
    assert_error(
        "[[steps]]\ndo = \"network\"\ndrop_ratio = 2.0\n",
        3,
        1,
        "steps.0.drop_ratio: expected a ratio in [0, 1]",
    );
}

#[test]
fn expectation_bounds_are_checked() {
    assert_error(
        "[expect]\nlatency_ms_max = -1.0\n",
        2,
        1,
        "expect.latency_ms_max: expected a finite bound",
    );
    assert_error(
        "[expect]\nkinds = [\"safety\"]\n",
        2,
        1,
        "failure kinds only with `fail = true`",
    );
    assert_error(
        "[expect]\nfail = true\nkinds = [\"boom\"]\n",
        3,
        10,
        "unknown variant `boom`",
    );
}

#[test]
fn reply_ratios_are_ratios() {
    assert_error(
        "[network]\nreply_drop_ratio_max = 1.5\n",
        2,
        1,
        "network.reply_drop_ratio_max: expected a ratio",
    );
}

/// Membership change (Raft thesis chapter 4): two spares join as learners,
/// then the learners are promoted while a voter leaves, through a joint
/// configuration. Every new target term, in both spellings.
const RECONFIGURE: &str = r#"
[cluster]
nodes = 5
voters = 3

[[steps]]
do = "reconfigure"
add_learners = ["spare", "a spare"]
as = "new"

[[steps]]
do = "reconfigure"
promote = "learners"
remove = "a voter"

[[steps]]
do = "reconfigure"
add_learners = "spares"
promote = "a learner"
remove = ["voters", "learner", "voter", "n4"]
"#;

#[test]
fn a_membership_change_parses_and_reads_back_the_same() {
    use scenarios::{StepSpec, Target, Term};
    let s = parse(RECONFIGURE, "reconfigure.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((s.cluster.nodes, s.cluster.voters), (5, Some(3)));
    assert_eq!(s.cluster.initial_voters(), 3);
    let expected = vec![
        StepSpec::Reconfigure {
            add_learners: Some(Target(vec![Term::Spare, Term::Spare])),
            promote: None,
            remove: None,
            label: Some("new".into()),
        },
        StepSpec::Reconfigure {
            add_learners: None,
            promote: Some(Target::one(Term::Learners)),
            remove: Some(Target::one(Term::Voter)),
            label: None,
        },
        StepSpec::Reconfigure {
            add_learners: Some(Target::one(Term::Spares)),
            promote: Some(Target::one(Term::Learner)),
            remove: Some(Target(vec![
                Term::Voters,
                Term::Learner,
                Term::Voter,
                Term::Node(4),
            ])),
            label: None,
        },
    ];
    assert_eq!(s.steps, expected);
    assert_eq!(s.steps[0].name(), "reconfigure");
    assert_eq!(s.steps[0].label(), Some("new"));
    let text = scenarios::to_toml(&s).expect("writes");
    let back = parse(&text, "written.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(back, s, "{text}");
}

#[test]
fn voters_are_1_to_the_number_of_nodes() {
    assert_error(
        "[cluster]\nnodes = 5\nvoters = 0\n",
        3,
        1,
        "cluster.voters: expected 1 to cluster.nodes (5) voters, got 0",
    );
    assert_error(
        "[cluster]\nnodes = 5\nvoters = 7\n",
        3,
        1,
        "cluster.voters: expected 1 to cluster.nodes (5) voters, got 7",
    );
}

#[test]
fn a_reconfigure_step_needs_a_change() {
    assert_error(
        "[[steps]]\ndo = \"reconfigure\"\nas = \"x\"\n",
        1,
        1,
        "steps.0: expected a reconfigure step with at least one of `add_learners`, `promote` and `remove`",
    );
}

#[test]
fn a_reconfigure_target_points_at_its_key() {
    assert_error(
        "[cluster]\nnodes = 3\n[[steps]]\ndo = \"reconfigure\"\nadd_learners = \"spare\"\npromote = [1, 7]\n",
        6,
        1,
        "steps.0.promote: expected a node id below 3 (the cluster's size), got 7",
    );
    assert_error(
        "[[steps]]\ndo = \"reconfigure\"\nremove = \"$gone\"\n",
        3,
        1,
        "a label saved by an earlier step",
    );
}

#[test]
fn an_unknown_term_lists_the_membership_terms() {
    assert_error(
        "[[steps]]\ndo = \"reconfigure\"\nremove = \"votre\"\n",
        3,
        1,
        "steps.0.remove: expected a node id (2 or \"n2\"), \"leader\", \"leader?\", \"follower\", \
         \"any\", \"minority\", \"majority\", \"all\", \"rest\", \"connected\", \"disconnected\", \
         \"down\", \"any-down\", \"paused\", \"voter\", \"learner\", \"spare\", \"voters\", \
         \"learners\", \"spares\", \"$label\" or \"!$label\", not `votre`",
    );
}
