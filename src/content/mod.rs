//! Content: minijinja templates turn the analysis and the packs into typst
//! source. Responsible for wording and for what appears in which order;
//! not for layout (the typst library `lib.typ` in the templates) and not
//! for judgement (analysis). Every value a template prints is escaped into
//! a typst string literal (the private `escape` module), so data can
//! never become code.

mod escape;

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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
        Self::from_files(files)
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
                    files.insert(rel, text);
                }
            }
        }
        Self::from_files(files)
    }

    fn from_files(files: BTreeMap<String, String>) -> Result<Self> {
        let mut hasher = blake3::Hasher::new();
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_auto_escape_callback(|_| AutoEscape::Custom("typst".into()));
        env.set_formatter(|out, state, value| {
            if value.is_safe() {
                return out.write_str(value.as_str().unwrap_or_default()).map_err(Into::into);
            }
            let mut s = String::new();
            match value.kind() {
                minijinja::value::ValueKind::Undefined | minijinja::value::ValueKind::None => {}
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
        let mut lib = None;
        for (name, text) in files {
            hasher.update(name.as_bytes());
            hasher.update(text.as_bytes());
            if name == LIB_FILE {
                lib = Some(text);
            } else if name.ends_with(".j2") {
                env.add_template_owned(name.clone(), text)
                    .map_err(|e| template_error(&e))?;
            }
        }
        let lib = lib.ok_or_else(|| {
            Error::new(
                ErrorKind::Render,
                Stage::Content,
                format!("templates lack {LIB_FILE}"),
            )
        })?;
        env.get_template(MAIN_TEMPLATE).map_err(|e| template_error(&e))?;
        Ok(Self {
            env: Arc::new(env),
            lib: lib.into(),
            digest: hasher.finalize().to_hex().to_string(),
        })
    }

    /// The typst layout library source.
    pub fn lib(&self) -> &str {
        &self.lib
    }

    /// A hash of every template file, for up-to-date checks.
    pub fn digest(&self) -> &str {
        &self.digest
    }
}

fn template_error(e: &minijinja::Error) -> Error {
    let mut d = Diagnostic::new(format!("{}", e.kind()));
    if let Some(detail) = e.detail() {
        d.message = format!("{} ({detail})", e.kind());
    }
    d.file = e.name().map(|n| format!("report_templates/{n}"));
    d.line = e.line();
    Error::new(ErrorKind::Render, Stage::Content, format!("template error: {d}"))
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
    pay: &'a PayView,
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

/// Generates the typst source of the playbook.
pub fn generate(
    templates: &Templates,
    packs: &Packs,
    order: &Order,
    analysis: &Analysis,
    pay: &PayView,
) -> Result<String> {
    let company = packs.company(&order.target.company)?;
    let (role, cr) = packs.role(company, &order.target.role)?;
    let t = &order.target;
    let fmt = |d: time::Date| format!("{} {} {}", d.weekday(), d.day(), d.month());
    let sections = section_order(packs, role, analysis);
    let ctx = Context {
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
    };
    let tmpl =
        templates.env.get_template(MAIN_TEMPLATE).map_err(|e| template_error(&e))?;
    tmpl.render(Value::from(minijinja::value::Serde(&ctx)))
        .map_err(|e| template_error(&e))
}
