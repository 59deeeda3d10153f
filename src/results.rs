//! Reading results back: a directory written by `ksim run --out DIR` (one run: `summary.json`,
//! with `timeseries.csv` and `pods.csv` for the charts) or by `ksim run --runs N --out DIR`
//! (`runs.json`) becomes one configuration of `ksim compare`, next to scenarios that are run
//! afresh. This is how a pull request compares against results saved from `main`.

use crate::compare;
use crate::csv_input::CsvInput;
use crate::error::InputError;
use crate::report::Summary;
use crate::runs::{Estimate, MultiRun, Trace};
use std::collections::BTreeMap;
use std::path::Path;

/// Whether `dir` holds results (`summary.json` or `runs.json`) rather than manifests.
pub fn is_result_dir(dir: &Path) -> bool {
    dir.is_dir() && (dir.join("summary.json").is_file() || dir.join("runs.json").is_file())
}

fn read(path: &Path) -> Result<String, InputError> {
    std::fs::read_to_string(path)
        .map_err(|e| InputError::file(&path.display().to_string(), format!("cannot read it: {e}")))
}

fn json<T: serde::de::DeserializeOwned>(path: &Path, what: &str) -> Result<T, InputError> {
    serde_json::from_str(&read(path)?).map_err(|e| InputError {
        line: e.line() as u64,
        column: e.column() as u64,
        ..InputError::file(
            &path.display().to_string(),
            format!("not a ksim {what}: {e}"),
        )
    })
}

/// Reads the results in `dir` as the runs of one configuration. `runs.json` is preferred when
/// both files are there. A single run's trace is read from `timeseries.csv` and `pods.csv` when
/// present (otherwise it is left out of the overlaid charts).
pub fn read_results(dir: &Path) -> Result<MultiRun, InputError> {
    let runs_path = dir.join("runs.json");
    if runs_path.is_file() {
        let m: MultiRun = json(&runs_path, "runs.json")?;
        for (i, seed) in m.per_seed.iter().enumerate() {
            for name in compare::metric_names() {
                if !seed.contains_key(name) {
                    return Err(InputError {
                        field: Some(format!("per_seed[{i}].{name}")),
                        ..InputError::file(
                            &runs_path.display().to_string(),
                            "missing metric (written by an older ksim? run it again)",
                        )
                    });
                }
            }
        }
        if m.per_seed.is_empty() {
            return Err(InputError::file(
                &runs_path.display().to_string(),
                "no runs in per_seed",
            ));
        }
        return Ok(m);
    }
    let summary_path = dir.join("summary.json");
    let summary: Summary = json(&summary_path, "summary")?;
    let metrics = compare::metrics(&summary);
    let estimates: BTreeMap<String, Estimate> = metrics
        .iter()
        .map(|(k, v)| (k.clone(), Estimate::of(&[*v])))
        .collect();
    let ts = dir.join("timeseries.csv");
    let pods = dir.join("pods.csv");
    let traces = if ts.is_file() && pods.is_file() {
        vec![read_trace(&ts, &pods)?]
    } else {
        Vec::new()
    };
    Ok(MultiRun {
        scenario: summary.scenario.clone(),
        seeds: vec![summary.seed],
        metrics: estimates,
        per_seed: vec![metrics],
        traces,
    })
}

/// A run's trace from its `timeseries.csv` and `pods.csv`.
fn read_trace(timeseries: &Path, pods: &Path) -> Result<Trace, InputError> {
    let ts = CsvInput::read(timeseries, &[])?;
    let spot = ts.numbers("nodes_spot")?;
    let on_demand = ts.numbers("nodes_on_demand")?;
    let mut trace = Trace {
        hours: ts.numbers("minute")?.iter().map(|m| m / 60.0).collect(),
        nodes: spot.iter().zip(&on_demand).map(|(a, b)| a + b).collect(),
        pods_pending: ts.numbers("pods_pending")?,
        cost_cumulative_usd: ts.numbers("cost_cumulative_usd")?,
        latencies_s: Vec::new(),
    };
    // Pods created during the run and bound: their scheduling latency.
    let p = CsvInput::read(pods, &[])?;
    let (cause, created, bound) = (
        p.required_column("cause")?,
        p.required_column("created_s")?,
        p.required_column("bound_s")?,
    );
    for i in 0..p.rows.len() {
        if p.rows[i].1.get(cause) == Some("initial") {
            continue;
        }
        if let (Some(b), Some(c)) = (p.number(i, bound)?, p.number(i, created)?) {
            trace.latencies_s.push(b - c);
        }
    }
    trace.latencies_s.sort_by(f64::total_cmp);
    Ok(trace)
}
