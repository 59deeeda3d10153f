//! Raw manifest types: serde mirrors of the Kubernetes, Karpenter and ksim objects as users
//! write them.
//!
//! Every struct denies unknown fields, so a typo such as `replcias` is an error. Fields that
//! exist in the upstream schema but do not affect the simulation are accepted and ignored
//! (`Option<IgnoredAny>`), so real manifests from `helm template` load unchanged. Collections are
//! `Option<Vec<_>>` because the API server treats `null` as empty.

use crate::k8s::quantity::Quantity;
use serde::de::{self, IgnoredAny};
use serde::{Deserialize, Deserializer};
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::fmt;

/// Anything, ignored.
pub type Ignored = Option<IgnoredAny>;

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a Kubernetes quantity such as 500m, 2Gi or 1.5")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Quantity, E> {
                Quantity::parse(s).map_err(|e| E::custom(format!("invalid quantity {s:?}: {e}")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Quantity, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Quantity, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Quantity, E> {
                self.visit_str(&format!("{v}"))
            }
        }
        d.deserialize_str(V)
    }
}

/// An int or a string (`IntOrString`), as in PodDisruptionBudget `minAvailable: 50%`.
#[derive(Debug, Clone, PartialEq)]
pub enum IntOrString {
    /// An integer.
    Int(i64),
    /// A string, usually a percentage.
    Str(String),
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = IntOrString;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an integer or a percentage string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<IntOrString, E> {
                Ok(IntOrString::Str(s.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IntOrString, E> {
                i64::try_from(v)
                    .map(IntOrString::Int)
                    .map_err(|_| E::custom("integer out of range"))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IntOrString, E> {
                Ok(IntOrString::Int(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string written as a YAML string or number (label values like `"7"` are often unquoted).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Scalar(pub String);

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Scalar, E> {
                Ok(Scalar(s.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar(v.to_string()))
            }
        }
        d.deserialize_str(V)
    }
}

/// The part of every document read first, to decide its kind.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Header {
    /// `apiVersion`.
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: Option<String>,
    /// `metadata`.
    pub metadata: Option<HeaderMeta>,
}

/// Name and namespace, read leniently for the header.
#[derive(Debug, Deserialize)]
pub struct HeaderMeta {
    /// `metadata.name`.
    pub name: Option<Scalar>,
    /// `metadata.namespace`.
    pub namespace: Option<Scalar>,
}

/// `metav1.ObjectMeta`.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ObjectMeta {
    /// Object name.
    pub name: Option<Spanned<String>>,
    /// Namespace (default `default`).
    pub namespace: Option<String>,
    /// Labels.
    pub labels: Option<BTreeMap<String, Scalar>>,
    /// Annotations.
    pub annotations: Option<BTreeMap<String, Scalar>>,
    /// Ignored.
    pub generate_name: Ignored,
    /// Ignored.
    pub uid: Ignored,
    /// Ignored.
    pub resource_version: Ignored,
    /// Ignored.
    pub generation: Ignored,
    /// Ignored.
    pub creation_timestamp: Ignored,
    /// Ignored.
    pub deletion_timestamp: Ignored,
    /// Ignored.
    pub deletion_grace_period_seconds: Ignored,
    /// Ignored.
    pub owner_references: Ignored,
    /// Ignored.
    pub finalizers: Ignored,
    /// Ignored.
    pub managed_fields: Ignored,
    /// Ignored.
    pub self_link: Ignored,
}

/// apps/v1 Deployment.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Deployment {
    /// `apps/v1`.
    pub api_version: String,
    /// `Deployment`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: DeploymentSpec,
    /// Ignored.
    pub status: Ignored,
}

/// Deployment spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeploymentSpec {
    /// Desired replicas (default 1).
    pub replicas: Option<Spanned<i64>>,
    /// Pod selector.
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Ignored.
    pub strategy: Ignored,
    /// Ignored.
    pub min_ready_seconds: Ignored,
    /// Ignored.
    pub revision_history_limit: Ignored,
    /// Ignored.
    pub paused: Ignored,
    /// Ignored.
    pub progress_deadline_seconds: Ignored,
}

/// apps/v1 DaemonSet.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaemonSet {
    /// `apps/v1`.
    pub api_version: String,
    /// `DaemonSet`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: DaemonSetSpec,
    /// Ignored.
    pub status: Ignored,
}

/// DaemonSet spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DaemonSetSpec {
    /// Pod selector.
    pub selector: Option<LabelSelector>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Ignored.
    pub update_strategy: Ignored,
    /// Ignored.
    pub min_ready_seconds: Ignored,
    /// Ignored.
    pub revision_history_limit: Ignored,
}

/// A pod template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodTemplateSpec {
    /// Template metadata (labels select the pods).
    pub metadata: Option<ObjectMeta>,
    /// Pod spec.
    pub spec: PodSpec,
}

/// core/v1 PodSpec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodSpec {
    /// Containers.
    pub containers: Vec<Container>,
    /// Init containers (sidecars have `restartPolicy: Always`).
    pub init_containers: Option<Vec<Container>>,
    /// Node selector.
    pub node_selector: Option<BTreeMap<String, Scalar>>,
    /// Affinity.
    pub affinity: Option<Affinity>,
    /// Tolerations.
    pub tolerations: Option<Vec<Toleration>>,
    /// Topology spread constraints.
    pub topology_spread_constraints: Option<Vec<TopologySpreadConstraint>>,
    /// Grace period (default 30 s).
    pub termination_grace_period_seconds: Option<i64>,
    /// Pod priority value.
    pub priority: Option<i32>,
    /// Pod overhead (RuntimeClass).
    pub overhead: Option<BTreeMap<String, Quantity>>,
    /// Pod-level resources.
    pub resources: Option<ResourceRequirements>,
    /// Ignored.
    pub volumes: Ignored,
    /// Ignored.
    pub ephemeral_containers: Ignored,
    /// Ignored.
    pub restart_policy: Ignored,
    /// Ignored.
    pub active_deadline_seconds: Ignored,
    /// Ignored.
    pub dns_policy: Ignored,
    /// Ignored.
    pub service_account_name: Ignored,
    /// Ignored.
    pub service_account: Ignored,
    /// Ignored.
    pub automount_service_account_token: Ignored,
    /// Ignored.
    pub node_name: Ignored,
    /// Ignored.
    pub host_network: Ignored,
    /// Ignored.
    #[serde(rename = "hostPID")]
    pub host_pid: Ignored,
    /// Ignored.
    #[serde(rename = "hostIPC")]
    pub host_ipc: Ignored,
    /// Ignored.
    pub share_process_namespace: Ignored,
    /// Ignored.
    pub security_context: Ignored,
    /// Ignored.
    pub image_pull_secrets: Ignored,
    /// Ignored.
    pub hostname: Ignored,
    /// Ignored.
    pub subdomain: Ignored,
    /// Ignored.
    pub scheduler_name: Ignored,
    /// Ignored.
    pub host_aliases: Ignored,
    /// Ignored.
    pub priority_class_name: Ignored,
    /// Ignored.
    pub dns_config: Ignored,
    /// Ignored.
    pub readiness_gates: Ignored,
    /// Ignored.
    pub runtime_class_name: Ignored,
    /// Ignored.
    pub enable_service_links: Ignored,
    /// Ignored.
    pub preemption_policy: Ignored,
    /// Ignored.
    #[serde(rename = "setHostnameAsFQDN")]
    pub set_hostname_as_fqdn: Ignored,
    /// Ignored.
    pub os: Ignored,
    /// Ignored.
    pub host_users: Ignored,
    /// Ignored.
    pub scheduling_gates: Ignored,
    /// Ignored.
    pub resource_claims: Ignored,
    /// Ignored.
    pub hostname_override: Ignored,
}

/// core/v1 Container.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Container {
    /// Container name.
    pub name: Option<String>,
    /// Resources.
    pub resources: Option<ResourceRequirements>,
    /// `Always` marks a sidecar init container.
    pub restart_policy: Option<String>,
    /// Ignored.
    pub image: Ignored,
    /// Ignored.
    pub command: Ignored,
    /// Ignored.
    pub args: Ignored,
    /// Ignored.
    pub working_dir: Ignored,
    /// Ignored.
    pub ports: Ignored,
    /// Ignored.
    pub env_from: Ignored,
    /// Ignored.
    pub env: Ignored,
    /// Ignored.
    pub resize_policy: Ignored,
    /// Ignored.
    pub restart_policy_rules: Ignored,
    /// Ignored.
    pub volume_mounts: Ignored,
    /// Ignored.
    pub volume_devices: Ignored,
    /// Ignored.
    pub liveness_probe: Ignored,
    /// Ignored.
    pub readiness_probe: Ignored,
    /// Ignored.
    pub startup_probe: Ignored,
    /// Ignored.
    pub lifecycle: Ignored,
    /// Ignored.
    pub termination_message_path: Ignored,
    /// Ignored.
    pub termination_message_policy: Ignored,
    /// Ignored.
    pub image_pull_policy: Ignored,
    /// Ignored.
    pub security_context: Ignored,
    /// Ignored.
    pub stdin: Ignored,
    /// Ignored.
    pub stdin_once: Ignored,
    /// Ignored.
    pub tty: Ignored,
}

/// core/v1 ResourceRequirements.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ResourceRequirements {
    /// Requests by resource name.
    pub requests: Option<BTreeMap<String, Spanned<Quantity>>>,
    /// Limits by resource name.
    pub limits: Option<BTreeMap<String, Spanned<Quantity>>>,
    /// Ignored.
    pub claims: Ignored,
}

/// core/v1 Affinity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Affinity {
    /// Node affinity.
    pub node_affinity: Option<NodeAffinity>,
    /// Pod affinity (accepted, not yet simulated).
    pub pod_affinity: Ignored,
    /// Pod anti-affinity.
    pub pod_anti_affinity: Option<PodAntiAffinity>,
}

/// core/v1 PodAntiAffinity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PodAntiAffinity {
    /// Hard terms.
    #[serde(rename = "requiredDuringSchedulingIgnoredDuringExecution")]
    pub required: Option<Vec<PodAffinityTerm>>,
    /// Soft terms.
    #[serde(rename = "preferredDuringSchedulingIgnoredDuringExecution")]
    pub preferred: Option<Vec<WeightedPodAffinityTerm>>,
}

/// core/v1 PodAffinityTerm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodAffinityTerm {
    /// Pods the term is about (none: no pods).
    pub label_selector: Option<LabelSelector>,
    /// Namespaces of those pods (default: the pod's own).
    pub namespaces: Option<Vec<String>>,
    /// Namespace selector (not simulated).
    pub namespace_selector: Ignored,
    /// Topology label key.
    pub topology_key: String,
    /// Label keys whose values are added to the selector.
    pub match_label_keys: Option<Vec<String>>,
    /// Label keys whose values are added to the selector as `NotIn`.
    pub mismatch_label_keys: Option<Vec<String>>,
}

/// core/v1 WeightedPodAffinityTerm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WeightedPodAffinityTerm {
    /// Weight, 1–100.
    pub weight: i32,
    /// The term.
    pub pod_affinity_term: PodAffinityTerm,
}

/// core/v1 NodeAffinity.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeAffinity {
    /// Hard terms.
    #[serde(rename = "requiredDuringSchedulingIgnoredDuringExecution")]
    pub required: Option<NodeSelector>,
    /// Soft terms.
    #[serde(rename = "preferredDuringSchedulingIgnoredDuringExecution")]
    pub preferred: Option<Vec<PreferredTerm>>,
}

/// core/v1 NodeSelector.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeSelector {
    /// ORed terms.
    pub node_selector_terms: Vec<NodeSelectorTerm>,
}

/// core/v1 NodeSelectorTerm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeSelectorTerm {
    /// ANDed label expressions.
    pub match_expressions: Option<Vec<LabelRequirement>>,
    /// Field expressions (only `metadata.name`); accepted, not simulated.
    pub match_fields: Ignored,
}

/// core/v1 PreferredSchedulingTerm.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreferredTerm {
    /// Weight 1–100.
    pub weight: i32,
    /// The term.
    pub preference: NodeSelectorTerm,
}

/// A label requirement (`NodeSelectorRequirement`, `LabelSelectorRequirement`, Karpenter
/// `NodeSelectorRequirementWithMinValues`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelRequirement {
    /// Label key.
    pub key: String,
    /// Operator name.
    pub operator: Spanned<String>,
    /// Values.
    pub values: Option<Vec<Scalar>>,
    /// Karpenter `minValues`.
    pub min_values: Option<i64>,
}

/// metav1.LabelSelector.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LabelSelector {
    /// Exact matches.
    pub match_labels: Option<BTreeMap<String, Scalar>>,
    /// Expressions.
    pub match_expressions: Option<Vec<LabelRequirement>>,
}

/// core/v1 Toleration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Toleration {
    /// Key (empty matches all with `Exists`).
    pub key: Option<String>,
    /// `Exists` or `Equal`.
    pub operator: Option<String>,
    /// Value.
    pub value: Option<Scalar>,
    /// Effect (empty matches all).
    pub effect: Option<String>,
    /// Ignored.
    pub toleration_seconds: Ignored,
}

/// core/v1 Taint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Taint {
    /// Key.
    pub key: String,
    /// Value.
    pub value: Option<Scalar>,
    /// Effect.
    pub effect: String,
    /// Ignored.
    pub time_added: Ignored,
}

/// core/v1 TopologySpreadConstraint.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TopologySpreadConstraint {
    /// Maximum skew.
    pub max_skew: i32,
    /// Topology label key.
    pub topology_key: String,
    /// `DoNotSchedule` or `ScheduleAnyway`.
    pub when_unsatisfiable: String,
    /// Pods counted.
    pub label_selector: Option<LabelSelector>,
    /// Minimum number of domains.
    pub min_domains: Option<i32>,
    /// `Honor` or `Ignore`.
    pub node_affinity_policy: Option<String>,
    /// `Honor` or `Ignore`.
    pub node_taints_policy: Option<String>,
    /// Label keys whose values are added to the selector.
    pub match_label_keys: Option<Vec<String>>,
}

/// autoscaling/v2 HorizontalPodAutoscaler.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Hpa {
    /// `autoscaling/v2`.
    pub api_version: String,
    /// `HorizontalPodAutoscaler`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: HpaSpec,
    /// Ignored.
    pub status: Ignored,
}

/// HPA spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaSpec {
    /// Target.
    pub scale_target_ref: ScaleTargetRef,
    /// Minimum replicas (default 1).
    pub min_replicas: Option<Spanned<i64>>,
    /// Maximum replicas.
    pub max_replicas: Spanned<i64>,
    /// Metrics (default: CPU 80 % utilization).
    pub metrics: Option<Vec<MetricSpec>>,
    /// Scaling behavior.
    pub behavior: Option<HpaBehavior>,
}

/// The scaled object.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScaleTargetRef {
    /// API version.
    pub api_version: Option<String>,
    /// Kind (`Deployment`).
    pub kind: String,
    /// Name.
    pub name: Spanned<String>,
}

/// One HPA metric.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricSpec {
    /// `Resource`, `ContainerResource`, `Pods`, `Object`, `External`.
    #[serde(rename = "type")]
    pub type_: Spanned<String>,
    /// Resource metric.
    pub resource: Option<ResourceMetricSource>,
    /// Container resource metric.
    pub container_resource: Option<ContainerResourceMetricSource>,
    /// Pods metric.
    pub pods: Option<NamedMetricSource>,
    /// Object metric.
    pub object: Ignored,
    /// External metric.
    pub external: Option<NamedMetricSource>,
}

/// A Pods or External metric source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedMetricSource {
    /// The metric.
    pub metric: MetricIdentifier,
    /// Target.
    pub target: MetricTarget,
}

/// `MetricIdentifier`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricIdentifier {
    /// Metric name.
    pub name: Spanned<String>,
    /// Label selector (not simulated: every series of the name is summed).
    pub selector: Option<LabelSelector>,
}

/// Resource metric source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceMetricSource {
    /// `cpu` or `memory`.
    pub name: String,
    /// Target.
    pub target: MetricTarget,
}

/// Container resource metric source.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContainerResourceMetricSource {
    /// `cpu` or `memory`.
    pub name: String,
    /// Container name.
    pub container: String,
    /// Target.
    pub target: MetricTarget,
}

/// A metric target.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetricTarget {
    /// `Utilization`, `AverageValue` or `Value`.
    #[serde(rename = "type")]
    pub type_: Spanned<String>,
    /// Percent of request.
    pub average_utilization: Option<Spanned<i64>>,
    /// Average per pod.
    pub average_value: Option<Spanned<Quantity>>,
    /// Total.
    pub value: Option<Spanned<Quantity>>,
}

/// HPA behavior.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaBehavior {
    /// Scale-up rules.
    pub scale_up: Option<HpaScalingRules>,
    /// Scale-down rules.
    pub scale_down: Option<HpaScalingRules>,
}

/// HPA scaling rules for one direction.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaScalingRules {
    /// Stabilization window in seconds.
    pub stabilization_window_seconds: Option<Spanned<i64>>,
    /// `Max`, `Min` or `Disabled`.
    pub select_policy: Option<Spanned<String>>,
    /// Policies.
    pub policies: Option<Vec<HpaScalingPolicy>>,
    /// Tolerance (`HPAConfigurableTolerance`).
    pub tolerance: Option<Quantity>,
}

/// One rate policy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct HpaScalingPolicy {
    /// `Pods` or `Percent`.
    #[serde(rename = "type")]
    pub type_: Spanned<String>,
    /// Amount.
    pub value: Spanned<i64>,
    /// Period in seconds.
    pub period_seconds: Spanned<i64>,
}

/// karpenter.sh/v1 NodePool.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePool {
    /// `karpenter.sh/v1`.
    pub api_version: String,
    /// `NodePool`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: NodePoolSpec,
    /// Ignored.
    pub status: Ignored,
}

/// NodePool spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodePoolSpec {
    /// NodeClaim template.
    pub template: NodeClaimTemplate,
    /// Disruption settings.
    pub disruption: Option<Disruption>,
    /// Resource limits (`cpu`, `memory`, `nodes`, …).
    pub limits: Option<BTreeMap<String, Spanned<Quantity>>>,
    /// Weight 1–100.
    pub weight: Option<Spanned<i64>>,
    /// Static NodePool size (alpha); not simulated.
    pub replicas: Option<Spanned<i64>>,
}

/// NodeClaim template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeClaimTemplate {
    /// Labels and annotations for the nodes.
    pub metadata: Option<TemplateMeta>,
    /// Spec.
    pub spec: NodeClaimTemplateSpec,
}

/// Template metadata.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateMeta {
    /// Node labels.
    pub labels: Option<BTreeMap<String, Scalar>>,
    /// Node annotations.
    pub annotations: Option<BTreeMap<String, Scalar>>,
}

/// NodeClaim template spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeClaimTemplateSpec {
    /// The EC2NodeClass.
    pub node_class_ref: Option<NodeClassRef>,
    /// Requirements.
    pub requirements: Option<Vec<LabelRequirement>>,
    /// Taints.
    pub taints: Option<Vec<Taint>>,
    /// Startup taints.
    pub startup_taints: Option<Vec<Taint>>,
    /// Maximum node lifetime (default 720h).
    pub expire_after: Option<Spanned<String>>,
    /// Drain deadline.
    pub termination_grace_period: Option<Spanned<String>>,
}

/// Reference to an EC2NodeClass.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeClassRef {
    /// API group.
    pub group: Option<String>,
    /// Kind.
    pub kind: Option<String>,
    /// Name.
    pub name: Spanned<String>,
}

/// NodePool disruption.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Disruption {
    /// `WhenEmpty`, `WhenEmptyOrUnderutilized` or `Balanced`.
    pub consolidation_policy: Option<Spanned<String>>,
    /// Duration or `Never`.
    pub consolidate_after: Option<Spanned<String>>,
    /// Budgets.
    pub budgets: Option<Vec<Budget>>,
}

/// A disruption budget.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Count or percent.
    pub nodes: Option<Spanned<Scalar>>,
    /// Cron schedule (UTC).
    pub schedule: Option<Spanned<String>>,
    /// Active duration after each schedule hit.
    pub duration: Option<Spanned<String>>,
    /// Reasons the budget applies to.
    pub reasons: Option<Vec<Spanned<String>>>,
}

/// karpenter.k8s.aws/v1 EC2NodeClass.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ec2NodeClass {
    /// `karpenter.k8s.aws/v1`.
    pub api_version: String,
    /// `EC2NodeClass`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: Ec2NodeClassSpec,
    /// Ignored.
    pub status: Ignored,
}

/// EC2NodeClass spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ec2NodeClassSpec {
    /// Kubelet overrides.
    pub kubelet: Option<Kubelet>,
    /// Ignored.
    pub ami_family: Ignored,
    /// Ignored.
    pub ami_selector_terms: Ignored,
    /// Ignored.
    pub subnet_selector_terms: Ignored,
    /// Ignored.
    pub security_group_selector_terms: Ignored,
    /// Ignored.
    pub capacity_reservation_selector_terms: Ignored,
    /// Ignored.
    pub placement_group_selector: Ignored,
    /// Ignored.
    pub role: Ignored,
    /// Ignored.
    pub instance_profile: Ignored,
    /// Ignored.
    pub user_data: Ignored,
    /// Ignored.
    pub tags: Ignored,
    /// Ignored.
    pub block_device_mappings: Ignored,
    /// Ignored.
    pub instance_store_policy: Ignored,
    /// Ignored.
    pub detailed_monitoring: Ignored,
    /// Ignored.
    #[serde(rename = "associatePublicIPAddress")]
    pub associate_public_ip_address: Ignored,
    /// Ignored.
    pub metadata_options: Ignored,
    /// Ignored.
    pub context: Ignored,
    /// Ignored.
    pub ip_prefix_count: Ignored,
}

/// EC2NodeClass kubelet settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Kubelet {
    /// Pod limit per node.
    pub max_pods: Option<Spanned<i64>>,
    /// Pods per vCPU.
    pub pods_per_core: Option<Spanned<i64>>,
    /// System reservations.
    pub system_reserved: Option<BTreeMap<String, Spanned<Quantity>>>,
    /// Kubelet reservations.
    pub kube_reserved: Option<BTreeMap<String, Spanned<Quantity>>>,
    /// Hard eviction thresholds.
    pub eviction_hard: Option<BTreeMap<String, Spanned<String>>>,
    /// Soft thresholds do not change allocatable; ignored.
    pub eviction_soft: Ignored,
    /// Ignored.
    pub eviction_soft_grace_period: Ignored,
    /// Ignored.
    pub eviction_max_pod_grace_period: Ignored,
    /// Ignored.
    #[serde(rename = "imageGCHighThresholdPercent")]
    pub image_gc_high_threshold_percent: Ignored,
    /// Ignored.
    #[serde(rename = "imageGCLowThresholdPercent")]
    pub image_gc_low_threshold_percent: Ignored,
    /// Ignored.
    #[serde(rename = "cpuCFSQuota")]
    pub cpu_cfs_quota: Ignored,
    /// Ignored.
    #[serde(rename = "clusterDNS")]
    pub cluster_dns: Ignored,
}

/// policy/v1 PodDisruptionBudget.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Pdb {
    /// `policy/v1`.
    pub api_version: String,
    /// `PodDisruptionBudget`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: PdbSpec,
    /// Ignored.
    pub status: Ignored,
}

/// PDB spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PdbSpec {
    /// Minimum available pods.
    pub min_available: Option<Spanned<IntOrString>>,
    /// Maximum unavailable pods.
    pub max_unavailable: Option<Spanned<IntOrString>>,
    /// Pods covered.
    pub selector: Option<LabelSelector>,
    /// Ignored.
    pub unhealthy_pod_eviction_policy: Ignored,
}

/// ksim/v1alpha1 Scenario: what Kubernetes has no object for.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Scenario {
    /// `ksim/v1alpha1`.
    pub api_version: String,
    /// `Scenario`.
    pub kind: String,
    /// Metadata (the name labels the report).
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: ScenarioSpec,
}

/// Scenario spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScenarioSpec {
    /// Simulated duration (Go duration, default `24h`).
    pub duration: Option<Spanned<String>>,
    /// RNG seed (default 1).
    pub seed: Option<u64>,
    /// Wall-clock UTC time at t = 0 (`YYYY-MM-DDTHH:MM:SSZ`, default `2026-01-05T00:00:00Z`, a
    /// Monday); daily curves, weekends and budget schedules follow it.
    pub start_time: Option<Spanned<String>>,
    /// AWS region (default `us-east-1`).
    pub region: Option<Spanned<String>>,
    /// Availability zones (default: the region's zones).
    pub zones: Option<Vec<Spanned<String>>>,
    /// Prices.
    pub prices: Option<Prices>,
    /// EKS managed node groups.
    pub node_groups: Option<Vec<NodeGroup>>,
    /// Demand and resource model per workload.
    pub workloads: Option<Vec<WorkloadDemand>>,
    /// SQS queues.
    pub queues: Option<Vec<Queue>>,
    /// Latency distributions.
    pub latency: Option<Latency>,
    /// Karpenter controller settings.
    pub karpenter: Option<KarpenterSettings>,
    /// EC2 capacity rules per offering (shortages, pool depth, interruption frequency).
    pub capacity: Option<Vec<CapacityRule>>,
    /// Spot interruption frequencies of offerings no capacity rule covers: `advisor` (default,
    /// the embedded Spot Instance Advisor buckets of the region), `none`, or the path of a table
    /// (the Advisor's JSON feed, or CSV).
    pub spot_interruption_defaults: Option<Spanned<String>>,
    /// Cluster start state: `warm` (default) or `cold`.
    pub initial_state: Option<Spanned<String>>,
    /// Spot interruption notices at given times (a trace), besides those drawn from the
    /// capacity rules' `interruptionFrequency`.
    pub spot_interruptions: Option<Vec<SpotInterruption>>,
    /// Times at which NodePools drift (an AMI release, a NodePool or EC2NodeClass change).
    pub drift: Option<Vec<Drift>>,
    /// How the descheduler runs (its policy is a `DeschedulerPolicy` document).
    pub descheduler: Option<DeschedulerSettings>,
}

/// Spot interruption notices sent at one time.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SpotInterruption {
    /// When (Go duration from t = 0).
    pub at: Spanned<String>,
    /// Instance types hit (default: all).
    pub instance_types: Option<Vec<Spanned<String>>>,
    /// Zones hit (default: all).
    pub zones: Option<Vec<Spanned<String>>>,
    /// How many running spot instances get a notice (oldest first); or use `fraction`.
    pub count: Option<Spanned<i64>>,
    /// The fraction of matching running spot instances that get a notice (rounded up).
    pub fraction: Option<Spanned<f64>>,
}

/// A drift event.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Drift {
    /// When (Go duration from t = 0).
    pub at: Spanned<String>,
    /// NodePools whose nodes drift (default: all).
    pub node_pools: Option<Vec<Spanned<String>>>,
    /// Why, for the reader (for example `AMI release`).
    pub reason: Option<String>,
}

/// Descheduler run settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeschedulerSettings {
    /// Time between runs (`--descheduling-interval`, default `2m`, the Helm chart's CronJob
    /// schedule `*/2 * * * *`).
    pub interval: Option<Spanned<String>>,
}

/// `descheduler/v1alpha1` or `descheduler/v1alpha2` `DeschedulerPolicy`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeschedulerPolicy {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// Ignored.
    pub metadata: Ignored,
    /// v1alpha1 strategies.
    pub strategies: Option<Strategies>,
    /// v1alpha2 profiles.
    pub profiles: Option<Vec<DeschedulerProfile>>,
    /// Most pods evicted per node in one run.
    pub max_no_of_pods_to_evict_per_node: Option<Spanned<i64>>,
    /// Most pods evicted in one run.
    pub max_no_of_pods_to_evict_total: Option<Spanned<i64>>,
    /// Ignored.
    pub max_no_of_pods_to_evict_per_namespace: Ignored,
    /// Ignored.
    pub node_selector: Ignored,
    /// Ignored.
    pub evict_local_storage_pods: Ignored,
    /// Ignored.
    pub evict_system_critical_pods: Ignored,
    /// Ignored.
    pub ignore_pvc_pods: Ignored,
    /// Ignored.
    pub evict_failed_bare_pods: Ignored,
    /// Ignored.
    pub metrics_collector: Ignored,
}

/// v1alpha1 strategies; only `PodLifeTime` is simulated.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(non_snake_case, missing_docs)]
pub struct Strategies {
    pub PodLifeTime: Option<Strategy>,
    pub RemoveDuplicates: Option<Strategy>,
    pub LowNodeUtilization: Option<Strategy>,
    pub HighNodeUtilization: Option<Strategy>,
    pub RemovePodsViolatingInterPodAntiAffinity: Option<Strategy>,
    pub RemovePodsViolatingNodeAffinity: Option<Strategy>,
    pub RemovePodsViolatingNodeTaints: Option<Strategy>,
    pub RemovePodsViolatingTopologySpreadConstraint: Option<Strategy>,
    pub RemovePodsHavingTooManyRestarts: Option<Strategy>,
    pub RemoveFailedPods: Option<Strategy>,
}

/// A v1alpha1 strategy.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Strategy {
    /// Whether it runs.
    pub enabled: Option<bool>,
    /// Parameters; read for `PodLifeTime` only.
    pub params: Option<StrategyParams>,
}

/// v1alpha1 strategy parameters (the fields `PodLifeTime` reads; the rest are accepted).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StrategyParams {
    /// `podLifeTime`.
    pub pod_life_time: Option<PodLifeTimeV1Alpha1>,
    /// `namespaces`.
    pub namespaces: Option<NamespaceFilter>,
    /// `labelSelector`.
    pub label_selector: Option<LabelSelector>,
}

/// v1alpha1 `podLifeTime` parameters.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PodLifeTimeV1Alpha1 {
    /// Evict pods older than this many seconds.
    pub max_pod_life_time_seconds: Option<Spanned<i64>>,
    /// Pod phases or reasons; not simulated (must be absent).
    pub pod_status_phases: Option<Spanned<Vec<String>>>,
    /// Pod states; not simulated (must be absent).
    pub states: Option<Spanned<Vec<String>>>,
}

/// Namespace include/exclude lists.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NamespaceFilter {
    /// Only these namespaces.
    pub include: Option<Vec<String>>,
    /// Not these namespaces.
    pub exclude: Option<Vec<String>>,
}

/// A v1alpha2 profile.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DeschedulerProfile {
    /// Name.
    pub name: Option<String>,
    /// Plugin arguments.
    pub plugin_config: Option<Vec<PluginConfig>>,
    /// Enabled plugins per extension point.
    pub plugins: Option<Plugins>,
}

/// A v1alpha2 plugin configuration.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginConfig {
    /// Plugin name.
    pub name: Spanned<String>,
    /// Arguments (the fields `PodLifeTime` reads; other plugins' arguments are accepted).
    pub args: Option<PodLifeTimeArgs>,
}

/// `PodLifeTimeArgs` (v1alpha2).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodLifeTimeArgs {
    /// Evict pods older than this many seconds.
    pub max_pod_life_time_seconds: Option<Spanned<i64>>,
    /// Pod states; not simulated (must be absent).
    pub states: Option<Spanned<Vec<String>>>,
    /// `namespaces`.
    pub namespaces: Option<NamespaceFilter>,
    /// `labelSelector`.
    pub label_selector: Option<LabelSelector>,
}

/// v1alpha2 plugin sets per extension point.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Plugins {
    /// `deschedule` (where `PodLifeTime` runs).
    pub deschedule: Option<PluginSet>,
    /// Ignored.
    pub balance: Ignored,
    /// Ignored.
    pub sort: Ignored,
    /// Ignored.
    pub evict: Ignored,
    /// Ignored.
    pub filter: Ignored,
    /// Ignored.
    pub pre_eviction_filter: Ignored,
    /// Ignored.
    pub presort: Ignored,
}

/// Enabled and disabled plugins.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct PluginSet {
    /// Enabled.
    pub enabled: Option<Vec<Spanned<String>>>,
    /// Disabled.
    pub disabled: Option<Vec<String>>,
}

/// Price settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Prices {
    /// CSV price table, relative to the scenario file.
    pub file: Option<Spanned<String>>,
    /// Spot price as a fraction of on-demand where the table has no spot price.
    pub spot_to_on_demand_ratio: Option<Spanned<f64>>,
    /// CSV of spot price changes over time, relative to the scenario file.
    pub spot_trace: Option<Spanned<String>>,
}

/// An EKS managed node group.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NodeGroup {
    /// Name (label `eks.amazonaws.com/nodegroup`).
    pub name: Spanned<String>,
    /// Instance type.
    pub instance_type: Spanned<String>,
    /// Number of nodes.
    pub size: Spanned<i64>,
    /// `ON_DEMAND` (default) or `SPOT`.
    pub capacity_type: Option<Spanned<String>>,
    /// Extra node labels.
    pub labels: Option<BTreeMap<String, Scalar>>,
    /// Node taints.
    pub taints: Option<Vec<Taint>>,
    /// Kubelet maxPods override.
    pub max_pods: Option<Spanned<i64>>,
}

/// Demand and resource model for one Deployment or CronJob.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct WorkloadDemand {
    /// Deployment or CronJob name.
    pub name: Spanned<String>,
    /// Namespace (default `default`).
    pub namespace: Option<String>,
    /// A daily curve.
    pub daily: Option<DailyCurve>,
    /// A CSV trace.
    pub trace: Option<Trace>,
    /// Per-pod memory working set.
    pub memory: Option<MemoryModel>,
    /// Custom metrics the pods expose.
    pub metrics: Option<Vec<CustomMetric>>,
    /// CronJob pods: run time of one pod.
    pub job_duration: Option<Distribution>,
    /// Scripted replica counts over time (`kubectl scale` at given times), for Deployments
    /// without an autoscaler.
    pub replicas: Option<Vec<ReplicaStep>>,
}

/// A scripted replica count from a time on.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReplicaStep {
    /// When (Go duration from t = 0).
    pub at: Spanned<String>,
    /// Replicas from then on.
    pub replicas: Spanned<i64>,
}

/// Per-pod memory model.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MemoryModel {
    /// Working set at zero load (quantity).
    pub baseline: Spanned<Quantity>,
    /// Extra working set per core of CPU usage (quantity, default 0).
    pub per_core: Option<Spanned<Quantity>>,
    /// Growth per hour of container age (quantity, default 0).
    pub leak_per_hour: Option<Spanned<Quantity>>,
}

/// A custom metric.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CustomMetric {
    /// Metric name.
    pub name: Spanned<String>,
    /// Metric units per unit of the workload's demand.
    pub per_demand_unit: Spanned<f64>,
}

/// An SQS queue.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Queue {
    /// Queue name, as the last segment of a ScaledObject trigger's `queueURL`.
    pub name: Spanned<String>,
    /// Consuming Deployment (default: the target of the ScaledObject reading this queue).
    pub consumer: Option<QueueConsumer>,
    /// Arrivals in messages per second: a daily curve.
    pub daily: Option<DailyCurve>,
    /// Arrivals in messages per second: a CSV trace.
    pub trace: Option<Trace>,
    /// Processing time per message.
    pub processing_time: Distribution,
    /// Messages one pod processes at once (default 1).
    pub concurrency: Option<Spanned<i64>>,
    /// CPU a pod uses per message in progress (quantity; default: the pod's CPU request
    /// divided by `concurrency`).
    pub cpu_per_message: Option<Spanned<Quantity>>,
    /// Visibility timeout (Go duration, default 30s).
    pub visibility_timeout: Option<Spanned<String>>,
}

/// A queue's consumer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct QueueConsumer {
    /// Deployment name.
    pub name: Spanned<String>,
    /// Namespace (default `default`).
    pub namespace: Option<String>,
}

/// keda.sh/v1alpha1 ScaledObject.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScaledObject {
    /// `keda.sh/v1alpha1`.
    pub api_version: String,
    /// `ScaledObject`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: ScaledObjectSpec,
    /// Ignored.
    pub status: Ignored,
}

/// ScaledObject spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScaledObjectSpec {
    /// The scaled Deployment.
    pub scale_target_ref: KedaTargetRef,
    /// Seconds between trigger checks (default 30).
    pub polling_interval: Option<Spanned<i64>>,
    /// Seconds after the last active trigger before scaling to zero (default 300).
    pub cooldown_period: Option<Spanned<i64>>,
    /// Seconds after creation before the first scale to zero (default 0).
    pub initial_cooldown_period: Option<Spanned<i64>>,
    /// Replicas while idle.
    pub idle_replica_count: Option<Spanned<i64>>,
    /// Minimum replicas (default 0).
    pub min_replica_count: Option<Spanned<i64>>,
    /// Maximum replicas (default 100).
    pub max_replica_count: Option<Spanned<i64>>,
    /// Advanced settings.
    pub advanced: Option<KedaAdvanced>,
    /// Fallback replicas on scaler errors (scalers never fail in ksim).
    pub fallback: Ignored,
    /// Triggers.
    pub triggers: Vec<KedaTrigger>,
}

/// ScaledObject `scaleTargetRef`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KedaTargetRef {
    /// Name.
    pub name: Spanned<String>,
    /// Kind (default `Deployment`).
    pub kind: Option<Spanned<String>>,
    /// API version.
    pub api_version: Option<String>,
    /// Ignored.
    pub env_source_container_name: Ignored,
}

/// ScaledObject `advanced`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KedaAdvanced {
    /// The generated HPA's settings.
    pub horizontal_pod_autoscaler_config: Option<KedaHpaConfig>,
    /// Ignored.
    pub restore_to_original_replica_count: Ignored,
    /// Scaling modifiers (formulas over triggers): not simulated.
    pub scaling_modifiers: Ignored,
}

/// `advanced.horizontalPodAutoscalerConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KedaHpaConfig {
    /// HPA name (default `keda-hpa-<ScaledObject>`).
    pub name: Option<String>,
    /// HPA behavior.
    pub behavior: Option<HpaBehavior>,
}

/// A ScaledObject trigger.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KedaTrigger {
    /// Scaler type, e.g. `aws-sqs-queue`.
    #[serde(rename = "type")]
    pub type_: Spanned<String>,
    /// Scaler settings (strings).
    pub metadata: BTreeMap<String, Scalar>,
    /// Trigger name.
    pub name: Option<String>,
    /// `AverageValue` (default) or `Value`.
    pub metric_type: Option<Spanned<String>>,
    /// Ignored (no AWS credentials are needed in a simulation).
    pub authentication_ref: Ignored,
    /// Whether the metrics adapter answers from the last poll.
    pub use_cached_metrics: Option<bool>,
}

/// batch/v1 CronJob.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CronJob {
    /// `batch/v1`.
    pub api_version: String,
    /// `CronJob`.
    pub kind: String,
    /// Metadata.
    pub metadata: ObjectMeta,
    /// Spec.
    pub spec: CronJobSpec,
    /// Ignored.
    pub status: Ignored,
}

/// CronJob spec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CronJobSpec {
    /// Cron schedule.
    pub schedule: Spanned<String>,
    /// IANA time zone name.
    pub time_zone: Option<Spanned<String>>,
    /// Seconds after the scheduled time within which a missed run may still start.
    pub starting_deadline_seconds: Option<Spanned<i64>>,
    /// `Allow` (default), `Forbid` or `Replace`.
    pub concurrency_policy: Option<Spanned<String>>,
    /// Suspend new runs.
    pub suspend: Option<bool>,
    /// The Job template.
    pub job_template: JobTemplateSpec,
    /// Ignored.
    pub successful_jobs_history_limit: Ignored,
    /// Ignored.
    pub failed_jobs_history_limit: Ignored,
}

/// A Job template.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JobTemplateSpec {
    /// Ignored.
    pub metadata: Ignored,
    /// Job spec.
    pub spec: JobSpec,
}

/// batch/v1 JobSpec.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JobSpec {
    /// Pods running at once.
    pub parallelism: Option<Spanned<i64>>,
    /// Successful pods needed.
    pub completions: Option<Spanned<i64>>,
    /// Seconds the Job may run.
    pub active_deadline_seconds: Option<Spanned<i64>>,
    /// Pod template.
    pub template: PodTemplateSpec,
    /// Failures (evictions count) before the Job fails (default 6).
    pub backoff_limit: Option<Spanned<i64>>,
    /// Ignored.
    pub backoff_limit_per_index: Ignored,
    /// Ignored.
    pub max_failed_indexes: Ignored,
    /// Ignored.
    pub pod_failure_policy: Ignored,
    /// Ignored.
    pub success_policy: Ignored,
    /// Ignored.
    pub ttl_seconds_after_finished: Ignored,
    /// Ignored.
    pub completion_mode: Ignored,
    /// Ignored.
    pub suspend: Ignored,
    /// Ignored.
    pub selector: Ignored,
    /// Ignored.
    pub manual_selector: Ignored,
    /// Ignored.
    pub pod_replacement_policy: Ignored,
    /// Ignored.
    pub managed_by: Ignored,
}

/// A daily demand curve.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct DailyCurve {
    /// Demand at the quietest hour.
    pub trough: Spanned<f64>,
    /// Demand at the peak hour.
    pub peak: Spanned<f64>,
    /// Hour of the peak (0–24, UTC).
    pub peak_hour: Option<Spanned<f64>>,
    /// Multiplier on Saturdays and Sundays (default 1).
    pub weekend_factor: Option<Spanned<f64>>,
    /// Relative standard deviation of the noise (default 0).
    pub noise: Option<Spanned<f64>>,
    /// `cores` (default) or `replicas`.
    pub unit: Option<Spanned<String>>,
}

/// A demand trace file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Trace {
    /// CSV file relative to the scenario file, with columns `time` and `value`.
    pub file: Spanned<String>,
    /// `cores` (default) or `replicas`.
    pub unit: Option<Spanned<String>>,
}

/// Latency distributions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Latency {
    /// NodeClaim creation to node Ready.
    pub node_launch: Option<Distribution>,
    /// Pod bound to pod Ready.
    pub pod_startup: Option<Distribution>,
    /// Pod deletion to its resources being released.
    pub pod_shutdown: Option<Distribution>,
    /// Node Ready to its NodePool's startup taints being removed.
    pub startup_taint_removal: Option<Distribution>,
}

/// A latency distribution.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Distribution {
    /// Always this value.
    pub constant: Option<Spanned<String>>,
    /// Log-normal: median.
    pub median: Option<Spanned<String>>,
    /// Log-normal: 99th percentile.
    pub p99: Option<Spanned<String>>,
    /// Uniform: lower bound; also the clamp for the other kinds.
    pub min: Option<Spanned<String>>,
    /// Uniform: upper bound; also the clamp for the other kinds.
    pub max: Option<Spanned<String>>,
}

/// Karpenter controller settings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct KarpenterSettings {
    /// `BATCH_IDLE_DURATION` (default 1s).
    pub batch_idle_duration: Option<Spanned<String>>,
    /// `BATCH_MAX_DURATION` (default 10s).
    pub batch_max_duration: Option<Spanned<String>>,
    /// Spot-to-spot consolidation feature gate (default false).
    pub spot_to_spot_consolidation: Option<bool>,
    /// `--min-values-policy`: `Strict` (default) or `BestEffort`.
    pub min_values_policy: Option<Spanned<String>>,
    /// Probability that a `CreateFleet` call fails with an error other than insufficient
    /// capacity (throttling, internal error), so Karpenter retries it (default 0).
    pub launch_error_probability: Option<Spanned<f64>>,
    /// Karpenter release whose disruption behaviour to simulate, `v1.0` … `v1.14` (default
    /// `v1.14`).
    pub version: Option<Spanned<String>>,
}

/// A rule about the EC2 capacity of some offerings.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CapacityRule {
    /// Instance types it applies to (default: all).
    pub instance_types: Option<Vec<Spanned<String>>>,
    /// Zones it applies to (default: all).
    pub zones: Option<Vec<Spanned<String>>>,
    /// `spot` or `on-demand` (default: both).
    pub capacity_type: Option<Spanned<String>>,
    /// Start of the window for `maxNodes` and `unavailableProbability` (Go duration from t = 0).
    pub from: Option<Spanned<String>>,
    /// End of that window (Go duration from t = 0).
    pub until: Option<Spanned<String>>,
    /// Most instances of each matching offering running at once.
    pub max_nodes: Option<Spanned<i64>>,
    /// Probability that a launch attempt into a matching offering finds no capacity.
    pub unavailable_probability: Option<Spanned<f64>>,
    /// Probability that a launched instance never registers.
    pub registration_failure_probability: Option<Spanned<f64>>,
    /// Spot interruption frequency (fraction reclaimed per month), or a Spot Instance Advisor
    /// bucket such as `"<5%"`.
    pub interruption_frequency: Option<Spanned<Scalar>>,
}
