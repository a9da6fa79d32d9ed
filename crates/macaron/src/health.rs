//! Liveness and readiness: `/health/live`, `/health/ready`, and the checks
//! a service registers.
//!
//! A container platform asks two different questions. *Is the process
//! alive?* (`/health/live`): answered without touching anything else, so a
//! database outage never gets healthy processes restarted. *Should it get
//! traffic?* (`/health/ready`): the database, the task queue and every
//! check registered with [`crate::ApiBuilder::health_check`] run at once,
//! each within `health_timeout` (2 s by default), and the reply is 200 when
//! all pass, 503 otherwise:
//!
//! ```json
//! {"status": "ok", "checks": {"database": {"status": "ok", "ms": 1}, "tasks": {"status": "ok", "ms": 0}}}
//! ```
//!
//! A check's status is `ok`, `fail` or `timeout`; why it failed goes to the
//! log (secrets redacted), never to the caller, and no host name appears.
//! From the moment SIGTERM arrives the reply is 503 with status `stopping`,
//! while in-flight requests finish, so a load balancer stops sending new
//! ones; `shutdown_delay` in the configuration keeps accepting connections
//! for that long first.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_http::body::BoxBody;
use actix_web::http::{header, StatusCode};
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use crate::api::Service;

/// The default time each readiness check may take.
pub const DEFAULT_HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// A readiness check: `Ok` when what it checks works.
pub(crate) type CheckFn = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = crate::Result<()>> + Send>> + Send + Sync>;

/// The service's health: its checks, and whether it is stopping.
pub(crate) struct Health {
    pub checks: Vec<(String, CheckFn)>,
    pub timeout: Duration,
    /// After SIGTERM, how long the listener stays open with readiness at 503.
    pub shutdown_delay: Duration,
    stopping: AtomicBool,
}

impl Health {
    pub fn new(checks: Vec<(String, CheckFn)>, timeout: Duration, shutdown_delay: Duration) -> Health {
        Health { checks, timeout, shutdown_delay, stopping: AtomicBool::new(false) }
    }

    /// From now on, readiness answers 503 `stopping`.
    pub fn stop(&self) {
        self.stopping.store(true, Ordering::SeqCst);
    }

    fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }
}

/// `/health/live`: the process serves requests.
pub(crate) fn live() -> HttpResponse {
    let mut reply = HttpResponse::with_body(StatusCode::OK, BoxBody::new(Bytes::from_static(b"{\"status\":\"ok\"}")));
    reply.headers_mut().insert(header::CONTENT_TYPE, crate::dispatch::JSON);
    reply.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    reply
}

/// `/health/ready`: every check, at once, each within the timeout.
pub(crate) async fn ready(service: &Service) -> HttpResponse {
    let health = &service.health;
    if health.is_stopping() {
        return reply(StatusCode::SERVICE_UNAVAILABLE, json!({"status": "stopping", "checks": {}}));
    }
    let mut names: Vec<String> = Vec::new();
    let mut runs: Vec<Pin<Box<dyn Future<Output = crate::Result<()>> + Send>>> = Vec::new();
    if let Some(db) = service.storage.as_ref().and_then(|s| s.db.get()).cloned() {
        names.push("database".into());
        runs.push(Box::pin(async move { db.ping().await.map_err(|e| unavailable(e.to_string())) }));
    }
    if let Some(tasks) = service.server.tasks.get().cloned() {
        names.push("tasks".into());
        runs.push(Box::pin(async move { tasks.queue.ping().await.map_err(|e| unavailable(e.to_string())) }));
    }
    for (name, check) in &health.checks {
        names.push(name.clone());
        runs.push(check());
    }
    let timeout = health.timeout;
    let outcomes = futures_util::future::join_all(runs.into_iter().map(|run| async move {
        let started = Instant::now();
        let outcome = tokio::time::timeout(timeout, run).await;
        (outcome, started.elapsed())
    }))
    .await;
    let mut checks = Map::new();
    let mut all_ok = true;
    for (name, (outcome, took)) in names.into_iter().zip(outcomes) {
        let status = match outcome {
            Ok(Ok(())) => "ok",
            Ok(Err(e)) => {
                let why = service.reports.redact(&e.error_description);
                tracing::warn!("readiness check {name} failed: {why}");
                "fail"
            }
            Err(_) => {
                tracing::warn!("readiness check {name} took more than {} ms", timeout.as_millis());
                "timeout"
            }
        };
        all_ok &= status == "ok";
        checks.insert(name, json!({"status": status, "ms": took.as_millis() as u64}));
    }
    let (status, word) = if all_ok { (StatusCode::OK, "ok") } else { (StatusCode::SERVICE_UNAVAILABLE, "fail") };
    reply(status, json!({"status": word, "checks": checks}))
}

/// `letsgo healthcheck`: asks `GET /health/live` of the service on
/// `host:port` and returns `Ok` on a 200, else why not. Plain HTTP/1.1 on
/// a socket, so an image needs no shell and no curl to run it.
pub(crate) fn probe(host: &str, port: u16, timeout: Duration) -> std::result::Result<(), String> {
    use std::io::{Read, Write};
    let ip: std::net::IpAddr = host.parse().map_err(|_| format!("--host {host}: expected an IP address"))?;
    let addr = std::net::SocketAddr::new(ip, port);
    let url = format!("http://{addr}/health/live");
    let mut stream = std::net::TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("{url}: {e}"))?;
    stream.set_read_timeout(Some(timeout)).map_err(|e| format!("{url}: {e}"))?;
    stream.set_write_timeout(Some(timeout)).map_err(|e| format!("{url}: {e}"))?;
    let request = format!("GET /health/live HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).map_err(|e| format!("{url}: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 256];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 4096 {
        let n = stream.read(&mut buf).map_err(|e| format!("{url}: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    let status_line = text.lines().next().unwrap_or("");
    match status_line.split_whitespace().nth(1) {
        Some("200") => Ok(()),
        Some(code) => Err(format!("{url} answered {code}")),
        None => Err(format!("{url}: no HTTP reply")),
    }
}

fn unavailable(why: String) -> crate::Error {
    crate::Error::new(503, "UNAVAILABLE", why)
}

fn reply(status: StatusCode, body: Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body.to_string())
}
