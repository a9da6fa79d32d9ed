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

//!
//! The room's files: this one schedules (`Call`), `runtime` reads the
//! settings and connects the queue and workers, `executor` runs a task
//! with its caller's record restored and reports those that give up.

use std::time::Duration;

use macaron_tasks::{Envelope, TaskContext};
use serde_json::{json, Value};

use crate::error::codes::{ServerError, TasksDisabled, TasksUnavailable};
use crate::instance::TaskQueue;
use crate::request::record::{current_instance, current_user};

mod executor;
mod runtime;

pub use macaron_tasks::{submit, FailedTask, RetryPolicy, Stats, TaskDef, TaskOutput};
pub(crate) use runtime::{TaskRuntime, TaskSettings};

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
        let runtime = queue().ok_or_else(|| {
            TasksDisabled::new(format!(
                "cannot schedule {}: no task queue runs in this process (the service is not started, or with_async is false)",
                self.task.name
            ))
        })?;
        let args = self.args.map_err(|e| {
            ServerError::new(format!("the arguments of task {} cannot be serialised: {e}", self.task.name))
        })?;
        let mut context = TaskContext {
            request_id: crate::request_id(),
            user: current_user().map(|u| json!({"id": u.id, "claims": u.claims})),
            ..TaskContext::default()
        };
        if crate::telemetry::on() {
            for (name, value) in crate::telemetry::spans::headers_of(&tracing::Span::current()) {
                match name.as_str() {
                    "traceparent" => context.traceparent = Some(value),
                    "tracestate" => context.tracestate = Some(value),
                    _ => {}
                }
            }
        }
        let envelope = Envelope::new(self.task.name, args, context, self.policy);
        runtime.queue.push(&envelope, self.delay).await.map_err(|e| match e {
            macaron_tasks::TaskError::Unavailable(why) => {
                TasksUnavailable::new(format!("cannot schedule {}: {why}", self.task.name))
            }
            other => ServerError::new(format!("cannot schedule {}: {other}", self.task.name)),
        })?;
        runtime.metrics.scheduled(self.task.name);
        tracing::debug!(task = self.task.name, id = %envelope.id, "task scheduled");
        Ok(envelope.id)
    }
}

/// The task queue of the service serving the current request, else of the
/// first one started in this process (scheduling outside a request).
fn queue() -> Option<TaskQueue> {
    current_instance().and_then(|i| i.tasks.get().cloned()).or_else(|| runtime::FIRST.get().cloned())
}
