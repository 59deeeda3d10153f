//! The simulation: the event loop that drives demand, the HPA, the ReplicaSet controller,
//! kube-scheduler, Karpenter and the node lifecycle in virtual time.
//!
//! Events at the same millisecond run in phase order: node and pod lifecycle first, then the
//! metrics scrape, then controllers (HPA, Karpenter), then kube-scheduler, then the per-minute
//! sample. Within a phase, events run in the order they were scheduled.

use crate::cloud::pricing::CapacityType;
use crate::cluster::{
    Cluster, Node, NodeId, NodeOwner, NodeState, Pod, PodCause, PodId, RemovalReason,
};
use crate::engine::{EngineError, EventQueue, MINUTE, Millis, RngStreams, SECOND, Stream, Timer};
use crate::hpa::{self, HpaState};
use crate::k8s::labels::Labels;
use crate::karpenter::disruption::{self, Command, Disruption, WorkloadView};
use crate::karpenter::offerings::offering_labels;
use crate::karpenter::provisioning::{self, Claim, Launch, Provisioner, SolveOptions};
use crate::resources::Resources;
use crate::scenario::{
    DemandUnit, DisruptionReason, HpaMetric, InitialState, MetricResource, Scenario, WorkloadKind,
};
use crate::scheduler::{FLUSH_INTERVAL_MS, Scheduler, Topology};
use crate::workload::{DemandCurve, demand_to_cpu_m};
use rand::RngExt;
use rand::rngs::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};

mod containers;
mod disruptions;
mod jobs;
mod metrics;
mod queues;

/// Metrics-server scrape interval (`--metric-resolution=15s` in its manifests and Helm chart).
pub const METRIC_RESOLUTION_MS: Millis = 15_000;
/// Karpenter's pod controller requeues provisionable pods every 10 s.
pub const PROVISION_REQUEUE_MS: Millis = 10_000;
/// Eviction retry interval during drain.
pub const DRAIN_RETRY_MS: Millis = 1_000;
/// Karpenter's minimum drain time.
pub const MIN_DRAIN_MS: Millis = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Lifecycle = 0,
    PodReady = 1,
    Metrics = 2,
    Controllers = 3,
    Scheduler = 4,
    Sample = 5,
}

#[derive(Debug, Clone, Copy)]
enum Event {
    NodeReady(NodeId),
    RegistrationTimeout(NodeId),
    SpotPrice(u32),
    LaunchTimeout(NodeId),
    InstanceRunning(NodeId),
    PodGone(PodId),
    PodReady(PodId, u32),
    ContainerRestart(PodId, u32),
    PodSucceeded(PodId, u32),
    MetricsScrape,
    QueueStep,
    HpaSync(u32),
    KedaPoll(u32),
    CronSync(u32),
    JobSync(u32),
    JobDeadline(u32),
    BatchCheck,
    ProvisionRequeue,
    DisruptionTick,
    DisruptionValidate,
    Drain(NodeId),
    SchedulerRun,
    SchedulerFlush,
    Sample,
    Expire(NodeId),
    InterruptionNotice(NodeId),
    InstanceGone(NodeId),
    InterruptionTrace(u32),
    DriftAt(u32),
    DeschedulerRun,
    ScriptedScale(u32, u32),
}

impl Event {
    fn digest(&self) -> u64 {
        match *self {
            Event::NodeReady(n) => 1 << 56 | n as u64,
            Event::RegistrationTimeout(n) => 23 << 56 | n as u64,
            Event::SpotPrice(k) => 24 << 56 | k as u64,
            Event::LaunchTimeout(n) => 25 << 56 | n as u64,
            Event::InstanceRunning(n) => 26 << 56 | n as u64,
            Event::PodGone(p) => 2 << 56 | p as u64,
            Event::PodReady(p, g) => 3 << 56 | (g as u64) << 32 | p as u64,
            Event::MetricsScrape => 4 << 56,
            Event::HpaSync(w) => 5 << 56 | w as u64,
            Event::BatchCheck => 6 << 56,
            Event::ProvisionRequeue => 7 << 56,
            Event::DisruptionTick => 8 << 56,
            Event::DisruptionValidate => 9 << 56,
            Event::Drain(n) => 10 << 56 | n as u64,
            Event::SchedulerRun => 11 << 56,
            Event::SchedulerFlush => 12 << 56,
            Event::Sample => 13 << 56,
            Event::ContainerRestart(p, g) => 14 << 56 | (g as u64) << 32 | p as u64,
            Event::PodSucceeded(p, g) => 15 << 56 | (g as u64) << 32 | p as u64,
            Event::QueueStep => 16 << 56,
            Event::KedaPoll(w) => 17 << 56 | w as u64,
            Event::CronSync(w) => 18 << 56 | w as u64,
            Event::JobDeadline(j) => 19 << 56 | j as u64,
            Event::JobSync(j) => 20 << 56 | j as u64,
            Event::Expire(n) => 27 << 56 | n as u64,
            Event::InterruptionNotice(n) => 28 << 56 | n as u64,
            Event::InstanceGone(n) => 29 << 56 | n as u64,
            Event::InterruptionTrace(k) => 30 << 56 | k as u64,
            Event::DriftAt(k) => 31 << 56 | k as u64,
            Event::DeschedulerRun => 32 << 56,
            Event::ScriptedScale(w, k) => 33 << 56 | (k as u64) << 32 | w as u64,
        }
    }
}

/// ReplicaSet scale-down rank: (assigned, phase, ready, −colocated, age bucket, uid).
type VictimKey = (u8, u8, u8, i64, i64, u64);

/// Runtime state of one workload.
#[derive(Debug)]
struct WorkloadState {
    desired: i64,
    active: Vec<PodId>,
    ready: i64,
    recent_ready: VecDeque<(Millis, PodId)>,
    demand: Option<DemandCurve>,
    hpa: Option<HpaState>,
    keda: Option<crate::keda::KedaState>,
    /// Last scrape.
    sample: Option<metrics::Sample>,
    /// Σ container start over Ready pods (ms).
    ready_start_sum: i128,
    /// Ready pods by container start (workloads with a memory model).
    by_start: BTreeSet<(Millis, PodId)>,
    /// Pods restarting after a crash.
    restarting: i64,
    /// OOMKills so far.
    oom_kills: u64,
    /// CPU work from the queues it consumes, integrated (millicore·ms).
    queue_cpu_integral: f64,
    /// `queue_cpu_integral` at the last scrape.
    queue_cpu_at_scrape: f64,
    /// CPU demand integrated over time (millicore·ms).
    cpu_demand_m_ms: f64,
    /// CPU demand not served (throttled, or no Ready pod), integrated (millicore·ms).
    cpu_unserved_m_ms: f64,
}

/// One row of the per-minute time series.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeseriesRow {
    /// Minute index.
    pub minute: u64,
    /// Pods bound and not terminating.
    pub pods_running: u64,
    /// Pods not yet bound.
    pub pods_pending: u64,
    /// Live spot nodes.
    pub nodes_spot: u64,
    /// Live on-demand nodes.
    pub nodes_on_demand: u64,
    /// Nodes (launching or running) by instance type: (catalog index, count), by index, only
    /// types with a node.
    pub nodes_by_type: Vec<(usize, u32)>,
    /// Cost rate, USD per hour.
    pub cost_rate_usd_per_hour: f64,
    /// Cumulative cost, USD.
    pub cost_cumulative_usd: f64,
    /// CPU requested on Ready nodes, millicores (DaemonSets included).
    pub cpu_requested_m: i64,
    /// CPU allocatable on Ready nodes, millicores.
    pub cpu_allocatable_m: i64,
    /// Memory requested on Ready nodes, bytes.
    pub mem_requested_b: i64,
    /// Memory allocatable on Ready nodes, bytes.
    pub mem_allocatable_b: i64,
    /// OOMKills so far, all workloads.
    pub oom_kills: u64,
    /// Per queue: (visible, in flight) messages.
    pub queues: Vec<(i64, i64)>,
}

/// One row of the per-minute, per-workload series.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadRow {
    /// Minute index.
    pub minute: u64,
    /// Workload index.
    pub workload: usize,
    /// `spec.replicas`.
    pub desired: i64,
    /// Ready pods.
    pub ready: i64,
    /// Demand in CPU cores.
    pub demand_cores: f64,
    /// OOMKills so far.
    pub oom_kills: u64,
}

/// Who changed a workload's replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scaler {
    /// The HorizontalPodAutoscaler (for a ScaledObject, the one KEDA generated).
    Hpa,
    /// The KEDA operator (to and from zero or the idle count).
    Keda,
    /// A scripted step of the Scenario (`spec.workloads[].replicas`).
    Script,
}

/// A change of a workload's desired replicas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScaleEvent {
    /// When.
    pub at_ms: Millis,
    /// Workload index.
    pub workload: usize,
    /// Replicas before.
    pub from: i64,
    /// Replicas after.
    pub to: i64,
    /// Who changed them.
    pub by: Scaler,
}

/// Per-workload totals of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadTotals {
    /// OOMKills.
    pub oom_kills: u64,
    /// CPU demand, core-seconds.
    pub cpu_demand_core_s: f64,
    /// CPU demand not served (throttled by limits, or no Ready pod), core-seconds.
    pub cpu_unserved_core_s: f64,
}

/// Per-queue totals of a run.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueTotals {
    /// Messages arrived.
    pub arrived: f64,
    /// Messages processed.
    pub processed: f64,
    /// Messages redelivered after their consumer died.
    pub redelivered: f64,
    /// Most visible messages at a minute sample.
    pub visible_peak: i64,
    /// Visible messages at the end.
    pub visible_at_end: i64,
    /// Message age at pick-up (ms): p50, p90, p99, max; `None` when nothing was processed.
    pub age_ms: Option<[Millis; 4]>,
}

/// Everything a run produced.
#[derive(Debug)]
pub struct SimResult {
    /// Final cluster state (every pod and node ever created).
    pub cluster: Cluster,
    /// Per-minute samples.
    pub timeseries: Vec<TimeseriesRow>,
    /// Per-minute, per-workload samples.
    pub workload_series: Vec<WorkloadRow>,
    /// Events processed.
    pub events_processed: u64,
    /// Hash of the event stream.
    pub event_hash: u64,
    /// Maximum number of pods at any instant.
    pub pods_peak: u64,
    /// Minimum number of pods at any instant.
    pub pods_min: u64,
    /// Maximum number of live nodes at any instant.
    pub nodes_peak: u64,
    /// Disruption commands executed, by reason.
    pub disruptions: Vec<(DisruptionReason, u64)>,
    /// Pods evicted by disruption.
    pub pods_evicted: u64,
    /// Disruption details.
    pub disruption: DisruptionTotals,
    /// Karpenter solves run.
    pub solves: u64,
    /// Per workload.
    pub workloads: Vec<WorkloadTotals>,
    /// Per queue.
    pub queues: Vec<QueueTotals>,
    /// Jobs: (completed, failed, runs skipped).
    pub jobs: (u64, u64, u64),
    /// Every change of a workload's replicas by an autoscaler, in time order.
    pub scale_events: Vec<ScaleEvent>,
    /// Every `CreateFleet` call Karpenter made, in time order.
    pub launches: Vec<LaunchRecord>,
    /// Every processed event, when [`RunLimits::record_events`] was set.
    pub event_trace: Vec<crate::engine::TracedEvent>,
}

/// What the disruption controllers, EC2 and the descheduler did.
#[derive(Debug, Clone, Default)]
pub struct DisruptionTotals {
    /// Karpenter disruption commands executed, by method (`emptiness`, `drift`,
    /// `multi_node_consolidation`, `single_node_consolidation`).
    pub commands_by_method: BTreeMap<&'static str, u64>,
    /// Pods evicted, by cause (`empty`, `underutilized`, `drifted`, `expired`, `interrupted`,
    /// `descheduled`).
    pub evicted_by_cause: BTreeMap<&'static str, u64>,
    /// Sum over executed consolidation commands of (candidates' price − replacement's worst
    /// launch price), USD per hour.
    pub consolidation_savings_usd_per_hour: f64,
    /// Spot interruption notices received.
    pub interruption_notices: u64,
    /// Nodes whose `expireAfter` elapsed.
    pub expirations: u64,
    /// Nodes that drifted.
    pub drifted_nodes: u64,
    /// Pods deleted at the `terminationGracePeriod` deadline despite a PDB or `do-not-disrupt`.
    pub forced_deletions: u64,
    /// Pods still on a spot instance when EC2 reclaimed it.
    pub pods_lost_to_reclaim: u64,
}

/// Karpenter's registration timeout: a NodeClaim whose node has not registered 15 minutes after
/// launch is deleted (KC `pkg/controllers/nodeclaim/lifecycle/liveness.go`
/// `registrationTimeout`).
pub const REGISTRATION_TIMEOUT_MS: Millis = 15 * 60_000;

/// What became of a NodeClaim's launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchOutcome {
    /// An instance launched (and registered, unless the run ended first).
    Launched,
    /// EC2 had no capacity in any offering of the request; the NodeClaim was deleted.
    InsufficientCapacity,
    /// `CreateFleet` kept failing for 5 minutes; the NodeClaim was deleted.
    LaunchTimeout,
    /// The instance never registered; the NodeClaim was deleted after 15 minutes.
    RegistrationTimeout,
}

impl LaunchOutcome {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchOutcome::Launched => "launched",
            LaunchOutcome::InsufficientCapacity => "insufficient_capacity",
            LaunchOutcome::LaunchTimeout => "launch_timeout",
            LaunchOutcome::RegistrationTimeout => "registration_timeout",
        }
    }
}

/// Karpenter's launch timeout: a NodeClaim not launched 5 minutes after creation is deleted
/// (KC `pkg/controllers/nodeclaim/lifecycle/liveness.go` `LaunchTimeout`).
pub const LAUNCH_TIMEOUT_MS: Millis = 5 * 60_000;

/// Retry backoff of the NodeClaim lifecycle controller after the `failures`-th failure:
/// per-item exponential from 1 s, capped at 1 min (KC
/// `pkg/controllers/nodeclaim/lifecycle/controller.go`,
/// `NewTypedItemExponentialFailureRateLimiter(time.Second, time.Minute)`).
pub fn launch_retry_backoff_ms(failures: u32) -> Millis {
    (1_000u64 << failures.saturating_sub(1).min(16)).min(60_000)
}

/// Why Karpenter launched a NodeClaim.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchPurpose {
    /// For pending pods.
    Provisioning,
    /// To replace a node in a consolidation.
    Replacement,
}

impl LaunchPurpose {
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            LaunchPurpose::Provisioning => "provisioning",
            LaunchPurpose::Replacement => "replacement",
        }
    }
}

/// One `CreateFleet` call for a NodeClaim.
#[derive(Debug, Clone, PartialEq)]
pub struct LaunchRecord {
    /// When (ms).
    pub time: Millis,
    /// NodePool index.
    pub pool: usize,
    /// Why.
    pub purpose: LaunchPurpose,
    /// The capacity type requested.
    pub capacity_type: CapacityType,
    /// Number of offerings in the request.
    pub overrides: usize,
    /// (instance type, zone) of each offering that failed with insufficient capacity.
    pub errors: Vec<(usize, usize)>,
    /// The offering the call launched, if any.
    pub launch: Option<Launch>,
    /// The node created for it.
    pub node: Option<NodeId>,
    /// What became of the NodeClaim.
    pub outcome: LaunchOutcome,
    /// Failed attempts (retryable errors) before the call went through, or before the launch
    /// timeout.
    pub retries: u32,
    /// True when the NodeClaim allowed spot offerings (before availability).
    pub spot_allowed: bool,
    /// True when some spot offering was marked unavailable (insufficient capacity) at the time.
    pub spot_shortage: bool,
}

/// How often to verify the simulation's invariants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InvariantCheck {
    /// Never (normal runs).
    #[default]
    Off,
    /// After every event (tests on small scenarios).
    EveryEvent,
    /// After every per-minute sample (tests on large scenarios).
    EveryMinute,
}

/// Limits that keep a run from running away, and test-time checks.
#[derive(Debug, Clone, Copy)]
pub struct RunLimits {
    /// Maximum number of events.
    pub max_events: u64,
    /// Maximum number of pods ever created.
    pub max_pods: u64,
    /// Invariant checking.
    pub invariants: InvariantCheck,
    /// Record every processed event in [`SimResult::event_trace`] (determinism checks).
    pub record_events: bool,
    /// Maximum resident memory of the process in MiB, checked every 4,096 events on Linux
    /// (`/proc/self/statm`); `None` for no limit.
    pub max_memory_mb: Option<u64>,
}

impl Default for RunLimits {
    fn default() -> Self {
        RunLimits {
            max_events: 200_000_000,
            max_pods: 20_000_000,
            invariants: InvariantCheck::Off,
            record_events: false,
            max_memory_mb: None,
        }
    }
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The event budget was exceeded.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// The pod budget was exceeded.
    #[error("the run created more than {0} pods; raise --max-pods if this is expected")]
    PodBudget(u64),
    /// The memory budget was exceeded.
    #[error(
        "the run used {used_mb} MiB of memory, more than the {limit_mb} MiB allowed; raise --max-memory-mb, or shorten the run"
    )]
    MemoryBudget {
        /// Resident memory seen, MiB.
        used_mb: u64,
        /// The limit, MiB.
        limit_mb: u64,
    },
    /// An invariant failed (a bug in ksim).
    #[error("invariant violated at t={at_ms} ms: {message}")]
    Invariant {
        /// Virtual time.
        at_ms: Millis,
        /// What failed.
        message: String,
    },
}

struct Sim<'a> {
    s: &'a Scenario,
    q: EventQueue<Event>,
    c: Cluster,
    topo: Topology,
    sched: Scheduler,
    prov: Provisioner,
    disr: Disruption,
    w: Vec<WorkloadState>,
    pending_unschedulable: BTreeSet<PodId>,
    unbound: BTreeSet<PodId>,
    sched_timer: Timer,
    flush_timer: Timer,
    batch_timer: Timer,
    requeue_timer: Timer,
    disruption_timer: Timer,
    pending_command: Option<Command>,
    /// Commands waiting for their replacements to initialize, with the replacements not yet
    /// Ready.
    executing: Vec<(Command, Vec<NodeId>)>,
    /// Per node: when its drain must be done (`terminationGracePeriod`).
    drain_deadline: Vec<Option<Millis>>,
    rng_interruptions: ChaCha8Rng,
    dis: DisruptionTotals,
    draining: BTreeSet<NodeId>,
    drain_started: Vec<Millis>,
    rng_launch: ChaCha8Rng,
    rng_startup: ChaCha8Rng,
    rng_shutdown: ChaCha8Rng,
    rng_names: ChaCha8Rng,
    rng_uids: ChaCha8Rng,
    names: HashSet<String>,
    limits: RunLimits,
    timeseries: Vec<TimeseriesRow>,
    workload_series: Vec<WorkloadRow>,
    pods_now: u64,
    pods_peak: u64,
    pods_min: u64,
    started: bool,
    nodes_peak: u64,
    disruptions: Vec<(DisruptionReason, u64)>,
    pods_evicted: u64,
    solves: u64,
    /// Queue states, as [`Scenario::queues`].
    queues: Vec<crate::queue::QueueState>,
    /// Queue arrival curves (messages per second).
    arrivals: Vec<DemandCurve>,
    /// Most visible messages per queue at a minute sample.
    queue_peaks: Vec<i64>,
    /// Container back-off entries.
    backoffs: BTreeMap<PodId, containers::Backoff>,
    /// CronJob and Job controller state.
    jobs: jobs::Jobs,
    rng_jobs: ChaCha8Rng,
    rng_capacity: ChaCha8Rng,
    launches: Vec<LaunchRecord>,
    /// Prices of instances whose CreateFleet call has not gone through yet.
    deferred_price: BTreeMap<NodeId, f64>,
    /// Mean processing time per queue (ms).
    queue_mean_ms: Vec<f64>,
    scale_events: Vec<ScaleEvent>,
}

/// Resident memory of this process in MiB (Linux `/proc/self/statm`, 4 KiB pages); `None`
/// elsewhere.
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1024 * 1024))
}

/// Runs a scenario to completion.
pub fn run(s: &Scenario, limits: RunLimits) -> Result<SimResult, SimError> {
    let streams = RngStreams::new(s.seed);
    let mut sim = Sim {
        s,
        q: EventQueue::new(limits.max_events),
        c: Cluster::default(),
        topo: Topology::new(s.workloads.len(), s.zones.len()),
        sched: Scheduler::new(s, streams.stream(Stream::Scheduler)),
        prov: Provisioner::new(s, streams.stream(Stream::SpotAllocation)),
        disr: Disruption::default(),
        w: s.workloads
            .iter()
            .map(|w| WorkloadState {
                desired: 0,
                active: Vec::new(),
                ready: 0,
                recent_ready: VecDeque::new(),
                demand: w.demand.as_ref().map(|d| {
                    let key = crate::workload::noise_key(&w.namespace, &w.name);
                    DemandCurve::build(d, &s.clock, s.duration_ms, &streams, key)
                }),
                hpa: w.hpa.as_ref().map(|_| HpaState::default()),
                keda: w.keda.as_ref().map(|_| crate::keda::KedaState::default()),
                sample: None,
                ready_start_sum: 0,
                by_start: BTreeSet::new(),
                restarting: 0,
                oom_kills: 0,
                queue_cpu_integral: 0.0,
                queue_cpu_at_scrape: 0.0,
                cpu_demand_m_ms: 0.0,
                cpu_unserved_m_ms: 0.0,
            })
            .collect(),
        pending_unschedulable: BTreeSet::new(),
        unbound: BTreeSet::new(),
        sched_timer: Timer::default(),
        flush_timer: Timer::default(),
        batch_timer: Timer::default(),
        requeue_timer: Timer::default(),
        disruption_timer: Timer::default(),
        pending_command: None,
        executing: Vec::new(),
        draining: BTreeSet::new(),
        drain_started: Vec::new(),
        drain_deadline: Vec::new(),
        rng_interruptions: streams.stream(Stream::Interruptions),
        dis: DisruptionTotals::default(),
        rng_launch: streams.stream(Stream::NodeLaunch),
        rng_startup: streams.stream(Stream::PodStartup),
        rng_shutdown: streams.stream(Stream::PodShutdown),
        rng_names: streams.stream(Stream::Names),
        rng_uids: streams.stream(Stream::PodUids),
        names: HashSet::new(),
        limits,
        timeseries: Vec::new(),
        workload_series: Vec::new(),
        pods_now: 0,
        pods_peak: 0,
        pods_min: u64::MAX,
        started: false,
        nodes_peak: 0,
        disruptions: Vec::new(),
        pods_evicted: 0,
        solves: 0,
        queues: vec![crate::queue::QueueState::default(); s.queues.len()],
        arrivals: s
            .queues
            .iter()
            .map(|q| {
                let key = crate::workload::noise_key("sqs", &q.name);
                DemandCurve::build(&q.arrivals, &s.clock, s.duration_ms, &streams, key)
            })
            .collect(),
        queue_peaks: vec![0; s.queues.len()],
        backoffs: BTreeMap::new(),
        jobs: jobs::Jobs::new(s),
        rng_jobs: streams.stream(Stream::Jobs),
        rng_capacity: streams.stream(Stream::Capacity),
        launches: Vec::new(),
        deferred_price: BTreeMap::new(),
        queue_mean_ms: s.queues.iter().map(|q| q.processing.mean_ms()).collect(),
        scale_events: Vec::new(),
    };
    if limits.record_events {
        sim.q.record();
    }
    sim.start()?;
    sim.started = true;
    sim.pods_min = sim.pods_now;
    sim.run_loop()?;
    Ok(sim.finish())
}

impl<'a> Sim<'a> {
    fn now(&self) -> Millis {
        self.q.now()
    }

    fn schedule(&mut self, at: Millis, phase: Phase, e: Event) {
        self.q.schedule(at, phase as u8, e);
    }

    fn arm_scheduler(&mut self) {
        let now = self.now();
        self.sched_timer.arm(
            &mut self.q,
            now,
            Phase::Scheduler as u8,
            Event::SchedulerRun,
        );
    }

    /// A random EC2 private DNS name, unique within the run (draws again on a collision).
    fn node_name(&mut self) -> String {
        loop {
            let a: u8 = self.rng_names.random();
            let b: u8 = self.rng_names.random();
            let c: u8 = self.rng_names.random_range(1..=254);
            let name = format!("ip-10-{a}-{b}-{c}.{}.compute.internal", self.s.region);
            if self.names.insert(name.clone()) {
                return name;
            }
        }
    }

    fn count_pods(&mut self, delta: i64) {
        self.pods_now = (self.pods_now as i64 + delta) as u64;
        self.pods_peak = self.pods_peak.max(self.pods_now);
        if self.started {
            self.pods_min = self.pods_min.min(self.pods_now);
        }
    }

    // ----- start-up -------------------------------------------------------------------------

    fn start(&mut self) -> Result<(), SimError> {
        let s = self.s;
        // Spot price changes: those at t = 0 apply before anything launches.
        let mut k = 0;
        while k < s.spot_prices.len() {
            let at = s.spot_prices[k].at_ms;
            if at == 0 {
                k = self.apply_spot_prices(k);
                continue;
            }
            if at < s.duration_ms {
                self.schedule(at, Phase::Lifecycle, Event::SpotPrice(k as u32));
            }
            while k < s.spot_prices.len() && s.spot_prices[k].at_ms == at {
                k += 1;
            }
        }
        let (per_core, per_gib) = self.cheapest_unit_prices();
        self.c.bounds.usd_per_core_hour = per_core;
        self.c.bounds.usd_per_gib_hour = per_gib;
        // Managed node groups: Ready at t = 0.
        for (gi, g) in s.node_groups.iter().enumerate() {
            for i in 0..g.size {
                let zone = i as usize % s.zones.len();
                let id = self.create_node(
                    Labels::new(),
                    NodeOwner::Group(gi),
                    (g.instance_type, zone, g.capacity_type),
                    None,
                    0,
                );
                self.c.node_ready(id, 0);
            }
        }
        // Initial replicas.
        for wi in 0..s.workloads.len() {
            let desired = self.initial_replicas(wi);
            self.w[wi].desired = desired;
        }
        let warm = s.initial_state == InitialState::Warm;
        for wi in 0..s.workloads.len() {
            let n = self.w[wi].desired;
            for _ in 0..n {
                self.create_pod(
                    wi,
                    if warm {
                        PodCause::Initial
                    } else {
                        PodCause::ScaleUp
                    },
                )?;
            }
        }
        if warm {
            self.warm_place()?;
        }
        // Periodic controllers, with seeded phase offsets.
        let mut offsets = RngStreams::new(s.seed).stream(Stream::Offsets);
        let scrape_at = offsets.random_range(0..METRIC_RESOLUTION_MS);
        self.schedule(scrape_at, Phase::Metrics, Event::MetricsScrape);
        for (wi, w) in s.workloads.iter().enumerate() {
            if w.hpa.is_some() {
                let at = offsets.random_range(0..hpa::SYNC_PERIOD_MS);
                self.schedule(at, Phase::Controllers, Event::HpaSync(wi as u32));
            }
        }
        // KEDA's first check runs when the ScaledObject is reconciled, here at t = 0.
        for (wi, w) in s.workloads.iter().enumerate() {
            if w.keda.is_some() {
                self.schedule(0, Phase::Controllers, Event::KedaPoll(wi as u32));
            }
        }
        if !s.queues.is_empty() {
            self.schedule(crate::queue::STEP_MS, Phase::Metrics, Event::QueueStep);
        }
        self.start_cron_jobs();
        self.arm_disruption_inputs();
        if !s.node_pools.is_empty() {
            self.disruption_timer.arm(
                &mut self.q,
                disruption::POLL_MS,
                Phase::Controllers as u8,
                Event::DisruptionTick,
            );
        }
        self.schedule(0, Phase::Sample, Event::Sample);
        self.arm_scheduler();
        // Pods the warm start could not place are provisionable from t = 0.
        if !self.pending_unschedulable.is_empty() && !s.node_pools.is_empty() {
            self.trigger_batch();
        }
        Ok(())
    }

    fn initial_replicas(&self, wi: usize) -> i64 {
        let w = &self.s.workloads[wi];
        let ws = &self.w[wi];
        if let Some(k) = &w.keda {
            return self.initial_keda_replicas(k);
        }
        if let Some(&(0, r)) = w.replica_schedule.first() {
            return r;
        }
        let demand_at_0 = ws.demand.as_ref().map(|d| (d.unit, d.at(0)));
        match (&w.hpa, demand_at_0) {
            (Some(h), Some((unit, v))) => {
                let cpu_m = demand_to_cpu_m(w, unit, v);
                let per_pod = h
                    .metrics
                    .iter()
                    .find_map(|m| match *m {
                        HpaMetric::Utilization {
                            resource: MetricResource::Cpu,
                            target_percent,
                        } => Some(
                            w.template.metric_requests.cpu_m as f64 * target_percent as f64 / 100.0,
                        ),
                        HpaMetric::AverageValue {
                            resource: MetricResource::Cpu,
                            target_milli,
                        } => Some(target_milli as f64),
                        _ => None,
                    })
                    .unwrap_or(1.0)
                    .max(1.0);
                ((cpu_m / per_pod).ceil() as i64).clamp(h.min_replicas, h.max_replicas)
            }
            (Some(h), None) => w.replicas.clamp(h.min_replicas, h.max_replicas),
            (None, Some((DemandUnit::Replicas, v))) => v.round().max(0.0) as i64,
            (None, _) => w.replicas,
        }
    }

    /// A KEDA workload at t = 0: the steady state of its queues at their arrival rate then
    /// (`rate × mean processing time` in flight, no backlog) under the generated HPA's targets;
    /// zero when every queue is idle and `minReplicaCount` is 0.
    fn initial_keda_replicas(&self, k: &crate::scenario::Keda) -> i64 {
        let mut want = 0i64;
        let mut any_active = false;
        for t in &k.triggers {
            match *t {
                crate::scenario::KedaTrigger::SqsQueue {
                    queue,
                    target_milli,
                    activation_milli,
                    in_flight,
                } => {
                    let rate = self.arrivals[queue].at(0);
                    let q = if in_flight {
                        rate * self.queue_mean_ms[queue] / 1000.0
                    } else {
                        0.0
                    };
                    if q * 1000.0 > activation_milli as f64 {
                        any_active = true;
                    }
                    want = want.max((q * 1000.0 / target_milli as f64).ceil() as i64);
                }
                crate::scenario::KedaTrigger::Resource(_) => any_active = true,
            }
        }
        if !any_active && k.min_replicas == 0 {
            return k.idle_replicas.unwrap_or(0);
        }
        want.clamp(k.min_replicas.max(1), k.max_replicas.max(1))
    }

    /// Warm start: place the initial pods with kube-scheduler, provisioning Karpenter nodes that
    /// are Ready at t = 0 for whatever does not fit, until everything is placed.
    fn warm_place(&mut self) -> Result<(), SimError> {
        for _ in 0..8 {
            let res = self.sched.run(self.s, &mut self.c, &mut self.topo, 0);
            self.after_binds(&res.bound, true);
            for p in res.newly_unschedulable {
                self.pending_unschedulable.insert(p);
            }
            if self.pending_unschedulable.is_empty() {
                break;
            }
            let pending: Vec<PodId> = self.pending_unschedulable.iter().copied().collect();
            let sol = self.prov.solve(
                self.s,
                &self.c,
                &self.topo,
                &pending,
                &SolveOptions {
                    allow_new: true,
                    ..Default::default()
                },
                0,
            );
            if sol.claims.is_empty() {
                break;
            }
            for claim in &sol.claims {
                if let Some(l) = self.fleet(claim, false, LaunchPurpose::Provisioning) {
                    let id = self.create_node(
                        self.prov.claim_labels(claim),
                        NodeOwner::Pool(claim.pool),
                        (l.instance_type, l.zone, l.capacity_type),
                        Some(l.price),
                        0,
                    );
                    if let Some(r) = self.launches.last_mut() {
                        r.node = Some(id);
                    }
                    self.c.node_ready(id, 0);
                }
            }
            self.sched.on_assigned_pod_deleted(self.s);
        }
        // Everything placed at t = 0 is Ready at t = 0.
        for wi in 0..self.w.len() {
            for &p in &self.w[wi].active.clone() {
                let pod = &self.c.pods[p as usize];
                if pod.node.is_some() && pod.ready.is_none() {
                    self.mark_ready(p, 0);
                }
            }
            // No metric history exists before t = 0: the initial pods have metrics at once.
            self.w[wi].recent_ready.clear();
        }
        Ok(())
    }

    /// The cheapest price per allocatable CPU core and per allocatable GiB among every offering
    /// the scenario allows — each NodePool's admitted offerings at their lowest price over the
    /// run (spot price traces included) and the managed node groups — for the cost lower bound.
    fn cheapest_unit_prices(&self) -> (f64, f64) {
        let s = self.s;
        let table = &self.prov.table;
        let mut lowest: Vec<Option<f64>> = table.price.clone();
        for ch in &s.spot_prices {
            for &z in &ch.zones {
                let i = table.idx(ch.instance_type, z, CapacityType::Spot);
                lowest[i] = Some(lowest[i].map_or(ch.usd_per_hour, |p| p.min(ch.usd_per_hour)));
            }
        }
        let (mut per_core, mut per_gib) = (f64::INFINITY, f64::INFINITY);
        let mut consider = |price: f64, alloc: Resources| {
            if alloc.cpu_m > 0 {
                per_core = per_core.min(price / (alloc.cpu_m as f64 / 1000.0));
            }
            if alloc.mem_b > 0 {
                per_gib = per_gib.min(price / (alloc.mem_b as f64 / crate::resources::GIB as f64));
            }
        };
        for pool in &self.prov.pools {
            for i in pool.admitted.iter() {
                if let Some(price) = lowest[i] {
                    consider(price, pool.allocatable[table.decode(i).0]);
                }
            }
        }
        for g in &s.node_groups {
            let alloc = s.catalog.get(g.instance_type).allocatable(&g.kubelet);
            for z in 0..s.zones.len() {
                if let Some(price) = lowest[table.idx(g.instance_type, z, g.capacity_type)] {
                    consider(price, alloc);
                }
            }
        }
        let finite = |v: f64| if v.is_finite() { v } else { 0.0 };
        (finite(per_core), finite(per_gib))
    }

    // ----- nodes ------------------------------------------------------------------------------

    fn create_node(
        &mut self,
        extra_labels: Labels,
        owner: NodeOwner,
        (it, zone, ct): (usize, usize, CapacityType),
        price: Option<f64>,
        now: Millis,
    ) -> NodeId {
        let s = self.s;
        let itype = s.catalog.get(it);
        let mut labels = offering_labels(itype, &s.zones[zone], &s.region, ct);
        let (taints, kubelet) = match owner {
            NodeOwner::Pool(p) => {
                labels.extend(self.prov.pools[p].node_labels.clone());
                labels.extend(extra_labels);
                labels.insert("karpenter.sh/initialized".into(), "true".into());
                labels.insert("karpenter.sh/registered".into(), "true".into());
                (
                    s.node_pools[p].taints.clone(),
                    s.node_classes[s.node_pools[p].node_class].kubelet.clone(),
                )
            }
            NodeOwner::Group(g) => {
                let group = &s.node_groups[g];
                labels.remove("karpenter.sh/capacity-type");
                labels.extend(group.labels.clone());
                labels.insert("eks.amazonaws.com/nodegroup".into(), group.name.clone());
                labels.insert(
                    "eks.amazonaws.com/capacityType".into(),
                    if ct == CapacityType::Spot {
                        "SPOT"
                    } else {
                        "ON_DEMAND"
                    }
                    .into(),
                );
                (group.taints.clone(), group.kubelet.clone())
            }
        };
        let allocatable = itype.allocatable(&kubelet);
        let overhead = crate::karpenter::offerings::daemon_overhead(s, &labels, &taints);
        let nonzero_overhead = s
            .daemonsets
            .iter()
            .filter(|d| {
                d.template.matches_node_labels(&labels)
                    && crate::k8s::labels::tolerates_all_hard(&d.template.tolerations, &taints)
            })
            .fold(Resources::ZERO, |a, d| a + d.template.nonzero_requests);
        let price = price
            .or_else(|| self.prov.table.price[self.prov.table.idx(it, zone, ct)])
            .unwrap_or(0.0);
        let shape = self.c.intern_shape(labels, taints);
        let name = self.node_name();
        let node = Node {
            name_key: crate::cluster::name_key(&name),
            name,
            owner,
            instance_type: it,
            zone,
            capacity_type: ct,
            price_per_hour: price,
            billed_before_usd: 0.0,
            price_since: now,
            shape,
            allocatable,
            requested: overhead,
            nonzero_requested: nonzero_overhead,
            daemon_overhead: overhead,
            pods: Vec::new(),
            active_pods: 0,
            launched: now,
            ready_at: None,
            terminated: None,
            state: NodeState::Launching,
            unschedulable: false,
            marked_for_deletion: false,
            last_pod_event: None,
            nominated_until: 0,
            removal: None,
            drifted: None,
            active_requested: Resources::ZERO,
        };
        let id = self.c.add_node(node, now);
        self.drain_started.push(0);
        self.drain_deadline.push(None);
        self.arm_node_lifecycle(id, now);
        self.nodes_peak = self.nodes_peak.max(self.c.alive);
        id
    }

    fn launch(&mut self, claim: &Claim, l: Launch) -> NodeId {
        self.launch_after(claim, l, 0)
    }

    /// A NodeClaim whose every CreateFleet attempt failed for 5 minutes: it holds its pods'
    /// nomination (an unlaunched in-flight NodeClaim, no instance, no cost) until the liveness
    /// controller deletes it.
    fn launch_timeout(&mut self, claim: &Claim, retries: u32) -> Option<NodeId> {
        let now = self.now();
        let (ct, overrides) = self.prov.launch_overrides(self.s, claim, now, false)?;
        let o = overrides
            .iter()
            .min_by(|a, b| a.price.total_cmp(&b.price))
            .copied()?;
        let id = self.create_node(
            self.prov.claim_labels(claim),
            NodeOwner::Pool(claim.pool),
            (o.instance_type, o.zone, ct),
            Some(0.0),
            now,
        );
        self.c.nodes[id as usize].nominated_until =
            now + provisioning::nomination_ms(self.s.karpenter.batch_max_ms);
        self.schedule(
            now + LAUNCH_TIMEOUT_MS,
            Phase::Lifecycle,
            Event::LaunchTimeout(id),
        );
        self.launches.push(LaunchRecord {
            time: now,
            pool: claim.pool,
            purpose: LaunchPurpose::Provisioning,
            capacity_type: ct,
            overrides: overrides.len(),
            errors: Vec::new(),
            launch: None,
            node: Some(id),
            outcome: LaunchOutcome::LaunchTimeout,
            retries,
            spot_allowed: claim
                .allowed
                .iter()
                .any(|i| self.prov.table.decode(i).2 == CapacityType::Spot),
            spot_shortage: false,
        });
        Some(id)
    }

    fn on_launch_timeout(&mut self, id: NodeId) {
        let now = self.now();
        if self.c.nodes[id as usize].state == NodeState::Launching {
            self.c.terminate_node(id, now, RemovalReason::LaunchTimeout);
            self.fail_commands_waiting_on(id);
            if !self.pending_unschedulable.is_empty() {
                self.trigger_batch();
            }
        }
    }

    fn on_instance_running(&mut self, id: NodeId) {
        let now = self.now();
        if let Some(price) = self.deferred_price.remove(&id) {
            self.c.set_price(id, price, now);
            let n = &mut self.c.nodes[id as usize];
            n.launched = now;
            n.price_since = now;
        }
    }

    /// Launches an instance whose CreateFleet call succeeds `delay` ms from now (after retries);
    /// until then the NodeClaim is in flight without an instance (and costs nothing).
    fn launch_after(&mut self, claim: &Claim, l: Launch, delay: Millis) -> NodeId {
        let pool = claim.pool;
        let id = self.create_node(
            self.prov.claim_labels(claim),
            NodeOwner::Pool(pool),
            (l.instance_type, l.zone, l.capacity_type),
            Some(if delay == 0 { l.price } else { 0.0 }),
            self.now(),
        );
        let now = self.now() + delay;
        let pool_capacity = self
            .s
            .capacity
            .pool(l.instance_type, l.zone, l.capacity_type, now);
        if pool_capacity.registration_failure_probability > 0.0
            && self.rng_capacity.random::<f64>() < pool_capacity.registration_failure_probability
        {
            // The instance runs (and bills) but never joins; the liveness controller deletes the
            // NodeClaim 15 minutes after launch (KC `nodeclaim/lifecycle/liveness.go`).
            self.schedule(
                now + REGISTRATION_TIMEOUT_MS,
                Phase::Lifecycle,
                Event::RegistrationTimeout(id),
            );
            return id;
        }
        let mut delay = self.s.latency.node_launch.sample(&mut self.rng_launch);
        if !self.s.node_pools[pool].startup_taints.is_empty() {
            // Initialized only once the startup taints are gone (KC `nodeclaim/lifecycle/
            // initialization.go`); until then no pod that does not tolerate them can bind.
            delay += self
                .s
                .latency
                .startup_taint_removal
                .sample(&mut self.rng_launch);
        }
        self.schedule(now + delay, Phase::Lifecycle, Event::NodeReady(id));
        id
    }

    /// Applies every spot price change at the time of change `k` (they are in time order):
    /// Karpenter's offerings and every running instance of the offering take the new price.
    /// Returns the index after the last change applied.
    fn apply_spot_prices(&mut self, mut k: usize) -> usize {
        let now = self.now();
        let changes = &self.s.spot_prices;
        let at = changes[k].at_ms;
        let mut changed = Vec::new();
        while k < changes.len() && changes[k].at_ms == at {
            let ch = &changes[k];
            for &z in &ch.zones {
                let i = self.prov.table.idx(ch.instance_type, z, CapacityType::Spot);
                self.prov.set_price(i, ch.usd_per_hour);
                changed.push((i, ch.usd_per_hour));
            }
            k += 1;
        }
        for id in 0..self.c.nodes.len() {
            let n = &self.c.nodes[id];
            if !n.alive() || n.capacity_type != CapacityType::Spot {
                continue;
            }
            let i = self
                .prov
                .table
                .idx(n.instance_type, n.zone, n.capacity_type);
            if let Some(&(_, p)) = changed.iter().rev().find(|(o, _)| *o == i) {
                self.c.set_price(id as NodeId, p, now);
            }
        }
        k
    }

    fn on_registration_timeout(&mut self, id: NodeId) {
        let now = self.now();
        if self.c.nodes[id as usize].state != NodeState::Launching {
            return;
        }
        self.c
            .terminate_node(id, now, RemovalReason::RegistrationTimeout);
        if let Some(r) = self.launches.iter_mut().rev().find(|r| r.node == Some(id)) {
            r.outcome = LaunchOutcome::RegistrationTimeout;
        }
        // A replacement that never came up fails its command: the candidates stay.
        self.fail_commands_waiting_on(id);
        if !self.pending_unschedulable.is_empty() {
            self.trigger_batch();
        }
    }

    /// Sends a claim's `CreateFleet` call, records it, and returns the instance launched.
    fn fleet(&mut self, claim: &Claim, force_spot: bool, purpose: LaunchPurpose) -> Option<Launch> {
        let now = self.now();
        let running: Vec<i64> = if self.s.capacity.is_unlimited() {
            Vec::new()
        } else {
            let mut v = vec![0; self.prov.table.len()];
            for n in self.c.nodes.iter().filter(|n| n.alive()) {
                v[self
                    .prov
                    .table
                    .idx(n.instance_type, n.zone, n.capacity_type)] += 1;
            }
            v
        };
        let spot_shortage = self
            .prov
            .unavailable_until
            .iter()
            .enumerate()
            .any(|(i, &u)| u > now && self.prov.table.decode(i).2 == CapacityType::Spot);
        let call = self
            .prov
            .create_fleet(self.s, claim, now, force_spot, &|i| {
                running.get(i).copied().unwrap_or(0)
            })?;
        self.launches.push(LaunchRecord {
            time: now,
            pool: claim.pool,
            purpose,
            capacity_type: call.capacity_type,
            overrides: call.overrides,
            errors: call.errors,
            launch: call.launch,
            node: None,
            outcome: if call.launch.is_some() {
                LaunchOutcome::Launched
            } else {
                LaunchOutcome::InsufficientCapacity
            },
            retries: 0,
            spot_shortage,
            spot_allowed: claim
                .allowed
                .iter()
                .any(|i| self.prov.table.decode(i).2 == CapacityType::Spot),
        });
        call.launch
    }

    fn on_node_ready(&mut self, id: NodeId) {
        let now = self.now();
        if self.c.nodes[id as usize].state != NodeState::Launching {
            return;
        }
        self.c.node_ready(id, now);
        if self.sched.on_node_schedulable(self.s, &self.c, id) {
            self.arm_scheduler();
        }
        // Commands whose replacements are all initialized drain their candidates.
        let mut ready_cmds = Vec::new();
        self.executing.retain_mut(|(cmd, reps)| {
            reps.retain(|r| *r != id);
            if reps.is_empty() {
                ready_cmds.push(cmd.clone());
                false
            } else {
                true
            }
        });
        for cmd in ready_cmds {
            for cand in cmd.candidates {
                self.start_drain(cand);
            }
        }
    }

    fn start_drain(&mut self, id: NodeId) {
        let now = self.now();
        if self.draining.insert(id) {
            self.drain_started[id as usize] = now;
            if let NodeOwner::Pool(p) = self.c.nodes[id as usize].owner
                && let Some(tgp) = self.s.node_pools[p].termination_grace_ms
            {
                self.drain_deadline[id as usize] = Some(now + tgp);
            }
            self.schedule(now, Phase::Controllers, Event::Drain(id));
        }
    }

    /// The termination controller's drain (`terminator.go`): evicts every pod through the
    /// Eviction API, skipping pods with `karpenter.sh/do-not-disrupt`; with a NodePool
    /// `terminationGracePeriod`, a pod is deleted regardless at `deadline − its grace period`.
    /// The node terminates once its pods are gone and the minimum drain time has passed.
    fn on_drain(&mut self, id: NodeId) {
        let now = self.now();
        if !self.c.nodes[id as usize].alive() {
            return;
        }
        let pods: Vec<PodId> = self.c.nodes[id as usize]
            .pods
            .iter()
            .copied()
            .filter(|p| self.c.pods[*p as usize].deleted.is_none())
            .collect();
        let cause = self.c.nodes[id as usize]
            .removal
            .unwrap_or(RemovalReason::Underutilized);
        let deadline = self.drain_deadline[id as usize];
        let mut blocked = false;
        for p in pods {
            let w = self.c.pods[p as usize].workload as usize;
            let t = &self.s.workloads[w].template;
            // Grace clamped to at least 1 s (`terminator.go` `DeleteExpiringPods`).
            let forced = deadline.is_some_and(|d| now + t.termination_grace_ms.max(1_000) >= d);
            if !forced && (t.do_not_disrupt || !self.eviction_allowed(p)) {
                blocked = true;
                continue;
            }
            if forced && (t.do_not_disrupt || !self.eviction_allowed(p)) {
                self.dis.forced_deletions += 1;
            }
            self.evict(p, crate::cluster::Eviction::Node(cause));
        }
        let n = &self.c.nodes[id as usize];
        if blocked || !n.pods.is_empty() || now < self.drain_started[id as usize] + MIN_DRAIN_MS {
            let at = if blocked || !n.pods.is_empty() {
                now + DRAIN_RETRY_MS
            } else {
                self.drain_started[id as usize] + MIN_DRAIN_MS
            };
            self.schedule(at, Phase::Controllers, Event::Drain(id));
            return;
        }
        let reason = self.c.nodes[id as usize]
            .removal
            .unwrap_or(RemovalReason::Underutilized);
        self.c.terminate_node(id, now, reason);
        self.draining.remove(&id);
    }

    // ----- pods -------------------------------------------------------------------------------

    fn create_pod(&mut self, wi: usize, cause: PodCause) -> Result<PodId, SimError> {
        let now = self.now();
        if self.c.pods.len() as u64 >= self.limits.max_pods {
            return Err(SimError::PodBudget(self.limits.max_pods));
        }
        let uid: u64 = self.rng_uids.random();
        let id = self.c.pods.len() as PodId;
        let slot = self.w[wi].active.len() as u32;
        self.c
            .pods
            .push(Pod::pending(wi as u32, uid, now, cause, slot));
        self.w[wi].active.push(id);
        self.unbound.insert(id);
        self.sched
            .enqueue(id, self.s.workloads[wi].template.priority, now);
        self.count_pods(1);
        Ok(id)
    }

    fn remove_from_workload(&mut self, pod: PodId) {
        let (wi, slot) = {
            let p = &self.c.pods[pod as usize];
            (p.workload as usize, p.workload_slot as usize)
        };
        let list = &mut self.w[wi].active;
        list.swap_remove(slot);
        if let Some(&moved) = list.get(slot) {
            self.c.pods[moved as usize].workload_slot = slot as u32;
        }
    }

    /// Deletes a pod (scale-down or eviction). Bound pods release their resources after the
    /// shutdown latency, capped by the grace period.
    fn delete_pod(&mut self, pod: PodId) {
        let now = self.now();
        if self.c.pods[pod as usize].deleted.is_some() {
            return;
        }
        if self.is_restarting(pod) {
            let wi = self.c.pods[pod as usize].workload as usize;
            self.w[wi].restarting -= 1;
        }
        self.mark_unready(pod);
        self.remove_from_workload(pod);
        let wi = self.c.pods[pod as usize].workload as usize;
        self.count_pods(-1);
        match self.c.pods[pod as usize].node {
            None => {
                let t = &self.s.workloads[wi].template;
                self.sched.forget(pod, wi as u32, t.priority);
                self.pending_unschedulable.remove(&pod);
                self.unbound.remove(&pod);
                let p = &mut self.c.pods[pod as usize];
                p.deleted = Some(now);
                p.gone = Some(now);
            }
            Some(node) => {
                self.c
                    .mark_deleted(pod, self.s.workloads[wi].template.requests, now);
                let zone = self.c.nodes[node as usize].zone;
                self.topo.adjust(wi, node, zone, -1);
                let grace = self.s.workloads[wi].template.termination_grace_ms;
                let delay = self
                    .s
                    .latency
                    .pod_shutdown
                    .sample(&mut self.rng_shutdown)
                    .min(grace);
                self.schedule(now + delay, Phase::Lifecycle, Event::PodGone(pod));
            }
        }
    }

    /// Deletes a pod whose containers have already exited (a succeeded Job pod): its resources
    /// are released at once.
    fn remove_pod_now(&mut self, pod: PodId) {
        self.delete_pod(pod);
        if self.c.pods[pod as usize].gone.is_none() {
            self.on_pod_gone(pod);
        }
    }

    fn on_pod_gone(&mut self, pod: PodId) {
        let now = self.now();
        let wi = self.c.pods[pod as usize].workload as usize;
        let t = &self.s.workloads[wi].template;
        self.c.release(pod, t.requests, t.nonzero_requests, now);
        if self.sched.on_assigned_pod_deleted(self.s) {
            self.arm_scheduler();
        }
    }

    /// Book-keeping after kube-scheduler bound pods (it has already counted them in the
    /// topology): they leave the pending sets and, after a start-up delay, become Ready.
    fn after_binds(&mut self, bound: &[(PodId, NodeId)], initial: bool) {
        let now = self.now();
        for &(pod, _) in bound {
            self.pending_unschedulable.remove(&pod);
            self.unbound.remove(&pod);
            if !initial {
                let delay = self.s.latency.pod_startup.sample(&mut self.rng_startup);
                let generation = self.c.pods[pod as usize].generation;
                self.schedule(
                    now + delay,
                    Phase::PodReady,
                    Event::PodReady(pod, generation),
                );
            }
        }
    }

    fn on_pod_ready(&mut self, pod: PodId, generation: u32) {
        let now = self.now();
        let p = &self.c.pods[pod as usize];
        if p.generation != generation || p.deleted.is_some() || p.ready.is_some() {
            return;
        }
        self.mark_ready(pod, now);
        self.on_job_pod_started(pod);
    }

    /// An autoscaler sets the workload's replicas.
    fn scale_to(&mut self, wi: usize, to: i64, by: Scaler) {
        let from = self.w[wi].desired;
        if from == to {
            return;
        }
        self.scale_events.push(ScaleEvent {
            at_ms: self.now(),
            workload: wi,
            from,
            to,
            by,
        });
        self.w[wi].desired = to;
        self.reconcile_replicas(wi, PodCause::ScaleUp);
    }

    /// The ReplicaSet controller: create or delete pods to match `desired`.
    fn reconcile_replicas(&mut self, wi: usize, cause: PodCause) {
        if self.s.workloads[wi].kind != WorkloadKind::Deployment {
            return;
        }
        let desired = self.w[wi].desired;
        let active = self.w[wi].active.len() as i64;
        if desired > active {
            for _ in 0..desired - active {
                if self.create_pod(wi, cause).is_err() {
                    break;
                }
            }
            self.arm_scheduler();
        } else if desired < active {
            for p in self.scale_down_victims(wi, (active - desired) as usize) {
                self.delete_pod(p);
            }
        }
    }

    /// `getPodsToDelete` with `ActivePodsWithRanks` (kubernetes `pkg/controller/controller_utils.go`):
    /// unassigned first, then Pending before Running, not-ready before ready, then pods on nodes
    /// with more pods of the workload, then the more recently ready (or created) in power-of-two
    /// age buckets, then by UID.
    fn scale_down_victims(&mut self, wi: usize, k: usize) -> Vec<PodId> {
        let now = self.now();
        let mut keyed: Vec<(VictimKey, PodId)> = self.w[wi]
            .active
            .iter()
            .map(|&p| {
                let pod = &self.c.pods[p as usize];
                let assigned = u8::from(pod.node.is_some());
                let ready = pod.ready.is_some();
                let phase = if ready { 2 } else { 0 };
                let rank = pod
                    .node
                    .map(|n| self.topo.on_node(wi, n) as i64)
                    .unwrap_or(0);
                let t = pod.ready.unwrap_or(pod.created);
                let age_ns = (now.saturating_sub(t) as i128) * 1_000_000;
                let bucket = if age_ns <= 0 {
                    -1
                } else {
                    127 - age_ns.leading_zeros() as i64
                };
                (
                    (assigned, phase, u8::from(ready), -rank, bucket, pod.uid),
                    p,
                )
            })
            .collect();
        if k < keyed.len() {
            keyed.select_nth_unstable_by_key(k, |x| x.0);
            keyed.truncate(k);
        }
        keyed.sort_unstable_by_key(|x| x.0);
        keyed.into_iter().map(|x| x.1).collect()
    }

    // ----- kube-scheduler ---------------------------------------------------------------------

    fn on_scheduler_run(&mut self) {
        let now = self.now();
        self.sched_timer.fired();
        let res = self.sched.run(self.s, &mut self.c, &mut self.topo, now);
        self.after_binds(&res.bound, false);
        if !res.newly_unschedulable.is_empty() {
            for &p in &res.newly_unschedulable {
                self.pending_unschedulable.insert(p);
            }
            if !self.s.node_pools.is_empty() {
                self.trigger_batch();
            }
        }
        if self.sched.pool_len() > 0 {
            self.flush_timer.arm(
                &mut self.q,
                now + FLUSH_INTERVAL_MS,
                Phase::Scheduler as u8,
                Event::SchedulerFlush,
            );
        }
    }

    fn on_scheduler_flush(&mut self) {
        let now = self.now();
        self.flush_timer.fired();
        if self.sched.flush_leftovers(self.s, now) {
            self.arm_scheduler();
        }
        if self.sched.pool_len() > 0 {
            self.flush_timer.arm(
                &mut self.q,
                now + FLUSH_INTERVAL_MS,
                Phase::Scheduler as u8,
                Event::SchedulerFlush,
            );
        }
    }

    // ----- Karpenter provisioning -------------------------------------------------------------

    fn trigger_batch(&mut self) {
        let now = self.now();
        let k = &self.s.karpenter;
        let close = self
            .prov
            .batcher
            .trigger(now, k.batch_idle_ms, k.batch_max_ms);
        self.batch_timer.rearm(
            &mut self.q,
            close,
            Phase::Controllers as u8,
            Event::BatchCheck,
        );
    }

    fn on_batch_check(&mut self) {
        let now = self.now();
        self.batch_timer.fired();
        let k = &self.s.karpenter;
        if !self.prov.batcher.is_open() {
            return;
        }
        let close = self.prov.batcher.close_at(k.batch_idle_ms, k.batch_max_ms);
        if now < close {
            self.batch_timer.rearm(
                &mut self.q,
                close,
                Phase::Controllers as u8,
                Event::BatchCheck,
            );
            return;
        }
        self.prov.batcher.close();
        self.provision();
    }

    fn provision(&mut self) {
        let now = self.now();
        let mut pending: Vec<PodId> = self.pending_unschedulable.iter().copied().collect();
        // Pods of nodes being deleted are provisioned for ahead of their eviction (KC
        // `provisioner.go` `GetPendingPods` plus the reschedulable pods of deleting nodes).
        for id in self.draining.iter() {
            let n = &self.c.nodes[*id as usize];
            pending.extend(
                n.pods
                    .iter()
                    .copied()
                    .filter(|p| self.c.pods[*p as usize].deleted.is_none()),
            );
        }
        if pending.is_empty() {
            return;
        }
        self.solves += 1;
        let sol = self.prov.solve(
            self.s,
            &self.c,
            &self.topo,
            &pending,
            &SolveOptions {
                allow_new: true,
                ..Default::default()
            },
            now,
        );
        let nominate_until = now + provisioning::nomination_ms(self.s.karpenter.batch_max_ms);
        for &(_, node) in &sol.on_existing {
            let n = &mut self.c.nodes[node as usize];
            n.nominated_until = n.nominated_until.max(nominate_until);
        }
        for claim in &sol.claims {
            self.launch_claim(claim);
        }
        // Pods still pending are re-triggered by the pod controller's 10 s requeue.
        self.requeue_timer.arm(
            &mut self.q,
            now + PROVISION_REQUEUE_MS,
            Phase::Controllers as u8,
            Event::ProvisionRequeue,
        );
    }

    fn launch_claim(&mut self, claim: &Claim) -> Option<NodeId> {
        let now = self.now();
        // Retryable CreateFleet errors: the lifecycle controller retries with its backoff until
        // the call goes through or the launch timeout deletes the NodeClaim.
        let (mut retries, mut delay) = (0u32, 0);
        let p = self.s.karpenter.launch_error_probability;
        while p > 0.0 && self.rng_capacity.random::<f64>() < p {
            retries += 1;
            delay += launch_retry_backoff_ms(retries);
            if delay >= LAUNCH_TIMEOUT_MS {
                return self.launch_timeout(claim, retries);
            }
        }
        let l = self.fleet(claim, false, LaunchPurpose::Provisioning)?;
        let id = if delay == 0 {
            self.launch(claim, l)
        } else {
            // The instance runs, and is billed, from the successful call on.
            let id = self.launch_after(claim, l, delay);
            self.deferred_price.insert(id, l.price);
            self.schedule(now + delay, Phase::Lifecycle, Event::InstanceRunning(id));
            id
        };
        if let Some(r) = self.launches.last_mut() {
            r.node = Some(id);
            r.retries = retries;
        }
        self.c.nodes[id as usize].nominated_until =
            now + provisioning::nomination_ms(self.s.karpenter.batch_max_ms);
        Some(id)
    }

    fn on_provision_requeue(&mut self) {
        self.requeue_timer.fired();
        if !self.pending_unschedulable.is_empty() {
            self.trigger_batch();
        }
    }

    // ----- Karpenter disruption ---------------------------------------------------------------

    /// Every active pod without a node, for consolidation simulations.
    fn pending_list(&self) -> Vec<PodId> {
        self.unbound.iter().copied().collect()
    }

    fn on_disruption_tick(&mut self) {
        let now = self.now();
        self.disruption_timer.fired();
        let desired: Vec<i64> = self.w.iter().map(|x| x.desired).collect();
        let ready: Vec<i64> = self.w.iter().map(|x| x.ready).collect();
        let view = WorkloadView {
            desired: &desired,
            ready: &ready,
        };
        let pending = self.pending_list();
        match self.disr.compute(
            self.s,
            &mut self.c,
            &self.topo,
            &mut self.prov,
            &view,
            &pending,
            now,
        ) {
            Some(cmd) if !cmd.method.validates() => {
                self.execute(cmd);
                self.disruption_timer.arm(
                    &mut self.q,
                    now,
                    Phase::Controllers as u8,
                    Event::DisruptionTick,
                );
            }
            Some(cmd) => {
                self.pending_command = Some(cmd);
                self.schedule(
                    now + disruption::VALIDATION_MS,
                    Phase::Controllers,
                    Event::DisruptionValidate,
                );
            }
            None => {
                self.disruption_timer.arm(
                    &mut self.q,
                    now + disruption::POLL_MS,
                    Phase::Controllers as u8,
                    Event::DisruptionTick,
                );
            }
        }
    }

    fn on_disruption_validate(&mut self) {
        let now = self.now();
        let Some(cmd) = self.pending_command.take() else {
            return;
        };
        let desired: Vec<i64> = self.w.iter().map(|x| x.desired).collect();
        let ready: Vec<i64> = self.w.iter().map(|x| x.ready).collect();
        let view = WorkloadView {
            desired: &desired,
            ready: &ready,
        };
        let pending = self.pending_list();
        let valid = self.disr.validate(
            self.s,
            &self.c,
            &self.topo,
            &mut self.prov,
            &view,
            &pending,
            cmd,
            now,
        );
        match valid {
            Some(cmd) => {
                self.execute(cmd);
                self.disruption_timer.arm(
                    &mut self.q,
                    now,
                    Phase::Controllers as u8,
                    Event::DisruptionTick,
                );
            }
            None => {
                self.disruption_timer.arm(
                    &mut self.q,
                    now + disruption::POLL_MS,
                    Phase::Controllers as u8,
                    Event::DisruptionTick,
                );
            }
        }
    }

    fn execute(&mut self, cmd: Command) {
        let now = self.now();
        // Replacements launch first; when EC2 has no capacity for one, the NodeClaims are
        // deleted and the command fails with the candidates left in place.
        let mut reps = Vec::new();
        for (claim, force_spot) in &cmd.replacements {
            let Some(l) = self.fleet(claim, *force_spot, LaunchPurpose::Replacement) else {
                for &r in &reps {
                    self.c.terminate_node(r, now, RemovalReason::LaunchTimeout);
                }
                return;
            };
            let id = self.launch(claim, l);
            if let Some(r) = self.launches.last_mut() {
                r.node = Some(id);
            }
            reps.push(id);
        }
        let reason = match cmd.reason {
            DisruptionReason::Empty => RemovalReason::Empty,
            DisruptionReason::Drifted => RemovalReason::Drifted,
            DisruptionReason::Underutilized => RemovalReason::Underutilized,
        };
        match self.disruptions.iter_mut().find(|(r, _)| *r == cmd.reason) {
            Some(e) => e.1 += 1,
            None => self.disruptions.push((cmd.reason, 1)),
        }
        let method = match cmd.method {
            disruption::Method::Emptiness => "emptiness",
            disruption::Method::Drift => "drift",
            disruption::Method::MultiNode => "multi_node_consolidation",
            disruption::Method::SingleNode => "single_node_consolidation",
        };
        *self.dis.commands_by_method.entry(method).or_default() += 1;
        if cmd.reason != DisruptionReason::Drifted {
            self.dis.consolidation_savings_usd_per_hour += cmd.savings_per_hour;
        }
        for &id in &cmd.candidates {
            self.c.mark_for_deletion(id, reason, now);
        }
        let until = now + provisioning::nomination_ms(self.s.karpenter.batch_max_ms);
        for &id in &cmd.destinations {
            let n = &mut self.c.nodes[id as usize];
            n.nominated_until = n.nominated_until.max(until);
        }
        if reps.is_empty() {
            for &id in &cmd.candidates {
                self.start_drain(id);
            }
        } else {
            self.executing.push((cmd, reps));
        }
    }

    // ----- sampling ---------------------------------------------------------------------------

    fn on_sample(&mut self) {
        let now = self.now();
        self.c.accrue(now);
        let minute = now / MINUTE;
        let mut row = TimeseriesRow {
            minute,
            pods_running: 0,
            pods_pending: 0,
            nodes_spot: 0,
            nodes_on_demand: 0,
            nodes_by_type: Vec::new(),
            cost_rate_usd_per_hour: self.c.cost_rate_per_hour,
            cost_cumulative_usd: self.c.cost_accrued,
            cpu_requested_m: 0,
            cpu_allocatable_m: 0,
            mem_requested_b: 0,
            mem_allocatable_b: 0,
            oom_kills: self.w.iter().map(|w| w.oom_kills).sum(),
            queues: self
                .queues
                .iter()
                .map(|q| (q.visible(), q.in_flight()))
                .collect(),
        };
        for (qi, q) in row.queues.iter().enumerate() {
            self.queue_peaks[qi] = self.queue_peaks[qi].max(q.0);
        }
        for &id in self.c.live() {
            let n = &self.c.nodes[id as usize];
            match n.capacity_type {
                CapacityType::Spot => row.nodes_spot += 1,
                CapacityType::OnDemand => row.nodes_on_demand += 1,
            }
            match row
                .nodes_by_type
                .binary_search_by_key(&n.instance_type, |&(t, _)| t)
            {
                Ok(i) => row.nodes_by_type[i].1 += 1,
                Err(i) => row.nodes_by_type.insert(i, (n.instance_type, 1)),
            }
            if n.state == NodeState::Ready {
                row.cpu_requested_m += n.requested.cpu_m;
                row.cpu_allocatable_m += n.allocatable.cpu_m;
                row.mem_requested_b += n.requested.mem_b;
                row.mem_allocatable_b += n.allocatable.mem_b;
            }
        }
        // Active pods without a node are exactly `unbound` (checked with the invariants).
        row.pods_pending = self.unbound.len() as u64;
        row.pods_running = self.pods_now - row.pods_pending;
        for (wi, ws) in self.w.iter().enumerate() {
            let demand_cores = self
                .demand_cpu_m(wi, now, now)
                .map(|m| m / 1000.0)
                .unwrap_or(0.0);
            self.workload_series.push(WorkloadRow {
                minute,
                workload: wi,
                desired: ws.desired,
                ready: ws.ready,
                demand_cores,
                oom_kills: ws.oom_kills,
            });
        }
        self.timeseries.push(row);
        if now + MINUTE <= self.s.duration_ms {
            self.schedule(now + MINUTE, Phase::Sample, Event::Sample);
        }
    }

    // ----- loop -------------------------------------------------------------------------------

    /// Verifies the invariants: every pod counted exactly once (in its workload's list while
    /// active, in its node's list while holding resources), no node over-committed and its
    /// requests equal to the sum of its pods', pods bound only to Ready nodes, cost never
    /// decreasing, time never going backwards.
    fn check_invariants(&mut self, last_time: Millis, last_cost: f64) -> Result<f64, String> {
        let now = self.now();
        if now < last_time {
            return Err(format!("time went backwards from {last_time} to {now}"));
        }
        self.c.accrue(now);
        if self.c.cost_accrued + 1e-9 < last_cost {
            return Err(format!(
                "cost decreased from {last_cost} to {}",
                self.c.cost_accrued
            ));
        }
        let mut active = 0usize;
        for (wi, ws) in self.w.iter().enumerate() {
            for (slot, &p) in ws.active.iter().enumerate() {
                let pod = &self.c.pods[p as usize];
                if pod.workload as usize != wi
                    || pod.workload_slot as usize != slot
                    || pod.deleted.is_some()
                {
                    return Err(format!("pod {p} misfiled in workload {wi} slot {slot}"));
                }
            }
            active += ws.active.len();
        }
        let truly_active = self.c.pods.iter().filter(|p| p.deleted.is_none()).count();
        if active != truly_active || active as u64 != self.pods_now {
            return Err(format!(
                "{active} pods in workload lists, {truly_active} active, counter {}",
                self.pods_now
            ));
        }
        let unbound = self
            .c
            .pods
            .iter()
            .enumerate()
            .filter(|(_, p)| p.deleted.is_none() && p.node.is_none())
            .map(|(i, _)| i as PodId);
        if !unbound.eq(self.unbound.iter().copied()) {
            return Err("the unbound set differs from the active pods without a node".into());
        }
        let mut on_nodes = 0usize;
        for (ni, n) in self.c.nodes.iter().enumerate() {
            if !n.alive() {
                if !n.pods.is_empty() {
                    return Err(format!(
                        "terminated node {ni} still holds {} pods",
                        n.pods.len()
                    ));
                }
                continue;
            }
            let mut sum = n.daemon_overhead;
            for (slot, &p) in n.pods.iter().enumerate() {
                let pod = &self.c.pods[p as usize];
                if pod.node != Some(ni as NodeId)
                    || pod.node_slot as usize != slot
                    || pod.gone.is_some()
                {
                    return Err(format!("pod {p} misfiled on node {ni}"));
                }
                let bound = pod.bound.unwrap_or(0);
                if n.ready_at.is_none_or(|r| r > bound) {
                    return Err(format!(
                        "pod {p} bound at {bound} to node {ni} that was not Ready"
                    ));
                }
                sum += self.s.workloads[pod.workload as usize].template.requests;
            }
            if sum != n.requested {
                return Err(format!(
                    "node {ni} requests {:?} but its pods sum to {:?}",
                    n.requested, sum
                ));
            }
            if !n.requested.fits_in(&n.allocatable) {
                return Err(format!(
                    "node {ni} over-committed: {:?} > {:?}",
                    n.requested, n.allocatable
                ));
            }
            on_nodes += n.pods.len();
        }
        let holding = self
            .c
            .pods
            .iter()
            .filter(|p| p.node.is_some() && p.gone.is_none())
            .count();
        if on_nodes != holding {
            return Err(format!(
                "{on_nodes} pods on node lists, {holding} bound and holding resources"
            ));
        }
        Ok(self.c.cost_accrued)
    }

    fn run_loop(&mut self) -> Result<(), SimError> {
        let end = self.s.duration_ms;
        let mut last = (0, 0.0);
        while let Some((_, e)) = self.q.pop_until(end, Event::digest)? {
            if let Some(limit_mb) = self.limits.max_memory_mb
                && self.q.processed() % 4_096 == 1
                && let Some(used_mb) = resident_mb()
                && used_mb > limit_mb
            {
                return Err(SimError::MemoryBudget { used_mb, limit_mb });
            }
            let check = match self.limits.invariants {
                InvariantCheck::Off => false,
                InvariantCheck::EveryEvent => true,
                InvariantCheck::EveryMinute => matches!(e, Event::Sample),
            };
            match e {
                Event::NodeReady(n) => self.on_node_ready(n),
                Event::RegistrationTimeout(n) => self.on_registration_timeout(n),
                Event::LaunchTimeout(n) => self.on_launch_timeout(n),
                Event::InstanceRunning(n) => self.on_instance_running(n),
                Event::SpotPrice(k) => {
                    self.apply_spot_prices(k as usize);
                }
                Event::PodGone(p) => self.on_pod_gone(p),
                Event::PodReady(p, g) => self.on_pod_ready(p, g),
                Event::ContainerRestart(p, g) => self.on_container_restart(p, g),
                Event::PodSucceeded(p, g) => self.on_pod_succeeded(p, g),
                Event::MetricsScrape => self.on_scrape(),
                Event::QueueStep => self.on_queue_step(),
                Event::HpaSync(w) => self.on_hpa_sync(w as usize),
                Event::KedaPoll(w) => self.on_keda_poll(w as usize),
                Event::CronSync(w) => self.on_cron_sync(w as usize),
                Event::JobSync(j) => self.on_job_sync(j as usize),
                Event::JobDeadline(j) => self.on_job_deadline(j as usize),
                Event::BatchCheck => self.on_batch_check(),
                Event::ProvisionRequeue => self.on_provision_requeue(),
                Event::DisruptionTick => self.on_disruption_tick(),
                Event::DisruptionValidate => self.on_disruption_validate(),
                Event::Drain(n) => self.on_drain(n),
                Event::SchedulerRun => self.on_scheduler_run(),
                Event::SchedulerFlush => self.on_scheduler_flush(),
                Event::Sample => self.on_sample(),
                Event::Expire(n) => self.on_expire(n),
                Event::InterruptionNotice(n) => self.on_interruption_notice(n),
                Event::InstanceGone(n) => self.on_instance_gone(n),
                Event::InterruptionTrace(k) => self.on_interruption_trace(k as usize),
                Event::DriftAt(k) => self.on_drift(k as usize),
                Event::DeschedulerRun => self.on_descheduler_run(),
                Event::ScriptedScale(w, k) => {
                    let to = self.s.workloads[w as usize].replica_schedule[k as usize].1;
                    self.scale_to(w as usize, to, Scaler::Script);
                }
            }
            if check {
                let cost = self.check_invariants(last.0, last.1).map_err(|message| {
                    SimError::Invariant {
                        at_ms: self.now(),
                        message,
                    }
                })?;
                last = (self.now(), cost);
            }
        }
        self.q.advance_to(end);
        Ok(())
    }

    fn finish(mut self) -> SimResult {
        let end = self.s.duration_ms;
        self.c.accrue(end);
        let _ = SECOND;
        SimResult {
            events_processed: self.q.processed(),
            event_hash: self.q.stream_hash(),
            cluster: self.c,
            timeseries: self.timeseries,
            workload_series: self.workload_series,
            pods_peak: self.pods_peak,
            pods_min: if self.pods_min == u64::MAX {
                self.pods_now
            } else {
                self.pods_min
            },
            nodes_peak: self.nodes_peak,
            disruptions: self.disruptions,
            pods_evicted: self.pods_evicted,
            disruption: self.dis,
            solves: self.solves,
            workloads: self
                .w
                .iter()
                .map(|w| WorkloadTotals {
                    oom_kills: w.oom_kills,
                    cpu_demand_core_s: w.cpu_demand_m_ms / 1e6,
                    cpu_unserved_core_s: w.cpu_unserved_m_ms / 1e6,
                })
                .collect(),
            queues: self
                .queues
                .iter()
                .enumerate()
                .map(|(i, q)| QueueTotals {
                    arrived: q.arrived,
                    processed: q.processed,
                    redelivered: q.redelivered,
                    visible_peak: self.queue_peaks[i],
                    visible_at_end: q.visible(),
                    age_ms: q.age_percentiles(),
                })
                .collect(),
            jobs: (
                self.jobs.outcomes.0,
                self.jobs.outcomes.1,
                self.jobs.skipped,
            ),
            launches: self.launches,
            event_trace: self.q.take_trace(),
            scale_events: self.scale_events,
        }
    }
}
