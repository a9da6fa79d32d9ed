//! Black-box tests of shop: only HTTP, as its callers see it.
//!
//! `macaron test` runs them against any running instance (`--local`,
//! `--url URL`, `--env staging`: it sets MACARON_TEST_URL and, with
//! `--token` or `--gen-token`, MACARON_TEST_TOKEN); `cargo test` runs them
//! against the service started in-process. Every reply is checked against
//! the spec in apis/.

use macaron::test::Target;
use serde_json::json;

use shop::{start, NAME};

/// The instance under test: MACARON_TEST_URL, else the service in-process.
async fn target() -> Target {
    Target::from_env_or(start).await
}

#[tokio::test]
async fn has_the_builtins() {
    let t = target().await;
    t.assert_has_ping().await;
    let version = t.assert_has_version().await;
    assert_eq!(version["name"], NAME);
}

#[tokio::test]
async fn tokens_are_checked() {
    target().await.assert_has_auth_version().await;
}

#[tokio::test]
async fn creating_needs_a_token() {
    let t = target().await;
    t.assert_call_error("POST", "/v1/items", Some(json!({"name": "anonymous"})), 401, "AUTHORIZATION_HEADER_MISSING")
        .await;
}

#[tokio::test]
async fn items_are_created_read_and_listed() {
    let t = target().await;
    let c = t.authenticated();
    let item =
        c.assert_call_dict("POST", "/v1/items", Some(json!({"name": "first"})), 201, json!({"name": "first"})).await;
    let id = item["id"].as_str().expect("the new item's id");
    t.assert_call_dict("GET", &format!("/v1/items/{id}"), None, 200, json!({"id": id, "name": "first"})).await;
    let list = t.assert_call_json("GET", "/v1/items?limit=100", None, 200).await;
    let items = list["items"].as_array().expect("a list of items");
    assert!(items.iter().any(|i| i["id"] == id), "{id} is not in {list}");
}

#[tokio::test]
async fn errors_are_json_objects() {
    let t = target().await;
    let unknown = "00000000-0000-4000-8000-000000000000";
    t.assert_call_error("GET", &format!("/v1/items/{unknown}"), None, 404, "ITEM_NOT_FOUND").await;
    t.assert_call_error("GET", "/v1/items/not-a-uuid", None, 400, "INVALID_PARAMETER").await;
    t.assert_call_error("GET", "/v1/nowhere", None, 404, "NOT_FOUND").await;
}

#[tokio::test]
async fn the_background_task_processes_new_items() {
    let t = target().await;
    let c = t.authenticated();
    let item = c.assert_call_json("POST", "/v1/items", Some(json!({"name": "to process"})), 201).await;
    let path = format!("/v1/items/{}", item["id"].as_str().expect("an id"));
    // Tests run in parallel, each with its own server and task workers on
    // one queue: a worker of a test that has ended may have claimed this
    // task, which then waits for its lease (30 s) to expire.
    macaron::test::eventually(std::time::Duration::from_secs(90), "the task marks the item processed", || async {
        (t.assert_call_json("GET", &path, None, 200).await["processed"] == true).then_some(())
    })
    .await;
}
