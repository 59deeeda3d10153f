//! SQS queues (from the Scenario) and KEDA ScaledObjects → [`Queue`]s, [`Keda`] settings and
//! the HorizontalPodAutoscaler KEDA generates.
//!
//! Sources (kedacore/keda v2): `apis/keda/v1alpha1/scaledobject_types.go` (defaults:
//! `pollingInterval` 30 s, `cooldownPeriod` 300 s, `maxReplicaCount` 100, generated HPA
//! `minReplicas` = `max(minReplicaCount, 1)`), `apis/keda/v1alpha1/scaledobject_webhook.go` and
//! `scaledobject_types.go` (`CheckReplicaCountBoundsAreValid`: min ≤ max, idle < min),
//! `controllers/keda/hpa.go` (`keda-hpa-<name>`, behavior copied from
//! `advanced.horizontalPodAutoscalerConfig`, none otherwise), `pkg/scalers/scaler.go`
//! (`GetMetricTargetType`: AverageValue unless `metricType: Value`; Utilization is only for
//! cpu/memory), `pkg/scalers/aws_sqs_queue_scaler.go` (`queueLength` 5, `activationQueueLength`
//! 0, `scaleOnInFlight` true, `scaleOnDelayed` false; the queue name is the last segment of
//! `queueURL`), `pkg/scalers/cpu_memory_scaler.go` (`value`, `containerName`).

use super::model::*;
use super::raw;
use super::validate::{Ctx, Item, behavior, daily, dist, parse_ms, trace};
use crate::error::InputError;
use crate::k8s::quantity::Quantity;
use serde_saphyr::Spanned;

/// SQS default visibility timeout (AWS `CreateQueue` `VisibilityTimeout` default 30 s).
pub const DEFAULT_VISIBILITY_TIMEOUT_MS: crate::engine::Millis = 30_000;
/// SQS maximum visibility timeout (12 hours).
const MAX_VISIBILITY_TIMEOUT_MS: crate::engine::Millis = 12 * 3_600_000;

/// Parses the Scenario's queues. Consumers named there are resolved against `workloads`; the
/// others are filled in by [`scaled_object`] later.
pub(super) fn queues(
    ctx: &Ctx,
    raw: &[raw::Queue],
    workloads: &[Workload],
) -> Result<(Vec<Queue>, Vec<bool>), InputError> {
    let mut out = Vec::new();
    let mut has_consumer = Vec::new();
    for (i, q) in raw.iter().enumerate() {
        let f = |x: &str| format!("spec.queues[{i}].{x}");
        let name = q.name.value.clone();
        if name.is_empty() || name.len() > 80 {
            return Err(ctx.err_at(&q.name, &f("name"), "must be 1 to 80 characters"));
        }
        if out.iter().any(|o: &Queue| o.name == name) {
            return Err(ctx.err_at(&q.name, &f("name"), format!("duplicate queue {name:?}")));
        }
        let arrivals = match (&q.daily, &q.trace) {
            (Some(d), None) => {
                if let Some(u) = &d.unit {
                    return Err(ctx.err_at(
                        u,
                        &f("daily.unit"),
                        "queue arrivals are always in messages per second",
                    ));
                }
                set_unit(daily(ctx, &f("daily"), d)?)
            }
            (None, Some(t)) => {
                if let Some(u) = &t.unit {
                    return Err(ctx.err_at(
                        u,
                        &f("trace.unit"),
                        "queue arrivals are always in messages per second",
                    ));
                }
                set_unit(trace(ctx, &f("trace"), t)?)
            }
            _ => {
                return Err(ctx.err_at(
                    &q.name,
                    &f("name"),
                    "give exactly one of `daily` or `trace` for the arrivals",
                ));
            }
        };
        let processing = dist(
            ctx,
            &f("processingTime"),
            &Some(q.processing_time.clone()),
            crate::latency::Dist::Constant(0),
        )?;
        if processing.mean_ms() <= 0.0 {
            return Err(ctx.err(&f("processingTime"), "must be positive"));
        }
        let concurrency = match &q.concurrency {
            None => 1,
            Some(c) if (1..=10_000).contains(&c.value) => c.value,
            Some(c) => {
                return Err(ctx.err_at(c, &f("concurrency"), "must be between 1 and 10000"));
            }
        };
        let visibility_timeout_ms = match &q.visibility_timeout {
            None => DEFAULT_VISIBILITY_TIMEOUT_MS,
            Some(v) => {
                let ms = parse_ms(ctx, &f("visibilityTimeout"), v)?;
                if ms > MAX_VISIBILITY_TIMEOUT_MS {
                    return Err(ctx.err_at(v, &f("visibilityTimeout"), "must be at most 12h"));
                }
                ms
            }
        };
        let consumer = match &q.consumer {
            None => usize::MAX,
            Some(c) => {
                let ns = c.namespace.clone().unwrap_or_else(|| "default".into());
                workloads
                    .iter()
                    .position(|w| {
                        w.name == c.name.value
                            && w.namespace == ns
                            && w.kind == WorkloadKind::Deployment
                    })
                    .ok_or_else(|| {
                        ctx.err_at(
                            &c.name,
                            &f("consumer.name"),
                            format!("no Deployment {ns}/{} in the input", c.name.value),
                        )
                    })?
            }
        };
        let cpu_per_message_m = match &q.cpu_per_message {
            None => -1,
            Some(v) => {
                let m = v.value.milli_value();
                if m < 0 {
                    return Err(ctx.err_at(v, &f("cpuPerMessage"), "must not be negative"));
                }
                m
            }
        };
        has_consumer.push(q.consumer.is_some());
        out.push(Queue {
            name,
            arrivals,
            consumer,
            processing,
            concurrency,
            cpu_per_message_m,
            visibility_timeout_ms,
        });
    }
    Ok((out, has_consumer))
}

fn set_unit(d: Demand) -> Demand {
    match d {
        Demand::Daily {
            trough,
            peak,
            peak_hour,
            weekend_factor,
            noise,
            ..
        } => Demand::Daily {
            trough,
            peak,
            peak_hour,
            weekend_factor,
            noise,
            unit: DemandUnit::MessagesPerSecond,
        },
        Demand::Trace { points, .. } => Demand::Trace {
            points,
            unit: DemandUnit::MessagesPerSecond,
        },
    }
}

/// Fills in each queue's consumer default and per-message CPU. Errors name the queue.
pub(super) fn finish_queues(
    ctx: Option<&Ctx>,
    queues: &mut [Queue],
    workloads: &[Workload],
) -> Result<(), InputError> {
    for (i, q) in queues.iter_mut().enumerate() {
        if q.consumer == usize::MAX {
            let msg = format!(
                "queue {:?} has no consumer: set spec.queues[{i}].consumer or scale a Deployment on it with a KEDA ScaledObject",
                q.name
            );
            return Err(match ctx {
                Some(ctx) => ctx.err(&format!("spec.queues[{i}].consumer"), msg),
                None => InputError::file("<scenario>", msg),
            });
        }
        if q.cpu_per_message_m < 0 {
            q.cpu_per_message_m =
                workloads[q.consumer].template.metric_requests.cpu_m / q.concurrency;
        }
    }
    Ok(())
}

/// Reads a metadata value.
fn meta<'a>(so: &'a raw::KedaTrigger, key: &str) -> Option<&'a str> {
    so.metadata.get(key).map(|s| s.0.as_str())
}

/// Parses a KEDA boolean (`strconv.ParseBool`).
fn parse_bool(ctx: &Ctx, field: &str, v: &str) -> Result<bool, InputError> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(ctx.err(field, format!("invalid boolean {v:?}"))),
    }
}

/// Parses a KEDA quantity metadata value (a number such as `5` or `0.5`, as `value` of the
/// cpu and memory scalers), in milli-units.
fn parse_milli(ctx: &Ctx, field: &str, v: &str) -> Result<i64, InputError> {
    let q = Quantity::parse(v).map_err(|e| ctx.err(field, format!("invalid number {v:?}: {e}")))?;
    if q.is_negative() {
        return Err(ctx.err(field, "must not be negative"));
    }
    Ok(q.milli_value())
}

/// Parses a KEDA int64 metadata value (`queueLength`, `activationQueueLength`: decoded as JSON
/// integers, so `5.5` is an error), in milli-units.
fn parse_int_milli(ctx: &Ctx, field: &str, v: &str) -> Result<i64, InputError> {
    let n: i64 = v
        .trim()
        .parse()
        .map_err(|_| ctx.err(field, format!("must be an integer, got {v:?}")))?;
    if !(0..=i64::MAX / 1000).contains(&n) {
        return Err(ctx.err(field, "out of range"));
    }
    Ok(n * 1000)
}

/// A ScaledObject: the target workload index, KEDA's settings, and the HPA it generates.
/// `queues` consumers that are still unset become this target.
pub(super) fn scaled_object(
    item: &Item<raw::ScaledObject>,
    workloads: &[Workload],
    queues: &mut [Queue],
    warnings: &mut Vec<String>,
) -> Result<(usize, Keda, Hpa), InputError> {
    let ctx = &item.ctx;
    let s = &item.raw.spec;
    let target = &s.scale_target_ref;
    if let Some(k) = &target.kind
        && k.value != "Deployment"
    {
        return Err(ctx.err_at(
            k,
            "spec.scaleTargetRef.kind",
            format!("ksim scales Deployments; got kind {:?}", k.value),
        ));
    }
    let idx = workloads
        .iter()
        .position(|w| {
            w.name == target.name.value
                && w.namespace == item.namespace
                && w.kind == WorkloadKind::Deployment
        })
        .ok_or_else(|| {
            ctx.err_at(
                &target.name,
                "spec.scaleTargetRef.name",
                format!(
                    "no Deployment {}/{} in the input",
                    item.namespace, target.name.value
                ),
            )
        })?;
    let int = |v: &Option<Spanned<i64>>,
               field: &str,
               default: i64,
               min: i64|
     -> Result<i64, InputError> {
        match v {
            None => Ok(default),
            Some(x) if x.value >= min && x.value <= i64::from(i32::MAX) => Ok(x.value),
            Some(x) => Err(ctx.err_at(x, field, format!("must be between {min} and {}", i32::MAX))),
        }
    };
    let polling_s = int(&s.polling_interval, "spec.pollingInterval", 30, 1)?;
    let cooldown_s = int(&s.cooldown_period, "spec.cooldownPeriod", 300, 0)?;
    let initial_cooldown_s = int(
        &s.initial_cooldown_period,
        "spec.initialCooldownPeriod",
        0,
        0,
    )?;
    let min = int(&s.min_replica_count, "spec.minReplicaCount", 0, 0)?;
    let max = int(&s.max_replica_count, "spec.maxReplicaCount", 100, 0)?;
    if min > max {
        return Err(ctx.err(
            "spec.minReplicaCount",
            format!("MinReplicaCount={min} must be less than MaxReplicaCount={max}"),
        ));
    }
    let idle = match &s.idle_replica_count {
        None => None,
        Some(v) => {
            if v.value < 0 || v.value >= min {
                return Err(ctx.err_at(
                    v,
                    "spec.idleReplicaCount",
                    format!(
                        "IdleReplicaCount={} must be less than MinReplicaCount={min}",
                        v.value
                    ),
                ));
            }
            Some(v.value)
        }
    };
    if s.fallback.is_some() {
        warnings.push(format!(
            "{}: {}: spec.fallback is not simulated (scalers never fail in ksim)",
            ctx.file, ctx.object
        ));
    }
    let (hpa_name, hpa_behavior) = match s.advanced.as_ref() {
        Some(a) => {
            if a.scaling_modifiers.is_some() {
                return Err(ctx.err(
                    "spec.advanced.scalingModifiers",
                    "scaling modifiers are not simulated",
                ));
            }
            let cfg = a.horizontal_pod_autoscaler_config.as_ref();
            (
                cfg.and_then(|c| c.name.clone()),
                cfg.and_then(|c| c.behavior.as_ref())
                    .map(|b| behavior(ctx, b))
                    .transpose()?,
            )
        }
        None => (None, None),
    };
    if s.triggers.is_empty() {
        return Err(ctx.err("spec.triggers", "must have at least one trigger"));
    }
    let w = &workloads[idx];
    let mut triggers = Vec::new();
    let mut metrics = Vec::new();
    for (i, t) in s.triggers.iter().enumerate() {
        let f = |x: &str| format!("spec.triggers[{i}].{x}");
        let metric_type = t.metric_type.as_ref().map(|m| m.value.as_str());
        match t.type_.value.as_str() {
            "aws-sqs-queue" => {
                let url = meta(t, "queueURL").ok_or_else(|| {
                    ctx.err_at(&t.type_, &f("metadata.queueURL"), "no queueURL given")
                })?;
                if meta(t, "awsRegion").is_none() {
                    return Err(ctx.err_at(
                        &t.type_,
                        &f("metadata.awsRegion"),
                        "no awsRegion given",
                    ));
                }
                // A URL must have the path `/<account>/<name>`; any other value is the name.
                let queue_name = if url.starts_with("https://") || url.starts_with("http://") {
                    let path = url.splitn(4, '/').nth(3).unwrap_or("");
                    let parts: Vec<&str> = path.split('/').collect();
                    match parts.as_slice() {
                        [_, name] if !name.is_empty() => *name,
                        _ => {
                            return Err(ctx.err(
                                &f("metadata.queueURL"),
                                "cannot get queueName from queueURL",
                            ));
                        }
                    }
                } else {
                    url
                };
                let q = queues
                    .iter()
                    .position(|q| q.name == queue_name)
                    .ok_or_else(|| {
                        ctx.err_at(
                            &t.type_,
                            &f("metadata.queueURL"),
                            format!(
                                "queue {queue_name:?} is not defined in the Scenario's spec.queues"
                            ),
                        )
                    })?;
                let target_milli = match meta(t, "queueLength") {
                    None => 5_000,
                    Some(v) => parse_int_milli(ctx, &f("metadata.queueLength"), v)?,
                };
                if target_milli <= 0 {
                    return Err(ctx.err(&f("metadata.queueLength"), "must be positive"));
                }
                let activation_milli = match meta(t, "activationQueueLength") {
                    None => 0,
                    Some(v) => parse_int_milli(ctx, &f("metadata.activationQueueLength"), v)?,
                };
                let in_flight = match meta(t, "scaleOnInFlight") {
                    None => true,
                    Some(v) => parse_bool(ctx, &f("metadata.scaleOnInFlight"), v)?,
                };
                if let Some(v) = meta(t, "scaleOnDelayed")
                    && parse_bool(ctx, &f("metadata.scaleOnDelayed"), v)?
                {
                    warnings.push(format!(
                        "{}: {}: {}: ksim queues have no delayed messages",
                        ctx.file,
                        ctx.object,
                        f("metadata.scaleOnDelayed")
                    ));
                }
                if queues[q].consumer == usize::MAX {
                    queues[q].consumer = idx;
                }
                let source = ExternalSource::Queue {
                    queue: q,
                    in_flight,
                };
                metrics.push(match metric_type {
                    None | Some("AverageValue") => HpaMetric::ExternalAverageValue {
                        source,
                        target_milli,
                    },
                    Some("Value") => HpaMetric::ExternalValue {
                        source,
                        target_milli,
                    },
                    Some(other) => {
                        return Err(ctx.err(
                            &f("metricType"),
                            format!(
                                "must be AverageValue or Value for aws-sqs-queue, got {other:?}"
                            ),
                        ));
                    }
                });
                triggers.push(KedaTrigger::SqsQueue {
                    queue: q,
                    target_milli,
                    activation_milli,
                    in_flight,
                });
            }
            kind @ ("cpu" | "memory") => {
                let resource = if kind == "cpu" {
                    MetricResource::Cpu
                } else {
                    MetricResource::Memory
                };
                let value = meta(t, "value")
                    .ok_or_else(|| ctx.err_at(&t.type_, &f("metadata.value"), "no value given"))?;
                let container = match meta(t, "containerName") {
                    None => None,
                    Some(name) => Some(
                        w.template
                            .containers
                            .iter()
                            .position(|c| c.name == name)
                            .ok_or_else(|| {
                                ctx.err(
                                    &f("metadata.containerName"),
                                    format!("Deployment {} has no container {name:?}", w.name),
                                )
                            })?,
                    ),
                };
                let kind = metric_type.or(meta(t, "type")).unwrap_or("Utilization");
                let m = match kind {
                    "Utilization" => {
                        let pct = value.parse::<i64>().map_err(|_| {
                            ctx.err(&f("metadata.value"), format!("invalid integer {value:?}"))
                        })?;
                        if pct < 1 {
                            return Err(ctx.err(&f("metadata.value"), "must be greater than 0"));
                        }
                        match container {
                            None => HpaMetric::Utilization {
                                resource,
                                target_percent: pct,
                            },
                            Some(c) => HpaMetric::ContainerUtilization {
                                resource,
                                container: c,
                                target_percent: pct,
                            },
                        }
                    }
                    "AverageValue" => {
                        let m = parse_milli(ctx, &f("metadata.value"), value)?;
                        if m <= 0 {
                            return Err(ctx.err(&f("metadata.value"), "must be positive"));
                        }
                        match container {
                            None => HpaMetric::AverageValue {
                                resource,
                                target_milli: m,
                            },
                            Some(c) => HpaMetric::ContainerAverageValue {
                                resource,
                                container: c,
                                target_milli: m,
                            },
                        }
                    }
                    other => {
                        return Err(ctx.err(
                            &f("metricType"),
                            format!(
                                "must be Utilization or AverageValue for {kind}, got {other:?}"
                            ),
                        ));
                    }
                };
                triggers.push(KedaTrigger::Resource(m.clone()));
                metrics.push(m);
            }
            other => {
                return Err(ctx.err_at(
                    &t.type_,
                    &f("type"),
                    format!(
                        "trigger type {other:?} is not simulated; ksim simulates aws-sqs-queue, cpu and memory"
                    ),
                ));
            }
        }
    }
    let hpa = Hpa {
        name: hpa_name.unwrap_or_else(|| format!("keda-hpa-{}", item.name)),
        min_replicas: min.max(1),
        max_replicas: max.max(1),
        metrics,
        behavior: hpa_behavior,
    };
    let keda = Keda {
        name: item.name.clone(),
        polling_ms: polling_s as u64 * 1000,
        cooldown_ms: cooldown_s as u64 * 1000,
        initial_cooldown_ms: initial_cooldown_s as u64 * 1000,
        min_replicas: min,
        max_replicas: max,
        idle_replicas: idle,
        triggers,
    };
    Ok((idx, keda, hpa))
}
