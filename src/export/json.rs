//! The `json` format: the complete data, pretty-printed, with the `serde` field names documented
//! in `docs/output.md`.

use super::Exporter;
use crate::compare::Comparison;
use crate::error::{Error, Result};
use crate::report::Summary;
use crate::runs::MultiRun;
use serde::Serialize;

/// The JSON exporter.
pub struct Json;

/// Pretty JSON ending with a newline.
pub fn to_string<T: Serialize>(v: &T) -> Result<String> {
    let mut s = serde_json::to_string_pretty(v).map_err(|e| Error::Internal(e.to_string()))?;
    s.push('\n');
    Ok(s)
}

impl Exporter for Json {
    fn summary(&self, s: &Summary) -> Result<String> {
        to_string(s)
    }

    fn runs(&self, m: &MultiRun) -> Result<String> {
        to_string(m)
    }

    fn comparison(&self, c: &Comparison) -> Result<String> {
        to_string(c)
    }
}
