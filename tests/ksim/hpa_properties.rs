//! Property tests of `HpaState::reconcile` over random sequences of metric proposals and sync
//! times, each property derived from the upstream rules (kubernetes/kubernetes
//! `pkg/controller/podautoscaler/horizontal.go`):
//!
//! - bounds: once `spec.replicas` is within `[minReplicas, maxReplicas]` it stays there;
//! - no behavior (`normalizeDesiredReplicas`): the result is the largest recommendation recorded
//!   in the last 5 minutes (the new one included), limited to `[min, min(max, max(2 × current,
//!   4))]`; in particular no scale-down happens while a recommendation at or above the current
//!   count is inside the window;
//! - behavior (`normalizeDesiredReplicasWithBehaviors`): every scale-up is at most what the
//!   policies allow counted from the replicas at the start of each policy's period (the most
//!   permissive policy for `selectPolicy: Max`, the least for `Min`), every scale-down likewise,
//!   `Disabled` forbids the direction, and the result never overshoots the proposal.

use crate::hpa_upstream::hpa;
use ksim::engine::Millis;
use ksim::hpa::{HpaState, calculate_scale_up_limit, convert_with_rules};
use ksim::scenario::{Behavior, ScalingPolicy, ScalingRules, SelectPolicy};
use proptest::prelude::*;

/// Start of every run, far enough from 0 that `now − period` never underflows.
const T0: Millis = 10_000_000;
const WINDOW_MS: Millis = 300_000;

fn arb_policy() -> impl Strategy<Value = ScalingPolicy> {
    prop_oneof![
        (1i64..=10, 1i64..=120)
            .prop_map(|(value, period_s)| ScalingPolicy::Pods { value, period_s }),
        (1i64..=200, 1i64..=120)
            .prop_map(|(value, period_s)| ScalingPolicy::Percent { value, period_s }),
    ]
}

fn arb_rules() -> impl Strategy<Value = ScalingRules> {
    (
        prop_oneof![
            Just(SelectPolicy::Max),
            Just(SelectPolicy::Min),
            Just(SelectPolicy::Disabled)
        ],
        prop::collection::vec(arb_policy(), 1..=3),
        prop::option::of(0i64..=120),
    )
        .prop_map(|(select_policy, policies, window)| ScalingRules {
            // Seconds; multiples of 5 so windows often end exactly on a sync.
            stabilization_window_s: window.map(|w| w / 5 * 5),
            select_policy,
            policies: policies
                .into_iter()
                .map(|p| match p {
                    ScalingPolicy::Pods { value, period_s } => ScalingPolicy::Pods {
                        value,
                        period_s: (period_s / 5 * 5).max(1),
                    },
                    ScalingPolicy::Percent { value, period_s } => ScalingPolicy::Percent {
                        value,
                        period_s: (period_s / 5 * 5).max(1),
                    },
                })
                .collect(),
            tolerance: None,
        })
}

fn arb_behavior() -> impl Strategy<Value = Behavior> {
    (arb_rules(), arb_rules()).prop_map(|(scale_up, scale_down)| Behavior {
        scale_up,
        scale_down,
    })
}

/// Sync steps: time since the previous sync (0 to `8 × grid`, on a grid so that windows and
/// periods end exactly on a sync now and then) and the metric proposal (`None`: metrics
/// invalid).
fn arb_steps(grid: Millis) -> impl Strategy<Value = Vec<(Millis, Option<i64>)>> {
    prop::collection::vec(
        (0u64..=8, prop::option::weighted(0.9, 0i64..=150)).prop_map(move |(k, p)| (k * grid, p)),
        1..80,
    )
}

/// Replicas after every change made at or before `t` (a change at exactly `now − period` is
/// outside the period, as `getReplicasChangePerPeriod` keeps only timestamps after the cutoff).
fn replicas_at(history: &[(Millis, i64)], t: i128) -> i64 {
    history
        .iter()
        .take_while(|(at, _)| (*at as i128) <= t)
        .last()
        .map(|h| h.1)
        .expect("history starts before every query")
}

/// What one policy allows, counted from `start` (the replicas at the beginning of its period).
fn policy_up(p: &ScalingPolicy, start: i64) -> i64 {
    match *p {
        ScalingPolicy::Pods { value, .. } => start + value,
        ScalingPolicy::Percent { value, .. } => {
            (start as f64 * (1.0 + value as f64 / 100.0)).ceil() as i64
        }
    }
}

fn policy_down(p: &ScalingPolicy, start: i64) -> i64 {
    match *p {
        ScalingPolicy::Pods { value, .. } => start - value,
        ScalingPolicy::Percent { value, .. } => {
            (start as f64 * (1.0 - value as f64 / 100.0)) as i32 as i64
        }
    }
}

/// The per-policy limits at `now` given the replica history.
fn limits(
    rules: &ScalingRules,
    history: &[(Millis, i64)],
    now: Millis,
    f: fn(&ScalingPolicy, i64) -> i64,
) -> Vec<i64> {
    rules
        .policies
        .iter()
        .map(|p| {
            let start = replicas_at(history, now as i128 - p.period_s() as i128 * 1000);
            f(p, start)
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// `minReplicas ≤ spec.replicas ≤ maxReplicas` is preserved by every reconcile, with or
    /// without behavior and with invalid metrics.
    #[test]
    fn replicas_stay_within_bounds(
        min in 1i64..=5,
        span in 0i64..=60,
        start in 0i64..=60,
        behavior in prop::option::of(arb_behavior()),
        steps in arb_steps(5_000),
    ) {
        let max = min + span;
        let h = hpa(min, max, behavior);
        let mut cur = min + start.min(span);
        let mut s = HpaState::default();
        let mut now = T0;
        for (dt, p) in steps {
            now += dt;
            let d = s.reconcile(&h, cur, || p, now);
            prop_assert_eq!(d.rescale, d.desired != cur);
            prop_assert!(
                (min..=max).contains(&d.desired),
                "{} outside [{}, {}] at {} from {} with proposal {:?}", d.desired, min, max, now, cur, p
            );
            cur = d.desired;
        }
    }

    /// Without behavior the result is the maximum recommendation in the last 5 minutes (the
    /// initial `spec.replicas` recorded on first sight included), limited to
    /// `[min, min(max, max(2 × current, 4))]`; a higher recommendation in the window blocks any
    /// scale-down, and invalid metrics change nothing and record nothing.
    #[test]
    fn no_behavior_scale_down_waits_for_the_window(
        min in 1i64..=5,
        span in 0i64..=100,
        start in 0i64..=100,
        steps in arb_steps(15_000),
    ) {
        let max = min + span;
        let h = hpa(min, max, None);
        let mut cur = min + start.min(span);
        let mut s = HpaState::default();
        let mut now = T0;
        // Every recommendation the controller records: (value, time).
        let mut recorded: Vec<(i64, Millis)> = vec![];
        for (i, (dt, p)) in steps.into_iter().enumerate() {
            now += dt;
            if i == 0 {
                recorded.push((cur, now));
            }
            let d = s.reconcile(&h, cur, || p, now);
            let Some(p) = p else {
                prop_assert_eq!(d.desired, cur);
                prop_assert!(!d.rescale);
                continue;
            };
            let desired = p.max(0);
            let cutoff = now as i128 - WINDOW_MS as i128;
            let window_max = recorded
                .iter()
                .filter(|(_, at)| *at as i128 >= cutoff)
                .map(|r| r.0)
                .fold(desired, i64::max);
            recorded.push((desired, now));
            let max_allowed = max.min(calculate_scale_up_limit(cur));
            let want = if window_max < min {
                min
            } else {
                window_max.min(max_allowed)
            };
            prop_assert_eq!(
                d.desired, want,
                "at {} from {}: window max {}, proposal {}", now, cur, window_max, desired
            );
            if window_max >= cur {
                prop_assert!(d.desired >= cur, "scaled down under a higher recommendation");
            }
            cur = d.desired;
        }
    }

    /// With behavior, every change respects the rate policies over each policy's period, a
    /// `Disabled` direction never moves, and the result lies between the current count and the
    /// proposal (limited to `[min, max]`).
    #[test]
    fn behavior_rates_hold_over_every_period(
        min in 1i64..=5,
        span in 0i64..=200,
        start in 0i64..=200,
        behavior in arb_behavior(),
        steps in arb_steps(5_000),
    ) {
        let max = min + span;
        let h = hpa(min, max, Some(behavior.clone()));
        let mut cur = min + start.min(span);
        let mut s = HpaState::default();
        let mut now = T0;
        // (time of change, replicas after it); the initial count is in force from the start.
        let mut history: Vec<(Millis, i64)> = vec![(0, cur)];
        for (dt, p) in steps {
            now += dt;
            let d = s.reconcile(&h, cur, || p, now);
            let new = d.desired;
            if let Some(p) = p {
                let desired = p.max(0);
                let lo = cur.min(desired.max(min));
                let hi = cur.max(desired.min(max));
                prop_assert!(
                    (lo..=hi).contains(&new),
                    "{} overshoots: current {}, proposal {}", new, cur, desired
                );
            } else {
                prop_assert_eq!(new, cur);
            }
            if new > cur {
                let up = &behavior.scale_up;
                let allowed = limits(up, &history, now, policy_up);
                let bound = match up.select_policy {
                    SelectPolicy::Disabled => cur,
                    SelectPolicy::Max => *allowed.iter().max().unwrap(),
                    SelectPolicy::Min => *allowed.iter().min().unwrap(),
                };
                prop_assert!(
                    new <= bound.max(cur),
                    "scale-up {} → {} at {} exceeds {:?} (policy limits {:?})",
                    cur, new, now, up.select_policy, allowed
                );
            } else if new < cur {
                let down = &behavior.scale_down;
                let allowed = limits(down, &history, now, policy_down);
                let bound = match down.select_policy {
                    SelectPolicy::Disabled => cur,
                    SelectPolicy::Max => *allowed.iter().min().unwrap(),
                    SelectPolicy::Min => *allowed.iter().max().unwrap(),
                };
                prop_assert!(
                    new >= bound.min(cur),
                    "scale-down {} → {} at {} exceeds {:?} (policy limits {:?})",
                    cur, new, now, down.select_policy, allowed
                );
            }
            if new != cur {
                history.push((now, new));
            }
            cur = new;
        }
    }

    /// `convertDesiredReplicasWithRules` for any inputs, current below `minReplicas` included:
    /// `desired < min` gives `min` before the upper limit `min(max, max(2 × current, 4))` is
    /// applied.
    #[test]
    fn convert_with_rules_checks_min_first(
        current in 0i64..=50,
        desired in 0i64..=200,
        min in 0i64..=40,
        span in 0i64..=100,
    ) {
        let max = min + span;
        let upper = max.min((2 * current).max(4));
        let want = if desired < min { min } else { desired.min(upper) };
        prop_assert_eq!(convert_with_rules(current, desired, min, max), want);
    }
}
