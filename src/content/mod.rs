//! Content: minijinja templates turn the analysis and the packs into typst
//! source. Responsible for wording and for what appears in which order;
//! not for layout (the typst library `lib.typ` in the templates) and not
//! for judgement (analysis). Every value a template prints is escaped into
//! a typst string literal (the private `escape` module), so data can
//! never become code.

pub(crate) mod escape;
mod trace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::analysis::Analysis;
use crate::error::{Diagnostic, Error, ErrorKind, Result, Stage};
use crate::model::Order;
use crate::packs::{CompanyPack, CompanyRole, Packs, RolePack};
use crate::paydata::PayView;

/// The entry template; it includes the section templates.
pub const MAIN_TEMPLATE: &str = "playbook.typ.j2";
/// The typst layout library the generated source imports.
pub const LIB_FILE: &str = "lib.typ";

/// Loaded templates with a ready minijinja environment, shared by every
/// render (cheap to clone).
#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
    /// The same templates with line markers, built on first need (a failed
    /// layout): see the `trace` module.
    traced: Arc<OnceLock<Option<Environment<'static>>>>,
    /// Template sources by name, in name order (the index is the template
    /// number in markers).
    files: Arc<Vec<(String, String)>>,
    /// How diagnostics name each template file.
    shown: Arc<BTreeMap<String, String>>,
    lib: Arc<str>,
    digest: String,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Templates").field("digest", &self.digest).finish_non_exhaustive()
    }
}

impl Templates {
    /// The templates shipped in the binary.
    pub fn embedded() -> Result<Self> {
        let files = crate::assets::TEMPLATES
            .iter()
            .filter(|(n, _)| !n.starts_with("packs/"))
            .map(|(n, b)| (n.to_string(), String::from_utf8_lossy(b).into_owned()))
            .collect();
        Self::from_files(files, &BTreeMap::new())
    }

    /// Templates from a directory (`--templates DIR`), so that content
    /// authors can edit without recompiling. Files missing there fall back
    /// to the embedded ones.
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let mut files: BTreeMap<String, String> = crate::assets::TEMPLATES
            .iter()
            .filter(|(n, _)| !n.starts_with("packs/"))
            .map(|(n, b)| (n.to_string(), String::from_utf8_lossy(b).into_owned()))
            .collect();
        if !dir.is_dir() {
            return Err(Error::invalid(
                Stage::Content,
                "invalid templates directory",
                vec![
                    Diagnostic::new("expected a directory")
                        .in_file(dir.display().to_string()),
                ],
            ));
        }
        let mut from_dir = BTreeMap::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            let entries =
                std::fs::read_dir(&d).map_err(|e| Error::io(Stage::Content, &d, e))?;
            for e in entries.flatten() {
                let p = e.path();
                let rel = p
                    .strip_prefix(dir)
                    .unwrap_or(&p)
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel.starts_with("packs") {
                    continue;
                }
                if p.is_dir() {
                    stack.push(p);
                } else if rel.ends_with(".j2") || rel.ends_with(".typ") {
                    let text = std::fs::read_to_string(&p)
                        .map_err(|e| Error::io(Stage::Content, &p, e))?;
                    files.insert(rel.clone(), text);
                    from_dir.insert(rel, p);
                }
            }
        }
        Self::from_files(files, &from_dir)
    }

    /// Loads `files` (name → source); names in `from_dir` came from that
    /// file on disk, the others are the embedded ones.
    fn from_files(
        files: BTreeMap<String, String>,
        from_dir: &BTreeMap<String, PathBuf>,
    ) -> Result<Self> {
        let shown: BTreeMap<String, String> = files
            .keys()
            .map(|n| {
                let path = from_dir.get(n).map_or_else(
                    || format!("report_templates/{n}"),
                    |p| p.display().to_string(),
                );
                (n.clone(), path)
            })
            .collect();
        let mut hasher = blake3::Hasher::new();
        let mut env = environment();
        let mut lib = None;
        let mut sources = Vec::new();
        for (name, text) in files {
            hasher.update(name.as_bytes());
            hasher.update(text.as_bytes());
            if name == LIB_FILE {
                lib = Some(text);
            } else if name.ends_with(".j2") {
                env.add_template_owned(name.clone(), text.clone()).map_err(|e| {
                    template_error(&e, &shown, &[(name.clone(), text.clone())])
                })?;
                sources.push((name, text));
            }
        }
        let lib = lib.ok_or_else(|| {
            Error::new(
                ErrorKind::Render,
                Stage::Content,
                format!("templates lack {LIB_FILE}"),
            )
        })?;
        let templates = Self {
            env: Arc::new(env),
            traced: Arc::new(OnceLock::new()),
            files: Arc::new(sources),
            shown: Arc::new(shown),
            lib: lib.into(),
            digest: hasher.finalize().to_hex().to_string(),
        };
        templates.env.get_template(MAIN_TEMPLATE).map_err(|e| templates.error(&e))?;
        Ok(templates)
    }

    /// The typst layout library source.
    pub fn lib(&self) -> &str {
        &self.lib
    }

    /// A hash of every template file, for up-to-date checks.
    pub fn digest(&self) -> &str {
        &self.digest
    }

    /// A template error as a located diagnostic.
    fn error(&self, e: &minijinja::Error) -> Error {
        template_error(e, &self.shown, &self.files)
    }

    /// The environment whose templates carry line markers, or `None` when
    /// a marked template does not load (then there is no trace).
    fn traced_env(&self) -> Option<&Environment<'static>> {
        self.traced
            .get_or_init(|| {
                let mut env = environment();
                for (i, (name, text)) in self.files.iter().enumerate() {
                    env.add_template_owned(name.clone(), trace::mark(text, i)?).ok()?;
                }
                Some(env)
            })
            .as_ref()
    }
}

/// A minijinja environment with prepbook's escaping formatter and filters
/// and no templates.
fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
    env.set_formatter(|out, state, value| {
        if value.is_safe() {
            return out.write_str(value.as_str().unwrap_or_default()).map_err(Into::into);
        }
        let mut s = String::new();
        match value.kind() {
            minijinja::value::ValueKind::Undefined
            | minijinja::value::ValueKind::None => {}
            minijinja::value::ValueKind::Number | minijinja::value::ValueKind::Bool => {
                escape::markup(&value.to_string(), &mut s)
            }
            minijinja::value::ValueKind::String => {
                escape::markup(value.as_str().unwrap_or_default(), &mut s)
            }
            _ => {
                return Err(minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!(
                        "cannot print a {} in {}; use the tv filter to pass it to typst",
                        value.kind(),
                        state.name()
                    ),
                ));
            }
        }
        out.write_str(&s).map_err(Into::into)
    });
    env.add_filter("tv", |v: Value| {
        let mut s = String::new();
        escape::value_literal(&v, &mut s);
        Value::from_safe_string(s)
    });
    env.add_filter("lit", |v: Value| {
        let mut s = String::new();
        escape::string_literal(v.as_str().unwrap_or(&v.to_string()), &mut s);
        Value::from_safe_string(s)
    });
    env.add_filter("money", |v: f64| {
        if v >= 1_000_000.0 {
            format!("${:.2}M", v / 1_000_000.0)
        } else if v >= 1000.0 {
            format!("${:.0}k", v / 1000.0)
        } else {
            format!("${v:.0}")
        }
    });
    // Integers in label position (`<story-{{ n|id }}>`): digits only,
    // so they can be printed raw.
    env.add_filter("id", |v: i64| Value::from_safe_string(v.to_string()));
    env.add_filter("pct", |v: f64| format!("{:.0}%", v * 100.0));
    env.add_filter("fixed", |v: f64, digits: Option<usize>| {
        format!("{:.*}", digits.unwrap_or(1), v)
    });
    env.add_filter("humanize", |v: String| crate::analysis::humanize(&v));
    env
}

/// A minijinja error as a located diagnostic: the template file as the
/// author knows it, line, column and what went wrong.
fn template_error(
    e: &minijinja::Error,
    shown: &BTreeMap<String, String>,
    files: &[(String, String)],
) -> Error {
    // An error inside an included template comes wrapped in "could not
    // render include"; the innermost one is where the author looks.
    let mut e = e;
    while let Some(inner) =
        std::error::Error::source(e).and_then(|s| s.downcast_ref::<minijinja::Error>())
    {
        e = inner;
    }
    let mut d = Diagnostic::new(match e.detail() {
        Some(detail) => format!("{} ({detail})", e.kind()),
        None => e.kind().to_string(),
    });
    if let Some(name) = e.name() {
        d.file = Some(
            shown
                .get(name)
                .cloned()
                .unwrap_or_else(|| format!("report_templates/{name}")),
        );
        let source = files.iter().find(|(n, _)| n == name).map(|(_, t)| t.as_str());
        if let (Some(range), Some(text)) = (e.range(), source) {
            let (line, column) = crate::model::json::position(text, range.start);
            d.line = Some(line);
            d.column = Some(column);
        }
    }
    if d.line.is_none() {
        d.line = e.line();
    }
    // The summary does not repeat the diagnostic: the CLI prints both.
    Error::new(ErrorKind::Render, Stage::Content, "template error")
        .with_diagnostics(vec![d])
}

/// The inputs a template sees, beyond the analysis.
#[derive(Serialize)]
struct Context<'a> {
    order: OrderCtx<'a>,
    a: &'a Analysis,
    company: &'a CompanyPack,
    cr: &'a CompanyRole,
    role: &'a RolePack,
    sections: Vec<String>,
    /// Technical preparation comes before the stories (the top gap is
    /// technical).
    technical_first: bool,
    meta: Meta,
    pay: PayView,
}

#[derive(Serialize)]
struct OrderCtx<'a> {
    id: &'a str,
    today: String,
    interview: String,
    days: i64,
    hours_per_week: u32,
    resume_json: String,
    job_title: Option<String>,
}

#[derive(Serialize)]
struct Meta {
    title: String,
    subject: String,
    keywords: Vec<String>,
    year: i32,
    month: u8,
    day: u8,
}

/// Section ids in reading order, from the packs: sections that name a gap
/// kind form a block in which the one matching the candidate's top gap
/// comes first, so that the most useful pages come first.
fn section_order(packs: &Packs, role: &RolePack, a: &Analysis) -> Vec<String> {
    let top =
        a.gaps.first().map(|g| if g.technical { "technical" } else { "behavioral" });
    let specs = packs.sections(role);
    let mut out: Vec<String> = Vec::new();
    let mut block: Vec<&crate::packs::SectionSpec> = Vec::new();
    let flush = |block: &mut Vec<&crate::packs::SectionSpec>, out: &mut Vec<String>| {
        let (lead, rest): (Vec<_>, Vec<_>) =
            block.drain(..).partition(|s| s.leads_when_top_gap.as_deref() == top);
        out.extend(lead.into_iter().chain(rest).map(|s| s.id.clone()));
    };
    for s in specs {
        if s.leads_when_top_gap.is_some() {
            block.push(s);
        } else {
            flush(&mut block, &mut out);
            out.push(s.id.clone());
        }
    }
    flush(&mut block, &mut out);
    out
}

/// How the source is written.
#[derive(Debug, Clone, Default)]
pub struct ContentOptions {
    /// Also record which template line wrote each line of the source
    /// ([`Generated::trace`]). The templates are rendered a second time,
    /// so this is for explaining a failed layout, not for every render
    /// (default off).
    pub trace: bool,
}

/// The generated typst source of one playbook.
#[derive(Debug, Clone)]
pub struct Generated {
    /// The source (`main.typ`).
    pub text: String,
    /// Where its lines came from, when [`ContentOptions::trace`] asked for
    /// it and the trace is exact (see [`SourceMap`]).
    pub trace: Option<SourceMap>,
}

/// Generates the typst source of the playbook: the order's company and
/// role content from the packs, the analysis and the order through the
/// templates.
///
/// ```
/// # let engine = prepbook::Engine::embedded()?;
/// # let order = prepbook::model::read_json(r#"{"resume": {"basics": {"name": "Ada"}}, "target": {"company": "google", "role": "swe", "today": "2026-11-27"}}"#, None, &Default::default())?;
/// let analysis = prepbook::analyze(&order, &engine.packs)?;
/// let source = prepbook::content::generate(
///     &engine.templates, &order, &analysis, &engine.packs, &Default::default())?;
/// assert!(source.text.contains("#import"));
/// # Ok::<(), prepbook::Error>(())
/// ```
pub fn generate(
    templates: &Templates,
    order: &Order,
    analysis: &Analysis,
    packs: &Packs,
    opts: &ContentOptions,
) -> Result<Generated> {
    let company = packs.company(&order.target.company)?;
    let (role, cr) = packs.role(company, &order.target.role)?;
    let ctx = Value::from(minijinja::value::Serde(context(
        order, analysis, packs, company, role, cr,
    )));
    let render = |env: &Environment<'static>| {
        env.get_template(MAIN_TEMPLATE).and_then(|t| t.render(&ctx))
    };
    let text = render(&templates.env).map_err(|e| templates.error(&e))?;
    let trace = opts
        .trace
        .then(|| templates.traced_env())
        .flatten()
        .and_then(|env| render(env).ok())
        .map(|marked| trace::Traced::strip(&marked))
        // Exact or nothing: the trace must describe this very source.
        .filter(|traced| traced.text == text)
        .map(|traced| SourceMap::new(traced, templates, packs, company, role));
    Ok(Generated { text, trace })
}

/// Which template line wrote each line of a generated source, and which
/// pack values it printed, so that a typst error can point at the line an
/// author fixes. Built by [`generate`] with [`ContentOptions::trace`].
#[derive(Debug, Clone)]
pub struct SourceMap {
    traced: trace::Traced,
    /// Template file names as diagnostics show them, by template number.
    templates: Vec<String>,
    /// Every string of the order's company and role packs, as printed
    /// (sanitised): (file, JSON path, text).
    pack_strings: Vec<(String, String, String)>,
}

impl SourceMap {
    fn new(
        traced: trace::Traced,
        templates: &Templates,
        packs: &Packs,
        company: &CompanyPack,
        role: &RolePack,
    ) -> Self {
        let mut pack_strings = Vec::new();
        for (kind, id, value) in [
            ("companies", &company.id, serde_json::to_value(company)),
            ("roles", &role.id, serde_json::to_value(role)),
        ] {
            let file = packs.file(kind, id);
            for (path, text) in trace::strings(&value.unwrap_or_default()) {
                pack_strings.push((file.clone(), path, escape::sanitize(&text)));
            }
        }
        Self {
            traced,
            templates: templates
                .files
                .iter()
                .map(|(n, _)| templates.shown[n].clone())
                .collect(),
            pack_strings,
        }
    }

    /// The template file and line that wrote 1-based `line` and `column`
    /// of the generated source.
    pub fn template_line(&self, line: usize, column: usize) -> Option<(&str, usize)> {
        let o = self.traced.origin(line, column)?;
        Some((self.templates.get(o.template)?.as_str(), o.line))
    }

    /// The pack value printed at 1-based `line` and `column` of the
    /// generated source, as (file, JSON path): a string literal there that
    /// equals a string of the company or role pack, preferring the literal
    /// the column falls in.
    pub fn pack_value(&self, line: usize, column: usize) -> Option<(&str, &str)> {
        let text = self.traced.text.lines().nth(line.checked_sub(1)?)?;
        let mut found: Vec<(bool, &(String, String, String))> = trace::literals(text)
            .into_iter()
            .filter(|(_, _, s)| !s.trim().is_empty())
            .filter_map(|(from, to, s)| {
                let hit = self.pack_strings.iter().find(|(_, _, v)| *v == s)?;
                Some(((from..=to).contains(&column), hit))
            })
            .collect();
        found.sort_by_key(|(inside, _)| !inside);
        found.first().map(|(_, (file, path, _))| (file.as_str(), path.as_str()))
    }

    /// Rewrites the diagnostics of a failed layout that point into the
    /// generated source to the template file and line behind them, and
    /// adds the pack file and JSON path when the text there is a pack
    /// value. Other diagnostics stay as they are.
    pub fn locate(&self, err: Error) -> Error {
        let mut out = Vec::new();
        for d in err.diagnostics() {
            let (true, Some(line), Some(column)) =
                (d.file.as_deref() == Some(crate::layout::MAIN_FILE), d.line, d.column)
            else {
                out.push(d.clone());
                continue;
            };
            let Some((template, tline)) = self.template_line(line, column) else {
                out.push(d.clone());
                continue;
            };
            let mut at = Diagnostic::new(format!(
                "{} (generated main.typ:{line}:{column})",
                d.message
            ))
            .in_file(template);
            at.line = Some(tline);
            out.push(at);
            if let Some((file, path)) = self.pack_value(line, column) {
                out.push(
                    Diagnostic::new("the text there is this pack value")
                        .in_file(file)
                        .at(path),
                );
            }
        }
        err.with_diagnostics(out)
    }
}

/// The template context of one playbook.
fn context<'a>(
    order: &'a Order,
    analysis: &'a Analysis,
    packs: &'a Packs,
    company: &'a CompanyPack,
    role: &'a RolePack,
    cr: &'a CompanyRole,
) -> Context<'a> {
    let t = &order.target;
    let fmt = |d: time::Date| format!("{} {} {}", d.weekday(), d.day(), d.month());
    let sections = section_order(packs, role, analysis);
    let pay = packs.pay.view(order, analysis, company, cr);
    Context {
        order: OrderCtx {
            id: &order.order_id,
            today: fmt(t.today),
            interview: fmt(t.interview_date),
            days: (t.interview_date - t.today).whole_days(),
            hours_per_week: t.hours_per_week,
            resume_json: serde_json::to_string_pretty(&order.resume_raw)
                .unwrap_or_default(),
            job_title: match &order.job {
                Some(crate::model::Job::Doc(d)) => d.title.clone(),
                _ => None,
            },
        },
        a: analysis,
        company,
        cr,
        role,
        technical_first: {
            let at = |id: &str| sections.iter().position(|s| s == id);
            at("technical") < at("stories")
        },
        sections,
        meta: Meta {
            title: format!(
                "{} interview playbook: {} at {}",
                analysis.candidate.name, cr.title, company.name
            ),
            subject: format!(
                "Personalised preparation for the {} interview at {} on {}",
                cr.title, company.name, t.interview_date
            ),
            keywords: vec![
                company.name.clone(),
                cr.title.clone(),
                "interview preparation".into(),
                "playbook".into(),
                order.order_id.clone(),
            ],
            year: t.today.year(),
            month: t.today.month() as u8,
            day: t.today.day(),
        },
        pay,
    }
}
