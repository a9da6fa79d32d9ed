//! Calling other services: the HTTP core of the typed clients that
//! `macaron-build` generates for every API.
//!
//! A call to another Macaron service must behave like a local call that
//! can fail: its error object comes back as the same [`crate::Error`]
//! (status, code, description, user message: PyMacaron's `is_error`), the
//! request id of the request being served travels along (`X-Request-Id`),
//! and, when asked, so does the caller's token (PyMacaron's
//! `x-decorate-request: add_auth`). When traces are on, each call is a
//! client span whose W3C `traceparent` goes with the request, so the
//! callee's spans join the caller's trace. Network failures are retried for
//! idempotent methods only (a POST may have been executed), with a short
//! backoff; a service that stays unreachable is a 503.
//!
//! ```
//! let client = macaron::client::HttpClient::new("http://127.0.0.1:9")
//!     .timeout(std::time::Duration::from_millis(200))
//!     .retries(1);
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! let err = rt.block_on(client.call::<serde_json::Value>("GET", "/ping", vec![], vec![], None)).unwrap_err();
//! assert_eq!((err.status, err.code.as_ref()), (503, "SERVICE_UNAVAILABLE"));
//! ```

use std::time::Duration;

use actix_web::web::Bytes;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use tracing::Instrument;

use crate::error::codes::{BadResponse, ServerError, ServiceUnavailable};
use crate::error::{Error, ErrorObject};
use crate::telemetry::{self, spans};

/// The HTTP side of a client: base URL, timeout, retries, token forwarding.
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
    retries: u32,
    forward_auth: bool,
}

/// Query or header pairs.
pub type Pairs = Vec<(String, String)>;

impl HttpClient {
    /// A client of the service at `base_url` (`http://pets:8080`); 10 s
    /// timeout, 2 retries of idempotent calls, no token forwarding.
    pub fn new(base_url: impl Into<String>) -> Self {
        HttpClient {
            http: reqwest::Client::builder().no_proxy().build().unwrap_or_default(),
            base: base_url.into().trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(10),
            retries: 2,
            forward_auth: false,
        }
    }

    /// The timeout of one attempt.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Retries of an idempotent call after a connect error or timeout.
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// Sends the `Authorization` of the request being served along.
    pub fn forward_auth(mut self, on: bool) -> Self {
        self.forward_auth = on;
        self
    }

    /// Sends a request; returns the status and body of any reply (errors
    /// included), or a 503 when the service cannot be reached.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        query: Pairs,
        headers: Pairs,
        body: Option<Value>,
    ) -> Result<(u16, Bytes), Error> {
        let method = reqwest::Method::from_bytes(method.as_bytes())
            .map_err(|_| ServerError::new(format!("bad method {method}")))?;
        if !telemetry::on() {
            return self.attempts(method, path, &query, &headers, body.as_ref(), None).await;
        }
        // Traces are on: the call is a client span, and its context travels in `traceparent`.
        let (host, port) = reqwest::Url::parse(&self.base)
            .map(|u| (u.host_str().unwrap_or("").to_string(), u.port_or_known_default()))
            .unwrap_or_default();
        let span = spans::call(method.as_str(), &host, port);
        let context = spans::headers_of(&span);
        let sent =
            self.attempts(method, path, &query, &headers, body.as_ref(), Some(&context)).instrument(span.clone()).await;
        match &sent {
            Ok((status, _)) => {
                spans::finish_call(&span, Some(*status), (*status >= 500).then(|| status.to_string()).as_deref())
            }
            Err(e) => spans::finish_call(&span, None, Some(&e.code)),
        }
        sent
    }

    /// Sends the request, retrying an idempotent one after a connect error
    /// or a timeout.
    async fn attempts(
        &self,
        method: reqwest::Method,
        path: &str,
        query: &Pairs,
        headers: &Pairs,
        body: Option<&Value>,
        trace: Option<&Pairs>,
    ) -> Result<(u16, Bytes), Error> {
        let idempotent = matches!(method.as_str(), "GET" | "HEAD" | "PUT" | "DELETE" | "OPTIONS");
        let url = format!("{}{path}", self.base);
        let mut attempt = 0;
        loop {
            let mut request = self.http.request(method.clone(), &url).timeout(self.timeout).query(&query);
            for (name, value) in headers.iter().chain(trace.into_iter().flatten()) {
                request = request.header(name.as_str(), value.as_str());
            }
            if let Some(id) = crate::request_id() {
                request = request.header("X-Request-Id", id);
            }
            if self.forward_auth {
                if let Some(auth) = crate::request::record::current_authorization() {
                    request = request.header("Authorization", auth);
                }
            }
            if let Some(body) = body {
                request = request.json(body);
            }
            match request.send().await {
                Ok(reply) => {
                    let status = reply.status().as_u16();
                    let bytes = reply.bytes().await.map_err(|e| unavailable(&url, &e))?;
                    return Ok((status, bytes));
                }
                Err(e) if idempotent && attempt < self.retries && (e.is_connect() || e.is_timeout()) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
                }
                Err(e) => return Err(unavailable(&url, &e)),
            }
        }
    }

    /// Sends a request and decodes a success reply as `T`; an error reply
    /// becomes the remote [`Error`].
    pub async fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        path: &str,
        query: Pairs,
        headers: Pairs,
        body: Option<Value>,
    ) -> Result<T, Error> {
        let (status, bytes) = self.send(method, path, query, headers, body).await?;
        if (200..300).contains(&status) {
            decode(&bytes)
        } else {
            Err(remote_error(status, &bytes))
        }
    }
}

fn unavailable(url: &str, e: &reqwest::Error) -> Error {
    ServiceUnavailable::new(format!("calling {url}: {e}"))
}

/// Decodes a JSON reply body (an empty body reads as `null`).
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let bytes: &[u8] = if bytes.is_empty() { b"null" } else { bytes };
    serde_json::from_slice(bytes)
        .map_err(|e| Error::new(502, BadResponse::CODE, format!("the remote reply does not fit: {e}")))
}

/// The [`Error`] a remote error reply carries: its own status, code,
/// description and user message when it is a Macaron error object.
pub fn remote_error(status: u16, bytes: &[u8]) -> Error {
    match serde_json::from_slice::<ErrorObject<'_>>(bytes) {
        Ok(object) => object.into_error(status),
        Err(_) => {
            Error::new(status, ServerError::CODE, String::from_utf8_lossy(bytes).chars().take(500).collect::<String>())
        }
    }
}

/// Adds a parameter to query or header pairs (`None` adds nothing; arrays
/// are repeated when `explode`, comma-joined otherwise).
pub fn push_param<T: Serialize>(pairs: &mut Pairs, name: &str, value: &T, explode: bool) {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    match serde_json::to_value(value).unwrap_or(Value::Null) {
        Value::Null => {}
        Value::Array(items) if explode => pairs.extend(items.iter().map(|v| (name.to_string(), text(v)))),
        Value::Array(items) => pairs.push((name.to_string(), items.iter().map(text).collect::<Vec<_>>().join(","))),
        other => pairs.push((name.to_string(), text(&other))),
    }
}

/// A path parameter, percent-encoded for one path segment.
pub fn path_param<T: Serialize>(value: &T) -> String {
    let text = match serde_json::to_value(value).unwrap_or(Value::Null) {
        Value::String(s) => s,
        other => other.to_string(),
    };
    percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// A value as the JSON body of a request.
pub fn body<T: Serialize>(value: &T) -> Result<Value, Error> {
    Ok(serde_json::to_value(value)?)
}
