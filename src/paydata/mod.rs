//! Pay data: dated, sourced salary figures that an operator imports
//! (`prepbook paydata import`) from the Department of Labor's LCA
//! disclosure files or a documented generic CSV, and that the playbook's
//! compensation section shows in place of the packs' estimates.
//! Responsible for reading those files, attributing each record to a
//! company, role, level and metro by the mapping in
//! `packs/paydata/mapping.json`, keeping the store files beside it, and
//! the figures per cell; not for wording (the compensation template) and
//! not for choosing the candidate's level (analysis).
//!
//! # Steps of an import
//! 1. **read** — CSV to typed records, malformed lines rejected by line.
//! 2. **classify** — each record counted, excluded (not a certified
//!    full-time wage) or unmapped (by reason), using the [`Mapping`].
//! 3. **store** — cases merged into the store file by id, the latest
//!    decision winning ([`Store`]).
//! 4. **aggregate** — median and IQR per cell ([`Cell`]), shown from
//!    [`MIN_N`] observations.
//!
//! ```no_run
//! let packs = prepbook::Packs::embedded()?;
//! let opts = prepbook::paydata::ImportOptions::new(prepbook::paydata::Format::Lca);
//! let report = prepbook::paydata::import_file(
//!     "LCA_Disclosure_Data_FY2025_Q1.csv".as_ref(),
//!     "report_templates/packs/paydata/lca.json".as_ref(),
//!     &packs,
//!     &opts,
//! )?;
//! println!("{report}");
//! # Ok::<(), prepbook::Error>(())
//! ```

mod aggregate;
mod check;
mod classify;
mod mapping;
mod read;
mod report;
mod store;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

pub use aggregate::{Cell, MIN_N, Quartiles, quartiles};
pub use check::check;
pub use classify::PLAUSIBLE_BASE;
pub use mapping::{
    CompanyMap, LevelRule, Mapping, Metro, Place, RoleRule, SocMap, Unmapped,
};
pub use read::{Limits, Rejection};
pub use report::{
    Changes, EXAMPLES, Example, ImportReport, LISTED_REJECTIONS, ReasonCount,
};
pub use store::{Dropped, Filed, ImportedFile, PayRow, STORE_SCHEMA, Store};
pub use view::{Figure, LevelPay, MetroPick, PayView, recommended_level};

use self::classify::Outcome;
use self::mapping::Mapper;
use self::store::{Change, Entry};
use crate::error::{Diagnostic, Error, Result, Stage};
use crate::packs::Packs;

/// The mapping shipped in the binary (`packs/paydata/mapping.json`).
fn embedded_mapping() -> &'static [u8] {
    crate::assets::TEMPLATES
        .iter()
        .find(|(n, _)| *n == "packs/paydata/mapping.json")
        .map(|(_, b)| *b)
        .expect("the paydata mapping is embedded")
}

/// Loaded pay data: the mapping, every store and their cells (cheap to
/// clone; shared by every render).
#[derive(Clone, Default)]
pub struct PayData(Arc<Inner>);

#[derive(Default)]
struct Inner {
    mapping: Mapping,
    mapper: Option<Mapper>,
    stores: BTreeMap<String, Store>,
    cells: Vec<Cell>,
}

impl std::fmt::Debug for PayData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayData")
            .field("stores", &self.0.stores.keys().collect::<Vec<_>>())
            .field("cells", &self.0.cells.len())
            .finish()
    }
}

impl PayData {
    /// Pay data from the packs' `paydata/` files (names relative to that
    /// directory): `mapping.json` (the embedded one when absent) and one
    /// store per other `*.json`, named after the file.
    pub(crate) fn from_files<'a>(
        files: &[(String, &'a [u8])],
        root: &str,
    ) -> Result<Self> {
        let mut diags = Vec::new();
        let label = |n: &str| format!("{root}/paydata/{n}");
        let mapping_bytes: &'a [u8] = files
            .iter()
            .find(|(n, _)| n == "mapping.json")
            .map(|(_, b)| *b)
            .unwrap_or_else(|| embedded_mapping());
        let mapping = parse::<Mapping>(mapping_bytes, &label("mapping.json"))
            .map_err(|d| diags.push(d))
            .unwrap_or_default();
        let mut stores = BTreeMap::new();
        for (name, bytes) in files {
            let Some(stem) = name.strip_suffix(".json") else { continue };
            if stem == "mapping" {
                continue;
            }
            match parse::<Store>(bytes, &label(name)) {
                Ok(s) => {
                    stores.insert(stem.to_owned(), s);
                }
                Err(d) => diags.push(d),
            }
        }
        if !diags.is_empty() {
            return Err(Error::invalid(Stage::Packs, "invalid pay data", diags));
        }
        let cells = stores.iter().flat_map(|(n, s)| aggregate::cells(n, s)).collect();
        let mapper = Some(Mapper::new(&mapping));
        Ok(PayData(Arc::new(Inner { mapping, mapper, stores, cells })))
    }

    /// The attribution rules.
    pub fn mapping(&self) -> &Mapping {
        &self.0.mapping
    }

    /// Stores by name.
    pub fn stores(&self) -> &BTreeMap<String, Store> {
        &self.0.stores
    }

    /// Every cell of every store, by store then key.
    pub fn cells(&self) -> &[Cell] {
        &self.0.cells
    }

    fn mapper(&self) -> Option<&Mapper> {
        self.0.mapper.as_ref()
    }
}

fn parse<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
    label: &str,
) -> std::result::Result<T, Diagnostic> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| Diagnostic::new("expected UTF-8 text").in_file(label))?;
    crate::model::json::parse_pack(text, label)
}

/// The two input formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The Department of Labor's LCA disclosure data, as CSV.
    Lca,
    /// The generic CSV (`company,title,level,location,base,bonus,
    /// equity_per_year,currency,date,source`).
    Csv,
}

impl Format {
    /// `lca` or `csv`.
    pub fn id(self) -> &'static str {
        match self {
            Format::Lca => "lca",
            Format::Csv => "csv",
        }
    }

    /// The store name when none is given.
    pub fn default_store(self) -> &'static str {
        match self {
            Format::Lca => "lca",
            Format::Csv => "reported",
        }
    }

    fn default_label(self) -> &'static str {
        match self {
            Format::Lca => {
                "US Department of Labor, OFLC LCA disclosure data (certified cases; base wage as filed)"
            }
            Format::Csv => "imported pay data",
        }
    }
}

/// How to import.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The file's format.
    pub format: Format,
    /// The source as the playbook prints it; default: the store's label,
    /// or the format's.
    pub label: Option<String>,
    /// Start from an empty store instead of merging into it.
    pub replace: bool,
    /// Size limits.
    pub limits: Limits,
}

impl ImportOptions {
    /// Defaults for a format: merge, default limits, existing label.
    pub fn new(format: Format) -> Self {
        Self { format, label: None, replace: false, limits: Limits::default() }
    }
}

/// Imports one file into the store at `store_path` (created if missing)
/// and writes it atomically. The mapping is `mapping.json` next to the
/// store when there is one, else the packs' mapping.
pub fn import_file(
    file: &Path,
    store_path: &Path,
    packs: &Packs,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let meta = std::fs::metadata(file).map_err(|e| Error::io(Stage::PayData, file, e))?;
    let shown = file.display().to_string();
    if meta.len() > opts.limits.max_file_bytes {
        return Err(refuse(
            &shown,
            format!(
                "the file is {} bytes, over the limit of {} (max_file_bytes)",
                meta.len(),
                opts.limits.max_file_bytes
            ),
        ));
    }
    let existing = if store_path.is_file() {
        let bytes = std::fs::read(store_path)
            .map_err(|e| Error::io(Stage::PayData, store_path, e))?;
        let s: Store = parse(&bytes, &store_path.display().to_string()).map_err(|d| {
            Error::invalid(Stage::PayData, "invalid pay-data store", vec![d])
        })?;
        Some(s)
    } else {
        None
    };
    let sibling = store_path.with_file_name("mapping.json");
    let own;
    let mapping = if sibling.is_file() {
        let bytes = std::fs::read(&sibling)
            .map_err(|e| Error::io(Stage::PayData, &sibling, e))?;
        own = parse::<Mapping>(&bytes, &sibling.display().to_string()).map_err(|d| {
            Error::invalid(Stage::PayData, "invalid pay-data mapping", vec![d])
        })?;
        &own
    } else {
        packs.pay.mapping()
    };
    let input =
        std::fs::File::open(file).map_err(|e| Error::io(Stage::PayData, file, e))?;
    let name =
        file.file_name().map_or(shown.clone(), |n| n.to_string_lossy().into_owned());
    let (store, mut report) = import(input, &name, existing, mapping, packs, opts)?;
    report.store = store_path.display().to_string();
    let stem = store_path.file_stem().map(|s| s.to_string_lossy().into_owned());
    for c in &mut report.coverage {
        c.store = stem.clone().unwrap_or_default();
    }
    if let Some(dir) = store_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(Stage::PayData, dir, e))?;
    }
    crate::write_atomic(store_path, store.to_json().as_bytes())?;
    Ok(report)
}

fn refuse(file: &str, msg: String) -> Error {
    Error::invalid(
        Stage::PayData,
        "cannot import pay data",
        vec![Diagnostic::new(msg).in_file(file)],
    )
}

/// Counts bytes and hashes them as the CSV reader pulls them, so the file
/// is read once and a stream is held to the byte limit too.
struct Hashing<R> {
    inner: R,
    hasher: blake3::Hasher,
    bytes: u64,
    limit: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        if self.bytes > self.limit {
            return Err(std::io::Error::other(format!(
                "more than {} bytes (max_file_bytes)",
                self.limit
            )));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Imports `input` (named `name` in the report and the store) into
/// `existing` (or a new store) and returns the new store and the report.
/// Pure: reads nothing but `input` and writes nothing.
pub fn import(
    input: impl Read,
    name: &str,
    existing: Option<Store>,
    mapping: &Mapping,
    packs: &Packs,
    opts: &ImportOptions,
) -> Result<(Store, ImportReport)> {
    let diags = check::check_mapping(mapping, packs, "mapping.json");
    if !diags.is_empty() {
        return Err(Error::invalid(Stage::PayData, "invalid pay-data mapping", diags));
    }
    let m = Mapper::new(mapping);
    let fmt = opts.format;
    let mut store = existing.unwrap_or_else(|| Store::new(fmt.id(), fmt.default_label()));
    if store.format != fmt.id() {
        return Err(refuse(
            name,
            format!(
                "the store holds {} data; import {} data into a store of its own (--name)",
                store.format,
                fmt.id()
            ),
        ));
    }
    if opts.replace {
        store = Store { label: store.label, ..Store::new(fmt.id(), fmt.default_label()) };
    }
    if let Some(label) = &opts.label {
        store.label.clone_from(label);
    }
    let mut report = ImportReport::new(name, fmt.id());
    let mut reader = Hashing {
        inner: input,
        hasher: blake3::Hasher::new(),
        bytes: 0,
        limit: opts.limits.max_file_bytes,
    };
    // Each case once: the record with the latest decision (the later line
    // on the same date) stands for it, as the disclosure files are
    // cumulative through the fiscal year.
    let mut cases: HashMap<String, (String, Outcome, u64)> = HashMap::new();
    let mut duplicates = 0;
    let mut keep = |id: String, date: String, line: u64, outcome: Outcome| {
        match cases.get(&id) {
            Some((d, _, l)) if (d.as_str(), *l) > (date.as_str(), line) => {
                duplicates += 1;
                return;
            }
            Some(_) => duplicates += 1,
            None => {}
        }
        cases.insert(id, (date, outcome, line));
    };
    let mut unmapped_employers: Vec<(String, u64)> = Vec::new();
    let stats = match fmt {
        Format::Lca => read::read_lca(&mut reader, name, &opts.limits, |r| {
            match m.company(&r.employer) {
                None => unmapped_employers.push((r.employer.clone(), r.line)),
                Some(company) => {
                    let outcome = classify::lca(&r, company, &m, packs);
                    keep(r.case.clone(), r.decision.to_string(), r.line, outcome);
                }
            }
        }),
        Format::Csv => {
            let mut seen: HashMap<String, usize> = HashMap::new();
            read::read_generic(&mut reader, name, &opts.limits, |r| {
                let Some(company) = classify::generic_company(&r, &m) else {
                    unmapped_employers.push((r.company.clone(), r.line));
                    return;
                };
                let id = r.id.clone().unwrap_or_else(|| {
                    // Identical reports in one file stay separate reports:
                    // the n-th copy hashes with n, so the same file gives
                    // the same ids every time it is imported.
                    let key = format!(
                        "{company}|{}|{}|{}|{}|{:?}|{:?}|{}|{}|{}",
                        r.title,
                        r.level,
                        r.location,
                        r.base,
                        r.bonus,
                        r.equity,
                        r.currency,
                        r.date,
                        r.source
                    );
                    let n = seen.entry(key.clone()).or_default();
                    *n += 1;
                    let h = blake3::hash(format!("{key}|{n}").as_bytes());
                    format!("csv-{}", &h.to_hex()[..16])
                });
                let outcome = classify::generic(&r, id.clone(), &company, &m, packs);
                keep(id, r.date.to_string(), r.line, outcome);
            })
        }
    }?;
    report.rows_read = stats.rows;
    report.set_rejections(stats.rejected);
    for (employer, line) in unmapped_employers {
        report.unmapped(Unmapped::Employer, employer, line);
    }
    report.duplicates = duplicates;
    let mut rows: BTreeMap<String, PayRow> =
        std::mem::take(&mut store.rows).into_iter().map(|r| (r.id.clone(), r)).collect();
    let mut dropped: BTreeMap<String, Dropped> = std::mem::take(&mut store.dropped)
        .into_iter()
        .map(|d| (d.id.clone(), d))
        .collect();
    let mut ids: Vec<String> = cases.keys().cloned().collect();
    ids.sort();
    for id in ids {
        let (date, outcome, line) = cases.remove(&id).expect("id from the map");
        let entry = match outcome {
            Outcome::Counted(row) => {
                report.counted += 1;
                Entry::Row(row)
            }
            Outcome::Excluded(why) => {
                let key = why.key();
                *report.excluded.entry(key.clone()).or_default() += 1;
                Entry::Drop(Dropped { id, date, reason: key })
            }
            Outcome::Unmapped(why, value) => {
                report.unmapped(why, value, line);
                Entry::Drop(Dropped { id, date, reason: why.describe().into() })
            }
        };
        match Store::merge(entry, &mut rows, &mut dropped) {
            Change::Added => report.changes.added += 1,
            Change::Replaced => report.changes.replaced += 1,
            Change::Unchanged => report.changes.unchanged += 1,
            Change::Removed => report.changes.removed += 1,
            Change::Older => report.changes.older += 1,
        }
    }
    store.rows = rows.into_values().collect();
    store.dropped = dropped.into_values().collect();
    let hash = reader.hasher.finalize().to_hex().to_string();
    report.already_imported = store.files.iter().any(|f| f.blake3 == hash);
    if !report.already_imported {
        store.files.push(ImportedFile {
            name: name.into(),
            blake3: hash,
            rows: stats.rows,
        });
    }
    report.finish();
    report.store_rows = store.rows.len();
    report.coverage = aggregate::cells(fmt.default_store(), &store);
    Ok((store, report))
}

impl PayData {
    /// What the compensation section shows for this order (see [`PayView`]).
    pub fn view(
        &self,
        order: &crate::Order,
        analysis: &crate::Analysis,
        company: &crate::packs::CompanyPack,
        cr: &crate::packs::CompanyRole,
    ) -> PayView {
        match self.mapper() {
            Some(m) => view::build(self, m, order, analysis, company, cr),
            None => PayView::default(),
        }
    }
}
