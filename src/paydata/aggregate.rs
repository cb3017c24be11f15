//! Step 4: figures per company × role × level × metro × currency and
//! source. Currencies are never mixed: a cell holds one currency, and no
//! amount is converted (that would need a dated rate the data does not
//! carry).

use std::collections::BTreeMap;

use serde::Serialize;

use super::store::{PayRow, Store};

/// Below this many observations a cell's figures are not shown; the
/// playbook falls back to the packs' estimate. Five keeps one outlier from
/// moving the median far, and matches the smallest sample that public
/// salary sites publish.
pub const MIN_N: usize = 5;

/// Median and interquartile range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quartiles {
    /// 25th percentile.
    pub p25: i64,
    /// Median.
    pub median: i64,
    /// 75th percentile.
    pub p75: i64,
}

/// The `q` quantile of sorted values by linear interpolation between the
/// closest ranks (h = (n − 1)·q; the method of R's default, NumPy's
/// `linear` and Excel's `QUARTILE.INC`), so the median of an even count is
/// the mean of the middle two.
fn quantile(sorted: &[i64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] as f64 + (h - lo as f64) * (sorted[hi] - sorted[lo]) as f64
}

/// Quartiles of values (any order), rounded to whole units; `None` when empty.
pub fn quartiles(values: &[i64]) -> Option<Quartiles> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let r = |q| quantile(&v, q).round() as i64;
    Some(Quartiles { p25: r(0.25), median: r(0.5), p75: r(0.75) })
}

/// The figures of one cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    /// Company id.
    pub company: String,
    /// Role id.
    pub role: String,
    /// Level id.
    pub level: String,
    /// Metro id.
    pub metro: String,
    /// ISO currency.
    pub currency: String,
    /// Store name (`lca`).
    pub store: String,
    /// The store's label and, for the generic CSV, the rows' own sources.
    pub source: String,
    /// Observations.
    pub n: usize,
    /// Annual base pay.
    pub base: Quartiles,
    /// Observations with total compensation (base, bonus and equity).
    pub total_n: usize,
    /// Total compensation, from the rows that have it.
    pub total: Option<Quartiles>,
    /// Earliest date (`YYYY-MM-DD`).
    pub from: String,
    /// Latest date.
    pub to: String,
}

impl Cell {
    /// Whether there are enough observations to show the figures.
    pub fn shown(&self) -> bool {
        self.n >= MIN_N
    }
}

/// Every cell of one store, in key order.
pub(crate) fn cells(name: &str, store: &Store) -> Vec<Cell> {
    let mut groups: BTreeMap<(&str, &str, &str, &str, &str), Vec<&PayRow>> =
        BTreeMap::new();
    for r in &store.rows {
        groups
            .entry((&r.company, &r.role, &r.level, &r.metro, &r.currency))
            .or_default()
            .push(r);
    }
    groups
        .into_iter()
        .map(|((company, role, level, metro, currency), rows)| {
            let base: Vec<i64> = rows.iter().map(|r| r.base).collect();
            let total: Vec<i64> = rows.iter().filter_map(|r| r.total()).collect();
            let mut sources: Vec<&str> = rows
                .iter()
                .map(|r| r.source.as_str())
                .filter(|s| !s.is_empty())
                .collect();
            sources.sort_unstable();
            sources.dedup();
            let source = if sources.is_empty() {
                store.label.clone()
            } else {
                format!("{} ({})", store.label, sources.join("; "))
            };
            Cell {
                company: company.into(),
                role: role.into(),
                level: level.into(),
                metro: metro.into(),
                currency: currency.into(),
                store: name.into(),
                source,
                n: rows.len(),
                base: quartiles(&base).expect("a group has rows"),
                total_n: total.len(),
                total: quartiles(&total),
                from: rows
                    .iter()
                    .map(|r| r.date.as_str())
                    .min()
                    .unwrap_or_default()
                    .into(),
                to: rows.iter().map(|r| r.date.as_str()).max().unwrap_or_default().into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quartiles_interpolate_between_closest_ranks() {
        // Worked by hand: n = 4, h = 0.75, 1.5, 2.25.
        let q = quartiles(&[40, 10, 30, 20]).unwrap();
        assert_eq!(q, Quartiles { p25: 18, median: 25, p75: 33 });
        assert_eq!(quartiles(&[7]).unwrap(), Quartiles { p25: 7, median: 7, p75: 7 });
        assert_eq!(quartiles(&[]), None);
    }
}
