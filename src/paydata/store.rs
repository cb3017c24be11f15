//! Step 3 of an import: the pay-data store, one versioned JSON file per
//! source under the packs' `paydata/` directory, and the merge of a new
//! file's records into it. The file is written in a fixed order (rows and
//! dropped cases by id, one per line) with no import time in it, so
//! importing the same file twice leaves the same bytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Format of the store files.
pub const STORE_SCHEMA: u32 = 1;

/// One source's pay data.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Store {
    /// [`STORE_SCHEMA`].
    pub schema_version: u32,
    /// `lca` or `csv`.
    pub format: String,
    /// Who published the data, as the playbook prints it.
    pub label: String,
    /// Every file imported, once each (by content hash).
    #[serde(default)]
    pub files: Vec<ImportedFile>,
    /// Counted observations, by id.
    #[serde(default)]
    pub rows: Vec<PayRow>,
    /// Cases of the seven companies whose latest record does not count
    /// (withdrawn, denied, unmapped...), kept so that an older file
    /// imported later cannot bring them back.
    #[serde(default)]
    pub dropped: Vec<Dropped>,
}

/// A file that was imported.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ImportedFile {
    /// File name as given.
    pub name: String,
    /// blake3 of its bytes.
    pub blake3: String,
    /// Data rows read.
    pub rows: usize,
}

/// One observation: a certified LCA case or a generic-CSV report.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PayRow {
    /// LCA case number, or `csv-` and a content hash for the generic CSV.
    pub id: String,
    /// Company id.
    pub company: String,
    /// Role id.
    pub role: String,
    /// Company level id.
    pub level: String,
    /// Metro id.
    pub metro: String,
    /// ISO currency.
    pub currency: String,
    /// Annual base pay, whole currency units.
    pub base: i64,
    /// Annual bonus, when the data has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus: Option<i64>,
    /// Equity per year, when the data has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equity: Option<i64>,
    /// Decision date (LCA) or report date (CSV), `YYYY-MM-DD`.
    pub date: String,
    /// The source of the row (generic CSV: its `source` column).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// As filed, for audit: employer, title, SOC code, worksite, wage.
    pub filed: Filed,
}

/// The record's own words, kept so a figure can be traced to its filing.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Filed {
    /// Employer as filed.
    pub employer: String,
    /// Job title as filed.
    pub title: String,
    /// SOC code (LCA).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub soc: String,
    /// Worksite or location as filed.
    pub worksite: String,
    /// Wage as filed (`90.00 Hour`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub wage: String,
    /// Visa class (LCA: `H-1B`, `E-3 Australian`, ...).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub visa: String,
}

impl PayRow {
    /// Total compensation, only when the row has bonus and equity.
    pub fn total(&self) -> Option<i64> {
        Some(self.base + self.bonus? + self.equity?)
    }
}

/// A case that no longer counts.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Dropped {
    /// Case number.
    pub id: String,
    /// Decision date of the record that dropped it.
    pub date: String,
    /// Why.
    pub reason: String,
}

/// What happened to one case in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Change {
    Added,
    Replaced,
    Unchanged,
    Removed,
    Older,
}

/// The outcome of one case of the new file.
pub(crate) enum Entry {
    Row(Box<PayRow>),
    Drop(Dropped),
}

impl Entry {
    fn id(&self) -> &str {
        match self {
            Entry::Row(r) => &r.id,
            Entry::Drop(d) => &d.id,
        }
    }
    fn date(&self) -> &str {
        match self {
            Entry::Row(r) => &r.date,
            Entry::Drop(d) => &d.date,
        }
    }
}

impl Store {
    /// An empty store for a format.
    pub fn new(format: &str, label: &str) -> Self {
        Store {
            schema_version: STORE_SCHEMA,
            format: format.into(),
            label: label.into(),
            ..Store::default()
        }
    }

    /// Merges one case: the record with the later date (ISO dates compare
    /// as text) decides; on the same date the new file wins, so re-importing
    /// a corrected file takes effect and re-importing the same file changes
    /// nothing.
    pub(crate) fn merge(
        entry: Entry,
        rows: &mut BTreeMap<String, PayRow>,
        dropped: &mut BTreeMap<String, Dropped>,
    ) -> Change {
        let id = entry.id().to_owned();
        let old_date = rows
            .get(&id)
            .map(|r| r.date.clone())
            .or_else(|| dropped.get(&id).map(|d| d.date.clone()));
        if old_date.as_deref().is_some_and(|d| d > entry.date()) {
            return Change::Older;
        }
        let had_row = rows.contains_key(&id);
        match entry {
            Entry::Row(r) => {
                dropped.remove(&id);
                let r = *r;
                match rows.insert(id, r.clone()) {
                    Some(old) if old == r => Change::Unchanged,
                    Some(_) => Change::Replaced,
                    None => Change::Added,
                }
            }
            Entry::Drop(d) => {
                rows.remove(&id);
                dropped.insert(id, d);
                if had_row { Change::Removed } else { Change::Unchanged }
            }
        }
    }

    /// The file's text: a pretty header, then one row per line.
    pub fn to_json(&self) -> String {
        let mut s = String::new();
        s.push_str("{\n");
        s.push_str(&format!("  \"schema_version\": {},\n", self.schema_version));
        s.push_str(&format!("  \"format\": {},\n", json(&self.format)));
        s.push_str(&format!("  \"label\": {},\n", json(&self.label)));
        lines(&mut s, "files", &self.files, false);
        lines(&mut s, "rows", &self.rows, false);
        lines(&mut s, "dropped", &self.dropped, true);
        s.push_str("}\n");
        s
    }
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("pay data serialises")
}

fn lines<T: Serialize>(s: &mut String, key: &str, items: &[T], last: bool) {
    s.push_str(&format!("  \"{key}\": ["));
    for (i, item) in items.iter().enumerate() {
        s.push_str(if i == 0 { "\n    " } else { ",\n    " });
        s.push_str(&json(item));
    }
    s.push_str(if items.is_empty() { "]" } else { "\n  ]" });
    s.push_str(if last { "\n" } else { ",\n" });
}
