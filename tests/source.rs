//! Snapshots of the typst source the content stage writes for a few fixture
//! orders (`tests/snapshots/source__*.snap`), so that a change to a
//! template, a pack or the analysis shows up as a reviewable diff of what
//! typst is given, line by line, before anyone looks at a PDF.
//!
//! After an intended change: `INSTA_UPDATE=always cargo nextest run --test
//! source` (or `cargo insta review`), then review the diff like code.

mod common;

use common::*;

/// The generated `main.typ` of one order, as `--emit-source` writes it.
fn source(order: &prepbook::Order) -> String {
    engine().source(order).unwrap()
}

/// A manifest line by its order id.
fn manifest_order(id: &str) -> prepbook::Order {
    let manifest = std::fs::read_to_string(fixture("manifest.jsonl")).unwrap();
    let line = manifest
        .lines()
        .find(|l| l.contains(&format!("\"order_id\": \"{id}\"")))
        .unwrap_or_else(|| panic!("no order {id} in the manifest"));
    order_json(serde_json::from_str(line).unwrap()).unwrap()
}

fn check(name: &str, order: &prepbook::Order) {
    insta::assert_snapshot!(name, source(order));
}

#[test]
fn the_sample_order() {
    // An ML engineer's resume and a job as text, with a level.
    let text = std::fs::read_to_string(fixture("order.sample.json")).unwrap();
    check("sample", &order_json(serde_json::from_str(&text).unwrap()).unwrap());
}

#[test]
fn a_new_graduate_with_a_json_job() {
    check("FX-002-google-pm", &manifest_order("FX-002-google-pm"));
}

#[test]
fn the_json_resume_sample_without_a_job() {
    // No job: requirements come from the role's and company's expectations.
    check("FX-003-google-ds", &manifest_order("FX-003-google-ds"));
}

#[test]
fn an_inline_resume_at_another_company() {
    check("FX-042-netflix-tpm", &manifest_order("FX-042-netflix-tpm"));
}
