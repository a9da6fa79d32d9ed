//! The test kit itself: every helper against a real in-process server and
//! against the same server through a remote `TestClient`, reply checks
//! against the spec, `eventually`, GET retries, and `Target`.

use std::future::Future;
use std::io::{Read, Write};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use macaron::auth::User;
use macaron::test::{eventually, Target, TestClient, TestServer};
use macaron::{Api, Path};
use serde_json::{json, Value};

const SPEC: &str = r##"
openapi: 3.0.3
info: {title: kit, version: "1"}
paths:
  /v1/items/{id}:
    get:
      operationId: getItem
      parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
      responses:
        "200": {description: an item, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
        "4XX": {description: an error, content: {application/json: {schema: {$ref: "#/components/schemas/Error"}}}}
  /v1/bad:
    get:
      operationId: bad
      responses:
        "200": {description: an item, content: {application/json: {schema: {$ref: "#/components/schemas/Item"}}}}
  /v1/me:
    get:
      operationId: me
      security: [{bearer: []}]
      responses:
        "200":
          description: the caller
          content: {application/json: {schema: {type: object, required: [id], properties: {id: {type: string}}}}}
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer, bearerFormat: JWT}
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id: {type: integer}
        name: {type: string}
        tags: {type: array, items: {type: string}}
        owner: {type: object}
    Error:
      type: object
      required: [error, status]
      properties: {error: {type: string}, status: {type: integer}}
"##;

async fn get_item(Path(p): Path<Value>) -> macaron::Result<Value> {
    match p["id"].as_i64() {
        Some(1) => Ok(json!({"id": 1, "name": "widget", "tags": ["a", "b"], "owner": {"name": "Ada", "since": 2020}})),
        _ => Err(macaron::Error::new(404, "ITEM_NOT_FOUND", format!("no item {}", p["id"]))),
    }
}

async fn bad() -> macaron::Result<Value> {
    Ok(json!({"id": "one"}))
}

async fn me(user: User) -> macaron::Result<Value> {
    Ok(json!({"id": user.id}))
}

fn config() -> macaron::Config {
    macaron::config::Loader::new()
        .vars(|name| (name == "KIT_JWT_SECRET").then(|| "kit-test-secret-0123456789".to_string()))
        .load_str(
            "macaron.yaml",
            "name: kit\nenv_secrets: [KIT_JWT_SECRET]\njwt_secret: KIT_JWT_SECRET\njwt_issuer: kit.test\njwt_audience: kit\n",
        )
        .unwrap()
}

fn builder() -> macaron::ApiBuilder {
    Api::builder()
        .config(config())
        .api_source("kit.yaml", SPEC)
        .handler("getItem", get_item)
        .handler("bad", bad)
        .handler("me", me)
}

fn start(opts: macaron::Options) -> macaron::Result<Api> {
    builder().options(opts).build()
}

/// The spec as a file, for `with_spec` (in cargo's scratch folder for tests;
/// written aside and renamed, so that concurrent runs never read half of it).
fn spec_file() -> &'static PathBuf {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("macaron-testkit");
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("kit.yaml");
        let aside = dir.join(format!("kit.yaml.{}", std::process::id()));
        std::fs::write(&aside, SPEC).unwrap();
        std::fs::rename(&aside, &file).unwrap();
        file
    })
}

/// The message of the panic `future` must end in.
async fn panic_message<F: Future>(future: F) -> String {
    match AssertUnwindSafe(future).catch_unwind().await {
        Ok(_) => panic!("expected a panic"),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    }
}

/// A port nothing listens on (bound, then released).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test]
async fn helpers_work_in_process_and_remote() {
    let server = TestServer::start(builder().build().unwrap()).await;
    let token = server.token().expect("a token minted in-process for the JWT configuration").to_string();
    let remote = TestClient::new(&format!("{}/", server.url())).unwrap().with_token(&token);
    assert_eq!(remote.url(), server.url());

    for client in [TestClient::clone(&server), remote] {
        let item = client
            .assert_call_dict("GET", "/v1/items/1", None, 200, json!({"name": "widget", "owner": {"name": "Ada"}}))
            .await;
        assert_eq!(item["tags"], json!(["a", "b"]));
        client.assert_call_dict("GET", "/v1/items/1", None, 200, json!({"tags": ["a", "b"], "id": 1.0})).await;

        let message = panic_message(client.assert_call_dict(
            "GET",
            "/v1/items/1",
            None,
            200,
            json!({"name": "widget", "owner": {"name": "Bob"}}),
        ))
        .await;
        assert!(message.starts_with("GET /v1/items/1: the reply does not contain the expected value"), "{message}");
        assert!(message.contains("at `/owner/name`: expected \"Bob\", got \"Ada\""), "{message}");
        let message =
            panic_message(client.assert_call_dict("GET", "/v1/items/1", None, 200, json!({"tags": ["a"]}))).await;
        assert!(message.contains("at `/tags`: expected an array of 1 items, got 2 items"), "{message}");
        let message = panic_message(client.assert_call_dict("GET", "/v1/items/2", None, 200, json!({}))).await;
        assert!(message.contains("GET /v1/items/2: expected 200, got 404"), "{message}");

        client.assert_call_error("GET", "/v1/items/2", None, 404, "ITEM_NOT_FOUND").await;
        client.assert_has_ping().await;
        let version = client.assert_has_version().await;
        assert_eq!((version["name"].as_str(), &version["apis"]), (Some("kit"), &json!(["kit"])));
        assert_eq!(client.assert_has_auth_version().await, version);

        // The token: sent on every call by an authenticated client, never otherwise.
        assert_eq!(client.token(), Some(token.as_str()));
        let me = client.authenticated().assert_call_json("GET", "/v1/me", None, 200).await;
        assert_eq!(me["id"], "test-user");
        let reply = client.call("GET", "/v1/me").token(&token).send().await;
        assert_eq!(reply.json()["id"], "test-user");
    }
    let anonymous = TestClient::new(server.url()).unwrap();
    anonymous.assert_call_error("GET", "/v1/me", None, 401, "AUTHORIZATION_HEADER_MISSING").await;
    let message = panic_message(anonymous.assert_has_auth_version()).await;
    assert!(message.contains("this test needs a token: run `macaron test --gen-token`"), "{message}");
    // A header replaces the client's token.
    let reply = anonymous.with_token(&token).call("GET", "/v1/me").header("Authorization", "Basic xxx").send().await;
    assert_eq!((reply.status, reply.json()["error"].as_str()), (401, Some("TOKEN_INVALID")));
    server.stop().await;
}

#[tokio::test]
async fn auth_version_fails_clearly_without_a_jwt_configuration() {
    // A service without JWT: /auth/version cannot answer 200 with the token.
    let spec = "openapi: 3.0.3\ninfo: {title: open, version: \"1\"}\npaths: {}\n";
    let server = TestServer::start(
        Api::builder().config(macaron::Config::default()).api_source("open.yaml", spec).build().unwrap(),
    )
    .await;
    assert!(server.token().is_none());
    let message = panic_message(server.with_token("x.y.z").assert_has_auth_version()).await;
    assert!(message.starts_with("GET /auth/version with the test token: expected 200, got 500"), "{message}");
    server.stop().await;
}

#[tokio::test]
async fn replies_are_checked_against_the_spec() {
    // The service lets a bad reply through: the client catches it.
    let server = TestServer::start(builder().validate_responses(false).build().unwrap()).await;
    // The in-process client follows the service: reply checks are off with its own.
    assert_eq!(server.assert_call_json("GET", "/v1/bad", None, 200).await, json!({"id": "one"}));
    let checked = TestClient::clone(&server).with_spec(spec_file());
    let remote = TestClient::new(server.url()).unwrap().with_spec(spec_file().parent().unwrap());
    for client in [checked, remote] {
        let message = panic_message(client.assert_call_json("GET", "/v1/bad", None, 200)).await;
        assert!(message.starts_with("GET /v1/bad replied 200 (operation bad, response 200 of "), "{message}");
        assert!(message.contains("spec: reply: \"name\" is a required property"), "{message}");
        // Opting out, and replies that match.
        assert_eq!(client.call("GET", "/v1/bad").unchecked().send().await.status, 200);
        client.assert_call_json("GET", "/v1/items/1?x=1", None, 200).await;
        client.assert_call_error("GET", "/v1/items/2", None, 404, "ITEM_NOT_FOUND").await;
        client.assert_call_error("GET", "/v1/nope", None, 404, "NOT_FOUND").await;
        client.assert_has_version().await;
    }
    server.stop().await;

    // With its own checks on, the service's replies are checked by its client too.
    let server = TestServer::start(builder().build().unwrap()).await;
    server.assert_call_error("GET", "/v1/bad", None, 500, "BAD_RESPONSE").await;
    server.assert_call_error("GET", "/v1/items/x", None, 400, "INVALID_PARAMETER").await;
    server.stop().await;

    let message =
        panic_message(async { TestClient::new("http://127.0.0.1:1").unwrap().with_spec("/no/such/spec.yaml") }).await;
    assert!(message.contains("/no/such/spec.yaml: no such file or folder"), "{message}");
}

#[tokio::test]
async fn eventually_waits_then_gives_up() {
    let polls = AtomicU32::new(0);
    let started = Instant::now();
    let n = eventually(Duration::from_secs(5), "the fourth poll", || async {
        let n = polls.fetch_add(1, Ordering::SeqCst) + 1;
        (n == 4).then_some(n)
    })
    .await;
    assert_eq!(n, 4);
    // 20 + 40 + 80 ms of backoff, not a fixed sleep of the whole timeout.
    assert!(started.elapsed() < Duration::from_secs(2), "{:?}", started.elapsed());

    let started = Instant::now();
    let message =
        panic_message(eventually(Duration::from_millis(150), "the impossible", || async { None::<()> })).await;
    assert_eq!(message, "eventually: the impossible did not happen within 150ms");
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn get_is_retried_until_the_service_listens() {
    let port = free_port();
    let client = TestClient::new(&format!("http://127.0.0.1:{port}")).unwrap();
    // The service comes up 300 ms after the first attempt.
    let late = tokio::task::spawn_blocking(move || {
        std::thread::sleep(Duration::from_millis(300));
        let listener = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = stream.read(&mut buf).unwrap();
            assert!(n > 0, "the client closed the connection");
            request.extend_from_slice(&buf[..n]);
        }
        let reply = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{\"up\":true}";
        stream.write_all(reply.as_bytes()).unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    let started = Instant::now();
    let reply = client.call("GET", "/ping").send().await;
    assert_eq!((reply.status, reply.json()), (200, json!({"up": true})));
    assert!(started.elapsed() >= Duration::from_millis(250), "{:?}", started.elapsed());
    assert!(late.await.unwrap().starts_with("GET /ping HTTP/1.1"));

    // Other methods are not retried: the failure names the URL at once.
    let url = format!("http://127.0.0.1:{}/v1/items", free_port());
    let started = Instant::now();
    let message = panic_message(TestClient::new(&url[..url.len() - 9]).unwrap().call("POST", "/v1/items").send()).await;
    assert!(message.starts_with(&format!("POST {url}: the service cannot be reached")), "{message}");
    assert!(!message.contains("attempts"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
}

#[tokio::test]
async fn target_runs_the_service_in_process_without_a_url() {
    let target = Target::from_env_or(start).await;
    assert_eq!(target.is_remote(), std::env::var("MACARON_TEST_URL").is_ok_and(|u| !u.is_empty()));
    target.assert_has_ping().await;
    if !target.is_remote() {
        assert_eq!(target.assert_has_version().await["name"], "kit");
        target.assert_has_auth_version().await;
    }
    target.stop().await;
}

#[test]
fn clients_and_their_futures_can_move_between_threads() {
    fn send_sync<T: Send + Sync>(_: &T) {}
    fn send<T: Send>(_: &T) {}
    let client = TestClient::new("http://127.0.0.1:1").unwrap();
    send_sync(&client);
    send(&client.call("GET", "/ping").send());
    send(&client.assert_call_dict("GET", "/ping", None, 200, json!({})));
    send(&client.assert_has_auth_version());
    send(&Target::from_env_or(start));
}
