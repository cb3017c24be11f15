//! Entry points for the fuzz targets (`fuzz/`, cargo-fuzz) and for their
//! smoke run in the tests (`tests/fuzz_smoke.rs`): each takes arbitrary
//! bytes and must return, whatever they are, without panicking, hanging or
//! growing without bound. Not part of the library's API.

use crate::import::{self, ImportLimits};
use crate::model::{OrderDraft, PathPolicy};

/// The fixed day orders are resolved against.
const TODAY: time::Date = time::macros::date!(2026 - 12 - 01);

/// An order document: read, resolved and checked.
pub fn order(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(draft) = OrderDraft::from_json(text, None, &PathPolicy::Refuse) {
        let _ = draft.resolve(TODAY);
    }
}

/// Job-description text: read into an order beside a fixed resume and
/// analysed (requirements, evidence, fit, gaps, level).
pub fn job_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let doc = serde_json::json!({
        "resume": {"basics": {"name": "Fuzz"}, "work": [{"name": "Acme", "position": "Engineer",
            "startDate": "2019-01", "highlights": ["Built a Python service used by 2M users"]}]},
        "job": text,
        "target": {"company": "google", "role": "swe", "today": "2026-12-01"}
    });
    let Ok(draft) = OrderDraft::from_json(&doc.to_string(), None, &PathPolicy::Refuse)
    else {
        return;
    };
    let Ok(order) = draft.resolve(TODAY) else { return };
    let packs = packs();
    let _ = crate::analysis::analyze(&order, packs);
}

/// The embedded packs, loaded once per process.
fn packs() -> &'static crate::Packs {
    static PACKS: std::sync::OnceLock<crate::Packs> = std::sync::OnceLock::new();
    PACKS.get_or_init(|| crate::Packs::embedded().expect("the embedded packs load"))
}

/// The typst escaper: any text becomes a string literal and markup that
/// typst parses without error and that cannot leave its literal.
pub fn escape(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut literal = String::new();
    crate::content::escape::string_literal(&text, &mut literal);
    let source = format!("#let x = {literal}\n");
    let root = typst::syntax::parse(&source);
    assert!(
        root.errors_and_warnings().0.is_empty(),
        "the escaped literal does not parse: {literal:?}"
    );
    let mut markup = String::new();
    crate::content::escape::markup(&text, &mut markup);
    let root = typst::syntax::parse(&markup);
    assert!(
        root.errors_and_warnings().0.is_empty(),
        "the escaped markup does not parse: {markup:?}"
    );
}

/// The PDF inspector on any bytes.
pub fn inspect(data: &[u8]) {
    let _ = crate::pdf::inspect(data, None);
}

/// Import with detection, as uploads arrive.
pub fn import(data: &[u8]) {
    let _ = import::import(data, &ImportLimits::default());
}

/// The PDF reader: the bytes behind a PDF header, so that the fuzzer
/// spends its time in the reader rather than in detection.
pub fn import_pdf(data: &[u8]) {
    if data.starts_with(b"%PDF-") {
        import(data);
    } else {
        let mut v = b"%PDF-1.7\n".to_vec();
        v.extend_from_slice(data);
        import(&v);
    }
}

/// The text and Markdown readers: any bytes as text.
pub fn import_text(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    import(text.as_bytes());
}
