//! Bad input: every kind gets a clear error naming the file, the JSON path
//! (or line and column) and what was expected, exit code 1, and no output
//! file. Fixtures are `fixtures/errors/err_*`.

mod common;

use assert_cmd::Command;
use common::*;

fn prepbook() -> Command {
    Command::cargo_bin("prepbook").unwrap()
}

/// Runs `render` expecting failure; returns stderr and checks that no
/// output (not even a temporary file) was left behind.
fn render_fails(args: &[&str], code: i32) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.pdf");
    let assert = prepbook()
        .current_dir(root())
        .arg("render")
        .args(args)
        // The error fixtures name the shared resume one directory up.
        .args(["--allow-path", "fixtures"])
        .args(["--today", "2026-11-27", "--out"])
        .arg(&out)
        .assert()
        .code(code);
    assert!(!out.exists(), "a failed render left {out:?}");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "temporary files left behind"
    );
    String::from_utf8(assert.get_output().stderr.clone()).unwrap()
}

#[test]
fn err_malformed_json_names_file_line_and_column() {
    let err = render_fails(
        &[
            "--resume",
            "fixtures/errors/err_malformed.resume.json",
            "--company",
            "google",
            "--role",
            "mle",
        ],
        1,
    );
    assert!(err.contains("err_malformed.resume.json:4:3"), "{err}");
    assert!(err.contains("malformed JSON"), "{err}");
}

#[test]
fn err_wrong_type_names_the_json_path_and_expectation() {
    let err = render_fails(
        &[
            "--resume",
            "fixtures/errors/err_wrong_type.resume.json",
            "--company",
            "google",
            "--role",
            "mle",
        ],
        1,
    );
    assert!(err.contains("at work[1].startDate"), "{err}");
    assert!(err.contains("expected a date as YYYY, YYYY-MM or YYYY-MM-DD"), "{err}");
}

#[test]
fn err_bad_date_is_refused_with_its_path() {
    let err = render_fails(
        &[
            "--resume",
            "fixtures/errors/err_bad_date.resume.json",
            "--company",
            "google",
            "--role",
            "mle",
        ],
        1,
    );
    assert!(err.contains("work[0].startDate"), "{err}");
}

#[test]
fn err_unknown_company_lists_the_known_ones() {
    let err =
        render_fails(&["--order", "fixtures/errors/err_unknown_company.order.json"], 1);
    assert!(err.contains("unknown company \"initech\""), "{err}");
    for id in companies() {
        assert!(err.contains(&id), "{id} not listed in: {err}");
    }
}

#[test]
fn err_unknown_role_lists_the_known_ones() {
    let err =
        render_fails(&["--order", "fixtures/errors/err_unknown_role.order.json"], 1);
    assert!(err.contains("target.role") && err.contains("\"wizard\""), "{err}");
    for id in roles() {
        assert!(err.contains(&id), "{id} not listed in: {err}");
    }
}

#[test]
fn err_inline_resume_errors_carry_order_path_and_position() {
    let err = render_fails(&["--order", "fixtures/errors/err_inline_type.order.json"], 1);
    assert!(err.contains("resume.skills[0].keywords"), "{err}");
    assert!(err.contains("err_inline_type.order.json:4:51"), "{err}");
}

#[test]
fn err_dates_and_hours_are_all_reported_at_once() {
    let err = render_fails(&["--order", "fixtures/errors/err_dates.order.json"], 1);
    assert!(err.contains("target.interview_date"), "{err}");
    assert!(err.contains("target.hours_per_week"), "{err}");
}

#[test]
fn err_a_misspelt_order_field_names_its_path_and_the_likely_field() {
    let err =
        render_fails(&["--order", "fixtures/errors/err_misspelt_field.order.json"], 1);
    assert!(err.contains("err_misspelt_field.order.json:3:"), "{err}");
    assert!(
        err.contains(
            "at target.hours_per_wek: unknown field `hours_per_wek`; \
             did you mean `hours_per_week`?"
        ),
        "{err}"
    );
}

/// Copies `from` into `to`, every file and folder.
fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let dest = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap();
        }
    }
}

/// Rewrites the JSON file at `path` with `edit`.
fn edit_json(path: &std::path::Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    edit(&mut doc);
    std::fs::write(path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn err_unknown_pack_fields_name_file_path_and_the_likely_field() {
    // A misspelt field would otherwise be dropped in silence and the
    // content it holds would never reach a playbook.
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&root().join("report_templates/packs"), dir.path());
    edit_json(&dir.path().join("roles/mle.json"), |pack| {
        let skills = pack["competencies"][0]["skills"].take();
        pack["competencies"][0].as_object_mut().unwrap().remove("skills");
        pack["competencies"][0]["skils"] = skills;
    });
    edit_json(&dir.path().join("companies/google.json"), |pack| {
        let questions = pack["roles"]["mle"]["questions"].take();
        pack["roles"]["mle"].as_object_mut().unwrap().remove("questions");
        pack["roles"]["mle"]["questons"] = questions;
    });
    // One error per file (parsing stops there), every file checked.
    edit_json(&dir.path().join("companies/meta.json"), |pack| {
        pack["overview"]["zzz"] = serde_json::json!(1);
    });
    let run = prepbook().args(["validate", "--packs"]).arg(dir.path()).assert().code(1);
    let err = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    for (file, want) in [
        (
            "roles/mle.json:",
            "at competencies[0].skils: unknown field `skils`; did you mean `skills`?",
        ),
        (
            "companies/google.json:",
            "at roles.mle.questons: unknown field `questons`; did you mean `questions`?",
        ),
        // Nothing near: the fields the object takes.
        (
            "companies/meta.json:",
            "at overview.zzz: unknown field `zzz` (expected one of summary,",
        ),
    ] {
        assert!(
            err.lines().any(|l| l.contains(file) && l.contains(want)),
            "missing {file} {want:?} in:\n{err}"
        );
    }
}

#[test]
fn err_oversized_resume_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let big =
        format!("{{\"basics\": {{\"summary\": \"{}\"}}}}", "a".repeat(3 * 1024 * 1024));
    let p = write_temp(dir.path(), "big.json", &big);
    let err = render_fails(
        &["--resume", p.to_str().unwrap(), "--company", "google", "--role", "mle"],
        1,
    );
    assert!(err.contains("at most") && err.contains("2 MiB"), "{err}");
}

#[test]
fn err_usage_errors_exit_2() {
    prepbook().args(["render", "--resume"]).assert().code(2);
    prepbook().arg("frobnicate").assert().code(2);
}

#[test]
fn the_json_resume_sample_is_accepted_unchanged() {
    let resume = sample_resume();
    let job = sample_job();
    let out = prepbook()
        .args([
            "validate",
            "--company",
            "google",
            "--role",
            "mle",
            "--today",
            "2026-11-27",
            "--json",
            "--resume",
        ])
        .arg(&resume)
        .arg("--job")
        .arg(&job)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert!(v["stories"].as_u64().unwrap() >= 6);
}

#[test]
fn render_json_reports_pages_bytes_fit_and_stage_timings() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("p.pdf");
    let run = prepbook()
        .current_dir(root())
        .args(["render", "--order", "fixtures/order.sample.json", "--json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value = serde_json::from_slice(&run.get_output().stdout).unwrap();
    assert!(v["pages"].as_u64().unwrap() >= 50);
    assert_eq!(v["bytes"].as_u64().unwrap(), std::fs::metadata(&out).unwrap().len());
    assert!(v["fit_score"].as_u64().unwrap() <= 100);
    for stage in ["analysis", "content", "layout", "pdf"] {
        assert!(v["timings_ms"][stage].as_f64().is_some(), "no timing for {stage}");
    }
    assert_eq!(v["out"], out.to_str().unwrap());
}

#[test]
fn err_each_cause_is_printed_once_with_its_stage() {
    let err = render_fails(&["--order", "fixtures/errors/no-such-order.json"], 1);
    assert!(err.starts_with("error[input]: invalid order"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
    assert!(err.contains("no-such-order.json: cannot read file"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let run = prepbook().arg("inspect").arg(dir.path().join("gone.pdf")).assert().code(3);
    let err = String::from_utf8(run.get_output().stderr.clone()).unwrap();
    assert!(err.starts_with("error[input]: cannot access"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// Regression (issue 14): a 400,000-character name drove the service to
/// ~5 GB and a 100 KB one the CLI to 2 GB, because the name is laid out
/// on every page. Every field over its limit is named, all at once,
/// before any analysis.
#[test]
fn err_fields_over_their_limits_are_all_named_with_path_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let order = serde_json::json!({
        "resume": {
            "basics": {"name": "N".repeat(400_000), "summary": "s".repeat(6_000)},
            "work": [{"name": "Acme", "highlights": vec!["Shipped it"; 41]}],
            "skills": [{"name": "All", "keywords": vec!["k"; 61]}]
        },
        "job": "Requirements\n".repeat(5_000),
        "target": {"company": "google", "role": "mle", "level": "L".repeat(65)}
    });
    let p = write_temp(dir.path(), "big.order.json", &order.to_string());
    let err = render_fails(&["--order", p.to_str().unwrap()], 1);
    for want in [
        "at resume.basics.name: at most 300 characters, found 400000",
        "at resume.basics.summary: at most 5000 characters, found 6000",
        "at resume.work[0].highlights: at most 40 highlights, found 41",
        "at resume.skills[0].keywords: at most 60 keywords, found 61",
        "at job: at most 60000 characters, found 65000",
        "at target.level: at most 64 characters, found 65",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

/// Regression (issue 14): a lone surrogate escape or JSON nested past 128
/// levels inside the job was dropped while reading the order, and a
/// generic playbook was rendered. Both are refused with line and column.
#[test]
fn err_unreadable_inline_documents_are_refused_not_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    let cases = [
        (r#""job": {"title": "\ud800"}"#.to_string(), "hex escape"),
        (format!(r#""job": {{"title": "x", "extra": {deep}}}"#), "recursion limit"),
        (r#""job": "Senior \udfff engineer""#.to_string(), "hex escape"),
    ];
    for (i, (job, want)) in cases.iter().enumerate() {
        let text = format!(
            "{{\"resume\": {{\"basics\": {{\"name\": \"Ada\"}}}},\n {job},\n \"target\": {{\"company\": \"google\", \"role\": \"mle\"}}}}"
        );
        let p = write_temp(dir.path(), &format!("o{i}.json"), &text);
        let err = render_fails(&["--order", p.to_str().unwrap()], 1);
        assert!(err.contains(want), "case {i}: {err}");
        assert!(err.contains(&format!("o{i}.json:2:")), "case {i}: no position in {err}");
    }
}
