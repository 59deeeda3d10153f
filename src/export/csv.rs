//! The `csv` format, for spreadsheets: long ("tidy") tables with one value per row and a header,
//! written with the `csv` crate (RFC 4180 quoting).
//!
//! - A run: `key,value`, one row per number or string of `summary.json`, keyed by its dotted path
//!   (`cost.by_instance_type.m7g.2xlarge` is `cost` → `by_instance_type` → `m7g.2xlarge`);
//!   `null` is an empty value.
//! - Several seeds: `metric,unit,mean,ci95_low,ci95_high,stddev,min,max`.
//! - A comparison: `config,metric,unit,mean,ci95_low,ci95_high,delta,delta_percent,p_value,
//!   significant`, the deltas empty for the first configuration.

use super::{Exporter, metric_info, ordered};
use crate::compare::{Comparison, METRICS};
use crate::error::{Error, Result};
use crate::report::Summary;
use crate::runs::MultiRun;
use serde_json::Value;

/// The CSV exporter.
pub struct Csv;

fn write(rows: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    rows(&mut w).map_err(|e| Error::Internal(e.to_string()))?;
    let bytes = w.into_inner().map_err(|e| Error::Internal(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| Error::Internal(e.to_string()))
}

/// Numbers as JSON writes them (shortest round-trip form).
fn num(v: f64) -> String {
    Value::from(v).to_string()
}

fn opt(v: Option<f64>) -> String {
    v.map(num).unwrap_or_default()
}

/// Flattens a JSON value into `(dotted key, value)` rows, object keys sorted (serde_json maps
/// are ordered), array items in order.
fn flatten(prefix: &str, v: &Value, out: &mut Vec<(String, String)>) {
    let key = |k: &str| {
        if prefix.is_empty() {
            k.to_string()
        } else {
            format!("{prefix}.{k}")
        }
    };
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| flatten(&key(k), v, out)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, v)| flatten(&key(&i.to_string()), v, out)),
        Value::Null => out.push((prefix.to_string(), String::new())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

impl Exporter for Csv {
    fn summary(&self, s: &Summary) -> Result<String> {
        let v = serde_json::to_value(s).map_err(|e| Error::Internal(e.to_string()))?;
        let mut rows = Vec::new();
        flatten("", &v, &mut rows);
        write(|w| {
            w.write_record(["key", "value"])?;
            for (k, v) in &rows {
                w.write_record([k, v])?;
            }
            Ok(())
        })
    }

    fn runs(&self, m: &MultiRun) -> Result<String> {
        write(|w| {
            w.write_record([
                "metric",
                "unit",
                "mean",
                "ci95_low",
                "ci95_high",
                "stddev",
                "min",
                "max",
            ])?;
            for (name, e) in ordered(m) {
                let unit = metric_info(name).1;
                w.write_record([
                    name,
                    unit,
                    &num(e.mean),
                    &num(e.ci95_low),
                    &num(e.ci95_high),
                    &num(e.stddev),
                    &num(e.min),
                    &num(e.max),
                ])?;
            }
            Ok(())
        })
    }

    fn comparison(&self, c: &Comparison) -> Result<String> {
        write(|w| {
            w.write_record([
                "config",
                "metric",
                "unit",
                "mean",
                "ci95_low",
                "ci95_high",
                "delta",
                "delta_percent",
                "p_value",
                "significant",
            ])?;
            for (i, cfg) in c.configs.iter().enumerate() {
                for m in METRICS {
                    let e = &cfg.runs.metrics[m.name];
                    let d = (i > 0).then(|| c.deltas[i - 1][m.name]);
                    w.write_record([
                        cfg.label.as_str(),
                        m.name,
                        m.unit,
                        &num(e.mean),
                        &num(e.ci95_low),
                        &num(e.ci95_high),
                        &opt(d.map(|d| d.absolute)),
                        &opt(d.and_then(|d| d.percent)),
                        &opt(d.and_then(|d| d.p_value)),
                        &d.and_then(|d| d.significant)
                            .map(|b| b.to_string())
                            .unwrap_or_default(),
                    ])?;
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flatten_uses_dotted_paths_and_keeps_dots_in_keys() {
        let v: Value = serde_json::json!({"a": {"m7g.xlarge": 1.5, "n": null}, "b": [1, "x"]});
        let mut rows = Vec::new();
        flatten("", &v, &mut rows);
        let rows: Vec<(&str, &str)> = rows.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            rows,
            [
                ("a.m7g.xlarge", "1.5"),
                ("a.n", ""),
                ("b.0", "1"),
                ("b.1", "x")
            ]
        );
    }
}
