//! `ksim report DIR`: one self-contained HTML page from a run's output directory — the summary
//! tables and the SVG charts inline. Nothing is fetched: no scripts, stylesheets, fonts or
//! images from elsewhere.

use serde_json::Value;

/// The charts, in page order: (file stem, caption).
pub const CHARTS: &[(&str, &str)] = &[
    ("pods", "Pods running and pending"),
    ("nodes", "Nodes by capacity type"),
    ("nodes_by_type", "Nodes by instance type"),
    ("cost", "Cost"),
    ("capacity", "CPU and memory requested against allocatable"),
    ("latency_histogram", "Scheduling latency"),
    ("latency_cdf", "Scheduling latency, cumulative"),
    ("replicas", "Desired replicas per workload"),
    (
        "workloads",
        "Each workload's replicas against its demand (CPU demand ÷ one pod's CPU request)",
    ),
];

/// Escapes text for HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or(0.0)
}

fn usd(v: &Value) -> String {
    format!("${:.2}", num(v))
}

fn table(title: &str, head: &[&str], rows: &[Vec<String>]) -> String {
    let mut o = format!("<h2>{}</h2>\n<table>\n<tr>", escape(title));
    for h in head {
        o.push_str(&format!("<th>{}</th>", escape(h)));
    }
    o.push_str("</tr>\n");
    for r in rows {
        o.push_str("<tr>");
        for (i, c) in r.iter().enumerate() {
            if i == 0 {
                o.push_str(&format!("<td>{}</td>", escape(c)));
            } else {
                o.push_str(&format!("<td class=\"n\">{}</td>", escape(c)));
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</table>\n");
    o
}

fn map_rows(v: &Value, fmt: fn(&Value) -> String) -> Vec<Vec<String>> {
    v.as_object()
        .map(|m| m.iter().map(|(k, x)| vec![k.clone(), fmt(x)]).collect())
        .unwrap_or_default()
}

fn count(v: &Value) -> String {
    format!("{}", v.as_u64().unwrap_or(0))
}

fn latency_row(name: &str, p: &Value) -> Vec<String> {
    vec![
        name.to_string(),
        format!("{:.2}", num(&p["p50"])),
        format!("{:.2}", num(&p["p90"])),
        format!("{:.2}", num(&p["p99"])),
        format!("{:.2}", num(&p["max"])),
        count(&p["count"]),
    ]
}

/// The page for a run: `summary` is `summary.json`, `charts` the SVG text of each of
/// [`CHARTS`] found, in that order.
pub fn render(summary: &Value, charts: &[(&str, String)]) -> String {
    let s = summary;
    let c = &s["cost"];
    let d = &s["disruption"];
    let mut body = String::new();
    body.push_str(&format!(
        "<h1>ksim: {}</h1>\n<p class=\"sub\">seed {} · {:.1} h simulated · {} events · event-stream hash {}</p>\n",
        escape(s["scenario"].as_str().unwrap_or("?")),
        s["seed"],
        num(&s["duration_s"]) / 3600.0,
        s["events_processed"],
        escape(s["event_stream_hash"].as_str().unwrap_or(""))
    ));
    body.push_str("<div class=\"cards\">\n");
    for (label, value) in [
        ("cost", usd(&c["total_usd"])),
        ("lower bound", usd(&c["lower_bound_usd"])),
        (
            "efficiency",
            format!("{:.1} %", num(&c["efficiency"]) * 100.0),
        ),
        ("idle capacity", usd(&c["idle_usd"])),
        (
            "scheduling p99",
            format!("{:.1} s", num(&s["scheduling_latency_s"]["p99"])),
        ),
        ("nodes peak", count(&s["nodes"]["peak"])),
        ("pods peak", count(&s["pods"]["peak"])),
    ] {
        body.push_str(&format!(
            "<div class=\"card\"><div class=\"v\">{}</div><div class=\"l\">{}</div></div>\n",
            escape(&value),
            escape(label)
        ));
    }
    body.push_str("</div>\n");
    let mut lat = vec![latency_row("all pods", &s["scheduling_latency_s"])];
    if let Some(m) = s["scheduling_latency_by_cause_s"].as_object() {
        for (k, v) in m {
            let label = match k.as_str() {
                "existing_capacity" => "capacity was there",
                "new_node" => "needed a new node",
                "disruption" => "after a disruption",
                other => other,
            };
            lat.push(latency_row(label, v));
        }
    }
    lat.push(latency_row(
        "startup (created → Ready)",
        &s["startup_latency_s"],
    ));
    body.push_str(&table(
        "Scheduling latency (seconds)",
        &["", "p50", "p90", "p99", "max", "pods"],
        &lat,
    ));
    body.push_str(&table(
        "Cost by capacity type",
        &["capacity type", "USD"],
        &map_rows(&c["by_capacity_type"], usd),
    ));
    body.push_str(&table(
        "Cost by NodePool or node group",
        &["owner", "USD"],
        &map_rows(&c["by_node_group"], usd),
    ));
    body.push_str(&table(
        "Cost by instance type",
        &["instance type", "USD"],
        &map_rows(&c["by_instance_type"], usd),
    ));
    body.push_str(&table(
        "Cost by zone",
        &["zone", "USD"],
        &map_rows(&c["by_zone"], usd),
    ));
    body.push_str(&table(
        "Disruption: nodes removed",
        &["reason", "nodes"],
        &map_rows(&d["nodes_by_reason"], count),
    ));
    body.push_str(&table(
        "Disruption: pods evicted",
        &["cause", "pods"],
        &map_rows(&d["pods_evicted_by_cause"], count),
    ));
    body.push_str(&table(
        "Disruption: summary",
        &["", ""],
        &[
            vec![
                "nodes disrupted per hour (mean / busiest)".into(),
                format!(
                    "{:.2} / {}",
                    num(&d["nodes_disrupted_per_hour_mean"]),
                    count(&d["nodes_disrupted_per_hour_max"])
                ),
            ],
            vec![
                "node churn".into(),
                format!("{:.2} nodes/h", num(&d["node_churn_per_hour"])),
            ],
            vec![
                "price removed by consolidation".into(),
                format!("${:.4}/h", num(&d["consolidation_savings_usd_per_hour"])),
            ],
            vec![
                "consolidation saved (vs the same seed without consolidation)".into(),
                match d["consolidation_saved_usd"].as_f64() {
                    Some(v) => format!(
                        "${v:.2} (${:.2} without)",
                        num(&d["cost_without_consolidation_usd"])
                    ),
                    None => "n/a".into(),
                },
            ],
            vec![
                "disruption-caused pending (of which consolidation)".into(),
                format!(
                    "{:.0} pod·s ({:.0})",
                    num(&d["pending_pod_s"]),
                    num(&d["consolidation_pending_pod_s"])
                ),
            ],
            vec![
                "spot interruption notices".into(),
                count(&d["interruption_notices"]),
            ],
            vec!["expirations".into(), count(&d["expirations"])],
        ],
    ));
    body.push_str(&figures(charts, CHARTS));
    if let Some(w) = s["warnings"].as_array().filter(|w| !w.is_empty()) {
        body.push_str("<h2>Warnings</h2>\n<ul>\n");
        for x in w {
            body.push_str(&format!("<li>{}</li>\n", escape(x.as_str().unwrap_or(""))));
        }
        body.push_str("</ul>\n");
    }
    page(
        &format!("ksim: {}", s["scenario"].as_str().unwrap_or("?")),
        &body,
    )
}

/// The charts of a comparison, in page order: (file stem, caption).
pub const COMPARE_CHARTS: &[(&str, &str)] = &[
    (
        "compare_intervals",
        "Each configuration's mean over the seeds with its 95 % confidence interval (Student's t)",
    ),
    ("compare_nodes", "Nodes over time"),
    ("compare_pending", "Pods pending over time"),
    ("compare_cost", "Cumulative cost"),
    (
        "compare_latency_cdf",
        "Scheduling latency: the share of pods bound within x seconds",
    ),
];

/// Inline figures for the charts found, captioned from `captions`.
fn figures(charts: &[(&str, String)], captions: &[(&str, &str)]) -> String {
    let mut body = String::new();
    for (stem, svg) in charts {
        let caption = captions
            .iter()
            .find(|(n, _)| n == stem)
            .map(|(_, c)| *c)
            .unwrap_or(stem);
        // The SVG comes from ksim's own chart writer; drop its XML declaration, if any.
        let svg = svg
            .trim_start()
            .strip_prefix("<?xml")
            .and_then(|r| r.find("?>").map(|i| &r[i + 2..]))
            .unwrap_or(svg);
        body.push_str(&format!(
            "<figure>\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
            escape(caption)
        ));
    }
    body
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>\n{}\n</style>\n</head>\n<body>\n{}</body>\n</html>\n",
        escape(title),
        STYLE,
        body
    )
}

/// The page for a comparison (`compare.json`): per configuration its headline numbers, the
/// table of every metric with 95 % confidence intervals and the differences from the first
/// configuration (significant improvements green, significant regressions red), and the
/// overlaid charts found (`charts`, stems of [`COMPARE_CHARTS`]).
pub fn render_comparison(c: &crate::compare::Comparison, charts: &[(&str, String)]) -> String {
    use crate::export::{delta, estimate, seeds_label, value};
    let mut body = format!(
        "<h1>ksim compare</h1>\n<p class=\"sub\">{} configurations · {} ({}) · mean [95 % confidence interval]; a difference is significant when Welch's t-test gives p &lt; 0.05</p>\n",
        c.configs.len(),
        escape(&seeds_label(c)),
        escape(&c.configs[0].runs.scenario)
    );
    body.push_str("<div class=\"cards\">\n");
    for cfg in &c.configs {
        let m = &cfg.runs.metrics;
        body.push_str(&format!(
            "<div class=\"card\"><div class=\"l\">{}</div><div class=\"v\">{}</div><div class=\"l\">cost · p99 {} · {} nodes/h churn</div></div>\n",
            escape(&cfg.label),
            escape(&value(m["cost_usd"].mean, "USD")),
            escape(&value(m["scheduling_p99_s"].mean, "s")),
            escape(&format!("{:.1}", m["node_churn_per_hour"].mean)),
        ));
    }
    body.push_str("</div>\n<h2>Side by side</h2>\n<table>\n<tr><th>metric</th>");
    for cfg in &c.configs {
        body.push_str(&format!("<th>{}</th>", escape(&cfg.label)));
    }
    for cfg in &c.configs[1..] {
        body.push_str(&format!("<th>Δ {}</th>", escape(&cfg.label)));
    }
    body.push_str("</tr>\n");
    for m in crate::compare::METRICS {
        body.push_str(&format!("<tr><td>{}</td>", escape(m.label)));
        for cfg in &c.configs {
            body.push_str(&format!(
                "<td class=\"n\">{}</td>",
                escape(&estimate(
                    &cfg.runs.metrics[m.name],
                    m.unit,
                    cfg.runs.seeds.len()
                ))
            ));
        }
        for d in &c.deltas {
            let d = &d[m.name];
            let class = match d.significant {
                Some(true) if d.absolute != 0.0 => {
                    if (d.absolute < 0.0) == m.lower_is_better {
                        "n good"
                    } else {
                        "n bad"
                    }
                }
                _ => "n",
            };
            body.push_str(&format!(
                "<td class=\"{class}\">{}</td>",
                escape(&delta(d, m))
            ));
        }
        body.push_str("</tr>\n");
    }
    body.push_str("</table>\n");
    body.push_str(&figures(charts, COMPARE_CHARTS));
    page("ksim compare", &body)
}

const STYLE: &str = "body{font-family:DejaVu Sans,Verdana,sans-serif;margin:24px auto;max-width:1060px;color:#222}\
h1{margin-bottom:0}.sub{color:#666;margin-top:4px}\
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}\
.card{border:1px solid #ddd;border-radius:6px;padding:10px 16px;min-width:120px}\
.card .v{font-size:22px;font-weight:bold}.card .l{color:#666;font-size:13px}\
table{border-collapse:collapse;margin-bottom:8px}td,th{border-bottom:1px solid #eee;padding:4px 12px;text-align:left}\
td.n{text-align:right;font-variant-numeric:tabular-nums}\
td.good{color:#17803d;font-weight:bold}td.bad{color:#c0392b;font-weight:bold}\
figure{margin:24px 0}figure svg{max-width:100%;height:auto}figcaption{color:#666;font-size:13px}";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("<a href=\"x\">&</a>"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&lt;/a&gt;"
        );
    }
}
