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

/// Outline entries a file may have before the rest is ignored: a real
/// playbook has a few hundred.
const MAX_OUTLINE_ENTRIES: usize = 10_000;

/// The outline as a tree. Every entry is visited at most once and the
/// walk stops after [`MAX_OUTLINE_ENTRIES`]: a crafted file whose `/First`
/// or `/Next` points back at an ancestor would otherwise be walked
/// without end (one such file took `inspect` past 3 GB).
pub(crate) fn outline_tree(doc: &Document) -> Vec<OutlineEntry> {
    struct Walk<'a> {
        doc: &'a Document,
        seen: std::collections::HashSet<lopdf::ObjectId>,
    }
    impl Walk<'_> {
        fn level(
            &mut self,
            first: Option<lopdf::ObjectId>,
            depth: usize,
        ) -> Vec<OutlineEntry> {
            let mut out = Vec::new();
            let mut next = first;
            while let Some(id) = next {
                if depth > 32
                    || self.seen.len() >= MAX_OUTLINE_ENTRIES
                    || !self.seen.insert(id)
                {
                    break;
                }
                let Ok(item) = self.doc.get_dictionary(id) else { break };
                let title = item.get(b"Title").map(text_of).unwrap_or_default();
                let child = item.get(b"First").and_then(Object::as_reference).ok();
                next = item.get(b"Next").and_then(Object::as_reference).ok();
                let children = self.level(child, depth + 1);
                out.push(OutlineEntry { title, children });
            }
            out
        }
    }
    let Ok(catalog) = doc.catalog() else { return Vec::new() };
    let Some(root) = catalog.get(b"Outlines").and_then(Object::as_reference).ok() else {
        return Vec::new();
    };
    let Ok(outlines) = doc.get_dictionary(root) else { return Vec::new() };
    let mut walk = Walk { doc, seen: std::collections::HashSet::from([root]) };
    walk.level(outlines.get(b"First").and_then(Object::as_reference).ok(), 0)
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
    // Actions usually sit inline in the annotation that uses them
    // (`/A << /S /URI … >>`), not as objects of their own: every nested
    // dictionary is checked, to a bounded depth (references are objects
    // of their own and are visited as such).
    let mut stack: Vec<(&Object, u32)> = doc.objects.values().map(|o| (o, 0)).collect();
    while let Some((obj, depth)) = stack.pop() {
        let dict = match obj {
            Object::Dictionary(d) => d,
            Object::Stream(s) => &s.dict,
            Object::Array(items) if depth < 32 => {
                stack.extend(items.iter().map(|o| (o, depth + 1)));
                continue;
            }
            _ => continue,
        };
        if depth < 32 {
            stack.extend(dict.iter().map(|(_, v)| (v, depth + 1)));
        }
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
                b"URI" => {
                    let uri = dict.get(b"URI").map(text_of).unwrap_or_default();
                    if !allowed_link(&uri) {
                        flag(format!(
                            "links: {uri:?} is not an http(s) or mailto link (a playbook links to web pages and its own pages only)"
                        ));
                    }
                }
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

/// Whether a link target may appear in a delivered playbook: web pages
/// and mail addresses. `file:`, `javascript:`, `data:` and every other
/// scheme could reach the reader's machine; internal links are GoTo
/// actions or destinations, not URIs.
fn allowed_link(uri: &str) -> bool {
    let scheme = uri.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
    matches!(scheme.as_deref(), Some("http" | "https" | "mailto"))
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

#[cfg(test)]
mod tests {
    use lopdf::{Document, Object, dictionary};

    use super::active_content;

    /// A document with one link annotation whose action, inline as typst
    /// writes it, goes to `uri`.
    fn with_link(uri: &str) -> Document {
        let mut doc = Document::with_version("1.7");
        let action = dictionary! { "S" => "URI", "URI" => Object::string_literal(uri) };
        let annot = dictionary! {
            "Type" => "Annot",
            "Subtype" => "Link",
            "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "A" => action,
        };
        let annot = doc.add_object(annot);
        doc.add_object(dictionary! { "Type" => "Page", "Annots" => vec![annot.into()] });
        doc
    }

    #[test]
    fn a_self_referential_outline_is_walked_once() {
        // Issue 14: /First and /Next pointing back at the entry itself.
        let mut doc = Document::with_version("1.7");
        let outlines = doc.new_object_id();
        let item = doc.new_object_id();
        doc.objects.insert(
            item,
            Object::Dictionary(dictionary! {
                "Title" => Object::string_literal("loop"),
                "Parent" => outlines,
                "First" => item,
                "Next" => item,
                "Last" => item,
            }),
        );
        doc.objects.insert(
            outlines,
            Object::Dictionary(
                dictionary! { "Type" => "Outlines", "First" => item, "Last" => item },
            ),
        );
        let catalog =
            doc.add_object(dictionary! { "Type" => "Catalog", "Outlines" => outlines });
        doc.trailer.set("Root", catalog);
        let tree = super::outline_tree(&doc);
        assert_eq!(tree.len(), 1);
        assert!(tree[0].children.is_empty());
    }

    #[test]
    fn links_are_web_or_mail_only() {
        for ok in
            ["https://example.com/a", "http://example.com", "mailto:ada@example.com"]
        {
            assert!(active_content(&with_link(ok)).is_empty(), "{ok}");
        }
        for bad in [
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/html,x",
            "FILE:/x",
            "relative/path",
        ] {
            let problems = active_content(&with_link(bad));
            assert!(
                problems.iter().any(|p| p.starts_with("links:") && p.contains(bad)),
                "{bad}: {problems:?}"
            );
        }
    }
}
