//! Files and paths an order names (issue 14): `{"path": …}` references
//! stay inside the order's directory unless the operator allows more,
//! only regular files are read, and the size limit holds while reading.

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::*;

/// Runs `prepbook validate --order ORDER --json` with `extra` flags.
fn validate(order: &Path, extra: &[&str]) -> (i32, serde_json::Value) {
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .args(["validate", "--json", "--today", "2026-11-27", "--order"])
        .arg(order)
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&run.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&run.stderr)));
    (run.status.code().unwrap(), v)
}

/// An order in `dir` whose resume is `{"path": resume}`.
fn order(dir: &Path, resume: &str) -> std::path::PathBuf {
    let doc = serde_json::json!({
        "resume": {"path": resume},
        "target": {"company": "google", "role": "swe", "interview_date": "2027-01-10"}
    });
    let p = dir.join("order.json");
    std::fs::write(&p, doc.to_string()).unwrap();
    p
}

fn first_diagnostic(v: &serde_json::Value) -> (String, String) {
    let d = &v["error"]["diagnostics"][0];
    (
        d["path"].as_str().unwrap_or_default().to_string(),
        d["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_reference_inside_the_order_directory_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("resume.newgrad.json"), dir.path().join("me.json")).unwrap();
    let (code, v) = validate(&order(dir.path(), "me.json"), &[]);
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["ok"], true);
}

#[test]
fn absolute_and_parent_references_are_refused_with_the_json_path() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("orders");
    std::fs::create_dir(&inner).unwrap();
    std::fs::copy(fixture("resume.newgrad.json"), dir.path().join("me.json")).unwrap();
    for reference in ["/etc/passwd", "../me.json"] {
        let (code, v) = validate(&order(&inner, reference), &[]);
        assert_eq!(code, 1, "{reference}: {v}");
        let (path, message) = first_diagnostic(&v);
        assert_eq!(path, "resume.path", "{reference}: {v}");
        assert!(message.contains("outside the order's directory"), "{message}");
        assert!(message.contains("--allow-path"), "{message}");
        assert!(!v.to_string().contains("root:"), "file contents leaked: {v}");
    }
    // The operator may allow the directory explicitly.
    let allow = dir.path().to_str().unwrap();
    let (code, v) = validate(&order(&inner, "../me.json"), &["--allow-path", allow]);
    assert_eq!(code, 0, "{v}");
}

#[test]
fn a_symlink_out_of_the_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let inner = dir.path().join("orders");
    std::fs::create_dir(&inner).unwrap();
    std::fs::copy(fixture("resume.newgrad.json"), dir.path().join("me.json")).unwrap();
    std::os::unix::fs::symlink(dir.path().join("me.json"), inner.join("link.json"))
        .unwrap();
    let (code, v) = validate(&order(&inner, "link.json"), &[]);
    assert_eq!(code, 1, "{v}");
    assert!(first_diagnostic(&v).1.contains("outside"), "{v}");
}

#[test]
fn devices_and_directories_are_not_read() {
    // /dev/zero reports 0 bytes and never ends: the size check must not
    // trust the reported size, and a device is not a resume anyway.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    for (reference, allow) in [("/dev/zero", "/dev"), ("sub", "")] {
        let mut extra = vec![];
        if !allow.is_empty() {
            extra = vec!["--allow-path", allow];
        }
        let (code, v) = validate(&order(dir.path(), reference), &extra);
        assert_eq!(code, 1, "{reference}: {v}");
        assert!(v.to_string().contains("not a regular file"), "{reference}: {v}");
    }
}

#[test]
fn an_oversized_file_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    // A resume file may be a PDF or DOCX, so its limit is the import's 10 MiB.
    std::fs::write(dir.path().join("big.json"), vec![b' '; 11 << 20]).unwrap();
    let (code, v) = validate(&order(dir.path(), "big.json"), &[]);
    assert_eq!(code, 1);
    assert!(v.to_string().contains("at most 10485760 bytes"), "{v}");
}

#[test]
fn outputs_get_the_usual_mode_and_stale_temporary_files_are_swept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let stale = dir.path().join(".prepbook-tmp-killed");
    let young = dir.path().join(".prepbook-tmp-running");
    let theirs = dir.path().join(".tmp-not-ours");
    for p in [&stale, &young, &theirs] {
        std::fs::write(p, "partial").unwrap();
    }
    let two_hours_ago =
        std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
    for p in [&stale, &theirs] {
        std::fs::File::options()
            .write(true)
            .open(p)
            .unwrap()
            .set_modified(two_hours_ago)
            .unwrap();
    }
    let out = dir.path().join("out.pdf");
    prepbook::write_atomic(&out, b"%PDF-1.7").unwrap();
    assert!(!stale.exists(), "what kill -9 left is removed");
    assert!(young.exists(), "a write in progress elsewhere is left alone");
    assert!(theirs.exists(), "files that are not ours are left alone");
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&out), mode(&probe), "not a temporary file's 0600");
}
