//! Side-by-side comparison of configurations (`ksim compare`): each configuration runs the same
//! seeds, and every metric is reported as its mean with a 95 % confidence interval, with the
//! absolute and relative difference from the first configuration and whether that difference
//! is significant.
//!
//! Significance is Welch's two-sample t-test on the per-seed values (unequal variances,
//! Welch–Satterthwaite degrees of freedom), two-sided, at the 5 % level (statrs `StudentsT`).
//! With one seed per configuration no test is possible and differences are marked `n/a`.

use crate::report::Summary;
use crate::runs::{Estimate, MultiRun};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;

/// A metric of the comparison.
pub struct Metric {
    /// Name (JSON key).
    pub name: &'static str,
    /// Label in tables.
    pub label: &'static str,
    /// Unit shown after values.
    pub unit: &'static str,
    /// Whether a lower value is better (drives the ✓/✗ marks).
    pub lower_is_better: bool,
}

/// The metrics compared, in display order.
pub const METRICS: &[Metric] = &[
    Metric {
        name: "cost_usd",
        label: "cost",
        unit: "USD",
        lower_is_better: true,
    },
    Metric {
        name: "cost_lower_bound_usd",
        label: "cost lower bound",
        unit: "USD",
        lower_is_better: true,
    },
    Metric {
        name: "cost_efficiency",
        label: "cost efficiency",
        unit: "fraction",
        lower_is_better: false,
    },
    Metric {
        name: "cost_idle_usd",
        label: "idle cost",
        unit: "USD",
        lower_is_better: true,
    },
    Metric {
        name: "consolidation_saved_usd",
        label: "consolidation saved",
        unit: "USD",
        lower_is_better: false,
    },
    Metric {
        name: "scheduling_p50_s",
        label: "scheduling p50",
        unit: "s",
        lower_is_better: true,
    },
    Metric {
        name: "scheduling_p90_s",
        label: "scheduling p90",
        unit: "s",
        lower_is_better: true,
    },
    Metric {
        name: "scheduling_p99_s",
        label: "scheduling p99",
        unit: "s",
        lower_is_better: true,
    },
    Metric {
        name: "scheduling_max_s",
        label: "scheduling max",
        unit: "s",
        lower_is_better: true,
    },
    Metric {
        name: "disruption_pending_pod_s",
        label: "disruption-caused pending",
        unit: "pod·s",
        lower_is_better: true,
    },
    Metric {
        name: "disruption_pending_p99_s",
        label: "disruption-caused pending p99",
        unit: "s",
        lower_is_better: true,
    },
    Metric {
        name: "pods_evicted",
        label: "pods evicted",
        unit: "",
        lower_is_better: true,
    },
    Metric {
        name: "node_churn_per_hour",
        label: "node churn",
        unit: "nodes/h",
        lower_is_better: true,
    },
    Metric {
        name: "nodes_launched",
        label: "nodes launched",
        unit: "",
        lower_is_better: true,
    },
    Metric {
        name: "nodes_peak",
        label: "nodes peak",
        unit: "",
        lower_is_better: true,
    },
    Metric {
        name: "pods_pending_at_end",
        label: "pods pending at end",
        unit: "",
        lower_is_better: true,
    },
];

/// The compared metrics of one run.
pub fn metrics(s: &Summary) -> BTreeMap<String, f64> {
    let l = &s.scheduling_latency_s;
    let d = &s.disruption;
    [
        ("cost_usd", s.cost.total_usd),
        ("cost_lower_bound_usd", s.cost.lower_bound_usd),
        ("cost_efficiency", s.cost.efficiency),
        ("cost_idle_usd", s.cost.idle_usd),
        (
            "consolidation_saved_usd",
            d.consolidation_saved_usd.unwrap_or(0.0),
        ),
        ("scheduling_p50_s", l.p50),
        ("scheduling_p90_s", l.p90),
        ("scheduling_p99_s", l.p99),
        ("scheduling_max_s", l.max),
        ("disruption_pending_pod_s", d.pending_pod_s),
        ("disruption_pending_p99_s", d.pending_s.p99),
        ("pods_evicted", s.pods.evicted as f64),
        ("node_churn_per_hour", d.node_churn_per_hour),
        ("nodes_launched", s.nodes.launched as f64),
        ("nodes_peak", s.nodes.peak as f64),
        ("pods_pending_at_end", s.pods.pending_at_end as f64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The names of [`METRICS`].
pub fn metric_names() -> Vec<&'static str> {
    METRICS.iter().map(|m| m.name).collect()
}

/// One configuration's results.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Config {
    /// Its label (file name or override).
    pub label: String,
    /// The runs.
    pub runs: MultiRun,
}

/// How a metric of one configuration differs from the first configuration.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    /// Difference of the means.
    pub absolute: f64,
    /// Difference relative to the first configuration's mean (`None` when that is 0).
    pub percent: Option<f64>,
    /// Welch's t-test p-value (`None` with a single seed, or when both are constant).
    pub p_value: Option<f64>,
    /// `p_value < 0.05`; two constant samples that differ also count as significant.
    pub significant: Option<bool>,
}

/// The comparison.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Comparison {
    /// Configurations; the first is the base.
    pub configs: Vec<Config>,
    /// Per configuration after the first, per metric, the difference from the first.
    pub deltas: Vec<BTreeMap<String, Delta>>,
}

/// Welch's two-sided t-test p-value for samples `a` and `b`.
pub fn welch_p_value(a: &[f64], b: &[f64]) -> Option<f64> {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (ea, eb) = (Estimate::of(a), Estimate::of(b));
    let (va, vb) = (ea.stddev.powi(2) / na, eb.stddev.powi(2) / nb);
    let se2 = va + vb;
    if se2 == 0.0 {
        return None;
    }
    let t = (ea.mean - eb.mean) / se2.sqrt();
    let df = se2.powi(2) / (va.powi(2) / (na - 1.0) + vb.powi(2) / (nb - 1.0));
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((2.0 * (1.0 - dist.cdf(t.abs()))).clamp(0.0, 1.0))
}

/// Compares configurations (at least two).
pub fn compare(configs: Vec<Config>) -> Comparison {
    let base = &configs[0].runs;
    let samples =
        |m: &MultiRun, name: &str| -> Vec<f64> { m.per_seed.iter().map(|x| x[name]).collect() };
    let deltas = configs[1..]
        .iter()
        .map(|c| {
            METRICS
                .iter()
                .map(|m| {
                    let (a, b) = (samples(base, m.name), samples(&c.runs, m.name));
                    let (ma, mb) = (base.metrics[m.name].mean, c.runs.metrics[m.name].mean);
                    let p_value = welch_p_value(&a, &b);
                    let constant_and_different =
                        a.len() > 1 && b.len() > 1 && p_value.is_none() && ma != mb;
                    let significant = match p_value {
                        Some(p) => Some(p < 0.05),
                        None if constant_and_different => Some(true),
                        None if a.len() > 1 && b.len() > 1 => Some(false),
                        None => None,
                    };
                    (
                        m.name.to_string(),
                        Delta {
                            absolute: mb - ma,
                            percent: (ma != 0.0).then(|| (mb - ma) / ma.abs() * 100.0),
                            p_value,
                            significant,
                        },
                    )
                })
                .collect()
        })
        .collect();
    Comparison { configs, deltas }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Welch's test on a textbook pair: means 20 and 22, standard deviations 2 and 2, 10
    /// samples each: t = −2.236, df = 18, two-sided p = 0.0382 (t tables).
    #[test]
    fn welch_matches_the_t_table() {
        let a: Vec<f64> = [18.0, 22.0].repeat(5);
        let b: Vec<f64> = [20.0, 24.0].repeat(5);
        // Each has mean ± 2 with s = 2.108 (n − 1 = 9).
        let p = welch_p_value(&a, &b).unwrap();
        // t = −2 / sqrt(2 × 2.108²/10) = −2.121, df = 18 → p ≈ 0.048.
        assert!((p - 0.048).abs() < 0.002, "{p}");
        assert_eq!(welch_p_value(&[1.0], &[2.0]), None);
        assert_eq!(welch_p_value(&[1.0, 1.0], &[1.0, 1.0]), None);
    }
}
