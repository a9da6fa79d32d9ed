//! Traces across services and tasks, JSON logs and crash reports, on the
//! real `helloworld` binary: two instances (`front` exporting OTLP/HTTP,
//! `back` exporting OTLP/gRPC) and a collector decoding what they send
//! (`macaron_dev::otlp`).

#![cfg(unix)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use macaron_dev::otlp::{Receiver, Span};
use serde_json::Value;

/// The caller's own trace, as a W3C header.
const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const CALLER_SPAN: &str = "00f067aa0ba902b7";
const SECRET: &str = "sekrit-token-4242";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

struct Service {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Service {
    fn start(dir: &Path, name: &str, vars: &[(&str, String)]) -> Service {
        let port = free_port();
        let log = dir.join(format!("{name}.log"));
        let data = dir.join(name);
        std::fs::create_dir_all(&data).unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_helloworld"));
        command
            .args(["--port", &port.to_string()])
            .env("OTEL_SERVICE_NAME", name)
            .env("MACARON_LOG_FORMAT", "json")
            .env("MACARON_DATA_DIR", &data)
            .env("RUST_LOG", "info")
            .env_remove("DATABASE_URL")
            .env_remove("REDIS_URL")
            .stdout(std::fs::File::create(&log).unwrap())
            .stderr(Stdio::inherit());
        for (k, v) in vars {
            command.env(k, v);
        }
        let child = command.spawn().expect("start helloworld");
        let url = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(60);
        while reqwest::blocking_get(&format!("{url}/health/ready")) != Some(200) {
            assert!(Instant::now() < deadline, "{name} did not start: {}", std::fs::read_to_string(&log).unwrap());
            std::thread::sleep(Duration::from_millis(100));
        }
        Service { child, url, log }
    }

    /// SIGTERM, then the exit status.
    fn stop(mut self) -> Vec<Value> {
        let killed = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "exit {status}");
                break;
            }
            assert!(Instant::now() < deadline, "no exit after SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
        lines(&self.log)
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Every line of a JSON log, parsed (a line that is not JSON fails the test).
fn lines(log: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(log).unwrap();
    text.lines()
        .filter(|l| !l.starts_with("macaron: ") && !l.starts_with("  "))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

mod reqwest {
    //! A blocking GET without another client.
    pub fn blocking_get(url: &str) -> Option<u16> {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().ok()?;
        rt.block_on(async { ::reqwest::get(url).await.ok().map(|r| r.status().as_u16()) })
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("macaron-traces-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn one<'a>(spans: &'a [Span], what: &str, test: impl Fn(&Span) -> bool) -> &'a Span {
    let found: Vec<&Span> = spans.iter().filter(|s| test(s)).collect();
    assert_eq!(found.len(), 1, "one {what} span expected in {spans:#?}");
    found[0]
}

#[test]
fn one_trace_crosses_two_services_a_generated_client_and_a_task() {
    let receiver = Receiver::start();
    let dir = scratch("relay");
    let back = Service::start(
        &dir,
        "back",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.grpc_url()), ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc".into())],
    );
    let front = Service::start(
        &dir,
        "front",
        &[("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.http_url()), ("RELAY_URL", back.url.clone())],
    );

    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let reply = rt.block_on(async {
        let client = ::reqwest::Client::new();
        client
            .post(format!("{}/v1/relay/Ada", front.url))
            .header("traceparent", format!("00-{TRACE}-{CALLER_SPAN}-01"))
            .header("Authorization", format!("Bearer {SECRET}"))
            .header("X-Api-Key", SECRET)
            .send()
            .await
            .unwrap()
    });
    assert_eq!(reply.status(), 202);

    // The task has run once its line is in the back's log.
    let deadline = Instant::now() + Duration::from_secs(30);
    while !std::fs::read_to_string(&back.log).unwrap().contains("hello Ada!") {
        assert!(Instant::now() < deadline, "the task did not run: {}", std::fs::read_to_string(&back.log).unwrap());
        std::thread::sleep(Duration::from_millis(100));
    }
    // Metrics: the task queue's depth, what runs, monitored sections, requests in flight.
    let metrics =
        rt.block_on(async { ::reqwest::get(format!("{}/metrics", back.url)).await.unwrap().text().await.unwrap() });
    for series in [
        r#"macaron_tasks_queued{state="queued"} 0"#,
        r#"macaron_tasks_queued{state="failed"} 0"#,
        "macaron_tasks_oldest_queued_seconds 0",
        r#"macaron_monitor_duration_seconds_count{kind="greeting",name="write"} 1"#,
        "macaron_requests_in_flight 1",
        r#"macaron_build_info{name="helloworld""#,
    ] {
        assert!(metrics.contains(series), "{series} in {metrics}");
    }
    // Stopped at once: the spans still queued are exported at shutdown, not lost.
    let back_lines = back.stop();
    let front_lines = front.stop();
    let spans = receiver.wait_for(Duration::from_secs(10), |s| s.len() >= 6);

    let server = one(&spans, "front server", |s| s.service == "front" && s.name == "relay");
    let monitor = one(&spans, "front monitor", |s| s.service == "front" && s.name == "helloworld.hello_later");
    let client = one(&spans, "front client", |s| s.service == "front" && s.kind == "client");
    let callee = one(&spans, "back server", |s| s.service == "back" && s.name == "helloLater");
    let task = one(&spans, "back task", |s| s.service == "back" && s.kind == "consumer");
    let greeting = one(&spans, "task monitor", |s| s.name == "greeting.write");

    // One trace, the caller's; each span the child of the one before.
    for span in [server, monitor, client, callee, task, greeting] {
        assert_eq!(span.trace_id, TRACE, "{span:#?}");
    }
    assert_eq!(server.parent_span_id, CALLER_SPAN);
    assert_eq!(monitor.parent_span_id, server.span_id);
    assert_eq!(client.parent_span_id, monitor.span_id);
    assert_eq!(callee.parent_span_id, client.span_id);
    assert_eq!(task.parent_span_id, callee.span_id);
    assert_eq!(greeting.parent_span_id, task.span_id);
    assert_eq!((server.via, callee.via), ("http", "grpc"));
    // The picture in docs/monitoring.md (`-- --nocapture` prints it).
    let trace: Vec<Span> = spans.iter().filter(|s| s.trace_id == TRACE).cloned().collect();
    println!("trace {TRACE}\n{}", macaron_dev::otlp::picture(&trace));

    // The semantic-convention attributes.
    assert_eq!(server.name, "relay");
    let a = &server.attributes;
    assert_eq!(a["http.request.method"], "POST");
    assert_eq!(a["http.route"], "/v1/relay/{name}");
    assert_eq!(a["http.response.status_code"], "202");
    assert_eq!(a["macaron.operation_id"], "relay");
    assert_eq!(callee.name, "helloLater");
    assert_eq!(callee.attributes["http.route"], "/v1/hello/{name}/later");
    assert_eq!(client.attributes["http.request.method"], "POST");
    assert_eq!(client.attributes["http.response.status_code"], "202");
    assert_eq!(task.name, "task helloworld::greet");
    // No raw path, no secret, anywhere.
    for span in &spans {
        for (key, value) in &span.attributes {
            assert!(!value.contains("/Ada") && !value.contains(SECRET), "{key}={value} in {span:#?}");
        }
    }

    // JSON log lines: the request's line and the task's line carry the trace.
    let request = front_lines
        .iter()
        .find(|l| l["operation"] == "relay")
        .unwrap_or_else(|| panic!("no request line in {front_lines:#?}"));
    assert_eq!((request["trace_id"].as_str(), request["status"].as_u64()), (Some(TRACE), Some(202)));
    assert!(request["request_id"].is_string() && request["duration_ms"].is_f64() && request["time"].is_string());
    let greeted = back_lines.iter().find(|l| l["message"] == "hello Ada!").expect("the task's line");
    assert_eq!(greeted["trace_id"], TRACE);
    assert_eq!(greeted["request_id"], request["request_id"], "the request id travels to the task");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_server_error_names_its_trace_and_the_crash_report_its_handler_first() {
    let receiver = Receiver::start();
    let dir = scratch("crash");
    let service = Service::start(&dir, "crashy", &[("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.http_url())]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let body: Value = rt.block_on(async {
        let reply = ::reqwest::get(format!("{}/v1/crash", service.url)).await.unwrap();
        assert_eq!(reply.status(), 500);
        reply.json().await.unwrap()
    });
    let trace = body["trace_id"].as_str().expect("a trace id next to the error id").to_string();
    assert_eq!(trace.len(), 32);
    assert!(body["error_id"].is_string());
    let lines = service.stop();
    let report = lines
        .iter()
        .find(|l| l["title"].as_str().is_some_and(|t| t.starts_with("FATAL BACKEND ERROR helloworld 500")))
        .unwrap_or_else(|| panic!("no crash report in {lines:#?}"));
    let dump: Value = serde_json::from_str(report["message"].as_str().unwrap()).unwrap();
    assert_eq!((dump["operation"].as_str(), dump["handler"].as_str()), (Some("crash"), Some("crate::crash")));
    assert_eq!(dump["trace_id"], trace);
    assert_eq!(dump["response"]["trace_id"], trace);
    let frames = dump["backtrace"]["frames"].as_array().expect("frames");
    assert!(
        frames.iter().take(3).any(|f| f.as_str().is_some_and(|f| f.starts_with("helloworld::crash"))),
        "helloworld::crash in the first frames: {frames:#?}"
    );
    assert!(dump["backtrace"]["folded"].as_u64().unwrap() > 10, "{}", dump["backtrace"]);
    let spans = receiver.wait_for(Duration::from_secs(10), |s| !s.is_empty());
    let server = one(&spans, "server", |s| s.name == "crash");
    assert_eq!((server.trace_id.as_str(), server.status.as_str()), (trace.as_str(), "error"));
    assert_eq!(server.attributes["error.type"], "SERVER_ERROR");
    assert_eq!(server.attributes["macaron.error_id"], body["error_id"].as_str().unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn json_lines_without_traces_and_bad_settings_stop_the_start() {
    let dir = scratch("plain");
    let service = Service::start(&dir, "plain", &[]);
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async { ::reqwest::get(format!("{}/v1/hello/Ada", service.url)).await.unwrap() });
    let lines = service.stop();
    let line = lines.iter().find(|l| l["operation"] == "helloName").unwrap_or_else(|| panic!("{lines:#?}"));
    assert_eq!((line["level"].as_str(), line["status"].as_u64()), (Some("info"), Some(200)));
    assert!(
        line["request_id"].is_string() && line["message"].as_str().unwrap().starts_with("GET /v1/hello/Ada -> 200")
    );
    assert!(line.get("trace_id").is_none(), "no trace without traces: {line}");

    for (var, value, reason) in [
        ("MACARON_LOG_FORMAT", "xml", "error: MACARON_LOG_FORMAT: \"xml\" is not a log format (text or json)"),
        (
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "collector:4318",
            "error: OTEL_EXPORTER_OTLP_ENDPOINT=\"collector:4318\": expected a URL",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_helloworld"))
            .args(["--port", &free_port().to_string()])
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(reason) && stderr.lines().count() == 1, "{stderr}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
