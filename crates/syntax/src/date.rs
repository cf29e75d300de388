//! Calendar dates (`2020-07-31`): report dates, the periods rules are in force, waiver
//! expiries. Proleptic Gregorian, no time zone: a date names a whole day.

use std::fmt;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A day, `YYYY-MM-DD`. Ordered by time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a text is not a date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DateError {
    /// Not `YYYY-MM-DD` digits.
    #[error("write the date as YYYY-MM-DD, e.g. 2020-07-31")]
    Shape,
    /// A month that is not 1 to 12.
    #[error("there is no month {0}")]
    Month(u8),
    /// A day the month does not have.
    #[error("{month} has no day {day}")]
    Day {
        /// The month's name, with the year for February.
        month: &'static str,
        /// The day as written.
        day: u8,
    },
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
    /// The date, if the day exists.
    pub fn new(year: u16, month: u8, day: u8) -> Result<Date, DateError> {
        if !(1..=12).contains(&month) {
            return Err(DateError::Month(month));
        }
        if day == 0 || day > days_in_month(year, month) {
            let name = MONTHS.get(usize::from(month) - 1).copied().unwrap_or("");
            let name = if month == 2 && !is_leap(year) {
                "February (not a leap year)"
            } else {
                name
            };
            return Err(DateError::Day { month: name, day });
        }
        Ok(Date { year, month, day })
    }

    /// The year, month and day.
    pub fn parts(self) -> (u16, u8, u8) {
        (self.year, self.month, self.day)
    }

    /// The day after, if it exists (years end at 9999).
    pub fn next_day(self) -> Option<Date> {
        if self.day < days_in_month(self.year, self.month) {
            Some(Date {
                day: self.day + 1,
                ..self
            })
        } else if self.month < 12 {
            Some(Date {
                month: self.month + 1,
                day: 1,
                ..self
            })
        } else if self.year < 9999 {
            Some(Date {
                year: self.year + 1,
                month: 1,
                day: 1,
            })
        } else {
            None
        }
    }

    /// The day before, if it exists (years start at 0000).
    pub fn previous_day(self) -> Option<Date> {
        if self.day > 1 {
            Some(Date {
                day: self.day - 1,
                ..self
            })
        } else if self.month > 1 {
            let month = self.month - 1;
            Some(Date {
                month,
                day: days_in_month(self.year, month),
                ..self
            })
        } else if self.year > 0 {
            Some(Date {
                year: self.year - 1,
                month: 12,
                day: 31,
            })
        } else {
            None
        }
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        Date::from_days(i64::try_from(seconds / 86_400).unwrap_or(0))
    }

    /// The current time in UTC, RFC 3339 to the second: `2026-11-24T09:30:00Z`.
    pub fn now_utc() -> String {
        let seconds = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_secs());
        let day = Date::from_days(i64::try_from(seconds / 86_400).unwrap_or(0));
        let rest = seconds % 86_400;
        format!(
            "{day}T{:02}:{:02}:{:02}Z",
            rest / 3600,
            rest % 3600 / 60,
            rest % 60
        )
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month: u8::try_from(month).unwrap_or(1),
            day: u8::try_from(day).unwrap_or(1),
        }
    }
}

fn is_leap(year: u16) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(text: &str) -> Result<Date, DateError> {
        let bytes = text.as_bytes();
        let shaped = bytes.len() == 10
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes
                .iter()
                .enumerate()
                .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
        if !shaped {
            return Err(DateError::Shape);
        }
        let number = |range: std::ops::Range<usize>| {
            text.get(range)
                .and_then(|digits| digits.parse::<u16>().ok())
                .ok_or(DateError::Shape)
        };
        let month = u8::try_from(number(5..7)?).map_err(|_| DateError::Shape)?;
        let day = u8::try_from(number(8..10)?).map_err(|_| DateError::Shape)?;
        Date::new(number(0..4)?, month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// A period of days: from `from` (inclusive) until `until` (exclusive: the first day it no
/// longer covers). An open end is unbounded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Period {
    /// The first day covered.
    pub from: Option<Date>,
    /// The first day no longer covered.
    pub until: Option<Date>,
}

/// How people read a period's end: the last day it covers, `through 2027-02-28`, for
/// `until 2027-03-01` (which a reader takes to include 1 March).
impl Period {
    /// The last day covered, when the period ends.
    pub fn last_day(&self) -> Option<Date> {
        self.until.and_then(Date::previous_day)
    }
}

impl Period {
    /// Every day.
    pub const ALWAYS: Period = Period {
        from: None,
        until: None,
    };

    /// Whether `date` falls in the period.
    pub fn contains(&self, date: Date) -> bool {
        self.from.is_none_or(|from| from <= date) && self.until.is_none_or(|until| date < until)
    }

    /// Whether the period has no end on either side.
    pub fn is_always(&self) -> bool {
        self.from.is_none() && self.until.is_none()
    }

    /// Whether no day is covered (`until` on or before `from`).
    pub fn is_empty(&self) -> bool {
        matches!((self.from, self.until), (Some(from), Some(until)) if until <= from)
    }

    /// The days both periods cover.
    pub fn intersect(self, other: Period) -> Period {
        Period {
            from: self.from.max(other.from),
            until: match (self.until, other.until) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            },
        }
    }

    /// The first day both periods cover, if any.
    pub fn first_shared_day(self, other: Period) -> Option<Option<Date>> {
        let both = self.intersect(other);
        (!both.is_empty()).then_some(both.from)
    }
}

impl fmt::Display for Period {
    /// A period as people read it, its end as the last day covered: `from 2020-01-01
    /// through 2024-06-30`, `from 2024-07-01`, `through 2024-06-30`, or `every day`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (true, Some(from), Some(until)) = (self.is_empty(), self.from, self.until) {
            // No day at all: the ends as written, which say why.
            return write!(f, "from {from} until {until}");
        }
        match (self.from, self.until, self.last_day()) {
            (Some(from), Some(_), Some(last)) => write!(f, "from {from} through {last}"),
            (None, Some(_), Some(last)) => write!(f, "through {last}"),
            // No day before the end: the period covers nothing.
            (_, Some(until), None) => write!(f, "before {until}"),
            (Some(from), None, _) => write!(f, "from {from}"),
            (None, None, _) => f.write_str("every day"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        text.parse().unwrap()
    }

    #[test]
    fn parses_real_days_only() {
        assert_eq!(date("2020-07-31").to_string(), "2020-07-31");
        assert_eq!(date("2024-02-29").to_string(), "2024-02-29");
        assert_eq!(
            "2023-02-29".parse::<Date>().unwrap_err().to_string(),
            "February (not a leap year) has no day 29"
        );
        assert_eq!(
            "2020-13-01".parse::<Date>().unwrap_err(),
            DateError::Month(13)
        );
        for bad in [
            "2020-7-31",
            "20200731",
            "2020-07-31 ",
            "２０２０-07-31",
            "",
            "x",
        ] {
            assert_eq!(bad.parse::<Date>(), Err(DateError::Shape), "{bad}");
        }
    }

    #[test]
    fn days_since_the_epoch() {
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(18_474).to_string(), "2020-07-31");
        assert_eq!(Date::from_days(19_782).to_string(), "2024-02-29");
        assert!(Date::today() >= date("2026-01-01"));
        assert_eq!(date("2024-02-28").next_day(), Some(date("2024-02-29")));
        assert_eq!(date("2023-02-28").next_day(), Some(date("2023-03-01")));
        assert_eq!(date("2020-12-31").next_day(), Some(date("2021-01-01")));
        assert_eq!(date("9999-12-31").next_day(), None);
    }

    #[test]
    fn periods_include_from_and_exclude_until() {
        let period = Period {
            from: Some(date("2020-01-01")),
            until: Some(date("2024-07-01")),
        };
        assert!(!period.contains(date("2019-12-31")));
        assert!(period.contains(date("2020-01-01")));
        assert!(period.contains(date("2024-06-30")));
        assert!(!period.contains(date("2024-07-01")));
        let next = Period {
            from: Some(date("2024-07-01")),
            until: None,
        };
        assert_eq!(period.first_shared_day(next), None);
        assert_eq!(
            Period::ALWAYS.first_shared_day(next),
            Some(Some(date("2024-07-01")))
        );
        // Shown with the last day in force, which is how people read a period.
        assert_eq!(period.to_string(), "from 2020-01-01 through 2024-06-30");
        assert_eq!(period.last_day(), Some(date("2024-06-30")));
        let never = Period {
            from: Some(date("2024-07-01")),
            until: Some(date("2024-07-01")),
        };
        assert_eq!(never.to_string(), "from 2024-07-01 until 2024-07-01");
    }

    #[test]
    fn days_before_cross_months_years_and_leap_days() {
        assert_eq!(date("2024-03-01").previous_day(), Some(date("2024-02-29")));
        assert_eq!(date("2023-03-01").previous_day(), Some(date("2023-02-28")));
        assert_eq!(date("2027-01-01").previous_day(), Some(date("2026-12-31")));
        assert_eq!(date("2027-05-01").previous_day(), Some(date("2027-04-30")));
        for text in ["2024-02-29", "2026-12-31", "2027-03-01"] {
            let day = date(text);
            assert_eq!(day.next_day().and_then(Date::previous_day), Some(day));
        }
    }
}
