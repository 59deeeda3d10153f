//! Workload fidelity end to end: HPA timelines against hand-derived upstream math, the memory
//! model (OOMKill and CrashLoopBackOff), CPU throttling, the metric types, KEDA on SQS, and
//! CronJobs. Each scenario is small, with constant latencies, so the expected timeline can be
//! worked out by hand from the upstream rules quoted in each test.

use ksim::scenario::{Overrides, Scenario, Source, load};
use ksim::sim::{InvariantCheck, RunLimits, ScaleEvent, Scaler, SimResult, run};

const MINUTE: u64 = 60_000;

/// A scenario header: one zone, a managed node group big enough that no pod waits for a node,
/// constant latencies (pod startup 5 s, shutdown 1 s).
fn header(duration: &str, extra_spec: &str) -> String {
    format!(
        r#"apiVersion: ksim/v1alpha1
kind: Scenario
metadata: {{name: t}}
spec:
  duration: {duration}
  region: us-east-1
  zones: [us-east-1a]
  nodeGroups:
    - {{name: big, instanceType: m7g.16xlarge, size: 20}}
  latency:
    podStartup: {{constant: 5s}}
    podShutdown: {{constant: 1s}}
{extra_spec}
"#
    )
}

fn deployment(name: &str, replicas: u32, resources: &str) -> String {
    format!(
        r#"---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}}}
spec:
  replicas: {replicas}
  selector: {{matchLabels: {{app: {name}}}}}
  template:
    metadata: {{labels: {{app: {name}}}}}
    spec:
      containers:
        - name: app
          resources: {resources}
"#
    )
}

fn run_yaml(yaml: &str, files: &[(&str, &str)]) -> (Scenario, SimResult) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let s = load(
        &[Source {
            name: "test.yaml".into(),
            base_dir: Some(dir.path().to_path_buf()),
            text: yaml.into(),
        }],
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let r = run(
        &s,
        RunLimits {
            invariants: InvariantCheck::EveryMinute,
            ..Default::default()
        },
    )
    .unwrap();
    (s, r)
}

fn events(r: &SimResult, w: usize) -> Vec<ScaleEvent> {
    r.scale_events
        .iter()
        .filter(|e| e.workload == w)
        .copied()
        .collect()
}

fn workload(s: &Scenario, name: &str) -> usize {
    s.workloads.iter().position(|w| w.name == name).unwrap()
}

/// A demand step from 5 to 20 cores at 10 min and back at 30 min, for pods requesting one core
/// with a 50 % CPU target, and `behavior` limiting scale-up to 4 pods per 60 s and scale-down to
/// 50 % per 60 s after a 300 s window.
///
/// Upstream math (kubernetes `horizontal.go`, `replica_calculator.go`): the proposal is
/// `ceil(ready × U / 50)` with `U` the truncated utilization percent, far above the replicas;
/// `calculateScaleUpLimitWithScalingRules` allows `periodStart + 4`, where the period counts
/// changes strictly inside the last 60 s, so the replicas climb by exactly 4 every 60 s: 14,
/// 18, … 38. At 38 pods `U = floor(100 × floor(20000 / 38) / 1000)` = 52 and `52 / 50` = 1.04
/// is within the 0.1 tolerance, so the climb stops there (not at 40). After the drop nothing
/// goes down while a high recommendation is younger than 300 s, each step down is at least
/// `int32(periodStart × 0.5)` (`calculateScaleDownLimitWithBehaviors`), and it ends at the
/// recommendation for 5 cores, 10.
#[test]
fn hpa_demand_step_follows_the_behavior_policies() {
    let trace = "time,value\n0,5\n600,5\n601,20\n1800,20\n1801,5\n3600,5\n";
    let yaml = header(
        "1h",
        "  workloads:\n    - {name: api, trace: {file: demand.csv, unit: cores}}",
    ) + &deployment("api", 10, "{requests: {cpu: \"1\", memory: 1Gi}}")
        + r#"---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 100
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
  behavior:
    scaleUp:
      stabilizationWindowSeconds: 0
      policies: [{type: Pods, value: 4, periodSeconds: 60}]
    scaleDown:
      stabilizationWindowSeconds: 300
      policies: [{type: Percent, value: 50, periodSeconds: 60}]
"#;
    let (s, r) = run_yaml(&yaml, &[("demand.csv", trace)]);
    let ev = events(&r, workload(&s, "api"));
    let ups: Vec<&ScaleEvent> = ev.iter().filter(|e| e.to > e.from).collect();
    let downs: Vec<&ScaleEvent> = ev.iter().filter(|e| e.to < e.from).collect();
    let up_path: Vec<i64> = ups.iter().map(|e| e.to).collect();
    assert_eq!(up_path, vec![14, 18, 22, 26, 30, 34, 38], "{ev:?}");
    // The first reaction comes at the first sync after the step; the rest exactly 60 s apart.
    assert!(ups[0].at_ms > 600_000 && ups[0].at_ms <= 630_000, "{ev:?}");
    for pair in ups.windows(2) {
        assert_eq!(pair[1].at_ms - pair[0].at_ms, 60_000, "{ev:?}");
    }
    // The last sync before the drop recommended 38; it stays in the window for 300 s.
    assert!(downs[0].at_ms > 1_800_000 - 15_000 + 300_000, "{ev:?}");
    for d in &downs {
        let changed: i64 = ev
            .iter()
            .filter(|e| e.at_ms + 60_000 > d.at_ms && e.at_ms < d.at_ms)
            .map(|e| e.from - e.to)
            .sum();
        let period_start = d.from + changed;
        assert!(
            d.to >= (period_start as f64 * 0.5) as i64,
            "{d:?} in {ev:?}"
        );
    }
    assert_eq!(ev.last().unwrap().to, 10, "{ev:?}");
    assert!(ev.last().unwrap().at_ms < 1_800_000 + 300_000 + 4 * 60_000);
    assert!(ev.iter().all(|e| e.by == Scaler::Hpa));
}

/// Without `behavior`, the legacy normalization: scale-up limited to `max(2 × current, 4)` per
/// sync and scale-down held by the 5-minute stabilization.
#[test]
fn hpa_without_behavior_doubles_and_waits_five_minutes() {
    let trace = "time,value\n0,1\n600,1\n601,24\n1800,24\n1801,1\n3600,1\n";
    let yaml = header(
        "1h",
        "  workloads:\n    - {name: api, trace: {file: demand.csv, unit: cores}}",
    ) + &deployment("api", 2, "{requests: {cpu: \"1\", memory: 1Gi}}")
        + r#"---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: api}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
  minReplicas: 2
  maxReplicas: 100
  metrics:
    - type: Resource
      resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"#;
    let (s, r) = run_yaml(&yaml, &[("demand.csv", trace)]);
    let ev = events(&r, workload(&s, "api"));
    // Each scale-up at most doubles (or reaches 4). The climb stops at the first count whose
    // truncated utilization is within tolerance of the 50 % target (no more than 48 = 24 cores
    // at 500m each).
    for e in ev.iter().filter(|e| e.to > e.from) {
        assert!(e.to <= (2 * e.from).max(4), "{e:?}");
    }
    let top = ev.iter().map(|e| e.to).max().unwrap();
    let utilization = |n: i64| (24_000 / n) * 100 / 1_000;
    assert!(top <= 48, "{ev:?}");
    let ratio = utilization(top) as f64 / 50.0;
    assert!(
        (0.9..=1.1).contains(&ratio),
        "{top} pods: {ratio} in {ev:?}"
    );
    // Scale-down waits for the 5-minute window after the last high recommendation, and has no
    // rate limit.
    let first_down = ev.iter().find(|e| e.to < e.from).unwrap();
    assert!(first_down.at_ms > 1_800_000 - 15_000 + 300_000, "{ev:?}");
    assert!(
        ev.last().unwrap().at_ms < 1_800_000 + 300_000 + 60_000,
        "{ev:?}"
    );
    assert_eq!(ev.last().unwrap().to, 2, "back to minReplicas: {ev:?}");
}

/// A leaking container is OOMKilled when its working set passes the limit: 100 Mi at rest,
/// leaking 100 Mi an hour, limit 400 Mi → killed once it is older than 3 h, at the first scrape
/// after that. The first crash restarts at once (the back-off starts with it) and a container
/// that ran more than 600 s starts over, so in 10 h each of 3 pods is killed 3 times.
#[test]
fn memory_leak_oomkills_on_schedule() {
    let yaml = header(
        "10h",
        "  workloads:\n    - {name: app, memory: {baseline: 100Mi, leakPerHour: 100Mi}}",
    ) + &deployment(
        "app",
        3,
        "{requests: {cpu: 100m, memory: 200Mi}, limits: {memory: 400Mi}}",
    );
    let (s, r) = run_yaml(&yaml, &[]);
    let w = workload(&s, "app");
    assert_eq!(r.workloads[w].oom_kills, 9);
    for p in r.cluster.pods.iter().filter(|p| p.workload as usize == w) {
        assert_eq!(p.restarts, 3);
        // Ready again after the last restart.
        assert!(p.ready.is_some());
    }
    // The kills are visible in the time series.
    let last = r.timeseries.last().unwrap();
    assert_eq!(last.oom_kills, 9);
    let at_3h = &r.timeseries[179];
    assert_eq!(at_3h.oom_kills, 0, "nothing before 3 h");
}

/// A container that cannot fit its limit at all crash-loops. With scrapes every 15 s from an
/// offset `o` < 15 s: killed at `o` (Ready since t = 0), restarted at once, Ready 5 s later and
/// killed at the next scrape (`o + 15`); then the back-off: restarted after 10, 20, 40, 80, 160
/// and 300 s, each time Ready 5 s later and killed at the next scrape, so kills at `o` + 0, 15,
/// 30, 60, 105, 195, 360, 675 s and every 315 s after that: 17 kills in one hour.
#[test]
fn crash_loop_back_off() {
    let yaml = header(
        "1h",
        "  workloads:\n    - {name: app, memory: {baseline: 500Mi}}",
    ) + &deployment(
        "app",
        1,
        "{requests: {cpu: 100m, memory: 200Mi}, limits: {memory: 400Mi}}",
    );
    let (s, r) = run_yaml(&yaml, &[]);
    let kills = r.workloads[workload(&s, "app")].oom_kills;
    assert_eq!(kills, 17);
}

/// CPU limits cap usage: 2 pods limited to 500m each cannot serve 2 cores of demand; the other
/// core is unserved, and the utilization the HPA would see is capped at the limit.
#[test]
fn cpu_limits_throttle_and_report_unserved_demand() {
    let yaml = header(
        "1h",
        "  workloads:\n    - {name: app, daily: {trough: 2, peak: 2}}",
    ) + &deployment(
        "app",
        2,
        "{requests: {cpu: 500m, memory: 200Mi}, limits: {cpu: 500m}}",
    );
    let (s, r) = run_yaml(&yaml, &[]);
    let t = &r.workloads[workload(&s, "app")];
    assert!((t.cpu_demand_core_s - 7_200.0).abs() < 60.0, "{t:?}");
    assert!((t.cpu_unserved_core_s - 3_600.0).abs() < 60.0, "{t:?}");
}

/// A memory Utilization target: a working set of 150 % of the request on 4 pods gives
/// `ceil(4 × 150 / 100)` = 6 pods, then 9 (the working set per pod does not fall with more pods,
/// as it has no load part), up to maxReplicas.
#[test]
fn memory_utilization_hpa() {
    let yaml = header(
        "20m",
        "  workloads:\n    - {name: app, memory: {baseline: 300Mi}}",
    ) + &deployment("app", 4, "{requests: {cpu: 100m, memory: 200Mi}}")
        + r#"---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  minReplicas: 1
  maxReplicas: 12
  metrics:
    - type: Resource
      resource: {name: memory, target: {type: Utilization, averageUtilization: 100}}
"#;
    let (s, r) = run_yaml(&yaml, &[]);
    let ev = events(&r, workload(&s, "app"));
    assert_eq!(ev[0].to, 6, "{ev:?}");
    assert_eq!(ev.last().unwrap().to, 12, "{ev:?}");
}

/// Pods (custom) and External metrics and a ContainerResource metric, each at its steady
/// state: 10 cores of demand × 100 requests per core = 1,000 req/s; a Pods target of 50 per pod
/// gives 20 pods; an External Value target of 250 gives `ceil(4 × ready)` at first and settles
/// where `total / target` is within tolerance of 1 per ready pod…; a ContainerResource target on
/// the sidecar (a tenth of the pod's CPU request) sees a tenth of the usage.
#[test]
fn pods_external_and_container_metrics_reach_their_targets() {
    let yaml = header(
        "30m",
        "  workloads:\n    - name: web\n      daily: {trough: 10, peak: 10}\n      metrics: [{name: http_requests, perDemandUnit: 100}]\n    - name: side\n      daily: {trough: 4, peak: 4}",
    ) + &deployment("web", 4, "{requests: {cpu: \"1\", memory: 1Gi}}")
        + r#"---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 1
  maxReplicas: 100
  metrics:
    - type: Pods
      pods:
        metric: {name: http_requests}
        target: {type: AverageValue, averageValue: "50"}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: side}
spec:
  replicas: 2
  selector: {matchLabels: {app: side}}
  template:
    metadata: {labels: {app: side}}
    spec:
      containers:
        - name: app
          resources: {requests: {cpu: 900m, memory: 1Gi}}
        - name: proxy
          resources: {requests: {cpu: 100m, memory: 64Mi}}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: side}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: side}
  minReplicas: 1
  maxReplicas: 100
  metrics:
    - type: ContainerResource
      containerResource:
        name: cpu
        container: proxy
        target: {type: Utilization, averageUtilization: 80}
    - type: External
      external:
        metric: {name: http_requests}
        target: {type: AverageValue, averageValue: "250"}
"#;
    let (s, r) = run_yaml(&yaml, &[]);
    let web = events(&r, workload(&s, "web"));
    assert_eq!(web.last().unwrap().to, 20, "{web:?}");
    // ContainerResource: 4 cores over the pods, the proxy's share is 10 %, its request 100m:
    // utilization = 100 × usage / request = 100 × 4000 / pods / 1000 → 5 pods at 80 %.
    // External AverageValue: 1,000 / 250 = 4 pods. The larger proposal wins.
    let side = events(&r, workload(&s, "side"));
    assert_eq!(side.last().unwrap().to, 5, "{side:?}");
}

/// KEDA on an SQS queue: no messages until 10 min, then 20 messages/s until 40 min. The
/// ScaledObject (minReplicaCount 0, pollingInterval 30 s, cooldownPeriod 300 s) activates the
/// worker at the first poll that sees a message, the HPA it generates scales on
/// `ceil(queue / queueLength)`, and once the queue is empty and the last active poll is more
/// than 300 s old KEDA scales back to zero.
#[test]
fn keda_scales_sqs_workers_from_and_to_zero() {
    let trace = "time,value\n0,0\n600,0\n601,20\n2400,20\n2401,0\n3600,0\n";
    let yaml = header(
        "1h",
        "  queues:\n    - {name: jobs, trace: {file: arrivals.csv}, processingTime: {constant: 1s}, concurrency: 2}",
    ) + &deployment("worker", 0, "{requests: {cpu: 500m, memory: 512Mi}}")
        + r#"---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker}
spec:
  scaleTargetRef: {name: worker}
  pollingInterval: 30
  cooldownPeriod: 300
  maxReplicaCount: 50
  triggers:
    - type: aws-sqs-queue
      metadata:
        queueURL: https://sqs.us-east-1.amazonaws.com/123456789012/jobs
        queueLength: "2"
        awsRegion: us-east-1
"#;
    let (s, r) = run_yaml(&yaml, &[("arrivals.csv", trace)]);
    let ev = events(&r, workload(&s, "worker"));
    let first = ev.first().unwrap();
    assert_eq!(
        (first.from, first.to, first.by),
        (0, 1, Scaler::Keda),
        "{ev:?}"
    );
    assert!(first.at_ms > 600_000 && first.at_ms <= 630_000, "{ev:?}");
    // The backlog of the first poll interval (up to 600 messages) sends the HPA to maxReplicas
    // (doubling per sync); once it is drained, 20 msg/s × 1 s = 20 in flight and the
    // AverageValue target of 2 per pod gives ceil(20 / 2) = 10 replicas.
    let peak = ev.iter().map(|e| e.to).max().unwrap();
    assert_eq!(peak, 50, "{ev:?}");
    let steady = ev
        .iter()
        .filter(|e| e.at_ms > 1_200_000 && e.at_ms < 2_400_000)
        .collect::<Vec<_>>();
    assert!(steady.is_empty(), "{steady:?}");
    let before = ev.iter().rfind(|e| e.at_ms < 2_400_000).unwrap();
    assert_eq!(before.to, 10, "{ev:?}");
    let last = ev.last().unwrap();
    assert_eq!((last.to, last.by), (0, Scaler::Keda), "{ev:?}");
    assert!(last.at_ms > 2_400_000 + 300_000, "{ev:?}");
    let q = &r.queues[0];
    assert!((q.arrived - 20.0 * 1800.0).abs() < 30.0, "{q:?}");
    assert!((q.processed - q.arrived).abs() < 1.0, "{q:?}");
    let [p50, ..] = q.age_ms.unwrap();
    assert!(p50 < 5_000, "{q:?}");
}

fn cron_job(name: &str, schedule: &str, policy: &str, extra: &str) -> String {
    format!(
        r#"---
apiVersion: batch/v1
kind: CronJob
metadata: {{name: {name}}}
spec:
  schedule: "{schedule}"
  concurrencyPolicy: {policy}
{extra}  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers:
            - name: job
              resources: {{requests: {{cpu: 100m, memory: 64Mi}}}}
"#
    )
}

fn job_pod_starts(s: &Scenario, r: &SimResult, name: &str) -> Vec<u64> {
    let w = workload(s, name);
    r.cluster
        .pods
        .iter()
        .filter(|p| p.workload as usize == w)
        .map(|p| p.created)
        .collect()
}

/// Every 10 minutes, each run lasting 15 minutes (plus the 5 s startup):
/// - `Allow` starts every run on time (100 ms after the schedule, `nextScheduleDelta`);
/// - `Forbid` skips the run due while a Job is active and starts it late when the Job ends;
/// - `Replace` deletes the active Job and starts the new one on time.
#[test]
fn cron_job_concurrency_policies() {
    let jobs = "  workloads:\n    - {name: allow, jobDuration: {constant: 15m}}\n    - {name: forbid, jobDuration: {constant: 15m}}\n    - {name: replace, jobDuration: {constant: 15m}}";
    let yaml = header("1h", jobs)
        + &cron_job("allow", "*/10 * * * *", "Allow", "")
        + &cron_job("forbid", "*/10 * * * *", "Forbid", "")
        + &cron_job("replace", "*/10 * * * *", "Replace", "");
    let (s, r) = run_yaml(&yaml, &[]);
    let on_time: Vec<u64> = (1..=5).map(|k| k * 10 * MINUTE + 100).collect();
    assert_eq!(job_pod_starts(&s, &r, "allow"), on_time);
    assert_eq!(job_pod_starts(&s, &r, "replace"), on_time);
    // Forbid: 10:00 runs to 25:05; the 20:00 run starts late at 25:05 and ends at 40:10, when
    // the 40:00 run (due while it ran; the 30:00 one is no longer the most recent) starts late;
    // it ends at 55:15, when the 50:00 run starts.
    let forbid = job_pod_starts(&s, &r, "forbid");
    assert_eq!(
        forbid,
        vec![
            10 * MINUTE + 100,
            25 * MINUTE + 5_100,
            40 * MINUTE + 10_100,
            55 * MINUTE + 15_100
        ],
        "{forbid:?}"
    );
    // Replace deleted four Jobs before they finished; Allow completed the three that could.
    let replace = workload(&s, "replace");
    let replaced = r
        .cluster
        .pods
        .iter()
        .filter(|p| p.workload as usize == replace && p.deleted.is_some() && !p.succeeded)
        .count();
    assert_eq!(replaced, 4);
}

/// `timeZone`, `startingDeadlineSeconds` with `Forbid`, and `parallelism`/`completions`.
#[test]
fn cron_job_time_zone_deadline_and_parallelism() {
    let jobs = "  workloads:\n    - {name: tokyo, jobDuration: {constant: 10m}}\n    - {name: strict, jobDuration: {constant: 70m}}";
    let yaml = header("24h", jobs)
        + &cron_job("tokyo", "0 3 * * *", "Allow", "  timeZone: Asia/Tokyo\n").replace(
            "      template:",
            "      parallelism: 3\n      completions: 7\n      template:",
        )
        + &cron_job(
            "strict",
            "0 * * * *",
            "Forbid",
            "  startingDeadlineSeconds: 60\n",
        );
    let (s, r) = run_yaml(&yaml, &[]);
    // 03:00 in Tokyo is 18:00 UTC (the scenario starts 2026-01-05T00:00Z): 7 pods in waves of 3.
    let tokyo = job_pod_starts(&s, &r, "tokyo");
    assert_eq!(tokyo.len(), 7);
    let start = 18 * 60 * MINUTE + 100;
    assert_eq!(&tokyo[..3], &[start, start, start]);
    assert!(tokyo[3..].iter().all(|&t| t >= start + 10 * MINUTE));
    // Forbid with a 60 s deadline: a 70 min run blocks the next hourly one, which is past its
    // deadline when the run ends, so only every other hour runs: 01:00, 03:00, … 23:00.
    let strict = job_pod_starts(&s, &r, "strict");
    let want: Vec<u64> = (0..12).map(|k| (1 + 2 * k) * 60 * MINUTE + 100).collect();
    assert_eq!(strict, want);
}
