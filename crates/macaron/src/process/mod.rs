//! Running a service: the command line, logs, serving, shutdown.
//!
//! A service's `main` should be one line, and every service should start,
//! log and stop the same way, so operators learn it once. [`letsgo`] parses
//! the command line (`cli`), loads the configuration, sets up logs
//! (`logs`), builds the service with the author's `start` function, prints
//! a banner with one line per route, and serves (the HTTP server is the
//! HTTP room's) with the task workers. On SIGTERM or SIGINT
//! `/health/ready` turns 503 at once; after `shutdown_delay` (0 s by
//! default) it stops accepting connections, lets in-flight requests finish
//! (up to 30 s) and running tasks their grace, and exits 0; a startup error
//! is printed and exits 1. `SERVICE healthcheck` asks a running instance's
//! `/health/live` and exits 0 or 1, for a container's `HEALTHCHECK`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::error::Result;
use crate::http::server::{http_server, listen};
use crate::options::{Options, Role};
use crate::service::Api;

mod cli;
pub(crate) mod logs;

use cli::{healthcheck, options_from, Cli, Sub};
use logs::init_logs;

/// How long crash reports still being written may delay the exit.
const REPORT_GRACE: Duration = Duration::from_secs(10);

/// Runs a service: parses the command line, calls `start` with the
/// [`Options`], serves until SIGTERM/SIGINT, and exits the process (0 after
/// a clean shutdown, 1 on a startup error).
///
/// ```no_run
/// fn start(opts: macaron::Options) -> macaron::Result<macaron::Api> {
///     macaron::Api::builder().options(opts).api("apis/hello.yaml").build()
/// }
///
/// fn main() {
///     macaron::letsgo(start)
/// }
/// ```
pub fn letsgo(start: fn(Options) -> Result<Api>) -> ! {
    let mut cli = <Cli as clap::Parser>::parse();
    if let Some(Sub::Healthcheck { port, host, timeout }) = cli.command.take() {
        healthcheck(port, &host, timeout)
    }
    let port_given = cli.port.is_some() || std::env::var("PORT").is_ok_and(|p| !p.is_empty());
    let mut options = match options_from(cli) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2)
        }
    };
    // The configuration: macaron.yaml (or --config), its overlay for the
    // environment, secrets from the environment. A problem stops here.
    let mut loader = macaron_config::Loader::new().env(Some(options.env.clone()));
    if let Some(path) = &options.config {
        loader = loader.path(path);
    }
    let config = match loader.load() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    };
    if let (false, Some(port)) = (port_given, config.port) {
        options.port = port;
    }
    let config = macaron_config::install(config);
    let logs = match init_logs(options.debug, &config) {
        Ok(logs) => logs,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1)
        }
    };
    let api = match start(options.clone()) {
        Ok(api) => api,
        Err(e) => {
            logs.finish();
            eprintln!("error: {}", e.error_description);
            std::process::exit(1)
        }
    };
    let reports = api.service.reports.clone();
    let code = match actix_web::rt::System::new().block_on(serve(api, options)) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    };
    reports.flush(REPORT_GRACE);
    // Spans still queued are exported before the exit: nothing is lost at SIGTERM.
    logs.finish();
    std::process::exit(code)
}

async fn serve(api: Api, options: Options) -> std::io::Result<()> {
    if options.role == Role::Worker {
        return work(api).await;
    }
    let listener = listen(&options.host, options.port)?;
    let port = listener.local_addr()?.port();
    api.connect().await.map_err(|e| std::io::Error::other(e.error_description))?;
    let tasks = api.tasks();
    if let (Some(tasks), Role::All) = (&tasks, options.role) {
        tasks.start_workers();
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let server = http_server(&api, listener, workers)?;
    let s = &api.service.instance;
    println!("macaron: {} {} (env {}) listening on http://{}:{port}", s.name, s.version, s.env, options.host);
    for route in api.routes() {
        println!("  {route}");
    }
    let handle = server.handle();
    let signalled = Arc::new(AtomicBool::new(false));
    let (flag, workers, service) = (signalled.clone(), tasks.clone(), api.service.clone());
    let stopper = actix_web::rt::spawn(async move {
        shutdown_signal().await;
        flag.store(true, Ordering::SeqCst);
        service.health.stop();
        let delay = service.health.shutdown_delay;
        if !delay.is_zero() {
            tracing::info!("shutdown signal: /health/ready answers 503; still serving for {} ms", delay.as_millis());
            tokio::time::sleep(delay).await;
        }
        tracing::info!("shutdown signal: finishing in-flight requests and running tasks");
        let stop_tasks = async {
            if let Some(tasks) = &workers {
                tasks.stop_workers().await;
            }
        };
        tokio::join!(handle.stop(true), stop_tasks);
    });
    let served = server.await;
    if signalled.load(Ordering::SeqCst) {
        // The tasks' grace period may outlast the requests'.
        let _ = stopper.await;
    } else {
        stopper.abort();
        if let Some(tasks) = &tasks {
            tasks.stop_workers().await;
        }
    }
    served?;
    tracing::info!("stopped");
    Ok(())
}

/// `--worker`: runs the service's task workers until SIGTERM/SIGINT, no HTTP.
async fn work(api: Api) -> std::io::Result<()> {
    api.connect().await.map_err(|e| std::io::Error::other(e.error_description))?;
    let Some(tasks) = api.tasks() else {
        return Err(std::io::Error::other(
            "--worker: this service has no background tasks (none declared, or with_async is false)",
        ));
    };
    let s = &api.service.instance;
    println!("macaron: {} {} (env {}) task worker on the {} queue", s.name, s.version, s.env, tasks.queue.kind());
    for task in macaron_tasks::all() {
        println!("  task {}", task.name);
    }
    tasks.start_workers();
    shutdown_signal().await;
    tracing::info!("shutdown signal: finishing running tasks");
    tasks.stop_workers().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
