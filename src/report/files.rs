//! Output files, each written to a temporary file in the output directory and renamed into
//! place, so an interrupted run never leaves a partial file.

use super::{Summary, owner_name};
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::sim::SimResult;
use std::io::Write;
use std::path::Path;

fn secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn opt_secs(ms: Option<u64>) -> String {
    ms.map(secs).unwrap_or_default()
}

/// Writes `bytes` to `dir/name` atomically (temporary file, then rename).
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io(format!("cannot create a file in {}", dir.display()), e))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.flush())
        .map_err(|e| Error::io(format!("cannot write {name}"), e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| Error::io(format!("cannot write {name}"), e))?;
    }
    tmp.persist(dir.join(name))
        .map_err(|e| Error::io(format!("cannot write {name}"), e.error))?;
    Ok(())
}

fn csv_bytes(write: impl FnOnce(&mut csv::Writer<Vec<u8>>) -> csv::Result<()>) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    write(&mut w).map_err(|e| Error::Internal(format!("CSV encoding failed: {e}")))?;
    w.into_inner()
        .map_err(|e| Error::Internal(format!("CSV encoding failed: {e}")))
}

/// The instance types that had a node at some sample, by catalog index.
pub fn sampled_types(r: &SimResult) -> Vec<usize> {
    let mut types: Vec<usize> = r
        .timeseries
        .iter()
        .flat_map(|row| row.nodes_by_type.iter().map(|&(t, _)| t))
        .collect();
    types.sort_unstable();
    types.dedup();
    types
}

/// The time series as CSV: the cluster-wide columns, then per queue its visible and in-flight
/// messages, then per workload its desired and Ready replicas, then per instance type that had a
/// node its node count.
pub fn timeseries_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    let types = sampled_types(r);
    csv_bytes(|w| {
        let mut header: Vec<String> = [
            "minute",
            "time_s",
            "pods_running",
            "pods_pending",
            "nodes_spot",
            "nodes_on_demand",
            "cost_rate_usd_per_hour",
            "cost_cumulative_usd",
            "cpu_requested_cores",
            "cpu_allocatable_cores",
            "memory_requested_gib",
            "memory_allocatable_gib",
            "oom_kills_total",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect();
        for q in &s.queues {
            header.push(format!("queue_visible:{}", q.name));
            header.push(format!("queue_in_flight:{}", q.name));
        }
        for wl in &s.workloads {
            header.push(format!("replicas_desired:{}/{}", wl.namespace, wl.name));
            header.push(format!("replicas_ready:{}/{}", wl.namespace, wl.name));
        }
        for &t in &types {
            header.push(format!("nodes:{}", s.catalog.get(t).name));
        }
        w.write_record(&header)?;
        let nw = s.workloads.len();
        for (i, row) in r.timeseries.iter().enumerate() {
            let gib = |b: i64| format!("{:.3}", b as f64 / (1024.0 * 1024.0 * 1024.0));
            let mut rec = vec![
                row.minute.to_string(),
                (row.minute * 60).to_string(),
                row.pods_running.to_string(),
                row.pods_pending.to_string(),
                row.nodes_spot.to_string(),
                row.nodes_on_demand.to_string(),
                format!("{:.6}", row.cost_rate_usd_per_hour),
                format!("{:.6}", row.cost_cumulative_usd),
                format!("{:.3}", row.cpu_requested_m as f64 / 1000.0),
                format!("{:.3}", row.cpu_allocatable_m as f64 / 1000.0),
                gib(row.mem_requested_b),
                gib(row.mem_allocatable_b),
                row.oom_kills.to_string(),
            ];
            for &(visible, in_flight) in &row.queues {
                rec.push(visible.to_string());
                rec.push(in_flight.to_string());
            }
            for wrow in &r.workload_series[i * nw..(i + 1) * nw] {
                rec.push(wrow.desired.to_string());
                rec.push(wrow.ready.to_string());
            }
            for &t in &types {
                let n = row
                    .nodes_by_type
                    .binary_search_by_key(&t, |&(x, _)| x)
                    .map_or(0, |i| row.nodes_by_type[i].1);
                rec.push(n.to_string());
            }
            w.write_record(&rec)?;
        }
        Ok(())
    })
}

/// One row per pod.
pub fn pods_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    csv_bytes(|w| {
        w.write_record([
            "pod",
            "workload",
            "namespace",
            "cause",
            "created_s",
            "bound_s",
            "ready_s",
            "node",
            "deleted_s",
        ])?;
        for (i, p) in r.cluster.pods.iter().enumerate() {
            let wl = &s.workloads[p.workload as usize];
            let node = p
                .node
                .map(|n| r.cluster.nodes[n as usize].name.clone())
                .unwrap_or_default();
            let cause = match p.cause {
                crate::cluster::PodCause::Initial => "initial",
                crate::cluster::PodCause::ScaleUp => "scale-up",
                crate::cluster::PodCause::Disruption(_) => "disruption",
                crate::cluster::PodCause::Job => "job",
            };
            w.write_record([
                format!("{}-{:05x}-{i}", wl.name, p.uid & 0xfffff),
                wl.name.clone(),
                wl.namespace.clone(),
                cause.into(),
                secs(p.created),
                opt_secs(p.bound),
                opt_secs(p.first_ready),
                node,
                opt_secs(p.deleted),
            ])?;
        }
        Ok(())
    })
}

/// One row per node.
pub fn nodes_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    csv_bytes(|w| {
        w.write_record([
            "node",
            "owner",
            "instance_type",
            "zone",
            "capacity_type",
            "price_usd_per_hour",
            "launched_s",
            "ready_s",
            "terminated_s",
            "removal",
            "cost_usd",
        ])?;
        for n in &r.cluster.nodes {
            let removal = match (n.removal, n.terminated) {
                (Some(reason), Some(_)) => reason.as_str().to_string(),
                _ => String::new(),
            };
            w.write_record([
                n.name.clone(),
                owner_name(s, n.owner),
                s.catalog.get(n.instance_type).name.clone(),
                s.zones[n.zone].clone(),
                n.capacity_type.as_str().to_string(),
                format!("{:.6}", n.price_per_hour),
                secs(n.launched),
                opt_secs(n.ready_at),
                opt_secs(n.terminated),
                removal,
                format!("{:.6}", n.cost_usd(s.duration_ms)),
            ])?;
        }
        Ok(())
    })
}

/// Per-minute replicas and demand per workload.
pub fn workloads_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    csv_bytes(|w| {
        w.write_record([
            "minute",
            "workload",
            "namespace",
            "desired_replicas",
            "ready_replicas",
            "demand_cores",
            "oom_kills_total",
        ])?;
        for row in &r.workload_series {
            let wl = &s.workloads[row.workload];
            w.write_record([
                row.minute.to_string(),
                wl.name.clone(),
                wl.namespace.clone(),
                row.desired.to_string(),
                row.ready.to_string(),
                format!("{:.3}", row.demand_cores),
                row.oom_kills.to_string(),
            ])?;
        }
        Ok(())
    })
}

/// Every replica change an autoscaler made.
pub fn scaling_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    csv_bytes(|w| {
        w.write_record(["time_s", "workload", "namespace", "from", "to", "by"])?;
        for e in &r.scale_events {
            let wl = &s.workloads[e.workload];
            w.write_record([
                secs(e.at_ms),
                wl.name.clone(),
                wl.namespace.clone(),
                e.from.to_string(),
                e.to.to_string(),
                match e.by {
                    crate::sim::Scaler::Hpa => "hpa".to_string(),
                    crate::sim::Scaler::Keda => "keda".to_string(),
                    crate::sim::Scaler::Script => "script".to_string(),
                },
            ])?;
        }
        Ok(())
    })
}

/// Every `CreateFleet` call Karpenter made: the offerings tried, those that failed with
/// insufficient capacity, and what launched.
pub fn launches_csv(s: &Scenario, r: &SimResult) -> Result<Vec<u8>> {
    csv_bytes(|w| {
        w.write_record([
            "time_s",
            "nodepool",
            "purpose",
            "capacity_type",
            "spot_allowed",
            "offerings",
            "insufficient_capacity",
            "outcome",
            "retries",
            "instance_type",
            "zone",
            "price_usd_per_hour",
            "node",
        ])?;
        for l in &r.launches {
            let errors: Vec<String> = l
                .errors
                .iter()
                .map(|&(ti, zi)| format!("{}/{}", s.catalog.get(ti).name, s.zones[zi]))
                .collect();
            w.write_record([
                secs(l.time),
                s.node_pools[l.pool].name.clone(),
                l.purpose.as_str().to_string(),
                l.capacity_type.as_str().to_string(),
                l.spot_allowed.to_string(),
                l.overrides.to_string(),
                errors.join(";"),
                l.outcome.as_str().to_string(),
                l.retries.to_string(),
                l.launch
                    .map(|x| s.catalog.get(x.instance_type).name.clone())
                    .unwrap_or_default(),
                l.launch
                    .map(|x| s.zones[x.zone].clone())
                    .unwrap_or_default(),
                l.launch
                    .map(|x| format!("{:.6}", x.price))
                    .unwrap_or_default(),
                l.node
                    .map(|n| r.cluster.nodes[n as usize].name.clone())
                    .unwrap_or_default(),
            ])?;
        }
        Ok(())
    })
}

/// The summary as pretty JSON with a trailing newline.
pub fn summary_json(summary: &Summary) -> Result<Vec<u8>> {
    crate::export::json::to_string(summary).map(String::into_bytes)
}

/// Every output file's name and bytes, encoded in memory.
pub fn encode_outputs(
    s: &Scenario,
    r: &SimResult,
    summary: &Summary,
) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let mut files = vec![
        ("summary.json", summary_json(summary)?),
        ("timeseries.csv", timeseries_csv(s, r)?),
        ("pods.csv", pods_csv(s, r)?),
        ("nodes.csv", nodes_csv(s, r)?),
        ("workloads.csv", workloads_csv(s, r)?),
        ("scaling.csv", scaling_csv(s, r)?),
        ("launches.csv", launches_csv(s, r)?),
    ];
    files.extend(super::plots::charts(s, r)?);
    Ok(files)
}

/// Writes every output file into `dir` (created if missing).
pub fn write_outputs(dir: &Path, s: &Scenario, r: &SimResult, summary: &Summary) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    // Encode everything first, so a failure leaves the directory untouched.
    for (name, bytes) in encode_outputs(s, r, summary)? {
        write_atomic(dir, name, &bytes)?;
    }
    Ok(())
}

/// Writes a comparison into `dir` (created if missing): `compare.txt`, `compare.json`,
/// `compare.csv` and `compare.md` (one per export format), the overlaid charts (SVG and PNG)
/// and `report.html`. Everything is encoded before the first file is written.
pub fn write_comparison(dir: &Path, c: &crate::compare::Comparison) -> Result<()> {
    use crate::export::{Format, exporter};
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for f in Format::ALL {
        files.push((
            format!("compare.{}", f.extension()),
            exporter(f).comparison(c)?.into_bytes(),
        ));
    }
    let charts = super::plots::comparison_charts(c)?;
    // In page order, as `ksim report` reads them back.
    let svgs: Vec<(&str, String)> = super::html::COMPARE_CHARTS
        .iter()
        .filter_map(|(stem, _)| {
            let (_, bytes) = charts.iter().find(|(n, _)| *n == format!("{stem}.svg"))?;
            Some((*stem, String::from_utf8_lossy(bytes).into_owned()))
        })
        .collect();
    let html = super::html::render_comparison(c, &svgs);
    files.extend(charts.iter().map(|(n, b)| (n.to_string(), b.clone())));
    files.push(("report.html".into(), html.into_bytes()));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    for (name, bytes) in &files {
        write_atomic(dir, name, bytes)?;
    }
    Ok(())
}
