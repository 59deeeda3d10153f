//! Scenario input: real Kubernetes manifests plus one `ksim/v1alpha1` `Scenario` document.
//!
//! Input is read in two stages (the practice of ripgrep's low-level/high-level arguments):
//!
//! 1. [`read_sources`] reads files, directories (every `*.yaml`/`*.yml`, sorted by path) and
//!    `-` (standard input), and [`split_documents`] splits each stream into documents the way
//!    `k8s.io/apimachinery/pkg/util/yaml.YAMLReader` does: at lines that start with `---`.
//! 2. [`load`] reads each document's `apiVersion`/`kind`, deserializes the kinds ksim models into
//!    the raw types of [`raw`] (unknown fields are errors), and validates them into the typed
//!    [`model::Scenario`]. Kinds ksim does not model (Service, ConfigMap, …) are listed as
//!    warnings and skipped, so `helm template … | ksim run -` works.
//!
//! Every error names the file, the line, the object and the field.

mod capacity;
mod cronjob;
mod disruption;
mod keda;
pub mod model;
pub mod raw;
mod validate;
pub mod variant;

pub use model::*;

use crate::error::InputError;
use serde::de::DeserializeOwned;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The embedded reference scenario (`scenarios/reference.yaml`).
pub const REFERENCE_YAML: &str = include_str!("../../scenarios/reference.yaml");

/// The name shown for the embedded reference scenario.
pub const REFERENCE_NAME: &str = "<embedded scenarios/reference.yaml>";

/// Default limit on the total size of the input.
pub const DEFAULT_MAX_INPUT_BYTES: u64 = 32 * 1024 * 1024;

/// One input stream.
#[derive(Debug, Clone)]
pub struct Source {
    /// File name as given, `<stdin>`, or [`REFERENCE_NAME`].
    pub name: String,
    /// Directory for files the scenario refers to (prices, traces).
    pub base_dir: Option<PathBuf>,
    /// The text.
    pub text: String,
}

impl Source {
    /// The embedded reference scenario.
    pub fn reference() -> Source {
        Source {
            name: REFERENCE_NAME.to_string(),
            base_dir: None,
            text: REFERENCE_YAML.to_string(),
        }
    }
}

/// Settings that override the scenario from the command line.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--seed`.
    pub seed: Option<u64>,
    /// `--duration` in ms.
    pub duration_ms: Option<u64>,
    /// `--prices FILE`.
    pub prices_file: Option<PathBuf>,
}

/// Reads files, directories and `-` (stdin), refusing more than `max_bytes` in total.
pub fn read_sources(args: &[String], max_bytes: u64) -> Result<Vec<Source>, InputError> {
    let mut out = Vec::new();
    let mut total: u64 = 0;
    let mut stdin_used = false;
    for arg in args {
        if arg == "-" {
            if stdin_used {
                return Err(InputError::file("<stdin>", "`-` given more than once"));
            }
            stdin_used = true;
            let mut buf = Vec::new();
            std::io::stdin()
                .take(max_bytes.saturating_sub(total) + 1)
                .read_to_end(&mut buf)
                .map_err(|e| InputError::file("<stdin>", format!("cannot read: {e}")))?;
            total += buf.len() as u64;
            check_size("<stdin>", total, max_bytes)?;
            out.push(Source {
                name: "<stdin>".into(),
                base_dir: std::env::current_dir().ok(),
                text: to_text("<stdin>", buf)?,
            });
            continue;
        }
        let path = Path::new(arg);
        let meta = std::fs::metadata(path)
            .map_err(|e| InputError::file(arg, format!("cannot read: {e}")))?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            collect_yaml(path, &mut files)
                .map_err(|e| InputError::file(arg, format!("cannot read directory: {e}")))?;
            files.sort();
            if files.is_empty() {
                return Err(InputError::file(
                    arg,
                    "directory holds no .yaml or .yml files",
                ));
            }
            files
        } else {
            vec![path.to_path_buf()]
        };
        for f in files {
            let name = f.display().to_string();
            let len = std::fs::metadata(&f)
                .map_err(|e| InputError::file(&name, format!("cannot read: {e}")))?
                .len();
            check_size(&name, total + len, max_bytes)?;
            let bytes = std::fs::read(&f)
                .map_err(|e| InputError::file(&name, format!("cannot read: {e}")))?;
            total += bytes.len() as u64;
            check_size(&name, total, max_bytes)?;
            out.push(Source {
                base_dir: f.parent().map(Path::to_path_buf),
                text: to_text(&name, bytes)?,
                name,
            });
        }
    }
    Ok(out)
}

fn check_size(name: &str, total: u64, max: u64) -> Result<(), InputError> {
    if total > max {
        return Err(InputError::file(
            name,
            format!(
                "input is larger than the limit of {} MiB; raise it with --max-input-mb if this is intended",
                max / (1024 * 1024)
            ),
        ));
    }
    Ok(())
}

fn to_text(name: &str, bytes: Vec<u8>) -> Result<String, InputError> {
    String::from_utf8(bytes).map_err(|e| {
        let prefix = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = prefix.iter().filter(|b| **b == b'\n').count() as u64 + 1;
        InputError {
            file: name.to_string(),
            line,
            column: 0,
            object: None,
            field: None,
            message: "the file is not UTF-8 text".into(),
        }
    })
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let p = entry?.path();
        if p.is_dir() {
            collect_yaml(&p, out)?;
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("yaml") | Some("yml")
        ) {
            out.push(p);
        }
    }
    Ok(())
}

/// One YAML document within a source.
#[derive(Debug, Clone)]
pub struct Document<'a> {
    /// Source name.
    pub file: &'a str,
    /// 1-based line of the document's first line in the source.
    pub first_line: u64,
    /// The document text.
    pub text: &'a str,
}

/// Splits a stream at `---` separator lines, as apimachinery's `YAMLReader` does. Documents with
/// nothing but blank lines and comments are dropped.
pub fn split_documents<'a>(file: &'a str, text: &'a str) -> Result<Vec<Document<'a>>, InputError> {
    let mut docs = Vec::new();
    let mut start_byte = 0usize;
    let mut start_line = 1u64;
    let mut line_no = 0u64;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        line_no += 1;
        let content = line.trim_end_matches(['\n', '\r']);
        if let Some(rest) = content.strip_prefix("---") {
            let rest = rest.trim();
            if !rest.is_empty() && !rest.starts_with('#') {
                return Err(InputError {
                    file: file.to_string(),
                    line: line_no,
                    column: 4,
                    object: None,
                    field: None,
                    message: "only comments may follow the document separator `---` on its line"
                        .into(),
                });
            }
            push_doc(&mut docs, file, start_line, &text[start_byte..offset]);
            start_byte = offset + line.len();
            start_line = line_no + 1;
        }
        offset += line.len();
    }
    push_doc(&mut docs, file, start_line, &text[start_byte..]);
    Ok(docs)
}

fn push_doc<'a>(docs: &mut Vec<Document<'a>>, file: &'a str, first_line: u64, text: &'a str) {
    let meaningful = text.lines().any(|l| {
        let t = l.trim();
        !t.is_empty() && !t.starts_with('#') && t != "..."
    });
    if meaningful {
        docs.push(Document {
            file,
            first_line,
            text,
        });
    }
}

fn saphyr_options() -> serde_saphyr::Options {
    serde_saphyr::options! {
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_aliases: 1_000,
            max_anchors: 1_000,
        },
    }
}

/// Strips serde-saphyr's " at line L, column C" suffix and its snippet.
fn clean_message(e: &serde_saphyr::Error) -> String {
    let full = e.to_string();
    let first = full.lines().next().unwrap_or("").to_string();
    let first = first
        .strip_prefix("error: ")
        .map(|s| s.to_string())
        .unwrap_or(first);
    // "line 4 column 8: message" or "message at line 4, column 8"
    let without_prefix = match first.split_once(": ") {
        Some((head, tail)) if head.starts_with("line ") => tail.to_string(),
        _ => first,
    };
    let message = match without_prefix.rfind(" at line ") {
        Some(i) => without_prefix[..i].to_string(),
        None => without_prefix,
    };
    // The YAML library names Rust types; say what the field expects instead.
    match message.as_str() {
        "invalid i64" | "invalid i32" => "expected an integer".to_string(),
        "invalid u64" | "invalid u32" => "expected a non-negative integer".to_string(),
        "invalid f64" => "expected a number".to_string(),
        _ => message,
    }
}

/// Deserializes a document into `T`, turning errors into [`InputError`]s with the file, the
/// line in the whole file, the object and the field path.
pub(crate) fn parse_doc<T: DeserializeOwned>(
    doc: &Document<'_>,
    object: Option<&str>,
) -> Result<T, InputError> {
    let mut path: Option<String> = None;
    let result =
        serde_saphyr::with_deserializer_from_str_with_options(doc.text, saphyr_options(), |de| {
            serde_path_to_error::deserialize::<_, T>(de).map_err(|e| {
                let p = e.path().to_string();
                // `Spanned<T>` wraps values in a `value` field; it is not part of the input.
                let p = p.strip_suffix(".value").unwrap_or(&p).to_string();
                if p != "." && !p.is_empty() {
                    path = Some(p);
                }
                e.into_inner()
            })
        });
    result.map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .filter(|(l, _)| *l > 0)
            .map(|(l, c)| (l + doc.first_line - 1, c))
            .unwrap_or((doc.first_line, 0));
        InputError {
            file: doc.file.to_string(),
            line,
            column,
            object: object.map(str::to_string),
            field: path,
            message: clean_message(&e),
        }
    })
}

/// Loads and validates a scenario from its sources.
pub fn load(sources: &[Source], overrides: &Overrides) -> Result<Scenario, InputError> {
    validate::load(sources, overrides)
}

/// Loads the embedded reference scenario.
pub fn load_reference(overrides: &Overrides) -> Result<Scenario, InputError> {
    load(&[Source::reference()], overrides)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_yaml_reader() {
        let text = "a: 1\n---\n# only a comment\n---   # trailing comment\nb: 2\n---\n\n";
        let docs = split_documents("f", text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].first_line, 1);
        assert_eq!(docs[1].first_line, 5);
        assert_eq!(docs[1].text, "b: 2\n");
        assert!(split_documents("f", "a: 1\n--- b: 2\n").is_err());
    }

    #[test]
    fn parse_errors_carry_file_line_and_field() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct T {
            spec: Inner,
        }
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields, rename_all = "camelCase")]
        #[allow(dead_code)]
        struct Inner {
            max_replicas: u32,
        }
        let text = "x: 1\n---\nspec:\n  maxReplicas: -3\n";
        let docs = split_documents("hpa.yaml", text).unwrap();
        let e = parse_doc::<T>(&docs[1], Some("HPA a")).unwrap_err();
        assert_eq!(e.file, "hpa.yaml");
        assert_eq!(e.line, 4);
        assert_eq!(e.field.as_deref(), Some("spec.maxReplicas"));
        assert!(!e.message.contains("at line"), "{}", e.message);
        let text = "spec:\n  maxReplicaz: 3\n";
        let docs = split_documents("hpa.yaml", text).unwrap();
        let e = parse_doc::<T>(&docs[0], None).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(
            e.message.contains("unknown field `maxReplicaz`"),
            "{}",
            e.message
        );
    }
}
