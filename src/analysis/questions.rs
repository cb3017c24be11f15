//! The question bank in the order this candidate should practise it: by
//! the company's emphasis and the candidate's gaps, each question pointing
//! to the stories and gap scripts that answer it.

use serde::Serialize;

use super::gaps::Gap;
use super::stories::Story;
use crate::packs::{CompanyRole, Question, RolePack};

/// A question with its priority and personal pointers.
#[derive(Debug, Clone, Serialize)]
pub struct RankedQuestion {
    /// The pack's question.
    #[serde(flatten)]
    pub question: Question,
    /// Display names of its competencies.
    pub competency_names: Vec<String>,
    /// Priority score.
    pub priority: f64,
    /// Why it ranks where it does.
    pub reasons: Vec<String>,
    /// Stories that answer it: (number, title).
    pub stories: Vec<(usize, String)>,
    /// Gaps it probes: (rank, name).
    pub gaps: Vec<(usize, String)>,
    /// Among the first ten to practise.
    pub start_here: bool,
}

pub(crate) fn prioritise(
    company_role: &CompanyRole,
    role: &RolePack,
    gaps: &[Gap],
    stories: &[Story],
) -> Vec<RankedQuestion> {
    let name = |id: &str| {
        role.competencies
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| super::fit::humanize(id), |c| c.name.clone())
    };
    let mut out: Vec<RankedQuestion> = company_role
        .questions
        .iter()
        .map(|q| {
            let mut reasons = Vec::new();
            let emph: f64 = q
                .competencies
                .iter()
                .map(|c| company_role.emphasis.get(c).copied().unwrap_or(0.0))
                .fold(0.0, f64::max);
            if emph >= 0.15 {
                reasons.push(format!(
                    "tests {} (weighted {:.0}%)",
                    name(&q.competencies[0]),
                    emph * 100.0
                ));
            }
            let lower = q.question.to_lowercase();
            let gap_hits: Vec<(usize, String)> = gaps
                .iter()
                .filter(|g| {
                    g.competency
                        .as_deref()
                        .is_some_and(|c| q.competencies.iter().any(|x| x == c))
                        || lower.contains(&g.name.to_lowercase())
                })
                .map(|g| (g.rank, g.name.clone()))
                .take(2)
                .collect();
            if let Some((r, n)) = gap_hits.first() {
                reasons.push(format!("probes gap {r} ({n})"));
            }
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
                + if gap_hits.is_empty() {
                    0.0
                } else {
                    0.6 - 0.05 * gap_hits[0].0 as f64
                }
                + difficulty;
            RankedQuestion {
                competency_names: q.competencies.iter().map(|c| name(c)).collect(),
                question: q.clone(),
                priority: (priority * 100.0).round() / 100.0,
                reasons,
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
