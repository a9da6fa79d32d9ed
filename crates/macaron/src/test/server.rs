//! [`TestServer`]: the service in-process, on a free local port.

use std::net::TcpListener;
use std::ops::Deref;
use std::sync::Arc;

use actix_web::dev::ServerHandle;

use super::client::TestClient;
use super::spec_check::SpecCheck;
use crate::service::Api;

/// The user the in-process test token is for.
const TEST_USER: &str = "test-user";

/// A service running in-process on `127.0.0.1`, and the [`TestClient`]
/// calling it (every helper of the client is the server's too).
///
/// When the service has a JWT configuration, the client's
/// [`TestClient::token`] is a token for user `test-user` (what
/// `macaron test --gen-token` gives a remote run); unless the service was
/// built with `validate_responses(false)`, the client checks replies
/// against the service's own specs.
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
/// server.assert_has_ping().await;
/// assert_eq!(server.assert_has_version().await["apis"], serde_json::json!(["hello"]));
/// server.stop().await;
/// # }
/// ```
pub struct TestServer {
    client: TestClient,
    port: u16,
    handle: ServerHandle,
    tasks: Option<Arc<crate::tasks::TaskRuntime>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer").field("client", &self.client).field("port", &self.port).finish_non_exhaustive()
    }
}

impl Deref for TestServer {
    type Target = TestClient;

    fn deref(&self) -> &TestClient {
        &self.client
    }
}

impl TestServer {
    /// Starts the service on a free port. Panics if it cannot (this is test code).
    pub async fn start(api: Api) -> TestServer {
        crate::process::logs::init_test_logs();
        if let Err(e) = api.connect().await {
            panic!("the test service cannot start: {}", e.error_description);
        }
        let listener = match TcpListener::bind("127.0.0.1:0") {
            Ok(listener) => listener,
            Err(e) => panic!("the test service cannot bind a free port on 127.0.0.1: {e}"),
        };
        let port = match listener.local_addr() {
            Ok(address) => address.port(),
            Err(e) => panic!("the test service has no local address: {e}"),
        };
        let server = match crate::http::server::http_server(&api, listener, 1) {
            Ok(server) => server,
            Err(e) => panic!("the test service cannot start its HTTP server: {e}"),
        };
        let handle = server.handle();
        tokio::spawn(server);
        let tasks = api.tasks();
        if let (Some(tasks), crate::Role::All) = (&tasks, api.options().role) {
            tasks.start_workers();
        }
        let service = &api.service;
        let token = service.jwt.as_ref().and_then(|jwt| match jwt.token(TEST_USER).sign() {
            Ok(token) => Some(token),
            Err(e) => {
                tracing::warn!("the test service cannot mint a test token: {e}");
                None
            }
        });
        let checker = if service.validate_responses {
            match SpecCheck::new(service.apis.iter().map(|a| a.spec.clone()).collect()) {
                Ok(checker) => Some(checker),
                Err(e) => panic!("the test client cannot compile the service's specs: {e}"),
            }
        } else {
            None
        };
        let client = match TestClient::new(&format!("http://127.0.0.1:{port}")) {
            Ok(client) => client.with_test_token(token).with_checker(checker),
            Err(e) => panic!("the test client cannot be built: {e}"),
        };
        TestServer { client, port, handle, tasks }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
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
