//! Cluster state: pods and nodes in arenas (indices, not pointers), node "shapes" (interned
//! label and taint sets), the kube-scheduler's zone-interleaved node list, and cost accrual.

use crate::cloud::pricing::CapacityType;
use crate::engine::Millis;
use crate::k8s::labels::{Labels, Taint};
use crate::resources::Resources;

/// Index of a pod in [`Cluster::pods`].
pub type PodId = u32;
/// Index of a node in [`Cluster::nodes`].
pub type NodeId = u32;

/// Why a pod was created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodCause {
    /// Present at t = 0 (warm start); excluded from latency statistics.
    Initial,
    /// Created by a scale-up.
    ScaleUp,
    /// Created to replace a pod evicted by a disruption (consolidation, drift, expiry,
    /// interruption, the descheduler), with the eviction's cause.
    Disruption(Eviction),
    /// Created by a Job (a CronJob run).
    Job,
}

/// Why a pod was evicted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Eviction {
    /// Its node was drained for this reason.
    Node(RemovalReason),
    /// The descheduler evicted it (PodLifeTime).
    Descheduled,
}

impl Eviction {
    /// The snake_case name used in reports: the node's removal reason, or `descheduled`.
    pub fn as_str(self) -> &'static str {
        match self {
            Eviction::Node(r) => r.as_str(),
            Eviction::Descheduled => "descheduled",
        }
    }

    /// Whether Karpenter consolidation (emptiness or underutilization) caused it.
    pub fn is_consolidation(self) -> bool {
        matches!(
            self,
            Eviction::Node(RemovalReason::Empty | RemovalReason::Underutilized)
        )
    }
}

/// A pod of a workload.
#[derive(Debug, Clone)]
pub struct Pod {
    /// Workload index.
    pub workload: u32,
    /// A random 64-bit UID, used where upstream breaks ties by UID.
    pub uid: u64,
    /// Creation time.
    pub created: Millis,
    /// Why it exists.
    pub cause: PodCause,
    /// Node it is bound to.
    pub node: Option<NodeId>,
    /// Bind time.
    pub bound: Option<Millis>,
    /// Ready since (`None` while not Ready: starting, or restarting after a crash).
    pub ready: Option<Millis>,
    /// First time it became Ready (startup latency).
    pub first_ready: Option<Millis>,
    /// When its containers last started (memory leak age); set when it becomes Ready.
    pub container_start: Option<Millis>,
    /// Container restarts (each one an OOMKill in ksim).
    pub restarts: u32,
    /// The Job it belongs to (CronJob pods), else `u32::MAX`.
    pub job: u32,
    /// True when it ran to completion (phase Succeeded).
    pub succeeded: bool,
    /// Deletion time (the pod is terminating from then on).
    pub deleted: Option<Millis>,
    /// Time its resources were released.
    pub gone: Option<Millis>,
    /// First time the scheduler found it unschedulable.
    pub unschedulable_since: Option<Millis>,
    /// Position in its node's pod list.
    pub node_slot: u32,
    /// Position in its workload's active pod list.
    pub workload_slot: u32,
    /// Generation counter, bumped on bind/delete so stale events can be recognised.
    pub generation: u32,
}

impl Pod {
    /// A new pending pod of a workload, created at `created`, at position `workload_slot` in
    /// the workload's pod list.
    pub fn pending(
        workload: u32,
        uid: u64,
        created: Millis,
        cause: PodCause,
        workload_slot: u32,
    ) -> Pod {
        Pod {
            workload,
            uid,
            created,
            cause,
            node: None,
            bound: None,
            ready: None,
            first_ready: None,
            container_start: None,
            restarts: 0,
            job: u32::MAX,
            succeeded: false,
            deleted: None,
            gone: None,
            unschedulable_since: None,
            node_slot: 0,
            workload_slot,
            generation: 0,
        }
    }

    /// True between creation and deletion.
    pub fn is_active(&self) -> bool {
        self.deleted.is_none()
    }
}

/// Who owns a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NodeOwner {
    /// A Karpenter NodePool (index).
    Pool(usize),
    /// An EKS managed node group (index).
    Group(usize),
}

/// A node's lifecycle state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeState {
    /// Instance launched, not yet Ready (a Karpenter in-flight NodeClaim).
    Launching,
    /// Ready and registered.
    Ready,
    /// Instance terminated.
    Terminated,
}

impl RemovalReason {
    /// The snake_case name used in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            RemovalReason::Empty => "empty",
            RemovalReason::Underutilized => "underutilized",
            RemovalReason::RegistrationTimeout => "registration_timeout",
            RemovalReason::LaunchTimeout => "launch_timeout",
            RemovalReason::Drifted => "drifted",
            RemovalReason::Expired => "expired",
            RemovalReason::Interrupted => "interrupted",
        }
    }
}

/// Why a node was removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RemovalReason {
    /// Emptiness consolidation.
    Empty,
    /// Underutilization consolidation (delete or replace).
    Underutilized,
    /// The instance never registered; Karpenter's liveness check deleted its NodeClaim after
    /// 15 minutes.
    RegistrationTimeout,
    /// The NodeClaim never launched (its `CreateFleet` calls kept failing); Karpenter's liveness
    /// check deleted it after 5 minutes. No instance ran.
    LaunchTimeout,
    /// Drift: the node no longer matched its NodePool or EC2NodeClass.
    Drifted,
    /// `expireAfter` elapsed.
    Expired,
    /// EC2 reclaimed the spot instance (after a 2-minute interruption notice).
    Interrupted,
}

/// A node.
///
/// `repr(C)` with the fields the controllers' scans over all nodes read first (state, flags,
/// owner, zone, shape, pod-event clock, resources), so that a scan touches two or three cache
/// lines of each node rather than every line of it.
#[derive(Debug, Clone)]
#[repr(C)]
pub struct Node {
    /// Lifecycle state.
    pub state: NodeState,
    /// Cordoned or tainted `karpenter.sh/disrupted:NoSchedule`.
    pub unschedulable: bool,
    /// Marked for deletion (draining or waiting for a replacement).
    pub marked_for_deletion: bool,
    /// Capacity type.
    pub capacity_type: CapacityType,
    /// Count of `pods` that are active (not terminating) and not DaemonSet pods.
    pub active_pods: u32,
    /// Shape index (labels and taints).
    pub shape: u32,
    /// Owner.
    pub owner: NodeOwner,
    /// Zone index into `Scenario::zones`.
    pub zone: usize,
    /// Karpenter `lastPodEventTime`: the last time a non-DaemonSet pod was bound to it or began
    /// terminating, with events within 10 s of the stored time dropped.
    pub last_pod_event: Option<Millis>,
    /// Ready time.
    pub ready_at: Option<Millis>,
    /// Allocatable resources.
    pub allocatable: Resources,
    /// Requests of bound pods that have not released their resources, plus DaemonSet overhead.
    pub requested: Resources,
    /// Requests of the node's active (bound, not terminating) pods.
    pub active_requested: Resources,
    /// The same with kube-scheduler's scoring defaults for missing requests.
    pub nonzero_requested: Resources,
    /// Node name (an EC2 private DNS name).
    pub name: String,
    /// The first 16 bytes of `name`, big-endian, for fast ordering by name.
    pub name_key: u128,
    /// Catalog index of the instance type.
    pub instance_type: usize,
    /// Price, USD per hour.
    pub price_per_hour: f64,
    /// Cost of the node's earlier price segments (spot price changes), USD.
    pub billed_before_usd: f64,
    /// Start of the current price segment (launch, or the last spot price change).
    pub price_since: Millis,
    /// DaemonSet overhead included in `requested`.
    pub daemon_overhead: Resources,
    /// Bound pods that still hold resources.
    pub pods: Vec<PodId>,
    /// Launch time (billing starts).
    pub launched: Millis,
    /// Termination time (billing stops).
    pub terminated: Option<Millis>,
    /// Karpenter nominated it for pending pods until this time.
    pub nominated_until: Millis,
    /// Why it was removed, once it was.
    pub removal: Option<RemovalReason>,
    /// When the node drifted, if it has.
    pub drifted: Option<Millis>,
}

/// The first 16 bytes of a name as a big-endian integer: comparing keys orders names as
/// comparing the strings does, up to ties on the first 16 bytes.
pub fn name_key(name: &str) -> u128 {
    let mut b = [0u8; 16];
    for (d, s) in b.iter_mut().zip(name.bytes()) {
        *d = s;
    }
    u128::from_be_bytes(b)
}

/// Karpenter's pod-event controller skips writes within this long of the stored time
/// (`pkg/controllers/nodeclaim/podevents/controller.go` `dedupeTimeout`).
pub const POD_EVENT_DEDUPE_MS: Millis = 10_000;

impl Node {
    /// Records a pod event as Karpenter's pod-event controller does.
    pub fn record_pod_event(&mut self, now: Millis) {
        if self
            .last_pod_event
            .is_none_or(|t| now >= t + POD_EVENT_DEDUPE_MS)
        {
            self.last_pod_event = Some(now);
        }
    }

    /// The time `consolidateAfter` counts from: the last pod event, or initialization
    /// (`Consolidatable`, `pkg/controllers/nodeclaim/disruption/consolidation.go`).
    pub fn consolidation_clock(&self) -> Option<Millis> {
        self.last_pod_event.or(self.ready_at)
    }

    /// What the instance costs from launch to termination or `end`, whichever is first: every
    /// price segment, with EC2's one-minute minimum for a terminated instance.
    pub fn cost_usd(&self, end: Millis) -> f64 {
        let stop = self
            .terminated
            .unwrap_or(end)
            .min(end)
            .max(self.price_since);
        let mut cost = self.billed_before_usd
            + self.price_per_hour * (stop - self.price_since) as f64 / 3_600_000.0;
        if self.terminated.is_some() {
            let lifetime = stop - self.launched;
            if lifetime < MIN_BILLED_MS {
                cost += self.price_per_hour * (MIN_BILLED_MS - lifetime) as f64 / 3_600_000.0;
            }
        }
        cost
    }

    /// The hourly price of the node's capacity its requests leave unused: the whole price while
    /// it is not Ready; once Ready, the price times one minus the larger of its CPU and memory
    /// request fractions (DaemonSet requests count as used); 0 once terminated.
    pub fn idle_usd_per_hour(&self) -> f64 {
        match self.state {
            NodeState::Terminated => 0.0,
            NodeState::Ready => {
                let a = &self.allocatable;
                let frac = |used: i64, total: i64| {
                    if total > 0 {
                        used as f64 / total as f64
                    } else {
                        1.0
                    }
                };
                let used = frac(self.requested.cpu_m, a.cpu_m)
                    .max(frac(self.requested.mem_b, a.mem_b))
                    .clamp(0.0, 1.0);
                self.price_per_hour * (1.0 - used)
            }
            // Launching: nothing can run on it yet.
            _ => self.price_per_hour,
        }
    }

    /// Free resources.
    pub fn free(&self) -> Resources {
        self.allocatable - self.requested
    }

    /// True while the instance exists.
    pub fn alive(&self) -> bool {
        self.state != NodeState::Terminated
    }
}

/// An interned set of node labels and taints.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// Labels (without `kubernetes.io/hostname`).
    pub labels: Labels,
    /// Taints.
    pub taints: Vec<Taint>,
}

/// The cost lower bound and the idle cost (see `docs/output.md`, `cost`).
///
/// The bound: at every instant, the CPU and memory requested by bound pods, each priced at the
/// cheapest price per unit of allocatable among the offerings the scenario allows (the larger
/// of the two), integrated over time. No configuration can run those pods for less.
#[derive(Debug, Default, Clone)]
pub struct CostBounds {
    /// Cheapest price per allocatable CPU core of any allowed offering, USD per core-hour.
    pub usd_per_core_hour: f64,
    /// Cheapest price per allocatable GiB of memory of any allowed offering, USD per GiB-hour.
    pub usd_per_gib_hour: f64,
    /// Requests of the pods bound to nodes (DaemonSet overhead excluded).
    pub pod_requests: Resources,
    /// Sum over live nodes of [`Node::idle_usd_per_hour`].
    pub idle_rate_per_hour: f64,
    /// The lower bound accrued, USD.
    pub lower_bound_usd: f64,
    /// Idle cost accrued, USD.
    pub idle_usd: f64,
}

impl CostBounds {
    /// The lower bound's current rate, USD per hour.
    pub fn lower_bound_per_hour(&self) -> f64 {
        let cores = self.pod_requests.cpu_m as f64 / 1000.0;
        let gib = self.pod_requests.mem_b as f64 / crate::resources::GIB as f64;
        (cores * self.usd_per_core_hour).max(gib * self.usd_per_gib_hour)
    }

    fn accrue(&mut self, hours: f64) {
        self.lower_bound_usd += self.lower_bound_per_hour() * hours;
        self.idle_usd += self.idle_rate_per_hour.max(0.0) * hours;
    }
}

/// All pods and nodes.
#[derive(Debug, Default, Clone)]
pub struct Cluster {
    /// Every pod ever created.
    pub pods: Vec<Pod>,
    /// Every node ever launched.
    pub nodes: Vec<Node>,
    /// Ids of live nodes, ascending.
    live: Vec<NodeId>,
    /// Interned shapes.
    pub shapes: Vec<Shape>,
    /// Zone-interleaved list of Ready nodes, as kube-scheduler's node tree lists them.
    node_tree: Vec<NodeId>,
    /// Per-zone insertion-ordered lists behind `node_tree`.
    zone_lists: Vec<Vec<NodeId>>,
    /// Order in which zones first got a node.
    zone_order: Vec<usize>,
    tree_dirty: bool,
    /// Sum of prices of live nodes (USD/h).
    pub cost_rate_per_hour: f64,
    /// Cost accrued up to `cost_updated`.
    pub cost_accrued: f64,
    /// The cost lower bound and idle cost, accrued with the cost.
    pub bounds: CostBounds,
    cost_updated: Millis,
    /// Bumped on every change Karpenter's cluster state treats as a consolidation trigger.
    pub change_counter: u64,
    /// Time of the last such change.
    pub last_change: Millis,
    /// Number of live nodes.
    pub alive: u64,
    /// Bumped whenever a node is added, becomes Ready, is marked for deletion or terminates.
    pub node_epoch: u64,
}

impl Cluster {
    /// Interns a shape and returns its index.
    pub fn intern_shape(&mut self, labels: Labels, taints: Vec<Taint>) -> u32 {
        let shape = Shape { labels, taints };
        if let Some(i) = self.shapes.iter().position(|s| *s == shape) {
            return i as u32;
        }
        self.shapes.push(shape);
        (self.shapes.len() - 1) as u32
    }

    /// Records a change that makes Karpenter re-evaluate consolidation.
    pub fn mark_changed(&mut self, now: Millis) {
        self.change_counter += 1;
        self.last_change = now;
    }

    /// Brings cost accrual up to `now`.
    pub fn accrue(&mut self, now: Millis) {
        if now > self.cost_updated {
            let hours = (now - self.cost_updated) as f64 / 3_600_000.0;
            self.cost_accrued += self.cost_rate_per_hour * hours;
            self.bounds.accrue(hours);
            self.cost_updated = now;
        }
    }

    /// Adds a node to the cluster (launched now) and starts billing it.
    pub fn add_node(&mut self, node: Node, now: Millis) -> NodeId {
        self.accrue(now);
        self.cost_rate_per_hour += node.price_per_hour;
        self.alive += 1;
        self.node_epoch += 1;
        self.bounds.idle_rate_per_hour += node.idle_usd_per_hour();
        self.nodes.push(node);
        self.mark_changed(now);
        let id = (self.nodes.len() - 1) as NodeId;
        self.live.push(id);
        id
    }

    /// Ids of the nodes not yet terminated, ascending: the controllers' loops run over these,
    /// not over every node the run ever had.
    pub fn live(&self) -> &[NodeId] {
        &self.live
    }

    /// Makes a node visible to kube-scheduler (it became Ready).
    pub fn node_ready(&mut self, id: NodeId, now: Millis) {
        self.accrue(now);
        let old_idle = self.nodes[id as usize].idle_usd_per_hour();
        let n = &mut self.nodes[id as usize];
        n.state = NodeState::Ready;
        n.ready_at = Some(now);
        let zone = n.zone;
        if zone >= self.zone_lists.len() {
            self.zone_lists.resize(zone + 1, Vec::new());
        }
        if !self.zone_order.contains(&zone) {
            self.zone_order.push(zone);
        }
        self.zone_lists[zone].push(id);
        self.tree_dirty = true;
        self.node_epoch += 1;
        self.mark_changed(now);
        self.bounds.idle_rate_per_hour += self.nodes[id as usize].idle_usd_per_hour() - old_idle;
    }

    /// Changes a running instance's price from `now` on (a spot price change).
    pub fn set_price(&mut self, id: NodeId, usd_per_hour: f64, now: Millis) {
        self.accrue(now);
        if self.nodes[id as usize].state == NodeState::Terminated {
            return;
        }
        let old_idle = self.nodes[id as usize].idle_usd_per_hour();
        let n = &mut self.nodes[id as usize];
        n.billed_before_usd += n.price_per_hour * (now - n.price_since) as f64 / 3_600_000.0;
        n.price_since = now;
        self.cost_rate_per_hour += usd_per_hour - n.price_per_hour;
        n.price_per_hour = usd_per_hour;
        self.bounds.idle_rate_per_hour += self.nodes[id as usize].idle_usd_per_hour() - old_idle;
    }

    /// Terminates a node's instance: it leaves the node list and billing stops, with the EC2
    /// minimum of 60 s per instance (per-second billing, one-minute minimum).
    pub fn terminate_node(&mut self, id: NodeId, now: Millis, reason: RemovalReason) {
        self.accrue(now);
        let n = &mut self.nodes[id as usize];
        if n.state == NodeState::Terminated {
            return;
        }
        let was_ready = n.state == NodeState::Ready;
        self.bounds.idle_rate_per_hour -= n.idle_usd_per_hour();
        n.state = NodeState::Terminated;
        n.terminated = Some(now);
        if let Ok(i) = self.live.binary_search(&id) {
            self.live.remove(i);
        }
        n.removal.get_or_insert(reason);
        self.cost_rate_per_hour -= n.price_per_hour;
        self.alive -= 1;
        self.node_epoch += 1;
        let lifetime = now - n.launched;
        if lifetime < MIN_BILLED_MS {
            self.cost_accrued += n.price_per_hour * (MIN_BILLED_MS - lifetime) as f64 / 3_600_000.0;
        }
        if was_ready {
            let zone = n.zone;
            self.zone_lists[zone].retain(|x| *x != id);
            self.tree_dirty = true;
        }
        self.mark_changed(now);
    }

    /// Ready nodes in kube-scheduler's node-tree order: zones round-robin, each zone's nodes in
    /// the order they joined (`pkg/scheduler/backend/cache/node_tree.go`). Call
    /// [`Cluster::refresh_node_tree`] first after nodes changed.
    pub fn node_tree(&self) -> &[NodeId] {
        debug_assert!(!self.tree_dirty, "node tree read before refresh");
        &self.node_tree
    }

    /// True when some Ready node is in the zone.
    pub fn zone_has_nodes(&self, zone: usize) -> bool {
        self.zone_lists.get(zone).is_some_and(|l| !l.is_empty())
    }

    /// Rebuilds the node-tree order if nodes changed.
    pub fn refresh_node_tree(&mut self) {
        if self.tree_dirty {
            self.node_tree.clear();
            let max_len = self.zone_lists.iter().map(Vec::len).max().unwrap_or(0);
            for i in 0..max_len {
                for &z in &self.zone_order {
                    if let Some(&n) = self.zone_lists[z].get(i) {
                        self.node_tree.push(n);
                    }
                }
            }
            self.tree_dirty = false;
        }
    }

    /// Cordons a node and marks it for deletion (a disruption command took it).
    pub fn mark_for_deletion(&mut self, id: NodeId, reason: RemovalReason, now: Millis) {
        let n = &mut self.nodes[id as usize];
        n.unschedulable = true;
        n.marked_for_deletion = true;
        n.removal = Some(reason);
        self.node_epoch += 1;
        self.mark_changed(now);
    }

    /// Undoes [`Cluster::mark_for_deletion`] when a disruption command fails.
    pub fn unmark_for_deletion(&mut self, id: NodeId, now: Millis) {
        let n = &mut self.nodes[id as usize];
        if n.state == NodeState::Terminated {
            return;
        }
        n.unschedulable = false;
        n.marked_for_deletion = false;
        n.removal = None;
        self.node_epoch += 1;
        self.mark_changed(now);
    }

    /// Binds a pod to a node.
    pub fn bind(
        &mut self,
        pod: PodId,
        node: NodeId,
        requests: Resources,
        nonzero: Resources,
        now: Millis,
    ) {
        self.accrue(now);
        let old_idle = self.nodes[node as usize].idle_usd_per_hour();
        self.bounds.pod_requests += requests;
        let n = &mut self.nodes[node as usize];
        n.requested += requests;
        n.nonzero_requested += nonzero;
        let slot = n.pods.len() as u32;
        n.pods.push(pod);
        n.active_pods += 1;
        n.active_requested += requests;
        n.record_pod_event(now);
        let p = &mut self.pods[pod as usize];
        p.node = Some(node);
        p.bound = Some(now);
        p.node_slot = slot;
        p.generation += 1;
        self.mark_changed(now);
        self.bounds.idle_rate_per_hour += self.nodes[node as usize].idle_usd_per_hour() - old_idle;
    }

    /// Marks a bound pod as terminating; its resources stay held until [`Cluster::release`].
    pub fn mark_deleted(&mut self, pod: PodId, requests: Resources, now: Millis) {
        let p = &mut self.pods[pod as usize];
        if p.deleted.is_some() {
            return;
        }
        p.deleted = Some(now);
        p.generation += 1;
        if let Some(node) = p.node {
            let n = &mut self.nodes[node as usize];
            n.active_pods -= 1;
            n.active_requested -= requests;
            n.record_pod_event(now);
        }
        self.mark_changed(now);
    }

    /// Releases a terminated pod's resources from its node.
    pub fn release(&mut self, pod: PodId, requests: Resources, nonzero: Resources, now: Millis) {
        let p = &mut self.pods[pod as usize];
        if p.gone.is_some() {
            return;
        }
        p.gone = Some(now);
        let Some(node) = p.node else { return };
        let slot = p.node_slot as usize;
        self.accrue(now);
        let old_idle = self.nodes[node as usize].idle_usd_per_hour();
        self.bounds.pod_requests -= requests;
        let n = &mut self.nodes[node as usize];
        n.requested -= requests;
        n.nonzero_requested -= nonzero;
        n.pods.swap_remove(slot);
        if let Some(&moved) = n.pods.get(slot) {
            self.pods[moved as usize].node_slot = slot as u32;
        }
        self.mark_changed(now);
        self.bounds.idle_rate_per_hour += self.nodes[node as usize].idle_usd_per_hour() - old_idle;
    }
}

/// EC2 bills Linux instances per second with a 60-second minimum.
pub const MIN_BILLED_MS: Millis = 60_000;

#[cfg(test)]
mod tests {
    use super::*;

    fn node(price: f64) -> Node {
        Node {
            name: "n".into(),
            name_key: 0,
            owner: NodeOwner::Pool(0),
            instance_type: 0,
            zone: 0,
            capacity_type: CapacityType::Spot,
            price_per_hour: price,
            billed_before_usd: 0.0,
            price_since: 0,
            shape: 0,
            allocatable: Resources::ZERO,
            requested: Resources::ZERO,
            nonzero_requested: Resources::ZERO,
            daemon_overhead: Resources::ZERO,
            pods: Vec::new(),
            active_pods: 0,
            launched: 0,
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
        }
    }

    #[test]
    fn billing_minimum_and_open_nodes() {
        // 30 s of a $3.6/h node bills the 60 s minimum: $0.06.
        let mut n = node(3.6);
        n.terminated = Some(30_000);
        assert!((n.cost_usd(1_000_000) - 0.06).abs() < 1e-12);
        // A node still running at the end is billed to the end only.
        assert!((node(3.6).cost_usd(30_000) - 0.03).abs() < 1e-12);
    }

    #[test]
    fn spot_price_changes_bill_each_segment() {
        let mut c = Cluster::default();
        let id = c.add_node(node(3.6), 0);
        // One hour at $3.6, then half an hour at $1.2.
        c.set_price(id, 1.2, 3_600_000);
        let n = &c.nodes[id as usize];
        assert!((n.cost_usd(5_400_000) - 4.2).abs() < 1e-9);
        c.accrue(5_400_000);
        assert!((c.cost_accrued - 4.2).abs() < 1e-9);
        assert!((c.cost_rate_per_hour - 1.2).abs() < 1e-12);
    }
}
