//! Stage 3b: a section's lines into entries and their fields. A work
//! entry is a head (employer, title, location, dates, on one line or
//! several) and a body (a description, then bullets that become
//! highlights); education has institution, degree and field; skills are
//! groups of keywords.
//!
//! Which fragment of a head is the employer and which the title is scored
//! with named features (title words like Engineer or Manager against
//! company marks like GmbH or Inc), and a pick that the features do not
//! settle is reported as uncertain rather than hidden.
//!
//! Responsible for entries and fields; not for where sections are
//! (`sections`) or for the JSON shape of the result (`output`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::{Map, Value};

use super::sections::{fragments, location_like};
use super::{Line, dates};

/// One entry of a section, ready for the JSON Resume array it belongs to.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// The entry's JSON Resume fields.
    pub(crate) value: Map<String, Value>,
    /// The lines it was read from.
    pub(crate) lines: Vec<usize>,
    /// How sure the split into fields is (0..1).
    pub(crate) confidence: f32,
    /// Fields that were guessed (`position` when nothing marked it).
    pub(crate) uncertain: Vec<&'static str>,
}

impl Entry {
    /// An entry read from line `i` alone, with nothing guessed.
    fn from_line(value: Map<String, Value>, i: usize, confidence: f32) -> Self {
        Self { value, lines: vec![i], confidence, uncertain: vec![] }
    }
}

/// A group of lines that form one entry: head lines, description lines
/// and bullets (each with its wrapped continuation lines).
#[derive(Debug, Clone, Default)]
pub(crate) struct Group {
    pub(crate) head: Vec<usize>,
    pub(crate) text: Vec<usize>,
    pub(crate) bullets: Vec<Vec<usize>>,
}

impl Group {
    fn is_empty(&self) -> bool {
        self.head.is_empty() && self.text.is_empty() && self.bullets.is_empty()
    }

    pub(crate) fn all(&self) -> Vec<usize> {
        let mut v: Vec<usize> = self
            .head
            .iter()
            .chain(&self.text)
            .chain(self.bullets.iter().flatten())
            .copied()
            .collect();
        v.sort_unstable();
        v
    }
}

fn words(s: &str) -> usize {
    s.split_whitespace().count()
}

fn starts_lowercase(s: &str) -> bool {
    s.trim_start().chars().next().is_some_and(char::is_lowercase)
}

/// A line that may open or belong to an entry's head: short (each
/// column of a table row short), not a sentence.
fn head_like(l: &Line) -> bool {
    let t = l.text.trim();
    let short = t.split('\t').all(|c| words(c) <= 14) && words(t) <= 30;
    !l.bullet && short && !ends_sentence(t) && !starts_lowercase(t)
}

/// Whether a line ends with a full stop rather than an abbreviation's
/// ("Kaminari Robotics K.K.", "Acme Inc.", "Jr.").
fn ends_sentence(t: &str) -> bool {
    const ABBREVIATIONS: &[&str] = &[
        "inc", "ltd", "co", "corp", "llc", "plc", "bv", "ag", "sa", "nv", "jr", "sr",
        "st", "dept", "univ", "intl",
    ];
    let Some(rest) = t.strip_suffix('.') else { return false };
    let last = rest.rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    // Dotted initials (K.K., S.A., U.S.) or a known short form.
    !(last.contains('.') || ABBREVIATIONS.contains(&last.to_lowercase().as_str()))
}

/// A label inside an entry ("Highlights", "Key achievements") that some
/// layouts print above the bullets: neither a head nor a description.
fn entry_label(l: &Line) -> bool {
    const LABELS: &[&str] = &[
        "highlights",
        "key highlights",
        "achievements",
        "key achievements",
        "selected achievements",
        "accomplishments",
        "key accomplishments",
        "responsibilities",
        "key responsibilities",
        "main responsibilities",
    ];
    !l.bullet
        && LABELS.contains(
            &super::sections::normalise(l.text.trim().trim_end_matches(':')).as_str(),
        )
}

/// Column titles of a table ("School\tDegree\tYears"): not an entry.
pub(crate) fn table_header(l: &Line) -> bool {
    const TITLES: &[&str] = &[
        "school",
        "degree",
        "years",
        "year",
        "dates",
        "date",
        "period",
        "institution",
        "university",
        "area",
        "skills",
        "skill",
        "company",
        "employer",
        "role",
        "position",
        "title",
        "location",
        "field",
        "tools",
        "level",
        "category",
        "language",
        "fluency",
        "when",
        "where",
        "what",
    ];
    let cells: Vec<&str> = l.text.split('\t').collect();
    cells.len() >= 2
        && cells.iter().all(|c| TITLES.contains(&super::sections::normalise(c).as_str()))
}

/// A line with a sentence break inside ("… 20M users. Individual …"); an
/// abbreviation's stop (`Apr. 2021`, `Acme Inc. —`) is not one.
fn sentence_like(s: &str) -> bool {
    s.match_indices(". ").any(|(p, _)| {
        let word = s[..p].rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
        word.chars().next().is_some_and(char::is_lowercase) && word.chars().count() >= 3
    })
}

/// Whether a non-bullet line `i` wraps the bullet above it rather than
/// starting something new.
fn continues_bullet(lines: &[Line], i: usize, end: usize) -> bool {
    let l = &lines[i];
    if l.bold || l.heading.is_some() {
        return false;
    }
    // Lowercase first: "handed over to them in 2026-06" wraps the bullet
    // above even though it holds a date.
    if starts_lowercase(&l.text) {
        return true;
    }
    if dates::has_head_date(&l.text) {
        return false;
    }
    // Indented under its bullet (a typed resume's wrapped line).
    if let Some(b) = (0..i).rev().find(|&j| lines[j].bullet)
        && l.x > lines[b].x + 0.5
        && l.gap_before < 0.5
    {
        return true;
    }
    // A head of two lines without a gap: "Beta Inc" over "Engineer  2019".
    let next_is_head =
        i + 1 < end && !lines[i + 1].bullet && dates::has_head_date(&lines[i + 1].text);
    l.gap_before < 0.5 && !(next_is_head && head_like(l))
}

/// Splits `body` into entry groups.
pub(crate) fn group(lines: &[Line], body: Range<usize>) -> Vec<Group> {
    let mut out: Vec<Group> = Vec::new();
    let mut cur = Group::default();
    let end = body.end;
    for i in body {
        let l = &lines[i];
        if table_header(l) || entry_label(l) {
            continue;
        }
        if l.bullet {
            cur.bullets.push(vec![i]);
            continue;
        }
        if !cur.bullets.is_empty() {
            if continues_bullet(lines, i, end) {
                if let Some(b) = cur.bullets.last_mut() {
                    b.push(i);
                }
                continue;
            }
            out.push(std::mem::take(&mut cur));
            cur.head.push(i);
            continue;
        }
        let dated = dates::has_head_date(&l.text);
        if !cur.text.is_empty() {
            // After a description: a gap, a date or bold opens the next
            // entry; anything else continues the description.
            if head_like(l) && (dated || l.bold || l.gap_before >= 0.5) {
                out.push(std::mem::take(&mut cur));
                cur.head.push(i);
            } else {
                cur.text.push(i);
            }
            continue;
        }
        if cur.head.is_empty() {
            if head_like(l) {
                cur.head.push(i);
            } else {
                cur.text.push(i);
            }
            continue;
        }
        let head_dated = cur.head.iter().any(|&h| dates::has_head_date(&lines[h].text));
        if head_like(l) && dated && head_dated {
            // Two dated heads in a row: the first entry had no body.
            out.push(std::mem::take(&mut cur));
            cur.head.push(i);
        } else if head_like(l)
            && head_dated
            && cur.head.len() >= 2
            && (l.gap_before >= 1.0
                || (l.gap_before >= 0.5
                    && cur.head.len() >= 3
                    && cur
                        .head
                        .last()
                        .is_some_and(|&h| dates::has_head_date(&lines[h].text))))
        {
            // A head of three lines that ended with its dates, then a gap:
            // the next entry ("EPFL / PhD in Physics / 2019 – 2023", gap,
            // "Sharif University"). A two-line head ("Acme / 2021 –
            // Present") may still take its title after a gap.
            out.push(std::mem::take(&mut cur));
            cur.head.push(i);
        } else if head_like(l)
            && cur.head.len() < 4
            && words(&l.text) <= 12
            && !sentence_like(&l.text)
            && (!head_dated
                || words(&l.text) <= 6
                || title_score(&l.text) >= 2.0
                || location_like(&l.text))
        {
            cur.head.push(i);
        } else {
            cur.text.push(i);
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Joins wrapped lines into one text, mending words hyphenated at the
/// line end ("opti-" + "mization").
pub(crate) fn join(lines: &[Line], idx: &[usize]) -> String {
    let mut out = String::new();
    for &i in idx {
        let t = lines[i].text.replace('\t', " ");
        let t = t.trim();
        if out.is_empty() {
            out.push_str(t);
            continue;
        }
        let hyphenated = out.ends_with('-')
            && out.chars().rev().nth(1).is_some_and(char::is_alphabetic)
            && starts_lowercase(t);
        if hyphenated {
            out.pop();
        } else {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

/// Words that name a role, lowercase; a match scores the fragment as a
/// title. Modifiers (senior, staff) count less than roles.
const TITLE_WORDS: &[(&str, f32)] = &[
    ("engineer", 2.0),
    ("developer", 2.0),
    ("manager", 2.0),
    ("scientist", 2.0),
    ("analyst", 2.0),
    ("intern", 2.0),
    ("internship", 2.0),
    ("director", 2.0),
    ("lead", 1.5),
    ("architect", 2.0),
    ("consultant", 2.0),
    ("designer", 2.0),
    ("researcher", 2.0),
    ("specialist", 2.0),
    ("administrator", 2.0),
    ("coordinator", 2.0),
    ("officer", 1.5),
    ("head", 1.0),
    ("vp", 2.0),
    ("president", 2.0),
    ("founder", 2.0),
    ("co-founder", 2.0),
    ("cto", 2.0),
    ("ceo", 2.0),
    ("associate", 1.0),
    ("assistant", 1.5),
    ("technician", 2.0),
    ("programmer", 2.0),
    ("sre", 2.0),
    ("owner", 1.0),
    ("master", 1.0),
    ("teacher", 2.0),
    ("lecturer", 2.0),
    ("professor", 2.0),
    ("postdoc", 2.0),
    ("postdoctoral", 2.0),
    ("fellow", 1.5),
    ("student", 1.5),
    ("trainee", 2.0),
    ("apprentice", 2.0),
    ("werkstudent", 2.0),
    ("praktikant", 2.0),
    ("entwickler", 2.0),
    ("softwareentwickler", 2.0),
    ("ingenieur", 2.0),
    ("leiter", 2.0),
    ("berater", 2.0),
    ("ingénieur", 2.0),
    ("développeur", 2.0),
    ("chef", 1.5),
    ("stagiaire", 2.0),
    ("responsable", 2.0),
    ("desarrollador", 2.0),
    ("ingeniero", 2.0),
    ("gerente", 2.0),
    ("analista", 2.0),
    ("desenvolvedor", 2.0),
    ("engenheiro", 2.0),
    ("estagiário", 2.0),
    ("programador", 2.0),
    ("contractor", 1.0),
    ("representative", 2.0),
    ("executive", 1.0),
    ("principal", 0.5),
    ("staff", 0.5),
    ("senior", 0.5),
    ("junior", 0.5),
    ("sr.", 0.5),
    ("jr.", 0.5),
    ("tutor", 2.0),
    ("doctoral", 1.5),
    ("editor", 1.5),
    ("accountant", 2.0),
    ("master", 1.0),
    ("recruiter", 2.0),
    ("strategist", 2.0),
];

/// Marks of an organisation's name, lowercase.
const COMPANY_WORDS: &[&str] = &[
    "inc",
    "inc.",
    "llc",
    "ltd",
    "ltd.",
    "limited",
    "gmbh",
    "ag",
    "se",
    "sa",
    "s.a.",
    "plc",
    "corp",
    "corp.",
    "corporation",
    "co.",
    "company",
    "k.k.",
    "group",
    "bv",
    "b.v.",
    "nv",
    "n.v.",
    "oy",
    "ab",
    "spa",
    "s.p.a.",
    "srl",
    "s.r.l.",
    "sp.",
    "d.o.o.",
    "c.v.",
    "pty",
    "pvt",
    "llp",
    "gbr",
    "kg",
    "technologies",
    "systems",
    "solutions",
    "labs",
    "bank",
    "university",
    "universität",
    "universidad",
    "universidade",
    "université",
    "università",
    "institute",
    "institut",
    "college",
    "school",
    "hospital",
    "foundation",
    "agency",
    "studio",
    "networks",
    "partners",
    "holdings",
    "ventures",
    "capital",
    "electronics",
    "payments",
    "telecom",
    "insurance",
    "logistics",
    "robotics",
    "self-employed",
    "freelance",
    "freiberuflich",
    "selbstständig",
    "marketplace",
    "e.v.",
    "ltda",
    "ltda.",
    "s.l.",
    "sas",
    "sarl",
    "a/s",
];

fn word_list(s: &str) -> Vec<String> {
    s.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')' | '/' | '&'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn title_score(s: &str) -> f32 {
    word_list(s)
        .iter()
        .map(|w| TITLE_WORDS.iter().find(|(t, _)| t == w).map_or(0.0, |t| t.1))
        .sum()
}

fn company_score(s: &str) -> f32 {
    let ws = word_list(s);
    // "Group Product Manager": a company word beside a role word counts
    // for less than one alone.
    let weight = if title_score(s) >= 2.0 { 1.0 } else { 2.0 };
    let mut score: f32 =
        ws.iter().filter(|w| COMPANY_WORDS.contains(&w.as_str())).count() as f32 * weight;
    let t = s.trim();
    if t.len() >= 2
        && t.len() <= 6
        && t.chars().all(|c| c.is_ascii_uppercase() || c == '&')
    {
        score += 1.0;
    }
    if t.contains(".com") || t.contains(".io") {
        score += 1.0;
    }
    score
}

/// Head fragments: the head lines cut at column and dash separators.
fn head_fragments(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in fragments(text) {
        for g in f.split(" - ").flat_map(|g| g.split(" @ ")).flat_map(split_at_word) {
            let g = g
                .trim()
                .trim_matches(|c: char| {
                    matches!(c, ',' | ';' | '|' | '·' | '•' | '–' | '—' | '-')
                })
                .trim();
            // A date cut out of "(Jul 2017 – May 2021)" leaves its
            // parentheses behind.
            let g = balance(g);
            let g = strip_parens(g);
            if g.chars().any(char::is_alphanumeric) {
                out.push(g.to_string());
            }
        }
    }
    out
}

/// "Senior Engineer at Acme", "Bachelor of Science Economics at
/// University of Michigan": a title or degree, then " at " and where.
/// Other text with " at " ("Engineer at heart") is left whole.
fn split_at_word(g: &str) -> Vec<&str> {
    if let Some((left, right)) = g.split_once(" at ")
        && !right.trim().is_empty()
        && (title_score(left) >= 1.0 || degree(left).is_some())
    {
        return vec![left, right];
    }
    vec![g]
}

/// Drops a parenthesis left open at the end or closed at the start.
fn balance(s: &str) -> &str {
    let mut s = s.trim();
    while s.matches('(').count() > s.matches(')').count() && s.ends_with('(') {
        s = s[..s.len() - 1].trim_end();
    }
    while s.matches(')').count() > s.matches('(').count() && s.starts_with(')') {
        s = s[1..].trim_start();
    }
    s
}

/// `(Remote)` → `Remote`: a fragment wholly in parentheses.
fn strip_parens(s: &str) -> &str {
    match s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        Some(inner) if !inner.contains('(') && !inner.contains(')') => inner.trim(),
        _ => s,
    }
}

/// The dates of a head: the best date expression among its lines, and
/// the lines' text with that expression cut out.
fn head_dates(lines: &[Line], head: &[usize]) -> (Option<dates::Found>, Vec<String>) {
    let mut best: Option<(usize, dates::Found, i32)> = None;
    for (n, &i) in head.iter().enumerate() {
        if let Some(f) = dates::best(&lines[i].text) {
            let rank = i32::from(f.range) * 4
                + i32::from(f.start.as_deref().is_some_and(|d| d.len() == 7));
            if best.as_ref().is_none_or(|b| rank > b.2) {
                best = Some((n, f, rank));
            }
        }
    }
    let mut texts: Vec<String> = head.iter().map(|&i| lines[i].text.clone()).collect();
    if let Some((n, f, _)) = &best {
        let t = &texts[*n];
        let mut cut = String::new();
        cut.push_str(&t[..f.span.start]);
        cut.push('\t');
        cut.push_str(&t[f.span.end..]);
        texts[*n] = cut;
    }
    (best.map(|b| b.1), texts)
}

fn set(map: &mut Map<String, Value>, key: &str, value: impl Into<Value>) {
    map.insert(key.to_string(), value.into());
}

fn set_dates(
    map: &mut Map<String, Value>,
    found: &Option<dates::Found>,
    single_is_end: bool,
) {
    let Some(f) = found else { return };
    if f.range || !single_is_end {
        if let Some(s) = &f.start {
            set(map, "startDate", s.clone());
        }
        if let Some(e) = &f.end {
            set(map, "endDate", e.clone());
        }
    } else if let Some(s) = &f.start {
        set(map, "endDate", s.clone());
    }
}

/// The body of a work-like entry: description lines as `summary`,
/// bullets as `highlights`.
fn set_body(lines: &[Line], g: &Group, map: &mut Map<String, Value>) {
    if !g.text.is_empty() {
        set(map, "summary", join(lines, &g.text));
    }
    if !g.bullets.is_empty() {
        let hs: Vec<Value> = g.bullets.iter().map(|b| join(lines, b).into()).collect();
        set(map, "highlights", hs);
    }
}

/// A work head's organisation, role, location, leftover fragments and
/// guessed fields.
type HeadFields =
    (Option<String>, Option<String>, Option<String>, Vec<String>, Vec<&'static str>);

/// Which of the fields a work-like head holds: (organisation, role,
/// location, extra fragments, uncertain fields).
fn split_head(frags: Vec<String>) -> HeadFields {
    let mut uncertain = Vec::new();
    let mut location = None;
    let mut rest: Vec<String> = Vec::new();
    for f in frags {
        if location.is_none()
            && location_like(&f)
            && title_score(&f) == 0.0
            && company_score(&f) == 0.0
        {
            location = Some(f);
        } else {
            rest.push(f);
        }
    }
    if rest.len() == 1 {
        // One fragment for two fields: "Senior Engineer at Acme Corp",
        // "Senior Engineer, Acme Corp".
        let only = rest[0].clone();
        let cuts = [" at ", ", ", " bei ", " chez ", " en "];
        for cut in cuts {
            if let Some(p) = only.find(cut) {
                let (a, b) = (only[..p].trim(), only[p + cut.len()..].trim());
                let clear = title_score(a) > 0.0
                    && title_score(b) == 0.0
                    && !location_like(b)
                    && !b.is_empty();
                let clear_rev = cut == ", "
                    && title_score(b) > 0.0
                    && title_score(a) == 0.0
                    && company_score(a) > 0.0;
                if clear {
                    rest = vec![b.to_string(), a.to_string()];
                    break;
                }
                if clear_rev {
                    rest = vec![a.to_string(), b.to_string()];
                    break;
                }
            }
        }
    }
    if rest.is_empty() {
        return (None, None, location, rest, vec!["name", "position"]);
    }
    if rest.len() == 1 {
        let f = rest.remove(0);
        return if title_score(&f) > company_score(&f) {
            (None, Some(f), location, rest, vec!["name"])
        } else {
            (Some(f), None, location, rest, vec!["position"])
        };
    }
    // The title: the fragment most like a role and least like a company;
    // the organisation: the best of the others, earliest first.
    let margin = |f: &String| title_score(f) - company_score(f);
    // Ties go to the later fragment: "Employer — Title" is the commoner
    // order when nothing else tells.
    let (ti, best_margin) = rest
        .iter()
        .enumerate()
        .map(|(i, f)| (i, margin(f)))
        .fold((0, f32::MIN), |acc, (i, m)| if m >= acc.1 { (i, m) } else { acc });
    let position = rest.remove(ti);
    let (oi, _) = rest
        .iter()
        .enumerate()
        .map(|(i, f)| (i, -margin(f)))
        .fold((0, f32::MIN), |acc, (i, m)| if m > acc.1 { (i, m) } else { acc });
    let org_margin = -margin(&rest[oi]);
    let name = rest.remove(oi);
    if best_margin <= 0.0 && org_margin <= 0.0 {
        // Nothing tells them apart: the order decides, and says so.
        uncertain.push("position");
        uncertain.push("name");
    }
    // A short leftover capitalised fragment is usually a city.
    if location.is_none()
        && let Some(p) = rest.iter().position(|f| {
            words(f) <= 3
                && title_score(f) == 0.0
                && company_score(f) == 0.0
                && f.chars().next().is_some_and(char::is_uppercase)
        })
    {
        location = Some(rest.remove(p));
    }
    (Some(name), Some(position), location, rest, uncertain)
}

fn confidence(uncertain: &[&str], fields: usize) -> f32 {
    let total = fields.max(1) as f32;
    ((total - uncertain.len() as f32 * 0.8) / total).clamp(0.1, 0.95)
}

/// Work (and volunteer) entries: `org` names the organisation's field
/// (`name` for work, `organization` for volunteer).
pub(crate) fn work(lines: &[Line], body: Range<usize>, org: &'static str) -> Vec<Entry> {
    let mut out = Vec::new();
    for g in group(lines, body) {
        let mut map = Map::new();
        let (found, texts) = head_dates(lines, &g.head);
        let frags: Vec<String> = texts.iter().flat_map(|t| head_fragments(t)).collect();
        let (name, position, location, extra, mut uncertain) = split_head(frags);
        if let Some(n) = name {
            set(&mut map, org, n);
        }
        if let Some(p) = position {
            set(&mut map, "position", p);
        }
        if let Some(l) = location {
            set(&mut map, "location", l);
        }
        if !extra.is_empty() && org == "name" {
            set(&mut map, "description", extra.join(", "));
        }
        set_dates(&mut map, &found, false);
        if found.is_none() {
            uncertain.push("startDate");
        }
        set_body(lines, &g, &mut map);
        if map.is_empty() {
            continue;
        }
        // A position with the organisation's key renamed for volunteer.
        let uncertain: Vec<&'static str> =
            uncertain.into_iter().map(|u| if u == "name" { org } else { u }).collect();
        out.push(Entry {
            confidence: confidence(&uncertain, 3),
            value: map,
            lines: g.all(),
            uncertain,
        });
    }
    out
}

/// Degree names that open a degree fragment; `studyType` keeps them as
/// written, with a parenthesis that follows ("Magister (Master of
/// Science)").
static DEGREE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?P<type>(?:(?:Executive|Integrated)\s+)?(?:Bachelor|Master|Doctor|Associate)(?:['’]s)?(?:\s+of\s+(?:Fine\s+Arts|Applied\s+Science|Business\s+Administration|Public\s+Health|[A-Z][a-z]+))?(?:\s+degree)?",
        r"|Ph\.?\s?D\.?|D\.?Phil\.?|Dr\.\s?(?:rer\.\s?nat\.|phil\.|-Ing\.)|E?MBA|MRes|MPhil|M\.?Res\.?|B\.?\s?Sc\.?|M\.?\s?Sc\.?|BEng|B\.?\s?Eng\.?|MEng|M\.?\s?Eng\.?|B\.?\s?Tech\.?|M\.?\s?Tech\.?|B\.S\.?|M\.S\.?|BS|MS|B\.A\.?|M\.A\.?|BA|MA|BBA|LL\.?B\.?|LL\.?M\.?|J\.?D\.?",
        r"|Diplom(?:-[A-Z][a-z]+)?|Dipl\.-[A-Za-z]+\.?|Diplôme(?:\s+d['’][a-zé]+)?|Licence|Licenciatura|Licenciado|Grado|Magister|Mestrado|Bacharelado|Laurea(?:\s+Magistrale)?|Abitur|Baccalauréat|Ingeniero|Ingénieur|Doctorate|Habilitation",
        r")(?P<paren>\s*\([^)]*\))?(?:$|[^\p{L}\p{N}])"
    ))
    .expect("the degree pattern is valid")
});

/// Marks of a school's name.
const SCHOOL_WORDS: &[&str] = &[
    "university",
    "universität",
    "universitat",
    "universidad",
    "universidade",
    "université",
    "università",
    "universiteit",
    "uniwersytet",
    "college",
    "institute",
    "institut",
    "instituto",
    "school",
    "hochschule",
    "fachhochschule",
    "école",
    "ecole",
    "academy",
    "akademie",
    "polytechnic",
    "politecnico",
    "politechnika",
    "eth",
    "epfl",
    "mit",
    "tu",
    "iit",
    "kaist",
    "conservatory",
    "seminary",
    "gymnasium",
    "lycée",
];

fn school_score(s: &str) -> f32 {
    word_list(s).iter().filter(|w| SCHOOL_WORDS.contains(&w.as_str())).count() as f32
        * 2.0
}

static SCORE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:gpa|cgpa|grade|note|nota|final grade|abschlussnote|mention|score)\s*[:=]?\s*(?P<v>.+)$|(?P<honours>(?:summa|magna)?\s*cum laude|with (?:high )?distinction|first[- ]class honours|with honou?rs|mit auszeichnung)")
        .expect("the score pattern is valid")
});

/// A degree fragment into (studyType, area).
pub(crate) fn degree(frag: &str) -> Option<(String, Option<String>)> {
    let f = frag.trim();
    if let Some(c) = DEGREE.captures(f) {
        let m = c.name("paren").or_else(|| c.name("type"))?;
        let study = f[..m.end()].trim().to_string();
        let rest = f[m.end()..]
            .trim_start_matches(|ch: char| {
                ch.is_whitespace() || matches!(ch, ',' | ':' | '–' | '—' | '-' | '|')
            })
            .trim();
        let rest = rest
            .strip_prefix("in ")
            .or_else(|| rest.strip_prefix("of "))
            .unwrap_or(rest)
            .trim();
        let area = (!rest.is_empty()).then(|| rest.to_string());
        return Some((study, area));
    }
    // "Computer Science, BSc": the degree last.
    if let Some(p) = f.rfind(", ") {
        let (a, b) = (&f[..p], &f[p + 2..]);
        if let Some(c) = DEGREE.captures(b)
            && c.name("paren")
                .or_else(|| c.name("type"))
                .is_some_and(|m| m.end() == b.trim_end().len())
        {
            return Some((b.trim().to_string(), Some(a.trim().to_string())));
        }
    }
    None
}

/// Education entries.
pub(crate) fn education(lines: &[Line], body: Range<usize>) -> Vec<Entry> {
    let mut out = Vec::new();
    for g in group(lines, body) {
        let mut map = Map::new();
        let mut uncertain = Vec::new();
        let (found, texts) = head_dates(lines, &g.head);
        let mut frags: Vec<String> =
            texts.iter().flat_map(|t| head_fragments(t)).collect();
        let mut courses: Vec<String> = Vec::new();
        // Body lines may hold the grade or the degree too.
        let mut body_lines: Vec<String> =
            g.text.iter().map(|&i| lines[i].text.clone()).collect();
        for b in &g.bullets {
            body_lines.push(join(lines, b));
        }
        let mut score = None;
        let mut leftover_body = Vec::new();
        for t in body_lines {
            if let Some(c) = SCORE.captures(t.trim()) {
                score = Some(
                    c.name("v")
                        .or(c.name("honours"))
                        .map_or(t.clone(), |m| m.as_str().trim().to_string()),
                );
            } else if degree(&t).is_some() && !frags.iter().any(|f| degree(f).is_some()) {
                frags.push(t);
            } else {
                leftover_body.push(t);
            }
        }
        let mut institution: Option<String> = None;
        let mut study = None;
        let mut location = None;
        let mut rest = Vec::new();
        // "MBA in Marketing, Northwestern University, Kellogg School of
        // Management": a fragment may hold degree and school, comma-joined.
        let mut parts: Vec<String> = Vec::new();
        for f in frags {
            if location_like(&f)
                || degree(&f).is_some_and(|(_, a)| a.is_none_or(|a| !a.contains(", ")))
            {
                parts.push(f);
            } else {
                parts.extend(split_commas(&f));
            }
        }
        let mut school_run = false;
        for f in parts {
            let schoolish = school_score(&f) > 0.0;
            if let Some(c) = SCORE.captures(&f) {
                score = Some(
                    c.name("v")
                        .or(c.name("honours"))
                        .map_or(f.clone(), |m| m.as_str().trim().to_string()),
                );
                school_run = false;
            } else if study.is_none()
                && !schoolish
                && let Some(d) = degree(&f)
            {
                study = Some(d);
                school_run = false;
            } else if schoolish && (institution.is_none() || school_run) {
                institution = Some(match institution.take() {
                    Some(prev) => format!("{prev}, {f}"),
                    None => f,
                });
                school_run = true;
            } else if location.is_none() && location_like(&f) {
                location = Some(f);
                school_run = false;
            } else {
                rest.push(f);
                school_run = false;
            }
        }
        if institution.is_none() && !rest.is_empty() {
            institution = Some(rest.remove(0));
            uncertain.push("institution");
        }
        match study {
            Some((st, area)) => {
                set(&mut map, "studyType", st);
                match area.or_else(|| (!rest.is_empty()).then(|| rest.remove(0))) {
                    Some(a) => set(&mut map, "area", a),
                    None => uncertain.push("area"),
                }
            }
            None => {
                if !rest.is_empty() {
                    set(&mut map, "area", rest.remove(0));
                }
                uncertain.push("studyType");
            }
        }
        if let Some(i) = institution {
            set(&mut map, "institution", i);
        }
        if let Some(l) = location {
            set(&mut map, "location", l);
        }
        set_dates(&mut map, &found, true);
        if let Some(s) = score {
            set(&mut map, "score", s);
        }
        courses.extend(leftover_body);
        if !courses.is_empty() {
            set(&mut map, "courses", courses);
        }
        if map.is_empty() {
            continue;
        }
        out.push(Entry {
            confidence: confidence(&uncertain, 3),
            value: map,
            lines: g.all(),
            uncertain,
        });
    }
    out
}

/// Splits at `, ` outside parentheses.
fn split_commas(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut cur = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if c == ',' && depth <= 0 && chars.peek() == Some(&' ') {
            out.push(std::mem::take(&mut cur).trim().to_string());
            continue;
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out.retain(|p| !p.is_empty());
    out
}

/// Splits a keyword list at `, ; · | •`.
pub(crate) fn keywords(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c);
            }
            ')' => {
                depth -= 1;
                cur.push(c);
            }
            ',' | ';' | '·' | '|' | '•' | '\t' | '∙' | '⋅' if depth <= 0 => {
                out.push(std::mem::take(&mut cur))
            }
            _ => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|k| k.trim().trim_end_matches('.').trim().to_string())
        .filter(|k| !k.is_empty())
        .collect()
}

/// A group label before a colon or a tab: `Languages: Java, Kotlin`,
/// `Cloud\tAWS, GCP`, `Languages (Expert): Java`.
fn skill_group(t: &str) -> Option<(String, Option<String>, String)> {
    let cut = t
        .find(':')
        .filter(|&p| p <= 48)
        .map(|p| (p, 1))
        .or_else(|| t.find('\t').filter(|&p| p <= 48).map(|p| (p, 1)))?;
    let (label, rest) = (t[..cut.0].trim(), t[cut.0 + cut.1..].trim());
    if label.is_empty() || rest.is_empty() || words(label) > 6 {
        return None;
    }
    let (name, level) = match (label.find('('), label.ends_with(')')) {
        (Some(p), true) => (
            label[..p].trim().to_string(),
            Some(label[p + 1..label.len() - 1].trim().to_string()),
        ),
        _ => (label.to_string(), None),
    };
    Some((name, level, rest.to_string()))
}

/// Skill groups.
pub(crate) fn skills(lines: &[Line], body: Range<usize>) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut loose: Option<usize> = None;
    let mut last_group: Option<usize> = None;
    // A group opened by a name on its own line, taking the lines below.
    let mut named_group: Option<usize> = None;
    let end = body.end;
    for i in body {
        let l = &lines[i];
        let t = l.text.trim();
        if table_header(l) {
            continue;
        }
        // A level printed beside or under a group's name ("Languages"
        // "Expert").
        if let Some(g) = named_group.filter(|&g| !out[g].value.contains_key("level"))
            && SKILL_LEVELS.contains(&super::sections::normalise(t).as_str())
        {
            set(&mut out[g].value, "level", t);
            out[g].lines.push(i);
            continue;
        }
        // A name on a line of its own with its keywords below it, as
        // sidebars print skills ("Systems" over "Linux kernel  V4L2").
        let next_lists = lines.get(i + 1).filter(|_| i + 1 < end).is_some_and(|n| {
            n.text.contains('\t')
                || SKILL_LEVELS.contains(&super::sections::normalise(&n.text).as_str())
        });
        if !l.bullet
            && words(t) <= 4
            && !t.contains(['\t', ',', ';', ':', '|', '·'])
            && next_lists
        {
            let mut map = Map::new();
            set(&mut map, "name", t);
            set(&mut map, "keywords", Vec::<String>::new());
            out.push(Entry::from_line(map, i, 0.8));
            last_group = Some(out.len() - 1);
            named_group = last_group;
            continue;
        }
        if let Some(g) = named_group
            && l.gap_before < 1.0
            && (t.contains('\t') || t.contains(','))
        {
            let kws = keywords(t);
            if let Some(Value::Array(a)) = out[g].value.get_mut("keywords") {
                a.extend(kws.into_iter().map(Value::from));
            }
            out[g].lines.push(i);
            continue;
        }
        named_group = None;
        if let Some((name, level, rest)) = skill_group(t) {
            let mut map = Map::new();
            set(&mut map, "name", name);
            if let Some(level) = level {
                set(&mut map, "level", level);
            }
            set(&mut map, "keywords", keywords(&rest));
            out.push(Entry::from_line(map, i, 0.9));
            last_group = Some(out.len() - 1);
            continue;
        }
        // A wrapped line of the group above it.
        let wraps = last_group.is_some()
            && !l.bullet
            && l.gap_before < 0.5
            && i > 0
            && (lines[i - 1].text.trim_end().ends_with(',')
                || starts_lowercase(t)
                || l.x > lines[i - 1].x);
        let target = if wraps { last_group } else { loose };
        let kws = keywords(t);
        match target {
            Some(n) => {
                let e = &mut out[n];
                if let Some(Value::Array(a)) = e.value.get_mut("keywords") {
                    a.extend(kws.into_iter().map(Value::from));
                }
                e.lines.push(i);
            }
            None => {
                let mut map = Map::new();
                set(&mut map, "keywords", kws);
                out.push(Entry {
                    value: map,
                    lines: vec![i],
                    confidence: 0.6,
                    uncertain: vec!["name"],
                });
                loose = Some(out.len() - 1);
                last_group = None;
            }
        }
    }
    out
}

/// Levels that themes print beside a skill group's name.
const SKILL_LEVELS: &[&str] = &[
    "expert",
    "advanced",
    "intermediate",
    "beginner",
    "basic",
    "proficient",
    "master",
    "novice",
];

/// Languages: `English (native), German (C1)`, `French — B2`.
pub(crate) fn languages(lines: &[Line], body: Range<usize>) -> Vec<Entry> {
    let mut out = Vec::new();
    for i in body {
        let t = lines[i].text.trim();
        let items = match skill_group(t) {
            // "Languages: English, German" under another heading.
            Some((_, _, rest)) if keywords(&rest).len() > 1 => keywords(&rest),
            Some((name, _, rest)) => vec![format!("{name} ({rest})")],
            None => keywords(t),
        };
        for item in items {
            let (language, fluency) = if let Some(p) = item.find('(') {
                (
                    item[..p].trim().to_string(),
                    Some(item[p + 1..].trim_end_matches(')').trim().to_string()),
                )
            } else if let Some((a, b)) = item
                .split_once(" – ")
                .or_else(|| item.split_once(" — "))
                .or_else(|| item.split_once(" - "))
                .or_else(|| item.split_once(": "))
            {
                (a.trim().to_string(), Some(b.trim().to_string()))
            } else {
                (item.trim().to_string(), None)
            };
            let mut map = Map::new();
            set(&mut map, "language", language);
            if let Some(f) = fluency {
                set(&mut map, "fluency", f);
            }
            out.push(Entry::from_line(map, i, 0.8));
        }
    }
    out
}

/// Interests: `Climbing, chess` or `Music: piano, choir`.
pub(crate) fn interests(lines: &[Line], body: Range<usize>) -> Vec<Entry> {
    let mut out = Vec::new();
    for i in body {
        let t = lines[i].text.trim();
        match skill_group(t) {
            Some((name, _, rest)) => {
                let mut map = Map::new();
                set(&mut map, "name", name);
                set(&mut map, "keywords", keywords(&rest));
                out.push(Entry::from_line(map, i, 0.8));
            }
            None => {
                for k in keywords(t) {
                    let mut map = Map::new();
                    set(&mut map, "name", k);
                    out.push(Entry::from_line(map, i, 0.7));
                }
            }
        }
    }
    out
}

/// Projects: a name (and dates, a link) in the head, description and
/// highlights in the body, keywords from a `Tech:` line.
pub(crate) fn projects(lines: &[Line], body: Range<usize>) -> Vec<Entry> {
    let mut out = Vec::new();
    for g in group(lines, body) {
        let mut map = Map::new();
        let mut uncertain = Vec::new();
        let (found, texts) = head_dates(lines, &g.head);
        let mut frags: Vec<String> =
            texts.iter().flat_map(|t| head_fragments(t)).collect();
        if let Some(p) = frags.iter().position(|f| {
            f.contains("://") || f.starts_with("github.com") || f.starts_with("www.")
        }) {
            set(&mut map, "url", frags.remove(p));
        }
        match frags.first() {
            Some(n) => set(&mut map, "name", n.clone()),
            None => uncertain.push("name"),
        }
        if frags.len() > 1 {
            set(&mut map, "description", frags[1..].join(", "));
        }
        set_dates(&mut map, &found, false);
        let mut g2 = g.clone();
        g2.text.retain(|&i| {
            let t = lines[i].text.trim();
            let kw = [
                "tech:",
                "stack:",
                "technologies:",
                "tools:",
                "built with:",
                "keywords:",
            ]
            .iter()
            .find(|p| t.to_lowercase().starts_with(*p))
            .map(|p| keywords(&t[p.len()..]));
            match kw {
                Some(k) => {
                    set(&mut map, "keywords", k);
                    false
                }
                None => true,
            }
        });
        if !g2.text.is_empty() && !map.contains_key("description") {
            set(&mut map, "description", join(lines, &g2.text));
            g2.text.clear();
        }
        set_body(lines, &g2, &mut map);
        if let Some(Value::String(s)) = map.remove("summary") {
            map.entry("description").or_insert(s.into());
        }
        if map.is_empty() {
            continue;
        }
        out.push(Entry {
            confidence: confidence(&uncertain, 2),
            value: map,
            lines: g.all(),
            uncertain,
        });
    }
    out
}

/// One-line items (awards, certificates, publications): a title, an
/// issuer, a date. `keys` names the three fields.
pub(crate) fn items(
    lines: &[Line],
    body: Range<usize>,
    keys: [&'static str; 3],
) -> Vec<Entry> {
    let mut units: Vec<Vec<usize>> = Vec::new();
    for g in group(lines, body) {
        if g.head.is_empty()
            || g.head.len() > 2
            || g.head.iter().filter(|&&i| dates::best(&lines[i].text).is_some()).count()
                > 1
        {
            units.extend(g.head.iter().map(|&i| vec![i]));
            units.extend(g.text.iter().map(|&i| vec![i]));
            units.extend(g.bullets.iter().cloned());
        } else {
            let mut u = g.head.clone();
            u.extend(&g.text);
            units.push(u);
            units.extend(g.bullets.iter().cloned());
        }
    }
    let mut out = Vec::new();
    for u in units {
        let mut map = Map::new();
        let text =
            u.iter().map(|&i| lines[i].text.clone()).collect::<Vec<_>>().join("\t");
        let (found, texts) = {
            let f = dates::best(&text);
            let cut = match &f {
                Some(f) => format!("{}\t{}", &text[..f.span.start], &text[f.span.end..]),
                None => text.clone(),
            };
            (f, cut)
        };
        let mut frags = head_fragments(&texts);
        if frags.len() == 1
            && let Some((a, b)) = frags[0].clone().split_once(", ")
        {
            frags = vec![a.trim().to_string(), b.trim().to_string()];
        }
        let mut it = frags.into_iter();
        match it.next() {
            Some(t) => set(&mut map, keys[0], t),
            None => continue,
        }
        if let Some(issuer) = it.next() {
            set(&mut map, keys[1], issuer);
        }
        let rest: Vec<String> = it.collect();
        if !rest.is_empty() {
            set(&mut map, "summary", rest.join(", "));
        }
        if let Some(d) = found.and_then(|f| f.end.or(f.start)) {
            set(&mut map, keys[2], d);
        }
        out.push(Entry { value: map, lines: u, confidence: 0.7, uncertain: vec![] });
    }
    out
}

/// A summary section's text.
pub(crate) fn summary(lines: &[Line], body: Range<usize>) -> Option<String> {
    let idx: Vec<usize> = body.collect();
    let s = join(lines, &idx);
    (!s.is_empty()).then_some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn l(text: &str) -> Line {
        let bullet = text.starts_with("- ");
        Line {
            text: text.trim_start_matches("- ").into(),
            bullet,
            page: 1,
            ..Line::default()
        }
    }

    fn entries(texts: &[&str]) -> Vec<Map<String, Value>> {
        let lines: Vec<Line> = texts.iter().map(|t| l(t)).collect();
        work(&lines, 0..lines.len(), "name").into_iter().map(|e| e.value).collect()
    }

    #[test]
    fn heads_in_the_forms_people_write() {
        let e = entries(&[
            "Acme Corp — Senior Engineer\tMar 2021 – Present",
            "- Built the thing",
            "- Ran the other",
        ]);
        assert_eq!(
            e[0],
            obj(
                json!({"name": "Acme Corp", "position": "Senior Engineer", "startDate": "2021-03", "highlights": ["Built the thing", "Ran the other"]})
            )
        );
        let e = entries(&["Senior Engineer, Acme Corp\t2019 – 2021", "- Did"]);
        assert_eq!(
            (e[0]["name"].as_str(), e[0]["position"].as_str()),
            (Some("Acme Corp"), Some("Senior Engineer"))
        );
        let e = entries(&[
            "Alpenfracht Digital GmbH\tMünchen, Bayern",
            "Senior Software Engineer, Tech Lead Pricing & Matching\tApr 2021 – Present",
            "- Designed",
            "- Built",
        ]);
        assert_eq!(e[0]["name"], "Alpenfracht Digital GmbH");
        assert_eq!(
            e[0]["position"],
            "Senior Software Engineer, Tech Lead Pricing & Matching"
        );
        assert_eq!(e[0]["location"], "München, Bayern");
        let e = entries(&[
            "Data Engineer at Flipkart (Jul 2017 – May 2021)",
            "- Built pipelines",
        ]);
        assert_eq!(
            (e[0]["name"].as_str(), e[0]["endDate"].as_str()),
            (Some("Flipkart"), Some("2021-05"))
        );
    }

    #[test]
    fn bullets_wrap_and_entries_split() {
        let mut lines: Vec<Line> = [
            "Acme Corp — Engineer\t2020 – 2021",
            "- Cut the opti-",
            "mization time by half",
            "- Shipped",
            "Beta GmbH — Developer\t2018 – 2020",
            "- Wrote",
        ]
        .iter()
        .map(|t| l(t))
        .collect();
        lines[4].gap_before = 1.0;
        let e = work(&lines, 0..lines.len(), "name");
        assert_eq!(e.len(), 2);
        assert_eq!(e[0].value["highlights"][0], "Cut the optimization time by half");
        assert_eq!(e[1].value["name"], "Beta GmbH");
    }

    #[test]
    fn degrees_and_skills() {
        assert_eq!(
            degree("Bachelor of Science in Data Science"),
            Some(("Bachelor of Science".into(), Some("Data Science".into())))
        );
        assert_eq!(degree("MSc, Physics"), Some(("MSc".into(), Some("Physics".into()))));
        assert_eq!(
            degree(
                "Magister (Master of Science), Mathematics (Probability and Statistics)"
            ),
            Some((
                "Magister (Master of Science)".into(),
                Some("Mathematics (Probability and Statistics)".into())
            ))
        );
        assert_eq!(
            degree("Computer Science, B.S."),
            Some(("B.S.".into(), Some("Computer Science".into())))
        );
        assert_eq!(degree("Business Analyst"), None);
        let lines: Vec<Line> =
            ["Languages (Expert): Java, Kotlin, SQL", "Cloud\tAWS; GCP · Azure"]
                .iter()
                .map(|t| l(t))
                .collect();
        let s = skills(&lines, 0..2);
        assert_eq!(s[0].value["level"], "Expert");
        assert_eq!(s[0].value["keywords"], json!(["Java", "Kotlin", "SQL"]));
        assert_eq!(s[1].value["keywords"], json!(["AWS", "GCP", "Azure"]));
    }
}
