//! Shared helpers for the integration tests: paths, orders, and reading
//! PDFs the way a reader would (text through poppler's pdftotext, structure
//! through lopdf).

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use prepbook::{Engine, Order, OrderDraft, PathPolicy};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// One engine for the whole test binary: fonts, templates and packs are
/// loaded once, as in production.
pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine::embedded().expect("embedded engine loads"))
}

pub fn today() -> time::Date {
    time::macros::date!(2026 - 11 - 27)
}

/// An order from a JSON document (paths relative to the fixtures folder).
pub fn order_json(doc: serde_json::Value) -> Result<Order, prepbook::Error> {
    let text = serde_json::to_string_pretty(&doc).unwrap();
    OrderDraft::from_json(
        &text,
        Some("test-order.json"),
        &PathPolicy::within(root().join("fixtures")),
    )?
    .resolve(today())
}

/// The JSON Resume project's sample resume (vendored with its licence).
pub fn sample_resume() -> PathBuf {
    fixture("jsonresume/sample.resume.json")
}

/// The JSON Resume project's sample job.
pub fn sample_job() -> PathBuf {
    fixture("jsonresume/sample.job.json")
}

/// Every company id the embedded packs ship, in id order.
pub fn companies() -> Vec<String> {
    engine().packs.companies.keys().cloned().collect()
}

/// Every role id the embedded packs ship, in id order.
pub fn roles() -> Vec<String> {
    engine().packs.roles.keys().cloned().collect()
}

/// The JSON Resume sample resume and job for a company and role.
pub fn sample_order(company: &str, role: &str) -> Order {
    order_json(serde_json::json!({
        "order_id": format!("TEST-{company}-{role}"),
        "resume": {"path": sample_resume()},
        "job": {"path": sample_job()},
        "target": {"company": company, "role": role, "interview_date": "2027-01-08", "hours_per_week": 8}
    }))
    .expect("sample order is valid")
}

pub fn ensure_poppler() {
    let ok = std::process::Command::new("pdftotext").arg("-v").output().is_ok();
    assert!(
        ok,
        "pdftotext (poppler-utils) is required: run scripts/test, which installs it"
    );
}

/// The text of each page, as pdftotext extracts it.
pub fn pdf_pages_text(pdf: &[u8]) -> Vec<String> {
    ensure_poppler();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("in.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        out.status.success(),
        "pdftotext failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_owned).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Titles of the top-level outline (bookmark) entries.
pub fn outline_titles(pdf: &[u8]) -> Vec<String> {
    let doc = lopdf::Document::load_mem(pdf).expect("pdf parses");
    let catalog = doc.catalog().unwrap();
    let outlines = catalog.get(b"Outlines").and_then(|o| o.as_reference()).unwrap();
    let outlines = doc.get_dictionary(outlines).unwrap();
    let mut titles = Vec::new();
    let mut next = outlines.get(b"First").and_then(|o| o.as_reference()).ok();
    while let Some(id) = next {
        let item = doc.get_dictionary(id).unwrap();
        if let Ok(t) = item.get(b"Title") {
            titles.push(decode_pdf_string(t));
        }
        next = item.get(b"Next").and_then(|o| o.as_reference()).ok();
    }
    titles
}

pub fn decode_pdf_string(obj: &lopdf::Object) -> String {
    let bytes = obj.as_str().unwrap_or_default();
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// The document information dictionary entry, decoded.
pub fn info(pdf: &[u8], key: &str) -> Option<String> {
    let doc = lopdf::Document::load_mem(pdf).ok()?;
    let info = doc.trailer.get(b"Info").ok()?.as_reference().ok()?;
    let dict = doc.get_dictionary(info).ok()?;
    dict.get(key.as_bytes()).ok().map(decode_pdf_string)
}

/// Whitespace-free form for comparing text that pdftotext re-wraps.
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

pub fn write_temp(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Width and height in points of every page's media box.
pub fn page_sizes(pdf: &[u8]) -> Vec<(f32, f32)> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.get_pages()
        .values()
        .map(|&id| {
            let page = doc.get_dictionary(id).unwrap();
            let mb = page.get(b"MediaBox").unwrap().as_array().unwrap();
            let n: Vec<f32> = mb.iter().map(|o| o.as_float().unwrap_or(0.0)).collect();
            (n[2] - n[0], n[3] - n[1])
        })
        .collect()
}

/// A validator for `schemas/NAME` (JSON Schema 2020-12, formats asserted).
pub fn validator(name: &str) -> impl Fn(&serde_json::Value) -> Result<(), String> {
    let path = root().join("schemas").join(name);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let url = schema["$id"].as_str().unwrap().to_string();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&url, schema).unwrap();
    let index = compiler.compile(&url, &mut schemas).unwrap();
    move |doc| schemas.validate(doc, index).map_err(|e| format!("{e:#}"))
}
