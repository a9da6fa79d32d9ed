//! The queue and its workers on each store: SQLite (a file), the real
//! PostgreSQL at 127.0.0.1:5432 and the real Redis at 127.0.0.1:6379, each
//! test with tables or keys of its own, removed after. Outside CI an
//! unreachable PostgreSQL or Redis skips its part with a printed reason;
//! with `CI=true` it fails.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use macaron_db::{Db, DbOptions};
use macaron_tasks::{
    Envelope, Executor, PlainExecutor, Queue, RetryPolicy, TaskContext, TaskDef, TaskFuture, WorkerOptions, Workers,
};
use serde_json::{json, Value};

use macaron_dev::backends::{POSTGRES_URL as PG, REDIS_URL as REDIS};

fn unique() -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    format!("t{}_{}_", std::process::id(), N.fetch_add(1, Ordering::SeqCst))
}

/// A store under test, and how to remove what it left.
struct Backend {
    label: &'static str,
    queue: Queue,
    db: Option<Db>,
    /// For a second connection to the same store (restarts).
    reopen: String,
}

impl Backend {
    async fn again(&self) -> Queue {
        match self.label {
            "redis" => Queue::redis(REDIS, &self.reopen).await.unwrap(),
            "sqlite" => Queue::sql(&Db::connect(&self.reopen).await.unwrap()),
            _ => {
                let options = DbOptions { table_prefix: self.reopen.clone(), ..DbOptions::default() };
                Queue::sql(&Db::connect_with(PG, options).await.unwrap())
            }
        }
    }

    async fn cleanup(&self) {
        self.queue.clear().await.unwrap();
        if let (Some(db), "postgres") = (&self.db, self.label) {
            db.drop_table("macaron_tasks").await.unwrap();
            db.drop_table("macaron_schema").await.unwrap();
        }
    }
}

async fn backends() -> Vec<Backend> {
    let mut out = Vec::new();
    let file = std::env::temp_dir().join(format!("macaron-tasks-{}.db", unique()));
    let url = format!("sqlite://{}", file.display());
    let db = Db::connect(&url).await.unwrap();
    out.push(Backend { label: "sqlite", queue: Queue::sql(&db), db: Some(db), reopen: url });
    let prefix = unique();
    let postgres = Db::connect_with(PG, DbOptions { table_prefix: prefix.clone(), ..DbOptions::default() }).await;
    if let Some(db) = macaron_dev::require(&format!("PostgreSQL at {PG} (the postgres part)"), postgres) {
        out.push(Backend { label: "postgres", queue: Queue::sql(&db), db: Some(db), reopen: prefix });
    }
    let service = format!("test{}", unique());
    let redis = Queue::redis(REDIS, &service).await;
    if let Some(queue) = macaron_dev::require(&format!("Redis at {REDIS} (the redis part)"), redis) {
        out.push(Backend { label: "redis", queue, db: None, reopen: service });
    }
    out
}

/// Calls seen by the test tasks, by key (the first argument).
fn calls() -> &'static Mutex<HashMap<String, usize>> {
    static CALLS: std::sync::OnceLock<Mutex<HashMap<String, usize>>> = std::sync::OnceLock::new();
    CALLS.get_or_init(Default::default)
}

fn called(key: &str) -> usize {
    calls().lock().unwrap().get(key).copied().unwrap_or(0)
}

fn record(args: &Value) -> (String, usize) {
    let key = args[0].as_str().unwrap_or("?").to_string();
    let mut calls = calls().lock().unwrap();
    let n = calls.entry(key.clone()).or_default();
    *n += 1;
    (key, *n)
}

// Test tasks, registered as `#[macaron::task]` would.
macaron_tasks::submit! {
    TaskDef { name: "test::ok", policy: RetryPolicy::new(3), run: |args| Box::pin(async move {
        record(&args);
        Ok(())
    })}
}
macaron_tasks::submit! {
    // Fails on its first two runs, then succeeds.
    TaskDef { name: "test::flaky", policy: RetryPolicy { max_attempts: 3, backoff_ms: 20, max_backoff_ms: 50 }, run: |args| Box::pin(async move {
        let (_, n) = record(&args);
        if n < 3 { Err(format!("failure number {n}")) } else { Ok(()) }
    })}
}
macaron_tasks::submit! {
    TaskDef { name: "test::broken", policy: RetryPolicy { max_attempts: 2, backoff_ms: 20, max_backoff_ms: 50 }, run: |args| Box::pin(async move {
        record(&args);
        panic!("broken on purpose")
    })}
}
macaron_tasks::submit! {
    // Sleeps for args[1] ms; counts starts (key) and ends (key + "/done").
    TaskDef { name: "test::slow", policy: RetryPolicy::new(3), run: |args| Box::pin(async move {
        let (key, _) = record(&args);
        tokio::time::sleep(Duration::from_millis(args[1].as_u64().unwrap_or(0))).await;
        record(&json!([format!("{key}/done")]));
        Ok(())
    })}
}

/// Records tasks that give up.
#[derive(Default)]
struct Recording {
    gave_up: Mutex<Vec<(String, String)>>,
}

impl Executor for Recording {
    fn run(&self, task: &'static TaskDef, envelope: &Envelope) -> TaskFuture {
        PlainExecutor.run(task, envelope)
    }
    fn gave_up(&self, envelope: &Envelope, error: &str) {
        self.gave_up.lock().unwrap().push((envelope.task.clone(), error.to_string()));
    }
}

fn envelope(task: &str, args: Value) -> Envelope {
    let policy = macaron_tasks::find(task).map(|t| t.policy).unwrap_or_default();
    Envelope::new(task, args, TaskContext::default(), policy)
}

fn options(visibility_ms: u64) -> WorkerOptions {
    WorkerOptions {
        concurrency: 4,
        visibility_timeout: Duration::from_millis(visibility_ms),
        poll_interval: Duration::from_millis(20),
        ..WorkerOptions::default()
    }
}

/// Waits (at most 20 s) for `done`.
async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..2000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn every_task_runs_once() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        let before = chrono_ms() - 1;
        for i in 0..20 {
            b.queue.push(&envelope("test::ok", json!([format!("{key}-{i}")])), Duration::ZERO).await.unwrap();
        }
        // Before any worker: 20 due, the oldest due since it was pushed.
        let waiting = b.queue.stats().await.unwrap();
        assert_eq!(waiting.queued, 20, "{}: {waiting:?}", b.label);
        let oldest = waiting.oldest_due_at.unwrap_or_else(|| panic!("{}: no oldest due task", b.label));
        assert!(oldest >= before && oldest <= chrono_ms(), "{}: {oldest} not after {before}", b.label);
        let workers = Workers::start(b.queue.clone(), Arc::new(PlainExecutor), None, options(5_000));
        eventually("20 tasks", || (0..20).all(|i| called(&format!("{key}-{i}")) >= 1)).await;
        workers.shutdown(Duration::from_secs(5)).await;
        assert!((0..20).all(|i| called(&format!("{key}-{i}")) == 1), "{}: a task ran twice", b.label);
        let stats = b.queue.stats().await.unwrap();
        assert_eq!((stats.queued, stats.running, stats.failed), (0, 0, 0), "{}: {stats:?}", b.label);
        assert_eq!(stats.oldest_due_at, None, "{}", b.label);
        b.cleanup().await;
    }
}

/// Now, in Unix milliseconds.
fn chrono_ms() -> i64 {
    i64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap()
}

#[tokio::test]
async fn failures_are_retried_then_succeed() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        b.queue.push(&envelope("test::flaky", json!([key])), Duration::ZERO).await.unwrap();
        let executor = Arc::new(Recording::default());
        let workers = Workers::start(b.queue.clone(), executor.clone(), None, options(5_000));
        eventually("the third attempt", || called(&key) >= 3).await;
        for _ in 0..200 {
            let s = b.queue.stats().await.unwrap();
            if s.queued + s.delayed + s.running == 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(called(&key), 3, "{}", b.label);
        assert!(executor.gave_up.lock().unwrap().is_empty(), "{}", b.label);
        assert_eq!(b.queue.stats().await.unwrap().failed, 0, "{}", b.label);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn tasks_that_keep_failing_give_up_and_are_kept() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        let sent = envelope("test::broken", json!([key]));
        b.queue.push(&sent, Duration::ZERO).await.unwrap();
        let executor = Arc::new(Recording::default());
        let workers = Workers::start(b.queue.clone(), executor.clone(), None, options(5_000));
        eventually("giving up", || !executor.gave_up.lock().unwrap().is_empty()).await;
        let mut failed = Vec::new();
        for _ in 0..200 {
            failed = b.queue.failed(10).await.unwrap();
            if !failed.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        workers.shutdown(Duration::from_secs(5)).await;
        assert_eq!(called(&key), 2, "{}: max_attempts is 2", b.label);
        let gave_up = executor.gave_up.lock().unwrap().clone();
        assert_eq!(gave_up.len(), 1, "{}", b.label);
        assert!(gave_up[0].1.contains("broken on purpose"), "{}: {gave_up:?}", b.label);
        assert_eq!(failed.len(), 1, "{}", b.label);
        assert_eq!((failed[0].id.as_str(), failed[0].task.as_str()), (sent.id.as_str(), "test::broken"));
        assert!(failed[0].error.contains("broken on purpose"), "{}: {:?}", b.label, failed[0]);
        // Requeued after a fix, it runs again.
        assert!(b.queue.requeue(&sent.id).await.unwrap(), "{}", b.label);
        assert_eq!(b.queue.stats().await.unwrap().failed, 0, "{}", b.label);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn delayed_tasks_wait_in_the_store() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        b.queue.push(&envelope("test::ok", json!([key])), Duration::from_millis(600)).await.unwrap();
        let stats = b.queue.stats().await.unwrap();
        assert_eq!((stats.queued, stats.delayed), (0, 1), "{}: {stats:?}", b.label);
        // Another connection (another process) runs it when due.
        let other = b.again().await;
        let workers = Workers::start(other, Arc::new(PlainExecutor), None, options(5_000));
        eventually("the delayed task", || called(&key) == 1).await;
        workers.shutdown(Duration::from_secs(5)).await;
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_dead_workers_task_is_taken_over_after_the_visibility_timeout() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        b.queue.push(&envelope("test::ok", json!([key])), Duration::ZERO).await.unwrap();
        // A worker claims it and dies without a word.
        let claimed = b.queue.claim("dead-worker", Duration::from_millis(400)).await.unwrap();
        assert!(claimed.is_some(), "{}", b.label);
        assert!(
            b.queue.claim("other", Duration::from_millis(400)).await.unwrap().is_none(),
            "{}: claimed twice",
            b.label
        );
        let workers = Workers::start(b.again().await, Arc::new(PlainExecutor), None, options(400));
        eventually("the takeover", || called(&key) == 1).await;
        workers.shutdown(Duration::from_secs(5)).await;
        b.cleanup().await;
    }
}

#[tokio::test]
async fn a_long_task_keeps_its_claim_and_runs_once() {
    for b in backends().await {
        let key = format!("{}-{}", b.label, unique());
        // Runs for 4 visibility timeouts: heartbeats keep it with its worker.
        b.queue.push(&envelope("test::slow", json!([key, 1200])), Duration::ZERO).await.unwrap();
        let one = Workers::start(b.queue.clone(), Arc::new(PlainExecutor), None, options(300));
        let two = Workers::start(b.again().await, Arc::new(PlainExecutor), None, options(300));
        eventually("the slow task", || called(&format!("{key}/done")) == 1).await;
        one.shutdown(Duration::from_secs(5)).await;
        two.shutdown(Duration::from_secs(5)).await;
        assert_eq!(called(&key), 1, "{}: the task started twice", b.label);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn shutdown_lets_short_tasks_finish_and_gives_long_ones_back() {
    for b in backends().await {
        let short = format!("{}-{}", b.label, unique());
        let long = format!("{}-{}", b.label, unique());
        b.queue.push(&envelope("test::slow", json!([short, 50])), Duration::ZERO).await.unwrap();
        b.queue.push(&envelope("test::slow", json!([long, 60_000])), Duration::ZERO).await.unwrap();
        let workers = Workers::start(b.queue.clone(), Arc::new(PlainExecutor), None, options(5_000));
        eventually("both started", || called(&short) == 1 && called(&long) == 1).await;
        workers.shutdown(Duration::from_millis(500)).await;
        assert_eq!(called(&format!("{short}/done")), 1, "{}: the short task was cut", b.label);
        assert_eq!(called(&format!("{long}/done")), 0, "{}", b.label);
        // The long one is back in the queue, for the next worker (a restart).
        let stats = b.queue.stats().await.unwrap();
        assert_eq!((stats.queued, stats.running), (1, 0), "{}: {stats:?}", b.label);
        let claimed = b.again().await.claim("next", Duration::from_secs(5)).await.unwrap();
        assert_eq!(claimed.map(|c| c.envelope.args[0].clone()), Some(json!(long)), "{}", b.label);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn unknown_tasks_fail_with_a_clear_error() {
    for b in backends().await {
        let mut e = envelope("test::does_not_exist", json!([]));
        e.policy = RetryPolicy::new(1);
        b.queue.push(&e, Duration::ZERO).await.unwrap();
        let executor = Arc::new(Recording::default());
        let workers = Workers::start(b.queue.clone(), executor.clone(), None, options(5_000));
        eventually("giving up", || !executor.gave_up.lock().unwrap().is_empty()).await;
        workers.shutdown(Duration::from_secs(5)).await;
        let gave_up = executor.gave_up.lock().unwrap().clone();
        assert!(gave_up[0].1.contains("no task named test::does_not_exist"), "{}: {gave_up:?}", b.label);
        b.cleanup().await;
    }
}

#[tokio::test]
async fn an_unreachable_redis_is_a_clear_error_without_the_password() {
    let e = Queue::redis("redis://:hunter2@127.0.0.1:1", "svc").await.unwrap_err();
    let text = e.to_string();
    assert!(text.contains("redis://:***@127.0.0.1:1"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}
