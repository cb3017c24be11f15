//! The engine: shared, loaded-once state (fonts, templates, packs) and the
//! pipeline for one order as a composition of the stage functions
//! ([`Engine::render`]). The CLI, the batch runner and the service all
//! call it.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::analysis::{self, Analysis};
use crate::content::{self, ContentOptions, Generated, Templates};
use crate::error::{Error, Result, Stage};
use crate::layout::{self, CacheScope, FontSet, Layout, LayoutOptions};
use crate::model::{self, Order, OrderDraft, OrderFlags, ReadOptions};
use crate::packs::Packs;
use crate::pdf::{self, ExportOptions};

/// Fonts, templates and packs, loaded once and shared (cheap to clone).
#[derive(Debug, Clone)]
pub struct Engine {
    /// The bundled fonts.
    pub fonts: FontSet,
    /// Content templates and the typst layout library.
    pub templates: Templates,
    /// Content packs.
    pub packs: Packs,
}

/// Per-render options.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Write a tagged PDF (default true).
    pub tagged: bool,
    /// How much of typst's memo cache survives this render: `0` drops it
    /// all (one-off renders, lowest memory); a small age keeps what other
    /// renders running at the same time, or the next report of the same
    /// company and role, still use (batch). See [`Engine::render`].
    pub cache_age: usize,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self { tagged: true, cache_age: 0 }
    }
}

/// Milliseconds spent per stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Timings {
    /// Analysis.
    pub analysis: f64,
    /// Template rendering.
    pub content: f64,
    /// typst compile (evaluation and layout).
    pub layout: f64,
    /// PDF export.
    pub pdf: f64,
    /// Preflight of the produced bytes.
    pub preflight: f64,
    /// Encryption, when protection was asked for.
    pub protect: f64,
}

/// A finished render.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The PDF.
    pub pdf: Vec<u8>,
    /// Page count.
    pub pages: usize,
    /// The analysis behind it.
    pub analysis: Analysis,
    /// Stage timings.
    pub timings: Timings,
    /// The generated typst source.
    pub source: String,
    /// typst warnings, if any.
    pub warnings: Vec<crate::error::Diagnostic>,
}

/// Milliseconds since `since`, to 0.01 ms, and restarts the clock.
fn lap(since: &mut Instant) -> f64 {
    let ms = (since.elapsed().as_secs_f64() * 1e5).round() / 100.0;
    *since = Instant::now();
    ms
}

/// What render and preview share: the order analysed, written as typst
/// source and laid out.
struct Typeset {
    analysis: Analysis,
    source: String,
    layout: Layout,
}

impl Engine {
    /// The engine with everything embedded in the binary.
    pub fn embedded() -> Result<Self> {
        Ok(Self {
            fonts: FontSet::embedded()?,
            templates: Templates::embedded()?,
            packs: Packs::embedded()?,
        })
    }

    /// The engine with optional runtime overrides for packs and templates.
    pub fn with_overrides(
        packs: Option<&Path>,
        templates: Option<&Path>,
    ) -> Result<Self> {
        Ok(Self {
            fonts: FontSet::embedded()?,
            templates: match templates {
                Some(d) => Templates::from_dir(d)?,
                None => Templates::embedded()?,
            },
            packs: match packs {
                Some(d) => Packs::from_dir(d)?,
                None => Packs::embedded()?,
            },
        })
    }

    /// Reads the order command-line flags describe ([`model::read`] of
    /// [`OrderDraft::from_flags`]). A `--company` that names a pack file
    /// adds that pack to this engine first.
    pub fn read_order(
        &mut self,
        flags: &OrderFlags,
        opts: &ReadOptions,
    ) -> Result<Order> {
        let mut draft = OrderDraft::from_flags(flags)?;
        if let Some(file) = flags.company_file() {
            draft.company = Some(self.packs.add_company_file(file)?);
        }
        model::read(draft, opts)
    }

    /// Checks an order against the packs without rendering.
    pub fn validate(&self, order: &Order) -> Result<Analysis> {
        analysis::analyze(order, &self.packs)
    }

    /// The generated typst source for an order (for `--emit-source`).
    pub fn source(&self, order: &Order) -> Result<String> {
        let analysis = analysis::analyze(order, &self.packs)?;
        let opts = ContentOptions::default();
        Ok(content::generate(&self.templates, order, &analysis, &self.packs, &opts)?.text)
    }

    /// Runs the whole pipeline for one order and returns the PDF bytes:
    /// analysis, content, layout, PDF export, preflight, and protection
    /// when the order asks for it.
    ///
    /// ```no_run
    /// let engine = prepbook::Engine::embedded()?;
    /// # let order: prepbook::Order = todo!();
    /// let out = engine.render(&order, &Default::default())?;
    /// std::fs::write("playbook.pdf", &out.pdf).unwrap();
    /// # Ok::<(), prepbook::Error>(())
    /// ```
    pub fn render(&self, order: &Order, opts: &RenderOptions) -> Result<Rendered> {
        let _span = tracing::info_span!("render", order = %order.order_id).entered();
        let _cache = CacheScope::new(opts.cache_age);
        let mut timings = Timings::default();
        let Typeset { analysis, source, layout } = self.typeset(order, &mut timings)?;
        let mut clock = Instant::now();
        let standard = order.delivery.pdf_standard.clone();
        let export = ExportOptions {
            ident: order.order_id.clone(),
            date: Some(order.target.today),
            standard: standard.clone(),
            tagged: opts.tagged,
        };
        let pdf = pdf::export(&layout.document, &export)?;
        timings.pdf = lap(&mut clock);
        let expected = pdf::Expected {
            pages: layout.pages(),
            sections: layout.sections(),
            standard,
        };
        pdf::preflight(&pdf, &expected)?;
        timings.preflight = lap(&mut clock);
        let pdf = match &order.delivery.protection {
            Some(p) => pdf::protect(&pdf, p)?,
            None => pdf,
        };
        timings.protect = lap(&mut clock);
        Ok(Rendered {
            pdf,
            pages: expected.pages,
            analysis,
            timings,
            source,
            warnings: layout.warnings,
        })
    }

    /// Analysis, content and layout. When typst fails, the source is
    /// written again with a trace, so that the error names the template
    /// line (and the pack value) behind the failing line of `main.typ`.
    fn typeset(&self, order: &Order, timings: &mut Timings) -> Result<Typeset> {
        let mut clock = Instant::now();
        let analysis = analysis::analyze(order, &self.packs)?;
        timings.analysis = lap(&mut clock);
        let (templates, packs) = (&self.templates, &self.packs);
        let source =
            content::generate(templates, order, &analysis, packs, &Default::default())?;
        timings.content = lap(&mut clock);
        let layout_opts = LayoutOptions { today: Some(order.target.today) };
        let layout =
            layout::compile(&source.text, templates.lib(), &self.fonts, &layout_opts)
                .map_err(|err| {
                    let traced = ContentOptions { trace: true };
                    match content::generate(templates, order, &analysis, packs, &traced) {
                        Ok(Generated { trace: Some(map), .. }) => map.locate(err),
                        _ => err,
                    }
                })?;
        timings.layout = lap(&mut clock);
        Ok(Typeset { analysis, source: source.text, layout })
    }
}

/// One page rendered as PNG.
#[derive(Debug, Clone)]
pub struct Preview {
    /// PNG bytes.
    pub png: Vec<u8>,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Pages in the whole document.
    pub pages: usize,
}

impl Engine {
    /// Renders page `page` (1-based) of an order's playbook as PNG at
    /// `scale` pixels per point (1.0 = 72 dpi). The CLI's `preview` and the
    /// service's page endpoint both use this. A page that does not exist or
    /// a scale outside 0.1–8 is invalid input (exit 1, HTTP 422).
    pub fn preview(&self, order: &Order, page: usize, scale: f32) -> Result<Preview> {
        let invalid = |path: &str, message: String| {
            Error::invalid(
                Stage::Input,
                "invalid preview",
                vec![crate::error::Diagnostic::new(message).at(path)],
            )
        };
        if !(0.1..=8.0).contains(&scale) {
            return Err(invalid(
                "scale",
                format!("expected a scale between 0.1 and 8, found {scale}"),
            ));
        }
        let _cache = CacheScope::new(0);
        let Typeset { layout, .. } = self.typeset(order, &mut Timings::default())?;
        let pages = layout.pages();
        let Some(p) = page.checked_sub(1).and_then(|i| layout.document.pages().get(i))
        else {
            return Err(invalid(
                "page",
                format!("page {page} does not exist; the playbook has {pages} pages"),
            ));
        };
        let pixmap = typst_render::render(
            p,
            &typst_render::RenderOptions {
                pixel_per_pt: typst::utils::Scalar::new(f64::from(scale)),
                render_bleed: false,
            },
        );
        let png = pixmap.encode_png().map_err(|e| {
            Error::new(
                crate::error::ErrorKind::Render,
                Stage::Pdf,
                format!("png encoding failed ({e})"),
            )
        })?;
        Ok(Preview { png, width: pixmap.width(), height: pixmap.height(), pages })
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed. A crash or error never leaves a
/// half-written file under the final name, and temporary files that a
/// killed process left in that directory are removed (see [`sweep_temporary`]).
///
/// The file gets the mode any new file gets (0666 under the umask, so
/// 0644 under the usual 022), not the owner-only mode of a temporary
/// file: a PDF is for reading.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir =
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    sweep_temporary(dir, std::time::Duration::from_secs(3600));
    write_via(dir, path, bytes)
}

/// How the names of temporary files begin, so that those a killed process
/// left behind are known to be ours.
pub(crate) const TEMPORARY_PREFIX: &str = ".prepbook-tmp-";

/// Writes `bytes` to a new temporary file in `tmp` (on the file system of
/// `dest`), then renames it to `dest`, which is replaced if it is there
/// (a symlink at `dest` is replaced, never followed).
pub(crate) fn write_via(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMPORARY_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut f = builder.tempfile_in(tmp).map_err(|e| Error::io(Stage::Output, tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(Stage::Output, dest, e))?;
    f.as_file().sync_all().map_err(|e| Error::io(Stage::Output, dest, e))?;
    f.persist(dest).map_err(|e| Error::io(Stage::Output, dest, e.error))?;
    Ok(())
}

/// Removes our temporary files in `dir` older than `age`: what `kill -9`
/// left. Younger ones may belong to a write in progress in another
/// process, so they stay. Best effort: a file that cannot be removed is
/// left for the next sweep.
pub(crate) fn sweep_temporary(dir: &Path, age: std::time::Duration) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let ours =
            entry.file_name().to_str().is_some_and(|n| n.starts_with(TEMPORARY_PREFIX));
        // symlink_metadata: a link with our name is removed as a link.
        let old = entry
            .metadata()
            .ok()
            .filter(|m| m.is_file())
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|e| e >= age);
        if ours && old {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
