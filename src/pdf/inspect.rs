//! `prepbook inspect`: what is inside any PDF — pages, metadata, outline,
//! fonts, declared standards, encryption and permissions, size by kind and
//! the prepbook order stamp — for support staff answering "my PDF looks
//! wrong" without a developer.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::{Document, Object, ObjectId, Permissions};
use serde::Serialize;

use super::preflight::{
    FontInfo, OutlineEntry, declared_standards, fonts, info_dict, outline_tree, text_of,
};
use crate::error::{Diagnostic, Error, Result, Stage};

/// Everything `inspect` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// PDF version from the header.
    pub version: String,
    /// Page count.
    pub pages: usize,
    /// Width × height of the first page in points.
    pub page_size: Option<(f32, f32)>,
    /// Document information entries.
    pub metadata: BTreeMap<String, String>,
    /// Outline (bookmarks).
    pub outline: Vec<OutlineEntry>,
    /// Fonts.
    pub fonts: Vec<FontInfo>,
    /// Declared standards (`a-2b`, `ua-1`, ...).
    pub standards: Vec<String>,
    /// Whether the file is tagged (has a structure tree).
    pub tagged: bool,
    /// Encryption, if any.
    pub encryption: Option<Encryption>,
    /// Bytes by kind of stream.
    pub sizes: Sizes,
    /// The prepbook order id, if the file carries one.
    pub order_id: Option<String>,
}

/// Encryption details.
#[derive(Debug, Clone, Serialize)]
pub struct Encryption {
    /// Security handler version (V).
    pub version: i64,
    /// Revision (R).
    pub revision: i64,
    /// Algorithm, as far as it can be named.
    pub algorithm: String,
    /// Permission flags.
    pub print: bool,
    /// Copying text and graphics.
    pub copy: bool,
    /// Modifying the document.
    pub edit: bool,
    /// Adding annotations.
    pub annotate: bool,
}

/// Stored (compressed) size of streams by kind, and the whole file.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Sizes {
    /// The whole file.
    pub total: usize,
    /// Embedded font programs.
    pub fonts: usize,
    /// Images.
    pub images: usize,
    /// Page content streams.
    pub content: usize,
    /// Everything else: structure tree, outline, metadata, object and
    /// cross-reference streams (the file size less the three above).
    pub other: usize,
}

/// The text form `prepbook inspect` prints: one `name: value` line per
/// fact, then the fonts and the outline tree.
impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        fn yes(b: bool) -> &'static str {
            if b { "yes" } else { "no" }
        }
        fn tree(
            f: &mut std::fmt::Formatter<'_>,
            items: &[OutlineEntry],
            depth: usize,
        ) -> std::fmt::Result {
            for e in items {
                writeln!(f, "{}{}", "  ".repeat(depth + 1), e.title)?;
                tree(f, &e.children, depth + 1)?;
            }
            Ok(())
        }
        writeln!(f, "version:    PDF {}", self.version)?;
        let size = self
            .page_size
            .map(|(w, h)| format!(" ({w:.0} × {h:.0} pt)"))
            .unwrap_or_default();
        writeln!(f, "pages:      {}{size}", self.pages)?;
        for (k, v) in &self.metadata {
            writeln!(f, "{:<11} {v}", format!("{}:", k.to_lowercase()))?;
        }
        writeln!(
            f,
            "order id:   {}",
            self.order_id.as_deref().unwrap_or("(none found)")
        )?;
        writeln!(f, "tagged:     {}", yes(self.tagged))?;
        let stds = if self.standards.is_empty() {
            "none".to_string()
        } else {
            self.standards.join(", ")
        };
        writeln!(f, "standards:  {stds}")?;
        match &self.encryption {
            None => writeln!(f, "encryption: none")?,
            Some(e) => writeln!(
                f,
                "encryption: {} (V{} R{}); print {}, copy {}, edit {}, annotate {}",
                e.algorithm,
                e.version,
                e.revision,
                yes(e.print),
                yes(e.copy),
                yes(e.edit),
                yes(e.annotate)
            )?,
        }
        let s = &self.sizes;
        writeln!(
            f,
            "sizes:      total {} B; fonts {} B, images {} B, page content {} B, other {} B",
            s.total, s.fonts, s.images, s.content, s.other
        )?;
        writeln!(f, "fonts:")?;
        for font in &self.fonts {
            writeln!(
                f,
                "  {} ({}){}{}",
                font.name,
                font.subtype,
                if font.embedded { ", embedded" } else { ", NOT EMBEDDED" },
                if font.subset { ", subset" } else { "" }
            )?;
        }
        writeln!(f, "outline:")?;
        tree(f, &self.outline, 0)
    }
}

/// Inspects any PDF. Encrypted files open with `password` (or with no
/// password when none is needed to open them).
pub fn inspect(bytes: &[u8], password: Option<&str>) -> Result<Inspection> {
    let not_pdf = |why: String| {
        Error::invalid(Stage::Input, "not a readable PDF", vec![Diagnostic::new(why)])
    };
    let head = &bytes[..bytes.len().min(1024)];
    let Some(at) = head.windows(5).position(|w| w == b"%PDF-") else {
        return Err(not_pdf("the file does not start with a %PDF- header".into()));
    };
    let version: String = String::from_utf8_lossy(&head[at + 5..])
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let encrypted = bytes.windows(8).any(|w| w == b"/Encrypt");
    let doc = match password {
        Some(pw) => {
            Document::load_mem_with_options(bytes, lopdf::LoadOptions::with_password(pw))
        }
        None => Document::load_mem(bytes),
    }
    .map_err(|e| {
        if encrypted {
            not_pdf(format!(
                "the file is encrypted and could not be opened ({e}); pass --password"
            ))
        } else {
            not_pdf(format!("the file does not parse as PDF ({e})"))
        }
    })?;
    let pages = page_ids(&doc);
    if encrypted && pages.is_empty() {
        return Err(not_pdf(match password {
            None => {
                "the file is encrypted with a password needed to open it; pass --password"
                    .into()
            }
            Some(_) => "the file is encrypted and this password does not open it".into(),
        }));
    }
    let page_size = pages.first().and_then(|&id| media_box(&doc, id));
    let mut metadata = BTreeMap::new();
    if let Some(info) = info_dict(&doc) {
        for (k, v) in info.iter() {
            let v = text_of(v);
            if !v.is_empty() {
                metadata.insert(String::from_utf8_lossy(k).into_owned(), v);
            }
        }
    }
    let tagged = doc.catalog().is_ok_and(|c| c.has(b"StructTreeRoot"));
    let order_id = metadata.get("Keywords").and_then(|k| {
        k.split(',').map(str::trim).find(|w| looks_like_order_id(w)).map(str::to_string)
    });
    Ok(Inspection {
        version,
        pages: pages.len(),
        page_size,
        outline: outline_tree(&doc),
        fonts: fonts(&doc),
        standards: declared_standards(&doc),
        tagged,
        encryption: encryption_of(&doc),
        sizes: sizes(&doc, &pages, bytes.len()),
        order_id,
        metadata,
    })
}

/// Pages a file may have before the rest is not counted.
const MAX_PAGES: usize = 100_000;

/// The pages in order, each page-tree node visited once. lopdf's own walk
/// bounds only the depth, so a crafted tree whose `/Kids` repeat one node
/// (`[A A A A]` inside `A`, 256 deep) is a walk of 4^256 steps.
pub(crate) fn page_ids(doc: &Document) -> Vec<ObjectId> {
    let mut pages = Vec::new();
    let Some(root) = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Pages").and_then(Object::as_reference).ok())
    else {
        return pages;
    };
    let mut seen = BTreeSet::new();
    // Depth-first, kids in order: a stack of reversed kid lists.
    let mut stack = vec![root];
    while let Some(id) = stack.pop() {
        if pages.len() >= MAX_PAGES || seen.len() >= 4 * MAX_PAGES || !seen.insert(id) {
            continue;
        }
        let Ok(node) = doc.get_dictionary(id) else { continue };
        match node.get(b"Type").and_then(Object::as_name) {
            Ok(b"Pages") => {
                if let Ok(kids) = node.get(b"Kids").and_then(Object::as_array) {
                    stack.extend(kids.iter().rev().filter_map(|k| k.as_reference().ok()));
                }
            }
            Ok(b"Page") => pages.push(id),
            _ => {}
        }
    }
    pages
}

fn looks_like_order_id(w: &str) -> bool {
    crate::model::valid_order_id(w)
        && w.chars().any(|c| c.is_ascii_digit())
        && w.chars().any(|c| c == '-' || c == '_')
}

fn media_box(doc: &Document, id: ObjectId) -> Option<(f32, f32)> {
    let page = doc.get_dictionary(id).ok()?;
    let mb = page.get(b"MediaBox").ok()?.as_array().ok()?;
    let n: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap_or(0.0)).collect();
    (n.len() == 4).then(|| (n[2] - n[0], n[3] - n[1]))
}

/// Encryption details from the security handler lopdf opened the file with.
fn encryption_of(doc: &Document) -> Option<Encryption> {
    let state = doc.encryption_state.as_ref()?;
    let (v, r) = (state.version(), state.revision());
    let p = state.permissions();
    let algorithm = match (v, r) {
        (5, 5 | 6) => "AES-256",
        (4, _) => "AES-128 or RC4-128",
        (2, _) => "RC4",
        (1, _) => "RC4-40",
        _ => "unknown",
    };
    Some(Encryption {
        version: v,
        revision: r,
        algorithm: algorithm.into(),
        print: p.contains(Permissions::PRINTABLE),
        copy: p.contains(Permissions::COPYABLE),
        edit: p.contains(Permissions::MODIFIABLE),
        annotate: p.contains(Permissions::ANNOTABLE),
    })
}

fn sizes(doc: &Document, pages: &[ObjectId], total: usize) -> Sizes {
    let mut font_ids = BTreeSet::new();
    let mut content_ids = BTreeSet::new();
    for obj in doc.objects.values() {
        if let Ok(d) = obj.as_dict() {
            for key in [b"FontFile".as_slice(), b"FontFile2", b"FontFile3"] {
                if let Ok(id) = d.get(key).and_then(Object::as_reference) {
                    font_ids.insert(id);
                }
            }
        }
    }
    for &page in pages {
        content_ids.extend(doc.get_page_contents(page));
    }
    let mut s = Sizes { total, ..Default::default() };
    for (id, obj) in &doc.objects {
        let Ok(stream) = obj.as_stream() else { continue };
        let n = stream.content.len();
        if font_ids.contains(id) {
            s.fonts += n;
        } else if content_ids.contains(id) {
            s.content += n;
        } else if stream.dict.get(b"Subtype").and_then(Object::as_name).ok()
            == Some(b"Image".as_slice())
        {
            s.images += n;
        } else {
            s.other += n;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object, dictionary};

    #[test]
    fn a_page_tree_that_repeats_itself_is_walked_once() {
        // Issue 14: a node listing itself among its kids, four times.
        let mut doc = Document::with_version("1.7");
        let tree = doc.new_object_id();
        let page = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => tree,
            "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
        });
        let kids: Vec<Object> = vec![tree.into(), tree.into(), page.into(), tree.into()];
        doc.objects.insert(
            tree,
            Object::Dictionary(
                dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => 1 },
            ),
        );
        let catalog =
            doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => tree });
        doc.trailer.set("Root", catalog);
        let mut bytes = Vec::new();
        doc.save_to(&mut bytes).unwrap();
        let i = super::inspect(&bytes, None).unwrap();
        assert_eq!(i.pages, 1);
        assert_eq!(i.page_size, Some((612.0, 792.0)));
    }
}
