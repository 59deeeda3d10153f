//! Karpenter disruption: emptiness and single-node consolidation, with budgets.
//!
//! Sources: kubernetes-sigs/karpenter v1.14.1 `pkg/controllers/disruption/` (`controller.go`,
//! `emptiness.go`, `consolidation.go`, `singlenodeconsolidation.go`, `helpers.go`, `types.go`,
//! `validation.go`), `pkg/controllers/state/statenode.go` (`ValidateNodeDisruptable`),
//! `pkg/apis/v1/nodepool.go` (budgets), `pkg/utils/disruption/disruption.go` (`EvictionCost`).
//!
//! - The loop polls every 10 s and runs again at once after starting a command. Each method
//!   remembers the cluster state it last found nothing to do in and skips until that changes;
//!   the state is refreshed 5 minutes after the last change.
//! - A node is a candidate when it belongs to a NodePool, is initialized, is not marked for
//!   deletion, is not nominated, has no pod with `karpenter.sh/do-not-disrupt: "true"`, has no pod
//!   whose PodDisruptionBudget allows no disruption now, and `consolidateAfter` has passed since its
//!   last pod event (`Consolidatable`).
//! - Budgets: per pool and reason, `min` over active budgets of the count or `ceil(pct × nodes)`,
//!   minus nodes already disrupting (NotReady or marked for deletion), floored at 0.
//! - Emptiness: every empty candidate, most expensive first, up to the `Empty` budget, in one
//!   delete command; after 15 s the still-valid subset is deleted.
//! - Single-node consolidation (`WhenEmptyOrUnderutilized` pools): non-empty candidates ordered
//!   by `SavingsRatio = price / (1 + Σ eviction cost)` descending and interleaved across pools.
//!   For each, the scheduling simulation re-places its pods (with pending pods and pods of
//!   deleting nodes) on the other nodes; pods that were running must all fit. No new node: delete.
//!   One new node strictly cheaper in the worst case (`WorstLaunchPrice < price`): replace, forced
//!   to spot when the candidate is on-demand and spot is allowed. A spot candidate is only replaced
//!   with the `SpotToSpotConsolidation` gate on and at least 15 cheaper types. The first candidate
//!   with a valid command wins; after 15 s the command is re-simulated and dropped if it no longer
//!   holds.

use super::provisioning::{Claim, PodOrder, Provisioner, SolveOptions};
use crate::cloud::pricing::CapacityType;
use crate::cluster::{Cluster, NodeId, NodeOwner, NodeState, PodId};
use crate::engine::Millis;
use crate::resources::Resources;
use crate::scenario::{
    BudgetNodes, ConsolidationPolicy, DisruptionReason, IntOrPercent, PdbRule, Scenario,
};
use crate::scheduler::Topology;
use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

/// `pollingPeriod`.
pub const POLL_MS: Millis = 10_000;
/// `commandValidationDelay`.
pub const VALIDATION_MS: Millis = 15_000;
/// Forced re-evaluation after the last cluster change.
pub const FORCE_REEVALUATE_MS: Millis = 300_000;
/// `MinInstanceTypesForSpotToSpotConsolidation`.
pub const MIN_SPOT_TO_SPOT_TYPES: usize = 15;

/// `MultiNodeConsolidation` considers at most this many candidates (`maxParallel`,
/// `multinodeconsolidation.go`).
pub const MULTI_NODE_MAX_CANDIDATES: usize = 100;

/// A disruption command.
#[derive(Debug, Clone)]
pub struct Command {
    /// Why.
    pub reason: DisruptionReason,
    /// The method that found it.
    pub method: Method,
    /// Nodes to remove.
    pub candidates: Vec<NodeId>,
    /// Replacement NodeClaims, each with whether it must launch as spot.
    pub replacements: Vec<(Claim, bool)>,
    /// Existing nodes the simulation moved pods to; starting the command nominates them
    /// (`queue.go` `StartCommand`, `Results.Record`).
    pub destinations: Vec<NodeId>,
    /// The candidates' price minus the replacements' worst-case launch price, USD per hour, when
    /// the command was computed.
    pub savings_per_hour: f64,
}

/// The disruption methods, in v1.5+ order (`controller.go` `NewController`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `Emptiness`.
    Emptiness = 0,
    /// `Drift`.
    Drift = 1,
    /// `MultiNodeConsolidation`.
    MultiNode = 2,
    /// `SingleNodeConsolidation`.
    SingleNode = 3,
}

impl Method {
    /// The order the controller tries the methods in: Drift first up to v1.4 (KC v1.4
    /// `controller.go`), Emptiness first from v1.5 (v1.14 adds StaticDrift, which ksim does not
    /// model: NodePools with static replicas are not simulated).
    pub fn order(version_minor: u32) -> [Method; 4] {
        if version_minor <= 4 {
            [
                Method::Drift,
                Method::Emptiness,
                Method::MultiNode,
                Method::SingleNode,
            ]
        } else {
            [
                Method::Emptiness,
                Method::Drift,
                Method::MultiNode,
                Method::SingleNode,
            ]
        }
    }

    /// True for the methods whose commands wait 15 s and are re-validated (all but drift).
    pub fn validates(self) -> bool {
        self != Method::Drift
    }
}

/// What one disruption method found.
enum Outcome {
    /// A command to validate.
    Command(Box<Command>),
    /// No candidate at all: upstream returns before computing, without marking the method
    /// consolidated (`controller.go` `disrupt`).
    NoCandidates,
    /// Candidates, but no command; `budget_blocked` when a budget held one back.
    Nothing {
        /// A candidate was skipped for its pool's budget.
        budget_blocked: bool,
    },
}

/// Disruption controller state.
#[derive(Debug, Default)]
pub struct Disruption {
    /// Per method: the cluster state it last found nothing in.
    consolidated: [Option<u64>; 4],
}

/// Runtime facts about workloads the disruption logic needs.
pub struct WorkloadView<'a> {
    /// Desired replicas per workload.
    pub desired: &'a [i64],
    /// Ready, active pods per workload.
    pub ready: &'a [i64],
}

impl WorkloadView<'_> {
    /// Per workload: do its pods block eviction now (`do-not-disrupt`, or a PDB that allows no
    /// disruption)?
    pub fn blocking(&self, s: &Scenario) -> Vec<bool> {
        (0..s.workloads.len())
            .map(|w| s.workloads[w].template.do_not_disrupt || pdb_allowed(s, self, w) == Some(0))
            .collect()
    }
}

/// The workloads whose pods block a node's disruption now, and where their pods are.
pub struct Blockers<'a> {
    /// Blocking workloads ([`WorkloadView::blocking`]), ascending.
    workloads: Vec<usize>,
    /// Bound, not deleted pods per workload and node.
    topo: &'a Topology,
}

impl<'a> Blockers<'a> {
    /// The blockers of `flags` (per workload: does it block?).
    pub fn new(flags: &[bool], topo: &'a Topology) -> Blockers<'a> {
        Blockers {
            workloads: (0..flags.len()).filter(|&w| flags[w]).collect(),
            topo,
        }
    }

    /// No workload blocks.
    fn none(topo: &'a Topology) -> Blockers<'a> {
        Blockers {
            workloads: Vec::new(),
            topo,
        }
    }

    /// True when a pod of a blocking workload is bound to the node and not being deleted.
    fn hold(&self, id: NodeId) -> bool {
        self.workloads.iter().any(|&w| self.topo.on_node(w, id) > 0)
    }
}

/// `desiredHealthy` of a workload's PDB (`None`: no PDB): `minAvailable`, or the expected
/// count minus `maxUnavailable`, percentages rounded up against the Deployment's replicas
/// (`intstr.GetScaledValueFromIntOrPercent(…, true)`, kubernetes `pkg/controller/disruption`).
fn pdb_desired_healthy(s: &Scenario, view: &WorkloadView<'_>, w: usize) -> Option<i64> {
    let pdb = &s.pdbs[s.workloads[w].pdb?];
    let expected = view.desired[w];
    let scaled = |v: IntOrPercent| match v {
        IntOrPercent::Int(n) => n,
        IntOrPercent::Percent(p) => (p * expected + 99) / 100,
    };
    Some(match pdb.rule {
        PdbRule::MinAvailable(v) => scaled(v),
        PdbRule::MaxUnavailable(v) => expected - scaled(v),
    })
}

/// Current `disruptionsAllowed` of a workload's PDB (`None`: no PDB).
pub fn pdb_allowed(s: &Scenario, view: &WorkloadView<'_>, w: usize) -> Option<i64> {
    pdb_desired_healthy(s, view, w).map(|d| (view.ready[w] - d).max(0))
}

/// True when a workload's PDB currently has at least its desired healthy pods
/// (`currentHealthy >= desiredHealthy`), which lets unhealthy pods be evicted.
pub fn pdb_healthy_budget_met(s: &Scenario, view: &WorkloadView<'_>, w: usize) -> bool {
    pdb_desired_healthy(s, view, w).is_none_or(|d| view.ready[w] >= d)
}

/// `EvictionCost` of a pod: `clamp(1 + deletionCost / 2^27 + priority / 2^25, −10, 10)`.
pub fn eviction_cost(s: &Scenario, w: usize) -> f64 {
    let t = &s.workloads[w].template;
    (1.0 + t.deletion_cost as f64 / 2f64.powi(27) + t.priority as f64 / 2f64.powi(25))
        .clamp(-10.0, 10.0)
}

/// Allowed disruptions per pool for a reason (`BuildDisruptionBudgetMapping`).
pub fn budgets(s: &Scenario, c: &Cluster, reason: DisruptionReason, now: Millis) -> Vec<i64> {
    let mut nodes = vec![0i64; s.node_pools.len()];
    let mut disrupting = vec![0i64; s.node_pools.len()];
    for n in c.live().iter().map(|&id| &c.nodes[id as usize]) {
        let NodeOwner::Pool(p) = n.owner else {
            continue;
        };
        if n.state != NodeState::Ready {
            continue;
        }
        nodes[p] += 1;
        if n.marked_for_deletion {
            disrupting[p] += 1;
        }
    }
    s.node_pools
        .iter()
        .enumerate()
        .map(|(p, pool)| {
            let mut allowed = i64::from(i32::MAX);
            for b in &pool.budgets {
                if !b.reasons.is_empty() && !b.reasons.contains(&reason) {
                    continue;
                }
                if let Some((sched, dur)) = &b.schedule
                    && !sched.active(&s.clock, now, *dur)
                {
                    continue;
                }
                let v = match b.nodes {
                    BudgetNodes::Count(n) => n as i64,
                    BudgetNodes::Percent(pct) => (nodes[p] * pct as i64 + 99) / 100,
                };
                allowed = allowed.min(v);
            }
            (allowed - disrupting[p]).max(0)
        })
        .collect()
}

impl Disruption {
    /// Tries the methods in upstream order. Returns the first command found.
    #[allow(clippy::too_many_arguments)]
    pub fn compute(
        &mut self,
        s: &Scenario,
        c: &mut Cluster,
        topo: &Topology,
        prov: &mut Provisioner,
        view: &WorkloadView<'_>,
        pending: &[PodId],
        now: Millis,
    ) -> Option<Command> {
        if now.saturating_sub(c.last_change) >= FORCE_REEVALUATE_MS {
            c.mark_changed(now);
        }
        let state = c.change_counter;
        let blocking = Blockers::new(&view.blocking(s), topo);
        // Consolidation candidates in order, shared by the multi- and single-node methods.
        let mut per_pool: Option<Vec<Vec<(f64, NodeId)>>> = None;
        let mut shared: Option<(SimulationPods, FreeCapacity)> = None;
        for method in Method::order(s.karpenter.version_minor) {
            let m = method as usize;
            if self.consolidated[m] == Some(state) {
                continue;
            }
            let outcome = match method {
                Method::Emptiness => emptiness(s, c, &blocking, now),
                // Nothing can have drifted before the first drift event.
                Method::Drift if s.drift_events.first().is_none_or(|e| now < e.at_ms) => {
                    Outcome::NoCandidates
                }
                Method::Drift => drift(s, c, topo, prov, &blocking, pending, now),
                Method::MultiNode | Method::SingleNode => {
                    let lists =
                        per_pool.get_or_insert_with(|| keyed_candidates(s, c, &blocking, now));
                    if lists.iter().all(Vec::is_empty) {
                        Outcome::NoCandidates
                    } else {
                        let (others, free) = shared.get_or_insert_with(|| {
                            let others = simulation_pods(s, c, pending);
                            let free = FreeCapacity::new(s, c, prov, &others, now);
                            (others, free)
                        });
                        let pass = Pass {
                            lists,
                            others,
                            free,
                        };
                        if method == Method::MultiNode {
                            multi_node(s, c, topo, prov, &pass, now)
                        } else {
                            single_node(s, c, topo, prov, &pass, now)
                        }
                    }
                }
            };
            match outcome {
                Outcome::Command(cmd) => return Some(*cmd),
                Outcome::Nothing {
                    budget_blocked: false,
                } => self.consolidated[m] = Some(state),
                _ => {}
            }
        }
        None
    }

    /// Re-checks a command after the validation delay (`validation.go`). Returns the command to
    /// execute.
    #[allow(clippy::too_many_arguments)]
    pub fn validate(
        &mut self,
        s: &Scenario,
        c: &Cluster,
        topo: &Topology,
        prov: &mut Provisioner,
        view: &WorkloadView<'_>,
        pending: &[PodId],
        cmd: Command,
        now: Millis,
    ) -> Option<Command> {
        let blocking = Blockers::new(&view.blocking(s), topo);
        if cmd.reason == DisruptionReason::Empty {
            let mut budget = budgets(s, c, DisruptionReason::Empty, now);
            let keep: Vec<NodeId> = cmd
                .candidates
                .iter()
                .copied()
                .filter(|&id| {
                    let ok = candidate(s, c, &blocking, id, now) && is_empty(s, c, id);
                    let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
                        return false;
                    };
                    if ok && budget[p] > 0 {
                        budget[p] -= 1;
                        true
                    } else {
                        false
                    }
                })
                .collect();
            return (!keep.is_empty()).then_some(Command {
                candidates: keep,
                ..cmd
            });
        }
        // Every candidate must still be one, and within its pool's budget.
        let mut budget = budgets(s, c, cmd.reason, now);
        for &id in &cmd.candidates {
            let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
                return None;
            };
            if !candidate(s, c, &blocking, id, now) || budget[p] == 0 {
                return None;
            }
            budget[p] -= 1;
        }
        // `validateCommand`: the re-simulation must give the same kind of result, and a
        // replacement's instance types must still be among those it would now allow.
        let others = simulation_pods(s, c, pending);
        let again = consolidate(s, c, topo, prov, &others, &cmd.candidates, now)?;
        match (cmd.replacements.first(), again.replacements.first()) {
            (None, None) => Some(cmd),
            (Some((claim, _)), Some((now_claim, _))) => {
                let subset = claim.types.iter().all(|t| now_claim.types.get(t));
                subset.then_some(cmd)
            }
            _ => None,
        }
    }
}

/// True when the node has no pod that must be rescheduled: before v1.14 no active pod at all;
/// from v1.14 no active pod with a positive eviction cost (`RescheduleDisruptionCost ≤ 1`).
pub fn is_empty(s: &Scenario, c: &Cluster, id: NodeId) -> bool {
    let n = &c.nodes[id as usize];
    if n.active_pods == 0 {
        return true;
    }
    s.karpenter.version_minor >= 14
        && s.workloads
            .iter()
            .any(|w| w.template.deletion_cost < 0 || w.template.priority < 0)
        && n.pods.iter().all(|&p| {
            let pod = &c.pods[p as usize];
            pod.deleted.is_some() || eviction_cost(s, pod.workload as usize) <= 0.0
        })
}

/// Candidate checks shared by every method (`NewCandidate`, `ValidateNodeDisruptable`,
/// `ValidatePodsDisruptable`), without the consolidation-only `Consolidatable` condition.
fn disruptable(c: &Cluster, blocking: &Blockers<'_>, id: NodeId, now: Millis) -> bool {
    let n = &c.nodes[id as usize];
    if !matches!(n.owner, NodeOwner::Pool(_))
        || n.state != NodeState::Ready
        || n.marked_for_deletion
        || n.nominated_until > now
    {
        return false;
    }
    !blocking.hold(id)
}

/// Consolidation candidate checks: [`disruptable`] and `Consolidatable` (`consolidateAfter` has
/// passed since the node's last pod event).
pub fn candidate(
    s: &Scenario,
    c: &Cluster,
    blocking: &Blockers<'_>,
    id: NodeId,
    now: Millis,
) -> bool {
    let n = &c.nodes[id as usize];
    let NodeOwner::Pool(p) = n.owner else {
        return false;
    };
    let Some(after) = s.node_pools[p].consolidate_after_ms else {
        return false;
    };
    if n.consolidation_clock().is_none_or(|t| now < t + after) {
        return false;
    }
    disruptable(c, blocking, id, now)
}

/// Takes candidates in order while their pool's budget allows, decrementing it; returns those
/// taken and whether a budget held one back.
fn admit(
    c: &Cluster,
    budget: &mut [i64],
    order: impl IntoIterator<Item = NodeId>,
) -> (Vec<NodeId>, bool) {
    let mut blocked = false;
    let mut take = Vec::new();
    for id in order {
        let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
            continue;
        };
        if budget[p] > 0 {
            budget[p] -= 1;
            take.push(id);
        } else {
            blocked = true;
        }
    }
    (take, blocked)
}

fn emptiness(s: &Scenario, c: &Cluster, blocking: &Blockers<'_>, now: Millis) -> Outcome {
    // A pod's eviction cost is at most 0 only with a negative deletion cost or priority.
    let maybe_costless = s.karpenter.version_minor >= 14
        && s.workloads
            .iter()
            .any(|w| w.template.deletion_cost < 0 || w.template.priority < 0);
    let mut cands: Vec<NodeId> = c
        .live()
        .iter()
        .copied()
        .filter(|&id| {
            (c.nodes[id as usize].active_pods == 0 || (maybe_costless && is_empty(s, c, id)))
                && candidate(s, c, blocking, id, now)
        })
        .collect();
    if cands.is_empty() {
        return Outcome::NoCandidates;
    }
    // SavingsRatio descending; for empty nodes that is the price.
    cands.sort_by(|&a, &b| {
        let (na, nb) = (&c.nodes[a as usize], &c.nodes[b as usize]);
        nb.price_per_hour
            .total_cmp(&na.price_per_hour)
            .then(na.name_key.cmp(&nb.name_key))
            .then_with(|| na.name.cmp(&nb.name))
    });
    let mut budget = budgets(s, c, DisruptionReason::Empty, now);
    let (take, blocked) = admit(c, &mut budget, cands);
    if take.is_empty() {
        return Outcome::Nothing {
            budget_blocked: blocked,
        };
    }
    let savings_per_hour = take
        .iter()
        .map(|&id| c.nodes[id as usize].price_per_hour)
        .sum();
    Outcome::Command(Box::new(Command {
        reason: DisruptionReason::Empty,
        method: Method::Emptiness,
        candidates: take,
        replacements: Vec::new(),
        destinations: Vec::new(),
        savings_per_hour,
    }))
}

/// Drift (`drift.go`): drifted nodes, oldest drift first. Every empty drifted candidate within
/// the `Drifted` budget goes in one delete command; otherwise the first non-empty candidate
/// whose pods all schedule (with any number of new NodeClaims) is replaced. Drift ignores
/// `consolidateAfter` and is not re-validated.
fn drift(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    blocking: &Blockers<'_>,
    pending: &[PodId],
    now: Millis,
) -> Outcome {
    // Drift is "eventual" disruption: with a NodePool terminationGracePeriod, pods with
    // `do-not-disrupt` or a blocking PDB do not hold the node back (KC `statenode.go`
    // `ValidatePodsDisruptable`; KC suite_test.go:1034 and :1063).
    let none = Blockers::none(blocking.topo);
    let mut cands: Vec<NodeId> = c
        .live()
        .iter()
        .copied()
        .filter(|&id| {
            let n = &c.nodes[id as usize];
            let eventual = match n.owner {
                NodeOwner::Pool(p) => s.node_pools[p].termination_grace_ms.is_some(),
                NodeOwner::Group(_) => false,
            };
            n.drifted.is_some() && disruptable(c, if eventual { &none } else { blocking }, id, now)
        })
        .collect();
    if cands.is_empty() {
        return Outcome::NoCandidates;
    }
    cands.sort_by(|&a, &b| {
        let (na, nb) = (&c.nodes[a as usize], &c.nodes[b as usize]);
        na.drifted
            .cmp(&nb.drifted)
            .then(na.name_key.cmp(&nb.name_key))
            .then_with(|| na.name.cmp(&nb.name))
    });
    let mut budget = budgets(s, c, DisruptionReason::Drifted, now);
    let empties = cands.iter().copied().filter(|&id| is_empty(s, c, id));
    let (empty, mut blocked) = admit(c, &mut budget, empties);
    if !empty.is_empty() {
        return Outcome::Command(Box::new(Command {
            reason: DisruptionReason::Drifted,
            method: Method::Drift,
            candidates: empty,
            replacements: Vec::new(),
            destinations: Vec::new(),
            savings_per_hour: 0.0,
        }));
    }
    let others = simulation_pods(s, c, pending);
    for id in cands {
        let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
            continue;
        };
        if budget[p] == 0 {
            blocked = true;
            continue;
        }
        let Some(sim) = simulate(s, c, topo, prov, &others, &[id], None, now) else {
            continue;
        };
        let mut replacements = Vec::new();
        let mut new_price = 0.0;
        let mut launchable = true;
        for claim in sim.claims {
            new_price += prov.worst_launch_price(&claim, now, false).unwrap_or(0.0);
            launchable &= prov.launch_overrides(s, &claim, now, false).is_some();
            replacements.push((claim, false));
        }
        if !launchable {
            continue;
        }
        return Outcome::Command(Box::new(Command {
            reason: DisruptionReason::Drifted,
            method: Method::Drift,
            candidates: vec![id],
            replacements,
            destinations: sim.destinations,
            savings_per_hour: c.nodes[id as usize].price_per_hour - new_price,
        }));
    }
    Outcome::Nothing {
        budget_blocked: blocked,
    }
}

/// `uniform` is the eviction cost every workload shares, if they all share one.
fn savings_ratio(c: &Cluster, costs: &[f64], uniform: Option<f64>, id: NodeId) -> f64 {
    let n = &c.nodes[id as usize];
    if let Some(k) = uniform {
        // Every workload has the same eviction cost: the sum is a multiple of the pod count.
        return n.price_per_hour / (1.0 + k * n.active_pods as f64);
    }
    let cost: f64 = n
        .pods
        .iter()
        .filter(|p| c.pods[**p as usize].deleted.is_none())
        .map(|p| costs[c.pods[*p as usize].workload as usize])
        .sum();
    n.price_per_hour / (1.0 + cost)
}

/// `DisruptionCost` (before v1.14): the sum of the pods' eviction costs times the share of the
/// node's `expireAfter` lifetime left (`pkg/utils/disruption/disruption.go`
/// `ReschedulingCost`, `LifetimeRemaining`).
fn disruption_cost(s: &Scenario, c: &Cluster, id: NodeId, now: Millis) -> f64 {
    let n = &c.nodes[id as usize];
    let cost: f64 = n
        .pods
        .iter()
        .filter(|p| c.pods[**p as usize].deleted.is_none())
        .map(|p| eviction_cost(s, c.pods[*p as usize].workload as usize))
        .sum();
    let remaining = match n.owner {
        NodeOwner::Pool(p) => match s.node_pools[p].expire_after_ms {
            Some(e) if e > 0 => {
                let age = now.saturating_sub(n.launched);
                ((e as f64 - age as f64) / e as f64).clamp(0.0, 1.0)
            }
            _ => 1.0,
        },
        NodeOwner::Group(_) => 1.0,
    };
    cost * remaining
}

/// What the consolidation methods of one pass share.
struct Pass<'a> {
    /// Candidates per pool with their sort keys (unsorted).
    lists: &'a [Vec<(f64, NodeId)>],
    /// [`simulation_pods`].
    others: &'a SimulationPods,
    /// Capacity bounds for the quick checks.
    free: &'a FreeCapacity,
}

/// A candidate's place in the order: key ascending, then node name.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct OrderKey<'a>(u64, u128, &'a str, NodeId);

/// Candidates sorted by key, then node name.
fn sorted(c: &Cluster, keyed: &[(f64, NodeId)]) -> Vec<NodeId> {
    let mut v: Vec<OrderKey<'_>> = keyed
        .iter()
        .map(|&(k, id)| {
            let n = &c.nodes[id as usize];
            OrderKey(ordered_bits(k), n.name_key, n.name.as_str(), id)
        })
        .collect();
    v.sort_unstable();
    v.into_iter().map(|k| k.3).collect()
}

/// Maps an `f64` to a `u64` with the same order as `f64::total_cmp`.
fn ordered_bits(k: f64) -> u64 {
    let b = k.to_bits();
    if b >> 63 == 1 { !b } else { b | 1 << 63 }
}

/// Yields candidates in order lazily (a heap): the methods usually stop after a few, so the
/// whole list is rarely sorted.
struct Ordered<'a>(BinaryHeap<Reverse<OrderKey<'a>>>);

impl<'a> Ordered<'a> {
    fn new(c: &'a Cluster, keyed: impl Iterator<Item = (f64, NodeId)>) -> Ordered<'a> {
        Ordered(
            keyed
                .map(|(k, id)| {
                    let n = &c.nodes[id as usize];
                    Reverse(OrderKey(ordered_bits(k), n.name_key, n.name.as_str(), id))
                })
                .collect(),
        )
    }
}

impl Iterator for Ordered<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        self.0.pop().map(|Reverse(k)| k.3)
    }
}

/// Consolidation candidates of `WhenEmptyOrUnderutilized` pools with the key of upstream's
/// order (ascending): v1.14 sorts by `SavingsRatio` descending, earlier releases by
/// `DisruptionCost` ascending; ties by node name. Returned per pool, unsorted.
fn keyed_candidates(
    s: &Scenario,
    c: &Cluster,
    blocking: &Blockers<'_>,
    now: Millis,
) -> Vec<Vec<(f64, NodeId)>> {
    let mut per_pool: Vec<Vec<NodeId>> = vec![Vec::new(); s.node_pools.len()];
    for &id in c.live() {
        let n = &c.nodes[id as usize];
        let NodeOwner::Pool(p) = n.owner else {
            continue;
        };
        if s.node_pools[p].consolidation_policy != ConsolidationPolicy::WhenEmptyOrUnderutilized {
            continue;
        }
        if n.active_pods > 0 && candidate(s, c, blocking, id, now) {
            per_pool[p].push(id);
        }
    }
    let v14 = s.karpenter.version_minor >= 14;
    let costs: Vec<f64> = (0..s.workloads.len())
        .map(|w| eviction_cost(s, w).max(0.0))
        .collect();
    let uniform = costs
        .first()
        .copied()
        .filter(|&k| costs.iter().all(|&x| x == k));
    per_pool
        .into_iter()
        .map(|list| {
            let mut keyed: Vec<(f64, NodeId)> = list
                .iter()
                .map(|&id| {
                    if v14 {
                        (-savings_ratio(c, &costs, uniform, id), id)
                    } else {
                        (disruption_cost(s, c, id, now), id)
                    }
                })
                .collect();
            keyed.shrink_to_fit();
            keyed
        })
        .collect()
}

/// The requests of a node's active pods and the node's free capacity.
fn own_and_free(c: &Cluster, id: NodeId) -> (Resources, Resources) {
    let n = &c.nodes[id as usize];
    (n.active_requested, n.free().max(&Resources::ZERO))
}

/// Aggregate capacity bounds shared by the quick necessary conditions of one pass.
struct FreeCapacity {
    /// Free capacity of nodes a candidate's pods may move to.
    eligible: Resources,
    /// Free capacity of every live, non-deleting node.
    all: Resources,
    /// Requests of the other pods that must fit on existing nodes too.
    committed: Resources,
    /// The largest allocatable of any instance type any pool may launch (a replacement's most).
    largest_new: Resources,
}

impl FreeCapacity {
    fn new(
        s: &Scenario,
        c: &Cluster,
        prov: &mut Provisioner,
        others: &SimulationPods,
        now: Millis,
    ) -> FreeCapacity {
        let restrict = s.karpenter.version_minor >= 14;
        // Karpenter v1.14 keeps moved pods off nodes still inside their consolidateAfter window.
        let eligible = |n: &crate::cluster::Node| {
            n.state == NodeState::Ready
                && !n.marked_for_deletion
                && match n.owner {
                    NodeOwner::Pool(p) if restrict => {
                        s.node_pools[p].consolidate_after_ms.is_none_or(|after| {
                            after == 0 || n.consolidation_clock().is_some_and(|t| t + after <= now)
                        })
                    }
                    _ => true,
                }
        };
        let live = || c.live().iter().map(|&id| &c.nodes[id as usize]);
        let eligible_free = live()
            .filter(|n| eligible(n))
            .fold(Resources::ZERO, |a, n| a + n.free().max(&Resources::ZERO));
        let all = live()
            .filter(|n| n.alive() && !n.marked_for_deletion)
            .fold(Resources::ZERO, |a, n| a + n.free().max(&Resources::ZERO));
        // Pods every simulation must also fit on existing nodes: those of deleting nodes, and
        // pending pods that would otherwise certainly get a new NodeClaim.
        let committed = others.ids.iter().fold(Resources::ZERO, |a, &p| {
            let pod = &c.pods[p as usize];
            let w = pod.workload as usize;
            if pod.node.is_some() || prov.surely_provisionable(s, w, now) {
                a + s.workloads[w].template.requests
            } else {
                a
            }
        });
        let largest_new = prov
            .pools
            .iter()
            .flat_map(|p| p.allocatable.iter())
            .fold(Resources::ZERO, |a, r| a.max(r));
        FreeCapacity {
            eligible: eligible_free,
            all,
            committed,
            largest_new,
        }
    }

    /// A necessary condition for the candidates' pods to be re-placed: they fit in the free
    /// capacity of the other nodes plus, when a replacement is possible, one new node. Failing
    /// it, the full simulation would fail too, so skipping it changes no decision.
    /// `own` are the candidates' pods' requests, `own_free` their free capacity.
    fn may_fit(&self, own: Resources, own_free: Resources, replaceable: bool) -> bool {
        let extra = if replaceable {
            self.largest_new
        } else {
            Resources::ZERO
        };
        (own).fits_in(&(self.eligible - own_free + extra))
            && (own + self.committed).fits_in(&(self.all - own_free + extra))
    }
}

/// True when a command over these candidates may launch a replacement: not every candidate is
/// spot, or the `SpotToSpotConsolidation` gate is on.
fn replaceable(s: &Scenario, c: &Cluster, ids: &[NodeId]) -> bool {
    s.karpenter.spot_to_spot
        || ids
            .iter()
            .any(|&id| c.nodes[id as usize].capacity_type == CapacityType::OnDemand)
}

/// Multi-node consolidation (`multinodeconsolidation.go`): the candidates in order, filtered by
/// the `Underutilized` budgets, at most 100; a binary search for the longest prefix (of at least
/// two) that gives a delete or a single cheaper replacement.
fn multi_node(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    pass: &Pass<'_>,
    now: Millis,
) -> Outcome {
    // Upstream sorts all candidates together, whatever their pool, and filters them by budget
    // in that order; only the first 101 can be used.
    let all = Ordered::new(c, pass.lists.iter().flatten().copied());
    let mut budget = budgets(s, c, DisruptionReason::Underutilized, now);
    // A budget holds a candidate back when its pool has more candidates than it allows.
    let blocked = pass
        .lists
        .iter()
        .zip(&budget)
        .any(|(l, &b)| l.len() as i64 > b);
    let mut cands = Vec::new();
    // Candidates the budgets can still admit; once none, the rest need not be ordered.
    let mut admissible: i64 = pass
        .lists
        .iter()
        .zip(&budget)
        .map(|(l, &b)| b.min(l.len() as i64))
        .sum();
    for id in all {
        if cands.len() > MULTI_NODE_MAX_CANDIDATES || admissible == 0 {
            break;
        }
        let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
            continue;
        };
        if budget[p] > 0 {
            budget[p] -= 1;
            admissible -= 1;
            cands.push(id);
        }
    }
    if cands.len() < 2 {
        return Outcome::Nothing {
            budget_blocked: blocked,
        };
    }
    let (others, free) = (pass.others, pass.free);
    // Prefix sums of the candidates' requests and free capacity, for the quick check.
    let mut prefix_sums = Vec::with_capacity(cands.len());
    let mut acc = (Resources::ZERO, Resources::ZERO);
    for &id in &cands {
        let (own, own_free) = own_and_free(c, id);
        acc = (acc.0 + own, acc.1 + own_free);
        prefix_sums.push(acc);
    }
    let (mut lo, mut hi) = (1usize, (cands.len() - 1).min(MULTI_NODE_MAX_CANDIDATES));
    let mut best = None;
    while lo <= hi {
        let mid = (lo + hi) / 2;
        let prefix = &cands[..=mid];
        let (own, own_free) = prefix_sums[mid];
        let found = if free.may_fit(own, own_free, replaceable(s, c, prefix)) {
            consolidate(s, c, topo, prov, others, prefix, now)
        } else {
            None
        };
        match found {
            Some(cmd) => {
                best = Some(cmd);
                lo = mid + 1;
            }
            None => hi = mid - 1,
        }
    }
    match best {
        Some(mut cmd) => {
            cmd.method = Method::MultiNode;
            Outcome::Command(Box::new(cmd))
        }
        None => Outcome::Nothing {
            budget_blocked: blocked,
        },
    }
}

fn single_node(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    pass: &Pass<'_>,
    now: Millis,
) -> Outcome {
    // Each pool's candidates in order (usually all are tried, so sorting beats a heap),
    // interleaved round-robin across pools.
    let per_pool: Vec<Vec<NodeId>> = pass.lists.iter().map(|l| sorted(c, l)).collect();
    let longest = per_pool.iter().map(Vec::len).max().unwrap_or(0);
    let mut order =
        (0..longest).flat_map(|i| per_pool.iter().filter_map(move |l| l.get(i).copied()));
    let budget = budgets(s, c, DisruptionReason::Underutilized, now);
    let (others, free) = (pass.others, pass.free);
    let mut blocked = false;
    for id in order.by_ref() {
        let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
            continue;
        };
        if budget[p] == 0 {
            blocked = true;
            continue;
        }
        // Without a cheaper replacement (a spot node with spot-to-spot off can only be
        // deleted), the candidate's pods must fit in the others' free capacity.
        if !replaceable(s, c, &[id]) {
            let (own, own_free) = own_and_free(c, id);
            if !free.may_fit(own, own_free, false) {
                continue;
            }
        }
        if let Some(cmd) = consolidate(s, c, topo, prov, others, &[id], now) {
            return Outcome::Command(Box::new(cmd));
        }
    }
    Outcome::Nothing {
        budget_blocked: blocked,
    }
}

/// The pods every consolidation simulation places besides the candidates' own: pods without a
/// node (`pending`: every unbound pod, so that pods just displaced by a command are seen) and
/// the pods of nodes marked for deletion.
pub fn simulation_pods(s: &Scenario, c: &Cluster, pending: &[PodId]) -> SimulationPods {
    let mut pods = pending.to_vec();
    for n in c.live().iter().map(|&id| &c.nodes[id as usize]) {
        if n.alive() && n.marked_for_deletion {
            pods.extend(
                n.pods
                    .iter()
                    .copied()
                    .filter(|p| c.pods[*p as usize].deleted.is_none()),
            );
        }
    }
    SimulationPods {
        order: PodOrder::new(s, c, &pods),
        ids: pods,
    }
}

/// Pods common to every simulation of one disruption pass, sorted once.
pub struct SimulationPods {
    ids: Vec<PodId>,
    order: PodOrder,
}

/// The result of simulating the candidates' removal.
struct Simulated {
    /// New NodeClaims needed (before the price filter).
    claims: Vec<Claim>,
    /// Existing nodes that received pods.
    destinations: Vec<NodeId>,
}

/// `SimulateScheduling` for a set of candidates: `None` when they cannot go (a pod that was
/// running fails or one of theirs lands on an uninitialized node, or more than `max_new_claims`
/// NodeClaims are needed).
#[allow(clippy::too_many_arguments)]
fn simulate(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    others: &SimulationPods,
    ids: &[NodeId],
    max_new_claims: Option<usize>,
    now: Millis,
) -> Option<Simulated> {
    if max_new_claims == Some(0) && ids.len() == 1 {
        // Every pod must land on another existing node: if some workload has more pods than
        // the other nodes could each take on their own, the simulation cannot succeed.
        for w in 0..s.workloads.len() {
            let count: i64 = ids.iter().map(|&id| i64::from(topo.on_node(w, id))).sum();
            if count > 0 && prov.destination_slots(s, c, w, ids, now) < count {
                return None;
            }
        }
    }
    let own: Vec<PodId> = ids
        .iter()
        .flat_map(|&id| c.nodes[id as usize].pods.iter().copied())
        .filter(|p| c.pods[*p as usize].deleted.is_none())
        .collect();
    let mut pods: Vec<PodId> = others.ids.clone();
    pods.extend(own.iter().copied());
    let order = others.order.merged_ids(&PodOrder::new(s, c, &own));
    // Before v1.14 moved pods may land on nodes inside their consolidateAfter window.
    let restricted_pods = if s.karpenter.version_minor >= 14 {
        own.iter().copied().collect::<BTreeSet<_>>()
    } else {
        BTreeSet::new()
    };
    let opts = SolveOptions {
        exclude: ids.to_vec(),
        restricted_pods,
        allow_new: true,
        max_new_claims,
    };
    let sol = prov.solve_ordered(s, c, topo, &pods, order, &opts, now);

    if sol.aborted {
        return None;
    }
    // `AllNonPendingPodsScheduled`: every pod that was running — the candidates' and those of
    // deleting nodes — must be placed; pending pods may fail.
    if sol
        .unschedulable
        .iter()
        .any(|p| c.pods[*p as usize].node.is_some())
    {
        return None;
    }
    // The candidates' pods may not land on uninitialized nodes (`UninitializedNodeError`).
    let own_set: BTreeSet<PodId> = own.iter().copied().collect();
    if sol
        .on_existing
        .iter()
        .any(|(p, node)| own_set.contains(p) && c.nodes[*node as usize].state != NodeState::Ready)
    {
        return None;
    }
    if max_new_claims.is_some_and(|m| sol.claims.len() > m) {
        return None;
    }
    let mut destinations: Vec<NodeId> = sol.on_existing.iter().map(|(_, node)| *node).collect();
    destinations.sort_unstable();
    destinations.dedup();
    Some(Simulated {
        claims: sol.claims,
        destinations,
    })
}

/// `computeConsolidation` for a set of candidates. `others` are [`simulation_pods`].
pub fn consolidate(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    others: &SimulationPods,
    ids: &[NodeId],
    now: Millis,
) -> Option<Command> {
    let can_replace = replaceable(s, c, ids);
    let sim = simulate(
        s,
        c,
        topo,
        prov,
        others,
        ids,
        Some(usize::from(can_replace)),
        now,
    )?;
    let candidate_price: f64 = ids
        .iter()
        .map(|&id| c.nodes[id as usize].price_per_hour)
        .sum();
    let Some(mut claim) = sim.claims.into_iter().next() else {
        return Some(Command {
            reason: DisruptionReason::Underutilized,
            method: if ids.len() == 1 {
                Method::SingleNode
            } else {
                Method::MultiNode
            },
            candidates: ids.to_vec(),
            replacements: Vec::new(),
            destinations: sim.destinations,
            savings_per_hour: candidate_price,
        });
    };
    let spot_allowed = claim
        .allowed
        .iter()
        .any(|i| prov.table.decode(i).2 == CapacityType::Spot);
    let all_spot = ids
        .iter()
        .all(|&id| c.nodes[id as usize].capacity_type == CapacityType::Spot);
    let force_spot = if all_spot && spot_allowed {
        // Spot-to-spot (`computeSpotToSpotConsolidation`).
        if !s.karpenter.spot_to_spot {
            return None;
        }
        prov.keep_cheaper_than(&mut claim, candidate_price, now, true);
        if ids.len() == 1 {
            if claim.types.iter().count() < MIN_SPOT_TO_SPOT_TYPES {
                return None;
            }
            prov.keep_cheapest_spot_types(&mut claim, MIN_SPOT_TO_SPOT_TYPES, now);
        }
        true
    } else {
        prov.keep_cheaper_than(&mut claim, candidate_price, now, false);
        spot_allowed
    };
    if ids.len() > 1 {
        // `filterOutSameInstanceType`: if a replacement option is the instance type of some
        // candidate, keep only options cheaper than the cheapest such candidate, so a
        // replacement is never a node like those it replaces.
        let same = ids
            .iter()
            .map(|&id| &c.nodes[id as usize])
            .filter(|n| claim.types.get(n.instance_type))
            .map(|n| n.price_per_hour)
            .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.min(p))));
        if let Some(limit) = same {
            prov.keep_cheaper_than(&mut claim, limit, now, force_spot);
        }
    }
    if claim.types.is_empty() {
        return None;
    }
    prov.launch_overrides(s, &claim, now, force_spot)?;
    let new_price = prov
        .worst_launch_price(&claim, now, force_spot)
        .unwrap_or(0.0);
    Some(Command {
        reason: DisruptionReason::Underutilized,
        method: if ids.len() == 1 {
            Method::SingleNode
        } else {
            Method::MultiNode
        },
        candidates: ids.to_vec(),
        replacements: vec![(claim, force_spot)],
        destinations: sim.destinations,
        savings_per_hour: candidate_price - new_price,
    })
}
