//! Prometheus metrics in the text exposition format, written by hand: a few
//! counters and one histogram do not justify a metrics framework.
//!
//! Job counts and queue depth come from the database at scrape time, so
//! every process reports the same, whole-queue numbers; render timings,
//! attempts and webhook deliveries are this process's own.

use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::queue::{JobState, Stats};

/// Upper bounds of the render-seconds histogram buckets.
const BUCKETS: [f64; 10] = [0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Render outcome labels for the attempts counter.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Outcome {
    Succeeded,
    Retried,
    Failed,
    Lost,
    Released,
}

const OUTCOMES: [&str; 5] = ["succeeded", "retried", "failed", "lost", "released"];

/// This process's counters.
#[derive(Debug, Default)]
pub(crate) struct Metrics {
    /// `[job, sync]` render durations.
    renders: [Mutex<Histogram>; 2],
    attempts: [AtomicU64; 5],
    webhooks: [AtomicU64; 2],
    rejected: AtomicU64,
}

/// Which renders a duration belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum RenderKind {
    Job = 0,
    Sync = 1,
}

impl Metrics {
    pub(crate) fn observe_render(&self, kind: RenderKind, seconds: f64) {
        let mut h = self.renders[kind as usize].lock().unwrap_or_else(|p| p.into_inner());
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += seconds;
    }

    pub(crate) fn attempt(&self, outcome: Outcome) {
        self.attempts[outcome as usize].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn webhook(&self, delivered: bool) {
        self.webhooks[usize::from(!delivered)].fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn rejected(&self) {
        self.rejected.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `stats` is `None` when the database did not
    /// answer (the scrape still reports this process's numbers).
    pub(crate) fn render(&self, stats: Option<&Stats>) -> String {
        let mut out = String::new();
        if let Some(s) = stats {
            out.push_str("# HELP prepbook_jobs Jobs in the queue by state.\n");
            out.push_str("# TYPE prepbook_jobs gauge\n");
            for (state, n) in JobState::ALL.iter().zip(s.by_state) {
                let _ =
                    writeln!(out, "prepbook_jobs{{state=\"{}\"}} {n}", state.as_str());
            }
            out.push_str("# HELP prepbook_queue_depth Jobs claimable now.\n");
            out.push_str("# TYPE prepbook_queue_depth gauge\n");
            let _ = writeln!(out, "prepbook_queue_depth {}", s.depth);
            out.push_str(
                "# HELP prepbook_job_attempts Attempts over all jobs in the queue.\n",
            );
            out.push_str("# TYPE prepbook_job_attempts gauge\n");
            let _ = writeln!(out, "prepbook_job_attempts {}", s.attempts);
        }
        let _ = writeln!(out, "# HELP prepbook_up Whether the queue database answered.");
        out.push_str("# TYPE prepbook_up gauge\n");
        let _ = writeln!(out, "prepbook_up {}", u8::from(stats.is_some()));

        out.push_str("# HELP prepbook_render_seconds Time to render one playbook.\n");
        out.push_str("# TYPE prepbook_render_seconds histogram\n");
        for (kind, h) in ["job", "sync"].iter().zip(&self.renders) {
            let h = h.lock().unwrap_or_else(|p| p.into_inner());
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                let _ = writeln!(
                    out,
                    "prepbook_render_seconds_bucket{{kind=\"{kind}\",le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "prepbook_render_seconds_bucket{{kind=\"{kind}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ =
                writeln!(out, "prepbook_render_seconds_sum{{kind=\"{kind}\"}} {}", h.sum);
            let _ = writeln!(
                out,
                "prepbook_render_seconds_count{{kind=\"{kind}\"}} {}",
                h.count
            );
        }

        out.push_str(
            "# HELP prepbook_attempts_total Job attempts finished by this process, by outcome.\n",
        );
        out.push_str("# TYPE prepbook_attempts_total counter\n");
        for (name, n) in OUTCOMES.iter().zip(&self.attempts) {
            let _ = writeln!(
                out,
                "prepbook_attempts_total{{outcome=\"{name}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        out.push_str("# HELP prepbook_webhooks_total Webhook deliveries by result.\n");
        out.push_str("# TYPE prepbook_webhooks_total counter\n");
        for (name, n) in ["delivered", "abandoned"].iter().zip(&self.webhooks) {
            let _ = writeln!(
                out,
                "prepbook_webhooks_total{{result=\"{name}\"}} {}",
                n.load(Ordering::Relaxed)
            );
        }
        out.push_str(
            "# HELP prepbook_sync_rejected_total Synchronous renders refused with 429.\n",
        );
        out.push_str("# TYPE prepbook_sync_rejected_total counter\n");
        let _ = writeln!(
            out,
            "prepbook_sync_rejected_total {}",
            self.rejected.load(Ordering::Relaxed)
        );

        if let Some((virt, rss)) = memory() {
            out.push_str("# HELP process_resident_memory_bytes Resident memory size.\n");
            out.push_str("# TYPE process_resident_memory_bytes gauge\n");
            let _ = writeln!(out, "process_resident_memory_bytes {rss}");
            out.push_str("# HELP process_virtual_memory_bytes Virtual memory size.\n");
            out.push_str("# TYPE process_virtual_memory_bytes gauge\n");
            let _ = writeln!(out, "process_virtual_memory_bytes {virt}");
        }
        out
    }
}

/// Virtual and resident bytes from `/proc/self/statm`, which counts pages.
/// The page size comes from the auxiliary vector (`AT_PAGESZ`), readable
/// without `unsafe`; 4 KiB when that fails. `None` off Linux.
fn memory() -> Option<(u64, u64)> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let mut fields = statm.split_whitespace().map(|f| f.parse::<u64>().ok());
    let (virt, rss) = (fields.next()??, fields.next()??);
    let page = page_size().unwrap_or(4096);
    Some((virt * page, rss * page))
}

fn page_size() -> Option<u64> {
    const AT_PAGESZ: u64 = 6;
    let auxv = std::fs::read("/proc/self/auxv").ok()?;
    let word = std::mem::size_of::<usize>();
    let read = |b: &[u8]| -> u64 {
        let mut v = [0u8; 8];
        v[..word].copy_from_slice(b);
        u64::from_ne_bytes(v)
    };
    auxv.chunks_exact(2 * word)
        .find(|pair| read(&pair[..word]) == AT_PAGESZ)
        .map(|pair| read(&pair[word..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposition_has_every_family() {
        let m = Metrics::default();
        m.observe_render(RenderKind::Job, 0.6);
        m.attempt(Outcome::Succeeded);
        let stats = Stats { by_state: [1, 2, 3, 4], depth: 1, attempts: 9 };
        let text = m.render(Some(&stats));
        for line in [
            "prepbook_jobs{state=\"failed\"} 4",
            "prepbook_queue_depth 1",
            "prepbook_job_attempts 9",
            "prepbook_render_seconds_bucket{kind=\"job\",le=\"0.5\"} 0",
            "prepbook_render_seconds_bucket{kind=\"job\",le=\"0.75\"} 1",
            "prepbook_render_seconds_count{kind=\"job\"} 1",
            "prepbook_attempts_total{outcome=\"succeeded\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}:\n{text}");
        }
        let (_, rss) = memory().expect("linux has statm");
        assert!(rss > 1 << 20, "a test process uses more than 1 MiB");
        assert!(page_size().is_some_and(|p| p >= 4096 && p.is_power_of_two()));
    }
}
