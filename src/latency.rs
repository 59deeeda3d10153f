//! Latency distributions, sampled in whole milliseconds.
//!
//! Defaults and their sources (see `docs/model.md`):
//!
//! - **Node launch** (NodeClaim created → node Ready): log-normal, median 35 s, p99 90 s,
//!   clamped to [20 s, 10 min]. A Karpenter maintainer gives "about 30–40 s" as typical
//!   (aws/karpenter-provider-aws#6165); awslabs/node-latency-for-k8s shows 24–30 s to Ready for
//!   c6a.large; slower AMIs reach 70–100 s (aws/karpenter-provider-aws#6128, #3102).
//! - **Pod startup** (bound → Ready): log-normal, median 5 s, p99 20 s, clamped to [1 s, 5 min].
//!   The Kubernetes pod-startup SLO is p99 ≤ 5 s *excluding image pull*
//!   (kubernetes/community `sig-scalability/slos/pod_startup_latency.md`); a new node must also
//!   pull the image, hence the longer tail. This is an assumption to calibrate per workload.
//! - **Pod shutdown** (deletion → resources released): constant 2 s, bounded above by the pod's
//!   `terminationGracePeriodSeconds` (default 30 s, `k8s.io/api/core/v1`
//!   `DefaultTerminationGracePeriodSeconds`). An assumption for well-behaved applications.

use crate::engine::{MINUTE, Millis, SECOND};
use rand::RngExt;
use rand_distr::{Distribution, StandardNormal};

/// The z-score of the 99th percentile of the standard normal distribution.
const Z99: f64 = 2.326_347_874_040_841;

/// A distribution of durations.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    /// Always the same value (ms).
    Constant(Millis),
    /// Uniform between two bounds (ms, inclusive).
    Uniform {
        /// Lower bound.
        min: Millis,
        /// Upper bound.
        max: Millis,
    },
    /// Log-normal given by its median and 99th percentile, clamped to [min, max].
    LogNormal {
        /// Median (ms).
        median: Millis,
        /// 99th percentile (ms).
        p99: Millis,
        /// Lower clamp (ms).
        min: Millis,
        /// Upper clamp (ms).
        max: Millis,
    },
}

impl Dist {
    /// The default node launch latency.
    pub fn default_node_launch() -> Dist {
        Dist::LogNormal {
            median: 35 * SECOND,
            p99: 90 * SECOND,
            min: 20 * SECOND,
            max: 10 * MINUTE,
        }
    }

    /// The default pod startup latency.
    pub fn default_pod_startup() -> Dist {
        Dist::LogNormal {
            median: 5 * SECOND,
            p99: 20 * SECOND,
            min: SECOND,
            max: 5 * MINUTE,
        }
    }

    /// The default pod shutdown latency.
    pub fn default_pod_shutdown() -> Dist {
        Dist::Constant(2 * SECOND)
    }

    /// Draws one value in milliseconds.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> Millis {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { min, max } => {
                if max <= min {
                    min
                } else {
                    rng.random_range(min..=max)
                }
            }
            Dist::LogNormal {
                median,
                p99,
                min,
                max,
            } => {
                let mu = libm::log(median.max(1) as f64);
                let sigma = if p99 > median {
                    libm::log(p99 as f64 / median.max(1) as f64) / Z99
                } else {
                    0.0
                };
                let z: f64 = StandardNormal.sample(rng);
                let v = libm::exp(mu + sigma * z);
                (v.round() as Millis).clamp(min, max)
            }
        }
    }

    /// The mean of the distribution (ms), clamps included. The log-normal mean is integrated
    /// numerically over the clamped range (the midpoint rule on 4,000 steps of the standard
    /// normal over ±8 σ), so it is exact to far below a millisecond and identical everywhere.
    pub fn mean_ms(&self) -> f64 {
        match *self {
            Dist::Constant(v) => v as f64,
            Dist::Uniform { min, max } => (min as f64 + max.max(min) as f64) / 2.0,
            Dist::LogNormal {
                median,
                p99,
                min,
                max,
            } => {
                let mu = libm::log(median.max(1) as f64);
                let sigma = if p99 > median {
                    libm::log(p99 as f64 / median.max(1) as f64) / Z99
                } else {
                    0.0
                };
                const STEPS: usize = 4_000;
                let h = 16.0 / STEPS as f64;
                let mut total = 0.0;
                for i in 0..STEPS {
                    let z = -8.0 + (i as f64 + 0.5) * h;
                    let density = libm::exp(-0.5 * z * z) / (2.0 * std::f64::consts::PI).sqrt();
                    let v = libm::exp(mu + sigma * z).clamp(min as f64, max as f64);
                    total += v * density * h;
                }
                total
            }
        }
    }

    /// The median of the distribution (ms), for reports.
    pub fn median(&self) -> Millis {
        match *self {
            Dist::Constant(v) => v,
            Dist::Uniform { min, max } => (min + max) / 2,
            Dist::LogNormal {
                median, min, max, ..
            } => median.clamp(min, max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{RngStreams, Stream};

    #[test]
    fn lognormal_hits_its_median_and_p99() {
        let d = Dist::LogNormal {
            median: 35_000,
            p99: 90_000,
            min: 0,
            max: u64::MAX,
        };
        let mut rng = RngStreams::new(7).stream(Stream::NodeLaunch);
        let mut v: Vec<Millis> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        v.sort_unstable();
        let median = v[v.len() / 2] as f64;
        let p99 = v[v.len() * 99 / 100] as f64;
        // Sampling error of the median of 20k draws is well under 2 %; of the p99, under 5 %.
        assert!((median / 35_000.0 - 1.0).abs() < 0.02, "median {median}");
        assert!((p99 / 90_000.0 - 1.0).abs() < 0.05, "p99 {p99}");
    }

    #[test]
    fn clamps_and_constants() {
        let mut rng = RngStreams::new(1).stream(Stream::PodStartup);
        let d = Dist::LogNormal {
            median: 1000,
            p99: 100_000,
            min: 900,
            max: 1100,
        };
        for _ in 0..1000 {
            let s = d.sample(&mut rng);
            assert!((900..=1100).contains(&s));
        }
        assert_eq!(Dist::Constant(5).sample(&mut rng), 5);
        let u = Dist::Uniform { min: 3, max: 5 };
        for _ in 0..100 {
            assert!((3..=5).contains(&u.sample(&mut rng)));
        }
    }
}
