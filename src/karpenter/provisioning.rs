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
//!   overhead and has an available offering; price plays no part in packing. With `minValues`
//!   on a NodePool requirement (Strict policy), the types must keep that many distinct values
//!   (`SatisfiesMinValues`).
//! - NodePool limits: types whose capacity exceeds what remains are dropped, and the largest
//!   remaining capacity is subtracted when a NodeClaim is created (`subtractMax`). As upstream
//!   (kubernetes-sigs/karpenter#2915), `limits.nodes` is only checked against existing nodes.
//! - Launch: types ordered by their cheapest available offering; metal dropped unless nothing
//!   else remains; when both capacity types are allowed, spot offerings dearer than the cheapest
//!   on-demand offering are dropped; the 60 cheapest types are kept (under Strict `minValues`
//!   they must still meet it, `Truncate`); spot is used if any spot offering remains, else
//!   on-demand; every offering of that capacity type among those types goes into one
//!   `CreateFleet` call, which the scenario's capacity model answers
//!   (`cloud::capacity`: `lowest-price` or `price-capacity-optimized`, insufficient-capacity
//!   errors). Offerings that fail are unavailable for 3 minutes.

use super::offerings::{Variant, open_key_value, tolerates_pool, variant_admits, variants};
use super::{Bits, OfferingTable, PoolInfo};
use crate::cloud::capacity::{Override, UNAVAILABLE_OFFERING_TTL_MS};
use crate::cloud::pricing::CapacityType;
use crate::cluster::{Cluster, NodeId, NodeOwner, NodeState, PodId};
use crate::engine::Millis;
use crate::k8s::labels::{Labels, Requirement, TaintEffect};
use crate::resources::Resources;
use crate::scenario::Scenario;
use crate::scheduler::Topology;
use rand::rngs::ChaCha8Rng;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

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
    /// The pods' requirements on the pool's open keys (see `offerings::open_keys`).
    pub custom: Vec<Requirement>,
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
    /// True when the solve stopped at `max_new_claims`.
    pub aborted: bool,
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

/// One `CreateFleet` call made for a NodeClaim.
#[derive(Debug, Clone, PartialEq)]
pub struct FleetCall {
    /// The capacity type requested.
    pub capacity_type: CapacityType,
    /// Number of overrides (offerings) in the request.
    pub overrides: usize,
    /// (instance type, zone) of each offering that failed with insufficient capacity, in
    /// attempt order.
    pub errors: Vec<(usize, usize)>,
    /// The instance launched, if any.
    pub launch: Option<Launch>,
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
    /// Stop as soon as the solve would create more NodeClaims than this (consolidation only
    /// needs to know that it would); the solution is then marked `aborted`.
    pub max_new_claims: Option<usize>,
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

/// A spread constraint Karpenter's simulation enforces (zone or hostname), resolved to the
/// workloads whose pods it counts.
#[derive(Debug, Clone)]
struct SpreadRule {
    zone: bool,
    max_skew: i64,
    min_domains: i64,
    counted: Vec<usize>,
    self_match: i64,
}

/// A NodePool requirement with `minValues`, resolved against the catalog.
#[derive(Debug, Clone)]
struct MinValues {
    key: MinKey,
    min: usize,
}

/// Where a `minValues` key's values come from.
#[derive(Debug, Clone)]
enum MinKey {
    /// An instance-type label: the value id of each type (`None`: the type lacks the label).
    TypeLabel(Vec<Option<u32>>),
    /// `topology.kubernetes.io/zone`: the zones of the allowed offerings.
    Zone,
    /// `karpenter.sh/capacity-type`: the capacity types of the allowed offerings.
    CapacityType,
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
    max_variants: usize,
    /// `[pool][w × max_variants + v]`: offerings allowed, computed lazily.
    allowed_cache: Vec<Vec<Option<Option<Bits>>>>,
    /// `[w × max_variants + v][shape]`: 0 unknown, 1 compatible, 2 not.
    shape_compat: Vec<Vec<u8>>,
    /// `[w × max_variants + v]`: spread rules in force.
    spreads: Vec<Vec<SpreadRule>>,
    /// `[w × max_variants + v][zone]`: zones the variant's requirements allow.
    pod_zones: Vec<Vec<bool>>,
    /// `[zone]`: some NodePool offers the zone.
    pool_zones: Vec<bool>,
    /// `[w]`: some hostname spread rule counts this workload's pods.
    hostname_counted: Vec<bool>,
    base: Option<Rc<Base>>,
    /// Zeroed per-position buffer reused by every solve.
    scratch_used: Vec<Resources>,
    provisionable_cache: Vec<Option<bool>>,
    order_cache: Option<(u64, Vec<NodeId>)>,
    available_cache: RefCell<Option<(Millis, Bits)>>,
    zone_masks: Vec<Bits>,
    /// Offerings marked unavailable until the given time (insufficient capacity cache); set
    /// only through [`Provisioner::mark_unavailable`].
    pub unavailable_until: Vec<Millis>,
    /// The latest time in `unavailable_until`: every offering is available from then on.
    unavailable_latest: Millis,
    /// The batch window.
    pub batcher: Batcher,
    /// `[pool]`: requirements with `minValues`.
    min_values: Vec<Vec<MinValues>>,
    /// `[pool]`: open keys and the pool's requirements on each.
    open_keys: Vec<Vec<(String, Vec<Requirement>)>>,
    /// `--min-values-policy=Strict` (the default) rather than `BestEffort`.
    min_values_strict: bool,
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
            pb.weight
                .cmp(&pa.weight)
                .then_with(|| pb.name.cmp(&pa.name))
        });
        let variants: Vec<Vec<Variant>> =
            s.workloads.iter().map(|w| variants(&w.template)).collect();
        let max_variants = variants.iter().map(Vec::len).max().unwrap_or(1);
        let slots = s.workloads.len() * max_variants;
        let mut spreads = vec![Vec::new(); slots];
        for (w, wl) in s.workloads.iter().enumerate() {
            for (v, var) in variants[w].iter().enumerate() {
                spreads[w * max_variants + v] = wl
                    .template
                    .spread
                    .iter()
                    .filter(|c| {
                        (c.hard || var.soft_spread) && (c.key == ZONE_KEY || c.key == HOSTNAME_KEY)
                    })
                    .map(|c| SpreadRule {
                        zone: c.key == ZONE_KEY,
                        max_skew: c.max_skew,
                        min_domains: c.min_domains,
                        counted: s
                            .workloads
                            .iter()
                            .enumerate()
                            .filter(|(_, o)| {
                                o.namespace == wl.namespace && c.selects(&o.template.labels)
                            })
                            .map(|(i, _)| i)
                            .collect(),
                        self_match: i64::from(c.selects(&wl.template.labels)),
                    })
                    .collect();
                // Hostname anti-affinity is a hostname domain that must hold none of the
                // selected pods (`topologygroup.go` anti-affinity groups, including the inverse
                // groups of existing pods' required terms).
                let anti = &s.anti_affinity[w];
                let mut keep_away = anti.required.clone();
                if var.soft_anti_affinity {
                    keep_away.extend(anti.preferred_own.iter().copied());
                    keep_away.sort_unstable();
                    keep_away.dedup();
                }
                if !keep_away.is_empty() {
                    spreads[w * max_variants + v].push(SpreadRule {
                        zone: false,
                        max_skew: 0,
                        min_domains: 1,
                        counted: keep_away,
                        self_match: 0,
                    });
                }
            }
        }
        let pod_zones = (0..slots)
            .map(|slot| {
                let (w, v) = (slot / max_variants, slot % max_variants);
                s.zones
                    .iter()
                    .map(|z| {
                        variants[w].get(v).is_some_and(|var| {
                            var.required
                                .iter()
                                .filter(|r| r.key == ZONE_KEY)
                                .all(|r| r.matches(Some(z)))
                        })
                    })
                    .collect()
            })
            .collect();
        let pool_zones = (0..s.zones.len())
            .map(|z| {
                pools
                    .iter()
                    .any(|info| info.admitted.iter().any(|i| table.decode(i).1 == z))
            })
            .collect();
        let mut hostname_counted = vec![false; s.workloads.len()];
        for rules in &spreads {
            for r in rules.iter().filter(|r| !r.zone) {
                for &w in &r.counted {
                    hostname_counted[w] = true;
                }
            }
        }
        let min_values = s
            .node_pools
            .iter()
            .map(|pool| {
                pool.requirements
                    .iter()
                    .filter_map(|r| {
                        let min = r.min_values? as usize;
                        let key = match r.key.as_str() {
                            ZONE_KEY => MinKey::Zone,
                            "karpenter.sh/capacity-type" => MinKey::CapacityType,
                            key => {
                                let mut ids: BTreeMap<String, u32> = BTreeMap::new();
                                MinKey::TypeLabel(
                                    s.catalog
                                        .types()
                                        .iter()
                                        .map(|it| {
                                            let v =
                                                it.labels().into_iter().find(|(k, _)| *k == key)?.1;
                                            let next = ids.len() as u32;
                                            Some(*ids.entry(v).or_insert(next))
                                        })
                                        .collect(),
                                )
                            }
                        };
                        Some(MinValues { key, min })
                    })
                    .collect()
            })
            .collect();
        let open_keys = s
            .node_pools
            .iter()
            .map(super::offerings::open_keys)
            .collect();
        Provisioner {
            open_keys,
            min_values,
            min_values_strict: s.karpenter.min_values_strict,
            pod_zones,
            pool_zones,
            hostname_counted,
            unavailable_until: vec![0; table.len()],
            unavailable_latest: 0,
            allowed_cache: vec![vec![None; slots]; s.node_pools.len()],
            shape_compat: vec![Vec::new(); slots],
            spreads,
            base: None,
            scratch_used: Vec::new(),
            provisionable_cache: Vec::new(),
            order_cache: None,
            available_cache: RefCell::new(None),
            zone_masks: (0..s.zones.len())
                .map(|z| {
                    let mut b = Bits::new(table.len());
                    for ti in 0..table.types {
                        for ct in [CapacityType::Spot, CapacityType::OnDemand] {
                            b.set(table.idx(ti, z, ct));
                        }
                    }
                    b
                })
                .collect(),
            max_variants,
            table,
            pools,
            pool_order,
            variants,
            batcher: Batcher::default(),
            rng,
        }
    }

    fn slot(&self, w: usize, v: usize) -> usize {
        w * self.max_variants + v
    }

    /// Offerings a pool allows for a workload's variant (pool requirements, pod requirements,
    /// taints), ignoring availability.
    fn allowed(&mut self, s: &Scenario, pool: usize, w: usize, v: usize) -> Option<Bits> {
        let slot = self.slot(w, v);
        if let Some(b) = &self.allowed_cache[pool][slot] {
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
                let labels = super::offerings::offering_labels(
                    s.catalog.get(ti),
                    &s.zones[zi],
                    &s.region,
                    ct,
                );
                if variant_admits(var, np, &info.node_labels, &labels) {
                    bits.set(i);
                }
            }
            (!bits.is_empty()).then_some(bits)
        };
        self.allowed_cache[pool][slot] = Some(result.clone());
        result
    }

    /// Sets an offering's price (a spot price change). Offerings without a price at the start
    /// stay unoffered: a NodePool's admitted offerings are fixed when the run starts.
    pub fn set_price(&mut self, offering: usize, usd_per_hour: f64) {
        if self.table.price[offering].is_some() {
            self.table.price[offering] = Some(usd_per_hour);
        }
    }

    /// Offerings not in the insufficient-capacity cache at `now`.
    fn available(&self, now: Millis) -> Bits {
        if let Some((t, b)) = self.available_cache.borrow().as_ref()
            && *t == now
        {
            return b.clone();
        }
        let mut b = Bits::new(self.table.len());
        for (i, until) in self.unavailable_until.iter().enumerate() {
            if *until <= now && self.table.price[i].is_some() {
                b.set(i);
            }
        }
        *self.available_cache.borrow_mut() = Some((now, b.clone()));
        b
    }

    fn existing_compatible(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        w: usize,
        v: usize,
        shape: u32,
    ) -> bool {
        let shape = shape as usize;
        let slot = self.slot(w, v);
        let cache = &mut self.shape_compat[slot];
        if cache.len() <= shape {
            cache.resize(shape + 1, 0);
        }
        if cache[shape] != 0 {
            return cache[shape] == 1;
        }
        let t = &s.workloads[w].template;
        let var = &self.variants[w][v];
        let sh = &c.shapes[shape];
        let taints_ok = sh.taints.iter().all(|taint| {
            (var.tolerate_prefer_no_schedule && taint.effect == TaintEffect::PreferNoSchedule)
                || crate::k8s::labels::tolerated(&t.tolerations, taint)
        });
        let ok = taints_ok
            && var
                .requirements
                .iter()
                .all(|r| r.matches_labels(&sh.labels));
        self.shape_compat[slot][shape] = if ok { 1 } else { 2 };
        ok
    }

    /// The state every solve at this instant starts from: existing nodes in Karpenter's order
    /// (alive, not marked for deletion; initialized first, then by name — `sortExistingNodes`),
    /// their free capacity, and lazily, per (workload, variant, restricted), the nodes that could
    /// take such a pod at all. Shared by every simulation of one consolidation pass.
    fn base(&mut self, s: &Scenario, c: &Cluster, now: Millis) -> Rc<Base> {
        let key = (c.change_counter, c.node_epoch, now);
        if let Some(b) = &self.base
            && b.key == key
        {
            return b.clone();
        }
        let existing = match &self.order_cache {
            Some((epoch, order)) if *epoch == c.node_epoch => order.clone(),
            _ => {
                let mut existing: Vec<NodeId> = c
                    .live()
                    .iter()
                    .copied()
                    .filter(|&id| {
                        let n = &c.nodes[id as usize];
                        n.alive() && !n.marked_for_deletion
                    })
                    .collect();
                existing.sort_unstable_by(|&a, &b| {
                    let (na, nb) = (&c.nodes[a as usize], &c.nodes[b as usize]);
                    let ia = na.state == NodeState::Ready;
                    let ib = nb.state == NodeState::Ready;
                    ib.cmp(&ia)
                        .then(na.name_key.cmp(&nb.name_key))
                        .then_with(|| na.name.cmp(&nb.name))
                });
                self.order_cache = Some((c.node_epoch, existing.clone()));
                existing
            }
        };
        let free = existing
            .iter()
            .map(|&id| c.nodes[id as usize].free())
            .collect();
        let meta = existing
            .iter()
            .map(|&id| {
                let n = &c.nodes[id as usize];
                // `IsUnderConsolidateAfter`: only initialized nodes of pools with a positive
                // consolidateAfter can be inside the window.
                let window_end = match n.owner {
                    NodeOwner::Pool(p) if n.state == NodeState::Ready => window_end(
                        s.node_pools[p].consolidate_after_ms,
                        n.consolidation_clock(),
                    ),
                    _ => 0,
                };
                NodeMeta {
                    zone: n.zone as u32,
                    shape: n.shape,
                    window_end,
                }
            })
            .collect();
        let mut position = vec![None; c.nodes.len()];
        for (i, &id) in existing.iter().enumerate() {
            position[id as usize] = Some(i as u32);
        }
        let b = Rc::new(Base {
            key,
            existing,
            position,
            free,
            meta,
            lists: RefCell::new(BTreeMap::new()),
            slots: RefCell::new(BTreeMap::new()),
        });
        self.base = Some(b.clone());
        b
    }

    /// Per zone, positions (in `base.existing`) of nodes that could ever take a pod of this
    /// (workload, variant, restricted) in a solve starting from `base`.
    fn candidate_lists(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        base: &Base,
        w: usize,
        v: usize,
        restricted: bool,
    ) -> Rc<Vec<Vec<usize>>> {
        let key = (self.slot(w, v), restricted);
        if let Some(l) = base.lists.borrow().get(&key) {
            return l.clone();
        }
        let req = s.workloads[w].template.requests;
        let mut lists = vec![Vec::new(); s.zones.len()];
        let now = base.key.2;
        for (i, m) in base.meta.iter().enumerate() {
            let excluded = restricted && m.window_end > now;
            if !excluded
                && req.fits_in(&base.free[i])
                && self.existing_compatible(s, c, w, v, m.shape)
            {
                lists[m.zone as usize].push(i);
            }
        }
        let lists = Rc::new(lists);
        base.lists.borrow_mut().insert(key, lists.clone());
        lists
    }

    /// Runs the scheduling simulation for `pods`.
    pub fn solve(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        pods: &[PodId],
        opts: &SolveOptions,
        now: Millis,
    ) -> Solution {
        self.solve_ordered(s, c, topo, pods, PodOrder::new(s, c, pods).ids(), opts, now)
    }

    /// [`Provisioner::solve`] with the pods already in Karpenter's order.
    #[allow(clippy::too_many_arguments)]
    pub fn solve_ordered(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        pods: &[PodId],
        order: Vec<PodId>,
        opts: &SolveOptions,
        now: Millis,
    ) -> Solution {
        let available = self.available(now);
        let base = self.base(s, c, now);
        // Requests placed per node position, in a buffer kept zeroed between solves.
        let mut used = std::mem::take(&mut self.scratch_used);
        used.resize(base.existing.len(), Resources::ZERO);
        // Remaining limits per pool: limit − capacity of the pool's live, non-deleting nodes.
        let mut remaining: Vec<[Option<i64>; 3]> = s
            .node_pools
            .iter()
            .map(|p| [p.limits.cpu_m, p.limits.mem_b, p.limits.nodes])
            .collect();
        if remaining.iter().any(|r| r.iter().any(Option::is_some)) {
            // Consolidation candidates do not count: upstream simulates with the active nodes
            // minus the candidates (`SimulateScheduling`).
            for &id in c.live() {
                let n = &c.nodes[id as usize];
                if !n.alive() || n.marked_for_deletion || opts.exclude.contains(&id) {
                    continue;
                }
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
        }

        let slots = s.workloads.len() * self.max_variants;
        let mut st = SolveState {
            base,
            used,
            touched: Vec::new(),
            cursor: vec![0; slots * 2 * s.zones.len()],
            claims: Vec::new(),
            claim_order: BTreeSet::new(),
            unfit_claims: vec![Vec::new(); slots],
            remaining,
            placed_on_node: BTreeMap::new(),
            zone_counts: vec![0; s.workloads.len() * s.zones.len()],
            start_variant: vec![0; s.workloads.len() * 2],
            on_existing: Vec::new(),
        };
        // The pods being simulated are not counted where they are now (`countDomains` skips
        // them): take bound ones out of the zone counts.
        for &p in pods {
            let pod = &c.pods[p as usize];
            if let Some(node) = pod.node {
                st.zone_counts
                    [pod.workload as usize * s.zones.len() + c.nodes[node as usize].zone] -= 1;
            }
        }
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
                if opts.max_new_claims.is_some_and(|m| st.claims.len() > m) {
                    return self.finish(st, failed, true);
                }
            }
            if failed.is_empty() || !progress {
                return self.finish(st, failed, false);
            }
            queue = failed;
            st.start_variant.iter_mut().for_each(|v| *v = 0);
        }
    }

    /// Ends a solve: returns the scratch buffer (cleared) and builds the solution.
    fn finish(&mut self, mut st: SolveState, failed: Vec<PodId>, aborted: bool) -> Solution {
        for &i in &st.touched {
            st.used[i] = Resources::ZERO;
        }
        self.scratch_used = std::mem::take(&mut st.used);
        Solution {
            on_existing: st.on_existing,
            claims: st.claims,
            unschedulable: failed,
            aborted,
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
        // Pods kept off nodes inside their consolidateAfter window may fail where others of the
        // same workload succeed: track the two kinds apart.
        let sv = w * 2 + usize::from(opts.restricted_pods.contains(&pod));
        for v in st.start_variant[sv]..n_var {
            let zones = self.zone_validity(s, c, topo, st, w, v);
            if self.try_existing(s, c, topo, st, opts, pod, w, v, zones.as_deref())
                || self.try_claims(s, st, available, pod, w, v, zones.as_deref())
                || (opts.allow_new && self.try_new(s, st, available, pod, w, v, zones.as_deref()))
            {
                return true;
            }
            // Identical later pods fail this variant as well: start them at the next one.
            st.start_variant[sv] = v + 1;
        }
        st.start_variant[sv] = n_var.saturating_sub(1);
        false
    }

    fn zone_count(
        topo: &Topology,
        st: &SolveState,
        zones: usize,
        rule: &SpreadRule,
        zone: usize,
    ) -> i64 {
        rule.counted
            .iter()
            .map(|cw| topo.zone_counts[*cw][zone] as i64 + st.zone_counts[cw * zones + zone])
            .sum()
    }

    /// For the zone spread rules in force: which zones a pod may go to now, and each zone's
    /// count under the first rule (Karpenter `nextDomainTopologySpread`). The domains are the
    /// zones some NodePool offers plus the zones of existing nodes (`buildDomainGroups`,
    /// `countDomains`); the minimum is taken over the domains the pod itself allows.
    fn zone_validity(
        &self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        st: &SolveState,
        w: usize,
        v: usize,
    ) -> Option<Vec<(bool, i64)>> {
        let rules = &self.spreads[self.slot(w, v)];
        if !rules.iter().any(|r| r.zone) {
            return None;
        }
        let nz = s.zones.len();
        let pod_zones = &self.pod_zones[self.slot(w, v)];
        let domain: Vec<bool> = (0..nz)
            .map(|z| pod_zones[z] && (self.pool_zones[z] || c.zone_has_nodes(z)))
            .collect();
        let n_domains = domain.iter().filter(|d| **d).count() as i64;
        let mut out: Vec<(bool, i64)> = vec![(true, i64::MAX); nz];
        let mut first = true;
        for rule in rules.iter().filter(|r| r.zone) {
            let counts: Vec<i64> = (0..nz)
                .map(|z| Self::zone_count(topo, st, nz, rule, z))
                .collect();
            let min = if n_domains < rule.min_domains {
                0
            } else {
                (0..nz)
                    .filter(|&z| domain[z])
                    .map(|z| counts[z])
                    .min()
                    .unwrap_or(0)
            };
            for z in 0..nz {
                let ok = counts[z] + rule.self_match - min <= rule.max_skew;
                out[z].0 &= ok;
                if first {
                    out[z].1 = counts[z];
                }
            }
            first = false;
        }
        Some(out)
    }

    /// Hostname spreading: Karpenter takes the global minimum as 0, so a node or NodeClaim may
    /// hold at most `maxSkew` matching pods, counting this one if it matches itself
    /// (`topologygroup.go` `nextDomainTopologySpread`).
    fn hostname_ok(
        &self,
        topo: &Topology,
        st: &SolveState,
        w: usize,
        v: usize,
        place: Place<'_>,
    ) -> bool {
        self.spreads[self.slot(w, v)]
            .iter()
            .filter(|r| !r.zone)
            .all(|rule| {
                let on: i64 = match place {
                    Place::Node(id) => rule
                        .counted
                        .iter()
                        .map(|cw| {
                            topo.on_node(*cw, id) as i64
                                + st.placed_on_node.get(&(*cw, id)).copied().unwrap_or(0)
                        })
                        .sum(),
                    Place::Claim(per_workload) => per_workload
                        .iter()
                        .filter(|(x, _)| rule.counted.contains(x))
                        .map(|(_, n)| *n as i64)
                        .sum(),
                };
                on + rule.self_match <= rule.max_skew
            })
    }

    #[allow(clippy::too_many_arguments)]
    fn try_existing(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        st: &mut SolveState,
        opts: &SolveOptions,
        pod: PodId,
        w: usize,
        v: usize,
        zones: Option<&[(bool, i64)]>,
    ) -> bool {
        let req = s.workloads[w].template.requests;
        let slot = self.slot(w, v);
        let has_host_rule = self.spreads[slot].iter().any(|r| !r.zone);
        let restricted = opts.restricted_pods.contains(&pod);
        // First fit in Karpenter's node order. Within one solve a node that cannot take a pod
        // of this (workload, variant) never can later: capacity only shrinks, and
        // compatibility and the consolidateAfter restriction are fixed. Per-zone cursors skip
        // such nodes; the answer is the earliest fitting node over the allowed zones.
        let nz = s.zones.len();
        let base = (slot * 2 + usize::from(restricted)) * nz;
        let lists = self.candidate_lists(s, c, &st.base.clone(), w, v, restricted);
        let mut best: Option<usize> = None;
        for z in 0..nz {
            if zones.is_some_and(|zs| !zs[z].0) {
                continue;
            }
            let list = &lists[z];
            let mut k = st.cursor[base + z];
            let mut advancing = true;
            while k < list.len() {
                let i = list[k];
                if best.is_some_and(|b| i >= b) {
                    break;
                }
                let id = st.base.existing[i];
                let free = st.base.free[i] - st.used_at(i);
                if opts.exclude.contains(&id) || !req.fits_in(&free) {
                    if advancing {
                        st.cursor[base + z] = k + 1;
                    }
                    k += 1;
                    continue;
                }
                if has_host_rule && !self.hostname_ok(topo, st, w, v, Place::Node(id)) {
                    advancing = false;
                    k += 1;
                    continue;
                }
                best = Some(i);
                break;
            }
        }
        let Some(i) = best else { return false };
        self.place_existing(s, c, st, pod, w, i);
        true
    }

    /// Places a pod of workload `w` on the existing node at position `i`.
    fn place_existing(
        &self,
        s: &Scenario,
        c: &Cluster,
        st: &mut SolveState,
        pod: PodId,
        w: usize,
        i: usize,
    ) {
        let req = s.workloads[w].template.requests;
        let id = st.base.existing[i];
        let zone = c.nodes[id as usize].zone;
        if st.used[i] == Resources::ZERO {
            st.touched.push(i);
        }
        st.used[i] += req;
        st.on_existing.push((pod, id));
        if self.hostname_counted[w] {
            *st.placed_on_node.entry((w, id)).or_insert(0) += 1;
        }
        st.zone_counts[w * s.zones.len() + zone] += 1;
    }

    fn claim_can_add(
        &self,
        claim: &Claim,
        allowed: &Bits,
        req: &Resources,
    ) -> Option<(Bits, Bits)> {
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
        if types.is_empty()
            || (self.min_values_strict
                && !self.min_values[claim.pool].is_empty()
                && !self.min_values_ok(claim.pool, &types.iter().collect::<Vec<_>>(), &allowed))
        {
            return None;
        }
        Some((allowed, types))
    }

    /// The pod's (variant's) requirements on the pool's open keys, or `None` when a key can no
    /// longer get a value that satisfies the claim's pods and this one.
    fn custom_after_add(
        &self,
        pool: usize,
        custom: &[Requirement],
        w: usize,
        v: usize,
    ) -> Option<Vec<Requirement>> {
        let keys = &self.open_keys[pool];
        if keys.is_empty() {
            return Some(Vec::new());
        }
        let own: Vec<&Requirement> = self.variants[w][v]
            .requirements
            .iter()
            .filter(|r| keys.iter().any(|(k, _)| *k == r.key))
            .collect();
        for (key, pool_reqs) in keys {
            if !own.iter().any(|r| r.key == *key) {
                continue;
            }
            let all: Vec<&Requirement> = pool_reqs
                .iter()
                .chain(custom.iter().filter(|r| r.key == *key))
                .chain(own.iter().copied().filter(|r| r.key == *key))
                .collect();
            open_key_value(&all)?;
        }
        let mut out = custom.to_vec();
        out.extend(own.into_iter().cloned());
        Some(out)
    }

    /// The labels a claim's node gets on the pool's open keys.
    pub fn claim_labels(&self, claim: &Claim) -> Labels {
        let mut out = Labels::new();
        for (key, pool_reqs) in &self.open_keys[claim.pool] {
            let all: Vec<&Requirement> = pool_reqs
                .iter()
                .chain(claim.custom.iter().filter(|r| r.key == *key))
                .collect();
            if let Some(Some(v)) = open_key_value(&all) {
                out.insert(key.clone(), v);
            }
        }
        out
    }

    /// True when the instance types keep at least `minValues` distinct values for every
    /// requirement of the pool that sets it (KC `pkg/cloudprovider/types.go`
    /// `SatisfiesMinValues`; zone and capacity-type values come from the allowed offerings).
    fn min_values_ok(&self, pool: usize, types: &[usize], allowed: &Bits) -> bool {
        let rules = &self.min_values[pool];
        if rules.is_empty() {
            return true;
        }
        let per_type = self.table.zones * 2;
        rules.iter().all(|r| {
            let mut seen = BTreeSet::new();
            for &ti in types {
                match &r.key {
                    MinKey::TypeLabel(ids) => {
                        if let Some(id) = ids[ti] {
                            seen.insert(id as usize);
                        }
                    }
                    MinKey::Zone | MinKey::CapacityType => {
                        for i in (ti * per_type..(ti + 1) * per_type).filter(|&i| allowed.get(i)) {
                            let (_, zi, ct) = self.table.decode(i);
                            seen.insert(match r.key {
                                MinKey::Zone => zi,
                                _ => usize::from(ct == CapacityType::OnDemand),
                            });
                        }
                    }
                }
                if seen.len() >= r.min {
                    return true;
                }
            }
            false
        })
    }

    /// The zone, when the offerings allow exactly one.
    fn single_zone(&self, allowed: &Bits) -> Option<usize> {
        let mut found = None;
        for (z, mask) in self.zone_masks.iter().enumerate() {
            if !allowed.and(mask).is_empty() {
                if found.is_some() {
                    return None;
                }
                found = Some(z);
            }
        }
        found
    }

    fn zone_mask(&self, zone: usize) -> &Bits {
        &self.zone_masks[zone]
    }

    /// Applies zone spreading to a claim's offerings: pins the least-loaded valid zone among
    /// those the offerings allow (ties: lowest zone index, where upstream picks at random).
    fn pin_zone(&self, zones: Option<&[(bool, i64)]>, allowed: Bits) -> Option<Bits> {
        let Some(zones) = zones else {
            return Some(allowed);
        };
        let best = (0..zones.len())
            .filter(|&z| zones[z].0 && !allowed.and(self.zone_mask(z)).is_empty())
            .min_by_key(|&z| (zones[z].1, z))?;
        Some(allowed.and(self.zone_mask(best)))
    }

    #[allow(clippy::too_many_arguments)]
    fn try_claims(
        &mut self,
        s: &Scenario,
        st: &mut SolveState,
        available: &Bits,
        pod: PodId,
        w: usize,
        v: usize,
        zones: Option<&[(bool, i64)]>,
    ) -> bool {
        let req = s.workloads[w].template.requests;
        let slot = self.slot(w, v);
        let memo = zones.is_none() && !self.spreads[slot].iter().any(|r| !r.zone);
        let order: Vec<(usize, usize)> = st.claim_order.iter().copied().collect();
        for (count, ci) in order {
            if st.unfit_claims[slot].get(ci).copied().unwrap_or(false) {
                continue;
            }
            let pool = st.claims[ci].pool;
            let mark_unfit = |st: &mut SolveState| {
                let u = &mut st.unfit_claims[slot];
                if u.len() <= ci {
                    u.resize(ci + 1, false);
                }
                u[ci] = true;
            };
            let Some(allowed) = self.allowed(s, pool, w, v) else {
                mark_unfit(st);
                continue;
            };
            if !self.hostname_ok(
                &Topology::default(),
                st,
                w,
                v,
                Place::Claim(&st.claims[ci].per_workload),
            ) {
                continue;
            }
            // The claim keeps its own zone when that zone is valid (`nextDomainTopologySpread`
            // narrows the claim's own domains).
            let Some(allowed) =
                self.pin_zone(zones, st.claims[ci].allowed.and(&allowed).and(available))
            else {
                continue;
            };
            let Some(custom) = self.custom_after_add(pool, &st.claims[ci].custom, w, v) else {
                continue;
            };
            match self.claim_can_add(&st.claims[ci], &allowed, &req) {
                Some((allowed, types)) => {
                    let zone = self.single_zone(&allowed);
                    let claim = &mut st.claims[ci];
                    claim.allowed = allowed;
                    claim.types = types;
                    claim.custom = custom;
                    claim.total += req;
                    claim.pods.push(pod);
                    match claim.per_workload.iter_mut().find(|(x, _)| *x == w) {
                        Some(e) => e.1 += 1,
                        None => claim.per_workload.push((w, 1)),
                    }
                    st.claim_order.remove(&(count, ci));
                    st.claim_order.insert((count + 1, ci));
                    if let Some(z) = zone {
                        st.zone_counts[w * s.zones.len() + z] += 1;
                    }
                    return true;
                }
                None => {
                    if memo {
                        mark_unfit(st);
                    }
                }
            }
        }
        false
    }

    #[allow(clippy::too_many_arguments)]
    fn try_new(
        &mut self,
        s: &Scenario,
        st: &mut SolveState,
        available: &Bits,
        pod: PodId,
        w: usize,
        v: usize,
        zones: Option<&[(bool, i64)]>,
    ) -> bool {
        let req = s.workloads[w].template.requests;
        for pi in self.pool_order.clone() {
            let Some(allowed) = self.allowed(s, pi, w, v) else {
                continue;
            };
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
                if rem[0].is_none_or(|r| cap.cpu_m <= r) && rem[1].is_none_or(|r| cap.mem_b <= r) {
                    types.set(ti);
                }
            }
            let Some(allowed) = self.pin_zone(zones, allowed) else {
                continue;
            };
            let Some(custom) = self.custom_after_add(pi, &[], w, v) else {
                continue;
            };
            let empty = Claim {
                pool: pi,
                allowed: allowed.clone(),
                types,
                total: Resources::ZERO,
                pods: Vec::new(),
                per_workload: Vec::new(),
                custom: Vec::new(),
            };
            let Some((allowed, types)) = self.claim_can_add(&empty, &allowed, &req) else {
                continue;
            };
            // subtractMax over the options right after the first pod.
            let info = &self.pools[pi];
            let max_cap = types
                .iter()
                .fold(Resources::ZERO, |m, ti| m.max(&info.capacity[ti]));
            let r = &mut st.remaining[pi];
            if let Some(x) = r[0].as_mut() {
                *x -= max_cap.cpu_m;
            }
            if let Some(x) = r[1].as_mut() {
                *x -= max_cap.mem_b;
            }
            let zone = self.single_zone(&allowed);
            let ci = st.claims.len();
            st.claims.push(Claim {
                pool: pi,
                allowed,
                types,
                total: req,
                pods: vec![pod],
                per_workload: vec![(w, 1)],
                custom,
            });
            st.claim_order.insert((1, ci));
            if let Some(z) = zone {
                st.zone_counts[w * s.zones.len() + z] += 1;
            }
            return true;
        }
        false
    }

    /// How many pods of workload `w` moved off the nodes `exclude` the other existing nodes could
    /// hold at most (each node counted on its own, for any relaxation variant). A necessary
    /// condition for moving that many pods.
    pub fn destination_slots(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        w: usize,
        exclude: &[NodeId],
        now: Millis,
    ) -> i64 {
        let base = self.base(s, c, now);
        let req = s.workloads[w].template.requests;
        let total = {
            let cached = base.slots.borrow().get(&w).copied();
            match cached {
                Some(t) => t,
                None => {
                    let mut seen = vec![false; base.existing.len()];
                    for v in 0..self.variants[w].len() {
                        // Before v1.14 moved pods may land on nodes inside their
                        // consolidateAfter window.
                        let restricted = s.karpenter.version_minor >= 14;
                        for list in self.candidate_lists(s, c, &base, w, v, restricted).iter() {
                            for &i in list {
                                seen[i] = true;
                            }
                        }
                    }
                    // Only initialized nodes: a candidate's pod on any other is an error.
                    let t: i64 = (0..seen.len())
                        .filter(|&i| {
                            seen[i] && c.nodes[base.existing[i] as usize].state == NodeState::Ready
                        })
                        .map(|i| base.free[i].count_fits(&req))
                        .sum();
                    base.slots.borrow_mut().insert(w, t);
                    t
                }
            }
        };
        let own: i64 = exclude
            .iter()
            .filter_map(|&id| base.position.get(id as usize).copied().flatten())
            .map(|i| base.free[i as usize].count_fits(&req))
            .sum();
        total - own
    }

    /// True when a pending pod of workload `w` that fits no existing node would certainly get a
    /// new NodeClaim: some NodePool without limits offers an available instance type it fits.
    pub fn surely_provisionable(&mut self, s: &Scenario, w: usize, now: Millis) -> bool {
        // With a capacity model a launch may fail, so nothing is certain; answering false only
        // makes the consolidation prefilter that asks less eager to skip.
        if !s.capacity.is_unlimited() {
            return false;
        }
        // The answer with every offering available holds until an offering becomes
        // unavailable (a spot interruption notice marks its offering unavailable for 3 min);
        // while one is, the answer is worked out afresh.
        let all_available = self.unavailable_latest <= now;
        if all_available && let Some(v) = self.provisionable_cache.get(w).copied().flatten() {
            return v;
        }
        let available = self.available(now);
        let req = s.workloads[w].template.requests;
        let per_type = self.table.zones * 2;
        let mut result = false;
        'pools: for pi in self.pool_order.clone() {
            let l = &s.node_pools[pi].limits;
            if l.cpu_m.is_some()
                || l.mem_b.is_some()
                || l.nodes.is_some()
                || !self.min_values[pi].is_empty()
            {
                continue;
            }
            for v in 0..self.variants[w].len() {
                let Some(allowed) = self.allowed(s, pi, w, v) else {
                    continue;
                };
                let allowed = allowed.and(&available);
                let info = &self.pools[pi];
                if (0..self.table.types).any(|ti| {
                    (ti * per_type..(ti + 1) * per_type).any(|i| allowed.get(i))
                        && (req + info.daemon_overhead[ti]).fits_in(&info.allocatable[ti])
                }) {
                    result = true;
                    break 'pools;
                }
            }
        }
        if all_available {
            if self.provisionable_cache.len() <= w {
                self.provisionable_cache.resize(s.workloads.len(), None);
            }
            self.provisionable_cache[w] = Some(result);
        }
        result
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

    /// The `CreateFleet` request AWS would send for a claim: its capacity type and overrides,
    /// after the provider's filters (KA `pkg/providers/instance/instance.go`, `filter/filter.go`).
    /// `force_spot` keeps only spot offerings (a consolidation replacement of an on-demand node).
    pub fn launch_overrides(
        &self,
        s: &Scenario,
        claim: &Claim,
        now: Millis,
        force_spot: bool,
    ) -> Option<(CapacityType, Vec<Override>)> {
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
        let non_metal: Vec<(usize, f64)> = types
            .iter()
            .copied()
            .filter(|(ti, _)| !s.catalog.get(*ti).is_metal())
            .collect();
        if !non_metal.is_empty() {
            types = non_metal;
        }
        let type_set: BTreeSet<usize> = types.iter().map(|t| t.0).collect();
        let in_types = |i: usize| type_set.contains(&self.table.decode(i).0);
        let has = |ct: CapacityType| {
            offerings
                .iter()
                .any(|i| in_types(i) && self.table.decode(i).2 == ct)
        };
        if has(CapacityType::Spot) && has(CapacityType::OnDemand) {
            let cheapest_od = offerings
                .iter()
                .filter(|&i| in_types(i) && self.table.decode(i).2 == CapacityType::OnDemand)
                .filter_map(|i| self.table.price[i])
                .fold(f64::INFINITY, f64::min);
            for i in offerings.clone().iter() {
                if self.table.decode(i).2 == CapacityType::Spot
                    && self.table.price[i].is_some_and(|p| p > cheapest_od)
                {
                    offerings.clear(i);
                }
            }
        }
        let mut restricted = claim.clone();
        restricted.types = Bits::new(self.table.types);
        for ti in &type_set {
            restricted.types.set(*ti);
        }
        // `Truncate`: the 60 cheapest; under the Strict policy the launch fails when they no
        // longer meet minValues (KC `pkg/cloudprovider/types.go`).
        let types = self.ordered_types(&restricted, &offerings, AWS_MAX_INSTANCE_TYPES);
        if self.min_values_strict
            && !self.min_values_ok(
                claim.pool,
                &types.iter().map(|t| t.0).collect::<Vec<_>>(),
                &offerings,
            )
        {
            return None;
        }
        let type_set: BTreeSet<usize> = types.iter().map(|t| t.0).collect();
        let ct = if offerings.iter().any(|i| {
            type_set.contains(&self.table.decode(i).0)
                && self.table.decode(i).2 == CapacityType::Spot
        }) {
            CapacityType::Spot
        } else {
            CapacityType::OnDemand
        };
        let overrides: Vec<Override> = offerings
            .iter()
            .filter(|&i| {
                let (ti, _, c) = self.table.decode(i);
                c == ct && type_set.contains(&ti)
            })
            .filter_map(|i| {
                let (ti, zi, _) = self.table.decode(i);
                self.table.price[i].map(|price| Override {
                    offering: i,
                    instance_type: ti,
                    zone: zi,
                    price,
                })
            })
            .collect();
        if overrides.is_empty() {
            return None;
        }
        Some((ct, overrides))
    }

    /// Marks an offering unavailable for [`UNAVAILABLE_OFFERING_TTL_MS`] (a spot interruption
    /// does this for its offering: aws/karpenter-provider-aws `pkg/controllers/interruption`).
    pub fn mark_unavailable(&mut self, offering: usize, now: Millis) {
        self.unavailable_until[offering] = now + UNAVAILABLE_OFFERING_TTL_MS;
        self.unavailable_latest = now + UNAVAILABLE_OFFERING_TTL_MS;
        *self.available_cache.borrow_mut() = None;
    }

    /// Sends a claim's `CreateFleet` request to the scenario's capacity model and marks every
    /// offering that failed with insufficient capacity unavailable for
    /// [`UNAVAILABLE_OFFERING_TTL_MS`]. `running(offering)` counts the instances of an offering
    /// running now. Returns `None` when the claim has no offering to request.
    pub fn create_fleet(
        &mut self,
        s: &Scenario,
        claim: &Claim,
        now: Millis,
        force_spot: bool,
        running: &dyn Fn(usize) -> i64,
    ) -> Option<FleetCall> {
        let (ct, overrides) = self.launch_overrides(s, claim, now, force_spot)?;
        let outcome = s
            .capacity
            .create_fleet(ct, &overrides, running, now, &mut self.rng);
        for e in &outcome.errors {
            self.mark_unavailable(e.offering, now);
        }
        let launch = outcome.launched.map(|o| Launch {
            instance_type: o.instance_type,
            zone: o.zone,
            capacity_type: ct,
            price: o.price,
        });
        Some(FleetCall {
            capacity_type: ct,
            overrides: overrides.len(),
            errors: outcome
                .errors
                .iter()
                .map(|o| (o.instance_type, o.zone))
                .collect(),
            launch,
        })
    }

    /// The most expensive offering the claim could launch with (Karpenter's
    /// `WorstLaunchPrice`): spot when any spot offering is available, else on-demand.
    pub fn worst_launch_price(&self, claim: &Claim, now: Millis, force_spot: bool) -> Option<f64> {
        let available = self.available(now);
        let offerings = claim.allowed.and(&available);
        let per_type = self.table.zones * 2;
        let in_claim = |i: usize| claim.types.get(i / per_type);
        let any_spot = offerings
            .iter()
            .any(|i| in_claim(i) && self.table.decode(i).2 == CapacityType::Spot);
        let ct = if any_spot || force_spot {
            CapacityType::Spot
        } else {
            CapacityType::OnDemand
        };
        offerings
            .iter()
            .filter(|&i| in_claim(i) && self.table.decode(i).2 == ct)
            .filter_map(|i| self.table.price[i])
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))))
    }

    /// Keeps a spot-to-spot single-node replacement's `limit` cheapest instance types (by their
    /// cheapest available spot offering), or more when the pool's `minValues` need a longer
    /// prefix of that order: `computeSpotToSpotConsolidation` in KC
    /// `pkg/controllers/disruption/consolidation.go` slices the options to
    /// `max(MinInstanceTypesForSpotToSpotConsolidation, SatisfiesMinValues)`, so that the type EC2
    /// launches is always among those consolidation priced against and is not immediately
    /// consolidated again.
    pub fn keep_cheapest_spot_types(&self, claim: &mut Claim, limit: usize, now: Millis) {
        let mut offerings = claim.allowed.and(&self.available(now));
        for i in offerings.clone().iter() {
            if self.table.decode(i).2 != CapacityType::Spot {
                offerings.clear(i);
            }
        }
        let ordered: Vec<usize> = self
            .ordered_types(claim, &offerings, usize::MAX)
            .into_iter()
            .map(|(ti, _)| ti)
            .collect();
        let needed = (1..=ordered.len())
            .find(|&k| self.min_values_ok(claim.pool, &ordered[..k], &offerings))
            .unwrap_or(ordered.len());
        claim.types = Bits::new(self.table.types);
        for &ti in ordered.iter().take(limit.max(needed)) {
            claim.types.set(ti);
        }
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
            let has_offering = (ti * per_type..(ti + 1) * per_type)
                .any(|i| claim.allowed.get(i) && available.get(i));
            if !has_offering || worst.is_none_or(|p| p >= limit) {
                claim.types.clear(ti);
            }
        }
    }
}

/// A cluster without nodes holding `replicas[w]` pending pods of each workload `w`, created at
/// t = 0 with UIDs in creation order: the input of one provisioning solve measured on its own
/// (the solver benchmark).
pub fn pending_cluster(s: &Scenario, replicas: &[usize]) -> (Cluster, Topology, Vec<PodId>) {
    let mut c = Cluster::default();
    let mut pods = Vec::new();
    for (w, &n) in replicas.iter().enumerate().take(s.workloads.len()) {
        for slot in 0..n {
            let id = c.pods.len() as PodId;
            c.pods.push(crate::cluster::Pod::pending(
                w as u32,
                id as u64,
                0,
                crate::cluster::PodCause::Initial,
                slot as u32,
            ));
            pods.push(id);
        }
    }
    (c, Topology::new(s.workloads.len(), s.zones.len()), pods)
}

/// Pods in Karpenter's order (`queue.go` `byCPUAndMemoryDescending`): CPU and memory requests
/// descending, then creation time and UID ascending (the pod id settles equal UIDs).
#[derive(Debug, Clone, Default)]
pub struct PodOrder(Vec<(PodOrderKey, PodId)>);

impl PodOrder {
    /// Sorts `pods`.
    pub fn new(s: &Scenario, c: &Cluster, pods: &[PodId]) -> PodOrder {
        let mut keyed: Vec<(PodOrderKey, PodId)> =
            pods.iter().map(|&p| (PodOrder::key(s, c, p), p)).collect();
        keyed.sort_unstable_by_key(|k| k.0);
        PodOrder(keyed)
    }

    /// The order key of one pod.
    fn key(s: &Scenario, c: &Cluster, p: PodId) -> PodOrderKey {
        let pod = &c.pods[p as usize];
        let r = &s.workloads[pod.workload as usize].template.requests;
        (-r.cpu_m, -r.mem_b, pod.created, pod.uid, p)
    }

    /// The pod ids in order.
    pub fn ids(&self) -> Vec<PodId> {
        self.0.iter().map(|k| k.1).collect()
    }

    /// The pod ids of both orders merged into one order.
    pub fn merged_ids(&self, other: &PodOrder) -> Vec<PodId> {
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            if j >= b.len() || (i < a.len() && a[i].0 <= b[j].0) {
                out.push(a[i].1);
                i += 1;
            } else {
                out.push(b[j].1);
                j += 1;
            }
        }
        out
    }
}

/// Where a pod would go, for the hostname spread check.
#[derive(Clone, Copy)]
enum Place<'a> {
    /// An existing node.
    Node(NodeId),
    /// A NodeClaim of this solve, with its pods per workload.
    Claim(&'a [(usize, u32)]),
}

/// Karpenter's pod order key: (−cpu, −memory, created, uid, id).
type PodOrderKey = (i64, i64, Millis, u64, PodId);

/// Per (slot, restricted): per-zone positions of candidate nodes.
type CandidateLists = BTreeMap<(usize, bool), Rc<Vec<Vec<usize>>>>;

/// The starting point shared by every solve at one instant.
#[derive(Debug)]
struct Base {
    key: (u64, u64, Millis),
    existing: Vec<NodeId>,
    /// Node id → position in `existing`.
    position: Vec<Option<u32>>,
    free: Vec<Resources>,
    /// What candidate lists read of each node, by position (compact: no `Node` is touched).
    meta: Vec<NodeMeta>,
    lists: RefCell<CandidateLists>,
    slots: RefCell<BTreeMap<usize, i64>>,
}

/// A node of [`Base`]: its zone, shape and the end of its `consolidateAfter` window.
#[derive(Debug)]
struct NodeMeta {
    zone: u32,
    shape: u32,
    /// The node is inside its NodePool's `consolidateAfter` window while `now < window_end`
    /// (0: never; `Millis::MAX`: until a pod event starts its clock).
    window_end: Millis,
}

/// The end of a node's `consolidateAfter` window (see [`NodeMeta::window_end`]).
fn window_end(after_ms: Option<Millis>, clock: Option<Millis>) -> Millis {
    match after_ms {
        Some(after) if after > 0 => clock.map_or(Millis::MAX, |t| t.saturating_add(after)),
        _ => 0,
    }
}

struct SolveState {
    base: Rc<Base>,
    /// Requests placed on existing nodes in this solve, by position.
    used: Vec<Resources>,
    /// Positions whose `used` is not zero.
    touched: Vec<usize>,
    cursor: Vec<usize>,
    claims: Vec<Claim>,
    claim_order: BTreeSet<(usize, usize)>,
    unfit_claims: Vec<Vec<bool>>,
    remaining: Vec<[Option<i64>; 3]>,
    placed_on_node: BTreeMap<(usize, NodeId), i64>,
    zone_counts: Vec<i64>,
    start_variant: Vec<usize>,
    on_existing: Vec<(PodId, NodeId)>,
}

impl SolveState {
    fn used_at(&self, i: usize) -> Resources {
        self.used[i]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// A workload is surely provisionable while some offering it fits is available; a spot
    /// interruption or an insufficient-capacity error that makes every offering unavailable
    /// changes the answer for the 3 minutes they last, whatever was answered before.
    #[test]
    fn surely_provisionable_follows_unavailable_offerings() {
        let s = crate::scenario::load_reference(&Default::default()).unwrap();
        let mut prov = Provisioner::new(&s, ChaCha8Rng::seed_from_u64(1));
        let w = (0..s.workloads.len())
            .find(|&w| prov.surely_provisionable(&s, w, 0))
            .expect("a workload Karpenter can provision");
        for i in 0..prov.table.len() {
            prov.mark_unavailable(i, 1_000);
        }
        assert!(!prov.surely_provisionable(&s, w, 2_000));
        assert!(prov.surely_provisionable(&s, w, 1_000 + UNAVAILABLE_OFFERING_TTL_MS));
    }
}
