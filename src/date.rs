//! Dates of briefings: `YYYY-MM-DD`, or a full RFC 3339 timestamp.
//!
//! Hand-written because the job is small: parse, reject dates that do not exist, order, and
//! print in the three forms pages and feeds need. No time zone database is involved: an offset
//! in the timestamp is applied, nothing else.

use std::cmp::Ordering;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
    /// Seconds since 1970-01-01T00:00:00Z, for ordering.
    pub timestamp: i64,
    /// The timestamp as written, or `YYYY-MM-DDT00:00:00Z` for a plain date.
    pub rfc3339: String,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Date {
    /// Parses a date or an RFC 3339 timestamp; the error says what is wrong in words.
    pub fn parse(s: &str) -> Result<Date, String> {
        let s = s.trim();
        let (date_part, time_part) = match s.find(['T', 't', ' ']) {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let (year, month, day) = parse_ymd(date_part)?;
        let days = days_from_civil(year, month, day);
        let (secs, rfc3339) = match time_part {
            None => (0, format!("{date_part}T00:00:00Z")),
            Some(t) => (parse_time(t)?, s.replace([' ', 't'], "T").replace('z', "Z")),
        };
        Ok(Date {
            year,
            month,
            day,
            timestamp: days * 86_400 + secs,
            rfc3339,
        })
    }

    /// `2023-06-08`
    pub fn iso(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `8 June 2023`
    pub fn display(&self) -> String {
        format!(
            "{} {} {}",
            self.day,
            MONTHS[(self.month - 1) as usize],
            self.year
        )
    }
}

impl PartialOrd for Date {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Date {
    fn cmp(&self, other: &Self) -> Ordering {
        self.timestamp.cmp(&other.timestamp)
    }
}

fn parse_ymd(s: &str) -> Result<(i32, u32, u32), String> {
    let shape = "write dates as YYYY-MM-DD, for example 2023-06-08";
    let mut it = s.split('-');
    let (Some(y), Some(m), Some(d), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(format!("`{s}` is not a date; {shape}"));
    };
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return Err(format!("`{s}` is not a date; {shape}"));
    }
    let num = |x: &str| -> Result<u32, String> {
        if x.bytes().all(|b| b.is_ascii_digit()) {
            x.parse::<u32>()
                .map_err(|_| format!("`{s}` is not a date; {shape}"))
        } else {
            Err(format!("`{s}` is not a date; {shape}"))
        }
    };
    let (y, m, d) = (num(y)? as i32, num(m)?, num(d)?);
    if !(1..=12).contains(&m) {
        return Err(format!("`{s}` has month {m}, which does not exist"));
    }
    let max = days_in_month(y, m);
    if d == 0 || d > max {
        return Err(format!(
            "`{s}` does not exist: {} {y} has {max} days",
            MONTHS[(m - 1) as usize]
        ));
    }
    Ok((y, m, d))
}

/// Parses `HH:MM:SS[.frac](Z|±HH:MM)` into seconds since midnight UTC.
fn parse_time(t: &str) -> Result<i64, String> {
    let err = || format!("`{t}` is not an RFC 3339 time; write for example 2023-06-08T14:30:00Z");
    let (clock, offset) = if let Some(c) = t.strip_suffix(['Z', 'z']) {
        (c, 0i64)
    } else if let Some(i) = t.rfind(['+', '-']) {
        let (c, o) = t.split_at(i);
        let sign = if o.starts_with('-') { -1 } else { 1 };
        let (oh, om) = o[1..].split_once(':').ok_or_else(err)?;
        let oh: i64 = oh.parse().map_err(|_| err())?;
        let om: i64 = om.parse().map_err(|_| err())?;
        if oh > 23 || om > 59 {
            return Err(err());
        }
        (c, sign * (oh * 3600 + om * 60))
    } else {
        return Err(err());
    };
    let clock = clock.split('.').next().unwrap_or(clock);
    let mut it = clock.split(':');
    let (Some(h), Some(m), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(err());
    };
    let h: i64 = h.parse().map_err(|_| err())?;
    let m: i64 = m.parse().map_err(|_| err())?;
    let s: i64 = s.parse().map_err(|_| err())?;
    if h > 23 || m > 59 || s > 60 {
        return Err(err());
    }
    Ok(h * 3600 + m * 60 + s - offset)
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_dates_and_timestamps() {
        let d = Date::parse("2023-06-08").unwrap();
        assert_eq!(
            (d.iso(), d.display()),
            ("2023-06-08".into(), "8 June 2023".into())
        );
        assert_eq!(d.timestamp, 1_686_182_400);
        let t = Date::parse("2023-06-08T12:00:00+02:00").unwrap();
        assert_eq!(t.timestamp, 1_686_182_400 + 10 * 3600);
        assert_eq!(t.iso(), "2023-06-08");
    }

    #[test]
    fn rejects_dates_that_do_not_exist() {
        assert!(Date::parse("2023-02-29").unwrap_err().contains("28 days"));
        assert!(Date::parse("2024-02-29").is_ok());
        assert!(Date::parse("2023-13-01").is_err());
        assert!(Date::parse("8 June 2023").is_err());
        assert!(Date::parse("2023-06-08T25:00:00Z").is_err());
    }
}
