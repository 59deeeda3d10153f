//! Kubernetes resource quantities (`500m`, `2Gi`, `1.5`, `1e3`).
//!
//! The grammar and rounding follow upstream
//! `k8s.io/apimachinery/pkg/api/resource/quantity.go` (`ParseQuantity`,
//! `parseQuantityString`) and `suffix.go` (`quantitySuffixer.interpret`):
//!
//! ```text
//! <quantity>        ::= <signedNumber><suffix>
//! <signedNumber>    ::= [+-] <digits> [ . <digits> ]      (leading/trailing "." allowed: "1.", ".5")
//! <suffix>          ::= <binarySI> | <decimalSI> | <decimalExponent>
//! <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei
//! <decimalSI>       ::= n | u | m | "" | k | M | G | T | P | E
//! <decimalExponent> ::= e <signedNumber> | E <signedNumber>
//! ```
//!
//! Upstream rounds every non-zero value *up* (away from zero) to the nearest nano unit
//! (`amount.Round(amount, Nano.infScale(), inf.RoundUp)`), and `MilliValue()` / `Value()`
//! round up again to milli / whole units. ksim stores the value as an exact count of nano
//! units in an `i128`; values beyond that range (about 1.7e29 units) are rejected, where
//! upstream would keep an arbitrary-precision decimal. Such values are far outside anything a
//! resource request can mean.

use std::fmt;

/// A parsed Kubernetes quantity, stored exactly in nano units (10⁻⁹).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quantity {
    nanos: i128,
}

/// Why a string is not a valid quantity. The messages mirror upstream's
/// `ErrFormatWrong`, `ErrSuffix` and `ErrNumeric`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QuantityError {
    /// The string does not match the quantity grammar (upstream `ErrFormatWrong`).
    #[error(
        "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
    )]
    Format,
    /// The suffix is not one of the known suffixes (upstream `ErrSuffix`).
    #[error("unable to parse quantity's suffix")]
    Suffix,
    /// The number is out of the range ksim can represent.
    #[error("quantity is too large")]
    Range,
}

const NANO_PER_UNIT: i128 = 1_000_000_000;

impl Quantity {
    /// The zero quantity.
    pub const ZERO: Quantity = Quantity { nanos: 0 };

    /// Parses a quantity string exactly as `resource.ParseQuantity` does.
    pub fn parse(s: &str) -> Result<Quantity, QuantityError> {
        parse(s)
    }

    /// A quantity of whole units.
    pub fn from_units(units: i64) -> Quantity {
        Quantity {
            nanos: units as i128 * NANO_PER_UNIT,
        }
    }

    /// A quantity of milli units.
    pub fn from_millis(millis: i64) -> Quantity {
        Quantity {
            nanos: millis as i128 * 1_000_000,
        }
    }

    /// The exact value in nano units.
    pub fn nanos(&self) -> i128 {
        self.nanos
    }

    /// Upstream `MilliValue()`: the value in milli units, rounded up (away from zero).
    /// Saturates at the `i64` range.
    pub fn milli_value(&self) -> i64 {
        saturate(div_away_from_zero(self.nanos, 1_000_000))
    }

    /// Upstream `Value()`: the value in whole units, rounded up (away from zero).
    /// Saturates at the `i64` range.
    pub fn value(&self) -> i64 {
        saturate(div_away_from_zero(self.nanos, NANO_PER_UNIT))
    }

    /// True when the quantity is below zero.
    pub fn is_negative(&self) -> bool {
        self.nanos < 0
    }

    /// The value as a floating-point number of units (for display only).
    pub fn as_f64(&self) -> f64 {
        self.nanos as f64 / NANO_PER_UNIT as f64
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.nanos % 1_000_000 == 0 {
            let m = self.nanos / 1_000_000;
            if m % 1000 == 0 {
                write!(f, "{}", m / 1000)
            } else {
                write!(f, "{m}m")
            }
        } else {
            write!(f, "{}n", self.nanos)
        }
    }
}

fn saturate(v: i128) -> i64 {
    v.clamp(i64::MIN as i128, i64::MAX as i128) as i64
}

fn div_away_from_zero(v: i128, d: i128) -> i128 {
    let q = v / d;
    if v % d == 0 {
        q
    } else if v > 0 {
        q + 1
    } else {
        q - 1
    }
}

/// The lexical parts of a quantity, as upstream `parseQuantityString` splits them.
struct Parts<'a> {
    positive: bool,
    /// Integer digits with leading zeros stripped ("0" when there are none).
    num: &'a str,
    /// Fraction digits (may be empty).
    denom: &'a str,
    suffix: &'a str,
}

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn split(s: &str) -> Result<Parts<'_>, QuantityError> {
    let b = s.as_bytes();
    let end = b.len();
    let mut pos = 0;
    let mut positive = true;
    if pos < end {
        match b[0] {
            b'-' => {
                positive = false;
                pos += 1;
            }
            b'+' => pos += 1,
            _ => {}
        }
    }
    // Strip leading zeros. A string of only a sign and zeros is zero.
    while pos < end && b[pos] == b'0' {
        pos += 1;
    }
    if pos >= end {
        return Ok(Parts {
            positive,
            num: "0",
            denom: "",
            suffix: "",
        });
    }
    let num_start = pos;
    while pos < end && is_digit(b[pos]) {
        pos += 1;
    }
    let num = if pos == num_start {
        "0"
    } else {
        &s[num_start..pos]
    };
    let mut denom = "";
    if pos < end && b[pos] == b'.' {
        pos += 1;
        let d_start = pos;
        while pos < end && is_digit(b[pos]) {
            pos += 1;
        }
        denom = &s[d_start..pos];
    }
    // As upstream, a number part with no digits at all ("." or "e3") is zero.
    let suffix_start = pos;
    while pos < end && b"eEinumkKMGTP".contains(&b[pos]) {
        pos += 1;
    }
    if pos < end && (b[pos] == b'-' || b[pos] == b'+') {
        pos += 1;
    }
    while pos < end && is_digit(b[pos]) {
        pos += 1;
    }
    if pos < end {
        return Err(QuantityError::Format);
    }
    Ok(Parts {
        positive,
        num,
        denom,
        suffix: &s[suffix_start..],
    })
}

/// Returns (base, exponent) for a suffix, as upstream `quantitySuffixer.interpret`.
fn interpret(suffix: &str) -> Option<(u32, i32)> {
    let dec = match suffix {
        "n" => Some(-9),
        "u" => Some(-6),
        "m" => Some(-3),
        "" => Some(0),
        "k" => Some(3),
        "M" => Some(6),
        "G" => Some(9),
        "T" => Some(12),
        "P" => Some(15),
        "E" => Some(18),
        _ => None,
    };
    if let Some(e) = dec {
        return Some((10, e));
    }
    let bin = match suffix {
        "Ki" => Some(10),
        "Mi" => Some(20),
        "Gi" => Some(30),
        "Ti" => Some(40),
        "Pi" => Some(50),
        "Ei" => Some(60),
        _ => None,
    };
    if let Some(e) = bin {
        return Some((2, e));
    }
    let b = suffix.as_bytes();
    if b.len() > 1 && (b[0] == b'e' || b[0] == b'E') {
        // strconv.ParseInt accepts an optional sign and decimal digits only.
        let rest = &suffix[1..];
        let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
        if digits.is_empty() || !digits.bytes().all(is_digit) {
            return None;
        }
        // Exponents beyond this range cannot produce a representable quantity anyway.
        let e: i64 = rest.parse().ok()?;
        if !(-1000..=1000).contains(&e) {
            return None;
        }
        return Some((10, e as i32));
    }
    None
}

fn parse(s: &str) -> Result<Quantity, QuantityError> {
    if s.is_empty() {
        return Err(QuantityError::Format);
    }
    let p = split(s)?;
    let (base, exponent) = interpret(p.suffix).ok_or(QuantityError::Suffix)?;
    // value = digits(num ++ denom) × 10^(pow10) × 2^(pow2), in nano units.
    let mut pow10: i64 = 9 - p.denom.len() as i64;
    let pow2: u32 = if base == 2 { exponent as u32 } else { 0 };
    if base == 10 {
        pow10 += exponent as i64;
    }
    // Accumulate the digits; digits that fall below the nano unit only matter for rounding up.
    let digits = p.num.bytes().chain(p.denom.bytes());
    let total_digits = (p.num.len() + p.denom.len()) as i64;
    let mut acc: i128 = 0;
    let mut sticky = false;
    for (i, d) in digits.enumerate() {
        let d = (d - b'0') as i128;
        // Position of this digit as a power of ten in nano units.
        let place = pow10 + (total_digits - 1 - i as i64);
        if place < 0 {
            if d != 0 {
                sticky = true;
            }
            continue;
        }
        acc = acc
            .checked_mul(10)
            .and_then(|a| a.checked_add(d))
            .ok_or(QuantityError::Range)?;
    }
    // Scale the kept digits up to nano units if the exponent is positive beyond the digits.
    let kept_shift = pow10.max(0);
    for _ in 0..kept_shift {
        acc = acc.checked_mul(10).ok_or(QuantityError::Range)?;
    }
    if pow2 > 0 {
        // A fraction times 2^k can only be rounded after the multiplication; handle the common
        // case exactly by redoing the computation with the binary factor applied first.
        if sticky || pow10 < 0 {
            return parse_binary_fraction(&p, pow2);
        }
        acc = acc.checked_mul(1i128 << pow2).ok_or(QuantityError::Range)?;
    }
    if sticky {
        acc = acc.checked_add(1).ok_or(QuantityError::Range)?;
    }
    if base == 2 {
        acc = acc.min(MAX_BINARY_NANOS);
    }
    let nanos = if p.positive { acc } else { -acc };
    Ok(Quantity { nanos })
}

/// Upstream caps binary-suffixed quantities at `maxAllowed` = 2^63 − 1 units.
const MAX_BINARY_NANOS: i128 = (i64::MAX as i128) * NANO_PER_UNIT;

/// Binary suffix with a fractional number, e.g. `1.5Gi` or `0.1Ki`: computes
/// `digits × 2^k × 10^9 / 10^len(denom)` and rounds the quotient up.
fn parse_binary_fraction(p: &Parts<'_>, pow2: u32) -> Result<Quantity, QuantityError> {
    let mut n: i128 = 0;
    for d in p.num.bytes().chain(p.denom.bytes()) {
        n = n
            .checked_mul(10)
            .and_then(|a| a.checked_add((d - b'0') as i128))
            .ok_or(QuantityError::Range)?;
    }
    let num = n
        .checked_mul(1i128 << pow2)
        .and_then(|v| v.checked_mul(NANO_PER_UNIT))
        .ok_or(QuantityError::Range)?;
    let mut den: i128 = 1;
    for _ in 0..p.denom.len() {
        den = den.checked_mul(10).ok_or(QuantityError::Range)?;
    }
    let mut q = num / den;
    if num % den != 0 {
        q += 1;
    }
    let q = q.min(MAX_BINARY_NANOS);
    Ok(Quantity {
        nanos: if p.positive { q } else { -q },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn milli(s: &str) -> i64 {
        Quantity::parse(s).unwrap().milli_value()
    }

    #[test]
    fn decimal_si_suffixes() {
        assert_eq!(milli("500m"), 500);
        assert_eq!(milli("1"), 1000);
        assert_eq!(milli("1.5"), 1500);
        assert_eq!(milli("0.1"), 100);
        assert_eq!(milli("1k"), 1_000_000);
        assert_eq!(Quantity::parse("1M").unwrap().value(), 1_000_000);
        assert_eq!(Quantity::parse("1G").unwrap().value(), 1_000_000_000);
        assert_eq!(
            Quantity::parse("1E").unwrap().value(),
            1_000_000_000_000_000_000
        );
        assert_eq!(Quantity::parse("100n").unwrap().nanos(), 100);
        assert_eq!(Quantity::parse("1u").unwrap().nanos(), 1000);
    }

    #[test]
    fn binary_si_suffixes() {
        assert_eq!(Quantity::parse("1Ki").unwrap().value(), 1024);
        assert_eq!(
            Quantity::parse("2Gi").unwrap().value(),
            2 * 1024 * 1024 * 1024
        );
        assert_eq!(Quantity::parse("1.5Gi").unwrap().value(), 1610612736);
        assert_eq!(Quantity::parse("512Mi").unwrap().value(), 536870912);
    }

    #[test]
    fn exponents() {
        assert_eq!(Quantity::parse("1e3").unwrap().value(), 1000);
        assert_eq!(Quantity::parse("1E3").unwrap().value(), 1000);
        assert_eq!(Quantity::parse("1e-3").unwrap().milli_value(), 1);
        assert_eq!(Quantity::parse("1.5e+2").unwrap().value(), 150);
    }

    #[test]
    fn rounds_up_to_nano_and_milli() {
        // Upstream: values below the nano unit round up to 1n.
        assert_eq!(Quantity::parse("0.0000000001").unwrap().nanos(), 1);
        assert_eq!(Quantity::parse("1.0001m").unwrap().milli_value(), 2);
        assert_eq!(Quantity::parse("1n").unwrap().milli_value(), 1);
        assert_eq!(Quantity::parse("-1n").unwrap().milli_value(), -1);
    }

    #[test]
    fn signs_and_zeros() {
        assert_eq!(milli("-500m"), -500);
        assert_eq!(milli("+500m"), 500);
        assert_eq!(milli("0"), 0);
        assert_eq!(milli("-0"), 0);
        assert_eq!(milli("000"), 0);
        assert_eq!(milli("1."), 1000);
        assert_eq!(milli(".5"), 500);
        assert_eq!(milli("007"), 7000);
        // Upstream quirks (observed with apimachinery's ParseQuantity): no digits means zero.
        for zero in [".", "-", "+", "e3", "-."] {
            assert_eq!(milli(zero), 0, "{zero:?}");
        }
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "", " 1", "1 ", "1.1.1", "1+1", "abc", "1i", "1K", "1Kb", "1.0e3.0", "1e", "1e+",
            "1Mi1", "1.M.",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn rejects_out_of_range() {
        assert_eq!(
            Quantity::parse("1e100"),
            Err(QuantityError::Range),
            "far beyond i64 units"
        );
    }
}
