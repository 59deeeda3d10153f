//! The command line as users run it.

use std::io::Write;
use std::process::Stdio;

#[test]
fn run_json_has_the_documented_keys() {
    let out = crate::ksim()
        .args(["run", "--duration", "2h", "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "/seed",
        "/duration_s",
        "/events_processed",
        "/cost/total_usd",
        "/cost/by_capacity_type/spot",
        "/cost/by_capacity_type/on-demand",
        "/cost/by_instance_type",
        "/cost/by_node_group",
        "/pods/peak",
        "/pods/min",
        "/nodes/peak",
        "/nodes/launched",
        "/scheduling_latency_s/p50",
        "/scheduling_latency_s/p90",
        "/scheduling_latency_s/p99",
        "/scheduling_latency_s/max",
        "/startup_latency_s/p50",
        "/startup_latency_s/p90",
        "/startup_latency_s/p99",
        "/startup_latency_s/max",
    ] {
        assert!(v.pointer(key).is_some(), "summary lacks {key}");
    }
    assert_eq!(v["duration_s"], 7200.0);
}

#[test]
fn out_dir_gets_every_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::ksim()
        .args(["run", "--duration", "1h", "--seed", "3", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("Cost") && table.contains("scheduling"),
        "{table}"
    );
    for f in [
        "summary.json",
        "timeseries.csv",
        "pods.csv",
        "nodes.csv",
        "workloads.csv",
    ] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let ts = std::fs::read_to_string(dir.path().join("timeseries.csv")).unwrap();
    assert!(ts.starts_with("minute,time_s,pods_running,pods_pending,nodes_spot,nodes_on_demand"));
    assert_eq!(
        ts.lines().count(),
        1 + 61,
        "one row per simulated minute, both ends included"
    );
    let pods = std::fs::read_to_string(dir.path().join("pods.csv")).unwrap();
    assert!(
        pods.starts_with("pod,workload,namespace,cause,created_s,bound_s,ready_s,node,deleted_s")
    );
    // Charts: SVG and PNG of each, the PNG text drawn with the embedded font.
    for chart in [
        "pods",
        "nodes",
        "cost",
        "capacity",
        "latency_histogram",
        "latency_cdf",
        "replicas",
    ] {
        let png = std::fs::read(dir.path().join(format!("{chart}.png"))).unwrap();
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{chart}.png is not a PNG"
        );
        assert!(png.len() > 10_000, "{chart}.png is nearly empty");
        let svg = std::fs::read_to_string(dir.path().join(format!("{chart}.svg"))).unwrap();
        assert!(
            svg.contains("<svg") && svg.contains("<text"),
            "{chart}.svg has no text"
        );
        assert!(!svg.contains("http://") || svg.contains("http://www.w3.org/2000/svg"));
    }
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        names.iter().all(|n| !n.to_string_lossy().ends_with(".tmp")),
        "temporary files left: {names:?}"
    );
}

#[test]
fn reads_manifests_from_stdin_like_helm_template() {
    let mut child = crate::ksim()
        .args(["run", "-", "--duration", "1h", "--format", "json"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let text = std::fs::read_to_string(crate::repo("scenarios/reference.yaml")).unwrap();
    // helm template output carries kinds ksim does not simulate; they are skipped.
    let extra = "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  ports: [{port: 80}]\n";
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{text}{extra}").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let warnings = v["warnings"].as_array().unwrap();
    assert!(
        warnings
            .iter()
            .any(|w| w.as_str().unwrap().contains("Service api is not simulated"))
    );
}

#[test]
fn a_directory_of_manifests_is_read_in_path_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::repo("scenarios/reference.yaml")).unwrap();
    let (head, tail) = text.split_at(text.find("apiVersion: karpenter.sh/v1").unwrap());
    std::fs::write(dir.path().join("a-scenario.yaml"), head).unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    std::fs::write(dir.path().join("manifests/cluster.yml"), tail).unwrap();
    let out = crate::ksim()
        .arg("validate")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn seed_and_duration_override_the_scenario() {
    let run = |seed: &str| {
        let out = crate::ksim()
            .args([
                "run",
                "--duration",
                "30m",
                "--format",
                "json",
                "--seed",
                seed,
            ])
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let a = run("11");
    assert_eq!(a["seed"], 11);
    assert_eq!(a["duration_s"], 1800.0);
}

/// The CI gate as a new user would try it: a baseline of a scenario, an unchanged run passes
/// (exit 0), a deliberately worse NodePool (on-demand only) fails (exit 1) with a readable
/// Markdown report, and bad input exits 2.
#[test]
fn check_catches_a_worse_nodepool() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(crate::repo("scenarios/two-pools-trace.yaml")).unwrap();
    std::fs::create_dir_all(dir.path().join("traces")).unwrap();
    std::fs::copy(
        crate::repo("scenarios/traces/upload-replicas.csv"),
        dir.path().join("traces/upload-replicas.csv"),
    )
    .unwrap();
    let scenario = dir.path().join("cluster.yaml");
    std::fs::write(&scenario, &text).unwrap();
    let baseline = dir.path().join("baseline.json");
    let out = crate::ksim()
        .args(["check", "--update", "--baseline"])
        .arg(&baseline)
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read_to_string(&baseline).unwrap();
    assert!(
        written.contains("\"cluster.yaml\""),
        "paths are relative: {written}"
    );
    // Unchanged: passes.
    let out = crate::ksim()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{md}");
    assert!(md.starts_with("## ksim check: ✅ no regression in 1 scenario"));
    // The spot pool made on-demand only: cost rises.
    let worse = text.replace(
        r#"- {key: karpenter.sh/capacity-type, operator: In, values: ["spot"]}"#,
        r#"- {key: karpenter.sh/capacity-type, operator: In, values: ["on-demand"]}"#,
    );
    assert_ne!(worse, text);
    std::fs::write(&scenario, &worse).unwrap();
    let report = dir.path().join("report.md");
    let out = crate::ksim()
        .args(["check", "--baseline"])
        .arg(&baseline)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let md = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{md}");
    assert!(md.contains("regression"), "{md}");
    assert!(md.contains("| cluster.yaml | cost_usd |"), "{md}");
    assert!(md.contains("**REGRESSION**"), "{md}");
    assert_eq!(std::fs::read_to_string(&report).unwrap(), md);
    // A wider cost tolerance lets it through only if the change is within it.
    let out = crate::ksim()
        .args([
            "check",
            "--tolerance",
            "cost=500%,nodes=500%,events=500%,p50=500%,p90=500%,p99=500%,max=500%",
            "--baseline",
        ])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Bad input: exit 2.
    let out = crate::ksim()
        .args(["check", "--tolerance", "cots=1%", "--baseline"])
        .arg(&baseline)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown metric \"cots\""));
    let out = crate::ksim()
        .args(["check", "--baseline"])
        .arg(dir.path().join("missing.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read baseline"));
}

/// The committed baseline of every shipped scenario matches the current results exactly: a
/// change that moves them must update `scenarios/ci-baseline.json` knowingly.
#[test]
fn shipped_baseline_lists_every_scenario() {
    let text = std::fs::read_to_string(crate::repo("scenarios/ci-baseline.json")).unwrap();
    let b = ksim::check::parse_baseline("ci-baseline.json", &text).unwrap();
    let mut listed: Vec<String> = b.scenarios.iter().flat_map(|e| e.files.clone()).collect();
    listed.sort();
    let mut shipped: Vec<String> = std::fs::read_dir(crate::repo("scenarios"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".yaml"))
        .collect();
    shipped.sort();
    assert_eq!(listed, shipped);
}

/// Resource guards: a run past its pod, event or memory budget is refused with exit 2 and a
/// message naming the flag to raise.
#[test]
fn resource_budgets_refuse_runaway_runs() {
    for (flag, value, fragment) in [
        ("--max-pods", "100", "raise --max-pods"),
        ("--max-events", "1000", "event"),
        ("--max-memory-mb", "1", "raise --max-memory-mb"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let out = crate::ksim()
            .args(["run", flag, value, "--duration", "2h", "--out"])
            .arg(dir.path())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(fragment), "{flag}: {err}");
        assert!(!err.contains("panicked"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{flag}: a refused run writes nothing"
        );
    }
}

/// `ksim compare` on the reference scenario with `consolidateAfter` 3m against 30m: a table
/// with confidence intervals and significance, a Markdown file, and the same numbers in JSON.
#[test]
fn compare_two_consolidate_after_values() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("compare.md");
    let json = dir.path().join("compare.json");
    let out = crate::ksim()
        .args(["compare", "--consolidate-after", "3m,30m", "--runs", "3"])
        .args(["--duration", "20h", "--threads", "2"])
        .arg("--markdown")
        .arg(&md)
        .arg("--json")
        .arg(&json)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // --out: every format, the overlaid charts and one self-contained page, which
    // `ksim report` rebuilds byte for byte from compare.json and the SVGs.
    let o = dir.path().join("out");
    for f in [
        "compare.txt",
        "compare.json",
        "compare.csv",
        "compare.md",
        "report.html",
    ] {
        assert!(o.join(f).exists(), "{f} missing");
    }
    for stem in ["intervals", "nodes", "pending", "cost", "latency_cdf"] {
        for ext in ["svg", "png"] {
            assert!(
                o.join(format!("compare_{stem}.{ext}")).exists(),
                "{stem}.{ext}"
            );
        }
    }
    let html = std::fs::read_to_string(o.join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 5, "every chart inline");
    assert_eq!(
        html.matches("</svg>").count(),
        5,
        "each chart one closed SVG"
    );
    assert!(html.contains("Side by side") && html.contains("Δ consolidateAfter=30m"));
    assert!(
        html.contains("class=\"n bad\""),
        "the dearer 30m cost is marked"
    );
    assert_self_contained(&html);
    assert_eq!(
        std::fs::read(o.join("compare.md")).unwrap(),
        std::fs::read(&md).unwrap()
    );
    std::fs::remove_file(o.join("report.html")).unwrap();
    let re = crate::ksim().arg("report").arg(&o).output().unwrap();
    assert_eq!(
        re.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&re.stderr)
    );
    assert!(std::fs::read_to_string(o.join("report.html")).unwrap() == html);
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("2 configurations, 3 seeds each"), "{table}");
    assert!(table.contains("consolidateAfter=30m"), "{table}");
    let md = std::fs::read_to_string(&md).unwrap();
    assert!(md.starts_with("## ksim compare"), "{md}");
    assert!(md.contains("| cost | $"), "{md}");
    assert!(md.contains("Δ consolidateAfter=30m"), "{md}");
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let configs = v["configs"].as_array().unwrap();
    assert_eq!(configs.len(), 2);
    let cost = |i: usize| {
        configs[i]["runs"]["metrics"]["cost_usd"]["mean"]
            .as_f64()
            .unwrap()
    };
    // A 30-minute window costs more than a 3-minute one, and the difference is significant.
    assert!(cost(1) > cost(0), "{} vs {}", cost(0), cost(1));
    assert_eq!(v["deltas"][0]["cost_usd"]["significant"], true);
    // The same command with one thread gives the same JSON.
    let again = crate::ksim()
        .args(["compare", "--consolidate-after", "3m,30m", "--runs", "3"])
        .args(["--duration", "20h", "--threads", "1", "--format", "json"])
        .output()
        .unwrap();
    let v2: serde_json::Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(v, v2);
}

/// One configuration is not a comparison.
#[test]
fn compare_needs_two_configurations() {
    let out = crate::ksim()
        .args(["compare", "--consolidate-after", "3m"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least two configurations"));
}

/// `ksim report DIR` writes one self-contained page: the summary and every chart inline, and
/// nothing that a browser would fetch.
#[test]
fn report_is_one_self_contained_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = crate::ksim()
        .args(["run", "--duration", "2h", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = crate::ksim()
        .arg("report")
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 9, "every chart inline");
    assert_eq!(
        html.matches("</svg>").count(),
        9,
        "each chart one closed SVG"
    );
    for table in [
        "Scheduling latency",
        "Cost by zone",
        "Disruption: pods evicted",
    ] {
        assert!(html.contains(table), "{table} missing");
    }
    assert_self_contained(&html);
    // A directory without a run is refused with status 2.
    let empty = tempfile::tempdir().unwrap();
    let out = crate::ksim()
        .arg("report")
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("summary.json"));
}

/// No external references: no scripts, links, images or URLs other than the SVG namespace.
fn assert_self_contained(html: &str) {
    for bad in ["<script", "<link", "<img", "src=", "@import", "url("] {
        assert!(!html.contains(bad), "found {bad}");
    }
    let without_ns = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
}

/// `ksim compare` reads result directories back: two runs saved with `ksim run --out` (one
/// seed each) and one saved with `--runs 3`, compared without running anything again; the
/// single runs' traces come from their CSV files, so they are drawn. A directory whose
/// summary.json is not a ksim summary is refused with status 2, naming the file.
#[test]
fn compare_reads_result_directories() {
    let dir = tempfile::tempdir().unwrap();
    let save = |name: &str, extra: &[&str]| {
        let out = crate::ksim()
            .args(["run", "--duration", "2h", "--out"])
            .arg(dir.path().join(name))
            .args(extra)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    save("seed1", &[]);
    save("seed2", &["--seed", "2"]);
    save("three", &["--runs", "3", "--threads", "1"]);
    let out = crate::ksim()
        .arg("compare")
        .args(["seed1", "seed2", "three"].map(|d| dir.path().join(d)))
        .args(["--format", "markdown", "--out"])
        .arg(dir.path().join("cmp"))
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("3 configurations, 1, 1 and 3 seeds"), "{md}");
    assert!(md.contains("| metric | seed1 | seed2 | three |"), "{md}");
    // The first directory's cost is the one its summary.json holds.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("seed1/summary.json")).unwrap(),
    )
    .unwrap();
    let cost = summary["cost"]["total_usd"].as_f64().unwrap();
    assert!(md.contains(&format!("| cost | ${cost:.2} |")), "{md}");
    let html = std::fs::read_to_string(dir.path().join("cmp/report.html")).unwrap();
    assert!(
        html.contains("Nodes over time"),
        "traces of the single runs are drawn"
    );
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).unwrap();
    std::fs::write(bad.join("summary.json"), "{\"x\": 1}").unwrap();
    let out = crate::ksim()
        .arg("compare")
        .arg(dir.path().join("seed1"))
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad/summary.json") && err.contains("not a ksim summary"),
        "{err}"
    );
}

/// `ksim compare --variant`: a base scenario with field overrides. Running only on-demand
/// capacity costs more than spot and on-demand; a bad path or value is refused with status 2,
/// naming the variant and the field.
#[test]
fn compare_variants_of_a_base_scenario() {
    let out = crate::ksim()
        .args(["compare", "--variant", "spot+od", "--variant"])
        .arg("on-demand;NodePool/default:spec.template.spec.requirements[3].values=[on-demand]")
        .args(["--duration", "3h", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["configs"][1]["label"], "on-demand");
    let cost = |i: usize| {
        v["configs"][i]["runs"]["metrics"]["cost_usd"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(cost(1) > 1.5 * cost(0), "{} vs {}", cost(0), cost(1));
    for (variant, expect) in [
        ("b;NodePool/default:spec.nope.x=1", "no key `nope`"),
        (
            "b;NodePool/other:spec.x=1",
            "0 documents match `NodePool/other`",
        ),
        (
            "b;NodePool/default:spec.disruption.consolidateAfter=soon",
            "consolidateAfter",
        ),
    ] {
        let out = crate::ksim()
            .args(["compare", "--variant", "a", "--variant", variant])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{variant}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(expect), "{variant}: {err}");
    }
}
