//! An [`Error`] as the reply a caller gets: the one JSON error object.
//!
//! Every failure of every stage ends here: a server error gets its
//! `error_id` and its crash report, and outside `--debug` the caller is
//! told only what the status means (the cause stays in the report);
//! secrets the text may quote (a failed connection string, the caller's
//! token) are hidden; the service's
//! decorator, if any, rewrites the object (a panicking decorator leaves it
//! as it was). Without a decorator the object is written straight to bytes
//! from the error, with no `Value` built.

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use actix_http::body::BoxBody;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

use super::response::{json_bytes, JSON};
use crate::error::{Error, ErrorObject};
use crate::request::id::RequestId;
use crate::request::Current;
use crate::secrets::redact;
use crate::service::Service;

/// The error reply, with `extra` headers (`Allow` of a 405).
pub(super) fn error_reply(
    service: &Service,
    current: &Arc<Current>,
    error: Error,
    extra: &[(String, String)],
    span: Option<&tracing::Span>,
) -> HttpResponse {
    let secrets = current.secrets();
    let error_id = error.is_server_error().then(crate::error::id::error_id);
    if let Some(error_id) = &error_id {
        crate::reports::fatal(current, &error, error_id);
    }
    let mut object = ErrorObject::of(&error);
    if error_id.is_some() && !service.options.debug {
        // What failed inside stays in the crash report.
        object.error_description = Cow::Borrowed(generic_description(error.status));
    }
    if !secrets.is_empty() {
        object = object.map_text(|text| redact(text, &secrets));
    }
    object.error_id = error_id.as_deref().map(Into::into);
    if error_id.is_some() {
        // Next to the error id: the trace to look at.
        object.trace_id = current.trace_id.as_deref().map(Into::into);
    }
    if let Some(span) = span {
        crate::telemetry::spans::record_error(span, &error.code, error_id.as_deref());
    }
    let bytes = error_bytes(service, object, &current.request_id);
    let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut reply = HttpResponse::with_body(status, BoxBody::new(bytes));
    let headers = reply.headers_mut();
    for (name, value) in extra {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str())) {
            headers.insert(name, value);
        }
    }
    headers.insert(header::CONTENT_TYPE, JSON);
    // An error is about one request, at one moment: never kept by a cache.
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    reply
}

/// What a caller is told of a server error outside `--debug`: the status's
/// meaning, nothing of its cause (a panic's message, a path, a query, a
/// host), which the crash report under the reply's `error_id` keeps.
pub(crate) fn generic_description(status: u16) -> &'static str {
    match status {
        502 => "a service this one depends on failed; the error_id names the report of what happened",
        503 => "the service cannot answer now: retry later; the error_id names the report of what happened",
        504 => "a service this one depends on did not answer in time; the error_id names the report of what happened",
        _ => "the service failed to handle the request; the error_id names the report of what happened",
    }
}

/// The error object as the bytes of a reply, rewritten by the service's
/// decorator if it has one (a panicking decorator leaves it as it was).
/// Without a decorator the object is written straight to bytes, with no
/// `Value` built.
pub(super) fn error_bytes(service: &Service, object: ErrorObject<'_>, request_id: &RequestId) -> Vec<u8> {
    match &service.decorator {
        None => serde_json::to_vec(&object).unwrap_or_default(),
        Some(decorate) => {
            let body = serde_json::to_value(&object).unwrap_or_default();
            let original = body.clone();
            let body = std::panic::catch_unwind(AssertUnwindSafe(|| decorate(body))).unwrap_or_else(|_| {
                tracing::error!(request_id = %request_id, "the error decorator panicked");
                original
            });
            json_bytes(&body)
        }
    }
}
