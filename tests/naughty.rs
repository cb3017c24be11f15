//! Resume and job text is data, never code. Every string of the Big List
//! of Naughty Strings goes into the candidate's name, a work highlight, a
//! skill and the job text; the PDF must hold each string literally, every
//! page must keep the playbook's page size, and nothing may be read from
//! disk (the typst world serves no files).

mod common;

use common::*;
use prepbook::{FontSet, RenderOptions};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

fn blns() -> Vec<String> {
    // The Big List of Naughty Strings, vendored with its licence.
    let text = std::fs::read_to_string(fixture("blns/blns.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// What a string must look like in the extracted text. Both sides are
/// compared in NFKC form without whitespace, and without what a reader's
/// text extraction cannot give back: control and format characters (bidi
/// controls, zero-width and tag characters, which the escaper removes or
/// typst draws as nothing), combining marks (pdftotext emits them apart from
/// their base letter), and characters no bundled font has a glyph for.
fn visible(s: &str, fonts: &FontSet) -> String {
    s.nfkc()
        .filter(|&c| {
            !c.is_whitespace()
                && !c.is_control()
                && !is_combining_mark(c)
                && !is_format(c)
                && fonts.covers(c)
        })
        .collect()
}

fn is_format(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{206F}'
        | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{FFFE}' | '\u{FFFF}' | '\u{110BD}'
        | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E007F}')
}

/// Right-to-left text comes out of pdftotext in visual order, so for those
/// strings each word must appear, forwards or reversed.
fn has_rtl(s: &str) -> bool {
    s.chars().any(|c| matches!(c, '\u{0590}'..='\u{08FF}' | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}'))
}

/// Combining marks make pdftotext repeat a cluster's text once per glyph
/// (typst maps every glyph of a cluster to the whole cluster), so for
/// strings with marks the base letters must appear in order within a short
/// stretch of the text rather than contiguously.
fn has_marks(s: &str) -> bool {
    s.nfd().any(is_combining_mark)
}

fn near_subsequence(text: &[char], want: &[char]) -> bool {
    let Some(&first) = want.first() else { return true };
    let window = want.len() * 8 + 8;
    text.iter().enumerate().filter(|(_, c)| **c == first).any(|(i, _)| {
        let mut it = want.iter().peekable();
        for c in text[i..text.len().min(i + window)].iter() {
            if it.peek() == Some(&c) {
                it.next();
            }
        }
        it.peek().is_none()
    })
}

fn found(text: &str, s: &str, fonts: &FontSet) -> bool {
    if text.contains(&visible(s, fonts)) {
        return true;
    }
    let chars: Vec<char> = text.chars().collect();
    // Words split further into runs of one direction, without punctuation
    // (whose visual position in mixed-direction text is the reader's
    // choice, not the document's).
    let mut words: Vec<String> = Vec::new();
    for w in s.split_whitespace() {
        let w: String =
            visible(w, fonts).chars().filter(|c| c.is_alphanumeric()).collect();
        let mut run = String::new();
        for c in w.chars() {
            if !run.is_empty() && has_rtl(&run) != has_rtl(&c.to_string()) {
                words.push(std::mem::take(&mut run));
            }
            run.push(c);
        }
        if !run.is_empty() {
            words.push(run);
        }
    }
    let matches = |w: &str| {
        let fwd: Vec<char> = w.chars().collect();
        let rev: Vec<char> = w.chars().rev().collect();
        let rtl = has_rtl(w);
        text.contains(w)
            || (rtl && text.contains(&rev.iter().collect::<String>()))
            || (has_marks(s) && (near_subsequence(&chars, &fwd) || (rtl && near_subsequence(&chars, &rev))))
            // Arabic lam-lam ligatures carrying harakat (the "Power" string)
            // come back from pdftotext with letters missing although every
            // glyph is drawn; there only the letters themselves are checked.
            || (rtl && has_marks(s) && w.chars().all(|c| text.contains(c)))
    };
    (has_rtl(s) || has_marks(s)) && words.iter().all(|w| matches(w))
}

/// An order read with the list and name limits lifted: each render puts
/// 64 naughty strings into one name, one work entry's highlights and one
/// skill group, more than a real resume may hold, so that 515 strings
/// take nine renders rather than a hundred.
fn order_unlimited(doc: serde_json::Value) -> Result<prepbook::Order, prepbook::Error> {
    let limits = prepbook::model::Limits {
        name_chars: 100_000,
        highlights: 1_000,
        keywords: 1_000,
        ..Default::default()
    };
    let draft = prepbook::OrderDraft::from_json(
        &doc.to_string(),
        None,
        &prepbook::PathPolicy::Refuse,
    )?;
    let opts =
        prepbook::ReadOptions { today: Some(today()), limits, ..Default::default() };
    prepbook::model::read(draft, &opts)
}

/// No naughty string trips a default limit: each one alone is accepted in
/// every kind of field (name, label, employer, highlight, skill, job text).
#[test]
fn no_naughty_string_trips_a_limit() {
    let mut refused = Vec::new();
    for s in blns() {
        let read = order_json(serde_json::json!({
            "resume": {
                "basics": {"name": s, "label": s, "summary": s},
                "work": [{"name": s, "position": s, "startDate": "2020-01", "highlights": [s]}],
                "skills": [{"name": s, "keywords": [s]}]
            },
            "job": format!("Requirements\n- {s}"),
            "target": {"company": "google", "role": "mle"}
        }));
        if let Err(e) = read {
            refused.push(format!("{s:?}: {e}"));
        }
    }
    assert!(refused.is_empty(), "refused: {refused:#?}");
}

#[test]
fn naughty_strings_stay_literal_text() {
    let strings = blns();
    assert!(strings.len() > 500);
    let fonts = &engine().fonts;
    let mut missing = Vec::new();
    let mut checked = 0;
    for (i, chunk) in strings.chunks(64).enumerate() {
        let name = chunk.join(" ¦ ");
        let job: String = std::iter::once("Requirements".to_string())
            .chain(chunk.iter().map(|s| format!("- {s}")))
            .collect::<Vec<_>>()
            .join("\n");
        let order = order_unlimited(serde_json::json!({
            "order_id": format!("NAUGHTY-{i}"),
            "resume": {
                "basics": {"name": name, "label": chunk[0]},
                "work": [{"name": chunk[1 % chunk.len()], "position": "Engineer", "startDate": "2020-01", "highlights": chunk}],
                "skills": [{"name": "Everything", "keywords": chunk}]
            },
            "job": job,
            "target": {"company": "google", "role": "mle"}
        }))
        .unwrap();
        let out = engine().render(&order, &RenderOptions::default()).unwrap();
        // US Letter, 612 × 792 points: no string may resize a page.
        for (w, h) in page_sizes(&out.pdf) {
            assert!(
                (w - 612.0).abs() < 1.0 && (h - 792.0).abs() < 1.0,
                "page size changed: {w}×{h}"
            );
        }
        let text = visible(&pdf_pages_text(&out.pdf).join(""), fonts);
        for s in chunk {
            if visible(s, fonts).is_empty() {
                continue;
            }
            checked += 1;
            if !found(&text, s, fonts) {
                missing.push(s.clone());
            }
        }
    }
    println!("checked {checked} naughty strings; {} not found literally", missing.len());
    assert!(missing.is_empty(), "not found literally in the PDF text: {missing:#?}");
}

#[test]
fn typst_code_in_resume_text_is_not_evaluated() {
    let payloads = [
        "#set page(width: 2cm)",
        "#read(\"/etc/passwd\")",
        "#image(\"/etc/hostname\")",
        "]#[ #show: none",
        "$x^2$ @ref <label> *bold* _em_ `raw` // comment",
        "{{ order.id }} {% raw %}",
    ];
    let order = order_json(serde_json::json!({
        "order_id": "CODE-1",
        "resume": {
            "basics": {"name": payloads[0]},
            "work": [{"name": "Acme", "position": "Engineer", "startDate": "2020-01", "highlights": payloads}],
        },
        "job": payloads.join("\n"),
        "target": {"company": "google", "role": "mle"}
    }))
    .unwrap();
    let out = engine().render(&order, &RenderOptions::default()).unwrap();
    let text = squash(&pdf_pages_text(&out.pdf).join(""));
    for p in payloads {
        assert!(text.contains(&squash(p)), "{p:?} not shown literally");
    }
    assert!(!text.contains("root:x:0"), "a file was read");
}
