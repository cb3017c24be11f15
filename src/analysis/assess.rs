//! Each requirement against the evidence: met, partial or missing, with
//! one sentence of why (worded by `packs/phrases.json`) and the evidence
//! cited by JSON path and text.

use serde::Serialize;
use time::Date;

use super::evidence::{self, Piece, Unit, UnitKind, Via};
use super::index::{Cid, TaxonomyIndex};
use super::posting::{Requirement, What};
use super::text::{contains_phrase, tokens};
use crate::model::Resume;
use crate::packs::Packs;

/// Whether the resume shows a requirement.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Shown convincingly.
    Met,
    /// Some evidence: a list entry, a course, an adjacent skill, fewer
    /// years, a degree in another field.
    Partial,
    /// Nothing.
    Missing,
}

impl Status {
    /// Share of a requirement's points this status earns.
    pub fn credit(self) -> f64 {
        match self {
            Status::Met => 1.0,
            Status::Partial => 0.5,
            Status::Missing => 0.0,
        }
    }
}

/// Strength from which a skill counts as met: a highlight that names it
/// does, a skills-list entry alone does not.
pub(crate) const MET: f64 = 0.62;
/// Strength from which there is something to build on.
pub(crate) const PARTIAL: f64 = 0.2;

/// One cited piece of evidence.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Cited {
    /// JSON path in the resume.
    pub path: String,
    /// The resume's text.
    pub text: String,
    /// The entry it belongs to.
    pub label: String,
    /// What kind of unit.
    pub kind: UnitKind,
    /// The narrower or adjacent concept it shows, when not the one asked.
    pub via: Option<String>,
    /// Whether the concept came through an adjacent one.
    pub adjacent: bool,
    /// Weight 0..1.
    pub weight: f64,
}

impl From<&Piece> for Cited {
    fn from(p: &Piece) -> Self {
        let (via, adjacent) = match &p.via {
            Via::Direct => (None, false),
            Via::Narrower(c) => (Some(c.clone()), false),
            Via::Adjacent(c) => (Some(c.clone()), true),
        };
        Cited {
            path: p.path.clone(),
            text: p.text.clone(),
            label: p.label.clone(),
            kind: p.kind,
            via,
            adjacent,
            weight: p.weight,
        }
    }
}

/// A requirement with its verdict.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Assessed {
    /// The requirement.
    #[serde(flatten)]
    pub requirement: Requirement,
    /// Met, partial or missing.
    pub status: Status,
    /// Strength of the evidence, 0..1 (years: share of the years asked).
    pub strength: f64,
    /// The best evidence, strongest first (at most three).
    pub evidence: Vec<Cited>,
    /// Why, in one sentence.
    pub why: String,
    /// The phrase id behind `why`.
    pub why_code: String,
    /// For years requirements: the years found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub years_found: Option<f64>,
    /// The competency the requirement belongs to (for emphasis and gaps).
    pub competency: Option<String>,
}

/// A degree on the resume, as the vocabulary reads it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct HeldDegree {
    /// JSON path.
    pub path: String,
    /// Level id.
    pub level: Option<String>,
    /// Level rank.
    pub rank: u8,
    /// Field ids.
    pub fields: Vec<String>,
    /// Field groups.
    pub groups: Vec<String>,
    /// As written ("MSc Statistics").
    pub text: String,
    /// Finished by the interview date (or a year after `today`).
    pub complete: bool,
}

/// Reads the degrees on a resume.
pub(crate) fn degrees(resume: &Resume, packs: &Packs, today: Date) -> Vec<HeldDegree> {
    let d = &packs.degrees;
    resume
        .education
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let study = e.study_type.clone().unwrap_or_default();
            let area = e.area.clone().unwrap_or_default();
            let st = tokens(&study);
            let both = format!("{study} {area}");
            let bt = tokens(&both);
            let level = d
                .levels
                .iter()
                .filter(|l| l.alt.iter().any(|a| contains_phrase(&st, a)))
                .max_by_key(|l| l.rank)
                .or_else(|| {
                    d.levels
                        .iter()
                        .filter(|l| {
                            l.alt.iter().any(|a| a != "degree" && contains_phrase(&bt, a))
                        })
                        .max_by_key(|l| l.rank)
                });
            let at = tokens(&area);
            let fields: Vec<&crate::packs::DegreeField> = d
                .fields
                .iter()
                .filter(|f| {
                    f.alt
                        .iter()
                        .any(|a| contains_phrase(&at, a) || contains_phrase(&st, a))
                })
                .collect();
            let mut field_ids: Vec<String> =
                fields.iter().map(|f| f.id.clone()).collect();
            if let Some(f) = level.and_then(|l| l.field.clone())
                && !field_ids.contains(&f)
            {
                field_ids.push(f);
            }
            let mut groups: Vec<String> = d
                .fields
                .iter()
                .filter(|f| field_ids.contains(&f.id))
                .flat_map(|f| f.groups.iter().cloned())
                .collect();
            groups.sort();
            groups.dedup();
            let complete = match e.end_date {
                Some(end) => end.start() <= today + time::Duration::days(366),
                None => e.start_date.is_none(),
            };
            HeldDegree {
                path: format!("education[{i}]"),
                level: level.map(|l| l.id.clone()),
                rank: level.map_or(0, |l| l.rank),
                fields: field_ids,
                groups,
                text: [study.trim(), area.trim()]
                    .iter()
                    .filter(|s| !s.is_empty())
                    .copied()
                    .collect::<Vec<_>>()
                    .join(" "),
                complete,
            }
        })
        .collect()
}

pub(crate) struct Context<'a> {
    pub packs: &'a Packs,
    pub ix: &'a TaxonomyIndex,
    pub units: &'a [Unit],
    pub today: Date,
    pub total_years: f64,
    /// Years that count towards the role (for "or equivalent experience").
    pub relevant_years: f64,
    pub degrees: &'a [HeldDegree],
    /// For concepts that name a role's own field: the years that count
    /// towards that role.
    pub field_years: &'a std::collections::BTreeMap<Cid, f64>,
}

/// The evidence for any one of some concepts: the alternative with the
/// strongest evidence.
pub(crate) fn best_of(cids: &[Cid], c: &Context<'_>) -> (f64, Vec<Piece>) {
    let mut best = (0.0, Vec::new());
    for &cid in cids {
        let p = evidence::pieces(cid, c.units, c.ix, c.today);
        let mut p = p;
        let s = evidence::strength(&p, c.units, c.ix.concept(cid).category == "language");
        if s <= 0.0 {
            p.clear();
        }
        if s > best.0 || (best.1.is_empty() && !p.is_empty()) {
            best = (s, p);
        }
    }
    best
}

fn where_of(p: &Piece, units: &[Unit]) -> String {
    let u = &units[p.unit];
    match &u.dates {
        Some(d) => format!("{} ({d})", u.label),
        None => u.label.clone(),
    }
}

/// The phrase for the best piece of skill evidence.
fn skill_why(
    concept: &str,
    pieces: &[Piece],
    strength: f64,
    c: &Context<'_>,
) -> (String, String) {
    let Some(p) = pieces.first() else {
        return (
            "why.missing".into(),
            c.packs.phrase("why.missing", &[("concept", concept)]),
        );
    };
    let u = &c.units[p.unit];
    let place = where_of(p, c.units);
    let text = p.text.as_str();
    if let Via::Adjacent(adj) = &p.via {
        let args =
            [("concept", concept), ("adjacent", adj.as_str()), ("where", place.as_str())];
        return ("why.adjacent".into(), c.packs.phrase("why.adjacent", &args));
    }
    let code = match (u.kind, p.proof) {
        (UnitKind::WorkHighlight, evidence::Proof::Result) => "why.result",
        (UnitKind::WorkHighlight, evidence::Proof::Outcome) => "why.outcome",
        (UnitKind::WorkHighlight, _) => "why.highlight",
        (UnitKind::Position, _) => "why.position",
        (UnitKind::WorkSummary, _) => "why.work_summary",
        (UnitKind::ProjectHighlight | UnitKind::ProjectDescription, _) => "why.project",
        (UnitKind::ProjectKeywords, _) => "why.project_keywords",
        (UnitKind::VolunteerHighlight | UnitKind::VolunteerSummary, _) => "why.volunteer",
        (UnitKind::Publication, _) => "why.publication",
        (UnitKind::Award, _) => "why.award",
        (UnitKind::Certificate, _) => "why.certificate",
        (UnitKind::Degree, _) => "why.degree_covers",
        (UnitKind::Course, _) => "why.course",
        (UnitKind::SkillList, _) if u.level.is_some() && strength < MET => {
            "why.skill_list_level"
        }
        (UnitKind::SkillList, _) => "why.skill_list",
        (UnitKind::Summary, _) => "why.summary",
        (UnitKind::Language, _) => "why.language",
    };
    let level = u.level.clone().unwrap_or_default().to_lowercase();
    let org = u.org.clone().unwrap_or_default();
    let mut why = c.packs.phrase(
        code,
        &[
            ("concept", concept),
            ("where", place.as_str()),
            ("text", text),
            ("label", u.label.as_str()),
            ("org", org.as_str()),
            ("level", level.as_str()),
        ],
    );
    if let Via::Narrower(n) = &p.via {
        why.push(' ');
        why.push_str(
            &c.packs.phrase("why.narrower", &[("narrower", n), ("concept", concept)]),
        );
    }
    (code.to_string(), why)
}

fn status_of(strength: f64, pieces: &[Piece]) -> Status {
    let adjacent_only = pieces.first().is_some_and(|p| matches!(p.via, Via::Adjacent(_)));
    if strength >= MET && !adjacent_only {
        Status::Met
    } else if strength >= PARTIAL {
        Status::Partial
    } else {
        Status::Missing
    }
}

fn status_of_similar(strength: f64) -> Status {
    if strength >= MET {
        Status::Met
    } else if strength >= PARTIAL {
        Status::Partial
    } else {
        Status::Missing
    }
}

fn names(refs: &[super::posting::ConceptRef]) -> String {
    let v: Vec<&str> = refs.iter().map(|r| r.label.as_str()).collect();
    match v.len() {
        0 => String::new(),
        1 => v[0].to_string(),
        n => format!("{} or {}", v[..n - 1].join(", "), v[n - 1]),
    }
}

fn fmt_years(y: f64) -> String {
    if y.fract() == 0.0 { format!("{y:.0}") } else { format!("{y:.1}") }
}

/// Judges one requirement.
pub(crate) fn assess(req: &Requirement, c: &Context<'_>) -> Assessed {
    let cids: Vec<Cid> = req.concepts().iter().map(|r| r.cid).collect();
    let (status, strength, pieces, code, why, years_found) = match &req.what {
        What::Skill { any_of } => {
            let (s, p) = best_of(&cids, c);
            // Name the alternative that carried it, for any-of groups.
            let carried = p
                .first()
                .and_then(|piece| {
                    any_of.iter().find(|r| {
                        c.units[piece.unit]
                            .cids
                            .iter()
                            .any(|&h| c.ix.implies(h, r.cid) || h == r.cid)
                    })
                })
                .map_or_else(|| names(any_of), |r| r.label.clone());
            let (code, why) = skill_why(&carried, &p, s, c);
            // "Airflow or similar": an adjacent tool shown in your work is
            // what the posting asks for.
            let s = if req.accepts_similar
                && p.first().is_some_and(|x| matches!(x.via, Via::Adjacent(_)))
            {
                (s * 2.0).min(c.units[p[0].unit].base)
            } else {
                s
            };
            let status =
                if req.accepts_similar { status_of_similar(s) } else { status_of(s, &p) };
            (status, s, p, code, why, None)
        }
        What::Years { min, of } => {
            let have = if of.is_empty() {
                c.total_years
            } else {
                // "N years of data engineering" counts the years of data
                // engineering roles, whatever their highlights say.
                let field = cids
                    .iter()
                    .filter_map(|c0| c.field_years.get(c0))
                    .copied()
                    .fold(0.0, f64::max);
                evidence::years_with(&cids, c.units, c.ix, c.today).max(field)
            };
            let (s, p) =
                if of.is_empty() { (1.0, Vec::new()) } else { best_of(&cids, c) };
            let what = if of.is_empty() { String::new() } else { names(of) };
            let of_text = if of.is_empty() {
                String::new()
            } else {
                c.packs.phrase("why.years_of", &[("what", what.as_str())])
            };
            let args = [
                ("have", fmt_years(have)),
                ("min", fmt_years(*min)),
                ("of", of_text),
                ("what", what.clone()),
            ];
            let args: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let (status, code) = if have + 0.25 >= *min {
                (Status::Met, "why.years_met")
            } else if have >= 0.5 * min
                || (!of.is_empty() && have > 0.0)
                || (!of.is_empty() && s >= PARTIAL)
            {
                (
                    Status::Partial,
                    if have > 0.0 { "why.years_short" } else { "why.years_undated" },
                )
            } else if have > 0.0 {
                (Status::Missing, "why.years_short")
            } else {
                (Status::Missing, "why.years_none")
            };
            let why = c.packs.phrase(code, &args);
            (status, (have / min).min(1.0), p, code.to_string(), why, Some(have))
        }
        What::Degree { level, level_name, fields, groups, field_text, or_equivalent } => {
            let want = c
                .packs
                .degrees
                .levels
                .iter()
                .find(|l| &l.id == level)
                .map_or(2, |l| l.rank);
            let field_ok = |d: &HeldDegree| {
                (fields.is_empty() && groups.is_empty())
                    || d.fields.iter().any(|f| fields.contains(f))
                    || d.groups.iter().any(|g| groups.contains(g))
            };
            let best_in_field = c
                .degrees
                .iter()
                .filter(|d| d.rank >= want && field_ok(d))
                .max_by_key(|d| (d.complete, d.rank));
            let any_level =
                c.degrees.iter().filter(|d| d.rank >= want).max_by_key(|d| d.rank);
            let highest = c.degrees.iter().max_by_key(|d| d.rank);
            let field = field_text.clone().unwrap_or_default();
            // "Or equivalent practical experience": four years of relevant
            // work stand in for a bachelor's, six for a master's.
            let equivalent_years = match want {
                0..=2 => 4.0,
                3 => 6.0,
                _ => 8.0,
            };
            let cite = |d: &HeldDegree| Cited {
                path: d.path.clone(),
                text: d.text.clone(),
                label: d.text.clone(),
                kind: UnitKind::Degree,
                via: None,
                adjacent: false,
                weight: 1.0,
            };
            let yrs = fmt_years(c.relevant_years);
            let (status, code, cited, degree_text) =
                match (best_in_field, any_level, highest) {
                    (Some(d), ..) if d.complete => {
                        (Status::Met, "why.degree_met", Some(cite(d)), d.text.clone())
                    }
                    (Some(d), ..) => (
                        Status::Partial,
                        "why.degree_in_progress",
                        Some(cite(d)),
                        d.text.clone(),
                    ),
                    _ if *or_equivalent && c.relevant_years >= equivalent_years => {
                        (Status::Met, "why.degree_equivalent", None, String::new())
                    }
                    (None, Some(d), _) => (
                        Status::Partial,
                        "why.degree_field",
                        Some(cite(d)),
                        d.text.clone(),
                    ),
                    // A bachelor's does not partly meet a master's: the level is
                    // either there or not.
                    (None, None, Some(d)) if d.rank > 0 => (
                        Status::Missing,
                        "why.degree_lower",
                        Some(cite(d)),
                        d.text.clone(),
                    ),
                    _ if *or_equivalent && c.relevant_years >= equivalent_years / 2.0 => {
                        (
                            Status::Partial,
                            "why.degree_partly_equivalent",
                            None,
                            String::new(),
                        )
                    }
                    _ => (Status::Missing, "why.degree_missing", None, String::new()),
                };
            let why = c.packs.phrase(
                code,
                &[
                    ("degree", degree_text.as_str()),
                    ("level", level_name.as_str()),
                    ("field", field.as_str()),
                    ("years", yrs.as_str()),
                ],
            );
            let strength = status.credit();
            return Assessed {
                requirement: req.clone(),
                status,
                strength,
                evidence: cited.into_iter().collect(),
                why,
                why_code: code.to_string(),
                years_found: None,
                competency: None,
            };
        }
    };
    Assessed {
        requirement: req.clone(),
        status,
        strength: (strength * 1000.0).round() / 1000.0,
        evidence: pieces.iter().take(3).map(Cited::from).collect(),
        why,
        why_code: code,
        years_found,
        competency: None,
    }
}
