//! The question bank in the order this candidate should practise it: by
//! the company's emphasis on what a question tests and by the candidate's
//! gaps (a question probes a gap when it tests the gap's competency or
//! names its skill), each question pointing to the stories and gap scripts
//! that answer it.

use serde::Serialize;

use super::gaps::Gap;
use super::index::{Mode, TaxonomyIndex};
use super::stories::Story;
use crate::packs::{CompanyRole, Question};

/// A question with its priority and personal pointers.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RankedQuestion {
    /// The pack's question.
    #[serde(flatten)]
    pub question: Question,
    /// Display names of its competencies.
    pub competency_names: Vec<String>,
    /// Priority score.
    pub priority: f64,
    /// The company's heaviest weight among its competencies, when it is
    /// one the loop stresses (≥ 15%).
    pub weighted: Option<f64>,
    /// Stories that answer it: (number, title).
    pub stories: Vec<(usize, String)>,
    /// Gaps it probes: (rank, label).
    pub gaps: Vec<(usize, String)>,
    /// Among the first ten to practise.
    pub start_here: bool,
}

pub(crate) fn prioritise(
    company_role: &CompanyRole,
    name: &dyn Fn(&str) -> String,
    gaps: &[Gap],
    stories: &[Story],
    ix: &TaxonomyIndex,
) -> Vec<RankedQuestion> {
    let gap_concepts: Vec<(usize, Vec<usize>)> = gaps
        .iter()
        .map(|g| {
            (g.rank, g.concept.as_deref().and_then(|c| ix.id(c)).into_iter().collect())
        })
        .collect();
    let mut out: Vec<RankedQuestion> = company_role
        .questions
        .iter()
        .map(|q| {
            let emph: f64 = q
                .competencies
                .iter()
                .map(|c| company_role.emphasis.get(c).copied().unwrap_or(0.0))
                .fold(0.0, f64::max);
            let named = ix.concepts_in(&q.question, Mode::Prose);
            let gap_hits: Vec<(usize, String)> = gaps
                .iter()
                .zip(&gap_concepts)
                .filter(|(g, (_, cs))| {
                    g.competency
                        .as_deref()
                        .is_some_and(|c| q.competencies.iter().any(|x| x == c))
                        || cs
                            .iter()
                            .any(|&c| named.iter().any(|&n| n == c || ix.implies(n, c)))
                })
                .map(|(g, _)| (g.rank, g.label.clone()))
                .take(2)
                .collect();
            let story_hits: Vec<(usize, String)> = stories
                .iter()
                .filter(|s| s.questions.contains(&q.id))
                .chain(stories.iter().filter(|s| {
                    !s.questions.contains(&q.id)
                        && s.competencies.iter().any(|c| q.competencies.contains(c))
                }))
                .map(|s| (s.n, s.title.clone()))
                .take(2)
                .collect();
            let difficulty = match q.difficulty.as_str() {
                "hard" => 0.15,
                "medium" => 0.1,
                _ => 0.05,
            };
            let priority = emph * 2.0
                + gap_hits.first().map_or(0.0, |(r, _)| 1.0 - 0.06 * (*r).min(10) as f64)
                + difficulty;
            RankedQuestion {
                competency_names: q.competencies.iter().map(|c| name(c)).collect(),
                question: q.clone(),
                priority: (priority * 100.0).round() / 100.0,
                weighted: (emph >= 0.15).then_some(emph),
                stories: if q.kind == "behavioral" || !story_hits.is_empty() {
                    story_hits
                } else {
                    Vec::new()
                },
                gaps: gap_hits,
                start_here: false,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.priority.total_cmp(&a.priority).then(a.question.id.cmp(&b.question.id))
    });
    for q in out.iter_mut().take(10) {
        q.start_here = true;
    }
    out
}
