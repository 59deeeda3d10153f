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
use std::collections::BTreeSet;

/// `pollingPeriod`.
pub const POLL_MS: Millis = 10_000;
/// `commandValidationDelay`.
pub const VALIDATION_MS: Millis = 15_000;
/// Forced re-evaluation after the last cluster change.
pub const FORCE_REEVALUATE_MS: Millis = 300_000;
/// `MinInstanceTypesForSpotToSpotConsolidation`.
pub const MIN_SPOT_TO_SPOT_TYPES: usize = 15;

/// A disruption command.
#[derive(Debug, Clone)]
pub struct Command {
    /// Why.
    pub reason: DisruptionReason,
    /// Nodes to remove.
    pub candidates: Vec<NodeId>,
    /// The replacement NodeClaim, if any, and whether it must launch as spot.
    pub replacement: Option<(Claim, bool)>,
    /// Existing nodes the simulation moved pods to; starting the command nominates them
    /// (`queue.go` `StartCommand`, `Results.Record`).
    pub destinations: Vec<NodeId>,
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
    /// Per method (emptiness, single-node): the cluster state it last found nothing in.
    consolidated: [Option<u64>; 2],
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
    for n in &c.nodes {
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
    fn is_consolidated(&self, method: usize, state: u64) -> bool {
        self.consolidated[method] == Some(state)
    }

    /// Tries emptiness, then single-node consolidation. Returns a command to validate.
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
        let blocking = view.blocking(s);
        if !self.is_consolidated(0, state) {
            match emptiness(s, c, &blocking, now) {
                Outcome::Command(cmd) => return Some(*cmd),
                Outcome::Nothing {
                    budget_blocked: false,
                } => self.consolidated[0] = Some(state),
                _ => {}
            }
        }
        if !self.is_consolidated(1, state) {
            match single_node(s, c, topo, prov, &blocking, pending, now) {
                Outcome::Command(cmd) => return Some(*cmd),
                Outcome::Nothing {
                    budget_blocked: false,
                } => self.consolidated[1] = Some(state),
                _ => {}
            }
        }
        None
    }

    /// Re-checks a command after the validation delay. Returns the command to execute.
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
        let blocking = view.blocking(s);
        match cmd.reason {
            DisruptionReason::Empty => {
                let mut budget = budgets(s, c, DisruptionReason::Empty, now);
                let keep: Vec<NodeId> = cmd
                    .candidates
                    .iter()
                    .copied()
                    .filter(|&id| {
                        let ok = candidate(s, c, &blocking, id, now)
                            && c.nodes[id as usize].active_pods == 0;
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
                (!keep.is_empty()).then_some(Command {
                    candidates: keep,
                    ..cmd
                })
            }
            _ => {
                let id = cmd.candidates[0];
                let NodeOwner::Pool(p) = c.nodes[id as usize].owner else {
                    return None;
                };
                if !candidate(s, c, &blocking, id, now)
                    || c.nodes[id as usize].active_pods == 0
                    || budgets(s, c, DisruptionReason::Underutilized, now)[p] == 0
                {
                    return None;
                }
                // `validateCommand`: the re-simulation must give the same kind of result, and a
                // replacement's instance types must still be among those it would now allow.
                let others = simulation_pods(s, c, pending);
                let sim = simulate(s, c, topo, prov, &others, id, now)?;
                match (&cmd.replacement, sim) {
                    (None, Simulated::Delete { .. }) => Some(cmd),
                    (
                        Some((claim, _)),
                        Simulated::Replace {
                            claim: now_claim, ..
                        },
                    ) => {
                        let subset = claim.types.iter().all(|t| now_claim.types.get(t));
                        subset.then_some(cmd)
                    }
                    _ => None,
                }
            }
        }
    }
}

/// Common candidate checks (`NewCandidate`, `ValidateNodeDisruptable`, `ValidatePodsDisruptable`,
/// `Consolidatable`).
pub fn candidate(s: &Scenario, c: &Cluster, blocking: &[bool], id: NodeId, now: Millis) -> bool {
    let n = &c.nodes[id as usize];
    let NodeOwner::Pool(p) = n.owner else {
        return false;
    };
    if n.state != NodeState::Ready || n.marked_for_deletion || n.nominated_until > now {
        return false;
    }
    let Some(after) = s.node_pools[p].consolidate_after_ms else {
        return false;
    };
    if n.consolidation_clock().is_none_or(|t| now < t + after) {
        return false;
    }
    // `blocking` is all false in the common case: then no pod can block.
    !(blocking.contains(&true)
        && n.pods.iter().any(|&pod| {
            let pd = &c.pods[pod as usize];
            pd.deleted.is_none() && blocking[pd.workload as usize]
        }))
}

fn emptiness(s: &Scenario, c: &Cluster, blocking: &[bool], now: Millis) -> Outcome {
    let mut cands: Vec<NodeId> = (0..c.nodes.len() as NodeId)
        .filter(|&id| c.nodes[id as usize].active_pods == 0 && candidate(s, c, blocking, id, now))
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
    let mut blocked = false;
    let mut take = Vec::new();
    for id in cands {
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
    if take.is_empty() {
        return Outcome::Nothing {
            budget_blocked: blocked,
        };
    }
    Outcome::Command(Box::new(Command {
        reason: DisruptionReason::Empty,
        candidates: take,
        replacement: None,
        destinations: Vec::new(),
    }))
}

fn savings_ratio(c: &Cluster, costs: &[f64], id: NodeId) -> f64 {
    let n = &c.nodes[id as usize];
    if let Some(&first) = costs.first()
        && costs.iter().all(|&k| k == first)
    {
        // Every workload has the same eviction cost: the sum is a multiple of the pod count.
        return n.price_per_hour / (1.0 + first * n.active_pods as f64);
    }
    let cost: f64 = n
        .pods
        .iter()
        .filter(|p| c.pods[**p as usize].deleted.is_none())
        .map(|p| costs[c.pods[*p as usize].workload as usize])
        .sum();
    n.price_per_hour / (1.0 + cost)
}

fn single_node(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    blocking: &[bool],
    pending: &[PodId],
    now: Millis,
) -> Outcome {
    let mut per_pool: Vec<Vec<NodeId>> = vec![Vec::new(); s.node_pools.len()];
    for id in 0..c.nodes.len() as NodeId {
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
    let costs: Vec<f64> = (0..s.workloads.len())
        .map(|w| eviction_cost(s, w).max(0.0))
        .collect();
    for list in per_pool.iter_mut() {
        let mut keyed: Vec<(f64, NodeId)> = list
            .iter()
            .map(|&id| (savings_ratio(c, &costs, id), id))
            .collect();
        keyed.sort_by(|a, b| {
            b.0.total_cmp(&a.0)
                .then(
                    c.nodes[a.1 as usize]
                        .name_key
                        .cmp(&c.nodes[b.1 as usize].name_key),
                )
                .then_with(|| c.nodes[a.1 as usize].name.cmp(&c.nodes[b.1 as usize].name))
        });
        *list = keyed.into_iter().map(|k| k.1).collect();
    }
    // Interleave round-robin across pools.
    let mut order = Vec::new();
    let longest = per_pool.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..longest {
        for list in &per_pool {
            if let Some(&id) = list.get(i) {
                order.push(id);
            }
        }
    }
    if order.is_empty() {
        return Outcome::NoCandidates;
    }
    let budget = budgets(s, c, DisruptionReason::Underutilized, now);
    // Free capacity of every node a candidate's pods may move to (Karpenter v1.14 keeps them off
    // nodes still inside their consolidateAfter window), for a quick necessary condition.
    let eligible = |n: &crate::cluster::Node| {
        n.state == NodeState::Ready
            && !n.marked_for_deletion
            && match n.owner {
                NodeOwner::Pool(p) => s.node_pools[p].consolidate_after_ms.is_none_or(|after| {
                    after == 0 || n.consolidation_clock().is_some_and(|t| t + after <= now)
                }),
                NodeOwner::Group(_) => true,
            }
    };
    let total_free = c
        .nodes
        .iter()
        .filter(|n| eligible(n))
        .fold(Resources::ZERO, |a, n| a + n.free().max(&Resources::ZERO));
    let others = simulation_pods(s, c, pending);
    // Pods every delete-only simulation must also fit on existing nodes: those of deleting
    // nodes, and pending pods that would otherwise certainly get a new NodeClaim (a pool without
    // limits can host them). With the free capacity of all live nodes this bounds what is left
    // for a candidate's pods.
    let all_free = c
        .nodes
        .iter()
        .filter(|n| n.alive() && !n.marked_for_deletion)
        .fold(Resources::ZERO, |a, n| a + n.free().max(&Resources::ZERO));
    let committed = others.ids.iter().fold(Resources::ZERO, |a, &p| {
        let pod = &c.pods[p as usize];
        let w = pod.workload as usize;
        if pod.node.is_some() || prov.surely_provisionable(s, w, now) {
            a + s.workloads[w].template.requests
        } else {
            a
        }
    });
    let mut blocked = false;
    for id in order {
        let n = &c.nodes[id as usize];
        let NodeOwner::Pool(p) = n.owner else {
            continue;
        };
        if budget[p] == 0 {
            blocked = true;
            continue;
        }
        // Without a cheaper replacement (a spot node with spot-to-spot off can only be
        // deleted), the candidate's pods must fit in the others' free capacity: skip the full
        // simulation when even the aggregate is too small. This changes no decision.
        let can_replace = n.capacity_type == CapacityType::OnDemand || s.karpenter.spot_to_spot;
        if !can_replace {
            let own = n
                .pods
                .iter()
                .filter(|p| c.pods[**p as usize].deleted.is_none())
                .fold(Resources::ZERO, |a, p| {
                    a + s.workloads[c.pods[*p as usize].workload as usize]
                        .template
                        .requests
                });
            let others_free = total_free - n.free().max(&Resources::ZERO);
            let everyone_free = all_free - n.free().max(&Resources::ZERO);
            if !own.fits_in(&others_free) || !(own + committed).fits_in(&everyone_free) {
                continue;
            }
        }
        if let Some(cmd) = consolidate_one(s, c, topo, prov, &others, id, now) {
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
    for n in &c.nodes {
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

/// Pods common to every simulation of one consolidation pass, sorted once.
pub struct SimulationPods {
    ids: Vec<PodId>,
    order: PodOrder,
}

/// The result of simulating a candidate's removal.
enum Simulated {
    /// Every pod fits on existing nodes.
    Delete {
        /// Nodes that received pods.
        destinations: Vec<NodeId>,
    },
    /// Exactly one new NodeClaim is needed (before the price filter).
    Replace {
        /// The NodeClaim.
        claim: Claim,
        /// Nodes that received pods.
        destinations: Vec<NodeId>,
    },
}

/// `SimulateScheduling` for one candidate: `None` when the candidate cannot go (a pod that was
/// running fails or lands on an uninitialized node, or more than one NodeClaim is needed, or
/// — for a candidate that can only be deleted — any NodeClaim is needed).
fn simulate(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    others: &SimulationPods,
    id: NodeId,
    now: Millis,
) -> Option<Simulated> {
    let n = &c.nodes[id as usize];
    let own: Vec<PodId> = n
        .pods
        .iter()
        .copied()
        .filter(|p| c.pods[*p as usize].deleted.is_none())
        .collect();
    // A spot candidate without spot-to-spot consolidation can only be deleted, so the first
    // new NodeClaim already decides the answer; otherwise a second one does.
    let replaceable = n.capacity_type == CapacityType::OnDemand || s.karpenter.spot_to_spot;
    if !replaceable {
        // Every pod must land on another existing node: if some workload has more pods than
        // the other nodes could each take on their own, the simulation cannot succeed.
        let mut per_workload: Vec<(usize, i64)> = Vec::new();
        for &p in &own {
            let w = c.pods[p as usize].workload as usize;
            match per_workload.iter_mut().find(|e| e.0 == w) {
                Some(e) => e.1 += 1,
                None => per_workload.push((w, 1)),
            }
        }
        for &(w, count) in &per_workload {
            if prov.destination_slots(s, c, w, id, now) < count {
                return None;
            }
        }
    }
    let mut pods: Vec<PodId> = others.ids.clone();
    pods.extend(own.iter().copied());
    let order = others.order.merged_ids(&PodOrder::new(s, c, &own));
    let opts = SolveOptions {
        exclude: vec![id],
        restricted_pods: own.iter().copied().collect::<BTreeSet<_>>(),
        allow_new: true,
        max_new_claims: Some(usize::from(replaceable)),
    };
    let sol = prov.solve_ordered(s, c, topo, &pods, order, &opts, now);

    if sol.aborted {
        return None;
    }
    // `AllNonPendingPodsScheduled`: every pod that was running — the candidate's and those of
    // deleting nodes — must be placed; pending pods may fail.
    if sol
        .unschedulable
        .iter()
        .any(|p| c.pods[*p as usize].node.is_some())
    {
        return None;
    }
    // The candidate's pods may not land on uninitialized nodes (`UninitializedNodeError`).
    let own_set: BTreeSet<PodId> = own.iter().copied().collect();
    if sol
        .on_existing
        .iter()
        .any(|(p, node)| own_set.contains(p) && c.nodes[*node as usize].state != NodeState::Ready)
    {
        return None;
    }
    let mut destinations: Vec<NodeId> = sol.on_existing.iter().map(|(_, node)| *node).collect();
    destinations.sort_unstable();
    destinations.dedup();
    match sol.claims.len() {
        0 => Some(Simulated::Delete { destinations }),
        1 => Some(Simulated::Replace {
            claim: sol.claims.into_iter().next().expect("one claim"),
            destinations,
        }),
        _ => None,
    }
}

/// `computeConsolidation` for a single candidate. `others` are [`simulation_pods`].
pub fn consolidate_one(
    s: &Scenario,
    c: &Cluster,
    topo: &Topology,
    prov: &mut Provisioner,
    others: &SimulationPods,
    id: NodeId,
    now: Millis,
) -> Option<Command> {
    let n = &c.nodes[id as usize];
    let (mut claim, destinations) = match simulate(s, c, topo, prov, others, id, now)? {
        Simulated::Delete { destinations } => {
            return Some(Command {
                reason: DisruptionReason::Underutilized,
                candidates: vec![id],
                replacement: None,
                destinations,
            });
        }
        Simulated::Replace {
            claim,
            destinations,
        } => (claim, destinations),
    };
    let candidate_price = n.price_per_hour;
    let spot_allowed = claim
        .allowed
        .iter()
        .any(|i| prov.table.decode(i).2 == CapacityType::Spot);
    let force_spot = if n.capacity_type == CapacityType::Spot && spot_allowed {
        // Spot-to-spot (`computeSpotToSpotConsolidation`).
        if !s.karpenter.spot_to_spot {
            return None;
        }
        prov.keep_cheaper_than(&mut claim, candidate_price, now, true);
        if claim.types.iter().count() < MIN_SPOT_TO_SPOT_TYPES {
            return None;
        }
        true
    } else {
        prov.keep_cheaper_than(&mut claim, candidate_price, now, false);
        spot_allowed
    };
    if claim.types.is_empty() {
        return None;
    }
    prov.launch_overrides(s, &claim, now, force_spot)?;
    Some(Command {
        reason: DisruptionReason::Underutilized,
        candidates: vec![id],
        replacement: Some((claim, force_spot)),
        destinations,
    })
}
