//! What the job asks for: must-have and preferred skills, years of
//! experience, seniority and domain, from a JSON Resume job document, from
//! plain job-description text, or (with no job) from the company's and the
//! role's stated expectations.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::skills::SkillMatcher;
use crate::model::{Job, JobDoc};
use crate::packs::{CompanyRole, RolePack, Taxonomy};

/// Must-have or nice-to-have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Need {
    /// Required.
    Must,
    /// Preferred.
    Preferred,
}

/// Seniority on one scale for jobs and candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    /// Intern or new graduate.
    Entry,
    /// Junior.
    Junior,
    /// Mid level.
    Mid,
    /// Senior.
    Senior,
    /// Staff and above.
    Staff,
}

impl Seniority {
    /// Reads a seniority word in a title or field.
    pub(crate) fn from_text(s: &str) -> Option<Self> {
        let t = s.to_lowercase();
        let has = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
        if has("principal") || has("staff") || has("distinguished") || has("director") {
            Some(Seniority::Staff)
        } else if has("senior") || has("sr") || has("lead") || has("iii") {
            Some(Seniority::Senior)
        } else if has("mid")
            || t.contains("mid-level")
            || has("ii")
            || has("intermediate")
        {
            Some(Seniority::Mid)
        } else if has("junior") || has("jr") || has("associate") {
            Some(Seniority::Junior)
        } else if has("intern") || has("internship") || has("graduate") || has("entry") {
            Some(Seniority::Entry)
        } else {
            None
        }
    }

    /// Human label.
    pub fn label(self) -> &'static str {
        match self {
            Seniority::Entry => "entry level",
            Seniority::Junior => "junior",
            Seniority::Mid => "mid level",
            Seniority::Senior => "senior",
            Seniority::Staff => "staff or principal",
        }
    }
}

/// One skill requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Requirement {
    /// Taxonomy skill id.
    pub skill: String,
    /// Display name.
    pub name: String,
    /// Must-have or preferred.
    pub need: Need,
    /// The job's own words, when it came from a job.
    pub quote: Option<String>,
    /// Taxonomy category.
    pub category: String,
    /// Requirements with the same group are alternatives ("one of C++,
    /// Java or Go"): evidence for one satisfies the others.
    pub group: Option<u32>,
}

/// Everything the fit score is measured against.
#[derive(Debug, Clone, Serialize)]
pub struct Requirements {
    /// Job title.
    pub title: String,
    /// Where they came from: `job` or `company expectations`.
    pub origin: String,
    /// Skill requirements, must-haves first.
    pub skills: Vec<Requirement>,
    /// Minimum years, if stated.
    pub min_years: Option<u32>,
    /// Seniority, if stated or implied.
    pub seniority: Option<Seniority>,
    /// Domain skills the job names (search, ads, payments, ...).
    pub domains: Vec<String>,
    /// Requirement lines that name no known skill, kept so the reader sees
    /// everything the job asked for.
    pub other: Vec<OtherRequirement>,
    /// Responsibilities as the job states them.
    pub responsibilities: Vec<String>,
}

/// A requirement line without a recognised skill.
#[derive(Debug, Clone, Serialize)]
pub struct OtherRequirement {
    /// The text.
    pub text: String,
    /// Must-have or preferred.
    pub need: Need,
}

static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d{1,2})\s*\+?\s*(?:-|–|to)?\s*(?:\d{1,2}\s*)?\+?\s*(?:years|yrs|year)",
    )
    .expect("valid regex")
});

#[derive(Clone, Copy, PartialEq)]
enum Section {
    Must,
    Preferred,
    Duties,
    Other,
}

fn classify_heading(line: &str) -> Option<Section> {
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_end_matches(':')
        .trim()
        .trim_matches('*')
        .to_lowercase();
    if t.is_empty() || t.len() > 60 {
        return None;
    }
    let any = |ws: &[&str]| ws.iter().any(|w| t.contains(w));
    if any(&[
        "preferred",
        "nice to have",
        "nice-to-have",
        "bonus",
        "desired",
        "plus",
        "good to have",
    ]) {
        Some(Section::Preferred)
    } else if any(&[
        "requirement",
        "required",
        "minimum qualification",
        "basic qualification",
        "must have",
        "must-have",
        "what you'll need",
        "what you need",
        "what you bring",
        "you have",
        "qualifications",
        "who you are",
        "skills",
    ]) {
        Some(Section::Must)
    } else if any(&[
        "responsibilit",
        "what you'll do",
        "what you will do",
        "the role",
        "duties",
        "day to day",
        "your impact",
    ]) {
        Some(Section::Duties)
    } else if any(&[
        "about",
        "benefits",
        "perks",
        "compensation",
        "salary",
        "equal opportunity",
        "how to apply",
        "location",
    ]) {
        Some(Section::Other)
    } else {
        None
    }
}

fn is_heading(line: &str) -> bool {
    let t = line.trim();
    let words = t.split_whitespace().count();
    t.starts_with('#')
        || (t.ends_with(':') && words <= 8)
        || (words <= 6
            && !t.starts_with(['-', '*', '•'])
            && !t.ends_with('.')
            && classify_heading(t).is_some())
}

fn bullet_text(line: &str) -> String {
    line.trim()
        .trim_start_matches(['-', '*', '•', '·', '–'])
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ')')
        .trim()
        .to_string()
}

/// Extracts requirements from the job, or falls back to expectations.
pub(crate) fn extract(
    job: Option<&Job>,
    company_role: &CompanyRole,
    role: &RolePack,
    m: &SkillMatcher,
    taxonomy: &Taxonomy,
) -> Requirements {
    let mut b = Builder {
        m,
        taxonomy,
        out: Vec::new(),
        other: Vec::new(),
        years: None,
        groups: 0,
    };
    let (title, origin, seniority, responsibilities) = match job {
        Some(Job::Doc(doc)) => {
            b.read_doc(doc);
            let sen = doc
                .experience
                .as_deref()
                .and_then(Seniority::from_text)
                .or_else(|| doc.title.as_deref().and_then(Seniority::from_text));
            (
                doc.title.clone().unwrap_or_else(|| company_role.title.clone()),
                "job".to_string(),
                sen,
                doc.responsibilities.clone(),
            )
        }
        Some(Job::Text(text)) => {
            let (title, duties) = b.read_text(text);
            let sen = title
                .as_deref()
                .and_then(Seniority::from_text)
                .or_else(|| text.lines().take(5).find_map(Seniority::from_text));
            (
                title.unwrap_or_else(|| company_role.title.clone()),
                "job".into(),
                sen,
                duties,
            )
        }
        None => {
            let ex = &company_role.expectations;
            let (must, pref) = if ex.must_have.is_empty() {
                (&role.expectations.must_have, &role.expectations.preferred)
            } else {
                (&ex.must_have, &ex.preferred)
            };
            for s in must {
                b.push(s, Need::Must, None);
            }
            for s in pref {
                b.push(s, Need::Preferred, None);
            }
            b.years = ex.min_years.or(role.expectations.min_years);
            let sen = ex
                .seniority
                .as_deref()
                .or(role.expectations.seniority.as_deref())
                .and_then(Seniority::from_text);
            (company_role.title.clone(), "company expectations".into(), sen, Vec::new())
        }
    };
    // A job that names too few skills to judge against is topped up with
    // the company's expectations for the role, marked as such.
    if job.is_some() && b.out.iter().filter(|r| r.need == Need::Must).count() < 3 {
        for s in &company_role.expectations.must_have {
            b.push(
                s,
                Need::Preferred,
                Some("expected by the company for this role".into()),
            );
        }
    }
    let domains = b
        .out
        .iter()
        .filter(|r| r.category == "domain")
        .map(|r| r.skill.clone())
        .collect();
    let mut skills = b.out;
    skills.sort_by_key(|r| r.need);
    Requirements {
        title,
        origin,
        skills,
        min_years: b.years,
        seniority,
        domains,
        other: b.other,
        responsibilities,
    }
}

struct Builder<'a> {
    m: &'a SkillMatcher,
    taxonomy: &'a Taxonomy,
    out: Vec<Requirement>,
    other: Vec<OtherRequirement>,
    years: Option<u32>,
    groups: u32,
}

/// Words that make the skills around them alternatives rather than a list
/// of musts.
const ALTERNATIVES: [&str; 7] =
    [" or ", "one of", "such as", "e.g.", "for example", "similar", "equivalent"];

impl Builder<'_> {
    fn push(&mut self, skill: &str, need: Need, quote: Option<String>) {
        self.push_grouped(skill, need, quote, None);
    }

    fn push_grouped(
        &mut self,
        skill: &str,
        need: Need,
        quote: Option<String>,
        group: Option<u32>,
    ) {
        if let Some(existing) = self.out.iter_mut().find(|r| r.skill == skill) {
            // A skill named as required anywhere is required.
            if need < existing.need {
                existing.need = need;
                existing.quote = quote.or(existing.quote.take());
            }
            return;
        }
        let Some(entry) = self.taxonomy.skills.iter().find(|s| s.id == skill) else {
            return;
        };
        self.out.push(Requirement {
            skill: skill.to_string(),
            name: entry.name.clone(),
            need,
            quote,
            category: entry.category.clone(),
            group,
        });
    }

    fn line(&mut self, text: &str, need: Need) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let lower = text.to_lowercase();
        // "... is a plus" inside a requirements list is still preferred.
        let need = if ["a plus", "nice to have", "preferred", "bonus", "ideally"]
            .iter()
            .any(|w| lower.contains(w))
        {
            Need::Preferred
        } else {
            need
        };
        if need == Need::Must
            && let Some(c) = YEARS.captures(text)
            && let Ok(y) = c[1].parse::<u32>()
            && y <= 30
        {
            self.years = Some(self.years.map_or(y, |old| old.max(y)));
        }
        let found = self.m.find_in_text(text);
        if found.is_empty() {
            self.other.push(OtherRequirement { text: text.to_string(), need });
        }
        // "Strong Python and one of C++, Java or Go": Python is required,
        // the rest are alternatives. Each " and "/";"-separated segment that
        // offers a choice forms its own group.
        let mut grouped = std::collections::BTreeSet::new();
        for segment in lower.split(" and ").flat_map(|s| s.split(';')) {
            if !ALTERNATIVES.iter().any(|w| segment.contains(w)) {
                continue;
            }
            let in_segment = self.m.find_in_text(segment);
            if in_segment.len() < 2 {
                continue;
            }
            self.groups += 1;
            for s in in_segment {
                self.push_grouped(&s, need, Some(text.to_string()), Some(self.groups));
                grouped.insert(s);
            }
        }
        for s in found {
            if !grouped.contains(&s) {
                self.push(&s, need, Some(text.to_string()));
            }
        }
    }

    fn read_doc(&mut self, doc: &JobDoc) {
        for q in &doc.qualifications {
            self.line(q, Need::Must);
        }
        for group in doc.skills.iter().chain(&doc.tools) {
            let need = match group.level.as_deref().map(str::to_lowercase).as_deref() {
                Some("beginner" | "basic" | "novice" | "intermediate") => Need::Preferred,
                _ => Need::Must,
            };
            let quote = group.name.clone();
            for k in &group.keywords {
                for s in self.m.find_keyword(k) {
                    self.push(&s, need, quote.clone());
                }
            }
        }
        for r in &doc.responsibilities {
            for s in self.m.find_in_text(r) {
                self.push(&s, Need::Preferred, Some(r.clone()));
            }
        }
        if let Some(d) = &doc.description {
            for s in self.m.find_in_text(d) {
                self.push(&s, Need::Preferred, Some(d.clone()));
            }
        }
    }

    /// Reads free text section by section; returns the title (first
    /// non-empty line, if it is short) and the responsibilities.
    fn read_text(&mut self, text: &str) -> (Option<String>, Vec<String>) {
        let mut section = Section::Other;
        let mut title = None;
        let mut duties = Vec::new();
        let mut seen_heading = false;
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            if i < 3 && title.is_none() && !seen_heading {
                let t = line.trim_start_matches('#').trim();
                if t.split_whitespace().count() <= 10 && classify_heading(t).is_none() {
                    title = Some(t.to_string());
                    continue;
                }
            }
            if is_heading(line) {
                seen_heading = true;
                if let Some(s) = classify_heading(line) {
                    section = s;
                } else {
                    section = Section::Other;
                }
                continue;
            }
            let t = bullet_text(line);
            match section {
                Section::Must => self.line(&t, Need::Must),
                Section::Preferred => self.line(&t, Need::Preferred),
                Section::Duties => {
                    duties.push(t.clone());
                    for s in self.m.find_in_text(&t) {
                        self.push(&s, Need::Preferred, Some(t.clone()));
                    }
                }
                Section::Other => {
                    // Before any heading, or in an unclassified section,
                    // skills still count as preferred.
                    for s in self.m.find_in_text(&t) {
                        self.push(&s, Need::Preferred, Some(t.clone()));
                    }
                    if let Some(c) = YEARS.captures(&t)
                        && let Ok(y) = c[1].parse::<u32>()
                        && y <= 30
                        && self.years.is_none()
                    {
                        self.years = Some(y);
                    }
                }
            }
        }
        (title, duties)
    }
}

/// Skill ids in a set, for tests and callers that only need ids.
#[allow(dead_code)]
pub(crate) fn ids(reqs: &Requirements, need: Need) -> BTreeSet<String> {
    reqs.skills.iter().filter(|r| r.need == need).map(|r| r.skill.clone()).collect()
}
