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
        } else if let Some(better) = unknown_field(&message) {
            // The path already ends with the unknown field.
            message = better;
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

/// serde's "unknown field `x`, expected one of `a`, `b`" with a suggestion
/// instead of the list: the expected field nearest in spelling, if it is
/// near; the list (without backticks) otherwise.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, expected) = rest.split_once('`')?;
    // serde lists the fields as "`a`", "`a` or `b`" or "one of `a`, `b`, …".
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    // Near: a typo or two, fewer in short names (`id` is no guess for `xy`).
    let near = |k: &str| (k.chars().count().max(field.chars().count()) / 3).max(1);
    let best = known
        .iter()
        .map(|k| (edit_distance(field, k), *k))
        .filter(|(d, k)| *d <= near(k))
        .min();
    Some(match best {
        Some((_, k)) => format!("unknown field `{field}`; did you mean `{k}`?"),
        None if known.is_empty() => {
            format!("unknown field `{field}` (this object takes no fields)")
        }
        None => format!("unknown field `{field}` (expected one of {})", known.join(", ")),
    })
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`,
/// in characters: the optimal string alignment distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows of the table: two back (for swaps), the last and this one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            row[j] = (last[j - 1] + cost).min(last[j] + 1).min(row[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
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
        } else if let Some(better) = unknown_field(&message) {
            message = better;
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
    use std::collections::BTreeMap;

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

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Strict {
        questions: Vec<u32>,
        tips: Vec<u32>,
    }

    #[test]
    fn unknown_fields_name_their_path_and_the_likely_field() {
        let err = parse::<BTreeMap<String, Strict>>(
            r#"{"mle": {"questions": [], "tips": [], "questons": []}}"#,
            Some("roles.json"),
            "",
        )
        .unwrap_err();
        assert_eq!(err.path.as_deref(), Some("mle.questons"));
        assert_eq!(err.message, "unknown field `questons`; did you mean `questions`?");
        let far = parse::<Strict>(r#"{"zzz": 1}"#, None, "roles.mle").unwrap_err();
        assert_eq!(far.path.as_deref(), Some("roles.mle.zzz"));
        assert_eq!(far.message, "unknown field `zzz` (expected one of questions, tips)");
        let swapped = parse::<Strict>(r#"{"tpis": []}"#, None, "").unwrap_err();
        assert_eq!(swapped.message, "unknown field `tpis`; did you mean `tips`?");
    }

    #[test]
    fn edit_distance_counts_typos() {
        assert_eq!(edit_distance("questons", "questions"), 1);
        assert_eq!(edit_distance("tpis", "tips"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn oversized_documents_are_refused() {
        let big = format!("\"{}\"", "a".repeat(MAX_INPUT_BYTES));
        let err = parse::<String>(&big, None, "").unwrap_err();
        assert!(err.message.contains("at most"));
    }
}
