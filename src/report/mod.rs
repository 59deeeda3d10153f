//! Results: the summary and its exporters (table, JSON, CSV files).
//!
//! Latency percentiles use the nearest-rank method: `p`-th percentile of `n` sorted values is
//! the value at rank `ceil(p/100 · n)`. Pods that exist at t = 0 (warm start) are excluded.
//! Cost is per-second billing from launch to termination with a 60-second minimum per instance.

mod files;
pub mod html;
pub mod plots;

pub use files::{
    encode_outputs, launches_csv, timeseries_csv, write_atomic, write_comparison, write_outputs,
};

use crate::cloud::pricing::CapacityType;
use crate::cluster::{NodeOwner, PodCause};
use crate::engine::Millis;
use crate::scenario::Scenario;
use crate::sim::{LaunchOutcome, SimResult};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Latency percentiles in seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Percentiles {
    /// Number of samples.
    pub count: u64,
    /// Pods left out because the event never happened (deleted first, or the run ended).
    pub censored: u64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

impl Percentiles {
    /// Nearest-rank percentiles of millisecond samples.
    pub fn of(mut ms: Vec<Millis>) -> Percentiles {
        ms.sort_unstable();
        let n = ms.len();
        let at = |p: f64| -> f64 {
            if n == 0 {
                return 0.0;
            }
            let rank = ((p / 100.0) * n as f64).ceil().max(1.0) as usize;
            ms[rank.min(n) - 1] as f64 / 1000.0
        };
        Percentiles {
            count: n as u64,
            censored: 0,
            p50: at(50.0),
            p90: at(90.0),
            p99: at(99.0),
            max: ms.last().map(|v| *v as f64 / 1000.0).unwrap_or(0.0),
        }
    }
}

/// Cost breakdown.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CostSummary {
    /// Total, USD.
    pub total_usd: f64,
    /// By capacity type (`spot`, `on-demand`).
    pub by_capacity_type: BTreeMap<String, f64>,
    /// By instance type.
    pub by_instance_type: BTreeMap<String, f64>,
    /// By NodePool or managed node group name.
    pub by_node_group: BTreeMap<String, f64>,
    /// By availability zone.
    pub by_zone: BTreeMap<String, f64>,
    /// A cost no configuration can beat: the CPU and memory requested by running pods over time,
    /// each at the cheapest price per allocatable unit among the allowed offerings (the larger
    /// of the two at every instant).
    pub lower_bound_usd: f64,
    /// `lower_bound_usd / total_usd` (1 is perfect; 0 when nothing was spent).
    pub efficiency: f64,
    /// The price of node capacity left unrequested: each node's price times one minus the larger
    /// of its CPU and memory request fractions (all of it while the node is not Ready).
    pub idle_usd: f64,
    /// Where the prices came from.
    pub price_source: String,
    /// True when the prices are for another region than the scenario's.
    pub prices_are_proxy: bool,
}

/// Pod counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PodSummary {
    /// Most pods at once.
    pub peak: u64,
    /// Fewest pods at once.
    pub min: u64,
    /// Pods created during the run (excluding those present at t = 0).
    pub created: u64,
    /// Pods evicted by Karpenter disruption.
    pub evicted: u64,
    /// Pods still unbound at the end.
    pub pending_at_end: u64,
    /// Containers OOMKilled (each restarts in place).
    pub oom_killed: u64,
}

/// Results of one workload.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WorkloadSummary {
    /// `Deployment` or `CronJob`.
    pub kind: String,
    /// Pods created during the run.
    pub pods_created: u64,
    /// Fewest and most desired replicas at a minute sample.
    pub replicas_min: i64,
    /// Most desired replicas at a minute sample.
    pub replicas_max: i64,
    /// Pod created → bound, seconds.
    pub scheduling_latency_s: Percentiles,
    /// Pod created → Ready, seconds.
    pub startup_latency_s: Percentiles,
    /// Containers OOMKilled.
    pub oom_killed: u64,
    /// CPU demand, core-seconds.
    pub cpu_demand_core_s: f64,
    /// CPU demand not served (throttled by CPU limits, or no Ready pod), core-seconds.
    pub cpu_unserved_core_s: f64,
}

/// Results of one SQS queue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QueueSummary {
    /// Consuming workload (`namespace/name`).
    pub consumer: String,
    /// Messages arrived.
    pub arrived: f64,
    /// Messages processed.
    pub processed: f64,
    /// Messages received by a consumer that died, delivered again.
    pub redelivered: f64,
    /// Most visible messages at a minute sample.
    pub visible_peak: i64,
    /// Visible messages at the end.
    pub visible_at_end: i64,
    /// Message age when a consumer took it, seconds (count is 0 when none was).
    pub message_age_s: Percentiles,
}

/// CronJob runs.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct JobSummary {
    /// Jobs that completed.
    pub completed: u64,
    /// Jobs that failed (deadline, back-off limit) or were replaced.
    pub failed: u64,
    /// Runs skipped (`Forbid` with a Job active).
    pub skipped: u64,
}

/// Node counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NodeSummary {
    /// Most live nodes at once.
    pub peak: u64,
    /// Nodes launched, including those present at t = 0.
    pub launched: u64,
    /// Nodes Karpenter launched after t = 0.
    pub launched_by_karpenter: u64,
    /// Nodes launched by instance type.
    pub by_instance_type: BTreeMap<String, u64>,
    /// Nodes launched by capacity type.
    pub by_capacity_type: BTreeMap<String, u64>,
    /// Nodes launched by zone.
    pub by_zone: BTreeMap<String, u64>,
    /// Nodes launched by NodePool or managed node group.
    pub by_node_pool: BTreeMap<String, u64>,
    /// Nodes removed, by reason (`empty`, `underutilized`, `registration_timeout`,
    /// `launch_timeout`; the last is a NodeClaim that never had an instance).
    pub removed: BTreeMap<String, u64>,
}

/// Karpenter activity.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KarpenterSummary {
    /// Provisioning solves.
    pub solves: u64,
    /// Disruption commands executed, by reason.
    pub disruption_commands: BTreeMap<String, u64>,
    /// NodeClaim launches (`CreateFleet` calls).
    pub launches: LaunchSummary,
}

/// What happened to Karpenter's `CreateFleet` calls.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LaunchSummary {
    /// NodeClaims created (each makes one `CreateFleet` call that goes through, or times out).
    pub fleet_calls: u64,
    /// Calls that launched an instance (including instances that later failed to register).
    pub launched: u64,
    /// Calls that launched nothing: the NodeClaim was deleted for insufficient capacity.
    pub insufficient_capacity: u64,
    /// Offerings marked unavailable for 3 minutes after an insufficient-capacity error, in all.
    pub offerings_marked_unavailable: u64,
    /// Insufficient-capacity errors per offering, keyed `type/zone/capacity-type`.
    pub errors_by_offering: BTreeMap<String, u64>,
    /// On-demand launches made while some spot offering was marked unavailable after an
    /// insufficient-capacity error (within the NodePool, or by falling through to an on-demand
    /// NodePool).
    pub on_demand_fallbacks: u64,
    /// Launched instances that never registered (deleted after 15 minutes).
    pub registration_timeouts: u64,
    /// NodeClaims whose `CreateFleet` calls kept failing for 5 minutes (deleted, no instance).
    pub launch_timeouts: u64,
    /// Retryable `CreateFleet` errors, in all.
    pub retried_errors: u64,
}

/// Disruption: what Karpenter's disruption controller, EC2 spot interruptions and the
/// descheduler removed, and what it cost in pending time.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DisruptionSummary {
    /// Nodes removed by a disruption, by reason (`empty`, `underutilized`, `drifted`,
    /// `expired`, `interrupted`).
    pub nodes_by_reason: BTreeMap<String, u64>,
    /// Pods evicted, by cause (the node's removal reason, or `descheduled`).
    pub pods_evicted_by_cause: BTreeMap<String, u64>,
    /// Karpenter commands executed, by method.
    pub commands_by_method: BTreeMap<String, u64>,
    /// Sum over executed emptiness and consolidation commands of the hourly price removed
    /// (candidates' price minus the replacement's worst-case launch price), USD per hour.
    pub consolidation_savings_usd_per_hour: f64,
    /// Spot interruption notices.
    pub interruption_notices: u64,
    /// Nodes whose `expireAfter` elapsed.
    pub expirations: u64,
    /// Nodes that drifted.
    pub drifted_nodes: u64,
    /// Pods deleted at the NodePool `terminationGracePeriod` deadline despite a PDB or
    /// `karpenter.sh/do-not-disrupt`.
    pub forced_deletions: u64,
    /// Pods still on a spot instance when EC2 reclaimed it.
    pub pods_lost_to_reclaim: u64,
    /// Node churn: nodes launched after t = 0 plus nodes removed, per simulated hour.
    pub node_churn_per_hour: f64,
    /// Nodes removed by a disruption per simulated hour, on average.
    pub nodes_disrupted_per_hour_mean: f64,
    /// Nodes removed by a disruption in the busiest clock hour of the run.
    pub nodes_disrupted_per_hour_max: u64,
    /// Disruption-caused pending: scheduling latency of pods created to replace evicted pods,
    /// seconds.
    pub pending_s: Percentiles,
    /// Total time those pods spent pending, pod-seconds.
    pub pending_pod_s: f64,
    /// That time by the eviction's cause (`empty`, `underutilized`, `drifted`, `expired`,
    /// `interrupted`, `descheduled`), pod-seconds.
    pub pending_pod_s_by_cause: BTreeMap<String, f64>,
    /// The pending time Karpenter consolidation caused: replacement pods of pods evicted from
    /// nodes removed as empty or underutilized, pod-seconds.
    pub consolidation_pending_pod_s: f64,
    /// What consolidation saved over the run, USD: the cost of the same scenario and seed with
    /// consolidation off (`consolidateAfter: Never` on every NodePool) minus this run's cost.
    /// `None` when no NodePool consolidates, or when the counterfactual run was not made (see
    /// [`crate::savings`]).
    pub consolidation_saved_usd: Option<f64>,
    /// The cost of that counterfactual run, USD.
    pub cost_without_consolidation_usd: Option<f64>,
}

/// `summary.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Simulated duration, seconds.
    pub duration_s: f64,
    /// Events processed.
    pub events_processed: u64,
    /// FNV-1a hash of the event stream, hex.
    pub event_stream_hash: String,
    /// Cost.
    pub cost: CostSummary,
    /// Pods.
    pub pods: PodSummary,
    /// Nodes.
    pub nodes: NodeSummary,
    /// Pod created → bound, seconds.
    pub scheduling_latency_s: Percentiles,
    /// Pod created → Ready, seconds.
    pub startup_latency_s: Percentiles,
    /// Pod created → bound, seconds, by cause: `existing_capacity` (bound to a node that was
    /// already Ready when the pod was created), `new_node` (it needed a node that became Ready
    /// later; pods never bound count here as censored), `disruption` (it replaced an evicted pod).
    pub scheduling_latency_by_cause_s: BTreeMap<String, Percentiles>,
    /// Disruption.
    pub disruption: DisruptionSummary,
    /// Karpenter activity.
    pub karpenter: KarpenterSummary,
    /// Per workload, keyed `namespace/name`.
    pub workloads: BTreeMap<String, WorkloadSummary>,
    /// Per SQS queue.
    pub queues: BTreeMap<String, QueueSummary>,
    /// CronJob runs.
    pub jobs: JobSummary,
    /// Warnings about the input.
    pub warnings: Vec<String>,
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn round_values(m: BTreeMap<String, f64>) -> BTreeMap<String, f64> {
    m.into_iter().map(|(k, v)| (k, round6(v))).collect()
}

/// The owner's display name.
pub fn owner_name(s: &Scenario, o: NodeOwner) -> String {
    match o {
        NodeOwner::Pool(p) => s.node_pools[p].name.clone(),
        NodeOwner::Group(g) => s.node_groups[g].name.clone(),
    }
}

fn disruption_summary(
    s: &Scenario,
    r: &SimResult,
    by_cause: &mut BTreeMap<String, Percentiles>,
    pending_ms: BTreeMap<&'static str, u64>,
) -> DisruptionSummary {
    use crate::cluster::RemovalReason as R;
    let hours = (s.duration_ms as f64 / 3_600_000.0).max(1e-9);
    let mut nodes_by_reason: BTreeMap<String, u64> = [
        R::Empty,
        R::Underutilized,
        R::Drifted,
        R::Expired,
        R::Interrupted,
    ]
    .iter()
    .map(|r| (r.as_str().to_string(), 0))
    .collect();
    let mut per_hour: BTreeMap<Millis, u64> = BTreeMap::new();
    let (mut launched, mut removed) = (0u64, 0u64);
    for n in &r.cluster.nodes {
        if n.launched > 0 {
            launched += 1;
        }
        let Some(t) = n.terminated else { continue };
        removed += 1;
        if let Some(reason) = n.removal
            && let Some(count) = nodes_by_reason.get_mut(reason.as_str())
        {
            *count += 1;
            *per_hour.entry(t / 3_600_000).or_default() += 1;
        }
    }
    let disrupted: u64 = nodes_by_reason.values().sum();
    let d = &r.disruption;
    let mut evicted: BTreeMap<String, u64> = [
        "empty",
        "underutilized",
        "drifted",
        "expired",
        "interrupted",
        "descheduled",
    ]
    .iter()
    .map(|k| (k.to_string(), 0))
    .collect();
    for (k, v) in &d.evicted_by_cause {
        *evicted.entry(k.to_string()).or_default() += v;
    }
    let mut pending_by_cause: BTreeMap<String, f64> =
        evicted.keys().map(|k| (k.clone(), 0.0)).collect();
    for (k, ms) in &pending_ms {
        *pending_by_cause.entry(k.to_string()).or_default() += *ms as f64 / 1000.0;
    }
    let consolidation_pending_ms: u64 = pending_ms
        .iter()
        .filter(|(k, _)| matches!(**k, "empty" | "underutilized"))
        .map(|(_, v)| v)
        .sum();
    DisruptionSummary {
        nodes_by_reason,
        pods_evicted_by_cause: evicted,
        commands_by_method: d
            .commands_by_method
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        consolidation_savings_usd_per_hour: round6(d.consolidation_savings_usd_per_hour),
        interruption_notices: d.interruption_notices,
        expirations: d.expirations,
        drifted_nodes: d.drifted_nodes,
        forced_deletions: d.forced_deletions,
        pods_lost_to_reclaim: d.pods_lost_to_reclaim,
        node_churn_per_hour: round6((launched + removed) as f64 / hours),
        nodes_disrupted_per_hour_mean: round6(disrupted as f64 / hours),
        nodes_disrupted_per_hour_max: per_hour.values().copied().max().unwrap_or(0),
        pending_s: by_cause
            .get("disruption")
            .cloned()
            .unwrap_or_else(|| Percentiles::of(Vec::new())),
        pending_pod_s: round6(pending_ms.values().sum::<u64>() as f64 / 1000.0),
        pending_pod_s_by_cause: round_values(pending_by_cause),
        consolidation_pending_pod_s: round6(consolidation_pending_ms as f64 / 1000.0),
        consolidation_saved_usd: None,
        cost_without_consolidation_usd: None,
    }
}

/// Builds the summary of a run.
fn launch_summary(s: &Scenario, r: &SimResult) -> LaunchSummary {
    let mut out = LaunchSummary {
        fleet_calls: r.launches.len() as u64,
        launched: 0,
        insufficient_capacity: 0,
        offerings_marked_unavailable: 0,
        errors_by_offering: BTreeMap::new(),
        on_demand_fallbacks: 0,
        registration_timeouts: 0,
        launch_timeouts: 0,
        retried_errors: 0,
    };
    for l in &r.launches {
        match l.outcome {
            LaunchOutcome::Launched | LaunchOutcome::RegistrationTimeout => out.launched += 1,
            LaunchOutcome::InsufficientCapacity => out.insufficient_capacity += 1,
            LaunchOutcome::LaunchTimeout => out.launch_timeouts += 1,
        }
        out.retried_errors += u64::from(l.retries);
        out.offerings_marked_unavailable += l.errors.len() as u64;
        for &(ti, zi) in &l.errors {
            let key = format!(
                "{}/{}/{}",
                s.catalog.get(ti).name,
                s.zones[zi],
                l.capacity_type.as_str()
            );
            *out.errors_by_offering.entry(key).or_default() += 1;
        }
        if l.launch.is_some() && l.capacity_type == CapacityType::OnDemand && l.spot_shortage {
            out.on_demand_fallbacks += 1;
        }
        out.registration_timeouts += u64::from(l.outcome == LaunchOutcome::RegistrationTimeout);
    }
    out
}

/// Builds the summary of a run.
pub fn summarize(s: &Scenario, r: &SimResult) -> Summary {
    let end = s.duration_ms;
    let c = &r.cluster;
    let mut by_ct: BTreeMap<String, f64> = BTreeMap::new();
    for ct in [CapacityType::Spot, CapacityType::OnDemand] {
        by_ct.insert(ct.as_str().into(), 0.0);
    }
    let mut by_type: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_group: BTreeMap<String, f64> = BTreeMap::new();
    let mut by_zone: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    let mut nodes_by_type: BTreeMap<String, u64> = BTreeMap::new();
    let mut nodes_by_zone: BTreeMap<String, u64> = BTreeMap::new();
    let mut nodes_by_pool: BTreeMap<String, u64> = BTreeMap::new();
    let mut nodes_by_ct: BTreeMap<String, u64> = BTreeMap::new();
    let mut removed: BTreeMap<String, u64> = BTreeMap::new();
    let mut launched_by_karpenter = 0;
    for n in &c.nodes {
        let cost = n.cost_usd(end);
        total += cost;
        let it = s.catalog.get(n.instance_type).name.clone();
        *by_ct.entry(n.capacity_type.as_str().into()).or_default() += cost;
        *by_type.entry(it.clone()).or_default() += cost;
        *by_group.entry(owner_name(s, n.owner)).or_default() += cost;
        *by_zone.entry(s.zones[n.zone].clone()).or_default() += cost;
        *nodes_by_type.entry(it).or_default() += 1;
        *nodes_by_zone.entry(s.zones[n.zone].clone()).or_default() += 1;
        *nodes_by_pool.entry(owner_name(s, n.owner)).or_default() += 1;
        *nodes_by_ct
            .entry(n.capacity_type.as_str().into())
            .or_default() += 1;
        if matches!(n.owner, NodeOwner::Pool(_)) && n.launched > 0 {
            launched_by_karpenter += 1;
        }
        if let Some(reason) = n.removal
            && n.terminated.is_some()
        {
            *removed.entry(reason.as_str().into()).or_default() += 1;
        }
    }
    let mut sched = Vec::new();
    let mut startup = Vec::new();
    let (mut sched_censored, mut startup_censored) = (0, 0);
    let mut created = 0;
    let mut pending_at_end = 0;
    let nw = s.workloads.len();
    let mut w_sched = vec![Vec::new(); nw];
    let mut w_startup = vec![Vec::new(); nw];
    let mut w_censored = vec![(0u64, 0u64); nw];
    let mut w_created = vec![0u64; nw];
    let mut by_cause: BTreeMap<&str, (Vec<Millis>, u64)> = BTreeMap::new();
    let mut disruption_pending_ms: BTreeMap<&'static str, u64> = BTreeMap::new();
    for p in &c.pods {
        if p.deleted.is_none() && p.node.is_none() {
            pending_at_end += 1;
        }
        if p.cause == PodCause::Initial {
            continue;
        }
        let wi = p.workload as usize;
        created += 1;
        w_created[wi] += 1;
        // Why the pod waited: it replaced an evicted pod; or it landed on a node that was
        // already Ready when it was created (the capacity was there); or it needed a node that
        // became Ready later (or never got one).
        let cause = match (p.cause, p.node) {
            (PodCause::Disruption(_), _) => "disruption",
            (_, Some(n)) if c.nodes[n as usize].ready_at.is_some_and(|t| t <= p.created) => {
                "existing_capacity"
            }
            _ => "new_node",
        };
        let entry = by_cause.entry(cause).or_default();
        if let PodCause::Disruption(e) = p.cause {
            let until = p.bound.or(p.deleted).unwrap_or(end);
            *disruption_pending_ms.entry(e.as_str()).or_default() +=
                until.saturating_sub(p.created);
        }
        match p.bound {
            None => entry.1 += 1,
            Some(b) => entry.0.push(b - p.created),
        }
        match p.bound {
            Some(b) => {
                sched.push(b - p.created);
                w_sched[wi].push(b - p.created);
            }
            None => {
                sched_censored += 1;
                w_censored[wi].0 += 1;
            }
        }
        match p.first_ready {
            Some(rd) => {
                startup.push(rd - p.created);
                w_startup[wi].push(rd - p.created);
            }
            None => {
                startup_censored += 1;
                w_censored[wi].1 += 1;
            }
        }
    }
    let mut replicas_range = vec![(i64::MAX, i64::MIN); nw];
    for row in &r.workload_series {
        let e = &mut replicas_range[row.workload];
        e.0 = e.0.min(row.desired);
        e.1 = e.1.max(row.desired);
    }
    let key = |wi: usize| format!("{}/{}", s.workloads[wi].namespace, s.workloads[wi].name);
    let mut workloads = BTreeMap::new();
    for wi in 0..nw {
        let t = &r.workloads[wi];
        let (lo, hi) = replicas_range[wi];
        workloads.insert(
            key(wi),
            WorkloadSummary {
                kind: match s.workloads[wi].kind {
                    crate::scenario::WorkloadKind::Deployment => "Deployment".into(),
                    crate::scenario::WorkloadKind::CronJob(_) => "CronJob".into(),
                },
                pods_created: w_created[wi],
                replicas_min: if lo == i64::MAX { 0 } else { lo },
                replicas_max: if hi == i64::MIN { 0 } else { hi },
                scheduling_latency_s: Percentiles {
                    censored: w_censored[wi].0,
                    ..Percentiles::of(std::mem::take(&mut w_sched[wi]))
                },
                startup_latency_s: Percentiles {
                    censored: w_censored[wi].1,
                    ..Percentiles::of(std::mem::take(&mut w_startup[wi]))
                },
                oom_killed: t.oom_kills,
                cpu_demand_core_s: round6(t.cpu_demand_core_s),
                cpu_unserved_core_s: round6(t.cpu_unserved_core_s),
            },
        );
    }
    let queues = s
        .queues
        .iter()
        .zip(&r.queues)
        .map(|(q, t)| {
            let age = match t.age_ms {
                Some([p50, p90, p99, max]) => Percentiles {
                    count: t.processed.round() as u64,
                    censored: 0,
                    p50: p50 as f64 / 1000.0,
                    p90: p90 as f64 / 1000.0,
                    p99: p99 as f64 / 1000.0,
                    max: max as f64 / 1000.0,
                },
                None => Percentiles::of(Vec::new()),
            };
            (
                q.name.clone(),
                QueueSummary {
                    consumer: key(q.consumer),
                    arrived: round6(t.arrived),
                    processed: round6(t.processed),
                    redelivered: round6(t.redelivered),
                    visible_peak: t.visible_peak,
                    visible_at_end: t.visible_at_end,
                    message_age_s: age,
                },
            )
        })
        .collect();
    let mut by_cause_out: BTreeMap<String, Percentiles> = BTreeMap::new();
    for cause in ["existing_capacity", "new_node", "disruption"] {
        let (v, censored) = by_cause.remove(cause).unwrap_or_default();
        by_cause_out.insert(
            cause.into(),
            Percentiles {
                censored,
                ..Percentiles::of(v)
            },
        );
    }
    let disruption = disruption_summary(s, r, &mut by_cause_out, disruption_pending_ms);
    let disruption_commands = r
        .disruptions
        .iter()
        .map(|(reason, n)| (format!("{reason:?}").to_lowercase(), *n))
        .collect();
    Summary {
        scenario: s.name.clone(),
        seed: s.seed,
        duration_s: s.duration_ms as f64 / 1000.0,
        events_processed: r.events_processed,
        event_stream_hash: format!("{:016x}", r.event_hash),
        cost: CostSummary {
            total_usd: round6(total),
            by_capacity_type: round_values(by_ct),
            by_instance_type: round_values(by_type),
            by_node_group: round_values(by_group),
            by_zone: round_values(by_zone),
            lower_bound_usd: round6(c.bounds.lower_bound_usd),
            efficiency: if total > 0.0 {
                round6(c.bounds.lower_bound_usd / total)
            } else {
                0.0
            },
            idle_usd: round6(c.bounds.idle_usd),
            price_source: s.prices.source.description.clone(),
            prices_are_proxy: s.prices_are_proxy,
        },
        pods: PodSummary {
            peak: r.pods_peak,
            min: r.pods_min,
            created,
            evicted: r.pods_evicted,
            pending_at_end,
            oom_killed: r.workloads.iter().map(|w| w.oom_kills).sum(),
        },
        nodes: NodeSummary {
            peak: r.nodes_peak,
            launched: c.nodes.len() as u64,
            launched_by_karpenter,
            by_instance_type: nodes_by_type,
            by_capacity_type: nodes_by_ct,
            by_zone: nodes_by_zone,
            by_node_pool: nodes_by_pool,
            removed,
        },
        scheduling_latency_s: Percentiles {
            censored: sched_censored,
            ..Percentiles::of(sched)
        },
        startup_latency_s: Percentiles {
            censored: startup_censored,
            ..Percentiles::of(startup)
        },
        scheduling_latency_by_cause_s: by_cause_out,
        disruption,
        karpenter: KarpenterSummary {
            solves: r.solves,
            disruption_commands,
            launches: launch_summary(s, r),
        },
        workloads,
        queues,
        jobs: JobSummary {
            completed: r.jobs.0,
            failed: r.jobs.1,
            skipped: r.jobs.2,
        },
        warnings: s.warnings.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let p = Percentiles::of((1..=100).map(|v| v * 1000).collect());
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50.0, 90.0, 99.0, 100.0));
        let p = Percentiles::of(vec![5000]);
        assert_eq!((p.p50, p.p99, p.count), (5.0, 5.0, 1));
        assert_eq!(Percentiles::of(vec![]).count, 0);
    }
}
