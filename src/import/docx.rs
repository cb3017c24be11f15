//! Stage 2 for Word documents: the paragraphs of `word/document.xml` (and
//! of the page headers, where templates put the contact line) into
//! [`Line`]s, with what Word states about them: the heading level of the
//! paragraph style (resolved through `word/styles.xml` when the style id is
//! a localised or custom one), list numbering as bullets, bold runs, tabs
//! as `\t`, line breaks as new lines, and table rows as one line of
//! `\t`-joined cells.
//!
//! Bounded: the zip's entry count, the bytes inflated (counted while
//! inflating, so a zip bomb stops at the limit however its sizes are
//! declared), and one work unit per XML event. Responsible for reading;
//! not for what the lines mean.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::result::ZipError;

use super::{Budget, ImportError, ImportLimits, Line, text};

/// What a paragraph style says, once its `basedOn` chain is followed.
#[derive(Debug, Clone, Default)]
struct Style {
    name: String,
    based_on: Option<String>,
    outline: Option<u8>,
    bold: Option<bool>,
    list: bool,
}

/// The lines of a DOCX file.
pub(crate) fn read(
    bytes: &[u8],
    limits: &ImportLimits,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    let mut zip = ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| ImportError::Corrupt(format!("not a readable zip archive: {e}")))?;
    if zip.len() > limits.max_zip_entries as usize {
        return Err(ImportError::TooLarge {
            what: "zip entries",
            limit: limits.max_zip_entries.into(),
        });
    }
    let mut left = limits.max_decompressed;
    let styles = match entry(&mut zip, "word/styles.xml", &mut left, limits)? {
        Some(xml) => styles(&xml, budget)?,
        None => HashMap::new(),
    };
    let mut names: Vec<String> = zip
        .file_names()
        .filter_map(Result::ok)
        .filter(|n| n.starts_with("word/header") && n.ends_with(".xml"))
        .map(|n| n.into_owned())
        .collect();
    names.sort();
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    for name in names {
        if let Some(xml) = entry(&mut zip, &name, &mut left, limits)? {
            // Headers repeat (first page, default, even pages): keep each
            // line once.
            for l in paragraphs(&xml, &styles, limits, budget)? {
                if !seen.contains(&l.text) {
                    seen.push(l.text.clone());
                    lines.push(l);
                }
            }
        }
    }
    let doc = entry(&mut zip, "word/document.xml", &mut left, limits)?
        .ok_or_else(|| ImportError::Corrupt("word/document.xml is missing".into()))?;
    lines.extend(paragraphs(&doc, &styles, limits, budget)?);
    if lines.len() > limits.max_lines as usize {
        return Err(ImportError::TooLarge {
            what: "lines",
            limit: limits.max_lines.into(),
        });
    }
    Ok(lines)
}

/// One zip entry, inflated with the bytes counted against what is left of
/// the limit; `None` when the archive has no such entry.
fn entry(
    zip: &mut ZipArchive<Cursor<&[u8]>>,
    name: &str,
    left: &mut u64,
    limits: &ImportLimits,
) -> Result<Option<Vec<u8>>, ImportError> {
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(ZipError::FileNotFound) => return Ok(None),
        Err(ZipError::UnsupportedArchive(m)) if m == ZipError::PASSWORD_REQUIRED => {
            return Err(ImportError::Encrypted);
        }
        Err(e) => return Err(ImportError::Corrupt(format!("{name}: {e}"))),
    };
    let mut out = Vec::new();
    // One byte past what is left tells "exactly at the limit" from "over".
    file.take(*left + 1)
        .read_to_end(&mut out)
        .map_err(|e| ImportError::Corrupt(format!("{name}: {e}")))?;
    if out.len() as u64 > *left {
        return Err(ImportError::TooLarge {
            what: "bytes decompressed",
            limit: limits.max_decompressed,
        });
    }
    *left -= out.len() as u64;
    Ok(Some(out))
}

fn attr(e: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// `<w:b/>`, `<w:b w:val="true"/>` on; `w:val="0"|"false"|"off"` off.
fn on(e: &BytesStart<'_>) -> bool {
    !matches!(attr(e, b"w:val").as_deref(), Some("0" | "false" | "off" | "none"))
}

fn xml_error(e: impl std::fmt::Display) -> ImportError {
    ImportError::Corrupt(format!("malformed XML in the document ({e})"))
}

/// Paragraph styles by id.
fn styles(
    xml: &[u8],
    budget: &mut Budget,
) -> Result<HashMap<String, Style>, ImportError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = HashMap::new();
    let mut cur: Option<(String, Style)> = None;
    loop {
        budget.spend(1)?;
        let ev = reader.read_event_into(&mut buf).map_err(xml_error)?;
        match &ev {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"w:style" => {
                    cur = attr(e, b"w:styleId").map(|id| (id, Style::default()));
                }
                b"w:name" => {
                    if let (Some((_, s)), Some(v)) = (&mut cur, attr(e, b"w:val")) {
                        s.name = v;
                    }
                }
                b"w:basedOn" => {
                    if let Some((_, s)) = &mut cur {
                        s.based_on = attr(e, b"w:val");
                    }
                }
                b"w:outlineLvl" => {
                    if let Some((_, s)) = &mut cur {
                        s.outline = attr(e, b"w:val")
                            .and_then(|v| v.parse::<u8>().ok())
                            .map(|l| l + 1);
                    }
                }
                b"w:b" => {
                    if let Some((_, s)) = &mut cur {
                        s.bold = Some(on(e));
                    }
                }
                b"w:numPr" => {
                    if let Some((_, s)) = &mut cur {
                        s.list = true;
                    }
                }
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"w:style" => {
                if let Some((id, s)) = cur.take() {
                    out.insert(id, s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

/// A heading level from a style id or name: `Heading2`, `heading 2`,
/// `Title` (the name on most templates), or an outline level.
fn heading_of(id: &str, styles: &HashMap<String, Style>) -> Option<u8> {
    let mut key = Some(id.to_string());
    for _ in 0..10 {
        let k = key.take()?;
        let style = styles.get(&k);
        for name in
            [Some(k.as_str()), style.map(|s| s.name.as_str())].into_iter().flatten()
        {
            let n = name.to_lowercase().replace(' ', "");
            if n == "title" {
                return Some(1);
            }
            if let Some(d) = n.strip_prefix("heading").and_then(|d| d.parse::<u8>().ok())
            {
                return Some(d.clamp(1, 9));
            }
        }
        if let Some(l) = style.and_then(|s| s.outline) {
            return Some(l);
        }
        key = style.and_then(|s| s.based_on.clone());
    }
    None
}

fn style_flag(
    id: &str,
    styles: &HashMap<String, Style>,
    f: impl Fn(&Style) -> Option<bool>,
) -> Option<bool> {
    let mut key = Some(id.to_string());
    for _ in 0..10 {
        let style = styles.get(&key.take()?)?;
        if let Some(v) = f(style) {
            return Some(v);
        }
        key = style.based_on.clone();
    }
    None
}

/// A paragraph being read.
#[derive(Default)]
struct Para {
    style: Option<String>,
    list: bool,
    outline: Option<u8>,
    /// Text pieces split at line breaks.
    parts: Vec<String>,
    bold_chars: usize,
    chars: usize,
    /// Whether the paragraph's first visible text is bold (an entry head
    /// like "**Acme** — Engineer").
    first_bold: Option<bool>,
    /// Largest explicit run size, in points.
    size: f32,
}

/// A table cell's paragraphs.
type Cell = Vec<Line>;

/// The lines of one part (document or header).
fn paragraphs(
    xml: &[u8],
    styles: &HashMap<String, Style>,
    limits: &ImportLimits,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    let mut reader = Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out: Vec<Line> = Vec::new();
    // Paragraphs nest (a text box inside a run), so they are a stack.
    let mut paras: Vec<Para> = Vec::new();
    let mut in_ppr = false;
    let mut in_rpr = false;
    let mut in_text = false;
    let mut run_bold: Option<bool> = None;
    let mut run_size = 0.0f32;
    let mut run_style_bold = false;
    // Tables: rows of cells of lines; nesting is flattened into the
    // outermost table.
    let mut tables: Vec<Vec<Cell>> = Vec::new();
    let mut skip_depth = 0usize;
    let mut empty_paras = 0u32;
    loop {
        budget.spend(1)?;
        let ev = reader.read_event_into(&mut buf).map_err(xml_error)?;
        if skip_depth > 0 {
            match &ev {
                Event::Start(_) => skip_depth += 1,
                Event::End(_) => skip_depth -= 1,
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
            continue;
        }
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                match e.name().as_ref() {
                    // The fallback repeats the choice's text for old readers.
                    b"mc:Fallback" | b"w:delText" | b"w:instrText" if !empty => {
                        skip_depth = 1
                    }
                    b"w:p" if !empty => paras.push(Para::default()),
                    b"w:pPr" if !empty => in_ppr = true,
                    b"w:rPr" if !empty => in_rpr = true,
                    b"w:pStyle" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.style = attr(e, b"w:val");
                        }
                    }
                    b"w:numPr" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.list = true;
                        }
                    }
                    b"w:numId" if in_ppr => {
                        // numId 0 switches numbering off.
                        if attr(e, b"w:val").as_deref() == Some("0")
                            && let Some(p) = paras.last_mut()
                        {
                            p.list = false;
                        }
                    }
                    b"w:outlineLvl" if in_ppr => {
                        if let Some(p) = paras.last_mut() {
                            p.outline = attr(e, b"w:val")
                                .and_then(|v| v.parse::<u8>().ok())
                                .map(|l| l + 1);
                        }
                    }
                    b"w:r" if !empty => {
                        run_bold = None;
                        run_size = 0.0;
                        run_style_bold = false;
                    }
                    b"w:rStyle" if in_rpr && !in_ppr => {
                        run_style_bold = attr(e, b"w:val")
                            .and_then(|id| style_flag(&id, styles, |s| s.bold))
                            .unwrap_or(false);
                    }
                    b"w:b" if in_rpr && !in_ppr => run_bold = Some(on(e)),
                    b"w:sz" if in_rpr && !in_ppr => {
                        run_size = attr(e, b"w:val")
                            .and_then(|v| v.parse::<f32>().ok())
                            .map_or(0.0, |h| h / 2.0);
                    }
                    b"w:t" if !empty => in_text = true,
                    b"w:tab" if !in_ppr => push_text(&mut paras, "\t", false),
                    b"w:br" | b"w:cr" => {
                        if let Some(p) = paras.last_mut() {
                            p.parts.push(String::new());
                        }
                    }
                    b"w:noBreakHyphen" => push_text(&mut paras, "-", false),
                    b"w:tbl" if !empty => tables.push(Vec::new()),
                    b"w:tr" if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.clear();
                        }
                    }
                    b"w:tc" if !empty => {
                        if let Some(t) = tables.last_mut() {
                            t.push(Vec::new());
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) if in_text => {
                let s = t.decode().map_err(xml_error)?;
                push_run(&mut paras, &s, run_bold, run_style_bold, run_size);
            }
            Event::GeneralRef(r) if in_text => {
                let s = match r.resolve_char_ref().map_err(xml_error)? {
                    Some(c) => c.to_string(),
                    None => match r.decode().map_err(xml_error)?.as_ref() {
                        "amp" => "&".into(),
                        "lt" => "<".into(),
                        "gt" => ">".into(),
                        "quot" => "\"".into(),
                        "apos" => "'".into(),
                        _ => String::new(),
                    },
                };
                push_run(&mut paras, &s, run_bold, run_style_bold, run_size);
            }
            Event::End(e) => match e.name().as_ref() {
                b"w:pPr" => in_ppr = false,
                b"w:rPr" => in_rpr = false,
                b"w:t" => in_text = false,
                b"w:p" => {
                    let Some(p) = paras.pop() else { continue };
                    let new = finish(p, styles, &mut empty_paras, out.last());
                    match tables.last_mut().and_then(|t| t.last_mut()) {
                        Some(cell) => cell.extend(new),
                        None => out.extend(new),
                    }
                    if out.len() > limits.max_lines as usize {
                        return Err(ImportError::TooLarge {
                            what: "lines",
                            limit: limits.max_lines.into(),
                        });
                    }
                }
                b"w:tr" => {
                    let row = tables.last_mut().map(std::mem::take).unwrap_or_default();
                    let lines = row_lines(row);
                    // A row of a nested table joins the outer table's cell.
                    let depth = tables.len();
                    match (depth > 1)
                        .then(|| tables.get_mut(depth - 2).and_then(|t| t.last_mut()))
                        .flatten()
                    {
                        Some(cell) => cell.extend(lines),
                        None => out.extend(lines),
                    }
                }
                b"w:tbl" => {
                    tables.pop();
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn push_text(paras: &mut [Para], s: &str, bold: bool) {
    if let Some(p) = paras.last_mut() {
        if p.parts.is_empty() {
            p.parts.push(String::new());
        }
        if let Some(last) = p.parts.last_mut() {
            last.push_str(s);
        }
        let n = s.chars().filter(|c| !c.is_whitespace()).count();
        if n > 0 && p.first_bold.is_none() {
            p.first_bold = Some(bold);
        }
        p.chars += n;
        if bold {
            p.bold_chars += n;
        }
    }
}

fn push_run(
    paras: &mut [Para],
    s: &str,
    run_bold: Option<bool>,
    style_bold: bool,
    size: f32,
) {
    push_text(paras, s, run_bold.unwrap_or(style_bold));
    if let Some(p) = paras.last_mut()
        && size > p.size
    {
        p.size = size;
    }
}

/// A finished paragraph as lines (one per line break).
fn finish(
    p: Para,
    styles: &HashMap<String, Style>,
    empty_paras: &mut u32,
    prev: Option<&Line>,
) -> Vec<Line> {
    let style = p.style.as_deref().unwrap_or("Normal");
    let heading = p.outline.filter(|&l| l <= 9).or_else(|| heading_of(style, styles));
    let list =
        p.list || style_flag(style, styles, |s| s.list.then_some(true)).unwrap_or(false);
    let style_bold = style_flag(style, styles, |s| s.bold).unwrap_or(false);
    let opens_bold = p.first_bold == Some(true) && p.bold_chars * 5 >= p.chars * 2;
    let bold = p.chars > 0
        && (p.bold_chars * 2 > p.chars
            || opens_bold
            || (style_bold && p.bold_chars == 0 && heading.is_none()));
    let mut out = Vec::new();
    for part in p.parts {
        let mut textline = part
            .split('\t')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join("\t");
        if textline.is_empty() {
            continue;
        }
        let mut bullet = list;
        if let Some(rest) = text::strip_bullet(&textline) {
            bullet = true;
            textline = rest.to_string();
        }
        // Word has no wrapped lines: a paragraph after a list item is a
        // new paragraph, never the item's continuation, so it gets the
        // gap that says so to recognition.
        let after_list = prev.is_some_and(|l| l.bullet) && !bullet;
        let gap = *empty_paras as f32 + if after_list { 1.0 } else { 0.0 };
        out.push(Line {
            text: textline,
            page: 1,
            size: p.size,
            bold,
            heading,
            bullet,
            gap_before: gap.min(3.0),
            ..Line::default()
        });
        *empty_paras = 0;
    }
    if out.is_empty() {
        *empty_paras += 1;
    }
    out
}

/// A table row: one line of `\t`-joined cells when each cell is one line;
/// a layout table (cells of several paragraphs) keeps its lines, cell
/// after cell.
fn row_lines(row: Vec<Cell>) -> Vec<Line> {
    if row.iter().all(|c| c.len() <= 1) {
        let cells: Vec<&Line> = row.iter().filter_map(|c| c.first()).collect();
        let Some(first) = cells.first() else { return Vec::new() };
        let mut line = (*first).clone();
        line.text = cells.iter().map(|c| c.text.as_str()).collect::<Vec<_>>().join("\t");
        line.bold = cells.iter().any(|c| c.bold);
        return vec![line];
    }
    row.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn docx(document: &str, styles: Option<&str>) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        w.start_file("word/document.xml", opts).unwrap();
        w.write_all(document.as_bytes()).unwrap();
        if let Some(s) = styles {
            w.start_file("word/styles.xml", opts).unwrap();
            w.write_all(s.as_bytes()).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn lines(bytes: &[u8]) -> Result<Vec<Line>, ImportError> {
        let limits = ImportLimits::default();
        read(bytes, &limits, &mut Budget::new(&limits))
    }

    #[test]
    fn paragraphs_styles_lists_tabs_and_tables() {
        let doc = r#"<w:document xmlns:w="w"><w:body>
<w:p><w:pPr><w:pStyle w:val="Title"/></w:pPr><w:r><w:t>Jane Doe</w:t></w:r></w:p>
<w:p><w:pPr><w:pStyle w:val="berschrift2"/></w:pPr><w:r><w:t>Berufserfahrung</w:t></w:r></w:p>
<w:p><w:r><w:rPr><w:b/></w:rPr><w:t>Acme &amp; Co</w:t></w:r><w:r><w:tab/><w:t>2020 – 2021</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Built</w:t></w:r><w:r><w:t xml:space="preserve"> things</w:t></w:r></w:p>
<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>Line two</w:t></w:r></w:p>
<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Languages</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Rust, Go</w:t></w:r></w:p></w:tc></w:tr></w:tbl>
</w:body></w:document>"#;
        let styles = r#"<w:styles xmlns:w="w"><w:style w:styleId="berschrift2"><w:name w:val="heading 2"/></w:style></w:styles>"#;
        let l = lines(&docx(doc, Some(styles))).unwrap();
        let texts: Vec<&str> = l.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Jane Doe",
                "Berufserfahrung",
                "Acme & Co\t2020 – 2021",
                "Built things",
                "Line one",
                "Line two",
                "Languages\tRust, Go"
            ]
        );
        assert_eq!((l[0].heading, l[1].heading), (Some(1), Some(2)));
        assert!(l[2].bold && !l[3].bold, "{l:?}");
        assert!(l[3].bullet);
        assert_eq!(l[4].gap_before, 1.0);
    }

    #[test]
    fn a_zip_bomb_stops_at_the_decompressed_limit() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        w.start_file("word/document.xml", opts).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..24 {
            w.write_all(&zeros).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert!(bytes.len() < 200_000, "the bomb is small: {}", bytes.len());
        assert_eq!(
            lines(&bytes).unwrap_err(),
            ImportError::TooLarge { what: "bytes decompressed", limit: 20 << 20 }
        );
    }

    #[test]
    fn too_many_entries_and_damage_are_refused() {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default();
        for i in 0..1001 {
            w.start_file(format!("word/media/{i}.bin"), opts).unwrap();
        }
        let bytes = w.finish().unwrap().into_inner();
        assert!(matches!(
            lines(&bytes),
            Err(ImportError::TooLarge { what: "zip entries", .. })
        ));
        let mut cut = docx("<w:document/>", None);
        cut.truncate(cut.len() - 30);
        assert!(matches!(lines(&cut), Err(ImportError::Corrupt(_))));
        let bad = docx("<w:document><w:p></w:document>", None);
        assert!(matches!(lines(&bad), Err(ImportError::Corrupt(_))));
    }
}
