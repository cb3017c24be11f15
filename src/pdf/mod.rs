//! PDF: typst-pdf writes the file from the laid-out pages with a fixed
//! identifier and timestamp (so the same order gives the same bytes); lopdf
//! reads it back to check it ([`preflight`]), to protect it ([`protect`])
//! and to describe any PDF ([`inspect`]). Responsible for the bytes; not
//! for layout.

mod inspect;
mod preflight;
mod protect;

pub use inspect::{Encryption, Inspection, Sizes, inspect};
pub use preflight::{Expected, FontInfo, OutlineEntry, preflight};
pub use protect::protect;

use typst::foundations::{Datetime, Smart};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

use crate::error::{Diagnostic, Error, ErrorKind, Result, Stage};

/// How the PDF is written.
#[derive(Debug, Clone)]
pub struct ExportOptions {
    /// Stable document identity (the order id): same id, same PDF `/ID`.
    /// Empty (the default) lets typst derive one from the title and author.
    pub ident: String,
    /// Creation date written to metadata; an input, never the clock.
    /// `None` (the default) writes no date.
    pub date: Option<time::Date>,
    /// `a-2b`, `a-3b` or `ua-1`; `None` (the default) for plain PDF.
    pub standard: Option<String>,
    /// Write a tagged (accessible) PDF. On by default; about 3× larger.
    pub tagged: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        Self { ident: String::new(), date: None, standard: None, tagged: true }
    }
}

/// Writes the pages as PDF bytes.
pub fn export(doc: &PagedDocument, opts: &ExportOptions) -> Result<Vec<u8>> {
    let standards = match opts.standard.as_deref() {
        None => PdfStandards::default(),
        Some(s) => {
            let std = match s {
                "a-2b" => PdfStandard::A_2b,
                "a-3b" => PdfStandard::A_3b,
                "ua-1" => PdfStandard::Ua_1,
                other => {
                    return Err(Error::invalid(
                        Stage::Pdf,
                        "invalid pdf standard",
                        vec![
                            Diagnostic::new(format!(
                                "unknown PDF standard {other:?} (known: a-2b, a-3b, ua-1)"
                            ))
                            .at("pdf_standard"),
                        ],
                    ));
                }
            };
            PdfStandards::new(&[std]).map_err(|e| {
                Error::new(
                    ErrorKind::Render,
                    Stage::Pdf,
                    format!("cannot configure {s} ({})", e.message()),
                )
            })?
        }
    };
    let options = PdfOptions {
        ident: if opts.ident.is_empty() {
            Smart::Auto
        } else {
            Smart::Custom(opts.ident.clone())
        },
        creator: Smart::Custom(Some(format!("prepbook {}", env!("CARGO_PKG_VERSION")))),
        timestamp: opts.date.map(|d| Timestamp::new_utc(Datetime::Date(d))),
        page_ranges: None,
        standards,
        tagged: opts.tagged,
        pretty: false,
    };
    typst_pdf::pdf(doc, &options).map_err(|errors| {
        let msgs: Vec<Diagnostic> =
            errors.iter().map(|d| Diagnostic::new(d.message.to_string())).collect();
        Error::new(ErrorKind::Render, Stage::Pdf, "pdf export failed")
            .with_diagnostics(msgs)
    })
}
