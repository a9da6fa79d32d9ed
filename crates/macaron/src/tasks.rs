//! Background tasks in a service: scheduling with the caller's context,
//! running with it restored, and the service's queue and workers.
//!
//! A task is a plain async function marked [`#[macaron::task]`](crate::task).
//! A handler schedules it with `NAME_async(args).schedule().await?`, which
//! returns once the task is stored (in the service's database by default,
//! in Redis when `redis_url` / `REDIS_URL` is set). Workers (in the server
//! process unless it runs with `--no-worker`, and in any `--worker`
//! process) run it later as the caller who scheduled it: inside the task,
//! [`crate::auth::current_user`] and [`crate::request_id`] answer as they
//! did in the handler, log lines carry the request id, and a task that
//! gives up after its retries sends a `FATAL BACKEND ERROR` crash report
//! naming the task and its (redacted) arguments.
//!
//! ```
//! #[macaron::task(max_attempts = 5)]
//! pub async fn send_welcome(email: String) -> macaron::Result<()> {
//!     let who = macaron::auth::current_user().map(|u| u.id);
//!     tracing::info!("welcome mail to {email}, asked by {who:?}");
//!     Ok(())
//! }
//!
//! async fn signup() -> macaron::Result<macaron::Accepted<serde_json::Value>> {
//!     let id = send_welcome_async("ada@example.com".into())
//!         .delay(std::time::Duration::from_secs(1))
//!         .schedule()
//!         .await?;
//!     Ok(macaron::Accepted(serde_json::json!({ "task": id })))
//! }
//! # let _ = signup;
//! ```

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use actix_web::web::Bytes;
use futures_util::FutureExt;
use macaron_tasks::{Envelope, Executor, Queue, TaskContext, TaskFuture, TaskMetrics, WorkerOptions, Workers};
use serde_json::{json, Value};
use tracing::Instrument;

use crate::error::Error;
use crate::report::{self, Current, Location, Reports, RequestId, ServerInfo};

pub use macaron_tasks::{submit, FailedTask, RetryPolicy, Stats, TaskDef, TaskOutput};

/// How long running tasks may take to finish after a shutdown signal (the
/// default of `task_shutdown_grace`).
const DEFAULT_GRACE: Duration = Duration::from_secs(25);

/// A task call being scheduled: made by the `NAME_async(args...)` function
/// that `#[macaron::task]` writes beside the task.
#[must_use = "a task call does nothing until .schedule().await"]
pub struct Call {
    task: &'static TaskDef,
    args: Result<Value, String>,
    delay: Duration,
    policy: RetryPolicy,
}

impl Call {
    /// A call of `task` with its arguments as a JSON array (generated code calls this).
    pub fn new(task: &'static TaskDef, args: Result<Value, serde_json::Error>) -> Call {
        Call { task, args: args.map_err(|e| e.to_string()), delay: Duration::ZERO, policy: task.policy }
    }

    /// Runs the task no sooner than `delay` from now.
    pub fn delay(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Overrides the task's retry policy for this call.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// Overrides how many times the task may run in all.
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.policy.max_attempts = attempts.max(1);
        self
    }

    /// Overrides the wait after the first failure (doubled after each next one).
    pub fn backoff(mut self, wait: Duration) -> Self {
        self.policy = self.policy.backoff(wait);
        self
    }

    /// Stores the task and returns its id. When this returns `Ok` the task
    /// will run, even if this process stops now. Errors: 503
    /// `TASKS_UNAVAILABLE` when the queue's store is down; 500 when the
    /// service runs no queue (`with_async: false`) or the arguments cannot
    /// be serialised.
    pub async fn schedule(self) -> crate::Result<String> {
        let runtime = runtime().ok_or_else(|| {
            Error::new(
                500,
                "TASKS_DISABLED",
                format!(
                    "cannot schedule {}: no task queue runs in this process (the service is not started, or with_async is false)",
                    self.task.name
                ),
            )
        })?;
        let args = self.args.map_err(|e| {
            Error::new(
                500,
                "SERVER_ERROR",
                format!("the arguments of task {} cannot be serialised: {e}", self.task.name),
            )
        })?;
        let context = TaskContext {
            request_id: report::request_id(),
            user: report::current_user().map(|u| json!({"id": u.id, "claims": u.claims})),
        };
        let envelope = Envelope::new(self.task.name, args, context, self.policy);
        runtime.queue.push(&envelope, self.delay).await.map_err(|e| match e {
            macaron_tasks::TaskError::Unavailable(why) => {
                Error::new(503, "TASKS_UNAVAILABLE", format!("cannot schedule {}: {why}", self.task.name))
            }
            other => Error::new(500, "SERVER_ERROR", format!("cannot schedule {}: {other}", self.task.name)),
        })?;
        runtime.metrics.scheduled(self.task.name);
        tracing::debug!(task = self.task.name, id = %envelope.id, "task scheduled");
        Ok(envelope.id)
    }
}

/// A service's task queue and workers.
pub(crate) struct TaskRuntime {
    pub queue: Queue,
    pub metrics: TaskMetrics,
    options: WorkerOptions,
    grace: Duration,
    executor: Arc<ServiceExecutor>,
    workers: Mutex<Option<Workers>>,
}

/// The queue of the first service started in this process, for scheduling
/// outside a request.
static FIRST: OnceLock<Arc<TaskRuntime>> = OnceLock::new();

/// The task runtime of the service serving the current request, else of the first one.
fn runtime() -> Option<Arc<TaskRuntime>> {
    report::current_server().and_then(|s| s.tasks.get().cloned()).or_else(|| FIRST.get().cloned())
}

/// How tasks run in a service, read from the configuration when it is built.
pub(crate) struct TaskSettings {
    pub redis_url: Option<String>,
    /// `task_queue`: the queue's name in Redis (default: the service's name).
    pub queue_name: Option<String>,
    pub options: WorkerOptions,
    pub grace: Duration,
}

/// A positive duration key (`Config::get_duration`: `30s`, `2m`, or seconds).
fn duration(config: &macaron_config::Config, key: &str, default: Duration) -> Result<Duration, Error> {
    let bad = |why: String| Error::new(500, "STARTUP_ERROR", why);
    match config.get_duration(key).map_err(|e| bad(e.to_string()))? {
        None => Ok(default),
        Some(d) if d.is_zero() => Err(bad(format!("configuration key {key}: must be more than 0 s"))),
        Some(d) => Ok(d),
    }
}

impl TaskSettings {
    /// Reads `redis_url` (or `REDIS_URL`), `task_concurrency`,
    /// `task_visibility_timeout` and `task_shutdown_grace`.
    pub fn from_config(config: &macaron_config::Config) -> Result<Self, Error> {
        let concurrency = config
            .get_opt::<usize>("task_concurrency")
            .map_err(|e| Error::new(500, "STARTUP_ERROR", e.to_string()))?
            .unwrap_or(8);
        let options = WorkerOptions {
            concurrency: concurrency.max(1),
            visibility_timeout: duration(config, "task_visibility_timeout", Duration::from_secs(30))?,
            ..WorkerOptions::default()
        };
        let queue_name = config
            .get_opt::<String>("task_queue")
            .map_err(|e| Error::new(500, "STARTUP_ERROR", e.to_string()))?
            .filter(|n| !n.is_empty());
        Ok(TaskSettings {
            redis_url: config.redis_url.as_ref().map(|u| u.expose().to_string()),
            queue_name,
            options,
            grace: duration(config, "task_shutdown_grace", DEFAULT_GRACE)?,
        })
    }

    /// Connects the queue: Redis when configured, else the service's database.
    pub async fn connect(
        &self,
        db: Option<&macaron_db::Db>,
        server: &Arc<ServerInfo>,
        reports: &Arc<Reports>,
        registry: &prometheus::Registry,
    ) -> Result<Arc<TaskRuntime>, Error> {
        let startup = |why: String| Error::new(500, "STARTUP_ERROR", format!("tasks: {why}"));
        let queue = match (&self.redis_url, db) {
            (Some(url), _) => {
                let name = self.queue_name.as_deref().unwrap_or(&server.name);
                Queue::redis(url, name).await.map_err(|e| startup(e.to_string()))?
            }
            (None, Some(db)) => Queue::sql(db),
            (None, None) => return Err(startup("no store for tasks: set redis_url or database_url".into())),
        };
        let metrics = TaskMetrics::register(registry).map_err(|e| startup(e.to_string()))?;
        let executor = Arc::new(ServiceExecutor { server: server.clone(), reports: reports.clone(), db: db.cloned() });
        tracing::info!("tasks: {} queue, {} task(s) registered", queue.kind(), macaron_tasks::all().len());
        let runtime = Arc::new(TaskRuntime {
            queue,
            metrics,
            options: self.options.clone(),
            grace: self.grace,
            executor,
            workers: Mutex::new(None),
        });
        let _ = FIRST.set(runtime.clone());
        Ok(runtime)
    }
}

impl TaskRuntime {
    /// Starts this process's workers (once), on the current tokio runtime.
    pub fn start_workers(&self) {
        let mut workers = self.workers.lock().unwrap_or_else(|e| e.into_inner());
        if workers.is_none() {
            let executor: Arc<dyn Executor> = self.executor.clone();
            *workers =
                Some(Workers::start(self.queue.clone(), executor, Some(self.metrics.clone()), self.options.clone()));
        }
    }

    /// Stops the workers: no new task is taken, running ones get the grace
    /// period, the rest stay queued.
    pub async fn stop_workers(&self) {
        let workers = self.workers.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(workers) = workers {
            workers.shutdown(self.grace).await;
        }
    }
}

/// Runs tasks as the caller who scheduled them, and reports those that give up.
struct ServiceExecutor {
    server: Arc<ServerInfo>,
    reports: Arc<Reports>,
    db: Option<macaron_db::Db>,
}

impl ServiceExecutor {
    /// What crash reports and `current_user()` see while the task runs.
    fn current(&self, envelope: &Envelope) -> Arc<Current> {
        let user = envelope.context.user.as_ref().and_then(|u| {
            let id = u.get("id")?.as_str()?.to_string();
            let claims = u.get("claims").and_then(Value::as_object).cloned().unwrap_or_default();
            Some(macaron_auth::User { id, claims })
        });
        Arc::new(Current {
            request_id: RequestId::from_text(envelope.context.request_id.as_deref().unwrap_or(&envelope.id)),
            method: "TASK".into(),
            location: Location::Task {
                path: envelope.task.clone(),
                query: format!("id={}&attempt={}", envelope.id, envelope.attempts),
            },
            headers: Default::default(),
            body: Mutex::new(Bytes::from(envelope.args.to_string())),
            caller_ip: None,
            user_id: Mutex::new(user.as_ref().map(|u| u.id.clone())),
            user: Mutex::new(user),
            db: self.db.clone(),
            clock: Instant::now(),
            panic: Mutex::new(None),
            server: self.server.clone(),
            reports: self.reports.clone(),
        })
    }
}

impl Executor for ServiceExecutor {
    fn run(&self, task: &'static TaskDef, envelope: &Envelope) -> TaskFuture {
        let current = self.current(envelope);
        let span = tracing::info_span!(
            "task",
            task = task.name,
            id = %envelope.id,
            request_id = %current.request_id,
            attempt = envelope.attempts
        );
        let future = (task.run)(envelope.args.clone());
        Box::pin(
            async move {
                let result = report::scope(current.clone(), AssertUnwindSafe(future).catch_unwind()).await;
                match result {
                    Ok(outcome) => outcome,
                    Err(panic) => Err(match report::take_panic(&current) {
                        Some(note) => format!("panic: {}", note.message),
                        None => macaron_tasks::panic_text(&*panic),
                    }),
                }
            }
            .instrument(span),
        )
    }

    fn gave_up(&self, envelope: &Envelope, error: &str) {
        let current = self.current(envelope);
        let error = Error::new(
            500,
            "TASK_FAILED",
            format!("task {} failed after {} attempt(s): {error}", envelope.task, envelope.attempts),
        );
        let error_id = uuid::Uuid::new_v4().to_string();
        tracing::error!(task = %envelope.task, id = %envelope.id, error_id = %error_id, "{}", error.error_description);
        current.report_fatal(&error, &error_id);
    }
}

impl std::fmt::Debug for TaskRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskRuntime").field("queue", &self.queue).finish_non_exhaustive()
    }
}
