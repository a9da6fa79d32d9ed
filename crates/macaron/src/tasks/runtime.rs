//! A service's task queue and workers: settings, connection, start and stop.
//!
//! Settings are read from the configuration when the service is built
//! (so a bad value stops the start with its key); the queue is connected
//! with the service (Redis when `redis_url` is set, else a table of the
//! service's database), and the instance learns it, so requests schedule
//! on it; workers start and stop with the server.

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use macaron_tasks::{Executor, Queue, TaskMetrics, WorkerOptions, Workers};

use super::executor::ServiceExecutor;
use crate::error::codes::StartupFailed;
use crate::error::Error;
use crate::instance::{Instance, Reports, TaskQueue};

/// How long running tasks may take to finish after a shutdown signal (the
/// default of `task_shutdown_grace`).
const DEFAULT_GRACE: Duration = Duration::from_secs(25);

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
pub(super) static FIRST: OnceLock<TaskQueue> = OnceLock::new();

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
    let bad = |why: String| StartupFailed::new(why);
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
        let concurrency =
            config.get_opt::<usize>("task_concurrency").map_err(|e| StartupFailed::new(e.to_string()))?.unwrap_or(8);
        let options = WorkerOptions {
            concurrency: concurrency.max(1),
            visibility_timeout: duration(config, "task_visibility_timeout", Duration::from_secs(30))?,
            ..WorkerOptions::default()
        };
        let queue_name = config
            .get_opt::<String>("task_queue")
            .map_err(|e| StartupFailed::new(e.to_string()))?
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
        instance: &Arc<Instance>,
        reports: &Arc<Reports>,
        registry: &prometheus::Registry,
    ) -> Result<Arc<TaskRuntime>, Error> {
        let startup = |why: String| StartupFailed::new(format!("tasks: {why}"));
        let queue = match (&self.redis_url, db) {
            (Some(url), _) => {
                let name = self.queue_name.as_deref().unwrap_or(&instance.name);
                Queue::redis(url, name).await.map_err(|e| startup(e.to_string()))?
            }
            (None, Some(db)) => Queue::sql(db),
            (None, None) => return Err(startup("no store for tasks: set redis_url or database_url".into())),
        };
        let metrics = TaskMetrics::register(registry).map_err(|e| startup(e.to_string()))?;
        let executor =
            Arc::new(ServiceExecutor { instance: instance.clone(), reports: reports.clone(), db: db.cloned() });
        tracing::info!("tasks: {} queue, {} task(s) registered", queue.kind(), macaron_tasks::all().len());
        let runtime = Arc::new(TaskRuntime {
            queue,
            metrics,
            options: self.options.clone(),
            grace: self.grace,
            executor,
            workers: Mutex::new(None),
        });
        // Where requests (and code outside them) find the queue to schedule on.
        let handle = TaskQueue { queue: runtime.queue.clone(), metrics: runtime.metrics.clone() };
        let _ = FIRST.set(handle.clone());
        let _ = instance.tasks.set(handle);
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

impl std::fmt::Debug for TaskRuntime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskRuntime").field("queue", &self.queue).finish_non_exhaustive()
    }
}
