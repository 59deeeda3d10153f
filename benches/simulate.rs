//! Criterion benchmarks: the reference day end to end.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

fn reference_day(c: &mut Criterion) {
    let scenario =
        ksim::scenario::load_reference(&Default::default()).expect("reference scenario loads");
    let mut g = c.benchmark_group("simulate");
    g.sample_size(10);
    g.bench_function("reference_day", |b| {
        b.iter(|| {
            let r = ksim::sim::run(black_box(&scenario), ksim::sim::RunLimits::default())
                .expect("runs");
            black_box(r.events_processed)
        })
    });
    g.finish();
}

criterion_group!(benches, reference_day);
criterion_main!(benches);
