//! Analysis: pure functions from the order and the packs to everything the
//! playbook says about this candidate — requirements, the fit score with
//! evidence, ranked gaps, STAR story drafts, the weekly plan and the
//! prioritised question bank. Responsible for judgement; not for wording
//! (templates) or layout (typst).

mod evidence;
mod fit;
mod gaps;
mod plan;
mod questions;
mod requirements;
mod skills;
mod stories;

use std::collections::BTreeSet;

use serde::Serialize;

pub use evidence::{Unit, UnitKind};
pub use fit::{CompetencyFit, Component, Evidence, Fit, Row, Status};
pub use gaps::{Gap, GapKind};
pub use plan::{Plan, Task, Week};
pub use questions::RankedQuestion;
pub use requirements::{Need, OtherRequirement, Requirement, Requirements, Seniority};
pub use stories::{Story, StorySource};

use crate::error::Result;
use crate::model::{Order, Resume};
use crate::packs::{CompanyPack, CompanyRole, Packs, RolePack};

/// Everything computed about one candidate for one target.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Who the candidate is, as the engine read the resume.
    pub candidate: Candidate,
    /// What the job asks.
    pub requirements: Requirements,
    /// The fit score and its evidence.
    pub fit: Fit,
    /// Ranked gaps.
    pub gaps: Vec<Gap>,
    /// STAR drafts.
    pub stories: Vec<Story>,
    /// Week-by-week plan.
    pub plan: Plan,
    /// Question bank, highest priority first.
    pub questions: Vec<RankedQuestion>,
    /// The level the playbook prepares for.
    pub level: Option<LevelPick>,
    /// Requirements met with strong evidence, for the summary.
    pub strengths: Vec<Row>,
}

/// The candidate as read.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Name.
    pub name: String,
    /// Headline.
    pub label: Option<String>,
    /// Years of professional experience.
    pub years: f64,
    /// Seniority read from years and titles.
    pub seniority: Seniority,
    /// Employers, most recent first.
    pub employers: Vec<String>,
    /// Every recognised skill (display names).
    pub skills: Vec<String>,
    /// No work history: stories draw on projects and education.
    pub sparse: bool,
    /// Evidence units (for the appendix).
    pub units: Vec<Unit>,
}

/// The level the playbook aims at.
#[derive(Debug, Clone, Serialize)]
pub struct LevelPick {
    /// Company level id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Why this level.
    pub reason: String,
}

/// Runs every analysis step for an order.
///
/// ```no_run
/// # let (order, packs): (prepbook::Order, prepbook::Packs) = todo!();
/// let analysis = prepbook::analyze(&order, &packs)?;
/// println!("fit {}/100, {} gaps", analysis.fit.score, analysis.gaps.len());
/// # Ok::<(), prepbook::Error>(())
/// ```
pub fn analyze(order: &Order, packs: &Packs) -> Result<Analysis> {
    let company = packs.company(&order.target.company)?;
    let (role, company_role) = packs.role(company, order.target.role)?;
    Ok(analyze_with(order, packs, company, role, company_role))
}

fn analyze_with(
    order: &Order,
    packs: &Packs,
    company: &CompanyPack,
    role: &RolePack,
    company_role: &CompanyRole,
) -> Analysis {
    let matcher = skills::SkillMatcher::new(&packs.taxonomy);
    let t = &order.target;
    let units = evidence::units(&order.resume, &matcher, t.today);
    let years = evidence::years_of_experience(&order.resume, t.today);
    let seniority = fit::candidate_seniority(years, &units);
    let reqs = requirements::extract(
        order.job.as_ref(),
        company_role,
        role,
        &matcher,
        &packs.taxonomy,
    );
    let input = fit::FitInput {
        reqs: &reqs,
        units: &units,
        years,
        seniority,
        role,
        company_role,
        taxonomy: &packs.taxonomy,
    };
    let fit = fit::assess(&input);
    let gaps = gaps::rank(&fit, &input, years);
    let required: BTreeSet<String> =
        reqs.skills.iter().map(|r| r.skill.clone()).collect();
    let skill_name = |id: &str| {
        packs
            .taxonomy
            .skills
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_string(), |s| s.name.clone())
    };
    let stories =
        stories::draft(&units, &required, role, company, company_role, &skill_name);
    let plan = plan::build(
        t.today,
        t.interview_date,
        t.hours_per_week,
        &gaps,
        &fit.competencies,
        &stories,
    );
    let questions = questions::prioritise(company_role, role, &gaps, &stories);
    let level = pick_level(order, company_role, years);
    let strengths =
        fit.rows.iter().filter(|r| r.status == Status::Strong).cloned().collect();
    let all_skills: BTreeSet<String> =
        units.iter().flat_map(|u| u.skills.iter().map(|s| skill_name(s))).collect();
    let candidate = Candidate {
        name: order.resume.name().to_string(),
        label: order.resume.basics.label.clone(),
        years,
        seniority,
        employers: employers(&order.resume),
        skills: all_skills.into_iter().collect(),
        sparse: order.resume.work.is_empty(),
        units,
    };
    Analysis {
        candidate,
        requirements: reqs,
        fit,
        gaps,
        stories,
        plan,
        questions,
        level,
        strengths,
    }
}

fn employers(resume: &Resume) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in &resume.work {
        if let Some(n) = w.name.as_deref().map(str::trim).filter(|n| !n.is_empty())
            && !out.iter().any(|o| o == n)
        {
            out.push(n.to_string());
        }
    }
    out
}

/// The requested level, or the highest level whose typical experience the
/// candidate's years reach.
fn pick_level(order: &Order, cr: &CompanyRole, years: f64) -> Option<LevelPick> {
    if let Some(want) = &order.target.level {
        let found = cr.levels.iter().find(|l| l.id.eq_ignore_ascii_case(want));
        return Some(match found {
            Some(l) => LevelPick {
                id: l.id.clone(),
                title: l.title.clone(),
                reason: "the level named in your order".into(),
            },
            None => LevelPick {
                id: want.clone(),
                title: want.clone(),
                reason: "the level named in your order (not in this company's published ladder, so figures below are for the nearest levels)".into(),
            },
        });
    }
    let min_years = |s: &str| -> f64 {
        s.split(|c: char| !c.is_ascii_digit())
            .find(|p| !p.is_empty())
            .and_then(|p| p.parse().ok())
            .unwrap_or(0.0)
    };
    let pick = cr
        .levels
        .iter()
        .filter(|l| min_years(&l.typical_experience) <= years)
        .max_by(|a, b| {
            min_years(&a.typical_experience).total_cmp(&min_years(&b.typical_experience))
        })
        .or_else(|| cr.levels.first())?;
    Some(LevelPick {
        id: pick.id.clone(),
        title: pick.title.clone(),
        reason: format!(
            "the highest level whose typical experience ({}) your {:.1} years reach; the recruiter decides the final level",
            pick.typical_experience, years
        ),
    })
}

pub(crate) use fit::humanize;

/// Whether a competency id is one of the shared behavioural ones.
pub(crate) fn is_behavioral(id: &str) -> bool {
    crate::packs::BEHAVIORAL.contains(&id)
}

#[cfg(test)]
mod tests;
