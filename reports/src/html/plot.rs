//! The latency of every operation against the time it was invoked, as
//! Jepsen's "latency-raw" plot draws it: colour by outcome, shape by
//! operation type, latency on a log scale. Drawn as SVG by plotters.

use checker::{Operation, Outcome};
use plotters::prelude::*;
use std::collections::BTreeMap;

const SIZE: (u32, u32) = (1296, 440);

fn colour(outcome: Outcome) -> RGBColor {
    match outcome {
        Outcome::Ok => RGBColor(46, 125, 50),
        Outcome::Fail => RGBColor(198, 40, 40),
        Outcome::Info => RGBColor(239, 108, 0),
    }
}

/// The plot as an SVG document. Times and latencies are shown divided by
/// `per_shown` (1000 to show microseconds as ms), under the name `unit`.
/// Operations that never completed have no latency and are not drawn.
pub fn latency_raw(history: &[Operation], per_shown: f64, unit: &str) -> Result<String, String> {
    // (f, outcome) -> points; BTreeMap for a stable legend order.
    let mut series: BTreeMap<(&str, Outcome), Vec<(f64, f64)>> = BTreeMap::new();
    for op in history {
        let Some(done) = op.complete_time else {
            continue;
        };
        let x = op.invoke_time as f64 / per_shown;
        // A latency of 0 has no place on a log scale: show it at the floor.
        let y = (done.saturating_sub(op.invoke_time) as f64 / per_shown).max(1e-3);
        series.entry((&op.f, op.outcome)).or_default().push((x, y));
    }
    let functions: Vec<&str> = {
        let mut f: Vec<&str> = series.keys().map(|(f, _)| *f).collect();
        f.dedup();
        f
    };
    let points = || series.values().flatten();
    let x_max = points().map(|p| p.0).fold(0.0, f64::max).max(1.0) * 1.02;
    let x_min = points()
        .map(|p| p.0)
        .fold(f64::INFINITY, f64::min)
        .min(x_max)
        * 0.98;
    let y_max = points().map(|p| p.1).fold(0.0, f64::max).max(1e-3) * 1.5;
    let y_min = points()
        .map(|p| p.1)
        .fold(f64::INFINITY, f64::min)
        .min(y_max)
        / 1.5;
    let error = |e: &dyn std::fmt::Display| e.to_string();

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(|e| error(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(14)
            .caption(
                format!("latency of every operation ({unit})"),
                ("sans-serif", 16),
            )
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_min..x_max, (y_min..y_max).log_scale())
            .map_err(|e| error(&e))?;
        chart
            .configure_mesh()
            .x_desc(format!("invoked at ({unit})"))
            .y_desc(format!("latency ({unit})"))
            .light_line_style(RGBColor(238, 238, 238))
            .x_label_formatter(&|x| short(*x))
            .y_label_formatter(&|y| short(*y))
            .draw()
            .map_err(|e| error(&e))?;
        for ((f, outcome), pts) in &series {
            let c = colour(*outcome);
            let shape = functions.iter().position(|g| g == f).unwrap_or(0) % 3;
            let label = format!("{f} {outcome} ({})", pts.len());
            let drawn = match shape {
                0 => chart.draw_series(
                    pts.iter()
                        .map(|&p| Circle::new(p, 3, c.mix(0.75).filled()).into_dyn()),
                ),
                1 => chart.draw_series(
                    pts.iter()
                        .map(|&p| TriangleMarker::new(p, 4, c.mix(0.75).filled()).into_dyn()),
                ),
                _ => chart.draw_series(
                    pts.iter()
                        .map(|&p| Cross::new(p, 3, c.mix(0.9).stroke_width(2)).into_dyn()),
                ),
            }
            .map_err(|e| error(&e))?;
            drawn.label(label).legend(move |(x, y)| match shape {
                0 => Circle::new((x, y), 4, c.filled()).into_dyn(),
                1 => TriangleMarker::new((x, y), 5, c.filled()).into_dyn(),
                _ => Cross::new((x, y), 4, c.stroke_width(2)).into_dyn(),
            });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(RGBColor(180, 180, 180))
            .draw()
            .map_err(|e| error(&e))?;
        root.present().map_err(|e| error(&e))?;
    }
    Ok(svg)
}

/// A tick label: no decimals from 10 up, else up to three significant digits.
fn short(v: f64) -> String {
    if v.abs() >= 10.0 {
        format!("{v:.0}")
    } else if v.abs() >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.3}")
    }
}
