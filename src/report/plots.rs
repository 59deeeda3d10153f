//! Charts of a run, as SVG and PNG, drawn with plotters. Text uses the DejaVu Sans font embedded
//! in the binary (the `dejavu` crate), so no system font is needed and the bytes are the same on
//! every machine.
//!
//! Each chart is one file per format: `pods`, `nodes` (by capacity type), `nodes_by_type`,
//! `cost`, `latency_histogram`, `latency_cdf`, `capacity`, `replicas` (desired replicas of each
//! workload) and `workloads` (each workload's replicas against its demand); for a comparison,
//! the `compare_*` charts of [`comparison_charts`].

use crate::cluster::PodCause;
use crate::error::{Error, Result};
use crate::scenario::Scenario;
use crate::sim::SimResult;
use plotters::prelude::*;
use std::sync::Once;

/// Chart size in pixels.
const SIZE: (u32, u32) = (1000, 480);
/// The family the embedded font is registered under: SVG viewers show their own sans-serif font.
const FONT: &str = "sans-serif";

static FONT_ONCE: Once = Once::new();

fn register_font() {
    FONT_ONCE.call_once(|| {
        // The bytes are a valid TrueType font compiled in; failure would be a packaging bug.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
    });
}

/// A line series: label, colour and y values (one per x), with an optional shaded band
/// (lower, upper) around it.
struct Series<'a> {
    label: &'a str,
    color: RGBColor,
    ys: Vec<f64>,
    band: Option<(Vec<f64>, Vec<f64>)>,
    /// Its own x values (for overlays of runs sampled differently); the chart's otherwise.
    xs: Option<Vec<f64>>,
}

fn line(label: &str, color: RGBColor, ys: Vec<f64>) -> Series<'_> {
    Series {
        label,
        color,
        ys,
        band: None,
        xs: None,
    }
}

fn palette(i: usize) -> RGBColor {
    const C: [RGBColor; 8] = [
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(127, 127, 127),
    ];
    C[i % C.len()]
}

fn plot_err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing a chart failed: {e:?}"))
}

/// Draws lines over hours on any backend and presents the drawing. `stacked` fills each series
/// as an area on top of the ones before it.
fn draw_lines<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    labels: (&str, &str),
    hours: &[f64],
    series: &[Series<'_>],
    stacked: bool,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    plot_lines(&root, title, labels, hours, series, stacked)?;
    root.present().map_err(plot_err)
}

/// [`draw_lines`] without presenting, for one panel of several on a drawing (a backend is
/// presented once: an SVG is closed when presented).
fn plot_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    (x_label, y_label): (&str, &str),
    hours: &[f64],
    series: &[Series<'_>],
    stacked: bool,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(plot_err)?;
    let x_max = series
        .iter()
        .filter_map(|s| s.xs.as_ref().and_then(|x| x.last().copied()))
        .chain(hours.last().copied())
        .fold(0.0f64, f64::max)
        .max(1e-3);
    let mut tops = vec![0.0f64; hours.len()];
    let mut y_max: f64 = 0.0;
    for s in series {
        for (i, y) in s.ys.iter().enumerate() {
            let v = if stacked { tops[i] + y } else { *y };
            y_max = y_max.max(v);
            if stacked {
                tops[i] = v;
            }
        }
        if let Some((_, hi)) = &s.band {
            y_max = hi.iter().copied().fold(y_max, f64::max);
        }
    }
    let y_max = if y_max > 0.0 { y_max * 1.05 } else { 1.0 };
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..x_max, 0f64..y_max)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc(x_label)
        .y_desc(y_label)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(plot_err)?;
    let mut base = vec![0.0f64; hours.len()];
    for s in series {
        let color = s.color;
        if stacked {
            let top: Vec<f64> = base.iter().zip(&s.ys).map(|(b, y)| b + y).collect();
            let pts: Vec<(f64, f64)> = hours.iter().copied().zip(top.iter().copied()).collect();
            let lower: Vec<(f64, f64)> = hours
                .iter()
                .copied()
                .zip(base.iter().copied())
                .rev()
                .collect();
            let mut poly = pts.clone();
            poly.extend(lower);
            chart
                .draw_series(std::iter::once(Polygon::new(
                    poly,
                    color.mix(0.45).filled(),
                )))
                .map_err(plot_err)?
                .label(s.label)
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 14, y + 5)], color.filled())
                });
            chart
                .draw_series(LineSeries::new(pts, color.stroke_width(1)))
                .map_err(plot_err)?;
            base = top;
        } else {
            let hours = s.xs.as_deref().unwrap_or(hours);
            if let Some((lo, hi)) = &s.band {
                let mut poly: Vec<(f64, f64)> =
                    hours.iter().copied().zip(hi.iter().copied()).collect();
                poly.extend(hours.iter().copied().zip(lo.iter().copied()).rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        poly,
                        color.mix(0.18).filled(),
                    )))
                    .map_err(plot_err)?;
            }
            chart
                .draw_series(LineSeries::new(
                    hours.iter().copied().zip(s.ys.iter().copied()),
                    color.stroke_width(1),
                ))
                .map_err(plot_err)?
                .label(s.label)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .label_font((FONT, 14))
        .draw()
        .map_err(plot_err)?;
    Ok(())
}

/// Draws a chart twice, as SVG and as PNG.
fn both(
    draw_svg: impl FnOnce(DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()>,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<()>,
) -> Result<(Vec<u8>, Vec<u8>)> {
    both_sized(SIZE, draw_svg, draw_png)
}

/// [`both`] at another size, in pixels.
fn both_sized(
    size: (u32, u32),
    draw_svg: impl FnOnce(DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()>,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<()>,
) -> Result<(Vec<u8>, Vec<u8>)> {
    register_font();
    let mut svg = String::new();
    draw_svg(SVGBackend::with_string(&mut svg, size).into_drawing_area())?;
    let mut rgb = vec![0u8; (size.0 * size.1 * 3) as usize];
    draw_png(BitMapBackend::with_buffer(&mut rgb, size).into_drawing_area())?;
    Ok((svg.into_bytes(), encode_png(&rgb, size)?))
}

fn chart_files(
    title: &str,
    labels: (&str, &str),
    xs: &[f64],
    series: &[Series<'_>],
    stacked: bool,
) -> Result<(Vec<u8>, Vec<u8>)> {
    both(
        |root| draw_lines(root, title, labels, xs, series, stacked),
        |root| draw_lines(root, title, labels, xs, series, stacked),
    )
}

/// A histogram of values into `bins` equal bins from 0 to the largest value.
fn draw_histogram<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    values: &[f64],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(plot_err)?;
    let bins = 40usize;
    let max = values.last().copied().unwrap_or(1.0).max(1e-3);
    let width = max / bins as f64;
    let mut counts = vec![0u64; bins];
    for v in values {
        counts[((v / width) as usize).min(bins - 1)] += 1;
    }
    let top = counts.iter().copied().max().unwrap_or(1).max(1) as f64 * 1.05;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, (FONT, 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d(0f64..max, 0f64..top)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("seconds from creation to binding")
        .y_desc("pods")
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(plot_err)?;
    chart
        .draw_series(counts.iter().enumerate().map(|(i, &c)| {
            let x0 = i as f64 * width;
            Rectangle::new(
                [(x0, 0.0), (x0 + width, c as f64)],
                palette(0).mix(0.7).filled(),
            )
        }))
        .map_err(plot_err)?;
    root.present().map_err(plot_err)?;
    Ok(())
}

fn encode_png(rgb: &[u8], size: (u32, u32)) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, size.0, size.1);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header().map_err(plot_err)?;
        w.write_image_data(rgb).map_err(plot_err)?;
    }
    Ok(out)
}

/// Every chart of a run: `(file name, bytes)`, SVG and PNG for each.
pub fn charts(s: &Scenario, r: &SimResult) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let ts = &r.timeseries;
    let hours: Vec<f64> = ts.iter().map(|t| t.minute as f64 / 60.0).collect();
    let col =
        |f: &dyn Fn(&crate::sim::TimeseriesRow) -> f64| ts.iter().map(f).collect::<Vec<f64>>();
    let mut out = Vec::new();
    let mut push = |name: (&'static str, &'static str), files: (Vec<u8>, Vec<u8>)| {
        out.push((name.0, files.0));
        out.push((name.1, files.1));
    };
    push(
        ("pods.svg", "pods.png"),
        chart_files(
            "Pods running and pending",
            ("hours", "pods"),
            &hours,
            &[
                line("running", palette(0), col(&|t| t.pods_running as f64)),
                line("pending", palette(3), col(&|t| t.pods_pending as f64)),
            ],
            false,
        )?,
    );
    push(
        ("nodes.svg", "nodes.png"),
        chart_files(
            "Nodes by capacity type (stacked)",
            ("hours", "nodes"),
            &hours,
            &[
                line("on-demand", palette(1), col(&|t| t.nodes_on_demand as f64)),
                line("spot", palette(0), col(&|t| t.nodes_spot as f64)),
            ],
            true,
        )?,
    );
    let types = super::files::sampled_types(r);
    let by_type: Vec<Series<'_>> = types
        .iter()
        .enumerate()
        .map(|(k, &t)| {
            let ys = col(&|row| {
                row.nodes_by_type
                    .binary_search_by_key(&t, |&(x, _)| x)
                    .map_or(0.0, |i| f64::from(row.nodes_by_type[i].1))
            });
            line(&s.catalog.get(t).name, palette(k), ys)
        })
        .collect();
    push(
        ("nodes_by_type.svg", "nodes_by_type.png"),
        chart_files(
            "Nodes by instance type (stacked)",
            ("hours", "nodes"),
            &hours,
            &by_type,
            true,
        )?,
    );
    push(
        ("cost.svg", "cost.png"),
        chart_files(
            "Cost rate (USD/h) and cumulative cost (USD/10)",
            ("hours", "USD"),
            &hours,
            &[
                line(
                    "rate, USD/h",
                    palette(2),
                    col(&|t| t.cost_rate_usd_per_hour),
                ),
                line(
                    "cumulative, USD / 10",
                    palette(4),
                    col(&|t| t.cost_cumulative_usd / 10.0),
                ),
            ],
            false,
        )?,
    );
    push(
        ("capacity.svg", "capacity.png"),
        chart_files(
            "CPU (cores) and memory (GiB / 4) requested and allocatable",
            ("hours", "cores; GiB / 4"),
            &hours,
            &[
                line(
                    "CPU requested",
                    palette(0),
                    col(&|t| t.cpu_requested_m as f64 / 1000.0),
                ),
                line(
                    "CPU allocatable",
                    palette(7),
                    col(&|t| t.cpu_allocatable_m as f64 / 1000.0),
                ),
                line(
                    "memory requested",
                    palette(1),
                    col(&|t| t.mem_requested_b as f64 / crate::resources::GIB as f64 / 4.0),
                ),
                line(
                    "memory allocatable",
                    palette(5),
                    col(&|t| t.mem_allocatable_b as f64 / crate::resources::GIB as f64 / 4.0),
                ),
            ],
            false,
        )?,
    );
    let lat = latencies_s(r);
    push(
        ("latency_histogram.svg", "latency_histogram.png"),
        both(
            |root| draw_histogram(root, "Scheduling latency", &lat),
            |root| draw_histogram(root, "Scheduling latency", &lat),
        )?,
    );
    let n = lat.len().max(1) as f64;
    let cdf: Vec<f64> = (1..=lat.len()).map(|i| i as f64 / n).collect();
    push(
        ("latency_cdf.svg", "latency_cdf.png"),
        chart_files(
            "Scheduling latency, cumulative distribution",
            ("seconds from creation to binding", "fraction of pods"),
            &lat,
            &[line("pods bound within x s", palette(0), cdf)],
            false,
        )?,
    );
    // Desired replicas of each workload over time.
    let minutes: Vec<u64> = ts.iter().map(|t| t.minute).collect();
    let series: Vec<Series<'_>> = s
        .workloads
        .iter()
        .enumerate()
        .map(|(w, wl)| {
            let mut ys = vec![0.0; minutes.len()];
            for row in r.workload_series.iter().filter(|x| x.workload == w) {
                if let Ok(i) = minutes.binary_search(&row.minute) {
                    ys[i] = row.desired as f64;
                }
            }
            line(wl.name.as_str(), palette(w), ys)
        })
        .collect();
    push(
        ("replicas.svg", "replicas.png"),
        chart_files(
            "Desired replicas per workload",
            ("hours", "replicas"),
            &hours,
            &series,
            false,
        )?,
    );
    push(
        ("workloads.svg", "workloads.png"),
        workload_panels(s, r, &hours)?,
    );
    Ok(out)
}

/// Workloads drawn in [`workload_panels`], at most.
pub const WORKLOAD_PANELS: usize = 12;

/// One panel per workload (the first [`WORKLOAD_PANELS`]), two per row: desired and Ready
/// replicas against demand, the demand given in pods' worth — CPU demand divided by one pod's
/// CPU request, the replicas that demand would keep at 100 % of their requests.
fn workload_panels(s: &Scenario, r: &SimResult, hours: &[f64]) -> Result<(Vec<u8>, Vec<u8>)> {
    let shown = s.workloads.len().clamp(1, WORKLOAD_PANELS);
    let rows = shown.div_ceil(2) as u32;
    let size = (SIZE.0, 60 + 300 * rows);
    let nw = s.workloads.len();
    let panel = |w: usize| -> (String, [Vec<f64>; 3]) {
        let wl = &s.workloads[w];
        let per_pod_cores = wl.template.requests.cpu_m as f64 / 1000.0;
        let rows = r.workload_series.iter().skip(w).step_by(nw.max(1));
        let mut cols = [Vec::new(), Vec::new(), Vec::new()];
        for row in rows.take(hours.len()) {
            cols[0].push(row.desired as f64);
            cols[1].push(row.ready as f64);
            cols[2].push(if per_pod_cores > 0.0 {
                row.demand_cores / per_pod_cores
            } else {
                0.0
            });
        }
        (format!("{}/{}", wl.namespace, wl.name), cols)
    };
    let panels: Vec<(String, [Vec<f64>; 3])> = (0..nw.min(shown)).map(panel).collect();
    fn draw<DB: DrawingBackend>(
        root: DrawingArea<DB, plotters::coord::Shift>,
        hours: &[f64],
        panels: &[(String, [Vec<f64>; 3])],
        rows: u32,
        total: usize,
    ) -> Result<()>
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE).map_err(plot_err)?;
        let title = if total > panels.len() {
            format!(
                "Replicas against demand (first {} of {} workloads)",
                panels.len(),
                total
            )
        } else {
            "Replicas against demand (demand in pods' worth of CPU requests)".to_string()
        };
        let root = root.titled(&title, (FONT, 20)).map_err(plot_err)?;
        for (area, (name, [desired, ready, demand])) in root
            .split_evenly((rows as usize, 2))
            .into_iter()
            .zip(panels)
        {
            plot_lines(
                &area,
                name,
                ("hours", "replicas"),
                hours,
                &[
                    line("ready", palette(2), ready.clone()),
                    line("desired", palette(0), desired.clone()),
                    line("demand", palette(3), demand.clone()),
                ],
                false,
            )?;
        }
        root.present().map_err(plot_err)
    }
    let total = s.workloads.len();
    both_sized(
        size,
        |root| draw(root, hours, &panels, rows, total),
        |root| draw(root, hours, &panels, rows, total),
    )
}

/// Scheduling latencies (seconds) of the pods created during the run, sorted.
pub fn latencies_s(r: &SimResult) -> Vec<f64> {
    let mut v: Vec<f64> = r
        .cluster
        .pods
        .iter()
        .filter(|p| p.cause != PodCause::Initial)
        .filter_map(|p| p.bound.map(|b| (b - p.created) as f64 / 1000.0))
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

/// Per sample, the mean of the seeds' values and their smallest and largest (over the samples
/// every seed has).
fn mean_band(runs: &[Vec<f64>]) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = runs.iter().map(Vec::len).min().unwrap_or(0);
    let mut mean = Vec::with_capacity(n);
    let (mut lo, mut hi) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for i in 0..n {
        let vals = runs.iter().map(|r| r[i]);
        mean.push(vals.clone().sum::<f64>() / runs.len() as f64);
        lo.push(vals.clone().fold(f64::INFINITY, f64::min));
        hi.push(vals.fold(f64::NEG_INFINITY, f64::max));
    }
    (mean, lo, hi)
}

/// The empirical CDF of sorted values at up to `points` quantiles: (x, fraction ≤ x).
fn cdf_points(sorted: &[f64], points: usize) -> (Vec<f64>, Vec<f64>) {
    let n = sorted.len();
    if n == 0 {
        return (Vec::new(), Vec::new());
    }
    let k = points.min(n);
    (1..=k)
        .map(|j| {
            let i = (j * n).div_ceil(k) - 1;
            (sorted[i], (i + 1) as f64 / n as f64)
        })
        .unzip()
}

/// Means with 95 % confidence intervals of one metric, one whisker per configuration.
fn draw_intervals<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    labels: &[&str],
    estimates: &[crate::runs::Estimate],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let lo = estimates
        .iter()
        .map(|e| e.ci95_low)
        .fold(f64::INFINITY, f64::min);
    let hi = estimates
        .iter()
        .map(|e| e.ci95_high)
        .fold(f64::NEG_INFINITY, f64::max);
    let pad = ((hi - lo) * 0.15).max(hi.abs() * 0.01).max(1e-6);
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 17))
        .margin(10)
        .x_label_area_size(30)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), (lo - pad)..(hi + pad))
        .map_err(plot_err)?;
    let label_of = |x: &f64| {
        let i = x.round();
        if (x - i).abs() < 1e-6 && i >= 0.0 && (i as usize) < n {
            labels[i as usize].to_string()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(2) * 2 + 1)
        .x_label_formatter(&label_of)
        .label_style((FONT, 13))
        .draw()
        .map_err(plot_err)?;
    for (i, e) in estimates.iter().enumerate() {
        let color = palette(i);
        let x = i as f64;
        chart
            .draw_series(std::iter::once(ErrorBar::new_vertical(
                x,
                e.ci95_low,
                e.mean,
                e.ci95_high,
                color.stroke_width(2),
                18,
            )))
            .map_err(plot_err)?;
        chart
            .draw_series(std::iter::once(Circle::new((x, e.mean), 5, color.filled())))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// The metrics shown with their confidence intervals in [`comparison_charts`].
const INTERVAL_METRICS: [(&str, &str); 4] = [
    ("cost_usd", "cost, USD"),
    ("scheduling_p99_s", "scheduling p99, s"),
    (
        "disruption_pending_pod_s",
        "disruption-caused pending, pod·s",
    ),
    ("node_churn_per_hour", "node churn, nodes/h"),
];

/// The charts of a comparison, each configuration in its own colour: nodes, pending pods and
/// cumulative cost over time (the mean over the seeds, shaded from the smallest to the largest
/// seed), the pooled scheduling-latency CDF, and the 95 % confidence intervals of four metrics.
/// Configurations read back from files (no traces) are left out of the time charts.
pub fn comparison_charts(c: &crate::compare::Comparison) -> Result<Vec<(&'static str, Vec<u8>)>> {
    let with_traces: Vec<&crate::compare::Config> = c
        .configs
        .iter()
        .filter(|x| !x.runs.traces.is_empty())
        .collect();
    let color = |label: &str| palette(c.configs.iter().position(|x| x.label == label).unwrap_or(0));
    let mut out = Vec::new();
    let mut push = |name: (&'static str, &'static str), files: (Vec<u8>, Vec<u8>)| {
        out.push((name.0, files.0));
        out.push((name.1, files.1));
    };
    type Pick = fn(&crate::runs::Trace) -> &Vec<f64>;
    let over_time: [(&str, &str, &str, &str, Pick); 3] = [
        (
            "compare_nodes.svg",
            "compare_nodes.png",
            "Nodes",
            "nodes",
            |t| &t.nodes,
        ),
        (
            "compare_pending.svg",
            "compare_pending.png",
            "Pods pending",
            "pods",
            |t| &t.pods_pending,
        ),
        (
            "compare_cost.svg",
            "compare_cost.png",
            "Cumulative cost",
            "USD",
            |t| &t.cost_cumulative_usd,
        ),
    ];
    if !with_traces.is_empty() {
        for (svg, png, title, unit, pick) in over_time {
            let series: Vec<Series<'_>> = with_traces
                .iter()
                .map(|cfg| {
                    let runs: Vec<Vec<f64>> =
                        cfg.runs.traces.iter().map(|t| pick(t).clone()).collect();
                    let (mean, lo, hi) = mean_band(&runs);
                    let xs = cfg.runs.traces[0].hours[..mean.len()].to_vec();
                    Series {
                        label: cfg.label.as_str(),
                        color: color(&cfg.label),
                        ys: mean,
                        band: (runs.len() > 1).then_some((lo, hi)),
                        xs: Some(xs),
                    }
                })
                .collect();
            let seeds = with_traces[0].runs.traces.len();
            let title = if seeds > 1 {
                format!("{title}: mean over {seeds} seeds, shaded from the lowest to the highest")
            } else {
                title.to_string()
            };
            push(
                (svg, png),
                chart_files(&title, ("hours", unit), &[], &series, false)?,
            );
        }
        let series: Vec<Series<'_>> = with_traces
            .iter()
            .map(|cfg| {
                let mut all: Vec<f64> = cfg
                    .runs
                    .traces
                    .iter()
                    .flat_map(|t| t.latencies_s.iter().copied())
                    .collect();
                all.sort_by(f64::total_cmp);
                let (xs, ys) = cdf_points(&all, 600);
                Series {
                    label: cfg.label.as_str(),
                    color: color(&cfg.label),
                    ys,
                    band: None,
                    xs: Some(xs),
                }
            })
            .collect();
        push(
            ("compare_latency_cdf.svg", "compare_latency_cdf.png"),
            chart_files(
                "Scheduling latency, cumulative distribution (all seeds pooled)",
                ("seconds from creation to binding", "fraction of pods"),
                &[],
                &series,
                false,
            )?,
        );
    }
    let labels: Vec<&str> = c.configs.iter().map(|x| x.label.as_str()).collect();
    push(
        ("compare_intervals.svg", "compare_intervals.png"),
        both(
            |root| draw_interval_grid(root, &labels, c),
            |root| draw_interval_grid(root, &labels, c),
        )?,
    );
    Ok(out)
}

fn draw_interval_grid<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    labels: &[&str],
    c: &crate::compare::Comparison,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(plot_err)?;
    let root = root
        .titled("Means with 95 % confidence intervals", (FONT, 20))
        .map_err(plot_err)?;
    for (area, (name, title)) in root.split_evenly((2, 2)).iter().zip(INTERVAL_METRICS) {
        let est: Vec<crate::runs::Estimate> =
            c.configs.iter().map(|x| x.runs.metrics[name]).collect();
        draw_intervals(area, title, labels, &est)?;
    }
    root.present().map_err(plot_err)?;
    Ok(())
}
