//! The pack check behind `prepbook validate --packs DIR`: everything a
//! content author can get wrong that the typed loader cannot see (required
//! sections per role, tags, duplicates, sources and dates on figures,
//! placeholder text), each problem named by file and JSON path.

use std::collections::{BTreeMap, BTreeSet};

use super::{CompanyPack, Packs, RolePack};
use crate::error::Diagnostic;
use crate::model::Role;

/// Technical competency ids per role; the behavioural ones are shared.
pub(crate) fn technical_competencies(role: &str) -> &'static [&'static str] {
    match role {
        "swe" => &["coding", "algorithms", "system_design", "code_quality"],
        "mle" => &[
            "coding",
            "ml_fundamentals",
            "ml_system_design",
            "production_ml",
            "data_engineering",
        ],
        "ds" => &[
            "statistics",
            "experimentation",
            "sql_analytics",
            "product_sense",
            "ml_modeling",
        ],
        "de" => &[
            "coding",
            "sql_analytics",
            "data_modeling",
            "pipeline_design",
            "distributed_systems",
        ],
        "pm" => &[
            "product_sense",
            "execution",
            "analytics_metrics",
            "strategy",
            "technical_fluency",
        ],
        "tpm" => &[
            "program_execution",
            "technical_depth",
            "system_design",
            "stakeholder_management",
            "risk_management",
        ],
        _ => &[],
    }
}

/// Behavioural competency ids, shared by every role.
pub(crate) const BEHAVIORAL: [&str; 6] = [
    "collaboration",
    "ownership",
    "leadership",
    "communication",
    "ambiguity",
    "customer_focus",
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
        packs.taxonomy.skills.iter().map(|s| s.id.as_str()).collect();
    let mut out = Vec::new();
    out.extend(check_taxonomy(packs, root));
    for role in Role::ALL {
        match packs.roles.get(role.id()) {
            Some(pack) => out.extend(check_role(pack, root, &skills)),
            None => out.push(
                Diagnostic::new(format!("no role pack for {:?}", role.id()))
                    .in_file(format!("{root}/roles/{}.json", role.id())),
            ),
        }
    }
    for pack in packs.companies.values() {
        out.extend(check_company(pack, root, &skills));
    }
    out.extend(crate::paydata::check(packs, root));
    out
}

fn check_taxonomy(packs: &Packs, root: &str) -> Vec<Diagnostic> {
    let mut c = Checker { file: format!("{root}/taxonomy.json"), diags: Vec::new() };
    let ids: BTreeSet<&str> =
        packs.taxonomy.skills.iter().map(|s| s.id.as_str()).collect();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (i, s) in packs.taxonomy.skills.iter().enumerate() {
        let p = format!("skills[{i}]");
        c.text(format!("{p}.name"), &s.name);
        c.text(format!("{p}.learn.fundamentals"), &s.learn.fundamentals);
        c.text(format!("{p}.learn.mini_project"), &s.learn.mini_project);
        c.text(format!("{p}.learn.talking_point"), &s.learn.talking_point);
        for r in &s.related {
            if !ids.contains(r.as_str()) {
                c.err(format!("{p}.related"), format!("unknown skill id {r:?}"));
            }
        }
        for term in
            std::iter::once(&s.id).chain(std::iter::once(&s.name)).chain(&s.synonyms)
        {
            let key = term.to_lowercase().replace('_', " ");
            if let Some(other) = seen.get(&key)
                && other != &s.id
            {
                c.err(format!("{p}.synonyms"), format!("{term:?} also names {other:?}"));
            }
            seen.insert(key, s.id.clone());
        }
    }
    c.diags
}

fn check_role(pack: &RolePack, root: &str, skills: &BTreeSet<&str>) -> Vec<Diagnostic> {
    let mut c =
        Checker { file: format!("{root}/roles/{}.json", pack.id), diags: Vec::new() };
    let tech = technical_competencies(&pack.id);
    let known: BTreeSet<&str> = tech.iter().chain(BEHAVIORAL.iter()).copied().collect();
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
    for t in tech {
        if !pack.competencies.iter().any(|c| c.id == *t) {
            c.err("competencies", format!("missing technical competency {t:?}"));
        }
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
                format!("unknown skill id {id:?} (not in taxonomy.json)"),
            );
        }
    }
}

fn check_company(
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
    for role in Role::ALL {
        let Some(r) = pack.roles.get(role.id()) else {
            c.err(format!("roles.{}", role.id()), "missing role section");
            continue;
        };
        let p = format!("roles.{}", role.id());
        let tech = technical_competencies(role.id());
        let known: BTreeSet<&str> =
            tech.iter().chain(BEHAVIORAL.iter()).copied().collect();
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
        for (i, l) in r.levels.iter().enumerate() {
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
        for t in tech {
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
