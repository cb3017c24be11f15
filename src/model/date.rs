//! Calendar dates as JSON Resume writes them: `YYYY`, `YYYY-MM` or
//! `YYYY-MM-DD`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::{Date, Month};

/// A date with optional month and day, as resumes give them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    /// The year.
    pub year: i32,
    /// The month, 1-12, if given.
    pub month: Option<u8>,
    /// The day of the month, if given.
    pub day: Option<u8>,
}

const EXPECTED: &str = "a date as YYYY, YYYY-MM or YYYY-MM-DD";

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, checking that the date exists.
    pub fn parse(s: &str) -> Result<Self, String> {
        let bad = || format!("expected {EXPECTED}, found {s:?}");
        let parts: Vec<&str> = s.trim().split('-').collect();
        let num = |p: &str, len: usize| -> Option<u32> {
            (p.len() == len && p.bytes().all(|b| b.is_ascii_digit()))
                .then(|| p.parse().ok())
                .flatten()
        };
        let year = num(parts[0], 4).ok_or_else(bad)? as i32;
        let month = match parts.get(1) {
            Some(p) => {
                Some(num(p, 2).filter(|m| (1..=12).contains(m)).ok_or_else(bad)? as u8)
            }
            None => None,
        };
        let day = match parts.get(2) {
            Some(p) => Some(num(p, 2).ok_or_else(bad)? as u8),
            None => None,
        };
        if parts.len() > 3 || !(1900..=2200).contains(&year) {
            return Err(bad());
        }
        let date = Self { year, month, day };
        if let (Some(m), Some(d)) = (month, day) {
            let month = Month::try_from(m).map_err(|_| bad())?;
            Date::from_calendar_date(year, month, d)
                .map_err(|_| format!("{s:?} is not a calendar date"))?;
        }
        Ok(date)
    }

    /// The first day this date can mean (month and day default to 1).
    pub fn start(&self) -> Date {
        self.to_date(1)
    }

    fn to_date(self, default_day: u8) -> Date {
        let month = Month::try_from(self.month.unwrap_or(1)).unwrap_or(Month::January);
        let day = self.day.unwrap_or(default_day).min(month.length(self.year));
        Date::from_calendar_date(self.year, month, day).unwrap_or(Date::MIN)
    }

    /// A full date, if day and month are given.
    pub fn full(&self) -> Option<Date> {
        self.day.map(|_| self.start())
    }

    /// Human form: `Mar 2021`, `2021`, `12 Mar 2021`.
    pub fn human(&self) -> String {
        const NAMES: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
            "Dec",
        ];
        match (self.month, self.day) {
            (Some(m), Some(d)) => format!("{d} {} {}", NAMES[m as usize - 1], self.year),
            (Some(m), None) => format!("{} {}", NAMES[m as usize - 1], self.year),
            _ => self.year.to_string(),
        }
    }
}

impl From<Date> for PartialDate {
    fn from(d: Date) -> Self {
        Self { year: d.year(), month: Some(d.month() as u8), day: Some(d.day()) }
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = PartialDate;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(EXPECTED)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PartialDate, E> {
                PartialDate::parse(v).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

/// Deserializes an optional end date, where an empty string or a word such
/// as "present" means the position is current.
pub(crate) fn end_date<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<PartialDate>, D::Error> {
    let raw: Option<serde_json::Value> = Option::deserialize(d)?;
    match raw {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => {
            let t = s.trim().to_ascii_lowercase();
            if t.is_empty()
                || ["present", "current", "now", "today", "ongoing"].contains(&t.as_str())
            {
                Ok(None)
            } else {
                PartialDate::parse(&s).map(Some).map_err(serde::de::Error::custom)
            }
        }
        Some(other) => Err(serde::de::Error::custom(format!(
            "expected {EXPECTED} or an empty string for a current position, found {}",
            json_kind(&other)
        ))),
    }
}

/// Parses a full `YYYY-MM-DD` date.
pub fn parse_ymd(s: &str) -> Result<Date, String> {
    let p = PartialDate::parse(s)
        .ok()
        .and_then(|p| p.full())
        .ok_or_else(|| format!("expected a date as YYYY-MM-DD, found {s:?}"))?;
    Ok(p)
}

pub(crate) fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_three_precisions() {
        assert_eq!(PartialDate::parse("2014").unwrap().month, None);
        assert_eq!(PartialDate::parse("2014-06").unwrap().month, Some(6));
        assert_eq!(PartialDate::parse("2014-06-29").unwrap().day, Some(29));
    }

    #[test]
    fn rejects_impossible_and_malformed_dates() {
        for bad in ["2014-13", "2014-02-30", "14-06", "2014/06/01", "June 2014", ""] {
            assert!(PartialDate::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn month_precision_starts_on_the_first() {
        let d = PartialDate::parse("2020-02").unwrap().start();
        assert_eq!((d.month() as u8, d.day()), (2, 1));
    }
}
