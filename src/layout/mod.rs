//! Layout: typst, in process. Responsible for the typst world (bundled
//! fonts, the layout library and this report's generated source under
//! fixed virtual paths, nothing else) and for compiling it into pages, with
//! diagnostics located in `main.typ` or `lib.typ` (the engine maps those in
//! `main.typ` back to template lines); not for the PDF bytes
//! ([`crate::pdf`]).

mod fonts;
mod world;

use std::path::Path;

pub use fonts::FontSet;
use world::ReportWorld;

use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst::syntax::DiagSpan;
pub use typst_layout::PagedDocument;

use crate::error::{Diagnostic, Error, ErrorKind, Result, Stage};

/// How diagnostics name the generated source.
pub const MAIN_FILE: &str = "generated main.typ";

/// How a report is laid out.
#[derive(Debug, Clone, Default)]
pub struct LayoutOptions {
    /// What typst's `datetime.today()` returns: the order's start date,
    /// never the clock. `None` (the default) makes it fail, which the
    /// shipped templates never call.
    pub today: Option<time::Date>,
}

/// A laid-out report.
pub struct Layout {
    /// The pages.
    pub document: PagedDocument,
    /// typst warnings (the compile succeeded).
    pub warnings: Vec<Diagnostic>,
}

impl std::fmt::Debug for Layout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Layout")
            .field("pages", &self.document.pages().len())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl Layout {
    /// Number of pages.
    pub fn pages(&self) -> usize {
        self.document.pages().len()
    }

    /// Titles of the outlined top-level headings, in document order: the
    /// sections the PDF outline must list.
    pub fn sections(&self) -> Vec<String> {
        use typst::foundations::{NativeElement, StyleChain};
        use typst::introspection::Introspector;
        use typst::model::HeadingElem;
        self.document
            .introspector()
            .query(&HeadingElem::ELEM.select())
            .iter()
            .filter_map(|c| c.to_packed::<HeadingElem>())
            .filter(|h| {
                h.resolve_level(StyleChain::default()).get() == 1
                    && h.outlined.get(StyleChain::default())
            })
            .map(|h| h.body.plain_text().to_string())
            .collect()
    }
}

/// Compiles a generated report (`source`, importing the layout library
/// `lib`) into pages with the given fonts.
///
/// typst's memo cache is process-global and keeps every report's layout
/// alive until evicted: hold a [`CacheScope`] around a render (the
/// engine does), or the cache grows by tens of megabytes per report.
pub fn compile(
    source: &str,
    lib: &str,
    fonts: &FontSet,
    opts: &LayoutOptions,
) -> Result<Layout> {
    let world = ReportWorld::new(source.to_string(), lib, fonts.clone(), opts.today);
    let result = typst::compile::<PagedDocument>(&world);
    let warnings = result.warnings.iter().flat_map(|d| to_diags(&world, d)).collect();
    match result.output {
        Ok(document) => Ok(Layout { document, warnings }),
        Err(errors) => {
            let diags: Vec<Diagnostic> =
                errors.iter().flat_map(|d| to_diags(&world, d)).collect();
            let n = errors.len();
            let summary =
                format!("typst failed ({n} error{})", if n == 1 { "" } else { "s" });
            Err(Error::new(ErrorKind::Render, Stage::Layout, summary)
                .with_diagnostics(diags))
        }
    }
}

/// Evicts typst's memo cache down to entries younger than `age` renders
/// when dropped, on success and on failure alike. `typst::comemo` is used
/// rather than a direct comemo dependency because a second comemo version
/// would have a separate, never-evicted cache. The cache is global, so a
/// small age keeps what renders on other threads still use; `0` drops
/// everything (one-off renders, lowest memory).
#[derive(Debug)]
pub struct CacheScope {
    age: usize,
}

impl CacheScope {
    /// A scope that evicts to `age` when it ends.
    pub fn new(age: usize) -> Self {
        Self { age }
    }
}

impl Drop for CacheScope {
    fn drop(&mut self) {
        typst::comemo::evict(self.age);
    }
}

/// Writes a typst project that the typst CLI compiles into the same
/// pages: `main.typ`, `lib.typ` and the bundled fonts under `fonts/`
/// (`typst compile --font-path DIR/fonts --ignore-system-fonts
/// DIR/main.typ`).
pub fn write_project(dir: &Path, source: &str, lib: &str) -> Result<()> {
    let fonts = dir.join("fonts");
    std::fs::create_dir_all(&fonts).map_err(|e| Error::io(Stage::Output, &fonts, e))?;
    let files = [
        (dir.join("main.typ"), source.as_bytes()),
        (dir.join("lib.typ"), lib.as_bytes()),
    ];
    let bundled = crate::assets::FONTS.iter().map(|(name, b)| (fonts.join(name), *b));
    for (path, bytes) in files.into_iter().chain(bundled) {
        std::fs::write(&path, bytes).map_err(|e| Error::io(Stage::Output, &path, e))?;
    }
    Ok(())
}

/// Starts recording typst's own timing events (process-wide) for
/// [`write_timings`]. For profiling templates, not for production renders:
/// recording allocates an event per timed scope.
pub fn enable_timings() {
    typst_timing::enable();
}

/// Writes the timing events recorded since [`enable_timings`] as a Chrome
/// trace (open it in chrome://tracing or Perfetto), with each event's span
/// resolved to `main.typ` (the generated source `main`) or `lib.typ` and a
/// line, so a slow event points at the template line that produced it.
/// Clears the recorded events.
pub fn write_timings(
    out: impl std::io::Write,
    main: &str,
    lib: &str,
) -> std::result::Result<(), String> {
    use typst::syntax::{Source, Span};
    let main = Source::new(*world::MAIN_ID, main.to_string());
    let lib = Source::new(*world::LIB_ID, lib.to_string());
    typst_timing::export_json(out, |raw| {
        let span = Span::from_raw(raw);
        [("main.typ", &main), ("lib.typ", &lib)]
            .into_iter()
            .find_map(|(name, s)| s.find(span).map(|node| (name, s, node.offset())))
            .and_then(|(name, s, start)| {
                let line = s.lines().byte_to_line(start)?;
                Some((name.to_string(), line as u32 + 1))
            })
            .unwrap_or_default()
    })
}

/// A typst diagnostic as located diagnostics: the problem itself, then
/// one entry per step of its trace in the generated source ("error
/// occurred in this call of function `f`"), innermost first, so that an error inside a `lib.typ` function still
/// points at the template line that called it.
fn to_diags(world: &ReportWorld, d: &SourceDiagnostic) -> Vec<Diagnostic> {
    let mut out = Diagnostic::new(format!(
        "{}{}",
        if d.severity == Severity::Warning { "warning: " } else { "" },
        d.message
    ));
    locate(world, d.span, &mut out);
    for hint in &d.hints {
        out.message.push_str(&format!(" (hint: {})", hint.v));
    }
    let mut all = vec![out];
    for point in &d.trace {
        if point.span.id() == Some(world.main_id()) {
            let mut call = Diagnostic::new(point.v.to_string());
            locate(world, point.span, &mut call);
            all.push(call);
        }
    }
    all
}

fn locate(world: &ReportWorld, span: impl Into<DiagSpan>, out: &mut Diagnostic) {
    let span: DiagSpan = span.into();
    let Some(id) = span.id() else { return };
    out.file = Some(world.display_name(id));
    if let (Some(range), Ok(source)) =
        (world.range(span), typst::World::source(world, id))
    {
        let (line, column) = crate::model::json::position(source.text(), range.start);
        out.line = Some(line);
        out.column = Some(column);
    }
}
