//! Background tasks in a service: a handler schedules them, a worker runs
//! them as the caller (user, request id) with the service's database, a
//! task that gives up sends a crash report naming it with its arguments
//! redacted, and `/metrics` counts them. On the embedded store (SQLite)
//! and on the real Redis at 127.0.0.1:6379 (skipped with a printed reason
//! outside CI when Redis is down; with `CI=true` it must run).

// A test's unwrap() or expect() is its assertion, in its helpers too
// (clippy.toml's allow-*-in-tests covers #[test] functions only).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use macaron::auth::User;
use macaron::test::TestServer;
use macaron::{Accepted, Api, Json};
use serde_json::{json, Value};

const SECRET: &str = "tasks-test-secret-0123";

type Reports = Arc<Mutex<Vec<(String, String)>>>;

/// What the `remember` task saw, by note.
fn seen() -> &'static Mutex<HashMap<String, Value>> {
    static SEEN: OnceLock<Mutex<HashMap<String, Value>>> = OnceLock::new();
    SEEN.get_or_init(Default::default)
}

/// Records who it runs as.
#[macaron::task]
async fn remember(note: String, kind: String) -> macaron::Result<()> {
    let user = macaron::auth::current_user().map(|u| u.id);
    let has_db = macaron::db().is_ok();
    let entry = json!({"user": user, "request_id": macaron::request_id(), "kind": kind, "db": has_db});
    seen().lock().unwrap().insert(note, entry);
    Ok(())
}

/// Always fails.
#[macaron::task(max_attempts = 2, backoff_ms = 10)]
async fn always_fails(note: String) -> Result<(), String> {
    Err(format!("cannot do {note}"))
}

/// Always panics.
#[macaron::task(name = "jobs.panics", max_attempts = 1)]
async fn panics(note: String) {
    panic!("task blew up on {note}");
}

async fn start_job(user: User, Json(body): Json<Value>) -> macaron::Result<Accepted<Value>> {
    let note = body["note"].as_str().unwrap_or_default().to_string();
    let call = match body["kind"].as_str() {
        Some("fail") => always_fails_async(note),
        Some("panic") => panics_async(note),
        _ => remember_async(note, format!("asked by {}", user.id)),
    };
    let id = call.schedule().await?;
    Ok(Accepted(json!({"task": id})))
}

fn config(redis: Option<&str>) -> macaron::Config {
    let mut text = String::from(
        "name: jobs\nenv_secrets: [TEST_JWT_SECRET]\njwt_secret: TEST_JWT_SECRET\njwt_issuer: macaron.test\njwt_audience: jobs\ntask_visibility_timeout: 5s\n",
    );
    if let Some(url) = redis {
        text.push_str(&format!("redis_url: {url}\n"));
    }
    macaron::config::Loader::new()
        .vars(|name| (name == "TEST_JWT_SECRET").then(|| SECRET.to_string()))
        .load_str("macaron.yaml", &text)
        .unwrap()
}

fn api(redis: Option<&str>, reports: &Reports) -> Api {
    let file = std::env::temp_dir().join(format!("macaron-tasks-svc-{}-{}.db", std::process::id(), redis.is_some()));
    let reports = reports.clone();
    Api::builder()
        .config(config(redis))
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/jobs.yaml"))
        .database(format!("sqlite://{}", file.display()))
        .handler("startJob", start_job)
        .error_reporter(move |title, message| reports.lock().unwrap().push((title.into(), message.into())))
        .build()
        .unwrap()
}

fn token(user: &str) -> String {
    let jwt = macaron::config::Loader::new()
        .vars(|name| (name == "TEST_JWT_SECRET").then(|| SECRET.to_string()))
        .load_str("macaron.yaml", "env_secrets: [TEST_JWT_SECRET]\njwt_secret: TEST_JWT_SECRET\njwt_issuer: macaron.test\njwt_audience: jobs\n")
        .map(|c| macaron::auth::Jwt::from_config(&c).unwrap())
        .unwrap();
    jwt.token(user).sign().unwrap()
}

async fn eventually<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> T {
    for _ in 0..2000 {
        if let Some(found) = probe() {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

async fn check(label: &str, server: &TestServer, reports: &Reports) {
    // Redis keeps what earlier runs left: count from here.
    let failed_before = server.task_stats().await.unwrap().failed;
    let note = format!("{label}-hello");
    let reply = server
        .call("POST", "/jobs")
        .token(&token("alice"))
        .header("x-request-id", &format!("req-{label}"))
        .json(&json!({"kind": "ok", "note": note}))
        .send()
        .await;
    assert_eq!(reply.status, 202, "{label}: {}", reply.text());
    let ran = eventually("the task", || seen().lock().unwrap().get(&note).cloned()).await;
    assert_eq!(
        ran,
        json!({"user": "alice", "request_id": format!("req-{label}"), "kind": "asked by alice", "db": true}),
        "{label}: the task sees the caller"
    );

    // A task that keeps failing gives up with a crash report; its
    // arguments are in it, with configured secrets hidden.
    let note = format!("{label} {SECRET}");
    let reply =
        server.call("POST", "/jobs").token(&token("bob")).json(&json!({"kind": "fail", "note": note})).send().await;
    assert_eq!(reply.status, 202, "{label}: {}", reply.text());
    let (title, message) = eventually("the crash report", || {
        reports.lock().unwrap().iter().find(|(t, m)| t.contains("TASK_FAILED") && m.contains(label)).cloned()
    })
    .await;
    assert!(
        title.starts_with(
            "FATAL BACKEND ERROR jobs 500 TASK_FAILED: task tasks::always_fails failed after 2 attempt(s)"
        ),
        "{title}"
    );
    assert!(message.contains(&format!("{label} ***")), "{label}: the arguments, redacted: {message}");
    assert!(!message.contains(SECRET) && !title.contains(SECRET), "{label}: a secret leaked");
    assert!(message.contains("\"user_id\": \"bob\""), "{label}: {message}");

    // A panic is caught, reported, and the worker goes on.
    let note = format!("{label}-boom");
    let reply =
        server.call("POST", "/jobs").token(&token("carol")).json(&json!({"kind": "panic", "note": note})).send().await;
    assert_eq!(reply.status, 202);
    let (title, _) =
        eventually("the panic report", || reports.lock().unwrap().iter().find(|(t, _)| t.contains(&note)).cloned())
            .await;
    assert!(title.contains("task jobs.panics failed after 1 attempt(s): panic: task blew up on"), "{title}");

    let metrics = server.call("GET", "/metrics").send().await.text();
    for line in [
        r#"macaron_tasks_total{outcome="scheduled",task="tasks::remember"}"#,
        r#"macaron_tasks_total{outcome="succeeded",task="tasks::remember"}"#,
        r#"macaron_tasks_total{outcome="retried",task="tasks::always_fails"}"#,
        r#"macaron_tasks_total{outcome="failed",task="tasks::always_fails"}"#,
        r#"macaron_task_duration_seconds_bucket{outcome="succeeded",task="tasks::remember""#,
    ] {
        assert!(metrics.contains(line), "{label}: {line} missing from\n{metrics}");
    }
    let stats = server.task_stats().await.unwrap();
    assert_eq!(stats.failed, failed_before + 2, "{label}: {stats:?}");
}

#[tokio::test]
async fn tasks_run_as_the_caller_on_each_store() {
    // The embedded store.
    let reports = Reports::default();
    let server = TestServer::start(api(None, &reports)).await;
    check("sqlite", &server, &reports).await;
    // Outside a request: no caller, the service's queue all the same.
    let id = remember_async("outside".into(), "test".into()).schedule().await.unwrap();
    assert!(!id.is_empty());
    let ran = eventually("the task", || seen().lock().unwrap().get("outside").cloned()).await;
    assert_eq!(ran["user"], Value::Null);
    server.stop().await;

    // Redis.
    let url = macaron_dev::backends::REDIS_URL;
    let reports = Reports::default();
    let api = api(Some(url), &reports);
    let connected = api.connect().await.map_err(|e| e.error_description);
    if macaron_dev::require(&format!("Redis at {url} (the redis part)"), connected).is_none() {
        return;
    }
    let server = TestServer::start(api).await;
    check("redis", &server, &reports).await;
    server.stop().await;
}

#[test]
fn tasks_without_a_queue_are_a_clear_error() {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // A fresh thread has no current service; FIRST may be set by the other
    // test, so only the argument error is certain here.
    let call = macaron::tasks::Call::new(&NOT_SERIALISABLE, Err(serde_json::from_str::<Value>("{").unwrap_err()));
    let e = runtime.block_on(call.schedule()).unwrap_err();
    assert_eq!(e.status, 500);
    assert!(e.error_description.contains("tasks::not_serialisable"), "{}", e.error_description);
}

static NOT_SERIALISABLE: macaron::tasks::TaskDef = macaron::tasks::TaskDef {
    name: "tasks::not_serialisable",
    policy: macaron::tasks::RetryPolicy::new(1),
    run: |_| Box::pin(async { Ok(()) }),
};
