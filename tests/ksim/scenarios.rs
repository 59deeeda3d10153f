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
        // The cost lower bound never exceeds what the run cost, and the idle cost is part of it.
        let c = &summary.cost;
        assert!(
            c.lower_bound_usd > 0.0 && c.lower_bound_usd <= c.total_usd,
            "{}: bound {} vs cost {}",
            f.display(),
            c.lower_bound_usd,
            c.total_usd
        );
        assert!(c.efficiency > 0.0 && c.efficiency <= 1.0);
        assert!(c.idle_usd >= 0.0 && c.idle_usd + c.lower_bound_usd <= c.total_usd + 1e-6);
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

#[test]
fn two_pools_respect_weights_limits_and_budget_schedules() {
    let path = crate::repo("scenarios/two-pools-trace.yaml")
        .display()
        .to_string();
    let s = load(
        &read_sources(std::slice::from_ref(&path), 1 << 26).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    let r = run(&s, limits()).unwrap();
    let pool = |name: &str| s.node_pools.iter().position(|p| p.name == name).unwrap();
    let (spot, od) = (pool("spot"), pool("on-demand"));
    let nodes = &r.cluster.nodes;
    // The spot pool's CPU capacity never exceeds its 200-core limit: check at every launch.
    for n in nodes {
        let t = n.launched;
        let cpu: i64 = nodes
            .iter()
            .filter(|m| m.owner == ksim::cluster::NodeOwner::Pool(spot))
            .filter(|m| m.launched <= t && m.terminated.is_none_or(|e| e > t))
            .map(|m| s.catalog.get(m.instance_type).vcpu * 1000)
            .sum();
        assert!(cpu <= 200_000, "spot pool at {cpu}m CPU at t={t}");
    }
    // The higher-weight pool is used first; the fallback only once the limit binds.
    let first_od = nodes
        .iter()
        .filter(|n| n.owner == ksim::cluster::NodeOwner::Pool(od))
        .map(|n| n.launched)
        .min()
        .expect("the on-demand fallback is used");
    let spot_cpu_then: i64 = nodes
        .iter()
        .filter(|m| m.owner == ksim::cluster::NodeOwner::Pool(spot))
        .filter(|m| m.launched <= first_od && m.terminated.is_none_or(|e| e > first_od))
        .map(|m| s.catalog.get(m.instance_type).vcpu * 1000)
        .sum();
    assert!(
        spot_cpu_then > 150_000,
        "fallback used while the spot pool had only {spot_cpu_then}m"
    );
    for n in nodes {
        match n.owner {
            ksim::cluster::NodeOwner::Pool(p) if p == spot => {
                assert_eq!(n.capacity_type.as_str(), "spot")
            }
            ksim::cluster::NodeOwner::Pool(p) if p == od => {
                assert_eq!(n.capacity_type.as_str(), "on-demand")
            }
            _ => {}
        }
    }
    // The budget "0 nodes from 09:00 for 2h" stops consolidation of the spot pool meanwhile.
    let h = 3_600_000;
    for n in nodes
        .iter()
        .filter(|n| n.owner == ksim::cluster::NodeOwner::Pool(spot))
    {
        if let (Some(t), Some(ksim::cluster::RemovalReason::Underutilized)) =
            (n.terminated, n.removal)
        {
            assert!(
                !(9 * h + 60_000..=11 * h).contains(&t),
                "spot node consolidated at {t} ms"
            );
        }
    }
    // The trace drives the HPA-scaled workload: it follows the morning spike.
    let upload = s
        .workloads
        .iter()
        .position(|w| w.name == "api-upload")
        .unwrap();
    let at = |minute: u64| {
        r.workload_series
            .iter()
            .find(|w| w.workload == upload && w.minute == minute)
            .unwrap()
            .desired
    };
    assert!(
        at(9 * 60 + 40) > 2 * at(3 * 60),
        "{} vs {}",
        at(9 * 60 + 40),
        at(3 * 60)
    );
}

#[test]
fn photo_sharing_runs_keda_cron_jobs_and_the_leak() {
    let path = crate::repo("scenarios/photo-sharing.yaml")
        .display()
        .to_string();
    let s = load(
        &read_sources(std::slice::from_ref(&path), 1 << 26).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    let r = run(&s, limits()).unwrap();
    let summary = ksim::report::summarize(&s, &r);
    // About 2,000 to 18,000 pods, as the write-up reports.
    assert!(
        (1_500..=2_500).contains(&summary.pods.min),
        "{}",
        summary.pods.min
    );
    assert!(
        (15_000..=19_000).contains(&summary.pods.peak),
        "{}",
        summary.pods.peak
    );
    // The descheduler's PodLifeTime recycles the leaking web pods every 8 hours, before they
    // reach their memory limit; without it they are OOMKilled. The API's slower leak does not
    // reach its limit within a day either way.
    assert_eq!(summary.workloads["mitene/web"].oom_killed, 0);
    assert!(summary.disruption.pods_evicted_by_cause["descheduled"] > 1_000);
    assert_eq!(summary.workloads["mitene/api"].oom_killed, 0);
    let mut sources = read_sources(std::slice::from_ref(&path), 1 << 26).unwrap();
    let cut = sources[0]
        .text
        .find("apiVersion: descheduler/v1alpha1")
        .unwrap();
    sources[0].text.truncate(cut);
    let without = load(&sources, &Overrides::default()).unwrap();
    let r2 = run(&without, limits()).unwrap();
    let summary2 = ksim::report::summarize(&without, &r2);
    assert!(summary2.workloads["mitene/web"].oom_killed > 100);
    assert_eq!(summary2.disruption.pods_evicted_by_cause["descheduled"], 0);
    assert_eq!(
        summary.pods.oom_killed,
        summary
            .workloads
            .values()
            .map(|w| w.oom_killed)
            .sum::<u64>()
    );
    // KEDA keeps the uploads queue drained.
    let q = &summary.queues["photo-uploads"];
    assert_eq!(q.consumer, "mitene/media-worker");
    assert!(q.processed > 0.999 * q.arrived, "{q:?}");
    assert!(q.message_age_s.p99 < 30.0, "{q:?}");
    let worker = &summary.workloads["mitene/media-worker"];
    assert!(
        worker.replicas_max > 5 * worker.replicas_min.max(1),
        "{worker:?}"
    );
    assert!(
        r.scale_events
            .iter()
            .any(|e| s.workloads[e.workload].name == "media-worker")
    );
    // The CronJobs ran: the nightly export once (03:00 in Tokyo), the digest most quarters.
    assert!(summary.jobs.completed >= 80, "{:?}", summary.jobs);
    assert_eq!(summary.workloads["mitene/album-export"].pods_created, 120);
    // Queue length, OOMKills and replica timelines are in the time series.
    let csv = String::from_utf8(ksim::report::timeseries_csv(&s, &r).unwrap()).unwrap();
    let header = csv.lines().next().unwrap();
    for col in [
        "oom_kills_total",
        "queue_visible:photo-uploads",
        "queue_in_flight:photo-uploads",
        "replicas_desired:mitene/media-worker",
        "replicas_ready:mitene/web",
    ] {
        assert!(header.split(',').any(|c| c == col), "{col} in {header}");
    }
}

#[test]
fn spot_shortage_shows_offerings_tried_fallbacks_and_node_mix() {
    let path = crate::repo("scenarios/spot-shortage.yaml")
        .display()
        .to_string();
    let s = load(
        &read_sources(&[path], 1 << 26).unwrap(),
        &Overrides::default(),
    )
    .unwrap();
    let r = run(&s, limits()).unwrap();
    let summary = ksim::report::summarize(&s, &r);
    let l = &summary.karpenter.launches;
    // Spot runs out in two zones from 06:00 to 09:00: CreateFleet calls fail, their offerings
    // are marked unavailable, and the zone-spread pods go to the on-demand NodePool.
    assert!(l.insufficient_capacity > 0, "{l:?}");
    assert!(l.offerings_marked_unavailable >= l.insufficient_capacity);
    assert!(l.on_demand_fallbacks > 0, "{l:?}");
    assert!(
        l.errors_by_offering
            .keys()
            .all(|k| k.ends_with("/spot") && !k.contains("us-east-1c")),
        "only spot in the two short zones fails: {l:?}"
    );
    for x in r.launches.iter().filter(|x| !x.errors.is_empty()) {
        assert!(
            (6 * 3_600_000..9 * 3_600_000).contains(&x.time)
                || x.errors
                    .iter()
                    .all(|&(ti, _)| s.catalog.get(ti).family == "m7gd"),
            "outside the window only the shallow m7gd pools fill up"
        );
    }
    assert!(summary.nodes.by_node_pool["on-demand"] > 0);
    assert!(summary.nodes.by_node_pool["spot"] > summary.nodes.by_node_pool["on-demand"]);
    assert_eq!(summary.nodes.by_zone.len(), 3);
    assert!(summary.nodes.by_capacity_type["on-demand"] > 2);
    // The report carries the offerings each call tried.
    let csv = String::from_utf8(ksim::report::launches_csv(&s, &r).unwrap()).unwrap();
    assert!(csv.starts_with("time_s,nodepool,purpose,capacity_type,"));
    assert!(
        csv.lines()
            .any(|line| line.contains(",insufficient_capacity,"))
    );
    assert_eq!(csv.lines().count(), 1 + r.launches.len());
    assert_eq!(summary.pods.pending_at_end, 0);
}
