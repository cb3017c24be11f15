//! Batch regeneration: many orders from a JSON Lines manifest, rendered in
//! parallel into one directory, resumable and incremental.
//!
//! Responsible for scheduling, isolation (one bad order never stops the
//! others), up-to-date checks and the summary; the rendering itself is
//! [`Engine::render`]. Design notes:
//! - Orders run on a rayon pool of `jobs` threads that shares one
//!   [`Engine`] (fonts, templates, packs loaded once).
//! - typst's memo cache is process-global. Each render evicts entries that
//!   no render has used for [`BatchOptions::cache_age`] evictions, instead
//!   of everything: a full eviction from one thread would discard the
//!   cache another thread is in the middle of using, and the recent
//!   entries are exactly what the next report of the same company reuses.
//! - Every output is written to `DIR/.prepbook/tmp` and renamed into place,
//!   so a killed batch leaves only complete PDFs; a sidecar in
//!   `DIR/.prepbook/` records the hash of everything the PDF was made from,
//!   and a rerun skips orders whose hash still matches.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;

use crate::engine::{Engine, RenderOptions};
use crate::error::{Diagnostic, Error, Result, Stage};
use crate::model::{Order, OrderDraft, PathPolicy};

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Worker threads; 0 means one per core.
    pub jobs: usize,
    /// Render even orders whose output is up to date.
    pub force: bool,
    /// Stop starting new orders after the first failure.
    pub fail_fast: bool,
    /// Memo-cache age kept between renders (see the module docs).
    pub cache_age: usize,
    /// Print progress on stderr (a bar on a terminal, a line per order
    /// otherwise).
    pub progress: bool,
    /// The date used for orders that give no `target.today`.
    pub today: time::Date,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            jobs: 0,
            force: false,
            fail_fast: false,
            cache_age: 0,
            progress: false,
            today: time::Date::MIN,
        }
    }
}

/// What happened to one order.
#[derive(Debug, Clone, Serialize)]
pub struct ItemReport {
    /// Manifest line (1-based).
    pub line: usize,
    /// Order id, when the line could be read that far.
    pub id: Option<String>,
    /// `rendered`, `skipped` (up to date) or `failed`.
    pub status: &'static str,
    /// Pages.
    pub pages: Option<usize>,
    /// Bytes.
    pub bytes: Option<usize>,
    /// Milliseconds spent on it.
    pub ms: f64,
    /// The error, with diagnostics (JSON path, expected).
    pub error: Option<serde_json::Value>,
}

/// The summary written to `DIR/summary.json`.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Orders in the manifest.
    pub total: usize,
    /// Rendered now.
    pub rendered: usize,
    /// Up to date, not rendered.
    pub skipped: usize,
    /// Failed.
    pub failed: usize,
    /// Not started because of `--fail-fast`.
    pub not_started: usize,
    /// Worker threads used.
    pub jobs: usize,
    /// Wall-clock milliseconds for the whole batch.
    pub elapsed_ms: f64,
    /// Rendered orders per second.
    pub reports_per_second: f64,
    /// Peak resident memory of the process, MiB (Linux).
    pub peak_rss_mib: Option<f64>,
    /// One entry per manifest line, in manifest order.
    pub orders: Vec<ItemReport>,
}

#[derive(Serialize, serde::Deserialize)]
struct Sidecar {
    hash: String,
    pages: usize,
    bytes: usize,
}

/// Runs every order of `manifest` into `out`.
pub fn run(
    engine: &Engine,
    manifest: &Path,
    out: &Path,
    opts: &BatchOptions,
) -> Result<Summary> {
    let started = Instant::now();
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| Error::io(Stage::Input, manifest, e))?;
    let base = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
    let state = out.join(".prepbook");
    let tmp = state.join("tmp");
    // Partial files of a killed run are never reused.
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).map_err(|e| Error::io(Stage::Output, &tmp, e))?;
    let fingerprint = fingerprint(engine);
    let label = manifest.display().to_string();

    // Read every line first: ids must be unique across the manifest.
    let mut seen = BTreeSet::new();
    let items: Vec<(usize, Result<Order>)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
        .map(|(i, line)| {
            let file = format!("{label}:{}", i + 1);
            let order = OrderDraft::from_json(
                line,
                Some(&file),
                &PathPolicy::RelativeTo(base.clone()),
            )
            .and_then(|d| d.resolve(opts.today))
            .and_then(|o| {
                if seen.insert(o.order_id.clone()) {
                    Ok(o)
                } else {
                    Err(Error::invalid(
                        Stage::Input,
                        "invalid order",
                        vec![
                            Diagnostic::new(format!(
                                "duplicate order id {:?} in the manifest",
                                o.order_id
                            ))
                            .at("order_id")
                            .in_file(&file),
                        ],
                    ))
                }
            });
            (i + 1, order)
        })
        .collect();

    let jobs = if opts.jobs == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.jobs
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs)
        .thread_name(|i| format!("prepbook-batch-{i}"))
        .build()
        .map_err(|e| {
            Error::new(
                crate::ErrorKind::Render,
                Stage::Output,
                format!("cannot start workers ({e})"),
            )
        })?;
    let stop = AtomicBool::new(false);
    let progress = Progress::new(opts.progress, items.len());
    let render_opts = RenderOptions { cache_age: opts.cache_age, ..Default::default() };

    let work = |(line, order): &(usize, Result<Order>)| {
        if opts.fail_fast && stop.load(Ordering::Relaxed) {
            return None;
        }
        let t0 = Instant::now();
        let report = match order {
            Err(e) => failed(*line, None, e, t0),
            Ok(order) => one(
                engine,
                order,
                *line,
                out,
                &state,
                &tmp,
                &fingerprint,
                opts.force,
                &render_opts,
                t0,
            ),
        };
        if report.status == "failed" {
            stop.store(true, Ordering::Relaxed);
        }
        progress.done(&report);
        Some(report)
    };
    // `jobs` long-lived workers pull the next order from a shared cursor.
    // Not `par_iter` over the orders: typst parallelises inside a render
    // with rayon too, and a worker blocked in one of those joins would
    // steal the next *order* and start it on the same stack — several
    // reports in flight per thread, each holding its memory, and each one's
    // cache eviction wiping the others' (measured: 838 MiB peak at -j1 with
    // par_iter, 235 MiB with one report at a time).
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<ItemReport>>> =
        (0..items.len()).map(|_| Mutex::new(None)).collect();
    pool.scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|_| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if let Some(report) = work(item) {
                        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) =
                            Some(report);
                    }
                }
            });
        }
    });
    let reports: Vec<Option<ItemReport>> = slots
        .into_iter()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .collect();
    progress.finish();
    let not_started = reports.iter().filter(|r| r.is_none()).count();
    let orders: Vec<ItemReport> = reports.into_iter().flatten().collect();
    let count = |s: &str| orders.iter().filter(|r| r.status == s).count();
    let elapsed = started.elapsed().as_secs_f64();
    let rendered = count("rendered");
    let summary = Summary {
        total: items.len(),
        rendered,
        skipped: count("skipped"),
        failed: count("failed"),
        not_started,
        jobs,
        elapsed_ms: (elapsed * 1000.0).round(),
        reports_per_second: if elapsed > 0.0 {
            (rendered as f64 / elapsed * 100.0).round() / 100.0
        } else {
            0.0
        },
        peak_rss_mib: peak_rss_mib(),
        orders,
    };
    let json = serde_json::to_vec_pretty(&summary).unwrap_or_default();
    crate::engine::write_atomic(&out.join("summary.json"), &json)?;
    Ok(summary)
}

#[allow(clippy::too_many_arguments)]
fn one(
    engine: &Engine,
    order: &Order,
    line: usize,
    out: &Path,
    state: &Path,
    tmp: &Path,
    fingerprint: &str,
    force: bool,
    opts: &RenderOptions,
    t0: Instant,
) -> ItemReport {
    let id = order.order_id.clone();
    let pdf_path = out.join(format!("{id}.pdf"));
    let side_path = state.join(format!("{id}.json"));
    let hash = input_hash(order, fingerprint);
    if !force
        && pdf_path.is_file()
        && let Some(side) = std::fs::read(&side_path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Sidecar>(&b).ok())
        && side.hash == hash
    {
        return ItemReport {
            line,
            id: Some(id),
            status: "skipped",
            pages: Some(side.pages),
            bytes: Some(side.bytes),
            ms: ms(t0),
            error: None,
        };
    }
    let result = engine.render(order, opts).and_then(|r| {
        write_via(tmp, &pdf_path, &r.pdf)?;
        let side = Sidecar { hash, pages: r.pages, bytes: r.pdf.len() };
        write_via(tmp, &side_path, &serde_json::to_vec(&side).unwrap_or_default())?;
        Ok((r.pages, r.pdf.len()))
    });
    match result {
        Ok((pages, bytes)) => ItemReport {
            line,
            id: Some(id),
            status: "rendered",
            pages: Some(pages),
            bytes: Some(bytes),
            ms: ms(t0),
            error: None,
        },
        Err(e) => failed(line, Some(id), &e, t0),
    }
}

fn failed(line: usize, id: Option<String>, e: &Error, t0: Instant) -> ItemReport {
    ItemReport {
        line,
        id,
        status: "failed",
        pages: None,
        bytes: None,
        ms: ms(t0),
        error: Some(e.to_json()),
    }
}

/// Writes into the batch's temporary directory, then renames into place.
fn write_via(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut f = tempfile::NamedTempFile::new_in(tmp)
        .map_err(|e| Error::io(Stage::Output, tmp, e))?;
    f.write_all(bytes).map_err(|e| Error::io(Stage::Output, dest, e))?;
    f.as_file().sync_all().map_err(|e| Error::io(Stage::Output, dest, e))?;
    f.persist(dest).map_err(|e| Error::io(Stage::Output, dest, e.error))?;
    Ok(())
}

/// Identity of the engine build and its content: the running executable,
/// the templates and the packs. Any change re-renders everything.
fn fingerprint(engine: &Engine) -> String {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    if let Ok(exe) = std::env::current_exe().and_then(std::fs::read) {
        h.update(&exe);
    }
    h.update(engine.templates.digest().as_bytes());
    h.update(engine.packs.digest.as_bytes());
    h.finalize().to_hex().to_string()
}

fn input_hash(order: &Order, fingerprint: &str) -> String {
    let mut h = blake3::Hasher::new();
    h.update(fingerprint.as_bytes());
    h.update(serde_json::to_string(order).unwrap_or_default().as_bytes());
    h.finalize().to_hex().to_string()
}

fn ms(t0: Instant) -> f64 {
    (t0.elapsed().as_secs_f64() * 1e4).round() / 10.0
}

/// Peak resident set size from `/proc/self/status` (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some((kb / 1024.0 * 10.0).round() / 10.0)
}

/// Progress on stderr: a bar with rate and ETA on a terminal, one plain line
/// per order otherwise (logs, CI).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    plain: bool,
    done: Mutex<usize>,
    total: usize,
}

impl Progress {
    fn new(enabled: bool, total: usize) -> Self {
        let tty = enabled && std::io::stderr().is_terminal();
        let bar = tty.then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} · {per_sec} · eta {eta} · {msg}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        Self { bar, plain: enabled && !tty, done: Mutex::new(0), total }
    }

    fn done(&self, r: &ItemReport) {
        let id = r.id.as_deref().unwrap_or("?");
        if let Some(bar) = &self.bar {
            bar.inc(1);
            bar.set_message(format!("{id} {}", r.status));
        } else if self.plain {
            let mut n = self.done.lock().unwrap_or_else(|e| e.into_inner());
            *n += 1;
            let detail = match (r.status, &r.error) {
                (_, Some(e)) => e["message"]
                    .as_str()
                    .unwrap_or("")
                    .lines()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                _ => format!("{} pages, {} ms", r.pages.unwrap_or(0), r.ms),
            };
            eprintln!(
                "[{}/{}] line {} {id}: {} ({detail})",
                *n, self.total, r.line, r.status
            );
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Where batch outputs go for an order id (for callers and tests).
pub fn output_path(out: &Path, order_id: &str) -> PathBuf {
    out.join(format!("{order_id}.pdf"))
}
