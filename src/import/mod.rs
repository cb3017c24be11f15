//! Resume import: a PDF, DOCX, Markdown or plain-text resume into a JSON
//! Resume document, with a report of what was recognised
//! (`meta.prepbook.import`) so the candidate can confirm what is uncertain.
//!
//! # Stages
//! 1. **Detect** the kind from the bytes, never the file name.
//! 2. **Read** the document into `Line`s in reading order: the PDF reader
//!    (`pdf`) rebuilds lines from positioned glyph runs, the DOCX reader
//!    (`docx`) takes paragraphs with their styles and numbering, the text
//!    reader takes lines and Markdown markers.
//! 3. **Recognise** sections, entries, dates, bullets and skills from the
//!    lines (the same code for every kind), and write JSON Resume.
//!
//! Every reader is bounded by [`ImportLimits`]: bytes in, pages, bytes
//! decompressed, lines, and a deterministic work budget (operations, not
//! seconds, so the same file always succeeds or always fails).
//!
//! ```
//! let text = "Ada Lovelace\nada@example.com\n\nExperience\n\
//!     Analytical Engines Ltd — Programmer\tJun 1952 – Present\n- Wrote the first program\n";
//! let imported = prepbook::import::import(text.as_bytes(), &Default::default())?;
//! assert_eq!(imported.resume["work"][0]["position"], "Programmer");
//! # Ok::<(), prepbook::import::ImportError>(())
//! ```

mod dates;
mod detect;
mod docx;
mod entries;
mod output;
mod pdf;
mod sections;
mod text;

/// The kind of document a resume was imported from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Kind {
    /// A PDF with a text layer.
    Pdf,
    /// A Word document (.docx).
    Docx,
    /// Markdown text.
    Markdown,
    /// Plain text.
    Text,
}

impl Kind {
    /// The name the import report and the order stamp use: `pdf`,
    /// `docx`, `markdown` or `text`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Docx => "docx",
            Kind::Markdown => "markdown",
            Kind::Text => "text",
        }
    }
}

/// A resume read from a document.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The JSON Resume document, with the import report under
    /// `meta.prepbook.import` (what was recognised, how sure, what was
    /// left over).
    pub resume: serde_json::Value,
    /// What the document was.
    pub kind: Kind,
}

/// Whether `bytes` are a JSON document, which is read as JSON Resume and
/// needs no import. Looks at the content, never a name.
pub fn is_json(bytes: &[u8]) -> bool {
    matches!(detect::detect(bytes), Ok(detect::Detected::Json))
}

/// Reads a PDF, DOCX, Markdown or plain-text resume into JSON Resume. The
/// kind is recognised from the bytes; a JSON document is refused (it is
/// read as JSON Resume directly, see [`is_json`]).
///
/// Bounded by `limits`: bytes in, pages, bytes decompressed, lines and a
/// deterministic work budget; past any of them the import fails with
/// [`ImportError::TooLarge`], never with a shortened result.
pub fn import(bytes: &[u8], limits: &ImportLimits) -> Result<Imported, ImportError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(ImportError::TooLarge { what: "bytes", limit: limits.max_bytes });
    }
    let mut budget = Budget::new(limits);
    let (kind, lines) = match detect::detect(bytes)? {
        detect::Detected::Json => {
            return Err(ImportError::Unsupported(
                "a JSON document (JSON Resume is read as it is, without import)".into(),
            ));
        }
        detect::Detected::Pdf => {
            let mut lines = pdf::read(bytes, limits, &mut budget)?;
            join_wrapped_heads(&mut lines);
            (Kind::Pdf, lines)
        }
        detect::Detected::Docx => (Kind::Docx, docx::read(bytes, limits, &mut budget)?),
        detect::Detected::Markdown => {
            let text = detect::decode(bytes)?;
            (Kind::Markdown, text::read(&text, true, limits, &mut budget)?)
        }
        detect::Detected::Text => {
            let text = detect::decode(bytes)?;
            (Kind::Text, text::read(&text, false, limits, &mut budget)?)
        }
    };
    if lines.len() > limits.max_lines as usize {
        return Err(ImportError::TooLarge {
            what: "lines",
            limit: limits.max_lines.into(),
        });
    }
    if lines.iter().all(|l| l.text.trim().is_empty()) {
        return Err(match kind {
            Kind::Pdf => ImportError::NoText,
            _ => ImportError::Corrupt("the document has no text".into()),
        });
    }
    let resume = output::resume(&lines, kind.name(), &mut budget)?;
    Ok(Imported { resume, kind })
}

/// Joins a large heading that wrapped onto a second line ("Doctoral
/// Assistant, Laboratory of" over "Computational Fluid Dynamics") into
/// one line, as it was written: recognition would otherwise take the two
/// halves for two fields. Only lines set larger than the body text, in the
/// same font size, weight, block and left edge, with no gap between them.
fn join_wrapped_heads(lines: &mut Vec<Line>) {
    let mut sizes: Vec<f32> = lines.iter().map(|l| l.size).filter(|s| *s > 0.0).collect();
    sizes.sort_by(f32::total_cmp);
    let Some(&body) = sizes.get(sizes.len() / 2) else { return };
    let mut out: Vec<Line> = Vec::with_capacity(lines.len());
    for l in lines.drain(..) {
        if let Some(prev) = out.last_mut() {
            // "… at University of" / "Nairobi": a head that stops on a
            // word that cannot end one.
            let dangling = ["of", "and", "for", "the", "de", "in", "&", "at"]
                .iter()
                .any(|w| prev.text.trim_end().rsplit(' ').next() == Some(*w));
            let continues = dangling
                && prev.page == l.page
                && prev.block == l.block
                && !prev.bullet
                && !l.bullet
                && (prev.size - l.size).abs() < 0.3
                && l.gap_before < 0.4
                && l.text.split_whitespace().count() <= 6;
            let wraps = continues
                || prev.page == l.page
                    && prev.block == l.block
                    && prev.bold == l.bold
                    && !prev.bullet
                    && !l.bullet
                    && (l.size >= body * 1.25 || (l.bold && l.size >= body * 1.1))
                    && (prev.size - l.size).abs() < 0.3
                    && (prev.x - l.x).abs() < 2.0
                    && l.gap_before < 0.4
                    && !prev.text.contains('\t')
                    && !l.text.contains('\t')
                    && !prev.text.trim_end().ends_with(':');
            if wraps {
                if !prev.text.ends_with('-') {
                    prev.text.push(' ');
                }
                prev.text.push_str(l.text.trim_start());
                continue;
            }
        }
        out.push(l);
    }
    *lines = out;
}

/// One line of a document in reading order, as the readers hand it to
/// recognition. Fields a reader cannot know keep their defaults (a text
/// file has no font size).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Line {
    /// The text. Runs on one baseline separated by a wide horizontal gap
    /// (a right-aligned date column, a table cell) are joined with `\t`;
    /// a list marker that set [`Line::bullet`] is removed.
    pub(crate) text: String,
    /// 1-based page (PDF); 1 for other kinds.
    pub(crate) page: u32,
    /// Left edge and baseline from the page's top-left, in points (PDF).
    pub(crate) x: f32,
    /// See [`Line::x`].
    pub(crate) y: f32,
    /// Dominant font size in points; 0 when unknown.
    pub(crate) size: f32,
    /// Most of the line's characters are bold.
    pub(crate) bold: bool,
    /// A heading level the source states (DOCX `Heading1`, Markdown `#`).
    pub(crate) heading: Option<u8>,
    /// A list item (bullet or numbered).
    pub(crate) bullet: bool,
    /// Vertical space above the line, in multiples of the body line
    /// height; 0 when unknown.
    pub(crate) gap_before: f32,
    /// The layout block (column, sidebar) the line belongs to; lines of
    /// one block are consecutive.
    pub(crate) block: u32,
}

/// What an import may cost. Past any of these the import is refused with
/// an [`ImportError::TooLarge`] that names the limit, never shortened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLimits {
    /// Bytes of the uploaded file (10 MiB).
    pub max_bytes: u64,
    /// Pages of a PDF (50: a resume has two, a CV with publications twenty).
    pub max_pages: u32,
    /// Bytes decompressed from all streams or zip entries together
    /// (20 MiB): a zip bomb or a flate bomb stops here.
    pub max_decompressed: u64,
    /// Entries of a DOCX zip (1,000).
    pub max_zip_entries: u32,
    /// Lines handed to recognition (5,000).
    pub max_lines: u32,
    /// Work units (content-stream operators, XML events, lines examined),
    /// 20 million: about a second of work, counted so that the same file
    /// always gives the same answer whatever the machine's load.
    pub work: u64,
}

impl Default for ImportLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 << 20,
            max_pages: 50,
            max_decompressed: 20 << 20,
            max_zip_entries: 1_000,
            max_lines: 5_000,
            work: 20_000_000,
        }
    }
}

/// Why a file could not be imported. Each message says what the
/// candidate can do about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    /// Not a PDF, DOCX or text file (an image, a spreadsheet, an old
    /// binary .doc); names what it looks like.
    Unsupported(String),
    /// The file is damaged; says where.
    Corrupt(String),
    /// The PDF or DOCX is password-protected.
    Encrypted,
    /// A PDF without a text layer (a scan or an image export).
    NoText,
    /// Past one of [`ImportLimits`]: `what` names it (`pages`, …).
    TooLarge {
        /// The limit's name as the README documents it.
        what: &'static str,
        /// The limit.
        limit: u64,
    },
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsupported(kind) => write!(
                f,
                "this file looks like {kind}; upload the resume as PDF, DOCX, Markdown or plain text"
            ),
            Self::Corrupt(why) => write!(
                f,
                "the file is damaged ({why}); export it again from your editor"
            ),
            Self::Encrypted => f.write_str(
                "the file is password-protected; remove the password and upload it again",
            ),
            Self::NoText => f.write_str(
                "this PDF has no text layer (it is a scan or an image); export it from your editor as a text PDF",
            ),
            Self::TooLarge { what, limit } => {
                write!(f, "the file is over the import limit of {limit} {what}")
            }
        }
    }
}

impl std::error::Error for ImportError {}

/// A deterministic work budget shared by the stages of one import.
#[derive(Debug)]
pub(crate) struct Budget {
    left: u64,
    total: u64,
}

impl Budget {
    pub(crate) fn new(limits: &ImportLimits) -> Self {
        Self { left: limits.work, total: limits.work }
    }

    /// Spends `units`; refuses once the budget is gone.
    pub(crate) fn spend(&mut self, units: u64) -> Result<(), ImportError> {
        self.left = self.left.checked_sub(units).ok_or(ImportError::TooLarge {
            what: "work units (the document is too complex to read)",
            limit: self.total,
        })?;
        Ok(())
    }
}
