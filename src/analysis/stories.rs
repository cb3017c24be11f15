//! STAR stories drafted from the resume's own accomplishments. A draft
//! restates only what the resume says and marks everything else as a
//! fill-in for the candidate: it never invents a number or a context.

use std::collections::BTreeSet;

use serde::Serialize;

use super::evidence::{Unit, UnitKind};
use super::fit::{BEHAVIOR_WORDS, behavior_hits};
use crate::packs::{CompanyPack, CompanyRole, RolePack};

/// A drafted story.
#[derive(Debug, Clone, Serialize)]
pub struct Story {
    /// 1-based number, used for cross-references.
    pub n: usize,
    /// Short title.
    pub title: String,
    /// The resume entry it grows from, if any.
    pub source: Option<StorySource>,
    /// Competency ids it demonstrates.
    pub competencies: Vec<String>,
    /// Display names of those competencies.
    pub competency_names: Vec<String>,
    /// The company value it maps to best.
    pub value: Option<String>,
    /// Why that value.
    pub value_signal: Option<String>,
    /// Whether the resume states a result figure.
    pub has_number: bool,
    /// Questions from the bank it answers (ids).
    pub questions: Vec<String>,
    /// The question texts, for the page.
    pub question_texts: Vec<String>,
}

/// Resume material behind a story.
#[derive(Debug, Clone, Serialize)]
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
    /// Skills named.
    pub skills: Vec<String>,
}

const STRONG_VERBS: [&str; 16] = [
    "built",
    "build",
    "led",
    "launched",
    "designed",
    "optimized",
    "optimised",
    "reduced",
    "increased",
    "won",
    "created",
    "shipped",
    "delivered",
    "improved",
    "migrated",
    "scaled",
];

pub(crate) fn draft(
    units: &[Unit],
    required: &BTreeSet<String>,
    role: &RolePack,
    company: &CompanyPack,
    company_role: &CompanyRole,
    taxonomy_names: &dyn Fn(&str) -> String,
) -> Vec<Story> {
    let score = |u: &Unit| -> f64 {
        let lower = u.text.to_lowercase();
        let verbs =
            STRONG_VERBS.iter().any(|v| lower.split_whitespace().any(|w| w == *v));
        u.kind.strength() * 2.0
            + if u.has_number { 1.0 } else { 0.0 }
            + if verbs { 0.6 } else { 0.0 }
            + 0.4 * u.skills.intersection(required).count().min(3) as f64
            + 0.2 * behavior_hits(&u.text).len().min(3) as f64
            + (u.text.len().min(200) as f64 / 400.0)
    };
    let mut candidates: Vec<&Unit> = units
        .iter()
        .filter(|u| {
            u.kind.is_story()
                && !u.path.ends_with(".keywords")
                && !u.path.ends_with(".position")
        })
        .collect();
    candidates.sort_by(|a, b| score(b).total_cmp(&score(a)).then(a.path.cmp(&b.path)));
    // At most three stories from one entry, so the set shows range.
    let mut picked: Vec<&Unit> = Vec::new();
    for u in &candidates {
        let same = picked
            .iter()
            .filter(|p| p.kind == u.kind && p.entry == u.entry && p.label == u.label)
            .count();
        if same < 3 && picked.len() < 8 {
            picked.push(u);
        }
    }
    for u in &candidates {
        if picked.len() >= 6 {
            break;
        }
        if !picked.iter().any(|p| p.path == u.path) {
            picked.push(u);
        }
    }
    let context_of = |u: &Unit| -> Option<String> {
        let prefix = u.path.split('.').next()?;
        let want = [format!("{prefix}.summary"), format!("{prefix}.description")];
        units
            .iter()
            .find(|x| want.contains(&x.path) && x.path != u.path)
            .map(|x| x.text.clone())
    };
    let mut stories: Vec<Story> = picked
        .iter()
        .map(|u| {
            let mut comps: Vec<String> =
                behavior_hits(&u.text).into_iter().map(str::to_string).collect();
            for c in &role.competencies {
                if c.skills.iter().any(|s| u.skills.contains(s)) && !comps.contains(&c.id)
                {
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
                    skills: u.skills.iter().map(|s| taxonomy_names(s)).collect(),
                }),
                competency_names: Vec::new(),
                competencies: comps,
                value: None,
                value_signal: None,
                has_number: u.has_number,
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
    for (comp, _) in BEHAVIOR_WORDS {
        if stories.len() >= 6 {
            break;
        }
        if !covered.contains(comp) {
            stories.push(Story {
                n: 0,
                title: format!("A time you showed {}", comp.replace('_', " ")),
                source: None,
                competencies: vec![comp.to_string()],
                competency_names: Vec::new(),
                value: None,
                value_signal: None,
                has_number: false,
                questions: Vec::new(),
                question_texts: Vec::new(),
            });
        }
    }
    let names = |id: &str| {
        role.competencies
            .iter()
            .find(|c| c.id == id)
            .map_or_else(|| super::fit::humanize(id), |c| c.name.clone())
    };
    let mut used_questions = BTreeSet::new();
    for (n, s) in stories.iter_mut().enumerate() {
        s.n = n + 1;
        s.competency_names = s.competencies.iter().map(|c| names(c)).collect();
        let best = company
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
        let mut qs: Vec<_> = company_role
            .questions
            .iter()
            .filter(|q| q.kind == "behavioral")
            .map(|q| {
                (q.competencies.iter().filter(|c| s.competencies.contains(c)).count(), q)
            })
            .filter(|(k, _)| *k > 0)
            .collect();
        qs.sort_by(|a, b| {
            let fresh = |q: &crate::packs::Question| used_questions.contains(&q.id);
            fresh(a.1).cmp(&fresh(b.1)).then(b.0.cmp(&a.0)).then(a.1.id.cmp(&b.1.id))
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
