//! Running a task as the caller who scheduled it.
//!
//! A task must see what its handler saw: [`crate::auth::current_user`],
//! [`crate::request_id`], the database, crash reports naming the request.
//! So the executor builds a request record from the task's envelope (the
//! caller's id and claims, the request id, the arguments as the body) and
//! runs the task inside it, catching a panic as the HTTP layer does; a
//! task that gives up after its retries gets a crash report.

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use actix_web::web::Bytes;
use futures_util::FutureExt;
use macaron_tasks::{Envelope, Executor, TaskDef, TaskFuture};
use serde_json::Value;
use tracing::Instrument;

use crate::error::codes::TaskFailed;
use crate::instance::{Instance, Reports};
use crate::request::record::scope;
use crate::request::{Current, Location, RequestId, Routed};
use crate::telemetry::spans;

/// Runs tasks as the caller who scheduled them, and reports those that give up.
pub(super) struct ServiceExecutor {
    pub instance: Arc<Instance>,
    pub reports: Arc<Reports>,
    pub db: Option<macaron_db::Db>,
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
            instance: self.instance.clone(),
            reports: self.reports.clone(),
            trace_id: None,
            operation: OnceLock::new(),
        })
    }
}

impl Executor for ServiceExecutor {
    fn run(&self, task: &'static TaskDef, envelope: &Envelope) -> TaskFuture {
        let mut current = self.current(envelope);
        let span = tracing::info_span!(
            "task",
            task = task.name,
            id = %envelope.id,
            request_id = %current.request_id,
            attempt = envelope.attempts,
            otel.name = tracing::field::Empty,
            otel.kind = tracing::field::Empty,
            macaron.task = tracing::field::Empty,
        );
        if crate::telemetry::on() {
            // The task's span continues the trace of the request that scheduled it.
            span.record("otel.name", format!("task {}", task.name));
            span.record("otel.kind", "consumer");
            span.record("macaron.task", task.name);
            if let Some(parent) = &envelope.context.traceparent {
                spans::continue_from(&span, parent, envelope.context.tracestate.as_deref());
            }
            if let Some(current) = Arc::get_mut(&mut current) {
                current.trace_id = spans::trace_id(&span);
            }
        }
        let _ = current.operation.set(Arc::new(Routed { id: Arc::from(task.name), handler: None }));
        let future = (task.run)(envelope.args.clone());
        Box::pin(
            async move {
                let result = scope(current.clone(), AssertUnwindSafe(future).catch_unwind()).await;
                match result {
                    Ok(outcome) => outcome,
                    Err(panic) => Err(match current.panic() {
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
        let error =
            TaskFailed::new(format!("task {} failed after {} attempt(s): {error}", envelope.task, envelope.attempts));
        let error_id = crate::error::id::error_id();
        tracing::error!(task = %envelope.task, id = %envelope.id, error_id = %error_id, "{}", error.error_description);
        crate::reports::fatal(&current, &error, &error_id);
    }
}
