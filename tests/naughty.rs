//! Resume and job text is data, never code. Every string of the Big List
//! of Naughty Strings goes into the candidate's name, a work highlight, a
//! skill and the job text; the PDF must hold each string literally, every
//! page must keep the playbook's page size, and nothing may be read from
//! disk (the typst world serves no files).

mod common;

use common::*;
use prepbook::RenderOptions;

fn blns() -> Vec<String> {
    let text = std::fs::read_to_string(shared().join("corpus/naughty-strings/blns.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// What a string must look like in the extracted text: without whitespace,
/// control characters and explicit bidi controls (which the escaper removes
/// so that a string cannot reorder the text around it).
fn visible(s: &str) -> String {
    s.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !c.is_control()
                && !matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{180E}' | '\u{00AD}')
        })
        .collect()
}

#[test]
fn naughty_strings_stay_literal_text() {
    let strings = blns();
    assert!(strings.len() > 500);
    let mut missing = Vec::new();
    let mut checked = 0;
    for (i, chunk) in strings.chunks(64).enumerate() {
        let name = chunk.join(" ¦ ");
        let job: String = std::iter::once("Requirements".to_string())
            .chain(chunk.iter().map(|s| format!("- {s}")))
            .collect::<Vec<_>>()
            .join("\n");
        let order = order_json(serde_json::json!({
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
            assert!((w - 612.0).abs() < 1.0 && (h - 792.0).abs() < 1.0, "page size changed: {w}×{h}");
        }
        let text = squash(&pdf_pages_text(&out.pdf).join(""));
        let text = visible(&text);
        for s in chunk {
            let want = visible(s);
            if want.is_empty() {
                continue;
            }
            checked += 1;
            if !text.contains(&want) {
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
