//! [`Target`]: the service under test, at a URL or in-process.

use std::ops::Deref;
use std::path::PathBuf;

use super::client::TestClient;
use super::server::TestServer;
use crate::{Api, Options, Result};

/// The service acceptance tests run against: the instance at
/// `MACARON_TEST_URL` when it is set (`macaron test`), else the service
/// started in-process (`cargo test`). Dereferences to its [`TestClient`].
///
/// ```
/// # const SPEC: &str = r#"
/// # openapi: 3.0.3
/// # info: {title: hello, version: "1"}
/// # paths:
/// #   /hello:
/// #     get:
/// #       operationId: hello
/// #       responses: {"200": {description: ok, content: {application/json: {schema: {type: object}}}}}
/// # "#;
/// # async fn hello() -> macaron::Result<serde_json::Value> { Ok(serde_json::json!({"message": "hello world!"})) }
/// // The service's own `start`, as its `main` gives it to `letsgo`.
/// fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
///     macaron::Api::builder().options(opts).api_source("hello.yaml", SPEC).handler("hello", hello).build()
/// }
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// // In tests/acceptance.rs: #[tokio::test] async fn says_hello() { ... }
/// let target = macaron::test::Target::from_env_or(start).await;
/// target.assert_has_ping().await;
/// target.assert_call_dict("GET", "/hello", None, 200, serde_json::json!({"message": "hello world!"})).await;
/// target.stop().await;
/// # }
/// ```
#[derive(Debug)]
pub struct Target {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    Remote(TestClient),
    Local(TestServer),
}

impl Deref for Target {
    type Target = TestClient;

    fn deref(&self) -> &TestClient {
        match &self.inner {
            Inner::Remote(client) => client,
            Inner::Local(server) => server,
        }
    }
}

impl Target {
    /// With `MACARON_TEST_URL` set, the client of [`TestClient::from_env`].
    /// Otherwise the service in-process, as `letsgo` would run it: the
    /// configuration from `$CARGO_MANIFEST_DIR/macaron.yaml` (absent is
    /// fine) and its overlay for `MACARON_ENV` (else `dev`), installed as
    /// [`crate::config()`]; then `start` with default options (but that
    /// environment), served by [`TestServer::start`]. Panics, saying why,
    /// when the configuration or the service does not load (this is test
    /// code).
    pub async fn from_env_or(start: fn(Options) -> Result<Api>) -> Target {
        if let Some(client) = TestClient::from_env() {
            return Target { inner: Inner::Remote(client) };
        }
        let dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
        let path = dir.join("macaron.yaml");
        let env = std::env::var("MACARON_ENV").ok().filter(|e| !e.trim().is_empty()).unwrap_or_else(|| "dev".into());
        let loader = macaron_config::Loader::new().path(&path).path_optional(true).env(Some(env.clone()));
        let config = match loader.load() {
            Ok(config) => config,
            Err(e) => panic!("the service's configuration ({}) does not load: {e}", path.display()),
        };
        macaron_config::install(config);
        let options = Options { env, ..Options::default() };
        let api = match start(options) {
            Ok(api) => api,
            Err(e) => panic!("the service does not build: {}", e.error_description),
        };
        Target { inner: Inner::Local(TestServer::start(api).await) }
    }

    /// True when the target is a remote instance (`MACARON_TEST_URL`).
    pub fn is_remote(&self) -> bool {
        matches!(self.inner, Inner::Remote(_))
    }

    /// Stops the in-process server (nothing for a remote instance).
    pub async fn stop(self) {
        if let Inner::Local(server) = self.inner {
            server.stop().await;
        }
    }
}
