//! RFC 3339 date-times, as TLS-RPT reports carry them (RFC 8460 §4.4: `start-datetime` and
//! `end-datetime` are "formatted according to Section 5.6, Internet Date/Time Format, of RFC 3339").
//!
//! Read leniently: a date-time without a zone designator is taken as UTC (Microsoft sends those),
//! and a space may stand for the `T`. Whatever the lenient reading forgives is named in
//! [`DateTime::deviation`], so the caller can report it.

/// A date-time as read from a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (a leap second counts as the second before it).
    pub(crate) unix: i64,
    /// What keeps the text from being a strict RFC 3339 `date-time`, if anything.
    pub(crate) deviation: Option<&'static str>,
}

impl DateTime {
    /// The UTC calendar day of this instant, as `YYYY-MM-DD`.
    pub(crate) fn utc_day(&self) -> String {
        let (year, month, day) = civil_from_days(self.unix.div_euclid(86_400));
        format!("{year:04}-{month:02}-{day:02}")
    }
}

/// Reads `text` as an RFC 3339 §5.6 `date-time`, leniently. The error says why, when not even
/// the lenient reading finds a date and a time in it.
pub(crate) fn parse(text: &str) -> Result<DateTime, &'static str> {
    let b = text.as_bytes();
    let mut deviation = None;
    // full-date = date-fullyear "-" date-month "-" date-mday
    let year = digits(b, 0, 4).ok_or("the date is not YYYY-MM-DD")?;
    let month = digits(b, 5, 2).ok_or("the date is not YYYY-MM-DD")?;
    let day = digits(b, 8, 2).ok_or("the date is not YYYY-MM-DD")?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return Err("the date is not YYYY-MM-DD");
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return Err("the date does not exist");
    }
    // RFC 3339 §5.6: "T" (or "t") separates date and time; §5.6 NOTE allows a space only as an
    // application's choice, outside the ABNF.
    match b.get(10) {
        Some(b'T' | b't') => {}
        Some(b' ') => deviation = Some("a space instead of \"T\" between date and time"),
        _ => return Err("no time after the date"),
    }
    // partial-time = time-hour ":" time-minute ":" time-second [time-secfrac]
    let hour = digits(b, 11, 2).ok_or("the time is not HH:MM:SS")?;
    let minute = digits(b, 14, 2).ok_or("the time is not HH:MM:SS")?;
    let second = digits(b, 17, 2).ok_or("the time is not HH:MM:SS")?;
    if b.get(13) != Some(&b':') || b.get(16) != Some(&b':') {
        return Err("the time is not HH:MM:SS");
    }
    // time-second may be 60 (a leap second, RFC 3339 §5.7).
    if hour > 23 || minute > 59 || second > 60 {
        return Err("the time does not exist");
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        let start = at + 1;
        at = start;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return Err("a \".\" without fraction digits");
        }
    }
    // time-offset = "Z" / time-numoffset
    let offset_seconds: i64 = match b.get(at) {
        Some(b'Z' | b'z') => {
            at += 1;
            0
        }
        Some(sign @ (b'+' | b'-')) => {
            let oh = digits(b, at + 1, 2).ok_or("the zone offset is not +HH:MM")?;
            let om = digits(b, at + 4, 2).ok_or("the zone offset is not +HH:MM")?;
            if b.get(at + 3) != Some(&b':') || oh > 23 || om > 59 {
                return Err("the zone offset is not +HH:MM");
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
            deviation = Some("no zone designator (\"Z\" or an offset such as \"+00:00\")");
            0
        }
        Some(_) => return Err("unexpected text after the time"),
    };
    if at != b.len() {
        return Err("unexpected text after the zone designator");
    }
    let days = days_from_civil(year, month, day);
    let seconds = hour * 3600 + minute * 60 + second.min(59);
    Ok(DateTime {
        unix: days * 86_400 + seconds - offset_seconds,
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
fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (years counted in 400-year eras).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    // Count years from March, so that February's leap day ends the year.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = (month + 9) % 12;
    let day_of_year = (153 * month_from_march + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
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
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
            let got = parse(text).ok().map(|d| (d.unix, d.deviation.is_none()));
            assert_eq!(&got, want, "{text}");
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
                parse(text).map(|d| d.utc_day()),
                Ok(day.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn civil_round_trip() {
        for days in [-800_000, -719_468, -1, 0, 1, 11_016, 19_782, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }
}
