//! Error replies and crash reports through real HTTP: routing errors, size
//! and media errors, handler errors, panics, bad replies; the decorator on
//! every one; reports for every 5xx and none for 4xx; secrets redacted.

use crate::common;

use serde_json::{json, Value};

fn assert_error_object(body: &Value, status: u16, code: &str) {
    assert_eq!(body["error"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert!(body["error_description"].is_string(), "{body}");
    assert_eq!(body["decorated"], true, "the decorator did not run: {body}");
}

#[tokio::test]
async fn routing_errors_are_json_and_decorated() {
    let (s, reports) = common::start().await;
    let r = s.call("GET", "/v1/nowhere").send().await;
    assert_eq!(r.status, 404);
    assert_error_object(&r.json(), 404, "NOT_FOUND");
    // Trailing slashes are significant.
    assert_eq!(s.call("GET", "/v1/items/1/").send().await.status, 404);

    let r = s.call("DELETE", "/v1/items/1").send().await;
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET"));
    assert_error_object(&r.json(), 405, "METHOD_NOT_ALLOWED");
    assert!(reports.lock().unwrap().is_empty(), "4xx must not be reported");
}

#[tokio::test]
async fn size_and_media_type_errors() {
    let reports = common::Reports::default();
    let api = common::builder(&reports).body_limit(1024).build().unwrap();
    let s = macaron::test::TestServer::start(api).await;
    let big = json!({"name": "x".repeat(4000), "price": 1});
    let r = s.call("POST", "/v1/items").json(&big).send().await;
    assert_eq!(r.status, 413);
    assert_error_object(&r.json(), 413, "PAYLOAD_TOO_LARGE");
    // Without Content-Length (chunked), the limit still holds while reading.
    let chunks: Vec<Result<String, std::io::Error>> = (0..8).map(|_| Ok("x".repeat(512))).collect();
    let stream = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let r = s.call("POST", "/v1/items").body("application/json", stream).send().await;
    assert_eq!(r.status, 413);

    let r = s.call("POST", "/v1/items").body("text/plain", "hello").send().await;
    assert_eq!(r.status, 415);
    assert_error_object(&r.json(), 415, "UNSUPPORTED_MEDIA_TYPE");
    assert!(r.json()["error_description"].as_str().unwrap().contains("application/json"));

    let r = s.call("POST", "/v1/items").body("application/json", "{oops").send().await;
    assert_eq!(r.status, 400);
    assert_error_object(&r.json(), 400, "INVALID_PARAMETER");
    assert!(reports.lock().unwrap().is_empty(), "4xx must not be reported");
}

#[tokio::test]
async fn declared_handler_errors_pass_through_unreported() {
    let (s, reports) = common::start().await;
    let e = s.assert_call_error("GET", "/v1/items/5", None, 404, "ITEM_NOT_FOUND").await;
    assert_eq!(e["error_description"], "no item 5");
    assert_eq!(e["decorated"], true);
    assert!(e.get("error_id").is_none());
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(reports.lock().unwrap().is_empty());
}

#[tokio::test]
async fn a_panic_is_a_reported_500_with_the_same_error_id() {
    let (s, reports) = common::start().await;
    let r = s
        .call("POST", "/v1/crash?password=hunter22")
        .token("eyJhbGciOiJIUzI1NiJ9.planted-token.sig")
        .header("Cookie", "token=Bearer%20eyJhbGciOiJIUzI1NiJ9.cookie-token.sig")
        .header("X-Request-Id", "crash-request-1")
        .json(&json!({"note": "eyJhbGciOiJIUzI1NiJ9.planted-token.sig", "config": common::SECRET}))
        .send()
        .await;
    assert_eq!(r.status, 500);
    let body = r.json();
    assert_error_object(&body, 500, "SERVER_ERROR");
    let error_id = body["error_id"].as_str().unwrap().to_string();
    assert_eq!(error_id.len(), 36);
    // Nothing of the panic, the source or the request leaks to the caller.
    for inside in ["crash requested", "panicked", ".rs", "integration::", "hunter22", "planted"] {
        assert!(!r.text().contains(inside), "{inside} leaked: {}", r.text());
    }
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));

    let got = common::wait_reports(&reports, 1).await;
    assert_eq!(got.len(), 1);
    let (title, message) = &got[0];
    assert!(title.starts_with("FATAL BACKEND ERROR shop 500 SERVER_ERROR:"), "{title}");
    let report: Value = serde_json::from_str(message).unwrap();
    assert_eq!(report["error_id"], error_id.as_str());
    assert_eq!(report["request"]["id"], "crash-request-1");
    assert_eq!(report["request"]["method"], "POST");
    assert_eq!(report["request"]["path"], "/v1/crash");
    assert!(report["error"]["panic"].as_str().unwrap().contains("crash requested by crash-request-1"));
    // The service's frames first (this test's handler), the runtime's folded into a count.
    let frames = report["backtrace"]["frames"].as_array().unwrap();
    assert!(frames.first().and_then(Value::as_str).is_some_and(|f| f.starts_with("integration::")), "{frames:?}");
    assert!(report["backtrace"]["folded"].as_u64().unwrap() > 0);
    assert_eq!(report["operation"], "crash");
    assert_eq!(report["server"]["name"], "shop");
    assert_eq!(report["server"]["port"], s.port());
    assert!(report["caller"]["ip"].as_str().unwrap().starts_with("127.0.0.1"));
    assert!(report["timing"]["duration_ms"].is_number());
    assert_eq!(report["response"]["error"], "SERVER_ERROR");
    // Secrets: the bearer token (wherever it appears), cookies, configured secrets.
    assert!(!message.contains("planted-token"), "{message}");
    assert!(!message.contains("cookie-token"), "{message}");
    assert!(!message.contains(common::SECRET), "{message}");
    assert!(message.contains("***"));
}

#[tokio::test]
async fn a_thousand_panics_in_a_row_and_the_server_still_serves() {
    let (s, reports) = common::start().await;
    for _ in 0..1000 {
        let r = s.call("POST", "/v1/crash").send().await;
        assert_eq!(r.status, 500);
    }
    assert_eq!(s.assert_call_json("GET", "/v1/items/1", None, 200).await["id"], 1);
    assert_eq!(common::wait_reports(&reports, 1000).await.len(), 1000);
}

#[tokio::test]
async fn std_errors_and_bad_replies_are_reported_500s() {
    let (s, reports) = common::start().await;
    // The caller is told what the status means and the error id; the
    // cause is in the crash report only.
    let generic = "the service failed to handle the request; the error_id names the report of what happened";
    let e0 = s.assert_call_error("GET", "/v1/fail", None, 500, "SERVER_ERROR").await;
    assert_eq!(e0["error_description"], generic, "{e0}");
    let e = s.assert_call_error("GET", "/v1/bad-reply", None, 500, "BAD_RESPONSE").await;
    assert_eq!(e["error_description"], generic, "{e}");
    let e2 = s.assert_call_error("GET", "/v1/undeclared-status", None, 500, "BAD_RESPONSE").await;
    assert_eq!(e2["error_description"], generic, "{e2}");
    let got = common::wait_reports(&reports, 3).await;
    let titles: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles.len(), 3, "{titles:?}");
    assert!(titles[0].starts_with("FATAL BACKEND ERROR shop 500 SERVER_ERROR"));
    assert!(titles[1].starts_with("FATAL BACKEND ERROR shop 500 BAD_RESPONSE"));
    assert!(got[0].1.contains("invalid digit"), "{}", got[0].1);
    assert!(got[1].1.contains("\\\"id\\\" is a required property"), "{}", got[1].1);
    assert!(got[2].1.contains("203"), "{}", got[2].1);
    let report: Value = serde_json::from_str(&got[1].1).unwrap();
    assert_eq!(report["error_id"], e["error_id"]);
}

#[tokio::test]
async fn with_debug_a_500_tells_its_cause() {
    let reports: common::Reports = Default::default();
    let options = macaron::Options { debug: true, ..macaron::Options::default() };
    let api = common::builder(&reports).options(options).build().unwrap();
    let s = macaron::test::TestServer::start(api).await;
    let e = s.assert_call_error("GET", "/v1/fail", None, 500, "SERVER_ERROR").await;
    assert!(e["error_description"].as_str().unwrap().contains("invalid digit"), "{e}");
    let r = s.call("POST", "/v1/crash").send().await;
    assert!(r.json()["error_description"].as_str().unwrap().contains("crash requested by"), "{}", r.text());
}

#[tokio::test]
async fn replies_are_not_checked_when_validation_is_off() {
    let reports = common::Reports::default();
    let api = common::builder(&reports).validate_responses(false).build().unwrap();
    let s = macaron::test::TestServer::start(api).await;
    assert_eq!(s.assert_call_json("GET", "/v1/bad-reply", None, 200).await, json!({"name": "widget"}));
}

#[tokio::test]
async fn report_error_sends_a_non_fatal_report_and_the_handler_goes_on() {
    let (s, reports) = common::start().await;
    assert_eq!(s.assert_call_json("GET", "/v1/nonfatal", None, 200).await, json!({"ok": true}));
    let got = common::wait_reports(&reports, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0, "NON-FATAL BACKEND ERROR shop: could not warm the cache");
    let report: Value = serde_json::from_str(&got[0].1).unwrap();
    assert_eq!(report["error"]["description"], "cache down");
    assert_eq!(report["request"]["path"], "/v1/nonfatal");
}

#[tokio::test]
async fn a_panicking_or_slow_reporter_never_breaks_the_reply() {
    // The reporter blocks until the test has every reply, then panics: if a
    // reply waited for the reporter, it would never come (no clock to race).
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let gate = std::sync::Mutex::new(gate);
    let api = common::builder(&common::Reports::default())
        .error_reporter(move |_: &str, _: &str| {
            if let Ok(gate) = gate.lock() {
                let _ = gate.recv_timeout(std::time::Duration::from_secs(60));
            }
            panic!("reporter down");
        })
        .build()
        .unwrap();
    let s = macaron::test::TestServer::start(api).await;
    let replies = async {
        for _ in 0..3 {
            s.assert_call_error("GET", "/v1/fail", None, 500, "SERVER_ERROR").await;
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(30), replies).await.expect("replies waited for the reporter");
    drop(release);
    s.assert_call_json("GET", "/ping", None, 200).await;
}

#[tokio::test]
async fn startup_lists_every_problem() {
    let e = macaron::Api::builder()
        .api(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/apis/shop.yaml"))
        .handler("getItem", |_: macaron::Path<Value>| async { Ok(json!({})) })
        .handler("noSuchOperation", || async { Ok(json!({})) })
        .build()
        .unwrap_err();
    let d = e.error_description;
    assert!(d.contains("operation 'createItem' (POST /v1/items in"), "{d}");
    assert!(d.contains("operation 'nothing' (DELETE /v1/nothing in"), "{d}");
    assert!(d.contains("handler 'noSuchOperation' names no operation"), "{d}");
    assert!(!d.contains("'getItem' ("), "{d}");
    let e = macaron::Api::builder().api("/no/such/spec.yaml").build().unwrap_err();
    assert!(e.error_description.contains("/no/such/spec.yaml: #: cannot read"), "{}", e.error_description);
}
