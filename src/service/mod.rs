//! The worker service: an HTTP API over a durable job queue, and the
//! workers that render its jobs.
//!
//! # Parts
//! - `api`: the axum router ([`Service::router`]) — submit, status,
//!   PDF, page previews, synchronous render, probes, metrics, OpenAPI.
//! - `queue`: the job model, its states and the `Queue` trait (what every
//!   store guarantees, with conformance checks run against each store).
//! - `sql`: the queue's SQL, written once: every statement, the lease
//!   fencing, row decoding, and `SqlQueue`, the `Queue` over any `Store`.
//! - `sqlite` (one machine, WAL) and `postgres` (many machines,
//!   `FOR UPDATE SKIP LOCKED` claims, `LISTEN/NOTIFY` wake-ups): the two
//!   stores, each only what its database does differently. They depend on
//!   `sql` and `queue`, never on each other; `open_queue` here picks one.
//! - `worker`: claim → render (off the async runtime) while renewing the
//!   lease → store → record → webhook; retries with backoff and jitter;
//!   graceful shutdown.
//! - `openapi`: the API's bodies as types and the OpenAPI document whose
//!   schemas are generated from them.
//! - `storage`: PDFs in a directory under deterministic keys, written
//!   atomically. `webhook`: signed completion callbacks. `metrics`:
//!   Prometheus text.
//!
//! The service never reads files a caller names (`{"path": …}` is refused)
//! and never reads the clock while rendering: an order without
//! `target.today` gets the submission date, stored with the job so every
//! attempt renders the same bytes.
//!
//! ```no_run
//! # async fn run() -> Result<(), prepbook::service::ServiceError> {
//! let opts = prepbook::service::ServeOptions::default();
//! prepbook::service::serve(opts, prepbook::service::Shutdown::on_signals()).await
//! # }
//! ```

mod api;
mod error;
mod listen;
mod metrics;
mod openapi;
mod postgres;
mod queue;
mod sql;
mod sqlite;
mod storage;
mod webhook;
mod worker;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;

pub use error::ServiceError;
pub use listen::ListenOptions;
use queue::Queue;
use sql::SqlQueue;
pub use webhook::WebhookOptions;
pub use worker::Shutdown;

/// Settings of the workers (`serve`'s in-process ones and `worker`).
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// The queue: `sqlite:PATH` or `postgres://…` (default
    /// `sqlite:./prepbook.db`).
    pub db: String,
    /// Where PDFs are written (default `./playbooks`). Every machine that
    /// serves or renders must see the same directory.
    pub storage: PathBuf,
    /// Worker tasks in this process (default 1 for `worker`, 2 for `serve`).
    pub workers: usize,
    /// How long a claim holds a job without renewal (default 30 s). A
    /// crashed worker's job is rerun after this.
    pub lease: Duration,
    /// How often idle workers look for due jobs when no notification
    /// arrives (default 2 s); retries that back off are found this way.
    pub poll: Duration,
    /// How long a shutting-down worker may finish its render before it
    /// gives the job back (default 30 s).
    pub grace: Duration,
    /// First retry delay; doubles per attempt, with jitter (default 2 s).
    pub retry_base: Duration,
    /// Completion webhooks.
    pub webhook: WebhookOptions,
    /// How long finished jobs are kept: after this their order document
    /// (the resume), their PDF and previews are deleted (default 30 days;
    /// `None` keeps them).
    pub retain: Option<Duration>,
    /// Prefix of worker names in leases and logs (default `HOST-PID`).
    pub name: Option<String>,
    /// `worker` only: serve `/healthz`, `/readyz` and `/metrics` here.
    pub listen: Option<SocketAddr>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            db: "sqlite:./prepbook.db".into(),
            storage: PathBuf::from("./playbooks"),
            workers: 1,
            lease: Duration::from_secs(30),
            poll: Duration::from_secs(2),
            grace: Duration::from_secs(30),
            retry_base: Duration::from_secs(2),
            webhook: WebhookOptions::default(),
            retain: Some(Duration::from_secs(30 * 86_400)),
            name: None,
            listen: None,
        }
    }
}

/// Settings of `serve`: the API plus in-process workers.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Listen address (default `127.0.0.1:8080`).
    pub listen: SocketAddr,
    /// Accepted bearer tokens (`PREPBOOK_API_TOKENS`). With none, only a
    /// loopback address may be used.
    pub tokens: Vec<String>,
    /// Attempts per job before it fails for good (default 3).
    pub max_attempts: u32,
    /// Concurrent synchronous renders and previews (default: the number of
    /// cores); more answer 429.
    pub render_slots: usize,
    /// Largest accepted request body (default 4 MiB).
    pub body_limit: usize,
    /// Unfinished (queued or running) jobs one token may have; past it a
    /// submission answers 429 with Retry-After (default 100).
    pub max_pending_per_owner: u32,
    /// Requests whose body is being read and checked (parsing, analysis)
    /// at once, over all tokens; more answer 429 at once (default: twice
    /// the cores).
    pub parse_slots: usize,
    /// Longest a request may take (default 120 s).
    pub request_timeout: Duration,
    /// The workers and the queue they share with the API.
    pub worker: WorkerOptions,
    /// Header-read timeout and connection cap of the listener.
    pub listen_limits: ListenOptions,
}

impl Default for ServeOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Vec::new(),
            max_attempts: 3,
            render_slots: std::thread::available_parallelism().map_or(2, |n| n.get()),
            max_pending_per_owner: 100,
            parse_slots: 2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
            body_limit: 4 << 20,
            request_timeout: Duration::from_secs(120),
            worker: WorkerOptions { workers: 2, ..WorkerOptions::default() },
            listen_limits: ListenOptions::default(),
        }
    }
}

/// An opened service: the engine loaded once, the queue and storage open.
/// Serve its [`router`](Service::router) and run its workers.
pub struct Service {
    state: Arc<api::AppState>,
    workers: Arc<worker::Context>,
    worker_count: usize,
    name: String,
}

fn default_name() -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".into());
    format!("{host}-{}", std::process::id())
}

impl Service {
    /// Loads the engine, opens (and if needed creates) the queue and the
    /// storage directory.
    pub async fn open(opts: &ServeOptions) -> Result<Self, ServiceError> {
        let w = &opts.worker;
        if let Some(url) = &w.webhook.default_url {
            webhook::parse_url(url)
                .map_err(|m| ServiceError::Config(format!("webhook url {url:?}: {m}")))?;
            if w.webhook.secret.is_none() {
                return Err(ServiceError::Config(
                    "a webhook url needs a signing secret (PREPBOOK_WEBHOOK_SECRET)"
                        .into(),
                ));
            }
        }
        let engine = tokio::task::spawn_blocking(crate::Engine::embedded)
            .await
            .map_err(|e| ServiceError::Config(format!("engine loading panicked ({e})")))?
            .map_err(ServiceError::Engine)?;
        let engine = Arc::new(engine);
        let queue = open_queue(&w.db).await?;
        let storage = storage::Storage::open(&w.storage)?;
        let metrics = Arc::new(metrics::Metrics::default());
        let state = Arc::new(api::AppState {
            queue: queue.clone(),
            engine: engine.clone(),
            storage: storage.clone(),
            metrics: metrics.clone(),
            tokens: credentials(&opts.tokens)?,
            render_slots: Arc::new(Semaphore::new(opts.render_slots)),
            parse_slots: Arc::new(Semaphore::new(opts.parse_slots.max(1))),
            max_pending_per_owner: opts.max_pending_per_owner.max(1),
            max_attempts: opts.max_attempts.max(1),
            webhook: w.webhook.clone(),
            body_limit: opts.body_limit,
            request_timeout: opts.request_timeout,
        });
        let workers = Arc::new(worker::Context {
            queue,
            engine,
            storage,
            metrics,
            lease: w.lease.max(Duration::from_millis(300)),
            poll: w.poll,
            grace: w.grace,
            retry_base: w.retry_base,
            webhook: w.webhook.clone(),
            retain: w.retain,
        });
        Ok(Self {
            state,
            workers,
            worker_count: w.workers,
            name: w.name.clone().unwrap_or_else(default_name),
        })
    }

    /// The HTTP API, callable without a socket:
    ///
    /// ```no_run
    /// # async fn run(svc: prepbook::service::Service) {
    /// use tower::ServiceExt;
    /// let req = axum::http::Request::get("/healthz").body(axum::body::Body::empty()).unwrap();
    /// let res = svc.router().oneshot(req).await.unwrap();
    /// assert_eq!(res.status(), 200);
    /// # }
    /// ```
    pub fn router(&self) -> axum::Router {
        api::router(self.state.clone())
    }

    /// Starts this service's worker tasks; the handle ends once `shutdown`
    /// has fired and every task has finished or released its job.
    pub fn spawn_workers(&self, shutdown: Shutdown) -> tokio::task::JoinHandle<()> {
        let ctx = self.workers.clone();
        let (n, name) = (self.worker_count, self.name.clone());
        tokio::spawn(async move { worker::run(ctx, n, &name, shutdown).await })
    }

    /// `sqlite` or `postgres`.
    pub fn queue_kind(&self) -> &'static str {
        self.state.queue.kind()
    }
}

/// The OpenAPI 3 document the service serves at `/openapi.json`: the
/// hand-written paths with the body schemas generated from the types the
/// handlers use.
pub fn openapi() -> serde_json::Value {
    openapi::document().clone()
}

/// Opens the queue a `--db` value names: `sqlite:PATH` or `postgres://…`.
/// The stores know nothing of each other; this is the one place that
/// chooses between them.
async fn open_queue(db: &str) -> Result<Arc<dyn Queue>, ServiceError> {
    if let Some(path) =
        db.strip_prefix("sqlite://").or_else(|| db.strip_prefix("sqlite:"))
    {
        Ok(Arc::new(SqlQueue(sqlite::SqliteStore::open(path).await?)))
    } else if db.starts_with("postgres://") || db.starts_with("postgresql://") {
        Ok(Arc::new(SqlQueue(postgres::PgStore::open(db).await?)))
    } else {
        Err(ServiceError::Config(format!(
            "unsupported database {db:?} (expected sqlite:PATH or postgres://…)"
        )))
    }
}

/// Runs `prepbook serve` until `shutdown` fires: the API on
/// `opts.listen` and `opts.worker.workers` workers.
///
/// The credentials of `PREPBOOK_API_TOKENS` entries (`name:token`, or a
/// bare token); blank entries are skipped, two entries with one name or
/// one token are refused (they would merge two owners' jobs).
fn credentials(entries: &[String]) -> Result<Vec<api::Credential>, ServiceError> {
    let mut out: Vec<api::Credential> = Vec::new();
    for (i, entry) in entries.iter().enumerate().filter(|(_, e)| !e.trim().is_empty()) {
        let c = api::Credential::parse(entry).map_err(|m| {
            ServiceError::Config(format!("PREPBOOK_API_TOKENS entry {}: {m}", i + 1))
        })?;
        if out.iter().any(|o| o.owner == c.owner || o.token == c.token) {
            return Err(ServiceError::Config(format!(
                "PREPBOOK_API_TOKENS entry {}: the name or token of an earlier entry again",
                i + 1
            )));
        }
        out.push(c);
    }
    Ok(out)
}

/// Without tokens the API is unauthenticated, so a non-loopback address is
/// refused.
pub async fn serve(opts: ServeOptions, shutdown: Shutdown) -> Result<(), ServiceError> {
    let tokens = opts.tokens.iter().filter(|t| !t.trim().is_empty()).count();
    if tokens == 0 {
        if !opts.listen.ip().is_loopback() {
            return Err(ServiceError::Config(format!(
                "refusing to listen on {} without PREPBOOK_API_TOKENS: with no tokens the API \
                 is unauthenticated and accepts loopback connections only",
                opts.listen
            )));
        }
        tracing::warn!(
            "PREPBOOK_API_TOKENS is not set: authentication is off and only loopback \
             connections are accepted"
        );
    }
    let svc = Service::open(&opts).await?;
    let listener = tokio::net::TcpListener::bind(opts.listen).await?;
    tracing::info!(
        listen = %listener.local_addr()?,
        queue = svc.queue_kind(),
        workers = opts.worker.workers,
        tokens,
        "serving"
    );
    let workers = svc.spawn_workers(shutdown.clone());
    listen::serve(listener, svc.router(), opts.listen_limits, shutdown.clone()).await?;
    let _ = workers.await;
    tracing::info!("stopped");
    Ok(())
}

/// Runs `prepbook worker` until `shutdown` fires: workers only, for more
/// machines against one PostgreSQL (or one SQLite file on this machine).
pub async fn run_worker(
    opts: WorkerOptions,
    shutdown: Shutdown,
) -> Result<(), ServiceError> {
    let listen = opts.listen;
    let serve_opts = ServeOptions { worker: opts, ..ServeOptions::default() };
    let svc = Service::open(&serve_opts).await?;
    tracing::info!(
        queue = svc.queue_kind(),
        workers = serve_opts.worker.workers,
        name = %svc.name,
        "worker started"
    );
    let workers = svc.spawn_workers(shutdown.clone());
    if let Some(addr) = listen {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(listen = %listener.local_addr()?, "serving probes and metrics");
        let stop = shutdown.clone();
        let app = api::probes(svc.state.clone());
        tokio::spawn(async move {
            let served =
                listen::serve(listener, app, ListenOptions::default(), stop).await;
            if let Err(e) = served {
                tracing::error!(error = %e, "probe server failed");
            }
        });
    }
    let _ = workers.await;
    tracing::info!("stopped");
    Ok(())
}
