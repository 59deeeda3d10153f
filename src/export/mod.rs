//! Exporters: every result ksim prints or writes — one run's [`Summary`], several seeds'
//! [`MultiRun`], a [`Comparison`] — in each output format, one file per format:
//!
//! | format | module | for |
//! |---|---|---|
//! | `table` | [`table`] | a terminal |
//! | `json` | [`json`] | programs (the complete data, `serde` field names) |
//! | `csv` | [`csv`] | spreadsheets: one row per value, with a header |
//! | `markdown` | [`markdown`] | pull-request comments and docs |
//!
//! Each format implements [`Exporter`]; [`exporter`] picks one. Numbers shared by the readable
//! formats (table and Markdown) are formatted by the helpers here, so both show the same digits.

pub mod csv;
pub mod json;
pub mod markdown;
pub mod table;

use crate::compare::{Comparison, Delta, Metric};
use crate::error::Result;
use crate::report::Summary;
use crate::runs::{Estimate, MultiRun};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Plain-text table for a terminal.
    Table,
    /// JSON.
    Json,
    /// CSV.
    Csv,
    /// Markdown.
    Markdown,
}

impl Format {
    /// Every format, in the order files are written.
    pub const ALL: [Format; 4] = [Format::Table, Format::Json, Format::Csv, Format::Markdown];

    /// The file-name extension of the format.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Table => "txt",
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Markdown => "md",
        }
    }
}

/// Renders ksim's results in one format. Every method returns the whole text, ending with a
/// newline.
pub trait Exporter {
    /// One run.
    fn summary(&self, s: &Summary) -> Result<String>;
    /// Several seeds of one scenario: each metric's mean and 95 % confidence interval.
    fn runs(&self, m: &MultiRun) -> Result<String>;
    /// Configurations side by side with their differences.
    fn comparison(&self, c: &Comparison) -> Result<String>;
}

/// The exporter of a format.
pub fn exporter(f: Format) -> &'static dyn Exporter {
    match f {
        Format::Table => &table::Table,
        Format::Json => &json::Json,
        Format::Csv => &csv::Csv,
        Format::Markdown => &markdown::Markdown,
    }
}

/// A value with its unit: dollars with cents, counts without decimals, fractions with three.
pub(crate) fn value(v: f64, unit: &str) -> String {
    match unit {
        "USD" if v < 0.0 && format!("{:.2}", -v) != "0.00" => format!("-${:.2}", -v),
        "USD" => format!("${:.2}", v.abs() * v.signum().max(0.0)),
        "" if v.fract() == 0.0 && v.abs() < 1e15 => format!("{v:.0}"),
        "" => format!("{v:.1}"),
        "fraction" => format!("{v:.3}"),
        u => format!("{v:.1} {u}"),
    }
}

/// A mean with its 95 % confidence interval (just the value for one run).
pub(crate) fn estimate(e: &Estimate, unit: &str, runs: usize) -> String {
    if runs > 1 {
        format!(
            "{} [{}, {}]",
            value(e.mean, unit),
            value(e.ci95_low, unit),
            value(e.ci95_high, unit)
        )
    } else {
        value(e.mean, unit)
    }
}

/// How many seeds the configurations ran: `3 seeds each`, `1 seed each`, or `1, 1 and 3 seeds`
/// when they differ (results read back from directories).
pub(crate) fn seeds_label(c: &Comparison) -> String {
    let n: Vec<usize> = c.configs.iter().map(|x| x.runs.seeds.len()).collect();
    if n.iter().all(|&k| k == n[0]) {
        format!("{} seed{} each", n[0], if n[0] == 1 { "" } else { "s" })
    } else {
        let mut parts: Vec<String> = n.iter().map(|k| k.to_string()).collect();
        let last = parts.pop().unwrap_or_default();
        format!("{} and {last} seeds", parts.join(", "))
    }
}

/// Whether any configuration ran more than one seed (so intervals and tests are shown).
pub(crate) fn any_multi(c: &Comparison) -> bool {
    c.configs.iter().any(|x| x.runs.seeds.len() > 1)
}

/// A difference: absolute, percent, and whether it is significant and better (✓) or worse (✗).
pub(crate) fn delta(d: &Delta, m: &Metric) -> String {
    let pct = d
        .percent
        .map(|p| format!(" ({p:+.1} %)"))
        .unwrap_or_default();
    let abs = match m.unit {
        "USD" => format!("{:+.2} USD", d.absolute),
        "" => format!("{:+.1}", d.absolute),
        "fraction" => format!("{:+.3}", d.absolute),
        u => format!("{:+.1} {u}", d.absolute),
    };
    let mark = match d.significant {
        Some(true) => {
            let better = (d.absolute < 0.0) == m.lower_is_better;
            if d.absolute == 0.0 {
                ""
            } else if better {
                " ✓ significant"
            } else {
                " ✗ significant"
            }
        }
        Some(false) => " (not significant)",
        None => "",
    };
    format!("{abs}{pct}{mark}")
}

/// The estimates of `m` in the order of [`crate::compare::METRICS`], then any others by name.
pub(crate) fn ordered(m: &MultiRun) -> Vec<(&str, &Estimate)> {
    let known = crate::compare::METRICS
        .iter()
        .filter_map(|x| m.metrics.get_key_value(x.name));
    let others = m
        .metrics
        .iter()
        .filter(|(k, _)| crate::compare::METRICS.iter().all(|x| x.name != k.as_str()));
    known.chain(others).map(|(k, e)| (k.as_str(), e)).collect()
}

/// The metric's label and unit for a name of [`crate::compare::METRICS`] (the name itself for
/// others).
pub(crate) fn metric_info(name: &str) -> (&str, &str) {
    crate::compare::METRICS
        .iter()
        .find(|m| m.name == name)
        .map(|m| (m.label, m.unit))
        .unwrap_or((name, ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_carry_their_units() {
        assert_eq!(value(1648.666, "USD"), "$1648.67");
        assert_eq!(value(-0.031, "USD"), "-$0.03");
        assert_eq!(value(-0.001, "USD"), "$0.00");
        assert_eq!(value(12.0, ""), "12");
        assert_eq!(value(0.9551, "fraction"), "0.955");
        assert_eq!(value(21.04, "s"), "21.0 s");
        let e = Estimate::of(&[1.0, 2.0, 3.0]);
        assert_eq!(estimate(&e, "", 3), "2 [-0.5, 4.5]");
        assert_eq!(estimate(&e, "", 1), "2");
    }
}
