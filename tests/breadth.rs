//! Content breadth: every company × role renders a substantive playbook,
//! and different candidates get measurably different playbooks.

mod common;

use std::collections::BTreeSet;

use common::*;
use prepbook::RenderOptions;

/// Whether a page draws a table or a chart: ruled lines and filled
/// rectangles in its content stream.
fn graphics_ops(doc: &lopdf::Document, page: lopdf::ObjectId) -> usize {
    let Ok(content) = doc.get_and_decode_page_content(page) else { return 0 };
    content
        .operations
        .iter()
        .filter(|op| matches!(op.operator.as_str(), "re" | "l"))
        .count()
}

#[test]
fn every_company_and_role_renders_a_substantive_playbook() {
    let mut pages_seen = Vec::new();
    let mut thin = Vec::new();
    let packs = &engine().packs;
    for (company, pack) in &packs.companies {
        // A company covers the roles its pack has content for.
        for role in pack.roles.keys() {
            assert!(packs.roles.contains_key(role), "{company}: no role pack {role}");
            let order = sample_order(company, role);
            let out = engine().render(&order, &RenderOptions::default()).unwrap();
            assert!(out.pages >= 50, "{company}/{role}: only {} pages", out.pages);
            let texts = pdf_pages_text(&out.pdf);
            let doc = lopdf::Document::load_mem(&out.pdf).unwrap();
            let ids: Vec<_> = doc.get_pages().into_values().collect();
            let mut dense = 0;
            for (i, t) in texts.iter().enumerate() {
                let words = t.split_whitespace().count();
                if words >= 120 || graphics_ops(&doc, ids[i]) >= 8 {
                    dense += 1;
                } else {
                    thin.push(format!("{company}/{role} p{} ({words} words)", i + 1));
                }
            }
            let share = dense as f64 / texts.len() as f64;
            assert!(
                share >= 0.9,
                "{company}/{role}: only {:.0}% of pages are substantive",
                share * 100.0
            );
            pages_seen.push((out.pages, format!("{company}/{role}")));
        }
    }
    pages_seen.sort();
    let (Some(min), Some(max)) = (pages_seen.first(), pages_seen.last()) else {
        panic!("the embedded packs have no company with a role");
    };
    println!(
        "{} combinations: {} to {} pages (min {}, max {}); thin pages: {}",
        pages_seen.len(),
        min.0,
        max.0,
        min.1,
        max.1,
        thin.len()
    );
}

/// Word 3-grams of a page without its running header and footer.
fn shingles(page: &str) -> BTreeSet<String> {
    let body: Vec<&str> = page
        .lines()
        .filter(|l| !l.contains("Prepared for") && !l.contains("Interview playbook"))
        .flat_map(str::split_whitespace)
        .collect();
    body.windows(3).map(|w| w.join(" ")).collect()
}

fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

#[test]
fn different_candidates_get_visibly_different_playbooks() {
    // A page "differs" when no page of the other playbook shares 80% of its
    // word 3-grams: re-pagination alone does not count as a difference.
    let render = |resume: &str, job: Option<&str>| {
        let mut doc = serde_json::json!({
            "resume": {"path": resume},
            "target": {"company": "google", "role": "mle", "interview_date": "2027-01-08", "hours_per_week": 8}
        });
        if let Some(j) = job {
            doc["job"] = serde_json::json!({"path": j});
        }
        let out = engine()
            .render(&order_json(doc).unwrap(), &RenderOptions::default())
            .unwrap();
        pdf_pages_text(&out.pdf)
    };
    let (ta, tb) = (
        render("resume.mle.json", Some("job.mle.txt")),
        render("resume.newgrad.json", Some("job.mle.txt")),
    );
    // Issue 11: two candidates at the same company, role and job share at
    // most 70% of their text lines (as pdftotext prints them), counted
    // with repeats, from either side.
    let lines = |pages: &[String]| -> std::collections::BTreeMap<String, usize> {
        let mut m = std::collections::BTreeMap::new();
        for l in pages.iter().flat_map(|p| p.lines()) {
            let l = l.split_whitespace().collect::<Vec<_>>().join(" ");
            if !l.is_empty() {
                *m.entry(l).or_insert(0) += 1;
            }
        }
        m
    };
    let (la, lb) = (lines(&ta), lines(&tb));
    let shared: usize =
        la.iter().map(|(l, n)| (*n).min(lb.get(l).copied().unwrap_or(0))).sum();
    let (na, nb) = (la.values().sum::<usize>(), lb.values().sum::<usize>());
    let line_share = shared as f64 / na.min(nb) as f64;
    println!(
        "shared text lines: {shared} of {na} and {nb} ({:.1}% of the shorter)",
        line_share * 100.0
    );
    assert!(line_share <= 0.70, "{:.1}% of text lines are shared", line_share * 100.0);
    let a: Vec<_> = ta.iter().map(|p| shingles(p)).collect();
    let b: Vec<_> = tb.iter().map(|p| shingles(p)).collect();
    let differs = a
        .iter()
        .filter(|pa| b.iter().map(|pb| similarity(pa, pb)).fold(0.0, f64::max) < 0.8)
        .count();
    let share = differs as f64 / a.len() as f64;
    println!(
        "personalisation: {differs} of {} pages differ ({:.0}%)",
        a.len(),
        share * 100.0
    );
    assert!(
        share >= 0.3,
        "only {:.0}% of pages differ between two candidates",
        share * 100.0
    );
}

#[test]
fn the_pack_check_names_file_and_json_path_of_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let src = root().join("report_templates/packs");
    for sub in ["roles", "companies", "taxonomy"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        for e in std::fs::read_dir(src.join(sub)).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, dir.path().join(sub).join(p.file_name().unwrap())).unwrap();
        }
    }
    for f in ["playbook.json", "competencies.json", "degrees.json", "phrases.json"] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    // Break one company pack in three ways.
    let path = dir.path().join("companies/google.json");
    let mut pack: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    pack["roles"]["mle"]["questions"][3]["competencies"] = serde_json::json!(["codng"]);
    pack["roles"]["mle"]["levels"][0]["compensation"]["as_of"] =
        serde_json::json!("recently");
    pack["roles"]["swe"]["tips"][0] = serde_json::json!("TODO write this tip");
    let q0 = pack["roles"]["mle"]["questions"][0]["question"].clone();
    pack["roles"]["ds"]["questions"][1]["question"] = q0;
    std::fs::write(&path, serde_json::to_string_pretty(&pack).unwrap()).unwrap();

    let out = assert_cmd::Command::cargo_bin("prepbook")
        .unwrap()
        .args(["validate", "--packs"])
        .arg(dir.path())
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    for want in [
        "google.json at roles.mle.questions[3].competencies: unknown competency \"codng\"",
        "google.json at roles.mle.levels[0].compensation.as_of: expected a month as YYYY-MM",
        "google.json at roles.swe.tips[0]: placeholder text \"todo\"",
        "google.json at roles.mle.questions[0].question: duplicate of roles.ds.questions[1]",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}
