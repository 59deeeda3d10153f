//! Reading results back: a directory written by `ksim run --out DIR` (one run: `summary.json`,
//! with `timeseries.csv` and `pods.csv` for the charts) or by `ksim run --runs N --out DIR`
//! (`runs.json`) becomes one configuration of `ksim compare`, next to scenarios that are run
//! afresh. This is how a pull request compares against results saved from `main`.

use crate::compare;
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

/// Columns of a CSV file by header name, as numbers (an empty cell is `None`).
fn columns(path: &Path, names: &[&str]) -> Result<Vec<Vec<Option<f64>>>, InputError> {
    let file = path.display().to_string();
    let mut r = csv::Reader::from_path(path)
        .map_err(|e| InputError::file(&file, format!("cannot read it: {e}")))?;
    let headers = r
        .headers()
        .map_err(|e| InputError::file(&file, format!("bad header: {e}")))?
        .clone();
    let idx: Vec<usize> = names
        .iter()
        .map(|n| {
            headers
                .iter()
                .position(|h| h == *n)
                .ok_or_else(|| InputError {
                    line: 1,
                    field: Some((*n).to_string()),
                    ..InputError::file(&file, "missing column")
                })
        })
        .collect::<Result<_, _>>()?;
    let mut out = vec![Vec::new(); names.len()];
    for (row, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| InputError {
            line: row as u64 + 2,
            ..InputError::file(&file, format!("bad row: {e}"))
        })?;
        for (k, &i) in idx.iter().enumerate() {
            let cell = rec.get(i).unwrap_or("");
            let v = if cell.is_empty() {
                None
            } else {
                Some(cell.parse::<f64>().map_err(|_| InputError {
                    line: row as u64 + 2,
                    field: Some(names[k].to_string()),
                    ..InputError::file(&file, format!("not a number: {cell:?}"))
                })?)
            };
            out[k].push(v);
        }
    }
    Ok(out)
}

/// A run's trace from its `timeseries.csv` and `pods.csv`.
fn read_trace(timeseries: &Path, pods: &Path) -> Result<Trace, InputError> {
    let c = columns(
        timeseries,
        &[
            "minute",
            "nodes_spot",
            "nodes_on_demand",
            "pods_pending",
            "cost_cumulative_usd",
        ],
    )?;
    let v = |k: usize, i: usize| c[k][i].unwrap_or(0.0);
    let n = c[0].len();
    let mut trace = Trace {
        hours: (0..n).map(|i| v(0, i) / 60.0).collect(),
        nodes: (0..n).map(|i| v(1, i) + v(2, i)).collect(),
        pods_pending: (0..n).map(|i| v(3, i)).collect(),
        cost_cumulative_usd: (0..n).map(|i| v(4, i)).collect(),
        latencies_s: Vec::new(),
    };
    // pods.csv: the `cause` column is text; read it apart.
    let file = pods.display().to_string();
    let mut r = csv::Reader::from_path(pods)
        .map_err(|e| InputError::file(&file, format!("cannot read it: {e}")))?;
    let headers = r
        .headers()
        .map_err(|e| InputError::file(&file, format!("bad header: {e}")))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| InputError {
                line: 1,
                field: Some(name.to_string()),
                ..InputError::file(&file, "missing column")
            })
    };
    let (cause, created, bound) = (col("cause")?, col("created_s")?, col("bound_s")?);
    for (row, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| InputError {
            line: row as u64 + 2,
            ..InputError::file(&file, format!("bad row: {e}"))
        })?;
        if rec.get(cause) == Some("initial") || rec.get(bound).unwrap_or("").is_empty() {
            continue;
        }
        let num = |i: usize, name: &str| {
            rec.get(i)
                .unwrap_or("")
                .parse::<f64>()
                .map_err(|_| InputError {
                    line: row as u64 + 2,
                    field: Some(name.to_string()),
                    ..InputError::file(&file, "not a number")
                })
        };
        trace
            .latencies_s
            .push(num(bound, "bound_s")? - num(created, "created_s")?);
    }
    trace.latencies_s.sort_by(f64::total_cmp);
    Ok(trace)
}
