//! Karpenter disruption, spot interruptions, expiry, drain and the descheduler, ported from the
//! expectations of the upstream test suites as small scenario tests.
//!
//! Upstream sources, at the versions ksim models (see `docs/karpenter.md`):
//! - "KC": kubernetes-sigs/karpenter v1.14.1 (commit `6e7eab7a0f48`),
//!   `pkg/controllers/disruption/{consolidation,emptiness,drift,suite}_test.go`,
//!   `pkg/controllers/node/termination/suite_test.go`,
//!   `pkg/controllers/nodeclaim/expiration/suite_test.go`.
//! - "KA": aws/karpenter-provider-aws (commit `1d927085d`) `pkg/controllers/interruption/suite_test.go`.
//! - "DS": kubernetes-sigs/descheduler (commit `94a0fbdcbbf3`)
//!   `pkg/framework/plugins/podlifetime/pod_lifetime_test.go`, whose table rows are cited by their
//!   `description`.
//!
//! Only the expectations are ported. The scenarios are cold starts with constant latencies
//! (node launch 30 s, pod startup 2 s, shutdown 1 s) and scripted replica counts, so every time
//! in an assertion can be worked out by hand. Prices are us-east-1 on-demand list prices
//! (m7g.large $0.0816/h, m7g.xlarge $0.1632/h, m7g.2xlarge $0.3264/h); allocatable CPU of an
//! m7g.xlarge is 3.92 cores, so it holds three 1-core pods.

use crate::provisioning::run_yaml;
use ksim::cluster::{NodeOwner, RemovalReason};
use ksim::scenario::{Overrides, Scenario, Source, load};
use ksim::sim::{LaunchPurpose, RunLimits, SimResult};

const MIN: u64 = 60_000;

fn scenario(duration: &str, spec: &str, docs: &str) -> String {
    format!(
        r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {{name: t}}
spec:
  duration: {duration}
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
{docs}
"#
    )
}

/// A NodePool. `types` is a flow list of instance types, `capacity` `on-demand` or `spot`,
/// `template` extra lines of `spec.template.spec`, `disruption` the lines of `spec.disruption`.
fn pool(name: &str, types: &str, capacity: &str, template: &str, disruption: &str) -> String {
    format!(
        r#"---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {{name: {name}}}
spec:
  template:
    spec:
      nodeClassRef: {{group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}}
      requirements:
        - {{key: node.kubernetes.io/instance-type, operator: In, values: {types}}}
        - {{key: karpenter.sh/capacity-type, operator: In, values: [{capacity}]}}
{template}
  disruption:
{disruption}
"#
    )
}

fn deployment(name: &str, cpu: &str, pod_meta: &str, pod_spec: &str) -> String {
    format!(
        r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 0
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata:
      labels: {{app: {name}}}
{pod_meta}
    spec:
{pod_spec}
      containers:
        - name: app
          resources: {{requests: {{cpu: "{cpu}", memory: 1Gi}}}}
"#
    )
}

/// `spec.workloads` with scripted replicas: `(name, "[{at: 0s, replicas: 3}, …]")`.
fn scripts(list: &[(&str, &str)]) -> String {
    let mut y = String::from("  workloads:\n");
    for (name, steps) in list {
        y.push_str(&format!("    - {{name: {name}, replicas: {steps}}}\n"));
    }
    y
}

/// Karpenter nodes: (instance type, launched ms, terminated ms, removal reason).
fn pool_nodes(
    s: &Scenario,
    r: &SimResult,
) -> Vec<(String, u64, Option<u64>, Option<RemovalReason>)> {
    r.cluster
        .nodes
        .iter()
        .filter(|n| matches!(n.owner, NodeOwner::Pool(_)))
        .map(|n| {
            (
                s.catalog.get(n.instance_type).name.clone(),
                n.launched,
                n.terminated,
                n.removal.filter(|_| n.terminated.is_some()),
            )
        })
        .collect()
}

fn alive_at_end(s: &Scenario, r: &SimResult) -> Vec<String> {
    pool_nodes(s, r)
        .into_iter()
        .filter(|n| n.2.is_none())
        .map(|n| n.0)
        .collect()
}

fn when_done(r: &SimResult) -> usize {
    r.cluster
        .pods
        .iter()
        .filter(|p| p.deleted.is_none() && p.node.is_none())
        .count()
}

/// The largest number of Karpenter nodes terminated at the same instant.
fn largest_batch(r: &SimResult) -> usize {
    let mut at: std::collections::BTreeMap<u64, usize> = Default::default();
    for n in &r.cluster.nodes {
        if let (NodeOwner::Pool(_), Some(t)) = (n.owner, n.terminated) {
            *at.entry(t).or_default() += 1;
        }
    }
    at.values().copied().max().unwrap_or(0)
}

const ON_DEMAND_XL: &str = "[m7g.xlarge]";

/// Three m7g.xlarge nodes hold nine 1-core pods; at 10 m the Deployment scales to `after`.
fn three_nodes(disruption: &str, after: u32) -> String {
    scenario(
        "40m",
        &scripts(&[(
            "web",
            &format!("[{{at: 0s, replicas: 9}}, {{at: 10m, replicas: {after}}}]"),
        )]),
        &(pool("default", ON_DEMAND_XL, "on-demand", "", disruption)
            + &deployment("web", "1", "", "")),
    )
}

// ----- consolidateAfter -------------------------------------------------------------------------

/// KC emptiness_test.go:720 "should wait for the node TTL for empty nodes before consolidating"
/// and consolidation_test.go:3570 "should wait for the node TTL for non-empty nodes before
/// consolidating": nothing is disrupted until `consolidateAfter` has passed since the node's
/// last pod event, here the scale-down at 10 m.
#[test]
fn no_consolidation_before_consolidate_after() {
    let (s, r) = run_yaml(&three_nodes(
        "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 5m\n    budgets: [{nodes: \"100%\"}]",
        2,
    ));
    let nodes = pool_nodes(&s, &r);
    assert_eq!(nodes.len(), 3, "{nodes:?}");
    for n in &nodes {
        if let Some(t) = n.2 {
            // Pod deletions at 10 m restart the clock: 15 m, plus the 15 s validation.
            assert!(t >= 15 * MIN + 15_000, "terminated at {t} ms: {nodes:?}");
        }
    }
    // Two pods fit on one m7g.xlarge: the others go.
    assert_eq!(alive_at_end(&s, &r).len(), 1, "{nodes:?}");
    assert_eq!(when_done(&r), 0);
}

/// KC consolidation_test.go:125 "should fire an event for ConsolidationDisabled when the NodePool
/// has consolidateAfter set to 'Never'": `Never` disables emptiness and consolidation.
#[test]
fn consolidate_after_never_disables_consolidation() {
    let (s, r) = run_yaml(&three_nodes(
        "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: Never",
        0,
    ));
    assert_eq!(alive_at_end(&s, &r).len(), 3);
    assert!(r.disruption.commands_by_method.is_empty());
}

/// KC consolidation_test.go:114 "should fire an event for ConsolidationDisabled when the NodePool
/// has consolidation set to WhenEmpty": underutilized nodes stay, empty ones go.
#[test]
fn when_empty_leaves_underutilized_nodes() {
    let (s, r) = run_yaml(&three_nodes(
        "    consolidationPolicy: WhenEmpty\n    consolidateAfter: 1m\n    budgets: [{nodes: \"100%\"}]",
        2,
    ));
    // Scale-down deletes the newest pods first, spread over the nodes: none is empty.
    let alive = alive_at_end(&s, &r).len();
    assert!(alive >= 1, "{:?}", pool_nodes(&s, &r));
    assert_eq!(
        r.disruption
            .commands_by_method
            .get("single_node_consolidation"),
        None
    );
    assert_eq!(
        r.disruption
            .commands_by_method
            .get("multi_node_consolidation"),
        None
    );
}

// ----- budgets ------------------------------------------------------------------------------------

/// Ten empty m7g.xlarge nodes after a scale to zero at 10 m.
fn ten_empty_nodes(budget: &str) -> (Scenario, SimResult) {
    run_yaml(&scenario(
        "40m",
        &scripts(&[("web", "[{at: 0s, replicas: 30}, {at: 10m, replicas: 0}]")]),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "on-demand",
            "",
            &format!(
                "    consolidationPolicy: WhenEmpty\n    consolidateAfter: 1m\n    budgets: [{{nodes: \"{budget}\"}}]"
            ),
        ) + &deployment("web", "1", "", "")),
    ))
}

/// KC emptiness_test.go:194 "should only allow 3 empty nodes to be disrupted": a 30 % budget over
/// 10 nodes (rounded up) lets 3 go at once.
#[test]
fn budget_of_30_percent_over_10_nodes_allows_3() {
    let (s, r) = ten_empty_nodes("30%");
    assert_eq!(pool_nodes(&s, &r).len(), 10);
    assert_eq!(largest_batch(&r), 3);
    assert!(alive_at_end(&s, &r).is_empty());
}

/// A 10 % budget over 10 nodes disrupts one node at a time (`ceil(10 × 10 %) = 1`).
#[test]
fn budget_of_10_percent_over_10_nodes_allows_1() {
    let (s, r) = ten_empty_nodes("10%");
    assert_eq!(largest_batch(&r), 1);
    assert!(alive_at_end(&s, &r).is_empty());
    assert_eq!(r.disruption.commands_by_method["emptiness"], 10);
}

/// KC emptiness_test.go:153 "should allow no empty nodes to be disrupted": a budget of 0.
#[test]
fn budget_of_zero_blocks_emptiness() {
    let (s, r) = ten_empty_nodes("0");
    assert_eq!(alive_at_end(&s, &r).len(), 10);
}

/// KC emptiness_test.go:111 "should allow all empty nodes to be disrupted": 100 %.
#[test]
fn budget_of_100_percent_takes_all_at_once() {
    let (_, r) = ten_empty_nodes("100%");
    assert_eq!(largest_batch(&r), 10);
}

/// Budgets with `reasons`: a zero budget for `Underutilized` leaves emptiness alone (KC
/// `nodepool.go` `GetAllowedDisruptionsByReason`).
#[test]
fn budget_reasons_apply_per_reason() {
    let (s, r) = run_yaml(&three_nodes(
        "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 1m\n    budgets: [{nodes: \"100%\", reasons: [Empty]}, {nodes: \"0\", reasons: [Underutilized]}]",
        1,
    ));
    // One pod left: two nodes are empty and go; the third cannot be consolidated further.
    assert!(
        !r.disruption
            .commands_by_method
            .contains_key("single_node_consolidation")
    );
    assert!(r.disruption.commands_by_method.contains_key("emptiness"));
    assert_eq!(alive_at_end(&s, &r).len(), 1);
}

// ----- replace, delete, merge ---------------------------------------------------------------

/// One m7g.2xlarge for three 2-core pods; at 10 m one pod is left.
fn big_node(pool_types: &str, pod_meta: &str, disruption_extra: &str) -> (Scenario, SimResult) {
    run_yaml(&scenario(
        "30m",
        &scripts(&[("web", "[{at: 0s, replicas: 3}, {at: 10m, replicas: 1}]")]),
        &(pool(
            "default",
            pool_types,
            "on-demand",
            "",
            &format!(
                "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 1m{disruption_extra}"
            ),
        ) + &deployment("web", "2", pod_meta, "")),
    ))
}

/// KC consolidation_test.go:1006 `DescribeTable("can replace node")`, entry "if the candidate is
/// on-demand node" (:1058): an on-demand m7g.2xlarge
/// whose one 2-core pod fits an m7g.xlarge is replaced by the strictly cheaper m7g.xlarge,
/// which is initialized before the old node is drained.
#[test]
fn replaces_with_a_cheaper_node() {
    let (s, r) = big_node("[m7g.xlarge, m7g.2xlarge]", "", "");
    let nodes = pool_nodes(&s, &r);
    assert_eq!(nodes[0].0, "m7g.2xlarge", "{nodes:?}");
    assert_eq!(nodes[0].3, Some(RemovalReason::Underutilized), "{nodes:?}");
    let rep = r
        .launches
        .iter()
        .find(|l| l.purpose == LaunchPurpose::Replacement)
        .expect("a replacement");
    let rep_type = s
        .catalog
        .get(rep.launch.expect("launched").instance_type)
        .name
        .clone();
    assert_eq!(rep_type, "m7g.xlarge");
    // Replacement first: the old node goes only after the new one is Ready (30 s launch).
    assert!(nodes[0].2.unwrap() >= rep.time + 30_000);
    assert_eq!(alive_at_end(&s, &r), vec!["m7g.xlarge".to_string()]);
    assert!(r.disruption.consolidation_savings_usd_per_hour > 0.16);
}

/// KC consolidation_test.go:2301 "won't replace on-demand node if on-demand replacement is more
/// expensive": with only the same type allowed, nothing strictly cheaper exists.
#[test]
fn never_replaces_with_an_equal_or_dearer_node() {
    let (s, r) = big_node("[m7g.2xlarge, m7g.4xlarge]", "", "");
    assert!(
        r.launches
            .iter()
            .all(|l| l.purpose != LaunchPurpose::Replacement)
    );
    assert_eq!(alive_at_end(&s, &r), vec!["m7g.2xlarge".to_string()]);
}

/// KC consolidation_test.go:2686 "can delete nodes, considers karpenter.sh/do-not-disrupt set to
/// true on pods": a pod with the annotation keeps its node from consolidation.
#[test]
fn do_not_disrupt_pods_block_consolidation() {
    let (s, r) = big_node(
        "[m7g.xlarge, m7g.2xlarge]",
        "      annotations: {karpenter.sh/do-not-disrupt: \"true\"}",
        "",
    );
    assert!(r.disruption.commands_by_method.is_empty());
    assert_eq!(alive_at_end(&s, &r), vec!["m7g.2xlarge".to_string()]);
}

/// KC consolidation_test.go:4030 "can merge 3 nodes into 1": three m7g.xlarge nodes, each with
/// one 0.5-core pod after the 3-core pods go, become one m7g.large in one multi-node command
/// (the replacement must be cheaper than the cheapest candidate of the same type,
/// `filterOutSameInstanceType`).
#[test]
fn merges_three_nodes_into_one() {
    let anti = "      affinity:\n        podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n            - labelSelector: {matchLabels: {app: big}}\n              topologyKey: kubernetes.io/hostname";
    let (s, r) = run_yaml(&scenario(
        "30m",
        &scripts(&[
            ("big", "[{at: 0s, replicas: 3}, {at: 10m, replicas: 0}]"),
            ("small", "[{at: 5m, replicas: 3}]"),
        ]),
        &(pool(
            "default",
            "[m7g.large, m7g.xlarge]",
            "on-demand",
            "",
            "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 30s\n    budgets: [{nodes: \"100%\"}]",
        ) + &deployment("big", "3", "", anti)
            + &deployment("small", "0.5", "", "")),
    ));
    let nodes = pool_nodes(&s, &r);
    assert_eq!(
        nodes.iter().filter(|n| n.0 == "m7g.xlarge").count(),
        3,
        "{nodes:?}"
    );
    assert_eq!(
        r.disruption
            .commands_by_method
            .get("multi_node_consolidation"),
        Some(&1)
    );
    assert_eq!(largest_batch(&r), 3, "{nodes:?}");
    assert_eq!(
        alive_at_end(&s, &r),
        vec!["m7g.large".to_string()],
        "{nodes:?}"
    );
    assert_eq!(when_done(&r), 0);
}

// ----- drain: PDB, terminationGracePeriod, expiry ----------------------------------------------

fn expiring(template: &str, pdb: bool) -> (Scenario, SimResult) {
    let pdb_doc = if pdb {
        "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web}\nspec:\n  maxUnavailable: 0\n  selector: {matchLabels: {app: web}}\n"
    } else {
        ""
    };
    run_yaml(&scenario(
        "50m",
        &scripts(&[("web", "[{at: 0s, replicas: 3}]")]),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "on-demand",
            template,
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never\n    budgets: [{nodes: \"0\"}]",
        ) + &deployment("web", "1", "", "      terminationGracePeriodSeconds: 30")
            + pdb_doc),
    ))
}

/// KC nodeclaim/expiration suite_test.go:158 "should delete NodeClaims if the nodeClaim is
/// expired but the node isn't", here with a budget of 0: expiry is forceful and not limited by
/// budgets (KA `docs/concepts/disruption.md`, "Forceful"). The pods are provisioned for at once
/// and move to a new node.
#[test]
fn expiry_is_not_limited_by_budgets() {
    let (s, r) = expiring("      expireAfter: 30m", false);
    let nodes = pool_nodes(&s, &r);
    let first = &nodes[0];
    assert_eq!(first.3, Some(RemovalReason::Expired), "{nodes:?}");
    // NodeClaim created at 1 s (batch window), expires 30 min later; drained in ≥ 5 s.
    let t = first.2.unwrap();
    assert!((30 * MIN + 1_000..30 * MIN + 60_000).contains(&t), "{t}");
    assert!(r.disruption.expirations >= 1);
    assert_eq!(r.disruption.evicted_by_cause["expired"], 3);
    assert_eq!(when_done(&r), 0);
}

/// KC node/termination suite_test.go:368 "should fail to evict pods that violate a PDB": without
/// a terminationGracePeriod the expired node stays cordoned with its pods.
#[test]
fn a_pdb_blocks_the_drain() {
    let (s, r) = expiring("      expireAfter: 30m", true);
    let nodes = pool_nodes(&s, &r);
    assert!(nodes[0].2.is_none(), "{nodes:?}");
    assert_eq!(r.pods_evicted, 0);
}

/// KC node/termination suite_test.go:751 "should preemptively delete pods to satisfy their
/// terminationGracePeriodSeconds": pods are deleted at the node's termination time minus their
/// own grace period (30 s), whatever their PDB says.
#[test]
fn termination_grace_period_overrides_the_pdb() {
    let (s, r) = expiring(
        "      expireAfter: 30m\n      terminationGracePeriod: 10m",
        true,
    );
    let nodes = pool_nodes(&s, &r);
    let t = nodes[0].2.expect("terminated");
    // Expired at 30m 1s; pods forced out at 40m 1s − 30 s (the drain retries every second).
    assert!((39 * MIN..40 * MIN + 5_000).contains(&t), "{t}");
    assert_eq!(r.disruption.forced_deletions, 3);
}

// ----- spot interruption ------------------------------------------------------------------------

/// KA interruption suite_test.go:137 "should delete the NodeClaim when receiving a spot
/// interruption warning" and :279 "should mark the ICE cache for the offering when getting a spot
/// interruption warning": the node is cordoned and drained and a replacement is launched at once
/// in another offering; EC2 reclaims the instance 2 minutes after the notice.
#[test]
fn spot_interruption_triggers_a_replacement() {
    let (s, r) = run_yaml(&scenario(
        "30m",
        &(scripts(&[("web", "[{at: 0s, replicas: 3}]")])
            + "  spotInterruptions: [{at: 10m, count: 1}]\n"),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "spot",
            "",
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never",
        ) + &deployment("web", "1", "", "")),
    ));
    assert_eq!(r.disruption.interruption_notices, 1);
    let nodes: Vec<_> = r
        .cluster
        .nodes
        .iter()
        .filter(|n| matches!(n.owner, NodeOwner::Pool(_)))
        .collect();
    assert_eq!(nodes.len(), 2);
    let (old, new) = (nodes[0], nodes[1]);
    assert_eq!(old.removal, Some(RemovalReason::Interrupted));
    let gone = old.terminated.unwrap();
    assert!((10 * MIN + 5_000..=12 * MIN).contains(&gone), "{gone}");
    // The replacement is launched within a batch window of the notice, in the other zone.
    assert!(
        (10 * MIN..10 * MIN + 15_000).contains(&new.launched),
        "{}",
        new.launched
    );
    assert_ne!(new.zone, old.zone);
    assert_eq!(r.disruption.evicted_by_cause["interrupted"], 3);
    assert_eq!(when_done(&r), 0);
    // Their replacements' wait is reported as interruption-caused, not consolidation's.
    let d = ksim::report::summarize(&s, &r).disruption;
    assert!(d.pending_pod_s_by_cause["interrupted"] > 0.0, "{d:?}");
    assert_eq!(d.pending_pod_s_by_cause["interrupted"], d.pending_pod_s);
    assert_eq!(d.consolidation_pending_pod_s, 0.0);
}

/// Interruptions drawn from `interruptionFrequency`: at 100 % per month over 60 days of
/// simulated time almost every spot instance is interrupted, and every pod still runs.
#[test]
fn interruption_frequency_interrupts_spot_nodes() {
    let (_, r) = run_yaml(&scenario(
        "1440h",
        &(scripts(&[("web", "[{at: 0s, replicas: 6}]")])
            + "  capacity: [{capacityType: spot, interruptionFrequency: 0.9}]\n"),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "spot",
            "",
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never",
        ) + &deployment("web", "1", "", "")),
    ));
    // λ = −ln(0.1)/30 d ≈ 0.077/d: two nodes over 60 days see about 9 notices in all.
    assert!(
        (3..=20).contains(&r.disruption.interruption_notices),
        "{}",
        r.disruption.interruption_notices
    );
    assert_eq!(when_done(&r), 0);
}

/// 30 one-CPU pods on spot m7gd.xlarge in us-east-1 (about ten nodes), never consolidated.
fn spot_m7gd_xlarge(duration: &str, spec: &str) -> (Scenario, SimResult) {
    run_yaml(&scenario(
        duration,
        &(scripts(&[("web", "[{at: 0s, replicas: 30}]")]) + spec),
        &(pool(
            "default",
            "[m7gd.xlarge]",
            "spot",
            "",
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never",
        ) + &deployment("web", "1", "", "")),
    ))
}

/// Writes a spot interruption table into `dir` and returns the `spotInterruptionDefaults` line
/// that names it.
fn interruption_table(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    format!("  spotInterruptionDefaults: {}\n", path.display())
}

/// Without capacity rules, spot instances are interrupted at the Spot Instance Advisor rate of
/// their type and region (data/spot-interruptions.csv: m7gd.xlarge in us-east-1 is ">20%", taken
/// as 0.225 a month), and `spotInterruptionDefaults: none` turns the defaults off.
#[test]
fn spot_instance_advisor_defaults_interrupt_spot_nodes() {
    let run = |spec: &str| spot_m7gd_xlarge("1440h", spec).1;
    let on = run("");
    // λ = −ln(0.775)/30 d ≈ 0.0085 per node-day: ten nodes over 60 days see about 5 notices.
    assert!(
        (1..=15).contains(&on.disruption.interruption_notices),
        "{}",
        on.disruption.interruption_notices
    );
    assert_eq!(when_done(&on), 0);
    let off = run("  spotInterruptionDefaults: none\n");
    assert_eq!(off.disruption.interruption_notices, 0);
    // A capacity rule overrides the default.
    let ruled = run("  capacity: [{capacityType: spot, interruptionFrequency: 0}]\n");
    assert_eq!(ruled.disruption.interruption_notices, 0);
}

/// `spotInterruptionDefaults: FILE` reads a fresh copy of the Advisor's feed: its bucket for the
/// type and region is what the offering gets (here "5-10%" for us-east-1 m7gd.xlarge, where the
/// embedded table has ">20%"), and the run is the same as with a capacity rule giving that
/// bucket.
#[test]
fn spot_interruption_defaults_from_an_advisor_feed() {
    let dir = tempfile::tempdir().unwrap();
    let spec = interruption_table(
        &dir,
        "spot-advisor-data.JSON",
        r#"{"ranges":[{"index":0,"label":"<5%"},{"index":1,"label":"5-10%"}],
            "spot_advisor":{"us-east-1":{"Linux":{"m7gd.xlarge":{"s":60,"r":1}}}}}"#,
    );
    let (s, from_file) = spot_m7gd_xlarge("2880h", &spec);
    let ti = s.catalog.index_of("m7gd.xlarge").unwrap();
    let spot = ksim::cloud::pricing::CapacityType::Spot;
    assert_eq!(
        s.capacity.pool(ti, 0, spot, 0).interruption_frequency,
        0.075
    );
    let (_, ruled) = spot_m7gd_xlarge(
        "2880h",
        "  spotInterruptionDefaults: none\n  capacity: [{capacityType: spot, interruptionFrequency: \"5-10%\"}]\n",
    );
    // λ = −ln(0.925)/30 d ≈ 0.0026 per node-day: ten nodes over 120 days see about 3 notices.
    assert!(from_file.disruption.interruption_notices > 0);
    assert_eq!(
        from_file.disruption.interruption_notices,
        ruled.disruption.interruption_notices
    );
    assert_eq!(from_file.events_processed, ruled.events_processed);
}

/// A user's table that lacks an instance type a NodePool allows: the type keeps the embedded
/// Advisor default (m7gd.xlarge in us-east-1 is ">20%", 0.225), and the scenario warns, naming
/// it; a type in the table takes the table's value.
#[test]
fn spot_interruption_table_missing_a_type_falls_back_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let spec = interruption_table(
        &dir,
        "rates.CSV",
        "region,instance_type,interruption_frequency\nus-east-1,m7g.xlarge,0.01\n",
    );
    let (s, _) = spot_m7gd_xlarge("1h", &spec);
    let spot = ksim::cloud::pricing::CapacityType::Spot;
    let freq = |t: &str| {
        s.capacity
            .pool(s.catalog.index_of(t).unwrap(), 0, spot, 0)
            .interruption_frequency
    };
    assert_eq!(freq("m7gd.xlarge"), 0.225);
    assert_eq!(freq("m7g.xlarge"), 0.01);
    let warned: Vec<_> = s
        .warnings
        .iter()
        .filter(|w| w.contains("rates.CSV has no row for m7gd.xlarge in us-east-1"))
        .collect();
    assert_eq!(warned.len(), 1, "{:?}", s.warnings);
    assert!(warned[0].contains("embedded Spot Instance Advisor defaults"));
    // On-demand offerings are never given an interruption frequency, even by a rule that names
    // no capacity type.
    let (s, _) = spot_m7gd_xlarge(
        "1h",
        "  capacity: [{instanceTypes: [m7gd.xlarge], interruptionFrequency: 0.5}]\n",
    );
    let ti = s.catalog.index_of("m7gd.xlarge").unwrap();
    let od = ksim::cloud::pricing::CapacityType::OnDemand;
    assert_eq!(s.capacity.pool(ti, 0, od, 0).interruption_frequency, 0.0);
    assert_eq!(s.capacity.pool(ti, 0, spot, 0).interruption_frequency, 0.5);
}

// ----- spot-to-spot consolidation ------------------------------------------------------------------

/// Every Graviton type of the catalog but metal, as a flow list.
fn graviton_types() -> String {
    let catalog = ksim::cloud::catalog::Catalog::embedded();
    let names: Vec<&str> = catalog
        .types()
        .iter()
        .map(|t| t.name.as_str())
        .filter(|n| n.contains("7g") && !n.ends_with(".metal"))
        .collect();
    format!("[{}]", names.join(", "))
}

/// The scenario line that turns the `SpotToSpotConsolidation` feature gate on.
const SPOT_TO_SPOT: &str = "  karpenter: {spotToSpotConsolidation: true}\n";

/// One spot node sized for 30 one-CPU pods, left with one pod after a scale-down at 10 min: a
/// single-node consolidation candidate that only a cheaper spot node could replace.
fn lone_spot_node(types: &str, template: &str, spec: &str) -> (Scenario, SimResult) {
    run_yaml(&scenario(
        "1h",
        &(scripts(&[("web", "[{at: 0s, replicas: 30}, {at: 10m, replicas: 1}]")])
            + "  spotInterruptionDefaults: none\n"
            + spec),
        &(pool(
            "default",
            types,
            "spot",
            template,
            "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 30s",
        ) + &deployment("web", "1", "", "")),
    ))
}

/// The replacement launches of a run: the number of overrides of each `CreateFleet` call.
fn replacement_overrides(r: &SimResult) -> Vec<usize> {
    r.launches
        .iter()
        .filter(|l| l.purpose == LaunchPurpose::Replacement)
        .map(|l| l.overrides)
        .collect()
}

/// KC consolidation_test.go "cannot replace spot with spot if the spotToSpotConsolidation is
/// disabled": with the feature gate off (the default), the lone spot node stays.
#[test]
fn spot_to_spot_is_off_by_default() {
    let (s, r) = lone_spot_node(&graviton_types(), "", "");
    assert!(replacement_overrides(&r).is_empty());
    assert_eq!(
        r.disruption
            .commands_by_method
            .get("single_node_consolidation"),
        None
    );
    assert_eq!(alive_at_end(&s, &r).len(), 1);
}

/// KC consolidation_test.go "cannot replace spot with spot if less than minimum InstanceTypes
/// flexibility": with the gate on but fewer than 15 cheaper types (only m7g.large to
/// m7g.4xlarge fit the pod for less than the node), the node stays.
#[test]
fn spot_to_spot_needs_fifteen_cheaper_types() {
    let m7g = "[m7g.medium, m7g.large, m7g.xlarge, m7g.2xlarge, m7g.4xlarge, m7g.8xlarge, m7g.12xlarge, m7g.16xlarge]";
    let (s, r) = lone_spot_node(m7g, "", SPOT_TO_SPOT);
    assert!(replacement_overrides(&r).is_empty());
    assert_eq!(alive_at_end(&s, &r).len(), 1);
}

/// KC consolidation_test.go "can replace spot with spot" and "spot to spot consolidation should
/// order the instance types by price before enforcing minimum flexibility": with the gate on and
/// at least 15 cheaper types, the node is replaced by a spot node launched from exactly the 15
/// cheapest types (30 overrides over two zones), so the launched type is among them.
#[test]
fn spot_to_spot_replaces_from_the_fifteen_cheapest_types() {
    let (s, r) = lone_spot_node(&graviton_types(), "", SPOT_TO_SPOT);
    assert_eq!(replacement_overrides(&r), vec![30]);
    assert_eq!(
        r.disruption.commands_by_method["single_node_consolidation"],
        1
    );
    let alive = alive_at_end(&s, &r);
    assert_eq!(alive.len(), 1, "{alive:?}");
    // The replacement is the cheapest type that fits one pod; the candidate held 30.
    let nodes = pool_nodes(&s, &r);
    assert_eq!(nodes.len(), 2, "{nodes:?}");
    assert_eq!(nodes[0].3, Some(RemovalReason::Underutilized));
    let vcpu = |name: &str| s.catalog.get(s.catalog.index_of(name).unwrap()).vcpu;
    assert!(vcpu(&alive[0]) < vcpu(&nodes[0].0), "{nodes:?}");
    assert_eq!(when_done(&r), 0);
}

/// KC consolidation_test.go "spot to spot consolidation should consider the max of default and
/// minimum number of instanceTypeOptions from minValues in requirement for truncation if minimum
/// number of instanceTypeOptions from minValues in requirement is greater than 15": with
/// `minValues: 16` on the instance type, the replacement launches from the 16 cheapest types.
#[test]
fn spot_to_spot_keeps_as_many_types_as_min_values_needs() {
    let (_, r) = lone_spot_node(
        &graviton_types(),
        "        - {key: node.kubernetes.io/instance-type, operator: Exists, minValues: 16}",
        SPOT_TO_SPOT,
    );
    assert_eq!(replacement_overrides(&r), vec![32]);
}

// ----- drift --------------------------------------------------------------------------------------

/// KC drift_test.go:703 "should replace drifted nodes" and :1052 "should drift one non-empty node
/// at a time, starting with the earliest drift": after a drift event every old node is replaced,
/// one command at a time within the default 10 % budget, replacements first.
#[test]
fn drifted_nodes_are_replaced() {
    let (s, r) = run_yaml(&scenario(
        "1h",
        &(scripts(&[("web", "[{at: 0s, replicas: 9}]")])
            + "  drift: [{at: 10m, reason: AMI release}]\n"),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "on-demand",
            "",
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never",
        ) + &deployment("web", "1", "", "")),
    ));
    let nodes = pool_nodes(&s, &r);
    let drifted: Vec<_> = nodes
        .iter()
        .filter(|n| n.3 == Some(RemovalReason::Drifted))
        .collect();
    assert_eq!(drifted.len(), 3, "{nodes:?}");
    assert_eq!(r.disruption.drifted_nodes, 3);
    assert_eq!(largest_batch(&r), 1);
    assert!(drifted.iter().all(|n| n.2.unwrap() > 10 * MIN));
    assert_eq!(alive_at_end(&s, &r).len(), 3);
    assert_eq!(r.disruption.commands_by_method["drift"], 3);
    assert_eq!(when_done(&r), 0);
}

// ----- descheduler ------------------------------------------------------------------------------

fn descheduled(policy: &str, spec: &str) -> (Scenario, SimResult) {
    run_yaml(&scenario(
        "20m",
        &(scripts(&[
            ("web", "[{at: 0s, replicas: 3}]"),
            ("other", "[{at: 0s, replicas: 2}]"),
        ]) + spec),
        &(pool(
            "default",
            "[m7g.2xlarge]",
            "on-demand",
            "",
            "    consolidationPolicy: WhenEmpty\n    consolidateAfter: Never",
        ) + &deployment("web", "1", "", "")
            + &deployment("other", "1", "", "")
            + policy),
    ))
}

fn evicted_at(r: &SimResult, workload: usize) -> Vec<u64> {
    let mut v: Vec<u64> = r
        .cluster
        .pods
        .iter()
        .filter(|p| p.workload as usize == workload)
        .filter_map(|p| p.deleted)
        .collect();
    v.sort_unstable();
    v
}

/// DS "Two pods in the `dev` Namespace, 1 is new and 1 very is old. 1 should be evicted." with
/// the namespace and label selector of the photo-sharing cluster's policy (descheduler/v1alpha1):
/// pods older than the limit are evicted at the first run that sees them so (runs every 2
/// minutes); `other` does not match the selector.
#[test]
fn pod_lifetime_evicts_pods_strictly_older_than_the_limit() {
    let policy = r#"---
apiVersion: descheduler/v1alpha1
kind: DeschedulerPolicy
strategies:
  PodLifeTime:
    enabled: true
    params:
      podLifeTime: {maxPodLifeTimeSeconds: 600}
      namespaces: {include: [default]}
      labelSelector: {matchLabels: {app: web}}
"#;
    let (_, r) = descheduled(policy, "");
    // Pods created at 0; the run at 10 m sees age 600 s, not > 600; the run at 12 m evicts.
    assert_eq!(evicted_at(&r, 0), vec![12 * MIN; 3]);
    assert!(evicted_at(&r, 1).is_empty());
    assert_eq!(r.disruption.evicted_by_cause["descheduled"], 3);
    assert_eq!(when_done(&r), 0);
}

/// The Eviction API under the descheduler: with `maxUnavailable: 1` one pod goes per run while
/// its replacement is not Ready; v1alpha2 profile syntax; `maxNoOfPodsToEvictTotal`.
#[test]
fn pod_lifetime_respects_pdbs_and_limits() {
    let policy = r#"---
apiVersion: descheduler/v1alpha2
kind: DeschedulerPolicy
maxNoOfPodsToEvictTotal: 10
profiles:
  - name: leak
    pluginConfig:
      - name: PodLifeTime
        args: {maxPodLifeTimeSeconds: 600}
    plugins:
      deschedule: {enabled: [PodLifeTime]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
"#;
    let (_, r) = descheduled(policy, "  descheduler: {interval: 1m}\n");
    let web = evicted_at(&r, 0);
    // Runs every minute: 11 m evicts one pod of `web` (the PDB then allows none), 12 m the next.
    assert_eq!(&web[..3], &[11 * MIN, 12 * MIN, 13 * MIN], "{web:?}");
    // `other` has no PDB: both pods at 11 m.
    assert_eq!(&evicted_at(&r, 1)[..2], &[11 * MIN, 11 * MIN]);
}

// ----- the trade-off ----------------------------------------------------------------------------

/// The reference scenario at `consolidateAfter` 0s, 3m and 30m: a shorter window costs less and
/// churns more (the issue's acceptance check); what consolidation saved is measured against the
/// same seed with consolidation off, which is the `Never` run.
#[test]
fn consolidate_after_trades_cost_for_churn_on_the_reference_day() {
    let mut results = Vec::new();
    let mut saved = Vec::new();
    let mut never_cost = None;
    for after in ["0s", "3m", "30m", "Never"] {
        let text = ksim::scenario::REFERENCE_YAML.replace(
            "consolidateAfter: 3m",
            &format!("consolidateAfter: {after}"),
        );
        assert!(text.contains(&format!("consolidateAfter: {after}")));
        let s = load(
            &[Source {
                name: "reference.yaml".into(),
                base_dir: None,
                text,
            }],
            &Overrides::default(),
        )
        .unwrap();
        let (_, sum) = ksim::savings::simulate(&s, RunLimits::default(), false).unwrap();
        let d = &sum.disruption;
        if after == "Never" {
            assert_eq!(d.consolidation_saved_usd, None);
            assert_eq!(d.consolidation_pending_pod_s, 0.0);
            never_cost = Some(sum.cost.total_usd);
            continue;
        }
        // The reference has no other disruption: all its pending is consolidation's.
        assert_eq!(d.consolidation_pending_pod_s, d.pending_pod_s);
        assert!(d.consolidation_pending_pod_s > 0.0);
        let (s_usd, without) = (
            d.consolidation_saved_usd.unwrap(),
            d.cost_without_consolidation_usd.unwrap(),
        );
        assert!((without - sum.cost.total_usd - s_usd).abs() < 1e-5);
        saved.push((s_usd, without));
        results.push((
            after,
            sum.cost.total_usd,
            d.node_churn_per_hour,
            d.pending_pod_s,
        ));
    }
    // The counterfactual is the `Never` run, the same for every window; the saving is what the
    // window gives up against it.
    for (s_usd, without) in &saved {
        assert_eq!(Some(*without), never_cost);
        assert!(*s_usd > 0.0);
    }
    assert!(
        saved[0].0 > saved[1].0 && saved[1].0 > saved[2].0,
        "{saved:?}"
    );
    // Cost falls as the window shortens; disruption-caused pending rises.
    let (c0, c3, c30) = (results[0].1, results[1].1, results[2].1);
    assert!(c0 < c3 && c3 < c30, "{results:?}");
    let (p0, p3, p30) = (results[0].3, results[1].3, results[2].3);
    assert!(p0 > p3 && p3 > p30, "{results:?}");
    // Node churn: more nodes come and go with a short window.
    assert!(results[0].2 > results[2].2, "{results:?}");
}

// ----- versions ---------------------------------------------------------------------------------

/// One m7g.xlarge holding one pod of priority −10⁸, whose eviction cost is
/// `clamp(1 − 10⁸/2²⁵) = −1.98` (KC `pkg/utils/disruption/disruption.go` `EvictionCost`).
fn low_priority_node(version: &str) -> SimResult {
    run_yaml(&scenario(
        "20m",
        &(scripts(&[("buffer", "[{at: 0s, replicas: 1}]")])
            + &format!("  karpenter: {{version: {version}}}\n")),
        &(pool(
            "default",
            ON_DEMAND_XL,
            "on-demand",
            "",
            "    consolidationPolicy: WhenEmptyOrUnderutilized\n    consolidateAfter: 1m",
        ) + &deployment("buffer", "1", "", "      priority: -100000000")),
    ))
    .1
}

/// KC v1.14 emptiness.go (`RescheduleDisruptionCost ≤ 1`; emptiness_test.go:868 "should not
/// consider a node with real pods AND buffer pods as empty" is the converse): from v1.14 a node
/// whose only pod has a non-positive eviction cost counts as empty; in v1.13 it does not, and as
/// the pod fits nowhere else the node stays.
#[test]
fn v1_14_counts_nodes_of_costless_pods_as_empty() {
    let r14 = low_priority_node("v1.14");
    assert!(r14.disruption.commands_by_method.contains_key("emptiness"));
    let r13 = low_priority_node("v1.13.2");
    assert!(
        r13.disruption.commands_by_method.is_empty(),
        "{:?}",
        r13.disruption
    );
}

/// `spec.karpenter.version` is validated.
#[test]
fn karpenter_version_is_checked() {
    let yaml = scenario("10m", "  karpenter: {version: v2.0}\n", "");
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
    assert!(
        err.contains("spec.karpenter.version")
            && err.contains("must be a Karpenter v1 release from v1.0 to v1.14"),
        "{err}"
    );
}

/// DS "Two pods in the `dev` Namespace, 1 created 605 seconds ago. 1 should be evicted." and
/// "… 1 created 595 seconds ago. 0 should be evicted.", and "1 Oldest pod should be evicted when
/// maxPodsToEvictPerNode is set to 1": with a run every second, pods created at 0 are evicted at
/// 601 s (age 601 > 600; at 600 s they are not older), one per node per run.
#[test]
fn pod_lifetime_is_strictly_older_and_per_node_limited() {
    let policy = r#"---
apiVersion: descheduler/v1alpha2
kind: DeschedulerPolicy
maxNoOfPodsToEvictPerNode: 1
profiles:
  - name: p
    pluginConfig: [{name: PodLifeTime, args: {maxPodLifeTimeSeconds: 600}}]
    plugins: {deschedule: {enabled: [PodLifeTime]}}
"#;
    let (s, r) = descheduled(policy, "  descheduler: {interval: 1s}\n");
    // One m7g.2xlarge holds all five pods: one eviction per run.
    assert_eq!(pool_nodes(&s, &r).len(), 1);
    let mut all: Vec<u64> = evicted_at(&r, 0);
    all.extend(evicted_at(&r, 1));
    all.sort_unstable();
    assert_eq!(&all[..3], &[601_000, 602_000, 603_000], "{all:?}");
}
