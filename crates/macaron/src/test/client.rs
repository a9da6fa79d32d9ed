//! [`TestClient`]: a service at a base URL, and the assertion helpers.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::call::{Call, TestReply};
use super::spec_check::{self, SpecCheck};
use super::subset;
use super::Method;

/// How long a request may take before it fails (and, for GET and HEAD, is retried).
const TIMEOUT: Duration = Duration::from_secs(60);

/// A service at a base URL: an HTTP client (no proxy), the test token, and
/// the specs replies are checked against.
///
/// Cloning is cheap. A [`TestServer`](super::TestServer) dereferences to
/// the client calling it, so the same helpers work in-process and against
/// a deployed instance ([`TestClient::from_env`], [`super::Target`]).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use macaron::test::{TestClient, TestServer};
/// use serde_json::json;
///
/// let spec = r#"
/// openapi: 3.0.3
/// info: {title: pets, version: "1"}
/// paths:
///   /pets/{id}:
///     get:
///       operationId: getPet
///       parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
///       responses:
///         "200": {description: a pet, content: {application/json: {schema: {type: object}}}}
/// "#;
/// async fn get_pet(macaron::Path(p): macaron::Path<serde_json::Value>) -> macaron::Result<serde_json::Value> {
///     Ok(json!({"id": p["id"], "name": "Rex", "tags": ["dog", "good"], "owner": {"name": "Ada", "since": 2020}}))
/// }
/// let api = macaron::Api::builder().api_source("pets.yaml", spec).handler("getPet", get_pet).build().unwrap();
/// let server = TestServer::start(api).await;
///
/// // The same server from outside, as `macaron test` would reach a deployed one.
/// let remote = TestClient::new(server.url()).unwrap();
/// for client in [&*server, &remote] {
///     // Only the keys given are compared (arrays: item by item, same length).
///     let pet = client.assert_call_dict("GET", "/pets/1", None, 200, json!({"name": "Rex", "owner": {"name": "Ada"}})).await;
///     assert_eq!(pet["tags"], json!(["dog", "good"]));
///     client.assert_has_ping().await;
/// }
/// server.stop().await;
/// # }
/// ```
#[derive(Clone)]
pub struct TestClient {
    url: Arc<str>,
    http: reqwest::Client,
    insecure: bool,
    token: Option<Arc<str>>,
    bearer: Option<Arc<str>>,
    checker: Option<Arc<SpecCheck>>,
}

impl std::fmt::Debug for TestClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestClient")
            .field("url", &self.url)
            .field("insecure", &self.insecure)
            .field("token", &self.token.as_ref().map(|_| "***"))
            .field("sends_token", &self.bearer.is_some())
            .field("specs", &self.checker.as_ref().map(|c| c.names()))
            .finish()
    }
}

fn http_client(insecure: bool) -> Result<reqwest::Client, String> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(TIMEOUT)
        .danger_accept_invalid_certs(insecure)
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))
}

/// The base URL without its trailing `/`, if it is an `http://` or `https://` URL with a host.
fn base_url(url: &str) -> Result<String, String> {
    let trimmed = url.trim().trim_end_matches('/');
    let usage = "give the service's base URL, such as http://127.0.0.1:8080 or https://pets.example.com";
    let parsed = reqwest::Url::parse(trimmed).map_err(|e| format!("`{url}` is not a URL ({e}): {usage}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("`{url}` is not an http:// or https:// URL: {usage}"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("`{url}` has no host: {usage}"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(format!("`{url}` has a query or a fragment: {usage}"));
    }
    Ok(trimmed.to_string())
}

/// A client from variables read by `var` (the process environment for
/// [`TestClient::from_env`]): `None` when `MACARON_TEST_URL` is unset or empty.
pub(crate) fn from_vars(var: &dyn Fn(&str) -> Option<String>) -> Result<Option<TestClient>, String> {
    let get = |name: &str| var(name).filter(|v| !v.trim().is_empty());
    let Some(url) = get("MACARON_TEST_URL") else { return Ok(None) };
    let mut client = TestClient::new(&url).map_err(|e| format!("MACARON_TEST_URL: {e}"))?;
    if let Some(flag) = get("MACARON_TEST_INSECURE") {
        let insecure = match flag.trim() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            other => return Err(format!("MACARON_TEST_INSECURE: `{other}` is not 1 or 0")),
        };
        client.http = http_client(insecure)?;
        client.insecure = insecure;
    }
    client.token = get("MACARON_TEST_TOKEN").map(|t| Arc::from(t.trim()));
    let specs = match (get("MACARON_TEST_SPECS"), get("CARGO_MANIFEST_DIR")) {
        (Some(path), _) => Some(spec_check::load(Path::new(&path)).map_err(|e| format!("MACARON_TEST_SPECS: {e}"))?),
        (None, Some(dir)) if Path::new(&dir).join("apis").is_dir() => {
            Some(spec_check::load(&Path::new(&dir).join("apis"))?)
        }
        (None, _) => None,
    };
    if let Some(specs) = specs {
        client.checker = Some(Arc::new(SpecCheck::new(specs)?));
    }
    Ok(Some(client))
}

/// The `Method` a helper's argument names; panics on an invalid one (test code).
pub(crate) fn method<M>(method: M) -> Method
where
    Method: TryFrom<M>,
    <Method as TryFrom<M>>::Error: std::fmt::Debug,
{
    match Method::try_from(method) {
        Ok(method) => method,
        Err(e) => panic!("not a valid HTTP method: {e:?}"),
    }
}

impl TestClient {
    /// A client of the service at `url` (`http://` or `https://`; a trailing
    /// `/` is ignored), with no token and no spec. HTTPS is used only when
    /// the URL says so.
    ///
    /// ```
    /// let client = macaron::test::TestClient::new("https://pets.example.com/").unwrap();
    /// assert_eq!(client.url(), "https://pets.example.com");
    /// assert!(macaron::test::TestClient::new("pets.example.com:443").is_err());
    /// ```
    pub fn new(url: &str) -> Result<TestClient, String> {
        let url = base_url(url)?;
        Ok(TestClient {
            url: Arc::from(url),
            http: http_client(false)?,
            insecure: false,
            token: None,
            bearer: None,
            checker: None,
        })
    }

    /// The client `macaron test` sets up: `None` when `MACARON_TEST_URL` is
    /// unset or empty. The token is `MACARON_TEST_TOKEN`; with
    /// `MACARON_TEST_INSECURE=1` invalid TLS certificates are accepted;
    /// replies are checked against the specs in `MACARON_TEST_SPECS` (a
    /// file, or a folder of `.yaml`, `.yml` and `.json` files), else in the
    /// `apis/` folder of the package under test (`$CARGO_MANIFEST_DIR/apis`),
    /// when there is one. Panics, saying why, on a bad URL or a spec that does
    /// not load (this is test code).
    pub fn from_env() -> Option<TestClient> {
        match from_vars(&|name| std::env::var(name).ok()) {
            Ok(client) => client,
            Err(e) => panic!("the test target is misconfigured: {e}"),
        }
    }

    /// Accepts invalid TLS certificates (self-signed, expired, another
    /// host's) when `yes`: for test environments only.
    pub fn insecure(mut self, yes: bool) -> Self {
        self.http = match http_client(yes) {
            Ok(http) => http,
            Err(e) => panic!("{e}"),
        };
        self.insecure = yes;
        self
    }

    /// Checks replies against the spec in this file, or the specs in this
    /// folder (`.yaml`, `.yml`, `.json`), besides the ones already known.
    /// Panics, saying why, when one does not load.
    pub fn with_spec(mut self, path: impl AsRef<Path>) -> Self {
        let path = path.as_ref();
        let mut specs = self.checker.as_ref().map(|c| c.specs().to_vec()).unwrap_or_default();
        match spec_check::load(path) {
            Ok(more) => specs.extend(more),
            Err(e) => panic!("the test client cannot load the spec: {e}"),
        }
        self.checker = match SpecCheck::new(specs) {
            Ok(checker) => Some(Arc::new(checker)),
            Err(e) => panic!("the test client cannot use the spec {}: {e}", path.display()),
        };
        self
    }

    /// A client checking replies with this checker (the in-process server's specs).
    pub(crate) fn with_checker(mut self, checker: Option<SpecCheck>) -> Self {
        self.checker = checker.map(Arc::new);
        self
    }

    /// A client whose test token is this one (minted in-process), not sent by default.
    pub(crate) fn with_test_token(mut self, token: Option<String>) -> Self {
        self.token = token.map(Arc::from);
        self
    }

    /// The base URL, without a trailing `/` (`http://127.0.0.1:PORT` in-process).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The HTTP client the helpers use.
    pub fn client(&self) -> &reqwest::Client {
        &self.http
    }

    /// The test token: `MACARON_TEST_TOKEN` (`macaron test --gen-token` or
    /// `--token`), one minted in-process for user `test-user` when the
    /// service has a JWT configuration, or the one given to
    /// [`TestClient::with_token`].
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The test token; panics when there is none (this is test code).
    pub fn require_token(&self) -> &str {
        match self.token() {
            Some(token) => token,
            None => panic!(
                "this test needs a token: run `macaron test --gen-token` or `--token TOKEN` (MACARON_TEST_TOKEN)"
            ),
        }
    }

    /// A client that sends `Authorization: Bearer <token>` with every call
    /// and helper, and whose [`TestClient::token`] is `token`.
    pub fn with_token(&self, token: &str) -> TestClient {
        let token: Arc<str> = Arc::from(token);
        TestClient { token: Some(token.clone()), bearer: Some(token), ..self.clone() }
    }

    /// A client sending the test token with every call: `with_token(require_token())`.
    pub fn authenticated(&self) -> TestClient {
        self.with_token(self.require_token())
    }

    /// The token sent with every call, if any.
    pub(crate) fn bearer(&self) -> Option<&str> {
        self.bearer.as_deref()
    }

    /// The spec checker, if any.
    pub(crate) fn checker(&self) -> Option<&SpecCheck> {
        self.checker.as_deref()
    }

    /// Starts a request: `client.call("POST", "/v1/pets").json(&body).send().await`.
    /// `method` is a `&str` such as `"POST"`, or a [`Method`].
    pub fn call<M>(&self, method: M, path: &str) -> Call
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        Call::new(self, self::method(method), path)
    }

    async fn call_with(&self, method: &Method, path: &str, body: Option<Value>) -> TestReply {
        let mut call = self.call(method.clone(), path);
        if let Some(body) = body {
            call = call.json(&body);
        }
        call.send().await
    }

    /// Calls with an optional JSON body and asserts the status; returns the
    /// JSON body (`null` if empty or not JSON). PyMacaron's `assertCallReturnJson`.
    pub async fn assert_call_json<M>(&self, method: M, path: &str, body: Option<Value>, status: u16) -> Value
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        let method = self::method(method);
        let reply = self.call_with(&method, path, body).await;
        expect_status(&format!("{method} {path}"), &reply, status);
        reply.json()
    }

    /// Like [`TestClient::assert_call_json`], and asserts that `expected` is
    /// a subset of the reply: every key of an expected object is in the
    /// reply with a subset value, an expected array has the reply's length
    /// and each item is a subset of the reply's, other values are equal.
    /// The failure names the first JSON pointer that differs. Returns the
    /// whole reply. PyMacaron's `assertCallReturnDict`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let spec = r#"
    /// # openapi: 3.0.3
    /// # info: {title: pets, version: "1"}
    /// # paths:
    /// #   /pets/1:
    /// #     get:
    /// #       operationId: getPet
    /// #       responses: {"200": {description: a pet, content: {application/json: {schema: {type: object}}}}}
    /// # "#;
    /// # async fn get_pet() -> macaron::Result<serde_json::Value> {
    /// #     Ok(serde_json::json!({"id": 1, "name": "Rex", "tags": ["dog"], "created": "2024-05-01T10:00:00Z"}))
    /// # }
    /// # let api = macaron::Api::builder().api_source("pets.yaml", spec).handler("getPet", get_pet).build().unwrap();
    /// # let server = macaron::test::TestServer::start(api).await;
    /// use serde_json::json;
    /// // The reply is {"id": 1, "name": "Rex", "tags": ["dog"], "created": "2024-..."}:
    /// // the creation date is not compared, the rest is.
    /// let pet = server.assert_call_dict("GET", "/pets/1", None, 200, json!({"id": 1, "name": "Rex", "tags": ["dog"]})).await;
    /// assert!(pet["created"].is_string());
    /// # server.stop().await;
    /// # }
    /// ```
    pub async fn assert_call_dict<M>(
        &self,
        method: M,
        path: &str,
        body: Option<Value>,
        status: u16,
        expected: Value,
    ) -> Value
    where
        Method: TryFrom<M>,
        <Method as TryFrom<M>>::Error: std::fmt::Debug,
    {
        let method = self::method(method);
        let json = self.assert_call_json::<Method>(method.clone(), path, body, status).await;
        if let Some(difference) = subset::first_difference(&expected, &json) {
            panic!("{method} {path}: the reply does not contain the expected value: {difference}\n  the reply: {json}");
        }
        json
    }

    /// Calls and asserts an error reply: the status, the `error` code, and
    /// `status` in the JSON equal to the HTTP status. Returns the error
    /// object. PyMacaron's `assertCallReturnError`.
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
        let method = self::method(method);
        let reply = self.call_with(&method, path, body).await;
        expect_error(&format!("{method} {path}"), &reply, status, code)
    }

    /// Asserts that `GET /ping` answers 200 with a JSON object. PyMacaron's `assertHasPing`.
    pub async fn assert_has_ping(&self) {
        let reply = self.call(Method::GET, "/ping").send().await;
        expect_status("GET /ping", &reply, 200);
        let json = reply.json();
        assert!(json.is_object(), "GET /ping: expected a JSON object, got {}", reply.text());
    }

    /// Asserts that `GET /version` answers 200 with a string `name` and
    /// `version` and an array `apis`; returns it. PyMacaron's `assertHasVersion`.
    pub async fn assert_has_version(&self) -> Value {
        let reply = self.call(Method::GET, "/version").send().await;
        expect_status("GET /version", &reply, 200);
        expect_version("GET /version", reply.json())
    }

    /// Asserts that `GET /auth/version` answers 200 with the test token
    /// ([`TestClient::require_token`]) and the same object as `/version`;
    /// 401 `AUTHORIZATION_HEADER_MISSING` without an `Authorization`
    /// header; 401 `TOKEN_INVALID` with malformed ones (`Bearer not-a-jwt`,
    /// `Bearer a.b.c`, the token with its signature altered, `Basic xxx`).
    /// Returns the 200 body. PyMacaron's `assertHasAuthVersion`.
    pub async fn assert_has_auth_version(&self) -> Value {
        let token = self.require_token();
        let what = "GET /auth/version";
        let reply = self.call(Method::GET, "/auth/version").token(token).send().await;
        expect_status(&format!("{what} with the test token"), &reply, 200);
        let json = expect_version(what, reply.json());

        let reply = self.call(Method::GET, "/auth/version").without_token().send().await;
        expect_error(&format!("{what} without a token"), &reply, 401, "AUTHORIZATION_HEADER_MISSING");

        let mut malformed = vec!["Bearer not-a-jwt".to_string(), "Bearer a.b.c".to_string()];
        if let Some(tampered) = tampered(token) {
            malformed.push(format!("Bearer {tampered}"));
        }
        malformed.push("Basic xxx".to_string());
        for header in &malformed {
            let reply = self.call(Method::GET, "/auth/version").header("authorization", header).send().await;
            let shown = if header.len() > 30 { "Bearer <the test token, signature altered>" } else { header };
            expect_error(&format!("{what} with `Authorization: {shown}`"), &reply, 401, "TOKEN_INVALID");
        }
        json
    }
}

/// The token with the first character of its signature changed (every bit
/// of that character counts, unlike the last one's), if it is a JWT.
fn tampered(token: &str) -> Option<String> {
    let (head, signature) = token.rsplit_once('.')?;
    if !head.contains('.') {
        return None;
    }
    let mut chars = signature.chars();
    let first = chars.next()?;
    let other = if first == 'A' { 'B' } else { 'A' };
    Some(format!("{head}.{other}{}", chars.as_str()))
}

fn expect_status(what: &str, reply: &TestReply, status: u16) {
    assert!(reply.status == status, "{what}: expected {status}, got {} with {}", reply.status, reply.text());
}

fn expect_error(what: &str, reply: &TestReply, status: u16, code: &str) -> Value {
    expect_status(what, reply, status);
    let json = reply.json();
    assert!(json["error"] == code, "{what}: expected error {code}, got {json}");
    assert!(json["status"] == status, "{what}: status in the error object is not {status}: {json}");
    json
}

fn expect_version(what: &str, json: Value) -> Value {
    let ok = json["name"].is_string() && json["version"].is_string() && json["apis"].is_array();
    assert!(ok, "{what}: expected an object with a string `name` and `version` and an array `apis`, got {json}");
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn client(pairs: &[(&str, &str)]) -> Result<Option<TestClient>, String> {
        from_vars(&vars(pairs))
    }

    #[test]
    fn no_url_no_client() {
        assert!(client(&[]).unwrap().is_none());
        assert!(client(&[("MACARON_TEST_URL", ""), ("MACARON_TEST_TOKEN", "t")]).unwrap().is_none());
    }

    #[test]
    fn url_token_and_insecure() {
        let c = client(&[("MACARON_TEST_URL", "https://svc.example.com/"), ("MACARON_TEST_TOKEN", "abc")])
            .unwrap()
            .unwrap();
        assert_eq!((c.url(), c.token(), c.insecure, c.bearer()), ("https://svc.example.com", Some("abc"), false, None));
        assert!(c.checker().is_none());
        let c =
            client(&[("MACARON_TEST_URL", "http://127.0.0.1:8080"), ("MACARON_TEST_INSECURE", "1")]).unwrap().unwrap();
        assert!(c.insecure && c.token().is_none());
        let e = client(&[("MACARON_TEST_URL", "http://a"), ("MACARON_TEST_INSECURE", "maybe")]).unwrap_err();
        assert!(e.contains("MACARON_TEST_INSECURE"), "{e}");
    }

    #[test]
    fn bad_urls_are_refused_clearly() {
        for bad in ["svc.example.com", "ftp://svc.example.com", "http://", "http://a/?q=1", "localhost:8080"] {
            let e = client(&[("MACARON_TEST_URL", bad)]).unwrap_err();
            assert!(e.starts_with("MACARON_TEST_URL: "), "{bad}: {e}");
            assert!(e.contains(bad), "{bad}: {e}");
        }
        assert_eq!(TestClient::new("http://h:1/base/").unwrap().url(), "http://h:1/base");
    }

    #[test]
    fn specs_from_the_variable_or_the_package() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis");
        let file = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/secure.yaml");
        let c = client(&[("MACARON_TEST_URL", "http://a"), ("MACARON_TEST_SPECS", file)]).unwrap().unwrap();
        assert_eq!(c.checker().map(|c| c.names()), Some(vec!["secure".to_string()]));
        // Without MACARON_TEST_SPECS: the package's apis/ folder, when there is one.
        let tests = concat!(env!("CARGO_MANIFEST_DIR"), "/tests");
        let c = client(&[("MACARON_TEST_URL", "http://a"), ("CARGO_MANIFEST_DIR", tests)]).unwrap().unwrap();
        assert!(c.checker().is_some_and(|c| c.names().contains(&"shop".to_string())));
        let c = client(&[("MACARON_TEST_URL", "http://a"), ("CARGO_MANIFEST_DIR", dir)]).unwrap().unwrap();
        assert!(c.checker().is_none());
        let e = client(&[("MACARON_TEST_URL", "http://a"), ("MACARON_TEST_SPECS", "/no/such/spec.yaml")]).unwrap_err();
        assert!(e.starts_with("MACARON_TEST_SPECS: ") && e.contains("/no/such/spec.yaml"), "{e}");
    }

    #[test]
    fn tokens() {
        let c = TestClient::new("http://a").unwrap();
        assert!(c.token().is_none());
        let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.require_token().to_string()));
        let payload = panic.unwrap_err();
        let message =
            payload.downcast_ref::<&str>().map(|s| s.to_string()).or(payload.downcast_ref::<String>().cloned());
        let message = message.unwrap_or_default();
        assert!(message.contains("macaron test --gen-token"), "{message}");
        let with = c.with_token("t1");
        assert_eq!((with.token(), with.bearer(), with.authenticated().bearer()), (Some("t1"), Some("t1"), Some("t1")));
        assert_eq!(tampered("h.p.Asig").as_deref(), Some("h.p.Bsig"));
        assert_eq!(tampered("h.p.sig").as_deref(), Some("h.p.Aig"));
        assert_eq!(tampered("opaque"), None);
    }
}
