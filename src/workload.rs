//! Workload demand over time.
//!
//! A daily curve is a raised cosine between `trough` and `peak`, highest at `peakHour` (UTC):
//! `base(t) = trough + (peak − trough) · (1 + cos(2π (h(t) − peakHour) / 24)) / 2`, multiplied
//! by `weekendFactor` on Saturdays and Sundays. Noise is multiplicative and autocorrelated: an
//! AR(1) process sampled every minute with a 10-minute correlation time and stationary relative
//! standard deviation `noise`, drawn from the workload's own demand stream (keyed by its
//! namespace and name), so demand is identical across runs with the same seed whatever else
//! differs — including the other workloads. Values are precomputed per minute and
//! linearly interpolated.
//!
//! A trace is a CSV file with columns `time` (a Go duration such as `90m`, or seconds) and
//! `value`, linearly interpolated between its own points (any resolution) and held constant
//! after the last point.

use crate::csv_input::CsvInput;
use crate::engine::{MINUTE, Millis, RngStreams, SECOND, Stream};
use crate::error::InputError;
use crate::k8s::cron::Clock;
use crate::scenario::{Demand, DemandUnit, HpaMetric, MetricResource, Workload};
use rand_distr::{Distribution, StandardNormal};

/// Correlation time of demand noise.
const NOISE_CORRELATION_MINUTES: f64 = 10.0;

/// A demand curve: a daily curve sampled once per minute, or a trace's own points.
#[derive(Debug, Clone)]
pub struct DemandCurve {
    /// Value at each whole minute from t = 0 (daily curves).
    per_minute: Vec<f64>,
    /// The trace's points (traces).
    points: Vec<(Millis, f64)>,
    /// What the values mean.
    pub unit: DemandUnit,
}

impl DemandCurve {
    /// Precomputes the curve over `[0, duration]` (plus one minute for interpolation).
    /// `noise_key` selects the workload's own noise stream ([`noise_key`]).
    pub fn build(
        demand: &Demand,
        clock: &Clock,
        duration_ms: Millis,
        streams: &RngStreams,
        noise_key: u32,
    ) -> DemandCurve {
        let minutes = (duration_ms / MINUTE + 2) as usize;
        match demand {
            Demand::Daily {
                trough,
                peak,
                peak_hour,
                weekend_factor,
                noise,
                unit,
            } => {
                let mut rng = streams.indexed(Stream::Demand, noise_key);
                let phi = libm::exp(-1.0 / NOISE_CORRELATION_MINUTES);
                let innovation = (1.0 - phi * phi).sqrt() * noise;
                let mut x: f64 = if *noise > 0.0 {
                    let z: f64 = StandardNormal.sample(&mut rng);
                    z * noise
                } else {
                    0.0
                };
                let mut per_minute = Vec::with_capacity(minutes);
                for m in 0..minutes {
                    let t = m as Millis * MINUTE;
                    let h = clock.hour_of_day(t);
                    let shape = (1.0
                        + libm::cos(2.0 * std::f64::consts::PI * (h - peak_hour) / 24.0))
                        / 2.0;
                    let mut v = trough + (peak - trough) * shape;
                    if clock.is_weekend(t) {
                        v *= weekend_factor;
                    }
                    if *noise > 0.0 {
                        v *= (1.0 + x).max(0.0);
                        let z: f64 = StandardNormal.sample(&mut rng);
                        x = phi * x + innovation * z;
                    }
                    per_minute.push(v.max(0.0));
                }
                DemandCurve {
                    per_minute,
                    points: Vec::new(),
                    unit: *unit,
                }
            }
            Demand::Trace { points, unit } => DemandCurve {
                per_minute: Vec::new(),
                points: points.clone(),
                unit: *unit,
            },
        }
    }

    /// The value at time `t`, interpolated between minutes (or trace points).
    pub fn at(&self, t: Millis) -> f64 {
        if !self.points.is_empty() {
            return interpolate(&self.points, t);
        }
        let i = (t / MINUTE) as usize;
        let frac = (t % MINUTE) as f64 / MINUTE as f64;
        let a = self.value(i);
        let b = self.value(i + 1);
        a + (b - a) * frac
    }

    fn value(&self, i: usize) -> f64 {
        *self
            .per_minute
            .get(i)
            .or(self.per_minute.last())
            .unwrap_or(&0.0)
    }

    /// The mean over `[t0, t1]` (trapezoid rule on the interpolated curve, 1 s steps at most 60).
    pub fn mean_over(&self, t0: Millis, t1: Millis) -> f64 {
        if t1 <= t0 {
            return self.at(t1);
        }
        let steps = ((t1 - t0) / SECOND).clamp(1, 60);
        let dt = (t1 - t0) as f64 / steps as f64;
        let mut sum = 0.0;
        for i in 0..=steps {
            let t = t0 as f64 + dt * i as f64;
            let w = if i == 0 || i == steps { 0.5 } else { 1.0 };
            sum += w * self.at(t as Millis);
        }
        sum / steps as f64
    }
}

fn interpolate(points: &[(Millis, f64)], t: Millis) -> f64 {
    match points.binary_search_by_key(&t, |p| p.0) {
        Ok(i) => points[i].1,
        Err(0) => points.first().map(|p| p.1).unwrap_or(0.0),
        Err(i) if i >= points.len() => points.last().map(|p| p.1).unwrap_or(0.0),
        Err(i) => {
            let (t0, v0) = points[i - 1];
            let (t1, v1) = points[i];
            v0 + (v1 - v0) * (t - t0) as f64 / (t1 - t0) as f64
        }
    }
}

/// The noise stream index of a workload: an FNV-1a hash of `namespace/name`, so a workload's
/// noise does not change when other workloads are added, removed or reordered.
pub fn noise_key(namespace: &str, name: &str) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for b in namespace
        .bytes()
        .chain(std::iter::once(b'/'))
        .chain(name.bytes())
    {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// Parses a trace CSV (`time,value`). Errors name the file, line and column.
pub fn parse_trace(file: &str, text: &str) -> Result<Vec<(Millis, f64)>, InputError> {
    let input = CsvInput::parse(file, text, &[])?;
    let (Some(tc), Some(vc)) = (input.column("time"), input.column("value")) else {
        return Err(InputError::file(
            file,
            "the trace needs the columns `time` and `value`",
        ));
    };
    let mut points: Vec<(Millis, f64)> = Vec::new();
    for (line, rec) in &input.rows {
        let line = *line;
        let at = |field: &str, msg: String| input.error(line, Some(field), msg);
        let traw = rec.get(tc).unwrap_or("");
        let t = if let Ok(secs) = traw.parse::<f64>() {
            if !(secs.is_finite() && secs >= 0.0) {
                return Err(at(
                    "time",
                    format!("must be a non-negative time, got {traw:?}"),
                ));
            }
            (secs * 1000.0).round() as Millis
        } else {
            crate::k8s::duration::parse_nonnegative_ms(traw)
                .map_err(|e| at("time", format!("{e}; use seconds or a duration like 90m")))?
        };
        let vraw = rec.get(vc).unwrap_or("");
        let v: f64 = vraw
            .parse()
            .ok()
            .filter(|v: &f64| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| {
                at(
                    "value",
                    format!("must be a non-negative number, got {vraw:?}"),
                )
            })?;
        if let Some(last) = points.last()
            && t <= last.0
        {
            return Err(at("time", "times must increase from row to row".into()));
        }
        points.push((t, v));
    }
    if points.is_empty() {
        return Err(InputError::file(file, "the trace has no rows"));
    }
    Ok(points)
}

/// Converts a demand value to CPU millicores of work for a workload.
///
/// `Replicas` with an HPA means the load that puts that many pods exactly at the HPA's first
/// CPU target (`replicas × request × target%`, or `replicas × averageValue`).
pub fn demand_to_cpu_m(w: &Workload, unit: DemandUnit, value: f64) -> f64 {
    match unit {
        DemandUnit::Cores => value * 1000.0,
        DemandUnit::Replicas => {
            let per_pod = w
                .hpa
                .as_ref()
                .and_then(|h| {
                    h.metrics.iter().find_map(|m| match *m {
                        HpaMetric::Utilization {
                            resource: MetricResource::Cpu,
                            target_percent,
                        } => Some(
                            w.template.metric_requests.cpu_m as f64 * target_percent as f64 / 100.0,
                        ),
                        HpaMetric::AverageValue {
                            resource: MetricResource::Cpu,
                            target_milli,
                        } => Some(target_milli as f64),
                        _ => None,
                    })
                })
                .unwrap_or(w.template.metric_requests.cpu_m as f64);
            value * per_pod
        }
        // Queue arrivals are not CPU work; a queue's consumers get CPU from the messages they
        // process.
        DemandUnit::MessagesPerSecond => 0.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock() -> Clock {
        Clock::parse_start("2026-01-05T00:00:00Z").unwrap()
    }

    #[test]
    fn daily_curve_peaks_and_troughs() {
        let d = Demand::Daily {
            trough: 100.0,
            peak: 900.0,
            peak_hour: 20.0,
            weekend_factor: 0.5,
            noise: 0.0,
            unit: DemandUnit::Cores,
        };
        let c = DemandCurve::build(&d, &clock(), 7 * 24 * 3_600_000, &RngStreams::new(1), 0);
        let h = 3_600_000;
        assert!((c.at(20 * h) - 900.0).abs() < 1e-9);
        assert!((c.at(8 * h) - 100.0).abs() < 1e-9);
        // Saturday 2026-01-10 is day 5.
        assert!((c.at(5 * 24 * h + 20 * h) - 450.0).abs() < 1e-9);
        let mean = c.mean_over(19 * h, 21 * h);
        assert!(mean < 900.0 && mean > 800.0);
    }

    #[test]
    fn noise_is_seeded_and_bounded() {
        let d = Demand::Daily {
            trough: 100.0,
            peak: 100.0,
            peak_hour: 0.0,
            weekend_factor: 1.0,
            noise: 0.1,
            unit: DemandUnit::Cores,
        };
        let a = DemandCurve::build(&d, &clock(), 24 * 3_600_000, &RngStreams::new(5), 0);
        let b = DemandCurve::build(&d, &clock(), 24 * 3_600_000, &RngStreams::new(5), 0);
        let other = DemandCurve::build(&d, &clock(), 24 * 3_600_000, &RngStreams::new(5), 1);
        assert_eq!(a.per_minute, b.per_minute);
        assert_ne!(a.per_minute, other.per_minute);
        let n = a.per_minute.len() as f64;
        let mean = a.per_minute.iter().sum::<f64>() / n;
        let sd = (a.per_minute.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
        // One day of a 10-minute-correlated process: ~144 effective samples, so the sample
        // standard deviation is within ±30 % of 10 and the mean within ±3 of 100.
        assert!((mean - 100.0).abs() < 3.0, "mean {mean}");
        assert!(sd > 7.0 && sd < 13.0, "sd {sd}");
    }

    #[test]
    fn trace_parsing_and_interpolation() {
        let pts = parse_trace("t.csv", "time,value\n0,10\n60,20\n2m,40\n").unwrap();
        assert_eq!(pts, vec![(0, 10.0), (60_000, 20.0), (120_000, 40.0)]);
        assert_eq!(interpolate(&pts, 30_000), 15.0);
        assert_eq!(interpolate(&pts, 999_999), 40.0);
        let e = parse_trace("t.csv", "time,value\n0,10\n0,20\n").unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (3, Some("time")));
        let e = parse_trace("t.csv", "time,value\n0,-1\n").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("value"));
        assert!(parse_trace("t.csv", "t,v\n").is_err());
    }
}
