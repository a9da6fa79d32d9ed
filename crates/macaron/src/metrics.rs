//! Request metrics in Prometheus' text format, served at `/metrics`.
//!
//! Operators need request rates, error rates and latency per endpoint
//! without instrumenting each handler. Every reply, errors and built-ins
//! included, is counted once in `macaron_requests_total` and timed in
//! `macaron_request_duration_seconds`, both labelled by operation id and
//! status. Each service has its own registry (not the process-global one),
//! so several services in one test process do not mix their counts.

use std::collections::HashMap;
use std::sync::RwLock;

use prometheus::{
    Encoder, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The counter and histogram of one status of one operation.
type Handles = (u16, IntCounter, Histogram);

/// A service's counters.
pub(crate) struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    /// The handles already looked up, by operation then status: looking a
    /// labelled metric up hashes and formats its labels, once per reply
    /// otherwise.
    handles: RwLock<HashMap<String, Vec<Handles>>>,
}

impl Metrics {
    pub fn new() -> Result<Self, String> {
        let registry = Registry::new();
        let requests =
            IntCounterVec::new(Opts::new("macaron_requests_total", "Requests served"), &["operation", "status"])
                .map_err(|e| e.to_string())?;
        let latency = HistogramVec::new(
            HistogramOpts::new("macaron_request_duration_seconds", "Time to serve a request"),
            &["operation", "status"],
        )
        .map_err(|e| e.to_string())?;
        registry.register(Box::new(requests.clone())).map_err(|e| e.to_string())?;
        registry.register(Box::new(latency.clone())).map_err(|e| e.to_string())?;
        Ok(Metrics { registry, requests, latency, handles: RwLock::new(HashMap::new()) })
    }

    /// The registry, for other parts of the service to add their metrics (tasks).
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Counts one reply.
    pub fn observe(&self, operation: &str, status: u16, seconds: f64) {
        {
            let handles = self.handles.read().unwrap_or_else(|e| e.into_inner());
            if let Some((_, requests, latency)) =
                handles.get(operation).and_then(|list| list.iter().find(|(s, _, _)| *s == status))
            {
                requests.inc();
                latency.observe(seconds);
                return;
            }
        }
        let label = status.to_string();
        let requests = self.requests.with_label_values(&[operation, &label]);
        let latency = self.latency.with_label_values(&[operation, &label]);
        requests.inc();
        latency.observe(seconds);
        let mut handles = self.handles.write().unwrap_or_else(|e| e.into_inner());
        let list = handles.entry(operation.to_string()).or_default();
        if !list.iter().any(|(s, _, _)| *s == status) {
            list.push((status, requests, latency));
        }
    }

    /// The text exposition.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            return format!("# cannot encode metrics: {e}\n");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_and_latency_are_labelled() {
        let m = super::Metrics::new().unwrap();
        m.observe("getPet", 200, 0.01);
        m.observe("getPet", 200, 0.01);
        m.observe("getPet", 404, 0.01);
        let text = m.render();
        assert!(text.contains(r#"macaron_requests_total{operation="getPet",status="200"} 2"#), "{text}");
        assert!(text.contains(r#"macaron_requests_total{operation="getPet",status="404"} 1"#), "{text}");
        assert!(text.contains("macaron_request_duration_seconds_bucket"), "{text}");
    }
}
