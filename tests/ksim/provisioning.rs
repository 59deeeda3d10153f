//! Karpenter provisioning against an EC2 capacity model: insufficient-capacity errors and the
//! unavailable-offerings cache, spot-to-on-demand fallback, pool depth, price-capacity-optimized,
//! registration timeouts, startup taints, `minValues`, and hostname pod anti-affinity. Each test is
//! a small cold-start scenario with constant latencies, so the expected launches can be worked
//! out by hand from the upstream rule quoted in the test.

use ksim::cluster::{NodeOwner, RemovalReason};
use ksim::scenario::{Overrides, Scenario, Source, load};
use ksim::sim::{InvariantCheck, RunLimits, SimResult, run};

fn scenario(spec: &str, pools: &str, workloads: &str) -> String {
    format!(
        r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {{name: t}}
spec:
  duration: 30m
  region: us-east-1
  zones: [us-east-1a, us-east-1b]
  initialState: cold
  latency:
    nodeLaunch: {{constant: 30s}}
    podStartup: {{constant: 2s}}
    podShutdown: {{constant: 1s}}
{spec}
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {{name: default}}
spec:
  amiFamily: AL2023
  amiSelectorTerms: [{{alias: al2023@latest}}]
{pools}
{workloads}
"#
    )
}

fn pool(name: &str, weight: i64, requirements: &str, extra: &str) -> String {
    format!(
        r#"---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {{name: {name}}}
spec:
  weight: {weight}
  template:
    spec:
      nodeClassRef: {{group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}
      requirements:
{requirements}
{extra}
  disruption:
    consolidationPolicy: WhenEmpty
    consolidateAfter: Never
"#
    )
}

fn deployment(name: &str, replicas: u32, cpu: &str, pod_extra: &str) -> String {
    format!(
        r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{pod_extra}
      containers:
        - name: app
          resources: {{requests: {{cpu: "{cpu}", memory: 1Gi}}}}
"#
    )
}

/// Loads a one-file scenario and runs it with every invariant checked after every event.
pub(crate) fn run_yaml(yaml: &str) -> (Scenario, SimResult) {
    let s = load(
        &[Source {
            name: "test.yaml".into(),
            base_dir: None,
            text: yaml.into(),
        }],
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}\n{yaml}"));
    let r = run(
        &s,
        RunLimits {
            invariants: InvariantCheck::EveryEvent,
            ..Default::default()
        },
    )
    .unwrap();
    (s, r)
}

/// (type, zone, capacity type) of every Karpenter node, in launch order.
fn launched(s: &Scenario, r: &SimResult) -> Vec<(String, String, String)> {
    r.cluster
        .nodes
        .iter()
        .filter(|n| matches!(n.owner, NodeOwner::Pool(_)))
        .map(|n| {
            (
                s.catalog.get(n.instance_type).name.clone(),
                s.zones[n.zone].clone(),
                n.capacity_type.as_str().to_string(),
            )
        })
        .collect()
}

fn pending_at_end(r: &SimResult) -> usize {
    r.cluster
        .pods
        .iter()
        .filter(|p| p.node.is_none() && p.deleted.is_none())
        .count()
}

const SPOT_AND_OD: &str = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge, c7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}"#;

/// With spot exhausted everywhere, the first CreateFleet (spot, the NodePool allows both) fails
/// for every override, each is marked unavailable (aws `instance.go`
/// `updateUnavailableOfferingsCache`), the NodeClaim is deleted (KC `lifecycle/launch.go`), and
/// the next solve can only use on-demand: spot falls back to on-demand within the NodePool.
#[test]
fn spot_shortage_falls_back_to_on_demand_in_the_same_pool() {
    let yaml = scenario(
        "  capacity:\n    - {capacityType: spot, unavailableProbability: 1}",
        &pool("default", 1, SPOT_AND_OD, ""),
        &deployment("app", 3, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    let first = &r.launches[0];
    assert_eq!(first.capacity_type.as_str(), "spot");
    assert!(first.launch.is_none(), "no spot capacity anywhere");
    // Both types in both zones were tried and failed.
    assert_eq!(first.overrides, 4);
    assert_eq!(first.errors.len(), 4);
    let ok: Vec<_> = r.launches.iter().filter(|l| l.launch.is_some()).collect();
    assert!(!ok.is_empty());
    for l in &ok {
        assert_eq!(l.capacity_type.as_str(), "on-demand");
        // The retry came from the pod controller's 10 s requeue, after the failed call.
        assert!(l.time > first.time);
    }
    assert_eq!(pending_at_end(&r), 0);
    let summary = ksim::report::summarize(&s, &r);
    assert_eq!(summary.karpenter.launches.insufficient_capacity, 1);
    assert_eq!(summary.karpenter.launches.offerings_marked_unavailable, 4);
    assert!(summary.karpenter.launches.on_demand_fallbacks >= 1);
    assert!(launched(&s, &r).iter().all(|(_, _, ct)| ct == "on-demand"));
}

/// An offering marked unavailable comes back after `UnavailableOfferingsTTL` (3 minutes, aws
/// `pkg/cache/cache.go`): a shortage that ends lets spot launch again, and during it a spot
/// request is only retried once the cache entries expire.
#[test]
fn unavailable_offerings_expire_after_three_minutes() {
    // Spot is short for the first 10 minutes and on-demand is not allowed, so the pods wait.
    let spot_only = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let yaml = scenario(
        "  capacity:\n    - {capacityType: spot, unavailableProbability: 1, until: 10m}",
        &pool("default", 1, spot_only, ""),
        &deployment("app", 2, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    let failed: Vec<u64> = r
        .launches
        .iter()
        .filter(|l| l.launch.is_none())
        .map(|l| l.time)
        .collect();
    assert!(failed.len() >= 3, "retries during the shortage: {failed:?}");
    for pair in failed.windows(2) {
        assert!(
            pair[1] - pair[0] >= 180_000,
            "a spot offering is not retried within 3 minutes: {failed:?}"
        );
    }
    let first_ok = r.launches.iter().find(|l| l.launch.is_some()).unwrap();
    assert!(
        first_ok.time >= 600_000,
        "spot launches once the shortage ends"
    );
    assert!(first_ok.time < 600_000 + 180_000 + 20_000);
    assert_eq!(pending_at_end(&r), 0);
    assert!(launched(&s, &r).iter().all(|(_, _, ct)| ct == "spot"));
}

/// A NodePool of higher weight whose offerings are all unavailable is skipped, and the pods go
/// to the lower-weight on-demand pool (KC `scheduler.go` tries NodePools in weight order; the
/// unavailable offerings are filtered out of the instance types).
#[test]
fn a_spot_pool_without_capacity_falls_through_to_the_on_demand_pool() {
    let spot = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let od = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let pools = pool("spot", 100, spot, "") + &pool("od", 10, od, "");
    let yaml = scenario(
        "  capacity:\n    - {capacityType: spot, unavailableProbability: 1}",
        &pools,
        &deployment("app", 3, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    assert_eq!(s.node_pools[r.launches[0].pool].name, "spot");
    assert!(r.launches[0].launch.is_none());
    let ok: Vec<_> = r.launches.iter().filter(|l| l.launch.is_some()).collect();
    assert!(!ok.is_empty());
    assert!(ok.iter().all(|l| s.node_pools[l.pool].name == "od"));
    assert_eq!(pending_at_end(&r), 0);
}

/// `maxNodes` caps how many instances of an offering run at once: EC2 Fleet moves on to the next
/// pool of the request, so the cheapest pool fills up first and the next cheapest takes the rest.
#[test]
fn shallow_pools_fill_up_and_the_fleet_moves_on() {
    // One pod per node (hostname anti-affinity), eight pods; m7g.xlarge spot is the cheapest
    // but holds at most 2 instances per zone.
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge, m7gd.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let anti = r#"      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: app}}
              topologyKey: kubernetes.io/hostname"#;
    let yaml = scenario(
        "  capacity:\n    - {instanceTypes: [m7g.xlarge], capacityType: spot, maxNodes: 2}",
        &pool("default", 1, reqs, ""),
        &deployment("app", 8, "1", anti),
    );
    let (s, r) = run_yaml(&yaml);
    let nodes = launched(&s, &r);
    assert_eq!(nodes.len(), 8);
    let m7g = nodes.iter().filter(|n| n.0 == "m7g.xlarge").count();
    assert_eq!(m7g, 4, "two per zone: {nodes:?}");
    for z in ["us-east-1a", "us-east-1b"] {
        assert!(
            nodes
                .iter()
                .filter(|n| n.0 == "m7g.xlarge" && n.1 == z)
                .count()
                <= 2
        );
    }
    // The calls that found m7g.xlarge full recorded the errors.
    assert!(r.launches.iter().any(|l| !l.errors.is_empty()));
    assert_eq!(pending_at_end(&r), 0);
}

/// price-capacity-optimized: the pool with the lower interruption frequency wins over a cheaper
/// one that is interrupted far more often; without frequencies the cheapest wins (lowest price).
#[test]
fn price_capacity_optimized_prefers_the_safer_pool() {
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [c7g.xlarge, m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let base = scenario(
        "",
        &pool("default", 1, reqs, ""),
        &deployment("app", 2, "1", ""),
    );
    let (s, r) = run_yaml(&base);
    assert!(
        launched(&s, &r).iter().all(|n| n.0 == "c7g.xlarge"),
        "cheapest"
    );
    let yaml = scenario(
        "  capacity:\n    - {instanceTypes: [c7g.xlarge], capacityType: spot, interruptionFrequency: 0.2}\n    - {instanceTypes: [m7g.xlarge], capacityType: spot, interruptionFrequency: 0.03}",
        &pool("default", 1, reqs, ""),
        &deployment("app", 2, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    let nodes = launched(&s, &r);
    assert!(!nodes.is_empty());
    assert!(nodes.iter().all(|n| n.0 == "m7g.xlarge"), "{nodes:?}");
}

/// An instance that never registers is deleted by the liveness controller exactly 15 minutes
/// after launch (KC `lifecycle/liveness.go` `registrationTimeout`), is billed until then, and its
/// pods are provisioned again.
#[test]
fn instances_that_never_register_time_out_after_fifteen_minutes() {
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let yaml = scenario(
        "  capacity:\n    - {registrationFailureProbability: 1}",
        &pool("default", 1, reqs, ""),
        &deployment("app", 1, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    let nodes = &r.cluster.nodes;
    assert_eq!(nodes.len(), 2, "the first claim and its replacement");
    let first = &nodes[0];
    assert_eq!(first.removal, Some(RemovalReason::RegistrationTimeout));
    assert_eq!(first.terminated, Some(first.launched + 15 * 60_000));
    assert!(first.ready_at.is_none() && first.pods.is_empty());
    // The pod is provisioned again right after the timeout.
    assert!(nodes[1].launched >= first.launched + 15 * 60_000);
    assert!(nodes[1].launched <= first.launched + 15 * 60_000 + 11_000);
    assert_eq!(pending_at_end(&r), 1, "no instance ever registers");
    let summary = ksim::report::summarize(&s, &r);
    assert_eq!(summary.karpenter.launches.registration_timeouts, 1);
    assert_eq!(summary.nodes.removed["registration_timeout"], 1);
    // Billed for the 15 minutes it ran.
    let cost = first.cost_usd(s.duration_ms);
    assert!((cost - first.price_per_hour / 4.0).abs() < 1e-9);
}

/// A NodePool's startup taints keep its nodes uninitialized, and pods off them, until they are
/// removed (KC `lifecycle/initialization.go`): with a 40 s removal delay, pods bind 40 s later
/// than without startup taints.
#[test]
fn startup_taints_delay_initialization() {
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let taints = "      startupTaints:\n        - {key: node.cilium.io/agent-not-ready, value: \"true\", effect: NoExecute}";
    let bound = |yaml: &str| {
        let (_, r) = run_yaml(yaml);
        r.cluster.pods.iter().filter_map(|p| p.bound).min().unwrap()
    };
    let plain = bound(&scenario(
        "",
        &pool("default", 1, reqs, ""),
        &deployment("app", 1, "1", ""),
    ));
    let tainted = bound(
        &scenario(
            "",
            &pool("default", 1, reqs, taints),
            &deployment("app", 1, "1", ""),
        )
        .replace(
            "    podShutdown: {constant: 1s}",
            "    podShutdown: {constant: 1s}\n    startupTaintRemoval: {constant: 40s}",
        ),
    );
    assert_eq!(tainted, plain + 40_000);
}

/// `minValues` (Strict): a NodeClaim must keep at least that many distinct values of the key
/// among its instance types (KC `cloudprovider/types.go` `SatisfiesMinValues`). A pod only one
/// family can hold cannot get a NodeClaim; `BestEffort` launches it anyway.
#[test]
fn min_values_is_enforced_unless_best_effort() {
    let reqs = r#"        - key: karpenter.k8s.aws/instance-family
          operator: In
          values: [m7g, c7g, r7g]
          minValues: 2
        - {key: karpenter.k8s.aws/instance-size, operator: In, values: [xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    // 20 GiB fits only r7g.xlarge (32 GiB) among the xlarge types.
    let big = deployment("big", 1, "1", "").replace("memory: 1Gi", "memory: 20Gi");
    let (_, r) = run_yaml(&scenario("", &pool("default", 1, reqs, ""), &big));
    assert!(r.launches.is_empty(), "no NodeClaim can meet minValues");
    assert_eq!(pending_at_end(&r), 1);
    // A small pod fits all three families: one launch, which keeps both.
    let (s, r) = run_yaml(&scenario(
        "",
        &pool("default", 1, reqs, ""),
        &deployment("small", 1, "1", ""),
    ));
    assert_eq!(launched(&s, &r).len(), 1);
    assert!(
        r.launches[0].overrides >= 2 * 2,
        "two families in two zones at least"
    );
    // BestEffort relaxes it.
    let (_, r) = run_yaml(&scenario(
        "  karpenter: {minValuesPolicy: BestEffort}",
        &pool("default", 1, reqs, ""),
        &big,
    ));
    assert_eq!(pending_at_end(&r), 0);
}

/// Required hostname anti-affinity: Karpenter gives each pod its own NodeClaim, kube-scheduler
/// never binds two on one node, and the rule holds in both directions between workloads
/// (InterPodAffinity filter; Karpenter `topologygroup.go` inverse anti-affinity).
#[test]
fn hostname_anti_affinity_spreads_pods_one_per_node() {
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.2xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let anti = r#"      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            - labelSelector: {matchLabels: {app: lonely}}
              topologyKey: kubernetes.io/hostname"#;
    let workloads = deployment("lonely", 4, "500m", anti) + &deployment("other", 8, "500m", "");
    let (s, r) = run_yaml(&scenario("", &pool("default", 1, reqs, ""), &workloads));
    assert_eq!(pending_at_end(&r), 0);
    let lonely = s.workloads.iter().position(|w| w.name == "lonely").unwrap();
    let other = s.workloads.iter().position(|w| w.name == "other").unwrap();
    let mut per_node = std::collections::BTreeMap::<u32, (u32, u32)>::new();
    for p in r.cluster.pods.iter().filter(|p| p.deleted.is_none()) {
        let e = per_node.entry(p.node.unwrap()).or_default();
        if p.workload as usize == lonely {
            e.0 += 1;
        } else if p.workload as usize == other {
            e.1 += 1;
        }
    }
    assert_eq!(per_node.values().filter(|v| v.0 == 1).count(), 4);
    assert!(per_node.values().all(|v| v.0 <= 1), "{per_node:?}");
    // Symmetry: now only "other" carries a term, against lonely pods; kube-scheduler and
    // Karpenter must keep lonely pods off nodes holding other pods too.
    let workloads = deployment("lonely", 4, "500m", "") + &deployment("other", 4, "500m", anti);
    let (s, r) = run_yaml(&scenario("", &pool("default", 1, reqs, ""), &workloads));
    assert_eq!(pending_at_end(&r), 0);
    let lonely = s.workloads.iter().position(|w| w.name == "lonely").unwrap();
    let mut lonely_nodes = std::collections::BTreeSet::new();
    let mut other_nodes = std::collections::BTreeSet::new();
    for p in r.cluster.pods.iter().filter(|p| p.deleted.is_none()) {
        if p.workload as usize == lonely {
            lonely_nodes.insert(p.node.unwrap());
        } else {
            other_nodes.insert(p.node.unwrap());
        }
    }
    assert!(
        lonely_nodes.is_disjoint(&other_nodes),
        "pods of other never share a node with lonely pods"
    );
}

/// Preferred anti-affinity: Karpenter treats it as required until it relaxes it
/// (`preferences.go`), so with room to launch, each pod gets its own node.
#[test]
fn preferred_anti_affinity_is_required_for_karpenter_until_relaxed() {
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.2xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let anti = r#"      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
            - weight: 100
              podAffinityTerm:
                labelSelector: {matchLabels: {app: app}}
                topologyKey: kubernetes.io/hostname"#;
    let (s, r) = run_yaml(&scenario(
        "",
        &pool("default", 1, reqs, ""),
        &deployment("app", 3, "500m", anti),
    ));
    assert_eq!(launched(&s, &r).len(), 3);
    // With a CPU limit of one m7g.2xlarge, the preference is relaxed and all three share it.
    let (s, r) = run_yaml(&scenario(
        "",
        &pool("default", 1, reqs, "")
            .replace("  disruption:", "  limits: {cpu: \"8\"}\n  disruption:"),
        &deployment("app", 3, "500m", anti),
    ));
    assert_eq!(launched(&s, &r).len(), 1);
    assert_eq!(pending_at_end(&r), 0);
}

/// A spot price trace (`spec.prices.spotTrace`) changes the offerings' prices over time:
/// launches pick the cheapest offering at the time, and running spot instances are billed each
/// price segment, as EC2 bills spot at the current spot price.
#[test]
fn spot_price_trace_drives_choices_and_billing() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("spot.csv");
    std::fs::write(
        &trace,
        "# DescribeSpotPriceHistory, reduced\ntime,instance_type,zone,usd_per_hour\n0s,c7g.xlarge,*,0.5\n0s,m7g.xlarge,*,0.05\n10m,m7g.xlarge,*,0.10\n",
    )
    .unwrap();
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [c7g.xlarge, m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let yaml = scenario(
        &format!("  prices: {{spotTrace: {}}}", trace.display()),
        &pool("default", 1, reqs, ""),
        &deployment("app", 1, "1", ""),
    );
    let (s, r) = run_yaml(&yaml);
    let nodes = launched(&s, &r);
    assert_eq!(nodes.len(), 1);
    assert_eq!(
        nodes[0].0, "m7g.xlarge",
        "c7g.xlarge is dearer in the trace"
    );
    let n = &r.cluster.nodes[0];
    let expected =
        0.05 * (600_000 - n.launched) as f64 / 3_600_000.0 + 0.10 * 1_200_000.0 / 3_600_000.0;
    assert!((n.cost_usd(s.duration_ms) - expected).abs() < 1e-9);
    let summary = ksim::report::summarize(&s, &r);
    assert!((summary.cost.total_usd - expected).abs() < 1e-5);
}

/// A trace row naming an unknown instance type is an error that names the file, the line and
/// the field.
#[test]
fn bad_spot_trace_rows_are_errors_with_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let trace = dir.path().join("spot.csv");
    std::fs::write(
        &trace,
        "time,instance_type,zone,usd_per_hour\n0s,m7g.xlarge,*,0.05\n5m,m9z.huge,*,0.1\n",
    )
    .unwrap();
    let reqs = r#"        - {key: karpenter.sh/capacity-type, operator: In, values: [spot]}"#;
    let yaml = scenario(
        &format!("  prices: {{spotTrace: {}}}", trace.display()),
        &pool("default", 1, reqs, ""),
        &deployment("app", 1, "1", ""),
    );
    let err = load(
        &[Source {
            name: "test.yaml".into(),
            base_dir: None,
            text: yaml,
        }],
        &Overrides::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("spot.csv:3"), "{err}");
    assert!(err.contains("instance_type"), "{err}");
    assert!(err.contains("m9z.huge"), "{err}");
}

/// Retryable `CreateFleet` errors: the lifecycle controller retries after 1 s, 2 s, 4 s, …
/// (at most 1 min) and deletes a NodeClaim not launched within 5 minutes (KC
/// `lifecycle/liveness.go` `LaunchTimeout`); its pods stay nominated to it until then.
#[test]
fn launch_errors_retry_with_backoff_and_time_out_after_five_minutes() {
    assert_eq!(
        (1..=8)
            .map(ksim::sim::launch_retry_backoff_ms)
            .collect::<Vec<_>>(),
        vec![1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]
    );
    let reqs = r#"        - {key: node.kubernetes.io/instance-type, operator: In, values: [m7g.xlarge]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [on-demand]}"#;
    let yaml = scenario(
        "  karpenter: {launchErrorProbability: 0.9}",
        &pool("default", 1, reqs, ""),
        &deployment("app", 6, "3", ""),
    )
    .replace("duration: 30m", "duration: 3h");
    let (s, r) = run_yaml(&yaml);
    use ksim::sim::LaunchOutcome;
    let timeouts: Vec<_> = r
        .launches
        .iter()
        .filter(|l| l.outcome == LaunchOutcome::LaunchTimeout)
        .collect();
    assert!(!timeouts.is_empty(), "0.9 per attempt times out often");
    for l in &timeouts {
        let n = &r.cluster.nodes[l.node.unwrap() as usize];
        assert_eq!(n.terminated, Some(l.time + 5 * 60_000));
        assert_eq!(n.removal, Some(RemovalReason::LaunchTimeout));
        assert_eq!(n.cost_usd(s.duration_ms), 0.0, "no instance ever ran");
        assert!(l.retries >= 9);
    }
    let retried: Vec<_> = r
        .launches
        .iter()
        .filter(|l| l.outcome == LaunchOutcome::Launched && l.retries > 0)
        .collect();
    assert!(!retried.is_empty());
    for l in &retried {
        // Billing starts when the call goes through: the cumulative backoff after the claim.
        let delay: u64 = (1..=l.retries)
            .map(ksim::sim::launch_retry_backoff_ms)
            .sum();
        let n = &r.cluster.nodes[l.node.unwrap() as usize];
        assert_eq!(n.launched, l.time + delay);
        assert_eq!(n.ready_at, Some(l.time + delay + 30_000));
    }
    assert_eq!(pending_at_end(&r), 0);
    let summary = ksim::report::summarize(&s, &r);
    assert_eq!(
        summary.karpenter.launches.launch_timeouts,
        timeouts.len() as u64
    );
}
