//! The level to aim at: anchored to the posting's seniority (or the years
//! it asks) on the company's ladder, then moved by the candidate's years
//! that count towards the role — years in the target role family fully,
//! adjacent families by the role pack's share — never more than one level
//! above the posting, and only above it when the required qualifications
//! are met. Every step of the reasoning is kept for the page.

use serde::Serialize;

use super::evidence::RoleSpan;
use super::posting::{Posting, Seniority};
use crate::packs::{CompanyPack, CompanyRole, Level, Packs, RolePack};

/// The level advice.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LevelAdvice {
    /// The recommended level id, from the company pack.
    pub recommended: String,
    /// Its title.
    pub title: String,
    /// The level the order asked for, if any.
    pub requested: Option<String>,
    /// The level the engine would advise on its own (differs from
    /// `recommended` only when the order named a level).
    pub advised: String,
    /// The posting's level on the company's ladder, if it says or implies
    /// one.
    pub posting_level: Option<String>,
    /// The level the candidate's experience reaches on its own.
    pub experience_level: String,
    /// Years that count towards the role.
    pub effective_years: f64,
    /// Professional years in all.
    pub total_years: f64,
    /// Each dated role, its family and the share of its years that counts.
    pub roles: Vec<RoleSpan>,
    /// The reasoning, one sentence per step.
    pub steps: Vec<String>,
    /// The advice in one sentence.
    pub why: String,
}

fn rank_of(levels: &[Level], id: &str) -> Option<usize> {
    levels.iter().position(|l| l.id == id)
}

fn years_text(l: &Level) -> String {
    match l.years.max {
        Some(max) => format!("{:.0}–{:.0}", l.years.min, max),
        None => format!("{:.0}+", l.years.min),
    }
}

pub(crate) struct Input<'a> {
    pub packs: &'a Packs,
    pub company: &'a CompanyPack,
    pub company_role: &'a CompanyRole,
    pub role: &'a RolePack,
    pub posting: &'a Posting,
    pub roles: Vec<RoleSpan>,
    pub effective_years: f64,
    pub total_years: f64,
    /// Share of the required qualifications met (0..1).
    pub required_credit: f64,
    /// The seniority of the candidate's recent titles.
    pub title_seniority: Seniority,
    pub requested: Option<&'a str>,
}

pub(crate) fn advise(i: Input<'_>) -> Option<LevelAdvice> {
    let levels = &i.company_role.levels;
    if levels.is_empty() {
        return None;
    }
    let p = i.packs;
    let mut steps = Vec::new();
    let company = i.company.name.as_str();
    // 1. The posting's level.
    let posting_level = match i.posting.seniority {
        Some(s) => {
            let at = levels
                .iter()
                .rposition(|l| {
                    Seniority::parse_id(&l.seniority).is_some_and(|ls| ls <= s)
                })
                .unwrap_or(0);
            let source = i.posting.seniority_source.clone().unwrap_or_default();
            steps.push(p.phrase(
                "level.anchor_seniority",
                &[
                    ("seniority", s.id()),
                    ("source", &source),
                    ("level", &levels[at].id),
                    ("title", &levels[at].title),
                    ("company", company),
                ],
            ));
            Some(at)
        }
        None => {
            steps.push(p.phrase("level.no_anchor", &[("company", company)]));
            None
        }
    };
    // 2. The years that count towards the role.
    let breakdown: Vec<String> = i
        .roles
        .iter()
        .filter(|r| r.years > 0.0)
        .map(|r| {
            let share = format!("{:.0}%", r.weight * 100.0);
            p.phrase(
                "level.role_share",
                &[
                    ("position", &r.position),
                    ("org", r.org.as_deref().unwrap_or("")),
                    ("years", &format!("{:.1}", r.years)),
                    ("share", &share),
                ],
            )
        })
        .collect();
    steps.push(p.phrase(
        "level.years",
        &[
            ("effective", &format!("{:.1}", i.effective_years)),
            ("total", &format!("{:.1}", i.total_years)),
            ("role", &i.role.name),
            ("breakdown", &breakdown.join("; ")),
        ],
    ));
    // 3. The level those years reach on the company's ladder: the highest
    // whose typical minimum they meet.
    let experience =
        levels.iter().rposition(|l| l.years.min <= i.effective_years).unwrap_or(0);
    let el = &levels[experience];
    steps.push(p.phrase(
        "level.experience",
        &[
            ("level", &el.id),
            ("title", &el.title),
            ("range", &years_text(el)),
            ("company", company),
        ],
    ));
    // 4. Reconcile.
    let advised = match posting_level {
        Some(at) if experience > at => {
            let up = (at + 1).min(levels.len() - 1);
            // Above the posting only with a clear margin: the next level's
            // typical years plus one, and the required qualifications met.
            // A recruiter re-levels a candidate upwards only when the case
            // is plain.
            let clear = i.effective_years >= levels[up].years.min + 1.0;
            if i.required_credit >= 0.9 && up > at && clear {
                steps.push(p.phrase(
                    "level.one_above",
                    &[("level", &levels[up].id), ("posting", &levels[at].id)],
                ));
                if experience > up {
                    steps.push(p.phrase("level.capped", &[("level", &levels[up].id)]));
                }
                up
            } else if !clear {
                steps.push(p.phrase(
                    "level.margin_holds_back",
                    &[("level", &levels[at].id), ("next", &levels[up].id)],
                ));
                at
            } else {
                steps
                    .push(p.phrase("level.fit_holds_back", &[("level", &levels[at].id)]));
                at
            }
        }
        Some(at) if experience < at => {
            steps.push(p.phrase(
                "level.below",
                &[("level", &el.id), ("posting", &levels[at].id)],
            ));
            experience
        }
        Some(at) => {
            steps.push(p.phrase("level.matches", &[("level", &levels[at].id)]));
            at
        }
        None => experience,
    };
    // 5. A recruiter rarely levels anyone more than one step above the
    // title they hold now.
    let cap = levels
        .iter()
        .rposition(|l| {
            Seniority::parse_id(&l.seniority)
                .is_some_and(|s| (s as u8) <= i.title_seniority as u8 + 1)
        })
        .unwrap_or(0);
    let advised = if advised > cap {
        steps.push(p.phrase(
            "level.title_cap",
            &[("seniority", i.title_seniority.id()), ("level", &levels[cap].id)],
        ));
        cap
    } else {
        advised
    };
    let mut recommended = advised;
    let mut requested = None;
    if let Some(want) = i.requested {
        requested = Some(want.to_string());
        match rank_of(levels, want)
            .or_else(|| levels.iter().position(|l| l.id.eq_ignore_ascii_case(want)))
        {
            Some(r) => {
                recommended = r;
                let code = if r == advised {
                    "level.requested_same"
                } else {
                    "level.requested_other"
                };
                steps.push(p.phrase(
                    code,
                    &[("level", &levels[r].id), ("advised", &levels[advised].id)],
                ));
            }
            None => {
                let known: Vec<&str> = levels.iter().map(|l| l.id.as_str()).collect();
                steps.push(p.phrase(
                    "level.requested_unknown",
                    &[
                        ("level", want),
                        ("known", &known.join(", ")),
                        ("advised", &levels[advised].id),
                    ],
                ));
            }
        }
    }
    let l = &levels[recommended];
    let why = p.phrase(
        if requested.is_some() { "level.why_requested" } else { "level.why" },
        &[
            ("level", &l.id),
            ("title", &l.title),
            ("company", company),
            ("effective", &format!("{:.1}", i.effective_years)),
        ],
    );
    Some(LevelAdvice {
        recommended: l.id.clone(),
        title: l.title.clone(),
        requested,
        advised: levels[advised].id.clone(),
        posting_level: posting_level.map(|at| levels[at].id.clone()),
        experience_level: el.id.clone(),
        effective_years: i.effective_years,
        total_years: i.total_years,
        roles: i.roles,
        steps,
        why,
    })
}
