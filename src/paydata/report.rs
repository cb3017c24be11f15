//! Step 5: the import report, as text for the operator and as JSON
//! (`--json`). Every row read is accounted for exactly once: rejected,
//! another employer, a superseded duplicate, excluded, unmapped or counted.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::aggregate::{Cell, MIN_N};
use super::mapping::Unmapped;
use super::read::Rejection;

/// Rejections listed one by one in the report; the count covers all.
pub const LISTED_REJECTIONS: usize = 1000;
/// Example values listed per unmapped reason (the most frequent first).
pub const EXAMPLES: usize = 5;

/// What one import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// The file imported.
    pub file: String,
    /// `lca` or `csv`.
    pub format: String,
    /// The store written.
    pub store: String,
    /// Data rows read (the header not counted).
    pub rows_read: usize,
    /// Rows that could not be read.
    pub rejected: usize,
    /// The first [`LISTED_REJECTIONS`] of them, by line.
    pub rejections: Vec<Rejection>,
    /// Records superseded by a later record of the same case.
    pub duplicates: usize,
    /// Cases that do not count, by reason (status, part-time, wage).
    pub excluded: BTreeMap<String, usize>,
    /// Records that could not be attributed, by reason.
    pub unmapped: BTreeMap<Unmapped, ReasonCount>,
    /// Cases counted from this file.
    pub counted: usize,
    /// What happened to the store.
    pub changes: Changes,
    /// Whether a file with the same bytes had been imported before.
    pub already_imported: bool,
    /// Rows in the store after the import.
    pub store_rows: usize,
    /// The store's cells after the import.
    pub coverage: Vec<Cell>,
    /// [`MIN_N`].
    pub min_n: usize,
}

/// One unmapped reason.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ReasonCount {
    /// What it means.
    pub describe: String,
    /// Records.
    pub count: usize,
    /// The most frequent values, with their first line.
    pub examples: Vec<Example>,
    #[serde(skip)]
    values: BTreeMap<String, (usize, u64)>,
}

/// A value that could not be mapped.
#[derive(Debug, Clone, Serialize)]
pub struct Example {
    /// The value (employer, title, SOC code, worksite).
    pub value: String,
    /// Records with it.
    pub count: usize,
    /// First line with it.
    pub line: u64,
}

/// Store changes.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Changes {
    /// New rows.
    pub added: usize,
    /// Rows replaced by a record at least as recent.
    pub replaced: usize,
    /// Cases whose row (or drop) stayed as it was.
    pub unchanged: usize,
    /// Rows removed because the latest record no longer counts.
    pub removed: usize,
    /// Records older than what the store has, ignored.
    pub older: usize,
}

impl ImportReport {
    pub(crate) fn new(file: &str, format: &str) -> Self {
        Self { file: file.into(), format: format.into(), min_n: MIN_N, ..Self::default() }
    }

    pub(crate) fn set_rejections(&mut self, mut all: Vec<Rejection>) {
        self.rejected = all.len();
        all.truncate(LISTED_REJECTIONS);
        self.rejections = all;
    }

    pub(crate) fn unmapped(&mut self, why: Unmapped, value: String, line: u64) {
        let r = self.unmapped.entry(why).or_insert_with(|| ReasonCount {
            describe: why.describe().into(),
            ..ReasonCount::default()
        });
        r.count += 1;
        r.values.entry(value).or_insert((0, line)).0 += 1;
    }

    /// Picks the examples, the most frequent values (ties by first line),
    /// once all records are in.
    pub(crate) fn finish(&mut self) {
        for r in self.unmapped.values_mut() {
            let mut top: Vec<(&String, &(usize, u64))> = r.values.iter().collect();
            top.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
            r.examples = top
                .into_iter()
                .take(EXAMPLES)
                .map(|(v, &(count, line))| Example { value: v.clone(), count, line })
                .collect();
        }
    }

    /// Records not counted because no rule attributes them.
    pub fn unmapped_total(&self) -> usize {
        self.unmapped.values().map(|r| r.count).sum()
    }
}

/// `$182,350`, or `GBP 85,000` for other currencies.
pub(crate) fn money(v: i64, currency: &str) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut s = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            s.push(',');
        }
        s.push(c);
    }
    let sign = if v < 0 { "-" } else { "" };
    if currency == "USD" {
        format!("{sign}${s}")
    } else {
        format!("{currency} {sign}{s}")
    }
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "imported {} ({}) into {}", self.file, self.format, self.store)?;
        if self.already_imported {
            writeln!(
                f,
                "  (these exact bytes were imported before; the store is unchanged by them)"
            )?;
        }
        writeln!(f, "rows read: {}", self.rows_read)?;
        writeln!(f, "  rejected (unreadable): {}", self.rejected)?;
        for r in &self.rejections {
            writeln!(f, "    line {}: {}", r.line, r.reason)?;
        }
        if self.rejected > self.rejections.len() {
            writeln!(f, "    ... and {} more", self.rejected - self.rejections.len())?;
        }
        writeln!(f, "  duplicates superseded by a later record: {}", self.duplicates)?;
        let excluded: usize = self.excluded.values().sum();
        writeln!(f, "  excluded: {excluded}")?;
        for (k, n) in &self.excluded {
            writeln!(f, "    {k}: {n}")?;
        }
        writeln!(f, "  unmapped: {}", self.unmapped_total())?;
        for r in self.unmapped.values() {
            writeln!(f, "    {}: {}", r.describe, r.count)?;
            for e in &r.examples {
                writeln!(
                    f,
                    "      {:?} × {} (first at line {})",
                    e.value, e.count, e.line
                )?;
            }
        }
        writeln!(f, "  counted: {}", self.counted)?;
        let c = &self.changes;
        writeln!(
            f,
            "store: {} rows ({} added, {} replaced, {} unchanged, {} removed, {} older records ignored)",
            self.store_rows, c.added, c.replaced, c.unchanged, c.removed, c.older
        )?;
        writeln!(
            f,
            "coverage (company role level metro currency: n, median base, IQR; shown from n = {}):",
            self.min_n
        )?;
        for cell in &self.coverage {
            write!(
                f,
                "  {} {} {} {} {}: n = {}, median {}, IQR {} – {}, {} to {}",
                cell.company,
                cell.role,
                cell.level,
                cell.metro,
                cell.currency,
                cell.n,
                money(cell.base.median, &cell.currency),
                money(cell.base.p25, &cell.currency),
                money(cell.base.p75, &cell.currency),
                cell.from,
                cell.to
            )?;
            if let Some(t) = &cell.total {
                write!(
                    f,
                    ", total median {} (n = {})",
                    money(t.median, &cell.currency),
                    cell.total_n
                )?;
            }
            writeln!(
                f,
                "{}",
                if cell.shown() { "" } else { "  [below minimum: not shown]" }
            )?;
        }
        Ok(())
    }
}
