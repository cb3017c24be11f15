//! Stage 1 of the pipeline as one function: an order draft (or an order
//! document) in, a checked [`Order`] out, with every problem located.

use std::path::{Path, PathBuf};

use time::Date;

use super::limits::Limits;
use super::order::{Order, OrderDraft, PathPolicy, Protection, Source};
use crate::error::{Diagnostic, Error, Result, Stage};

/// How orders are read.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// The day the plan starts for orders that give no `target.today`.
    /// `None` (the default) makes `target.today` required, so that a
    /// caller that forgot to choose a date gets an error, not the clock.
    pub today: Option<Date>,
    /// Where `{"path": …}` references in an order document may point.
    /// Default: [`PathPolicy::Refuse`], the safe choice for documents from
    /// the network.
    pub paths: PathPolicy,
    /// The role ids the packs define. When given, an unknown `target.role`
    /// is reported together with the order's other field errors, rather
    /// than alone once they are fixed (default: `None`, the packs check
    /// it later).
    pub roles: Option<Vec<String>>,
    /// Field, list and document limits, checked before any analysis
    /// (default: [`Limits::default`], documented in the README's "Limits
    /// and security").
    pub limits: Limits,
}

impl Default for ReadOptions {
    fn default() -> Self {
        Self {
            today: None,
            paths: PathPolicy::Refuse,
            roles: None,
            limits: Limits::default(),
        }
    }
}

/// Reads the sources a draft names and checks every field, collecting
/// all problems rather than stopping at the first
/// ([`OrderDraft::resolve`] with the options' date).
///
/// ```
/// let draft = prepbook::OrderDraft::from_json(
///     r#"{"resume": {"basics": {"name": "Ada"}}, "target": {"company": "google", "role": "swe", "today": "2026-11-27"}}"#,
///     None,
///     &prepbook::PathPolicy::Refuse,
/// )?;
/// let order = prepbook::model::read(draft, &Default::default())?;
/// assert_eq!(order.target.today.to_string(), "2026-11-27");
/// # Ok::<(), prepbook::Error>(())
/// ```
pub fn read(draft: OrderDraft, opts: &ReadOptions) -> Result<Order> {
    let today = match (opts.today, draft.today.as_deref().map(super::parse_ymd)) {
        // The order's own date wins over the default.
        (_, Some(Ok(given))) => given,
        // `resolve` reports the order's unreadable date with the rest.
        (Some(default), _) => default,
        // Every other date check is relative to this one, so without a
        // default they would only add noise.
        (None, Some(Err(m))) => return Err(today_error(m)),
        (None, None) => {
            return Err(today_error(
                "expected the day the plan starts (YYYY-MM-DD)".into(),
            ));
        }
    };
    let unknown_role = opts.roles.as_ref().and_then(|known| {
        let role = draft.role.as_deref()?.trim().to_ascii_lowercase();
        (!role.is_empty() && !known.contains(&role)).then(|| {
            Diagnostic::new(format!(
                "unknown role {role:?} (known roles: {})",
                known.join(", ")
            ))
            .at("target.role")
        })
    });
    match (draft.resolve_within(today, &opts.limits), unknown_role) {
        (read, None) => read,
        (Ok(_), Some(d)) => Err(Error::invalid(Stage::Input, "invalid order", vec![d])),
        (Err(e), Some(d)) => {
            let already = e.diagnostics().iter().any(|x| x.path == d.path);
            if e.kind() != crate::error::ErrorKind::InvalidInput || already {
                return Err(e);
            }
            let mut all = vec![d];
            all.extend(e.diagnostics().iter().cloned());
            Err(e.with_diagnostics(all))
        }
    }
}

fn today_error(message: String) -> Error {
    Error::invalid(
        Stage::Input,
        "invalid order",
        vec![Diagnostic::new(message).at("target.today")],
    )
}

/// Reads an order document (JSON text); `file` names it in diagnostics.
pub fn read_json(text: &str, file: Option<&str>, opts: &ReadOptions) -> Result<Order> {
    read(OrderDraft::from_json(text, file, &opts.paths)?, opts)
}

/// An order as command-line flags describe it: an optional order document
/// with the other flags laid over its fields. Every field is optional;
/// what is required is checked by [`read`].
#[derive(Debug, Clone, Default)]
pub struct OrderFlags {
    /// An order document (`--order`); its `{"path": …}` references are
    /// relative to it.
    pub order: Option<PathBuf>,
    /// The resume file (`--resume`).
    pub resume: Option<PathBuf>,
    /// The job file (`--job`): a JSON Resume job or description text.
    pub job: Option<PathBuf>,
    /// A company id, or a company pack file (see [`OrderFlags::company_file`]).
    pub company: Option<String>,
    /// The role id.
    pub role: Option<String>,
    /// The level as the company names it.
    pub level: Option<String>,
    /// The interview date (YYYY-MM-DD).
    pub interview_date: Option<String>,
    /// The day the plan starts (YYYY-MM-DD).
    pub today: Option<String>,
    /// Preparation hours per week.
    pub hours_per_week: Option<u32>,
    /// The order id.
    pub order_id: Option<String>,
    /// Directories besides the order file's own that its `{"path": …}`
    /// references may read.
    pub allow_paths: Vec<PathBuf>,
    /// A PDF standard (`a-2b`, `a-3b`, `ua-1`).
    pub pdf_standard: Option<String>,
    /// Encryption settings.
    pub protection: Option<Protection>,
}

impl OrderFlags {
    /// The company pack file `company` names, if it names a file rather
    /// than an id: it ends in `.json` or has a directory part.
    pub fn company_file(&self) -> Option<&Path> {
        let c = self.company.as_deref()?;
        let p = Path::new(c);
        (c.ends_with(".json") || p.components().count() > 1).then_some(p)
    }
}

impl OrderDraft {
    /// The draft the flags describe: the order document if one is named,
    /// with every flag that is set laid over it. A company pack file stays
    /// a path here; [`crate::Engine::read_order`] loads it.
    pub fn from_flags(flags: &OrderFlags) -> Result<Self> {
        let mut draft = match &flags.order {
            Some(path) => {
                let text = super::order::read_text(path).map_err(|d| {
                    Error::invalid(Stage::Input, "invalid order", vec![d])
                })?;
                let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
                OrderDraft::from_json(
                    &text,
                    Some(&path.display().to_string()),
                    &PathPolicy::Within { base, allow: flags.allow_paths.clone() },
                )?
            }
            None => OrderDraft::default(),
        };
        draft.overlay(OrderDraft {
            order_id: flags.order_id.clone(),
            resume: flags.resume.clone().map(Source::File),
            job: flags.job.clone().map(Source::File),
            company: flags.company.clone(),
            role: flags.role.clone(),
            level: flags.level.clone(),
            interview_date: flags.interview_date.clone(),
            hours_per_week: flags.hours_per_week,
            today: flags.today.clone(),
            delivery: super::order::Delivery {
                pdf_standard: flags.pdf_standard.clone(),
                protection: flags.protection.clone(),
            },
        });
        Ok(draft)
    }
}
