//! `macaron tasks`: the background-task queue of a service, as its
//! configuration finds it (Redis from `redis_url` / `REDIS_URL`, else the
//! database from `database_url` / `DATABASE_URL`, else `NAME.db`).

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

/// Arguments of `macaron tasks`.
#[derive(Args)]
pub struct TasksArgs {
    /// The configuration file (default: macaron.yaml in the current folder).
    #[arg(long)]
    config: Option<PathBuf>,
    /// The environment whose overlay applies (default: MACARON_ENV, else dev).
    #[arg(long)]
    env: Option<String>,
    /// How many failed tasks to list.
    #[arg(long, default_value_t = 10)]
    failed: u32,
    /// Put a failed task back in the queue.
    #[arg(long, value_name = "TASK_ID")]
    requeue: Option<String>,
}

/// Prints queue depth and failed tasks (or requeues one); problems go to
/// stderr with exit code 1.
pub fn run(args: TasksArgs, out: &mut impl Write) -> io::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    match runtime.block_on(report(args, out)) {
        Ok(code) => Ok(code),
        Err(Problem::Io(e)) => Err(e),
        Err(Problem::Other(why)) => {
            eprintln!("macaron tasks: {why}");
            Ok(ExitCode::FAILURE)
        }
    }
}

enum Problem {
    Io(io::Error),
    Other(String),
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Self {
        Problem::Io(e)
    }
}

fn other(e: impl std::fmt::Display) -> Problem {
    Problem::Other(e.to_string())
}

async fn report(args: TasksArgs, out: &mut impl Write) -> Result<ExitCode, Problem> {
    let mut loader = macaron_config::Loader::new().env(args.env);
    if let Some(path) = args.config {
        loader = loader.path(path);
    }
    let config = loader.load().map_err(other)?;
    let name = config.name.clone().ok_or_else(|| other("the configuration has no name"))?;
    let queue = match (&config.redis_url, &config.database_url) {
        (Some(url), _) => macaron_tasks::Queue::redis(url.expose(), &name).await.map_err(other)?,
        (None, db) => {
            let url = db.as_ref().map_or_else(|| macaron_db::Db::default_url(&name), |u| u.expose().to_string());
            let db = macaron_db::Db::connect(&url).await.map_err(other)?;
            macaron_tasks::Queue::sql(&db)
        }
    };
    if let Some(id) = args.requeue {
        if queue.requeue(&id).await.map_err(other)? {
            writeln!(out, "requeued {id}")?;
            return Ok(ExitCode::SUCCESS);
        }
        return Err(other(format!("no failed task with id {id}")));
    }
    let stats = queue.stats().await.map_err(other)?;
    writeln!(
        out,
        "{name} tasks ({}): {} queued, {} delayed, {} running, {} failed",
        queue.kind(),
        stats.queued,
        stats.delayed,
        stats.running,
        stats.failed
    )?;
    for task in queue.failed(args.failed).await.map_err(other)? {
        writeln!(out, "failed {} {} at {}: {}", task.id, task.task, humantime_ms(task.failed_at), task.error)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn humantime_ms(ms: i64) -> String {
    let at = std::time::UNIX_EPOCH + std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_seconds(at).to_string()
}
