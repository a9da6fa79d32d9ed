//! Workers: claim tasks, run them with a lease kept alive, then finish,
//! retry or give up, and stop cleanly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{watch, Semaphore};
use tokio::task::JoinSet;

use crate::envelope::Envelope;
use crate::metrics::TaskMetrics;
use crate::queue::{Claimed, Queue};
use crate::registry::{self, TaskDef, TaskFuture};

/// What the runtime does around each run: restore the caller's context,
/// catch panics, and report tasks that give up.
pub trait Executor: Send + Sync + 'static {
    /// Runs one attempt of a task (`envelope.attempts` counts it already).
    fn run(&self, task: &'static TaskDef, envelope: &Envelope) -> TaskFuture;

    /// The task failed its last attempt with `error`.
    fn gave_up(&self, envelope: &Envelope, error: &str);
}

/// Runs tasks as they are: panics are caught and count as failures,
/// failures that give up are logged. (Services get the runtime's
/// executor, which also restores the caller and sends crash reports.)
#[derive(Debug, Default, Clone, Copy)]
pub struct PlainExecutor;

impl Executor for PlainExecutor {
    fn run(&self, task: &'static TaskDef, envelope: &Envelope) -> TaskFuture {
        let future = (task.run)(envelope.args.clone());
        Box::pin(async move {
            use futures_util::FutureExt;
            match std::panic::AssertUnwindSafe(future).catch_unwind().await {
                Ok(result) => result,
                Err(panic) => Err(panic_text(&*panic)),
            }
        })
    }

    fn gave_up(&self, envelope: &Envelope, error: &str) {
        tracing::error!(task = %envelope.task, id = %envelope.id, "task failed for good: {error}");
    }
}

/// The message of a caught panic.
pub fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    match panic.downcast_ref::<&str>() {
        Some(s) => format!("panic: {s}"),
        None => match panic.downcast_ref::<String>() {
            Some(s) => format!("panic: {s}"),
            None => "panic".into(),
        },
    }
}

/// How workers run.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Tasks run at once by this process (default 8).
    pub concurrency: usize,
    /// How long a claim lasts without a heartbeat: a worker silent for that
    /// long (killed, frozen) loses its task to another (default 30 s).
    pub visibility_timeout: Duration,
    /// How often an idle worker looks for new tasks in an SQL store
    /// (default 200 ms; tasks scheduled by this process wake it at once).
    pub poll_interval: Duration,
    /// The worker's name in the store (default `host-pid-random`).
    pub name: String,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            concurrency: 8,
            visibility_timeout: Duration::from_secs(30),
            poll_interval: Duration::from_millis(200),
            name: default_worker_name(),
        }
    }
}

fn default_worker_name() -> String {
    let host = std::fs::read_to_string("/etc/hostname").map(|h| h.trim().to_string()).unwrap_or_else(|_| "host".into());
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("{host}-{}-{}", std::process::id(), &random[..8])
}

/// Running workers; [`Workers::shutdown`] stops them.
pub struct Workers {
    stop: watch::Sender<bool>,
    hard_stop: watch::Sender<bool>,
    fetcher: tokio::task::JoinHandle<JoinSet<()>>,
}

struct Shared {
    queue: Queue,
    executor: Arc<dyn Executor>,
    metrics: Option<TaskMetrics>,
    options: WorkerOptions,
    hard_stop: watch::Receiver<bool>,
}

impl Workers {
    /// Starts workers on the current tokio runtime.
    pub fn start(
        queue: Queue,
        executor: Arc<dyn Executor>,
        metrics: Option<TaskMetrics>,
        options: WorkerOptions,
    ) -> Workers {
        let (stop, stop_rx) = watch::channel(false);
        let (hard_stop, hard_rx) = watch::channel(false);
        let shared = Arc::new(Shared { queue, executor, metrics, options, hard_stop: hard_rx });
        let fetcher = tokio::spawn(fetch(shared, stop_rx));
        Workers { stop, hard_stop, fetcher }
    }

    /// Stops taking tasks, lets running ones finish for at most `grace`,
    /// then gives the rest back to the queue (they run again later, here or
    /// elsewhere) and returns.
    pub async fn shutdown(self, grace: Duration) {
        let _ = self.stop.send(true);
        let Ok(mut running) = self.fetcher.await else { return };
        if !running.is_empty() {
            tracing::info!("tasks: waiting for {} running task(s)", running.len());
        }
        let finished = tokio::time::timeout(grace, async { while running.join_next().await.is_some() {} }).await;
        if finished.is_err() {
            tracing::warn!(
                "tasks: {} task(s) still running after {grace:?}: giving them back to the queue",
                running.len()
            );
            let _ = self.hard_stop.send(true);
            let _ =
                tokio::time::timeout(Duration::from_secs(5), async { while running.join_next().await.is_some() {} })
                    .await;
        }
    }
}

async fn fetch(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) -> JoinSet<()> {
    let slots = Arc::new(Semaphore::new(shared.options.concurrency.max(1)));
    let mut running = JoinSet::new();
    let mut failing_since: Option<Instant> = None;
    loop {
        while running.try_join_next().is_some() {}
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit { Ok(p) => p, Err(_) => break },
            _ = stop.changed() => break,
        };
        if *stop.borrow() {
            break;
        }
        // Not cancelled by a stop: a blocking read already sent would hand
        // its task to nobody. A task claimed as the stop came is given back.
        // As many tasks as there are free slots, in one claim.
        let mut permits = vec![permit];
        while let Ok(more) = slots.clone().try_acquire_owned() {
            permits.push(more);
        }
        let (name, lease) = (&shared.options.name, shared.options.visibility_timeout);
        let claimed = shared.queue.claim_many(name, lease, permits.len()).await;
        if *stop.borrow() {
            for claimed in claimed.iter().flatten() {
                if let Err(e) = shared.queue.abandon(claimed, name).await {
                    tracing::warn!("tasks: cannot give a task back at shutdown ({e}); it runs after its claim expires");
                }
            }
            break;
        }
        match claimed {
            Ok(claimed) if !claimed.is_empty() => {
                failing_since = None;
                for (claimed, permit) in claimed.into_iter().zip(permits) {
                    let shared = shared.clone();
                    running.spawn(async move {
                        run_one(&shared, claimed).await;
                        drop(permit);
                    });
                }
            }
            Ok(_) => {
                failing_since = None;
                drop(permits);
                if !shared.queue.blocks() {
                    tokio::select! {
                        _ = tokio::time::sleep(shared.options.poll_interval) => {}
                        _ = shared.queue.wake.notified() => {}
                        _ = stop.changed() => break,
                    }
                }
            }
            Err(e) => {
                drop(permits);
                // Once per outage, then quietly retry every second.
                if failing_since.is_none() {
                    tracing::warn!("tasks: cannot reach the queue ({e}); retrying");
                    failing_since = Some(Instant::now());
                }
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = stop.changed() => break,
                }
            }
        }
    }
    running
}

enum Outcome {
    Done(Result<(), String>),
    LeaseLost,
    Stopped,
}

async fn run_one(shared: &Shared, claimed: Claimed) {
    let worker = shared.options.name.as_str();
    let mut envelope = claimed.envelope.clone();
    envelope.attempts += 1;
    let started = Instant::now();
    let outcome = match registry::find(&envelope.task) {
        None => Outcome::Done(Err(format!("no task named {} in this program", envelope.task))),
        Some(def) => {
            let mut future = shared.executor.run(def, &envelope);
            let mut beat =
                tokio::time::interval((shared.options.visibility_timeout / 3).max(Duration::from_millis(50)));
            beat.tick().await;
            let mut hard_stop = shared.hard_stop.clone();
            loop {
                tokio::select! {
                    result = &mut future => break Outcome::Done(result),
                    _ = beat.tick() => {
                        match shared.queue.heartbeat(&claimed, worker, shared.options.visibility_timeout).await {
                            Ok(true) => {}
                            Ok(false) => break Outcome::LeaseLost,
                            Err(e) => tracing::warn!(task = %envelope.task, "tasks: heartbeat failed ({e})"),
                        }
                    }
                    _ = hard_stop.changed() => break Outcome::Stopped,
                }
            }
        }
    };
    let seconds = started.elapsed().as_secs_f64();
    let task = envelope.task.clone();
    let finished = match outcome {
        Outcome::Done(Ok(())) => {
            count(shared, &task, "succeeded", seconds);
            shared.queue.complete(&claimed, worker).await
        }
        Outcome::Done(Err(error)) if envelope.policy.gives_up_after(envelope.attempts) => {
            count(shared, &task, "failed", seconds);
            envelope.last_error = Some(error.clone());
            shared.executor.gave_up(&envelope, &error);
            let mut claimed = claimed;
            claimed.envelope = envelope.clone();
            shared.queue.fail(&claimed, worker, &error).await
        }
        Outcome::Done(Err(error)) => {
            count(shared, &task, "retried", seconds);
            let wait = envelope.policy.wait_after(envelope.attempts);
            tracing::warn!(task = %task, id = %envelope.id, attempt = envelope.attempts, "task failed ({error}); retrying in {wait:?}");
            envelope.last_error = Some(error);
            shared.queue.retry(&claimed, worker, &envelope, wait).await
        }
        Outcome::LeaseLost => {
            tracing::warn!(task = %task, id = %envelope.id, "task's claim was taken over by another worker; stopped here");
            Ok(())
        }
        Outcome::Stopped => shared.queue.abandon(&claimed, worker).await,
    };
    if let Err(e) = finished {
        // The claim expires and the task runs again: at least once.
        tracing::warn!(task = %task, id = %envelope.id, "tasks: cannot record the outcome ({e}); the task will run again");
    }
}

fn count(shared: &Shared, task: &str, outcome: &str, seconds: f64) {
    if let Some(m) = &shared.metrics {
        m.finished(task, outcome, seconds);
    }
}
