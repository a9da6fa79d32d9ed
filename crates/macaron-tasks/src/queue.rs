//! One queue, two stores: the service's database (the embedded default) or
//! Redis (to scale out). Workers and schedulers see the same operations.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;

use crate::clock::now_millis;
use crate::envelope::Envelope;
use crate::error::TaskError;
#[cfg(feature = "redis")]
use crate::redis_queue::RedisQueue;
use crate::stats::{FailedTask, Stats};
pub use macaron_db::redact_url;

enum Store {
    Sql(macaron_db::Queue),
    #[cfg(feature = "redis")]
    Redis(RedisQueue),
}

/// A task claimed by a worker, with what the store needs to finish it.
pub struct Claimed {
    /// The task.
    pub envelope: Envelope,
    receipt: String,
    raw: String,
}

/// The task queue of a service (cheap to clone).
#[derive(Clone)]
pub struct Queue {
    store: Arc<Store>,
    kind: &'static str,
    /// Wakes this process's idle workers when it schedules a task itself.
    pub(crate) wake: Arc<Notify>,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue").field("kind", &self.kind).finish_non_exhaustive()
    }
}

fn db_error(e: macaron_db::DbError) -> TaskError {
    match e {
        macaron_db::DbError::Unavailable(why) => TaskError::Unavailable(why),
        other => TaskError::Store(other.to_string()),
    }
}

#[cfg(feature = "redis")]
fn redis_error(e: redis::RedisError) -> TaskError {
    if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() {
        TaskError::Unavailable(format!("Redis: {e}"))
    } else {
        TaskError::Store(format!("Redis: {e}"))
    }
}

impl Queue {
    /// The queue kept in the service's database.
    pub fn sql(db: &macaron_db::Db) -> Queue {
        Queue { store: Arc::new(Store::Sql(db.queue())), kind: "sql", wake: Arc::new(Notify::new()) }
    }

    /// The queue kept in Redis, under keys named after `service`. The
    /// error names the URL without its password.
    ///
    /// Without the feature `redis` (of this crate; `macaron`'s `redis`
    /// turns it on), every URL is refused with the feature to enable.
    #[cfg(not(feature = "redis"))]
    pub async fn redis(url: &str, _service: &str) -> Result<Queue, TaskError> {
        Err(TaskError::Invalid(format!(
            "redis_url {} is set, but this service is built without Redis: enable macaron's feature \"redis\"",
            redact_url(url)
        )))
    }

    /// The queue kept in Redis, under keys named after `service`. The
    /// error names the URL without its password.
    #[cfg(feature = "redis")]
    pub async fn redis(url: &str, service: &str) -> Result<Queue, TaskError> {
        let shown = redact_url(url);
        let store = RedisQueue::connect(url, &shown, service).await.map_err(TaskError::Unavailable)?;
        Ok(Queue { store: Arc::new(Store::Redis(store)), kind: "redis", wake: Arc::new(Notify::new()) })
    }

    /// `sql` or `redis`.
    pub fn kind(&self) -> &'static str {
        self.kind
    }

    /// Stores a task, runnable after `delay`. When this returns `Ok`, the
    /// task is durable: it will run even if this process dies now.
    pub async fn push(&self, envelope: &Envelope, delay: Duration) -> Result<(), TaskError> {
        let run_at = now_millis().saturating_add(i64::try_from(delay.as_millis()).unwrap_or(i64::MAX / 2));
        let text = envelope.to_json();
        match &*self.store {
            Store::Sql(q) => {
                let at = run_at.saturating_mul(1000);
                q.push(&envelope.id, &envelope.task, &text, at).await.map_err(db_error)?;
            }
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.push(&text, if delay.is_zero() { 0 } else { run_at }).await.map_err(redis_error)?,
        }
        self.wake.notify_one();
        Ok(())
    }

    /// Claims one task for `lease` (`None` when there is nothing to do now;
    /// on Redis this waits briefly for one).
    pub async fn claim(&self, worker: &str, lease: Duration) -> Result<Option<Claimed>, TaskError> {
        Ok(self.claim_many(worker, lease, 1).await?.pop())
    }

    /// Claims up to `max` tasks at once (see [`Queue::claim`]).
    pub async fn claim_many(&self, worker: &str, lease: Duration, max: usize) -> Result<Vec<Claimed>, TaskError> {
        let raw: Vec<(String, String)> = match &*self.store {
            Store::Sql(q) => {
                let now = now_millis().saturating_mul(1000);
                let lease = i64::try_from(lease.as_micros()).unwrap_or(i64::MAX / 4);
                let limit = u32::try_from(max).unwrap_or(u32::MAX);
                let jobs = q.claim_many(worker, now, lease, limit).await.map_err(db_error)?;
                jobs.into_iter().map(|job| (job.id, job.envelope)).collect()
            }
            #[cfg(feature = "redis")]
            Store::Redis(q) => {
                let entries = q.claim(worker, lease, max).await.map_err(redis_error)?;
                entries.into_iter().map(|e| (e.stream_id, e.envelope)).collect()
            }
        };
        let mut claimed = Vec::with_capacity(raw.len());
        for (receipt, raw) in raw {
            if let Some(c) = self.read_claimed(worker, receipt, raw).await? {
                claimed.push(c);
            }
        }
        Ok(claimed)
    }

    async fn read_claimed(&self, worker: &str, receipt: String, raw: String) -> Result<Option<Claimed>, TaskError> {
        match Envelope::from_json(&raw) {
            Ok(envelope) => Ok(Some(Claimed { envelope, receipt, raw })),
            Err(why) => {
                // Unreadable: set aside as failed rather than retried forever.
                let envelope = Envelope {
                    id: receipt.clone(),
                    task: "(unreadable)".into(),
                    args: serde_json::Value::Null,
                    context: Default::default(),
                    attempts: 0,
                    policy: Default::default(),
                    scheduled_at: 0,
                    last_error: Some(why.clone()),
                };
                let claimed = Claimed { envelope, receipt, raw };
                self.fail(&claimed, worker, &why).await?;
                Ok(None)
            }
        }
    }

    /// Extends a claim while the task runs; `false` when the worker lost it
    /// (it must then stop running the task).
    pub async fn heartbeat(&self, claimed: &Claimed, worker: &str, lease: Duration) -> Result<bool, TaskError> {
        match &*self.store {
            Store::Sql(q) => {
                let until = now_millis().saturating_mul(1000) + i64::try_from(lease.as_micros()).unwrap_or(0);
                q.heartbeat(&claimed.receipt, worker, until).await.map_err(db_error)
            }
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.heartbeat(worker, &claimed.receipt).await.map_err(redis_error),
        }
    }

    /// The task succeeded.
    pub async fn complete(&self, claimed: &Claimed, worker: &str) -> Result<(), TaskError> {
        match &*self.store {
            Store::Sql(q) => q.complete(&claimed.receipt, worker).await.map(|_| ()).map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.complete(&claimed.receipt).await.map_err(redis_error),
        }
    }

    /// The task failed; it runs again (with `envelope`, its attempts
    /// counted) after `wait`.
    pub async fn retry(
        &self,
        claimed: &Claimed,
        worker: &str,
        envelope: &Envelope,
        wait: Duration,
    ) -> Result<(), TaskError> {
        let run_at = now_millis().saturating_add(i64::try_from(wait.as_millis()).unwrap_or(0));
        let text = envelope.to_json();
        let error = envelope.last_error.clone().unwrap_or_default();
        match &*self.store {
            Store::Sql(q) => q
                .retry(&claimed.receipt, worker, &text, run_at.saturating_mul(1000), &error)
                .await
                .map(|_| ())
                .map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.retry(&claimed.receipt, &text, run_at).await.map_err(redis_error),
        }
    }

    /// The task gave up: it is kept as failed.
    pub async fn fail(&self, claimed: &Claimed, worker: &str, error: &str) -> Result<(), TaskError> {
        let mut envelope = claimed.envelope.clone();
        envelope.last_error = Some(error.to_string());
        let text = if envelope.task == "(unreadable)" { claimed.raw.clone() } else { envelope.to_json() };
        match &*self.store {
            Store::Sql(q) => q.fail(&claimed.receipt, worker, &text, error).await.map(|_| ()).map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => {
                let record = FailedTask {
                    id: envelope.id.clone(),
                    task: envelope.task.clone(),
                    error: error.to_string(),
                    failed_at: now_millis(),
                    envelope: text,
                };
                let record = serde_json::to_string(&record).map_err(|e| TaskError::Store(e.to_string()))?;
                q.fail(&claimed.receipt, &envelope.id, &record).await.map_err(redis_error)
            }
        }
    }

    /// Gives a claimed task back untouched, for another worker (shutdown).
    pub async fn abandon(&self, claimed: &Claimed, worker: &str) -> Result<(), TaskError> {
        match &*self.store {
            Store::Sql(q) => q.abandon(&claimed.receipt, worker).await.map(|_| ()).map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.abandon(&claimed.receipt, &claimed.raw).await.map_err(redis_error),
        }
    }

    /// `Ok` when the queue's store answers (readiness probes call it).
    pub async fn ping(&self) -> Result<(), TaskError> {
        match &*self.store {
            Store::Sql(q) => q.db().ping().await.map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.ping().await.map_err(redis_error),
        }
    }

    /// How many tasks are queued, delayed, running and failed.
    pub async fn stats(&self) -> Result<Stats, TaskError> {
        match &*self.store {
            Store::Sql(q) => {
                let s = q.stats(now_millis().saturating_mul(1000)).await.map_err(db_error)?;
                Ok(Stats {
                    queued: s.queued,
                    delayed: s.delayed,
                    running: s.running,
                    failed: s.failed,
                    oldest_due_at: s.oldest_due.map(|micros| micros / 1000),
                })
            }
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.stats().await.map_err(redis_error),
        }
    }

    /// The newest failed tasks.
    pub async fn failed(&self, limit: u32) -> Result<Vec<FailedTask>, TaskError> {
        match &*self.store {
            Store::Sql(q) => Ok(q
                .failed(limit)
                .await
                .map_err(db_error)?
                .into_iter()
                .map(|j| FailedTask {
                    id: j.id,
                    task: j.task,
                    error: j.error,
                    failed_at: j.failed_at / 1000,
                    envelope: j.envelope,
                })
                .collect()),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.failed(limit).await.map_err(redis_error),
        }
    }

    /// Puts a failed task back in the queue; `false` if there is no such failed task.
    pub async fn requeue(&self, id: &str) -> Result<bool, TaskError> {
        let done = match &*self.store {
            Store::Sql(q) => q.requeue(id).await.map_err(db_error)?,
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.requeue(id).await.map_err(redis_error)?,
        };
        self.wake.notify_one();
        Ok(done)
    }

    /// Deletes every task (tests and tools).
    pub async fn clear(&self) -> Result<(), TaskError> {
        match &*self.store {
            Store::Sql(q) => q.clear().await.map_err(db_error),
            #[cfg(feature = "redis")]
            Store::Redis(q) => q.clear().await.map_err(redis_error),
        }
    }

    /// Whether claims wait on the store (Redis) or must be polled (SQL).
    pub(crate) fn blocks(&self) -> bool {
        #[cfg(feature = "redis")]
        return matches!(&*self.store, Store::Redis(_));
        #[cfg(not(feature = "redis"))]
        false
    }
}
