//! The same inputs and seed give byte-identical outputs; another seed gives other outputs.

use ksim::scenario::{Overrides, load_reference};
use ksim::sim::{RunLimits, run};

fn outputs(seed: u64, hours: u64) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let ov = Overrides {
        seed: Some(seed),
        duration_ms: Some(hours * 3_600_000),
        ..Default::default()
    };
    let s = load_reference(&ov).unwrap();
    let r = run(&s, RunLimits::default()).unwrap();
    let summary = ksim::report::summarize(&s, &r);
    let dir = tempfile::tempdir().unwrap();
    ksim::report::write_outputs(dir.path(), &s, &r, &summary).unwrap();
    let read = |n: &str| std::fs::read(dir.path().join(n)).unwrap();
    (
        read("summary.json"),
        read("timeseries.csv"),
        read("pods.csv"),
    )
}

#[test]
fn same_seed_same_bytes() {
    let a = outputs(7, 24);
    let b = outputs(7, 24);
    assert!(
        a.0 == b.0,
        "summary.json differs between two runs with seed 7"
    );
    assert!(
        a.1 == b.1,
        "timeseries.csv differs between two runs with seed 7"
    );
    assert!(a.2 == b.2, "pods.csv differs between two runs with seed 7");
}

#[test]
fn other_seed_other_run() {
    let a = outputs(1, 6);
    let b = outputs(2, 6);
    assert_ne!(a.0, b.0, "seeds 1 and 2 gave the same summary");
}

/// Every output file of every shipped scenario, twice with the same seed.
#[test]
fn every_shipped_scenario_is_byte_identical_across_runs() {
    let mut files: Vec<_> = std::fs::read_dir(crate::repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    for f in files {
        let once = || {
            let sources =
                ksim::scenario::read_sources(&[f.display().to_string()], 1 << 26).unwrap();
            let s = ksim::scenario::load(&sources, &Overrides::default()).unwrap();
            let r = run(&s, RunLimits::default()).unwrap();
            let summary = ksim::report::summarize(&s, &r);
            let dir = tempfile::tempdir().unwrap();
            ksim::report::write_outputs(dir.path(), &s, &r, &summary).unwrap();
            let mut out = Vec::new();
            for name in [
                "summary.json",
                "timeseries.csv",
                "pods.csv",
                "nodes.csv",
                "workloads.csv",
                "scaling.csv",
            ] {
                out.push((name, std::fs::read(dir.path().join(name)).unwrap()));
            }
            out
        };
        let (a, b) = (once(), once());
        for ((name, x), (_, y)) in a.iter().zip(&b) {
            assert!(x == y, "{name} of {} differs between two runs", f.display());
        }
    }
}

/// 100 seeds of the spot-shortage scenario (capacity draws, registration failures, PCO ties,
/// demand noise), two hours each, every output file byte-identical across two runs, and the
/// event streams identical event by event.
#[test]
fn one_hundred_seeds_run_twice_are_identical() {
    let path = crate::repo("scenarios/spot-shortage.yaml")
        .display()
        .to_string();
    let sources = ksim::scenario::read_sources(&[path], 1 << 26).unwrap();
    let mut hashes = std::collections::BTreeSet::new();
    for seed in 1..=100 {
        let s = ksim::scenario::load(
            &sources,
            &Overrides {
                seed: Some(seed),
                duration_ms: Some(2 * 3_600_000),
                ..Default::default()
            },
        )
        .unwrap();
        let limits = RunLimits {
            record_events: true,
            ..Default::default()
        };
        let once = || {
            let r = run(&s, limits).unwrap();
            let summary = ksim::report::summarize(&s, &r);
            let files = ksim::report::encode_outputs(&s, &r, &summary).unwrap();
            (r.event_trace, files)
        };
        let (a, b) = (once(), once());
        assert!(a.0 == b.0, "seed {seed}: the event streams diverge");
        for ((name, x), (_, y)) in a.1.iter().zip(&b.1) {
            assert!(x == y, "seed {seed}: {name} differs");
        }
        hashes.insert(a.1[0].1.clone());
    }
    assert_eq!(hashes.len(), 100, "every seed gives its own run");
}

/// `ksim run --check-determinism` confirms a deterministic run.
#[test]
fn check_determinism_flag() {
    let out = crate::ksim()
        .args(["run", "--check-determinism", "--duration", "2h"])
        .arg(crate::repo("scenarios/spot-shortage.yaml"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.starts_with("deterministic: two runs processed the same "));
    assert!(text.contains("launches.csv"));
}

/// Multi-seed runs give the same output with 1 thread and with 2 (and 3): seeds are put back in
/// order whatever thread ran them.
#[test]
fn multi_seed_runs_do_not_depend_on_the_thread_count() {
    let path = crate::repo("scenarios/spot-shortage.yaml")
        .display()
        .to_string();
    let sources = ksim::scenario::read_sources(&[path], 1 << 26).unwrap();
    let s = ksim::scenario::load(
        &sources,
        &Overrides {
            duration_ms: Some(3 * 3_600_000),
            ..Default::default()
        },
    )
    .unwrap();
    let seeds: Vec<u64> = (10..18).collect();
    let json = |threads| {
        let m = ksim::runs::run_seeds(&s, &seeds, threads, RunLimits::default()).unwrap();
        serde_json::to_string(&m).unwrap()
    };
    let one = json(1);
    assert_eq!(one, json(2));
    assert_eq!(one, json(3));
    // And through the CLI.
    let cli = |threads: &str| {
        let out = crate::ksim()
            .args([
                "run",
                "--runs",
                "5",
                "--duration",
                "2h",
                "--format",
                "json",
                "--threads",
                threads,
            ])
            .arg(crate::repo("scenarios/spot-shortage.yaml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let a = cli("1");
    assert_eq!(a, cli("2"));
    let v: serde_json::Value = serde_json::from_slice(&a).unwrap();
    assert_eq!(v["seeds"].as_array().unwrap().len(), 5);
    let cost = &v["metrics"]["cost_usd"];
    assert!(cost["ci95_low"].as_f64().unwrap() <= cost["mean"].as_f64().unwrap());
    assert!(cost["mean"].as_f64().unwrap() <= cost["ci95_high"].as_f64().unwrap());
}
