//! The `table` format: plain text for a terminal, the default on stdout.

use super::{Exporter, any_multi, delta, estimate, metric_info, ordered, seeds_label, value};
use crate::compare::{Comparison, METRICS};
use crate::error::Result;
use crate::report::Summary;
use crate::runs::MultiRun;
use std::fmt::Write;

/// The plain-text exporter.
pub struct Table;

impl Exporter for Table {
    fn summary(&self, s: &Summary) -> Result<String> {
        Ok(summary(s))
    }

    fn runs(&self, m: &MultiRun) -> Result<String> {
        let mut o = format!(
            "ksim: scenario {} over {} seeds ({}–{}), mean and 95 % confidence interval\n\n",
            m.scenario,
            m.seeds.len(),
            m.seeds.first().copied().unwrap_or(0),
            m.seeds.last().copied().unwrap_or(0)
        );
        let _ = writeln!(
            o,
            "{:<30} {:>44} {:>14} {:>14}",
            "metric", "mean [95 % CI]", "min", "max"
        );
        for (name, e) in ordered(m) {
            let (label, unit) = metric_info(name);
            let _ = writeln!(
                o,
                "{:<30} {:>44} {:>14} {:>14}",
                label,
                estimate(e, unit, m.seeds.len().max(2)),
                value(e.min, unit),
                value(e.max, unit)
            );
        }
        Ok(o)
    }

    fn comparison(&self, c: &Comparison) -> Result<String> {
        let width = c
            .configs
            .iter()
            .map(|x| x.label.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        let mut o = format!(
            "ksim compare: {} configurations, {}{}\n",
            c.configs.len(),
            seeds_label(c),
            if any_multi(c) {
                "; mean [95 % CI], difference from the first (Welch's t-test, p < 0.05)"
            } else {
                ""
            }
        );
        for m in METRICS {
            let _ = write!(o, "\n{}\n", m.label);
            for (i, cfg) in c.configs.iter().enumerate() {
                let d = if i == 0 {
                    String::new()
                } else {
                    format!("   {}", delta(&c.deltas[i - 1][m.name], m))
                };
                let _ = writeln!(
                    o,
                    "  {:<width$}  {}{}",
                    cfg.label,
                    estimate(&cfg.runs.metrics[m.name], m.unit, cfg.runs.seeds.len()),
                    d
                );
            }
        }
        Ok(o)
    }
}

/// Renders one run's summary as a plain-text report.
fn summary(s: &Summary) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "ksim: scenario {} (seed {}, {:.1} h simulated, {} events)",
        s.scenario,
        s.seed,
        s.duration_s / 3600.0,
        s.events_processed
    );
    let _ = writeln!(o);
    let _ = writeln!(o, "Cost");
    let _ = writeln!(o, "  total                 ${:>12.2}", s.cost.total_usd);
    for (k, v) in &s.cost.by_capacity_type {
        let _ = writeln!(o, "  {:<21} ${:>12.2}", k, v);
    }
    let _ = writeln!(
        o,
        "  lower bound           ${:>12.2}  (efficiency {:.1} %)",
        s.cost.lower_bound_usd,
        s.cost.efficiency * 100.0
    );
    let _ = writeln!(o, "  idle capacity         ${:>12.2}", s.cost.idle_usd);
    let _ = writeln!(o, "  by node group / pool:");
    for (k, v) in &s.cost.by_node_group {
        let _ = writeln!(o, "    {:<19} ${:>12.2}", k, v);
    }
    let _ = writeln!(o, "  by instance type:");
    for (k, v) in &s.cost.by_instance_type {
        let _ = writeln!(o, "    {:<19} ${:>12.2}", k, v);
    }
    let _ = writeln!(
        o,
        "  prices: {}{}",
        s.cost.price_source,
        if s.cost.prices_are_proxy {
            " (proxy for another region)"
        } else {
            ""
        }
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Latency (seconds)              p50      p90      p99      max    pods"
    );
    let by = |k: &str| &s.scheduling_latency_by_cause_s[k];
    for (name, p) in [
        ("scheduling (created→bound)", &s.scheduling_latency_s),
        ("  capacity was there", by("existing_capacity")),
        ("  needed a new node", by("new_node")),
        ("  after a disruption", by("disruption")),
        ("startup (created→ready)", &s.startup_latency_s),
    ] {
        let _ = writeln!(
            o,
            "  {:<28} {:>7.2}  {:>7.2}  {:>7.2}  {:>7.2}  {:>6}",
            name, p.p50, p.p90, p.p99, p.max, p.count
        );
    }
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Pods   peak {}  min {}  created {}  evicted {}  pending at end {}",
        s.pods.peak, s.pods.min, s.pods.created, s.pods.evicted, s.pods.pending_at_end
    );
    let _ = writeln!(
        o,
        "Nodes  peak {}  launched {} (Karpenter {})",
        s.nodes.peak, s.nodes.launched, s.nodes.launched_by_karpenter
    );
    let join = |m: &std::collections::BTreeMap<String, u64>| -> String {
        m.iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(o, "       by type: {}", join(&s.nodes.by_instance_type));
    let _ = writeln!(
        o,
        "       by capacity type: {}",
        join(&s.nodes.by_capacity_type)
    );
    let _ = writeln!(o, "       by zone: {}", join(&s.nodes.by_zone));
    let _ = writeln!(
        o,
        "       by NodePool / node group: {}",
        join(&s.nodes.by_node_pool)
    );
    if !s.nodes.removed.is_empty() {
        let rm: Vec<String> = s
            .nodes
            .removed
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        let _ = writeln!(o, "       removed: {}", rm.join(", "));
    }
    let d = &s.disruption;
    let nonzero = |m: &std::collections::BTreeMap<String, u64>| -> String {
        let v: Vec<String> = m
            .iter()
            .filter(|(_, v)| **v > 0)
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        if v.is_empty() {
            "none".into()
        } else {
            v.join(", ")
        }
    };
    let _ = writeln!(
        o,
        "Disruption  nodes: {}; pods evicted: {}",
        nonzero(&d.nodes_by_reason),
        nonzero(&d.pods_evicted_by_cause)
    );
    let _ = writeln!(
        o,
        "       {:.2} nodes disrupted/h (busiest hour {}), churn {:.2} nodes/h, consolidation removed ${:.4}/h, disruption-caused pending {:.0} pod·s",
        d.nodes_disrupted_per_hour_mean,
        d.nodes_disrupted_per_hour_max,
        d.node_churn_per_hour,
        d.consolidation_savings_usd_per_hour,
        d.pending_pod_s
    );
    if let (Some(saved), Some(without)) =
        (d.consolidation_saved_usd, d.cost_without_consolidation_usd)
    {
        let _ = writeln!(
            o,
            "       consolidation saved ${saved:.2} (same seed without consolidation: ${without:.2}) and caused {:.0} pod·s of pending",
            d.consolidation_pending_pod_s
        );
    }
    let l = &s.karpenter.launches;
    let _ = writeln!(
        o,
        "Launches  {} NodeClaims: {} launched, {} insufficient capacity ({} offerings marked unavailable), {} on-demand fallbacks, {} registration timeouts, {} launch timeouts",
        l.fleet_calls,
        l.launched,
        l.insufficient_capacity,
        l.offerings_marked_unavailable,
        l.on_demand_fallbacks,
        l.registration_timeouts,
        l.launch_timeouts
    );
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "Workloads                      replicas    sched p50   p99 (s)  OOMKills  unserved CPU (core·h)"
    );
    for (name, w) in &s.workloads {
        let _ = writeln!(
            o,
            "  {:<28} {:>5}–{:<5} {:>8.2}  {:>8.2}  {:>8}  {:>10.2}",
            truncate(name, 28),
            w.replicas_min,
            w.replicas_max,
            w.scheduling_latency_s.p50,
            w.scheduling_latency_s.p99,
            w.oom_killed,
            w.cpu_unserved_core_s / 3600.0
        );
    }
    if !s.queues.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Queues                         arrived  processed  peak visible  age p50    p99    max (s)"
        );
        for (name, q) in &s.queues {
            let _ = writeln!(
                o,
                "  {:<24} {:>11.0} {:>10.0} {:>13} {:>8.1} {:>6.1} {:>6.1}",
                truncate(name, 24),
                q.arrived,
                q.processed,
                q.visible_peak,
                q.message_age_s.p50,
                q.message_age_s.p99,
                q.message_age_s.max
            );
        }
    }
    if s.jobs.completed + s.jobs.failed + s.jobs.skipped > 0 {
        let _ = writeln!(
            o,
            "Jobs   completed {}  failed {}  skipped {}",
            s.jobs.completed, s.jobs.failed, s.jobs.skipped
        );
    }
    if s.pods.oom_killed > 0 {
        let _ = writeln!(o, "OOMKills {}", s.pods.oom_killed);
    }
    if !s.warnings.is_empty() {
        let _ = writeln!(o);
        let _ = writeln!(o, "Warnings");
        for w in &s.warnings {
            let _ = writeln!(o, "  - {w}");
        }
    }
    o
}

/// Shortens `s` to at most `n` characters, marking the cut with `…`.
fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}
