//! Calling other services: the HTTP core of the typed clients that
//! `macaron-build` generates for every API, Macaron's own and vendors'.
//!
//! A call to another service must behave like a local call that can fail:
//! a Macaron error object comes back as the same [`crate::Error`] (status,
//! code, description, user message: PyMacaron's `is_error`), and any other
//! error body as an `Error` with the remote status and a code derived from
//! it ([`remote_error`]). The request id of the request being served travels
//! along (`X-Request-Id`), and, when asked, so does the caller's token
//! (PyMacaron's `x-decorate-request: add_auth`). When traces are on, each
//! call is a client span whose W3C `traceparent` goes with the request, so
//! the callee's spans join the caller's trace.
//!
//! The room's parts: [`Param`] writes a parameter in its OpenAPI style
//! (`params`), [`Request`] gathers them (`request`), `retry` decides when
//! to try again and how long to wait (exponential backoff with full
//! jitter, `Retry-After`), `remote` reads replies ([`decode`],
//! [`remote_error`]). Idempotent calls are retried after a connect error, a
//! timeout or a 429/502/503/504; a POST never is; a service that stays
//! unreachable is a 503 `SERVICE_UNAVAILABLE`.
//!
//! ```
//! use std::time::Duration;
//! use macaron::client::{HttpClient, Request};
//!
//! let client = HttpClient::new("http://127.0.0.1:9")
//!     .timeout(Duration::from_millis(200))
//!     .retries(1)
//!     .backoff(Duration::from_millis(1), Duration::from_millis(10));
//! let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! let err = rt.block_on(client.call::<serde_json::Value>(&Request::new("GET", "/ping"))).unwrap_err();
//! assert_eq!((err.status, err.code.as_ref()), (503, "SERVICE_UNAVAILABLE"));
//! assert!(err.error_description.starts_with("GET http://127.0.0.1:9/ping: "), "{err}");
//! ```

mod params;
mod remote;
mod request;
mod retry;

use std::time::Duration;

use actix_web::web::Bytes;
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::error::codes::{ServerError, ServiceUnavailable};
use crate::error::Error;
use crate::telemetry::{self, spans};

pub use params::{Param, ParamLocation, ParamStyle};
pub use remote::{code_for_status, decode, remote_error};
pub use request::Request;

use request::Body;
use retry::Backoff;

/// The HTTP side of a client: base URL, timeouts, retries, what is
/// forwarded from the request being served.
///
/// ```
/// use std::time::Duration;
/// let client = macaron::client::HttpClient::new("http://pets:8080/")
///     .timeout(Duration::from_secs(2))
///     .connect_timeout(Duration::from_millis(500))
///     .retries(3)
///     .backoff(Duration::from_millis(50), Duration::from_secs(1))
///     .forward_auth(true)
///     .forward_request_id(false);
/// assert_eq!(client.base_url(), "http://pets:8080");
/// ```
#[derive(Debug, Clone)]
pub struct HttpClient {
    http: reqwest::Client,
    base: String,
    timeout: Duration,
    connect_timeout: Duration,
    retries: u32,
    backoff: Backoff,
    forward_auth: bool,
    forward_request_id: bool,
}

/// The HTTP client of a connect timeout (no proxy: services call each
/// other directly).
fn http_client(connect_timeout: Duration) -> reqwest::Client {
    reqwest::Client::builder().no_proxy().connect_timeout(connect_timeout).build().unwrap_or_default()
}

/// What an attempt ended with.
enum Attempt {
    /// A reply (any status).
    Reply(u16, Bytes),
    /// A reply asking to try again (429, 502, 503, 504), with its `Retry-After`.
    Busy(u16, Bytes, Option<Duration>),
    /// No reply: a connect error or a timeout, which may be retried.
    Failed(reqwest::Error),
    /// No reply, and no point trying again.
    Fatal(reqwest::Error),
}

impl HttpClient {
    /// A client of the service at `base_url` (`http://pets:8080`): 10 s
    /// per attempt, 3 s to connect, 2 retries of idempotent calls with a
    /// backoff of 100 ms doubling up to 5 s (full jitter), the request id
    /// forwarded, the token not.
    pub fn new(base_url: impl Into<String>) -> Self {
        let connect_timeout = Duration::from_secs(3);
        HttpClient {
            http: http_client(connect_timeout),
            base: base_url.into().trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(10),
            connect_timeout,
            retries: 2,
            backoff: Backoff { base: Duration::from_millis(100), cap: Duration::from_secs(5) },
            forward_auth: false,
            forward_request_id: true,
        }
    }

    /// The base URL calls go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.base
    }

    /// The timeout of one attempt (connecting, sending and reading the reply).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The timeout of establishing a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self.http = http_client(timeout);
        self
    }

    /// How many times an idempotent call is tried again after a connect
    /// error, a timeout, or a 429, 502, 503 or 504 reply (0: never).
    pub fn retries(mut self, retries: u32) -> Self {
        self.retries = retries;
        self
    }

    /// The wait before retry `n` (from 0) is random in `[0, min(cap,
    /// base·2ⁿ)]`; a reply's `Retry-After` (in seconds) is waited instead,
    /// up to `cap`.
    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Backoff { base, cap };
        self
    }

    /// Sends the `Authorization` of the request being served along (off by
    /// default: a vendor's API has no use for your callers' tokens).
    pub fn forward_auth(mut self, on: bool) -> Self {
        self.forward_auth = on;
        self
    }

    /// Sends the `X-Request-Id` of the request being served along (on by
    /// default, so both services' logs and reports share it).
    pub fn forward_request_id(mut self, on: bool) -> Self {
        self.forward_request_id = on;
        self
    }

    /// Sends a request; returns the status and body of the last reply
    /// (errors included), or a 503 when the service could not be reached.
    pub async fn send(&self, request: &Request) -> Result<(u16, Bytes), Error> {
        let method = reqwest::Method::from_bytes(request.method().as_bytes())
            .map_err(|_| ServerError::new(format!("bad method {:?}", request.method())))?;
        if !telemetry::on() {
            return self.attempts(method, request, None).await;
        }
        // Traces are on: the call is a client span, and its context travels in `traceparent`.
        let (host, port) = reqwest::Url::parse(&self.base)
            .map(|u| (u.host_str().unwrap_or("").to_string(), u.port_or_known_default()))
            .unwrap_or_default();
        let span = spans::call(method.as_str(), &host, port);
        let context = spans::headers_of(&span);
        let sent = self.attempts(method, request, Some(context.as_slice())).instrument(span.clone()).await;
        match &sent {
            Ok((status, _)) => {
                spans::finish_call(&span, Some(*status), (*status >= 500).then(|| status.to_string()).as_deref())
            }
            Err(e) => spans::finish_call(&span, None, Some(&e.code)),
        }
        sent
    }

    /// Sends a request and decodes a 2xx reply as `T`; any other reply
    /// becomes the remote [`Error`] ([`remote_error`]).
    pub async fn call<T: DeserializeOwned>(&self, request: &Request) -> Result<T, Error> {
        let (status, bytes) = self.send(request).await?;
        if (200..300).contains(&status) {
            decode(&bytes)
        } else {
            Err(remote_error(status, &bytes))
        }
    }

    /// Sends the request, trying an idempotent one again while it fails in
    /// a way worth retrying and retries are left.
    async fn attempts(
        &self,
        method: reqwest::Method,
        request: &Request,
        trace: Option<&[(String, String)]>,
    ) -> Result<(u16, Bytes), Error> {
        let retried = retry::idempotent(&method);
        let url = format!("{}{}", self.base, request.target());
        let mut retry = 0;
        loop {
            let attempt = self.attempt(&method, &url, request, trace).await?;
            let more = retried && retry < self.retries;
            let wait = match attempt {
                Attempt::Busy(_, _, after) if more => self.backoff.delay(retry, after),
                Attempt::Failed(_) if more => self.backoff.delay(retry, None),
                Attempt::Reply(status, bytes) | Attempt::Busy(status, bytes, _) => return Ok((status, bytes)),
                Attempt::Failed(e) | Attempt::Fatal(e) => {
                    let tries = retry + 1;
                    let s = if tries == 1 { "" } else { "s" };
                    return Err(
                        ServiceUnavailable::new(format!("{method} {url}: {e} ({tries} attempt{s})")).with_cause(e)
                    );
                }
            };
            retry += 1;
            tokio::time::sleep(wait).await;
        }
    }

    /// One try: the request as built, with the forwarded headers.
    async fn attempt(
        &self,
        method: &reqwest::Method,
        url: &str,
        request: &Request,
        trace: Option<&[(String, String)]>,
    ) -> Result<Attempt, Error> {
        let mut headers = reqwest::header::HeaderMap::new();
        let mut add = |name: &str, value: &str| -> Result<(), Error> {
            let name = reqwest::header::HeaderName::from_bytes(name.as_bytes())
                .map_err(|e| ServerError::new(format!("{method} {url}: header name {name:?}: {e}")))?;
            let value = reqwest::header::HeaderValue::from_bytes(value.as_bytes())
                .map_err(|e| ServerError::new(format!("{method} {url}: header {name}: {e}")))?;
            headers.append(name, value);
            Ok(())
        };
        for (name, value) in request.headers().iter().chain(trace.into_iter().flatten()) {
            add(name, value)?;
        }
        if let Some(cookies) = request.cookie_header() {
            add("Cookie", &cookies)?;
        }
        if self.forward_request_id {
            if let Some(id) = crate::request_id() {
                add("X-Request-Id", &id)?;
            }
        }
        if self.forward_auth {
            if let Some(auth) = crate::request::record::current_authorization() {
                add("Authorization", &auth)?;
            }
        }
        let mut builder = self.http.request(method.clone(), url).timeout(self.timeout).headers(headers);
        builder = match request.body() {
            Some(Body::Json(value)) => builder.json(value),
            Some(Body::Form(text)) => {
                builder.header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded").body(text.clone())
            }
            None => builder,
        };
        let reply = match builder.send().await {
            Ok(reply) => reply,
            Err(e) => return Ok(failed(e)),
        };
        let status = reply.status().as_u16();
        let after = retry::retry_after(reply.headers());
        let bytes = match reply.bytes().await {
            Ok(bytes) => bytes,
            Err(e) => return Ok(failed(e)),
        };
        Ok(if retry::retryable_status(status) {
            Attempt::Busy(status, bytes, after)
        } else {
            Attempt::Reply(status, bytes)
        })
    }
}

/// A failure worth retrying (no connection, or no reply in time) or not.
fn failed(e: reqwest::Error) -> Attempt {
    if e.is_connect() || e.is_timeout() {
        Attempt::Failed(e)
    } else {
        Attempt::Fatal(e)
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpListener;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use serde_json::Value;

    use super::*;

    /// One reply of a scripted server: a wait, a status, extra header lines, a body.
    #[derive(Clone)]
    struct Reply(Duration, u16, &'static str, &'static str);

    fn reply(status: u16, headers: &'static str, body: &'static str) -> Reply {
        Reply(Duration::ZERO, status, headers, body)
    }

    /// A real HTTP server on 127.0.0.1 answering request `n` with reply `n`
    /// of its script (the last one from then on), one thread per
    /// connection, keeping each request's head.
    struct Scripted {
        url: String,
        requests: Arc<Mutex<Vec<String>>>,
    }

    impl Scripted {
        fn start(script: Vec<Reply>) -> Scripted {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let url = format!("http://{}", listener.local_addr().unwrap());
            let requests = Arc::new(Mutex::new(Vec::new()));
            let seen = requests.clone();
            let count = Arc::new(AtomicUsize::new(0));
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { continue };
                    let n = count.fetch_add(1, Ordering::SeqCst);
                    let Reply(wait, status, headers, body) = script[n.min(script.len() - 1)].clone();
                    let seen = seen.clone();
                    std::thread::spawn(move || {
                        let mut reader = BufReader::new(stream);
                        let mut head = String::new();
                        let mut length = 0;
                        loop {
                            let mut line = String::new();
                            if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                                break;
                            }
                            if let Some(n) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                                length = n.trim().parse().unwrap_or(0);
                            }
                            head.push_str(&line);
                        }
                        let mut body_in = vec![0; length];
                        let _ = reader.read_exact(&mut body_in);
                        head.push_str(&String::from_utf8_lossy(&body_in));
                        seen.lock().unwrap().push(head);
                        std::thread::sleep(wait);
                        let text = format!(
                            "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n{body}",
                            body.len()
                        );
                        let _ = reader.into_inner().write_all(text.as_bytes());
                    });
                }
            });
            Scripted { url, requests }
        }

        fn count(&self) -> usize {
            self.requests.lock().unwrap().len()
        }

        fn client(&self) -> HttpClient {
            HttpClient::new(&self.url).backoff(Duration::from_millis(1), Duration::from_millis(5))
        }
    }

    fn get() -> Request {
        Request::new("GET", "/thing")
    }

    #[tokio::test]
    async fn client_retries_busy_replies_until_one_succeeds() {
        let server = Scripted::start(vec![
            reply(503, "", ""),
            reply(502, "", "<html>bad gateway</html>"),
            reply(504, "Retry-After: 0\r\n", ""),
            reply(429, "Retry-After: 3\r\n", ""),
            reply(200, "", "\"done\""),
        ]);
        let done: String = server.client().retries(4).call(&get()).await.unwrap();
        assert_eq!((done.as_str(), server.count()), ("done", 5));
    }

    #[tokio::test]
    async fn client_gives_the_last_reply_when_retries_run_out() {
        let busy = r#"{"error": "BUSY", "error_description": "try later", "status": 503}"#;
        let server = Scripted::start(vec![reply(503, "", busy)]);
        let err = server.client().retries(2).call::<Value>(&get()).await.unwrap_err();
        assert_eq!((err.status, err.code.as_ref(), err.error_description.as_str()), (503, "BUSY", "try later"));
        assert_eq!(server.count(), 3);
        let server = Scripted::start(vec![reply(503, "", busy)]);
        assert_eq!(server.client().retries(0).call::<Value>(&get()).await.unwrap_err().status, 503);
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn client_sends_a_post_once() {
        for method in ["POST", "PATCH"] {
            let server = Scripted::start(vec![reply(503, "", ""), reply(200, "", "1")]);
            let err = server.client().retries(3).call::<Value>(&Request::new(method, "/x")).await.unwrap_err();
            assert_eq!((err.status, err.code.as_ref()), (503, "SERVICE_UNAVAILABLE"));
            assert_eq!(server.count(), 1, "{method}");
        }
    }

    #[tokio::test]
    async fn client_retries_every_idempotent_method() {
        for method in ["GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"] {
            let server = Scripted::start(vec![reply(503, "", ""), reply(204, "", "")]);
            let (status, _) = server.client().retries(1).send(&Request::new(method, "/x")).await.unwrap();
            assert_eq!((status, server.count()), (204, 2), "{method}");
        }
    }

    #[tokio::test]
    async fn client_does_not_retry_other_errors() {
        for status in [400, 404, 500, 501] {
            let server = Scripted::start(vec![reply(status, "", "{}")]);
            let err = server.client().retries(3).call::<Value>(&get()).await.unwrap_err();
            assert_eq!((err.status, server.count()), (status, 1));
        }
    }

    #[tokio::test]
    async fn client_retries_after_a_timeout() {
        let server =
            Scripted::start(vec![Reply(Duration::from_secs(2), 200, "", "\"slow\""), reply(200, "", "\"fast\"")]);
        let client = server.client().timeout(Duration::from_millis(300)).retries(1);
        let answer: String = client.call(&get()).await.unwrap();
        assert_eq!((answer.as_str(), server.count()), ("fast", 2));

        let server = Scripted::start(vec![Reply(Duration::from_secs(2), 200, "", "1")]);
        let client = server.client().timeout(Duration::from_millis(300)).retries(1);
        let err = client.call::<Value>(&get()).await.unwrap_err();
        assert_eq!((err.status, err.code.as_ref(), server.count()), (503, "SERVICE_UNAVAILABLE", 2));
        assert!(err.error_description.contains("(2 attempts)"), "{err}");
        // A POST that timed out may have been carried out: never again.
        let server = Scripted::start(vec![Reply(Duration::from_secs(2), 200, "", "1")]);
        let client = server.client().timeout(Duration::from_millis(300)).retries(3);
        assert_eq!(client.call::<Value>(&Request::new("POST", "/x")).await.unwrap_err().status, 503);
        assert_eq!(server.count(), 1);
    }

    #[tokio::test]
    async fn client_reports_vendor_errors_with_their_status() {
        let server =
            Scripted::start(vec![reply(403, "Content-Type: application/json\r\n", r#"{"message": "no access to x"}"#)]);
        let err = server.client().call::<Value>(&get()).await.unwrap_err();
        assert_eq!((err.status, err.code.as_ref()), (403, "FORBIDDEN"));
        assert_eq!(err.error_description, "the remote service replied 403: no access to x");
    }

    #[tokio::test]
    async fn client_sends_the_request_as_built() {
        let server = Scripted::start(vec![reply(200, "", "null")]);
        let mut request = Request::new("PUT", "/pets/{id}");
        request
            .param(&Param::new("id", ParamLocation::Path).style(ParamStyle::Matrix), &["a b", "c"])
            .unwrap()
            .param(&Param::new("q", ParamLocation::Query).explode(false), &["x,y", "z"])
            .unwrap()
            .param(&Param::new("X-Name", ParamLocation::Header), "Zoë")
            .unwrap()
            .param(&Param::new("s", ParamLocation::Cookie), "1;2")
            .unwrap()
            .json(&serde_json::json!({"a": 1}))
            .unwrap();
        server.client().call::<Value>(&request).await.unwrap();
        let head = server.requests.lock().unwrap()[0].clone();
        assert!(head.starts_with("PUT /pets/;id=a%20b,c?q=x%2Cy,z HTTP/1.1\r\n"), "{head}");
        let lower = head.to_ascii_lowercase();
        assert!(lower.contains("x-name: zoë\r\n"), "{head}");
        assert!(lower.contains("cookie: s=1%3b2\r\n"), "{head}");
        assert!(head.ends_with("\r\n{\"a\":1}"), "{head}");
        assert!(!lower.contains("x-request-id") && !lower.contains("authorization"), "{head}");
    }

    #[tokio::test]
    async fn client_sends_forms_encoded() {
        let server = Scripted::start(vec![reply(200, "", "null")]);
        let mut request = Request::new("POST", "/login");
        request.form(&serde_json::json!({"user": "a&b", "n": 2})).unwrap();
        server.client().call::<Value>(&request).await.unwrap();
        let head = server.requests.lock().unwrap()[0].clone();
        assert!(head.to_ascii_lowercase().contains("content-type: application/x-www-form-urlencoded\r\n"), "{head}");
        assert!(head.ends_with("\r\nuser=a%26b&n=2"), "{head}");
    }
}
