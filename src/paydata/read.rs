//! Step 1 of an import: CSV bytes to typed records. Columns are found by
//! header name (case-insensitive, any order, extra columns ignored); a line
//! that cannot be read becomes a [`Rejection`] with its line number and the
//! import goes on. Only the file as a whole can be refused: too large, too
//! many rows, or a header without the required columns.

use std::collections::HashMap;
use std::io::Read;

use serde::Serialize;
use time::Date;

use crate::error::{Diagnostic, Error, Result, Stage};

/// What an import accepts. The defaults fit a whole fiscal year of the
/// Department of Labor's LCA disclosure data (about 700,000 rows) with room
/// to spare; anything past them is refused, naming the limit.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file, in bytes (default 2 GiB).
    pub max_file_bytes: u64,
    /// Most data rows (default 3,000,000).
    pub max_rows: usize,
    /// Longest field, in bytes (default 10,000); a longer field rejects
    /// its line only.
    pub max_field_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_file_bytes: 2 << 30, max_rows: 3_000_000, max_field_bytes: 10_000 }
    }
}

/// A line that could not be read, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    /// 1-based line where the record starts (the header is line 1).
    pub line: u64,
    /// What is wrong, naming the column.
    pub reason: String,
}

/// A wage unit as the LCA layout spells it (`Hour`, `Week`, `Bi-Weekly`,
/// `Month`, `Year`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum Unit {
    Hour,
    Week,
    BiWeekly,
    Month,
    Year,
}

impl Unit {
    fn parse(s: &str) -> Option<Unit> {
        let key: String = s.chars().filter(char::is_ascii_alphabetic).collect();
        Some(match key.to_lowercase().as_str() {
            "hour" | "hourly" | "hr" => Unit::Hour,
            "week" | "weekly" | "wk" => Unit::Week,
            "biweekly" => Unit::BiWeekly,
            "month" | "monthly" | "mth" => Unit::Month,
            "year" | "yearly" | "annual" | "yr" => Unit::Year,
            _ => return None,
        })
    }

    /// Periods per year: 40 hours × 52 weeks for an hourly rate.
    pub(crate) fn per_year(self) -> f64 {
        match self {
            Unit::Hour => 2080.0,
            Unit::Week => 52.0,
            Unit::BiWeekly => 26.0,
            Unit::Month => 12.0,
            Unit::Year => 1.0,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Unit::Hour => "Hour",
            Unit::Week => "Week",
            Unit::BiWeekly => "Bi-Weekly",
            Unit::Month => "Month",
            Unit::Year => "Year",
        }
    }
}

/// One LCA disclosure record, with the fields prepbook uses.
#[derive(Debug, Clone)]
pub(crate) struct LcaRecord {
    pub(crate) line: u64,
    pub(crate) case: String,
    pub(crate) status: String,
    pub(crate) decision: Date,
    pub(crate) visa: String,
    pub(crate) title: String,
    pub(crate) soc: String,
    pub(crate) full_time: bool,
    pub(crate) employer: String,
    pub(crate) city: String,
    pub(crate) state: String,
    pub(crate) wage_from: f64,
    pub(crate) wage_text: String,
    pub(crate) unit: Unit,
}

/// The columns an LCA file must have; the rest of the layout
/// (`RECEIVED_DATE`, `SOC_TITLE`, `BEGIN_DATE`, `WORKSITE_POSTAL_CODE`,
/// `PREVAILING_WAGE`, ...) is read when present and checked where used.
pub(crate) const LCA_REQUIRED: [&str; 10] = [
    "CASE_NUMBER",
    "CASE_STATUS",
    "DECISION_DATE",
    "JOB_TITLE",
    "SOC_CODE",
    "EMPLOYER_NAME",
    "WORKSITE_CITY",
    "WORKSITE_STATE",
    "WAGE_RATE_OF_PAY_FROM",
    "WAGE_UNIT_OF_PAY",
];

/// One row of the generic CSV.
#[derive(Debug, Clone)]
pub(crate) struct GenericRecord {
    pub(crate) line: u64,
    pub(crate) id: Option<String>,
    pub(crate) company: String,
    pub(crate) title: String,
    pub(crate) level: String,
    pub(crate) location: String,
    pub(crate) base: f64,
    pub(crate) bonus: Option<f64>,
    pub(crate) equity: Option<f64>,
    pub(crate) currency: String,
    pub(crate) date: Date,
    pub(crate) source: String,
}

/// The generic CSV's required columns; `level`, `bonus`, `equity_per_year`
/// and `id` are optional.
pub(crate) const GENERIC_REQUIRED: [&str; 7] =
    ["company", "title", "location", "base", "currency", "date", "source"];

/// Counts from reading one file.
#[derive(Debug, Clone, Default)]
pub(crate) struct ReadStats {
    pub(crate) rows: usize,
    pub(crate) rejected: Vec<Rejection>,
}

/// A record's fields by column name, cleaned: trimmed, decoded (UTF-8, or
/// Latin-1 for bytes that are not UTF-8, as spreadsheet exports on Windows
/// write), and with Excel's `="..."` text wrapper removed.
pub(crate) struct Fields<'a> {
    index: &'a HashMap<String, usize>,
    values: Vec<String>,
}

impl Fields<'_> {
    pub(crate) fn get(&self, column: &str) -> &str {
        self.index.get(column).map(|&i| self.values[i].as_str()).unwrap_or("")
    }
}

fn decode(bytes: &[u8]) -> String {
    let s = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    };
    let t = s.trim();
    let t = t.strip_prefix("=\"").and_then(|x| x.strip_suffix('"')).unwrap_or(t);
    t.trim().to_owned()
}

/// Reads every record of `input` and hands it to `each` with its line;
/// an `Err` from `each` rejects that line with the message.
pub(crate) fn read_csv(
    input: impl Read,
    file: &str,
    limits: &Limits,
    required: &[&str],
    upper: bool,
    mut each: impl FnMut(u64, &Fields<'_>) -> std::result::Result<(), String>,
) -> Result<ReadStats> {
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(input);
    let mut record = csv::ByteRecord::new();
    let invalid = |msg: String| {
        Error::invalid(
            Stage::PayData,
            "cannot import pay data",
            vec![Diagnostic::new(msg).in_file(file)],
        )
    };
    let read_err = |e: csv::Error| invalid(format!("unreadable CSV ({e})"));
    if !rdr.read_byte_record(&mut record).map_err(read_err)? {
        return Err(invalid("the file is empty; expected a header line".into()));
    }
    let mut index = HashMap::new();
    for (i, h) in record.iter().enumerate() {
        let h = decode(h.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(h));
        let h = if upper { h.to_uppercase() } else { h.to_lowercase() };
        index.entry(h).or_insert(i);
    }
    let width = record.len();
    let missing: Vec<&str> =
        required.iter().copied().filter(|c| !index.contains_key(*c)).collect();
    if !missing.is_empty() {
        return Err(invalid(format!(
            "the header lacks required column{} {} (columns are matched by name, in any case)",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", ")
        )));
    }
    let mut names = vec![String::new(); width];
    for (name, &i) in &index {
        names[i].clone_from(name);
    }
    let mut stats = ReadStats::default();
    loop {
        let more = rdr.read_byte_record(&mut record).map_err(read_err)?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, |p| p.line());
        if record.len() == 1 && record[0].iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        stats.rows += 1;
        if stats.rows > limits.max_rows {
            return Err(invalid(format!(
                "the file has more than {} data rows (limit max_rows)",
                limits.max_rows
            )));
        }
        // A record that spans lines (a quoted field with line breaks, or a
        // stray quote that is never closed) names the lines it took.
        let end = rdr.position().line().saturating_sub(1).max(line);
        let span = if end > line {
            format!(" (the record runs to line {end})")
        } else {
            String::new()
        };
        if record.len() != width {
            stats.rejected.push(Rejection {
                line,
                reason: format!(
                    "expected {width} fields as in the header, found {}{span}",
                    record.len()
                ),
            });
            continue;
        }
        if let Some((i, f)) =
            record.iter().enumerate().find(|(_, f)| f.len() > limits.max_field_bytes)
        {
            stats.rejected.push(Rejection {
                line,
                reason: format!(
                    "field {} is {} bytes, over the limit of {} (max_field_bytes){span}",
                    if names[i].is_empty() {
                        format!("#{}", i + 1)
                    } else {
                        names[i].clone()
                    },
                    f.len(),
                    limits.max_field_bytes
                ),
            });
            continue;
        }
        let fields =
            Fields { index: &index, values: record.iter().map(decode).collect() };
        if let Err(reason) = each(line, &fields) {
            stats.rejected.push(Rejection { line, reason });
        }
    }
    Ok(stats)
}

/// A date as the disclosure files and spreadsheet exports write it:
/// `2024-10-01`, `2024-10-01 00:00:00` or `10/1/2024`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let s = s.split([' ', 'T']).next()?.trim();
    let (y, m, d) = if let Some((m, rest)) = s.split_once('/') {
        let (d, y) = rest.split_once('/')?;
        (y, m, d)
    } else {
        let mut it = s.splitn(3, '-');
        (it.next()?, it.next()?, it.next()?)
    };
    if y.len() != 4 {
        return None;
    }
    let month = time::Month::try_from(m.parse::<u8>().ok()?).ok()?;
    Date::from_calendar_date(y.parse().ok()?, month, d.parse().ok()?).ok()
}

/// A positive amount: `152000`, `152,000.00`, `$75.50`.
pub(crate) fn parse_amount(s: &str) -> Option<f64> {
    let clean: String = s.chars().filter(|c| !matches!(c, '$' | ',' | ' ')).collect();
    let v: f64 = clean.parse().ok()?;
    (v.is_finite() && v > 0.0).then_some(v)
}

fn need<'a>(f: &'a Fields<'_>, col: &str) -> std::result::Result<&'a str, String> {
    let v = f.get(col);
    if v.is_empty() { Err(format!("{col} is empty")) } else { Ok(v) }
}

/// `15-1252.00`, `15-1252` or `151252` → `15-1252`.
fn soc_code(s: &str) -> Option<String> {
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    (digits.len() >= 6 && s.starts_with(|c: char| c.is_ascii_digit()))
        .then(|| format!("{}-{}", &digits[..2], &digits[2..6]))
}

/// Reads an LCA disclosure file.
pub(crate) fn read_lca(
    input: impl Read,
    file: &str,
    limits: &Limits,
    mut each: impl FnMut(LcaRecord),
) -> Result<ReadStats> {
    read_csv(input, file, limits, &LCA_REQUIRED, true, |line, f| {
        let date = |col: &str| {
            let v = need(f, col)?;
            parse_date(v).ok_or_else(|| {
                format!("{col} {v:?} is not a date (expected YYYY-MM-DD or M/D/YYYY)")
            })
        };
        let wage = need(f, "WAGE_RATE_OF_PAY_FROM")?;
        let wage_from = parse_amount(wage).ok_or_else(|| {
            format!("WAGE_RATE_OF_PAY_FROM {wage:?} is not a positive amount")
        })?;
        let to = f.get("WAGE_RATE_OF_PAY_TO");
        if !to.is_empty() && parse_amount(to).is_none() {
            return Err(format!("WAGE_RATE_OF_PAY_TO {to:?} is not a positive amount"));
        }
        let unit = need(f, "WAGE_UNIT_OF_PAY")?;
        let unit = Unit::parse(unit).ok_or_else(|| {
            format!(
                "WAGE_UNIT_OF_PAY {unit:?} is not a wage unit (expected Hour, Week, Bi-Weekly, Month or Year)"
            )
        })?;
        let soc = need(f, "SOC_CODE")?;
        let soc =
            soc_code(soc).ok_or_else(|| format!("SOC_CODE {soc:?} is not a SOC code"))?;
        let ft = f.get("FULL_TIME_POSITION").to_ascii_uppercase();
        each(LcaRecord {
            line,
            case: need(f, "CASE_NUMBER")?.to_owned(),
            status: need(f, "CASE_STATUS")?.to_owned(),
            decision: date("DECISION_DATE")?,
            visa: f.get("VISA_CLASS").to_owned(),
            title: need(f, "JOB_TITLE")?.to_owned(),
            soc,
            full_time: !(ft == "N" || ft == "NO"),
            employer: need(f, "EMPLOYER_NAME")?.to_owned(),
            city: f.get("WORKSITE_CITY").to_owned(),
            state: f.get("WORKSITE_STATE").to_owned(),
            wage_from,
            wage_text: wage.to_owned(),
            unit,
        });
        Ok(())
    })
}

/// Reads a generic pay CSV.
pub(crate) fn read_generic(
    input: impl Read,
    file: &str,
    limits: &Limits,
    mut each: impl FnMut(GenericRecord),
) -> Result<ReadStats> {
    read_csv(input, file, limits, &GENERIC_REQUIRED, false, |line, f| {
        let amount = |col: &str| -> std::result::Result<Option<f64>, String> {
            let v = f.get(col);
            if v.is_empty() {
                return Ok(None);
            }
            let clean: String =
                v.chars().filter(|c| !matches!(c, '$' | ',' | ' ')).collect();
            match clean.parse::<f64>() {
                Ok(x) if x.is_finite() && x >= 0.0 => Ok(Some(x)),
                _ => Err(format!("{col} {v:?} is not an amount")),
            }
        };
        let base = need(f, "base")?;
        let base = parse_amount(base)
            .ok_or_else(|| format!("base {base:?} is not a positive amount"))?;
        let currency = need(f, "currency")?;
        if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(format!(
                "currency {currency:?} is not an ISO 4217 code like USD"
            ));
        }
        let d = need(f, "date")?;
        let date = parse_date(d).or_else(|| parse_date(&format!("{d}-01"))).ok_or_else(
            || format!("date {d:?} is not a date (expected YYYY-MM-DD or YYYY-MM)"),
        )?;
        let id = f.get("id");
        each(GenericRecord {
            line,
            id: (!id.is_empty()).then(|| id.to_owned()),
            company: need(f, "company")?.to_owned(),
            title: need(f, "title")?.to_owned(),
            level: f.get("level").to_owned(),
            location: f.get("location").to_owned(),
            base,
            bonus: amount("bonus")?,
            equity: amount("equity_per_year")?,
            currency: currency.to_ascii_uppercase(),
            date,
            source: need(f, "source")?.to_owned(),
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_the_forms_exports_write() {
        let d = time::macros::date!(2024 - 10 - 01);
        assert_eq!(parse_date("2024-10-01"), Some(d));
        assert_eq!(parse_date("2024-10-01 00:00:00"), Some(d));
        assert_eq!(parse_date("10/1/2024"), Some(d));
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("1/10/24"), None);
    }

    #[test]
    fn columns_are_found_by_name_in_any_order_and_case() {
        let csv = "Wage_Unit_Of_Pay,extra,case_number,CASE_STATUS,decision_date,job_title,soc_code,employer_name,worksite_city,worksite_state,wage_rate_of_pay_from\n\
                   Year,x,I-200-1,Certified,2024-10-01,Senior Software Engineer,=\"15-1252.00\",Google LLC,Mountain View,CA,\"$185,000.00\"\n";
        let mut got = Vec::new();
        let stats =
            read_lca(csv.as_bytes(), "t.csv", &Limits::default(), |r| got.push(r))
                .unwrap();
        assert_eq!(stats.rows, 1);
        assert!(stats.rejected.is_empty(), "{:?}", stats.rejected);
        assert_eq!(got[0].soc, "15-1252");
        assert_eq!(got[0].wage_from, 185000.0);
        assert_eq!(got[0].unit, Unit::Year);
        assert_eq!(got[0].line, 2);
    }

    #[test]
    fn a_header_without_required_columns_is_refused_naming_them() {
        let err = read_lca(
            "CASE_NUMBER,JOB_TITLE\n".as_bytes(),
            "t.csv",
            &Limits::default(),
            |_| {},
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("CASE_STATUS") && msg.contains("WAGE_UNIT_OF_PAY"), "{msg}");
    }

    #[test]
    fn limits_refuse_the_file_or_reject_the_line_naming_the_limit() {
        let head = LCA_REQUIRED.join(",");
        let row = "I-1,Certified,2024-10-01,Software Engineer II,15-1252,Google LLC,Mountain View,CA,150000,Year";
        let csv = format!("{head}\n{row}\n{row}\n{row}\n");
        let small = Limits { max_rows: 2, ..Limits::default() };
        let err = read_lca(csv.as_bytes(), "t.csv", &small, |_| {}).unwrap_err();
        assert!(err.to_string().contains("max_rows"), "{err}");
        let narrow = Limits { max_field_bytes: 12, ..Limits::default() };
        let stats = read_lca(csv.as_bytes(), "t.csv", &narrow, |_| {}).unwrap();
        assert_eq!(stats.rejected.len(), 3);
        assert!(stats.rejected[0].reason.contains("JOB_TITLE"), "{:?}", stats.rejected);
        assert!(stats.rejected[0].reason.contains("max_field_bytes"));
    }
}
