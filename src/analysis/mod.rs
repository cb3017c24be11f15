//! Analysis: pure functions from the order and the packs to everything the
//! playbook says about this candidate. Responsible for judgement — what
//! the job asks, what the resume shows, what is missing, what level to aim
//! at — read the way a hiring manager reads a resume; not for wording
//! (templates and `packs/phrases.json`) or layout (typst).
//!
//! # Steps
//! 1. **Posting** ([`posting`]): lines → clauses → atomic requirements
//!    (skills, any-of groups, years, degrees), each with its sentence.
//! 2. **Evidence** ([`evidence`]): the resume as weighed units, matched to
//!    concepts through the taxonomy and its broader/adjacent relations.
//! 3. **Assessment**: each requirement met, partial or missing, with why
//!    and the evidence cited.
//! 4. **Fit**: score components that add up to the score; competency
//!    coverage for the company's emphasis.
//! 5. **Gaps**, **level**, **stories**, **plan**, **questions** and the
//!    **technical topics**, each from the steps before.

mod assess;
pub mod eval;
mod evidence;
mod fit;
mod gaps;
mod index;
mod level;
mod plan;
mod posting;
mod prep;
mod questions;
mod stories;
mod summary;
mod text;

use std::collections::BTreeSet;

use serde::Serialize;

pub use assess::{Assessed, Cited, HeldDegree, Status};
pub use evidence::{Piece, Proof, RoleSpan, Unit, UnitKind, Via};
pub use fit::{CompetencyFit, Component, Fit};
pub use gaps::{Gap, GapKind};
pub use index::TaxonomyIndex;
pub use level::LevelAdvice;
pub use plan::{Focus, Plan, Task, TaskKind, Week};
pub use posting::{
    ConceptRef, Kind, Posting, Requirement, Seniority, SourceRef, Unscored, What,
};
pub use prep::{Depth, FrameworkPick, RoundPrep, TopicPick};
pub use questions::RankedQuestion;
pub use stories::{Story, StorySource};

use crate::error::Result;
use crate::model::{Order, Resume};
use crate::packs::{CompanyPack, CompanyRole, Packs, RolePack};

pub(crate) use fit::humanize;

/// Everything computed about one candidate for one target. Its JSON form
/// (`prepbook analyze --json`, `POST /v1/analyze`) is documented in the
/// README and `schemas/`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    /// Who the candidate is, as the engine read the resume.
    pub candidate: Candidate,
    /// What the posting is (title, seniority, lines not scored).
    pub posting: Posting,
    /// Every requirement with its status, evidence and why, in posting
    /// order.
    pub requirements: Vec<Assessed>,
    /// The fit score and its components.
    pub fit: Fit,
    /// Gaps, most important first.
    pub gaps: Vec<Gap>,
    /// The level to aim at, with the reasoning.
    pub level: Option<LevelAdvice>,
    /// Requirements met with demonstrated (not only listed) evidence.
    pub strengths: Vec<Strength>,
    /// STAR drafts.
    pub stories: Vec<Story>,
    /// Week-by-week plan.
    pub plan: Plan,
    /// Question bank, highest priority first.
    pub questions: Vec<RankedQuestion>,
    /// How many of the first questions the playbook works through in full:
    /// twelve, three more per required gap and one more per other gap (at
    /// most 28): the further from the bar, the more to practise in depth.
    pub questions_in_full: usize,
    /// Technical topics in the order that pays off, with how deeply.
    pub topics: Vec<TopicPick>,
    /// Answer frameworks in the order that pays off, with how deeply.
    pub frameworks: Vec<FrameworkPick>,
    /// What to bring to each interview round, in the company's order.
    pub rounds: Vec<RoundPrep>,
}

/// A requirement the resume demonstrates.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Strength {
    /// Requirement id.
    pub id: String,
    /// Its label.
    pub label: String,
    /// Required or preferred.
    pub kind: Kind,
    /// The evidence that carries it.
    pub evidence: Cited,
}

/// The candidate as read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Candidate {
    /// Name.
    pub name: String,
    /// Headline.
    pub label: Option<String>,
    /// Professional years (work periods once, internships half).
    pub years: f64,
    /// Years that count towards the target role.
    pub role_years: f64,
    /// The role family of the most recent position, if its title names one.
    pub family: Option<String>,
    /// Employers, most recent first.
    pub employers: Vec<String>,
    /// Concepts the resume names (labels), sorted.
    pub skills: Vec<String>,
    /// Degrees as read.
    pub degrees: Vec<HeldDegree>,
    /// No work history: stories draw on projects and education.
    pub sparse: bool,
    /// Evidence units (for the appendix).
    pub units: Vec<Unit>,
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
    let (role, company_role) = packs.role(company, &order.target.role)?;
    Ok(analyze_with(order, packs, company, role, company_role))
}

/// [`analyze`] with the company and role already looked up.
pub(crate) fn analyze_with(
    order: &Order,
    packs: &Packs,
    company: &CompanyPack,
    role: &RolePack,
    company_role: &CompanyRole,
) -> Analysis {
    let ix = packs.index();
    let today = order.target.today;
    let resume = &order.resume;
    // 1. The posting.
    let note = packs.phrase("source.expectations", &[("company", &company.name)]);
    let mut posting =
        posting::read(order.job.as_ref(), company_role, role, ix, &packs.degrees, &note);
    let reqs = std::mem::take(&mut posting.requirements);
    // 2. The evidence.
    let units = evidence::units(resume, packs, ix, today);
    let total_years = evidence::total_years(resume, today);
    let spans = evidence::role_spans(resume, packs, role, today);
    let role_years = evidence::effective_years(&spans);
    let degrees = assess::degrees(resume, packs, today);
    let mut field_years = std::collections::BTreeMap::new();
    for r in packs.roles.values() {
        let years =
            evidence::effective_years(&evidence::role_spans(resume, packs, r, today));
        for c in r.field.iter().filter_map(|c| ix.id(c)) {
            let slot = field_years.entry(c).or_insert(0.0);
            *slot = f64::max(*slot, years);
        }
    }
    let ctx = assess::Context {
        packs,
        ix,
        units: &units,
        today,
        total_years,
        relevant_years: role_years,
        degrees: &degrees,
        field_years: &field_years,
    };
    // 3. Each requirement.
    let mut assessed: Vec<assess::Assessed> =
        reqs.iter().map(|r| assess::assess(r, &ctx)).collect();
    for a in &mut assessed {
        a.competency = gaps::competency_of(a, role, &company_role.emphasis, ix);
    }
    // 4. Fit.
    let comps = fit::competencies(&ctx, role, company_role);
    let fit = fit::score(packs, &assessed, comps);
    // 5. Gaps, level, stories, plan, questions, topics.
    let behavioral = |id: &str| packs.is_behavioral(id);
    let comp_why = |c: &CompetencyFit| {
        packs.phrase(
            "why.competency_gap",
            &[
                ("competency", &c.name),
                ("company", &company.name),
                ("emphasis", &format!("{:.0}%", c.emphasis * 100.0)),
                ("coverage", &format!("{:.0}%", c.coverage * 100.0)),
            ],
        )
    };
    let mut gaps = gaps::rank(&gaps::Input {
        reqs: &assessed,
        competencies: &fit.competencies,
        role,
        ix,
        is_behavioral: &behavioral,
        competency_gap_why: &comp_why,
    });
    // A competency gap's bridge is the best unit that shows something of it.
    for g in gaps.iter_mut().filter(|g| g.kind == GapKind::Competency) {
        g.bridge = fit
            .competencies
            .iter()
            .find(|c| Some(&c.id) == g.competency.as_ref())
            .and_then(|c| c.evidence.first())
            .and_then(|p| units.iter().find(|u| &u.path == p))
            .map(|u| Cited {
                path: u.path.clone(),
                text: u.text.clone(),
                label: u.label.clone(),
                kind: u.kind,
                via: None,
                adjacent: false,
                weight: u.base,
            });
    }
    let required: Vec<&Assessed> =
        assessed.iter().filter(|r| r.requirement.kind == Kind::Required).collect();
    let required_credit = if required.is_empty() {
        1.0
    } else {
        required.iter().map(|r| r.status.credit()).sum::<f64>() / required.len() as f64
    };
    // The seniority of the titles held in the last three years (a title
    // without a seniority word reads as mid level after two years).
    let recent = today - time::Duration::days(3 * 365);
    let title_seniority = resume
        .work
        .iter()
        .filter(|w| w.end_date.is_none_or(|e| e.start() >= recent))
        .filter_map(|w| w.position.as_deref())
        .map(|p| {
            Seniority::from_text(p).unwrap_or(if total_years >= 2.0 {
                Seniority::Mid
            } else {
                Seniority::Entry
            })
        })
        .max()
        .unwrap_or(Seniority::Entry);
    let level = level::advise(level::Input {
        title_seniority,
        packs,
        company,
        company_role,
        role,
        posting: &posting,
        roles: spans,
        effective_years: role_years,
        total_years,
        required_credit,
        requested: order.target.level.as_deref(),
    });
    let stories = stories::draft(&stories::Input {
        units: &units,
        reqs: &assessed,
        ix,
        packs,
        role,
        company,
        company_role,
    });
    let plan = plan::build(
        today,
        order.target.interview_date,
        order.target.hours_per_week,
        &gaps,
        &fit.competencies,
        &stories,
    );
    let name = |id: &str| fit::competency_name(packs, role, id);
    let questions = questions::prioritise(company_role, &name, &gaps, &stories, ix);
    let topics = prep::pick(role, &gaps, &assessed, &fit.competencies, ix);
    let prompts = stories.iter().filter(|s| s.source.is_none()).count();
    let frameworks = prep::frameworks(role, &gaps, prompts);
    let rounds = prep::rounds(company_role, &stories, &questions, &gaps);
    let required_gaps = gaps.iter().filter(|g| g.need == Some(Kind::Required)).count();
    let questions_in_full = (12 + 3 * required_gaps + (gaps.len() - required_gaps))
        .min(28)
        .min(questions.len());
    let strengths = assessed
        .iter()
        .filter(|r| r.status == Status::Met && r.requirement.kind != Kind::Responsibility)
        .filter_map(|r| {
            let e = r.evidence.first()?;
            fit::demonstrates(e.kind).then(|| Strength {
                id: r.requirement.id.clone(),
                label: r.requirement.label.clone(),
                kind: r.requirement.kind,
                evidence: e.clone(),
            })
        })
        .collect();
    let skills: BTreeSet<String> = units
        .iter()
        .flat_map(|u| u.cids.iter().map(|&c| ix.concept(c).pref.clone()))
        .collect();
    let family = resume
        .work
        .first()
        .and_then(|w| w.position.as_deref())
        .and_then(|p| evidence::family_of(p, packs.roles.values()));
    let candidate = Candidate {
        name: resume.name().to_string(),
        label: resume.basics.label.clone(),
        years: total_years,
        role_years,
        family,
        employers: employers(resume),
        skills: skills.into_iter().collect(),
        degrees,
        sparse: resume.work.is_empty(),
        units,
    };
    Analysis {
        candidate,
        posting,
        requirements: assessed,
        fit,
        gaps,
        level,
        strengths,
        stories,
        plan,
        questions_in_full,
        questions,
        topics,
        frameworks,
        rounds,
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

#[cfg(test)]
mod tests;

/// The form two taxonomy labels must share to name the same thing
/// (normalised tokens), for the pack check's collision test.
pub(crate) fn term_key(label: &str) -> String {
    text::tokens(label).iter().map(|t| t.norm.as_str()).collect::<Vec<_>>().join(" ")
}
