//! The request pipeline: from an actix request to a reply, errors included.
//!
//! Every request, whatever becomes of it, must leave with an `X-Request-Id`,
//! one log line, one count in the metrics and, if it failed, the one JSON
//! error object passed through the service's decorator (and, for a 5xx, an
//! `error_id` and a crash report). Spreading that over actix routes,
//! extractors and error handlers would leave some path (a 404, a panic, a
//! body over the limit) without it. So one function, [`dispatch`], the
//! service actix-http calls for every request, runs every stage in order:
//! request id, CORS, routing, size and media checks, parameter and body
//! validation, the handler (inside `catch_unwind` and the request's
//! task-local), reply validation; and every stage's failure goes through
//! `error_reply`. Each stage's own work is in its room (route, auth,
//! inputs, handler, reply, reports); this file is the order they run in.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use actix_http::body::BoxBody;
use actix_http::{Payload, Request};
use actix_service::Service as _;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::http::Uri;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use futures_util::FutureExt;
use macaron_spec::ParamLocation;

use super::body::{read_body, too_large};
use super::error_reply::error_reply;
use super::facts::{method_name, Facts};
use super::response::{gzip, http_response};
use super::ui::{is_ui_file, UiApp};
use crate::auth::{self, AuthMode};
use crate::builtins;
use crate::error::codes::{HeadTooLarge, MethodNotAllowed, NotFound, ServerError};
use crate::error::Error;
use crate::handler::{Context, Source};
use crate::inputs::{self, cookie_pairs, raw_query_pairs, RawInputs};
use crate::metrics::Label;
use crate::reply::check_reply;
use crate::request::id::REQUEST_ID;
use crate::request::record::{lock, scope};
use crate::request::{Current, Headers, Location, RequestId};
use crate::route::{Builtin, Match, Target};
use crate::service::Service;
use crate::telemetry::{self, spans};
use tracing::Instrument;

/// What a request is counted and logged as.
#[derive(Clone, Copy)]
enum Operation {
    Named(&'static str),
    Op(usize),
}

/// One request on its way through.
struct Pipeline {
    service: Arc<Service>,
    current: Arc<Current>,
    operation: Operation,
    origin: Option<HeaderValue>,
    gzip: bool,
    /// The request's `Content-Type`, as received.
    content_type: Option<HeaderValue>,
    /// The request's `Content-Length`, if it is a number.
    content_length: Option<usize>,
    /// True when the request has a `Transfer-Encoding`.
    chunked: bool,
    /// The request's server span, when traces are on.
    span: Option<tracing::Span>,
}

/// The HTTP service: serves every request.
///
/// Called by actix-http for each request, with no actix-web `App` in
/// between: no extractors to run, and the request's headers are moved into
/// the request's [`Current`] instead of copied. Swagger UI's files go to
/// the actix-web app that serves them, stamped with a request id.
pub(crate) async fn dispatch(
    mut req: Request,
    service: Arc<Service>,
    ui: UiApp,
) -> Result<actix_http::Response<BoxBody>, actix_web::Error> {
    if is_ui_file(req.method(), req.path()) {
        let id = RequestId::from_caller(req.head().headers.get(REQUEST_ID));
        let mut reply = ui.call(req).await?;
        reply.headers_mut().insert(REQUEST_ID, id.header());
        return Ok(reply);
    }
    let head = req.head_mut();
    let (headers, uri) = (std::mem::take(&mut head.headers), std::mem::take(&mut head.uri));
    let payload = req.take_payload();
    let (reply, mut current) = if telemetry::on() {
        // Traces are on: the request runs in its server span.
        let span = spans::request(req.method().as_str(), &headers);
        serve(&req, uri, payload, headers, service, Some(span.clone())).instrument(span).await
    } else {
        serve(&req, uri, payload, headers, service, None).await
    };
    // The header map goes back to the request, whose head actix keeps in a
    // pool: cleared there, its table is reused by a later request instead
    // of freed here and allocated again.
    if let Some(current) = Arc::get_mut(&mut current) {
        req.head_mut().headers = current.headers.take_map();
    }
    Ok(reply.into())
}

/// Serves a request whose headers and URI have been taken out of it.
async fn serve(
    req: &Request,
    uri: Uri,
    payload: Payload,
    headers: HeaderMap,
    service: Arc<Service>,
    span: Option<tracing::Span>,
) -> (HttpResponse, Arc<Current>) {
    service.metrics.in_flight.inc();
    let facts = Facts::of(&headers);
    let header_bytes = facts.header_bytes;
    let current = Arc::new(Current {
        request_id: RequestId::from_caller(facts.request_id.as_ref()),
        method: method_name(req.method()),
        location: Location::Uri(uri),
        headers: Headers::new(headers, facts.secrets),
        body: Mutex::new(Bytes::new()),
        caller_ip: req.peer_addr().map(|a| a.ip()),
        user_id: Mutex::new(None),
        user: Mutex::new(None),
        db: service.storage.as_ref().and_then(|s| s.db.get().cloned()),
        clock: Instant::now(),
        panic: Mutex::new(None),
        instance: service.instance.clone(),
        reports: service.reports.clone(),
        trace_id: span.as_ref().and_then(spans::trace_id),
        operation: OnceLock::new(),
    });
    let header = |name: &str| current.headers.get(name);
    let origin = facts.origin.filter(|o| {
        let origin = o.to_str().unwrap_or("");
        service.cors.iter().any(|c| c == "*" || c == origin)
    });
    let gzip = facts
        .accept_encoding
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().starts_with("gzip")));
    let mut pipeline = Pipeline {
        service: service.clone(),
        current: current.clone(),
        operation: Operation::Named(""),
        origin,
        gzip,
        content_type: facts.content_type,
        content_length: facts.content_length.and_then(|v| v.to_str().ok().and_then(|v| v.parse::<usize>().ok())),
        chunked: facts.transfer_encoding,
        span,
    };

    let method = req.method().as_str();
    if method == "OPTIONS" && pipeline.origin.is_some() && header("access-control-request-method").is_some() {
        let methods = service.router.methods(current.path());
        let mut reply = HttpResponse::NoContent();
        reply.insert_header(("Access-Control-Allow-Methods", methods.join(", ")));
        if let Some(asked) = header("access-control-request-headers") {
            reply.insert_header(("Access-Control-Allow-Headers", asked));
        }
        reply.insert_header(("Access-Control-Max-Age", "600"));
        pipeline.operation = Operation::Named("cors_preflight");
        return (pipeline.finish(reply.finish()), current);
    }

    let path = current.path();
    let head = path.len() + current.query().len() + 1 + header_bytes;
    let result = if head > service.limits.header_limit {
        pipeline.operation = Operation::Named("head_too_large");
        let limit = service.limits.header_limit;
        Err((
            HeadTooLarge::new(format!("the request head is {head} bytes, over the limit of {limit} bytes")),
            Vec::new(),
        ))
    } else {
        route(&mut pipeline, &service, &current, method, path, payload).await
    };
    if let Some(span) = &pipeline.span {
        pipeline.name_span(span, method, path);
    }
    let reply = match result {
        Ok(reply) => reply,
        Err((error, extra)) => error_reply(&service, &current, error, &extra, pipeline.span.as_ref()),
    };
    (pipeline.finish(reply), current)
}

/// The reply of the route the request matches: an operation, a built-in,
/// or the 404 and 405 of no route.
async fn route(
    pipeline: &mut Pipeline,
    service: &Arc<Service>,
    current: &Arc<Current>,
    method: &str,
    path: &str,
    payload: Payload,
) -> Result<HttpResponse, (Error, Vec<(String, String)>)> {
    match service.router.find(method, path) {
        Match::NotFound => {
            pipeline.operation = Operation::Named("not_found");
            Err((NotFound::new(format!("no route for {method} {path}")), Vec::new()))
        }
        Match::MethodNotAllowed(allowed) => {
            pipeline.operation = Operation::Named("method_not_allowed");
            let error = MethodNotAllowed::new(format!("{method} is not allowed on {path}"));
            Err((error, vec![("Allow".to_string(), allowed.join(", "))]))
        }
        Match::Route(Target::Builtin(Builtin::AuthVersion), _) => {
            pipeline.operation = Operation::Named(Builtin::AuthVersion.name());
            match auth::authenticate(service.jwt.as_ref(), current.headers.list(), AuthMode::Required) {
                Ok(user) => {
                    current.set_user(user);
                    http_response(builtins::serve(service, Builtin::AuthVersion).await).map_err(|e| (e, Vec::new()))
                }
                Err(e) => Err((e, Vec::new())),
            }
        }
        Match::Route(Target::Builtin(builtin), _) => {
            pipeline.operation = Operation::Named(builtin.name());
            http_response(builtins::serve(service, builtin).await).map_err(|e| (e, Vec::new()))
        }
        Match::Route(Target::Operation(index), captured) => {
            pipeline.operation = Operation::Op(index);
            pipeline.run(payload, index, &captured).await.map_err(|e| (e, Vec::new()))
        }
    }
}

impl Pipeline {
    async fn run(&self, payload: Payload, index: usize, captured: &[(String, String)]) -> Result<HttpResponse, Error> {
        let op = &self.service.ops[index];
        let _ = self.current.operation.set(op.routed.clone());
        let api = &self.service.apis[op.api];
        // Authentication first: without a valid token nothing else is checked.
        let user = match op.auth {
            AuthMode::Open => None,
            mode => auth::authenticate(self.service.jwt.as_ref(), self.current.headers.list(), mode)?,
        };
        self.current.set_user(user.clone());
        let limit = self.service.body_limit;
        let headers = self.current.headers.map();
        let declared = self.content_length;
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        let content_type = self.content_type.as_ref().and_then(|v| v.to_str().ok());
        let may_have_body = declared.is_some_and(|n| n > 0) || self.chunked;
        let media = inputs::media_type(op, content_type, may_have_body)?;
        let bytes = if may_have_body {
            read_body(payload, limit, declared, self.service.limits.body_timeout).await?
        } else {
            Bytes::new()
        };
        if !bytes.is_empty() {
            // Kept for a crash report (a cheap reference count; redacted only if a report is written).
            *lock(&self.current.body) = bytes.clone();
        }

        let mut ctx = Context {
            source: Some(Source { current: self.current.clone(), operation: op.id.clone() }),
            user,
            db: self.current.db.clone(),
            ..Context::default()
        };
        if !op.spec.parameters.is_empty() {
            let query = raw_query_pairs(self.current.query());
            let wants = |location| op.spec.parameters.iter().any(|p| p.location == location);
            let no_headers = Vec::new();
            let headers = if wants(ParamLocation::Header) || wants(ParamLocation::Cookie) {
                self.current.headers.list().as_slice()
            } else {
                no_headers.as_slice()
            };
            let cookies = cookie_pairs(headers);
            let raw = RawInputs { path: captured, query: &query, headers, cookies: &cookies };
            inputs::parameters(api, op, &raw, &mut ctx)?;
        }
        let media = if bytes.is_empty() { None } else { media };
        inputs::body(api, op, media, content_type, headers, bytes, &mut ctx).await?;

        if let Some(guard) = &op.guard {
            guard(&ctx)?;
        }
        // The handler borrows the context (its extractors read it): nothing
        // as big as a context is moved into the futures below.
        let (handler, ctx) = (&op.handler, &ctx);
        let outcome =
            scope(self.current.clone(), AssertUnwindSafe(async move { handler(ctx).await }).catch_unwind()).await;
        let response = match outcome {
            Ok(result) => result?,
            Err(_) => {
                let note = self.current.panic();
                let message = note.as_ref().map_or("unknown panic".to_string(), |n| n.message.clone());
                let mut error = ServerError::new(format!("the handler of {} panicked: {message}", op.spec.id));
                error.set_backtrace(note.map(|n| n.backtrace));
                return Err(error);
            }
        };
        if self.service.validate_responses {
            check_reply(&op.spec, &op.responses, &api.validators, &response)?;
        }
        http_response(response)
    }

    /// Stamps the request id and CORS headers, logs, counts.
    fn finish(self, reply: HttpResponse) -> HttpResponse {
        let mut reply = if self.gzip { gzip(reply) } else { reply };
        let headers = reply.headers_mut();
        headers.insert(REQUEST_ID, self.current.request_id.header());
        // No reply is to be read as another media type than it says.
        headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
        if let Some(origin) = self.origin.clone() {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            headers.append(header::VARY, HeaderValue::from_static("Origin"));
        }
        let status = reply.status().as_u16();
        let elapsed = self.current.clock.elapsed();
        let label = match self.operation {
            Operation::Named(name) => Label::Other(name),
            Operation::Op(index) => Label::Operation(index, &self.service.ops[index].spec.id),
        };
        self.service.metrics.observe(label, status, elapsed.as_secs_f64());
        self.service.metrics.in_flight.dec();
        let operation = label.name();
        let ms = elapsed.as_secs_f64() * 1000.0;
        if let Some(span) = &self.span {
            let user = lock(&self.current.user_id).clone();
            spans::finish_request(span, status, &self.current.request_id.to_string(), user.as_deref());
        }
        // One line per request; `trace_id` only when traces are on.
        tracing::info!(
            request_id = %self.current.request_id,
            trace_id = self.current.trace_id.as_deref(),
            operation = %operation,
            status,
            duration_ms = ms,
            "{} {} -> {} in {:.1} ms",
            self.current.method,
            self.current.path(),
            status,
            ms
        );
        reply
    }

    /// Names the server span after what the request was routed to: the
    /// operation (its path template as `http.route`), a built-in, or the
    /// method alone when nothing matched.
    #[cold]
    fn name_span(&self, span: &tracing::Span, method: &str, path: &str) {
        match self.operation {
            Operation::Op(index) => {
                let op = &self.service.ops[index];
                spans::name_request(span, &op.id, Some(&op.spec.full_path()), Some(&op.id));
            }
            // Nothing matched: the method alone, no route.
            Operation::Named("not_found" | "method_not_allowed" | "cors_preflight" | "") => {
                spans::name_request(span, method, None, None)
            }
            Operation::Named(name) => spans::name_request(span, name, Some(path), None),
        }
    }
}
