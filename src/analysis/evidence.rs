//! The resume as evidence. Every highlight, summary, title, project,
//! degree, course, certificate, publication, award, skill list and the
//! basics summary becomes a [`Unit`] with its JSON path, the concepts it
//! names and what kind of proof it is; a requirement's evidence is then the
//! units that show its concepts, each weighed the way a hiring manager
//! would: a shipped or owned result with numbers counts more than a
//! highlight that mentions the skill, which counts more than a skills-list
//! entry, which counts more than a claim in a summary; recent work counts
//! more than old work, and a skill group's self-assessed level moderates
//! its list. Years per skill come from the dated roles that show it.

use std::collections::BTreeSet;

use serde::Serialize;
use time::Date;

use super::index::{Cid, Mode, TaxonomyIndex};
use super::text::{contains_phrase, has_figure, tokens};
use crate::model::{PartialDate, Resume};
use crate::packs::{Packs, RolePack};

/// What kind of proof a unit is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// A work highlight.
    WorkHighlight,
    /// A job title.
    Position,
    /// A work summary.
    WorkSummary,
    /// A project highlight.
    ProjectHighlight,
    /// A project description.
    ProjectDescription,
    /// A project's keywords.
    ProjectKeywords,
    /// A volunteering highlight.
    VolunteerHighlight,
    /// A volunteering summary.
    VolunteerSummary,
    /// A publication.
    Publication,
    /// An award.
    Award,
    /// A certificate.
    Certificate,
    /// A degree (level and field).
    Degree,
    /// Courses taken.
    Course,
    /// A skill group's keywords.
    SkillList,
    /// A spoken language with its fluency.
    Language,
    /// The basics summary or headline.
    Summary,
}

impl UnitKind {
    /// Whether the unit is an accomplishment a STAR story can grow from.
    pub(crate) fn is_story(self) -> bool {
        matches!(
            self,
            UnitKind::WorkHighlight
                | UnitKind::WorkSummary
                | UnitKind::ProjectHighlight
                | UnitKind::ProjectDescription
                | UnitKind::VolunteerHighlight
                | UnitKind::VolunteerSummary
                | UnitKind::Publication
                | UnitKind::Award
        )
    }

    /// Whether the unit sits in a dated role whose years count.
    fn is_role(self) -> bool {
        matches!(
            self,
            UnitKind::WorkHighlight | UnitKind::Position | UnitKind::WorkSummary
        )
    }
}

/// How strongly a unit shows what it names: a shipped, measured result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// Delivered (shipped, launched, owned…) and measured.
    Result,
    /// Delivered or measured, not both.
    Outcome,
    /// Names the skill in passing.
    Mention,
}

/// One piece of the resume.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Unit {
    /// JSON path in the resume, e.g. `work[0].highlights[2]`.
    pub path: String,
    /// What kind of entry it is.
    pub kind: UnitKind,
    /// How strongly it proves what it names.
    pub proof: Proof,
    /// The entry it belongs to, e.g. "Pied Piper · CEO".
    pub label: String,
    /// Organisation, if any.
    pub org: Option<String>,
    /// Position or role, if any.
    pub position: Option<String>,
    /// Dates as the resume gives them.
    pub dates: Option<String>,
    /// The text itself.
    pub text: String,
    /// Concept ids it names.
    pub concepts: Vec<String>,
    /// Whether the text carries a figure.
    pub has_number: bool,
    /// Self-assessed level of a skill group, if given.
    pub level: Option<String>,
    #[serde(skip)]
    pub(crate) cids: BTreeSet<Cid>,
    #[serde(skip)]
    pub(crate) start: Option<Date>,
    #[serde(skip)]
    pub(crate) end: Option<Date>,
    /// Index of the entry within its section.
    #[serde(skip)]
    pub(crate) entry: usize,
    /// Section name of the entry (`work`, `projects`, …), with `entry`
    /// naming one entry of the resume.
    #[serde(skip)]
    pub(crate) section: &'static str,
    /// Weight before recency: what kind of proof this is.
    #[serde(skip)]
    pub(crate) base: f64,
    /// Concepts the unit names only as someone else's work ("worked with
    /// the recommendations team"): they count as a mention in passing.
    #[serde(skip)]
    pub(crate) others: BTreeSet<Cid>,
}

impl Unit {
    /// Identifies the resume entry the unit belongs to.
    pub(crate) fn entry_key(&self) -> (&'static str, usize) {
        (self.section, self.entry)
    }
}

/// Weights of the kinds of proof, 0..1. A requirement is met from about
/// 0.62 (see `assess`), so a highlight that names a skill meets it, a
/// skills-list entry alone is partial, and a summary claim alone is barely
/// partial.
mod weight {
    pub(super) const RESULT: f64 = 1.0;
    pub(super) const OUTCOME: f64 = 0.9;
    pub(super) const HIGHLIGHT: f64 = 0.8;
    pub(super) const POSITION: f64 = 0.72;
    pub(super) const WORK_SUMMARY: f64 = 0.68;
    /// A project with a measured or delivered result (users, stars, a
    /// figure) shows the skill; one that only names it is partial, since a
    /// side project is not the production use a posting asks for.
    pub(super) const PROJECT_RESULT: f64 = 0.72;
    pub(super) const PROJECT: f64 = 0.55;
    /// Course and bootcamp projects count at this share.
    pub(super) const COURSEWORK: f64 = 0.75;
    pub(super) const PROJECT_KEYWORDS: f64 = 0.45;
    pub(super) const VOLUNTEER: f64 = 0.62;
    pub(super) const PUBLICATION: f64 = 0.72;
    pub(super) const AWARD: f64 = 0.5;
    pub(super) const CERTIFICATE: f64 = 0.5;
    pub(super) const DEGREE: f64 = 0.55;
    pub(super) const COURSE: f64 = 0.35;
    pub(super) const SKILL_LIST: f64 = 0.45;
    pub(super) const SUMMARY: f64 = 0.3;
    /// A language listed with native or full professional fluency meets
    /// "fluent in X"; lower fluencies scale it down (see `fluency`).
    pub(super) const LANGUAGE: f64 = 0.9;
}

fn base_weight(kind: UnitKind, proof: Proof) -> f64 {
    use weight::*;
    match (kind, proof) {
        (UnitKind::WorkHighlight, Proof::Result) => RESULT,
        (UnitKind::WorkHighlight, Proof::Outcome) => OUTCOME,
        (UnitKind::WorkHighlight, Proof::Mention) => HIGHLIGHT,
        (UnitKind::Position, _) => POSITION,
        (UnitKind::WorkSummary, _) => WORK_SUMMARY,
        (UnitKind::ProjectHighlight, Proof::Result | Proof::Outcome) => PROJECT_RESULT,
        (UnitKind::ProjectHighlight | UnitKind::ProjectDescription, _) => PROJECT,
        (UnitKind::ProjectKeywords, _) => PROJECT_KEYWORDS,
        (UnitKind::VolunteerHighlight | UnitKind::VolunteerSummary, _) => VOLUNTEER,
        (UnitKind::Publication, _) => PUBLICATION,
        (UnitKind::Award, _) => AWARD,
        (UnitKind::Certificate, _) => CERTIFICATE,
        (UnitKind::Degree, _) => DEGREE,
        (UnitKind::Course, _) => COURSE,
        (UnitKind::SkillList, _) => SKILL_LIST,
        (UnitKind::Summary, _) => SUMMARY,
        (UnitKind::Language, _) => LANGUAGE,
    }
}

/// A skill group's self-assessed level as a factor on its list.
fn level_factor(level: Option<&str>) -> f64 {
    let Some(l) = level.map(str::to_lowercase) else { return 1.0 };
    let has = |ws: &[&str]| ws.iter().any(|w| l.contains(w));
    if has(&[
        "beginner",
        "basic",
        "novice",
        "elementary",
        "familiar",
        "learning",
        "exposure",
    ]) {
        0.6
    } else if has(&["intermediate", "working", "competent", "proficient", "moderate"]) {
        0.85
    } else {
        1.0
    }
}

/// A listed language's fluency as a factor: native and professional
/// fluency meet a language requirement, conversational is partial.
fn fluency(f: Option<&str>) -> f64 {
    let Some(f) = f.map(str::to_lowercase) else { return 0.8 };
    let has = |ws: &[&str]| ws.iter().any(|w| f.contains(w));
    if has(&[
        "native",
        "bilingual",
        "mother",
        "c2",
        "c1",
        "fluent",
        "full professional",
        "proficient",
        "advanced",
    ]) {
        1.0
    } else if has(&["professional", "b2", "upper"]) {
        0.85
    } else if has(&["intermediate", "conversational", "b1", "working"]) {
        0.55
    } else if has(&["basic", "elementary", "beginner", "a1", "a2"]) {
        0.35
    } else {
        0.8
    }
}

/// How much older work counts, by years since it ended.
fn recency(end: Option<Date>, today: Date) -> f64 {
    let Some(end) = end else { return 1.0 };
    let years = (today - end).whole_days() as f64 / 365.25;
    match years {
        y if y <= 2.0 => 1.0,
        y if y <= 5.0 => 0.9,
        y if y <= 10.0 => 0.78,
        _ => 0.65,
    }
}

/// The last day a partial end date can mean: a year alone counts to its
/// middle, so "2019 – 2022" is three and a half years, not three or four.
fn end_day(d: PartialDate) -> Date {
    match d.month {
        Some(_) => d.start(),
        None => PartialDate { year: d.year, month: Some(7), day: None }.start(),
    }
}

/// Reads the resume into units.
pub(crate) fn units(
    resume: &Resume,
    packs: &Packs,
    ix: &TaxonomyIndex,
    today: Date,
) -> Vec<Unit> {
    let mut b = Builder { ix, packs, today, out: Vec::new() };
    for (i, w) in resume.work.iter().enumerate() {
        let e = b.entry(
            "work",
            i,
            &[w.name.as_deref(), w.position.as_deref()],
            w.start_date,
            w.end_date,
        );
        if let Some(p) = w.position.as_deref() {
            b.push(&e, format!("work[{i}].position"), UnitKind::Position, p, None);
        }
        for (j, h) in w.highlights.iter().enumerate() {
            b.push(
                &e,
                format!("work[{i}].highlights[{j}]"),
                UnitKind::WorkHighlight,
                h,
                None,
            );
        }
        if let Some(s) = &w.summary {
            b.push(&e, format!("work[{i}].summary"), UnitKind::WorkSummary, s, None);
        }
    }
    for (i, p) in resume.projects.iter().enumerate() {
        let mut e = b.entry(
            "projects",
            i,
            &[p.name.as_deref(), p.entity.as_deref()],
            p.start_date,
            p.end_date,
        );
        let about = format!(
            "{} {} {}",
            p.name.as_deref().unwrap_or(""),
            p.description.as_deref().unwrap_or(""),
            p.kind.as_deref().unwrap_or("")
        );
        let coursework = is_coursework(&about);
        let first = b.out.len();
        e.org = p.name.clone();
        e.position = (!p.roles.is_empty()).then(|| p.roles.join(", "));
        for (j, h) in p.highlights.iter().enumerate() {
            b.push(
                &e,
                format!("projects[{i}].highlights[{j}]"),
                UnitKind::ProjectHighlight,
                h,
                None,
            );
        }
        if let Some(d) = &p.description {
            b.push(
                &e,
                format!("projects[{i}].description"),
                UnitKind::ProjectDescription,
                d,
                None,
            );
        }
        if !p.keywords.is_empty() {
            b.push_keywords(
                &e,
                format!("projects[{i}].keywords"),
                UnitKind::ProjectKeywords,
                &p.keywords,
                None,
            );
        }
        if coursework {
            for u in &mut b.out[first..] {
                u.base *= weight::COURSEWORK;
            }
        }
    }
    for (i, v) in resume.volunteer.iter().enumerate() {
        let e = b.entry(
            "volunteer",
            i,
            &[v.organization.as_deref(), v.position.as_deref()],
            v.start_date,
            v.end_date,
        );
        for (j, h) in v.highlights.iter().enumerate() {
            b.push(
                &e,
                format!("volunteer[{i}].highlights[{j}]"),
                UnitKind::VolunteerHighlight,
                h,
                None,
            );
        }
        if let Some(s) = &v.summary {
            b.push(
                &e,
                format!("volunteer[{i}].summary"),
                UnitKind::VolunteerSummary,
                s,
                None,
            );
        }
    }
    for (i, a) in resume.awards.iter().enumerate() {
        let mut e = b.entry(
            "awards",
            i,
            &[a.title.as_deref(), a.awarder.as_deref()],
            a.date,
            a.date,
        );
        e.org = a.awarder.clone();
        let text = join_sentence(&[a.title.as_deref(), a.summary.as_deref()]);
        b.push(&e, format!("awards[{i}]"), UnitKind::Award, &text, None);
    }
    for (i, p) in resume.publications.iter().enumerate() {
        let mut e = b.entry(
            "publications",
            i,
            &[p.name.as_deref(), p.publisher.as_deref()],
            p.release_date,
            p.release_date,
        );
        e.org = p.publisher.clone();
        let text = join_sentence(&[p.name.as_deref(), p.summary.as_deref()]);
        b.push(&e, format!("publications[{i}]"), UnitKind::Publication, &text, None);
    }
    for (i, c) in resume.certificates.iter().enumerate() {
        let mut e = b.entry(
            "certificates",
            i,
            &[c.name.as_deref(), c.issuer.as_deref()],
            c.date,
            c.date,
        );
        e.org = c.issuer.clone();
        let text = join(&[c.name.as_deref(), c.issuer.as_deref()]);
        b.push(&e, format!("certificates[{i}]"), UnitKind::Certificate, &text, None);
    }
    for (i, ed) in resume.education.iter().enumerate() {
        let mut e = b.entry(
            "education",
            i,
            &[ed.institution.as_deref(), ed.study_type.as_deref()],
            ed.start_date,
            ed.end_date,
        );
        e.org = ed.institution.clone();
        e.position = ed.study_type.clone();
        let text = join_sentence(&[ed.study_type.as_deref(), ed.area.as_deref()]);
        b.push(&e, format!("education[{i}]"), UnitKind::Degree, &text, None);
        if !ed.courses.is_empty() {
            b.push_keywords(
                &e,
                format!("education[{i}].courses"),
                UnitKind::Course,
                &ed.courses,
                None,
            );
        }
    }
    for (i, s) in resume.skills.iter().enumerate() {
        let e = Entry {
            section: "skills",
            index: i,
            label: s.name.clone().unwrap_or_else(|| "Skills".into()),
            org: None,
            position: None,
            dates: None,
            start: None,
            end: None,
        };
        let mut words = s.keywords.clone();
        if let Some(n) = &s.name {
            words.insert(0, n.clone());
        }
        b.push_keywords(
            &e,
            format!("skills[{i}]"),
            UnitKind::SkillList,
            &words,
            s.level.clone(),
        );
    }
    for (i, l) in resume.languages.iter().enumerate() {
        let Some(name) = l.language.as_deref().filter(|n| !n.trim().is_empty()) else {
            continue;
        };
        let e = Entry {
            section: "languages",
            index: i,
            label: "Languages".into(),
            org: None,
            position: None,
            dates: None,
            start: None,
            end: None,
        };
        let before = b.out.len();
        b.push_keywords(
            &e,
            format!("languages[{i}]"),
            UnitKind::Language,
            &[name.to_string()],
            l.fluency.clone(),
        );
        if let Some(u) = b.out.get_mut(before) {
            u.base = weight::LANGUAGE * fluency(l.fluency.as_deref());
            if let Some(f) = &l.fluency {
                u.text = format!("{} ({f})", u.text);
            }
        }
    }
    let basics = &resume.basics;
    let e = Entry {
        section: "basics",
        index: 0,
        label: "Summary".into(),
        org: None,
        position: None,
        dates: None,
        start: None,
        end: None,
    };
    if let Some(s) = &basics.summary {
        b.push(&e, "basics.summary".into(), UnitKind::Summary, s, None);
    }
    if let Some(l) = &basics.label {
        b.push(&e, "basics.label".into(), UnitKind::Summary, l, None);
    }
    b.out
}

struct Entry {
    section: &'static str,
    index: usize,
    label: String,
    org: Option<String>,
    position: Option<String>,
    dates: Option<String>,
    start: Option<Date>,
    end: Option<Date>,
}

struct Builder<'a> {
    ix: &'a TaxonomyIndex,
    packs: &'a Packs,
    today: Date,
    out: Vec<Unit>,
}

impl Builder<'_> {
    fn entry(
        &self,
        section: &'static str,
        index: usize,
        label: &[Option<&str>],
        start: Option<PartialDate>,
        end: Option<PartialDate>,
    ) -> Entry {
        let dates = match (start, end) {
            (Some(s), Some(e)) if s == e => Some(s.human()),
            (Some(s), Some(e)) => Some(format!("{} – {}", s.human(), e.human())),
            (Some(s), None) => Some(format!("{} – present", s.human())),
            (None, Some(e)) => Some(e.human()),
            (None, None) => None,
        };
        let end_date =
            end.map(end_day).or(start.map(|_| self.today)).map(|d| d.min(self.today));
        Entry {
            section,
            index,
            label: join(label),
            org: label[0].map(str::to_owned),
            position: label.get(1).copied().flatten().map(str::to_owned),
            dates,
            start: start.map(|d| d.start()),
            end: end_date,
        }
    }

    fn push(
        &mut self,
        e: &Entry,
        path: String,
        kind: UnitKind,
        text: &str,
        level: Option<String>,
    ) {
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        let cids = self.ix.concepts_in(text, Mode::Prose);
        self.finish(e, path, kind, text.to_string(), cids, level);
    }

    fn push_keywords(
        &mut self,
        e: &Entry,
        path: String,
        kind: UnitKind,
        words: &[String],
        level: Option<String>,
    ) {
        let cids: BTreeSet<Cid> = words.iter().flat_map(|k| self.ix.keyword(k)).collect();
        let text = words
            .iter()
            .map(|w| w.trim())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(", ");
        if text.is_empty() {
            return;
        }
        self.finish(e, path, kind, text, cids, level);
    }

    fn finish(
        &mut self,
        e: &Entry,
        path: String,
        kind: UnitKind,
        text: String,
        cids: BTreeSet<Cid>,
        level: Option<String>,
    ) {
        let has_number = has_figure(&text);
        let toks = tokens(&text);
        let delivered =
            self.packs.vocabulary.result_verbs.iter().any(|v| contains_phrase(&toks, v));
        let proof = match (delivered, has_number) {
            (true, true) => Proof::Result,
            (true, false) | (false, true) => Proof::Outcome,
            (false, false) => Proof::Mention,
        };
        let tentative =
            self.packs.vocabulary.tentative.iter().any(|v| contains_phrase(&toks, v));
        let base = base_weight(kind, proof)
            * level_factor(level.as_deref())
            * if tentative { TENTATIVE } else { 1.0 };
        let others = others_work(self.ix, &text);
        self.out.push(Unit {
            path,
            kind,
            proof,
            label: e.label.clone(),
            org: e.org.clone(),
            position: e.position.clone(),
            dates: e.dates.clone(),
            concepts: cids.iter().map(|&c| self.ix.concept(c).id.clone()).collect(),
            text,
            has_number,
            level,
            cids,
            start: e.start,
            end: e.end,
            entry: e.index,
            section: e.section,
            base,
            others,
        });
    }
}

/// Share of a tentative highlight's weight ("prototyped", "a one-off").
const TENTATIVE: f64 = 0.65;

/// Concepts named as another team's domain in a text: "with the X team",
/// "partnered with X", "supported the X group".
fn others_work(ix: &TaxonomyIndex, text: &str) -> BTreeSet<Cid> {
    static OTHERS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)(?:with|alongside|supported|supporting|for|partnered with|helped) (?:the |our |a )?([\p{L}\p{N} /&-]{2,40}?) (?:team|teams|group|org|organisation|organization|squad)")
            .expect("valid regex")
    });
    OTHERS
        .captures_iter(text)
        .filter_map(|c| c.get(1))
        .flat_map(|m| ix.concepts_in(m.as_str(), Mode::Prose))
        .collect()
}

/// Whether a project was done for a course, a bootcamp or a tutorial.
fn is_coursework(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "course",
        "coursework",
        "bootcamp",
        "zoomcamp",
        "class project",
        "capstone",
        "tutorial",
        "mooc",
        "nanodegree",
        "homework",
        "assignment",
    ]
    .iter()
    .any(|w| t.contains(w))
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

/// How a piece of evidence reaches the concept asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(tag = "how", content = "concept", rename_all = "snake_case")]
pub enum Via {
    /// The unit names the concept.
    Direct,
    /// The unit names a narrower form of it (learning to rank for ranking).
    Narrower(String),
    /// The unit names an adjacent concept (TensorFlow for PyTorch).
    Adjacent(String),
}

/// One weighed piece of evidence for a concept.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Piece {
    /// The unit's path.
    pub path: String,
    /// The unit's text.
    pub text: String,
    /// What kind of unit.
    pub kind: UnitKind,
    /// How strongly it proves.
    pub proof: Proof,
    /// The entry.
    pub label: String,
    /// How it reaches the concept.
    pub via: Via,
    /// 0..1 after kind, level, recency and route.
    pub weight: f64,
    #[serde(skip)]
    pub(crate) unit: usize,
}

/// Below this a piece alone is not "met" (mirrors `assess::MET`).
const MET_HINT: f64 = 0.62;

/// Share of a unit's weight that reaches a concept through a narrower one:
/// nearly all of it (a shipped GBDT ranking model is machine learning).
const NARROWER: f64 = 0.95;
/// Share for a broad area reached through one narrower piece: partial on
/// its own, met with a second piece (see `strength`).
const NARROWER_BROAD: f64 = 0.6;
/// Share that reaches a concept through an adjacent one, and the cap, so
/// that adjacency alone is never "met".
const ADJACENT: f64 = 0.5;
const ADJACENT_CAP: f64 = 0.5;

/// Every piece of evidence for a concept, strongest first.
pub(crate) fn pieces(
    want: Cid,
    units: &[Unit],
    ix: &TaxonomyIndex,
    today: Date,
) -> Vec<Piece> {
    let mut out = Vec::new();
    for (i, u) in units.iter().enumerate() {
        let mut best: Option<(f64, Via, Cid)> = None;
        for &have in &u.cids {
            let (share, via) = if have == want {
                (1.0, Via::Direct)
            } else if ix.implies(have, want) {
                let share = if ix.is_broad(want) { NARROWER_BROAD } else { NARROWER };
                (share, Via::Narrower(ix.concept(have).pref.clone()))
            } else if ix.adjacent(have, want) {
                (ADJACENT, Via::Adjacent(ix.concept(have).pref.clone()))
            } else {
                continue;
            };
            // Another team's domain named in passing ("worked with the
            // recommendations team") counts as a skills-list claim would.
            let share = if u.others.contains(&have) {
                share * weight::SKILL_LIST / weight::HIGHLIGHT
            } else {
                share
            };
            if best.as_ref().is_none_or(|(s, ..)| share > *s) {
                best = Some((share, via, have));
            }
        }
        let Some((share, via, _)) = best else { continue };
        // Adjacency is credited only for work shown, never for a list entry
        // or a claim: "TensorFlow" in a skills list says nothing about
        // PyTorch.
        if matches!(via, Via::Adjacent(_))
            && matches!(
                u.kind,
                UnitKind::SkillList
                    | UnitKind::Summary
                    | UnitKind::Course
                    | UnitKind::ProjectKeywords
                    | UnitKind::Language
            )
        {
            continue;
        }
        let mut w = u.base * recency(u.end, today) * share;
        if matches!(via, Via::Adjacent(_)) {
            w = w.min(ADJACENT_CAP);
        }
        out.push(Piece {
            path: u.path.clone(),
            text: u.text.clone(),
            kind: u.kind,
            proof: u.proof,
            label: u.label.clone(),
            via,
            weight: (w * 1000.0).round() / 1000.0,
            unit: i,
        });
    }
    out.sort_by(|a, b| b.weight.total_cmp(&a.weight).then(a.path.cmp(&b.path)));
    out
}

/// The strength of the evidence: the best piece, plus a little for a
/// second piece from another entry (the skill held in two places counts
/// more than in one), capped at 1.
pub(crate) fn strength(pieces: &[Piece], units: &[Unit], language: bool) -> f64 {
    let Some(first) = pieces.first() else { return 0.0 };
    // Programming languages are learned one by one: JavaScript earns
    // nothing towards PHP on its own (it still corroborates a listed one).
    if language && matches!(first.via, Via::Adjacent(_)) {
        return 0.0;
    }
    // A second piece counts a little (from another entry of the resume) or,
    // for a broad area reached through narrower work, as much as it takes:
    // two pieces of ranking and forecasting work are machine learning.
    let key = units[first.unit].entry_key();
    let broad = matches!(first.via, Via::Narrower(_)) && first.weight < MET_HINT;
    let second =
        pieces
            .iter()
            .skip(1)
            .filter(|p| !matches!(p.via, Via::Adjacent(_)))
            .find(|p| {
                if broad {
                    p.unit != first.unit
                } else {
                    units[p.unit].entry_key() != key
                }
            })
            .map_or(0.0, |p| p.weight);
    let second = if broad { second.min(0.35) } else { 0.15 * second };
    // A claim (a skills-list entry) corroborated by shown work in an
    // adjacent concept — "C++ (expert)" beside CUDA kernels and kernel
    // drivers — is what a hiring manager accepts as shown.
    let claim =
        language && matches!(first.kind, UnitKind::SkillList | UnitKind::ProjectKeywords);
    let corroboration = if claim {
        pieces
            .iter()
            .filter(|p| matches!(p.via, Via::Adjacent(_)) && units[p.unit].kind.is_role())
            .map(|p| p.weight)
            .fold(0.0, f64::max)
    } else {
        0.0
    };
    let s = first.weight + second + 0.5 * corroboration;
    ((s.min(1.0)) * 1000.0).round() / 1000.0
}

/// Months covered by a set of date spans, counted once however they
/// overlap, with a weight per span (the largest weight wins a month).
fn weighted_years(spans: &[(Date, Date, f64)]) -> f64 {
    let month = |d: Date| d.year() * 12 + i32::from(u8::from(d.month())) - 1;
    let mut months: std::collections::BTreeMap<i32, f64> = Default::default();
    for &(s, e, w) in spans {
        if e <= s {
            continue;
        }
        for m in month(s)..month(e) {
            let slot = months.entry(m).or_insert(0.0);
            *slot = slot.max(w);
        }
    }
    let total: f64 = months.values().sum();
    (total / 12.0 * 10.0).round() / 10.0
}

/// Whether a title is an internship or a student job, whose years count
/// half.
fn is_internship(position: &str) -> bool {
    let t = position.to_lowercase();
    [
        "intern",
        "internship",
        "trainee",
        "werkstudent",
        "working student",
        "student assistant",
        "co-op",
        "apprentice",
    ]
    .iter()
    .any(|w| {
        t.split(|c: char| !c.is_alphanumeric() && c != '-').any(|x| x == *w)
            || (w.contains(' ') && t.contains(w))
    })
}

/// Professional experience in years: the union of work periods, an
/// internship counting half.
pub(crate) fn total_years(resume: &Resume, today: Date) -> f64 {
    let spans: Vec<(Date, Date, f64)> = resume
        .work
        .iter()
        .filter_map(|w| {
            let s = w.start_date?.start();
            let e = w.end_date.map(end_day).unwrap_or(today).min(today);
            let weight =
                if w.position.as_deref().is_some_and(is_internship) { 0.5 } else { 1.0 };
            Some((s, e, weight))
        })
        .collect();
    weighted_years(&spans)
}

/// Years in dated roles that show any of `wants` (directly or through a
/// narrower concept), each role counted once however many highlights show
/// it.
pub(crate) fn years_with(
    wants: &[Cid],
    units: &[Unit],
    ix: &TaxonomyIndex,
    today: Date,
) -> f64 {
    let mut entries: BTreeSet<usize> = BTreeSet::new();
    let mut spans = Vec::new();
    for u in units {
        if !u.kind.is_role() || entries.contains(&u.entry) {
            continue;
        }
        let shows = u.cids.iter().any(|&h| wants.iter().any(|&w| ix.implies(h, w)));
        if shows && let (Some(s), Some(e)) = (u.start, u.end) {
            entries.insert(u.entry);
            let weight =
                if u.position.as_deref().is_some_and(is_internship) { 0.5 } else { 1.0 };
            spans.push((s, e.min(today), weight));
        }
    }
    weighted_years(&spans)
}

/// Years per role family: each work entry's title is read against the
/// role packs' titles (the longest matching phrase wins).
pub(crate) fn family_of<'a>(
    position: &str,
    roles: impl Iterator<Item = &'a RolePack>,
) -> Option<String> {
    let toks = tokens(position);
    let mut best: Option<(usize, &str)> = None;
    for r in roles {
        for t in &r.titles {
            let n = tokens(t).len();
            if contains_phrase(&toks, t) && best.is_none_or(|(m, _)| n > m) {
                best = Some((n, &r.id));
            }
        }
    }
    best.map(|(_, id)| id.to_string())
}

/// One dated role with its family, for level advice.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RoleSpan {
    /// JSON path of the position.
    pub path: String,
    /// The title.
    pub position: String,
    /// The employer.
    pub org: Option<String>,
    /// Role family id, if the title names one.
    pub family: Option<String>,
    /// The family's display name.
    pub family_name: Option<String>,
    /// Share of its years that count towards the target role.
    pub weight: f64,
    /// Years (after the internship half).
    pub years: f64,
    #[serde(skip)]
    pub(crate) span: (Date, Date),
}

/// Every dated role with the share of its years that counts towards
/// `target`: the target family fully, adjacent families by the role pack's
/// share, titles of no known family a quarter, internships half of that.
pub(crate) fn role_spans(
    resume: &Resume,
    packs: &Packs,
    target: &RolePack,
    today: Date,
) -> Vec<RoleSpan> {
    resume
        .work
        .iter()
        .enumerate()
        .filter_map(|(i, w)| {
            let s = w.start_date?.start();
            let e = w.end_date.map(end_day).unwrap_or(today).min(today);
            let position = w.position.clone().unwrap_or_default();
            let family = family_of(&position, packs.roles.values());
            let toks = tokens(&position);
            let related = target
                .related_titles
                .iter()
                .filter(|(t, _)| contains_phrase(&toks, t))
                .map(|(_, w)| *w)
                .fold(None, |a: Option<f64>, w| Some(a.map_or(w, |a| a.max(w))));
            let mut weight = match (family.as_deref(), related) {
                (Some(f), _) if f == target.id => 1.0,
                (Some(f), _) => target.adjacent.get(f).copied().unwrap_or(0.25),
                (None, Some(w)) => w,
                (None, None) => 0.25,
            };
            let intern = is_internship(&position);
            if intern {
                weight *= 0.5;
            }
            let years = weighted_years(&[(s, e, if intern { 0.5 } else { 1.0 })]);
            Some(RoleSpan {
                path: format!("work[{i}].position"),
                position,
                org: w.name.clone(),
                family_name: family
                    .as_deref()
                    .and_then(|f| packs.roles.get(f))
                    .map(|r| r.name.clone()),
                family,
                weight,
                years,
                span: (s, e),
            })
        })
        .collect()
}

/// Years that count towards the target role: each month of the timeline
/// at the best share of a role covering it.
pub(crate) fn effective_years(spans: &[RoleSpan]) -> f64 {
    let v: Vec<(Date, Date, f64)> =
        spans.iter().map(|r| (r.span.0, r.span.1, r.weight)).collect();
    weighted_years(&v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_jobs_count_once_and_internships_half() {
        let r: Resume = serde_json::from_value(serde_json::json!({
            "work": [
                {"startDate": "2018-01-01", "endDate": "2020-01-01"},
                {"startDate": "2019-01-01", "endDate": "2021-01-01"},
                {"position": "Software Engineering Intern", "startDate": "2022-01", "endDate": "2023-01"}
            ]
        }))
        .unwrap();
        assert_eq!(total_years(&r, time::macros::date!(2026 - 01 - 01)), 3.5);
    }

    #[test]
    fn year_only_end_dates_count_to_mid_year() {
        let r: Resume = serde_json::from_value(serde_json::json!({
            "work": [{"startDate": "2019", "endDate": "2022"}]
        }))
        .unwrap();
        assert_eq!(total_years(&r, time::macros::date!(2026 - 01 - 01)), 3.5);
    }
}
