//! Criterion benchmark: one full Karpenter disruption evaluation (emptiness, drift, multi-node
//! and single-node consolidation) on the reference cluster at about 1,000 nodes and 18,000 pods.
//!
//! The cluster is the state of the embedded reference scenario at 11:51 (its peak: 965 spot and
//! 6 on-demand nodes, 17,800 pods) and at 15:00 and 20:00 (scale-down, when consolidation finds work). Each
//! iteration starts from a fresh controller, so nothing is skipped as "already consolidated":
//! this is the cost of the evaluation Karpenter runs when the cluster state has changed.

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use ksim::cluster::{Cluster, PodId};
use ksim::engine::{RngStreams, Stream};
use ksim::karpenter::disruption::{Disruption, WorkloadView};
use ksim::karpenter::provisioning::Provisioner;
use ksim::scenario::{Overrides, REFERENCE_NAME, REFERENCE_YAML, Scenario, Source, load};
use ksim::scheduler::Topology;
use ksim::sim::{RunLimits, run};
use std::hint::black_box;

/// The reference scenario run to `minute`, and what the disruption controller reads.
struct State {
    s: Scenario,
    c: Cluster,
    topo: Topology,
    desired: Vec<i64>,
    ready: Vec<i64>,
    pending: Vec<PodId>,
    now: u64,
}

fn state_at(minute: u64) -> State {
    let s = load(
        &[Source {
            name: REFERENCE_NAME.into(),
            base_dir: None,
            text: REFERENCE_YAML.into(),
        }],
        &Overrides {
            duration_ms: Some(minute * 60_000),
            ..Default::default()
        },
    )
    .expect("reference scenario loads");
    let r = run(&s, RunLimits::default()).expect("reference scenario runs");
    let c = r.cluster;
    let mut topo = Topology::new(s.workloads.len(), s.zones.len());
    let mut desired = vec![0; s.workloads.len()];
    let mut ready = vec![0; s.workloads.len()];
    let mut pending = Vec::new();
    for (id, p) in c.pods.iter().enumerate() {
        if p.deleted.is_some() {
            continue;
        }
        let w = p.workload as usize;
        desired[w] += 1;
        ready[w] += i64::from(p.ready.is_some());
        match p.node {
            Some(n) => topo.adjust(w, n, c.nodes[n as usize].zone, 1),
            None => pending.push(id as PodId),
        }
    }
    State {
        now: s.duration_ms,
        s,
        c,
        topo,
        desired,
        ready,
        pending,
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("disruption");
    g.sample_size(20);
    for (name, minute) in [
        ("evaluate_peak_971_nodes", 711),
        ("evaluate_scale_down", 900),
        ("evaluate_night", 1200),
    ] {
        let st = state_at(minute);
        let nodes = st.c.nodes.iter().filter(|n| n.alive()).count();
        let outcome = {
            let mut cluster = st.c.clone();
            let mut prov =
                Provisioner::new(&st.s, RngStreams::new(1).stream(Stream::SpotAllocation));
            let view = WorkloadView {
                desired: &st.desired,
                ready: &st.ready,
            };
            Disruption::default()
                .compute(
                    &st.s,
                    &mut cluster,
                    &st.topo,
                    &mut prov,
                    &view,
                    &st.pending,
                    st.now,
                )
                .map(|cmd| format!("{:?} of {} node(s)", cmd.method, cmd.candidates.len()))
                .unwrap_or_else(|| "no command".into())
        };
        eprintln!(
            "{name}: {nodes} live nodes, {} pods, {} pending: {outcome}",
            st.desired.iter().sum::<i64>(),
            st.pending.len()
        );
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    (
                        st.c.clone(),
                        Provisioner::new(&st.s, RngStreams::new(1).stream(Stream::SpotAllocation)),
                        Disruption::default(),
                    )
                },
                |(mut cluster, mut prov, mut disr)| {
                    let view = WorkloadView {
                        desired: &st.desired,
                        ready: &st.ready,
                    };
                    black_box(disr.compute(
                        &st.s,
                        &mut cluster,
                        &st.topo,
                        &mut prov,
                        &view,
                        &st.pending,
                        st.now,
                    ))
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
