//! Which technical topics this candidate should study, and how deeply:
//! topics that teach a gap come first and in depth, topics behind
//! requirements already met are marked as review (their evidence named),
//! and the rest follow by the company's emphasis on their competency.

use serde::Serialize;

use super::assess::{Assessed, Status};
use super::fit::CompetencyFit;
use super::gaps::Gap;
use super::index::TaxonomyIndex;
use crate::packs::RolePack;

/// How a topic is treated on the page.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    /// It teaches one of the candidate's gaps: full notes and practice.
    Gap,
    /// The company weighs it and the resume shows little of it.
    Study,
    /// The resume already shows it: review the key points.
    Review,
}

/// How an answer framework is shown: with its worked example when the
/// candidate's gaps are in the kind of round it serves.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FrameworkPick {
    /// The role pack's framework id.
    pub id: String,
    /// Show the worked example in full.
    pub in_depth: bool,
    /// The gaps of the kind the framework serves: (rank, label).
    pub gaps: Vec<(usize, String)>,
}

/// Frameworks in the order that pays off: those serving the kind of round
/// the candidate's gaps are in (technical gaps: design, case and
/// execution frameworks; behavioural gaps or stories still to be found:
/// behavioural ones) come first and in depth — at least one, at most two.
pub(crate) fn frameworks(
    role: &RolePack,
    gaps: &[Gap],
    prompts: usize,
) -> Vec<FrameworkPick> {
    let mut out: Vec<(usize, FrameworkPick)> = role
        .frameworks
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let behavioural = f.applies_to == "behavioral";
            let hits: Vec<(usize, String)> = gaps
                .iter()
                .filter(|g| g.technical != behavioural)
                .map(|g| (g.rank, g.label.clone()))
                .collect();
            let weight = hits.len() + if behavioural { prompts } else { 0 };
            (
                weight * 100 + (99 - i.min(99)),
                FrameworkPick { id: f.id.clone(), in_depth: false, gaps: hits },
            )
        })
        .collect();
    out.sort_by_key(|x| std::cmp::Reverse(x.0));
    let mut out: Vec<FrameworkPick> = out.into_iter().map(|(_, f)| f).collect();
    for (n, f) in out.iter_mut().enumerate() {
        f.in_depth = n == 0 || (n == 1 && !f.gaps.is_empty());
    }
    out
}

/// The candidate's material for one interview round.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RoundPrep {
    /// The round's name, as the company pack gives it.
    pub name: String,
    /// Stories that show what the round assesses: (number, title).
    pub stories: Vec<(usize, String)>,
    /// The highest-ranked bank questions of the round's competencies:
    /// (position in the ranked bank, 1-based; question).
    pub questions: Vec<(usize, String)>,
    /// Gaps the round will probe: (rank, label).
    pub gaps: Vec<(usize, String)>,
}

/// What to bring to each round: the stories, questions and gaps that meet
/// the competencies it assesses.
pub(crate) fn rounds(
    company_role: &crate::packs::CompanyRole,
    stories: &[super::Story],
    questions: &[super::RankedQuestion],
    gaps: &[Gap],
) -> Vec<RoundPrep> {
    company_role
        .process
        .rounds
        .iter()
        .map(|r| {
            let meets = |cs: &[String]| cs.iter().any(|c| r.competencies.contains(c));
            RoundPrep {
                name: r.name.clone(),
                stories: stories
                    .iter()
                    .filter(|s| s.source.is_some() && meets(&s.competencies))
                    .take(2)
                    .map(|s| (s.n, s.title.clone()))
                    .collect(),
                questions: questions
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| meets(&q.question.competencies))
                    .take(2)
                    .map(|(i, q)| (i + 1, q.question.question.clone()))
                    .collect(),
                gaps: gaps
                    .iter()
                    .filter(|g| {
                        g.competency.as_ref().is_some_and(|c| r.competencies.contains(c))
                    })
                    .take(2)
                    .map(|g| (g.rank, g.label.clone()))
                    .collect(),
            }
        })
        .collect()
}

/// A topic picked for the candidate.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct TopicPick {
    /// The role pack's topic id.
    pub id: String,
    /// How deeply to prepare it.
    pub depth: Depth,
    /// The gaps it teaches: (rank, label).
    pub gaps: Vec<(usize, String)>,
    /// Met requirements it builds on: (id, label, evidence path).
    pub builds_on: Vec<(String, String, String)>,
    /// The company's weight of its competency.
    pub emphasis: f64,
    /// How much of the competency the resume shows.
    pub coverage: f64,
}

pub(crate) fn pick(
    role: &RolePack,
    gaps: &[Gap],
    reqs: &[Assessed],
    comps: &[CompetencyFit],
    ix: &TaxonomyIndex,
) -> Vec<TopicPick> {
    let mut out: Vec<TopicPick> = role
        .technical_topics
        .iter()
        .map(|t| {
            let skills: Vec<usize> = t.skills.iter().filter_map(|s| ix.id(s)).collect();
            let touches = |cids: &[usize]| {
                cids.iter().any(|&c| skills.iter().any(|&s| ix.teaches(s, c)))
            };
            let gap_hits: Vec<(usize, String)> = gaps
                .iter()
                .filter(|g| {
                    g.topic.as_ref().is_some_and(|x| x.id == t.id)
                        || g.concept
                            .as_deref()
                            .and_then(|c| ix.id(c))
                            .is_some_and(|c| touches(&[c]))
                })
                .map(|g| (g.rank, g.label.clone()))
                .collect();
            let builds_on: Vec<(String, String, String)> = reqs
                .iter()
                .filter(|r| r.status == Status::Met)
                .filter(|r| {
                    touches(
                        &r.requirement
                            .concepts()
                            .iter()
                            .map(|c| c.cid)
                            .collect::<Vec<_>>(),
                    )
                })
                .filter_map(|r| {
                    r.evidence.first().map(|e| {
                        (
                            r.requirement.id.clone(),
                            r.requirement.label.clone(),
                            e.path.clone(),
                        )
                    })
                })
                .take(3)
                .collect();
            let comp = comps.iter().find(|c| c.id == t.competency);
            let (emphasis, coverage) =
                comp.map_or((0.0, 0.0), |c| (c.emphasis, c.coverage));
            let depth = if !gap_hits.is_empty() {
                Depth::Gap
            } else if !builds_on.is_empty() || coverage >= 0.62 {
                Depth::Review
            } else {
                Depth::Study
            };
            TopicPick {
                id: t.id.clone(),
                depth,
                gaps: gap_hits,
                builds_on,
                emphasis,
                coverage,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.depth
            .cmp(&b.depth)
            .then_with(|| a.gaps.first().map(|g| g.0).cmp(&b.gaps.first().map(|g| g.0)))
            .then(b.emphasis.total_cmp(&a.emphasis))
            .then(a.id.cmp(&b.id))
    });
    out
}
