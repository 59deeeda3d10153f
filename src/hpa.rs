//! The Horizontal Pod Autoscaler, computed as kube-controller-manager computes it.
//!
//! Sources (kubernetes/kubernetes `pkg/controller/podautoscaler/`):
//! - `replica_calculator.go`: `groupPods`, `GetResourceReplicas`, `calcPlainMetricReplicas`,
//!   `getUsageRatioReplicaCount`, `GetObjectMetricReplicas`, `GetObjectPerPodMetricReplicas`,
//!   `GetExternalMetricReplicas`, `GetExternalPerPodMetricReplicas`, `Tolerances.isWithin`;
//! - `metrics/utilization.go`: `GetResourceUtilizationRatio` (the utilization is an integer
//!   percent, truncated, *before* the ratio is taken) and `GetMetricUsageRatio`;
//! - `horizontal.go`: `reconcileAutoscaler`, `computeReplicasForMetrics`,
//!   `normalizeDesiredReplicas`, `stabilizeRecommendation`, `convertDesiredReplicasWithRules`,
//!   `calculateScaleUpLimit` (`max(2 × current, 4)`), `normalizeDesiredReplicasWithBehaviors`,
//!   `stabilizeRecommendationWithBehaviors`, `convertDesiredReplicasWithBehaviorRate`,
//!   `calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`,
//!   `getReplicasChangePerPeriod`, `storeScaleEvent`, `markScaleEventsOutdated`;
//! - `config/v1alpha1/defaults.go`: 15 s sync, 0.1 tolerance, 5 min downscale stabilization,
//!   5 min CPU initialization period, 30 s initial readiness delay.
//!
//! Floating-point operations follow Go's order exactly (`ceil(ratio × n)`,
//! `ceil(start × (1 + v/100))`, `int32(start × (1 − v/100))`), because f64 rounding changes
//! results in real cases (e.g. 50 replicas +10 % gives 56, not 55).
//!
//! Pods are described in groups of identical pods ([`PodGroup`]), which keeps each evaluation
//! cheap at 18,000 pods while computing exactly what the per-pod upstream loop computes.
//!
//! The upstream unit-test tables (`replica_calculator_test.go`, `horizontal_test.go`) are ported
//! as facts in `tests/ksim/hpa_upstream.rs`; `tests/ksim/hpa_properties.rs` checks the
//! normalization rules over random sync sequences.

use crate::engine::Millis;
use crate::scenario::{Behavior, ScalingPolicy, ScalingRules, SelectPolicy};

/// HPA sync period (`--horizontal-pod-autoscaler-sync-period`).
pub const SYNC_PERIOD_MS: Millis = 15_000;
/// Default tolerance (`--horizontal-pod-autoscaler-tolerance`).
pub const DEFAULT_TOLERANCE: f64 = 0.1;
/// Downscale stabilization (`--horizontal-pod-autoscaler-downscale-stabilization`).
pub const DOWNSCALE_STABILIZATION_MS: Millis = 300_000;
/// CPU initialization period (`--horizontal-pod-autoscaler-cpu-initialization-period`).
pub const CPU_INITIALIZATION_PERIOD_MS: Millis = 300_000;
/// Initial readiness delay (`--horizontal-pod-autoscaler-initial-readiness-delay`).
pub const INITIAL_READINESS_DELAY_MS: Millis = 30_000;
/// `scaleUpLimitFactor`.
pub const SCALE_UP_LIMIT_FACTOR: f64 = 2.0;
/// `scaleUpLimitMinimum`.
pub const SCALE_UP_LIMIT_MINIMUM: f64 = 4.0;

/// Tolerances per direction (`Tolerances` in replica_calculator.go).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tolerances {
    /// Allowed relative deviation below 1.
    pub scale_down: f64,
    /// Allowed relative deviation above 1.
    pub scale_up: f64,
}

impl Default for Tolerances {
    fn default() -> Self {
        Tolerances {
            scale_down: DEFAULT_TOLERANCE,
            scale_up: DEFAULT_TOLERANCE,
        }
    }
}

impl Tolerances {
    /// `(1 − down) ≤ r ≤ (1 + up)`.
    pub fn is_within(&self, r: f64) -> bool {
        (1.0 - self.scale_down) <= r && r <= (1.0 + self.scale_up)
    }

    /// Per-direction tolerances from `behavior` (`tolerancesForHpa`).
    pub fn for_behavior(b: Option<&Behavior>) -> Tolerances {
        let mut t = Tolerances::default();
        if let Some(b) = b {
            if let Some(v) = b.scale_down.tolerance {
                t.scale_down = v;
            }
            if let Some(v) = b.scale_up.tolerance {
                t.scale_up = v;
            }
        }
        t
    }
}

/// How `groupPods` classified a pod.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodClass {
    /// Counted with its metric.
    Ready,
    /// Pending or (for CPU) not yet ready; left out, or counted at 0 on scale-up.
    Unready,
    /// No metric yet; counted at the fallback on scale-down and at 0 on scale-up.
    Missing,
    /// Being deleted or failed; left out entirely.
    Ignored,
}

/// Pods of one class with the same request: their count, the sum of their metric values and
/// the per-pod request (milli-units). Upstream sums per-pod values; a group carries that sum.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PodGroup {
    /// Classification.
    pub class: PodClass,
    /// Number of pods.
    pub count: i64,
    /// Sum of the pods' metric values (milli-units; only meaningful for `Ready`).
    pub value_total_m: i64,
    /// Per-pod request (milli-units).
    pub request_m: i64,
}

/// Why a metric could not produce a proposal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MetricError {
    /// No pods match the selector.
    NoPods,
    /// No ready pod has a metric ("did not receive metrics for targeted pods").
    NoMetrics,
    /// The requests sum to zero.
    NoRequests,
}

/// Pod timing as `groupPods` sees it for a CPU metric.
#[derive(Debug, Clone, Copy)]
pub struct PodTiming {
    /// Phase Pending (not bound, or containers not started).
    pub pending: bool,
    /// Being deleted, or phase Failed: left out entirely.
    pub ignored: bool,
    /// `status.startTime`.
    pub start: Option<Millis>,
    /// Ready condition: `Some((is_true, last_transition))`.
    pub ready: Option<(bool, Millis)>,
    /// Metric sample `(timestamp, window)`, if the metrics API has one.
    pub metric: Option<(Millis, Millis)>,
}

/// `groupPods` for one pod (replica_calculator.go), with the controller's default
/// `--horizontal-pod-autoscaler-cpu-initialization-period` and
/// `--horizontal-pod-autoscaler-initial-readiness-delay`. `cpu` selects the CPU readiness rules.
pub fn classify(p: &PodTiming, now: Millis, cpu: bool) -> PodClass {
    classify_with(
        p,
        now,
        cpu,
        CPU_INITIALIZATION_PERIOD_MS,
        INITIAL_READINESS_DELAY_MS,
    )
}

/// `groupPods` for one pod with explicit CPU initialization period and initial readiness delay
/// (the two durations `NewReplicaCalculator` takes). Checks run in upstream order: deleted or
/// failed → ignored; Pending → unready; no metric → missing; then, for CPU only, the readiness
/// rules (strict comparisons, as Go's `After`/`Before`).
pub fn classify_with(
    p: &PodTiming,
    now: Millis,
    cpu: bool,
    cpu_initialization_period_ms: Millis,
    initial_readiness_delay_ms: Millis,
) -> PodClass {
    if p.ignored {
        return PodClass::Ignored;
    }
    if p.pending {
        return PodClass::Unready;
    }
    let Some((ts, window)) = p.metric else {
        return PodClass::Missing;
    };
    if cpu {
        let (Some((ready_true, ltt)), Some(start)) = (p.ready, p.start) else {
            return PodClass::Unready;
        };
        let unready = if start + cpu_initialization_period_ms > now {
            !ready_true || ts < ltt + window
        } else {
            !ready_true && start + initial_readiness_delay_ms > ltt
        };
        if unready {
            return PodClass::Unready;
        }
    }
    PodClass::Ready
}

struct Totals {
    metrics: i64,
    requests: i64,
    entries: i64,
}

fn totals(
    groups: &[PodGroup],
    fill_missing: Option<i64>,
    unready_zero: bool,
    fill_per_pod: impl Fn(&PodGroup) -> i64,
) -> Totals {
    let mut t = Totals {
        metrics: 0,
        requests: 0,
        entries: 0,
    };
    for g in groups {
        let total = match g.class {
            PodClass::Ready => Some(g.value_total_m),
            PodClass::Missing => fill_missing.map(|_| fill_per_pod(g) * g.count),
            PodClass::Unready if unready_zero => Some(0),
            _ => None,
        };
        if let Some(v) = total {
            t.metrics += v;
            t.requests += g.request_m * g.count;
            t.entries += g.count;
        }
    }
    t
}

/// What `GetResourceReplicas` returns besides the timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceProposal {
    /// Proposed replicas.
    pub replicas: i64,
    /// First-pass utilization, integer percent of request (truncated).
    pub utilization: i64,
    /// First-pass raw average value per pod with a metric (milli-units, truncated).
    pub raw_average_m: i64,
}

/// `GetResourceReplicas`: a Resource metric with a `Utilization` target (percent).
/// Returns the proposal and the first-pass utilization.
pub fn resource_utilization_replicas(
    current: i64,
    groups: &[PodGroup],
    target_percent: i64,
    tol: Tolerances,
) -> Result<(i64, i64), MetricError> {
    resource_replicas(current, groups, target_percent, tol).map(|p| (p.replicas, p.utilization))
}

/// `GetResourceReplicas` (replica_calculator.go) with `GetResourceUtilizationRatio`
/// (metrics/utilization.go): the proposal, the first-pass utilization and the first-pass raw
/// average value.
pub fn resource_replicas(
    current: i64,
    groups: &[PodGroup],
    target_percent: i64,
    tol: Tolerances,
) -> Result<ResourceProposal, MetricError> {
    if groups.iter().all(|g| g.count == 0) {
        return Err(MetricError::NoPods);
    }
    let count = |c: PodClass| -> i64 {
        groups
            .iter()
            .filter(|g| g.class == c)
            .map(|g| g.count)
            .sum()
    };
    let ready = count(PodClass::Ready);
    let unready = count(PodClass::Unready);
    let missing = count(PodClass::Missing);
    if ready == 0 {
        return Err(MetricError::NoMetrics);
    }
    let first = totals(groups, None, false, |_| 0);
    if first.requests == 0 {
        return Err(MetricError::NoRequests);
    }
    let utilization = (first.metrics * 100) / first.requests;
    let raw_average_m = first.metrics / first.entries;
    let keep = ResourceProposal {
        replicas: current,
        utilization,
        raw_average_m,
    };
    let ratio = utilization as f64 / target_percent as f64;
    let scale_up_with_unready = unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && missing == 0 {
        if tol.is_within(ratio) {
            return Ok(keep);
        }
        return Ok(ResourceProposal {
            replicas: (ratio * ready as f64).ceil() as i64,
            ..keep
        });
    }
    let fallback = target_percent.max(100);
    let fill = if ratio < 1.0 {
        Some(fallback)
    } else if ratio > 1.0 {
        Some(0)
    } else {
        None
    };
    let second = totals(groups, fill, scale_up_with_unready, |g| match fill {
        Some(0) => 0,
        _ => g.request_m * fallback / 100,
    });
    if second.requests == 0 {
        return Err(MetricError::NoRequests);
    }
    let new_ratio = ((second.metrics * 100) / second.requests) as f64 / target_percent as f64;
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok(keep);
    }
    let new_replicas = (new_ratio * second.entries as f64).ceil() as i64;
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return Ok(keep);
    }
    Ok(ResourceProposal {
        replicas: new_replicas,
        ..keep
    })
}

/// `calcPlainMetricReplicas`: an `AverageValue` target (milli-units per pod). Returns the
/// proposal and the first-pass average usage.
pub fn plain_metric_replicas(
    current: i64,
    groups: &[PodGroup],
    target_m: i64,
    tol: Tolerances,
) -> Result<(i64, i64), MetricError> {
    if groups.iter().all(|g| g.count == 0) {
        return Err(MetricError::NoPods);
    }
    let count = |c: PodClass| -> i64 {
        groups
            .iter()
            .filter(|g| g.class == c)
            .map(|g| g.count)
            .sum()
    };
    let ready = count(PodClass::Ready);
    let unready = count(PodClass::Unready);
    let missing = count(PodClass::Missing);
    if ready == 0 {
        return Err(MetricError::NoMetrics);
    }
    let first = totals(groups, None, false, |_| 0);
    let usage = first.metrics / first.entries;
    let ratio = usage as f64 / target_m as f64;
    let scale_up_with_unready = unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && missing == 0 {
        if tol.is_within(ratio) {
            return Ok((current, usage));
        }
        return Ok(((ratio * ready as f64).ceil() as i64, usage));
    }
    let fill = if ratio < 1.0 {
        Some(target_m)
    } else if ratio > 1.0 {
        Some(0)
    } else {
        None
    };
    let second = totals(groups, fill, scale_up_with_unready, |_| fill.unwrap_or(0));
    let new_ratio = (second.metrics / second.entries) as f64 / target_m as f64;
    if tol.is_within(new_ratio)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Ok((current, usage));
    }
    let new_replicas = (new_ratio * second.entries as f64).ceil() as i64;
    if (new_ratio < 1.0 && new_replicas > current) || (new_ratio > 1.0 && new_replicas < current) {
        return Ok((current, usage));
    }
    Ok((new_replicas, usage))
}

/// Saturates a float replica count to `MaxInt32` the way `getUsageRatioReplicaCount` and
/// `GetExternalPerPodMetricReplicas` do (`f > MaxInt32 → MaxInt32`, else `int32(ceil(f))`).
fn saturating_ceil_i32(f: f64) -> i64 {
    if f > i32::MAX as f64 {
        i32::MAX as i64
    } else {
        f.ceil() as i64
    }
}

/// The usage sum of `GetExternalMetricReplicas` (External `Value` target): values are added in
/// order; a positive value that would overflow makes the sum `MaxInt64` and stops.
pub fn external_value_total(values: &[i64]) -> i64 {
    let mut usage: i64 = 0;
    for &v in values {
        if v > 0 && usage > i64::MAX - v {
            return i64::MAX;
        }
        usage = usage.wrapping_add(v);
    }
    usage
}

/// The usage sum of `GetExternalPerPodMetricReplicas` (External `AverageValue` target): values
/// are added in order (wrapping, as Go's int64 does); a negative running sum is taken as an
/// overflow and becomes `MaxInt64`.
pub fn external_per_pod_total(values: &[i64]) -> i64 {
    let mut usage: i64 = 0;
    for &v in values {
        usage = usage.wrapping_add(v);
        if usage < 0 {
            return i64::MAX;
        }
    }
    usage
}

/// `getUsageRatioReplicaCount` (replica_calculator.go), shared by the Object and External `Value`
/// targets. With `current != 0`: within tolerance → `current`; otherwise the pods are listed
/// (none → [`MetricError::NoPods`], as `getReadyPodsCount` errors) and the proposal is
/// `ceil(ratio × ready_pods)`, saturated at `MaxInt32`. `ready_pods` counts pods in phase Running
/// with Ready=True (`getReadyPodsCount`: no start-time rules, deletion not checked); zero ready
/// pods among listed ones proposes 0. With `current == 0` (scale from zero) the proposal is
/// `ceil(ratio)`, with no tolerance and no pod count.
///
/// Upstream converts `ceil(ratio)` to int32 unchecked at zero replicas; ksim saturates it at
/// `MaxInt32` too, so an absurd ratio cannot wrap.
pub fn usage_ratio_replicas(
    current: i64,
    listed_pods: i64,
    ready_pods: i64,
    usage_ratio: f64,
    tol: Tolerances,
) -> Result<i64, MetricError> {
    if current != 0 {
        if tol.is_within(usage_ratio) {
            return Ok(current);
        }
        if listed_pods == 0 {
            return Err(MetricError::NoPods);
        }
        Ok(saturating_ceil_i32(usage_ratio * ready_pods as f64))
    } else {
        Ok(saturating_ceil_i32(usage_ratio))
    }
}

/// `GetExternalMetricReplicas` (replica_calculator.go): an External metric with a `Value`
/// target. `total_m` is the metric's total ([`external_value_total`]); the ratio is
/// `total / target` and the proposal comes from [`usage_ratio_replicas`] (so `current == 0`
/// gives `ceil(ratio)`, within tolerance keeps `current`, otherwise `ceil(ratio × ready_pods)`).
/// The reported usage upstream is `total_m` itself.
pub fn external_value_replicas(
    current: i64,
    listed_pods: i64,
    ready_pods: i64,
    total_m: i64,
    target_m: i64,
    tol: Tolerances,
) -> Result<i64, MetricError> {
    let ratio = total_m as f64 / target_m as f64;
    usage_ratio_replicas(current, listed_pods, ready_pods, ratio, tol)
}

/// `GetExternalPerPodMetricReplicas` (replica_calculator.go): an External metric with an
/// `AverageValue` target (KEDA's default), called with `status.replicas`. The ratio is
/// `total / (target × status_replicas)`; outside tolerance the proposal is
/// `ceil(total / target)`, saturated at `MaxInt32`. Ready pods are not used and nothing errors.
/// With `status_replicas == 0` the ratio is +Inf (or NaN for a zero total), never within
/// tolerance, so the proposal is `ceil(total / target)` — exactly as upstream.
pub fn external_average_replicas(
    status_replicas: i64,
    total_m: i64,
    target_m: i64,
    tol: Tolerances,
) -> i64 {
    let ratio = total_m as f64 / (target_m as f64 * status_replicas as f64);
    if tol.is_within(ratio) {
        status_replicas
    } else {
        saturating_ceil_i32(total_m as f64 / target_m as f64)
    }
}

/// The usage `GetExternalPerPodMetricReplicas` reports: `MaxInt64` when the total is (as f64)
/// at least `MaxInt64`, else `int64(ceil(total / status_replicas))`. Upstream's value at
/// `status_replicas == 0` is Go's platform-defined conversion of ±Inf/NaN; ksim's is Rust's
/// saturating one.
pub fn external_average_usage(status_replicas: i64, total_m: i64) -> i64 {
    if total_m as f64 >= i64::MAX as f64 {
        i64::MAX
    } else {
        (total_m as f64 / status_replicas as f64).ceil() as i64
    }
}

/// `GetObjectMetricReplicas` (replica_calculator.go): an Object metric with a `Value` target.
/// The ratio is `usage / target`, then [`usage_ratio_replicas`].
pub fn object_value_replicas(
    current: i64,
    listed_pods: i64,
    ready_pods: i64,
    usage_m: i64,
    target_m: i64,
    tol: Tolerances,
) -> Result<i64, MetricError> {
    let ratio = usage_m as f64 / target_m as f64;
    usage_ratio_replicas(current, listed_pods, ready_pods, ratio, tol)
}

/// `GetObjectPerPodMetricReplicas` (replica_calculator.go): an Object metric with an
/// `AverageValue` target, called with `status.replicas`. The ratio is
/// `usage / (target × status_replicas)`; outside tolerance the proposal is
/// `int32(ceil(usage / target))` (upstream does not saturate here; Rust's conversion does).
pub fn object_average_replicas(
    status_replicas: i64,
    usage_m: i64,
    target_m: i64,
    tol: Tolerances,
) -> i64 {
    let ratio = usage_m as f64 / (target_m as f64 * status_replicas as f64);
    if tol.is_within(ratio) {
        status_replicas
    } else {
        (usage_m as f64 / target_m as f64).ceil() as i32 as i64
    }
}

/// The per-pod usage `GetObjectPerPodMetricReplicas` reports: `int64(ceil(usage /
/// status_replicas))`.
pub fn object_average_usage(status_replicas: i64, usage_m: i64) -> i64 {
    (usage_m as f64 / status_replicas as f64).ceil() as i64
}

/// `computeReplicasForMetrics`: the largest valid proposal; no scaling when every metric is
/// invalid, or when some are invalid and the largest valid proposal would scale down.
pub fn combine_proposals(
    spec_replicas: i64,
    proposals: &[Result<i64, MetricError>],
) -> Option<i64> {
    let mut replicas: i64 = 0;
    let mut invalid = 0;
    for p in proposals {
        match p {
            Ok(v) => {
                if replicas == 0 || *v > replicas {
                    replicas = *v;
                }
            }
            Err(_) => invalid += 1,
        }
    }
    if invalid == proposals.len() || (invalid > 0 && replicas < spec_replicas) {
        return None;
    }
    Some(replicas)
}

/// A stored scale event (`timestampedScaleEvent`): the absolute replica change of one
/// successful rescale in one direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    /// Replicas added (scale-up list) or removed (scale-down list); never negative.
    pub change: i64,
    /// When the rescale happened.
    pub at: Millis,
    /// Marked by `markScaleEventsOutdated`; the slot may be reused. Never cleared.
    pub outdated: bool,
}

/// Per-HPA controller memory: stored recommendations and scale events.
#[derive(Debug, Clone, Default)]
pub struct HpaState {
    recommendations: Option<Vec<(i64, Millis)>>,
    up_events: Vec<ScaleEvent>,
    down_events: Vec<ScaleEvent>,
}

/// The outcome of one reconcile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The new `spec.replicas`.
    pub desired: i64,
    /// True when it differs from the current value.
    pub rescale: bool,
}

/// The reason of the `ScalingLimited` condition that the normalization functions report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitReason {
    /// `DesiredWithinRange`.
    DesiredWithinRange,
    /// `TooFewReplicas`: held at `minReplicas`.
    TooFewReplicas,
    /// `TooManyReplicas`: held at `maxReplicas`.
    TooManyReplicas,
    /// `ScaleUpLimit`: held by the scale-up rate.
    ScaleUpLimit,
    /// `ScaleDownLimit`: held by the scale-down rate.
    ScaleDownLimit,
}

impl HpaState {
    /// A state with the given controller memory, as the upstream unit tests seed
    /// `HorizontalController.recommendations` / `scaleUpEvents` / `scaleDownEvents`.
    /// `recommendations: None` is a key never seen (the first reconcile records the initial
    /// recommendation); `Some(vec![])` is a seen key with no records.
    pub fn with_history(
        recommendations: Option<Vec<(i64, Millis)>>,
        up_events: Vec<ScaleEvent>,
        down_events: Vec<ScaleEvent>,
    ) -> HpaState {
        HpaState {
            recommendations,
            up_events,
            down_events,
        }
    }

    /// Stored recommendations `(replicas, timestamp)` in slot order.
    pub fn recommendations(&self) -> Option<&[(i64, Millis)]> {
        self.recommendations.as_deref()
    }

    /// Stored scale-up events in slot order.
    pub fn scale_up_events(&self) -> &[ScaleEvent] {
        &self.up_events
    }

    /// Stored scale-down events in slot order.
    pub fn scale_down_events(&self) -> &[ScaleEvent] {
        &self.down_events
    }

    /// One `reconcileAutoscaler` pass. `proposal` is the metric-based proposal
    /// ([`combine_proposals`]), or `None` when metrics are invalid.
    pub fn reconcile(
        &mut self,
        hpa: &crate::scenario::Hpa,
        current: i64,
        proposal: impl FnOnce() -> Option<i64>,
        now: Millis,
    ) -> Decision {
        if self.recommendations.is_none() {
            self.recommendations = Some(vec![(current, now)]);
        }
        let min = hpa.min_replicas;
        let desired = if current == 0 {
            // Scaling is disabled at zero replicas (the HPAScaleToZero gate is off).
            return Decision {
                desired: 0,
                rescale: false,
            };
        } else if current > hpa.max_replicas {
            hpa.max_replicas
        } else if current < min {
            min
        } else {
            let Some(p) = proposal() else {
                return Decision {
                    desired: current,
                    rescale: false,
                };
            };
            let desired = p.max(0);
            match &hpa.behavior {
                None => self.normalize(hpa, current, desired, now),
                Some(b) => {
                    self.normalize_with_behavior(b, min, hpa.max_replicas, current, desired, now)
                }
            }
        };
        let rescale = desired != current;
        if rescale {
            self.store_scale_event(hpa.behavior.as_ref(), current, desired, now);
        }
        Decision { desired, rescale }
    }

    /// `normalizeDesiredReplicas` (no behavior).
    pub fn normalize(
        &mut self,
        hpa: &crate::scenario::Hpa,
        current: i64,
        desired: i64,
        now: Millis,
    ) -> i64 {
        let stabilized = self.stabilize_recommendation(desired, now);
        convert_with_rules(current, stabilized, hpa.min_replicas, hpa.max_replicas)
    }

    /// `stabilizeRecommendation`: the maximum of `desired` and every stored recommendation not
    /// older than the 5 min downscale stabilization window; stores `(desired, now)` in the last
    /// slot older than the window, or appends it.
    pub fn stabilize_recommendation(&mut self, desired: i64, now: Millis) -> i64 {
        let recs = self.recommendations.get_or_insert_with(Vec::new);
        let cutoff = now as i128 - DOWNSCALE_STABILIZATION_MS as i128;
        let mut max = desired;
        let mut old: Option<usize> = None;
        for (i, (rec, ts)) in recs.iter().enumerate() {
            if (*ts as i128) < cutoff {
                old = Some(i);
            } else if *rec > max {
                max = *rec;
            }
        }
        match old {
            Some(i) => recs[i] = (desired, now),
            None => recs.push((desired, now)),
        }
        max
    }

    /// `normalizeDesiredReplicasWithBehaviors`.
    pub fn normalize_with_behavior(
        &mut self,
        b: &Behavior,
        min: i64,
        max: i64,
        current: i64,
        desired: i64,
        now: Millis,
    ) -> i64 {
        let down_window_s = b
            .scale_down
            .stabilization_window_s
            .unwrap_or((DOWNSCALE_STABILIZATION_MS / 1000) as i64);
        let up_window_s = b.scale_up.stabilization_window_s.unwrap_or(0);
        let stabilized = self.stabilize_recommendation_with_behaviors(
            current,
            desired,
            up_window_s,
            down_window_s,
            now,
        );
        self.convert_with_behavior_rate(b, min, max, current, stabilized, now)
            .0
    }

    /// `stabilizeRecommendationWithBehaviors`: bounds `current` by the minimum (scale-up
    /// window) and maximum (scale-down window) of `desired` and the stored recommendations
    /// strictly newer than each window's cutoff; stores the unstabilized `desired` in the last
    /// slot older than both cutoffs, or appends it.
    pub fn stabilize_recommendation_with_behaviors(
        &mut self,
        current: i64,
        desired: i64,
        up_window_s: i64,
        down_window_s: i64,
        now: Millis,
    ) -> i64 {
        let recs = self.recommendations.get_or_insert_with(Vec::new);
        let up_cut = now as i128 - up_window_s as i128 * 1000;
        let down_cut = now as i128 - down_window_s as i128 * 1000;
        let mut up_rec = desired;
        let mut down_rec = desired;
        let mut old: Option<usize> = None;
        for (i, (rec, ts)) in recs.iter().enumerate() {
            let ts = *ts as i128;
            if ts > up_cut {
                up_rec = up_rec.min(*rec);
            }
            if ts > down_cut {
                down_rec = down_rec.max(*rec);
            }
            if ts < up_cut && ts < down_cut {
                old = Some(i);
            }
        }
        let mut rec = current;
        if rec < up_rec {
            rec = up_rec;
        }
        if rec > down_rec {
            rec = down_rec;
        }
        match old {
            Some(i) => recs[i] = (desired, now),
            None => recs.push((desired, now)),
        }
        rec
    }

    /// `convertDesiredReplicasWithBehaviorRate`: the rate limits of `b` given the stored scale
    /// events. The scale-up path clamps to `max` only, the scale-down path to `min` only.
    pub fn convert_with_behavior_rate(
        &self,
        b: &Behavior,
        min: i64,
        max: i64,
        current: i64,
        desired: i64,
        now: Millis,
    ) -> (i64, LimitReason) {
        if desired > current {
            let mut limit = scale_up_limit_with_rules(
                current,
                &self.up_events,
                &self.down_events,
                &b.scale_up,
                now,
            );
            if limit < current {
                limit = current;
            }
            let (max_allowed, reason) = if max > limit {
                (limit, LimitReason::ScaleUpLimit)
            } else {
                (max, LimitReason::TooManyReplicas)
            };
            if desired > max_allowed {
                return (max_allowed, reason);
            }
        } else if desired < current {
            let mut limit = scale_down_limit_with_behaviors(
                current,
                &self.up_events,
                &self.down_events,
                &b.scale_down,
                now,
            );
            if limit > current {
                limit = current;
            }
            let (min_allowed, reason) = if min < limit {
                (limit, LimitReason::ScaleDownLimit)
            } else {
                (min, LimitReason::TooFewReplicas)
            };
            if desired < min_allowed {
                return (min_allowed, reason);
            }
        }
        (desired, LimitReason::DesiredWithinRange)
    }

    /// `storeScaleEvent`: nothing without behavior; otherwise marks the events of the rescale's
    /// direction older than that direction's longest policy period as outdated, and stores the
    /// change in the last outdated slot, or appends it. Call only when `new != prev`.
    pub fn store_scale_event(&mut self, b: Option<&Behavior>, prev: i64, new: i64, now: Millis) {
        let Some(b) = b else { return };
        let (events, rules, change) = if new > prev {
            (&mut self.up_events, &b.scale_up, new - prev)
        } else {
            (&mut self.down_events, &b.scale_down, prev - new)
        };
        let longest_ms = rules
            .policies
            .iter()
            .map(|p| p.period_s())
            .max()
            .unwrap_or(0)
            * 1000;
        let cutoff = now as i128 - longest_ms as i128;
        let mut reuse = None;
        for (i, e) in events.iter_mut().enumerate() {
            if (e.at as i128) < cutoff {
                e.outdated = true;
            }
            if e.outdated {
                reuse = Some(i);
            }
        }
        let ev = ScaleEvent {
            change,
            at: now,
            outdated: false,
        };
        match reuse {
            Some(i) => events[i] = ev,
            None => events.push(ev),
        }
    }
}

/// `convertDesiredReplicasWithRules`.
pub fn convert_with_rules(current: i64, desired: i64, min: i64, max: i64) -> i64 {
    convert_with_rules_factor(current, desired, min, max, SCALE_UP_LIMIT_FACTOR).0
}

/// `convertDesiredReplicasWithRules` with an explicit `scaleUpLimitFactor` (production: 2; the
/// upstream unit tests set 8) and the `ScalingLimited` reason. `desired < min` is checked
/// before `desired > min(max, scale-up limit)`.
pub fn convert_with_rules_factor(
    current: i64,
    desired: i64,
    min: i64,
    max: i64,
    scale_up_limit_factor: f64,
) -> (i64, LimitReason) {
    let up_limit = calculate_scale_up_limit_factor(current, scale_up_limit_factor);
    let (max_allowed, reason) = if max > up_limit {
        (up_limit, LimitReason::ScaleUpLimit)
    } else {
        (max, LimitReason::TooManyReplicas)
    };
    if desired < min {
        (min, LimitReason::TooFewReplicas)
    } else if desired > max_allowed {
        (max_allowed, reason)
    } else {
        (desired, LimitReason::DesiredWithinRange)
    }
}

/// `calculateScaleUpLimit`: `int32(max(2 × current, 4))`.
pub fn calculate_scale_up_limit(current: i64) -> i64 {
    calculate_scale_up_limit_factor(current, SCALE_UP_LIMIT_FACTOR)
}

/// `calculateScaleUpLimit` with an explicit `scaleUpLimitFactor`:
/// `int32(max(factor × current, 4))`.
pub fn calculate_scale_up_limit_factor(current: i64, scale_up_limit_factor: f64) -> i64 {
    (scale_up_limit_factor * current as f64).max(SCALE_UP_LIMIT_MINIMUM) as i64
}

/// `getReplicasChangePerPeriod`: the sum of the changes with timestamps strictly after
/// `now − period` (the `outdated` flag is not consulted).
pub fn replicas_change_per_period(period_s: i64, events: &[ScaleEvent], now: Millis) -> i64 {
    let cutoff = now as i128 - period_s as i128 * 1000;
    events
        .iter()
        .filter(|e| e.at as i128 > cutoff)
        .map(|e| e.change)
        .sum()
}

/// `calculateScaleUpLimitWithScalingRules`: the highest replica count the scale-up policies
/// allow now. Each policy counts from the replicas at the start of its period
/// (`current − added + deleted`); Pods adds `value`, Percent gives
/// `int32(ceil(start × (1 + value/100)))`. Max picks the largest, Min the smallest, Disabled
/// returns `current`.
pub fn scale_up_limit_with_rules(
    current: i64,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &ScalingRules,
    now: Millis,
) -> i64 {
    let (mut result, pick): (i64, fn(i64, i64) -> i64) = match rules.select_policy {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MAX as i64, i64::min),
        SelectPolicy::Max => (i32::MIN as i64, i64::max),
    };
    for p in &rules.policies {
        let added = replicas_change_per_period(p.period_s(), up, now);
        let deleted = replicas_change_per_period(p.period_s(), down, now);
        let start = current - added + deleted;
        let proposed = match *p {
            ScalingPolicy::Pods { value, .. } => start + value,
            ScalingPolicy::Percent { value, .. } => {
                (start as f64 * (1.0 + value as f64 / 100.0)).ceil() as i64
            }
        };
        result = pick(result, proposed);
    }
    result
}

/// `calculateScaleDownLimitWithBehaviors`: the lowest replica count the scale-down policies
/// allow now. Pods subtracts `value`, Percent gives `int32(start × (1 − value/100))`
/// (truncation toward zero; negative past 100 %). Max picks the smallest count (largest
/// change), Min the largest, Disabled returns `current`.
pub fn scale_down_limit_with_behaviors(
    current: i64,
    up: &[ScaleEvent],
    down: &[ScaleEvent],
    rules: &ScalingRules,
    now: Millis,
) -> i64 {
    let (mut result, pick): (i64, fn(i64, i64) -> i64) = match rules.select_policy {
        SelectPolicy::Disabled => return current,
        SelectPolicy::Min => (i32::MIN as i64, i64::max),
        SelectPolicy::Max => (i32::MAX as i64, i64::min),
    };
    for p in &rules.policies {
        let added = replicas_change_per_period(p.period_s(), up, now);
        let deleted = replicas_change_per_period(p.period_s(), down, now);
        let start = current - added + deleted;
        let proposed = match *p {
            ScalingPolicy::Pods { value, .. } => start - value,
            ScalingPolicy::Percent { value, .. } => {
                (start as f64 * (1.0 - value as f64 / 100.0)) as i32 as i64
            }
        };
        result = pick(result, proposed);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Hpa, HpaMetric, MetricResource};

    fn ready(n: i64, usage: i64, req: i64) -> PodGroup {
        PodGroup {
            class: PodClass::Ready,
            count: n,
            value_total_m: usage * n,
            request_m: req,
        }
    }
    fn group(class: PodClass, n: i64, req: i64) -> PodGroup {
        PodGroup {
            class,
            count: n,
            value_total_m: 0,
            request_m: req,
        }
    }

    #[test]
    fn utilization_fast_path() {
        // 3 pods at 1000m/1000m requested... target 30% → ratio 10/3 → ceil(3 × 3.333) = 10.
        let g = [ready(3, 1000, 1000)];
        assert_eq!(
            resource_utilization_replicas(3, &g, 30, Tolerances::default()),
            Ok((10, 100))
        );
        // Within tolerance keeps current.
        let g = [ready(4, 520, 1000)];
        assert_eq!(
            resource_utilization_replicas(4, &g, 50, Tolerances::default()),
            Ok((4, 52))
        );
        // The multiplier is the ready count, not current replicas.
        let g = [ready(2, 1000, 1000), group(PodClass::Ignored, 5, 1000)];
        assert_eq!(
            resource_utilization_replicas(7, &g, 50, Tolerances::default()),
            Ok((4, 100))
        );
    }

    #[test]
    fn utilization_rebalance_pass() {
        // Scale up with unready pods: unready count at 0.
        // ready 2 × 900/1000 = 90% vs target 50 → ratio 1.8; add 2 unready at 0 → 45% → 0.9 flips.
        let g = [ready(2, 900, 1000), group(PodClass::Unready, 2, 1000)];
        assert_eq!(
            resource_utilization_replicas(4, &g, 50, Tolerances::default()),
            Ok((4, 90))
        );
        // Scale down with missing pods: missing at max(100, target)% of request.
        // ready 2 × 100/1000 = 10% vs 50 → 0.2; add 2 missing at 100% → (200 + 2000)*100/4000=55% → 1.1 flips direction → keep.
        let g = [ready(2, 100, 1000), group(PodClass::Missing, 2, 1000)];
        assert_eq!(
            resource_utilization_replicas(4, &g, 50, Tolerances::default()),
            Ok((4, 10))
        );
        // Missing pods at 0 on scale-up.
        // ready 2 × 1000 = 100% vs 50 → 2.0; 2 missing at 0 → 50% ... within → keep.
        let g = [ready(2, 1000, 1000), group(PodClass::Missing, 2, 1000)];
        assert_eq!(
            resource_utilization_replicas(4, &g, 50, Tolerances::default()),
            Ok((4, 100))
        );
        // 6 missing at 0: 2000/8000 = 25% → 0.5 flips → keep.
        let g = [ready(4, 1500, 1000), group(PodClass::Missing, 1, 1000)];
        // first: 150% vs 50 → 3.0; second: 6000/5000 = 120% → 2.4 → ceil(2.4 × 5) = 12.
        assert_eq!(
            resource_utilization_replicas(5, &g, 50, Tolerances::default()),
            Ok((12, 150))
        );
        assert_eq!(
            resource_utilization_replicas(
                5,
                &[group(PodClass::Unready, 5, 1000)],
                50,
                Tolerances::default()
            ),
            Err(MetricError::NoMetrics)
        );
    }

    #[test]
    fn invalid_metric_rules() {
        assert_eq!(combine_proposals(5, &[Ok(3), Ok(7)]), Some(7));
        assert_eq!(combine_proposals(5, &[Err(MetricError::NoMetrics)]), None);
        assert_eq!(
            combine_proposals(5, &[Ok(3), Err(MetricError::NoMetrics)]),
            None
        );
        assert_eq!(
            combine_proposals(5, &[Ok(9), Err(MetricError::NoMetrics)]),
            Some(9)
        );
    }

    fn hpa(min: i64, max: i64, behavior: Option<Behavior>) -> Hpa {
        Hpa {
            name: "h".into(),
            min_replicas: min,
            max_replicas: max,
            metrics: vec![HpaMetric::Utilization {
                resource: MetricResource::Cpu,
                target_percent: 50,
            }],
            behavior,
        }
    }

    #[test]
    fn legacy_normalization() {
        let h = hpa(1, 100, None);
        let mut s = HpaState::default();
        // First sight records current (10) at t=0: a drop to 2 is held for 5 minutes.
        assert_eq!(s.reconcile(&h, 10, || Some(2), 0).desired, 10);
        assert_eq!(s.reconcile(&h, 10, || Some(2), 299_999).desired, 10);
        assert_eq!(s.reconcile(&h, 10, || Some(2), 300_001).desired, 2);
        // Scale-up limit max(2 × current, 4).
        assert_eq!(s.reconcile(&h, 2, || Some(50), 310_000).desired, 4);
        assert_eq!(s.reconcile(&h, 4, || Some(50), 325_000).desired, 8);
        // Clamped to max.
        let h = hpa(1, 5, None);
        let mut s = HpaState::default();
        assert_eq!(s.reconcile(&h, 4, || Some(50), 0).desired, 5);
        // Above max and below min jump without metrics.
        assert_eq!(s.reconcile(&h, 9, || unreachable!(), 1).desired, 5);
        let h = hpa(3, 5, None);
        assert_eq!(s.reconcile(&h, 1, || unreachable!(), 2).desired, 3);
        // Zero replicas disables scaling.
        assert!(!s.reconcile(&h, 0, || unreachable!(), 3).rescale);
    }

    fn default_behavior() -> Behavior {
        Behavior {
            scale_up: ScalingRules {
                stabilization_window_s: Some(0),
                select_policy: SelectPolicy::Max,
                policies: vec![
                    ScalingPolicy::Pods {
                        value: 4,
                        period_s: 15,
                    },
                    ScalingPolicy::Percent {
                        value: 100,
                        period_s: 15,
                    },
                ],
                tolerance: None,
            },
            scale_down: ScalingRules {
                stabilization_window_s: None,
                select_policy: SelectPolicy::Max,
                policies: vec![ScalingPolicy::Percent {
                    value: 100,
                    period_s: 15,
                }],
                tolerance: None,
            },
        }
    }

    #[test]
    fn behavior_rate_limits_and_events() {
        let mut b = default_behavior();
        b.scale_up.policies = vec![ScalingPolicy::Percent {
            value: 10,
            period_s: 60,
        }];
        let h = hpa(1, 1000, Some(b));
        let mut s = HpaState::default();
        // f64 rounding: ceil(50 × 1.1) = ceil(55.000000000000007) = 56.
        assert_eq!(s.reconcile(&h, 50, || Some(100), 0).desired, 56);
        // Within the 60 s period the limit counts from the period start (50): still 56.
        assert_eq!(s.reconcile(&h, 56, || Some(100), 15_000).desired, 56);
        // After the period passes the next step is allowed.
        assert_eq!(s.reconcile(&h, 56, || Some(100), 61_000).desired, 62);
    }

    #[test]
    fn behavior_scale_down_truncates() {
        let mut b = default_behavior();
        b.scale_down.stabilization_window_s = Some(0);
        b.scale_down.policies = vec![ScalingPolicy::Percent {
            value: 90,
            period_s: 15,
        }];
        let h = hpa(0, 100, Some(b));
        let mut s = HpaState {
            recommendations: Some(vec![]),
            ..Default::default()
        };
        // int32(10 × (1 − 0.9)) = int32(0.9999999999999998) = 0.
        assert_eq!(
            s.normalize_with_behavior(h.behavior.as_ref().unwrap(), 0, 100, 10, 0, 1_000),
            0
        );
    }

    #[test]
    fn behavior_stabilization_windows() {
        let mut b = default_behavior();
        b.scale_up.stabilization_window_s = Some(60);
        let h = hpa(1, 100, Some(b));
        let mut s = HpaState {
            recommendations: Some(vec![]),
            ..Default::default()
        };
        // Scale-up waits until every recommendation in the window is above current.
        assert_eq!(s.reconcile(&h, 5, || Some(5), 0).desired, 5);
        assert_eq!(s.reconcile(&h, 5, || Some(8), 15_000).desired, 5);
        assert_eq!(s.reconcile(&h, 5, || Some(8), 60_001).desired, 8);
    }

    #[test]
    fn classify_cpu_rules() {
        let base = PodTiming {
            pending: false,
            ignored: false,
            start: Some(0),
            ready: Some((true, 10_000)),
            metric: Some((40_000, 15_000)),
        };
        assert_eq!(classify(&base, 45_000, true), PodClass::Ready);
        // Inside the init period a sample older than readiness + window is unready.
        let stale = PodTiming {
            metric: Some((20_000, 15_000)),
            ..base
        };
        assert_eq!(classify(&stale, 45_000, true), PodClass::Unready);
        assert_eq!(classify(&stale, 45_000, false), PodClass::Ready);
        // Pending beats missing.
        let pending = PodTiming {
            pending: true,
            metric: None,
            ..base
        };
        assert_eq!(classify(&pending, 45_000, true), PodClass::Unready);
        let missing = PodTiming {
            metric: None,
            ..base
        };
        assert_eq!(classify(&missing, 45_000, true), PodClass::Missing);
        let deleting = PodTiming {
            ignored: true,
            ..base
        };
        assert_eq!(classify(&deleting, 45_000, true), PodClass::Ignored);
        // Past the init period, a not-ready pod that never became ready is unready; one that was
        // ready before counts.
        let never = PodTiming {
            ready: Some((false, 5_000)),
            ..base
        };
        assert_eq!(classify(&never, 400_000, true), PodClass::Unready);
        let was = PodTiming {
            ready: Some((false, 200_000)),
            ..base
        };
        assert_eq!(classify(&was, 400_000, true), PodClass::Ready);
    }
}
