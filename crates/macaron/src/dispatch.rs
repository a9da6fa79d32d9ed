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
//! [`Pipeline::error`].

use std::borrow::Cow;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use actix_http::body::BoxBody;
use actix_http::{Payload, Request};
use actix_service::Service as _;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{StatusCode, Uri};
use actix_web::web::{Bytes, BytesMut};
use actix_web::HttpResponse;
use futures_util::{FutureExt, StreamExt};
use macaron_spec::ParamLocation;
use serde_json::Value;

use crate::api::{Op, Service};
use crate::auth::{self, AuthMode};
use crate::builtins::{self, UiApp};
use crate::error::codes::{BadResponse, InvalidParameter, MethodNotAllowed, NotFound, PayloadTooLarge, ServerError};
use crate::error::Error;
use crate::extract::{Context, Source};
use crate::inputs;
use crate::metrics::Label;
use crate::params::{cookie_pairs, query_pairs, RawInputs};
use crate::reply::{Body, Response};
use crate::report::{self, Current, Headers, Location, RequestId};
use crate::router::{Builtin, Match, Target};
use crate::tree::Tree;
use crate::validate::check;

/// The request id header.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The content type of JSON replies (static: no copy per reply).
pub(crate) const JSON: HeaderValue = HeaderValue::from_static("application/json");

/// A new uuid v4, as text (an `error_id`).
fn new_error_id() -> String {
    RequestId::new().to_string()
}

/// A method's name, without an allocation for the standard ones.
fn method_name(method: &actix_web::http::Method) -> Cow<'static, str> {
    use actix_web::http::Method;
    Cow::Borrowed(match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::TRACE => "TRACE",
        Method::CONNECT => "CONNECT",
        _ => return Cow::Owned(method.as_str().to_string()),
    })
}

/// What the pipeline reads of a request's headers, found in one pass over
/// them: looking a header up by name hashes the name, every time.
#[derive(Default)]
struct Facts {
    request_id: Option<HeaderValue>,
    origin: Option<HeaderValue>,
    accept_encoding: Option<HeaderValue>,
    content_type: Option<HeaderValue>,
    content_length: Option<HeaderValue>,
    transfer_encoding: bool,
    /// True when a header may hold a secret ([`report::is_secret`]).
    secrets: bool,
}

impl Facts {
    /// The first value of each header the pipeline reads.
    fn of(headers: &HeaderMap) -> Facts {
        let mut facts = Facts::default();
        for (name, value) in headers.iter() {
            let slot = if name == header::CONTENT_TYPE {
                &mut facts.content_type
            } else if name == header::CONTENT_LENGTH {
                &mut facts.content_length
            } else if name == header::ACCEPT_ENCODING {
                &mut facts.accept_encoding
            } else if name == header::ORIGIN {
                &mut facts.origin
            } else if name == header::TRANSFER_ENCODING {
                facts.transfer_encoding = true;
                continue;
            } else if name == REQUEST_ID {
                &mut facts.request_id
            } else {
                facts.secrets |= report::is_secret(name);
                continue;
            };
            if slot.is_none() {
                *slot = Some(value.clone());
            }
        }
        facts
    }
}

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
}

/// The JSON error object of [`Error::to_json`], with its `error_id`, in
/// the same order, serialised without building a `Value`.
#[derive(serde::Serialize)]
struct ErrorBody<'a> {
    error: &'a str,
    error_description: Cow<'a, str>,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_message: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_id: Option<&'a str>,
}

/// Bodies smaller than this are not worth compressing.
const GZIP_MIN: usize = 512;

/// Gzips a reply's body when the caller accepts it and it is big enough.
/// Done here rather than with actix's `Compress` middleware, which costs
/// every request even when the caller does not ask for compression (see
/// docs/performance.md).
fn gzip(reply: HttpResponse) -> HttpResponse {
    use actix_web::body::MessageBody;
    use std::io::Write;
    if reply.headers().contains_key(header::CONTENT_ENCODING) {
        return reply;
    }
    let (head, body) = reply.into_parts();
    let bytes = match body.try_into_bytes() {
        Ok(bytes) => bytes,
        Err(body) => return head.set_body(body),
    };
    if bytes.len() < GZIP_MIN {
        return head.set_body(actix_web::body::BoxBody::new(bytes));
    }
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(bytes.len() / 2), flate2::Compression::fast());
    match encoder.write_all(&bytes).and_then(|_| encoder.finish()) {
        Ok(compressed) => {
            let mut reply = head.set_body(actix_web::body::BoxBody::new(compressed));
            reply.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            reply.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
            reply
        }
        Err(_) => head.set_body(actix_web::body::BoxBody::new(bytes)),
    }
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
    if builtins::is_ui_file(req.method(), req.path()) {
        let id = RequestId::from_caller(req.head().headers.get(REQUEST_ID));
        let mut reply = ui.call(req).await?;
        reply.headers_mut().insert(REQUEST_ID, id.header());
        return Ok(reply);
    }
    let head = req.head_mut();
    let (headers, uri) = (std::mem::take(&mut head.headers), std::mem::take(&mut head.uri));
    let payload = req.take_payload();
    let (reply, mut current) = serve(&req, uri, payload, headers, service).await;
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
) -> (HttpResponse, Arc<Current>) {
    let facts = Facts::of(&headers);
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
        server: service.server.clone(),
        reports: service.reports.clone(),
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
    let result = match service.router.find(method, path) {
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
            pipeline.operation = Operation::Named(builtins::name(Builtin::AuthVersion));
            match auth::authenticate(service.jwt.as_ref(), current.headers.list(), AuthMode::Required) {
                Ok(user) => {
                    pipeline.set_user(user);
                    Ok(builtins::serve(&service, Builtin::AuthVersion).await)
                }
                Err(e) => Err((e, Vec::new())),
            }
        }
        Match::Route(Target::Builtin(builtin), _) => {
            pipeline.operation = Operation::Named(builtins::name(builtin));
            Ok(builtins::serve(&service, builtin).await)
        }
        Match::Route(Target::Operation(index), captured) => {
            pipeline.operation = Operation::Op(index);
            pipeline.run(payload, index, &captured).await.map_err(|e| (e, Vec::new()))
        }
    };
    let reply = match result {
        Ok(reply) => reply,
        Err((error, extra)) => pipeline.error(error, &extra),
    };
    (pipeline.finish(reply), current)
}

impl Pipeline {
    async fn run(&self, payload: Payload, index: usize, captured: &[(String, String)]) -> Result<HttpResponse, Error> {
        let op = &self.service.ops[index];
        let api = &self.service.apis[op.api];
        // Authentication first: without a valid token nothing else is checked.
        let user = match op.auth {
            AuthMode::Open => None,
            mode => auth::authenticate(self.service.jwt.as_ref(), self.current.headers.list(), mode)?,
        };
        self.set_user(user.clone());
        let limit = self.service.body_limit;
        let headers = self.current.headers.map();
        let declared = self.content_length;
        if declared.is_some_and(|n| n > limit) {
            return Err(too_large(limit));
        }
        let content_type = self.content_type.as_ref().and_then(|v| v.to_str().ok());
        let may_have_body = declared.is_some_and(|n| n > 0) || self.chunked;
        let media = inputs::media_type(op, content_type, may_have_body)?;
        let bytes = if may_have_body { read_body(payload, limit, declared).await? } else { Bytes::new() };
        if !bytes.is_empty() {
            // Kept for a crash report (a cheap reference count; redacted only if a report is written).
            *self.current.body.lock().unwrap_or_else(|e| e.into_inner()) = bytes.clone();
        }

        let mut ctx = Context {
            source: Some(Source { current: self.current.clone(), service: self.service.clone(), op: index }),
            user,
            db: self.current.db.clone(),
            ..Context::default()
        };
        if !op.spec.parameters.is_empty() {
            let query = query_pairs(self.current.query());
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
            report::scope(self.current.clone(), AssertUnwindSafe(async move { handler(ctx).await }).catch_unwind())
                .await;
        let response = match outcome {
            Ok(result) => result?,
            Err(_) => {
                let note = report::take_panic(&self.current);
                let message = note.as_ref().map_or("unknown panic".to_string(), |n| n.message.clone());
                let mut error = ServerError::new(format!("the handler of {} panicked: {message}", op.spec.id));
                error.set_backtrace(note.map(|n| n.backtrace));
                return Err(error);
            }
        };
        if self.service.validate_responses {
            self.check_reply(op, &response)?;
        }
        http_response(response)
    }

    /// Records the authenticated caller for reports and [`auth::current_user`].
    fn set_user(&self, user: Option<macaron_auth::User>) {
        if let Some(user) = user {
            *self.current.user_id.lock().unwrap_or_else(|e| e.into_inner()) = Some(user.id.clone());
            *self.current.user.lock().unwrap_or_else(|e| e.into_inner()) = Some(user);
        }
    }

    fn check_reply(&self, op: &Op, response: &Response) -> Result<(), Error> {
        let Some(index) = op.response_index(response.status) else {
            return Err(BadResponse::new(format!(
                "operation {} replied with status {}, which its spec does not declare",
                op.spec.id, response.status
            )));
        };
        let Some(validator) = op.responses[index].and_then(|id| self.service.apis[op.api].validators.get(id)) else {
            return Ok(());
        };
        let tree = match &response.body {
            Body::Json(value) => Tree::from_value(value),
            Body::Encoded { text, tape: Some(tape) } => Tree::on(text, tape),
            Body::Encoded { text, tape: None } => Tree::parse(text).map_err(|e| {
                BadResponse::new(format!(
                    "operation {} replied {} with malformed JSON: {e}",
                    op.spec.id, response.status
                ))
            })?,
            Body::Empty | Body::Bytes { .. } => return Ok(()),
        };
        match check(validator, "reply", &tree) {
            Some(message) => Err(BadResponse::new(format!(
                "operation {} replied {} not matching its spec: {message}",
                op.spec.id, response.status
            ))),
            None => Ok(()),
        }
    }

    /// The JSON error reply: `error_id` and crash report for a 5xx, then the decorator.
    fn error(&self, error: Error, extra: &[(String, String)]) -> HttpResponse {
        // An error message may quote a secret (a failed connection string, the
        // caller's token): never send it.
        let secrets = self.current.secrets();
        let hide = |text: &str| report::redact(text, &report::as_strs(&secrets));
        let error_id = error.is_server_error().then(new_error_id);
        if let Some(error_id) = &error_id {
            self.current.report_fatal(&error, error_id);
        }
        let bytes = match &self.service.decorator {
            // The same object as `to_json`, written straight to bytes.
            None => {
                let body = ErrorBody {
                    error: &error.code,
                    error_description: if secrets.is_empty() {
                        Cow::Borrowed(&error.error_description)
                    } else {
                        Cow::Owned(hide(&error.error_description))
                    },
                    status: error.status,
                    user_message: error.user_message.as_deref().map(|m| {
                        if secrets.is_empty() {
                            Cow::Borrowed(m)
                        } else {
                            Cow::Owned(hide(m))
                        }
                    }),
                    error_id: error_id.as_deref(),
                };
                serde_json::to_vec(&body).unwrap_or_default()
            }
            Some(decorate) => {
                let mut body = error.to_json();
                if !secrets.is_empty() {
                    for field in ["error_description", "user_message"] {
                        if let Some(Value::String(text)) = body.get_mut(field) {
                            *text = hide(text);
                        }
                    }
                }
                if let Some(error_id) = &error_id {
                    body["error_id"] = Value::String(error_id.clone());
                }
                let original = body.clone();
                let body = std::panic::catch_unwind(AssertUnwindSafe(|| decorate(body))).unwrap_or_else(|_| {
                    tracing::error!(request_id = %self.current.request_id, "the error decorator panicked");
                    original
                });
                json_bytes(&body)
            }
        };
        let status = StatusCode::from_u16(error.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut reply = HttpResponse::with_body(status, BoxBody::new(bytes));
        let headers = reply.headers_mut();
        for (name, value) in extra {
            if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value.as_str()))
            {
                headers.insert(name, value);
            }
        }
        headers.insert(header::CONTENT_TYPE, JSON);
        reply
    }

    /// Stamps the request id and CORS headers, logs, counts.
    fn finish(self, reply: HttpResponse) -> HttpResponse {
        let mut reply = if self.gzip { gzip(reply) } else { reply };
        let headers = reply.headers_mut();
        headers.insert(REQUEST_ID, self.current.request_id.header());
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
        let operation = label.name();
        tracing::info!(
            request_id = %self.current.request_id,
            operation = %operation,
            "{} {} -> {} in {:.1} ms",
            self.current.method,
            self.current.path(),
            status,
            elapsed.as_secs_f64() * 1000.0
        );
        reply
    }
}

fn too_large(limit: usize) -> Error {
    PayloadTooLarge::new(format!("the body is larger than the limit of {limit} bytes"))
}

/// The body, in one piece, up to `limit` bytes; `declared` is its
/// `Content-Length`, if any (once that many bytes are in, the body is whole:
/// no second wait on the payload for its end).
async fn read_body(mut payload: Payload, limit: usize, declared: Option<usize>) -> Result<Bytes, Error> {
    let read = |chunk: Result<Bytes, actix_web::error::PayloadError>| {
        chunk.map_err(|e| InvalidParameter::new(format!("body: cannot read the request body: {e}")))
    };
    // Most bodies come in one chunk: kept as it is, not copied.
    let Some(first) = payload.next().await else { return Ok(Bytes::new()) };
    let first = read(first)?;
    if first.len() > limit {
        return Err(too_large(limit));
    }
    if declared == Some(first.len()) {
        return Ok(first);
    }
    let Some(second) = payload.next().await else { return Ok(first) };
    let mut body = BytesMut::from(&first[..]);
    let mut next = Some(second);
    while let Some(chunk) = next {
        let chunk = read(chunk)?;
        if body.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        body.extend_from_slice(&chunk);
        next = payload.next().await;
    }
    Ok(body.freeze())
}

/// A handler's [`Response`] as an actix reply.
pub(crate) fn http_response(response: Response) -> Result<HttpResponse, Error> {
    let status = StatusCode::from_u16(response.status)
        .map_err(|_| BadResponse::new(format!("{} is not an HTTP status", response.status)))?;
    let (mut reply, content_type) = match response.body {
        Body::Empty => (HttpResponse::new(status), None),
        Body::Json(value) => (HttpResponse::with_body(status, BoxBody::new(json_bytes(&value))), Some(JSON)),
        Body::Encoded { text, .. } => (HttpResponse::with_body(status, BoxBody::new(text.into_bytes())), Some(JSON)),
        Body::Bytes { content_type, bytes } => {
            let value = HeaderValue::try_from(content_type.as_str())
                .map_err(|_| BadResponse::new(format!("{content_type:?} is not a valid content type")))?;
            (HttpResponse::with_body(status, BoxBody::new(bytes)), Some(value))
        }
    };
    let headers = reply.headers_mut();
    for (name, value) in &response.headers {
        let invalid = || BadResponse::new(format!("the reply header {name}: {value:?} is not a valid header"));
        let name = HeaderName::try_from(name.as_str()).map_err(|_| invalid())?;
        let value = HeaderValue::try_from(value.as_str()).map_err(|_| invalid())?;
        headers.append(name, value);
    }
    if let Some(value) = content_type {
        headers.insert(header::CONTENT_TYPE, value);
    }
    Ok(reply)
}

/// A JSON value as the bytes of a reply.
fn json_bytes(value: &Value) -> Vec<u8> {
    serde_json::to_vec(value).unwrap_or_else(|_| value.to_string().into_bytes())
}
