//! JSON parsing that reports where a problem is: the file, line and column
//! for syntax errors and the JSON path (`work[1].startDate`) plus what was
//! expected for type and format errors.

use serde::de::DeserializeOwned;

use crate::error::Diagnostic;

/// Largest resume, job or order document accepted, in bytes. Real resumes are
/// a few kilobytes; anything near this is a mistake or an attack.
pub const MAX_INPUT_BYTES: usize = 2 * 1024 * 1024;

/// Parses `text` as `T`, locating errors in `file` and prefixing JSON paths
/// with `prefix` (empty for a whole document).
pub(crate) fn parse<T: DeserializeOwned>(
    text: &str,
    file: Option<&str>,
    prefix: &str,
) -> Result<T, Diagnostic> {
    parse_at(text, file, prefix, (1, 1))
}

/// Like [`parse`], for a fragment that starts at `(line, column)` of its file.
pub(crate) fn parse_at<T: DeserializeOwned>(
    text: &str,
    file: Option<&str>,
    prefix: &str,
    origin: (usize, usize),
) -> Result<T, Diagnostic> {
    parse_limited(text, file, prefix, origin, MAX_INPUT_BYTES)
}

/// Parses a content pack: trusted, larger than any resume, same diagnostics.
pub(crate) fn parse_pack<T: DeserializeOwned>(
    text: &str,
    file: &str,
) -> Result<T, Diagnostic> {
    parse_limited(text, Some(file), "", (1, 1), 64 * MAX_INPUT_BYTES)
}

fn parse_limited<T: DeserializeOwned>(
    text: &str,
    file: Option<&str>,
    prefix: &str,
    origin: (usize, usize),
    limit: usize,
) -> Result<T, Diagnostic> {
    if text.len() > limit {
        let mut d = Diagnostic::new(format!(
            "document is {} bytes; at most {} bytes ({} MiB) are accepted",
            text.len(),
            limit,
            limit / (1024 * 1024)
        ));
        d.file = file.map(Into::into);
        if !prefix.is_empty() {
            d.path = Some(prefix.into());
        }
        return Err(d);
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result = serde_path_to_error::deserialize(&mut de);
    let value = result.map_err(|err| {
        let path = join_path(prefix, &err.path().to_string());
        let inner = err.into_inner();
        let (line, column) = shift(origin, inner.line(), inner.column());
        let mut message = inner.to_string();
        // serde_json appends " at line L column C"; the diagnostic carries
        // the position itself, relative to the whole file.
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        if inner.is_syntax() || inner.is_eof() {
            message = format!("malformed JSON ({message})");
        }
        Diagnostic {
            file: file.map(Into::into),
            path: (!inner.is_syntax() && !inner.is_eof()).then_some(path).flatten(),
            line: (line > 0).then_some(line),
            column: (line > 0).then_some(column),
            message,
        }
    })?;
    // Trailing characters after the document are a syntax error too.
    de.end().map_err(|e| {
        let (line, column) = shift(origin, e.line(), e.column());
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        Diagnostic {
            file: file.map(Into::into),
            path: None,
            line: Some(line),
            column: Some(column),
            message: format!("malformed JSON ({message})"),
        }
    })?;
    Ok(value)
}

/// Line and column (1-based) of byte `offset` in `text`.
pub(crate) fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

fn shift(origin: (usize, usize), line: usize, column: usize) -> (usize, usize) {
    if line == 0 {
        (0, 0)
    } else if line == 1 {
        (origin.0, origin.1 + column - 1)
    } else {
        (origin.0 + line - 1, column)
    }
}

fn join_path(prefix: &str, path: &str) -> Option<String> {
    let path = if path == "." { "" } else { path };
    match (prefix.is_empty(), path.is_empty()) {
        (true, true) => None,
        (true, false) => Some(path.into()),
        (false, true) => Some(prefix.into()),
        (false, false) if path.starts_with('[') => Some(format!("{prefix}{path}")),
        (false, false) => Some(format!("{prefix}.{path}")),
    }
}

/// Parses a whole document into a type that borrows from it (raw fragments).
pub(crate) fn parse_borrowed<'a, T: serde::Deserialize<'a>>(
    text: &'a str,
    file: Option<&str>,
) -> Result<T, Diagnostic> {
    if text.len() > MAX_INPUT_BYTES * 2 {
        return Err(Diagnostic::new(format!(
            "order is {} bytes; at most {} bytes are accepted",
            text.len(),
            MAX_INPUT_BYTES * 2
        )));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let result = serde_path_to_error::deserialize(&mut de);
    result.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let mut message = inner.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        let syntax = inner.is_syntax() || inner.is_eof();
        if syntax {
            message = format!("malformed JSON ({message})");
        }
        Diagnostic {
            file: file.map(Into::into),
            path: (!syntax && path != ".").then_some(path),
            line: (inner.line() > 0).then_some(inner.line()),
            column: (inner.line() > 0).then_some(inner.column()),
            message,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Doc {
        items: Vec<Item>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        n: u32,
    }

    #[test]
    fn type_errors_name_the_json_path() {
        let err =
            parse::<Doc>(r#"{"items": [{"n": 1}, {"n": "x"}]}"#, Some("f.json"), "")
                .unwrap_err();
        assert_eq!(err.path.as_deref(), Some("items[1].n"));
        assert!(err.message.contains("expected u32"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let err = parse::<Doc>("{\n  \"items\": [,]\n}", Some("f.json"), "").unwrap_err();
        assert_eq!((err.line, err.column), (Some(2), Some(13)));
        assert!(err.message.starts_with("malformed JSON"));
    }

    #[test]
    fn fragments_report_positions_in_their_file() {
        let err = parse_at::<Doc>("{\"items\": 5}", None, "resume", (3, 12)).unwrap_err();
        assert_eq!(err.path.as_deref(), Some("resume.items"));
        assert_eq!(err.line, Some(3));
        assert!(err.column.unwrap() > 12);
    }

    #[test]
    fn oversized_documents_are_refused() {
        let big = format!("\"{}\"", "a".repeat(MAX_INPUT_BYTES));
        let err = parse::<String>(&big, None, "").unwrap_err();
        assert!(err.message.contains("at most"));
    }
}
