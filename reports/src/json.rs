//! The `run --json` object, written with one seed per line so that it stays
//! readable and greppable for ten thousand seeds.

use crate::summary::RunSummary;
use crate::totals::TotalsJson;
use serde::ser::{SerializeStruct, Serializer};
use serde::Serialize;

/// The fields of the object in their order: CLI.md's, with `shard` (only
/// when the run was sharded) and `bugs` after `seeds`, and `stats` and
/// `totals` before `results`.
impl Serialize for RunSummary {
    fn serialize<S: Serializer>(&self, out: S) -> Result<S::Ok, S::Error> {
        let mut s = out.serialize_struct("RunSummary", 10)?;
        s.serialize_field("scenario", &self.scenario)?;
        s.serialize_field("seeds", &self.seeds)?;
        match &self.shard {
            Some(shard) => s.serialize_field("shard", shard)?,
            None => s.skip_field("shard")?,
        }
        s.serialize_field("bugs", &self.bugs)?;
        s.serialize_field("passed", &self.passed)?;
        s.serialize_field("failed", &self.failed)?;
        s.serialize_field("wall_ms", &self.wall_ms)?;
        s.serialize_field("stats", &self.stats)?;
        s.serialize_field("totals", &TotalsJson::of(&self.totals, &self.stats))?;
        s.serialize_field("results", &self.results)?;
        s.end()
    }
}

/// The summary as JSON text, ending in a newline. It parses to exactly what
/// `serde_json::to_value(summary)` gives (a test holds it to that); only the
/// layout is chosen here: one field per line, one result per line.
pub fn to_json(summary: &RunSummary) -> Result<String, serde_json::Error> {
    let mut out = String::from("{\n");
    field(&mut out, "scenario", &summary.scenario)?;
    field(&mut out, "seeds", &summary.seeds)?;
    if let Some(shard) = &summary.shard {
        field(&mut out, "shard", shard)?;
    }
    field(&mut out, "bugs", &summary.bugs)?;
    field(&mut out, "passed", &summary.passed)?;
    field(&mut out, "failed", &summary.failed)?;
    field(&mut out, "wall_ms", &summary.wall_ms)?;
    field(&mut out, "stats", &summary.stats)?;
    field(
        &mut out,
        "totals",
        &TotalsJson::of(&summary.totals, &summary.stats),
    )?;
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
