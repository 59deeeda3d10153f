//! batch/v1 CronJob → a [`Workload`] whose pods come from Jobs.
//!
//! Defaults and validation follow kubernetes `pkg/apis/batch/v1/defaults.go`
//! (`SetDefaults_CronJob`: concurrencyPolicy Allow, suspend false; `SetDefaults_Job`:
//! parallelism and completions 1 when both are unset, parallelism 1 when only it is unset) and
//! `pkg/apis/batch/validation/validation.go` (`validateScheduleFormat`: the schedule is a
//! robfig/cron standard spec and may not carry `TZ=`/`CRON_TZ=`, use `timeZone`; the time zone
//! must be a name in the IANA database; non-negative counts and deadlines).

use super::model::*;
use super::raw;
use super::validate::{Item, pod_template};
use crate::error::InputError;
use crate::k8s::cron::Schedule;
use crate::latency::Dist;
use serde_saphyr::Spanned;

/// The run time CronJob pods get when the Scenario gives none.
pub const DEFAULT_JOB_DURATION_MS: crate::engine::Millis = 60_000;

/// Builds the workload of one CronJob. Its run time comes from the Scenario later.
pub(super) fn cron_job(
    item: &Item<raw::CronJob>,
    warnings: &mut Vec<String>,
) -> Result<Workload, InputError> {
    let ctx = &item.ctx;
    let spec = &item.raw.spec;
    let text = spec.schedule.value.trim();
    if text.starts_with("TZ=") || text.starts_with("CRON_TZ=") {
        return Err(ctx.err_at(
            &spec.schedule,
            "spec.schedule",
            "cannot use TZ or CRON_TZ in schedule, use timeZone field instead",
        ));
    }
    let schedule = Schedule::parse(text).map_err(|e| {
        ctx.err_at(
            &spec.schedule,
            "spec.schedule",
            format!("unparseable schedule {text:?}: {e}"),
        )
    })?;
    let time_zone = match &spec.time_zone {
        None => None,
        Some(tz) => {
            jiff::tz::TimeZone::get(&tz.value).map_err(|_| {
                ctx.err_at(
                    tz,
                    "spec.timeZone",
                    format!("unknown time zone {:?}", tz.value),
                )
            })?;
            Some(tz.value.clone())
        }
    };
    let concurrency = match spec.concurrency_policy.as_ref().map(|p| p.value.as_str()) {
        None | Some("Allow") => ConcurrencyPolicy::Allow,
        Some("Forbid") => ConcurrencyPolicy::Forbid,
        Some("Replace") => ConcurrencyPolicy::Replace,
        Some(other) => {
            let at = spec.concurrency_policy.as_ref().expect("set");
            return Err(ctx.err_at(
                at,
                "spec.concurrencyPolicy",
                format!("must be Allow, Forbid or Replace, got {other:?}"),
            ));
        }
    };
    let seconds = |v: &Option<Spanned<i64>>, field: &str, min: i64| {
        v.as_ref()
            .map(|s| {
                if s.value < min || s.value > i64::from(i32::MAX) {
                    Err(ctx.err_at(s, field, format!("must be between {min} and {}", i32::MAX)))
                } else {
                    Ok(s.value)
                }
            })
            .transpose()
    };
    let starting_deadline_ms = seconds(
        &spec.starting_deadline_seconds,
        "spec.startingDeadlineSeconds",
        0,
    )?
    .map(|s| s as u64 * 1000);
    let job = &spec.job_template.spec;
    let parallelism = seconds(&job.parallelism, "spec.jobTemplate.spec.parallelism", 0)?;
    let completions = seconds(&job.completions, "spec.jobTemplate.spec.completions", 0)?;
    let (parallelism, completions) = match (parallelism, completions) {
        (None, None) => (1, Some(1)),
        (p, c) => (p.unwrap_or(1), c),
    };
    let active_deadline_ms = seconds(
        &job.active_deadline_seconds,
        "spec.jobTemplate.spec.activeDeadlineSeconds",
        1,
    )?
    .map(|s| s as u64 * 1000);
    let backoff_limit =
        seconds(&job.backoff_limit, "spec.jobTemplate.spec.backoffLimit", 0)?.unwrap_or(6);
    if item.name.len() > 52 {
        return Err(ctx.err(
            "metadata.name",
            "must be no more than 52 characters (Job names add an 11-character suffix)",
        ));
    }
    let template = pod_template(
        ctx,
        "spec.jobTemplate.spec.template",
        &job.template,
        warnings,
    )?;
    Ok(Workload {
        name: item.name.clone(),
        namespace: item.namespace.clone(),
        kind: WorkloadKind::CronJob(Box::new(CronJob {
            schedule,
            time_zone,
            concurrency,
            starting_deadline_ms,
            suspend: spec.suspend.unwrap_or(false),
            parallelism,
            completions,
            active_deadline_ms,
            backoff_limit,
            duration: Dist::Constant(DEFAULT_JOB_DURATION_MS),
        })),
        replicas: 0,
        template,
        hpa: None,
        keda: None,
        demand: None,
        memory: None,
        metrics: Vec::new(),
        pdb: None,
        replica_schedule: Vec::new(),
    })
}

/// The kind of object a workload came from, for messages.
pub(super) fn describe(w: &Workload) -> &'static str {
    match w.kind {
        WorkloadKind::Deployment => "Deployment",
        WorkloadKind::CronJob(_) => "CronJob",
    }
}
