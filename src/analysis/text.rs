//! Words as the matcher sees them. Resume and posting text is split into
//! tokens that keep the symbols skill names are made of (`C++`, `C#`,
//! `.NET`, `Node.js`, `A/B`, `CI/CD`), fold case, hyphens and plurals, and
//! remember where punctuation broke the text, so that a phrase never
//! matches across a comma or a full stop.

/// One token of a text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token<'a> {
    /// The token as written.
    pub raw: &'a str,
    /// Lowercase, with a possessive and a plural ending folded away.
    pub norm: String,
    /// Byte offset of the first character.
    pub start: usize,
    /// Byte offset after the last character.
    pub end: usize,
    /// Punctuation (a comma, a full stop, a bracket, a colon) stands between
    /// this token and the one before.
    pub broken: bool,
    /// A hyphen joins it to the token before (`C-suite`, `A/B-tested`).
    pub hyphenated: bool,
}

/// Symbols that are tokens of their own: they are part of names (`A/B`,
/// `R&D`) rather than punctuation.
const SYMBOLS: [char; 2] = ['/', '&'];

/// Splits `text` into tokens.
pub(crate) fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let mut broken = false;
    let mut hyphenated = false;
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    while i < chars.len() {
        let (pos, c) = chars[i];
        let starts_word = c.is_alphanumeric()
            || (c == '.'
                && at(i + 1).is_some_and(char::is_alphanumeric)
                && (i == 0 || !at(i - 1).is_some_and(char::is_alphanumeric)));
        if starts_word {
            let mut j = i + 1;
            while j < chars.len() {
                let d = chars[j].1;
                let inner = |k: usize| {
                    at(k).is_some_and(char::is_alphanumeric)
                        && at(j - 1).is_some_and(char::is_alphanumeric)
                };
                if d.is_alphanumeric() {
                    j += 1;
                } else if (d == '.' || d == '\'' || d == '’') && inner(j + 1) {
                    // Node.js, 3.5, bachelor's: a dot or apostrophe inside a
                    // word keeps the word whole.
                    j += 1;
                } else {
                    break;
                }
            }
            // C++, C#, F#: trailing plus and sharp signs belong to the name.
            while j < chars.len() && matches!(chars[j].1, '+' | '#') {
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(p, _)| p);
            let raw = &text[pos..end];
            out.push(Token {
                raw,
                norm: normalise(raw),
                start: pos,
                end,
                broken,
                hyphenated,
            });
            broken = false;
            hyphenated = false;
            i = j;
            continue;
        }
        if SYMBOLS.contains(&c) {
            let end = pos + c.len_utf8();
            out.push(Token {
                raw: &text[pos..end],
                norm: c.to_string(),
                start: pos,
                end,
                broken,
                hyphenated,
            });
            broken = false;
            hyphenated = false;
        } else if c == '-' || c == '_' {
            // A hyphen between letters joins; with spaces around it is a dash.
            let spaced = i > 0
                && at(i - 1).is_some_and(char::is_whitespace)
                && at(i + 1).is_some_and(char::is_whitespace);
            if spaced {
                broken = true;
            } else {
                hyphenated = true;
            }
        } else if !c.is_whitespace() {
            broken = true;
        }
        i += 1;
    }
    out
}

/// The matching form of one word: lowercase, no possessive, and plural
/// endings folded so that "pipelines", "libraries" and "processes" meet
/// "pipeline", "library" and "process".
pub(crate) fn normalise(raw: &str) -> String {
    let mut w = raw.to_lowercase().replace('’', "'");
    for suffix in ["'s", "s'"] {
        if w.len() > suffix.len() + 1 && w.ends_with(suffix) {
            w.truncate(w.len() - suffix.len());
            if suffix == "s'" {
                w.push('s');
            }
        }
    }
    w.retain(|c| c != '\'');
    if w.chars().count() <= 3 || !w.chars().all(char::is_alphabetic) {
        return w;
    }
    for (from, to) in [("sses", "ss"), ("ches", "ch"), ("shes", "sh"), ("xes", "x")] {
        if let Some(stem) = w.strip_suffix(from) {
            return format!("{stem}{to}");
        }
    }
    if w.len() > 4
        && let Some(stem) = w.strip_suffix("ies")
    {
        return format!("{stem}y");
    }
    if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is")
    {
        w.pop();
    }
    // Verb forms fold to their stem, so that "A/B-tested", "split-testing"
    // and "forecasted" meet "A/B test", "split test" and "forecast", and
    // "data engineering" meets "data engineer". Both sides of every match
    // are folded the same way, so an odd stem costs nothing.
    for suffix in ["ing", "ed"] {
        if w.len() > suffix.len() + 3
            && let Some(stem) = w.strip_suffix(suffix)
        {
            let b = stem.as_bytes();
            let n = b.len();
            // "planning" → "plan", "modelled" → "model".
            if n >= 2
                && b[n - 1] == b[n - 2]
                && !matches!(b[n - 1], b's' | b'l' | b'z' | b'f')
            {
                return stem[..n - 1].to_string();
            }
            if n >= 3
                && stem.ends_with("ll")
                && !stem.ends_with("all")
                && !stem.ends_with("ill")
            {
                return stem[..n - 1].to_string();
            }
            return stem.to_string();
        }
    }
    w
}

/// Whether a text states a figure a result can be measured by: a
/// percentage, an amount, a multiplier or a count that is not a bare year
/// ("in 2016") or part of a name ("Python3", "p99").
pub(crate) fn has_figure(text: &str) -> bool {
    if text.contains('%')
        || text.contains('$')
        || text.contains('€')
        || text.contains('£')
    {
        return true;
    }
    text.split(|c: char| c.is_whitespace() || ",;:()".contains(c)).any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        if !w.chars().any(|c| c.is_ascii_digit()) || w.starts_with(char::is_alphabetic) {
            return false;
        }
        let year = w.len() == 4
            && w.chars().all(|c| c.is_ascii_digit())
            && (w.starts_with("19") || w.starts_with("20"));
        !year
    })
}

/// Whether `words` (lowercase phrases) occur in `text` on token boundaries.
pub(crate) fn contains_phrase(toks: &[Token<'_>], phrase: &str) -> bool {
    let want: Vec<String> = tokens(phrase).iter().map(|t| t.norm.clone()).collect();
    if want.is_empty() || want.len() > toks.len() {
        return false;
    }
    toks.windows(want.len()).any(|w| {
        w.iter().zip(&want).all(|(t, n)| &t.norm == n)
            && w.iter().skip(1).all(|t| !t.broken)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(s: &str) -> Vec<String> {
        tokens(s).into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn symbols_inside_names_survive() {
        assert_eq!(norms("C++, C# and .NET"), ["c++", "c#", "and", ".net"]);
        assert_eq!(norms("Node.js/React"), ["node.js", "/", "react"]);
        assert_eq!(norms("A/B-tested it"), ["a", "/", "b", "test", "it"]);
        assert_eq!(norms("CI/CD pipelines"), ["ci", "/", "cd", "pipeline"]);
    }

    #[test]
    fn plurals_possessives_and_case_fold() {
        assert_eq!(
            norms("Libraries Processes bachelor's"),
            ["library", "process", "bachelor"]
        );
        assert_eq!(normalise("Kubernetes"), normalise("kubernetes"));
        assert_eq!(normalise("analysis"), "analysis");
        assert_eq!(normalise("AWS"), "aws");
        assert_eq!(
            norms("A/B-tested split-testing planning modelled"),
            ["a", "/", "b", "test", "split", "test", "plan", "model"]
        );
        assert_eq!(normalise("engineering"), normalise("engineer"));
    }

    #[test]
    fn punctuation_breaks_and_hyphens_join() {
        let t = tokens("Spark, Beam - Flink C-suite");
        assert!(t[1].broken, "comma before Beam");
        assert!(t[2].broken, "spaced dash before Flink");
        assert!(t[4].hyphenated, "suite joins C");
    }

    #[test]
    fn figures_are_numbers_not_years() {
        assert!(has_figure("cut latency by 40%"));
        assert!(has_figure("served 3 teams"));
        assert!(!has_figure("Won award at AIHacks 2016"));
        assert!(!has_figure("Built a Python2 bridge"));
    }
}
