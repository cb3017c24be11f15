#![allow(missing_docs)]
//! Batch throughput and memory, side by side in one session, as ratios.
//!
//! Run: `cargo bench --profile dev --bench batch` (the dev profile has
//! optimised dependencies and reuses the test build). It renders the
//! fixture manifest (`fixtures/manifest.jsonl`, 42 orders: every company ×
//! role) with the `prepbook` binary:
//!
//! - process workers (the default) and thread workers (`--threads`), each
//!   at -j1 and -j2: reports/s, the -j2/-j1 ratio, peak resident memory of
//!   the batch process and of the largest renderer;
//! - a rerun with nothing changed;
//! - if a `typst` executable is on `PATH` (or named by `TYPST`): for the
//!   first `BASELINE_ORDERS` orders (default 6), `prepbook render
//!   --emit-source` and then `typst compile` of that source, whole
//!   processes, against the per-report time of the -j1 batch.
//!
//! `BATCH_ORDERS=N` repeats the manifest's orders under new ids up to N
//! orders (2,000 for the memory line); `BATCH_MODES=processes` limits the
//! modes. Ratios are what to compare: absolute times depend on the machine
//! and on what else runs on it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BIN: &str = env!("CARGO_BIN_EXE_prepbook");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// The fixture manifest, its paths made absolute, repeated under new ids
/// up to `n` orders.
fn manifest(dir: &Path, n: Option<usize>) -> PathBuf {
    let text = std::fs::read_to_string(fixtures().join("manifest.jsonl")).unwrap();
    let orders: Vec<serde_json::Value> =
        text.lines().filter(|l| !l.trim().is_empty()).map(absolute).collect();
    let n = n.unwrap_or(orders.len());
    let lines: Vec<String> = (0..n)
        .map(|i| {
            let mut o = orders[i % orders.len()].clone();
            if i >= orders.len() {
                let id =
                    format!("{}-r{}", o["order_id"].as_str().unwrap(), i / orders.len());
                o["order_id"] = id.into();
            }
            o.to_string()
        })
        .collect();
    let path = dir.join("orders.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// Rewrites `{"path": …}` references relative to `fixtures/` as absolute.
fn absolute(line: &str) -> serde_json::Value {
    let mut o: serde_json::Value = serde_json::from_str(line).unwrap();
    for key in ["resume", "job"] {
        if let Some(p) = o[key]["path"].as_str() {
            o[key]["path"] = fixtures().join(p).display().to_string().into();
        }
    }
    o
}

struct Run {
    per_second: f64,
    rendered: u64,
    elapsed_s: f64,
    peak_parent: f64,
    peak_worker: f64,
    pages: f64,
}

fn batch(m: &Path, out: &Path, args: &[&str]) -> Run {
    let t = Instant::now();
    let status = Command::new(BIN)
        .args(["batch", "--json", "--manifest"])
        .arg(m)
        .arg("--allow-path")
        .arg(fixtures())
        .arg("--out")
        .arg(out)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "batch {args:?} failed");
    let elapsed_s = t.elapsed().as_secs_f64();
    let s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
            .unwrap();
    let orders = s["orders"].as_array().unwrap();
    let rendered = s["rendered"].as_u64().unwrap();
    Run {
        per_second: rendered as f64 / elapsed_s,
        rendered,
        elapsed_s,
        peak_parent: s["peak_rss_mib"].as_f64().unwrap_or(0.0),
        peak_worker: s["worker_rss_mib"].as_f64().unwrap_or(0.0),
        pages: orders.iter().filter_map(|o| o["pages"].as_f64()).sum::<f64>()
            / orders.len().max(1) as f64,
    }
}

fn main() {
    // `cargo bench` passes `--bench`; this harness takes no arguments.
    let dir = tempfile::tempdir().unwrap();
    let n = std::env::var("BATCH_ORDERS").ok().and_then(|v| v.parse().ok());
    let m = manifest(dir.path(), n);
    let modes = std::env::var("BATCH_MODES").unwrap_or("processes,threads".into());
    println!("batch bench: {} orders, binary {BIN}", n.unwrap_or(42));
    println!(
        "{:<10} {:>3} {:>9} {:>10} {:>8} {:>13} {:>13}",
        "workers", "-j", "reports", "reports/s", "pages", "batch MiB", "renderer MiB"
    );
    let mut per_report_j1 = None;
    for mode in modes.split(',') {
        let extra: &[&str] = if mode == "threads" { &["--threads"] } else { &[] };
        let mut rates = Vec::new();
        for j in ["1", "2"] {
            let out = dir.path().join(format!("{mode}-{j}"));
            let mut args = vec!["-j", j];
            args.extend_from_slice(extra);
            let r = batch(&m, &out, &args);
            println!(
                "{mode:<10} {j:>3} {:>9} {:>10.2} {:>8.1} {:>13.1} {:>13.1}",
                r.rendered, r.per_second, r.pages, r.peak_parent, r.peak_worker
            );
            if j == "1" && mode == "processes" {
                per_report_j1 = Some(r.elapsed_s / r.rendered as f64);
                let again = batch(&m, &out, &args);
                println!(
                    "{mode:<10} {j:>3} rerun with nothing changed: {:.2} s, {} rendered",
                    again.elapsed_s, again.rendered
                );
            }
            rates.push(r.per_second);
        }
        println!("{mode:<10} -j2/-j1 = {:.2}", rates[1] / rates[0]);
    }
    if let (Some(typst), Some(per_report)) = (typst(), per_report_j1) {
        baseline(&typst, &m, dir.path(), per_report);
    } else {
        println!("typst CLI baseline skipped (no `typst` on PATH or TYPST unset)");
    }
}

fn typst() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TYPST") {
        return Some(p.into());
    }
    let ok =
        Command::new("typst").arg("--version").output().is_ok_and(|o| o.status.success());
    ok.then(|| "typst".into())
}

/// Whole-process times: `prepbook render` and `typst compile` of the
/// source it emitted, per order, against the batch's per-report time.
fn baseline(typst: &Path, manifest: &Path, dir: &Path, batch_per_report: f64) {
    let k: usize =
        std::env::var("BASELINE_ORDERS").ok().and_then(|v| v.parse().ok()).unwrap_or(6);
    let text = std::fs::read_to_string(manifest).unwrap();
    let (mut ours, mut theirs, mut pages_equal) = (0.0, 0.0, 0);
    for (i, line) in text.lines().take(k).enumerate() {
        let order = dir.join(format!("order-{i}.json"));
        std::fs::write(&order, line).unwrap();
        let src = dir.join(format!("src-{i}"));
        let (pdf, typst_pdf) =
            (dir.join(format!("ours-{i}.pdf")), dir.join(format!("typst-{i}.pdf")));
        let t = Instant::now();
        let ok = Command::new(BIN)
            .args(["render", "--order"])
            .arg(&order)
            .arg("--allow-path")
            .arg(fixtures())
            .arg("--out")
            .arg(&pdf)
            .arg("--emit-source")
            .arg(&src)
            .env("RAYON_NUM_THREADS", "1")
            .output()
            .unwrap();
        ours += t.elapsed().as_secs_f64();
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
        let t = Instant::now();
        let out = Command::new(typst)
            .args(["compile", "--ignore-system-fonts", "-j", "1", "--font-path"])
            .arg(src.join("fonts"))
            .arg(src.join("main.typ"))
            .arg(&typst_pdf)
            .output()
            .unwrap();
        theirs += t.elapsed().as_secs_f64();
        assert!(out.status.success(), "typst: {}", String::from_utf8_lossy(&out.stderr));
        if pages(&pdf) == pages(&typst_pdf) {
            pages_equal += 1;
        }
    }
    let (ours, theirs) = (ours / k as f64, theirs / k as f64);
    println!(
        "typst CLI on the emitted source, {k} orders, one thread each: {:.0} ms per report; \
         prepbook render (whole process) {:.0} ms = {:.2}x; prepbook batch -j1 {:.0} ms per report = {:.2}x; \
         same page count in {pages_equal} of {k}",
        theirs * 1e3,
        ours * 1e3,
        ours / theirs,
        batch_per_report * 1e3,
        batch_per_report / theirs
    );
}

fn pages(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).map(|d| d.get_pages().len()).unwrap_or(0)
}
