//! The petstore's black-box tests: only HTTP, as its callers see it.
//!
//! `macaron test` runs them against any instance (`--local`, `--image
//! petstore:latest`, `--url URL`): it sets MACARON_TEST_URL. The login
//! uses alice's password from PETSTORE_ALICE_PASSWORD, the variable the
//! instance itself reads. Without MACARON_TEST_URL (`cargo test`) the
//! service starts in-process, with test secrets when none are set.

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Once;

use macaron::test::Target;
use serde_json::json;

/// Secrets for the in-process service, when the environment has none.
fn test_secrets() {
    static SET: Once = Once::new();
    SET.call_once(|| {
        for (name, value) in [
            ("PETSTORE_JWT_SECRET", "acceptance-secret-for-the-in-process-petstore-0123"),
            ("PETSTORE_ALICE_PASSWORD", "alice-acceptance-password"),
            ("PETSTORE_BOB_PASSWORD", "bob-acceptance-password"),
        ] {
            if std::env::var_os(name).is_none() {
                std::env::set_var(name, value);
            }
        }
    });
}

async fn target() -> Target {
    if std::env::var_os("MACARON_TEST_URL").is_none() {
        test_secrets();
    }
    Target::from_env_or(petstore::start).await
}

fn alice_password() -> String {
    std::env::var("PETSTORE_ALICE_PASSWORD").expect("PETSTORE_ALICE_PASSWORD: the password the instance was given")
}

#[tokio::test]
async fn has_the_builtins_and_is_healthy() {
    let t = target().await;
    t.assert_has_ping().await;
    assert_eq!(t.assert_has_version().await["name"], "petstore");
    assert_eq!(t.assert_call_json("GET", "/health/live", None, 200).await, json!({"status": "ok"}));
    let ready = t.assert_call_json("GET", "/health/ready", None, 200).await;
    assert_eq!(ready["status"], "ok", "{ready}");
    assert_eq!(ready["checks"]["database"]["status"], "ok", "{ready}");
}

#[tokio::test]
async fn alice_logs_in_and_keeps_a_pet() {
    let t = target().await;
    let login = json!({"username": "alice", "password": alice_password()});
    let token = t.assert_call_json("POST", "/v1/login", Some(login), 200).await;
    let alice = t.with_token(token["token"].as_str().expect("a token"));
    let pet = alice
        .assert_call_dict("POST", "/v1/pets", Some(json!({"name": "Rex", "tag": "dog"})), 201, json!({"name": "Rex"}))
        .await;
    let id = pet["id"].as_str().expect("the pet's id");
    t.assert_call_dict("GET", &format!("/v1/pets/{id}"), None, 200, json!({"id": id, "name": "Rex"})).await;
    let list = t.assert_call_json("GET", "/v1/pets?tag=dog&limit=100", None, 200).await;
    assert!(list.to_string().contains(id), "{id} is not listed: {list}");
    alice.assert_call_json("DELETE", &format!("/v1/pets/{id}"), None, 204).await;
    t.assert_call_json("GET", &format!("/v1/pets/{id}"), None, 404).await;
}

#[tokio::test]
async fn bad_calls_get_json_errors() {
    let t = target().await;
    let wrong = json!({"username": "alice", "password": "not her password"});
    let error = t.assert_call_json("POST", "/v1/login", Some(wrong), 401).await;
    assert!(error["error"].is_string(), "{error}");
    t.assert_call_error("POST", "/v1/pets", Some(json!({"name": "anonymous"})), 401, "AUTHORIZATION_HEADER_MISSING")
        .await;
    t.assert_call_error("GET", "/v1/nowhere", None, 404, "NOT_FOUND").await;
}
