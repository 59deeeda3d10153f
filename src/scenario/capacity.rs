//! `spec.capacity` → the EC2 [`CapacityModel`] (see `cloud::capacity` for its semantics).

use super::raw;
use super::validate::{Ctx, parse_ms};
use crate::cloud::capacity::{CapacityModel, CapacityRule};
use crate::cloud::catalog::Catalog;
use crate::cloud::pricing::CapacityType;
use crate::cloud::spot_advisor::{AdvisorTable, default_frequencies, parse_frequency};
use crate::error::InputError;
use crate::karpenter::offerings::pool_types;
use crate::scenario::model::NodePool;
use serde_saphyr::Spanned;
use std::collections::BTreeSet;

/// The default interruption frequency of each catalog type from the user's table named by
/// `spotInterruptionDefaults` (`v`): the table's row for the type in `region`, else the embedded
/// default, else 0; a warning names the types the NodePools allow that the table lacks.
fn table_frequencies(
    ctx: &Ctx,
    v: &Spanned<String>,
    region: &str,
    catalog: &Catalog,
    zones: &[String],
    pools: &[NodePool],
    warnings: &mut Vec<String>,
) -> Result<Vec<f64>, InputError> {
    let field = "spec.spotInterruptionDefaults";
    let path = ctx.resolve(&v.value);
    if !path.is_file() {
        return Err(ctx.err_at(
            v,
            field,
            format!(
                "must be advisor, none or the path of a spot interruption table (the Spot Instance Advisor's JSON feed, or CSV), got {:?}: no such file",
                v.value
            ),
        ));
    }
    let table = AdvisorTable::load(&path)?;
    let rows = table.region_rows(region, catalog).ok_or_else(|| {
        ctx.err_at(
            v,
            field,
            format!(
                "{} has no interruption frequencies for region {region}",
                path.display()
            ),
        )
    })?;
    let embedded = default_frequencies(region, catalog);
    let allowed: BTreeSet<usize> = pools
        .iter()
        .flat_map(|p| pool_types(p, catalog, zones))
        .collect();
    let missing: Vec<&str> = allowed
        .iter()
        .filter(|&&ti| rows[ti].is_none())
        .map(|&ti| catalog.get(ti).name.as_str())
        .collect();
    if !missing.is_empty() {
        let fallback = if embedded.is_some() {
            "using the embedded Spot Instance Advisor defaults for them"
        } else {
            "they are never interrupted unless spec.capacity gives an interruptionFrequency"
        };
        warnings.push(format!(
            "{field}: {} has no row for {} in {region}: {fallback}",
            path.display(),
            missing.join(", ")
        ));
    }
    Ok(rows
        .iter()
        .enumerate()
        .map(|(ti, f)| {
            f.or_else(|| embedded.as_ref().map(|e| e[ti]))
                .unwrap_or(0.0)
        })
        .collect())
}

/// Parses the Scenario's capacity rules and `spotInterruptionDefaults`: `advisor` (the default:
/// the embedded Spot Instance Advisor buckets of `region`, with a warning for a region without
/// them), `none`, or the path of a table (the Advisor's JSON feed, or CSV; relative to the
/// scenario file, or to the working directory for a scenario read from stdin or embedded),
/// which must have rows for `region`. Instance types the table lacks take the embedded default
/// (0 where there is none), with a warning naming those the NodePools allow.
pub(super) fn capacity(
    ctx: &Ctx,
    spec: &raw::ScenarioSpec,
    region: &str,
    catalog: &Catalog,
    zones: &[String],
    pools: &[NodePool],
    warnings: &mut Vec<String>,
) -> Result<CapacityModel, InputError> {
    let raw = spec.capacity.as_deref().unwrap_or(&[]);
    let default_interruption_frequency = match spec.spot_interruption_defaults.as_ref() {
        Some(v) if v.value == "none" => Vec::new(),
        Some(v) if v.value != "advisor" => {
            table_frequencies(ctx, v, region, catalog, zones, pools, warnings)?
        }
        _ => default_frequencies(region, catalog).unwrap_or_else(|| {
            warnings.push(format!(
                "no Spot Instance Advisor defaults for region {region}: spot instances are interrupted only where spec.capacity gives an interruptionFrequency"
            ));
            Vec::new()
        }),
    };
    let mut rules = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let f = |x: &str| format!("spec.capacity[{i}].{x}");
        let mut types = Vec::new();
        for t in r.instance_types.iter().flatten() {
            let ti = catalog.index_of(&t.value).ok_or_else(|| {
                ctx.err_at(
                    t,
                    &f("instanceTypes"),
                    format!("unknown instance type {:?}", t.value),
                )
            })?;
            types.push(ti);
        }
        let mut zs = Vec::new();
        for z in r.zones.iter().flatten() {
            let zi = zones.iter().position(|x| *x == z.value).ok_or_else(|| {
                ctx.err_at(
                    z,
                    &f("zones"),
                    format!(
                        "unknown zone {:?}; the scenario's zones are {}",
                        z.value,
                        zones.join(", ")
                    ),
                )
            })?;
            zs.push(zi);
        }
        let capacity_type = match &r.capacity_type {
            None => None,
            Some(c) => Some(CapacityType::parse(&c.value).ok_or_else(|| {
                ctx.err_at(
                    c,
                    &f("capacityType"),
                    format!("must be spot or on-demand, got {:?}", c.value),
                )
            })?),
        };
        let from_ms = match &r.from {
            None => 0,
            Some(v) => parse_ms(ctx, &f("from"), v)?,
        };
        let until_ms = match &r.until {
            None => None,
            Some(v) => {
                let u = parse_ms(ctx, &f("until"), v)?;
                if u <= from_ms {
                    return Err(ctx.err_at(v, &f("until"), "must be later than from"));
                }
                Some(u)
            }
        };
        let max_nodes = match &r.max_nodes {
            Some(m) if m.value < 0 => {
                return Err(ctx.err_at(m, &f("maxNodes"), "must not be negative"));
            }
            m => m.as_ref().map(|m| m.value),
        };
        let probability = |v: &Option<Spanned<f64>>, name: &str| -> Result<f64, InputError> {
            match v {
                None => Ok(0.0),
                Some(p) if (0.0..=1.0).contains(&p.value) => Ok(p.value),
                Some(p) => Err(ctx.err_at(p, &f(name), "must be between 0 and 1")),
            }
        };
        let interruption_frequency = match &r.interruption_frequency {
            None => None,
            Some(v) => Some(parse_frequency(&v.value.0).ok_or_else(|| {
                ctx.err_at(
                    v,
                    &f("interruptionFrequency"),
                    format!(
                        "must be a fraction between 0 and 1 or a Spot Instance Advisor bucket (<5%, 5-10%, 10-15%, 15-20%, >20%), got {:?}",
                        v.value.0
                    ),
                )
            })?),
        };
        if interruption_frequency.is_some() && capacity_type == Some(CapacityType::OnDemand) {
            return Err(ctx.err(
                &f("interruptionFrequency"),
                "applies to spot only, but the rule is for on-demand",
            ));
        }
        rules.push(CapacityRule {
            types,
            zones: zs,
            capacity_type,
            from_ms,
            until_ms,
            max_nodes,
            unavailable_probability: probability(
                &r.unavailable_probability,
                "unavailableProbability",
            )?,
            registration_failure_probability: probability(
                &r.registration_failure_probability,
                "registrationFailureProbability",
            )?,
            interruption_frequency,
        });
    }
    Ok(CapacityModel {
        rules,
        default_interruption_frequency,
    })
}
