//! Criterion benchmarks: one simulated day of each motivating cluster, end to end (loading and
//! reporting excluded).

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn bench_day(c: &mut Criterion, name: &str, scenario: ksim::scenario::Scenario) {
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.bench_function(name, |b| {
        b.iter(|| {
            let r = ksim::sim::run(black_box(&scenario), ksim::sim::RunLimits::default())
                .expect("runs");
            black_box(r.events_processed)
        })
    });
    g.finish();
}

/// The e-commerce reference day (HPA-scaled APIs, Karpenter).
fn reference_day(c: &mut Criterion) {
    let scenario =
        ksim::scenario::load_reference(&Default::default()).expect("reference scenario loads");
    bench_day(c, "reference_day", scenario);
}

/// The photo-sharing day (KEDA on SQS, CronJobs, a memory leak with OOMKills).
fn photo_sharing_day(c: &mut Criterion) {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/photo-sharing.yaml");
    let sources = ksim::scenario::read_sources(&[path.to_string()], 1 << 26).expect("reads");
    let scenario =
        ksim::scenario::load(&sources, &Default::default()).expect("photo-sharing scenario loads");
    bench_day(c, "photo_sharing_day", scenario);
}

criterion_group!(benches, reference_day, photo_sharing_day);
criterion_main!(benches);
