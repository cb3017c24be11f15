//! The child-process protocol of [`Workers::Processes`]: how the parent
//! starts a child (this executable as `batch --worker`), what goes over the
//! pipes (an order index per line in, one JSON [`ItemReport`] per line
//! out), and how a child ends with its parent. Both sides live here so that
//! they cannot drift apart.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Instant;

use super::{BatchOptions, ItemReport, Plan, Status, Workers, done, failed};
use crate::engine::Engine;
use crate::error::{Error, Result, Stage};

/// How a batch starts its child workers: `exe batch --worker` with the
/// batch's manifest, output directory, date, cache age and `--force`, and
/// the same content directories as the parent's engine. The CLI's `batch`
/// command accepts exactly these flags.
#[derive(Debug, Clone)]
pub struct ChildCommand {
    /// The prepbook executable (the CLI passes its own).
    pub exe: PathBuf,
    /// The packs directory the parent's engine was loaded from, if any.
    pub packs: Option<PathBuf>,
    /// The templates directory the parent's engine was loaded from, if any.
    pub templates: Option<PathBuf>,
}

impl ChildCommand {
    /// The command for one child of the batch `manifest` → `out`. Each
    /// child renders one report at a time on one thread (typst's own
    /// parallelism inside a render would otherwise put N children × cores
    /// threads on N cores).
    pub fn command(&self, manifest: &Path, out: &Path, opts: &BatchOptions) -> Command {
        let mut c = Command::new(&self.exe);
        c.arg("batch").arg("--worker");
        c.arg("--manifest").arg(manifest).arg("--out").arg(out);
        c.arg("--today").arg(opts.today.to_string());
        c.arg("--cache-age").arg(opts.cache_age.to_string());
        if opts.force {
            c.arg("--force");
        }
        for dir in &opts.allow_paths {
            c.arg("--allow-path").arg(dir);
        }
        for (flag, dir) in [("--packs", &self.packs), ("--templates", &self.templates)] {
            if let Some(dir) = dir {
                c.arg(flag).arg(dir);
            }
        }
        c.env("RAYON_NUM_THREADS", "1");
        c
    }
}

/// Runs this process as a batch child: order indices on stdin, reports on
/// stdout (see [`serve`]), rendering on threads of this process. The
/// process exits (status 1) as soon as its parent is gone, killed with
/// SIGKILL say, instead of finishing a render nobody will collect: the
/// parent's rerun would otherwise race it for the same output.
pub fn run_child(
    engine: &Engine,
    manifest: &Path,
    out: &Path,
    opts: &BatchOptions,
) -> Result<()> {
    exit_with_parent();
    let opts = BatchOptions { workers: Workers::Threads, ..opts.clone() };
    serve(engine, manifest, out, &opts, std::io::stdin().lock(), std::io::stdout().lock())
}

/// A watchdog thread that exits the process once the parent process has
/// changed (Linux re-parents an orphan to init or a subreaper).
fn exit_with_parent() {
    let parent = std::os::unix::process::parent_id();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(100));
            if std::os::unix::process::parent_id() != parent {
                std::process::exit(1);
            }
        }
    });
}

/// The child side of [`Workers::Processes`]: reads order indices (one per
/// line) from `input`, renders each like a thread worker would and answers
/// with its [`ItemReport`] as one JSON line on `output`. Returns at the
/// end of `input`, i.e. when the parent closes the pipe or dies.
pub fn serve(
    engine: &Engine,
    manifest: &Path,
    out: &Path,
    opts: &BatchOptions,
    input: impl BufRead,
    mut output: impl Write,
) -> Result<()> {
    let plan = Plan::new(engine, manifest, out, opts)?;
    let io_err = |e| Error::io(Stage::Output, Path::new("<batch pipe>"), e);
    for line in input.lines() {
        let line = line.map_err(io_err)?;
        let Some(i) = line.trim().parse::<usize>().ok().filter(|i| *i < plan.items.len())
        else {
            return Err(Error::new(
                crate::ErrorKind::InvalidInput,
                Stage::Input,
                format!("batch worker: expected an order index, got {line:?}"),
            ));
        };
        let report = plan.work(engine, i, opts);
        let json = serde_json::to_string(&report).unwrap_or_default();
        writeln!(output, "{json}").and_then(|_| output.flush()).map_err(io_err)?;
    }
    Ok(())
}

/// A child process rendering for one worker of the parent.
pub(super) struct WorkerProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: std::io::BufReader<ChildStdout>,
}

impl WorkerProcess {
    fn spawn(command: &(dyn Fn() -> Command + Send + Sync)) -> std::io::Result<Self> {
        let mut child = command()
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()?;
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take())
        else {
            return Err(std::io::Error::other("child pipes missing"));
        };
        Ok(Self { child, stdin, stdout: std::io::BufReader::new(stdout) })
    }

    /// Sends item `i` to the worker's child, starting one if there is none
    /// (first use, or the last one died), and waits for its report. A
    /// child that dies mid-order fails that order only.
    pub(super) fn work(
        slot: &mut Option<WorkerProcess>,
        command: &(dyn Fn() -> Command + Send + Sync),
        plan: &Plan,
        i: usize,
        force: bool,
    ) -> ItemReport {
        let t0 = Instant::now();
        let (line, stated, order) = &plan.items[i];
        let line = *line;
        let id =
            order.as_ref().ok().map(|o| o.order_id.clone()).or_else(|| stated.clone());
        let fail = |message: String| {
            failed(
                line,
                id.clone(),
                &Error::new(crate::ErrorKind::Render, Stage::Layout, message),
                t0,
            )
        };
        let proc = match slot {
            Some(p) => p,
            None => match Self::spawn(command) {
                Ok(p) => slot.insert(p),
                Err(e) => {
                    return fail(format!("cannot start a batch worker process ({e})"));
                }
            },
        };
        let mut answer = String::new();
        let exchanged = writeln!(proc.stdin, "{i}")
            .and_then(|_| proc.stdin.flush())
            .and_then(|_| proc.stdout.read_line(&mut answer));
        match exchanged {
            Ok(n) if n > 0 => match serde_json::from_str::<ItemReport>(&answer) {
                Ok(report) => report,
                Err(e) => fail(format!("unreadable answer from the batch worker ({e})")),
            },
            _ => {
                // The child is gone: reap it, say how it ended, and let the
                // next order start a fresh one.
                let mut dead = slot.take().map(|p| p.child);
                let how = dead
                    .as_mut()
                    .and_then(|c| c.wait().ok())
                    .map_or("unknown".to_string(), |s| s.to_string());
                // It may have died after writing everything but before
                // answering: then the order is done, and saying "failed"
                // would contradict the PDF and sidecar on disk. Without
                // `--force` the child only renders what was not up to date,
                // so a current sidecar now is one it wrote.
                if !force
                    && let Ok(order) = &plan.items[i].2
                    && let Some(side) = plan.up_to_date(order)
                {
                    return done(line, id, Status::Rendered, side.pages, side.bytes, t0);
                }
                fail(format!(
                    "the batch worker process died while rendering this order ({how})"
                ))
            }
        }
    }

    /// Closes the pipe (the child's end of input) and waits for it.
    pub(super) fn finish(self) {
        let Self { mut child, stdin, .. } = self;
        drop(stdin);
        let _ = child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::{Sidecar, input_hash, write_via};

    /// A worker child that takes one order index and exits without
    /// answering, as a child killed between its last write and its answer.
    fn silent_child() -> Command {
        let mut c = Command::new("sh");
        c.args(["-c", "read i"]);
        c
    }

    fn plan(dir: &Path) -> Plan {
        let engine = Engine::embedded().unwrap();
        let manifest = dir.join("orders.jsonl");
        let order = r#"{"order_id": "T-1", "resume": {"basics": {"name": "Ada"}}, "target": {"company": "google", "role": "swe", "interview_date": "2027-01-10"}}"#;
        std::fs::write(&manifest, order).unwrap();
        let today = time::macros::date!(2026 - 11 - 27);
        let opts = BatchOptions { today, ..BatchOptions::default() };
        let plan = Plan::new(&engine, &manifest, &dir.join("out"), &opts).unwrap();
        std::fs::create_dir_all(&plan.tmp).unwrap();
        plan
    }

    #[test]
    fn a_child_that_dies_before_answering_fails_its_order() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        let report = WorkerProcess::work(&mut None, &silent_child, &plan, 0, false);
        assert_eq!(report.status, Status::Failed);
        let msg = report.error.unwrap().to_string();
        assert!(
            msg.contains("worker process died") && msg.contains("exit status: 0"),
            "{msg}"
        );
    }

    #[test]
    fn a_child_that_dies_after_its_last_write_still_rendered_its_order() {
        let dir = tempfile::tempdir().unwrap();
        let plan = plan(dir.path());
        // What the child wrote before it died: the PDF, then the sidecar.
        let order = plan.items[0].2.as_ref().unwrap();
        let (pdf, side) = plan.outputs(order);
        write_via(&plan.tmp, &pdf, b"%PDF-1.7 stand-in").unwrap();
        let sidecar =
            Sidecar { hash: input_hash(order, &plan.fingerprint), pages: 61, bytes: 17 };
        write_via(&plan.tmp, &side, &serde_json::to_vec(&sidecar).unwrap()).unwrap();

        let report = WorkerProcess::work(&mut None, &silent_child, &plan, 0, false);
        assert_eq!(report.status, Status::Rendered);
        assert_eq!((report.pages, report.bytes), (Some(61), Some(17)));
        // With --force the files on disk may be an earlier run's, so the
        // death counts.
        let forced = WorkerProcess::work(&mut None, &silent_child, &plan, 0, true);
        assert_eq!(forced.status, Status::Failed);
    }
}
