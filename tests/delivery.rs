//! Delivery-grade PDFs: preflight catches each defect it claims to (shown
//! with deliberately broken files), protection and standards, inspect on
//! prepbook's and third-party PDFs, and page previews.

mod common;

use std::sync::OnceLock;

use assert_cmd::Command;
use common::*;
use lopdf::{Dictionary, Object, dictionary};
use prepbook::RenderOptions;
use prepbook::pdf::{Expected, inspect, preflight};

/// One good playbook and what preflight expects of it.
fn good() -> &'static (Vec<u8>, Expected) {
    static GOOD: OnceLock<(Vec<u8>, Expected)> = OnceLock::new();
    GOOD.get_or_init(|| {
        let order = sample_order("netflix", "mle");
        let out = engine().render(&order, &RenderOptions::default()).unwrap();
        let sections = outline_titles(&out.pdf);
        (out.pdf, Expected { pages: out.pages, sections, standard: None })
    })
}

fn broken(edit: impl FnOnce(&mut lopdf::Document)) -> Vec<u8> {
    let mut doc = lopdf::Document::load_mem(&good().0).unwrap();
    edit(&mut doc);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

fn preflight_error(pdf: &[u8]) -> String {
    let err = preflight(pdf, &good().1).expect_err("preflight should fail");
    assert_eq!(err.kind(), prepbook::ErrorKind::Preflight);
    err.to_string()
}

#[test]
fn a_good_playbook_passes_preflight() {
    let (pdf, expected) = good();
    assert!(expected.sections.len() >= 12, "{:?}", expected.sections);
    preflight(pdf, expected).unwrap();
}

#[test]
fn preflight_catches_a_font_that_is_not_embedded() {
    let pdf = broken(|doc| {
        for obj in doc.objects.values_mut() {
            if let Object::Dictionary(d) = obj
                && d.has(b"FontFile2")
            {
                d.remove(b"FontFile2");
                break;
            }
        }
    });
    let err = preflight_error(&pdf);
    assert!(err.contains("fonts:") && err.contains("is not embedded"), "{err}");
}

#[test]
fn preflight_catches_a_missing_outline() {
    let pdf = broken(|doc| {
        doc.catalog_mut().unwrap().remove(b"Outlines");
    });
    let err = preflight_error(&pdf);
    assert!(err.contains("outline: the file has no outline"), "{err}");
}

#[test]
fn preflight_catches_a_javascript_action() {
    let pdf = broken(|doc| {
        let mut js = Dictionary::new();
        js.set("S", Object::Name(b"JavaScript".to_vec()));
        js.set("JS", Object::string_literal("app.alert('hi')"));
        let id = doc.add_object(js);
        doc.catalog_mut().unwrap().set("OpenAction", Object::Reference(id));
    });
    let err = preflight_error(&pdf);
    assert!(err.contains("JavaScript"), "{err}");
}

#[test]
fn preflight_catches_missing_metadata_and_wrong_page_count() {
    let pdf = broken(|doc| {
        let info = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
        doc.get_dictionary_mut(info).unwrap().remove(b"Subject");
    });
    let err =
        preflight(&pdf, &Expected { pages: good().1.pages + 1, ..good().1.clone() })
            .unwrap_err();
    let all: Vec<String> = err.diagnostics().iter().map(|d| d.message.clone()).collect();
    assert!(all.iter().any(|m| m == "metadata: Subject is not set"), "{all:?}");
    assert!(all.iter().any(|m| m.starts_with("page count:")), "{all:?}");
}

#[test]
fn preflight_refuses_bytes_that_do_not_parse() {
    let whole = &good().0;
    // The header alone, and a file cut off a third of the way through.
    for cut in [200, whole.len() / 3] {
        let err = preflight(&whole[..cut], &good().1).expect_err("a cut file passed");
        assert_eq!(err.kind(), prepbook::ErrorKind::Preflight, "cut at {cut}: {err}");
    }
}

fn render_cli(extra: &[&str]) -> (std::path::PathBuf, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.pdf");
    Command::cargo_bin("prepbook")
        .unwrap()
        .current_dir(root())
        .args(["render", "--order", "fixtures/order.sample.json", "--out"])
        .arg(&out)
        .args(extra)
        .assert()
        .success();
    (out, dir)
}

#[test]
fn a_protected_file_needs_its_user_password_and_keeps_its_permissions() {
    let (out, _dir) =
        render_cli(&["--protect", "owner-secret", "--user-password", "open-sesame"]);
    let bytes = std::fs::read(&out).unwrap();
    let err = inspect(&bytes, None).unwrap_err();
    assert!(err.to_string().contains("pass --password"), "{err}");
    assert!(inspect(&bytes, Some("wrong")).is_err());
    let i = inspect(&bytes, Some("open-sesame")).unwrap();
    assert!(i.pages >= 50);
    let e = i.encryption.unwrap();
    assert_eq!(
        (e.algorithm.as_str(), e.print, e.copy, e.edit),
        ("AES-256", true, false, false)
    );
    // poppler agrees.
    let info = std::process::Command::new("pdfinfo")
        .args(["-upw", "open-sesame"])
        .arg(&out)
        .output()
        .unwrap();
    let info = String::from_utf8_lossy(&info.stdout);
    assert!(info.contains("Encrypted:       yes (print:yes copy:no change:no addNotes:no algorithm:AES-256)"), "{info}");
    let no_pw = std::process::Command::new("pdfinfo").arg(&out).output().unwrap();
    assert!(!no_pw.status.success(), "pdfinfo opened the file without a password");
}

#[test]
fn permissions_follow_the_order_without_a_user_password() {
    let (out, _dir) =
        render_cli(&["--protect", "owner-secret", "--allow-copy", "--no-print"]);
    let i = inspect(&std::fs::read(&out).unwrap(), None).unwrap();
    let e = i.encryption.unwrap();
    assert_eq!((e.print, e.copy, e.edit), (false, true, false));
    assert!(i.pages >= 50, "opens without a user password");
}

#[test]
fn pdf_a_2b_is_declared_and_passes_preflight() {
    let (out, _dir) = render_cli(&["--pdf-standard", "a-2b"]);
    let bytes = std::fs::read(&out).unwrap();
    let i = inspect(&bytes, None).unwrap();
    assert_eq!(i.standards, ["a-2b"]);
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    let meta = doc
        .get_object(catalog.get(b"Metadata").unwrap().as_reference().unwrap())
        .unwrap();
    let xmp = String::from_utf8_lossy(&meta.as_stream().unwrap().content).into_owned();
    assert!(xmp.contains("pdfaid"), "XMP lacks pdfaid");
}

#[test]
fn pdf_a_with_protection_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::cargo_bin("prepbook")
        .unwrap()
        .current_dir(root())
        .args([
            "render",
            "--order",
            "fixtures/order.sample.json",
            "--pdf-standard",
            "a-2b",
            "--protect",
            "pw",
            "--out",
        ])
        .arg(dir.path().join("x.pdf"))
        .assert()
        .code(1);
    let cli = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
    assert!(cli.starts_with("error[input]: invalid order"), "{cli}");
    assert_eq!(cli.matches("PDF/A forbids encryption").count(), 1, "{cli}");
    let err = order_json(serde_json::json!({
        "resume": {"path": "resume.mle.json"},
        "target": {"company": "google", "role": "mle"},
        "pdf_standard": "a-3b",
        "protection": {"owner_password": "pw"}
    }))
    .unwrap_err();
    assert!(err.to_string().contains("PDF/A forbids encryption"), "{err}");
}

#[test]
fn inspect_json_describes_a_playbook() {
    let (out, _dir) = render_cli(&[]);
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .arg("inspect")
        .arg(&out)
        .arg("--json")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(v["order_id"], "SAMPLE-0001");
    assert!(v["pages"].as_u64().unwrap() >= 50);
    assert_eq!(v["tagged"], true);
    assert_eq!(v["metadata"]["Author"], "Zoë Marchetti");
    assert!(
        v["outline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["title"] == "Your gaps and what to say about them")
    );
    assert!(v["fonts"].as_array().unwrap().iter().all(|f| f["embedded"] == true));
    let sizes = &v["sizes"];
    assert!(
        sizes["fonts"].as_u64().unwrap() > 0 && sizes["content"].as_u64().unwrap() > 0
    );
}

#[test]
fn inspect_works_on_a_third_party_pdf_and_refuses_other_files() {
    // A minimal PDF from another producer: one page, a standard font that
    // is not embedded, no outline, no order stamp.
    let mut doc = lopdf::Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font = doc.add_object(
        dictionary! {"Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica"},
    );
    let content = doc.add_object(lopdf::Stream::new(
        Dictionary::new(),
        b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! {"Font" => dictionary! {"F1" => font}},
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! {"Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1},
        ),
    );
    let catalog = doc.add_object(dictionary! {"Type" => "Catalog", "Pages" => pages_id});
    doc.trailer.set("Root", catalog);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.pdf");
    doc.save(&path).unwrap();
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .arg("inspect")
        .arg(&path)
        .arg("--json")
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert_eq!(v["pages"], 1);
    assert_eq!(v["page_size"], serde_json::json!([595.0, 842.0]));
    assert_eq!(v["fonts"][0]["name"], "Helvetica");
    assert_eq!(v["fonts"][0]["embedded"], false);
    assert_eq!(v["order_id"], serde_json::Value::Null);
    let text = write_temp(dir.path(), "notes.txt", "just text");
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .arg("inspect")
        .arg(&text)
        .assert()
        .code(1);
    assert!(
        String::from_utf8_lossy(&run.get_output().stderr)
            .contains("does not start with a %PDF- header")
    );
}

#[test]
fn preview_png_matches_page_size_times_scale() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("p3.png");
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .current_dir(root())
        .args([
            "preview",
            "--order",
            "fixtures/order.sample.json",
            "--page",
            "3",
            "--scale",
            "1.5",
            "--json",
            "--out",
        ])
        .arg(&png)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[1..4], b"PNG");
    // PNG header: width and height are big-endian u32 at bytes 16..24.
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (918, 1188), "US Letter 612 × 792 pt at 1.5 px/pt");
    assert_eq!((v["width"].as_u64(), v["height"].as_u64()), (Some(918), Some(1188)));
    Command::cargo_bin("prepbook")
        .unwrap()
        .current_dir(root())
        .args([
            "preview",
            "--order",
            "fixtures/order.sample.json",
            "--page",
            "999",
            "--out",
        ])
        .arg(dir.path().join("x.png"))
        .assert()
        .code(1);
}
