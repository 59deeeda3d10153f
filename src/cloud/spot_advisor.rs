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

/// The default interruption frequency of each catalog type (by catalog index) in `region`, or
/// `None` when the embedded table has no row for the region. Types the table lacks get 0.
pub fn default_frequencies(region: &str, catalog: &Catalog) -> Option<Vec<f64>> {
    let mut out = vec![0.0; catalog.types().len()];
    let mut found = false;
    for line in SPOT_INTERRUPTIONS_CSV
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
    {
        let mut cols = line.split(',');
        let (Some(r), Some(t), Some(b)) = (cols.next(), cols.next(), cols.next()) else {
            continue;
        };
        if r != region {
            continue;
        }
        found = true;
        if let (Some(ti), Some(f)) = (catalog.index_of(t), bucket_fraction(b)) {
            out[ti] = f;
        }
    }
    found.then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_labels() {
        assert_eq!(bucket_fraction("<5%"), Some(0.025));
        assert_eq!(bucket_fraction(" 10-15% "), Some(0.125));
        assert_eq!(bucket_fraction(">20%"), Some(0.225));
        assert_eq!(bucket_fraction("<4%"), None);
    }

    /// Every row of the embedded table parses, names a catalog type and a known bucket, and
    /// each known region covers the whole catalog.
    #[test]
    fn embedded_table_is_complete() {
        let catalog = Catalog::embedded();
        let mut regions = std::collections::BTreeMap::<&str, usize>::new();
        for line in SPOT_INTERRUPTIONS_CSV
            .lines()
            .filter(|l| !l.starts_with('#'))
            .skip(1)
        {
            let cols: Vec<&str> = line.split(',').collect();
            assert_eq!(cols.len(), 3, "{line}");
            assert!(catalog.index_of(cols[1]).is_some(), "{line}");
            assert!(bucket_fraction(cols[2]).is_some(), "{line}");
            *regions.entry(cols[0]).or_default() += 1;
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
}
