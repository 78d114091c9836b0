//! Calendar dates and RFC 3339 date-times: the crate's one calendar.
//!
//! Unix time (seconds since 1970-01-01T00:00:00Z, leap seconds not counted) to and from the
//! proleptic Gregorian calendar in UTC, for the policy `id` of the generator, the times in
//! certificate and DANE messages, the Worker's timestamps and the `date-range` of TLS-RPT reports
//! (RFC 8460 §4.4: "formatted according to Section 5.6, Internet Date/Time Format, of RFC 3339").
//!
//! No clock is read here: every function takes the time it works on.
//!
//! ```
//! use mtasts::date::{parse_rfc3339, rfc3339, CivilDate};
//! assert_eq!(rfc3339(1_764_334_260), "2025-11-28T12:51:00Z");
//! assert_eq!(parse_rfc3339("2025-11-28T13:51:00+01:00").map(|t| t.unix), Ok(1_764_334_260));
//! assert_eq!(CivilDate::new(2024, 2, 29).map(|d| d.days()), Some(19_782));
//! ```
//!
//! The `time` crate (already a dependency of the stand-in) was not taken: its range ends at the
//! year 9999 unless a feature widens it, while a policy `id` is written for any `u64` time, and
//! its RFC 3339 reader refuses the lenient forms reports arrive in, which are read here and named.

use std::fmt;

/// Seconds in a day (Unix time has no leap seconds).
const DAY: i64 = 86_400;

/// The days from 0000-03-01 to 1970-01-01 in the proleptic Gregorian calendar.
const EPOCH_FROM_MARCH_0000: i64 = 719_468;

/// The days of one 400-year cycle of the Gregorian calendar.
const DAYS_PER_ERA: i64 = 146_097;

/// Day counts beyond this are clamped, so that no arithmetic overflows: it lies past every day a
/// Unix time in seconds reaches, signed or unsigned (`u64::MAX / 86 400` is about 2^47.6).
const MAX_DAYS: i64 = 1 << 50;

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CivilDate {
    /// The year; 0 is 1 BC.
    pub year: i64,
    /// The month, 1 to 12.
    pub month: u32,
    /// The day of the month, 1 to 31.
    pub day: u32,
}

impl CivilDate {
    /// The date, if it exists (RFC 3339 Appendix C: February has 29 days in leap years).
    pub fn new(year: i64, month: u32, day: u32) -> Option<CivilDate> {
        ((1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month))
            .then_some(CivilDate { year, month, day })
    }

    /// The date `days` after 1970-01-01 (before it, when negative).
    pub fn from_days(days: i64) -> CivilDate {
        // Count from 0000-03-01, so that February's leap day ends the year, in 400-year eras.
        let z = days.clamp(-MAX_DAYS, MAX_DAYS) + EPOCH_FROM_MARCH_0000;
        let era = z.div_euclid(DAYS_PER_ERA);
        let day_of_era = z - era * DAYS_PER_ERA;
        let year_of_era =
            (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_from_march = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
        let month = if month_from_march < 10 {
            month_from_march + 3
        } else {
            month_from_march - 9
        };
        CivilDate {
            year: year_of_era + era * 400 + i64::from(month <= 2),
            // Both are small: the month is 1 to 12 and the day 1 to 31.
            month: u32::try_from(month).unwrap_or(1),
            day: u32::try_from(day).unwrap_or(1),
        }
    }

    /// The days from 1970-01-01 to this date (negative before it); the inverse of
    /// [`CivilDate::from_days`].
    pub fn days(&self) -> i64 {
        let month = i64::from(self.month);
        let year = self.year.clamp(-MAX_DAYS / 366, MAX_DAYS / 366) - i64::from(month <= 2);
        let era = year.div_euclid(400);
        let year_of_era = year - era * 400;
        let month_from_march = (month + 9) % 12;
        let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(self.day) - 1;
        let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
        era * DAYS_PER_ERA + day_of_era - EPOCH_FROM_MARCH_0000
    }
}

/// `YYYY-MM-DD` (RFC 3339 §5.6 `full-date` for the years 0 to 9999).
impl fmt::Display for CivilDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A UTC time of day on a calendar date, to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct UtcDateTime {
    /// The date.
    pub date: CivilDate,
    /// The hour, 0 to 23.
    pub hour: u32,
    /// The minute, 0 to 59.
    pub minute: u32,
    /// The second, 0 to 59.
    pub second: u32,
}

impl UtcDateTime {
    /// The UTC date and time of a Unix time.
    pub fn from_unix(unix: i64) -> UtcDateTime {
        let of_day = unix.rem_euclid(DAY);
        UtcDateTime::from_day_and_second(CivilDate::from_days(unix.div_euclid(DAY)), of_day)
    }

    /// The UTC date and time of a Unix time that is not negative, for every `u64`.
    pub fn from_unix_unsigned(unix: u64) -> UtcDateTime {
        let days = i64::try_from(unix / 86_400).unwrap_or(MAX_DAYS);
        let of_day = i64::try_from(unix % 86_400).unwrap_or_default();
        UtcDateTime::from_day_and_second(CivilDate::from_days(days), of_day)
    }

    fn from_day_and_second(date: CivilDate, of_day: i64) -> UtcDateTime {
        let part = |n: i64| u32::try_from(n).unwrap_or_default();
        UtcDateTime {
            date,
            hour: part(of_day / 3600),
            minute: part(of_day % 3600 / 60),
            second: part(of_day % 60),
        }
    }

    /// The Unix time of this date and time.
    pub fn unix(&self) -> i64 {
        let of_day = i64::from(self.hour) * 3600 + i64::from(self.minute) * 60;
        (self.date.days().saturating_mul(DAY)).saturating_add(of_day + i64::from(self.second))
    }
}

/// `YYYY-MM-DDThh:mm:ssZ` (RFC 3339 §5.6 `date-time` in UTC for the years 0 to 9999).
impl fmt::Display for UtcDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}T{:02}:{:02}:{:02}Z",
            self.date, self.hour, self.minute, self.second
        )
    }
}

/// A Unix time as an RFC 3339 §5.6 date-time in UTC, `YYYY-MM-DDThh:mm:ssZ`, for messages and
/// timestamps. Outside 1970 to 9999 it is written `Unix time N`: `date-fullyear` has four digits,
/// and every caller passes a clock reading or a certificate time (RFC 5280 §4.1.2.5 times are
/// not shown before 1970 here either), so an earlier time means a broken clock, shown as such.
pub fn rfc3339(unix: i64) -> String {
    let at = UtcDateTime::from_unix(unix);
    if unix >= 0 && at.date.year <= 9999 {
        at.to_string()
    } else {
        format!("Unix time {unix}")
    }
}

/// A date-time read by [`parse_rfc3339`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedDateTime {
    /// The Unix time (a leap second counts as the second before it).
    pub unix: i64,
    /// What keeps the text from being a strict RFC 3339 `date-time`, if anything.
    pub deviation: Option<Deviation>,
}

impl ParsedDateTime {
    /// The UTC calendar day of this instant.
    pub fn utc_day(&self) -> CivilDate {
        UtcDateTime::from_unix(self.unix).date
    }
}

/// A departure from RFC 3339 §5.6 that [`parse_rfc3339`] forgives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deviation {
    /// A space between date and time, where the ABNF has `T` (§5.6 NOTE allows it only as an
    /// application's choice).
    SpaceSeparator,
    /// No `Z` and no offset: read as UTC (Microsoft's reports are written so).
    NoZone,
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Deviation::SpaceSeparator => "a space instead of \"T\" between date and time",
            Deviation::NoZone => "no zone designator (\"Z\" or an offset such as \"+00:00\")",
        })
    }
}

/// Why a text is not a date-time, not even read leniently.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DateTimeError {
    /// It does not start with `YYYY-MM-DD`.
    NotADate,
    /// The date does not exist (month 13, February 30th …).
    NoSuchDate,
    /// Nothing that separates a time follows the date.
    NoTime,
    /// The time is not `HH:MM:SS`.
    NotATime,
    /// The time does not exist (hour 24, minute 60 …).
    NoSuchTime,
    /// A `.` without fraction digits after it.
    EmptyFraction,
    /// The zone offset is not `+HH:MM` or `-HH:MM`.
    BadOffset,
    /// Something other than a zone designator follows the time.
    TextAfterTime,
    /// Something follows the zone designator.
    TextAfterZone,
}

impl fmt::Display for DateTimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DateTimeError::NotADate => "the date is not YYYY-MM-DD",
            DateTimeError::NoSuchDate => "the date does not exist",
            DateTimeError::NoTime => "no time after the date",
            DateTimeError::NotATime => "the time is not HH:MM:SS",
            DateTimeError::NoSuchTime => "the time does not exist",
            DateTimeError::EmptyFraction => "a \".\" without fraction digits",
            DateTimeError::BadOffset => "the zone offset is not +HH:MM",
            DateTimeError::TextAfterTime => "unexpected text after the time",
            DateTimeError::TextAfterZone => "unexpected text after the zone designator",
        })
    }
}

impl std::error::Error for DateTimeError {}

/// Reads `text` as an RFC 3339 §5.6 `date-time`, leniently: a space may stand for the `T`, and
/// a date-time without a zone designator is taken as UTC. What the lenient reading forgives is
/// named in [`ParsedDateTime::deviation`], so that the caller can report it.
pub fn parse_rfc3339(text: &str) -> Result<ParsedDateTime, DateTimeError> {
    let b = text.as_bytes();
    let mut deviation = None;
    // full-date = date-fullyear "-" date-month "-" date-mday
    let (Some(year), Some(month), Some(day), Some(b'-'), Some(b'-')) = (
        digits(b, 0, 4),
        digits(b, 5, 2),
        digits(b, 8, 2),
        b.get(4).copied(),
        b.get(7).copied(),
    ) else {
        return Err(DateTimeError::NotADate);
    };
    let date = CivilDate::new(
        year,
        u32::try_from(month).unwrap_or(0),
        u32::try_from(day).unwrap_or(0),
    )
    .ok_or(DateTimeError::NoSuchDate)?;
    // "T" (or "t") separates date and time.
    match b.get(10) {
        Some(b'T' | b't') => {}
        Some(b' ') => deviation = Some(Deviation::SpaceSeparator),
        _ => return Err(DateTimeError::NoTime),
    }
    // partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
    let (Some(hour), Some(minute), Some(second), Some(b':'), Some(b':')) = (
        digits(b, 11, 2),
        digits(b, 14, 2),
        digits(b, 17, 2),
        b.get(13).copied(),
        b.get(16).copied(),
    ) else {
        return Err(DateTimeError::NotATime);
    };
    // time-second may be 60 (a leap second, RFC 3339 §5.7).
    if hour > 23 || minute > 59 || second > 60 {
        return Err(DateTimeError::NoSuchTime);
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        at = start;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err(DateTimeError::EmptyFraction);
        }
    }
    // time-offset = "Z" / time-numoffset
    let offset_seconds: i64 = match b.get(at) {
        Some(b'Z' | b'z') => {
            at += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let (Some(oh), Some(om), Some(b':')) = (
                digits(b, at + 1, 2),
                digits(b, at + 4, 2),
                b.get(at + 3).copied(),
            ) else {
                return Err(DateTimeError::BadOffset);
            };
            if oh > 23 || om > 59 {
                return Err(DateTimeError::BadOffset);
            }
            at += 6;
            let seconds = oh * 3600 + om * 60;
            if *sign == b'-' {
                -seconds
            } else {
                seconds
            }
        }
        None => {
            deviation = Some(Deviation::NoZone);
            0
        }
        Some(_) => return Err(DateTimeError::TextAfterTime),
    };
    if at != b.len() {
        return Err(DateTimeError::TextAfterZone);
    }
    let seconds = hour * 3600 + minute * 60 + second.min(59);
    Ok(ParsedDateTime {
        unix: date.days() * DAY + seconds - offset_seconds,
        deviation,
    })
}

/// `len` ASCII digits at `at`, as a number.
fn digits(b: &[u8], at: usize, len: usize) -> Option<i64> {
    let field = b.get(at..at.checked_add(len)?)?;
    field.iter().try_fold(0i64, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0'))
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// RFC 3339 Appendix C: the days of each month, February by the Gregorian leap-year rule.
fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_lenient_and_refused() {
        // (text, Some((unix, strict)) or None when refused)
        let cases: &[(&str, Option<(i64, bool)>)] = &[
            ("1970-01-01T00:00:00Z", Some((0, true))),
            ("2016-04-01T00:00:00Z", Some((1_459_468_800, true))),
            ("2016-04-01t23:59:59z", Some((1_459_555_199, true))),
            ("2016-04-01T23:59:59.123456Z", Some((1_459_555_199, true))),
            ("2016-04-01T02:00:00+02:00", Some((1_459_468_800, true))),
            ("2016-03-31T19:00:00-05:00", Some((1_459_468_800, true))),
            ("2016-12-31T23:59:60Z", Some((1_483_228_799, true))),
            ("2024-02-29T00:00:00Z", Some((1_709_164_800, true))),
            ("2024-03-26T00:00:00", Some((1_711_411_200, false))),
            ("2024-03-26 00:00:00Z", Some((1_711_411_200, false))),
            ("2023-02-29T00:00:00Z", None),
            ("2024-13-01T00:00:00Z", None),
            ("2024-01-01T24:00:00Z", None),
            ("2024-01-01T00:00Z", None),
            ("2024-01-01", None),
            ("2024-01-01T00:00:00.Z", None),
            ("2024-01-01T00:00:00+0100", None),
            ("2024-01-01T00:00:00Z ", None),
            ("24-01-01T00:00:00Z", None),
            ("", None),
            ("２０２４-01-01T00:00:00Z", None),
        ];
        for (text, want) in cases {
            let got = parse_rfc3339(text)
                .ok()
                .map(|d| (d.unix, d.deviation.is_none()));
            assert_eq!(&got, want, "{text}");
        }
    }

    #[test]
    fn errors_say_why() {
        for (text, want) in [
            ("yesterday", "the date is not YYYY-MM-DD"),
            ("2023-02-29T00:00:00Z", "the date does not exist"),
            ("2024-01-01", "no time after the date"),
            ("2024-01-01T00:00Z", "the time is not HH:MM:SS"),
            ("2024-01-01T24:00:00Z", "the time does not exist"),
            ("2024-01-01T00:00:00.Z", "a \".\" without fraction digits"),
            ("2024-01-01T00:00:00+0100", "the zone offset is not +HH:MM"),
            ("2024-01-01T00:00:00 Z", "unexpected text after the time"),
            (
                "2024-01-01T00:00:00Z ",
                "unexpected text after the zone designator",
            ),
        ] {
            assert_eq!(
                parse_rfc3339(text).map_err(|e| e.to_string()),
                Err(want.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn utc_days() {
        for (text, day) in [
            ("2024-03-26T00:00:00Z", "2024-03-26"),
            ("2024-03-26T23:00:00-05:00", "2024-03-27"),
            ("2024-03-01T00:30:00+01:00", "2024-02-29"),
            ("1969-12-31T23:59:59Z", "1969-12-31"),
            ("2000-02-29T12:00:00Z", "2000-02-29"),
        ] {
            assert_eq!(
                parse_rfc3339(text).map(|d| d.utc_day().to_string()),
                Ok(day.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            assert_eq!(CivilDate::from_days(days).days(), days);
        }
        for (days, want) in [
            (0, (1970, 1, 1)),
            (-1, (1969, 12, 31)),
            (11_016, (2000, 2, 29)),
            (2_932_896, (9999, 12, 31)),
        ] {
            let date = CivilDate::from_days(days);
            assert_eq!((date.year, date.month, date.day), want, "{days}");
        }
    }

    #[test]
    fn formats_unix_times() {
        for (unix, want) in [
            (0, "1970-01-01T00:00:00Z"),
            (1_764_334_260, "2025-11-28T12:51:00Z"),
            (1_795_824_000, "2026-11-28T00:00:00Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (253_402_300_800, "Unix time 253402300800"),
            (-1, "Unix time -1"),
        ] {
            assert_eq!(rfc3339(unix), want, "{unix}");
        }
        for unix in [0, 1, 86_399, 951_782_400, 1_709_208_000, -86_401] {
            assert_eq!(UtcDateTime::from_unix(unix).unix(), unix, "{unix}");
        }
    }

    #[test]
    fn unsigned_times_and_clamped_days() {
        let far = UtcDateTime::from_unix_unsigned(u64::MAX);
        assert!(far.date.year > 500_000_000_000, "{far:?}");
        assert_eq!(
            UtcDateTime::from_unix_unsigned(1_709_208_000),
            UtcDateTime::from_unix(1_709_208_000)
        );
        // No overflow at the extremes.
        assert!(CivilDate::from_days(i64::MAX).year > 0);
        assert!(CivilDate::from_days(i64::MIN).year < 0);
        assert!(UtcDateTime::from_unix(i64::MIN).date.year < 0);
    }
}
