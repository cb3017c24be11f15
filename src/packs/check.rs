//! The pack check behind `prepbook validate --packs DIR`: everything a
//! content author can get wrong that the typed loader cannot see (required
//! sections per role, tags, duplicates, sources and dates on figures,
//! placeholder text), each problem named by file and JSON path.

use std::collections::{BTreeMap, BTreeSet};

use super::{CompanyPack, Packs, RolePack};
use crate::error::Diagnostic;

/// Phrase ids the engine asks `phrases.json` for; each must exist.
pub(crate) const PHRASES: &[&str] = &[
    "source.expectations",
    "why.missing",
    "why.adjacent",
    "why.narrower",
    "why.result",
    "why.outcome",
    "why.highlight",
    "why.position",
    "why.work_summary",
    "why.project",
    "why.project_keywords",
    "why.volunteer",
    "why.publication",
    "why.award",
    "why.certificate",
    "why.degree_covers",
    "why.course",
    "why.skill_list",
    "why.skill_list_level",
    "why.summary",
    "why.language",
    "why.years_of",
    "why.years_met",
    "why.years_short",
    "why.years_undated",
    "why.years_none",
    "why.degree_met",
    "why.degree_in_progress",
    "why.degree_equivalent",
    "why.degree_partly_equivalent",
    "why.degree_field",
    "why.degree_lower",
    "why.degree_missing",
    "why.competency_gap",
    "fit.required",
    "fit.required.name",
    "fit.preferred",
    "fit.preferred.name",
    "fit.responsibilities",
    "fit.responsibilities.name",
    "fit.emphasis",
    "fit.emphasis.name",
    "level.anchor_seniority",
    "level.no_anchor",
    "level.role_share",
    "level.years",
    "level.experience",
    "level.one_above",
    "level.capped",
    "level.fit_holds_back",
    "level.margin_holds_back",
    "level.below",
    "level.matches",
    "level.title_cap",
    "level.requested_same",
    "level.requested_other",
    "level.requested_unknown",
    "level.why",
    "level.why_requested",
    "story.prompt_title",
];

const SENIORITIES: [&str; 5] = ["entry", "mid", "senior", "staff", "principal"];
const CATEGORIES: [&str; 17] = [
    "language",
    "ml",
    "data",
    "analytics",
    "infrastructure",
    "cloud",
    "web",
    "mobile",
    "systems",
    "security",
    "practice",
    "product",
    "program",
    "leadership",
    "domain",
    "hardware",
    "spoken_language",
];

const PLACEHOLDERS: [&str; 7] =
    ["todo", "tbd", "lorem", "ipsum", "placeholder", "xxx", "fixme"];

struct Checker {
    file: String,
    diags: Vec<Diagnostic>,
}

impl Checker {
    fn err(&mut self, path: impl Into<String>, msg: impl Into<String>) {
        self.diags.push(Diagnostic::new(msg).at(path).in_file(self.file.clone()));
    }

    fn text(&mut self, path: impl Into<String>, s: &str) {
        let path = path.into();
        if s.trim().is_empty() {
            self.err(path, "expected non-empty text");
            return;
        }
        let lower = s.to_lowercase();
        for word in lower.split(|c: char| !c.is_alphanumeric()) {
            if PLACEHOLDERS.contains(&word) {
                self.err(path, format!("placeholder text {word:?} is not allowed"));
                return;
            }
        }
    }

    fn texts(&mut self, path: &str, items: &[String], min: usize) {
        self.min(path, items.len(), min);
        for (i, s) in items.iter().enumerate() {
            self.text(format!("{path}[{i}]"), s);
        }
    }

    fn min(&mut self, path: &str, have: usize, min: usize) {
        if have < min {
            self.err(path, format!("expected at least {min} entries, found {have}"));
        }
    }

    fn month(&mut self, path: String, s: &str) {
        let ok = s.len() == 7
            && s.as_bytes()[4] == b'-'
            && s[..4].bytes().all(|b| b.is_ascii_digit())
            && s[5..].parse::<u8>().is_ok_and(|m| (1..=12).contains(&m));
        if !ok {
            self.err(path, format!("expected a month as YYYY-MM, found {s:?}"));
        }
    }
}

/// Checks every pack; returns one diagnostic per problem (empty when clean).
pub fn check_packs(packs: &Packs, root: &str) -> Vec<Diagnostic> {
    let skills: BTreeSet<&str> =
        packs.taxonomy.concepts.iter().map(|s| s.id.as_str()).collect();
    let mut out = Vec::new();
    out.extend(check_taxonomy(packs, root));
    out.extend(check_shared(packs, root));
    if packs.roles.is_empty() {
        out.push(Diagnostic::new("no role packs").in_file(format!("{root}/roles")));
    }
    for (file_id, pack) in &packs.roles {
        out.extend(check_role(packs, pack, file_id, root, &skills));
    }
    for pack in packs.companies.values() {
        out.extend(check_company(packs, pack, root, &skills));
    }
    out.extend(crate::paydata::check(packs, root));
    out
}

/// Which roles each company covers and which it does not, for the pack
/// report: a company may cover only some roles (a render for another role
/// is refused with the list of roles it covers).
pub fn coverage(packs: &Packs) -> Vec<(String, Vec<String>, Vec<String>)> {
    packs
        .companies
        .values()
        .map(|c| {
            let (covered, missing): (Vec<String>, Vec<String>) =
                packs.roles.keys().cloned().partition(|r| c.roles.contains_key(r));
            (c.id.clone(), covered, missing)
        })
        .collect()
}

fn check_shared(packs: &Packs, root: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut c = Checker { file: format!("{root}/playbook.json"), diags: Vec::new() };
    c.text("version", &packs.playbook.version);
    let mut seen = BTreeSet::new();
    c.min("sections", packs.playbook.sections.len(), 1);
    check_sections(&mut c, "sections", &packs.playbook.sections, &mut seen);
    out.extend(c.diags);
    let mut c = Checker { file: format!("{root}/competencies.json"), diags: Vec::new() };
    c.min("behavioral", packs.vocabulary.behavioral.len(), 1);
    for (i, b) in packs.vocabulary.behavioral.iter().enumerate() {
        c.text(format!("behavioral[{i}].name"), &b.name);
        c.texts(&format!("behavioral[{i}].signals"), &b.signals, 3);
    }
    c.texts("result_verbs", &packs.vocabulary.result_verbs, 5);
    out.extend(c.diags);
    let mut c = Checker { file: format!("{root}/degrees.json"), diags: Vec::new() };
    c.min("levels", packs.degrees.levels.len(), 1);
    let mut ranks = BTreeSet::new();
    for (i, l) in packs.degrees.levels.iter().enumerate() {
        if !ranks.insert((l.rank, l.field.clone())) {
            c.err(format!("levels[{i}].rank"), format!("rank {} is used twice", l.rank));
        }
        if let Some(f) = &l.field
            && !packs.degrees.fields.iter().any(|x| &x.id == f)
        {
            c.err(format!("levels[{i}].field"), format!("unknown field {f:?}"));
        }
        c.texts(&format!("levels[{i}].alt"), &l.alt, 1);
    }
    let groups: BTreeSet<&str> =
        packs.degrees.groups.iter().map(|g| g.id.as_str()).collect();
    for (i, f) in packs.degrees.fields.iter().enumerate() {
        c.texts(&format!("fields[{i}].alt"), &f.alt, 1);
        for g in &f.groups {
            if !groups.contains(g.as_str()) {
                c.err(format!("fields[{i}].groups"), format!("unknown group {g:?}"));
            }
        }
    }
    out.extend(c.diags);
    let mut c = Checker { file: format!("{root}/phrases.json"), diags: Vec::new() };
    for id in PHRASES {
        match packs.phrases.phrases.get(*id) {
            Some(t) => c.text(format!("phrases.{id}"), t),
            None => {
                c.err("phrases", format!("missing phrase {id:?} (the engine uses it)"))
            }
        }
    }
    out.extend(c.diags);
    out
}

fn check_sections(
    c: &mut Checker,
    path: &str,
    sections: &[super::SectionSpec],
    seen: &mut BTreeSet<String>,
) {
    for (i, s) in sections.iter().enumerate() {
        if !seen.insert(s.id.clone()) {
            c.err(
                format!("{path}[{i}].id"),
                format!("section {:?} is listed twice", s.id),
            );
        }
        if s.id.is_empty() || !s.id.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            c.err(
                format!("{path}[{i}].id"),
                "expected a section id of lowercase letters and '_'",
            );
        }
        if let Some(k) = &s.leads_when_top_gap
            && k != "technical"
            && k != "behavioral"
        {
            c.err(
                format!("{path}[{i}].leads_when_top_gap"),
                format!("expected \"technical\" or \"behavioral\", found {k:?}"),
            );
        }
    }
}

/// The technical competencies a role pack defines: its competencies that
/// are not shared behavioural ones.
pub(crate) fn technical_competencies<'a>(
    packs: &Packs,
    role: &'a RolePack,
) -> Vec<&'a str> {
    role.competencies
        .iter()
        .map(|c| c.id.as_str())
        .filter(|id| !packs.is_behavioral(id))
        .collect()
}

fn known_competencies<'a>(packs: &'a Packs, role: &'a RolePack) -> BTreeSet<&'a str> {
    technical_competencies(packs, role)
        .into_iter()
        .chain(packs.vocabulary.behavioral.iter().map(|b| b.id.as_str()))
        .collect()
}

fn check_taxonomy(packs: &Packs, root: &str) -> Vec<Diagnostic> {
    let mut c = Checker { file: format!("{root}/taxonomy"), diags: Vec::new() };
    let concepts = &packs.taxonomy.concepts;
    if concepts.is_empty() {
        c.err("concepts", "the taxonomy has no concepts");
    }
    let ids: BTreeMap<&str, usize> =
        concepts.iter().enumerate().map(|(i, s)| (s.id.as_str(), i)).collect();
    let mut seen_ids = BTreeSet::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, s) in concepts.iter().enumerate() {
        let p = format!("concepts[{i}] ({})", s.id);
        if !seen_ids.insert(s.id.as_str()) {
            c.err(format!("{p}.id"), format!("duplicate concept id {:?}", s.id));
        }
        c.text(format!("{p}.pref"), &s.pref);
        if !CATEGORIES.contains(&s.category.as_str()) {
            c.err(
                format!("{p}.category"),
                format!(
                    "unknown category {:?} (known: {})",
                    s.category,
                    CATEGORIES.join(", ")
                ),
            );
        }
        for r in &s.roles {
            if !packs.roles.contains_key(r) {
                c.err(format!("{p}.roles"), format!("unknown role {r:?}"));
            }
        }
        c.text(format!("{p}.learn.fundamentals"), &s.learn.fundamentals);
        c.text(format!("{p}.learn.mini_project"), &s.learn.mini_project);
        c.text(format!("{p}.learn.talking_point"), &s.learn.talking_point);
        for (field, list) in [("broader", &s.broader), ("related", &s.related)] {
            for r in list {
                if !ids.contains_key(r.as_str()) {
                    c.err(format!("{p}.{field}"), format!("unknown concept id {r:?}"));
                } else if r == &s.id {
                    c.err(format!("{p}.{field}"), "a concept cannot name itself");
                }
            }
        }
        for term in std::iter::once(&s.pref).chain(&s.alt) {
            let key = crate::analysis::term_key(term);
            if let Some(other) = seen.get(&key)
                && other != &s.id
            {
                c.err(format!("{p}.alt"), format!("{term:?} also names {other:?}"));
            }
            seen.insert(key, s.id.clone());
        }
    }
    // `broader` must not loop: evidence would imply itself.
    let mut state = vec![0u8; concepts.len()];
    for i in 0..concepts.len() {
        if state[i] == 0 {
            visit(i, concepts, &ids, &mut state, &mut c);
        }
    }
    c.diags
}

fn visit(
    i: usize,
    concepts: &[super::Concept],
    ids: &BTreeMap<&str, usize>,
    state: &mut [u8],
    c: &mut Checker,
) {
    state[i] = 1;
    for b in &concepts[i].broader {
        let Some(&j) = ids.get(b.as_str()) else { continue };
        if state[j] == 1 {
            c.err(
                format!("concepts[{i}] ({}).broader", concepts[i].id),
                format!(
                    "{b:?} leads back to {:?}: broader concepts must not loop",
                    concepts[i].id
                ),
            );
        } else if state[j] == 0 {
            visit(j, concepts, ids, state, c);
        }
    }
    state[i] = 2;
}

fn check_role(
    packs: &Packs,
    pack: &RolePack,
    file_id: &str,
    root: &str,
    skills: &BTreeSet<&str>,
) -> Vec<Diagnostic> {
    let mut c =
        Checker { file: format!("{root}/roles/{file_id}.json"), diags: Vec::new() };
    if pack.id != file_id {
        c.err(
            "id",
            format!("expected {file_id:?}, the file's name, found {:?}", pack.id),
        );
    }
    let tech = technical_competencies(packs, pack);
    let known = known_competencies(packs, pack);
    c.min("competencies (technical)", tech.len(), 4);
    c.texts("titles", &pack.titles, 2);
    check_skill_ids(&mut c, "field", &pack.field, skills);
    for (r, w) in &pack.adjacent {
        if !packs.roles.contains_key(r) {
            c.err(format!("adjacent.{r}"), format!("unknown role {r:?}"));
        }
        if !(0.0..=1.0).contains(w) {
            c.err(
                format!("adjacent.{r}"),
                format!("expected a share between 0 and 1, found {w}"),
            );
        }
    }
    for (t, w) in &pack.related_titles {
        if !(0.0..=1.0).contains(w) {
            c.err(
                format!("related_titles.{t}"),
                format!("expected a share between 0 and 1, found {w}"),
            );
        }
    }
    if let Some(sections) = &pack.sections {
        let mut seen = BTreeSet::new();
        check_sections(&mut c, "sections", sections, &mut seen);
    }
    c.texts("summary", &pack.summary, 2);
    c.min("competencies", pack.competencies.len(), 6);
    for (i, comp) in pack.competencies.iter().enumerate() {
        let p = format!("competencies[{i}]");
        if !known.contains(comp.id.as_str()) {
            c.err(format!("{p}.id"), format!("unknown competency {:?}", comp.id));
        }
        c.text(format!("{p}.description"), &comp.description);
        c.texts(&format!("{p}.strong"), &comp.strong, 2);
        c.texts(&format!("{p}.weak"), &comp.weak, 2);
        c.texts(&format!("{p}.prepare"), &comp.prepare, 2);
        check_skill_ids(&mut c, &format!("{p}.skills"), &comp.skills, skills);
    }
    check_skill_ids(
        &mut c,
        "expectations.must_have",
        &pack.expectations.must_have,
        skills,
    );
    c.min("failure_modes", pack.failure_modes.len(), 8);
    for (i, f) in pack.failure_modes.iter().enumerate() {
        c.text(format!("failure_modes[{i}].description"), &f.description);
        c.text(format!("failure_modes[{i}].fix"), &f.fix);
    }
    c.min("faq", pack.faq.len(), 10);
    for (i, f) in pack.faq.iter().enumerate() {
        c.text(format!("faq[{i}].answer"), &f.answer);
    }
    c.min("technical_topics", pack.technical_topics.len(), 12);
    for (i, t) in pack.technical_topics.iter().enumerate() {
        let p = format!("technical_topics[{i}]");
        if !known.contains(t.competency.as_str()) {
            c.err(
                format!("{p}.competency"),
                format!("unknown competency {:?}", t.competency),
            );
        }
        c.text(format!("{p}.summary"), &t.summary);
        c.texts(&format!("{p}.key_points"), &t.key_points, 3);
        c.texts(&format!("{p}.practice"), &t.practice, 2);
        check_skill_ids(&mut c, &format!("{p}.skills"), &t.skills, skills);
    }
    c.min("frameworks", pack.frameworks.len(), 3);
    for (i, f) in pack.frameworks.iter().enumerate() {
        let p = format!("frameworks[{i}]");
        c.text(format!("{p}.summary"), &f.summary);
        c.min(&format!("{p}.steps"), f.steps.len(), 4);
        c.text(format!("{p}.worked_example.prompt"), &f.worked_example.prompt);
        c.min(
            &format!("{p}.worked_example.walkthrough"),
            f.worked_example.walkthrough.len(),
            6,
        );
        for (j, w) in f.worked_example.walkthrough.iter().enumerate() {
            c.text(format!("{p}.worked_example.walkthrough[{j}].detail"), &w.detail);
        }
    }
    c.texts("day_of", &pack.day_of, 12);
    c.min("glossary", pack.glossary.len(), 25);
    for (i, g) in pack.glossary.iter().enumerate() {
        c.text(format!("glossary[{i}].definition"), &g.definition);
    }
    c.diags
}

fn check_skill_ids(c: &mut Checker, path: &str, ids: &[String], skills: &BTreeSet<&str>) {
    for (i, id) in ids.iter().enumerate() {
        if !skills.contains(id.as_str()) {
            c.err(
                format!("{path}[{i}]"),
                format!("unknown concept id {id:?} (not in the taxonomy)"),
            );
        }
    }
}

fn check_company(
    packs: &Packs,
    pack: &CompanyPack,
    root: &str,
    skills: &BTreeSet<&str>,
) -> Vec<Diagnostic> {
    let mut c =
        Checker { file: format!("{root}/companies/{}.json", pack.id), diags: Vec::new() };
    c.texts("overview.summary", &pack.overview.summary, 2);
    c.texts("overview.unknowns", &pack.overview.unknowns, 3);
    c.min("overview.sources", pack.overview.sources.len(), 1);
    for (i, s) in pack.overview.sources.iter().enumerate() {
        c.month(format!("overview.sources[{i}].as_of"), &s.as_of);
    }
    c.min("values", pack.values.len(), 6);
    for (i, v) in pack.values.iter().enumerate() {
        c.text(format!("values[{i}].description"), &v.description);
        c.text(format!("values[{i}].how_assessed"), &v.how_assessed);
        c.texts(&format!("values[{i}].signals"), &v.signals, 2);
    }
    let n = &pack.negotiation;
    c.min("negotiation.levers", n.levers.len(), 4);
    c.texts("negotiation.notes", &n.notes, 3);
    c.text("negotiation.source", &n.source);
    c.month("negotiation.as_of".into(), &n.as_of);
    let mut questions: BTreeMap<String, String> = BTreeMap::new();
    if pack.roles.is_empty() {
        c.err("roles", "a company needs content for at least one role");
    }
    for (role_id, r) in &pack.roles {
        let p = format!("roles.{role_id}");
        let Some(role) = packs.roles.get(role_id) else {
            let known: Vec<&str> = packs.roles.keys().map(String::as_str).collect();
            c.err(
                p,
                format!("unknown role {role_id:?} (role packs: {})", known.join(", ")),
            );
            continue;
        };
        let tech = technical_competencies(packs, role);
        let known = known_competencies(packs, role);
        check_skill_ids(
            &mut c,
            &format!("{p}.expectations.must_have"),
            &r.expectations.must_have,
            skills,
        );
        check_skill_ids(
            &mut c,
            &format!("{p}.expectations.preferred"),
            &r.expectations.preferred,
            skills,
        );
        let sum: f64 = r.emphasis.values().sum();
        if (sum - 1.0).abs() > 0.011 {
            c.err(
                format!("{p}.emphasis"),
                format!("expected weights summing to 1, found {sum:.3}"),
            );
        }
        for k in r.emphasis.keys() {
            if !known.contains(k.as_str()) {
                c.err(format!("{p}.emphasis.{k}"), format!("unknown competency {k:?}"));
            }
        }
        c.text(format!("{p}.process.summary"), &r.process.summary);
        c.min(&format!("{p}.process.rounds"), r.process.rounds.len(), 4);
        for (i, rd) in r.process.rounds.iter().enumerate() {
            let q = format!("{p}.process.rounds[{i}]");
            c.text(format!("{q}.what_it_tests"), &rd.what_it_tests);
            c.text(format!("{q}.what_strong_looks_like"), &rd.what_strong_looks_like);
            for comp in &rd.competencies {
                if !known.contains(comp.as_str()) {
                    c.err(
                        format!("{q}.competencies"),
                        format!("unknown competency {comp:?}"),
                    );
                }
            }
        }
        c.min(&format!("{p}.levels"), r.levels.len(), 3);
        let mut last = 0;
        for (i, l) in r.levels.iter().enumerate() {
            let q = format!("{p}.levels[{i}]");
            match SENIORITIES.iter().position(|s| *s == l.seniority) {
                None => c.err(
                    format!("{q}.seniority"),
                    format!(
                        "expected one of {}, found {:?}",
                        SENIORITIES.join(", "),
                        l.seniority
                    ),
                ),
                Some(s) if s < last => c.err(
                    format!("{q}.seniority"),
                    "levels must be listed from the lowest seniority up",
                ),
                Some(s) => last = s,
            }
            if l.years.max.is_some_and(|m| m < l.years.min) || l.years.min < 0.0 {
                c.err(format!("{q}.years"), "expected 0 <= min <= max");
            }
            let q = format!("{p}.levels[{i}].compensation");
            let comp = &l.compensation;
            c.text(format!("{q}.source"), &comp.source);
            c.month(format!("{q}.as_of"), &comp.as_of);
            for (name, range) in [
                ("base", comp.base),
                ("equity_per_year", comp.equity_per_year),
                ("total", comp.total),
            ] {
                if range.low > range.high || range.high <= 0 && name != "equity_per_year"
                {
                    c.err(format!("{q}.{name}"), "expected a range with 0 < low <= high");
                }
            }
        }
        c.min(&format!("{p}.questions"), r.questions.len(), 40);
        let mut cover: BTreeMap<&str, usize> = BTreeMap::new();
        let mut behavioral = 0;
        for (i, q) in r.questions.iter().enumerate() {
            let qp = format!("{p}.questions[{i}]");
            c.text(format!("{qp}.question"), &q.question);
            let key = q.question.trim().to_lowercase();
            if let Some(first) = questions.get(&key) {
                c.err(format!("{qp}.question"), format!("duplicate of {first}"));
            } else {
                questions.insert(key, qp.clone());
            }
            if !["behavioral", "coding", "design", "technical", "case"]
                .contains(&q.kind.as_str())
            {
                c.err(format!("{qp}.type"), format!("unknown type {:?} (expected behavioral, coding, design, technical or case)", q.kind));
            }
            behavioral += usize::from(q.kind == "behavioral");
            if !["easy", "medium", "hard"].contains(&q.difficulty.as_str()) {
                c.err(
                    format!("{qp}.difficulty"),
                    format!("expected easy, medium or hard, found {:?}", q.difficulty),
                );
            }
            if q.competencies.is_empty() {
                c.err(
                    format!("{qp}.competencies"),
                    "every question needs at least one competency",
                );
            }
            for comp in &q.competencies {
                if known.contains(comp.as_str()) {
                    *cover.entry(comp.as_str()).or_default() += 1;
                } else {
                    c.err(
                        format!("{qp}.competencies"),
                        format!("unknown competency {comp:?}"),
                    );
                }
            }
            c.texts(&format!("{qp}.answer_outline"), &q.answer_outline, 3);
        }
        if behavioral < 8 {
            c.err(
                format!("{p}.questions"),
                format!("expected at least 8 behavioral questions, found {behavioral}"),
            );
        }
        for t in &tech {
            let n = cover.get(t).copied().unwrap_or(0);
            if n < 4 {
                c.err(format!("{p}.questions"), format!("competency {t:?} is covered by {n} questions; expected at least 4"));
            }
        }
        c.min(&format!("{p}.common_mistakes"), r.common_mistakes.len(), 8);
        c.texts(&format!("{p}.tips"), &r.tips, 8);
        c.min(&format!("{p}.questions_to_ask"), r.questions_to_ask.len(), 10);
    }
    c.diags
}
