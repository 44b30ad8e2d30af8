//! Reading a Jepsen EDN history into a [`History`].

use std::collections::BTreeMap;

use edn_format::{Keyword, Value as Edn};
use rayon::prelude::*;

use crate::edn::convert::{keyword_name, to_value};
use crate::edn::forms::{split, Form};
use crate::error::ParseError;
use crate::history::{History, Operation, Outcome, SourcePos};
use crate::value::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Invoke,
    Complete(Outcome),
}

/// One client event (an invocation or a completion).
struct Event {
    kind: Kind,
    process: u64,
    f: String,
    value: Value,
    time: Option<i64>,
    pos: SourcePos,
}

/// Parses an EDN history.
///
/// Events whose `:process` is not an integer (`:nemesis`) are skipped.
/// Operation times are the events' `:time` if every client event has one and
/// they strictly increase in file order, and the events' positions otherwise,
/// so real-time order is always the file's order.
///
/// Errors (with the line and column of the offending map): malformed EDN, a
/// truncated file, a form that is not a map, a missing or unknown `:type`, a
/// missing `:f`, an unsupported `:value`, a completion without an invocation,
/// a second invocation while one is in flight, a completion whose `:f`
/// differs from its invocation's.
pub fn parse(text: &str) -> Result<History, ParseError> {
    let forms = split(text)?;
    // Maps are independent, so they are parsed in parallel; results keep the
    // file's order, and the first error in that order is the one reported.
    let parsed: Vec<Result<Option<Event>, ParseError>> = forms
        .par_iter()
        .map(|form| to_event(&parse_form(form)?, form))
        .collect();
    let mut events = Vec::with_capacity(parsed.len());
    for event in parsed {
        if let Some(event) = event? {
            events.push(event);
        }
    }
    pair(events)
}

fn parse_form(form: &Form<'_>) -> Result<BTreeMap<Edn, Edn>, ParseError> {
    let parsed = std::panic::catch_unwind(|| edn_format::parse_str(form.text));
    let parsed = parsed.map_err(|_| {
        ParseError::new(form.line, form.column, "the EDN parser failed on this form")
    })?;
    match parsed {
        Ok(Edn::Map(map)) => Ok(map),
        Ok(other) => Err(ParseError::new(
            form.line,
            form.column,
            format!(
                "expected a map (one operation), found {}",
                short(&other.to_string())
            ),
        )),
        Err(e) => {
            // edn-format 3.3 counts the other way round from its docs: `col`
            // is the 1-based line and `row` the characters read on that line.
            let (line_in_form, column_in_line) = (e.col.max(1), e.row.max(1));
            let (line, column) = if line_in_form == 1 {
                (form.line, form.column + column_in_line - 1)
            } else {
                (form.line + line_in_form - 1, column_in_line)
            };
            Err(ParseError::new(
                line,
                column,
                format!("invalid EDN: {}", e.error),
            ))
        }
    }
}

fn short(text: &str) -> String {
    if text.chars().count() > 40 {
        format!("{}...", text.chars().take(40).collect::<String>())
    } else {
        text.to_string()
    }
}

fn field<'m>(map: &'m BTreeMap<Edn, Edn>, name: &str) -> Option<&'m Edn> {
    map.get(&Edn::Keyword(Keyword::from_name(name)))
}

/// The event of one map, or `None` for a non-client event (e.g. `:nemesis`).
fn to_event(map: &BTreeMap<Edn, Edn>, form: &Form<'_>) -> Result<Option<Event>, ParseError> {
    let err = |message: String| ParseError::new(form.line, form.column, message);
    let process = match field(map, "process") {
        None => return Err(err("missing :process".to_string())),
        Some(Edn::Integer(p)) => {
            u64::try_from(*p).map_err(|_| err(format!(":process {p} is negative")))?
        }
        Some(_) => return Ok(None),
    };
    let kind = match field(map, "type") {
        None => return Err(err("missing :type".to_string())),
        Some(Edn::Keyword(k)) => match keyword_name(k).as_str() {
            "invoke" => Kind::Invoke,
            "ok" => Kind::Complete(Outcome::Ok),
            "fail" => Kind::Complete(Outcome::Fail),
            "info" => Kind::Complete(Outcome::Info),
            other => {
                return Err(err(format!(
                    "unknown :type :{other} (expected :invoke, :ok, :fail or :info)"
                )))
            }
        },
        Some(other) => {
            return Err(err(format!(
                ":type must be a keyword, found {}",
                short(&other.to_string())
            )))
        }
    };
    let f = match field(map, "f") {
        Some(Edn::Keyword(k)) => keyword_name(k),
        Some(Edn::String(s)) => s.clone(),
        Some(other) => {
            return Err(err(format!(
                ":f must be a keyword, found {}",
                short(&other.to_string())
            )))
        }
        None => return Err(err("missing :f".to_string())),
    };
    let value = match field(map, "value") {
        Some(v) => to_value(v).map_err(|m| err(format!("in :value: {m}")))?,
        None => Value::Nil,
    };
    let time = match field(map, "time") {
        Some(Edn::Integer(t)) => Some(*t),
        _ => None,
    };
    let pos = SourcePos {
        line: form.line,
        column: form.column,
    };
    Ok(Some(Event {
        kind,
        process,
        f,
        value,
        time,
        pos,
    }))
}

/// Real-time stamps for the events: their `:time`s if usable, else positions.
fn event_times(events: &[Event]) -> Vec<u64> {
    let times: Option<Vec<u64>> = events
        .iter()
        .map(|e| e.time.and_then(|t| u64::try_from(t).ok()))
        .collect();
    match times {
        Some(times) if times.windows(2).all(|w| w[0] < w[1]) => times,
        _ => (0..events.len() as u64).collect(),
    }
}

/// Pairs invocations with completions, per process.
fn pair(events: Vec<Event>) -> Result<History, ParseError> {
    let times = event_times(&events);
    let mut ops: Vec<Operation> = Vec::new();
    let mut positions: Vec<SourcePos> = Vec::new();
    // process -> index in `ops` of its operation in flight
    let mut in_flight: BTreeMap<u64, usize> = BTreeMap::new();
    for (event, time) in events.into_iter().zip(times) {
        let err = |message: String| ParseError::new(event.pos.line, event.pos.column, message);
        match event.kind {
            Kind::Invoke => {
                if let Some(&open) = in_flight.get(&event.process) {
                    let at = positions[open];
                    return Err(err(format!(
                        "process {} invokes again while its invocation at line {}, column {} has not completed",
                        event.process, at.line, at.column
                    )));
                }
                in_flight.insert(event.process, ops.len());
                positions.push(event.pos);
                ops.push(Operation {
                    process: event.process,
                    f: event.f,
                    input: event.value,
                    output: Value::Nil,
                    invoke_time: time,
                    complete_time: None,
                    outcome: Outcome::Info,
                });
            }
            Kind::Complete(outcome) => {
                let Some(open) = in_flight.remove(&event.process) else {
                    return Err(err(format!(
                        "a :{outcome} completion for process {} without an invocation",
                        event.process
                    )));
                };
                let op = &mut ops[open];
                if op.f != event.f {
                    let at = positions[open];
                    return Err(err(format!(
                        "completion :f :{} does not match :f :{} of the invocation at line {}, column {}",
                        event.f, op.f, at.line, at.column
                    )));
                }
                op.output = event.value;
                op.complete_time = Some(time);
                op.outcome = outcome;
            }
        }
    }
    History::with_positions(ops, positions.clone()).map_err(|e| {
        let at = positions
            .get(e.op_index)
            .copied()
            .unwrap_or(SourcePos { line: 1, column: 1 });
        ParseError::new(at.line, at.column, e.message)
    })
}
