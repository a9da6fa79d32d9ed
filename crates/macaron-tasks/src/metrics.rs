//! Task counts and durations, in the service's Prometheus registry.

use prometheus::{HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry};

/// `macaron_tasks_total{task, outcome}` (outcome: scheduled, succeeded,
/// retried, failed) and `macaron_task_duration_seconds{task, outcome}`.
///
/// ```
/// let registry = prometheus::Registry::new();
/// let m = macaron_tasks::TaskMetrics::register(&registry).unwrap();
/// m.scheduled("app::send_mail");
/// m.finished("app::send_mail", "succeeded", 0.02);
/// assert_eq!(registry.gather().len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct TaskMetrics {
    total: IntCounterVec,
    duration: HistogramVec,
}

impl TaskMetrics {
    /// Creates the metrics and registers them in `registry`.
    pub fn register(registry: &Registry) -> Result<Self, prometheus::Error> {
        let total =
            IntCounterVec::new(Opts::new("macaron_tasks_total", "Background tasks, by outcome"), &["task", "outcome"])?;
        let duration = HistogramVec::new(
            HistogramOpts::new("macaron_task_duration_seconds", "Time to run a background task attempt"),
            &["task", "outcome"],
        )?;
        registry.register(Box::new(total.clone()))?;
        registry.register(Box::new(duration.clone()))?;
        Ok(TaskMetrics { total, duration })
    }

    /// Counts a scheduled task.
    pub fn scheduled(&self, task: &str) {
        self.total.with_label_values(&[task, "scheduled"]).inc();
    }

    /// Counts and times a finished attempt.
    pub fn finished(&self, task: &str, outcome: &str, seconds: f64) {
        self.total.with_label_values(&[task, outcome]).inc();
        self.duration.with_label_values(&[task, outcome]).observe(seconds);
    }
}
