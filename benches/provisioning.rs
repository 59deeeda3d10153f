//! Criterion benchmark: Karpenter's provisioning solver on its own, in pods per second.
//!
//! One solve packs N pending pods (1k, 5k, 10k, 20k) onto new NodeClaims from a NodePool that
//! allows the full Graviton catalog (m7g, m7gd, c7g, c7gd, r7g, r7gd, every size, spot and
//! on-demand, three zones). The pods come from five Deployments of different sizes, two of them
//! with zone topology spread and one with hostname spread, as in a real cluster. The figure to
//! compare is Karpenter's own: about 1,000–1,300 pods/s (kubernetes-sigs/karpenter PR #2486).

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ksim::karpenter::provisioning::{Provisioner, SolveOptions, pending_cluster};
use ksim::scenario::{Overrides, Scenario, Source, load};
use rand::SeedableRng;
use std::hint::black_box;

const SCENARIO: &str = r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {name: solver}
spec:
  region: us-east-1
  zones: [us-east-1a, us-east-1b, us-east-1c]
  initialState: cold
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata: {name: default}
spec:
  amiFamily: AL2023
  amiSelectorTerms: [{alias: al2023@latest}]
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata: {name: graviton}
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - {key: kubernetes.io/arch, operator: In, values: [arm64]}
        - {key: karpenter.k8s.aws/instance-family, operator: In, values: [m7g, m7gd, c7g, c7gd, r7g, r7gd]}
        - {key: karpenter.sh/capacity-type, operator: In, values: [spot, on-demand]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: a, resources: {requests: {cpu: 100m, memory: 128Mi}}}]
"#;

/// (name, cpu, memory, extra pod spec)
const WORKLOADS: &[(&str, &str, &str, &str)] = &[
    ("api", "500m", "1Gi", ZONE_SPREAD),
    ("web", "250m", "512Mi", ZONE_SPREAD),
    ("worker", "1", "2Gi", ""),
    ("batch", "2", "8Gi", ""),
    ("cache", "1", "4Gi", HOST_SPREAD),
];

const ZONE_SPREAD: &str = r#"      topologySpreadConstraints:
        - {maxSkew: 1, topologyKey: topology.kubernetes.io/zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: NAME}}}"#;
const HOST_SPREAD: &str = r#"      topologySpreadConstraints:
        - {maxSkew: 4, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: NAME}}}"#;

fn scenario() -> Scenario {
    let mut yaml = SCENARIO.to_string();
    for (name, cpu, mem, extra) in WORKLOADS {
        yaml.push_str(&format!(
            r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
{extra}
      containers: [{{name: app, resources: {{requests: {{cpu: "{cpu}", memory: {mem}}}}}}}]
"#,
            extra = extra.replace("NAME", name)
        ));
    }
    load(
        &[Source {
            name: "solver.yaml".into(),
            base_dir: None,
            text: yaml,
        }],
        &Overrides::default(),
    )
    .expect("solver scenario loads")
}

fn solver(c: &mut Criterion) {
    let s = scenario();
    let mut g = c.benchmark_group("provisioning");
    g.sample_size(10);
    for n in [1_000usize, 5_000, 10_000, 20_000] {
        let per = vec![n / WORKLOADS.len(); WORKLOADS.len()];
        let (cluster, topo, pending) = pending_cluster(&s, &per);
        g.throughput(Throughput::Elements(pending.len() as u64));
        g.bench_function(format!("solve_{}k_pending_pods", n / 1_000), |b| {
            b.iter_batched(
                || Provisioner::new(&s, rand::rngs::ChaCha8Rng::seed_from_u64(1)),
                |mut prov| {
                    let sol = prov.solve(
                        &s,
                        &cluster,
                        &topo,
                        black_box(&pending),
                        &SolveOptions {
                            allow_new: true,
                            ..Default::default()
                        },
                        0,
                    );
                    assert!(sol.unschedulable.is_empty());
                    black_box(sol.claims.len())
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, solver);
criterion_main!(benches);
