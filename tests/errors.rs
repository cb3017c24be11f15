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
    for id in ["amazon", "apple", "google", "meta", "microsoft", "netflix", "nvidia"] {
        assert!(err.contains(id), "{err}");
    }
}

#[test]
fn err_unknown_role_lists_the_known_ones() {
    let err =
        render_fails(&["--order", "fixtures/errors/err_unknown_role.order.json"], 1);
    assert!(
        err.contains("target.role") && err.contains("de, ds, mle, pm, swe, tpm"),
        "{err}"
    );
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
    let resume = shared().join("formats/jsonresume/sample.resume.json");
    let job = shared().join("formats/jsonresume/sample.job.json");
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
