//! kube-scheduler: filtering, scoring and host selection for pending pods, and the scheduling
//! queue's requeue rules.
//!
//! Sources (kubernetes/kubernetes v1.35, `pkg/scheduler/`):
//! - Filters: NodeUnschedulable, TaintToleration (`NoSchedule`/`NoExecute`), NodeAffinity
//!   (nodeSelector AND ORed required terms), NodeResourcesFit (`pods + 1 ≤ allocatable`, and for
//!   each requested resource `request ≤ allocatable − requested`), PodTopologySpread for
//!   `DoNotSchedule` constraints (`skew = count + 1 − globalMin ≤ maxSkew`, `minDomains`),
//!   InterPodAffinity for required anti-affinity on `kubernetes.io/hostname` (no node may hold a
//!   pod the incoming pod's terms select, nor a pod whose terms select the incoming pod).
//! - Scores, weighted as in the default profile: TaintToleration ×3 (intolerable
//!   `PreferNoSchedule` taints, reverse-normalised), NodeAffinity ×2 (preferred weights,
//!   normalised), PodTopologySpread ×2 (`ScheduleAnyway` constraints, or the system defaults
//!   hostname/3 and zone/5 for pods without constraints; `round(Σ cnt × ln(size + 2) + maxSkew − 1)`
//!   then `100 × (max + min − raw) / max`), NodeResourcesFit LeastAllocated ×1 on the requests
//!   with the 100m/200Mi defaults, NodeResourcesBalancedAllocation ×1 on real requests.
//!   InterPodAffinity ×2 on preferred hostname anti-affinity (minus the weight of each matching
//!   pod on the node, both directions, normalised min–max onto 0–100). ImageLocality is
//!   constant without image caches.
//! - Host selection: nodes in node-tree order (zones interleaved) from a rotating start index;
//!   search stops after `numFeasibleNodesToFind` feasible nodes (all below 100 nodes, else
//!   `max(N × max(50 − N/125, 5) / 100, 100)`); the best score wins, ties uniformly at random
//!   (the pre-1.35 reservoir sampling, which upstream PR #141024 restores).
//! - Queue: pods are tried in priority, then queue-time order. A pod that fails goes to the
//!   unschedulable pool and returns to the active queue on a node becoming schedulable that it
//!   could fit, on an assigned pod's deletion, or after 5 minutes (checked every 30 s). Backoff
//!   is not modelled: since v1.33 (`SchedulerPopFromBackoffQ`) an idle scheduler pops backing-off
//!   pods at once.

use crate::cluster::{Cluster, NodeId, PodId};
use crate::engine::Millis;
use crate::k8s::labels::{TaintEffect, tolerated, tolerates_all_hard};
use crate::resources::Resources;
use crate::scenario::{PodTemplate, Scenario, SpreadConstraint};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// `DefaultPodMaxInUnschedulablePodsDuration`.
pub const MAX_IN_UNSCHEDULABLE_MS: Millis = 300_000;
/// Interval of `flushUnschedulablePodsLeftover`.
pub const FLUSH_INTERVAL_MS: Millis = 30_000;
/// `minFeasibleNodesToFind`.
const MIN_FEASIBLE_NODES: usize = 100;
/// `minFeasibleNodesPercentageToFind`.
const MIN_FEASIBLE_PERCENT: usize = 5;

const ZONE_KEY: &str = "topology.kubernetes.io/zone";
const HOSTNAME_KEY: &str = "kubernetes.io/hostname";

/// Pod counts per workload per node and per zone (active pods only, as spreading and the
/// ReplicaSet ranking count them).
#[derive(Debug, Default, Clone)]
pub struct Topology {
    /// `[workload][node]`.
    pub node_counts: Vec<Vec<u32>>,
    /// `[workload][zone]`.
    pub zone_counts: Vec<Vec<u32>>,
}

impl Topology {
    /// Empty counts for `workloads` workloads and `zones` zones.
    pub fn new(workloads: usize, zones: usize) -> Self {
        Topology {
            node_counts: vec![Vec::new(); workloads],
            zone_counts: vec![vec![0; zones]; workloads],
        }
    }

    /// Count of a workload's active pods on a node.
    pub fn on_node(&self, w: usize, node: NodeId) -> u32 {
        self.node_counts[w].get(node as usize).copied().unwrap_or(0)
    }

    /// Adds or removes one pod.
    pub fn adjust(&mut self, w: usize, node: NodeId, zone: usize, delta: i32) {
        let v = &mut self.node_counts[w];
        if v.len() <= node as usize {
            v.resize(node as usize + 1, 0);
        }
        v[node as usize] = (v[node as usize] as i32 + delta) as u32;
        let z = &mut self.zone_counts[w][zone];
        *z = (*z as i32 + delta) as u32;
    }
}

/// A soft or hard spread constraint resolved to the workloads whose pods it counts.
#[derive(Debug, Clone)]
struct Spread {
    key: String,
    max_skew: i64,
    min_domains: i64,
    honor_affinity: bool,
    honor_taints: bool,
    counted: Vec<usize>,
    self_match: bool,
}

#[derive(Debug, Clone, Default)]
struct WorkloadInfo {
    hard: Vec<Spread>,
    soft: Vec<Spread>,
}

const COMPAT_UNKNOWN: u8 = 0;
const COMPAT_YES: u8 = 1;
const COMPAT_NO: u8 = 2;

/// Static per (workload, shape) facts.
#[derive(Debug, Clone, Copy, Default)]
struct ShapeFacts {
    compat: u8,
    intolerable_prefer: i64,
    preferred_weight: i64,
}

/// The result of one scheduling run.
#[derive(Debug, Default)]
pub struct RunResult {
    /// Pods bound, with their node.
    pub bound: Vec<(PodId, NodeId)>,
    /// Pods that failed for the first time.
    pub newly_unschedulable: Vec<PodId>,
}

/// The scheduler's queues and caches.
#[derive(Debug)]
pub struct Scheduler {
    active: BTreeSet<(i64, Millis, PodId)>,
    pool: BTreeMap<u32, BTreeSet<PodId>>,
    /// Per pod: queue timestamp (reset on every failure), in the pool or not.
    queued_at: Vec<Millis>,
    in_pool: Vec<bool>,
    in_active: Vec<bool>,
    next_start: usize,
    facts: Vec<Vec<ShapeFacts>>,
    info: Vec<WorkloadInfo>,
    rng: ChaCha8Rng,
    /// Buffer of the feasibility scan, kept between runs.
    rows: FitRows,
}

impl Scheduler {
    /// A scheduler for a scenario, drawing tie-breaks from `rng`.
    pub fn new(s: &Scenario, rng: ChaCha8Rng) -> Self {
        let info = s
            .workloads
            .iter()
            .enumerate()
            .map(|(wi, w)| {
                let resolve = |c: &SpreadConstraint| Spread {
                    key: c.key.clone(),
                    max_skew: c.max_skew,
                    min_domains: c.min_domains,
                    honor_affinity: c.honor_affinity,
                    honor_taints: c.honor_taints,
                    counted: s
                        .workloads
                        .iter()
                        .enumerate()
                        .filter(|(_, o)| {
                            o.namespace == w.namespace && c.selects(&o.template.labels)
                        })
                        .map(|(i, _)| i)
                        .collect(),
                    self_match: c.selects(&w.template.labels),
                };
                let hard: Vec<Spread> = w
                    .template
                    .spread
                    .iter()
                    .filter(|c| c.hard)
                    .map(resolve)
                    .collect();
                let mut soft: Vec<Spread> = w
                    .template
                    .spread
                    .iter()
                    .filter(|c| !c.hard)
                    .map(resolve)
                    .collect();
                if w.template.spread.is_empty() {
                    // System default constraints; the selector is the ReplicaSet's, i.e. this workload.
                    for (key, skew) in [(HOSTNAME_KEY, 3), (ZONE_KEY, 5)] {
                        soft.push(Spread {
                            key: key.into(),
                            max_skew: skew,
                            min_domains: 1,
                            honor_affinity: true,
                            honor_taints: false,
                            counted: vec![wi],
                            self_match: true,
                        });
                    }
                }
                WorkloadInfo { hard, soft }
            })
            .collect();
        Scheduler {
            active: BTreeSet::new(),
            pool: BTreeMap::new(),
            queued_at: Vec::new(),
            in_pool: Vec::new(),
            in_active: Vec::new(),
            next_start: 0,
            facts: vec![Vec::new(); s.workloads.len()],
            info,
            rng,
            rows: FitRows::default(),
        }
    }

    fn ensure(&mut self, pod: PodId) {
        let n = pod as usize + 1;
        if self.queued_at.len() < n {
            self.queued_at.resize(n, 0);
            self.in_pool.resize(n, false);
            self.in_active.resize(n, false);
        }
    }

    /// Adds a new pod to the active queue.
    pub fn enqueue(&mut self, pod: PodId, priority: i32, now: Millis) {
        self.ensure(pod);
        self.queued_at[pod as usize] = now;
        self.in_active[pod as usize] = true;
        self.active.insert((-(priority as i64), now, pod));
    }

    /// Forgets a pod that was deleted while pending.
    pub fn forget(&mut self, pod: PodId, workload: u32, priority: i32) {
        self.ensure(pod);
        let i = pod as usize;
        if self.in_active[i] {
            self.active
                .remove(&(-(priority as i64), self.queued_at[i], pod));
            self.in_active[i] = false;
        }
        if self.in_pool[i] {
            if let Some(set) = self.pool.get_mut(&workload) {
                set.remove(&pod);
                if set.is_empty() {
                    self.pool.remove(&workload);
                }
            }
            self.in_pool[i] = false;
        }
    }

    /// True when pods wait in the active queue.
    pub fn has_active(&self) -> bool {
        !self.active.is_empty()
    }

    /// Number of pods in the unschedulable pool.
    pub fn pool_len(&self) -> usize {
        self.pool.values().map(BTreeSet::len).sum()
    }

    fn activate(&mut self, pod: PodId, priority: i32) {
        let i = pod as usize;
        self.in_pool[i] = false;
        self.in_active[i] = true;
        self.active
            .insert((-(priority as i64), self.queued_at[i], pod));
    }

    fn move_workload(&mut self, s: &Scenario, w: u32) -> bool {
        let Some(set) = self.pool.remove(&w) else {
            return false;
        };
        let prio = s.workloads[w as usize].template.priority;
        for pod in set {
            self.activate(pod, prio);
        }
        true
    }

    /// A node became schedulable: requeue pods that could fit it (the NodeResourcesFit,
    /// TaintToleration and NodeAffinity queueing hints). Returns true if any pod moved.
    pub fn on_node_schedulable(&mut self, s: &Scenario, c: &Cluster, node: NodeId) -> bool {
        let n = &c.nodes[node as usize];
        let ws: Vec<u32> = self.pool.keys().copied().collect();
        let mut moved = false;
        for w in ws {
            let t = &s.workloads[w as usize].template;
            if self.shape_facts(s, c, w as usize, n.shape).compat == COMPAT_YES
                && (t.requests + n.daemon_overhead).fits_in(&n.allocatable)
            {
                moved |= self.move_workload(s, w);
            }
        }
        moved
    }

    /// An assigned pod was deleted: requeue every pooled pod (NodeResourcesFit and
    /// PodTopologySpread hints). Returns true if any pod moved.
    pub fn on_assigned_pod_deleted(&mut self, s: &Scenario) -> bool {
        let ws: Vec<u32> = self.pool.keys().copied().collect();
        let mut moved = false;
        for w in ws {
            moved |= self.move_workload(s, w);
        }
        moved
    }

    /// `flushUnschedulablePodsLeftover`: pods pooled for over 5 minutes go back to the queue.
    pub fn flush_leftovers(&mut self, s: &Scenario, now: Millis) -> bool {
        let mut moved = false;
        let ws: Vec<u32> = self.pool.keys().copied().collect();
        for w in ws {
            let prio = s.workloads[w as usize].template.priority;
            let set = self.pool.get_mut(&w).expect("key listed");
            let due: Vec<PodId> = set
                .iter()
                .copied()
                .filter(|p| {
                    now.saturating_sub(self.queued_at[*p as usize]) > MAX_IN_UNSCHEDULABLE_MS
                })
                .collect();
            for p in &due {
                set.remove(p);
            }
            if set.is_empty() {
                self.pool.remove(&w);
            }
            for p in due {
                self.activate(p, prio);
                moved = true;
            }
        }
        moved
    }

    fn shape_facts(&mut self, s: &Scenario, c: &Cluster, w: usize, shape: u32) -> ShapeFacts {
        let v = &mut self.facts[w];
        if v.len() <= shape as usize {
            v.resize(shape as usize + 1, ShapeFacts::default());
        }
        if v[shape as usize].compat != COMPAT_UNKNOWN {
            return v[shape as usize];
        }
        let t = &s.workloads[w].template;
        let sh = &c.shapes[shape as usize];
        let ok =
            t.matches_node_labels(&sh.labels) && tolerates_all_hard(&t.tolerations, &sh.taints);
        let prefer_tolerations: Vec<_> = t
            .tolerations
            .iter()
            .filter(|x| x.effect.is_none() || x.effect == Some(TaintEffect::PreferNoSchedule))
            .cloned()
            .collect();
        let intolerable_prefer = sh
            .taints
            .iter()
            .filter(|x| {
                x.effect == TaintEffect::PreferNoSchedule && !tolerated(&prefer_tolerations, x)
            })
            .count() as i64;
        let preferred_weight = t
            .preferred_terms
            .iter()
            .filter(|(_, term)| term.matches(&sh.labels))
            .map(|(wt, _)| *wt)
            .sum();
        let f = ShapeFacts {
            compat: if ok { COMPAT_YES } else { COMPAT_NO },
            intolerable_prefer,
            preferred_weight,
        };
        v[shape as usize] = f;
        f
    }

    /// Schedules every pod in the active queue, in order; each binding is counted in `topo`
    /// at once (later pods' spread and anti-affinity see it).
    pub fn run(
        &mut self,
        s: &Scenario,
        c: &mut Cluster,
        topo: &mut Topology,
        now: Millis,
    ) -> RunResult {
        let mut result = RunResult::default();
        let mut failed_workload = vec![false; s.workloads.len()];
        c.refresh_node_tree();
        let mut rows_filled = false;
        let mut rows = std::mem::take(&mut self.rows);
        while let Some((prio, _ts, pod)) = self.active.pop_first() {
            self.in_active[pod as usize] = false;
            let p = &c.pods[pod as usize];
            if p.deleted.is_some() || p.node.is_some() {
                continue;
            }
            let w = p.workload as usize;
            let info_hard = !self.info[w].hard.is_empty();
            let chosen = if failed_workload[w] && !info_hard {
                None
            } else {
                if !rows_filled {
                    rows.fill(c);
                    rows_filled = true;
                }
                self.schedule_one(s, c, topo, &rows, w)
            };
            match chosen {
                Some(node) => {
                    let t = &s.workloads[w].template;
                    let zone = c.nodes[node as usize].zone;
                    c.bind(pod, node, t.requests, t.nonzero_requests, now);
                    if rows_filled {
                        rows.refresh(c, node);
                    }
                    topo.adjust(w, node, zone, 1);
                    result.bound.push((pod, node));
                }
                None => {
                    failed_workload[w] = true;
                    let _ = prio;
                    self.queued_at[pod as usize] = now;
                    self.in_pool[pod as usize] = true;
                    self.pool.entry(w as u32).or_default().insert(pod);
                    let p = &mut c.pods[pod as usize];
                    if p.unschedulable_since.is_none() {
                        p.unschedulable_since = Some(now);
                        result.newly_unschedulable.push(pod);
                    }
                }
            }
        }
        self.rows = rows;
        result
    }

    fn num_feasible_to_find(n: usize) -> usize {
        if n < MIN_FEASIBLE_NODES {
            return n;
        }
        let pct = (50usize.saturating_sub(n / 125)).max(MIN_FEASIBLE_PERCENT);
        (n * pct / 100).max(MIN_FEASIBLE_NODES)
    }

    fn schedule_one(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        rows: &FitRows,
        w: usize,
    ) -> Option<NodeId> {
        let t = &s.workloads[w].template;
        let tree = c.node_tree();
        let n = tree.len();
        if n == 0 {
            return None;
        }
        let want = Self::num_feasible_to_find(n);
        for shape in 0..c.shapes.len() as u32 {
            self.shape_facts(s, c, w, shape);
        }
        let facts = std::mem::take(&mut self.facts[w]);
        let hard = self.info[w].hard.clone();
        let hard_state: Vec<Option<DomainCounts>> = hard
            .iter()
            .map(|sp| Some(domain_counts(s, c, topo, t, sp, tree)))
            .collect();
        let start = self.next_start % n;
        let mut feasible: Vec<NodeId> = Vec::new();
        let mut processed = 0;
        for i in 0..n {
            if feasible.len() >= want {
                break;
            }
            let k = start + i;
            let row = &rows.rows[if k >= n { k - n } else { k }];
            processed += 1;
            if row.unschedulable
                || facts[row.shape as usize].compat != COMPAT_YES
                || !fits_free(&t.requests, &row.free)
            {
                continue;
            }
            let id = row.id;
            // InterPodAffinity filter: required hostname anti-affinity, both directions.
            if s.anti_affinity[w]
                .required
                .iter()
                .any(|&o| topo.on_node(o, id) > 0)
            {
                continue;
            }
            let spread_ok = hard.iter().zip(&hard_state).all(|(sp, st)| {
                let st = st.as_ref().expect("computed");
                match st.domain_of(c, id, &sp.key) {
                    None => false,
                    Some(d) => {
                        let count = st.count(&d) as i64 + i64::from(sp.self_match);
                        count - st.min_match(sp.min_domains) <= sp.max_skew
                    }
                }
            });
            if spread_ok {
                feasible.push(id);
            }
        }
        self.facts[w] = facts;
        self.next_start = (start + processed) % n;
        match feasible.len() {
            0 => None,
            1 => Some(feasible[0]),
            _ => Some(self.pick(s, c, topo, w, &feasible)),
        }
    }

    fn pick(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        w: usize,
        feasible: &[NodeId],
    ) -> NodeId {
        let t = &s.workloads[w].template;
        let facts: Vec<ShapeFacts> = feasible
            .iter()
            .map(|id| self.shape_facts(s, c, w, c.nodes[*id as usize].shape))
            .collect();
        let tt_max = facts
            .iter()
            .map(|f| f.intolerable_prefer)
            .max()
            .unwrap_or(0);
        let na_max = facts.iter().map(|f| f.preferred_weight).max().unwrap_or(0);
        let pts = spread_scores(s, c, topo, t, &self.info[w].soft, feasible);
        let ipa = anti_affinity_scores(topo, &s.anti_affinity[w].preferred_weights, feasible);
        let best_effort = t.requests.cpu_m == 0 && t.requests.mem_b == 0;
        let mut best: Option<(i64, NodeId)> = None;
        let mut ties = 0u32;
        for (i, &id) in feasible.iter().enumerate() {
            let node = &c.nodes[id as usize];
            let tt = if tt_max == 0 {
                100
            } else {
                100 - 100 * facts[i].intolerable_prefer / tt_max
            };
            let na = if t.preferred_terms.is_empty() || na_max == 0 {
                0
            } else {
                100 * facts[i].preferred_weight / na_max
            };
            let la = least_allocated(
                &node.allocatable,
                &node.nonzero_requested,
                &t.nonzero_requests,
            );
            let ba = if best_effort {
                0
            } else {
                balanced(&node.allocatable, &node.requested, &t.requests)
            };
            let total = 3 * tt + 2 * na + 2 * pts[i] + 2 * ipa[i] + la + ba;
            match best {
                Some((b, _)) if total < b => {}
                Some((b, _)) if total == b => {
                    ties += 1;
                    if self.rng.random_range(0..ties) == 0 {
                        best = Some((total, id));
                    }
                }
                _ => {
                    best = Some((total, id));
                    ties = 1;
                }
            }
        }
        best.expect("at least two feasible nodes").1
    }
}

/// InterPodAffinity score for preferred hostname anti-affinity
/// (`pkg/scheduler/framework/plugins/interpodaffinity/scoring.go`): each node scores minus the
/// weight of every matching pod on it, in both directions, then `NormalizeScore` maps the range
/// linearly onto 0–100 (all 0 when every node scores the same).
fn anti_affinity_scores(
    topo: &Topology,
    weights: &[(usize, i64)],
    feasible: &[NodeId],
) -> Vec<i64> {
    if weights.is_empty() {
        return vec![0; feasible.len()];
    }
    let raw: Vec<i64> = feasible
        .iter()
        .map(|&id| {
            -weights
                .iter()
                .map(|&(o, wt)| wt * i64::from(topo.on_node(o, id)))
                .sum::<i64>()
        })
        .collect();
    let (min, max) = (
        *raw.iter().min().expect("non-empty"),
        *raw.iter().max().expect("non-empty"),
    );
    raw.iter()
        .map(|&r| {
            if max > min {
                (100.0 * ((r - min) as f64 / (max - min) as f64)) as i64
            } else {
                0
            }
        })
        .collect()
}

/// What the scheduler's first filters read of each node of the node tree, laid out compactly:
/// a scan of about 1,000 nodes for one pod would otherwise touch a cache line of every `Node`.
/// Filled once per [`Scheduler::run`] that schedules a pod, and kept current as it binds pods
/// (bindings are the only changes to nodes within a run).
#[derive(Debug, Default)]
struct FitRows {
    /// By node-tree position.
    rows: Vec<FitRow>,
    /// Node-tree position of each node id (`u32::MAX`: never in the tree; stale for nodes that
    /// left it).
    pos: Vec<u32>,
}

/// One node of [`FitRows`].
#[derive(Debug, Clone, Copy)]
struct FitRow {
    id: NodeId,
    shape: u32,
    unschedulable: bool,
    /// Allocatable − requested.
    free: Resources,
}

impl FitRows {
    /// Takes the rows of the current node tree. Positions of nodes no longer in the tree are
    /// left stale: only nodes of the tree are ever looked up.
    fn fill(&mut self, c: &Cluster) {
        let tree = c.node_tree();
        if self.pos.len() < c.nodes.len() {
            self.pos.resize(c.nodes.len(), u32::MAX);
        }
        self.rows.clear();
        for (i, &id) in tree.iter().enumerate() {
            self.pos[id as usize] = i as u32;
            let n = &c.nodes[id as usize];
            self.rows.push(FitRow {
                id,
                shape: n.shape,
                unschedulable: n.unschedulable,
                free: n.free(),
            });
        }
    }

    /// Takes a node's free capacity again after a binding.
    fn refresh(&mut self, c: &Cluster, id: NodeId) {
        if let Some(&p) = self.pos.get(id as usize)
            && p != u32::MAX
        {
            self.rows[p as usize].free = c.nodes[id as usize].free();
        }
    }
}

/// NodeResourcesFit filter.
pub fn fits(req: &Resources, node: &crate::cluster::Node) -> bool {
    fits_free(req, &node.free())
}

/// [`fits`] on a node's free capacity (allocatable − requested).
fn fits_free(req: &Resources, free: &Resources) -> bool {
    if free.pods < 1 {
        return false;
    }
    if req.cpu_m == 0 && req.mem_b == 0 {
        return true;
    }
    let cpu_short = req.cpu_m > 0 && req.cpu_m > free.cpu_m;
    let mem_short = req.mem_b > 0 && req.mem_b > free.mem_b;
    !(cpu_short || mem_short)
}

/// `leastRequestedScore` averaged over cpu and memory.
fn least_allocated(alloc: &Resources, node_nz: &Resources, pod_nz: &Resources) -> i64 {
    let score = |cap: i64, req: i64| -> Option<i64> {
        if cap == 0 {
            None
        } else if req > cap {
            Some(0)
        } else {
            Some((cap - req) * 100 / cap)
        }
    };
    match (
        score(alloc.cpu_m, node_nz.cpu_m + pod_nz.cpu_m),
        score(alloc.mem_b, node_nz.mem_b + pod_nz.mem_b),
    ) {
        (Some(a), Some(b)) => (a + b) / 2,
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => 0,
    }
}

/// NodeResourcesBalancedAllocation: `(1 − |f_cpu − f_mem| / 2) × 100`, fractions capped at 1.
fn balanced(alloc: &Resources, node_req: &Resources, pod_req: &Resources) -> i64 {
    if alloc.cpu_m == 0 || alloc.mem_b == 0 {
        return 100;
    }
    let fc = ((node_req.cpu_m + pod_req.cpu_m) as f64 / alloc.cpu_m as f64).min(1.0);
    let fm = ((node_req.mem_b + pod_req.mem_b) as f64 / alloc.mem_b as f64).min(1.0);
    let std = (fc - fm).abs() / 2.0;
    ((1.0 - std) * 100.0) as i64
}

/// A domain value: a zone index, a node (hostname) or another label value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Domain {
    Zone(usize),
    Host(NodeId),
    Label(String),
}

fn domain_of_node(c: &Cluster, id: NodeId, key: &str) -> Option<Domain> {
    let n = &c.nodes[id as usize];
    match key {
        ZONE_KEY => Some(Domain::Zone(n.zone)),
        HOSTNAME_KEY => Some(Domain::Host(id)),
        _ => c.shapes[n.shape as usize]
            .labels
            .get(key)
            .map(|v| Domain::Label(v.clone())),
    }
}

fn matching_on_node(topo: &Topology, sp: &Spread, id: NodeId) -> u32 {
    sp.counted.iter().map(|w| topo.on_node(*w, id)).sum()
}

/// Per-domain counts for a hard constraint over all nodes that pass the inclusion policies.
struct DomainCounts {
    counts: BTreeMap<Domain, u32>,
}

impl DomainCounts {
    fn domain_of(&self, c: &Cluster, id: NodeId, key: &str) -> Option<Domain> {
        domain_of_node(c, id, key)
    }
    fn count(&self, d: &Domain) -> u32 {
        self.counts.get(d).copied().unwrap_or(0)
    }
    fn min_match(&self, min_domains: i64) -> i64 {
        if (self.counts.len() as i64) < min_domains {
            return 0;
        }
        self.counts.values().copied().min().unwrap_or(0) as i64
    }
}

fn included(s: &Scenario, c: &Cluster, t: &PodTemplate, sp: &Spread, id: NodeId) -> bool {
    let _ = s;
    let sh = &c.shapes[c.nodes[id as usize].shape as usize];
    (!sp.honor_affinity || t.matches_node_labels(&sh.labels))
        && (!sp.honor_taints || tolerates_all_hard(&t.tolerations, &sh.taints))
}

fn domain_counts(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    t: &PodTemplate,
    sp: &Spread,
    tree: &[NodeId],
) -> DomainCounts {
    let mut counts = BTreeMap::new();
    for &id in tree {
        if !included(s, c, t, sp, id) {
            continue;
        }
        if let Some(d) = domain_of_node(c, id, &sp.key) {
            *counts.entry(d).or_insert(0) += matching_on_node(topo, sp, id);
        }
    }
    DomainCounts { counts }
}

/// PodTopologySpread scores (normalised, 0–100) for the feasible nodes.
fn spread_scores(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    t: &PodTemplate,
    soft: &[Spread],
    feasible: &[NodeId],
) -> Vec<i64> {
    if soft.is_empty() {
        return vec![0; feasible.len()];
    }
    let mut raw = vec![0f64; feasible.len()];
    for sp in soft {
        if sp.key == HOSTNAME_KEY {
            let weight = libm::log(feasible.len() as f64 + 2.0);
            for (i, &id) in feasible.iter().enumerate() {
                raw[i] += matching_on_node(topo, sp, id) as f64 * weight + (sp.max_skew - 1) as f64;
            }
            continue;
        }
        let all_nodes_included =
            !sp.honor_taints && t.node_selector.is_empty() && t.required_terms.is_empty();
        if sp.key == ZONE_KEY {
            // The same computation with zones as array indices.
            let mut present = vec![false; s.zones.len()];
            for &id in feasible {
                present[c.nodes[id as usize].zone] = true;
            }
            let weight = libm::log(present.iter().filter(|p| **p).count() as f64 + 2.0);
            let mut counts = vec![0u32; s.zones.len()];
            if all_nodes_included {
                // Every node passes the inclusion policies: the per-zone counts are the totals.
                for (z, count) in counts.iter_mut().enumerate() {
                    *count = sp.counted.iter().map(|w| topo.zone_counts[*w][z]).sum();
                }
            } else {
                for &id in c.node_tree() {
                    let z = c.nodes[id as usize].zone;
                    if present[z] && included(s, c, t, sp, id) {
                        counts[z] += matching_on_node(topo, sp, id);
                    }
                }
            }
            for (i, &id) in feasible.iter().enumerate() {
                raw[i] +=
                    counts[c.nodes[id as usize].zone] as f64 * weight + (sp.max_skew - 1) as f64;
            }
            continue;
        }
        let domains: BTreeSet<Domain> = feasible
            .iter()
            .filter_map(|id| domain_of_node(c, *id, &sp.key))
            .collect();
        let weight = libm::log(domains.len() as f64 + 2.0);
        let mut counts: BTreeMap<Domain, u32> = BTreeMap::new();
        {
            for &id in c.node_tree() {
                if !included(s, c, t, sp, id) {
                    continue;
                }
                if let Some(d) = domain_of_node(c, id, &sp.key)
                    && domains.contains(&d)
                {
                    *counts.entry(d).or_insert(0) += matching_on_node(topo, sp, id);
                }
            }
        }
        for (i, &id) in feasible.iter().enumerate() {
            if let Some(d) = domain_of_node(c, id, &sp.key) {
                raw[i] +=
                    counts.get(&d).copied().unwrap_or(0) as f64 * weight + (sp.max_skew - 1) as f64;
            }
        }
    }
    let raw: Vec<i64> = raw.iter().map(|v| v.round() as i64).collect();
    let max = *raw.iter().max().unwrap_or(&0);
    let min = *raw.iter().min().unwrap_or(&0);
    raw.iter()
        .map(|&r| {
            if max == 0 {
                100
            } else {
                100 * (max + min - r) / max
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feasible_node_counts() {
        assert_eq!(Scheduler::num_feasible_to_find(50), 50);
        assert_eq!(Scheduler::num_feasible_to_find(100), 100);
        // N=500: pct = 50 − 4 = 46 → 230.
        assert_eq!(Scheduler::num_feasible_to_find(500), 230);
        // N=5000: pct = max(50 − 40, 5) = 10 → 500.
        assert_eq!(Scheduler::num_feasible_to_find(5000), 500);
        assert_eq!(Scheduler::num_feasible_to_find(10_000), 500);
    }

    #[test]
    fn least_allocated_and_balanced_scores() {
        let alloc = Resources::new(4000, 8000, 10);
        // cpu (4000−2000)·100/4000 = 50; mem (8000−2000)·100/8000 = 75 → 62.
        assert_eq!(
            least_allocated(
                &alloc,
                &Resources::new(1000, 1000, 0),
                &Resources::new(1000, 1000, 1)
            ),
            62
        );
        assert_eq!(
            least_allocated(&alloc, &Resources::new(5000, 0, 0), &Resources::ZERO),
            50
        );
        // fractions 0.5 and 0.25 → std 0.125 → 87.
        assert_eq!(
            balanced(
                &alloc,
                &Resources::new(1000, 1000, 0),
                &Resources::new(1000, 1000, 1)
            ),
            87
        );
    }
}
