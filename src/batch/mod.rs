//! Batch regeneration: many orders from a JSON Lines manifest, rendered in
//! parallel into one directory, resumable and incremental.
//!
//! Responsible for scheduling, isolation (one bad order never stops the
//! others), up-to-date checks and the summary; the rendering itself is
//! [`Engine::render`]. Design notes:
//! - `jobs` workers pull the next order from a shared cursor, one report
//!   at a time each, on a rayon pool. A worker is either a thread of this
//!   process ([`Workers::Threads`]) or drives a child process that renders
//!   ([`Workers::Processes`], what the CLI uses; the child runs [`serve`]).
//! - Why processes: typst's memo cache and its locks are process-global.
//!   Measured on the fixture manifest (2 cores), two renders in one process
//!   spend ~15% more CPU per report than two processes each rendering
//!   alone (the extra time is spread over allocator and PDF-writer paths
//!   touching shared state), so threads reach 1.6× at -j2 where processes
//!   reach 1.9×. A child also evicts the whole cache after each report
//!   without wiping another render's cache, so its memory line is one
//!   report high however long the batch; and a render that crashes or
//!   aborts takes only its child down: the order is failed, a new child
//!   takes the next one.
//! - Every output is written to `DIR/.prepbook/tmp` and renamed into place,
//!   so a killed batch leaves only complete PDFs; a sidecar in
//!   `DIR/.prepbook/` records the hash of everything the PDF was made from,
//!   and a rerun skips orders whose hash still matches.

mod child;

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use serde::{Deserialize, Serialize};

use crate::engine::{Engine, RenderOptions};
use crate::error::{Diagnostic, Error, Result, Stage};
use crate::model::{self, Order, PathPolicy, ReadOptions};

use child::WorkerProcess;
pub use child::{ChildCommand, run_child, serve};

/// How a batch runs.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Parallel workers; 0 means one per core.
    pub jobs: usize,
    /// What a worker is: a thread here or a child process.
    pub workers: Workers,
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
    /// Directories besides the manifest's own that `{"path": …}`
    /// references of its orders may read.
    pub allow_paths: Vec<std::path::PathBuf>,
}

impl Default for BatchOptions {
    fn default() -> Self {
        Self {
            jobs: 0,
            workers: Workers::Threads,
            force: false,
            fail_fast: false,
            cache_age: 0,
            progress: false,
            today: time::Date::MIN,
            allow_paths: Vec::new(),
        }
    }
}

/// What a batch worker is.
#[derive(Debug, Clone)]
pub enum Workers {
    /// Threads of this process sharing one [`Engine`].
    Threads,
    /// One child process per worker, started with this command; the child
    /// runs [`run_child`] on the same manifest, output directory and
    /// options.
    Processes(ChildCommand),
}

/// The outcome of one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Rendered now.
    Rendered,
    /// Up to date: the PDF on disk was made from the same inputs.
    Skipped,
    /// Failed; the report carries the error.
    Failed,
}

impl Status {
    /// The lowercase name used in the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Rendered => "rendered",
            Status::Skipped => "skipped",
            Status::Failed => "failed",
        }
    }
}

/// What happened to one order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ItemReport {
    /// Manifest line (1-based).
    pub line: usize,
    /// Order id, when the line could be read that far.
    pub id: Option<String>,
    /// `rendered`, `skipped` (up to date) or `failed`.
    pub status: Status,
    /// Pages.
    pub pages: Option<usize>,
    /// Bytes.
    pub bytes: Option<usize>,
    /// Milliseconds spent on it.
    pub ms: f64,
    /// The error, with diagnostics (JSON path, expected).
    pub error: Option<serde_json::Value>,
    /// Resident memory of the rendering process after this order, MiB
    /// (Linux): over a batch, the memory line.
    pub rss_mib: Option<f64>,
    /// Peak resident memory of the rendering process so far, MiB (Linux).
    pub peak_rss_mib: Option<f64>,
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
    /// Parallel workers used.
    pub jobs: usize,
    /// `threads` or `processes`.
    pub workers: &'static str,
    /// Wall-clock milliseconds for the whole batch.
    pub elapsed_ms: f64,
    /// Rendered orders per second.
    pub reports_per_second: f64,
    /// Peak resident memory of this process, MiB (Linux).
    pub peak_rss_mib: Option<f64>,
    /// Peak resident memory of the largest rendering process, MiB (with
    /// thread workers: this process).
    pub worker_rss_mib: Option<f64>,
    /// One entry per manifest line, in manifest order.
    pub orders: Vec<ItemReport>,
}

#[derive(Serialize, serde::Deserialize)]
struct Sidecar {
    hash: String,
    pages: usize,
    bytes: usize,
}

/// What every worker of one batch shares: the parsed manifest and where
/// outputs go. Parent and children build it from the same manifest, so
/// item `i` is the same order in every process.
struct Plan {
    /// Manifest line (1-based), the id the line states when the order
    /// cannot be read (`summary.json` must still name it), the order.
    items: Vec<(usize, Option<String>, Result<Order>)>,
    out: PathBuf,
    state: PathBuf,
    tmp: PathBuf,
    fingerprint: String,
}

impl Plan {
    fn new(
        engine: &Engine,
        manifest: &Path,
        out: &Path,
        opts: &BatchOptions,
    ) -> Result<Self> {
        let today = opts.today;
        let text = std::fs::read_to_string(manifest)
            .map_err(|e| Error::io(Stage::Input, manifest, e))?;
        let base = manifest.parent().map(Path::to_path_buf).unwrap_or_default();
        let label = manifest.display().to_string();
        // Read every line first: ids must be unique across the manifest.
        let mut seen = BTreeSet::new();
        let items = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
            .map(|(i, line)| {
                let file = format!("{label}:{}", i + 1);
                let read = ReadOptions {
                    today: Some(today),
                    paths: PathPolicy::Within {
                        base: base.clone(),
                        allow: opts.allow_paths.clone(),
                    },
                    ..ReadOptions::default()
                };
                let order = model::read_json(line, Some(&file), &read).and_then(|o| {
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
                // Only a failed order needs the id read on its own.
                let stated = order.is_err().then(|| stated_id(line)).flatten();
                (i + 1, stated, order)
            })
            .collect();
        let state = out.join(".prepbook");
        Ok(Self {
            items,
            out: out.to_path_buf(),
            tmp: state.join("tmp"),
            state,
            fingerprint: fingerprint(engine),
        })
    }

    /// Where order `order` goes: its PDF and its sidecar.
    fn outputs(&self, order: &Order) -> (PathBuf, PathBuf) {
        let id = &order.order_id;
        (output_path(&self.out, id), self.state.join(format!("{id}.json")))
    }

    /// The sidecar of `order` if its PDF exists and was rendered from
    /// exactly these inputs by this engine. The sidecar is written after
    /// the PDF, so a match means the PDF is complete and current.
    fn up_to_date(&self, order: &Order) -> Option<Sidecar> {
        let (pdf, side) = self.outputs(order);
        let side = std::fs::read(side)
            .ok()
            .and_then(|b| serde_json::from_slice::<Sidecar>(&b).ok())?;
        (pdf.is_file() && side.hash == input_hash(order, &self.fingerprint))
            .then_some(side)
    }

    /// Renders (or skips) item `i`; never fails as a whole.
    fn work(&self, engine: &Engine, i: usize, opts: &BatchOptions) -> ItemReport {
        let t0 = Instant::now();
        let (line, stated, order) = &self.items[i];
        let mut report = match order {
            Err(e) => failed(*line, stated.clone(), e, t0),
            Ok(order) => one(
                engine,
                order,
                *line,
                self,
                opts.force,
                &RenderOptions { cache_age: opts.cache_age, ..Default::default() },
                t0,
            ),
        };
        [report.rss_mib, report.peak_rss_mib] = memory_mib(["VmRSS:", "VmHWM:"]);
        report
    }
}

/// Runs every order of `manifest` into `out`.
pub fn run(
    engine: &Engine,
    manifest: &Path,
    out: &Path,
    opts: &BatchOptions,
) -> Result<Summary> {
    let started = Instant::now();
    let plan = Plan::new(engine, manifest, out, opts)?;
    refuse_links(&[&plan.state, &plan.tmp])?;
    // Partial files of a killed run are never reused.
    let _ = std::fs::remove_dir_all(&plan.tmp);
    std::fs::create_dir_all(&plan.tmp)
        .map_err(|e| Error::io(Stage::Output, &plan.tmp, e))?;

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
    let progress = Progress::new(opts.progress, plan.items.len());
    // Hands out the next order index, or none once all are taken or a
    // failure stopped a `--fail-fast` batch.
    let next = AtomicUsize::new(0);
    let take = || {
        if opts.fail_fast && stop.load(Ordering::Relaxed) {
            return None;
        }
        let i = next.fetch_add(1, Ordering::Relaxed);
        (i < plan.items.len()).then_some(i)
    };
    let slots: Vec<Mutex<Option<ItemReport>>> =
        (0..plan.items.len()).map(|_| Mutex::new(None)).collect();
    let record = |i: usize, report: ItemReport| {
        if report.status == Status::Failed {
            stop.store(true, Ordering::Relaxed);
        }
        progress.done(&report);
        *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(report);
    };
    // Long-lived workers pulling from a shared cursor, not `par_iter` over
    // the orders: typst parallelises inside a render with rayon too, and a
    // thread blocked in one of those joins would steal the next *order*
    // and start it on the same stack — several reports in flight per
    // thread, each holding its memory, and each one's cache eviction
    // wiping the others' (measured: 838 MiB peak at -j1 with par_iter,
    // 235 MiB with one report at a time).
    pool.scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|_| match &opts.workers {
                Workers::Threads => {
                    while let Some(i) = take() {
                        record(i, plan.work(engine, i, opts));
                    }
                }
                Workers::Processes(spawn) => {
                    let command = || spawn.command(manifest, out, opts);
                    let mut child: Option<WorkerProcess> = None;
                    while let Some(i) = take() {
                        let report = WorkerProcess::work(
                            &mut child, &command, &plan, i, opts.force,
                        );
                        record(i, report);
                    }
                    if let Some(c) = child {
                        c.finish();
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
    // Every worker is done, so whatever is left in tmp is debris (a child
    // of a killed earlier run that was still writing, say).
    let _ = std::fs::remove_dir_all(&plan.tmp);
    let _ = std::fs::create_dir_all(&plan.tmp);
    let not_started = reports.iter().filter(|r| r.is_none()).count();
    let orders: Vec<ItemReport> = reports.into_iter().flatten().collect();
    let count = |s: Status| orders.iter().filter(|r| r.status == s).count();
    let elapsed = started.elapsed().as_secs_f64();
    let rendered = count(Status::Rendered);
    let summary = Summary {
        total: plan.items.len(),
        rendered,
        skipped: count(Status::Skipped),
        failed: count(Status::Failed),
        not_started,
        jobs,
        workers: match opts.workers {
            Workers::Threads => "threads",
            Workers::Processes(_) => "processes",
        },
        elapsed_ms: (elapsed * 1000.0).round(),
        reports_per_second: if elapsed > 0.0 {
            (rendered as f64 / elapsed * 100.0).round() / 100.0
        } else {
            0.0
        },
        peak_rss_mib: peak_rss_mib(),
        worker_rss_mib: orders.iter().filter_map(|o| o.peak_rss_mib).reduce(f64::max),
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
    plan: &Plan,
    force: bool,
    opts: &RenderOptions,
    t0: Instant,
) -> ItemReport {
    let id = order.order_id.clone();
    let (pdf_path, side_path) = plan.outputs(order);
    let tmp = &plan.tmp;
    let hash = input_hash(order, &plan.fingerprint);
    if !force && let Some(side) = plan.up_to_date(order) {
        return done(line, Some(id), Status::Skipped, side.pages, side.bytes, t0);
    }
    let result = engine.render(order, opts).and_then(|r| {
        write_via(tmp, &pdf_path, &r.pdf)?;
        let side = Sidecar { hash, pages: r.pages, bytes: r.pdf.len() };
        write_via(tmp, &side_path, &serde_json::to_vec(&side).unwrap_or_default())?;
        Ok((r.pages, r.pdf.len()))
    });
    match result {
        Ok((pages, bytes)) => done(line, Some(id), Status::Rendered, pages, bytes, t0),
        Err(e) => failed(line, Some(id), &e, t0),
    }
}

/// A rendered or skipped order's report (memory is filled in by the caller).
fn done(
    line: usize,
    id: Option<String>,
    status: Status,
    pages: usize,
    bytes: usize,
    t0: Instant,
) -> ItemReport {
    ItemReport {
        line,
        id,
        status,
        pages: Some(pages),
        bytes: Some(bytes),
        ms: ms(t0),
        error: None,
        rss_mib: None,
        peak_rss_mib: None,
    }
}

fn failed(line: usize, id: Option<String>, e: &Error, t0: Instant) -> ItemReport {
    ItemReport {
        line,
        id,
        status: Status::Failed,
        pages: None,
        bytes: None,
        ms: ms(t0),
        error: Some(e.to_json()),
        rss_mib: None,
        peak_rss_mib: None,
    }
}

/// Refuses to work through a symbolic link where the batch keeps its
/// state: the run empties `.prepbook/tmp` and writes sidecars there, and
/// through a planted link it would delete and write files elsewhere.
fn refuse_links(dirs: &[&Path]) -> Result<()> {
    for dir in dirs {
        if std::fs::symlink_metadata(dir).is_ok_and(|m| m.file_type().is_symlink()) {
            return Err(Error::new(
                crate::ErrorKind::InvalidInput,
                Stage::Output,
                format!(
                    "{} is a symbolic link; batch keeps its state there and never follows links (remove the link)",
                    dir.display()
                ),
            ));
        }
    }
    Ok(())
}

/// The `order_id` a manifest line states, read without the rest of the
/// order: an order that fails to read (its resume file is missing, say)
/// is still reported under its id. Only a valid id is taken, since it
/// names files; a line too broken to parse has none.
fn stated_id(line: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct Stated {
        order_id: Option<String>,
    }
    let stated: Stated = serde_json::from_str(line).ok()?;
    stated.order_id.filter(|id| model::valid_order_id(id))
}

/// Writes into the batch's temporary directory, then renames into place.
fn write_via(tmp: &Path, dest: &Path, bytes: &[u8]) -> Result<()> {
    crate::engine::write_via(tmp, dest, bytes)
}

/// Identity of the engine build and its content: the running executable,
/// the templates and the packs. Any change re-renders everything.
fn fingerprint(engine: &Engine) -> String {
    let mut h = blake3::Hasher::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    // Streamed: the executable is ~100 MB, and reading it whole would be
    // the largest allocation of a batch parent.
    if let Ok(exe) = std::env::current_exe().and_then(std::fs::File::open) {
        let _ = h.update_reader(exe);
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
    let [peak] = memory_mib(["VmHWM:"]);
    peak
}

/// Memory figures (`VmRSS:`, `VmHWM:`) of this process from one read of
/// `/proc/self/status`, in MiB (Linux; `None` elsewhere).
fn memory_mib<const N: usize>(keys: [&str; N]) -> [Option<f64>; N] {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    keys.map(|key| {
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with(key))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some((kb / 1024.0 * 10.0).round() / 10.0)
    })
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
            bar.set_message(format!("{id} {}", r.status.as_str()));
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
                *n,
                self.total,
                r.line,
                r.status.as_str()
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
