//! Property tests: random small clusters run with every invariant checked after every event
//! (no pod lost or duplicated, no node over-committed, pods bound only to Ready nodes, cost
//! never decreasing, time never going backwards), and HPAs stay within their bounds.

use ksim::scenario::{Overrides, Source, load};
use ksim::sim::{InvariantCheck, RunLimits, run};
use proptest::prelude::*;

#[derive(Debug, Clone)]
struct WorkloadSpec {
    cpu: &'static str,
    mem: &'static str,
    min: u32,
    extra: u32,
    target: u32,
    trough: u32,
    swing: u32,
    peak_hour: u32,
    noise: f64,
}

#[derive(Debug, Clone)]
struct ClusterSpec {
    types: Vec<&'static str>,
    capacity: &'static str,
    consolidate_after: &'static str,
    policy: &'static str,
    group_size: u32,
    hours: u32,
    seed: u64,
    workloads: Vec<WorkloadSpec>,
    /// Extra Scenario settings: an EC2 capacity model and launch errors.
    trouble: &'static str,
    /// Workload 0 keeps its pods one per node (required hostname anti-affinity).
    anti_affinity: bool,
    /// Forceful disruption: nodes expire after 40 minutes with a 5-minute
    /// terminationGracePeriod, and the descheduler recycles pods older than 15 minutes.
    lifecycle: bool,
}

fn workload() -> impl Strategy<Value = WorkloadSpec> {
    (
        prop::sample::select(vec!["100m", "250m", "500m", "1"]),
        prop::sample::select(vec!["128Mi", "512Mi", "1Gi"]),
        1u32..5,
        0u32..40,
        40u32..95,
        0u32..20,
        0u32..60,
        0u32..24,
        prop::sample::select(vec![0.0, 0.05, 0.2]),
    )
        .prop_map(
            |(cpu, mem, min, extra, target, trough, swing, peak_hour, noise)| WorkloadSpec {
                cpu,
                mem,
                min,
                extra,
                target,
                trough,
                swing,
                peak_hour,
                noise,
            },
        )
}

fn cluster() -> impl Strategy<Value = ClusterSpec> {
    (
        prop::sample::subsequence(
            vec![
                "m7g.large",
                "m7g.xlarge",
                "m7g.2xlarge",
                "c7g.xlarge",
                "r7g.large",
            ],
            1..4,
        ),
        prop::sample::select(vec!["\"spot\"", "\"on-demand\"", "\"spot\", \"on-demand\""]),
        prop::sample::select(vec!["0s", "30s", "3m", "Never"]),
        prop::sample::select(vec!["WhenEmpty", "WhenEmptyOrUnderutilized"]),
        0u32..3,
        1u32..4,
        any::<u64>(),
        prop::collection::vec(workload(), 1..4),
        prop::sample::select(vec![
            "",
            "  capacity:\n    - {capacityType: spot, unavailableProbability: 0.5, until: 1h}\n",
            "  capacity:\n    - {maxNodes: 3}\n    - {registrationFailureProbability: 0.2}\n",
            "  karpenter: {launchErrorProbability: 0.6}\n  capacity:\n    - {zones: [us-east-1a], unavailableProbability: 1}\n",
            "  spotInterruptions:\n    - {at: 20m, fraction: 0.5}\n    - {at: 50m, count: 2}\n  capacity:\n    - {capacityType: spot, interruptionFrequency: 1}\n",
            "  drift:\n    - {at: 30m}\n  karpenter: {version: v1.4}\n",
            "  karpenter: {version: v1.13, spotToSpotConsolidation: true}\n",
        ]),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(
                types,
                capacity,
                consolidate_after,
                policy,
                group_size,
                hours,
                seed,
                workloads,
                trouble,
                anti_affinity,
                lifecycle,
            )| {
                ClusterSpec {
                    types,
                    capacity,
                    consolidate_after,
                    policy,
                    group_size,
                    hours,
                    seed,
                    workloads,
                    trouble,
                    anti_affinity,
                    lifecycle,
                }
            },
        )
}

fn yaml(c: &ClusterSpec) -> String {
    let types: Vec<String> = c.types.iter().map(|t| format!("\"{t}\"")).collect();
    let mut out = format!(
        r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {{name: prop}}
spec:
  duration: {hours}h
  seed: {seed}
  region: us-east-1
  zones: [us-east-1a, us-east-1b]
  nodeGroups:
    - {{name: system, instanceType: m7g.xlarge, size: {group}}}
  workloads:
"#,
        hours = c.hours,
        seed = c.seed,
        group = c.group_size
    );
    for (i, w) in c.workloads.iter().enumerate() {
        out.push_str(&format!(
            "    - {{name: w{i}, daily: {{trough: {}, peak: {}, peakHour: {}, noise: {}, unit: replicas}}}}\n",
            w.trough,
            w.trough + w.swing,
            w.peak_hour,
            w.noise
        ));
    }
    out.push_str(c.trouble);
    out.push_str(&format!(
        r#"---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {{name: pool}}
spec:
  template:
    spec:
      nodeClassRef: {{group: karpenter.k8s.aws, kind: EC2NodeClass, name: nc}}
      requirements:
        - {{key: node.kubernetes.io/instance-type, operator: In, values: [{types}]}}
        - {{key: karpenter.sh/capacity-type, operator: In, values: [{cap}]}}
{lifecycle}
  disruption:
    consolidationPolicy: {policy}
    consolidateAfter: {after}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {{name: nc}}
spec: {{}}
"#,
        types = types.join(", "),
        cap = c.capacity,
        policy = c.policy,
        after = c.consolidate_after,
        lifecycle = if c.lifecycle {
            "      expireAfter: 40m\n      terminationGracePeriod: 5m"
        } else {
            ""
        }
    ));
    if c.lifecycle {
        out.push_str(
            "---\napiVersion: descheduler/v1alpha2\nkind: DeschedulerPolicy\nprofiles:\n  - name: p\n    pluginConfig: [{name: PodLifeTime, args: {maxPodLifeTimeSeconds: 900}}]\n    plugins: {deschedule: {enabled: [PodLifeTime]}}\n",
        );
    }
    for (i, w) in c.workloads.iter().enumerate() {
        out.push_str(&format!(
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: w{i}}}
spec:
  replicas: {min}
  selector: {{matchLabels: {{app: w{i}}}}}
  template:
    metadata: {{labels: {{app: w{i}}}}}
    spec:
{anti}
      containers:
        - name: app
          resources: {{requests: {{cpu: "{cpu}", memory: {mem}}}}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {{name: w{i}}}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: w{i}}}
  minReplicas: {min}
  maxReplicas: {max}
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: {target}}}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {{name: w{i}}}
spec:
  maxUnavailable: 1
  selector: {{matchLabels: {{app: w{i}}}}}
"#,
            anti = if c.anti_affinity && i == 0 {
                "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            - {labelSelector: {matchLabels: {app: w0}}, topologyKey: kubernetes.io/hostname}"
            } else {
                ""
            },
            min = w.min,
            max = w.min + w.extra,
            cpu = w.cpu,
            mem = w.mem,
            target = w.target
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_on_random_clusters(spec in cluster()) {
        let text = yaml(&spec);
        let src = Source { name: "prop.yaml".into(), base_dir: None, text: text.clone() };
        let s = load(&[src], &Overrides::default()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        let limits = RunLimits { invariants: InvariantCheck::EveryEvent, ..Default::default() };
        let r = run(&s, limits).map_err(|e| TestCaseError::fail(format!("seed {}: {e}", spec.seed)))?;
        for row in &r.workload_series {
            let h = s.workloads[row.workload].hpa.as_ref().unwrap();
            prop_assert!(row.desired >= h.min_replicas && row.desired <= h.max_replicas,
                "HPA {} at {} outside [{}, {}]", h.name, row.desired, h.min_replicas, h.max_replicas);
        }
        // Every pod ever created is accounted for: active, or deleted.
        let summary = ksim::report::summarize(&s, &r);
        prop_assert!(summary.pods.min <= summary.pods.peak);
        prop_assert!(summary.cost.total_usd >= 0.0);
        // No configuration can beat the lower bound, so neither can this one.
        prop_assert!(summary.cost.lower_bound_usd <= summary.cost.total_usd + 1e-9,
            "bound {} above cost {}", summary.cost.lower_bound_usd, summary.cost.total_usd);
        prop_assert!(summary.cost.idle_usd >= -1e-9);
        // Required anti-affinity: never two w0 pods on one node.
        if spec.anti_affinity {
            let mut per_node = std::collections::BTreeMap::new();
            for p in r.cluster.pods.iter().filter(|p| p.workload == 0 && p.gone.is_none()) {
                if let Some(n) = p.node {
                    *per_node.entry(n).or_insert(0) += 1;
                }
            }
            prop_assert!(per_node.values().all(|&c| c <= 1), "anti-affinity broken: {per_node:?}");
        }
    }
}
