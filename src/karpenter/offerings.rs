//! Offerings and requirement compatibility between pods, NodePools and instance types.
//!
//! An offering is an (instance type, zone, capacity type) with a price (aws
//! `pkg/providers/instancetype/offering`). A NodePool admits an offering when its requirements
//! on the offering's well-known labels hold. A pod's node selector and required affinity then
//! narrow that set: keys the offering defines must match it; keys the NodePool defines (template
//! labels, requirements) must intersect; a key nobody defines only satisfies `NotIn` and
//! `DoesNotExist` (kubernetes-sigs/karpenter `pkg/scheduling/requirements.go` `Compatible` with
//! `AllowUndefinedWellKnownLabels`).

use crate::cloud::catalog::{Catalog, InstanceType};
use crate::cloud::pricing::CapacityType;
use crate::k8s::labels::{
    Labels, Operator, Requirement, SelectorTerm, TaintEffect, tolerates_all_hard,
};
use crate::resources::Resources;
use crate::scenario::{NodePool, PodTemplate, Scenario};

/// Label keys whose value is fixed by the offering itself.
pub const OFFERING_KEYS: &[&str] = &[
    "node.kubernetes.io/instance-type",
    "kubernetes.io/arch",
    "kubernetes.io/os",
    "karpenter.k8s.aws/instance-family",
    "karpenter.k8s.aws/instance-category",
    "karpenter.k8s.aws/instance-generation",
    "karpenter.k8s.aws/instance-size",
    "karpenter.k8s.aws/instance-cpu",
    "karpenter.k8s.aws/instance-memory",
    "karpenter.k8s.aws/instance-local-nvme",
    "topology.kubernetes.io/zone",
    "topology.kubernetes.io/region",
    "karpenter.sh/capacity-type",
];

/// True for keys fixed by the offering.
pub fn is_offering_key(key: &str) -> bool {
    OFFERING_KEYS.contains(&key)
}

/// Well-known keys that may be undefined on a NodeClaim without failing a pod's `In`
/// (`AllowUndefinedWellKnownLabels`); they are resolved when the node launches.
fn is_well_known(key: &str) -> bool {
    is_offering_key(key)
        || key == "karpenter.sh/nodepool"
        || key == "kubernetes.io/hostname"
        || key == "topology.k8s.aws/zone-id"
}

/// The labels an offering gives a node.
pub fn offering_labels(it: &InstanceType, zone: &str, region: &str, ct: CapacityType) -> Labels {
    let mut l: Labels = it
        .labels()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    l.insert("topology.kubernetes.io/zone".into(), zone.to_string());
    l.insert("topology.kubernetes.io/region".into(), region.to_string());
    l.insert("karpenter.sh/capacity-type".into(), ct.as_str().to_string());
    l
}

/// True when the pool's requirements on offering keys hold for these offering labels.
pub fn pool_admits(pool: &NodePool, offering: &Labels) -> bool {
    pool.requirements
        .iter()
        .filter(|r| is_offering_key(&r.key))
        .all(|r| r.matches_labels(offering))
}

/// The labels a NodePool puts on every node besides the offering labels: template labels,
/// single-valued `In` requirements on other keys, and `karpenter.sh/nodepool`.
pub fn pool_node_labels(pool: &NodePool) -> Labels {
    let mut l = pool.labels.clone();
    for r in &pool.requirements {
        if !is_offering_key(&r.key) && r.op == Operator::In && r.values.len() == 1 {
            l.insert(r.key.clone(), r.values[0].clone());
        }
    }
    l.insert("karpenter.sh/nodepool".into(), pool.name.clone());
    l
}

/// The NodePool's *open* keys: non-offering keys its requirements constrain without fixing a
/// single label value (several `In` values, `NotIn`, `Exists`, `Gt`, `Lt`, ...), each with the
/// pool's requirements on it. A NodeClaim narrows them with its pods' requirements and its node
/// gets one value that satisfies them all (KC `pkg/scheduling/requirements.go`,
/// `nodeclaimtemplate.go`: labels come from `Requirement.Any()`).
pub fn open_keys(pool: &NodePool) -> Vec<(String, Vec<Requirement>)> {
    let fixed = pool_node_labels(pool);
    let mut out: Vec<(String, Vec<Requirement>)> = Vec::new();
    for r in &pool.requirements {
        if is_offering_key(&r.key) || fixed.contains_key(&r.key) {
            continue;
        }
        match out.iter_mut().find(|(k, _)| *k == r.key) {
            Some(e) => e.1.push(r.clone()),
            None => out.push((r.key.clone(), vec![r.clone()])),
        }
    }
    out
}

/// The label a node gets for a key constrained by `reqs`: `None` when they cannot all hold,
/// `Some(None)` when the label must be absent, else `Some(Some(value))`: the smallest `In`
/// value that satisfies every requirement, the smallest integer within the numeric bounds that
/// no `NotIn` excludes, or a generated value for `Exists`/`NotIn` (upstream generates a random
/// one; ksim's is fixed so runs stay deterministic).
pub fn open_key_value(reqs: &[&Requirement]) -> Option<Option<String>> {
    let absent = reqs.iter().any(|r| r.op == Operator::DoesNotExist);
    if absent {
        return reqs.iter().all(|r| r.matches(None)).then_some(None);
    }
    if let Some(first_in) = reqs.iter().find(|r| r.op == Operator::In) {
        let mut candidates: Vec<&String> = first_in
            .values
            .iter()
            .filter(|v| reqs.iter().all(|r| r.matches(Some(v))))
            .collect();
        candidates.sort();
        return candidates.first().map(|v| Some((*v).clone()));
    }
    let numeric = reqs.iter().any(|r| {
        matches!(
            r.op,
            Operator::Gt | Operator::Lt | Operator::Gte | Operator::Lte
        )
    });
    if numeric {
        let bound = |r: &Requirement| r.values[0].parse::<i64>().unwrap_or(0);
        let lo = reqs
            .iter()
            .filter_map(|r| match r.op {
                Operator::Gt => Some(bound(r).saturating_add(1)),
                Operator::Gte => Some(bound(r)),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let excluded = reqs
            .iter()
            .filter(|r| r.op == Operator::NotIn)
            .map(|r| r.values.len() as i64)
            .sum::<i64>();
        return (lo..=lo.saturating_add(excluded))
            .map(|v| v.to_string())
            .find(|v| reqs.iter().all(|r| r.matches(Some(v))))
            .map(Some);
    }
    let generated = "ksim-generated".to_string();
    reqs.iter()
        .all(|r| r.matches(Some(&generated)))
        .then_some(Some(generated))
}

/// Does a pod requirement on a non-offering key hold for a NodePool? The pool defines the key
/// through its labels or requirements; otherwise only `NotIn`/`DoesNotExist` (and undefined
/// well-known keys) pass.
fn pod_req_ok_for_pool(req: &Requirement, pool: &NodePool, pool_labels: &Labels) -> bool {
    if let Some(v) = pool_labels.get(&req.key) {
        return req.matches(Some(v));
    }
    let pool_reqs: Vec<&Requirement> = pool
        .requirements
        .iter()
        .filter(|r| r.key == req.key)
        .collect();
    if pool_reqs.is_empty() {
        return matches!(req.op, Operator::NotIn | Operator::DoesNotExist)
            || is_well_known(&req.key);
    }
    // The pool constrains the key without fixing a single value: some value allowed by the pool
    // must also satisfy the pod. Candidate values are the pool's `In` values.
    let candidates: Vec<&String> = pool_reqs
        .iter()
        .filter(|r| r.op == Operator::In)
        .flat_map(|r| r.values.iter())
        .collect();
    if candidates.is_empty() {
        // e.g. pool `Exists` or `NotIn`: any value the pod names that the pool permits.
        return match req.op {
            Operator::In => req
                .values
                .iter()
                .any(|v| pool_reqs.iter().all(|r| r.matches(Some(v)))),
            Operator::DoesNotExist => pool_reqs.iter().all(|r| r.matches(None)),
            _ => true,
        };
    }
    candidates
        .iter()
        .any(|v| pool_reqs.iter().all(|r| r.matches(Some(v))) && req.matches(Some(v)))
}

/// One way Karpenter tries to place a pod: the node selector, one required-affinity term and
/// the heaviest remaining preferred term, as `Preferences.Relax` steps through them
/// (`pkg/controllers/provisioning/scheduling/preferences.go`).
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// Requirements the node must satisfy.
    pub requirements: Vec<Requirement>,
    /// The required part of them (nodeSelector and the required term, without the preferred
    /// term): only these narrow topology-spread domains (`scheduler.go`, "Only required node
    /// affinities can actually reduce pod domains").
    pub required: Vec<Requirement>,
    /// Whether `ScheduleAnyway` topology spread constraints are still enforced.
    pub soft_spread: bool,
    /// Whether preferred pod anti-affinity terms are still enforced (as required).
    pub soft_anti_affinity: bool,
    /// Whether `PreferNoSchedule` taints are tolerated (the last relaxation step).
    pub tolerate_prefer_no_schedule: bool,
}

/// The relaxation sequence for a template: required terms are dropped from the front first,
/// then preferred pod anti-affinity terms, then preferred node-affinity terms heaviest first,
/// then `ScheduleAnyway` spread constraints, then `PreferNoSchedule` taints are tolerated
/// (`Preferences.Relax`). Upstream drops one preferred anti-affinity term and one
/// `ScheduleAnyway` constraint per step; ksim drops each kind together.
pub fn variants(t: &PodTemplate) -> Vec<Variant> {
    let mut preferred: Vec<&(i64, SelectorTerm)> = t.preferred_terms.iter().collect();
    // Heaviest first; a stable sort keeps input order among equal weights.
    preferred.sort_by_key(|p| std::cmp::Reverse(p.0));
    let n_req = t.required_terms.len().max(1);
    let mut out = Vec::new();
    let has_soft = t.spread.iter().any(|c| !c.hard);
    let has_soft_anti = t.anti_affinity.iter().any(|a| a.weight.is_some());
    let build =
        |req_idx: usize, pref: Option<&SelectorTerm>, anti: bool, soft: bool, tolerate: bool| {
            let mut reqs = t.node_selector.clone();
            if let Some(term) = t.required_terms.get(req_idx) {
                reqs.extend(term.requirements.iter().cloned());
            }
            let required = reqs.clone();
            if let Some(p) = pref {
                reqs.extend(p.requirements.iter().cloned());
            }
            Variant {
                requirements: reqs,
                required,
                soft_spread: soft,
                soft_anti_affinity: anti,
                tolerate_prefer_no_schedule: tolerate,
            }
        };
    let first_pref = preferred.first().map(|p| &p.1);
    for i in 0..n_req {
        out.push(build(i, first_pref, has_soft_anti, has_soft, false));
    }
    if has_soft_anti {
        out.push(build(n_req - 1, first_pref, false, has_soft, false));
    }
    for p in preferred.iter().skip(1) {
        out.push(build(n_req - 1, Some(&p.1), false, has_soft, false));
    }
    if !preferred.is_empty() {
        out.push(build(n_req - 1, None, false, has_soft, false));
    }
    out.push(build(n_req - 1, None, false, false, false));
    out.push(build(n_req - 1, None, false, false, true));
    out.dedup();
    out
}

/// True when the pod (in this variant) tolerates the pool's taints. Karpenter treats every
/// effect as hard, `PreferNoSchedule` included, until the last relaxation
/// (`pkg/scheduling/taints.go`).
pub fn tolerates_pool(t: &PodTemplate, v: &Variant, pool: &NodePool) -> bool {
    pool.taints.iter().all(|taint| {
        (v.tolerate_prefer_no_schedule && taint.effect == TaintEffect::PreferNoSchedule)
            || crate::k8s::labels::tolerated(&t.tolerations, taint)
    })
}

/// True when a variant's requirements hold for a pool and an offering's labels.
pub fn variant_admits(
    v: &Variant,
    pool: &NodePool,
    pool_labels: &Labels,
    offering: &Labels,
) -> bool {
    v.requirements.iter().all(|r| {
        if is_offering_key(&r.key) {
            r.matches_labels(offering)
        } else {
            pod_req_ok_for_pool(r, pool, pool_labels)
        }
    })
}

/// Instance types a NodePool admits in at least one zone and capacity type.
pub fn pool_types(pool: &NodePool, catalog: &Catalog, zones: &[String]) -> Vec<usize> {
    let mut out = Vec::new();
    for (i, it) in catalog.types().iter().enumerate() {
        let admitted = zones.iter().any(|z| {
            [CapacityType::Spot, CapacityType::OnDemand]
                .iter()
                .any(|ct| pool_admits(pool, &offering_labels(it, z, "", *ct)))
        });
        if admitted {
            out.push(i);
        }
    }
    out
}

/// Requests of the DaemonSet pods that would run on a node with these labels and taints.
pub fn daemon_overhead(
    s: &Scenario,
    labels: &Labels,
    taints: &[crate::k8s::labels::Taint],
) -> Resources {
    let mut total = Resources::ZERO;
    for ds in &s.daemonsets {
        if ds.template.matches_node_labels(labels)
            && tolerates_all_hard(&ds.template.tolerations, taints)
        {
            total += ds.template.requests;
        }
    }
    total
}

/// Can a pod of this template ever run somewhere: on a managed node group node, or on some
/// instance type of some NodePool (any relaxation variant), after DaemonSet overhead?
pub fn template_can_ever_fit(s: &Scenario, t: &PodTemplate) -> bool {
    for g in &s.node_groups {
        let it = s.catalog.get(g.instance_type);
        let mut labels = offering_labels(it, &s.zones[0], &s.region, g.capacity_type);
        labels.extend(g.labels.clone());
        labels.insert("eks.amazonaws.com/nodegroup".into(), g.name.clone());
        let alloc = it.allocatable(&g.kubelet);
        let overhead = daemon_overhead(s, &labels, &g.taints);
        if t.matches_node_labels(&labels)
            && tolerates_all_hard(&t.tolerations, &g.taints)
            && (t.requests + overhead).fits_in(&alloc)
        {
            return true;
        }
    }
    let vs = variants(t);
    for pool in &s.node_pools {
        let pool_labels = pool_node_labels(pool);
        let kubelet = &s.node_classes[pool.node_class].kubelet;
        for v in &vs {
            if !tolerates_pool(t, v, pool) {
                continue;
            }
            for it in s.catalog.types() {
                for z in &s.zones {
                    for ct in [CapacityType::Spot, CapacityType::OnDemand] {
                        let labels = offering_labels(it, z, &s.region, ct);
                        if !pool_admits(pool, &labels)
                            || !variant_admits(v, pool, &pool_labels, &labels)
                        {
                            continue;
                        }
                        let mut node_labels = labels.clone();
                        node_labels.extend(pool_labels.clone());
                        let overhead = daemon_overhead(s, &node_labels, &pool.taints);
                        if (t.requests + overhead).fits_in(&it.allocatable(kubelet)) {
                            return true;
                        }
                    }
                }
            }
        }
    }
    false
}
