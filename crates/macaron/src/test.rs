//! The test kit: a service on a free local port, and helpers to call it.
//!
//! A service's tests should go through real HTTP, as its callers do, yet be
//! as short as PyMacaron's `assertCallReturnJson`. [`TestServer::start`]
//! serves an [`Api`] in-process on `127.0.0.1` (a free port, one worker);
//! [`TestServer::call`] builds a request (`.json(..)`, `.token(..)`,
//! `.header(..)`) and [`Call::send`] returns a [`TestReply`] with status,
//! headers and body; [`TestServer::assert_call_json`] and
//! [`TestServer::assert_call_error`] check the status (and the error code)
//! and return the JSON, with a message showing the body when they fail.
//!
//! Enabled by the `test` feature: put `macaron = { ..., features = ["test"] }`
//! in `[dev-dependencies]`.

use std::net::TcpListener;

use actix_web::dev::ServerHandle;
use actix_web::web::Bytes;
use serde_json::Value;

pub use reqwest::Method;

use crate::api::Api;

/// A service running in-process on `127.0.0.1`.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let spec = r#"
/// openapi: 3.0.3
/// info: {title: hello, version: "1"}
/// paths:
///   /hello:
///     get:
///       operationId: hello
///       responses:
///         "200": {description: ok, content: {application/json: {schema: {type: object}}}}
/// "#;
/// async fn hello() -> macaron::Result<serde_json::Value> {
///     Ok(serde_json::json!({"message": "hello world!"}))
/// }
/// let api = macaron::Api::builder().api_source("hello.yaml", spec).handler("hello", hello).build().unwrap();
/// let server = macaron::test::TestServer::start(api).await;
/// let json = server.assert_call_json("GET", "/hello", None, 200).await;
/// assert_eq!(json["message"], "hello world!");
/// server.assert_call_error("GET", "/nope", None, 404, "NOT_FOUND").await;
/// server.stop().await;
/// # }
/// ```
pub struct TestServer {
    url: String,
    port: u16,
    handle: ServerHandle,
    client: reqwest::Client,
    tasks: Option<std::sync::Arc<crate::tasks::TaskRuntime>>,
}

impl TestServer {
    /// Starts the service on a free port. Panics if it cannot (this is test code).
    pub async fn start(api: Api) -> TestServer {
        crate::server::init_test_logs();
        if let Err(e) = api.connect().await {
            panic!("the test service cannot start: {}", e.error_description);
        }
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a free port on 127.0.0.1");
        let port = listener.local_addr().expect("local address").port();
        let server = crate::server::http_server(&api, listener, 1).expect("start the test server");
        let handle = server.handle();
        tokio::spawn(server);
        let tasks = api.tasks();
        if let (Some(tasks), crate::Role::All) = (&tasks, api.options().role) {
            tasks.start_workers();
        }
        let client = reqwest::Client::builder().no_proxy().build().expect("build the HTTP client");
        TestServer { url: format!("http://127.0.0.1:{port}"), port, handle, client, tasks }
    }

    /// The base URL, `http://127.0.0.1:PORT`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The HTTP client the helpers use.
    pub fn client(&self) -> &reqwest::Client {
        &self.client
    }

    /// Starts a request: `server.call("POST", "/v1/pets").json(body).send().await`.
    pub fn call<M>(&self, method: M, path: &str) -> Call
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        let method = Method::try_from(method).expect("a valid HTTP method");
        Call { builder: self.client.request(method, format!("{}{path}", self.url)) }
    }

    /// Calls and asserts the status; returns the JSON body (`null` if empty).
    pub async fn assert_call_json<M>(&self, method: M, path: &str, body: Option<Value>, status: u16) -> Value
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        let mut call = self.call(method, path);
        if let Some(body) = body {
            call = call.json(&body);
        }
        let reply = call.send().await;
        assert_eq!(reply.status, status, "{path}: expected {status}, got {} with {}", reply.status, reply.text());
        reply.json()
    }

    /// Calls and asserts an error reply: status, `error` code, and `status`
    /// in the JSON equal to the HTTP status. Returns the error object.
    pub async fn assert_call_error<M>(
        &self,
        method: M,
        path: &str,
        body: Option<Value>,
        status: u16,
        code: &str,
    ) -> Value
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        let json = self.assert_call_json(method, path, body, status).await;
        assert_eq!(json["error"], code, "{path}: expected error {code}, got {json}");
        assert_eq!(json["status"], status, "{path}: status in the error object: {json}");
        json
    }

    /// Stops the server, letting in-flight requests finish.
    pub async fn stop(self) {
        self.handle.stop(true).await;
        if let Some(tasks) = &self.tasks {
            tasks.stop_workers().await;
        }
    }

    /// How many background tasks are queued, delayed, running and failed
    /// (`None` when the service runs no task queue).
    pub async fn task_stats(&self) -> Option<crate::tasks::Stats> {
        let tasks = self.tasks.as_ref()?;
        tasks.queue.stats().await.ok()
    }
}

/// A request being built (see [`TestServer::call`]).
pub struct Call {
    builder: reqwest::RequestBuilder,
}

impl Call {
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

    /// A header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    /// `Authorization: Bearer <token>`.
    pub fn token(self, token: &str) -> Self {
        self.header("authorization", &format!("Bearer {token}"))
    }

    /// Sends; panics if the server cannot be reached (this is test code).
    pub async fn send(self) -> TestReply {
        let response = self.builder.send().await.expect("send the request");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.bytes().await.expect("read the reply");
        TestReply { status, headers, body }
    }
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
