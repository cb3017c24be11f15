//! STAR stories drafted from the resume's own accomplishments, chosen for
//! this posting: results with figures that show what the job asks and what
//! the company weighs come first, at most three from one entry so the set
//! shows range. A draft restates only what the resume says and marks
//! everything else as a fill-in for the candidate: it never invents a
//! number or a context.

use std::collections::BTreeSet;

use serde::Serialize;

use super::assess::{Assessed, Status};
use super::evidence::{Proof, Unit, UnitKind};
use super::fit::{competency_name, shows_behavior};
use super::index::{Cid, TaxonomyIndex};
use crate::packs::{CompanyPack, CompanyRole, Packs, RolePack};

/// A drafted story.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Story {
    /// 1-based number, used for cross-references.
    pub n: usize,
    /// Short title.
    pub title: String,
    /// The resume entry it grows from; `None` for a prompt the candidate
    /// fills from their own life.
    pub source: Option<StorySource>,
    /// Competency ids it demonstrates.
    pub competencies: Vec<String>,
    /// Display names of those competencies.
    pub competency_names: Vec<String>,
    /// The company value it maps to best.
    pub value: Option<String>,
    /// What interviewers listen for in that value.
    pub value_signal: Option<String>,
    /// Whether the resume states a result figure.
    pub has_number: bool,
    /// Requirements it is evidence for: (id, label).
    pub shows: Vec<(String, String)>,
    /// Questions from the bank it answers (ids).
    pub questions: Vec<String>,
    /// The question texts, for the page.
    pub question_texts: Vec<String>,
}

/// Resume material behind a story.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct StorySource {
    /// JSON path.
    pub path: String,
    /// Kind.
    pub kind: UnitKind,
    /// Organisation.
    pub org: Option<String>,
    /// Position.
    pub position: Option<String>,
    /// Dates.
    pub dates: Option<String>,
    /// The accomplishment, verbatim.
    pub text: String,
    /// Context from the entry's summary or description, verbatim.
    pub context: Option<String>,
    /// Skills named (labels).
    pub skills: Vec<String>,
}

pub(crate) struct Input<'a> {
    pub units: &'a [Unit],
    pub reqs: &'a [Assessed],
    pub ix: &'a TaxonomyIndex,
    pub packs: &'a Packs,
    pub role: &'a RolePack,
    pub company: &'a CompanyPack,
    pub company_role: &'a CompanyRole,
}

/// Stories per playbook: enough for every behavioural round, few enough to
/// rehearse.
const MAX_STORIES: usize = 8;
const MIN_STORIES: usize = 6;

pub(crate) fn draft(i: &Input<'_>) -> Vec<Story> {
    // The concepts the posting asks, and which requirement each serves.
    let asked: Vec<(Cid, &Assessed)> = i
        .reqs
        .iter()
        .flat_map(|r| r.requirement.concepts().iter().map(move |c| (c.cid, r)))
        .collect();
    let shows = |u: &Unit| -> Vec<&Assessed> {
        let mut v: Vec<&Assessed> = Vec::new();
        for (c, r) in &asked {
            if u.cids.iter().any(|&h| i.ix.implies(h, *c))
                && !v.iter().any(|x| x.requirement.id == r.requirement.id)
            {
                v.push(r);
            }
        }
        v
    };
    let behaviors = |u: &Unit| -> Vec<String> {
        i.packs
            .vocabulary
            .behavioral
            .iter()
            .filter(|b| shows_behavior(i.packs, &b.id, &u.text))
            .map(|b| b.id.clone())
            .collect()
    };
    let score = |u: &Unit| -> f64 {
        let s = shows(u);
        let required = s
            .iter()
            .filter(|r| r.requirement.kind == super::posting::Kind::Required)
            .count();
        let bridges = s.iter().filter(|r| r.status != Status::Met).count();
        u.base * 2.0
            + if u.has_number { 1.0 } else { 0.0 }
            + if u.proof == Proof::Result { 0.5 } else { 0.0 }
            + 0.4 * required.min(3) as f64
            + 0.25 * (s.len() - required).min(2) as f64
            + 0.3 * bridges.min(1) as f64
            + 0.2 * behaviors(u).len().min(3) as f64
            + (u.text.len().min(200) as f64 / 400.0)
    };
    let mut candidates: Vec<(f64, &Unit)> =
        i.units.iter().filter(|u| u.kind.is_story()).map(|u| (score(u), u)).collect();
    candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.path.cmp(&b.1.path)));
    let mut picked: Vec<&Unit> = Vec::new();
    for (_, u) in &candidates {
        let same = picked.iter().filter(|p| p.entry_key() == u.entry_key()).count();
        if same < 3 && picked.len() < MAX_STORIES {
            picked.push(u);
        }
    }
    let context_of = |u: &Unit| -> Option<String> {
        let prefix = u.path.split('.').next()?;
        let want = [format!("{prefix}.summary"), format!("{prefix}.description")];
        i.units
            .iter()
            .find(|x| want.contains(&x.path) && x.path != u.path)
            .map(|x| x.text.clone())
    };
    let mut stories: Vec<Story> = picked
        .iter()
        .map(|u| {
            let mut comps = behaviors(u);
            for c in &i.role.competencies {
                let touches = c
                    .skills
                    .iter()
                    .filter_map(|s| i.ix.id(s))
                    .any(|s| u.cids.iter().any(|&h| i.ix.implies(h, s)));
                if touches && !comps.contains(&c.id) {
                    comps.push(c.id.clone());
                }
            }
            if comps.is_empty() {
                comps.push("ownership".into());
            }
            Story {
                n: 0,
                title: title_of(&u.text),
                source: Some(StorySource {
                    path: u.path.clone(),
                    kind: u.kind,
                    org: u.org.clone(),
                    position: u.position.clone(),
                    dates: u.dates.clone(),
                    text: u.text.clone(),
                    context: context_of(u),
                    skills: u
                        .cids
                        .iter()
                        .map(|&c| i.ix.concept(c).pref.clone())
                        .collect(),
                }),
                competency_names: Vec::new(),
                competencies: comps,
                value: None,
                value_signal: None,
                has_number: u.has_number,
                shows: shows(u)
                    .iter()
                    .map(|r| (r.requirement.id.clone(), r.requirement.label.clone()))
                    .collect(),
                questions: Vec::new(),
                question_texts: Vec::new(),
            }
        })
        .collect();
    // A thin resume still gets six stories: prompts for the behavioural
    // competencies no drafted story covers, to be filled from the
    // candidate's own life (study, teams, side work).
    let covered: BTreeSet<String> =
        stories.iter().flat_map(|s| s.competencies.clone()).collect();
    for b in &i.packs.vocabulary.behavioral {
        if stories.len() >= MIN_STORIES {
            break;
        }
        if !covered.contains(&b.id) {
            stories.push(Story {
                n: 0,
                title: i.packs.phrase(
                    "story.prompt_title",
                    &[("competency", &b.name.to_lowercase())],
                ),
                source: None,
                competencies: vec![b.id.clone()],
                competency_names: Vec::new(),
                value: None,
                value_signal: None,
                has_number: false,
                shows: Vec::new(),
                questions: Vec::new(),
                question_texts: Vec::new(),
            });
        }
    }
    let mut used_questions = BTreeSet::new();
    for (n, s) in stories.iter_mut().enumerate() {
        s.n = n + 1;
        s.competency_names =
            s.competencies.iter().map(|c| competency_name(i.packs, i.role, c)).collect();
        let best = i
            .company
            .values
            .iter()
            .map(|v| {
                (v.competencies.iter().filter(|c| s.competencies.contains(c)).count(), v)
            })
            .filter(|(k, _)| *k > 0)
            .max_by_key(|(k, v)| (*k, std::cmp::Reverse(v.id.clone())));
        if let Some((_, v)) = best {
            s.value = Some(v.name.clone());
            s.value_signal = v.signals.first().cloned();
        }
        let mut qs: Vec<_> = i
            .company_role
            .questions
            .iter()
            .filter(|q| q.kind == "behavioral")
            .map(|q| {
                (q.competencies.iter().filter(|c| s.competencies.contains(c)).count(), q)
            })
            .filter(|(k, _)| *k > 0)
            .collect();
        qs.sort_by(|a, b| {
            let used = |q: &crate::packs::Question| used_questions.contains(&q.id);
            used(a.1).cmp(&used(b.1)).then(b.0.cmp(&a.0)).then(a.1.id.cmp(&b.1.id))
        });
        for (_, q) in qs.into_iter().take(3) {
            used_questions.insert(q.id.clone());
            s.questions.push(q.id.clone());
            s.question_texts.push(q.question.clone());
        }
    }
    stories
}

/// A short title from an accomplishment: its first clause, at most nine
/// words.
fn title_of(text: &str) -> String {
    let first = text.split(['.', ';', ':']).next().unwrap_or(text).trim();
    let words: Vec<&str> = first.split_whitespace().collect();
    if words.len() <= 9 {
        first.to_string()
    } else {
        format!("{} …", words[..9].join(" "))
    }
}
