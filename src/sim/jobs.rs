//! The CronJob and Job controllers.
//!
//! CronJob (kubernetes `pkg/controller/cronjob/cronjob_controllerv2.go` `syncCronJob`, `utils.go`
//! `mostRecentScheduleTime`, `nextScheduleTimeDuration`):
//! - a sync finds the most recent unmet schedule time in `(earliest, now]`, where `earliest` is
//!   the last schedule time (or the CronJob's creation, here t = 0), moved up to
//!   `now − startingDeadlineSeconds` when a deadline is set; only that one run is started, never
//!   a backlog;
//! - suspended: nothing; `Forbid` with an active Job: skipped, the last schedule time stays, and
//!   the run starts late when the Job finishes (the Job's update triggers a sync); `Replace`: the
//!   active Jobs are deleted and the new one created;
//! - the next sync is at the next schedule time plus 100 ms (`nextScheduleDelta`).
//!
//! Job (`pkg/controller/job/job_controller.go` `manageJob`, `syncJob`, `backoff_utils.go`):
//! - active pods wanted: `min(parallelism, completions − succeeded)`; without `completions`
//!   (work queue), `parallelism` until the first success, then no new pods; complete when enough
//!   pods succeeded (or, for a work queue, one did) and none is active;
//! - a pod evicted by a drain counts as failed (no `podFailurePolicy`); its replacement waits
//!   `10 s × 2^(n−1)` (at most 10 min) after the n-th failure since the last success; more than
//!   `backoffLimit` failures fail the Job and delete its pods;
//! - `activeDeadlineSeconds` after it started, a Job fails and its pods are deleted.

use super::{Event, Phase, Sim};
use crate::cluster::{PodCause, PodId};
use crate::engine::{Millis, Timer};
use crate::scenario::{ConcurrencyPolicy, CronJob, Scenario, WorkloadKind};

/// `nextScheduleDelta`.
pub const NEXT_SCHEDULE_DELTA_MS: Millis = 100;
/// `DefaultJobPodFailureBackOff`.
pub const JOB_FAILURE_BACKOFF_MS: Millis = 10_000;
/// `MaxJobPodFailureBackOff`.
pub const JOB_FAILURE_BACKOFF_MAX_MS: Millis = 600_000;

/// One CronJob's controller state.
#[derive(Debug)]
struct CronState {
    tz: jiff::tz::TimeZone,
    /// `status.lastScheduleTime` (Unix ms).
    last_schedule: Option<Millis>,
    /// Jobs it owns that are still active.
    active: Vec<u32>,
    timer: Timer,
}

/// One Job.
#[derive(Debug, Clone)]
pub(super) struct JobState {
    workload: usize,
    /// Pods running or starting.
    active: i64,
    succeeded: i64,
    failed: i64,
    failures_since_success: u32,
    last_failure: Millis,
    done: bool,
    timer: Timer,
}

/// CronJob and Job controller state.
#[derive(Debug, Default)]
pub(super) struct Jobs {
    /// Per workload (CronJobs only).
    crons: Vec<Option<CronState>>,
    /// Every Job ever created.
    jobs: Vec<JobState>,
    /// Jobs by outcome: (complete, failed).
    pub outcomes: (u64, u64),
    /// Runs skipped by `Forbid`, or missed their starting deadline.
    pub skipped: u64,
}

impl Jobs {
    pub(super) fn new(s: &Scenario) -> Jobs {
        Jobs {
            crons: s
                .workloads
                .iter()
                .map(|w| match &w.kind {
                    WorkloadKind::CronJob(cj) => Some(CronState {
                        tz: time_zone(cj),
                        last_schedule: None,
                        active: Vec::new(),
                        timer: Timer::default(),
                    }),
                    WorkloadKind::Deployment => None,
                })
                .collect(),
            ..Jobs::default()
        }
    }
}

/// The CronJob's time zone (validated when the scenario was read; UTC when unset, the
/// kube-controller-manager's zone on EKS).
fn time_zone(cj: &CronJob) -> jiff::tz::TimeZone {
    cj.time_zone
        .as_deref()
        .and_then(|name| jiff::tz::TimeZone::get(name).ok())
        .unwrap_or(jiff::tz::TimeZone::UTC)
}

fn cron_of(s: &Scenario, wi: usize) -> &CronJob {
    match &s.workloads[wi].kind {
        WorkloadKind::CronJob(cj) => cj,
        WorkloadKind::Deployment => unreachable!("CronJob workload"),
    }
}

impl Sim<'_> {
    /// Arms every CronJob's first sync.
    pub(super) fn start_cron_jobs(&mut self) {
        for wi in 0..self.s.workloads.len() {
            if self.jobs.crons[wi].is_some() {
                self.requeue_cron(wi, self.s.clock.absolute_ms(0));
            }
        }
    }

    /// Arms the next sync: the next schedule time after `base` plus `nextScheduleDelta`.
    fn requeue_cron(&mut self, wi: usize, base_unix: Millis) {
        let s = self.s;
        let cj = cron_of(s, wi);
        let st = self.jobs.crons[wi].as_mut().expect("cron state");
        let Some(next) = cj.schedule.next_after(base_unix, &st.tz) else {
            return;
        };
        let at = next.saturating_sub(s.clock.start_unix_ms) + NEXT_SCHEDULE_DELTA_MS;
        let now = self.q.now();
        st.timer.arm(
            &mut self.q,
            at.max(now),
            Phase::Controllers as u8,
            Event::CronSync(wi as u32),
        );
    }

    pub(super) fn on_cron_sync(&mut self, wi: usize) {
        let s = self.s;
        let cj = cron_of(s, wi);
        let now = self.now();
        let now_unix = s.clock.absolute_ms(now);
        let st = self.jobs.crons[wi].as_mut().expect("cron state");
        st.timer.fired();
        if cj.suspend {
            return;
        }
        let mut earliest = st.last_schedule.unwrap_or(s.clock.start_unix_ms);
        if let Some(d) = cj.starting_deadline_ms {
            earliest = earliest.max(now_unix.saturating_sub(d));
        }
        // The most recent schedule time in (earliest, now].
        let mut recent = None;
        let mut t = earliest;
        while let Some(n) = cj.schedule.next_after(t, &st.tz) {
            if n > now_unix {
                break;
            }
            recent = Some(n);
            t = n;
        }
        let Some(scheduled) = recent else {
            self.requeue_cron(wi, now_unix);
            return;
        };
        if cj
            .starting_deadline_ms
            .is_some_and(|d| scheduled + d < now_unix)
            || st.last_schedule == Some(scheduled)
        {
            self.requeue_cron(wi, now_unix);
            return;
        }
        if cj.concurrency == ConcurrencyPolicy::Forbid && !st.active.is_empty() {
            self.jobs.skipped += 1;
            self.requeue_cron(wi, now_unix);
            return;
        }
        if cj.concurrency == ConcurrencyPolicy::Replace {
            for j in std::mem::take(&mut st.active) {
                self.end_job(j as usize, false);
            }
        }
        let st = self.jobs.crons[wi].as_mut().expect("cron state");
        st.last_schedule = Some(scheduled);
        let j = self.jobs.jobs.len() as u32;
        st.active.push(j);
        self.jobs.jobs.push(JobState {
            workload: wi,
            active: 0,
            succeeded: 0,
            failed: 0,
            failures_since_success: 0,
            last_failure: 0,
            done: false,
            timer: Timer::default(),
        });
        if let Some(d) = cj.active_deadline_ms {
            self.schedule(now + d, Phase::Controllers, Event::JobDeadline(j));
        }
        self.manage_job(j as usize);
        self.requeue_cron(wi, now_unix);
    }

    /// `manageJob`: create pods up to the wanted number, after the failure back-off.
    pub(super) fn manage_job(&mut self, j: usize) {
        let now = self.now();
        let job = &self.jobs.jobs[j];
        if job.done {
            return;
        }
        let cj = cron_of(self.s, job.workload);
        let want = match cj.completions {
            Some(c) => cj.parallelism.min(c - job.succeeded).max(0),
            None if job.succeeded == 0 => cj.parallelism,
            None => job.active,
        };
        if want <= job.active {
            return;
        }
        if job.failures_since_success > 0 {
            let n = job.failures_since_success.min(30);
            let delay = (JOB_FAILURE_BACKOFF_MS << (n - 1)).min(JOB_FAILURE_BACKOFF_MAX_MS);
            let at = job.last_failure + delay;
            if now < at {
                let job = &mut self.jobs.jobs[j];
                job.timer.arm(
                    &mut self.q,
                    at,
                    Phase::Controllers as u8,
                    Event::JobSync(j as u32),
                );
                return;
            }
        }
        let wi = job.workload;
        for _ in job.active..want {
            let Ok(p) = self.create_pod(wi, PodCause::Job) else {
                break;
            };
            self.c.pods[p as usize].job = j as u32;
            self.jobs.jobs[j].active += 1;
            self.w[wi].desired += 1;
        }
        self.arm_scheduler();
    }

    pub(super) fn on_job_sync(&mut self, j: usize) {
        self.jobs.jobs[j].timer.fired();
        self.manage_job(j);
    }

    /// A Job pod's container started: it runs for a draw of the job duration.
    pub(super) fn on_job_pod_started(&mut self, pod: PodId) {
        let p = &self.c.pods[pod as usize];
        if p.job == u32::MAX {
            return;
        }
        let cj = cron_of(self.s, p.workload as usize);
        let run = cj.duration.sample(&mut self.rng_jobs);
        let generation = p.generation;
        let now = self.now();
        self.schedule(
            now + run,
            Phase::Lifecycle,
            Event::PodSucceeded(pod, generation),
        );
    }

    /// The pod ran to completion: it releases its resources and counts as succeeded.
    pub(super) fn on_pod_succeeded(&mut self, pod: PodId, generation: u32) {
        let p = &self.c.pods[pod as usize];
        if p.generation != generation || p.deleted.is_some() || p.ready.is_none() {
            return;
        }
        let j = p.job as usize;
        self.c.pods[pod as usize].succeeded = true;
        self.remove_pod_now(pod);
        let job = &mut self.jobs.jobs[j];
        job.active -= 1;
        job.succeeded += 1;
        job.failures_since_success = 0;
        let wi = job.workload;
        self.w[wi].desired -= 1;
        self.after_job_pod_change(j);
    }

    /// A Job pod was evicted: it counts as failed and is replaced after the back-off.
    pub(super) fn on_job_pod_evicted(&mut self, pod: PodId) {
        let now = self.now();
        let j = self.c.pods[pod as usize].job as usize;
        let job = &mut self.jobs.jobs[j];
        if job.done {
            return;
        }
        job.active -= 1;
        job.failed += 1;
        job.failures_since_success += 1;
        job.last_failure = now;
        let wi = job.workload;
        self.w[wi].desired -= 1;
        if self.jobs.jobs[j].failed > cron_of(self.s, wi).backoff_limit {
            self.end_job(j, false);
            self.sync_owner_soon(wi);
            return;
        }
        self.after_job_pod_change(j);
    }

    /// Completion check, then top up.
    fn after_job_pod_change(&mut self, j: usize) {
        let job = &self.jobs.jobs[j];
        let cj = cron_of(self.s, job.workload);
        let complete = job.active == 0
            && match cj.completions {
                Some(c) => job.succeeded >= c,
                None => job.succeeded > 0,
            };
        if complete {
            let wi = job.workload;
            self.end_job(j, true);
            self.sync_owner_soon(wi);
        } else {
            self.manage_job(j);
        }
    }

    /// `activeDeadlineSeconds` passed.
    pub(super) fn on_job_deadline(&mut self, j: usize) {
        if self.jobs.jobs[j].done {
            return;
        }
        let wi = self.jobs.jobs[j].workload;
        self.end_job(j, false);
        self.sync_owner_soon(wi);
    }

    /// Finishes a Job: its remaining pods are deleted.
    fn end_job(&mut self, j: usize, complete: bool) {
        if self.jobs.jobs[j].done {
            return;
        }
        self.jobs.jobs[j].done = true;
        if complete {
            self.jobs.outcomes.0 += 1;
        } else {
            self.jobs.outcomes.1 += 1;
        }
        let wi = self.jobs.jobs[j].workload;
        let pods: Vec<PodId> = self.w[wi]
            .active
            .iter()
            .copied()
            .filter(|&p| self.c.pods[p as usize].job == j as u32)
            .collect();
        for p in pods {
            self.delete_pod(p);
            self.w[wi].desired -= 1;
        }
        self.jobs.jobs[j].active = 0;
        self.jobs.jobs[j].timer.disarm(&mut self.q);
        if let Some(st) = self.jobs.crons[wi].as_mut() {
            st.active.retain(|&x| x as usize != j);
        }
    }

    /// A Job update enqueues its CronJob.
    fn sync_owner_soon(&mut self, wi: usize) {
        let now = self.now();
        if let Some(st) = self.jobs.crons[wi].as_mut() {
            st.timer.arm(
                &mut self.q,
                now,
                Phase::Controllers as u8,
                Event::CronSync(wi as u32),
            );
        }
    }
}
