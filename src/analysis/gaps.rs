//! Gaps: the requirements the resume does not meet, and the competencies
//! the company weighs that it barely shows, ranked required before
//! preferred, then by the company's emphasis for the role and the size of
//! the gap. A met requirement is never a gap. Each gap carries the
//! material its script is written from: the nearest evidence (the bridge),
//! the taxonomy's learning notes and the role's matching topic.

use serde::Serialize;

use super::assess::{Assessed, Cited, Status};
use super::fit::CompetencyFit;
use super::index::TaxonomyIndex;
use super::posting::{Kind, What};
use crate::packs::{Learn, RolePack, Topic};

/// Where a gap comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    /// A skill requirement.
    Skill,
    /// A years requirement.
    Years,
    /// A degree requirement.
    Degree,
    /// A competency the company weighs.
    Competency,
}

/// One ranked gap.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Gap {
    /// 1-based rank.
    pub rank: usize,
    /// The requirement id (`r4`) or competency id.
    pub id: String,
    /// How the playbook names it.
    pub label: String,
    /// What kind of gap.
    pub kind: GapKind,
    /// Required or preferred, for requirement gaps.
    pub need: Option<Kind>,
    /// Partial or missing.
    pub status: Status,
    /// How much is missing, 0..1.
    pub size: f64,
    /// The company's weight of the competency behind it, 0..1.
    pub emphasis: f64,
    /// The competency it belongs to.
    pub competency: Option<String>,
    /// Its display name.
    pub competency_name: Option<String>,
    /// Whether it is a technical gap (a skill, years or a technical
    /// competency) rather than a behavioural one.
    pub technical: bool,
    /// The ranking score.
    pub score: f64,
    /// The nearest evidence the candidate has.
    pub bridge: Option<Cited>,
    /// The first concept asked, for learning notes.
    pub concept: Option<String>,
    /// Learning notes from the taxonomy.
    pub learn: Option<Learn>,
    /// The role pack's topic for it.
    pub topic: Option<Topic>,
    /// The posting's sentence.
    pub quote: Option<String>,
    /// Why it is a gap.
    pub why: String,
}

/// At most this many gaps get a script: more would bury the ones that
/// matter.
const MAX_GAPS: usize = 10;

/// The competency a requirement belongs to: the emphasised role
/// competency whose skills it names (either way along the concept graph),
/// else the competency of the topic that teaches it.
pub(crate) fn competency_of(
    req: &Assessed,
    role: &RolePack,
    emphasis: &std::collections::BTreeMap<String, f64>,
    ix: &TaxonomyIndex,
) -> Option<String> {
    let cids: Vec<usize> = req.requirement.concepts().iter().map(|c| c.cid).collect();
    let touches = |skills: &[String]| {
        skills
            .iter()
            .filter_map(|s| ix.id(s))
            .any(|s| cids.iter().any(|&c| ix.teaches(s, c)))
    };
    let weight = |id: &str| emphasis.get(id).copied().unwrap_or(0.0);
    role.competencies
        .iter()
        .filter(|c| touches(&c.skills))
        .max_by(|a, b| weight(&a.id).total_cmp(&weight(&b.id)).then(b.id.cmp(&a.id)))
        .map(|c| c.id.clone())
        .or_else(|| {
            role.technical_topics
                .iter()
                .find(|t| touches(&t.skills))
                .map(|t| t.competency.clone())
        })
}

fn topic_for(
    req: Option<&Assessed>,
    competency: Option<&str>,
    role: &RolePack,
    ix: &TaxonomyIndex,
) -> Option<Topic> {
    let by_skill = req.and_then(|r| {
        let cids: Vec<usize> = r.requirement.concepts().iter().map(|c| c.cid).collect();
        // The topic that teaches it most directly: an exact skill first.
        let score = |t: &Topic| -> usize {
            t.skills
                .iter()
                .filter_map(|s| ix.id(s))
                .map(|s| {
                    if cids.contains(&s) {
                        3
                    } else if cids.iter().any(|&c| ix.teaches(s, c)) {
                        1
                    } else {
                        0
                    }
                })
                .max()
                .unwrap_or(0)
        };
        role.technical_topics
            .iter()
            .filter(|t| score(t) > 0)
            .max_by_key(|t| (score(t), std::cmp::Reverse(t.id.clone())))
    });
    by_skill
        .or_else(|| {
            competency
                .and_then(|c| role.technical_topics.iter().find(|t| t.competency == c))
        })
        .cloned()
}

pub(crate) struct Input<'a> {
    pub reqs: &'a [Assessed],
    pub competencies: &'a [CompetencyFit],
    pub role: &'a RolePack,
    pub ix: &'a TaxonomyIndex,
    pub is_behavioral: &'a dyn Fn(&str) -> bool,
    pub competency_gap_why: &'a dyn Fn(&CompetencyFit) -> String,
}

pub(crate) fn rank(i: &Input<'_>) -> Vec<Gap> {
    let emphasis_of = |c: Option<&str>| {
        c.and_then(|c| i.competencies.iter().find(|x| x.id == c))
            .map_or(0.0, |x| x.emphasis)
    };
    let name_of = |c: Option<&str>| {
        c.and_then(|c| i.competencies.iter().find(|x| x.id == c)).map(|x| x.name.clone())
    };
    let mut required = Vec::new();
    let mut rest = Vec::new();
    let mut inferred: Vec<Gap> = Vec::new();
    for r in i.reqs {
        // Met requirements are never gaps; responsibilities describe the
        // work and score in the fit, but the scripts are for qualifications.
        if r.status == Status::Met || r.requirement.kind == Kind::Responsibility {
            continue;
        }
        let size = if r.status == Status::Missing {
            1.0
        } else {
            (1.0 - r.strength).clamp(0.2, 0.8)
        };
        let comp = r.competency.clone();
        let emphasis = emphasis_of(comp.as_deref());
        let (kind, weight) = match (&r.requirement.what, r.requirement.kind) {
            (What::Skill { .. }, k) => (GapKind::Skill, k),
            (What::Years { .. }, k) => (GapKind::Years, k),
            (What::Degree { .. }, k) => (GapKind::Degree, k),
        };
        let need_weight = match weight {
            Kind::Required => 1.0,
            Kind::Preferred => 0.5,
            Kind::Responsibility => 0.3,
        };
        let first = r.requirement.concepts().first();
        let learn = first.map(|c| i.ix.concept(c.cid).learn.clone());
        let gap = Gap {
            rank: 0,
            id: r.requirement.id.clone(),
            label: r.requirement.label.clone(),
            kind,
            need: Some(r.requirement.kind),
            status: r.status,
            size,
            emphasis,
            competency_name: name_of(comp.as_deref()),
            technical: comp.as_deref().is_none_or(|c| !(i.is_behavioral)(c)),
            topic: topic_for(Some(r), comp.as_deref(), i.role, i.ix),
            competency: comp,
            score: need_weight * (1.0 + 4.0 * emphasis) * size,
            bridge: r.evidence.first().cloned(),
            concept: first.map(|c| c.id.clone()),
            learn,
            quote: (r.requirement.source.path != "expectations")
                .then(|| r.requirement.source.text.clone()),
            why: r.why.clone(),
        };
        // A preferred degree is rarely what an interviewer raises: it comes
        // after the skills the posting prefers.
        let preferred_degree =
            kind == GapKind::Degree && r.requirement.kind != Kind::Required;
        if preferred_degree
            || (r.requirement.source.path == "expectations"
                && r.requirement.kind != Kind::Required)
        {
            // Filled in from the company's expectations because the posting
            // named few skills: inferred, like a competency gap.
            inferred.push(gap);
        } else if r.requirement.kind == Kind::Required {
            required.push(gap);
        } else {
            rest.push(gap);
        }
    }
    // Competency gaps say what requirement gaps do not: a competency the
    // company weighs that no gap and no met requirement already stands for.
    let covered: Vec<&str> =
        i.reqs.iter().filter_map(|r| r.competency.as_deref()).collect();
    for c in i.competencies {
        if c.coverage >= 0.4 || c.emphasis < 0.05 || covered.contains(&c.id.as_str()) {
            continue;
        }
        let size = 1.0 - c.coverage;
        inferred.push(Gap {
            rank: 0,
            id: c.id.clone(),
            label: c.name.clone(),
            kind: GapKind::Competency,
            need: None,
            status: if c.coverage > 0.0 { Status::Partial } else { Status::Missing },
            size,
            emphasis: c.emphasis,
            competency: Some(c.id.clone()),
            competency_name: Some(c.name.clone()),
            technical: !c.behavioral,
            score: 0.6 * (1.0 + 4.0 * c.emphasis) * size,
            bridge: None,
            concept: None,
            learn: None,
            topic: topic_for(None, Some(&c.id), i.role, i.ix),
            quote: None,
            why: (i.competency_gap_why)(c),
        });
    }
    let by_score = |a: &Gap, b: &Gap| b.score.total_cmp(&a.score).then(a.id.cmp(&b.id));
    required.sort_by(by_score);
    rest.sort_by(by_score);
    inferred.sort_by(by_score);
    // What the posting asks comes first; competencies the engine infers
    // from the company's emphasis follow the posting's own preferences.
    let mut gaps = required;
    gaps.extend(rest);
    gaps.extend(inferred);
    gaps.truncate(MAX_GAPS);
    for (n, g) in gaps.iter_mut().enumerate() {
        g.rank = n + 1;
        g.score = (g.score * 100.0).round() / 100.0;
        g.size = (g.size * 100.0).round() / 100.0;
    }
    gaps
}
