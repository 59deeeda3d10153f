//! The CI regression gate: baselines of deterministic results, and their comparison with a new
//! run within per-metric tolerances.
//!
//! A baseline is a JSON file listing scenarios (each one or more manifest files, relative to the
//! baseline file) with the metrics a run of each produced. Runs are deterministic for a seed, so
//! an unchanged scenario reproduces its metrics exactly; tolerances absorb intended small
//! changes. Every metric is "lower is better": a value above the baseline by more than its
//! tolerance is a regression, a value below it by more than its tolerance an improvement (which
//! passes, but asks for the baseline to be updated so the gain is kept).

use crate::error::InputError;
use crate::report::Summary;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The baseline file format version.
pub const BASELINE_VERSION: u32 = 1;

/// A baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Format version ([`BASELINE_VERSION`]).
    pub ksim_baseline: u32,
    /// The ksim version that wrote it.
    pub written_by: String,
    /// The scenarios and their metrics.
    pub scenarios: Vec<BaselineEntry>,
}

/// One scenario in a baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// Manifest files that make up the scenario, relative to the baseline file.
    pub files: Vec<String>,
    /// Seed override (none: the scenario's own).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Metric values, keyed by [`METRICS`] names.
    pub metrics: BTreeMap<String, f64>,
}

/// A gated metric: its name, the tolerance group that sets its tolerance, and the smallest
/// difference that ever counts (so a 0 s p50 may become 0.2 s without failing).
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// Name in the baseline.
    pub name: &'static str,
    /// Tolerance group (`--tolerance GROUP=…`).
    pub group: &'static str,
    /// Unit, for the report.
    pub unit: &'static str,
    /// Differences up to this (in the metric's unit) always pass.
    pub floor: f64,
}

/// Every gated metric.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "cost_usd",
        group: "cost",
        unit: "$",
        floor: 0.01,
    },
    Metric {
        name: "scheduling_p50_s",
        group: "p50",
        unit: "s",
        floor: 0.5,
    },
    Metric {
        name: "scheduling_p90_s",
        group: "p90",
        unit: "s",
        floor: 0.5,
    },
    Metric {
        name: "scheduling_p99_s",
        group: "p99",
        unit: "s",
        floor: 0.5,
    },
    Metric {
        name: "scheduling_max_s",
        group: "max",
        unit: "s",
        floor: 0.5,
    },
    Metric {
        name: "nodes_launched",
        group: "nodes",
        unit: "",
        floor: 0.0,
    },
    Metric {
        name: "nodes_peak",
        group: "nodes",
        unit: "",
        floor: 0.0,
    },
    Metric {
        name: "pods_pending_at_end",
        group: "pending",
        unit: "",
        floor: 0.0,
    },
    Metric {
        name: "events_processed",
        group: "events",
        unit: "",
        floor: 0.0,
    },
];

/// Default tolerances per group, as a fraction of the baseline value.
pub const DEFAULT_TOLERANCES: &[(&str, f64)] = &[
    ("cost", 0.01),
    ("p50", 0.05),
    ("p90", 0.05),
    ("p99", 0.10),
    ("max", 0.20),
    ("nodes", 0.05),
    ("pending", 0.0),
    ("events", 0.10),
];

/// Tolerances per group (fractions).
#[derive(Debug, Clone, PartialEq)]
pub struct Tolerances(BTreeMap<String, f64>);

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances(
            DEFAULT_TOLERANCES
                .iter()
                .map(|(g, t)| (g.to_string(), *t))
                .collect(),
        )
    }
}

impl Tolerances {
    /// The defaults overridden by a spec like `cost=2%,p99=10%` (a group or a metric name, a
    /// percentage or a plain fraction).
    pub fn parse(spec: &str) -> Result<Tolerances, String> {
        let mut t = Tolerances::default();
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?} is not KEY=VALUE (e.g. cost=2%)"))?;
            let key = key.trim();
            let known = METRICS.iter().any(|m| m.group == key || m.name == key);
            if !known {
                let groups: Vec<&str> = DEFAULT_TOLERANCES.iter().map(|(g, _)| *g).collect();
                return Err(format!(
                    "unknown metric {key:?}; use one of {}",
                    groups.join(", ")
                ));
            }
            let value = value.trim();
            let fraction = match value.strip_suffix('%') {
                Some(p) => p.trim().parse::<f64>().map(|v| v / 100.0),
                None => value.parse::<f64>(),
            }
            .map_err(|_| format!("tolerance {value:?} for {key} is not a number or percentage"))?;
            if !(fraction.is_finite() && fraction >= 0.0) {
                return Err(format!(
                    "tolerance for {key} must be zero or positive, got {value}"
                ));
            }
            t.0.insert(key.to_string(), fraction);
        }
        Ok(t)
    }

    /// The tolerance of a metric: its own name if set, else its group's.
    pub fn of(&self, m: &Metric) -> f64 {
        self.0
            .get(m.name)
            .or_else(|| self.0.get(m.group))
            .copied()
            .unwrap_or(0.0)
    }
}

/// The metrics of a run.
pub fn metrics(summary: &Summary) -> BTreeMap<String, f64> {
    let l = &summary.scheduling_latency_s;
    [
        ("cost_usd", summary.cost.total_usd),
        ("scheduling_p50_s", l.p50),
        ("scheduling_p90_s", l.p90),
        ("scheduling_p99_s", l.p99),
        ("scheduling_max_s", l.max),
        ("nodes_launched", summary.nodes.launched as f64),
        ("nodes_peak", summary.nodes.peak as f64),
        ("pods_pending_at_end", summary.pods.pending_at_end as f64),
        ("events_processed", summary.events_processed as f64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// How one metric compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Within tolerance.
    Ok,
    /// Lower than the baseline by more than the tolerance.
    Improved,
    /// Higher than the baseline by more than the tolerance.
    Regressed,
    /// The baseline has no value for it.
    New,
}

/// One compared metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Scenario label.
    pub scenario: String,
    /// Metric name.
    pub metric: &'static str,
    /// Unit.
    pub unit: &'static str,
    /// Baseline value.
    pub baseline: Option<f64>,
    /// Current value.
    pub current: f64,
    /// Allowed difference.
    pub allowed: f64,
    /// Verdict.
    pub status: Status,
}

/// Compares a run's metrics with a baseline entry's.
pub fn compare(
    scenario: &str,
    baseline: &BTreeMap<String, f64>,
    current: &BTreeMap<String, f64>,
    tol: &Tolerances,
) -> Vec<Row> {
    METRICS
        .iter()
        .map(|m| {
            let cur = current.get(m.name).copied().unwrap_or(0.0);
            let base = baseline.get(m.name).copied();
            let (allowed, status) = match base {
                None => (0.0, Status::New),
                Some(b) => {
                    let allowed = (tol.of(m) * b.abs()).max(m.floor);
                    let status = if cur > b + allowed + 1e-9 {
                        Status::Regressed
                    } else if cur < b - allowed - 1e-9 {
                        Status::Improved
                    } else {
                        Status::Ok
                    };
                    (allowed, status)
                }
            };
            Row {
                scenario: scenario.to_string(),
                metric: m.name,
                unit: m.unit,
                baseline: base,
                current: cur,
                allowed,
                status,
            }
        })
        .collect()
}

fn fmt_value(v: f64, unit: &str) -> String {
    match unit {
        "$" => format!("${v:.2}"),
        "s" => format!("{v:.1} s"),
        _ => format!("{v:.0}"),
    }
}

/// The Markdown report for a pull-request comment: a verdict line, the metrics that moved
/// beyond their tolerance, then every metric per scenario.
pub fn markdown(rows: &[Row]) -> String {
    let regressions = rows
        .iter()
        .filter(|r| r.status == Status::Regressed)
        .count();
    let improvements = rows.iter().filter(|r| r.status == Status::Improved).count();
    let scenarios: Vec<&str> = {
        let mut v: Vec<&str> = rows.iter().map(|r| r.scenario.as_str()).collect();
        v.dedup();
        v
    };
    let mut o = String::new();
    let verdict = if regressions > 0 {
        format!(
            "❌ **{regressions} regression{}** in {} scenario{}",
            if regressions == 1 { "" } else { "s" },
            scenarios.len(),
            if scenarios.len() == 1 { "" } else { "s" }
        )
    } else {
        format!(
            "✅ no regression in {} scenario{}",
            scenarios.len(),
            if scenarios.len() == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(o, "## ksim check: {verdict}\n");
    if improvements > 0 {
        let _ = writeln!(
            o,
            "{improvements} metric{} improved beyond tolerance: run `ksim check --update` to keep the gain in the baseline.\n",
            if improvements == 1 { "" } else { "s" }
        );
    }
    let moved: Vec<&Row> = rows
        .iter()
        .filter(|r| matches!(r.status, Status::Regressed | Status::Improved | Status::New))
        .collect();
    if !moved.is_empty() {
        let _ = writeln!(
            o,
            "| Scenario | Metric | Baseline | Current | Change | Allowed | |"
        );
        let _ = writeln!(o, "|---|---|---:|---:|---:|---:|---|");
        for r in moved {
            let _ = writeln!(o, "{}", table_row(r));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(o, "<details><summary>All metrics</summary>\n");
    let _ = writeln!(
        o,
        "| Scenario | Metric | Baseline | Current | Change | Allowed | |"
    );
    let _ = writeln!(o, "|---|---|---:|---:|---:|---:|---|");
    for r in rows {
        let _ = writeln!(o, "{}", table_row(r));
    }
    let _ = writeln!(o, "\n</details>");
    o
}

fn table_row(r: &Row) -> String {
    let (base, change) = match r.baseline {
        None => ("—".to_string(), "—".to_string()),
        Some(b) => {
            let d = r.current - b;
            let pct = if b != 0.0 {
                format!(" ({:+.1} %)", 100.0 * d / b).replace('-', "−")
            } else {
                String::new()
            };
            (
                fmt_value(b, r.unit),
                format!(
                    "{}{}{pct}",
                    if d >= 0.0 { "+" } else { "−" },
                    fmt_value(d.abs(), r.unit)
                ),
            )
        }
    };
    let mark = match r.status {
        Status::Ok => "ok",
        Status::Improved => "improved",
        Status::Regressed => "**REGRESSION**",
        Status::New => "new",
    };
    format!(
        "| {} | {} | {} | {} | {} | ±{} | {} |",
        r.scenario,
        r.metric,
        base,
        fmt_value(r.current, r.unit),
        change,
        fmt_value(r.allowed, r.unit),
        mark
    )
}

/// Parses a baseline file. Errors name the file (and the line, for JSON syntax errors).
pub fn parse_baseline(file: &str, text: &str) -> Result<Baseline, InputError> {
    let b: Baseline = serde_json::from_str(text).map_err(|e| InputError {
        file: file.to_string(),
        line: e.line() as u64,
        column: e.column() as u64,
        object: None,
        field: None,
        message: format!("invalid baseline: {e}"),
    })?;
    if b.ksim_baseline != BASELINE_VERSION {
        return Err(InputError::file(
            file,
            format!(
                "baseline format {} is not supported (this ksim reads {BASELINE_VERSION})",
                b.ksim_baseline
            ),
        ));
    }
    if b.scenarios.is_empty() {
        return Err(InputError::file(file, "the baseline lists no scenarios"));
    }
    for (i, e) in b.scenarios.iter().enumerate() {
        if e.files.is_empty() {
            return Err(InputError {
                field: Some(format!("scenarios[{i}].files")),
                ..InputError::file(file, "a scenario needs at least one file")
            });
        }
    }
    Ok(b)
}

/// The baseline as pretty JSON with a trailing newline.
pub fn baseline_json(b: &Baseline) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(b).expect("a baseline always serializes");
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
        pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    #[test]
    fn tolerances_parse_percentages_fractions_and_names() {
        let t = Tolerances::parse("cost=2%, p99=0.1,nodes_peak=0").unwrap();
        let cost = METRICS.iter().find(|m| m.name == "cost_usd").unwrap();
        let p99 = METRICS
            .iter()
            .find(|m| m.name == "scheduling_p99_s")
            .unwrap();
        let peak = METRICS.iter().find(|m| m.name == "nodes_peak").unwrap();
        let launched = METRICS.iter().find(|m| m.name == "nodes_launched").unwrap();
        assert_eq!(t.of(cost), 0.02);
        assert_eq!(t.of(p99), 0.1);
        assert_eq!(t.of(peak), 0.0);
        assert_eq!(t.of(launched), 0.05, "group default");
        assert!(
            Tolerances::parse("costs=2%")
                .unwrap_err()
                .contains("unknown metric")
        );
        assert!(Tolerances::parse("cost=-1%").is_err());
        assert!(Tolerances::parse("cost").is_err());
        assert!(Tolerances::parse("cost=two").is_err());
    }

    #[test]
    fn regressions_improvements_and_floors() {
        let base = m(&[
            ("cost_usd", 100.0),
            ("scheduling_p50_s", 0.0),
            ("scheduling_p99_s", 60.0),
            ("nodes_launched", 40.0),
        ]);
        let cur = m(&[
            ("cost_usd", 101.5),
            ("scheduling_p50_s", 0.4),
            ("scheduling_p99_s", 50.0),
            ("nodes_launched", 42.0),
        ]);
        let rows = compare("s", &base, &cur, &Tolerances::default());
        let st = |name: &str| rows.iter().find(|r| r.metric == name).unwrap().status;
        assert_eq!(st("cost_usd"), Status::Regressed, "1.5 % > 1 %");
        assert_eq!(st("scheduling_p50_s"), Status::Ok, "within the 0.5 s floor");
        assert_eq!(st("scheduling_p99_s"), Status::Improved);
        assert_eq!(st("nodes_launched"), Status::Ok, "5 % of 40 is 2");
        assert_eq!(st("events_processed"), Status::New);
        let md = markdown(&rows);
        assert!(md.starts_with("## ksim check: ❌ **1 regression** in 1 scenario"));
        assert!(md.contains(
            "| s | cost_usd | $100.00 | $101.50 | +$1.50 (+1.5 %) | ±$1.00 | **REGRESSION** |"
        ));
        assert!(md.contains("improved beyond tolerance"));
    }

    #[test]
    fn baselines_round_trip_and_bad_ones_are_refused() {
        let b = Baseline {
            ksim_baseline: BASELINE_VERSION,
            written_by: "ksim test".into(),
            scenarios: vec![BaselineEntry {
                files: vec!["a.yaml".into()],
                seed: None,
                metrics: m(&[("cost_usd", 1.0)]),
            }],
        };
        let text = String::from_utf8(baseline_json(&b)).unwrap();
        assert_eq!(parse_baseline("b.json", &text).unwrap(), b);
        let e =
            parse_baseline("b.json", "{\n  \"ksim_baseline\": 1,\n  \"oops\": 2\n}").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("b.json", 3));
        let e = parse_baseline(
            "b.json",
            r#"{"ksim_baseline": 9, "written_by": "x", "scenarios": []}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("format 9"));
        let e = parse_baseline(
            "b.json",
            r#"{"ksim_baseline": 1, "written_by": "x", "scenarios": []}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("no scenarios"));
    }
}
