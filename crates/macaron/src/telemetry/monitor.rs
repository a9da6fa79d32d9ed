//! Timing a section of a handler, PyMacaron's `with monitor(kind, method)`.

use std::future::Future;
use std::sync::LazyLock;
use std::time::Instant;

use prometheus::{HistogramOpts, HistogramVec};
use tracing::Instrument;

/// `macaron_monitor_duration_seconds{kind, name}`, in the process-wide
/// registry that `/metrics` serves beside the service's own.
pub(crate) static MONITOR_SECONDS: LazyLock<HistogramVec> = LazyLock::new(|| {
    let opts = HistogramOpts::new("macaron_monitor_duration_seconds", "Time spent in monitored sections");
    // Name and labels are constants: making the histogram cannot fail; registering it fails only
    // if a service registered the same name, and then the series is still timed, just not served.
    #[allow(clippy::expect_used)]
    let histogram = HistogramVec::new(opts, &["kind", "name"]).expect("a valid histogram");
    let _ = prometheus::default_registry().register(Box::new(histogram.clone()));
    histogram
});

/// Runs `future` as a monitored section: a child span of the current one
/// named `kind.name` (when traces are on), and its duration in the
/// histogram `macaron_monitor_duration_seconds{kind, name}` served by
/// `/metrics`, whatever the future returns. Keep `kind` and `name` to a
/// few fixed values (a database, a remote service, and what is asked of
/// it): every pair is a series. `#[macaron::monitor(kind = "db")]` on an
/// async function times each of its calls the same way (`name` defaults to
/// the function's).
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let pets = macaron::monitor("db", "find_pets", async { vec!["Rex"] }).await;
/// assert_eq!(pets, ["Rex"]);
/// let text = macaron::metrics::render();
/// assert!(text.contains(r#"macaron_monitor_duration_seconds_count{kind="db",name="find_pets"} 1"#), "{text}");
///
/// #[macaron::monitor(kind = "pricing")]
/// async fn quote(cents: &str) -> macaron::Result<u32> {
///     let cents: u32 = cents.parse()?; // `?` and early returns work as without it
///     Ok(cents * 2)
/// }
/// assert_eq!(quote("21").await.unwrap(), 42);
/// assert_eq!(quote("x").await.unwrap_err().status, 500);
/// let text = macaron::metrics::render();
/// assert!(text.contains(r#"macaron_monitor_duration_seconds_count{kind="pricing",name="quote"} 2"#), "{text}");
/// # });
/// ```
pub async fn monitor<F: Future>(kind: &str, name: &str, future: F) -> F::Output {
    let started = Instant::now();
    let output = if super::on() {
        let span = tracing::info_span!(
            target: super::spans::TARGET,
            "monitor",
            otel.name = format!("{kind}.{name}"),
            macaron.monitor.kind = kind,
            macaron.monitor.name = name,
        );
        future.instrument(span).await
    } else {
        future.await
    };
    MONITOR_SECONDS.with_label_values(&[kind, name]).observe(started.elapsed().as_secs_f64());
    output
}
