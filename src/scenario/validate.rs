//! Raw manifests → validated model. Each rule names its upstream source.

use super::model::*;
use super::raw;
use super::{Document, Overrides, Source, parse_doc, split_documents};
use crate::cloud::capacity::CapacityModel;
use crate::cloud::catalog::{Catalog, EvictionValue, KubeletConfig, ReservedOverride};
use crate::cloud::pricing::{CapacityType, DEFAULT_SPOT_RATIO, EMBEDDED_REGION, PriceTable};
use crate::cloud::spot_advisor::default_frequencies;
use crate::engine::{HOUR, Millis, SECOND};
use crate::error::InputError;
use crate::k8s::cron::{Clock, Schedule};
use crate::k8s::duration::{parse_budget_duration, parse_karpenter_duration, parse_nonnegative_ms};
use crate::k8s::labels::{
    LabelSelector, Labels, Operator, Requirement, SelectorTerm, Taint, TaintEffect, Toleration,
    validate_label_key, validate_label_value,
};
use crate::k8s::quantity::Quantity;
use crate::latency::Dist;
use crate::resources::{MIB, Resources};
use serde_saphyr::Spanned;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Where an object came from, for error messages.
#[derive(Debug, Clone)]
pub(super) struct Ctx {
    pub(super) file: String,
    /// Lines before the document in its file.
    pub(super) line_offset: u64,
    pub(super) object: String,
    pub(super) base_dir: Option<PathBuf>,
}

impl Ctx {
    /// A path named in this document: a relative one is taken from the directory of the file
    /// holding the document (the working directory for stdin).
    pub(super) fn resolve(&self, path: &str) -> PathBuf {
        let path = PathBuf::from(path);
        match (&self.base_dir, path.is_absolute()) {
            (Some(base), false) => base.join(path),
            _ => path,
        }
    }

    pub(super) fn err(&self, field: &str, msg: impl Into<String>) -> InputError {
        InputError {
            file: self.file.clone(),
            line: self.line_offset + 1,
            column: 0,
            object: Some(self.object.clone()),
            field: (!field.is_empty()).then(|| field.to_string()),
            message: msg.into(),
        }
    }

    pub(super) fn err_at<T>(
        &self,
        at: &Spanned<T>,
        field: &str,
        msg: impl Into<String>,
    ) -> InputError {
        let mut e = self.err(field, msg);
        let line = at.referenced.line();
        if line > 0 {
            e.line = self.line_offset + line;
            e.column = at.referenced.column();
        }
        e
    }
}

pub(super) struct Item<T> {
    pub(super) ctx: Ctx,
    pub(super) name: String,
    pub(super) namespace: String,
    pub(super) raw: T,
}

#[derive(Default)]
struct Collected {
    deployments: Vec<Item<raw::Deployment>>,
    daemonsets: Vec<Item<raw::DaemonSet>>,
    hpas: Vec<Item<raw::Hpa>>,
    node_pools: Vec<Item<raw::NodePool>>,
    node_classes: Vec<Item<raw::Ec2NodeClass>>,
    pdbs: Vec<Item<raw::Pdb>>,
    scaled_objects: Vec<Item<raw::ScaledObject>>,
    cron_jobs: Vec<Item<raw::CronJob>>,
    scenarios: Vec<Item<raw::Scenario>>,
    descheduler_policies: Vec<(Ctx, raw::DeschedulerPolicy)>,
    warnings: Vec<String>,
    documents: usize,
}

/// The kinds ksim reads, with the apiVersion it supports.
const KINDS: &[(&str, &str)] = &[
    ("Deployment", "apps/v1"),
    ("DaemonSet", "apps/v1"),
    ("HorizontalPodAutoscaler", "autoscaling/v2"),
    ("NodePool", "karpenter.sh/v1"),
    ("EC2NodeClass", "karpenter.k8s.aws/v1"),
    ("PodDisruptionBudget", "policy/v1"),
    ("ScaledObject", "keda.sh/v1alpha1"),
    ("CronJob", "batch/v1"),
    ("Scenario", "ksim/v1alpha1"),
];

pub(super) fn load(sources: &[Source], overrides: &Overrides) -> Result<Scenario, InputError> {
    let mut c = Collected::default();
    for src in sources {
        for doc in split_documents(&src.name, &src.text)? {
            collect(&mut c, src, &doc)?;
        }
    }
    if c.documents == 0 {
        let name = sources
            .first()
            .map(|s| s.name.as_str())
            .unwrap_or("<input>");
        return Err(InputError::file(
            name,
            "no Kubernetes or ksim documents found in the input",
        ));
    }
    build(c, overrides)
}

fn collect(c: &mut Collected, src: &Source, doc: &Document<'_>) -> Result<(), InputError> {
    let header: raw::Header = parse_doc(doc, None)?;
    c.documents += 1;
    let at_doc = |msg: String| InputError {
        file: doc.file.to_string(),
        line: doc.first_line,
        column: 0,
        object: None,
        field: None,
        message: msg,
    };
    let kind = header
        .kind
        .ok_or_else(|| at_doc("the document has no `kind`".into()))?;
    let api = header
        .api_version
        .ok_or_else(|| at_doc(format!("the {kind} document has no `apiVersion`")))?;
    if kind == "DeschedulerPolicy" {
        if api != "descheduler/v1alpha1" && api != "descheduler/v1alpha2" {
            return Err(InputError {
                field: Some("apiVersion".into()),
                ..at_doc(format!(
                    "DeschedulerPolicy apiVersion {api:?} is not supported; ksim reads descheduler/v1alpha1 and descheduler/v1alpha2"
                ))
            });
        }
        let object = "DeschedulerPolicy".to_string();
        let raw = parse_doc(doc, Some(&object))?;
        let ctx = Ctx {
            file: doc.file.to_string(),
            line_offset: doc.first_line - 1,
            object,
            base_dir: src.base_dir.clone(),
        };
        c.descheduler_policies.push((ctx, raw));
        return Ok(());
    }
    let meta = header.metadata;
    let name = meta
        .as_ref()
        .and_then(|m| m.name.as_ref())
        .map(|n| n.0.clone());
    let namespace = meta
        .as_ref()
        .and_then(|m| m.namespace.as_ref())
        .map(|n| n.0.clone())
        .unwrap_or_else(|| "default".to_string());
    let Some((_, supported)) = KINDS.iter().find(|(k, _)| *k == kind) else {
        c.warnings.push(format!(
            "{}:{}: {api} {kind} {} is not simulated and was skipped",
            doc.file,
            doc.first_line,
            name.as_deref().unwrap_or("(unnamed)")
        ));
        return Ok(());
    };
    if api != *supported {
        return Err(InputError {
            field: Some("apiVersion".into()),
            ..at_doc(format!(
                "{kind} apiVersion {api:?} is not supported; ksim reads {supported}"
            ))
        });
    }
    let name = name.ok_or_else(|| InputError {
        field: Some("metadata.name".into()),
        ..at_doc(format!("the {kind} has no metadata.name"))
    })?;
    let object = if matches!(kind.as_str(), "NodePool" | "EC2NodeClass" | "Scenario") {
        format!("{kind} {name}")
    } else {
        format!("{kind} {namespace}/{name}")
    };
    let ctx = Ctx {
        file: doc.file.to_string(),
        line_offset: doc.first_line - 1,
        object: object.clone(),
        base_dir: src.base_dir.clone(),
    };
    macro_rules! push {
        ($list:expr) => {{
            let raw = parse_doc(doc, Some(&object))?;
            $list.push(Item {
                ctx,
                name,
                namespace,
                raw,
            });
        }};
    }
    match kind.as_str() {
        "Deployment" => push!(c.deployments),
        "DaemonSet" => push!(c.daemonsets),
        "HorizontalPodAutoscaler" => push!(c.hpas),
        "NodePool" => push!(c.node_pools),
        "EC2NodeClass" => push!(c.node_classes),
        "PodDisruptionBudget" => push!(c.pdbs),
        "ScaledObject" => push!(c.scaled_objects),
        "CronJob" => push!(c.cron_jobs),
        "Scenario" => push!(c.scenarios),
        _ => unreachable!("kind listed in KINDS"),
    }
    Ok(())
}

fn check_unique<T>(items: &[Item<T>], kind: &str) -> Result<(), InputError> {
    let mut seen: BTreeMap<(&str, &str), &Ctx> = BTreeMap::new();
    for it in items {
        if let Some(first) = seen.insert((&it.namespace, &it.name), &it.ctx) {
            return Err(it.ctx.err(
                "metadata.name",
                format!(
                    "duplicate {kind}: {} is also defined at {}:{}",
                    it.name,
                    first.file,
                    first.line_offset + 1
                ),
            ));
        }
    }
    Ok(())
}

pub(super) fn scalar_map(m: &Option<BTreeMap<String, raw::Scalar>>) -> Labels {
    m.as_ref()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.0.clone())).collect())
        .unwrap_or_default()
}

pub(super) fn check_labels(ctx: &Ctx, field: &str, labels: &Labels) -> Result<(), InputError> {
    for (k, v) in labels {
        validate_label_key(k).map_err(|e| ctx.err(field, e))?;
        validate_label_value(v).map_err(|e| ctx.err(field, e))?;
    }
    Ok(())
}

/// Known zones per region (AWS: ap-northeast-1b is closed to new accounts).
fn default_zones(region: &str) -> Option<Vec<String>> {
    let letters: &[&str] = match region {
        "us-east-1" => &["a", "b", "c", "d", "e", "f"],
        "us-east-2" | "us-west-2" | "eu-west-1" | "eu-central-1" | "ap-southeast-1"
        | "ap-southeast-2" => &["a", "b", "c"],
        "ap-northeast-1" => &["a", "c", "d"],
        _ => return None,
    };
    Some(letters.iter().map(|l| format!("{region}{l}")).collect())
}

fn build(c: Collected, ov: &Overrides) -> Result<Scenario, InputError> {
    check_unique(&c.deployments, "Deployment")?;
    check_unique(&c.daemonsets, "DaemonSet")?;
    check_unique(&c.hpas, "HorizontalPodAutoscaler")?;
    check_unique(&c.node_pools, "NodePool")?;
    check_unique(&c.node_classes, "EC2NodeClass")?;
    check_unique(&c.pdbs, "PodDisruptionBudget")?;
    check_unique(&c.scaled_objects, "ScaledObject")?;
    check_unique(&c.cron_jobs, "CronJob")?;
    if c.scenarios.len() > 1 {
        let second = &c.scenarios[1];
        return Err(second.ctx.err(
            "",
            format!(
                "only one ksim Scenario document is allowed; the first is at {}:{}",
                c.scenarios[0].ctx.file,
                c.scenarios[0].ctx.line_offset + 1
            ),
        ));
    }
    let mut warnings = c.warnings.clone();
    let catalog = Catalog::embedded();
    let spec = ScenarioSettings::from(c.scenarios.first(), ov, &mut warnings)?;

    let node_classes = c
        .node_classes
        .iter()
        .map(node_class)
        .collect::<Result<Vec<_>, _>>()?;
    let mut node_pools = Vec::new();
    for np in &c.node_pools {
        node_pools.push(node_pool(
            np,
            &node_classes,
            &catalog,
            &spec.zones,
            &mut warnings,
        )?);
    }
    let node_groups = spec.node_groups(&catalog)?;
    let pdbs = c.pdbs.iter().map(pdb).collect::<Result<Vec<_>, _>>()?;
    let mut ds_warnings = Vec::new();
    let daemonsets = c
        .daemonsets
        .iter()
        .map(|d| {
            let t = pod_template(
                &d.ctx,
                "spec.template",
                &d.raw.spec.template,
                &mut ds_warnings,
            )?;
            check_selector(&d.ctx, &d.raw.spec.selector, &t.labels)?;
            Ok(DaemonSet {
                name: d.name.clone(),
                namespace: d.namespace.clone(),
                template: t,
            })
        })
        .collect::<Result<Vec<_>, InputError>>()?;
    warnings.extend(ds_warnings);

    let mut workloads = Vec::new();
    for d in &c.deployments {
        let template = pod_template(&d.ctx, "spec.template", &d.raw.spec.template, &mut warnings)?;
        check_selector(&d.ctx, &d.raw.spec.selector, &template.labels)?;
        let replicas = match &d.raw.spec.replicas {
            None => 1,
            Some(r) if r.value < 0 => {
                return Err(d
                    .ctx
                    .err_at(r, "spec.replicas", "must be greater than or equal to 0"));
            }
            Some(r) => r.value,
        };
        let pdb = pdbs
            .iter()
            .position(|p| p.namespace == d.namespace && p.selector.matches(&template.labels));
        workloads.push(Workload {
            name: d.name.clone(),
            namespace: d.namespace.clone(),
            kind: WorkloadKind::Deployment,
            replicas,
            template,
            hpa: None,
            keda: None,
            demand: None,
            memory: None,
            metrics: Vec::new(),
            pdb,
            replica_schedule: Vec::new(),
        });
    }
    for cj in &c.cron_jobs {
        if workloads
            .iter()
            .any(|w| w.name == cj.name && w.namespace == cj.namespace)
        {
            return Err(cj.ctx.err(
                "metadata.name",
                format!(
                    "a Deployment {}/{} exists too; ksim names pods by their workload, so names must be unique",
                    cj.namespace, cj.name
                ),
            ));
        }
        let mut w = super::cronjob::cron_job(cj, &mut warnings)?;
        w.pdb = pdbs
            .iter()
            .position(|p| p.namespace == w.namespace && p.selector.matches(&w.template.labels));
        workloads.push(w);
    }
    spec.attach_workload_settings(&mut workloads, &mut warnings)?;
    let (mut queues, _) = match &spec.raw {
        Some((ctx, raw)) => {
            super::keda::queues(ctx, raw.queues.as_deref().unwrap_or(&[]), &workloads)?
        }
        None => (Vec::new(), Vec::new()),
    };
    for h in &c.hpas {
        let (idx, hpa) = hpa(h, &workloads, &queues)?;
        if workloads[idx].hpa.is_some() {
            return Err(h.ctx.err_at(
                &h.raw.spec.scale_target_ref.name,
                "spec.scaleTargetRef.name",
                format!(
                    "Deployment {} is already the target of another HorizontalPodAutoscaler",
                    workloads[idx].name
                ),
            ));
        }
        if !workloads[idx].replica_schedule.is_empty() {
            return Err(h.ctx.err_at(
                &h.raw.spec.scale_target_ref.name,
                "spec.scaleTargetRef.name",
                format!(
                    "Deployment {} has scripted replicas in the Scenario's spec.workloads; it cannot also have an HPA",
                    workloads[idx].name
                ),
            ));
        }
        workloads[idx].hpa = Some(hpa);
    }
    for so in &c.scaled_objects {
        let (idx, keda, hpa) =
            super::keda::scaled_object(so, &workloads, &mut queues, &mut warnings)?;
        if let Some(other) = &workloads[idx].hpa {
            return Err(so.ctx.err_at(
                &so.raw.spec.scale_target_ref.name,
                "spec.scaleTargetRef.name",
                format!(
                    "Deployment {} is already scaled by HorizontalPodAutoscaler {}",
                    workloads[idx].name, other.name
                ),
            ));
        }
        if !workloads[idx].replica_schedule.is_empty() {
            return Err(so.ctx.err_at(
                &so.raw.spec.scale_target_ref.name,
                "spec.scaleTargetRef.name",
                format!(
                    "Deployment {} has scripted replicas in the Scenario's spec.workloads; it cannot also have a ScaledObject",
                    workloads[idx].name
                ),
            ));
        }
        check_metric_requests(&so.ctx, &hpa.metrics, &workloads[idx])?;
        workloads[idx].hpa = Some(hpa);
        workloads[idx].keda = Some(keda);
    }
    super::keda::finish_queues(spec.raw.map(|r| r.0), &mut queues, &workloads)?;
    for w in &workloads {
        if w.hpa.is_some()
            && w.demand.is_none()
            && !queues.iter().any(|q| {
                q.consumer
                    == workloads
                        .iter()
                        .position(|x| std::ptr::eq(x, w))
                        .unwrap_or(usize::MAX)
            })
        {
            warnings.push(format!(
                "Deployment {}/{} has an HPA but no demand in the Scenario: it sees no load and the HPA scales it down to minReplicas",
                w.namespace, w.name
            ));
        }
    }

    let prices = spec.prices()?;
    check_prices(
        &prices,
        &catalog,
        &spec.zones,
        &node_pools,
        &node_groups,
        &c,
    )?;
    let prices_are_proxy = prices.source.region != spec.region;
    if prices_are_proxy {
        warnings.push(format!(
            "no price table for {} was given: using {} as a proxy; pass --prices or spec.prices.file for real {} prices",
            spec.region, prices.source.description, spec.region
        ));
    }

    let capacity = match &spec.raw {
        Some((ctx, raw)) => super::capacity::capacity(
            ctx,
            raw,
            &spec.region,
            &catalog,
            &spec.zones,
            &node_pools,
            &mut warnings,
        )?,
        None => CapacityModel {
            default_interruption_frequency: default_frequencies(&spec.region, &catalog)
                .unwrap_or_default(),
            ..Default::default()
        },
    };
    let (spot_interruptions, drift_events) = match &spec.raw {
        Some((ctx, raw)) => (
            super::disruption::spot_interruptions(
                ctx,
                raw.spot_interruptions.as_deref().unwrap_or(&[]),
                &catalog,
                &spec.zones,
            )?,
            super::disruption::drift(ctx, raw.drift.as_deref().unwrap_or(&[]), &node_pools)?,
        ),
        None => Default::default(),
    };
    let descheduler = super::disruption::descheduler(
        &c.descheduler_policies,
        spec.raw
            .as_ref()
            .and_then(|(ctx, raw)| raw.descheduler.as_ref().map(|d| (*ctx, d))),
        &workloads,
        &mut warnings,
    )?;
    let anti_affinity = resolve_anti_affinity(&workloads);
    let spot_prices = spec.spot_prices(&catalog)?;
    let scenario = Scenario {
        spot_prices,
        capacity,
        anti_affinity,
        name: spec.name,
        duration_ms: spec.duration_ms,
        seed: spec.seed,
        clock: spec.clock,
        region: spec.region,
        zones: spec.zones,
        catalog,
        prices,
        prices_are_proxy,
        node_classes,
        node_pools,
        node_groups,
        workloads,
        queues,
        daemonsets,
        pdbs,
        latency: spec.latency,
        karpenter: spec.karpenter,
        initial_state: spec.initial_state,
        spot_interruptions,
        drift_events,
        descheduler,
        warnings,
    };
    check_every_pod_fits(&scenario, &c.deployments)?;
    Ok(scenario)
}

/// Resolves every workload's hostname anti-affinity terms to the workloads they select
/// (kube-scheduler `plugins/interpodaffinity`: a term with no namespaces means the pod's own
/// namespace; a missing selector selects nothing).
fn resolve_anti_affinity(workloads: &[Workload]) -> Vec<AntiAffinity> {
    let mut out = vec![AntiAffinity::default(); workloads.len()];
    for (w, wl) in workloads.iter().enumerate() {
        for term in &wl.template.anti_affinity {
            for (o, other) in workloads.iter().enumerate() {
                let ns_ok = if term.namespaces.is_empty() {
                    other.namespace == wl.namespace
                } else {
                    term.namespaces.contains(&other.namespace)
                };
                if !ns_ok
                    || !term
                        .selector
                        .as_ref()
                        .is_some_and(|s| s.matches(&other.template.labels))
                {
                    continue;
                }
                match term.weight {
                    None => {
                        out[w].required.push(o);
                        out[o].required.push(w);
                    }
                    Some(weight) => {
                        out[w].preferred_own.push(o);
                        // Both directions count, so a term selecting its own workload counts
                        // twice, as upstream scores the incoming pod's terms and the existing
                        // pods' terms.
                        out[w].preferred_weights.push((o, weight));
                        out[o].preferred_weights.push((w, weight));
                    }
                }
            }
        }
    }
    for a in &mut out {
        a.required.sort_unstable();
        a.required.dedup();
        a.preferred_own.sort_unstable();
        a.preferred_own.dedup();
        let mut merged: BTreeMap<usize, i64> = BTreeMap::new();
        for &(o, wt) in &a.preferred_weights {
            *merged.entry(o).or_default() += wt;
        }
        a.preferred_weights = merged.into_iter().collect();
    }
    out
}

/// Settings from the ksim Scenario document, with defaults and CLI overrides applied.
struct ScenarioSettings<'a> {
    name: String,
    duration_ms: Millis,
    seed: u64,
    clock: Clock,
    region: String,
    zones: Vec<String>,
    latency: Latencies,
    karpenter: KarpenterConfig,
    initial_state: InitialState,
    raw: Option<(&'a Ctx, &'a raw::ScenarioSpec)>,
    prices_override: Option<PathBuf>,
}

/// Longest simulated duration accepted (one year).
const MAX_DURATION_MS: Millis = 366 * 24 * HOUR;

impl<'a> ScenarioSettings<'a> {
    fn from(
        item: Option<&'a Item<raw::Scenario>>,
        ov: &Overrides,
        warnings: &mut Vec<String>,
    ) -> Result<ScenarioSettings<'a>, InputError> {
        let Some(item) = item else {
            warnings.push(
                "no ksim Scenario document: using defaults (24h, seed 1, us-east-1, no managed node groups, no demand curves)".into(),
            );
            let region = EMBEDDED_REGION.to_string();
            return Ok(ScenarioSettings {
                name: "unnamed".into(),
                duration_ms: ov.duration_ms.unwrap_or(24 * HOUR),
                seed: ov.seed.unwrap_or(1),
                clock: Clock::parse_start("2026-01-05T00:00:00Z").expect("valid"),
                zones: default_zones(&region).expect("known region"),
                region,
                latency: Latencies {
                    node_launch: Dist::default_node_launch(),
                    pod_startup: Dist::default_pod_startup(),
                    pod_shutdown: Dist::default_pod_shutdown(),
                    startup_taint_removal: Dist::Constant(0),
                },
                karpenter: KarpenterConfig::default(),
                initial_state: InitialState::Warm,
                raw: None,
                prices_override: ov.prices_file.clone(),
            });
        };
        let ctx = &item.ctx;
        let s = &item.raw.spec;
        let duration_ms = match &s.duration {
            None => 24 * HOUR,
            Some(d) => parse_nonnegative_ms(&d.value)
                .map_err(|e| ctx.err_at(d, "spec.duration", e.to_string()))?,
        };
        let duration_ms = ov.duration_ms.unwrap_or(duration_ms);
        if !(SECOND..=MAX_DURATION_MS).contains(&duration_ms) {
            let msg = format!(
                "duration must be between 1s and 8784h (366 days), got {} ms",
                duration_ms
            );
            return Err(match &s.duration {
                Some(d) if ov.duration_ms.is_none() => ctx.err_at(d, "spec.duration", msg),
                _ => InputError::file("--duration", msg),
            });
        }
        let clock = match &s.start_time {
            None => Clock::parse_start("2026-01-05T00:00:00Z").expect("valid"),
            Some(t) => {
                Clock::parse_start(&t.value).map_err(|e| ctx.err_at(t, "spec.startTime", e))?
            }
        };
        let region = s
            .region
            .as_ref()
            .map(|r| r.value.clone())
            .unwrap_or_else(|| EMBEDDED_REGION.to_string());
        let zones = match &s.zones {
            Some(z) => {
                if z.is_empty() {
                    return Err(ctx.err("spec.zones", "must list at least one zone"));
                }
                let mut seen = BTreeSet::new();
                for zone in z {
                    if !zone.value.starts_with(&region) {
                        return Err(ctx.err_at(
                            zone,
                            "spec.zones",
                            format!("zone {:?} is not in region {region}", zone.value),
                        ));
                    }
                    if !seen.insert(zone.value.clone()) {
                        return Err(ctx.err_at(
                            zone,
                            "spec.zones",
                            format!("duplicate zone {:?}", zone.value),
                        ));
                    }
                }
                z.iter().map(|z| z.value.clone()).collect()
            }
            None => default_zones(&region).ok_or_else(|| match &s.region {
                Some(r) => ctx.err_at(
                    r,
                    "spec.region",
                    format!("unknown region {region:?}: list its availability zones in spec.zones"),
                ),
                None => ctx.err("spec.region", "unknown region"),
            })?,
        };
        let latency = match &s.latency {
            None => Latencies {
                node_launch: Dist::default_node_launch(),
                pod_startup: Dist::default_pod_startup(),
                pod_shutdown: Dist::default_pod_shutdown(),
                startup_taint_removal: Dist::Constant(0),
            },
            Some(l) => Latencies {
                node_launch: dist(
                    ctx,
                    "spec.latency.nodeLaunch",
                    &l.node_launch,
                    Dist::default_node_launch(),
                )?,
                pod_startup: dist(
                    ctx,
                    "spec.latency.podStartup",
                    &l.pod_startup,
                    Dist::default_pod_startup(),
                )?,
                pod_shutdown: dist(
                    ctx,
                    "spec.latency.podShutdown",
                    &l.pod_shutdown,
                    Dist::default_pod_shutdown(),
                )?,
                startup_taint_removal: dist(
                    ctx,
                    "spec.latency.startupTaintRemoval",
                    &l.startup_taint_removal,
                    Dist::Constant(0),
                )?,
            },
        };
        let mut karpenter = KarpenterConfig::default();
        if let Some(k) = &s.karpenter {
            if let Some(d) = &k.batch_idle_duration {
                karpenter.batch_idle_ms = parse_nonnegative_ms(&d.value).map_err(|e| {
                    ctx.err_at(d, "spec.karpenter.batchIdleDuration", e.to_string())
                })?;
            }
            if let Some(d) = &k.batch_max_duration {
                karpenter.batch_max_ms = parse_nonnegative_ms(&d.value)
                    .map_err(|e| ctx.err_at(d, "spec.karpenter.batchMaxDuration", e.to_string()))?;
            }
            if karpenter.batch_idle_ms == 0 || karpenter.batch_max_ms < karpenter.batch_idle_ms {
                return Err(ctx.err(
                    "spec.karpenter",
                    "batchIdleDuration must be positive and not longer than batchMaxDuration",
                ));
            }
            karpenter.spot_to_spot = k.spot_to_spot_consolidation.unwrap_or(false);
            if let Some(p) = &k.launch_error_probability {
                if !(0.0..1.0).contains(&p.value) {
                    return Err(ctx.err_at(
                        p,
                        "spec.karpenter.launchErrorProbability",
                        "must be at least 0 and below 1",
                    ));
                }
                karpenter.launch_error_probability = p.value;
            }
            if let Some(v) = &k.version {
                karpenter.version_minor = super::disruption::karpenter_version(ctx, v)?;
            }
            karpenter.min_values_strict = match k.min_values_policy.as_ref() {
                None => true,
                Some(v) if v.value == "Strict" => true,
                Some(v) if v.value == "BestEffort" => false,
                Some(v) => {
                    return Err(ctx.err_at(
                        v,
                        "spec.karpenter.minValuesPolicy",
                        format!("must be Strict or BestEffort, got {:?}", v.value),
                    ));
                }
            };
        }
        let initial_state = match &s.initial_state {
            None => InitialState::Warm,
            Some(v) if v.value == "warm" => InitialState::Warm,
            Some(v) if v.value == "cold" => InitialState::Cold,
            Some(v) => {
                return Err(ctx.err_at(
                    v,
                    "spec.initialState",
                    format!("must be warm or cold, got {:?}", v.value),
                ));
            }
        };
        Ok(ScenarioSettings {
            name: item.name.clone(),
            duration_ms,
            seed: ov.seed.or(s.seed).unwrap_or(1),
            clock,
            region,
            zones,
            latency,
            karpenter,
            initial_state,
            raw: Some((ctx, s)),
            prices_override: ov.prices_file.clone(),
        })
    }

    fn prices(&self) -> Result<PriceTable, InputError> {
        let (ratio, file) = match &self.raw {
            Some((ctx, s)) => {
                let ratio = match s
                    .prices
                    .as_ref()
                    .and_then(|p| p.spot_to_on_demand_ratio.as_ref())
                {
                    None => DEFAULT_SPOT_RATIO,
                    Some(r) if r.value > 0.0 && r.value <= 1.0 => r.value,
                    Some(r) => {
                        return Err(ctx.err_at(
                            r,
                            "spec.prices.spotToOnDemandRatio",
                            "must be in (0, 1]",
                        ));
                    }
                };
                let file = s
                    .prices
                    .as_ref()
                    .and_then(|p| p.file.as_ref())
                    .map(|f| ctx.resolve(&f.value));
                (ratio, file)
            }
            None => (DEFAULT_SPOT_RATIO, None),
        };
        let file = self.prices_override.clone().or(file);
        let mut table = PriceTable::embedded(ratio);
        if let Some(path) = file {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| InputError::file(&name, format!("cannot read price table: {e}")))?;
            let mut user = PriceTable::parse(&name, &text, ratio)?;
            user.source.region = self.region.clone();
            table = user;
        }
        Ok(table)
    }

    /// The spot price trace named by `spec.prices.spotTrace`, resolved to the catalog and zones.
    fn spot_prices(&self, catalog: &Catalog) -> Result<Vec<SpotPriceChange>, InputError> {
        let Some((ctx, s)) = &self.raw else {
            return Ok(Vec::new());
        };
        let Some(f) = s.prices.as_ref().and_then(|p| p.spot_trace.as_ref()) else {
            return Ok(Vec::new());
        };
        let path = ctx.resolve(&f.value);
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).map_err(|e| {
            ctx.err_at(
                f,
                "spec.prices.spotTrace",
                format!("cannot read spot price trace {name}: {e}"),
            )
        })?;
        let mut out = Vec::new();
        for p in crate::cloud::pricing::parse_spot_trace(&name, &text)? {
            let at = |field: &str, message: String| InputError {
                file: name.clone(),
                line: p.line,
                column: 0,
                object: None,
                field: Some(field.to_string()),
                message,
            };
            let ti = catalog.index_of(&p.instance_type).ok_or_else(|| {
                at(
                    "instance_type",
                    format!("unknown instance type {:?}", p.instance_type),
                )
            })?;
            let zones = if p.zone == "*" {
                (0..self.zones.len()).collect()
            } else {
                vec![
                    self.zones
                        .iter()
                        .position(|z| *z == p.zone)
                        .ok_or_else(|| {
                            at(
                                "zone",
                                format!(
                                    "unknown zone {:?}; the scenario's zones are {}",
                                    p.zone,
                                    self.zones.join(", ")
                                ),
                            )
                        })?,
                ]
            };
            out.push(SpotPriceChange {
                at_ms: p.at_ms,
                instance_type: ti,
                zones,
                usd_per_hour: p.usd_per_hour,
            });
        }
        Ok(out)
    }

    fn node_groups(&self, catalog: &Catalog) -> Result<Vec<NodeGroup>, InputError> {
        let Some((ctx, s)) = &self.raw else {
            return Ok(vec![]);
        };
        let mut out: Vec<NodeGroup> = Vec::new();
        for (i, g) in s.node_groups.iter().flatten().enumerate() {
            let f = |x: &str| format!("spec.nodeGroups[{i}].{x}");
            if out.iter().any(|o| o.name == g.name.value) {
                return Err(ctx.err_at(
                    &g.name,
                    &f("name"),
                    format!("duplicate node group {:?}", g.name.value),
                ));
            }
            validate_label_value(&g.name.value).map_err(|e| ctx.err_at(&g.name, &f("name"), e))?;
            let it = catalog.index_of(&g.instance_type.value).ok_or_else(|| {
                ctx.err_at(
                    &g.instance_type,
                    &f("instanceType"),
                    format!(
                        "unknown instance type {:?}; known types: {}",
                        g.instance_type.value,
                        known_types(catalog)
                    ),
                )
            })?;
            if !(0..=10_000).contains(&g.size.value) {
                return Err(ctx.err_at(&g.size, &f("size"), "must be between 0 and 10000"));
            }
            let capacity_type = match g.capacity_type.as_ref().map(|c| c.value.as_str()) {
                None | Some("ON_DEMAND") => CapacityType::OnDemand,
                Some("SPOT") => CapacityType::Spot,
                Some(other) => {
                    return Err(ctx.err_at(
                        g.capacity_type.as_ref().expect("some"),
                        &f("capacityType"),
                        format!("must be ON_DEMAND or SPOT, got {other:?}"),
                    ));
                }
            };
            let labels = scalar_map(&g.labels);
            check_labels(ctx, &f("labels"), &labels)?;
            let taints = taints(ctx, &f("taints"), &g.taints)?;
            let mut kubelet = KubeletConfig::default();
            if let Some(mp) = &g.max_pods {
                if !(1..=10_000).contains(&mp.value) {
                    return Err(ctx.err_at(mp, &f("maxPods"), "must be between 1 and 10000"));
                }
                kubelet.max_pods = Some(mp.value);
            }
            out.push(NodeGroup {
                name: g.name.value.clone(),
                instance_type: it,
                size: g.size.value as u32,
                capacity_type,
                labels,
                taints,
                kubelet,
            });
        }
        Ok(out)
    }

    /// Attaches the Scenario's per-workload settings: demand, memory model, custom metrics,
    /// and CronJob run times.
    fn attach_workload_settings(
        &self,
        workloads: &mut [Workload],
        warnings: &mut Vec<String>,
    ) -> Result<(), InputError> {
        let mut job_duration_set = vec![false; workloads.len()];
        if let Some((ctx, s)) = &self.raw {
            let mut seen = vec![false; workloads.len()];
            for (i, w) in s.workloads.iter().flatten().enumerate() {
                let f = |x: &str| format!("spec.workloads[{i}].{x}");
                let ns = w.namespace.clone().unwrap_or_else(|| "default".into());
                let idx = workloads
                    .iter()
                    .position(|d| d.name == w.name.value && d.namespace == ns)
                    .ok_or_else(|| {
                        ctx.err_at(
                            &w.name,
                            &f("name"),
                            format!(
                                "no Deployment or CronJob {ns}/{} in the input",
                                w.name.value
                            ),
                        )
                    })?;
                if std::mem::replace(&mut seen[idx], true) {
                    return Err(ctx.err_at(
                        &w.name,
                        &f("name"),
                        format!("{ns}/{} is listed twice", w.name.value),
                    ));
                }
                let demand = match (&w.daily, &w.trace) {
                    (Some(d), None) => Some(daily(ctx, &f("daily"), d)?),
                    (None, Some(t)) => Some(trace(ctx, &f("trace"), t)?),
                    (None, None) => None,
                    _ => {
                        return Err(ctx.err_at(
                            &w.name,
                            &f("name"),
                            "give at most one of `daily` or `trace`",
                        ));
                    }
                };
                if let Some(demand) = &demand {
                    let unit = match demand {
                        Demand::Daily { unit, .. } | Demand::Trace { unit, .. } => *unit,
                    };
                    if unit == DemandUnit::Cores
                        && workloads[idx].template.metric_requests.cpu_m == 0
                    {
                        return Err(ctx.err_at(
                            &w.name,
                            &f("name"),
                            "demand in cores needs the pods to request CPU",
                        ));
                    }
                }
                workloads[idx].demand = demand;
                if let Some(m) = &w.memory {
                    let q = |v: &Spanned<Quantity>, name: &str| -> Result<i64, InputError> {
                        if v.value.is_negative() {
                            Err(ctx.err_at(
                                v,
                                &f(&format!("memory.{name}")),
                                "must not be negative",
                            ))
                        } else {
                            Ok(v.value.value())
                        }
                    };
                    workloads[idx].memory = Some(MemoryModel {
                        baseline_b: q(&m.baseline, "baseline")?,
                        per_core_b: m
                            .per_core
                            .as_ref()
                            .map(|v| q(v, "perCore"))
                            .transpose()?
                            .unwrap_or(0),
                        leak_per_hour_b: m
                            .leak_per_hour
                            .as_ref()
                            .map(|v| q(v, "leakPerHour"))
                            .transpose()?
                            .unwrap_or(0),
                    });
                }
                for (j, m) in w.metrics.iter().flatten().enumerate() {
                    let mf = f(&format!("metrics[{j}]"));
                    if m.name.value.is_empty() {
                        return Err(ctx.err_at(
                            &m.name,
                            &format!("{mf}.name"),
                            "must not be empty",
                        ));
                    }
                    if workloads[idx]
                        .metrics
                        .iter()
                        .any(|x| x.name == m.name.value)
                    {
                        return Err(ctx.err_at(
                            &m.name,
                            &format!("{mf}.name"),
                            format!("duplicate metric {:?}", m.name.value),
                        ));
                    }
                    let v = m.per_demand_unit.value;
                    if !(v.is_finite() && (0.0..=1e9).contains(&v)) {
                        return Err(ctx.err_at(
                            &m.per_demand_unit,
                            &format!("{mf}.perDemandUnit"),
                            "must be a number between 0 and 1e9",
                        ));
                    }
                    workloads[idx].metrics.push(CustomMetric {
                        name: m.name.value.clone(),
                        per_demand_unit: v,
                    });
                }
                if let Some(steps) = &w.replicas {
                    if workloads[idx].kind != WorkloadKind::Deployment {
                        return Err(ctx.err_at(
                            &w.name,
                            &f("replicas"),
                            "only Deployments take scripted replicas",
                        ));
                    }
                    let mut sched = Vec::new();
                    for (j, st) in steps.iter().enumerate() {
                        let at = parse_ms(ctx, &f(&format!("replicas[{j}].at")), &st.at)?;
                        if !(0..=1_000_000).contains(&st.replicas.value) {
                            return Err(ctx.err_at(
                                &st.replicas,
                                &f(&format!("replicas[{j}].replicas")),
                                "must be between 0 and 1000000",
                            ));
                        }
                        if sched.last().is_some_and(|(t, _)| *t >= at) {
                            return Err(ctx.err_at(
                                &st.at,
                                &f(&format!("replicas[{j}].at")),
                                "steps must be in increasing time order",
                            ));
                        }
                        sched.push((at, st.replicas.value));
                    }
                    workloads[idx].replica_schedule = sched;
                }
                if let Some(d) = &w.job_duration {
                    let WorkloadKind::CronJob(cj) = &mut workloads[idx].kind else {
                        return Err(ctx.err_at(
                            &w.name,
                            &f("jobDuration"),
                            "only CronJobs have a job duration",
                        ));
                    };
                    cj.duration =
                        dist(ctx, &f("jobDuration"), &Some(d.clone()), Dist::Constant(0))?;
                    job_duration_set[idx] = true;
                }
            }
        }
        for (i, w) in workloads.iter().enumerate() {
            if matches!(w.kind, WorkloadKind::CronJob(_)) && !job_duration_set[i] {
                warnings.push(format!(
                    "CronJob {}/{} has no jobDuration in the Scenario's spec.workloads: its pods run for {} s",
                    w.namespace,
                    w.name,
                    super::cronjob::DEFAULT_JOB_DURATION_MS / 1000
                ));
            }
        }
        Ok(())
    }
}

fn known_types(catalog: &Catalog) -> String {
    let names: Vec<&str> = catalog.names().collect();
    if names.len() > 12 {
        format!("{}, … ({} in all)", names[..12].join(", "), names.len())
    } else {
        names.join(", ")
    }
}

pub(super) fn parse_ms(ctx: &Ctx, field: &str, s: &Spanned<String>) -> Result<Millis, InputError> {
    parse_nonnegative_ms(&s.value).map_err(|e| ctx.err_at(s, field, e.to_string()))
}

pub(super) fn dist(
    ctx: &Ctx,
    field: &str,
    raw: &Option<raw::Distribution>,
    default: Dist,
) -> Result<Dist, InputError> {
    let Some(d) = raw else { return Ok(default) };
    let get = |v: &Option<Spanned<String>>, name: &str| -> Result<Option<Millis>, InputError> {
        v.as_ref()
            .map(|s| parse_ms(ctx, &format!("{field}.{name}"), s))
            .transpose()
    };
    let constant = get(&d.constant, "constant")?;
    let median = get(&d.median, "median")?;
    let p99 = get(&d.p99, "p99")?;
    let min = get(&d.min, "min")?;
    let max = get(&d.max, "max")?;
    if let (Some(lo), Some(hi)) = (min, max)
        && lo > hi
    {
        let at = d.max.as_ref().expect("max was given");
        return Err(ctx.err_at(at, &format!("{field}.max"), "min must not exceed max"));
    }
    match (constant, median, p99) {
        (Some(c), None, None) if min.is_none() && max.is_none() => Ok(Dist::Constant(c)),
        (None, Some(m), Some(p)) => {
            if p < m {
                let at = d.p99.as_ref().expect("p99 was given");
                return Err(ctx.err_at(
                    at,
                    &format!("{field}.p99"),
                    "p99 must be at least the median",
                ));
            }
            Ok(Dist::LogNormal {
                median: m,
                p99: p,
                min: min.unwrap_or(0),
                max: max.unwrap_or(Millis::MAX),
            })
        }
        (None, None, None) => match (min, max) {
            (Some(lo), Some(hi)) => Ok(Dist::Uniform { min: lo, max: hi }),
            _ => Err(ctx.err(field, "give `constant`, `median` and `p99`, or `min` and `max`")),
        },
        _ => Err(ctx.err(
            field,
            "give exactly one form: `constant`; `median` and `p99` (log-normal, optional `min`/`max` clamps); or `min` and `max` (uniform)",
        )),
    }
}

fn demand_unit(
    ctx: &Ctx,
    field: &str,
    u: &Option<Spanned<String>>,
) -> Result<DemandUnit, InputError> {
    match u {
        None => Ok(DemandUnit::Cores),
        Some(s) if s.value == "cores" => Ok(DemandUnit::Cores),
        Some(s) if s.value == "replicas" => Ok(DemandUnit::Replicas),
        Some(s) => Err(ctx.err_at(
            s,
            field,
            format!("must be cores or replicas, got {:?}", s.value),
        )),
    }
}

pub(super) fn daily(ctx: &Ctx, field: &str, d: &raw::DailyCurve) -> Result<Demand, InputError> {
    let f = |x: &str| format!("{field}.{x}");
    let nonneg = |v: &Spanned<f64>, name: &str| -> Result<f64, InputError> {
        if v.value.is_finite() && v.value >= 0.0 && v.value <= 1e7 {
            Ok(v.value)
        } else {
            Err(ctx.err_at(
                v,
                &f(name),
                format!("must be a number between 0 and 1e7, got {}", v.value),
            ))
        }
    };
    let trough = nonneg(&d.trough, "trough")?;
    let peak = nonneg(&d.peak, "peak")?;
    if peak < trough {
        return Err(ctx.err_at(
            &d.peak,
            &f("peak"),
            format!("peak ({peak}) must not be below trough ({trough})"),
        ));
    }
    let peak_hour = match &d.peak_hour {
        None => 20.0,
        Some(h) if h.value.is_finite() && (0.0..24.0).contains(&h.value) => h.value,
        Some(h) => return Err(ctx.err_at(h, &f("peakHour"), "must be in [0, 24)")),
    };
    let weekend_factor = match &d.weekend_factor {
        None => 1.0,
        Some(w) if w.value.is_finite() && (0.0..=10.0).contains(&w.value) => w.value,
        Some(w) => return Err(ctx.err_at(w, &f("weekendFactor"), "must be in [0, 10]")),
    };
    let noise = match &d.noise {
        None => 0.0,
        Some(n) if n.value.is_finite() && (0.0..=1.0).contains(&n.value) => n.value,
        Some(n) => return Err(ctx.err_at(n, &f("noise"), "must be in [0, 1]")),
    };
    Ok(Demand::Daily {
        trough,
        peak,
        peak_hour,
        weekend_factor,
        noise,
        unit: demand_unit(ctx, &f("unit"), &d.unit)?,
    })
}

pub(super) fn trace(ctx: &Ctx, field: &str, t: &raw::Trace) -> Result<Demand, InputError> {
    let unit = demand_unit(ctx, &format!("{field}.unit"), &t.unit)?;
    let path = ctx.resolve(&t.file.value);
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path).map_err(|e| {
        ctx.err_at(
            &t.file,
            &format!("{field}.file"),
            format!("cannot read trace {name}: {e}"),
        )
    })?;
    let points = crate::workload::parse_trace(&name, &text)?;
    Ok(Demand::Trace { points, unit })
}

fn node_class(nc: &Item<raw::Ec2NodeClass>) -> Result<NodeClass, InputError> {
    let ctx = &nc.ctx;
    let mut kubelet = KubeletConfig::default();
    if let Some(k) = &nc.raw.spec.kubelet {
        if let Some(mp) = &k.max_pods {
            if mp.value < 0 {
                return Err(ctx.err_at(mp, "spec.kubelet.maxPods", "must be at least 0"));
            }
            kubelet.max_pods = Some(mp.value);
        }
        if let Some(ppc) = &k.pods_per_core {
            if ppc.value < 0 {
                return Err(ctx.err_at(ppc, "spec.kubelet.podsPerCore", "must be at least 0"));
            }
            kubelet.pods_per_core = Some(ppc.value);
        }
        kubelet.kube_reserved = reserved(ctx, "spec.kubelet.kubeReserved", &k.kube_reserved)?;
        kubelet.system_reserved = reserved(ctx, "spec.kubelet.systemReserved", &k.system_reserved)?;
        if let Some(eh) = &k.eviction_hard {
            for (key, v) in eh {
                let field = format!("spec.kubelet.evictionHard.{key}");
                if !matches!(
                    key.as_str(),
                    "memory.available"
                        | "nodefs.available"
                        | "nodefs.inodesFree"
                        | "imagefs.available"
                        | "imagefs.inodesFree"
                        | "pid.available"
                ) {
                    return Err(ctx.err_at(v, &field, format!("unknown eviction signal {key:?}")));
                }
                let value = if let Some(p) = v.value.strip_suffix('%') {
                    let p: f64 = p
                        .parse()
                        .ok()
                        .filter(|p: &f64| (0.0..=100.0).contains(p))
                        .ok_or_else(|| {
                            ctx.err_at(v, &field, format!("invalid percentage {:?}", v.value))
                        })?;
                    EvictionValue::Percent(p)
                } else {
                    let q = Quantity::parse(&v.value).map_err(|e| {
                        ctx.err_at(v, &field, format!("invalid quantity {:?}: {e}", v.value))
                    })?;
                    EvictionValue::Bytes(q.value())
                };
                if key == "memory.available" {
                    kubelet.eviction_memory = Some(value);
                }
            }
        }
    }
    Ok(NodeClass {
        name: nc.name.clone(),
        kubelet,
    })
}

fn reserved(
    ctx: &Ctx,
    field: &str,
    m: &Option<BTreeMap<String, Spanned<Quantity>>>,
) -> Result<ReservedOverride, InputError> {
    let mut r = ReservedOverride::default();
    for (k, v) in m.iter().flatten() {
        let f = format!("{field}.{k}");
        if v.value.is_negative() {
            return Err(ctx.err_at(v, &f, "must not be negative"));
        }
        match k.as_str() {
            "cpu" => r.cpu_m = Some(v.value.milli_value()),
            "memory" => r.mem_b = Some(v.value.value()),
            "ephemeral-storage" | "pid" => {}
            other => {
                return Err(ctx.err_at(
                    v,
                    &f,
                    format!("unknown resource {other:?}; valid keys are cpu, memory, ephemeral-storage, pid"),
                ));
            }
        }
    }
    Ok(r)
}

fn taints(ctx: &Ctx, field: &str, raw: &Option<Vec<raw::Taint>>) -> Result<Vec<Taint>, InputError> {
    let mut out = Vec::new();
    for (i, t) in raw.iter().flatten().enumerate() {
        let f = format!("{field}[{i}]");
        validate_label_key(&t.key).map_err(|e| ctx.err(&format!("{f}.key"), e))?;
        let effect =
            TaintEffect::parse(&t.effect).map_err(|e| ctx.err(&format!("{f}.effect"), e))?;
        out.push(Taint {
            key: t.key.clone(),
            value: t.value.as_ref().map(|v| v.0.clone()).unwrap_or_default(),
            effect,
        });
    }
    Ok(out)
}

fn requirement(
    ctx: &Ctx,
    field: &str,
    r: &raw::LabelRequirement,
    karpenter: bool,
) -> Result<Requirement, InputError> {
    let op = Operator::parse(&r.operator.value, karpenter)
        .map_err(|e| ctx.err_at(&r.operator, &format!("{field}.operator"), e))?;
    let values: Vec<String> = r.values.iter().flatten().map(|v| v.0.clone()).collect();
    let min_values = match r.min_values {
        None => None,
        Some(v) if karpenter && (1..=50).contains(&v) => Some(v as u32),
        Some(v) if karpenter => {
            return Err(ctx.err_at(
                &r.operator,
                &format!("{field}.minValues"),
                format!("must be between 1 and 50, got {v}"),
            ));
        }
        Some(_) => {
            return Err(ctx.err_at(
                &r.operator,
                &format!("{field}.minValues"),
                "minValues is only valid in NodePool requirements",
            ));
        }
    };
    Requirement::new(&r.key, op, values, min_values).map_err(|e| ctx.err_at(&r.operator, field, e))
}

fn term(ctx: &Ctx, field: &str, t: &raw::NodeSelectorTerm) -> Result<SelectorTerm, InputError> {
    let mut reqs = Vec::new();
    for (i, r) in t.match_expressions.iter().flatten().enumerate() {
        reqs.push(requirement(
            ctx,
            &format!("{field}.matchExpressions[{i}]"),
            r,
            false,
        )?);
    }
    Ok(SelectorTerm { requirements: reqs })
}

pub(super) fn label_selector(
    ctx: &Ctx,
    field: &str,
    s: &raw::LabelSelector,
) -> Result<LabelSelector, InputError> {
    let mut reqs = Vec::new();
    for (k, v) in s.match_labels.iter().flatten() {
        validate_label_key(k).map_err(|e| ctx.err(&format!("{field}.matchLabels"), e))?;
        validate_label_value(&v.0).map_err(|e| ctx.err(&format!("{field}.matchLabels"), e))?;
        reqs.push(Requirement::new(k, Operator::In, vec![v.0.clone()], None).expect("valid"));
    }
    for (i, r) in s.match_expressions.iter().flatten().enumerate() {
        let f = format!("{field}.matchExpressions[{i}]");
        let req = requirement(ctx, &f, r, false)?;
        if req.op.is_numeric() {
            return Err(ctx.err_at(
                &r.operator,
                &f,
                format!("operator {} is not valid in a label selector", req.op),
            ));
        }
        reqs.push(req);
    }
    Ok(LabelSelector { requirements: reqs })
}

pub(super) fn check_selector(
    ctx: &Ctx,
    sel: &Option<raw::LabelSelector>,
    labels: &Labels,
) -> Result<(), InputError> {
    let Some(sel) = sel else {
        return Err(ctx.err("spec.selector", "required field is missing"));
    };
    let s = label_selector(ctx, "spec.selector", sel)?;
    if s.requirements.is_empty() {
        return Err(ctx.err(
            "spec.selector",
            "empty selector is invalid for a Deployment or DaemonSet",
        ));
    }
    if !s.matches(labels) {
        return Err(ctx.err(
            "spec.template.metadata.labels",
            "`selector` does not match template `labels`",
        ));
    }
    Ok(())
}

/// Container requests as `resource.PodRequests` aggregates them
/// (`k8s.io/component-helpers/resource/helpers.go`): regular containers are summed, sidecars
/// (`restartPolicy: Always` init containers) add to the sum, and the pod needs the larger of
/// that and the peak of any plain init container running beside the sidecars started before it.
/// A container with a limit but no request gets the limit as its request (API defaulting).
struct Aggregated {
    requests: Resources,
    nonzero: Resources,
    metric: Resources,
    containers: Vec<ContainerSpec>,
}

/// (requests, scoring requests, limits) of one container: (cpu m, memory B) each.
type ContainerResources = ((i64, i64), (i64, i64), (Option<i64>, Option<i64>));

fn container_requests(
    ctx: &Ctx,
    field: &str,
    c: &raw::Container,
    warnings: &mut Vec<String>,
) -> Result<ContainerResources, InputError> {
    let res = c.resources.as_ref();
    fn get<'a>(
        m: Option<&'a BTreeMap<String, Spanned<Quantity>>>,
        k: &str,
    ) -> Option<&'a Spanned<Quantity>> {
        m.and_then(|m| m.get(k))
    }
    let requests = res.and_then(|r| r.requests.as_ref());
    let limits = res.and_then(|r| r.limits.as_ref());
    for (kind, m) in [("requests", requests), ("limits", limits)] {
        for (k, v) in m.into_iter().flatten() {
            if v.value.is_negative() {
                return Err(ctx.err_at(
                    v,
                    &format!("{field}.resources.{kind}.{k}"),
                    "must be greater than or equal to 0",
                ));
            }
            if !matches!(k.as_str(), "cpu" | "memory") {
                warnings.push(format!(
                    "{}: {}: resource {k:?} in {field}.resources.{kind} is not simulated",
                    ctx.file, ctx.object
                ));
            }
        }
    }
    for k in ["cpu", "memory"] {
        if let (Some(r), Some(l)) = (get(requests, k), get(limits, k))
            && r.value > l.value
        {
            return Err(ctx.err_at(
                r,
                &format!("{field}.resources.requests.{k}"),
                format!("must be less than or equal to {k} limit of {}", l.value),
            ));
        }
    }
    let cpu_limit = get(limits, "cpu").map(|q| q.value.milli_value());
    let mem_limit = get(limits, "memory").map(|q| q.value.value());
    let cpu = get(requests, "cpu")
        .map(|q| q.value.milli_value())
        .or(cpu_limit);
    let mem = get(requests, "memory")
        .map(|q| q.value.value())
        .or(mem_limit);
    // Scoring defaults: kube-scheduler pkg/scheduler/util/pod_resources.go
    // DefaultMilliCPURequest = 100, DefaultMemoryRequest = 200 MiB.
    let nz_cpu = cpu.unwrap_or(100);
    let nz_mem = mem.unwrap_or(200 * MIB);
    Ok((
        (cpu.unwrap_or(0), mem.unwrap_or(0)),
        (nz_cpu, nz_mem),
        (cpu_limit, mem_limit),
    ))
}

fn aggregate(
    ctx: &Ctx,
    field: &str,
    spec: &raw::PodSpec,
    warnings: &mut Vec<String>,
) -> Result<(Aggregated, Option<i64>, Option<i64>), InputError> {
    if spec.containers.is_empty() {
        return Err(ctx.err(
            &format!("{field}.containers"),
            "must have at least one container",
        ));
    }
    let mut sum = Resources::ZERO;
    let mut nz_sum = Resources::ZERO;
    let mut cpu_limit = Some(0i64);
    let mut mem_limit = Some(0i64);
    let mut containers = Vec::new();
    for (i, c) in spec.containers.iter().enumerate() {
        let ((cpu, mem), (nzc, nzm), (cl, ml)) =
            container_requests(ctx, &format!("{field}.containers[{i}]"), c, warnings)?;
        let name = c.name.clone().unwrap_or_default();
        if name.is_empty() {
            return Err(ctx.err(&format!("{field}.containers[{i}].name"), "Required value"));
        }
        if containers.iter().any(|x: &ContainerSpec| x.name == name) {
            return Err(ctx.err(
                &format!("{field}.containers[{i}].name"),
                format!("Duplicate value: {name:?}"),
            ));
        }
        containers.push(ContainerSpec {
            name,
            requests: Resources::new(cpu, mem, 0),
        });
        sum += Resources::new(cpu, mem, 0);
        nz_sum += Resources::new(nzc, nzm, 0);
        cpu_limit = cpu_limit.zip(cl).map(|(a, b)| a + b);
        mem_limit = mem_limit.zip(ml).map(|(a, b)| a + b);
    }
    let mut sidecars = Resources::ZERO;
    let mut nz_sidecars = Resources::ZERO;
    let mut init_max = Resources::ZERO;
    let mut nz_init_max = Resources::ZERO;
    for (i, c) in spec.init_containers.iter().flatten().enumerate() {
        let ((cpu, mem), (nzc, nzm), _) =
            container_requests(ctx, &format!("{field}.initContainers[{i}]"), c, warnings)?;
        let r = Resources::new(cpu, mem, 0);
        let nz = Resources::new(nzc, nzm, 0);
        if c.restart_policy.as_deref() == Some("Always") {
            sidecars += r;
            nz_sidecars += nz;
            init_max = init_max.max(&sidecars);
            nz_init_max = nz_init_max.max(&nz_sidecars);
        } else {
            init_max = init_max.max(&(r + sidecars));
            nz_init_max = nz_init_max.max(&(nz + nz_sidecars));
        }
    }
    let mut requests = (sum + sidecars).max(&init_max);
    let mut nonzero = (nz_sum + nz_sidecars).max(&nz_init_max);
    // The HPA divides usage by the containers' and sidecars' requests, without init containers
    // or overhead (replica_calculator.go `calculateRequests`).
    let mut metric = sum + sidecars;
    if let Some(pod_res) = &spec.resources
        && let Some(req) = &pod_res.requests
    {
        if let Some(cpu) = req.get("cpu") {
            requests.cpu_m = cpu.value.milli_value();
            nonzero.cpu_m = requests.cpu_m;
            metric.cpu_m = requests.cpu_m;
        }
        if let Some(mem) = req.get("memory") {
            requests.mem_b = mem.value.value();
            nonzero.mem_b = requests.mem_b;
            metric.mem_b = requests.mem_b;
        }
    }
    for (k, v) in spec.overhead.iter().flatten() {
        let o = match k.as_str() {
            "cpu" => Resources::new(v.milli_value(), 0, 0),
            "memory" => Resources::new(0, v.value(), 0),
            _ => Resources::ZERO,
        };
        requests += o;
        nonzero += o;
    }
    requests.pods = 1;
    nonzero.pods = 1;
    Ok((
        Aggregated {
            requests,
            nonzero,
            metric,
            containers,
        },
        cpu_limit,
        mem_limit,
    ))
}

pub(super) fn pod_template(
    ctx: &Ctx,
    field: &str,
    t: &raw::PodTemplateSpec,
    warnings: &mut Vec<String>,
) -> Result<PodTemplate, InputError> {
    let spec = &t.spec;
    let sf = format!("{field}.spec");
    let labels = scalar_map(&t.metadata.as_ref().and_then(|m| m.labels.clone()));
    check_labels(ctx, &format!("{field}.metadata.labels"), &labels)?;
    let annotations = scalar_map(&t.metadata.as_ref().and_then(|m| m.annotations.clone()));
    let (agg, cpu_limit, mem_limit) = aggregate(ctx, &sf, spec, warnings)?;
    let mut node_selector = Vec::new();
    for (k, v) in spec.node_selector.iter().flatten() {
        validate_label_key(k).map_err(|e| ctx.err(&format!("{sf}.nodeSelector"), e))?;
        node_selector.push(
            Requirement::new(k, Operator::In, vec![v.0.clone()], None)
                .map_err(|e| ctx.err(&format!("{sf}.nodeSelector"), e))?,
        );
    }
    let mut required_terms = Vec::new();
    let mut preferred_terms = Vec::new();
    let mut anti_affinity = Vec::new();
    if let Some(aff) = &spec.affinity {
        if aff.pod_affinity.is_some() {
            warnings.push(format!(
                "{}: {}: pod affinity is not simulated yet and was ignored",
                ctx.file, ctx.object
            ));
        }
        if let Some(anti) = &aff.pod_anti_affinity {
            let af = format!("{sf}.affinity.podAntiAffinity");
            let required = anti.required.iter().flatten().enumerate().map(|(i, t)| {
                (
                    format!("{af}.requiredDuringSchedulingIgnoredDuringExecution[{i}]"),
                    t,
                    None,
                )
            });
            let preferred = anti.preferred.iter().flatten().enumerate().map(|(i, w)| {
                (
                    format!(
                        "{af}.preferredDuringSchedulingIgnoredDuringExecution[{i}].podAffinityTerm"
                    ),
                    &w.pod_affinity_term,
                    Some(w.weight),
                )
            });
            for (f, term, weight) in required.chain(preferred) {
                if let Some(w) = weight
                    && !(1..=100).contains(&w)
                {
                    return Err(ctx.err(
                        &f.replace(".podAffinityTerm", ".weight"),
                        "must be in the range 1-100",
                    ));
                }
                if term.topology_key.is_empty() {
                    return Err(ctx.err(&format!("{f}.topologyKey"), "can not be empty"));
                }
                validate_label_key(&term.topology_key)
                    .map_err(|e| ctx.err(&format!("{f}.topologyKey"), e))?;
                if term.topology_key != "kubernetes.io/hostname" {
                    warnings.push(format!(
                        "{}: {}: {f}: pod anti-affinity on {} is not simulated (only kubernetes.io/hostname is) and was ignored",
                        ctx.file, ctx.object, term.topology_key
                    ));
                    continue;
                }
                if term.namespace_selector.is_some() {
                    warnings.push(format!(
                        "{}: {}: {f}.namespaceSelector is not simulated; the term uses its namespaces list",
                        ctx.file, ctx.object
                    ));
                }
                let mut selector = match &term.label_selector {
                    Some(sel) => Some(label_selector(ctx, &format!("{f}.labelSelector"), sel)?),
                    None => None,
                };
                if let Some(sel) = selector.as_mut() {
                    for (keys, op) in [
                        (&term.match_label_keys, Operator::In),
                        (&term.mismatch_label_keys, Operator::NotIn),
                    ] {
                        for k in keys.iter().flatten() {
                            if let Some(v) = labels.get(k) {
                                sel.requirements.push(
                                    Requirement::new(k, op, vec![v.clone()], None).expect("valid"),
                                );
                            }
                        }
                    }
                }
                anti_affinity.push(AntiAffinityTerm {
                    selector,
                    namespaces: term.namespaces.clone().unwrap_or_default(),
                    weight: weight.map(i64::from),
                });
            }
        }
        if let Some(na) = &aff.node_affinity {
            if let Some(req) = &na.required {
                let f = format!(
                    "{sf}.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
                );
                if req.node_selector_terms.is_empty() {
                    return Err(ctx.err(&f, "must have at least one term"));
                }
                for (i, t) in req.node_selector_terms.iter().enumerate() {
                    let term = term(ctx, &format!("{f}[{i}]"), t)?;
                    // An empty term matches nothing and is dropped (nodeaffinity.go).
                    if !term.requirements.is_empty() {
                        required_terms.push(term);
                    }
                }
                if required_terms.is_empty() {
                    return Err(ctx.err(&f, "every term is empty, so no node can ever match"));
                }
            }
            for (i, p) in na.preferred.iter().flatten().enumerate() {
                let f = format!(
                    "{sf}.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[{i}]"
                );
                if !(1..=100).contains(&p.weight) {
                    return Err(ctx.err(&format!("{f}.weight"), "must be in the range 1-100"));
                }
                let term = term(ctx, &format!("{f}.preference"), &p.preference)?;
                if !term.requirements.is_empty() {
                    preferred_terms.push((p.weight as i64, term));
                }
            }
        }
    }
    // Node names are generated, and zone IDs are not modelled: a requirement on either could
    // never be satisfied by a real node in the simulation.
    let all_reqs = node_selector
        .iter()
        .chain(required_terms.iter().flat_map(|t| t.requirements.iter()))
        .chain(
            preferred_terms
                .iter()
                .flat_map(|(_, t)| t.requirements.iter()),
        );
    for r in all_reqs {
        let hint = match r.key.as_str() {
            "kubernetes.io/hostname" => "ksim generates node names, so pods cannot select one",
            "topology.k8s.aws/zone-id" => {
                "zone IDs are not modelled; select topology.kubernetes.io/zone"
            }
            _ => continue,
        };
        return Err(ctx.err(
            &format!("{sf}.affinity"),
            format!("a node requirement on {} is not simulated: {hint}", r.key),
        ));
    }
    let mut tolerations = Vec::new();
    for (i, t) in spec.tolerations.iter().flatten().enumerate() {
        let f = format!("{sf}.tolerations[{i}]");
        let exists = match t.operator.as_deref() {
            None | Some("Equal") => false,
            Some("Exists") => true,
            Some(other) => {
                return Err(ctx.err(
                    &format!("{f}.operator"),
                    format!("unsupported operator {other:?}; valid operators are Exists and Equal"),
                ));
            }
        };
        let key = t.key.clone().unwrap_or_default();
        if key.is_empty() && !exists {
            return Err(ctx.err(
                &format!("{f}.operator"),
                "must be Exists when `key` is empty",
            ));
        }
        let value = t.value.as_ref().map(|v| v.0.clone()).unwrap_or_default();
        if exists && !value.is_empty() {
            return Err(ctx.err(
                &format!("{f}.value"),
                "must be empty when `operator` is Exists",
            ));
        }
        let effect = match t.effect.as_deref() {
            None | Some("") => None,
            Some(e) => Some(TaintEffect::parse(e).map_err(|m| ctx.err(&format!("{f}.effect"), m))?),
        };
        tolerations.push(Toleration {
            key,
            exists,
            value,
            effect,
        });
    }
    let mut spread = Vec::new();
    for (i, c) in spec
        .topology_spread_constraints
        .iter()
        .flatten()
        .enumerate()
    {
        let f = format!("{sf}.topologySpreadConstraints[{i}]");
        if c.max_skew < 1 {
            return Err(ctx.err(&format!("{f}.maxSkew"), "must be greater than zero"));
        }
        validate_label_key(&c.topology_key).map_err(|e| ctx.err(&format!("{f}.topologyKey"), e))?;
        let hard = match c.when_unsatisfiable.as_str() {
            "DoNotSchedule" => true,
            "ScheduleAnyway" => false,
            other => return Err(ctx.err(
                &format!("{f}.whenUnsatisfiable"),
                format!(
                    "unsupported value {other:?}; valid values are DoNotSchedule and ScheduleAnyway"
                ),
            )),
        };
        let min_domains = match c.min_domains {
            None => 1,
            Some(m) if m >= 1 && hard => m as i64,
            Some(m) if m >= 1 => {
                return Err(ctx.err(
                    &format!("{f}.minDomains"),
                    "can only be set when whenUnsatisfiable is DoNotSchedule",
                ));
            }
            Some(_) => return Err(ctx.err(&format!("{f}.minDomains"), "must be greater than 0")),
        };
        let policy = |v: &Option<String>, name: &str, default: bool| -> Result<bool, InputError> {
            match v.as_deref() {
                None => Ok(default),
                Some("Honor") => Ok(true),
                Some("Ignore") => Ok(false),
                Some(o) => Err(ctx.err(
                    &format!("{f}.{name}"),
                    format!("unsupported value {o:?}; valid values are Honor and Ignore"),
                )),
            }
        };
        let mut selector = match &c.label_selector {
            Some(s) => Some(label_selector(ctx, &format!("{f}.labelSelector"), s)?),
            None => None,
        };
        if let Some(sel) = selector.as_mut() {
            for k in c.match_label_keys.iter().flatten() {
                if let Some(v) = labels.get(k) {
                    sel.requirements.push(
                        Requirement::new(k, Operator::In, vec![v.clone()], None).expect("valid"),
                    );
                }
            }
        }
        spread.push(SpreadConstraint {
            max_skew: c.max_skew as i64,
            key: c.topology_key.clone(),
            hard,
            selector,
            min_domains,
            honor_affinity: policy(&c.node_affinity_policy, "nodeAffinityPolicy", true)?,
            honor_taints: policy(&c.node_taints_policy, "nodeTaintsPolicy", false)?,
        });
    }
    let termination_grace_ms = match spec.termination_grace_period_seconds {
        None => 30 * SECOND,
        Some(s) if s >= 0 => (s as Millis) * SECOND,
        Some(_) => {
            return Err(ctx.err(
                &format!("{sf}.terminationGracePeriodSeconds"),
                "must be greater than or equal to 0",
            ));
        }
    };
    let deletion_cost = match annotations.get("controller.kubernetes.io/pod-deletion-cost") {
        None => 0,
        Some(v) => v.parse::<i32>().map_err(|_| {
            ctx.err(
                &format!("{field}.metadata.annotations"),
                format!(
                    "controller.kubernetes.io/pod-deletion-cost must be a 32-bit integer, got {v:?}"
                ),
            )
        })?,
    };
    Ok(PodTemplate {
        labels,
        requests: agg.requests,
        nonzero_requests: agg.nonzero,
        metric_requests: agg.metric,
        containers: agg.containers,
        cpu_limit_m: cpu_limit.filter(|v| *v > 0),
        mem_limit_b: mem_limit.filter(|v| *v > 0),
        node_selector,
        required_terms,
        preferred_terms,
        tolerations,
        spread,
        anti_affinity,
        termination_grace_ms,
        priority: spec.priority.unwrap_or(0),
        do_not_disrupt: annotations
            .get("karpenter.sh/do-not-disrupt")
            .map(String::as_str)
            == Some("true"),
        deletion_cost,
    })
}

fn pdb(p: &Item<raw::Pdb>) -> Result<Pdb, InputError> {
    let ctx = &p.ctx;
    let conv = |v: &Spanned<raw::IntOrString>, field: &str| -> Result<IntOrPercent, InputError> {
        match &v.value {
            raw::IntOrString::Int(i) if *i >= 0 => Ok(IntOrPercent::Int(*i)),
            raw::IntOrString::Int(_) => {
                Err(ctx.err_at(v, field, "must be greater than or equal to 0"))
            }
            raw::IntOrString::Str(s) => s
                .strip_suffix('%')
                .and_then(|n| n.parse::<i64>().ok())
                .filter(|n| (0..=100).contains(n))
                .map(IntOrPercent::Percent)
                .ok_or_else(|| {
                    ctx.err_at(
                        v,
                        field,
                        format!(
                            "must be an integer or a percentage between 0% and 100%, got {s:?}"
                        ),
                    )
                }),
        }
    };
    let rule = match (&p.raw.spec.min_available, &p.raw.spec.max_unavailable) {
        (Some(m), None) => PdbRule::MinAvailable(conv(m, "spec.minAvailable")?),
        (None, Some(m)) => PdbRule::MaxUnavailable(conv(m, "spec.maxUnavailable")?),
        (Some(m), Some(_)) => {
            return Err(ctx.err_at(
                m,
                "spec.minAvailable",
                "minAvailable and maxUnavailable cannot both be set",
            ));
        }
        (None, None) => {
            return Err(ctx.err("spec", "one of minAvailable or maxUnavailable is required"));
        }
    };
    let selector = match &p.raw.spec.selector {
        Some(s) => label_selector(ctx, "spec.selector", s)?,
        None => return Err(ctx.err("spec.selector", "required field is missing")),
    };
    Ok(Pdb {
        name: p.name.clone(),
        namespace: p.namespace.clone(),
        selector,
        rule,
    })
}

fn hpa(
    h: &Item<raw::Hpa>,
    workloads: &[Workload],
    queues: &[Queue],
) -> Result<(usize, Hpa), InputError> {
    let ctx = &h.ctx;
    let s = &h.raw.spec;
    let target = &s.scale_target_ref;
    if target.kind != "Deployment" {
        return Err(ctx.err(
            "spec.scaleTargetRef.kind",
            format!("ksim scales Deployments; got kind {:?}", target.kind),
        ));
    }
    let idx = workloads
        .iter()
        .position(|w| w.name == target.name.value && w.namespace == h.namespace)
        .ok_or_else(|| {
            ctx.err_at(
                &target.name,
                "spec.scaleTargetRef.name",
                format!(
                    "no Deployment {}/{} in the input",
                    h.namespace, target.name.value
                ),
            )
        })?;
    // Validation: pkg/apis/autoscaling/validation/validation.go (ValidateHorizontalPodAutoscalerSpec).
    let min = match &s.min_replicas {
        None => 1,
        Some(m) if m.value >= 1 => m.value,
        Some(m) => {
            return Err(ctx.err_at(m, "spec.minReplicas", "must be greater than or equal to 1 (scale to zero needs the HPAScaleToZero alpha feature, which ksim does not simulate)"));
        }
    };
    let max = s.max_replicas.value;
    if max < 1 {
        return Err(ctx.err_at(
            &s.max_replicas,
            "spec.maxReplicas",
            "must be greater than or equal to 1",
        ));
    }
    if min > max {
        let at = s
            .min_replicas
            .as_ref()
            .expect("min > max implies minReplicas was set");
        return Err(ctx.err_at(
            at,
            "spec.minReplicas",
            format!("minReplicas ({min}) must be less than or equal to maxReplicas ({max})"),
        ));
    }
    let mut metrics = Vec::new();
    for (i, m) in s.metrics.iter().flatten().enumerate() {
        metrics.push(hpa_metric(
            ctx,
            &format!("spec.metrics[{i}]"),
            m,
            &workloads[idx],
            idx,
            workloads,
            queues,
        )?);
    }
    if metrics.is_empty() {
        // pkg/apis/autoscaling/v2/defaults.go: DefaultCPUUtilization = 80.
        metrics.push(HpaMetric::Utilization {
            resource: MetricResource::Cpu,
            target_percent: 80,
        });
    }
    check_metric_requests(ctx, &metrics, &workloads[idx])?;
    let behavior = s.behavior.as_ref().map(|b| behavior(ctx, b)).transpose()?;
    Ok((
        idx,
        Hpa {
            name: h.name.clone(),
            min_replicas: min,
            max_replicas: max,
            metrics,
            behavior,
        },
    ))
}

/// A Utilization target needs a request to divide by (`calculateRequests` fails with "missing
/// request for cpu/memory", which makes the metric invalid), and a memory metric needs the
/// Scenario's memory model.
pub(super) fn check_metric_requests(
    ctx: &Ctx,
    metrics: &[HpaMetric],
    w: &Workload,
) -> Result<(), InputError> {
    for m in metrics {
        let name = |r: MetricResource| match r {
            MetricResource::Cpu => "cpu",
            MetricResource::Memory => "memory",
        };
        let request = |r: MetricResource, c: Option<usize>| {
            let res = match c {
                None => w.template.metric_requests,
                Some(c) => w.template.containers[c].requests,
            };
            match r {
                MetricResource::Cpu => res.cpu_m,
                MetricResource::Memory => res.mem_b,
            }
        };
        let needs = match *m {
            HpaMetric::Utilization { resource, .. } => Some((resource, None)),
            HpaMetric::ContainerUtilization {
                resource,
                container,
                ..
            } => Some((resource, Some(container))),
            _ => None,
        };
        if let Some((r, c)) = needs
            && request(r, c) == 0
        {
            return Err(ctx.err(
                "spec.metrics",
                format!(
                    "a Utilization target needs the pods of {} {} to request {}",
                    super::cronjob::describe(w),
                    w.name,
                    name(r)
                ),
            ));
        }
        if m.resource() == Some(MetricResource::Memory) && w.memory.is_none() {
            return Err(ctx.err(
                "spec.metrics",
                format!(
                    "a memory metric needs a memory model for {}/{}: set spec.workloads[].memory in the Scenario",
                    w.namespace, w.name
                ),
            ));
        }
    }
    Ok(())
}

fn metric_resource(ctx: &Ctx, field: &str, name: &str) -> Result<MetricResource, InputError> {
    match name {
        "cpu" => Ok(MetricResource::Cpu),
        "memory" => Ok(MetricResource::Memory),
        other => Err(ctx.err(
            field,
            format!("unsupported resource {other:?}; ksim simulates cpu and memory"),
        )),
    }
}

/// A positive target quantity in milli-units.
fn positive_milli(
    ctx: &Ctx,
    field: &str,
    at: &Spanned<String>,
    v: Option<&Spanned<Quantity>>,
    what: &str,
) -> Result<i64, InputError> {
    let v = v.ok_or_else(|| ctx.err_at(at, field, format!("must be set when type is {what}")))?;
    if v.value.milli_value() <= 0 {
        return Err(ctx.err_at(v, field, "must be positive"));
    }
    Ok(v.value.milli_value())
}

/// One `spec.metrics[]` entry of an HPA scaling workload `w` (index `wi`). Validation:
/// pkg/apis/autoscaling/validation/validation.go (`validateMetricSpec`, `validateMetricTarget`).
fn hpa_metric(
    ctx: &Ctx,
    f: &str,
    m: &raw::MetricSpec,
    w: &Workload,
    wi: usize,
    workloads: &[Workload],
    queues: &[Queue],
) -> Result<HpaMetric, InputError> {
    let kind = m.type_.value.as_str();
    let set = [
        ("Resource", m.resource.is_some()),
        ("ContainerResource", m.container_resource.is_some()),
        ("Pods", m.pods.is_some()),
        ("Object", m.object.is_some()),
        ("External", m.external.is_some()),
    ];
    for (k, present) in set {
        if present && k != kind {
            return Err(ctx.err_at(
                &m.type_,
                f,
                format!(
                    "must populate the given metric source only: type is {kind}, but {} is set",
                    lower_first(k)
                ),
            ));
        }
    }
    let missing = |src: &str| {
        ctx.err_at(
            &m.type_,
            &format!("{f}.{src}"),
            format!("must populate information for the given metric source (type {kind})"),
        )
    };
    match kind {
        "Resource" | "ContainerResource" => {
            let (name, container, t, src) = match (&m.resource, &m.container_resource) {
                (Some(r), _) if kind == "Resource" => (&r.name, None, &r.target, "resource"),
                (_, Some(r)) if kind == "ContainerResource" => {
                    (&r.name, Some(&r.container), &r.target, "containerResource")
                }
                _ => return Err(missing(if kind == "Resource" { "resource" } else { "containerResource" })),
            };
            let resource = metric_resource(ctx, &format!("{f}.{src}.name"), name)?;
            let container = container
                .map(|c| {
                    w.template.containers.iter().position(|x| &x.name == c).ok_or_else(|| {
                        ctx.err(
                            &format!("{f}.{src}.container"),
                            format!("Deployment {} has no container {c:?}", w.name),
                        )
                    })
                })
                .transpose()?;
            let tf = format!("{f}.{src}.target");
            match t.type_.value.as_str() {
                "Utilization" => {
                    let u = t.average_utilization.as_ref().ok_or_else(|| {
                        ctx.err_at(&t.type_, &format!("{tf}.averageUtilization"), "must be set when type is Utilization")
                    })?;
                    if u.value < 1 {
                        return Err(ctx.err_at(u, &format!("{tf}.averageUtilization"), "must be greater than 0"));
                    }
                    Ok(match container {
                        None => HpaMetric::Utilization { resource, target_percent: u.value },
                        Some(c) => HpaMetric::ContainerUtilization { resource, container: c, target_percent: u.value },
                    })
                }
                "AverageValue" => {
                    let v = positive_milli(ctx, &format!("{tf}.averageValue"), &t.type_, t.average_value.as_ref(), "AverageValue")?;
                    Ok(match container {
                        None => HpaMetric::AverageValue { resource, target_milli: v },
                        Some(c) => HpaMetric::ContainerAverageValue { resource, container: c, target_milli: v },
                    })
                }
                other => Err(ctx.err_at(&t.type_, &format!("{tf}.type"), format!("must be Utilization or AverageValue for a {kind} metric, got {other:?}"))),
            }
        }
        "Pods" => {
            let p = m.pods.as_ref().ok_or_else(|| missing("pods"))?;
            let name = &p.metric.name;
            let metric = w.metrics.iter().position(|x| x.name == name.value).ok_or_else(|| {
                ctx.err_at(
                    name,
                    &format!("{f}.pods.metric.name"),
                    format!(
                        "{}/{} exposes no metric {:?}: define it in the Scenario's spec.workloads[].metrics",
                        w.namespace, w.name, name.value
                    ),
                )
            })?;
            let tf = format!("{f}.pods.target");
            if p.target.type_.value != "AverageValue" {
                return Err(ctx.err_at(&p.target.type_, &format!("{tf}.type"), format!("must be AverageValue for a Pods metric, got {:?}", p.target.type_.value)));
            }
            let v = positive_milli(ctx, &format!("{tf}.averageValue"), &p.target.type_, p.target.average_value.as_ref(), "AverageValue")?;
            Ok(HpaMetric::PodsAverageValue { metric, target_milli: v })
        }
        "External" => {
            let e = m.external.as_ref().ok_or_else(|| missing("external"))?;
            let name = &e.metric.name;
            let source = if let Some(q) = queues.iter().position(|q| q.name == name.value) {
                ExternalSource::Queue { queue: q, in_flight: false }
            } else if let Some(metric) = w.metrics.iter().position(|x| x.name == name.value) {
                ExternalSource::WorkloadMetric { workload: wi, metric }
            } else if let Some((ow, metric)) = workloads.iter().enumerate().find_map(|(i, o)| {
                o.metrics.iter().position(|x| x.name == name.value).map(|m| (i, m))
            }) {
                ExternalSource::WorkloadMetric { workload: ow, metric }
            } else {
                return Err(ctx.err_at(
                    name,
                    &format!("{f}.external.metric.name"),
                    format!(
                        "no external metric {:?}: name a queue in the Scenario's spec.queues or a metric in spec.workloads[].metrics",
                        name.value
                    ),
                ));
            };
            let tf = format!("{f}.external.target");
            match e.target.type_.value.as_str() {
                "Value" => {
                    let v = positive_milli(ctx, &format!("{tf}.value"), &e.target.type_, e.target.value.as_ref(), "Value")?;
                    Ok(HpaMetric::ExternalValue { source, target_milli: v })
                }
                "AverageValue" => {
                    let v = positive_milli(ctx, &format!("{tf}.averageValue"), &e.target.type_, e.target.average_value.as_ref(), "AverageValue")?;
                    Ok(HpaMetric::ExternalAverageValue { source, target_milli: v })
                }
                other => Err(ctx.err_at(&e.target.type_, &format!("{tf}.type"), format!("must be Value or AverageValue for an External metric, got {other:?}"))),
            }
        }
        "Object" => Err(ctx.err_at(&m.type_, &format!("{f}.type"), "Object metrics are not simulated (ksim models no metric-bearing objects); use an External metric")),
        other => Err(ctx.err_at(
            &m.type_,
            &format!("{f}.type"),
            format!("must be one of Resource, ContainerResource, Pods, Object or External, got {other:?}"),
        )),
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// `SetDefaults_HorizontalPodAutoscalerBehavior` (pkg/apis/autoscaling/v2/defaults.go) and the
/// behavior validation of pkg/apis/autoscaling/validation/validation.go.
pub(super) fn behavior(ctx: &Ctx, b: &raw::HpaBehavior) -> Result<Behavior, InputError> {
    let up_default = ScalingRules {
        stabilization_window_s: Some(0),
        select_policy: SelectPolicy::Max,
        policies: vec![
            ScalingPolicy::Pods {
                value: 4,
                period_s: 15,
            },
            ScalingPolicy::Percent {
                value: 100,
                period_s: 15,
            },
        ],
        tolerance: None,
    };
    let down_default = ScalingRules {
        stabilization_window_s: None,
        select_policy: SelectPolicy::Max,
        policies: vec![ScalingPolicy::Percent {
            value: 100,
            period_s: 15,
        }],
        tolerance: None,
    };
    Ok(Behavior {
        scale_up: rules(ctx, "spec.behavior.scaleUp", &b.scale_up, up_default)?,
        scale_down: rules(ctx, "spec.behavior.scaleDown", &b.scale_down, down_default)?,
    })
}

fn rules(
    ctx: &Ctx,
    field: &str,
    r: &Option<raw::HpaScalingRules>,
    default: ScalingRules,
) -> Result<ScalingRules, InputError> {
    let Some(r) = r else { return Ok(default) };
    let stabilization_window_s = match &r.stabilization_window_seconds {
        None => default.stabilization_window_s,
        Some(w) if (0..=3600).contains(&w.value) => Some(w.value),
        Some(w) => {
            return Err(ctx.err_at(
                w,
                &format!("{field}.stabilizationWindowSeconds"),
                "must be between 0 and 3600",
            ));
        }
    };
    let select_policy = match &r.select_policy {
        None => SelectPolicy::Max,
        Some(p) => match p.value.as_str() {
            "Max" => SelectPolicy::Max,
            "Min" => SelectPolicy::Min,
            "Disabled" => SelectPolicy::Disabled,
            other => {
                return Err(ctx.err_at(
                    p,
                    &format!("{field}.selectPolicy"),
                    format!("unsupported value {other:?}; valid values are Max, Min, Disabled"),
                ));
            }
        },
    };
    let policies = match &r.policies {
        None => default.policies,
        Some(ps) => {
            if ps.is_empty() && select_policy != SelectPolicy::Disabled {
                return Err(ctx.err(
                    &format!("{field}.policies"),
                    "must specify at least one Policy",
                ));
            }
            let mut out = Vec::new();
            for (i, p) in ps.iter().enumerate() {
                let f = format!("{field}.policies[{i}]");
                if p.value.value <= 0 {
                    return Err(ctx.err_at(
                        &p.value,
                        &format!("{f}.value"),
                        "must be greater than zero",
                    ));
                }
                if !(1..=1800).contains(&p.period_seconds.value) {
                    return Err(ctx.err_at(
                        &p.period_seconds,
                        &format!("{f}.periodSeconds"),
                        "must be greater than zero and less than or equal to 1800",
                    ));
                }
                out.push(match p.type_.value.as_str() {
                    "Pods" => ScalingPolicy::Pods {
                        value: p.value.value,
                        period_s: p.period_seconds.value,
                    },
                    "Percent" => ScalingPolicy::Percent {
                        value: p.value.value,
                        period_s: p.period_seconds.value,
                    },
                    other => {
                        return Err(ctx.err_at(
                            &p.type_,
                            &format!("{f}.type"),
                            format!(
                                "unsupported value {other:?}; valid values are Pods and Percent"
                            ),
                        ));
                    }
                });
            }
            out
        }
    };
    let tolerance = match &r.tolerance {
        None => None,
        Some(q) if !q.is_negative() => Some(q.milli_value() as f64 / 1000.0),
        Some(_) => {
            return Err(ctx.err(
                &format!("{field}.tolerance"),
                "must be greater than or equal to 0",
            ));
        }
    };
    Ok(ScalingRules {
        stabilization_window_s,
        select_policy,
        policies,
        tolerance,
    })
}

/// Label keys Karpenter restricts in NodePool requirements (`pkg/apis/v1/labels.go`
/// `RestrictedLabelDomains`, `RestrictedLabels`).
fn restricted_key(key: &str) -> Option<&'static str> {
    const ALLOWED_KARPENTER: &[&str] = &["karpenter.sh/capacity-type", "karpenter.sh/nodepool"];
    if key == "kubernetes.io/hostname" {
        return Some("kubernetes.io/hostname is restricted");
    }
    if (key.starts_with("karpenter.sh/")
        || key.starts_with("kubernetes.io/")
            && !key.starts_with("kubernetes.io/arch")
            && !key.starts_with("kubernetes.io/os"))
        && !ALLOWED_KARPENTER.contains(&key)
    {
        return Some("label domain is restricted");
    }
    None
}

fn node_pool(
    np: &Item<raw::NodePool>,
    classes: &[NodeClass],
    catalog: &Catalog,
    zones: &[String],
    warnings: &mut Vec<String>,
) -> Result<NodePool, InputError> {
    let ctx = &np.ctx;
    let spec = &np.raw.spec;
    let t = &spec.template.spec;
    let node_class = match &t.node_class_ref {
        None => {
            return Err(ctx.err(
                "spec.template.spec.nodeClassRef",
                "required field is missing",
            ));
        }
        Some(r) => {
            if let Some(k) = &r.kind
                && k != "EC2NodeClass"
            {
                return Err(ctx.err(
                    "spec.template.spec.nodeClassRef.kind",
                    format!("must be EC2NodeClass, got {k:?}"),
                ));
            }
            if let Some(g) = &r.group
                && g != "karpenter.k8s.aws"
            {
                return Err(ctx.err(
                    "spec.template.spec.nodeClassRef.group",
                    format!("must be karpenter.k8s.aws, got {g:?}"),
                ));
            }
            classes
                .iter()
                .position(|c| c.name == r.name.value)
                .ok_or_else(|| {
                    ctx.err_at(
                        &r.name,
                        "spec.template.spec.nodeClassRef.name",
                        format!("no EC2NodeClass {:?} in the input", r.name.value),
                    )
                })?
        }
    };
    let mut requirements = Vec::new();
    for (i, r) in t.requirements.iter().flatten().enumerate() {
        let f = format!("spec.template.spec.requirements[{i}]");
        let req = requirement(ctx, &f, r, true)?;
        if let Some(why) = restricted_key(&req.key) {
            return Err(ctx.err_at(
                &r.operator,
                &format!("{f}.key"),
                format!("key {:?}: {why}", req.key),
            ));
        }
        // Values of well-known keys must exist, so a typo is caught rather than silently
        // admitting nothing.
        if req.op == Operator::In || req.op == Operator::NotIn {
            let known: Option<Vec<String>> = match req.key.as_str() {
                "node.kubernetes.io/instance-type" => {
                    Some(catalog.names().map(str::to_string).collect())
                }
                "topology.kubernetes.io/zone" => Some(zones.to_vec()),
                "karpenter.sh/capacity-type" => {
                    Some(vec!["spot".into(), "on-demand".into(), "reserved".into()])
                }
                "kubernetes.io/arch" => Some(vec!["arm64".into(), "amd64".into()]),
                "kubernetes.io/os" => Some(vec!["linux".into(), "windows".into()]),
                _ => None,
            };
            if let Some(known) = known {
                for v in &req.values {
                    if !known.contains(v) {
                        let hint = if req.key == "node.kubernetes.io/instance-type" {
                            format!("known types: {}", known_types(catalog))
                        } else {
                            format!("known values: {}", known.join(", "))
                        };
                        return Err(ctx.err_at(
                            &r.operator,
                            &format!("{f}.values"),
                            format!("unknown {} value {v:?}; {hint}", req.key),
                        ));
                    }
                }
            }
        }
        requirements.push(req);
    }
    let labels = scalar_map(
        &spec
            .template
            .metadata
            .as_ref()
            .and_then(|m| m.labels.clone()),
    );
    check_labels(ctx, "spec.template.metadata.labels", &labels)?;
    let taints_ = taints(ctx, "spec.template.spec.taints", &t.taints)?;
    let startup_taints = taints(ctx, "spec.template.spec.startupTaints", &t.startup_taints)?;
    let mut limits = PoolLimits::default();
    for (k, v) in spec.limits.iter().flatten() {
        let f = format!("spec.limits.{k}");
        if v.value.is_negative() {
            return Err(ctx.err_at(v, &f, "must not be negative"));
        }
        match k.as_str() {
            "cpu" => limits.cpu_m = Some(v.value.milli_value()),
            "memory" => limits.mem_b = Some(v.value.value()),
            "nodes" => limits.nodes = Some(v.value.value()),
            other => warnings.push(format!(
                "{}: {}: limit on {other:?} is not simulated (ksim enforces cpu, memory and nodes)",
                ctx.file, ctx.object
            )),
        }
    }
    let weight = match &spec.weight {
        None => 0,
        Some(w) if (1..=100).contains(&w.value) => w.value,
        Some(w) => return Err(ctx.err_at(w, "spec.weight", "must be between 1 and 100")),
    };
    if let Some(r) = &spec.replicas {
        return Err(ctx.err_at(
            r,
            "spec.replicas",
            "static NodePools (spec.replicas) are not simulated",
        ));
    }
    let d = spec.disruption.as_ref();
    let consolidation_policy = match d.and_then(|d| d.consolidation_policy.as_ref()) {
        None => ConsolidationPolicy::WhenEmptyOrUnderutilized,
        Some(p) => match p.value.as_str() {
            "WhenEmpty" => ConsolidationPolicy::WhenEmpty,
            "WhenEmptyOrUnderutilized" => ConsolidationPolicy::WhenEmptyOrUnderutilized,
            "Balanced" => return Err(ctx.err_at(p, "spec.disruption.consolidationPolicy", "the Balanced policy (Karpenter v1.14) is not simulated yet")),
            other => return Err(ctx.err_at(p, "spec.disruption.consolidationPolicy", format!("unsupported value {other:?}; valid values are WhenEmpty and WhenEmptyOrUnderutilized"))),
        },
    };
    let consolidate_after_ms = match d.and_then(|d| d.consolidate_after.as_ref()) {
        None => Some(0),
        Some(s) => parse_karpenter_duration(&s.value)
            .map_err(|e| ctx.err_at(s, "spec.disruption.consolidateAfter", e.to_string()))?,
    };
    let mut budgets = Vec::new();
    match d.and_then(|d| d.budgets.as_ref()) {
        None => budgets.push(Budget {
            nodes: BudgetNodes::Percent(10),
            reasons: vec![],
            schedule: None,
        }),
        Some(list) => {
            if list.len() > 50 {
                return Err(ctx.err("spec.disruption.budgets", "must have at most 50 items"));
            }
            for (i, b) in list.iter().enumerate() {
                budgets.push(budget(ctx, &format!("spec.disruption.budgets[{i}]"), b)?);
            }
        }
    }
    let expire_after_ms = match &t.expire_after {
        None => Some(720 * HOUR),
        Some(s) => parse_karpenter_duration(&s.value)
            .map_err(|e| ctx.err_at(s, "spec.template.spec.expireAfter", e.to_string()))?,
    };
    let termination_grace_ms = match &t.termination_grace_period {
        None => None,
        Some(s) => parse_karpenter_duration(&s.value).map_err(|e| {
            ctx.err_at(
                s,
                "spec.template.spec.terminationGracePeriod",
                e.to_string(),
            )
        })?,
    };
    let pool = NodePool {
        name: np.name.clone(),
        weight,
        requirements,
        labels,
        taints: taints_,
        startup_taints,
        node_class,
        limits,
        consolidation_policy,
        consolidate_after_ms,
        budgets,
        expire_after_ms,
        termination_grace_ms,
    };
    if crate::karpenter::offerings::pool_types(&pool, catalog, zones).is_empty() {
        return Err(ctx.err(
            "spec.template.spec.requirements",
            format!(
                "the requirements admit no instance type in zones {}",
                zones.join(", ")
            ),
        ));
    }
    Ok(pool)
}

fn budget(ctx: &Ctx, field: &str, b: &raw::Budget) -> Result<Budget, InputError> {
    let nodes = match &b.nodes {
        None => BudgetNodes::Percent(10),
        Some(n) => BudgetNodes::parse(&n.value.0)
            .map_err(|e| ctx.err_at(n, &format!("{field}.nodes"), e))?,
    };
    let mut reasons = Vec::new();
    for (i, r) in b.reasons.iter().flatten().enumerate() {
        reasons.push(match r.value.as_str() {
            "Empty" => DisruptionReason::Empty,
            "Underutilized" => DisruptionReason::Underutilized,
            "Drifted" => DisruptionReason::Drifted,
            other => return Err(ctx.err_at(
                r,
                &format!("{field}.reasons[{i}]"),
                format!(
                    "unsupported value {other:?}; valid values are Empty, Underutilized, Drifted"
                ),
            )),
        });
    }
    let schedule = match (&b.schedule, &b.duration) {
        (None, None) => None,
        (Some(s), Some(d)) => {
            let sched = Schedule::parse(&s.value)
                .map_err(|e| ctx.err_at(s, &format!("{field}.schedule"), e))?;
            let dur = parse_budget_duration(&d.value)
                .map_err(|e| ctx.err_at(d, &format!("{field}.duration"), e.to_string()))?;
            Some((sched, dur))
        }
        (Some(s), None) => {
            return Err(ctx.err_at(
                s,
                &format!("{field}.duration"),
                "'schedule' must be set with 'duration'",
            ));
        }
        (None, Some(d)) => {
            return Err(ctx.err_at(
                d,
                &format!("{field}.schedule"),
                "'schedule' must be set with 'duration'",
            ));
        }
    };
    Ok(Budget {
        nodes,
        reasons,
        schedule,
    })
}

/// Every Deployment's pod must fit some node: a managed node group's type, or an instance type a
/// NodePool allows that the pod's constraints accept. Otherwise it could never run.
fn check_every_pod_fits(s: &Scenario, raw: &[Item<raw::Deployment>]) -> Result<(), InputError> {
    for (w, item) in s.workloads.iter().zip(raw) {
        if w.replicas == 0 && w.hpa.is_none() && w.demand.is_none() {
            continue;
        }
        if crate::karpenter::offerings::template_can_ever_fit(s, &w.template) {
            continue;
        }
        let r = &w.template.requests;
        let msg = format!(
            "a pod requesting cpu={}m memory={}Mi fits no instance type of any NodePool or node group that its nodeSelector, affinity and tolerations allow",
            r.cpu_m,
            r.mem_b / MIB
        );
        let e = match item.raw.metadata.name.as_ref() {
            Some(n) => item.ctx.err_at(n, "spec.template.spec.containers", msg),
            None => item.ctx.err("spec.template.spec.containers", msg),
        };
        return Err(e);
    }
    Ok(())
}

/// Every managed node group needs a price for its instance type, and every NodePool needs at
/// least one priced offering: Karpenter treats an offering without a price as unavailable.
fn check_prices(
    prices: &PriceTable,
    catalog: &Catalog,
    zones: &[String],
    pools: &[NodePool],
    groups: &[NodeGroup],
    c: &Collected,
) -> Result<(), InputError> {
    for g in groups {
        let it = &catalog.get(g.instance_type).name;
        if let Some(z) = zones
            .iter()
            .find(|z| prices.price(it, z, g.capacity_type).is_none())
        {
            let ctx = &c
                .scenarios
                .first()
                .expect("node groups come from the Scenario")
                .ctx;
            return Err(ctx.err(
                "spec.nodeGroups",
                format!(
                    "node group {}: the price table ({}) has no {} price for {it} in {z}",
                    g.name,
                    prices.source.description,
                    g.capacity_type.as_str()
                ),
            ));
        }
    }
    for (pool, item) in pools.iter().zip(&c.node_pools) {
        let priced = crate::karpenter::offerings::pool_types(pool, catalog, zones)
            .into_iter()
            .any(|ti| {
                let it = &catalog.get(ti).name;
                zones.iter().any(|z| {
                    [CapacityType::Spot, CapacityType::OnDemand]
                        .iter()
                        .any(|ct| prices.price(it, z, *ct).is_some())
                })
            });
        if !priced {
            return Err(item.ctx.err(
                "spec.template.spec.requirements",
                format!(
                    "none of the instance types this NodePool allows has a price in the price table ({})",
                    prices.source.description
                ),
            ));
        }
    }
    Ok(())
}
