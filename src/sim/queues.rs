//! SQS queues and their consumers, and the KEDA operator's polling.

use super::{Event, Phase, Sim};
use crate::queue::STEP_MS;
use crate::scenario::KedaTrigger;

impl Sim<'_> {
    /// One step of every queue: arrivals over the last second, consumption by the Ready pods
    /// of each queue's consumer, and the CPU those pods spend on it.
    pub(super) fn on_queue_step(&mut self) {
        let now = self.now();
        for qi in 0..self.queues.len() {
            let q = &self.s.queues[qi];
            let arrivals = self.arrivals[qi].mean_over(now.saturating_sub(STEP_MS), now)
                * (STEP_MS as f64 / 1000.0);
            let slots = (self.w[q.consumer].ready * q.concurrency) as f64;
            self.queues[qi].step(now, arrivals, slots, self.queue_mean_ms[qi]);
            let cpu = self.queues[qi].in_flight_exact() * q.cpu_per_message_m as f64;
            self.w[q.consumer].queue_cpu_integral += cpu * STEP_MS as f64;
        }
        if now + STEP_MS <= self.s.duration_ms {
            self.schedule(now + STEP_MS, Phase::Metrics, Event::QueueStep);
        }
    }

    /// A KEDA polling interval: activity from the triggers, then KEDA's own scaling.
    pub(super) fn on_keda_poll(&mut self, wi: usize) {
        let now = self.now();
        let k = self.s.workloads[wi].keda.as_ref().expect("KEDA workload");
        let active = k.triggers.iter().any(|t| match *t {
            KedaTrigger::SqsQueue {
                queue,
                activation_milli,
                in_flight,
                ..
            } => {
                let q = &self.queues[queue];
                let v = q.visible() + if in_flight { q.in_flight() } else { 0 };
                v * 1000 > activation_milli
            }
            // KEDA's cpu and memory scalers always report active.
            KedaTrigger::Resource(_) => true,
        });
        let current = self.w[wi].desired;
        let state = self.w[wi].keda.as_mut().expect("KEDA state");
        if let Some(n) = state.poll(k, now, current, active) {
            self.scale_to(wi, n, super::Scaler::Keda);
        }
        self.schedule(
            now + k.polling_ms,
            Phase::Controllers,
            Event::KedaPoll(wi as u32),
        );
    }
}
