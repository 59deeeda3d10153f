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
