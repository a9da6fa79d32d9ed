//! Metrics in Prometheus' text format, served at `/metrics`.
//!
//! Operators need request rates, error rates and latency per endpoint
//! without instrumenting each handler. Every reply, errors and built-ins
//! included, is counted once in `macaron_requests_total` and timed in
//! `macaron_request_duration_seconds`, both labelled by operation id and
//! status; `macaron_requests_in_flight` counts the requests being served
//! and `macaron_build_info{name, version, revision}` says what runs. Each
//! service has its own registry for these, so several services in one test
//! process do not mix their counts; `/metrics` serves them followed by the
//! process-wide [`registry`], where a service adds its own series (and
//! where [`crate::monitor`] times its sections).
//!
//! ```
//! use macaron::metrics::prometheus::{IntCounter, Opts};
//! let signups = IntCounter::with_opts(Opts::new("shop_signups_total", "Accounts opened")).unwrap();
//! macaron::metrics::registry().register(Box::new(signups.clone())).unwrap();
//! signups.inc();
//! assert!(macaron::metrics::render().contains("shop_signups_total 1"));
//! ```

use std::collections::HashMap;
use std::sync::RwLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry,
    TextEncoder,
};

pub use prometheus;

/// The process-wide registry: series registered here are served by every
/// service's `/metrics`, after the service's own.
pub fn registry() -> &'static Registry {
    prometheus::default_registry()
}

/// The text exposition of the process-wide [`registry`].
pub fn render() -> String {
    encode(&registry().gather())
}

fn encode(families: &[prometheus::proto::MetricFamily]) -> String {
    let mut out = Vec::new();
    if let Err(e) = TextEncoder::new().encode(families, &mut out) {
        return format!("# cannot encode metrics: {e}\n");
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The counter and histogram of one status of one operation.
type Handles = (u16, IntCounter, Histogram);

/// A service's counters.
pub(crate) struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// `macaron_requests_in_flight`.
    pub in_flight: IntGauge,
    /// `macaron_build_info{name, version, revision}` (always 1).
    build_info: IntGaugeVec,
    /// `macaron_tasks_queued{state}`, set when `/metrics` is asked.
    tasks_queued: IntGaugeVec,
    /// `macaron_tasks_oldest_queued_seconds`, set when `/metrics` is asked.
    tasks_oldest: prometheus::Gauge,
    /// The handles already looked up for each of the service's operations
    /// (by index in its operation table), by status: looking a labelled
    /// metric up hashes and formats its labels, once per reply otherwise.
    operations: Vec<RwLock<Vec<Handles>>>,
    /// The same for the built-ins and the requests that found no operation,
    /// by name.
    others: RwLock<HashMap<&'static str, Vec<Handles>>>,
}

/// What a reply is counted as.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Label<'a> {
    /// The operation with this index in the service's table, and its id.
    Operation(usize, &'a str),
    /// A built-in or a request that found no operation (`not_found`, ...).
    Other(&'static str),
}

impl Label<'_> {
    /// The `operation` label's value.
    pub fn name(&self) -> &str {
        match self {
            Label::Operation(_, id) => id,
            Label::Other(name) => name,
        }
    }
}

impl Metrics {
    /// The metrics of a service with `operations` operations.
    pub fn new(operations: usize) -> Result<Self, String> {
        let registry = Registry::new();
        let requests =
            IntCounterVec::new(Opts::new("macaron_requests_total", "Requests served"), &["operation", "status"])
                .map_err(|e| e.to_string())?;
        let latency = HistogramVec::new(
            HistogramOpts::new("macaron_request_duration_seconds", "Time to serve a request"),
            &["operation", "status"],
        )
        .map_err(|e| e.to_string())?;
        let in_flight =
            IntGauge::new("macaron_requests_in_flight", "Requests being served").map_err(|e| e.to_string())?;
        let build_info = IntGaugeVec::new(
            Opts::new("macaron_build_info", "What runs: the service's name, version and revision (always 1)"),
            &["name", "version", "revision"],
        )
        .map_err(|e| e.to_string())?;
        let tasks_queued = IntGaugeVec::new(
            Opts::new(
                "macaron_tasks_queued",
                "Background tasks in the queue, by state (queued, delayed, running, failed)",
            ),
            &["state"],
        )
        .map_err(|e| e.to_string())?;
        registry.register(Box::new(requests.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(latency.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(in_flight.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(build_info.clone())).map_err(|e| e.to_string())?;
        let tasks_oldest = prometheus::Gauge::new(
            "macaron_tasks_oldest_queued_seconds",
            "How long the longest-waiting due task has waited for a worker (0 when none waits)",
        )
        .map_err(|e| e.to_string())?;
        registry.register(Box::new(tasks_queued.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(tasks_oldest.clone())).map_err(|e| e.to_string())?;
        Ok(Metrics {
            registry,
            requests,
            latency,
            in_flight,
            build_info,
            tasks_queued,
            tasks_oldest,
            operations: (0..operations).map(|_| RwLock::new(Vec::new())).collect(),
            others: RwLock::new(HashMap::new()),
        })
    }

    /// The registry, for other parts of the service to add their metrics (tasks).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Counts one reply.
    pub fn observe(&self, label: Label<'_>, status: u16, seconds: f64) {
        let count = |(_, requests, latency): &Handles| {
            requests.inc();
            latency.observe(seconds);
        };
        match label {
            Label::Operation(index, _) => {
                let Some(slot) = self.operations.get(index) else { return };
                if let Some(handles) = find(&slot.read().unwrap_or_else(|e| e.into_inner()), status) {
                    return count(handles);
                }
                count(self.add(&mut slot.write().unwrap_or_else(|e| e.into_inner()), label.name(), status));
            }
            Label::Other(name) => {
                if let Some(handles) =
                    self.others.read().unwrap_or_else(|e| e.into_inner()).get(name).and_then(|l| find(l, status))
                {
                    return count(handles);
                }
                count(self.add(
                    self.others.write().unwrap_or_else(|e| e.into_inner()).entry(name).or_default(),
                    name,
                    status,
                ));
            }
        }
    }

    /// The handles of a status in a list, looked up and added if missing
    /// (under the list's write lock: another worker may have added them).
    fn add<'l>(&self, list: &'l mut Vec<Handles>, operation: &str, status: u16) -> &'l Handles {
        let at = match list.iter().position(|(s, _, _)| *s == status) {
            Some(at) => at,
            None => {
                let label = status.to_string();
                let requests = self.requests.with_label_values(&[operation, &label]);
                let latency = self.latency.with_label_values(&[operation, &label]);
                list.push((status, requests, latency));
                list.len() - 1
            }
        };
        &list[at]
    }

    /// Sets `macaron_build_info` (the revision as `build`'s identity step reads it from the version).
    pub fn set_build_info(&self, name: &str, version: &str, revision: &str) {
        self.build_info.with_label_values(&[name, version, revision]).set(1);
    }

    /// Sets `macaron_tasks_queued` and `macaron_tasks_oldest_queued_seconds`
    /// from the queue's counts, at `now_ms` (Unix milliseconds).
    pub fn set_task_counts(&self, stats: &macaron_tasks::Stats, now_ms: i64) {
        let waited = stats.oldest_due_at.map_or(0, |at| now_ms.saturating_sub(at).max(0));
        self.tasks_oldest.set(waited as f64 / 1000.0);
        for (state, count) in
            [("queued", stats.queued), ("delayed", stats.delayed), ("running", stats.running), ("failed", stats.failed)]
        {
            self.tasks_queued.with_label_values(&[state]).set(i64::try_from(count).unwrap_or(i64::MAX));
        }
    }

    /// The text exposition: the service's series, then the process-wide ones.
    pub fn render(&self) -> String {
        let mut families = self.registry.gather();
        let own: Vec<String> = families.iter().map(|f| f.name().to_string()).collect();
        families.extend(registry().gather().into_iter().filter(|f| !own.iter().any(|n| n == f.name())));
        encode(&families)
    }
}

/// The handles of a status in a list.
fn find(list: &[Handles], status: u16) -> Option<&Handles> {
    list.iter().find(|(s, _, _)| *s == status)
}

#[cfg(test)]
mod tests {
    use super::Label;

    #[test]
    fn counts_and_latency_are_labelled() {
        let m = super::Metrics::new(1).unwrap();
        m.observe(Label::Operation(0, "getPet"), 200, 0.01);
        m.observe(Label::Operation(0, "getPet"), 200, 0.01);
        m.observe(Label::Operation(0, "getPet"), 404, 0.01);
        m.observe(Label::Other("not_found"), 404, 0.01);
        let text = m.render();
        assert!(text.contains(r#"macaron_requests_total{operation="getPet",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"macaron_requests_total{operation="getPet",status="404"} 1"#), "{text}");
        assert!(text.contains(r#"macaron_requests_total{operation="not_found",status="404"} 1"#), "{text}");
        assert!(text.contains("macaron_request_duration_seconds_bucket"), "{text}");
        m.in_flight.inc();
        m.set_build_info("pets", "1.2.0+abc1234", "abc1234");
        let text = m.render();
        assert!(text.contains("macaron_requests_in_flight 1"), "{text}");
        assert!(
            text.contains(r#"macaron_build_info{name="pets",revision="abc1234",version="1.2.0+abc1234"} 1"#),
            "{text}"
        );
        let stats = macaron_tasks::Stats { queued: 2, oldest_due_at: Some(1_000), ..Default::default() };
        m.set_task_counts(&stats, 3_500);
        let text = m.render();
        assert!(text.contains(r#"macaron_tasks_queued{state="queued"} 2"#), "{text}");
        assert!(text.contains("macaron_tasks_oldest_queued_seconds 2.5"), "{text}");
        let image = super::Metrics::new(0).unwrap();
        image.set_build_info("pets", "261204-0204-91-b445b1", "b445b1");
        assert!(image.render().contains(r#"revision="b445b1""#));
    }
}
