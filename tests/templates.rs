//! Errors in templates point at the line an author fixes: a typst error in
//! the generated source names the `.j2` file and line that wrote it (and
//! the pack value when the failing text came from a pack), and template
//! errors name file, line and column. Each case renders the sample order
//! with `--templates DIR`, a directory holding one deliberately broken
//! copy of a shipped template (the others fall back to the embedded ones).

mod common;

use std::path::Path;

use assert_cmd::Command;
use common::*;

/// A templates directory whose `sections/fit.typ.j2` has `line` inserted
/// as its third line.
fn broken_fit(dir: &Path, line: &str) -> std::path::PathBuf {
    let fit =
        std::fs::read_to_string(root().join("report_templates/sections/fit.typ.j2"))
            .unwrap();
    let mut lines: Vec<&str> = fit.split('\n').collect();
    lines.insert(2, line);
    let templates = dir.join("templates");
    std::fs::create_dir_all(templates.join("sections")).unwrap();
    std::fs::write(templates.join("sections/fit.typ.j2"), lines.join("\n")).unwrap();
    templates
}

/// Renders the sample order with `templates`; returns stderr after
/// checking the exit code.
fn render_with(templates: &Path, code: i32) -> String {
    let dir = tempfile::tempdir().unwrap();
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .current_dir(root())
        .args(["render", "--order", "fixtures/order.sample.json", "--templates"])
        .arg(templates)
        .arg("--out")
        .arg(dir.path().join("p.pdf"))
        .assert()
        .code(code);
    String::from_utf8(run.get_output().stderr.clone()).unwrap()
}

#[test]
fn err_a_typst_error_names_the_template_line_and_the_pack_value() {
    let dir = tempfile::tempdir().unwrap();
    // A pack string where typst expects an integer.
    let templates = broken_fit(dir.path(), "#let broken = int({{ cr.title|tv }})");
    let err = render_with(&templates, 3);
    let fit = templates.join("sections/fit.typ.j2").display().to_string();
    assert!(err.starts_with("error[layout]: typst failed (1 error)\n"), "{err}");
    assert!(err.contains(&format!("\n  {fit}:3: ")), "no template line in:\n{err}");
    assert!(err.contains("(generated main.typ:"), "{err}");
    assert!(
        err.contains("packs/companies/google.json at roles.mle.title: the text there is this pack value"),
        "no pack value in:\n{err}"
    );
}

#[test]
fn err_a_typst_syntax_error_names_the_template_line() {
    let dir = tempfile::tempdir().unwrap();
    let templates = broken_fit(dir.path(), "#let unclosed = (1, 2");
    let err = render_with(&templates, 3);
    let fit = templates.join("sections/fit.typ.j2").display().to_string();
    assert!(err.contains(&format!("\n  {fit}:3: ")), "no template line in:\n{err}");
    assert!(!err.contains("the text there is this pack value"), "{err}");
}

#[test]
fn err_a_template_error_names_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let templates = broken_fit(dir.path(), "Score: {{ a.no_such_field.score }}");
    let err = render_with(&templates, 3);
    let fit = templates.join("sections/fit.typ.j2").display().to_string();
    assert!(err.starts_with("error[content]: template error\n"), "{err}");
    assert!(err.contains(&format!("\n  {fit}:3:12: undefined value")), "{err}");
}

#[test]
fn err_a_template_syntax_error_is_refused_when_loading() {
    let dir = tempfile::tempdir().unwrap();
    let templates = broken_fit(dir.path(), "{% if %}");
    let err = render_with(&templates, 3);
    let fit = templates.join("sections/fit.typ.j2").display().to_string();
    assert!(err.contains(&format!("\n  {fit}:3:")), "{err}");
    assert!(err.contains("syntax error"), "{err}");
}

#[test]
fn traced_source_is_the_source() {
    // The trace is only used when it reproduces the source exactly; for
    // the shipped templates it must, or errors would lose their lines.
    let order = sample_order("google", "mle");
    let e = engine();
    let a = prepbook::analyze(&order, &e.packs).unwrap();
    let opts = prepbook::content::ContentOptions { trace: true };
    let out =
        prepbook::content::generate(&e.templates, &order, &a, &e.packs, &opts).unwrap();
    let map = out.trace.expect("the shipped templates trace exactly");
    // The first line is written by the entry template.
    assert_eq!(
        map.template_line(1, 1).map(|(f, _)| f),
        Some("report_templates/playbook.typ.j2")
    );
}
