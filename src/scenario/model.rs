//! The validated scenario: typed, resolved, with integers for resources and time. The engine
//! only ever sees this form.

use crate::cloud::catalog::{Catalog, KubeletConfig};
use crate::cloud::pricing::{CapacityType, PriceTable};
use crate::engine::Millis;
use crate::k8s::labels::{LabelSelector, Labels, Requirement, SelectorTerm, Taint, Toleration};
use crate::latency::Dist;
use crate::resources::Resources;

/// A whole scenario, ready to simulate.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Scenario name (from the ksim Scenario document, or `unnamed`).
    pub name: String,
    /// Simulated duration.
    pub duration_ms: Millis,
    /// Run seed.
    pub seed: u64,
    /// Wall-clock time of t = 0.
    pub clock: crate::k8s::cron::Clock,
    /// AWS region.
    pub region: String,
    /// Availability zones, in a fixed order.
    pub zones: Vec<String>,
    /// Instance catalog.
    pub catalog: Catalog,
    /// Prices.
    pub prices: PriceTable,
    /// True when the price table is for another region than the scenario's.
    pub prices_are_proxy: bool,
    /// EC2 capacity per offering.
    pub capacity: crate::cloud::capacity::CapacityModel,
    /// Spot price changes, in time order.
    pub spot_prices: Vec<SpotPriceChange>,
    /// Pod anti-affinity per workload (index-aligned with `workloads`).
    pub anti_affinity: Vec<AntiAffinity>,
    /// EC2NodeClasses.
    pub node_classes: Vec<NodeClass>,
    /// Karpenter NodePools, in input order.
    pub node_pools: Vec<NodePool>,
    /// EKS managed node groups.
    pub node_groups: Vec<NodeGroup>,
    /// Workloads (Deployments and CronJobs) with their autoscaling and demand.
    pub workloads: Vec<Workload>,
    /// SQS queues.
    pub queues: Vec<Queue>,
    /// DaemonSets: per-node overhead.
    pub daemonsets: Vec<DaemonSet>,
    /// PodDisruptionBudgets.
    pub pdbs: Vec<Pdb>,
    /// Latency distributions.
    pub latency: Latencies,
    /// Karpenter settings.
    pub karpenter: KarpenterConfig,
    /// Warm or cold start.
    pub initial_state: InitialState,
    /// Spot interruption notices from the scenario's trace, in time order.
    pub spot_interruptions: Vec<SpotInterruptionEvent>,
    /// Drift events, in time order.
    pub drift_events: Vec<DriftEvent>,
    /// The descheduler's `PodLifeTime`, when a `DeschedulerPolicy` enables it.
    pub descheduler: Option<Descheduler>,
    /// Non-fatal remarks about the input (ignored objects, unmodelled fields).
    pub warnings: Vec<String>,
}

/// How the cluster starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InitialState {
    /// Replicas at their t = 0 steady state, already running on nodes that are already Ready.
    Warm,
    /// Only the managed node groups exist; every pod starts pending at t = 0.
    Cold,
}

/// An EC2NodeClass.
#[derive(Debug, Clone)]
pub struct NodeClass {
    /// Name.
    pub name: String,
    /// Kubelet overrides.
    pub kubelet: KubeletConfig,
}

/// Karpenter consolidation policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsolidationPolicy {
    /// Only empty nodes are removed.
    WhenEmpty,
    /// Empty and underutilized nodes are removed or replaced.
    WhenEmptyOrUnderutilized,
}

/// A disruption reason, as budgets name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DisruptionReason {
    /// Empty nodes.
    Empty,
    /// Underutilized nodes.
    Underutilized,
    /// Drifted nodes.
    Drifted,
}

/// How many nodes a budget allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BudgetNodes {
    /// An absolute count.
    Count(u32),
    /// A percentage of the pool's nodes, rounded up.
    Percent(u32),
}

impl BudgetNodes {
    /// Parses `spec.disruption.budgets[].nodes` against the CRD pattern
    /// `^((100|[0-9]{1,2})%|[0-9]+)$` (kubernetes-sigs/karpenter `pkg/apis/v1/nodepool.go`).
    pub fn parse(s: &str) -> Result<BudgetNodes, String> {
        let err = || format!("{s:?} does not match the pattern ^((100|[0-9]{{1,2}})%|[0-9]+)$");
        let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit());
        if let Some(p) = s.strip_suffix('%') {
            if all_digits(p) && (p.len() <= 2 || p == "100") {
                return p.parse().map(BudgetNodes::Percent).map_err(|_| err());
            }
            return Err(err());
        }
        if all_digits(s) {
            return s
                .parse()
                .map(BudgetNodes::Count)
                .map_err(|_| format!("{s:?} is too large"));
        }
        Err(err())
    }
}

/// A NodePool disruption budget.
#[derive(Debug, Clone)]
pub struct Budget {
    /// Allowed disruptions.
    pub nodes: BudgetNodes,
    /// Reasons it applies to (empty: all).
    pub reasons: Vec<DisruptionReason>,
    /// Cron schedule (UTC) and the active window after each hit.
    pub schedule: Option<(crate::k8s::cron::Schedule, Millis)>,
}

/// Resource limits of a NodePool.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct PoolLimits {
    /// CPU in millicores.
    pub cpu_m: Option<i64>,
    /// Memory in bytes.
    pub mem_b: Option<i64>,
    /// Node count.
    pub nodes: Option<i64>,
}

/// A Karpenter NodePool.
#[derive(Debug, Clone)]
pub struct NodePool {
    /// Name.
    pub name: String,
    /// Weight (0 when unset).
    pub weight: i64,
    /// Requirements.
    pub requirements: Vec<Requirement>,
    /// Template labels.
    pub labels: Labels,
    /// Taints.
    pub taints: Vec<Taint>,
    /// Startup taints.
    pub startup_taints: Vec<Taint>,
    /// Index into `Scenario::node_classes`.
    pub node_class: usize,
    /// Limits.
    pub limits: PoolLimits,
    /// Consolidation policy.
    pub consolidation_policy: ConsolidationPolicy,
    /// `consolidateAfter`; `None` is `Never`.
    pub consolidate_after_ms: Option<Millis>,
    /// Budgets (default: one of 10 %).
    pub budgets: Vec<Budget>,
    /// `expireAfter`; `None` is `Never`.
    pub expire_after_ms: Option<Millis>,
    /// `terminationGracePeriod`.
    pub termination_grace_ms: Option<Millis>,
}

/// An EKS managed node group: a fixed number of nodes of one type.
#[derive(Debug, Clone)]
pub struct NodeGroup {
    /// Name.
    pub name: String,
    /// Catalog index of the instance type.
    pub instance_type: usize,
    /// Number of nodes.
    pub size: u32,
    /// Capacity type.
    pub capacity_type: CapacityType,
    /// Extra labels.
    pub labels: Labels,
    /// Taints.
    pub taints: Vec<Taint>,
    /// Kubelet settings.
    pub kubelet: KubeletConfig,
}

/// A topology spread constraint.
#[derive(Debug, Clone, PartialEq)]
pub struct SpreadConstraint {
    /// Maximum skew.
    pub max_skew: i64,
    /// Topology key.
    pub key: String,
    /// `DoNotSchedule` (true) or `ScheduleAnyway`.
    pub hard: bool,
    /// Pods counted; `None` (no `labelSelector`) counts no pods, as
    /// `metav1.LabelSelectorAsSelector(nil)` matches nothing.
    pub selector: Option<LabelSelector>,
    /// `minDomains` (default 1).
    pub min_domains: i64,
    /// `nodeAffinityPolicy: Honor` (default).
    pub honor_affinity: bool,
    /// `nodeTaintsPolicy: Honor` (default Ignore).
    pub honor_taints: bool,
}

impl SpreadConstraint {
    /// True when the constraint counts pods with these labels.
    pub fn selects(&self, labels: &Labels) -> bool {
        self.selector.as_ref().is_some_and(|s| s.matches(labels))
    }
}

/// A spot price change from a spot price trace.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotPriceChange {
    /// When (ms from the start).
    pub at_ms: Millis,
    /// Instance type index.
    pub instance_type: usize,
    /// Zone indices it applies to.
    pub zones: Vec<usize>,
    /// New spot price, USD per hour.
    pub usd_per_hour: f64,
}

/// A pod anti-affinity term on `kubernetes.io/hostname`.
#[derive(Debug, Clone, PartialEq)]
pub struct AntiAffinityTerm {
    /// Pods it keeps away; `None` (no `labelSelector`) selects no pods.
    pub selector: Option<LabelSelector>,
    /// Namespaces of those pods (empty: the pod's own).
    pub namespaces: Vec<String>,
    /// `None` for a required term, else the preferred term's weight (1–100).
    pub weight: Option<i64>,
}

/// Pod anti-affinity on `kubernetes.io/hostname` resolved to workloads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AntiAffinity {
    /// Workloads whose pods may never share a node with this workload's pods: those its
    /// required terms select, and those whose required terms select it (the InterPodAffinity
    /// filter checks both directions).
    pub required: Vec<usize>,
    /// Workloads this workload's own preferred terms select (Karpenter treats them as required
    /// until it relaxes them).
    pub preferred_own: Vec<usize>,
    /// Scoring weights against other workloads' pods, both directions (kube-scheduler
    /// InterPodAffinity score).
    pub preferred_weights: Vec<(usize, i64)>,
}

/// What a pod of a workload looks like to the scheduler and to Karpenter.
#[derive(Debug, Clone)]
pub struct PodTemplate {
    /// Pod labels.
    pub labels: Labels,
    /// Requests (`pods` is 1), as `resource.PodRequests` computes them.
    pub requests: Resources,
    /// Requests with the scoring defaults for missing container requests (100 m, 200 Mi).
    pub nonzero_requests: Resources,
    /// Requests the HPA divides usage by: containers and sidecars, or pod-level requests
    /// (`calculateRequests`).
    pub metric_requests: Resources,
    /// The app containers, for ContainerResource metrics.
    pub containers: Vec<ContainerSpec>,
    /// CPU limit in millicores, if every container sets one.
    pub cpu_limit_m: Option<i64>,
    /// Memory limit in bytes, if every container sets one.
    pub mem_limit_b: Option<i64>,
    /// `nodeSelector` as `In` requirements.
    pub node_selector: Vec<Requirement>,
    /// Required node-affinity terms (ORed); empty means none.
    pub required_terms: Vec<SelectorTerm>,
    /// Preferred node-affinity terms with weights.
    pub preferred_terms: Vec<(i64, SelectorTerm)>,
    /// Tolerations.
    pub tolerations: Vec<Toleration>,
    /// Topology spread constraints.
    pub spread: Vec<SpreadConstraint>,
    /// Pod anti-affinity terms on `kubernetes.io/hostname`.
    pub anti_affinity: Vec<AntiAffinityTerm>,
    /// `terminationGracePeriodSeconds` in ms.
    pub termination_grace_ms: Millis,
    /// Pod priority.
    pub priority: i32,
    /// `karpenter.sh/do-not-disrupt: "true"`.
    pub do_not_disrupt: bool,
    /// `controller.kubernetes.io/pod-deletion-cost`.
    pub deletion_cost: i32,
}

impl PodTemplate {
    /// True when the node labels satisfy the nodeSelector and the required affinity.
    pub fn matches_node_labels(&self, labels: &Labels) -> bool {
        self.node_selector.iter().all(|r| r.matches_labels(labels))
            && (self.required_terms.is_empty()
                || self.required_terms.iter().any(|t| t.matches(labels)))
    }
}

/// One app container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerSpec {
    /// Container name.
    pub name: String,
    /// Its CPU and memory requests (`pods` is 0).
    pub requests: Resources,
}

/// The resource an HPA metric measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricResource {
    /// CPU.
    Cpu,
    /// Memory.
    Memory,
}

/// One HPA metric.
#[derive(Debug, Clone, PartialEq)]
pub enum HpaMetric {
    /// `Resource` with `Utilization` (percent of request).
    Utilization {
        /// Measured resource.
        resource: MetricResource,
        /// Target percent.
        target_percent: i64,
    },
    /// `Resource` with `AverageValue`.
    AverageValue {
        /// Measured resource.
        resource: MetricResource,
        /// Target per pod (millicores or milli-bytes, upstream `MilliValue`).
        target_milli: i64,
    },
    /// `ContainerResource` with `Utilization`: one container's usage over its request.
    ContainerUtilization {
        /// Measured resource.
        resource: MetricResource,
        /// Index into [`PodTemplate::containers`].
        container: usize,
        /// Target percent.
        target_percent: i64,
    },
    /// `ContainerResource` with `AverageValue`.
    ContainerAverageValue {
        /// Measured resource.
        resource: MetricResource,
        /// Index into [`PodTemplate::containers`].
        container: usize,
        /// Target per pod (milli-units).
        target_milli: i64,
    },
    /// `Pods` with `AverageValue`: a per-pod custom metric.
    PodsAverageValue {
        /// Index into the target workload's [`Workload::metrics`].
        metric: usize,
        /// Target per pod (milli-units).
        target_milli: i64,
    },
    /// `External` with `Value`: the metric's total against a total target.
    ExternalValue {
        /// Where the value comes from.
        source: ExternalSource,
        /// Target total (milli-units).
        target_milli: i64,
    },
    /// `External` with `AverageValue`: the metric's total against a per-pod target (KEDA's
    /// default).
    ExternalAverageValue {
        /// Where the value comes from.
        source: ExternalSource,
        /// Target per pod (milli-units).
        target_milli: i64,
    },
}

impl HpaMetric {
    /// The resource a Resource or ContainerResource metric measures.
    pub fn resource(&self) -> Option<MetricResource> {
        match *self {
            HpaMetric::Utilization { resource, .. }
            | HpaMetric::AverageValue { resource, .. }
            | HpaMetric::ContainerUtilization { resource, .. }
            | HpaMetric::ContainerAverageValue { resource, .. } => Some(resource),
            _ => None,
        }
    }
}

/// Where an External metric's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExternalSource {
    /// An SQS queue ([`Scenario::queues`] index), as KEDA's `aws-sqs-queue` scaler reads it:
    /// `ApproximateNumberOfMessages`, plus in-flight messages when `in_flight`.
    Queue {
        /// Queue index.
        queue: usize,
        /// Add `ApproximateNumberOfMessagesNotVisible` (`scaleOnInFlight`).
        in_flight: bool,
    },
    /// A workload's custom metric, as a cluster-wide total.
    WorkloadMetric {
        /// Workload index.
        workload: usize,
        /// Index into that workload's [`Workload::metrics`].
        metric: usize,
    },
}

/// `selectPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy allowing the largest change.
    Max,
    /// The policy allowing the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

/// A rate policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingPolicy {
    /// At most `value` pods per `period_s`.
    Pods {
        /// Pods.
        value: i64,
        /// Period in seconds.
        period_s: i64,
    },
    /// At most `value` percent per `period_s`.
    Percent {
        /// Percent.
        value: i64,
        /// Period in seconds.
        period_s: i64,
    },
}

impl ScalingPolicy {
    /// The policy period in seconds.
    pub fn period_s(&self) -> i64 {
        match *self {
            ScalingPolicy::Pods { period_s, .. } | ScalingPolicy::Percent { period_s, .. } => {
                period_s
            }
        }
    }
}

/// Scaling rules for one direction, with API defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct ScalingRules {
    /// Stabilization window in seconds (`None`: the controller default).
    pub stabilization_window_s: Option<i64>,
    /// Policy selection.
    pub select_policy: SelectPolicy,
    /// Rate policies.
    pub policies: Vec<ScalingPolicy>,
    /// Tolerance for this direction (`None`: the controller's 0.1).
    pub tolerance: Option<f64>,
}

/// HPA `behavior` with defaults filled as `SetDefaults_HorizontalPodAutoscalerBehavior` does.
#[derive(Debug, Clone, PartialEq)]
pub struct Behavior {
    /// Scale-up rules.
    pub scale_up: ScalingRules,
    /// Scale-down rules.
    pub scale_down: ScalingRules,
}

/// A HorizontalPodAutoscaler.
#[derive(Debug, Clone, PartialEq)]
pub struct Hpa {
    /// Name.
    pub name: String,
    /// `minReplicas` (default 1).
    pub min_replicas: i64,
    /// `maxReplicas`.
    pub max_replicas: i64,
    /// Metrics.
    pub metrics: Vec<HpaMetric>,
    /// Behavior, if set.
    pub behavior: Option<Behavior>,
}

/// What a demand value means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemandUnit {
    /// CPU cores of work.
    Cores,
    /// Replicas: with an HPA, the load that puts that many pods at the HPA's CPU target; without
    /// one, the Deployment's replica count itself.
    Replicas,
    /// Messages per second (queue arrivals only).
    MessagesPerSecond,
}

/// A workload's demand over time.
#[derive(Debug, Clone, PartialEq)]
pub enum Demand {
    /// A daily curve.
    Daily {
        /// Value at the quietest hour.
        trough: f64,
        /// Value at the peak hour.
        peak: f64,
        /// Hour of the peak (UTC).
        peak_hour: f64,
        /// Weekend multiplier.
        weekend_factor: f64,
        /// Relative noise standard deviation.
        noise: f64,
        /// Unit.
        unit: DemandUnit,
    },
    /// A trace of (time since start, value) points, linearly interpolated.
    Trace {
        /// Points sorted by time.
        points: Vec<(Millis, f64)>,
        /// Unit.
        unit: DemandUnit,
    },
}

/// A Deployment or a CronJob with its autoscaler, demand and resource model.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// What creates its pods.
    pub kind: WorkloadKind,
    /// `spec.replicas` (default 1; 0 for CronJobs).
    pub replicas: i64,
    /// Pod template.
    pub template: PodTemplate,
    /// The HPA scaling it (for a KEDA ScaledObject, the HPA KEDA generates).
    pub hpa: Option<Hpa>,
    /// The KEDA ScaledObject scaling it.
    pub keda: Option<Keda>,
    /// Its demand.
    pub demand: Option<Demand>,
    /// Per-pod memory usage.
    pub memory: Option<MemoryModel>,
    /// Custom metrics its pods expose (for Pods and External HPA metrics).
    pub metrics: Vec<CustomMetric>,
    /// Index of the PDB covering its pods.
    pub pdb: Option<usize>,
    /// Scripted replica counts `(from ms, replicas)`, in time order (`spec.workloads[].replicas`).
    pub replica_schedule: Vec<(Millis, i64)>,
}

/// What creates a workload's pods.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkloadKind {
    /// apps/v1 Deployment (through its ReplicaSet).
    Deployment,
    /// batch/v1 CronJob (through the Jobs it creates).
    CronJob(Box<CronJob>),
}

/// Per-pod memory working set: `baseline + per_core × CPU usage (cores) + leak × container age`.
/// The leak restarts from zero when the container restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryModel {
    /// Working set at zero load, bytes.
    pub baseline_b: i64,
    /// Extra bytes per core of CPU usage.
    pub per_core_b: i64,
    /// Growth per hour of container age, bytes.
    pub leak_per_hour_b: i64,
}

/// A custom metric a workload's pods expose: `per_demand_unit` metric units per unit of the
/// workload's demand, spread evenly over its ready pods.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomMetric {
    /// Metric name, as HPA `pods.metric.name` and `external.metric.name` refer to it.
    pub name: String,
    /// Metric units per demand unit.
    pub per_demand_unit: f64,
}

/// A KEDA ScaledObject (keda.sh/v1alpha1) with defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Keda {
    /// Name.
    pub name: String,
    /// `pollingInterval` (default 30 s).
    pub polling_ms: Millis,
    /// `cooldownPeriod` (default 300 s).
    pub cooldown_ms: Millis,
    /// `initialCooldownPeriod` (default 0).
    pub initial_cooldown_ms: Millis,
    /// `minReplicaCount` (default 0).
    pub min_replicas: i64,
    /// `maxReplicaCount` (default 100).
    pub max_replicas: i64,
    /// `idleReplicaCount`, if set.
    pub idle_replicas: Option<i64>,
    /// Triggers.
    pub triggers: Vec<KedaTrigger>,
}

/// A KEDA trigger.
#[derive(Debug, Clone, PartialEq)]
pub enum KedaTrigger {
    /// `aws-sqs-queue`.
    SqsQueue {
        /// Queue index in [`Scenario::queues`].
        queue: usize,
        /// `queueLength`: target messages per replica, milli-units (default 5).
        target_milli: i64,
        /// `activationQueueLength` (default 0): active when the value is strictly greater.
        activation_milli: i64,
        /// `scaleOnInFlight` (default true).
        in_flight: bool,
    },
    /// `cpu` or `memory`: a Resource metric on the generated HPA; never decides activity.
    Resource(HpaMetric),
}

/// An SQS queue and the Deployment that consumes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Queue {
    /// Queue name (the last path segment of a `queueURL`).
    pub name: String,
    /// Message arrivals per second over time.
    pub arrivals: Demand,
    /// Consuming workload index.
    pub consumer: usize,
    /// Processing time per message.
    pub processing: Dist,
    /// Messages one pod processes at once.
    pub concurrency: i64,
    /// CPU used by a pod per message it is processing, millicores.
    pub cpu_per_message_m: i64,
    /// Visibility timeout: how long a message received by a pod that dies stays invisible.
    pub visibility_timeout_ms: Millis,
}

/// A CronJob (batch/v1) with its Job template, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct CronJob {
    /// `spec.schedule`.
    pub schedule: crate::k8s::cron::Schedule,
    /// `spec.timeZone` (`None`: UTC, the kube-controller-manager's zone on EKS).
    pub time_zone: Option<String>,
    /// `spec.concurrencyPolicy`.
    pub concurrency: ConcurrencyPolicy,
    /// `spec.startingDeadlineSeconds`, in ms.
    pub starting_deadline_ms: Option<Millis>,
    /// `spec.suspend`.
    pub suspend: bool,
    /// Job `parallelism` (default 1).
    pub parallelism: i64,
    /// Job `completions` (`None`: work-queue semantics; default 1 when parallelism is unset).
    pub completions: Option<i64>,
    /// Job `activeDeadlineSeconds`, in ms.
    pub active_deadline_ms: Option<Millis>,
    /// Job `backoffLimit` (default 6).
    pub backoff_limit: i64,
    /// Run time of one pod, from container start to success.
    pub duration: Dist,
}

/// `concurrencyPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConcurrencyPolicy {
    /// Jobs may overlap.
    Allow,
    /// Skip a run while the previous Job is active.
    Forbid,
    /// Delete the active Job and start the new one.
    Replace,
}

/// A DaemonSet: one pod per matching node.
#[derive(Debug, Clone)]
pub struct DaemonSet {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Pod template (requests are per-node overhead).
    pub template: PodTemplate,
}

/// A PodDisruptionBudget.
#[derive(Debug, Clone)]
pub struct Pdb {
    /// Name.
    pub name: String,
    /// Namespace.
    pub namespace: String,
    /// Pods covered.
    pub selector: LabelSelector,
    /// `minAvailable` or `maxUnavailable`.
    pub rule: PdbRule,
}

/// A PDB rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PdbRule {
    /// Minimum available pods.
    MinAvailable(IntOrPercent),
    /// Maximum unavailable pods.
    MaxUnavailable(IntOrPercent),
}

/// An absolute number or a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntOrPercent {
    /// A count.
    Int(i64),
    /// A percentage.
    Percent(i64),
}

/// Latency distributions.
#[derive(Debug, Clone)]
pub struct Latencies {
    /// NodeClaim created → node Ready.
    pub node_launch: Dist,
    /// Pod bound → pod Ready.
    pub pod_startup: Dist,
    /// Pod deleted → resources released.
    pub pod_shutdown: Dist,
    /// Node Ready → its NodePool's startup taints removed (the node is then initialized). Used
    /// only for NodePools with startup taints.
    pub startup_taint_removal: Dist,
}

/// Spot interruption notices sent at one time (`spec.spotInterruptions`).
#[derive(Debug, Clone, PartialEq)]
pub struct SpotInterruptionEvent {
    /// When the notices are sent.
    pub at_ms: Millis,
    /// Catalog indices of the instance types hit (empty: all).
    pub types: Vec<usize>,
    /// Zone indices hit (empty: all).
    pub zones: Vec<usize>,
    /// How many of the matching running spot instances get a notice.
    pub amount: InterruptionAmount,
}

/// How many instances an interruption event hits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InterruptionAmount {
    /// This many (or all, if fewer run), oldest first.
    Count(u32),
    /// This fraction, rounded up, oldest first.
    Fraction(f64),
}

/// A drift event (`spec.drift`): every node of the pools that exists at `at_ms` drifts.
#[derive(Debug, Clone, PartialEq)]
pub struct DriftEvent {
    /// When.
    pub at_ms: Millis,
    /// NodePool indices (empty: all).
    pub pools: Vec<usize>,
}

/// The descheduler's `PodLifeTime` plugin (kubernetes-sigs/descheduler
/// `pkg/framework/plugins/podlifetime`).
#[derive(Debug, Clone, PartialEq)]
pub struct Descheduler {
    /// Time between runs.
    pub interval_ms: Millis,
    /// `maxPodLifeTimeSeconds`: pods strictly older are evicted.
    pub max_pod_lifetime_s: u64,
    /// Per workload: whether its pods pass the namespace and label filters.
    pub selects: Vec<bool>,
    /// `maxNoOfPodsToEvictPerNode`.
    pub max_per_node: Option<u32>,
    /// `maxNoOfPodsToEvictTotal`.
    pub max_total: Option<u32>,
}

/// The newest Karpenter release ksim models: v1.14.
pub const LATEST_KARPENTER_MINOR: u32 = 14;

/// Karpenter controller settings.
#[derive(Debug, Clone)]
pub struct KarpenterConfig {
    /// `BATCH_IDLE_DURATION`.
    pub batch_idle_ms: Millis,
    /// `BATCH_MAX_DURATION`.
    pub batch_max_ms: Millis,
    /// `SpotToSpotConsolidation` feature gate.
    pub spot_to_spot: bool,
    /// `--min-values-policy=Strict` (default) rather than `BestEffort`
    /// (KC `pkg/operator/options/options.go`).
    pub min_values_strict: bool,
    /// Probability that a `CreateFleet` call fails with a retryable error.
    pub launch_error_probability: f64,
    /// Minor version of the Karpenter v1 release simulated (0 … 14); see `docs/karpenter.md`,
    /// "Versions".
    pub version_minor: u32,
}

impl Default for KarpenterConfig {
    fn default() -> Self {
        KarpenterConfig {
            batch_idle_ms: 1_000,
            batch_max_ms: 10_000,
            spot_to_spot: false,
            min_values_strict: true,
            launch_error_probability: 0.0,
            version_minor: LATEST_KARPENTER_MINOR,
        }
    }
}
