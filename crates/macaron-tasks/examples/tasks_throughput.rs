//! Tasks per second on each store: schedule N trivial tasks (8 schedulers
//! at once), then run them with the workers of one process (concurrency 8).
//!
//! ```sh
//! cargo run --release -p macaron-tasks --example tasks_throughput -- 5000
//! ```
//!
//! SQLite is a file in the temp folder; PostgreSQL (127.0.0.1:5432, database
//! `test`) and Redis (127.0.0.1:6379) are skipped with a message when down.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use macaron_db::{Db, DbOptions};
use macaron_tasks::{Envelope, PlainExecutor, Queue, RetryPolicy, TaskContext, TaskDef, WorkerOptions, Workers};

static DONE: AtomicUsize = AtomicUsize::new(0);

macaron_tasks::submit! {
    TaskDef { name: "bench::noop", policy: RetryPolicy::new(1), run: |_| Box::pin(async {
        DONE.fetch_add(1, Ordering::SeqCst);
        Ok(())
    })}
}

/// Whatever stops the benchmark, shown as it is.
type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn measure(label: &str, queue: Queue, n: usize) -> Result<(), BoxError> {
    queue.clear().await?;
    DONE.store(0, Ordering::SeqCst);
    let start = Instant::now();
    let mut schedulers = Vec::new();
    for s in 0..8 {
        let queue = queue.clone();
        schedulers.push(tokio::spawn(async move {
            for i in (s..n).step_by(8) {
                let e =
                    Envelope::new("bench::noop", serde_json::json!([i]), TaskContext::default(), RetryPolicy::new(1));
                queue.push(&e, Duration::ZERO).await?;
            }
            Ok::<(), BoxError>(())
        }));
    }
    for s in schedulers {
        s.await??;
    }
    let scheduled = start.elapsed();
    let start = Instant::now();
    let options = WorkerOptions { concurrency: 8, ..WorkerOptions::default() };
    let workers = Workers::start(queue.clone(), Arc::new(PlainExecutor), None, options);
    while DONE.load(Ordering::SeqCst) < n {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let ran = start.elapsed();
    workers.shutdown(Duration::from_secs(10)).await;
    queue.clear().await?;
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!("{label:<9} {n} tasks: scheduled {:>7.0}/s, executed {:>7.0}/s", rate(scheduled), rate(ran));
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(2000);
    let file = std::env::temp_dir().join(format!("macaron-tasks-bench-{}.db", std::process::id()));
    let db = Db::connect(&format!("sqlite://{}", file.display())).await?;
    measure("sqlite", Queue::sql(&db), n).await?;
    let _ = std::fs::remove_file(&file);
    let prefix = format!("bench{}_", std::process::id());
    match Db::connect_with(
        "postgres://postgres@127.0.0.1:5432/test",
        DbOptions { table_prefix: prefix, ..DbOptions::default() },
    )
    .await
    {
        Ok(db) => {
            measure("postgres", Queue::sql(&db), n).await?;
            let _ = db.drop_table("macaron_tasks").await;
            let _ = db.drop_table("macaron_schema").await;
        }
        Err(e) => println!("postgres  skipped: {e}"),
    }
    match Queue::redis("redis://127.0.0.1:6379", &format!("bench{}", std::process::id())).await {
        Ok(queue) => measure("redis", queue, n).await?,
        Err(e) => println!("redis     skipped: {e}"),
    }
    Ok(())
}
