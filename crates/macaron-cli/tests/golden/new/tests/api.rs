//! In-process tests: the service on a free local port, called over HTTP
//! with Macaron's test kit, plus what only the inside can see.

use macaron::test::TestServer;
use serde_json::json;

use shop::{api, start};

/// The service as `main` builds it, on the configuration in macaron.yaml.
async fn server() -> TestServer {
    let config = macaron::config::Loader::new()
        .path(concat!(env!("CARGO_MANIFEST_DIR"), "/macaron.yaml"))
        .env(Some("dev".into()))
        .load()
        .expect("macaron.yaml loads");
    macaron::config::install(config);
    TestServer::start(start(macaron::Options::default()).expect("the service builds")).await
}

#[tokio::test]
async fn the_body_is_validated_before_the_handler_runs() {
    let s = server().await;
    let s = s.authenticated();
    let e = s.assert_call_error("POST", "/v1/items", Some(json!({"name": ""})), 400, "INVALID_PARAMETER").await;
    assert!(e["error_description"].as_str().is_some_and(|d| d.contains("/name")), "{e}");
    s.assert_call_error("POST", "/v1/items", Some(json!({"name": "x", "color": "red"})), 400, "INVALID_PARAMETER")
        .await;
}

#[tokio::test]
async fn limit_is_checked_against_the_spec() {
    let s = server().await;
    s.assert_call_error("GET", "/v1/items?limit=0", None, 400, "INVALID_PARAMETER").await;
    s.assert_call_error("GET", "/v1/items?limit=many", None, 400, "INVALID_PARAMETER").await;
}

#[tokio::test]
async fn a_missing_item_is_the_declared_error() {
    // Handlers are plain functions: call one directly (the server is up, so
    // the service's database is there).
    let _server = server().await;
    let error = api::get_item(macaron::uuid::Uuid::new_v4()).await.expect_err("no such item");
    assert_eq!((error.status, &*error.code), (404, "ITEM_NOT_FOUND"));
}

#[tokio::test]
async fn creating_an_item_schedules_its_task() {
    let s = server().await;
    let c = s.authenticated();
    let item = c.assert_call_json("POST", "/v1/items", Some(json!({"name": "with a task"})), 201).await;
    assert_eq!(item["processed"], false);
    let path = format!("/v1/items/{}", item["id"].as_str().expect("an id"));
    // Tests run in parallel, each with its own server and task workers on
    // one queue: a worker of a test that has ended may have claimed this
    // task, which then waits for its lease (30 s) to expire.
    macaron::test::eventually(std::time::Duration::from_secs(90), "the task marks the item processed", || async {
        (c.assert_call_json("GET", &path, None, 200).await["processed"] == true).then_some(())
    })
    .await;
}
