//! # macaron-tasks
//!
//! Background tasks for Macaron services, as PyMacaron's `@asynctask` gave
//! them, without its ways of losing work: a task is a plain async function,
//! scheduled from a handler with one call that returns once the task is
//! stored, run later by a worker with the caller's context restored, tried
//! again on failure per its [`RetryPolicy`], and reported when it gives up.
//!
//! This crate is the engine: the task [registry](TaskDef) filled by
//! `#[macaron::task]`, the [`Envelope`] stored per task, the [`Queue`] on
//! the service's database (embedded default) or on Redis Streams (to scale
//! out over many worker processes), and the [`Workers`] that run them. The
//! `macaron` crate wires it into services (`letsgo`'s `--worker` and
//! `--no-worker`, the caller's context, crash reports, `/metrics`); see the
//! book's chapter on asynchronous tasks.
//!
//! Delivery is at least once: a task is removed from the store only after
//! it ran, a worker holds a renewable lease on the task it runs, and a task
//! whose worker died (killed, machine lost) is taken over by another worker
//! once its lease expires. A worker that loses its lease stops running the
//! task, so one task never runs twice at the same time.
//!
//! The modules follow a task's way; each imports only earlier ones or the
//! vocabulary below them:
//!
//! 1. `registry`: what `#[macaron::task]` registers, with its `policy`;
//! 2. `envelope`: what is stored for a scheduled task;
//! 3. `redis_queue` (and `macaron-db`'s SQL queue): the two stores;
//!    `queue`: both behind one [`Queue`];
//! 4. `worker`: claims, runs, finishes; `metrics` counts it;
//! 5. vocabulary: `stats` (what a queue reports), `error`, `clock`.
//!
//! ```
//! use std::sync::Arc;
//! use std::time::Duration;
//! use macaron_tasks::{Envelope, PlainExecutor, Queue, RetryPolicy, TaskContext, TaskDef, WorkerOptions, Workers};
//!
//! static HITS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
//!
//! // What `#[macaron::task]` registers for `async fn count(n: u32)`.
//! macaron_tasks::submit! {
//!     TaskDef {
//!         name: "doc::count",
//!         policy: RetryPolicy::new(3),
//!         run: |args| Box::pin(async move {
//!             let (n,): (u32,) = serde_json::from_value(args).map_err(|e| e.to_string())?;
//!             HITS.fetch_add(n, std::sync::atomic::Ordering::SeqCst);
//!             Ok(())
//!         }),
//!     }
//! }
//!
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! let db = macaron_db::Db::connect("sqlite::memory:").await.unwrap();
//! let queue = Queue::sql(&db);
//! let task = Envelope::new("doc::count", serde_json::json!([2]), TaskContext::default(), RetryPolicy::default());
//! queue.push(&task, Duration::ZERO).await.unwrap();
//! let workers = Workers::start(queue.clone(), Arc::new(PlainExecutor), None, WorkerOptions::default());
//! while HITS.load(std::sync::atomic::Ordering::SeqCst) < 2 {
//!     tokio::time::sleep(Duration::from_millis(10)).await;
//! }
//! workers.shutdown(Duration::from_secs(5)).await;
//! assert_eq!(queue.stats().await.unwrap().queued, 0);
//! # });
//! ```

mod clock;
mod envelope;
mod error;
mod metrics;
mod policy;
mod queue;
#[cfg(feature = "redis")]
mod redis_queue;
mod registry;
mod stats;
mod worker;

pub use envelope::{Envelope, TaskContext};
pub use error::TaskError;
pub use metrics::TaskMetrics;
pub use policy::RetryPolicy;
pub use queue::{redact_url, Claimed, Queue};
pub use registry::{all, find, submit, TaskDef, TaskFuture, TaskOutput};
pub use stats::{FailedTask, Stats};
pub use worker::{panic_text, Executor, PlainExecutor, WorkerOptions, Workers};
