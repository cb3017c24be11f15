//! The engine: shared, loaded-once state (fonts, templates, packs) and the
//! whole pipeline for one order. The CLI, the batch runner and the service
//! all call [`Engine::render`].

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use crate::analysis::{self, Analysis};
use crate::content::{self, Templates};
use crate::error::{Error, Result, Stage};
use crate::layout::{self, FontSet, ReportWorld};
use crate::model::Order;
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

fn ms(since: Instant) -> f64 {
    (since.elapsed().as_secs_f64() * 1e5).round() / 100.0
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

    /// Checks an order against the packs without rendering.
    pub fn validate(&self, order: &Order) -> Result<Analysis> {
        analysis::analyze(order, &self.packs)
    }

    /// The generated typst source for an order (for `--emit-source`).
    pub fn source(&self, order: &Order) -> Result<String> {
        let (_, source, _) = self.content(order)?;
        Ok(source)
    }

    fn content(&self, order: &Order) -> Result<(Analysis, String, [f64; 2])> {
        let t0 = Instant::now();
        let company = self.packs.company(&order.target.company)?;
        let (role, cr) = self.packs.role(company, &order.target.role)?;
        let analysis = analysis::analyze_with(order, &self.packs, company, role, cr);
        let t_analysis = ms(t0);
        let t1 = Instant::now();
        let pay = self.packs.pay.view(order, &analysis, company, cr);
        let source =
            content::generate(&self.templates, &self.packs, order, &analysis, &pay)?;
        Ok((analysis, source, [t_analysis, ms(t1)]))
    }

    /// Runs the whole pipeline for one order and returns the PDF bytes.
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
        let (
            analysis,
            source,
            [t_analysis, t_content, t_layout],
            (pdf, expected, warnings, t_pdf),
        ) = self.with_document(order, opts.cache_age, |doc, warnings| {
            let t3 = Instant::now();
            let bytes = pdf::export(
                doc,
                &ExportOptions {
                    ident: order.order_id.clone(),
                    date: order.target.today,
                    standard: order.delivery.pdf_standard.clone(),
                    tagged: opts.tagged,
                },
            )?;
            let expected = pdf::Expected {
                pages: doc.pages().len(),
                sections: layout::top_level_headings(doc),
                standard: order.delivery.pdf_standard.clone(),
            };
            Ok((bytes, expected, warnings, ms(t3)))
        })?;
        let t4 = Instant::now();
        pdf::preflight(&pdf, &expected)?;
        let t_preflight = ms(t4);
        let t5 = Instant::now();
        let pdf = match &order.delivery.protection {
            Some(p) => pdf::protect(&pdf, p)?,
            None => pdf,
        };
        let t_protect = ms(t5);
        let pages = expected.pages;
        Ok(Rendered {
            pdf,
            pages,
            analysis,
            timings: Timings {
                analysis: t_analysis,
                content: t_content,
                layout: t_layout,
                pdf: t_pdf,
                preflight: t_preflight,
                protect: t_protect,
            },
            source,
            warnings,
        })
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
    /// service's page endpoint both use this.
    pub fn preview(&self, order: &Order, page: usize, scale: f32) -> Result<Preview> {
        if !(0.1..=8.0).contains(&scale) {
            return Err(Error::invalid(
                Stage::Input,
                "invalid preview",
                vec![
                    crate::error::Diagnostic::new(format!(
                        "expected a scale between 0.1 and 8, found {scale}"
                    ))
                    .at("scale"),
                ],
            ));
        }
        let (.., preview) = self.with_document(order, 0, |doc, _| {
            let pages = doc.pages().len();
            let Some(p) = page.checked_sub(1).and_then(|i| doc.pages().get(i)) else {
                return Err(Error::invalid(
                    Stage::Input,
                    "invalid preview",
                    vec![
                        crate::error::Diagnostic::new(format!(
                            "page {page} does not exist; the playbook has {pages} pages"
                        ))
                        .at("page"),
                    ],
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
        })?;
        Ok(preview)
    }

    /// Content, then layout, then `finish` on the laid-out document; returns
    /// the analysis, the typst source, stage times (analysis, content,
    /// layout) and what `finish` made. typst's memo cache is evicted to
    /// `cache_age` afterwards, on success and on failure alike: otherwise it
    /// keeps every report's layout alive (tens of MB per report), and since
    /// it is global, evicting everything would also discard what renders on
    /// other threads are using.
    fn with_document<T>(
        &self,
        order: &Order,
        cache_age: usize,
        finish: impl FnOnce(
            &typst_layout::PagedDocument,
            Vec<crate::error::Diagnostic>,
        ) -> Result<T>,
    ) -> Result<(Analysis, String, [f64; 3], T)> {
        let (analysis, source, [t_analysis, t_content]) = self.content(order)?;
        let t = Instant::now();
        let world = ReportWorld::new(
            source,
            self.templates.lib(),
            self.fonts.clone(),
            order.target.today,
        );
        let compiled = layout::compile(&world);
        let t_layout = ms(t);
        let result = compiled.and_then(|(doc, warnings)| finish(&doc, warnings));
        typst::comemo::evict(cache_age);
        Ok((
            analysis,
            world.main_text().to_string(),
            [t_analysis, t_content, t_layout],
            result?,
        ))
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// directory, synced, then renamed. A crash or error never leaves a
/// half-written file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir =
        path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .map_err(|e| Error::io(Stage::Output, dir, e))?;
    tmp.write_all(bytes).map_err(|e| Error::io(Stage::Output, path, e))?;
    tmp.as_file().sync_all().map_err(|e| Error::io(Stage::Output, path, e))?;
    tmp.persist(path).map_err(|e| Error::io(Stage::Output, path, e.error))?;
    Ok(())
}
