//! What the job asks for, in three steps that each take the previous one's
//! output: the posting's **lines** (with the section each sits in), its
//! **clauses** (one sentence or bullet each, marked required, preferred or
//! responsibility), and the **requirements** read from each clause —
//! atomic skills, any-of groups ("Python, C++ or Java"), years (overall or
//! of a skill), degrees (level, field, "or equivalent") — every one keeping
//! the sentence it came from. With no job, the company's expectations for
//! the role stand in.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

use super::index::{Cid, Mention, Mode, TaxonomyIndex};
use super::text::{Token, tokens};
use crate::model::{Job, JobDoc};
use crate::packs::{CompanyRole, Degrees, RolePack};

/// Whether a requirement must be met, would be welcome, or describes the
/// work itself.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A minimum qualification.
    Required,
    /// A preferred qualification.
    Preferred,
    /// Something the job involves doing.
    Responsibility,
}

/// Seniority on one scale for postings, candidates and company levels.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Seniority {
    /// Intern, new graduate, junior.
    Entry,
    /// Mid level.
    Mid,
    /// Senior.
    Senior,
    /// Staff, lead.
    Staff,
    /// Principal, distinguished, director.
    Principal,
}

impl Seniority {
    /// Reads a seniority word in a title or field ("Senior", "Staff",
    /// "II", "New Grad").
    pub(crate) fn from_text(s: &str) -> Option<Self> {
        let t = s.to_lowercase();
        let words: Vec<&str> = t.split(|c: char| !c.is_alphanumeric()).collect();
        let has = |w: &str| words.contains(&w);
        if has("principal")
            || has("distinguished")
            || has("director")
            || has("fellow")
            || has("head")
            || has("vp")
        {
            Some(Seniority::Principal)
        } else if has("staff") || has("lead") || has("iv") || has("group") {
            Some(Seniority::Staff)
        } else if has("senior") || has("sr") || has("iii") {
            Some(Seniority::Senior)
        } else if has("mid") || has("ii") || has("intermediate") {
            Some(Seniority::Mid)
        } else if has("junior")
            || has("jr")
            || has("intern")
            || has("internship")
            || has("entry")
            || t.contains("new grad")
            || t.contains("graduate")
            || has("associate")
            || has("i")
        {
            Some(Seniority::Entry)
        } else {
            None
        }
    }

    /// The id used in company packs (`levels[].seniority`).
    pub(crate) fn parse_id(s: &str) -> Option<Self> {
        match s {
            "entry" => Some(Seniority::Entry),
            "mid" => Some(Seniority::Mid),
            "senior" => Some(Seniority::Senior),
            "staff" => Some(Seniority::Staff),
            "principal" => Some(Seniority::Principal),
            _ => None,
        }
    }

    /// The pack id of this seniority.
    pub fn id(self) -> &'static str {
        match self {
            Seniority::Entry => "entry",
            Seniority::Mid => "mid",
            Seniority::Senior => "senior",
            Seniority::Staff => "staff",
            Seniority::Principal => "principal",
        }
    }
}

/// A concept a requirement names, as the posting wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ConceptRef {
    /// Taxonomy id.
    pub id: String,
    /// The taxonomy's label.
    pub label: String,
    /// The posting's words for it.
    pub surface: String,
    #[serde(skip)]
    pub(crate) cid: Cid,
}

/// What a requirement asks for.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum What {
    /// One skill, or any one of several ("Python, C++ or Java").
    Skill {
        /// The alternatives; one is enough.
        any_of: Vec<ConceptRef>,
    },
    /// Years of experience, overall or with any one of some skills.
    Years {
        /// Fewest years asked.
        min: f64,
        /// The skills the years are in; empty means professional
        /// experience overall.
        of: Vec<ConceptRef>,
    },
    /// A degree.
    Degree {
        /// Lowest acceptable level id (`bachelor`).
        level: String,
        /// Its display name.
        level_name: String,
        /// Acceptable field ids; empty means any field.
        fields: Vec<String>,
        /// Acceptable field groups (`quantitative`).
        groups: Vec<String>,
        /// The field as the posting wrote it.
        field_text: Option<String>,
        /// "or equivalent practical experience".
        or_equivalent: bool,
    },
}

/// Where a requirement came from.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct SourceRef {
    /// The posting's sentence.
    pub text: String,
    /// JSON path in a job document (`qualifications[2]`) or `line N` of a
    /// text posting; `expectations` for the company's defaults.
    pub path: String,
}

/// One atomic requirement.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Requirement {
    /// Stable within the analysis: `r1`, `r2`, … in posting order.
    pub id: String,
    /// How the playbook names it.
    pub label: String,
    /// Required, preferred or responsibility.
    pub kind: Kind,
    /// What it asks.
    pub what: What,
    /// The sentence it came from.
    pub source: SourceRef,
    /// The posting accepts something similar ("Airflow or similar", "or
    /// equivalent"): adjacent evidence can meet it.
    pub accepts_similar: bool,
}

impl Requirement {
    /// The concepts named, for skill and years requirements.
    pub(crate) fn concepts(&self) -> &[ConceptRef] {
        match &self.what {
            What::Skill { any_of } => any_of,
            What::Years { of, .. } => of,
            What::Degree { .. } => &[],
        }
    }
}

/// A requirement line the engine could not tie to a skill, years or a
/// degree: shown to the reader, not scored.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Unscored {
    /// The text.
    pub text: String,
    /// Required or preferred.
    pub kind: Kind,
    /// Where it is.
    pub path: String,
}

/// Everything the posting asks, read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Posting {
    /// Job title.
    pub title: String,
    /// `job` or `expectations` (no job given: the company's defaults).
    pub origin: &'static str,
    /// Seniority the posting is for, if it says or implies one.
    pub seniority: Option<Seniority>,
    /// The words that set the seniority.
    pub seniority_source: Option<String>,
    /// Atomic requirements in posting order.
    pub requirements: Vec<Requirement>,
    /// Requirement lines without a recognised skill, years or degree.
    pub unscored: Vec<Unscored>,
    /// Responsibilities as written.
    pub responsibilities: Vec<String>,
}

impl Posting {
    /// The overall years asked (the largest "N+ years" not tied to a skill).
    pub fn min_years(&self) -> Option<f64> {
        self.requirements
            .iter()
            .filter(|r| r.kind == Kind::Required)
            .filter_map(|r| match &r.what {
                What::Years { min, of } if of.is_empty() => Some(*min),
                _ => None,
            })
            .max_by(f64::total_cmp)
    }
}

// ---------------------------------------------------------------- step 1

/// The part of a posting a line sits in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Required,
    Preferred,
    Responsibilities,
    /// Prose about the role: requirement sentences count, the rest is
    /// context.
    Description,
    /// About the company, benefits, legal text: not requirements.
    Ignored,
}

/// One line of the posting.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line {
    pub text: String,
    pub section: Section,
    pub path: String,
    /// A keyword-list entry (`skills[0].keywords[1]`): short names match in
    /// every spelling.
    pub keyword: bool,
    /// A skill group's level said "beginner": at most preferred.
    pub relaxed: bool,
}

pub(crate) fn classify_heading(line: &str) -> Option<Section> {
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim()
        .trim_matches('*')
        .trim_end_matches(':')
        .trim()
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
        "ideal candidate",
        "extra credit",
        "stand out",
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
        "what we're looking for",
        "what we are looking for",
        "you have",
        "you bring",
        "you might be",
        "qualifications",
        "who you are",
        "about you",
        "skills",
        "experience",
    ]) {
        Some(Section::Required)
    } else if any(&[
        "responsibilit",
        "what you'll do",
        "what you will do",
        "what you'll be doing",
        "the role",
        "duties",
        "day to day",
        "day-to-day",
        "your impact",
        "in this role",
        "the job",
        "what the job involves",
    ]) {
        Some(Section::Responsibilities)
    } else if any(&[
        "about",
        "benefit",
        "perks",
        "compensation",
        "salary",
        "pay range",
        "equal opportunity",
        "how to apply",
        "location",
        "why join",
        "our team",
        "who we are",
        "the team",
        "culture",
        "diversity",
        "accommodation",
    ]) {
        Some(Section::Ignored)
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
            && !t.starts_with(['-', '*', '•', '·'])
            && !t.ends_with('.')
            && classify_heading(t).is_some())
}

fn bullet_text(line: &str) -> &str {
    let t = line.trim().trim_start_matches(['-', '*', '•', '·', '–', '▪', '◦']).trim();
    // "1." / "2)" numbering.
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits < 3 && t[digits..].starts_with(['.', ')']) {
        return t[digits + 1..].trim();
    }
    t
}

/// Step 1 for a JSON Resume job document.
pub(crate) fn doc_lines(doc: &JobDoc) -> Vec<Line> {
    let mut out = Vec::new();
    let line = |text: &str, section, path: String| Line {
        text: text.trim().to_string(),
        section,
        path,
        keyword: false,
        relaxed: false,
    };
    if let Some(d) = &doc.description {
        out.push(line(d, Section::Description, "description".into()));
    }
    for (i, r) in doc.responsibilities.iter().enumerate() {
        out.push(line(r, Section::Responsibilities, format!("responsibilities[{i}]")));
    }
    for (i, q) in doc.qualifications.iter().enumerate() {
        out.push(line(q, Section::Required, format!("qualifications[{i}]")));
    }
    for (field, groups) in [("skills", &doc.skills), ("tools", &doc.tools)] {
        for (i, g) in groups.iter().enumerate() {
            let relaxed = g.level.as_deref().is_some_and(|l| {
                ["beginner", "basic", "novice", "familiar", "exposure"]
                    .iter()
                    .any(|w| l.to_lowercase().contains(w))
            });
            // A job document's skill and tool lists are its stack: the
            // qualifications say what is required, the lists what helps.
            for (j, k) in g.keywords.iter().enumerate() {
                out.push(Line {
                    text: k.trim().to_string(),
                    section: Section::Preferred,
                    path: format!("{field}[{i}].keywords[{j}]"),
                    keyword: true,
                    relaxed,
                });
            }
        }
    }
    out.retain(|l| !l.text.is_empty());
    out
}

/// Step 1 for a plain-text or Markdown posting: the title (a short first
/// line) and the lines under their headings.
pub(crate) fn text_lines(text: &str) -> (Option<String>, Vec<Line>) {
    let mut section = Section::Description;
    let mut title = None;
    let mut out = Vec::new();
    let mut seen_heading = false;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        if title.is_none() && !seen_heading && out.is_empty() {
            let t = line.trim_start_matches('#').trim().trim_matches('*').trim();
            if t.split_whitespace().count() <= 12
                && classify_heading(t).is_none()
                && !t.ends_with('.')
            {
                title = Some(t.to_string());
                continue;
            }
        }
        if is_heading(line) {
            seen_heading = true;
            section = classify_heading(line).unwrap_or(match section {
                // An unknown heading inside the requirements keeps them
                // ("Technical skills:" under "Qualifications").
                Section::Required | Section::Preferred => section,
                _ => Section::Description,
            });
            continue;
        }
        out.push(Line {
            text: bullet_text(line).to_string(),
            section,
            path: format!("line {}", i + 1),
            keyword: false,
            relaxed: false,
        });
    }
    (title, out)
}

// ---------------------------------------------------------------- step 2

/// One sentence or bullet with its kind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Clause {
    pub text: String,
    pub kind: Kind,
    pub path: String,
    pub keyword: bool,
}

const PREFERRED_CUES: [&str; 13] = [
    "preferred",
    "a plus",
    "is a plus",
    "nice to have",
    "nice-to-have",
    "bonus",
    "ideally",
    "desirable",
    "an advantage",
    "preferably",
    "would be great",
    "is welcome",
    "good to have",
];

const REQUIREMENT_CUES: [&str; 14] = [
    "experience",
    "you have",
    "you bring",
    "you'll need",
    "proficien",
    "knowledge of",
    "familiar",
    "background in",
    "expertise",
    "degree",
    "years",
    "fluency",
    "skilled",
    "strong ",
];

/// Step 2: splits lines into clauses and decides each clause's kind.
pub(crate) fn clauses(lines: &[Line]) -> Vec<Clause> {
    let mut out = Vec::new();
    for line in lines {
        if line.section == Section::Ignored {
            continue;
        }
        let parts: Vec<String> =
            if line.keyword { vec![line.text.clone()] } else { sentences(&line.text) };
        for part in parts {
            let lower = part.to_lowercase();
            let preferred = PREFERRED_CUES.iter().any(|c| lower.contains(c));
            let kind = match line.section {
                Section::Required if preferred || line.relaxed => Kind::Preferred,
                Section::Required => Kind::Required,
                Section::Preferred => Kind::Preferred,
                Section::Responsibilities => Kind::Responsibility,
                Section::Description => {
                    if REQUIREMENT_CUES.iter().any(|c| lower.contains(c)) {
                        if preferred { Kind::Preferred } else { Kind::Required }
                    } else {
                        Kind::Responsibility
                    }
                }
                Section::Ignored => continue,
            };
            out.push(Clause {
                text: part,
                kind,
                path: line.path.clone(),
                keyword: line.keyword,
            });
        }
    }
    out
}

/// Sentences of a line: split at ". " before a capital letter and at ";".
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        let end = match c {
            ';' => true,
            '.' | '!' | '?' => {
                chars.get(i + 1).is_some_and(|n| n.is_whitespace())
                    && chars.get(i + 2).is_some_and(|n| n.is_uppercase())
                    // "e.g. Spark" and "etc. We" are not sentence ends.
                    && !cur.to_lowercase().ends_with("e.g.")
                    && !cur.to_lowercase().ends_with("i.e.")
            }
            _ => false,
        };
        if end {
            push_sentence(&mut out, &cur);
            cur.clear();
        }
    }
    push_sentence(&mut out, &cur);
    out
}

fn push_sentence(out: &mut Vec<String>, s: &str) {
    let t = s.trim().trim_end_matches([';', '.']).trim();
    if !t.is_empty() {
        out.push(t.to_string());
    }
}

// ---------------------------------------------------------------- step 3

static YEARS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(\d{1,2}(?:\.\d)?)\s*(?:\+|plus)?\s*(?:(?:-|–|to)\s*\d{1,2}\s*)?\+?\s*(?:or more\s+)?(?:years?|yrs?)\b",
    )
    .expect("valid regex")
});

const NUMBER_WORDS: [(&str, &str); 12] = [
    ("one", "1"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("twelve", "12"),
    ("fifteen", "15"),
];

/// "Five years" → "5 years", so one pattern reads both.
fn number_words(text: &str) -> String {
    let mut out = text.to_string();
    for (w, d) in NUMBER_WORDS {
        for form in [w.to_string(), capitalise(w)] {
            for unit in [" years", " year", "+ years", " or more years"] {
                out = out.replace(&format!("{form}{unit}"), &format!("{d}{unit}"));
            }
        }
    }
    out
}

fn capitalise(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// Words that make the skills around them alternatives.
const ANY_OF_GLUE: [&str; 10] = [
    "or",
    "/",
    "either",
    "e.g",
    "eg",
    "such as",
    "like",
    "for example",
    "for instance",
    "similar",
];

/// Reads one clause's requirements (years, degree, skills) and appends
/// them; returns whether the clause yielded any.
struct Reader<'a> {
    ix: &'a TaxonomyIndex,
    degrees: &'a Degrees,
    out: Vec<Requirement>,
}

impl Reader<'_> {
    fn concept(&self, text: &str, m: &Mention) -> ConceptRef {
        let c = self.ix.concept(m.concept);
        ConceptRef {
            id: c.id.clone(),
            label: c.pref.clone(),
            surface: text[m.start..m.end].to_string(),
            cid: m.concept,
        }
    }

    fn push(&mut self, label: String, kind: Kind, what: What, clause: &Clause) {
        let lower = clause.text.to_lowercase();
        let accepts_similar = [
            "or similar",
            "or equivalent",
            "or comparable",
            "similar technologies",
            "similar tools",
            "or other",
            "or related",
        ]
        .iter()
        .any(|w| lower.contains(w));
        self.out.push(Requirement {
            id: String::new(),
            label,
            kind,
            what,
            source: SourceRef { text: clause.text.clone(), path: clause.path.clone() },
            accepts_similar,
        });
    }

    fn clause(&mut self, clause: &Clause) -> bool {
        let before = self.out.len();
        let text = number_words(&clause.text);
        let toks = tokens(&text);
        let mode = if clause.keyword { Mode::Keyword } else { Mode::Prose };
        let degree_span = self.degree(&text, &toks, clause);
        let mentions: Vec<Mention> = self
            .ix
            .find_in(&toks, mode)
            .into_iter()
            .filter(|m| degree_span.is_none_or(|(a, b)| m.end <= a || m.start >= b))
            .collect();
        let groups = group(&text, &mentions);
        // Every years phrase of the clause ("5+ years in hardware, including
        // at least 2 years in program management").
        let years: Vec<(f64, usize, usize)> = YEARS
            .captures_iter(&text)
            .filter_map(|c| {
                let m = c.get(0)?;
                c[1].parse::<f64>().ok().map(|y| (y, m.start(), m.end()))
            })
            .filter(|(y, ..)| *y > 0.0 && *y <= 30.0)
            .collect();
        let refs = |r: &Self, g: &[usize]| -> Vec<ConceptRef> {
            let mut v: Vec<ConceptRef> = Vec::new();
            for &i in g {
                let c = r.concept(&text, &mentions[i]);
                if !v.iter().any(|x| x.cid == c.cid) {
                    v.push(c);
                }
            }
            v
        };
        // The years belong to the skills written right after them ("5+
        // years of experience in Python, C++ or Java"), or right before them
        // ("Python: 5 years"). Skills further off ("2+ years of technical
        // engineering experience with coding in languages including C, C++
        // …") leave the years as professional experience overall, and every
        // group of the clause is a requirement of its own.
        let mut heads: Vec<usize> = Vec::new();
        for &(min, at, after) in &years {
            let head = groups.iter().position(|g| {
                let m = &mentions[g[0]];
                (m.start >= after && filler_only(&text[after..m.start]))
                    || (m.end <= at && filler_only(&text[m.end..at]))
            });
            let head = head.filter(|h| !heads.contains(h));
            let of = head.map(|h| refs(self, &groups[h])).unwrap_or_default();
            if let Some(h) = head {
                heads.push(h);
            }
            let label = years_label(min, &of);
            self.push(label, clause.kind, What::Years { min, of }, clause);
        }
        for (k, g) in groups.iter().enumerate() {
            if !heads.contains(&k) {
                let any_of = refs(self, g);
                self.push(
                    skill_label(&any_of),
                    clause.kind,
                    What::Skill { any_of },
                    clause,
                );
            }
        }
        self.out.len() > before
    }

    /// A degree requirement in the clause, if any; returns the byte span of
    /// the degree phrase so its field is not read again as a skill.
    fn degree(
        &mut self,
        text: &str,
        toks: &[Token<'_>],
        clause: &Clause,
    ) -> Option<(usize, usize)> {
        if clause.keyword || clause.kind == Kind::Responsibility {
            return None;
        }
        let lower = text.to_lowercase();
        // Only a clause that talks about degrees: "degree", or a level's
        // abbreviation ("BS/MS", "PhD").
        let mut found: Vec<(u8, usize, usize, &str, &str)> = Vec::new();
        for level in &self.degrees.levels {
            for alt in &level.alt {
                let want: Vec<String> =
                    tokens(alt).iter().map(|t| t.norm.clone()).collect();
                if want.is_empty() {
                    continue;
                }
                for (i, w) in toks.windows(want.len()).enumerate() {
                    let hit = w.iter().zip(&want).all(|(t, n)| &t.norm == n);
                    // Two-letter abbreviations only in capitals ("MS", not
                    // "ms"; "BA", not "ba").
                    let caps_ok = want.len() > 1
                        || alt.chars().count() > 3
                        || w[0]
                            .raw
                            .chars()
                            .filter(|c| c.is_alphabetic())
                            .all(char::is_uppercase)
                        || w[0].raw.contains('.');
                    if hit && caps_ok {
                        found.push((
                            level.rank,
                            toks[i].start,
                            toks[i + want.len() - 1].end,
                            &level.id,
                            &level.name,
                        ));
                    }
                }
            }
        }
        let generic = |f: &(u8, usize, usize, &str, &str)| {
            text[f.1..f.2].eq_ignore_ascii_case("degree")
        };
        let explicit = found.iter().any(|f| !generic(f));
        if found.is_empty() || (!explicit && !lower.contains("degree")) {
            return None;
        }
        // "Degree" alone means a bachelor's only when no level is named
        // ("Master's degree" is a master's).
        if explicit {
            found.retain(|f| !generic(f));
        }
        // "…, or 3 years with a Master's degree" names a condition of a
        // years requirement, not a degree requirement of its own.
        let first = found.iter().map(|f| f.1).min()?;
        let before = lower[..first].trim_end();
        if before.ends_with("with a")
            || before.ends_with("with an")
            || before.ends_with("plus a")
        {
            return None;
        }
        let (rank, _, _, id, name) = *found.iter().min_by_key(|f| f.0)?;
        let implied_field =
            self.degrees.levels.iter().find(|l| l.id == id).and_then(|l| l.field.clone());
        let start = found.iter().map(|f| f.1).min()?;
        let mut end = found.iter().map(|f| f.2).max()?;
        // The field: what follows " in " after the level, up to the end of
        // the phrase.
        let mut field_text = None;
        let mut fields = Vec::new();
        let mut groups = Vec::new();
        // The field follows the degree closely ("BS in Computer Science",
        // "Bachelor's degree or higher in …"); an " in " further on belongs
        // to something else ("Bachelor's Degree AND 1+ year experience in
        // program management").
        let near = lower[end..]
            .find(" in ")
            .filter(|&at| {
                lower[end..end + at].split_whitespace().count() <= 3
                    && !lower[end..end + at].contains(" and ")
            })
            .map(|p| p + end + 4);
        if let Some(pos) = near {
            let rest = &text[pos..];
            let stop = [
                "or equivalent",
                " or related",
                ", or ",
                "; ",
                ". ",
                " with ",
                " and/or ",
                " preferred",
                " required",
                " AND ",
                " and ",
            ]
            .iter()
            .filter_map(|s| rest.to_lowercase().find(s))
            .min()
            .unwrap_or(rest.len());
            let f = rest[..stop].trim().trim_end_matches([',', '.', ')']).trim();
            if !f.is_empty() && f.len() < 120 {
                let fl = f.to_lowercase();
                let ft: Vec<Token<'_>> = tokens(&fl);
                for field in &self.degrees.fields {
                    if field.alt.iter().any(|a| super::text::contains_phrase(&ft, a)) {
                        fields.push(field.id.clone());
                    }
                }
                for g in &self.degrees.groups {
                    if g.alt.iter().any(|a| super::text::contains_phrase(&ft, a)) {
                        groups.push(g.id.clone());
                    }
                }
                field_text = Some(f.to_string());
                end = pos + stop;
            }
        }
        let or_equivalent = [
            "equivalent",
            "or related experience",
            "or relevant experience",
            "or comparable",
        ]
        .iter()
        .any(|w| lower.contains(w));
        if let Some(f) = implied_field
            && fields.is_empty()
        {
            fields.push(f);
        }
        let label = match &field_text {
            Some(f) => format!("{} in {f}", capitalise(name)),
            None => capitalise(name),
        };
        let _ = rank;
        self.push(
            label,
            clause.kind,
            What::Degree {
                level: id.to_string(),
                level_name: name.to_string(),
                fields,
                groups,
                field_text,
                or_equivalent,
            },
            clause,
        );
        Some((start, end))
    }
}

/// Groups consecutive mentions into requirements: a run joined by "or",
/// "/", "such as" or "e.g." is one any-of group ("Python, C++ or Java");
/// "and" and commas without an "or" separate atomic requirements
/// ("distributed training, Kubernetes and Spark"); "A and B or C" reads as
/// A, and B-or-C.
fn group(text: &str, mentions: &[Mention]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut i = 0;
    while i < mentions.len() {
        // A run: mentions joined only by list glue.
        let mut run = vec![i];
        let mut glues: Vec<String> = Vec::new();
        while let Some(next) = mentions.get(run[run.len() - 1] + 1) {
            let prev = &mentions[run[run.len() - 1]];
            let between = text[prev.end..next.start].to_lowercase();
            if !is_list_glue(&between) {
                break;
            }
            glues.push(between);
            run.push(run[run.len() - 1] + 1);
        }
        let any = |g: &str| {
            let words: Vec<&str> = g
                .split(|c: char| !c.is_alphanumeric() && c != '/' && c != '.')
                .filter(|w| !w.is_empty())
                .collect();
            ANY_OF_GLUE.iter().any(|w| {
                if w.contains(' ') {
                    g.contains(w)
                } else {
                    words.contains(w) || (*w == "/" && g.contains('/'))
                }
            }) || g.contains("e.g")
                || g.contains('(')
        };
        let has_or = glues.iter().any(|g| any(g));
        let has_and = glues.iter().any(|g| {
            let w: Vec<&str> = g.split_whitespace().collect();
            (w.contains(&"and") || w.contains(&"&")) && !g.contains("and/or")
        });
        // A run introduced as examples ("such as", "e.g.") or as a choice
        // ("one of", "at least one … (Java, Python, Scala)") is one group.
        let lead = text[..mentions[i].start].to_lowercase();
        let lead = lead.trim_end().trim_end_matches([',', '(', ':', ' ']);
        let led = [
            "one of",
            "any of",
            "either",
            "such as",
            "e.g.",
            "e.g",
            "eg",
            "like",
            "for example",
            "for instance",
        ]
        .iter()
        .any(|w| lead.ends_with(w))
            || ["at least one", "one or more", "one of the", "any one"]
                .iter()
                .any(|w| lead.contains(w))
                && run.len() > 1;
        if led || (has_or && !has_and) {
            groups.push(run.clone());
        } else if has_or {
            // Split at the "and"s; each part keeps its alternatives.
            let mut part = vec![run[0]];
            for (k, g) in glues.iter().enumerate() {
                let w: Vec<&str> = g.split_whitespace().collect();
                if (w.contains(&"and") || w.contains(&"&")) && !g.contains("and/or") {
                    groups.push(std::mem::take(&mut part));
                }
                part.push(run[k + 1]);
            }
            groups.push(part);
        } else {
            groups.extend(run.iter().map(|&k| vec![k]));
        }
        i = run[run.len() - 1] + 1;
    }
    groups
}

/// Whether the words between a years phrase and a skill only connect them
/// ("of experience in", "of hands-on", ":"), at most two other words.
fn filler_only(between: &str) -> bool {
    const FILLER: [&str; 22] = [
        "of",
        "experience",
        "professional",
        "industry",
        "relevant",
        "work",
        "working",
        "hands-on",
        "hands",
        "on",
        "full-time",
        "non-internship",
        "in",
        "with",
        "as",
        "a",
        "an",
        "the",
        "using",
        "applying",
        "building",
        "developing",
    ];
    between
        .split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .filter(|w| !FILLER.contains(&w.to_lowercase().as_str()))
        .count()
        <= 1
}

/// Whether the text between two skill names only joins them into a list.
fn is_list_glue(between: &str) -> bool {
    let t = between.trim();
    if t.len() > 40 {
        return false;
    }
    let allowed = [
        "",
        ",",
        "and",
        "or",
        "/",
        "&",
        "and/or",
        "as well as",
        "either",
        "e.g.",
        "e.g",
        "eg",
        "such as",
        "like",
        "including",
        "for example",
        "for instance",
        "(",
        ")",
        "or similar",
        "or other",
        "and other",
        "plus",
        "with",
        "nor",
        "i.e.",
        "especially",
        // Head nouns that end a skill's phrase ("deep learning systems or
        // HPC", "ML frameworks and tools").
        "systems",
        "system",
        "tools",
        "frameworks",
        "platforms",
        "technologies",
        "techniques",
        "methods",
        "models",
        "pipelines",
        "services",
        "applications",
        "infrastructure",
        "concepts",
        "principles",
        "languages",
        "databases",
        "stack",
        "solutions",
    ];
    let cleaned: String =
        t.replace(['(', ')'], " ").replace(',', " , ").replace(':', " ");
    let mut rest = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    // Every word must be glue.
    for a in allowed
        .iter()
        .filter(|a| !a.is_empty())
        .copied()
        .collect::<BTreeSet<&str>>()
        .iter()
        .rev()
    {
        rest = rest.replace(a, " ");
    }
    rest.split_whitespace().all(|w| matches!(w, "a" | "an" | "the" | "," | "of" | "in"))
}

fn skill_label(any_of: &[ConceptRef]) -> String {
    let names: Vec<&str> = any_of.iter().map(|c| c.surface.as_str()).collect();
    match names.len() {
        0 => String::new(),
        1 => names[0].to_string(),
        n => format!("{} or {}", names[..n - 1].join(", "), names[n - 1]),
    }
}

fn years_label(min: f64, of: &[ConceptRef]) -> String {
    let n = if min.fract() == 0.0 { format!("{min:.0}") } else { format!("{min}") };
    if of.is_empty() {
        format!("{n}+ years of experience")
    } else {
        format!("{n}+ years: {}", skill_label(of))
    }
}

/// Step 3: requirements from clauses, deduplicated (a skill asked twice is
/// asked once, at its strongest kind), numbered in posting order.
pub(crate) fn requirements(
    clauses: &[Clause],
    ix: &TaxonomyIndex,
    degrees: &Degrees,
) -> (Vec<Requirement>, Vec<Unscored>) {
    let mut r = Reader { ix, degrees, out: Vec::new() };
    let mut unscored = Vec::new();
    for c in clauses {
        if !r.clause(c) && c.kind != Kind::Responsibility && !c.keyword {
            unscored.push(Unscored {
                text: c.text.clone(),
                kind: c.kind,
                path: c.path.clone(),
            });
        }
    }
    (dedupe(r.out), unscored)
}

fn same_ask(a: &What, b: &What) -> bool {
    let set = |v: &[ConceptRef]| v.iter().map(|c| c.cid).collect::<BTreeSet<_>>();
    match (a, b) {
        (What::Skill { any_of: x }, What::Skill { any_of: y }) => set(x) == set(y),
        (What::Years { min: m, of: x }, What::Years { min: n, of: y }) => {
            m == n && set(x) == set(y)
        }
        (
            What::Degree { level: l, fields: f, groups: h, .. },
            What::Degree { level: k, fields: g, groups: i, .. },
        ) => l == k && f == g && h == i,
        _ => false,
    }
}

fn dedupe(reqs: Vec<Requirement>) -> Vec<Requirement> {
    let mut out: Vec<Requirement> = Vec::new();
    for r in reqs {
        if let Some(existing) = out.iter_mut().find(|e| same_ask(&e.what, &r.what)) {
            if r.kind < existing.kind {
                existing.kind = r.kind;
                existing.source = r.source;
            }
            continue;
        }
        // A skill-list keyword that is one alternative of a choice the
        // qualifications spell out ("Spark, Dask or RAPIDS") is that choice,
        // not a requirement of its own.
        if let What::Skill { any_of } = &r.what
            && r.source.path.contains(".keywords[")
            && any_of.len() == 1
            && out.iter().any(|e| match &e.what {
                What::Skill { any_of: g } | What::Years { of: g, .. } => {
                    g.len() > 1 && g.iter().any(|c| c.cid == any_of[0].cid)
                }
                What::Degree { .. } => false,
            })
        {
            continue;
        }
        // A single skill already asked as part of a years requirement of the
        // same kind adds nothing.
        if let What::Skill { any_of } = &r.what
            && out.iter().any(|e| {
                e.kind <= r.kind
                    && matches!(&e.what, What::Years { of, .. } if !of.is_empty()
                        && any_of.iter().all(|c| of.iter().any(|o| o.cid == c.cid)))
            })
        {
            continue;
        }
        out.push(r);
    }
    // A responsibility that only repeats a qualification is the same ask.
    let asked: BTreeSet<Cid> = out
        .iter()
        .filter(|r| r.kind != Kind::Responsibility)
        .flat_map(|r| r.concepts().iter().map(|c| c.cid))
        .collect();
    out.retain(|r| {
        r.kind != Kind::Responsibility
            || !r.concepts().iter().all(|c| asked.contains(&c.cid))
    });
    for (i, r) in out.iter_mut().enumerate() {
        r.id = format!("r{}", i + 1);
    }
    out
}

/// Reads the whole posting (or, with no job, the company's expectations).
pub(crate) fn read(
    job: Option<&Job>,
    company_role: &CompanyRole,
    role: &RolePack,
    ix: &TaxonomyIndex,
    degrees: &Degrees,
    expected_note: &str,
) -> Posting {
    let (title, lines, experience) = match job {
        Some(Job::Doc(doc)) => {
            (doc.title.clone(), doc_lines(doc), doc.experience.clone())
        }
        Some(Job::Text(text)) => {
            let (t, l) = text_lines(text);
            (t, l, None)
        }
        None => (None, Vec::new(), None),
    };
    let title = title.unwrap_or_else(|| company_role.title.clone());
    let mut responsibilities: Vec<String> = lines
        .iter()
        .filter(|l| l.section == Section::Responsibilities)
        .map(|l| l.text.clone())
        .collect();
    responsibilities.dedup();
    let (mut reqs, unscored, origin) = if job.is_some() {
        let cl = clauses(&lines);
        let (r, u) = requirements(&cl, ix, degrees);
        (r, u, "job")
    } else {
        (Vec::new(), Vec::new(), "expectations")
    };
    // A job that names too few skills to judge against (or none at all) is
    // read with the company's expectations for the role beside it.
    let named = reqs
        .iter()
        .filter(|r| r.kind != Kind::Responsibility && !r.concepts().is_empty())
        .count();
    if named < 3 {
        let ex = &company_role.expectations;
        let (must, pref) = if ex.must_have.is_empty() {
            (&role.expectations.must_have, &role.expectations.preferred)
        } else {
            (&ex.must_have, &ex.preferred)
        };
        let kind_must = if job.is_some() { Kind::Preferred } else { Kind::Required };
        for (ids, kind) in [(must, kind_must), (pref, Kind::Preferred)] {
            for id in ids {
                let Some(cid) = ix.id(id) else { continue };
                let c = ix.concept(cid);
                let any_of = vec![ConceptRef {
                    id: c.id.clone(),
                    label: c.pref.clone(),
                    surface: c.pref.clone(),
                    cid,
                }];
                let what = What::Skill { any_of };
                if reqs.iter().any(|r| same_ask(&r.what, &what)) {
                    continue;
                }
                reqs.push(Requirement {
                    id: String::new(),
                    label: c.pref.clone(),
                    kind,
                    what,
                    source: SourceRef {
                        text: expected_note.to_string(),
                        path: "expectations".into(),
                    },
                    accepts_similar: false,
                });
            }
        }
        if job.is_none()
            && let Some(y) = ex.min_years.or(role.expectations.min_years)
        {
            reqs.push(Requirement {
                id: String::new(),
                label: years_label(f64::from(y), &[]),
                kind: Kind::Required,
                what: What::Years { min: f64::from(y), of: Vec::new() },
                source: SourceRef {
                    text: expected_note.to_string(),
                    path: "expectations".into(),
                },
                accepts_similar: false,
            });
        }
        for (i, r) in reqs.iter_mut().enumerate() {
            r.id = format!("r{}", i + 1);
        }
    }
    let mut posting = Posting {
        title: title.clone(),
        origin,
        seniority: None,
        seniority_source: None,
        requirements: reqs,
        unscored,
        responsibilities,
    };
    // Seniority: the title's words, then the `experience` field, then the
    // company's expectation when there is no job, then the years asked.
    let (sen, src) = if let Some(s) = Seniority::from_text(&title) {
        (Some(s), Some(title.clone()))
    } else if let Some(s) = experience.as_deref().and_then(Seniority::from_text) {
        (Some(s), experience.clone())
    } else if job.is_none() {
        let s = company_role
            .expectations
            .seniority
            .as_deref()
            .or(role.expectations.seniority.as_deref());
        (s.and_then(Seniority::from_text), s.map(str::to_string))
    } else if let Some(y) = posting.min_years() {
        let s = match y {
            y if y >= 10.0 => Seniority::Staff,
            y if y >= 5.0 => Seniority::Senior,
            y if y >= 2.0 => Seniority::Mid,
            _ => Seniority::Entry,
        };
        (Some(s), Some(years_label(y, &[])))
    } else {
        (None, None)
    };
    posting.seniority = sen;
    posting.seniority_source = src;
    posting
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_set_sections_and_the_title_is_the_first_short_line() {
        let (title, lines) = text_lines(
            "Senior ML Engineer\n\nAbout us\nWe love Kafka.\n\nMinimum qualifications:\n- Python\n\nPreferred qualifications\n- Go\n\nWhat you'll do\n- Ship models\n",
        );
        assert_eq!(title.as_deref(), Some("Senior ML Engineer"));
        let sections: Vec<Section> = lines.iter().map(|l| l.section).collect();
        assert_eq!(
            sections,
            [
                Section::Ignored,
                Section::Required,
                Section::Preferred,
                Section::Responsibilities
            ]
        );
    }

    #[test]
    fn clauses_take_preferred_cues_and_split_sentences() {
        let lines = vec![Line {
            text: "Strong Python. Spark is a plus; Go preferred".into(),
            section: Section::Required,
            path: "line 3".into(),
            keyword: false,
            relaxed: false,
        }];
        let kinds: Vec<(String, Kind)> =
            clauses(&lines).into_iter().map(|c| (c.text, c.kind)).collect();
        assert_eq!(
            kinds,
            [
                ("Strong Python".to_string(), Kind::Required),
                ("Spark is a plus".to_string(), Kind::Preferred),
                ("Go preferred".to_string(), Kind::Preferred)
            ]
        );
    }

    #[test]
    fn list_glue_is_only_joining_words() {
        assert!(is_list_glue(", "));
        assert!(is_list_glue(" or "));
        assert!(is_list_glue(", and "));
        assert!(is_list_glue(" (e.g. "));
        assert!(!is_list_glue(" experience, and a track record with "));
    }

    #[test]
    fn seniority_words() {
        assert_eq!(
            Seniority::from_text("Senior Data Scientist"),
            Some(Seniority::Senior)
        );
        assert_eq!(Seniority::from_text("Software Engineer II"), Some(Seniority::Mid));
        assert_eq!(Seniority::from_text("Staff ML Engineer"), Some(Seniority::Staff));
        assert_eq!(Seniority::from_text("New Grad SWE"), Some(Seniority::Entry));
        assert_eq!(Seniority::from_text("Data Engineer"), None);
    }
}
