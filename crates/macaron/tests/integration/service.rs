//! What every service has: built-in endpoints, request ids, compression,
//! CORS, metrics.

use crate::common;

use std::io::Read;

use serde_json::json;

#[tokio::test]
async fn ping_and_version() {
    let (s, _) = common::start().await;
    assert_eq!(s.assert_call_json("GET", "/ping", None, 200).await, json!({}));
    let v = s.assert_call_json("GET", "/version", None, 200).await;
    assert_eq!(v["name"], "shop");
    assert_eq!(v["apis"], json!(["shop"]));
    assert_eq!(v["env"], "dev");
    let version = v["version"].as_str().unwrap();
    assert!(version == "1.2.3" || version.starts_with("1.2.3+"), "{version}");

    std::env::set_var("MACARON_VERSION", "9.9.9-override");
    let api = common::builder(&common::Reports::default()).build().unwrap();
    std::env::remove_var("MACARON_VERSION");
    let s = macaron::test::TestServer::start(api).await;
    assert_eq!(s.assert_call_json("GET", "/version", None, 200).await["version"], "9.9.9-override");
}

/// A spec may document the built-ins: an operation at a built-in's path
/// without a handler is served by the built-in; one with a handler wins.
#[tokio::test]
async fn specs_may_document_the_builtins() {
    const SPEC: &str = r#"
openapi: 3.0.3
info: {title: documented, version: "1"}
paths:
  /ping:
    get:
      operationId: ping
      responses: {"200": {description: pong, content: {application/json: {schema: {type: object}}}}}
  /version:
    get:
      operationId: version
      responses: {"200": {description: the version}}
  /hello:
    get:
      operationId: hello
      responses: {"200": {description: hi}}
"#;
    async fn hello() -> macaron::Result<serde_json::Value> {
        Ok(json!("hi"))
    }
    async fn my_version() -> macaron::Result<serde_json::Value> {
        Ok(json!({"mine": true}))
    }
    let api = macaron::Api::builder().name("documented").api_source("documented.yaml", SPEC).handler("hello", hello);
    let s = macaron::test::TestServer::start(api.build().unwrap()).await;
    assert_eq!(s.assert_call_json("GET", "/ping", None, 200).await, json!({}));
    assert_eq!(s.assert_call_json("GET", "/version", None, 200).await["name"], "documented");
    assert_eq!(s.assert_call_json("GET", "/hello", None, 200).await, json!("hi"));

    let api = macaron::Api::builder()
        .name("documented")
        .api_source("documented.yaml", SPEC)
        .handler("hello", hello)
        .handler("version", my_version);
    let s = macaron::test::TestServer::start(api.build().unwrap()).await;
    assert_eq!(s.assert_call_json("GET", "/version", None, 200).await, json!({"mine": true}));
    assert_eq!(s.assert_call_json("GET", "/ping", None, 200).await, json!({}));

    // Anywhere else, an operation without a handler stops the build.
    let err = macaron::Api::builder().api_source("documented.yaml", SPEC).build().unwrap_err();
    assert!(err.error_description.contains("operation 'hello'"), "{}", err.error_description);
    assert!(!err.error_description.contains("operation 'ping'"), "{}", err.error_description);
}

#[tokio::test]
async fn docs_are_served_locally() {
    let (s, _) = common::start().await;
    let spec = s.call("GET", "/doc/shop.yaml").send().await;
    assert_eq!(spec.status, 200);
    let on_disk = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/shop.yaml")).unwrap();
    assert_eq!(spec.body.as_ref(), on_disk.as_slice());

    let page = s.call("GET", "/doc/shop").send().await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").unwrap().starts_with("text/html"));
    let html = page.text();
    assert!(html.contains("/doc/shop.yaml") && html.contains("SwaggerUIBundle"), "{html}");
    assert!(!html.contains("http://") && !html.contains("https://"), "the page must not load anything remote");
    for asset in ["/doc/_ui/swagger-ui-bundle.js", "/doc/_ui/swagger-ui.css"] {
        let r = s.call("GET", asset).send().await;
        assert_eq!(r.status, 200, "{asset}");
        assert!(r.body.len() > 10_000, "{asset}");
        assert!(r.header("x-request-id").is_some(), "{asset} has no request id");
    }
    // Anything else under the assets' folder is the service's own JSON 404.
    let r = s.call("GET", "/doc/_ui/nothing.js").send().await;
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["error"], "NOT_FOUND");
    assert!(r.header("x-request-id").is_some());
}

#[tokio::test]
async fn request_ids_are_echoed_or_made() {
    let (s, _) = common::start().await;
    let r = s.call("GET", "/ping").header("X-Request-Id", "abc-123").send().await;
    assert_eq!(r.header("x-request-id"), Some("abc-123"));
    let r = s.call("GET", "/v1/nowhere").send().await;
    let id = r.header("x-request-id").unwrap();
    assert!(uuid_like(id), "{id}");
    let r = s.call("POST", "/v1/items").json(&json!({"price": -1})).header("X-Request-Id", "bad-1").send().await;
    assert_eq!((r.status, r.header("x-request-id")), (400, Some("bad-1")));
}

fn uuid_like(text: &str) -> bool {
    text.len() == 36 && text.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn replies_are_gzipped_on_request() {
    let (s, _) = common::start().await;
    let r = s.call("GET", "/v1/big").header("Accept-Encoding", "gzip").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    let mut text = String::new();
    flate2::read::GzDecoder::new(r.body.as_ref()).read_to_string(&mut text).unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(json["items"].as_array().unwrap().len(), 500);
    assert!(r.body.len() < text.len() / 4);
    let plain = s.call("GET", "/v1/big").send().await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(plain.json(), json);
}

#[tokio::test]
async fn metrics_count_by_operation_and_status() {
    let (s, _) = common::start().await;
    s.assert_call_json("GET", "/v1/items/1", None, 200).await;
    s.assert_call_json("GET", "/v1/items/9", None, 404).await;
    s.assert_call_json("GET", "/v1/items/9", None, 404).await;
    s.assert_call_json("GET", "/v1/items/x", None, 400).await;
    let text = s.call("GET", "/metrics").send().await.text();
    assert!(text.contains(r#"macaron_requests_total{operation="getItem",status="200"} 1"#), "{text}");
    assert!(text.contains(r#"macaron_requests_total{operation="getItem",status="404"} 2"#), "{text}");
    assert!(text.contains(r#"macaron_requests_total{operation="getItem",status="400"} 1"#), "{text}");
    assert!(text.contains(r#"macaron_request_duration_seconds_count{operation="getItem",status="200"} 1"#), "{text}");
}

#[tokio::test]
async fn no_content_and_head() {
    let (s, _) = common::start().await;
    let r = s.call("DELETE", "/v1/nothing").send().await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let r = s.call("HEAD", "/v1/items/1").send().await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn cors_for_configured_origins() {
    let api = common::builder(&common::Reports::default()).cors(["https://app.example"]).build().unwrap();
    let s = macaron::test::TestServer::start(api).await;
    let r = s
        .call("OPTIONS", "/v1/items/1")
        .header("Origin", "https://app.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(r.header("access-control-allow-origin"), Some("https://app.example"));
    assert_eq!(r.header("access-control-allow-methods"), Some("GET"));
    let r = s.call("GET", "/v1/items/1").header("Origin", "https://evil.example").send().await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("access-control-allow-origin"), None);
}
