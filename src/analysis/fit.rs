//! The explainable fit score: named components, each with its weight, its
//! score and a sentence that says why, plus a row per requirement with the
//! resume evidence behind it (or "missing").

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::evidence::{Unit, UnitKind};
use super::requirements::{Need, Requirements, Seniority};
use crate::packs::{CompanyRole, RolePack, Taxonomy};

/// One named part of the score.
#[derive(Debug, Clone, Serialize)]
pub struct Component {
    /// Stable id.
    pub id: &'static str,
    /// Display name.
    pub name: &'static str,
    /// Maximum points.
    pub weight: f64,
    /// Score 0..1.
    pub score: f64,
    /// Points earned (weight × score, rounded to one decimal).
    pub points: f64,
    /// Why, in one sentence.
    pub explanation: String,
}

/// How well a requirement is evidenced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Demonstrated in work or projects.
    Strong,
    /// Claimed (skills list, education) or adjacent.
    Partial,
    /// Not found.
    Missing,
}

/// The evidence for one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    /// Resume JSON path.
    pub path: String,
    /// Entry label.
    pub label: String,
    /// The resume's words.
    pub text: String,
    /// 0..1.
    pub strength: f64,
    /// When the evidence is for a related skill, that skill's name.
    pub via: Option<String>,
}

/// A requirement with its evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// Skill id.
    pub skill: String,
    /// Display name.
    pub name: String,
    /// Must or preferred.
    pub need: Need,
    /// Strong, partial, missing.
    pub status: Status,
    /// Best evidence, if any.
    pub evidence: Option<Evidence>,
    /// The job's words.
    pub quote: Option<String>,
    /// When this is one of several alternatives and another one is met.
    pub alternative_to: Option<String>,
}

/// Coverage of one competency the company emphasises.
#[derive(Debug, Clone, Serialize)]
pub struct CompetencyFit {
    /// Competency id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Company weight 0..1.
    pub emphasis: f64,
    /// Resume coverage 0..1.
    pub coverage: f64,
    /// Resume paths that show it.
    pub evidence: Vec<String>,
}

/// The whole fit assessment.
#[derive(Debug, Clone, Serialize)]
pub struct Fit {
    /// 0..100.
    pub score: u32,
    /// The components, summing to the score.
    pub components: Vec<Component>,
    /// One row per skill requirement.
    pub rows: Vec<Row>,
    /// Company emphasis coverage, heaviest first.
    pub competencies: Vec<CompetencyFit>,
}

/// Words that show a behavioural competency in an accomplishment.
pub(crate) const BEHAVIOR_WORDS: [(&str, &[&str]); 6] = [
    (
        "leadership",
        &[
            "led",
            "lead",
            "managed",
            "mentored",
            "coached",
            "hired",
            "head",
            "ceo",
            "founder",
            "founded",
            "president",
            "director",
            "manager",
            "teacher",
            "taught",
        ],
    ),
    (
        "ownership",
        &[
            "owned",
            "built",
            "build",
            "launched",
            "shipped",
            "delivered",
            "drove",
            "created",
            "designed",
            "optimized",
            "optimised",
            "implemented",
            "developed",
            "won",
        ],
    ),
    (
        "collaboration",
        &[
            "team",
            "collaborated",
            "partnered",
            "cross-functional",
            "together",
            "stakeholders",
            "with",
        ],
    ),
    (
        "communication",
        &[
            "presented",
            "wrote",
            "published",
            "documented",
            "taught",
            "teacher",
            "talk",
            "spoke",
            "explained",
            "award",
        ],
    ),
    (
        "ambiguity",
        &[
            "first",
            "new",
            "scratch",
            "founded",
            "prototype",
            "pivot",
            "startup",
            "zero",
            "novel",
            "record",
        ],
    ),
    (
        "customer_focus",
        &[
            "customer",
            "customers",
            "user",
            "users",
            "client",
            "clients",
            "artist",
            "artists",
            "people",
            "students",
        ],
    ),
];

pub(crate) fn behavior_hits(text: &str) -> BTreeSet<&'static str> {
    let lower = text.to_lowercase();
    let words: BTreeSet<&str> =
        lower.split(|c: char| !c.is_alphanumeric() && c != '-').collect();
    BEHAVIOR_WORDS
        .iter()
        .filter(|(_, ws)| ws.iter().any(|w| words.contains(w)))
        .map(|(c, _)| *c)
        .collect()
}

/// Best evidence for a skill among the units, directly or through a related
/// skill (at a third of the strength, and never "strong").
pub(crate) fn best_evidence(
    skill: &str,
    units: &[Unit],
    taxonomy: &Taxonomy,
) -> Option<Evidence> {
    let direct = units
        .iter()
        .filter(|u| u.skills.contains(skill))
        .max_by(|a, b| {
            a.kind.strength().total_cmp(&b.kind.strength()).then(b.path.cmp(&a.path))
        })
        .map(|u| Evidence {
            path: u.path.clone(),
            label: u.label.clone(),
            text: u.text.clone(),
            strength: u.kind.strength(),
            via: None,
        });
    if direct.is_some() {
        return direct;
    }
    let entry = taxonomy.skills.iter().find(|s| s.id == skill)?;
    // Relations are read both ways: "related" is symmetric in meaning.
    let related: BTreeSet<&str> = entry
        .related
        .iter()
        .map(String::as_str)
        .chain(
            taxonomy
                .skills
                .iter()
                .filter(|s| s.related.iter().any(|r| r == skill))
                .map(|s| s.id.as_str()),
        )
        .collect();
    units
        .iter()
        .filter_map(|u| {
            let r = u.skills.iter().find(|s| related.contains(s.as_str()))?;
            Some((u, r))
        })
        .max_by(|(a, _), (b, _)| {
            a.kind.strength().total_cmp(&b.kind.strength()).then(b.path.cmp(&a.path))
        })
        .map(|(u, r)| Evidence {
            path: u.path.clone(),
            label: u.label.clone(),
            text: u.text.clone(),
            strength: u.kind.strength() / 3.0,
            via: taxonomy.skills.iter().find(|s| &s.id == r).map(|s| s.name.clone()),
        })
}

pub(crate) struct FitInput<'a> {
    pub reqs: &'a Requirements,
    pub units: &'a [Unit],
    pub years: f64,
    pub seniority: Seniority,
    pub role: &'a RolePack,
    pub company_role: &'a CompanyRole,
    pub taxonomy: &'a Taxonomy,
}

pub(crate) fn assess(i: &FitInput) -> Fit {
    let mut rows: Vec<Row> = i
        .reqs
        .skills
        .iter()
        .map(|r| {
            let evidence = best_evidence(&r.skill, i.units, i.taxonomy);
            let status = match &evidence {
                Some(e) if e.via.is_none() && e.strength >= 0.8 => Status::Strong,
                Some(_) => Status::Partial,
                None => Status::Missing,
            };
            Row {
                skill: r.skill.clone(),
                name: r.name.clone(),
                need: r.need,
                status,
                evidence,
                quote: r.quote.clone(),
                alternative_to: None,
            }
        })
        .collect();
    // Alternatives: when one member of a group is evidenced, the others are
    // no longer required ("one of C++, Java or Go" needs only one).
    for (idx, req) in i.reqs.skills.iter().enumerate() {
        let Some(group) = req.group else { continue };
        let met = i
            .reqs
            .skills
            .iter()
            .zip(&rows)
            .find(|(r, row)| {
                r.group == Some(group)
                    && row.status != Status::Missing
                    && row.skill != req.skill
            })
            .map(|(_, row)| row.name.clone());
        if let Some(other) = met
            && rows[idx].status == Status::Missing
        {
            rows[idx].need = Need::Preferred;
            rows[idx].alternative_to = Some(other);
        }
    }

    let mean = |need: Need| -> Option<(f64, usize, usize)> {
        let rs: Vec<&Row> = rows.iter().filter(|r| r.need == need).collect();
        if rs.is_empty() {
            return None;
        }
        let s = rs
            .iter()
            .map(|r| r.evidence.as_ref().map_or(0.0, |e| e.strength))
            .sum::<f64>();
        let found = rs.iter().filter(|r| r.status != Status::Missing).count();
        Some((s / rs.len() as f64, found, rs.len()))
    };
    let mut components = Vec::new();
    let mut push = |id, name, weight: f64, score: f64, explanation: String| {
        let score = score.clamp(0.0, 1.0);
        components.push(Component {
            id,
            name,
            weight,
            score,
            points: (weight * score * 10.0).round() / 10.0,
            explanation,
        });
    };
    match mean(Need::Must) {
        Some((s, found, n)) => push(
            "required_skills",
            "Required skills",
            35.0,
            s,
            format!("{found} of {n} required skills appear in your resume; demonstrated use in work or projects counts more than a skills-list mention."),
        ),
        None => push("required_skills", "Required skills", 35.0, 1.0, "The job lists no required skills the engine recognises, so none are missing.".into()),
    }
    match mean(Need::Preferred) {
        Some((s, found, n)) => push(
            "preferred_skills",
            "Preferred skills",
            15.0,
            s,
            format!("{found} of {n} preferred skills appear in your resume."),
        ),
        None => push(
            "preferred_skills",
            "Preferred skills",
            15.0,
            1.0,
            "The job lists no preferred skills.".into(),
        ),
    }
    match i.reqs.min_years {
        Some(min) if min > 0 => push(
            "years",
            "Years of experience",
            15.0,
            i.years / f64::from(min),
            format!(
                "The job asks for {min}+ years; your work history adds up to {:.1} years.",
                i.years
            ),
        ),
        _ => push(
            "years",
            "Years of experience",
            15.0,
            1.0,
            format!(
                "The job states no minimum; your work history adds up to {:.1} years.",
                i.years
            ),
        ),
    }
    match i.reqs.seniority {
        Some(want) => {
            let gap = want as i32 - i.seniority as i32;
            let score = match gap {
                i32::MIN..=0 => 1.0,
                1 => 0.6,
                2 => 0.3,
                _ => 0.1,
            };
            push(
                "seniority",
                "Seniority",
                10.0,
                score,
                format!(
                    "The job reads as {}; your history reads as {}.",
                    want.label(),
                    i.seniority.label()
                ),
            )
        }
        None => push(
            "seniority",
            "Seniority",
            10.0,
            1.0,
            format!(
                "The job states no seniority; your history reads as {}.",
                i.seniority.label()
            ),
        ),
    }
    if i.reqs.domains.is_empty() {
        push(
            "domain",
            "Domain",
            10.0,
            1.0,
            "The job names no specific business domain, so no points are lost here."
                .into(),
        );
    } else {
        let have = i
            .reqs
            .domains
            .iter()
            .filter(|d| i.units.iter().any(|u| u.skills.contains(d.as_str())))
            .count();
        push(
            "domain",
            "Domain",
            10.0,
            have as f64 / i.reqs.domains.len() as f64,
            format!(
                "Your resume shows {have} of the {} domains the job names.",
                i.reqs.domains.len()
            ),
        );
    }
    let competencies = competency_fit(i);
    let emph: f64 = competencies.iter().map(|c| c.emphasis * c.coverage).sum();
    let total_emph: f64 = competencies.iter().map(|c| c.emphasis).sum::<f64>().max(1e-9);
    let top = competencies.first().map(|c| c.name.clone()).unwrap_or_default();
    push(
        "company_emphasis",
        "Company emphasis",
        15.0,
        emph / total_emph,
        format!(
            "Weighted by what this company stresses for the role (most of all: {top}), your resume covers {:.0}% of it.",
            emph / total_emph * 100.0
        ),
    );
    let score = components.iter().map(|c| c.weight * c.score).sum::<f64>().round() as u32;
    Fit { score: score.min(100), components, rows, competencies }
}

fn competency_fit(i: &FitInput) -> Vec<CompetencyFit> {
    let names: BTreeMap<&str, &str> =
        i.role.competencies.iter().map(|c| (c.id.as_str(), c.name.as_str())).collect();
    let mut out: Vec<CompetencyFit> = i
        .company_role
        .emphasis
        .iter()
        .map(|(id, &w)| {
            let (coverage, evidence) = coverage(id, i);
            CompetencyFit {
                id: id.clone(),
                name: names
                    .get(id.as_str())
                    .map_or_else(|| humanize(id), |n| n.to_string()),
                emphasis: w,
                coverage,
                evidence,
            }
        })
        .collect();
    out.sort_by(|a, b| b.emphasis.total_cmp(&a.emphasis).then(a.id.cmp(&b.id)));
    out
}

/// Coverage of a competency by the resume and the paths that show it.
pub(crate) fn coverage(id: &str, i: &FitInput) -> (f64, Vec<String>) {
    if let Some((_, _)) = BEHAVIOR_WORDS.iter().find(|(c, _)| *c == id) {
        let paths: Vec<String> = i
            .units
            .iter()
            .filter(|u| u.kind.is_story() && behavior_hits(&u.text).contains(id))
            .map(|u| u.path.clone())
            .collect();
        return ((paths.len() as f64 / 2.0).min(1.0), paths);
    }
    let skills: Vec<&String> = i
        .role
        .competencies
        .iter()
        .find(|c| c.id == id)
        .map(|c| c.skills.iter().collect())
        .unwrap_or_default();
    if skills.is_empty() {
        return (0.0, Vec::new());
    }
    let mut paths = Vec::new();
    let mut score = 0.0;
    for s in &skills {
        if let Some(e) = best_evidence(s, i.units, i.taxonomy) {
            score += e.strength;
            if !paths.contains(&e.path) {
                paths.push(e.path);
            }
        }
    }
    let need = skills.len().min(3) as f64;
    ((score / need).min(1.0), paths)
}

pub(crate) fn humanize(id: &str) -> String {
    let s = id.replace('_', " ");
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The candidate's seniority from years and titles.
pub(crate) fn candidate_seniority(years: f64, units: &[Unit]) -> Seniority {
    let by_years = match years {
        y if y < 1.0 => Seniority::Entry,
        y if y < 3.0 => Seniority::Junior,
        y if y < 6.0 => Seniority::Mid,
        y if y < 10.0 => Seniority::Senior,
        _ => Seniority::Staff,
    };
    let by_title = units
        .iter()
        .filter(|u| u.kind == UnitKind::WorkHighlight || u.kind == UnitKind::WorkSummary)
        .filter_map(|u| u.position.as_deref().and_then(Seniority::from_text))
        .max();
    match by_title {
        // A title is only believed one step beyond what the years support.
        Some(t) if t > by_years => by_years.max(Seniority::Junior).max(match by_years {
            Seniority::Entry | Seniority::Junior => Seniority::Junior,
            _ => t.min(Seniority::Senior),
        }),
        _ => by_years,
    }
}
