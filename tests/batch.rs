//! Batch regeneration: failure isolation, resume after a kill, and
//! skipping what is up to date.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use assert_cmd::Command;
use common::*;

/// A manifest of `n` good orders plus optional extra lines, with the
/// files it names copied next to it (references may not leave the
/// manifest's directory).
fn manifest(dir: &Path, n: usize, extra: &[&str]) -> std::path::PathBuf {
    for name in ["resume.mle.json", "resume.newgrad.json", "job.mle.txt"] {
        std::fs::copy(fixture(name), dir.join(name)).unwrap();
    }
    let companies = companies();
    let mut lines: Vec<String> = (0..n)
        .map(|i| {
            serde_json::json!({
                "order_id": format!("B-{i:03}"),
                "resume": {"path": if i % 2 == 0 { "resume.mle.json" } else { "resume.newgrad.json" }},
                "job": if i % 3 == 0 { serde_json::json!({"path": "job.mle.txt"}) } else { serde_json::Value::Null },
                "target": {"company": companies[i % companies.len()], "role": "mle", "today": "2026-11-27", "interview_date": "2027-01-10"}
            })
            .to_string()
        })
        .collect();
    lines.extend(extra.iter().map(|s| s.to_string()));
    let p = dir.join("orders.jsonl");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn summary(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
        .unwrap()
}

/// Runs `prepbook batch` on `m` into `out` with `args`, expects success and
/// returns the summary.
fn batch_ok(m: &Path, out: &Path, args: &[&str]) -> serde_json::Value {
    Command::cargo_bin("prepbook")
        .unwrap()
        .args(["batch", "--manifest"])
        .arg(m)
        .arg("--out")
        .arg(out)
        .args(args)
        .assert()
        .success();
    summary(out)
}

fn pdfs(out: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pdf"))
        .collect();
    v.sort();
    v
}

/// Starts `prepbook batch -j 1` in the background and returns it once
/// `ready(out)` holds (or after two minutes).
fn batch_until(
    m: &Path,
    out: &Path,
    ready: impl Fn(&Path) -> bool,
) -> std::process::Child {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("prepbook"))
        .args(["batch", "-j", "1", "--manifest"])
        .arg(m)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline && !(out.is_dir() && ready(out)) {
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

#[test]
fn a_bad_order_is_reported_and_the_rest_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let bad_type = r#"{"order_id": "BAD-TYPE", "resume": {"basics": {"name": "X"}, "work": [{"startDate": 2020}]}, "target": {"company": "google", "role": "mle"}}"#;
    let bad_company = r#"{"order_id": "BAD-CO", "resume": {"basics": {"name": "Y"}}, "target": {"company": "initech", "role": "mle"}}"#;
    let no_file = r#"{"order_id": "NO-FILE", "resume": {"path": "gone.json"}, "target": {"company": "google", "role": "mle"}}"#;
    let outside = r#"{"order_id": "OUTSIDE", "resume": {"path": "/etc/passwd"}, "target": {"company": "google", "role": "mle"}}"#;
    let m =
        manifest(dir.path(), 3, &[bad_type, "{not json", bad_company, no_file, outside]);
    let out = dir.path().join("out");
    Command::cargo_bin("prepbook")
        .unwrap()
        .args(["batch", "-j", "2", "--manifest"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    assert_eq!(pdfs(&out), ["B-000.pdf", "B-001.pdf", "B-002.pdf"]);
    let s = summary(&out);
    assert_eq!((s["rendered"].as_u64(), s["failed"].as_u64()), (Some(3), Some(5)));
    let orders = s["orders"].as_array().unwrap();
    let by_line = |l: u64| orders.iter().find(|o| o["line"] == l).unwrap();
    let e4 = &by_line(4)["error"];
    assert_eq!(e4["diagnostics"][0]["path"], "resume.work[0].startDate");
    assert!(e4["diagnostics"][0]["file"].as_str().unwrap().ends_with("orders.jsonl:4"));
    assert!(by_line(5)["error"]["message"].as_str().unwrap().contains("malformed JSON"));
    assert!(
        by_line(6)["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown company \"initech\"")
    );
    for o in orders.iter().filter(|o| o["status"] == "rendered") {
        assert!(o["pages"].as_u64().unwrap() >= 50 && o["bytes"].as_u64().unwrap() > 0);
    }
    // Issue 14: an order that cannot be read is reported under the id its
    // line states; only a line too broken to parse has none.
    assert_eq!(by_line(4)["id"], "BAD-TYPE");
    assert_eq!(by_line(5)["id"], serde_json::Value::Null);
    assert_eq!(by_line(7)["id"], "NO-FILE");
    assert!(
        by_line(7)["error"].to_string().contains("gone.json"),
        "{}",
        by_line(7)["error"]
    );
    // A reference may not leave the manifest's directory.
    assert_eq!(by_line(8)["id"], "OUTSIDE");
    let outside = by_line(8)["error"]["diagnostics"][0].clone();
    assert_eq!(outside["path"], "resume.path");
    assert!(outside["message"].as_str().unwrap().contains("outside"), "{outside}");
}

#[test]
fn a_symlinked_state_directory_is_refused_and_its_target_untouched() {
    // Issue 14: batch empties `OUT/.prepbook/tmp`; a planted link must not
    // make it delete (or write) files elsewhere.
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(victim.join("tmp")).unwrap();
    std::fs::write(victim.join("tmp/keep.txt"), "mine").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::os::unix::fs::symlink(&victim, out.join(".prepbook")).unwrap();
    let m = manifest(dir.path(), 1, &[]);
    let run = Command::cargo_bin("prepbook")
        .unwrap()
        .args(["batch", "--threads", "--manifest"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(1);
    let err = String::from_utf8_lossy(&run.get_output().stderr).into_owned();
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_to_string(victim.join("tmp/keep.txt")).unwrap(), "mine");
    assert!(pdfs(&out).is_empty());
}

#[test]
fn allow_path_lets_a_manifest_name_files_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let m = dir.path().join("orders.jsonl");
    let line = serde_json::json!({
        "order_id": "ELSEWHERE",
        "resume": {"path": fixture("resume.newgrad.json")},
        "target": {"company": "google", "role": "swe", "today": "2026-11-27", "interview_date": "2027-01-10"}
    });
    std::fs::write(&m, format!("{line}\n")).unwrap();
    let out = dir.path().join("out");
    Command::cargo_bin("prepbook")
        .unwrap()
        .args(["batch", "--threads", "--manifest"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .arg("--allow-path")
        .arg(fixture(""))
        .assert()
        .success();
    assert_eq!(pdfs(&out), ["ELSEWHERE.pdf"]);
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(out.join("ELSEWHERE.pdf")).unwrap().permissions(),
    );
    // Issue 14: outputs get the mode a new file gets under the umask, not
    // a temporary file's 0600.
    let probe = dir.path().join("probe");
    std::fs::write(&probe, "").unwrap();
    let usual = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(&probe).unwrap().permissions(),
    );
    assert_eq!(mode & 0o777, usual & 0o777);
}

#[test]
fn a_rerun_skips_what_is_up_to_date_and_renders_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), 4, &[]);
    let out = dir.path().join("out");
    let run = |args: &[&str]| batch_ok(&m, &out, args);
    let first = run(&[]);
    assert_eq!(first["rendered"], 4);
    let before = std::fs::metadata(out.join("B-001.pdf")).unwrap().modified().unwrap();
    let t = Instant::now();
    let second = run(&[]);
    assert_eq!(
        (second["rendered"].as_u64(), second["skipped"].as_u64()),
        (Some(0), Some(4))
    );
    assert!(t.elapsed() < Duration::from_secs(30), "an up-to-date rerun renders nothing");
    assert_eq!(
        std::fs::metadata(out.join("B-001.pdf")).unwrap().modified().unwrap(),
        before
    );
    // Change one order: only it is rendered again.
    let text =
        std::fs::read_to_string(&m).unwrap().replacen("2027-01-10", "2027-02-10", 1);
    std::fs::write(&m, text).unwrap();
    let third = run(&[]);
    assert_eq!(
        (third["rendered"].as_u64(), third["skipped"].as_u64()),
        (Some(1), Some(3))
    );
    let forced = run(&["--force"]);
    assert_eq!(forced["rendered"], 4);
}

#[test]
fn a_killed_batch_leaves_only_complete_pdfs_and_a_rerun_finishes() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), 8, &[]);
    let out = dir.path().join("out");
    // Kill it once the first PDFs exist, in the middle of the next render.
    let mut child = batch_until(&m, &out, |out| pdfs(out).len() >= 2);
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    let done = pdfs(&out);
    assert!(done.len() >= 2 && done.len() < 8, "killed too late or too early: {done:?}");
    for name in &done {
        let bytes = std::fs::read(out.join(name)).unwrap();
        lopdf::Document::load_mem(&bytes)
            .unwrap_or_else(|e| panic!("{name} is not a complete PDF: {e}"));
        assert!(
            bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"),
            "{name} is truncated"
        );
    }
    let s = batch_ok(&m, &out, &[]);
    assert_eq!(s["rendered"].as_u64().unwrap() + s["skipped"].as_u64().unwrap(), 8);
    assert!(
        s["skipped"].as_u64().unwrap() >= done.len() as u64 - 1,
        "completed PDFs were rendered again"
    );
    assert_eq!(pdfs(&out).len(), 8);
    assert_eq!(
        std::fs::read_dir(out.join(".prepbook/tmp")).unwrap().count(),
        0,
        "partial files left behind"
    );
}

#[test]
fn a_worker_process_that_dies_fails_only_its_order() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), 5, &[]);
    let out = dir.path().join("out");
    // Once the first order is complete (its sidecar is written after its
    // PDF) and the child has had a moment to answer, it is rendering the
    // second order, which takes far longer than that moment: kill the
    // child (not the batch) with SIGKILL, as an abort or the OOM killer
    // would. Waiting for the PDF alone raced the sidecar's write.
    let mut parent =
        batch_until(&m, &out, |out| out.join(".prepbook/B-000.json").is_file());
    std::thread::sleep(Duration::from_millis(100));
    // Children are listed per thread of the parent (a pool thread spawned it).
    let children: String = std::fs::read_dir(format!("/proc/{}/task", parent.id()))
        .unwrap()
        .filter_map(|t| std::fs::read_to_string(t.unwrap().path().join("children")).ok())
        .collect::<Vec<_>>()
        .join(" ");
    let worker =
        children.split_whitespace().next().expect("a worker process").to_string();
    let killed =
        std::process::Command::new("kill").args(["-9", &worker]).status().unwrap();
    assert!(killed.success());
    let status = parent.wait().unwrap();
    assert_eq!(status.code(), Some(1), "a failed order makes the batch exit 1");
    let s = summary(&out);
    assert_eq!((s["rendered"].as_u64(), s["failed"].as_u64()), (Some(4), Some(1)), "{s}");
    assert_eq!(s["workers"], "processes");
    let dead =
        s["orders"].as_array().unwrap().iter().find(|o| o["status"] == "failed").unwrap();
    let msg = dead["error"]["message"].as_str().unwrap();
    assert!(msg.contains("worker process died") && msg.contains("SIGKILL"), "{msg}");
    let dead_id = dead["id"].as_str().unwrap();
    assert!(!pdfs(&out).contains(&format!("{dead_id}.pdf")), "{dead_id} left a PDF");
    assert_eq!(pdfs(&out).len(), 4);
    // A rerun renders just the order that died.
    let s = batch_ok(&m, &out, &[]);
    assert_eq!(
        (s["rendered"].as_u64(), s["skipped"].as_u64()),
        (Some(1), Some(4)),
        "{s}"
    );
}

#[test]
fn threads_and_processes_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let m = manifest(dir.path(), 3, &[]);
    let run = |name: &str, args: &[&str]| {
        let out = dir.path().join(name);
        assert_eq!(batch_ok(&m, &out, &[&["-j", "2"], args].concat())["workers"], name);
        out
    };
    let (threads, processes) = (run("threads", &["--threads"]), run("processes", &[]));
    for name in pdfs(&threads) {
        assert!(
            std::fs::read(threads.join(&name)).unwrap()
                == std::fs::read(processes.join(&name)).unwrap(),
            "{name} differs between thread and process workers"
        );
    }
    assert_eq!(pdfs(&processes).len(), 3);
    // The memory line: each rendered order carries its renderer's memory.
    let s = summary(&processes);
    for o in s["orders"].as_array().unwrap() {
        let (rss, peak) =
            (o["rss_mib"].as_f64().unwrap(), o["peak_rss_mib"].as_f64().unwrap());
        assert!(rss > 0.0 && peak >= rss, "{o}");
        assert!(s["worker_rss_mib"].as_f64().unwrap() >= peak);
    }
}
