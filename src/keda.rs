//! The KEDA operator's own scaling: between zero (or `idleReplicaCount`) and the generated
//! HPA's range. Scaling from 1 to N is the HPA's ([`crate::hpa`]).
//!
//! Source: kedacore/keda v2.20 `pkg/scaling/scale_handler.go` (`checkScalers`: the object is
//! active when any trigger is; `aws-sqs-queue` is active when its value is strictly above
//! `activationQueueLength`; cpu and memory triggers are always active) and
//! `pkg/scaling/executor/scale_scaledobjects.go` (`RequestScale`), every `pollingInterval`:
//! - Active: remember the time (`lastActiveTime`); with 0 replicas, or an `idleReplicaCount`
//!   and fewer replicas than `minReplicaCount`, scale to `max(minReplicaCount, 1)`.
//! - Not active, above `idleReplicaCount` (or above 0 with `minReplicaCount` 0): once
//!   `cooldownPeriod` has passed since the last active poll (strictly; before any active poll,
//!   `initialCooldownPeriod` since creation), scale to `idleReplicaCount`, else to
//!   `minReplicaCount`.
//! - Not active, no `idleReplicaCount` and below `minReplicaCount`: scale to it at once.

use crate::engine::Millis;
use crate::scenario::Keda;

/// KEDA's memory of one ScaledObject.
#[derive(Debug, Clone, Default)]
pub struct KedaState {
    /// Time of the last poll that found a trigger active.
    pub last_active: Option<Millis>,
}

impl KedaState {
    /// One poll at `now` with `current` replicas; `active` tells whether a trigger is active.
    /// Returns the replica count KEDA sets, if it changes it.
    pub fn poll(&mut self, k: &Keda, now: Millis, current: i64, active: bool) -> Option<i64> {
        if active {
            self.last_active = Some(now);
            if current == 0 || (k.idle_replicas.is_some() && current < k.min_replicas) {
                let to = k.min_replicas.max(1);
                return (to != current).then_some(to);
            }
            return None;
        }
        let over_idle = match k.idle_replicas {
            Some(idle) => current > idle,
            None => current > 0 && k.min_replicas == 0,
        };
        if over_idle {
            let cooled = match self.last_active {
                Some(t) => t + k.cooldown_ms < now,
                None => k.initial_cooldown_ms < now,
            };
            return cooled.then_some(k.idle_replicas.unwrap_or(k.min_replicas));
        }
        if k.idle_replicas.is_none() && current < k.min_replicas {
            return Some(k.min_replicas);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keda(min: i64, idle: Option<i64>) -> Keda {
        Keda {
            name: "k".into(),
            polling_ms: 30_000,
            cooldown_ms: 300_000,
            initial_cooldown_ms: 0,
            min_replicas: min,
            max_replicas: 10,
            idle_replicas: idle,
            triggers: Vec::new(),
        }
    }

    #[test]
    fn activates_from_zero_and_cools_down() {
        let k = keda(0, None);
        let mut st = KedaState::default();
        assert_eq!(st.poll(&k, 30_000, 0, true), Some(1));
        assert_eq!(st.poll(&k, 60_000, 3, true), None, "1↔N is the HPA's");
        // Inactive: only after the cooldown since the last active poll.
        assert_eq!(st.poll(&k, 90_000, 3, false), None);
        assert_eq!(
            st.poll(&k, 360_000, 3, false),
            None,
            "exactly 300 s is not past it"
        );
        assert_eq!(st.poll(&k, 390_000, 3, false), Some(0));
    }

    #[test]
    fn min_replicas_and_idle_count() {
        let k = keda(2, None);
        let mut st = KedaState::default();
        assert_eq!(st.poll(&k, 1, 0, true), Some(2));
        assert_eq!(st.poll(&k, 400_000, 2, false), None, "never below min");
        assert_eq!(st.poll(&k, 400_001, 1, false), Some(2));
        let k = keda(3, Some(1));
        let mut st = KedaState::default();
        assert_eq!(
            st.poll(&k, 1, 5, false),
            Some(1),
            "initial cooldown 0 has passed"
        );
        assert_eq!(st.poll(&k, 30_001, 1, false), None);
        assert_eq!(st.poll(&k, 60_001, 1, true), Some(3));
        assert_eq!(st.poll(&k, 90_001, 3, true), None);
    }
}
