//! The HTTP API: routes, authentication, limits and the mapping of errors
//! to status codes. Callable without a socket (`tower::ServiceExt::oneshot`
//! on [`super::Service::router`]).
//!
//! Not responsible for rendering jobs (the workers) nor for listening on a
//! socket (`serve`).

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Extension, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde_json::json;
use tokio::sync::Semaphore;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::metrics::{Metrics, RenderKind};
use super::openapi::{Accepted, ErrorAnswer, JobStatus};
use super::queue::{JobRecord, JobState, NewJob, Queue, Submitted};
use super::storage::Storage;
use super::webhook::WebhookOptions;
use crate::model::{self, ReadOptions};
use crate::{Diagnostic, Engine, Error, ErrorBody, Order, RenderOptions, Stage};

/// Everything a request handler needs.
pub(crate) struct AppState {
    pub(crate) queue: Arc<dyn Queue>,
    pub(crate) engine: Arc<Engine>,
    pub(crate) storage: Storage,
    pub(crate) metrics: Arc<Metrics>,
    /// Accepted bearer tokens and the owner each one names; empty means
    /// no authentication (loopback), every job owned by [`LOCAL_OWNER`].
    pub(crate) tokens: Vec<Credential>,
    /// Permits for synchronous renders and previews.
    pub(crate) render_slots: Arc<Semaphore>,
    /// Permits for reading and checking a request's order (every POST).
    pub(crate) parse_slots: Arc<Semaphore>,
    /// Unfinished jobs per owner before submissions answer 429.
    pub(crate) max_pending_per_owner: u32,
    pub(crate) max_attempts: u32,
    pub(crate) webhook: WebhookOptions,
    pub(crate) body_limit: usize,
    pub(crate) request_timeout: Duration,
}

/// The owner of every job when the API runs without tokens (loopback).
pub(crate) const LOCAL_OWNER: &str = "local";

/// One entry of `PREPBOOK_API_TOKENS`: `name:token`, or a bare token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Credential {
    /// Whose jobs these are. A bare token is its own owner, named by a
    /// digest of the token, so two bare tokens never share jobs.
    pub(crate) owner: String,
    pub(crate) token: String,
}

impl Credential {
    /// Reads one entry; the error says what is wrong without echoing the
    /// token.
    pub(crate) fn parse(entry: &str) -> Result<Self, String> {
        let entry = entry.trim();
        match entry.split_once(':') {
            Some((name, token)) => {
                let name_ok = !name.is_empty()
                    && name.len() <= 64
                    && name
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b));
                if !name_ok {
                    return Err(format!(
                        "the token name {name:?} must be 1-64 letters, digits, '-', '_' or '.'"
                    ));
                }
                if token.trim().is_empty() {
                    return Err(format!("the token named {name:?} is empty"));
                }
                Ok(Self { owner: name.to_string(), token: token.trim().to_string() })
            }
            None => Ok(Self {
                owner: format!(
                    "token-{}",
                    &blake3::hash(entry.as_bytes()).to_hex()[..12]
                ),
                token: entry.to_string(),
            }),
        }
    }
}

/// The authenticated caller, put into the request by [`auth`].
#[derive(Debug, Clone)]
pub(crate) struct Owner(pub(crate) String);

/// An error answer. Invalid input carries the CLI's diagnostics; internal
/// faults are logged and answered without detail.
#[derive(Debug)]
pub(crate) enum ApiError {
    Invalid(Error),
    NotFound(String),
    Conflict(String),
    Busy,
    /// This owner has too many unfinished jobs.
    Backlog(u32),
    Unauthorized,
    Forbidden(String),
    Internal(String),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, error, extra) = match self {
            ApiError::Invalid(e) => (StatusCode::UNPROCESSABLE_ENTITY, e.body(), None),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, ErrorBody::message(m), None),
            ApiError::Conflict(m) => (StatusCode::CONFLICT, ErrorBody::message(m), None),
            ApiError::Busy => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorBody::message(
                    "every render slot is busy; retry after the given delay",
                ),
                Some((header::RETRY_AFTER, HeaderValue::from_static("1"))),
            ),
            ApiError::Backlog(n) => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorBody::message(format!(
                    "this token has {n} unfinished playbooks, the most it may have; retry when some have finished"
                )),
                Some((header::RETRY_AFTER, HeaderValue::from_static("30"))),
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                ErrorBody::message("missing or invalid bearer token"),
                Some((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"))),
            ),
            ApiError::Forbidden(m) => {
                (StatusCode::FORBIDDEN, ErrorBody::message(m), None)
            }
            ApiError::Internal(m) => {
                tracing::error!(error = %m, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    ErrorBody::message("internal error"),
                    None,
                )
            }
        };
        let mut r = (status, axum::Json(ErrorAnswer { error })).into_response();
        if let Some((name, value)) = extra {
            r.headers_mut().insert(name, value);
        }
        r
    }
}

impl From<super::error::ServiceError> for ApiError {
    fn from(e: super::error::ServiceError) -> Self {
        ApiError::Internal(e.to_string())
    }
}

/// The router: `/v1/*` behind bearer authentication, probes, metrics and
/// the OpenAPI document open.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let api = Router::new()
        .route("/v1/playbooks", post(submit))
        .route("/v1/playbooks/{id}", get(status).delete(remove))
        .route("/v1/playbooks/{id}/pdf", get(pdf))
        .route("/v1/playbooks/{id}/pages/{file}", get(page))
        .route("/v1/render", post(render_sync))
        .route("/v1/analyze", post(analyze))
        .route_layer(middleware::from_fn_with_state(state.clone(), auth));
    Router::new()
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/openapi.json", get(openapi))
        .merge(api)
        // The tower-http layer enforces the limit (413), so axum's own
        // default (2 MB) is lifted rather than applied twice.
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(state.body_limit))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.request_timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// Health, readiness and metrics only: what a `worker` process serves.
pub(crate) fn probes(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { axum::Json(json!({"status": "ok"})) }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::SERVICE_UNAVAILABLE,
            state.request_timeout,
        ))
        .with_state(state)
}

/// Compares without an early exit, so response times do not reveal how
/// much of a token matched.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn auth(
    State(state): State<Arc<AppState>>,
    mut request: Request,
    next: Next,
) -> Result<Response, ApiError> {
    if state.tokens.is_empty() {
        // No tokens: the API trusts whoever can reach the loopback
        // address, which includes web pages in the user's browser. A
        // rebound DNS name arrives with a foreign Host, a cross-site form
        // or fetch with a foreign Origin: both are refused.
        loopback_only(request.headers())?;
        request.extensions_mut().insert(Owner(LOCAL_OWNER.into()));
        return Ok(next.run(request).await);
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or_default();
    // Every token is compared, so the time taken does not say which one
    // (or how much of one) matched.
    let owner = state.tokens.iter().fold(None, |found, c| {
        let hit = !given.is_empty() && same(c.token.as_bytes(), given.as_bytes());
        if hit { Some(c.owner.clone()) } else { found }
    });
    match owner {
        Some(owner) => {
            request.extensions_mut().insert(Owner(owner));
            Ok(next.run(request).await)
        }
        None => Err(ApiError::Unauthorized),
    }
}

/// Whether `authority` (`host[:port]`, or a URL's) names this machine.
fn is_loopback_authority(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    let host = host.to_ascii_lowercase();
    host == "localhost"
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses requests whose `Host` or `Origin` is not this machine (403).
fn loopback_only(headers: &HeaderMap) -> Result<(), ApiError> {
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    if !host.is_some_and(is_loopback_authority) {
        return Err(ApiError::Forbidden(
            "without API tokens only requests to localhost are served (Host header)"
                .into(),
        ));
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        let authority = origin
            .strip_prefix("http://")
            .or_else(|| origin.strip_prefix("https://"))
            .unwrap_or("");
        if !is_loopback_authority(authority) {
            return Err(ApiError::Forbidden(
                "without API tokens only pages served from localhost may call the API (Origin header)"
                    .into(),
            ));
        }
    }
    Ok(())
}

fn invalid(path: &str, message: impl Into<String>) -> ApiError {
    ApiError::Invalid(Error::invalid(
        Stage::Input,
        "invalid request",
        vec![Diagnostic::new(message).at(path)],
    ))
}

/// Reads and checks an order from a request body: inline documents only.
/// Blocking (JSON of up to the body limit, pack lookups).
fn read_order(engine: &Engine, body: &[u8], today: time::Date) -> Result<Order, Error> {
    let text = std::str::from_utf8(body).map_err(|_| {
        Error::invalid(
            Stage::Input,
            "invalid order",
            vec![Diagnostic::new("expected a UTF-8 JSON document")],
        )
    })?;
    let order = model::read_json(text, None, &read_options(engine, today))?;
    // Unknown companies, roles and levels answer 422 now rather than
    // failing the job later.
    engine.validate(&order)?;
    Ok(order)
}

/// How the service reads orders: inline documents only, `today` for
/// orders that give no `target.today`, and the packs' roles checked with
/// the other fields.
pub(crate) fn read_options(engine: &Engine, today: time::Date) -> ReadOptions {
    ReadOptions {
        today: Some(today),
        roles: Some(engine.packs.roles.keys().cloned().collect()),
        ..ReadOptions::default()
    }
}

/// A permit to read and check one order; 429 at once when all are taken,
/// so a flood of large bodies queues no work behind the slots.
fn parse_slot(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    state.parse_slots.clone().try_acquire_owned().map_err(|_| {
        state.metrics.rejected();
        ApiError::Busy
    })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| ApiError::Internal(e.to_string()))
}

/// Today's date in UTC: the default `target.today` of orders that give
/// none. Stored with the job, so retries render the same bytes.
fn today_utc() -> time::Date {
    time::OffsetDateTime::now_utc().date()
}

fn job_id() -> String {
    hex::encode(rand::random::<[u8; 16]>())
}

async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(Owner(owner)): Extension<Owner>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => match v.to_str() {
            Ok(k) if !k.is_empty() && k.len() <= 255 => Some(k.to_string()),
            _ => {
                return Err(invalid(
                    "Idempotency-Key",
                    "expected 1-255 visible ASCII characters",
                ));
            }
        },
    };
    let webhook_url = match headers.get("prepbook-webhook-url") {
        Some(v) => Some(
            v.to_str()
                .map_err(|_| invalid("Prepbook-Webhook-Url", "expected an http:// URL"))?
                .to_string(),
        ),
        None => state.webhook.default_url.clone(),
    };
    if let Some(url) = &webhook_url {
        if state.webhook.secret.is_none() {
            return Err(invalid(
                "Prepbook-Webhook-Url",
                "webhooks are not configured on this service (no signing secret)",
            ));
        }
        state.webhook.check(url).map_err(|m| invalid("Prepbook-Webhook-Url", m))?;
    }
    let pending = state.queue.pending(&owner).await?;
    if pending >= state.max_pending_per_owner {
        state.metrics.rejected();
        return Err(ApiError::Backlog(pending));
    }
    let permit = parse_slot(&state)?;
    let engine = state.engine.clone();
    let raw = body.clone();
    let order = blocking(move || {
        let _permit = permit;
        read_order(&engine, &raw, today_utc())
    })
    .await?
    .map_err(ApiError::Invalid)?;
    let text = String::from_utf8_lossy(&body).into_owned();
    let job = NewJob {
        id: job_id(),
        order_id: order.order_id.clone(),
        body_hash: blake3::hash(&body).to_hex().to_string(),
        body: text,
        today: order.target.today.to_string(),
        idempotency_key: key.map(|k| format!("{owner}/{k}")),
        max_attempts: state.max_attempts,
        webhook_url,
        owner,
    };
    let (record, replayed) = match state.queue.submit(job).await? {
        Submitted::Created(r) => (r, false),
        Submitted::Existing(r) => (r, true),
        Submitted::Conflict => {
            return Err(ApiError::Conflict(
                "this Idempotency-Key was used with a different body".into(),
            ));
        }
    };
    let mut response = (
        StatusCode::ACCEPTED,
        axum::Json(Accepted {
            id: record.id.clone(),
            order_id: record.order_id.clone(),
            status: record.state,
        }),
    )
        .into_response();
    let location = format!("/v1/playbooks/{}", record.id);
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if replayed {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

/// The job `id` if `owner` submitted it. Another owner's job answers
/// exactly as a job that does not exist, so ids cannot be probed.
async fn find(state: &AppState, owner: &str, id: &str) -> Result<JobRecord, ApiError> {
    // Ids are 32 hex characters; anything else cannot exist.
    if id.is_empty()
        || id.len() > 64
        || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(ApiError::NotFound(format!("no playbook {id:?}")));
    }
    state
        .queue
        .get(id)
        .await?
        .filter(|r| r.owner == owner)
        .ok_or_else(|| ApiError::NotFound(format!("no playbook {id:?}")))
}

async fn status(
    State(state): State<Arc<AppState>>,
    Extension(Owner(owner)): Extension<Owner>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = find(&state, &owner, &id).await?;
    Ok(axum::Json(JobStatus::of(&r)).into_response())
}

/// `DELETE /v1/playbooks/{id}`: the job, its order document (the resume)
/// and its PDF and previews are removed at once (204). A worker still
/// rendering it finds its claim gone and removes what it wrote.
async fn remove(
    State(state): State<Arc<AppState>>,
    Extension(Owner(owner)): Extension<Owner>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = find(&state, &owner, &id).await?;
    let storage = state.storage.clone();
    let (order_id, job_id) = (r.order_id.clone(), r.id.clone());
    blocking(move || storage.remove_job(&order_id, &job_id)).await??;
    state.queue.delete(&r.id).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

fn not_ready(r: &JobRecord) -> ApiError {
    ApiError::NotFound(format!("the playbook is not ready (status {})", r.state.as_str()))
}

fn matches_etag(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
}

async fn pdf(
    State(state): State<Arc<AppState>>,
    Extension(Owner(owner)): Extension<Owner>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let r = find(&state, &owner, &id).await?;
    let (JobState::Succeeded, Some(key), Some(tag)) = (r.state, &r.storage_key, &r.etag)
    else {
        return Err(not_ready(&r));
    };
    let etag = format!("\"{tag}\"");
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let storage = state.storage.clone();
    let key = key.clone();
    let bytes = blocking(move || storage.get(&key)).await??.ok_or_else(|| {
        ApiError::Internal(format!("job {} succeeded but its pdf is missing", r.id))
    })?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".into()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{}.pdf\"", r.order_id),
            ),
        ],
        Body::from(bytes),
    )
        .into_response())
}

/// The page-preview scales the API renders (pixels per point).
const PREVIEW_SCALES: [f32; 8] = [0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0];

#[derive(serde::Deserialize)]
pub(crate) struct PageQuery {
    scale: Option<f32>,
}

async fn page(
    State(state): State<Arc<AppState>>,
    Extension(Owner(owner)): Extension<Owner>,
    Path((id, file)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let n: usize = file
        .strip_suffix(".png")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| ApiError::NotFound(format!("no page {file:?}; expected N.png")))?;
    let scale = q.scale.unwrap_or(1.0);
    // A fixed set: each scale is rendered once and kept, so free values
    // would let one client fill the store (and the render slots) with
    // near-identical PNGs.
    if !PREVIEW_SCALES.contains(&scale) {
        return Err(invalid(
            "scale",
            format!("expected one of 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4; found {scale}"),
        ));
    }
    let r = find(&state, &owner, &id).await?;
    if r.state != JobState::Succeeded {
        return Err(not_ready(&r));
    }
    let pages = usize::try_from(r.pages.unwrap_or(0)).unwrap_or(0);
    if n == 0 || n > pages {
        return Err(invalid(
            "page",
            format!("page {n} does not exist; the playbook has {pages} pages"),
        ));
    }
    let key = Storage::png_key(&r.order_id, &r.id, n, scale);
    // A page never changes once rendered, so its key is its tag.
    let etag = format!("\"{}-{n}-{scale}\"", r.etag.clone().unwrap_or_default());
    if matches_etag(&headers, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let storage = state.storage.clone();
    let cached = {
        let key = key.clone();
        blocking(move || storage.get(&key)).await??
    };
    let png = match cached {
        Some(png) => png,
        None => {
            let permit =
                state.render_slots.clone().try_acquire_owned().map_err(|_| {
                    state.metrics.rejected();
                    ApiError::Busy
                })?;
            let engine = state.engine.clone();
            let storage = state.storage.clone();
            let body =
                state.queue.order_body(&r.id).await?.ok_or_else(|| {
                    ApiError::NotFound(format!("no playbook {:?}", r.id))
                })?;
            let today = r.today.clone();
            blocking(move || {
                let _permit = permit;
                let today = crate::model::parse_ymd(&today).map_err(|m| {
                    Error::invalid(Stage::Input, "invalid job", vec![Diagnostic::new(m)])
                })?;
                let order = model::read_json(&body, None, &read_options(&engine, today))?;
                let preview = engine.preview(&order, n, scale)?;
                // A failed cache write only costs a re-render next time.
                if let Err(e) = storage.put(&key, &preview.png) {
                    tracing::warn!(error = %e, "cannot cache a page preview");
                }
                Ok::<_, Error>(preview.png)
            })
            .await?
            .map_err(|e| {
                if e.is_invalid_input() {
                    ApiError::Invalid(e)
                } else {
                    ApiError::Internal(e.to_string())
                }
            })?
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, "image/png".to_string()),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, "private, max-age=31536000, immutable".into()),
        ],
        Body::from(png),
    )
        .into_response())
}

async fn render_sync(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    // The slot is taken before the body is read: with every slot busy the
    // answer is an immediate 429, not one after seconds of parsing.
    let permit = state.render_slots.clone().try_acquire_owned().map_err(|_| {
        state.metrics.rejected();
        ApiError::Busy
    })?;
    let parse = parse_slot(&state)?;
    let engine = state.engine.clone();
    let order = blocking(move || {
        let _parse = parse;
        read_order(&engine, &body, today_utc())
    })
    .await?
    .map_err(ApiError::Invalid)?;
    let engine = state.engine.clone();
    let order_id = order.order_id.clone();
    let (result, seconds) = blocking(move || {
        let _permit = permit;
        let t = std::time::Instant::now();
        let result = engine.render(&order, &RenderOptions::default());
        (result, t.elapsed().as_secs_f64())
    })
    .await?;
    let out = match result {
        Ok(out) => out,
        Err(e) if e.is_invalid_input() => return Err(ApiError::Invalid(e)),
        Err(e) => return Err(ApiError::Internal(e.to_string())),
    };
    state.metrics.observe_render(RenderKind::Sync, seconds);
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("inline; filename=\"{order_id}.pdf\"")),
            (HeaderName::from_static("prepbook-order-id"), order_id),
            (HeaderName::from_static("prepbook-pages"), out.pages.to_string()),
            (
                HeaderName::from_static("prepbook-fit-score"),
                out.analysis.fit.score.to_string(),
            ),
        ],
        Body::from(out.pdf),
    )
        .into_response())
}

/// `POST /v1/analyze`: the analysis alone, as `prepbook analyze --json`
/// prints it. Milliseconds of work, so no render slot is taken.
async fn analyze(
    State(state): State<Arc<AppState>>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let permit = parse_slot(&state)?;
    let engine = state.engine.clone();
    let analysis = blocking(move || {
        let _permit = permit;
        let order = read_order(&engine, &body, today_utc())?;
        engine.validate(&order)
    })
    .await?
    .map_err(ApiError::Invalid)?;
    Ok(axum::Json(analysis).into_response())
}

async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    match state.queue.ping().await {
        Ok(()) => axum::Json(json!({"status": "ready", "queue": state.queue.kind()}))
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(json!({"status": "unavailable", "queue": state.queue.kind()})),
            )
                .into_response()
        }
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let stats = match state.queue.stats().await {
        Ok(s) => Some(s),
        Err(e) => {
            tracing::warn!(error = %e, "queue stats unavailable");
            None
        }
    };
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(stats.as_ref()),
    )
        .into_response()
}

async fn openapi() -> Response {
    axum::Json(super::openapi::document()).into_response()
}
