//! The `markdown` format: GitHub-flavoured Markdown tables, for pull-request comments and docs.

use super::{Exporter, any_multi, delta, estimate, metric_info, ordered, seeds_label, value};
use crate::compare::{Comparison, METRICS};
use crate::error::Result;
use crate::report::{Percentiles, Summary};
use crate::runs::MultiRun;
use std::fmt::Write;

/// The Markdown exporter.
pub struct Markdown;

impl Exporter for Markdown {
    fn summary(&self, s: &Summary) -> Result<String> {
        Ok(summary(s))
    }

    fn runs(&self, m: &MultiRun) -> Result<String> {
        let mut o = format!(
            "## ksim: {} over {} seeds ({}–{})\n\nMean [95 % confidence interval] (Student's t), and the smallest and largest run.\n\n| metric | mean [95 % CI] | min | max |\n|---|---|---|---|\n",
            m.scenario,
            m.seeds.len(),
            m.seeds.first().copied().unwrap_or(0),
            m.seeds.last().copied().unwrap_or(0)
        );
        for (name, e) in ordered(m) {
            let (label, unit) = metric_info(name);
            let _ = writeln!(
                o,
                "| {label} | {} | {} | {} |",
                estimate(e, unit, m.seeds.len().max(2)),
                value(e.min, unit),
                value(e.max, unit)
            );
        }
        Ok(o)
    }

    fn comparison(&self, c: &Comparison) -> Result<String> {
        Ok(comparison(c))
    }
}

fn latency_row(o: &mut String, name: &str, p: &Percentiles) {
    let _ = writeln!(
        o,
        "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
        p.p50, p.p90, p.p99, p.max, p.count
    );
}

/// One run as Markdown: headline numbers, cost, latency and disruption.
fn summary(s: &Summary) -> String {
    let mut o = format!(
        "## ksim: {} (seed {}, {:.1} h simulated)\n\n",
        s.scenario,
        s.seed,
        s.duration_s / 3600.0
    );
    let c = &s.cost;
    let _ = writeln!(o, "| cost | USD |\n|---|---|");
    let _ = writeln!(o, "| total | {} |", value(c.total_usd, "USD"));
    for (k, v) in &c.by_capacity_type {
        let _ = writeln!(o, "| {k} | {} |", value(*v, "USD"));
    }
    for (k, v) in &c.by_node_group {
        let _ = writeln!(o, "| pool / group {k} | {} |", value(*v, "USD"));
    }
    for (k, v) in &c.by_instance_type {
        let _ = writeln!(o, "| {k} | {} |", value(*v, "USD"));
    }
    let _ = writeln!(
        o,
        "| lower bound (efficiency {:.1} %) | {} |",
        c.efficiency * 100.0,
        value(c.lower_bound_usd, "USD")
    );
    let _ = writeln!(o, "| idle capacity | {} |", value(c.idle_usd, "USD"));
    if let Some(saved) = s.disruption.consolidation_saved_usd {
        let _ = writeln!(o, "| saved by consolidation | {} |", value(saved, "USD"));
    }
    let _ = writeln!(
        o,
        "\n| latency (s) | p50 | p90 | p99 | max | pods |\n|---|---|---|---|---|---|"
    );
    latency_row(
        &mut o,
        "scheduling (created → bound)",
        &s.scheduling_latency_s,
    );
    for (cause, label) in [
        ("existing_capacity", "capacity was there"),
        ("new_node", "needed a new node"),
        ("disruption", "after a disruption"),
    ] {
        if let Some(p) = s.scheduling_latency_by_cause_s.get(cause) {
            latency_row(&mut o, &format!("scheduling: {label}"), p);
        }
    }
    latency_row(&mut o, "startup (created → ready)", &s.startup_latency_s);
    let d = &s.disruption;
    let _ = writeln!(
        o,
        "\n| pods and nodes | |\n|---|---|\n| pods peak / created / evicted | {} / {} / {} |\n| nodes peak / launched | {} / {} |\n| node churn | {:.2} nodes/h |\n| disruption-caused pending | {:.0} pod·s (consolidation {:.0}) |",
        s.pods.peak,
        s.pods.created,
        s.pods.evicted,
        s.nodes.peak,
        s.nodes.launched,
        d.node_churn_per_hour,
        d.pending_pod_s,
        d.consolidation_pending_pod_s
    );
    if !s.warnings.is_empty() {
        let _ = writeln!(o, "\n**Warnings**\n");
        for w in &s.warnings {
            let _ = writeln!(o, "- {w}");
        }
    }
    o
}

/// Renders the comparison as Markdown (for a pull-request comment): one row per metric, one
/// column per configuration, then one column of differences per configuration after the first.
fn comparison(c: &Comparison) -> String {
    let mut o = format!(
        "## ksim compare: {} configurations, {}\n\n",
        c.configs.len(),
        seeds_label(c)
    );
    if any_multi(c) {
        o.push_str("Mean [95 % confidence interval]; differences from the first configuration, significant when Welch's t-test gives p < 0.05.\n\n");
    }
    o.push_str("| metric |");
    for cfg in &c.configs {
        o.push_str(&format!(" {} |", cfg.label));
    }
    for cfg in &c.configs[1..] {
        o.push_str(&format!(" Δ {} |", cfg.label));
    }
    o.push_str("\n|---|");
    for _ in 0..(2 * c.configs.len() - 1) {
        o.push_str("---|");
    }
    o.push('\n');
    for m in METRICS {
        o.push_str(&format!("| {} |", m.label));
        for cfg in &c.configs {
            o.push_str(&format!(
                " {} |",
                estimate(&cfg.runs.metrics[m.name], m.unit, cfg.runs.seeds.len())
            ));
        }
        for d in &c.deltas {
            o.push_str(&format!(" {} |", delta(&d[m.name], m)));
        }
        o.push('\n');
    }
    o
}
