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

use actix_web::web::Bytes;
use serde_json::{json, Map, Value};

use crate::error::codes::CheckFailed;
use crate::instance::Reports;
use crate::reply::Response;

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
pub(crate) fn live() -> Response {
    Response::bytes(200, "application/json", Bytes::from_static(b"{\"status\":\"ok\"}"))
        .header("Cache-Control", "no-store")
}

/// `/health/ready`: every check, at once, each within the timeout.
/// `db` and `tasks` are the service's database and task queue, when it
/// has them; `reports` hides secrets in what the log says of a failure.
pub(crate) async fn ready(
    health: &Health,
    db: Option<macaron_db::Db>,
    tasks: Option<macaron_tasks::Queue>,
    reports: &Reports,
) -> Response {
    if health.is_stopping() {
        return reply(503, json!({"status": "stopping", "checks": {}}));
    }
    let mut names: Vec<String> = Vec::new();
    let mut runs: Vec<Pin<Box<dyn Future<Output = crate::Result<()>> + Send>>> = Vec::new();
    if let Some(db) = db {
        names.push("database".into());
        runs.push(Box::pin(async move { db.ping().await.map_err(|e| unavailable(e.to_string())) }));
    }
    if let Some(queue) = tasks {
        names.push("tasks".into());
        runs.push(Box::pin(async move { queue.ping().await.map_err(|e| unavailable(e.to_string())) }));
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
                let why = reports.redact(&e.error_description);
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
    let (status, word) = if all_ok { (200, "ok") } else { (503, "fail") };
    reply(status, json!({"status": word, "checks": checks}))
}

fn unavailable(why: String) -> crate::Error {
    CheckFailed::new(why)
}

fn reply(status: u16, body: Value) -> Response {
    Response::bytes(status, "application/json", body.to_string()).header("Cache-Control", "no-store")
}
