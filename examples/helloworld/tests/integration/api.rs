//! The hello world service through real HTTP, with macaron's test kit.

use macaron::test::TestServer;
use serde_json::json;

async fn server() -> TestServer {
    TestServer::start(helloworld::start(macaron::Options::default()).expect("the service builds")).await
}

#[tokio::test]
async fn hello_world() {
    let s = server().await;
    assert_eq!(s.assert_call_json("GET", "/v1/hello", None, 200).await, json!({"message": "hello world!"}));
    assert_eq!(s.assert_call_json("GET", "/v1/hello/Ada", None, 200).await, json!({"message": "hello Ada!"}));
}

#[tokio::test]
async fn path_parameter_is_validated() {
    let s = server().await;
    let e = s.assert_call_error("GET", "/v1/hello/R2D2", None, 400, "INVALID_PARAMETER").await;
    assert!(e["error_description"].as_str().unwrap().contains("path parameter 'name'"), "{e}");
}

#[tokio::test]
async fn echo_validates_and_creates() {
    let s = server().await;
    let body = json!({"message": "hi", "count": 3});
    assert_eq!(s.assert_call_json("POST", "/v1/echo", Some(body.clone()), 201).await, body);
    let e = s
        .assert_call_error("POST", "/v1/echo", Some(json!({"message": "hi", "count": 11})), 400, "INVALID_PARAMETER")
        .await;
    assert_eq!(e["error_description"], "body /count: 11 is greater than the maximum of 10");
}

#[tokio::test]
async fn declared_error_and_crash() {
    let s = server().await;
    let e = s.assert_call_error("GET", "/v1/teapot", None, 418, "I_AM_A_TEAPOT").await;
    assert!(e.get("error_id").is_none());
    let e = s.assert_call_error("GET", "/v1/crash", None, 500, "SERVER_ERROR").await;
    assert!(e["error_id"].as_str().is_some_and(|id| id.len() == 36), "{e}");
    // The service survives its handler's panic.
    s.assert_call_json("GET", "/ping", None, 200).await;
}

#[tokio::test]
async fn builtins() {
    let s = server().await;
    let v = s.assert_call_json("GET", "/version", None, 200).await;
    assert_eq!(v["name"], "helloworld");
    assert_eq!(v["apis"], json!(["helloworld"]));
    assert!(v["version"].as_str().unwrap().starts_with(env!("CARGO_PKG_VERSION")), "{v}");
    let doc = s.call("GET", "/doc/helloworld.yaml").send().await;
    assert_eq!(doc.status, 200);
    assert!(doc.text().contains("operationId: helloName"));
}
