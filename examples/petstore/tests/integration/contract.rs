//! Every line of the petstore contract (`../shared/contracts/petstore.md`),
//! tried from outside: the real binary over HTTP, once on the embedded
//! defaults (SQLite, tasks in it) and once on PostgreSQL + Redis
//! (`DATABASE_URL`, `REDIS_URL`: tasks through Redis).
//!
//! Each scenario gets a service of its own. Not covered here, and why:
//! - reply validation (`BAD_RESPONSE`): every reply of the petstore's
//!   handlers matches the spec, and the contract's spec offers no input
//!   that makes one not match; the framework's own tests provoke it
//!   through a handler (`crates/macaron/tests`).
//! - `--worker` / `--no-worker`, SIGKILL of a worker, a task across a
//!   restart: `tasks.rs` beside this file.

use crate::common;

use std::io::Read as _;
use std::time::{Duration, Instant};

use crate::common::{expect_error, expect_invalid, reply, Service, AUDIENCE, ISSUER, JWT_SECRET, PATIENCE};
use base64::Engine as _;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

on_both_backends!(
    login_returns_a_token_with_the_contract_claims,
    login_refuses_anything_else,
    list_is_newest_first_with_limit_tag_and_count,
    create_pet_fills_the_server_fields,
    get_pet_and_its_404,
    delete_is_for_the_owner_only,
    adoption_runs_in_the_background_as_the_caller,
    notes_are_a_form,
    crash_is_a_reported_500_and_the_server_keeps_serving,
    warn_sends_a_non_fatal_report,
    builtins_ping_version_auth_version,
    auth_errors,
    a_token_in_a_cookie,
    request_validation_names_the_field,
    media_type_size_routing_errors,
    gzip_when_accepted,
    metrics_by_operation_and_status,
    docs_are_served_from_the_host,
    request_ids,
    data_survives_a_restart_and_sigterm_exits_0,
);

const UNKNOWN_PET: &str = "8d3e2a10-0000-4000-8000-000000000000";

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A HS256 token with these claims, signed with `secret`.
fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign a token")
}

fn claims(sub: &str) -> Value {
    json!({"sub": sub, "iss": ISSUER, "aud": AUDIENCE, "iat": now() - 10, "exp": now() + 3600})
}

async fn login_returns_a_token_with_the_contract_claims(s: Service) {
    for (user, password) in [("alice", common::ALICE_PASSWORD), ("bob", common::BOB_PASSWORD)] {
        let before = now();
        let r = s.post("/v1/login").json(&json!({"username": user, "password": password})).send().await.unwrap();
        let (status, body) = reply(r).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["user_id"], user);
        let token = body["token"].as_str().unwrap();

        // HS256, signed with the configured secret, sub/iss/aud/iat/exp as the contract says.
        let header = jsonwebtoken::decode_header(token).unwrap();
        assert_eq!(header.alg, jsonwebtoken::Algorithm::HS256);
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        let data = jsonwebtoken::decode::<Value>(
            token,
            &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes()),
            &validation,
        )
        .unwrap();
        let c = data.claims;
        assert_eq!(
            (c["sub"].as_str(), c["iss"].as_str(), c["aud"].as_str()),
            (Some(user), Some(ISSUER), Some(AUDIENCE)),
            "{c}"
        );
        let (iat, exp) = (c["iat"].as_i64().unwrap(), c["exp"].as_i64().unwrap());
        assert_eq!(exp - iat, 24 * 3600, "{c}");
        assert!(iat >= before - 5 && iat <= now() + 5, "iat {iat} is not now");

        // And the service accepts it.
        let r = s.get("/auth/version").bearer_auth(token).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
}

async fn login_refuses_anything_else(s: Service) {
    let wrong = [
        json!({"username": "alice", "password": "not-her-password"}),
        json!({"username": "alice", "password": common::BOB_PASSWORD}),
        json!({"username": "mallory", "password": common::ALICE_PASSWORD}),
        json!({"username": "Alice", "password": common::ALICE_PASSWORD}),
        json!({"username": "alice", "password": format!("{}x", common::ALICE_PASSWORD)}),
        json!({"username": "PETSTORE_ALICE_PASSWORD", "password": "PETSTORE_ALICE_PASSWORD"}),
    ];
    for body in wrong {
        let r = s.post("/v1/login").json(&body).send().await.unwrap();
        let e = expect_error(r, 401, "INVALID_USER").await;
        assert_eq!(e["user_message"], "Sorry, we don't know you", "{body}: {e}");
    }
    // Not credentials at all: a validation error naming the field.
    let r = s.post("/v1/login").json(&json!({"username": "alice"})).send().await.unwrap();
    expect_invalid(r, "password").await;
    let r = s.post("/v1/login").json(&json!({"username": "", "password": "x"})).send().await.unwrap();
    expect_invalid(r, "username").await;
}

async fn list_is_newest_first_with_limit_tag_and_count(s: Service) {
    let alice = s.login("alice").await;
    let empty = s.get("/v1/pets").send().await.unwrap();
    assert_eq!(reply(empty).await, (200, json!({"pets": [], "count": 0})));

    let mut ids = Vec::new();
    for (name, tag) in
        [("a", json!("dog")), ("b", json!("cat")), ("c", json!("dog")), ("d", Value::Null), ("e", json!("dog"))]
    {
        let pet = s.create_pet(&alice, json!({"name": name, "tag": tag})).await;
        ids.push(pet["id"].as_str().unwrap().to_string());
    }
    let ids_of = |body: &Value| -> Vec<String> {
        body["pets"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_string()).collect()
    };
    let newest_first: Vec<String> = ids.iter().rev().cloned().collect();

    let (status, all) = reply(s.get("/v1/pets").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(ids_of(&all), newest_first);
    assert_eq!(all["count"], 5);

    let (_, two) = reply(s.get("/v1/pets?limit=2").send().await.unwrap()).await;
    assert_eq!(ids_of(&two), newest_first[..2].to_vec());
    assert_eq!(two["count"], 2);

    let (_, dogs) = reply(s.get("/v1/pets?tag=dog").send().await.unwrap()).await;
    assert_eq!(ids_of(&dogs), vec![ids[4].clone(), ids[2].clone(), ids[0].clone()]);
    assert_eq!(dogs["count"], 3);
    assert!(dogs["pets"].as_array().unwrap().iter().all(|p| p["tag"] == "dog"));

    let (_, one_dog) = reply(s.get("/v1/pets?tag=dog&limit=1").send().await.unwrap()).await;
    assert_eq!((ids_of(&one_dog), one_dog["count"].clone()), (vec![ids[4].clone()], json!(1)));

    let (_, none) = reply(s.get("/v1/pets?tag=bird").send().await.unwrap()).await;
    assert_eq!(none, json!({"pets": [], "count": 0}));

    // The default limit is 20.
    for i in 0..17 {
        s.create_pet(&alice, json!({"name": format!("p{i}")})).await;
    }
    let (_, page) = reply(s.get("/v1/pets").send().await.unwrap()).await;
    assert_eq!((page["pets"].as_array().unwrap().len(), page["count"].clone()), (20, json!(20)));
    let (_, max) = reply(s.get("/v1/pets?limit=100").send().await.unwrap()).await;
    assert_eq!(max["count"], 22);
}

async fn create_pet_fills_the_server_fields(s: Service) {
    let alice = s.login("alice").await;
    let before = chrono::Utc::now() - chrono::Duration::seconds(5);
    let r = s.post("/v1/pets").bearer_auth(&alice).json(&json!({"name": "Rex"})).send().await.unwrap();
    let (status, pet) = reply(r).await;
    let after = chrono::Utc::now() + chrono::Duration::seconds(5);
    assert_eq!(status, 201, "{pet}");
    let id = pet["id"].as_str().unwrap();
    assert_eq!(uuid_version(id), Some('4'), "{id}");
    assert_eq!(pet["name"], "Rex");
    assert!(pet.as_object().unwrap().contains_key("tag") && pet["tag"].is_null(), "tag must be present as null: {pet}");
    assert_eq!(pet["owner"], "alice");
    assert_eq!(pet["adopted"], false);
    let created = chrono::DateTime::parse_from_rfc3339(pet["created_at"].as_str().unwrap()).expect("RFC 3339");
    assert!(created >= before && created <= after, "created_at {created} is not now");
    assert!(pet.get("adopted_by").is_none(), "{pet}");

    // Every optional field, and the pet as stored is the pet as replied.
    let full = json!({"name": "Tom", "tag": "cat", "birth_date": "2020-02-29", "weight_kg": 4.5});
    let pet = s.create_pet(&s.login("bob").await, full.clone()).await;
    for key in ["name", "tag", "birth_date", "weight_kg"] {
        assert_eq!(pet[key], full[key], "{key}: {pet}");
    }
    assert_eq!(pet["owner"], "bob");
    let (status, stored) =
        reply(s.get(&format!("/v1/pets/{}", pet["id"].as_str().unwrap())).send().await.unwrap()).await;
    assert_eq!((status, stored), (200, pet.clone()));
    // Two pets never share an id.
    let other = s.create_pet(&alice, json!({"name": "Tom"})).await;
    assert_ne!(other["id"], pet["id"]);
    // tag: null is the same as no tag.
    let nulled = s.create_pet(&alice, json!({"name": "Nul", "tag": null})).await;
    assert!(nulled["tag"].is_null());
}

fn uuid_version(id: &str) -> Option<char> {
    let parts: Vec<&str> = id.split('-').collect();
    let shape = parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12];
    let hex = id.chars().all(|c| c == '-' || c.is_ascii_hexdigit());
    (shape && hex).then(|| parts[2].chars().next()).flatten()
}

async fn get_pet_and_its_404(s: Service) {
    let alice = s.login("alice").await;
    let pet = s.create_pet(&alice, json!({"name": "Rex", "tag": "dog"})).await;
    let id = pet["id"].as_str().unwrap();
    let (status, got) = reply(s.get(&format!("/v1/pets/{id}")).send().await.unwrap()).await;
    assert_eq!((status, got), (200, pet.clone()));
    // Uppercase hex is the same uuid.
    let (status, _) = reply(s.get(&format!("/v1/pets/{}", id.to_uppercase())).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let e = expect_error(s.get(&format!("/v1/pets/{UNKNOWN_PET}")).send().await.unwrap(), 404, "PET_NOT_FOUND").await;
    assert!(e.get("user_message").is_none(), "{e}");
}

async fn delete_is_for_the_owner_only(s: Service) {
    let (alice, bob) = (s.login("alice").await, s.login("bob").await);
    let pet = s.create_pet(&alice, json!({"name": "Rex"})).await;
    let path = format!("/v1/pets/{}", pet["id"].as_str().unwrap());

    expect_error(s.delete(&path).send().await.unwrap(), 401, "AUTHORIZATION_HEADER_MISSING").await;
    expect_error(s.delete(&path).bearer_auth(&bob).send().await.unwrap(), 403, "NOT_OWNER").await;
    assert_eq!(s.get(&path).send().await.unwrap().status(), 200, "a refused delete deletes nothing");

    let r = s.delete(&path).bearer_auth(&alice).send().await.unwrap();
    assert_eq!(r.status(), 204);
    assert!(r.bytes().await.unwrap().is_empty());
    expect_error(s.get(&path).send().await.unwrap(), 404, "PET_NOT_FOUND").await;
    expect_error(s.delete(&path).bearer_auth(&alice).send().await.unwrap(), 404, "PET_NOT_FOUND").await;
    expect_error(s.delete(&path).bearer_auth(&bob).send().await.unwrap(), 404, "PET_NOT_FOUND").await;
    expect_error(s.delete("/v1/pets/not-a-uuid").bearer_auth(&alice).send().await.unwrap(), 400, "INVALID_PARAMETER")
        .await;
}

async fn wait_adopted(s: &Service, id: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let (status, pet) = reply(s.get(&format!("/v1/pets/{id}")).send().await.unwrap()).await;
        assert_eq!(status, 200, "{pet}");
        if pet["adopted"] == true {
            return pet;
        }
        assert!(Instant::now() < deadline, "pet {id} was never adopted: {pet}\n{}", s.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn adoption_runs_in_the_background_as_the_caller(s: Service) {
    let (alice, bob) = (s.login("alice").await, s.login("bob").await);
    let pet = s.create_pet(&alice, json!({"name": "Rex"})).await;
    let id = pet["id"].as_str().unwrap();
    let adopt = format!("/v1/pets/{id}/adopt");

    expect_error(s.post(&adopt).send().await.unwrap(), 401, "AUTHORIZATION_HEADER_MISSING").await;
    let missing = format!("/v1/pets/{UNKNOWN_PET}/adopt");
    expect_error(s.post(&missing).bearer_auth(&bob).send().await.unwrap(), 404, "PET_NOT_FOUND").await;
    for bad in ["-1", "60001", "soon"] {
        let r = s.post(&adopt).bearer_auth(&bob).header("X-Adoption-Delay-Ms", bad).send().await.unwrap();
        expect_invalid(r, "X-Adoption-Delay-Ms").await;
    }

    // Bob asks, with a delay: 202 at once, the pet is still not adopted, then it is, by bob.
    let r = s.post(&adopt).bearer_auth(&bob).header("X-Adoption-Delay-Ms", "1500").send().await.unwrap();
    assert_eq!(reply(r).await, (202, json!({"status": "scheduled"})));
    let (_, now) = reply(s.get(&format!("/v1/pets/{id}")).send().await.unwrap()).await;
    assert_eq!(now["adopted"], false, "adopted before its delay: {now}");
    let adopted = wait_adopted(&s, id).await;
    assert_eq!(adopted["adopted_by"], "bob");
    assert_eq!(adopted["owner"], "alice", "the owner does not change");
    assert_eq!(adopted["created_at"], pet["created_at"]);

    // Without the header (delay 0), by alice.
    let other = s.create_pet(&alice, json!({"name": "Tom"})).await;
    let other_id = other["id"].as_str().unwrap();
    let r = s.post(&format!("/v1/pets/{other_id}/adopt")).bearer_auth(&alice).send().await.unwrap();
    assert_eq!(reply(r).await, (202, json!({"status": "scheduled"})));
    assert_eq!(wait_adopted(&s, other_id).await["adopted_by"], "alice");
    // The list shows it too.
    let (_, list) = reply(s.get("/v1/pets").send().await.unwrap()).await;
    assert!(list["pets"].as_array().unwrap().iter().all(|p| p["adopted"] == true), "{list}");
    let store = if s.backend == common::Backend::Sqlite { "tasks: sql queue" } else { "tasks: redis queue" };
    assert!(s.logs().contains(store), "tasks not in the expected store ({store}):\n{}", s.logs());
}

async fn notes_are_a_form(s: Service) {
    let alice = s.login("alice").await;
    let pet = s.create_pet(&alice, json!({"name": "Rex"})).await;
    let id = pet["id"].as_str().unwrap();
    let notes = format!("/v1/pets/{id}/notes");
    let form = |text: &str| {
        s.post(&notes)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .body(form_urlencoded(&[("text", text)]))
    };

    let r = form("Likes walks & naps = 100%").send().await.unwrap();
    assert_eq!(reply(r).await, (201, json!({"pet_id": id, "text": "Likes walks & naps = 100%"})));
    // No token needed (the spec asks for none).
    let r = form("é ü").send().await.unwrap();
    assert_eq!(reply(r).await.0, 201);

    let r = s
        .post(&format!("/v1/pets/{UNKNOWN_PET}/notes"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("text=hello")
        .send()
        .await
        .unwrap();
    expect_error(r, 404, "PET_NOT_FOUND").await;

    expect_invalid(form("").send().await.unwrap(), "text").await;
    expect_invalid(form(&"x".repeat(501)).send().await.unwrap(), "text").await;
    let r = s
        .post(&notes)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("other=1")
        .send()
        .await
        .unwrap();
    expect_invalid(r, "text").await;
    // JSON is not what the operation accepts.
    let r = s.post(&notes).json(&json!({"text": "hello"})).send().await.unwrap();
    expect_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
}

fn form_urlencoded(pairs: &[(&str, &str)]) -> String {
    let mut out = Vec::new();
    for (k, v) in pairs {
        let enc = |s: &str| {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => (b as char).to_string(),
                    b' ' => "+".to_string(),
                    _ => format!("%{b:02X}"),
                })
                .collect::<String>()
        };
        out.push(format!("{}={}", enc(k), enc(v)));
    }
    out.join("&")
}

async fn crash_is_a_reported_500_and_the_server_keeps_serving(s: Service) {
    let alice = s.login("alice").await;
    let r = s.get("/v1/crash").header("X-Request-Id", "crash-req-42").bearer_auth(&alice).send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "crash-req-42");
    let e = expect_error(r, 500, "SERVER_ERROR").await;
    let error_id = e["error_id"].as_str().unwrap().to_string();
    assert_eq!(e["user_message"], "Something went wrong! Try again later");

    let report = s.wait_report(|r| r["title"].as_str().is_some_and(|t| t.starts_with("FATAL BACKEND ERROR"))).await;
    let message: Value =
        serde_json::from_str(report["message"].as_str().unwrap()).expect("the message is the JSON crash dump");
    assert_eq!(message["error_id"], error_id.as_str());
    assert_eq!(message["request"]["id"], "crash-req-42");
    assert_eq!(message["request"]["path"], "/v1/crash");
    assert_eq!(message["response"]["error"], "SERVER_ERROR");
    // /crash asks for no token, so the one sent is not verified: no user, and never the token itself.
    assert!(message["caller"]["user_id"].is_null());
    assert!(report["message"].as_str().unwrap().contains(&error_id));
    assert!(!report["message"].as_str().unwrap().contains(&alice), "the token leaked into the report");
    assert!(!report["message"].as_str().unwrap().contains(JWT_SECRET));

    // The server keeps serving, crash after crash.
    for _ in 0..3 {
        expect_error(s.get("/v1/crash").send().await.unwrap(), 500, "SERVER_ERROR").await;
        assert_eq!(s.get("/ping").send().await.unwrap().status(), 200);
        assert_eq!(s.get("/v1/pets").send().await.unwrap().status(), 200);
    }
    s.create_pet(&alice, json!({"name": "after the crash"})).await;
    // Every crash is reported, each with its own id.
    let deadline = Instant::now() + PATIENCE;
    while s.crash_reports().len() < 4 {
        assert!(Instant::now() < deadline, "{:?}", s.crash_reports());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let ids: std::collections::HashSet<String> = s
        .crash_reports()
        .iter()
        .map(|r| serde_json::from_str::<Value>(r["message"].as_str().unwrap()).unwrap()["error_id"].to_string())
        .collect();
    assert_eq!(ids.len(), 4);
}

async fn warn_sends_a_non_fatal_report(s: Service) {
    let r = s.get("/v1/warn").header("X-Request-Id", "warn-req-7").send().await.unwrap();
    assert_eq!(reply(r).await, (200, json!({"ok": "warned"})));
    let report = s.wait_report(|r| r["title"].as_str().is_some_and(|t| t.starts_with("NON-FATAL BACKEND ERROR"))).await;
    let message: Value = serde_json::from_str(report["message"].as_str().unwrap()).unwrap();
    assert_eq!(message["request"]["id"], "warn-req-7");
    assert!(message["response"].is_null());
    assert!(!s.crash_reports().iter().any(|r| r["title"].as_str().unwrap().starts_with("FATAL")));
}

async fn builtins_ping_version_auth_version(s: Service) {
    assert_eq!(reply(s.get("/ping").send().await.unwrap()).await, (200, json!({})));
    let (status, version) = reply(s.get("/version").send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(version["name"], "petstore");
    assert!(version["version"].as_str().is_some_and(|v| !v.is_empty()), "{version}");
    assert_eq!(version["apis"], json!(["petstore"]));
    assert_eq!(version["env"], "dev");

    expect_error(s.get("/auth/version").send().await.unwrap(), 401, "AUTHORIZATION_HEADER_MISSING").await;
    let token = s.login("bob").await;
    let (status, auth_version) = reply(s.get("/auth/version").bearer_auth(&token).send().await.unwrap()).await;
    assert_eq!((status, auth_version), (200, version));
}

async fn auth_errors(s: Service) {
    let create = |token: Option<&str>| {
        let r = s.post("/v1/pets").json(&json!({"name": "Rex"}));
        match token {
            Some(t) => r.header("Authorization", t),
            None => r,
        }
    };
    // No token.
    expect_error(create(None).send().await.unwrap(), 401, "AUTHORIZATION_HEADER_MISSING").await;

    // Expired: a good signature, exp past.
    let expired = sign(
        &json!({"sub": "alice", "iss": ISSUER, "aud": AUDIENCE, "iat": now() - 7200, "exp": now() - 3600}),
        JWT_SECRET,
    );
    expect_error(create(Some(&format!("Bearer {expired}"))).send().await.unwrap(), 401, "TOKEN_EXPIRED").await;

    let header_none = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(claims("alice").to_string().as_bytes());
    let valid = sign(&claims("alice"), JWT_SECRET);
    let (head, rest) = valid.split_once('.').unwrap();
    let (body, signature) = rest.split_once('.').unwrap();
    let mut flipped = signature.to_string();
    let last = if flipped.ends_with('A') { 'B' } else { 'A' };
    flipped.pop();
    flipped.push(last);
    let invalid = [
        ("bad signature", format!("Bearer {}", sign(&claims("alice"), "another-secret"))),
        ("tampered signature", format!("Bearer {head}.{body}.{flipped}")),
        ("tampered payload", format!("Bearer {head}.{}.{signature}", b64(claims("bob").to_string().as_bytes()))),
        (
            "wrong audience",
            format!(
                "Bearer {}",
                sign(
                    &json!({"sub": "alice", "iss": ISSUER, "aud": "others", "iat": now(), "exp": now() + 60}),
                    JWT_SECRET
                )
            ),
        ),
        (
            "wrong issuer",
            format!(
                "Bearer {}",
                sign(
                    &json!({"sub": "alice", "iss": "evil.example", "aud": AUDIENCE, "iat": now(), "exp": now() + 60}),
                    JWT_SECRET
                )
            ),
        ),
        (
            "no sub",
            format!(
                "Bearer {}",
                sign(&json!({"iss": ISSUER, "aud": AUDIENCE, "iat": now(), "exp": now() + 60}), JWT_SECRET)
            ),
        ),
        ("alg none", format!("Bearer {header_none}.{payload}.")),
        ("alg none, no dot", format!("Bearer {header_none}.{payload}")),
        ("not a jwt", "Bearer not-a-jwt".to_string()),
        ("empty bearer", "Bearer ".to_string()),
        ("bearer alone", "Bearer".to_string()),
        ("two tokens", format!("Bearer {valid} {valid}")),
        ("basic", "Basic YWxpY2U6cHc=".to_string()),
        ("no scheme", valid.clone()),
    ];
    for (what, header) in invalid {
        let r = create(Some(&header)).send().await.unwrap();
        let (status, body) = reply(r).await;
        assert_eq!(
            (status, body["error"].as_str(), body["status"].as_u64()),
            (401, Some("TOKEN_INVALID"), Some(401)),
            "{what}: {body}"
        );
    }
    // And the valid one works, with any case of the scheme's name accepted or not, but never a 5xx.
    assert_eq!(create(Some(&format!("Bearer {valid}"))).send().await.unwrap().status(), 201);
    assert_eq!(s.get("/v1/pets").send().await.unwrap().status(), 200, "open operations need no token");
}

async fn a_token_in_a_cookie(s: Service) {
    let token = s.login("bob").await;
    let r = s
        .post("/v1/pets")
        .header("Cookie", format!("theme=dark; token=Bearer%20{token}"))
        .json(&json!({"name": "Cookie"}))
        .send()
        .await
        .unwrap();
    let (status, pet) = reply(r).await;
    assert_eq!((status, pet["owner"].as_str()), (201, Some("bob")), "{pet}");
    let r = s
        .post("/v1/pets")
        .header("Cookie", format!("token=Bearer+{token}"))
        .json(&json!({"name": "Plus"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let r =
        s.post("/v1/pets").header("Cookie", "token=Bearer%20nope").json(&json!({"name": "x"})).send().await.unwrap();
    expect_error(r, 401, "TOKEN_INVALID").await;
    let r = s.get("/auth/version").header("Cookie", format!("token=Bearer%20{token}")).send().await.unwrap();
    assert_eq!(r.status(), 200);
}

async fn request_validation_names_the_field(s: Service) {
    let alice = s.login("alice").await;
    let create = |body: Value| s.post("/v1/pets").bearer_auth(&alice).json(&body).send();
    expect_invalid(create(json!({"name": 5})).await.unwrap(), "name").await;
    expect_invalid(create(json!({"name": ""})).await.unwrap(), "name").await;
    expect_invalid(create(json!({"name": "x".repeat(65)})).await.unwrap(), "name").await;
    expect_invalid(create(json!({"tag": "dog"})).await.unwrap(), "name").await;
    expect_invalid(create(json!({"name": "Rex", "tag": 3})).await.unwrap(), "tag").await;
    expect_invalid(create(json!({"name": "Rex", "tag": "t".repeat(33)})).await.unwrap(), "tag").await;
    expect_invalid(create(json!({"name": "Rex", "weight_kg": 0})).await.unwrap(), "weight_kg").await;
    expect_invalid(create(json!({"name": "Rex", "weight_kg": -3})).await.unwrap(), "weight_kg").await;
    expect_invalid(create(json!({"name": "Rex", "weight_kg": 500.5})).await.unwrap(), "weight_kg").await;
    expect_invalid(create(json!({"name": "Rex", "weight_kg": "heavy"})).await.unwrap(), "weight_kg").await;
    expect_invalid(create(json!({"name": "Rex", "birth_date": "2020-13-45"})).await.unwrap(), "birth_date").await;
    expect_invalid(create(json!({"name": "Rex", "birth_date": "yesterday"})).await.unwrap(), "birth_date").await;
    expect_invalid(create(json!({"name": "Rex", "color": "red"})).await.unwrap(), "color").await;
    expect_invalid(create(json!(["Rex"])).await.unwrap(), "body").await;
    assert_eq!(create(json!({"name": "Rex", "weight_kg": 500})).await.unwrap().status(), 201, "maximum is inclusive");

    // Malformed JSON, and no body at all.
    let raw = |text: &'static str| {
        s.post("/v1/pets").bearer_auth(&alice).header("Content-Type", "application/json").body(text).send()
    };
    expect_invalid(raw("{\"name\": \"Rex\"").await.unwrap(), "body").await;
    expect_invalid(raw("").await.unwrap(), "body").await;

    // Parameters.
    for bad in ["0", "101", "ten", "1.5"] {
        expect_invalid(s.get(&format!("/v1/pets?limit={bad}")).send().await.unwrap(), "limit").await;
    }
    expect_invalid(s.get(&format!("/v1/pets?tag={}", "t".repeat(33))).send().await.unwrap(), "tag").await;
    expect_invalid(s.get("/v1/pets/not-a-uuid").send().await.unwrap(), "pet_id").await;
    expect_invalid(s.get("/v1/pets/8d3e2a10-0000-4000-8000-00000000000").send().await.unwrap(), "pet_id").await;
    let r = s
        .post("/v1/pets/nope/notes")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("text=hi")
        .send()
        .await
        .unwrap();
    expect_invalid(r, "pet_id").await;
    // Validation does not run before authentication: no token, no details.
    let r = s.post("/v1/pets").json(&json!({"name": 5})).send().await.unwrap();
    expect_error(r, 401, "AUTHORIZATION_HEADER_MISSING").await;
}

async fn media_type_size_routing_errors(s: Service) {
    let alice = s.login("alice").await;
    // 415: a media type the operation does not accept.
    let r =
        s.post("/v1/pets").bearer_auth(&alice).header("Content-Type", "text/plain").body("Rex").send().await.unwrap();
    expect_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;
    let r = s
        .post("/v1/login")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=alice")
        .send()
        .await
        .unwrap();
    expect_error(r, 415, "UNSUPPORTED_MEDIA_TYPE").await;

    // 413: over 1 MiB, whole.
    let big = json!({"name": "x".repeat(1024 * 1024 + 10)});
    let r = s.post("/v1/pets").bearer_auth(&alice).json(&big).send().await.unwrap();
    expect_error(r, 413, "PAYLOAD_TOO_LARGE").await;
    // Just under the limit is read and validated (then refused for the name's length).
    let under = json!({"name": "x".repeat(1024 * 1024 - 100)});
    expect_invalid(s.post("/v1/pets").bearer_auth(&alice).json(&under).send().await.unwrap(), "name").await;
    // 413 without waiting for the rest of the body: announce 4 MiB, send 1 KiB, and read the reply.
    let head = format!(
        "POST /v1/pets HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {alice}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        4 * 1024 * 1024
    );
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&vec![b' '; 1024]).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(PATIENCE, async {
        loop {
            let n = stream.read(&mut buf).await.unwrap_or(0);
            got.extend_from_slice(&buf[..n]);
            if n == 0 || String::from_utf8_lossy(&got).contains("PAYLOAD_TOO_LARGE") {
                break;
            }
        }
    })
    .await;
    assert!(read.is_ok(), "no reply before the body was complete");
    let text = String::from_utf8_lossy(&got);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"status\":413"), "{text}");

    // 404 and 405, as the same JSON error object.
    expect_error(s.get("/v1/cats").send().await.unwrap(), 404, "NOT_FOUND").await;
    expect_error(s.get("/v2/pets").send().await.unwrap(), 404, "NOT_FOUND").await;
    expect_error(s.get("/v1/pets/x/y/z").send().await.unwrap(), 404, "NOT_FOUND").await;
    let r = s.client.put(s.url("/v1/pets")).send().await.unwrap();
    let allow = r.headers().get("allow").map(|v| v.to_str().unwrap().to_string()).unwrap_or_default();
    expect_error(r, 405, "METHOD_NOT_ALLOWED").await;
    let mut methods: Vec<&str> = allow.split(',').map(str::trim).collect();
    methods.sort_unstable();
    assert!(methods.contains(&"GET") && methods.contains(&"POST") && !methods.contains(&"PUT"), "Allow: {allow}");
    let r = s.get(&format!("/v1/pets/{UNKNOWN_PET}/adopt")).send().await.unwrap();
    assert_eq!(r.headers().get("allow").map(|v| v.to_str().unwrap().to_string()), Some("POST".to_string()));
    expect_error(r, 405, "METHOD_NOT_ALLOWED").await;
    let r = s.post("/v1/crash").send().await.unwrap();
    assert!(r.headers().get("allow").is_some_and(|v| v.to_str().unwrap().contains("GET")));
    expect_error(r, 405, "METHOD_NOT_ALLOWED").await;
}

async fn gzip_when_accepted(s: Service) {
    let alice = s.login("alice").await;
    for i in 0..5 {
        s.create_pet(&alice, json!({"name": format!("pet number {i}"), "tag": "dog"})).await;
    }
    let plain = s.get("/v1/pets").send().await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let (_, expected) = reply(plain).await;

    let r = s.get("/v1/pets").header("Accept-Encoding", "gzip").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let compressed = r.bytes().await.unwrap();
    let mut text = String::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut text).expect("a gzip body");
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), expected);

    // Errors too, when large enough to be worth it; the spec file always.
    let r = s.get("/doc/petstore.yaml").header("Accept-Encoding", "br, gzip;q=0.8").send().await.unwrap();
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let compressed = r.bytes().await.unwrap();
    let mut spec = String::new();
    flate2::read::GzDecoder::new(&compressed[..]).read_to_string(&mut spec).unwrap();
    assert_eq!(spec, std::fs::read_to_string(common::spec_path()).unwrap());
}

/// The value of the sample `name{labels}` whose labels include every one of `labels`.
fn sample(metrics: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    metrics.lines().filter(|l| !l.starts_with('#')).find_map(|line| {
        let (series, value) = line.rsplit_once(' ')?;
        let (metric, rest) = series.split_once('{')?;
        let all = labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\"")));
        (metric == name && all).then(|| value.parse().ok()).flatten()
    })
}

async fn metrics_by_operation_and_status(s: Service) {
    let alice = s.login("alice").await;
    let pet = s.create_pet(&alice, json!({"name": "Rex"})).await;
    for _ in 0..3 {
        assert_eq!(s.get(&format!("/v1/pets/{}", pet["id"].as_str().unwrap())).send().await.unwrap().status(), 200);
    }
    for _ in 0..2 {
        assert_eq!(s.get(&format!("/v1/pets/{UNKNOWN_PET}")).send().await.unwrap().status(), 404);
    }
    let r = s.get("/metrics").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = r.text().await.unwrap();
    assert!(text.contains("# TYPE macaron_requests_total counter"), "{text}");
    assert!(text.contains("# TYPE macaron_request_duration_seconds histogram"), "{text}");
    let get_ok = [("operation", "getPet"), ("status", "200")];
    let get_404 = [("operation", "getPet"), ("status", "404")];
    assert_eq!(sample(&text, "macaron_requests_total", &get_ok), Some(3.0), "{text}");
    assert_eq!(sample(&text, "macaron_requests_total", &get_404), Some(2.0), "{text}");
    assert_eq!(sample(&text, "macaron_requests_total", &[("operation", "createPet"), ("status", "201")]), Some(1.0));
    assert_eq!(sample(&text, "macaron_requests_total", &[("operation", "login"), ("status", "200")]), Some(1.0));
    assert_eq!(sample(&text, "macaron_request_duration_seconds_count", &get_ok), Some(3.0), "{text}");
    assert_eq!(sample(&text, "macaron_request_duration_seconds_count", &get_404), Some(2.0), "{text}");
    assert_eq!(
        sample(
            &text,
            "macaron_request_duration_seconds_bucket",
            &[("operation", "getPet"), ("status", "200"), ("le", "+Inf")]
        ),
        Some(3.0)
    );
    assert!(sample(&text, "macaron_request_duration_seconds_sum", &get_ok).is_some());
}

async fn docs_are_served_from_the_host(s: Service) {
    let r = s.get("/doc/petstore.yaml").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.text().await.unwrap(), std::fs::read_to_string(common::spec_path()).unwrap());

    let r = s.get("/doc/petstore").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = r.text().await.unwrap();
    assert!(html.contains("/doc/petstore.yaml"), "the page does not load the spec: {html}");
    // Every asset the page names is on this host, and served.
    let mut assets = Vec::new();
    for attr in ["src=\"", "href=\""] {
        for part in html.split(attr).skip(1) {
            assets.push(part.split('"').next().unwrap().to_string());
        }
    }
    assert!(!assets.is_empty(), "{html}");
    for asset in &assets {
        assert!(asset.starts_with('/') && !asset.starts_with("//"), "an asset from elsewhere: {asset}");
        let r = s.get(asset).send().await.unwrap();
        assert_eq!(r.status(), 200, "{asset}");
    }
    assert!(!html.contains("http://") && !html.contains("https://"), "{html}");
}

async fn request_ids(s: Service) {
    let r = s.get("/v1/pets").header("X-Request-Id", "my-own-id-123").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "my-own-id-123");
    for path in ["/ping", "/v1/pets", "/nowhere", "/doc/petstore", "/metrics"] {
        let r = s.get(path).send().await.unwrap();
        let id = r.headers().get("x-request-id").map(|v| v.to_str().unwrap().to_string());
        assert!(id.as_deref().is_some_and(|id| uuid_version(id).is_some()), "{path}: {id:?}");
    }
    let r = s.post("/v1/pets").header("X-Request-Id", "refused-req-9").send().await.unwrap();
    assert_eq!(r.headers()["x-request-id"], "refused-req-9");
    // The request's log line carries the id.
    let deadline = Instant::now() + PATIENCE;
    while !s.logs().contains("my-own-id-123") {
        assert!(Instant::now() < deadline, "no log line with the request id:\n{}", s.logs());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let line = s.logs().lines().find(|l| l.contains("my-own-id-123")).unwrap().to_string();
    assert!(line.contains("/v1/pets") && line.contains("200"), "{line}");
}

async fn data_survives_a_restart_and_sigterm_exits_0(mut s: Service) {
    let alice = s.login("alice").await;
    let pet = s.create_pet(&alice, json!({"name": "Rex", "tag": "dog"})).await;
    let id = pet["id"].as_str().unwrap().to_string();
    s.restart().await;
    let (status, again) = reply(s.get(&format!("/v1/pets/{id}")).send().await.unwrap()).await;
    assert_eq!((status, again), (200, pet));
    // Tokens survive too (same secret), and so does the list.
    let (_, list) = reply(s.get("/v1/pets?tag=dog").send().await.unwrap()).await;
    assert_eq!(list["count"], 1);
    let r = s.delete(&format!("/v1/pets/{id}")).bearer_auth(&alice).send().await.unwrap();
    assert_eq!(r.status(), 204);
    if s.backend == common::Backend::Sqlite {
        assert!(s.dir.join("petstore.db").exists(), "pets live in petstore.db in the working directory");
    } else {
        assert!(!s.dir.join("petstore.db").exists(), "DATABASE_URL given: no SQLite file");
    }
    let status = s.terminate();
    assert_eq!(status.code(), Some(0), "{}", s.logs());
    assert!(s.client.get(s.url("/ping")).send().await.is_err(), "still listening after exit");
}
