//! Layout: typst, in process. Responsible for the typst world (bundled
//! fonts, the layout library and this report's generated source under
//! fixed virtual paths, nothing else) and for compiling it into pages with
//! diagnostics mapped back to template files; not for the PDF bytes
//! ([`crate::pdf`]).

mod fonts;
mod world;

pub use fonts::FontSet;
pub(crate) use world::ReportWorld;

use typst::WorldExt;
use typst::diag::{Severity, SourceDiagnostic};
use typst_layout::PagedDocument;

use crate::error::{Diagnostic, Error, ErrorKind, Result, Stage};

/// Compiles a generated report into pages.
///
/// typst's memo cache is evicted after every compile (also on failure):
/// without that it grows by tens of megabytes per report in a long-running
/// process. `typst::comemo` is used rather than a direct comemo dependency
/// because a second comemo version would have a separate, never-evicted
/// cache.
pub(crate) fn compile(world: &ReportWorld) -> Result<(PagedDocument, Vec<Diagnostic>)> {
    let result = typst::compile::<PagedDocument>(world);
    let warnings = result.warnings.iter().map(|d| to_diag(world, d)).collect();
    let out = result.output.map_err(|errors| {
        let diags: Vec<Diagnostic> = errors.iter().map(|d| to_diag(world, d)).collect();
        let first = diags.first().map(|d| d.to_string()).unwrap_or_default();
        Error::new(ErrorKind::Render, Stage::Layout, format!("typst failed: {first}"))
            .with_diagnostics(diags)
    });
    out.map(|doc| (doc, warnings))
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

/// Titles of the outlined top-level headings, in document order: the
/// sections the PDF outline must list.
pub(crate) fn top_level_headings(doc: &PagedDocument) -> Vec<String> {
    use typst::foundations::{NativeElement, StyleChain};
    use typst::introspection::Introspector;
    use typst::model::HeadingElem;
    doc.introspector()
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

fn to_diag(world: &ReportWorld, d: &SourceDiagnostic) -> Diagnostic {
    let mut out = Diagnostic::new(format!(
        "{}{}",
        if d.severity == Severity::Warning { "warning: " } else { "" },
        d.message
    ));
    if let Some(id) = d.span.id() {
        out.file = Some(world.display_name(id));
        if let (Some(range), Ok(source)) =
            (world.range(d.span), typst::World::source(world, id))
        {
            let text = source.text();
            let (line, column) = crate::model::json::position(text, range.start);
            out.line = Some(line);
            out.column = Some(column);
        }
    }
    for hint in &d.hints {
        out.message.push_str(&format!(" (hint: {})", hint.v));
    }
    out
}
