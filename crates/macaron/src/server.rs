//! Running a service: the command line, logs, the HTTP server, shutdown.
//!
//! A service's `main` should be one line, and every service should start,
//! log and stop the same way, so operators learn it once. [`letsgo`] parses
//! `--port`, `--env`, `--debug/--no-debug` and `--config`, sets up
//! `tracing` logs (`RUST_LOG` overrides the level), builds the service with
//! the author's `start` function, prints a banner with one line per route,
//! and serves on one actix worker per core. On SIGTERM or SIGINT
//! `/health/ready` turns 503 at once; after `shutdown_delay` (0 s by
//! default) it stops accepting connections, lets in-flight requests finish
//! (up to 30 s) and exits 0; a startup error is printed and exits 1.
//! `SERVICE healthcheck` asks a running instance's `/health/live` and exits
//! 0 or 1, for a container's `HEALTHCHECK`. The server itself is
//! built by [`http_server`], which the test kit shares.

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive};
use actix_service::{fn_factory, fn_service};
use clap::Parser;

use crate::api::Api;
use crate::builtins;
use crate::dispatch::dispatch;
use crate::error::Result;
use crate::options::{Options, Role};

/// How long in-flight requests may take to finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// How long crash reports still being written may delay the exit.
const REPORT_GRACE: Duration = Duration::from_secs(10);

#[derive(Parser, Debug)]
#[command(about = "A Macaron service")]
struct Cli {
    /// Port to listen on (default: $PORT, else 8080).
    #[arg(long)]
    port: Option<u16>,
    /// Address to listen on (default: 0.0.0.0, every interface).
    #[arg(long)]
    host: Option<String>,
    /// Environment name (default: $MACARON_ENV, else dev).
    #[arg(long)]
    env: Option<String>,
    /// Debug logs.
    #[arg(long, overrides_with = "no_debug")]
    debug: bool,
    /// No debug logs (the default).
    #[arg(long = "no-debug", overrides_with = "debug")]
    no_debug: bool,
    /// Configuration file.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Run only background-task workers, no HTTP server.
    #[arg(long, overrides_with = "no_worker")]
    worker: bool,
    /// Run only the HTTP server; tasks are run by `--worker` processes.
    #[arg(long = "no-worker", overrides_with = "worker")]
    no_worker: bool,
    #[command(subcommand)]
    command: Option<Sub>,
}

#[derive(clap::Subcommand, Debug)]
enum Sub {
    /// Ask the running service's /health/live: exit 0 when it answers 200,
    /// else 1 (a container's HEALTHCHECK, with no shell and no curl).
    Healthcheck {
        /// The service's port (default: $PORT, else 8080).
        #[arg(long)]
        port: Option<u16>,
        /// The address to ask.
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        /// How long to wait for the answer, in seconds.
        #[arg(long, default_value_t = 3)]
        timeout: u64,
    },
}

/// `healthcheck`: exits 0 when the service answers, 1 when not (2 for a bad command line).
fn healthcheck(port: Option<u16>, host: &str, timeout: u64) -> ! {
    let port = match (port, std::env::var("PORT")) {
        (Some(port), _) => port,
        (None, Ok(text)) if !text.trim().is_empty() => match text.trim().parse() {
            Ok(port) => port,
            Err(_) => {
                eprintln!("healthcheck: PORT={text} is not a port number");
                std::process::exit(2)
            }
        },
        _ => 8080,
    };
    match crate::health::probe(host, port, Duration::from_secs(timeout.max(1))) {
        Ok(()) => std::process::exit(0),
        Err(why) => {
            eprintln!("healthcheck: {why}");
            std::process::exit(1)
        }
    }
}

fn options_from(cli: Cli) -> std::result::Result<Options, String> {
    let mut options = Options::default();
    options.port = match (cli.port, std::env::var("PORT")) {
        (Some(port), _) => port,
        (None, Ok(text)) => text.trim().parse().map_err(|_| format!("PORT={text} is not a port number"))?,
        (None, Err(_)) => options.port,
    };
    if let Some(env) = cli.env.or_else(|| std::env::var("MACARON_ENV").ok().filter(|e| !e.is_empty())) {
        options.env = env;
    }
    if let Some(host) = cli.host {
        if host.parse::<std::net::IpAddr>().is_err() {
            return Err(format!("--host {host}: expected an IP address such as 127.0.0.1 or ::1"));
        }
        options.host = host;
    }
    options.debug = cli.debug && !cli.no_debug;
    options.config = cli.config;
    options.role = match (cli.worker, cli.no_worker) {
        (true, _) => Role::Worker,
        (false, true) => Role::Http,
        (false, false) => Role::All,
    };
    Ok(options)
}

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
    let mut cli = Cli::parse();
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
    macaron_config::install(config);
    let logs = init_logs(options.debug);
    let api = match start(options.clone()) {
        Ok(api) => api,
        Err(e) => {
            drop(logs);
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
    drop(logs);
    std::process::exit(code)
}

/// Sets up `tracing` logs once (`RUST_LOG` wins over `debug`), written to
/// stdout by a thread of their own: a request's log line is handed over, not
/// written by the worker serving it, and lines logged while that thread
/// writes go out together in one write. Nothing is dropped (a full queue
/// waits); the returned guard writes what is queued when dropped, so it is
/// held until the process exits.
pub(crate) fn init_logs(debug: bool) -> tracing_appender::non_blocking::WorkerGuard {
    let default = if debug { "debug" } else { "info" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("macaron-logs")
        .finish(std::io::BufWriter::new(std::io::stdout()));
    // Colours for a terminal only: a log file or a collector gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(ansi)
        .with_writer(writer)
        .try_init();
    guard
}

/// Logs for tests: warnings only (unless `RUST_LOG`), captured by the test harness.
#[cfg(feature = "test")]
pub(crate) fn init_test_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_test_writer().try_init();
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
    let s = &api.service.server;
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
    let s = &api.service.server;
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

/// The listening socket. With `MACARON_REUSE_PORT=1` it is opened with
/// `SO_REUSEPORT`: a new instance of the service listens on the port while
/// the old one still does, and the old one is stopped once the new one is
/// ready (what `macaron deploy` does on a single host). Off by default, so
/// a port already taken is an error.
fn listen(host: &str, port: u16) -> std::io::Result<TcpListener> {
    if std::env::var("MACARON_REUSE_PORT").as_deref() != Ok("1") {
        return TcpListener::bind((host, port));
    }
    let addr = std::net::ToSocketAddrs::to_socket_addrs(&(host, port))?
        .next()
        .ok_or_else(|| std::io::Error::other(format!("{host}: no address")))?;
    let socket = socket2::Socket::new(socket2::Domain::for_address(addr), socket2::Type::STREAM, None)?;
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(true)?;
    socket.bind(&addr.into())?;
    socket.listen(1024)?;
    Ok(socket.into())
}

/// The actix server for a service on a bound listener (not yet running).
///
/// actix-server accepts the connections and actix-http speaks HTTP/1.1 on
/// them; the requests go straight to [`dispatch`], with no actix-web `App`
/// in between: Macaron routes and extracts itself, so the `App` layer
/// (its request object, router and extractor plumbing) was work every
/// request paid for nothing (docs/performance.md).
/// Only Swagger UI's assets, which the `swagger-ui-dist` crate ships as an
/// actix-web scope, are served by an `App` (see [`dispatch`]). The settings
/// are actix-web's `HttpServer` defaults.
pub(crate) fn http_server(api: &Api, listener: TcpListener, workers: usize) -> std::io::Result<actix_server::Server> {
    let addr = listener.local_addr()?;
    let _ = api.service.server.port.set(addr.port());
    let service = api.service.clone();
    let mut builder = actix_server::Server::build()
        .workers(workers)
        .backlog(1024)
        .disable_signals()
        .shutdown_timeout(SHUTDOWN_GRACE.as_secs());
    let closing = builder.graceful_shutdown_signal();
    builder = builder.listen("macaron", listener, move || {
        let service = service.clone();
        let closing = closing.clone();
        HttpService::build()
            .graceful_shutdown_signal(move || {
                let closing = closing.clone();
                async move { closing.notified().await }
            })
            .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .h1(fn_factory(move || {
                let service = service.clone();
                async move {
                    let assets = builtins::ui_app().await?;
                    Ok::<_, ()>(fn_service(move |req| dispatch(req, service.clone(), assets.clone())))
                }
            }))
            .tcp()
    })?;
    Ok(builder.run())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse() {
        let cli = Cli::try_parse_from(["svc", "--port", "9000", "--env", "prod", "--debug"]).unwrap();
        let o = options_from(cli).unwrap();
        assert_eq!((o.port, o.env.as_str(), o.debug), (9000, "prod", true));
        let cli = Cli::try_parse_from(["svc", "--port", "9000", "--debug", "--no-debug"]).unwrap();
        assert!(!options_from(cli).unwrap().debug);
        let cli = Cli::try_parse_from(["svc", "--worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Worker);
        let cli = Cli::try_parse_from(["svc", "--no-worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Http);
        let cli = Cli::try_parse_from(["svc", "--no-worker", "--worker"]).unwrap();
        assert_eq!(options_from(cli).unwrap().role, Role::Worker, "the last flag wins");
    }
}
