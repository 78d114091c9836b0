//! HTTP dates (RFC 9110 §5.6.7): `Last-Modified` written as an IMF-fixdate, `If-Modified-Since`
//! read back. Only the IMF-fixdate form is read; RFC 9110 §13.1.3 has a recipient ignore an
//! `If-Modified-Since` it cannot read, and then the full answer goes out, which is always correct.

use mtasts::date::{CivilDate, UtcDateTime};

const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `unix` as an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
pub fn format(unix: u64) -> String {
    let at = UtcDateTime::from_unix_unsigned(unix);
    let weekday = DAYS
        .get(usize::try_from((unix / 86_400) % 7).unwrap_or_default())
        .copied()
        .unwrap_or("Thu");
    let month = MONTHS
        .get(usize::try_from(at.date.month.saturating_sub(1)).unwrap_or_default())
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        at.date.day, at.date.year, at.hour, at.minute, at.second
    )
}

/// The Unix time of an IMF-fixdate; `None` for anything else.
pub fn parse(text: &str) -> Option<u64> {
    let rest = text.trim().get(5..)?; // "Sun, "
    let mut parts = rest.split(' ');
    let day: u32 = number(parts.next()?, 2)?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| *m == month_name)?;
    let year: u32 = number(parts.next()?, 4)?;
    let mut clock = parts.next()?.split(':');
    let hour: u32 = number(clock.next()?, 2)?;
    let minute: u32 = number(clock.next()?, 2)?;
    let second: u32 = number(clock.next()?, 2)?;
    if parts.next() != Some("GMT") || parts.next().is_some() || clock.next().is_some() {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = CivilDate::new(i64::from(year), u32::try_from(month + 1).ok()?, day)?;
    let at = UtcDateTime {
        date,
        hour,
        minute,
        second: second.min(59),
    };
    u64::try_from(at.unix()).ok()
}

/// A decimal of exactly `digits` digits.
fn number(text: &str, digits: usize) -> Option<u32> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imf_fixdates() {
        // RFC 9110 §5.6.7's example.
        assert_eq!(format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(parse("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(format(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        for unix in [0, 1, 951_782_400, 1_764_334_260, 4_102_444_799] {
            assert_eq!(parse(&format(unix)), Some(unix), "{unix}");
        }
        for bad in [
            "",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 6 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
