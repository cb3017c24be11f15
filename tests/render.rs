//! End-to-end renders for every company the packs ship, with the MLE role: page
//! count, the candidate's name and employers in the text, the outline,
//! metadata, the footer stamp, and byte-for-byte determinism.

mod common;

use common::*;
use prepbook::RenderOptions;

const SECTIONS: [&str; 8] = [
    "Executive summary",
    "Requirement by requirement",
    "Your gaps and what to say about them",
    "Your stories",
    "Technical preparation",
    "The question bank, ranked for you",
    "Your week-by-week plan",
    "Levels and compensation",
];

#[test]
fn every_company_renders_a_full_mle_playbook_from_the_sample_resume() {
    let mut summary = Vec::new();
    let companies = companies();
    assert!(!companies.is_empty(), "the embedded packs ship no company");
    for company in &companies {
        let order = sample_order(company, "mle");
        let out = engine().render(&order, &RenderOptions::default()).unwrap();
        assert!(out.pages >= 50, "{company}: only {} pages", out.pages);
        let pages = pdf_pages_text(&out.pdf);
        assert_eq!(
            pages.len(),
            out.pages,
            "{company}: pdftotext sees another page count"
        );
        let all = squash(&pages.join("\n"));
        for needle in [
            "Richard Hendriks",
            "Pied Piper",
            "CoderDojo",
            "Prepared for Richard Hendriks · TEST-",
        ] {
            assert!(all.contains(&squash(needle)), "{company}: text lacks {needle:?}");
        }
        assert!(
            all.contains(&squash(&format!("page 3 of {}", out.pages))),
            "{company}: no page X of Y footer"
        );
        let outline = outline_titles(&out.pdf);
        for s in SECTIONS {
            assert!(
                outline.iter().any(|t| t == s),
                "{company}: outline lacks {s:?} in {outline:?}"
            );
        }
        assert_eq!(info(&out.pdf, "Author").as_deref(), Some("Richard Hendriks"));
        let title = info(&out.pdf, "Title").unwrap();
        assert!(
            title.contains("Machine Learning") || title.contains("ML"),
            "{company}: title {title}"
        );
        assert!(info(&out.pdf, "Subject").is_some_and(|s| s.contains("interview")));
        assert!(
            info(&out.pdf, "Keywords")
                .is_some_and(|s| s.contains(&format!("TEST-{company}-mle")))
        );
        summary.push(format!(
            "{company}: {} pages, {} bytes, fit {}",
            out.pages,
            out.pdf.len(),
            out.analysis.fit.score
        ));
    }
    println!("{}", summary.join("\n"));
}

#[test]
fn the_same_order_gives_the_same_bytes() {
    let order = sample_order("google", "mle");
    let a = engine().render(&order, &RenderOptions::default()).unwrap();
    let b = engine().render(&order, &RenderOptions::default()).unwrap();
    assert_eq!(a.pdf.len(), b.pdf.len());
    assert!(a.pdf == b.pdf, "renders of the same order differ");
}

#[test]
fn a_resume_without_work_history_still_gets_fifty_pages_and_six_stories() {
    let order = order_json(serde_json::json!({
        "resume": {"path": "resume.newgrad.json"},
        "target": {"company": "meta", "role": "mle"}
    }))
    .unwrap();
    let out = engine().render(&order, &RenderOptions::default()).unwrap();
    assert!(out.pages >= 50, "only {} pages", out.pages);
    assert!(out.analysis.stories.len() >= 6);
    assert!(out.analysis.candidate.sparse);
    let text = squash(&pdf_pages_text(&out.pdf).join(""));
    assert!(text.contains(&squash("Course recommender")));
    assert!(text.contains(&squash("Karim Haddad")));
}

#[test]
fn international_names_render_with_real_glyphs() {
    // Latin with diacritics, Greek, Cyrillic, CJK, Arabic and Hebrew: each
    // must come back out of the PDF as the same characters, which needs a
    // real glyph with a Unicode mapping (a missing glyph would not).
    let names = [
        "Zoë Ångström",
        "Αλέξανδρος Παπαδόπουλος",
        "Анна Иванова",
        "王小明 さくら 김민준",
        "ليلى حداد",
        "דניאל כהן",
    ];
    let mut resume: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sample_resume()).unwrap()).unwrap();
    resume["basics"]["name"] = serde_json::Value::String(names.join(" / "));
    let order = order_json(serde_json::json!({
        "resume": resume,
        "target": {"company": "apple", "role": "mle"}
    }))
    .unwrap();
    let out = engine().render(&order, &RenderOptions::default()).unwrap();
    let doc = lopdf::Document::load_mem(&out.pdf).unwrap();
    // Every font in the file is one of the bundled families.
    let mut families = std::collections::BTreeSet::new();
    for (_, obj) in doc.objects.iter() {
        if let Ok(d) = obj.as_dict()
            && d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor")
        {
            let name =
                String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap())
                    .into_owned();
            families.insert(name.split('+').nth(1).unwrap_or(&name).to_string());
        }
    }
    for f in &families {
        assert!(
            f.starts_with("Noto") || f.starts_with("DroidSans") || f.starts_with("Nanum"),
            "unexpected font {f}"
        );
    }
    let text = pdf_pages_text(&out.pdf).join("\n");
    for n in ["Zoë Ångström", "Αλέξανδρος", "Анна Иванова", "王小明", "김민준"]
    {
        assert!(squash(&text).contains(&squash(n)), "{n} missing from the text");
    }
    // Right-to-left names: pdftotext may emit them in visual order, so
    // compare the letters as a set of characters present.
    for n in ["ليلى", "דניאל"] {
        assert!(n.chars().all(|c| text.contains(c)), "{n} missing from the text");
    }
}

#[test]
fn bundled_fonts_cover_the_scripts_names_are_written_in() {
    let fonts = &engine().fonts;
    for c in "ÅëĞ ΑλΩ ЖЯё 王明さカ 김민 ليل דנ".chars().filter(|c| !c.is_whitespace())
    {
        assert!(fonts.covers(c), "no bundled font has a glyph for {c:?}");
    }
}
