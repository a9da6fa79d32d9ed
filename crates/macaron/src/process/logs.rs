//! Logs: `tracing` to stdout, written by a thread of their own.
//!
//! A worker must never wait on a `write` to stdout: a request's log line is
//! handed to the log thread, and lines logged while it writes go out
//! together. `RUST_LOG` wins over `--debug`; colours only on a terminal.

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
