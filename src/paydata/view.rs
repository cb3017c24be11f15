//! What the compensation section shows: for the candidate's company, role,
//! recommended level and the levels either side of it, the sourced figures
//! of the candidate's metro, with which levels fall back to the estimate.

use serde::Serialize;

use super::PayData;
use super::aggregate::MIN_N;
use super::mapping::Mapper;
use super::report::money;
use crate::analysis::Analysis;
use crate::model::Location;
use crate::model::{Job, Order};
use crate::packs::{CompanyPack, CompanyRole};

/// The analysis's recommended level id. Read through this one accessor so
/// that a change in how the analysis names it touches one line.
pub fn recommended_level(a: &Analysis) -> Option<&str> {
    a.level.as_ref().map(|l| l.recommended.as_str())
}

/// The pay data a playbook shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PayView {
    /// [`MIN_N`].
    pub min_n: usize,
    /// Whether any store has rows for this company and role.
    pub has_data: bool,
    /// The metro the figures are for.
    pub metro: Option<MetroPick>,
    /// The recommended level and its neighbours, in ladder order.
    pub levels: Vec<LevelPay>,
    /// Ids of the levels with at least one figure shown; the estimate is
    /// shown for the others.
    pub sourced: Vec<String>,
    /// Whether a shown figure has total compensation.
    pub any_total: bool,
    /// Whether a shown figure has base pay only (LCA data).
    pub base_only: bool,
}

/// How the metro was chosen.
#[derive(Debug, Clone, Serialize)]
pub struct MetroPick {
    /// Metro id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// `resume`, `resume_region` (the only metro of the resume's region),
    /// `job`, `job_region`, or `default` (the company's default metro).
    pub basis: &'static str,
    /// The location it came from, as written (empty for `default`).
    pub place: String,
}

/// One level's figures.
#[derive(Debug, Clone, Serialize)]
pub struct LevelPay {
    /// Level id.
    pub id: String,
    /// Level title.
    pub title: String,
    /// Whether this is the recommended level.
    pub recommended: bool,
    /// Figures with at least [`MIN_N`] observations, one per source and
    /// currency.
    pub figures: Vec<Figure>,
    /// Sources with fewer observations than that: `(source, n)`.
    pub thin: Vec<(String, usize)>,
    /// Other metros with figures for this level.
    pub elsewhere: Vec<String>,
}

/// One sourced figure, formatted for print.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    /// Who published the data.
    pub source: String,
    /// ISO currency.
    pub currency: String,
    /// Observations.
    pub n: usize,
    /// Median base.
    pub median: String,
    /// 25th percentile of base.
    pub p25: String,
    /// 75th percentile of base.
    pub p75: String,
    /// `Oct 2024 – Mar 2025`.
    pub dates: String,
    /// Total compensation: `(median, p25, p75, n)`, when the data has it.
    pub total: Option<(String, String, String, usize)>,
}

fn month(date: &str) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
        "Dec",
    ];
    let (y, rest) = date.split_once('-').unwrap_or((date, ""));
    let m: usize = rest.get(..2).and_then(|m| m.parse().ok()).unwrap_or(0);
    match MONTHS.get(m.wrapping_sub(1)) {
        Some(name) => format!("{name} {y}"),
        None => date.to_owned(),
    }
}

fn dates(from: &str, to: &str) -> String {
    let (a, b) = (month(from), month(to));
    if a == b { a } else { format!("{a} – {b}") }
}

fn place(loc: &Location) -> String {
    [loc.city.as_deref(), loc.region.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The metro of a location: its city exactly, else the only metro of its
/// region (or country).
fn locate(m: &Mapper, loc: &Location) -> Option<(usize, bool)> {
    let region = loc
        .region
        .as_deref()
        .filter(|r| !r.trim().is_empty())
        .or(loc.country_code.as_deref())?;
    if let Some(i) = loc.city.as_deref().and_then(|c| m.metro(c, region)) {
        return Some((i, true));
    }
    m.only_metro_in(region).map(|i| (i, false))
}

fn pick_metro(m: &Mapper, order: &Order, company: &str) -> Option<MetroPick> {
    let make = |i: usize, basis, place| {
        let (id, name) = m.metro_info(i);
        MetroPick { id: id.into(), name: name.into(), basis, place }
    };
    if let Some(loc) = &order.resume.basics.location
        && let Some((i, exact)) = locate(m, loc)
    {
        let basis = if exact { "resume" } else { "resume_region" };
        return Some(make(i, basis, place(loc)));
    }
    if let Some(Job::Doc(d)) = &order.job
        && let Some(loc) = &d.location
        && let Some((i, exact)) = locate(m, loc)
    {
        return Some(make(i, if exact { "job" } else { "job_region" }, place(loc)));
    }
    m.default_metro(company).map(|i| make(i, "default", String::new()))
}

pub(super) fn build(
    pay: &PayData,
    m: &Mapper,
    order: &Order,
    analysis: &Analysis,
    company: &CompanyPack,
    cr: &CompanyRole,
) -> PayView {
    let role = order.target.role.as_str();
    let cells: Vec<_> = pay
        .cells()
        .iter()
        .filter(|c| c.company == company.id && c.role == role)
        .collect();
    let mut view = PayView {
        min_n: MIN_N,
        has_data: !cells.is_empty(),
        metro: pick_metro(m, order, &company.id),
        ..PayView::default()
    };
    let Some(rec) = recommended_level(analysis) else { return view };
    let Some(at) = cr.levels.iter().position(|l| l.id == rec) else { return view };
    let metro = view.metro.as_ref().map(|p| p.id.clone()).unwrap_or_default();
    for l in &cr.levels[at.saturating_sub(1)..(at + 2).min(cr.levels.len())] {
        let here = cells.iter().filter(|c| c.level == l.id);
        let mut lp = LevelPay {
            id: l.id.clone(),
            title: l.title.clone(),
            recommended: l.id == rec,
            figures: Vec::new(),
            thin: Vec::new(),
            elsewhere: Vec::new(),
        };
        for c in here.clone().filter(|c| c.metro == metro) {
            if !c.shown() {
                lp.thin.push((c.source.clone(), c.n));
                continue;
            }
            let cur = &c.currency;
            lp.figures.push(Figure {
                source: c.source.clone(),
                currency: cur.clone(),
                n: c.n,
                median: money(c.base.median, cur),
                p25: money(c.base.p25, cur),
                p75: money(c.base.p75, cur),
                dates: dates(&c.from, &c.to),
                total: c.total.filter(|_| c.total_n >= MIN_N).map(|t| {
                    (
                        money(t.median, cur),
                        money(t.p25, cur),
                        money(t.p75, cur),
                        c.total_n,
                    )
                }),
            });
        }
        let mut elsewhere: Vec<_> = here
            .filter(|c| c.metro != metro && c.shown())
            .map(|c| (c.n, &c.metro))
            .collect();
        elsewhere.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        for (_, id) in elsewhere {
            let name = m
                .metro_by_name(id)
                .map_or(id.to_string(), |i| m.metro_info(i).1.to_string());
            if !lp.elsewhere.contains(&name) {
                lp.elsewhere.push(name);
            }
        }
        if !lp.figures.is_empty() {
            view.sourced.push(l.id.clone());
        }
        view.any_total |= lp.figures.iter().any(|f| f.total.is_some());
        view.base_only |= lp.figures.iter().any(|f| f.total.is_none());
        view.levels.push(lp);
    }
    view
}
