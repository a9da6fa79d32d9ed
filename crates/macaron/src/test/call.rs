//! A request being built ([`Call`]), its reply ([`TestReply`]), and retries.

use std::time::Duration;

use actix_web::web::Bytes;
use serde_json::Value;

use super::client::TestClient;
use super::Method;

/// How many times a GET or HEAD request is tried when the service cannot
/// be reached or does not answer in time.
const ATTEMPTS: u32 = 6;

/// The wait before the second attempt; it doubles before each next one
/// (0.1 + 0.2 + 0.4 + 0.8 + 1.6 s: a service still starting has ~3 s).
const FIRST_DELAY: Duration = Duration::from_millis(100);

/// A request being built (see [`TestClient::call`]).
pub struct Call {
    client: TestClient,
    method: Method,
    path: String,
    url: String,
    builder: reqwest::RequestBuilder,
    bearer: Option<String>,
    checked: bool,
}

impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call").field("method", &self.method).field("url", &self.url).finish_non_exhaustive()
    }
}

impl Call {
    pub(crate) fn new(client: &TestClient, method: Method, path: &str) -> Call {
        let url = format!("{}{path}", client.url());
        Call {
            builder: client.client().request(method.clone(), &url),
            client: client.clone(),
            method,
            path: path.to_string(),
            url,
            bearer: client.bearer().map(str::to_string),
            checked: true,
        }
    }

    /// A JSON body.
    pub fn json(mut self, body: &Value) -> Self {
        self.builder = self.builder.json(body);
        self
    }

    /// A raw body with its content type.
    pub fn body(mut self, content_type: &str, body: impl Into<reqwest::Body>) -> Self {
        self.builder = self.builder.header("content-type", content_type).body(body);
        self
    }

    /// A header. An `Authorization` header replaces the token the client
    /// sends with every call ([`TestClient::with_token`]).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if name.eq_ignore_ascii_case("authorization") {
            self.bearer = None;
        }
        self.builder = self.builder.header(name, value);
        self
    }

    /// `Authorization: Bearer <token>` (instead of the client's token, if it sends one).
    pub fn token(mut self, token: &str) -> Self {
        self.bearer = Some(token.to_string());
        self
    }

    /// Without the token the client sends with every call.
    pub(crate) fn without_token(mut self) -> Self {
        self.bearer = None;
        self
    }

    /// Does not check the reply against the spec (for a test of a reply
    /// the spec does not describe on purpose).
    pub fn unchecked(mut self) -> Self {
        self.checked = false;
        self
    }

    /// Sends and reads the reply. GET and HEAD requests are retried on
    /// connection errors and timeouts (not on error statuses), up to 6
    /// attempts 0.1 s apart, then doubling. Panics if the service cannot be
    /// reached, and when the client knows the specs and the reply does not
    /// match the response its operation declares (this is test code).
    pub async fn send(self) -> TestReply {
        let Call { client, method, path, url, mut builder, bearer, checked } = self;
        if let Some(token) = &bearer {
            builder = builder.header("authorization", format!("Bearer {token}"));
        }
        let retried = method == Method::GET || method == Method::HEAD;
        let mut delay = FIRST_DELAY;
        let mut attempt = 1;
        let reply = loop {
            let again = if retried && attempt < ATTEMPTS { builder.try_clone() } else { None };
            match fetch(builder).await {
                Ok(reply) => break reply,
                Err(e) => match again {
                    Some(next) if e.is_connect() || e.is_timeout() => {
                        tracing::debug!("{method} {url}: {}; attempt {} in {delay:?}", describe(&e), attempt + 1);
                        tokio::time::sleep(delay).await;
                        delay *= 2;
                        attempt += 1;
                        builder = next;
                    }
                    _ => {
                        let attempts = if attempt > 1 { format!(" (after {attempt} attempts)") } else { String::new() };
                        panic!("{method} {url}: the service cannot be reached: {}{attempts}", describe(&e))
                    }
                },
            }
        };
        if let (true, Some(checker)) = (checked, client.checker()) {
            if let Err(message) = checker.check(method.as_str(), &path, &reply) {
                panic!("{message}");
            }
        }
        reply
    }
}

async fn fetch(builder: reqwest::RequestBuilder) -> Result<TestReply, reqwest::Error> {
    let response = builder.send().await?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response.bytes().await?;
    Ok(TestReply { status, headers, body })
}

/// An error with its causes (`error sending request: ...: Connection refused`).
fn describe(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// A reply: status, headers and the raw body.
#[derive(Debug, Clone)]
pub struct TestReply {
    /// The HTTP status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body as received (not decompressed).
    pub body: Bytes,
}

impl TestReply {
    /// The body as JSON (`null` when empty or not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}
