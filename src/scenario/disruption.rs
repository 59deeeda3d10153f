//! Disruption inputs of the Scenario: spot interruption traces (`spec.spotInterruptions`), drift
//! events (`spec.drift`), the Karpenter version, and the descheduler (`DeschedulerPolicy`
//! documents, `spec.descheduler`).

use super::raw;
use super::validate::{Ctx, label_selector, parse_ms};
use super::{
    Descheduler, DriftEvent, InterruptionAmount, NodePool, SpotInterruptionEvent, Workload,
};
use crate::cloud::catalog::Catalog;
use crate::engine::Millis;
use crate::error::InputError;
use crate::k8s::labels::LabelSelector;
use serde_saphyr::Spanned;

/// Default time between descheduler runs: the descheduler Helm chart deploys a CronJob with
/// schedule `*/2 * * * *` (kubernetes-sigs/descheduler `charts/descheduler/values.yaml`).
pub const DEFAULT_DESCHEDULER_INTERVAL_MS: Millis = 120_000;

/// Parses `spec.karpenter.version`: `v1.N` or `1.N` (a patch number is accepted), N in 0 … 14.
pub(super) fn karpenter_version(ctx: &Ctx, v: &Spanned<String>) -> Result<u32, InputError> {
    let field = "spec.karpenter.version";
    let text = v.value.strip_prefix('v').unwrap_or(&v.value);
    let mut parts = text.split('.');
    let minor = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("1"), Some(m), patch, None)
            if patch.is_none_or(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) =>
        {
            m.parse::<u32>().ok()
        }
        _ => None,
    };
    match minor {
        Some(m) if m <= super::LATEST_KARPENTER_MINOR => Ok(m),
        _ => Err(ctx.err_at(
            v,
            field,
            format!(
                "must be a Karpenter v1 release from v1.0 to v1.{}, got {:?}",
                super::LATEST_KARPENTER_MINOR,
                v.value
            ),
        )),
    }
}

fn zone_list(
    ctx: &Ctx,
    field: &str,
    raw: &Option<Vec<Spanned<String>>>,
    zones: &[String],
) -> Result<Vec<usize>, InputError> {
    let mut out = Vec::new();
    for z in raw.iter().flatten() {
        let zi = zones.iter().position(|x| *x == z.value).ok_or_else(|| {
            ctx.err_at(
                z,
                field,
                format!(
                    "unknown zone {:?}; the scenario's zones are {}",
                    z.value,
                    zones.join(", ")
                ),
            )
        })?;
        out.push(zi);
    }
    Ok(out)
}

/// Parses `spec.spotInterruptions`, sorted by time (stable).
pub(super) fn spot_interruptions(
    ctx: &Ctx,
    raw: &[raw::SpotInterruption],
    catalog: &Catalog,
    zones: &[String],
) -> Result<Vec<SpotInterruptionEvent>, InputError> {
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let f = |x: &str| format!("spec.spotInterruptions[{i}].{x}");
        let at_ms = parse_ms(ctx, &f("at"), &r.at)?;
        let mut types = Vec::new();
        for t in r.instance_types.iter().flatten() {
            types.push(catalog.index_of(&t.value).ok_or_else(|| {
                ctx.err_at(
                    t,
                    &f("instanceTypes"),
                    format!("unknown instance type {:?}", t.value),
                )
            })?);
        }
        let zs = zone_list(ctx, &f("zones"), &r.zones, zones)?;
        let amount = match (&r.count, &r.fraction) {
            (Some(c), None) if c.value >= 1 && c.value <= i64::from(u32::MAX) => {
                InterruptionAmount::Count(c.value as u32)
            }
            (Some(c), None) => {
                return Err(ctx.err_at(c, &f("count"), "must be at least 1"));
            }
            (None, Some(x)) if x.value > 0.0 && x.value <= 1.0 => {
                InterruptionAmount::Fraction(x.value)
            }
            (None, Some(x)) => {
                return Err(ctx.err_at(x, &f("fraction"), "must be above 0 and at most 1"));
            }
            (Some(c), Some(_)) => {
                return Err(ctx.err_at(c, &f("count"), "give count or fraction, not both"));
            }
            (None, None) => {
                return Err(ctx.err_at(
                    &r.at,
                    &format!("spec.spotInterruptions[{i}]"),
                    "give count or fraction",
                ));
            }
        };
        out.push(SpotInterruptionEvent {
            at_ms,
            types,
            zones: zs,
            amount,
        });
    }
    out.sort_by_key(|e| e.at_ms);
    Ok(out)
}

/// Parses `spec.drift`, sorted by time (stable).
pub(super) fn drift(
    ctx: &Ctx,
    raw: &[raw::Drift],
    pools: &[NodePool],
) -> Result<Vec<DriftEvent>, InputError> {
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let f = |x: &str| format!("spec.drift[{i}].{x}");
        let at_ms = parse_ms(ctx, &f("at"), &r.at)?;
        let mut idx = Vec::new();
        for p in r.node_pools.iter().flatten() {
            idx.push(
                pools
                    .iter()
                    .position(|x| x.name == p.value)
                    .ok_or_else(|| {
                        ctx.err_at(
                            p,
                            &f("nodePools"),
                            format!("no NodePool named {:?}", p.value),
                        )
                    })?,
            );
        }
        out.push(DriftEvent { at_ms, pools: idx });
    }
    out.sort_by_key(|e| e.at_ms);
    Ok(out)
}

/// The `PodLifeTime` settings of one policy, before they are matched to workloads.
struct PodLifeTime {
    max_s: u64,
    include: Vec<String>,
    exclude: Vec<String>,
    selector: Option<LabelSelector>,
}

fn max_lifetime(ctx: &Ctx, field: &str, v: &Option<Spanned<i64>>) -> Result<u64, InputError> {
    match v {
        Some(m) if m.value >= 0 => Ok(m.value as u64),
        Some(m) => Err(ctx.err_at(m, field, "must not be negative")),
        None => Err(ctx.err(
            field,
            "required: ksim simulates PodLifeTime by pod age only (states and conditions are not simulated)",
        )),
    }
}

fn refuse_states(
    ctx: &Ctx,
    field: &str,
    v: &Option<Spanned<Vec<String>>>,
) -> Result<(), InputError> {
    match v {
        Some(s) if !s.value.is_empty() => {
            Err(ctx.err_at(s, field, "pod states are not simulated; remove the field"))
        }
        _ => Ok(()),
    }
}

fn namespaces(
    ctx: &Ctx,
    field: &str,
    n: &Option<raw::NamespaceFilter>,
) -> Result<(Vec<String>, Vec<String>), InputError> {
    let Some(n) = n else {
        return Ok((Vec::new(), Vec::new()));
    };
    let include = n.include.clone().unwrap_or_default();
    let exclude = n.exclude.clone().unwrap_or_default();
    if !include.is_empty() && !exclude.is_empty() {
        // `validatePodLifeTimeParams` / `ValidateCommonArgs`: only one of include and exclude.
        return Err(ctx.err(field, "only one of include and exclude can be set"));
    }
    Ok((include, exclude))
}

fn pod_life_time(ctx: &Ctx, p: &raw::DeschedulerPolicy) -> Result<Option<PodLifeTime>, InputError> {
    if let Some(st) = &p.strategies {
        if p.api_version != "descheduler/v1alpha1" {
            return Err(ctx.err(
                "strategies",
                "strategies is a descheduler/v1alpha1 field; v1alpha2 uses profiles",
            ));
        }
        let Some(s) = st
            .PodLifeTime
            .as_ref()
            .filter(|s| s.enabled.unwrap_or(false))
        else {
            return Ok(None);
        };
        let f = "strategies.PodLifeTime.params";
        let Some(params) = &s.params else {
            return Err(ctx.err(
                f,
                "required: PodLifeTime needs params.podLifeTime.maxPodLifeTimeSeconds",
            ));
        };
        let plt = params.pod_life_time.as_ref();
        let max_s = max_lifetime(
            ctx,
            &format!("{f}.podLifeTime.maxPodLifeTimeSeconds"),
            &plt.and_then(|x| x.max_pod_life_time_seconds.clone()),
        )?;
        if let Some(x) = plt {
            refuse_states(ctx, &format!("{f}.podLifeTime.states"), &x.states)?;
            refuse_states(
                ctx,
                &format!("{f}.podLifeTime.podStatusPhases"),
                &x.pod_status_phases,
            )?;
        }
        let (include, exclude) = namespaces(ctx, &format!("{f}.namespaces"), &params.namespaces)?;
        let selector = params
            .label_selector
            .as_ref()
            .map(|l| label_selector(ctx, &format!("{f}.labelSelector"), l))
            .transpose()?;
        return Ok(Some(PodLifeTime {
            max_s,
            include,
            exclude,
            selector,
        }));
    }
    if p.api_version != "descheduler/v1alpha2" {
        return Err(ctx.err(
            "profiles",
            "profiles is a descheduler/v1alpha2 field; v1alpha1 uses strategies",
        ));
    }
    let mut found = None;
    for (i, prof) in p.profiles.iter().flatten().enumerate() {
        let enabled = prof
            .plugins
            .as_ref()
            .and_then(|pl| pl.deschedule.as_ref())
            .and_then(|d| d.enabled.as_ref())
            .is_some_and(|e| e.iter().any(|n| n.value == "PodLifeTime"));
        if !enabled {
            continue;
        }
        let Some((j, cfg)) = prof
            .plugin_config
            .iter()
            .flatten()
            .enumerate()
            .find(|(_, c)| c.name.value == "PodLifeTime")
        else {
            return Err(ctx.err(
                &format!("profiles[{i}].pluginConfig"),
                "PodLifeTime is enabled but has no pluginConfig entry with its args",
            ));
        };
        let f = format!("profiles[{i}].pluginConfig[{j}].args");
        let Some(args) = &cfg.args else {
            return Err(ctx.err(&f, "required: PodLifeTime needs maxPodLifeTimeSeconds"));
        };
        let max_s = max_lifetime(
            ctx,
            &format!("{f}.maxPodLifeTimeSeconds"),
            &args.max_pod_life_time_seconds,
        )?;
        refuse_states(ctx, &format!("{f}.states"), &args.states)?;
        let (include, exclude) = namespaces(ctx, &format!("{f}.namespaces"), &args.namespaces)?;
        let selector = args
            .label_selector
            .as_ref()
            .map(|l| label_selector(ctx, &format!("{f}.labelSelector"), l))
            .transpose()?;
        if found.is_some() {
            return Err(ctx.err(
                &format!("profiles[{i}]"),
                "ksim simulates one PodLifeTime profile",
            ));
        }
        found = Some(PodLifeTime {
            max_s,
            include,
            exclude,
            selector,
        });
    }
    Ok(found)
}

/// Builds the descheduler from the `DeschedulerPolicy` documents (at most one) and
/// `spec.descheduler`.
pub(super) fn descheduler(
    policies: &[(Ctx, raw::DeschedulerPolicy)],
    settings: Option<(&Ctx, &raw::DeschedulerSettings)>,
    workloads: &[Workload],
    warnings: &mut Vec<String>,
) -> Result<Option<Descheduler>, InputError> {
    if policies.len() > 1 {
        let (ctx, _) = &policies[1];
        return Err(ctx.err(
            "",
            format!(
                "only one DeschedulerPolicy is allowed; the first is at {}:{}",
                policies[0].0.file,
                policies[0].0.line_offset + 1
            ),
        ));
    }
    let interval_ms = match settings.and_then(|(c, s)| s.interval.as_ref().map(|i| (c, i))) {
        None => DEFAULT_DESCHEDULER_INTERVAL_MS,
        Some((ctx, i)) => {
            let ms = parse_ms(ctx, "spec.descheduler.interval", i)?;
            if ms < 1_000 {
                return Err(ctx.err_at(i, "spec.descheduler.interval", "must be at least 1s"));
            }
            ms
        }
    };
    let Some((ctx, p)) = policies.first() else {
        if let Some((ctx, d)) = settings {
            let msg = "is set but there is no DeschedulerPolicy document";
            return Err(match &d.interval {
                Some(i) => ctx.err_at(i, "spec.descheduler.interval", msg),
                None => ctx.err("spec.descheduler", msg),
            });
        }
        return Ok(None);
    };
    if let Some(st) = &p.strategies {
        let others = [
            ("RemoveDuplicates", &st.RemoveDuplicates),
            ("LowNodeUtilization", &st.LowNodeUtilization),
            ("HighNodeUtilization", &st.HighNodeUtilization),
            (
                "RemovePodsViolatingInterPodAntiAffinity",
                &st.RemovePodsViolatingInterPodAntiAffinity,
            ),
            (
                "RemovePodsViolatingNodeAffinity",
                &st.RemovePodsViolatingNodeAffinity,
            ),
            (
                "RemovePodsViolatingNodeTaints",
                &st.RemovePodsViolatingNodeTaints,
            ),
            (
                "RemovePodsViolatingTopologySpreadConstraint",
                &st.RemovePodsViolatingTopologySpreadConstraint,
            ),
            (
                "RemovePodsHavingTooManyRestarts",
                &st.RemovePodsHavingTooManyRestarts,
            ),
            ("RemoveFailedPods", &st.RemoveFailedPods),
        ];
        for (name, s) in others {
            if s.as_ref().is_some_and(|s| s.enabled.unwrap_or(false)) {
                warnings.push(format!(
                    "{}:{}: descheduler strategy {name} is not simulated and was skipped",
                    ctx.file,
                    ctx.line_offset + 1
                ));
            }
        }
    }
    let Some(plt) = pod_life_time(ctx, p)? else {
        warnings.push(format!(
            "{}:{}: the DeschedulerPolicy does not enable PodLifeTime; the descheduler does nothing",
            ctx.file,
            ctx.line_offset + 1
        ));
        return Ok(None);
    };
    let limit = |v: &Option<Spanned<i64>>, name: &str| -> Result<Option<u32>, InputError> {
        match v {
            None => Ok(None),
            Some(n) if n.value >= 0 && n.value <= i64::from(u32::MAX) => Ok(Some(n.value as u32)),
            Some(n) => Err(ctx.err_at(n, name, "must not be negative")),
        }
    };
    // The DefaultEvictor never evicts bare pods; ksim's pods all have an owner (a ReplicaSet
    // or a Job), so only the filters decide.
    let selects = workloads
        .iter()
        .map(|w| {
            (plt.include.is_empty() || plt.include.contains(&w.namespace))
                && !plt.exclude.contains(&w.namespace)
                && plt
                    .selector
                    .as_ref()
                    .is_none_or(|s| s.matches(&w.template.labels))
        })
        .collect();
    Ok(Some(Descheduler {
        interval_ms,
        max_pod_lifetime_s: plt.max_s,
        selects,
        max_per_node: limit(
            &p.max_no_of_pods_to_evict_per_node,
            "maxNoOfPodsToEvictPerNode",
        )?,
        max_total: limit(&p.max_no_of_pods_to_evict_total, "maxNoOfPodsToEvictTotal")?,
    }))
}
