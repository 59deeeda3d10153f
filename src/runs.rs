//! Several seeds of one scenario (Monte Carlo): the runs in parallel, and the mean and 95 %
//! confidence interval of each metric.
//!
//! Demand noise, launch and startup latencies, spot allocation ties and capacity draws all come
//! from the seed, so each seed is one sample of the scenario's outcome. Seeds run on worker
//! threads, each run on its own, and the results are put back in seed order, so the output never
//! depends on the number of threads. The interval is Student's t for the mean of the samples:
//! `mean ± t(0.975, n − 1) × s / √n`, with `s` the sample standard deviation (statrs
//! `StudentsT::inverse_cdf`).

use crate::report::Summary;
use crate::savings::simulate;
use crate::scenario::Scenario;
use crate::sim::{RunLimits, SimError, SimResult};
use serde::{Deserialize, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The mean of a metric over the runs, with its 95 % confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Lower end of the 95 % confidence interval of the mean.
    pub ci95_low: f64,
    /// Upper end.
    pub ci95_high: f64,
    /// Sample standard deviation.
    pub stddev: f64,
    /// Smallest sample.
    pub min: f64,
    /// Largest sample.
    pub max: f64,
}

impl Estimate {
    /// The estimate from samples (with one sample the interval is that sample).
    pub fn of(samples: &[f64]) -> Estimate {
        let n = samples.len();
        assert!(n > 0, "at least one sample");
        let mean = samples.iter().sum::<f64>() / n as f64;
        let min = samples.iter().copied().fold(f64::INFINITY, f64::min);
        let max = samples.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if n == 1 {
            return Estimate {
                mean,
                ci95_low: mean,
                ci95_high: mean,
                stddev: 0.0,
                min,
                max,
            };
        }
        let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let stddev = var.sqrt();
        let t = StudentsT::new(0.0, 1.0, (n - 1) as f64)
            .expect("valid degrees of freedom")
            .inverse_cdf(0.975);
        let half = t * stddev / (n as f64).sqrt();
        Estimate {
            mean,
            ci95_low: mean - half,
            ci95_high: mean + half,
            stddev,
            min,
            max,
        }
    }
}

/// What one seed's run looked like over time, for overlaid charts: one value per minute sample,
/// and the scheduling latencies.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Trace {
    /// Sample times, hours.
    pub hours: Vec<f64>,
    /// Nodes (launching or running), per sample.
    pub nodes: Vec<f64>,
    /// Pods pending, per sample.
    pub pods_pending: Vec<f64>,
    /// Cost so far, USD, per sample.
    pub cost_cumulative_usd: Vec<f64>,
    /// Scheduling latencies of the pods created during the run, seconds, sorted.
    pub latencies_s: Vec<f64>,
}

impl Trace {
    /// The trace of a run.
    pub fn of(r: &SimResult) -> Trace {
        let ts = &r.timeseries;
        Trace {
            hours: ts.iter().map(|t| t.minute as f64 / 60.0).collect(),
            nodes: ts
                .iter()
                .map(|t| (t.nodes_spot + t.nodes_on_demand) as f64)
                .collect(),
            pods_pending: ts.iter().map(|t| t.pods_pending as f64).collect(),
            cost_cumulative_usd: ts.iter().map(|t| t.cost_cumulative_usd).collect(),
            latencies_s: crate::report::plots::latencies_s(r),
        }
    }
}

/// The result of several seeds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MultiRun {
    /// Scenario name.
    pub scenario: String,
    /// The seeds, in order.
    pub seeds: Vec<u64>,
    /// Per metric (the [`crate::compare::METRICS`]), the estimate over the seeds.
    pub metrics: BTreeMap<String, Estimate>,
    /// Per seed, the metrics.
    pub per_seed: Vec<BTreeMap<String, f64>>,
    /// Per seed, the trace (not serialized; empty when read back from a file).
    #[serde(skip)]
    pub traces: Vec<Trace>,
}

/// Runs `scenario` with each seed on up to `threads` threads. The result is the same for any
/// thread count.
pub fn run_seeds(
    scenario: &Scenario,
    seeds: &[u64],
    threads: usize,
    limits: RunLimits,
) -> Result<MultiRun, SimError> {
    let names = crate::compare::metric_names();
    run_seeds_with(
        scenario,
        seeds,
        threads,
        limits,
        &names,
        crate::compare::metrics,
        &|| {},
    )
}

/// [`run_seeds`] with another set of metrics: `metrics` maps one run's summary to named values,
/// and `names` lists those to estimate. `done` is called (from a worker thread) after each run,
/// for a progress display; it cannot change the result.
pub fn run_seeds_with(
    scenario: &Scenario,
    seeds: &[u64],
    threads: usize,
    limits: RunLimits,
    names: &[&str],
    metrics: fn(&Summary) -> BTreeMap<String, f64>,
    done: &(dyn Fn() + Sync),
) -> Result<MultiRun, SimError> {
    let next = AtomicUsize::new(0);
    type Slot = Option<Result<(Summary, Trace), SimError>>;
    let results: Mutex<Vec<Slot>> = Mutex::new((0..seeds.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..threads.clamp(1, seeds.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= seeds.len() {
                        break;
                    }
                    let mut s = scenario.clone();
                    s.seed = seeds[i];
                    // Spare threads (more than seeds) run each seed's counterfactual alongside.
                    let out = simulate(&s, limits, threads > seeds.len())
                        .map(|(r, summary)| (summary, Trace::of(&r)));
                    results.lock().expect("no worker panicked")[i] = Some(out);
                    done();
                }
            });
        }
    });
    let mut per_seed = Vec::new();
    let mut traces = Vec::new();
    for r in results.into_inner().expect("no worker panicked") {
        let (summary, trace) = r.expect("every seed ran")?;
        per_seed.push(metrics(&summary));
        traces.push(trace);
    }
    let mut estimates = BTreeMap::new();
    for &name in names {
        let samples: Vec<f64> = per_seed.iter().map(|x| x[name]).collect();
        estimates.insert(name.to_string(), Estimate::of(&samples));
    }
    let metrics = estimates;
    Ok(MultiRun {
        scenario: scenario.name.clone(),
        seeds: seeds.to_vec(),
        metrics,
        per_seed,
        traces,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known values: the t quantile for 9 degrees of freedom is 2.2622 (standard tables), so
    /// for samples 1..=10 (mean 5.5, s = 3.02765) the half-width is 2.16585.
    #[test]
    fn confidence_interval_matches_the_t_table() {
        let samples: Vec<f64> = (1..=10).map(f64::from).collect();
        let e = Estimate::of(&samples);
        assert!((e.mean - 5.5).abs() < 1e-12);
        assert!((e.stddev - 3.027_650_354).abs() < 1e-8);
        assert!((e.ci95_high - e.mean - 2.165_852).abs() < 1e-5, "{e:?}");
        assert!((e.mean - e.ci95_low - 2.165_852).abs() < 1e-5);
        let one = Estimate::of(&[4.0]);
        assert_eq!((one.ci95_low, one.ci95_high), (4.0, 4.0));
    }

    /// Coverage on a known distribution: intervals from samples of N(10, 2²) contain 10 in
    /// about 95 % of repetitions.
    #[test]
    fn intervals_cover_the_true_mean_about_95_percent_of_the_time() {
        use rand::SeedableRng;
        use rand_distr::{Distribution, Normal};
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(42);
        let normal = Normal::new(10.0, 2.0).unwrap();
        let reps = 4000;
        let covered = (0..reps)
            .filter(|_| {
                let xs: Vec<f64> = (0..8).map(|_| normal.sample(&mut rng)).collect();
                let e = Estimate::of(&xs);
                e.ci95_low <= 10.0 && 10.0 <= e.ci95_high
            })
            .count();
        let rate = covered as f64 / reps as f64;
        assert!((0.935..=0.965).contains(&rate), "coverage {rate}");
    }
}
