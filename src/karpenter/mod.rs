//! Karpenter: provisioning (batching, bin-packing, launch) and disruption (emptiness and
//! consolidation). See `docs/karpenter.md` for the model and its upstream sources.

pub mod disruption;
pub mod offerings;
pub mod provisioning;

use crate::cloud::pricing::CapacityType;
use crate::resources::Resources;
use crate::scenario::Scenario;
use offerings::{offering_labels, pool_admits, pool_node_labels};

/// A small fixed-size bit set.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Bits(Vec<u64>);

impl Bits {
    /// An empty set able to hold `n` bits.
    pub fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64).max(1)])
    }
    /// Sets a bit.
    pub fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    /// Clears a bit.
    pub fn clear(&mut self, i: usize) {
        self.0[i / 64] &= !(1 << (i % 64));
    }
    /// Tests a bit.
    pub fn get(&self, i: usize) -> bool {
        self.0[i / 64] & (1 << (i % 64)) != 0
    }
    /// Intersection.
    pub fn and(&self, o: &Bits) -> Bits {
        Bits(self.0.iter().zip(&o.0).map(|(a, b)| a & b).collect())
    }
    /// True when no bit is set.
    pub fn is_empty(&self) -> bool {
        self.0.iter().all(|w| *w == 0)
    }
    /// Indices of set bits, ascending.
    pub fn iter(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().enumerate().flat_map(|(wi, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                if w == 0 {
                    return None;
                }
                let b = w.trailing_zeros() as usize;
                w &= w - 1;
                Some(wi * 64 + b)
            })
        })
    }
}

/// Every (instance type, zone, capacity type) with its price, indexed densely:
/// `index = (type × zones + zone) × 2 + capacity`, capacity 0 = spot, 1 = on-demand.
#[derive(Debug, Clone)]
pub struct OfferingTable {
    /// Number of zones.
    pub zones: usize,
    /// Number of instance types.
    pub types: usize,
    /// Price per offering (USD/h), `None` when the table has no price (not offered).
    pub price: Vec<Option<f64>>,
}

impl OfferingTable {
    /// Builds the table from the scenario's catalog, zones and prices.
    pub fn new(s: &Scenario) -> OfferingTable {
        let zones = s.zones.len();
        let types = s.catalog.types().len();
        let mut price = vec![None; types * zones * 2];
        for (ti, it) in s.catalog.types().iter().enumerate() {
            for (zi, z) in s.zones.iter().enumerate() {
                for ct in [CapacityType::Spot, CapacityType::OnDemand] {
                    price[Self::idx_of(zones, ti, zi, ct)] = s.prices.price(&it.name, z, ct);
                }
            }
        }
        OfferingTable {
            zones,
            types,
            price,
        }
    }

    fn idx_of(zones: usize, ti: usize, zi: usize, ct: CapacityType) -> usize {
        (ti * zones + zi) * 2 + usize::from(ct == CapacityType::OnDemand)
    }

    /// Index of an offering.
    pub fn idx(&self, ti: usize, zi: usize, ct: CapacityType) -> usize {
        Self::idx_of(self.zones, ti, zi, ct)
    }

    /// Number of offerings.
    pub fn len(&self) -> usize {
        self.price.len()
    }

    /// True when there are no offerings.
    pub fn is_empty(&self) -> bool {
        self.price.is_empty()
    }

    /// (type, zone, capacity type) of an offering index.
    pub fn decode(&self, i: usize) -> (usize, usize, CapacityType) {
        let ct = if i % 2 == 1 {
            CapacityType::OnDemand
        } else {
            CapacityType::Spot
        };
        let tz = i / 2;
        (tz / self.zones, tz % self.zones, ct)
    }
}

/// Per-NodePool facts computed once per run.
#[derive(Debug, Clone)]
pub struct PoolInfo {
    /// Offerings the pool's requirements admit and that have a price.
    pub admitted: Bits,
    /// Labels every node of the pool carries besides the offering labels.
    pub node_labels: crate::k8s::labels::Labels,
    /// Allocatable per instance type (with the pool's EC2NodeClass kubelet settings).
    pub allocatable: Vec<Resources>,
    /// Capacity per instance type (for limits).
    pub capacity: Vec<Resources>,
    /// DaemonSet overhead per instance type.
    pub daemon_overhead: Vec<Resources>,
}

impl PoolInfo {
    /// Computes the facts for every pool.
    pub fn all(s: &Scenario, table: &OfferingTable) -> Vec<PoolInfo> {
        s.node_pools
            .iter()
            .map(|pool| {
                let kubelet = &s.node_classes[pool.node_class].kubelet;
                let node_labels = pool_node_labels(pool);
                let mut admitted = Bits::new(table.len());
                let mut allocatable = Vec::new();
                let mut capacity = Vec::new();
                let mut daemon_overhead = Vec::new();
                for (ti, it) in s.catalog.types().iter().enumerate() {
                    allocatable.push(it.allocatable(kubelet));
                    let mut cap = it.capacity(kubelet);
                    cap.pods = 0;
                    capacity.push(cap);
                    // A DaemonSet counts for a type when it could run on any of the type's
                    // offerings (`it.Requirements.Intersects`), as v1.14's overhead groups do.
                    let mut overhead = Resources::ZERO;
                    for ds in &s.daemonsets {
                        let fits_some = s.zones.iter().any(|z| {
                            [CapacityType::Spot, CapacityType::OnDemand]
                                .iter()
                                .any(|ct| {
                                    let mut labels = offering_labels(it, z, &s.region, *ct);
                                    labels.extend(node_labels.clone());
                                    ds.template.matches_node_labels(&labels)
                                })
                        });
                        if fits_some
                            && crate::k8s::labels::tolerates_all_hard(
                                &ds.template.tolerations,
                                &pool.taints,
                            )
                        {
                            overhead += ds.template.requests;
                        }
                    }
                    daemon_overhead.push(overhead);
                    for (zi, z) in s.zones.iter().enumerate() {
                        for ct in [CapacityType::Spot, CapacityType::OnDemand] {
                            let i = table.idx(ti, zi, ct);
                            if table.price[i].is_some()
                                && pool_admits(pool, &offering_labels(it, z, &s.region, ct))
                            {
                                admitted.set(i);
                            }
                        }
                    }
                }
                PoolInfo {
                    admitted,
                    node_labels,
                    allocatable,
                    capacity,
                    daemon_overhead,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_ops() {
        let mut a = Bits::new(130);
        a.set(0);
        a.set(64);
        a.set(129);
        let mut b = Bits::new(130);
        b.set(64);
        b.set(129);
        b.set(5);
        assert_eq!(a.and(&b).iter().collect::<Vec<_>>(), vec![64, 129]);
        a.clear(64);
        assert!(!a.get(64));
        assert!(Bits::new(10).is_empty());
    }
}
