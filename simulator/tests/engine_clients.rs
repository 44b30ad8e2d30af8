//! Clients: requests reach nodes and replies complete operations; redirects,
//! retries and timeouts resend the same request or give it up; late replies
//! are ignored; closed and open loops pace operations; client draws never
//! shift the network's.

mod engine_common;

use engine_common::{Call, DiskCheck, Toy, ToyConfig, ToyResult, ToyWorkload};
use scenarios::{ClientMode, FaultKind, LatencySpec, Scenario};
use simulator::{run_with_options, Answer, RunOptions, RunOutcome};

const LATENCY_US: u64 = 1_000;

/// No faults, no loss, constant 1 ms latency, 2 s; `clients` closed-loop
/// clients with a 300 ms timeout and 100 ms retries.
fn calm(clients: usize, seed: u64) -> RunOptions {
    let mut s = Scenario::default();
    s.faults.enabled = false;
    s.network.latency = LatencySpec::Constant {
        ms: LATENCY_US as f64 / 1000.0,
    };
    s.network.drop_ratio_max = 0.0;
    s.network.duplicate_ratio_max = 0.0;
    s.phases.faulty_ms = 2_000;
    s.phases.healing_ms = 0;
    s.workload.clients = clients;
    s.workload.request_timeout_ms = 300;
    s.workload.retry_ms = 100;
    RunOptions::draw(&s, seed)
}

fn go(
    options: &RunOptions,
    config: &ToyConfig,
    trace: Option<&mut dyn FnMut(&str)>,
) -> (RunOutcome, ToyWorkload) {
    let mut workload = ToyWorkload::default();
    let outcome = run_with_options::<Toy, _, _>(
        options,
        config,
        &mut DiskCheck::default(),
        &mut workload,
        trace,
    );
    assert!(outcome.passed(), "{:?}", outcome.failure);
    (outcome, workload)
}

/// `(at_us, seq)` of every invocation of `client`.
fn invokes(w: &ToyWorkload, client: usize) -> Vec<(u64, u64)> {
    w.invocations()
        .filter(|i| i.0 == client)
        .map(|(_, _, seq, at_us)| (at_us, seq))
        .collect()
}

#[test]
fn a_request_reaches_the_leader_and_its_reply_completes_the_operation() {
    let (outcome, w) = go(&calm(1, 1), &ToyConfig::default(), None);
    let ops = invokes(&w, 0);
    assert!(ops.len() > 300, "{} operations", ops.len());
    // Once the client knows the leader, each operation takes one round trip.
    for pair in ops[1..].windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, 2 * LATENCY_US, "{pair:?}");
    }
    let done: Vec<&Call> = w
        .calls
        .iter()
        .filter(|c| {
            matches!(
                c,
                Call::Respond {
                    answer: Answer::Done,
                    ..
                }
            )
        })
        .collect();
    assert_eq!(done.len() as u64, outcome.engine.operations_completed);
    assert_eq!(outcome.engine.operations_completed + 1, ops.len() as u64);
    for call in done {
        let Call::Respond { response, .. } = call else {
            unreachable!()
        };
        assert_eq!((response.from, response.result), (0, ToyResult::Ok));
    }
    assert_eq!(outcome.engine.timeouts, 0);
    assert_eq!(outcome.engine.client_messages_dropped, 0);
    assert_eq!(
        outcome.engine.requests_sent,
        outcome.engine.responses_delivered + 1,
        "one request per answer, and the last one is in flight at the end"
    );
}

#[test]
fn a_redirect_resends_the_same_request_to_the_hinted_node() {
    let mut redirects = 0;
    for seed in 0..10 {
        let (outcome, w) = go(&calm(5, seed), &ToyConfig::default(), None);
        // Every redirect (from a follower, hinting node 0) is followed, after
        // the backoff (retry_ms / 10) and a round trip, by node 0's Done for
        // the same operation.
        for (i, call) in w.calls.iter().enumerate() {
            let Call::Respond {
                client,
                response,
                answer: Answer::Redirect(Some(0)),
                at_us,
                ..
            } = call
            else {
                continue;
            };
            assert_ne!(response.from, 0);
            let next = w.calls[i + 1..].iter().find_map(|c| match c {
                Call::Respond {
                    client: c2,
                    response: r,
                    answer,
                    at_us: t,
                    ..
                } if c2 == client => Some((r.clone(), *answer, *t)),
                _ => None,
            });
            let (r, answer, t) = next.expect("an answer after the redirect");
            assert_eq!((r.seq, r.from, answer), (response.seq, 0, Answer::Done));
            assert_eq!(t, at_us + 10_000 + 2 * LATENCY_US);
            redirects += 1;
        }
        assert_eq!(outcome.engine.redirects as usize, {
            w.calls
                .iter()
                .filter(|c| {
                    matches!(
                        c,
                        Call::Respond {
                            answer: Answer::Redirect(_),
                            ..
                        }
                    )
                })
                .count()
        });
    }
    assert!(redirects >= 20, "{redirects} redirects");
}

#[test]
fn a_lost_request_is_retried_after_retry_ms_to_another_node() {
    let mut options = calm(3, 2);
    options.drop_ratio = 0.2;
    let mut lines = Vec::new();
    let mut sink = |line: &str| lines.push(line.to_string());
    let (outcome, _) = go(&options, &ToyConfig::default(), Some(&mut sink));
    assert!(outcome.engine.client_messages_dropped > 50);
    assert!(outcome.engine.retries > 20);
    let mut checked = 0;
    for line in &lines {
        // A lost first attempt: nothing can answer it, so exactly retry_ms
        // later the same request goes to another node.
        let Some((head, rest)) = line.split_once(" invoke ") else {
            continue;
        };
        if !rest.ends_with("(lost)") {
            continue;
        }
        let (time, who) = head.split_once("ms --  ").unwrap();
        let at_us = parse_us(time);
        if at_us + 100_000 >= outcome.virtual_us {
            // The run ends before the retry would be sent.
            continue;
        }
        let target = rest.rsplit_once("-> n").unwrap().1;
        let retry_at = format!(
            "{:>7}.{:03}ms --  {who} retry -> n",
            (at_us + 100_000) / 1000,
            (at_us + 100_000) % 1000
        );
        let retry = lines
            .iter()
            .find(|l| l.starts_with(&retry_at))
            .unwrap_or_else(|| panic!("no retry after {line}"));
        let retry_target = retry.rsplit_once("-> n").unwrap().1;
        assert_ne!(
            retry_target.trim_end_matches(" (lost)"),
            target.trim_end_matches(" (lost)")
        );
        checked += 1;
    }
    assert!(checked >= 5, "{checked} lost first attempts");
}

fn parse_us(time: &str) -> u64 {
    let (ms, us) = time.trim().split_once('.').unwrap();
    ms.parse::<u64>().unwrap() * 1000 + us.parse::<u64>().unwrap()
}

#[test]
fn without_an_answer_by_the_deadline_the_client_times_out_as_a_new_process() {
    let config = ToyConfig {
        silent_mask: u64::MAX,
        ..ToyConfig::default()
    };
    let (outcome, w) = go(&calm(2, 3), &config, None);
    let mut next_process = 2;
    let mut timeouts = 0;
    for (i, call) in w.calls.iter().enumerate() {
        let Call::Timeout {
            client,
            process,
            seq,
            at_us,
        } = *call
        else {
            continue;
        };
        let invoked = w
            .invocations()
            .find(|inv| inv.2 == seq)
            .expect("an invocation");
        assert_eq!((invoked.0, invoked.1), (client, process));
        assert_eq!(at_us, invoked.3 + 300_000, "the deadline is 300 ms");
        // The next operation starts at once, under a fresh process number.
        let Call::Invoke {
            client: c,
            process: p,
            at_us: t,
            ..
        } = w.calls[i + 1]
        else {
            panic!("no invocation after a timeout")
        };
        assert_eq!((c, p, t), (client, next_process, at_us));
        next_process += 1;
        timeouts += 1;
    }
    assert!(timeouts >= 10);
    assert_eq!(outcome.engine.timeouts, timeouts);
    assert_eq!(outcome.engine.operations_completed, 0);
    // Sends at 0, 100 and 200 ms of each operation: two retries each.
    assert!(outcome.engine.retries >= 2 * timeouts);
    assert!(outcome.engine.retries <= 2 * timeouts + 4);
}

#[test]
fn late_replies_are_stale_and_ignored() {
    let config = ToyConfig {
        reply_after_ticks: Some(50),
        ..ToyConfig::default()
    };
    let (outcome, w) = go(&calm(2, 4), &config, None);
    assert_eq!(outcome.engine.operations_completed, 0);
    assert!(outcome.engine.timeouts > 5);
    let stale = w
        .calls
        .iter()
        .filter(|c| {
            matches!(
                c,
                Call::Respond {
                    answer: Answer::Stale,
                    response,
                    ..
                } if response.result == ToyResult::Ok
            )
        })
        .count();
    assert!(stale > 5, "{stale} late Ok replies");
}

#[test]
fn closed_loop_clients_have_one_operation_in_flight_each() {
    // ToyWorkload asserts at every invocation that the client has nothing in
    // flight; here, with faults, loss and crashes, the calls alternate too.
    let s = Scenario::default();
    for seed in 0..5 {
        let options = RunOptions::draw(&s, seed);
        let (outcome, w) = go(&options, &ToyConfig::default(), None);
        assert!(outcome.engine.operations_completed > 100);
        for client in 0..s.workload.clients {
            let mut busy = false;
            for call in &w.calls {
                match *call {
                    Call::Invoke { client: c, .. } if c == client => {
                        assert!(!busy, "seed {seed}: client {client} invoked while busy");
                        busy = true;
                    }
                    Call::Timeout { client: c, .. } if c == client => busy = false,
                    Call::Respond {
                        client: c,
                        answer: Answer::Done,
                        ..
                    } if c == client => busy = false,
                    _ => {}
                }
            }
        }
    }
}

#[test]
fn open_loop_arrivals_follow_the_rate_and_skips_are_counted() {
    let mut options = calm(2, 5);
    options.client_mode = ClientMode::Open;
    options.arrival_interval_us = 10_000; // 100 per second
    let config = ToyConfig {
        reply_after_ticks: Some(3),
        ..ToyConfig::default()
    };
    let (outcome, w) = go(&options, &config, None);
    let invoked: Vec<u64> = w.invocations().map(|i| i.3).collect();
    assert!(invoked.iter().all(|t| t % 10_000 == 0), "{invoked:?}");
    let skipped = outcome.engine.open_loop_arrivals_skipped;
    assert!(skipped > 10, "{skipped} skipped");
    // Arrivals at 10, 20, ..., 1990 ms: the one at 2000 ms is the end.
    assert_eq!(invoked.len() as u64 + skipped, 199);
    // Fast replies: nothing is skipped, and one client does all the work.
    let (fast, w) = go(&options, &ToyConfig::default(), None);
    assert_eq!(fast.engine.open_loop_arrivals_skipped, 0);
    assert_eq!(w.invocations().count(), 199);
}

#[test]
fn adding_a_client_leaves_the_network_and_nemesis_draws_unchanged() {
    let mut s = Scenario::default();
    s.faults.kinds = vec![FaultKind::PartitionHalves, FaultKind::Crash];
    s.phases.faulty_ms = 3_000;
    s.phases.healing_ms = 1_000;
    let node_lines = |clients: usize, draws: u32, seed: u64| {
        let mut options = RunOptions::draw(&s, seed);
        options.clients = clients;
        let mut lines = Vec::new();
        let mut sink = |line: &str| {
            if line.contains("recv from n") || line.contains("nemesis") {
                lines.push(line.to_string());
            }
        };
        let mut workload = ToyWorkload {
            draws,
            ..ToyWorkload::default()
        };
        let outcome = run_with_options::<Toy, _, _>(
            &options,
            &ToyConfig::default(),
            &mut DiskCheck::default(),
            &mut workload,
            Some(&mut sink),
        );
        assert!(outcome.passed(), "{:?}", outcome.failure);
        let e = outcome.engine;
        let counts = (e.messages_sent, e.messages_dropped, e.messages_duplicated);
        (lines, counts, outcome.trace_hash)
    };
    for seed in 0..5 {
        let one = node_lines(1, 0, seed);
        let two = node_lines(2, 0, seed);
        assert!(one.0.len() > 1000);
        assert_eq!(one.0, two.0, "seed {seed}");
        assert_eq!(one.1, two.1, "seed {seed}");
        assert_ne!(one.2, two.2, "the clients themselves are hashed");
        // A workload that draws more from its clients' streams changes
        // nothing else either.
        assert_eq!(one, node_lines(1, 3, seed), "seed {seed}");
    }
}
