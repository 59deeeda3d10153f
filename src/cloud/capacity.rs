//! EC2 capacity: which launches succeed, and how EC2 Fleet chooses among the offerings it is
//! given.
//!
//! Karpenter's AWS provider launches every NodeClaim with one `CreateFleet` call of type
//! `instant` (aws/karpenter-provider-aws `pkg/providers/instance/instance.go`, `types.go`). The
//! call carries up to 60 instance types, each in every allowed zone (the *overrides*, one per
//! offering), for a single capacity type, with the allocation strategy `lowest-price` for
//! on-demand and `price-capacity-optimized` for spot. EC2 answers with one instance, or with
//! errors for the pools it could not fill; Karpenter marks every offering named in an
//! insufficient-capacity error unavailable for 3 minutes (`pkg/cache/cache.go`
//! `UnavailableOfferingsTTL`; error codes in `pkg/errors/errors.go`
//! `unfulfillableCapacityErrorCodes`), and when no instance launched, the NodeClaim is deleted
//! (kubernetes-sigs/karpenter `pkg/controllers/nodeclaim/lifecycle/launch.go`) and its pods are
//! provisioned again.
//!
//! EC2's capacity is not observable, so ksim models it per offering with scenario rules
//! ([`CapacityRule`]): a maximum number of instances that may run at once, a probability that a
//! launch attempt into the pool finds no capacity, both optionally limited to a time window, a
//! probability that a launched instance never registers, and a spot interruption frequency.
//! Without rules every pool is unlimited, and each spot pool has the default interruption
//! frequency of its instance type: by default the Spot Instance Advisor's bucket for the type in
//! the scenario's region ([`super::spot_advisor`]), or a user's table; none with
//! `spotInterruptionDefaults: none` or in a region the table lacks.
//!
//! The allocation strategies (AWS EC2 Fleet documentation, "Allocation strategies for Spot
//! Instances" and "On-Demand"):
//! - `lowest-price`: pools are tried cheapest first.
//! - `price-capacity-optimized`: EC2 first identifies the pools with the highest capacity
//!   availability, then takes the cheapest of those. ksim scores availability as
//!   `1 − interruption frequency` and keeps the pools within [`PCO_TIER_WIDTH`] of the best
//!   score (one Spot Instance Advisor frequency bucket), then tries them cheapest first, then the
//!   remaining pools in the same order. AWS does not publish the exact algorithm; this is ksim's
//!   model of it.
//!
//! Ties in price are broken at random from the spot-allocation stream. Each failed attempt is an
//! error for that offering; EC2 moves on to the next pool within the same call.

use crate::cloud::pricing::CapacityType;
use crate::engine::Millis;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;

/// Width of the best availability tier for `price-capacity-optimized`: 0.05, the width of a Spot
/// Instance Advisor interruption-frequency bucket ("<5%", "5-10%", ...).
pub const PCO_TIER_WIDTH: f64 = 0.05;

/// How long an offering stays unavailable after an insufficient-capacity error:
/// `UnavailableOfferingsTTL` (aws/karpenter-provider-aws `pkg/cache/cache.go`), 3 minutes.
pub const UNAVAILABLE_OFFERING_TTL_MS: Millis = 180_000;

/// A scenario rule about the capacity of some offerings.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityRule {
    /// Instance type indices it applies to (empty: every type).
    pub types: Vec<usize>,
    /// Zone indices it applies to (empty: every zone).
    pub zones: Vec<usize>,
    /// Capacity type it applies to (`None`: both).
    pub capacity_type: Option<CapacityType>,
    /// Start of the window in which `max_nodes` and `unavailable_probability` hold.
    pub from_ms: Millis,
    /// End of that window (exclusive; `None`: to the end of the run).
    pub until_ms: Option<Millis>,
    /// At most this many instances of each matching offering may run at once.
    pub max_nodes: Option<i64>,
    /// Probability that one launch attempt into a matching offering finds no capacity.
    pub unavailable_probability: f64,
    /// Probability that a launched instance never registers as a node (bad AMI, bootstrap
    /// failure); Karpenter deletes its NodeClaim after the 15 min registration timeout.
    pub registration_failure_probability: f64,
    /// Spot interruption frequency: the fraction of instances reclaimed over a month, as in the
    /// Spot Instance Advisor. It drives both the interruption notices of matching spot nodes
    /// and `price-capacity-optimized`; on-demand offerings ignore it.
    pub interruption_frequency: Option<f64>,
}

impl CapacityRule {
    fn matches(&self, ti: usize, zi: usize, ct: CapacityType) -> bool {
        (self.types.is_empty() || self.types.contains(&ti))
            && (self.zones.is_empty() || self.zones.contains(&zi))
            && self.capacity_type.is_none_or(|c| c == ct)
    }

    fn active(&self, now: Millis) -> bool {
        now >= self.from_ms && self.until_ms.is_none_or(|u| now < u)
    }
}

/// The capacity facts of one offering at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PoolCapacity {
    /// Most instances that may run at once (`None`: unlimited).
    pub max_nodes: Option<i64>,
    /// Probability that an attempt finds no capacity.
    pub unavailable_probability: f64,
    /// Probability that a launched instance never registers.
    pub registration_failure_probability: f64,
    /// Spot interruption frequency (0 for on-demand, and for spot when unknown).
    pub interruption_frequency: f64,
}

/// EC2 Fleet allocation strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocationStrategy {
    /// On-demand: cheapest pool first.
    LowestPrice,
    /// Spot: most available pools, then the cheapest of them.
    PriceCapacityOptimized,
}

impl AllocationStrategy {
    /// The strategy Karpenter asks for with a capacity type (no node overlays).
    pub fn for_capacity_type(ct: CapacityType) -> AllocationStrategy {
        match ct {
            CapacityType::Spot => AllocationStrategy::PriceCapacityOptimized,
            CapacityType::OnDemand => AllocationStrategy::LowestPrice,
        }
    }
}

/// One override of a `CreateFleet` call: an offering and its price.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Override {
    /// Offering index (see `karpenter::OfferingTable`).
    pub offering: usize,
    /// Instance type index.
    pub instance_type: usize,
    /// Zone index.
    pub zone: usize,
    /// Price in USD per hour.
    pub price: f64,
}

/// What a `CreateFleet` call returned.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FleetOutcome {
    /// The override an instance launched with, if any.
    pub launched: Option<Override>,
    /// Overrides that failed with an insufficient-capacity error, in attempt order.
    pub errors: Vec<Override>,
}

/// The scenario's capacity rules.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CapacityModel {
    /// Rules; every matching rule applies.
    pub rules: Vec<CapacityRule>,
    /// Spot interruption frequency of each instance type (by catalog index) when no rule gives
    /// one: the Spot Instance Advisor defaults of the scenario's region (see
    /// [`super::spot_advisor`]); empty for none.
    pub default_interruption_frequency: Vec<f64>,
}

impl CapacityModel {
    /// The combined capacity facts of an offering at `now`: the smallest `max_nodes` and the
    /// combined probabilities (`1 − Π(1 − p)`) of every matching active rule; registration
    /// failure and interruption frequency hold regardless of the window. A spot offering's
    /// interruption frequency is that of the last matching rule that gives one, else the
    /// default of its instance type; an on-demand offering's is 0.
    pub fn pool(&self, ti: usize, zi: usize, ct: CapacityType, now: Millis) -> PoolCapacity {
        let mut out = PoolCapacity {
            max_nodes: None,
            unavailable_probability: 0.0,
            registration_failure_probability: 0.0,
            interruption_frequency: 0.0,
        };
        let (mut keep, mut register) = (1.0, 1.0);
        let mut ruled_frequency = None;
        for r in self.rules.iter().filter(|r| r.matches(ti, zi, ct)) {
            register *= 1.0 - r.registration_failure_probability;
            ruled_frequency = r.interruption_frequency.or(ruled_frequency);
            if r.active(now) {
                keep *= 1.0 - r.unavailable_probability;
                if let Some(m) = r.max_nodes {
                    out.max_nodes = Some(out.max_nodes.map_or(m, |x: i64| x.min(m)));
                }
            }
        }
        out.unavailable_probability = 1.0 - keep;
        out.registration_failure_probability = 1.0 - register;
        if ct == CapacityType::Spot {
            out.interruption_frequency = ruled_frequency.unwrap_or_else(|| {
                self.default_interruption_frequency
                    .get(ti)
                    .copied()
                    .unwrap_or(0.0)
            });
        }
        out
    }

    /// True when no rule can ever make a launch fail (launches then draw no random numbers).
    pub fn is_unlimited(&self) -> bool {
        self.rules
            .iter()
            .all(|r| r.max_nodes.is_none() && r.unavailable_probability == 0.0)
    }

    /// Simulates one `CreateFleet` call of type `instant` for one instance.
    ///
    /// `running(offering)` is the number of instances of the offering running now. Overrides are
    /// attempted in the strategy's order until one has capacity.
    pub fn create_fleet(
        &self,
        ct: CapacityType,
        overrides: &[Override],
        running: &dyn Fn(usize) -> i64,
        now: Millis,
        rng: &mut ChaCha8Rng,
    ) -> FleetOutcome {
        let order = self.attempt_order(ct, overrides, now, rng);
        let mut out = FleetOutcome::default();
        let unlimited = self.is_unlimited();
        for o in order {
            if unlimited {
                out.launched = Some(o);
                return out;
            }
            let pool = self.pool(o.instance_type, o.zone, ct, now);
            let full = pool.max_nodes.is_some_and(|m| running(o.offering) >= m);
            let short = !full
                && pool.unavailable_probability > 0.0
                && rng.random::<f64>() < pool.unavailable_probability;
            if full || short {
                out.errors.push(o);
            } else {
                out.launched = Some(o);
                return out;
            }
        }
        out
    }

    /// The order in which EC2 tries the overrides.
    pub fn attempt_order(
        &self,
        ct: CapacityType,
        overrides: &[Override],
        now: Millis,
        rng: &mut ChaCha8Rng,
    ) -> Vec<Override> {
        // Random tie-breaking: a random key per override, drawn in input order.
        let mut keyed: Vec<(f64, u64, Override)> = overrides
            .iter()
            .map(|o| (o.price, rng.random(), *o))
            .collect();
        keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let by_price: Vec<Override> = keyed.into_iter().map(|k| k.2).collect();
        match AllocationStrategy::for_capacity_type(ct) {
            AllocationStrategy::LowestPrice => by_price,
            AllocationStrategy::PriceCapacityOptimized => {
                let score = |o: &Override| {
                    1.0 - self
                        .pool(o.instance_type, o.zone, ct, now)
                        .interruption_frequency
                };
                let best = by_price.iter().map(score).fold(f64::MIN, f64::max);
                let (mut first, mut rest): (Vec<Override>, Vec<Override>) = (vec![], vec![]);
                for o in by_price {
                    if score(&o) >= best - PCO_TIER_WIDTH - 1e-12 {
                        first.push(o);
                    } else {
                        rest.push(o);
                    }
                }
                first.extend(rest);
                first
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn o(offering: usize, ti: usize, zi: usize, price: f64) -> Override {
        Override {
            offering,
            instance_type: ti,
            zone: zi,
            price,
        }
    }

    fn rule() -> CapacityRule {
        CapacityRule {
            types: vec![],
            zones: vec![],
            capacity_type: None,
            from_ms: 0,
            until_ms: None,
            max_nodes: None,
            unavailable_probability: 0.0,
            registration_failure_probability: 0.0,
            interruption_frequency: None,
        }
    }

    #[test]
    fn lowest_price_launches_the_cheapest() {
        let m = CapacityModel::default();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let ov = [o(0, 0, 0, 0.3), o(1, 1, 0, 0.1), o(2, 2, 0, 0.2)];
        let out = m.create_fleet(CapacityType::OnDemand, &ov, &|_| 0, 0, &mut rng);
        assert_eq!(out.launched, Some(ov[1]));
        assert!(out.errors.is_empty());
    }

    #[test]
    fn full_pools_error_and_the_next_cheapest_launches() {
        let m = CapacityModel {
            rules: vec![CapacityRule {
                types: vec![1],
                max_nodes: Some(2),
                ..rule()
            }],
            ..Default::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let ov = [o(0, 0, 0, 0.3), o(1, 1, 0, 0.1), o(2, 2, 0, 0.2)];
        let out = m.create_fleet(
            CapacityType::Spot,
            &ov,
            &|i| (i == 1) as i64 * 2,
            0,
            &mut rng,
        );
        assert_eq!(out.launched, Some(ov[2]));
        assert_eq!(out.errors, vec![ov[1]]);
        // Below the limit the cheapest launches.
        let out = m.create_fleet(CapacityType::Spot, &ov, &|_| 1, 0, &mut rng);
        assert_eq!(out.launched, Some(ov[1]));
    }

    #[test]
    fn windows_and_certain_shortage() {
        let m = CapacityModel {
            rules: vec![CapacityRule {
                capacity_type: Some(CapacityType::Spot),
                from_ms: 1_000,
                until_ms: Some(2_000),
                unavailable_probability: 1.0,
                ..rule()
            }],
            ..Default::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let ov = [o(0, 0, 0, 0.3), o(2, 1, 0, 0.1)];
        let during = m.create_fleet(CapacityType::Spot, &ov, &|_| 0, 1_500, &mut rng);
        assert_eq!(during.launched, None);
        assert_eq!(during.errors, vec![ov[1], ov[0]]);
        let after = m.create_fleet(CapacityType::Spot, &ov, &|_| 0, 2_000, &mut rng);
        assert_eq!(after.launched, Some(ov[1]));
        // On-demand is not affected.
        let od = m.create_fleet(CapacityType::OnDemand, &ov, &|_| 0, 1_500, &mut rng);
        assert_eq!(od.launched, Some(ov[1]));
    }

    #[test]
    fn price_capacity_optimized_prefers_available_pools_then_price() {
        let m = CapacityModel {
            rules: vec![
                CapacityRule {
                    types: vec![1],
                    interruption_frequency: Some(0.2),
                    ..rule()
                },
                CapacityRule {
                    types: vec![0, 2],
                    interruption_frequency: Some(0.03),
                    ..rule()
                },
            ],
            ..Default::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let ov = [o(0, 0, 0, 0.3), o(2, 1, 0, 0.1), o(4, 2, 0, 0.2)];
        let order = m.attempt_order(CapacityType::Spot, &ov, 0, &mut rng);
        assert_eq!(order, vec![ov[2], ov[0], ov[1]]);
        // On-demand ignores interruption frequency.
        let order = m.attempt_order(CapacityType::OnDemand, &ov, 0, &mut rng);
        assert_eq!(order, vec![ov[1], ov[2], ov[0]]);
    }

    /// Defaults apply to spot offerings that no rule gives a frequency; rules override them.
    #[test]
    fn default_interruption_frequencies_and_overrides() {
        let m = CapacityModel {
            rules: vec![CapacityRule {
                types: vec![1],
                interruption_frequency: Some(0.0),
                ..rule()
            }],
            default_interruption_frequency: vec![0.075, 0.225],
        };
        assert_eq!(
            m.pool(0, 0, CapacityType::Spot, 0).interruption_frequency,
            0.075
        );
        assert_eq!(
            m.pool(1, 0, CapacityType::Spot, 0).interruption_frequency,
            0.0
        );
        assert_eq!(
            m.pool(0, 0, CapacityType::OnDemand, 0)
                .interruption_frequency,
            0.0
        );
        assert_eq!(
            m.pool(5, 0, CapacityType::Spot, 0).interruption_frequency,
            0.0
        );
    }

    #[test]
    fn probabilities_combine() {
        let m = CapacityModel {
            rules: vec![
                CapacityRule {
                    unavailable_probability: 0.5,
                    registration_failure_probability: 0.5,
                    ..rule()
                },
                CapacityRule {
                    unavailable_probability: 0.5,
                    max_nodes: Some(3),
                    ..rule()
                },
                CapacityRule {
                    max_nodes: Some(5),
                    ..rule()
                },
            ],
            ..Default::default()
        };
        let p = m.pool(0, 0, CapacityType::Spot, 0);
        assert_eq!(p.unavailable_probability, 0.75);
        assert_eq!(p.interruption_frequency, 0.0);
        assert_eq!(p.registration_failure_probability, 0.5);
        assert_eq!(p.max_nodes, Some(3));
    }

    #[test]
    fn equal_prices_are_broken_at_random_but_deterministically() {
        let m = CapacityModel::default();
        let ov = [o(0, 0, 0, 0.1), o(2, 0, 1, 0.1), o(4, 0, 2, 0.1)];
        let pick = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            m.create_fleet(CapacityType::Spot, &ov, &|_| 0, 0, &mut rng)
                .launched
                .map(|x| x.zone)
        };
        assert_eq!(pick(7), pick(7));
        let zones: std::collections::BTreeSet<_> = (0..40).map(pick).collect();
        assert_eq!(zones.len(), 3);
    }
}
