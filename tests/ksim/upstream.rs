//! Upstream test tables, ported as facts with attribution.
//!
//! - Quantities: kubernetes/apimachinery `pkg/api/resource/quantity_test.go`
//!   (`TestQuantityParse` valid and invalid tables, each also checked with `+` and `-` prefixes as
//!   upstream does; `TestQuantityRoundUp`-style rounding). Rows marked "observed" were produced by
//!   running apimachinery's parser, not asserted by an upstream test.
//! - Durations: Go `src/time/time_test.go` (`parseDurationTests`, `parseDurationErrorTests`).
//! - Karpenter: kubernetes-sigs/karpenter `pkg/apis/v1/nodepool_validation_cel_test.go`
//!   (duration, budget patterns) and `nodepool_budgets_test.go` (`IsActive`).
//! - Cron: robfig/cron v3 `parser_test.go` (`TestRange`, `TestStandardSpecSchedule`).

use ksim::engine::HOUR;
use ksim::k8s::cron::{Clock, Schedule};
use ksim::k8s::duration::{parse_budget_duration, parse_go_duration, parse_karpenter_duration};
use ksim::k8s::quantity::Quantity;
use ksim::scenario::BudgetNodes;

const NANO: i128 = 1_000_000_000;
const MAX_I64: i128 = i64::MAX as i128;

/// `TestQuantityParse`, valid rows: input → exact value in nano units.
const QUANTITY_VALID: &[(&str, i128)] = &[
    ("0", 0),
    ("0n", 0),
    ("0u", 0),
    ("0m", 0),
    ("0Ki", 0),
    ("0k", 0),
    ("0Mi", 0),
    ("0M", 0),
    ("0Gi", 0),
    ("0G", 0),
    ("0Ti", 0),
    ("0T", 0),
    ("1", NANO),
    ("1Ki", 1024 * NANO),
    ("8Ki", 8192 * NANO),
    ("7Mi", 7_340_032 * NANO),
    ("6Gi", 6_442_450_944 * NANO),
    ("5Ti", 5_497_558_138_880 * NANO),
    ("4Pi", 4_503_599_627_370_496 * NANO),
    ("3Ei", 3_458_764_513_820_540_928 * NANO),
    ("10Ti", 10_995_116_277_760 * NANO),
    ("100Ti", 109_951_162_777_600 * NANO),
    ("5n", 5),
    ("4u", 4_000),
    ("3m", 3_000_000),
    ("9", 9 * NANO),
    ("8k", 8_000 * NANO),
    ("50k", 50_000 * NANO),
    ("7M", 7_000_000 * NANO),
    ("6G", 6_000_000_000 * NANO),
    ("5T", 5_000_000_000_000 * NANO),
    ("40T", 40_000_000_000_000 * NANO),
    ("300T", 300_000_000_000_000 * NANO),
    ("2P", 2_000_000_000_000_000 * NANO),
    ("1E", 1_000_000_000_000_000_000 * NANO),
    ("1E-3", 1_000_000),
    ("1e3", 1_000 * NANO),
    ("1E6", 1_000_000 * NANO),
    ("1e9", 1_000_000_000 * NANO),
    ("1E12", 1_000_000_000_000 * NANO),
    ("1e15", 1_000_000_000_000_000 * NANO),
    ("1E18", 1_000_000_000_000_000_000 * NANO),
    ("1e14", 100_000_000_000_000 * NANO),
    ("1e13", 10_000_000_000_000 * NANO),
    ("100.035k", 100_035 * NANO),
    ("0.001", 1_000_000),
    ("0.005", 5_000_000),
    ("0.05", 50_000_000),
    ("0.5", 500_000_000),
    ("0.0005k", 500_000_000),
    ("0.00050k", 500_000_000),
    ("0.00500", 5_000_000),
    ("0.05000", 50_000_000),
    ("0.50000", 500_000_000),
    ("0.5e0", 500_000_000),
    ("0.5e-1", 50_000_000),
    ("0.5e-2", 5_000_000),
    ("10.035M", 10_035_000 * NANO),
    ("1.2e3", 1_200 * NANO),
    ("1.3E+6", 1_300_000 * NANO),
    ("1.40e9", 1_400_000_000 * NANO),
    ("1.53E12", 1_530_000_000_000 * NANO),
    ("1.6e15", 1_600_000_000_000_000 * NANO),
    ("1.7E18", 1_700_000_000_000_000_000 * NANO),
    ("9.01", 9_010_000_000),
    ("8.1k", 8_100 * NANO),
    ("7.123456M", 7_123_456 * NANO),
    ("6.987654321G", 6_987_654_321 * NANO),
    ("5.444T", 5_444_000_000_000 * NANO),
    ("40.1T", 40_100_000_000_000 * NANO),
    ("300.2T", 300_200_000_000_000 * NANO),
    ("2.5P", 2_500_000_000_000_000 * NANO),
    ("1.01E", 1_010_000_000_000_000_000 * NANO),
    // Values below a nano unit round up.
    ("3.001n", 4),
    ("1.1E-9", 2),
    ("0.0000000001", 1),
    ("0.0000000005", 1),
    ("0.00000000050", 1),
    ("0.5e-9", 1),
    ("0.9n", 1),
    ("0.00000012345", 124),
    ("0.00000012354", 124),
    // Binary quantities are capped at 2^63 − 1.
    ("9Ei", MAX_I64 * NANO),
    ("9223372036854775807Ki", MAX_I64 * NANO),
    // Decimal quantities are not.
    ("12E", 12_000_000_000_000_000_000 * NANO),
    ("100.035Ki", 102_435_840_000_000),
    ("0.5Mi", 524_288 * NANO),
    ("0.05Gi", 53_687_091_200_000_000),
    ("0.025Ti", 27_487_790_694_400_000_000),
    ("0.000000000001Ki", 2),
    (".001", 1_000_000),
    (".0001k", 100_000_000),
    ("1.", NANO),
    ("1.G", 1_000_000_000 * NANO),
];

/// `TestQuantityParse` invalid rows, plus observed rejections.
const QUANTITY_INVALID: &[&str] = &[
    "", "1.1.M", "1+1.0M", "0.1am", "aoeu", " 1", "1 ", "0.1mi", ".5i", "1i", "-3.01i", "-3.01e-",
    // observed
    "1.0e3.0", "1e1.5", "1_000", "1,5", "0x10", "1KiB", "1e", "1K", "1ki", "1Ki1",
];

#[test]
fn quantity_parse_table() {
    for &(input, nanos) in QUANTITY_VALID {
        assert_eq!(
            Quantity::parse(input).map(|q| q.nanos()),
            Ok(nanos),
            "{input:?}"
        );
        if !input.is_empty() {
            assert_eq!(
                Quantity::parse(&format!("+{input}")).map(|q| q.nanos()),
                Ok(nanos),
                "+{input:?}"
            );
            assert_eq!(
                Quantity::parse(&format!("-{input}")).map(|q| q.nanos()),
                Ok(-nanos),
                "-{input:?}"
            );
        }
    }
    for &input in QUANTITY_INVALID {
        assert!(
            Quantity::parse(input).is_err(),
            "{input:?} must be rejected"
        );
    }
}

#[test]
fn quantity_value_rounds_up() {
    // Value() and MilliValue() round up (quantity_test.go TestQuantityRoundUp, observed rows).
    let cases: &[(&str, i64, i64)] = &[
        ("100m", 1, 100),
        ("1.5", 2, 1500),
        ("1n", 1, 1),
        ("9.01", 10, 9010),
        ("-9.01", -10, -9010),
        ("100.035Ki", 102_436, 102_435_840),
        ("0.05Gi", 53_687_092, 53_687_091_200),
    ];
    for &(input, value, milli) in cases {
        let q = Quantity::parse(input).unwrap();
        assert_eq!((q.value(), q.milli_value()), (value, milli), "{input}");
    }
}

/// Go `parseDurationTests`: input → nanoseconds.
const DURATION_VALID: &[(&str, i64)] = &[
    ("0", 0),
    ("5s", 5_000_000_000),
    ("30s", 30_000_000_000),
    ("1478s", 1_478_000_000_000),
    ("-5s", -5_000_000_000),
    ("+5s", 5_000_000_000),
    ("-0", 0),
    ("+0", 0),
    ("5.0s", 5_000_000_000),
    ("5.6s", 5_600_000_000),
    ("5.s", 5_000_000_000),
    (".5s", 500_000_000),
    ("1.0s", 1_000_000_000),
    ("1.00s", 1_000_000_000),
    ("1.004s", 1_004_000_000),
    ("1.0040s", 1_004_000_000),
    ("100.00100s", 100_001_000_000),
    ("10ns", 10),
    ("11us", 11_000),
    ("12µs", 12_000),
    ("12μs", 12_000),
    ("13ms", 13_000_000),
    ("14s", 14_000_000_000),
    ("15m", 900_000_000_000),
    ("16h", 57_600_000_000_000),
    ("3h30m", 12_600_000_000_000),
    ("10.5s4m", 250_500_000_000),
    ("-2m3.4s", -123_400_000_000),
    ("1h2m3s4ms5us6ns", 3_723_004_005_006),
    ("39h9m14.425s", 140_954_425_000_000),
    ("52763797000ns", 52_763_797_000),
    ("0.3333333333333333333h", 1_200_000_000_000),
    ("9007199254740993ns", 9_007_199_254_740_993),
    ("9223372036854775807ns", i64::MAX),
    ("9223372036854775.807us", i64::MAX),
    ("9223372036s854ms775us807ns", i64::MAX),
    ("-9223372036854775808ns", i64::MIN),
    ("-9223372036854775.808us", i64::MIN),
    ("-9223372036s854ms775us808ns", i64::MIN),
    ("-2562047h47m16.854775808s", i64::MIN),
    ("0.100000000000000000000h", 360_000_000_000),
    ("0.830103483285477580700h", 2_988_372_539_827),
];

/// Go `parseDurationErrorTests`.
const DURATION_INVALID: &[&str] = &[
    "",
    "3",
    "-",
    "s",
    ".",
    "-.",
    ".s",
    "+.s",
    "1d",
    "\u{85}\u{85}",
    "\u{ff}ff",
    "hello \u{ff}ff world",
    "\u{FFFD}",
    "\u{FFFD} hello \u{FFFD} world",
    "9223372036854775810ns",
    "9223372036854775808ns",
    "-9223372036854775809ns",
    "9223372036854776us",
    "3000000h",
    "9223372036854775.808us",
    "9223372036854ms775us808ns",
];

#[test]
fn go_parse_duration_table() {
    for &(input, ns) in DURATION_VALID {
        assert_eq!(parse_go_duration(input), Ok(ns), "{input:?}");
    }
    for &input in DURATION_INVALID {
        assert!(
            parse_go_duration(input).is_err(),
            "{input:?} must be rejected"
        );
    }
}

#[test]
fn karpenter_duration_patterns() {
    // nodepool_validation_cel_test.go: expireAfter and consolidateAfter.
    for ok in ["30s", "1h30m5s", "Never", "0s", "720h"] {
        assert!(parse_karpenter_duration(ok).is_ok(), "{ok}");
    }
    for bad in [
        "-1s",
        "1hr",
        "FooNever",
        "100ms",
        "1.5h",
        "1d",
        "",
        "NeverNever",
        "1h 30m",
    ] {
        assert!(parse_karpenter_duration(bad).is_err(), "{bad}");
    }
    assert_eq!(parse_karpenter_duration("720h"), Ok(Some(720 * HOUR)));
    // Budget durations.
    for ok in [
        "20m", "20m0s", "2h20m", "2h20m0s", "1h0m0s", "24h0m0s", "1h30m0s", "0h",
    ] {
        assert!(parse_budget_duration(ok).is_ok(), "{ok}");
    }
    for bad in ["30s", "1h30m5s", "-20m", "1m30s", "10m0s0s"] {
        assert!(parse_budget_duration(bad).is_err(), "{bad}");
    }
}

#[test]
fn karpenter_budget_nodes_pattern() {
    for (ok, want) in [
        ("10%", BudgetNodes::Percent(10)),
        ("0%", BudgetNodes::Percent(0)),
        ("00%", BudgetNodes::Percent(0)),
        ("100%", BudgetNodes::Percent(100)),
        ("0", BudgetNodes::Count(0)),
        ("10", BudgetNodes::Count(10)),
        ("999999", BudgetNodes::Count(999_999)),
    ] {
        assert_eq!(BudgetNodes::parse(ok), Ok(want), "{ok}");
    }
    for bad in ["101%", "1000%", "-10%", "-10", "5.5%", "10 %", "010%"] {
        assert!(BudgetNodes::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn robfig_cron_tables() {
    // TestStandardSpecSchedule.
    assert!(Schedule::parse("5 * * * *").is_ok());
    assert!(
        Schedule::parse("5 j * * *")
            .unwrap_err()
            .contains("failed to parse int from")
    );
    assert!(
        Schedule::parse("* * * *")
            .unwrap_err()
            .contains("expected exactly 5 fields")
    );
    // TestRange-style bounds and steps, on the minute field.
    for bad in ["5--5", "*/-12", "*//2", "*/0", "60", "5-3"] {
        assert!(Schedule::parse(&format!("{bad} * * * *")).is_err(), "{bad}");
    }
    // nodepool_budgets_test.go: tue-mon is a reversed range.
    assert!(
        Schedule::parse("0 0 * * tue-mon")
            .unwrap_err()
            .contains("beginning of range (2) beyond end of range (1)")
    );
}

#[test]
fn karpenter_budget_is_active() {
    // nodepool_budgets_test.go, clock 2000-06-15 12:30:30 UTC.
    let clock = Clock::parse_start("2000-06-15T12:30:30Z").unwrap();
    assert!(
        Schedule::parse("* * * * *")
            .unwrap()
            .active(&clock, 0, HOUR)
    );
    assert!(!Schedule::parse("@yearly").unwrap().active(&clock, 0, HOUR));
    // Clock 2024-01-07 00:00 UTC (a Sunday).
    let clock = Clock::parse_start("2024-01-07T00:00:00Z").unwrap();
    assert!(
        Schedule::parse("@daily")
            .unwrap()
            .active(&clock, 0, 48 * HOUR)
    );
    assert!(
        !Schedule::parse("30 6 * * SUN")
            .unwrap()
            .active(&clock, 0, 6 * HOUR)
    );
}
