//! Pod readiness and container restarts: OOMKills and the kubelet's CrashLoopBackOff.
//!
//! Source: kubernetes `pkg/kubelet/kuberuntime/kuberuntime_manager.go` (`doBackOff`) with
//! `k8s.io/client-go/util/flowcontrol` `Backoff` (`IsInBackOffSince`, `Next`, `hasExpired`),
//! created in `pkg/kubelet/kubelet.go` with `backOffPeriod` = 10 s and `MaxContainerBackOff` =
//! 300 s and no jitter:
//! - the first crash restarts at once and starts a back-off of 10 s;
//! - a later crash waits out the current back-off before restarting, which then doubles (at most
//!   300 s);
//! - a container that ran for more than twice the maximum (600 s) since the last restart starts
//!   over as if it had never crashed.
//!
//! An OOMKilled container restarts in place (`restartPolicy: Always`; ksim treats Job pods the
//! same way, as `OnFailure`): the pod stays bound and Running but is not Ready until the restarted
//! container passes its readiness again, after a fresh draw of the pod startup latency. Its
//! memory starts from the baseline again.

use super::{Event, Phase, Sim};
use crate::cluster::PodId;
use crate::engine::Millis;

/// `backOffPeriod`.
pub const BACKOFF_INITIAL_MS: Millis = 10_000;
/// `MaxContainerBackOff`.
pub const BACKOFF_MAX_MS: Millis = 300_000;

/// A container's back-off entry: current back-off and the time of the last restart decision.
#[derive(Debug, Clone, Copy)]
pub(super) struct Backoff {
    backoff_ms: Millis,
    last_update: Millis,
}

/// When a container that crashed at `crashed` restarts, and its new back-off entry.
pub(super) fn restart_after_crash(entry: Option<Backoff>, crashed: Millis) -> (Millis, Backoff) {
    match entry {
        Some(e) if crashed.saturating_sub(e.last_update) <= 2 * BACKOFF_MAX_MS => {
            let at = crashed + e.backoff_ms;
            (
                at,
                Backoff {
                    backoff_ms: (e.backoff_ms * 2).min(BACKOFF_MAX_MS),
                    last_update: at,
                },
            )
        }
        _ => (
            crashed,
            Backoff {
                backoff_ms: BACKOFF_INITIAL_MS,
                last_update: crashed,
            },
        ),
    }
}

impl Sim<'_> {
    /// The pod's containers are up and it passes readiness.
    pub(super) fn mark_ready(&mut self, pod: PodId, now: Millis) {
        let p = &mut self.c.pods[pod as usize];
        let restarted = p.first_ready.is_some();
        p.ready = Some(now);
        p.first_ready.get_or_insert(now);
        p.container_start = Some(now);
        let wi = p.workload as usize;
        let has_memory = self.s.workloads[wi].memory.is_some();
        let ws = &mut self.w[wi];
        ws.ready += 1;
        ws.ready_start_sum += now as i128;
        if restarted {
            ws.restarting -= 1;
        }
        if has_memory {
            ws.by_start.insert((now, pod));
        }
        ws.recent_ready.push_back((now, pod));
    }

    /// Takes a Ready pod out of the Ready bookkeeping.
    pub(super) fn mark_unready(&mut self, pod: PodId) {
        let p = &mut self.c.pods[pod as usize];
        let Some(_) = p.ready.take() else {
            return;
        };
        let start = p.container_start.unwrap_or(0);
        let wi = p.workload as usize;
        let ws = &mut self.w[wi];
        ws.ready -= 1;
        ws.ready_start_sum -= start as i128;
        ws.by_start.remove(&(start, pod));
    }

    /// True when the pod was Ready once and is restarting now.
    pub(super) fn is_restarting(&self, pod: PodId) -> bool {
        let p = &self.c.pods[pod as usize];
        p.deleted.is_none() && p.first_ready.is_some() && p.ready.is_none()
    }

    /// The container exceeded its memory limit.
    pub(super) fn oom_kill(&mut self, pod: PodId) {
        let now = self.now();
        if self.c.pods[pod as usize].ready.is_none() {
            return;
        }
        let wi = self.c.pods[pod as usize].workload as usize;
        // A consumer that dies loses the messages it holds to their visibility timeout.
        let ready_before = self.w[wi].ready;
        for qi in 0..self.queues.len() {
            let q = &self.s.queues[qi];
            if q.consumer == wi && ready_before > 0 {
                self.queues[qi].lose_in_flight(
                    1.0 / ready_before as f64,
                    now,
                    q.visibility_timeout_ms,
                );
            }
        }
        self.mark_unready(pod);
        self.w[wi].restarting += 1;
        self.w[wi].oom_kills += 1;
        let p = &mut self.c.pods[pod as usize];
        p.restarts += 1;
        p.generation += 1;
        let generation = p.generation;
        let (at, entry) = restart_after_crash(self.backoffs.get(&pod).copied(), now);
        self.backoffs.insert(pod, entry);
        self.schedule(
            at,
            Phase::Lifecycle,
            Event::ContainerRestart(pod, generation),
        );
    }

    /// The kubelet restarts the container; it becomes Ready after the startup latency.
    pub(super) fn on_container_restart(&mut self, pod: PodId, generation: u32) {
        let now = self.now();
        let p = &self.c.pods[pod as usize];
        if p.generation != generation || p.deleted.is_some() {
            return;
        }
        let delay = self.s.latency.pod_startup.sample(&mut self.rng_startup);
        self.schedule(
            now + delay,
            Phase::PodReady,
            Event::PodReady(pod, generation),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crash_loop_back_off_doubles_and_resets() {
        // First crash: immediate restart.
        let (at, e) = restart_after_crash(None, 1_000);
        assert_eq!(at, 1_000);
        // Crashes soon after: 10 s, then 20 s, 40 s … capped at 300 s.
        let (at, e) = restart_after_crash(Some(e), 5_000);
        assert_eq!(at, 15_000);
        let (at, e) = restart_after_crash(Some(e), 20_000);
        assert_eq!(at, 40_000);
        let mut e = e;
        let mut t = 40_000;
        let mut waits = Vec::new();
        for _ in 0..5 {
            let (at, next) = restart_after_crash(Some(e), t);
            waits.push(at - t);
            t = at;
            e = next;
        }
        assert_eq!(waits, vec![40_000, 80_000, 160_000, 300_000, 300_000]);
        // Running for more than 600 s since the last restart starts over.
        let (at, e) = restart_after_crash(Some(e), t + 600_001);
        assert_eq!(at, t + 600_001);
        assert_eq!(e.backoff_ms, BACKOFF_INITIAL_MS);
    }
}
