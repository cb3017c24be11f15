//! Preflight: reads the produced bytes back with lopdf and checks what a
//! paying reader would notice — page count, the outline, metadata, embedded
//! fonts, no active content, the declared standard — before any file is
//! delivered. A failure names the check; it is an internal failure (the
//! engine produced a bad file), never a delivered file.

use lopdf::{Dictionary, Document, Object};

use crate::error::{Diagnostic, Error, ErrorKind, Result, Stage};

/// What the file is expected to contain.
#[derive(Debug, Clone, Default)]
pub struct Expected {
    /// Number of pages the layout produced.
    pub pages: usize,
    /// Titles of the top-level sections; each needs an outline entry.
    pub sections: Vec<String>,
    /// The standard the file must declare (`a-2b`, `a-3b`, `ua-1`).
    pub standard: Option<String>,
}

/// Checks `pdf`; `Ok` when every check passes, otherwise an error of kind
/// [`ErrorKind::Preflight`] listing each failed check.
pub fn preflight(pdf: &[u8], expected: &Expected) -> Result<()> {
    let doc = Document::load_mem(pdf)
        .map_err(|e| fail(vec![format!("the file does not parse ({e})")]))?;
    let mut problems = Vec::new();
    let pages = doc.get_pages().len();
    if pages != expected.pages {
        problems.push(format!(
            "page count: the file has {pages} pages, the layout {}",
            expected.pages
        ));
    }
    let outline = outline_titles(&doc);
    if outline.is_empty() {
        problems.push("outline: the file has no outline (bookmarks)".into());
    }
    for s in &expected.sections {
        if !outline.iter().any(|t| t == s) {
            problems.push(format!("outline: no entry for the section {s:?}"));
        }
    }
    let info = info_dict(&doc);
    for key in ["Title", "Author", "Subject", "Keywords"] {
        let set = info
            .as_ref()
            .and_then(|d| d.get(key.as_bytes()).ok())
            .map(text_of)
            .is_some_and(|s| !s.trim().is_empty());
        if !set {
            problems.push(format!("metadata: {key} is not set"));
        }
    }
    for f in fonts(&doc) {
        if !f.embedded {
            problems.push(format!("fonts: {} is not embedded", f.name));
        }
    }
    problems.extend(active_content(&doc));
    if let Some(std) = &expected.standard {
        let declared = declared_standards(&doc);
        if !declared.iter().any(|d| d == std) {
            problems.push(format!(
                "standard: {std} requested but the file declares {}",
                if declared.is_empty() {
                    "none".to_string()
                } else {
                    declared.join(", ")
                }
            ));
        }
    }
    if problems.is_empty() { Ok(()) } else { Err(fail(problems)) }
}

fn fail(problems: Vec<String>) -> Error {
    Error::new(
        ErrorKind::Preflight,
        Stage::Pdf,
        format!(
            "preflight failed ({} problem{})",
            problems.len(),
            if problems.len() == 1 { "" } else { "s" }
        ),
    )
    .with_diagnostics(problems.into_iter().map(Diagnostic::new).collect())
}

/// Decodes a PDF text string (UTF-16BE with BOM, or PDFDocEncoding).
pub(crate) fn text_of(obj: &Object) -> String {
    let bytes = match obj {
        Object::String(b, _) => b.as_slice(),
        Object::Name(b) => b.as_slice(),
        _ => return String::new(),
    };
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c.get(1).copied().unwrap_or(0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(&bytes[3..]).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

pub(crate) fn info_dict(doc: &Document) -> Option<&Dictionary> {
    let id = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    doc.get_dictionary(id).ok()
}

/// One outline entry with its children.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OutlineEntry {
    /// Title.
    pub title: String,
    /// Nested entries.
    pub children: Vec<OutlineEntry>,
}

pub(crate) fn outline_tree(doc: &Document) -> Vec<OutlineEntry> {
    fn walk(
        doc: &Document,
        first: Option<lopdf::ObjectId>,
        depth: usize,
    ) -> Vec<OutlineEntry> {
        let mut out = Vec::new();
        let mut next = first;
        let mut guard = 0;
        while let Some(id) = next {
            guard += 1;
            if guard > 100_000 || depth > 32 {
                break;
            }
            let Ok(item) = doc.get_dictionary(id) else { break };
            let title = item.get(b"Title").map(text_of).unwrap_or_default();
            let child = item.get(b"First").and_then(Object::as_reference).ok();
            out.push(OutlineEntry { title, children: walk(doc, child, depth + 1) });
            next = item.get(b"Next").and_then(Object::as_reference).ok();
        }
        out
    }
    let Ok(catalog) = doc.catalog() else { return Vec::new() };
    let Some(root) = catalog.get(b"Outlines").and_then(Object::as_reference).ok() else {
        return Vec::new();
    };
    let Ok(outlines) = doc.get_dictionary(root) else { return Vec::new() };
    walk(doc, outlines.get(b"First").and_then(Object::as_reference).ok(), 0)
}

fn outline_titles(doc: &Document) -> Vec<String> {
    outline_tree(doc).into_iter().map(|e| e.title).collect()
}

/// A font used in the file.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FontInfo {
    /// Base font name.
    pub name: String,
    /// Font subtype (Type0, TrueType, Type1, Type3, ...).
    pub subtype: String,
    /// Whether the font program is in the file.
    pub embedded: bool,
    /// Whether it is a subset (`ABCDEF+Name`).
    pub subset: bool,
}

pub(crate) fn fonts(doc: &Document) -> Vec<FontInfo> {
    let mut out = Vec::new();
    for obj in doc.objects.values() {
        let Ok(d) = obj.as_dict() else { continue };
        if d.get(b"Type").and_then(Object::as_name).ok() != Some(b"Font".as_slice()) {
            continue;
        }
        let subtype = d
            .get(b"Subtype")
            .and_then(Object::as_name)
            .map(|n| String::from_utf8_lossy(n).into_owned())
            .unwrap_or_default();
        // Composite fonts are described by their descendant; Type3 fonts
        // are drawn by content streams inside the file.
        if subtype == "Type0" || subtype == "Type3" {
            continue;
        }
        let name = d.get(b"BaseFont").map(text_of).unwrap_or_else(|_| "(unnamed)".into());
        let descriptor = d
            .get(b"FontDescriptor")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|id| doc.get_dictionary(id).ok());
        let embedded = descriptor.is_some_and(|fd| {
            fd.has(b"FontFile") || fd.has(b"FontFile2") || fd.has(b"FontFile3")
        });
        let subset = name.len() > 7
            && name.as_bytes()[6] == b'+'
            && name[..6].bytes().all(|b| b.is_ascii_uppercase());
        out.push(FontInfo { name, subtype, embedded, subset });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out.dedup_by(|a, b| a.name == b.name);
    out
}

/// JavaScript, launch actions, embedded or external files: a delivered
/// playbook has none of these.
pub(crate) fn active_content(doc: &Document) -> Vec<String> {
    let mut problems = Vec::new();
    let mut flag = |p: String| {
        if !problems.contains(&p) {
            problems.push(p);
        }
    };
    for obj in doc.objects.values() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            _ => continue,
        };
        if dict.has(b"JS") || dict.has(b"JavaScript") {
            flag("active content: JavaScript".into());
        }
        if dict.has(b"AA") {
            flag("active content: additional actions (AA)".into());
        }
        if let Ok(s) = dict.get(b"S").and_then(Object::as_name) {
            match s {
                b"JavaScript" => flag("active content: JavaScript action".into()),
                b"Launch" => flag("active content: launch action".into()),
                b"GoToR" | b"GoToE" | b"ImportData" | b"SubmitForm" => flag(format!(
                    "external reference: {} action",
                    String::from_utf8_lossy(s)
                )),
                _ => {}
            }
        }
        if dict.get(b"Type").and_then(Object::as_name).ok()
            == Some(b"Filespec".as_slice())
            || dict.has(b"EF")
        {
            flag("external reference: file specification".into());
        }
    }
    problems
}

/// Standards declared in the XMP metadata (`a-2b`, `a-3b`, `ua-1`).
pub(crate) fn declared_standards(doc: &Document) -> Vec<String> {
    let Some(xmp) = xmp(doc) else { return Vec::new() };
    let mut out = Vec::new();
    let field = |name: &str| -> Option<String> {
        // Attribute form (pdfaid:part="2") or element form (<pdfaid:part>2<).
        let attr = format!("{name}=\"");
        let elem = format!("<{name}>");
        let from = |i: usize, end: char| {
            xmp[i..].split(end).next().map(|s| s.trim().to_string())
        };
        xmp.find(&attr)
            .and_then(|i| from(i + attr.len(), '"'))
            .or_else(|| xmp.find(&elem).and_then(|i| from(i + elem.len(), '<')))
    };
    if let Some(part) = field("pdfaid:part") {
        let conf = field("pdfaid:conformance").unwrap_or_default().to_lowercase();
        out.push(format!("a-{part}{conf}"));
    }
    if let Some(part) = field("pdfuaid:part") {
        out.push(format!("ua-{part}"));
    }
    out
}

pub(crate) fn xmp(doc: &Document) -> Option<String> {
    let catalog = doc.catalog().ok()?;
    let id = catalog.get(b"Metadata").ok()?.as_reference().ok()?;
    let stream = doc.get_object(id).ok()?.as_stream().ok()?;
    let bytes = stream.decompressed_content().unwrap_or_else(|_| stream.content.clone());
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
