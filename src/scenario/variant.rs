//! Variants of a base scenario for `ksim compare --variant`: a label and field overrides on the
//! input manifests, like `kubectl patch` on the documents before they are loaded.
//!
//! A variant is written `LABEL;KIND/NAME:PATH=VALUE;KIND/NAME:PATH=VALUE…`:
//!
//! - `KIND/NAME` picks the document by `kind` and `metadata.name` (`NodePool/default`,
//!   `HorizontalPodAutoscaler/api`); `KIND` alone picks the only document of that kind
//!   (`Scenario`).
//! - `PATH` is dot-separated keys with `[i]` list indices, e.g. `spec.disruption.consolidateAfter`
//!   or `spec.template.spec.requirements[1].values`. Every key but the last must exist; the last
//!   is added when missing.
//! - `VALUE` is YAML: `30m`, `5`, `[on-demand]`, `{nodes: "20%"}`.
//!
//! The patched document is re-emitted as JSON (which is YAML) and loaded, validated and reported
//! like any input; its errors name the file as `FILE (variant LABEL)`. Other documents keep their
//! text and line numbers.

use super::{Source, split_documents};
use crate::error::InputError;
use serde_json::Value;

/// One field override.
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    /// Document kind.
    pub kind: String,
    /// `metadata.name`, or `None` for the only document of the kind.
    pub name: Option<String>,
    /// The path as written.
    pub path_text: String,
    /// The path: keys and list indices.
    pub path: Vec<Step>,
    /// The new value.
    pub value: Value,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A mapping key.
    Key(String),
    /// A list index.
    Index(usize),
}

/// A labelled set of overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The label shown in reports.
    pub label: String,
    /// The overrides, applied in order.
    pub overrides: Vec<Override>,
}

fn flag_error(spec: &str, message: impl Into<String>) -> InputError {
    InputError {
        field: Some("--variant".into()),
        ..InputError::file("<command line>", format!("{spec:?}: {}", message.into()))
    }
}

fn parse_path(spec: &str, text: &str) -> Result<Vec<Step>, InputError> {
    let mut steps = Vec::new();
    for part in text.split('.') {
        let (key, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part, ""),
        };
        if key.is_empty() {
            return Err(flag_error(spec, format!("empty key in path `{text}`")));
        }
        steps.push(Step::Key(key.to_string()));
        while !rest.is_empty() {
            let close = rest
                .find(']')
                .filter(|_| rest.starts_with('['))
                .ok_or_else(|| flag_error(spec, format!("bad index in path `{text}`")))?;
            let i: usize = rest[1..close]
                .parse()
                .map_err(|_| flag_error(spec, format!("bad index in path `{text}`")))?;
            steps.push(Step::Index(i));
            rest = &rest[close + 1..];
        }
    }
    Ok(steps)
}

/// Parses `LABEL;KIND/NAME:PATH=VALUE;…`.
pub fn parse(spec: &str) -> Result<Variant, InputError> {
    let mut parts = spec.split(';');
    let label = parts.next().unwrap_or("").trim().to_string();
    if label.is_empty() || label.contains(['/', ':', '=']) {
        return Err(flag_error(
            spec,
            "start with a label, e.g. `on-demand;NodePool/default:spec.limits.cpu=2000`",
        ));
    }
    let mut overrides = Vec::new();
    for part in parts.map(str::trim).filter(|p| !p.is_empty()) {
        let (target, rest) = part
            .split_once(':')
            .ok_or_else(|| flag_error(spec, format!("`{part}` is not KIND/NAME:PATH=VALUE")))?;
        let (path_text, value_text) = rest
            .split_once('=')
            .ok_or_else(|| flag_error(spec, format!("`{part}` has no `=VALUE`")))?;
        let (kind, name) = match target.split_once('/') {
            Some((k, n)) => (k.trim(), Some(n.trim().to_string())),
            None => (target.trim(), None),
        };
        if kind.is_empty() || name.as_deref() == Some("") {
            return Err(flag_error(
                spec,
                format!("`{target}` is not KIND or KIND/NAME"),
            ));
        }
        let value: Value = serde_saphyr::from_str(value_text)
            .map_err(|e| flag_error(spec, format!("the value `{value_text}` is not YAML: {e}")))?;
        overrides.push(Override {
            kind: kind.to_string(),
            name,
            path_text: path_text.trim().to_string(),
            path: parse_path(spec, path_text.trim())?,
            value,
        });
    }
    Ok(Variant { label, overrides })
}

fn set(doc: &mut Value, o: &Override, spec_label: &str) -> Result<(), InputError> {
    let fail = |m: String| {
        flag_error(
            spec_label,
            format!(
                "{}{}: {}: {m}",
                o.kind,
                o.name.as_ref().map(|n| format!("/{n}")).unwrap_or_default(),
                o.path_text
            ),
        )
    };
    let mut cur = doc;
    for (i, step) in o.path.iter().enumerate() {
        let last = i + 1 == o.path.len();
        cur = match step {
            Step::Key(k) => {
                let map = cur
                    .as_object_mut()
                    .ok_or_else(|| fail(format!("`{k}` is under a value that is not a mapping")))?;
                if last {
                    map.insert(k.clone(), o.value.clone());
                    return Ok(());
                }
                map.get_mut(k)
                    .ok_or_else(|| fail(format!("no key `{k}`")))?
            }
            Step::Index(n) => {
                let list = cur
                    .as_array_mut()
                    .ok_or_else(|| fail(format!("[{n}] is under a value that is not a list")))?;
                let len = list.len();
                let item = list
                    .get_mut(*n)
                    .ok_or_else(|| fail(format!("index {n} is past the list's {len} items")))?;
                if last {
                    *item = o.value.clone();
                    return Ok(());
                }
                item
            }
        };
    }
    Ok(())
}

/// The sources with the variant's overrides applied. Each override must match exactly one
/// document across all sources.
pub fn apply(sources: &[Source], v: &Variant) -> Result<Vec<Source>, InputError> {
    let mut out: Vec<Source> = sources.to_vec();
    for o in &v.overrides {
        let mut hits = Vec::new();
        for (si, src) in out.iter().enumerate() {
            for doc in split_documents(&src.name, &src.text)? {
                let Ok(value) = serde_saphyr::from_str::<Value>(doc.text) else {
                    continue;
                };
                let kind_ok = value.get("kind").and_then(Value::as_str) == Some(o.kind.as_str());
                let name = value
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .and_then(Value::as_str);
                if kind_ok && (o.name.is_none() || o.name.as_deref() == name) {
                    let start = doc.text.as_ptr() as usize - src.text.as_ptr() as usize;
                    hits.push((si, start, start + doc.text.len(), value));
                }
            }
        }
        let target = format!(
            "{}{}",
            o.kind,
            o.name.as_ref().map(|n| format!("/{n}")).unwrap_or_default()
        );
        if hits.len() != 1 {
            return Err(flag_error(
                &v.label,
                format!(
                    "{} documents match `{target}` in the inputs; name exactly one",
                    hits.len()
                ),
            ));
        }
        let (si, start, end, mut value) = hits.pop().expect("one hit");
        set(&mut value, o, &v.label)?;
        let json = serde_json::to_string_pretty(&value)
            .map_err(|e| flag_error(&v.label, e.to_string()))?;
        let src = &mut out[si];
        src.text = format!("{}{}\n{}", &src.text[..start], json, &src.text[end..]);
        if !src.name.ends_with(')') || !src.name.contains(" (variant ") {
            src.name = format!("{} (variant {})", src.name, v.label);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_targets_paths_and_yaml_values() {
        let v = parse("od;NodePool/default:spec.template.spec.requirements[1].values=[on-demand];Scenario:spec.duration=2h").unwrap();
        assert_eq!(v.label, "od");
        assert_eq!(v.overrides.len(), 2);
        let o = &v.overrides[0];
        assert_eq!(
            (o.kind.as_str(), o.name.as_deref()),
            ("NodePool", Some("default"))
        );
        assert_eq!(
            o.path,
            [
                Step::Key("spec".into()),
                Step::Key("template".into()),
                Step::Key("spec".into()),
                Step::Key("requirements".into()),
                Step::Index(1),
                Step::Key("values".into()),
            ]
        );
        assert_eq!(o.value, serde_json::json!(["on-demand"]));
        assert_eq!(v.overrides[1].name, None);
        assert_eq!(v.overrides[1].value, serde_json::json!("2h"));
        for bad in [
            "",
            "NodePool/x:a=1",
            "l;NodePool/x",
            "l;NodePool/x:a",
            "l;N:a[x]=1",
            "l;N:.a=1",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn apply_patches_one_document_and_keeps_the_others() {
        let src = Source {
            name: "a.yaml".into(),
            base_dir: None,
            text: "kind: A\nmetadata: {name: x}\nspec: {n: 1}\n---\nkind: B\nmetadata: {name: y}\nspec: {n: 2}\n".into(),
        };
        let v = parse("two;A/x:spec.n=5").unwrap();
        let out = apply(std::slice::from_ref(&src), &v).unwrap();
        assert_eq!(out[0].name, "a.yaml (variant two)");
        assert!(out[0].text.contains("\"n\": 5"), "{}", out[0].text);
        assert!(
            out[0]
                .text
                .ends_with("---\nkind: B\nmetadata: {name: y}\nspec: {n: 2}\n")
        );
        let missing = parse("m;A/x:spec.nope.deeper=1").unwrap();
        let e = apply(std::slice::from_ref(&src), &missing).unwrap_err();
        assert!(e.message.contains("no key `nope`"), "{}", e.message);
        let none = parse("m;C:spec.n=1").unwrap();
        let e = apply(std::slice::from_ref(&src), &none).unwrap_err();
        assert!(e.message.contains("0 documents match `C`"), "{}", e.message);
    }
}
