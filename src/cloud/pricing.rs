//! Offering prices: USD per hour for each (instance type, zone, capacity type).
//!
//! The embedded table (`data/prices-us-east-1.csv`) holds the us-east-1 on-demand Linux list
//! prices that Karpenter ships as its static fallback (aws/karpenter-provider-aws
//! `pkg/providers/pricing/zz_generated.pricing_aws.go`). No first-party spot price source could
//! be cited, so spot prices missing from a table are derived as `on-demand × ratio`, with the
//! ratio a scenario setting (default [`DEFAULT_SPOT_RATIO`]). Users pass their own table for
//! other regions or real spot prices.
//!
//! A price CSV has the header `instance_type,zone,capacity_type,usd_per_hour`; `zone` may be
//! `*` for every zone, `capacity_type` is `on-demand` or `spot`, and lines starting with `#`
//! are comments.

use crate::csv_input::CsvInput;
use crate::error::InputError;
use serde::Deserialize;
use std::collections::BTreeMap;

const EMBEDDED_PRICES: &str = include_str!("../../data/prices-us-east-1.csv");

/// The region the embedded prices are for.
pub const EMBEDDED_REGION: &str = "us-east-1";

/// Default spot price as a fraction of on-demand: the middle of the "~50–70 % off" range a
/// third-party blog reports for m7g.xlarge in us-east-1 (cloudprice.app, 2026; low confidence,
/// see `docs/pricing.md`).
pub const DEFAULT_SPOT_RATIO: f64 = 0.4;

/// A capacity type (`karpenter.sh/capacity-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CapacityType {
    /// Spot instances.
    Spot,
    /// On-demand instances.
    OnDemand,
}

impl CapacityType {
    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            CapacityType::Spot => "spot",
            CapacityType::OnDemand => "on-demand",
        }
    }

    /// Parses a label value.
    pub fn parse(s: &str) -> Option<CapacityType> {
        match s {
            "spot" => Some(CapacityType::Spot),
            "on-demand" => Some(CapacityType::OnDemand),
            _ => None,
        }
    }
}

#[derive(Debug, Deserialize)]
struct Row {
    instance_type: String,
    zone: String,
    capacity_type: String,
    usd_per_hour: f64,
}

/// Where prices came from, for the report.
#[derive(Debug, Clone, PartialEq)]
pub struct PriceSource {
    /// A one-line description.
    pub description: String,
    /// The region the prices are for.
    pub region: String,
}

/// A price table.
#[derive(Debug, Clone)]
pub struct PriceTable {
    /// (type, zone or `*`, capacity type) → USD/h.
    prices: BTreeMap<(String, String, CapacityType), f64>,
    /// Spot fallback ratio.
    spot_ratio: f64,
    /// Provenance.
    pub source: PriceSource,
}

impl PriceTable {
    /// The embedded us-east-1 on-demand table.
    pub fn embedded(spot_ratio: f64) -> PriceTable {
        let mut t = PriceTable::parse("<embedded prices>", EMBEDDED_PRICES, spot_ratio)
            .expect("embedded price table is valid");
        t.source = PriceSource {
            description: "us-east-1 on-demand list prices from Karpenter's static pricing \
                          (zz_generated.pricing_aws.go, 2026-07-20)"
                .into(),
            region: EMBEDDED_REGION.into(),
        };
        t
    }

    /// Parses a price CSV. Errors name the file, line and field.
    pub fn parse(file: &str, text: &str, spot_ratio: f64) -> Result<PriceTable, InputError> {
        let input = CsvInput::parse(
            file,
            text,
            &["instance_type", "zone", "capacity_type", "usd_per_hour"],
        )?;
        let mut prices = BTreeMap::new();
        for i in 0..input.rows.len() {
            let line = input.rows[i].0;
            let row: Row = input.row(i)?;
            let at = |field: &str, message: String| input.error(line, Some(field), message);
            let ct = CapacityType::parse(&row.capacity_type).ok_or_else(|| {
                at(
                    "capacity_type",
                    format!(
                        "unknown capacity type {:?}; use on-demand or spot",
                        row.capacity_type
                    ),
                )
            })?;
            if !(row.usd_per_hour.is_finite() && row.usd_per_hour >= 0.0) {
                return Err(at(
                    "usd_per_hour",
                    format!(
                        "price must be a non-negative number, got {}",
                        row.usd_per_hour
                    ),
                ));
            }
            if row.instance_type.is_empty() || row.zone.is_empty() {
                return Err(at("instance_type", "empty instance type or zone".into()));
            }
            let key = (row.instance_type.clone(), row.zone.clone(), ct);
            if prices.insert(key, row.usd_per_hour).is_some() {
                return Err(at(
                    "instance_type",
                    format!(
                        "duplicate price for {} in {} ({})",
                        row.instance_type,
                        row.zone,
                        ct.as_str()
                    ),
                ));
            }
        }
        Ok(PriceTable {
            prices,
            spot_ratio,
            source: PriceSource {
                description: format!("price table {file}"),
                region: String::new(),
            },
        })
    }

    /// The price of an offering, if known. Spot falls back to on-demand × ratio.
    pub fn price(&self, instance_type: &str, zone: &str, ct: CapacityType) -> Option<f64> {
        let direct = |ct: CapacityType| {
            self.prices
                .get(&(instance_type.to_string(), zone.to_string(), ct))
                .or_else(|| {
                    self.prices
                        .get(&(instance_type.to_string(), "*".to_string(), ct))
                })
                .copied()
        };
        match ct {
            CapacityType::OnDemand => direct(ct),
            CapacityType::Spot => {
                direct(ct).or_else(|| direct(CapacityType::OnDemand).map(|p| p * self.spot_ratio))
            }
        }
    }

    /// The spot fallback ratio.
    pub fn spot_ratio(&self) -> f64 {
        self.spot_ratio
    }
}

/// One point of a spot price trace: from `at_ms` on, the offering costs `usd_per_hour`.
#[derive(Debug, Clone, PartialEq)]
pub struct SpotPricePoint {
    /// Time from the start of the run (ms).
    pub at_ms: u64,
    /// Instance type name.
    pub instance_type: String,
    /// Zone, or `*` for every zone.
    pub zone: String,
    /// Price in USD per hour.
    pub usd_per_hour: f64,
    /// Line in the file (for errors).
    pub line: u64,
}

#[derive(Debug, Deserialize)]
struct TraceRow {
    time: String,
    instance_type: String,
    zone: String,
    usd_per_hour: f64,
}

/// Parses a spot price trace: a CSV with the header `time,instance_type,zone,usd_per_hour`,
/// `time` a Go duration from the start of the run (`0s`, `2h30m`), `zone` a zone or `*`, lines
/// starting with `#` comments, as `DescribeSpotPriceHistory` output reduces to. Rows are
/// returned in time order (stable). Errors name the file, line and field.
pub fn parse_spot_trace(file: &str, text: &str) -> Result<Vec<SpotPricePoint>, InputError> {
    let input = CsvInput::parse(
        file,
        text,
        &["time", "instance_type", "zone", "usd_per_hour"],
    )?;
    let mut out = Vec::new();
    for i in 0..input.rows.len() {
        let line = input.rows[i].0;
        let row: TraceRow = input.row(i)?;
        let at = |field: &str, message: String| input.error(line, Some(field), message);
        let at_ms = crate::k8s::duration::parse_nonnegative_ms(&row.time)
            .map_err(|e| at("time", e.to_string()))?;
        if !(row.usd_per_hour.is_finite() && row.usd_per_hour >= 0.0) {
            return Err(at(
                "usd_per_hour",
                format!(
                    "price must be a non-negative number, got {}",
                    row.usd_per_hour
                ),
            ));
        }
        if row.instance_type.is_empty() || row.zone.is_empty() {
            return Err(at("instance_type", "empty instance type or zone".into()));
        }
        out.push(SpotPricePoint {
            at_ms,
            instance_type: row.instance_type,
            zone: row.zone,
            usd_per_hour: row.usd_per_hour,
            line,
        });
    }
    out.sort_by_key(|p| p.at_ms);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_prices_and_spot_fallback() {
        let t = PriceTable::embedded(0.4);
        assert_eq!(
            t.price("m7g.xlarge", "us-east-1a", CapacityType::OnDemand),
            Some(0.1632)
        );
        let spot = t
            .price("m7g.xlarge", "us-east-1a", CapacityType::Spot)
            .unwrap();
        assert!((spot - 0.06528).abs() < 1e-12);
        assert_eq!(t.price("nope.large", "a", CapacityType::OnDemand), None);
    }

    #[test]
    fn user_table_overrides_per_zone() {
        let csv = "instance_type,zone,capacity_type,usd_per_hour\n\
                   m7g.xlarge,ap-northeast-1a,spot,0.05\n\
                   m7g.xlarge,*,on-demand,0.2\n";
        let t = PriceTable::parse("p.csv", csv, 0.5).unwrap();
        assert_eq!(
            t.price("m7g.xlarge", "ap-northeast-1a", CapacityType::Spot),
            Some(0.05)
        );
        assert_eq!(
            t.price("m7g.xlarge", "ap-northeast-1c", CapacityType::Spot),
            Some(0.1)
        );
    }

    #[test]
    fn bad_rows_name_line_and_field() {
        let csv = "instance_type,zone,capacity_type,usd_per_hour\n\
                   m7g.xlarge,*,on-demand,0.2\n\
                   m7g.large,*,reserved,0.1\n";
        let e = PriceTable::parse("p.csv", csv, 0.5).unwrap_err();
        assert_eq!(e.line, 3);
        assert_eq!(e.field.as_deref(), Some("capacity_type"));
        let csv = "instance_type,zone,capacity_type,usd_per_hour\nm7g.large,*,spot,abc\n";
        let e = PriceTable::parse("p.csv", csv, 0.5).unwrap_err();
        assert_eq!(e.line, 2);
        let e = PriceTable::parse("p.csv", "a,b\n1,2\n", 0.5).unwrap_err();
        assert!(e.message.contains("missing column"));
    }
}
