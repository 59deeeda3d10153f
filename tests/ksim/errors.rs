//! Bad input gets a clear error naming the file, the line and the field, with exit status 2.

/// A small valid scenario; each case below breaks one thing.
pub(crate) const BASE: &str = r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata:
  name: small
spec:
  duration: 1h
  region: us-east-1
---
apiVersion: karpenter.sh/v1
kind: NodePool
metadata:
  name: default
spec:
  template:
    spec:
      nodeClassRef: {group: karpenter.k8s.aws, kind: EC2NodeClass, name: default}
      requirements:
        - key: node.kubernetes.io/instance-type
          operator: In
          values: ["m7g.xlarge"]
  disruption:
    consolidateAfter: 3m
---
apiVersion: karpenter.k8s.aws/v1
kind: EC2NodeClass
metadata:
  name: default
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 3
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      containers:
        - name: app
          resources:
            requests: {cpu: 500m, memory: 1Gi}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: api
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 10
"#;

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.contains(needle))
        .expect("needle present")
        + 1
}

/// Runs `ksim validate` on `text` and checks status 2 and that stderr names the file, the
/// expected line and contains every fragment.
fn expect_error(text: &str, line: Option<usize>, fragments: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.yaml");
    std::fs::write(&path, text).unwrap();
    let out = crate::ksim().arg("validate").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let file = path.display().to_string();
    match line {
        Some(l) => assert!(
            stderr.contains(&format!("{file}:{l}")),
            "expected {file}:{l} in: {stderr}"
        ),
        None => assert!(stderr.contains(&file), "expected {file} in: {stderr}"),
    }
    for f in fragments {
        assert!(stderr.contains(f), "expected {f:?} in: {stderr}");
    }
}

#[test]
fn base_scenario_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.yaml");
    std::fs::write(&path, BASE).unwrap();
    let out = crate::ksim().arg("validate").arg(&path).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn unknown_field() {
    let text = BASE.replace("  replicas: 3", "  replcias: 3");
    let line = line_of(&text, "replcias");
    expect_error(
        &text,
        Some(line),
        &[
            "Deployment default/api",
            "unknown field `replcias`",
            "spec.replcias",
        ],
    );
}

#[test]
fn bad_quantity() {
    let text = BASE.replace("cpu: 500m", "cpu: 5x00m");
    let line = line_of(&text, "5x00m");
    expect_error(
        &text,
        Some(line),
        &[
            "invalid quantity \"5x00m\"",
            "spec.template.spec.containers[0].resources.requests.cpu",
        ],
    );
}

#[test]
fn unknown_operator() {
    let text = BASE.replace("operator: In", "operator: Equals");
    let line = line_of(&text, "Equals");
    expect_error(
        &text,
        Some(line),
        &[
            "NodePool default",
            "unknown operator \"Equals\"",
            "requirements[0].operator",
        ],
    );
}

#[test]
fn hpa_min_above_max() {
    let text = BASE.replace("minReplicas: 2", "minReplicas: 20");
    let line = line_of(&text, "minReplicas: 20");
    expect_error(
        &text,
        Some(line),
        &[
            "HorizontalPodAutoscaler default/api",
            "spec.minReplicas",
            "minReplicas (20) must be less than or equal to maxReplicas (10)",
        ],
    );
}

#[test]
fn pod_that_can_never_fit() {
    let text = BASE.replace("cpu: 500m, memory: 1Gi", "cpu: \"64\", memory: 1Gi");
    expect_error(
        &text,
        Some(line_of(&text, "name: api")),
        &["Deployment default/api", "fits no instance type"],
    );
}

#[test]
fn bad_duration_pattern() {
    let text = BASE.replace("consolidateAfter: 3m", "consolidateAfter: 1.5m");
    let line = line_of(&text, "1.5m");
    expect_error(
        &text,
        Some(line),
        &[
            "spec.disruption.consolidateAfter",
            "does not match the pattern",
        ],
    );
}

#[test]
fn missing_scale_target() {
    let text = BASE.replace(
        "kind: Deployment, name: api}",
        "kind: Deployment, name: apii}",
    );
    let line = line_of(&text, "name: apii");
    expect_error(
        &text,
        Some(line),
        &["spec.scaleTargetRef.name", "no Deployment default/apii"],
    );
}

#[test]
fn unknown_instance_type() {
    let text = BASE.replace("values: [\"m7g.xlarge\"]", "values: [\"m7g.xlargee\"]");
    let line = line_of(&text, "operator: In");
    expect_error(
        &text,
        Some(line),
        &["unknown node.kubernetes.io/instance-type value \"m7g.xlargee\""],
    );
}

#[test]
fn malformed_yaml() {
    let text = BASE.replace("  replicas: 3", "  replicas: [3");
    // The unclosed flow sequence runs into the next line, where the parser stops.
    expect_error(
        &text,
        Some(line_of(&text, "replicas: [3") + 1),
        &["spec.replicas", "illegal placement"],
    );
}

#[test]
fn empty_and_binary_input() {
    expect_error("", None, &["no Kubernetes or ksim documents"]);
    expect_error(
        "# just a comment\n---\n",
        None,
        &["no Kubernetes or ksim documents"],
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("garbage.yaml");
    std::fs::write(&path, [0u8, 159, 146, 150, 255, 0, 1]).unwrap();
    let out = crate::ksim().arg("validate").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not UTF-8"));
}

#[test]
fn unsupported_api_version() {
    let text = BASE.replace("apiVersion: autoscaling/v2", "apiVersion: autoscaling/v1");
    let line = line_of(&text, "autoscaling/v1");
    expect_error(
        &text,
        Some(line),
        &["HorizontalPodAutoscaler apiVersion \"autoscaling/v1\" is not supported"],
    );
}

#[test]
fn bad_command_line_duration() {
    let out = crate::ksim()
        .args(["run", "--duration", "10x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--duration"));
}

#[test]
fn bad_price_table_names_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices.csv");
    std::fs::write(
        &prices,
        "# comments and blank lines count in line numbers\ninstance_type,zone,capacity_type,usd_per_hour\n# on-demand\nm7g.2xlarge,*,on-demand,0.4\n\nm7g.xlarge,*,reserved,0.2\n",
    )
    .unwrap();
    let out = crate::ksim()
        .args(["run", "--duration", "1h", "--prices"])
        .arg(&prices)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:6:", prices.display())),
        "{stderr}"
    );
    assert!(stderr.contains("capacity_type"), "{stderr}");
}

#[test]
fn price_table_without_the_node_group_type_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices.csv");
    std::fs::write(
        &prices,
        "instance_type,zone,capacity_type,usd_per_hour\nm7g.xlarge,*,on-demand,0.2\n",
    )
    .unwrap();
    let out = crate::ksim()
        .args(["run", "--duration", "1h", "--prices"])
        .arg(&prices)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("node group system") && stderr.contains("m7g.2xlarge"),
        "{stderr}"
    );
}

#[test]
fn user_prices_are_used() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices.csv");
    let mut csv = String::from("instance_type,zone,capacity_type,usd_per_hour\n");
    for t in ["m7g.xlarge", "m7gd.xlarge", "m7g.2xlarge", "m7gd.2xlarge"] {
        csv.push_str(&format!("{t},*,on-demand,1.0\n{t},*,spot,0.5\n"));
    }
    std::fs::write(&prices, csv).unwrap();
    let out = crate::ksim()
        .args(["run", "--duration", "1h", "--format", "json", "--prices"])
        .arg(&prices)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // Six on-demand system nodes at $1/h for one hour.
    assert_eq!(v["cost"]["by_node_group"]["system"], 6.0);
    assert_eq!(v["cost"]["prices_are_proxy"], false);
}

/// A CronJob, a queue and a ScaledObject added to [`BASE`]; each case below breaks one thing.
fn with_workloads(extra_scenario: &str, docs: &str) -> String {
    BASE.replace(
        "  region: us-east-1\n",
        &format!("  region: us-east-1\n{extra_scenario}"),
    ) + docs
}

const QUEUE: &str =
    "  queues:\n    - {name: jobs, daily: {trough: 1, peak: 5}, processingTime: {constant: 1s}}\n";

const WORKER: &str = r#"---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: worker
spec:
  replicas: 0
  selector:
    matchLabels: {app: worker}
  template:
    metadata:
      labels: {app: worker}
    spec:
      containers:
        - name: app
          resources:
            requests: {cpu: 500m, memory: 1Gi}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: worker
spec:
  scaleTargetRef: {name: worker}
  minReplicaCount: 0
  maxReplicaCount: 20
  triggers:
    - type: aws-sqs-queue
      metadata:
        queueURL: https://sqs.us-east-1.amazonaws.com/123456789012/jobs
        queueLength: "5"
        awsRegion: us-east-1
"#;

const CRON: &str = r#"---
apiVersion: batch/v1
kind: CronJob
metadata:
  name: nightly
spec:
  schedule: "0 3 * * *"
  timeZone: Asia/Tokyo
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: job
              resources:
                requests: {cpu: 100m, memory: 64Mi}
"#;

#[test]
fn valid_keda_queue_and_cron_job() {
    let text = with_workloads(QUEUE, &format!("{WORKER}{CRON}"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input.yaml");
    std::fs::write(&path, text).unwrap();
    let out = crate::ksim().arg("validate").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    // The CronJob has no run time in the Scenario: a warning, not an error.
    assert!(stderr.contains("has no jobDuration"), "{stderr}");
}

#[test]
fn cron_job_errors() {
    for (from, to, needle, fragments) in [
        (
            "timeZone: Asia/Tokyo",
            "timeZone: Mars/Olympus",
            "Mars/Olympus",
            vec!["spec.timeZone", "unknown time zone \"Mars/Olympus\""],
        ),
        (
            "schedule: \"0 3 * * *\"",
            "schedule: \"TZ=UTC 0 3 * * *\"",
            "TZ=UTC",
            vec!["spec.schedule", "use timeZone field instead"],
        ),
        (
            "schedule: \"0 3 * * *\"",
            "schedule: \"61 3 * * *\"",
            "61 3",
            vec!["spec.schedule", "above maximum"],
        ),
        (
            "  timeZone: Asia/Tokyo\n",
            "  timeZone: Asia/Tokyo\n  concurrencyPolicy: Sometimes\n",
            "Sometimes",
            vec!["spec.concurrencyPolicy", "must be Allow, Forbid or Replace"],
        ),
    ] {
        let text = with_workloads("", &CRON.replace(from, to));
        let line = line_of(&text, needle);
        expect_error(&text, Some(line), &fragments);
    }
}

#[test]
fn scaled_object_errors() {
    let cases: Vec<(&str, &str, Option<&str>, Vec<&str>)> = vec![
        (
            "- type: aws-sqs-queue",
            "- type: kafka",
            Some("kafka"),
            vec![
                "spec.triggers[0].type",
                "trigger type \"kafka\" is not simulated",
            ],
        ),
        (
            "/123456789012/jobs",
            "/123456789012/orders",
            Some("- type: aws-sqs-queue"),
            vec!["queue \"orders\" is not defined in the Scenario's spec.queues"],
        ),
        (
            "queueLength: \"5\"",
            "queueLength: \"5.5\"",
            None,
            vec![
                "spec.triggers[0].metadata.queueLength",
                "must be an integer",
            ],
        ),
        (
            "maxReplicaCount: 20",
            "maxReplicaCount: 20\n  idleReplicaCount: 0",
            Some("idleReplicaCount"),
            vec!["IdleReplicaCount=0 must be less than MinReplicaCount=0"],
        ),
        (
            "        awsRegion: us-east-1\n",
            "",
            Some("- type: aws-sqs-queue"),
            vec!["metadata.awsRegion", "no awsRegion given"],
        ),
        (
            "scaleTargetRef: {name: worker}",
            "scaleTargetRef: {name: api}",
            Some("scaleTargetRef: {name: api}"),
            vec!["already scaled by HorizontalPodAutoscaler api"],
        ),
    ];
    for (from, to, needle, fragments) in cases {
        let text = with_workloads(QUEUE, &WORKER.replace(from, to));
        let line = needle.map(|n| line_of(&text, n));
        expect_error(&text, line, &fragments);
    }
}

#[test]
fn queue_and_memory_model_errors() {
    // A queue nobody consumes.
    let text = with_workloads(QUEUE, "");
    expect_error(&text, None, &["spec.queues[0].consumer", "has no consumer"]);
    // A negative memory baseline.
    let text = with_workloads(
        "  workloads:\n    - {name: api, memory: {baseline: -1Mi}}\n",
        "",
    );
    let line = line_of(&text, "baseline: -1Mi");
    expect_error(
        &text,
        Some(line),
        &["spec.workloads[0].memory.baseline", "must not be negative"],
    );
    // A job duration on a Deployment.
    let text = with_workloads(
        "  workloads:\n    - {name: api, jobDuration: {constant: 1m}}\n",
        "",
    );
    let line = line_of(&text, "jobDuration");
    expect_error(&text, Some(line), &["only CronJobs have a job duration"]);
}

#[test]
fn hpa_metric_errors() {
    let metric = |m: &str| {
        BASE.replace(
            "  maxReplicas: 10\n",
            &format!("  maxReplicas: 10\n  metrics:\n{m}"),
        )
    };
    let text = metric(
        "    - type: Resource\n      resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}\n",
    );
    expect_error(
        &text,
        None,
        &["a memory metric needs a memory model for default/api"],
    );
    let text = metric(
        "    - type: Pods\n      pods: {metric: {name: rps}, target: {type: AverageValue, averageValue: \"10\"}}\n",
    );
    let line = line_of(&text, "name: rps");
    expect_error(
        &text,
        Some(line),
        &[
            "spec.metrics[0].pods.metric.name",
            "exposes no metric \"rps\"",
        ],
    );
    let text = metric(
        "    - type: ContainerResource\n      containerResource: {name: cpu, container: proxy, target: {type: Utilization, averageUtilization: 80}}\n",
    );
    expect_error(
        &text,
        None,
        &[
            "spec.metrics[0].containerResource.container",
            "no container \"proxy\"",
        ],
    );
    let text = metric(
        "    - type: External\n      external: {metric: {name: nothing}, target: {type: Value, value: \"10\"}}\n",
    );
    let line = line_of(&text, "name: nothing");
    expect_error(
        &text,
        Some(line),
        &[
            "spec.metrics[0].external.metric.name",
            "no external metric \"nothing\"",
        ],
    );
    let text = metric("    - type: Object\n      object: {}\n");
    let line = line_of(&text, "type: Object");
    expect_error(&text, Some(line), &["Object metrics are not simulated"]);
}

#[test]
fn capacity_model_and_provisioning_errors() {
    let spec = |extra: &str| {
        BASE.replace(
            "  region: us-east-1\n",
            &format!("  region: us-east-1\n{extra}"),
        )
    };
    // A probability above 1.
    let text = spec("  capacity:\n    - {capacityType: spot, unavailableProbability: 1.5}\n");
    let line = line_of(&text, "unavailableProbability");
    expect_error(
        &text,
        Some(line),
        &["spec.capacity[0].unavailableProbability", "between 0 and 1"],
    );
    // An unknown zone.
    let text = spec("  capacity:\n    - zones: [us-east-1z]\n      maxNodes: 3\n");
    let line = line_of(&text, "us-east-1z");
    expect_error(
        &text,
        Some(line),
        &["spec.capacity[0].zones", "unknown zone \"us-east-1z\""],
    );
    // A window that ends before it starts.
    let text = spec("  capacity:\n    - {from: 2h, until: 1h, maxNodes: 0}\n");
    expect_error(
        &text,
        Some(line_of(&text, "until: 1h")),
        &["spec.capacity[0].until", "later than from"],
    );
    // An unknown instance type.
    let text = spec("  capacity:\n    - {instanceTypes: [m7g.mega], maxNodes: 1}\n");
    expect_error(
        &text,
        Some(line_of(&text, "m7g.mega")),
        &["spec.capacity[0].instanceTypes", "unknown instance type"],
    );
    // An interruption frequency for on-demand.
    let text = spec("  capacity:\n    - {capacityType: on-demand, interruptionFrequency: 0.1}\n");
    expect_error(&text, None, &["applies to spot only"]);
    // A bad minValues policy.
    let text = spec("  karpenter: {minValuesPolicy: Sometimes}\n");
    expect_error(
        &text,
        Some(line_of(&text, "Sometimes")),
        &["spec.karpenter.minValuesPolicy", "Strict or BestEffort"],
    );
    // A missing spot trace file.
    let text = spec("  prices: {spotTrace: /nonexistent/spot.csv}\n");
    expect_error(
        &text,
        Some(line_of(&text, "spotTrace")),
        &["spec.prices.spotTrace", "cannot read spot price trace"],
    );
}

#[test]
fn pod_anti_affinity_errors() {
    let anti = |term: &str| {
        BASE.replace(
            "    spec:\n      containers:",
            &format!(
                "    spec:\n      affinity:\n        podAntiAffinity:\n{term}      containers:"
            ),
        )
    };
    let text = anti(
        "          preferredDuringSchedulingIgnoredDuringExecution:\n            - weight: 0\n              podAffinityTerm: {topologyKey: kubernetes.io/hostname}\n",
    );
    expect_error(
        &text,
        None,
        &[
            "spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight",
            "range 1-100",
        ],
    );
    let text = anti(
        "          requiredDuringSchedulingIgnoredDuringExecution:\n            - {topologyKey: \"\"}\n",
    );
    expect_error(&text, None, &["topologyKey", "can not be empty"]);
}

/// A spot interruption table next to the scenario: a broken feed is refused with its own file
/// and line, a feed without the scenario's region with the scenario's file, line and field.
#[test]
fn bad_spot_interruption_table_is_refused_with_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let reference = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/reference.yaml"),
    )
    .unwrap();
    let scenario = dir.path().join("s.yaml");
    std::fs::write(
        &scenario,
        reference.replace(
            "  region: ap-northeast-1\n",
            "  region: ap-northeast-1\n  spotInterruptionDefaults: feed.json\n",
        ),
    )
    .unwrap();
    let feed = dir.path().join("feed.json");
    let run = || {
        let out = crate::ksim()
            .args(["run", "--duration", "1h"])
            .arg(&scenario)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    std::fs::write(
        &feed,
        "{\"ranges\": [\n  {\"index\": 0,, \"label\": \"<5%\"}]}",
    )
    .unwrap();
    let (code, stderr) = run();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!("{}:2:", feed.display())),
        "{stderr}"
    );
    std::fs::write(
        &feed,
        r#"{"ranges":[{"index":0,"label":"<5%"}],"spot_advisor":{"us-east-1":{"Linux":{}}}}"#,
    )
    .unwrap();
    let (code, stderr) = run();
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("s.yaml:") && stderr.contains("spec.spotInterruptionDefaults"),
        "{stderr}"
    );
    assert!(
        stderr.contains("no interruption frequencies for region ap-northeast-1"),
        "{stderr}"
    );
}
