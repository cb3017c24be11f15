//! Scoring the analysis against labelled examples (`fixtures/analysis/`):
//! each case's labels say which statuses a reviewer accepts for each
//! requirement, which strengths must never be gaps, which gaps must rank
//! among the first three, and which levels a recruiter would sign. The
//! agreement is the share of labelled items the engine gets right; the
//! confusion matrix says where it disagrees. The evaluation test asserts a
//! floor and the bench prints the figures.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::index::{Cid, Mode, TaxonomyIndex};
use super::text::tokens;
use super::{Analysis, Status, What};
use crate::error::{Diagnostic, Error, Result, Stage};
use crate::model::{OrderDraft, PathPolicy};
use crate::packs::Packs;

/// One labelled case, as `case.json` holds it.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// Case id (the directory name).
    pub id: String,
    /// What the case is about.
    #[serde(default)]
    pub description: String,
    /// The order's target (company, role, dates).
    pub target: serde_json::Value,
    /// The labels.
    pub labels: Labels,
}

/// A reviewer's labels for one case.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Labels {
    /// Requirements and the statuses a reviewer accepts.
    #[serde(default)]
    pub requirements: Vec<RequirementLabel>,
    /// Clear strengths: never a gap.
    #[serde(default)]
    pub strengths: Vec<String>,
    /// Not a gap for other reasons.
    #[serde(default)]
    pub not_gaps: Vec<String>,
    /// Gaps that must be among the engine's first three.
    #[serde(default)]
    pub top_gaps: Vec<String>,
    /// Acceptable level ids.
    #[serde(default)]
    pub levels: Vec<String>,
}

/// One labelled requirement.
#[derive(Debug, Clone, Deserialize)]
pub struct RequirementLabel {
    /// The skill as the posting words it.
    #[serde(default)]
    pub text: Option<String>,
    /// A years requirement of this many years.
    #[serde(default)]
    pub years: Option<f64>,
    /// A degree requirement.
    #[serde(default)]
    pub degree: bool,
    /// Only preferred (degrees).
    #[serde(default)]
    pub preferred: bool,
    /// Acceptable statuses.
    pub status: Vec<Status>,
    /// The reviewer's reason.
    #[serde(default)]
    pub why: String,
}

/// How one labelled item came out.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// `requirement`, `strength`, `not_gap`, `top_gap` or `level`.
    pub kind: &'static str,
    /// The label's words.
    pub label: String,
    /// Whether the engine agrees.
    pub agree: bool,
    /// What the reviewer expected (first acceptable status, or the level).
    pub expected: String,
    /// What the engine said (`unextracted` when it found no such
    /// requirement).
    pub found: String,
}

/// One case's result.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    /// Case id.
    pub id: String,
    /// Every labelled item.
    pub items: Vec<Item>,
    /// Share of items agreed.
    pub agreement: f64,
}

/// The whole set's result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Per case.
    pub cases: Vec<CaseResult>,
    /// Items agreed over items labelled, across the set.
    pub agreement: f64,
    /// Labelled strengths the engine listed as gaps (must be zero).
    pub strengths_as_gaps: usize,
    /// Requirement statuses: expected → found → count.
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    /// Agreement per kind of item.
    pub by_kind: BTreeMap<String, (usize, usize)>,
}

/// Loads every case under `dir` (one directory each, with `case.json`,
/// `resume.json` and `job.txt` or `job.json`), sorted by id.
pub fn load(dir: &Path) -> Result<Vec<(Case, OrderDraft)>> {
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .map_err(|e| Error::io(Stage::Input, dir, e))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.json").is_file())
        .collect();
    dirs.sort();
    let mut out = Vec::new();
    for d in dirs {
        let case_path = d.join("case.json");
        let text = std::fs::read_to_string(&case_path)
            .map_err(|e| Error::io(Stage::Input, &case_path, e))?;
        let case: Case =
            crate::model::json::parse(&text, Some(&case_path.display().to_string()), "")
                .map_err(|diag| {
                    Error::invalid(Stage::Input, "invalid evaluation case", vec![diag])
                })?;
        let job = if d.join("job.json").is_file() { "job.json" } else { "job.txt" };
        let order = serde_json::json!({
            "order_id": case.id,
            "resume": {"path": "resume.json"},
            "job": {"path": job},
            "target": case.target,
        });
        let draft = OrderDraft::from_json(
            &order.to_string(),
            Some(&case_path.display().to_string()),
            &PathPolicy::within(d.clone()),
        )?;
        out.push((case, draft));
    }
    if out.is_empty() {
        return Err(Error::invalid(
            Stage::Input,
            "no evaluation cases",
            vec![
                Diagnostic::new("expected directories with case.json")
                    .in_file(dir.display().to_string()),
            ],
        ));
    }
    Ok(out)
}

fn concepts(ix: &TaxonomyIndex, text: &str) -> Vec<Cid> {
    let mut c: Vec<Cid> = ix.concepts_in(text, Mode::Prose).into_iter().collect();
    if c.is_empty() {
        c = ix.concepts_in(text, Mode::Keyword).into_iter().collect();
    }
    c
}

fn norm(s: &str) -> String {
    tokens(s).iter().map(|t| t.norm.as_str()).collect::<Vec<_>>().join(" ")
}

/// Whether a labelled term names a requirement or gap with these concepts
/// and this label: the concepts overlap (directly or one implying the
/// other), or, for a term the taxonomy does not know, the words match.
fn names(ix: &TaxonomyIndex, term: &str, cids: &[Cid], label: &str) -> bool {
    let want = concepts(ix, term);
    if !want.is_empty() {
        return want.iter().any(|&w| cids.iter().any(|&c| c == w || ix.implies(c, w)));
    }
    let (t, l) = (norm(term), norm(label));
    !t.is_empty() && (l.contains(&t) || t.contains(&l))
}

/// Whether a labelled term names a gap: the gap's concept is the term's
/// or broader than it (a gap in deep learning contradicts a PyTorch
/// strength; a gap in Dataflow does not contradict a stream-processing
/// strength).
fn names_gap(ix: &TaxonomyIndex, term: &str, cids: &[Cid], label: &str) -> bool {
    let want = concepts(ix, term);
    if !want.is_empty() {
        return want.iter().any(|&w| cids.iter().any(|&c| c == w || ix.implies(w, c)));
    }
    names(ix, term, cids, label)
}

/// Scores one analysis against its labels.
pub fn score_case(id: &str, labels: &Labels, a: &Analysis, packs: &Packs) -> CaseResult {
    let ix = packs.index();
    let mut items = Vec::new();
    for l in &labels.requirements {
        let want: Vec<Cid> =
            l.text.as_deref().map(|t| concepts(ix, t)).unwrap_or_default();
        let found = a.requirements.iter().filter(|r| {
            match (&r.requirement.what, l.degree, l.years) {
                (What::Degree { .. }, true, _) => {
                    !l.preferred || r.requirement.kind != super::Kind::Required
                }
                (What::Years { min, of }, false, Some(y)) => match &l.text {
                    None => of.is_empty() || (*min - y).abs() < 0.01,
                    Some(t) => {
                        let cids: Vec<Cid> = of.iter().map(|c| c.cid).collect();
                        (*min - y).abs() < 0.01
                            && (of.is_empty()
                                || names(ix, t, &cids, &r.requirement.label))
                    }
                },
                (What::Skill { any_of }, false, None) => {
                    let cids: Vec<Cid> = any_of.iter().map(|c| c.cid).collect();
                    l.text
                        .as_deref()
                        .is_some_and(|t| names(ix, t, &cids, &r.requirement.label))
                }
                _ => false,
            }
        });
        // The best match: most concepts in common, then posting order.
        let best = found.max_by_key(|r| {
            let overlap =
                r.requirement.concepts().iter().filter(|c| want.contains(&c.cid)).count();
            (
                overlap,
                std::cmp::Reverse(
                    r.requirement
                        .id
                        .trim_start_matches('r')
                        .parse::<usize>()
                        .unwrap_or(0),
                ),
            )
        });
        let label = match (&l.text, l.years, l.degree) {
            (Some(t), Some(y), _) => format!("{y}+ years: {t}"),
            (None, Some(y), _) => format!("{y}+ years"),
            (t, _, true) => t.clone().unwrap_or_else(|| "degree".into()),
            (Some(t), None, false) => t.clone(),
            (None, None, false) => "(empty label)".into(),
        };
        let expected =
            l.status.first().map_or("met".to_string(), |s| status_id(*s).to_string());
        let (agree, found) = match best {
            Some(r) => (l.status.contains(&r.status), status_id(r.status).to_string()),
            None => (false, "unextracted".to_string()),
        };
        items.push(Item { kind: "requirement", label, agree, expected, found });
    }
    let top3: Vec<&super::Gap> = a.gaps.iter().take(3).collect();
    let gap_names = |term: &str, gaps: &[&super::Gap]| -> Option<String> {
        gaps.iter()
            .find(|g| {
                let cids: Vec<Cid> = a
                    .requirements
                    .iter()
                    .find(|r| r.requirement.id == g.id)
                    .map(|r| r.requirement.concepts().iter().map(|c| c.cid).collect())
                    .unwrap_or_default();
                names_gap(ix, term, &cids, &g.label)
            })
            .map(|g| format!("gap {}: {}", g.rank, g.label))
    };
    let all: Vec<&super::Gap> = a.gaps.iter().collect();
    for (kind, terms) in [("strength", &labels.strengths), ("not_gap", &labels.not_gaps)]
    {
        for t in terms {
            let hit = gap_names(t, &all);
            items.push(Item {
                kind,
                label: t.clone(),
                agree: hit.is_none(),
                expected: "not a gap".into(),
                found: hit.unwrap_or_else(|| "not a gap".into()),
            });
        }
    }
    for t in &labels.top_gaps {
        let hit = gap_names(t, &top3);
        items.push(Item {
            kind: "top_gap",
            label: t.clone(),
            agree: hit.is_some(),
            expected: "in the first three gaps".into(),
            found: hit.unwrap_or_else(|| {
                gap_names(t, &all).map_or("not a gap".into(), |g| format!("lower ({g})"))
            }),
        });
    }
    if !labels.levels.is_empty() {
        let got = a.level.as_ref().map_or("none".to_string(), |l| l.recommended.clone());
        items.push(Item {
            kind: "level",
            label: labels.levels.join(" or "),
            agree: labels.levels.contains(&got),
            expected: labels.levels.join(" or "),
            found: got,
        });
    }
    let agreed = items.iter().filter(|i| i.agree).count();
    let agreement =
        if items.is_empty() { 1.0 } else { agreed as f64 / items.len() as f64 };
    CaseResult { id: id.to_string(), items, agreement }
}

fn status_id(s: Status) -> &'static str {
    match s {
        Status::Met => "met",
        Status::Partial => "partial",
        Status::Missing => "missing",
    }
}

/// Analyses and scores every case under `dir`.
pub fn run(dir: &Path, packs: &Packs) -> Result<Report> {
    let mut cases = Vec::new();
    for (case, draft) in load(dir)? {
        let order = draft.resolve(time::macros::date!(2026 - 12 - 01))?;
        let a = super::analyze(&order, packs)?;
        cases.push(score_case(&case.id, &case.labels, &a, packs));
    }
    Ok(summarise(cases))
}

/// Totals over the cases.
pub fn summarise(cases: Vec<CaseResult>) -> Report {
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    let mut by_kind: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut agreed, mut total, mut strengths_as_gaps) = (0, 0, 0);
    for c in &cases {
        for i in &c.items {
            total += 1;
            agreed += usize::from(i.agree);
            let k = by_kind.entry(i.kind.to_string()).or_default();
            k.0 += usize::from(i.agree);
            k.1 += 1;
            if i.kind == "strength" && !i.agree {
                strengths_as_gaps += 1;
            }
            if i.kind == "requirement" {
                *confusion
                    .entry(i.expected.clone())
                    .or_default()
                    .entry(i.found.clone())
                    .or_default() += 1;
            }
        }
    }
    Report {
        agreement: if total == 0 { 1.0 } else { agreed as f64 / total as f64 },
        strengths_as_gaps,
        confusion,
        by_kind,
        cases,
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: usize = self.by_kind.values().map(|v| v.1).sum();
        writeln!(
            f,
            "agreement {:.1}% over {items} labelled items in {} cases; strengths listed as gaps: {}",
            self.agreement * 100.0,
            self.cases.len(),
            self.strengths_as_gaps
        )?;
        for (k, (a, n)) in &self.by_kind {
            writeln!(
                f,
                "  {k:<12} {a:>4} / {n:<4} {:.1}%",
                *a as f64 / (*n).max(1) as f64 * 100.0
            )?;
        }
        writeln!(
            f,
            "requirement statuses (rows: reviewer's first choice, columns: engine)"
        )?;
        let cols = ["met", "partial", "missing", "unextracted"];
        writeln!(
            f,
            "  {:<10} {:>8} {:>8} {:>8} {:>12}",
            "", cols[0], cols[1], cols[2], cols[3]
        )?;
        for row in ["met", "partial", "missing"] {
            let r = self.confusion.get(row);
            let n = |c: &str| r.and_then(|r| r.get(c)).copied().unwrap_or(0);
            writeln!(
                f,
                "  {row:<10} {:>8} {:>8} {:>8} {:>12}",
                n(cols[0]),
                n(cols[1]),
                n(cols[2]),
                n(cols[3])
            )?;
        }
        for c in &self.cases {
            writeln!(f, "{:<40} {:.0}%", c.id, c.agreement * 100.0)?;
            for i in c.items.iter().filter(|i| !i.agree) {
                writeln!(
                    f,
                    "    ✗ {:<11} {:<50} expected {}, found {}",
                    i.kind, i.label, i.expected, i.found
                )?;
            }
        }
        Ok(())
    }
}
