//! The PDF reader: positioned text from the pages' content streams,
//! rebuilt into [`Line`]s in reading order.
//!
//! # Steps
//! 1. **Load** with lopdf from memory; refuse encrypted, damaged and
//!    oversized files before any page is read.
//! 2. **Pages**: a bounded walk of the page tree, with the inherited
//!    resources, media box and rotation of each page.
//! 3. **Content** (`content`): the text operators run against the
//!    fonts (`fonts`, `cmap`, `encoding`), giving glyph runs (segments)
//!    in page coordinates from the top-left.
//! 4. **Layout** (`layout`): segments into columns and sidebars (blocks),
//!    then into lines in reading order.
//!
//! Not here: what the lines mean (sections, dates, entries), which
//! recognition decides for every kind of document alike, and joining a
//! hyphenated wrap, which recognition does with the bullets it joins.

mod cmap;
mod content;
mod encoding;
mod fonts;
mod layout;
#[cfg(test)]
mod tests;

use std::collections::HashSet;

use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};

use super::{Budget, ImportError, ImportLimits, Line};

/// Depth of the page tree, and of Form XObjects inside each other, past
/// which a branch is not followed (real files nest a handful deep).
const MAX_TREE_DEPTH: usize = 32;

/// Reads a PDF into lines in reading order.
///
/// Encrypted files are refused unless lopdf opens them with the empty user
/// password (a file that only restricts editing or printing); those are
/// read, since the candidate uploading their own resume can open it anyway.
pub(crate) fn read(
    bytes: &[u8],
    limits: &ImportLimits,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    let max_inflate = usize::try_from(limits.max_decompressed).unwrap_or(usize::MAX);
    let options = LoadOptions {
        max_decompressed_size: Some(max_inflate),
        ..LoadOptions::default()
    };
    let doc = match Document::load_mem_with_options(bytes, options) {
        Ok(doc) => doc,
        Err(err) => return Err(load_error(bytes, &err, limits)),
    };
    if doc.trailer.has(b"Encrypt") && !doc.was_encrypted() {
        return Err(ImportError::Encrypted);
    }
    let pages = page_tree(&doc, limits, budget)?;
    if pages.is_empty() {
        return Err(ImportError::Corrupt("the page tree has no pages".into()));
    }
    let mut ctx =
        Ctx { doc: &doc, budget, inflated: 0, max_inflate: limits.max_decompressed };
    let mut interp = content::Interp::default();
    let mut blocks = Vec::new();
    for (index, page) in pages.iter().enumerate() {
        let number = u32::try_from(index + 1).unwrap_or(u32::MAX);
        let (segments, markers) = interp.run_page(&mut ctx, page)?;
        let page_blocks = layout::page_blocks(segments, &markers, number, ctx.budget)?;
        blocks.extend(page_blocks.into_iter().map(|b| (number, b)));
    }
    let lines = layout::finish(blocks, ctx.budget)?;
    if lines.is_empty() {
        // A file whose cross-reference table had to be rebuilt has lost
        // objects: say it is damaged rather than that it is a scan.
        if doc.xref_recovery == Some(lopdf::xref::XrefRecovery::Reconstructed) {
            return Err(ImportError::Corrupt(
                "it is cut short or its objects are damaged, and no page has readable text"
                    .into(),
            ));
        }
        return Err(ImportError::NoText);
    }
    if lines.len() as u64 > u64::from(limits.max_lines) {
        return Err(ImportError::TooLarge {
            what: "lines",
            limit: limits.max_lines.into(),
        });
    }
    Ok(lines)
}

/// Why lopdf could not load the file, as the candidate can act on it.
fn load_error(bytes: &[u8], err: &lopdf::Error, limits: &ImportLimits) -> ImportError {
    match err {
        lopdf::Error::Decompress(lopdf::DecompressError::MemoryLimitExceeded {
            ..
        }) => ImportError::TooLarge {
            what: "decompressed bytes",
            limit: limits.max_decompressed,
        },
        lopdf::Error::InvalidPassword
        | lopdf::Error::Decryption(_)
        | lopdf::Error::UnsupportedSecurityHandler(_) => ImportError::Encrypted,
        // A trailer that names an encryption dictionary lopdf could not
        // use is still a protected file, not a damaged one.
        _ if bytes.windows(8).any(|w| w == b"/Encrypt") => ImportError::Encrypted,
        _ => ImportError::Corrupt(describe(err)),
    }
}

fn describe(err: &lopdf::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    let mut depth = 0;
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
        depth += 1;
        if depth > 4 {
            break;
        }
    }
    text
}

/// A page with what it inherits from the page tree.
#[derive(Debug, Clone)]
pub(crate) struct Page<'a> {
    dict: &'a Dictionary,
    resources: Option<&'a Dictionary>,
    /// Media box as left, bottom, right, top.
    media: [f32; 4],
    /// Clockwise quarter turns, 0–3.
    quarter_turns: u8,
}

impl Page<'_> {
    /// Width as displayed, after rotation.
    fn width(&self) -> f32 {
        let [l, b, r, t] = self.media;
        if self.quarter_turns % 2 == 1 { t - b } else { r - l }
    }

    /// Height as displayed, after rotation.
    fn height(&self) -> f32 {
        let [l, b, r, t] = self.media;
        if self.quarter_turns % 2 == 1 { r - l } else { t - b }
    }
}

#[derive(Clone, Copy)]
struct Inherited<'a> {
    resources: Option<&'a Dictionary>,
    media: Option<[f32; 4]>,
    rotate: Option<i64>,
}

/// The pages in order, by an explicit-stack walk of `/Kids` that visits
/// each node once and stops at [`MAX_TREE_DEPTH`], so a tree whose `/Kids`
/// or `/Parent` point back at themselves ends.
fn page_tree<'a>(
    doc: &'a Document,
    limits: &ImportLimits,
    budget: &mut Budget,
) -> Result<Vec<Page<'a>>, ImportError> {
    let root =
        doc.catalog().ok().and_then(|c| c.get(b"Pages").ok()).ok_or_else(|| {
            ImportError::Corrupt("the document catalog has no page tree".into())
        })?;
    let mut seen: HashSet<ObjectId> = HashSet::new();
    let mut pages = Vec::new();
    let start = Inherited { resources: None, media: None, rotate: None };
    let mut stack: Vec<(&'a Object, Inherited<'a>, usize)> = vec![(root, start, 0)];
    while let Some((node, inherited, depth)) = stack.pop() {
        budget.spend(1)?;
        if let Object::Reference(id) = node
            && !seen.insert(*id)
        {
            continue;
        }
        let Ok((_, Object::Dictionary(dict))) = doc.dereference(node) else { continue };
        let mut here = inherited;
        if let Some(res) = dict.get(b"Resources").ok().and_then(|o| deref_dict(doc, o)) {
            here.resources = Some(res);
        }
        if let Some(media) = dict.get(b"MediaBox").ok().and_then(|o| rect(doc, o)) {
            here.media = Some(media);
        }
        if let Some(rotate) =
            dict.get(b"Rotate").ok().and_then(|o| doc.dereference(o).ok())
        {
            here.rotate = rotate.1.as_i64().ok();
        }
        let kids =
            dict.get(b"Kids").ok().and_then(|o| doc.dereference(o).ok()).map(|(_, o)| o);
        let is_page = dict.get(b"Type").ok().and_then(|t| t.as_name().ok())
            == Some(b"Page")
            || (kids.is_none() && dict.has(b"Contents"));
        if is_page {
            pages.push(Page {
                dict,
                resources: here.resources,
                media: here.media.unwrap_or([0.0, 0.0, 612.0, 792.0]),
                quarter_turns: here.rotate.map_or(0, |r| r.rem_euclid(360) / 90) as u8,
            });
            if pages.len() as u64 > u64::from(limits.max_pages) {
                return Err(ImportError::TooLarge {
                    what: "pages",
                    limit: limits.max_pages.into(),
                });
            }
        } else if let Some(Object::Array(kids)) = kids
            && depth < MAX_TREE_DEPTH
        {
            // Reversed so that the first kid is popped first.
            for kid in kids.iter().rev() {
                stack.push((kid, here, depth + 1));
            }
        }
    }
    Ok(pages)
}

fn deref_dict<'a>(doc: &'a Document, obj: &'a Object) -> Option<&'a Dictionary> {
    doc.dereference(obj).ok().and_then(|(_, o)| o.as_dict().ok())
}

fn rect(doc: &Document, obj: &Object) -> Option<[f32; 4]> {
    let (_, obj) = doc.dereference(obj).ok()?;
    let array = obj.as_array().ok()?;
    let mut v = [0f32; 4];
    for (slot, item) in v.iter_mut().zip(array) {
        *slot =
            doc.dereference(item).ok()?.1.as_float().ok().filter(|f| f.is_finite())?;
    }
    if array.len() < 4 {
        return None;
    }
    let [a, b, c, d] = v;
    let r = [a.min(c), b.min(d), a.max(c), b.max(d)];
    (r[2] - r[0] > 1.0 && r[3] - r[1] > 1.0).then_some(r)
}

/// What every step reading objects shares: the document, the work budget,
/// and the bytes decompressed so far.
pub(crate) struct Ctx<'a> {
    doc: &'a Document,
    budget: &'a mut Budget,
    inflated: u64,
    max_inflate: u64,
}

impl<'a> Ctx<'a> {
    /// The object a reference points at (or the object itself).
    pub(crate) fn resolve(&self, obj: &'a Object) -> Option<&'a Object> {
        let doc: &'a Document = self.doc;
        doc.dereference(obj).ok().map(|(_, o)| o)
    }

    /// A dictionary entry, dereferenced.
    pub(crate) fn get(&self, dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
        self.resolve(dict.get(key).ok()?)
    }

    /// A stream's decoded bytes, counted against `max_decompressed`. The
    /// outer error is the limit; the inner one a stream that does not decode.
    pub(crate) fn inflate(
        &mut self,
        stream: &Stream,
    ) -> Result<Result<Vec<u8>, String>, ImportError> {
        let too_large =
            ImportError::TooLarge { what: "decompressed bytes", limit: self.max_inflate };
        let left = self.max_inflate.saturating_sub(self.inflated);
        let left = usize::try_from(left).unwrap_or(usize::MAX);
        match stream.decompressed_content_with_limit(left) {
            Ok(bytes) => {
                self.inflated = self.inflated.saturating_add(bytes.len() as u64);
                // Decoding costs about one unit per 64 bytes.
                self.budget.spend(bytes.len() as u64 / 64)?;
                Ok(Ok(bytes))
            }
            Err(lopdf::Error::Decompress(
                lopdf::DecompressError::MemoryLimitExceeded { .. },
            )) => Err(too_large),
            Err(err) => Ok(Err(describe(&err))),
        }
    }
}
