//! Escaping for typst. Every value a template prints goes through here, so
//! resume and job text reaches typst only as string literals: it can never
//! be parsed as markup, code, a show rule or a file path.

use std::fmt::Write;

use minijinja::value::{Value, ValueKind};

/// Longest run of characters without a break opportunity before a
/// zero-width space is inserted: an unbroken 300-character token would
/// otherwise run off the page instead of wrapping inside its own column.
const MAX_UNBROKEN: usize = 24;

/// Removes characters that could escape their own text: C0/C1 controls
/// (other than whitespace, which becomes a plain space) and explicit bidi
/// overrides and isolates, which would reorder text around the value. Long
/// unbroken runs get invisible break opportunities (U+200B).
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut last_space = false;
    let mut run = 0;
    for c in s.chars() {
        let c = match c {
            '\n' | '\r' | '\t' | '\u{000B}' | '\u{000C}' | '\u{0085}' | '\u{2028}'
            | '\u{2029}' => ' ',
            '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' => continue,
            c if c.is_control() => continue,
            c => c,
        };
        if c == ' ' {
            if last_space {
                continue;
            }
            last_space = true;
            run = 0;
        } else {
            last_space = false;
            // Marks join the previous character; never split a cluster.
            let is_mark = matches!(c, '\u{0300}'..='\u{036F}' | '\u{0483}'..='\u{0489}' | '\u{0591}'..='\u{05C7}' | '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{06D6}'..='\u{06ED}' | '\u{0900}'..='\u{0903}' | '\u{093A}'..='\u{094F}' | '\u{0951}'..='\u{0957}' | '\u{0962}' | '\u{0963}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}' | '\u{20D0}'..='\u{20FF}' | '\u{FE20}'..='\u{FE2F}');
            if !is_mark {
                if run >= MAX_UNBROKEN {
                    out.push('\u{200B}');
                    run = 0;
                }
                run += 1;
            }
        }
        out.push(c);
    }
    out
}

/// A typst string literal (code mode) holding exactly `s` (sanitised).
pub(crate) fn string_literal(s: &str, out: &mut String) {
    out.push('"');
    for c in sanitize(s).chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Markup that displays exactly `s`: an embedded string literal, closed
/// with `;` so that text following it in the template (a period, a
/// bracket) cannot continue the expression.
pub(crate) fn markup(s: &str, out: &mut String) {
    if s.is_empty() {
        return;
    }
    out.push('#');
    string_literal(s, out);
    out.push(';');
}

/// A typst value literal (code mode) for any template value: strings,
/// numbers, booleans, none, arrays and dictionaries.
pub(crate) fn value_literal(v: &Value, out: &mut String) {
    match v.kind() {
        ValueKind::Undefined | ValueKind::None => out.push_str("none"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => number(v, out),
        ValueKind::String | ValueKind::Bytes | ValueKind::Plain => {
            string_literal(v.as_str().unwrap_or(&v.to_string()), out)
        }
        ValueKind::Seq | ValueKind::Iterable => {
            out.push('(');
            if let Ok(iter) = v.try_iter() {
                for item in iter {
                    value_literal(&item, out);
                    out.push_str(", ");
                }
            }
            out.push(')');
        }
        ValueKind::Map => {
            let mut any = false;
            out.push('(');
            if let Ok(keys) = v.try_iter() {
                for k in keys {
                    let item = v.get_item(&k).unwrap_or_default();
                    string_literal(k.as_str().unwrap_or(&k.to_string()), out);
                    out.push_str(": ");
                    value_literal(&item, out);
                    out.push_str(", ");
                    any = true;
                }
            }
            if !any {
                out.push(':');
            }
            out.push(')');
        }
        _ => out.push_str("none"),
    }
}

fn number(v: &Value, out: &mut String) {
    if let Ok(i) = i64::try_from(v.clone()) {
        let _ = write!(out, "{i}");
    } else if let Ok(f) = f64::try_from(v.clone()) {
        if f.is_finite() {
            let _ = write!(out, "{f:?}");
        } else {
            out.push_str("none");
        }
    } else {
        out.push_str("none");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> String {
        let mut out = String::new();
        markup(s, &mut out);
        out
    }

    #[test]
    fn markup_is_a_closed_string_literal() {
        assert_eq!(m(r#"a "b" \c"#), r#"#"a \"b\" \\c";"#);
        assert_eq!(m("#set page(width: 1cm)"), "#\"#set page(width: 1cm)\";");
    }

    #[test]
    fn controls_and_bidi_overrides_are_removed() {
        assert_eq!(sanitize("a\u{202E}b\u{0000}c\n\nd"), "abc d");
    }

    #[test]
    fn long_unbroken_runs_get_break_opportunities() {
        let long = "x".repeat(60);
        let out = sanitize(&long);
        assert_eq!(out.replace('\u{200B}', ""), long);
        assert_eq!(out.matches('\u{200B}').count(), 2);
        assert_eq!(
            sanitize("short words stay as they are"),
            "short words stay as they are"
        );
    }

    #[test]
    fn values_become_typst_literals() {
        let v = Value::from(minijinja::value::Serde(
            serde_json::json!({"a": [1, 2.5, "x"], "b": null, "c": {}}),
        ));
        let mut out = String::new();
        value_literal(&v, &mut out);
        assert_eq!(out, r#"("a": (1, 2.5, "x", ), "b": none, "c": (:), )"#);
    }
}
