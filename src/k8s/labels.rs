//! Label requirements, selectors, taints and tolerations.
//!
//! - Node selector requirements follow `k8s.io/component-helpers/scheduling/corev1/nodeaffinity`
//!   (`nodeSelectorRequirementsAsSelector`): `In`, `NotIn`, `Exists`, `DoesNotExist`, and `Gt`/`Lt`
//!   which compare the label and the single value as base-10 `int64`s.
//! - Karpenter NodePool requirements add `Gte` and `Lte` (kubernetes-sigs/karpenter
//!   `pkg/scheduling/requirement.go`, since v1.9) and `minValues`.
//! - Label selectors follow `metav1.LabelSelector` (`matchLabels` AND `matchExpressions`).
//! - Taints and tolerations follow `k8s.io/api/core/v1` `Toleration.ToleratesTaint`: an empty key
//!   with `Exists` matches every taint; an empty effect matches every effect; `Equal` (the
//!   default operator) compares values.

use std::collections::BTreeMap;
use std::fmt;

/// A label map with deterministic iteration order.
pub type Labels = BTreeMap<String, String>;

/// A requirement operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Operator {
    /// The label is present and its value is one of the values.
    In,
    /// The label is absent, or its value is none of the values.
    NotIn,
    /// The label is present.
    Exists,
    /// The label is absent.
    DoesNotExist,
    /// The label is present and, as an integer, greater than the single value.
    Gt,
    /// The label is present and, as an integer, less than the single value.
    Lt,
    /// Karpenter only: greater than or equal.
    Gte,
    /// Karpenter only: less than or equal.
    Lte,
}

impl Operator {
    /// Parses an operator name. `karpenter` enables `Gte`/`Lte`.
    pub fn parse(s: &str, karpenter: bool) -> Result<Operator, String> {
        let op = match s {
            "In" => Operator::In,
            "NotIn" => Operator::NotIn,
            "Exists" => Operator::Exists,
            "DoesNotExist" => Operator::DoesNotExist,
            "Gt" => Operator::Gt,
            "Lt" => Operator::Lt,
            "Gte" if karpenter => Operator::Gte,
            "Lte" if karpenter => Operator::Lte,
            _ => {
                let valid = if karpenter {
                    "In, NotIn, Exists, DoesNotExist, Gt, Lt, Gte, Lte"
                } else {
                    "In, NotIn, Exists, DoesNotExist, Gt, Lt"
                };
                return Err(format!(
                    "unknown operator {s:?}; valid operators are {valid}"
                ));
            }
        };
        Ok(op)
    }

    /// True for the integer comparison operators.
    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            Operator::Gt | Operator::Lt | Operator::Gte | Operator::Lte
        )
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Operator::In => "In",
            Operator::NotIn => "NotIn",
            Operator::Exists => "Exists",
            Operator::DoesNotExist => "DoesNotExist",
            Operator::Gt => "Gt",
            Operator::Lt => "Lt",
            Operator::Gte => "Gte",
            Operator::Lte => "Lte",
        };
        f.write_str(s)
    }
}

/// One validated requirement on a label key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Requirement {
    /// The label key.
    pub key: String,
    /// The operator.
    pub op: Operator,
    /// The values (`In`/`NotIn`: one or more; `Gt`/`Lt`/`Gte`/`Lte`: exactly one integer;
    /// `Exists`/`DoesNotExist`: none).
    pub values: Vec<String>,
    /// Karpenter `minValues`: the minimum number of distinct values the launch must keep.
    pub min_values: Option<u32>,
}

impl Requirement {
    /// Builds and validates a requirement the way the API server would.
    pub fn new(
        key: &str,
        op: Operator,
        values: Vec<String>,
        min_values: Option<u32>,
    ) -> Result<Requirement, String> {
        validate_label_key(key)?;
        match op {
            Operator::In | Operator::NotIn => {
                if values.is_empty() {
                    return Err(format!(
                        "operator {op} requires one or more values for key {key:?}"
                    ));
                }
            }
            Operator::Exists | Operator::DoesNotExist => {
                if !values.is_empty() {
                    return Err(format!("operator {op} takes no values for key {key:?}"));
                }
            }
            Operator::Gt | Operator::Lt | Operator::Gte | Operator::Lte => {
                if values.len() != 1 {
                    return Err(format!(
                        "operator {op} requires exactly one value for key {key:?}"
                    ));
                }
                values[0].parse::<i64>().map_err(|_| {
                    format!(
                        "operator {op} requires an integer value for key {key:?}, got {:?}",
                        values[0]
                    )
                })?;
            }
        }
        if let Some(mv) = min_values {
            if !(1..=50).contains(&mv) {
                return Err(format!("minValues must be between 1 and 50, got {mv}"));
            }
            if op == Operator::In && (mv as usize) > values.len() {
                return Err(format!(
                    "minValues {mv} is greater than the number of values ({}) for key {key:?}",
                    values.len()
                ));
            }
        }
        Ok(Requirement {
            key: key.to_string(),
            op,
            values,
            min_values,
        })
    }

    /// Does a concrete label value (or its absence) satisfy this requirement?
    pub fn matches(&self, value: Option<&str>) -> bool {
        match self.op {
            Operator::In => value.is_some_and(|v| self.values.iter().any(|x| x == v)),
            Operator::NotIn => value.is_none_or(|v| !self.values.iter().any(|x| x == v)),
            Operator::Exists => value.is_some(),
            Operator::DoesNotExist => value.is_none(),
            Operator::Gt | Operator::Lt | Operator::Gte | Operator::Lte => {
                let Some(v) = value.and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                let bound: i64 = self.values[0].parse().unwrap_or(0);
                match self.op {
                    Operator::Gt => v > bound,
                    Operator::Lt => v < bound,
                    Operator::Gte => v >= bound,
                    _ => v <= bound,
                }
            }
        }
    }

    /// Does a label map satisfy this requirement?
    pub fn matches_labels(&self, labels: &Labels) -> bool {
        self.matches(labels.get(&self.key).map(String::as_str))
    }
}

/// A node selector term: all requirements must hold (AND).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SelectorTerm {
    /// Requirements on node labels (`matchExpressions`).
    pub requirements: Vec<Requirement>,
}

impl SelectorTerm {
    /// True when every requirement holds for the labels.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches_labels(labels))
    }
}

/// A label selector (`matchLabels` AND `matchExpressions`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct LabelSelector {
    /// All of these requirements must hold.
    pub requirements: Vec<Requirement>,
}

impl LabelSelector {
    /// True when the labels satisfy the selector. An empty selector matches everything.
    pub fn matches(&self, labels: &Labels) -> bool {
        self.requirements.iter().all(|r| r.matches_labels(labels))
    }
}

/// A taint effect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TaintEffect {
    /// New pods that do not tolerate the taint are not scheduled.
    NoSchedule,
    /// The scheduler avoids the node for pods that do not tolerate it (scoring only).
    PreferNoSchedule,
    /// Pods that do not tolerate the taint are not scheduled and are evicted.
    NoExecute,
}

impl TaintEffect {
    /// Parses a taint effect name.
    pub fn parse(s: &str) -> Result<TaintEffect, String> {
        match s {
            "NoSchedule" => Ok(TaintEffect::NoSchedule),
            "PreferNoSchedule" => Ok(TaintEffect::PreferNoSchedule),
            "NoExecute" => Ok(TaintEffect::NoExecute),
            _ => Err(format!(
                "unknown taint effect {s:?}; valid effects are NoSchedule, PreferNoSchedule, NoExecute"
            )),
        }
    }
}

/// A node taint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value (may be empty).
    pub value: String,
    /// Taint effect.
    pub effect: TaintEffect,
}

/// A pod toleration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Toleration {
    /// Key to match; empty with `exists` matches all keys.
    pub key: String,
    /// `Exists` (true) or `Equal` (false, the default).
    pub exists: bool,
    /// Value compared by `Equal`.
    pub value: String,
    /// Effect to match; `None` matches every effect.
    pub effect: Option<TaintEffect>,
}

impl Toleration {
    /// Upstream `Toleration.ToleratesTaint`.
    pub fn tolerates(&self, taint: &Taint) -> bool {
        if let Some(e) = self.effect
            && e != taint.effect
        {
            return false;
        }
        if !self.key.is_empty() && self.key != taint.key {
            return false;
        }
        if self.exists {
            true
        } else {
            self.value == taint.value
        }
    }
}

/// True when some toleration tolerates the taint.
pub fn tolerated(tolerations: &[Toleration], taint: &Taint) -> bool {
    tolerations.iter().any(|t| t.tolerates(taint))
}

/// True when every `NoSchedule`/`NoExecute` taint is tolerated (the scheduler's
/// TaintToleration filter).
pub fn tolerates_all_hard(tolerations: &[Toleration], taints: &[Taint]) -> bool {
    taints
        .iter()
        .filter(|t| t.effect != TaintEffect::PreferNoSchedule)
        .all(|t| tolerated(tolerations, t))
}

/// Validates a label key: an optional DNS-subdomain prefix (≤ 253 characters) and a `/`, then
/// a name of ≤ 63 characters of alphanumerics, `-`, `_`, `.`, starting and ending with an
/// alphanumeric (apimachinery `validation.IsQualifiedName`).
pub fn validate_label_key(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, key),
    };
    if let Some(p) = prefix {
        if p.is_empty() || p.len() > 253 {
            return Err(format!(
                "invalid label key {key:?}: prefix must be a DNS subdomain of at most 253 characters"
            ));
        }
        let ok = p.split('.').all(|part| {
            !part.is_empty()
                && part.len() <= 63
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !part.starts_with('-')
                && !part.ends_with('-')
        });
        if !ok {
            return Err(format!(
                "invalid label key {key:?}: prefix must be a lowercase DNS subdomain"
            ));
        }
    }
    validate_name_part(name).map_err(|e| format!("invalid label key {key:?}: {e}"))
}

fn validate_name_part(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 63 {
        return Err("name part must be 1 to 63 characters".into());
    }
    let b = name.as_bytes();
    let alnum = |c: u8| c.is_ascii_alphanumeric();
    if !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return Err("name part must start and end with an alphanumeric character".into());
    }
    if !b
        .iter()
        .all(|&c| alnum(c) || c == b'-' || c == b'_' || c == b'.')
    {
        return Err("name part may contain only alphanumerics, '-', '_' and '.'".into());
    }
    Ok(())
}

/// Validates a label value: empty, or ≤ 63 characters of alphanumerics, `-`, `_`, `.`,
/// starting and ending with an alphanumeric (apimachinery `validation.IsValidLabelValue`).
pub fn validate_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() {
        return Ok(());
    }
    validate_name_part(value).map_err(|e| format!("invalid label value {value:?}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn req(key: &str, op: Operator, values: &[&str]) -> Requirement {
        Requirement::new(
            key,
            op,
            values.iter().map(|s| s.to_string()).collect(),
            None,
        )
        .unwrap()
    }

    #[test]
    fn operators_on_labels() {
        let l = labels(&[("zone", "a"), ("cpu", "8")]);
        assert!(req("zone", Operator::In, &["a", "b"]).matches_labels(&l));
        assert!(!req("zone", Operator::In, &["c"]).matches_labels(&l));
        assert!(req("zone", Operator::NotIn, &["c"]).matches_labels(&l));
        assert!(req("missing", Operator::NotIn, &["c"]).matches_labels(&l));
        assert!(req("zone", Operator::Exists, &[]).matches_labels(&l));
        assert!(req("missing", Operator::DoesNotExist, &[]).matches_labels(&l));
        assert!(req("cpu", Operator::Gt, &["4"]).matches_labels(&l));
        assert!(!req("cpu", Operator::Gt, &["8"]).matches_labels(&l));
        assert!(req("cpu", Operator::Gte, &["8"]).matches_labels(&l));
        assert!(req("cpu", Operator::Lt, &["16"]).matches_labels(&l));
        assert!(!req("zone", Operator::Lt, &["16"]).matches_labels(&l));
        assert!(!req("missing", Operator::Gt, &["1"]).matches_labels(&l));
    }

    #[test]
    fn requirement_validation() {
        assert!(Requirement::new("a", Operator::In, vec![], None).is_err());
        assert!(Requirement::new("a", Operator::Exists, vec!["x".into()], None).is_err());
        assert!(Requirement::new("a", Operator::Gt, vec!["x".into()], None).is_err());
        assert!(Requirement::new("a", Operator::Gt, vec!["1".into(), "2".into()], None).is_err());
        assert!(Requirement::new("a", Operator::In, vec!["x".into()], Some(2)).is_err());
        assert!(Requirement::new("-bad", Operator::Exists, vec![], None).is_err());
        assert!(Operator::parse("Gte", false).is_err());
        assert!(Operator::parse("Gte", true).is_ok());
        assert!(Operator::parse("Equals", true).is_err());
    }

    #[test]
    fn tolerations() {
        let taint = Taint {
            key: "dedicated".into(),
            value: "karpenter".into(),
            effect: TaintEffect::NoSchedule,
        };
        let exists_all = Toleration {
            key: String::new(),
            exists: true,
            value: String::new(),
            effect: None,
        };
        assert!(exists_all.tolerates(&taint));
        let equal = Toleration {
            key: "dedicated".into(),
            exists: false,
            value: "karpenter".into(),
            effect: Some(TaintEffect::NoSchedule),
        };
        assert!(equal.tolerates(&taint));
        let wrong_effect = Toleration {
            effect: Some(TaintEffect::NoExecute),
            ..equal.clone()
        };
        assert!(!wrong_effect.tolerates(&taint));
        let wrong_value = Toleration {
            value: "other".into(),
            ..equal
        };
        assert!(!wrong_value.tolerates(&taint));
        let soft = Taint {
            effect: TaintEffect::PreferNoSchedule,
            ..taint.clone()
        };
        assert!(tolerates_all_hard(&[], &[soft]));
        assert!(!tolerates_all_hard(&[], &[taint]));
    }

    #[test]
    fn label_keys_and_values() {
        assert!(validate_label_key("topology.kubernetes.io/zone").is_ok());
        assert!(validate_label_key("app").is_ok());
        assert!(validate_label_key("Example.com/app").is_err());
        assert!(validate_label_key("/app").is_err());
        assert!(validate_label_key(&"a".repeat(64)).is_err());
        assert!(validate_label_value("").is_ok());
        assert!(validate_label_value("m7g.xlarge").is_ok());
        assert!(validate_label_value("bad value").is_err());
    }
}
