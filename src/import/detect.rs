//! Stage 1: what kind of file this is, from its bytes alone (a file name
//! or a media type can lie; the bytes cannot). Also decodes text files:
//! UTF-8 with or without a byte-order mark, and UTF-16 with one.
//!
//! Responsible for refusing what no reader can read with a message that
//! names what the file looks like; not for checking that a file of a
//! recognised kind is whole (the readers do that).

use super::ImportError;

/// A file's kind as its bytes show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Detected {
    Pdf,
    Docx,
    Markdown,
    Text,
    /// A JSON document: not an import, the caller reads it as JSON Resume.
    Json,
}

/// The kind of `bytes`, or why no reader takes them.
pub(crate) fn detect(bytes: &[u8]) -> Result<Detected, ImportError> {
    let head = &bytes[..bytes.len().min(1024)];
    // PDF readers accept leading junk before the header (a mail gateway's
    // preamble), and so do we, within the first kilobyte.
    if find(head, b"%PDF-").is_some() {
        return Ok(Detected::Pdf);
    }
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return zip_kind(bytes);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return Err(ole2_kind(bytes));
    }
    if bytes.starts_with(b"\x89PNG")
        || bytes.starts_with(&[0xFF, 0xD8, 0xFF])
        || bytes.starts_with(b"GIF8")
        || (bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
    {
        return Err(ImportError::Unsupported(
            "an image (a photo or scan of a resume has no text to read)".into(),
        ));
    }
    if bytes.starts_with(b"{\\rtf") {
        return Err(ImportError::Unsupported(
            "a Rich Text (.rtf) document; save it as .docx or PDF".into(),
        ));
    }
    let text = decode(bytes)?;
    Ok(text_kind(&text))
}

/// Decodes a text file: UTF-8 (a BOM is dropped) or UTF-16 with a BOM.
/// Anything else is a binary file of a kind we do not know.
pub(crate) fn decode(bytes: &[u8]) -> Result<String, ImportError> {
    let utf16 = |le: bool| -> Result<String, ImportError> {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err(ImportError::Corrupt(
                "UTF-16 text with an odd byte count".into(),
            ));
        }
        let units = body.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|_| ImportError::Corrupt("invalid UTF-16 text".into()))
    };
    let text = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        std::str::from_utf8(rest).map(str::to_owned).map_err(|_| binary())?
    } else if bytes.starts_with(&[0xFF, 0xFE]) {
        utf16(true)?
    } else if bytes.starts_with(&[0xFE, 0xFF]) {
        utf16(false)?
    } else {
        std::str::from_utf8(bytes).map(str::to_owned).map_err(|_| binary())?
    };
    // Text has no NULs or other control characters beyond layout ones; a
    // file full of them is binary that happens to be valid UTF-8.
    let controls = text
        .chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\x0c'))
        .count();
    if controls > 0 && controls * 100 > text.chars().count().max(1) {
        return Err(binary());
    }
    Ok(text)
}

fn binary() -> ImportError {
    ImportError::Unsupported(
        "a binary file of an unknown kind (not PDF, DOCX or UTF-8 text)".into(),
    )
}

/// Markdown when it has the marks of it (`#` headings, `**bold**`, `- `
/// lists); JSON when it is a JSON object or array; plain text otherwise.
fn text_kind(text: &str) -> Detected {
    let trimmed = text.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
    {
        return Detected::Json;
    }
    // A `{` that is not valid JSON is still meant as JSON (a resume.json
    // with a stray comma): the JSON reader explains what is wrong better
    // than an import of braces would.
    if trimmed.starts_with('{') {
        return Detected::Json;
    }
    let mut marks = 0;
    for line in text.lines().take(400) {
        let l = line.trim_start();
        if l.starts_with("# ") || l.starts_with("## ") || l.starts_with("### ") {
            marks += 2;
        }
        if l.contains("**") {
            marks += 1;
        }
        if (l.starts_with("- ") || l.starts_with("* ")) && line.starts_with(l) {
            marks += 1;
        }
        if l.starts_with("[") && l.contains("](") {
            marks += 1;
        }
    }
    if marks >= 3 { Detected::Markdown } else { Detected::Text }
}

/// A zip: a DOCX when it holds `word/document.xml`, else what it is.
fn zip_kind(bytes: &[u8]) -> Result<Detected, ImportError> {
    // The central directory names every entry; looking for the names in
    // the bytes avoids opening the archive twice.
    if find(bytes, b"word/document.xml").is_some() {
        return Ok(Detected::Docx);
    }
    let what = if find(bytes, b"xl/workbook.xml").is_some() {
        "an Excel spreadsheet (.xlsx)"
    } else if find(bytes, b"ppt/presentation.xml").is_some() {
        "a PowerPoint presentation (.pptx)"
    } else if find(bytes, b"application/vnd.oasis.opendocument.text").is_some() {
        "an OpenDocument text (.odt); save it as .docx or PDF"
    } else if find(bytes, b"application/vnd.oasis.opendocument").is_some() {
        "an OpenDocument file (.ods, .odp)"
    } else if find(bytes, b"META-INF/container.xml").is_some() {
        "an e-book (.epub)"
    } else {
        "a zip archive"
    };
    Err(ImportError::Unsupported(what.into()))
}

/// An OLE2 compound file: an old binary Word document, or an encrypted
/// Office file (Office wraps every password-protected .docx in OLE2 with
/// an `EncryptionInfo` stream).
fn ole2_kind(bytes: &[u8]) -> ImportError {
    // Directory entry names are UTF-16LE.
    let utf16 =
        |s: &str| s.encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>();
    if find(bytes, &utf16("EncryptionInfo")).is_some()
        || find(bytes, &utf16("EncryptedPackage")).is_some()
    {
        return ImportError::Encrypted;
    }
    if find(bytes, &utf16("WordDocument")).is_some() {
        return ImportError::Unsupported(
            "an old Word .doc (Word 97–2003); save it as .docx or PDF".into(),
        );
    }
    ImportError::Unsupported(
        "an old Office file (.doc, .xls or .ppt); save it as .docx or PDF".into(),
    )
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes() {
        assert_eq!(detect(b"%PDF-1.7\n...").unwrap(), Detected::Pdf);
        assert_eq!(detect(b"junk\r\n%PDF-1.4\n").unwrap(), Detected::Pdf);
        assert_eq!(detect(b"{\"basics\": {}}").unwrap(), Detected::Json);
        assert_eq!(detect(b"{\"basics\": {},}").unwrap(), Detected::Json);
        assert_eq!(detect(b"Jane Doe\njane@example.com\n").unwrap(), Detected::Text);
        assert_eq!(
            detect(b"# Jane Doe\n\n## Experience\n\n- **Built** things\n").unwrap(),
            Detected::Markdown
        );
        assert_eq!(detect(b"\xEF\xBB\xBFJane").unwrap(), Detected::Text);
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Jane Doe\nEngineer".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(detect(&utf16).unwrap(), Detected::Text);
        assert_eq!(decode(&utf16).unwrap(), "Jane Doe\nEngineer");
    }

    #[test]
    fn unreadable_kinds_say_what_they_look_like() {
        let says = |bytes: &[u8], what: &str| match detect(bytes) {
            Err(ImportError::Unsupported(m)) => assert!(m.contains(what), "{m}"),
            other => panic!("{other:?}"),
        };
        says(b"\x89PNG\r\n\x1a\n....", "an image");
        says(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0], "an image");
        says(b"GIF89a...", "an image");
        says(b"PK\x03\x04....xl/workbook.xml", ".xlsx");
        says(b"PK\x03\x04....mimetypeapplication/vnd.oasis.opendocument.text", ".odt");
        says(b"PK\x03\x04....other", "a zip archive");
        says(&[0, 1, 2, 3, 0xFF, 0xFE, 0x00, 0x81], "binary");
        let mut doc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        doc.extend("WordDocument".encode_utf16().flat_map(u16::to_le_bytes));
        says(&doc, "old Word .doc");
        let mut enc = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        enc.extend("EncryptionInfo".encode_utf16().flat_map(u16::to_le_bytes));
        assert_eq!(detect(&enc), Err(ImportError::Encrypted));
    }
}
