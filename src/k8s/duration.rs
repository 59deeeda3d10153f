//! Durations as Kubernetes and Karpenter write them (`15s`, `3m`, `720h`, `1h30m`, `Never`).
//!
//! [`parse_go_duration`] follows Go's `time.ParseDuration` (`src/time/format.go`): an
//! optional sign, then one or more `<decimal number><unit>` pairs with units `ns`, `us`
//! (`µs`, `μs`), `ms`, `s`, `m`, `h`; the lone string `0` is also accepted. The result is a
//! signed count of nanoseconds and overflow is an error, as upstream.
//!
//! Karpenter's API fields add a CRD pattern on top (`pkg/apis/v1/nodepool.go`,
//! `pkg/apis/crds/karpenter.sh_nodepools.yaml`): `consolidateAfter`, `expireAfter` and
//! `terminationGracePeriod` must match `^(([0-9]+(s|m|h))+|Never)$`, and budget durations
//! `^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$`. [`parse_karpenter_duration`] applies the
//! pattern first and then Go's parser, and maps `Never` to `None` (`NillableDuration`).

/// Why a string is not a valid duration.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// Go: `time: invalid duration "..."`.
    #[error("invalid duration {0:?}")]
    Invalid(String),
    /// Go: `time: missing unit in duration "..."`.
    #[error("missing unit in duration {0:?}")]
    MissingUnit(String),
    /// Go: `time: unknown unit "x" in duration "..."`.
    #[error("unknown unit {unit:?} in duration {input:?}")]
    UnknownUnit {
        /// The unit as written.
        unit: String,
        /// The whole input.
        input: String,
    },
    /// The value does not match the API field's pattern.
    #[error("{input:?} does not match the pattern {pattern} required for this field")]
    Pattern {
        /// The whole input.
        input: String,
        /// The CRD validation pattern.
        pattern: &'static str,
    },
    /// Negative where the API requires a non-negative duration.
    #[error("duration {0:?} must not be negative")]
    Negative(String),
}

const NS: u64 = 1;
const US: u64 = 1_000;
const MS: u64 = 1_000_000;
const SEC: u64 = 1_000_000_000;
const MIN: u64 = 60 * SEC;
const HOUR: u64 = 60 * MIN;

fn unit_ns(unit: &str) -> Option<u64> {
    Some(match unit {
        "ns" => NS,
        "us" | "\u{00b5}s" | "\u{03bc}s" => US,
        "ms" => MS,
        "s" => SEC,
        "m" => MIN,
        "h" => HOUR,
        _ => return None,
    })
}

/// Parses a duration exactly as Go's `time.ParseDuration` does, returning nanoseconds.
pub fn parse_go_duration(s: &str) -> Result<i64, DurationError> {
    let orig = s;
    let invalid = || DurationError::Invalid(orig.to_string());
    let mut rest = s;
    let mut neg = false;
    if let Some(c) = rest.chars().next()
        && (c == '-' || c == '+')
    {
        neg = c == '-';
        rest = &rest[1..];
    }
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !rest.is_empty() {
        // The next character must be [0-9.].
        let first = rest.as_bytes()[0];
        if !(first == b'.' || first.is_ascii_digit()) {
            return Err(invalid());
        }
        // Integer part.
        let int_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
        let pre = int_len > 0;
        let mut v: u64 = 0;
        for b in rest[..int_len].bytes() {
            v = v
                .checked_mul(10)
                .and_then(|x| x.checked_add((b - b'0') as u64))
                .ok_or_else(invalid)?;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        rest = &rest[int_len..];
        // Fraction part.
        let mut f: u64 = 0;
        let mut scale: f64 = 1.0;
        let mut post = false;
        if rest.starts_with('.') {
            rest = &rest[1..];
            let frac_len = rest.bytes().take_while(|b| b.is_ascii_digit()).count();
            post = frac_len > 0;
            let mut overflow = false;
            for b in rest[..frac_len].bytes() {
                if overflow {
                    continue;
                }
                // Go's leadingFraction: stop accumulating once more digits would overflow.
                if f > (1u64 << 63) / 10 {
                    overflow = true;
                    continue;
                }
                let y = f * 10 + (b - b'0') as u64;
                if y > 1 << 63 {
                    overflow = true;
                    continue;
                }
                f = y;
                scale *= 10.0;
            }
            rest = &rest[frac_len..];
        }
        if !pre && !post {
            // No digits at all, e.g. ".s".
            return Err(invalid());
        }
        // Unit: everything up to the next '.' or digit.
        let unit_len = rest
            .bytes()
            .take_while(|b| *b != b'.' && !b.is_ascii_digit())
            .count();
        if unit_len == 0 {
            return Err(DurationError::MissingUnit(orig.to_string()));
        }
        let unit_str = &rest[..unit_len];
        rest = &rest[unit_len..];
        let unit = unit_ns(unit_str).ok_or_else(|| DurationError::UnknownUnit {
            unit: unit_str.to_string(),
            input: orig.to_string(),
        })?;
        if v > (1u64 << 63) / unit {
            return Err(invalid());
        }
        v *= unit;
        if f > 0 {
            // Go: v += uint64(float64(f) * (float64(unit) / scale)); overflow check.
            v = v
                .checked_add((f as f64 * (unit as f64 / scale)) as u64)
                .ok_or_else(invalid)?;
            if v > 1 << 63 {
                return Err(invalid());
            }
        }
        total = total.checked_add(v).ok_or_else(invalid)?;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    if neg {
        return Ok((total as i128).wrapping_neg() as i64);
    }
    if total > (1u64 << 63) - 1 {
        return Err(invalid());
    }
    Ok(total as i64)
}

/// Converts nanoseconds to whole milliseconds of virtual time, rounding up so that a
/// non-zero duration never becomes zero.
pub fn ns_to_ms_ceil(ns: i64) -> u64 {
    if ns <= 0 { 0 } else { (ns as u64).div_ceil(MS) }
}

/// The CRD pattern of Karpenter's `NillableDuration` fields.
pub const KARPENTER_DURATION_PATTERN: &str = "^(([0-9]+(s|m|h))+|Never)$";
/// The CRD pattern of `spec.disruption.budgets[].duration`.
pub const BUDGET_DURATION_PATTERN: &str = "^((([0-9]+(h|m))|([0-9]+h[0-9]+m))(0s)?)$";

fn matches_karpenter_pattern(s: &str) -> bool {
    // (([0-9]+(s|m|h))+
    let b = s.as_bytes();
    if b.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start || i >= b.len() || !matches!(b[i], b's' | b'm' | b'h') {
            return false;
        }
        i += 1;
    }
    true
}

fn matches_budget_pattern(s: &str) -> bool {
    let s = s.strip_suffix("0s").unwrap_or(s);
    let b = s.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let n1 = digits(0);
    if n1 == 0 || n1 >= b.len() {
        return false;
    }
    match b[n1] {
        b'm' => n1 + 1 == b.len(),
        b'h' => {
            if n1 + 1 == b.len() {
                return true;
            }
            let n2 = digits(n1 + 1);
            n2 > 0 && n1 + 1 + n2 + 1 == b.len() && b[n1 + 1 + n2] == b'm'
        }
        _ => false,
    }
}

/// Parses a Karpenter `NillableDuration` field (`consolidateAfter`, `expireAfter`,
/// `terminationGracePeriod`): `Never` gives `None`, anything else must match the CRD pattern
/// and is then parsed by Go's rules. Returns milliseconds.
pub fn parse_karpenter_duration(s: &str) -> Result<Option<u64>, DurationError> {
    if s == "Never" {
        return Ok(None);
    }
    if !matches_karpenter_pattern(s) {
        return Err(DurationError::Pattern {
            input: s.to_string(),
            pattern: KARPENTER_DURATION_PATTERN,
        });
    }
    Ok(Some(ns_to_ms_ceil(parse_go_duration(s)?)))
}

/// Parses a budget `duration` (pattern, then Go's rules). Returns milliseconds.
pub fn parse_budget_duration(s: &str) -> Result<u64, DurationError> {
    if !matches_budget_pattern(s) {
        return Err(DurationError::Pattern {
            input: s.to_string(),
            pattern: BUDGET_DURATION_PATTERN,
        });
    }
    Ok(ns_to_ms_ceil(parse_go_duration(s)?))
}

/// Parses a plain Go duration that must not be negative (ksim's own fields such as
/// `duration`). Returns milliseconds.
pub fn parse_nonnegative_ms(s: &str) -> Result<u64, DurationError> {
    let ns = parse_go_duration(s)?;
    if ns < 0 {
        return Err(DurationError::Negative(s.to_string()));
    }
    Ok(ns_to_ms_ceil(ns))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_duration_valid() {
        // A subset of Go's `parseDurationTests` (src/time/time_test.go); the full port lives
        // in tests/ksim/upstream_tables.rs.
        let cases: &[(&str, i64)] = &[
            ("0", 0),
            ("5s", 5 * SEC as i64),
            ("30s", 30 * SEC as i64),
            ("1478s", 1478 * SEC as i64),
            ("-5s", -5 * SEC as i64),
            ("+5s", 5 * SEC as i64),
            ("-0", 0),
            ("+0", 0),
            ("5.0s", 5 * SEC as i64),
            ("5.6s", 5 * SEC as i64 + 600 * MS as i64),
            ("5.s", 5 * SEC as i64),
            (".5s", 500 * MS as i64),
            ("1.0s", SEC as i64),
            ("1.00s", SEC as i64),
            ("1.004s", SEC as i64 + 4 * MS as i64),
            ("1.0040s", SEC as i64 + 4 * MS as i64),
            ("100.00100s", 100 * SEC as i64 + MS as i64),
            ("10ns", 10),
            ("11us", 11 * US as i64),
            ("12µs", 12 * US as i64),
            ("12μs", 12 * US as i64),
            ("13ms", 13 * MS as i64),
            ("14s", 14 * SEC as i64),
            ("15m", 15 * MIN as i64),
            ("16h", 16 * HOUR as i64),
            ("3h30m", 3 * HOUR as i64 + 30 * MIN as i64),
            (
                "10.5s4m",
                4 * MIN as i64 + 10 * SEC as i64 + 500 * MS as i64,
            ),
            (
                "-2m3.4s",
                -(2 * MIN as i64 + 3 * SEC as i64 + 400 * MS as i64),
            ),
            ("1h2m3s4ms5us6ns", 3_723_004_005_006),
            ("39h9m14.425s", 140_954_425 * MS as i64),
            ("52763797000ns", 52_763_797_000),
            ("0.3333333333333333333h", 20 * MIN as i64),
            ("9007199254740993ns", (1 << 53) + 1),
            ("9223372036854775807ns", i64::MAX),
            ("9223372036854775.807us", i64::MAX),
            ("9223372036s854ms775us807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("-9223372036854775.808us", i64::MIN),
            ("-9223372036s854ms775us808ns", i64::MIN),
            ("0.100000000000000000000h", 6 * MIN as i64),
            (
                "0.830103483285477580700h",
                49 * MIN as i64 + 48 * SEC as i64 + 372_539_827,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_go_duration(input), Ok(*want), "{input}");
        }
    }

    #[test]
    fn go_parse_duration_invalid() {
        for bad in [
            "",
            "3",
            "-",
            "s",
            ".",
            "-.",
            ".s",
            "+.s",
            "1d",
            "\u{0085}\u{0085}",
            "\u{00ff}\u{00ff}",
            "9223372036854775808ns",
            "9223372036854775.808us",
            "9223372036854ms775us808ns",
            "-9223372036854775809ns",
        ] {
            assert!(parse_go_duration(bad).is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn karpenter_fields() {
        assert_eq!(parse_karpenter_duration("3m"), Ok(Some(180_000)));
        assert_eq!(parse_karpenter_duration("720h"), Ok(Some(720 * 3_600_000)));
        assert_eq!(parse_karpenter_duration("0s"), Ok(Some(0)));
        assert_eq!(parse_karpenter_duration("1h30m"), Ok(Some(5_400_000)));
        assert_eq!(parse_karpenter_duration("Never"), Ok(None));
        for bad in ["1.5m", "never", "3", "-3m", "300ms", "", "3d"] {
            assert!(parse_karpenter_duration(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn budget_durations() {
        assert_eq!(parse_budget_duration("10m"), Ok(600_000));
        assert_eq!(parse_budget_duration("8h"), Ok(8 * 3_600_000));
        assert_eq!(parse_budget_duration("1h30m"), Ok(5_400_000));
        assert_eq!(parse_budget_duration("1h30m0s"), Ok(5_400_000));
        for bad in ["30s", "1h30m10s", "m", "1.5h", ""] {
            assert!(parse_budget_duration(bad).is_err(), "{bad:?}");
        }
    }
}
