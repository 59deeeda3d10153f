//! kube-controller-manager HPA test tables, ported as facts (inputs → expected outputs) with
//! attribution. Nothing here is upstream code: each upstream fixture is re-described as data and
//! run through ksim's own functions.
//!
//! Sources (kubernetes/kubernetes):
//! - RCT = `pkg/controller/podautoscaler/replica_calculator_test.go` (the `calcScenario`
//!   version; CPU initialization period 2 min and initial readiness delay 10 s, the
//!   `defaultTesting*` constants; default tolerance 0.1 both ways).
//! - HT = `pkg/controller/podautoscaler/horizontal_test.go` @ 88cca8337e1d (its `init()` sets
//!   `scaleUpLimitFactor = 8`; the tables that depend on it use
//!   [`convert_with_rules_factor`] with 8).
//!
//! Fixture conventions (RCT `buildFakePod`, `newFakeResourceMetricsClient`): pod `i` has two
//! containers, each requesting `requests[i]`; a Ready condition (default True) whose last
//! transition is Go's zero time; start time zero unless "hot" (now) or "cool" (now − 3 min);
//! resource samples at the zero time with a 1 min window. ksim has no metrics-client layer, so
//! the fixture below does what `getPodMetrics` / `getContainerMetrics` and
//! `calculateRequests` do for these inputs (sum both containers, or take the named one; a pod
//! lacking a container sample has no metric) and hands one [`PodGroup`] per pod, classified by
//! [`classify_with`], to the hpa.rs function under test.
//!
//! | upstream test (file)                                   | upstream | ported | not ported |
//! |--------------------------------------------------------|---------:|-------:|-----------:|
//! | TestReplicaCalcResourceScale (RCT)                     |       24 |     24 |          0 |
//! | TestReplicaCalcExternalPerPodMetric (RCT)              |        6 |      6 |          0 |
//! | TestReplicaCalcPodMetric (RCT)                         |        8 |      8 |          0 |
//! | TestReplicaCalcObjectMetric (RCT)                      |        6 |      6 |          0 |
//! | TestReplicaCalcObjectPerPodMetric (RCT)                |        4 |      4 |          0 |
//! | TestReplicaCalcExternalMetric (RCT)                    |        5 |      5 |          0 |
//! | TestReplicaCalcResourceTolerance (RCT)                 |        6 |      6 |          0 |
//! | TestReplicaCalcResourceMissingMetrics (RCT)            |       15 |     12 |      3 (a) |
//! | TestReplicaCalcComputedToleranceAlgImplementation (RCT)|   2 runs | 2 runs |          0 |
//! | TestGroupPods (RCT)                                    |       14 |     14 |          0 |
//! | TestCalculateRequests (RCT)                            |        9 |      0 |      9 (b) |
//! | TestCalculatePodRequestsFromContainers_NonExistent… (RCT)|      1 |      0 |      1 (b) |
//! | TestConvertDesiredReplicasWithRules (HT)               |        5 |      5 |          0 |
//! | TestCalculateScaleUpLimitWithScalingRules (HT)         |        1 |      1 |          0 |
//! | TestCalculateScaleDownLimitWithBehaviors (HT)          |        1 |      1 |          0 |
//! | TestNormalizeDesiredReplicas (HT)                      |        5 |      5 |          0 |
//! | TestScalingWithRules (HT)                              |       40 |     40 |          0 |
//! | TestStoreScaleEvents (HT; each row up and down)        |        8 |      8 |          0 |
//! | TestNormalizeDesiredReplicasWithBehavior (HT)          |       11 |     11 |          0 |
//! | TestBuildQuantity (HT)                                 |        7 |      0 |      7 (e) |
//! | TestGenerateScaleDownRules (autoscaling/v2 defaults_test.go) | 4 |    0 |      4 (c) |
//! | TestGenerateScaleUpRules (autoscaling/v2 defaults_test.go)   | 6 |    0 |      6 (c) |
//! | HT reconcile-level tests (`testCase.runTest` and kin; 88 functions, 104 runs) | 104 runs | 78 | 26 (d) |
//!
//! Not ported:
//! - (a) TestReplicaCalcResourceMissingMetrics "disjoint pod and metric names" (a metric entry
//!   for a pod that does not exist: [`PodGroup`] has no slot for metrics of non-existent pods),
//!   "no metrics returned from metrics API" (an error of the metrics client, which ksim does not
//!   have) and "missing CPU request on container" (`calculateRequests` validation; ksim
//!   validates requests when the scenario is loaded). ksim's outcome for the same inputs (an
//!   invalid metric) is checked in `resource_missing_metrics_error_rows_are_invalid`, but the
//!   upstream error kinds differ, so they are not counted.
//!   "superfluous metrics counted" *is* ported: its two extra entries (for pods that do not
//!   exist) only matter on the rebalance path, which that case does not take.
//! - (b) `calculateRequests` (pod-level resources, sidecar init containers, named container
//!   lookup) has no hpa.rs counterpart: pod requests are an input of [`PodGroup`].
//! - (c) Behavior defaulting lives in the private `scenario::validate`; neither hpa.rs nor the
//!   scenario model exposes it.
//! - (d) HT reconcile-level runs: the 9 `HPAScaleToZero`-enabled runs (ksim models the gate off,
//!   so the `ScaledToZero` condition does not exist; their gate-off twins are ported);
//!   TestConfigurableTolerance "…ignored as the feature gate is disabled" (ksim models
//!   `HPAConfigurableTolerance` on); TestScaleUpDeployment and TestScaleUpReplicaSet (scale
//!   target kinds); the five selector tests (TestConditionInvalidSelectorMissing,
//!   …Unparsable, …NoAmbiguousSelector…, two …AmbiguousSelector…: ksim has no selectors shared
//!   between HPAs); TestConditionFailedGetScale and TestConditionFailedUpdateScale (API
//!   failures); TestAvoidUnnecessaryUpdates (status writes); TestMultipleHPAs (no replica
//!   assertion); TestHPARescaleWithSuccessfulConflictRetry (API retry);
//!   TestReconciliationDurationIsRecorded, …IsRecordedOnError and
//!   TestReconciliationsTotalCountMultipleReconciliations (monitoring);
//!   TestSyncPeriodSeconds_SetOnReconcile (work-queue rate limiter). The ported runs assert the desired replicas (conditions and events are not
//!   modeled) through the whole path: classification, the per-metric calculators,
//!   `combine_proposals` and `HpaState::reconcile`, whose scale-up limit uses the production
//!   factor 2; none of the ported runs is limited differently by HT's factor 8.
//! - (e) `buildQuantity` formats metric status quantities; ksim writes no HPA status.

use ksim::engine::Millis;
use ksim::hpa::{
    HpaState, LimitReason, PodClass, PodGroup, PodTiming, ScaleEvent, Tolerances,
    calculate_scale_up_limit, calculate_scale_up_limit_factor, classify_with, convert_with_rules,
    convert_with_rules_factor, external_average_replicas, external_average_usage,
    external_per_pod_total, external_value_replicas, external_value_total, object_average_replicas,
    object_average_usage, object_value_replicas, plain_metric_replicas, replicas_change_per_period,
    resource_replicas, scale_down_limit_with_behaviors, scale_up_limit_with_rules,
};
use ksim::scenario::{
    Behavior, Hpa, HpaMetric, MetricResource, ScalingPolicy, ScalingRules, SelectPolicy,
};

/// Builds the [`Hpa`] that `HpaState::reconcile` takes: the one place to fix when the model
/// gains a field. Shared with `hpa_properties`.
pub fn hpa(min: i64, max: i64, behavior: Option<Behavior>) -> Hpa {
    Hpa {
        name: "test-hpa".into(),
        min_replicas: min,
        max_replicas: max,
        metrics: vec![HpaMetric::Utilization {
            resource: MetricResource::Cpu,
            target_percent: 50,
        }],
        behavior,
    }
}

// ----- time ---------------------------------------------------------------------------------

/// The tests' `time.Now()`.
const NOW: Millis = 1_000_000_000;
/// Go's zero `time.Time` (year 1): far before `NOW`.
const ZERO: Millis = 0;
const SEC: Millis = 1_000;
const MIN: Millis = 60 * SEC;
/// `defaultTestingCPUInitializationPeriod`.
const TEST_CPU_INIT: Millis = 2 * MIN;
/// `defaultTestingDelayOfInitialReadinessStatus`.
const TEST_READINESS_DELAY: Millis = 10 * SEC;
/// `scaleUpLimitFactor` as HT's `init()` sets it.
const TEST_SCALE_UP_FACTOR: f64 = 8.0;

fn tol(t: Option<(f64, f64)>) -> Tolerances {
    match t {
        None => Tolerances::default(),
        Some((down, up)) => Tolerances {
            scale_down: down,
            scale_up: up,
        },
    }
}

// ----- RCT pod fixtures ---------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum Start {
    /// The zero time (no `podStartTime` given).
    Zero,
    /// `hotCPUCreationTime()`: now.
    Hot,
    /// `coolCPUCreationTime()`: now − 3 min.
    Cool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Running,
    Pending,
    Failed,
}

use Phase::{Failed as F_, Pending as P_, Running as R_};
use Start::{Cool, Hot};

/// Per-pod state of an RCT `calcScenario`. Empty slices mean the defaults.
#[derive(Debug, Clone, Copy)]
struct PodState {
    readiness: &'static [bool],
    start: &'static [Start],
    phase: &'static [Phase],
    deleted: &'static [bool],
}

const DEFAULT_PODS: PodState = PodState {
    readiness: &[],
    start: &[],
    phase: &[],
    deleted: &[],
};

/// One pod as `buildFakePod` builds it.
struct FakePod {
    ready: bool,
    start: Millis,
    phase: Phase,
    deleted: bool,
}

/// `newFakePodClient`: `max(current, len(podPhase))` pods.
fn fake_pods(cur: i64, st: &PodState) -> Vec<FakePod> {
    let n = (cur as usize).max(st.phase.len());
    (0..n)
        .map(|i| FakePod {
            ready: st.readiness.get(i).copied().unwrap_or(true),
            start: match st.start.get(i).copied().unwrap_or(Start::Zero) {
                Start::Zero => ZERO,
                Start::Hot => NOW,
                Start::Cool => NOW - 3 * MIN,
            },
            phase: st.phase.get(i).copied().unwrap_or(Phase::Running),
            deleted: st.deleted.get(i).copied().unwrap_or(false),
        })
        .collect()
}

/// The `PodTiming` of an RCT pod with (or without) a metric sample at the zero time.
fn timing(p: &FakePod, has_metric: bool, window: Millis) -> PodTiming {
    PodTiming {
        pending: p.phase == Phase::Pending,
        ignored: p.deleted || p.phase == Phase::Failed,
        start: Some(p.start),
        ready: Some((p.ready, ZERO)),
        metric: has_metric.then_some((ZERO, window)),
    }
}

fn group_of(class: PodClass, value_m: i64, request_m: i64) -> PodGroup {
    PodGroup {
        class,
        count: 1,
        value_total_m: value_m,
        request_m,
    }
}

/// `getReadyPodsCount`: pods Running with Ready=True (no time rules).
fn ready_pods_count(pods: &[FakePod]) -> i64 {
    pods.iter()
        .filter(|p| p.phase == Phase::Running && p.ready)
        .count() as i64
}

/// `makePodMetricLevels`: every container of pod `i` reports `a_i`.
macro_rules! mpl {
    ($($v:expr),* $(,)?) => { &[$(&[$v, $v]),*] };
}

// ----- resource (Utilization) tables ----------------------------------------------------------

struct ResourceCase {
    name: &'static str,
    cur: i64,
    pods: PodState,
    /// Per-container request of pod `i` (both containers request it).
    requests_m: &'static [i64],
    /// `levels[i][j]`: usage of container `j+1` of pod `i`; a short row lacks containers.
    levels: &'static [&'static [i64]],
    /// `None`: the whole pod; `Some(j)`: container `j+1` only.
    container: Option<usize>,
    target: i64,
    tol: Option<(f64, f64)>,
    replicas: i64,
    utilization: i64,
    raw: i64,
}

/// The groups `GetResourceReplicas` sees for an RCT resource fixture (CPU).
fn resource_groups(c: &ResourceCase) -> Vec<PodGroup> {
    let pods = fake_pods(c.cur, &c.pods);
    pods.iter()
        .enumerate()
        .map(|(i, p)| {
            // getPodMetrics / getContainerMetrics: a pod whose sample lacks a container is
            // left out of the map.
            let value = c.levels.get(i).and_then(|row| match c.container {
                None => (row.len() == 2).then(|| row.iter().sum::<i64>()),
                Some(j) => row.get(j).copied(),
            });
            // calculateRequests: both containers, or the named one.
            let per_container = c.requests_m.get(i).copied().unwrap_or(0);
            let request = match c.container {
                None => 2 * per_container,
                Some(_) => per_container,
            };
            let class = classify_with(
                &timing(p, value.is_some(), MIN),
                NOW,
                true,
                TEST_CPU_INIT,
                TEST_READINESS_DELAY,
            );
            group_of(class, value.unwrap_or(0), request)
        })
        .collect()
}

fn run_resource_table(test: &str, cases: &[ResourceCase]) {
    for c in cases {
        let got = resource_replicas(c.cur, &resource_groups(c), c.target, tol(c.tol))
            .unwrap_or_else(|e| panic!("{test} / {:?}: unexpected error {e:?}", c.name));
        assert_eq!(
            (got.replicas, got.utilization, got.raw_average_m),
            (c.replicas, c.utilization, c.raw),
            "{test} / {:?}: (replicas, utilization, raw value)",
            c.name
        );
    }
}

const N3: &[i64] = &[1000; 3];
const N4: &[i64] = &[1000; 4];
const N5: &[i64] = &[1000; 5];
const N7: &[i64] = &[1000; 7];

/// RCT `TestReplicaCalcResourceScale`.
const RESOURCE_SCALE: &[ResourceCase] = &[
    ResourceCase {
        name: "scale up",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: N3,
        levels: mpl!(300, 500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 5,
        utilization: 50,
        raw: 1000,
    },
    ResourceCase {
        name: "scale up: container metric",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: N3,
        levels: &[&[1000, 300], &[1000, 500], &[1000, 700]],
        container: Some(1),
        target: 30,
        tol: None,
        replicas: 5,
        utilization: 50,
        raw: 500,
    },
    ResourceCase {
        name: "scale up: unready pod scales less",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(300, 500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 1200,
    },
    ResourceCase {
        name: "scale up: hot-CPU container scales less",
        cur: 3,
        pods: PodState {
            start: &[Hot, Cool, Cool],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: &[&[0, 300], &[0, 500], &[0, 700]],
        container: Some(1),
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 600,
    },
    ResourceCase {
        name: "scale up: hot-CPU pod scales less",
        cur: 3,
        pods: PodState {
            start: &[Hot, Cool, Cool],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(300, 500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 1200,
    },
    ResourceCase {
        name: "no scale: unready pods ignored",
        cur: 3,
        pods: PodState {
            readiness: &[true, false, false],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(400, 500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 3,
        utilization: 40,
        raw: 800,
    },
    ResourceCase {
        name: "no scale: hot-CPU pods ignored",
        cur: 3,
        pods: PodState {
            readiness: &[true, false, false],
            start: &[Cool, Hot, Hot],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(400, 500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 3,
        utilization: 40,
        raw: 800,
    },
    ResourceCase {
        name: "scale up: failed pods ignored",
        cur: 2,
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: mpl!(500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 1200,
    },
    ResourceCase {
        name: "scale up: failed pods ignored with missing container metric",
        cur: 2,
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: &[&[1000, 500], &[9000, 700], &[1000], &[9000]],
        container: Some(1),
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 600,
    },
    ResourceCase {
        name: "scale up: container metrics with failed pods ignored",
        cur: 2,
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: &[&[1000, 500], &[9000, 700]],
        container: Some(1),
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 600,
    },
    ResourceCase {
        name: "scale up: pods being deleted are ignored",
        cur: 2,
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, R_, R_],
            deleted: &[false, false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: mpl!(500, 700),
        container: None,
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 1200,
    },
    ResourceCase {
        name: "scale up: container metrics with pods being deleted ignored",
        cur: 2,
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, R_, R_],
            deleted: &[false, false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: mpl!(500, 700),
        container: Some(0),
        target: 30,
        tol: None,
        replicas: 4,
        utilization: 60,
        raw: 600,
    },
    ResourceCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        requests_m: N5,
        levels: mpl!(100, 300, 500, 250, 250),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 560,
    },
    ResourceCase {
        name: "scale down: container metric",
        cur: 5,
        pods: DEFAULT_PODS,
        requests_m: N5,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 250],
            &[1000, 250],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 280,
    },
    ResourceCase {
        name: "scale down: exclude unready pods",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, false, false],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: mpl!(100, 300, 500, 250, 250),
        container: None,
        target: 50,
        tol: None,
        replicas: 2,
        utilization: 30,
        raw: 600,
    },
    ResourceCase {
        name: "scale down: container metric excludes unready pods",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, false, false],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 250],
            &[1000, 250],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 2,
        utilization: 30,
        raw: 300,
    },
    ResourceCase {
        name: "scale down: exclude unscheduled pods",
        cur: 5,
        pods: PodState {
            readiness: &[true, false, false, false, false],
            phase: &[R_, P_, P_, P_, P_],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: mpl!(100),
        container: None,
        target: 50,
        tol: None,
        replicas: 1,
        utilization: 10,
        raw: 200,
    },
    ResourceCase {
        name: "scale down: container metric excludes unscheduled pods",
        cur: 5,
        pods: PodState {
            readiness: &[true, false, false, false, false],
            phase: &[R_, P_, P_, P_, P_],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 250],
            &[1000, 250],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 1,
        utilization: 10,
        raw: 100,
    },
    ResourceCase {
        name: "scale down: ignore hot-CPU pods",
        cur: 5,
        pods: PodState {
            start: &[Cool, Cool, Cool, Hot, Hot],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: mpl!(100, 300, 500, 250, 250),
        container: None,
        target: 50,
        tol: None,
        replicas: 2,
        utilization: 30,
        raw: 600,
    },
    ResourceCase {
        name: "scale down: container metric ignores hot-CPU pods",
        cur: 5,
        pods: PodState {
            start: &[Cool, Cool, Cool, Hot, Hot],
            ..DEFAULT_PODS
        },
        requests_m: N5,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 1000],
            &[1000, 1000],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 2,
        utilization: 30,
        raw: 300,
    },
    ResourceCase {
        name: "scale down: failed pods ignored",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        requests_m: N7,
        levels: mpl!(100, 300, 500, 250, 250),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 560,
    },
    ResourceCase {
        name: "scale down: container metric with failed pods ignored",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        requests_m: N7,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 250],
            &[1000, 250],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 280,
    },
    ResourceCase {
        name: "scale down: pods being deleted are ignored",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, R_, R_],
            deleted: &[false, false, false, false, false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N7,
        levels: mpl!(100, 300, 500, 250, 250),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 560,
    },
    ResourceCase {
        name: "scale down: still-running pods being deleted are ignored",
        cur: 5,
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, R_, R_],
            deleted: &[false, false, false, false, false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N7,
        levels: &[
            &[1000, 100],
            &[1000, 300],
            &[1000, 500],
            &[1000, 250],
            &[1000, 250],
        ],
        container: Some(1),
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 28,
        raw: 280,
    },
];

#[test]
fn replica_calc_resource_scale() {
    assert_eq!(RESOURCE_SCALE.len(), 24);
    run_resource_table("TestReplicaCalcResourceScale", RESOURCE_SCALE);
}

/// RCT `TestReplicaCalcResourceTolerance`: per-container requests 0.9 / 1.0 / 1.1 cores.
const MIXED: &[i64] = &[900, 1000, 1100];
const RESOURCE_TOLERANCE: &[ResourceCase] = &[
    ResourceCase {
        name: "within default tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(1010, 1030, 1020),
        container: None,
        target: 100,
        tol: None,
        replicas: 3,
        utilization: 102,
        raw: 2040,
    },
    ResourceCase {
        name: "outside 0% tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(909, 1010, 1111),
        container: None,
        target: 100,
        tol: Some((0.0, 0.0)),
        replicas: 4,
        utilization: 101,
        raw: 2020,
    },
    ResourceCase {
        name: "within 200% scale-up tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(1890, 1910, 1900),
        container: None,
        target: 100,
        tol: Some((0.1, 2.0)),
        replicas: 3,
        utilization: 190,
        raw: 3800,
    },
    ResourceCase {
        name: "outside 8% scale-up tolerance (superfluous scale-down tolerance)",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(1100, 1080, 1090),
        container: None,
        target: 100,
        tol: Some((2.0, 0.08)),
        replicas: 4,
        utilization: 109,
        raw: 2180,
    },
    ResourceCase {
        name: "within 36% scale-down tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(660, 640, 650),
        container: None,
        target: 100,
        tol: Some((0.36, 0.1)),
        replicas: 3,
        utilization: 65,
        raw: 1300,
    },
    ResourceCase {
        name: "outside 34% scale-down tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        requests_m: MIXED,
        levels: mpl!(660, 640, 650),
        container: None,
        target: 100,
        tol: Some((0.34, 0.1)),
        replicas: 2,
        utilization: 65,
        raw: 1300,
    },
];

#[test]
fn replica_calc_resource_tolerance() {
    assert_eq!(RESOURCE_TOLERANCE.len(), 6);
    run_resource_table("TestReplicaCalcResourceTolerance", RESOURCE_TOLERANCE);
}

/// RCT `TestReplicaCalcResourceMissingMetrics`, the 12 rows without an expected error.
const RESOURCE_MISSING: &[ResourceCase] = &[
    ResourceCase {
        // Six metric entries for four pods; the entries of the non-existent pods 4 and 5 are not
        // representable and do not matter on the fast path this case takes.
        name: "superfluous metrics counted",
        cur: 4,
        pods: DEFAULT_PODS,
        requests_m: N4,
        levels: mpl!(4000, 9500, 3000, 7000, 3200, 2000),
        container: None,
        target: 100,
        tol: None,
        replicas: 24,
        utilization: 587,
        raw: 11750,
    },
    ResourceCase {
        name: "some pods missing metrics scales down",
        cur: 4,
        pods: DEFAULT_PODS,
        requests_m: N4,
        levels: mpl!(400, 95),
        container: None,
        target: 100,
        tol: None,
        replicas: 3,
        utilization: 24,
        raw: 495,
    },
    ResourceCase {
        name: "no change: metric equal to target",
        cur: 2,
        pods: DEFAULT_PODS,
        requests_m: &[1000; 2],
        levels: mpl!(1000),
        container: None,
        target: 100,
        tol: None,
        replicas: 2,
        utilization: 100,
        raw: 2000,
    },
    ResourceCase {
        name: "no change: metric above target",
        cur: 2,
        pods: DEFAULT_PODS,
        requests_m: &[1000; 2],
        levels: mpl!(1900),
        container: None,
        target: 100,
        tol: None,
        replicas: 2,
        utilization: 190,
        raw: 3800,
    },
    ResourceCase {
        name: "no change: metric below target",
        cur: 2,
        pods: DEFAULT_PODS,
        requests_m: &[1000; 2],
        levels: mpl!(600),
        container: None,
        target: 100,
        tol: None,
        replicas: 2,
        utilization: 60,
        raw: 1200,
    },
    ResourceCase {
        name: "no change: unready pod metric missing",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(100, 450),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 45,
        raw: 900,
    },
    ResourceCase {
        name: "no change: hot-CPU pod metric missing",
        cur: 3,
        pods: PodState {
            start: &[Hot, Cool, Cool],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(100, 450),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 45,
        raw: 900,
    },
    ResourceCase {
        name: "scale up: unready pod metric missing",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(100, 2000),
        container: None,
        target: 50,
        tol: None,
        replicas: 4,
        utilization: 200,
        raw: 4000,
    },
    ResourceCase {
        name: "scale up: hot-CPU pod metric missing",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, true],
            start: &[Hot, Cool, Cool],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(100, 2000),
        container: None,
        target: 50,
        tol: None,
        replicas: 4,
        utilization: 200,
        raw: 4000,
    },
    ResourceCase {
        name: "scale down: unready pod metric missing",
        cur: 4,
        pods: PodState {
            readiness: &[false, true, true, true],
            ..DEFAULT_PODS
        },
        requests_m: N4,
        levels: mpl!(100, 100, 100),
        container: None,
        target: 50,
        tol: None,
        replicas: 3,
        utilization: 10,
        raw: 200,
    },
    ResourceCase {
        name: "scale down: target over 100",
        cur: 4,
        pods: PodState {
            readiness: &[false, true, true, true],
            ..DEFAULT_PODS
        },
        requests_m: &[1000, 1000, 2000, 2000],
        levels: mpl!(200, 100, 100),
        container: None,
        target: 300,
        tol: None,
        replicas: 2,
        utilization: 6,
        raw: 200,
    },
    ResourceCase {
        name: "rolling update with maxSurge: extra pod missing metric",
        cur: 2,
        pods: PodState {
            phase: &[R_, R_, R_],
            ..DEFAULT_PODS
        },
        requests_m: N3,
        levels: mpl!(100, 100),
        container: None,
        target: 50,
        tol: None,
        replicas: 2,
        utilization: 10,
        raw: 200,
    },
];

#[test]
fn replica_calc_resource_missing_metrics() {
    assert_eq!(RESOURCE_MISSING.len(), 12);
    run_resource_table("TestReplicaCalcResourceMissingMetrics", RESOURCE_MISSING);
}

/// Not counted as ported (see the header): the three error rows of
/// `TestReplicaCalcResourceMissingMetrics` as far as ksim can express them. Upstream errors with
/// a metrics-client or request-validation message; ksim reports an invalid metric too.
#[test]
fn resource_missing_metrics_error_rows_are_invalid() {
    use ksim::hpa::MetricError;
    let t = Tolerances::default();
    // "disjoint pod and metric names": the only pod has no metric.
    let missing = [group_of(PodClass::Missing, 0, 2000)];
    assert_eq!(
        resource_replicas(1, &missing, 100, t),
        Err(MetricError::NoMetrics)
    );
    // "no metrics returned from metrics API": four pods, none with a metric.
    let none = [group_of(PodClass::Missing, 0, 2000); 4];
    assert_eq!(
        resource_replicas(4, &none, 100, t),
        Err(MetricError::NoMetrics)
    );
    // "missing CPU request on container": a ready pod without a request.
    let no_request = [group_of(PodClass::Ready, 400, 0)];
    assert_eq!(
        resource_replicas(1, &no_request, 100, t),
        Err(MetricError::NoRequests)
    );
}

/// RCT `TestReplicaCalcComputedToleranceAlgImplementation`: 10 pods at 150m per container
/// against per-container requests 300m ± {100, 10, 2, 1, 0} (50 % utilization). The test derives
/// the target as `int32((|1/(2.0 × (1 − 0.1))| + δ) × 100)`: 56 for δ = 0.01 (a minimal scale
/// down to `ceil(3000 / (6000 × 0.56556) × 10)` = 9) and 55 for δ = 0.004 (within tolerance).
#[test]
fn replica_calc_computed_tolerance_alg_implementation() {
    const REQ: &[i64] = &[400, 200, 310, 290, 302, 298, 301, 299, 300, 300];
    const LEVELS: &[&[i64]] = mpl!(150, 150, 150, 150, 150, 150, 150, 150, 150, 150);
    let runs = [
        ResourceCase {
            name: "run 1: target 56 (tolerance breached)",
            cur: 10,
            pods: DEFAULT_PODS,
            requests_m: REQ,
            levels: LEVELS,
            container: None,
            target: 56,
            tol: None,
            replicas: 9,
            utilization: 50,
            raw: 300,
        },
        ResourceCase {
            name: "run 2: target 55 (within tolerance)",
            cur: 10,
            pods: DEFAULT_PODS,
            requests_m: REQ,
            levels: LEVELS,
            container: None,
            target: 55,
            tol: None,
            replicas: 10,
            utilization: 50,
            raw: 300,
        },
    ];
    run_resource_table("TestReplicaCalcComputedToleranceAlgImplementation", &runs);
}

// ----- Pods metric (AverageValue, no readiness rules) -----------------------------------------

struct MetricCase {
    name: &'static str,
    cur: i64,
    pods: PodState,
    levels: &'static [i64],
    target: i64,
    tol: Option<(f64, f64)>,
    replicas: i64,
    usage: i64,
}

/// RCT `TestReplicaCalcPodMetric` (`GetMetricReplicas` → `calcPlainMetricReplicas` with
/// resource "", so `groupPods` applies no CPU readiness rules).
const POD_METRIC: &[MetricCase] = &[
    MetricCase {
        name: "scale up",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20000, 10000, 30000],
        target: 15000,
        tol: None,
        replicas: 4,
        usage: 20000,
    },
    MetricCase {
        name: "scale up: unready hot-CPU pod scales less",
        cur: 3,
        pods: PodState {
            readiness: &[true, true, false],
            start: &[Cool, Cool, Hot],
            ..DEFAULT_PODS
        },
        levels: &[50000, 10000, 30000],
        target: 15000,
        tol: None,
        replicas: 6,
        usage: 30000,
    },
    MetricCase {
        name: "scale up: unready hot-CPU pods avoid scale-down",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, false],
            start: &[Hot, Cool, Hot],
            ..DEFAULT_PODS
        },
        levels: &[50000, 15000, 30000],
        target: 15000,
        tol: None,
        replicas: 7,
        usage: 31666,
    },
    MetricCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[12000; 5],
        target: 20000,
        tol: None,
        replicas: 3,
        usage: 12000,
    },
    MetricCase {
        name: "within default tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20000, 21000, 21000],
        target: 20000,
        tol: None,
        replicas: 3,
        usage: 20666,
    },
    MetricCase {
        name: "outside configurable 1% tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20000, 21000, 21000],
        target: 20000,
        tol: Some((0.1, 0.01)),
        replicas: 4,
        usage: 20666,
    },
    MetricCase {
        name: "no change: missing metrics",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[20000, 19000, 21000],
        target: 20000,
        tol: None,
        replicas: 5,
        usage: 20000,
    },
    MetricCase {
        name: "rolling update with maxSurge: extra pod missing metric",
        cur: 2,
        pods: PodState {
            phase: &[R_, R_, R_],
            ..DEFAULT_PODS
        },
        levels: &[10000, 10000],
        target: 17000,
        tol: None,
        replicas: 2,
        usage: 10000,
    },
];

#[test]
fn replica_calc_pod_metric() {
    assert_eq!(POD_METRIC.len(), 8);
    for c in POD_METRIC {
        let pods = fake_pods(c.cur, &c.pods);
        let groups: Vec<PodGroup> = pods
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let value = c.levels.get(i).copied();
                // Custom-metric samples carry the zero time and the default 1 min window.
                let class = classify_with(
                    &timing(p, value.is_some(), MIN),
                    NOW,
                    false,
                    TEST_CPU_INIT,
                    TEST_READINESS_DELAY,
                );
                group_of(class, value.unwrap_or(0), 0)
            })
            .collect();
        let got = plain_metric_replicas(c.cur, &groups, c.target, tol(c.tol))
            .unwrap_or_else(|e| panic!("TestReplicaCalcPodMetric / {:?}: error {e:?}", c.name));
        assert_eq!(
            got,
            (c.replicas, c.usage),
            "TestReplicaCalcPodMetric / {:?}: (replicas, usage)",
            c.name
        );
    }
}

// ----- Object and External metrics ------------------------------------------------------------

/// RCT `TestReplicaCalcObjectMetric` (`GetObjectMetricReplicas`: value `levels[0]`).
const OBJECT_METRIC: &[MetricCase] = &[
    MetricCase {
        name: "scale up",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20000],
        target: 15000,
        tol: None,
        replicas: 4,
        usage: 20000,
    },
    MetricCase {
        name: "scale up: very large metric saturates replicas to MaxInt32",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[i64::MAX],
        target: 1,
        tol: None,
        replicas: i32::MAX as i64,
        usage: i64::MAX,
    },
    MetricCase {
        name: "scale up: ignores unready pods",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, false],
            ..DEFAULT_PODS
        },
        levels: &[50000],
        target: 10000,
        tol: None,
        replicas: 5,
        usage: 50000,
    },
    MetricCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[12000],
        target: 20000,
        tol: None,
        replicas: 3,
        usage: 12000,
    },
    MetricCase {
        name: "within default tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20666],
        target: 20000,
        tol: None,
        replicas: 3,
        usage: 20666,
    },
    MetricCase {
        name: "outside configurable 1% tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20666],
        target: 20000,
        tol: Some((0.1, 0.01)),
        replicas: 4,
        usage: 20666,
    },
];

#[test]
fn replica_calc_object_metric() {
    assert_eq!(OBJECT_METRIC.len(), 6);
    for c in OBJECT_METRIC {
        let pods = fake_pods(c.cur, &c.pods);
        let usage = c.levels[0];
        let got = object_value_replicas(
            c.cur,
            pods.len() as i64,
            ready_pods_count(&pods),
            usage,
            c.target,
            tol(c.tol),
        );
        assert_eq!(
            (got, usage),
            (Ok(c.replicas), c.usage),
            "TestReplicaCalcObjectMetric / {:?}: (replicas, usage)",
            c.name
        );
    }
}

/// RCT `TestReplicaCalcObjectPerPodMetric` (`GetObjectPerPodMetricReplicas` with
/// `statusReplicas` = the case's replicas).
const OBJECT_PER_POD: &[MetricCase] = &[
    MetricCase {
        name: "scale up",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[20000],
        target: 5000,
        tol: None,
        replicas: 4,
        usage: 6667,
    },
    MetricCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[6000],
        target: 2000,
        tol: None,
        replicas: 3,
        usage: 1200,
    },
    MetricCase {
        name: "within default tolerance",
        cur: 4,
        pods: DEFAULT_PODS,
        levels: &[20166],
        target: 5000,
        tol: None,
        replicas: 4,
        usage: 5042,
    },
    MetricCase {
        name: "outside configurable 1% tolerance",
        cur: 4,
        pods: DEFAULT_PODS,
        levels: &[20208],
        target: 5000,
        tol: Some((0.1, 0.01)),
        replicas: 5,
        usage: 5052,
    },
];

#[test]
fn replica_calc_object_per_pod_metric() {
    assert_eq!(OBJECT_PER_POD.len(), 4);
    for c in OBJECT_PER_POD {
        let got = (
            object_average_replicas(c.cur, c.levels[0], c.target, tol(c.tol)),
            object_average_usage(c.cur, c.levels[0]),
        );
        assert_eq!(
            got,
            (c.replicas, c.usage),
            "TestReplicaCalcObjectPerPodMetric / {:?}: (replicas, usage)",
            c.name
        );
    }
}

/// RCT `TestReplicaCalcExternalMetric` (`GetExternalMetricReplicas`).
const EXTERNAL_METRIC: &[MetricCase] = &[
    MetricCase {
        // The test notes it would be 6 if unready pods were counted.
        name: "scale down: ignores unready pods (would otherwise scale up)",
        cur: 3,
        pods: PodState {
            readiness: &[false, true, false],
            ..DEFAULT_PODS
        },
        levels: &[8600],
        target: 4400,
        tol: None,
        replicas: 2,
        usage: 8600,
    },
    MetricCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 14334,
        tol: None,
        replicas: 3,
        usage: 8600,
    },
    MetricCase {
        name: "within default tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 8888,
        tol: None,
        replicas: 3,
        usage: 8600,
    },
    MetricCase {
        name: "outside configurable 1% tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[8900],
        target: 8800,
        tol: Some((0.1, 0.01)),
        replicas: 4,
        usage: 8900,
    },
    MetricCase {
        name: "usage overflow caps at MaxInt64",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[i64::MAX / 2 + 1, i64::MAX / 2 + 1],
        target: i64::MAX,
        tol: None,
        replicas: 3,
        usage: i64::MAX,
    },
];

#[test]
fn replica_calc_external_metric() {
    assert_eq!(EXTERNAL_METRIC.len(), 5);
    for c in EXTERNAL_METRIC {
        let pods = fake_pods(c.cur, &c.pods);
        let total = external_value_total(c.levels);
        let got = external_value_replicas(
            c.cur,
            pods.len() as i64,
            ready_pods_count(&pods),
            total,
            c.target,
            tol(c.tol),
        );
        assert_eq!(
            (got, total),
            (Ok(c.replicas), c.usage),
            "TestReplicaCalcExternalMetric / {:?}: (replicas, usage)",
            c.name
        );
    }
}

/// RCT `TestReplicaCalcExternalPerPodMetric` (`GetExternalPerPodMetricReplicas` with
/// `statusReplicas` = the case's replicas).
const EXTERNAL_PER_POD: &[MetricCase] = &[
    MetricCase {
        name: "replica count overflow saturates to MaxInt32",
        cur: 1,
        pods: DEFAULT_PODS,
        levels: &[i64::MAX],
        target: 1,
        tol: None,
        replicas: i32::MAX as i64,
        usage: i64::MAX,
    },
    MetricCase {
        name: "usage overflow with huge target leaves replicas unchanged",
        cur: 1,
        pods: DEFAULT_PODS,
        levels: &[i64::MAX],
        target: i64::MAX,
        tol: None,
        replicas: 1,
        usage: i64::MAX,
    },
    MetricCase {
        name: "scale up",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 2150,
        tol: None,
        replicas: 4,
        usage: 2867,
    },
    MetricCase {
        name: "scale down",
        cur: 5,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 2867,
        tol: None,
        replicas: 3,
        usage: 1720,
    },
    MetricCase {
        name: "within default tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 2900,
        tol: None,
        replicas: 3,
        usage: 2867,
    },
    MetricCase {
        name: "outside configurable 1% tolerance",
        cur: 3,
        pods: DEFAULT_PODS,
        levels: &[8600],
        target: 2800,
        tol: Some((0.1, 0.01)),
        replicas: 4,
        usage: 2867,
    },
];

#[test]
fn replica_calc_external_per_pod_metric() {
    assert_eq!(EXTERNAL_PER_POD.len(), 6);
    for c in EXTERNAL_PER_POD {
        let total = external_per_pod_total(c.levels);
        let got = (
            external_average_replicas(c.cur, total, c.target, tol(c.tol)),
            external_average_usage(c.cur, total),
        );
        assert_eq!(
            got,
            (c.replicas, c.usage),
            "TestReplicaCalcExternalPerPodMetric / {:?}: (replicas, usage)",
            c.name
        );
    }
}

// ----- groupPods -----------------------------------------------------------------------------

/// A `TestGroupPods` pod: its status (times relative to `NOW`) and the expected class.
struct GroupPod {
    name: &'static str,
    pending: bool,
    ignored: bool,
    /// `status.startTime`, as milliseconds before now.
    start_ago: Option<Millis>,
    /// Ready condition: (status True, last transition as milliseconds before now).
    ready: Option<(bool, Millis)>,
    /// Metric sample: (timestamp as milliseconds before now, or `None` for the zero time;
    /// window).
    metric: Option<(Option<Millis>, Millis)>,
    expect: PodClass,
}

struct GroupCase {
    name: &'static str,
    cpu: bool,
    pods: &'static [GroupPod],
    ready_count: usize,
}

const POD: GroupPod = GroupPod {
    name: "",
    pending: false,
    ignored: false,
    start_ago: None,
    ready: None,
    metric: None,
    expect: PodClass::Ready,
};
/// `PodMetric{Value: 1}`: zero timestamp and window.
const BARE_SAMPLE: Option<(Option<Millis>, Millis)> = Some((None, 0));

/// RCT `TestGroupPods` (all pods are phase Succeeded unless noted; Succeeded is neither
/// Pending nor Failed).
const GROUP_PODS: &[GroupCase] = &[
    GroupCase {
        name: "void",
        cpu: true,
        pods: &[],
        ready_count: 0,
    },
    GroupCase {
        name: "count in a ready pod - memory",
        cpu: false,
        pods: &[GroupPod {
            name: "bentham",
            metric: Some((Some(0), MIN)),
            expect: PodClass::Ready,
            ..POD
        }],
        ready_count: 1,
    },
    GroupCase {
        name: "unready a pod without ready condition - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "lucretius",
            start_ago: Some(0),
            metric: BARE_SAMPLE,
            expect: PodClass::Unready,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "count in a ready pod with fresh metrics during initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "bentham",
            start_ago: Some(MIN),
            ready: Some((true, 30 * SEC)),
            metric: Some((Some(0), 30 * SEC)),
            expect: PodClass::Ready,
            ..POD
        }],
        ready_count: 1,
    },
    GroupCase {
        name: "unready a ready pod without fresh metrics during initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "bentham",
            start_ago: Some(MIN),
            ready: Some((true, 30 * SEC)),
            metric: Some((Some(0), 60 * SEC)),
            expect: PodClass::Unready,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "unready an unready pod during initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "lucretius",
            start_ago: Some(10 * MIN),
            ready: Some((false, 9 * MIN + 54 * SEC)),
            metric: BARE_SAMPLE,
            expect: PodClass::Unready,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "count in a ready pod without fresh metrics after initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "bentham",
            start_ago: Some(3 * MIN),
            ready: Some((true, 3 * MIN)),
            metric: Some((Some(2 * MIN), MIN)),
            expect: PodClass::Ready,
            ..POD
        }],
        ready_count: 1,
    },
    GroupCase {
        name: "count in an unready pod that was ready after initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "lucretius",
            start_ago: Some(10 * MIN),
            ready: Some((false, 9 * MIN)),
            metric: BARE_SAMPLE,
            expect: PodClass::Ready,
            ..POD
        }],
        ready_count: 1,
    },
    GroupCase {
        // start + 10 s equals the last transition: Go's `After` is false, so the pod counts.
        name: "unready pod that has never been ready after initialization period - CPU",
        cpu: true,
        pods: &[GroupPod {
            name: "lucretius",
            start_ago: Some(10 * MIN),
            ready: Some((false, 9 * MIN + 50 * SEC)),
            metric: BARE_SAMPLE,
            expect: PodClass::Ready,
            ..POD
        }],
        ready_count: 1,
    },
    GroupCase {
        name: "a missing pod",
        cpu: true,
        pods: &[GroupPod {
            name: "epicurus",
            start_ago: Some(3 * MIN),
            expect: PodClass::Missing,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "several pods",
        cpu: true,
        pods: &[
            GroupPod {
                name: "lucretius",
                start_ago: Some(0),
                metric: BARE_SAMPLE,
                expect: PodClass::Unready,
                ..POD
            },
            GroupPod {
                name: "niccolo",
                start_ago: Some(3 * MIN),
                ready: Some((true, 3 * MIN)),
                metric: BARE_SAMPLE,
                expect: PodClass::Ready,
                ..POD
            },
            GroupPod {
                name: "epicurus",
                start_ago: Some(3 * MIN),
                expect: PodClass::Missing,
                ..POD
            },
        ],
        ready_count: 1,
    },
    GroupCase {
        name: "pending pods are unreadied",
        cpu: true,
        pods: &[GroupPod {
            name: "unscheduled",
            pending: true,
            expect: PodClass::Unready,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "ignore pods with deletion timestamps",
        cpu: true,
        pods: &[GroupPod {
            name: "deleted",
            pending: true,
            ignored: true,
            metric: BARE_SAMPLE,
            expect: PodClass::Ignored,
            ..POD
        }],
        ready_count: 0,
    },
    GroupCase {
        name: "ignore pods in a failed state",
        cpu: true,
        pods: &[GroupPod {
            name: "failed",
            ignored: true,
            metric: BARE_SAMPLE,
            expect: PodClass::Ignored,
            ..POD
        }],
        ready_count: 0,
    },
];

#[test]
fn group_pods() {
    assert_eq!(GROUP_PODS.len(), 14);
    for c in GROUP_PODS {
        let mut ready = 0;
        for p in c.pods {
            let t = PodTiming {
                pending: p.pending,
                ignored: p.ignored,
                start: p.start_ago.map(|a| NOW - a),
                ready: p.ready.map(|(s, ago)| (s, NOW - ago)),
                metric: p.metric.map(|(ago, w)| (ago.map_or(ZERO, |a| NOW - a), w)),
            };
            let got = classify_with(&t, NOW, c.cpu, TEST_CPU_INIT, TEST_READINESS_DELAY);
            assert_eq!(
                got, p.expect,
                "TestGroupPods / {:?}: pod {}",
                c.name, p.name
            );
            ready += usize::from(got == PodClass::Ready);
        }
        assert_eq!(
            ready, c.ready_count,
            "TestGroupPods / {:?}: ready count",
            c.name
        );
    }
}

// ----- normalization without behavior ---------------------------------------------------------

/// HT `TestConvertDesiredReplicasWithRules` (with the test's `scaleUpLimitFactor` 8).
#[test]
fn convert_desired_replicas_with_rules() {
    use LimitReason::*;
    // (annotation, current, desired, min, max, → replicas, reason)
    let cases: &[(&str, i64, i64, i64, i64, i64, LimitReason)] = &[
        (
            "prenormalized desired replicas within range",
            5,
            7,
            3,
            8,
            7,
            DesiredWithinRange,
        ),
        (
            "prenormalized desired replicas < minReplicas",
            3,
            1,
            2,
            8,
            2,
            TooFewReplicas,
        ),
        (
            "prenormalized desired zeroed replicas within range",
            1,
            0,
            0,
            10,
            0,
            DesiredWithinRange,
        ),
        (
            "maxReplicas is the limit because maxReplicas < scaleUpLimit",
            20,
            1000,
            1,
            10,
            10,
            TooManyReplicas,
        ),
        (
            // Expected `calculateScaleUpLimit(3)` = int32(max(8 × 3, 4)).
            "scaleUpLimit is the limit because scaleUpLimit < maxReplicas",
            3,
            1000,
            1,
            2000,
            24,
            ScaleUpLimit,
        ),
    ];
    for &(name, cur, desired, min, max, want, reason) in cases {
        assert_eq!(
            convert_with_rules_factor(cur, desired, min, max, TEST_SCALE_UP_FACTOR),
            (want, reason),
            "TestConvertDesiredReplicasWithRules / {name:?}"
        );
    }
    assert_eq!(calculate_scale_up_limit_factor(3, TEST_SCALE_UP_FACTOR), 24);
    // With the production factor 2 the last row is limited at max(2 × 3, 4) = 6.
    assert_eq!(calculate_scale_up_limit(3), 6);
    assert_eq!(convert_with_rules(3, 1000, 1, 2000), 6);
}

/// HT `TestNormalizeDesiredReplicas` (`stabilizeRecommendation`, 5 min window).
#[test]
fn normalize_desired_replicas() {
    // (name, stored (value, age), desired, → stabilized, log length after)
    type Row = (&'static str, &'static [(i64, Millis)], i64, i64, usize);
    let cases: &[Row] = &[
        ("empty log", &[], 5, 5, 1),
        ("stabilize", &[(4, 2 * MIN), (5, MIN)], 3, 5, 3),
        ("no stabilize", &[(1, 2 * MIN), (2, MIN)], 3, 3, 3),
        (
            "no stabilize - old recommendations",
            &[(10, 10 * MIN), (9, 9 * MIN)],
            3,
            3,
            2,
        ),
        (
            "stabilize - old recommendations",
            &[(10, 10 * MIN), (4, MIN), (5, 2 * MIN), (9, 9 * MIN)],
            3,
            5,
            4,
        ),
    ];
    for &(name, recs, desired, want, len) in cases {
        let recs = recs.iter().map(|&(v, age)| (v, NOW - age)).collect();
        let mut s = HpaState::with_history(Some(recs), vec![], vec![]);
        assert_eq!(
            s.stabilize_recommendation(desired, NOW),
            want,
            "TestNormalizeDesiredReplicas / {name:?}: stabilized"
        );
        assert_eq!(
            s.recommendations().map(<[_]>::len),
            Some(len),
            "TestNormalizeDesiredReplicas / {name:?}: log length"
        );
    }
}

// ----- behavior ------------------------------------------------------------------------------

/// `generateScalingRules(pods, podsPeriod, percent, percentPeriod, window)`: select Max; a Pods
/// policy iff pods ≠ 0, then a Percent policy iff percent ≠ 0.
fn gsr(
    pods: i64,
    pods_period: i64,
    percent: i64,
    percent_period: i64,
    window: i64,
) -> ScalingRules {
    let mut policies = vec![];
    if pods != 0 {
        policies.push(ScalingPolicy::Pods {
            value: pods,
            period_s: pods_period,
        });
    }
    if percent != 0 {
        policies.push(ScalingPolicy::Percent {
            value: percent,
            period_s: percent_period,
        });
    }
    ScalingRules {
        stabilization_window_s: Some(window),
        select_policy: SelectPolicy::Max,
        policies,
        tolerance: None,
    }
}

/// `GenerateHPAScaleUpRules(nil)`: Pods 4 / 15 s and Percent 100 / 15 s, Max, window 0.
fn default_up() -> ScalingRules {
    ScalingRules {
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
    }
}

/// `GenerateHPAScaleDownRules(nil)`: Percent 100 / 15 s, Max, window unset.
fn default_down() -> ScalingRules {
    ScalingRules {
        stabilization_window_s: None,
        select_policy: SelectPolicy::Max,
        policies: vec![ScalingPolicy::Percent {
            value: 100,
            period_s: 15,
        }],
        tolerance: None,
    }
}

/// `generateEventsUniformDistribution(values, period)`: event `i` sits
/// `Duration(period − seg × (i + 1) + seg / 2)` seconds before now, `seg = period / n`
/// (the float-to-Duration conversion truncates).
fn uniform_events(values: &[i64], period_s: i64) -> Vec<ScaleEvent> {
    let seg = period_s as f64 / values.len() as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, &v)| {
            let age_s = (period_s as f64 - seg * (i + 1) as f64 + seg / 2.0) as Millis;
            ScaleEvent {
                change: v,
                at: NOW - age_s * SEC,
                outdated: false,
            }
        })
        .collect()
}

/// HT `TestCalculateScaleUpLimitWithScalingRules` and `TestCalculateScaleDownLimitWithBehaviors`.
#[test]
fn calculate_scale_limits_with_rules() {
    let rules = ScalingRules {
        stabilization_window_s: Some(300),
        select_policy: SelectPolicy::Min,
        policies: vec![
            ScalingPolicy::Pods {
                value: 2,
                period_s: 60,
            },
            ScalingPolicy::Percent {
                value: 50,
                period_s: 60,
            },
        ],
        tolerance: None,
    };
    assert_eq!(
        scale_up_limit_with_rules(1, &[], &[], &rules, NOW),
        2,
        "TestCalculateScaleUpLimitWithScalingRules"
    );
    assert_eq!(
        scale_down_limit_with_behaviors(5, &[], &[], &rules, NOW),
        3,
        "TestCalculateScaleDownLimitWithBehaviors"
    );
}

type Gsr = (i64, i64, i64, i64, i64);

struct RulesCase {
    name: &'static str,
    cur: i64,
    desired: i64,
    min: i64,
    max: i64,
    up: Option<Gsr>,
    down: Option<Gsr>,
    up_events: &'static [i64],
    down_events: &'static [i64],
    replicas: i64,
    reason: LimitReason,
}

const RC: RulesCase = RulesCase {
    name: "",
    cur: 0,
    desired: 0,
    min: 1,
    max: 1000,
    up: None,
    down: None,
    up_events: &[],
    down_events: &[],
    replicas: 0,
    reason: LimitReason::DesiredWithinRange,
};

use LimitReason::{
    DesiredWithinRange as WITHIN, ScaleDownLimit as DOWN_LIMIT, ScaleUpLimit as UP_LIMIT,
    TooFewReplicas as TOO_FEW, TooManyReplicas as TOO_MANY,
};

/// HT `TestScalingWithRules` (`convertDesiredReplicasWithBehaviorRate` only).
const SCALING_WITH_RULES: &[RulesCase] = &[
    RulesCase {
        name: "prenormalized desired replicas within range",
        cur: 5,
        desired: 7,
        min: 3,
        max: 8,
        replicas: 7,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "prenormalized desired replicas < minReplicas",
        cur: 3,
        desired: 1,
        min: 2,
        max: 8,
        replicas: 2,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "prenormalized desired replicas within range when minReplicas is 0",
        cur: 1,
        desired: 0,
        min: 0,
        max: 10,
        replicas: 0,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "maxReplicas is the limit because maxReplicas < scaleUpLimit",
        cur: 20,
        desired: 1000,
        min: 1,
        max: 10,
        replicas: 10,
        reason: TOO_MANY,
        ..RC
    },
    RulesCase {
        name: "desired replica count is more than the maximum replica count",
        cur: 100,
        desired: 1000,
        min: 100,
        max: 150,
        replicas: 150,
        reason: TOO_MANY,
        ..RC
    },
    RulesCase {
        name: "scaleUpLimit is the limit because scaleUpLimit < maxReplicas with user policies",
        cur: 3,
        desired: 1000,
        min: 1,
        max: 2000,
        up: Some((0, 0, 1, 60, 0)),
        replicas: 4,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with default behavior",
        cur: 10,
        desired: 50,
        replicas: 20,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with pods policy larger than percent policy",
        cur: 10,
        desired: 500,
        up: Some((100, 60, 100, 60, 0)),
        replicas: 110,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with percent policy larger than pods policy",
        cur: 10,
        desired: 500,
        up: Some((2, 60, 100, 60, 0)),
        replicas: 20,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with spec MaxReplicas limitation with large pod policy",
        cur: 10,
        desired: 50,
        up: Some((100, 60, 0, 0, 0)),
        replicas: 50,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "scaleUp with spec MaxReplicas limitation with large percent policy",
        cur: 10,
        desired: 50,
        up: Some((10000, 60, 0, 0, 0)),
        replicas: 50,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "scaleUp with pod policy limitation",
        cur: 10,
        desired: 50,
        up: Some((30, 60, 0, 0, 0)),
        replicas: 40,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with percent policy limitation",
        cur: 10,
        desired: 50,
        up: Some((0, 0, 200, 60, 0)),
        replicas: 30,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with percent policy larger than pod policy",
        cur: 100,
        desired: 2,
        down: Some((20, 60, 1, 60, 300)),
        replicas: 80,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with pod policy larger than percent policy",
        cur: 100,
        desired: 2,
        down: Some((2, 60, 1, 60, 300)),
        replicas: 98,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with spec MinReplicas limitation with large pod policy",
        cur: 10,
        desired: 0,
        down: Some((100, 60, 0, 0, 300)),
        replicas: 1,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "scaleDown with spec MinReplicas limitation with large percent policy",
        cur: 10,
        desired: 2,
        min: 5,
        down: Some((0, 0, 100, 60, 300)),
        replicas: 5,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "scaleDown with pod policy limitation",
        cur: 10,
        desired: 2,
        down: Some((5, 60, 0, 0, 300)),
        replicas: 5,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with percent policy limitation",
        cur: 10,
        desired: 5,
        down: Some((0, 0, 50, 60, 300)),
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "scaleUp with spec MaxReplicas limitation with large pod policy and events",
        cur: 100,
        desired: 500,
        max: 200,
        up: Some((300, 60, 0, 0, 0)),
        up_events: &[1, 5, 9],
        replicas: 200,
        reason: TOO_MANY,
        ..RC
    },
    RulesCase {
        name: "scaleUp with spec MaxReplicas limitation with large percent policy and events",
        cur: 100,
        desired: 500,
        max: 200,
        up: Some((0, 0, 10000, 60, 0)),
        up_events: &[1, 5, 9],
        replicas: 200,
        reason: TOO_MANY,
        ..RC
    },
    RulesCase {
        name: "scaleUp with currentReplicas limitation with rate.PeriodSeconds with a lot of recent scale up events",
        cur: 100,
        desired: 500,
        up: Some((5, 120, 0, 0, 0)),
        up_events: &[1, 5, 9],
        replicas: 100,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with pod policy and previous scale up events",
        cur: 100,
        desired: 500,
        up: Some((150, 120, 0, 0, 0)),
        up_events: &[1, 5, 9],
        replicas: 235,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with percent policy and previous scale up events",
        cur: 100,
        desired: 500,
        up: Some((0, 0, 200, 120, 0)),
        up_events: &[1, 5, 9],
        replicas: 255,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleUp with percent policy and previous scale up and down events",
        cur: 6,
        desired: 24,
        up: Some((0, 0, 300, 300, 0)),
        up_events: &[4],
        down_events: &[2],
        replicas: 16,
        reason: UP_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with default policy and previous events",
        cur: 10,
        desired: 5,
        down_events: &[1, 5, 9],
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "scaleDown with spec MinReplicas=nil limitation with large pod policy and previous events",
        cur: 100,
        desired: 0,
        down: Some((115, 120, 0, 0, 300)),
        down_events: &[1, 5, 9],
        replicas: 1,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "scaleDown with spec MinReplicas limitation with large pod policy and previous events",
        cur: 100,
        desired: 0,
        min: 5,
        down: Some((130, 120, 0, 0, 300)),
        down_events: &[1, 5, 9],
        replicas: 5,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "scaleDown with spec MinReplicas limitation with large percent policy and previous events",
        cur: 100,
        desired: 2,
        min: 5,
        down: Some((0, 0, 100, 120, 300)),
        down_events: &[1, 5, 9],
        replicas: 5,
        reason: TOO_FEW,
        ..RC
    },
    RulesCase {
        name: "scaleDown with pod policy limitation and previous events",
        cur: 100,
        desired: 2,
        down: Some((5, 120, 0, 0, 300)),
        down_events: &[1, 5, 9],
        replicas: 100,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with percent policy limitation and previous events",
        cur: 100,
        desired: 0,
        down: Some((0, 0, 50, 120, 300)),
        down_events: &[2, 4, 6],
        replicas: 56,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with percent policy and previous scale up and down events",
        cur: 10,
        desired: 1,
        down: Some((0, 0, 50, 180, 0)),
        up_events: &[2],
        down_events: &[4],
        replicas: 6,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with previous events preventing further scale down",
        cur: 100,
        desired: 0,
        down: Some((0, 0, 10, 120, 300)),
        down_events: &[10, 10, 10],
        replicas: 100,
        reason: DOWN_LIMIT,
        ..RC
    },
    RulesCase {
        name: "scaleDown with with previous events still allowing more scale down",
        cur: 10,
        desired: 5,
        down: Some((0, 0, 1000, 120, 300)),
        down_events: &[10, 10, 10],
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check 'outdated' flag for events for one behavior for up",
        cur: 100,
        desired: 200,
        up: Some((1000, 60, 0, 0, 0)),
        up_events: &[8, 12, 9, 11],
        replicas: 200,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check that events were not marked 'outdated' for two different policies in the behavior for up",
        cur: 100,
        desired: 200,
        up: Some((1000, 120, 100, 60, 0)),
        up_events: &[8, 12, 9, 11],
        replicas: 200,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check that events were marked 'outdated' for two different policies in the behavior for up",
        cur: 100,
        desired: 200,
        up: Some((1000, 30, 100, 60, 0)),
        up_events: &[8, 12, 9, 11],
        replicas: 200,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check 'outdated' flag for events for one behavior for down",
        cur: 100,
        desired: 5,
        down: Some((1000, 60, 0, 0, 300)),
        down_events: &[8, 12, 9, 11],
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check that events were not marked 'outdated' for two different policies in the behavior for down",
        cur: 100,
        desired: 5,
        down: Some((1000, 120, 100, 60, 300)),
        down_events: &[8, 12, 9, 11],
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
    RulesCase {
        name: "check that events were marked 'outdated' for two different policies in the behavior for down",
        cur: 100,
        desired: 5,
        down: Some((1000, 30, 100, 60, 300)),
        down_events: &[8, 12, 9, 11],
        replicas: 5,
        reason: WITHIN,
        ..RC
    },
];

#[test]
fn scaling_with_rules() {
    assert_eq!(SCALING_WITH_RULES.len(), 40);
    let g = |r: Gsr| gsr(r.0, r.1, r.2, r.3, r.4);
    for c in SCALING_WITH_RULES {
        let b = Behavior {
            scale_up: c.up.map_or_else(default_up, g),
            scale_down: c.down.map_or_else(default_down, g),
        };
        let s = HpaState::with_history(
            Some(vec![]),
            uniform_events(c.up_events, 120),
            uniform_events(c.down_events, 120),
        );
        assert_eq!(
            s.convert_with_behavior_rate(&b, c.min, c.max, c.cur, c.desired, NOW),
            (c.replicas, c.reason),
            "TestScalingWithRules / {:?}",
            c.name
        );
    }
}

/// HT `TestStoreScaleEvents`: each row runs for the scale-up list (10 → 15) and for the
/// scale-down list (10 → 5) with identical expectations.
#[test]
fn store_scale_events() {
    // (name, rules, previous (change, age s), → change in the last 60 s, → (change, outdated))
    type Row = (
        &'static str,
        Option<Gsr>,
        &'static [(i64, Millis)],
        i64,
        &'static [(i64, bool)],
    );
    let rows: &[Row] = &[
        ("empty entries with default behavior", None, &[], 0, &[]),
        (
            "empty entries with two-policy-behavior",
            Some((10, 60, 100, 60, 0)),
            &[],
            0,
            &[(5, false)],
        ),
        (
            "one outdated entry to be kept untouched without behavior",
            None,
            &[(7, 61)],
            0,
            &[(7, false)],
        ),
        (
            "one outdated entry to be replaced with behavior",
            Some((10, 60, 100, 60, 0)),
            &[(7, 61)],
            0,
            &[(5, false)],
        ),
        (
            "one actual entry to be not touched with behavior",
            Some((10, 60, 100, 60, 0)),
            &[(7, 58)],
            7,
            &[(7, false), (5, false)],
        ),
        (
            "two entries, one of them to be replaced",
            Some((10, 60, 0, 0, 0)),
            &[(7, 61), (6, 59)],
            6,
            &[(5, false), (6, false)],
        ),
        (
            "replace one entry, use policies with different periods",
            Some((10, 60, 100, 30, 0)),
            &[(8, 29), (6, 59), (7, 61), (9, 61)],
            14,
            &[(8, false), (6, false), (7, true), (5, false)],
        ),
        (
            "two entries, both actual",
            Some((10, 120, 100, 30, 0)),
            &[(7, 58), (6, 59)],
            13,
            &[(7, false), (6, false), (5, false)],
        ),
    ];
    assert_eq!(rows.len(), 8);
    for &(name, rules, prev, change, after) in rows {
        let prev: Vec<ScaleEvent> = prev
            .iter()
            .map(|&(c, age)| ScaleEvent {
                change: c,
                at: NOW - age * SEC,
                outdated: false,
            })
            .collect();
        let rules = rules.map(|r| gsr(r.0, r.1, r.2, r.3, r.4));
        for up in [true, false] {
            let dir = if up { "up" } else { "down" };
            let b = rules.clone().map(|r| {
                if up {
                    Behavior {
                        scale_up: r,
                        scale_down: default_down(),
                    }
                } else {
                    Behavior {
                        scale_up: default_up(),
                        scale_down: r,
                    }
                }
            });
            let mut s = if up {
                HpaState::with_history(Some(vec![]), prev.clone(), vec![])
            } else {
                HpaState::with_history(Some(vec![]), vec![], prev.clone())
            };
            assert_eq!(
                replicas_change_per_period(60, &prev, NOW),
                change,
                "TestStoreScaleEvents / {name:?} ({dir}): change in 60 s"
            );
            s.store_scale_event(b.as_ref(), 10, if up { 15 } else { 5 }, NOW);
            let (events, other) = if up {
                (s.scale_up_events(), s.scale_down_events())
            } else {
                (s.scale_down_events(), s.scale_up_events())
            };
            let got: Vec<(i64, bool)> = events.iter().map(|e| (e.change, e.outdated)).collect();
            assert_eq!(
                got, after,
                "TestStoreScaleEvents / {name:?} ({dir}): stored events"
            );
            assert!(
                other.is_empty(),
                "{name:?} ({dir}): other direction touched"
            );
        }
    }
}

/// HT `TestNormalizeDesiredReplicasWithBehavior` (`stabilizeRecommendationWithBehaviors`
/// only; a window the row does not set is 0).
#[test]
fn normalize_desired_replicas_with_behavior() {
    // (name, stored (value, age), current, desired, up window s, down window s,
    //  → stabilized, → stored values (None: not asserted upstream))
    type Row = (
        &'static str,
        &'static [(i64, Millis)],
        i64,
        i64,
        i64,
        i64,
        i64,
        Option<&'static [i64]>,
    );
    let rows: &[Row] = &[
        (
            "empty recommendations for scaling down",
            &[],
            100,
            5,
            0,
            0,
            5,
            Some(&[5]),
        ),
        (
            "simple scale down stabilization",
            &[(4, 2 * MIN), (5, MIN)],
            100,
            3,
            0,
            180,
            5,
            Some(&[4, 5, 3]),
        ),
        (
            "simple scale up stabilization",
            &[(4, 2 * MIN), (5, MIN)],
            1,
            7,
            300,
            0,
            4,
            Some(&[4, 5, 7]),
        ),
        (
            "no scale down stabilization",
            &[(1, 2 * MIN), (2, MIN)],
            100,
            3,
            300,
            0,
            3,
            Some(&[1, 2, 3]),
        ),
        (
            "no scale up stabilization",
            &[(4, 2 * MIN), (5, MIN)],
            1,
            3,
            0,
            300,
            3,
            Some(&[4, 5, 3]),
        ),
        (
            "no scale down stabilization, reuse recommendation element",
            &[(10, 10 * MIN), (9, 9 * MIN)],
            100,
            3,
            0,
            0,
            3,
            Some(&[10, 3]),
        ),
        (
            "no scale up stabilization, reuse recommendation element",
            &[(10, 10 * MIN), (9, 9 * MIN)],
            1,
            100,
            0,
            0,
            100,
            Some(&[10, 100]),
        ),
        (
            "scale down stabilization, reuse one of obsolete recommendation element",
            &[(10, 10 * MIN), (4, MIN), (5, 2 * MIN), (9, 9 * MIN)],
            100,
            3,
            0,
            180,
            5,
            Some(&[10, 4, 5, 3]),
        ),
        (
            "scale up stabilization, reuse one of obsolete recommendation element",
            &[(10, 100 * MIN), (6, MIN), (5, 2 * MIN), (9, 3 * MIN)],
            1,
            100,
            300,
            0,
            5,
            Some(&[100, 6, 5, 9]),
        ),
        (
            "scale up and down stabilization, do not scale up when prenormalized rec goes down",
            &[(2, 100 * MIN), (3, 3 * MIN)],
            2,
            1,
            300,
            300,
            2,
            None,
        ),
        (
            "scale up and down stabilization, do not scale down when prenormalized rec goes up",
            &[(2, 100 * MIN), (1, 3 * MIN)],
            2,
            3,
            300,
            300,
            2,
            None,
        ),
    ];
    assert_eq!(rows.len(), 11);
    for &(name, recs, cur, desired, up_w, down_w, want, stored) in rows {
        let recs = recs.iter().map(|&(v, age)| (v, NOW - age)).collect();
        let mut s = HpaState::with_history(Some(recs), vec![], vec![]);
        assert_eq!(
            s.stabilize_recommendation_with_behaviors(cur, desired, up_w, down_w, NOW),
            want,
            "TestNormalizeDesiredReplicasWithBehavior / {name:?}: stabilized"
        );
        if let Some(stored) = stored {
            let got: Vec<i64> = s.recommendations().unwrap().iter().map(|r| r.0).collect();
            assert_eq!(
                got, stored,
                "TestNormalizeDesiredReplicasWithBehavior / {name:?}: stored recommendations"
            );
        }
    }
}

// ----- supplementary checks (not upstream cases, not counted) ---------------------------------

/// Boundaries the upstream tables do not reach, from the strictness of Go's `Before`/`After` in
/// horizontal.go, and the scale-down fill-in rule of `calcPlainMetricReplicas` ("treat missing
/// pods as using exactly the target amount"), which no PodMetric row distinguishes.
#[test]
fn supplementary_boundaries() {
    // stabilizeRecommendation: a record exactly 5 min old is not before the cutoff: it counts.
    let mut s = HpaState::with_history(Some(vec![(9, NOW - 5 * MIN)]), vec![], vec![]);
    assert_eq!(s.stabilize_recommendation(3, NOW), 9);
    assert_eq!(s.recommendations().map(<[_]>::len), Some(2));
    // One millisecond older: excluded, and its slot is reused.
    let mut s = HpaState::with_history(Some(vec![(9, NOW - 5 * MIN - 1)]), vec![], vec![]);
    assert_eq!(s.stabilize_recommendation(3, NOW), 3);
    assert_eq!(s.recommendations(), Some(&[(3, NOW)][..]));
    // stabilizeRecommendationWithBehaviors: a record exactly at both cutoffs neither counts nor
    // is reusable.
    let mut s = HpaState::with_history(Some(vec![(9, NOW - MIN)]), vec![], vec![]);
    assert_eq!(
        s.stabilize_recommendation_with_behaviors(10, 3, 60, 60, NOW),
        3
    );
    assert_eq!(s.recommendations().map(<[_]>::len), Some(2));
    // markScaleEventsOutdated: an event exactly one longest period old is not outdated, so the
    // new event is appended; getReplicasChangePerPeriod does not count it either.
    let b = Behavior {
        scale_up: gsr(10, 60, 0, 0, 0),
        scale_down: default_down(),
    };
    let old = ScaleEvent {
        change: 7,
        at: NOW - MIN,
        outdated: false,
    };
    assert_eq!(replicas_change_per_period(60, &[old], NOW), 0);
    let mut s = HpaState::with_history(Some(vec![]), vec![old], vec![]);
    s.store_scale_event(Some(&b), 10, 15, NOW);
    let got: Vec<(i64, bool)> = s
        .scale_up_events()
        .iter()
        .map(|e| (e.change, e.outdated))
        .collect();
    assert_eq!(got, [(7, false), (5, false)]);
    // calcPlainMetricReplicas scale-down: 2 ready pods at 5000m, 2 missing, target 10000m:
    // ratio 0.5; missing at the target gives 30000 / 4 = 7500 → 0.75 → ceil(0.75 × 4) = 3.
    let groups = [
        PodGroup {
            class: PodClass::Ready,
            count: 2,
            value_total_m: 10_000,
            request_m: 0,
        },
        PodGroup {
            class: PodClass::Missing,
            count: 2,
            value_total_m: 0,
            request_m: 0,
        },
    ];
    assert_eq!(
        plain_metric_replicas(4, &groups, 10_000, Tolerances::default()),
        Ok((3, 5000))
    );
}

// ----- HT reconcile-level tests ----------------------------------------------------------------

/// One metric of an HT `testCase` (targets in milli-units, CPU in percent).
#[derive(Debug, Clone, Copy)]
enum HtMetric {
    /// `CPUTarget`: Resource cpu, Utilization.
    Cpu(i64),
    /// ContainerResource cpu, Utilization, of one container (both containers of an HT pod get
    /// half the pod's level and half its request, so which one does not matter).
    ContainerCpu(i64),
    /// Pods "qps", AverageValue.
    Pods(i64),
    /// Object, Value (`reportedLevels[0]`).
    ObjectValue(i64),
    /// Object, AverageValue (against `status.replicas`).
    ObjectAverage(i64),
    /// External, Value (sum of `reportedLevels`).
    ExternalValue(i64),
    /// External, AverageValue (against `status.replicas`).
    ExternalAverage(i64),
    /// A metric that cannot be computed (type "CheddarCheese", or an erroring metrics API).
    Invalid,
}

/// The controller's recommendation memory before the first reconcile.
#[derive(Debug, Clone, Copy)]
enum Recs {
    /// `nil`: the initial recommendation (spec replicas, now) is recorded on first sight.
    Nil,
    /// `[]`: no initial recommendation.
    Empty,
    /// Seeded records (value, age).
    Seeded(&'static [(i64, Millis)]),
}

/// An HT `testCase` (`prepareTestClient` conventions: pods = status replicas, or one per
/// `reportedCPURequests` entry; a pod request (default 1 core) is split into two containers of
/// `request / 2` and a level into two containers of `level / 2`, integer division; Ready's last
/// transition is the pod start time; samples are taken now with a 1 min window).
struct ReconcileCase {
    name: &'static str,
    min: i64,
    max: i64,
    spec: i64,
    status: i64,
    metrics: &'static [HtMetric],
    levels: &'static [i64],
    requests_m: Option<&'static [i64]>,
    pods: PodState,
    recs: Recs,
    behavior: fn() -> Option<Behavior>,
    desired: i64,
}

fn no_behavior() -> Option<Behavior> {
    None
}

/// `SetDefaults_HorizontalPodAutoscalerBehavior` of a behavior with only `scaleUp` set.
fn up_only(scale_up: ScalingRules) -> Option<Behavior> {
    Some(Behavior {
        scale_up,
        scale_down: default_down(),
    })
}

const RCASE: ReconcileCase = ReconcileCase {
    name: "",
    min: 2,
    max: 6,
    spec: 3,
    status: 3,
    metrics: &[HtMetric::Cpu(30)],
    levels: &[300, 500, 700],
    requests_m: None,
    pods: DEFAULT_PODS,
    recs: Recs::Nil,
    behavior: no_behavior,
    desired: 0,
};

const SCALE_DOWN_LEVELS: &[i64] = &[100, 300, 500, 250, 250];
const MIXED_POD: &[i64] = &[900, 1000, 1100];

/// HT reconcile-level tests that ksim models (Resource cpu Utilization, Pods, Object and
/// External metrics; HPAScaleToZero off).
const RECONCILE: &[ReconcileCase] = &[
    ReconcileCase {
        name: "TestScaleUp",
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpContainer",
        metrics: &[HtMetric::ContainerCpu(30)],
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpUnreadyLessScale",
        pods: PodState {
            readiness: &[false, true, true],
            ..DEFAULT_PODS
        },
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpHotCpuLessScale",
        pods: PodState {
            start: &[Hot, Cool, Cool],
            ..DEFAULT_PODS
        },
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpUnreadyNoScale",
        levels: &[400, 500, 700],
        pods: PodState {
            readiness: &[true, false, false],
            ..DEFAULT_PODS
        },
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpHotCpuNoScale",
        levels: &[400, 500, 700],
        pods: PodState {
            readiness: &[true, false, false],
            start: &[Cool, Hot, Hot],
            ..DEFAULT_PODS
        },
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpIgnoresFailedPods",
        spec: 2,
        status: 2,
        levels: &[500, 700],
        requests_m: Some(N4),
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpIgnoresDeletionPods",
        spec: 2,
        status: 2,
        levels: &[500, 700],
        requests_m: Some(N4),
        pods: PodState {
            readiness: &[true, true, false, false],
            phase: &[R_, R_, R_, R_],
            deleted: &[false, false, true, true],
            ..DEFAULT_PODS
        },
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpCM",
        metrics: &[HtMetric::Pods(15000)],
        levels: &[20000, 10000, 30000],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpCMUnreadyAndHotCpuNoLessScale",
        metrics: &[HtMetric::Pods(15000)],
        levels: &[50000, 10000, 30000],
        pods: PodState {
            readiness: &[true, true, false],
            start: &[Cool, Cool, Hot],
            ..DEFAULT_PODS
        },
        desired: 6,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpCMUnreadyandCpuHot",
        metrics: &[HtMetric::Pods(15000)],
        levels: &[50000, 15000, 30000],
        pods: PodState {
            readiness: &[false, true, false],
            start: &[Hot, Cool, Hot],
            ..DEFAULT_PODS
        },
        desired: 6,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpCMObject",
        metrics: &[HtMetric::ObjectValue(15000)],
        levels: &[20000],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpFromZeroCMObject (HPAScaleToZero off)",
        min: 0,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::ObjectValue(15000)],
        levels: &[20000],
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpFromZeroIgnoresToleranceCMObject (HPAScaleToZero off)",
        min: 0,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::ObjectValue(1000)],
        levels: &[1000],
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpPerPodCMObject",
        metrics: &[HtMetric::ObjectAverage(10000)],
        levels: &[40000],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpCMExternal",
        metrics: &[HtMetric::ExternalValue(6666)],
        levels: &[8600],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpPerPodCMExternal",
        metrics: &[HtMetric::ExternalAverage(2222)],
        levels: &[8600],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDown",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownContainerResource",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ContainerCpu(50)],
        levels: SCALE_DOWN_LEVELS,
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpOneMetricInvalid",
        metrics: &[HtMetric::Cpu(30), HtMetric::Invalid],
        levels: &[300, 400, 500],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpFromZeroOneMetricInvalid (HPAScaleToZero off)",
        min: 0,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::Cpu(30), HtMetric::Invalid],
        levels: &[300, 400, 500],
        recs: Recs::Empty,
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownStabilizeInitialSize",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        recs: Recs::Nil,
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownCM",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Pods(20000)],
        levels: &[12000; 5],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownCMObject",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ObjectValue(20000)],
        levels: &[12000],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownToZeroCMObject (HPAScaleToZero off)",
        min: 0,
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ObjectValue(20000)],
        levels: &[0],
        recs: Recs::Empty,
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownPerPodCMObject",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ObjectAverage(20000)],
        levels: &[60000],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownCMExternal",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ExternalValue(14400)],
        levels: &[8600],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownToZeroCMExternal (HPAScaleToZero off)",
        min: 0,
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ExternalValue(14400)],
        levels: &[0],
        recs: Recs::Empty,
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpFromZeroWithoutCondition (HPAScaleToZero off)",
        min: 0,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::ObjectValue(15000)],
        levels: &[20000],
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpFromZeroWhenMinReplicasIncreased (HPAScaleToZero off)",
        min: 2,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::ObjectValue(15000)],
        levels: &[10000],
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaledToZeroConditionHandledOnNormalRescale (HPAScaleToZero off)",
        min: 1,
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestManualScaleToZeroDisablesHPA (HPAScaleToZero off)",
        min: 1,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[],
        requests_m: Some(&[]),
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownPerPodCMExternal",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::ExternalAverage(3000)],
        levels: &[8600],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownIncludeUnreadyPods",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        pods: PodState {
            readiness: &[true, true, true, false, false],
            ..DEFAULT_PODS
        },
        recs: Recs::Empty,
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownIgnoreHotCpuPods",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        pods: PodState {
            start: &[Cool, Cool, Cool, Hot, Hot],
            ..DEFAULT_PODS
        },
        recs: Recs::Empty,
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownIgnoresFailedPods",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        requests_m: Some(N7),
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, F_, F_],
            ..DEFAULT_PODS
        },
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownIgnoresDeletionPods",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: SCALE_DOWN_LEVELS,
        requests_m: Some(N7),
        pods: PodState {
            readiness: &[true, true, true, true, true, false, false],
            phase: &[R_, R_, R_, R_, R_, R_, R_],
            deleted: &[false, false, false, false, false, true, true],
            ..DEFAULT_PODS
        },
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestTolerance",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[1010, 1030, 1020],
        requests_m: Some(MIXED_POD),
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConfigurableTolerance: Scaling up because of a 1% configurable tolerance",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[1010, 1030, 1020],
        requests_m: Some(MIXED_POD),
        behavior: || {
            up_only(ScalingRules {
                tolerance: Some(0.01),
                ..default_up()
            })
        },
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConfigurableTolerance: No scale-down because of a 90% configurable tolerance",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[300, 300, 300],
        behavior: || {
            Some(Behavior {
                scale_up: default_up(),
                scale_down: ScalingRules {
                    tolerance: Some(0.9),
                    ..default_down()
                },
            })
        },
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConfigurableTolerance: No scaling because of the large default tolerance",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[1010, 1030, 1020],
        requests_m: Some(MIXED_POD),
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestToleranceCM",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Pods(20000)],
        levels: &[20000, 20001, 21000],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestToleranceCMObject",
        min: 1,
        max: 5,
        metrics: &[HtMetric::ObjectValue(20000)],
        levels: &[20050],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestToleranceCMExternal",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::ExternalValue(8666)],
        levels: &[8600],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestTolerancePerPodCMObject",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::ObjectAverage(2200)],
        levels: &[8600],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestTolerancePerPodCMExternal",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::ExternalAverage(2200)],
        levels: &[8600],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMinReplicas",
        min: 2,
        max: 5,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[10, 95, 10],
        requests_m: Some(MIXED_POD),
        recs: Recs::Empty,
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestZeroMinReplicasDesiredZero",
        min: 0,
        max: 5,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[0, 0, 0],
        requests_m: Some(MIXED_POD),
        recs: Recs::Empty,
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMinReplicasDesiredZero",
        min: 2,
        max: 5,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[0, 0, 0],
        requests_m: Some(MIXED_POD),
        recs: Recs::Empty,
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestZeroReplicas",
        min: 3,
        max: 5,
        spec: 0,
        status: 0,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[],
        requests_m: Some(&[]),
        desired: 0,
        ..RCASE
    },
    ReconcileCase {
        name: "TestTooFewReplicas",
        min: 3,
        max: 5,
        spec: 2,
        status: 2,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[],
        requests_m: Some(&[]),
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestTooManyReplicas",
        min: 3,
        max: 5,
        spec: 10,
        status: 10,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[],
        requests_m: Some(&[]),
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMaxReplicas",
        min: 2,
        max: 5,
        metrics: &[HtMetric::Cpu(90)],
        levels: &[8000, 9500, 1000],
        requests_m: Some(MIXED_POD),
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        // Six metric entries for four pods: the extra two are not representable and do not
        // reach the fast path this case takes.
        name: "TestSuperfluousMetrics",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[4000, 9500, 3000, 7000, 3200, 2000],
        desired: 6,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMissingMetrics",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[400, 95],
        recs: Recs::Empty,
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestEmptyMetrics",
        spec: 4,
        status: 4,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestEmptyCPURequest",
        min: 1,
        max: 5,
        spec: 1,
        status: 1,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[200],
        requests_m: Some(&[]),
        desired: 1,
        ..RCASE
    },
    ReconcileCase {
        name: "TestEventCreated",
        min: 1,
        max: 5,
        spec: 1,
        status: 1,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[200],
        requests_m: Some(&[200]),
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestEventNotCreated",
        min: 1,
        max: 5,
        spec: 2,
        status: 2,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[200, 200],
        requests_m: Some(&[400, 400]),
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMissingReports",
        min: 1,
        max: 5,
        spec: 4,
        status: 4,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[200],
        requests_m: Some(&[200]),
        recs: Recs::Empty,
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestUpscaleCap",
        min: 1,
        max: 100,
        metrics: &[HtMetric::Cpu(10)],
        levels: &[100, 200, 300],
        requests_m: Some(&[100, 100, 100]),
        behavior: || up_only(gsr(0, 0, 700, 60, 0)),
        desired: 24,
        ..RCASE
    },
    ReconcileCase {
        name: "TestUpscaleCapGreaterThanMaxReplicas",
        min: 1,
        max: 20,
        metrics: &[HtMetric::Cpu(10)],
        levels: &[100, 200, 300],
        requests_m: Some(&[100, 100, 100]),
        behavior: || up_only(gsr(0, 0, 700, 60, 0)),
        desired: 20,
        ..RCASE
    },
    ReconcileCase {
        name: "TestMoreReplicasThanSpecNoScale",
        min: 1,
        max: 8,
        spec: 4,
        status: 5,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[500; 5],
        requests_m: Some(N5),
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConditionFailedGetMetrics (FailedGetResourceMetric)",
        min: 1,
        max: 100,
        metrics: &[HtMetric::Invalid],
        levels: &[100, 200, 300],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConditionFailedGetMetrics (FailedGetPodsMetric)",
        min: 1,
        max: 100,
        metrics: &[HtMetric::Invalid],
        levels: &[100, 200, 300],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConditionFailedGetMetrics (FailedGetObjectMetric)",
        min: 1,
        max: 100,
        metrics: &[HtMetric::Invalid],
        levels: &[100, 200, 300],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConditionFailedGetMetrics (FailedGetExternalMetric)",
        min: 1,
        max: 100,
        metrics: &[HtMetric::Invalid],
        levels: &[100, 200, 300],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestConditionInvalidSourceType",
        metrics: &[HtMetric::Invalid],
        desired: 3,
        ..RCASE
    },
    ReconcileCase {
        name: "TestNoBackoffUpscaleCM",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Pods(15000)],
        levels: &[20000, 10000, 30000],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestNoBackoffUpscaleCMNoBackoffCpu",
        min: 1,
        max: 5,
        metrics: &[HtMetric::Cpu(10), HtMetric::Pods(15000)],
        levels: &[20000, 10000, 30000],
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestStabilizeDownscale",
        min: 1,
        max: 5,
        spec: 4,
        status: 4,
        metrics: &[HtMetric::Cpu(100)],
        levels: &[50, 50, 50],
        requests_m: Some(&[100, 100, 100]),
        recs: Recs::Seeded(&[(10, 10 * MIN), (4, MIN)]),
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        // Per-pod requests 400, 200, 310, 290, 302, 298, 301, 299, 300, 300m (301 and 299
        // lose 1m each when split); target int32((1/(2 × 0.9) + 0.01) × 100) = 56.
        name: "TestComputedToleranceAlgImplementation (run 1)",
        min: 0,
        max: 1000,
        spec: 10,
        status: 10,
        metrics: &[HtMetric::Cpu(56)],
        levels: &[150; 10],
        requests_m: Some(&[400, 200, 310, 290, 302, 298, 301, 299, 300, 300]),
        recs: Recs::Empty,
        desired: 9,
        ..RCASE
    },
    ReconcileCase {
        // Target int32((1/(2 × 0.9) + 0.004) × 100) = 55.
        name: "TestComputedToleranceAlgImplementation (run 2)",
        min: 0,
        max: 1000,
        spec: 10,
        status: 10,
        metrics: &[HtMetric::Cpu(55)],
        levels: &[150; 10],
        requests_m: Some(&[400, 200, 310, 290, 302, 298, 301, 299, 300, 300]),
        recs: Recs::Empty,
        desired: 10,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpRCImmediately",
        spec: 1,
        status: 1,
        metrics: &[HtMetric::Invalid],
        levels: &[0, 0, 0, 0],
        requests_m: Some(N4),
        desired: 2,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleDownRCImmediately",
        max: 5,
        spec: 6,
        status: 6,
        metrics: &[HtMetric::Cpu(50)],
        levels: &[8000, 9500, 1000],
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestScaleUpOneMetricEmpty",
        metrics: &[HtMetric::Cpu(30), HtMetric::Invalid],
        levels: &[300, 400, 500],
        desired: 4,
        ..RCASE
    },
    ReconcileCase {
        name: "TestNoScaleDownOneMetricInvalid",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50), HtMetric::Invalid],
        levels: SCALE_DOWN_LEVELS,
        recs: Recs::Empty,
        desired: 5,
        ..RCASE
    },
    ReconcileCase {
        name: "TestNoScaleDownOneMetricEmpty",
        spec: 5,
        status: 5,
        metrics: &[HtMetric::Cpu(50), HtMetric::Invalid],
        levels: SCALE_DOWN_LEVELS,
        recs: Recs::Empty,
        desired: 5,
        ..RCASE
    },
];

/// The metric proposals of one HT case, computed as `computeReplicasForMetric` would.
fn ht_proposals(c: &ReconcileCase, tol: Tolerances) -> Vec<Result<i64, ksim::hpa::MetricError>> {
    use ksim::hpa::MetricError;
    let n = c.requests_m.map_or(c.status, |r| r.len() as i64);
    let pods = fake_pods(n, &c.pods);
    // The HT fixture's Ready transition is the start time and samples are taken now.
    let timing_ht = |p: &FakePod, has: bool| PodTiming {
        ready: Some((p.ready, p.start)),
        metric: has.then_some((NOW, MIN)),
        ..timing(p, has, MIN)
    };
    let ready = ready_pods_count(&pods);
    c.metrics
        .iter()
        .map(|m| match *m {
            HtMetric::Cpu(target) => {
                let groups: Vec<PodGroup> = pods
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let value = c.levels.get(i).map(|l| 2 * (l / 2));
                        let req = c.requests_m.map_or(1000, |r| r[i]);
                        let class = classify_with(
                            &timing_ht(p, value.is_some()),
                            NOW,
                            true,
                            TEST_CPU_INIT,
                            TEST_READINESS_DELAY,
                        );
                        group_of(class, value.unwrap_or(0), 2 * (req / 2))
                    })
                    .collect();
                resource_replicas(c.spec, &groups, target, tol).map(|p| p.replicas)
            }
            HtMetric::ContainerCpu(target) => {
                let groups: Vec<PodGroup> = pods
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let value = c.levels.get(i).map(|l| l / 2);
                        let req = c.requests_m.map_or(1000, |r| r[i]);
                        let class = classify_with(
                            &timing_ht(p, value.is_some()),
                            NOW,
                            true,
                            TEST_CPU_INIT,
                            TEST_READINESS_DELAY,
                        );
                        group_of(class, value.unwrap_or(0), req / 2)
                    })
                    .collect();
                resource_replicas(c.spec, &groups, target, tol).map(|p| p.replicas)
            }
            HtMetric::Pods(target) => {
                let groups: Vec<PodGroup> = pods
                    .iter()
                    .enumerate()
                    .map(|(i, p)| {
                        let value = c.levels.get(i).copied();
                        let class = classify_with(
                            &timing_ht(p, value.is_some()),
                            NOW,
                            false,
                            TEST_CPU_INIT,
                            TEST_READINESS_DELAY,
                        );
                        group_of(class, value.unwrap_or(0), 0)
                    })
                    .collect();
                plain_metric_replicas(c.spec, &groups, target, tol).map(|r| r.0)
            }
            HtMetric::ObjectValue(target) => {
                object_value_replicas(c.spec, n, ready, c.levels[0], target, tol)
            }
            HtMetric::ObjectAverage(target) => {
                Ok(object_average_replicas(c.status, c.levels[0], target, tol))
            }
            HtMetric::ExternalValue(target) => external_value_replicas(
                c.spec,
                n,
                ready,
                external_value_total(c.levels),
                target,
                tol,
            ),
            HtMetric::ExternalAverage(target) => Ok(external_average_replicas(
                c.status,
                external_per_pod_total(c.levels),
                target,
                tol,
            )),
            HtMetric::Invalid => Err(MetricError::NoMetrics),
        })
        .collect()
}

#[test]
fn reconcile_level() {
    assert_eq!(RECONCILE.len(), 78);
    for c in RECONCILE {
        let behavior = (c.behavior)();
        let tol = Tolerances::for_behavior(behavior.as_ref());
        let h = hpa(c.min, c.max, behavior);
        let mut s = match c.recs {
            Recs::Nil => HpaState::default(),
            Recs::Empty => HpaState::with_history(Some(vec![]), vec![], vec![]),
            Recs::Seeded(r) => HpaState::with_history(
                Some(r.iter().map(|&(v, age)| (v, NOW - age)).collect()),
                vec![],
                vec![],
            ),
        };
        let proposals = ht_proposals(c, tol);
        let d = s.reconcile(
            &h,
            c.spec,
            || ksim::hpa::combine_proposals(c.spec, &proposals),
            NOW,
        );
        assert_eq!(d.desired, c.desired, "{}: desired replicas", c.name);
        assert_eq!(d.rescale, c.desired != c.spec, "{}: rescale", c.name);
    }
}
