//! Resume import: a PDF, DOCX, Markdown or plain-text resume into a JSON
//! Resume document, with a report of what was recognised
//! (`meta.prepbook.import`) so the candidate can confirm what is uncertain.
//!
//! # Stages
//! 1. **Detect** the kind from the bytes, never the file name.
//! 2. **Read** the document into [`Line`]s in reading order: the PDF reader
//!    (`pdf`) rebuilds lines from positioned glyph runs, the DOCX reader
//!    (`docx`) takes paragraphs with their styles and numbering, the text
//!    reader takes lines and Markdown markers.
//! 3. **Recognise** sections, entries, dates, bullets and skills from the
//!    lines (the same code for every kind), and write JSON Resume.
//!
//! Every reader is bounded by [`ImportLimits`]: bytes in, pages, bytes
//! decompressed, lines, and a deterministic work budget (operations, not
//! seconds, so the same file always succeeds or always fails).

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
