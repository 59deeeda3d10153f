//! Every shipped scenario runs, with invariants checked every simulated minute.

use ksim::scenario::{Overrides, Source, load, read_sources};
use ksim::sim::{InvariantCheck, RunLimits, run};

fn limits() -> RunLimits {
    RunLimits {
        invariants: InvariantCheck::EveryMinute,
        ..Default::default()
    }
}

#[test]
fn every_shipped_scenario_runs() {
    let dir = crate::repo("scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(!files.is_empty());
    for f in files {
        let sources = read_sources(&[f.display().to_string()], 1 << 26).unwrap();
        let s = load(&sources, &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let r = run(&s, limits()).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let summary = ksim::report::summarize(&s, &r);
        assert!(summary.cost.total_usd > 0.0, "{}", f.display());
        assert!(summary.events_processed > 0);
    }
}

#[test]
fn reference_day_matches_the_published_cluster() {
    let s = load(&[Source::reference()], &Overrides::default()).unwrap();
    assert_eq!(s.duration_ms, 24 * 3_600_000, "the default duration is 24h");
    let r = run(&s, limits()).unwrap();
    let summary = ksim::report::summarize(&s, &r);
    // About 2,000 pods at the quietest hour and about 18,000 at the peak.
    assert!(
        (1_800..=2_300).contains(&summary.pods.min),
        "min {}",
        summary.pods.min
    );
    assert!(
        (16_500..=19_500).contains(&summary.pods.peak),
        "peak {}",
        summary.pods.peak
    );
    // Karpenter nodes use only the four published instance types.
    let allowed = ["m7g.xlarge", "m7gd.xlarge", "m7g.2xlarge", "m7gd.2xlarge"];
    for n in &r.cluster.nodes {
        if let ksim::cluster::NodeOwner::Pool(_) = n.owner {
            let t = &s.catalog.get(n.instance_type).name;
            assert!(allowed.contains(&t.as_str()), "Karpenter launched {t}");
            assert!(s.zones[n.zone].starts_with("ap-northeast-1"));
        }
    }
    // Spot is used where the NodePool allows it.
    assert!(summary.cost.by_capacity_type["spot"] > summary.cost.by_capacity_type["on-demand"]);
    assert!(summary.nodes.by_capacity_type["spot"] > 100);
    // Every pod that was created got a node, and latency figures are sane.
    assert_eq!(summary.pods.pending_at_end, 0);
    let lat = &summary.scheduling_latency_s;
    assert!(lat.p50 <= lat.p90 && lat.p90 <= lat.p99 && lat.p99 <= lat.max);
    assert!(lat.max < 600.0, "no pod waits ten minutes: {}", lat.max);
    // Consolidation removed nodes as demand fell.
    assert!(summary.nodes.removed.values().sum::<u64>() > 0);
}
