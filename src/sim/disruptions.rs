//! Forceful disruptions and the descheduler: `expireAfter`, spot interruptions, drift events
//! and `PodLifeTime`.
//!
//! Sources:
//! - Expiration: kubernetes-sigs/karpenter v1.14.1 `pkg/controllers/nodeclaim/expiration/
//!   controller.go` — at `creationTimestamp + expireAfter` the NodeClaim is deleted; budgets do
//!   not apply.
//! - Interruption: aws/karpenter-provider-aws `pkg/controllers/interruption/controller.go` — a
//!   spot interruption warning cordons and drains the node (deletes the NodeClaim) and marks the
//!   offering unavailable; EC2 reclaims the instance 2 minutes after the notice
//!   (<https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/spot-instance-termination-notices.html>).
//! - Interruption rate: the Spot Instance Advisor's "frequency of interruption", the share of
//!   instances reclaimed over the trailing month, per region and instance type
//!   (`cloud::spot_advisor` defaults, or `spec.capacity[].interruptionFrequency`). ksim
//!   turns it into a constant hazard `λ = −ln(1 − f) / 30 days`, so a fraction `f` of instances
//!   that run 30 days are interrupted, and draws each spot instance's notice time from it.
//! - Termination: `pkg/controllers/node/termination/terminator/terminator.go` — with a NodePool
//!   `terminationGracePeriod`, each pod is deleted at `nodeTerminationTime −
//!   terminationGracePeriodSeconds` whatever its PDB or `do-not-disrupt` say.
//! - Descheduler: kubernetes-sigs/descheduler `pkg/framework/plugins/podlifetime/
//!   pod_lifetime.go` — pods strictly older than `maxPodLifeTimeSeconds`, oldest first,
//!   through the Eviction API (PDBs respected), within `maxNoOfPodsToEvictPerNode/Total`.

use super::{Event, Phase, Sim};
use crate::cloud::pricing::CapacityType;
use crate::cluster::{Eviction, NodeId, NodeOwner, NodeState, PodCause, PodId, RemovalReason};
use crate::engine::Millis;
use crate::karpenter::disruption::{self, WorkloadView};
use crate::scenario::InterruptionAmount;
use rand::RngExt;

/// EC2 reclaims a spot instance this long after its interruption notice.
pub const SPOT_NOTICE_MS: Millis = 120_000;

/// The month over which the Spot Instance Advisor measures interruption frequency (30 days).
pub const INTERRUPTION_WINDOW_MS: Millis = 30 * 24 * 3_600_000;

/// Milliseconds until a spot instance's interruption notice, drawn from the constant hazard
/// that interrupts a fraction `f` of instances within [`INTERRUPTION_WINDOW_MS`]; `None` when
/// `f` is 0.
pub fn time_to_interruption_ms(f: f64, u: f64) -> Option<Millis> {
    if f <= 0.0 {
        return None;
    }
    let rate_per_ms = -(1.0 - f.min(1.0 - 1e-9)).ln() / INTERRUPTION_WINDOW_MS as f64;
    let t = -(1.0 - u).ln() / rate_per_ms;
    (t.is_finite() && t < 1e15).then_some(t as Millis)
}

impl Sim<'_> {
    /// Arms a new Karpenter node's expiry and, for spot, its interruption draw.
    pub(super) fn arm_node_lifecycle(&mut self, id: NodeId, now: Millis) {
        let n = &self.c.nodes[id as usize];
        let NodeOwner::Pool(p) = n.owner else {
            return;
        };
        let (it, zone, ct) = (n.instance_type, n.zone, n.capacity_type);
        let end = self.s.duration_ms;
        if let Some(e) = self.s.node_pools[p].expire_after_ms
            && now + e < end
        {
            self.schedule(now + e, Phase::Lifecycle, Event::Expire(id));
        }
        if ct == CapacityType::Spot {
            let f = self
                .s
                .capacity
                .pool(it, zone, ct, now)
                .interruption_frequency;
            if f > 0.0 {
                let u: f64 = self.rng_interruptions.random();
                if let Some(t) = time_to_interruption_ms(f, u)
                    && now.saturating_add(t) < end
                {
                    self.schedule(now + t, Phase::Lifecycle, Event::InterruptionNotice(id));
                }
            }
        }
    }

    /// Schedules the scenario's interruption trace, drift events and descheduler runs.
    pub(super) fn arm_disruption_inputs(&mut self) {
        let s = self.s;
        for (k, e) in s.spot_interruptions.iter().enumerate() {
            if e.at_ms < s.duration_ms {
                self.schedule(
                    e.at_ms,
                    Phase::Lifecycle,
                    Event::InterruptionTrace(k as u32),
                );
            }
        }
        for (k, e) in s.drift_events.iter().enumerate() {
            if e.at_ms < s.duration_ms {
                self.schedule(e.at_ms, Phase::Lifecycle, Event::DriftAt(k as u32));
            }
        }
        for (w, wl) in s.workloads.iter().enumerate() {
            for (k, &(at, _)) in wl.replica_schedule.iter().enumerate() {
                if at > 0 && at < s.duration_ms {
                    self.schedule(
                        at,
                        Phase::Controllers,
                        Event::ScriptedScale(w as u32, k as u32),
                    );
                }
            }
        }
        if let Some(d) = &s.descheduler
            && d.interval_ms < s.duration_ms
        {
            self.schedule(d.interval_ms, Phase::Controllers, Event::DeschedulerRun);
        }
    }

    /// Deletes a NodeClaim forcefully (expiry, interruption): not limited by budgets, its node
    /// is cordoned and drained at once, and provisioning runs for its pods.
    fn delete_forcefully(&mut self, id: NodeId, reason: RemovalReason) {
        let now = self.now();
        let n = &self.c.nodes[id as usize];
        if !n.alive() {
            return;
        }
        if n.state == NodeState::Launching {
            // No node yet: the NodeClaim goes, and any command waiting on it fails.
            self.c.terminate_node(id, now, reason);
            self.fail_commands_waiting_on(id);
            if !self.pending_unschedulable.is_empty() {
                self.trigger_batch();
            }
            return;
        }
        if n.marked_for_deletion {
            // Already being disrupted: a command that was waiting for replacements drains now.
            self.executing
                .retain(|(cmd, _)| !cmd.candidates.contains(&id));
        }
        self.c.mark_for_deletion(id, reason, now);
        self.start_drain(id);
        self.trigger_batch();
    }

    pub(super) fn on_expire(&mut self, id: NodeId) {
        if !self.c.nodes[id as usize].alive() {
            return;
        }
        self.dis.expirations += 1;
        self.delete_forcefully(id, RemovalReason::Expired);
    }

    pub(super) fn on_interruption_notice(&mut self, id: NodeId) {
        let now = self.now();
        let n = &self.c.nodes[id as usize];
        if !n.alive() {
            return;
        }
        self.dis.interruption_notices += 1;
        let offering = self
            .prov
            .table
            .idx(n.instance_type, n.zone, CapacityType::Spot);
        self.prov.mark_unavailable(offering, now);
        self.delete_forcefully(id, RemovalReason::Interrupted);
        if self.c.nodes[id as usize].alive() {
            self.schedule(
                now + SPOT_NOTICE_MS,
                Phase::Lifecycle,
                Event::InstanceGone(id),
            );
        }
    }

    /// EC2 reclaims the instance: pods still on it are gone at once.
    pub(super) fn on_instance_gone(&mut self, id: NodeId) {
        let now = self.now();
        if !self.c.nodes[id as usize].alive() {
            return;
        }
        let pods: Vec<PodId> = self.c.nodes[id as usize].pods.clone();
        for p in pods {
            if self.c.pods[p as usize].deleted.is_none() {
                self.dis.pods_lost_to_reclaim += 1;
                self.evict(p, Eviction::Node(RemovalReason::Interrupted));
            }
            if self.c.pods[p as usize].gone.is_none() {
                self.on_pod_gone(p);
            }
        }
        self.c.terminate_node(id, now, RemovalReason::Interrupted);
        self.draining.remove(&id);
    }

    pub(super) fn on_interruption_trace(&mut self, k: usize) {
        let e = &self.s.spot_interruptions[k];
        let mut hit: Vec<NodeId> = (0..self.c.nodes.len() as NodeId)
            .filter(|&id| {
                let n = &self.c.nodes[id as usize];
                n.alive()
                    && n.capacity_type == CapacityType::Spot
                    && (e.types.is_empty() || e.types.contains(&n.instance_type))
                    && (e.zones.is_empty() || e.zones.contains(&n.zone))
            })
            .collect();
        // Oldest instances first (then by name), a fixed, documented choice.
        hit.sort_by(|&a, &b| {
            let (na, nb) = (&self.c.nodes[a as usize], &self.c.nodes[b as usize]);
            na.launched
                .cmp(&nb.launched)
                .then_with(|| na.name.cmp(&nb.name))
        });
        let take = match e.amount {
            InterruptionAmount::Count(n) => n as usize,
            InterruptionAmount::Fraction(f) => (f * hit.len() as f64).ceil() as usize,
        };
        hit.truncate(take);
        for id in hit {
            self.on_interruption_notice(id);
        }
    }

    pub(super) fn on_drift(&mut self, k: usize) {
        let now = self.now();
        let pools = &self.s.drift_events[k].pools;
        for n in self.c.nodes.iter_mut() {
            let NodeOwner::Pool(p) = n.owner else {
                continue;
            };
            if n.alive() && n.drifted.is_none() && (pools.is_empty() || pools.contains(&p)) {
                n.drifted = Some(now);
                self.dis.drifted_nodes += 1;
            }
        }
        self.c.mark_changed(now);
    }

    /// Evicts (deletes) a pod for a disruption and lets its controller replace it.
    pub(super) fn evict(&mut self, p: PodId, cause: Eviction) {
        self.pods_evicted += 1;
        *self.dis.evicted_by_cause.entry(cause.as_str()).or_default() += 1;
        let w = self.c.pods[p as usize].workload as usize;
        self.delete_pod(p);
        if self.c.pods[p as usize].job == u32::MAX {
            self.reconcile_replicas(w, PodCause::Disruption(cause));
        } else {
            self.on_job_pod_evicted(p);
        }
    }

    /// The Eviction API's PDB check: a healthy pod needs `disruptionsAllowed > 0`; an
    /// unhealthy one (not Ready) may go while the budget is met (`unhealthyPodEvictionPolicy:
    /// IfHealthyBudget`, the default).
    pub(super) fn eviction_allowed(&self, p: PodId) -> bool {
        let w = self.c.pods[p as usize].workload as usize;
        if self.s.workloads[w].pdb.is_none() {
            return true;
        }
        let desired: Vec<i64> = self.w.iter().map(|x| x.desired).collect();
        let ready: Vec<i64> = self.w.iter().map(|x| x.ready).collect();
        let view = WorkloadView {
            desired: &desired,
            ready: &ready,
        };
        match disruption::pdb_allowed(self.s, &view, w) {
            None => true,
            Some(n) if self.c.pods[p as usize].ready.is_some() => n > 0,
            Some(_) => disruption::pdb_healthy_budget_met(self.s, &view, w),
        }
    }

    /// The descheduler's `PodLifeTime` run.
    pub(super) fn on_descheduler_run(&mut self) {
        let now = self.now();
        let Some(d) = &self.s.descheduler else {
            return;
        };
        let max_age_s = d.max_pod_lifetime_s;
        let mut old: Vec<(Millis, NodeId, PodId)> = Vec::new();
        for (w, selected) in d.selects.iter().enumerate() {
            if !*selected {
                continue;
            }
            for &p in &self.w[w].active {
                let pod = &self.c.pods[p as usize];
                let Some(node) = pod.node else {
                    continue;
                };
                // `uint(time.Since(creationTimestamp).Seconds()) > maxPodLifeTimeSeconds`.
                if pod.deleted.is_none() && (now.saturating_sub(pod.created) / 1000) > max_age_s {
                    old.push((pod.created, node, p));
                }
            }
        }
        // Oldest first (`SortPodsBasedOnAge`); ties by node and pod, a fixed order.
        old.sort_unstable();
        let mut per_node: std::collections::BTreeMap<NodeId, u32> = Default::default();
        let mut total = 0u32;
        for (_, node, p) in old {
            if d.max_total.is_some_and(|m| total >= m) {
                break;
            }
            let on_node = per_node.entry(node).or_default();
            if d.max_per_node.is_some_and(|m| *on_node >= m) {
                continue;
            }
            if self.c.pods[p as usize].deleted.is_some() || !self.eviction_allowed(p) {
                continue;
            }
            *on_node += 1;
            total += 1;
            self.evict(p, Eviction::Descheduled);
        }
        let next = now + d.interval_ms;
        if next < self.s.duration_ms {
            self.schedule(next, Phase::Controllers, Event::DeschedulerRun);
        }
    }

    /// Fails every command waiting on a replacement that will never initialize: its candidates
    /// return to service (`queue.go` `waitOrTerminate`).
    pub(super) fn fail_commands_waiting_on(&mut self, rep: NodeId) {
        let now = self.now();
        let mut failed = Vec::new();
        self.executing.retain(|(cmd, reps)| {
            if reps.contains(&rep) {
                failed.push(cmd.clone());
                false
            } else {
                true
            }
        });
        for cmd in failed {
            for cand in cmd.candidates {
                let n = &self.c.nodes[cand as usize];
                // A candidate taken meanwhile by a forceful disruption stays deleted.
                if matches!(
                    n.removal,
                    Some(RemovalReason::Expired | RemovalReason::Interrupted)
                ) || self.draining.contains(&cand)
                {
                    continue;
                }
                self.c.unmark_for_deletion(cand, now);
                if self.sched.on_node_schedulable(self.s, &self.c, cand) {
                    self.arm_scheduler();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interruption_hazard_matches_the_monthly_frequency() {
        // P(T < 30 days) = f: the draw at u = f is exactly the window.
        for f in [0.03, 0.075, 0.2] {
            let t = time_to_interruption_ms(f, f).unwrap();
            let err = (t as f64 - INTERRUPTION_WINDOW_MS as f64).abs();
            assert!(err < 1_000.0, "f = {f}: {t} ms");
        }
        assert_eq!(time_to_interruption_ms(0.0, 0.5), None);
        // The median instance under a 5 % monthly frequency lives ln 2 / λ ≈ 405 days.
        let median = time_to_interruption_ms(0.05, 0.5).unwrap() as f64 / 86_400_000.0;
        assert!((median - 405.4).abs() < 0.5, "{median}");
    }
}
