//! Workers: claim a job, render it off the async runtime while renewing
//! the lease, store the PDF, record the result, send the webhook.
//!
//! Responsible for the life of one attempt and for retries (exponential
//! backoff with jitter, no retry for invalid input) and graceful shutdown
//! (stop claiming; finish the running render within the grace period or
//! give the job back). Not responsible for the queue's atomicity (the
//! stores) or HTTP (the API).

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::Instrument;

use super::error::ServiceError;
use super::metrics::{Metrics, Outcome, RenderKind};
use super::queue::{Claim, Queue, Success, backoff, now_ms};
use super::storage::Storage;
use super::webhook::{self, WebhookOptions};
use crate::model::parse_ymd;
use crate::{Engine, Error, Order, RenderOptions};

/// What workers need, shared by every worker task of a process.
pub(crate) struct Context {
    pub(crate) queue: Arc<dyn Queue>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) storage: Storage,
    pub(crate) metrics: Arc<Metrics>,
    pub(crate) lease: Duration,
    pub(crate) poll: Duration,
    pub(crate) grace: Duration,
    pub(crate) retry_base: Duration,
    pub(crate) webhook: WebhookOptions,
    pub(crate) retain: Option<Duration>,
}

/// A shutdown signal that many tasks can wait for.
#[derive(Debug, Clone)]
pub struct Shutdown {
    tx: Arc<watch::Sender<bool>>,
    rx: watch::Receiver<bool>,
}

impl Default for Shutdown {
    fn default() -> Self {
        let (tx, rx) = watch::channel(false);
        Self { tx: Arc::new(tx), rx }
    }
}

impl Shutdown {
    /// A signal that has not fired.
    pub fn new() -> Self {
        Self::default()
    }

    /// Fires the signal: workers stop claiming and wind down.
    pub fn trigger(&self) {
        self.tx.send_replace(true);
    }

    /// Whether the signal has fired.
    pub fn is_triggered(&self) -> bool {
        *self.rx.borrow()
    }

    /// Resolves once the signal has fired.
    pub async fn wait(&self) {
        let mut rx = self.rx.clone();
        // The sender lives in `self`, so this only ends when it fires.
        let _ = rx.wait_for(|fired| *fired).await;
    }
}

/// Runs `n` worker tasks named `name-0`, `name-1`, … until `shutdown`
/// fires and each has finished or released its job.
pub(crate) async fn run(ctx: Arc<Context>, n: usize, name: &str, shutdown: Shutdown) {
    let mut tasks = JoinSet::new();
    for i in 0..n {
        tasks.spawn(run_one(ctx.clone(), format!("{name}-{i}"), shutdown.clone()));
    }
    if let Some(age) = ctx.retain.filter(|_| n > 0) {
        tasks.spawn(sweep(ctx.clone(), age, shutdown.clone()));
    }
    while let Some(done) = tasks.join_next().await {
        if let Err(e) = done {
            tracing::error!(error = %e, "worker task panicked");
        }
    }
}

/// Deletes finished jobs past retention, with their files: at start, then
/// every tenth of the retention (between a second and ten minutes). Every
/// worker process sweeps; deleting twice is harmless.
async fn sweep(ctx: Arc<Context>, age: Duration, shutdown: Shutdown) {
    let every = (age / 10).clamp(Duration::from_secs(1), Duration::from_secs(600));
    while !shutdown.is_triggered() {
        loop {
            match sweep_once(&ctx, age).await {
                Ok(500..) => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "retention sweep failed");
                    break;
                }
            }
        }
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            () = shutdown.wait() => {}
        }
    }
}

/// One batch of the retention sweep: how many jobs it deleted.
pub(crate) async fn sweep_once(
    ctx: &Context,
    age: Duration,
) -> Result<usize, ServiceError> {
    let expired = ctx.queue.expired(age, 500).await?;
    for (id, order_id) in &expired {
        // Files first: a row without files is harmless, files without a
        // row would never be found again.
        let (storage, o, j) = (ctx.storage.clone(), order_id.clone(), id.clone());
        tokio::task::spawn_blocking(move || storage.remove_job(&o, &j))
            .await
            .map_err(|e| ServiceError::Corrupt(e.to_string()))??;
        ctx.queue.delete(id).await?;
    }
    if !expired.is_empty() {
        tracing::info!(deleted = expired.len(), "retention: finished jobs deleted");
    }
    Ok(expired.len())
}

async fn run_one(ctx: Arc<Context>, worker: String, shutdown: Shutdown) {
    let wakeups = ctx.queue.wakeups();
    let mut errors = 0u32;
    while !shutdown.is_triggered() {
        // Register for a wake-up before looking, so a submission between
        // an empty claim and the wait is not missed.
        let notified = wakeups.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        let t_claim = Instant::now();
        match ctx.queue.claim(&worker, ctx.lease).await {
            Ok(Some(claim)) => {
                errors = 0;
                let claim_ms = t_claim.elapsed().as_secs_f64() * 1000.0;
                let span =
                    tracing::info_span!("job", id = %claim.id, attempt = claim.attempt);
                attempt(&ctx, &worker, claim, t_claim, claim_ms, &shutdown)
                    .instrument(span)
                    .await;
            }
            Ok(None) => {
                tokio::select! {
                    () = &mut notified => {}
                    () = tokio::time::sleep(ctx.poll) => {}
                    () = shutdown.wait() => {}
                }
            }
            Err(e) => {
                errors += 1;
                let delay = backoff(errors.min(5), Duration::from_millis(500));
                tracing::warn!(%worker, error = %e, ?delay, "claim failed; retrying");
                tokio::select! {
                    () = tokio::time::sleep(delay) => {}
                    () = shutdown.wait() => {}
                }
            }
        }
    }
    tracing::info!(%worker, "worker stopped");
}

fn parse_order(claim: &Claim) -> Result<Order, Error> {
    let today = parse_ymd(&claim.today).map_err(|m| {
        Error::invalid(
            crate::Stage::Input,
            "invalid job",
            vec![crate::Diagnostic::new(m).at("today")],
        )
    })?;
    // The API checked the role on submission; the packs check it again.
    let opts = crate::ReadOptions { today: Some(today), ..Default::default() };
    crate::model::read_json(&claim.body, None, &opts)
}

fn ms_since(t: Instant) -> f64 {
    (t.elapsed().as_secs_f64() * 1e5).round() / 100.0
}

/// One attempt at one claimed job.
async fn attempt(
    ctx: &Context,
    worker: &str,
    claim: Claim,
    t_claim: Instant,
    claim_ms: f64,
    shutdown: &Shutdown,
) {
    let queued_ms = (now_ms() - claim.created_at).max(0);
    let order = match parse_order(&claim) {
        Ok(order) => order,
        Err(e) => return finish_failed(ctx, &claim, &e).await,
    };
    let claim_to_render_ms = ms_since(t_claim);
    let engine = ctx.engine.clone();
    let t_render = Instant::now();
    let render = tokio::task::spawn_blocking(move || {
        engine.render(&order, &RenderOptions::default())
    });
    tokio::pin!(render);
    let mut renew = tokio::time::interval(ctx.lease / 3);
    renew.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    renew.tick().await;
    let mut deadline: Option<tokio::time::Instant> = None;
    let mut lost = false;
    let joined = loop {
        let grace_over = async {
            match deadline {
                Some(d) => tokio::time::sleep_until(d).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            joined = &mut render => break Some(joined),
            _ = renew.tick() => match ctx.queue.renew(&claim, ctx.lease).await {
                Ok(true) => {}
                Ok(false) => {
                    // Another worker has the job now; finish the render but
                    // leave the result to that worker.
                    lost = true;
                    tracing::warn!("lease lost while rendering");
                }
                // A database hiccup: keep rendering and try again; if the
                // lease runs out meanwhile, the job is rerun elsewhere.
                Err(e) => tracing::warn!(error = %e, "lease renewal failed"),
            },
            () = shutdown.wait(), if deadline.is_none() => {
                deadline = Some(tokio::time::Instant::now() + ctx.grace);
                tracing::info!(grace = ?ctx.grace, "shutting down; finishing the render");
            }
            () = grace_over => break None,
        }
    };
    let Some(joined) = joined else {
        // The render thread cannot be interrupted; it ends with the process.
        match ctx.queue.release(&claim).await {
            Ok(_) => tracing::info!("grace period over; job released"),
            Err(e) => tracing::warn!(error = %e, "release failed; the lease will expire"),
        }
        ctx.metrics.attempt(Outcome::Released);
        return;
    };
    let render_s = t_render.elapsed().as_secs_f64();
    let rendered = match joined {
        Ok(Ok(rendered)) => rendered,
        Ok(Err(e)) => return finish_failed(ctx, &claim, &e).await,
        Err(join) => {
            let e = Error::new(
                crate::ErrorKind::Render,
                crate::Stage::Layout,
                format!("render panicked ({join})"),
            );
            return finish_failed(ctx, &claim, &e).await;
        }
    };
    ctx.metrics.observe_render(RenderKind::Job, render_s);
    if lost {
        ctx.metrics.attempt(Outcome::Lost);
        return;
    }
    let key = super::storage::Storage::pdf_key(&claim.order_id, &claim.id);
    let t_store = Instant::now();
    let storage = ctx.storage.clone();
    let etag = blake3::hash(&rendered.pdf).to_hex()[..32].to_string();
    let bytes = i64::try_from(rendered.pdf.len()).unwrap_or(i64::MAX);
    let pdf = rendered.pdf;
    let stored = {
        let key = key.clone();
        tokio::task::spawn_blocking(move || storage.put(&key, &pdf)).await
    };
    match stored {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            let e = Error::new(
                crate::ErrorKind::Io,
                crate::Stage::Output,
                format!("cannot store the pdf ({e})"),
            );
            return finish_failed(ctx, &claim, &e).await;
        }
        Err(join) => {
            let e = Error::new(
                crate::ErrorKind::Io,
                crate::Stage::Output,
                format!("storing panicked ({join})"),
            );
            return finish_failed(ctx, &claim, &e).await;
        }
    }
    let t = &rendered.timings;
    let timings = serde_json::json!({
        "analysis": t.analysis,
        "content": t.content,
        "layout": t.layout,
        "pdf": t.pdf,
        "render": (render_s * 1e5).round() / 100.0,
        "store": ms_since(t_store),
        "queued": queued_ms,
        "claim": (claim_ms * 100.0).round() / 100.0,
        "claim_to_render": claim_to_render_ms,
        "worker": worker,
    });
    let success = Success {
        pages: i64::try_from(rendered.pages).unwrap_or(i64::MAX),
        bytes,
        fit_score: i64::from(rendered.analysis.fit.score),
        etag,
        storage_key: key,
        timings,
    };
    let payload = serde_json::json!({
        "event": "playbook.succeeded",
        "id": claim.id,
        "order_id": claim.order_id,
        "status": "succeeded",
        "attempts": claim.attempt,
        "pages": success.pages,
        "bytes": success.bytes,
        "fit_score": success.fit_score,
        "pdf": format!("/v1/playbooks/{}/pdf", claim.id),
    });
    match ctx.queue.succeed(&claim, success).await {
        Ok(true) => {
            ctx.metrics.attempt(Outcome::Succeeded);
            tracing::info!(render_s, "job succeeded");
            notify(ctx, &claim, "playbook.succeeded", payload);
        }
        Ok(false) => {
            ctx.metrics.attempt(Outcome::Lost);
            tracing::warn!("lease lost before the result was recorded");
            // Deleted while it rendered (DELETE or retention): the PDF just
            // written must not outlive the job.
            if matches!(ctx.queue.get(&claim.id).await, Ok(None)) {
                let (storage, o, j) =
                    (ctx.storage.clone(), claim.order_id.clone(), claim.id.clone());
                let _ =
                    tokio::task::spawn_blocking(move || storage.remove_job(&o, &j)).await;
            }
        }
        // The lease runs out and another worker reruns the job; the PDF it
        // writes replaces this one under the same key.
        Err(e) => tracing::error!(error = %e, "cannot record success"),
    }
}

/// Records a failed attempt: for good when the input is at fault or the
/// attempts are used up, otherwise queued again after a backoff.
async fn finish_failed(ctx: &Context, claim: &Claim, e: &Error) {
    let permanent = e.is_invalid_input() || claim.attempt >= claim.max_attempts;
    // Invalid input is the caller's to see; internal failures are logged in
    // full and stored without their detail, as the API answers them.
    let public = if e.is_invalid_input() {
        e.to_json()
    } else {
        tracing::error!(error = %e, "attempt failed");
        let body = crate::ErrorBody {
            message: format!(
                "internal failure on attempt {} (see the worker log)",
                claim.attempt
            ),
            diagnostics: Some(Vec::new()),
            ..e.body()
        };
        serde_json::to_value(body).unwrap_or_default()
    };
    let retry_in = (!permanent).then(|| backoff(claim.attempt, ctx.retry_base));
    match ctx.queue.fail(claim, public.clone(), retry_in).await {
        Ok(true) if permanent => {
            ctx.metrics.attempt(Outcome::Failed);
            tracing::warn!("job failed");
            let payload = serde_json::json!({
                "event": "playbook.failed",
                "id": claim.id,
                "order_id": claim.order_id,
                "status": "failed",
                "attempts": claim.attempt,
                "error": public,
            });
            notify(ctx, claim, "playbook.failed", payload);
        }
        Ok(true) => {
            ctx.metrics.attempt(Outcome::Retried);
            tracing::info!(retry_in = ?retry_in, "attempt failed; will retry");
        }
        Ok(false) => ctx.metrics.attempt(Outcome::Lost),
        Err(db) => tracing::error!(error = %db, "cannot record the failure"),
    }
}

/// Sends the completion webhook in the background, so a slow receiver
/// never holds up a worker. The job's status stays the source of truth: a
/// webhook still retrying when the process stops is not sent.
fn notify(ctx: &Context, claim: &Claim, event: &'static str, payload: serde_json::Value) {
    let Some(url) = claim.webhook_url.clone() else { return };
    let opts = ctx.webhook.clone();
    let metrics = ctx.metrics.clone();
    let id = claim.id.clone();
    tokio::spawn(async move {
        let body = payload.to_string();
        let ok = webhook::deliver(&opts, &url, event, &id, &body).await;
        metrics.webhook(ok);
    });
}

impl Shutdown {
    /// A signal that fires on SIGTERM or SIGINT (Ctrl-C). Needs a running
    /// tokio runtime.
    pub fn on_signals() -> Self {
        let shutdown = Self::new();
        let fire = shutdown.clone();
        tokio::spawn(async move {
            let term = async {
                match tokio::signal::unix::signal(
                    tokio::signal::unix::SignalKind::terminate(),
                ) {
                    Ok(mut s) => {
                        s.recv().await;
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot watch SIGTERM");
                        std::future::pending::<()>().await;
                    }
                }
            };
            tokio::select! {
                () = term => {}
                _ = tokio::signal::ctrl_c() => {}
            }
            tracing::info!("shutdown requested: no new jobs; finishing running ones");
            fire.trigger();
        });
        shutdown
    }
}
