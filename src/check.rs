//! `raftsim check HISTORY`: the linearizability checker on a history file.
//!
//! The promise to users is `../shared/CLI.md` (the `check` section) and
//! `checker/README.md`. This module only reads the file, builds the budget
//! (the wall clock is read here, never inside the checker), prints and exits;
//! the checking itself is the `checker` crate.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use checker::{
    check, detect_format, infer_model, parse_history, Budget, CheckResult, Format, History,
    ModelKind, Verdict,
};

use crate::exit::CliError;
use crate::output::{check_writable, print_stdout, write_atomically, Target};

/// Default wall-clock budget: long enough for any realistic history, short
/// enough that CI never hangs on a pathological one.
const BUDGET_MS_DEFAULT: u64 = 60_000;
/// Default cap on the memo tables of all keys together.
const MAX_MEMORY_MB_DEFAULT: u64 = 4096;

/// Check a history (Jepsen EDN or JSON lines) for linearizability.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// The history: a Jepsen EDN file (Maelstrom, Knossos) or JSON lines (.jsonl).
    #[arg(value_name = "HISTORY")]
    pub history: PathBuf,
    /// cas-register, kv or kv-append. Default: inferred from the operations.
    #[arg(long, value_name = "MODEL")]
    pub model: Option<String>,
    /// Give up with `unknown` (exit 2) after MS milliseconds; 0 for no limit.
    #[arg(long, value_name = "MS", default_value_t = BUDGET_MS_DEFAULT)]
    pub budget_ms: u64,
    /// Give up with `unknown` after N memoised states on one key
    /// (deterministic, unlike --budget-ms).
    #[arg(long, value_name = "N")]
    pub max_states: Option<u64>,
    /// Give up with `unknown` when the search's tables exceed MB megabytes.
    #[arg(long, value_name = "MB", default_value_t = MAX_MEMORY_MB_DEFAULT)]
    pub max_memory_mb: u64,
    /// Write the per-key verdicts and counterexamples as JSON to PATH (`-` for stdout).
    #[arg(long, value_name = "PATH")]
    pub json: Option<PathBuf>,
    /// Write the history as a self-contained HTML page to PATH: operations
    /// per process on a timeline, their latencies, and the counterexample
    /// highlighted when the history is not linearizable.
    #[arg(long, value_name = "PATH")]
    pub html: Option<PathBuf>,
}

/// Runs `raftsim check`: exit 0 linearizable, 1 not, 2 unknown, 64 usage,
/// 65 bad history, 74 an output that cannot be written.
pub fn run(args: &CheckArgs) -> ExitCode {
    match try_run(args) {
        Ok(verdict) => ExitCode::from(verdict.exit_code()),
        Err(error) => error.report(),
    }
}

fn try_run(args: &CheckArgs) -> Result<Verdict, CliError> {
    if let Some(path) = &args.html {
        crate::html::check_html_path(path)?;
    }
    let chosen_model = match &args.model {
        Some(name) => Some(name.parse::<ModelKind>().map_err(CliError::usage)?),
        None => None,
    };
    let json_target = args.json.as_deref().map(Target::from_arg);
    if let Some(Target::File(path)) = &json_target {
        check_writable("--json", path)?;
    }
    let shown = args.history.display().to_string();
    let (history, format) = load(&args.history)?;
    let model = match chosen_model {
        Some(model) => model,
        None => infer_model(&history).map_err(|e| CliError::usage(format!("{shown}: {e}")))?,
    };
    let start = Instant::now();
    let deadline = (args.budget_ms > 0).then(|| start + Duration::from_millis(args.budget_ms));
    let stop = move || deadline.is_some_and(|d| Instant::now() >= d);
    let mut budget = Budget::unlimited()
        .with_stop(&stop)
        .with_max_memory_bytes(args.max_memory_mb.saturating_mul(1 << 20));
    if let Some(states) = args.max_states {
        budget = budget.with_max_states_per_key(states);
    }
    let result = check(&history, model, &budget).map_err(|e| {
        let at = history
            .position(e.op_index)
            .map_or_else(String::new, |p| format!(":{}:{}", p.line, p.column));
        CliError::data(format!("{shown}{at}: {e}"))
    })?;
    let elapsed = start.elapsed();
    if let Some(path) = &args.html {
        crate::html::write_history(path, &shown, &history, &result)?;
    }
    let mut text = String::new();
    match json_target {
        Some(Target::Stdout) => text.push_str(&to_json(&result)?),
        Some(Target::File(path)) => {
            write_atomically(&path, &to_json(&result)?)?;
            text.push_str(&report(
                &shown,
                format,
                &history,
                &result,
                chosen_model.is_none(),
                elapsed,
            ));
        }
        None => text.push_str(&report(
            &shown,
            format,
            &history,
            &result,
            chosen_model.is_none(),
            elapsed,
        )),
    }
    text.push_str(&format!("{}\n", result.verdict));
    print_stdout(&text)?;
    Ok(result.verdict)
}

/// Reads and parses the history file; every failure is exit 65.
fn load(path: &Path) -> Result<(History, Format), CliError> {
    let shown = path.display();
    let bytes =
        std::fs::read(path).map_err(|e| CliError::data(format!("{shown}: cannot read: {e}")))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        CliError::data(format!(
            "{shown}: not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    let format = detect_format(Some(path), &text);
    let history =
        parse_history(&text, format).map_err(|e| CliError::data(e.in_file(&shown.to_string())))?;
    Ok((history, format))
}

fn to_json(result: &CheckResult) -> Result<String, CliError> {
    serde_json::to_string_pretty(result)
        .map(|mut s| {
            s.push('\n');
            s
        })
        .map_err(|e| CliError::io(format!("cannot serialise the result: {e}")))
}

/// The human-readable report: a header, one line per key that is not
/// linearizable or unknown, the counterexamples, and a summary.
fn report(
    shown: &str,
    format: Format,
    history: &History,
    result: &CheckResult,
    inferred: bool,
    elapsed: Duration,
) -> String {
    let format = match format {
        Format::Edn => "EDN",
        Format::JsonLines => "JSON lines",
    };
    let mut out = format!(
        "{shown}: {} operations ({format}), model {}{}\n",
        history.len(),
        result.model,
        if inferred { " (inferred)" } else { "" }
    );
    for key in &result.keys {
        if let Some(reason) = &key.reason {
            let name = key
                .key
                .as_ref()
                .map_or_else(|| "the history".to_string(), |k| format!("key {k}"));
            out.push_str(&format!("{name}: unknown ({reason})\n"));
        }
    }
    for counterexample in result.counterexamples() {
        out.push_str(&counterexample.to_string());
    }
    let count = |v: Verdict| result.keys.iter().filter(|k| k.verdict == v).count();
    let states: u64 = result.keys.iter().map(|k| k.states).sum();
    out.push_str(&format!(
        "{} {}: {} linearizable, {} not linearizable, {} unknown; {} states in {} ms\n",
        result.keys.len(),
        if result.keys.len() == 1 {
            "key"
        } else {
            "keys"
        },
        count(Verdict::Linearizable),
        count(Verdict::NotLinearizable),
        count(Verdict::Unknown),
        states,
        elapsed.as_millis()
    ));
    out
}
