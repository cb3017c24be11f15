//! Which template line wrote which line of the generated source, so that a
//! typst error in `main.typ` can name the `.j2` file and line to fix.
//!
//! Exact, not guessed: the templates are rendered a second time from
//! copies in which every template line outside a tag starts with an
//! invisible marker naming the template and the line. Markers are made of
//! control characters, which the escaper removes from every printed value
//! ([`super::escape::sanitize`]), so data can never contain or forge one.
//! Stripping them from the traced output records, for every output line
//! and column, the marker in force there. The trace is used only when the
//! stripped output equals the real output byte for byte; when it does not
//! (a filter that transforms captured template text, say), there is no
//! mapping rather than a wrong one.
//!
//! Whitespace control (`{%-`, `-%}` and the like) trims up to the first
//! character that is not whitespace, and a marker is one: a line after a
//! `-%}` gets its marker at its first non-whitespace character, where the
//! trimming stops anyway, and a line before a `{%-` gets none. Text of an
//! unmarked line is attributed to the nearest marked line before it.

use std::collections::BTreeMap;

/// Starts a marker: `START` template-digits `SEP` line-digits `END`.
const START: char = '\u{1}';
const SEP: char = '\u{3}';
const END: char = '\u{2}';
/// Hexadecimal digits as C1 controls (U+0090..U+009F), which `sanitize`
/// drops, unlike C0 whitespace such as tab.
const DIGIT0: u32 = 0x90;

fn push_hex(out: &mut String, mut n: usize) {
    let mut digits = Vec::new();
    loop {
        digits.push(char::from_u32(DIGIT0 + (n % 16) as u32).unwrap_or(START));
        n /= 16;
        if n == 0 {
            break;
        }
    }
    out.extend(digits.into_iter().rev());
}

fn marker(template: usize, line: usize) -> String {
    let mut m = String::from(START);
    push_hex(&mut m, template);
    m.push(SEP);
    push_hex(&mut m, line);
    m.push(END);
    m
}

/// Where a line of generated source came from: a template (by its index
/// in the template list) and a 1-based line in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) template: usize,
    pub(crate) line: usize,
}

/// Lexer state while scanning a template for line starts outside tags.
#[derive(Clone, Copy, PartialEq)]
enum State {
    Text,
    /// Inside `{{ … }}`, `{% … %}` or `{# … #}`; the closing delimiter.
    Tag(&'static str),
    /// Inside a string literal in a tag.
    Str(&'static str, char),
    /// Inside `{% raw %}`: text up to `{% endraw %}` is output verbatim.
    Raw,
}

/// The template with a marker at the start of every line that begins
/// outside a tag and away from whitespace control. Returns `None` when the
/// template itself contains a marker character (it would be ambiguous).
pub(crate) fn mark(text: &str, template: usize) -> Option<String> {
    if text.chars().any(is_marker_char) {
        return None;
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut state = State::Text;
    let mut line = 1;
    let mut at_line_start = true;
    // A marker waiting for its place: right away, or (after a `-%}`) at
    // the line's first non-whitespace character.
    let mut pending: Option<(usize, bool)> = None;
    let mut i = 0;
    while i < text.len() {
        let rest = &text[i..];
        if at_line_start {
            at_line_start = false;
            pending = match (state, trim(text, i)) {
                (State::Text | State::Raw, Trim::None) => Some((line, false)),
                (State::Text | State::Raw, Trim::After) => Some((line, true)),
                _ => None,
            };
        }
        let c = rest.chars().next()?;
        if let Some((at, deferred)) = pending {
            if !deferred || !c.is_whitespace() {
                out.push_str(&marker(template, at));
                pending = None;
            } else if c == '\n' {
                // A blank line after `-%}`: nothing to mark.
                pending = None;
            }
        }
        match state {
            State::Text => {
                for (open, close) in [("{{", "}}"), ("{%", "%}"), ("{#", "#}")] {
                    if rest.starts_with(open) {
                        state = State::Tag(close);
                    }
                }
                if state != State::Text {
                    let raw = rest
                        .strip_prefix("{%")
                        .map(|r| r.trim_start_matches(['-', '+']).trim_start())
                        .is_some_and(|r| {
                            r.starts_with("raw")
                                && !r[3..].starts_with(|c: char| {
                                    c.is_alphanumeric() || c == '_'
                                })
                        });
                    if raw {
                        // Skip the opening tag itself, then treat the body as text.
                        let end = rest.find("%}").map_or(rest.len(), |e| e + 2);
                        line += rest[..end].matches('\n').count();
                        out.push_str(&rest[..end]);
                        if rest[..end].ends_with('\n') {
                            at_line_start = true;
                        }
                        i += end;
                        state = State::Raw;
                        continue;
                    }
                    out.push_str(&rest[..2]);
                    i += 2;
                    continue;
                }
            }
            State::Raw => {
                if rest.starts_with("{%")
                    && rest[2..]
                        .trim_start_matches(['-', '+'])
                        .trim_start()
                        .starts_with("endraw")
                {
                    state = State::Tag("%}");
                    out.push_str("{%");
                    i += 2;
                    continue;
                }
            }
            State::Tag(close) => {
                if rest.starts_with(close) {
                    state = State::Text;
                    out.push_str(close);
                    i += close.len();
                    continue;
                }
                if close != "#}" && (c == '"' || c == '\'') {
                    state = State::Str(close, c);
                }
            }
            State::Str(close, quote) => {
                if c == '\\' {
                    // The escaped character belongs to the string.
                    out.push(c);
                    i += 1;
                    if let Some(n) = text[i..].chars().next() {
                        out.push(n);
                        i += n.len_utf8();
                        if n == '\n' {
                            line += 1;
                            at_line_start = true;
                        }
                    }
                    continue;
                }
                if c == quote {
                    state = State::Tag(close);
                }
            }
        }
        out.push(c);
        i += c.len_utf8();
        if c == '\n' {
            line += 1;
            at_line_start = true;
        }
    }
    Some(out)
}

/// How whitespace control trims around a line start.
enum Trim {
    None,
    /// A `-%}` (or `-}}`, `-#}`) before the line start trims the
    /// whitespace after it: a marker at the line's first non-whitespace
    /// character is where trimming would stop anyway.
    After,
    /// A `{%-` (or `{{-`, `{#-`) after the line start trims back over it:
    /// no place on this line is safe.
    Before,
}

/// Whether whitespace control trims across the line start at `i`, with
/// only whitespace between it and the tag.
fn trim(text: &str, i: usize) -> Trim {
    let before = text[..i].trim_end();
    let after = text[i..].trim_start();
    if ["{%-", "{{-", "{#-"].iter().any(|t| after.starts_with(t)) {
        Trim::Before
    } else if ["-%}", "-}}", "-#}"].iter().any(|t| before.ends_with(t)) {
        Trim::After
    } else {
        Trim::None
    }
}

fn is_marker_char(c: char) -> bool {
    matches!(c, START | SEP | END) || (DIGIT0..DIGIT0 + 16).contains(&(c as u32))
}

/// Generated source with its markers removed, and where each line came
/// from.
#[derive(Debug, Clone, Default)]
pub(crate) struct Traced {
    /// The output without markers.
    pub(crate) text: String,
    /// Per output line (0-based), the markers on it as (1-based column of
    /// the first character after the marker, origin).
    marks: Vec<Vec<(usize, Origin)>>,
}

impl Traced {
    /// Strips the markers from `marked` output, recording their places.
    pub(crate) fn strip(marked: &str) -> Self {
        let mut text = String::with_capacity(marked.len());
        let mut marks: Vec<Vec<(usize, Origin)>> = vec![Vec::new()];
        let mut column = 1;
        let mut chars = marked.chars().peekable();
        while let Some(c) = chars.next() {
            if c == START {
                let mut num = |stop: char| {
                    let mut n = 0usize;
                    while let Some(&d) = chars.peek() {
                        chars.next();
                        if d == stop {
                            break;
                        }
                        n = n * 16 + (d as u32).saturating_sub(DIGIT0) as usize;
                    }
                    n
                };
                let template = num(SEP);
                let line = num(END);
                if let Some(last) = marks.last_mut() {
                    last.push((column, Origin { template, line }));
                }
                continue;
            }
            text.push(c);
            if c == '\n' {
                marks.push(Vec::new());
                column = 1;
            } else {
                column += 1;
            }
        }
        Self { text, marks }
    }

    /// The template line behind 1-based `line` and `column` of the output:
    /// the last marker at or before that place.
    pub(crate) fn origin(&self, line: usize, column: usize) -> Option<Origin> {
        let idx = line.checked_sub(1)?;
        let here = self.marks.get(idx)?;
        if let Some((_, o)) = here.iter().rev().find(|(c, _)| *c <= column) {
            return Some(*o);
        }
        self.marks[..idx].iter().rev().find_map(|m| m.last().map(|(_, o)| *o))
    }
}

/// Every string in a pack document with its JSON path
/// (`roles.mle.questions[3].question`).
pub(crate) fn strings(value: &serde_json::Value) -> BTreeMap<String, String> {
    fn walk(v: &serde_json::Value, path: &str, out: &mut BTreeMap<String, String>) {
        match v {
            serde_json::Value::String(s) => {
                out.insert(path.to_string(), s.clone());
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    walk(item, &format!("{path}[{i}]"), out);
                }
            }
            serde_json::Value::Object(map) => {
                for (k, item) in map {
                    let p =
                        if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
                    walk(item, &p, out);
                }
            }
            _ => {}
        }
    }
    let mut out = BTreeMap::new();
    walk(value, "", &mut out);
    out
}

/// The contents of the typst string literals on `line`, with the 1-based
/// columns they span (quotes included).
pub(crate) fn literals(line: &str) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut chars = line.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut s = String::new();
        let mut end = i;
        while let Some((j, c)) = chars.next() {
            end = j;
            match c {
                '\\' => {
                    if let Some((k, n)) = chars.next() {
                        end = k;
                        s.push(n);
                    }
                }
                '"' => break,
                c => s.push(c),
            }
        }
        out.push((i + 1, end + 1, s));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_and_name_template_and_line() {
        let tmpl = "one\n{% if x %}\n  two {{ y }}\n{% endif %}\nthree\n";
        let marked = mark(tmpl, 11).unwrap();
        assert_ne!(marked, tmpl);
        let traced = Traced::strip(&marked);
        assert_eq!(traced.text, tmpl);
        assert_eq!(traced.origin(1, 1), Some(Origin { template: 11, line: 1 }));
        assert_eq!(traced.origin(3, 5), Some(Origin { template: 11, line: 3 }));
        assert_eq!(traced.origin(5, 2), Some(Origin { template: 11, line: 5 }));
    }

    #[test]
    fn no_marker_inside_tags_strings_or_next_to_whitespace_control() {
        let tmpl = "{{ f(\"a\nb\",\n c) }}\nx {%- if y %}\n{% endif -%}\n  z\n";
        let marked = mark(tmpl, 0).unwrap();
        let lines: Vec<&str> = marked.split('\n').collect();
        // Line 1 starts outside a tag; lines 2 and 3 are inside one.
        assert!(lines[0].starts_with(START));
        assert!(!lines[1].contains(START) && !lines[2].contains(START));
        // `x {%-` trims only its own line's spaces: line 4 keeps its marker;
        // line 6 follows `-%}` and gets it after its indentation.
        assert!(lines[3].starts_with(START));
        assert!(lines[5].starts_with("  \u{1}"), "{:?}", lines[5]);
        let before_dash = mark("a\n  \n{%- if y %}{% endif %}", 0).unwrap();
        assert_eq!(before_dash.matches(START).count(), 1, "{before_dash:?}");
    }

    #[test]
    fn sanitised_data_cannot_carry_a_marker() {
        let forged = marker(3, 7) + "text";
        assert_eq!(super::super::escape::sanitize(&forged), "text");
    }

    #[test]
    fn literals_are_decoded_with_their_columns() {
        let got = literals(r#"#f("a \"b\"", x, "c");"#);
        assert_eq!(got, vec![(4, 12, "a \"b\"".to_string()), (18, 20, "c".to_string())]);
    }
}
