//! Charts of a run, as SVG and PNG, drawn with plotters. Text uses the DejaVu Sans font embedded
//! in the binary (the `dejavu` crate), so no system font is needed and the bytes are the same on
//! every machine.
//!
//! Each chart is one file per format: `pods`, `nodes`, `cost`, `latency_histogram`,
//! `latency_cdf`, `capacity`, and `replicas` (desired replicas of each workload).

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

/// A line series: label, colour and y values (one per minute sample).
struct Series<'a> {
    label: &'a str,
    color: RGBColor,
    ys: Vec<f64>,
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

/// Draws lines over hours on any backend. `stacked` fills each series as an area on top of the
/// ones before it.
fn draw_lines<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
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
    let x_max = hours.last().copied().unwrap_or(1.0).max(1e-3);
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
    }
    let y_max = if y_max > 0.0 { y_max * 1.05 } else { 1.0 };
    let mut chart = ChartBuilder::on(&root)
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
            chart
                .draw_series(LineSeries::new(
                    hours.iter().copied().zip(s.ys.iter().copied()),
                    color.stroke_width(2),
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
    root.present().map_err(plot_err)?;
    Ok(())
}

/// Draws a chart twice, as SVG and as PNG.
fn both(
    draw_svg: impl FnOnce(DrawingArea<SVGBackend<'_>, plotters::coord::Shift>) -> Result<()>,
    draw_png: impl FnOnce(DrawingArea<BitMapBackend<'_>, plotters::coord::Shift>) -> Result<()>,
) -> Result<(Vec<u8>, Vec<u8>)> {
    register_font();
    let mut svg = String::new();
    draw_svg(SVGBackend::with_string(&mut svg, SIZE).into_drawing_area())?;
    let mut rgb = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    draw_png(BitMapBackend::with_buffer(&mut rgb, SIZE).into_drawing_area())?;
    Ok((svg.into_bytes(), encode_png(&rgb)?))
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

fn encode_png(rgb: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, SIZE.0, SIZE.1);
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
                Series {
                    label: "running",
                    color: palette(0),
                    ys: col(&|t| t.pods_running as f64),
                },
                Series {
                    label: "pending",
                    color: palette(3),
                    ys: col(&|t| t.pods_pending as f64),
                },
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
                Series {
                    label: "on-demand",
                    color: palette(1),
                    ys: col(&|t| t.nodes_on_demand as f64),
                },
                Series {
                    label: "spot",
                    color: palette(0),
                    ys: col(&|t| t.nodes_spot as f64),
                },
            ],
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
                Series {
                    label: "rate, USD/h",
                    color: palette(2),
                    ys: col(&|t| t.cost_rate_usd_per_hour),
                },
                Series {
                    label: "cumulative, USD / 10",
                    color: palette(4),
                    ys: col(&|t| t.cost_cumulative_usd / 10.0),
                },
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
                Series {
                    label: "CPU requested",
                    color: palette(0),
                    ys: col(&|t| t.cpu_requested_m as f64 / 1000.0),
                },
                Series {
                    label: "CPU allocatable",
                    color: palette(7),
                    ys: col(&|t| t.cpu_allocatable_m as f64 / 1000.0),
                },
                Series {
                    label: "memory requested",
                    color: palette(1),
                    ys: col(&|t| t.mem_requested_b as f64 / crate::resources::GIB as f64 / 4.0),
                },
                Series {
                    label: "memory allocatable",
                    color: palette(5),
                    ys: col(&|t| t.mem_allocatable_b as f64 / crate::resources::GIB as f64 / 4.0),
                },
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
            &[Series {
                label: "pods bound within x s",
                color: palette(0),
                ys: cdf,
            }],
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
            Series {
                label: wl.name.as_str(),
                color: palette(w),
                ys,
            }
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
    Ok(out)
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
