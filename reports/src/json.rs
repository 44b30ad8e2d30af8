//! The `run --json` object, written with one seed per line so that it stays
//! readable and greppable for ten thousand seeds.

use crate::summary::RunSummary;
use serde::Serialize;

/// The summary as JSON text, ending in a newline. It parses to exactly what
/// `serde_json::to_value(summary)` gives (a test holds it to that); only the
/// layout is chosen here: fields in CLI.md's order, one result per line.
pub fn to_json(summary: &RunSummary) -> Result<String, serde_json::Error> {
    let mut out = String::from("{\n");
    field(&mut out, "scenario", &summary.scenario)?;
    field(&mut out, "seeds", &summary.seeds)?;
    if let Some(shard) = &summary.shard {
        field(&mut out, "shard", shard)?;
    }
    field(&mut out, "passed", &summary.passed)?;
    field(&mut out, "failed", &summary.failed)?;
    field(&mut out, "wall_ms", &summary.wall_ms)?;
    field(&mut out, "stats", &summary.stats)?;
    out.push_str("  \"results\": [");
    for (i, result) in summary.results.iter().enumerate() {
        out.push_str(if i == 0 { "\n    " } else { ",\n    " });
        out.push_str(&serde_json::to_string(result)?);
    }
    out.push_str(if summary.results.is_empty() {
        "]\n}\n"
    } else {
        "\n  ]\n}\n"
    });
    Ok(out)
}

fn field<T: Serialize>(out: &mut String, key: &str, value: &T) -> Result<(), serde_json::Error> {
    out.push_str("  \"");
    out.push_str(key);
    out.push_str("\": ");
    out.push_str(&serde_json::to_string(value)?);
    out.push_str(",\n");
    Ok(())
}
