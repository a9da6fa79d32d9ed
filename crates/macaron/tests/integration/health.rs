//! `/health/live` and `/health/ready`: the database, the checks a service
//! registers, their failures and time-outs, with no detail leaked.

use crate::common;

use std::time::Duration;

use macaron::test::TestServer;
use serde_json::json;

#[tokio::test]
async fn live_and_ready_answer_without_dependencies() {
    let (s, _) = common::start().await;
    assert_eq!(s.assert_call_json("GET", "/health/live", None, 200).await, json!({"status": "ok"}));
    assert_eq!(s.assert_call_json("GET", "/health/ready", None, 200).await, json!({"status": "ok", "checks": {}}));
    let reply = s.call("GET", "/health/ready").send().await;
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn every_check_is_reported_and_one_failure_makes_it_503() {
    async fn fine() -> macaron::Result<()> {
        Ok(())
    }
    async fn broken() -> macaron::Result<()> {
        Err(macaron::Error::new(503, "DOWN", "smtp.internal.example:25 refused the password hunter2"))
    }
    async fn slow() -> macaron::Result<()> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(())
    }
    let db = std::env::temp_dir().join(format!("macaron-health-{}.db", std::process::id()));
    let url = format!("sqlite://{}", db.display());
    let api = common::builder(&common::Reports::default()).database(&url).health_check("cache", fine).build().unwrap();
    let s = TestServer::start(api).await;
    let ready = s.assert_call_json("GET", "/health/ready", None, 200).await;
    assert_eq!(ready["status"], "ok");
    assert_eq!(ready["checks"]["database"]["status"], "ok", "{ready}");
    assert_eq!(ready["checks"]["cache"]["status"], "ok", "{ready}");
    assert!(ready["checks"]["database"]["ms"].is_u64(), "{ready}");

    let api = common::builder(&common::Reports::default())
        .health_check("cache", fine)
        .health_check("mail", broken)
        .health_check("search", slow)
        .health_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let s = TestServer::start(api).await;
    let started = std::time::Instant::now();
    let reply = s.call("GET", "/health/ready").send().await;
    assert!(started.elapsed() < Duration::from_secs(10), "the slow check was not cut at its timeout");
    assert_eq!(reply.status, 503);
    let body = reply.json();
    assert_eq!(body["status"], "fail");
    assert_eq!(body["checks"]["cache"]["status"], "ok");
    assert_eq!(body["checks"]["mail"]["status"], "fail");
    assert_eq!(body["checks"]["search"]["status"], "timeout");
    let text = body.to_string();
    assert!(!text.contains("smtp.internal") && !text.contains("hunter2"), "{text}");
    let _ = std::fs::remove_file(&db);
}

#[test]
fn two_checks_with_one_name_are_refused() {
    async fn fine() -> macaron::Result<()> {
        Ok(())
    }
    let err = common::builder(&common::Reports::default()).health_check("database", fine).build().unwrap_err();
    assert!(err.error_description.contains("two readiness checks are named 'database'"), "{}", err.error_description);
}
