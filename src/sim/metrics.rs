//! The metrics pipeline and the HPA: what metrics-server and the custom/external metrics
//! adapters report, and each HPA sync.
//!
//! - Every 15 s (metrics-server `--metric-resolution=15s`) each workload's usage is sampled: its
//!   CPU work over the last window (demand curve plus messages being processed) spread evenly
//!   over its Ready pods and capped at the CPU limit (CFS quota); the rest is unserved demand.
//!   Memory per pod is the workload's memory model at that CPU usage, plus the leak for the
//!   container's age (containers start when the pod becomes Ready). A pod gets a
//!   metric at the first scrape at which its containers are at least 10 s old (metrics-server
//!   v0.9 `pkg/storage`: a container younger than that has no usable previous point, and a pod
//!   is shown only when every container has one). A container restarting after a crash is not
//!   reported by the kubelet, so its pod has no metrics.
//! - The scrape also enforces memory limits: a container whose working set exceeds its limit is
//!   OOMKilled ([`super::Sim::oom_kill`]).
//! - At each HPA sync the pods are grouped as `groupPods` does and each metric's proposal is
//!   computed by [`crate::hpa`]. External metrics are read at sync time (KEDA's metrics adapter
//!   queries the scaler on every HPA request unless `useCachedMetrics` is set).

use super::{Event, METRIC_RESOLUTION_MS, Phase, Sim};
use crate::cluster::{PodCause, PodId};
use crate::engine::Millis;
use crate::hpa::{self, MetricError, PodClass, PodGroup, Tolerances};
use crate::scenario::{DemandUnit, ExternalSource, HpaMetric, MetricResource};
use crate::workload::demand_to_cpu_m;

/// Age a container needs before metrics-server reports its pod.
pub const FIRST_POINT_AGE_MS: Millis = 10_000;

/// One scrape of a workload.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sample {
    /// Scrape time.
    pub at: Millis,
    /// CPU usage per Ready pod over the window, millicores (after throttling).
    pub cpu_m: i64,
    /// Working set per Ready pod before the leak, bytes.
    pub mem_base_b: f64,
    /// Demand over the window, in the workload's demand unit (custom metrics).
    pub demand: f64,
    /// Ready pods at the scrape.
    pub ready: i64,
}

impl Sim<'_> {
    /// Mean demand over `[t0, t1]` in the workload's unit.
    pub(super) fn demand_value(
        &self,
        wi: usize,
        t0: Millis,
        t1: Millis,
    ) -> Option<(DemandUnit, f64)> {
        let d = self.w[wi].demand.as_ref()?;
        Some((d.unit, d.mean_over(t0, t1)))
    }

    /// Mean CPU work over `[t0, t1]` from the demand curve, millicores.
    pub(super) fn demand_cpu_m(&self, wi: usize, t0: Millis, t1: Millis) -> Option<f64> {
        let (unit, v) = self.demand_value(wi, t0, t1)?;
        Some(demand_to_cpu_m(&self.s.workloads[wi], unit, v))
    }

    pub(super) fn on_scrape(&mut self) {
        let now = self.now();
        let window = METRIC_RESOLUTION_MS;
        for wi in 0..self.w.len() {
            let queue_cpu = {
                let ws = &mut self.w[wi];
                let delta = ws.queue_cpu_integral - ws.queue_cpu_at_scrape;
                ws.queue_cpu_at_scrape = ws.queue_cpu_integral;
                delta / window as f64
            };
            let demand_m = self
                .demand_cpu_m(wi, now.saturating_sub(window), now)
                .unwrap_or(0.0)
                + queue_cpu;
            let demand = self
                .demand_value(wi, now.saturating_sub(window), now)
                .map(|d| d.1)
                .unwrap_or(0.0);
            let t = &self.s.workloads[wi].template;
            let ready = self.w[wi].ready;
            let per_pod = if ready > 0 {
                demand_m / ready as f64
            } else {
                0.0
            };
            let used = match t.cpu_limit_m {
                Some(limit) => per_pod.min(limit as f64),
                None => per_pod,
            };
            let served = used * ready as f64;
            let ws = &mut self.w[wi];
            ws.cpu_demand_m_ms += demand_m * window as f64;
            ws.cpu_unserved_m_ms += (demand_m - served).max(0.0) * window as f64;
            let mem_base_b = self.s.workloads[wi]
                .memory
                .map(|m| m.baseline_b as f64 + m.per_core_b as f64 * used / 1000.0)
                .unwrap_or(0.0);
            ws.sample = Some(Sample {
                at: now,
                cpu_m: used.floor() as i64,
                mem_base_b,
                demand,
                ready,
            });
            self.enforce_memory_limit(wi, mem_base_b);
            // Non-HPA workloads whose demand is in replicas follow the curve directly.
            if self.s.workloads[wi].hpa.is_none()
                && self.s.workloads[wi].kind == crate::scenario::WorkloadKind::Deployment
                && let Some(d) = &self.w[wi].demand
                && d.unit == DemandUnit::Replicas
            {
                let want = d.at(now).round().max(0.0) as i64;
                if want != self.w[wi].desired {
                    self.w[wi].desired = want;
                    self.reconcile_replicas(wi, PodCause::ScaleUp);
                }
            }
        }
        self.schedule(now + window, Phase::Metrics, Event::MetricsScrape);
    }

    /// OOMKills every Ready container of the workload whose working set (`base` plus the leak
    /// for its age) exceeds the memory limit, oldest first.
    fn enforce_memory_limit(&mut self, wi: usize, base_b: f64) {
        let now = self.now();
        let w = &self.s.workloads[wi];
        let (Some(model), Some(limit)) = (w.memory, w.template.mem_limit_b) else {
            return;
        };
        let headroom = limit as f64 - base_b;
        let victims: Vec<PodId> = if headroom < 0.0 {
            self.w[wi].by_start.iter().map(|&(_, p)| p).collect()
        } else if model.leak_per_hour_b > 0 {
            // Age at which the leak uses up the headroom.
            let age_ms = headroom / model.leak_per_hour_b as f64 * 3_600_000.0;
            self.w[wi]
                .by_start
                .iter()
                .take_while(|&&(start, _)| (now.saturating_sub(start)) as f64 > age_ms)
                .map(|&(_, p)| p)
                .collect()
        } else {
            Vec::new()
        };
        for p in victims {
            self.oom_kill(p);
        }
    }

    /// The workload's pods for one metric, grouped as `groupPods` classifies them.
    fn pod_groups(&mut self, wi: usize, m: &HpaMetric) -> Vec<PodGroup> {
        let Some(sample) = self.w[wi].sample else {
            return vec![];
        };
        let w = &self.s.workloads[wi];
        // metrics-server shows a pod once every container has a previous point: the scrape
        // after the container is 10 s old (its start time serves as the first point).
        let cutoff = sample.at.saturating_sub(FIRST_POINT_AGE_MS);
        let ws = &mut self.w[wi];
        let keep_after = cutoff;
        while ws
            .recent_ready
            .front()
            .is_some_and(|&(t, _)| t <= keep_after)
        {
            ws.recent_ready.pop_front();
        }
        let mut without_metric = 0i64;
        let mut their_starts: i128 = 0;
        for &(t, p) in &ws.recent_ready {
            let pod = &self.c.pods[p as usize];
            if t > cutoff && pod.deleted.is_none() && pod.ready == Some(t) {
                without_metric += 1;
                their_starts += t as i128;
            }
        }
        let ready = ws.ready;
        let with_metric = (ready - without_metric).max(0);
        let active = ws.active.len() as i64;
        let restarting = ws.restarting;
        // A container's share of its pod's usage: in proportion to its request.
        let share = |container: Option<usize>, r: MetricResource| -> (f64, i64) {
            let pick = |x: &crate::resources::Resources| match r {
                MetricResource::Cpu => x.cpu_m,
                MetricResource::Memory => x.mem_b,
            };
            let pod_req = pick(&w.template.metric_requests);
            match container {
                None => (1.0, pod_req),
                Some(c) => {
                    let creq = pick(&w.template.containers[c].requests);
                    let f = if pod_req > 0 {
                        creq as f64 / pod_req as f64
                    } else {
                        1.0 / w.template.containers.len() as f64
                    };
                    (f, creq)
                }
            }
        };
        let (total_m, request_m) = match *m {
            HpaMetric::Utilization { resource, .. } | HpaMetric::AverageValue { resource, .. } => {
                let (f, req) = share(None, resource);
                (
                    self.resource_total_m(wi, resource, with_metric, &sample, their_starts, f),
                    req,
                )
            }
            HpaMetric::ContainerUtilization {
                resource,
                container,
                ..
            }
            | HpaMetric::ContainerAverageValue {
                resource,
                container,
                ..
            } => {
                let (f, req) = share(Some(container), resource);
                (
                    self.resource_total_m(wi, resource, with_metric, &sample, their_starts, f),
                    req,
                )
            }
            HpaMetric::PodsAverageValue { metric, .. } => {
                let per_unit = w.metrics[metric].per_demand_unit;
                let per_pod = if sample.ready > 0 {
                    (sample.demand * per_unit * 1000.0 / sample.ready as f64).floor() as i64
                } else {
                    0
                };
                (per_pod * with_metric, 0)
            }
            HpaMetric::ExternalValue { .. } | HpaMetric::ExternalAverageValue { .. } => (0, 0),
        };
        let request_m = match m.resource() {
            Some(MetricResource::Memory) => request_m.saturating_mul(1000),
            _ => request_m,
        };
        let group = |class, count, value_total_m| PodGroup {
            class,
            count,
            value_total_m,
            request_m,
        };
        vec![
            group(PodClass::Ready, with_metric, total_m),
            group(PodClass::Missing, without_metric + restarting, 0),
            group(PodClass::Unready, (active - ready - restarting).max(0), 0),
        ]
    }

    /// The sum of a resource metric over the pods with a metric, milli-units (memory in
    /// milli-bytes, as the HPA's `MilliValue`), times a container share `f`.
    fn resource_total_m(
        &self,
        wi: usize,
        r: MetricResource,
        with_metric: i64,
        sample: &Sample,
        starts_without_metric: i128,
        f: f64,
    ) -> i64 {
        match r {
            MetricResource::Cpu => (sample.cpu_m as f64 * f).floor() as i64 * with_metric,
            MetricResource::Memory => {
                let ws = &self.w[wi];
                let leak_per_ms = self.s.workloads[wi]
                    .memory
                    .map(|m| m.leak_per_hour_b as f64 / 3_600_000.0)
                    .unwrap_or(0.0);
                // Σ (scrape − start) over the pods with a metric.
                let starts = (ws.ready_start_sum - starts_without_metric) as f64;
                let age_sum = (with_metric as f64 * sample.at as f64 - starts).max(0.0);
                let bytes = with_metric as f64 * sample.mem_base_b + leak_per_ms * age_sum;
                (bytes * f * 1000.0).round() as i64
            }
        }
    }

    /// An External metric's value now, milli-units.
    fn external_value_m(&self, src: ExternalSource) -> i64 {
        match src {
            ExternalSource::Queue { queue, in_flight } => {
                let q = &self.queues[queue];
                let n = q.visible() + if in_flight { q.in_flight() } else { 0 };
                n * 1000
            }
            ExternalSource::WorkloadMetric { workload, metric } => {
                let now = self.now();
                let per_unit = self.s.workloads[workload].metrics[metric].per_demand_unit;
                let v = self
                    .demand_value(workload, now, now)
                    .map(|d| d.1)
                    .unwrap_or(0.0);
                (v * per_unit * 1000.0).floor() as i64
            }
        }
    }

    pub(super) fn on_hpa_sync(&mut self, wi: usize) {
        let now = self.now();
        let s = self.s;
        let hpa_spec = s.workloads[wi].hpa.as_ref().expect("HPA workload");
        let current = self.w[wi].desired;
        let status_replicas = self.w[wi].active.len() as i64;
        let ready_pods = self.w[wi].ready;
        let tol = Tolerances::for_behavior(hpa_spec.behavior.as_ref());
        let mut proposals: Vec<Result<i64, MetricError>> = Vec::new();
        if current > 0 {
            for m in &hpa_spec.metrics {
                let p = match *m {
                    HpaMetric::Utilization { target_percent, .. }
                    | HpaMetric::ContainerUtilization { target_percent, .. } => {
                        let groups = self.pod_groups(wi, m);
                        hpa::resource_utilization_replicas(current, &groups, target_percent, tol)
                            .map(|r| r.0)
                    }
                    HpaMetric::AverageValue { target_milli, .. }
                    | HpaMetric::ContainerAverageValue { target_milli, .. }
                    | HpaMetric::PodsAverageValue { target_milli, .. } => {
                        let groups = self.pod_groups(wi, m);
                        hpa::plain_metric_replicas(current, &groups, target_milli, tol).map(|r| r.0)
                    }
                    HpaMetric::ExternalValue {
                        source,
                        target_milli,
                    } => hpa::external_value_replicas(
                        current,
                        status_replicas,
                        ready_pods,
                        self.external_value_m(source),
                        target_milli,
                        tol,
                    ),
                    HpaMetric::ExternalAverageValue {
                        source,
                        target_milli,
                    } => Ok(hpa::external_average_replicas(
                        status_replicas,
                        self.external_value_m(source),
                        target_milli,
                        tol,
                    )),
                };
                proposals.push(p);
            }
        }
        let state = self.w[wi].hpa.as_mut().expect("HPA state");
        let decision = state.reconcile(
            hpa_spec,
            current,
            || hpa::combine_proposals(current, &proposals),
            now,
        );
        if decision.rescale {
            self.scale_to(wi, decision.desired, super::Scaler::Hpa);
        }
        self.schedule(
            now + hpa::SYNC_PERIOD_MS,
            Phase::Controllers,
            Event::HpaSync(wi as u32),
        );
    }
}
