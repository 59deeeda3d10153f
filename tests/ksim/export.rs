//! Golden checks of the exporters: every result type (one run, several seeds, a comparison) in
//! every format (table, JSON, CSV, Markdown) is compared byte for byte with the files in
//! `tests/golden/`. The inputs are short runs of the embedded reference scenario (2 simulated
//! hours), so a change in the simulation also shows here.
//!
//! After a deliberate change, rewrite the files with
//! `KSIM_UPDATE_GOLDEN=1 cargo test --release golden` and review the diff.

use crate::repo;
use ksim::compare::{Config, compare};
use ksim::export::{Format, exporter};
use ksim::runs::run_seeds;
use ksim::scenario::{Overrides, load_reference};
use ksim::sim::RunLimits;

fn reference(consolidate_after_ms: Option<u64>) -> ksim::scenario::Scenario {
    let mut s = load_reference(&Overrides {
        duration_ms: Some(2 * 3_600_000),
        ..Default::default()
    })
    .unwrap();
    for p in &mut s.node_pools {
        p.consolidate_after_ms = consolidate_after_ms;
    }
    s
}

fn check(name: &str, actual: &str) {
    let path = repo("tests/golden").join(name);
    if std::env::var_os("KSIM_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; set KSIM_UPDATE_GOLDEN=1 to write it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the exporter's output at line {}:\n  golden: {:?}\n  actual: {:?}\n(set KSIM_UPDATE_GOLDEN=1 to rewrite after a deliberate change)",
            path.display(),
            line + 1,
            expected.lines().nth(line),
            actual.lines().nth(line)
        );
    }
}

#[test]
fn golden_exports_of_a_run_several_seeds_and_a_comparison() {
    let s = reference(Some(180_000));
    let (_, summary) = ksim::savings::simulate(&s, RunLimits::default(), true).unwrap();
    let seeds = [1, 2, 3];
    let runs_3m = run_seeds(&s, &seeds, 2, RunLimits::default()).unwrap();
    let runs_30m = run_seeds(&reference(Some(1_800_000)), &seeds, 2, RunLimits::default()).unwrap();
    let c = compare(vec![
        Config {
            label: "consolidateAfter=3m".into(),
            runs: runs_3m.clone(),
        },
        Config {
            label: "consolidateAfter=30m".into(),
            runs: runs_30m,
        },
    ]);
    for f in Format::ALL {
        let e = exporter(f);
        let ext = f.extension();
        check(&format!("summary.{ext}"), &e.summary(&summary).unwrap());
        check(&format!("runs.{ext}"), &e.runs(&runs_3m).unwrap());
        check(&format!("compare.{ext}"), &e.comparison(&c).unwrap());
    }
}

/// Each format's shape holds whatever the numbers: JSON parses back to the same data, CSV has
/// one header and rows of equal width, Markdown tables have a separator row after the header.
#[test]
fn exports_are_well_formed() {
    let s = reference(Some(180_000));
    let (_, summary) = ksim::savings::simulate(&s, RunLimits::default(), false).unwrap();
    let json = exporter(Format::Json).summary(&summary).unwrap();
    // The counterfactual on a second thread changes nothing.
    let (_, concurrent) = ksim::savings::simulate(&s, RunLimits::default(), true).unwrap();
    assert!(concurrent.disruption.consolidation_saved_usd.is_some());
    assert_eq!(exporter(Format::Json).summary(&concurrent).unwrap(), json);
    let back: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(back, serde_json::to_value(&summary).unwrap());
    let csv = exporter(Format::Csv).summary(&summary).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(r.headers().unwrap(), vec!["key", "value"]);
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|x| x.len() == 2));
    let cost = rows.iter().find(|x| &x[0] == "cost.total_usd").unwrap();
    assert_eq!(cost[1].parse::<f64>().unwrap(), summary.cost.total_usd);
    let md = exporter(Format::Markdown).summary(&summary).unwrap();
    let lines: Vec<&str> = md.lines().collect();
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with('|') && (i == 0 || !lines[i - 1].starts_with('|')) {
            assert!(lines[i + 1].starts_with("|---"), "no separator after {l}");
        }
    }
    for f in Format::ALL {
        assert!(exporter(f).summary(&summary).unwrap().ends_with('\n'));
    }
}
