//! Request bodies that carry a resume file: `multipart/form-data` with an
//! `order` part (the order document) and a `resume` part (the file as the
//! candidate has it), and `POST /v1/import`, which reads a file into JSON
//! Resume for the candidate to confirm before buying.
//!
//! A multipart order is rewritten into the inline form the order document
//! already has (`"resume": {"file": {"media_type", "data"}}`), so every
//! route reads one format and the order stamp covers the file's bytes.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::header;
use base64::Engine as _;

use super::api::{ApiError, invalid};

/// An order document, from a JSON body or a multipart form.
pub(crate) struct OrderBody(pub(crate) Bytes);

fn is_multipart(req: &Request) -> bool {
    req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(
        |v| v.trim_start().to_ascii_lowercase().starts_with("multipart/form-data"),
    )
}

/// A body that could not be read: 413 past the body limit, else 422.
fn body_error(e: axum::extract::rejection::BytesRejection) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::TooLarge(e.body_text())
    } else {
        invalid("body", format!("cannot read the body ({})", e.body_text()))
    }
}

/// The parts of a form: `(name, content type, bytes)`.
async fn parts(req: Request) -> Result<Vec<(String, Option<String>, Bytes)>, ApiError> {
    let mut form = Multipart::from_request(req, &())
        .await
        .map_err(|e| invalid("body", format!("expected a multipart form ({e})")))?;
    let mut out = Vec::new();
    while let Some(field) = form.next_field().await.map_err(|e| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::TooLarge(e.body_text())
        } else {
            invalid(
                "body",
                format!("the multipart form is malformed ({})", e.body_text()),
            )
        }
    })? {
        let name = field.name().unwrap_or_default().to_string();
        let media = field.content_type().map(str::to_string);
        let bytes = field
            .bytes()
            .await
            .map_err(|e| invalid(&name, format!("cannot read this part ({e})")))?;
        if out.iter().any(|(n, _, _)| *n == name) {
            return Err(invalid(&name, "this part appears twice"));
        }
        out.push((name, media, bytes));
    }
    Ok(out)
}

impl<S: Send + Sync> FromRequest<S> for OrderBody {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_multipart(&req) {
            let body = Bytes::from_request(req, state).await.map_err(body_error)?;
            return Ok(Self(body));
        }
        let mut order = None;
        let mut resume = None;
        for (name, media, bytes) in parts(req).await? {
            match name.as_str() {
                "order" => order = Some(bytes),
                "resume" => resume = Some((media, bytes)),
                other => {
                    return Err(invalid(
                        other,
                        "unknown part; a form has `order` (the order document) and `resume` (the file)",
                    ));
                }
            }
        }
        let order =
            order.ok_or_else(|| invalid("order", "the form has no `order` part"))?;
        let mut doc: serde_json::Value = serde_json::from_slice(&order).map_err(|e| {
            invalid("order", format!("expected the order document as JSON ({e})"))
        })?;
        let Some(map) = doc.as_object_mut() else {
            return Err(invalid("order", "expected a JSON object"));
        };
        if let Some((media, bytes)) = resume {
            if map.contains_key("resume") {
                return Err(invalid(
                    "resume",
                    "the resume is both in the order document and a part of its own; send one",
                ));
            }
            let mut file = serde_json::Map::new();
            if let Some(m) = media {
                file.insert("media_type".into(), m.into());
            }
            file.insert(
                "data".into(),
                base64::engine::general_purpose::STANDARD.encode(&bytes).into(),
            );
            map.insert("resume".into(), serde_json::json!({ "file": file }));
        }
        let text = serde_json::to_vec(&doc)
            .map_err(|e| ApiError::Internal(format!("cannot write the order ({e})")))?;
        Ok(Self(Bytes::from(text)))
    }
}

/// A resume file, as the raw body or a form's `resume` part.
pub(crate) struct ResumeFile(pub(crate) Bytes);

impl<S: Send + Sync> FromRequest<S> for ResumeFile {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_multipart(&req) {
            let body = Bytes::from_request(req, state).await.map_err(body_error)?;
            return Ok(Self(body));
        }
        parts(req)
            .await?
            .into_iter()
            .find(|(n, _, _)| n == "resume")
            .map(|(_, _, b)| Self(b))
            .ok_or_else(|| invalid("resume", "the form has no `resume` part"))
    }
}

/// `POST /v1/import`: the file read into JSON Resume, with the import's
/// report under `meta.prepbook.import` (what was recognised, how sure,
/// what was left over) for the candidate to confirm. A JSON Resume file is
/// returned as it is, after the same checks an order makes.
pub(crate) fn import(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    if bytes.is_empty() {
        return Err(invalid("resume", "the file is empty"));
    }
    if crate::import::is_json(bytes) {
        let resume: serde_json::Value = serde_json::from_slice(bytes).map_err(|e| {
            invalid("resume", format!("the JSON Resume does not parse ({e})"))
        })?;
        return Ok(serde_json::json!({ "kind": "json", "resume": resume }));
    }
    let imported = crate::import::import(bytes, &crate::ImportLimits::default())
        .map_err(|e| invalid("resume", e.to_string()))?;
    Ok(serde_json::json!({ "kind": imported.kind.name(), "resume": imported.resume }))
}
