//! The bundled fonts, parsed once and shared by every report. Only these
//! fonts exist for typst: no system font can change a PDF's bytes.

use std::path::Path;
use std::sync::Arc;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;

use crate::error::{Error, ErrorKind, Result, Stage};

/// Parsed fonts and their book.
#[derive(Clone)]
pub struct FontSet {
    pub(crate) book: Arc<LazyHash<FontBook>>,
    pub(crate) fonts: Arc<Vec<Font>>,
}

impl std::fmt::Debug for FontSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontSet({} faces)", self.fonts.len())
    }
}

impl FontSet {
    /// The fonts embedded from `fonts/`.
    pub fn embedded() -> Result<Self> {
        Self::from_data(
            crate::assets::FONTS.iter().map(|(_, b)| Bytes::new(*b)).collect(),
        )
    }

    /// Every `.ttf`/`.otf` in a directory (for font experiments; the
    /// product always uses the embedded set).
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let mut data = Vec::new();
        let entries =
            std::fs::read_dir(dir).map_err(|e| Error::io(Stage::Layout, dir, e))?;
        let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if p.extension().is_some_and(|e| e == "ttf" || e == "otf") {
                data.push(Bytes::new(
                    std::fs::read(&p).map_err(|e| Error::io(Stage::Layout, &p, e))?,
                ));
            }
        }
        Self::from_data(data)
    }

    fn from_data(data: Vec<Bytes>) -> Result<Self> {
        let fonts: Vec<Font> = data.into_iter().flat_map(Font::iter).collect();
        if fonts.is_empty() {
            return Err(Error::new(ErrorKind::Render, Stage::Layout, "no usable fonts"));
        }
        let book = FontBook::from_fonts(&fonts);
        Ok(Self { book: Arc::new(LazyHash::new(book)), fonts: Arc::new(fonts) })
    }

    /// Whether some bundled font has a glyph for `c`. Characters no font
    /// covers are drawn as the fonts' "missing glyph" box.
    pub fn covers(&self, c: char) -> bool {
        self.fonts.iter().any(|f| f.info().coverage.contains(c as u32))
    }

    /// Family names available to templates.
    pub fn families(&self) -> Vec<String> {
        let mut v: Vec<String> =
            self.fonts.iter().map(|f| f.info().family.clone()).collect();
        v.dedup();
        v
    }
}
