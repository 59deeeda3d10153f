//! Cron schedules for NodePool disruption budgets, and UTC calendar arithmetic.
//!
//! Karpenter parses `spec.disruption.budgets[].schedule` with robfig/cron's `ParseStandard`
//! (prefixed with `TZ=UTC`), see kubernetes-sigs/karpenter `pkg/apis/v1/nodepool.go`
//! (`GetAllowedDisruptionsByReason`, `IsActive`). This module implements that grammar exactly:
//! five fields (minute, hour, day of month, month, day of week), each a comma-separated list of
//! `*`, `?`, `N`, `A-B`, with an optional `/step`; month names `JAN`–`DEC` and weekday names
//! `SUN`–`SAT` (case-insensitive); the descriptors `@yearly`, `@annually`, `@monthly`, `@weekly`,
//! `@daily`, `@midnight`, `@hourly`. As in robfig/cron (`spec.go` `dayMatches`), when both day
//! fields are restricted a day matches if *either* matches; if either is `*` or `?`, both must.
//! No crate reproduces robfig's grammar (croner, for one, also accepts `L`, `W` and `#`, which
//! Karpenter rejects), hence this small parser.

use crate::engine::{MINUTE, Millis};

/// A parsed five-field schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    minute: u64,
    hour: u64,
    dom: u64,
    month: u64,
    dow: u64,
    dom_star: bool,
    dow_star: bool,
    text: String,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

fn parse_value(s: &str, names: &[&str], offset: u32) -> Result<u32, String> {
    let lower = s.to_ascii_lowercase();
    if let Some(i) = names.iter().position(|n| *n == lower) {
        return Ok(i as u32 + offset);
    }
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("failed to parse int from {s:?}"));
    }
    s.parse::<u32>()
        .map_err(|_| format!("failed to parse int from {s:?}"))
}

/// Parses one field into a bitmask; returns (bits, was_star).
fn parse_field(
    field: &str,
    min: u32,
    max: u32,
    names: &[&str],
    offset: u32,
) -> Result<(u64, bool), String> {
    let mut bits = 0u64;
    let mut star = false;
    for expr in field.split(',') {
        let (range, step) = match expr.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s
                    .parse()
                    .map_err(|_| format!("failed to parse int from {s:?}"))?;
                if step == 0 {
                    return Err(format!("step of range should be a positive number: {expr}"));
                }
                (r, Some(step))
            }
            None => (expr, None),
        };
        let (start, end, is_star) = if range == "*" || range == "?" {
            (min, max, true)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                parse_value(a, names, offset)?,
                parse_value(b, names, offset)?,
                false,
            )
        } else {
            let v = parse_value(range, names, offset)?;
            // robfig: "N/step" means N through max.
            (v, if step.is_some() { max } else { v }, false)
        };
        if start < min {
            return Err(format!(
                "beginning of range ({start}) below minimum ({min}): {expr}"
            ));
        }
        if end > max {
            return Err(format!(
                "end of range ({end}) above maximum ({max}): {expr}"
            ));
        }
        if start > end {
            return Err(format!(
                "beginning of range ({start}) beyond end of range ({end}): {expr}"
            ));
        }
        let step = step.unwrap_or(1);
        if is_star && step == 1 {
            star = true;
        }
        let mut v = start;
        while v <= end {
            bits |= 1 << v;
            v += step;
        }
    }
    Ok((bits, star))
}

impl Schedule {
    /// Parses a standard cron spec as robfig/cron `ParseStandard` does.
    pub fn parse(spec: &str) -> Result<Schedule, String> {
        let trimmed = spec.trim();
        let expanded = match trimmed {
            "@yearly" | "@annually" => "0 0 1 1 *",
            "@monthly" => "0 0 1 * *",
            "@weekly" => "0 0 * * 0",
            "@daily" | "@midnight" => "0 0 * * *",
            "@hourly" => "0 * * * *",
            s if s.starts_with('@') => return Err(format!("unrecognized descriptor: {s}")),
            s => s,
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        if fields.len() != 5 {
            return Err(format!(
                "expected exactly 5 fields, found {}: {spec:?}",
                fields.len()
            ));
        }
        let (minute, _) = parse_field(fields[0], 0, 59, &[], 0)?;
        let (hour, _) = parse_field(fields[1], 0, 23, &[], 0)?;
        let (dom, dom_star) = parse_field(fields[2], 1, 31, &[], 0)?;
        let (month, _) = parse_field(fields[3], 1, 12, &MONTHS, 1)?;
        let (dow, dow_star) = parse_field(fields[4], 0, 6, &DAYS, 0)?;
        Ok(Schedule {
            minute,
            hour,
            dom,
            month,
            dow,
            dom_star,
            dow_star,
            text: spec.to_string(),
        })
    }

    /// The schedule as written.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// True when the schedule fires at this UTC minute.
    pub fn matches(&self, t: &CivilTime) -> bool {
        let bit = |mask: u64, v: u32| mask & (1 << v) != 0;
        if !(bit(self.minute, t.minute) && bit(self.hour, t.hour) && bit(self.month, t.month)) {
            return false;
        }
        let dom_ok = bit(self.dom, t.day);
        let dow_ok = bit(self.dow, t.weekday);
        if self.dom_star || self.dow_star {
            dom_ok && dow_ok
        } else {
            dom_ok || dow_ok
        }
    }

    /// The first firing strictly after `after_unix_ms` (Unix time, ms) in time zone `tz`, as
    /// robfig/cron v3 `SpecSchedule.Next` computes it for the CronJob controller: start at the
    /// next whole second; find the month, then the day, then the hour, then the minute, resetting
    /// the smaller fields once a field moves, and starting over when a field wraps. Hours and
    /// minutes advance in absolute time and days and months in civil time, so daylight-saving
    /// transitions behave as in Go (a skipped local time moves forward; midnight that does not
    /// exist is corrected by the hour). `None` when nothing fires within five years.
    pub fn next_after(&self, after_unix_ms: Millis, tz: &jiff::tz::TimeZone) -> Option<Millis> {
        use jiff::{Span, Timestamp, civil};
        let bit = |mask: u64, v: i64| mask & (1u64 << v) != 0;
        let secs = (after_unix_ms / 1000) as i64 + 1;
        let mut t = Timestamp::from_second(secs).ok()?.to_zoned(tz.clone());
        let at = |y: i16, mo: i8, d: i8, h: i8, mi: i8| -> Option<jiff::Zoned> {
            civil::date(y, mo, d)
                .at(h, mi, 0, 0)
                .to_zoned(tz.clone())
                .ok()
        };
        let year_limit = t.year() + 5;
        let mut added = false;
        'wrap: loop {
            if t.year() > year_limit {
                return None;
            }
            while !bit(self.month, t.month() as i64) {
                if !added {
                    added = true;
                    t = at(t.year(), t.month(), 1, 0, 0)?;
                }
                t = t.checked_add(Span::new().months(1)).ok()?;
                if t.month() == 1 {
                    continue 'wrap;
                }
            }
            while !self.day_matches(t.day() as u32, t.weekday().to_sunday_zero_offset() as u32) {
                if !added {
                    added = true;
                    t = at(t.year(), t.month(), t.day(), 0, 0)?;
                }
                t = t.checked_add(Span::new().days(1)).ok()?;
                // A day whose midnight does not exist starts at another hour: move to the
                // nearest midnight as robfig does.
                let h = t.hour() as i64;
                if h != 0 {
                    let delta = if h > 12 { 24 - h } else { -h };
                    t = t.checked_add(Span::new().hours(delta)).ok()?;
                }
                if t.day() == 1 {
                    continue 'wrap;
                }
            }
            while !bit(self.hour, t.hour() as i64) {
                if !added {
                    added = true;
                    t = at(t.year(), t.month(), t.day(), t.hour(), 0)?;
                }
                t = t.checked_add(Span::new().hours(1)).ok()?;
                if t.hour() == 0 {
                    continue 'wrap;
                }
            }
            while !bit(self.minute, t.minute() as i64) {
                if !added {
                    added = true;
                    let whole = t.timestamp().as_second() / 60 * 60;
                    t = Timestamp::from_second(whole).ok()?.to_zoned(tz.clone());
                }
                t = t.checked_add(Span::new().minutes(1)).ok()?;
                if t.minute() == 0 {
                    continue 'wrap;
                }
            }
            // Standard schedules fire at second 0 only.
            if t.second() != 0 {
                if !added {
                    added = true;
                    let whole = t.timestamp().as_second();
                    t = Timestamp::from_second(whole).ok()?.to_zoned(tz.clone());
                }
                let to_next_minute = 60 - t.second() as i64;
                t = t.checked_add(Span::new().seconds(to_next_minute)).ok()?;
                continue 'wrap;
            }
            let ms = t.timestamp().as_millisecond();
            return u64::try_from(ms).ok();
        }
    }

    /// robfig `dayMatches`: both day fields must match when either is `*`, else either may.
    fn day_matches(&self, day: u32, weekday: u32) -> bool {
        let dom_ok = self.dom & (1 << day) != 0;
        let dow_ok = self.dow & (1 << weekday) != 0;
        if self.dom_star || self.dow_star {
            dom_ok && dow_ok
        } else {
            dom_ok || dow_ok
        }
    }

    /// True when the schedule has a hit in `(now − window, now]`, the budget activity rule of
    /// Karpenter's `Budget.IsActive`. `epoch_minute` converts simulation time to UTC.
    pub fn active(&self, clock: &Clock, now: Millis, window_ms: Millis) -> bool {
        // Walk back minute by minute over the window (at most its length in minutes).
        let now_abs = clock.absolute_ms(now);
        let first_minute = now_abs / MINUTE;
        let lower = now_abs.saturating_sub(window_ms);
        let mut m = first_minute;
        loop {
            let t_ms = m * MINUTE;
            if t_ms <= lower {
                return false;
            }
            if self.matches(&civil_from_minutes(m)) {
                return true;
            }
            if m == 0 {
                return false;
            }
            m -= 1;
        }
    }
}

/// A UTC calendar time at minute resolution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CivilTime {
    /// Year.
    pub year: i64,
    /// Month 1–12.
    pub month: u32,
    /// Day of month 1–31.
    pub day: u32,
    /// Hour 0–23.
    pub hour: u32,
    /// Minute 0–59.
    pub minute: u32,
    /// Day of week, 0 = Sunday.
    pub weekday: u32,
}

/// Days since 1970-01-01 for a civil date (Howard Hinnant's `days_from_civil`).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count (Howard Hinnant's `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// The civil time of a minute count since the Unix epoch.
pub fn civil_from_minutes(m: u64) -> CivilTime {
    let days = (m / (24 * 60)) as i64;
    let rem = m % (24 * 60);
    let (year, month, day) = civil_from_days(days);
    CivilTime {
        year,
        month,
        day,
        hour: (rem / 60) as u32,
        minute: (rem % 60) as u32,
        // 1970-01-01 was a Thursday (4).
        weekday: ((days + 4).rem_euclid(7)) as u32,
    }
}

/// Maps simulation time to UTC wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Unix time of t = 0, in ms.
    pub start_unix_ms: Millis,
}

impl Clock {
    /// Parses `YYYY-MM-DDTHH:MM:SSZ` (UTC only).
    pub fn parse_start(s: &str) -> Result<Clock, String> {
        let err = || format!("expected a UTC time like 2026-01-05T00:00:00Z, got {s:?}");
        let b = s.as_bytes();
        if b.len() != 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[19] != b'Z' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().map_err(|_| err());
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1970..=9999).contains(&y) || !(1..=12).contains(&mo) || h > 23 || mi > 59 || sec > 59 {
            return Err(err());
        }
        let days = days_from_civil(y as i64, mo, d);
        if civil_from_days(days) != (y as i64, mo, d) {
            return Err(err());
        }
        let secs = days as u64 * 86_400 + (h as u64) * 3600 + (mi as u64) * 60 + sec as u64;
        Ok(Clock {
            start_unix_ms: secs * 1000,
        })
    }

    /// Unix time in ms of simulation time `t`.
    pub fn absolute_ms(&self, t: Millis) -> Millis {
        self.start_unix_ms + t
    }

    /// Civil time of simulation time `t`.
    pub fn civil(&self, t: Millis) -> CivilTime {
        civil_from_minutes(self.absolute_ms(t) / MINUTE)
    }

    /// Hours since midnight UTC (fractional) at simulation time `t`.
    pub fn hour_of_day(&self, t: Millis) -> f64 {
        let ms_of_day = self.absolute_ms(t) % (24 * 3_600_000);
        ms_of_day as f64 / 3_600_000.0
    }

    /// True on Saturday or Sunday (UTC).
    pub fn is_weekend(&self, t: Millis) -> bool {
        let wd = self.civil(t).weekday;
        wd == 0 || wd == 6
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> CivilTime {
        let c = Clock::parse_start(s).unwrap();
        c.civil(0)
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        let t = at("2026-01-05T13:45:00Z");
        assert_eq!(
            (t.year, t.month, t.day, t.hour, t.minute),
            (2026, 1, 5, 13, 45)
        );
        assert_eq!(t.weekday, 1, "2026-01-05 is a Monday");
        assert!(Clock::parse_start("2026-02-30T00:00:00Z").is_err());
        assert!(Clock::parse_start("2026-01-05 00:00:00").is_err());
    }

    #[test]
    fn robfig_standard_grammar() {
        let s = Schedule::parse("0 9 * * 1-5").unwrap();
        assert!(s.matches(&at("2026-01-05T09:00:00Z")));
        assert!(!s.matches(&at("2026-01-04T09:00:00Z")), "Sunday");
        assert!(!s.matches(&at("2026-01-05T09:01:00Z")));
        let s = Schedule::parse("*/15 * * JAN MON").unwrap();
        assert!(s.matches(&at("2026-01-05T10:30:00Z")));
        assert!(!s.matches(&at("2026-01-05T10:31:00Z")));
        let s = Schedule::parse("@daily").unwrap();
        assert!(s.matches(&at("2026-03-01T00:00:00Z")));
        // Both day fields restricted: either may match (robfig dayMatches).
        let s = Schedule::parse("0 0 1 * MON").unwrap();
        assert!(s.matches(&at("2026-01-05T00:00:00Z")), "a Monday");
        assert!(s.matches(&at("2026-02-01T00:00:00Z")), "the 1st");
        assert!(!s.matches(&at("2026-02-03T00:00:00Z")));
        for bad in [
            "",
            "* * * *",
            "* * * * * *",
            "60 * * * *",
            "* 24 * * *",
            "* * 0 * *",
            "* * * 13 *",
            "* * * * 7",
            "5-1 * * * *",
            "*/0 * * * *",
            "L * * * *",
            "@every 5m",
            "@dailyX",
            "a * * * *",
        ] {
            assert!(Schedule::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn activity_window() {
        let clock = Clock::parse_start("2026-01-05T00:00:00Z").unwrap();
        let s = Schedule::parse("0 9 * * *").unwrap();
        let h = 3_600_000;
        // Active in (09:00 - 0, 09:00 + 8h] for an 8h duration.
        assert!(!s.active(&clock, 9 * h - 1, 8 * h));
        assert!(s.active(&clock, 9 * h, 8 * h));
        assert!(s.active(&clock, 17 * h - 1, 8 * h));
        assert!(!s.active(&clock, 17 * h, 8 * h), "the start is exclusive");
    }

    /// Expected values are what robfig/cron v3 `SpecSchedule.Next` returns for these inputs
    /// (Go 1.x `time` with the IANA database), recorded as facts.
    #[test]
    fn next_after_matches_robfig_in_time_zones() {
        let unix = |s: &str| Clock::parse_start(s).unwrap().start_unix_ms;
        let tz = |n: &str| jiff::tz::TimeZone::get(n).unwrap();
        let cases: [(&str, &str, &str, &str); 9] = [
            (
                "0 3 * * *",
                "Asia/Tokyo",
                "2026-01-05T00:00:00Z",
                "2026-01-05T18:00:00Z",
            ),
            (
                "*/15 * * * *",
                "UTC",
                "2026-01-05T10:07:30Z",
                "2026-01-05T10:15:00Z",
            ),
            // 02:30 does not exist on the spring-forward day: that day is skipped.
            (
                "30 2 * * *",
                "America/New_York",
                "2026-03-07T08:00:00Z",
                "2026-03-09T06:30:00Z",
            ),
            (
                "30 2 * * *",
                "America/New_York",
                "2026-03-08T06:00:00Z",
                "2026-03-09T06:30:00Z",
            ),
            // 01:30 happens twice on the fall-back day, and fires twice.
            (
                "30 1 * * *",
                "America/New_York",
                "2026-11-01T04:00:00Z",
                "2026-11-01T05:30:00Z",
            ),
            (
                "30 1 * * *",
                "America/New_York",
                "2026-11-01T05:30:00Z",
                "2026-11-01T06:30:00Z",
            ),
            (
                "0 0 1 * *",
                "America/Sao_Paulo",
                "2018-10-15T00:00:00Z",
                "2018-11-01T03:00:00Z",
            ),
            // Both day fields restricted: either matches.
            (
                "0 12 15 * 1",
                "UTC",
                "2026-01-05T12:00:00Z",
                "2026-01-12T12:00:00Z",
            ),
            (
                "0 0 29 2 *",
                "UTC",
                "2026-01-05T00:00:00Z",
                "2028-02-29T00:00:00Z",
            ),
        ];
        for (spec, zone, after, want) in cases {
            let s = Schedule::parse(spec).unwrap();
            let got = s.next_after(unix(after), &tz(zone));
            assert_eq!(got, Some(unix(want)), "{spec} in {zone} after {after}");
        }
        // Sub-second starting points move to the next whole second first.
        let s = Schedule::parse("* * * * *").unwrap();
        let t = unix("2026-01-05T10:00:00Z");
        assert_eq!(s.next_after(t + 999, &tz("UTC")), Some(t + 60_000));
        assert_eq!(s.next_after(t - 1, &tz("UTC")), Some(t));
    }
}
