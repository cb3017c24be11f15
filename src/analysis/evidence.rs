//! The resume as evidence: every highlight, summary, project and skill list
//! becomes a [`Unit`] with its JSON path and the skills it mentions, so that
//! every claim the playbook makes about the candidate points back to the
//! line of the resume it came from.

use std::collections::BTreeSet;

use serde::Serialize;
use time::Date;

use super::skills::SkillMatcher;
use crate::model::{PartialDate, Resume};

/// Where a unit of evidence sits in the resume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A work highlight: the strongest evidence.
    WorkHighlight,
    /// A work summary.
    WorkSummary,
    /// A project highlight or description.
    Project,
    /// Volunteering.
    Volunteer,
    /// Award, publication or certificate.
    Recognition,
    /// Education: degree, area, courses.
    Education,
    /// The skills section: a claim, not a demonstration.
    SkillList,
    /// The basics summary.
    Summary,
}

impl UnitKind {
    /// How much a mention here proves, 0..1.
    pub(crate) fn strength(self) -> f64 {
        match self {
            UnitKind::WorkHighlight => 1.0,
            UnitKind::WorkSummary | UnitKind::Project => 0.85,
            UnitKind::Volunteer | UnitKind::Recognition => 0.7,
            UnitKind::Education => 0.55,
            UnitKind::SkillList | UnitKind::Summary => 0.5,
        }
    }

    /// Whether the unit is an accomplishment a STAR story can grow from.
    pub(crate) fn is_story(self) -> bool {
        matches!(
            self,
            UnitKind::WorkHighlight
                | UnitKind::WorkSummary
                | UnitKind::Project
                | UnitKind::Volunteer
                | UnitKind::Recognition
                | UnitKind::Education
        )
    }
}

/// One piece of the resume.
#[derive(Debug, Clone, Serialize)]
pub struct Unit {
    /// JSON path in the resume, e.g. `work[0].highlights[2]`.
    pub path: String,
    /// What kind of entry it is.
    pub kind: UnitKind,
    /// The entry it belongs to, e.g. "Pied Piper · CEO/President".
    pub label: String,
    /// Organisation, if any.
    pub org: Option<String>,
    /// Position or role, if any.
    pub position: Option<String>,
    /// Dates as the resume gives them, e.g. "Dec 2013 – Dec 2014".
    pub dates: Option<String>,
    /// The text itself.
    pub text: String,
    /// Skills it mentions (taxonomy ids).
    pub skills: BTreeSet<String>,
    /// Whether the text carries a figure (%, $, x, a number).
    pub has_number: bool,
    /// Last day it covers, for recency.
    #[serde(skip)]
    pub until: Option<Date>,
    /// Index of the entry within its section, for grouping.
    #[serde(skip)]
    pub entry: usize,
}

pub(crate) fn units(resume: &Resume, m: &SkillMatcher, today: Date) -> Vec<Unit> {
    let mut out = Vec::new();
    let span = |s: Option<PartialDate>, e: Option<PartialDate>| -> Option<String> {
        match (s, e) {
            (Some(s), Some(e)) => Some(format!("{} – {}", s.human(), e.human())),
            (Some(s), None) => Some(format!("{} – present", s.human())),
            (None, Some(e)) => Some(format!("until {}", e.human())),
            (None, None) => None,
        }
    };
    let until = |e: Option<PartialDate>, s: Option<PartialDate>| {
        e.map(|d| d.start()).or(s.map(|_| today))
    };
    #[allow(clippy::too_many_arguments)]
    fn push(
        out: &mut Vec<Unit>,
        m: &SkillMatcher,
        path: String,
        kind: UnitKind,
        label: String,
        org: Option<&str>,
        position: Option<&str>,
        dates: Option<String>,
        text: &str,
        until: Option<Date>,
        entry: usize,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        out.push(Unit {
            path,
            kind,
            label,
            org: org.map(str::to_owned),
            position: position.map(str::to_owned),
            dates,
            text: text.to_owned(),
            skills: m.find_in_text(text),
            has_number: has_figure(text),
            until,
            entry,
        });
    }
    for (i, w) in resume.work.iter().enumerate() {
        let label = join(&[w.name.as_deref(), w.position.as_deref()]);
        let dates = span(w.start_date, w.end_date);
        let u = until(w.end_date, w.start_date);
        // The title itself is evidence: a "Machine Learning Engineer" has
        // done machine learning even if no highlight says the words.
        if let Some(p) = w.position.as_deref() {
            push(
                &mut out,
                m,
                format!("work[{i}].position"),
                UnitKind::WorkSummary,
                label.clone(),
                w.name.as_deref(),
                w.position.as_deref(),
                dates.clone(),
                p,
                u,
                i,
            );
        }
        for (j, h) in w.highlights.iter().enumerate() {
            push(
                &mut out,
                m,
                format!("work[{i}].highlights[{j}]"),
                UnitKind::WorkHighlight,
                label.clone(),
                w.name.as_deref(),
                w.position.as_deref(),
                dates.clone(),
                h,
                u,
                i,
            );
        }
        if let Some(s) = &w.summary {
            push(
                &mut out,
                m,
                format!("work[{i}].summary"),
                UnitKind::WorkSummary,
                label.clone(),
                w.name.as_deref(),
                w.position.as_deref(),
                dates.clone(),
                s,
                u,
                i,
            );
        }
    }
    for (i, p) in resume.projects.iter().enumerate() {
        let label = join(&[p.name.as_deref(), p.entity.as_deref()]);
        let dates = span(p.start_date, p.end_date);
        let u = until(p.end_date, p.start_date);
        let role = (!p.roles.is_empty()).then(|| p.roles.join(", "));
        for (j, h) in p.highlights.iter().enumerate() {
            push(
                &mut out,
                m,
                format!("projects[{i}].highlights[{j}]"),
                UnitKind::Project,
                label.clone(),
                p.name.as_deref(),
                role.as_deref(),
                dates.clone(),
                h,
                u,
                i,
            );
        }
        if let Some(d) = &p.description {
            push(
                &mut out,
                m,
                format!("projects[{i}].description"),
                UnitKind::Project,
                label.clone(),
                p.name.as_deref(),
                role.as_deref(),
                dates.clone(),
                d,
                u,
                i,
            );
        }
        if !p.keywords.is_empty() {
            let mut kw = skills_of(m, &p.keywords);
            let text = p.keywords.join(", ");
            kw.extend(m.find_in_text(&text));
            out.push(Unit {
                path: format!("projects[{i}].keywords"),
                kind: UnitKind::Project,
                label: label.clone(),
                org: p.name.clone(),
                position: role.clone(),
                dates: dates.clone(),
                text,
                skills: kw,
                has_number: false,
                until: u,
                entry: i,
            });
        }
    }
    for (i, v) in resume.volunteer.iter().enumerate() {
        let label = join(&[v.organization.as_deref(), v.position.as_deref()]);
        let dates = span(v.start_date, v.end_date);
        let u = until(v.end_date, v.start_date);
        for (j, h) in v.highlights.iter().enumerate() {
            push(
                &mut out,
                m,
                format!("volunteer[{i}].highlights[{j}]"),
                UnitKind::Volunteer,
                label.clone(),
                v.organization.as_deref(),
                v.position.as_deref(),
                dates.clone(),
                h,
                u,
                i,
            );
        }
        if let Some(s) = &v.summary {
            push(
                &mut out,
                m,
                format!("volunteer[{i}].summary"),
                UnitKind::Volunteer,
                label.clone(),
                v.organization.as_deref(),
                v.position.as_deref(),
                dates.clone(),
                s,
                u,
                i,
            );
        }
    }
    for (i, a) in resume.awards.iter().enumerate() {
        let text = join_sentence(&[a.title.as_deref(), a.summary.as_deref()]);
        let d = a.date.map(|d| d.human());
        push(
            &mut out,
            m,
            format!("awards[{i}]"),
            UnitKind::Recognition,
            join(&[a.title.as_deref(), a.awarder.as_deref()]),
            a.awarder.as_deref(),
            None,
            d,
            &text,
            a.date.map(|d| d.start()),
            i,
        );
    }
    for (i, p) in resume.publications.iter().enumerate() {
        let text = join_sentence(&[p.name.as_deref(), p.summary.as_deref()]);
        push(
            &mut out,
            m,
            format!("publications[{i}]"),
            UnitKind::Recognition,
            join(&[p.name.as_deref(), p.publisher.as_deref()]),
            p.publisher.as_deref(),
            None,
            p.release_date.map(|d| d.human()),
            &text,
            p.release_date.map(|d| d.start()),
            i,
        );
    }
    for (i, c) in resume.certificates.iter().enumerate() {
        let text = join(&[c.name.as_deref(), c.issuer.as_deref()]);
        push(
            &mut out,
            m,
            format!("certificates[{i}]"),
            UnitKind::Recognition,
            text.clone(),
            c.issuer.as_deref(),
            None,
            c.date.map(|d| d.human()),
            &text,
            c.date.map(|d| d.start()),
            i,
        );
    }
    for (i, e) in resume.education.iter().enumerate() {
        let label = join(&[e.institution.as_deref(), e.study_type.as_deref()]);
        let dates = span(e.start_date, e.end_date);
        let mut text = join_sentence(&[e.study_type.as_deref(), e.area.as_deref()]);
        if !e.courses.is_empty() {
            text = format!("{text}. Courses: {}", e.courses.join("; "));
        }
        let u = until(e.end_date, e.start_date);
        push(
            &mut out,
            m,
            format!("education[{i}]"),
            UnitKind::Education,
            label,
            e.institution.as_deref(),
            e.study_type.as_deref(),
            dates,
            &text,
            u,
            i,
        );
    }
    for (i, s) in resume.skills.iter().enumerate() {
        let mut skills = skills_of(m, &s.keywords);
        if let Some(n) = &s.name {
            skills.extend(m.find_keyword(n));
        }
        let text = join_sentence(&[s.name.as_deref(), Some(&s.keywords.join(", "))]);
        if text.trim().is_empty() {
            continue;
        }
        out.push(Unit {
            path: format!("skills[{i}]"),
            kind: UnitKind::SkillList,
            label: s.name.clone().unwrap_or_else(|| "Skills".into()),
            org: None,
            position: s.level.clone(),
            dates: None,
            text,
            skills,
            has_number: false,
            until: None,
            entry: i,
        });
    }
    if let Some(s) = &resume.basics.summary {
        push(
            &mut out,
            m,
            "basics.summary".into(),
            UnitKind::Summary,
            "Summary".into(),
            None,
            None,
            None,
            s,
            None,
            0,
        );
    }
    out
}

fn skills_of(m: &SkillMatcher, keywords: &[String]) -> BTreeSet<String> {
    keywords.iter().flat_map(|k| m.find_keyword(k)).collect()
}

fn join(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · ")
}

fn join_sentence(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .map(|s| s.trim().trim_end_matches('.'))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(". ")
}

/// Whether a sentence states a figure a story can cite: a percentage, an
/// amount, or a number that is not a bare year ("in 2016") or part of a
/// name ("Python2", "p99").
pub(crate) fn has_figure(text: &str) -> bool {
    if text.contains('%') || text.contains('$') {
        return true;
    }
    text.split(|c: char| c.is_whitespace() || ",;:()".contains(c)).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if !w.chars().any(|c| c.is_ascii_digit()) || w.starts_with(char::is_alphabetic) {
            return false;
        }
        let year = w.len() == 4
            && w.chars().all(|c| c.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"));
        !year
    })
}

/// Years of professional experience: the union of work periods up to
/// `today`, so overlapping jobs are not counted twice.
pub(crate) fn years_of_experience(resume: &Resume, today: Date) -> f64 {
    let mut spans: Vec<(Date, Date)> = resume
        .work
        .iter()
        .filter_map(|w| {
            let start = w.start_date?.start();
            let end = w.end_date.map(|d| d.start()).unwrap_or(today).min(today);
            (end > start).then_some((start, end))
        })
        .collect();
    spans.sort();
    let mut days = 0i64;
    let mut cur: Option<(Date, Date)> = None;
    for (s, e) in spans {
        match cur {
            Some((cs, ce)) if s <= ce => cur = Some((cs, ce.max(e))),
            Some((cs, ce)) => {
                days += (ce - cs).whole_days();
                cur = Some((s, e));
            }
            None => cur = Some((s, e)),
        }
    }
    if let Some((cs, ce)) = cur {
        days += (ce - cs).whole_days();
    }
    (days as f64 / 365.25 * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures_are_numbers_not_years() {
        assert!(has_figure("cut latency by 40%"));
        assert!(has_figure("served 3 teams"));
        assert!(!has_figure("Won award at AIHacks 2016"));
        assert!(!has_figure("Built a Python2 bridge"));
    }

    #[test]
    fn overlapping_jobs_count_once() {
        let r: Resume = serde_json::from_value(serde_json::json!({
            "work": [
                {"startDate": "2018-01-01", "endDate": "2020-01-01"},
                {"startDate": "2019-01-01", "endDate": "2021-01-01"},
                {"startDate": "2022-01-01"}
            ]
        }))
        .unwrap();
        let today = time::macros::date!(2024 - 01 - 01);
        assert_eq!(years_of_experience(&r, today), 5.0);
    }
}
