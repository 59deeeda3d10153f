//! A corpus of hostile input: each case breaks the small valid scenario of `errors.rs` (or
//! replaces it) in one way and asserts the exact message `ksim validate` prints, with exit
//! status 2, no panic, and no hang (each process is killed after 20 s). `FILE` stands for the
//! input path. Together with `errors.rs` this is the issue-7 corpus.

use std::time::{Duration, Instant};

/// How a case is made from the base scenario.
enum Make {
    /// Replace the first occurrence of the first string by the second.
    Replace(&'static str, &'static str),
    /// Append documents.
    Append(&'static str),
    /// Use this text instead.
    Whole(&'static str),
}

use Make::*;

const CASES: &[(&str, Make, &str)] = &[
    (
        "spot_interruption_defaults_value",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  spotInterruptionDefaults: advisr\n",
        ),
        r#"error: FILE:8:29: Scenario small: field `spec.spotInterruptionDefaults`: must be advisor, none or the path of a spot interruption table (the Spot Instance Advisor's JSON feed, or CSV), got "advisr": no such file"#,
    ),
    (
        "interruption_frequency_bucket",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  capacity: [{capacityType: spot, interruptionFrequency: \"<4%\"}]\n",
        ),
        r#"error: FILE:8:58: Scenario small: field `spec.capacity[0].interruptionFrequency`: must be a fraction between 0 and 1 or a Spot Instance Advisor bucket (<5%, 5-10%, 10-15%, 15-20%, >20%), got "<4%""#,
    ),
    (
        "descheduler_bad_api",
        Append("---\napiVersion: descheduler/v1beta1\nkind: DeschedulerPolicy\n"),
        r#"error: FILE:56: field `apiVersion`: DeschedulerPolicy apiVersion "descheduler/v1beta1" is not supported; ksim reads descheduler/v1alpha1 and descheduler/v1alpha2"#,
    ),
    (
        "descheduler_no_max",
        Append(
            "---\napiVersion: descheduler/v1alpha1\nkind: DeschedulerPolicy\nstrategies:\n  PodLifeTime:\n    enabled: true\n    params:\n      namespaces: {include: [default]}\n",
        ),
        r#"error: FILE:56: DeschedulerPolicy: field `strategies.PodLifeTime.params.podLifeTime.maxPodLifeTimeSeconds`: required: ksim simulates PodLifeTime by pod age only (states and conditions are not simulated)"#,
    ),
    (
        "descheduler_states",
        Append(
            "---\napiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: PodLifeTime, args: {maxPodLifeTimeSeconds: 60, states: [Running]}}]\n    plugins: {deschedule: {enabled: [PodLifeTime]}}\n",
        ),
        r#"error: FILE:60:82: DeschedulerPolicy: field `profiles[0].pluginConfig[0].args.states`: pod states are not simulated; remove the field"#,
    ),
    (
        "descheduler_include_exclude",
        Append(
            "---\napiVersion: descheduler/v1alpha1\nkind: DeschedulerPolicy\nstrategies:\n  PodLifeTime:\n    enabled: true\n    params:\n      podLifeTime: {maxPodLifeTimeSeconds: 60}\n      namespaces: {include: [a], exclude: [b]}\n",
        ),
        r#"error: FILE:56: DeschedulerPolicy: field `strategies.PodLifeTime.params.namespaces`: only one of include and exclude can be set"#,
    ),
    (
        "descheduler_typo",
        Append(
            "---\napiVersion: descheduler/v1alpha1\nkind: DeschedulerPolicy\nstrategies:\n  PodLifetime: {enabled: true}\n",
        ),
        r#"error: FILE:59:3: DeschedulerPolicy: field `strategies.PodLifetime`: unknown field `PodLifetime`, expected one of PodLifeTime, RemoveDuplicates, LowNodeUtilization, HighNodeUtilization, RemovePodsViolatingInterPodAntiAffinity, RemovePodsViolatingNodeAffinity, RemovePodsViolatingNodeTaints, RemovePodsViolatingTopologySpreadConstraint, RemovePodsHavingTooManyRestarts, RemoveFailedPods"#,
    ),
    (
        "descheduler_profiles_in_v1alpha1",
        Append("---\napiVersion: descheduler/v1alpha1\nkind: DeschedulerPolicy\nprofiles: []\n"),
        r#"error: FILE:56: DeschedulerPolicy: field `profiles`: profiles is a descheduler/v1alpha2 field; v1alpha1 uses strategies"#,
    ),
    (
        "descheduler_interval_without_policy",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  descheduler: {interval: 5m}\n",
        ),
        r#"error: FILE:8:27: Scenario small: field `spec.descheduler.interval`: is set but there is no DeschedulerPolicy document"#,
    ),
    (
        "spot_interruption_count_and_fraction",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  spotInterruptions: [{at: 1m, count: 1, fraction: 0.5}]\n",
        ),
        r#"error: FILE:8:39: Scenario small: field `spec.spotInterruptions[0].count`: give count or fraction, not both"#,
    ),
    (
        "spot_interruption_zone",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  spotInterruptions: [{at: 1m, zones: [us-west-2a], count: 1}]\n",
        ),
        r#"error: FILE:8:40: Scenario small: field `spec.spotInterruptions[0].zones`: unknown zone "us-west-2a"; the scenario's zones are us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f"#,
    ),
    (
        "spot_interruption_fraction",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  spotInterruptions: [{at: 1m, fraction: 1.5}]\n",
        ),
        r#"error: FILE:8:42: Scenario small: field `spec.spotInterruptions[0].fraction`: must be above 0 and at most 1"#,
    ),
    (
        "drift_unknown_pool",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  drift: [{at: 1h, nodePools: [spot]}]\n",
        ),
        r#"error: FILE:8:32: Scenario small: field `spec.drift[0].nodePools`: no NodePool named "spot""#,
    ),
    (
        "scripted_replicas_with_hpa",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  workloads: [{name: api, replicas: [{at: 0s, replicas: 2}]}]\n",
        ),
        r#"error: FILE:53:65: HorizontalPodAutoscaler default/api: field `spec.scaleTargetRef.name`: Deployment api has scripted replicas in the Scenario's spec.workloads; it cannot also have an HPA"#,
    ),
    (
        "scripted_replicas_order",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  workloads: [{name: api, replicas: [{at: 5m, replicas: 2}, {at: 1m, replicas: 3}]}]\n",
        ),
        r#"error: FILE:8:66: Scenario small: field `spec.workloads[0].replicas[1].at`: steps must be in increasing time order"#,
    ),
    (
        "karpenter_version_bad",
        Replace(
            "  region: us-east-1\n",
            "  region: us-east-1\n  karpenter: {version: v1.15}\n",
        ),
        r#"error: FILE:8:24: Scenario small: field `spec.karpenter.version`: must be a Karpenter v1 release from v1.0 to v1.14, got "v1.15""#,
    ),
    (
        "replicas_string",
        Replace(r#"  replicas: 3"#, r#"  replicas: three"#),
        r#"error: FILE:35:13: Deployment default/api: field `spec.replicas`: expected an integer"#,
    ),
    (
        "replicas_overflow",
        Replace(r#"  replicas: 3"#, r#"  replicas: 99999999999999999999"#),
        r#"error: FILE:35:13: Deployment default/api: field `spec.replicas`: expected an integer"#,
    ),
    (
        "replicas_negative",
        Replace(r#"  replicas: 3"#, r#"  replicas: -1"#),
        r#"error: FILE:35:13: Deployment default/api: field `spec.replicas`: must be greater than or equal to 0"#,
    ),
    (
        "max_replicas_negative",
        Replace(r#"  maxReplicas: 10"#, r#"  maxReplicas: -1"#),
        r#"error: FILE:54:16: HorizontalPodAutoscaler default/api: field `spec.maxReplicas`: must be greater than or equal to 1"#,
    ),
    (
        "min_replicas_zero",
        Replace(r#"  minReplicas: 2"#, r#"  minReplicas: 0"#),
        r#"error: FILE:53:16: HorizontalPodAutoscaler default/api: field `spec.minReplicas`: must be greater than or equal to 1 (scale to zero needs the HPAScaleToZero alpha feature, which ksim does not simulate)"#,
    ),
    (
        "duration_zero",
        Replace(r#"  duration: 1h"#, r#"  duration: 0s"#),
        r#"error: FILE:6:13: Scenario small: field `spec.duration`: duration must be between 1s and 8784h (366 days), got 0 ms"#,
    ),
    (
        "duration_absurd",
        Replace(r#"  duration: 1h"#, r#"  duration: 100000h"#),
        r#"error: FILE:6:13: Scenario small: field `spec.duration`: duration must be between 1s and 8784h (366 days), got 360000000000 ms"#,
    ),
    (
        "duration_overflow",
        Replace(r#"  duration: 1h"#, r#"  duration: 1e400h"#),
        r#"error: FILE:6:13: Scenario small: field `spec.duration`: unknown unit "e" in duration "1e400h""#,
    ),
    (
        "duration_garbage",
        Replace(r#"  duration: 1h"#, r#"  duration: soon"#),
        r#"error: FILE:6:13: Scenario small: field `spec.duration`: invalid duration "soon""#,
    ),
    (
        "seed_negative",
        Replace(
            r#"  duration: 1h"#,
            r#"  duration: 1h
  seed: -1"#,
        ),
        r#"error: FILE:7:9: Scenario small: field `spec.seed`: expected a non-negative integer"#,
    ),
    (
        "seed_string",
        Replace(
            r#"  duration: 1h"#,
            r#"  duration: 1h
  seed: abc"#,
        ),
        r#"error: FILE:7:9: Scenario small: field `spec.seed`: expected a non-negative integer"#,
    ),
    (
        "unknown_region",
        Replace(r#"  region: us-east-1"#, r#"  region: mars-north-1"#),
        r#"error: FILE:7:11: Scenario small: field `spec.region`: unknown region "mars-north-1": list its availability zones in spec.zones"#,
    ),
    (
        "zone_wrong_region",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  zones: [eu-west-1a]"#,
        ),
        r#"error: FILE:8:11: Scenario small: field `spec.zones`: zone "eu-west-1a" is not in region us-east-1"#,
    ),
    (
        "duplicate_zone",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  zones: [us-east-1a, us-east-1a]"#,
        ),
        r#"error: FILE:8:23: Scenario small: field `spec.zones`: duplicate zone "us-east-1a""#,
    ),
    (
        "duplicate_deployment",
        Append(
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: app}]
"#,
        ),
        r#"error: FILE:56: Deployment default/api: field `metadata.name`: duplicate Deployment: api is also defined at FILE:30"#,
    ),
    (
        "missing_nodeclass",
        Replace(
            r#"name: default}
      requirements"#,
            r#"name: nope}
      requirements"#,
        ),
        r#"error: FILE:16:74: NodePool default: field `spec.template.spec.nodeClassRef.name`: no EC2NodeClass "nope" in the input"#,
    ),
    (
        "requirements_admit_nothing",
        Replace(
            r#"values: ["m7g.xlarge"]"#,
            r#"values: ["m7g.xlarge"]
        - {key: kubernetes.io/os, operator: In, values: [windows]}"#,
        ),
        r#"error: FILE:9: NodePool default: field `spec.template.spec.requirements`: the requirements admit no instance type in zones us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f"#,
    ),
    (
        "bad_label_key",
        Replace(
            r#"labels: {app: api}
    spec"#,
            r#"labels: {"bad key!": api, app: api}
    spec"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.metadata.labels`: invalid label key "bad key!": name part must start and end with an alphanumeric character"#,
    ),
    (
        "bad_label_value",
        Replace(
            r#"labels: {app: api}
    spec"#,
            r#"labels: {app: api, tier: "-bad-"}
    spec"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.metadata.labels`: invalid label value "-bad-": name part must start and end with an alphanumeric character"#,
    ),
    (
        "list_for_map",
        Replace(
            r#"    matchLabels: {app: api}"#,
            r#"    matchLabels: [app, api]"#,
        ),
        r#"error: FILE:37:18: Deployment default/api: field `spec.selector.matchLabels`: expected mapping start"#,
    ),
    (
        "wrong_kind_type",
        Replace(r#"kind: Deployment"#, r#"kind: [Deployment]"#),
        r#"error: FILE:31:7: field `kind`: expected string scalar"#,
    ),
    (
        "unknown_nodepool_field",
        Replace(
            r#"  disruption:
    consolidateAfter: 3m"#,
            r#"  disruption:
    consolidateAfter: 3m
    consolidateBefore: 1m"#,
        ),
        r#"error: FILE:23:5: NodePool default: field `spec.disruption.consolidateBefore`: unknown field `consolidateBefore`, expected one of consolidationPolicy, consolidateAfter, budgets"#,
    ),
    (
        "unknown_hpa_field",
        Replace(
            r#"  maxReplicas: 10"#,
            r#"  maxReplicas: 10
  maxReplica: 11"#,
        ),
        r#"error: FILE:55:3: HorizontalPodAutoscaler default/api: field `spec.maxReplica`: unknown field `maxReplica`, expected one of scaleTargetRef, minReplicas, maxReplicas, metrics, behavior"#,
    ),
    (
        "unknown_nodeclass_field",
        Replace(r#"spec: {}"#, r#"spec: {amiFamly: AL2023}"#),
        r#"error: FILE:28:8: EC2NodeClass default: field `spec.amiFamly`: unknown field `amiFamly`, expected one of kubelet, amiFamily, amiSelectorTerms, subnetSelectorTerms, securityGroupSelectorTerms, capacityReservationSelectorTerms, placementGroupSelector, role, instanceProfile, userData, tags, blockDeviceMappings, instanceStorePolicy, detailedMonitoring, associatePublicIPAddress, metadataOptions, context, ipPrefixCount"#,
    ),
    (
        "unknown_scenario_field",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  regoin: x"#,
        ),
        r#"error: FILE:8:3: Scenario small: field `spec.regoin`: unknown field `regoin`, expected one of duration, seed, startTime, region, zones, prices, nodeGroups, workloads, queues, latency, karpenter, capacity, spotInterruptionDefaults, initialState, spotInterruptions, drift, descheduler"#,
    ),
    (
        "bad_consolidate_after",
        Replace(r#"consolidateAfter: 3m"#, r#"consolidateAfter: 3 minutes"#),
        r#"error: FILE:22:23: NodePool default: field `spec.disruption.consolidateAfter`: "3 minutes" does not match the pattern ^(([0-9]+(s|m|h))+|Never)$ required for this field"#,
    ),
    (
        "bad_budget_nodes",
        Replace(
            r#"consolidateAfter: 3m"#,
            r#"consolidateAfter: 3m
    budgets: [{nodes: "150%"}]"#,
        ),
        r#"error: FILE:23:23: NodePool default: field `spec.disruption.budgets[0].nodes`: "150%" does not match the pattern ^((100|[0-9]{1,2})%|[0-9]+)$"#,
    ),
    (
        "budget_schedule_without_duration",
        Replace(
            r#"consolidateAfter: 3m"#,
            r#"consolidateAfter: 3m
    budgets: [{nodes: "1", schedule: "0 9 * * *"}]"#,
        ),
        r#"error: FILE:23:38: NodePool default: field `spec.disruption.budgets[0].duration`: 'schedule' must be set with 'duration'"#,
    ),
    (
        "bad_cron",
        Replace(
            r#"consolidateAfter: 3m"#,
            r#"consolidateAfter: 3m
    budgets: [{nodes: "1", schedule: "61 9 * * *", duration: 1h}]"#,
        ),
        r#"error: FILE:23:38: NodePool default: field `spec.disruption.budgets[0].schedule`: end of range (61) above maximum (59): 61"#,
    ),
    (
        "cpu_limit_garbage",
        Replace(
            r#"requests: {cpu: 500m, memory: 1Gi}"#,
            r#"requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: lots}"#,
        ),
        r#"error: FILE:46:27: Deployment default/api: field `spec.template.spec.containers[0].resources.limits.cpu`: invalid quantity "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"#,
    ),
    (
        "request_above_limit",
        Replace(
            r#"requests: {cpu: 500m, memory: 1Gi}"#,
            r#"requests: {cpu: 500m, memory: 1Gi}
            limits: {cpu: 100m}"#,
        ),
        r#"error: FILE:45:29: Deployment default/api: field `spec.template.spec.containers[0].resources.requests.cpu`: must be less than or equal to cpu limit of 100m"#,
    ),
    (
        "memory_overflow",
        Replace(r#"memory: 1Gi"#, r#"memory: 99999999999999Ei"#),
        r#"error: FILE:45:43: Deployment default/api: field `spec.template.spec.containers[0].resources.requests.memory`: invalid quantity "99999999999999Ei": quantity is too large"#,
    ),
    (
        "negative_cpu",
        Replace(r#"cpu: 500m"#, r#"cpu: -500m"#),
        r#"error: FILE:45:29: Deployment default/api: field `spec.template.spec.containers[0].resources.requests.cpu`: must be greater than or equal to 0"#,
    ),
    (
        "nodepool_weight_out_of_range",
        Replace(
            r#"  template:
    spec:
      nodeClassRef"#,
            r#"  weight: 500
  template:
    spec:
      nodeClassRef"#,
        ),
        r#"error: FILE:14:11: NodePool default: field `spec.weight`: must be between 1 and 100"#,
    ),
    (
        "selector_mismatch",
        Replace(
            r#"    matchLabels: {app: api}"#,
            r#"    matchLabels: {app: web}"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.metadata.labels`: `selector` does not match template `labels`"#,
    ),
    (
        "missing_apiversion",
        Replace(
            r#"apiVersion: apps/v1
kind: Deployment"#,
            r#"kind: Deployment"#,
        ),
        r#"error: FILE:30: the Deployment document has no `apiVersion`"#,
    ),
    (
        "two_scenarios",
        Append(
            r#"---
apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {name: again}
spec: {}
"#,
        ),
        r#"error: FILE:56: Scenario again: only one ksim Scenario document is allowed; the first is at FILE:1"#,
    ),
    (
        "tab_indentation",
        Replace(r#"  replicas: 3"#, r#"	replicas: 3"#),
        r#"error: FILE:35:2: tabs disallowed within this context (block indentation)"#,
    ),
    (
        "yaml_bomb",
        Whole(
            r#"a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"#,
        ),
        r#"error: FILE:6:14: field `f[2][5][6][6][2]`: budget breached: Nodes { nodes: 250001 }"#,
    ),
    (
        "scalar_document",
        Whole(
            r#"just a string
"#,
        ),
        r#"error: FILE:1:1: expected mapping start"#,
    ),
    (
        "pdb_both_set",
        Append(
            r#"---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  minAvailable: 1
  maxUnavailable: 1
  selector: {matchLabels: {app: api}}
"#,
        ),
        r#"error: FILE:60:17: PodDisruptionBudget default/api: field `spec.minAvailable`: minAvailable and maxUnavailable cannot both be set"#,
    ),
    (
        "hpa_target_wrong_kind",
        Replace(
            r#"kind: Deployment, name: api}"#,
            r#"kind: StatefulSet, name: api}"#,
        ),
        r#"error: FILE:47: HorizontalPodAutoscaler default/api: field `spec.scaleTargetRef.kind`: ksim scales Deployments; got kind "StatefulSet""#,
    ),
    (
        "hpa_utilization_zero",
        Replace(
            r#"  maxReplicas: 10
"#,
            r#"  maxReplicas: 10
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 0}}
"#,
        ),
        r#"error: FILE:57:77: HorizontalPodAutoscaler default/api: field `spec.metrics[0].resource.target.averageUtilization`: must be greater than 0"#,
    ),
    (
        "hpa_behavior_zero_policy",
        Replace(
            r#"  maxReplicas: 10
"#,
            r#"  maxReplicas: 10
  behavior:
    scaleUp:
      policies: [{type: Percent, value: 0, periodSeconds: 60}]
"#,
        ),
        r#"error: FILE:57:41: HorizontalPodAutoscaler default/api: field `spec.behavior.scaleUp.policies[0].value`: must be greater than zero"#,
    ),
    (
        "hpa_stabilization_too_long",
        Replace(
            r#"  maxReplicas: 10
"#,
            r#"  maxReplicas: 10
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 4000
"#,
        ),
        r#"error: FILE:57:35: HorizontalPodAutoscaler default/api: field `spec.behavior.scaleDown.stabilizationWindowSeconds`: must be between 0 and 3600"#,
    ),
    (
        "node_group_negative_size",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  nodeGroups: [{name: sys, instanceType: m7g.large, size: -2}]"#,
        ),
        r#"error: FILE:8:59: Scenario small: field `spec.nodeGroups[0].size`: must be between 0 and 10000"#,
    ),
    (
        "demand_for_missing_deployment",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  workloads: [{name: ghost, daily: {trough: 1, peak: 2}}]"#,
        ),
        r#"error: FILE:8:22: Scenario small: field `spec.workloads[0].name`: no Deployment or CronJob default/ghost in the input"#,
    ),
    (
        "daily_peak_below_trough",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  workloads: [{name: api, daily: {trough: 10, peak: 2}}]"#,
        ),
        r#"error: FILE:8:53: Scenario small: field `spec.workloads[0].daily.peak`: peak (2) must not be below trough (10)"#,
    ),
    (
        "latency_p99_below_median",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  latency: {nodeLaunch: {median: 30s, p99: 10s}}"#,
        ),
        r#"error: FILE:8:44: Scenario small: field `spec.latency.nodeLaunch.p99`: p99 must be at least the median"#,
    ),
    (
        "batch_idle_zero",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  karpenter: {batchIdleDuration: 0s}"#,
        ),
        r#"error: FILE:1: Scenario small: field `spec.karpenter`: batchIdleDuration must be positive and not longer than batchMaxDuration"#,
    ),
    (
        "launch_error_certain",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  karpenter: {launchErrorProbability: 1}"#,
        ),
        r#"error: FILE:8:39: Scenario small: field `spec.karpenter.launchErrorProbability`: must be at least 0 and below 1"#,
    ),
    (
        "capacity_negative_max_nodes",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  capacity: [{maxNodes: -1}]"#,
        ),
        r#"error: FILE:8:25: Scenario small: field `spec.capacity[0].maxNodes`: must not be negative"#,
    ),
    (
        "start_time_month_13",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  startTime: "2026-13-01T00:00:00Z""#,
        ),
        r#"error: FILE:8:14: Scenario small: field `spec.startTime`: expected a UTC time like 2026-01-05T00:00:00Z, got "2026-13-01T00:00:00Z""#,
    ),
    (
        "initial_state_unknown",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  initialState: lukewarm"#,
        ),
        r#"error: FILE:8:17: Scenario small: field `spec.initialState`: must be warm or cold, got "lukewarm""#,
    ),
    (
        "spot_ratio_zero",
        Replace(
            r#"  region: us-east-1"#,
            r#"  region: us-east-1
  prices: {spotToOnDemandRatio: 0}"#,
        ),
        r#"error: FILE:8:33: Scenario small: field `spec.prices.spotToOnDemandRatio`: must be in (0, 1]"#,
    ),
    (
        "toleration_bad_operator",
        Replace(
            r#"    spec:
      containers:"#,
            r#"    spec:
      tolerations: [{key: a, operator: Maybe}]
      containers:"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.spec.tolerations[0].operator`: unsupported operator "Maybe"; valid operators are Exists and Equal"#,
    ),
    (
        "spread_zero_skew",
        Replace(
            r#"    spec:
      containers:"#,
            r#"    spec:
      topologySpreadConstraints: [{maxSkew: 0, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule}]
      containers:"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.spec.topologySpreadConstraints[0].maxSkew`: must be greater than zero"#,
    ),
    (
        "container_without_name",
        Replace(
            r#"        - name: app
"#,
            r#"        - image: x
"#,
        ),
        r#"error: FILE:30: Deployment default/api: field `spec.template.spec.containers[0].name`: Required value"#,
    ),
    (
        "float_for_integer",
        Replace(r#"  replicas: 3"#, r#"  replicas: 2.5"#),
        r#"error: FILE:35:13: Deployment default/api: field `spec.replicas`: expected an integer"#,
    ),
    (
        "crlf_unknown_field",
        Replace(r#"  replicas: 3"#, r#"  replcias: 3"#),
        r#"error: FILE:35:3: Deployment default/api: field `spec.replcias`: unknown field `replcias`, expected one of replicas, selector, template, strategy, minReadySeconds, revisionHistoryLimit, paused, progressDeadlineSeconds"#,
    ),
];

/// Runs `ksim validate` on `input` (bytes) and returns (exit status, stderr with the path as
/// `FILE`), killing it after 20 s.
fn validate(input: &[u8], extra: &[&str]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.yaml");
    std::fs::write(&path, input).unwrap();
    let mut child = crate::ksim()
        .arg("validate")
        .args(extra)
        .arg(&path)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("ksim validate hung on this input");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    (
        status.code(),
        err.trim_end().replace(&path.display().to_string(), "FILE"),
    )
}

#[test]
fn every_corpus_case_gets_its_exact_error() {
    assert!(CASES.len() >= 60);
    let mut failures = Vec::new();
    for (name, make, want) in CASES {
        let text = match make {
            Replace(from, to) => {
                assert!(crate::errors::BASE.contains(from), "{name}: bad case");
                let t = crate::errors::BASE.replacen(from, to, 1);
                if *name == "crlf_unknown_field" {
                    t.replace('\n', "\r\n")
                } else {
                    t
                }
            }
            Append(docs) => format!("{}{docs}", crate::errors::BASE),
            Whole(t) => t.to_string(),
        };
        let (code, err) = validate(text.as_bytes(), &[]);
        assert!(!err.contains("panicked"), "{name}: {err}");
        if code != Some(2) || err != *want {
            failures.push(format!(
                "{name}: status {code:?}\n  got:  {err}\n  want: {want}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Inputs that are not scenarios at all: deep nesting, invalid UTF-8, NUL bytes, a 100 MB file.
#[test]
fn garbage_gets_a_clean_refusal() {
    let deep = format!("a: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let (code, err) = validate(deep.as_bytes(), &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            Some(2),
            "error: FILE:1:259: field `a`: recursion limit exceeded"
        )
    );
    let (code, err) = validate(b"apiVersion: apps/v1\nkind: \xff\xfe\n", &[]);
    assert_eq!(
        (code, err.as_str()),
        (Some(2), "error: FILE:2: the file is not UTF-8 text")
    );
    let big = vec![b'a'; 100 * 1024 * 1024];
    let (code, err) = validate(&big, &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            Some(2),
            "error: FILE: input is larger than the limit of 32 MiB; raise it with --max-input-mb if this is intended"
        )
    );
}
