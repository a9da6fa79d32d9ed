//! Where crash reports go: a thread of their own, fed by a channel.
//!
//! A report is sent from a request's error path, a panic or a task that
//! gave up; none of them may wait for it. Resolving a backtrace's symbols
//! is slow, and a service's `error_reporter` (mail, Slack, ...) slower, or
//! broken. So a report is a job (a closure that writes it) sent to one
//! reporter thread, which writes each inside `catch_unwind` and hands it to
//! the reporter, or to the log when there is none. Jobs in flight are
//! counted, so the process can wait for them before it exits.

use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The function a service gives to receive reports: `(title, message)`.
pub(crate) type ReporterFn = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// A report still to be written, as `(title, message)`.
pub(crate) type Job = Box<dyn FnOnce() -> (String, String) + Send>;

/// Where reports go: a channel to the reporter thread, and the service's
/// secrets, hidden in everything reported.
pub(crate) struct Reports {
    tx: Sender<Job>,
    /// The service's secret values (from its configuration and builder).
    pub secrets: Vec<String>,
    /// Reports sent and not yet delivered.
    pending: Arc<AtomicUsize>,
}

impl Reports {
    /// Starts the reporter thread.
    pub fn start(reporter: Option<ReporterFn>, secrets: Vec<String>) -> Self {
        let (tx, rx) = mpsc::channel::<Job>();
        let pending = Arc::new(AtomicUsize::new(0));
        let done = pending.clone();
        let spawned = std::thread::Builder::new().name("macaron-reporter".into()).spawn(move || {
            for job in rx {
                let Ok((title, message)) = panic::catch_unwind(AssertUnwindSafe(job)) else {
                    tracing::error!("a crash report could not be written");
                    done.fetch_sub(1, Ordering::SeqCst);
                    continue;
                };
                match &reporter {
                    Some(report) => {
                        if panic::catch_unwind(AssertUnwindSafe(|| report(&title, &message))).is_err() {
                            tracing::error!(%title, "the error reporter panicked");
                        }
                    }
                    None => tracing::error!(%title, "{message}"),
                }
                done.fetch_sub(1, Ordering::SeqCst);
            }
        });
        if let Err(e) = spawned {
            tracing::error!("cannot start the reporter thread ({e}); reports will be lost");
        }
        Reports { tx, secrets: secrets.into_iter().filter(|s| !s.is_empty()).collect(), pending }
    }

    /// Queues a report.
    pub fn send(&self, job: Job) {
        self.pending.fetch_add(1, Ordering::SeqCst);
        if self.tx.send(job).is_err() {
            self.pending.fetch_sub(1, Ordering::SeqCst);
            tracing::error!("the reporter thread is gone; a report is lost");
        }
    }

    /// `text` with every secret of the service replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        crate::secrets::redact(text, &self.secrets)
    }

    /// Waits (at most `timeout`) until every report sent has been delivered:
    /// called before the process exits, so no crash report is lost.
    pub fn flush(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        while self.pending.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
