//! The API's bodies as types, and the OpenAPI document built from them:
//! the paths are written by hand (`openapi.json` beside this file, without
//! schemas), the schemas of every body are generated from these types and
//! from the order document's type, so the document cannot drift from what
//! the handlers send and accept.

use std::sync::LazyLock;

use schemars::JsonSchema;
use serde::Serialize;

use super::queue::{JobRecord, JobState};
use crate::error::ErrorBody;

/// The hand-written part: info, paths, parameters, responses.
const PATHS: &str = include_str!("openapi.json");

/// `202` to a submission.
#[derive(Debug, Serialize, JsonSchema)]
pub(crate) struct Accepted {
    /// The job id.
    pub(crate) id: String,
    /// The order's id.
    pub(crate) order_id: String,
    /// `queued` for a new job; the job's state for a replay.
    pub(crate) status: JobState,
}

/// A job's status (`GET /v1/playbooks/{id}`).
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Job")]
pub(crate) struct JobStatus {
    id: String,
    order_id: String,
    status: JobState,
    /// Attempts so far.
    attempts: u32,
    max_attempts: u32,
    /// Pages of the finished playbook.
    pages: Option<i64>,
    /// Bytes of the finished PDF.
    bytes: Option<i64>,
    fit_score: Option<i64>,
    /// The last error: diagnostics for invalid input; for internal
    /// failures only kind, stage and the attempt in the message.
    #[schemars(with = "Option<ErrorBody>")]
    error: Option<serde_json::Value>,
    /// analysis, content, layout, pdf, render, store, queued, claim,
    /// claim_to_render (ms) and the worker's name.
    timings_ms: Option<serde_json::Map<String, serde_json::Value>>,
    webhook_url: Option<String>,
    /// RFC 3339.
    #[schemars(extend("format" = "date-time"))]
    created_at: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    started_at: Option<String>,
    #[schemars(extend("format" = "date-time"))]
    finished_at: Option<String>,
    links: Links,
}

/// Where to go next.
#[derive(Debug, Serialize, JsonSchema)]
struct Links {
    #[serde(rename = "self")]
    this: String,
    /// The PDF, once succeeded.
    pdf: Option<String>,
}

/// Every error answer: `{"error": …}`.
#[derive(Debug, Serialize, JsonSchema)]
#[schemars(rename = "Error")]
pub(crate) struct ErrorAnswer {
    pub(crate) error: ErrorBody,
}

fn rfc3339(ms: i64) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()?;
    t.format(&time::format_description::well_known::Rfc3339).ok()
}

impl JobStatus {
    pub(crate) fn of(r: &JobRecord) -> Self {
        Self {
            id: r.id.clone(),
            order_id: r.order_id.clone(),
            status: r.state,
            attempts: r.attempts,
            max_attempts: r.max_attempts,
            pages: r.pages,
            bytes: r.bytes,
            fit_score: r.fit_score,
            error: r.error.clone(),
            timings_ms: r.timings.as_ref().and_then(|t| t.as_object().cloned()),
            webhook_url: r.webhook_url.clone(),
            created_at: rfc3339(r.created_at),
            started_at: r.started_at.and_then(rfc3339),
            finished_at: r.finished_at.and_then(rfc3339),
            links: Links {
                this: format!("/v1/playbooks/{}", r.id),
                pdf: (r.state == JobState::Succeeded)
                    .then(|| format!("/v1/playbooks/{}/pdf", r.id)),
            },
        }
    }
}

/// The whole OpenAPI document, built once.
pub(crate) fn document() -> &'static serde_json::Value {
    static DOC: LazyLock<serde_json::Value> = LazyLock::new(|| {
        let mut doc: serde_json::Value =
            serde_json::from_str(PATHS).expect("openapi.json is valid JSON");
        let schemas = crate::schemas::components(|g| {
            g.subschema_for::<crate::model::order::RawOrder<'_>>();
            g.subschema_for::<Accepted>();
            g.subschema_for::<JobStatus>();
            g.subschema_for::<ErrorAnswer>();
            g.subschema_for::<crate::Analysis>();
        });
        doc["components"]["schemas"] = serde_json::Value::Object(schemas);
        doc
    });
    &DOC
}
