//! The spans Macaron makes, and the W3C trace context they carry across
//! processes: read from a request's `traceparent`/`tracestate`, written
//! on outgoing calls, kept in a task's envelope.
//!
//! Attributes follow OpenTelemetry's HTTP semantic conventions: the route
//! is the path template (`/v1/pets/{pet_id}`), never the raw path, and no
//! header, query or body reaches a span.

#[cfg(feature = "otel")]
use std::collections::HashMap;

use actix_web::http::header::HeaderMap;
#[cfg(feature = "otel")]
use opentelemetry::propagation::{Extractor, Injector};
#[cfg(feature = "otel")]
use opentelemetry::trace::TraceContextExt;
use tracing::field::Empty;
#[cfg(feature = "otel")]
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The target of Macaron's own spans (the text logs leave them out).
pub(crate) const TARGET: &str = "macaron::otel";

#[cfg(feature = "otel")]
struct Incoming<'a>(&'a HeaderMap);

#[cfg(feature = "otel")]
impl Extractor for Incoming<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

#[cfg(feature = "otel")]
struct Outgoing<'a>(&'a mut Vec<(String, String)>);

#[cfg(feature = "otel")]
impl Injector for Outgoing<'_> {
    fn set(&mut self, key: &str, value: String) {
        self.0.push((key.to_string(), value));
    }
}

#[cfg(feature = "otel")]
struct Stored<'a>(&'a HashMap<&'static str, &'a str>);

#[cfg(feature = "otel")]
impl Extractor for Stored<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).copied()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().copied().collect()
    }
}

/// The server span of a request, a child of the caller's `traceparent`
/// (a new trace without one). Named and completed by [`finish_request`].
pub(crate) fn request(method: &str, headers: &HeaderMap) -> tracing::Span {
    let span = tracing::info_span!(
        target: TARGET,
        "request",
        otel.name = method,
        otel.kind = "server",
        otel.status_code = Empty,
        http.request.method = method,
        http.route = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
        macaron.operation_id = Empty,
        macaron.request_id = Empty,
        macaron.error_id = Empty,
        enduser.id = Empty,
    );
    #[cfg(feature = "otel")]
    {
        let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Incoming(headers)));
        let _ = span.set_parent(parent);
    }
    #[cfg(not(feature = "otel"))]
    let _ = headers;
    span
}

/// What a request span learns once it is routed.
pub(crate) fn name_request(span: &tracing::Span, name: &str, route: Option<&str>, operation_id: Option<&str>) {
    // The OpenTelemetry span is started already (its trace id was read): renamed there.
    #[cfg(feature = "otel")]
    span.context().span().update_name(name.to_string());
    #[cfg(not(feature = "otel"))]
    let _ = name;
    if let Some(route) = route {
        span.record("http.route", route);
    }
    if let Some(id) = operation_id {
        span.record("macaron.operation_id", id);
    }
}

/// What a request span learns from the reply.
pub(crate) fn finish_request(span: &tracing::Span, status: u16, request_id: &str, user: Option<&str>) {
    span.record("http.response.status_code", status);
    span.record("macaron.request_id", request_id);
    if let Some(user) = user {
        span.record("enduser.id", user);
    }
    if status >= 500 {
        span.record("otel.status_code", "error");
    }
}

/// Records an error reply's code (`error.type`) and, for a server error,
/// its `error_id`, on the current request span.
pub(crate) fn record_error(span: &tracing::Span, code: &str, error_id: Option<&str>) {
    span.record("error.type", code);
    if let Some(id) = error_id {
        span.record("macaron.error_id", id);
    }
}

/// The trace id of `span` (32 hex digits), when it has a valid context.
#[cfg(not(feature = "otel"))]
pub(crate) fn trace_id(_span: &tracing::Span) -> Option<String> {
    None
}

/// The trace id of `span` (32 hex digits), when it has a valid context.
#[cfg(feature = "otel")]
pub(crate) fn trace_id(span: &tracing::Span) -> Option<String> {
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context.is_valid().then(|| span_context.trace_id().to_string())
}

/// The W3C headers (`traceparent`, and `tracestate` when not empty) of
/// `span`'s context, for an outgoing call or a task's envelope.
#[cfg(not(feature = "otel"))]
pub(crate) fn headers_of(_span: &tracing::Span) -> Vec<(String, String)> {
    Vec::new()
}

/// The W3C headers of `span`'s context (see above).
#[cfg(feature = "otel")]
pub(crate) fn headers_of(span: &tracing::Span) -> Vec<(String, String)> {
    let context = span.context();
    let mut out = Vec::new();
    if context.span().span_context().is_valid() {
        opentelemetry::global::get_text_map_propagator(|p| p.inject_context(&context, &mut Outgoing(&mut out)));
    }
    out
}

/// The span of an outgoing call, a child of the current span.
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn call(method: &str, host: &str, port: Option<u16>) -> tracing::Span {
    tracing::info_span!(
        target: TARGET,
        "call",
        otel.name = method,
        otel.kind = "client",
        otel.status_code = Empty,
        http.request.method = method,
        server.address = host,
        server.port = port,
        http.response.status_code = Empty,
        error.type = Empty,
    )
}

/// What a call span learns from the reply (or the failure).
#[cfg_attr(not(feature = "client"), allow(dead_code))]
pub(crate) fn finish_call(span: &tracing::Span, status: Option<u16>, error: Option<&str>) {
    if let Some(status) = status {
        span.record("http.response.status_code", status);
    }
    if let Some(error) = error {
        span.record("error.type", error);
        span.record("otel.status_code", "error");
    }
}

/// Sets the parent of a task's span from the context kept in its envelope.
#[cfg(not(feature = "otel"))]
pub(crate) fn continue_from(_span: &tracing::Span, _traceparent: &str, _tracestate: Option<&str>) {}

/// Sets the parent of a task's span (see above).
#[cfg(feature = "otel")]
pub(crate) fn continue_from(span: &tracing::Span, traceparent: &str, tracestate: Option<&str>) {
    let mut stored = HashMap::from([("traceparent", traceparent)]);
    if let Some(state) = tracestate {
        stored.insert("tracestate", state);
    }
    let parent = opentelemetry::global::get_text_map_propagator(|p| p.extract(&Stored(&stored)));
    let _ = span.set_parent(parent);
}
