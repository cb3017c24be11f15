//! Dates as people write them on resumes: `Mar 2021 – Present`,
//! `03/2021–now`, `2019 - 2022`, `Summer 2017`, `Since 2020`, and the month
//! names and "present" words of German, French, Spanish and Portuguese.
//! Output is JSON Resume's `YYYY-MM` or `YYYY`; a range whose end is a
//! "present" word has no end date.
//!
//! Responsible for finding and reading date expressions in one line; not
//! for deciding which line of an entry holds its dates (`entries`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// Month names and abbreviations, lowercase, with their month. Longer
/// forms come first so the alternation prefers them.
const MONTHS: &[(&str, u8)] = &[
    // English
    ("january", 1),
    ("february", 2),
    ("march", 3),
    ("april", 4),
    ("june", 6),
    ("july", 7),
    ("august", 8),
    ("september", 9),
    ("october", 10),
    ("november", 11),
    ("december", 12),
    ("sept", 9),
    ("jan", 1),
    ("feb", 2),
    ("mar", 3),
    ("apr", 4),
    ("may", 5),
    ("jun", 6),
    ("jul", 7),
    ("aug", 8),
    ("sep", 9),
    ("oct", 10),
    ("nov", 11),
    ("dec", 12),
    // German
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("mär", 3),
    ("mai", 5),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("okt", 10),
    ("dezember", 12),
    ("dez", 12),
    // French
    ("janvier", 1),
    ("janv", 1),
    ("février", 2),
    ("fevrier", 2),
    ("févr", 2),
    ("févr", 2),
    ("mars", 3),
    ("avril", 4),
    ("avr", 4),
    ("juin", 6),
    ("juillet", 7),
    ("juil", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("déc", 12),
    // Spanish
    ("enero", 1),
    ("ene", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("abr", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("ago", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("dic", 12),
    // Portuguese
    ("janeiro", 1),
    ("fevereiro", 2),
    ("fev", 2),
    ("março", 3),
    ("marco", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("set", 9),
    ("outubro", 10),
    ("out", 10),
    ("novembro", 11),
    ("dezembro", 12),
];

/// Seasons, with the month a season's date is taken to mean.
const SEASONS: &[(&str, u8)] = &[
    ("spring", 3),
    ("summer", 6),
    ("autumn", 9),
    ("fall", 9),
    ("winter", 1),
    ("frühling", 3),
    ("frühjahr", 3),
    ("sommer", 6),
    ("herbst", 9),
    ("printemps", 3),
    ("été", 6),
    ("automne", 9),
    ("hiver", 1),
    ("primavera", 3),
    ("verano", 6),
    ("verão", 6),
    ("otoño", 9),
    ("outono", 9),
    ("invierno", 1),
    ("inverno", 1),
];

/// Words for "still going": a range ending in one has no end date.
const PRESENT: &[&str] = &[
    "present",
    "current",
    "currently",
    "now",
    "today",
    "ongoing",
    "date",
    "heute",
    "jetzt",
    "aktuell",
    "dato",
    "aujourd'hui",
    "aujourd’hui",
    "présent",
    "actuel",
    "actualidad",
    "actualmente",
    "presente",
    "hoy",
    "atual",
    "atualmente",
    "hoje",
];

/// Words that open an open-ended range: `Since 2020` starts in 2020 and
/// has not ended.
const SINCE: &[&str] = &["since", "seit", "depuis", "desde", "dal", "sinds"];

/// A date expression found in a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// `YYYY-MM` or `YYYY`.
    pub(crate) start: Option<String>,
    /// The end; `None` with [`Found::present`] for "still going".
    pub(crate) end: Option<String>,
    /// The end is a "present" word (or the range opened with "since").
    pub(crate) present: bool,
    /// A range (two ends or an open end), not a single date.
    pub(crate) range: bool,
    /// The byte span of the expression in the line.
    pub(crate) span: Range<usize>,
}

fn alternation(words: impl Iterator<Item = &'static str>) -> String {
    let mut words: Vec<&str> = words.collect();
    // Longest first: the regex crate's alternation is leftmost-first.
    words.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
}

/// One date: month name + year, season + year, year-month, month/year,
/// day.month.year, or a bare year. Years are 1900–2099.
static DATE: LazyLock<Regex> = LazyLock::new(|| {
    let months = alternation(MONTHS.iter().map(|m| m.0));
    let seasons = alternation(SEASONS.iter().map(|m| m.0));
    let year = r"(?:19|20)\d{2}";
    Regex::new(&format!(
        r"(?i)\b(?:(?P<mon>{months})\.?,?\s*(?:de\s+|of\s+)?(?P<y1>{year})\b|(?P<season>{seasons})\s+(?P<y2>{year})\b|(?P<y3>{year})[-/.](?P<m3>0[1-9]|1[0-2])(?:[-/.](?:0[1-9]|[12]\d|3[01]))?\b|(?:(?:0?[1-9]|[12]\d|3[01])\.)?(?P<m4>0?[1-9]|1[0-2])\s*[/.]\s*(?P<y4>{year})\b|(?P<y5>{year})\b)"
    ))
    .expect("the date pattern is valid")
});

/// What may stand between the two ends of a range.
static BETWEEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*(?:[-–—‒―~]+|to|till|until|through|thru|bis|à|au|a|al|hasta|até|ate|jusqu'à|–)\s*$")
        .expect("the separator pattern is valid")
});

static PRESENT_WORD: LazyLock<Regex> = LazyLock::new(|| {
    let words = alternation(PRESENT.iter().copied());
    Regex::new(&format!(r"(?i)^\s*(?:the\s+|o\s+|la\s+)?(?:{words})\b\.?"))
        .expect("the present pattern is valid")
});

static SINCE_WORD: LazyLock<Regex> = LazyLock::new(|| {
    let words = alternation(SINCE.iter().copied());
    Regex::new(&format!(r"(?i)\b(?:{words})\s*$")).expect("the since pattern is valid")
});

/// A single date in `s` as `YYYY-MM` or `YYYY`, if `s` is exactly one.
#[cfg(test)]
pub(crate) fn parse_date(s: &str) -> Option<String> {
    let m = DATE.captures(s.trim())?;
    (m.get(0)?.len() == s.trim().len()).then(|| value(&m))?
}

fn value(c: &regex::Captures<'_>) -> Option<String> {
    let month_of = |name: &str, table: &[(&str, u8)]| {
        let name = name.to_lowercase();
        table.iter().find(|(n, _)| *n == name).map(|m| m.1)
    };
    let (year, month) = if let (Some(m), Some(y)) = (c.name("mon"), c.name("y1")) {
        (y.as_str(), month_of(m.as_str(), MONTHS))
    } else if let (Some(s), Some(y)) = (c.name("season"), c.name("y2")) {
        (y.as_str(), month_of(s.as_str(), SEASONS))
    } else if let (Some(y), Some(m)) = (c.name("y3"), c.name("m3")) {
        (y.as_str(), m.as_str().parse().ok())
    } else if let (Some(m), Some(y)) = (c.name("m4"), c.name("y4")) {
        (y.as_str(), m.as_str().parse().ok())
    } else {
        (c.name("y5")?.as_str(), None)
    };
    Some(match month {
        Some(m) => format!("{year}-{m:02}"),
        None => year.to_string(),
    })
}

/// Every date expression in `line`, ranges joined, in order.
pub(crate) fn find_all(line: &str) -> Vec<Found> {
    let singles: Vec<(Range<usize>, Option<String>)> = DATE
        .captures_iter(line)
        .map(|c| (c.get(0).map_or(0..0, |m| m.range()), value(&c)))
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < singles.len() {
        let (span, start) = singles[i].clone();
        let rest = &line[span.end..];
        // A range to another date.
        if let Some((next, end)) = singles.get(i + 1)
            && BETWEEN.is_match(&line[span.end..next.start])
        {
            out.push(Found {
                start,
                end: end.clone(),
                present: false,
                range: true,
                span: span.start..next.end,
            });
            i += 2;
            continue;
        }
        // A range to "present".
        if let Some(sep) = separator_len(rest)
            && let Some(p) = PRESENT_WORD.find(&rest[sep..])
        {
            out.push(Found {
                start,
                end: None,
                present: true,
                range: true,
                span: span.start..span.end + sep + p.end(),
            });
            i += 1;
            continue;
        }
        // "Since 2020".
        if let Some(since) = SINCE_WORD.find(&line[..span.start]) {
            out.push(Found {
                start,
                end: None,
                present: true,
                range: true,
                span: since.start()..span.end,
            });
            i += 1;
            continue;
        }
        // A season alone is a range of its own: "Summer 2025" is June to
        // August (an internship), not an open-ended start.
        if let Some(end) = season_end(&line[span.clone()]) {
            out.push(Found { start, end: Some(end), present: false, range: true, span });
            i += 1;
            continue;
        }
        out.push(Found { start, end: None, present: false, range: false, span });
        i += 1;
    }
    out
}

/// The last month of a season date (`Summer 2025` → `2025-08`).
fn season_end(s: &str) -> Option<String> {
    let c = DATE.captures(s)?;
    let (season, year) = (c.name("season")?, c.name("y2")?);
    let start = SEASONS.iter().find(|(n, _)| *n == season.as_str().to_lowercase())?.1;
    Some(format!("{}-{:02}", year.as_str(), start + 2))
}

/// The length of a range separator at the start of `s`, if one is there.
fn separator_len(s: &str) -> Option<usize> {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    for sep in [
        "–", "—", "‒", "―", "-", "~", "to ", "till ", "until ", "bis ", "à ", "au ",
        "a ", "al ", "hasta ", "até ", "ate ",
    ] {
        if trimmed.len() >= sep.len()
            && trimmed.is_char_boundary(sep.len())
            && trimmed[..sep.len()].eq_ignore_ascii_case(sep)
        {
            return Some(lead + sep.len());
        }
    }
    None
}

/// The date expression of an entry's head line: ranges over single dates,
/// an expression in its own column (after a tab) or at the end of the
/// line over one inside the text, and never one in parentheses when
/// another exists (`Engineer (from 2019-04)   2017 – 2021`).
pub(crate) fn best(line: &str) -> Option<Found> {
    let all = find_all(line);
    let score = |f: &Found| {
        let before = &line[..f.span.start];
        let after = line[f.span.end..].trim();
        let mut s = 0i32;
        if f.range {
            s += 4;
        }
        if f.start.as_deref().is_some_and(|d| d.len() == 7) {
            s += 1;
        }
        if after.is_empty()
            || after.starts_with('\t')
            || line[f.span.end..].starts_with('\t')
        {
            s += 2;
        }
        if before.trim_end().ends_with('\t')
            || before.ends_with('\t')
            || before.trim().is_empty()
        {
            s += 2;
        }
        s
    };
    // A date inside a remark is never the entry's date.
    all.into_iter()
        .filter(|f| !in_parens(line, f))
        .max_by_key(|f| (score(f), std::cmp::Reverse(f.span.start)))
}

/// Whether `line` holds a date range or a month-precise date, the mark of
/// an entry's head line (a bare year in a sentence is not).
pub(crate) fn has_head_date(line: &str) -> bool {
    find_all(line).iter().any(|f| {
        !in_parens(line, f)
            && (f.range || f.start.as_deref().is_some_and(|d| d.len() == 7))
    })
}

/// Whether a date sits inside a parenthesis with other words (`(from
/// 2019-04)`, a remark in a title); a parenthesis holding only the date,
/// `(09/2020–now)`, is the entry's own date.
fn in_parens(line: &str, f: &Found) -> bool {
    let before = &line[..f.span.start];
    if before.matches('(').count() <= before.matches(')').count() {
        return false;
    }
    let opened = before.rfind('(').map_or("", |p| &before[p + 1..]);
    let after = &line[f.span.end..];
    let closes = after.trim_start().starts_with(')');
    !(opened.trim().is_empty() && closes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(s: &str) -> (Option<String>, Option<String>, bool) {
        let f = best(s).unwrap_or_else(|| panic!("no date in {s:?}"));
        (f.start, f.end, f.present)
    }

    #[test]
    fn ranges_as_people_write_them() {
        let s = |v: &str| Some(v.to_string());
        let table: &[(&str, Option<String>, Option<String>, bool)] = &[
            ("Mar 2021 – Present", s("2021-03"), None, true),
            ("March 2021 - Current", s("2021-03"), None, true),
            ("03/2021–now", s("2021-03"), None, true),
            ("2021-03 – 2022-01", s("2021-03"), s("2022-01"), false),
            ("2019 - 2022", s("2019"), s("2022"), false),
            ("Jan. 2020 to Dec. 2021", s("2020-01"), s("2021-12"), false),
            ("Summer 2017", s("2017-06"), s("2017-08"), false),
            ("Summer 2016 – Fall 2017", s("2016-06"), s("2017-09"), false),
            ("07.2026 – heute", s("2026-07"), None, true),
            ("Since 2020", s("2020"), None, true),
            ("2020 – today", s("2020"), None, true),
            ("März 2019 – heute", s("2019-03"), None, true),
            ("Okt. 2015 bis Dez. 2018", s("2015-10"), s("2018-12"), false),
            ("janvier 2018 – aujourd'hui", s("2018-01"), None, true),
            ("févr. 2016 - déc. 2017", s("2016-02"), s("2017-12"), false),
            ("enero de 2020 – actualidad", s("2020-01"), None, true),
            ("septiembre 2014 - marzo 2016", s("2014-09"), s("2016-03"), false),
            ("março de 2019 – atual", s("2019-03"), None, true),
            ("01.10.2013 – 31.08.2015", s("2013-10"), s("2015-08"), false),
            ("Sep 2012 – Jun 2016", s("2012-09"), s("2016-06"), false),
            ("Seit 04/2021", s("2021-04"), None, true),
            ("Acme Corp\tApr 2021 – Present", s("2021-04"), None, true),
            (
                "Engineer (from 2019-04)\tFeb 2017 – Mar 2021",
                s("2017-02"),
                s("2021-03"),
                false,
            ),
            ("2019—2021", s("2019"), s("2021"), false),
            ("Sept 2019 – May 2020", s("2019-09"), s("2020-05"), false),
        ];
        for (text, start, end, present) in table {
            assert_eq!(range(text), (start.clone(), end.clone(), *present), "{text}");
        }
    }

    #[test]
    fn single_dates_and_non_dates() {
        assert_eq!(parse_date("June 2022").as_deref(), Some("2022-06"));
        assert_eq!(parse_date("2022").as_deref(), Some("2022"));
        assert_eq!(parse_date("2022-06-14").as_deref(), Some("2022-06"));
        assert_eq!(parse_date("in 2022"), None);
        assert!(best("Reduced latency by 40 ms").is_none());
        assert!(!has_head_date("Cut costs by 31% in 2024"));
        assert!(has_head_date("Acme — Engineer — 2019 – 2021"));
        // A year in the 1800s or a four-digit number is not a date.
        assert!(best("served 1850 customers").is_none());
    }
}
