//! A durable work queue in the service's database: the embedded store of
//! background tasks (`macaron-tasks` drives it).
//!
//! One framework table, `macaron_tasks`, holds every task not yet done: its
//! id, its name, its envelope (opaque JSON to this crate), when it may run,
//! and a lease (`locked_by`, `locked_until`). A worker *claims* the oldest
//! runnable row by taking its lease in one statement (SQLite serialises
//! writers; PostgreSQL uses `FOR UPDATE SKIP LOCKED`), extends the lease
//! while it runs, and deletes the row when the task succeeds. A worker that
//! dies leaves a lease that expires, and the row becomes claimable again:
//! at-least-once, never two holders of one lease. Rows of tasks that gave up
//! stay with `state = 'failed'` for people to look at.
//!
//! The table is part of the framework's schema (version 2, in
//! `migrations`), created when the database is opened; this module only
//! reads and writes it.
//!
//! It lives in this crate, not beside the Redis queue in `macaron-tasks`
//! (which depends on this crate, so either place is free of crate cycles),
//! because its statements need what only this crate holds: the pools, the
//! SQLite writer turn and the versioned schema. Moving it would make those
//! public for one user and split the table's definition from its queries.
//! `macaron-tasks` puts both stores behind one `Queue` type.
//!
//! ```
//! # #[cfg(feature = "sqlite")] // (the example runs on an in-memory SQLite)
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use macaron_db::Db;
//! let db = Db::connect("sqlite::memory:").await.unwrap();
//! let q = db.queue();
//! q.push("t1", "send_mail", r#"{"to":"a@b.c"}"#, 0).await.unwrap(); // runnable now
//! let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros() as i64;
//! let job = q.claim("worker-1", now, 30_000_000).await.unwrap().unwrap();
//! assert_eq!(job.id, "t1");
//! assert!(q.claim("worker-2", now, 30_000_000).await.unwrap().is_none()); // leased
//! assert!(q.complete("t1", "worker-1").await.unwrap());
//! assert_eq!(q.stats(now).await.unwrap().queued, 0);
//! # });
//! ```

use crate::db::{now_micros, on_backend, Db};
use crate::error::DbError;
use crate::migrations::QUEUE_TABLE;

/// A claimed row: run it, then [`Queue::complete`], [`Queue::retry`] or [`Queue::fail`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The task's id.
    pub id: String,
    /// The task's name.
    pub task: String,
    /// The envelope, as stored.
    pub envelope: String,
}

/// A failed task, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedJob {
    /// The task's id.
    pub id: String,
    /// The task's name.
    pub task: String,
    /// The last error.
    pub error: String,
    /// When it gave up (Unix microseconds).
    pub failed_at: i64,
    /// The envelope, as stored.
    pub envelope: String,
}

/// How many tasks are where.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QueueStats {
    /// Waiting to run, due now.
    pub queued: u64,
    /// Waiting for a later time (delayed, or backing off before a retry).
    pub delayed: u64,
    /// Leased by a worker.
    pub running: u64,
    /// Gave up.
    pub failed: u64,
    /// When the longest-waiting due task became due (Unix microseconds).
    pub oldest_due: Option<i64>,
}

/// The task queue table of a [`Db`]; see the module docs.
#[derive(Debug, Clone)]
pub struct Queue {
    db: Db,
    table: String,
}

impl Db {
    /// The durable task queue kept in this database.
    pub fn queue(&self) -> Queue {
        Queue { db: self.clone(), table: format!("{}{QUEUE_TABLE}", self.prefix()) }
    }
}

impl Queue {
    /// The database the queue lives in.
    pub fn db(&self) -> &Db {
        &self.db
    }

    fn postgres(&self) -> bool {
        self.db.kind() == "postgres"
    }

    /// `?N` on SQLite, `$N` on PostgreSQL.
    fn p(&self, n: usize) -> String {
        if self.postgres() {
            format!("${n}")
        } else {
            format!("?{n}")
        }
    }

    /// Stores a new task, runnable from `run_at` (Unix microseconds; 0 = now).
    pub async fn push(&self, id: &str, task: &str, envelope: &str, run_at: i64) -> Result<(), DbError> {
        let _turn = self.db.write_turn().await;
        let now = now_micros();
        let sql = format!(
            "INSERT INTO \"{}\" (id, task, envelope, state, run_at, created_at, updated_at) VALUES ({}, {}, {}, 'queued', {}, {}, {})",
            self.table,
            self.p(1),
            self.p(2),
            self.p(3),
            self.p(4),
            self.p(5),
            self.p(5)
        );
        on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(id)
            .bind(task)
            .bind(envelope)
            .bind(if run_at > 0 { run_at } else { now })
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())?);
        Ok(())
    }

    /// Takes the lease of the oldest task due at `now` (Unix microseconds)
    /// whose lease is free or expired, for `lease` microseconds.
    pub async fn claim(&self, worker: &str, now: i64, lease: i64) -> Result<Option<Job>, DbError> {
        Ok(self.claim_many(worker, now, lease, 1).await?.pop())
    }

    /// Takes the leases of up to `limit` tasks due at `now`, oldest first
    /// (one statement, so a busy worker pays one round trip per batch).
    pub async fn claim_many(&self, worker: &str, now: i64, lease: i64, limit: u32) -> Result<Vec<Job>, DbError> {
        let _turn = self.db.write_turn().await;
        let skip_locked = if self.postgres() { " FOR UPDATE SKIP LOCKED" } else { "" };
        let sql = format!(
            "UPDATE \"{t}\" SET locked_by = {w}, locked_until = {until}, updated_at = {now} WHERE id IN (\
             SELECT id FROM \"{t}\" WHERE state = 'queued' AND run_at <= {now} \
             AND (locked_until IS NULL OR locked_until < {now}) ORDER BY run_at LIMIT {limit}{skip_locked}) \
             RETURNING id, task, envelope",
            t = self.table,
            w = self.p(1),
            until = self.p(2),
            now = self.p(3),
            limit = limit.max(1),
        );
        let rows: Vec<(String, String, String)> = on_backend!(self.db.backend(), |pool| sqlx::query_as(&sql)
            .bind(worker)
            .bind(now + lease)
            .bind(now)
            .fetch_all(pool)
            .await?);
        Ok(rows.into_iter().map(|(id, task, envelope)| Job { id, task, envelope }).collect())
    }

    /// Extends a lease; `false` when the worker no longer holds it.
    pub async fn heartbeat(&self, id: &str, worker: &str, until: i64) -> Result<bool, DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!(
            "UPDATE \"{}\" SET locked_until = {} WHERE id = {} AND locked_by = {} AND state = 'queued'",
            self.table,
            self.p(1),
            self.p(2),
            self.p(3)
        );
        let done: u64 = on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(until)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// The task succeeded: its row goes. `false` when the lease was lost.
    pub async fn complete(&self, id: &str, worker: &str) -> Result<bool, DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!("DELETE FROM \"{}\" WHERE id = {} AND locked_by = {}", self.table, self.p(1), self.p(2));
        let done: u64 = on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// The task failed and will run again from `run_at`, with its new envelope.
    pub async fn retry(
        &self,
        id: &str,
        worker: &str,
        envelope: &str,
        run_at: i64,
        error: &str,
    ) -> Result<bool, DbError> {
        self.release(id, worker, envelope, run_at, error, "queued").await
    }

    /// The task gave up: its row stays, `failed`, with the error.
    pub async fn fail(&self, id: &str, worker: &str, envelope: &str, error: &str) -> Result<bool, DbError> {
        self.release(id, worker, envelope, now_micros(), error, "failed").await
    }

    /// Gives a lease back untouched (shutdown): the task runs again at once elsewhere.
    pub async fn abandon(&self, id: &str, worker: &str) -> Result<bool, DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!(
            "UPDATE \"{}\" SET locked_by = NULL, locked_until = NULL WHERE id = {} AND locked_by = {}",
            self.table,
            self.p(1),
            self.p(2)
        );
        let done: u64 = on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    async fn release(
        &self,
        id: &str,
        worker: &str,
        envelope: &str,
        run_at: i64,
        error: &str,
        state: &str,
    ) -> Result<bool, DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!(
            "UPDATE \"{}\" SET envelope = {}, run_at = {}, last_error = {}, state = {}, updated_at = {}, \
             locked_by = NULL, locked_until = NULL WHERE id = {} AND locked_by = {}",
            self.table,
            self.p(1),
            self.p(2),
            self.p(3),
            self.p(4),
            self.p(5),
            self.p(6),
            self.p(7)
        );
        let done: u64 = on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(envelope)
            .bind(run_at)
            .bind(error)
            .bind(state)
            .bind(now_micros())
            .bind(id)
            .bind(worker)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// How many tasks are queued, delayed, running and failed at `now`.
    pub async fn stats(&self, now: i64) -> Result<QueueStats, DbError> {
        let sql = format!(
            "SELECT \
               COALESCE(SUM(CASE WHEN state = 'queued' AND run_at <= {n} AND (locked_until IS NULL OR locked_until < {n}) THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN state = 'queued' AND run_at > {n} AND (locked_until IS NULL OR locked_until < {n}) THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN state = 'queued' AND locked_until >= {n} THEN 1 ELSE 0 END), 0), \
               COALESCE(SUM(CASE WHEN state = 'failed' THEN 1 ELSE 0 END), 0), \
               MIN(CASE WHEN state = 'queued' AND run_at <= {n} AND (locked_until IS NULL OR locked_until < {n}) THEN run_at END) \
             FROM \"{t}\"",
            n = self.p(1),
            t = self.table
        );
        let (queued, delayed, running, failed, oldest_due): (i64, i64, i64, i64, Option<i64>) =
            on_backend!(self.db.backend(), |pool| sqlx::query_as(&sql).bind(now).fetch_one(pool).await?);
        let n = |v: i64| u64::try_from(v).unwrap_or(0);
        Ok(QueueStats { queued: n(queued), delayed: n(delayed), running: n(running), failed: n(failed), oldest_due })
    }

    /// The most recent failed tasks, newest first.
    pub async fn failed(&self, limit: u32) -> Result<Vec<FailedJob>, DbError> {
        let sql = format!(
            "SELECT id, task, COALESCE(last_error, ''), updated_at, envelope FROM \"{}\" WHERE state = 'failed' \
             ORDER BY updated_at DESC LIMIT {}",
            self.table,
            self.p(1)
        );
        let rows: Vec<(String, String, String, i64, String)> =
            on_backend!(self.db.backend(), |pool| sqlx::query_as(&sql).bind(i64::from(limit)).fetch_all(pool).await?);
        Ok(rows
            .into_iter()
            .map(|(id, task, error, failed_at, envelope)| FailedJob { id, task, error, failed_at, envelope })
            .collect())
    }

    /// Puts a failed task back in the queue (after its cause is fixed).
    pub async fn requeue(&self, id: &str) -> Result<bool, DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!(
            "UPDATE \"{}\" SET state = 'queued', run_at = {}, updated_at = {} WHERE id = {} AND state = 'failed'",
            self.table,
            self.p(1),
            self.p(1),
            self.p(2)
        );
        let done: u64 = on_backend!(self.db.backend(), |pool| sqlx::query(&sql)
            .bind(now_micros())
            .bind(id)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Deletes every row (tests and tools).
    pub async fn clear(&self) -> Result<(), DbError> {
        let _turn = self.db.write_turn().await;
        let sql = format!("DELETE FROM \"{}\"", self.table);
        on_backend!(self.db.backend(), |pool| sqlx::query(&sql).execute(pool).await.map(|_| ())?);
        Ok(())
    }
}
