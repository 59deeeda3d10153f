//! Karpenter provisioning: the batch window, the scheduling simulation (bin-packing) and the
//! AWS launch decision.
//!
//! Sources: kubernetes-sigs/karpenter v1.14.1 `pkg/controllers/provisioning/` (`batcher.go`,
//! `provisioner.go`, `scheduling/scheduler.go`, `scheduling/queue.go`,
//! `scheduling/nodeclaim.go`, `scheduling/existingnode.go`, `scheduling/topologygroup.go`) and
//! aws/karpenter-provider-aws v1.14.1 `pkg/providers/instance/instance.go` and `filter/filter.go`.
//!
//! - Every solve re-packs *all* provisionable pods; pods land on in-flight capacity again only
//!   because existing nodes are tried first.
//! - Pods are ordered by CPU request, then memory request (both descending), then creation
//!   time, then UID. Each pod tries, in order: existing nodes (initialized first, then by name;
//!   first fit), NodeClaims created earlier in this solve (fewest pods first), a new NodeClaim
//!   from the NodePools in weight order (ties by name, descending). On failure one preference is
//!   relaxed and the pod retried; a pod that still fails is requeued and the solve ends when a
//!   full pass schedules nothing.
//! - A new NodeClaim keeps every instance type that can still hold its pods plus DaemonSet
//!   overhead and has an available offering; price plays no part in packing.
//! - NodePool limits: types whose capacity exceeds what remains are dropped, and the largest
//!   remaining capacity is subtracted when a NodeClaim is created (`subtractMax`). As upstream
//!   (kubernetes-sigs/karpenter#2915), `limits.nodes` is only checked against existing nodes.
//! - Launch: types ordered by their cheapest available offering; metal dropped unless nothing
//!   else remains; when both capacity types are allowed, spot offerings dearer than the cheapest
//!   on-demand offering are dropped; the 60 cheapest types are kept; spot is used if any spot
//!   offering remains, else on-demand; the cheapest offering of that capacity type is launched
//!   (ties broken at random from the spot-allocation stream), which models `lowest-price` and,
//!   without a per-pool capacity model, `price-capacity-optimized`.

use super::offerings::{Variant, tolerates_pool, variant_admits, variants};
use super::{Bits, OfferingTable, PoolInfo};
use crate::cloud::pricing::CapacityType;
use crate::cluster::{Cluster, NodeId, NodeOwner, NodeState, PodId};
use crate::engine::Millis;
use crate::k8s::labels::TaintEffect;
use crate::resources::Resources;
use crate::scenario::Scenario;
use crate::scheduler::Topology;
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::collections::{BTreeSet, HashMap};

/// Upstream `MaxInstanceTypes` in the core scheduler.
pub const CORE_MAX_INSTANCE_TYPES: usize = 600;
/// The AWS provider's `maxInstanceTypes` per CreateFleet.
pub const AWS_MAX_INSTANCE_TYPES: usize = 60;
/// Nomination window: `max(2 × BATCH_MAX_DURATION, 10 s)`.
pub fn nomination_ms(batch_max_ms: Millis) -> Millis {
    (2 * batch_max_ms).max(10_000)
}

const ZONE_KEY: &str = "topology.kubernetes.io/zone";
const HOSTNAME_KEY: &str = "kubernetes.io/hostname";

/// A NodeClaim produced by a solve.
#[derive(Debug, Clone)]
pub struct Claim {
    /// NodePool index.
    pub pool: usize,
    /// Offerings still allowed.
    pub allowed: Bits,
    /// Instance types that still fit.
    pub types: Bits,
    /// Sum of the pods' requests (pods included), without DaemonSet overhead.
    pub total: Resources,
    /// Pods placed on it.
    pub pods: Vec<PodId>,
    /// Pods per workload (hostname spreading).
    per_workload: Vec<(usize, u32)>,
}

/// The result of a solve.
#[derive(Debug, Clone, Default)]
pub struct Solution {
    /// Pods placed on existing (or in-flight) nodes.
    pub on_existing: Vec<(PodId, NodeId)>,
    /// New NodeClaims.
    pub claims: Vec<Claim>,
    /// Pods that could not be placed.
    pub unschedulable: Vec<PodId>,
}

/// The launch decision for a NodeClaim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Launch {
    /// Instance type.
    pub instance_type: usize,
    /// Zone index.
    pub zone: usize,
    /// Capacity type.
    pub capacity_type: CapacityType,
    /// Price (USD/h).
    pub price: f64,
}

/// Options a solve may restrict.
#[derive(Debug, Clone, Default)]
pub struct SolveOptions {
    /// Nodes the simulation must not use (consolidation candidates).
    pub exclude: Vec<NodeId>,
    /// Pods that may not land on nodes still inside their `consolidateAfter` window
    /// (Karpenter v1.14, kubernetes-sigs/karpenter#3006).
    pub restricted_pods: BTreeSet<PodId>,
    /// Whether new NodeClaims may be created.
    pub allow_new: bool,
}

/// The batch window (`batcher.go`).
#[derive(Debug, Clone, Default)]
pub struct Batcher {
    open: bool,
    start: Millis,
    last: Millis,
}

impl Batcher {
    /// Registers a trigger (a new provisionable pod). Returns when the window would close.
    pub fn trigger(&mut self, now: Millis, idle: Millis, max: Millis) -> Millis {
        if !self.open {
            self.open = true;
            self.start = now;
        }
        self.last = now;
        self.close_at(idle, max)
    }

    /// When the open window closes: after `idle` without triggers, or `max` after it opened.
    pub fn close_at(&self, idle: Millis, max: Millis) -> Millis {
        (self.last + idle).min(self.start + max)
    }

    /// True while a window is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Closes the window.
    pub fn close(&mut self) {
        self.open = false;
    }
}

/// Provisioning state and caches.
#[derive(Debug)]
pub struct Provisioner {
    /// Offerings.
    pub table: OfferingTable,
    /// Per-pool facts.
    pub pools: Vec<PoolInfo>,
    /// Pools in try order.
    pub pool_order: Vec<usize>,
    /// Relaxation variants per workload.
    pub variants: Vec<Vec<Variant>>,
    allowed_cache: HashMap<(usize, usize, usize), Option<Bits>>,
    shape_compat: HashMap<(usize, usize, u32), bool>,
    /// Offerings marked unavailable until the given time (insufficient capacity cache).
    pub unavailable_until: Vec<Millis>,
    /// The batch window.
    pub batcher: Batcher,
    rng: ChaCha8Rng,
}

impl Provisioner {
    /// Builds the provisioner for a scenario.
    pub fn new(s: &Scenario, rng: ChaCha8Rng) -> Provisioner {
        let table = OfferingTable::new(s);
        let pools = PoolInfo::all(s, &table);
        let mut pool_order: Vec<usize> = (0..s.node_pools.len()).collect();
        // OrderByWeight: weight descending, ties by name descending.
        pool_order.sort_by(|&a, &b| {
            let (pa, pb) = (&s.node_pools[a], &s.node_pools[b]);
            pb.weight.cmp(&pa.weight).then_with(|| pb.name.cmp(&pa.name))
        });
        Provisioner {
            unavailable_until: vec![0; table.len()],
            table,
            pools,
            pool_order,
            variants: s.workloads.iter().map(|w| variants(&w.template)).collect(),
            allowed_cache: HashMap::new(),
            shape_compat: HashMap::new(),
            batcher: Batcher::default(),
            rng,
        }
    }

    /// Offerings a pool allows for a workload's variant (pool requirements, pod requirements,
    /// taints), ignoring availability.
    fn allowed(&mut self, s: &Scenario, pool: usize, w: usize, v: usize) -> Option<Bits> {
        if let Some(b) = self.allowed_cache.get(&(pool, w, v)) {
            return b.clone();
        }
        let np = &s.node_pools[pool];
        let t = &s.workloads[w].template;
        let var = &self.variants[w][v];
        let result = if !tolerates_pool(t, var, np) {
            None
        } else {
            let info = &self.pools[pool];
            let mut bits = Bits::new(self.table.len());
            for i in info.admitted.iter() {
                let (ti, zi, ct) = self.table.decode(i);
                let labels = super::offerings::offering_labels(s.catalog.get(ti), &s.zones[zi], &s.region, ct);
                if variant_admits(var, np, &info.node_labels, &labels) {
                    bits.set(i);
                }
            }
            (!bits.is_empty()).then_some(bits)
        };
        self.allowed_cache.insert((pool, w, v), result.clone());
        result
    }

    /// Offerings not in the insufficient-capacity cache at `now`.
    fn available(&self, now: Millis) -> Bits {
        let mut b = Bits::new(self.table.len());
        for (i, until) in self.unavailable_until.iter().enumerate() {
            if *until <= now && self.table.price[i].is_some() {
                b.set(i);
            }
        }
        b
    }

    fn existing_compatible(&mut self, s: &Scenario, c: &Cluster, w: usize, v: usize, node: NodeId) -> bool {
        let n = &c.nodes[node as usize];
        let key = (w, v, n.shape);
        if let Some(&ok) = self.shape_compat.get(&key) {
            return ok;
        }
        let t = &s.workloads[w].template;
        let var = &self.variants[w][v];
        let shape = &c.shapes[n.shape as usize];
        let taints_ok = shape.taints.iter().all(|taint| {
            (var.tolerate_prefer_no_schedule && taint.effect == TaintEffect::PreferNoSchedule)
                || crate::k8s::labels::tolerated(&t.tolerations, taint)
        });
        let ok = taints_ok && var.requirements.iter().all(|r| r.matches_labels(&shape.labels));
        self.shape_compat.insert(key, ok);
        ok
    }

    /// Runs the scheduling simulation for `pods`.
    pub fn solve(&mut self, s: &Scenario, c: &Cluster, topo: &Topology, pods: &[PodId], opts: &SolveOptions, now: Millis) -> Solution {
        let available = self.available(now);
        // Existing nodes: alive, not marked for deletion, not excluded; initialized first, then name.
        let mut existing: Vec<NodeId> = (0..c.nodes.len() as NodeId)
            .filter(|&id| {
                let n = &c.nodes[id as usize];
                n.alive() && !n.marked_for_deletion && !opts.exclude.contains(&id)
            })
            .collect();
        existing.sort_by(|&a, &b| {
            let (na, nb) = (&c.nodes[a as usize], &c.nodes[b as usize]);
            let ia = na.state == NodeState::Ready;
            let ib = nb.state == NodeState::Ready;
            ib.cmp(&ia).then_with(|| na.name.cmp(&nb.name))
        });
        let free: Vec<Resources> = existing.iter().map(|&id| c.nodes[id as usize].free()).collect();
        // Remaining limits per pool: limit − capacity of the pool's live, non-deleting nodes.
        let mut remaining: Vec<[Option<i64>; 3]> = s
            .node_pools
            .iter()
            .map(|p| [p.limits.cpu_m, p.limits.mem_b, p.limits.nodes])
            .collect();
        for n in c.nodes.iter().filter(|n| n.alive() && !n.marked_for_deletion) {
            if let NodeOwner::Pool(p) = n.owner {
                let cap = &self.pools[p].capacity[n.instance_type];
                let r = &mut remaining[p];
                if let Some(v) = r[0].as_mut() {
                    *v -= cap.cpu_m;
                }
                if let Some(v) = r[1].as_mut() {
                    *v -= cap.mem_b;
                }
                if let Some(v) = r[2].as_mut() {
                    *v -= 1;
                }
            }
        }
        let mut order: Vec<PodId> = pods.to_vec();
        order.sort_by(|&a, &b| {
            let (pa, pb) = (&c.pods[a as usize], &c.pods[b as usize]);
            let (ra, rb) = (&s.workloads[pa.workload as usize].template.requests, &s.workloads[pb.workload as usize].template.requests);
            rb.cpu_m
                .cmp(&ra.cpu_m)
                .then(rb.mem_b.cmp(&ra.mem_b))
                .then(pa.created.cmp(&pb.created))
                .then(pa.uid.cmp(&pb.uid))
        });
        let mut st = SolveState {
            existing,
            free,
            cursor: HashMap::new(),
            claims: Vec::new(),
            claim_order: BTreeSet::new(),
            unfit_claims: HashMap::new(),
            remaining,
            placed_on_node: HashMap::new(),
            zone_counts: HashMap::new(),
            start_variant: vec![0; s.workloads.len()],
            on_existing: Vec::new(),
            now,
        };
        let mut queue = order;
        loop {
            let mut failed = Vec::new();
            let mut progress = false;
            for pod in queue {
                if self.try_schedule(s, c, topo, &mut st, &available, opts, pod) {
                    progress = true;
                } else {
                    failed.push(pod);
                }
            }
            if failed.is_empty() || !progress {
                return Solution {
                    on_existing: st.on_existing,
                    claims: st.claims,
                    unschedulable: failed,
                };
            }
            queue = failed;
            st.start_variant.iter_mut().for_each(|v| *v = 0);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn try_schedule(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        st: &mut SolveState,
        available: &Bits,
        opts: &SolveOptions,
        pod: PodId,
    ) -> bool {
        let w = c.pods[pod as usize].workload as usize;
        let n_var = self.variants[w].len();
        for v in st.start_variant[w]..n_var {
            if self.try_existing(s, c, topo, st, opts, pod, w, v)
                || self.try_claims(s, c, topo, st, available, pod, w, v)
                || (opts.allow_new && self.try_new(s, c, topo, st, available, pod, w, v))
            {
                return true;
            }
            // Identical later pods fail this variant as well: start them at the next one.
            st.start_variant[w] = v + 1;
        }
        st.start_variant[w] = n_var.saturating_sub(1);
        false
    }

    fn spread_constraints(s: &Scenario, w: usize, var: &Variant) -> Vec<crate::scenario::SpreadConstraint> {
        s.workloads[w]
            .template
            .spread
            .iter()
            .filter(|c| (c.hard || var.soft_spread) && (c.key == ZONE_KEY || c.key == HOSTNAME_KEY))
            .cloned()
            .collect()
    }

    fn counted_workloads(s: &Scenario, w: usize, sel: &crate::k8s::labels::LabelSelector) -> Vec<usize> {
        let ns = &s.workloads[w].namespace;
        s.workloads
            .iter()
            .enumerate()
            .filter(|(_, o)| &o.namespace == ns && sel.matches(&o.template.labels))
            .map(|(i, _)| i)
            .collect()
    }

    fn zone_count(s: &Scenario, topo: &Topology, st: &SolveState, w: usize, sel: &crate::k8s::labels::LabelSelector, zone: usize) -> i64 {
        let counted = Self::counted_workloads(s, w, sel);
        counted
            .iter()
            .map(|cw| topo.zone_counts[*cw][zone] as i64 + st.zone_counts.get(&(*cw, zone)).copied().unwrap_or(0))
            .sum()
    }

    /// Karpenter's zone choice for a spread constraint: the valid domain with the fewest
    /// matching pods (ties: lowest zone index, where upstream picks at random).
    fn zone_ok(s: &Scenario, topo: &Topology, st: &SolveState, w: usize, cons: &crate::scenario::SpreadConstraint, zone: usize) -> bool {
        let self_match = i64::from(cons.selector.matches(&s.workloads[w].template.labels));
        let counts: Vec<i64> = (0..s.zones.len())
            .map(|z| Self::zone_count(s, topo, st, w, &cons.selector, z))
            .collect();
        let min = if (counts.len() as i64) < cons.min_domains {
            0
        } else {
            *counts.iter().min().unwrap_or(&0)
        };
        counts[zone] + self_match - min <= cons.max_skew
    }

    #[allow(clippy::too_many_arguments)]
    fn try_existing(&mut self, s: &Scenario, c: &Cluster, topo: &Topology, st: &mut SolveState, opts: &SolveOptions, pod: PodId, w: usize, v: usize) -> bool {
        let t = &s.workloads[w].template;
        let req = t.requests;
        let spreads = Self::spread_constraints(s, w, &self.variants[w][v]);
        let restricted = opts.restricted_pods.contains(&pod);
        let use_cursor = spreads.is_empty() && !restricted;
        let start = if use_cursor { st.cursor.get(&(w, v)).copied().unwrap_or(0) } else { 0 };
        for i in start..st.existing.len() {
            let id = st.existing[i];
            let fits = req.fits_in(&st.free[i]);
            if !fits || !self.existing_compatible(s, c, w, v, id) {
                if use_cursor && i == st.cursor.get(&(w, v)).copied().unwrap_or(0) {
                    st.cursor.insert((w, v), i + 1);
                }
                continue;
            }
            let n = &c.nodes[id as usize];
            if restricted
                && let NodeOwner::Pool(p) = n.owner
                && let Some(after) = s.node_pools[p].consolidate_after_ms
                && n.last_pod_event + after > st.now
            {
                continue;
            }
            let ok = spreads.iter().all(|cons| {
                if cons.key == HOSTNAME_KEY {
                    let counted = Self::counted_workloads(s, w, &cons.selector);
                    let on: i64 = counted
                        .iter()
                        .map(|cw| topo.on_node(*cw, id) as i64 + st.placed_on_node.get(&(*cw, id)).copied().unwrap_or(0))
                        .sum();
                    on + 1 <= cons.max_skew
                } else {
                    Self::zone_ok(s, topo, st, w, cons, n.zone)
                }
            });
            if !ok {
                continue;
            }
            st.free[i] -= req;
            st.on_existing.push((pod, id));
            *st.placed_on_node.entry((w, id)).or_insert(0) += 1;
            *st.zone_counts.entry((w, n.zone)).or_insert(0) += 1;
            return true;
        }
        false
    }

    fn claim_can_add(&self, s: &Scenario, claim: &Claim, allowed: &Bits, req: &Resources) -> Option<(Bits, Bits)> {
        let allowed = claim.allowed.and(allowed);
        if allowed.is_empty() {
            return None;
        }
        let total = claim.total + *req;
        let info = &self.pools[claim.pool];
        let per_type = self.table.zones * 2;
        let mut types = Bits::new(self.table.types);
        for ti in claim.types.iter() {
            let has_offering = (ti * per_type..(ti + 1) * per_type).any(|i| allowed.get(i));
            if has_offering && (total + info.daemon_overhead[ti]).fits_in(&info.allocatable[ti]) {
                types.set(ti);
            }
        }
        let _ = s;
        (!types.is_empty()).then_some((allowed, types))
    }

    fn zone_mask(&self, zone: usize) -> Bits {
        let mut b = Bits::new(self.table.len());
        for ti in 0..self.table.types {
            for ct in [CapacityType::Spot, CapacityType::OnDemand] {
                b.set(self.table.idx(ti, zone, ct));
            }
        }
        b
    }

    /// Applies zone and hostname spreading to a claim candidate: pins the zone (returns the
    /// narrowed offering set) or rejects.
    fn apply_spread(&self, s: &Scenario, topo: &Topology, st: &SolveState, w: usize, v: usize, claim_pods_of_w: i64, allowed: Bits) -> Option<Bits> {
        let mut allowed = allowed;
        for cons in Self::spread_constraints(s, w, &self.variants[w][v]) {
            if cons.key == HOSTNAME_KEY {
                if claim_pods_of_w + 1 > cons.max_skew {
                    return None;
                }
                continue;
            }
            let zones: Vec<usize> = (0..s.zones.len())
                .filter(|&z| !allowed.and(&self.zone_mask(z)).is_empty())
                .collect();
            let best = zones
                .iter()
                .copied()
                .filter(|&z| Self::zone_ok(s, topo, st, w, &cons, z))
                .min_by_key(|&z| (Self::zone_count(s, topo, st, w, &cons.selector, z), z))?;
            allowed = allowed.and(&self.zone_mask(best));
        }
        Some(allowed)
    }

    #[allow(clippy::too_many_arguments)]
    fn try_claims(&mut self, s: &Scenario, c: &Cluster, topo: &Topology, st: &mut SolveState, available: &Bits, pod: PodId, w: usize, v: usize) -> bool {
        let req = s.workloads[w].template.requests;
        let order: Vec<(usize, usize)> = st.claim_order.iter().copied().collect();
        for (count, ci) in order {
            if st.unfit_claims.get(&(w, v)).is_some_and(|set| set.contains(&ci)) {
                continue;
            }
            let pool = st.claims[ci].pool;
            let Some(allowed) = self.allowed(s, pool, w, v) else {
                st.unfit_claims.entry((w, v)).or_default().insert(ci);
                continue;
            };
            let allowed = allowed.and(available);
            let of_w = st.claims[ci].per_workload.iter().find(|(x, _)| *x == w).map(|(_, n)| *n as i64).unwrap_or(0);
            let Some(allowed) = self.apply_spread(s, topo, st, w, v, of_w, allowed) else {
                continue;
            };
            match self.claim_can_add(s, &st.claims[ci], &allowed, &req) {
                Some((allowed, types)) => {
                    let zone = single_zone(&self.table, &allowed);
                    let claim = &mut st.claims[ci];
                    claim.allowed = allowed;
                    claim.types = types;
                    claim.total += req;
                    claim.pods.push(pod);
                    match claim.per_workload.iter_mut().find(|(x, _)| *x == w) {
                        Some(e) => e.1 += 1,
                        None => claim.per_workload.push((w, 1)),
                    }
                    st.claim_order.remove(&(count, ci));
                    st.claim_order.insert((count + 1, ci));
                    if let Some(z) = zone {
                        *st.zone_counts.entry((w, z)).or_insert(0) += 1;
                    }
                    let _ = c;
                    return true;
                }
                None => {
                    if Self::spread_constraints(s, w, &self.variants[w][v]).is_empty() {
                        st.unfit_claims.entry((w, v)).or_default().insert(ci);
                    }
                }
            }
        }
        false
    }

    #[allow(clippy::too_many_arguments)]
    fn try_new(&mut self, s: &Scenario, c: &Cluster, topo: &Topology, st: &mut SolveState, available: &Bits, pod: PodId, w: usize, v: usize) -> bool {
        let req = s.workloads[w].template.requests;
        let _ = c;
        for pi in self.pool_order.clone() {
            let Some(allowed) = self.allowed(s, pi, w, v) else { continue };
            let allowed = allowed.and(available);
            if allowed.is_empty() {
                continue;
            }
            let rem = st.remaining[pi];
            if rem[2].is_some_and(|n| n <= 0) {
                continue;
            }
            let info = &self.pools[pi];
            let mut types = Bits::new(self.table.types);
            for ti in 0..self.table.types {
                let cap = &info.capacity[ti];
                let within = rem[0].is_none_or(|r| cap.cpu_m <= r) && rem[1].is_none_or(|r| cap.mem_b <= r);
                if within {
                    types.set(ti);
                }
            }
            let Some(allowed) = self.apply_spread(s, topo, st, w, v, 0, allowed) else { continue };
            let claim = Claim {
                pool: pi,
                allowed: allowed.clone(),
                types,
                total: Resources::ZERO,
                pods: Vec::new(),
                per_workload: Vec::new(),
            };
            let Some((allowed, types)) = self.claim_can_add(s, &claim, &allowed, &req) else { continue };
            // subtractMax over the options right after the first pod.
            let info = &self.pools[pi];
            let max_cap = types.iter().fold(Resources::ZERO, |m, ti| m.max(&info.capacity[ti]));
            let r = &mut st.remaining[pi];
            if let Some(x) = r[0].as_mut() {
                *x -= max_cap.cpu_m;
            }
            if let Some(x) = r[1].as_mut() {
                *x -= max_cap.mem_b;
            }
            let zone = single_zone(&self.table, &allowed);
            let ci = st.claims.len();
            st.claims.push(Claim {
                pool: pi,
                allowed,
                types,
                total: req,
                pods: vec![pod],
                per_workload: vec![(w, 1)],
            });
            st.claim_order.insert((1, ci));
            if let Some(z) = zone {
                *st.zone_counts.entry((w, z)).or_insert(0) += 1;
            }
            return true;
        }
        false
    }

    /// Instance types of a claim ordered by their cheapest allowed, available offering (the
    /// `OrderByPrice` key), truncated to `limit`.
    fn ordered_types(&self, claim: &Claim, offerings: &Bits, limit: usize) -> Vec<(usize, f64)> {
        let per_type = self.table.zones * 2;
        let mut v: Vec<(usize, f64)> = claim
            .types
            .iter()
            .filter_map(|ti| {
                (ti * per_type..(ti + 1) * per_type)
                    .filter(|&i| offerings.get(i))
                    .filter_map(|i| self.table.price[i])
                    .min_by(f64::total_cmp)
                    .map(|p| (ti, p))
            })
            .collect();
        v.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        v.truncate(limit);
        v
    }

    /// Decides which offering AWS launches for a claim, applying the provider's filters.
    /// `max_price` (consolidation) keeps only offerings strictly cheaper than that.
    pub fn plan_launch(&mut self, s: &Scenario, claim: &Claim, now: Millis, force_spot: bool) -> Option<Launch> {
        let available = self.available(now);
        let mut offerings = claim.allowed.and(&available);
        if force_spot {
            for i in offerings.clone().iter() {
                if self.table.decode(i).2 == CapacityType::OnDemand {
                    offerings.clear(i);
                }
            }
        }
        let mut types = self.ordered_types(claim, &offerings, CORE_MAX_INSTANCE_TYPES);
        // Exotic filter: drop metal unless nothing else remains.
        let non_metal: Vec<(usize, f64)> = types.iter().copied().filter(|(ti, _)| !s.catalog.get(*ti).is_metal()).collect();
        if !non_metal.is_empty() {
            types = non_metal;
        }
        let type_set: BTreeSet<usize> = types.iter().map(|t| t.0).collect();
        let in_types = |i: usize| type_set.contains(&self.table.decode(i).0);
        let has = |ct: CapacityType| offerings.iter().any(|i| in_types(i) && self.table.decode(i).2 == ct);
        if has(CapacityType::Spot) && has(CapacityType::OnDemand) {
            let cheapest_od = offerings
                .iter()
                .filter(|&i| in_types(i) && self.table.decode(i).2 == CapacityType::OnDemand)
                .filter_map(|i| self.table.price[i])
                .fold(f64::INFINITY, f64::min);
            for i in offerings.clone().iter() {
                if self.table.decode(i).2 == CapacityType::Spot && self.table.price[i].is_some_and(|p| p > cheapest_od) {
                    offerings.clear(i);
                }
            }
        }
        let mut restricted = claim.clone();
        restricted.types = Bits::new(self.table.types);
        for ti in &type_set {
            restricted.types.set(*ti);
        }
        let types = self.ordered_types(&restricted, &offerings, AWS_MAX_INSTANCE_TYPES);
        let type_set: BTreeSet<usize> = types.iter().map(|t| t.0).collect();
        let ct = if offerings
            .iter()
            .any(|i| type_set.contains(&self.table.decode(i).0) && self.table.decode(i).2 == CapacityType::Spot)
        {
            CapacityType::Spot
        } else {
            CapacityType::OnDemand
        };
        let candidates: Vec<(usize, f64)> = offerings
            .iter()
            .filter(|&i| {
                let (ti, _, c) = self.table.decode(i);
                c == ct && type_set.contains(&ti)
            })
            .filter_map(|i| self.table.price[i].map(|p| (i, p)))
            .collect();
        let best = candidates.iter().map(|c| c.1).fold(f64::INFINITY, f64::min);
        let cheapest: Vec<usize> = candidates.iter().filter(|c| c.1 == best).map(|c| c.0).collect();
        if cheapest.is_empty() {
            return None;
        }
        let pick = cheapest[self.rng.random_range(0..cheapest.len())];
        let (ti, zi, ct) = self.table.decode(pick);
        Some(Launch {
            instance_type: ti,
            zone: zi,
            capacity_type: ct,
            price: best,
        })
    }

    /// The most expensive offering the claim could launch with (Karpenter's
    /// `WorstLaunchPrice`): spot when any spot offering is available, else on-demand.
    pub fn worst_launch_price(&self, claim: &Claim, now: Millis, force_spot: bool) -> Option<f64> {
        let available = self.available(now);
        let offerings = claim.allowed.and(&available);
        let per_type = self.table.zones * 2;
        let in_claim = |i: usize| claim.types.get(i / per_type);
        let any_spot = offerings.iter().any(|i| in_claim(i) && self.table.decode(i).2 == CapacityType::Spot);
        let ct = if any_spot || force_spot { CapacityType::Spot } else { CapacityType::OnDemand };
        offerings
            .iter()
            .filter(|&i| in_claim(i) && self.table.decode(i).2 == ct)
            .filter_map(|i| self.table.price[i])
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))))
    }

    /// Removes instance types whose cheapest price of the launch capacity type is not strictly
    /// below `limit` (`RemoveInstanceTypeOptionsByPriceAndMinValues` on `WorstLaunchPrice`).
    pub fn keep_cheaper_than(&self, claim: &mut Claim, limit: f64, now: Millis, force_spot: bool) {
        let available = self.available(now);
        let per_type = self.table.zones * 2;
        for ti in claim.types.clone().iter() {
            let mut one = claim.clone();
            one.types = Bits::new(self.table.types);
            one.types.set(ti);
            let worst = self.worst_launch_price(&one, now, force_spot);
            let has_offering = (ti * per_type..(ti + 1) * per_type).any(|i| claim.allowed.get(i) && available.get(i));
            if !has_offering || worst.is_none_or(|p| p >= limit) {
                claim.types.clear(ti);
            }
        }
    }
}

fn single_zone(table: &OfferingTable, allowed: &Bits) -> Option<usize> {
    let zones: BTreeSet<usize> = allowed.iter().map(|i| table.decode(i).1).collect();
    (zones.len() == 1).then(|| *zones.iter().next().expect("one"))
}


struct SolveState {
    existing: Vec<NodeId>,
    free: Vec<Resources>,
    cursor: HashMap<(usize, usize), usize>,
    claims: Vec<Claim>,
    claim_order: BTreeSet<(usize, usize)>,
    unfit_claims: HashMap<(usize, usize), BTreeSet<usize>>,
    remaining: Vec<[Option<i64>; 3]>,
    placed_on_node: HashMap<(usize, NodeId), i64>,
    zone_counts: HashMap<(usize, usize), i64>,
    start_variant: Vec<usize>,
    on_existing: Vec<(PodId, NodeId)>,
    now: Millis,
}
