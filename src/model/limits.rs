//! Resource limits on what an order may hold: characters per field, items
//! per list, and characters and strings of a whole resume or job. Checked
//! when an order is read, before any analysis or rendering, because the
//! cost of a render grows with its text (a 100 KB name costs gigabytes of
//! layout memory: the name is set on every page).
//!
//! Responsible for the numbers and for naming each field over its limit
//! (`resume.basics.name: at most 300 characters, found 400000`); not for
//! the byte limits of whole documents, which are checked before parsing
//! ([`super::MAX_INPUT_BYTES`]).

use serde_json::Value;

use crate::error::Diagnostic;

/// The limits an order is checked against. The defaults are generous for
/// real resumes and postings (a 40-year career with every highlight, a
/// posting of ten pages) and keep a render within a few hundred MiB.
/// Characters are Unicode scalar values, so text with stacked combining
/// marks counts every mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Characters in `basics.name` (300). The name is set on every page.
    pub name_chars: usize,
    /// Characters in any other one string of a resume or job document,
    /// field names included (5,000).
    pub field_chars: usize,
    /// Characters of a job: description text, or a job document's
    /// `description` and all its strings together (60,000).
    pub job_chars: usize,
    /// Entries in `work` (60).
    pub work_entries: usize,
    /// Highlights per work, volunteer or project entry (40).
    pub highlights: usize,
    /// Skill groups in a resume's `skills`, a job's `skills` or `tools` (200).
    pub skills: usize,
    /// Keywords per skill group, project or interest (60).
    pub keywords: usize,
    /// Items in any other list: education, projects, profiles, courses,
    /// responsibilities, unknown fields' arrays… (100).
    pub list_items: usize,
    /// Strings in a whole resume, field names included (10,000).
    pub resume_strings: usize,
    /// Characters in all strings of a resume together (200,000).
    pub resume_chars: usize,
    /// Characters in `target.company` and `target.level` (64).
    pub target_chars: usize,
    /// Bytes of a protection password (127: PDF encryption uses no more).
    pub password_bytes: usize,
    /// Diagnostics reported for one document before the rest are
    /// summarised in one line (50).
    pub max_reported: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            name_chars: 300,
            field_chars: 5_000,
            job_chars: 60_000,
            work_entries: 60,
            highlights: 40,
            skills: 200,
            keywords: 60,
            list_items: 100,
            resume_strings: 10_000,
            resume_chars: 200_000,
            target_chars: 64,
            password_bytes: 127,
            max_reported: 50,
        }
    }
}

/// Which document a value belongs to: the rules for lists and strings
/// differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Doc {
    Resume,
    Job,
}

/// One step of a JSON path.
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// A walk over one document, collecting every violation.
struct Walk<'a> {
    limits: &'a Limits,
    doc: Doc,
    prefix: &'a str,
    file: Option<&'a str>,
    path: Vec<Seg<'a>>,
    strings: usize,
    chars: usize,
    diags: Vec<Diagnostic>,
    unreported: usize,
}

impl<'a> Walk<'a> {
    /// The JSON path as diagnostics print it: `resume.work[1].highlights`.
    fn shown(&self) -> Option<String> {
        let mut s = self.prefix.to_string();
        for seg in &self.path {
            match seg {
                Seg::Key(k) if s.is_empty() => s.push_str(k),
                Seg::Key(k) => {
                    s.push('.');
                    s.push_str(k);
                }
                Seg::Index(i) => s.push_str(&format!("[{i}]")),
            }
        }
        (!s.is_empty()).then_some(s)
    }

    /// The path with indices left out (`work[].highlights`), which is
    /// what the rules match on.
    fn pattern(&self) -> String {
        let mut s = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Seg::Index(_) => s.push_str("[]"),
            }
        }
        s
    }

    fn report(&mut self, message: String) {
        if self.diags.len() >= self.limits.max_reported {
            self.unreported += 1;
            return;
        }
        let mut d = Diagnostic::new(message);
        d.path = self.shown();
        d.file = self.file.map(Into::into);
        self.diags.push(d);
    }

    fn string(&mut self, s: &str, limit: usize) {
        let n = s.chars().count();
        self.strings += 1;
        self.chars += n;
        if n > limit {
            self.report(format!("at most {limit} characters, found {n}"));
        }
    }

    fn string_limit(&self) -> usize {
        match (self.doc, self.pattern().as_str()) {
            (Doc::Resume, "basics.name") => self.limits.name_chars,
            (Doc::Job, "description") => self.limits.job_chars,
            _ => self.limits.field_chars,
        }
    }

    fn list_limit(&self) -> (usize, &'static str) {
        let l = self.limits;
        let pattern = self.pattern();
        match (self.doc, pattern.as_str()) {
            (Doc::Resume, "work") => (l.work_entries, "entries"),
            (Doc::Resume, "skills") | (Doc::Job, "skills" | "tools") => {
                (l.skills, "skill groups")
            }
            (_, p) if p.ends_with("[].highlights") => (l.highlights, "highlights"),
            (_, p) if p.ends_with("[].keywords") => (l.keywords, "keywords"),
            _ => (l.list_items, "items"),
        }
    }

    fn value(&mut self, v: &'a Value) {
        match v {
            Value::String(s) => {
                let limit = self.string_limit();
                self.string(s, limit);
            }
            Value::Array(items) => {
                let (limit, what) = self.list_limit();
                if items.len() > limit {
                    self.report(format!("at most {limit} {what}, found {}", items.len()));
                }
                for (i, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(i));
                    self.value(item);
                    self.path.pop();
                }
            }
            Value::Object(map) => {
                for (k, item) in map {
                    self.path.push(Seg::Key(k));
                    self.string(k, self.limits.field_chars);
                    self.value(item);
                    self.path.pop();
                }
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }

    fn finish(mut self) -> Vec<Diagnostic> {
        self.path.clear();
        let l = self.limits;
        let (strings, chars) = (self.strings, self.chars);
        if self.unreported > 0 {
            let n = self.unreported;
            let mut d = Diagnostic::new(format!("and {n} more values over their limits"));
            d.path = self.shown();
            d.file = self.file.map(Into::into);
            self.diags.push(d);
        }
        match self.doc {
            Doc::Resume => {
                if strings > l.resume_strings {
                    self.total(format!(
                        "a resume holds at most {} strings, found {strings}",
                        l.resume_strings
                    ));
                }
                if chars > l.resume_chars {
                    self.total(format!(
                        "a resume holds at most {} characters in all, found {chars}",
                        l.resume_chars
                    ));
                }
            }
            Doc::Job if chars > l.job_chars => self.total(format!(
                "a job holds at most {} characters in all, found {chars}",
                l.job_chars
            )),
            Doc::Job => {}
        }
        self.diags
    }

    /// A whole-document violation: always reported.
    fn total(&mut self, message: String) {
        let mut d = Diagnostic::new(message);
        d.path = self.shown();
        d.file = self.file.map(Into::into);
        self.diags.push(d);
    }
}

impl Limits {
    /// Every violation in a resume or job document (`value` as received),
    /// located by `file` and by JSON paths under `prefix` (`resume`, `job`,
    /// or empty for a document of its own file).
    pub(crate) fn check_doc(
        &self,
        doc: Doc,
        value: &Value,
        file: Option<&str>,
        prefix: &str,
    ) -> Vec<Diagnostic> {
        let mut walk = Walk {
            limits: self,
            doc,
            prefix,
            file,
            path: Vec::new(),
            strings: 0,
            chars: 0,
            diags: Vec::new(),
            unreported: 0,
        };
        walk.value(value);
        walk.finish()
    }

    /// A violation of the job-description text limit, if any.
    pub(crate) fn check_job_text(&self, text: &str) -> Option<String> {
        let n = text.chars().count();
        (n > self.job_chars)
            .then(|| format!("at most {} characters, found {n}", self.job_chars))
    }

    /// A violation of a short target field's limit (`target.company`,
    /// `target.level`), if any.
    pub(crate) fn check_target(&self, text: &str) -> Option<String> {
        let n = text.chars().count();
        (n > self.target_chars)
            .then(|| format!("at most {} characters, found {n}", self.target_chars))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn paths(d: &[Diagnostic]) -> Vec<String> {
        d.iter()
            .map(|d| format!("{}: {}", d.path.as_deref().unwrap_or("-"), d.message))
            .collect()
    }

    #[test]
    fn every_field_over_its_limit_is_named() {
        let resume = json!({
            "basics": {"name": "n".repeat(301), "summary": "s".repeat(5_001)},
            "work": [{"highlights": vec!["h"; 41]}],
            "skills": [{"keywords": vec!["k"; 61]}],
        });
        let d = Limits::default().check_doc(Doc::Resume, &resume, None, "resume");
        assert_eq!(
            paths(&d),
            [
                "resume.basics.name: at most 300 characters, found 301",
                "resume.basics.summary: at most 5000 characters, found 5001",
                "resume.work[0].highlights: at most 40 highlights, found 41",
                "resume.skills[0].keywords: at most 60 keywords, found 61",
            ]
        );
    }

    #[test]
    fn whole_documents_are_bounded_and_reports_capped() {
        let many: Vec<String> = (0..120).map(|_| "x".repeat(5_001)).collect();
        let resume = json!({"interests": [{"name": "a", "keywords": many}]});
        let d = Limits { keywords: 1_000, ..Default::default() }.check_doc(
            Doc::Resume,
            &resume,
            Some("r.json"),
            "",
        );
        // 50 fields, the rest summarised, then the total.
        assert_eq!(d.len(), 52, "{:#?}", paths(&d));
        assert!(d[50].message.contains("70 more"), "{}", d[50].message);
        assert!(d[51].message.contains("at most 200000 characters in all"));
        assert_eq!(d[51].file.as_deref(), Some("r.json"));
    }

    #[test]
    fn job_documents_allow_a_long_description_only() {
        let job = json!({"description": "d".repeat(59_000), "title": "t".repeat(2_000)});
        let d = Limits::default().check_doc(Doc::Job, &job, None, "job");
        assert_eq!(
            paths(&d),
            ["job: a job holds at most 60000 characters in all, found 61016",],
            "{d:#?}"
        );
    }
}
