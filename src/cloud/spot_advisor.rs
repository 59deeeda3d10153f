//! Default spot interruption frequencies: the AWS Spot Instance Advisor's buckets.
//!
//! The Spot Instance Advisor (<https://aws.amazon.com/ec2/spot/instance-advisor/>) publishes, per
//! region, operating system and instance type, a "frequency of interruption": the rate at which
//! Spot reclaimed capacity over the trailing month, in five buckets (`<5%`, `5-10%`, `10-15%`,
//! `15-20%`, `>20%`). Its data is the JSON feed `spot-bid-advisor.s3.amazonaws.com/spot-advisor-data.json`,
//! which carries no date. The embedded table `data/spot-interruptions.csv` holds the Linux
//! buckets of every catalog type in the regions ksim knows, taken from the copy of that feed
//! committed in alexei-led/spotinfo (`internal/spot/data/spot-advisor-data.json`, commit
//! 5eedf20a99614443af215f4aaf09bd10805cac72, 2025-06-28); the file's header names it in full.
//!
//! The Advisor gives one bucket per region, not per zone, so every zone of a region gets the
//! same default. Buckets move from month to month (the 2024-02 copy in ETOgaosion/bamboo has
//! m7g.2xlarge in ap-northeast-1 at <5% where the 2025-06 copy has >20%): the defaults make
//! spot interruptions and `price-capacity-optimized` realistic in kind, not a forecast. A
//! scenario's `spec.capacity[].interruptionFrequency` overrides them, and
//! `spec.spotInterruptionDefaults: none` turns them off.

use super::catalog::Catalog;
use crate::csv_input::CsvInput;
use crate::error::InputError;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The embedded table (see the module docs for its source).
const SPOT_INTERRUPTIONS_CSV: &str = include_str!("../../data/spot-interruptions.csv");

/// The Spot Instance Advisor's interruption-frequency buckets and the monthly fraction ksim
/// takes for each: the middle of the bucket, and for ">20%" its lower bound plus half a bucket
/// width (the Advisor gives no upper bound).
pub const ADVISOR_BUCKETS: &[(&str, f64)] = &[
    ("<5%", 0.025),
    ("5-10%", 0.075),
    ("10-15%", 0.125),
    ("15-20%", 0.175),
    (">20%", 0.225),
];

/// The monthly fraction ksim takes for an Advisor bucket label such as `"5-10%"`.
pub fn bucket_fraction(label: &str) -> Option<f64> {
    ADVISOR_BUCKETS
        .iter()
        .find(|(b, _)| *b == label.trim())
        .map(|&(_, f)| f)
}

/// An interruption frequency written as a fraction in [0, 1] or as an Advisor bucket.
pub fn parse_frequency(text: &str) -> Option<f64> {
    bucket_fraction(text).or_else(|| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|f| (0.0..=1.0).contains(f))
    })
}

/// Monthly interruption frequencies by (region, instance type name).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AdvisorTable {
    rows: BTreeMap<(String, String), f64>,
}

impl AdvisorTable {
    /// The embedded table, `data/spot-interruptions.csv`, parsed once per process.
    pub fn embedded() -> &'static AdvisorTable {
        static EMBEDDED: OnceLock<AdvisorTable> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            AdvisorTable::parse_csv("data/spot-interruptions.csv", SPOT_INTERRUPTIONS_CSV)
                .expect("embedded spot interruption table is valid")
        })
    }

    /// Reads a user's table: the Advisor's JSON feed when the file name ends in `.json` (any
    /// case), else a CSV with the columns `region,instance_type,interruption_frequency` (`#`
    /// starts a comment; one record per line).
    pub fn load(path: &std::path::Path) -> Result<AdvisorTable, InputError> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            InputError::file(&name, format!("cannot read spot interruption table: {e}"))
        })?;
        let is_json = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            AdvisorTable::parse_feed(&name, &text)
        } else {
            AdvisorTable::parse_csv(&name, &text)
        }
    }

    /// Parses the CSV form. Errors name the file, line and field.
    pub fn parse_csv(file: &str, text: &str) -> Result<AdvisorTable, InputError> {
        #[derive(serde::Deserialize)]
        struct Row {
            region: String,
            instance_type: String,
            interruption_frequency: String,
        }
        let input = CsvInput::parse(
            file,
            text,
            &["region", "instance_type", "interruption_frequency"],
        )?;
        let mut rows = BTreeMap::new();
        for i in 0..input.rows.len() {
            let line = input.rows[i].0;
            let row: Row = input.row(i)?;
            if row.region.is_empty() || row.instance_type.is_empty() {
                return Err(input.error(line, Some("region"), "empty region or instance type"));
            }
            let f = parse_frequency(&row.interruption_frequency).ok_or_else(|| {
                input.error(
                    line,
                    Some("interruption_frequency"),
                    format!(
                        "must be a fraction between 0 and 1 or a Spot Instance Advisor bucket (<5%, 5-10%, 10-15%, 15-20%, >20%), got {:?}",
                        row.interruption_frequency
                    ),
                )
            })?;
            let key = (row.region, row.instance_type);
            if rows.contains_key(&key) {
                return Err(input.error(
                    line,
                    Some("instance_type"),
                    format!("duplicate row for {} in {}", key.1, key.0),
                ));
            }
            rows.insert(key, f);
        }
        Ok(AdvisorTable { rows })
    }

    /// Parses the Advisor's JSON feed: `ranges[].index/label` and
    /// `spot_advisor.REGION.Linux.TYPE.r` (an index into `ranges`).
    pub fn parse_feed(file: &str, text: &str) -> Result<AdvisorTable, InputError> {
        #[derive(serde::Deserialize)]
        struct Feed {
            ranges: Vec<Range>,
            spot_advisor: BTreeMap<String, BTreeMap<String, BTreeMap<String, Entry>>>,
        }
        #[derive(serde::Deserialize)]
        struct Range {
            index: u64,
            label: String,
        }
        #[derive(serde::Deserialize)]
        struct Entry {
            r: u64,
        }
        let feed: Feed = serde_json::from_str(text).map_err(|e| InputError {
            file: file.to_string(),
            line: e.line() as u64,
            column: e.column() as u64,
            object: None,
            field: None,
            message: format!("not a Spot Instance Advisor feed: {e}"),
        })?;
        let field_err = |field: String, message: String| InputError {
            file: file.to_string(),
            line: 0,
            column: 0,
            object: None,
            field: Some(field),
            message,
        };
        let mut buckets = BTreeMap::new();
        for (i, r) in feed.ranges.iter().enumerate() {
            let f = bucket_fraction(&r.label).ok_or_else(|| {
                field_err(
                    format!("ranges[{i}].label"),
                    format!("unknown bucket {:?}", r.label),
                )
            })?;
            buckets.insert(r.index, f);
        }
        let mut rows = BTreeMap::new();
        for (region, systems) in &feed.spot_advisor {
            for (t, e) in systems.get("Linux").into_iter().flatten() {
                let f = *buckets.get(&e.r).ok_or_else(|| {
                    field_err(
                        format!("spot_advisor.{region}.Linux.{t}.r"),
                        format!("{} is not the index of an entry of `ranges`", e.r),
                    )
                })?;
                rows.insert((region.clone(), t.clone()), f);
            }
        }
        Ok(AdvisorTable { rows })
    }

    /// The frequency of each catalog type (by catalog index) in `region`, or `None` when the
    /// table has no row for the region. Types the table lacks get 0.
    pub fn frequencies(&self, region: &str, catalog: &Catalog) -> Option<Vec<f64>> {
        self.region_rows(region, catalog)
            .map(|v| v.into_iter().map(|f| f.unwrap_or(0.0)).collect())
    }

    /// The table's row for each catalog type (by catalog index) in `region` (`None` for a type
    /// it lacks), or `None` when the table has no row for the region.
    pub fn region_rows(&self, region: &str, catalog: &Catalog) -> Option<Vec<Option<f64>>> {
        let mut out = vec![None; catalog.types().len()];
        let mut found = false;
        let from = (region.to_string(), String::new());
        for ((r, t), &f) in self.rows.range(from..) {
            if r != region {
                break;
            }
            found = true;
            if let Some(ti) = catalog.index_of(t) {
                out[ti] = Some(f);
            }
        }
        found.then_some(out)
    }
}

/// The embedded default interruption frequency of each catalog type in `region` (see
/// [`AdvisorTable::frequencies`]).
pub fn default_frequencies(region: &str, catalog: &Catalog) -> Option<Vec<f64>> {
    AdvisorTable::embedded().frequencies(region, catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels_and_fractions() {
        assert_eq!(bucket_fraction("<5%"), Some(0.025));
        assert_eq!(bucket_fraction(" 10-15% "), Some(0.125));
        assert_eq!(bucket_fraction(">20%"), Some(0.225));
        assert_eq!(bucket_fraction("<4%"), None);
        assert_eq!(parse_frequency("0.08"), Some(0.08));
        assert_eq!(parse_frequency("1"), Some(1.0));
        assert_eq!(parse_frequency("1.5"), None);
        assert_eq!(parse_frequency("<4%"), None);
    }

    /// Every row of the embedded table names a catalog type, and each of its eight regions
    /// covers the whole catalog.
    #[test]
    fn embedded_table_is_complete() {
        let catalog = Catalog::embedded();
        let table = AdvisorTable::embedded();
        let mut regions = BTreeMap::<&str, usize>::new();
        for (r, t) in table.rows.keys() {
            assert!(catalog.index_of(t).is_some(), "{r} {t}");
            *regions.entry(r).or_default() += 1;
        }
        assert_eq!(regions.len(), 8);
        assert!(regions.values().all(|&n| n == catalog.types().len()));
    }

    /// Rows as read from the 2025-06-28 snapshot (see the module docs).
    #[test]
    fn snapshot_values() {
        let catalog = Catalog::embedded();
        let f = |region: &str, t: &str| {
            default_frequencies(region, &catalog).unwrap()[catalog.index_of(t).unwrap()]
        };
        assert_eq!(f("ap-northeast-1", "m7g.xlarge"), 0.075);
        assert_eq!(f("ap-northeast-1", "m7g.2xlarge"), 0.225);
        assert_eq!(f("ap-northeast-1", "m7gd.xlarge"), 0.025);
        assert_eq!(f("us-east-1", "m7g.large"), 0.125);
        assert_eq!(f("us-east-1", "c7g.xlarge"), 0.025);
        assert!(default_frequencies("mars-north-1", &catalog).is_none());
    }

    /// The feed's layout, trimmed to two regions: buckets by index, Linux only.
    #[test]
    fn feed_json() {
        let feed = r#"{"global_rate":"<10%",
            "ranges":[{"index":0,"label":"<5%","dots":0,"max":5},
                      {"index":4,"label":">20%","dots":4,"max":100}],
            "instance_types":{},
            "spot_advisor":{
              "us-east-1":{"Linux":{"m7g.large":{"s":64,"r":4},"foo.bar":{"s":1,"r":0}},
                           "Windows":{"m7g.xlarge":{"s":50,"r":4}}},
              "eu-west-1":{"Linux":{"m7g.large":{"s":60,"r":0}}}}}"#;
        let t = AdvisorTable::parse_feed("feed.json", feed).unwrap();
        let catalog = Catalog::embedded();
        let us = t.frequencies("us-east-1", &catalog).unwrap();
        assert_eq!(us[catalog.index_of("m7g.large").unwrap()], 0.225);
        assert_eq!(us[catalog.index_of("m7g.xlarge").unwrap()], 0.0);
        let eu = t.frequencies("eu-west-1", &catalog).unwrap();
        assert_eq!(eu[catalog.index_of("m7g.large").unwrap()], 0.025);
        assert!(t.frequencies("us-west-2", &catalog).is_none());
        let bad = feed.replace(r#""r":4},"foo"#, r#""r":3},"foo"#);
        let e = AdvisorTable::parse_feed("feed.json", &bad).unwrap_err();
        assert_eq!(
            e.field.as_deref(),
            Some("spot_advisor.us-east-1.Linux.m7g.large.r")
        );
        let e = AdvisorTable::parse_feed("feed.json", "{\n  \"ranges\": [,]}").unwrap_err();
        assert_eq!(e.line, 2);
    }

    #[test]
    fn csv_errors_name_line_and_field() {
        let ok = "# comment\nregion,instance_type,interruption_frequency\nus-east-1,m7g.large,5-10%\nus-east-1,m7g.xlarge,0.3\n";
        let t = AdvisorTable::parse_csv("t.csv", ok).unwrap();
        let catalog = Catalog::embedded();
        let us = t.frequencies("us-east-1", &catalog).unwrap();
        assert_eq!(us[catalog.index_of("m7g.large").unwrap()], 0.075);
        assert_eq!(us[catalog.index_of("m7g.xlarge").unwrap()], 0.3);
        let e = AdvisorTable::parse_csv("t.csv", &ok.replace("0.3", "30%")).unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (4, Some("interruption_frequency"))
        );
        let e = AdvisorTable::parse_csv(
            "t.csv",
            &ok.replace("0.3", "5-10%").replace("xlarge", "large"),
        )
        .unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (4, Some("instance_type")));
        let e = AdvisorTable::parse_csv("t.csv", "region,type\n").unwrap_err();
        assert!(e.message.contains("missing column `instance_type`"), "{e}");
    }
}
