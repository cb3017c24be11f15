//! Gaps ranked by weight × emphasis × missingness, each with the material
//! its script is written from: the bridge from the resume, the taxonomy's
//! learning notes and the role's matching topic.

use serde::Serialize;

use super::fit::{Evidence, Fit, FitInput, Status, best_evidence};
use super::requirements::Need;
use crate::packs::{Learn, Topic};

/// What kind of gap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A skill the job asks for.
    Skill,
    /// A competency the company weighs that the resume barely shows.
    Competency,
    /// Fewer years than asked.
    Years,
}

/// One ranked gap.
#[derive(Debug, Clone, Serialize)]
pub struct Gap {
    /// 1-based rank.
    pub rank: usize,
    /// Skill or competency id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Kind.
    pub kind: GapKind,
    /// Must or preferred (skills).
    pub need: Option<Need>,
    /// Ranking score.
    pub score: f64,
    /// The three factors of the score.
    pub weight: f64,
    /// Company emphasis factor.
    pub emphasis: f64,
    /// 1 − evidence strength.
    pub missingness: f64,
    /// Competency it belongs to.
    pub competency: Option<String>,
    /// Closest existing evidence (partial or adjacent).
    pub bridge: Option<Evidence>,
    /// Learning notes from the taxonomy.
    pub learn: Option<Learn>,
    /// The role pack's topic for it.
    pub topic: Option<Topic>,
    /// The job's words.
    pub quote: Option<String>,
}

pub(crate) fn rank(fit: &Fit, i: &FitInput, years: f64) -> Vec<Gap> {
    let emphasis_of = |comp: Option<&str>| {
        comp.and_then(|c| i.company_role.emphasis.get(c)).copied().unwrap_or(0.0)
    };
    let competency_of = |skill: &str| -> Option<String> {
        let by_emphasis = |a: &&crate::packs::Competency,
                           b: &&crate::packs::Competency| {
            emphasis_of(Some(&a.id)).total_cmp(&emphasis_of(Some(&b.id)))
        };
        i.role
            .competencies
            .iter()
            .filter(|c| c.skills.iter().any(|s| s == skill))
            .max_by(by_emphasis)
            .map(|c| c.id.clone())
            // Skills no competency names are placed through the topic that
            // teaches them.
            .or_else(|| {
                i.role
                    .technical_topics
                    .iter()
                    .find(|t| t.skills.iter().any(|s| s == skill))
                    .map(|t| t.competency.clone())
            })
    };
    let topic_for = |skill: Option<&str>, comp: Option<&str>| -> Option<Topic> {
        skill
            .and_then(|s| {
                i.role.technical_topics.iter().find(|t| t.skills.iter().any(|x| x == s))
            })
            .or_else(|| {
                comp.and_then(|c| {
                    i.role.technical_topics.iter().find(|t| t.competency == c)
                })
            })
            .cloned()
    };
    let mut gaps = Vec::new();
    for row in &fit.rows {
        if row.status == Status::Strong || row.alternative_to.is_some() {
            continue;
        }
        let strength = row.evidence.as_ref().map_or(0.0, |e| e.strength);
        let weight = if row.need == Need::Must { 1.0 } else { 0.5 };
        let comp = competency_of(&row.skill);
        let emphasis = 1.0 + 4.0 * emphasis_of(comp.as_deref());
        let missingness = 1.0 - strength;
        let learn =
            i.taxonomy.skills.iter().find(|s| s.id == row.skill).map(|s| s.learn.clone());
        gaps.push(Gap {
            rank: 0,
            id: row.skill.clone(),
            name: row.name.clone(),
            kind: GapKind::Skill,
            need: Some(row.need),
            score: weight * emphasis * missingness,
            weight,
            emphasis,
            missingness,
            topic: topic_for(Some(&row.skill), comp.as_deref()),
            competency: comp,
            bridge: row.evidence.clone(),
            learn,
            quote: row.quote.clone(),
        });
    }
    // Competency gaps add what skill gaps do not already say: at most two,
    // and none for a competency that a skill gap already stands for.
    let skill_comps: Vec<Option<String>> =
        gaps.iter().map(|g| g.competency.clone()).collect();
    let mut comp_gaps = Vec::new();
    for c in &fit.competencies {
        if skill_comps.contains(&Some(c.id.clone())) {
            continue;
        }
        let is_technical =
            i.role.competencies.iter().any(|rc| rc.id == c.id && !rc.skills.is_empty());
        if c.coverage >= 0.5 || c.emphasis <= 0.0 {
            continue;
        }
        let weight = if is_technical { 0.8 } else { 0.6 };
        let emphasis = 1.0 + 4.0 * c.emphasis;
        let missingness = 1.0 - c.coverage;
        // The bridge for a competency gap is the best evidence of any of its
        // skills, or the first accomplishment for a behavioural one.
        let bridge = i.role.competencies.iter().find(|rc| rc.id == c.id).and_then(|rc| {
            rc.skills.iter().find_map(|s| best_evidence(s, i.units, i.taxonomy))
        });
        comp_gaps.push(Gap {
            rank: 0,
            id: c.id.clone(),
            name: c.name.clone(),
            kind: GapKind::Competency,
            need: None,
            score: weight * emphasis * missingness,
            weight,
            emphasis,
            missingness,
            competency: Some(c.id.clone()),
            bridge,
            learn: None,
            topic: topic_for(None, Some(&c.id)),
            quote: None,
        });
    }
    comp_gaps.sort_by(|a, b| b.score.total_cmp(&a.score));
    gaps.extend(comp_gaps.into_iter().take(2));
    let mut years_gap = None;
    if let Some(min) = i.reqs.min_years
        && years < f64::from(min)
    {
        let missingness = 1.0 - years / f64::from(min);
        years_gap = Some(Gap {
            rank: 0,
            id: "years".into(),
            name: format!("{min}+ years of experience"),
            kind: GapKind::Years,
            need: Some(Need::Must),
            score: 0.7 * missingness * 2.0,
            weight: 0.7,
            emphasis: 2.0,
            missingness,
            competency: None,
            bridge: None,
            learn: None,
            topic: None,
            quote: None,
        });
    }
    gaps.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id)));
    gaps.truncate(8);
    // Too few years is always worth a script, whatever its rank.
    if let Some(y) = years_gap {
        if gaps.len() == 8 {
            gaps.pop();
        }
        let at = gaps.iter().position(|g| g.score < y.score).unwrap_or(gaps.len());
        gaps.insert(at, y);
    }
    for (n, g) in gaps.iter_mut().enumerate() {
        g.rank = n + 1;
        g.score = (g.score * 100.0).round() / 100.0;
    }
    gaps
}
