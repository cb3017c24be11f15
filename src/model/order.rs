//! The order: everything one playbook is made from. The CLI (`render
//! --order`), the batch manifest and the service all accept the same JSON
//! document, described in `schemas/order.schema.json` (generated from
//! `RawOrder`, the type that reads it).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use time::Date;

use super::date::{json_kind, parse_ymd};
use super::job::{Job, JobDoc};
use super::json::{self, MAX_INPUT_BYTES};
use super::limits::{Doc, Limits};
use super::resume::Resume;
use crate::error::{Diagnostic, Error, Result, Stage};
use crate::import::ImportLimits;

/// Who the playbook is for and when.
#[derive(Debug, Clone, Serialize)]
pub struct Target {
    /// Company pack id, e.g. `google`.
    pub company: String,
    /// Target role id (`mle`); the role packs define which exist.
    pub role: String,
    /// Level as the company names it, e.g. `L5`; `None` lets the engine pick
    /// from experience.
    pub level: Option<String>,
    /// The day of the (first) interview.
    pub interview_date: Date,
    /// Preparation time the candidate has each week.
    pub hours_per_week: u32,
    /// The day the plan starts. An input, never the wall clock, so the same
    /// order always produces the same bytes.
    pub today: Date,
}

/// Delivery options for the produced PDF.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// Encrypt with these passwords and permissions.
    pub protection: Option<Protection>,
    /// A PDF standard to conform to: `a-2b`, `a-3b` or `ua-1`.
    pub pdf_standard: Option<String>,
}

/// PDF protection settings: AES-256, printing allowed, copying and
/// editing restricted unless allowed. Not combinable with PDF/A.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Protection {
    /// Password that unlocks all permissions.
    #[schemars(length(min = 1))]
    pub owner_password: String,
    /// Password needed to open the file at all, if any.
    pub user_password: Option<String>,
    /// Allow printing (default true).
    #[schemars(default = "yes")]
    pub allow_print: Option<bool>,
    /// Allow copying text (default false).
    pub allow_copy: Option<bool>,
    /// Allow editing (default false).
    pub allow_edit: Option<bool>,
}

/// A complete, validated order.
#[derive(Debug, Clone, Serialize)]
pub struct Order {
    /// Stable id printed in the footer stamp and used for output names.
    pub order_id: String,
    /// The resume, typed.
    pub resume: Resume,
    /// The resume exactly as received, for the appendix and hashing; for
    /// an imported resume, the JSON Resume the import produced (without
    /// its report).
    pub resume_raw: serde_json::Value,
    /// The document an imported resume was read from; `None` for JSON
    /// Resume. Its hash covers the original bytes, so the derived order
    /// id and a batch's staleness check change when the document does.
    pub resume_document: Option<ResumeDocument>,
    /// The job, if one was given.
    pub job: Option<Job>,
    /// Company, role and dates.
    pub target: Target,
    /// How the PDF is delivered.
    pub delivery: Delivery,
}

/// The document a resume was imported from (PDF, DOCX, Markdown, text).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ResumeDocument {
    /// `pdf`, `docx`, `markdown` or `text`, from the content.
    pub kind: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// blake3 of its bytes, hex.
    pub blake3: String,
}

/// Where `{"path": ...}` references in an order may be resolved.
///
/// An order document names files, so whoever writes the document chooses
/// what the CLI reads: `{"path": "/etc/passwd"}` would print a system
/// file into a PDF. References therefore resolve inside the order's (or
/// manifest's) directory only, unless the operator allows more.
#[derive(Debug, Clone)]
pub enum PathPolicy {
    /// Resolve relative to `base`; after `..` and symlinks are resolved,
    /// the file must lie inside `base` or inside one of `allow`.
    Within {
        /// The order file's or manifest's directory.
        base: PathBuf,
        /// Further directories the operator allowed (`--allow-path`).
        allow: Vec<PathBuf>,
    },
    /// Refuse: the service never reads files a caller names.
    Refuse,
}

impl PathPolicy {
    /// Files inside `base` only.
    pub fn within(base: impl Into<PathBuf>) -> Self {
        Self::Within { base: base.into(), allow: Vec::new() }
    }

    /// Resolves a reference, or says why it is refused.
    fn resolve(&self, reference: &str) -> Result<PathBuf, String> {
        let (base, allow) = match self {
            Self::Refuse => {
                return Err(
                    "file references are not accepted here; send the document inline"
                        .into(),
                );
            }
            Self::Within { base, allow } => (base, allow),
        };
        let joined = base.join(reference);
        // A file that does not exist is reported when it is read, with
        // the reason; only an existing file has a real location to check.
        let Ok(real) = joined.canonicalize() else {
            return Ok(joined);
        };
        let inside = |dir: &PathBuf| {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            dir.canonicalize().is_ok_and(|d| real.starts_with(d))
        };
        if inside(base) || allow.iter().any(inside) {
            Ok(real)
        } else {
            let shown = if base.as_os_str().is_empty() {
                ".".to_string()
            } else {
                base.display().to_string()
            };
            Err(format!(
                "{reference:?} is outside the order's directory {shown}; move the file there or pass --allow-path with its directory"
            ))
        }
    }
}

/// The order document with optional fields, before resolution. The CLI
/// fills it from flags; `render --order` from a file, with flags on top.
#[derive(Debug, Clone, Default)]
pub struct OrderDraft {
    /// `order_id`.
    pub order_id: Option<String>,
    /// The resume source.
    pub resume: Option<Source>,
    /// The job source.
    pub job: Option<Source>,
    /// `target.company`.
    pub company: Option<String>,
    /// `target.role`.
    pub role: Option<String>,
    /// `target.level`.
    pub level: Option<String>,
    /// `target.interview_date` (YYYY-MM-DD).
    pub interview_date: Option<String>,
    /// `target.hours_per_week`.
    pub hours_per_week: Option<u32>,
    /// `target.today` (YYYY-MM-DD).
    pub today: Option<String>,
    /// `protection` and `pdf_standard`.
    pub delivery: Delivery,
}

/// Where a resume or job comes from.
#[derive(Debug, Clone)]
pub enum Source {
    /// A file on disk (CLI flags, `{"path": ...}`).
    File(PathBuf),
    /// Inline JSON text, with its file and position for diagnostics.
    Json {
        /// The JSON text.
        text: String,
        /// The file it came from, for diagnostics.
        file: Option<String>,
        /// Line and column where the text starts in that file.
        origin: (usize, usize),
    },
    /// Inline job-description text.
    Text(String),
    /// An inline document (`{"file": {"data": "<base64>"}}`), decoded.
    Document {
        /// The decoded bytes.
        bytes: Vec<u8>,
        /// The order file it came in, for diagnostics.
        file: Option<String>,
        /// The media type the sender gave: a hint only, the content
        /// decides what the document is.
        media_type: Option<String>,
    },
}

impl Source {
    /// The file and JSON path prefix that locate this source's values in
    /// diagnostics: a file of its own has paths from its root, inline
    /// documents have paths under `field` of the order.
    fn located<'a>(&self, field: &'a str) -> (Option<String>, &'a str) {
        match self {
            Source::File(p) => (Some(p.display().to_string()), ""),
            Source::Json { file, .. } => (file.clone(), field),
            Source::Text(_) => (None, field),
            Source::Document { file, .. } => (file.clone(), field),
        }
    }
}

/// One playbook to render. Accepted by `prepbook render --order`, each
/// line of a batch manifest, and `POST /v1/playbooks` (where `{"path": …}`
/// references are refused). This type is the order document's schema
/// (`schemas/order.schema.json` is generated from it).
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Order", title = "prepbook order")]
pub(crate) struct RawOrder<'a> {
    /// Printed in the footer stamp and used for output file names. Derived
    /// from the inputs when absent.
    #[serde(default)]
    #[schemars(regex(pattern = r"^[A-Za-z0-9_-][A-Za-z0-9._-]{0,63}$"))]
    order_id: Option<String>,
    /// A JSON Resume document, a reference to a file relative to the
    /// order file (JSON Resume, PDF, DOCX, Markdown or text), or an inline
    /// document as base64 (`{"file": {"media_type": …, "data": …}}`).
    #[serde(borrow, default)]
    #[schemars(schema_with = "resume_schema", required)]
    resume: Option<&'a RawValue>,
    /// Optional. A JSON Resume job document, job-description text, or a
    /// file reference (.json, .txt, .md).
    #[serde(borrow, default)]
    #[schemars(schema_with = "job_schema")]
    job: Option<&'a RawValue>,
    /// Who the playbook is for and when.
    #[serde(default)]
    #[schemars(required)]
    target: RawTarget,
    /// Encrypt the PDF.
    #[serde(default)]
    protection: Option<Protection>,
    /// A PDF standard to conform to.
    #[serde(default)]
    #[schemars(schema_with = "standard_schema")]
    pdf_standard: Option<String>,
    /// Accepted for documentation in manifests; ignored.
    #[serde(default, rename = "$comment")]
    _comment: Option<serde_json::Value>,
}

/// Company, role and dates.
#[derive(Deserialize, Default, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Target")]
struct RawTarget {
    /// Company pack id, e.g. `google`.
    #[schemars(required)]
    company: Option<String>,
    /// Role id, e.g. `mle`: one of the role packs.
    #[schemars(required)]
    role: Option<String>,
    /// Level as the company names it, e.g. `L5`.
    level: Option<String>,
    /// The day of the interview (YYYY-MM-DD). Default: four weeks after
    /// today.
    #[schemars(extend("format" = "date"))]
    interview_date: Option<String>,
    /// Preparation hours per week (default 8).
    #[schemars(range(min = 1, max = 80))]
    hours_per_week: Option<u32>,
    /// The day the plan starts (YYYY-MM-DD). Default: the current date
    /// (CLI), the submission date (service).
    #[schemars(extend("format" = "date"))]
    today: Option<String>,
}

fn yes() -> Option<bool> {
    Some(true)
}

/// `{"path": …}`: a file relative to the order file.
fn path_ref() -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": false,
        "required": ["path"],
        "properties": { "path": { "type": "string" } }
    })
}

/// `{"file": {"media_type": …, "data": …}}`: a resume document inline.
fn file_ref() -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "additionalProperties": false,
        "required": ["file"],
        "properties": { "file": {
            "type": "object",
            "additionalProperties": false,
            "required": ["data"],
            "description": "A resume document (PDF, DOCX, Markdown or plain text), imported into JSON Resume. The kind is recognised from the content; media_type is a hint only. At most 2 MiB of base64 (about 1.5 MiB of file) inline; larger files by path.",
            "properties": {
                "media_type": { "type": "string", "description": "e.g. application/pdf, application/vnd.openxmlformats-officedocument.wordprocessingml.document, text/markdown, text/plain" },
                "name": { "type": "string", "description": "The file's name, for messages." },
                "data": { "type": "string", "contentEncoding": "base64", "description": "The file's bytes, standard base64 (line breaks allowed)." }
            }
        }}
    })
}

fn resume_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            path_ref(),
            file_ref(),
            { "type": "object", "description": "JSON Resume (https://jsonresume.org/schema); unknown fields are ignored." }
        ]
    })
}

fn job_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "anyOf": [
            path_ref(),
            { "type": "object", "description": "A JSON Resume job document." },
            { "type": "string", "minLength": 1, "description": "Job-description text." },
            { "type": "null" }
        ]
    })
}

fn standard_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::json_schema!({
        "type": ["string", "null"],
        "enum": ["a-2b", "a-3b", "ua-1", null]
    })
}

impl OrderDraft {
    /// Reads an order document. `file` names it in diagnostics;
    /// `{"path": ...}` references are resolved by `policy`.
    pub fn from_json(
        text: &str,
        file: Option<&str>,
        policy: &PathPolicy,
    ) -> Result<Self> {
        let raw: RawOrder = json::parse_borrowed(text, file)
            .map_err(|d| Error::invalid(Stage::Input, "invalid order", vec![d]))?;
        let source = |raw: Option<&RawValue>, what: &str| -> Result<Option<Source>> {
            let Some(raw) = raw else { return Ok(None) };
            let offset = raw.get().as_ptr() as usize - text.as_ptr() as usize;
            // The order's own parse only skimmed this fragment: a lone
            // surrogate escape or nesting past serde_json's 128 levels is
            // found only now, and must be refused, never read as "absent".
            let value: serde_json::Value =
                json::parse_at(raw.get(), file, what, json::position(text, offset))
                    .map_err(|d| {
                        Error::invalid(Stage::Input, "invalid order", vec![d])
                    })?;
            match &value {
                serde_json::Value::Null => Ok(None),
                serde_json::Value::String(s) if what == "job" => {
                    Ok(Some(Source::Text(s.clone())))
                }
                serde_json::Value::Object(map)
                    if what == "resume" && map.len() == 1 && map.contains_key("file") =>
                {
                    inline_document(&map["file"], file).map(Some)
                }
                serde_json::Value::Object(map)
                    if map.len() == 1 && map.contains_key("path") =>
                {
                    let Some(p) = map["path"].as_str() else {
                        return Err(invalid(
                            Diagnostic::new("expected a file path string")
                                .at(format!("{what}.path")),
                            file,
                        ));
                    };
                    match policy.resolve(p) {
                        Ok(path) => Ok(Some(Source::File(path))),
                        Err(why) => Err(invalid(
                            Diagnostic::new(why).at(format!("{what}.path")),
                            file,
                        )),
                    }
                }
                serde_json::Value::Object(_) => Ok(Some(Source::Json {
                    text: raw.get().to_owned(),
                    file: file.map(Into::into),
                    origin: json::position(text, offset),
                })),
                other => {
                    let expected = if what == "job" {
                        "a JSON Resume job object, job-description text or {\"path\": ...}"
                    } else {
                        "a JSON Resume object, {\"path\": ...} or {\"file\": {\"data\": ...}}"
                    };
                    Err(invalid(
                        Diagnostic::new(format!(
                            "expected {expected}, found {}",
                            json_kind(other)
                        ))
                        .at(what),
                        file,
                    ))
                }
            }
        };
        Ok(Self {
            order_id: raw.order_id,
            resume: source(raw.resume, "resume")?,
            job: source(raw.job, "job")?,
            company: raw.target.company,
            role: raw.target.role,
            level: raw.target.level,
            interview_date: raw.target.interview_date,
            hours_per_week: raw.target.hours_per_week,
            today: raw.target.today,
            delivery: Delivery {
                protection: raw.protection,
                pdf_standard: raw.pdf_standard,
            },
        })
    }

    /// Lays `other`'s set fields over this draft (flags over a file).
    pub fn overlay(&mut self, other: OrderDraft) {
        macro_rules! take {
            ($($f:ident),*) => { $( if other.$f.is_some() { self.$f = other.$f; } )* };
        }
        take!(
            order_id,
            resume,
            job,
            company,
            role,
            level,
            interview_date,
            hours_per_week,
            today
        );
        if other.delivery.protection.is_some() {
            self.delivery.protection = other.delivery.protection;
        }
        if other.delivery.pdf_standard.is_some() {
            self.delivery.pdf_standard = other.delivery.pdf_standard;
        }
    }

    /// Reads the sources and checks every field, collecting all problems
    /// rather than stopping at the first. `today` is used when the draft
    /// gives none; the interview date defaults to four weeks after today.
    ///
    /// Fields, lists and documents over [`Limits::default`] are refused
    /// here, before any analysis; [`super::read`] takes other limits.
    pub fn resolve(self, today: Date) -> Result<Order> {
        self.resolve_within(today, &Limits::default())
    }

    /// [`OrderDraft::resolve`] with these limits.
    pub(crate) fn resolve_within(self, today: Date, limits: &Limits) -> Result<Order> {
        let mut diags = Vec::new();
        let mut resume_raw = serde_json::Value::Null;
        let mut resume_document = None;
        let resume = match &self.resume {
            None => {
                diags.push(Diagnostic::new("a resume is required").at("resume"));
                None
            }
            Some(src) => match read_resume(src) {
                Ok((r, raw, doc)) => {
                    resume_document = doc;
                    let (file, prefix) = src.located("resume");
                    let over =
                        limits.check_doc(Doc::Resume, &raw, file.as_deref(), prefix);
                    resume_raw = raw;
                    (over.is_empty()).then_some(r).or_else(|| {
                        diags.extend(over);
                        None
                    })
                }
                Err(d) => {
                    diags.push(d);
                    None
                }
            },
        };
        let job = match &self.job {
            None => None,
            Some(src) => match read_job(src) {
                Ok(j) => {
                    let (file, prefix) = src.located("job");
                    let over = match &j {
                        Job::Text(t) => limits
                            .check_job_text(t)
                            .map(|m| {
                                let d = Diagnostic::new(m);
                                match file {
                                    Some(f) if prefix.is_empty() => d.in_file(&f),
                                    _ => d.at("job"),
                                }
                            })
                            .into_iter()
                            .collect(),
                        Job::Doc(doc) => {
                            let value = serde_json::to_value(doc).unwrap_or_default();
                            limits.check_doc(Doc::Job, &value, file.as_deref(), prefix)
                        }
                    };
                    (over.is_empty()).then_some(j).or_else(|| {
                        diags.extend(over);
                        None
                    })
                }
                Err(d) => {
                    diags.push(d);
                    None
                }
            },
        };
        for (field, value) in [("company", &self.company), ("level", &self.level)] {
            if let Some(m) = value.as_deref().and_then(|v| limits.check_target(v)) {
                diags.push(Diagnostic::new(m).at(format!("target.{field}")));
            }
        }
        if let Some(p) = &self.delivery.protection {
            let long = |pw: &str| pw.len() > limits.password_bytes;
            for (field, pw) in [
                ("owner_password", Some(p.owner_password.as_str())),
                ("user_password", p.user_password.as_deref()),
            ] {
                if let Some(pw) = pw.filter(|pw| long(pw)) {
                    diags.push(
                        Diagnostic::new(format!(
                            "at most {} bytes, found {}",
                            limits.password_bytes,
                            pw.len()
                        ))
                        .at(format!("protection.{field}")),
                    );
                }
            }
        }
        let company = match self.company.as_deref().map(str::trim) {
            Some(c) if c.chars().count() > limits.target_chars => String::new(),
            Some(c) if !c.is_empty() => c.to_ascii_lowercase(),
            _ => {
                diags.push(
                    Diagnostic::new("a company id is required").at("target.company"),
                );
                String::new()
            }
        };
        let role = match self.role.as_deref().map(str::trim) {
            Some(r) if valid_role_id(r) => Some(r.to_ascii_lowercase()),
            Some(r) => {
                diags.push(
                    Diagnostic::new(format!(
                        "expected a role id of 1-32 letters, digits or '_', found {r:?}"
                    ))
                    .at("target.role"),
                );
                None
            }
            None => {
                diags.push(
                    Diagnostic::new(
                        "a role id is required (for example swe, pm, ds, de, mle or tpm)",
                    )
                    .at("target.role"),
                );
                None
            }
        };
        let mut date = |field: &str, value: &Option<String>| -> Option<Date> {
            value.as_deref().and_then(|s| {
                parse_ymd(s)
                    .map_err(|m| {
                        diags.push(Diagnostic::new(m).at(format!("target.{field}")))
                    })
                    .ok()
            })
        };
        let today = date("today", &self.today).unwrap_or(today);
        let interview_date = date("interview_date", &self.interview_date)
            .unwrap_or(today + time::Duration::days(28));
        if interview_date < today {
            diags.push(
                Diagnostic::new(format!(
                    "the interview date {interview_date} is before today ({today})"
                ))
                .at("target.interview_date"),
            );
        } else if (interview_date - today).whole_days() > 366 {
            diags.push(
                Diagnostic::new("expected an interview date within a year of today")
                    .at("target.interview_date"),
            );
        }
        let hours_per_week = self.hours_per_week.unwrap_or(8);
        if !(1..=80).contains(&hours_per_week) {
            diags.push(
                Diagnostic::new(format!(
                    "expected between 1 and 80 hours per week, found {hours_per_week}"
                ))
                .at("target.hours_per_week"),
            );
        }
        if let Some(std) = &self.delivery.pdf_standard
            && !["a-2b", "a-3b", "ua-1"].contains(&std.as_str())
        {
            diags.push(
                Diagnostic::new(format!(
                    "unknown PDF standard {std:?} (known: a-2b, a-3b, ua-1)"
                ))
                .at("pdf_standard"),
            );
        }
        if self.delivery.protection.is_some()
            && self.delivery.pdf_standard.as_deref().is_some_and(|s| s.starts_with("a-"))
        {
            diags.push(
                Diagnostic::new(
                    "protection cannot be combined with a PDF/A standard (PDF/A forbids encryption)",
                )
                .at("protection"),
            );
        }
        if let Some(p) = &self.delivery.protection
            && p.owner_password.is_empty()
        {
            diags.push(
                Diagnostic::new("expected a non-empty owner password")
                    .at("protection.owner_password"),
            );
        }
        if let Some(id) = &self.order_id
            && !valid_order_id(id)
        {
            diags.push(
                    Diagnostic::new(
                        "expected 1-64 characters of letters, digits, '-', '_' or '.', not starting with '.'",
                    )
                    .at("order_id"),
                );
        }
        let (Some(resume), Some(role), true) = (resume, role, diags.is_empty()) else {
            return Err(Error::invalid(Stage::Input, "invalid order", diags));
        };
        let target = Target {
            company,
            role,
            level: self.level,
            interview_date,
            hours_per_week,
            today,
        };
        let order_id = self.order_id.unwrap_or_else(|| {
            derived_id(&resume_raw, resume_document.as_ref(), &job, &target)
        });
        Ok(Order {
            order_id,
            resume,
            resume_raw,
            resume_document,
            job,
            target,
            delivery: self.delivery,
        })
    }
}

/// Role ids name pack files, so they are restricted to a safe alphabet;
/// whether the role exists is for the packs to say.
fn valid_role_id(id: &str) -> bool {
    (1..=32).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// Order ids name output files, so they are restricted to a safe alphabet.
pub fn valid_order_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && !id.starts_with('.')
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
}

/// A deterministic id for orders that come without one.
fn derived_id(
    resume: &serde_json::Value,
    document: Option<&ResumeDocument>,
    job: &Option<Job>,
    target: &Target,
) -> String {
    let mut h = blake3::Hasher::new();
    h.update(resume.to_string().as_bytes());
    // An imported resume is identified by its document's bytes too: a
    // change the import does not see (a font, a photo) is still a new
    // input.
    if let Some(d) = document {
        h.update(d.blake3.as_bytes());
    }
    h.update(serde_json::to_string(job).unwrap_or_default().as_bytes());
    h.update(serde_json::to_string(target).unwrap_or_default().as_bytes());
    format!("PB-{}", &h.finalize().to_hex()[..10].to_ascii_uppercase())
}

fn invalid(d: Diagnostic, file: Option<&str>) -> Error {
    let d = match file {
        Some(f) => d.in_file(f),
        None => d,
    };
    Error::invalid(Stage::Input, "invalid order", vec![d])
}

/// Reads a file as UTF-8 text, at most [`MAX_INPUT_BYTES`].
pub(crate) fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = read_bytes(path, MAX_INPUT_BYTES as u64)?;
    String::from_utf8(bytes).map_err(|_| {
        Diagnostic::new("expected UTF-8 text").in_file(path.display().to_string())
    })
}

/// Reads a regular file of at most `limit` bytes. The limit is enforced
/// while reading, not only from the size the file system reports: a
/// device (`/dev/zero` reports 0 bytes) or a file that grows would
/// otherwise be read until memory runs out. Devices, FIFOs and
/// directories are refused before any read.
pub(crate) fn read_bytes(path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    use std::io::Read;
    let shown = path.display().to_string();
    let fail = |e: std::io::Error| {
        Diagnostic::new(format!("cannot read file ({e})")).in_file(&shown)
    };
    let too_big = |n: u64| {
        Diagnostic::new(format!(
            "file is {n} bytes or more; at most {limit} bytes ({} MiB) are accepted",
            limit >> 20
        ))
        .in_file(&shown)
    };
    // The type is checked on the open file, so the file read is the file
    // checked even if the path is swapped in between.
    let file = std::fs::File::open(path).map_err(fail)?;
    let meta = file.metadata().map_err(fail)?;
    if !meta.is_file() {
        return Err(Diagnostic::new("not a regular file").in_file(&shown));
    }
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1).read_to_end(&mut bytes).map_err(fail)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

type ReadResume = (Resume, serde_json::Value, Option<ResumeDocument>);

fn read_resume(src: &Source) -> Result<ReadResume, Diagnostic> {
    let (text, file, origin, prefix) = match src {
        Source::File(p) => {
            let shown = p.display().to_string();
            let bytes = read_bytes(p, ImportLimits::default().max_bytes)?;
            if !crate::import::is_json(&bytes) {
                return import_resume(&bytes, Some(&shown), None);
            }
            if bytes.len() > MAX_INPUT_BYTES {
                return Err(Diagnostic::new(format!(
                    "file is {} bytes; at most {} bytes (2 MiB) of JSON are accepted",
                    bytes.len(),
                    MAX_INPUT_BYTES
                ))
                .in_file(&shown));
            }
            let text = String::from_utf8(bytes)
                .map_err(|_| Diagnostic::new("expected UTF-8 text").in_file(&shown))?;
            (text, Some(shown), (1, 1), "")
        }
        Source::Json { text, file, origin } => {
            (text.clone(), file.clone(), *origin, "resume")
        }
        Source::Document { bytes, file, .. } => {
            if crate::import::is_json(bytes) {
                return Err(located(
                    Diagnostic::new(
                        "the file is JSON; send a JSON Resume inline as the resume object itself",
                    )
                    .at("resume.file.data"),
                    file.as_deref(),
                ));
            }
            return import_resume(bytes, file.as_deref(), Some("resume.file.data"));
        }
        Source::Text(_) => {
            return Err(
                Diagnostic::new("expected a JSON Resume object, found text").at("resume")
            );
        }
    };
    let value: serde_json::Value =
        json::parse_at(&text, file.as_deref(), prefix, origin)?;
    if !value.is_object() {
        let mut d = Diagnostic::new(format!(
            "expected a JSON Resume object, found {}",
            json_kind(&value)
        ));
        d.file = file;
        if !prefix.is_empty() {
            d.path = Some(prefix.into());
        }
        return Err(d);
    }
    let resume = json::parse_at(&text, file.as_deref(), prefix, origin)?;
    Ok((resume, value, None))
}

fn located(d: Diagnostic, file: Option<&str>) -> Diagnostic {
    match file {
        Some(f) => d.in_file(f),
        None => d,
    }
}

/// Imports a resume document; the import's report is left out of the
/// order's resume (it is for `prepbook import`, not for the playbook).
fn import_resume(
    bytes: &[u8],
    file: Option<&str>,
    path: Option<&str>,
) -> Result<ReadResume, Diagnostic> {
    let fail = |m: String| {
        let d = Diagnostic::new(m);
        let d = match path {
            Some(p) => d.at(p),
            None => d,
        };
        located(d, file)
    };
    let imported = crate::import::import(bytes, &ImportLimits::default())
        .map_err(|e| fail(format!("cannot import the resume ({e})")))?;
    let mut value = imported.resume;
    if let Some(meta) = value.get_mut("meta").and_then(|m| m.as_object_mut()) {
        meta.remove("prepbook");
        if meta.is_empty()
            && let Some(o) = value.as_object_mut()
        {
            o.remove("meta");
        }
    }
    let resume: Resume = serde_json::from_value(value.clone()).map_err(|e| {
        fail(format!("the imported resume is not valid JSON Resume ({e})"))
    })?;
    let document = ResumeDocument {
        kind: imported.kind.name().to_string(),
        bytes: bytes.len() as u64,
        blake3: blake3::hash(bytes).to_hex().to_string(),
    };
    Ok((resume, value, Some(document)))
}

/// Decodes `{"file": {"data": …}}`, locating every problem under
/// `resume.file`.
fn inline_document(v: &serde_json::Value, file: Option<&str>) -> Result<Source> {
    let bad = |m: String, at: &str| invalid(Diagnostic::new(m).at(at), file);
    let Some(map) = v.as_object() else {
        return Err(bad(
            format!("expected {{\"data\": \"<base64>\"}}, found {}", json_kind(v)),
            "resume.file",
        ));
    };
    for key in map.keys() {
        if !["data", "media_type", "name"].contains(&key.as_str()) {
            return Err(bad(
                "unknown field (expected data, media_type or name)".into(),
                &format!("resume.file.{key}"),
            ));
        }
    }
    let media_type = match map.get("media_type") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(other) => {
            return Err(bad(
                format!("expected a media type string, found {}", json_kind(other)),
                "resume.file.media_type",
            ));
        }
    };
    let data = match map.get("data") {
        Some(serde_json::Value::String(s)) => s,
        None => {
            return Err(bad(
                "the file's base64 data is required".into(),
                "resume.file.data",
            ));
        }
        Some(other) => {
            return Err(bad(
                format!("expected a base64 string, found {}", json_kind(other)),
                "resume.file.data",
            ));
        }
    };
    let bytes = decode_base64(data).map_err(|m| bad(m, "resume.file.data"))?;
    if bytes.is_empty() {
        return Err(bad("the file is empty".into(), "resume.file.data"));
    }
    Ok(Source::Document { bytes, file: file.map(Into::into), media_type })
}

/// Standard base64 with line breaks allowed (what `base64` prints); an
/// error names the offending byte's offset in the string as given.
fn decode_base64(data: &str) -> std::result::Result<Vec<u8>, String> {
    use base64::Engine as _;
    let mut offsets = Vec::with_capacity(data.len());
    let mut compact = Vec::with_capacity(data.len());
    for (i, b) in data.bytes().enumerate() {
        if !b.is_ascii_whitespace() {
            offsets.push(i);
            compact.push(b);
        }
    }
    let at = |i: usize| offsets.get(i).copied().unwrap_or(data.len());
    base64::engine::general_purpose::STANDARD.decode(&compact).map_err(|e| match e {
        base64::DecodeError::InvalidByte(i, _) | base64::DecodeError::InvalidLastSymbol(i, _) => {
            format!("invalid base64 at byte {}", at(i))
        }
        base64::DecodeError::InvalidLength(n) => {
            format!("invalid base64 (truncated: {n} characters is not a whole number of 4-character groups)")
        }
        base64::DecodeError::InvalidPadding => "invalid base64 padding".to_string(),
    })
}

fn read_job(src: &Source) -> Result<Job, Diagnostic> {
    match src {
        Source::Text(t) => text_job(t.clone(), None),
        Source::Json { text, file, origin } => {
            json::parse_at::<JobDoc>(text, file.as_deref(), "job", *origin)
                .map(|d| Job::Doc(Box::new(d)))
        }
        Source::File(p) => {
            let text = read_text(p)?;
            let shown = p.display().to_string();
            let is_json = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
                || (p.extension().is_none() && text.trim_start().starts_with('{'));
            if is_json {
                json::parse::<JobDoc>(&text, Some(&shown), "")
                    .map(|d| Job::Doc(Box::new(d)))
            } else {
                text_job(text, Some(shown))
            }
        }
        // `{"file": …}` is read only for the resume.
        Source::Document { file, .. } => Err(located(
            Diagnostic::new("expected a job document or text, found a file").at("job"),
            file.as_deref(),
        )),
    }
}

fn text_job(text: String, file: Option<String>) -> Result<Job, Diagnostic> {
    if text.len() > MAX_INPUT_BYTES {
        let d = Diagnostic::new("job description is over 2 MiB").at("job");
        return Err(match file {
            Some(f) => d.in_file(f),
            None => d,
        });
    }
    if text.trim().is_empty() {
        let d = Diagnostic::new("expected job-description text, found an empty document");
        return Err(match file {
            Some(f) => d.in_file(f),
            None => d.at("job"),
        });
    }
    Ok(Job::Text(text))
}
