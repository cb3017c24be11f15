//! Stage 2 for plain text and Markdown: the file's lines into [`Line`]s.
//! Markdown's marks become layout facts (`#` → heading level, `**…**`
//! around a line → bold, `- ` → bullet); plain text gets what a typed
//! resume shows: underlined headings, list markers, blank lines as gaps,
//! and a right-hand column (a date set off by tabs or a run of spaces)
//! joined with `\t`.
//!
//! Responsible for the marks of one line and its neighbours; not for what
//! the lines mean (`sections`, `entries`). `Line::x` holds the indent in
//! columns here, since a text file has no points.

use super::{Budget, ImportError, ImportLimits, Line};

/// Markers that start a list item, followed by a space.
const BULLETS: &[char] = &[
    '-', '*', '•', '◦', '▪', '–', '+', '·', '►', '▸', '➢', '○', '■', '□', '✓', '✔', '→',
    '‣', '⁃',
];

/// The lines of a text or Markdown file.
pub(crate) fn read(
    text: &str,
    markdown: bool,
    limits: &ImportLimits,
    budget: &mut Budget,
) -> Result<Vec<Line>, ImportError> {
    let raw: Vec<&str> = text.lines().collect();
    let mut out: Vec<Line> = Vec::new();
    let mut gap = 0u32;
    let mut page = 1u32;
    let mut i = 0;
    while i < raw.len() {
        let mut line = raw[i];
        budget.spend(1 + line.len() as u64 / 64)?;
        i += 1;
        if let Some(rest) = line.strip_prefix('\x0c') {
            page += 1;
            line = rest;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || is_rule(trimmed) {
            gap += 1;
            continue;
        }
        if markdown && is_table_rule(trimmed) {
            continue;
        }
        let mut l = Line { page, gap_before: gap.min(3) as f32, ..Line::default() };
        gap = 0;
        // An underlined heading: `Experience` over `==========` or `-----`.
        if let Some(next) = raw.get(i).map(|n| n.trim())
            && next.len() >= 3
            && (next.chars().all(|c| c == '=') || next.chars().all(|c| c == '-'))
        {
            l.heading = Some(if next.starts_with('=') { 1 } else { 2 });
            i += 1;
        }
        let indent: usize = line
            .chars()
            .take_while(|c| c.is_whitespace())
            .map(|c| if c == '\t' { 4 } else { 1 })
            .sum();
        l.x = indent as f32;
        let mut body = trimmed.to_string();
        if markdown {
            let hashes = body.chars().take_while(|&c| c == '#').count();
            if (1..=6).contains(&hashes) && body[hashes..].starts_with(' ') {
                l.heading = Some(hashes as u8);
                body = body[hashes..].trim().trim_end_matches('#').trim().to_string();
            }
            if body.starts_with('|') && body.ends_with('|') && body.len() > 1 {
                body = body[1..body.len() - 1]
                    .split('|')
                    .map(str::trim)
                    .filter(|c| !c.is_empty())
                    .collect::<Vec<_>>()
                    .join("\t");
            }
            if let Some(q) = body.strip_prefix("> ") {
                body = q.to_string();
            }
        }
        if let Some(rest) = strip_bullet(&body) {
            l.bullet = true;
            body = rest.to_string();
        }
        if markdown {
            let whole_bold = |s: &str, m: &str| {
                s.len() > 2 * m.len()
                    && s.starts_with(m)
                    && s.ends_with(m)
                    && !s[m.len()..s.len() - m.len()].contains(m)
            };
            if whole_bold(&body, "**") || whole_bold(&body, "__") {
                l.bold = true;
            } else if body.starts_with("**") || body.starts_with("__") {
                // `**Acme Corp** — Engineer`: the line opens in bold, the
                // mark of an entry's head line.
                l.bold =
                    body.matches("**").count() >= 2 || body.matches("__").count() >= 2;
            }
            body = inline_markdown(&body);
        }
        l.text = columns(&body);
        if l.text.is_empty() {
            continue;
        }
        out.push(l);
        if out.len() > limits.max_lines as usize {
            return Err(ImportError::TooLarge {
                what: "lines",
                limit: limits.max_lines.into(),
            });
        }
    }
    Ok(out)
}

/// `---`, `***`, `___`, `===` alone on a line: a separator, read as a gap.
fn is_rule(s: &str) -> bool {
    s.len() >= 3
        && ['-', '*', '_', '=', '─', '━', '—']
            .iter()
            .any(|&c| s.chars().all(|x| x == c || x == ' '))
}

/// A Markdown table's header rule: `|---|:--:|`.
fn is_table_rule(s: &str) -> bool {
    s.starts_with('|') && s.chars().all(|c| matches!(c, '|' | '-' | ':' | ' '))
}

/// The text after a list marker, if the line starts with one.
pub(crate) fn strip_bullet(s: &str) -> Option<&str> {
    let mut chars = s.chars();
    let first = chars.next()?;
    if BULLETS.contains(&first) {
        let rest = chars.as_str();
        // `-` and `–` must be followed by a space: `-5%` and `–` as a
        // dash inside text are not list items.
        if rest.starts_with(' ') || rest.starts_with('\t') {
            return Some(rest.trim_start());
        }
        if !matches!(first, '-' | '*' | '+' | '–') && !rest.is_empty() {
            return Some(rest.trim_start());
        }
        return None;
    }
    // `1.` / `2)` numbered items; a year (`2019.`) is not one.
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if (1..=2).contains(&digits) {
        let rest = &s[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return Some(r.trim_start());
        }
    }
    None
}

/// Markdown's inline marks removed: emphasis, code spans, links (their
/// text, and the address when the text is not one), escapes.
fn inline_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        if rest.starts_with('[')
            && let Some(close) = rest.find("](")
            && let Some(end) = rest[close..].find(')')
        {
            let text = &rest[1..close];
            let url = &rest[close + 2..close + end];
            out.push_str(text);
            let url_shown = url.trim_start_matches("mailto:").trim_start_matches("tel:");
            let text_is_address =
                text.contains('.') || text.contains('@') || text.contains('/');
            if !text_is_address && !url_shown.is_empty() && !text.contains(url_shown) {
                out.push_str(" (");
                out.push_str(url_shown);
                out.push(')');
            }
            rest = &rest[close + end + 1..];
            continue;
        }
        let c = rest.chars().next().unwrap_or(' ');
        let n = c.len_utf8();
        match c {
            '\\' if rest.len() > 1 => {
                let next = rest[1..].chars().next().unwrap_or(' ');
                out.push(next);
                rest = &rest[1 + next.len_utf8()..];
                continue;
            }
            '`' => {}
            '*' => {}
            '_' if rest.starts_with("__") => {
                rest = &rest[2..];
                continue;
            }
            '_' => {
                // `_emphasis_` at a word's edge; `snake_case` keeps it.
                let prev = out.chars().last();
                let next = rest[1..].chars().next();
                let inside = prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric);
                if inside {
                    out.push('_');
                }
            }
            _ => out.push(c),
        }
        rest = &rest[n..];
    }
    out.trim().to_string()
}

/// Runs of tabs or of three or more spaces inside a line mark a column
/// (a date set to the right, a table cell): they become one `\t`.
fn columns(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut spaces = 0;
    let mut tab = false;
    for c in s.trim().chars() {
        match c {
            ' ' | '\u{a0}' => spaces += 1,
            '\t' => tab = true,
            _ => {
                if tab || spaces >= 3 {
                    out.push('\t');
                } else if spaces > 0 {
                    out.push(' ');
                }
                spaces = 0;
                tab = false;
                out.push(c);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str, md: bool) -> Vec<Line> {
        let limits = ImportLimits::default();
        read(text, md, &limits, &mut Budget::new(&limits)).unwrap()
    }

    #[test]
    fn markdown_marks_become_layout() {
        let l = lines(
            "# Jane Doe\n\n## Experience\n\n**Acme Corp** — Engineer\n- Built *fast* things\n  that last\n1. First\n",
            true,
        );
        assert_eq!(l[0].heading, Some(1));
        assert_eq!(l[0].text, "Jane Doe");
        assert_eq!((l[1].heading, l[1].gap_before), (Some(2), 1.0));
        assert!(l[2].bold);
        assert_eq!(l[2].text, "Acme Corp — Engineer");
        assert!(l[3].bullet);
        assert_eq!(l[3].text, "Built fast things");
        assert!(!l[4].bullet);
        assert_eq!(l[4].x, 2.0);
        assert!(l[5].bullet);
    }

    #[test]
    fn text_columns_and_underlines() {
        let l = lines(
            "EXPERIENCE\n----------\nAcme Corp      Mar 2021 – Present\n• Shipped\n-5% churn\n",
            false,
        );
        assert_eq!(l[0].heading, Some(2));
        assert_eq!(l[1].text, "Acme Corp\tMar 2021 – Present");
        assert!(l[2].bullet);
        assert!(!l[3].bullet);
    }

    #[test]
    fn too_many_lines_are_refused() {
        let limits = ImportLimits { max_lines: 3, ..ImportLimits::default() };
        let err = read("a\nb\nc\nd\ne\n", false, &limits, &mut Budget::new(&limits));
        assert!(matches!(err, Err(ImportError::TooLarge { what: "lines", .. })));
    }
}
